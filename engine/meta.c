/*
 * meta: small records the server keeps beside the catalog (Lambda event-source mappings and their
 * checkpoints today), in the engine's sys column family under their own key prefix, so that they
 * survive restarts and a kill -9 like tables do.
 *
 *   key   FMT_META_KEY_PREFIX "<caller's key>"   ("m/esm/<uuid>", "m/ckpt/<uuid>", ...)
 *   value the caller's bytes, opaque to the engine
 *
 * The catalog and the stream descriptions load only their own prefixes ("t/", "s/") from the same
 * family, so records here never reach them. eng_meta_write commits any number of puts and deletes
 * as one RocksDB write batch (a checkpoint with the state that goes with it, a mapping with its
 * checkpoint): after a crash either all of them are there or none.
 * Entry points: eng_meta_write, eng_meta_get, eng_meta_list (engine.h).
 */
#include "engine/engine_int.h"

#include <string.h>

#include "common/log.h"

static void meta_key(buf_t *b, const char *key, size_t klen)
{
    buf_put(b, FMT_META_KEY_PREFIX, FMT_META_KEY_PREFIX_LEN);
    buf_put(b, key, klen);
}

ddb_err_t eng_meta_write(eng_t *e, const eng_meta_op_t *ops, size_t n, arena_t *a, ddb_errctx_t *err)
{
    db_batch_t *b = db__batch_new();
    for (size_t i = 0; i < n; i++) {
        buf_t k;
        buf_init(&k, a, FMT_META_KEY_PREFIX_LEN + ops[i].klen + 1);
        meta_key(&k, ops[i].key, ops[i].klen);
        if (ops[i].val)
            db__batch_put(b, db__sys(e->db), k.data, k.len, ops[i].val, ops[i].vlen);
        else
            db__batch_del(b, db__sys(e->db), k.data, k.len);
    }
    int rc = db__write(e->db, b);
    db__batch_free(b);
    if (rc != 0) return db__storage_err(e->db, true, err);
    return DDB_OK;
}

int eng_meta_get(eng_t *e, const char *key, size_t klen, arena_t *a, char **val, size_t *vlen)
{
    buf_t k;
    buf_init(&k, a, FMT_META_KEY_PREFIX_LEN + klen + 1);
    meta_key(&k, key, klen);
    return db__get(e->db, db__sys(e->db), k.data, k.len, a, val, vlen);
}

int eng_meta_list(eng_t *e, const char *prefix, arena_t *a, eng_meta_kv_t **out, size_t *n)
{
    size_t plen = strlen(prefix);
    buf_t lo, hi;
    buf_init(&lo, a, FMT_META_KEY_PREFIX_LEN + plen + 1);
    meta_key(&lo, prefix, plen);
    /* the end of the range: the prefix with its last byte raised (0xff bytes carried away) */
    buf_init(&hi, a, lo.len + 1);
    buf_put(&hi, lo.data, lo.len);
    while (hi.len > 0 && (unsigned char)hi.data[hi.len - 1] == 0xff) hi.len--;
    hi.data[hi.len - 1]++; /* never empty: FMT_META_KEY_PREFIX has no 0xff byte */
    size_t cap = 16, cnt = 0;
    eng_meta_kv_t *kv = arena_alloc(a, cap * sizeof *kv);
    db_iter_t *it = db__iter_new(e->db, db__sys(e->db), NULL, lo.data, lo.len, hi.data, hi.len, false);
    for (db__iter_first(it); db__iter_valid(it); db__iter_next(it)) {
        size_t kl, vl;
        const char *k = db__iter_key(it, &kl), *v = db__iter_value(it, &vl);
        if (cnt == cap) {
            eng_meta_kv_t *more = arena_alloc(a, 2 * cap * sizeof *more);
            memcpy(more, kv, cnt * sizeof *kv);
            kv = more;
            cap *= 2;
        }
        kv[cnt].key = arena_memdup(a, k + FMT_META_KEY_PREFIX_LEN, kl - FMT_META_KEY_PREFIX_LEN);
        kv[cnt].klen = kl - FMT_META_KEY_PREFIX_LEN;
        kv[cnt].val = arena_memdup(a, v, vl);
        kv[cnt].vlen = vl;
        cnt++;
    }
    if (db__iter_free(it) != 0) return -1;
    *out = kv;
    *n = cnt;
    return 0;
}
