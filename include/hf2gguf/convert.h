/*
 * hf2gguf/convert.h - from a checkout to plans, the library's front door.
 *
 *     h2g_checkout co;  h2g_plan plans[H2G_MAX_OUTPUTS];  size_t n;
 *     h2g_checkout_open(&co, dir, &err);
 *     h2g_convert_plan(&co, &opts, plans, &n, &err);   // laid out, ready
 *     h2g_execute(&co, plans, paths, n, &exec_opts, &err);   // executor.h
 *
 * The architecture is chosen from config.json's architectures[0]; each
 * architecture module (src/arch/) knows how to plan its outputs.
 */
#ifndef HF2GGUF_CONVERT_H
#define HF2GGUF_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "hf2gguf/checkout.h"
#include "hf2gguf/error.h"
#include "hf2gguf/plan.h"
#include "hf2gguf/plan_options.h"

#define H2G_MAX_OUTPUTS 2

/* Plans the requested outputs (model first, then mmproj), each laid out.
 * On error no plan is left allocated. */
int h2g_convert_plan(const h2g_checkout *co, const h2g_convert_options *o, h2g_plan *plans,
                     size_t *n_plans, h2g_error *err);

/* Checks a plan, before anything is written, with the rules `hf2gguf
 * verify` applies to files (verify.h: the same code), and that config.json's
 * num_hidden_layers keeps every layer the checkout has. rep (zeroed here;
 * free with h2g_verify_report_free) gets one line per problem, naming the
 * tensor and its source tensor, and the config.json keys behind the GGUF
 * keys involved with their values. Architectures verify has no rules for
 * give no problems (rep->arch_known false). -1 only when out of memory. */
struct h2g_verify_report;
int h2g_convert_check_plan(const h2g_checkout *co, const h2g_plan *p,
                           struct h2g_verify_report *rep, h2g_error *err);

/* Whether the checkout's architecture has a vision projector (mmproj). */
bool h2g_convert_has_mmproj(const h2g_checkout *co);

/* Names of the supported HF architectures, NULL-terminated. */
const char *const *h2g_supported_architectures(void);

/* One supported architecture, described for people (README's "Supported
 * checkouts" table and `hf2gguf convert --list-architectures`). */
typedef struct h2g_arch_info {
    const char *hf_name;   /* config.json architectures[0] */
    const char *gguf_arch; /* the output's general.architecture (and its mmproj's) */
    const char *models;    /* the real checkouts of this class */
    const char *formats;   /* the source formats they come in */
} h2g_arch_info;

/* The supported architectures in the registry's order; *n gets their count. */
const h2g_arch_info *h2g_architectures(size_t *n);

#endif
