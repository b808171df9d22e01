/* commands.h - one function per subcommand; main.c dispatches on argv[1].
 * Each returns the process exit status: 0 success, 1 conversion or input
 * error, 2 usage error. argv[0] is the subcommand name. */
#ifndef HF2GGUF_CLI_COMMANDS_H
#define HF2GGUF_CLI_COMMANDS_H

#define H2G_EXIT_OK 0
#define H2G_EXIT_ERROR 1
#define H2G_EXIT_USAGE 2

int h2g_cmd_convert(int argc, char **argv);
int h2g_cmd_inspect(int argc, char **argv);
int h2g_cmd_verify(int argc, char **argv);
int h2g_cmd_diff(int argc, char **argv);
int h2g_cmd_checksum(int argc, char **argv);

#endif
