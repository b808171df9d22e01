/* reorder.c - pieces back into file order for forward-only outputs (see
 * reorder.h). */
#include "convert/reorder.h"

#include <stdlib.h>

size_t h2g_reorder_slots_for(int threads, size_t buf_cap) {
    size_t want = 3 * (size_t)(threads > 0 ? threads : 1);
    size_t most = buf_cap ? H2G_REORDER_BUDGET / buf_cap : want;
    if (want > most) want = most;
    return want < 2 ? 2 : want;
}

int h2g_reorder_init(h2g_reorder *r, size_t n_slots, size_t buf_cap, h2g_emit_fn emit,
                     void *emit_ctx, h2g_error *err) {
    *r = (h2g_reorder){.n_slots = n_slots, .buf_cap = buf_cap, .emit = emit,
                       .emit_ctx = emit_ctx};
    r->slots = calloc(n_slots, sizeof *r->slots);
    if (!r->slots)
        return h2g_fail(err, "out of memory for the %zu slots of the reorder window", n_slots);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->moved, NULL);
    return 0;
}

void h2g_reorder_free(h2g_reorder *r) {
    if (!r->slots) return;
    for (size_t i = 0; i < r->n_slots; i++) free(r->slots[i].buf);
    free(r->slots);
    r->slots = NULL;
    pthread_mutex_destroy(&r->lock);
    pthread_cond_destroy(&r->moved);
}

void h2g_reorder_abort(h2g_reorder *r) {
    pthread_mutex_lock(&r->lock);
    r->aborted = true;
    pthread_cond_broadcast(&r->moved);
    pthread_mutex_unlock(&r->lock);
}

bool h2g_reorder_drained(h2g_reorder *r, uint64_t n) {
    pthread_mutex_lock(&r->lock);
    bool done = r->next >= n && !r->writing;
    pthread_mutex_unlock(&r->lock);
    return done;
}

/* Emits the pieces from `next` on while they are there (lock held on entry
 * and on return; released around each write so others keep depositing).
 * The emitted buffer stays in its slot as the slot's spare. */
static int write_in_order(h2g_reorder *r, h2g_error *err) {
    int rc = 0;
    for (;;) {
        h2g_reorder_slot *s = &r->slots[r->next % r->n_slots];
        if (!s->full || r->aborted) break;
        pthread_mutex_unlock(&r->lock);
        rc = r->emit(r->emit_ctx, s->dest, s->buf, s->len, s->off, err);
        pthread_mutex_lock(&r->lock);
        if (rc != 0) break;
        s->full = false;
        r->next++;
        pthread_cond_broadcast(&r->moved);
    }
    r->writing = false;
    return rc;
}

int h2g_reorder_put(h2g_reorder *r, uint64_t seq, void *dest, uint64_t off, uint8_t **buf,
                    size_t len, h2g_error *err) {
    pthread_mutex_lock(&r->lock);
    while (!r->aborted && seq >= r->next + r->n_slots)
        pthread_cond_wait(&r->moved, &r->lock);
    if (r->aborted) {
        pthread_mutex_unlock(&r->lock);
        return -1;
    }
    h2g_reorder_slot *s = &r->slots[seq % r->n_slots];
    uint8_t *spare = s->buf;
    if (!spare && !(spare = malloc(r->buf_cap))) {
        pthread_mutex_unlock(&r->lock);
        return h2g_fail(err, "out of memory for a %zu-byte buffer of the reorder window",
                        r->buf_cap);
    }
    *s = (h2g_reorder_slot){.buf = *buf, .len = len, .dest = dest, .off = off, .full = true};
    *buf = spare;
    int rc = 0;
    if (!r->writing && seq == r->next) {
        r->writing = true;
        rc = write_in_order(r, err);
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}
