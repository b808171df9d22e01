/* fuzz_model_card.c - the input is a README.md, given to the front matter
 * reader of src/source/model_card.c: the reference's way of cutting the
 * YAML out of the file (Python's line breaks, a missing closing line, tabs,
 * "- no"), then libyaml and the JSON builder. Nothing touches the disk. */
#include <stdint.h>
#include <string.h>

#include "source/model_card.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    cJSON *card = NULL;
    h2g_error err = {0};
    if (h2g_model_card_parse((const char *)data, size, &card, &err) != 0) {
        /* A failure says what was wrong, names the file, and keeps nothing. */
        if (strncmp(err.msg, "README.md: ", 11) != 0 || card) __builtin_trap();
        return 0;
    }
    if (card && !cJSON_IsObject(card)) __builtin_trap(); /* a card is a mapping or nothing */
    cJSON_Delete(card);
    return 0;
}
