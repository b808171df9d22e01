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

#include <stdbool.h>

/* An on/off option of a one-file command ("--json"), and where it goes. */
typedef struct h2g_flag {
    const char *name;
    bool *set;
} h2g_flag;

/* Parses "CMD [flags] FILE" for the one-file commands (inspect, verify,
 * checksum): flags from the NULL-terminated list, --help (prints usage),
 * "--" ending the options. Returns -1 to go on, else the exit status to
 * return (0 after --help, 2 for a usage error). */
int h2g_parse_file_args(const char *cmd, const char *usage, int argc, char **argv,
                        const h2g_flag *flags, const char **path);

#include <stdio.h>

/* The supported-checkouts table (convert --list-architectures). */
void h2g_print_architectures(FILE *out);

int h2g_cmd_convert(int argc, char **argv);
int h2g_cmd_inspect(int argc, char **argv);
int h2g_cmd_verify(int argc, char **argv);
int h2g_cmd_diff(int argc, char **argv);
int h2g_cmd_checksum(int argc, char **argv);
/* --version [--json]; argv[0] is "--version". */
int h2g_cmd_version(int argc, char **argv);

#endif
