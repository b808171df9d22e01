/* plan_check.c - convert checks its own plans with verify's rules before
 * writing (issue 14, item 9; see h2g_convert_check_plan in convert.h).
 *
 * The rules are verify's own (src/gguf/verify.c and verify_rules.c, through
 * h2g_verify_header): a plan's KVs and tensor infos are checked as the file
 * they will become. What this file adds is the way back to the checkout:
 * each problem line also names the config.json keys its GGUF keys come
 * from, with their values, and the source tensor of the tensor it names.
 * One more check verify cannot make, since the file no longer shows it:
 * num_hidden_layers must not drop layers the checkout has. */
#include "hf2gguf/convert.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hf2gguf/verify.h"
#include "base/util.h"

/* GGUF key (after the arch prefix) or verify's dim label -> the config.json
 * key it is read from (DeepSeek text models). */
static const struct {
    const char *gguf, *config;
} key_sources[] = {
    {"embedding_length", "hidden_size"},
    {"block_count", "num_hidden_layers"},
    {"attention.head_count_kv", "num_key_value_heads"},
    {"attention.head_count", "num_attention_heads"},
    {"head_count", "num_attention_heads"},
    {"expert_feed_forward_length", "moe_intermediate_size"},
    {"feed_forward_length", "intermediate_size"},
    {"expert_shared_count", "n_shared_experts"},
    {"expert_group_used_count", "topk_group"},
    {"expert_group_count", "n_group"},
    {"expert_used_count", "num_experts_per_tok"},
    {"expert_count", "n_routed_experts"},
    {"leading_dense_block_count", "first_k_dense_replace"},
    {"attention.q_lora_rank", "q_lora_rank"},
    {"attention.kv_lora_rank", "kv_lora_rank"},
    {"rope.dimension_count", "qk_rope_head_dim"},
    {"key_length_mla", "qk_nope_head_dim + qk_rope_head_dim"},
    {"value_length_mla", "v_head_dim"},
    {"token count", "vocab_size"},
};

/* The config object holding the text model's keys: the top level, or the
 * language_config/text_config of a multimodal checkout. */
static const cJSON *text_config(const h2g_checkout *co, const char *key) {
    static const char *const nested[] = {"language_config", "text_config", NULL};
    if (cJSON_GetObjectItemCaseSensitive(co->config, key)) return co->config;
    for (int i = 0; nested[i]; i++) {
        const cJSON *o = cJSON_GetObjectItemCaseSensitive(co->config, nested[i]);
        if (cJSON_GetObjectItemCaseSensitive(o, key)) return o;
    }
    return NULL;
}

/* Appends "KEY = VALUE" of config key (each part of "a + b") to buf. */
static void append_config_value(const h2g_checkout *co, const char *keys, char *buf,
                                size_t size) {
    char copy[128];
    snprintf(copy, sizeof copy, "%s", keys);
    for (char *k = strtok(copy, " +"); k; k = strtok(NULL, " +")) {
        size_t pos = strlen(buf);
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(text_config(co, k), k);
        if (cJSON_IsNumber(v))
            snprintf(buf + pos, size - pos, "%s%s = %.17g", pos ? ", " : "", k, v->valuedouble);
        else
            snprintf(buf + pos, size - pos, "%s%s (absent: its default)", pos ? ", " : "", k);
    }
}

/* Whether word occurs in line as a whole key or label (not inside a longer
 * one: "expert_count" is not in "expert_group_count"). */
static bool mentions(const char *line, const char *word) {
    size_t n = strlen(word);
    for (const char *p = strstr(line, word); p; p = strstr(p + 1, word)) {
        char before = p > line ? p[-1] : ' ', after = p[n];
        bool left = before == ' ' || before == '(' || before == '.' || before == ',' ||
                    before == '*' || before == '+';
        bool right = !(after == '_' || (after >= 'a' && after <= 'z') || after == '.');
        if (left && right && (before != '.' || p - line < 2 || p[-2] != 'n')) return true;
    }
    return false;
}

/* The config.json keys a problem line's keys and dims come from. */
static void config_keys_of(const h2g_checkout *co, const char *line, char *buf, size_t size) {
    buf[0] = '\0';
    bool seen[sizeof key_sources / sizeof key_sources[0]] = {false};
    for (size_t i = 0; i < sizeof key_sources / sizeof key_sources[0]; i++) {
        if (!mentions(line, key_sources[i].gguf)) continue;
        bool dup = false; /* head_count and attention.head_count */
        for (size_t k = 0; k < i && !dup; k++)
            dup = seen[k] && !strcmp(key_sources[k].config, key_sources[i].config);
        seen[i] = true;
        if (!dup) append_config_value(co, key_sources[i].config, buf, size);
    }
}

/* The plan tensor a problem line starts with ("blk.0.x.weight: ..."). */
static const h2g_plan_tensor *tensor_of(const h2g_plan *p, const char *line) {
    const char *colon = strstr(line, ": ");
    size_t n = colon ? (size_t)(colon - line) : 0;
    for (size_t i = 0; n && i < p->n_tensors; i++)
        if (strlen(p->tensors[i].info.name) == n && !strncmp(p->tensors[i].info.name, line, n))
            return &p->tensors[i];
    return NULL;
}

/* Rewrites a problem line with the checkout's side of it. */
static char *annotate(const h2g_checkout *co, const h2g_plan *p, const char *line) {
    char keys[512];
    config_keys_of(co, line, keys, sizeof keys);
    const h2g_plan_tensor *t = tensor_of(p, line);
    const char *rest = t ? line + strlen(t->info.name) : line;
    return h2g_strfmt("%s%s%s%s%s%s%s", t ? t->info.name : "", t ? " (from " : "",
                      t ? t->src[0].tensor->name : "", t ? ")" : "", rest,
                      keys[0] ? "; config.json: " : "", keys);
}

/* The highest N of the checkout's model.layers.N.* tensors, or -1. */
static long highest_layer(const h2g_checkout *co, const char **example) {
    static const char prefix[] = "model.layers.";
    long most = -1;
    for (size_t i = 0; i < co->n_tensors; i++) {
        const char *name = co->tensors[i].name;
        if (strncmp(name, prefix, sizeof prefix - 1) != 0) continue;
        char *end;
        long n = strtol(name + sizeof prefix - 1, &end, 10);
        if (*end == '.' && n > most) {
            most = n;
            *example = name;
        }
    }
    return most;
}

/* num_hidden_layers (with the MTP layers after them) must reach every
 * layer the checkout has: a smaller one silently drops real layers. */
static char *dropped_layers(const h2g_checkout *co) {
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(co->config, "num_hidden_layers");
    const cJSON *mtp = cJSON_GetObjectItemCaseSensitive(co->config, "num_nextn_predict_layers");
    const char *example = NULL;
    long top = highest_layer(co, &example);
    if (!cJSON_IsNumber(n) || top < 0) return NULL;
    double kept = n->valuedouble + (cJSON_IsNumber(mtp) ? mtp->valuedouble : 0);
    if ((double)top < kept) return NULL;
    return h2g_strfmt("config.json: num_hidden_layers = %.17g (+ %.17g MTP layers) leaves out "
                      "layer %ld, which the checkout has (%s)",
                      n->valuedouble, cJSON_IsNumber(mtp) ? mtp->valuedouble : 0.0, top, example);
}

/* Adds an owned line to rep. */
static int add_line(h2g_verify_report *rep, char *line, h2g_error *err) {
    if (!line || h2g_grow((void **)&rep->problems, &rep->cap_problems, rep->n_problems + 1,
                          sizeof *rep->problems) != 0) {
        free(line);
        return h2g_fail(err, "out of memory for problem %zu of the plan check",
                        rep->n_problems + 1);
    }
    rep->problems[rep->n_problems++] = line;
    return 0;
}

int h2g_convert_check_plan(const h2g_checkout *co, const h2g_plan *p, h2g_verify_report *rep,
                           h2g_error *err) {
    h2g_verify_report raw = {0};
    h2g_tensor_info *infos = malloc((p->n_tensors + 1) * sizeof *infos);
    if (!infos)
        return h2g_fail(err, "out of memory for the %zu tensor infos of the %s plan", p->n_tensors,
                        p->role);
    for (size_t i = 0; i < p->n_tensors; i++) infos[i] = p->tensors[i].info;
    int rc = h2g_verify_header(p->role, &p->kv, infos, p->n_tensors, &raw, err);
    free(infos);
    memset(rep, 0, sizeof *rep);
    rep->arch_known = raw.arch_known;
    rep->vocab_only = raw.vocab_only;
    rep->n_kv = raw.n_kv;
    rep->n_tensors = raw.n_tensors;
    if (rc == 0 && !strcmp(p->role, "model") && p->n_tensors > 0) {
        char *dropped = dropped_layers(co);
        if (dropped) rc = add_line(rep, dropped, err);
    }
    for (size_t i = 0; rc == 0 && raw.arch_known && i < raw.n_problems; i++)
        rc = add_line(rep, annotate(co, p, raw.problems[i]), err);
    h2g_verify_report_free(&raw);
    return rc;
}
