/*
 * engine_int.h: internals shared by the files of engine/ (never included from another folder).
 *
 * db.c is the only file that includes rocksdb/c.h; the rest see opaque handles:
 *   db_t      the database (plus its default options)
 *   db_cf_t   a column family handle
 *   db_batch_t a write batch
 *
 * Column families, keys and encodings on disk: format.h (every such constant is there).
 */
#ifndef DDB_ENGINE_INT_H
#define DDB_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "common/json.h"
#include "engine/engine.h"
#include "engine/format.h"

typedef struct db db_t;
typedef struct db_cf db_cf_t;
typedef struct db_batch db_batch_t;

/* ---- db.c --------------------------------------------------------------------------- */

/** Open the database with the named column families that exist; creates sys/stats if missing. */
db_t *db__open(const eng_opts_t *opts, char **errmsg);
void db__close(db_t *db);
/** Names of all table and index column families found at open ("t.<id>", "x.<id>"), malloc'd. */
size_t db__table_cfs(db_t *db, char ***names);
/** Handle of an existing column family by name (opened at start), or NULL. */
db_cf_t *db__cf_find(db_t *db, const char *name);
/** Create a column family; NULL + log on failure. */
db_cf_t *db__cf_create(db_t *db, const char *name);
/** Drop a column family's data (handle stays usable until db__cf_destroy). 0 on success. */
int db__cf_drop(db_t *db, db_cf_t *cf);
void db__cf_destroy(db_t *db, db_cf_t *cf);
db_cf_t *db__sys(db_t *db);
db_cf_t *db__stats(db_t *db);

/**
 * Point read. Returns 1 found (value copied into `a`, *val and *len set), 0 not found, -1 error
 * (logged).
 */
int db__get(db_t *db, db_cf_t *cf, const char *key, size_t klen, arena_t *a, char **val, size_t *len);

/* Counters are little-endian 64-bit words (docs/storage-format.md). */
static inline uint64_t le64_get(const char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u |= (uint64_t)(unsigned char)p[i] << (8 * i);
    return u;
}
static inline void le64_put(char *p, uint64_t u)
{
    for (int i = 0; i < 8; i++) p[i] = (char)(u >> (8 * i));
}

db_batch_t *db__batch_new(void);
void db__batch_free(db_batch_t *b);
void db__batch_put(db_batch_t *b, db_cf_t *cf, const char *k, size_t kl, const char *v, size_t vl);
void db__batch_del(db_batch_t *b, db_cf_t *cf, const char *k, size_t kl);
/** Delete every key in [lo, hi) (a range tombstone). */
void db__batch_del_range(db_batch_t *b, db_cf_t *cf, const char *lo, size_t lol, const char *hi, size_t hil);
/** Add n (at most 4) signed deltas, word by word, to the counters stored at k (stats family). */
void db__batch_add(db_batch_t *b, db_cf_t *cf, const char *k, size_t kl, const int64_t *deltas, size_t n);
/** Commit atomically (WAL; fsync when sync_writes). 0 on success, -1 (logged) on failure. */
int db__write(db_t *db, db_batch_t *b);

/* Snapshots: a consistent view for several reads. */
typedef struct db_snap db_snap_t;
db_snap_t *db__snap_new(db_t *db);
void db__snap_free(db_t *db, db_snap_t *s);
/** db__get at a snapshot (NULL: latest). */
int db__get_at(db_t *db, db_cf_t *cf, db_snap_t *snap, const char *key, size_t klen, arena_t *a, char **val,
               size_t *len);

/* Iterators over [lo, hi) (lo NULL: from the start; hi NULL: to the end), at a snapshot or latest.
 * Bounds are copied. Key/value pointers are valid until the iterator moves. one_prefix: every key
 * wanted shares the 4-byte hash prefix of the seek target (a Query): seeks use the prefix filters
 * and must be db__iter_seek / db__iter_seek_prev, not first/last. */
typedef struct db_iter db_iter_t;
db_iter_t *db__iter_new(db_t *db, db_cf_t *cf, db_snap_t *snap, const char *lo, size_t lol, const char *hi,
                        size_t hil, bool one_prefix);
void db__iter_first(db_iter_t *i);
void db__iter_last(db_iter_t *i);
void db__iter_seek(db_iter_t *i, const char *k, size_t kl);      /* first key >= k */
void db__iter_seek_prev(db_iter_t *i, const char *k, size_t kl); /* last key <= k */
void db__iter_next(db_iter_t *i);
void db__iter_prev(db_iter_t *i);
bool db__iter_valid(db_iter_t *i);
const char *db__iter_key(db_iter_t *i, size_t *len);
const char *db__iter_value(db_iter_t *i, size_t *len);
/** Destroy; returns -1 (logged) if the iteration hit a storage error. */
int db__iter_free(db_iter_t *i);

/** Iterate a whole column family in key order; calls fn(ctx, k, kl, v, vl) until it returns non-zero. */
int db__scan_all(db_t *db, db_cf_t *cf,
                 int (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx);

/* Write gate (docs/operations.md "Full disk"). The first write that RocksDB fails with an I/O error
 * (a full disk, or a background flush that failed and stopped the database) closes the gate: from
 * then on db__write, db__cf_create and db__cf_drop refuse at once without calling RocksDB (an
 * assertion-enabled RocksDB aborts if asked to append to a file that has failed), reads go on, and
 * a probe thread (every DB_PROBE_MS) waits for free space and for RocksDB's own recovery, then
 * reopens the gate. The cause is logged once when the gate closes and once when it reopens. */
typedef enum {
    DB_WRITABLE = 0,
    DB_STOPPED_NOSPACE, /* the data directory's disk is full */
    DB_STOPPED_IOERR,   /* another I/O error */
} db_state_t;
#define DB_PROBE_MS 500
#define DB_RESUME_MIN_FREE (1u << 20) /* bytes free before a resume is tried */

db_state_t db__state(db_t *db);
/**
 * Record a storage failure in `err` as InternalServerError: the one place engine storage errors
 * become wire errors. A write refused by the closed gate names the cause ("... the data directory's
 * disk is full; writes are refused until space is freed"); anything else is "Internal server error"
 * (the RocksDB text is in the log). Returns DDB_ERR_INTERNAL (or the error recorded earlier).
 */
ddb_err_t db__storage_err(db_t *db, bool writing, ddb_errctx_t *err);

/* Fault injection (tests). A site, once armed, fails as if RocksDB had: after `skip` passing calls
 * it fails `count` times (-1: every time), or each call with probability `percent`. Armed from the
 * environment at open (DYNAROCK_FAULTS, grammar in docs/operations.md "Fault injection") or by
 * db__fault_set. Process-wide. When nothing is armed a site costs one relaxed load and a branch. */
typedef enum {
    DB_FAULT_WRITE = 0, /* db__write: the batch is not written */
    DB_FAULT_GET,       /* db__get / db__get_at */
    DB_FAULT_ITER,      /* db__iter_new (then empty; db__iter_free fails), db__scan_all */
    DB_FAULT_FLUSH,     /* the flushes at close */
    DB_FAULT_CREATE_CF, /* db__cf_create */
    DB_FAULT_DROP_CF,   /* db__cf_drop */
    DB_FAULT__COUNT
} db_fault_site_t;
typedef enum {
    DB_FAULT_ERROR = 0, /* a plain storage error ("Injected fault") */
    DB_FAULT_NOSPACE,   /* RocksDB's no-space error text: a write closes the gate as a full disk does */
} db_fault_kind_t;
extern atomic_int db__faults_armed; /* non-zero while any site is armed */
void db__fault_set(db_fault_site_t site, db_fault_kind_t kind, long skip, long count, int percent);
/** Disarm every site and reset the hit counters. */
void db__fault_clear(void);
/** Arm the sites a spec names ("write:1@3,get:always,iter:25%,write:1:nospace"); replaces any earlier
 *  arming. 0, or -1 with *errmsg (malloc'd) for a bad spec (nothing armed then). */
int db__fault_parse(const char *spec, char **errmsg);
/** How many calls reached the site (armed or not counted: only while something is armed). */
long db__fault_hits(db_fault_site_t site);

/* ---- lock.c ---------------------------------------------------------------------------- */

#define LOCK_STRIPES 1024 /* power of two */

typedef struct {
    pthread_mutex_t m[LOCK_STRIPES];
} lock_table_t;

void lock__init(lock_table_t *lt);
void lock__dispose(lock_table_t *lt);
/** Stripe index of a key within a table. */
unsigned lock__stripe(const char *table_id, const char *key, size_t klen);
void lock__acquire(lock_table_t *lt, unsigned stripe);
void lock__release(lock_table_t *lt, unsigned stripe);
/** Sort stripes ascending and drop repeats (the one order every multi-key locker uses); returns
 *  how many are left. */
size_t lock__sort_unique(unsigned *s, size_t n);
void lock__acquire_all(lock_table_t *lt, const unsigned *s, size_t n);
void lock__release_all(lock_table_t *lt, const unsigned *s, size_t n);

/* ---- itemenc.c --------------------------------------------------------------------------- */

/** Append the binary form of `item` to `b`. */
void itemenc__encode(buf_t *b, const av_map_t *item);
/** Decode an item: maps and lists are allocated in `a`, strings, numbers and binaries point into
 *  p[0..n), which must live as long as the item (an arena copy: db__get_at's value, or a copy of an
 *  iterator's). 0 on success, -1 if the bytes are corrupt. */
int itemenc__decode(arena_t *a, const char *p, size_t n, av_map_t *out);

/* ---- catalog.c ----------------------------------------------------------------------------- */

/* Shared by every descriptor version of one table: its column family. */
typedef struct eng__store {
    db_t *db;
    db_cf_t *cf;
    atomic_int refs;
    atomic_bool dropped; /* table deleted: drop the column family when the last reference goes */
    atomic_int idx_gen;  /* table stores: bumped when the set of indexes or the stream changes */
    char cf_name[64];
} eng__store_t;

/* The key-schema JSON of catalog records, also in stream descriptions: {"hash":[name,type],"range":..}. */
void catalog__put_keyschema(jw_t *w, const eng_keyschema_t *k);
int catalog__parse_keyschema(arena_t *a, const json_t *v, eng_keyschema_t *k);

/* A description as its catalog JSON (in a), and back: a descriptor outside the catalog (no store;
 * eng_table_release frees it). Backups keep their table's description this way (backup.c). */
char *catalog__table_json(arena_t *a, const eng_table_t *t, size_t *len);
eng_table_t *catalog__table_parse(const char *text, size_t len);

typedef struct catalog catalog_t;
catalog_t *catalog__open(db_t *db, char **errmsg);
void catalog__close(catalog_t *c);

/* ---- item.c ------------------------------------------------------------------------------ */

/** Read and decode the item stored under base key k (at a snapshot, or latest); *out NULL when
 *  absent. Storage errors and corrupt records (logged) are InternalServerError. */
ddb_err_t item__read(eng_t *e, const eng_table_t *t, db_snap_t *snap, const char *k, size_t kl, arena_t *a,
                     av_map_t **out, ddb_errctx_t *err);
/** Under the key's lock: read old, run apply, add item + index entries + counters + the stream
 *  hook's share to `b`; `origin` says who asked; *stream_held as stream__stage's *held. */
ddb_err_t item__stage(eng_t *e, eng_table_t *t, const buf_t *k, eng_apply_fn apply, void *ctx,
                      eng_origin_t origin, arena_t *a, db_batch_t *b, uint64_t *stream_held,
                      eng_write_result_t *res, bool *changed, ddb_errctx_t *err);

/* ---- stream.c ---------------------------------------------------------------------------- */

typedef struct streams streams_t;
/** Load the streams' descriptions into e->streams, find where sequence numbers go on, and start the
 *  keeper job when there are streams (after catalog__open). 0, or -1 with *errmsg. */
int stream__open(eng_t *e, const eng_opts_t *opts, char **errmsg);
void stream__close(streams_t *s);

/**
 * The stream hook of a staged change (old -> nitem, either NULL for an insert or a delete), called
 * by item__stage beside the index deltas so that a record lands in the same batch as the item.
 * Called only for tables with a stream enabled. Writes nothing when the item is unchanged. A record
 * takes a sequence number: the first one a batch takes is kept in *held, and the caller must pass it
 * to stream__release once the batch is written or abandoned (records above it stay unseen until then).
 */
void stream__stage(eng_t *e, const eng_table_t *t, db_batch_t *b, eng_origin_t origin, const av_map_t *old,
                   const av_map_t *nitem, arena_t *a, uint64_t *held);
/** The batch that took sequence numbers from `held` on is written or abandoned. */
void stream__release(eng_t *e, uint64_t held);

/* A table's description changes (catalog.c, under its write lock): old NULL for a new table, nt
 * NULL for a deleted one. stream__table_change starts a stream (gives nt its label and number) or
 * closes one (last shard closed, DISABLED), adding the streams' descriptions to b, which also holds
 * the catalog record; stream__table_done publishes that once b is written (or forgets it). */
typedef struct {
    void *pending; /* stream.c's */
} stream_change_t;
int stream__table_change(eng_t *e, const eng_table_t *old, eng_table_t *nt, db_batch_t *b,
                         stream_change_t *ch);
void stream__table_done(eng_t *e, stream_change_t *ch, bool written);

/* ---- pitr.c: point-in-time history -------------------------------------------------------- */

typedef struct pitr pitr_t;
/** Find the history family, start the keeper job (after catalog__open). 0, or -1 with *errmsg. */
int pitr__open(eng_t *e, char **errmsg);
void pitr__close(pitr_t *p);
/** The history hook of a staged change of base key k, called by item__stage for tables with PITR on:
 *  a record (now, k, the old item's stored bytes, or NULL when there was none) in the same batch. */
void pitr__stage(eng_t *e, const eng_table_t *t, db_batch_t *b, const buf_t *k, const char *old,
                 size_t oldlen, arena_t *a);
/** Add the deletion of a table's whole history to b (DeleteTable, PITR turned off). */
void pitr__drop_history(eng_t *e, db_batch_t *b, const char *table_id);
/** Delete the history records older than each table's window (the keeper's pass; tests call it). */
int pitr__trim(eng_t *e, int64_t now_ms);
/** Epoch milliseconds now. */
int64_t pitr__now_ms(void);
/** Epoch microseconds now (the history's clock). */
int64_t pitr__now_us(void);
/** eng_reader_open_asof to the microsecond (restores: "latest" is now, to the microsecond). */
ddb_err_t pitr__open_asof_us(eng_t *e, eng_table_t *t, int64_t at_us, eng_reader_t **out, ddb_errctx_t *err);

/* ---- backup.c: on-demand backups and restores ----------------------------------------------- */

typedef struct backups backups_t;
/** Load the backups' state: drop backups a crash left CREATING, resume restores a crash left in
 *  progress (after catalog__open and pitr__open). 0, or -1 with *errmsg. */
int backup__open(eng_t *e, char **errmsg);
void backup__close(backups_t *b);

/* ---- index.c ----------------------------------------------------------------------------- */

/** Index key of `item` (index partition hash and key, index sort key, then the table's key
 *  parts); false (nothing appended) when the item lacks an index key attribute of the right type. */
bool idx__key(buf_t *b, const eng_table_t *t, const eng_index_t *x, const av_map_t *item);
/** Add the index changes for old -> new (either NULL) of one item to a write batch. */
int idx__deltas(eng_t *e, const eng_table_t *t, db_batch_t *b, const av_map_t *old, const av_map_t *nitem,
                arena_t *a);
/** Whether index x has an entry under key k: 1 yes, 0 no, -1 storage error. */
int idx__has_entry(eng_t *e, const eng_index_t *x, const buf_t *k, arena_t *a);
/** Put the entry of `item` under index key k into b; returns the entry's size for the counters. */
int64_t idx__put_entry(db_batch_t *b, const eng_table_t *t, const eng_index_t *x, const buf_t *k,
                       const av_map_t *item, arena_t *a);
/** Wait until each index of the store is recognised by writers: take and release every stripe. */
void lock__barrier(lock_table_t *lt);

/* ---- jobs.c: background work off the event loops ------------------------------------------ */

typedef enum {
    JOB_BACKFILL = 0,
    JOB_TTL,
    JOB_STREAM,
    JOB_PITR,
    JOB_BACKUP,
    JOB_RESTORE,
    JOB_TASK /* eng_task_start (bulk.c) */
} job_kind_t;
typedef struct job job_t;
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* job ended, or stop asked (monotonic clock, for job__sleep) */
    atomic_bool stop;  /* set under mu by jobs__stop_all; read without it by job__stopping */
    job_t *list;       /* running jobs, under mu */
} jobs_t;
typedef struct {
    job_kind_t kind;
    char name[96];
    uint64_t done;       /* the job's progress counter (items, keys, records...) */
    uint64_t running_ms; /* since it started */
} job_info_t;

void jobs__init(jobs_t *j);
/** Stop every job (jobs__stop_all) and free the facility. */
void jobs__dispose(jobs_t *j);
/**
 * Run fn(job, arg) once on a detached thread of its own; free_arg(arg) (may be NULL) runs after
 * fn returns. false (nothing started, arg freed) when the engine is already stopping.
 */
bool job__start(jobs_t *j, job_kind_t kind, const char *name, void (*fn)(job_t *job, void *arg), void *arg,
                void (*free_arg)(void *arg));
/** Whether the job should return now (the engine is closing). Cheap: call between steps. */
bool job__stopping(const job_t *job);
/** Sleep up to ms, woken at once by a stop; true when the job should return. */
bool job__sleep(job_t *job, unsigned ms);
/** Add n to the job's progress counter. */
void job__progress(job_t *job, uint64_t n);
/** The job's progress counter. */
uint64_t job__done(const job_t *job);
/** Wait until no job of `kind` (-1: of any kind) is running. */
void jobs__wait(jobs_t *j, int kind);
/** Ask every job to stop, wait until all have returned; later job__start calls start nothing. */
void jobs__stop_all(jobs_t *j);
/** Up to max running jobs (name, kind, progress, age), for diagnostics. */
size_t jobs__list(jobs_t *j, job_info_t *out, size_t max);

/* ---- backfill.c -------------------------------------------------------------------------- */

/** Start filling a new index in the background (a JOB_BACKFILL job). */
void backfill__start(eng_t *e, const char *table, const char *index_id);

/* ---- ttl.c -------------------------------------------------------------------------------- */

/** Start the TTL sweeper job (nothing when e->ttl_interval_ms is 0). */
void ttl__start(eng_t *e);

/* ---- stats.c ----------------------------------------------------------------------------- */

/** Add deltas (items, bytes) to the counters of a table or index id. */
void stats__delta(eng_t *e, db_batch_t *b, const char *id, int64_t dcount, int64_t dbytes);
/** The counters of a table or index id at a snapshot (NULL: now). */
eng_stats_t stats__read_at(eng_t *e, const char *id, db_snap_t *snap);
/** Delete the counters of a table or index id (packed and 0.1.0 ones). */
void stats__delete(eng_t *e, db_batch_t *b, const char *id, arena_t *a);

/* ---- engine.c ------------------------------------------------------------------------------ */

struct eng {
    db_t *db;
    catalog_t *cat;
    lock_table_t locks;
    jobs_t jobs; /* background work: backfills, the TTL sweeper, the stream keeper (jobs.c) */
    streams_t *streams;
    pitr_t *pitr;       /* point-in-time history (pitr.c) */
    backups_t *backups; /* on-demand backups, restores (backup.c) */
    unsigned ttl_interval_ms;
};

/* ---- key.c --------------------------------------------------------------------------------- */

/** hash(4 bytes, big endian) | kenc(h[0]) .. kenc(h[n-1]): how every table and index key starts (n is
 *  1 but for a GSI's multi-attribute partition key; the hash is over the encodings). */
void key__partition(buf_t *b, const av_t *const *h, size_t n);
/** Key of an item under schema ks: hash prefix (4 bytes, big endian), partition key attributes, sort
 *  key attributes (an index key then adds the table's key: idx__key). */
void key__base(buf_t *b, const eng_keyschema_t *ks, const av_map_t *key);
/** The 32-bit partition hash stored in the first 4 bytes of a base key (on disk: never change). */
uint32_t key__hash(const char *p, size_t n);
/** The key attributes of an item of table t (and of index x, when not NULL), as a map in `a`
 *  whose values share the item's (a LastEvaluatedKey, or the key of an item to write). */
av_map_t *key__attrs(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *item);

#endif
