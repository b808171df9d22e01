/* tiktoken.c - Kimi-K2's tiktoken vocabulary as llama.cpp's gpt2 keys (see
 * tiktoken.h and conversion-reference-more.md 14.3).
 *
 * Three parts: reading tiktoken.model strictly; rebuilding the merges with
 * a hash map bytes -> rank (163,840 short BPE runs for the real file); and
 * the token list, where the ids after the ranks are tokenization_kimi.py's
 * special tokens, named from tokenizer_config.json's added_tokens_decoder. */
#include "vocab/tiktoken.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

enum { TOKEN_NORMAL = 1, TOKEN_CONTROL = 3, TOKEN_UNUSED = 5 };

/* ---------------------------------------------------------------------------
 * Reading tiktoken.model
 * ------------------------------------------------------------------------- */

/* Value of a standard base64 character, or -1. */
static int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Decodes canonical padded base64 s[0..n) into out (room for n / 4 * 3).
 * Returns the byte count, or -1 for anything else (wrong length, a
 * character outside the alphabet, padding inside, stray low bits). */
static long b64_decode(const char *s, size_t n, uint8_t *out) {
    if (n == 0 || n % 4 != 0) return -1;
    size_t pad = s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    long o = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            bool padding = i + k >= n - pad;
            int d = padding ? 0 : b64_value(s[i + k]);
            if (d < 0) return -1;
            v = v << 6 | (uint32_t)d;
        }
        size_t keep = i + 4 < n ? 3 : 3 - pad;
        if (keep < 3 && (v & (keep == 2 ? 0xffu : 0xffffu)) != 0) return -1;
        for (size_t k = 0; k < keep; k++) out[o++] = (uint8_t)(v >> (16 - 8 * k));
    }
    return o;
}

/* One line of the file, without its end. */
typedef struct line {
    const char *text;
    size_t len, number; /* number: 1-based, counting every line */
} line;

/* Cuts text into its non-empty lines (CR before LF dropped). */
static line *split_lines(const char *text, size_t len, size_t *n_out) {
    size_t n = 1;
    for (size_t i = 0; i < len; i++) n += text[i] == '\n';
    line *lines = malloc(n * sizeof *lines);
    if (!lines) return NULL;
    size_t k = 0, number = 0;
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t l = (size_t)(stop - p);
        number++;
        if (l > 0 && p[l - 1] == '\r') l--;
        if (l > 0) lines[k++] = (line){p, l, number};
        p = nl ? nl + 1 : end;
    }
    *n_out = k;
    return lines;
}

/* Splits "<base64> <rank>" into the base64 length and the rank. */
static int parse_fields(const line *l, const char *file, size_t *b64_len, uint32_t *rank,
                        h2g_error *err) {
    const char *sp = memchr(l->text, ' ', l->len);
    if (!sp || sp == l->text || (size_t)(sp - l->text) + 1 == l->len)
        return h2g_fail(err, "%s line %zu: expected '<base64 token> <rank>' (two fields "
                             "separated by one space)", file, l->number);
    uint64_t v = 0;
    for (const char *p = sp + 1; p < l->text + l->len; p++) {
        if (*p < '0' || *p > '9' || v >= H2G_TIKTOKEN_MAX_RANKS)
            return h2g_fail(err, "%s line %zu: the rank must be a whole number below %u, "
                                 "found '%.*s'", file, l->number, H2G_TIKTOKEN_MAX_RANKS,
                            (int)(l->text + l->len - sp - 1 > 24 ? 24 : l->text + l->len - sp - 1),
                            sp + 1);
        v = v * 10 + (uint64_t)(*p - '0');
    }
    if (v >= H2G_TIKTOKEN_MAX_RANKS)
        return h2g_fail(err, "%s line %zu: rank %llu is not below %u", file, l->number,
                        (unsigned long long)v, H2G_TIKTOKEN_MAX_RANKS);
    *b64_len = (size_t)(sp - l->text);
    *rank = (uint32_t)v;
    return 0;
}

/* Open-addressing map token bytes -> rank, over tk. A slot holds the rank
 * and, for tokens of up to 11 bytes (nearly all), the bytes themselves, so
 * that a lookup touches one cache line: the merge rebuild makes millions of
 * them at full size and is bound by memory latency, not by arithmetic. */
#define INLINE_BYTES 11

typedef struct map_slot {
    uint32_t rank1; /* rank + 1, 0 when empty */
    uint8_t len;    /* token length, or 0 when longer than INLINE_BYTES */
    uint8_t head[INLINE_BYTES];
} map_slot;

typedef struct token_map {
    const h2g_tiktoken *tk;
    map_slot *slot;
    size_t mask;
} token_map;

static uint64_t hash_bytes(const uint8_t *b, size_t n) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then mixed */
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    return h ^ (h >> 32);
}

static int map_init(token_map *m, const h2g_tiktoken *tk) {
    size_t cap = 16;
    while (cap < 2 * tk->n) cap *= 2;
    m->tk = tk;
    m->mask = cap - 1;
    m->slot = calloc(cap, sizeof *m->slot);
    return m->slot ? 0 : -1;
}

/* Whether slot s holds the token b[0..n). */
static bool slot_holds(const token_map *m, const map_slot *s, const uint8_t *b, size_t n) {
    if (n <= INLINE_BYTES) return s->len == n && !memcmp(s->head, b, n);
    if (s->len != 0) return false;
    size_t t = m->tk->by_rank[s->rank1 - 1];
    return m->tk->start[t + 1] - m->tk->start[t] == n &&
           !memcmp(m->tk->bytes + m->tk->start[t], b, n);
}

/* The slot where bytes b[0..n) are or would go. */
static size_t map_probe(const token_map *m, const uint8_t *b, size_t n) {
    for (size_t i = (size_t)hash_bytes(b, n) & m->mask;; i = (i + 1) & m->mask)
        if (m->slot[i].rank1 == 0 || slot_holds(m, &m->slot[i], b, n)) return i;
}

/* The rank of the token with bytes b[0..n), or -1. */
static long map_find(const token_map *m, const uint8_t *b, size_t n) {
    uint32_t r = m->slot[map_probe(m, b, n)].rank1;
    return r ? (long)r - 1 : -1;
}

/* Adds token t (tk->by_rank must be filled); returns the token already
 * there with the same bytes, or -1. */
static long map_add(token_map *m, size_t t) {
    const uint8_t *b = m->tk->bytes + m->tk->start[t];
    size_t n = m->tk->start[t + 1] - m->tk->start[t];
    map_slot *s = &m->slot[map_probe(m, b, n)];
    if (s->rank1) return (long)m->tk->by_rank[s->rank1 - 1];
    s->rank1 = m->tk->rank[t] + 1;
    s->len = n <= INLINE_BYTES ? (uint8_t)n : 0;
    memcpy(s->head, b, n <= INLINE_BYTES ? n : 0);
    return -1;
}

/* Decodes every line's token into tk (bytes, start, rank). */
static int decode_lines(const line *lines, const char *file, h2g_tiktoken *tk, h2g_error *err) {
    size_t total = 0;
    for (size_t i = 0; i < tk->n; i++) total += lines[i].len / 4 * 3 + 3;
    tk->bytes = malloc(total + 1);
    if (!tk->bytes)
        return h2g_fail(err, "%s: out of memory for the %zu bytes of its tokens", file, total);
    size_t o = 0;
    for (size_t i = 0; i < tk->n; i++) {
        size_t b64_len = 0;
        if (parse_fields(&lines[i], file, &b64_len, &tk->rank[i], err) != 0) return -1;
        long got = b64_decode(lines[i].text, b64_len, tk->bytes + o);
        if (got <= 0)
            return h2g_fail(err, "%s line %zu: the token '%.*s' is not canonical standard "
                                 "base64 (A-Z a-z 0-9 + /, '=' padding to a multiple of 4)",
                            file, lines[i].number, (int)(b64_len > 40 ? 40 : b64_len),
                            lines[i].text);
        tk->start[i] = o;
        o += (size_t)got;
    }
    tk->start[tk->n] = o;
    return 0;
}

/* Ranks 0 .. n-1 each exactly once; fills by_rank. */
static int check_ranks(const line *lines, const char *file, h2g_tiktoken *tk, h2g_error *err) {
    for (size_t r = 0; r < tk->n; r++) tk->by_rank[r] = SIZE_MAX;
    for (size_t i = 0; i < tk->n; i++) {
        uint32_t r = tk->rank[i];
        if (r >= tk->n)
            return h2g_fail(err, "%s line %zu: rank %u leaves a gap: %zu tokens must have the "
                                 "ranks 0 to %zu, each once", file, lines[i].number, r, tk->n,
                            tk->n - 1);
        if (tk->by_rank[r] != SIZE_MAX)
            return h2g_fail(err, "%s line %zu: rank %u is given twice (also on line %zu)", file,
                            lines[i].number, r, lines[tk->by_rank[r]].number);
        tk->by_rank[r] = i;
    }
    return 0;
}

/* No token's bytes may be listed twice (tiktoken would keep one rank). */
static int check_unique_tokens(const line *lines, const char *file, const h2g_tiktoken *tk,
                               h2g_error *err) {
    token_map m;
    if (map_init(&m, tk) != 0)
        return h2g_fail(err, "%s: out of memory for the table of %zu tokens", file, tk->n);
    int rc = 0;
    for (size_t i = 0; i < tk->n && rc == 0; i++) {
        long other = map_add(&m, i);
        if (other >= 0)
            rc = h2g_fail(err, "%s line %zu: the same token as line %zu", file,
                          lines[i].number, lines[other].number);
    }
    free(m.slot);
    return rc;
}

int h2g_tiktoken_parse(const char *text, size_t len, const char *file, h2g_tiktoken *tk,
                       h2g_error *err) {
    memset(tk, 0, sizeof *tk);
    size_t n;
    line *lines = split_lines(text, len, &n);
    if (!lines)
        return h2g_fail(err, "%s: out of memory for the list of its lines (%zu bytes)", file, len);
    int rc = 0;
    if (n == 0) rc = h2g_fail(err, "%s: no tokens", file);
    else if (n > H2G_TIKTOKEN_MAX_RANKS)
        rc = h2g_fail(err, "%s: %zu tokens, more than the %u accepted", file, n,
                      H2G_TIKTOKEN_MAX_RANKS);
    if (rc == 0) {
        tk->n = n;
        tk->start = malloc((n + 1) * sizeof *tk->start);
        tk->rank = malloc(n * sizeof *tk->rank);
        tk->by_rank = malloc(n * sizeof *tk->by_rank);
        if (!tk->start || !tk->rank || !tk->by_rank)
            rc = h2g_fail(err, "%s: out of memory for the ranks of %zu tokens", file, n);
    }
    if (rc == 0) rc = decode_lines(lines, file, tk, err);
    if (rc == 0) rc = check_ranks(lines, file, tk, err);
    if (rc == 0) rc = check_unique_tokens(lines, file, tk, err);
    free(lines);
    if (rc != 0) h2g_tiktoken_free(tk);
    return rc;
}

void h2g_tiktoken_free(h2g_tiktoken *tk) {
    free(tk->bytes);
    free(tk->start);
    free(tk->rank);
    free(tk->by_rank);
    memset(tk, 0, sizeof *tk);
}

/* ---------------------------------------------------------------------------
 * Merges: byte-pair encoding under each token's rank
 * ------------------------------------------------------------------------- */

/* Scratch for one BPE run: part boundaries and the rank of each adjacent
 * pair (UINT32_MAX: the pair is no token below the limit). */
typedef struct bpe {
    size_t *cut;   /* parts are b[cut[k] .. cut[k+1]) */
    uint32_t *pair; /* pair[k]: parts k and k+1 together */
    uint32_t *two;  /* rank of each two-byte token (65536; UINT32_MAX: none) */
} bpe;

/* Rank of b[from..to) when it is a token ranked below limit, else UINT32_MAX. */
static uint32_t rank_below(const token_map *m, const uint8_t *b, size_t from, size_t to,
                           uint32_t limit) {
    long r = map_find(m, b + from, to - from);
    return r >= 0 && (uint32_t)r < limit ? (uint32_t)r : UINT32_MAX;
}

/* Runs BPE over token t's bytes with the ranks below its own; returns the
 * number of parts left (parts in s->cut). */
static size_t bpe_run(const token_map *m, size_t t, bpe *s) {
    const h2g_tiktoken *tk = m->tk;
    const uint8_t *b = tk->bytes + tk->start[t];
    size_t n = tk->start[t + 1] - tk->start[t], parts = n;
    uint32_t limit = tk->rank[t];
    for (size_t k = 0; k <= n; k++) s->cut[k] = k;
    for (size_t k = 0; k + 1 < n; k++) { /* the first pairs: two bytes each */
        uint32_t r = s->two[b[k] << 8 | b[k + 1]];
        s->pair[k] = r < limit ? r : UINT32_MAX;
    }
    while (parts > 1) {
        size_t best = 0;
        for (size_t k = 1; k + 1 < parts; k++) /* leftmost of the lowest */
            if (s->pair[k] < s->pair[best]) best = k;
        if (s->pair[best] == UINT32_MAX) break;
        /* Parts best and best+1 become one: the cut between them goes, and
         * so does the pair after them (its neighbours are recomputed). */
        memmove(&s->cut[best + 1], &s->cut[best + 2], (parts - best - 1) * sizeof *s->cut);
        if (best + 3 < parts)
            memmove(&s->pair[best + 1], &s->pair[best + 2], (parts - best - 3) * sizeof *s->pair);
        parts--;
        if (best > 0)
            s->pair[best - 1] = rank_below(m, b, s->cut[best - 1], s->cut[best + 1], limit);
        if (best + 1 < parts)
            s->pair[best] = rank_below(m, b, s->cut[best], s->cut[best + 2], limit);
    }
    return parts;
}

int h2g_tiktoken_merge_splits(const h2g_tiktoken *tk, uint32_t *split, h2g_error *err) {
    size_t longest = 1;
    for (size_t i = 0; i < tk->n; i++)
        if (tk->start[i + 1] - tk->start[i] > longest) longest = tk->start[i + 1] - tk->start[i];
    token_map m;
    bpe s = {malloc((longest + 1) * sizeof *s.cut), malloc(longest * sizeof *s.pair),
             malloc(65536 * sizeof *s.two)};
    int rc = map_init(&m, tk) == 0 && s.cut && s.pair && s.two
                 ? 0
                 : h2g_fail(err, "out of memory for the BPE tables of %zu tokens", tk->n);
    if (rc == 0) {
        memset(s.two, 0xff, 65536 * sizeof *s.two);
        for (size_t i = 0; i < tk->n; i++) {
            const uint8_t *b = tk->bytes + tk->start[i];
            map_add(&m, i);
            if (tk->start[i + 1] - tk->start[i] == 2) s.two[b[0] << 8 | b[1]] = tk->rank[i];
        }
        for (size_t i = 0; i < tk->n; i++) {
            split[i] = 0;
            if (tk->start[i + 1] - tk->start[i] >= 2 && bpe_run(&m, i, &s) == 2)
                split[i] = (uint32_t)s.cut[1];
        }
    }
    free(s.cut);
    free(s.pair);
    free(s.two);
    free(m.slot);
    return rc;
}

/* ---------------------------------------------------------------------------
 * GPT-2's byte -> unicode table
 * ------------------------------------------------------------------------- */

/* Printable bytes stand for themselves; the other 68 take the code points
 * from U+0100 on, in byte order (space -> U+0120 'Ġ', '\n' -> U+010A 'Ċ'). */
static uint32_t byte_code_point(uint8_t b) {
    static uint32_t table[256];
    static bool ready;
    if (!ready) { /* same result from every thread: benign to race */
        uint32_t next = 256;
        for (int c = 0; c < 256; c++) {
            bool printable = (c >= '!' && c <= '~') || (c >= 0xa1 && c <= 0xac) || c >= 0xae;
            table[c] = printable ? (uint32_t)c : next++;
        }
        ready = true;
    }
    return table[b];
}

size_t h2g_bytes_to_unicode(const uint8_t *b, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = byte_code_point(b[i]);
        if (cp < 0x80) {
            out[o++] = (char)cp;
        } else { /* all below U+0800: two bytes */
            out[o++] = (char)(0xc0 | cp >> 6);
            out[o++] = (char)(0x80 | (cp & 0x3f));
        }
    }
    out[o] = '\0';
    return o;
}

/* ---------------------------------------------------------------------------
 * The keys
 * ------------------------------------------------------------------------- */

/* A token's bytes as a malloc'ed GPT-2 string. */
static char *token_text(const h2g_tiktoken *tk, size_t from, size_t to) {
    char *s = malloc(2 * (to - from) + 1);
    if (s) h2g_bytes_to_unicode(tk->bytes + from, to - from, s);
    return s;
}

static void free_strs(h2g_str *s, size_t n) {
    for (size_t i = 0; s && i < n; i++) free(s[i].data);
    free(s);
}

/* tokenizer.ggml.merges: "<left> <right>" for each token in file order
 * whose BPE run ends in exactly two parts. */
static int add_merges(h2g_kv_list *kv, const h2g_tiktoken *tk, h2g_error *err) {
    uint32_t *split = malloc(tk->n * sizeof *split);
    h2g_str *merges = calloc(tk->n + 1, sizeof *merges);
    size_t n = 0;
    int rc = split && merges
                 ? h2g_tiktoken_merge_splits(tk, split, err)
                 : h2g_fail(err, "tokenizer.ggml.merges: out of memory for the merges of %zu tokens",
                            tk->n);
    for (size_t i = 0; i < tk->n && rc == 0; i++) {
        if (!split[i]) continue;
        size_t a = tk->start[i], mid = a + split[i], b = tk->start[i + 1];
        char *s = malloc(2 * (b - a) + 2);
        if (!s) {
            rc = h2g_fail(err, "tokenizer.ggml.merges: out of memory for merge %zu", n + 1);
            break;
        }
        size_t l = h2g_bytes_to_unicode(tk->bytes + a, mid - a, s);
        s[l++] = ' ';
        l += h2g_bytes_to_unicode(tk->bytes + mid, b - mid, s + l);
        merges[n++] = (h2g_str){s, l};
    }
    free(split);
    if (rc != 0) {
        free_strs(merges, n);
        return -1;
    }
    return h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.merges", merges, n, err);
}

/* The names tokenizer_config.json's added_tokens_decoder gives the special
 * ids first .. first + H2G_TIKTOKEN_SPECIALS - 1 (NULL: unnamed). */
static int special_names(const cJSON *tc, size_t first, const char **names, h2g_error *err) {
    const cJSON *dec = cJSON_GetObjectItemCaseSensitive(tc, "added_tokens_decoder");
    for (size_t i = 0; i < H2G_TIKTOKEN_SPECIALS; i++) names[i] = NULL;
    if (!dec || cJSON_IsNull(dec)) return 0;
    if (!cJSON_IsObject(dec))
        return h2g_fail(err, "tokenizer_config.json: 'added_tokens_decoder' must be an object");
    for (const cJSON *e = dec->child; e; e = e->next) {
        char *end;
        unsigned long long id = strtoull(e->string, &end, 10);
        if (!e->string[0] || *end || e->string[0] < '0' || e->string[0] > '9')
            return h2g_fail(err, "tokenizer_config.json: added_tokens_decoder key '%.40s' is "
                                 "not a token id", e->string);
        const cJSON *c = cJSON_IsString(e) ? e : cJSON_GetObjectItemCaseSensitive(e, "content");
        if (!cJSON_IsString(c))
            return h2g_fail(err, "tokenizer_config.json: added_tokens_decoder['%s'] has no "
                                 "string 'content'", e->string);
        /* Only the special range is named (tokenization_kimi.py). */
        if (id >= first && id - first < H2G_TIKTOKEN_SPECIALS) names[id - first] = c->valuestring;
    }
    return 0;
}

/* Orders token string pointers by content. */
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* llama.cpp requires unique token strings: a special name equal to a
 * token (or to another special) would lose an id. */
static int check_unique(const h2g_str *tokens, uint32_t n, h2g_error *err) {
    const char **s = malloc(((size_t)n + 1) * sizeof *s);
    if (!s)
        return h2g_fail(err, "tokenizer.ggml.tokens: out of memory for the sorted list of %u "
                             "tokens", n);
    for (uint32_t i = 0; i < n; i++) s[i] = tokens[i].data;
    qsort(s, n, sizeof *s, cmp_str);
    const char *dup = NULL;
    for (uint32_t i = 1; i < n && !dup; i++)
        if (!strcmp(s[i - 1], s[i])) dup = s[i];
    int rc = dup ? h2g_fail(err, "%s: token '%.60s' appears twice (a special token of "
                                 "tokenizer_config.json equals another token; llama.cpp "
                                 "requires unique tokens)", H2G_TIKTOKEN_FILE, dup)
                 : 0;
    free(s);
    return rc;
}

/* Text and type of id i: a rank's token (NORMAL), a special id (CONTROL:
 * all of them, also those tokenizer_config flags "special": false), or
 * padding (UNUSED). */
static char *token_entry(const h2g_tiktoken *tk, const char *const *names, uint32_t i,
                         int32_t *type) {
    if (i < tk->n) {
        size_t t = tk->by_rank[i];
        *type = TOKEN_NORMAL;
        return token_text(tk, tk->start[t], tk->start[t + 1]);
    }
    if (i - tk->n < H2G_TIKTOKEN_SPECIALS) {
        *type = TOKEN_CONTROL;
        const char *name = names[i - tk->n];
        return name ? h2g_strdup(name) : h2g_strfmt("<|reserved_token_%u|>", i);
    }
    *type = TOKEN_UNUSED;
    return h2g_strfmt("[PAD%u]", i);
}

/* tokenizer.ggml.tokens and token_type for ids 0 .. vocab_size-1. */
static int add_tokens(h2g_kv_list *kv, const h2g_tiktoken *tk, const cJSON *tc,
                      uint32_t vocab_size, h2g_error *err) {
    const char *names[H2G_TIKTOKEN_SPECIALS];
    if (special_names(tc, tk->n, names, err) != 0) return -1;
    h2g_str *tokens = calloc((size_t)vocab_size + 1, sizeof *tokens);
    int32_t *types = calloc((size_t)vocab_size + 1, sizeof *types);
    int rc = tokens && types
                 ? 0
                 : h2g_fail(err, "tokenizer.ggml.tokens: out of memory for the %u tokens' table",
                            vocab_size);
    for (uint32_t i = 0; i < vocab_size && rc == 0; i++) {
        tokens[i].data = token_entry(tk, names, i, &types[i]);
        if (!tokens[i].data)
            rc = h2g_fail(err, "tokenizer.ggml.tokens: out of memory for the text of token %u", i);
        else tokens[i].len = strlen(tokens[i].data);
    }
    if (rc == 0) rc = check_unique(tokens, vocab_size, err);
    if (rc == 0) {
        rc = h2g_kv_set_str_array_owned(kv, "tokenizer.ggml.tokens", tokens, vocab_size, err);
        tokens = NULL; /* the list owns them now */
    }
    if (rc == 0)
        rc = h2g_kv_set_array(kv, "tokenizer.ggml.token_type", H2G_VT_INT32, types, vocab_size,
                              err);
    free_strs(tokens, vocab_size);
    free(types);
    return rc;
}

/* The checkout must be the TikTokenTokenizer layout this rebuild follows. */
static int check_class(const h2g_checkout *co, h2g_error *err) {
    const cJSON *cls = cJSON_GetObjectItemCaseSensitive(co->tokenizer_config, "tokenizer_class");
    if (cJSON_IsString(cls) && !strcmp(cls->valuestring, H2G_TIKTOKEN_CLASS)) return 0;
    return h2g_fail(err, "tokenizer.json: not found; there is a %s, but tokenizer_config.json's "
                         "'tokenizer_class' is %s%s%s, not \"%s\" (the Kimi-K2 tokenizer that "
                         "hf2gguf rebuilds from it)", H2G_TIKTOKEN_FILE,
                    cJSON_IsString(cls) ? "\"" : "",
                    cJSON_IsString(cls) ? cls->valuestring : "missing",
                    cJSON_IsString(cls) ? "\"" : "", H2G_TIKTOKEN_CLASS);
}

int h2g_tiktoken_add_kv(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                        h2g_error *err) {
    char *text = NULL;
    size_t len;
    /* The real file is 2.8 MB; the JSON cap is generous for it. */
    int rc = h2g_checkout_read_file(co, H2G_TIKTOKEN_FILE, H2G_JSON_MAX_BYTES, &text, &len, err);
    if (rc != 0) return rc;
    h2g_tiktoken tk;
    rc = check_class(co, err);
    if (rc == 0) rc = h2g_tiktoken_parse(text, len, H2G_TIKTOKEN_FILE, &tk, err);
    free(text);
    if (rc != 0) return -1;
    if (vocab_size == 0) vocab_size = (uint32_t)(tk.n + H2G_TIKTOKEN_SPECIALS);
    if (vocab_size < tk.n)
        rc = h2g_fail(err, "config.json: vocab_size %u is smaller than the %zu ranks of %s",
                      vocab_size, tk.n, H2G_TIKTOKEN_FILE);
    if (rc == 0) rc = add_tokens(kv, &tk, co->tokenizer_config, vocab_size, err);
    if (rc == 0) rc = add_merges(kv, &tk, err);
    h2g_tiktoken_free(&tk);
    return rc;
}
