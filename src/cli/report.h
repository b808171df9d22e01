/* report.h - what the convert command tells people and scripts: the plan as
 * text (--dry-run), as JSON (--json), and the progress line. */
#ifndef HF2GGUF_CLI_REPORT_H
#define HF2GGUF_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "hf2gguf/executor.h"
#include "hf2gguf/plan.h"

/* Prints a plan for people: output path, type, KV count, then one line per
 * tensor (name, type, shape, transform, sources). */
void h2g_report_plan_text(FILE *out, const h2g_plan *p, const char *path);

/* One output as a JSON object; with_tensors adds the tensor table. */
cJSON *h2g_report_plan_json(const h2g_plan *p, const char *path, bool with_tensors);

/* What the progress line keeps between calls: the last samples of (seconds,
 * bytes done), for a rate over a sliding window rather than since the
 * start (which a slow first minute, or a busy machine, would skew for
 * hours). Zero-initialise it. */
#define H2G_RATE_SAMPLES 64
#define H2G_RATE_WINDOW 10.0 /* seconds */
typedef struct h2g_progress_view {
    double t[H2G_RATE_SAMPLES];
    uint64_t bytes[H2G_RATE_SAMPLES];
    size_t first, count;
} h2g_progress_view;

/* Progress callback: a single refreshing line on stderr with the rate over
 * the last H2G_RATE_WINDOW seconds and the estimated time left (h:mm:ss),
 * for the file being written (when there are several) and for all. ctx: an
 * h2g_progress_view. */
void h2g_report_progress(void *ctx, const h2g_progress *p);

/* Draws the progress line on f for a terminal `width` columns wide: cut to
 * width - 1, padded over the line before it, ended by a newline at 100%. */
void h2g_progress_render(FILE *f, int width, h2g_progress_view *v, const h2g_progress *p);

/* Wipes a progress line left unfinished on f, so that what is printed next
 * (an error, a warning) starts on a clean line. */
void h2g_progress_clear(FILE *f);

/* Room for any text of h2g_format_hms and its NUL. Times past 1e7 s are
 * absurd and shown as "-:--:--", so the longest is "2777:46:40"; 16 also
 * holds what the compiler takes for the worst case (hours of a uint32_t
 * count of seconds: "1193046:28:15"). */
#define H2G_HMS_SIZE 16

/* seconds as h:mm:ss ("-:--:--" when unknown or absurd, or when the time
 * does not fit in cap: give it H2G_HMS_SIZE). */
void h2g_format_hms(double seconds, char *buf, size_t cap);

/* Bytes as "123.4 MB" or "12.34 GB" (decimal units). */
void h2g_format_bytes(uint64_t bytes, char *buf, size_t cap);

#endif
