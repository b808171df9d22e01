/* vocab.c - tokenizer.* keys from tokenizer.json and tokenizer_config.json,
 * as llama.cpp's converter writes them (see include/hf2gguf/vocab.h and
 * conversion-reference.md section 6). */
#include "hf2gguf/vocab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "util.h"

enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4, TOKEN_UNUSED = 5 };

/* ---------------------------------------------------------------------------
 * Pre-tokenizer recognition
 * ------------------------------------------------------------------------- */

const char *const h2g_known_pretokenizers[] = {
    "deepseek-llm", "deepseek-coder", "deepseek-v3", "kimi-k2", "llama-bpe", "qwen2",
    "default", NULL,
};

/* sha256 of the concatenated Split regexes -> llama.cpp's name. Each name
 * appears with the raw CR/LF spelling and with CR/LF written as the escapes
 * \r \n (both occur in published tokenizer.json files); deepseek-llm also in
 * its Unicode NFC form. */
static const struct {
    const char *digest, *name;
} pre_digests[] = {
    {"03df5c5863ad70781dcfdef491ead25140f895fe8010964be0daefe27be32b02", "deepseek-llm"},
    {"ebdf00d5a27bb55062c178b5bc7969be03691e029512f84b1591141100537696", "deepseek-llm"},
    {"94446277ab1e08f09614ed3b563f21a0e0f28dc342b5d6217c9564082eb95880", "deepseek-llm"},
    {"21cde974d587f0d54dc8d56b183cc1e6239600172035c68fbd6d4b9f8da0576e", "deepseek-coder"},
    {"161fc3536ad52acaac5e8bffbeb47f089ea1d02e158226d1109a19e7191b8aab", "deepseek-coder"},
    {"3e41884740914736a01647a8d1d6426e0e5aed47b7fdb19dfb81d31e3653a502", "deepseek-v3"},
    {"5928810eba7f1675589c17cc343fdb773b5bf8b5e7d876d28f9bf9ff7202d87c", "deepseek-v3"},
    {"d98f9631be1e9607a9848c26c1f9eac1aa9fc21ac6ba82a2fc0741af9780a48f", "llama-bpe"},
    {"1ff7f41064896984db5d1bb6ff64fa4bc29007d08c1b439e505b7392777a319e", "qwen2"},
    {NULL, NULL},
};

/* The Split regexes of tokenizer.json's pre_tokenizer (a Sequence or one). */
static size_t split_regexes(const cJSON *tok, const char **out, size_t max) {
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(tok, "pre_tokenizer");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(pre, "pretokenizers");
    const cJSON *one = cJSON_IsArray(list) ? list->child : pre;
    size_t n = 0;
    for (const cJSON *p = one; p && n < max; p = cJSON_IsArray(list) ? p->next : NULL) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
        const cJSON *pat = cJSON_GetObjectItemCaseSensitive(p, "pattern");
        const cJSON *re = cJSON_GetObjectItemCaseSensitive(pat, "Regex");
        if (cJSON_IsString(type) && !strcmp(type->valuestring, "Split") && cJSON_IsString(re))
            out[n++] = re->valuestring;
    }
    return n;
}

/* Hex digest of the regexes, optionally with raw CR/LF turned into \r \n. */
static void regex_digest(const char *const *re, size_t n, bool escape_crlf, char hex[65]) {
    h2g_sha256 h;
    uint8_t d[32];
    h2g_sha256_init(&h);
    for (size_t i = 0; i < n; i++) {
        for (const char *p = re[i]; *p; p++) {
            if (escape_crlf && (*p == '\r' || *p == '\n'))
                h2g_sha256_update(&h, *p == '\r' ? "\\r" : "\\n", 2);
            else
                h2g_sha256_update(&h, p, 1);
        }
    }
    h2g_sha256_final(&h, d);
    h2g_sha256_hex(d, hex);
}

static const char *lookup_digest(const char *hex) {
    for (int i = 0; pre_digests[i].digest; i++)
        if (!strcmp(pre_digests[i].digest, hex)) return pre_digests[i].name;
    return NULL;
}

int h2g_vocab_detect_pre(const cJSON *tokenizer, const char **name, h2g_error *err) {
    const char *re[16];
    size_t n = split_regexes(tokenizer, re, 16);
    char raw[65], escaped[65];
    regex_digest(re, n, false, raw);
    regex_digest(re, n, true, escaped);
    *name = lookup_digest(raw);
    if (!*name) *name = lookup_digest(escaped);
    /* DeepSeek-V3's chain by its shape: digits in threes, then CJK, then the
     * main pattern; spelled in ways no table can list in full. */
    if (!*name && n == 3 && !strcmp(re[0], "\\p{N}{1,3}")) *name = "deepseek-v3";
    if (*name) return 0;
    char names[256] = "";
    for (int i = 0; h2g_known_pretokenizers[i]; i++) {
        if (i) strncat(names, ", ", sizeof names - strlen(names) - 1);
        strncat(names, h2g_known_pretokenizers[i], sizeof names - strlen(names) - 1);
    }
    return h2g_fail(err, "tokenizer.json: pre-tokenizer not recognised (%zu Split regexes, "
                         "sha256 %.16s...); pass --tokenizer-pre NAME with one of: %s",
                    n, raw, names);
}

/* ---------------------------------------------------------------------------
 * Tokens and token types
 * ------------------------------------------------------------------------- */

typedef struct added {
    const char *content;
    long id;
    bool special;
} added_token;

static int cmp_added(const void *a, const void *b) {
    return strcmp(((const added_token *)a)->content, ((const added_token *)b)->content);
}

/* The added_tokens list, sorted by content for lookups. */
static int load_added(const cJSON *tok, added_token **out, size_t *n, h2g_error *err) {
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    *out = NULL;
    *n = 0;
    if (!list) return 0;
    if (!cJSON_IsArray(list)) return h2g_fail(err, "tokenizer.json: 'added_tokens' must be a list");
    *out = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof **out);
    if (!*out) return h2g_fail(err, "out of memory");
    for (const cJSON *e = list->child; e; e = e->next) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "content");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (!cJSON_IsString(c) || !cJSON_IsNumber(id) || id->valuedouble < 0 ||
            id->valuedouble != floor(id->valuedouble) || id->valuedouble > 1e9)
            return h2g_fail(err, "tokenizer.json: added_tokens entry %zu needs a string "
                                 "'content' and a whole-number 'id'", *n);
        (*out)[*n] = (added_token){c->valuestring, (long)id->valuedouble,
                             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special"))};
        (*n)++;
    }
    qsort(*out, *n, sizeof **out, cmp_added);
    return 0;
}

static const added_token *find_added(const added_token *list, size_t n, const char *content) {
    added_token key = {content, 0, false};
    return bsearch(&key, list, n, sizeof *list, cmp_added);
}

/* llama.cpp's heuristic for added tokens that ought to be control tokens. */
static bool looks_special(const char *t) {
    static const char *const exact[] = {"<pad>", "<mask>", "<2mass>", "[@BOS@]", NULL};
    for (int i = 0; exact[i]; i++)
        if (!strcmp(t, exact[i])) return true;
    return (h2g_str_starts_with(t, "<|") && h2g_str_ends_with(t, "|>")) ||
           (h2g_str_starts_with(t, "<\xef\xbd\x9c") && h2g_str_ends_with(t, "\xef\xbd\x9c>")) ||
           (h2g_str_starts_with(t, "<unused") && h2g_str_ends_with(t, ">"));
}

/* Copies s with every U+2581 (lower one eighth block) replaced by a space. */
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

/* id -> token text, from model.vocab and added_tokens. */
static int reverse_vocab(const cJSON *tok, const added_token *add, size_t n_add, uint32_t vocab_size,
                         const char **by_id, h2g_error *err) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(tok, "model");
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    if (!cJSON_IsObject(vocab))
        return h2g_fail(err, "tokenizer.json: 'model.vocab' must be an object (only byte-level "
                             "BPE tokenizers are supported)");
    for (const cJSON *e = vocab->child; e; e = e->next) {
        double id = cJSON_IsNumber(e) ? e->valuedouble : -1;
        if (id < 0 || id != floor(id))
            return h2g_fail(err, "tokenizer.json: token '%s' has no whole-number id", e->string);
        if (id >= vocab_size)
            return h2g_fail(err, "tokenizer.json: token '%s' has id %.0f, not below vocab_size "
                                 "%u of config.json", e->string, id, vocab_size);
        by_id[(size_t)id] = e->string;
    }
    for (size_t i = 0; i < n_add; i++) {
        if (add[i].id >= (long)vocab_size)
            return h2g_fail(err, "tokenizer.json: added token '%s' has id %ld, not below "
                                 "vocab_size %u of config.json", add[i].content, add[i].id,
                            vocab_size);
        by_id[add[i].id] = add[i].content;
    }
    return 0;
}

static int cmp_str_ptr(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The loader requires every token string to be unique. */
static int check_unique(const h2g_str *tokens, uint32_t n, h2g_error *err) {
    const char **sorted = malloc((n + 1) * sizeof *sorted);
    if (!sorted) return h2g_fail(err, "out of memory");
    for (uint32_t i = 0; i < n; i++) sorted[i] = tokens[i].data;
    qsort(sorted, n, sizeof *sorted, cmp_str_ptr);
    int rc = 0;
    for (uint32_t i = 1; i < n && rc == 0; i++)
        if (!strcmp(sorted[i - 1], sorted[i]))
            rc = h2g_fail(err, "tokenizer.json: token '%s' appears twice (llama.cpp requires "
                               "unique tokens)", sorted[i]);
    free(sorted);
    return rc;
}

/* tokenizer.ggml.tokens and token_type. */
static int add_tokens(h2g_kv_list *kv, const cJSON *tok, uint32_t vocab_size, h2g_error *err) {
    added_token *add = NULL;
    size_t n_add = 0;
    const char **by_id = calloc(vocab_size + 1, sizeof *by_id);
    h2g_str *tokens = calloc(vocab_size + 1, sizeof *tokens);
    int32_t *types = calloc(vocab_size + 1, sizeof *types);
    int rc = -1;
    if (!by_id || !tokens || !types) {
        h2g_fail(err, "out of memory");
        goto done;
    }
    if (load_added(tok, &add, &n_add, err) != 0 ||
        reverse_vocab(tok, add, n_add, vocab_size, by_id, err) != 0)
        goto done;
    for (uint32_t i = 0; i < vocab_size; i++) {
        const added_token *a = by_id[i] ? find_added(add, n_add, by_id[i]) : NULL;
        if (!by_id[i]) {
            tokens[i].data = h2g_strfmt("[PAD%u]", i);
            types[i] = TOKEN_UNUSED;
        } else if (a && (a->special || looks_special(by_id[i]))) {
            tokens[i].data = h2g_strdup(by_id[i]);
            types[i] = TOKEN_CONTROL;
        } else if (a) {
            tokens[i].data = spaces_for_blocks(by_id[i]);
            types[i] = TOKEN_USER_DEFINED;
        } else {
            tokens[i].data = h2g_strdup(by_id[i]);
            types[i] = TOKEN_NORMAL;
        }
        if (!tokens[i].data) {
            h2g_fail(err, "out of memory");
            goto done;
        }
        tokens[i].len = strlen(tokens[i].data);
    }
    if (check_unique(tokens, vocab_size, err) != 0) goto done;
    rc = h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.tokens", tokens, vocab_size, err);
    tokens = NULL;
    if (rc == 0)
        rc = h2g_kv_set_array(kv, "tokenizer.ggml.token_type", H2G_VT_INT32, types, vocab_size,
                              err);
done:
    if (tokens) {
        for (uint32_t i = 0; i < vocab_size; i++) free(tokens[i].data);
        free(tokens);
    }
    free(types);
    free(by_id);
    free(add);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Merges
 * ------------------------------------------------------------------------- */

/* "a b" from a [a, b] pair; spaces inside a part become U+0120 (Ġ). */
static char *join_pair(const char *a, const char *b) {
    size_t spaces = 0;
    for (const char *p = a; *p; p++) spaces += *p == ' ';
    for (const char *p = b; *p; p++) spaces += *p == ' ';
    char *out = malloc(strlen(a) + strlen(b) + spaces + 2), *o = out;
    if (!out) return NULL;
    for (const char *part = a; part; part = part == a ? b : NULL) {
        for (const char *p = part; *p; p++) {
            if (*p == ' ') {
                *o++ = '\xc4';
                *o++ = '\xa0';
            } else {
                *o++ = *p;
            }
        }
        if (part == a) *o++ = ' ';
    }
    *o = '\0';
    return out;
}

static int add_merges(h2g_kv_list *kv, const cJSON *tok, h2g_error *err) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(tok, "model");
    const cJSON *merges = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!cJSON_IsArray(merges) || !merges->child)
        return h2g_fail(err, "tokenizer.json: 'model.merges' is missing or empty (a byte-level "
                             "BPE vocabulary needs its merges)");
    size_t n = (size_t)cJSON_GetArraySize(merges), i = 0;
    h2g_str *out = calloc(n, sizeof *out);
    if (!out) return h2g_fail(err, "out of memory");
    bool pairs = cJSON_IsArray(merges->child);
    for (const cJSON *m = merges->child; m; m = m->next, i++) {
        const cJSON *a = cJSON_GetArrayItem(m, 0), *b = cJSON_GetArrayItem(m, 1);
        if (!pairs && cJSON_IsString(m)) {
            out[i].data = h2g_strdup(m->valuestring);
        } else if (pairs && cJSON_GetArraySize(m) == 2 && cJSON_IsString(a) &&
                   cJSON_IsString(b)) {
            out[i].data = join_pair(a->valuestring, b->valuestring);
        } else {
            for (size_t j = 0; j < i; j++) free(out[j].data);
            free(out);
            return h2g_fail(err, "tokenizer.json: merge %zu is neither \"a b\" nor [a, b]", i);
        }
        if (!out[i].data) {
            for (size_t j = 0; j < i; j++) free(out[j].data);
            free(out);
            return h2g_fail(err, "out of memory");
        }
        out[i].len = strlen(out[i].data);
    }
    return h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.merges", out, n, err);
}

/* ---------------------------------------------------------------------------
 * Special tokens and add_* flags (gguf-py's SpecialVocab)
 * ------------------------------------------------------------------------- */

enum { T_BOS, T_EOS, T_UNK, T_SEP, T_PAD, T_CLS, T_MASK, T_EOT, T_EOM, N_TYPES };
static const char *const type_names[N_TYPES] = {"bos", "eos", "unk", "sep", "pad",
                                                 "cls", "mask", "eot", "eom"};
/* GGUF key of each type's id (NULL: cls has none). */
static const char *const id_keys[N_TYPES] = {
    "tokenizer.ggml.bos_token_id",     "tokenizer.ggml.eos_token_id",
    "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.seperator_token_id",
    "tokenizer.ggml.padding_token_id", NULL,
    "tokenizer.ggml.mask_token_id",    "tokenizer.ggml.eot_token_id",
    "tokenizer.ggml.eom_token_id",
};

typedef struct specials {
    int n_types;          /* 7, or 8/9 when eot/eom were added_token */
    long id[N_TYPES];     /* -1 when unset */
    int id_order[N_TYPES]; /* types in the order their id was set */
    int n_ids;
    int add[N_TYPES];      /* -1 unset, else 0/1 */
    int add_order[N_TYPES];
    int n_adds;
    cJSON *tc; /* a private copy of tokenizer_config.json, adjusted as gguf-py does */
} specials;

static void set_id(specials *s, int type, long id, uint32_t vocab_size) {
    if (id < 0 || (uint32_t)id >= vocab_size || s->id[type] >= 0) return;
    s->id[type] = id;
    s->id_order[s->n_ids++] = type;
}

static void set_add(specials *s, int type, bool value) {
    if (s->add[type] < 0) s->add_order[s->n_adds++] = type;
    s->add[type] = value;
}

/* tokenizer_config["<type>_token"] (a string, an AddedToken object, or NULL). */
static cJSON *tc_token(const specials *s, int type) {
    char key[32];
    snprintf(key, sizeof key, "%s_token", type_names[type]);
    cJSON *v = cJSON_GetObjectItemCaseSensitive(s->tc, key);
    return cJSON_IsNull(v) ? NULL : v;
}

static void tc_set_token(specials *s, int type, const cJSON *value) {
    char key[32];
    snprintf(key, sizeof key, "%s_token", type_names[type]);
    cJSON *copy = value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull();
    if (cJSON_HasObjectItem(s->tc, key))
        cJSON_ReplaceItemInObjectCaseSensitive(s->tc, key, copy);
    else
        cJSON_AddItemToObject(s->tc, key, copy);
}

/* Python truthiness of a JSON value. */
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

static const char *special_token_id(const cJSON *entry) {
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(entry, "SpecialToken");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(st, "id");
    return cJSON_IsString(id) && id->valuestring[0] ? id->valuestring : NULL;
}

static const char *sequence_id(const cJSON *entry) {
    const cJSON *sq = cJSON_GetObjectItemCaseSensitive(entry, "Sequence");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(sq, "id");
    return cJSON_IsString(id) ? id->valuestring : NULL;
}

/* The `pair` template decides add_sep: a separator between A and B. */
static void template_pair(specials *s, const cJSON *pair, const char *first, const char *last) {
    int n = cJSON_GetArraySize(pair);
    const char *pair_first = special_token_id(pair->child);
    int start = first && pair_first && !strcmp(pair_first, first) ? 1 : 0;
    const char *pair_last = n > 0 ? special_token_id(cJSON_GetArrayItem(pair, n - 1)) : NULL;
    int stop = last && pair_last && !strcmp(pair_last, last) ? n - 1 : n;
    if (stop - start < 1) return;
    const char *a = sequence_id(cJSON_GetArrayItem(pair, start));
    const char *b = sequence_id(cJSON_GetArrayItem(pair, stop - 1));
    if (!a || !b || strcmp(a, "A") || strcmp(b, "B") || stop - start - 2 < 1) return;
    const cJSON *sep = tc_token(s, T_SEP), *eos = tc_token(s, T_EOS);
    bool add_sep = false;
    const char *mid = special_token_id(cJSON_GetArrayItem(pair, start + 1));
    if (mid && (same(mid, sep) || same(mid, eos)) && !last) add_sep = true;
    if (stop - start - 2 == 2) {
        const char *mid2 = special_token_id(cJSON_GetArrayItem(pair, start + 2));
        if (mid2 && (same(mid2, sep) || same(mid2, eos))) add_sep = true;
    }
    set_add(s, T_SEP, add_sep);
    if (add_sep && !truthy(sep) && s->tc) tc_set_token(s, T_SEP, eos);
}

/* One TemplateProcessing: leading/trailing special tokens of `single`. */
static void template_processing(specials *s, const cJSON *proc) {
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(proc, "single");
    const cJSON *pair = cJSON_GetObjectItemCaseSensitive(proc, "pair");
    const char *first = NULL, *last = NULL;
    if (cJSON_GetArraySize(single) > 1) {
        first = special_token_id(single->child);
        if (first) {
            bool is_bos = s->tc ? same(first, tc_token(s, T_BOS)) || same(first, tc_token(s, T_CLS))
                                : true;
            set_add(s, T_BOS, is_bos);
        }
        last = special_token_id(cJSON_GetArrayItem(single, cJSON_GetArraySize(single) - 1));
        if (last) {
            const cJSON *eos = s->tc ? tc_token(s, T_EOS) : NULL;
            if (s->tc && !same(last, eos)) {
                if (s->n_types < N_TYPES) {
                    int extra = s->n_types++; /* eot, then eom */
                    tc_set_token(s, extra, eos);
                }
                cJSON *l = cJSON_CreateString(last);
                tc_set_token(s, T_EOS, l);
                cJSON_Delete(l);
            }
            set_add(s, T_EOS, true);
        }
    }
    if (cJSON_IsArray(pair) && pair->child) template_pair(s, pair, first, last);
}

static void post_processor(specials *s, const cJSON *tok) {
    const cJSON *pp = cJSON_GetObjectItemCaseSensitive(tok, "post_processor");
    if (!cJSON_IsObject(pp)) return;
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(pp, "processors");
    for (const cJSON *p = cJSON_IsArray(list) ? list->child : pp; p;
         p = cJSON_IsArray(list) ? p->next : NULL) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(p, "type");
        if (!cJSON_IsString(type)) continue;
        if (!strcmp(type->valuestring, "RobertaProcessing")) {
            set_add(s, T_BOS, true);
            set_add(s, T_EOS, true);
            set_add(s, T_SEP, true);
        } else if (!strcmp(type->valuestring, "TemplateProcessing")) {
            template_processing(s, p);
        }
    }
}

/* Ids and add_* flags from tokenizer_config.json, looked up by content in
 * tokenizer.json's added_tokens (first match). */
static void from_tokenizer_config(specials *s, const cJSON *tok, uint32_t vocab_size) {
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    for (int t = 0; t < s->n_types; t++) {
        char key[32];
        snprintf(key, sizeof key, "add_%s_token", type_names[t]);
        const cJSON *flag = cJSON_GetObjectItemCaseSensitive(s->tc, key);
        if (cJSON_IsBool(flag)) set_add(s, t, cJSON_IsTrue(flag));
        const cJSON *entry = tc_token(s, t);
        const char *content = cJSON_IsString(entry) ? entry->valuestring : NULL;
        if (cJSON_IsObject(entry)) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(entry, "content");
            content = cJSON_IsString(c) ? c->valuestring : NULL;
        }
        if (!content) continue;
        for (const cJSON *a = cJSON_IsArray(added) ? added->child : NULL; a; a = a->next) {
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(a, "content");
            if (!same(content, c)) continue;
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
            if (cJSON_IsNumber(id) && id->valuedouble == floor(id->valuedouble))
                set_id(s, t, (long)id->valuedouble, vocab_size);
            break;
        }
    }
}

/* config.json <type>_token_id (whole numbers only), else text_config's. */
static void from_config(specials *s, const cJSON *config, uint32_t vocab_size) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(config, "text_config");
    for (int t = 0; t < s->n_types; t++) {
        char key[32];
        snprintf(key, sizeof key, "%s_token_id", type_names[t]);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(config, key);
        if ((!v || cJSON_IsNull(v)) && cJSON_IsObject(text))
            v = cJSON_GetObjectItemCaseSensitive(text, key);
        if (cJSON_IsNumber(v) && v->valuedouble == floor(v->valuedouble) &&
            fabs(v->valuedouble) < 1e12)
            set_id(s, t, (long)v->valuedouble, vocab_size);
    }
}

/* bos <- cls and eos <- sep when only the latter are configured. */
static void fallback_tokens(specials *s) {
    if (!s->tc) return;
    if (!truthy(tc_token(s, T_BOS)) && truthy(tc_token(s, T_CLS)))
        tc_set_token(s, T_BOS, tc_token(s, T_CLS));
    if (!truthy(tc_token(s, T_EOS)) && truthy(tc_token(s, T_SEP)))
        tc_set_token(s, T_EOS, tc_token(s, T_SEP));
}

static int add_specials(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                        h2g_error *err) {
    specials s = {.n_types = 7};
    for (int t = 0; t < N_TYPES; t++) {
        s.id[t] = -1;
        s.add[t] = -1;
    }
    s.tc = cJSON_IsObject(co->tokenizer_config) ? cJSON_Duplicate(co->tokenizer_config, 1) : NULL;
    fallback_tokens(&s);
    post_processor(&s, co->tokenizer);
    if (s.tc) from_tokenizer_config(&s, co->tokenizer, vocab_size);
    from_config(&s, co->config, vocab_size);
    cJSON_Delete(s.tc);
    for (int i = 0; i < s.n_ids; i++) {
        int t = s.id_order[i];
        if (id_keys[t] && h2g_kv_set_u32(kv, id_keys[t], (uint32_t)s.id[t], err) != 0) return -1;
    }
    for (int i = 0; i < s.n_adds; i++) {
        int t = s.add_order[i];
        if (t != T_BOS && t != T_EOS && t != T_SEP) continue; /* no GGUF key for the others */
        char key[64];
        snprintf(key, sizeof key, "tokenizer.ggml.add_%s_token", type_names[t]);
        if (h2g_kv_set_bool(kv, key, s.add[t] == 1, err) != 0) return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Chat template
 * ------------------------------------------------------------------------- */

/* Named templates: "default" is the main one; others get their own keys. */
static int add_template_list(h2g_kv_list *kv, const cJSON *list, h2g_error *err) {
    const char *fallback = NULL;
    h2g_str *names = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof *names);
    uint64_t n_names = 0;
    if (!names) return h2g_fail(err, "out of memory");
    for (const cJSON *c = list->child; c; c = c->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *tmpl = cJSON_GetObjectItemCaseSensitive(c, "template");
        if (!cJSON_IsString(name) || !name->valuestring[0] || !cJSON_IsString(tmpl)) continue;
        char *clean = h2g_strdup(name->valuestring);
        for (char *p = clean; p && *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
                *p = '_';
        if (clean && !strcmp(clean, "default")) {
            fallback = tmpl->valuestring;
            free(clean);
            continue;
        }
        char *key = clean ? h2g_strfmt("tokenizer.chat_template.%s", clean) : NULL;
        if (!key || h2g_kv_set_str(kv, key, tmpl->valuestring, err) != 0) {
            free(key);
            free(clean);
            h2g_kv_set_str_array_owned(kv, "tokenizer.chat_templates", names, n_names, err);
            return h2g_fail(err, "out of memory");
        }
        free(key);
        names[n_names++] = (h2g_str){clean, strlen(clean)};
    }
    if (h2g_kv_set_str_array_owned(kv, "tokenizer.chat_templates", names, n_names, err) != 0)
        return -1;
    return fallback ? h2g_kv_set_str(kv, "tokenizer.chat_template", fallback, err) : 0;
}

static int add_chat_template(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    if (!cJSON_IsObject(co->tokenizer_config)) return 0; /* the reference reads none then */
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(co->tokenizer_config, "chat_template");
    if (!cJSON_HasObjectItem(co->tokenizer_config, "chat_template")) {
        if (co->chat_template_jinja)
            return h2g_kv_set_str(kv, "tokenizer.chat_template", co->chat_template_jinja, err);
        return 0;
    }
    if (cJSON_IsString(t)) return h2g_kv_set_str(kv, "tokenizer.chat_template", t->valuestring, err);
    if (cJSON_IsArray(t)) return add_template_list(kv, t, err);
    return 0; /* null or another type: ignored, as by the reference */
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

/* The tokenizer's own size: one more than its largest id. */
static uint32_t tokenizer_size(const cJSON *tok) {
    double max = -1;
    const cJSON *vocab = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(tok, "model"), "vocab");
    for (const cJSON *e = vocab ? vocab->child : NULL; e; e = e->next)
        if (cJSON_IsNumber(e) && e->valuedouble > max) max = e->valuedouble;
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    for (const cJSON *a = cJSON_IsArray(added) ? added->child : NULL; a; a = a->next) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(a, "id");
        if (cJSON_IsNumber(id) && id->valuedouble > max) max = id->valuedouble;
    }
    return max < 0 || max >= 4e9 ? 0 : (uint32_t)max + 1;
}

int h2g_vocab_add_kv(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                     const char *pre_override, h2g_error *err) {
    const cJSON *tok = co->tokenizer;
    if (!cJSON_IsObject(tok))
        return h2g_fail(err, "tokenizer.json: not found in %s (hf2gguf needs the fast "
                             "tokenizer file)", co->dir);
    const char *pre = pre_override;
    if (!pre && h2g_vocab_detect_pre(tok, &pre, err) != 0) return -1;
    if (vocab_size == 0) vocab_size = tokenizer_size(tok);
    if (vocab_size == 0) return h2g_fail(err, "tokenizer.json: the vocabulary is empty");
    if (h2g_kv_set_str(kv, "tokenizer.ggml.model", "gpt2", err) != 0 ||
        h2g_kv_set_str(kv, "tokenizer.ggml.pre", pre, err) != 0 ||
        add_tokens(kv, tok, vocab_size, err) != 0 || add_merges(kv, tok, err) != 0 ||
        add_specials(kv, co, vocab_size, err) != 0 || add_chat_template(kv, co, err) != 0)
        return -1;
    return 0;
}
