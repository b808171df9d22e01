/* report.h - what the convert command tells people and scripts: the plan as
 * text (--dry-run), as JSON (--json), and the progress line. */
#ifndef HF2GGUF_CLI_REPORT_H
#define HF2GGUF_CLI_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "hf2gguf/executor.h"
#include "hf2gguf/plan.h"

/* Prints a plan for people: output path, type, KV count, then one line per
 * tensor (name, type, shape, transform, sources). */
void h2g_report_plan_text(FILE *out, const h2g_plan *p, const char *path);

/* One output as a JSON object; with_tensors adds the tensor table. */
cJSON *h2g_report_plan_json(const h2g_plan *p, const char *path, bool with_tensors);

/* Progress callback: a single refreshing line on stderr. */
void h2g_report_progress(void *ctx, const h2g_progress *p);

#endif
