/*
 * checkout_archive.h - a checkout packed in a tar or zip archive (private to
 * checkout.c; the staging calls are public, in hf2gguf/checkout.h).
 *
 * Opening walks the archive once, in order, and keeps what the checkout will
 * need without unpacking anything to disk:
 *   - the small files the checkout reads (config.json, tokenizer files, ...),
 *     whole, in memory;
 *   - for each *.safetensors entry whose data lies in place (uncompressed tar,
 *     stored zip entry): where it lies; the shard is then read there;
 *   - for each other *.safetensors entry ("streamed": its data can only be
 *     decompressed in order): its header bytes, and copies of its FP8 scale
 *     tensors (*_scale_inv, 1/16384 of the weights' size), because a weight
 *     and its scales may sit in different shards and only one shard is
 *     staged at a time.
 * Streamed shards are staged during the conversion, one after another, into
 * one temporary file that is unlinked as soon as it is created.
 *
 * Everything kept in memory counts against H2G_ARCHIVE_MAX_KEPT.
 */
#ifndef HF2GGUF_CHECKOUT_ARCHIVE_H
#define HF2GGUF_CHECKOUT_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source/archive_reader.h"
#include "hf2gguf/checkout.h"
#include "hf2gguf/safetensors.h"

#define H2G_ARCHIVE_MAX_KEPT (2ull << 30) /* 2 GiB: small files, headers, scales */

/* A copy of one tensor of a streamed shard. */
typedef struct h2g_held_tensor {
    char *name;
    uint64_t offset, nbytes; /* in the shard */
    uint8_t *data;
} h2g_held_tensor;

/* One regular file of the archive. */
typedef struct h2g_archive_member {
    char *name;        /* relative to the checkout (top folder stripped) */
    uint64_t size;
    bool in_place;     /* data at `offset` in the archive file */
    uint64_t offset;
    char *content;     /* a small file the checkout reads, NUL-terminated, or NULL */
    bool too_big;      /* such a file, above the size the checkout accepts */
    uint8_t *head;     /* streamed *.safetensors: its first bytes (8 + header) */
    size_t head_len;
    h2g_held_tensor *held; /* streamed *.safetensors: its scale tensors, by name */
    size_t n_held;
} h2g_archive_member;

struct h2g_archive {
    char *path;
    int fd;
    const uint8_t *map;
    uint64_t size;
    h2g_archive_member *members; /* in archive order */
    size_t n_members;
    char *top;        /* the one top-level folder every name was under, or NULL */
    uint64_t kept;    /* bytes kept in memory */
    /* staging */
    h2g_archive_reader *stage;
    size_t stage_next;   /* members[] index of the next entry the stage walk sees */
    int stage_fd;        /* the temporary file, already unlinked */
    long staged_shard;   /* co->shards[] index staged now, or -1 */
};

/* Opens path as a checkout's archive: co->archive, co->dir (the path) and
 * co->dir_name (the top folder, else the file name without its archive
 * extensions). */
int h2g_checkout_archive_open(h2g_checkout *co, const char *path, h2g_error *err);
void h2g_checkout_archive_free(struct h2g_archive *a);

/* The member called name, or NULL. */
h2g_archive_member *h2g_archive_member_find(const struct h2g_archive *a, const char *name);

/* The name of a member called name in some folder (".../name"), or NULL:
 * for messages when name is not where it should be. */
const char *h2g_archive_find_deeper(const struct h2g_archive *a, const char *name);

/* A small file of the archive, as h2g_read_small_file() reads one from a
 * directory: 1 when absent (and optional), 0 with a malloc'ed copy, -1. */
int h2g_archive_read_small(const struct h2g_archive *a, const char *name, size_t max_bytes,
                           bool optional, char **out, size_t *len, h2g_error *err);

/* Finds shard s in the archive and says where its bytes are read (fd, base,
 * map, size, streamed); *head gets the bytes its header is parsed from (in
 * the mapping, or the copy kept of a streamed one: *len of them). */
int h2g_archive_locate_shard(h2g_checkout *co, h2g_shard *s, const uint8_t **head, uint64_t *len,
                             h2g_error *err);

/* After every shard is open: co->held[] points at the copies kept of the
 * streamed shards' scale tensors. */
int h2g_archive_attach_held(h2g_checkout *co, h2g_error *err);

#endif
