/*
 * backfill: filling a new index in the background.
 *
 * Backfill of a GSI added by UpdateTable: a thread walks the table in key order, 256 items at a
 * time; it locks the chunk's stripes (ascending, so it cannot deadlock with transactions), re-reads
 * each item, and writes the entries that are not there yet. Writes racing it maintain the index
 * themselves; while an index is backfilling they check whether an old entry really exists before
 * counting its removal, so the counters stay exact. At the end the index becomes ACTIVE.
 * Each backfill is a job (jobs.c): it stops between chunks when the engine closes, sleeps through a
 * full disk, and counts the items it has scanned as its progress.
 * Entry points: backfill__start, eng_backfill_wait (eng_close stops backfills with every other job).
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#define BF_CHUNK 256

typedef struct {
    eng_t *e;
    char *table;
    char *index_id;
} bf_arg_t;

static const eng_index_t *index_by_id(const eng_table_t *t, const char *id)
{
    for (size_t i = 0; i < t->n_idx; i++)
        if (t->idx[i].id && !strcmp(t->idx[i].id, id)) return &t->idx[i];
    return NULL;
}

static ddb_err_t mark_active(void *ctx, eng_table_t *copy, ddb_errctx_t *err)
{
    (void)err;
    for (size_t i = 0; i < copy->n_idx; i++)
        if (copy->idx[i].id && !strcmp(copy->idx[i].id, ctx)) {
            copy->idx[i].status = "ACTIVE";
            copy->idx[i].backfilling = false;
        }
    return DDB_OK;
}

/* One chunk after `resume` (len 0: from the start). Returns the number of items visited, -1 on a
 * storage error, -2 when the description changed under it (retry with a fresh one). */
static int bf_chunk(eng_t *e, eng_table_t *t, const eng_index_t *x, buf_t *resume, arena_t *a)
{
    ddb_str_t keys[BF_CHUNK];
    int n = 0;
    db_iter_t *it = db__iter_new(e->db, t->store_->cf, NULL, NULL, 0, NULL, 0, false);
    if (resume->len) {
        db__iter_seek(it, resume->data, resume->len);
        size_t kl;
        const char *k;
        if (db__iter_valid(it) && (k = db__iter_key(it, &kl)) && kl == resume->len &&
            !memcmp(k, resume->data, kl))
            db__iter_next(it);
    } else {
        db__iter_first(it);
    }
    for (; n < BF_CHUNK && db__iter_valid(it); db__iter_next(it), n++) {
        size_t kl;
        const char *k = db__iter_key(it, &kl);
        keys[n] = (ddb_str_t){arena_memdup(a, k, kl), kl};
    }
    if (db__iter_free(it) != 0) return -1;
    if (n == 0) return 0;

    unsigned stripes[BF_CHUNK];
    for (int i = 0; i < n; i++) stripes[i] = lock__stripe(t->id, keys[i].ptr, keys[i].len);
    size_t ns = lock__sort_unique(stripes, (size_t)n);
    lock__acquire_all(&e->locks, stripes, ns);
    int rc = n;
    if (t->idx_gen_ != atomic_load(&t->store_->idx_gen)) {
        rc = -2;
        goto out;
    }
    db_batch_t *b = db__batch_new();
    int64_t dcount = 0, dbytes = 0;
    ddb_errctx_t err;
    err_init(&err, a);
    for (int i = 0; i < n && rc > 0; i++) {
        av_map_t *item;
        if (item__read(e, t, NULL, keys[i].ptr, keys[i].len, a, &item, &err) != DDB_OK) {
            rc = -1;
            break;
        }
        buf_t ik;
        buf_init(&ik, a, 128);
        if (!item || !idx__key(&ik, t, x, item)) continue;
        int got = idx__has_entry(e, x, &ik, a);
        if (got < 0) rc = -1;
        if (got != 0) continue; /* a write already made it */
        dcount++;
        dbytes += idx__put_entry(b, t, x, &ik, item, a);
    }
    stats__delta(e, b, x->id, dcount, dbytes);
    if (rc > 0 && db__write(e->db, b) != 0) rc = -1;
    db__batch_free(b);
    if (rc > 0) {
        resume->len = 0;
        buf_put(resume, keys[n - 1].ptr, keys[n - 1].len);
    }
out:
    lock__release_all(&e->locks, stripes, ns);
    return rc;
}

static void bf_main(job_t *job, void *arg)
{
    bf_arg_t *ba = arg;
    eng_t *e = ba->e;
    arena_t *keep = arena_new(1024);
    buf_t resume;
    buf_init(&resume, keep, 256);
    size_t total = 0;
    while (!job__stopping(job)) {
        eng_table_t *t = eng_table_get(e, ba->table, strlen(ba->table));
        if (!t) break;
        const eng_index_t *x = index_by_id(t, ba->index_id);
        if (!x || !x->backfilling) {
            eng_table_release(t);
            break;
        }
        arena_t *a = arena_new(64 << 10);
        int n = bf_chunk(e, t, x, &resume, a);
        arena_free(a);
        eng_table_release(t);
        if (n == -2) continue;
        if (n >= 0) {
            total += (size_t)n;
            job__progress(job, (uint64_t)n);
        }
        if (n == 0) {
            ddb_errctx_t err;
            err_init(&err, keep);
            if (eng_table_update(e, ba->table, mark_active, ba->index_id, NULL, &err) == DDB_OK) {
                log_info("index %s of table %s is ACTIVE (%zu items scanned)", ba->index_id, ba->table,
                         total);
                break;
            }
            n = -1;
        }
        if (n < 0 && db__state(e->db) != DB_WRITABLE) { /* writes stopped (full disk): wait for them */
            job__sleep(job, DB_PROBE_MS);
            continue;
        }
        if (n < 0) {
            log_error("backfill of index %s on table %s stopped by a storage error", ba->index_id, ba->table);
            break;
        }
    }
    arena_free(keep);
}

static void bf_arg_free(void *arg)
{
    bf_arg_t *ba = arg;
    free(ba->table);
    free(ba->index_id);
    free(ba);
}

void backfill__start(eng_t *e, const char *table, const char *index_id)
{
    bf_arg_t *ba = malloc(sizeof *ba);
    if (!ba) abort();
    ba->e = e;
    ba->table = strdup(table);
    ba->index_id = strdup(index_id);
    if (!ba->table || !ba->index_id) abort();
    char name[96];
    snprintf(name, sizeof name, "backfill %s/%s", table, index_id);
    job__start(&e->jobs, JOB_BACKFILL, name, bf_main, ba, bf_arg_free);
}

void eng_backfill_wait(eng_t *e)
{
    jobs__wait(&e->jobs, JOB_BACKFILL);
}
