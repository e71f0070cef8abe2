/*
 * bulk: whole tables in and out, for exports, imports and seeding (issue 18).
 *
 *   eng_bulk_*         items loaded into a table in batches of BULK_BATCH distinct keys: each batch is
 *                      one eng_multi_write (stripes locked ascending, item + index entries + counters in
 *                      one RocksDB write batch), so a load is as safe against concurrent writers as a
 *                      BatchWriteItem and its indexes and counters stay exact. A key seen twice: the
 *                      later item wins (the batch holding the earlier one is written first).
 *   eng_task_*         a background task of the server's (an export, an import) run as an engine job
 *                      (jobs.c): off the event loops, stopped by eng_close, with a progress counter.
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

/* Items per write batch of a bulk load: big enough that a batch's fixed costs (locks, the write
 * itself) vanish, small enough that the stripes it holds block a concurrent writer for ~ms. */
#define BULK_BATCH 1024

/* ---- bulk loads ------------------------------------------------------------------------------ */

struct eng_bulk {
    eng_t *e;
    eng_table_t *t;
    arena_t *a; /* the pending batch's items and keys; reset after each write */
    size_t n;
    av_map_t *items[BULK_BATCH];
    av_map_t *keys[BULK_BATCH];
    uint64_t hashes[BULK_BATCH];
    int slot[2 * BULK_BATCH]; /* open addressing over hashes: index + 1, 0 = empty */
    uint64_t written;
};

static uint64_t key_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h ? h : 1;
}

eng_bulk_t *eng_bulk_begin(eng_t *e, eng_table_t *t)
{
    eng_bulk_t *b = ddb_xmalloc(sizeof *b);
    memset(b, 0, sizeof *b);
    b->e = e;
    b->t = t;
    eng_table_retain(t);
    b->a = arena_new(256 << 10);
    return b;
}

static ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    (void)old;
    (void)err;
    *action = ENG_APPLY_PUT;
    *new_item = ctx;
    return DDB_OK;
}

typedef struct {
    const char *k;
    size_t kl;
    size_t i;
} sorted_key_t;

static int cmp_key(const void *x, const void *y)
{
    const sorted_key_t *a = x, *b = y;
    int c = memcmp(a->k, b->k, a->kl < b->kl ? a->kl : b->kl);
    return c ? c : (a->kl > b->kl) - (a->kl < b->kl);
}

static ddb_err_t flush(eng_bulk_t *b, ddb_errctx_t *err)
{
    if (!b->n) return DDB_OK;
    /* staged in key order: RocksDB's memtable inserts a sorted batch much faster (its skip list
     * reuses the previous insert's position; random hash-prefixed keys cost ~10 % of a load) */
    sorted_key_t *order = ARENA_NEWN(b->a, sorted_key_t, b->n);
    for (size_t i = 0; i < b->n; i++) {
        buf_t k;
        buf_init(&k, b->a, 96);
        key__base(&k, &b->t->key, b->keys[i]);
        order[i] = (sorted_key_t){k.data, k.len, i};
    }
    qsort(order, b->n, sizeof *order, cmp_key);
    eng_multi_op_t *ops = ARENA_NEWN(b->a, eng_multi_op_t, b->n);
    eng_multi_result_t *res = ARENA_NEWN(b->a, eng_multi_result_t, b->n);
    for (size_t j = 0; j < b->n; j++) {
        size_t i = order[j].i;
        ops[j].table = b->t;
        ops[j].key = b->keys[i];
        ops[j].apply = put_apply;
        ops[j].ctx = b->items[i];
    }
    for (size_t i = 0; i < b->n; i++) {
        ops[i].origin = ENG_ORIGIN_RESTORE;
        err_init(&res[i].err, b->a);
    }
    ddb_err_t rc = eng_multi_write(b->e, b->n, ops, b->a, res, err);
    if (rc == DDB_ERR_TRANSACTION_CANCELED) { /* cannot happen: every item was checked before */
        for (size_t i = 0; i < b->n; i++)
            if (res[i].err.code) {
                rc = err_set(err, res[i].err.code, "%s", res[i].err.msg ? res[i].err.msg : "");
                break;
            }
    }
    if (rc == DDB_OK) b->written += b->n;
    b->n = 0;
    memset(b->slot, 0, sizeof b->slot);
    arena_reset(b->a);
    return rc;
}

/* The item carries the key attribute `at` with its declared type: the callers checked the item as
 * PutItem does (exec_item_keys_or_err: types, empty values, key sizes); this only keeps the key
 * encoding from meeting an item that breaks the engine's invariant. */
static bool has_key(const av_map_t *item, const eng_attr_t *at)
{
    const av_t *v = av_map_get(item, at->name, strlen(at->name));
    return v && v->type == at->type;
}

ddb_err_t eng_bulk_put(eng_bulk_t *b, const av_map_t *item, ddb_errctx_t *err)
{
    const eng_table_t *t = b->t;
    if (!has_key(item, &t->key.hash) || (t->key.range.name && !has_key(item, &t->key.range)))
        return err_set(err, DDB_ERR_VALIDATION, "One or more parameter values were invalid: the item's key");
    if (av_item_size(item) > 400 * 1024)
        return err_set(err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
    ddb_err_t rc;
    if (t->n_idx && (rc = eng_index_keys_check(t, item, false, err)) != DDB_OK) return rc;

    buf_t k;
    buf_init(&k, b->a, 96);
    key__base(&k, &t->key, item);
    uint64_t h = key_hash(k.data, k.len);
    size_t mask = 2 * BULK_BATCH - 1, at = h & mask;
    for (; b->slot[at]; at = (at + 1) & mask) {
        if (b->hashes[b->slot[at] - 1] != h) continue;
        buf_t k2; /* same hash: compare the keys themselves */
        buf_init(&k2, b->a, 96);
        key__base(&k2, &t->key, b->keys[b->slot[at] - 1]);
        if (k2.len == k.len && !memcmp(k2.data, k.data, k.len)) {
            if ((rc = flush(b, err)) != DDB_OK) return rc; /* the earlier item is written first */
            return eng_bulk_put(b, item, err);
        }
    }
    av_map_t *copy = ARENA_NEW(b->a, av_map_t);
    av_map_copy(b->a, item, copy);
    b->items[b->n] = copy;
    b->keys[b->n] = key__attrs(b->a, t, NULL, copy);
    b->hashes[b->n] = h;
    b->slot[at] = (int)++b->n;
    if (b->n == BULK_BATCH) return flush(b, err);
    return DDB_OK;
}

ddb_err_t eng_bulk_flush(eng_bulk_t *b, ddb_errctx_t *err)
{
    return flush(b, err);
}

uint64_t eng_bulk_written(const eng_bulk_t *b)
{
    return b->written;
}

void eng_bulk_free(eng_bulk_t *b)
{
    if (!b) return;
    eng_table_release(b->t);
    arena_free(b->a);
    free(b);
}

/* ---- tasks ----------------------------------------------------------------------------------- */

struct task_arg {
    eng_task_fn fn;
    void *arg;
    void (*free_arg)(void *arg);
};

static void task_main(job_t *job, void *p)
{
    struct task_arg *ta = p;
    ta->fn((eng_task_t *)job, ta->arg);
}

static void task_free(void *p)
{
    struct task_arg *ta = p;
    if (ta->free_arg) ta->free_arg(ta->arg);
    free(ta);
}

bool eng_task_start(eng_t *e, const char *name, eng_task_fn fn, void *arg, void (*free_arg)(void *arg))
{
    struct task_arg *ta = ddb_xmalloc(sizeof *ta);
    ta->fn = fn;
    ta->arg = arg;
    ta->free_arg = free_arg;
    return job__start(&e->jobs, JOB_TASK, name, task_main, ta, task_free);
}

bool eng_task_stopping(const eng_task_t *task)
{
    return task && job__stopping((const job_t *)task);
}

void eng_task_progress(eng_task_t *task, uint64_t n)
{
    if (task) job__progress((job_t *)task, n);
}

void eng_task_wait(eng_t *e)
{
    jobs__wait(&e->jobs, JOB_TASK);
}
