/* target.h - what an output path names, checked before anything is written
 * (issue 14, items 2 and 3). */
#ifndef HF2GGUF_CLI_TARGET_H
#define HF2GGUF_CLI_TARGET_H

#include <stdbool.h>

#include "hf2gguf/error.h"

/* The file convert will really write for path, into *final (malloc'ed):
 * path itself, or for a symbolic link to an existing regular file the file
 * it points to (the link stays). *exists says whether that file exists.
 * Refuses (-1 with err) a device, FIFO, socket or directory, even with
 * --force, since finishing by a rename would replace it with a regular
 * file; and a link that points nowhere. */
int cli_output_target(const char *path, char **final, bool *exists, h2g_error *err);

#endif
