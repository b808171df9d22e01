/* cmd_convert.c - `hf2gguf convert`: arguments, output names, and the
 * read -> plan -> stream sequence. */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/text.h"
#include "cli/paths.h"
#include "cli/report.h"
#include "cli/space.h"
#include "cli/target.h"
#include "hf2gguf/checkout.h"
#include "hf2gguf/convert.h"
#include "hf2gguf/executor.h"
#include "hf2gguf/ftype.h"
#include "hf2gguf/general.h"
#include "hf2gguf/hf_cache.h"
#include "hf2gguf/split.h"
#include "hf2gguf/verify.h"
#include "hf2gguf/vocab.h"

/* vocab.h's h2g_known_pretokenizers, spelled out for the help text (the
 * test of --help checks that each is accepted). */
#define PRE_TOKENIZERS_1 "deepseek-llm, deepseek-coder, deepseek-v3,"
#define PRE_TOKENIZERS_2 "kimi-k2, llama-bpe, qwen2, default, joyai-llm"
#define PRE_TOKENIZERS PRE_TOKENIZERS_1 " " PRE_TOKENIZERS_2

static const char usage[] =
    "usage: hf2gguf convert MODEL_DIR [options]\n"
    "       hf2gguf convert MODEL_DIR... --outdir DIR [options]\n"
    "\n"
    "Converts the HuggingFace checkout in MODEL_DIR (config.json, *.safetensors,\n"
    "tokenizer files) to a GGUF file, byte for byte what llama.cpp's\n"
    "convert_hf_to_gguf.py writes. Supported: DeepseekV2ForCausalLM,\n"
    "DeepseekV3ForCausalLM (bf16/f16/f32 or fp8 block-quantized sources),\n"
    "DeepseekOCRForCausalLM and DeepseekOCR2ForCausalLM (text model, and with\n"
    "--mmproj the vision projector too, both from one pass over the shards).\n"
    "\n"
    "MODEL_DIR may also be a model id, ORG/NAME, found in the local Hugging Face\n"
    "cache as huggingface_hub finds it ($HF_HUB_CACHE, else $HF_HOME/hub, else\n"
    "$XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub): the snapshot\n"
    "refs/main (or --revision) points at. Nothing is downloaded. The model is\n"
    "named after NAME, also when a snapshot folder is given as MODEL_DIR.\n"
    "\n"
    "MODEL_DIR may also be an archive of a checkout (.tar, .tar.gz, .tar.zst,\n"
    ".tar.xz, .tar.bz2, .zip), with or without one top folder; it is not\n"
    "unpacked. Uncompressed tar and stored zip entries are read in place.\n"
    "Compressed shards are unpacked one at a time into a temporary file beside\n"
    "the output (deleted at once, so nothing is ever left behind): that needs\n"
    "free space for the largest shard, and the archive is read twice.\n"
    "Links and names outside the archive (absolute, '..') are refused.\n"
    "\n"
    "options:\n"
    "  --outfile PATH       where to write; a directory puts the default name there;\n"
    "                       - writes to standard output (all cores, one writer in\n"
    "                       file order).\n"
    "                       Default: the reference converter's name (e.g.\n"
    "                       DeepSeek-256x20B-V3-BF16.gguf) in the current directory\n"
    "  --outtype TYPE       f32, f16, bf16, q8_0 or auto (default auto: bf16 for bf16\n"
    "                       and fp8 sources, f16 otherwise). Norms, routers and\n"
    "                       biases stay f32; q8_0 rows not a multiple of 32 are f16\n"
    "  --quantize TYPE      quantize as llama-quantize does, in the same pass: the\n"
    "                       file is exactly what convert_hf_to_gguf.py --outtype\n"
    "                       auto followed by llama-quantize X.gguf Y.gguf TYPE\n"
    "                       writes (no importance matrix). TYPE (any case): Q4_0,\n"
    "                       Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q2_K_S, Q3_K_S, Q3_K_M,\n"
    "                       Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, IQ4_NL,\n"
    "                       IQ4_XS, TQ1_0, TQ2_0, MXFP4_MOE (Q3_K, Q4_K, Q5_K mean\n"
    "                       the _M mixes). Q2_K_S needs an importance matrix and is\n"
    "                       refused where llama-quantize refuses it (real models).\n"
    "                       --outtype f16/bf16/f32 picks the file\n"
    "                       llama-quantize would read (default auto). The mmproj,\n"
    "                       which llama-quantize refuses, is written as --outtype\n"
    "                       says. Default name: ...-Q4_K_M.gguf\n"
    "  --layout NAME        llama.cpp (default) or ollama: one file as Ollama's own\n"
    "                       converter writes it (DeepSeek-V2/V3: its key set, kv_b\n"
    "                       unsplit; DeepSeek-OCR: text, CLIP, SAM and projector\n"
    "                       together). Each tensor's type is fixed as Ollama does\n"
    "                       (BF16 weights, F16 vision, F32 norms), so --outtype\n"
    "                       stays auto; --mmproj does not apply\n"
    "  --mmproj[=PATH]      DeepSeek-OCR: also write the vision projector, to PATH\n"
    "                       (also accepted as --mmproj PATH.gguf) or to the\n"
    "                       reference's name (mmproj-DeepSeek-OCR-BF16.gguf) beside\n"
    "                       the text model\n"
    "  --mmproj-only        write only the vision projector (to --outfile if given)\n"
    "  --outdir DIR         write into DIR (created with its parents if missing)\n"
    "                       under the default names; with several MODEL_DIRs (a\n"
    "                       batch, which needs --outdir) each is\n"
    "                       converted in turn, failures do not stop the others, and\n"
    "                       --json prints one JSON object per line and checkout\n"
    "  --vocab-only         write the metadata and tokenizer only, no tensors\n"
    "  --split-max-size N   split the output into files of at most N bytes of tensors\n"
    "                       (K/M/G/T are decimal: 50G = 50e9), named\n"
    "                       NAME-00001-of-00003.gguf, as llama.cpp's gguf-split\n"
    "  --split-max-tensors N  split the output into files of at most N tensors\n"
    "  --no-tensor-first-split  with splitting: the first file holds metadata only\n"
    "  --dry-run            print what would be written (every tensor) and stop; an\n"
    "                       existing output is noted, not an error\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  --force              overwrite an existing output file (a link: its target)\n"
    "  --revision REV       with ORG/NAME: the branch, tag or commit hash to convert\n"
    "                       (default main)\n"
    "  --model-name NAME    general.name (and the default file name, when the model\n"
    "                       card gives no basename), as the reference's --model-name\n"
    "  --metadata FILE      a JSON object of general.* keys whose values replace the\n"
    "                       derived ones (general.name, .author, .version, .license.name,\n"
    "                       .url, .tags, .base_models, .sampling.top_k, ...; null drops\n"
    "                       one), as the reference's --metadata\n"
    "  --no-verify          write even when the plan breaks the rules `hf2gguf verify`\n"
    "                       checks (config.json disagreeing with the tensors: sizes,\n"
    "                       head and expert counts, layers); each problem becomes a\n"
    "                       warning. By default such a conversion is refused\n"
    "  --no-space-check     write even when the output's file system has less free\n"
    "                       space than the planned size (checked before writing;\n"
    "                       a compressed archive's largest shard counts too)\n"
    "  --tokenizer-pre NAME use NAME as tokenizer.ggml.pre instead of recognising it;\n"
    "                       one of the names llama.cpp knows:\n"
    "                       " PRE_TOKENIZERS_1 "\n"
    "                       " PRE_TOKENIZERS_2 "\n"
    "  --json               print a JSON report of what was (or would be) written on\n"
    "                       stdout\n"
    "  --quiet              no progress, summary, notes or warnings on stderr (errors\n"
    "                       still print; --json lists the warnings)\n"
    "  --list-architectures print the supported checkouts (architecture class, GGUF\n"
    "                       arch, real models, source formats) and stop\n"
    "  --help               this help\n"
    "\n"
    "The output is written to a new file PATH.XXXXXX.tmp and renamed to PATH when\n"
    "complete; on error nothing is left behind. An existing PATH is refused unless\n"
    "--force, also when it appears during the run (another run's: never mixed).\n"
    "A symbolic link is followed: the file it points to is written (a link to\n"
    "nothing is refused). Devices, FIFOs and sockets are refused even with --force\n"
    "(use --outfile - > PATH). Paths inside the checkout, its files and its archive\n"
    "are refused. Exit status: 0 success, 1 conversion or input error, 2 usage\n"
    "error.\n"
    "\n"
    "example:\n"
    "  hf2gguf convert ~/models/DeepSeek-V3 --outtype bf16 --outfile v3.gguf\n";

typedef struct args {
    h2g_split_options split;
    char **model_dirs; /* one or more (batch) */
    int n_dirs;
    const char *outdir;
    const char *model_dir; /* the one being converted */
    const char *outfile;
    const char *mmproj_path;
    const char *revision;   /* --revision, for ORG/NAME from the HF cache */
    const char *model_name; /* --model-name */
    const char *metadata;   /* --metadata FILE */
    bool mmproj, mmproj_only;
    h2g_convert_options conv;
    int threads;
    bool dry_run, force, json, quiet;
    bool no_space_check, no_verify;
} args;

/* ---------------------------------------------------------------------------
 * Arguments
 * ------------------------------------------------------------------------- */


/* --quantize with options it cannot go with; -1 with *status set. */
static int check_quantize_args(const args *a, int *status) {
    const char *why = NULL;
    if (a->conv.layout == H2G_LAYOUT_OLLAMA)
        why = "--quantize cannot be combined with --layout ollama: it makes llama-quantize's "
              "file; for Ollama, convert with --layout ollama and run ollama create --quantize";
    else if (a->conv.outtype == H2G_OUT_Q8_0)
        why = "--quantize cannot be combined with --outtype q8_0: llama-quantize reads the "
              "converter's f16, bf16 or f32 file (--outtype picks which; default auto). For "
              "llama-quantize's Q8_0 use --quantize Q8_0";
    else if (a->conv.vocab_only)
        why = "--quantize cannot be combined with --vocab-only: there are no tensors to quantize";
    else if (a->mmproj_only)
        why = "--quantize cannot be combined with --mmproj-only: llama-quantize does not "
              "quantize the vision projector (clip files)";
    if (!why) return 0;
    *status = h2g_usage_error("convert", "%s", why);
    return -1;
}

/* A whole number from 1 to max, digits only: no sign, no overflow. */
static bool parse_count(const char *s, unsigned long long max, unsigned long long *out) {
    unsigned long long v = 0;
    if (!*s) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return v >= 1;
}

/* The usage error for an option getopt refused (optopt: the short option
 * character, the long option's code, or 0 for an unknown long option). */
static int option_error(char **argv) {
    if (optopt >= 256) /* a long option known but given no value */
        return h2g_usage_error("convert", "option '%s' needs a value", argv[optind - 1]);
    if (optopt > 0) /* a short one, perhaps inside a group like -xq */
        return h2g_usage_error("convert", "unknown option '-%c'", optopt);
    return h2g_usage_error("convert", "unknown or ambiguous option '%s'", argv[optind - 1]);
}

/* Whether arg (a pointer into the original argv) came after "--". */
static bool after_dashes(char *const *orig, int argc, const char *arg) {
    bool seen = false;
    for (int i = 1; i < argc; i++) {
        if (seen && orig[i] == arg) return true;
        if (!strcmp(orig[i], "--")) seen = true;
    }
    return false;
}

static int parse_options(int argc, char **argv, args *a, int *status);
static int check_positionals(int argc, char **argv, char *const *orig, args *a, int *status);
static int check_combinations(args *a, int *status);

/* Parses argv into a; returns -1 when the command should stop with *status. */
static int parse_args(int argc, char **argv, args *a, int *status) {
    h2g_convert_options_init(&a->conv);
    char **orig = malloc(((size_t)argc + 1) * sizeof *orig); /* getopt permutes argv */
    if (!orig) {
        fputs("hf2gguf: error: out of memory for a copy of the command line's arguments\n", stderr);
        *status = H2G_EXIT_ERROR;
        return -1;
    }
    memcpy(orig, argv, ((size_t)argc + 1) * sizeof *orig);
    int rc = parse_options(argc, argv, a, status);
    if (rc == 0) rc = check_positionals(argc, argv, orig, a, status);
    free(orig);
    if (rc == 0) rc = check_combinations(a, status);
    return rc;
}

/* The options, up to the first positional argument (getopt's order). */
static int parse_options(int argc, char **argv, args *a, int *status) {
    enum { O_OUTFILE = 256, O_OUTTYPE, O_VOCAB, O_DRY, O_THREADS, O_FORCE, O_PRE, O_JSON,
           O_QUIET, O_HELP, O_MMPROJ, O_MMPROJ_ONLY, O_SPLIT_SIZE, O_SPLIT_TENSORS,
           O_NO_TENSOR_FIRST, O_OUTDIR, O_LAYOUT, O_QUANTIZE, O_REVISION, O_MODEL_NAME, O_METADATA, O_LIST_ARCHS, O_NO_SPACE_CHECK, O_NO_VERIFY };
    static const struct option opts[] = {
        {"outfile", required_argument, NULL, O_OUTFILE},
        {"outdir", required_argument, NULL, O_OUTDIR},
        {"outtype", required_argument, NULL, O_OUTTYPE},
        {"layout", required_argument, NULL, O_LAYOUT},
        {"quantize", required_argument, NULL, O_QUANTIZE},
        {"vocab-only", no_argument, NULL, O_VOCAB},
        {"mmproj", optional_argument, NULL, O_MMPROJ},
        {"mmproj-only", no_argument, NULL, O_MMPROJ_ONLY},
        {"split-max-size", required_argument, NULL, O_SPLIT_SIZE},
        {"split-max-tensors", required_argument, NULL, O_SPLIT_TENSORS},
        {"no-tensor-first-split", no_argument, NULL, O_NO_TENSOR_FIRST},
        {"dry-run", no_argument, NULL, O_DRY},
        {"threads", required_argument, NULL, O_THREADS},
        {"force", no_argument, NULL, O_FORCE},
        {"no-space-check", no_argument, NULL, O_NO_SPACE_CHECK},
        {"no-verify", no_argument, NULL, O_NO_VERIFY},
        {"tokenizer-pre", required_argument, NULL, O_PRE},
        {"revision", required_argument, NULL, O_REVISION},
        {"model-name", required_argument, NULL, O_MODEL_NAME},
        {"metadata", required_argument, NULL, O_METADATA},
        {"json", no_argument, NULL, O_JSON},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},
        {"list-architectures", no_argument, NULL, O_LIST_ARCHS},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        unsigned long long n;
        switch (c) {
        case O_OUTFILE: a->outfile = optarg; break;
        case O_OUTDIR: a->outdir = optarg; break;
        case O_OUTTYPE:
            if (!h2g_outtype_parse(optarg, &a->conv.outtype)) {
                *status = h2g_usage_error("convert", "--outtype '%s' is not one of f32, f16, bf16, q8_0, auto",
                                      optarg);
                return -1;
            }
            break;
        case O_LAYOUT:
            if (!h2g_layout_parse(optarg, &a->conv.layout)) {
                *status = h2g_usage_error("convert", "--layout '%s' is not one of llama.cpp, ollama",
                                          optarg);
                return -1;
            }
            break;
        case O_QUANTIZE:
            if (!(a->conv.quantize = h2g_ftype_find(optarg))) {
                *status = h2g_usage_error("convert", "--quantize '%s' is not one of Q4_0, Q4_1, "
                                          "Q5_0, Q5_1, Q8_0, Q2_K, Q2_K_S, Q3_K_S, Q3_K_M, "
                                          "Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, IQ4_NL, "
                                          "IQ4_XS, TQ1_0, TQ2_0, MXFP4_MOE", optarg);
                return -1;
            }
            break;
        case O_VOCAB: a->conv.vocab_only = true; break;
        case O_MMPROJ:
            a->mmproj = true;
            a->mmproj_path = optarg;
            break;
        case O_MMPROJ_ONLY: a->mmproj_only = true; break;
        case O_SPLIT_SIZE:
            if (!h2g_parse_size(optarg, &a->split.max_bytes)) {
                *status = h2g_usage_error("convert", "--split-max-size '%s' must be a size like 50G, 500M or "
                                      "a byte count", optarg);
                return -1;
            }
            break;
        case O_SPLIT_TENSORS:
            if (!parse_count(optarg, SIZE_MAX, &n)) {
                *status = h2g_usage_error("convert", "--split-max-tensors '%s' must be a whole "
                                          "number from 1 to %zu", optarg, (size_t)SIZE_MAX);
                return -1;
            }
            a->split.max_tensors = (size_t)n;
            break;
        case O_NO_TENSOR_FIRST: a->split.no_tensor_first = true; break;
        case O_DRY: a->dry_run = true; break;
        case O_THREADS:
            if (!parse_count(optarg, 1024, &n)) {
                *status = h2g_usage_error("convert", "--threads '%s' must be a number from 1 to 1024", optarg);
                return -1;
            }
            a->threads = (int)n;
            break;
        case O_FORCE: a->force = true; break;
        case O_NO_SPACE_CHECK: a->no_space_check = true; break;
        case O_NO_VERIFY: a->no_verify = true; break;
        case O_PRE:
            if (!h2g_vocab_pre_is_known(optarg)) {
                *status = h2g_usage_error("convert", "--tokenizer-pre '%s' is not a "
                                          "pre-tokenizer llama.cpp knows (%s)", optarg,
                                          PRE_TOKENIZERS);
                return -1;
            }
            a->conv.tokenizer_pre = optarg;
            break;
        case O_REVISION: a->revision = optarg; break;
        case O_MODEL_NAME:
            if (!*optarg) {
                *status = h2g_usage_error("convert", "%s", "--model-name needs a name");
                return -1;
            }
            a->model_name = optarg;
            break;
        case O_METADATA: a->metadata = optarg; break;
        case O_JSON: a->json = true; break;
        case O_QUIET: a->quiet = true; break;
        case 'h':
        case O_HELP:
            fputs(usage, stdout);
            *status = H2G_EXIT_OK;
            return -1;
        case O_LIST_ARCHS: /* needs no MODEL_DIR, like --help */
            h2g_print_architectures(stdout);
            *status = H2G_EXIT_OK;
            return -1;
        default:
            *status = option_error(argv);
            return -1;
        }
    }
    return 0;
}

/* MODEL_DIR, or several with --outdir. */
static int check_positionals(int argc, char **argv, char *const *orig, args *a, int *status) {
    if (optind >= argc) {
        *status = h2g_usage_error("convert", "%s", "convert needs a MODEL_DIR");
        return -1;
    }
    a->model_dirs = argv + optind;
    a->n_dirs = argc - optind;
    if (a->n_dirs > 1 && a->outfile) {
        *status = h2g_usage_error("convert", "%s", "several MODEL_DIRs take --outdir DIR, not --outfile");
        return -1;
    }
    if (a->n_dirs > 1 && a->model_name) {
        *status = h2g_usage_error("convert", "%s", "--model-name names one model, not several "
                                  "MODEL_DIRs");
        return -1;
    }
    if (a->n_dirs > 1 && !a->outdir) {
        const char *second = a->model_dirs[1];
        if (after_dashes(orig, argc, second) && second[0] == '-')
            *status = h2g_usage_error("convert", "unexpected second argument '%s' after '--' "
                                      "(what follows '--' is taken as MODEL_DIRs, not as "
                                      "options); several checkouts need --outdir DIR", second);
        else
            *status = h2g_usage_error("convert", "unexpected second argument '%s': to name the "
                                      "output use --outfile %s; to convert several checkouts, "
                                      "add --outdir DIR", second, second);
        return -1;
    }
    return 0;
}

/* Options that cannot go together, and --outfile - at a terminal. */
static int check_combinations(args *a, int *status) {
    if (a->outfile && !strcmp(a->outfile, "-") && !a->dry_run && isatty(STDOUT_FILENO)) {
        *status = h2g_usage_error("convert", "%s", "--outfile - writes binary GGUF data to "
                                  "standard output, which is a terminal; redirect it (> FILE, "
                                  "| CMD)");
        return -1;
    }
    if (a->outdir && a->outfile) {
        *status = h2g_usage_error("convert", "%s", "--outdir and --outfile cannot be combined");
        return -1;
    }
    a->conv.want_mmproj = a->mmproj || a->mmproj_only;
    a->conv.want_model = !a->mmproj_only;
    if (a->outfile && !strcmp(a->outfile, "-") && h2g_split_wanted(&a->split)) {
        *status = h2g_usage_error("convert", "%s", "--outfile - cannot be split into several files");
        return -1;
    }
    if (a->conv.vocab_only && h2g_split_wanted(&a->split)) {
        *status = h2g_usage_error("convert", "%s", "--vocab-only output cannot be split");
        return -1;
    }
    if (a->outfile && !strcmp(a->outfile, "-") && a->json) {
        *status = h2g_usage_error("convert", "%s", "--json cannot be combined with --outfile - (both use stdout)");
        return -1;
    }
    if (a->conv.layout == H2G_LAYOUT_OLLAMA && a->conv.want_mmproj) {
        *status = h2g_usage_error("convert", "%s", "--mmproj cannot be combined with --layout ollama: "
                                  "Ollama's layout is one file that holds the vision tensors too");
        return -1;
    }
    if (a->conv.layout == H2G_LAYOUT_OLLAMA && a->conv.outtype != H2G_OUT_AUTO) {
        *status = h2g_usage_error("convert", "--outtype %s cannot be combined with --layout ollama: "
                                  "Ollama's layout fixes each tensor's type (quantize afterwards "
                                  "with ollama create --quantize)", h2g_outtype_name(a->conv.outtype));
        return -1;
    }
    if (a->conv.layout == H2G_LAYOUT_OLLAMA && a->metadata) {
        *status = h2g_usage_error("convert", "%s", "--metadata cannot be combined with --layout "
                                  "ollama: it sets llama.cpp's general.* keys, of which Ollama's "
                                  "layout writes none");
        return -1;
    }
    if (a->conv.quantize && check_quantize_args(a, status) != 0) return -1;
    if (a->conv.want_mmproj && a->conv.vocab_only) {
        *status = h2g_usage_error("convert", "%s", "--vocab-only cannot be combined with --mmproj");
        return -1;
    }
    return 0;
}

/* Options that take a separate value ("--outfile X"). */
static bool takes_value(const char *opt) {
    static const char *const with_value[] = {"--outfile", "--outdir", "--outtype", "--layout",
                                             "--split-max-size", "--split-max-tensors",
                                             "--threads", "--tokenizer-pre", "--quantize", NULL};
    for (int i = 0; with_value[i]; i++)
        if (!strcmp(opt, with_value[i])) return true;
    return false;
}

/* Positional arguments of argv other than argv[skip] (roughly as getopt
 * will see them: option values are not counted). */
static int count_positionals(int argc, char **argv, int skip) {
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) return n + (argc - i - 1) - (skip > i);
        if (argv[i][0] == '-' && argv[i][1]) i += takes_value(argv[i]);
        else n += i != skip;
    }
    return n;
}

/* Whether the argument after "--mmproj" (at i) is its value: a PATH.gguf,
 * or a folder DIR/ when a MODEL_DIR is given elsewhere. */
static bool is_mmproj_value(int argc, char **argv, int i) {
    const char *v = argv[i];
    if (v[0] == '-') return false;
    if (cli_ends_with(v, ".gguf")) return true;
    return cli_ends_with(v, "/") && count_positionals(argc, argv, i) > 0;
}

/* Rewrites "--mmproj PATH.gguf" (or "--mmproj DIR/") as "--mmproj=...",
 * since an optional value must otherwise be attached. Returns a new argv
 * (malloc'ed). */
static char **attach_mmproj_path(int *argcp, char **argv, char ***owned) {
    int argc = *argcp;
    char **out = calloc((size_t)argc + 1, sizeof *out);
    *owned = calloc((size_t)argc + 1, sizeof **owned);
    if (!out || !*owned) {
        free(out);
        return argv;
    }
    int n = 0, k = 0;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--mmproj") && i + 1 < argc && is_mmproj_value(argc, argv, i + 1)) {
            char *joined = NULL;
            if (asprintf(&joined, "--mmproj=%s", argv[++i]) < 0) joined = NULL;
            out[n++] = (*owned)[k++] = joined;
            continue;
        }
        out[n++] = argv[i];
    }
    *argcp = n;
    return out;
}

/* ---------------------------------------------------------------------------
 * Output names
 * ------------------------------------------------------------------------- */

/* Copies the naming fields back out of a plan's general.* keys. */
static void general_from_plan(const h2g_plan *p, h2g_general *g) {
    static const struct { const char *key; size_t off; } fields[] = {
        {"general.name", offsetof(h2g_general, name)},
        {"general.basename", offsetof(h2g_general, basename)},
        {"general.finetune", offsetof(h2g_general, finetune)},
        {"general.version", offsetof(h2g_general, version)},
        {"general.size_label", offsetof(h2g_general, size_label)},
    };
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v;
        if (h2g_kv_get_str(&p->kv, fields[i].key, &v))
            *(char **)((char *)g + fields[i].off) = strdup(v);
    }
}

/* The directory default names go to: --outfile when it is a directory, the
 * directory of --outfile when it names a file, else the current one. */
static char *default_dir(const args *a) {
    if (!a->outfile) return NULL;
    if (cli_is_directory(a->outfile)) return strdup(a->outfile);
    const char *slash = strrchr(a->outfile, '/');
    return slash ? strndup(a->outfile, (size_t)(slash - a->outfile + 1)) : NULL;
}

/* The path for plan p: what the user named (--outfile, --mmproj=PATH), or
 * the reference's default name. Malloc'ed. */
static char *output_path(const args *a, const h2g_plan *p) {
    bool mmproj = !strcmp(p->role, "mmproj");
    const char *given = mmproj ? (a->mmproj_path ? a->mmproj_path : a->mmproj_only ? a->outfile : NULL)
                               : a->outfile;
    if (given && !cli_is_directory(given)) return strdup(given);
    char *name = p->default_name ? strdup(p->default_name) : NULL;
    if (!p->default_name) {
        h2g_general g;
        general_from_plan(p, &g);
        const char *kind = a->conv.vocab_only ? "vocab" : p->role;
        name = h2g_default_filename(&g, kind, p->ftype ? p->ftype->name
                                              : p->type_label ? p->type_label /* forced */
                                              : h2g_outtype_upper_name(p->outtype));
        h2g_general_free(&g);
    }
    char *dir = given ? strdup(given) : default_dir(a);
    char *path = name && dir ? cli_path_join(dir, name) : NULL;
    if (!dir) return name;
    free(name);
    free(dir);
    return path;
}

/* ---------------------------------------------------------------------------
 * The conversion
 * ------------------------------------------------------------------------- */

typedef struct run {
    h2g_checkout co;
    bool co_open;
    h2g_plan plans[H2G_MAX_OUTPUTS]; /* the outputs as planned */
    size_t n_plans;
    char *paths[H2G_MAX_OUTPUTS];
    /* The files written: the plans themselves (shallow copies) or, when
     * splitting, their parts, which are ours to free. */
    h2g_plan *files;
    char **file_paths;
    bool *file_owned;
    size_t n_files;
    bool *file_exists; /* per file: already there (--dry-run reports the clash) */
    h2g_exec_stats stats;
    bool usage_error; /* the error is the way the command was called */
} run;

static void run_free(run *r) {
    for (size_t i = 0; i < r->n_files; i++) {
        if (r->file_owned[i]) h2g_plan_free(&r->files[i]);
        free(r->file_paths[i]);
    }
    free(r->files);
    free(r->file_paths);
    free(r->file_owned);
    free(r->file_exists);
    for (size_t i = 0; i < r->n_plans; i++) {
        h2g_plan_free(&r->plans[i]);
        free(r->paths[i]);
    }
    if (r->co_open) h2g_checkout_close(&r->co);
}

/* Appends a file to write. */
static int add_file(run *r, const h2g_plan *p, char *path, bool owned, h2g_error *err) {
    size_t n = r->n_files + 1;
    h2g_plan *files = realloc(r->files, n * sizeof *files);
    if (files) r->files = files;
    char **paths = realloc(r->file_paths, n * sizeof *paths);
    if (paths) r->file_paths = paths;
    bool *owned_flags = realloc(r->file_owned, n * sizeof *owned_flags);
    if (owned_flags) r->file_owned = owned_flags;
    if (!files || !paths || !owned_flags || !path) {
        free(path);
        return h2g_fail(err, "out of memory for the list of %zu output files", n);
    }
    r->files[r->n_files] = *p;
    r->file_paths[r->n_files] = path;
    r->file_owned[r->n_files++] = owned;
    return 0;
}

/* The files of planned output i: itself, or its split parts. */
static int expand_output(const args *a, run *r, size_t i, h2g_error *err) {
    if (!h2g_split_wanted(&a->split))
        return add_file(r, &r->plans[i], strdup(r->paths[i]), false, err);
    h2g_plan *parts;
    size_t n;
    if (h2g_plan_split(&r->plans[i], &a->split, &parts, &n, err) != 0) return -1;
    int rc = 0;
    if (n == 1) { /* as the reference: nothing to split, write a plain file */
        if (!a->quiet)
            fprintf(stderr, "hf2gguf: note: %s fits in one file under the split limits; not "
                            "splitting\n", cli_esc(r->paths[i]));
        h2g_plan_free(&parts[0]);
        rc = add_file(r, &r->plans[i], strdup(r->paths[i]), false, err);
    } else {
        for (size_t k = 0; k < n; k++) {
            if (rc == 0)
                rc = add_file(r, &parts[k], h2g_split_path(r->paths[i], k, n), true, err);
            else
                h2g_plan_free(&parts[k]);
        }
    }
    free(parts);
    return rc;
}

/* Each file to write: what it really is (a link is followed; devices and
 * the like refused), never one of the checkout's own files or inside it,
 * and not an existing file unless --force (--dry-run only notes that). */
static int check_targets(const args *a, run *r, h2g_error *err) {
    r->file_exists = calloc(r->n_files ? r->n_files : 1, sizeof *r->file_exists);
    if (!r->file_exists) return h2g_fail(err, "out of memory for the list of output files");
    for (size_t i = 0; i < r->n_files; i++) {
        if (!strcmp(r->file_paths[i], "-")) continue;
        char *final;
        if (cli_output_target(r->file_paths[i], &final, &r->file_exists[i], err) != 0) return -1;
        free(r->file_paths[i]);
        r->file_paths[i] = final;
        if (h2g_checkout_guard_output(&r->co, final, err) != 0) return -1;
        if (r->file_exists[i] && !a->force && !a->dry_run)
            return h2g_fail(err, "%s already exists; pass --force to overwrite it", final);
    }
    return 0;
}

/* Names the outputs, splits them as asked, and checks what each would
 * overwrite (check_targets). */
static int choose_files(const args *a, run *r, h2g_error *err) {
    if (a->outfile && cli_ends_with(a->outfile, "/") && !cli_is_directory(a->outfile))
        return h2g_fail(err, "--outfile %s: no such directory", a->outfile);
    if (a->mmproj_path && cli_ends_with(a->mmproj_path, "/") && !cli_is_directory(a->mmproj_path))
        return h2g_fail(err, "--mmproj %s: no such directory", a->mmproj_path);
    for (size_t i = 0; i < r->n_plans; i++) {
        r->paths[i] = output_path(a, &r->plans[i]);
        if (!r->paths[i])
            return h2g_fail(err, "out of memory for the %s's output path", r->plans[i].role);
    }
    if (r->n_plans == 2 && !strcmp(r->paths[0], r->paths[1]))
        return h2g_fail(err, "the text model and the mmproj would both be written to %s",
                        r->paths[0]);
    for (size_t i = 0; i < r->n_plans; i++)
        if (expand_output(a, r, i, err) != 0) return -1;
    return check_targets(a, r, err);
}

/* Opening an archive reads it through (all of it, when compressed) with no
 * progress to show: people at a terminal are told why nothing moves yet. */
static void note_archive(const args *a) {
    struct stat st;
    if (a->quiet || a->json || !isatty(STDERR_FILENO) || stat(a->model_dir, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return;
    fprintf(stderr, "hf2gguf: indexing the archive %s (a compressed one is read through "
                    "now, and once more while converting)\n", cli_esc(a->model_dir));
}

/* --metadata FILE: a JSON object, given to the checkout. Unlike the
 * reference, which passes over a FILE that does not exist, a missing or
 * unreadable file is an error: a typo should not go unnoticed. */
static int set_metadata(const args *a, run *r, h2g_error *err) {
    cJSON *override = NULL;
    char *display = NULL;
    if (asprintf(&display, "--metadata %s", a->metadata) < 0) display = NULL;
    int rc = h2g_read_json_file(a->metadata, display ? display : a->metadata, false, &override,
                                err);
    free(display);
    if (rc == 0 && h2g_checkout_set_metadata(&r->co, override, err) != 0)
        rc = h2g_fail_prefix(err, "--metadata %s", a->metadata);
    cJSON_Delete(override);
    return rc;
}

/* Opens a->model_dir: a checkout or archive, or else a model id (ORG/NAME)
 * in the Hugging Face cache; then names the model as --model-name says. */
static int open_checkout(const args *a, run *r, h2g_error *err) {
    struct stat st;
    char *snapshot = NULL;
    if (stat(a->model_dir, &st) != 0 && h2g_hf_is_repo_id(a->model_dir)) {
        if (h2g_hf_resolve(a->model_dir, a->revision, &snapshot, err) != 0) return -1;
        if (!a->quiet && !a->json)
            fprintf(stderr, "hf2gguf: %s: the Hugging Face cache's snapshot %s\n", a->model_dir,
                    snapshot);
    } else if (a->revision) {
        r->usage_error = true;
        return h2g_fail(err, "--revision applies to a model id from the Hugging Face cache "
                             "(ORG/NAME), not to %s", a->model_dir);
    }
    int rc = h2g_checkout_open(&r->co, snapshot ? snapshot : a->model_dir, err);
    free(snapshot);
    if (rc != 0) return -1;
    r->co_open = true;
    if (a->model_name && h2g_checkout_set_model_name(&r->co, a->model_name, err) != 0) return -1;
    return a->metadata ? set_metadata(a, r, err) : 0;
}

/* Verify's rules on plan p before anything is written: a problem refuses
 * the conversion, or with --no-verify is a warning (issue 14, item 9). */
static int check_plan(const args *a, const run *r, const h2g_plan *p, h2g_error *err) {
    h2g_verify_report rep;
    if (h2g_convert_check_plan(&r->co, p, &rep, err) != 0) return -1;
    int rc = 0;
    size_t n = rep.n_problems;
    if (n && !a->no_verify) {
        char more[64] = "";
        if (n > 1) snprintf(more, sizeof more, " (and %zu more)", n - 1);
        rc = h2g_fail(err, "the %s planned from %s breaks llama.cpp's rules: %s%s; --no-verify "
                           "writes it anyway", p->role, r->co.dir, rep.problems[0], more);
    }
    for (size_t i = 0; n && a->no_verify && !a->quiet && i < n && i < 20; i++)
        fprintf(stderr, "hf2gguf: warning: the %s breaks llama.cpp's rules (--no-verify): %s\n",
                p->role, cli_esc(rep.problems[i]));
    if (n > 20 && a->no_verify && !a->quiet)
        fprintf(stderr, "hf2gguf: warning: ... and %zu more\n", n - 20);
    h2g_verify_report_free(&rep);
    return rc;
}

/* The checkout's warnings (what was skipped: see error.h), once, as soon
 * as planning is over, so they come before a long conversion's progress.
 * --quiet keeps them off stderr; --json lists them in the report either way.
 * In a batch each names its checkout. */
static void print_warnings(const args *a, const run *r) {
    const h2g_warnings *w = r->co.warnings;
    for (size_t i = 0; !a->quiet && i < w->n; i++) {
        h2g_progress_clear(stderr);
        fprintf(stderr, "hf2gguf: warning: %s%s%s\n", a->n_dirs > 1 ? cli_esc(a->model_dir) : "",
                a->n_dirs > 1 ? ": " : "", cli_esc(w->msgs[i]));
    }
    if (!a->quiet && w->dropped)
        fprintf(stderr, "hf2gguf: warning: ... and %zu more warning%s\n", w->dropped,
                w->dropped == 1 ? "" : "s");
}

static int convert(const args *a, run *r, h2g_error *err) {
    note_archive(a);
    if (open_checkout(a, r, err) != 0) return -1;
    /* Known only once the archive is open: its shards are compressed. */
    if (a->outfile && !strcmp(a->outfile, "-") && h2g_checkout_stages_shards(&r->co)) {
        r->usage_error = true;
        return h2g_fail(err, "--outfile - cannot be used with a compressed archive (%s): its "
                             "shards are unpacked one at a time and the output is written out "
                             "of order; write to a file (see hf2gguf convert --help)",
                        a->model_dir);
    }
    int planned = h2g_convert_plan(&r->co, &a->conv, r->plans, &r->n_plans, err);
    print_warnings(a, r);
    if (planned != 0) return -1;
    for (size_t i = 0; i < r->n_plans; i++)
        if (check_plan(a, r, &r->plans[i], err) != 0) return -1;
    if (choose_files(a, r, err) != 0) return -1;
    if (a->dry_run) return 0;
    if (!a->no_space_check &&
        cli_check_space(&r->co, r->files, r->file_paths, r->n_files, err) != 0)
        return -1;
    h2g_exec_options eo = {.threads = a->threads, .replace = a->force};
    h2g_progress_view view = {0};
    if (!a->quiet && !a->json && isatty(STDERR_FILENO)) {
        eo.progress = h2g_report_progress;
        eo.progress_ctx = &view;
    }
    return h2g_execute(&r->co, r->files, (const char *const *)r->file_paths, r->n_files, &eo,
                       &r->stats, err);
}

/* The most memory this process has held at once (getrusage: the high-water
 * mark of its resident set, for the whole process so far). */
static uint64_t peak_rss_bytes(void) {
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss * 1024 : 0;
}

/* --json: one object describing the run. */
static void print_json(const args *a, const run *r, const h2g_error *err, bool ok,
                       double seconds) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", ok ? "ok" : "error");
    cJSON_AddStringToObject(o, "input", a->model_dir);
    if (!ok) cJSON_AddStringToObject(o, "error", err->msg);
    cJSON_AddBoolToObject(o, "dry_run", a->dry_run);
    cJSON *warnings = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; r->co_open && i < r->co.warnings->n; i++)
        cJSON_AddItemToArray(warnings, cJSON_CreateString(r->co.warnings->msgs[i]));
    if (r->co_open && r->co.warnings->dropped) /* past H2G_WARNINGS_MAX */
        cJSON_AddNumberToObject(o, "warnings_not_listed", (double)r->co.warnings->dropped);
    cJSON *outs = cJSON_AddArrayToObject(o, "outputs");
    for (size_t i = 0; ok && i < r->n_files; i++) {
        cJSON *f = h2g_report_plan_json(&r->files[i], r->file_paths[i], a->dry_run);
        if (a->dry_run) /* the clash a real run would meet */
            cJSON_AddBoolToObject(f, "exists", r->file_exists && r->file_exists[i]);
        cJSON_AddItemToArray(outs, f);
    }
    cJSON_AddNumberToObject(o, "seconds", seconds);
    if (ok && !a->dry_run) {
        cJSON_AddNumberToObject(o, "checkout_bytes", (double)r->co.data_bytes);
        cJSON_AddNumberToObject(o, "bytes_read", (double)r->stats.bytes_read);
        cJSON_AddNumberToObject(o, "bytes_written", (double)r->stats.bytes_written);
        cJSON_AddNumberToObject(o, "threads", r->stats.threads);
        cJSON_AddNumberToObject(o, "convert_seconds", r->stats.seconds);
    }
    cJSON_AddNumberToObject(o, "peak_rss_bytes", (double)peak_rss_bytes());
    /* A batch prints one object per line (JSON lines), a single run a
     * readable document. */
    char *text = a->n_dirs > 1 ? cJSON_PrintUnformatted(o) : cJSON_Print(o);
    if (text) puts(text);
    fflush(stdout);
    free(text);
    cJSON_Delete(o);
}

/* The closing line of a conversion: what was written and read, how long it
 * took, how fast, on how many threads, in how much memory at most. */
static void print_totals(const run *r) {
    char written[32], read[32], took[H2G_HMS_SIZE];
    h2g_format_bytes(r->stats.bytes_written, written, sizeof written);
    h2g_format_bytes(r->stats.bytes_read, read, sizeof read);
    h2g_format_hms(r->stats.seconds, took, sizeof took);
    double rate = r->stats.seconds > 0 ? (double)r->stats.bytes_written / r->stats.seconds : 0;
    fprintf(stderr, "hf2gguf: total: %zu file%s, %s written, %s read in %s (%.0f MB/s, %d "
                    "thread%s), peak RSS %.0f MB\n",
            r->n_files, r->n_files == 1 ? "" : "s", written, read, took, rate / 1e6,
            r->stats.threads, r->stats.threads == 1 ? "" : "s", (double)peak_rss_bytes() / 1e6);
}

static void print_summary(const args *a, const run *r) {
    for (size_t i = 0; i < r->n_files; i++) {
        const char *shown = strcmp(r->file_paths[i], "-") ? r->file_paths[i] : "standard output";
        if (a->dry_run) {
            h2g_report_plan_text(stdout, &r->files[i], shown);
            if (r->file_exists && r->file_exists[i] && !a->quiet)
                fprintf(stderr, "hf2gguf: note: %s already exists; %s\n", cli_esc(r->file_paths[i]),
                        a->force ? "--force would overwrite it"
                                 : "the conversion would need --force to overwrite it");
            continue;
        }
        if (a->quiet) continue;
        const h2g_plan *p = &r->files[i];
        fprintf(stderr, "hf2gguf: wrote %s (%s, %zu tensors, %.1f MB) in %.2f s\n", cli_esc(shown),
                p->ftype ? p->ftype->name : p->type_label ? p->type_label
                         : h2g_outtype_name(p->outtype), p->n_tensors,
                (double)(p->data_offset + p->data_size) / 1e6, r->stats.seconds);
    }
    if (!a->dry_run && !a->quiet) print_totals(r);
}

/* Tells people converting an OCR checkout how to get the vision part. */
static void note_skipped_mmproj(const args *a, const run *r) {
    if (a->quiet || a->conv.want_mmproj || a->conv.layout == H2G_LAYOUT_OLLAMA ||
        !h2g_convert_has_mmproj(&r->co))
        return;
    fprintf(stderr, "hf2gguf: note: this checkout has a vision tower; only the text model was "
                    "written. Add --mmproj to write the vision projector (mmproj) too.\n");
}

/* Converts a->model_dir; returns the exit status. Reports as asked. */
static int convert_one(const args *a) {
    run r = {0};
    h2g_error err = {{0}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bool ok = convert(a, &r, &err) == 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (!ok && a->n_dirs > 1) h2g_progress_clear(stderr);
    if (!ok && a->n_dirs > 1) fprintf(stderr, "hf2gguf: error: %s: %s\n", cli_esc(a->model_dir),
                                      cli_esc(err.msg));
    else if (!ok) cli_print_error(err.msg);
    if (a->json)
        print_json(a, &r, &err, ok, seconds);
    else if (ok)
        print_summary(a, &r);
    if (ok) note_skipped_mmproj(a, &r);
    int status = ok ? H2G_EXIT_OK : r.usage_error ? H2G_EXIT_USAGE : H2G_EXIT_ERROR;
    run_free(&r);
    return status;
}

/* mkdir -p path; on failure says which folder could not be made and why. */
static int make_folders(const char *path) {
    char *p = strdup(path);
    if (!p) {
        fprintf(stderr, "hf2gguf: error: out of memory (the --outdir path)\n");
        return -1;
    }
    int rc = 0;
    for (char *q = p + 1; rc == 0; q++) {
        bool end = *q == '\0';
        if (!end && *q != '/') continue;
        *q = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) rc = -1;
        else if (!cli_is_directory(p)) rc = -1, errno = ENOTDIR;
        if (rc != 0)
            fprintf(stderr, "hf2gguf: error: --outdir %s: cannot create %s: %s\n", cli_esc(path), cli_esc(p),
                    strerror(errno));
        if (end) break;
        *q = '/';
    }
    free(p);
    return rc;
}

/* --outdir: created (with its parents) when missing; then the default
 * names go there. */
static int prepare_outdir(args *a) {
    if (!a->outdir) return 0;
    if (!cli_is_directory(a->outdir) && make_folders(a->outdir) != 0) return -1;
    a->outfile = a->outdir;
    return 0;
}

int h2g_cmd_convert(int argc, char **argv) {
    args a = {0};
    int status;
    char **owned = NULL;
    char **av = attach_mmproj_path(&argc, argv, &owned);
    int rc = parse_args(argc, av, &a, &status);
    if (rc == 0 && prepare_outdir(&a) != 0) {
        rc = -1;
        status = H2G_EXIT_ERROR;
    }
    if (rc == 0) {
        int failed = 0, worst = H2G_EXIT_OK;
        for (int i = 0; i < a.n_dirs; i++) {
            a.model_dir = a.model_dirs[i];
            int one = convert_one(&a);
            failed += one != H2G_EXIT_OK;
            if (one > worst) worst = one;
        }
        if (a.n_dirs > 1 && !a.quiet)
            fprintf(stderr, "hf2gguf: %d of %d checkouts converted\n", a.n_dirs - failed, a.n_dirs);
        status = worst;
    }
    /* A report (--json, --dry-run) that could not be written is a failure. */
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        cli_print_error("cannot write to standard output");
        if (status == H2G_EXIT_OK) status = H2G_EXIT_ERROR;
    }
    for (int i = 0; owned && owned[i]; i++) free(owned[i]);
    free(owned);
    if (av != argv) free(av);
    return status;
}
