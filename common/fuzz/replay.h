/*
 * replay.h: the corpus replay driver shared by the fuzz targets (SQLite's fuzzcheck idea).
 *
 * A target file includes this header once, under #ifdef DDB_FUZZ_REPLAY, before its own code (the
 * optional hooks are declared weak here, and a weak declaration must precede the definition).
 * The result is a main() that:
 *   - calls LLVMFuzzerInitialize (if the target defines it) once;
 *   - runs every regular file of each directory argument (in name order, so a run is the same
 *     every time) and every file argument through LLVMFuzzerTestOneInput; a directory that does
 *     not exist is skipped (regressions/ folders appear only once a crash has been fixed);
 *   - calls ddb_fuzz_cleanup (if the target defines it), so that leak checks see a clean exit;
 *   - prints "<n> passed, 0 failed" and exits 0 when at least one input ran. A failing input
 *     aborts inside the target (the property checks call abort()), so ctest reports the crash
 *     and the name of the last file started is on stderr with DDB_FUZZ_VERBOSE=1.
 *
 * Not a public header: only fuzz targets include it, and only in replay builds.
 */
#ifndef DDB_FUZZ_REPLAY_H
#define DDB_FUZZ_REPLAY_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional hooks of the target (weak: a target that lacks them leaves them NULL). */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);
__attribute__((weak)) void ddb_fuzz_cleanup(void);

static int replay__file(const char *path, int verbose)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) abort();
    if (verbose) fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    /* A copy of exactly len bytes, so reading past the input trips ASan as it does under libFuzzer. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) abort();
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int replay__cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run every regular file of directory dir in name order; returns how many ran, -1 on error. */
static int replay__dir(const char *dir, int verbose)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t n = 0, cap = 64;
    char **names = malloc(cap * sizeof *names);
    struct dirent *e;
    while (names && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) names = realloc(names, (cap *= 2) * sizeof *names);
        if (names) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    if (!names) abort();
    qsort(names, n, sizeof *names, replay__cmp);
    int ran = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay__file(path, verbose) == 0) ran++;
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR|FILE...\n", argv[0]);
        return 2;
    }
    const char *v = getenv("DDB_FUZZ_VERBOSE");
    int verbose = v && *v && *v != '0';
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int n = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) continue; /* a regressions/ folder not created yet */
        if (S_ISDIR(st.st_mode))
            n += replay__dir(argv[i], verbose);
        else if (replay__file(argv[i], verbose) == 0)
            n++;
    }
    if (ddb_fuzz_cleanup) ddb_fuzz_cleanup();
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("%d passed, 0 failed (%.0f ms)\n", n, ms);
    return n > 0 ? 0 : 1;
}

#endif
