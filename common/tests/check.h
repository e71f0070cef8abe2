/*
 * check.h: tiny assertion helpers for unit tests (libuv style): each failing check prints both
 * values and file:line, counts a failure, and the test's main returns check_done().
 */
#ifndef DDB_CHECK_H
#define DDB_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        check_count++;                                                                                       \
        if (!(cond)) {                                                                                       \
            check_failures++;                                                                                \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);                         \
        }                                                                                                    \
    } while (0)

#define CHECK_INT(a, b)                                                                                      \
    do {                                                                                                     \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                                \
        check_count++;                                                                                       \
        if (va_ != vb_) {                                                                                    \
            check_failures++;                                                                                \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b, va_, vb_); \
        }                                                                                                    \
    } while (0)

#define CHECK_STR(a, b)                                                                                      \
    do {                                                                                                     \
        const char *sa_ = (a), *sb_ = (b);                                                                   \
        check_count++;                                                                                       \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                                         \
            check_failures++;                                                                                \
            fprintf(stderr, "%s:%d: %s == %s failed: \"%s\" != \"%s\"\n", __FILE__, __LINE__, #a, #b,        \
                    sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                                             \
        }                                                                                                    \
    } while (0)

#define CHECK_MEM(p, n, q, m)                                                                                \
    do {                                                                                                     \
        size_t na_ = (size_t)(n), nb_ = (size_t)(m);                                                         \
        check_count++;                                                                                       \
        if (na_ != nb_ || memcmp((p), (q), na_) != 0) {                                                      \
            check_failures++;                                                                                \
            fprintf(stderr, "%s:%d: bytes %s (%zu) != %s (%zu)\n", __FILE__, __LINE__, #p, na_, #q, nb_);    \
        }                                                                                                    \
    } while (0)

static inline int check_done(const char *name)
{
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
