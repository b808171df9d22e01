/* model_card.c - YAML front matter of README.md as a cJSON object
 * (see model_card.h).
 *
 * libyaml's event parser drives a small recursive builder: mappings become
 * objects, sequences arrays, scalars strings (whatever their YAML type, so
 * "no", "1.0" and "2024-01-01" keep their spelling; consumers decide what a
 * value means). Aliases are not followed; they become JSON null. */
#include "source/model_card.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define CARD "README.md"
#define MAX_DEPTH 64

/* ---------------------------------------------------------------------------
 * Finding the front matter, as the reference reads it
 * ---------------------------------------------------------------------------
 * The reference splits README.md with Python's str.splitlines(), takes the
 * lines after a first line "---" up to the next line "---" (or to the end
 * of the file when there is none), joins them with "\n", quotes the value of
 * every line ending in "- no" and turns each tab into two spaces, then hands
 * that to YAML. We build the same text, so that what parses there parses
 * here; line i of it is line i + 1 of README.md. */

/* Length of the line break at p (0 when there is none): every boundary of
 * Python's splitlines(), "\r\n" counting as one. Text is UTF-8, so U+0085,
 * U+2028 and U+2029 are multi-byte. */
static size_t line_break_at(const char *p, const char *end) {
    const unsigned char *u = (const unsigned char *)p;
    size_t left = (size_t)(end - p);
    switch (u[0]) {
    case '\r': return left > 1 && u[1] == '\n' ? 2 : 1;
    case '\n': case '\v': case '\f': case 0x1c: case 0x1d: case 0x1e: return 1;
    case 0xc2: return left > 1 && u[1] == 0x85 ? 2 : 0;
    case 0xe2: return left > 2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9) ? 3 : 0;
    default: return 0;
    }
}

/* Length of the line at p (before its break); *next is where the following
 * line starts (end when there is none). */
static size_t line_length(const char *p, const char *end, const char **next) {
    const char *q = p;
    size_t brk = 0;
    while (q < end && !(brk = line_break_at(q, end))) q++;
    *next = q + brk;
    return (size_t)(q - p);
}

/* True when the line [p, p + n) is exactly "---". */
static bool is_fence(const char *p, size_t n) { return n == 3 && !memcmp(p, "---", 3); }

/* Appends line [p, p + n) and "\n" to out: tabs become two spaces, and a
 * line ending in "- no" ends in "- \"no\"" (YAML 1.1 reads a bare no as
 * false; the reference quotes it, and so keeps the language code). */
static char *append_line(char *out, const char *p, size_t n) {
    bool quote_no = n >= 4 && !memcmp(p + n - 4, "- no", 4);
    if (quote_no) n -= 2;
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '\t') {
            *out++ = p[i];
            continue;
        }
        *out++ = ' ';
        *out++ = ' ';
    }
    if (quote_no) {
        memcpy(out, "\"no\"", 4);
        out += 4;
    }
    *out++ = '\n';
    return out;
}

/* The YAML the reference would parse from text, in *yaml (malloc'd, *yaml_len
 * bytes); *closed says whether a closing "---" line was found. 0 when text
 * has no front matter (*yaml NULL), -1 when out of memory. */
static int front_matter(const char *text, size_t len, char **yaml, size_t *yaml_len,
                        bool *closed) {
    const char *end = text + len, *line;
    *yaml = NULL;
    *closed = false;
    if (len == 0 || !is_fence(text, line_length(text, end, &line))) return 0;
    /* A line of n bytes gives at most 2n + 1 (tabs doubled, "no" quoted, its
     * break now "\n"); only the last line may lack a break of its own. */
    char *out = malloc(2 * (size_t)(end - line) + 2), *at = out;
    if (!out) return -1;
    while (line < end) {
        const char *next;
        size_t n = line_length(line, end, &next);
        if (is_fence(line, n)) {
            *closed = true;
            break;
        }
        at = append_line(at, line, n);
        line = next;
    }
    *at = '\0';
    *yaml = out;
    *yaml_len = (size_t)(at - out);
    return 0;
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
    if (!*out)
        return h2g_fail(err, CARD ": front matter line %zu: out of memory for its JSON copy",
                        card_line(ev->start_mark));
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

/* What a YAML document is when it is not a mapping, for the message. */
static const char *kind_of(const cJSON *doc) {
    return cJSON_IsArray(doc) ? "a list" : cJSON_IsString(doc) ? "a single value" : "an alias";
}

/* Parses yaml into *out (NULL for an empty document). */
static int parse_yaml(const char *yaml, size_t len, cJSON **out, h2g_error *err) {
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return h2g_fail(err, CARD ": out of memory for the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    int rc = parse_document(&p, out, err);
    yaml_parser_delete(&p);
    if (rc == 0 && *out && !cJSON_IsObject(*out)) {
        rc = h2g_fail(err, CARD ": front matter is %s, not a mapping of keys to values",
                      kind_of(*out));
        cJSON_Delete(*out);
        *out = NULL;
    }
    return rc;
}

/* Adds to err's message that the front matter ran to the end of the file. */
static void note_unclosed(h2g_error *err) {
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof err->msg - n,
             " (the front matter has no closing '---' line, so all of README.md was read "
             "as YAML, as llama.cpp's converter does)");
}

/* See model_card.h. */
int h2g_model_card_parse(const char *text, size_t len, cJSON **out, h2g_error *err) {
    *out = NULL;
    char *yaml;
    size_t yaml_len = 0;
    bool closed;
    if (!text) return 0;
    if (front_matter(text, len, &yaml, &yaml_len, &closed) != 0)
        return h2g_fail(err, CARD ": out of memory for a copy of its %zu bytes", len);
    if (!yaml) return 0;
    int rc = parse_yaml(yaml, yaml_len, out, err);
    free(yaml);
    if (rc != 0 && !closed) note_unclosed(err);
    return rc;
}
