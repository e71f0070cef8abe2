/*
 * txn: several items as one write (TransactWriteItems, BatchWriteItem) and several items read at
 * one snapshot (TransactGetItems, BatchGetItem).
 *
 * A multi-write locks the stripes of all its keys in ascending order, deduplicated (item writes
 * take one stripe, backfills take theirs ascending too, so nobody can wait in a cycle), checks
 * that no table's set of indexes changed since its description was taken (else it unlocks,
 * re-reads the descriptions and starts again), runs every apply callback, and commits one
 * RocksDB write batch holding every item, index entry, counter change and stream record, or nothing.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

/* The current description of t's table (NULL if it was deleted), a new reference. */
static eng_table_t *refresh(eng_t *e, const eng_table_t *t)
{
    eng_table_t *nt = eng_table_get(e, t->name, strlen(t->name));
    if (nt && nt->store_ != t->store_) { /* deleted and re-created */
        eng_table_release(nt);
        nt = NULL;
    }
    return nt;
}

ddb_err_t eng_multi_write(eng_t *e, size_t n, const eng_multi_op_t *ops, arena_t *a, eng_multi_result_t *res,
                          ddb_errctx_t *err)
{
    buf_t *keys = ARENA_NEWN(a, buf_t, n + 1);
    unsigned *stripes = ARENA_NEWN(a, unsigned, n + 1);
    eng_table_t **tables = ARENA_NEWN(a, eng_table_t *, n + 1);
    bool *fresh = ARENA_NEWN(a, bool, n + 1); /* tables[i] is our own reference */
    for (size_t i = 0; i < n; i++) {
        tables[i] = ops[i].table;
        buf_init(&keys[i], a, 96);
        key__base(&keys[i], &tables[i]->key, ops[i].key);
        stripes[i] = lock__stripe(tables[i]->id, keys[i].data, keys[i].len);
    }
    size_t ns = lock__sort_unique(stripes, n);

    ddb_err_t rc = DDB_OK;
    for (;;) {
        lock__acquire_all(&e->locks, stripes, ns);
        bool stale = false;
        for (size_t i = 0; i < n && !stale; i++)
            stale = tables[i]->idx_gen_ != atomic_load(&tables[i]->store_->idx_gen);
        if (!stale) break;
        lock__release_all(&e->locks, stripes, ns);
        for (size_t i = 0; i < n; i++) {
            if (tables[i]->idx_gen_ == atomic_load(&tables[i]->store_->idx_gen)) continue;
            eng_table_t *nt = refresh(e, tables[i]);
            if (!nt) {
                rc = err_set(err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
                goto done;
            }
            if (fresh[i]) eng_table_release(tables[i]);
            tables[i] = nt;
            fresh[i] = true;
        }
    }

    db_batch_t *b = db__batch_new();
    bool failed = false, any = false;
    uint64_t held = 0; /* stream sequence numbers this batch took (stream.c) */
    for (size_t i = 0; i < n; i++) {
        bool changed = false;
        ddb_err_t r = item__stage(e, tables[i], &keys[i], ops[i].apply, ops[i].ctx, ops[i].origin, a, b,
                                  &held, &res[i].res, &changed, &res[i].err);
        if (r == DDB_ERR_INTERNAL) {
            rc = db__storage_err(e->db, false, err);
            break;
        }
        failed |= r != DDB_OK;
        any |= changed;
    }
    if (rc == DDB_OK && failed) rc = DDB_ERR_TRANSACTION_CANCELED;
    if (rc == DDB_OK && any && db__write(e->db, b) != 0) rc = db__storage_err(e->db, true, err);
    if (held) stream__release(e, held);
    db__batch_free(b);
    lock__release_all(&e->locks, stripes, ns);
done:
    for (size_t i = 0; i < n; i++)
        if (fresh[i]) eng_table_release(tables[i]);
    return rc;
}

ddb_err_t eng_multi_get(eng_t *e, size_t n, eng_table_t *const *tables, const av_map_t *const *keys,
                        arena_t *a, av_map_t **out, ddb_errctx_t *err)
{
    db_snap_t *snap = n > 1 ? db__snap_new(e->db) : NULL;
    ddb_err_t rc = DDB_OK;
    for (size_t i = 0; i < n && rc == DDB_OK; i++) {
        buf_t k;
        buf_init(&k, a, 96);
        key__base(&k, &tables[i]->key, keys[i]);
        rc = item__read(e, tables[i], snap, k.data, k.len, a, &out[i], err);
    }
    db__snap_free(e->db, snap);
    return rc;
}
