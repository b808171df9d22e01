/*
 * gen_tiktoken.c - a synthetic tiktoken.model of Kimi-K2's size, for timing
 * the vocabulary rebuild (bench/tiktoken.sh).
 *
 *   gen_tiktoken RANKS > tiktoken.model
 *
 * Ranks 0-255 are the single bytes in GPT-2's byte order (printable bytes
 * first, as in the real file); every later token is the concatenation of
 * two earlier ones, picked at random with a bias to early tokens (as a
 * trained BPE vocabulary grows), of a length drawn as in max_len() (at most
 * 32 bytes; about 7 on average) and never twice. The real file has 163,584 ranks. Deterministic: the same RANKS
 * give the same file.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LEN 32

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

/* xorshift64*: enough randomness for a benchmark input. */
static uint64_t rng(void) {
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

/* An earlier token, mostly among the first ones (cube of a uniform). */
static size_t pick(size_t n) {
    double u = (double)(rng() >> 11) / 9007199254740992.0;
    return (size_t)(u * u * u * (double)n);
}

/* The longest token allowed this time: mostly 2 to 14 bytes (a bell
 * around 8), sometimes up to MAX_LEN, so that the lengths spread like a
 * trained vocabulary's (most tokens 3-10 bytes, a tail of long ones). */
static int max_len(void) {
    if (rng() % 64 == 0) return MAX_LEN;
    return 2 + (int)(rng() % 5) + (int)(rng() % 5) + (int)(rng() % 5);
}

typedef struct tok {
    uint8_t len;
    uint8_t b[MAX_LEN];
} tok;

/* A set of tokens by content (open addressing over indices + 1). */
static uint32_t *slots;
static size_t mask;
static tok *toks;

static uint64_t hash(const tok *t) {
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < t->len; i++) h = (h ^ t->b[i]) * 1099511628211ull;
    return h;
}

/* Adds toks[i] unless already present; returns 1 when added. */
static int insert(size_t i) {
    size_t s = (size_t)hash(&toks[i]) & mask;
    for (; slots[s]; s = (s + 1) & mask) {
        const tok *o = &toks[slots[s] - 1];
        if (o->len == toks[i].len && !memcmp(o->b, toks[i].b, o->len)) return 0;
    }
    slots[s] = (uint32_t)i + 1;
    return 1;
}

static void put_base64(const uint8_t *b, size_t n) {
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
                     (i + 2 < n ? b[i + 2] : 0);
        putchar(abc[v >> 18 & 63]);
        putchar(abc[v >> 12 & 63]);
        putchar(i + 1 < n ? abc[v >> 6 & 63] : '=');
        putchar(i + 2 < n ? abc[v & 63] : '=');
    }
}

int main(int argc, char **argv) {
    long ranks = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
    if (ranks < 256 || ranks > (1l << 24)) {
        fprintf(stderr, "usage: gen_tiktoken RANKS (256 .. 16777216) > tiktoken.model\n");
        return 2;
    }
    size_t cap = 16;
    while (cap < 2 * (size_t)ranks) cap *= 2;
    mask = cap - 1;
    slots = calloc(cap, sizeof *slots);
    toks = calloc((size_t)ranks, sizeof *toks);
    if (!slots || !toks) return 1;
    /* GPT-2's order: the printable bytes, then the rest. */
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int c = 0; c < 256; c++) {
            int printable = (c >= '!' && c <= '~') || (c >= 0xa1 && c <= 0xac) || c >= 0xae;
            if (printable != (pass == 0)) continue;
            toks[n].len = 1;
            toks[n].b[0] = (uint8_t)c;
            insert(n++);
        }
    while (n < (size_t)ranks) {
        const tok *a = &toks[pick(n)], *b = &toks[pick(n)];
        if (a->len + b->len > max_len()) continue;
        toks[n].len = (uint8_t)(a->len + b->len);
        memcpy(toks[n].b, a->b, a->len);
        memcpy(toks[n].b + a->len, b->b, b->len);
        if (insert(n)) n++;
    }
    for (size_t i = 0; i < n; i++) {
        put_base64(toks[i].b, toks[i].len);
        printf(" %zu\n", i);
    }
    free(slots);
    free(toks);
    return 0;
}
