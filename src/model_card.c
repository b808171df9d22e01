/* model_card.c - YAML front matter of README.md as a cJSON object
 * (see model_card.h). */
#include "model_card.h"

#include <stdbool.h>
#include <string.h>

#include <yaml.h>

#define MAX_DEPTH 64

/* Finds the front matter: text must start with a "---" line; returns the
 * YAML between it and the next "---" line, or false. */
static bool front_matter(const char *text, size_t len, const char **yaml, size_t *yaml_len) {
    if (len < 4 || strncmp(text, "---", 3) != 0 || (text[3] != '\n' && text[3] != '\r'))
        return false;
    const char *start = strchr(text, '\n');
    if (!start) return false;
    start++;
    const char *end_of_text = text + len;
    for (const char *line = start; line < end_of_text;) {
        const char *nl = memchr(line, '\n', (size_t)(end_of_text - line));
        size_t n = nl ? (size_t)(nl - line) : (size_t)(end_of_text - line);
        if (n >= 3 && strncmp(line, "---", 3) == 0 &&
            (n == 3 || (n == 4 && line[3] == '\r'))) {
            *yaml = start;
            *yaml_len = (size_t)(line - start);
            return true;
        }
        if (!nl) break;
        line = nl + 1;
    }
    return false;
}

/* Builds the JSON value of the node that begins with event ev. */
static cJSON *node(yaml_parser_t *p, yaml_event_t *ev, int depth, h2g_error *err);

static cJSON *next_node(yaml_parser_t *p, int depth, bool *end, yaml_event_type_t end_type,
                        h2g_error *err) {
    yaml_event_t ev;
    if (!yaml_parser_parse(p, &ev)) {
        h2g_fail(err, "README.md: front matter is not valid YAML (line %zu: %s)",
                 p->problem_mark.line + 1, p->problem ? p->problem : "?");
        return NULL;
    }
    *end = ev.type == end_type;
    if (*end) {
        yaml_event_delete(&ev);
        return NULL;
    }
    cJSON *v = node(p, &ev, depth, err);
    yaml_event_delete(&ev);
    return v;
}

static cJSON *node(yaml_parser_t *p, yaml_event_t *ev, int depth, h2g_error *err) {
    if (depth > MAX_DEPTH) {
        h2g_fail(err, "README.md: front matter nests deeper than %d levels", MAX_DEPTH);
        return NULL;
    }
    bool end;
    if (ev->type == YAML_SCALAR_EVENT)
        return cJSON_CreateString((const char *)ev->data.scalar.value);
    if (ev->type == YAML_ALIAS_EVENT) return cJSON_CreateNull(); /* aliases are not followed */
    if (ev->type == YAML_SEQUENCE_START_EVENT) {
        cJSON *arr = cJSON_CreateArray();
        for (;;) {
            cJSON *v = next_node(p, depth + 1, &end, YAML_SEQUENCE_END_EVENT, err);
            if (end) return arr;
            if (!v) break;
            cJSON_AddItemToArray(arr, v);
        }
        cJSON_Delete(arr);
        return NULL;
    }
    if (ev->type == YAML_MAPPING_START_EVENT) {
        cJSON *obj = cJSON_CreateObject();
        for (;;) {
            cJSON *k = next_node(p, depth + 1, &end, YAML_MAPPING_END_EVENT, err);
            if (end) return obj;
            if (!k) break;
            cJSON *v = next_node(p, depth + 1, &end, YAML_MAPPING_END_EVENT, err);
            if (!v || end || !cJSON_IsString(k)) {
                cJSON_Delete(k);
                cJSON_Delete(v);
                if (!err->msg[0] || end) h2g_fail(err, "README.md: front matter has a bad key");
                break;
            }
            cJSON_AddItemToObject(obj, k->valuestring, v);
            cJSON_Delete(k);
        }
        cJSON_Delete(obj);
        return NULL;
    }
    h2g_fail(err, "README.md: unexpected YAML construct in the front matter");
    return NULL;
}

int h2g_model_card_parse(const char *text, size_t len, cJSON **out, h2g_error *err) {
    *out = NULL;
    const char *yaml;
    size_t yaml_len;
    if (!front_matter(text, len, &yaml, &yaml_len)) return 0;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return h2g_fail(err, "README.md: out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, yaml_len);
    err->msg[0] = '\0';
    cJSON *doc = NULL;
    bool end = false;
    /* stream start, document start, then the root node */
    for (int i = 0; i < 2 && !err->msg[0]; i++) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            h2g_fail(err, "README.md: front matter is not valid YAML (line %zu: %s)",
                     p.problem_mark.line + 1, p.problem ? p.problem : "?");
            break;
        }
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
        if (end) break;
    }
    if (!err->msg[0] && !end) doc = next_node(&p, 0, &end, YAML_DOCUMENT_END_EVENT, err);
    yaml_parser_delete(&p);
    if (err->msg[0]) {
        cJSON_Delete(doc);
        return -1;
    }
    if (doc && !cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        doc = NULL; /* a front matter that is not a mapping says nothing we use */
    }
    *out = doc;
    return 0;
}
