/* workdir.h - one scratch folder per test program: `workdir` is made before
 * the program's tests run and removed after them (cmocka's group setup and
 * teardown). The including file defines WORKDIR_NAME first, which names the
 * folder (/tmp/hf2gguf-NAME.XXXXXX), and includes this header once. */
#ifndef HF2GGUF_TEST_WORKDIR_H
#define HF2GGUF_TEST_WORKDIR_H

#include <stdlib.h>

#include "base/util.h"

static char workdir[] = "/tmp/hf2gguf-" WORKDIR_NAME ".XXXXXX";

static int workdir_setup(void **state) {
    (void)state;
    return mkdtemp(workdir) ? 0 : -1;
}

static int workdir_teardown(void **state) {
    (void)state;
    char *cmd = h2g_strfmt("rm -rf '%s'", workdir);
    int rc = cmd ? system(cmd) : -1;
    free(cmd);
    return rc == 0 ? 0 : -1;
}

#endif
