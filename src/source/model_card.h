/* model_card.h - a model card's YAML front matter as JSON.
 *
 * README.md of a HuggingFace checkout may begin with YAML between two "---"
 * lines (license, tags, language, base_model, ...). We turn it into a cJSON
 * object: mappings become objects, sequences arrays, and every scalar a
 * string (consumers decide what a value means; YAML 1.1 would read the
 * language code "no" as false, which is why the reference quotes it). */
#ifndef HF2GGUF_MODEL_CARD_H
#define HF2GGUF_MODEL_CARD_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "hf2gguf/error.h"

/* Parses the front matter of text (README.md's len bytes) as the reference
 * reads it: the lines after a first line "---" up to the next "---", or to
 * the end when none closes it. *out is NULL (and 0 returned) when text has
 * no front matter or an empty one; -1 (err says why, with the README line)
 * when it is not valid YAML or not a mapping. Aliases become null. */
int h2g_model_card_parse(const char *text, size_t len, cJSON **out, h2g_error *err);

#endif
