/* sha256.h - SHA-256 (FIPS 180-4), for recognising pre-tokenizers by the
 * digest of their regexes and for checksums of tensor data. */
#ifndef HF2GGUF_SHA256_H
#define HF2GGUF_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct h2g_sha256 {
    uint32_t state[8];
    uint64_t length; /* bytes hashed so far */
    uint8_t block[64];
    size_t fill;
} h2g_sha256;

void h2g_sha256_init(h2g_sha256 *h);
void h2g_sha256_update(h2g_sha256 *h, const void *data, size_t len);
void h2g_sha256_final(h2g_sha256 *h, uint8_t digest[32]);
/* Lower-case hex of the digest: 64 characters and a NUL. */
void h2g_sha256_hex(const uint8_t digest[32], char hex[65]);
/* One shot: hex digest of data. */
void h2g_sha256_hex_of(const void *data, size_t len, char hex[65]);

#endif
