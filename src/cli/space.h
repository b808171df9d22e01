/* space.h - the free-space check before writing (issue 14, item 8). */
#ifndef HF2GGUF_CLI_SPACE_H
#define HF2GGUF_CLI_SPACE_H

#include <stddef.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/plan.h"

/* Fails (-1 with err, naming the folder, the bytes needed and the bytes
 * free) when a file system the outputs go to has less room than they will
 * take: every file's planned size, plus, on the first output's file system,
 * the largest shard of a compressed archive (staged there one at a time).
 * "-" takes no room. Tests: HF2GGUF_TEST_FREE_BYTES=N stands for the free
 * space of every file system. */
int cli_check_space(const h2g_checkout *co, const h2g_plan *files, char *const *paths, size_t n,
                    h2g_error *err);

#endif
