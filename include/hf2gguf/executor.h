/*
 * hf2gguf/executor.h - streaming plans to disk.
 *
 * Each output is written to a new file "<path>.XXXXXX.tmp" (unique, created
 * with O_EXCL) beside the final path: the header
 * first, then every tensor's bytes at its planned offset, computed in
 * bounded chunks by a pool of worker threads (pwrite to disjoint ranges).
 * When all is written the file is fsynced and renamed into place; that
 * rename refuses to replace an existing file (one that appeared since the
 * caller checked: another run) unless `replace`. On any error every
 * temporary file is removed and no existing file is touched; of a set of
 * outputs, none is left when one of them cannot be put in place.
 * Several plans (a text model and its mmproj) are executed in one pass over
 * the checkout (one pass per staged shard for a compressed archive).
 */
#ifndef HF2GGUF_EXECUTOR_H
#define HF2GGUF_EXECUTOR_H

#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/plan.h"

/* Called now and then (a few times a second at most) from a worker thread,
 * and once at the end. tensors_done counts tensors whose last piece has been
 * handed to a worker. `file` is the first output not yet complete (0-based,
 * of n_files), with its own byte counts, for a per-file estimate. */
typedef struct h2g_progress {
    uint64_t bytes_done, bytes_total;
    size_t tensors_done, tensors_total;
    double seconds;
    size_t file, n_files;
    uint64_t file_bytes_done, file_bytes_total;
    uint64_t bytes_read; /* source bytes decoded so far */
} h2g_progress;
typedef void (*h2g_progress_fn)(void *ctx, const h2g_progress *p);

/* Output files one execution may write (split outputs included). */
#define H2G_EXEC_MAX_FILES 1024

typedef struct h2g_exec_options {
    int threads; /* <= 0: all online cores */
    bool replace; /* an existing output file may be replaced (--force) */
    h2g_progress_fn progress;
    void *progress_ctx;
} h2g_exec_options;

typedef struct h2g_exec_stats {
    uint64_t bytes_read;    /* source tensor bytes decoded */
    uint64_t bytes_written; /* total size of the output files */
    double seconds;
    int threads;
} h2g_exec_stats;

/* Writes plans[i] to paths[i] ("-": standard output). A checkout with
 * streamed shards (a compressed archive) has them staged one at a time in
 * the first output's folder, hence the non-const checkout. */
int h2g_execute(h2g_checkout *co, h2g_plan *plans, const char *const *paths, size_t n,
                const h2g_exec_options *o, h2g_exec_stats *stats, h2g_error *err);

/* Removes the temporary files of an execution in progress. Safe to call
 * from a signal handler (it only calls unlink); the command line calls it
 * on SIGINT/SIGTERM so that an interrupted run leaves nothing behind. */
void h2g_remove_temporaries(void);

#endif
