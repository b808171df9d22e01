/* cmd_verify.c - `hf2gguf verify`: checks a GGUF file against the format and
 * what llama.cpp's loader requires of its architecture, and lists every
 * problem found (text for people, --json for programs). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/text.h"
#include "hf2gguf/verify.h"

static const char usage[] =
    "usage: hf2gguf verify FILE.gguf [--json]\n"
    "\n"
    "Checks FILE.gguf the way llama.cpp would load it and lists every problem:\n"
    "the GGUF format (as strictly as ggml's reader), then the rules of its\n"
    "architecture: required keys and their exact types, the tensors each layer\n"
    "needs and their shapes (derived from the file's own keys), tensors the\n"
    "loader would not use, and the tokenizer (tokens unique, special ids in\n"
    "range).\n"
    "\n"
    "Known architectures: deepseek2, deepseek2-ocr, and clip (mmproj files) with\n"
    "clip.projector_type deepseekocr or deepseekocr2.\n"
    "\n"
    "Prints `FILE: OK (...)` when there is no problem, else one line per problem\n"
    "prefixed with the file name, then the number of problems.\n"
    "\n"
    "options:\n"
    "  --json      print one JSON object instead:\n"
    "              {\"file\", \"ok\", \"architecture\", \"problems\": [...]}\n"
    "  --help      this help\n"
    "\n"
    "Exit status: 0 no problem, 1 problems found or file unreadable, 2 usage error.\n";

typedef struct args {
    const char *path;
    bool json;
} args;

/* ---------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------- */

/* Fills a from argv; returns -1 to go on, else the exit status to return. */
static int parse_args(int argc, char **argv, args *a) {
    const h2g_flag flags[] = {{"--json", &a->json}, {NULL, NULL}};
    return h2g_parse_file_args("verify", usage, argc, argv, flags, &a->path);
}

/* ---------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------- */

/* `FILE: OK (...)`, or one line per problem and a count. */
static void print_text(const char *path, const h2g_verify_report *rep) {
    if (rep->n_problems == 0) {
        printf("%s: OK (arch %s", cli_esc(path), rep->architecture ? cli_esc(rep->architecture) : "?");
        if (rep->projector) printf(", projector %s", cli_esc(rep->projector));
        printf(", %zu KVs, %zu tensors)\n", rep->n_kv, rep->n_tensors);
        return;
    }
    for (size_t i = 0; i < rep->n_problems; i++)
        printf("%s: %s\n", cli_esc(path), cli_esc(rep->problems[i]));
    printf("%s: %zu problem%s\n", cli_esc(path), rep->n_problems, rep->n_problems == 1 ? "" : "s");
}

/* The JSON object of the usage text; NULL when out of memory. */
static cJSON *report_json(const char *path, const h2g_verify_report *rep) {
    cJSON *j = cJSON_CreateObject(), *problems = NULL;
    bool ok = j && cJSON_AddStringToObject(j, "file", path) &&
              cJSON_AddBoolToObject(j, "ok", rep->n_problems == 0) &&
              (rep->architecture ? cJSON_AddStringToObject(j, "architecture", rep->architecture)
                                 : cJSON_AddNullToObject(j, "architecture")) &&
              (!rep->projector || cJSON_AddStringToObject(j, "projector_type", rep->projector)) &&
              (problems = cJSON_AddArrayToObject(j, "problems")) != NULL;
    for (size_t i = 0; ok && i < rep->n_problems; i++) {
        cJSON *s = cJSON_CreateString(rep->problems[i]);
        ok = s && cJSON_AddItemToArray(problems, s);
    }
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* Prints the JSON report; returns false when out of memory. */
static bool print_json(const char *path, const h2g_verify_report *rep) {
    cJSON *j = report_json(path, rep);
    char *text = j ? cJSON_Print(j) : NULL;
    cJSON_Delete(j);
    if (!text) return false;
    puts(text);
    free(text);
    return true;
}

/* ---------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------- */

int h2g_cmd_verify(int argc, char **argv) {
    args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) return rc;
    h2g_verify_report rep = {0};
    h2g_error err = {0};
    if (h2g_verify(a.path, &rep, &err) != 0) {
        h2g_verify_report_free(&rep);
        cli_print_error(err.msg);
        return H2G_EXIT_ERROR;
    }
    rc = rep.n_problems == 0 ? H2G_EXIT_OK : H2G_EXIT_ERROR;
    if (!a.json) {
        print_text(a.path, &rep);
    } else if (!print_json(a.path, &rep)) {
        fputs("hf2gguf: error: out of memory building the JSON report\n", stderr);
        rc = H2G_EXIT_ERROR;
    }
    h2g_verify_report_free(&rep);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("hf2gguf: error: cannot write to standard output\n", stderr);
        return H2G_EXIT_ERROR;
    }
    return rc;
}
