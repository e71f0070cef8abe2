/*
 * test_strset: the arena hash map used by the request path's duplicate checks and name lookups:
 * add / find, first value kept on a repeated add, empty keys and keys with NUL bytes, keys that
 * differ only in length, growth across many keys (every key still found with its value),
 * the move from a small array to hashing (every key and value kept), and a stable hash within the
 * process.
 */
#include "common/strset.h"

#include <stdio.h>
#include <string.h>

#include "common/tests/check.h"

static void test_basic(void)
{
    arena_t *a = arena_new(0);
    strset_t s;
    strset_init(&s, a, 0);
    CHECK(strset_find(&s, "a", 1) == NULL);
    CHECK_INT(strset_count(&s), 0);
    bool added = false;
    size_t *v = strset_add(&s, "a", 1, 7, &added);
    CHECK(added);
    CHECK_INT(*v, 7);
    v = strset_add(&s, "a", 1, 9, &added);
    CHECK(!added);
    CHECK_INT(*v, 7); /* the first value stays */
    *v = 11;          /* callers update in place (last one wins, when they want it) */
    CHECK_INT(*strset_find(&s, "a", 1), 11);
    CHECK(strset_find(&s, "ab", 2) == NULL);
    CHECK(strset_find(&s, "", 0) == NULL);
    strset_add(&s, "", 0, 1, &added);
    CHECK(added);
    CHECK_INT(*strset_find(&s, "", 0), 1);
    strset_add(&s, "a\0b", 3, 2, &added);
    CHECK(added);
    strset_add(&s, "a\0c", 3, 3, &added);
    CHECK(added);
    CHECK_INT(*strset_find(&s, "a\0b", 3), 2);
    CHECK_INT(*strset_find(&s, "a\0c", 3), 3);
    CHECK(strset_find(&s, "a\0", 2) == NULL);
    CHECK_INT(strset_count(&s), 4);
    arena_free(a);
}

static void test_many(void)
{
    arena_t *a = arena_new(0);
    enum { N = 100000 };
    char(*keys)[16] = arena_alloc(a, N * sizeof *keys);
    size_t *lens = arena_alloc(a, N * sizeof *lens);
    for (int presized = 0; presized < 2; presized++) {
        strset_t s;
        strset_init(&s, a, presized ? N : 0);
        for (size_t i = 0; i < N; i++) {
            lens[i] = (size_t)snprintf(keys[i], sizeof keys[i], "k%zu", i);
            bool added = false;
            strset_add(&s, keys[i], lens[i], i, &added);
            if (!added) CHECK(added);
        }
        CHECK_INT(strset_count(&s), N);
        size_t bad = 0;
        for (size_t i = 0; i < N; i++) {
            size_t *v = strset_find(&s, keys[i], lens[i]);
            if (!v || *v != i) bad++;
            bool added = true;
            strset_add(&s, keys[i], lens[i], 0, &added);
            if (added) bad++;
        }
        CHECK_INT(bad, 0);
        CHECK(strset_find(&s, "k100000", 7) == NULL);
        CHECK(strset_find(&s, "k", 1) == NULL);
        CHECK_INT(strset_count(&s), N);
    }
    arena_free(a);
}

/* Around the small-array limit: every key and value survives the move to hashing, a repeated key
 * is found on both sides of it, and a set told to expect many keys hashes from the start. */
static void test_small_to_hashed(void)
{
    arena_t *a = arena_new(0);
    char keys[3 * STRSET_LINEAR][8];
    for (int expect = 0; expect <= 3 * STRSET_LINEAR; expect += 3 * STRSET_LINEAR) {
        strset_t s;
        strset_init(&s, a, (size_t)expect);
        for (size_t i = 0; i < 3 * STRSET_LINEAR; i++) {
            snprintf(keys[i], sizeof keys[i], "k%zu", i);
            bool added = false;
            strset_add(&s, keys[i], strlen(keys[i]), i * 10, &added);
            CHECK(added);
            CHECK(!strset_add(&s, keys[0], 2, 99, &added) || !added); /* repeated: found */
            CHECK(!added);
            CHECK_INT(strset_count(&s), i + 1);
            for (size_t j = 0; j <= i; j++) CHECK_INT(*strset_find(&s, keys[j], strlen(keys[j])), j * 10);
            CHECK(strset_find(&s, "zz", 2) == NULL);
        }
    }
    arena_free(a);
}

static void test_hash(void)
{
    CHECK(strset_hash("abc", 3) == strset_hash("abc", 3));
    CHECK(strset_hash("abc", 3) != strset_hash("abd", 3));
    CHECK(strset_hash("", 0) != 0);
    /* every length up to two words, so both the word loop and the tail are used */
    char buf[17] = "0123456789abcdef";
    for (size_t n = 0; n < 16; n++) CHECK(strset_hash(buf, n) != strset_hash(buf, n + 1));
}

int main(void)
{
    test_basic();
    test_many();
    test_small_to_hashed();
    test_hash();
    return check_done("test_strset");
}
