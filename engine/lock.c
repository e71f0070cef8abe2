/*
 * lock: striped mutexes for read-modify-write of items. A key maps to one of LOCK_STRIPES
 * stripes by a hash of (table id, encoded key); two keys may share a stripe (harmless: it only
 * serialises them). Multi-item writes (engine/txn.c) and backfills take their stripes in
 * ascending order, deduplicated, so no two lockers can deadlock.
 */
#include "engine/engine_int.h"

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
