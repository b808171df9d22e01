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
    "usage: hf2gguf verify FILE.gguf... [--json]\n"
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
    "Several files are checked in turn (verify *.gguf). A part of a split set\n"
    "(NAME-00001-of-00003.gguf, any part) stands for the whole set: every part\n"
    "is read, a missing or extra part is a problem, and the set is checked as\n"
    "the one file it makes. A file without tensors (a vocab-only file) has its\n"
    "keys and tokenizer checked, not the tensor rules.\n"
    "\n"
    "Prints `FILE: OK (...)` when there is no problem, else one line per problem\n"
    "prefixed with the file name, then the number of problems.\n"
    "\n"
    "options:\n"
    "  --json      print one JSON object per file instead (an array of them for\n"
    "              several files): {\"file\", \"ok\", \"architecture\",\n"
    "              \"problems\": [...]}, or {\"file\", \"ok\": false, \"error\"}\n"
    "              when the file cannot be read\n"
    "  --help      this help\n"
    "\n"
    "Exit status: 0 no problem in any file, 1 problems found or a file\n"
    "unreadable, 2 usage error.\n";

typedef struct args {
    const char **paths;
    int n_paths;
    bool json;
} args;

/* ---------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------- */

/* Fills a from argv: flags anywhere, files in order ("--" ends the flags).
 * Returns -1 to go on, else the exit status to return. */
static int parse_args(int argc, char **argv, args *a) {
    bool options_done = false;
    a->paths = calloc((size_t)argc + 1, sizeof *a->paths);
    if (!a->paths) {
        cli_print_error("out of memory for the list of files");
        return H2G_EXIT_ERROR;
    }
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (options_done || s[0] != '-' || s[1] == '\0') a->paths[a->n_paths++] = s;
        else if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
            fputs(usage, stdout);
            return H2G_EXIT_OK;
        } else if (!strcmp(s, "--")) options_done = true;
        else if (!strcmp(s, "--json")) a->json = true;
        else return h2g_usage_error("verify", "unknown option '%s'", s);
    }
    if (a->n_paths == 0) return h2g_usage_error("verify", "%s", "no GGUF file given");
    return -1;
}

/* ---------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------- */

/* `FILE: OK (...)`, or one line per problem and a count. */
static void print_text(const char *path, const h2g_verify_report *rep) {
    if (rep->n_problems == 0) {
        printf("%s: OK (arch %s", cli_esc(path), rep->architecture ? cli_esc(rep->architecture) : "?");
        if (rep->projector) printf(", projector %s", cli_esc(rep->projector));
        if (rep->n_parts) printf(", split set of %zu parts", rep->n_parts);
        if (rep->vocab_only) printf(", vocab only: tensor rules skipped");
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
              (!rep->n_parts || cJSON_AddNumberToObject(j, "parts", (double)rep->n_parts)) &&
              cJSON_AddBoolToObject(j, "vocab_only", rep->vocab_only) &&
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

/* {"file", "ok": false, "error"} for a file that cannot be read. */
static cJSON *error_json(const char *path, const char *msg) {
    cJSON *j = cJSON_CreateObject();
    if (j && cJSON_AddStringToObject(j, "file", path) && cJSON_AddBoolToObject(j, "ok", false) &&
        cJSON_AddStringToObject(j, "error", msg))
        return j;
    cJSON_Delete(j);
    return NULL;
}

/* Verifies one file: prints its text report (or adds its JSON object to
 * list); returns its exit status. */
static int verify_one(const char *path, const args *a, cJSON *list) {
    h2g_verify_report rep = {0};
    h2g_error err = {0};
    int rc;
    cJSON *j = NULL;
    if (h2g_verify(path, &rep, &err) != 0) {
        cli_print_error(err.msg);
        if (a->json) j = error_json(path, err.msg);
        rc = H2G_EXIT_ERROR;
    } else {
        rc = rep.n_problems == 0 ? H2G_EXIT_OK : H2G_EXIT_ERROR;
        if (!a->json) print_text(path, &rep);
        else j = report_json(path, &rep);
    }
    h2g_verify_report_free(&rep);
    if (a->json && !(j && cJSON_AddItemToArray(list, j))) {
        cJSON_Delete(j);
        cli_print_error("out of memory building the JSON report");
        rc = H2G_EXIT_ERROR;
    }
    return rc;
}

/* ---------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------- */

int h2g_cmd_verify(int argc, char **argv) {
    args a = {0};
    int rc = parse_args(argc, argv, &a);
    if (rc >= 0) {
        free(a.paths);
        return rc;
    }
    rc = H2G_EXIT_OK;
    cJSON *list = cJSON_CreateArray();
    for (int i = 0; i < a.n_paths; i++)
        if (verify_one(a.paths[i], &a, list) != H2G_EXIT_OK) rc = H2G_EXIT_ERROR;
    if (a.json) { /* one file: its object, as before; several: the array */
        cJSON *doc = a.n_paths == 1 ? cJSON_GetArrayItem(list, 0) : list;
        char *text = doc ? cJSON_Print(doc) : NULL;
        if (text) puts(text);
        else rc = H2G_EXIT_ERROR;
        free(text);
    }
    cJSON_Delete(list);
    free(a.paths);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_print_error("cannot write to standard output");
        return H2G_EXIT_ERROR;
    }
    return rc;
}
