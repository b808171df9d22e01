/*
 * reorder.h - the bounded window that puts pieces computed out of order back
 * into file order, for outputs that can only go forward (standard output, a
 * pipe, a FIFO, a character device).
 *
 * The executor numbers the pieces of such outputs 0, 1, 2, ... in the order
 * its cursor hands them out, which is file order. Workers compute pieces in
 * any order and put each one into the window under its number; the window
 * holds at most n_slots of them. Whoever puts the piece the output is
 * waiting for becomes the writer (one at a time): it emits that piece and
 * every following one already there, in order, then goes back to computing.
 * So there is no extra thread, --threads 1 works as before, and the memory
 * is n_slots buffers whatever the model.
 *
 * No copy: a piece is handed over as the buffer it was encoded into, and the
 * worker gets an empty buffer of the same capacity in exchange. The window
 * does not know how the bytes were made (float encoding, a quantizer, the
 * source bytes themselves): any encoder that fills a buffer of buf_cap bytes
 * allocated with malloc can feed it.
 */
#ifndef HF2GGUF_CONVERT_REORDER_H
#define HF2GGUF_CONVERT_REORDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hf2gguf/error.h"

/* Writes one piece: len bytes at offset off of output dest. Called by one
 * thread at a time, pieces in the order of their numbers. */
typedef int (*h2g_emit_fn)(void *ctx, void *dest, const uint8_t *buf, size_t len, uint64_t off,
                           h2g_error *err);

typedef struct h2g_reorder_slot {
    uint8_t *buf;   /* the piece's bytes while full; else a spare buffer (or NULL) */
    size_t len;
    void *dest;
    uint64_t off;
    bool full;
} h2g_reorder_slot;

typedef struct h2g_reorder {
    pthread_mutex_t lock;
    pthread_cond_t moved; /* signalled whenever `next` advances or on abort */
    h2g_reorder_slot *slots;
    size_t n_slots, buf_cap;
    uint64_t next;        /* the number of the piece the output waits for */
    bool writing;         /* some thread holds the writer role */
    bool aborted;
    h2g_emit_fn emit;
    void *emit_ctx;
} h2g_reorder;

/* Window size for `threads` workers and buffers of buf_cap bytes: three
 * pieces per worker, at least two, and at most H2G_REORDER_BUDGET bytes. */
#define H2G_REORDER_BUDGET (32u << 20)
size_t h2g_reorder_slots_for(int threads, size_t buf_cap);

int h2g_reorder_init(h2g_reorder *r, size_t n_slots, size_t buf_cap, h2g_emit_fn emit,
                     void *emit_ctx, h2g_error *err);
void h2g_reorder_free(h2g_reorder *r);

/* Puts piece number seq (len bytes of *buf, for offset off of dest) into
 * the window, first waiting for room (seq < next + n_slots), and gives the
 * caller a spare buffer of buf_cap bytes in *buf. Then, if the output waits
 * for this piece and no one is writing, emits all it can in order. -1 with
 * err filled when emitting fails or memory runs out; -1 with err untouched
 * when the window was aborted (someone else failed first). */
int h2g_reorder_put(h2g_reorder *r, uint64_t seq, void *dest, uint64_t off, uint8_t **buf,
                    size_t len, h2g_error *err);

/* Wakes every thread waiting for room and makes them, and later puts, give
 * up: called when any worker fails. */
void h2g_reorder_abort(h2g_reorder *r);

/* True when every piece numbered below n has been emitted. */
bool h2g_reorder_drained(h2g_reorder *r, uint64_t n);

#endif
