/* general.c - general.* metadata and default file names, derived as the
 * reference converter derives them (see include/hf2gguf/general.h and
 * conversion-reference.md section 7). */
#include "hf2gguf/general.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---------------------------------------------------------------------------
 * Small string helpers
 * ------------------------------------------------------------------------- */

/* A string-valued model card field, or NULL. */
static const char *card_str(const h2g_checkout *co, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(co->model_card, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Sets *field from value when *field is still unset. */
static void fill(char **field, const char *value) {
    if (!*field && value) *field = h2g_strdup(value);
}

static bool all_lower_has_alpha(const char *w) {
    bool alpha = false;
    for (const char *p = w; *p; p++) {
        if (isupper((unsigned char)*p)) return false;
        alpha |= isalpha((unsigned char)*p) != 0;
    }
    return alpha;
}

/* Matches v1, v2.5 (a version word) or anything starting with a digit. */
static bool version_or_digit(const char *w) {
    if (isdigit((unsigned char)w[0])) return true;
    if (w[0] != 'v' || !isdigit((unsigned char)w[1])) return false;
    const char *p = w + 1;
    while (*p) {
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p)) p++;
        if (*p == '.') {
            p++;
            if (!isdigit((unsigned char)*p)) return false;
        }
    }
    return true;
}

/* Python's str.title() for ASCII: upper after a non-letter, lower after one. */
static void title_word(char *w) {
    bool prev_alpha = false;
    for (char *p = w; *p; p++) {
        bool alpha = isalpha((unsigned char)*p) != 0;
        if (alpha) *p = prev_alpha ? (char)tolower((unsigned char)*p) : (char)toupper((unsigned char)*p);
        prev_alpha = alpha;
    }
}

/* "deepseek-v3-tiny" -> "Deepseek v3 Tiny": dashes to spaces, lower-case
 * words title-cased unless they look like versions or start with a digit. */
static char *id_to_title(const char *id) {
    char *copy = h2g_strdup(id), *out = calloc(strlen(id) + 1, 1);
    if (!copy || !out) {
        free(copy);
        free(out);
        return NULL;
    }
    for (char *p = copy; *p; p++)
        if (*p == '-') *p = ' ';
    char *save = NULL;
    for (char *w = strtok_r(copy, " \t\n", &save); w; w = strtok_r(NULL, " \t\n", &save)) {
        if (all_lower_has_alpha(w) && !version_or_digit(w)) title_word(w);
        if (*out) strcat(out, " ");
        strcat(out, w);
    }
    free(copy);
    return out;
}

/* ---------------------------------------------------------------------------
 * Model-id parsing ("org/Name-Parts-V2-7B-Chat")
 * ------------------------------------------------------------------------- */

enum { K_BASENAME = 1, K_SIZE = 2, K_FINETUNE = 4, K_VERSION = 8, K_TYPE = 16 };

typedef struct id_parts {
    char *full; /* the name without org/ */
    char *org;
    char *basename, *finetune, *version, *size_label;
} id_parts;

static void id_parts_free(id_parts *p) {
    free(p->full);
    free(p->org);
    free(p->basename);
    free(p->finetune);
    free(p->version);
    free(p->size_label);
}

/* (v|iter)?\d+([.]\d+)* */
static bool is_version(const char *s) {
    if (!strncasecmp(s, "iter", 4))
        s += 4;
    else if (*s == 'v' || *s == 'V')
        s++;
    if (!isdigit((unsigned char)*s)) return false;
    while (*s) {
        while (isdigit((unsigned char)*s)) s++;
        if (!*s) return true;
        if (*s != '.' || !isdigit((unsigned char)s[1])) return false;
        s++;
    }
    return true;
}

/* i?q\d(_\w)* | b?fp?(16|32) */
static bool is_quant_type(const char *s) {
    const char *p = s;
    if (tolower((unsigned char)*p) == 'i') p++;
    if (tolower((unsigned char)*p) == 'q' && isdigit((unsigned char)p[1])) {
        p += 2;
        while (*p == '_' && (isalnum((unsigned char)p[1]) || p[1] == '_')) {
            p++;
            while (isalnum((unsigned char)*p) || *p == '_') p++;
        }
        if (!*p) return true;
    }
    p = s;
    if (tolower((unsigned char)*p) == 'b') p++;
    if (tolower((unsigned char)*p) != 'f') return false;
    p++;
    if (tolower((unsigned char)*p) == 'p') p++;
    return !strcmp(p, "16") || !strcmp(p, "32");
}

/* (([A]|\d+[x])?\d+([._]\d+)?[KMBT][\d]? | small|mini|medium|large|x?xl),
 * case-insensitive. */
static bool is_size(const char *s) {
    static const char *const words[] = {"small", "mini", "medium", "large", "xl", "xxl", NULL};
    for (int i = 0; words[i]; i++)
        if (!strcasecmp(s, words[i])) return true;
    const char *p = s;
    if (tolower((unsigned char)*p) == 'a' && isdigit((unsigned char)p[1])) {
        p++;
    } else {
        const char *q = p;
        while (isdigit((unsigned char)*q)) q++;
        if (q > p && tolower((unsigned char)*q) == 'x' && isdigit((unsigned char)q[1])) p = q + 1;
    }
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) p++;
    if ((*p == '.' || *p == '_') && isdigit((unsigned char)p[1])) {
        p++;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (!strchr("kmbtKMBT", *p) || !*p) return false;
    p++;
    if (isdigit((unsigned char)*p)) p++;
    return *p == '\0';
}

/* Normalises a size part ("7b" -> "7B"); with the model's
 * parameter count, a label far from it is a finetune (e.g. a context length). */
static int classify_size(char *part, uint64_t total_params) {
    for (char *p = part; *p; p++)
        if (*p == '_') *p = '.';
    size_t n = strlen(part);
    /* (The reference also rewrites bloom's "7b1" as "7.1B"; no DeepSeek id
     * looks like that, and such a part is kept as it is here.) */
    if (n > 1 && isdigit((unsigned char)part[n - 2]) && strchr("kmbt", part[n - 1]))
        part[n - 1] = (char)toupper((unsigned char)part[n - 1]);
    if (total_params == 0 || !strchr("KMBT", part[n - 1])) return K_SIZE;
    char *end;
    double v = strtod(part, &end);
    if (end != part + n - 1) return K_SIZE;
    double label = v * pow(1000, (double)(strchr(" KMBT", part[n - 1]) - " KMBT"));
    double total = (double)total_params;
    if (fabs(label - total) > 7.0 * (double)(total_params / 8)) {
        part[n - 1] = (char)tolower((unsigned char)part[n - 1]);
        return K_FINETUNE;
    }
    return K_SIZE;
}

/* Joins the parts whose kinds include `kind` (and exclude `unless`) with "-". */
static char *join_kind(char **parts, const int *kinds, size_t n, int kind, int unless) {
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if ((kinds[i] & kind) && !(kinds[i] & unless)) len += strlen(parts[i]) + 1;
    if (len == 0) return NULL;
    char *out = calloc(len, 1);
    for (size_t i = 0; out && i < n; i++) {
        if (!(kinds[i] & kind) || (kinds[i] & unless)) continue;
        if (kind == K_SIZE) { /* deduplicated, order kept */
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                seen |= (kinds[j] & K_SIZE) && !strcmp(parts[j], parts[i]);
            if (seen) continue;
        }
        if (*out) strcat(out, "-");
        strcat(out, parts[i]);
    }
    return out;
}

static bool has_digit(const char *s) {
    for (; *s; s++)
        if (isdigit((unsigned char)*s)) return true;
    return false;
}

static bool all_alpha(const char *s) {
    for (; *s; s++)
        if (!isalpha((unsigned char)*s)) return false;
    return true;
}

/* Splits a model id into name, org, basename, finetune, version and size. */
static void parse_model_id(const char *id, uint64_t total_params, id_parts *out) {
    memset(out, 0, sizeof *out);
    if (strchr(id, ' ')) { /* a sentence: a plain name */
        out->full = h2g_strdup(id);
        return;
    }
    const char *slash = strchr(id, '/');
    out->full = h2g_strdup(slash ? slash + 1 : id);
    if (slash && slash > id && id[0] != '.') out->org = strndup(id, (size_t)(slash - id));
    char *copy = h2g_strdup(out->full);
    char *parts[64];
    int kinds[64] = {0};
    size_t n = 0;
    char *save = NULL;
    for (char *p = strtok_r(copy, "-", &save); p && n < 64; p = strtok_r(NULL, "-", &save))
        parts[n++] = p;
    for (size_t i = 0; i < n; i++) {
        if (is_version(parts[i])) {
            kinds[i] = K_VERSION;
        } else if (is_quant_type(parts[i])) {
            kinds[i] = K_TYPE;
            for (char *c = parts[i]; *c; c++) *c = (char)toupper((unsigned char)*c);
        } else if (i > 0 && is_size(parts[i])) {
            kinds[i] = classify_size(parts[i], total_params);
        } else if (i > 0 && (!strcasecmp(parts[i], "chat") || !strcasecmp(parts[i], "instruct") ||
                             !strcasecmp(parts[i], "vision") || !strcasecmp(parts[i], "lora"))) {
            kinds[i] = K_FINETUNE;
        }
    }
    /* word sizes ("large") give way to numeric ones */
    bool numeric = false;
    for (size_t i = 0; i < n; i++) numeric |= (kinds[i] & K_SIZE) && has_digit(parts[i]);
    for (size_t i = 0; numeric && i < n; i++)
        if ((kinds[i] & K_SIZE) && all_alpha(parts[i])) kinds[i] &= ~K_SIZE;
    bool at_start = true;
    for (size_t i = 0; i < n; i++) {
        if (at_start && ((kinds[i] == 0 && isalpha((unsigned char)parts[i][0])) ||
                         (kinds[i] & K_VERSION))) {
            kinds[i] |= K_BASENAME;
        } else {
            at_start = false;
            if (kinds[i] == 0) kinds[i] = K_FINETUNE;
        }
    }
    for (size_t i = n; i-- > 0;) { /* a trailing version is not part of the basename */
        if ((kinds[i] & K_BASENAME) && kinds[i] != K_BASENAME)
            kinds[i] &= ~K_BASENAME;
        else
            break;
    }
    out->basename = join_kind(parts, kinds, n, K_BASENAME, 0);
    out->size_label = join_kind(parts, kinds, n, K_SIZE, 0);
    out->finetune = join_kind(parts, kinds, n, K_FINETUNE, 0);
    out->version = join_kind(parts, kinds, n, K_VERSION, K_BASENAME);
    if (!out->size_label && !out->finetune && !out->version) {
        free(out->basename);
        out->basename = NULL;
    }
    free(copy);
}

/* Fills unset naming fields from a model id. */
static void apply_model_id(h2g_general *g, const char *id, uint64_t total_params) {
    id_parts p;
    parse_model_id(id, total_params, &p);
    if (!g->name && p.full) g->name = id_to_title(p.full);
    if (!g->organization && p.org) g->organization = id_to_title(p.org);
    fill(&g->basename, p.basename);
    fill(&g->finetune, p.finetune);
    fill(&g->version, p.version);
    fill(&g->size_label, p.size_label);
    id_parts_free(&p);
}

/* ---------------------------------------------------------------------------
 * Size label from the planned tensors
 * ------------------------------------------------------------------------- */

/* "226K", "3.3B": two significant digits at least. */
static void rounded_count(double count, char *out, size_t size) {
    const char *unit = "K";
    double scaled = count * 1e-3;
    if (count > 1e12) scaled = count * 1e-12, unit = "T";
    else if (count > 1e9) scaled = count * 1e-9, unit = "B";
    else if (count > 1e6) scaled = count * 1e-6, unit = "M";
    char digits[32];
    snprintf(digits, sizeof digits, "%.0f", nearbyint(scaled)); /* Python round: half even */
    int n = strcmp(digits, "0") ? (int)strlen(digits) : 0;
    int fix = 2 - n > 0 ? 2 - n : 0;
    snprintf(out, size, "%.*f%s", fix, scaled, unit);
}

static char *size_label_of(const h2g_plan *p, uint64_t *total_out) {
    uint64_t total = 0, shared = 0, expert = 0, expert_sum = 0, n_expert_tensors = 0;
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_tensor_info *t = &p->tensors[i].info;
        uint64_t size = 1;
        for (uint32_t d = 0; d < t->n_dims; d++) size *= t->ne[d];
        bool bias = strstr(t->name, ".bias") != NULL;
        if (strstr(t->name, "_exps.") && t->n_dims >= (bias ? 2u : 3u)) {
            uint64_t count = t->ne[bias ? 1 : 2];
            expert += count ? size / count : 0;
            expert_sum += count;
            n_expert_tensors++;
        } else {
            shared += size;
        }
        total += size;
    }
    *total_out = total;
    if (total == 0) return NULL;
    char label[96], count[48];
    uint64_t experts = n_expert_tensors ? expert_sum / n_expert_tensors : 0;
    if (experts > 0) {
        rounded_count((double)(shared + expert), count, sizeof count);
        snprintf(label, sizeof label, "%llux%s", (unsigned long long)experts, count);
    } else {
        rounded_count((double)total, label, sizeof label);
    }
    return h2g_strdup(label);
}

/* ---------------------------------------------------------------------------
 * Derivation
 * ------------------------------------------------------------------------- */

void h2g_general_free(h2g_general *g) {
    free(g->name);
    free(g->author);
    free(g->version);
    free(g->organization);
    free(g->finetune);
    free(g->basename);
    free(g->description);
    free(g->quantized_by);
    free(g->size_label);
    memset(g, 0, sizeof *g);
}

/* Model card fields, in the reference's order of precedence. */
static void from_model_card(h2g_general *g, const h2g_checkout *co) {
    static const struct {
        size_t off;
        const char *keys[4];
    } fields[] = {
        {offsetof(h2g_general, name), {"name", "model_name", NULL}},
        {offsetof(h2g_general, author), {"author", "model_author", "model_creator", NULL}},
        {offsetof(h2g_general, version), {"version", "model_version", NULL}},
        {offsetof(h2g_general, organization), {"organization", "model_organization", NULL}},
        {offsetof(h2g_general, description), {"description", "model_description", NULL}},
        {offsetof(h2g_general, finetune), {"finetune", "model_finetune", NULL}},
        {offsetof(h2g_general, basename), {"basename", "model_basename", "model_type", NULL}},
        {offsetof(h2g_general, size_label), {"size_label", "model_size_label", NULL}},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        for (int k = 0; fields[i].keys[k]; k++)
            fill((char **)((char *)g + fields[i].off), card_str(co, fields[i].keys[k]));
}

int h2g_general_derive(h2g_general *g, const h2g_checkout *co, const h2g_plan *p,
                       h2g_error *err) {
    memset(g, 0, sizeof *g);
    uint64_t total = 0;
    char *computed = p ? size_label_of(p, &total) : NULL;
    from_model_card(g, co);
    const cJSON *nop = cJSON_GetObjectItemCaseSensitive(co->config, "_name_or_path");
    if (cJSON_IsString(nop)) {
        int slashes = 0;
        for (const char *c = nop->valuestring; *c; c++) slashes += *c == '/';
        if (slashes <= 1) apply_model_id(g, nop->valuestring, total);
    }
    apply_model_id(g, co->dir_name, total);
    if (!g->size_label && computed) {
        g->size_label = computed;
        computed = NULL;
    }
    free(computed);
    if (!g->name) return h2g_fail(err, "out of memory");
    return 0;
}

/* ---------------------------------------------------------------------------
 * KV pairs
 * ------------------------------------------------------------------------- */

/* general.sampling.* from generation_config.json, in the reference's order. */
static int add_sampling(h2g_kv_list *kv, const cJSON *gen, h2g_error *err) {
    static const struct {
        const char *src, *key;
        uint32_t type;
    } keys[] = {
        {"sequence", "general.sampling.sequence", H2G_VT_STRING},
        {"top_k", "general.sampling.top_k", H2G_VT_INT32},
        {"top_p", "general.sampling.top_p", H2G_VT_FLOAT32},
        {"min_p", "general.sampling.min_p", H2G_VT_FLOAT32},
        {"xtc_probability", "general.sampling.xtc_probability", H2G_VT_FLOAT32},
        {"xtc_threshold", "general.sampling.xtc_threshold", H2G_VT_FLOAT32},
        {"temperature", "general.sampling.temp", H2G_VT_FLOAT32},
        {"penalty_last_n", "general.sampling.penalty_last_n", H2G_VT_INT32},
        {"penalty_repeat", "general.sampling.penalty_repeat", H2G_VT_FLOAT32},
        {"mirostat", "general.sampling.mirostat", H2G_VT_INT32},
        {"mirostat_tau", "general.sampling.mirostat_tau", H2G_VT_FLOAT32},
        {"mirostat_eta", "general.sampling.mirostat_eta", H2G_VT_FLOAT32},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(gen, keys[i].src);
        if (!v || cJSON_IsNull(v)) continue;
        int rc = 0;
        if (keys[i].type == H2G_VT_STRING && cJSON_IsString(v))
            rc = h2g_kv_set_str(kv, keys[i].key, v->valuestring, err);
        else if (keys[i].type == H2G_VT_INT32 && cJSON_IsNumber(v))
            rc = h2g_kv_set_i32(kv, keys[i].key, (int32_t)v->valuedouble, err);
        else if (keys[i].type == H2G_VT_FLOAT32 && cJSON_IsNumber(v))
            rc = h2g_kv_set_f32(kv, keys[i].key, (float)v->valuedouble, err);
        else
            return h2g_fail(err, "generation_config.json: '%s' has the wrong type", keys[i].src);
        if (rc != 0) return -1;
    }
    return 0;
}

static int set_opt(h2g_kv_list *kv, const char *key, const char *v, h2g_error *err) {
    return v ? h2g_kv_set_str(kv, key, v, err) : 0;
}

/* A model card value that is a string or a list of strings, appended to a
 * growing list (tags, languages). */
static int collect(const cJSON *v, h2g_str **items, size_t *n, size_t *cap, h2g_error *err) {
    const cJSON *one = cJSON_IsArray(v) ? v->child : v;
    for (const cJSON *it = one; it; it = cJSON_IsArray(v) ? it->next : NULL) {
        if (!cJSON_IsString(it)) continue;
        if (h2g_grow((void **)items, cap, *n + 1, sizeof **items))
            return h2g_fail(err, "out of memory");
        (*items)[*n].data = h2g_strdup(it->valuestring);
        (*items)[*n].len = strlen(it->valuestring);
        (*n)++;
    }
    return 0;
}

/* general.tags (tags + pipeline_tag) or general.languages (languages + language). */
static int add_card_list(h2g_kv_list *kv, const h2g_checkout *co, const char *key,
                         const char *first, const char *second, h2g_error *err) {
    h2g_str *items = NULL;
    size_t n = 0, cap = 0;
    const cJSON *card = co->model_card;
    if (collect(cJSON_GetObjectItemCaseSensitive(card, first), &items, &n, &cap, err) != 0 ||
        collect(cJSON_GetObjectItemCaseSensitive(card, second), &items, &n, &cap, err) != 0) {
        h2g_kv_set_str_array_owned(kv, "", items, 0, err);
        return -1;
    }
    if (n == 0) {
        free(items);
        return 0;
    }
    return h2g_kv_set_str_array_owned(kv, key, items, n, err);
}

/* license: a string, or a list joined with ",". */
static int add_license(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    const cJSON *lic = cJSON_GetObjectItemCaseSensitive(co->model_card, "license");
    if (cJSON_IsString(lic)) return h2g_kv_set_str(kv, "general.license", lic->valuestring, err);
    if (!cJSON_IsArray(lic)) return 0;
    char buf[1024] = "";
    for (const cJSON *it = lic->child; it; it = it->next) {
        if (!cJSON_IsString(it)) continue;
        if (*buf) strncat(buf, ",", sizeof buf - strlen(buf) - 1);
        strncat(buf, it->valuestring, sizeof buf - strlen(buf) - 1);
    }
    return h2g_kv_set_str(kv, "general.license", buf, err);
}

/* general.base_model.* from the card's base_model (a string or a list). */
static int add_base_models(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    const cJSON *bm = cJSON_GetObjectItemCaseSensitive(co->model_card, "base_model");
    if (!bm) return 0;
    uint32_t count = 0;
    const cJSON *one = cJSON_IsArray(bm) ? bm->child : bm;
    for (const cJSON *it = one; it; it = cJSON_IsArray(bm) ? it->next : NULL) count += cJSON_IsString(it);
    if (h2g_kv_set_u32(kv, "general.base_model.count", count, err) != 0) return -1;
    uint32_t i = 0;
    for (const cJSON *it = one; it; it = cJSON_IsArray(bm) ? it->next : NULL) {
        if (!cJSON_IsString(it)) continue;
        id_parts p;
        parse_model_id(it->valuestring, 0, &p);
        char key[96];
        char *title = p.full ? id_to_title(p.full) : NULL, *org = p.org ? id_to_title(p.org) : NULL;
        char *url = p.org && p.full ? h2g_strfmt("https://huggingface.co/%s/%s", p.org, p.full) : NULL;
        int rc = 0;
        snprintf(key, sizeof key, "general.base_model.%u.name", i);
        rc |= set_opt(kv, key, title, err);
        snprintf(key, sizeof key, "general.base_model.%u.organization", i);
        rc |= set_opt(kv, key, org, err);
        snprintf(key, sizeof key, "general.base_model.%u.version", i);
        rc |= set_opt(kv, key, p.version, err);
        snprintf(key, sizeof key, "general.base_model.%u.repo_url", i);
        rc |= set_opt(kv, key, url, err);
        free(title);
        free(org);
        free(url);
        id_parts_free(&p);
        if (rc != 0) return -1;
        i++;
    }
    return 0;
}

int h2g_general_add_kv(h2g_kv_list *kv, const h2g_general *g, const h2g_checkout *co,
                       h2g_error *err) {
    if (add_sampling(kv, co->generation_config, err) != 0) return -1;
    static const struct {
        const char *key;
        size_t off;
    } names[] = {
        {"general.name", offsetof(h2g_general, name)},
        {"general.author", offsetof(h2g_general, author)},
        {"general.version", offsetof(h2g_general, version)},
        {"general.organization", offsetof(h2g_general, organization)},
        {"general.finetune", offsetof(h2g_general, finetune)},
        {"general.basename", offsetof(h2g_general, basename)},
        {"general.description", offsetof(h2g_general, description)},
        {"general.quantized_by", offsetof(h2g_general, quantized_by)},
        {"general.size_label", offsetof(h2g_general, size_label)},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (set_opt(kv, names[i].key, *(char *const *)((const char *)g + names[i].off), err)) return -1;
    static const struct {
        const char *key;
        const char *card[2];
    } card_keys[] = {
        {"general.license.name", {"license_name", NULL}},
        {"general.license.link", {"license_link", NULL}},
        {"general.source.url", {"url", "model_url"}},
        {"general.source.doi", {"doi", "model_doi"}},
        {"general.source.uuid", {"uuid", "model_uuid"}},
        {"general.source.repo_url", {"repo_url", "model_repo_url"}},
    };
    if (add_license(kv, co, err) != 0) return -1;
    for (size_t i = 0; i < sizeof card_keys / sizeof card_keys[0]; i++) {
        const char *v = card_str(co, card_keys[i].card[0]);
        if (!v && card_keys[i].card[1]) v = card_str(co, card_keys[i].card[1]);
        if (set_opt(kv, card_keys[i].key, v, err) != 0) return -1;
    }
    if (add_base_models(kv, co, err) != 0 ||
        add_card_list(kv, co, "general.tags", "tags", "pipeline_tag", err) != 0 ||
        add_card_list(kv, co, "general.languages", "languages", "language", err) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------
 * File names
 * ------------------------------------------------------------------------- */

/* Copies s with spaces and slashes turned into dashes, trimmed. */
static void append_part(char *out, size_t size, const char *s) {
    while (isspace((unsigned char)*s)) s++;
    size_t o = strlen(out), n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    for (size_t i = 0; i < n && o + 1 < size; i++) out[o++] = (s[i] == ' ' || s[i] == '/') ? '-' : s[i];
    out[o] = '\0';
}

char *h2g_default_filename(const h2g_general *g, const char *kind, h2g_outtype outtype) {
    char out[1024] = "";
    bool mmproj = !strcmp(kind, "mmproj"), vocab = !strcmp(kind, "vocab");
    if (mmproj) strcat(out, "mmproj-");
    append_part(out, sizeof out, g->basename ? g->basename : g->name ? g->name : "ggml-model");
    const char *parts[3] = {mmproj || vocab ? NULL : g->size_label, g->finetune, g->version};
    for (int i = 0; i < 3; i++) {
        if (!parts[i]) continue;
        strncat(out, "-", sizeof out - strlen(out) - 1);
        append_part(out, sizeof out, parts[i]);
    }
    strncat(out, "-", sizeof out - strlen(out) - 1);
    strncat(out, vocab ? "vocab" : h2g_outtype_upper_name(outtype), sizeof out - strlen(out) - 1);
    strncat(out, ".gguf", sizeof out - strlen(out) - 1);
    return h2g_strdup(out);
}
