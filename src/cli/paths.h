/* paths.h - the file-system questions the command line asks about the paths
 * it is given (the library has its own; the command line uses only the
 * public API and libc). */
#ifndef HF2GGUF_CLI_PATHS_H
#define HF2GGUF_CLI_PATHS_H

#include <stdbool.h>

bool cli_is_directory(const char *path);
bool cli_exists(const char *path);
bool cli_ends_with(const char *s, const char *suffix);
/* "dir/name" with one slash between; malloc'ed, NULL when out of memory. */
char *cli_path_join(const char *dir, const char *name);

#endif
