/* text.c - plain-text output helpers (see text.h). */
#include "cli/text.h"
#include "cli/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void h2g_print_quoted(const char *s, uint64_t len, uint64_t max) {
    uint64_t shown = len;
    if (max && len > max) {
        shown = max;
        while (shown > 0 && ((unsigned char)s[shown] & 0xc0) == 0x80) shown--;
    }
    putchar('"');
    for (uint64_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c == '\n') fputs("\\n", stdout);
        else if (c == '\t') fputs("\\t", stdout);
        else if (c == '\r') fputs("\\r", stdout);
        else if (c < 0x20 || c == 0x7f) printf("\\x%02x", c);
        else putchar(c);
    }
    putchar('"');
    if (shown < len) printf("… (%llu bytes)", (unsigned long long)len);
}

/* Length of the valid UTF-8 sequence at s (n bytes left) that a terminal
 * shows as text, or 0 when the byte at s must be escaped. */
static size_t printable_utf8(const unsigned char *s, size_t n) {
    unsigned char c = s[0];
    if (c >= 0x20 && c < 0x7f) return 1;
    size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
               : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (len == 0 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    uint32_t cp = c & (0x7f >> len);
    for (size_t i = 1; i < len; i++) cp = cp << 6 | (s[i] & 0x3f);
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < least[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return cp >= 0x80 && cp <= 0x9f ? 0 : len; /* C1 controls */
}

/* Escapes len bytes of s into out (room for 4 * len + 1). */
static void escape_into(char *out, const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = printable_utf8(u + i, len - i);
        if (n) {
            memcpy(out + o, u + i, n);
            o += n;
            i += n;
        } else {
            o += (size_t)sprintf(out + o, "\\x%02x", u[i++]);
        }
    }
    out[o] = '\0';
}

void cli_write_escaped(FILE *f, const char *s, size_t len) {
    char small[1024];
    char *buf = len < sizeof small / 4 ? small : malloc(4 * len + 1);
    if (!buf) {
        fputs("?", f);
        return;
    }
    escape_into(buf, s, len);
    fputs(buf, f);
    if (buf != small) free(buf);
}

const char *cli_esc(const char *s) {
    static char *slots[8];
    static unsigned next;
    if (!s) return "(null)";
    size_t len = strlen(s);
    char *buf = malloc(4 * len + 1);
    if (!buf) return "?";
    escape_into(buf, s, len);
    unsigned k = next++ % 8;
    free(slots[k]);
    slots[k] = buf;
    return buf;
}

void cli_print_error(const char *msg) {
    h2g_progress_clear(stderr);
    fputs("hf2gguf: error: ", stderr);
    cli_write_escaped(stderr, msg, strlen(msg));
    fputc('\n', stderr);
}
