/* text.h - plain-text output helpers shared by the subcommands. */
#ifndef HF2GGUF_CLI_TEXT_H
#define HF2GGUF_CLI_TEXT_H

#include <stdint.h>

/* Prints len bytes of s on stdout as a double-quoted string with C escapes,
 * cut at max bytes (on a UTF-8 boundary, then "… (N bytes)"); max 0: whole. */
void h2g_print_quoted(const char *s, uint64_t len, uint64_t max);

#endif
