/*
 * pitr: point-in-time recovery. While PITR is on for a table, item__stage calls pitr__stage for
 * every change of one of its items, which adds a history record to the same write batch:
 *
 *   key   = table id (36 bytes) | base key | commit time, epoch microseconds (8 bytes, big endian)
 *           | sequence (8 bytes, big endian)                       (column family FMT_CF_PITR)
 *   value = FMT_PITR_VERSION | FMT_PITR_ABSENT                      (the change created the item)
 *         | FMT_PITR_VERSION | FMT_PITR_PRESENT | old image (itemenc)
 *
 * Base keys are self-delimiting (keyenc), so the records of one key are contiguous and in time
 * order. Times never go backwards (the largest time given so far is kept), and the sequence makes
 * two changes of one key in one microsecond distinct.
 *
 * The table as of T: at one snapshot, walk the table and its history side by side in key order; a
 * key with a change after T takes the old image of its first change after T (absent: the item did
 * not exist then), any other key its current item. The changes in (T1, T2] are the keys with a
 * change in that window, with their images as of T1 and as of T2 (the old image of the first change
 * after T2, or the current item). Both readers keep O(1) state whatever the history's size.
 *
 * Turning PITR on takes two description updates: the first makes writers record (the catalog's
 * barrier waits for writers still holding the older description), the second notes the time from
 * which history is complete (pitr_since), after that barrier. Turning it off, or deleting the
 * table, drops the table's history with one range deletion. The keeper job trims records older
 * than the recovery period every PITR_KEEP_MS (a restore to T reads only records after T, so
 * records older than the window are never needed).
 *
 * Entry points: eng_pitr_info, eng_pitr_set, eng_reader_* (engine.h); pitr__* (engine_int.h).
 */
#include "common/clock.h"
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define PITR_KEEP_MS 60000   /* the keeper's period */
#define PITR_TRIM_BATCH 1024 /* deletions per batch when trimming */
#define PITR_SUFFIX 16       /* time and sequence after the base key */
#define DAY_MS 86400000LL

struct pitr {
    _Atomic(db_cf_t *) cf; /* FMT_CF_PITR, NULL until PITR is first turned on */
    pthread_mutex_t mu;    /* creating the family */
    _Atomic int64_t last_us;
    _Atomic uint64_t seq;
};

/* common/clock.h's epoch clocks, signed as the history's times are */
int64_t pitr__now_ms(void)
{
    return (int64_t)ddb_epoch_ms();
}

/* Records carry microseconds: a change made 0.3 ms after a whole second is after it. */
int64_t pitr__now_us(void)
{
    return (int64_t)ddb_epoch_us();
}

static void be64_put(char *p, uint64_t u)
{
    for (int i = 0; i < 8; i++) p[i] = (char)(u >> (56 - 8 * i));
}

static uint64_t be64_get(const char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u = u << 8 | (unsigned char)p[i];
    return u;
}

/* The first key after every key of a table's history: its id with the last byte raised. */
static void table_bounds(const char *id, char lo[FMT_PITR_TABLE_ID_LEN], char hi[FMT_PITR_TABLE_ID_LEN])
{
    memcpy(lo, id, FMT_PITR_TABLE_ID_LEN);
    memcpy(hi, id, FMT_PITR_TABLE_ID_LEN);
    hi[FMT_PITR_TABLE_ID_LEN - 1]++;
}

/* ---- writing --------------------------------------------------------------------------------- */

void pitr__stage(eng_t *e, const eng_table_t *t, db_batch_t *b, const buf_t *k, const char *old,
                 size_t oldlen, arena_t *a)
{
    pitr_t *p = e->pitr;
    db_cf_t *cf = atomic_load_explicit(&p->cf, memory_order_acquire);
    if (!cf || strlen(t->id) != FMT_PITR_TABLE_ID_LEN) return; /* made before PITR is turned on */
    int64_t now = pitr__now_us();
    int64_t last = atomic_load_explicit(&p->last_us, memory_order_relaxed);
    while (now > last && !atomic_compare_exchange_weak(&p->last_us, &last, now)) {
    }
    if (last > now) now = last; /* the clock went back: keep the order */
    uint64_t seq = atomic_fetch_add_explicit(&p->seq, 1, memory_order_relaxed);
    buf_t key, val;
    buf_init(&key, a, FMT_PITR_TABLE_ID_LEN + k->len + PITR_SUFFIX);
    buf_put(&key, t->id, FMT_PITR_TABLE_ID_LEN);
    buf_put(&key, k->data, k->len);
    char suffix[PITR_SUFFIX];
    be64_put(suffix, (uint64_t)now);
    be64_put(suffix + 8, seq);
    buf_put(&key, suffix, PITR_SUFFIX);
    buf_init(&val, a, 2 + oldlen);
    buf_putc(&val, FMT_PITR_VERSION);
    buf_putc(&val, old ? FMT_PITR_PRESENT : FMT_PITR_ABSENT);
    if (old) buf_put(&val, old, oldlen); /* the item record as stored (itemenc) */
    db__batch_put(b, cf, key.data, key.len, val.data, val.len);
}

void pitr__drop_history(eng_t *e, db_batch_t *b, const char *table_id)
{
    db_cf_t *cf = e->pitr ? atomic_load(&e->pitr->cf) : NULL;
    if (!cf || strlen(table_id) != FMT_PITR_TABLE_ID_LEN) return;
    char lo[FMT_PITR_TABLE_ID_LEN], hi[FMT_PITR_TABLE_ID_LEN];
    table_bounds(table_id, lo, hi);
    db__batch_del_range(b, cf, lo, sizeof lo, hi, sizeof hi);
}

/* ---- turning it on and off -------------------------------------------------------------------- */

typedef struct {
    bool enabled;
    int days;
    int step; /* 0: switch (and days); 1: note the time history is complete from */
} set_ctx_t;

static ddb_err_t set_mutate(void *ctx, eng_table_t *copy, ddb_errctx_t *err)
{
    (void)err;
    set_ctx_t *sc = ctx;
    if (sc->step == 1) {
        copy->pitr_since = (double)pitr__now_ms() / 1000.0;
        return DDB_OK;
    }
    copy->pitr_enabled = sc->enabled;
    copy->pitr_days = sc->enabled ? sc->days : 0;
    if (!sc->enabled) copy->pitr_since = 0;
    return DDB_OK;
}

ddb_err_t eng_pitr_set(eng_t *e, const char *table, bool enabled, int days, eng_table_t **out,
                       ddb_errctx_t *err)
{
    pitr_t *p = e->pitr;
    if (enabled && !atomic_load(&p->cf)) {
        pthread_mutex_lock(&p->mu);
        if (!atomic_load(&p->cf)) {
            db_cf_t *cf = db__cf_find(e->db, FMT_CF_PITR);
            if (!cf) cf = db__cf_create(e->db, FMT_CF_PITR);
            atomic_store_explicit(&p->cf, cf, memory_order_release);
        }
        pthread_mutex_unlock(&p->mu);
        if (!atomic_load(&p->cf)) return db__storage_err(e->db, true, err);
    }
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    bool was = t && t->pitr_enabled;
    eng_table_release(t);
    set_ctx_t sc = {enabled, days, 0};
    eng_table_t *nt = NULL;
    ddb_err_t rc = eng_table_update(e, table, set_mutate, &sc, &nt, err);
    if (rc != DDB_OK) return rc;
    if (enabled && !was) { /* every writer now records: history is complete from here on */
        eng_table_release(nt);
        nt = NULL;
        sc.step = 1;
        if ((rc = eng_table_update(e, table, set_mutate, &sc, &nt, err)) != DDB_OK) return rc;
    }
    if (!enabled && was) { /* every writer has stopped recording: drop what there is */
        db_batch_t *b = db__batch_new();
        pitr__drop_history(e, b, nt->id);
        if (db__write(e->db, b) != 0) log_error("table %s: cannot drop its point-in-time history", table);
        db__batch_free(b);
    }
    if (out)
        *out = nt;
    else
        eng_table_release(nt);
    return DDB_OK;
}

bool eng_pitr_info(eng_t *e, const eng_table_t *t, eng_pitr_info_t *out)
{
    (void)e;
    memset(out, 0, sizeof *out);
    if (!t->pitr_enabled) return false;
    int64_t now = pitr__now_ms();
    int64_t since = (int64_t)(t->pitr_since * 1000.0 + 0.5);
    int64_t horizon = now - (int64_t)t->pitr_days * DAY_MS;
    out->enabled = true;
    out->days = t->pitr_days;
    out->earliest_ms = since > horizon ? since : horizon;
    out->latest_ms = now;
    return true;
}

/* ---- readers ---------------------------------------------------------------------------------- */

struct eng_reader {
    eng_t *e;
    eng_table_t *t;
    db_snap_t *snap;
    db_iter_t *ia; /* the table at the snapshot */
    db_iter_t *ih; /* its history at the snapshot (NULL: a plain snapshot) */
    bool changes;
    int64_t t1, t2; /* as of t1; or the changes in (t1, t2] (microseconds) */
    bool failed;
};

/* What the history says of one key. Images are the records' values (version, flag, item), copied. */
typedef struct {
    bool found1; /* a change after t1: img1 is the key's image as of t1 */
    const char *img1;
    size_t len1;
    int64_t time1;
    bool found2; /* a change after t2: img2 is the image as of t2 */
    const char *img2;
    size_t len2;
    int64_t last_le_t2; /* time of the last change at or before t2 */
} group_t;

static ddb_err_t window_or_err(eng_t *e, const eng_table_t *t, int64_t from, int64_t to, ddb_errctx_t *err)
{
    eng_pitr_info_t pi;
    if (!eng_pitr_info(e, t, &pi) || from < pi.earliest_ms || to > pi.latest_ms || from > to)
        return err_set(err, DDB_ERR_VALIDATION, "The time is outside the table's restorable window");
    return DDB_OK;
}

static eng_reader_t *reader_new(eng_t *e, eng_table_t *t, bool history)
{
    eng_reader_t *r = calloc(1, sizeof *r);
    if (!r) abort();
    r->e = e;
    r->t = t;
    eng_table_retain(t);
    r->snap = db__snap_new(e->db);
    r->ia = db__iter_new(e->db, t->store_->cf, r->snap, NULL, 0, NULL, 0, false);
    db__iter_first(r->ia);
    db_cf_t *cf = history ? atomic_load(&e->pitr->cf) : NULL;
    if (cf && strlen(t->id) == FMT_PITR_TABLE_ID_LEN) {
        char lo[FMT_PITR_TABLE_ID_LEN], hi[FMT_PITR_TABLE_ID_LEN];
        table_bounds(t->id, lo, hi);
        r->ih = db__iter_new(e->db, cf, r->snap, lo, sizeof lo, hi, sizeof hi, false);
        db__iter_first(r->ih);
    }
    return r;
}

ddb_err_t eng_reader_open_asof(eng_t *e, eng_table_t *t, int64_t at_ms, eng_reader_t **out, ddb_errctx_t *err)
{
    *out = NULL;
    ddb_err_t rc;
    if (at_ms > 0 && (rc = window_or_err(e, t, at_ms, at_ms, err)) != DDB_OK) return rc;
    eng_reader_t *r = reader_new(e, t, at_ms > 0);
    r->t1 = at_ms > 0 ? at_ms * 1000 : INT64_MAX;
    *out = r;
    return DDB_OK;
}

ddb_err_t pitr__open_asof_us(eng_t *e, eng_table_t *t, int64_t at_us, eng_reader_t **out, ddb_errctx_t *err)
{
    *out = NULL;
    ddb_err_t rc;
    if ((rc = window_or_err(e, t, at_us / 1000, at_us / 1000, err)) != DDB_OK) return rc;
    eng_reader_t *r = reader_new(e, t, true);
    r->t1 = at_us;
    *out = r;
    return DDB_OK;
}

ddb_err_t eng_reader_open_changes(eng_t *e, eng_table_t *t, int64_t from_ms, int64_t to_ms,
                                  eng_reader_t **out, ddb_errctx_t *err)
{
    *out = NULL;
    ddb_err_t rc;
    if (from_ms >= to_ms) return err_set(err, DDB_ERR_VALIDATION, "The time window is empty");
    if ((rc = window_or_err(e, t, from_ms, to_ms, err)) != DDB_OK) return rc;
    eng_reader_t *r = reader_new(e, t, true);
    r->changes = true;
    r->t1 = from_ms * 1000;
    r->t2 = to_ms * 1000;
    *out = r;
    return DDB_OK;
}

void eng_reader_close(eng_reader_t *r)
{
    if (!r) return;
    db__iter_free(r->ia);
    db__iter_free(r->ih);
    db__snap_free(r->e->db, r->snap);
    eng_table_release(r->t);
    free(r);
}

/* The base key of the history record under the iterator (NULL when done or malformed). */
static const char *hist_base(db_iter_t *ih, size_t *len)
{
    if (!ih || !db__iter_valid(ih)) return NULL;
    size_t kl;
    const char *k = db__iter_key(ih, &kl);
    if (kl <= FMT_PITR_TABLE_ID_LEN + PITR_SUFFIX) return NULL;
    *len = kl - FMT_PITR_TABLE_ID_LEN - PITR_SUFFIX;
    return k + FMT_PITR_TABLE_ID_LEN;
}

/* Walk every record of base key kb (the iterator is on its first) and sum them up in g. */
static void scan_group(eng_reader_t *r, const char *kb, size_t kbl, arena_t *a, group_t *g)
{
    memset(g, 0, sizeof *g);
    g->last_le_t2 = -1;
    for (;;) {
        size_t bl;
        const char *b = hist_base(r->ih, &bl);
        if (!b || bl != kbl || memcmp(b, kb, kbl)) break;
        size_t kl, vl;
        const char *k = db__iter_key(r->ih, &kl);
        int64_t tm = (int64_t)be64_get(k + kl - PITR_SUFFIX);
        if (tm > r->t1 && !g->found1) {
            const char *v = db__iter_value(r->ih, &vl);
            g->found1 = true;
            g->img1 = arena_memdup(a, v, vl);
            g->len1 = vl;
            g->time1 = tm;
        }
        if (r->changes && tm > r->t2 && !g->found2) {
            const char *v = db__iter_value(r->ih, &vl);
            g->found2 = true;
            g->img2 = arena_memdup(a, v, vl);
            g->len2 = vl;
        }
        if (r->changes && tm <= r->t2) g->last_le_t2 = tm;
        db__iter_next(r->ih);
    }
}

/* Decode a history value (version, flag, item) or a table value (item, hist false); NULL when
 * absent; r->failed on corrupt bytes. */
static av_map_t *decode(eng_reader_t *r, arena_t *a, const char *v, size_t vl, bool hist)
{
    if (!v) return NULL;
    if (hist) {
        if (vl < 2 || v[0] != FMT_PITR_VERSION) goto bad;
        if (v[1] == FMT_PITR_ABSENT) return NULL;
        v += 2;
        vl -= 2;
    }
    av_map_t *m = ARENA_NEW(a, av_map_t);
    if (itemenc__decode(a, v, vl, m) == 0) return m;
bad:
    log_error("table %s: corrupt %s record", r->t->name, hist ? "point-in-time history" : "item");
    r->failed = true;
    return NULL;
}

/* One step of the side-by-side walk: the next key of the table or its history. Returns false at
 * the end; else *cur (the table's current value at the key, copied, or NULL) and, when the key has
 * history, *g (has_hist). */
static bool step(eng_reader_t *r, arena_t *a, const char **cur, size_t *curl, group_t *g, bool *has_hist)
{
    size_t kal = 0, khl = 0;
    const char *ka = r->ia && db__iter_valid(r->ia) ? db__iter_key(r->ia, &kal) : NULL;
    const char *kh = hist_base(r->ih, &khl);
    if (!ka && !kh) return false;
    int c;
    if (!kh)
        c = -1;
    else if (!ka)
        c = 1;
    else {
        c = memcmp(ka, kh, kal < khl ? kal : khl);
        if (!c) c = kal < khl ? -1 : kal > khl ? 1 : 0;
    }
    *cur = NULL;
    *has_hist = c >= 0;
    if (c <= 0) {
        const char *v = db__iter_value(r->ia, curl);
        *cur = arena_memdup(a, v, *curl);
        db__iter_next(r->ia);
    }
    if (c >= 0) {
        const char *kb = arena_memdup(a, kh, khl);
        scan_group(r, kb, khl, a, g);
    }
    return true;
}

/* At the end: the iterators go (their storage errors count); later calls find nothing. */
static int finish(eng_reader_t *r)
{
    if (db__iter_free(r->ia) != 0) r->failed = true;
    if (db__iter_free(r->ih) != 0) r->failed = true;
    r->ia = r->ih = NULL;
    return r->failed ? -1 : 0;
}

int eng_reader_next(eng_reader_t *r, arena_t *a, av_map_t **item)
{
    *item = NULL;
    const char *cur;
    size_t curl = 0;
    group_t g;
    bool has_hist;
    while (!r->failed && step(r, a, &cur, &curl, &g, &has_hist)) {
        av_map_t *m =
            has_hist && g.found1 ? decode(r, a, g.img1, g.len1, true) : decode(r, a, cur, curl, false);
        if (m) {
            *item = m;
            return 1;
        }
    }
    return finish(r);
}

int eng_reader_next_change(eng_reader_t *r, arena_t *a, eng_change_t *out)
{
    memset(out, 0, sizeof *out);
    const char *cur;
    size_t curl = 0;
    group_t g;
    bool has_hist;
    while (!r->failed && step(r, a, &cur, &curl, &g, &has_hist)) {
        if (!has_hist || !g.found1 || g.time1 > r->t2) continue; /* no change in the window */
        av_map_t *o = decode(r, a, g.img1, g.len1, true);
        av_map_t *n = g.found2 ? decode(r, a, g.img2, g.len2, true) : decode(r, a, cur, curl, false);
        if (!o && !n) continue;
        out->old_image = o;
        out->new_image = n;
        out->keys = key__attrs(a, r->t, NULL, n ? n : o);
        out->write_us = g.last_le_t2;
        out->write_ms = g.last_le_t2 / 1000;
        return 1;
    }
    return finish(r);
}

/* ---- the keeper ------------------------------------------------------------------------------ */

/* Delete one table's records older than horizon. 0, or -1 on a storage error. */
static int trim_table(eng_t *e, db_cf_t *cf, const char *id, int64_t horizon)
{
    char lo[FMT_PITR_TABLE_ID_LEN], hi[FMT_PITR_TABLE_ID_LEN];
    table_bounds(id, lo, hi);
    db_iter_t *it = db__iter_new(e->db, cf, NULL, lo, sizeof lo, hi, sizeof hi, false);
    db_batch_t *b = db__batch_new();
    size_t n = 0;
    int rc = 0;
    for (db__iter_first(it); db__iter_valid(it) && rc == 0; db__iter_next(it)) {
        size_t kl;
        const char *k = db__iter_key(it, &kl);
        if (kl <= FMT_PITR_TABLE_ID_LEN + PITR_SUFFIX || (int64_t)be64_get(k + kl - PITR_SUFFIX) >= horizon)
            continue;
        db__batch_del(b, cf, k, kl);
        if (++n % PITR_TRIM_BATCH == 0) {
            rc = db__write(e->db, b);
            db__batch_free(b);
            b = db__batch_new();
        }
    }
    if (rc == 0 && n % PITR_TRIM_BATCH) rc = db__write(e->db, b);
    db__batch_free(b);
    if (db__iter_free(it) != 0) rc = -1;
    return rc;
}

int pitr__trim(eng_t *e, int64_t now_ms)
{
    db_cf_t *cf = atomic_load(&e->pitr->cf);
    if (!cf) return 0;
    arena_t *a = arena_new(4096);
    const char **names;
    size_t n = eng_table_list(e, a, &names);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        eng_table_t *t = eng_table_get(e, names[i], strlen(names[i]));
        if (t && t->pitr_enabled &&
            trim_table(e, cf, t->id, (now_ms - (int64_t)t->pitr_days * DAY_MS) * 1000) != 0)
            rc = -1;
        eng_table_release(t);
    }
    arena_free(a);
    return rc;
}

static void keeper_main(job_t *job, void *arg)
{
    eng_t *e = arg;
    while (!job__sleep(job, PITR_KEEP_MS))
        if (pitr__trim(e, pitr__now_ms()) != 0) log_error("point-in-time history: trimming failed");
}

int pitr__open(eng_t *e, char **errmsg)
{
    (void)errmsg;
    pitr_t *p = calloc(1, sizeof *p);
    if (!p) abort();
    pthread_mutex_init(&p->mu, NULL);
    atomic_init(&p->cf, db__cf_find(e->db, FMT_CF_PITR));
    atomic_init(&p->last_us, 0);
    /* sequences start above any earlier run's (they only part changes of one microsecond) */
    atomic_init(&p->seq, ddb_epoch_us());
    e->pitr = p;
    job__start(&e->jobs, JOB_PITR, "pitr keeper", keeper_main, e, NULL);
    return 0;
}

void pitr__close(pitr_t *p)
{
    if (!p) return;
    pthread_mutex_destroy(&p->mu);
    free(p);
}
