/*
 * gen_checkpoint.c - synthetic DeepSeek checkpoints for benchmarks.
 *
 *   gen_checkpoint lite OUT_DIR SIZE_MB SHARDS TOKENIZER_DIR
 *       A DeepSeek-V2-Lite-shaped checkout (27 layers, 32 routed + 2 shared
 *       experts, MLA without q_lora) of about SIZE_MB megabytes of random
 *       finite bf16 weights in SHARDS shards, with an index.
 *   gen_checkpoint v3-sparse OUT_DIR TOKENIZER_DIR [LAYERS]
 *       A DeepSeek-V3-shaped FP8 checkout with the real dimensions (61 layers,
 *       256 experts, hidden 7168) in 163 shards whose data regions are sparse
 *       (ftruncate): headers only, for planning at full scale without the
 *       bytes (they read as zeros, so it converts too, at full cost per
 *       byte). LAYERS (at least 4: 3 dense + MoE) keeps the real width but
 *       fewer layers, in proportionally fewer shards, for a run that fits in
 *       minutes (bench/scale.sh).
 *   gen_checkpoint v4-sparse OUT_DIR TOKENIZER_DIR
 *       A DeepSeek-V4-Flash-shaped checkout with the real dimensions (43
 *       layers, 256 FP4 experts, hidden 4096, FP8 attention with E8M0 scales,
 *       tid2eid tables, hyper-connections, compressor and indexer, the MTP
 *       block) in 46 sparse shards: the scales and tables read as zeros,
 *       which are valid (2^-127 scales, expert 0).
 *
 * TOKENIZER_DIR provides tokenizer.json and tokenizer_config.json (e.g. a
 * fixture). Deterministic: the same arguments give the same bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * A list of tensors
 * ------------------------------------------------------------------------- */

typedef struct tensor {
    char name[128];
    const char *dtype;
    int n_dims;
    uint64_t shape[2];
    uint64_t nbytes;
    int shard;
} tensor;

typedef struct model {
    tensor *t;
    size_t n, cap;
} model;

static void die(const char *msg) {
    fprintf(stderr, "gen_checkpoint: %s%s%s\n", msg, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(1);
}

static void add(model *m, const char *dtype, uint64_t rows, uint64_t cols, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void add(model *m, const char *dtype, uint64_t rows, uint64_t cols, const char *fmt, ...) {
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->t = realloc(m->t, m->cap * sizeof *m->t);
        if (!m->t) die("out of memory");
    }
    tensor *t = &m->t[m->n++];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->name, sizeof t->name, fmt, ap);
    va_end(ap);
    t->dtype = dtype;
    t->n_dims = cols ? 2 : 1;
    t->shape[0] = rows;
    t->shape[1] = cols;
    uint64_t es = !strcmp(dtype, "F8_E4M3") || !strcmp(dtype, "F8_E8M0") || !strcmp(dtype, "I8")
                      ? 1
                  : !strcmp(dtype, "F32") ? 4
                  : !strcmp(dtype, "I64") ? 8
                                          : 2;
    t->nbytes = rows * (cols ? cols : 1) * es;
}

/* An FP8 weight and its 128x128 block scales, or a bf16 weight. */
static void add_weight(model *m, int fp8, uint64_t rows, uint64_t cols, const char *name) {
    add(m, fp8 ? "F8_E4M3" : "BF16", rows, cols, "%s.weight", name);
    if (fp8) add(m, "F32", (rows + 127) / 128, (cols + 127) / 128, "%s.weight_scale_inv", name);
}

/* ---------------------------------------------------------------------------
 * Shapes
 * ------------------------------------------------------------------------- */

typedef struct dims {
    uint64_t hidden, heads, q_lora, kv_lora, nope, rope, v, ffn, moe_ffn, experts, shared;
    uint64_t layers, vocab, dense;
    int fp8;
} dims;

static void build(model *m, const dims *d) {
    char p[96];
    add(m, "BF16", d->vocab, d->hidden, "model.embed_tokens.weight");
    add(m, "BF16", d->hidden, 0, "model.norm.weight");
    add(m, "BF16", d->vocab, d->hidden, "lm_head.weight");
    for (uint64_t l = 0; l < d->layers; l++) {
        snprintf(p, sizeof p, "model.layers.%" PRIu64, l);
        add(m, "BF16", d->hidden, 0, "%s.input_layernorm.weight", p);
        add(m, "BF16", d->hidden, 0, "%s.post_attention_layernorm.weight", p);
        char n[160];
        if (d->q_lora) {
            snprintf(n, sizeof n, "%s.self_attn.q_a_proj", p);
            add_weight(m, d->fp8, d->q_lora, d->hidden, n);
            add(m, "BF16", d->q_lora, 0, "%s.self_attn.q_a_layernorm.weight", p);
            snprintf(n, sizeof n, "%s.self_attn.q_b_proj", p);
            add_weight(m, d->fp8, d->heads * (d->nope + d->rope), d->q_lora, n);
        } else {
            snprintf(n, sizeof n, "%s.self_attn.q_proj", p);
            add_weight(m, d->fp8, d->heads * (d->nope + d->rope), d->hidden, n);
        }
        snprintf(n, sizeof n, "%s.self_attn.kv_a_proj_with_mqa", p);
        add_weight(m, d->fp8, d->kv_lora + d->rope, d->hidden, n);
        add(m, "BF16", d->kv_lora, 0, "%s.self_attn.kv_a_layernorm.weight", p);
        snprintf(n, sizeof n, "%s.self_attn.kv_b_proj", p);
        add_weight(m, d->fp8, d->heads * (d->nope + d->v), d->kv_lora, n);
        snprintf(n, sizeof n, "%s.self_attn.o_proj", p);
        add_weight(m, d->fp8, d->hidden, d->heads * d->v, n);
        if (l < d->dense) {
            const char *proj[3] = {"gate_proj", "up_proj", "down_proj"};
            for (int k = 0; k < 3; k++) {
                snprintf(n, sizeof n, "%s.mlp.%s", p, proj[k]);
                add_weight(m, d->fp8, k == 2 ? d->hidden : d->ffn, k == 2 ? d->ffn : d->hidden, n);
            }
            continue;
        }
        add(m, "BF16", d->experts, d->hidden, "%s.mlp.gate.weight", p);
        if (d->fp8) add(m, "F32", d->experts, 0, "%s.mlp.gate.e_score_correction_bias", p);
        for (uint64_t x = 0; x < d->experts + 1; x++) {
            const char *proj[3] = {"gate_proj", "up_proj", "down_proj"};
            uint64_t f = x < d->experts ? d->moe_ffn : d->moe_ffn * d->shared;
            for (int k = 0; k < 3; k++) {
                if (x < d->experts)
                    snprintf(n, sizeof n, "%s.mlp.experts.%" PRIu64 ".%s", p, x, proj[k]);
                else
                    snprintf(n, sizeof n, "%s.mlp.shared_experts.%s", p, proj[k]);
                add_weight(m, d->fp8, k == 2 ? d->hidden : f, k == 2 ? f : d->hidden, n);
            }
        }
    }
}

/* ---------------------------------------------------------------------------
 * DeepSeek-V4-Flash (conversion-reference-v4.md 2.3): no "model." prefix
 * ------------------------------------------------------------------------- */

enum { V4_H = 4096, V4_LAYERS = 43, V4_HEADS = 64, V4_HD = 512, V4_QL = 1024, V4_OG = 8,
       V4_OL = 1024, V4_IH = 64, V4_ID = 128, V4_E = 256, V4_FE = 2048, V4_HC = 4,
       V4_VOCAB = 129280, V4_HASH = 3, V4_TOPK = 6 };

/* compress_ratios: 0, 0, then 4 and 128 alternating; the MTP entry 0. */
static int v4_ratio(uint64_t layer) {
    if (layer < 2 || layer >= V4_LAYERS) return 0;
    return layer % 2 == 0 ? 4 : 128;
}

/* An FP8 weight with its E8M0 scale per 128x128 block. */
static void v4_fp8(model *m, uint64_t rows, uint64_t cols, const char *name) {
    add(m, "F8_E4M3", rows, cols, "%s.weight", name);
    add(m, "F8_E8M0", (rows + 127) / 128, (cols + 127) / 128, "%s.scale", name);
}

/* One transformer block under prefix p ("layers.N" or "mtp.0"). */
static void v4_block(model *m, const char *p, uint64_t layer) {
    char n[160];
    const uint64_t mix = (2 + V4_HC) * V4_HC;
    int r = v4_ratio(layer);
    uint64_t c = r == 4 ? 2 : 1;
    add(m, "BF16", V4_H, 0, "%s.attn_norm.weight", p);
    add(m, "BF16", V4_H, 0, "%s.ffn_norm.weight", p);
    add(m, "F32", V4_HEADS, 0, "%s.attn.attn_sink", p);
    snprintf(n, sizeof n, "%s.attn.wq_a", p);
    v4_fp8(m, V4_QL, V4_H, n);
    add(m, "BF16", V4_QL, 0, "%s.attn.q_norm.weight", p);
    snprintf(n, sizeof n, "%s.attn.wq_b", p);
    v4_fp8(m, (uint64_t)V4_HEADS * V4_HD, V4_QL, n);
    snprintf(n, sizeof n, "%s.attn.wkv", p);
    v4_fp8(m, V4_HD, V4_H, n);
    add(m, "BF16", V4_HD, 0, "%s.attn.kv_norm.weight", p);
    snprintf(n, sizeof n, "%s.attn.wo_a", p);
    v4_fp8(m, (uint64_t)V4_OG * V4_OL, (uint64_t)V4_HEADS * V4_HD / V4_OG, n);
    snprintf(n, sizeof n, "%s.attn.wo_b", p);
    v4_fp8(m, V4_H, (uint64_t)V4_OG * V4_OL, n);
    if (r != 0) {
        add(m, "F32", (uint64_t)r, c * V4_HD, "%s.attn.compressor.ape", p);
        add(m, "BF16", c * V4_HD, V4_H, "%s.attn.compressor.wkv.weight", p);
        add(m, "BF16", c * V4_HD, V4_H, "%s.attn.compressor.wgate.weight", p);
        add(m, "BF16", V4_HD, 0, "%s.attn.compressor.norm.weight", p);
    }
    if (r == 4) {
        snprintf(n, sizeof n, "%s.attn.indexer.wq_b", p);
        v4_fp8(m, (uint64_t)V4_IH * V4_ID, V4_QL, n);
        add(m, "BF16", V4_IH, V4_H, "%s.attn.indexer.weights_proj.weight", p);
        add(m, "F32", 4, 2 * V4_ID, "%s.attn.indexer.compressor.ape", p);
        add(m, "BF16", 2 * V4_ID, V4_H, "%s.attn.indexer.compressor.wkv.weight", p);
        add(m, "BF16", 2 * V4_ID, V4_H, "%s.attn.indexer.compressor.wgate.weight", p);
        add(m, "BF16", V4_ID, 0, "%s.attn.indexer.compressor.norm.weight", p);
    }
    add(m, "BF16", V4_E, V4_H, "%s.ffn.gate.weight", p);
    if (layer < V4_HASH)
        add(m, "I64", V4_VOCAB, V4_TOPK, "%s.ffn.gate.tid2eid", p);
    else
        add(m, "F32", V4_E, 0, "%s.ffn.gate.bias", p);
    for (uint64_t x = 0; x < V4_E; x++) {
        static const char *const w[3] = {"w1", "w2", "w3"};
        for (int k = 0; k < 3; k++) {
            uint64_t rows = k == 1 ? V4_H : V4_FE, cols = k == 1 ? V4_FE : V4_H;
            add(m, "I8", rows, cols / 2, "%s.ffn.experts.%" PRIu64 ".%s.weight", p, x, w[k]);
            add(m, "F8_E8M0", rows, cols / 32, "%s.ffn.experts.%" PRIu64 ".%s.scale", p, x, w[k]);
        }
    }
    static const char *const sw[3] = {"w1", "w2", "w3"};
    for (int k = 0; k < 3; k++) {
        snprintf(n, sizeof n, "%s.ffn.shared_experts.%s", p, sw[k]);
        v4_fp8(m, k == 1 ? V4_H : V4_FE, k == 1 ? V4_FE : V4_H, n);
    }
    add(m, "F32", mix, (uint64_t)V4_HC * V4_H, "%s.hc_attn_fn", p);
    add(m, "F32", mix, (uint64_t)V4_HC * V4_H, "%s.hc_ffn_fn", p);
    add(m, "F32", mix, 0, "%s.hc_attn_base", p);
    add(m, "F32", mix, 0, "%s.hc_ffn_base", p);
    add(m, "F32", 3, 0, "%s.hc_attn_scale", p);
    add(m, "F32", 3, 0, "%s.hc_ffn_scale", p);
}

static void build_v4(model *m) {
    add(m, "BF16", V4_VOCAB, V4_H, "embed.weight");
    add(m, "BF16", V4_VOCAB, V4_H, "head.weight");
    add(m, "BF16", V4_H, 0, "norm.weight");
    add(m, "F32", V4_HC, (uint64_t)V4_HC * V4_H, "hc_head_fn");
    add(m, "F32", V4_HC, 0, "hc_head_base");
    add(m, "F32", 1, 0, "hc_head_scale");
    char p[32];
    for (uint64_t l = 0; l < V4_LAYERS; l++) {
        snprintf(p, sizeof p, "layers.%" PRIu64, l);
        v4_block(m, p, l);
    }
    v4_block(m, "mtp.0", V4_LAYERS); /* dropped by the converter */
    add(m, "F8_E4M3", V4_H, V4_H, "mtp.0.e_proj.weight");
    add(m, "F8_E4M3", V4_H, V4_H, "mtp.0.h_proj.weight");
}

static void write_v4_config(const char *dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) die("cannot create config.json");
    fprintf(f, "{\"architectures\":[\"DeepseekV4ForCausalLM\"],\"model_type\":\"deepseek_v4\","
               "\"bos_token_id\":0,\"eos_token_id\":1,\"expert_dtype\":\"fp4\",\"hc_eps\":1e-06,"
               "\"hc_mult\":%d,\"hc_sinkhorn_iters\":20,\"head_dim\":%d,\"hidden_size\":%d,"
               "\"index_head_dim\":%d,\"index_n_heads\":%d,\"index_topk\":512,"
               "\"max_position_embeddings\":1048576,\"moe_intermediate_size\":%d,"
               "\"n_routed_experts\":%d,\"n_shared_experts\":1,\"norm_topk_prob\":true,"
               "\"num_attention_heads\":%d,\"num_experts_per_tok\":%d,"
               "\"num_hash_layers\":%d,\"num_hidden_layers\":%d,\"num_key_value_heads\":1,"
               "\"num_nextn_predict_layers\":1,\"o_groups\":%d,\"o_lora_rank\":%d,"
               "\"q_lora_rank\":%d,\"qk_rope_head_dim\":64,"
               "\"quantization_config\":{\"activation_scheme\":\"dynamic\",\"fmt\":\"e4m3\","
               "\"quant_method\":\"fp8\",\"scale_fmt\":\"ue8m0\",\"weight_block_size\":[128,128]},"
               "\"rms_norm_eps\":1e-06,\"rope_scaling\":{\"beta_fast\":32,\"beta_slow\":1,"
               "\"factor\":16,\"original_max_position_embeddings\":65536,\"type\":\"yarn\"},"
               "\"rope_theta\":10000,\"routed_scaling_factor\":1.5,"
               "\"scoring_func\":\"sqrtsoftplus\",\"sliding_window\":128,\"swiglu_limit\":10.0,"
               "\"tie_word_embeddings\":false,\"vocab_size\":%d,\"compress_rope_theta\":160000,"
               "\"compress_ratios\":[",
            V4_HC, V4_HD, V4_H, V4_ID, V4_IH, V4_FE, V4_E, V4_HEADS, V4_TOPK, V4_HASH, V4_LAYERS,
            V4_OG, V4_OL, V4_QL, V4_VOCAB);
    for (uint64_t l = 0; l <= V4_LAYERS; l++) fprintf(f, "%s%d", l ? "," : "", v4_ratio(l));
    fprintf(f, "]}\n");
    fclose(f);
}

/* ---------------------------------------------------------------------------
 * Files
 * ------------------------------------------------------------------------- */

static void write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) die("write failed");
        p += w;
        len -= (size_t)w;
    }
}

/* Random finite bf16 values in about [-0.06, 0.06] (xorshift64). */
static void fill_bf16(uint16_t *buf, size_t n, uint64_t *state) {
    for (size_t i = 0; i < n; i++) {
        uint64_t x = *state;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *state = x;
        /* exponent 117..122 (2^-10..2^-5), random mantissa and sign */
        buf[i] = (uint16_t)(((x >> 8) & 0x8000) | ((117 + (x % 6)) << 7) | ((x >> 20) & 0x7f));
    }
}

static void write_shard(const char *dir, const model *m, int shard, int n_shards, int sparse) {
    char path[1024], *header = malloc(1 << 24);
    if (!header) die("out of memory");
    size_t h = 0;
    uint64_t off = 0;
    h += (size_t)sprintf(header + h, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (size_t i = 0; i < m->n; i++) {
        const tensor *t = &m->t[i];
        if (t->shard != shard) continue;
        h += (size_t)sprintf(header + h, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[%" PRIu64, t->name,
                             t->dtype, t->shape[0]);
        if (t->n_dims == 2) h += (size_t)sprintf(header + h, ",%" PRIu64, t->shape[1]);
        h += (size_t)sprintf(header + h, "],\"data_offsets\":[%" PRIu64 ",%" PRIu64 "]}", off,
                             off + t->nbytes);
        off += t->nbytes;
    }
    header[h++] = '}';
    while (h % 8) header[h++] = ' ';
    snprintf(path, sizeof path, "%s/model-%05d-of-%06d.safetensors", dir, shard + 1, n_shards);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("cannot create a shard");
    uint64_t len = h;
    write_all(fd, &len, 8);
    write_all(fd, header, h);
    if (sparse) {
        if (ftruncate(fd, (off_t)(8 + h + off)) != 0) die("ftruncate failed");
    } else {
        uint64_t state = 0x9e3779b97f4a7c15ull ^ (uint64_t)shard;
        size_t chunk = 1 << 22;
        uint16_t *buf = malloc(chunk * 2);
        for (uint64_t done = 0; done < off;) {
            size_t n = (off - done) / 2 < chunk ? (size_t)((off - done) / 2) : chunk;
            if (n == 0) { /* an odd trailing byte cannot occur: all sizes are even */
                break;
            }
            fill_bf16(buf, n, &state);
            write_all(fd, buf, n * 2);
            done += n * 2;
        }
        free(buf);
    }
    close(fd);
    free(header);
}

static void write_index(const char *dir, const model *m, int n_shards) {
    char path[1024];
    snprintf(path, sizeof path, "%s/model.safetensors.index.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) die("cannot create the index");
    uint64_t total = 0;
    for (size_t i = 0; i < m->n; i++) total += m->t[i].nbytes;
    fprintf(f, "{\"metadata\":{\"total_size\":%" PRIu64 "},\"weight_map\":{", total);
    for (size_t i = 0; i < m->n; i++)
        fprintf(f, "%s\"%s\":\"model-%05d-of-%06d.safetensors\"", i ? "," : "", m->t[i].name,
                m->t[i].shard + 1, n_shards);
    fprintf(f, "}}\n");
    fclose(f);
}

static void write_config(const char *dir, const dims *d) {
    char path[1024];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    if (!f) die("cannot create config.json");
    fprintf(f,
            "{\"architectures\":[\"%s\"],\"model_type\":\"%s\",\"hidden_size\":%" PRIu64
            ",\"intermediate_size\":%" PRIu64 ",\"moe_intermediate_size\":%" PRIu64
            ",\"num_hidden_layers\":%" PRIu64 ",\"num_attention_heads\":%" PRIu64
            ",\"num_key_value_heads\":%" PRIu64 ",\"kv_lora_rank\":%" PRIu64
            ",\"q_lora_rank\":%s,\"qk_nope_head_dim\":%" PRIu64 ",\"qk_rope_head_dim\":%" PRIu64
            ",\"v_head_dim\":%" PRIu64 ",\"n_routed_experts\":%" PRIu64
            ",\"n_shared_experts\":%" PRIu64 ",\"num_experts_per_tok\":%d"
            ",\"first_k_dense_replace\":%" PRIu64 ",\"vocab_size\":%" PRIu64
            ",\"max_position_embeddings\":163840,\"rms_norm_eps\":1e-06,\"rope_theta\":10000"
            ",\"scoring_func\":\"%s\",\"routed_scaling_factor\":%s,\"n_group\":%d,\"topk_group\":%d"
            ",\"rope_scaling\":{\"type\":\"yarn\",\"factor\":40,\"original_max_position_embeddings\":4096"
            ",\"beta_fast\":32,\"beta_slow\":1,\"mscale\":1.0,\"mscale_all_dim\":1.0}"
            ",\"tie_word_embeddings\":false%s}\n",
            d->fp8 ? "DeepseekV3ForCausalLM" : "DeepseekV2ForCausalLM",
            d->fp8 ? "deepseek_v3" : "deepseek_v2", d->hidden, d->ffn, d->moe_ffn, d->layers,
            d->heads, d->heads, d->kv_lora, d->q_lora ? "1536" : "null", d->nope, d->rope, d->v,
            d->experts, d->shared, d->fp8 ? 8 : 6, d->dense, d->vocab,
            d->fp8 ? "sigmoid" : "softmax", d->fp8 ? "2.5" : "1.0", d->fp8 ? 8 : 1,
            d->fp8 ? 4 : 1,
            d->fp8 ? ",\"quantization_config\":{\"quant_method\":\"fp8\",\"fmt\":\"e4m3\","
                     "\"activation_scheme\":\"dynamic\",\"weight_block_size\":[128,128]}"
                   : "");
    fclose(f);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name) {
    char a[1024], b[1024], buf[65536];
    snprintf(a, sizeof a, "%s/%s", from_dir, name);
    snprintf(b, sizeof b, "%s/%s", to_dir, name);
    FILE *in = fopen(a, "rb"), *out = fopen(b, "wb");
    if (!in || !out) die("cannot copy a tokenizer file");
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
}

/* Assigns tensors to shards in order, about total/n_shards bytes each. */
static void assign_shards(model *m, int n_shards) {
    uint64_t total = 0, acc = 0;
    for (size_t i = 0; i < m->n; i++) total += m->t[i].nbytes;
    for (size_t i = 0; i < m->n; i++) {
        int s = (int)(acc * (uint64_t)n_shards / (total ? total : 1));
        m->t[i].shard = s < n_shards ? s : n_shards - 1;
        acc += m->t[i].nbytes;
    }
}

int main(int argc, char **argv) {
    dims d = {0};
    int n_shards, sparse;
    const char *dir, *tok;
    if (argc == 6 && !strcmp(argv[1], "lite")) {
        uint64_t target = strtoull(argv[3], NULL, 10) * 1000000ull;
        /* experts dominate: 27 layers x 3 x 32 x moe_ffn x hidden(1024) x 2 bytes */
        uint64_t moe = target / (26ull * 3 * 34 * 1024 * 2);
        moe = moe < 32 ? 32 : moe / 32 * 32;
        d = (dims){.hidden = 1024, .heads = 8, .q_lora = 0, .kv_lora = 256, .nope = 64,
                   .rope = 32, .v = 64, .ffn = 4096, .moe_ffn = moe, .experts = 32, .shared = 2,
                   .layers = 27, .vocab = 320, .dense = 1, .fp8 = 0};
        dir = argv[2];
        n_shards = atoi(argv[4]);
        tok = argv[5];
        sparse = 0;
    } else if ((argc == 4 || argc == 5) && !strcmp(argv[1], "v3-sparse")) {
        d = (dims){.hidden = 7168, .heads = 128, .q_lora = 1536, .kv_lora = 512, .nope = 128,
                   .rope = 64, .v = 128, .ffn = 18432, .moe_ffn = 2048, .experts = 256,
                   .shared = 1, .layers = 61, .vocab = 129280, .dense = 3, .fp8 = 1};
        if (argc == 5) d.layers = strtoull(argv[4], NULL, 10);
        if (d.layers < 4 || d.layers > 61) {
            errno = 0;
            die("LAYERS must be from 4 to 61");
        }
        dir = argv[2];
        n_shards = (int)((163 * d.layers + 60) / 61);
        tok = argv[3];
        sparse = 1;
    } else if (argc == 4 && !strcmp(argv[1], "v4-sparse")) {
        dir = argv[2];
        n_shards = 46;
        tok = argv[3];
        sparse = 1;
    } else {
        fprintf(stderr, "usage: gen_checkpoint lite OUT_DIR SIZE_MB SHARDS TOKENIZER_DIR\n"
                        "       gen_checkpoint v3-sparse OUT_DIR TOKENIZER_DIR [LAYERS]\n"
                        "       gen_checkpoint v4-sparse OUT_DIR TOKENIZER_DIR\n");
        return 2;
    }
    bool v4 = !strcmp(argv[1], "v4-sparse");
    if (n_shards < 1) die("SHARDS must be at least 1");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) die("cannot create OUT_DIR");
    errno = 0;
    model m = {0};
    if (v4)
        build_v4(&m);
    else
        build(&m, &d);
    assign_shards(&m, n_shards);
    for (int s = 0; s < n_shards; s++) write_shard(dir, &m, s, n_shards, sparse);
    write_index(dir, &m, n_shards);
    if (v4)
        write_v4_config(dir);
    else
        write_config(dir, &d);
    copy_file(tok, dir, "tokenizer.json");
    copy_file(tok, dir, "tokenizer_config.json");
    uint64_t total = 0;
    for (size_t i = 0; i < m.n; i++) total += m.t[i].nbytes;
    printf("%s: %zu tensors, %.2f GB in %d shards%s\n", dir, m.n, (double)total / 1e9, n_shards,
           sparse ? " (sparse)" : "");
    free(m.t);
    return 0;
}
