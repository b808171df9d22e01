/* llama.c - llama.cpp's tokenizer.* keys from tokenizer.json and tokenizer_config.json,
 * as llama.cpp's converter writes them (see include/hf2gguf/vocab.h and
 * conversion-reference.md section 6).
 *
 * The reference reads the tokenizer through transformers (token list and
 * types, get_vocab_base) and through gguf-py's SpecialVocab (merges, special
 * ids, add_* flags, chat template). We read the same JSON files directly and
 * reproduce both, including SpecialVocab's quirks: raw string comparisons
 * (an AddedToken object never equals a string), first-match id lookups in
 * added_tokens, and key order = the order in which each value was first
 * set. */
#include "hf2gguf/vocab.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/sha256.h"
#include "base/util.h"
#include "source/hparams.h"
#include "vocab/tiktoken.h"

/* gguf TokenType values the reference writes for gpt2 vocabularies. */
enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4, TOKEN_UNUSED = 5 };

/* ---------------------------------------------------------------------------
 * Pre-tokenizer recognition
 * ------------------------------------------------------------------------- */

const char *const h2g_known_pretokenizers[] = {
    "deepseek-llm", "deepseek-coder", "deepseek-v3", "kimi-k2", "llama-bpe", "qwen2",
    "default",
    /* DeepSeek-V4: the name llama.cpp's tokenizer hash gives the real V4
     * tokenizer (conversion-reference-v4.md 10.2); only settable by hand */
    "joyai-llm", NULL,
};

/* sha256 of the concatenated Split regexes -> llama.cpp's name. The first
 * digest of each name is for the regexes as llama.cpp spells them (raw CR
 * and LF characters); the "escaped" rows are the same regexes after turning
 * raw CR/LF into the two-character escapes \r \n, which is how several
 * published tokenizer.json files spell them. deepseek-llm also appears in
 * Unicode NFC form (six letter-class characters replaced by their canonical
 * equivalents), which is what the V2-Lite fixture carries. */
static const struct {
    const char *digest, *name, *note;
} pre_digests[] = {
    {"03df5c5863ad70781dcfdef491ead25140f895fe8010964be0daefe27be32b02", "deepseek-llm", "raw"},
    {"07f51333f2ebcb612e9b4bf9f0417698a11f295341cdbb26cfaf2cb1fef71f1c", "deepseek-llm",
     "escaped"},
    {"ebdf00d5a27bb55062c178b5bc7969be03691e029512f84b1591141100537696", "deepseek-llm", "NFC"},
    {"94446277ab1e08f09614ed3b563f21a0e0f28dc342b5d6217c9564082eb95880", "deepseek-llm",
     "NFC, escaped"},
    {"21cde974d587f0d54dc8d56b183cc1e6239600172035c68fbd6d4b9f8da0576e", "deepseek-coder", "raw"},
    {"161fc3536ad52acaac5e8bffbeb47f089ea1d02e158226d1109a19e7191b8aab", "deepseek-coder",
     "escaped"},
    {"3e41884740914736a01647a8d1d6426e0e5aed47b7fdb19dfb81d31e3653a502", "deepseek-v3", "raw"},
    {"5928810eba7f1675589c17cc343fdb773b5bf8b5e7d876d28f9bf9ff7202d87c", "deepseek-v3", "escaped"},
    {"d98f9631be1e9607a9848c26c1f9eac1aa9fc21ac6ba82a2fc0741af9780a48f", "llama-bpe", "Ollama"},
    {"1ff7f41064896984db5d1bb6ff64fa4bc29007d08c1b439e505b7392777a319e", "qwen2", "Ollama"},
    {NULL, NULL, NULL},
};

/* The first pre-tokenizer entry: the list of a Sequence, or the one entry. */
static const cJSON *pre_entries(const cJSON *tok, bool *is_list) {
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(tok, "pre_tokenizer");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(pre, "pretokenizers");
    *is_list = cJSON_IsArray(list);
    return *is_list ? list->child : cJSON_IsObject(pre) ? pre : NULL;
}

/* The regex of a Split entry, or NULL for anything else (String patterns,
 * ByteLevel, Digits...), which the digest skips. */
static const char *split_regex(const cJSON *entry) {
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(entry, "type");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(entry, "pattern");
    const cJSON *re = cJSON_GetObjectItemCaseSensitive(pat, "Regex");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "Split") || !cJSON_IsString(re))
        return NULL;
    return re->valuestring;
}

/* Feeds one regex to h, with raw CR/LF spelled \r \n when escape is set. */
static void hash_regex(h2g_sha256 *h, const char *re, bool escape) {
    for (const char *p = re; *p; p++) {
        if (escape && (*p == '\r' || *p == '\n'))
            h2g_sha256_update(h, *p == '\r' ? "\\r" : "\\n", 2);
        else
            h2g_sha256_update(h, p, 1);
    }
}

/* Hashes the Split regexes in order (see vocab.h). */
void h2g_vocab_pre_digest(const cJSON *tokenizer, bool escape_crlf, char hex[65],
                          size_t *n_split, const char **first_regex) {
    h2g_sha256 h;
    uint8_t d[32];
    bool is_list;
    size_t n = 0;
    h2g_sha256_init(&h);
    if (first_regex) *first_regex = NULL;
    for (const cJSON *e = pre_entries(tokenizer, &is_list); e; e = is_list ? e->next : NULL) {
        const char *re = split_regex(e);
        if (!re) continue;
        if (n++ == 0 && first_regex) *first_regex = re;
        hash_regex(&h, re, escape_crlf);
    }
    h2g_sha256_final(&h, d);
    h2g_sha256_hex(d, hex);
    if (n_split) *n_split = n;
}

/* The name the digest table gives hex, or NULL. */
static const char *lookup_digest(const char *hex) {
    for (int i = 0; pre_digests[i].digest; i++)
        if (!strcmp(pre_digests[i].digest, hex)) return pre_digests[i].name;
    return NULL;
}

/* "a, b, c" of the known names, for messages. */
static void known_names(char *out, size_t size) {
    out[0] = '\0';
    for (int i = 0; h2g_known_pretokenizers[i]; i++) {
        if (i) strncat(out, ", ", size - strlen(out) - 1);
        strncat(out, h2g_known_pretokenizers[i], size - strlen(out) - 1);
    }
}

/* Digest table (raw, then CR/LF-escaped spelling), then the V3 shape;
 * otherwise an error listing the names --tokenizer-pre accepts. */
int h2g_vocab_detect_pre(const cJSON *tokenizer, const char **name, h2g_error *err) {
    char raw[65], escaped[65];
    size_t n;
    const char *first;
    h2g_vocab_pre_digest(tokenizer, false, raw, &n, &first);
    h2g_vocab_pre_digest(tokenizer, true, escaped, NULL, NULL);
    *name = lookup_digest(raw);
    if (!*name) *name = lookup_digest(escaped);
    /* DeepSeek-V3's chain by its shape (digits in threes, then CJK, then the
     * main pattern): its third regex is spelled in more ways than a table
     * can list. */
    if (!*name && n == 3 && !strcmp(first, "\\p{N}{1,3}")) *name = "deepseek-v3";
    if (*name) return 0;
    char names[256];
    known_names(names, sizeof names);
    return h2g_fail(err, "tokenizer.json: pre-tokenizer not recognised (%zu Split regexes, "
                         "sha256 %.16s...); pass --tokenizer-pre NAME with one of: %s",
                    n, raw, names);
}

/* Whether name is in h2g_known_pretokenizers. */
bool h2g_vocab_pre_is_known(const char *name) {
    for (int i = 0; h2g_known_pretokenizers[i]; i++)
        if (!strcmp(h2g_known_pretokenizers[i], name)) return true;
    return false;
}

/* ---------------------------------------------------------------------------
 * Added tokens
 * ------------------------------------------------------------------------- */

typedef struct added_token {
    const char *content;
    long id;
    bool special;
} added_token;

/* Orders added tokens by content (for bsearch). */
static int cmp_added(const void *a, const void *b) {
    return strcmp(((const added_token *)a)->content, ((const added_token *)b)->content);
}

/* A whole-number JSON id in [0, 2^32), or -1. */
static long json_id(const cJSON *v) {
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble >= 4294967296.0 ||
        v->valuedouble != floor(v->valuedouble))
        return -1;
    return (long)v->valuedouble;
}

/* tokenizer.json's added_tokens, sorted by content. Returns 0 or -1. */
static int load_added(const cJSON *tok, added_token **out, size_t *n, h2g_error *err) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    *out = NULL;
    *n = 0;
    if (!list || cJSON_IsNull(list)) return 0;
    if (!cJSON_IsArray(list)) return h2g_fail(err, "tokenizer.json: 'added_tokens' must be a list");
    *out = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof **out);
    if (!*out)
        return h2g_fail(err, "tokenizer.json: out of memory for its %d added tokens",
                        cJSON_GetArraySize(list));
    for (const cJSON *e = list->child; e; e = e->next) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "content");
        long id = json_id(cJSON_GetObjectItemCaseSensitive(e, "id"));
        if (!cJSON_IsString(c) || id < 0)
            return h2g_fail(err, "tokenizer.json: added_tokens[%zu] needs a string 'content' and "
                                 "a non-negative whole-number 'id'", *n);
        bool special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special"));
        (*out)[(*n)++] = (added_token){c->valuestring, id, special};
    }
    qsort(*out, *n, sizeof **out, cmp_added);
    return 0;
}

/* The added token with this content, or NULL. */
static const added_token *find_added(const added_token *list, size_t n, const char *content) {
    added_token key = {content, 0, false};
    return n ? bsearch(&key, list, n, sizeof *list, cmp_added) : NULL;
}

/* ---------------------------------------------------------------------------
 * Tokens and token types (the reference's get_vocab_base)
 * ------------------------------------------------------------------------- */

/* llama.cpp's heuristic for added tokens that ought to be control tokens
 * even when not flagged special (deepseek-coder, gemma, command-r). */
static bool looks_special(const char *t) {
    static const char *const exact[] = {"<pad>", "<mask>", "<2mass>", "[@BOS@]", NULL};
    static const char *const wrap[][2] = {
        {"<|", "|>"},
        {"<\xef\xbd\x9c", "\xef\xbd\x9c>"}, /* <｜ ... ｜> (U+FF5C), DeepSeek */
        {"<unused", ">"},
    };
    for (int i = 0; exact[i]; i++)
        if (!strcmp(t, exact[i])) return true;
    for (size_t i = 0; i < sizeof wrap / sizeof wrap[0]; i++)
        if (h2g_str_starts_with(t, wrap[i][0]) && h2g_str_ends_with(t, wrap[i][1])) return true;
    return false;
}

/* Copies s with every U+2581 (lower one eighth block) replaced by a space,
 * as the reference pre-normalizes user-defined tokens. Malloc'ed. */
static char *spaces_for_blocks(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    if (!out) return NULL;
    while (*s) {
        if (!strncmp(s, "\xe2\x96\x81", 3)) {
            *o++ = ' ';
            s += 3;
        } else {
            *o++ = *s++;
        }
    }
    *o = '\0';
    return out;
}

/* The model.vocab object, or NULL with err filled. */
static const cJSON *model_vocab(const cJSON *tok, h2g_error *err) {
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(tok, "model"), "vocab");
    if (!cJSON_IsObject(vocab))
        h2g_fail(err, "tokenizer.json: 'model.vocab' must be an object (only byte-level BPE "
                      "tokenizers are supported)");
    return cJSON_IsObject(vocab) ? vocab : NULL;
}

/* Orders string pointers by content. */
static int cmp_str_ptr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first string that occurs twice among n (sorted in place), or NULL. */
static const char *first_duplicate(const char **strs, size_t n) {
    qsort(strs, n, sizeof *strs, cmp_str_ptr);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(strs[i - 1], strs[i])) return strs[i];
    return NULL;
}

/* model.vocab must not repeat a key: Python's json keeps the last id and
 * the reference then writes [PAD<first id>] without a word, so we refuse. */
static int check_vocab_keys(const cJSON *vocab, h2g_error *err) {
    size_t n = (size_t)cJSON_GetArraySize(vocab), i = 0;
    const char **keys = malloc((n + 1) * sizeof *keys);
    if (!keys)
        return h2g_fail(err, "tokenizer.json: out of memory for checking its %zu model.vocab keys",
                        n);
    for (const cJSON *e = vocab->child; e; e = e->next) keys[i++] = e->string;
    const char *dup = first_duplicate(keys, n);
    int rc = dup ? h2g_fail(err, "tokenizer.json: model.vocab lists '%s' twice", dup) : 0;
    free(keys);
    return rc;
}

/* Fills by_id (vocab_size entries) from model.vocab, then added_tokens (which
 * win, as in transformers' get_vocab()). Ids must be below vocab_size: the
 * reference asserts it. */
static int reverse_vocab(const cJSON *vocab, const added_token *add, size_t n_add,
                         uint32_t vocab_size, const char **by_id, h2g_error *err) {
    if (check_vocab_keys(vocab, err) != 0) return -1;
    for (const cJSON *e = vocab->child; e; e = e->next) {
        long id = json_id(e);
        if (id < 0)
            return h2g_fail(err, "tokenizer.json: model.vocab token '%s' has no non-negative "
                                 "whole-number id", e->string);
        if (id >= (long)vocab_size)
            return h2g_fail(err, "tokenizer.json: token '%s' has id %ld, not below vocab_size "
                                 "%u (config.json)", e->string, id, vocab_size);
        by_id[id] = e->string;
    }
    for (size_t i = 0; i < n_add; i++) {
        if (add[i].id >= (long)vocab_size)
            return h2g_fail(err, "tokenizer.json: added token '%s' has id %ld, not below "
                                 "vocab_size %u (config.json)", add[i].content, add[i].id,
                            vocab_size);
        by_id[add[i].id] = add[i].content;
    }
    return 0;
}

/* The loader requires every token string to be unique (it asserts
 * id_to_token.size() == token_to_id.size()). Returns 0 or -1. */
static int check_unique(const h2g_str *tokens, uint32_t n, h2g_error *err) {
    const char **sorted = malloc(((size_t)n + 1) * sizeof *sorted);
    if (!sorted)
        return h2g_fail(err, "out of memory for checking that the %u tokens are unique", n);
    for (uint32_t i = 0; i < n; i++) sorted[i] = tokens[i].data;
    const char *dup = first_duplicate(sorted, n);
    int rc = dup ? h2g_fail(err, "tokenizer.json: token '%s' appears twice (llama.cpp requires "
                                 "unique tokens)", dup)
                 : 0;
    free(sorted);
    return rc;
}

/* Text and type of token id i (text malloc'ed, NULL when out of memory). */
static char *token_entry(uint32_t i, const char *text, const added_token *a, int32_t *type) {
    if (!text) {
        *type = TOKEN_UNUSED;
        return h2g_strfmt("[PAD%u]", i);
    }
    if (a && (a->special || looks_special(text))) {
        *type = TOKEN_CONTROL;
        return h2g_strdup(text);
    }
    *type = a ? TOKEN_USER_DEFINED : TOKEN_NORMAL;
    return a ? spaces_for_blocks(text) : h2g_strdup(text);
}

/* Frees n token strings and the array. */
static void free_tokens(h2g_str *tokens, size_t n) {
    for (size_t i = 0; tokens && i < n; i++) free(tokens[i].data);
    free(tokens);
}

/* tokenizer.ggml.tokens and tokenizer.ggml.token_type. */
static int add_tokens(h2g_kv_list *kv, const cJSON *tok, uint32_t vocab_size, h2g_error *err) {
    added_token *add = NULL;
    size_t n_add = 0;
    const char **by_id = calloc((size_t)vocab_size + 1, sizeof *by_id);
    h2g_str *tokens = calloc((size_t)vocab_size + 1, sizeof *tokens);
    int32_t *types = calloc((size_t)vocab_size + 1, sizeof *types);
    const cJSON *vocab = model_vocab(tok, err);
    int rc = -1;
    if (!by_id || !tokens || !types) {
        h2g_fail(err, "out of memory for the token table (%u tokens)", vocab_size);
        goto done;
    }
    if (!vocab || load_added(tok, &add, &n_add, err) != 0 ||
        reverse_vocab(vocab, add, n_add, vocab_size, by_id, err) != 0)
        goto done;
    for (uint32_t i = 0; i < vocab_size; i++) {
        const added_token *a = by_id[i] ? find_added(add, n_add, by_id[i]) : NULL;
        tokens[i].data = token_entry(i, by_id[i], a, &types[i]);
        if (!tokens[i].data) {
            h2g_fail(err, "out of memory for the text of token %u", i);
            goto done;
        }
        tokens[i].len = strlen(tokens[i].data);
    }
    if (check_unique(tokens, vocab_size, err) != 0) goto done;
    rc = h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.tokens", tokens, vocab_size, err);
    tokens = NULL; /* owned by the list now, or freed by it */
    if (rc == 0)
        rc = h2g_kv_set_array(kv, "tokenizer.ggml.token_type", H2G_VT_INT32, types, vocab_size,
                              err);
done:
    free_tokens(tokens, vocab_size);
    free(types);
    free(by_id);
    free(add);
    return rc;
}

/* The tokenizer's own size when config.json has no vocab_size: the number
 * of distinct token strings (Python's len(tokenizer.vocab)), so that ids
 * beyond it fail the same check as in the reference. */
static uint32_t tokenizer_size(const cJSON *tok) {
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(tok, "model"), "vocab");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    uint64_t n = (uint64_t)cJSON_GetArraySize(vocab);
    for (const cJSON *a = cJSON_IsArray(added) ? added->child : NULL; a; a = a->next) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "content");
        if (cJSON_IsString(c) && !cJSON_GetObjectItemCaseSensitive(vocab, c->valuestring)) n++;
    }
    return n > UINT32_MAX ? 0 : (uint32_t)n;
}

/* ---------------------------------------------------------------------------
 * Merges
 * ------------------------------------------------------------------------- */

/* "a b" from a [a, b] pair; spaces inside a part become U+0120 (Ġ), as the
 * reference does for the transformers >= 4.45 format. Malloc'ed. */
static char *join_pair(const char *a, const char *b) {
    size_t spaces = 0;
    for (const char *p = a; *p; p++) spaces += *p == ' ';
    for (const char *p = b; *p; p++) spaces += *p == ' ';
    char *out = malloc(strlen(a) + strlen(b) + spaces + 2), *o = out;
    if (!out) return NULL;
    const char *parts[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        if (i) *o++ = ' ';
        for (const char *p = parts[i]; *p; p++) {
            if (*p == ' ') {
                *o++ = '\xc4';
                *o++ = '\xa0';
            } else {
                *o++ = *p;
            }
        }
    }
    *o = '\0';
    return out;
}

/* One merge of model.merges in the format the first entry set. Malloc'ed
 * text, or NULL (err filled) for an entry of another shape. */
static char *merge_text(const cJSON *m, bool pairs, size_t i, h2g_error *err) {
    const cJSON *a = cJSON_GetArrayItem(m, 0), *b = cJSON_GetArrayItem(m, 1);
    char *s = NULL;
    if (!pairs && cJSON_IsString(m))
        s = h2g_strdup(m->valuestring);
    else if (pairs && cJSON_GetArraySize(m) == 2 && cJSON_IsString(a) && cJSON_IsString(b))
        s = join_pair(a->valuestring, b->valuestring);
    else {
        h2g_fail(err, "tokenizer.json: model.merges[%zu] is neither \"a b\" nor [a, b] like "
                      "the first entry", i);
        return NULL;
    }
    if (!s) h2g_fail(err, "tokenizer.json: out of memory for model.merges[%zu]", i);
    return s;
}

/* The merges of tokenizer.json into *out (*n of them, 0 when absent). */
static int json_merges(const cJSON *tok, h2g_str **out, size_t *n, h2g_error *err) {
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(tok, "model"), "merges");
    *out = NULL;
    *n = 0;
    if (!cJSON_IsArray(merges) || !merges->child) return 0;
    bool pairs = cJSON_IsArray(merges->child);
    size_t count = (size_t)cJSON_GetArraySize(merges), i = 0;
    if (!pairs && !cJSON_IsString(merges->child))
        return h2g_fail(err, "tokenizer.json: unknown model.merges format (neither \"a b\" "
                             "strings nor [a, b] pairs)");
    h2g_str *list = calloc(count, sizeof *list);
    if (!list)
        return h2g_fail(err, "tokenizer.json: out of memory for its %zu merges", count);
    for (const cJSON *m = merges->child; m; m = m->next, i++) {
        list[i].data = merge_text(m, pairs, i, err);
        if (!list[i].data) {
            free_tokens(list, i);
            return -1;
        }
        list[i].len = strlen(list[i].data);
    }
    *out = list;
    *n = count;
    return 0;
}

/* Whitespace as Python's str.split() sees it, ASCII part. */
static bool py_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

/* Appends "a b" for a merges.txt line of exactly two fields (others are
 * skipped, as the reference does with a warning). */
static int merges_line(char *line, h2g_str **list, size_t *n, size_t *cap, h2g_error *err) {
    char *field[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0}, k = 0;
    for (char *p = line; *p && k < 3;) {
        while (py_space(*p)) p++;
        if (!*p) break;
        field[k] = p;
        while (*p && !py_space(*p)) p++;
        len[k] = (size_t)(p - field[k]);
        k++;
    }
    if (k != 2) return 0;
    char *s = NULL;
    if (h2g_grow((void **)list, cap, *n + 1, sizeof **list) != 0 ||
        !(s = h2g_strfmt("%.*s %.*s", (int)len[0], field[0], (int)len[1], field[1])))
        return h2g_fail(err, "merges.txt: out of memory for merge %zu", *n + 1);
    (*list)[(*n)++] = (h2g_str){s, strlen(s)};
    return 0;
}

/* merges.txt, the reference's fallback when tokenizer.json has no merges:
 * a first line starting with '#' is a header; each other line holds one
 * merge. *n is 0 when the file does not exist. */
static int txt_merges(const h2g_checkout *co, h2g_str **out, size_t *n, h2g_error *err) {
    char *text = NULL;
    size_t len, cap = 0;
    *out = NULL;
    *n = 0;
    int rc = h2g_checkout_read_file(co, "merges.txt", H2G_JSON_MAX_BYTES, &text, &len, err);
    if (rc != 0) return rc < 0 ? -1 : 0;
    char *save = NULL, *line = text;
    char *first_nl = strchr(text, '\n');
    const char *p = text;
    while (*p != '\n' && py_space(*p)) p++; /* the first line, stripped */
    if (*p == '#') line = first_nl ? first_nl + 1 : text + len; /* a header */
    for (char *l = strtok_r(line, "\n", &save); l && rc == 0; l = strtok_r(NULL, "\n", &save))
        rc = merges_line(l, out, n, &cap, err);
    free(text);
    if (rc != 0) {
        free_tokens(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

/* tokenizer.ggml.merges: tokenizer.json's, else merges.txt's. A byte-level
 * BPE vocabulary without merges does not load, so none is an error. */
static int add_merges(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    h2g_str *list;
    size_t n;
    if (json_merges(co->tokenizer, &list, &n, err) != 0) return -1;
    if (n == 0 && txt_merges(co, &list, &n, err) != 0) return -1;
    if (n == 0) {
        free(list);
        return h2g_fail(err, "tokenizer.json: 'model.merges' is missing or empty and there is "
                             "no merges.txt (a byte-level BPE vocabulary needs its merges)");
    }
    return h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.merges", list, n, err);
}

/* ---------------------------------------------------------------------------
 * Special tokens and add_* flags (gguf-py's SpecialVocab)
 * ------------------------------------------------------------------------- */

/* Special token types in SpecialVocab's order; eot and eom are appended
 * only when a post-processor overrides the eos token. */
enum { T_BOS, T_EOS, T_UNK, T_SEP, T_PAD, T_CLS, T_MASK, T_EOT, T_EOM, N_TYPES };
static const struct {
    const char *name;   /* "<name>_token" in tokenizer_config.json */
    const char *id_key; /* GGUF key of its id; NULL: no key (dropped) */
    const char *add_key; /* GGUF key of its add_* flag, or NULL */
} types[N_TYPES] = {
    {"bos", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.add_bos_token"},
    {"eos", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.add_eos_token"},
    {"unk", "tokenizer.ggml.unknown_token_id", NULL},
    {"sep", "tokenizer.ggml.seperator_token_id", "tokenizer.ggml.add_sep_token"},
    {"pad", "tokenizer.ggml.padding_token_id", NULL},
    {"cls", NULL, NULL},
    {"mask", "tokenizer.ggml.mask_token_id", NULL},
    {"eot", "tokenizer.ggml.eot_token_id", NULL},
    {"eom", "tokenizer.ggml.eom_token_id", NULL},
};

typedef struct specials {
    int n_types;           /* 7, or 8/9 once eot/eom were appended */
    long id[N_TYPES];      /* -1 when unset */
    int id_order[N_TYPES]; /* types in the order their id was set */
    int n_ids;
    int add[N_TYPES]; /* -1 unset, else 0/1 */
    int add_order[N_TYPES];
    int n_adds;
    bool has_tc; /* tokenizer_config.json exists and is not empty */
    /* A private copy of tokenizer_config.json that SpecialVocab's
     * adjustments are made to. Without a config it holds the local values
     * the post-processor code assigns (bos/eos adopted from the template). */
    cJSON *tc;
} specials;

/* Records a special id the first time a type gets one. Negative ids are
 * an error in the reference; ids are not checked against the vocabulary
 * size (the converter creates SpecialVocab without n_vocab). */
static int set_id(specials *s, int type, long id, const char *file, h2g_error *err) {
    if (id < 0)
        return h2g_fail(err, "%s: invalid id %ld for special token type %s", file, id,
                        types[type].name);
    if (id > (long)UINT32_MAX)
        return h2g_fail(err, "%s: id %ld of special token type %s does not fit in 32 bits", file,
                        id, types[type].name);
    if (s->id[type] >= 0) return 0;
    s->id[type] = id;
    s->id_order[s->n_ids++] = type;
    return 0;
}

/* Sets an add_* flag; its key position is where it was first set. */
static void set_add(specials *s, int type, bool value) {
    if (s->add[type] < 0) s->add_order[s->n_adds++] = type;
    s->add[type] = value;
}

/* tc["<type>_token"]: a string, an AddedToken object, or NULL. */
static cJSON *tc_token(const specials *s, int type) {
    char key[32];
    snprintf(key, sizeof key, "%s_token", types[type].name);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(s->tc, key);
    return cJSON_IsNull(v) ? NULL : v;
}

/* tc["<type>_token"] = a copy of value (JSON null for NULL). */
static void tc_set_token(specials *s, int type, const cJSON *value) {
    char key[32];
    snprintf(key, sizeof key, "%s_token", types[type].name);
    cJSON *copy = value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull();
    if (!copy) return;
    if (cJSON_GetObjectItemCaseSensitive(s->tc, key))
        cJSON_ReplaceItemInObjectCaseSensitive(s->tc, key, copy);
    else
        cJSON_AddItemToObject(s->tc, key, copy);
}

/* tc["<type>_token"] = text. */
static void tc_set_text(specials *s, int type, const char *text) {
    cJSON *v = cJSON_CreateString(text);
    tc_set_token(s, type, v);
    cJSON_Delete(v);
}

/* Python truthiness of a JSON value (None, "", 0, [], {} are false). */
static bool truthy(const cJSON *v) {
    if (!v || cJSON_IsNull(v) || cJSON_IsFalse(v)) return false;
    if (cJSON_IsString(v)) return v->valuestring[0] != '\0';
    if (cJSON_IsNumber(v)) return v->valuedouble != 0;
    if (cJSON_IsArray(v) || cJSON_IsObject(v)) return v->child != NULL;
    return true;
}

/* Python `text == value`: only a string can equal a string. */
static bool same(const char *text, const cJSON *value) {
    return text && cJSON_IsString(value) && !strcmp(text, value->valuestring);
}

/* The id of a template entry {"SpecialToken": {"id": ...}}, or NULL. */
static const char *special_token_id(const cJSON *entry) {
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(entry, "SpecialToken");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(st, "id");
    return cJSON_IsString(id) && id->valuestring[0] ? id->valuestring : NULL;
}

/* The id of a template entry {"Sequence": {"id": "A"}}, or NULL. */
static const char *sequence_id(const cJSON *entry) {
    const cJSON *sq = cJSON_GetObjectItemCaseSensitive(entry, "Sequence");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(sq, "id");
    return cJSON_IsString(id) ? id->valuestring : NULL;
}

/* Whether a pair-template middle entry is the sep or the eos token. */
static bool is_separator(const specials *s, const cJSON *entry) {
    const char *id = special_token_id(entry);
    return id && (same(id, tc_token(s, T_SEP)) || same(id, tc_token(s, T_EOS)));
}

/* The `pair` template decides add_sep: "A [sep] [eos] B" once the single
 * template's leading/trailing special tokens are stripped. */
static void template_pair(specials *s, const cJSON *pair, const char *first, const char *last) {
    int n = cJSON_GetArraySize(pair);
    const char *pair_first = special_token_id(pair->child);
    const char *pair_last = special_token_id(cJSON_GetArrayItem(pair, n - 1));
    int start = first && pair_first && !strcmp(pair_first, first) ? 1 : 0;
    int stop = last && pair_last && !strcmp(pair_last, last) ? n - 1 : n;
    if (stop - start < 1) return;
    const char *a = sequence_id(cJSON_GetArrayItem(pair, start));
    const char *b = sequence_id(cJSON_GetArrayItem(pair, stop - 1));
    int middle = stop - start - 2;
    if (!a || !b || strcmp(a, "A") || strcmp(b, "B") || middle < 1) return;
    bool add_sep = !last && is_separator(s, cJSON_GetArrayItem(pair, start + 1));
    if (middle == 2 && is_separator(s, cJSON_GetArrayItem(pair, start + 2))) add_sep = true;
    set_add(s, T_SEP, add_sep);
    if (add_sep && !truthy(tc_token(s, T_SEP)) && s->has_tc)
        tc_set_token(s, T_SEP, tc_token(s, T_EOS));
}

/* A leading special token T of the `single` template: without a config T
 * is the bos; otherwise, when T is neither the configured bos nor cls, an
 * unset bos and an unset cls each adopt T. add_bos = T is bos or cls. */
static void template_first(specials *s, const char *first) {
    if (!s->has_tc) {
        tc_set_text(s, T_BOS, first);
    } else if (!same(first, tc_token(s, T_BOS)) && !same(first, tc_token(s, T_CLS))) {
        if (!truthy(tc_token(s, T_BOS))) tc_set_text(s, T_BOS, first);
        if (!truthy(tc_token(s, T_CLS))) tc_set_text(s, T_CLS, first);
    }
    set_add(s, T_BOS, same(first, tc_token(s, T_BOS)) || same(first, tc_token(s, T_CLS)));
}

/* A trailing special token T: it becomes the eos; a different configured
 * eos is kept as an extra eot (then eom) type. add_eos is then true. */
static void template_last(specials *s, const char *last) {
    const cJSON *eos = tc_token(s, T_EOS);
    if (s->has_tc && !same(last, eos) && s->n_types < N_TYPES) {
        int extra = s->n_types++; /* eot, then eom */
        tc_set_token(s, extra, eos);
    }
    tc_set_text(s, T_EOS, last);
    set_add(s, T_EOS, true);
}

/* One TemplateProcessing: leading/trailing special tokens of `single`,
 * then the `pair` template. */
static void template_processing(specials *s, const cJSON *proc) {
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(proc, "single");
    const cJSON *pair = cJSON_GetObjectItemCaseSensitive(proc, "pair");
    const char *first = NULL, *last = NULL;
    int n = cJSON_IsArray(single) ? cJSON_GetArraySize(single) : 0;
    if (n > 1) {
        first = special_token_id(single->child);
        if (first) template_first(s, first);
        last = special_token_id(cJSON_GetArrayItem(single, n - 1));
        if (last) template_last(s, last);
    }
    if (cJSON_IsArray(pair) && pair->child) template_pair(s, pair, first, last);
}

/* RobertaProcessing adds bos, eos and sep; with a config, unset cls/sep
 * tokens adopt the processor's own (its "cls"/"sep" [text, id] pairs, else
 * the bos/eos token). */
static void roberta_processing(specials *s, const cJSON *proc) {
    set_add(s, T_BOS, true);
    set_add(s, T_EOS, true);
    set_add(s, T_SEP, true);
    if (!s->has_tc) return;
    static const struct {
        int type, fallback;
        const char *field;
    } adopt[] = {{T_CLS, T_BOS, "cls"}, {T_SEP, T_EOS, "sep"}};
    for (int i = 0; i < 2; i++) {
        if (truthy(tc_token(s, adopt[i].type))) continue;
        const cJSON *own = cJSON_GetObjectItemCaseSensitive(proc, adopt[i].field);
        if (cJSON_IsArray(own))
            tc_set_token(s, adopt[i].type, cJSON_GetArrayItem(own, 0));
        else
            tc_set_token(s, adopt[i].type, tc_token(s, adopt[i].fallback));
    }
}

/* tokenizer.json's post_processor (one, or a Sequence's processors). */
static void post_processor(specials *s, const cJSON *tok) {
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(tok, "post_processor");
    if (!cJSON_IsObject(pp)) return;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(pp, "processors");
    bool is_list = cJSON_IsArray(list);
    for (const cJSON *p = is_list ? list->child : pp; p; p = is_list ? p->next : NULL) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
        if (!cJSON_IsString(type)) continue;
        if (!strcmp(type->valuestring, "RobertaProcessing"))
            roberta_processing(s, p);
        else if (!strcmp(type->valuestring, "TemplateProcessing"))
            template_processing(s, p);
    }
}

/* The content a tokenizer_config token entry names (a string, or an
 * AddedToken object's "content"), or NULL. */
static const char *tc_content(const cJSON *entry) {
    if (cJSON_IsString(entry)) return entry->valuestring;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(entry, "content");
    return cJSON_IsObject(entry) && cJSON_IsString(c) ? c->valuestring : NULL;
}

/* An integer id as Python's isinstance(v, int) sees it: whole numbers
 * and bools (a bool is an int), not lists, fractions or strings. */
static bool int_id(const cJSON *v, long *id) {
    if (cJSON_IsBool(v)) {
        *id = cJSON_IsTrue(v);
        return true;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        fabs(v->valuedouble) > 1e15)
        return false;
    *id = (long)v->valuedouble;
    return true;
}

/* The id of the first added token with this content. False when there is
 * no such token or its id is not an integer (the reference then sets
 * nothing: it only looks at the first match). */
static bool added_id_of(const cJSON *tok, const char *content, long *id) {
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    for (const cJSON *a = cJSON_IsArray(added) ? added->child : NULL; a; a = a->next)
        if (same(content, cJSON_GetObjectItemCaseSensitive(a, "content")))
            return int_id(cJSON_GetObjectItemCaseSensitive(a, "id"), id);
    return false;
}

/* add_<type>_token flags and <type>_token ids from tokenizer_config.json;
 * ids are looked up by content in tokenizer.json's added_tokens only. */
static int from_tokenizer_config(specials *s, const cJSON *tok, h2g_error *err) {
    for (int t = 0; t < s->n_types; t++) {
        char key[32];
        snprintf(key, sizeof key, "add_%s_token", types[t].name);
        const cJSON *flag = cJSON_GetObjectItemCaseSensitive(s->tc, key);
        /* The post-processor's flag wins: the reference warns about a
         * tokenizer_config that disagrees and keeps the post-processor's. */
        if (cJSON_IsBool(flag) && s->add[t] < 0) set_add(s, t, cJSON_IsTrue(flag));
        const char *content = tc_content(tc_token(s, t));
        long id;
        if (content && added_id_of(tok, content, &id) &&
            set_id(s, t, id, "tokenizer.json", err) != 0)
            return -1;
    }
    return 0;
}

/* config.json <type>_token_id, else text_config's (not language_config). */
static int from_config(specials *s, const cJSON *config, h2g_error *err) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(config, "text_config");
    for (int t = 0; t < s->n_types; t++) {
        char key[32];
        snprintf(key, sizeof key, "%s_token_id", types[t].name);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
        if ((!v || cJSON_IsNull(v)) && cJSON_IsObject(text))
            v = cJSON_GetObjectItemCaseSensitive(text, key);
        long id;
        if (int_id(v, &id) && set_id(s, t, id, "config.json", err) != 0) return -1;
    }
    return 0;
}

/* bos <- cls and eos <- sep when only the latter are configured. */
static void fallback_tokens(specials *s) {
    if (!truthy(tc_token(s, T_BOS)) && truthy(tc_token(s, T_CLS)))
        tc_set_token(s, T_BOS, tc_token(s, T_CLS));
    if (!truthy(tc_token(s, T_EOS)) && truthy(tc_token(s, T_SEP)))
        tc_set_token(s, T_EOS, tc_token(s, T_SEP));
}

/* Writes the ids, then the add_* flags, each in first-set order. */
static int write_specials(h2g_kv_list *kv, const specials *s, h2g_error *err) {
    for (int i = 0; i < s->n_ids; i++) {
        int t = s->id_order[i];
        if (types[t].id_key && h2g_kv_set_u32(kv, types[t].id_key, (uint32_t)s->id[t], err) != 0)
            return -1;
    }
    for (int i = 0; i < s->n_adds; i++) {
        int t = s->add_order[i];
        if (types[t].add_key && h2g_kv_set_bool(kv, types[t].add_key, s->add[t] == 1, err) != 0)
            return -1;
    }
    return 0;
}

/* Whether tokenizer_config.json counts: the reference tests `not
 * tokenizer_config`, so an empty object is as good as none. */
static bool has_tokenizer_config(const h2g_checkout *co) {
    return cJSON_IsObject(co->tokenizer_config) && co->tokenizer_config->child;
}

/* Special token ids and add_* flags, in SpecialVocab's order: the
 * post-processor first, then tokenizer_config.json, then config.json. */
static int add_specials(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    specials s = {.n_types = 7};
    for (int t = 0; t < N_TYPES; t++) {
        s.id[t] = -1;
        s.add[t] = -1;
    }
    s.has_tc = has_tokenizer_config(co);
    s.tc = s.has_tc ? cJSON_Duplicate(co->tokenizer_config, 1) : cJSON_CreateObject();
    if (!s.tc) return h2g_fail(err, "tokenizer_config.json: out of memory for a working copy");
    if (s.has_tc) fallback_tokens(&s);
    post_processor(&s, co->tokenizer);
    int rc = 0;
    if (s.has_tc) rc = from_tokenizer_config(&s, co->tokenizer, err);
    if (rc == 0) rc = from_config(&s, co->config, err);
    cJSON_Delete(s.tc);
    return rc == 0 ? write_specials(kv, &s, err) : -1;
}

/* ---------------------------------------------------------------------------
 * Chat template
 * ------------------------------------------------------------------------- */

/* A template name with each character that is not an ASCII letter or digit
 * replaced by '_' (one per code point, as Python does it). Malloc'ed. */
static char *clean_template_name(const char *name) {
    char *out = malloc(strlen(name) + 1), *o = out;
    if (!out) return NULL;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p & 0xc0) == 0x80) continue; /* UTF-8 continuation byte */
        bool alnum = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        *o++ = alnum ? (char)*p : '_';
    }
    *o = '\0';
    return out;
}

/* Whether names[0..n) holds name. */
static bool has_name(const h2g_str *names, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i].data, name)) return true;
    return false;
}

/* One named template: tokenizer.chat_template.<name>, remembered in names
 * (each once; the reference keeps them in a set). */
static int add_named_template(h2g_kv_list *kv, char *clean, const char *tmpl, h2g_str *names,
                              size_t *n_names, h2g_error *err) {
    char *key = h2g_strfmt("tokenizer.chat_template.%s", clean);
    int rc = key ? h2g_kv_set_str(kv, key, tmpl, err)
                 : h2g_fail(err, "out of memory for the key of chat template '%.100s'", clean);
    free(key);
    if (rc != 0 || has_name(names, *n_names, clean)) {
        free(clean);
        return rc;
    }
    names[(*n_names)++] = (h2g_str){clean, strlen(clean)};
    return 0;
}

/* Whether entry i of a chat template list is one to write. An entry without
 * a name or template is passed over, as the reference does; one of the wrong
 * type (which the reference cannot write) is skipped with a warning. */
static bool usable_template(const cJSON *c, int i, const char *file, h2g_warnings *warnings) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
    const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(c, "template");
    if (!cJSON_IsObject(c) || (name && !cJSON_IsString(name)) ||
        (tmpl && !cJSON_IsNull(tmpl) && !cJSON_IsString(tmpl))) {
        h2g_warn(warnings, "%s: 'chat_template' entry %d must be {\"name\": string, "
                           "\"template\": string}; it was skipped", file, i);
        return false;
    }
    return cJSON_IsString(name) && name->valuestring[0] && cJSON_IsString(tmpl);
}

/* A list of {name, template}: "default" is tokenizer.chat_template, every
 * other name gets its own key, and the names go to tokenizer.chat_templates.
 * (The reference's order of that array comes from a Python set and is not
 * stable; we keep first-seen order.) */
static int add_template_list(h2g_kv_list *kv, const cJSON *list, const char *file,
                             h2g_warnings *warnings, h2g_error *err) {
    const char *main_template = NULL;
    h2g_str *names = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *names);
    size_t n_names = 0;
    int rc = names ? 0
                   : h2g_fail(err, "%s: out of memory for the names of %d chat templates", file,
                              cJSON_GetArraySize(list));
    int i = 0;
    for (const cJSON *c = list->child; c && rc == 0; c = c->next, i++) {
        if (!usable_template(c, i, file, warnings)) continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(c, "template");
        char *clean = clean_template_name(name->valuestring);
        if (!clean) {
            rc = h2g_fail(err, "%s: out of memory for chat template name %d", file, i);
        } else if (!strcmp(clean, "default")) {
            main_template = tmpl->valuestring;
            free(clean);
        } else {
            rc = add_named_template(kv, clean, tmpl->valuestring, names, &n_names, err);
        }
    }
    if (rc != 0) {
        free_tokens(names, n_names);
        return -1;
    }
    if (n_names == 0) free(names);
    else if (h2g_kv_set_str_array_owned(kv, "tokenizer.chat_templates", names, n_names, err))
        return -1;
    return main_template ? h2g_kv_set_str(kv, "tokenizer.chat_template", main_template, err) : 0;
}

/* Reads one additional template into a {name, template} object of list. */
static int add_template_file(cJSON *list, const h2g_checkout *co, const char *file,
                             h2g_error *err) {
    char *rel = h2g_strfmt("additional_chat_templates/%s", file), *text = NULL;
    size_t len;
    int rc = rel ? h2g_checkout_read_file(co, rel, H2G_JSON_MAX_BYTES, &text, &len, err)
                 : h2g_fail(err, "additional_chat_templates/%.200s: out of memory for its path",
                            file);
    if (rc > 0) rc = h2g_fail(err, "%s: disappeared while being read", rel);
    cJSON *entry = rc == 0 ? cJSON_CreateObject() : NULL;
    if (rc == 0) {
        char *stem = strndup(file, strlen(file) - strlen(".jinja"));
        if (!entry || !stem || !cJSON_AddStringToObject(entry, "name", stem) ||
            !cJSON_AddStringToObject(entry, "template", text))
            rc = h2g_fail(err, "%s: out of memory for a copy of the template (%zu bytes)", rel,
                          len);
        free(stem);
        if (rc == 0) cJSON_AddItemToArray(list, entry);
        else cJSON_Delete(entry);
    }
    free(text);
    free(rel);
    return rc;
}

/* chat_template.jinja, as a plain string, or (when additional_chat_templates
 * holds *.jinja files) as a list with it as "default" plus one entry per
 * file. NULL when there is no chat_template.jinja. */
static int jinja_templates(const h2g_checkout *co, cJSON **out, h2g_error *err) {
    *out = NULL;
    if (!co->chat_template_jinja) return 0;
    size_t n = 0;
    /* Sorted: the reference takes the file system's order. */
    char **files = h2g_checkout_list(co, "additional_chat_templates", ".jinja", &n);
    cJSON *list = n ? cJSON_CreateArray() : NULL, *def = list ? cJSON_CreateObject() : NULL;
    int rc = 0;
    if (n == 0) {
        *out = cJSON_CreateString(co->chat_template_jinja);
    } else if (!def || !cJSON_AddStringToObject(def, "name", "default") ||
               !cJSON_AddStringToObject(def, "template", co->chat_template_jinja)) {
        cJSON_Delete(def);
        rc = h2g_fail(err, "chat_template.jinja: out of memory for a copy of the template");
    } else {
        cJSON_AddItemToArray(list, def);
        for (size_t i = 0; i < n && rc == 0; i++) rc = add_template_file(list, co, files[i], err);
        *out = list;
        list = NULL;
    }
    cJSON_Delete(list);
    for (size_t i = 0; i < n; i++) free(files[i]);
    free(files);
    if (rc == 0 && !*out)
        return h2g_fail(err, "chat_template.jinja: out of memory for a copy of the template");
    if (rc != 0) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* chat_template.json's "chat_template" field (a copy), or NULL. A file that
 * is not JSON is skipped with a warning: the template is optional. */
static int json_template(const h2g_checkout *co, cJSON **out, h2g_error *err) {
    *out = NULL;
    cJSON *doc = NULL;
    h2g_error why = {{0}};
    if (h2g_checkout_read_json(co, "chat_template.json", &doc, &why) != 0) {
        h2g_warn(co->warnings, "%s; no chat template was taken from it", why.msg);
        return 0;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(doc, "chat_template");
    if (t) *out = cJSON_Duplicate(t, 1);
    cJSON_Delete(doc);
    return t && !*out ? h2g_fail(err, "chat_template.json: out of memory for a copy of its "
                                      "chat template")
                      : 0;
}

/* tokenizer.chat_template (and named templates). Only with a
 * tokenizer_config.json, as in the reference: its chat_template first,
 * else chat_template.jinja (+ additional_chat_templates/), else
 * chat_template.json. Strings and lists are written; null is nothing, and
 * other types are skipped with a warning (the reference warns too). */
static int add_chat_template(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    if (!has_tokenizer_config(co)) return 0;
    cJSON *alt = NULL;
    const cJSON *t;
    const char *file = "tokenizer_config.json";
    if (cJSON_GetObjectItemCaseSensitive(co->tokenizer_config, "chat_template")) {
        t = cJSON_GetObjectItemCaseSensitive(co->tokenizer_config, "chat_template");
    } else {
        if (jinja_templates(co, &alt, err) != 0) return -1;
        if (!alt && json_template(co, &alt, err) != 0) return -1;
        if (alt && !co->chat_template_jinja) file = "chat_template.json";
        t = alt;
    }
    int rc = 0;
    if (cJSON_IsString(t))
        rc = h2g_kv_set_str(kv, "tokenizer.chat_template", t->valuestring, err);
    else if (cJSON_IsArray(t))
        rc = add_template_list(kv, t, file, co->warnings, err);
    else if (t && !cJSON_IsNull(t))
        h2g_warn(co->warnings, "%s: 'chat_template' must be a string or a list of {name, "
                               "template}, found %s; no chat template was written",
                 file, h2g_json_kind(t));
    cJSON_Delete(alt);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

/* Kimi-K2's layout, tiktoken.model without tokenizer.json (tiktoken.h):
 * the same keys in the same order, the tokens and merges rebuilt from the
 * ranks, pre kimi-k2. SpecialVocab then finds no tokenizer.json, so the
 * special ids come from config.json only (tokenizer_config's names never
 * resolve) and the add_* flags from tokenizer_config's booleans. */
static int add_tiktoken_kv(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                           const char *pre_override, h2g_error *err) {
    if (h2g_kv_set_str(kv, "tokenizer.ggml.model", "gpt2", err) != 0 ||
        h2g_kv_set_str(kv, "tokenizer.ggml.pre", pre_override ? pre_override : "kimi-k2", err))
        return -1;
    int rc = h2g_tiktoken_add_kv(kv, co, vocab_size, err);
    if (rc > 0)
        return h2g_fail(err, "tokenizer.json: not found in %s (hf2gguf needs the fast "
                             "tokenizer file, or Kimi-K2's %s)",
                        co->dir ? co->dir : "the checkout", H2G_TIKTOKEN_FILE);
    if (rc != 0 || add_specials(kv, co, err) != 0 || add_chat_template(kv, co, err) != 0)
        return -1;
    return 0;
}

/* vocab_size sizes three arrays of that many entries: a number no tensor of
 * the checkout could hold (an embedding has a row per token) is refused
 * before anything is allocated (issue 14, item 10). */
static int check_vocab_bound(const h2g_checkout *co, uint32_t vocab_size, h2g_error *err) {
    uint64_t most = 0;
    const char *holder = NULL;
    for (size_t i = 0; i < co->n_tensors; i++) {
        for (uint32_t d = 0; d < co->tensors[i].n_dims; d++) {
            if (co->tensors[i].shape[d] > most) {
                most = co->tensors[i].shape[d];
                holder = co->tensors[i].name;
            }
        }
    }
    if (!holder || vocab_size <= most) return 0;
    return h2g_fail(err, "config.json: 'vocab_size' is %u, more tokens than any tensor of the "
                         "checkout can hold (the largest dimension is %llu, of '%s')",
                    vocab_size, (unsigned long long)most, holder);
}

/* All tokenizer keys, in the reference's order (see vocab.h). */
int h2g_vocab_add_kv(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                     const char *pre_override, h2g_error *err) {
    if (check_vocab_bound(co, vocab_size, err) != 0) return -1;
    const cJSON *tok = co->tokenizer;
    if (!cJSON_IsObject(tok)) return add_tiktoken_kv(kv, co, vocab_size, pre_override, err);
    const char *pre = pre_override;
    if (!pre && h2g_vocab_detect_pre(tok, &pre, err) != 0) return -1;
    if (vocab_size == 0) vocab_size = tokenizer_size(tok);
    if (vocab_size == 0) return h2g_fail(err, "tokenizer.json: the vocabulary is empty");
    if (h2g_kv_set_str(kv, "tokenizer.ggml.model", "gpt2", err) != 0 ||
        h2g_kv_set_str(kv, "tokenizer.ggml.pre", pre, err) != 0 ||
        add_tokens(kv, tok, vocab_size, err) != 0 || add_merges(kv, co, err) != 0 ||
        add_specials(kv, co, err) != 0 || add_chat_template(kv, co, err) != 0)
        return -1;
    return 0;
}
