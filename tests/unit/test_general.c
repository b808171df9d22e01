/* test_general.c - general.* metadata and default file names against the
 * reference converter: every general.* key (value, type, order) of the
 * five fixtures' text manifests and the OCR fixtures' mmproj manifests,
 * with plans rebuilt from the manifests' tensor lists; every default file
 * name of default_filenames.json; the model-id table of
 * conversion-reference.md 7.2 plus cases checked against gguf-py's
 * get_model_id_components; size labels; model card keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/general.h"
#include "hf2gguf/plan.h"
#include "base/util.h"

static const char *const fixtures[] = {
    "deepseek-v2-lite-tiny", "deepseek-v3-tiny", "deepseek-v3-fp8-tiny",
    "deepseek-ocr-tiny",     "deepseek-ocr2-tiny", NULL,
};

/* ---------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------- */

/* Parses a JSON file under TEST_DATA_DIR; NULL when absent. */
static cJSON *load_json(const char *rel) {
    char *path = h2g_path_join(TEST_DATA_DIR, rel);
    cJSON *doc = NULL;
    h2g_error err;
    if (h2g_read_json_file(path, rel, true, &doc, &err) != 0) fail_msg("%s", err.msg);
    free(path);
    return doc;
}

/* A fixture's f16 manifest: the text model's, or the mmproj's. */
static cJSON *load_manifest(const char *fixture, bool mmproj) {
    char *rel = h2g_strfmt("%s/expected/%s%s-f16.manifest.json", fixture, mmproj ? "mmproj-" : "",
                           fixture);
    cJSON *m = load_json(rel);
    free(rel);
    return m;
}

/* A plan holding the manifest's tensors (name and ne; nothing else matters
 * for the size label). */
static void plan_from_manifest(const cJSON *m, h2g_plan *p) {
    memset(p, 0, sizeof *p);
    h2g_source dummy = {0};
    h2g_error err;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItem(m, "tensors")) {
        const cJSON *shape = cJSON_GetObjectItem(t, "shape");
        uint64_t ne[4] = {1, 1, 1, 1};
        uint32_t n = (uint32_t)cJSON_GetArraySize(shape);
        for (uint32_t d = 0; d < n; d++) ne[d] = (uint64_t)cJSON_GetArrayItem(shape, (int)d)->valuedouble;
        if (h2g_plan_add(p, cJSON_GetObjectItem(t, "name")->valuestring, 0, n, ne, H2G_XF_CONVERT,
                         &dummy, 1, &err) < 0)
            fail_msg("%s", err.msg);
    }
}

/* A plan of one 1-D tensor with `total` elements (0: no tensors). */
static void plan_of_size(h2g_plan *p, uint64_t total) {
    memset(p, 0, sizeof *p);
    h2g_source dummy = {0};
    h2g_error err;
    if (total && h2g_plan_add(p, "x.weight", 0, 1, &total, H2G_XF_CONVERT, &dummy, 1, &err) < 0)
        fail_msg("%s", err.msg);
}

/* Asserts that kv equals the manifest entry (the types general.* uses). */
static void check_kv(const char *what, const h2g_kv *kv, const cJSON *entry) {
    const char *type = cJSON_GetObjectItem(entry, "type")->valuestring;
    const cJSON *value = cJSON_GetObjectItem(entry, "value");
    if (!strcmp(type, "ARRAY[STRING]")) {
        assert_int_equal(kv->type, H2G_VT_ARRAY);
        assert_int_equal(kv->arr_type, H2G_VT_STRING);
        assert_int_equal(kv->n, cJSON_GetArraySize(value));
        for (uint64_t i = 0; i < kv->n; i++)
            assert_string_equal(kv->strs[i].data, cJSON_GetArrayItem(value, (int)i)->valuestring);
        return;
    }
    if (strcmp(type, h2g_value_type_name(kv->type)))
        fail_msg("%s %s: type %s, expected %s", what, kv->key.data, h2g_value_type_name(kv->type),
                 type);
    switch (kv->type) {
    case H2G_VT_STRING: assert_string_equal(kv->str.data, value->valuestring); break;
    case H2G_VT_UINT32: assert_int_equal(kv->num.u64, (uint64_t)value->valuedouble); break;
    case H2G_VT_INT32: assert_int_equal(kv->num.i64, (int64_t)value->valuedouble); break;
    case H2G_VT_FLOAT32: assert_true(kv->num.f32 == (float)value->valuedouble); break;
    default: fail_msg("%s %s: unexpected type %s", what, kv->key.data, type);
    }
}

/* Opens a fixture's checkout. */
static void open_fixture(h2g_checkout *co, const char *fixture) {
    char *dir = h2g_path_join(TEST_DATA_DIR, fixture);
    h2g_error err;
    if (h2g_checkout_open(co, dir, &err) != 0) fail_msg("open %s: %s", dir, err.msg);
    free(dir);
}

/* ---------------------------------------------------------------------------
 * The fixtures
 * ------------------------------------------------------------------------- */

/* The general.* keys we write (all but file_type and quantization_version,
 * which the architecture modules add) equal the manifest's, in order. */
static void check_general(const char *fixture, const h2g_checkout *co, bool mmproj) {
    cJSON *m = load_manifest(fixture, mmproj);
    const cJSON *kvs = cJSON_GetObjectItem(m, "kv"), *order = cJSON_GetObjectItem(m, "kv_order");
    h2g_plan p;
    plan_from_manifest(m, &p);
    h2g_general g;
    h2g_kv_list kv = {0};
    h2g_error err;
    const char *what = mmproj ? "mmproj" : fixture;
    /* architecture and type come first, from the architecture module */
    assert_int_equal(h2g_kv_set_str(&kv, "general.architecture", "x", &err), 0);
    assert_int_equal(h2g_kv_set_str(&kv, "general.type", "x", &err), 0);
    if (h2g_general_derive(&g, co, &p, &err) != 0 || h2g_general_add_kv(&kv, &g, co, &err) != 0)
        fail_msg("%s: %s", fixture, err.msg);
    size_t i = 0;
    for (const cJSON *k = order->child; k; k = k->next) {
        const char *key = k->valuestring;
        if (!h2g_str_starts_with(key, "general.") || !strcmp(key, "general.file_type") ||
            !strcmp(key, "general.quantization_version"))
            continue;
        if (i >= kv.n) fail_msg("%s %s: missing %s", fixture, what, key);
        if (strcmp(kv.items[i].key.data, key))
            fail_msg("%s %s: key %zu is %s, expected %s", fixture, what, i, kv.items[i].key.data, key);
        if (i >= 2) check_kv(what, &kv.items[i], cJSON_GetObjectItem(kvs, key));
        i++;
    }
    if (i != kv.n) fail_msg("%s %s: extra key %s", fixture, what, kv.items[i].key.data);
    h2g_general_free(&g);
    h2g_kv_list_free(&kv);
    h2g_plan_free(&p);
    cJSON_Delete(m);
}

/* All five fixtures (and both mmproj files) equal the reference. */
static void test_fixtures_match_reference(void **state) {
    (void)state;
    for (int i = 0; fixtures[i]; i++) {
        h2g_checkout co;
        open_fixture(&co, fixtures[i]);
        check_general(fixtures[i], &co, false);
        if (h2g_str_starts_with(fixtures[i], "deepseek-ocr")) check_general(fixtures[i], &co, true);
        h2g_checkout_close(&co);
    }
}

/* The labels the reference computed, spelled out (also covered above). */
static void test_fixture_size_labels(void **state) {
    (void)state;
    static const struct {
        const char *fixture;
        bool mmproj;
        const char *label;
    } cases[] = {
        {"deepseek-v2-lite-tiny", false, "4x269K"}, {"deepseek-v3-tiny", false, "8x226K"},
        {"deepseek-v3-fp8-tiny", false, "4x570K"},  {"deepseek-ocr-tiny", false, "4x64K"},
        {"deepseek-ocr2-tiny", false, "4x64K"},     {"deepseek-ocr-tiny", true, "324K"},
        {"deepseek-ocr2-tiny", true, "606K"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        h2g_checkout co;
        open_fixture(&co, cases[i].fixture);
        cJSON *m = load_manifest(cases[i].fixture, cases[i].mmproj);
        h2g_plan p;
        plan_from_manifest(m, &p);
        h2g_general g;
        h2g_error err;
        assert_int_equal(h2g_general_derive(&g, &co, &p, &err), 0);
        assert_string_equal(g.size_label, cases[i].label);
        h2g_general_free(&g);
        h2g_plan_free(&p);
        cJSON_Delete(m);
        h2g_checkout_close(&co);
    }
}

/* Every name of each fixture's default_filenames.json ("text/f16",
 * "mmproj/q8_0", ...). */
static void test_fixture_default_filenames(void **state) {
    (void)state;
    for (int i = 0; fixtures[i]; i++) {
        char *rel = h2g_strfmt("%s/expected/default_filenames.json", fixtures[i]);
        cJSON *names = load_json(rel);
        assert_non_null(names);
        h2g_checkout co;
        open_fixture(&co, fixtures[i]);
        const cJSON *e;
        cJSON_ArrayForEach(e, names) {
            bool mmproj = h2g_str_starts_with(e->string, "mmproj/");
            const char *type = strchr(e->string, '/') + 1;
            /* "auto" resolves by the checkout's dtype (tests/cli/test_fixtures.sh
             * checks its name); upper-case names are llama-quantize types
             * (--quantize), checked where quantization is. */
            if (!strcmp(type, "auto") || (type[0] >= 'A' && type[0] <= 'Z')) continue;
            h2g_outtype t;
            assert_true(h2g_outtype_parse(type, &t));
            cJSON *m = load_manifest(fixtures[i], mmproj);
            h2g_plan p;
            plan_from_manifest(m, &p);
            h2g_general g;
            h2g_error err;
            assert_int_equal(h2g_general_derive(&g, &co, &p, &err), 0);
            char *name = h2g_default_filename(&g, mmproj ? "mmproj" : "model", h2g_outtype_upper_name(t));
            if (strcmp(name, e->valuestring))
                fail_msg("%s %s: %s, expected %s", fixtures[i], e->string, name, e->valuestring);
            free(name);
            h2g_general_free(&g);
            h2g_plan_free(&p);
            cJSON_Delete(m);
        }
        h2g_checkout_close(&co);
        cJSON_Delete(names);
        free(rel);
    }
}

/* ---------------------------------------------------------------------------
 * Model ids
 * ------------------------------------------------------------------------- */

/* A checkout with only a config.json (and optionally a model card). */
typedef struct fake {
    h2g_checkout co;
    h2g_general g;
    h2g_plan p;
    h2g_kv_list kv;
    h2g_error err;
    h2g_warnings warnings; /* co.warnings points here */
} fake;

/* Sets up config (JSON text), card (JSON text or NULL), dir name and a
 * plan of `total` parameters, and derives. */
static void fake_derive(fake *f, const char *config, const char *card, const char *dir_name,
                        uint64_t total) {
    memset(f, 0, sizeof *f);
    f->co.config = cJSON_Parse(config);
    f->co.model_card = card ? cJSON_Parse(card) : NULL;
    f->co.dir_name = h2g_strdup(dir_name);
    f->co.warnings = &f->warnings;
    assert_non_null(f->co.config);
    if (card) assert_non_null(f->co.model_card);
    plan_of_size(&f->p, total);
    if (h2g_general_derive(&f->g, &f->co, total ? &f->p : NULL, &f->err) != 0)
        fail_msg("derive: %s", f->err.msg);
}

/* Frees what fake_derive made. */
static void fake_free(fake *f) {
    cJSON_Delete(f->co.config);
    cJSON_Delete(f->co.model_card);
    cJSON_Delete(f->co.generation_config);
    free(f->co.dir_name);
    h2g_general_free(&f->g);
    h2g_plan_free(&f->p);
    h2g_kv_list_free(&f->kv);
    h2g_warnings_clear(&f->warnings);
}

/* Asserts a string field (NULL: unset). */
static void expect_field(const char *id, const char *what, const char *got, const char *want) {
    if (!want && !got) return;
    if (!want || !got || strcmp(want, got))
        fail_msg("%s: %s is %s, expected %s", id, what, got ? got : "(unset)",
                 want ? want : "(unset)");
}

/* The table of conversion-reference 7.2 (first seven rows), then ids run
 * through gguf-py's get_model_id_components with the given parameter
 * count (size label: the id's, else the computed one). Each id is given
 * as _name_or_path, with a directory name ("x") that adds nothing. */
static void test_model_id_table(void **state) {
    (void)state;
    static const struct {
        const char *id;
        uint64_t total;
        const char *name, *org, *basename, *finetune, *version, *size;
    } cases[] = {
        {"deepseek-ai/DeepSeek-OCR", 0, "DeepSeek OCR", "Deepseek Ai", NULL, NULL, NULL, NULL},
        {"deepseek-ai/DeepSeek-OCR-2", 0, "DeepSeek OCR 2", "Deepseek Ai", "DeepSeek-OCR", NULL, "2", NULL},
        {"DeepSeek-V3", 0, "DeepSeek V3", NULL, "DeepSeek", NULL, "V3", NULL},
        {"DeepSeek-V2-Lite-Chat", 0, "DeepSeek V2 Lite Chat", NULL, "DeepSeek-V2-Lite", "Chat", NULL, NULL},
        {"deepseek-ocr", 0, "Deepseek Ocr", NULL, NULL, NULL, NULL, NULL},
        {"deepseek-v3-tiny", 0, "Deepseek v3 Tiny", NULL, NULL, NULL, NULL, NULL},
        {"deepseek-v2-lite-tiny", 0, "Deepseek v2 Lite Tiny", NULL, NULL, NULL, NULL, NULL},
        {"meta-llama/Llama-2-7b-hf", 7000000000, "Llama 2 7b Hf", "Meta Llama", "Llama-2", "hf", NULL, "7B"},
        {"Qwen/Qwen3-30B-A3B-Instruct-2507", 30000000000, "Qwen3 30B A3B Instruct 2507", "Qwen", "Qwen3", "Instruct", "2507", "30B-A3B"},
        {"mistralai/Mixtral-8x7B-Instruct-v0.1", 46000000000, "Mixtral 8x7B Instruct v0.1", "Mistralai", "Mixtral", "Instruct", "v0.1", "8x7B"},
        {"bigscience/bloom-7b1", 7000000000, "Bloom 7b1", "Bigscience", "bloom", NULL, NULL, "7.1B"},
        {"Llama-3-8B-128k", 8000000000, "Llama 3 8B 128k", NULL, "Llama-3", "128k", NULL, "8B"},
        {"Model-26B-A4B", 4000000000, "Model 26B A4B", NULL, "Model", NULL, NULL, "26B-A4B"},
        {"Model-26B-A4B", 26000000000, "Model 26B A4B", NULL, "Model", NULL, NULL, "26B-A4B"},
        {"Model-Q4_K_M-GGUF", 0, "Model Q4_K_M GGUF", NULL, "Model", "GGUF", NULL, NULL},
        {"Model-q4_km", 0, "Model Q4_Km", NULL, NULL, NULL, NULL, NULL},
        {"phi-3-mini-4k-instruct", 3800000000, "Phi 3 Mini 4k Instruct", NULL, "phi-3", "4k-instruct", NULL, "mini"},
        {"deepseek-ai/DeepSeek-V2.5-1210", 0, "DeepSeek V2.5 1210", "Deepseek Ai", "DeepSeek", NULL, "V2.5-1210", NULL},
        {"iter1-foo", 0, "Iter1 Foo", NULL, NULL, NULL, NULL, NULL},
        {"DeepSeek-R1-Distill-Qwen-1.5B", 1500000000, "DeepSeek R1 Distill Qwen 1.5B", NULL, "DeepSeek-R1-Distill-Qwen", NULL, NULL, "1.5B"},
        {"t5-small-xl-7B", 7000000000, "T5 Small Xl 7B", NULL, "t5-small-xl", NULL, NULL, "7B"},
        {"My Model Name", 0, "My Model Name", NULL, NULL, NULL, NULL, NULL},
        {"Model--7B--chat", 7000000000, "Model 7B Chat", NULL, "Model", "chat", NULL, "7B"},
        {"x-15B", 15, "X 15B", NULL, "x", "15b", NULL, "0.01K"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake f;
        char *config = h2g_strfmt("{\"_name_or_path\": \"%s\"}", cases[i].id);
        fake_derive(&f, config, NULL, "x", cases[i].total);
        expect_field(cases[i].id, "name", f.g.name, cases[i].name);
        expect_field(cases[i].id, "organization", f.g.organization, cases[i].org);
        expect_field(cases[i].id, "basename", f.g.basename, cases[i].basename);
        expect_field(cases[i].id, "finetune", f.g.finetune, cases[i].finetune);
        expect_field(cases[i].id, "version", f.g.version, cases[i].version);
        expect_field(cases[i].id, "size_label", f.g.size_label, cases[i].size);
        fake_free(&f);
        free(config);
    }
}

/* The directory name is the fallback; a _name_or_path with more than one
 * '/' is a path and ignored; the model card comes first. */
static void test_name_sources(void **state) {
    (void)state;
    fake f;
    fake_derive(&f, "{\"_name_or_path\": \"/home/me/models/Foo-7B\"}", NULL, "DeepSeek-V3", 0);
    expect_field("dir", "name", f.g.name, "DeepSeek V3");
    expect_field("dir", "basename", f.g.basename, "DeepSeek");
    expect_field("dir", "version", f.g.version, "V3");
    fake_free(&f);
    fake_derive(&f, "{\"_name_or_path\": \"org/Foo-Chat\"}",
                "{\"model_name\": \"Card Name\", \"name\": \"null\", \"basename\": \"Base\","
                " \"model_creator\": \"someone\", \"size_label\": \"\"}",
                "Dir-V2", 0);
    expect_field("card", "name", f.g.name, "Card Name"); /* YAML null skipped */
    expect_field("card", "basename", f.g.basename, "Base");
    expect_field("card", "author", f.g.author, "someone");
    expect_field("card", "finetune", f.g.finetune, "Chat"); /* from _name_or_path */
    expect_field("card", "organization", f.g.organization, "Org");
    expect_field("card", "version", f.g.version, "V2"); /* from the directory */
    fake_free(&f);
}

/* ---------------------------------------------------------------------------
 * Size labels
 * ------------------------------------------------------------------------- */

/* Dense totals, rounded as gguf-py's model_weight_count_rounded_notation
 * (values from Python). */
static void test_size_label_rounding(void **state) {
    (void)state;
    static const struct {
        uint64_t total;
        const char *label;
    } cases[] = {
        {1, "0.00K"},           {499, "0.50K"},         {999, "1.0K"},
        {1000, "1.0K"},         {1000000, "1000K"},     {1500000, "1.5M"},
        {3300000000, "3.3B"},   {16000000000, "16B"},   {401000000, "401M"},
        {671000000000, "671B"}, {1000000000001, "1.0T"}, {12345, "12K"},
        {95500, "96K"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake f;
        fake_derive(&f, "{}", NULL, "x", cases[i].total);
        expect_field("rounding", "size_label", f.g.size_label, cases[i].label);
        fake_free(&f);
    }
    fake f;
    fake_derive(&f, "{}", NULL, "x", 0);
    assert_null(f.g.size_label); /* vocab-only: no tensors, no label */
    fake_free(&f);
}

/* MoE: "_exps." tensors count per expert (ne[2], ne[1] for biases), the
 * expert count is the average over expert tensors. */
static void test_size_label_moe(void **state) {
    (void)state;
    h2g_plan p = {0};
    h2g_source dummy = {0};
    h2g_error err;
    const uint64_t emb[2] = {1000, 2000};           /* 2M shared */
    const uint64_t exps[3] = {100, 200, 8};          /* 8 experts x 20K */
    const uint64_t bias[2] = {100, 4};               /* 4 experts x 100 */
    const uint64_t flat[2] = {100, 200};             /* 2-D "_exps." weight: shared */
    assert_true(h2g_plan_add(&p, "token_embd.weight", 0, 2, emb, H2G_XF_CONVERT, &dummy, 1, &err) >= 0);
    assert_true(h2g_plan_add(&p, "blk.0.ffn_up_exps.weight", 0, 3, exps, H2G_XF_CONVERT, &dummy, 1, &err) >= 0);
    assert_true(h2g_plan_add(&p, "blk.0.ffn_up_exps.bias", 0, 2, bias, H2G_XF_CONVERT, &dummy, 1, &err) >= 0);
    assert_true(h2g_plan_add(&p, "blk.0.odd_exps.weight", 0, 2, flat, H2G_XF_CONVERT, &dummy, 1, &err) >= 0);
    h2g_checkout co = {0};
    co.config = cJSON_Parse("{}");
    co.dir_name = h2g_strdup("x");
    h2g_general g;
    assert_int_equal(h2g_general_derive(&g, &co, &p, &err), 0);
    /* experts (8 + 4) / 2 = 6; shared 2,020,000 + expert 20,100 -> 2.0M */
    assert_string_equal(g.size_label, "6x2.0M");
    h2g_general_free(&g);
    h2g_plan_free(&p);
    cJSON_Delete(co.config);
    free(co.dir_name);
}

/* ---------------------------------------------------------------------------
 * KV pairs from the model card and generation_config.json
 * ------------------------------------------------------------------------- */

/* The key order of the list, space-separated without "general.". */
static char *key_order(const h2g_kv_list *kv) {
    char *out = calloc(1, 8192);
    for (size_t i = 0; i < kv->n; i++) {
        const char *k = kv->items[i].key.data;
        if (h2g_str_starts_with(k, "general.")) k += strlen("general.");
        if (i) strcat(out, " ");
        strcat(out, k);
    }
    return out;
}

/* Asserts the key order (see key_order). */
static void expect_order(const h2g_kv_list *kv, const char *want) {
    char *got = key_order(kv);
    if (strcmp(got, want)) fail_msg("key order:\n  got  %s\n  want %s", got, want);
    free(got);
}

/* A string key's value. */
static const char *str_of(const h2g_kv_list *kv, const char *key) {
    const char *v;
    if (!h2g_kv_get_str(kv, key, &v)) fail_msg("%s missing", key);
    return v;
}

/* Every sampling key, in the reference's order and types. */
static void test_sampling_keys(void **state) {
    (void)state;
    fake f;
    fake_derive(&f, "{}", NULL, "x", 0);
    f.co.generation_config = cJSON_Parse(
        "{\"mirostat_eta\": 0.1, \"mirostat_tau\": 5, \"mirostat\": 2, \"penalty_repeat\": 1.1,"
        " \"penalty_last_n\": 64, \"temperature\": 0.6, \"xtc_threshold\": 0.1,"
        " \"xtc_probability\": 0.5, \"min_p\": 0.05, \"top_p\": 0.95, \"top_k\": 40,"
        " \"sequence\": \"edkypmxt\", \"repetition_penalty\": 1.3, \"do_sample\": true,"
        " \"typical_p\": null}");
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    expect_order(&f.kv, "sampling.sequence sampling.top_k sampling.top_p sampling.min_p "
                        "sampling.xtc_probability sampling.xtc_threshold sampling.temp "
                        "sampling.penalty_last_n sampling.penalty_repeat sampling.mirostat "
                        "sampling.mirostat_tau sampling.mirostat_eta name");
    static const uint32_t types[] = {H2G_VT_STRING, H2G_VT_INT32,   H2G_VT_FLOAT32, H2G_VT_FLOAT32,
                                     H2G_VT_FLOAT32, H2G_VT_FLOAT32, H2G_VT_FLOAT32, H2G_VT_INT32,
                                     H2G_VT_FLOAT32, H2G_VT_INT32,   H2G_VT_FLOAT32, H2G_VT_FLOAT32};
    for (int i = 0; i < 12; i++) assert_int_equal(f.kv.items[i].type, types[i]);
    assert_int_equal(f.kv.items[1].num.i64, 40);
    assert_true(f.kv.items[6].num.f32 == 0.6f);
    fake_free(&f);

    /* Hugging Face's repetition_penalty stands in for an absent
     * penalty_repeat, as in the reference 0.7.0; a null penalty_repeat
     * does not fall back. */
    fake_derive(&f, "{}", NULL, "x", 0);
    f.co.generation_config = cJSON_Parse("{\"repetition_penalty\": 1.3, \"top_p\": 0.9}");
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    expect_order(&f.kv, "sampling.top_p sampling.penalty_repeat name");
    assert_true(f.kv.items[1].num.f32 == 1.3f);
    fake_free(&f);
    fake_derive(&f, "{}", NULL, "x", 0);
    f.co.generation_config =
        cJSON_Parse("{\"repetition_penalty\": 1.3, \"penalty_repeat\": null}");
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    expect_order(&f.kv, "name");
    fake_free(&f);
}

/* A sampling value of the wrong type is skipped with a warning naming the
 * file and the key; the others are written (issue 14, item 11). */
static void test_sampling_wrong_types(void **state) {
    (void)state;
    fake f;
    fake_derive(&f, "{}", NULL, "x", 0);
    f.co.generation_config = cJSON_Parse("{\"top_k\": \"forty\", \"top_p\": 0.9,"
                                         " \"temperature\": [0.6], \"sequence\": 1,"
                                         " \"mirostat\": 2.5, \"repetition_penalty\": \"x\"}");
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    expect_order(&f.kv, "sampling.top_p name");
    static const char *const want[] = {
        "generation_config.json: 'sequence' must be a string, found a number; "
        "general.sampling.sequence was not written",
        "generation_config.json: 'top_k' must be a whole number within INT32, found a string; "
        "general.sampling.top_k was not written",
        "generation_config.json: 'temperature' must be a number, found a list; "
        "general.sampling.temp was not written",
        "generation_config.json: 'repetition_penalty' must be a number, found a string; "
        "general.sampling.penalty_repeat was not written",
        "generation_config.json: 'mirostat' must be a whole number within INT32, found a "
        "number; general.sampling.mirostat was not written",
    };
    assert_int_equal(f.warnings.n, 5);
    for (size_t i = 0; i < 5; i++) assert_string_equal(f.warnings.msgs[i], want[i]);
    fake_free(&f);
}

/* License (list joined), license name/link, source.* (with model_*
 * variants), tags + pipeline_tag, languages + language. */
static void test_card_keys(void **state) {
    (void)state;
    fake f;
    fake_derive(&f, "{}",
                "{\"license\": [\"mit\", \"apache-2.0\"], \"license_name\": \"n\","
                " \"license_link\": \"https://l\", \"model_url\": \"https://u\","
                " \"doi\": \"10.1/x\", \"tags\": \"one\", \"pipeline_tag\": \"text-generation\","
                " \"language\": [\"en\", \"no\"]}",
                "x", 0);
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    expect_order(&f.kv, "name license license.name license.link source.url source.doi tags "
                        "languages");
    assert_string_equal(str_of(&f.kv, "general.license"), "mit,apache-2.0");
    assert_string_equal(str_of(&f.kv, "general.source.url"), "https://u");
    const h2g_kv *tags = h2g_kv_get(&f.kv, "general.tags");
    assert_int_equal(tags->n, 2);
    assert_string_equal(tags->strs[1].data, "text-generation");
    assert_int_equal(h2g_kv_get(&f.kv, "general.languages")->n, 2);
    fake_free(&f);
}

/* base_model entries: a HF id (parsed, repo_url derived), a huggingface.co
 * URL (parsed, the URL as repo_url), another URL (repo_url only), an
 * object (its known fields as they are), and something else (counted,
 * empty). datasets likewise. */
static void test_base_models_and_datasets(void **state) {
    (void)state;
    fake f;
    fake_derive(&f, "{}",
                "{\"base_model\": [\"deepseek-ai/DeepSeek-V3-Base\","
                " \"https://huggingface.co/org/Model-v2\", \"ssh://host/repo\","
                " {\"name\": \"Custom\", \"doi\": \"10.1/y\", \"other\": \"z\"}, [\"nested\"]],"
                " \"dataset\": \"org/Data-1\"}",
                "x", 0);
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    expect_order(&f.kv, "name base_model.count base_model.0.name base_model.0.organization "
                        "base_model.0.repo_url base_model.1.name base_model.1.version "
                        "base_model.1.organization base_model.1.repo_url base_model.2.repo_url "
                        "base_model.3.name base_model.3.doi dataset.count dataset.0.name "
                        "dataset.0.version dataset.0.organization dataset.0.repo_url");
    uint32_t count;
    assert_true(h2g_kv_get_u32(&f.kv, "general.base_model.count", &count));
    assert_int_equal(count, 5);
    assert_string_equal(str_of(&f.kv, "general.base_model.0.name"), "DeepSeek V3 Base");
    assert_string_equal(str_of(&f.kv, "general.base_model.0.organization"), "Deepseek Ai");
    assert_string_equal(str_of(&f.kv, "general.base_model.0.repo_url"),
                        "https://huggingface.co/deepseek-ai/DeepSeek-V3-Base");
    assert_string_equal(str_of(&f.kv, "general.base_model.1.repo_url"),
                        "https://huggingface.co/org/Model-v2");
    assert_string_equal(str_of(&f.kv, "general.base_model.1.version"), "v2");
    assert_string_equal(str_of(&f.kv, "general.dataset.0.version"), "1");
    fake_free(&f);
    /* a present but empty base_model still writes a count of 0 */
    fake_derive(&f, "{}", "{\"base_model\": \"\"}", "x", 0);
    assert_int_equal(h2g_general_add_kv(&f.kv, &f.g, &f.co, &f.err), 0);
    assert_true(h2g_kv_get_u32(&f.kv, "general.base_model.count", &count));
    assert_int_equal(count, 0);
    fake_free(&f);
}

/* ---------------------------------------------------------------------------
 * File names
 * ------------------------------------------------------------------------- */

/* naming_convention: basename or name (spaces and '/' -> '-'), size label
 * as it is, finetune and version with spaces -> '-'; mmproj and vocab
 * forms; ggml-model without a name. One liberty: the reference keeps a '/'
 * of the version (the file would land in a subfolder); we write '-' (issue
 * 14, item 5), as for any '/', '\\' or control character. */
static void test_default_filename_forms(void **state) {
    (void)state;
    h2g_general g = {0};
    g.name = "My Model/One";
    g.size_label = "8x7B";
    g.finetune = " Chat v2 ";
    g.version = "a/b";
    char *s = h2g_default_filename(&g, "model", h2g_outtype_upper_name(H2G_OUT_Q8_0));
    assert_string_equal(s, "My-Model-One-8x7B-Chat-v2-a-b-Q8_0.gguf");
    free(s);
    s = h2g_default_filename(&g, "mmproj", h2g_outtype_upper_name(H2G_OUT_BF16));
    assert_string_equal(s, "mmproj-My-Model-One-Chat-v2-a-b-BF16.gguf");
    free(s);
    g.basename = "Base";
    s = h2g_default_filename(&g, "vocab", h2g_outtype_upper_name(H2G_OUT_F16));
    assert_string_equal(s, "Base-Chat-v2-a-b-vocab.gguf");
    free(s);
    h2g_general none = {0};
    s = h2g_default_filename(&none, "model", h2g_outtype_upper_name(H2G_OUT_F32));
    assert_string_equal(s, "ggml-model-F32.gguf");
    free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_match_reference),
        cmocka_unit_test(test_fixture_size_labels),
        cmocka_unit_test(test_fixture_default_filenames),
        cmocka_unit_test(test_model_id_table),
        cmocka_unit_test(test_name_sources),
        cmocka_unit_test(test_size_label_rounding),
        cmocka_unit_test(test_size_label_moe),
        cmocka_unit_test(test_sampling_keys),
        cmocka_unit_test(test_sampling_wrong_types),
        cmocka_unit_test(test_card_keys),
        cmocka_unit_test(test_base_models_and_datasets),
        cmocka_unit_test(test_default_filename_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
