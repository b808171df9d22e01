/*
 * hf2gguf/hf_cache.h - models in the local Hugging Face cache, by name.
 *
 * `hf download ORG/NAME` (huggingface_hub) keeps a model as
 *
 *     HUB/models--ORG--NAME/refs/main              the commit "main" points at
 *     HUB/models--ORG--NAME/snapshots/COMMIT/...   the checkout's files, symlinks
 *     HUB/models--ORG--NAME/blobs/SHA              ... into these
 *
 * where HUB is $HF_HUB_CACHE, else $HUGGINGFACE_HUB_CACHE (its old name),
 * else $HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else
 * ~/.cache/huggingface/hub (a leading ~ expanded; empty variables count as
 * unset). These functions find a snapshot there as huggingface_hub does;
 * nothing is ever downloaded.
 *
 *     char *dir;
 *     if (h2g_hf_is_repo_id(arg) && !exists(arg) &&
 *         h2g_hf_resolve(arg, NULL, &dir, &err) == 0)
 *         h2g_checkout_open(&co, dir, &err);    // general.name from NAME
 */
#ifndef HF2GGUF_HF_CACHE_H
#define HF2GGUF_HF_CACHE_H

#include <stdbool.h>

#include "hf2gguf/error.h"

/* Whether s is a model id as the Hub spells them: ORG/NAME, each part of
 * letters, digits, '_', '-' and '.', beginning and ending with a letter,
 * digit or '_', without "--" or "..", at most 96 characters in all. */
bool h2g_hf_is_repo_id(const char *s);

/* The hub cache folder (see above), malloc'ed; NULL when out of memory or
 * when neither the variables nor a home folder say where it is. */
char *h2g_hf_hub_cache(void);

/* The snapshot folder of repo_id ("ORG/NAME") at `revision`: a branch or
 * tag name (read from refs/REVISION), or a 40-digit commit hash; NULL means
 * "main". On success *snapshot is a malloc'ed path. When the model, the
 * revision or the snapshot is not in the cache, err says which and gives the
 * `hf download` command that would fetch it. */
int h2g_hf_resolve(const char *repo_id, const char *revision, char **snapshot, h2g_error *err);

/* NAME, malloc'ed, when path is (or ends in) a snapshot folder of the cache,
 * ".../models--ORG--NAME/snapshots/COMMIT" (trailing slashes ignored); else
 * NULL. The checkout takes its name from it rather than from COMMIT. */
char *h2g_hf_snapshot_model_name(const char *path);

#endif
