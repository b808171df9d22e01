/*
 * hf2gguf/version.h - what this build is: its version, the git revision it
 * was built from, the reference whose bytes it reproduces, and the versions
 * of the libraries it runs with (for bug reports: `hf2gguf --version`).
 *
 *     h2g_library_version libs[H2G_LIBRARY_COUNT];
 *     h2g_library_versions(libs);
 *     for (int i = 0; i < H2G_LIBRARY_COUNT; i++)
 *         printf("%s %s\n", libs[i].name, libs[i].version);
 */
#ifndef HF2GGUF_VERSION_H
#define HF2GGUF_VERSION_H

/* The llama.cpp release whose converter (convert_hf_to_gguf.py) and
 * llama-quantize outputs hf2gguf reproduces byte for byte. */
#define H2G_REFERENCE_LLAMA_CPP "0.7.0"

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *h2g_version(void);

/* The git revision built from (12 hex digits, "-dirty" when the tree had
 * changes), or "" when unknown (a build from a release tarball). */
const char *h2g_git_revision(void);

/* The libraries hf2gguf uses, as loaded at run time: cJSON, zlib,
 * libarchive, libyaml, in that order. Strings are static. */
#define H2G_LIBRARY_COUNT 4
typedef struct h2g_library_version {
    const char *name;    /* "cJSON", "zlib", "libarchive", "libyaml" */
    const char *version; /* e.g. "1.7.15" */
} h2g_library_version;

void h2g_library_versions(h2g_library_version out[H2G_LIBRARY_COUNT]);

#endif
