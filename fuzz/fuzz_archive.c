/* fuzz_archive.c - the input is a whole archive file (tar, compressed tar or
 * zip), opened as a checkout the way `hf2gguf convert ARCHIVE` opens it, and
 * when that succeeds every streamed shard is staged in turn, as the
 * executor would.
 *
 * Checked beyond "no crash": an error names the archive, a checkout that
 * opens has only in-place ranges inside the archive and kept copies for
 * streamed shards, and staging leaves no file behind in its folder. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hf2gguf/checkout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[] = "/tmp/fuzz-archive.XXXXXX";
static char path[sizeof dir + 16];

/* Removes the folder when the fuzzer exits. */
static void remove_dir(void) {
    unlink(path);
    rmdir(dir);
}

/* A folder of our own: the archive file and, while staging, nothing else
 * (the staging file is unlinked as soon as it is made). */
static void make_dir(void) {
    if (path[0]) return;
    if (!mkdtemp(dir)) __builtin_trap();
    snprintf(path, sizeof path, "%s/m.tar", dir);
    atexit(remove_dir);
}

/* True when the folder holds only the archive. */
static bool only_archive_left(void) {
    DIR *d = opendir(dir);
    if (!d) return false;
    int others = 0;
    for (struct dirent *e; (e = readdir(d));)
        others += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "m.tar");
    closedir(d);
    return others == 0;
}

/* Every shard read in place lies inside the archive. */
static void check_ranges(const h2g_checkout *co, uint64_t archive_size) {
    for (size_t i = 0; i < co->n_shards; i++) {
        const h2g_shard *s = &co->shards[i];
        if (!s->streamed && (s->base > archive_size || s->size > archive_size - s->base))
            __builtin_trap();
    }
}

static void stage_all(h2g_checkout *co) {
    h2g_error err = {{0}};
    size_t shard;
    int rc;
    while ((rc = h2g_checkout_stage_next(co, dir, NULL, &shard, &err)) == 1)
        if (shard >= co->n_shards || !co->shards[shard].streamed) __builtin_trap();
    if (rc < 0 && !err.msg[0]) __builtin_trap();
    h2g_checkout_stage_end(co);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    make_dir();
    FILE *f = fopen(path, "wb");
    if (!f) __builtin_trap();
    if (size && fwrite(data, 1, size, f) != size) __builtin_trap();
    fclose(f);
    h2g_checkout co;
    h2g_error err = {{0}};
    if (h2g_checkout_open(&co, path, &err) == 0) {
        check_ranges(&co, size);
        if (h2g_checkout_stages_shards(&co)) stage_all(&co);
        h2g_checkout_close(&co);
    } else if (!err.msg[0]) {
        __builtin_trap(); /* every error says something */
    }
    if (!only_archive_left()) __builtin_trap();
    return 0;
}
