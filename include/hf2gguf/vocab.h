/*
 * hf2gguf/vocab.h - the tokenizer.* keys from a checkout's tokenizer files.
 *
 * Byte-level BPE ("gpt2") vocabularies from tokenizer.json, as llama.cpp's
 * converter writes them (conversion-reference.md section 6): tokens padded
 * with "[PAD<id>]" up to vocab_size, token types, merges, special token ids,
 * add_* flags and the chat template. The pre-tokenizer name is recognised
 * from the Split regexes of tokenizer.json's pre_tokenizer.
 */
#ifndef HF2GGUF_VOCAB_H
#define HF2GGUF_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/kv.h"

/* Names of the pre-tokenizers we can recognise or accept with
 * --tokenizer-pre, NULL-terminated. */
extern const char *const h2g_known_pretokenizers[];

/* Recognises the pre-tokenizer of tokenizer.json. On failure err says what
 * was found and names the --tokenizer-pre flag. */
int h2g_vocab_detect_pre(const cJSON *tokenizer, const char **name, h2g_error *err);

/* The digest detection looks up: lower-case hex sha256 of the JSON-decoded
 * regexes of the pre_tokenizer's Split entries, concatenated in order
 * (other entries skipped). With escape_crlf, raw CR and LF characters are
 * hashed as the two-character escapes \r and \n. *n_split (when not NULL)
 * gets the number of Split regexes and *first_regex (when not NULL) the
 * first one or NULL. */
void h2g_vocab_pre_digest(const cJSON *tokenizer, bool escape_crlf, char hex[65],
                          size_t *n_split, const char **first_regex);

/* Whether name is one of h2g_known_pretokenizers (for checking
 * --tokenizer-pre). */
bool h2g_vocab_pre_is_known(const char *name);

/* Appends the tokenizer keys in the reference's order: tokenizer.ggml.model,
 * pre, tokens, token_type, merges, special ids, add_* flags, then
 * tokenizer.chat_template (replaced in place if already in kv).
 * Merges come from tokenizer.json, else from merges.txt in co->dir; none is
 * an error. Errors name the file and key (token ids not below vocab_size,
 * duplicate token strings, malformed entries, negative special ids).
 * vocab_size is config's vocab_size (0: the tokenizer's own size).
 * pre_override, when not NULL, is used instead of detection. */
int h2g_vocab_add_kv(h2g_kv_list *kv, const h2g_checkout *co, uint32_t vocab_size,
                     const char *pre_override, h2g_error *err);

/* The tokenizer keys of Ollama's layout (conversion-reference.md 8.2):
 * tokenizer.ggml.pre (pre, or Ollama's digest table with "default" for the
 * rest), model "gpt2", tokens padded with "[PAD<k>]" (k from 0) up to
 * config's vocab_size, scores (= ids), token types from added_tokens'
 * special flag, merges, the chat template and special ids from
 * tokenizer_config.json, id lists from generation_config.json. */
int h2g_vocab_ollama_add_kv(h2g_kv_list *kv, const h2g_checkout *co, const char *pre,
                            h2g_error *err);

#endif
