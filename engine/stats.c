/*
 * stats: the exact ItemCount / TableSizeBytes of tables and indexes. Each write batch carries one
 * merge of two little-endian 64-bit deltas (item count, bytes) under "<id>" FMT_STATS_PACKED in the
 * stats column family, summed word by word by the word-sum operator (db.c); databases written by
 * 0.1.0 also hold one-word counters (FMT_STATS_LEGACY_*), which keep their totals and are added in.
 * Entry points: stats__delta, stats__delete, eng_table_stats, eng_index_stats.
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <string.h>

/* Adds the first n words of the counters at "<id><suffix>" (those stored) to sum[0..n). */
static void add_counters(eng_t *e, db_snap_t *snap, const char *id, const char *suffix, int64_t *sum,
                         size_t n, arena_t *a)
{
    char *v;
    size_t len;
    const char *key = arena_sprintf(a, "%s%s", id, suffix);
    if (db__get_at(e->db, db__stats(e->db), snap, key, strlen(key), a, &v, &len) != 1) return;
    for (size_t w = 0; w < n && 8 * (w + 1) <= len; w++) sum[w] += (int64_t)le64_get(v + 8 * w);
}

/* "<id>/s" holds (item count, bytes); databases written by version 0.1.0 also have the separate
 * one-word counters "<id>/c" and "<id>/b", which keep their totals and are added in. */
eng_stats_t stats__read_at(eng_t *e, const char *id, db_snap_t *snap)
{
    arena_t *a = arena_new(512);
    int64_t sum[2] = {0, 0}; /* item count, bytes */
    add_counters(e, snap, id, FMT_STATS_PACKED, sum, 2, a);
    add_counters(e, snap, id, FMT_STATS_LEGACY_COUNT, sum, 1, a);
    add_counters(e, snap, id, FMT_STATS_LEGACY_BYTES, sum + 1, 1, a);
    arena_free(a);
    eng_stats_t st = {sum[0], sum[1]};
    if (st.item_count < 0) st.item_count = 0;
    if (st.size_bytes < 0) st.size_bytes = 0;
    return st;
}

eng_stats_t eng_table_stats(eng_t *e, const eng_table_t *t)
{
    return stats__read_at(e, t->id, NULL);
}

eng_stats_t eng_index_stats(eng_t *e, const eng_index_t *x)
{
    return stats__read_at(e, x->id, NULL);
}

void stats__delta(eng_t *e, db_batch_t *b, const char *id, int64_t dcount, int64_t dbytes)
{
    if (!dcount && !dbytes) return;
    /* "<id>/s" without printf: this runs on every write. One merge carries both deltas. */
    char k[80];
    size_t n = strlen(id);
    if (n > sizeof k - 2) n = sizeof k - 2;
    memcpy(k, id, n);
    _Static_assert(sizeof FMT_STATS_PACKED == 3, "the packed counter suffix is two bytes");
    memcpy(k + n, FMT_STATS_PACKED, 2);
    int64_t d[2] = {dcount, dbytes};
    db__batch_add(b, db__stats(e->db), k, n + 2, d, 2);
}

void stats__delete(eng_t *e, db_batch_t *b, const char *id, arena_t *a)
{
    static const char *suffix[] = {FMT_STATS_PACKED, FMT_STATS_LEGACY_COUNT, FMT_STATS_LEGACY_BYTES};
    for (size_t i = 0; i < 3; i++) {
        char *k = arena_sprintf(a, "%s%s", id, suffix[i]);
        db__batch_del(b, db__stats(e->db), k, strlen(k));
    }
}
