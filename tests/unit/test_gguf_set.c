/* test_gguf_set.c - reading gguf-split sets as one file (gguf_set.h).
 *
 * An expected fixture is cut here into shard files, with the split keys as
 * conversion-reference.md section 1.9 says, and read back:
 *  1. a 3-shard set, opened through any of its shards, equals the original
 *     (KVs without split.*, tensors in order, the same bytes, the same
 *     checksum, no difference for h2g_diff_sets);
 *  2. a first shard holding no tensors (--no-tensor-first-split) and a
 *     one-shard set also read back;
 *  3. a missing shard, a wrong split.no, a wrong split.count, a wrong
 *     split.tensors.count, a wrong key type and a misnamed shard are errors
 *     naming what is wrong;
 *  4. shard names parse and print as gguf-split spells them. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hf2gguf/diff.h"
#include "hf2gguf/gguf.h"
#include "hf2gguf/gguf_set.h"
#include "base/util.h"

#define FIXTURE TEST_DATA_DIR "/deepseek-v3-tiny/expected/deepseek-v3-tiny-f16.gguf"

/* ---------------------------------------------------------------------------
 * Writing shard files
 * ------------------------------------------------------------------------- */

/* How to cut the fixture, and what to get wrong on purpose. */
typedef struct plan {
    unsigned n_shards;
    size_t first_end, second_end; /* tensors [0, first_end) go to shard 0... */
    int bad_no_shard;             /* this shard gets the next one's split.no (-1: none) */
    int bad_count_shard;          /* this shard gets split.count + 1 (-1: none) */
    int tensors_delta;            /* added to split.tensors.count in every shard */
    bool u32_no;                  /* split.no written as UINT32 */
} plan;

static char tmpdir[64];
static h2g_gguf_file original;

/* Writes a GGUF file with kv and tensors [from, to) of the original. */
static void write_shard(const char *path, const h2g_kv_list *kv, size_t from, size_t to) {
    size_t n = to - from;
    h2g_tensor_info *ts = calloc(n ? n : 1, sizeof *ts);
    memcpy(ts, original.tensors + from, n * sizeof *ts);
    uint64_t data_offset, data_size;
    uint8_t *hdr;
    size_t hdr_len;
    h2g_error err = {0};
    assert_int_equal(h2g_gguf_layout(kv, ts, n, &data_offset, &data_size, &err), 0);
    assert_int_equal(h2g_gguf_encode_header(kv, ts, n, &hdr, &hdr_len, &err), 0);
    uint8_t *file = calloc(1, (size_t)(data_offset + data_size));
    memcpy(file, hdr, hdr_len);
    for (size_t i = 0; i < n; i++)
        memcpy(file + data_offset + ts[i].offset, h2g_gguf_tensor_data(&original, from + i),
               (size_t)ts[i].nbytes);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(file, 1, (size_t)(data_offset + data_size), fp),
                     data_offset + data_size);
    fclose(fp);
    free(file);
    free(hdr);
    free(ts);
}

/* Adds the three split keys for shard i of p to kv (at the end). */
static void add_split_keys(h2g_kv_list *kv, const plan *p, unsigned i) {
    h2g_error err = {0};
    unsigned no = p->bad_no_shard == (int)i ? (i + 1) % p->n_shards : i;
    unsigned count = p->n_shards + (p->bad_count_shard == (int)i ? 1 : 0);
    int32_t total = (int32_t)original.n_tensors + p->tensors_delta;
    if (p->u32_no) assert_int_equal(h2g_kv_set_u32(kv, H2G_SPLIT_NO, no, &err), 0);
    else assert_int_equal(h2g_kv_set_u16(kv, H2G_SPLIT_NO, (uint16_t)no, &err), 0);
    assert_int_equal(h2g_kv_set_u16(kv, H2G_SPLIT_COUNT, (uint16_t)count, &err), 0);
    assert_int_equal(h2g_kv_set_i32(kv, H2G_SPLIT_TENSORS_COUNT, total, &err), 0);
}

/* The path of shard i (0-based) of the set "split" in tmpdir; malloc'ed. */
static char *shard_path(unsigned i, unsigned n) {
    char *stem = h2g_path_join(tmpdir, "split");
    char *path = h2g_split_name(stem, i + 1, n);
    free(stem);
    return path;
}

/* Writes the shards of p: shard 0 has every KV of the original, the others
 * only the split keys; tensors are cut at first_end and second_end. */
static void write_set(const plan *p) {
    size_t bounds[4] = {0, p->first_end, p->second_end, original.n_tensors};
    if (p->n_shards == 1) bounds[1] = original.n_tensors;
    if (p->n_shards == 2) bounds[2] = original.n_tensors;
    for (unsigned i = 0; i < p->n_shards; i++) {
        h2g_kv_list kv = {0};
        h2g_error err = {0};
        for (size_t k = 0; i == 0 && k < original.kv.n; k++)
            assert_int_equal(h2g_kv_set_copy(&kv, &original.kv.items[k], &err), 0);
        add_split_keys(&kv, p, i);
        char *path = shard_path(i, p->n_shards);
        write_shard(path, &kv, bounds[i], bounds[i + 1]);
        free(path);
        h2g_kv_list_free(&kv);
    }
}

/* A good 3-shard plan: 10 tensors, 20 tensors, the rest. */
static plan good_plan(void) {
    plan p = {3, 10, 30, -1, -1, 0, false};
    return p;
}

/* Removes every file in tmpdir. */
static void clear_tmpdir(void) {
    DIR *d = opendir(tmpdir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char *path = h2g_path_join(tmpdir, e->d_name);
        unlink(path);
        free(path);
    }
    closedir(d);
}

static int setup(void **state) {
    (void)state;
    h2g_error err = {0};
    snprintf(tmpdir, sizeof tmpdir, "/tmp/h2g-set-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    if (h2g_gguf_open(&original, FIXTURE, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return -1;
    }
    return original.n_tensors > 30 ? 0 : -1; /* good_plan needs three non-empty shards */
}

static int teardown(void **state) {
    (void)state;
    clear_tmpdir();
    rmdir(tmpdir);
    h2g_gguf_close(&original);
    return 0;
}

/* ---------------------------------------------------------------------------
 * 1, 2. Sets that read back as the original
 * ------------------------------------------------------------------------- */

/* Asserts that s holds exactly the original's KVs and tensors. */
static void assert_equals_original(const h2g_gguf_set *s) {
    assert_int_equal(s->kv.n, original.kv.n);
    for (size_t i = 0; i < s->kv.n; i++) {
        assert_string_equal(s->kv.items[i].key.data, original.kv.items[i].key.data);
        assert_int_equal(s->kv.items[i].type, original.kv.items[i].type);
    }
    assert_null(h2g_kv_get(&s->kv, H2G_SPLIT_NO));
    assert_int_equal(s->n_tensors, original.n_tensors);
    for (size_t i = 0; i < s->n_tensors; i++) {
        const h2g_tensor_info *a = &s->tensors[i].info, *b = &original.tensors[i];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->type, b->type);
        assert_int_equal(a->n_dims, b->n_dims);
        assert_memory_equal(a->ne, b->ne, sizeof a->ne);
        assert_int_equal(a->nbytes, b->nbytes);
        assert_memory_equal(s->tensors[i].data, h2g_gguf_tensor_data(&original, i),
                            (size_t)a->nbytes);
    }
}

/* Asserts that the set holds no difference from the original file (seen
 * as a set) and has its checksum. */
static void assert_no_diff(const h2g_gguf_set *s) {
    h2g_gguf_set o;
    h2g_diff d;
    h2g_error err = {0};
    char c1[65], c2[65];
    assert_int_equal(h2g_gguf_set_open(&o, FIXTURE, &err), 0);
    assert_false(o.split);
    assert_int_equal(h2g_diff_sets(&o, s, NULL, &d, &err), 0);
    assert_int_equal(d.n, 0);
    h2g_gguf_set_checksum(&o, NULL, c1);
    h2g_gguf_set_checksum(s, NULL, c2);
    assert_string_equal(c1, c2);
    h2g_diff_free(&d);
    h2g_gguf_set_close(&o);
}

static void test_three_shards_read_back(void **state) {
    (void)state;
    plan p = good_plan();
    write_set(&p);
    for (unsigned i = 0; i < 3; i++) { /* through any of the shards */
        char *path = shard_path(i, 3);
        h2g_gguf_set s;
        h2g_error err = {0};
        if (h2g_gguf_set_open(&s, path, &err) != 0) fail_msg("%s", err.msg);
        assert_true(s.split);
        assert_int_equal(s.n_shards, 3);
        assert_int_equal(s.tensors[9].shard, 0);
        assert_int_equal(s.tensors[10].shard, 1);
        assert_int_equal(s.tensors[30].shard, 2);
        assert_equals_original(&s);
        assert_int_equal(h2g_gguf_set_find_tensor(&s, original.tensors[30].name), 30);
        assert_int_equal(h2g_gguf_set_find_tensor(&s, "no.such.tensor"), -1);
        if (i == 0) assert_no_diff(&s);
        h2g_gguf_set_close(&s);
        h2g_gguf_set_close(&s); /* closing twice is harmless */
        free(path);
    }
    clear_tmpdir();
}

static void test_metadata_only_first_shard(void **state) {
    (void)state;
    plan p = {2, 0, 0, -1, -1, 0, false}; /* shard 0: KVs only; shard 1: all tensors */
    write_set(&p);
    char *path = shard_path(0, 2);
    h2g_gguf_set s;
    h2g_error err = {0};
    if (h2g_gguf_set_open(&s, path, &err) != 0) fail_msg("%s", err.msg);
    assert_int_equal(s.shards[0].n_tensors, 0);
    assert_equals_original(&s);
    h2g_gguf_set_close(&s);
    free(path);
    clear_tmpdir();
}

static void test_one_shard_and_plain_file(void **state) {
    (void)state;
    plan p = {1, 0, 0, -1, -1, 0, false};
    write_set(&p);
    char *path = shard_path(0, 1);
    h2g_gguf_set s;
    h2g_error err = {0};
    if (h2g_gguf_set_open(&s, path, &err) != 0) fail_msg("%s", err.msg);
    assert_true(s.split);
    assert_int_equal(s.n_shards, 1);
    assert_equals_original(&s);
    h2g_gguf_set_close(&s);
    free(path);
    clear_tmpdir();

    assert_int_equal(h2g_gguf_set_open(&s, FIXTURE, &err), 0);
    assert_false(s.split);
    assert_int_equal(s.n_shards, 1);
    assert_equals_original(&s);
    h2g_gguf_set_close(&s);
}

/* ---------------------------------------------------------------------------
 * 3. Broken sets
 * ------------------------------------------------------------------------- */

/* Writes p, opens shard `open_index`, and expects an error containing both
 * fragments (the second may be NULL). */
static void expect_set_error(const plan *p, unsigned open_index, const char *fragment,
                             const char *fragment2) {
    write_set(p);
    char *path = shard_path(open_index, p->n_shards);
    h2g_gguf_set s;
    h2g_error err = {0};
    assert_int_equal(h2g_gguf_set_open(&s, path, &err), -1);
    if (!strstr(err.msg, fragment) || (fragment2 && !strstr(err.msg, fragment2)))
        fail_msg("error '%s' lacks '%s' / '%s'", err.msg, fragment,
                 fragment2 ? fragment2 : "");
    assert_null(s.shards); /* nothing left open */
    free(path);
    clear_tmpdir();
}

static void test_missing_shard(void **state) {
    (void)state;
    plan p = good_plan();
    write_set(&p);
    char *gone = shard_path(2, 3);
    unlink(gone);
    char *path = shard_path(0, 3);
    h2g_gguf_set s;
    h2g_error err = {0};
    assert_int_equal(h2g_gguf_set_open(&s, path, &err), -1);
    if (!strstr(err.msg, "split-00003-of-00003.gguf") || !strstr(err.msg, "shard 3 of 3"))
        fail_msg("%s", err.msg);
    free(gone);
    free(path);
    clear_tmpdir();
}

static void test_wrong_split_no(void **state) {
    (void)state;
    plan p = good_plan();
    p.bad_no_shard = 1;
    expect_set_error(&p, 0, "split-00002-of-00003.gguf", "split.no = 2, expected 1");
    /* Opened through the bad shard itself, its name and split.no disagree. */
    p.bad_no_shard = 2;
    expect_set_error(&p, 2, "the name says shard 3 of 3", "split.no = 0");
}

static void test_wrong_split_count(void **state) {
    (void)state;
    plan p = good_plan();
    p.bad_count_shard = 2;
    expect_set_error(&p, 0, "split-00003-of-00003.gguf", "split.count = 4, expected 3");
}

static void test_wrong_tensor_count(void **state) {
    (void)state;
    plan p = good_plan();
    p.tensors_delta = 1;
    expect_set_error(&p, 1, "split.tensors.count", "hold");
    p.tensors_delta = -(int)original.n_tensors - 1; /* negative */
    expect_set_error(&p, 0, "split.tensors.count", "negative");
}

static void test_wrong_key_type(void **state) {
    (void)state;
    plan p = good_plan();
    p.u32_no = true;
    expect_set_error(&p, 0, "split.no has type UINT32; it must be UINT16", NULL);
}

static void test_misnamed_shard(void **state) {
    (void)state;
    plan p = good_plan();
    write_set(&p);
    char *path = shard_path(0, 3);
    char *renamed = h2g_path_join(tmpdir, "renamed.gguf");
    assert_int_equal(rename(path, renamed), 0);
    h2g_gguf_set s;
    h2g_error err = {0};
    assert_int_equal(h2g_gguf_set_open(&s, renamed, &err), -1);
    if (!strstr(err.msg, "renamed.gguf") || !strstr(err.msg, "STEM-NNNNN-of-MMMMM"))
        fail_msg("%s", err.msg);
    free(path);
    free(renamed);
    clear_tmpdir();
}

/* A tensor in two shards would make the merged file invalid. */
static void test_duplicate_tensor_across_shards(void **state) {
    (void)state;
    plan p = good_plan();
    write_set(&p);
    /* Shard 2 rewritten with tensors 0..19 instead of 10..29: as many
     * tensors as before, but 0..9 are also in shard 1. */
    h2g_kv_list kv = {0};
    add_split_keys(&kv, &p, 1);
    char *path = shard_path(1, 3);
    write_shard(path, &kv, 0, 20);
    h2g_kv_list_free(&kv);
    h2g_gguf_set s;
    h2g_error err = {0};
    assert_int_equal(h2g_gguf_set_open(&s, path, &err), -1);
    if (!strstr(err.msg, "is in") || !strstr(err.msg, "split-00001-of-00003.gguf and in") ||
        !strstr(err.msg, "split-00002-of-00003.gguf"))
        fail_msg("%s", err.msg);
    free(path);
    clear_tmpdir();
}

/* ---------------------------------------------------------------------------
 * 4. Names
 * ------------------------------------------------------------------------- */

static void test_split_names(void **state) {
    (void)state;
    char *stem = NULL;
    unsigned no = 0, count = 0;
    assert_true(h2g_split_name_parse("dir/model-00002-of-00003.gguf", &stem, &no, &count));
    assert_string_equal(stem, "dir/model");
    assert_int_equal(no, 2);
    assert_int_equal(count, 3);
    char *name = h2g_split_name(stem, 3, 3);
    assert_string_equal(name, "dir/model-00003-of-00003.gguf");
    free(name);
    free(stem);

    static const char *const bad[] = {
        "model.gguf",                  /* not a shard name */
        "model-0002-of-00003.gguf",    /* 4 digits */
        "model-00004-of-00003.gguf",   /* beyond the count */
        "model-00000-of-00003.gguf",   /* 1-based */
        "model-00001-of-00003.gguf.x", /* suffix */
        "model-00001-0f-00003.gguf",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        stem = NULL;
        if (h2g_split_name_parse(bad[i], &stem, &no, &count)) fail_msg("accepted %s", bad[i]);
        assert_null(stem);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_shards_read_back),
        cmocka_unit_test(test_metadata_only_first_shard),
        cmocka_unit_test(test_one_shard_and_plain_file),
        cmocka_unit_test(test_missing_shard),
        cmocka_unit_test(test_wrong_split_no),
        cmocka_unit_test(test_wrong_split_count),
        cmocka_unit_test(test_wrong_tensor_count),
        cmocka_unit_test(test_wrong_key_type),
        cmocka_unit_test(test_misnamed_shard),
        cmocka_unit_test(test_duplicate_tensor_across_shards),
        cmocka_unit_test(test_split_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
