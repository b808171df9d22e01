/* target.c - see target.h. */
#include "cli/target.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *kind_of(mode_t mode) {
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISDIR(mode)) return "a directory";
    return "not a regular file";
}

int cli_output_target(const char *path, char **final, bool *exists, h2g_error *err) {
    struct stat st;
    *final = NULL;
    *exists = false;
    if (lstat(path, &st) != 0) {
        if (errno != ENOENT) return h2g_fail(err, "%s: %s", path, strerror(errno));
        *final = strdup(path);
        return *final ? 0 : h2g_fail(err, "%s: out of memory for a copy of the output path", path);
    }
    if (S_ISLNK(st.st_mode)) {
        *final = realpath(path, NULL);
        if (!*final)
            return h2g_fail(err, "%s is a symbolic link to a file that does not exist; "
                                 "hf2gguf writes through a link only to an existing file", path);
        if (stat(*final, &st) != 0) return h2g_fail(err, "%s: %s", *final, strerror(errno));
    } else if (!(*final = strdup(path))) {
        return h2g_fail(err, "%s: out of memory for a copy of the output path", path);
    }
    if (!S_ISREG(st.st_mode)) {
        int rc = h2g_fail(err, "%s is %s, not a regular file: hf2gguf finishes its output by "
                               "renaming a complete file into place, which would replace it "
                               "(even with --force); to write through it, use --outfile - > %s",
                          path, kind_of(st.st_mode), path);
        free(*final);
        *final = NULL;
        return rc;
    }
    *exists = true;
    return 0;
}
