/* test_tiktoken.c - the Kimi-K2 vocabulary (src/vocab/tiktoken.c): the
 * strict reader of tiktoken.model, the merge rebuild on hand-made ranks
 * (lowest pair first, leftmost on ties, only ranks below the token's, two
 * parts or nothing), GPT-2's byte table, and the whole tokenizer key set of
 * the kimi-k2 fixtures against the reference's manifests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha256.h"
#include "base/util.h"
#include "hf2gguf/checkout.h"
#include "hf2gguf/vocab.h"
#include "vocab/tiktoken.h"

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

/* Parses text; asserts success. */
static void parse_ok(const char *text, h2g_tiktoken *tk) {
    h2g_error err;
    if (h2g_tiktoken_parse(text, strlen(text), "tiktoken.model", tk, &err) != 0)
        fail_msg("unexpected error: %s", err.msg);
}

/* Parses text; asserts failure with a message containing fragment. */
static void parse_fails(const char *text, const char *fragment) {
    h2g_tiktoken tk;
    h2g_error err;
    assert_int_equal(h2g_tiktoken_parse(text, strlen(text), "tiktoken.model", &tk, &err), -1);
    if (!strstr(err.msg, fragment)) fail_msg("message '%s' lacks '%s'", err.msg, fragment);
    assert_null(tk.bytes);
}

/* base64 of a short string (test inputs only). */
static char *b64(const char *s) {
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t n = strlen(s);
    char *out = malloc(n / 3 * 4 + 5), *o = out;
    const uint8_t *b = (const uint8_t *)s;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
                     (i + 2 < n ? b[i + 2] : 0);
        *o++ = abc[v >> 18 & 63];
        *o++ = abc[v >> 12 & 63];
        *o++ = i + 1 < n ? abc[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? abc[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* A tiktoken.model text of the given tokens, ranked in list order. */
static char *model_text(const char *const *tokens) {
    char *text = h2g_strdup("");
    for (int i = 0; tokens[i]; i++) {
        char *enc = b64(tokens[i]);
        char *next = h2g_strfmt("%s%s %d\n", text, enc, i);
        free(enc);
        free(text);
        text = next;
    }
    return text;
}

/* The merge rebuilt for each token, as "left right" or "" (none). */
static void check_merges(const char *const *tokens, const char *const *want) {
    char *text = model_text(tokens);
    h2g_tiktoken tk;
    parse_ok(text, &tk);
    uint32_t split[64];
    h2g_error err;
    assert_int_equal(h2g_tiktoken_merge_splits(&tk, split, &err), 0);
    for (size_t i = 0; i < tk.n; i++) {
        char got[64] = "";
        if (split[i])
            snprintf(got, sizeof got, "%.*s %.*s", (int)split[i], tokens[i],
                     (int)(strlen(tokens[i]) - split[i]), tokens[i] + split[i]);
        if (strcmp(got, want[i]))
            fail_msg("token '%s': merge '%s', expected '%s'", tokens[i], got, want[i]);
    }
    h2g_tiktoken_free(&tk);
    free(text);
}

/* ---------------------------------------------------------------------------
 * Reading tiktoken.model
 * ------------------------------------------------------------------------- */

/* Lines in file order, CRLF and empty lines allowed, ranks in any order. */
static void test_parse(void **state) {
    (void)state;
    h2g_tiktoken tk;
    parse_ok("IQ== 1\r\n\nIg== 0\nISIj 2\n", &tk); /* "!" 1, "\"" 0, "!\"#" 2 */
    assert_int_equal(tk.n, 3);
    assert_int_equal(tk.rank[0], 1);
    assert_int_equal(tk.rank[1], 0);
    assert_int_equal(tk.by_rank[0], 1);
    assert_int_equal(tk.start[3] - tk.start[2], 3);
    assert_memory_equal(tk.bytes + tk.start[2], "!\"#", 3);
    h2g_tiktoken_free(&tk);
    parse_ok("IQ== 0", &tk); /* no final newline */
    assert_int_equal(tk.n, 1);
    h2g_tiktoken_free(&tk);
}

/* Every malformed line is refused with its line number. */
static void test_parse_errors(void **state) {
    (void)state;
    parse_fails("", "no tokens");
    parse_fails("IQ== 0\nI*== 1\n", "line 2: the token 'I*==' is not canonical standard base64");
    parse_fails("IQ== 0\nIQ 1\n", "line 2: the token 'IQ' is not canonical");   /* no padding */
    parse_fails("IQ== 0\nIR== 1\n", "line 2: the token 'IR==' is not canonical"); /* stray bits */
    parse_fails("IQ== 0\nI=Q= 1\n", "line 2: the token 'I=Q=' is not canonical"); /* '=' inside */
    parse_fails("IQ== 0\nIg==\n", "line 2: expected '<base64 token> <rank>'");
    parse_fails("IQ== 0\n 1\n", "line 2: expected '<base64 token> <rank>'");
    parse_fails("IQ== 0\nIg== 1 2\n", "line 2: the rank must be a whole number");
    parse_fails("IQ== 0\nIg== -1\n", "line 2: the rank must be a whole number");
    parse_fails("IQ== 0\nIg== 99999999999\n", "line 2: the rank must be a whole number");
    parse_fails("IQ== 0\nIg== 0\n", "line 2: rank 0 is given twice (also on line 1)");
    parse_fails("IQ== 0\n\nIg== 2\n", "line 3: rank 2 leaves a gap: 2 tokens must have the "
                                      "ranks 0 to 1");
    parse_fails("IQ== 0\nIQ== 1\n", "line 2: the same token as line 1");
}

/* ---------------------------------------------------------------------------
 * Merges
 * ------------------------------------------------------------------------- */

/* The fixture's cases: QJK rebuilds as "Q JK" because JK ranks below QJ;
 * %$# has no pair below it, so three parts stay and nothing is written. */
static void test_merge_rules(void **state) {
    (void)state;
    const char *const tokens[] = {"Q", "J", "K", "%", "$", "#", "JK", "QJ", "QJK", "%$#", NULL};
    const char *const want[] = {"", "", "", "", "", "", "J K", "Q J", "Q JK", ""};
    check_merges(tokens, want);
}

/* Ties go to the leftmost pair; only ranks below the token's own count
 * (the "ab" ranked after "abc" cannot build it). */
static void test_merge_ties_and_limits(void **state) {
    (void)state;
    const char *const tokens[] = {"a", "b", "c", "aa", "aaa", "bc", "abc", "ab", "aaaa", NULL};
    /* aaa: pairs (a,a) (a,a) tie, the left one merges: "aa a". abc: "bc" is
     * below it, "ab" is not: "a bc". aaaa: aa+aa beats aaa (rank 4 > 3). */
    const char *const want[] = {"", "", "", "a a", "aa a", "b c", "a bc", "a b", "aa aa"};
    check_merges(tokens, want);
}

/* A token whose parts need a merge ranked above it stays unreachable. */
static void test_merge_unreachable(void **state) {
    (void)state;
    const char *const tokens[] = {"x", "y", "z", "xyz", "xy", NULL};
    const char *const want[] = {"", "", "", "", "x y"};
    check_merges(tokens, want);
}

/* GPT-2's table: printable bytes unchanged, the rest from U+0100 on. */
static void test_bytes_to_unicode(void **state) {
    (void)state;
    char out[32];
    const uint8_t in[] = {' ', '\n', 0xe4, '!', 0x00, 0xad, 0xff};
    assert_int_equal(h2g_bytes_to_unicode(in, sizeof in, out), 13);
    assert_string_equal(out, "\xc4\xa0"      /* space -> U+0120 */
                             "\xc4\x8a"      /* \n -> U+010A */
                             "\xc3\xa4"      /* 0xE4 -> U+00E4 */
                             "!"
                             "\xc4\x80"      /* 0x00 -> U+0100 */
                             "\xc5\x83"      /* 0xAD -> U+0143, the last one */
                             "\xc3\xbf");    /* 0xFF -> U+00FF */
}

/* ---------------------------------------------------------------------------
 * The fixtures
 * ------------------------------------------------------------------------- */

/* sha256 of a string/INT32 array as gguf_manifest.py writes it (JSON with
 * ensure_ascii off, ", " separators are not used: "," only). */
static void array_digest(const h2g_kv *kv, char hex[65]) {
    h2g_sha256 h;
    uint8_t d[32];
    h2g_sha256_init(&h);
    h2g_sha256_update(&h, "[", 1);
    for (uint64_t i = 0; i < kv->n; i++) {
        if (i) h2g_sha256_update(&h, ",", 1);
        if (kv->arr_type == H2G_VT_INT32) {
            char num[16];
            int32_t v;
            memcpy(&v, (const char *)kv->arr + 4 * i, 4);
            snprintf(num, sizeof num, "%d", v);
            h2g_sha256_update(&h, num, strlen(num));
            continue;
        }
        h2g_sha256_update(&h, "\"", 1);
        for (uint64_t k = 0; k < kv->strs[i].len; k++) {
            unsigned char c = (unsigned char)kv->strs[i].data[k];
            char esc[8];
            if (c == '"' || c == '\\') {
                esc[0] = '\\', esc[1] = (char)c;
                h2g_sha256_update(&h, esc, 2);
            } else if (c < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                h2g_sha256_update(&h, esc, 6);
            } else {
                h2g_sha256_update(&h, &kv->strs[i].data[k], 1);
            }
        }
        h2g_sha256_update(&h, "\"", 1);
    }
    h2g_sha256_update(&h, "]", 1);
    h2g_sha256_final(&h, d);
    h2g_sha256_hex(d, hex);
}

/* The tokenizer keys of a kimi fixture: the manifest's order, values and
 * array digests. */
static void check_fixture(const char *fixture) {
    char *dir = h2g_path_join(TEST_DATA_DIR, fixture);
    char *rel = h2g_strfmt("%s/expected/%s-f16.manifest.json", dir, fixture);
    h2g_checkout co;
    h2g_error err;
    cJSON *m = NULL;
    if (h2g_checkout_open(&co, dir, &err) != 0 ||
        h2g_read_json_file(rel, rel, false, &m, &err) != 0)
        fail_msg("%s", err.msg);
    h2g_kv_list kv = {0};
    if (h2g_vocab_add_kv(&kv, &co, 706, NULL, &err) != 0) fail_msg("%s: %s", fixture, err.msg);
    const cJSON *kvs = cJSON_GetObjectItem(m, "kv");
    size_t i = 0;
    for (const cJSON *k = cJSON_GetObjectItem(m, "kv_order")->child; k; k = k->next) {
        if (!h2g_str_starts_with(k->valuestring, "tokenizer.")) continue;
        assert_true(i < kv.n);
        assert_string_equal(kv.items[i].key.data, k->valuestring);
        const cJSON *want = cJSON_GetObjectItem(kvs, k->valuestring);
        const cJSON *sha = cJSON_GetObjectItem(want, "sha256");
        const cJSON *value = cJSON_GetObjectItem(want, "value");
        const h2g_kv *got = &kv.items[i++];
        if (sha) {
            char hex[65];
            assert_int_equal(got->n, cJSON_GetObjectItem(want, "len")->valuedouble);
            array_digest(got, hex);
            if (strcmp(hex, sha->valuestring)) fail_msg("%s %s differs", fixture, got->key.data);
        } else if (cJSON_IsString(value)) {
            assert_string_equal(got->str.data, value->valuestring);
        } else {
            assert_int_equal(got->num.u64, (uint64_t)value->valuedouble);
        }
    }
    assert_int_equal(i, kv.n);
    /* A few values spelled out, so a failure says more than "differs". */
    const h2g_kv *tokens = h2g_kv_get(&kv, "tokenizer.ggml.tokens");
    assert_string_equal(tokens->strs[452].data, "<|im_end|>");
    assert_string_equal(tokens->strs[455].data, "<|reserved_token_455|>");
    assert_string_equal(tokens->strs[461].data, "<|tool_calls_section_begin|>");
    const h2g_kv *merges = h2g_kv_get(&kv, "tokenizer.ggml.merges");
    assert_int_equal(merges->n, 193);
    assert_string_equal(merges->strs[merges->n - 1].data, "Q JK");
    h2g_kv_list_free(&kv);
    cJSON_Delete(m);
    h2g_checkout_close(&co);
    free(rel);
    free(dir);
}

static void test_fixtures(void **state) {
    (void)state;
    check_fixture("kimi-k2-tiny");
    check_fixture("kimi-k2-int4-tiny"); /* chat_template.jinja, kept with its newline */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_merge_rules),
        cmocka_unit_test(test_merge_ties_and_limits),
        cmocka_unit_test(test_merge_unreachable),
        cmocka_unit_test(test_bytes_to_unicode),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
