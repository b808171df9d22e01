/*
 * tiktoken.h - a tiktoken vocabulary (Kimi-K2's tiktoken.model) rebuilt as
 * the byte-level BPE ("gpt2") vocabulary llama.cpp loads
 * (conversion-reference-more.md section 14).
 *
 * tiktoken.model is text, one token a line: the token's bytes in standard
 * base64 (with padding), one space, its rank in decimal. The rank is the
 * token id. It has no merges: they are recovered by running byte-pair
 * encoding over each token's own bytes with only the ranks below its own,
 * and keeping the last pair when exactly two parts are left.
 *
 * hf2gguf recognises the layout (no tokenizer.json; tiktoken.model;
 * tokenizer_config.json naming TikTokenTokenizer) where the reference
 * accepts only the real Kimi vocabulary, by the checksum of its encoding.
 */
#ifndef HF2GGUF_VOCAB_TIKTOKEN_H
#define HF2GGUF_VOCAB_TIKTOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/kv.h"

/* The file the tokenizer lives in, and the tokenizer class it goes with. */
#define H2G_TIKTOKEN_FILE "tiktoken.model"
#define H2G_TIKTOKEN_CLASS "TikTokenTokenizer"

/* Special ids follow the ranks: 256 reserved plus 2 (tokenization_kimi.py). */
#define H2G_TIKTOKEN_SPECIALS 258u

/* Ranks at most: 2^24 is a hundred times the real file's 163,840. */
#define H2G_TIKTOKEN_MAX_RANKS (1u << 24)

/* The parsed file. Tokens are kept in file order (line i, empty lines not
 * counted); their bytes lie back to back. */
typedef struct h2g_tiktoken {
    size_t n;        /* tokens = ranks 0 .. n-1, each exactly once */
    uint8_t *bytes;  /* all tokens' bytes */
    size_t *start;   /* n + 1 offsets: token i is bytes[start[i] .. start[i+1]) */
    uint32_t *rank;  /* token i's rank */
    size_t *by_rank; /* the token (file position) of each rank */
} h2g_tiktoken;

/* Parses and checks tiktoken.model's text (len bytes; "file" names it in
 * messages): every non-empty line "<base64> <rank>" (CRLF allowed), the
 * base64 canonical and not empty, ranks 0 .. n-1 each once (no gap, no
 * duplicate), no token twice. Errors name the line. */
int h2g_tiktoken_parse(const char *text, size_t len, const char *file, h2g_tiktoken *tk,
                       h2g_error *err);
void h2g_tiktoken_free(h2g_tiktoken *tk);

/* The merge each token rebuilds to: split[i] is the byte length of the left
 * part of token i's merge, or 0 when it has none (a single byte, or three
 * or more parts left when no pair below its rank merges further). */
int h2g_tiktoken_merge_splits(const h2g_tiktoken *tk, uint32_t *split, h2g_error *err);

/* Writes n bytes through GPT-2's byte -> unicode table as UTF-8 into out
 * (room for 2 * n + 1 bytes; NUL-terminated). Returns the length. */
size_t h2g_bytes_to_unicode(const uint8_t *b, size_t n, char *out);

/* 1 when the checkout has no tiktoken.model (nothing done), else writes
 * tokenizer.ggml.tokens, token_type and merges of its vocabulary (0) or
 * fails (-1): tokenizer_config.json must name TikTokenTokenizer, and
 * vocab_size (0: the ranks plus the 258 special ids) must hold the ranks. */
int h2g_tiktoken_add_kv(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                        h2g_error *err);

#endif
