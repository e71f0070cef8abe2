/*
 * lock: striped mutexes for read-modify-write of items. A key maps to one of LOCK_STRIPES
 * stripes by a hash of (table id, encoded key); two keys may share a stripe (harmless: it only
 * serialises them). Multi-item writes (engine/txn.c) and backfills take their stripes in
 * ascending order, deduplicated, so no two lockers can deadlock.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

void lock__init(lock_table_t *lt)
{
    for (int i = 0; i < LOCK_STRIPES; i++) pthread_mutex_init(&lt->m[i], NULL);
}

void lock__dispose(lock_table_t *lt)
{
    for (int i = 0; i < LOCK_STRIPES; i++) pthread_mutex_destroy(&lt->m[i]);
}

unsigned lock__stripe(const char *table_id, const char *key, size_t klen)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a 64 */
    for (const char *p = table_id; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (size_t i = 0; i < klen; i++) h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    h ^= h >> 29;
    return (unsigned)(h & (LOCK_STRIPES - 1));
}

void lock__acquire(lock_table_t *lt, unsigned stripe)
{
    pthread_mutex_lock(&lt->m[stripe]);
}

void lock__release(lock_table_t *lt, unsigned stripe)
{
    pthread_mutex_unlock(&lt->m[stripe]);
}

void lock__barrier(lock_table_t *lt)
{
    for (unsigned i = 0; i < LOCK_STRIPES; i++) {
        pthread_mutex_lock(&lt->m[i]);
        pthread_mutex_unlock(&lt->m[i]);
    }
}

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

size_t lock__sort_unique(unsigned *s, size_t n)
{
    qsort(s, n, sizeof *s, cmp_unsigned);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || s[m - 1] != s[i]) s[m++] = s[i];
    return m;
}

void lock__acquire_all(lock_table_t *lt, const unsigned *s, size_t n)
{
    for (size_t i = 0; i < n; i++) lock__acquire(lt, s[i]);
}

void lock__release_all(lock_table_t *lt, const unsigned *s, size_t n)
{
    for (size_t i = n; i-- > 0;) lock__release(lt, s[i]);
}
