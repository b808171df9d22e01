/* report.c - plans and progress, for people and for scripts (see report.h). */
#include "cli/report.h"
#include "cli/text.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Shapes and names
 * ------------------------------------------------------------------------- */


static const char *plan_arch(const h2g_plan *p) {
    const char *arch = "?";
    h2g_kv_get_str(&p->kv, "general.architecture", &arch);
    return arch;
}

/* ---------------------------------------------------------------------------
 * Text (--dry-run)
 * ------------------------------------------------------------------------- */

/* "bf16", or "Q4_K_M (llama-quantize of bf16)" for a quantized plan. */
static void type_label(const h2g_plan *p, char *buf, size_t size) {
    if (p->ftype)
        snprintf(buf, size, "%s (llama-quantize of %s)", p->ftype->name,
                 p->type_label ? p->type_label : h2g_outtype_name(p->outtype));
    else
        snprintf(buf, size, "%s", p->type_label ? p->type_label : h2g_outtype_name(p->outtype));
}

void h2g_report_plan_text(FILE *out, const h2g_plan *p, const char *path) {
    char type[64];
    type_label(p, type, sizeof type);
    fprintf(out, "%s: %s, arch %s, %s %s, %zu KV pairs, %zu tensors, %" PRIu64 " bytes\n",
            cli_esc(path), p->role, cli_esc(plan_arch(p)),
            p->ftype ? "quantize" : p->type_label ? "file type" : "outtype", type, p->kv.n,
            p->n_tensors, p->data_offset + p->data_size);
    for (size_t i = 0; i < p->n_tensors; i++) {
        const h2g_plan_tensor *t = &p->tensors[i];
        char shape[96];
        h2g_tensor_shape_str(&t->info, shape, sizeof shape);
        fprintf(out, "  %-34s %-5s %-20s %-8s %s", cli_esc(t->info.name),
                h2g_ggml_type_name(t->info.type), shape, h2g_transform_name(t->transform),
                cli_esc(t->src[0].tensor->name));
        if (t->n_src > 1) fprintf(out, " (+%zu more)", t->n_src - 1);
        fputc('\n', out);
    }
}

/* ---------------------------------------------------------------------------
 * JSON (--json)
 * ------------------------------------------------------------------------- */

static cJSON *tensor_json(const h2g_plan_tensor *t) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", t->info.name);
    cJSON_AddStringToObject(o, "type", h2g_ggml_type_name(t->info.type));
    if (t->quantized) /* what llama-quantize reads it as */
        cJSON_AddStringToObject(o, "intermediate_type", h2g_ggml_type_name(t->via_type));
    cJSON *shape = cJSON_AddArrayToObject(o, "shape");
    for (uint32_t d = 0; d < t->info.n_dims; d++)
        cJSON_AddItemToArray(shape, cJSON_CreateNumber((double)t->info.ne[d]));
    cJSON_AddStringToObject(o, "transform", h2g_transform_name(t->transform));
    cJSON_AddNumberToObject(o, "offset", (double)t->info.offset);
    cJSON_AddNumberToObject(o, "bytes", (double)t->info.nbytes);
    cJSON *src = cJSON_AddArrayToObject(o, "sources");
    for (size_t s = 0; s < t->n_src; s++)
        cJSON_AddItemToArray(src, cJSON_CreateString(t->src[s].tensor->name));
    return o;
}

cJSON *h2g_report_plan_json(const h2g_plan *p, const char *path, bool with_tensors) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "role", p->role);
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "architecture", plan_arch(p));
    const char *layout = h2g_gguf_which_layout(&p->kv);
    cJSON_AddStringToObject(o, "layout", layout ? layout : "llama.cpp");
    cJSON_AddStringToObject(o, "outtype", h2g_outtype_name(p->outtype));
    if (p->ftype) cJSON_AddStringToObject(o, "quantize", p->ftype->name);
    uint32_t file_type = h2g_outtype_file_type(p->outtype);
    h2g_kv_get_u32(&p->kv, "general.file_type", &file_type); /* what the file says */
    cJSON_AddNumberToObject(o, "file_type", p->ftype ? p->ftype->id : file_type);
    /* set when the architecture fixes the types whatever the outtype */
    if (p->type_label) cJSON_AddStringToObject(o, "file_type_name", p->type_label);
    cJSON_AddNumberToObject(o, "n_kv", (double)p->kv.n);
    cJSON_AddNumberToObject(o, "n_tensors", (double)p->n_tensors);
    cJSON_AddNumberToObject(o, "bytes", (double)(p->data_offset + p->data_size));
    cJSON_AddNumberToObject(o, "source_bytes", (double)h2g_plan_source_bytes(p));
    if (with_tensors) {
        cJSON *ts = cJSON_AddArrayToObject(o, "tensors");
        for (size_t i = 0; i < p->n_tensors; i++)
            cJSON_AddItemToArray(ts, tensor_json(&p->tensors[i]));
    }
    return o;
}

/* ---------------------------------------------------------------------------
 * Progress
 * ------------------------------------------------------------------------- */

void h2g_format_hms(double seconds, char *buf, size_t cap) {
    if (!(seconds >= 0) || seconds > 1e7) {
        snprintf(buf, cap, "-:--:--");
        return;
    }
    /* 32 bits: at most 1e7 here, and a bound the compiler can see too
     * (with unsigned long it must allow for 16-digit hours). */
    uint32_t s = (uint32_t)(seconds + 0.5);
    int n = snprintf(buf, cap, "%" PRIu32 ":%02" PRIu32 ":%02" PRIu32, s / 3600, s / 60 % 60,
                     s % 60);
    if (n < 0 || (size_t)n >= cap) snprintf(buf, cap, "-:--:--"); /* never a cut time */
}

void h2g_format_bytes(uint64_t bytes, char *buf, size_t cap) {
    if (bytes >= 1000000000ull)
        snprintf(buf, cap, "%.2f GB", (double)bytes / 1e9);
    else
        snprintf(buf, cap, "%.1f MB", (double)bytes / 1e6);
}

/* Adds a sample and returns the rate in bytes/s over the samples of the
 * last H2G_RATE_WINDOW seconds; until they span a second, the average
 * since the start. */
static double windowed_rate(h2g_progress_view *v, const h2g_progress *p) {
    if (v->count == H2G_RATE_SAMPLES) { /* full: forget the oldest */
        v->first = (v->first + 1) % H2G_RATE_SAMPLES;
        v->count--;
    }
    size_t last = (v->first + v->count) % H2G_RATE_SAMPLES;
    v->t[last] = p->seconds;
    v->bytes[last] = p->bytes_done;
    v->count++;
    while (v->count > 1 && p->seconds - v->t[v->first] > H2G_RATE_WINDOW) {
        v->first = (v->first + 1) % H2G_RATE_SAMPLES;
        v->count--;
    }
    double span = p->seconds - v->t[v->first];
    if (span >= 1.0) return (double)(p->bytes_done - v->bytes[v->first]) / span;
    return p->seconds > 0 ? (double)p->bytes_done / p->seconds : 0;
}

/* Time left for `left` bytes at `rate`, as h:mm:ss. */
static void eta(uint64_t left, double rate, char *buf, size_t cap) {
    h2g_format_hms(left == 0 ? 0 : rate > 0 ? (double)left / rate : -1, buf, cap);
}

/* What the progress line left on the terminal: its length, 0 when the
 * cursor is at the start of a clean line (issue 14, item 15). */
static size_t progress_left;

/* The terminal's width (COLUMNS when the ioctl cannot say; else 80). */
static int terminal_width(void) {
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    int n = cols ? atoi(cols) : 0;
    return n > 0 ? n : 80;
}

void h2g_progress_render(FILE *f, int width, h2g_progress_view *v, const h2g_progress *p) {
    double rate = windowed_rate(v, p);
    int pct = p->bytes_total ? (int)(100.0 * (double)p->bytes_done / (double)p->bytes_total) : 100;
    char done[32], total[32], all_eta[H2G_HMS_SIZE], file_eta[H2G_HMS_SIZE], line[256];
    h2g_format_bytes(p->bytes_done, done, sizeof done);
    h2g_format_bytes(p->bytes_total, total, sizeof total);
    eta(p->bytes_total - p->bytes_done, rate, all_eta, sizeof all_eta);
    int n = snprintf(line, sizeof line, "[%3d%%] %s/%s  %.0f MB/s  ETA %s  tensors %zu/%zu", pct,
                     done, total, rate / 1e6, all_eta, p->tensors_done, p->tensors_total);
    if (p->n_files > 1 && n > 0 && (size_t)n < sizeof line) {
        eta(p->file_bytes_total - p->file_bytes_done, rate, file_eta, sizeof file_eta);
        snprintf(line + n, sizeof line - (size_t)n, "  file %zu/%zu ETA %s", p->file + 1,
                 p->n_files, file_eta);
    }
    /* Never wider than the terminal (a wrapped line leaves a stale row that
     * \r cannot reach), and padded over what the last line left. */
    size_t len = strlen(line), room = width > 1 ? (size_t)width - 1 : 1;
    if (len > room) line[len = room] = '\0';
    fprintf(f, "\r%s%*s", line, progress_left > len ? (int)(progress_left - len) : 0, "");
    progress_left = len;
    if (p->bytes_done >= p->bytes_total) {
        fputc('\n', f);
        progress_left = 0;
    }
    fflush(f);
}

void h2g_progress_clear(FILE *f) {
    if (!progress_left) return;
    fprintf(f, "\r%*s\r", (int)progress_left, "");
    progress_left = 0;
    fflush(f);
}

void h2g_report_progress(void *ctx, const h2g_progress *p) {
    h2g_progress_view scratch = {0}, *v = ctx ? ctx : &scratch;
    h2g_progress_render(stderr, terminal_width(), v, p);
}
