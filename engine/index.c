/*
 * index: secondary index entries (GSI and LSI) and the backfill of a new GSI.
 *
 * Each index is its own column family "x.<index id>" (engine_int.h). An entry (on disk, never
 * change; docs/storage-format.md):
 *   key   = hash:4 | kenc(index partition key) | kenc(index sort key)? | kenc(table partition key)
 *           | kenc(table sort key)?
 *           (hash = key__hash of kenc(index partition key), as in base keys)
 *   value = itemenc of the projected item: index keys, table keys, and the projection's
 *           attributes (all of them for ALL)
 * An item is in an index only when it carries every index key attribute with the declared type
 * (sparse indexes). Entries change in the same write batch as the item (idx__deltas), with
 * per-index counters "<index id>" FMT_STATS_PACKED (format.h).
 *
 * Backfill of a GSI added by UpdateTable: a thread walks the table in key order, 256 items at a
 * time; it locks the chunk's stripes (ascending, so it cannot deadlock with transactions), re-reads
 * each item, and writes the entries that are not there yet. Writes racing it maintain the index
 * themselves; while an index is backfilling they check whether an old entry really exists before
 * counting its removal, so the counters stay exact. At the end the index becomes ACTIVE.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
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
    if (!usable(attr(item, x->key.hash.name), x->key.hash.type)) return false;
    if (x->key.range.name && !usable(attr(item, x->key.range.name), x->key.range.type)) return false;
    key__base(b, &x->key, item);
    kenc_put(b, attr(item, t->key.hash.name));
    if (t->key.range.name) kenc_put(b, attr(item, t->key.range.name));
    return true;
}

static bool is_key_name(const eng_table_t *t, const eng_index_t *x, ddb_str_t n)
{
    const char *names[4] = {t->key.hash.name, t->key.range.name, x->key.hash.name, x->key.range.name};
    for (int i = 0; i < 4; i++)
        if (names[i] && ddb_str_eq(n, names[i])) return true;
    return false;
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
static int has_entry(eng_t *e, const eng_index_t *x, const buf_t *k, arena_t *a)
{
    char *v;
    size_t vl;
    return db__get(e->db, x->store_->cf, k->data, k->len, a, &v, &vl);
}

/* Write the entry of `item` under key k; returns its size (the index's byte counter). */
static int64_t put_entry(db_batch_t *b, const eng_table_t *t, const eng_index_t *x, const buf_t *k,
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
            int got = has_entry(e, x, &ok, a);
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
            new_size = put_entry(b, t, x, &nk, nitem, a);
        stats__delta(e, b, x->id, (int64_t)has_new - (int64_t)has_old, new_size - old_size);
    }
    return 0;
}

ddb_err_t eng_index_keys_check(const eng_table_t *t, const av_map_t *item, bool by_update, ddb_errctx_t *err)
{
    for (size_t i = 0; i < t->n_idx; i++) {
        const eng_index_t *x = &t->idx[i];
        const eng_attr_t *ka[2] = {&x->key.hash, &x->key.range};
        for (int k = 0; k < 2; k++) {
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
        }
    }
    return DDB_OK;
}

/* ---- backfill -------------------------------------------------------------------------------- */

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
        int got = has_entry(e, x, &ik, a);
        if (got < 0) rc = -1;
        if (got != 0) continue; /* a write already made it */
        dcount++;
        dbytes += put_entry(b, t, x, &ik, item, a);
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

static void *bf_main(void *arg)
{
    bf_arg_t *ba = arg;
    eng_t *e = ba->e;
    arena_t *keep = arena_new(1024);
    buf_t resume;
    buf_init(&resume, keep, 256);
    size_t total = 0;
    while (!atomic_load(&e->bf_stop)) {
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
        if (n >= 0) total += (size_t)n;
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
            struct timespec ts = {0, DB_PROBE_MS * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        if (n < 0) {
            log_error("backfill of index %s on table %s stopped by a storage error", ba->index_id, ba->table);
            break;
        }
    }
    arena_free(keep);
    free(ba->table);
    free(ba->index_id);
    free(ba);
    /* last touch of the engine: eng_close may free it as soon as the count reaches 0 */
    pthread_mutex_lock(&e->bf_mu);
    e->bf_running--;
    pthread_cond_broadcast(&e->bf_cv);
    pthread_mutex_unlock(&e->bf_mu);
    return NULL;
}

void idx__backfill_start(eng_t *e, const char *table, const char *index_id)
{
    bf_arg_t *ba = malloc(sizeof *ba);
    if (!ba) abort();
    ba->e = e;
    ba->table = strdup(table);
    ba->index_id = strdup(index_id);
    if (!ba->table || !ba->index_id) abort();
    pthread_mutex_lock(&e->bf_mu);
    e->bf_running++;
    pthread_mutex_unlock(&e->bf_mu);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &at, bf_main, ba) != 0) abort();
    pthread_attr_destroy(&at);
}

void eng_backfill_wait(eng_t *e)
{
    pthread_mutex_lock(&e->bf_mu);
    while (e->bf_running > 0) pthread_cond_wait(&e->bf_cv, &e->bf_mu);
    pthread_mutex_unlock(&e->bf_mu);
}

void idx__backfill_stop_all(eng_t *e)
{
    atomic_store(&e->bf_stop, true);
    eng_backfill_wait(e);
}
