/* hf_cache.c - finding a model in the local Hugging Face cache by its id,
 * as huggingface_hub does (see hf2gguf/hf_cache.h). Reads two small files
 * at most (refs/REVISION); downloads nothing. */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hf2gguf/hf_cache.h"

#include "base/util.h"

#define REPO_ID_MAX 96
#define COMMIT_HEX 40
#define REF_MAX_BYTES 256

/* ---------------------------------------------------------------------------
 * Model ids
 * ------------------------------------------------------------------------- */

static bool is_word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* One part of an id: [\w.-]+ starting and ending with \w. */
static bool is_id_part(const char *s, size_t n) {
    if (n == 0 || !is_word_char(s[0]) || !is_word_char(s[n - 1])) return false;
    for (size_t i = 0; i < n; i++)
        if (!is_word_char(s[i]) && s[i] != '-' && s[i] != '.') return false;
    return true;
}

bool h2g_hf_is_repo_id(const char *s) {
    const char *slash = strchr(s, '/');
    size_t n = strlen(s);
    if (!slash || strchr(slash + 1, '/') || n > REPO_ID_MAX) return false;
    if (strstr(s, "--") || strstr(s, "..")) return false;
    return is_id_part(s, (size_t)(slash - s)) && is_id_part(slash + 1, n - (size_t)(slash - s) - 1);
}

static bool is_commit_hash(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!isdigit((unsigned char)s[n]) && !(s[n] >= 'a' && s[n] <= 'f')) return false;
    return n == COMMIT_HEX;
}

/* ---------------------------------------------------------------------------
 * The cache folder
 * ------------------------------------------------------------------------- */

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static const char *home_dir(void) {
    const char *home = env("HOME");
    if (home) return home;
    const struct passwd *pw = getpwuid(getuid());
    return pw ? pw->pw_dir : NULL;
}

/* "~" and "~/..." become the home folder, as Python's expanduser does. */
static char *expand_home(const char *path) {
    if (path[0] != '~' || (path[1] && path[1] != '/')) return h2g_strdup(path);
    const char *home = home_dir();
    return home ? h2g_strfmt("%s%s", home, path + 1) : NULL;
}

char *h2g_hf_hub_cache(void) {
    const char *v;
    if ((v = env("HF_HUB_CACHE")) || (v = env("HUGGINGFACE_HUB_CACHE"))) return expand_home(v);
    char *base = NULL;
    if ((v = env("HF_HOME"))) {
        base = expand_home(v);
    } else if ((v = env("XDG_CACHE_HOME"))) {
        base = h2g_strfmt("%s/huggingface", v);
    } else {
        const char *home = home_dir();
        base = home ? h2g_strfmt("%s/.cache/huggingface", home) : NULL;
    }
    char *hub = base ? h2g_path_join(base, "hub") : NULL;
    free(base);
    return hub;
}

/* ---------------------------------------------------------------------------
 * Resolving
 * ------------------------------------------------------------------------- */

static bool is_dir(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The command that would put the missing model or revision in the cache. */
static void download_hint(char *out, size_t size, const char *repo_id, const char *revision) {
    if (revision)
        snprintf(out, size, "hf2gguf downloads nothing; fetch it with: hf download %s --revision %s",
                 repo_id, revision);
    else
        snprintf(out, size, "hf2gguf downloads nothing; fetch it with: hf download %s", repo_id);
}

/* A ref name must stay inside refs/: no absolute path, no "..". */
static bool is_safe_ref(const char *rev) {
    return *rev && rev[0] != '/' && !strstr(rev, "..");
}

/* The commit refs/REVISION names, into commit[COMMIT_HEX + 1]. */
static int read_ref(const char *repo_dir, const char *repo_id, const char *revision,
                    char *commit, const char *hint, h2g_error *err) {
    char *path = h2g_strfmt("%s/refs/%s", repo_dir, revision);
    char *text = NULL;
    size_t len = 0;
    h2g_error read_err = {{0}};
    int rc = path ? h2g_read_small_file(path, path, REF_MAX_BYTES, true, &text, &len, &read_err)
                  : h2g_fail(&read_err, "%s: out of memory for the path of refs/%s", repo_id,
                             revision);
    if (rc == 1)
        rc = h2g_fail(err, "%s: revision '%s' is not in the Hugging Face cache (no %s); %s",
                      repo_id, revision, path, hint);
    else if (rc != 0)
        rc = h2g_fail(err, "%s", read_err.msg);
    if (rc == 0) {
        while (len > 0 && isspace((unsigned char)text[len - 1])) text[--len] = '\0';
        if (!is_commit_hash(text))
            rc = h2g_fail(err, "%s: expected a 40-digit commit hash, found '%.60s'", path, text);
        else
            memcpy(commit, text, COMMIT_HEX + 1);
    }
    free(text);
    free(path);
    return rc;
}

int h2g_hf_resolve(const char *repo_id, const char *revision, char **snapshot, h2g_error *err) {
    *snapshot = NULL;
    if (!h2g_hf_is_repo_id(repo_id))
        return h2g_fail(err, "'%s' is not a Hugging Face model id (ORG/NAME)", repo_id);
    if (revision && !is_safe_ref(revision))
        return h2g_fail(err, "--revision '%s' is not a branch, tag or commit name", revision);
    char hint[H2G_ERROR_MAX / 2];
    download_hint(hint, sizeof hint, repo_id, revision);
    char *hub = h2g_hf_hub_cache();
    if (!hub) return h2g_fail(err, "cannot tell where the Hugging Face cache is: HOME is not set");
    const char *slash = strchr(repo_id, '/');
    char *repo_dir = h2g_strfmt("%s/models--%.*s--%s", hub, (int)(slash - repo_id), repo_id,
                                slash + 1);
    int rc = 0;
    char commit[COMMIT_HEX + 1];
    const char *rev = revision ? revision : "main";
    if (!repo_dir)
        rc = h2g_fail(err, "%s: out of memory for the path of its folder in the cache", repo_id);
    else if (!is_dir(repo_dir))
        rc = h2g_fail(err, "%s: not in the Hugging Face cache (no %s); %s", repo_id, repo_dir,
                      hint);
    else if (is_commit_hash(rev))
        memcpy(commit, rev, sizeof commit);
    else
        rc = read_ref(repo_dir, repo_id, rev, commit, hint, err);
    if (rc == 0) {
        *snapshot = h2g_strfmt("%s/snapshots/%s", repo_dir, commit);
        if (!*snapshot) {
            rc = h2g_fail(err, "%s: out of memory for the path of its snapshot %s", repo_id,
                          commit);
        } else if (!is_dir(*snapshot)) {
            rc = h2g_fail(err, "%s: revision '%s' (commit %s) is not in the Hugging Face cache "
                               "(no %s); %s", repo_id, rev, commit, *snapshot, hint);
            free(*snapshot);
            *snapshot = NULL;
        }
    }
    free(repo_dir);
    free(hub);
    return rc;
}

/* ---------------------------------------------------------------------------
 * Names of snapshot folders
 * ------------------------------------------------------------------------- */

/* The component of path ending just before `end` (exclusive): its start. */
static const char *component_start(const char *path, const char *end) {
    while (end > path && end[-1] != '/') end--;
    return end;
}

char *h2g_hf_snapshot_model_name(const char *path) {
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/') n--;
    const char *commit = component_start(path, path + n);
    if (commit == path || commit == path + n) return NULL;
    const char *snapshots_end = commit - 1; /* the '/' before COMMIT */
    const char *snapshots = component_start(path, snapshots_end);
    if ((size_t)(snapshots_end - snapshots) != strlen("snapshots") ||
        strncmp(snapshots, "snapshots", strlen("snapshots")) != 0 || snapshots == path)
        return NULL;
    const char *repo_end = snapshots - 1;
    const char *repo = component_start(path, repo_end);
    static const char prefix[] = "models--";
    if ((size_t)(repo_end - repo) <= strlen(prefix) || strncmp(repo, prefix, strlen(prefix)) != 0)
        return NULL;
    /* models--ORG--NAME: NAME follows the last "--" (ids have none inside). */
    const char *name = NULL;
    for (const char *p = repo + strlen(prefix); p + 1 < repo_end; p++)
        if (p[0] == '-' && p[1] == '-') name = p + 2;
    if (!name || name >= repo_end) return NULL;
    return strndup(name, (size_t)(repo_end - name));
}
