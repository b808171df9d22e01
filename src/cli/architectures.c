/* architectures.c - `hf2gguf convert --list-architectures`: the supported
 * checkouts, from the library's registry, as the Markdown table README.md
 * shows (tests/cli/test_architectures.sh compares the two). */
#include <stdio.h>

#include "cli/commands.h"
#include "hf2gguf/convert.h"

void h2g_print_architectures(FILE *out) {
    size_t n;
    const h2g_arch_info *a = h2g_architectures(&n);
    fputs("| architecture class | GGUF arch | real models | source formats |\n"
          "| --- | --- | --- | --- |\n", out);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "| %s | %s | %s | %s |\n", a[i].hf_name, a[i].gguf_arch, a[i].models,
                a[i].formats);
}
