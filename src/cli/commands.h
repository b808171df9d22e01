/* commands.h - one function per subcommand; main.c dispatches on argv[1].
 * Each returns the process exit status: 0 success, 1 conversion or input
 * error, 2 usage error. argv[0] is the subcommand name. */
#ifndef HF2GGUF_CLI_COMMANDS_H
#define HF2GGUF_CLI_COMMANDS_H

#define H2G_EXIT_OK 0
#define H2G_EXIT_ERROR 1
#define H2G_EXIT_USAGE 2

/* Prints "hf2gguf: error: <message> (see hf2gguf CMD --help)" on stderr and
 * returns H2G_EXIT_USAGE, for every subcommand's usage errors. */
int h2g_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

int h2g_cmd_convert(int argc, char **argv);
int h2g_cmd_inspect(int argc, char **argv);
int h2g_cmd_verify(int argc, char **argv);
int h2g_cmd_diff(int argc, char **argv);
int h2g_cmd_checksum(int argc, char **argv);

#endif
