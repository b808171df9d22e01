/* text.c - plain-text output helpers (see text.h). */
#include "cli/text.h"

#include <stdio.h>

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
