/*
 * ids.h - integer id tables narrowed to int32 (DeepSeek-V4's tid2eid).
 *
 * The hash-routed layers map each token id to its experts with an I64 table
 * that llama.cpp wants as I32. The reference narrows value by value without
 * looking; hf2gguf checks every id against the expert count first, since an
 * id out of range would make the loaded model read outside its experts.
 */
#ifndef HF2GGUF_IDS_H
#define HF2GGUF_IDS_H

#include <stddef.h>
#include <stdint.h>

/* Narrows n little-endian integers of `width` bytes (8: int64, 4: int32) at
 * src to little-endian int32 at dst, each required to lie in [0, limit).
 * Returns -1 when all do, else the index of the first that does not (its
 * value in *bad); dst is then incomplete. */
long h2g_ids_to_i32(const uint8_t *src, size_t width, uint8_t *dst, size_t n, int64_t limit,
                    int64_t *bad);

#endif
