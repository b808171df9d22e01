/* test_sha256.c - SHA-256 against the FIPS 180-4 examples and Python's
 * hashlib at the padding boundaries; streaming in any split equals one
 * shot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/sha256.h"

/* ---------------------------------------------------------------------------
 * Known answers
 * ------------------------------------------------------------------------- */

/* The FIPS 180-4 / NIST examples. */
static void test_nist_vectors(void **state) {
    (void)state;
    static const struct {
        const char *msg, *hex;
    } cases[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hex[65];
        h2g_sha256_hex_of(cases[i].msg, strlen(cases[i].msg), hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

/* One million 'a', fed in uneven pieces. */
static void test_million_a(void **state) {
    (void)state;
    char chunk[997];
    memset(chunk, 'a', sizeof chunk);
    h2g_sha256 h;
    h2g_sha256_init(&h);
    size_t left = 1000000;
    while (left) {
        size_t n = left < sizeof chunk ? left : sizeof chunk;
        h2g_sha256_update(&h, chunk, n);
        left -= n;
    }
    uint8_t d[32];
    char hex[65];
    h2g_sha256_final(&h, d);
    h2g_sha256_hex(d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Lengths around the 55/56/64-byte padding edges (bytes i % 251), digests
 * from Python's hashlib. */
static void test_padding_boundaries(void **state) {
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"},
        {56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"},
        {63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"},
        {64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"},
        {65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"},
        {119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"},
        {120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"},
        {128, "471fb943aa23c511f6f72f8d1652d9c880cfa392ad80503120547703e56a2be5"},
    };
    uint8_t buf[128];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i % 251);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hex[65];
        h2g_sha256_hex_of(buf, cases[i].len, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

/* ---------------------------------------------------------------------------
 * Streaming
 * ------------------------------------------------------------------------- */

/* Every two-piece split of every length up to 200 gives the one-shot digest. */
static void test_any_split(void **state) {
    (void)state;
    uint8_t buf[200];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 37 + 11);
    for (size_t len = 0; len <= sizeof buf; len += 7) {
        char want[65];
        h2g_sha256_hex_of(buf, len, want);
        for (size_t cut = 0; cut <= len; cut++) {
            h2g_sha256 h;
            uint8_t d[32];
            char hex[65];
            h2g_sha256_init(&h);
            h2g_sha256_update(&h, buf, cut);
            h2g_sha256_update(&h, buf + cut, len - cut);
            h2g_sha256_update(&h, buf, 0); /* empty updates change nothing */
            h2g_sha256_final(&h, d);
            h2g_sha256_hex(d, hex);
            assert_string_equal(hex, want);
        }
    }
}

/* A context can be reused after init. */
static void test_reinit(void **state) {
    (void)state;
    h2g_sha256 h;
    uint8_t d[32];
    char hex[65];
    h2g_sha256_init(&h);
    h2g_sha256_update(&h, "garbage", 7);
    h2g_sha256_init(&h);
    h2g_sha256_update(&h, "abc", 3);
    h2g_sha256_final(&h, d);
    h2g_sha256_hex(d, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_vectors),       cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_boundaries), cmocka_unit_test(test_any_split),
        cmocka_unit_test(test_reinit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
