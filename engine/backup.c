/*
 * backup: on-demand backups and restores (from a backup, or from a table as of a time: pitr.c's
 * reader).
 *
 * A backup's items: column family FMT_CF_BACKUPS, key = backup id (FMT_BACKUP_ID_LEN bytes) | the
 * table's base key, value = the table's own item record, copied byte for byte from one snapshot.
 * Its description: FMT_CF_SYS, FMT_BACKUP_KEY_PREFIX "<id>" ->
 *   {"v":1,"id":..,"name":..,"table":..,"table_id":..,"created":s,"status":"CREATING"|"AVAILABLE",
 *    "size":n,"count":n,"desc":"<the table's catalog record, as a JSON string>"}
 * A table of at most BK_INLINE items (by its counters at the snapshot) is copied during CreateBackup,
 * its items and AVAILABLE description in one batch. A larger one gets a CREATING description and a
 * copy job (batches of BK_CHUNK items) that holds the snapshot and writes AVAILABLE at the end; the
 * snapshot holds only what the table had then, so the foreground pays the snapshot (microseconds)
 * and the job's share of the disk. A backup a crash or stop left CREATING is removed at the next
 * open (its snapshot is gone with the process).
 *
 * A restore creates the target table with status CREATING and its restore fields (source, time,
 * RestoreInProgress; catalog.c persists them) and a job writes the items through eng_multi_write
 * (items, index entries, counters: the ordinary path, origin RESTORE) BK_CHUNK at a time, then marks
 * the table ACTIVE. A restore found in progress at open starts again from the beginning (writes are
 * puts of the same items: idempotent); when its source is gone (backup deleted, source table
 * deleted, time out of the window) the half-restored table is deleted and the failure logged.
 *
 * Backups in use (being created, or read by a restore) are counted in memory under `mu`:
 * DeleteBackup refuses them (BackupInUseException), as AWS does.
 * Entry points: eng_backup_*, eng_restore_start (engine.h); backup__open / backup__close.
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"

#define BK_INLINE 1000 /* tables up to this many items are copied during CreateBackup */
#define BK_CHUNK 1000  /* items per batch of a copy job; a restore writes RS_CHUNK per multi-write */
#define RS_CHUNK 256
/* A pause after each chunk of a copy or a restore: RocksDB's flushes keep up with the job's writes,
 * so foreground writes do not wait behind a stalled write queue (bench/backup_stall.py, 1 M items:
 * the longest gap between a client's answers during the copy fell from 477 ms to 43-93 ms, the copy
 * itself took 4.0 s instead of 4.6 s; docs/benchmarks.md). */
#define BK_PAUSE_MS 1

typedef struct {
    char id[FMT_BACKUP_ID_LEN + 1];
    int users; /* the copy job and restores reading it */
} busy_t;

struct backups {
    pthread_mutex_t mu; /* the busy list and making the family */
    _Atomic(db_cf_t *) cf;
    busy_t *busy;
    size_t n, cap;
};

/* ---- in-use marks ----------------------------------------------------------------------------- */

/* Mark id in use; bs->mu held (so a check of the backup and its mark are one step for DeleteBackup). */
static void busy_add_locked(backups_t *bs, const char *id)
{
    size_t i = 0;
    while (i < bs->n && strcmp(bs->busy[i].id, id)) i++;
    if (i == bs->n) {
        if (bs->n == bs->cap) {
            bs->cap = bs->cap ? bs->cap * 2 : 8;
            bs->busy = realloc(bs->busy, bs->cap * sizeof *bs->busy);
            if (!bs->busy) abort();
        }
        snprintf(bs->busy[bs->n].id, sizeof bs->busy[bs->n].id, "%s", id);
        bs->busy[bs->n++].users = 0;
    }
    bs->busy[i].users++;
}

static void busy_add(backups_t *bs, const char *id)
{
    pthread_mutex_lock(&bs->mu);
    busy_add_locked(bs, id);
    pthread_mutex_unlock(&bs->mu);
}

static void busy_drop(backups_t *bs, const char *id)
{
    pthread_mutex_lock(&bs->mu);
    for (size_t i = 0; i < bs->n; i++)
        if (!strcmp(bs->busy[i].id, id) && --bs->busy[i].users == 0) {
            bs->busy[i] = bs->busy[--bs->n];
            break;
        }
    pthread_mutex_unlock(&bs->mu);
}

/* Under mu. */
static bool busy_has(backups_t *bs, const char *id)
{
    for (size_t i = 0; i < bs->n; i++)
        if (!strcmp(bs->busy[i].id, id)) return true;
    return false;
}

/* ---- descriptions ------------------------------------------------------------------------------- */

static char *desc_key(arena_t *a, const char *id, size_t *len)
{
    char *k = arena_sprintf(a, FMT_BACKUP_KEY_PREFIX "%s", id);
    *len = strlen(k);
    return k;
}

static void put_desc(eng_t *e, db_batch_t *b, const eng_backup_t *bk, const char *table_json, arena_t *a)
{
    jw_t w;
    jw_init(&w, a, 1024);
    jw_obj_begin(&w);
    jw_keyz(&w, "v");
    jw_int(&w, FMT_BACKUP_VERSION);
    jw_keyz(&w, "id");
    jw_strz(&w, bk->id);
    jw_keyz(&w, "name");
    jw_strz(&w, bk->name);
    jw_keyz(&w, "table");
    jw_strz(&w, bk->table);
    jw_keyz(&w, "table_id");
    jw_strz(&w, bk->table_id);
    jw_keyz(&w, "created");
    jw_double(&w, bk->created);
    jw_keyz(&w, "status");
    jw_strz(&w, bk->available ? "AVAILABLE" : "CREATING");
    jw_keyz(&w, "size");
    jw_int(&w, bk->size_bytes);
    jw_keyz(&w, "count");
    jw_int(&w, bk->item_count);
    jw_keyz(&w, "desc");
    jw_strz(&w, table_json);
    jw_obj_end(&w);
    size_t kl;
    char *k = desc_key(a, bk->id, &kl);
    db__batch_put(b, db__sys(e->db), k, kl, w.b.data, w.b.len);
}

static const char *get_str(arena_t *a, const json_t *o, const char *k)
{
    const json_t *v = json_get(o, k);
    return v && v->type == JSON_STRING ? arena_memdup(a, v->str.ptr, v->str.len) : NULL;
}

static double get_num(const json_t *o, const char *k)
{
    const json_t *v = json_get(o, k);
    return v && v->type == JSON_NUMBER ? strtod(v->str.ptr, NULL) : 0;
}

/* Parse a stored description; *table_json (if not NULL) gets the table's record. 0 or -1. */
static int parse_desc(arena_t *a, const char *v, size_t vl, eng_backup_t *out, const char **table_json)
{
    memset(out, 0, sizeof *out);
    json_error_t je;
    json_t *o = json_parse(a, v, vl, 8, &je);
    if (!o || o->type != JSON_OBJECT || get_num(o, "v") != FMT_BACKUP_VERSION) return -1;
    out->id = get_str(a, o, "id");
    out->name = get_str(a, o, "name");
    out->table = get_str(a, o, "table");
    out->table_id = get_str(a, o, "table_id");
    out->created = get_num(o, "created");
    const char *st = get_str(a, o, "status");
    out->available = st && !strcmp(st, "AVAILABLE");
    out->size_bytes = (int64_t)get_num(o, "size");
    out->item_count = (int64_t)get_num(o, "count");
    if (table_json) *table_json = get_str(a, o, "desc");
    return out->id && out->name && out->table && out->table_id ? 0 : -1;
}

int eng_backup_get(eng_t *e, const char *id, bool with_desc, arena_t *a, eng_backup_t *out)
{
    memset(out, 0, sizeof *out);
    size_t kl, vl;
    char *k = desc_key(a, id, &kl), *v;
    int got = db__get(e->db, db__sys(e->db), k, kl, a, &v, &vl);
    if (got <= 0) return got;
    const char *tj = NULL;
    if (parse_desc(a, v, vl, out, &tj) != 0) {
        log_error("backup %s: corrupt description", id);
        return -1;
    }
    if (with_desc && (!tj || !(out->desc = catalog__table_parse(tj, strlen(tj))))) {
        log_error("backup %s: corrupt table description", id);
        return -1;
    }
    return 1;
}

int eng_backup_list(eng_t *e, arena_t *a, eng_backup_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    const char lo[] = FMT_BACKUP_KEY_PREFIX;
    char hi[] = FMT_BACKUP_KEY_PREFIX;
    hi[FMT_BACKUP_KEY_PREFIX_LEN - 1]++;
    db_iter_t *it = db__iter_new(e->db, db__sys(e->db), NULL, lo, FMT_BACKUP_KEY_PREFIX_LEN, hi,
                                 FMT_BACKUP_KEY_PREFIX_LEN, false);
    for (db__iter_first(it); db__iter_valid(it); db__iter_next(it)) {
        size_t vl;
        const char *v = db__iter_value(it, &vl);
        char *copy = arena_memdup(a, v, vl);
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            eng_backup_t *nb = ARENA_NEWN(a, eng_backup_t, cap);
            if (*n) memcpy(nb, *out, *n * sizeof *nb);
            *out = nb;
        }
        if (parse_desc(a, copy, vl, &(*out)[*n], NULL) == 0) (*n)++;
    }
    return db__iter_free(it);
}

/* ---- creating --------------------------------------------------------------------------------- */

static db_cf_t *backups_cf(eng_t *e)
{
    backups_t *bs = e->backups;
    db_cf_t *cf = atomic_load(&bs->cf);
    if (cf) return cf;
    pthread_mutex_lock(&bs->mu);
    if (!(cf = atomic_load(&bs->cf))) {
        cf = db__cf_find(e->db, FMT_CF_BACKUPS);
        if (!cf) cf = db__cf_create(e->db, FMT_CF_BACKUPS);
        atomic_store(&bs->cf, cf);
    }
    pthread_mutex_unlock(&bs->mu);
    return cf;
}

/* Ids sort in creation order (ListBackups' order): the millisecond part never repeats or goes back
 * within the process (a second backup in one millisecond takes the next one). */
static void new_id(char out[FMT_BACKUP_ID_LEN + 1])
{
    static _Atomic int64_t last_ms;
    int64_t ms = pitr__now_ms(), prev = atomic_load(&last_ms);
    do {
        if (ms <= prev) ms = prev + 1;
    } while (!atomic_compare_exchange_weak(&last_ms, &prev, ms));
    unsigned char r[4];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        unsigned x = (unsigned)ms * 2654435761u;
        memcpy(r, &x, 4);
    }
    snprintf(out, FMT_BACKUP_ID_LEN + 1, "%013llu-%02x%02x%02x%02x",
             (unsigned long long)ms % 10000000000000ULL, r[0], r[1], r[2],
             r[3]); /* 13 digits until the year 2286 */
}

/* Copy up to `max` items of the table from where `it` stands into b under the backup id. Returns the
 * number copied. */
static size_t copy_items(db_iter_t *it, db_batch_t *b, db_cf_t *cf, const char *id, size_t max, buf_t *k)
{
    size_t n = 0;
    for (; n < max && db__iter_valid(it); db__iter_next(it), n++) {
        size_t kl, vl;
        const char *key = db__iter_key(it, &kl);
        const char *v = db__iter_value(it, &vl);
        k->len = 0;
        buf_put(k, id, FMT_BACKUP_ID_LEN);
        buf_put(k, key, kl);
        db__batch_put(b, cf, k->data, k->len, v, vl);
    }
    return n;
}

typedef struct {
    eng_t *e;
    eng_table_t *t; /* a reference: the family stays readable after a DeleteTable */
    db_snap_t *snap;
    eng_backup_t bk; /* strings in `a` */
    char *table_json;
    arena_t *a;
} copy_job_t;

static void copy_main(job_t *job, void *arg)
{
    copy_job_t *cj = arg;
    eng_t *e = cj->e;
    db_cf_t *cf = atomic_load(&e->backups->cf);
    db_iter_t *it = db__iter_new(e->db, cj->t->store_->cf, cj->snap, NULL, 0, NULL, 0, false);
    arena_t *a = arena_new(1 << 16);
    buf_t k;
    buf_init(&k, a, 256);
    int rc = 0;
    db__iter_first(it);
    while (rc == 0 && db__iter_valid(it)) {
        if (job__stopping(job)) {
            log_warn("backup %s of table %s: stopped before the copy ended (removed at the next start)",
                     cj->bk.id, cj->bk.table);
            rc = 1;
            break;
        }
        db_batch_t *b = db__batch_new();
        size_t n = copy_items(it, b, cf, cj->bk.id, BK_CHUNK, &k);
        if (db__write(e->db, b) != 0) rc = -1;
        db__batch_free(b);
        job__progress(job, n);
        job__sleep(job, BK_PAUSE_MS); /* a stop ends it early: seen at the top */
    }
    if (db__iter_free(it) != 0) rc = -1;
    if (rc == 0) {
        db_batch_t *b = db__batch_new();
        cj->bk.available = true;
        put_desc(e, b, &cj->bk, cj->table_json, a);
        if (db__write(e->db, b) != 0) rc = -1;
        db__batch_free(b);
        if (rc == 0)
            log_info("backup %s of table %s is AVAILABLE (%lld items)", cj->bk.id, cj->bk.table,
                     (long long)cj->bk.item_count);
    }
    if (rc < 0)
        log_error("backup %s of table %s: storage error during the copy (removed at the next start)",
                  cj->bk.id, cj->bk.table);
    arena_free(a);
}

static void copy_free(void *arg)
{
    copy_job_t *cj = arg;
    busy_drop(cj->e->backups, cj->bk.id);
    db__snap_free(cj->e->db, cj->snap);
    eng_table_release(cj->t);
    arena_free(cj->a);
    free(cj);
}

ddb_err_t eng_backup_create(eng_t *e, const char *table, const char *name, arena_t *a, eng_backup_t *out,
                            ddb_errctx_t *err)
{
    memset(out, 0, sizeof *out);
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    if (!t) return err_set(err, DDB_ERR_TABLE_NOT_FOUND, "Table not found: %s", table);
    if (t->status && strcmp(t->status, "ACTIVE")) {
        eng_table_release(t);
        return err_set(err, DDB_ERR_TABLE_IN_USE, "Table is being created or deleted: %s", table);
    }
    db_cf_t *cf = backups_cf(e);
    if (!cf) {
        eng_table_release(t);
        return db__storage_err(e->db, true, err);
    }
    char id[FMT_BACKUP_ID_LEN + 1];
    new_id(id);
    db_snap_t *snap = db__snap_new(e->db); /* the backup's moment */
    eng_stats_t st = stats__read_at(e, t->id, snap);
    out->id = arena_strdup(a, id);
    out->name = arena_strdup(a, name);
    out->table = arena_strdup(a, t->name);
    out->table_id = arena_strdup(a, t->id);
    out->created = ddb_now_s();
    out->size_bytes = st.size_bytes;
    out->item_count = st.item_count;
    size_t jl;
    char *tj = catalog__table_json(a, t, &jl);

    if (st.item_count <= BK_INLINE) { /* copy now: one batch */
        db_iter_t *it = db__iter_new(e->db, t->store_->cf, snap, NULL, 0, NULL, 0, false);
        db_batch_t *b = db__batch_new();
        buf_t k;
        buf_init(&k, a, 256);
        db__iter_first(it);
        copy_items(it, b, cf, id, SIZE_MAX, &k);
        int rc = db__iter_free(it);
        out->available = true;
        put_desc(e, b, out, tj, a);
        if (rc == 0) rc = db__write(e->db, b);
        db__batch_free(b);
        db__snap_free(e->db, snap);
        eng_table_release(t);
        return rc == 0 ? DDB_OK : db__storage_err(e->db, true, err);
    }
    /* in use before its CREATING description can be listed: a DeleteBackup meanwhile is refused */
    busy_add(e->backups, id);
    db_batch_t *b = db__batch_new();
    put_desc(e, b, out, tj, a);
    int rc = db__write(e->db, b);
    db__batch_free(b);
    if (rc != 0) {
        busy_drop(e->backups, id);
        db__snap_free(e->db, snap);
        eng_table_release(t);
        return db__storage_err(e->db, true, err);
    }
    copy_job_t *cj = calloc(1, sizeof *cj);
    if (!cj) abort();
    cj->e = e;
    cj->t = t;
    cj->snap = snap;
    cj->a = arena_new(4096);
    cj->bk = *out;
    cj->bk.id = arena_strdup(cj->a, id);
    cj->bk.name = arena_strdup(cj->a, name);
    cj->bk.table = arena_strdup(cj->a, t->name);
    cj->bk.table_id = arena_strdup(cj->a, t->id);
    cj->table_json = arena_memdup(cj->a, tj, jl);
    char jname[96];
    snprintf(jname, sizeof jname, "backup %s", id);
    job__start(&e->jobs, JOB_BACKUP, jname, copy_main, cj, copy_free); /* refused at close: freed, and
                                                                          removed at the next start */
    return DDB_OK;
}

/* Delete a backup's items and description (one batch). 0 or -1. */
static int remove_backup(eng_t *e, const char *id, arena_t *a)
{
    db_cf_t *cf = atomic_load(&e->backups->cf);
    db_batch_t *b = db__batch_new();
    if (cf) {
        char lo[FMT_BACKUP_ID_LEN], hi[FMT_BACKUP_ID_LEN];
        memcpy(lo, id, FMT_BACKUP_ID_LEN);
        memcpy(hi, id, FMT_BACKUP_ID_LEN);
        hi[FMT_BACKUP_ID_LEN - 1]++;
        db__batch_del_range(b, cf, lo, sizeof lo, hi, sizeof hi);
    }
    size_t kl;
    char *k = desc_key(a, id, &kl);
    db__batch_del(b, db__sys(e->db), k, kl);
    int rc = db__write(e->db, b);
    db__batch_free(b);
    return rc;
}

ddb_err_t eng_backup_delete(eng_t *e, const char *id, const char *arn, arena_t *a, eng_backup_t *out,
                            ddb_errctx_t *err)
{
    backups_t *bs = e->backups;
    pthread_mutex_lock(&bs->mu); /* no restore starts from it meanwhile */
    int got = strlen(id) == FMT_BACKUP_ID_LEN ? eng_backup_get(e, id, false, a, out) : 0;
    ddb_err_t rc = DDB_OK;
    if (got < 0)
        rc = db__storage_err(e->db, false, err);
    else if (got == 0)
        rc = err_set(err, DDB_ERR_BACKUP_NOT_FOUND, "Backup not found: %s", arn);
    else if (busy_has(bs, id))
        rc = err_set(err, DDB_ERR_BACKUP_IN_USE,
                     "Backup is in use: it is being created or restored to a table: %s", arn);
    else if (remove_backup(e, id, a) != 0)
        rc = db__storage_err(e->db, true, err);
    pthread_mutex_unlock(&bs->mu);
    return rc;
}

/* ---- restores ----------------------------------------------------------------------------------- */

typedef struct {
    eng_t *e;
    char *target;
    char target_id[40];   /* the table the restore made (one of that name made later is not ours) */
    char *backup_id;      /* or */
    eng_reader_t *reader; /* the source table as of the restore's time */
} restore_job_t;

static ddb_err_t put_item(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                          ddb_errctx_t *err)
{
    (void)old;
    (void)err;
    *action = ENG_APPLY_PUT;
    *new_item = ctx;
    return DDB_OK;
}

static ddb_err_t mark_restored(void *ctx, eng_table_t *copy, ddb_errctx_t *err)
{
    (void)ctx;
    (void)err;
    copy->status = "ACTIVE";
    copy->restore_in_progress = false;
    copy->restore_src_ = NULL;
    copy->restore_src_id_ = NULL;
    copy->restore_at_us_ = 0;
    return DDB_OK;
}

/* Items of a backup, BK_CHUNK at a time: from the iterator's position, into items[] (in a). Returns
 * the count, -1 on a storage or decoding error. */
static int next_backup_items(db_iter_t *it, arena_t *a, av_map_t **items, int max)
{
    int n = 0;
    for (; n < max && db__iter_valid(it); db__iter_next(it)) {
        size_t vl;
        const char *v = db__iter_value(it, &vl);
        char *copy = arena_memdup(a, v, vl);
        av_map_t *m = ARENA_NEW(a, av_map_t);
        if (itemenc__decode(a, copy, vl, m) != 0) return -1;
        items[n++] = m;
    }
    return n;
}

/* Fail a restore cleanly: its table goes. */
static void restore_fail(eng_t *e, const char *target, const char *why)
{
    arena_t *a = arena_new(512);
    ddb_errctx_t err;
    err_init(&err, a);
    log_error("restore of table %s failed: %s; the table is deleted", target, why);
    if (eng_table_delete(e, target, NULL, &err) != DDB_OK)
        log_error("restore of table %s: cannot delete it: %s", target, err.msg ? err.msg : "");
    arena_free(a);
}

static void restore_main(job_t *job, void *arg)
{
    restore_job_t *rj = arg;
    eng_t *e = rj->e;
    db_iter_t *it = NULL;
    if (rj->backup_id) {
        db_cf_t *cf = atomic_load(&e->backups->cf);
        char lo[FMT_BACKUP_ID_LEN], hi[FMT_BACKUP_ID_LEN];
        memcpy(lo, rj->backup_id, FMT_BACKUP_ID_LEN);
        memcpy(hi, rj->backup_id, FMT_BACKUP_ID_LEN);
        hi[FMT_BACKUP_ID_LEN - 1]++;
        if (!cf) {
            restore_fail(e, rj->target, "its backup has no data");
            return;
        }
        it = db__iter_new(e->db, cf, NULL, lo, sizeof lo, hi, sizeof hi, false);
        db__iter_first(it);
    }
    arena_t *a = arena_new(1 << 16);
    uint64_t total = 0;
    const char *failed = NULL;
    for (;;) {
        if (job__stopping(job)) {
            log_info("restore of table %s: stopped after %llu items (starts again at the next open)",
                     rj->target, (unsigned long long)total);
            break;
        }
        arena_reset(a);
        av_map_t *items[RS_CHUNK];
        int n = 0;
        if (it)
            n = next_backup_items(it, a, items, RS_CHUNK);
        else {
            int got = 1;
            while (n < RS_CHUNK && (got = eng_reader_next(rj->reader, a, &items[n])) == 1) n++;
            if (got < 0) n = -1;
        }
        if (n < 0) {
            failed = "cannot read its source";
            break;
        }
        eng_table_t *t = eng_table_get(e, rj->target, strlen(rj->target));
        if (!t || strcmp(t->id, rj->target_id)) {
            log_warn("restore of table %s: the table was deleted", rj->target);
            eng_table_release(t);
            break;
        }
        if (n == 0) { /* all in */
            ddb_errctx_t err;
            err_init(&err, a);
            eng_table_release(t);
            if (eng_table_update(e, rj->target, mark_restored, NULL, NULL, &err) != DDB_OK)
                failed = "cannot mark it ACTIVE";
            else
                log_info("restore of table %s done: %llu items; ACTIVE", rj->target,
                         (unsigned long long)total);
            break;
        }
        eng_multi_op_t *ops = ARENA_NEWN(a, eng_multi_op_t, (size_t)n);
        eng_multi_result_t *res = ARENA_NEWN(a, eng_multi_result_t, (size_t)n);
        for (int i = 0; i < n; i++) {
            ops[i] =
                (eng_multi_op_t){t, key__attrs(a, t, NULL, items[i]), put_item, items[i], ENG_ORIGIN_RESTORE};
            err_init(&res[i].err, a);
        }
        ddb_errctx_t err;
        err_init(&err, a);
        ddb_err_t rc = eng_multi_write(e, (size_t)n, ops, a, res, &err);
        eng_table_release(t);
        if (rc != DDB_OK && db__state(e->db) != DB_WRITABLE) { /* a full disk: wait, then start again */
            if (job__sleep(job, DB_PROBE_MS)) break;
            failed = "writes stopped (full disk)";
            break;
        }
        if (rc != DDB_OK) {
            failed = err.msg ? arena_strdup(a, err.msg) : "storage error";
            break;
        }
        total += (uint64_t)n;
        job__progress(job, (uint64_t)n);
        job__sleep(job, BK_PAUSE_MS); /* a stop is seen at the top */
    }
    if (it && db__iter_free(it) != 0 && !failed) failed = "cannot read its backup";
    if (failed) restore_fail(e, rj->target, failed);
    arena_free(a);
}

static void restore_free(void *arg)
{
    restore_job_t *rj = arg;
    if (rj->backup_id) busy_drop(rj->e->backups, rj->backup_id);
    eng_reader_close(rj->reader);
    free(rj->target);
    free(rj->backup_id);
    free(rj);
}

static void restore_run(eng_t *e, const char *target, const char *backup_id, eng_reader_t *reader)
{
    restore_job_t *rj = calloc(1, sizeof *rj);
    if (!rj) abort();
    rj->e = e;
    rj->target = strdup(target);
    rj->backup_id = backup_id ? strdup(backup_id) : NULL;
    rj->reader = reader;
    if (!rj->target || (backup_id && !rj->backup_id)) abort();
    eng_table_t *t = eng_table_get(e, target, strlen(target));
    snprintf(rj->target_id, sizeof rj->target_id, "%s", t ? t->id : "");
    eng_table_release(t);
    char name[96];
    snprintf(name, sizeof name, "restore %s", target);
    job__start(&e->jobs, JOB_RESTORE, name, restore_main, rj, restore_free);
}

ddb_err_t eng_restore_start(eng_t *e, const eng_restore_req_t *rq, eng_table_t **out, ddb_errctx_t *err)
{
    backups_t *bs = e->backups;
    arena_t *a = arena_new(4096);
    eng_reader_t *reader = NULL;
    eng_table_t *src = NULL;
    ddb_err_t rc = DDB_OK;
    bool marked = false;
    int64_t at_us = 0;
    double backup_created = 0;
    if (rq->backup_id) {
        eng_backup_t bk;
        pthread_mutex_lock(&bs->mu);
        int got =
            strlen(rq->backup_id) == FMT_BACKUP_ID_LEN ? eng_backup_get(e, rq->backup_id, false, a, &bk) : 0;
        if (got < 0)
            rc = db__storage_err(e->db, false, err);
        else if (got == 0)
            rc = err_set(err, DDB_ERR_BACKUP_NOT_FOUND, "Backup not found: %s", rq->backup_arn);
        else if (!bk.available)
            rc = err_set(err, DDB_ERR_BACKUP_IN_USE, "Backup is being created: %s", rq->backup_arn);
        if (rc == DDB_OK) {
            busy_add_locked(bs, rq->backup_id); /* under the same lock as the check: DeleteBackup sees it */
            marked = true;
            backup_created = bk.created;
        }
        pthread_mutex_unlock(&bs->mu);
    } else {
        src = eng_table_get(e, rq->source_table, strlen(rq->source_table));
        if (!src)
            rc = err_set(err, DDB_ERR_TABLE_NOT_FOUND, "Table not found: %s", rq->source_table);
        else {
            /* "latest" is now to the microsecond: every write acknowledged before this call */
            at_us = rq->at_us ? rq->at_us : pitr__now_us();
            rc = pitr__open_asof_us(e, src, at_us, &reader, err); /* the snapshot: now */
        }
    }
    if (rc == DDB_OK) {
        eng_table_t spec = *rq->spec;
        spec.status = "CREATING";
        spec.restored = true;
        spec.restore_backup_arn = rq->backup_id ? rq->backup_arn : NULL;
        spec.restore_table_arn = rq->source_table_arn;
        /* RestoreSummary.RestoreDateTime: the source backup's time, or the point in time */
        spec.restore_time = rq->backup_id ? backup_created : (double)(at_us / 1000) / 1000.0;
        spec.restore_in_progress = true;
        spec.restore_src_ = rq->backup_id ? rq->backup_id : rq->source_table;
        spec.restore_src_id_ = src ? src->id : NULL;
        spec.restore_at_us_ = at_us;
        spec.stream_enabled = false;
        spec.stream_view = NULL;
        spec.stream_label = NULL;
        spec.pitr_enabled = false;
        spec.pitr_days = 0;
        spec.pitr_since = 0;
        rc = eng_table_create(e, &spec, out, err);
    }
    if (rc == DDB_OK) {
        restore_run(e, rq->spec->name, rq->backup_id, reader);
        reader = NULL;
        marked = false; /* the job's now */
    }
    if (marked) busy_drop(bs, rq->backup_id);
    eng_reader_close(reader);
    eng_table_release(src);
    arena_free(a);
    return rc;
}

void eng_backup_wait(eng_t *e)
{
    jobs__wait(&e->jobs, JOB_BACKUP);
    jobs__wait(&e->jobs, JOB_RESTORE);
}

/* ---- open and close ------------------------------------------------------------------------------ */

/* A restore found in progress: start it again, or fail it when its source is gone. */
static void resume_restore(eng_t *e, eng_table_t *t)
{
    const char *why = NULL;
    eng_reader_t *reader = NULL;
    arena_t *a = arena_new(1024);
    if (!t->restore_src_) {
        why = "its source is not recorded";
    } else if (!t->restore_src_id_) { /* a backup */
        eng_backup_t bk;
        if (eng_backup_get(e, t->restore_src_, false, a, &bk) != 1 || !bk.available)
            why = "its backup is gone";
        else
            busy_add(e->backups, t->restore_src_);
    } else {
        eng_table_t *src = eng_table_get(e, t->restore_src_, strlen(t->restore_src_));
        ddb_errctx_t err;
        err_init(&err, a);
        if (!src || strcmp(src->id, t->restore_src_id_))
            why = "its source table is gone";
        else if (pitr__open_asof_us(e, src, t->restore_at_us_, &reader, &err) != DDB_OK)
            why = "its point in time is no longer in the source's window";
        eng_table_release(src);
    }
    if (why)
        restore_fail(e, t->name, why);
    else {
        log_info("restore of table %s: starting again after a stop", t->name);
        restore_run(e, t->name, t->restore_src_id_ ? NULL : t->restore_src_, reader);
    }
    arena_free(a);
}

int backup__open(eng_t *e, char **errmsg)
{
    (void)errmsg;
    backups_t *bs = calloc(1, sizeof *bs);
    if (!bs) abort();
    pthread_mutex_init(&bs->mu, NULL);
    atomic_init(&bs->cf, db__cf_find(e->db, FMT_CF_BACKUPS));
    e->backups = bs;
    /* backups a stop or crash left CREATING: their snapshot is gone */
    arena_t *a = arena_new(4096);
    eng_backup_t *list;
    size_t n;
    if (eng_backup_list(e, a, &list, &n) == 0)
        for (size_t i = 0; i < n; i++)
            if (!list[i].available) {
                log_warn("backup %s of table %s was not finished when the server stopped: removed",
                         list[i].id, list[i].table);
                if (remove_backup(e, list[i].id, a) != 0)
                    log_error("backup %s: cannot remove it", list[i].id);
            }
    /* restores a stop or crash interrupted */
    const char **names;
    size_t nt = eng_table_list(e, a, &names);
    for (size_t i = 0; i < nt; i++) {
        eng_table_t *t = eng_table_get(e, names[i], strlen(names[i]));
        if (t && t->restored && t->restore_in_progress) resume_restore(e, t);
        eng_table_release(t);
    }
    arena_free(a);
    return 0;
}

void backup__close(backups_t *bs)
{
    if (!bs) return;
    pthread_mutex_destroy(&bs->mu);
    free(bs->busy);
    free(bs);
}
