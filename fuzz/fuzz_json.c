/* fuzz_json.c - the input is a checkout's JSON files: config.json,
 * tokenizer.json and tokenizer_config.json, separated by NUL bytes (which no
 * JSON text contains), then an optional selector byte:
 *
 *     config.json \0 tokenizer.json \0 tokenizer_config.json \0 S
 *
 * S % 5 picks the fixture checkout whose tensors (and other small files) are
 * used; bit 3 plans the whole model instead of the vocabulary only, bit 4
 * also plans the vision projector, bit 5 hides the fixture's tensors (the
 * fastest path to the KV code). Bit 6 picks a Kimi-K2 checkout instead
 * (bit 0: the INT4 one), whose tokenizer is tiktoken.model: its vocabulary
 * is read from the fixture's folder for each input (4 KB). Bit 7 (without
 * bit 6) picks DeepSeek-V3.2 (deepseek-v32-tiny), with bit 0 DeepSeek-MoE
 * (deepseek-moe-tiny). A missing or empty part stands for the
 * fixture's own file, so that config mutations need not carry a tokenizer;
 * a part "-" is an absent file.
 *
 * The fixtures are opened once per process, read-only; each input's JSON is
 * parsed and swapped into the open checkout, and h2g_convert_plan runs on it.
 * Nothing is written anywhere, and no file is read per input but the Kimi
 * checkouts' tiktoken.model. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fixtures[] = {"deepseek-v2-lite-tiny", "deepseek-v3-tiny",
                                       "deepseek-v3-fp8-tiny", "deepseek-ocr-tiny",
                                       "deepseek-ocr2-tiny", "kimi-k2-tiny",
                                       "kimi-k2-int4-tiny", "deepseek-v32-tiny",
                                       "deepseek-moe-tiny"};
#define N_FIXTURES (sizeof fixtures / sizeof fixtures[0])
#define N_CLASSIC 5 /* the first five, picked by S % 5 (kept so old seeds keep their meaning) */

static h2g_checkout checkouts[N_FIXTURES];
static int opened[N_FIXTURES]; /* 0 not yet, 1 open, -1 failed */

static h2g_checkout *checkout(size_t i) {
    if (!opened[i]) {
        char dir[4096];
        h2g_error err = {0};
        snprintf(dir, sizeof dir, "%s/%s", FUZZ_DATA_DIR, fixtures[i]);
        opened[i] = h2g_checkout_open(&checkouts[i], dir, &err) == 0 ? 1 : -1;
        if (opened[i] < 0) {
            fprintf(stderr, "fuzz_json: cannot open fixture: %s\n", err.msg);
            abort(); /* a broken harness, not a finding */
        }
    }
    return &checkouts[i];
}

/* Splits off the next NUL-terminated part; *len 0 when there is none. */
static const uint8_t *next_part(const uint8_t **p, const uint8_t *end, size_t *len) {
    const uint8_t *start = *p;
    if (start >= end) {
        *len = 0;
        return start;
    }
    const uint8_t *nul = memchr(start, 0, (size_t)(end - start));
    const uint8_t *stop = nul ? nul : end;
    *len = (size_t)(stop - start);
    *p = nul ? nul + 1 : end;
    return start;
}

/* Parses a part as h2g_read_json_file does; *j stays `keep` for an empty
 * part and NULL for "-". Returns 1 when the part is not JSON. */
static int parse(const uint8_t *text, size_t len, cJSON *keep, cJSON **j, bool *own) {
    *own = false;
    *j = keep;
    if (len == 0) return 0;
    *j = NULL;
    if (len == 1 && text[0] == '-') return 0;
    *j = cJSON_ParseWithLengthOpts((const char *)text, len, NULL, false);
    *own = true;
    return *j == NULL;
}

/* Defaults for this harness: a smaller quarantine than ASan's 256 MB, which
 * nearly halves the time of a run here and still catches recent frees; and
 * NULL from an impossible allocation, which the library reports as "out of
 * memory" (layer and expert counts are now checked against the checkout
 * before anything is allocated for them; this stays as a safety net). */
const char *__asan_default_options(void);
const char *__asan_default_options(void) {
    return "quarantine_size_mb=16:allocator_may_return_null=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const uint8_t *p = data, *end = data + size;
    size_t lc, lt, ltc, ls;
    const uint8_t *c = next_part(&p, end, &lc);
    const uint8_t *t = next_part(&p, end, &lt);
    const uint8_t *tc = next_part(&p, end, &ltc);
    const uint8_t *sel = next_part(&p, end, &ls);
    unsigned s = ls ? sel[0] : 0;

    h2g_checkout *fixture = checkout(s & 64    ? N_CLASSIC + (s & 1)
                                     : s & 128 ? N_CLASSIC + 2 + (s & 1)
                                               : s % N_CLASSIC);
    cJSON *config, *tok, *tokc;
    bool own_c, own_t, own_tc;
    int bad = parse(c, lc, fixture->config, &config, &own_c);
    bad |= parse(t, lt, fixture->tokenizer, &tok, &own_t);
    bad |= parse(tc, ltc, fixture->tokenizer_config, &tokc, &own_tc);
    /* The checkout refuses these before planning. */
    if (bad || !cJSON_IsObject(config)) goto out;

    /* A shallow copy: the fixture itself is never changed. */
    h2g_checkout co_copy = *fixture;
    h2g_checkout *co = &co_copy;
    co->config = config;
    co->tokenizer = tok;
    co->tokenizer_config = tokc;
    if (s & 32) {
        co->n_tensors = 0;
        co->n_shards = 0;
        co->data_bytes = 0;
    }

    h2g_convert_options o;
    h2g_convert_options_init(&o);
    o.vocab_only = !(s & 8);
    o.want_mmproj = (s & 16) != 0;
    h2g_plan plans[H2G_MAX_OUTPUTS];
    size_t n = 0;
    h2g_error err = {0};
    if (h2g_convert_plan(co, &o, plans, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++) h2g_plan_free(&plans[i]);
    } else if (err.msg[0] == '\0') {
        __builtin_trap(); /* a failure must say what was wrong */
    }
out:
    if (own_c) cJSON_Delete(config);
    if (own_t) cJSON_Delete(tok);
    if (own_tc) cJSON_Delete(tokc);
    return 0;
}
