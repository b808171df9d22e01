/* text.h - plain-text output helpers shared by the subcommands. */
#ifndef HF2GGUF_CLI_TEXT_H
#define HF2GGUF_CLI_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Prints len bytes of s on stdout as a double-quoted string with C escapes,
 * cut at max bytes (on a UTF-8 boundary, then "… (N bytes)"); max 0: whole. */
void h2g_print_quoted(const char *s, uint64_t len, uint64_t max);

/* Terminal safety (issue 14, item 6): strings that come from a checkout or
 * a GGUF file (names, keys, values, paths, messages quoting them) are shown
 * with every byte a terminal could act on escaped as \xNN: C0 controls
 * (newline included), DEL, C1 controls (U+0080-U+009F) and bytes that are
 * not valid UTF-8. Other UTF-8 text is shown as it is. */

/* Writes len bytes of s to f, escaped. */
void cli_write_escaped(FILE *f, const char *s, size_t len);

/* s (NUL-terminated) escaped, in one of a few buffers reused in turn, so
 * that a printf may take several: valid until 8 more calls. Never NULL
 * (out of memory gives "?"). */
const char *cli_esc(const char *s);

/* "hf2gguf: error: MSG" on stderr, MSG escaped. */
void cli_print_error(const char *msg);

#endif
