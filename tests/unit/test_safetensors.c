/* test_safetensors.c - the safetensors header parser (safetensors.h).
 *
 *  1. dtype names, sizes and the float test;
 *  2. a good header: tensors sorted by name in byte order, "__metadata__"
 *     skipped, absolute offsets, shapes, element and byte counts, the shard
 *     index, padding after the JSON, a scalar and empty tensors;
 *  3. one table of malformed headers, each with the message it must give
 *     (every message starts with the file name); the buffers are exactly
 *     as long as the file, so ASan catches any read past them;
 *  4. the header length checks that need a file size other than the bytes
 *     given (a huge header, a header cut short). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/safetensors.h"

#define FILE_NAME "x.safetensors"

/* ---------------------------------------------------------------------------
 * Building files in memory
 * ------------------------------------------------------------------------- */

/* A malloc'ed safetensors file: 8-byte length, json, then data_len bytes
 * (byte i of the data is i & 0xff). *size is the file's length. */
static uint8_t *make_file(const char *json, size_t data_len, size_t *size) {
    size_t n = strlen(json);
    *size = 8 + n + data_len;
    uint8_t *buf = malloc(*size);
    assert_non_null(buf);
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)((uint64_t)n >> (8 * i));
    memcpy(buf + 8, json, n);
    for (size_t i = 0; i < data_len; i++) buf[8 + n + i] = (uint8_t)i;
    return buf;
}

/* Parses json + data_len data bytes; returns the parser's status. */
static int parse(const char *json, size_t data_len, h2g_st_header *h, h2g_error *err) {
    size_t size;
    uint8_t *buf = make_file(json, data_len, &size);
    int rc = h2g_st_parse_header(h, buf, size, size, 3, FILE_NAME, err);
    free(buf);
    return rc;
}

/* Asserts that parsing fails with a message starting with the file name
 * and containing `expect`, and leaves nothing behind. */
static void expect_error(const char *json, size_t data_len, const char *expect) {
    h2g_st_header h;
    h2g_error err = {0};
    int rc = parse(json, data_len, &h, &err);
    if (rc == 0 || !strstr(err.msg, expect) || strncmp(err.msg, FILE_NAME ": ", 15) != 0)
        fail_msg("header %s\n  expected an error containing: %s\n  got (rc %d): %s", json,
                 expect, rc, err.msg);
    assert_null(h.tensors);
    assert_int_equal(h.n_tensors, 0);
}

/* ---------------------------------------------------------------------------
 * dtypes
 * ------------------------------------------------------------------------- */

static void test_dtypes(void **state) {
    (void)state;
    static const struct {
        const char *name;
        size_t size;
        bool is_float;
    } want[H2G_DT_COUNT] = {
        {"F64", 8, true},  {"F32", 4, true},  {"F16", 2, true},  {"BF16", 2, true},
        {"F8_E4M3", 1, true}, {"F8_E5M2", 1, true}, {"I64", 8, false}, {"I32", 4, false},
        {"I16", 2, false}, {"I8", 1, false},  {"U64", 8, false}, {"U32", 4, false},
        {"U16", 2, false}, {"U8", 1, false},  {"BOOL", 1, false}, {"F8_E8M0", 1, false},
    };
    for (int i = 0; i < H2G_DT_COUNT; i++) {
        h2g_dtype dt;
        assert_true(h2g_dtype_parse(want[i].name, &dt));
        assert_int_equal(dt, i);
        assert_string_equal(h2g_dtype_name(dt), want[i].name);
        assert_int_equal(h2g_dtype_size(dt), want[i].size);
        assert_int_equal(h2g_dtype_is_float(dt), want[i].is_float);
    }
    h2g_dtype dt;
    assert_false(h2g_dtype_parse("bf16", &dt)); /* names are case-sensitive */
    assert_false(h2g_dtype_parse("F8_E4M3FN", &dt));
    assert_false(h2g_dtype_parse("", &dt));
    assert_string_equal(h2g_dtype_name(H2G_DT_COUNT), "?");
    assert_int_equal(h2g_dtype_size(H2G_DT_COUNT), 0);
}

/* ---------------------------------------------------------------------------
 * Good headers
 * ------------------------------------------------------------------------- */

static void test_good_header(void **state) {
    (void)state;
    /* Names out of order on purpose, including upper case, '_' and UTF-8
     * ("é" is 0xC3 0xA9, after every ASCII byte); data not in name order. */
    const char *json = "{\"__metadata__\": {\"format\": \"pt\"},"
                       " \"b.weight\": {\"dtype\": \"BF16\", \"shape\": [4, 8],"
                       " \"data_offsets\": [0, 64]},"
                       " \"\xc3\xa9t\xc3\xa9\": {\"dtype\": \"F32\", \"shape\": [],"
                       " \"data_offsets\": [64, 68]},"
                       " \"B\": {\"dtype\": \"F8_E4M3\", \"shape\": [2, 3, 2],"
                       " \"data_offsets\": [68, 80]},"
                       " \"a_\": {\"dtype\": \"I64\", \"shape\": [0, 5],"
                       " \"data_offsets\": [80, 80]},"
                       " \"a\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [80, 80]}"
                       "}      ";
    h2g_st_header h;
    h2g_error err = {0};
    assert_int_equal(parse(json, 96, &h, &err), 0);
    uint64_t start = 8 + strlen(json);
    assert_int_equal(h.data_start, start);
    assert_int_equal(h.n_tensors, 5);
    const char *order[] = {"B", "a", "a_", "b.weight", "\xc3\xa9t\xc3\xa9"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(h.tensors[i].name, order[i]);
        assert_int_equal(h.tensors[i].shard, 3);
    }
    const h2g_st_tensor *b = &h.tensors[3];
    assert_int_equal(b->dtype, H2G_DT_BF16);
    assert_int_equal(b->n_dims, 2);
    assert_int_equal(b->shape[0], 4);
    assert_int_equal(b->shape[1], 8);
    assert_int_equal(b->n_elements, 32);
    assert_int_equal(b->nbytes, 64);
    assert_int_equal(b->offset, start);
    const h2g_st_tensor *scalar = &h.tensors[4];
    assert_int_equal(scalar->n_dims, 0);
    assert_int_equal(scalar->n_elements, 1);
    assert_int_equal(scalar->nbytes, 4);
    assert_int_equal(scalar->offset, start + 64);
    const h2g_st_tensor *f8 = &h.tensors[0];
    assert_int_equal(f8->n_dims, 3);
    assert_int_equal(f8->n_elements, 12);
    assert_int_equal(f8->offset, start + 68);
    assert_int_equal(h.tensors[1].n_elements, 0);
    assert_int_equal(h.tensors[2].nbytes, 0);
    h2g_st_header_free(&h);
    assert_null(h.tensors);
    h2g_st_header_free(&h); /* freeing twice is harmless */
}

static void test_empty_header(void **state) {
    (void)state;
    h2g_st_header h;
    h2g_error err = {0};
    assert_int_equal(parse("{}", 0, &h, &err), 0);
    assert_int_equal(h.n_tensors, 0);
    assert_int_equal(h.data_start, 10);
    h2g_st_header_free(&h);
    assert_int_equal(parse("{\"__metadata__\": {}}  \n", 0, &h, &err), 0);
    assert_int_equal(h.n_tensors, 0);
    h2g_st_header_free(&h);
}

/* 2^52 elements of U8 with a matching range: every number is acceptable,
 * and only the file size refuses it (nothing is allocated for it). */
static void test_large_numbers(void **state) {
    (void)state;
    h2g_st_header h;
    h2g_error err = {0};
    assert_int_not_equal(parse("{\"t\": {\"dtype\": \"U8\", \"shape\": [67108864, 67108864],"
                               " \"data_offsets\": [0, 4503599627370496]}}",
                               0, &h, &err),
                         0);
    assert_non_null(strstr(err.msg, "lies outside the file"));
}

/* ---------------------------------------------------------------------------
 * Malformed headers
 * ------------------------------------------------------------------------- */

/* Entry for tensor name with the given dtype, shape and offsets. */
#define T(name, dtype, shape, offs)                                                           \
    "\"" name "\": {\"dtype\": " dtype ", \"shape\": " shape ", \"data_offsets\": " offs "}"

static void test_malformed(void **state) {
    (void)state;
    static const struct {
        const char *json;
        size_t data_len;
        const char *expect;
    } cases[] = {
        /* the JSON itself */
        {"{", 0, "header is not valid JSON (near byte"},
        {"", 0, "header is not valid JSON"},
        {"[1, 2]", 0, "header is not a JSON object"},
        {"\"x\"", 0, "header is not a JSON object"},
        {"{} x", 0, "header has bytes after its JSON object"},
        /* entries */
        {"{\"t\": 1}", 0, "tensor 't': entry must be a JSON object"},
        {"{\"t\": {\"shape\": [], \"data_offsets\": [0, 4]}}", 4, "tensor 't': 'dtype' must be"},
        {"{" T("t", "\"Q4_K\"", "[1]", "[0, 1]") "}", 1, "tensor 't': unknown dtype 'Q4_K'"},
        {"{" T("t", "4", "[1]", "[0, 1]") "}", 1, "tensor 't': 'dtype' must be a string"},
        /* shapes */
        {"{" T("t", "\"U8\"", "4", "[0, 4]") "}", 4, "tensor 't': 'shape' must be a list"},
        {"{" T("t", "\"U8\"", "[1,1,1,1,1,1,1,1,1]", "[0, 1]") "}", 1,
         "tensor 't': shape has 9 dimensions, at most 8 are supported"},
        {"{" T("t", "\"U8\"", "[-1]", "[0, 0]") "}", 0,
         "tensor 't': shape entry 0 is not a non-negative whole number"},
        {"{" T("t", "\"U8\"", "[2, \"x\"]", "[0, 2]") "}", 2,
         "tensor 't': shape entry 1 is not a non-negative whole number"},
        {"{" T("t", "\"U8\"", "[1.5]", "[0, 1]") "}", 1, "shape entry 0 is not a"},
        {"{" T("t", "\"U8\"", "[null]", "[0, 1]") "}", 1, "shape entry 0 is not a"},
        {"{" T("t", "\"U8\"", "[9007199254740992]", "[0, 1]") "}", 1, "shape entry 0 is not a"},
        {"{" T("t", "\"U8\"", "[4294967296, 4294967296, 4294967296]", "[0, 1]") "}", 1,
         "tensor 't': shape overflows 64 bits"},
        {"{" T("t", "\"F64\"", "[4294967296, 2147483648]", "[0, 1]") "}", 1,
         "tensor 't': byte size overflows 64 bits"},
        /* offsets */
        {"{\"t\": {\"dtype\": \"U8\", \"shape\": [1]}}", 1, "tensor 't': 'data_offsets' must be"},
        {"{" T("t", "\"U8\"", "[1]", "[0]") "}", 1, "'data_offsets' must be two whole numbers"},
        {"{" T("t", "\"U8\"", "[1]", "[0, 1, 2]") "}", 2, "'data_offsets' must be two"},
        {"{" T("t", "\"U8\"", "[1]", "[-1, 0]") "}", 1, "'data_offsets' must be two"},
        {"{" T("t", "\"U8\"", "[1]", "[0, 0.5]") "}", 1, "'data_offsets' must be two"},
        {"{" T("t", "\"U8\"", "[1]", "{\"a\": 0, \"b\": 1}") "}", 1, "'data_offsets' must be"},
        {"{" T("t", "\"U8\"", "[4]", "[8, 4]") "}", 8,
         "tensor 't': data_offsets [8, 4) are reversed"},
        {"{" T("x", "\"BF16\"", "[4, 8]", "[0, 60]") "}", 64,
         "tensor 'x': shape [4, 8] × BF16 is 64 bytes but data_offsets span 60"},
        {"{" T("x", "\"F32\"", "[]", "[0, 8]") "}", 8,
         "tensor 'x': shape [] × F32 is 4 bytes but data_offsets span 8"},
        {"{" T("x", "\"BF16\"", "[4, 8]", "[0, 64]") "}", 63,
         "tensor 'x' data [0, 64) lies outside the file (63 data bytes"},
        {"{" T("x", "\"U8\"", "[1]", "[9007199254740990, 9007199254740991]") "}", 0,
         "tensor 'x' data [9007199254740990, 9007199254740991) lies outside the file"},
        /* between tensors */
        {"{" T("a", "\"U8\"", "[16]", "[0, 16]") ", " T("b", "\"U8\"", "[16]", "[8, 24]") "}",
         24, "tensors 'a' [0, 16) and 'b' [8, 24) overlap in the file"},
        {"{" T("a", "\"U8\"", "[4]", "[4, 8]") ", " T("b", "\"U8\"", "[16]", "[0, 16]") "}",
         16, "tensors 'b' [0, 16) and 'a' [4, 8) overlap in the file"},
        {"{" T("a", "\"U8\"", "[4]", "[0, 4]") ", " T("b", "\"U8\"", "[4]", "[0, 4]") "}", 4,
         "overlap in the file"},
        {"{" T("a", "\"U8\"", "[4]", "[0, 4]") ", " T("a", "\"U8\"", "[4]", "[4, 8]") "}", 8,
         "tensor 'a' is listed twice in the header"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i].json, cases[i].data_len, cases[i].expect);
}

/* The overlap message names both tensors with their data_offsets ranges. */
static void test_overlap_message(void **state) {
    (void)state;
    h2g_st_header h;
    h2g_error err = {0};
    const char *json =
        "{" T("a", "\"U8\"", "[16]", "[0, 16]") ", " T("b", "\"U8\"", "[16]", "[8, 24]") "}";
    assert_int_equal(parse(json, 24, &h, &err), -1);
    assert_string_equal(err.msg, FILE_NAME ": tensors 'a' [0, 16) and 'b' [8, 24) overlap in "
                                 "the file");
}

/* Zero-byte tensors overlap nothing, wherever they point. */
static void test_empty_ranges_do_not_overlap(void **state) {
    (void)state;
    h2g_st_header h;
    h2g_error err = {0};
    assert_int_equal(parse("{" T("a", "\"U8\"", "[16]", "[0, 16]") ", "
                           T("b", "\"U8\"", "[0]", "[8, 8]") ", "
                           T("c", "\"U8\"", "[4]", "[16, 20]") "}", 20, &h, &err), 0);
    assert_int_equal(h.n_tensors, 3);
    h2g_st_header_free(&h);
}

/* ---------------------------------------------------------------------------
 * Header length
 * ------------------------------------------------------------------------- */

static void test_header_length(void **state) {
    (void)state;
    h2g_st_header h;
    h2g_error err = {0};
    uint8_t buf[16] = {0};

    /* Shorter than 8 bytes. */
    assert_int_equal(h2g_st_parse_header(&h, buf, 5, 5, 0, FILE_NAME, &err), -1);
    assert_string_equal(err.msg, FILE_NAME ": file is 5 bytes, too short for a safetensors "
                                 "header (truncated?)");
    assert_int_equal(h2g_st_parse_header(&h, buf, 0, 0, 0, FILE_NAME, &err), -1);
    assert_non_null(strstr(err.msg, "file is 0 bytes"));

    /* Header length larger than the file. */
    uint64_t n = 123456789;
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)(n >> (8 * i));
    assert_int_equal(h2g_st_parse_header(&h, buf, 16, 1000, 0, FILE_NAME, &err), -1);
    assert_string_equal(err.msg, FILE_NAME ": header length 123456789 is larger than the file "
                                 "(1000 bytes)");
    memset(buf, 0xff, 8); /* 2^64 - 1: no overflow in 8 + N */
    assert_int_equal(h2g_st_parse_header(&h, buf, 16, 1000, 0, FILE_NAME, &err), -1);
    assert_non_null(strstr(err.msg, "header length 18446744073709551615 is larger than"));

    /* Within a (sparse, say) file, but above the limit. */
    n = (uint64_t)H2G_ST_MAX_HEADER + 1;
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)(n >> (8 * i));
    assert_int_equal(h2g_st_parse_header(&h, buf, 16, 1u << 30, 0, FILE_NAME, &err), -1);
    assert_non_null(strstr(err.msg, "header length 104857601 exceeds the 104857600-byte limit"));

    /* The caller gave fewer bytes than the header. */
    n = 100;
    for (int i = 0; i < 8; i++) buf[i] = (uint8_t)(n >> (8 * i));
    assert_int_equal(h2g_st_parse_header(&h, buf, 16, 1000, 0, FILE_NAME, &err), -1);
    assert_string_equal(err.msg, FILE_NAME ": only 8 of the 100 header bytes were given");
    assert_null(h.tensors);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtypes),
        cmocka_unit_test(test_good_header),
        cmocka_unit_test(test_empty_header),
        cmocka_unit_test(test_large_numbers),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_overlap_message),
        cmocka_unit_test(test_empty_ranges_do_not_overlap),
        cmocka_unit_test(test_header_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
