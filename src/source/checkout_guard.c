/* checkout_guard.c - whether writing a path could overwrite the checkout
 * being read (see h2g_checkout_guard_output in include/hf2gguf/checkout.h).
 *
 * Paths are compared by device and inode, never as strings: "./m/x",
 * "m//x", a symlink and a hard link all name the same file. */
#include "hf2gguf/checkout.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/util.h"

static bool same_file(const struct stat *a, const struct stat *b) {
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* The folder path's file goes in, resolved ("." when it has no slash), or
 * NULL when it does not exist (then nothing can be inside anything). */
static char *resolved_folder(const char *path) {
    const char *slash = strrchr(path, '/');
    char *folder = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                         : h2g_strdup(".");
    char *real = folder ? realpath(folder, NULL) : NULL;
    free(folder);
    return real;
}

/* True when folder (resolved) is dir or lies under it. */
static bool folder_inside(const char *folder, const struct stat *dir) {
    char *p = h2g_strdup(folder);
    bool inside = false;
    while (p && !inside) {
        struct stat st;
        inside = stat(p, &st) == 0 && same_file(&st, dir);
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) {
            if (!inside && strcmp(p, "/") != 0)
                inside = stat("/", &st) == 0 && same_file(&st, dir);
            break;
        }
        *slash = '\0';
    }
    free(p);
    return inside;
}

/* Whether out is one of the files in the checkout's folder (links followed:
 * a Hugging Face cache snapshot links to blobs elsewhere). */
static bool is_checkout_file(const h2g_checkout *co, const struct stat *out) {
    for (size_t i = 0; i < co->n_shards; i++) {
        struct stat st;
        if (co->shards[i].path && stat(co->shards[i].path, &st) == 0 && same_file(&st, out))
            return true;
    }
    DIR *d = opendir(co->dir);
    bool found = false;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        char *p = h2g_path_join(co->dir, e->d_name);
        struct stat st;
        found = p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && same_file(&st, out);
        free(p);
    }
    if (d) closedir(d);
    return found;
}

int h2g_checkout_guard_output(const h2g_checkout *co, const char *path, h2g_error *err) {
    struct stat in, out;
    if (stat(co->dir, &in) != 0) return 0; /* nothing left to protect */
    bool exists = stat(path, &out) == 0;
    if (co->archive) {
        if (exists && same_file(&in, &out))
            return h2g_fail(err, "%s is the archive being converted; refusing to overwrite it",
                            path);
        return 0;
    }
    if (exists && is_checkout_file(co, &out))
        return h2g_fail(err, "%s is one of the checkout's own files; refusing to overwrite it",
                        path);
    char *folder = resolved_folder(path);
    bool inside = folder && folder_inside(folder, &in);
    free(folder);
    if (inside)
        return h2g_fail(err, "%s lies inside the checkout being converted (%s); write the "
                             "output elsewhere (--outfile or --outdir)", path, co->dir);
    return 0;
}
