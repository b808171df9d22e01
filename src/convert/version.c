/* version.c - the build's version, revision and the run-time versions of
 * the libraries underneath (see hf2gguf/version.h). It sits in convert/,
 * the top of the library, because it speaks for all of it. */
#include <string.h>

#include <archive.h>
#include <cjson/cJSON.h>
#include <yaml.h>
#include <zlib.h>

#include "hf2gguf/version.h"

#include "convert/revision.h"

const char *h2g_version(void) { return HF2GGUF_VERSION; }

const char *h2g_git_revision(void) { return h2g_build_revision; }

/* archive_version_string() says "libarchive 3.6.2": keep the number. */
static const char *libarchive_version(void) {
    const char *s = archive_version_string();
    const char *space = strrchr(s, ' ');
    return space ? space + 1 : s;
}

void h2g_library_versions(h2g_library_version out[H2G_LIBRARY_COUNT]) {
    out[0] = (h2g_library_version){"cJSON", cJSON_Version()};
    out[1] = (h2g_library_version){"zlib", zlibVersion()};
    out[2] = (h2g_library_version){"libarchive", libarchive_version()};
    out[3] = (h2g_library_version){"libyaml", yaml_get_version_string()};
}
