/* general.c - general.* metadata and default file names, derived as the
 * reference converter derives them (gguf-py's Metadata and
 * naming_convention; see include/hf2gguf/general.h and
 * conversion-reference.md section 7).
 *
 * The model card arrives as JSON whose scalars are all strings; the YAML
 * nulls ("", "~", "null") are read as absent, as PyYAML would give None. */
#include "hf2gguf/general.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "source/hparams.h"

/* ---------------------------------------------------------------------------
 * Small string helpers
 * ------------------------------------------------------------------------- */

/* Whether a model card scalar is a YAML null. */
static bool yaml_null(const char *s) {
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    for (int i = 0; nulls[i]; i++)
        if (!strcmp(s, nulls[i])) return true;
    return false;
}

/* A model card value that is present and not null, or NULL. */
static const cJSON *card_item(const h2g_checkout *co, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(co->model_card, key);
    if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && yaml_null(v->valuestring))) return NULL;
    return v;
}

/* A string-valued model card field, or NULL. */
static const char *card_str(const h2g_checkout *co, const char *key) {
    const cJSON *v = card_item(co, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Sets *field to a copy of value when *field is still unset. */
static void fill(char **field, const char *value) {
    if (!*field && value) *field = h2g_strdup(value);
}

/* Python's str.islower() for ASCII: a cased letter and no upper case. */
static bool py_islower(const char *w) {
    bool cased = false;
    for (const char *p = w; *p; p++) {
        if (isupper((unsigned char)*p)) return false;
        cased |= islower((unsigned char)*p) != 0;
    }
    return cased;
}

/* ^(v\d+(\.\d+)*|\d.*)$ : a version word or anything starting with a digit. */
static bool version_or_digit(const char *w) {
    if (isdigit((unsigned char)w[0])) return true;
    if (w[0] != 'v' || !isdigit((unsigned char)w[1])) return false;
    for (const char *p = w + 1; *p;) {
        while (isdigit((unsigned char)*p)) p++;
        if (!*p) break;
        if (*p != '.' || !isdigit((unsigned char)p[1])) return false;
        p++;
    }
    return true;
}

/* Python's str.title() for ASCII: upper after a non-letter, lower after one. */
static void title_word(char *w) {
    bool prev_alpha = false;
    for (char *p = w; *p; p++) {
        bool alpha = isalpha((unsigned char)*p) != 0;
        if (alpha) *p = (char)(prev_alpha ? tolower((unsigned char)*p) : toupper((unsigned char)*p));
        prev_alpha = alpha;
    }
}

/* Metadata.id_to_title: "deepseek-v3-tiny" -> "Deepseek v3 Tiny". Dashes
 * become spaces; all-lower-case words are title-cased unless they look
 * like versions or start with a digit. Malloc'ed. */
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
    for (char *w = strtok_r(copy, " \t\n\r\f\v", &save); w; w = strtok_r(NULL, " \t\n\r\f\v", &save)) {
        if (py_islower(w) && !version_or_digit(w)) title_word(w);
        if (*out) strcat(out, " ");
        strcat(out, w);
    }
    free(copy);
    return out;
}

/* ---------------------------------------------------------------------------
 * Model-id parsing (Metadata.get_model_id_components)
 * ------------------------------------------------------------------------- */

/* What a dash-separated part of a model id is; a part can be several. */
enum { K_BASENAME = 1, K_SIZE = 2, K_FINETUNE = 4, K_VERSION = 8, K_TYPE = 16 };

#define MAX_ID_PARTS 64

typedef struct id_parts {
    char *full; /* the id without "org/" */
    char *org;
    char *basename, *finetune, *version, *size_label;
} id_parts;

/* Frees the strings of p. */
static void id_parts_free(id_parts *p) {
    free(p->full);
    free(p->org);
    free(p->basename);
    free(p->finetune);
    free(p->version);
    free(p->size_label);
}

/* (v|iter)?\d+([.]\d+)*, case-insensitive. */
static bool is_version(const char *s) {
    if (!strncasecmp(s, "iter", 4) && isdigit((unsigned char)s[4]))
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

/* i?q\d(_\w)* | b?fp?(16|32), case-insensitive: after "q<digit>" only pairs
 * of '_' and one word character may follow. */
static bool is_quant_type(const char *s) {
    const char *p = s;
    if (tolower((unsigned char)*p) == 'i') p++;
    if (tolower((unsigned char)*p) == 'q' && isdigit((unsigned char)p[1])) {
        p += 2;
        while (p[0] == '_' && (isalnum((unsigned char)p[1]) || p[1] == '_')) p += 2;
        if (!*p) return true;
    }
    p = s;
    if (tolower((unsigned char)*p) == 'b') p++;
    if (tolower((unsigned char)*p) != 'f') return false;
    p++;
    if (tolower((unsigned char)*p) == 'p') p++;
    return !strcmp(p, "16") || !strcmp(p, "32");
}

/* \d+([._]\d+)?[KMBT]\d? from p to the end, case-insensitive. */
static bool is_count_suffix(const char *p) {
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) p++;
    if ((*p == '.' || *p == '_') && isdigit((unsigned char)p[1])) {
        p++;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (!*p || !strchr("kmbtKMBT", *p)) return false;
    p++;
    if (isdigit((unsigned char)*p)) p++;
    return *p == '\0';
}

/* ([A]|\d+[x])?\d+([._]\d+)?[KMBT]\d? | small|mini|medium|large|x?xl,
 * case-insensitive (7B, 0.5B, 8x7B, A3B, large). */
static bool is_size(const char *s) {
    static const char *const words[] = {"small", "mini", "medium", "large", "xl", "xxl", NULL};
    for (int i = 0; words[i]; i++)
        if (!strcasecmp(s, words[i])) return true;
    if (is_count_suffix(s)) return true;
    if (tolower((unsigned char)*s) == 'a' && is_count_suffix(s + 1)) return true;
    const char *q = s;
    while (isdigit((unsigned char)*q)) q++;
    return q > s && tolower((unsigned char)*q) == 'x' && is_count_suffix(q + 1);
}

/* A\d+([._]\d+)?[KMBT]\d?, case-insensitive: an active-parameter count. */
static bool is_active_label(const char *s) {
    return tolower((unsigned char)*s) == 'a' && is_count_suffix(s + 1);
}

/* normalize_size_label, in place (the result is never longer): '_' -> '.',
 * bloom's "7b1" -> "7.1b", then a lower-case k/m/b/t after a digit is
 * upper-cased. A one-character label ending in a digit is left alone (the
 * reference fails on it with an IndexError). */
static void normalize_size(char *l) {
    for (char *p = l; *p; p++)
        if (*p == '_') *p = '.';
    size_t n = strlen(l);
    if (n >= 2 && isdigit((unsigned char)l[n - 1])) {
        char digit = l[n - 1], unit = l[n - 2];
        l[n - 2] = '.';
        l[n - 1] = digit;
        l[n] = unit;
        l[n + 1] = '\0'; /* "7b1" -> "7.1b": one longer, see the callers' buffers */
        n++;
    }
    if (n > 1 && isdigit((unsigned char)l[n - 2]) && strchr("kmbt", l[n - 1]))
        l[n - 1] = (char)toupper((unsigned char)l[n - 1]);
}

/* get_size_label_params: float(label[:-1]) * 1000^" KMBT".find(label[-1]).
 * False where Python's float() raises (e.g. "8x7B", "A3B", "large"). */
static bool size_params(const char *label, double *out) {
    size_t n = strlen(label);
    if (n < 2) return false;
    const char *p = label;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p)) p++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (p != label + n - 1) return false;
    const char *unit = strchr(" KMBT", label[n - 1]);
    double scale = unit ? pow(1000, (double)(unit - " KMBT")) : 0.001; /* find() == -1 */
    *out = strtod(label, NULL) * scale;
    return true;
}

/* Whether a size label disagrees with the real parameter count (it is then
 * "likely a context length" and goes to the finetune). A following active
 * count that matches the total ("26B-A4B" for an mmproj) keeps it. */
static bool size_disagrees(const char *part, const char *next, uint64_t total) {
    double label, active;
    if (total == 0 || !size_params(part, &label)) return false;
    double tolerance = (double)((7 * total) / 8);
    char *buf = next ? malloc(strlen(next) + 2) : NULL; /* normalize may add one */
    if (buf) {
        strcpy(buf, next);
        normalize_size(buf);
        bool matching_active = is_active_label(buf) && size_params(buf + 1, &active) &&
                               fabs(active - (double)total) <= tolerance;
        free(buf);
        if (matching_active) return false;
    }
    return fabs(label - (double)total) > tolerance;
}

/* Classifies a size part (already normalized in place): K_SIZE, or
 * K_FINETUNE with the unit lower-cased when it disagrees with total. */
static int classify_size(char *part, const char *next, uint64_t total) {
    if (!size_disagrees(part, next, total)) return K_SIZE;
    size_t n = strlen(part);
    part[n - 1] = (char)tolower((unsigned char)part[n - 1]);
    return K_FINETUNE;
}

/* Whether s has a decimal digit. */
static bool has_digit(const char *s) {
    for (; *s; s++)
        if (isdigit((unsigned char)*s)) return true;
    return false;
}

/* Whether s is all letters (ASCII, as the rest of the parser). */
static bool all_alpha(const char *s) {
    for (; *s; s++)
        if (!isalpha((unsigned char)*s)) return false;
    return true;
}

/* chat|instruct|vision|lora, case-insensitive. */
static bool is_finetune_word(const char *s) {
    static const char *const words[] = {"chat", "instruct", "vision", "lora", NULL};
    for (int i = 0; words[i]; i++)
        if (!strcasecmp(s, words[i])) return true;
    return false;
}

/* Joins the parts whose kinds include `kind` (and exclude `unless`) with
 * "-"; size labels once each. NULL when there are none. */
static char *join_kind(char **parts, const int *kinds, size_t n, int kind, int unless) {
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        if ((kinds[i] & kind) && !(kinds[i] & unless)) len += strlen(parts[i]) + 1;
    if (len == 0) return NULL;
    char *out = calloc(len, 1);
    for (size_t i = 0; out && i < n; i++) {
        if (!(kinds[i] & kind) || (kinds[i] & unless)) continue;
        bool seen = false;
        for (size_t j = 0; kind == K_SIZE && j < i; j++)
            seen |= (kinds[j] & K_SIZE) && !strcmp(parts[j], parts[i]);
        if (seen) continue;
        if (*out) strcat(out, "-");
        strcat(out, parts[i]);
    }
    return out;
}

/* First pass: version, quant type, size label, finetune word. Parts are
 * normalized in place (types upper-cased, sizes normalized). */
static void annotate_parts(char **parts, int *kinds, size_t n, uint64_t total) {
    for (size_t i = 0; i < n; i++) {
        if (is_version(parts[i])) {
            kinds[i] = K_VERSION;
        } else if (is_quant_type(parts[i])) {
            kinds[i] = K_TYPE;
            for (char *c = parts[i]; *c; c++) *c = (char)toupper((unsigned char)*c);
        } else if (i > 0 && is_size(parts[i])) {
            normalize_size(parts[i]);
            kinds[i] = classify_size(parts[i], i + 1 < n ? parts[i + 1] : NULL, total);
        } else if (i > 0 && is_finetune_word(parts[i])) {
            kinds[i] = K_FINETUNE;
        }
    }
}

/* Second pass: word sizes give way to numeric ones; leading untyped words
 * and versions form the basename; other untyped parts are finetunes; a
 * trailing version leaves the basename. */
static void assign_parts(char **parts, int *kinds, size_t n) {
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
    for (size_t i = n; i-- > 0;) {
        if (!(kinds[i] & K_BASENAME) || kinds[i] == K_BASENAME) break;
        kinds[i] &= ~K_BASENAME;
    }
}

/* Splits "org/Name-Parts" into its components (see conversion-reference
 * section 7.2). An id with a space is a plain name. */
static void parse_model_id(const char *id, uint64_t total, id_parts *out) {
    memset(out, 0, sizeof *out);
    if (strchr(id, ' ')) {
        out->full = h2g_strdup(id);
        return;
    }
    const char *slash = strchr(id, '/');
    out->full = h2g_strdup(slash ? slash + 1 : id);
    if (slash && slash > id && id[0] != '.') out->org = strndup(id, (size_t)(slash - id));
    /* room for normalize_size to grow a part by one character */
    size_t len = out->full ? strlen(out->full) : 0;
    char *copy = calloc(2 * len + 2, 1), *parts[MAX_ID_PARTS];
    int kinds[MAX_ID_PARTS] = {0};
    size_t n = 0;
    if (!copy) return;
    for (size_t i = 0, o = 0; i < len; i++) { /* parts NUL-separated with a spare byte */
        if (out->full[i] == '-') {
            o += 2;
            continue;
        }
        if (o == 0 || copy[o - 1] == '\0') {
            if (n == MAX_ID_PARTS) break;
            parts[n++] = copy + o;
        }
        copy[o++] = out->full[i];
    }
    annotate_parts(parts, kinds, n, total);
    assign_parts(parts, kinds, n);
    out->basename = join_kind(parts, kinds, n, K_BASENAME, 0);
    out->size_label = join_kind(parts, kinds, n, K_SIZE, 0);
    out->finetune = join_kind(parts, kinds, n, K_FINETUNE, 0);
    out->version = join_kind(parts, kinds, n, K_VERSION, K_BASENAME);
    if (!out->size_label && !out->finetune && !out->version) { /* too ambiguous */
        free(out->basename);
        out->basename = NULL;
    }
    free(copy);
}

/* Fills the unset naming fields of g from a model id. */
static void apply_model_id(h2g_general *g, const char *id, uint64_t total) {
    id_parts p;
    parse_model_id(id, total, &p);
    if (!g->name && p.full) g->name = id_to_title(p.full);
    if (!g->organization && p.org) g->organization = id_to_title(p.org);
    fill(&g->basename, p.basename);
    fill(&g->finetune, p.finetune);
    fill(&g->version, p.version);
    fill(&g->size_label, p.size_label);
    id_parts_free(&p);
}

/* ---------------------------------------------------------------------------
 * Size label from the planned tensors (gguf-py's get_total_parameter_count
 * and size_label)
 * ------------------------------------------------------------------------- */

/* model_weight_count_rounded_notation: "226K", "3.3B", "16B": at least two
 * significant digits, Python's round() (half to even) for the digit count. */
static void rounded_count(double count, char *out, size_t size) {
    static const struct {
        double above, scale;
        const char *unit;
    } units[] = {{1e12, 1e-12, "T"}, {1e9, 1e-9, "B"}, {1e6, 1e-6, "M"}, {-1, 1e-3, "K"}};
    size_t u = 0;
    while (!(count > units[u].above)) u++;
    double scaled = count * units[u].scale;
    char digits[48];
    snprintf(digits, sizeof digits, "%.0f", nearbyint(scaled));
    int n = strcmp(digits, "0") ? (int)strlen(digits) : 0; /* "0".lstrip('0') is "" */
    int fix = 2 - n > 0 ? 2 - n : 0;
    snprintf(out, size, "%.*f%s", fix, scaled, units[u].unit);
}

/* Elements of a tensor. */
static uint64_t n_elements(const h2g_tensor_info *t) {
    uint64_t size = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) size *= t->ne[d];
    return size;
}

/* The size label of p's tensors ("<experts>x<count>" for MoE), or NULL
 * when p has none; *total_out gets the total parameter count. Expert
 * tensors are "_exps." tensors; their expert count is PyTorch's shape[-3]
 * (shape[-2] for biases), i.e. ne[2] (ne[1]). */
static char *size_label_of(const h2g_plan *p, uint64_t *total_out) {
    uint64_t total = 0, shared = 0, expert = 0, expert_sum = 0, n_expert_tensors = 0;
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_tensor_info *t = &p->tensors[i].info;
        uint64_t size = n_elements(t);
        uint32_t axis = strstr(t->name, ".bias") ? 1 : 2;
        if (strstr(t->name, "_exps.") && t->n_dims > axis && t->ne[axis] > 0) {
            expert += size / t->ne[axis];
            expert_sum += t->ne[axis];
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

/* Frees the fields and zeroes g. */
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

/* Model card keys of each naming field, in the reference's order of
 * precedence (llama.cpp's own names, then "model_" ones, then HF's). */
static const struct {
    size_t off;
    const char *keys[4];
} card_fields[] = {
    {offsetof(h2g_general, name), {"name", "model_name", NULL}},
    {offsetof(h2g_general, author), {"author", "model_author", "model_creator", NULL}},
    {offsetof(h2g_general, version), {"version", "model_version", NULL}},
    {offsetof(h2g_general, organization), {"organization", "model_organization", NULL}},
    {offsetof(h2g_general, description), {"description", "model_description", NULL}},
    {offsetof(h2g_general, finetune), {"finetune", "model_finetune", NULL}},
    {offsetof(h2g_general, basename), {"basename", "model_basename", "model_type", NULL}},
    {offsetof(h2g_general, size_label), {"size_label", "model_size_label", NULL}},
};

/* Fills the naming fields the model card gives. */
static void from_model_card(h2g_general *g, const h2g_checkout *co) {
    for (size_t i = 0; i < sizeof card_fields / sizeof card_fields[0]; i++)
        for (int k = 0; card_fields[i].keys[k]; k++)
            fill((char **)((char *)g + card_fields[i].off), card_str(co, card_fields[i].keys[k]));
}

/* config.json's _name_or_path when it looks like a model id (at most one
 * '/', so not a file system path), else NULL. */
static const char *name_or_path(const h2g_checkout *co) {
    const cJSON *nop = cJSON_GetObjectItemCaseSensitive(co->config, "_name_or_path");
    if (!cJSON_IsString(nop)) return NULL;
    int slashes = 0;
    for (const char *c = nop->valuestring; *c; c++) slashes += *c == '/';
    return slashes <= 1 ? nop->valuestring : NULL;
}

/* The naming fields' keys, in write order. */
static const struct {
    const char *key;
    size_t off;
} name_keys[] = {
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

/* ---------------------------------------------------------------------------
 * The caller's override (--metadata FILE, h2g_checkout_set_metadata)
 * ---------------------------------------------------------------------------
 * As the reference's: each key present replaces what the checkout gives,
 * and a null clears it. A value of the wrong type is an error (the
 * reference fails writing it): the caller wrote that file on purpose. */

#define OVERRIDE "--metadata"

/* The override's value for key, NULL when absent or null; *present says
 * whether the key is there at all. */
static const cJSON *override_item(const h2g_checkout *co, const char *key, bool *present) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(co->metadata_override, key);
    *present = v != NULL;
    return cJSON_IsNull(v) ? NULL : v;
}

/* A string (or null) override: *out is the string or NULL. */
static int override_str(const h2g_checkout *co, const char *key, bool *present, const char **out,
                        h2g_error *err) {
    const cJSON *v = override_item(co, key, present);
    *out = cJSON_IsString(v) ? v->valuestring : NULL;
    if (v && !cJSON_IsString(v))
        return h2g_fail(err, OVERRIDE ": '%s' must be a string, found %s", key, h2g_json_kind(v));
    return 0;
}

/* The naming fields the override sets (general.name ... general.size_label). */
static int apply_override(h2g_general *g, const h2g_checkout *co, h2g_error *err) {
    for (size_t i = 0; i < sizeof name_keys / sizeof name_keys[0]; i++) {
        bool present;
        const char *v;
        if (override_str(co, name_keys[i].key, &present, &v, err) != 0) return -1;
        if (!present) continue;
        char **field = (char **)((char *)g + name_keys[i].off);
        free(*field);
        *field = v ? h2g_strdup(v) : NULL;
        if (v && !*field)
            return h2g_fail(err, "out of memory for a copy of %s's %s", OVERRIDE, name_keys[i].key);
    }
    return 0;
}

/* Model card, then _name_or_path, then the directory name, first value
 * per field; then the caller's override and --model-name; the size label
 * from p's tensors when none was given. */
int h2g_general_derive(h2g_general *g, const h2g_checkout *co, const h2g_plan *p,
                       h2g_error *err) {
    memset(g, 0, sizeof *g);
    uint64_t total = 0;
    char *computed = p ? size_label_of(p, &total) : NULL;
    from_model_card(g, co);
    const char *nop = name_or_path(co);
    if (nop) apply_model_id(g, nop, total);
    if (co->dir_name) apply_model_id(g, co->dir_name, total);
    if (apply_override(g, co, err) != 0) {
        free(computed);
        h2g_general_free(g);
        return -1;
    }
    if (co->model_name) { /* --model-name: after the heuristics, as the reference */
        free(g->name);
        g->name = NULL;
        fill(&g->name, co->model_name);
    }
    fill(&g->name, co->dir_name); /* the reference's last resort */
    if (!g->size_label && computed) {
        g->size_label = computed;
        computed = NULL;
    }
    free(computed);
    if (!g->name) {
        h2g_general_free(g);
        if (!co->dir_name || !*co->dir_name)
            return h2g_fail(err, "no name for the model: no model card name, no _name_or_path "
                                 "and no directory name to name it after (use --model-name)");
        return h2g_fail(err, "out of memory for the model's name (general.name)");
    }
    return 0;
}

/* ---------------------------------------------------------------------------
 * KV pairs
 * ------------------------------------------------------------------------- */

/* general.sampling.* from generation_config.json: source key, GGUF key and
 * type, in the reference's write order. */
static const struct {
    const char *src, *key;
    uint32_t type;
} sampling_keys[] = {
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

/* Whether v is a whole number that fits an INT32 (bools count as 0/1). */
static bool int32_value(const cJSON *v, int32_t *out) {
    if (cJSON_IsBool(v)) {
        *out = cJSON_IsTrue(v);
        return true;
    }
    if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
        v->valuedouble < INT32_MIN || v->valuedouble > INT32_MAX)
        return false;
    *out = (int32_t)v->valuedouble;
    return true;
}

/* One sampling key. A value of the wrong type in generation_config.json is
 * skipped with a warning: these keys only suggest defaults to the loader
 * (the reference fails packing such a value; issue 14, item 11 wants the
 * model converted). In the caller's override it is an error. */
static int add_sampling_key(h2g_kv_list *kv, size_t i, const char *src, const cJSON *v,
                            bool overridden, h2g_warnings *warnings, h2g_error *err) {
    int32_t n;
    switch (sampling_keys[i].type) {
    case H2G_VT_STRING:
        if (cJSON_IsString(v)) return h2g_kv_set_str(kv, sampling_keys[i].key, v->valuestring, err);
        break;
    case H2G_VT_INT32:
        if (int32_value(v, &n)) return h2g_kv_set_i32(kv, sampling_keys[i].key, n, err);
        break;
    default:
        if (cJSON_IsNumber(v) || cJSON_IsBool(v))
            return h2g_kv_set_f32(kv, sampling_keys[i].key,
                                  cJSON_IsBool(v) ? (float)cJSON_IsTrue(v) : (float)v->valuedouble,
                                  err);
    }
    const char *want = sampling_keys[i].type == H2G_VT_STRING  ? "a string"
                       : sampling_keys[i].type == H2G_VT_INT32 ? "a whole number within INT32"
                                                                : "a number";
    if (overridden)
        return h2g_fail(err, OVERRIDE ": '%s' must be %s, found %s", src, want, h2g_json_kind(v));
    h2g_warn(warnings, "generation_config.json: '%s' must be %s, found %s; %s was not written",
             src, want, h2g_json_kind(v), sampling_keys[i].key);
    return 0;
}

/* The value of sampling key i: the override's general.sampling.* key when
 * present (*overridden), else generation_config.json's own name, or for
 * penalty_repeat Hugging Face's repetition_penalty when penalty_repeat is
 * absent (as the reference 0.7.0 does). *src is the name found. */
static const cJSON *sampling_value(const h2g_checkout *co, size_t i, const char **src,
                                   bool *overridden) {
    *src = sampling_keys[i].key;
    const cJSON *v = override_item(co, *src, overridden);
    if (*overridden) return v;
    const cJSON *gen = cJSON_IsObject(co->generation_config) ? co->generation_config : NULL;
    *src = sampling_keys[i].src;
    v = cJSON_GetObjectItemCaseSensitive(gen, *src);
    if (!v && !strcmp(*src, "penalty_repeat")) {
        *src = "repetition_penalty";
        v = cJSON_GetObjectItemCaseSensitive(gen, *src);
    }
    return v;
}

/* general.sampling.* from generation_config.json (present, non-null keys). */
static int add_sampling(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    for (size_t i = 0; i < sizeof sampling_keys / sizeof sampling_keys[0]; i++) {
        const char *src;
        bool overridden;
        const cJSON *v = sampling_value(co, i, &src, &overridden);
        if (v && !cJSON_IsNull(v) &&
            add_sampling_key(kv, i, src, v, overridden, co->warnings, err) != 0)
            return -1;
    }
    return 0;
}

/* Sets key to v when v is known (empty strings are skipped by the list). */
static int set_opt(h2g_kv_list *kv, const char *key, const char *v, h2g_error *err) {
    return v ? h2g_kv_set_str(kv, key, v, err) : 0;
}

/* Appends the string items of a model card value (a string or a list of
 * them) to a growing list (tags, languages). */
static int collect(const cJSON *v, h2g_str **items, size_t *n, size_t *cap, h2g_error *err) {
    bool is_list = cJSON_IsArray(v);
    for (const cJSON *it = is_list ? v->child : v; it; it = is_list ? it->next : NULL) {
        if (!cJSON_IsString(it)) continue;
        if (h2g_grow((void **)items, cap, *n + 1, sizeof **items) != 0)
            return h2g_fail(err, "README.md: out of memory for a list of %zu model card values",
                            *n + 1);
        (*items)[*n].data = h2g_strdup(it->valuestring);
        if (!(*items)[*n].data)
            return h2g_fail(err, "README.md: out of memory for the model card value '%.100s'",
                            it->valuestring);
        (*items)[*n].len = strlen(it->valuestring);
        (*n)++;
    }
    return 0;
}

/* Whether v is a JSON list of strings only. */
static bool override_is_string_list(const cJSON *v) {
    if (!cJSON_IsArray(v)) return false;
    for (const cJSON *it = v->child; it; it = it->next)
        if (!cJSON_IsString(it)) return false;
    return true;
}

/* general.tags (tags + pipeline_tag) or general.languages (languages +
 * language): the second card key's values are appended to the first's; the
 * override's list (general.tags, general.languages) replaces both. */
static int add_card_list(h2g_kv_list *kv, const h2g_checkout *co, const char *key,
                         const char *first, const char *second, h2g_error *err) {
    h2g_str *items = NULL;
    size_t n = 0, cap = 0;
    bool present;
    const cJSON *over = override_item(co, key, &present);
    if (present && over && !override_is_string_list(over))
        return h2g_fail(err, OVERRIDE ": '%s' must be a list of strings", key);
    if (present ? collect(over, &items, &n, &cap, err) != 0
                : collect(card_item(co, first), &items, &n, &cap, err) != 0 ||
                      collect(card_item(co, second), &items, &n, &cap, err) != 0) {
        for (size_t i = 0; i < n; i++) free(items[i].data);
        free(items);
        return -1;
    }
    if (n == 0) {
        free(items);
        return 0;
    }
    return h2g_kv_set_str_array_owned(kv, key, items, n, err);
}

/* general.license: a string, or a list joined with ",". */
static int add_license(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    const cJSON *lic = card_item(co, "license");
    if (cJSON_IsString(lic)) return h2g_kv_set_str(kv, "general.license", lic->valuestring, err);
    if (!cJSON_IsArray(lic)) return 0;
    size_t len = 1;
    for (const cJSON *it = lic->child; it; it = it->next)
        if (cJSON_IsString(it)) len += strlen(it->valuestring) + 1;
    char *joined = calloc(len, 1);
    if (!joined)
        return h2g_fail(err, "README.md: out of memory for the joined licenses (%zu bytes)", len);
    for (const cJSON *it = lic->child; it; it = it->next) {
        if (!cJSON_IsString(it)) continue;
        if (it != lic->child) strcat(joined, ",");
        strcat(joined, it->valuestring);
    }
    int rc = h2g_kv_set_str(kv, "general.license", joined, err);
    free(joined);
    return rc;
}

/* The fields of a base model / dataset entry, in the reference's write
 * order. */
static const char *const entry_fields[] = {"name",        "author", "version", "organization",
                                           "description", "url",    "doi",     "uuid",
                                           "repo_url",    NULL};

/* An entry's fields, by entry_fields index; all malloc'ed or NULL. */
typedef struct card_entry {
    char *field[9];
} card_entry;

/* Frees an entry's fields. */
static void card_entry_free(card_entry *e) {
    for (int i = 0; entry_fields[i]; i++) free(e->field[i]);
}

/* Index of a field name in entry_fields. */
static int field_index(const char *name) {
    for (int i = 0; entry_fields[i]; i++)
        if (!strcmp(entry_fields[i], name)) return i;
    return -1;
}

/* The "org/name" of a https://huggingface.co/org/name URL, or NULL
 * (the reference's https?://huggingface.co/([^/]+/[^/]+)$, '.' any). */
static const char *hf_url_id(const char *url) {
    const char *p = h2g_str_starts_with(url, "https://") ? url + 8
                    : h2g_str_starts_with(url, "http://") ? url + 7
                                                          : NULL;
    if (!p || strncmp(p, "huggingface", 11) || !p[11] || strncmp(p + 12, "co/", 3)) return NULL;
    const char *id = p + 15, *slash = strchr(id, '/');
    if (!slash || slash == id || !slash[1] || strchr(slash + 1, '/')) return NULL;
    return id;
}

/* Fills name, organization and version of e from a model id. */
static void entry_from_id(card_entry *e, const char *id, uint64_t total, bool with_repo_url) {
    id_parts p;
    parse_model_id(id, total, &p);
    if (p.full) e->field[field_index("name")] = id_to_title(p.full);
    if (p.org) e->field[field_index("organization")] = id_to_title(p.org);
    if (p.version) e->field[field_index("version")] = h2g_strdup(p.version);
    if (with_repo_url && p.org && p.full)
        e->field[field_index("repo_url")] = h2g_strfmt("https://huggingface.co/%s/%s", p.org, p.full);
    id_parts_free(&p);
}

/* One base model / dataset entry of the card: an URL (repo_url, plus the
 * parts of a huggingface.co id), a HF id (parsed, with a derived repo_url),
 * or an object whose known fields are taken as they are. Anything else is
 * an empty entry (the reference logs an error and still counts it). */
static void card_entry_of(const cJSON *v, uint64_t total, card_entry *e) {
    memset(e, 0, sizeof *e);
    if (cJSON_IsObject(v)) {
        for (const cJSON *f = v->child; f; f = f->next) {
            int i = field_index(f->string);
            if (i >= 0 && cJSON_IsString(f) && !e->field[i]) e->field[i] = h2g_strdup(f->valuestring);
        }
        return;
    }
    if (!cJSON_IsString(v) || yaml_null(v->valuestring)) return;
    const char *s = v->valuestring;
    if (h2g_str_starts_with(s, "http://") || h2g_str_starts_with(s, "https://") ||
        h2g_str_starts_with(s, "ssh://")) {
        e->field[field_index("repo_url")] = h2g_strdup(s);
        const char *id = strstr(s, "huggingface.co") ? hf_url_id(s) : NULL;
        if (id) entry_from_id(e, id, total, false);
        return;
    }
    entry_from_id(e, s, total, true);
}

/* The first present card key of keys[] (the reference's nested .get()). */
static const cJSON *first_card_value(const h2g_checkout *co, const char *const keys[3],
                                     bool *any) {
    *any = false;
    for (int i = 0; i < 3; i++) {
        if (!cJSON_GetObjectItemCaseSensitive(co->model_card, keys[i])) continue;
        *any = true;
        return card_item(co, keys[i]); /* present but null: nothing, count 0 */
    }
    return NULL;
}

/* The override's list of entries (general.base_models, general.datasets):
 * a count, then each object's known fields as they are, in write order. */
static int add_override_entries(h2g_kv_list *kv, const char *prefix, const char *over_key,
                                const cJSON *list, h2g_error *err) {
    if (!cJSON_IsArray(list))
        return h2g_fail(err, OVERRIDE ": '%s' must be a list of objects", over_key);
    char key[160];
    snprintf(key, sizeof key, "%s.count", prefix);
    if (h2g_kv_set_u32(kv, key, (uint32_t)cJSON_GetArraySize(list), err) != 0) return -1;
    uint32_t i = 0;
    for (const cJSON *it = list->child; it; it = it->next, i++) {
        if (!cJSON_IsObject(it))
            return h2g_fail(err, OVERRIDE ": '%s' entry %u must be an object", over_key, i);
        for (int f = 0; entry_fields[f]; f++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(it, entry_fields[f]);
            if (!v || cJSON_IsNull(v)) continue;
            if (!cJSON_IsString(v))
                return h2g_fail(err, OVERRIDE ": '%s' entry %u: '%s' must be a string, found %s",
                                over_key, i, entry_fields[f], h2g_json_kind(v));
            snprintf(key, sizeof key, "%s.%u.%s", prefix, i, entry_fields[f]);
            if (set_opt(kv, key, v->valuestring, err) != 0) return -1;
        }
    }
    return 0;
}

/* general.base_model.* or general.dataset.*: a count (written whenever one
 * of the card keys is present, even as 0) and each entry's known fields;
 * the override's list (over_key) instead when it has one, none when null. */
static int add_card_entries(h2g_kv_list *kv, const h2g_checkout *co, const char *prefix,
                            const char *over_key, const char *const keys[3], uint64_t total,
                            h2g_error *err) {
    bool over_present;
    const cJSON *over = override_item(co, over_key, &over_present);
    if (over_present) return over ? add_override_entries(kv, prefix, over_key, over, err) : 0;
    bool any;
    const cJSON *v = first_card_value(co, keys, &any);
    if (!any) return 0;
    bool is_list = cJSON_IsArray(v);
    uint32_t count = is_list ? (uint32_t)cJSON_GetArraySize(v) : cJSON_IsString(v) ? 1 : 0;
    char key[160];
    snprintf(key, sizeof key, "%s.count", prefix);
    if (h2g_kv_set_u32(kv, key, count, err) != 0) return -1;
    uint32_t i = 0;
    for (const cJSON *it = is_list ? v->child : count ? v : NULL; it;
         it = is_list ? it->next : NULL, i++) {
        card_entry e;
        card_entry_of(it, total, &e);
        int rc = 0;
        for (int f = 0; entry_fields[f] && rc == 0; f++) {
            snprintf(key, sizeof key, "%s.%u.%s", prefix, i, entry_fields[f]);
            rc = set_opt(kv, key, e.field[f], err);
        }
        card_entry_free(&e);
        if (rc != 0) return -1;
    }
    return 0;
}

/* general.license.name/link and general.source.*: card key, then the
 * "model_" variant. */
static const struct {
    const char *key;
    const char *card[2];
} card_string_keys[] = {
    {"general.license.name", {"license_name", NULL}},
    {"general.license.link", {"license_link", NULL}},
    {"general.url", {NULL, NULL}}, /* from the override only */
    {"general.doi", {NULL, NULL}},
    {"general.uuid", {NULL, NULL}},
    {"general.repo_url", {NULL, NULL}},
    {"general.source.url", {"url", "model_url"}},
    {"general.source.doi", {"doi", "model_doi"}},
    {"general.source.uuid", {"uuid", "model_uuid"}},
    {"general.source.repo_url", {"repo_url", "model_repo_url"}},
};

/* The string keys after the license (license name/link, url/doi/uuid/
 * repo_url, source.*): the override's value when it has the key, else the
 * model card's (its key, then the "model_" variant). */
static int add_card_strings(h2g_kv_list *kv, const h2g_checkout *co, h2g_error *err) {
    for (size_t i = 0; i < sizeof card_string_keys / sizeof card_string_keys[0]; i++) {
        const char *const *card = card_string_keys[i].card;
        bool present;
        const char *v;
        if (override_str(co, card_string_keys[i].key, &present, &v, err) != 0) return -1;
        if (!present && card[0]) v = card_str(co, card[0]);
        if (!present && !v && card[1]) v = card_str(co, card[1]);
        if (set_opt(kv, card_string_keys[i].key, v, err) != 0) return -1;
    }
    return 0;
}

/* The general.* keys after general.type, in the reference's order. */
int h2g_general_add_kv(h2g_kv_list *kv, const h2g_general *g, const h2g_checkout *co,
                       h2g_error *err) {
    static const char *const base_model_keys[3] = {"base_model", "base_models",
                                                   "base_model_sources"};
    static const char *const dataset_keys[3] = {"datasets", "dataset", "dataset_sources"};
    if (add_sampling(kv, co, err) != 0) return -1;
    for (size_t i = 0; i < sizeof name_keys / sizeof name_keys[0]; i++)
        if (set_opt(kv, name_keys[i].key, *(char *const *)((const char *)g + name_keys[i].off),
                    err) != 0)
            return -1;
    /* Base models and datasets are parsed with the model's parameter count,
     * which only matters for size-like parts of their ids; 0 keeps them. */
    if (add_license(kv, co, err) != 0 || add_card_strings(kv, co, err) != 0 ||
        add_card_entries(kv, co, "general.base_model", "general.base_models", base_model_keys,
                         0, err) != 0 ||
        add_card_entries(kv, co, "general.dataset", "general.datasets", dataset_keys, 0,
                         err) != 0 ||
        add_card_list(kv, co, "general.tags", "tags", "pipeline_tag", err) != 0 ||
        add_card_list(kv, co, "general.languages", "languages", "language", err) != 0)
        return -1;
    return 0;
}

/* ---------------------------------------------------------------------------
 * File names (gguf-py's naming_convention)
 * ------------------------------------------------------------------------- */

/* Appends "-" (unless first) and s stripped of surrounding white space,
 * with spaces (and, when slashes is set, '/') turned into '-'. */
static void append_part(char *out, size_t size, const char *s, bool first, bool slashes) {
    size_t o = strlen(out);
    if (!first && o + 1 < size) out[o++] = '-';
    while (isspace((unsigned char)*s)) s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) n--;
    for (size_t i = 0; i < n && o + 1 < size; i++)
        out[o++] = s[i] == ' ' || (slashes && s[i] == '/') ? '-' : s[i];
    out[o] = '\0';
}

/* Makes name safe as one file name in the folder asked for (issue 14, item
 * 5): its parts come from the checkout (model card, config, folder name),
 * so '/' and '\\' (which would reach other folders, ".." included) and
 * control characters become '-', and a leading '-' or '.' (an option to
 * other tools, a hidden file, "..") becomes '_'. Names the reference
 * would write are made of none of these and stay as they are. */
static void sanitise_file_name(char *name) {
    for (char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) *p = '-';
    }
    for (char *p = name; *p == '-' || *p == '.'; p++) *p = '_';
}

/* <base>[-<size>][-<finetune>][-<version>]-<TYPE>.gguf, with the mmproj-
 * and vocab forms (see general.h), sanitised. */
char *h2g_default_filename(const h2g_general *g, const char *kind, const char *type_label) {
    char out[2048] = "";
    bool mmproj = !strcmp(kind, "mmproj"), vocab = !strcmp(kind, "vocab");
    if (mmproj) strcat(out, "mmproj-");
    const char *base = g->basename ? g->basename : g->name ? g->name : "ggml-model";
    append_part(out, sizeof out, base, true, true);
    if (!mmproj && !vocab && g->size_label) { /* the label is used as it is */
        strncat(out, "-", sizeof out - strlen(out) - 1);
        strncat(out, g->size_label, sizeof out - strlen(out) - 1);
    }
    if (g->finetune) append_part(out, sizeof out, g->finetune, false, false);
    if (g->version) append_part(out, sizeof out, g->version, false, false);
    append_part(out, sizeof out, vocab ? "vocab" : type_label, false, false);
    strncat(out, ".gguf", sizeof out - strlen(out) - 1);
    sanitise_file_name(out);
    return h2g_strdup(out);
}
