/* model_card.c - YAML front matter of README.md as a cJSON object
 * (see model_card.h).
 *
 * libyaml's event parser drives a small recursive builder: mappings become
 * objects, sequences arrays, scalars strings (whatever their YAML type, so
 * "no", "1.0" and "2024-01-01" keep their spelling; consumers decide what a
 * value means). Aliases are not followed; they become JSON null. */
#include "source/model_card.h"

#include <stdbool.h>
#include <string.h>

#include <yaml.h>

#define CARD "README.md"
#define MAX_DEPTH 64

/* ---------------------------------------------------------------------------
 * Finding the front matter
 * ------------------------------------------------------------------------- */

/* Length of the line at p (up to end), without its "\n" or "\r\n"; *next is
 * where the following line starts (end when there is none). */
static size_t line_length(const char *p, const char *end, const char **next) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    *next = nl ? nl + 1 : end;
    size_t n = (size_t)((nl ? nl : end) - p);
    if (n > 0 && p[n - 1] == '\r') n--;
    return n;
}

/* True when the line [p, p + n) is exactly "---". */
static bool is_fence(const char *p, size_t n) { return n == 3 && !memcmp(p, "---", 3); }

/* The YAML between a first line "---" and the next line "---"; false when
 * the text does not start with such a block. The YAML starts on line 2. */
static bool front_matter(const char *text, size_t len, const char **yaml, size_t *yaml_len) {
    const char *end = text + len, *line;
    if (len == 0 || !is_fence(text, line_length(text, end, &line))) return false;
    const char *start = line;
    while (line < end) {
        const char *next;
        size_t n = line_length(line, end, &next);
        if (is_fence(line, n)) {
            *yaml = start;
            *yaml_len = (size_t)(line - start);
            return true;
        }
        line = next;
    }
    return false;
}

/* ---------------------------------------------------------------------------
 * Building JSON from YAML events
 * ------------------------------------------------------------------------- */

/* README.md line of a mark in the YAML (which starts on line 2). */
static size_t card_line(yaml_mark_t mark) { return mark.line + 2; }

/* Reads the next event into ev, or reports libyaml's error with its line. */
static int next_event(yaml_parser_t *p, yaml_event_t *ev, h2g_error *err) {
    if (yaml_parser_parse(p, ev)) return 0;
    return h2g_fail(err, CARD ": front matter is not valid YAML (line %zu: %s%s%s)",
                    card_line(p->problem_mark), p->problem ? p->problem : "parse error",
                    p->context ? " " : "", p->context ? p->context : "");
}

static int build(yaml_parser_t *p, const yaml_event_t *ev, int depth, cJSON **out,
                 h2g_error *err);

/* Reads the next node into *out, or sets *done when the event is `end`
 * (the end of the enclosing sequence or mapping). */
static int next_node(yaml_parser_t *p, yaml_event_type_t end, int depth, cJSON **out,
                     bool *done, h2g_error *err) {
    yaml_event_t ev;
    *out = NULL;
    if (next_event(p, &ev, err) != 0) return -1;
    *done = ev.type == end;
    int rc = *done ? 0 : build(p, &ev, depth, out, err);
    yaml_event_delete(&ev);
    return rc;
}

/* The items of a sequence whose start event was just read. */
static int build_sequence(yaml_parser_t *p, int depth, cJSON *arr, h2g_error *err) {
    for (;;) {
        cJSON *item;
        bool done;
        if (next_node(p, YAML_SEQUENCE_END_EVENT, depth, &item, &done, err) != 0) return -1;
        if (done) return 0;
        cJSON_AddItemToArray(arr, item);
    }
}

/* The pairs of a mapping whose start event was just read. Keys must be
 * scalars; a repeated key replaces the earlier value (as PyYAML does). */
static int build_mapping(yaml_parser_t *p, int depth, cJSON *obj, h2g_error *err) {
    for (;;) {
        yaml_event_t key;
        if (next_event(p, &key, err) != 0) return -1;
        if (key.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key);
            return 0;
        }
        if (key.type != YAML_SCALAR_EVENT) {
            size_t line = card_line(key.start_mark);
            yaml_event_delete(&key);
            return h2g_fail(err, CARD ": front matter line %zu: a mapping key must be a plain "
                                 "value, found a list, mapping or alias", line);
        }
        cJSON *value;
        bool done;
        int rc = next_node(p, YAML_MAPPING_END_EVENT, depth, &value, &done, err);
        const char *k = (const char *)key.data.scalar.value;
        if (rc == 0 && cJSON_GetObjectItemCaseSensitive(obj, k))
            cJSON_ReplaceItemInObjectCaseSensitive(obj, k, value);
        else if (rc == 0)
            cJSON_AddItemToObject(obj, k, value);
        yaml_event_delete(&key);
        if (rc != 0) return -1;
    }
}

/* Builds *out from the node that begins with ev. */
static int build(yaml_parser_t *p, const yaml_event_t *ev, int depth, cJSON **out,
                 h2g_error *err) {
    if (depth > MAX_DEPTH)
        return h2g_fail(err, CARD ": front matter line %zu: nested deeper than %d levels",
                        card_line(ev->start_mark), MAX_DEPTH);
    int rc = 0;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: *out = cJSON_CreateString((const char *)ev->data.scalar.value); break;
    case YAML_ALIAS_EVENT: *out = cJSON_CreateNull(); break;
    case YAML_SEQUENCE_START_EVENT:
        *out = cJSON_CreateArray();
        if (*out) rc = build_sequence(p, depth + 1, *out, err);
        break;
    case YAML_MAPPING_START_EVENT:
        *out = cJSON_CreateObject();
        if (*out) rc = build_mapping(p, depth + 1, *out, err);
        break;
    default:
        return h2g_fail(err, CARD ": front matter line %zu: unexpected YAML event",
                        card_line(ev->start_mark));
    }
    if (!*out) return h2g_fail(err, CARD ": out of memory");
    if (rc != 0) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* The document's root node, or NULL for an empty document. */
static int parse_document(yaml_parser_t *p, cJSON **out, h2g_error *err) {
    yaml_event_t ev;
    bool done = false;
    /* stream start, then document start (or stream end: empty input) */
    for (int i = 0; i < 2 && !done; i++) {
        if (next_event(p, &ev, err) != 0) return -1;
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    if (done) return 0;
    return next_node(p, YAML_DOCUMENT_END_EVENT, 0, out, &done, err);
}

/* ---------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------- */

/* See model_card.h. A front matter that parses to something other than a
 * mapping (or to nothing) says nothing we use: *out is NULL. */
int h2g_model_card_parse(const char *text, size_t len, cJSON **out, h2g_error *err) {
    *out = NULL;
    const char *yaml;
    size_t yaml_len;
    if (!text || !front_matter(text, len, &yaml, &yaml_len)) return 0;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return h2g_fail(err, CARD ": out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, yaml_len);
    cJSON *doc = NULL;
    int rc = parse_document(&p, &doc, err);
    yaml_parser_delete(&p);
    if (rc != 0) return -1;
    if (cJSON_IsObject(doc))
        *out = doc;
    else
        cJSON_Delete(doc);
    return 0;
}
