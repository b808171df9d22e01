/* space.c - see space.h. */
#include "cli/space.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

/* One file system the outputs go to. */
typedef struct fs_need {
    unsigned long fsid;
    char *folder; /* the first output folder on it, for the message */
    uint64_t need, free;
} fs_need;

/* The folder of path ("." when it has none); malloc'ed. */
static char *folder_of(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
}

/* The largest shard a compressed archive stages beside the first output. */
static uint64_t largest_staged(const h2g_checkout *co) {
    uint64_t most = 0;
    for (size_t i = 0; i < co->n_shards; i++)
        if (co->shards[i].streamed && co->shards[i].size > most) most = co->shards[i].size;
    return most;
}

/* Adds bytes to the need of path's file system (a new entry when first). */
static int add_need(fs_need *fs, size_t *n_fs, const char *path, uint64_t bytes,
                    h2g_error *err) {
    char *folder = folder_of(path);
    struct statvfs st;
    if (!folder) return h2g_fail(err, "%s: out of memory for the name of its folder", path);
    if (statvfs(folder, &st) != 0) { /* the write will say why */
        free(folder);
        return 0;
    }
    for (size_t i = 0; i < *n_fs; i++) {
        if (fs[i].fsid == st.f_fsid) {
            fs[i].need += bytes;
            free(folder);
            return 0;
        }
    }
    const char *fake = getenv("HF2GGUF_TEST_FREE_BYTES");
    fs[*n_fs] = (fs_need){st.f_fsid, folder, bytes,
                          fake ? strtoull(fake, NULL, 10) : (uint64_t)st.f_bavail * st.f_frsize};
    (*n_fs)++;
    return 0;
}

/* "729.6 kB", "1.23 GB": a size people read at a glance (decimal units). */
static void human(uint64_t bytes, char *buf, size_t size) {
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1000 && u < 5) v /= 1000, u++;
    if (u == 0) snprintf(buf, size, "%llu bytes", (unsigned long long)bytes);
    else snprintf(buf, size, "%.*f %s", v < 10 ? 2 : 1, v, units[u]);
}

int cli_check_space(const h2g_checkout *co, const h2g_plan *files, char *const *paths, size_t n,
                    h2g_error *err) {
    fs_need *fs = calloc(n + 1, sizeof *fs);
    if (!fs) return h2g_fail(err, "out of memory for the free-space check of %zu files", n);
    size_t n_fs = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!strcmp(paths[i], "-")) continue;
        uint64_t bytes = files[i].data_offset + files[i].data_size;
        if (n_fs == 0) bytes += largest_staged(co);
        rc = add_need(fs, &n_fs, paths[i], bytes, err);
    }
    for (size_t i = 0; i < n_fs && rc == 0; i++) {
        if (fs[i].need <= fs[i].free) continue;
        char need[32], avail[32];
        human(fs[i].need, need, sizeof need);
        human(fs[i].free, avail, sizeof avail);
        rc = h2g_fail(err, "not enough free space in %s: the output needs %llu bytes (%s), the "
                           "file system has %llu bytes (%s) free; --no-space-check writes anyway",
                      fs[i].folder, (unsigned long long)fs[i].need, need,
                      (unsigned long long)fs[i].free, avail);
    }
    for (size_t i = 0; i < n_fs; i++) free(fs[i].folder);
    free(fs);
    return rc;
}
