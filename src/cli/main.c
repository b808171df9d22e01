/* main.c - hf2gguf's entry point: dispatches on the subcommand. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hf2gguf/executor.h"

#include "cli/commands.h"

static const char usage[] =
    "usage: hf2gguf <command> [options]\n"
    "\n"
    "Converts HuggingFace checkouts of DeepSeek-family models to GGUF files that\n"
    "llama.cpp and Ollama load.\n"
    "\n"
    "commands:\n"
    "  convert MODEL_DIR   write MODEL_DIR as a GGUF file (see hf2gguf convert --help)\n"
    "  inspect FILE.gguf   print a GGUF file's header, metadata and tensors\n"
    "  verify FILE.gguf    check a GGUF against the format and llama.cpp's loader\n"
    "  diff A.gguf B.gguf  every metadata and tensor difference between two files\n"
    "  checksum FILE.gguf  per-tensor sha256 manifest (JSON)\n"
    "\n"
    "  hf2gguf --version [--json]  print the version, git revision, reference\n"
    "                      llama.cpp version and library versions\n"
    "  hf2gguf --help      print this help\n"
    "\n"
    "Exit status: 0 success, 1 conversion or input error, 2 usage error.\n";

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
} command;

static const command commands[] = {
    {"convert", h2g_cmd_convert},
    {"inspect", h2g_cmd_inspect},
    {"verify", h2g_cmd_verify},
    {"diff", h2g_cmd_diff},
    {"checksum", h2g_cmd_checksum},
    {NULL, NULL},
};

/* SIGINT, SIGTERM, SIGHUP: remove partial output, then die of the signal as
 * usual (so the shell sees 130 for Ctrl-C). */
static void on_signal(int sig) {
    static const char msg[] = "\nhf2gguf: interrupted; partial output removed\n";
    h2g_remove_temporaries();
    ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)ignored;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_interrupts(void) {
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) sigaction(sigs[i], &sa, NULL);
}

int main(int argc, char **argv) {
    catch_interrupts();
    if (argc < 2) {
        fputs(usage, stderr);
        return H2G_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "help") && argc > 2) { /* "help convert": convert's own help */
        char *help_argv[] = {argv[2], "--help", NULL};
        for (int i = 0; commands[i].name; i++)
            if (!strcmp(argv[2], commands[i].name)) return commands[i].run(2, help_argv);
        fprintf(stderr, "hf2gguf: error: unknown command '%s' (see hf2gguf --help)\n", argv[2]);
        return H2G_EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return H2G_EXIT_OK;
    }
    if (!strcmp(argv[1], "--version")) return h2g_cmd_version(argc - 1, argv + 1);
    for (int i = 0; commands[i].name; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "hf2gguf: error: unknown command '%s' (see hf2gguf --help)\n", argv[1]);
    return H2G_EXIT_USAGE;
}
