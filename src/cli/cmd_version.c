/* cmd_version.c - `hf2gguf --version [--json]`: what this build is, for
 * bug reports: version, git revision, the reference it reproduces, and the
 * libraries it runs with. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "hf2gguf/version.h"

static void print_text(const h2g_library_version *libs) {
    const char *rev = h2g_git_revision();
    printf("hf2gguf %s", h2g_version());
    if (*rev) printf(" (git %s)", rev);
    printf("\nreproduces llama.cpp %s (convert_hf_to_gguf.py and llama-quantize)\n",
           H2G_REFERENCE_LLAMA_CPP);
    printf("libraries:");
    for (int i = 0; i < H2G_LIBRARY_COUNT; i++)
        printf("%s %s %s", i ? "," : "", libs[i].name, libs[i].version);
    putchar('\n');
}

static void print_json(const h2g_library_version *libs) {
    const char *rev = h2g_git_revision();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "version", h2g_version());
    if (*rev) cJSON_AddStringToObject(o, "git_revision", rev);
    else cJSON_AddNullToObject(o, "git_revision");
    cJSON_AddStringToObject(o, "reference_llama_cpp", H2G_REFERENCE_LLAMA_CPP);
    cJSON *l = cJSON_AddObjectToObject(o, "libraries");
    for (int i = 0; i < H2G_LIBRARY_COUNT; i++)
        cJSON_AddStringToObject(l, libs[i].name, libs[i].version);
    char *text = cJSON_Print(o);
    if (text) puts(text);
    cJSON_free(text);
    cJSON_Delete(o);
}

/* argv[0] is "--version"; the one option after it is --json. */
int h2g_cmd_version(int argc, char **argv) {
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") != 0) {
            fprintf(stderr, "hf2gguf: error: --version takes only --json, not '%s' (see hf2gguf "
                            "--help)\n", argv[i]);
            return H2G_EXIT_USAGE;
        }
        json = true;
    }
    h2g_library_version libs[H2G_LIBRARY_COUNT];
    h2g_library_versions(libs);
    if (json) print_json(libs);
    else print_text(libs);
    return H2G_EXIT_OK;
}
