/* test_vocab.c - the tokenizer.* keys against the reference converter's
 * manifests for all five fixtures (values, types and key order; the token,
 * type and merge arrays by the manifest's sha256), then pre-tokenizer
 * recognition (every digest of the table recomputed from the fixtures'
 * regexes) and the rules of conversion-reference.md section 6 on small
 * hand-made tokenizers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/vocab.h"
#include "base/sha256.h"
#include "base/util.h"

static const char *const fixtures[] = {
    "deepseek-v2-lite-tiny", "deepseek-v3-tiny", "deepseek-v3-fp8-tiny",
    "deepseek-ocr-tiny",     "deepseek-ocr2-tiny", NULL,
};

/* ---------------------------------------------------------------------------
 * Manifest helpers (gguf_manifest.py's conventions)
 * ------------------------------------------------------------------------- */

/* Parses a JSON file under TEST_DATA_DIR (fails the test when absent). */
static cJSON *load_json(const char *rel) {
    char *path = h2g_path_join(TEST_DATA_DIR, rel);
    cJSON *doc = NULL;
    h2g_error err;
    if (h2g_read_json_file(path, rel, false, &doc, &err) != 0) fail_msg("%s", err.msg);
    free(path);
    return doc;
}

/* The f16 manifest of a fixture's text model. */
static cJSON *load_manifest(const char *fixture) {
    char *rel = h2g_strfmt("%s/expected/%s-f16.manifest.json", fixture, fixture);
    cJSON *m = load_json(rel);
    free(rel);
    return m;
}

/* Appends s as a JSON string the way Python's json.dumps(ensure_ascii=False)
 * writes it: only '"', '\\' and control characters are escaped. */
static void json_string(h2g_sha256 *h, const char *s, size_t len) {
    h2g_sha256_update(h, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        const char *short_esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n"
                                : c == '\r' ? "\\r" : c == '\t' ? "\\t" : c == '\b' ? "\\b"
                                : c == '\f' ? "\\f" : NULL;
        if (short_esc) {
            h2g_sha256_update(h, short_esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            h2g_sha256_update(h, esc, 6);
        } else {
            h2g_sha256_update(h, &s[i], 1);
        }
    }
    h2g_sha256_update(h, "\"", 1);
}

/* sha256 of the canonical JSON of an array KV (gguf_manifest.py's digest
 * for arrays of more than 16 items). STRING and INT32 elements. */
static void array_digest(const h2g_kv *kv, char hex[65]) {
    h2g_sha256 h;
    uint8_t d[32];
    h2g_sha256_init(&h);
    h2g_sha256_update(&h, "[", 1);
    for (uint64_t i = 0; i < kv->n; i++) {
        if (i) h2g_sha256_update(&h, ",", 1);
        if (kv->arr_type == H2G_VT_STRING) {
            json_string(&h, kv->strs[i].data, (size_t)kv->strs[i].len);
        } else {
            assert_int_equal(kv->arr_type, H2G_VT_INT32);
            char num[16];
            int32_t v;
            memcpy(&v, (const char *)kv->arr + 4 * i, 4);
            snprintf(num, sizeof num, "%d", v);
            h2g_sha256_update(&h, num, strlen(num));
        }
    }
    h2g_sha256_update(&h, "]", 1);
    h2g_sha256_final(&h, d);
    h2g_sha256_hex(d, hex);
}

/* Asserts that kv equals the manifest entry {"type", "value"|"len"+"sha256"}. */
static void check_kv(const char *fixture, const h2g_kv *kv, const cJSON *entry) {
    const char *type = cJSON_GetObjectItem(entry, "type")->valuestring;
    const cJSON *value = cJSON_GetObjectItem(entry, "value");
    const char *key = kv->key.data;
    if (!strncmp(type, "ARRAY[", 6)) {
        if (kv->type != H2G_VT_ARRAY || strncmp(type + 6, h2g_value_type_name(kv->arr_type),
                                                strlen(type) - 7))
            fail_msg("%s %s: type %s, expected %s", fixture, key, h2g_value_type_name(kv->type), type);
        if (!value) {
            char hex[65];
            assert_int_equal(kv->n, cJSON_GetObjectItem(entry, "len")->valuedouble);
            array_digest(kv, hex);
            if (strcmp(hex, cJSON_GetObjectItem(entry, "sha256")->valuestring))
                fail_msg("%s %s: array contents differ from the reference", fixture, key);
            return;
        }
        assert_int_equal(kv->n, cJSON_GetArraySize(value));
        for (uint64_t i = 0; i < kv->n; i++) {
            const cJSON *want = cJSON_GetArrayItem(value, (int)i);
            if (kv->arr_type == H2G_VT_STRING) assert_string_equal(kv->strs[i].data, want->valuestring);
            else fail_msg("%s %s: inline non-string array not expected", fixture, key);
        }
        return;
    }
    if (strcmp(type, h2g_value_type_name(kv->type)))
        fail_msg("%s %s: type %s, expected %s", fixture, key, h2g_value_type_name(kv->type), type);
    switch (kv->type) {
    case H2G_VT_STRING: assert_string_equal(kv->str.data, value->valuestring); break;
    case H2G_VT_UINT32: assert_int_equal(kv->num.u64, (uint64_t)value->valuedouble); break;
    case H2G_VT_INT32: assert_int_equal(kv->num.i64, (int64_t)value->valuedouble); break;
    case H2G_VT_BOOL: assert_int_equal(kv->num.b, cJSON_IsTrue(value)); break;
    case H2G_VT_FLOAT32: assert_true(kv->num.f32 == (float)value->valuedouble); break;
    default: fail_msg("%s %s: unexpected type %s", fixture, key, type);
    }
}

/* ---------------------------------------------------------------------------
 * The five fixtures
 * ------------------------------------------------------------------------- */

/* Opens a fixture's checkout. */
static void open_fixture(h2g_checkout *co, const char *fixture) {
    char *dir = h2g_path_join(TEST_DATA_DIR, fixture);
    h2g_error err;
    if (h2g_checkout_open(co, dir, &err) != 0) fail_msg("open %s: %s", dir, err.msg);
    free(dir);
}

/* config.json's vocab_size (0 when absent). */
static uint32_t config_vocab_size(const h2g_checkout *co) {
    const cJSON *v = cJSON_GetObjectItem(co->config, "vocab_size");
    return cJSON_IsNumber(v) ? (uint32_t)v->valuedouble : 0;
}

/* The tokenizer keys of one fixture: same keys, same order, same values. */
static void check_fixture(const char *fixture) {
    h2g_checkout co;
    open_fixture(&co, fixture);
    cJSON *m = load_manifest(fixture);
    const cJSON *order = cJSON_GetObjectItem(m, "kv_order"), *kvs = cJSON_GetObjectItem(m, "kv");
    h2g_kv_list kv = {0};
    h2g_error err;
    /* The OCR module places its default template before the tokenizer keys
     * (conversion-reference 4.2); do the same so the order compares. */
    const cJSON *first_tok = NULL;
    for (const cJSON *k = order->child; k && !first_tok; k = k->next)
        if (h2g_str_starts_with(k->valuestring, "tokenizer.")) first_tok = k;
    if (!strcmp(first_tok->valuestring, "tokenizer.chat_template")) {
        const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(kvs, "tokenizer.chat_template"),
                                             "value");
        assert_int_equal(h2g_kv_set_str(&kv, "tokenizer.chat_template", v->valuestring, &err), 0);
    }
    if (h2g_vocab_add_kv(&kv, &co, config_vocab_size(&co), NULL, &err) != 0)
        fail_msg("%s: %s", fixture, err.msg);
    size_t i = 0;
    for (const cJSON *k = order->child; k; k = k->next) {
        if (!h2g_str_starts_with(k->valuestring, "tokenizer.")) continue;
        if (i >= kv.n) fail_msg("%s: missing %s", fixture, k->valuestring);
        if (strcmp(kv.items[i].key.data, k->valuestring))
            fail_msg("%s: key %zu is %s, expected %s", fixture, i, kv.items[i].key.data,
                     k->valuestring);
        check_kv(fixture, &kv.items[i], cJSON_GetObjectItem(kvs, k->valuestring));
        i++;
    }
    if (i != kv.n) fail_msg("%s: extra key %s", fixture, kv.items[i].key.data);
    h2g_kv_list_free(&kv);
    cJSON_Delete(m);
    h2g_checkout_close(&co);
}

/* All five fixtures' tokenizer keys equal the reference's. */
static void test_fixtures_match_reference(void **state) {
    (void)state;
    for (int i = 0; fixtures[i]; i++) check_fixture(fixtures[i]);
}

/* Every fixture's pre-tokenizer is recognised with the reference's name. */
static void test_fixture_pretokenizers(void **state) {
    (void)state;
    static const char *const want[] = {"deepseek-llm", "deepseek-v3", "deepseek-v3", "deepseek-v3",
                                       "deepseek-v3"};
    for (int i = 0; fixtures[i]; i++) {
        char *rel = h2g_strfmt("%s/tokenizer.json", fixtures[i]);
        cJSON *tok = load_json(rel);
        const char *name = NULL;
        h2g_error err;
        assert_int_equal(h2g_vocab_detect_pre(tok, &name, &err), 0);
        assert_string_equal(name, want[i]);
        cJSON_Delete(tok);
        free(rel);
    }
}

/* ---------------------------------------------------------------------------
 * Pre-tokenizer digests
 * ------------------------------------------------------------------------- */

/* The Split regex objects of a tokenizer.json, in order. */
static size_t split_patterns(cJSON *tok, cJSON **out, size_t max) {
    cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(tok, "pre_tokenizer"), "pretokenizers");
    size_t n = 0;
    cJSON *e;
    cJSON_ArrayForEach(e, list) {
        if (n < max && !strcmp(cJSON_GetObjectItem(e, "type")->valuestring, "Split"))
            out[n++] = cJSON_GetObjectItem(cJSON_GetObjectItem(e, "pattern"), "Regex");
    }
    return n;
}

/* Replaces the string value of item with s. */
static void set_regex(cJSON *item, const char *s) {
    assert_non_null(cJSON_SetValuestring(item, s));
}

/* s with raw CR/LF written as the escapes \r \n (malloc'ed). */
static char *escape_crlf(const char *s) {
    char *out = calloc(2 * strlen(s) + 1, 1), *o = out;
    for (; *s; s++) {
        if (*s == '\r' || *s == '\n') {
            *o++ = '\\';
            *o++ = *s == '\r' ? 'r' : 'n';
        } else {
            *o++ = *s;
        }
    }
    return out;
}

/* Rewrites every Split regex with escaped CR/LF. */
static void escape_all(cJSON *tok) {
    cJSON *re[8];
    size_t n = split_patterns(tok, re, 8);
    for (size_t i = 0; i < n; i++) {
        char *e = escape_crlf(re[i]->valuestring);
        set_regex(re[i], e);
        free(e);
    }
}

/* Asserts the raw digest of tok's regexes and the name detection gives. */
static void expect_digest(const cJSON *tok, const char *hex_want, const char *name_want) {
    char hex[65];
    const char *name = NULL;
    h2g_error err;
    h2g_vocab_pre_digest(tok, false, hex, NULL, NULL);
    assert_string_equal(hex, hex_want);
    if (h2g_vocab_detect_pre(tok, &name, &err) != 0) fail_msg("%s", err.msg);
    assert_string_equal(name, name_want);
}

/* deepseek-v3: the raw spelling (fixtures), the escaped one, and the
 * escaped digest from raw input. Both table rows recomputed here. */
static void test_digest_deepseek_v3(void **state) {
    (void)state;
    cJSON *tok = load_json("deepseek-v3-tiny/tokenizer.json");
    char hex[65];
    size_t n;
    const char *first;
    h2g_vocab_pre_digest(tok, true, hex, &n, &first);
    assert_string_equal(hex, "5928810eba7f1675589c17cc343fdb773b5bf8b5e7d876d28f9bf9ff7202d87c");
    assert_int_equal(n, 3);
    assert_string_equal(first, "\\p{N}{1,3}");
    expect_digest(tok, "3e41884740914736a01647a8d1d6426e0e5aed47b7fdb19dfb81d31e3653a502",
                  "deepseek-v3");
    escape_all(tok);
    expect_digest(tok, "5928810eba7f1675589c17cc343fdb773b5bf8b5e7d876d28f9bf9ff7202d87c",
                  "deepseek-v3");
    cJSON_Delete(tok);
}

/* Only one regex spelled with escapes: the second (escaped) lookup finds it. */
static void test_digest_mixed_spelling(void **state) {
    (void)state;
    cJSON *tok = load_json("deepseek-v3-tiny/tokenizer.json");
    cJSON *re[4];
    assert_int_equal(split_patterns(tok, re, 4), 3);
    char *e = escape_crlf(re[2]->valuestring);
    /* keep one raw \n at the end of the third regex's "[\r\n]*" part */
    set_regex(re[2], e);
    free(e);
    const char *name = NULL;
    h2g_error err;
    assert_int_equal(h2g_vocab_detect_pre(tok, &name, &err), 0);
    assert_string_equal(name, "deepseek-v3");
    cJSON_Delete(tok);
}

/* The six NFC-changed characters of the deepseek-llm letter class, each
 * with a neighbour that makes it unique: NFC spelling -> llama.cpp's. */
static const char *const nfc_undo[][2] = {
    {"\xe1\xbd\x9f-\xcf\x8e", "\xe1\xbd\x9f-\xe1\xbd\xbd"}, /* U+03CE -> U+1F7D */
    {"\xe1\xbe\xbc\xce\xb9", "\xe1\xbe\xbc\xe1\xbe\xbe"},   /* U+03B9 -> U+1FBE */
    {"\xe1\xbf\x90-\xce\x90", "\xe1\xbf\x90-\xe1\xbf\x93"}, /* U+0390 -> U+1FD3 */
    {"\xe1\xbf\x96-\xce\x8a", "\xe1\xbf\x96-\xe1\xbf\x9b"}, /* U+038A -> U+1FDB */
    {"\xe2\x84\xa4\xce\xa9", "\xe2\x84\xa4\xe2\x84\xa6"},   /* U+03A9 -> U+2126 */
    {"\xe2\x84\xa8K", "\xe2\x84\xa8\xe2\x84\xaa"},           /* U+004B -> U+212A */
};

/* s with the one occurrence of from replaced by to (malloc'ed). */
static char *replace_once(const char *s, const char *from, const char *to) {
    const char *at = strstr(s, from);
    assert_non_null(at);
    assert_null(strstr(at + 1, from));
    return h2g_strfmt("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

/* deepseek-llm: NFC (the fixture), NFC escaped, and llama.cpp's spelling
 * (raw and escaped) rebuilt by undoing the normalization. */
static void test_digest_deepseek_llm(void **state) {
    (void)state;
    cJSON *tok = load_json("deepseek-v2-lite-tiny/tokenizer.json");
    expect_digest(tok, "ebdf00d5a27bb55062c178b5bc7969be03691e029512f84b1591141100537696",
                  "deepseek-llm");
    cJSON *re[8];
    assert_int_equal(split_patterns(tok, re, 8), 5);
    char *letters = h2g_strdup(re[1]->valuestring);
    for (size_t i = 0; i < sizeof nfc_undo / sizeof nfc_undo[0]; i++) {
        char *next = replace_once(letters, nfc_undo[i][0], nfc_undo[i][1]);
        free(letters);
        letters = next;
    }
    set_regex(re[1], letters);
    free(letters);
    expect_digest(tok, "03df5c5863ad70781dcfdef491ead25140f895fe8010964be0daefe27be32b02",
                  "deepseek-llm");
    escape_all(tok);
    expect_digest(tok, "07f51333f2ebcb612e9b4bf9f0417698a11f295341cdbb26cfaf2cb1fef71f1c",
                  "deepseek-llm");
    cJSON_Delete(tok);
    tok = load_json("deepseek-v2-lite-tiny/tokenizer.json");
    escape_all(tok);
    expect_digest(tok, "94446277ab1e08f09614ed3b563f21a0e0f28dc342b5d6217c9564082eb95880",
                  "deepseek-llm");
    cJSON_Delete(tok);
}

/* deepseek-coder: [\r\n], \s?\p{L}+, \s?\p{P}+ and the CJK class (the
 * deepseek-llm fixture's first and last regexes). */
static void test_digest_deepseek_coder(void **state) {
    (void)state;
    cJSON *tok = load_json("deepseek-v2-lite-tiny/tokenizer.json");
    cJSON *list = cJSON_GetObjectItem(cJSON_GetObjectItem(tok, "pre_tokenizer"), "pretokenizers");
    cJSON_DeleteItemFromArray(list, 3); /* \s+$ */
    cJSON *re[8];
    assert_int_equal(split_patterns(tok, re, 8), 4);
    set_regex(re[1], "\\s?\\p{L}+");
    set_regex(re[2], "\\s?\\p{P}+");
    expect_digest(tok, "21cde974d587f0d54dc8d56b183cc1e6239600172035c68fbd6d4b9f8da0576e",
                  "deepseek-coder");
    escape_all(tok);
    expect_digest(tok, "161fc3536ad52acaac5e8bffbeb47f089ea1d02e158226d1109a19e7191b8aab",
                  "deepseek-coder");
    cJSON_Delete(tok);
}

/* A V3 chain respelled in a way no table lists is still deepseek-v3 by
 * its shape; another chain is refused with a message naming the flag. */
static void test_structural_fallback_and_unknown(void **state) {
    (void)state;
    cJSON *tok = load_json("deepseek-v3-tiny/tokenizer.json");
    cJSON *re[4];
    split_patterns(tok, re, 4);
    set_regex(re[2], "\\s+(?!\\S)|\\s+|\\p{L}+"); /* respelled main pattern */
    const char *name = NULL;
    h2g_error err;
    assert_int_equal(h2g_vocab_detect_pre(tok, &name, &err), 0);
    assert_string_equal(name, "deepseek-v3");
    set_regex(re[0], "\\p{N}+"); /* no longer V3's shape */
    assert_int_equal(h2g_vocab_detect_pre(tok, &name, &err), -1);
    assert_non_null(strstr(err.msg, "tokenizer.json: pre-tokenizer not recognised (3 Split regexes"));
    assert_non_null(strstr(err.msg, "--tokenizer-pre NAME"));
    assert_non_null(strstr(err.msg, "deepseek-llm, deepseek-coder, deepseek-v3"));
    cJSON_Delete(tok);
    cJSON *none = cJSON_Parse("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}}");
    assert_int_equal(h2g_vocab_detect_pre(none, &name, &err), -1);
    assert_non_null(strstr(err.msg, "(0 Split regexes, sha256 e3b0c44298fc1c14"));
    cJSON_Delete(none);
}

/* The known names include all the brief lists, and only those. */
static void test_known_pretokenizers(void **state) {
    (void)state;
    static const char *const want[] = {"deepseek-llm", "deepseek-coder", "deepseek-v3", "kimi-k2",
                                       "llama-bpe", "qwen2", "default", "joyai-llm"};
    size_t n = 0;
    while (h2g_known_pretokenizers[n]) n++;
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) assert_true(h2g_vocab_pre_is_known(want[i]));
    assert_false(h2g_vocab_pre_is_known("gpt-2"));
}

/* ---------------------------------------------------------------------------
 * Hand-made tokenizers
 * ------------------------------------------------------------------------- */

/* A V3-style tokenizer.json around the given vocab, added tokens, merges
 * and post_processor (JSON fragments). */
static cJSON *make_tokenizer(const char *vocab, const char *added, const char *merges,
                             const char *post) {
    char *text = h2g_strfmt(
        "{\"added_tokens\": %s, \"post_processor\": %s,"
        " \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": ["
        "  {\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\p{N}{1,3}\"}},"
        "  {\"type\": \"Split\", \"pattern\": {\"Regex\": \"x\"}},"
        "  {\"type\": \"Split\", \"pattern\": {\"Regex\": \"y\"}},"
        "  {\"type\": \"ByteLevel\"}]},"
        " \"model\": {\"type\": \"BPE\", \"vocab\": %s, \"merges\": %s}}",
        added, post, vocab, merges);
    cJSON *tok = cJSON_Parse(text);
    if (!tok) fail_msg("bad test JSON: %s", text);
    free(text);
    return tok;
}

/* A BOS-prefixing TemplateProcessing like the fixtures'. */
#define BOS_TEMPLATE                                                                              \
    "{\"type\": \"TemplateProcessing\", \"single\": [{\"SpecialToken\": {\"id\": \"<s>\"}}, "     \
    "{\"Sequence\": {\"id\": \"A\"}}], \"pair\": [{\"SpecialToken\": {\"id\": \"<s>\"}}, "        \
    "{\"Sequence\": {\"id\": \"A\"}}, {\"SpecialToken\": {\"id\": \"<s>\"}}, "                    \
    "{\"Sequence\": {\"id\": \"B\"}}]}"

#define SMALL_VOCAB "{\"a\": 0, \"b\": 1, \"ab\": 2}"
#define SMALL_ADDED                                                                               \
    "[{\"id\": 3, \"content\": \"<s>\", \"special\": true},"                                      \
    " {\"id\": 4, \"content\": \"</s>\", \"special\": true}]"

typedef struct fake {
    h2g_checkout co;
    h2g_kv_list kv;
    h2g_error err;
    h2g_warnings warnings; /* co.warnings points here */
} fake;

/* A checkout of parsed JSON texts (NULL: file absent). */
static void fake_init(fake *f, cJSON *tok, const char *config, const char *tc) {
    memset(f, 0, sizeof *f);
    f->co.warnings = &f->warnings;
    f->co.tokenizer = tok;
    f->co.config = cJSON_Parse(config ? config : "{}");
    f->co.tokenizer_config = tc ? cJSON_Parse(tc) : NULL;
    assert_non_null(f->co.config);
    if (tc) assert_non_null(f->co.tokenizer_config);
}

/* Frees what fake_init made. */
static void fake_free(fake *f) {
    cJSON_Delete(f->co.tokenizer);
    cJSON_Delete(f->co.config);
    cJSON_Delete(f->co.tokenizer_config);
    free(f->co.chat_template_jinja);
    free(f->co.dir);
    h2g_kv_list_free(&f->kv);
    h2g_warnings_clear(&f->warnings);
}

/* Runs h2g_vocab_add_kv and expects success. */
static void run_ok(fake *f, uint32_t vocab_size) {
    if (h2g_vocab_add_kv(&f->kv, &f->co, vocab_size, NULL, &f->err) != 0)
        fail_msg("h2g_vocab_add_kv: %s", f->err.msg);
}

/* Runs h2g_vocab_add_kv, expects failure with msg containing `part`. */
static void run_fails(fake *f, uint32_t vocab_size, const char *part) {
    assert_int_equal(h2g_vocab_add_kv(&f->kv, &f->co, vocab_size, NULL, &f->err), -1);
    if (!strstr(f->err.msg, part)) fail_msg("message '%s' lacks '%s'", f->err.msg, part);
}

/* The key order of the list, space-separated without "tokenizer.ggml.". */
static char *key_order(const h2g_kv_list *kv) {
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < kv->n; i++) {
        const char *k = kv->items[i].key.data;
        if (h2g_str_starts_with(k, "tokenizer.ggml.")) k += strlen("tokenizer.ggml.");
        if (i) strcat(out, " ");
        strcat(out, k);
    }
    return out;
}

/* Asserts the key order (see key_order). */
static void expect_order(const h2g_kv_list *kv, const char *want) {
    char *got = key_order(kv);
    if (strcmp(got, want)) fail_msg("key order:\n  got  %s\n  want %s", got, want);
    free(got);
}

/* A u32 key's value. */
static uint32_t u32_of(const h2g_kv_list *kv, const char *key) {
    uint32_t v;
    if (!h2g_kv_get_u32(kv, key, &v)) fail_msg("%s missing", key);
    return v;
}

/* A bool key's value. */
static bool bool_of(const h2g_kv_list *kv, const char *key) {
    const h2g_kv *e = h2g_kv_get(kv, key);
    if (!e || e->type != H2G_VT_BOOL) fail_msg("%s missing", key);
    return e->num.b;
}

/* Missing ids become [PAD<i>] (UNUSED); added tokens are CONTROL when
 * special or looking special, else USER_DEFINED with U+2581 -> space. */
static void test_tokens_and_types(void **state) {
    (void)state;
    fake f;
    fake_init(&f,
              make_tokenizer(SMALL_VOCAB,
                             "[{\"id\": 5, \"content\": \"<\xef\xbd\x9cUser\xef\xbd\x9c>\", \"special\": false},"
                             " {\"id\": 6, \"content\": \"<think>\", \"special\": false},"
                             " {\"id\": 7, \"content\": \"a\xe2\x96\x81" "b\", \"special\": false},"
                             " {\"id\": 8, \"content\": \"<|x|>\", \"special\": false},"
                             " {\"id\": 9, \"content\": \"<pad>\", \"special\": false},"
                             " {\"id\": 10, \"content\": \"<eot>\", \"special\": true}]",
                             "[\"a b\"]", "null"),
              NULL, NULL);
    run_ok(&f, 12);
    const h2g_kv *t = h2g_kv_get(&f.kv, "tokenizer.ggml.tokens");
    const h2g_kv *ty = h2g_kv_get(&f.kv, "tokenizer.ggml.token_type");
    static const char *const want[] = {"a", "b", "ab", "[PAD3]", "[PAD4]", "<\xef\xbd\x9cUser\xef\xbd\x9c>",
                                       "<think>", "a b", "<|x|>", "<pad>", "<eot>", "[PAD11]"};
    static const int32_t types[] = {1, 1, 1, 5, 5, 3, 4, 4, 3, 3, 3, 5};
    assert_int_equal(t->n, 12);
    for (int i = 0; i < 12; i++) {
        int32_t type;
        memcpy(&type, (const char *)ty->arr + 4 * i, 4);
        assert_string_equal(t->strs[i].data, want[i]);
        assert_int_equal(type, types[i]);
    }
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.ggml.pre")->str.data, "deepseek-v3");
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.ggml.model")->str.data, "gpt2");
    fake_free(&f);
}

/* Ids must be below vocab_size; without one the tokenizer's own size (the
 * number of distinct tokens) is used. */
static void test_vocab_size_rules(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL, NULL);
    run_fails(&f, 4, "tokenizer.json: added token '</s>' has id 4, not below vocab_size 4");
    fake_free(&f);
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL, NULL);
    run_ok(&f, 0);
    assert_int_equal(h2g_kv_get(&f.kv, "tokenizer.ggml.tokens")->n, 5);
    fake_free(&f);
    /* a gap in the ids: 3 distinct tokens, the largest id 5 -> refused */
    fake_init(&f, make_tokenizer("{\"a\": 0, \"b\": 1, \"c\": 5}", "[]", "[\"a b\"]", "null"),
              NULL, NULL);
    run_fails(&f, 0, "tokenizer.json: token 'c' has id 5, not below vocab_size 3");
    fake_free(&f);
}

/* Token strings must be unique (the loader asserts it), [PAD<i>] included;
 * model.vocab keys too. */
static void test_duplicate_tokens(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer("{\"a\": 0, \"[PAD2]\": 1}", "[]", "[\"a b\"]", "null"), NULL,
              NULL);
    run_fails(&f, 3, "tokenizer.json: token '[PAD2]' appears twice");
    fake_free(&f);
    /* a repeated model.vocab key: the reference would keep the last id */
    fake_init(&f, make_tokenizer("{\"a\": 0, \"b\": 1, \"a\": 2}", "[]", "[\"a b\"]", "null"),
              NULL, NULL);
    run_fails(&f, 3, "tokenizer.json: model.vocab lists 'a' twice");
    fake_free(&f);
    fake_init(&f, make_tokenizer("{\"a\": 0, \"b\": 1}",
                                 "[{\"id\": 2, \"content\": \"x\xe2\x96\x81\", \"special\": false},"
                                 " {\"id\": 3, \"content\": \"x \", \"special\": false}]",
                                 "[\"a b\"]", "null"),
              NULL, NULL);
    run_fails(&f, 4, "appears twice");
    fake_free(&f);
}

/* [a, b] pairs become "a b" with inner spaces as U+0120; "a b" strings are
 * kept; anything else is an error. */
static void test_merges_formats(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, "[]", "[[\"a\", \"b\"], [\" a\", \"b c\"]]", "null"),
              NULL, NULL);
    run_ok(&f, 3);
    const h2g_kv *m = h2g_kv_get(&f.kv, "tokenizer.ggml.merges");
    assert_int_equal(m->n, 2);
    assert_string_equal(m->strs[0].data, "a b");
    assert_string_equal(m->strs[1].data, "\xc4\xa0" "a b\xc4\xa0" "c");
    fake_free(&f);
    fake_init(&f, make_tokenizer(SMALL_VOCAB, "[]", "[\"a b\", [\"a\", \"b\"]]", "null"), NULL,
              NULL);
    run_fails(&f, 3, "tokenizer.json: model.merges[1] is neither");
    fake_free(&f);
    fake_init(&f, make_tokenizer(SMALL_VOCAB, "[]", "[]", "null"), NULL, NULL);
    run_fails(&f, 3, "'model.merges' is missing or empty and there is no merges.txt");
    fake_free(&f);
}

/* A private temporary directory (malloc'ed path). */
static char *temp_dir(void) {
    char tmpl[] = "/tmp/h2g_vocab_XXXXXX";
    assert_non_null(mkdtemp(tmpl));
    return h2g_strdup(tmpl);
}

/* Writes text to dir/name. */
static void write_file(const char *dir, const char *name, const char *text) {
    char *path = h2g_path_join(dir, name);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    free(path);
}

/* Removes dir/name (ignoring errors). */
static void remove_file(const char *dir, const char *name) {
    char *path = h2g_path_join(dir, name);
    unlink(path);
    free(path);
}

/* Without merges in tokenizer.json, merges.txt is read: a '#' header line
 * skipped, lines of exactly two fields kept. */
static void test_merges_txt_fallback(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, "[]", "[]", "null"), NULL, NULL);
    f.co.dir = temp_dir();
    write_file(f.co.dir, "merges.txt", "#version: 0.2\na b\n\nab  c\r\nbad line here\nx\n");
    run_ok(&f, 3);
    const h2g_kv *m = h2g_kv_get(&f.kv, "tokenizer.ggml.merges");
    assert_int_equal(m->n, 2);
    assert_string_equal(m->strs[0].data, "a b");
    assert_string_equal(m->strs[1].data, "ab c");
    remove_file(f.co.dir, "merges.txt");
    rmdir(f.co.dir);
    fake_free(&f);
}

/* The fixtures' case: bos is an AddedToken object, so cls adopts the
 * template's leading token; ids bos, eos, pad; flags bos (post-processor,
 * which tokenizer_config agrees with), sep false, eos. */
static void test_specials_fixture_shape(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", BOS_TEMPLATE),
              "{\"bos_token_id\": 3, \"eos_token_id\": 4}",
              "{\"add_bos_token\": true, \"add_eos_token\": false,"
              " \"bos_token\": {\"__type\": \"AddedToken\", \"content\": \"<s>\"},"
              " \"eos_token\": {\"__type\": \"AddedToken\", \"content\": \"</s>\"},"
              " \"pad_token\": \"</s>\", \"unk_token\": null}");
    run_ok(&f, 5);
    expect_order(&f.kv, "model pre tokens token_type merges bos_token_id eos_token_id "
                        "padding_token_id add_bos_token add_sep_token add_eos_token");
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.bos_token_id"), 3);
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.padding_token_id"), 4);
    assert_true(bool_of(&f.kv, "tokenizer.ggml.add_bos_token"));
    assert_false(bool_of(&f.kv, "tokenizer.ggml.add_sep_token"));
    assert_false(bool_of(&f.kv, "tokenizer.ggml.add_eos_token"));
    fake_free(&f);
}

/* A tokenizer_config flag that disagrees with the post-processor's loses,
 * as in the reference 0.7.0 ("opting for the latter"): add_bos_token false
 * beside a BOS-prefixing template still writes add_bos true. A flag the
 * post-processor did not set (add_eos here) is taken from the config. */
static void test_specials_post_processor_wins(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", BOS_TEMPLATE),
              "{\"bos_token_id\": 3, \"eos_token_id\": 4}",
              "{\"add_bos_token\": false, \"add_eos_token\": true, \"bos_token\": \"<s>\","
              " \"eos_token\": \"</s>\"}");
    run_ok(&f, 5);
    expect_order(&f.kv, "model pre tokens token_type merges bos_token_id eos_token_id "
                        "add_bos_token add_sep_token add_eos_token");
    assert_true(bool_of(&f.kv, "tokenizer.ggml.add_bos_token"));
    assert_true(bool_of(&f.kv, "tokenizer.ggml.add_eos_token"));
    fake_free(&f);
}

/* Without a tokenizer_config: ids only from config.json (text_config as
 * fallback, lists ignored), the template's leading token means add_bos,
 * and no chat template is read. An empty tokenizer_config counts as none. */
static void test_specials_without_tokenizer_config(void **state) {
    (void)state;
    for (int empty = 0; empty < 2; empty++) {
        fake f;
        fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", BOS_TEMPLATE),
                  "{\"eos_token_id\": [4, 3], \"text_config\": {\"eos_token_id\": 1, "
                  "\"pad_token_id\": 2}, \"bos_token_id\": 3}",
                  empty ? "{}" : NULL);
        f.co.chat_template_jinja = h2g_strdup("{{ jinja }}");
        run_ok(&f, 5);
        /* eos_token_id is a list at the root: ignored, and text_config is
         * only consulted when the root key is missing */
        expect_order(&f.kv, "model pre tokens token_type merges bos_token_id padding_token_id "
                            "add_bos_token add_sep_token");
        assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.padding_token_id"), 2);
        assert_true(bool_of(&f.kv, "tokenizer.ggml.add_bos_token"));
        fake_free(&f);
    }
}

/* A trailing template token that is not the configured eos becomes the eos;
 * the old eos is kept as eot. */
static void test_specials_eos_override(void **state) {
    (void)state;
    fake f;
    fake_init(&f,
              make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]",
                             "{\"type\": \"TemplateProcessing\", \"single\": [{\"Sequence\": "
                             "{\"id\": \"A\"}}, {\"SpecialToken\": {\"id\": \"<s>\"}}]}"),
              NULL, "{\"eos_token\": \"</s>\"}");
    run_ok(&f, 5);
    expect_order(&f.kv, "model pre tokens token_type merges eos_token_id eot_token_id "
                        "add_eos_token");
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.eos_token_id"), 3);
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.eot_token_id"), 4);
    assert_true(bool_of(&f.kv, "tokenizer.ggml.add_eos_token"));
    fake_free(&f);
}

/* RobertaProcessing: add bos/eos/sep, and unset cls/sep adopt the
 * processor's tokens (sep gets an id, cls is dropped). */
static void test_specials_roberta(void **state) {
    (void)state;
    fake f;
    fake_init(&f,
              make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]",
                             "{\"type\": \"RobertaProcessing\", \"sep\": [\"</s>\", 4], "
                             "\"cls\": [\"<s>\", 3]}"),
              NULL, "{\"bos_token\": \"<s>\"}");
    run_ok(&f, 5);
    expect_order(&f.kv, "model pre tokens token_type merges bos_token_id seperator_token_id "
                        "add_bos_token add_eos_token add_sep_token");
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.seperator_token_id"), 4);
    fake_free(&f);
}

/* A leading template token that the config names neither as bos nor cls:
 * an unset bos adopts it (and gets its id), add_bos is true. */
static void test_specials_bos_adoption(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", BOS_TEMPLATE),
              "{\"bos_token_id\": 0}", "{\"eos_token\": \"</s>\"}");
    run_ok(&f, 5);
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.bos_token_id"), 3);
    assert_true(bool_of(&f.kv, "tokenizer.ggml.add_bos_token"));
    fake_free(&f);
    /* configured as something else: add_bos false */
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", BOS_TEMPLATE), NULL,
              "{\"bos_token\": \"</s>\", \"cls_token\": \"a\"}");
    run_ok(&f, 5);
    assert_false(bool_of(&f.kv, "tokenizer.ggml.add_bos_token"));
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.bos_token_id"), 4);
    fake_free(&f);
}

/* Negative special ids are an error naming the file; ids at or beyond the
 * vocabulary are written as the reference writes them (it passes no
 * n_vocab to SpecialVocab). */
static void test_special_id_ranges(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"),
              "{\"pad_token_id\": -1}", NULL);
    run_fails(&f, 5, "config.json: invalid id -1 for special token type pad");
    fake_free(&f);
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"),
              "{\"eos_token_id\": 100000}", NULL);
    run_ok(&f, 5);
    assert_int_equal(u32_of(&f.kv, "tokenizer.ggml.eos_token_id"), 100000);
    fake_free(&f);
}

/* Chat templates: a tokenizer_config string; a list with default and
 * named entries (names cleaned, each once); chat_template.jinja when the
 * config has none; a null template means none. */
static void test_chat_templates(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"chat_template\": [{\"name\": \"tool use\", \"template\": \"T\"},"
              " {\"name\": \"default\", \"template\": \"D\"},"
              " {\"name\": \"r\xc3\xa9sum\xc3\xa9\", \"template\": \"R\"},"
              " {\"name\": \"tool-use\", \"template\": \"T2\"}]}");
    run_ok(&f, 5);
    expect_order(&f.kv, "model pre tokens token_type merges tokenizer.chat_template.tool_use "
                        "tokenizer.chat_template.r_sum_ tokenizer.chat_templates "
                        "tokenizer.chat_template");
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template.tool_use")->str.data, "T2");
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template")->str.data, "D");
    assert_int_equal(h2g_kv_get(&f.kv, "tokenizer.chat_templates")->n, 2);
    fake_free(&f);

    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"model_max_length\": 10}");
    f.co.chat_template_jinja = h2g_strdup("{{ from jinja }}");
    run_ok(&f, 5);
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template")->str.data,
                        "{{ from jinja }}");
    fake_free(&f);

    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"chat_template\": null}");
    f.co.chat_template_jinja = h2g_strdup("{{ from jinja }}");
    run_ok(&f, 5);
    assert_null(h2g_kv_get(&f.kv, "tokenizer.chat_template"));
    fake_free(&f);
}

/* chat_template.jinja with *.jinja files in additional_chat_templates becomes a
 * list ("default" + one per file, sorted); chat_template.json is the last
 * source. */
static void test_chat_template_files(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"model_max_length\": 10}");
    f.co.dir = temp_dir();
    f.co.chat_template_jinja = h2g_strdup("MAIN");
    char *extra = h2g_path_join(f.co.dir, "additional_chat_templates");
    assert_int_equal(mkdir(extra, 0700), 0);
    write_file(extra, "tool_use.jinja", "TOOLS");
    write_file(extra, "rag.jinja", "RAG");
    run_ok(&f, 5);
    expect_order(&f.kv, "model pre tokens token_type merges tokenizer.chat_template.rag "
                        "tokenizer.chat_template.tool_use tokenizer.chat_templates "
                        "tokenizer.chat_template");
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template")->str.data, "MAIN");
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template.rag")->str.data, "RAG");
    remove_file(extra, "tool_use.jinja");
    remove_file(extra, "rag.jinja");
    rmdir(extra);
    free(extra);
    h2g_kv_list_free(&f.kv);
    memset(&f.kv, 0, sizeof f.kv);
    free(f.co.chat_template_jinja);
    f.co.chat_template_jinja = NULL;
    write_file(f.co.dir, "chat_template.json", "{\"chat_template\": \"FROM JSON\"}");
    run_ok(&f, 5);
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template")->str.data, "FROM JSON");
    remove_file(f.co.dir, "chat_template.json");
    rmdir(f.co.dir);
    fake_free(&f);
}

/* A chat template of the wrong type, a list entry of the wrong shape, a
 * chat_template.json that is not JSON: each is skipped with a warning
 * naming the file, and the vocabulary is written (issue 14, item 11). */
static void test_chat_template_wrong_types(void **state) {
    (void)state;
    fake f;
    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"chat_template\": 7}");
    f.co.chat_template_jinja = h2g_strdup("{{ not used: the config has the key }}");
    run_ok(&f, 5);
    assert_null(h2g_kv_get(&f.kv, "tokenizer.chat_template"));
    assert_int_equal(f.warnings.n, 1);
    assert_string_equal(f.warnings.msgs[0],
                        "tokenizer_config.json: 'chat_template' must be a string or a list of "
                        "{name, template}, found a number; no chat template was written");
    fake_free(&f);

    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"chat_template\": [5, {\"name\": \"default\", \"template\": \"D\"},"
              " {\"name\": \"x\", \"template\": 1}, {\"name\": \"y\"}]}");
    run_ok(&f, 5);
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.chat_template")->str.data, "D");
    assert_int_equal(f.warnings.n, 2); /* entry 3 has no template: passed over quietly */
    assert_string_equal(f.warnings.msgs[0], "tokenizer_config.json: 'chat_template' entry 0 "
                                            "must be {\"name\": string, \"template\": string}; "
                                            "it was skipped");
    assert_non_null(strstr(f.warnings.msgs[1], "'chat_template' entry 2 must be"));
    fake_free(&f);

    fake_init(&f, make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null"), NULL,
              "{\"model_max_length\": 10}");
    f.co.dir = temp_dir();
    write_file(f.co.dir, "chat_template.json", "{\"chat_template\": ");
    run_ok(&f, 5);
    assert_null(h2g_kv_get(&f.kv, "tokenizer.chat_template"));
    assert_int_equal(f.warnings.n, 1);
    assert_string_equal(f.warnings.msgs[0], "chat_template.json: not valid JSON (line 1, near "
                                            "byte 17); no chat template was taken from it");
    h2g_kv_list_free(&f.kv);
    memset(&f.kv, 0, sizeof f.kv);
    write_file(f.co.dir, "chat_template.json", "{\"chat_template\": {\"a\": 1}}");
    run_ok(&f, 5);
    assert_null(h2g_kv_get(&f.kv, "tokenizer.chat_template"));
    assert_string_equal(f.warnings.msgs[1], "chat_template.json: 'chat_template' must be a "
                                            "string or a list of {name, template}, found an "
                                            "object; no chat template was written");
    remove_file(f.co.dir, "chat_template.json");
    rmdir(f.co.dir);
    fake_free(&f);
}

/* A checkout without tokenizer.json is refused clearly; so is a
 * non-BPE vocabulary. */
static void test_missing_or_foreign_tokenizer(void **state) {
    (void)state;
    fake f;
    fake_init(&f, NULL, NULL, NULL);
    f.co.dir = h2g_strdup("/models/x");
    run_fails(&f, 5, "tokenizer.json: not found in /models/x");
    fake_free(&f);
    cJSON *tok = make_tokenizer("[[\"a\", 0.0]]", "[]", "[\"a b\"]", "null");
    fake_init(&f, tok, NULL, NULL);
    run_fails(&f, 5, "'model.vocab' must be an object");
    fake_free(&f);
}

/* --tokenizer-pre wins over detection (even for an unknown chain). */
static void test_pre_override(void **state) {
    (void)state;
    fake f;
    cJSON *tok = make_tokenizer(SMALL_VOCAB, SMALL_ADDED, "[\"a b\"]", "null");
    cJSON_DeleteItemFromObject(tok, "pre_tokenizer");
    fake_init(&f, tok, NULL, NULL);
    assert_int_equal(h2g_vocab_add_kv(&f.kv, &f.co, 5, NULL, &f.err), -1);
    assert_int_equal(h2g_vocab_add_kv(&f.kv, &f.co, 5, "deepseek-llm", &f.err), 0);
    assert_string_equal(h2g_kv_get(&f.kv, "tokenizer.ggml.pre")->str.data, "deepseek-llm");
    fake_free(&f);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_match_reference),
        cmocka_unit_test(test_fixture_pretokenizers),
        cmocka_unit_test(test_digest_deepseek_v3),
        cmocka_unit_test(test_digest_mixed_spelling),
        cmocka_unit_test(test_digest_deepseek_llm),
        cmocka_unit_test(test_digest_deepseek_coder),
        cmocka_unit_test(test_structural_fallback_and_unknown),
        cmocka_unit_test(test_known_pretokenizers),
        cmocka_unit_test(test_tokens_and_types),
        cmocka_unit_test(test_vocab_size_rules),
        cmocka_unit_test(test_duplicate_tokens),
        cmocka_unit_test(test_merges_formats),
        cmocka_unit_test(test_merges_txt_fallback),
        cmocka_unit_test(test_specials_fixture_shape),
        cmocka_unit_test(test_specials_post_processor_wins),
        cmocka_unit_test(test_specials_without_tokenizer_config),
        cmocka_unit_test(test_specials_eos_override),
        cmocka_unit_test(test_specials_roberta),
        cmocka_unit_test(test_specials_bos_adoption),
        cmocka_unit_test(test_special_id_ranges),
        cmocka_unit_test(test_chat_templates),
        cmocka_unit_test(test_chat_template_files),
        cmocka_unit_test(test_chat_template_wrong_types),
        cmocka_unit_test(test_missing_or_foreign_tokenizer),
        cmocka_unit_test(test_pre_override),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
