/*
 * item: get and read-modify-write of one item (base keys: key.c).
 *
 * Write path: lock the key's stripe, read the old item, run apply, write item + index entries +
 * statistics deltas + stream record in one batch (item__stage), unlock. Statistics are merges in the stats
 * column family (stats.c).
 */
#include "engine/engine_int.h"

#include <string.h>

#include "common/log.h"

/* item__read, also handing out the stored bytes (*raw, in a; NULL when absent) */
static ddb_err_t read_raw(eng_t *e, const eng_table_t *t, db_snap_t *snap, const char *k, size_t kl,
                          arena_t *a, av_map_t **out, const char **raw, size_t *rawlen, ddb_errctx_t *err)
{
    char *v = NULL;
    size_t vl = 0;
    *out = NULL;
    *raw = NULL;
    *rawlen = 0;
    int got = db__get_at(e->db, t->store_->cf, snap, k, kl, a, &v, &vl);
    if (got < 0) return db__storage_err(e->db, false, err);
    if (got == 0) return DDB_OK;
    av_map_t *item = ARENA_NEW(a, av_map_t);
    if (itemenc__decode(a, v, vl, item) != 0) {
        log_error("table %s: corrupt item record", t->name);
        return db__storage_err(e->db, false, err);
    }
    *out = item;
    *raw = v;
    *rawlen = vl;
    return DDB_OK;
}

ddb_err_t item__read(eng_t *e, const eng_table_t *t, db_snap_t *snap, const char *k, size_t kl, arena_t *a,
                     av_map_t **out, ddb_errctx_t *err)
{
    const char *raw;
    size_t rawlen;
    return read_raw(e, t, snap, k, kl, a, out, &raw, &rawlen, err);
}

ddb_err_t eng_item_get(eng_t *e, eng_table_t *t, const av_map_t *key, arena_t *a, av_map_t **out,
                       ddb_errctx_t *err)
{
    return eng_multi_get(e, 1, &t, &key, a, out, err);
}

/* Under the key's lock: read the old item, run apply, and add the change (item, index entries,
 * counters, stream record) to `b`. *changed tells whether anything was added. */
ddb_err_t item__stage(eng_t *e, eng_table_t *t, const buf_t *k, eng_apply_fn apply, void *ctx,
                      eng_origin_t origin, arena_t *a, db_batch_t *b, uint64_t *stream_held,
                      eng_write_result_t *res, bool *changed, ddb_errctx_t *err)
{
    memset(res, 0, sizeof *res);
    *changed = false;
    const char *old_raw; /* the stored bytes of the old item: the PITR history keeps them as they are */
    size_t old_rawlen;
    ddb_err_t rc = read_raw(e, t, NULL, k->data, k->len, a, &res->old_item, &old_raw, &old_rawlen, err);
    if (rc) return rc;
    if (res->old_item) res->old_size = av_item_size(res->old_item);
    eng_apply_t action = ENG_APPLY_NOOP;
    av_map_t *nitem = NULL;
    if ((rc = apply(ctx, res->old_item, &action, &nitem, err)) != DDB_OK) return rc;
    if (action == ENG_APPLY_NOOP || (action == ENG_APPLY_DELETE && !res->old_item)) {
        res->new_item = res->old_item;
        res->new_size = res->old_size;
        return DDB_OK;
    }
    if (action == ENG_APPLY_PUT && t->n_idx && (rc = eng_index_keys_check(t, nitem, false, err)) != DDB_OK)
        return rc;
    if (action == ENG_APPLY_PUT) {
        buf_t val;
        buf_init(&val, a, 256);
        itemenc__encode(&val, nitem);
        db__batch_put(b, t->store_->cf, k->data, k->len, val.data, val.len);
        res->new_item = nitem;
        res->new_size = av_item_size(nitem);
        stats__delta(e, b, t->id, res->old_item ? 0 : 1, (int64_t)res->new_size - (int64_t)res->old_size);
    } else {
        db__batch_del(b, t->store_->cf, k->data, k->len);
        stats__delta(e, b, t->id, -1, -(int64_t)res->old_size);
    }
    if (t->n_idx && idx__deltas(e, t, b, res->old_item, res->new_item, a) != 0)
        return db__storage_err(e->db, false, err);
    if (t->stream_enabled) stream__stage(e, t, b, origin, res->old_item, res->new_item, a, stream_held);
    if (t->pitr_enabled) pitr__stage(e, t, b, k, old_raw, old_rawlen, a);
    *changed = true;
    return DDB_OK;
}

ddb_err_t eng_item_write(eng_t *e, eng_table_t *t, const av_map_t *key, eng_apply_fn apply, void *ctx,
                         arena_t *a, eng_write_result_t *res, ddb_errctx_t *err)
{
    eng_multi_op_t op = {t, key, apply, ctx};
    eng_multi_result_t r;
    err_init(&r.err, a);
    ddb_err_t rc = eng_multi_write(e, 1, &op, a, &r, err);
    *res = r.res;
    if (rc == DDB_ERR_TRANSACTION_CANCELED) /* the apply failed: its own error */
        rc = err_set(err, r.err.code, "%s", r.err.msg ? r.err.msg : "");
    return rc;
}
