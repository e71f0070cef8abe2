/*
 * index: secondary index entries (GSI and LSI); the backfill of a new GSI is backfill.c.
 *
 * Each index is its own column family "x.<index id>" (engine_int.h). An entry (on disk, never
 * change; docs/storage-format.md):
 *   key   = hash:4 | kenc(index partition key) | kenc(index sort key)? | kenc(table partition key)
 *           | kenc(table sort key)?
 *           (hash = key__hash of kenc(index partition key), as in base keys)
 *   A GSI's multi-attribute key (up to 4 HASH and 4 RANGE attributes) is the general form: each
 *   "kenc(index ... key)" is the encodings of its attributes one after the other in schema order,
 *   and the hash covers those of the HASH attributes (key.c); one attribute each is the layout above.
 *   value = itemenc of the projected item: index keys, table keys, and the projection's
 *           attributes (all of them for ALL)
 * An item is in an index only when it carries every index key attribute with the declared type
 * (sparse indexes). Entries change in the same write batch as the item (idx__deltas), with
 * per-index counters "<index id>" FMT_STATS_PACKED (format.h).
 */
#include "engine/engine_int.h"

#include <string.h>

#include "engine/keyenc.h"

static const av_t *attr(const av_map_t *m, const char *name)
{
    return name ? av_map_get(m, name, strlen(name)) : NULL;
}

static bool usable(const av_t *v, av_type_t want)
{
    return v && v->type == want && !((want == AV_S || want == AV_B) && v->s.len == 0);
}

bool idx__key(buf_t *b, const eng_table_t *t, const eng_index_t *x, const av_map_t *item)
{
    for (int i = 0; i < ENG_KEY_ATTRS_MAX; i++) {
        const eng_attr_t *h = &x->key.hashes[i], *r = &x->key.ranges[i];
        if (h->name && !usable(attr(item, h->name), h->type)) return false;
        if (r->name && !usable(attr(item, r->name), r->type)) return false;
    }
    key__base(b, &x->key, item);
    kenc_put(b, attr(item, t->key.hash.name));
    if (t->key.range.name) kenc_put(b, attr(item, t->key.range.name));
    return true;
}

static bool is_key_name(const eng_table_t *t, const eng_index_t *x, ddb_str_t n)
{
    if (ddb_str_eq(n, t->key.hash.name) || (t->key.range.name && ddb_str_eq(n, t->key.range.name)))
        return true;
    return eng_key_has(&x->key, n.ptr, n.len);
}

av_map_t *eng_index_project(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *item)
{
    if (x->proj == ENG_PROJ_ALL) return (av_map_t *)item;
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, item->n + 1);
    for (size_t i = 0; i < item->n; i++) {
        ddb_str_t n = item->kvs[i].name;
        bool keep = is_key_name(t, x, n);
        for (size_t j = 0; j < x->n_nonkey && !keep; j++) keep = ddb_str_eq(n, x->nonkey[j]);
        if (keep) m->kvs[m->n++] = item->kvs[i];
    }
    return m;
}

/* Whether index x holds an entry under key k: 1, 0, or -1 on a storage error. */
int idx__has_entry(eng_t *e, const eng_index_t *x, const buf_t *k, arena_t *a)
{
    char *v;
    size_t vl;
    return db__get(e->db, x->store_->cf, k->data, k->len, a, &v, &vl);
}

/* Write the entry of `item` under key k; returns its size (the index's byte counter). */
int64_t idx__put_entry(db_batch_t *b, const eng_table_t *t, const eng_index_t *x, const buf_t *k,
                       const av_map_t *item, arena_t *a)
{
    av_map_t *p = eng_index_project(a, t, x, item);
    buf_t val;
    buf_init(&val, a, 256);
    itemenc__encode(&val, p);
    db__batch_put(b, x->store_->cf, k->data, k->len, val.data, val.len);
    return (int64_t)av_item_size(p);
}

int idx__deltas(eng_t *e, const eng_table_t *t, db_batch_t *b, const av_map_t *old, const av_map_t *nitem,
                arena_t *a)
{
    for (size_t i = 0; i < t->n_idx; i++) {
        const eng_index_t *x = &t->idx[i];
        buf_t ok, nk;
        buf_init(&ok, a, 128);
        buf_init(&nk, a, 128);
        bool has_old = old && idx__key(&ok, t, x, old);
        bool has_new = nitem && idx__key(&nk, t, x, nitem);
        if (has_old && x->backfilling) { /* the backfill may not have written it yet */
            int got = idx__has_entry(e, x, &ok, a);
            if (got < 0) return -1;
            has_old = got == 1;
        }
        bool same_key = has_old && has_new && ok.len == nk.len && !memcmp(ok.data, nk.data, ok.len);
        if (!has_old && !has_new) continue;
        int64_t old_size = has_old ? (int64_t)av_item_size(eng_index_project(a, t, x, old)) : 0;
        int64_t new_size = 0;
        if (has_old && !same_key) db__batch_del(b, x->store_->cf, ok.data, ok.len);
        if (has_new && same_key && x->proj == ENG_PROJ_KEYS_ONLY) /* keys-only entries never change */
            new_size = old_size;
        else if (has_new)
            new_size = idx__put_entry(b, t, x, &nk, nitem, a);
        stats__delta(e, b, x->id, (int64_t)has_new - (int64_t)has_old, new_size - old_size);
    }
    return 0;
}

void eng_index_change(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *old,
                      const av_map_t *nitem, eng_index_change_t *out)
{
    buf_t ok, nk;
    buf_init(&ok, a, 128);
    buf_init(&nk, a, 128);
    memset(out, 0, sizeof *out);
    out->had = old && idx__key(&ok, t, x, old);
    out->has = nitem && idx__key(&nk, t, x, nitem);
    const av_map_t *po = out->had ? eng_index_project(a, t, x, old) : NULL;
    const av_map_t *pn = out->has ? eng_index_project(a, t, x, nitem) : NULL;
    out->old_size = po ? av_item_size(po) : 0;
    out->new_size = pn ? av_item_size(pn) : 0;
    if (out->had && out->has) {
        out->moved = ok.len != nk.len || memcmp(ok.data, nk.data, ok.len) != 0;
        out->changed = !out->moved && !av_map_equal(po, pn);
    }
}

ddb_err_t eng_index_keys_check(const eng_table_t *t, const av_map_t *item, bool by_update, ddb_errctx_t *err)
{
    for (size_t i = 0; i < t->n_idx; i++) {
        const eng_index_t *x = &t->idx[i];
        const eng_attr_t *ka[2 * ENG_KEY_ATTRS_MAX];
        for (int k = 0; k < ENG_KEY_ATTRS_MAX; k++) { /* in schema order: HASH, then RANGE */
            ka[k] = &x->key.hashes[k];
            ka[ENG_KEY_ATTRS_MAX + k] = &x->key.ranges[k];
        }
        for (int k = 0; k < 2 * ENG_KEY_ATTRS_MAX; k++) {
            if (!ka[k]->name) continue;
            const av_t *v = attr(item, ka[k]->name);
            if (!v) continue;
            if (v->type != ka[k]->type)
                return err_set(err, DDB_ERR_VALIDATION,
                               "One or more parameter values were invalid: Type mismatch for Index Key %s "
                               "Expected: %s Actual: %s IndexName: %s",
                               ka[k]->name, av_type_name(ka[k]->type), av_type_name(v->type), x->name);
            if ((v->type == AV_S || v->type == AV_B) && v->s.len == 0 && by_update)
                return err_set(
                    err, DDB_ERR_VALIDATION,
                    "One or more parameter values are not valid. The update expression attempted to "
                    "update a secondary index key to a value that is not supported. The AttributeValue "
                    "for a key attribute cannot contain an empty %s value.",
                    v->type == AV_S ? "string" : "binary");
            if ((v->type == AV_S || v->type == AV_B) && v->s.len == 0)
                return err_set(err, DDB_ERR_VALIDATION,
                               "One or more parameter values are not valid. A value specified for a "
                               "secondary index key is not supported. The AttributeValue for a key attribute "
                               "cannot contain an empty %s value. IndexName: %s, IndexKey: %s",
                               v->type == AV_S ? "string" : "binary", x->name, ka[k]->name);
            /* an index key has the table key's size limits (AWS's texts for table keys; not recorded
             * for index keys) */
            if (k < ENG_KEY_ATTRS_MAX && av_size(v) > 2048)
                return err_set(err, DDB_ERR_VALIDATION,
                               "One or more parameter values were invalid: Size of hashkey has exceeded the "
                               "maximum size limit of2048 bytes");
            if (k >= ENG_KEY_ATTRS_MAX && av_size(v) > 1024)
                return err_set(err, DDB_ERR_VALIDATION,
                               "One or more parameter values were invalid: Aggregated size of all range keys "
                               "has exceeded the size limit of 1024 bytes");
        }
    }
    return DDB_OK;
}
