/* pack_archive.c - packs a folder as an archive, for the command-line tests
 * (tests/cli/test_archive.sh), with libarchive's writer so that the tests
 * need no zip or zstd program on the machine.
 *
 *   pack_archive OUT FORMAT [--top NAME] DIR
 *
 * FORMAT: tar, tar.gz, tar.zst, tar.xz, tar.bz2, zip (deflated) or zip-stored. Every
 * regular file under DIR is packed, in sorted order, except a folder named
 * "expected" (the fixtures' reference outputs); with --top every entry is
 * under NAME/. Exit status: 0, 1 on an I/O error, 2 on a usage error, 3
 * when this libarchive cannot write FORMAT. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int usage(void) {
    fputs("usage: pack_archive OUT tar|tar.gz|tar.zst|tar.xz|tar.bz2|zip|zip-stored [--top NAME] DIR\n",
          stderr);
    return 2;
}

/* Chooses the format and compression; -1 when unknown, -2 when this
 * libarchive lacks it. */
static int set_format(struct archive *a, const char *f) {
    int rc;
    if (!strcmp(f, "zip") || !strcmp(f, "zip-stored")) {
        rc = archive_write_set_format_zip(a);
        if (rc == ARCHIVE_OK && !strcmp(f, "zip-stored"))
            rc = archive_write_set_options(a, "zip:compression=store");
        return rc == ARCHIVE_OK ? 0 : -2;
    }
    if (strncmp(f, "tar", 3) != 0) return -1;
    archive_write_set_format_pax_restricted(a);
    if (!strcmp(f, "tar")) return 0;
    if (!strcmp(f, "tar.gz")) rc = archive_write_add_filter_gzip(a);
    else if (!strcmp(f, "tar.zst")) rc = archive_write_add_filter_zstd(a);
    else if (!strcmp(f, "tar.xz")) rc = archive_write_add_filter_xz(a);
    else if (!strcmp(f, "tar.bz2")) rc = archive_write_add_filter_bzip2(a);
    else return -1;
    return rc == ARCHIVE_OK ? 0 : -2;
}

static int cmp_names(const void *x, const void *y) {
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Writes the file at path as entry `name`. */
static int add_file(struct archive *a, const char *path, const char *name) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || stat(path, &st) != 0) return perror(path), 1;
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, st.st_size);
    int rc = archive_write_header(a, e) == ARCHIVE_OK ? 0 : 1;
    char buf[65536];
    size_t n;
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, f)) > 0)
        if (archive_write_data(a, buf, n) != (la_ssize_t)n) rc = 1;
    if (rc) fprintf(stderr, "pack_archive: %s: %s\n", name, archive_error_string(a));
    archive_entry_free(e);
    fclose(f);
    return rc;
}

/* Packs the folder dir (entry names prefixed by prefix), sorted. */
static int add_tree(struct archive *a, const char *dir, const char *prefix) {
    DIR *d = opendir(dir);
    if (!d) return perror(dir), 1;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || !strcmp(e->d_name, "expected"))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (names) qsort(names, n, sizeof *names, cmp_names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096], name[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(name, sizeof name, "%s%s", prefix, names[i]);
        struct stat st;
        if (rc == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            strcat(name, "/");
            rc = add_tree(a, path, name);
        } else if (rc == 0) {
            rc = add_file(a, path, name);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 4 && !(argc == 6 && !strcmp(argv[3], "--top"))) return usage();
    const char *out = argv[1], *format = argv[2], *dir = argv[argc - 1];
    char prefix[1024] = "";
    if (argc == 6) snprintf(prefix, sizeof prefix, "%s/", argv[4]);
    struct archive *a = archive_write_new();
    int f = set_format(a, format);
    if (f == -1) return usage();
    if (f == -2) {
        fprintf(stderr, "pack_archive: this libarchive cannot write %s\n", format);
        return 3;
    }
    if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
        fprintf(stderr, "pack_archive: %s: %s\n", out, archive_error_string(a));
        return 1;
    }
    int rc = add_tree(a, dir, prefix);
    if (archive_write_close(a) != ARCHIVE_OK) rc = 1;
    archive_write_free(a);
    return rc;
}
