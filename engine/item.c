/*
 * item: opening the engine, base keys, and get / read-modify-write of one item.
 *
 * Base key (on disk, never change; docs/storage-format.md):
 *   hash:4 bytes big endian  = key__hash(kenc(partition key))
 *   kenc(partition key)      self-delimiting (engine/keyenc.h)
 *   kenc(sort key)           when the table has one
 * The hash prefix spreads partitions across the key space, so Scan order looks like DynamoDB's
 * (not sorted by partition key) and parallel-scan segments can be hash ranges.
 *
 * Write path: lock the key's stripe, read the old item, run apply, write item + statistics
 * deltas in one batch, unlock. Statistics are uint64-add merges in the "stats" column family.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "engine/keyenc.h"

uint32_t key__hash(const char *p, size_t n)
{
    /* FNV-1a 64 followed by the splitmix64 finaliser; top 32 bits. */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return (uint32_t)(h >> 32);
}

_Static_assert(FMT_KEY_HASH_LEN == 4, "the partition hash prefix is a 32-bit big-endian word");

void key__partition(buf_t *b, const av_t *h)
{
    size_t start = b->len;
    buf_reserve(b, FMT_KEY_HASH_LEN);
    b->len += FMT_KEY_HASH_LEN;
    kenc_put(b, h);
    uint32_t hv = key__hash(b->data + start + FMT_KEY_HASH_LEN, b->len - start - FMT_KEY_HASH_LEN);
    unsigned char *p = (unsigned char *)b->data + start;
    p[0] = (unsigned char)(hv >> 24);
    p[1] = (unsigned char)(hv >> 16);
    p[2] = (unsigned char)(hv >> 8);
    p[3] = (unsigned char)hv;
}

void key__base(buf_t *b, const eng_keyschema_t *ks, const av_map_t *key)
{
    key__partition(b, av_map_get(key, ks->hash.name, strlen(ks->hash.name)));
    if (ks->range.name) kenc_put(b, av_map_get(key, ks->range.name, strlen(ks->range.name)));
}

eng_t *eng_open(const eng_opts_t *opts, char **errmsg)
{
    eng_t *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->db = db__open(opts, errmsg);
    if (!e->db) {
        free(e);
        return NULL;
    }
    lock__init(&e->locks);
    pthread_mutex_init(&e->bf_mu, NULL);
    pthread_cond_init(&e->bf_cv, NULL);
    e->cat = catalog__open(e->db, errmsg);
    if (!e->cat) {
        db__close(e->db);
        lock__dispose(&e->locks);
        free(e);
        return NULL;
    }
    /* Backfills interrupted by a restart start again (they skip entries already written). */
    arena_t *a = arena_new(4096);
    const char **names;
    size_t n = eng_table_list(e, a, &names);
    for (size_t i = 0; i < n; i++) {
        eng_table_t *t = eng_table_get(e, names[i], strlen(names[i]));
        for (size_t j = 0; t && j < t->n_idx; j++)
            if (t->idx[j].backfilling) idx__backfill_start(e, t->name, t->idx[j].id);
        eng_table_release(t);
    }
    arena_free(a);
    return e;
}

void eng_close(eng_t *e)
{
    if (!e) return;
    idx__backfill_stop_all(e);
    catalog__close(e->cat);
    db__close(e->db);
    lock__dispose(&e->locks);
    pthread_mutex_destroy(&e->bf_mu);
    pthread_cond_destroy(&e->bf_cv);
    free(e);
}

ddb_err_t item__read(eng_t *e, const eng_table_t *t, db_snap_t *snap, const char *k, size_t kl, arena_t *a,
                     av_map_t **out, ddb_errctx_t *err)
{
    char *v;
    size_t vl;
    *out = NULL;
    int got = db__get_at(e->db, t->store_->cf, snap, k, kl, a, &v, &vl);
    if (got < 0) return db__storage_err(e->db, false, err);
    if (got == 0) return DDB_OK;
    av_map_t *item = ARENA_NEW(a, av_map_t);
    if (itemenc__decode(a, v, vl, item) != 0) {
        log_error("table %s: corrupt item record", t->name);
        return db__storage_err(e->db, false, err);
    }
    *out = item;
    return DDB_OK;
}

ddb_err_t eng_item_get(eng_t *e, eng_table_t *t, const av_map_t *key, arena_t *a, av_map_t **out,
                       ddb_errctx_t *err)
{
    return eng_multi_get(e, 1, &t, &key, a, out, err);
}

/* Under the key's lock: read the old item, run apply, and add the change (item, index entries,
 * counters) to `b`. *changed tells whether anything was added. */
ddb_err_t item__stage(eng_t *e, eng_table_t *t, const buf_t *k, eng_apply_fn apply, void *ctx, arena_t *a,
                      db_batch_t *b, eng_write_result_t *res, bool *changed, ddb_errctx_t *err)
{
    memset(res, 0, sizeof *res);
    *changed = false;
    ddb_err_t rc = item__read(e, t, NULL, k->data, k->len, a, &res->old_item, err);
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
