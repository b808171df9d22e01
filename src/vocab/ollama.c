/*
 * ollama.c - the tokenizer.* keys as Ollama's converter writes them
 * (conversion-reference.md 8.2; see vocab.h).
 *
 * Simpler than llama.cpp's rules in every point: token types come only from
 * added_tokens' "special" flag, scores are the token ids, padding tokens are
 * counted from 0, merge pairs are joined with a plain space, special tokens
 * are looked up only through tokenizer_config.json, and the pre-tokenizer
 * name comes from a smaller digest table with "default" for the rest.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/vocab.h"
#include "base/util.h"
#include "source/hparams.h"

enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4 };

/* ---------------------------------------------------------------------------
 * Pre-tokenizer
 * ------------------------------------------------------------------------- */

/* Ollama's digest table: sha256 of the Split regexes of a Sequence
 * pre-tokenizer, as they are spelled in tokenizer.json. */
static const struct {
    const char *digest, *name;
} ollama_pre[] = {
    {"d98f9631be1e9607a9848c26c1f9eac1aa9fc21ac6ba82a2fc0741af9780a48f", "llama-bpe"},
    {"03df5c5863ad70781dcfdef491ead25140f895fe8010964be0daefe27be32b02", "deepseek-llm"},
    {"21cde974d587f0d54dc8d56b183cc1e6239600172035c68fbd6d4b9f8da0576e", "deepseek-coder"},
    {"1ff7f41064896984db5d1bb6ff64fa4bc29007d08c1b439e505b7392777a319e", "qwen2"},
    {"00431aed57e696b747435f734d1e3b9b1bfd931a121fb5cac7129e97c181e9ba", "qwen35"},
    {"b92c0824a58e1d8dc3221cf3e12c433c3a86f57e46d57229993489f0798e7702", "laguna"},
    {NULL, NULL},
};

/* Ollama looks only at the entries of a Sequence; anything it does not
 * know is "default" (no error, unlike llama.cpp's converter). */
static const char *detect_pre(const cJSON *tok) {
    const cJSON *pre = cJSON_GetObjectItemCaseSensitive(tok, "pre_tokenizer");
    if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(pre, "pretokenizers"))) return "default";
    char hex[65];
    h2g_vocab_pre_digest(tok, false, hex, NULL, NULL);
    for (int i = 0; ollama_pre[i].digest; i++)
        if (!strcmp(hex, ollama_pre[i].digest)) return ollama_pre[i].name;
    return "default";
}

/* ---------------------------------------------------------------------------
 * Tokens
 * ------------------------------------------------------------------------- */

typedef struct token {
    const char *text; /* NULL: no token has this id (yet) */
    int32_t type;
} token;

typedef struct vocab {
    token *tokens;
    size_t n;    /* ids 0 .. n-1 */
    size_t pads; /* "[PAD<k>]" tokens after them */
} vocab;

/* A whole-number JSON id in [0, limit), or -1. */
static long token_id(const cJSON *v, size_t limit) {
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble >= (double)limit)
        return -1;
    return (long)v->valuedouble;
}

/* Fills v->tokens from model.vocab, then added_tokens over them. Ids must
 * run from 0 without gaps: Ollama would silently renumber the tokens after
 * a gap, which no model survives. */
static int collect_tokens(vocab *v, const cJSON *tok, h2g_error *err) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(tok, "model");
    const cJSON *map = cJSON_GetObjectItemCaseSensitive(model, "vocab");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    if (!cJSON_IsObject(map))
        return h2g_fail(err, "tokenizer.json: 'model.vocab' must be an object");
    if (added && !cJSON_IsNull(added) && !cJSON_IsArray(added))
        return h2g_fail(err, "tokenizer.json: 'added_tokens' must be a list");
    size_t limit = (size_t)cJSON_GetArraySize(map) + (size_t)cJSON_GetArraySize(added);
    v->tokens = calloc(limit ? limit : 1, sizeof *v->tokens);
    if (!v->tokens)
        return h2g_fail(err, "tokenizer.json: out of memory for the token table (%zu tokens)",
                        limit);
    for (const cJSON *e = map->child; e; e = e->next) {
        long id = token_id(e, limit);
        if (id < 0 || v->tokens[id].text)
            return h2g_fail(err, "tokenizer.json: model.vocab['%.100s'] has id %s; ids must be "
                                 "whole numbers from 0, each used once",
                            e->string, id < 0 ? "out of range" : "used twice");
        v->tokens[id] = (token){e->string, TOKEN_NORMAL};
    }
    size_t i = 0;
    for (const cJSON *e = cJSON_IsArray(added) ? added->child : NULL; e; e = e->next, i++) {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(e, "content");
        long id = token_id(cJSON_GetObjectItemCaseSensitive(e, "id"), limit);
        if (!cJSON_IsString(text) || id < 0)
            return h2g_fail(err, "tokenizer.json: added_tokens[%zu] needs a string 'content' and "
                                 "a whole-number 'id' below %zu", i, limit);
        bool special = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "special"));
        v->tokens[id] = (token){text->valuestring, special ? TOKEN_CONTROL : TOKEN_USER_DEFINED};
    }
    while (v->n < limit && v->tokens[v->n].text) v->n++;
    for (size_t k = v->n; k < limit; k++)
        if (v->tokens[k].text)
            return h2g_fail(err, "tokenizer.json: no token has id %zu, but id %zu is used; "
                                 "Ollama's layout needs ids without gaps", v->n, k);
    return 0;
}

/* vocab_size, or text_config's: the file's token count is padded to it. */
static int padded_size(const cJSON *config, size_t n, size_t *pads, h2g_error *err) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(config, "text_config");
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(config, "vocab_size");
    if (!cJSON_IsNumber(vs) || vs->valuedouble == 0)
        vs = cJSON_GetObjectItemCaseSensitive(text, "vocab_size");
    *pads = 0;
    if (!vs || cJSON_IsNull(vs)) return 0;
    if (!cJSON_IsNumber(vs) || vs->valuedouble < 0 || vs->valuedouble > 4294967295.0 ||
        vs->valuedouble != floor(vs->valuedouble))
        return h2g_fail(err, "config.json: 'vocab_size' must be a whole number from 0 to "
                             "4294967295");
    size_t want = (size_t)vs->valuedouble;
    if (want > n && want - n > H2G_JSON_MAX_BYTES)
        return h2g_fail(err, "config.json: 'vocab_size' %zu is far beyond the tokenizer's %zu "
                             "tokens", want, n);
    *pads = want > n ? want - n : 0;
    return 0;
}

static int add_tokens(h2g_kv_list *kv, const vocab *v, h2g_error *err) {
    size_t total = v->n + v->pads;
    h2g_str *texts = calloc(total ? total : 1, sizeof *texts);
    float *scores = malloc((total ? total : 1) * sizeof *scores);
    int32_t *types = malloc((total ? total : 1) * sizeof *types);
    int rc = texts && scores && types
                 ? 0
                 : h2g_fail(err, "out of memory for the token table (%zu tokens)", total);
    for (size_t i = 0; i < total && rc == 0; i++) {
        bool pad = i >= v->n;
        texts[i].data = pad ? h2g_strfmt("[PAD%zu]", i - v->n) : h2g_strdup(v->tokens[i].text);
        if (!texts[i].data) rc = h2g_fail(err, "out of memory for the text of token %zu", i);
        else texts[i].len = strlen(texts[i].data);
        scores[i] = pad ? -1.0f : (float)i;
        types[i] = pad ? TOKEN_USER_DEFINED : v->tokens[i].type;
    }
    if (rc == 0) rc = h2g_kv_set_str(kv, "tokenizer.ggml.model", "gpt2", err);
    if (rc == 0) {
        rc = h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.tokens", texts, total, err);
        texts = NULL;
    }
    if (rc == 0)
        rc = h2g_kv_set_array(kv, "tokenizer.ggml.scores", H2G_VT_FLOAT32, scores, total, err);
    if (rc == 0)
        rc = h2g_kv_set_array(kv, "tokenizer.ggml.token_type", H2G_VT_INT32, types, total, err);
    for (size_t i = 0; texts && i < total; i++) free(texts[i].data);
    free(texts);
    free(scores);
    free(types);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Merges: strings as they are, pairs joined with one space
 * ------------------------------------------------------------------------- */

static char *merge_text(const cJSON *m) {
    if (cJSON_IsString(m)) return h2g_strdup(m->valuestring);
    if (!cJSON_IsArray(m)) return NULL;
    size_t len = 1;
    for (const cJSON *p = m->child; p; p = p->next) {
        if (!cJSON_IsString(p)) return NULL;
        len += strlen(p->valuestring) + 1;
    }
    char *s = malloc(len);
    if (!s) return NULL;
    s[0] = '\0';
    for (const cJSON *p = m->child; p; p = p->next) {
        if (p != m->child) strcat(s, " ");
        strcat(s, p->valuestring);
    }
    return s;
}

static int add_merges(h2g_kv_list *kv, const cJSON *tok, h2g_error *err) {
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(tok, "model");
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(model, "merges");
    if (!list || cJSON_IsNull(list)) return 0;
    if (!cJSON_IsArray(list))
        return h2g_fail(err, "tokenizer.json: 'model.merges' must be a list");
    size_t n = (size_t)cJSON_GetArraySize(list), i = 0;
    if (n == 0) return 0;
    h2g_str *merges = calloc(n, sizeof *merges);
    if (!merges) return h2g_fail(err, "tokenizer.json: out of memory for its %zu merges", n);
    bool pairs = cJSON_IsArray(list->child);
    for (const cJSON *m = list->child; m; m = m->next, i++) {
        merges[i].data = cJSON_IsArray(m) == pairs ? merge_text(m) : NULL;
        if (!merges[i].data) {
            for (size_t k = 0; k < i; k++) free(merges[k].data);
            free(merges);
            return h2g_fail(err, "tokenizer.json: model.merges[%zu] must be a %s, like the "
                                 "first entry", i, pairs ? "list of strings" : "string");
        }
        merges[i].len = strlen(merges[i].data);
    }
    return h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.merges", merges, n, err);
}

/* ---------------------------------------------------------------------------
 * Special tokens and the chat template (tokenizer_config.json only)
 * ------------------------------------------------------------------------- */

/* Ollama's seven special token types and the names of their keys. */
static const struct {
    const char *type, *key;
} specials[] = {
    {"bos", "bos"}, {"eos", "eos"}, {"unk", "unknown"}, {"sep", "seperator"},
    {"pad", "padding"}, {"cls", "cls"}, {"mask", "mask"},
};
enum { N_SPECIALS = sizeof specials / sizeof specials[0] };

/* The id of the added token whose content is text (the last one, as a Go
 * map keeps it), or -1. */
static long added_id(const cJSON *tok, const char *text) {
    long id = -1;
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(tok, "added_tokens");
    for (const cJSON *e = cJSON_IsArray(added) ? added->child : NULL; e; e = e->next) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "content");
        const cJSON *i = cJSON_GetObjectItemCaseSensitive(e, "id");
        if (cJSON_IsString(c) && !strcmp(c->valuestring, text) && cJSON_IsNumber(i))
            id = (long)i->valuedouble;
    }
    return id;
}

/* "<type>_token": a string, or an object whose "content" is one. */
static const char *special_text(const cJSON *tc, const char *type) {
    char key[32];
    snprintf(key, sizeof key, "%s_token", type);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(tc, key);
    if (cJSON_IsObject(v)) v = cJSON_GetObjectItemCaseSensitive(v, "content");
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A list-valued "<type>_token_id" of generation_config.json adds
 * tokenizer.ggml.<key>_token_ids; anything else there is ignored. */
static int add_id_list(h2g_kv_list *kv, const cJSON *gen, int s, h2g_error *err) {
    char key[64];
    snprintf(key, sizeof key, "%s_token_id", specials[s].type);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(gen, key);
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0;
    if (n == 0) return 0;
    int32_t *ids = malloc((size_t)n * sizeof *ids);
    if (!ids)
        return h2g_fail(err, "generation_config.json: out of memory for the %d ids of '%s'", n,
                        key);
    int i = 0;
    for (const cJSON *e = list->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || e->valuedouble != (double)(int32_t)e->valuedouble) {
            free(ids); /* not a list of int32: Ollama passes over it */
            return 0;
        }
        ids[i] = (int32_t)e->valuedouble;
    }
    snprintf(key, sizeof key, "tokenizer.ggml.%s_token_ids", specials[s].key);
    int rc = h2g_kv_set_array(kv, key, H2G_VT_INT32, ids, (uint64_t)n, err);
    free(ids);
    return rc;
}

/* One special type: its id when tokenizer_config names an added token, and
 * then its add_* flag when tokenizer_config has one. */
static int add_special(h2g_kv_list *kv, const h2g_checkout *co, int s, h2g_error *err) {
    const cJSON *tc = co->tokenizer_config;
    const char *text = special_text(tc, specials[s].type);
    long id = text ? added_id(co->tokenizer, text) : -1;
    if (id < 0 || id > UINT32_MAX) return 0;
    char key[64];
    snprintf(key, sizeof key, "add_%s_token", specials[s].type);
    const cJSON *flag = cJSON_GetObjectItemCaseSensitive(tc, key);
    if (flag && !cJSON_IsBool(flag) && !cJSON_IsNull(flag))
        return h2g_fail(err, "tokenizer_config.json: '%s' must be true or false", key);
    if (flag) {
        snprintf(key, sizeof key, "tokenizer.ggml.add_%s_token", specials[s].key);
        if (h2g_kv_set_bool(kv, key, cJSON_IsTrue(flag), err) != 0) return -1;
    }
    snprintf(key, sizeof key, "tokenizer.ggml.%s_token_id", specials[s].key);
    if (h2g_kv_set_u32(kv, key, (uint32_t)id, err) != 0) return -1;
    return add_id_list(kv, co->generation_config, s, err);
}

/* tokenizer_config's chat_template: a string, or a list of named templates
 * of which "default" is taken. Any other type is skipped with a warning:
 * the template is optional. */
static int add_template(h2g_kv_list *kv, const cJSON *tc, h2g_warnings *warnings,
                        h2g_error *err) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(tc, "chat_template");
    if (!t || cJSON_IsNull(t)) return 0;
    if (cJSON_IsString(t)) {
        if (!*t->valuestring) return 0;
        return h2g_kv_set_str(kv, "tokenizer.chat_template", t->valuestring, err);
    }
    if (!cJSON_IsArray(t)) {
        h2g_warn(warnings, "tokenizer_config.json: 'chat_template' must be a string or a list "
                           "of {name, template}, found %s; no chat template was written",
                 h2g_json_kind(t));
        return 0;
    }
    for (const cJSON *e = t->child; e; e = e->next) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *body = cJSON_GetObjectItemCaseSensitive(e, "template");
        if (cJSON_IsString(name) && !strcmp(name->valuestring, "default") &&
            cJSON_IsString(body) && *body->valuestring)
            return h2g_kv_set_str(kv, "tokenizer.chat_template", body->valuestring, err);
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

int h2g_vocab_ollama_add_kv(h2g_kv_list *kv, const h2g_checkout *co, const char *pre,
                            h2g_error *err) {
    if (!co->tokenizer)
        return h2g_fail(err, "tokenizer.json: not found in %s; Ollama's layout needs it",
                        co->dir);
    vocab v = {0};
    int rc = collect_tokens(&v, co->tokenizer, err);
    if (rc == 0) rc = padded_size(co->config, v.n, &v.pads, err);
    if (rc == 0)
        rc = h2g_kv_set_str(kv, "tokenizer.ggml.pre", pre ? pre : detect_pre(co->tokenizer), err);
    if (rc == 0) rc = add_tokens(kv, &v, err);
    free(v.tokens);
    if (rc == 0) rc = add_merges(kv, co->tokenizer, err);
    if (rc == 0 && co->tokenizer_config) {
        rc = add_template(kv, co->tokenizer_config, co->warnings, err);
        for (int s = 0; s < N_SPECIALS && rc == 0; s++) rc = add_special(kv, co, s, err);
    }
    return rc;
}
