/* executor.c - streaming plans to disk with a pool of workers
 * (see include/hf2gguf/executor.h). */
#include "hf2gguf/executor.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hf2gguf/convert.h"
#include "hf2gguf/numeric.h"
#include "convert/reorder.h"
#include "plan/transform.h"
#include "base/util.h"

/* ---------------------------------------------------------------------------
 * Temporary files an interrupt must remove
 * ------------------------------------------------------------------------- */

/* The temporary files being written, for h2g_remove_temporaries(), which a
 * signal handler may call at any moment: plain pointers to strings that stay
 * allocated while they are listed. */
static char *volatile live_temporaries[H2G_EXEC_MAX_FILES];

static void list_temporary(char *path) {
    for (int i = 0; i < H2G_EXEC_MAX_FILES; i++) {
        if (!live_temporaries[i]) {
            live_temporaries[i] = path;
            return;
        }
    }
}

static void unlist_temporary(const char *path) {
    for (int i = 0; i < H2G_EXEC_MAX_FILES; i++)
        if (live_temporaries[i] == path) live_temporaries[i] = NULL;
}

void h2g_remove_temporaries(void) {
    for (int i = 0; i < H2G_EXEC_MAX_FILES; i++) {
        char *p = live_temporaries[i];
        if (p) unlink(p);
    }
}

/* ---------------------------------------------------------------------------
 * Output files
 * ------------------------------------------------------------------------- */

typedef struct output {
    const char *path;
    char *tmp_path; /* NULL when streaming */
    const char *name; /* for messages */
    int fd;
    bool stream;      /* "-": standard output (a pipe, a device...), written in order */
    uint64_t written; /* stream: bytes written so far */
    uint64_t done;    /* progress: bytes of its pieces finished */
    bool placed;      /* renamed into place by this run */
    h2g_plan *plan;
} output;

/* Writes all of buf at off (or, with off == -1, at the current position),
 * retrying short writes. */
static int pwrite_all(int fd, const uint8_t *buf, size_t len, uint64_t off, const char *path,
                      h2g_error *err) {
    while (len > 0) {
        ssize_t w = off == (uint64_t)-1 ? write(fd, buf, len) : pwrite(fd, buf, len, (off_t)off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0)
            return h2g_fail(err, "%s: write failed: %s", path,
                            errno == ENOSPC ? "no space left on device" : strerror(errno));
        buf += w;
        len -= (size_t)w;
        if (off != (uint64_t)-1) off += (uint64_t)w;
    }
    return 0;
}

/* Writes len zero bytes to a stream. */
static int write_zeros(output *o, uint64_t len, h2g_error *err) {
    static const uint8_t zeros[4096];
    while (len > 0) {
        size_t n = len < sizeof zeros ? (size_t)len : sizeof zeros;
        if (pwrite_all(o->fd, zeros, n, (uint64_t)-1, o->name, err) != 0) return -1;
        o->written += n;
        len -= n;
    }
    return 0;
}

/* Writes buf at offset off of the output. A stream can only go forward: the
 * gap since the last write (alignment padding) is written as zeros. */
/* Tests: HF2GGUF_TEST_WRITE_LIMIT=N makes writes past byte N of a file fail
 * as on a full disk, wherever the test runs. 0: no limit. */
static uint64_t test_write_limit;

static int output_write(output *o, const uint8_t *buf, size_t len, uint64_t off,
                        h2g_error *err) {
    if (test_write_limit && off + len > test_write_limit)
        return h2g_fail(err, "%s: write failed: no space left on device", o->name);
    if (!o->stream) return pwrite_all(o->fd, buf, len, off, o->name, err);
    if (off < o->written) return h2g_fail(err, "%s: out-of-order write", o->name);
    if (write_zeros(o, off - o->written, err) != 0) return -1;
    if (pwrite_all(o->fd, buf, len, (uint64_t)-1, o->name, err) != 0) return -1;
    o->written += len;
    return 0;
}

/* ------------------------------------------------------------------------
 * Creating the temporary file and putting it in place (issue 14, item 1).
 * Each run writes its own file, "<path>.XXXXXX.tmp" made with O_EXCL in the
 * output's folder, so two runs aimed at one path never write into the same
 * file. The final rename refuses to replace a file that appeared meanwhile
 * (unless replace): renameat2(RENAME_NOREPLACE), else link() + unlink(),
 * which fail with EEXIST just the same; only a file system that has neither
 * falls back to a check and a plain rename.
 * ------------------------------------------------------------------------ */

/* Test hook: HF2GGUF_TEST_NO_RENAMEAT2=1 takes the link() way, =2 the last
 * resort, as on file systems without renameat2 (or hard links). */
static int test_no_renameat2;

/* Creates o->tmp_path, a new file of our own beside o->path. */
static int create_temporary(output *o, h2g_error *err) {
    o->tmp_path = h2g_strfmt("%s.XXXXXX.tmp", o->path);
    if (!o->tmp_path)
        return h2g_fail(err, "%s: out of memory for the temporary file's name", o->path);
    o->fd = mkostemps(o->tmp_path, 4, O_CLOEXEC);
    if (o->fd < 0) {
        int e = errno;
        free(o->tmp_path);
        o->tmp_path = NULL;
        return h2g_fail(err, "%s: cannot create a temporary file beside it: %s", o->path,
                        strerror(e));
    }
    list_temporary(o->tmp_path);
    /* mkstemp makes the file 0600; an output is an ordinary file. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(o->fd, 0644 & ~mask) != 0)
        return h2g_fail(err, "%s: cannot set the permissions of its temporary file: %s",
                        o->path, strerror(errno));
    return 0;
}

/* Renames from to to unless to exists: 0, or -1 with errno (EEXIST when
 * it does). */
static int rename_noreplace(const char *from, const char *to) {
    if (!test_no_renameat2) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return -1;
    }
    if (test_no_renameat2 != 2) {
        if (link(from, to) == 0) {
            unlink(from);
            return 0;
        }
        if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != ENOSYS)
            return -1;
    }
    /* Neither: check, then rename (a window remains; see README). */
    struct stat st;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

/* Puts the finished temporary file at o->path. */
static int put_in_place(output *o, bool replace, h2g_error *err) {
    int rc = replace ? rename(o->tmp_path, o->path) : rename_noreplace(o->tmp_path, o->path);
    if (rc == 0) return 0;
    if (errno == EEXIST)
        return h2g_fail(err, "%s appeared while converting (another run writing it?); left as "
                             "it is: pass --force to overwrite it", o->path);
    return h2g_fail(err, "%s: cannot rename the finished temporary file into place: %s",
                    o->path, strerror(errno));
}
/* ------------------------------------------------------------------------ */

/* Takes standard output for "-". A pipe is asked for a 1 MiB buffer (the
 * usual ceiling for unprivileged processes): the writer then hands over more
 * per system call and wakes the reader less often; refused, the default
 * stays. */
static void open_standard_output(output *o) {
    o->stream = true;
    o->fd = STDOUT_FILENO;
    o->name = "standard output";
    struct stat st;
    if (fstat(o->fd, &st) == 0 && S_ISFIFO(st.st_mode)) fcntl(o->fd, F_SETPIPE_SZ, 1 << 20);
}

/* Creates the temporary file (or takes standard output for "-"), writes the
 * header and sizes the file (the padding between tensors is the zeros of the
 * extended file). */
static int output_open(output *o, h2g_error *err) {
    o->fd = -1;
    if (!strcmp(o->path, "-")) {
        open_standard_output(o);
    } else {
        o->name = o->path; /* messages name the final path */
        if (create_temporary(o, err) != 0) return -1;
    }
    uint8_t *header;
    size_t len;
    h2g_tensor_info *infos = malloc((o->plan->n_tensors + 1) * sizeof *infos);
    if (!infos)
        return h2g_fail(err, "%s: out of memory for the header's %zu tensor infos", o->name,
                        o->plan->n_tensors);
    for (size_t i = 0; i < o->plan->n_tensors; i++) infos[i] = o->plan->tensors[i].info;
    int rc = h2g_gguf_encode_header(&o->plan->kv, infos, o->plan->n_tensors, &header, &len, err);
    free(infos);
    if (rc != 0) return -1;
    if (len > o->plan->data_offset) len = (size_t)o->plan->data_offset; /* unpadded_when_empty */
    rc = output_write(o, header, len, 0, err);
    free(header);
    if (rc != 0 || o->stream) return rc;
    if (ftruncate(o->fd, (off_t)(o->plan->data_offset + o->plan->data_size)) != 0)
        return h2g_fail(err, "%s: cannot size the file: %s", o->name, strerror(errno));
    return 0;
}

/* fsyncs, closes and renames into place (a stream gets its final padding). */
static int output_commit(output *o, bool replace, h2g_error *err) {
    if (o->stream) {
        /* The padding goes out first: only then is the descriptor let go
         * (standard output stays open; the output no longer writes to it). */
        int rc = write_zeros(o, o->plan->data_offset + o->plan->data_size - o->written, err);
        o->fd = -1;
        return rc;
    }
    if (fsync(o->fd) != 0)
        return h2g_fail(err, "%s: fsync failed: %s", o->name, strerror(errno));
    int rc = close(o->fd);
    o->fd = -1;
    if (rc != 0) return h2g_fail(err, "%s: close failed: %s", o->name, strerror(errno));
    if (put_in_place(o, replace, err) != 0) return -1;
    unlist_temporary(o->tmp_path);
    free(o->tmp_path);
    o->tmp_path = NULL;
    o->placed = true;
    return 0;
}

/* Closes and removes what is left of an output (after an error). */
static void output_discard(output *o) {
    if (o->fd >= 0 && !o->stream) close(o->fd);
    o->fd = -1;
    if (o->tmp_path) unlink(o->tmp_path);
    unlist_temporary(o->tmp_path);
    free(o->tmp_path);
    o->tmp_path = NULL;
}

/* ---------------------------------------------------------------------------
 * The work queue: a cursor over (output, tensor, chunk), advanced under a
 * lock, so no list of chunks is ever built.
 *
 * A checkout with streamed shards (a compressed archive) is done in passes:
 * first every chunk whose source is readable in place, then, for each shard
 * as it is staged, the chunks that read it. A chunk reads one source tensor
 * (h2g_chunk_at cuts stacks at their sources' edges) and perhaps its FP8
 * scales, which are kept in memory, so each chunk belongs to one pass.
 * ------------------------------------------------------------------------- */

#define PASS_ALL (-2)      /* a directory or an archive read in place: one pass */
#define PASS_IN_PLACE (-1) /* the sources not streamed */

typedef struct exec {
    const h2g_checkout *co;
    output *outs;
    size_t n_outs;
    pthread_mutex_t lock;
    long pass;           /* PASS_ALL, PASS_IN_PLACE or the staged shard */
    size_t cur_out, cur_tensor;
    uint64_t cur_elem;
    size_t cur_src;      /* stacks in staged passes: the source at cur_elem */
    uint64_t src_first;  /* and its first element in the tensor */
    bool failed;
    h2g_error err;
    uint64_t bytes_read, bytes_done, bytes_total;
    size_t tensors_done, tensors_total;
    const h2g_exec_options *opt;
    struct timespec start, last_progress;
    /* Standard output: its pieces are numbered in cursor order (file order)
     * and go through the reorder window. */
    bool any_stream;
    uint64_t stream_seq;
    h2g_reorder window;
} exec;

typedef struct job {
    h2g_chunk chunk;
    output *out;
    uint64_t seq; /* standard output: the piece's number */
} job;

/* True when source src is read in the current pass. */
static bool in_pass(const exec *x, const h2g_source *src) {
    const h2g_shard *s = &x->co->shards[src->tensor->shard];
    return x->pass == PASS_IN_PLACE ? !s->streamed : (long)src->tensor->shard == x->pass;
}

/* In a pass over part of the sources, moves cur_elem past the elements of
 * tensor t made from sources of other passes. */
static void skip_other_passes(exec *x, const h2g_plan_tensor *t) {
    if (x->pass == PASS_ALL) return;
    if (!h2g_transform_stacks(t->transform)) { /* one source */
        if (!in_pass(x, &t->src[0])) x->cur_elem = UINT64_MAX;
        return;
    }
    for (; x->cur_src < t->n_src; x->cur_src++) {
        uint64_t end = x->src_first + h2g_source_elems(t, x->cur_src);
        if (x->cur_elem < end && in_pass(x, &t->src[x->cur_src])) return;
        if (x->cur_elem < end) x->cur_elem = end;
        x->src_first = end;
    }
}

/* Where the pass reading shard i comes: -1 for the in-place pass, else its
 * place in the archive (shards are staged in archive order). */
static long pass_rank(const h2g_checkout *co, size_t i) {
    return co->shards[i].streamed ? (long)co->shards[i].member : -1;
}

/* True when the current pass is the last one with chunks of t (progress
 * counts a tensor once, when its last piece is handed out). */
static bool last_pass_of(const exec *x, const h2g_plan_tensor *t) {
    if (x->pass == PASS_ALL) return true;
    long last = -1, now = x->pass == PASS_IN_PLACE ? -1 : pass_rank(x->co, (size_t)x->pass);
    for (size_t i = 0; i < t->n_src; i++) {
        long r = pass_rank(x->co, t->src[i].tensor->shard);
        if (r > last) last = r;
    }
    return last == now;
}

/* Moves the cursor past tensor t, to the start of the next one. */
static void next_tensor(exec *x, const h2g_plan_tensor *t) {
    x->cur_tensor++;
    if (last_pass_of(x, t)) x->tensors_done++;
    x->cur_elem = 0;
    x->cur_src = 0;
    x->src_first = 0;
}

/* Takes the next chunk; false when there is none left (or a worker failed). */
static bool next_job(exec *x, job *j) {
    bool found = false;
    pthread_mutex_lock(&x->lock);
    while (!x->failed && !found && x->cur_out < x->n_outs) {
        output *o = &x->outs[x->cur_out];
        if (x->cur_tensor >= o->plan->n_tensors) {
            x->cur_out++;
            x->cur_tensor = 0;
            continue;
        }
        const h2g_plan_tensor *t = &o->plan->tensors[x->cur_tensor];
        j->out = o;
        skip_other_passes(x, t);
        if (!h2g_chunk_at(t, x->cur_elem, &j->chunk)) { /* past this tensor's end */
            next_tensor(x, t);
            continue;
        }
        x->cur_elem += j->chunk.count;
        if (o->stream) j->seq = x->stream_seq++;
        found = true;
    }
    pthread_mutex_unlock(&x->lock);
    return found;
}

static double seconds_between(const struct timespec *a, const struct timespec *b) {
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* Calls the progress callback (lock held or single-threaded). */
static void report(exec *x, const struct timespec *now) {
    h2g_progress p = {.bytes_done = x->bytes_done, .bytes_total = x->bytes_total,
                      .tensors_done = x->tensors_done, .tensors_total = x->tensors_total,
                      .seconds = seconds_between(&x->start, now)};
    p.n_files = x->n_outs;
    while (p.file + 1 < x->n_outs && x->outs[p.file].done >= x->outs[p.file].plan->data_size)
        p.file++;
    if (x->n_outs) {
        p.file_bytes_done = x->outs[p.file].done;
        p.file_bytes_total = x->outs[p.file].plan->data_size;
    }
    p.bytes_read = x->bytes_read;
    x->last_progress = *now;
    x->opt->progress(x->opt->progress_ctx, &p);
}

/* Records progress; reports it at most five times a second. */
static void account(exec *x, output *o, uint64_t read, uint64_t written) {
    pthread_mutex_lock(&x->lock);
    x->bytes_read += read;
    x->bytes_done += written;
    o->done += written;
    if (x->opt->progress) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (seconds_between(&x->last_progress, &now) >= 0.2) report(x, &now);
    }
    pthread_mutex_unlock(&x->lock);
}

static void fail(exec *x, const h2g_error *e) {
    pthread_mutex_lock(&x->lock);
    if (!x->failed) x->err = *e;
    x->failed = true;
    pthread_mutex_unlock(&x->lock);
    if (x->any_stream) h2g_reorder_abort(&x->window);
}

/* The reorder window's writer: one piece of standard output. */
static int emit_piece(void *ctx, void *dest, const uint8_t *buf, size_t len, uint64_t off,
                      h2g_error *err) {
    (void)ctx;
    return output_write(dest, buf, len, off, err);
}

/* Converts, encodes and writes one chunk. */
static int run_job(exec *x, const job *j, h2g_scratch *s, h2g_error *err) {
    const h2g_plan_tensor *t = j->chunk.t;
    uint64_t read = 0;
    size_t len;
    if (h2g_chunk_encode(x->co, &j->chunk, s, &len, &read, err) != 0) return -1;
    uint64_t off = j->out->plan->data_offset + t->info.offset +
                   h2g_piece_bytes(t->info.type, j->chunk.first);
    if (j->out->stream) { /* in file order, by whichever worker's turn it is */
        if (h2g_reorder_put(&x->window, j->seq, j->out, off, &s->out, len, err) != 0) return -1;
        account(x, j->out, read, len);
        return 0;
    }
    if (output_write(j->out, s->out, len, off, err) != 0) return -1;
    /* Start writing this piece back now: the kernel then streams the file to
     * disk while we compute, instead of stalling writers on a mountain of
     * dirty pages and leaving it all to the final fsync. Advisory only. */
    if (!j->out->stream)
        sync_file_range(j->out->fd, (off64_t)off, (off64_t)len, SYNC_FILE_RANGE_WRITE);
    account(x, j->out, read, len);
    return 0;
}

static void *worker(void *arg) {
    exec *x = arg;
    h2g_scratch s;
    h2g_error err;
    if (h2g_scratch_init(&s, &err) != 0) {
        fail(x, &err);
        return NULL;
    }
    job j;
    while (next_job(x, &j)) {
        err.msg[0] = 0;
        if (run_job(x, &j, &s, &err) != 0) {
            if (err.msg[0]) fail(x, &err); /* else the window gave up after another's failure */
            break;
        }
    }
    h2g_scratch_free(&s);
    return NULL;
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

static int thread_count(const h2g_exec_options *o) {
    if (o && o->threads > 0) return o->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* Starts the workers and waits for them; the calling thread is one of them. */
static int run_workers(exec *x, int threads, h2g_error *err) {
    x->cur_out = x->cur_tensor = x->cur_src = 0;
    x->cur_elem = x->src_first = 0;
    if (x->any_stream) { /* pieces are numbered afresh: a new window */
        x->stream_seq = 0;
        size_t cap = H2G_CHUNK_ELEMS * sizeof(float); /* h2g_scratch's out */
        if (h2g_reorder_init(&x->window, h2g_reorder_slots_for(threads, cap), cap, emit_piece,
                             x, err) != 0)
            return -1;
    }
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!tids) {
        if (x->any_stream) h2g_reorder_free(&x->window);
        return h2g_fail(err, "out of memory for the ids of %d worker threads", threads);
    }
    int started = 0;
    for (int i = 1; i < threads; i++) {
        if (pthread_create(&tids[i], NULL, worker, x) != 0) break;
        started++;
    }
    worker(x);
    for (int i = 1; i <= started; i++) pthread_join(tids[i], NULL);
    free(tids);
    if (x->any_stream) {
        if (!x->failed && !h2g_reorder_drained(&x->window, x->stream_seq)) {
            h2g_fail(&x->err, "internal error: pieces left in the reorder window");
            x->failed = true;
        }
        h2g_reorder_free(&x->window);
    }
    if (x->failed) {
        *err = x->err;
        return -1;
    }
    return 0;
}

/* Test hooks, read from the environment (documented in docs/testing.md):
 * they let the test suite cut pieces small, fill the disk and interrupt a
 * run at a precise point, on any machine, without timing. */
static void read_test_hooks(void) {
    const char *chunk = getenv("HF2GGUF_CHUNK_ELEMS");
    h2g_set_chunk_elems(chunk ? strtoull(chunk, NULL, 10) : H2G_CHUNK_ELEMS);
    const char *limit = getenv("HF2GGUF_TEST_WRITE_LIMIT");
    test_write_limit = limit ? strtoull(limit, NULL, 10) : 0;
    const char *no_renameat2 = getenv("HF2GGUF_TEST_NO_RENAMEAT2");
    test_no_renameat2 = no_renameat2 ? atoi(no_renameat2) : 0;
}

/* HF2GGUF_TEST_RAISE=SIG: raise SIG once the temporary files exist. */
static void test_interrupt(void) {
    const char *sig = getenv("HF2GGUF_TEST_RAISE");
    if (sig) raise(atoi(sig));
}

/* Records what a run did. */
static void fill_stats(h2g_exec_stats *stats, const exec *x, const h2g_plan *plans, size_t n,
                       double seconds, int threads) {
    if (!stats) return;
    stats->bytes_read = x->bytes_read;
    stats->bytes_written = 0;
    for (size_t i = 0; i < n; i++) stats->bytes_written += plans[i].data_offset + plans[i].data_size;
    stats->seconds = seconds;
    stats->threads = threads;
}

/* The folder the first output is in: staged shards go there, on the disk
 * that must hold the output anyway. */
static char *staging_dir(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : h2g_strdup(".");
}

/* wanted[i]: some chunk of the plans reads shard i (MTP layers, say, are
 * read by none, and their shards need not be unpacked). */
static bool *shards_read(const exec *x) {
    bool *wanted = calloc(x->co->n_shards + 1, sizeof *wanted);
    for (size_t o = 0; wanted && o < x->n_outs; o++) {
        const h2g_plan *p = x->outs[o].plan;
        for (size_t t = 0; t < p->n_tensors; t++)
            for (size_t s = 0; s < p->tensors[t].n_src; s++)
                wanted[p->tensors[t].src[s].tensor->shard] = true;
    }
    return wanted;
}

/* Runs the passes: everything at once, or what is in place and then each
 * staged shard in turn. */
static int run_passes(exec *x, h2g_checkout *co, const char *first_path, int threads,
                      h2g_error *err) {
    if (!h2g_checkout_stages_shards(co)) {
        x->pass = PASS_ALL;
        return run_workers(x, threads, err);
    }
    if (x->any_stream)
        return h2g_fail(err, "%s: a compressed archive cannot be converted to standard output "
                             "(its shards are unpacked one at a time and the output is written "
                             "out of order)", co->dir);
    char *dir = staging_dir(first_path);
    if (!dir) return h2g_fail(err, "out of memory for the name of the folder of %s", first_path);
    bool *wanted = shards_read(x);
    if (!wanted) {
        free(dir);
        return h2g_fail(err, "%s: out of memory for the list of its %zu shards to unpack", co->dir,
                        co->n_shards);
    }
    x->pass = PASS_IN_PLACE;
    int rc = run_workers(x, threads, err);
    size_t shard;
    while (rc == 0 && (rc = h2g_checkout_stage_next(co, dir, wanted, &shard, err)) == 1) {
        x->pass = (long)shard;
        rc = run_workers(x, threads, err);
    }
    h2g_checkout_stage_end(co);
    free(wanted);
    free(dir);
    return rc;
}

int h2g_execute(h2g_checkout *co, h2g_plan *plans, const char *const *paths, size_t n,
                const h2g_exec_options *o, h2g_exec_stats *stats, h2g_error *err) {
    static const h2g_exec_options defaults = {0};
    if (!o) o = &defaults;
    if (n > H2G_EXEC_MAX_FILES)
        return h2g_fail(err, "%zu output files in one run; at most %d", n, H2G_EXEC_MAX_FILES);
    read_test_hooks();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    output *outs = calloc(n ? n : 1, sizeof *outs);
    if (!outs) return h2g_fail(err, "out of memory for the state of %zu output files", n);
    exec x = {.co = co, .outs = outs, .n_outs = n, .opt = o, .start = t0, .last_progress = t0};
    pthread_mutex_init(&x.lock, NULL);
    /* Files take pieces in any order (pwrite); standard output gets them
     * through the reorder window. Either way all cores work. */
    int threads = thread_count(o), rc = 0;
    for (size_t i = 0; i < n; i++) {
        outs[i] = (output){.path = paths[i], .fd = -1, .plan = &plans[i]};
        x.bytes_total += plans[i].data_size;
        x.tensors_total += plans[i].n_tensors;
    }
    for (size_t i = 0; i < n && rc == 0; i++) rc = output_open(&outs[i], err);
    for (size_t i = 0; i < n; i++) x.any_stream |= outs[i].stream;
    if (rc == 0) test_interrupt();
    if (rc == 0) rc = run_passes(&x, co, n ? paths[0] : "-", threads, err);
    if (rc == 0) rc = h2g_checkout_check_unchanged(co, err);
    for (size_t i = 0; i < n && rc == 0; i++) rc = output_commit(&outs[i], o->replace, err);
    /* A set of files (split parts, model + mmproj) is all or nothing: when
     * one cannot be put in place, the ones this run already placed go. */
    for (size_t i = 0; i < n && rc != 0 && !o->replace; i++)
        if (outs[i].placed) unlink(outs[i].path);
    for (size_t i = 0; i < n; i++) output_discard(&outs[i]);
    pthread_mutex_destroy(&x.lock);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    x.bytes_done = x.bytes_total;
    for (size_t i = 0; i < n; i++) outs[i].done = plans[i].data_size;
    if (rc == 0 && o->progress) report(&x, &t1);
    fill_stats(stats, &x, plans, n, seconds_between(&t0, &t1), threads);
    free(outs);
    return rc;
}
