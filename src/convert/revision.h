/* revision.h - the git revision the library was built from, written into a
 * generated C file at build time (cmake/revision.cmake): "" when unknown. */
#ifndef HF2GGUF_CONVERT_REVISION_H
#define HF2GGUF_CONVERT_REVISION_H

extern const char h2g_build_revision[];

#endif
