/*
 * engine: the storage facade the server calls. Tables, items, queries, indexes,
 * transactions and streams over one RocksDB database. Knows nothing of HTTP, JSON or
 * expressions (DESIGN.md layers): conditional and update writes hand in an apply callback.
 *
 * Contract:
 * - All functions are thread-safe unless noted.
 * - Functions that can fail return ddb_err_t and record a DynamoDB-worded message in the
 *   caller's ddb_errctx_t (first error wins). Storage failures are logged and come back as
 *   DDB_ERR_INTERNAL.
 * - Table descriptors (eng_table_t) are immutable snapshots with a reference count: a pointer
 *   from eng_table_get / _create / _update / _delete stays valid until eng_table_release().
 *   A table changed by UpdateTable gets a new descriptor; holders of the old one keep a
 *   consistent (older) view.
 * - Items handed out (av_map_t) live in the caller's arena.
 * - Every write of an item is a read-modify-write under the item's striped key lock, committed
 *   as one RocksDB write batch (item, index entries, table and index statistics; later stream records).
 */
#ifndef DDB_ENGINE_H
#define DDB_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/arena.h"
#include "common/av.h"
#include "common/err.h"

typedef struct eng eng_t;

/* ---- opening ---------------------------------------------------------------------------- */

typedef struct {
    const char *data_dir;         /* directory of the RocksDB database (created if missing) */
    bool in_memory;               /* keep nothing on disk (RocksDB's in-memory Env); data_dir ignored */
    bool sync_writes;             /* fsync the WAL on every write (default off, like DynamoDB Local) */
    size_t block_cache_mb;        /* 0 = default (32) */
    size_t write_buffer_mb;       /* 0 = default (16) */
    unsigned ttl_interval_ms;     /* TTL sweep period; 0 = no sweeper (expired items stay) */
    uint64_t stream_retention_ms; /* stream records kept this long; 0 = default (24 hours) */
    uint64_t stream_shard_ms;     /* a stream's open shard is closed (a child opens) after this long;
                                     0 = default (4 hours) */
} eng_opts_t;

/** Open (or create) the database. Returns NULL and sets *errmsg (malloc'd) on failure. */
eng_t *eng_open(const eng_opts_t *opts, char **errmsg);
/** Flush and close. All table references must have been released. */
void eng_close(eng_t *e);

/* ---- tables --------------------------------------------------------------------------- */

typedef struct {
    const char *name; /* attribute name */
    av_type_t type;   /* AV_S, AV_N or AV_B */
} eng_attr_t;

/* A key's attributes: a table or an LSI has one HASH and at most one RANGE attribute; a GSI may
 * name up to ENG_KEY_ATTRS_MAX of each (multi-attribute keys). `hash` is hashes[0] and `range` is
 * ranges[0]; unused entries have a NULL name (a zeroed schema is valid), so code that knows only
 * single-attribute keys reads `hash` and `range` as before. */
#define ENG_KEY_ATTRS_MAX 4
typedef struct {
    union {
        eng_attr_t hash;
        eng_attr_t hashes[ENG_KEY_ATTRS_MAX];
    };
    union {
        eng_attr_t range; /* range.name == NULL when the key has no sort key */
        eng_attr_t ranges[ENG_KEY_ATTRS_MAX];
    };
} eng_keyschema_t;

/** Number of HASH attributes of a key schema (1..ENG_KEY_ATTRS_MAX). */
static inline size_t eng_key_nhash(const eng_keyschema_t *k)
{
    size_t n = 0;
    while (n < ENG_KEY_ATTRS_MAX && k->hashes[n].name) n++;
    return n;
}
/** Number of RANGE attributes of a key schema (0..ENG_KEY_ATTRS_MAX). */
static inline size_t eng_key_nrange(const eng_keyschema_t *k)
{
    size_t n = 0;
    while (n < ENG_KEY_ATTRS_MAX && k->ranges[n].name) n++;
    return n;
}
/** Whether `name` is one of the schema's attributes. */
static inline bool eng_key_has(const eng_keyschema_t *k, const char *p, size_t len)
{
    for (int i = 0; i < ENG_KEY_ATTRS_MAX; i++) {
        const char *a[2] = {k->hashes[i].name, k->ranges[i].name};
        for (int j = 0; j < 2; j++)
            if (a[j] && strlen(a[j]) == len && !memcmp(a[j], p, len)) return true;
    }
    return false;
}

typedef enum { ENG_PROJ_ALL = 0, ENG_PROJ_KEYS_ONLY, ENG_PROJ_INCLUDE } eng_proj_t;

typedef struct {
    const char *name;
    bool global; /* GSI (true) or LSI (false) */
    eng_keyschema_t key;
    eng_proj_t proj;
    size_t n_nonkey; /* INCLUDE only */
    const char **nonkey;
    int64_t rcu, wcu;   /* GSI provisioned throughput (0 when on-demand) */
    const char *status; /* "ACTIVE", "CREATING", ... */
    bool backfilling;   /* a new GSI being filled from the table's items */

    /* Set by the engine: NULL in a spec for a new index (CreateTable, or an index added by an
     * eng_table_update mutate callback with eng_table_add_index). Fixed for the index's life. */
    const char *id;
    struct eng__store *store_; /* engine-private: the index's column family */
} eng_index_t;

typedef struct {
    const char *key;
    const char *value;
} eng_tag_t;

typedef struct eng_table eng_table_t;
struct eng_table {
    /* identity */
    const char *name;
    const char *id;     /* UUID, fixed for the table's life */
    double created;     /* epoch seconds */
    const char *status; /* "ACTIVE", "CREATING", "UPDATING", "DELETING" */
    /* schema */
    eng_keyschema_t key;
    size_t n_attrdefs;
    eng_attr_t *attrdefs;
    size_t n_idx;
    eng_index_t *idx;
    /* capacity */
    bool on_demand;         /* BillingMode PAY_PER_REQUEST */
    double billing_updated; /* epoch seconds of the last billing-mode change (0 = never) */
    int64_t rcu, wcu;
    int64_t max_rru, max_wru; /* OnDemandThroughput Max{Read,Write}RequestUnits; 0: none (-1 on the wire) */
    double last_increase, last_decrease; /* epoch seconds, 0 = never */
    int64_t decreases_today;
    /* options */
    bool stream_enabled;
    const char *stream_view;  /* NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY or NULL */
    const char *stream_label; /* set when a stream was enabled; NULL otherwise */
    bool ttl_enabled;
    const char *ttl_attr; /* NULL when never configured */
    bool deletion_protection;
    const char *table_class; /* "STANDARD" or "STANDARD_INFREQUENT_ACCESS" */
    size_t n_tags;
    eng_tag_t *tags;
    /* point-in-time recovery (pitr.c; changed only by eng_pitr_set) */
    bool pitr_enabled;
    int pitr_days;     /* RecoveryPeriodInDays, 1..35 */
    double pitr_since; /* epoch seconds from which history is complete (PITR last turned on) */
    /* a restored table (backup.c; set by eng_restore_start): RestoreSummary */
    bool restored;
    const char *restore_backup_arn; /* SourceBackupArn, or NULL (a point-in-time restore) */
    const char *restore_table_arn;  /* SourceTableArn */
    double restore_time;            /* RestoreDateTime, epoch seconds */
    bool restore_in_progress;       /* RestoreInProgress: status CREATING until the data is in */

    /* engine-private (not part of the persisted description) */
    arena_t *arena_;             /* owns this descriptor and every string in it */
    struct eng__store *store_;   /* column family of the items, shared by every version */
    uint64_t stream_num_;        /* the current stream's number (records' key prefix); 0 = none ever */
    const char *restore_src_;    /* the restore's source while in progress: backup id, or table name */
    const char *restore_src_id_; /* the source table's id (point in time), NULL for a backup */
    int64_t restore_at_us_;      /* the point in time (epoch microseconds) */
    int refs_;                   /* atomic */
    int idx_gen_;                /* store_->idx_gen when this version was published */
};

/**
 * Create a table from `spec` (everything but the engine-private fields; strings are copied).
 * Sets id and created. ResourceInUseException "Table already exists: <name>" if the name is taken.
 * On success *out is a new reference.
 */
ddb_err_t eng_table_create(eng_t *e, const eng_table_t *spec, eng_table_t **out, ddb_errctx_t *err);
/** A reference to the table, or NULL if there is no such table. */
eng_table_t *eng_table_get(eng_t *e, const char *name, size_t len);
/** Take another reference. */
void eng_table_retain(eng_table_t *t);
/** Release a reference. */
void eng_table_release(eng_table_t *t);

/**
 * Replace a table's description: `mutate` gets a private deep copy (allocated in that copy's
 * arena; new strings, arrays and index entries come from eng_table_strdup, eng_table_alloc and
 * eng_table_add_index, so the callback never touches an engine-private field) and may change any
 * non-identity field or return an error (which aborts the update). The new description is
 * persisted and published. Indexes: an entry the callback adds (eng_table_add_index, id left
 * NULL) is a new index (its column family is made; when its status is "CREATING" with backfilling
 * set, a background backfill fills it from the table's items and then sets it "ACTIVE"); an entry
 * it removes is dropped with its data. Writes racing the change are re-run against the new
 * description, so no write is missed.
 * ResourceNotFoundException when the table is missing. *out (if not NULL) gets a reference to
 * the new descriptor.
 */
typedef ddb_err_t (*eng_table_mutate_fn)(void *ctx, eng_table_t *copy, ddb_errctx_t *err);
ddb_err_t eng_table_update(eng_t *e, const char *name, eng_table_mutate_fn mutate, void *ctx,
                           eng_table_t **out, ddb_errctx_t *err);
/** Copy a string into a descriptor's arena (for use inside a mutate callback). */
const char *eng_table_strdup(eng_table_t *t, const char *s);
/** `n` zeroed bytes in a descriptor's arena, freed with it (for use inside a mutate callback). */
void *eng_table_alloc(eng_table_t *t, size_t n);
/** Append a zeroed entry to a descriptor's indexes and return it (inside a mutate callback): t->idx is
 *  moved into its arena (earlier pointers into it are stale) and t->n_idx counts the entry, which,
 *  filled in with its id left NULL, is a new index. */
eng_index_t *eng_table_add_index(eng_table_t *t);

/**
 * Delete a table: its description and all its data (the column family is dropped). *out (if not
 * NULL) gets a reference to the last description (status set to "DELETING"), valid after the
 * table is gone. ResourceNotFoundException when missing.
 */
ddb_err_t eng_table_delete(eng_t *e, const char *name, eng_table_t **out, ddb_errctx_t *err);

/** Sorted table names (bytewise), allocated in `a`. Returns the count. */
size_t eng_table_list(eng_t *e, arena_t *a, const char ***names);
/** Number of tables. */
size_t eng_table_count(eng_t *e);

typedef struct {
    int64_t item_count;
    int64_t size_bytes; /* sum of DynamoDB item sizes */
} eng_stats_t;

/** Current ItemCount / TableSizeBytes (exact, maintained in every write batch). */
eng_stats_t eng_table_stats(eng_t *e, const eng_table_t *t);

/**
 * An integer RocksDB property ("rocksdb.cur-size-all-mem-tables", ...) into *out; false when RocksDB
 * does not know it. per_family: summed over every column family (memtables, pending compaction);
 * else the database-wide value (block cache usage, background errors). For /metrics: takes the
 * column-family list's lock, so not for a request's path.
 */
bool eng_db_property(eng_t *e, const char *name, bool per_family, uint64_t *out);
/** Bytes in the write-ahead log's files (the data directory's *.log); false in memory (no log). For
 *  /metrics: reads the directory. */
bool eng_wal_bytes(eng_t *e, uint64_t *out);

/** Whether an index is being built or dropped (its status is not ACTIVE). */
bool eng_table_indexing(const eng_table_t *t);
/** The index of that name, or NULL. */
const eng_index_t *eng_index_find(const eng_table_t *t, const char *name, size_t len);
/** Current ItemCount / IndexSizeBytes of an index. */
eng_stats_t eng_index_stats(eng_t *e, const eng_index_t *x);
/**
 * An item about to be written must give each index key attribute it carries the type the index
 * declares, and no empty string/binary: ValidationException with DynamoDB's message otherwise.
 * (eng_item_write checks this too, after apply; a handler calls it early to keep DynamoDB's
 * order of checks; by_update words the empty-value case as UpdateItem does.)
 */
ddb_err_t eng_index_keys_check(const eng_table_t *t, const av_map_t *item, bool by_update, ddb_errctx_t *err);
/** The attributes an entry of index x keeps of an item (index keys, table keys, projection). */
av_map_t *eng_index_project(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *item);
/** How a write from `old` to `nitem` (either NULL: no item) changes index x's entry, for the write
 *  capacity DynamoDB charges an index. Sizes are DynamoDB item sizes of the projected entries. */
typedef struct {
    bool had, has;             /* an entry before / after the write */
    bool moved;                /* both, under different index keys (a delete and a put) */
    bool changed;              /* both under the same key, and the projected attributes differ */
    size_t old_size, new_size; /* of the entries (0 when absent) */
} eng_index_change_t;
/** Fill *out for index x of t (scratch memory in a). Pure: no storage access, any thread. */
void eng_index_change(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *old,
                      const av_map_t *nitem, eng_index_change_t *out);
/** The parallel-scan segment (of `total`) that holds a key of the table (x NULL) or of index x. */
uint32_t eng_key_segment(const eng_table_t *t, const eng_index_t *x, const av_map_t *key, uint32_t total);
/** Wait until no backfill is running (tests, shutdown). */
void eng_backfill_wait(eng_t *e);

/* ---- items ---------------------------------------------------------------------------- */

/**
 * Read one item by its primary key (`key` holds exactly the key attributes, already validated
 * against the schema). *out is NULL when the item does not exist. Items are copied into `a`.
 */
ddb_err_t eng_item_get(eng_t *e, eng_table_t *t, const av_map_t *key, arena_t *a, av_map_t **out,
                       ddb_errctx_t *err);

typedef enum {
    ENG_APPLY_PUT = 0, /* write *new_item */
    ENG_APPLY_DELETE,  /* delete the item (no-op if absent) */
    ENG_APPLY_NOOP,    /* change nothing */
} eng_apply_t;

/**
 * The read-modify-write callback, run under the item's key lock. `old` is the stored item or
 * NULL. It returns an action through *action and the new item through *new_item (for PUT; the
 * item must contain the key attributes with the same values as `key`). It may also fail (e.g.
 * ConditionalCheckFailed): return non-zero after recording the error; nothing is written.
 * Memory for the new item comes from the request arena.
 */
typedef ddb_err_t (*eng_apply_fn)(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                                  ddb_errctx_t *err);

typedef struct {
    av_map_t *old_item; /* item before the write (NULL if none), in the request arena */
    av_map_t *new_item; /* item after the write (NULL if deleted or absent) */
    size_t old_size;    /* DynamoDB sizes, for consumed capacity */
    size_t new_size;
} eng_write_result_t;

/**
 * Read-modify-write one item: lock, read old, run apply, commit item + statistics in one
 * batch, unlock. `key` holds exactly the key attributes (validated).
 */
ddb_err_t eng_item_write(eng_t *e, eng_table_t *t, const av_map_t *key, eng_apply_fn apply, void *ctx,
                         arena_t *a, eng_write_result_t *res, ddb_errctx_t *err);

/* ---- several items at once (batches and transactions) --------------------------------------- */

/**
 * Who asks for a write. It travels with the write to where the change is staged (item__stage),
 * so that the stream record of the change, in the same batch, can say so: a TTL deletion is a
 * REMOVE by the service, restores write their own history. Zero (USER) is the default.
 */
typedef enum {
    ENG_ORIGIN_USER = 0, /* PutItem, UpdateItem, DeleteItem, BatchWriteItem */
    ENG_ORIGIN_TXN,      /* TransactWriteItems */
    ENG_ORIGIN_TTL,      /* the TTL sweeper's deletions */
    ENG_ORIGIN_RESTORE,  /* restores and imports */
} eng_origin_t;

typedef struct {
    eng_table_t *table;
    const av_map_t *key; /* exactly the key attributes (validated) */
    eng_apply_fn apply;  /* NOOP for a ConditionCheck */
    void *ctx;
    eng_origin_t origin; /* ENG_ORIGIN_USER when left zero */
} eng_multi_op_t;

typedef struct {
    ddb_errctx_t err; /* this action's failure (code DDB_OK when it passed) */
    eng_write_result_t res;
} eng_multi_result_t;

/**
 * Write several items as one: every key's stripe is locked (ascending, so concurrent callers
 * cannot deadlock), every apply runs (all of them, even after one fails, so each action gets its
 * reason), and only if every one succeeded is every change (items, index entries, counters)
 * committed in one RocksDB batch. Keys must be distinct. res[i].err must be initialised by the
 * caller (err_init). Returns DDB_OK when committed; DDB_ERR_TRANSACTION_CANCELED (nothing written,
 * no message set in *err) when an apply failed; other errors (table deleted, storage) in *err.
 */
ddb_err_t eng_multi_write(eng_t *e, size_t n, const eng_multi_op_t *ops, arena_t *a, eng_multi_result_t *res,
                          ddb_errctx_t *err);

/** Read several items at one snapshot (a consistent view); out[i] NULL when absent. */
ddb_err_t eng_multi_get(eng_t *e, size_t n, eng_table_t *const *tables, const av_map_t *const *keys,
                        arena_t *a, av_map_t **out, ddb_errctx_t *err);

/* ---- Query and Scan ------------------------------------------------------------------------ */

typedef enum {
    ENG_SK_ANY = 0, /* the whole partition */
    ENG_SK_EQ,
    ENG_SK_LT,
    ENG_SK_LE,
    ENG_SK_GT,
    ENG_SK_GE,
    ENG_SK_BETWEEN,
    ENG_SK_BEGINS_WITH,
} eng_sk_op_t;

/** Keep an item in the page (a filter); the item is what the page would return. */
typedef bool (*eng_keep_fn)(void *ctx, const av_map_t *item);

typedef struct {
    const eng_index_t *index; /* NULL: the table itself */
    /* Query (query true): one partition, optionally a sort-key range. Values have the key types. */
    bool query;
    const av_t *hash; /* the partition key's value (a multi-attribute key: its first attribute's) */
    const av_t *hash_rest[ENG_KEY_ATTRS_MAX - 1]; /* a multi-attribute key: the other values, in order */
    size_t n_sk_eq; /* a multi-attribute sort key: equalities on its first n_sk_eq attributes, */
    const av_t *sk_eq[ENG_KEY_ATTRS_MAX - 1]; /* in schema order; sk_op then applies to the next one */
    eng_sk_op_t sk_op;
    const av_t *sk[2]; /* operands (BETWEEN: both) */
    bool backward;     /* ScanIndexForward false */
    /* Scan: segment of total_segments (0 = whole table). */
    uint32_t segment, total_segments;
    /* both */
    const av_map_t *start; /* ExclusiveStartKey: the table's key attributes (+ the index's) */
    size_t limit;          /* items evaluated; 0 = no limit */
    size_t max_bytes;      /* page stops once this much has been read; 0 = 1 MB */
    bool fetch_table_item; /* LSI: return the table's whole item instead of the projected entry */
    bool count_only;       /* count kept items, do not return them */
    eng_keep_fn keep;      /* filter, or NULL */
    void *keep_ctx;
} eng_query_t;

typedef struct {
    av_map_t **items;   /* kept items, in order (count_only: NULL) */
    size_t count;       /* kept */
    size_t scanned;     /* evaluated (ScannedCount) */
    size_t bytes;       /* DynamoDB sizes of the items read, for consumed capacity */
    av_map_t *last_key; /* LastEvaluatedKey, or NULL when the range is exhausted */
} eng_page_t;

/**
 * One page of a Query or Scan, read at one snapshot. Stops when Limit items have been evaluated
 * or max_bytes read (then last_key is the key of the last item evaluated, even if it was the last
 * one there is), or when the range is exhausted (last_key NULL). Items are copied into `a`.
 */
ddb_err_t eng_query(eng_t *e, eng_table_t *t, const eng_query_t *q, arena_t *a, eng_page_t *page,
                    ddb_errctx_t *err);

/* ---- DynamoDB Streams (stream.c) ------------------------------------------------------------- */

/*
 * A table's stream is enabled by CreateTable / UpdateTable (stream_enabled and stream_view in the
 * description); the engine then gives it a new label (stream_label, strictly later than any earlier
 * stream of that table name) and records every change of an item in the same batch as the item. A
 * stream is an ordered log cut into shards: one shard is open at a time; after stream_shard_ms it is
 * closed and a child shard opens. Disabling the stream or deleting the table closes its last shard;
 * the stream stays readable (DISABLED) until its records pass stream_retention_ms. Streams are named
 * by (table name, label): the ARN's parts.
 *
 * Sequence numbers are one counter for the whole engine: strictly increasing within a shard and in
 * commit order for each key. A reader sees a record only once every record with a lower sequence
 * number is committed or abandoned, so resuming after the last number read never skips one.
 */

typedef struct {
    const char *table;   /* TableName */
    const char *label;   /* StreamLabel, e.g. "2026-12-04T17:09:43.123" (UTC, ms) */
    const char *view;    /* StreamViewType: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES */
    bool enabled;        /* ENABLED; false: DISABLED (turned off, or its table deleted) */
    double created;      /* CreationRequestDateTime, epoch seconds */
    eng_keyschema_t key; /* KeySchema of the table */
} eng_stream_t;

typedef struct {
    const char *id;     /* ShardId: "shardId-<20 digits>-<8 hex digits>" */
    const char *parent; /* ParentShardId; NULL for a stream's first shard */
    uint32_t ord;       /* 0, 1, ... in the order the stream's shards opened (iterators carry it) */
    uint64_t start;     /* StartingSequenceNumber (eng_seq_format) */
    uint64_t end;       /* EndingSequenceNumber, when closed */
    bool closed;
} eng_shard_t;

/** Sequence numbers on the wire: 21 decimal digits ("1" then 20 digits of the counter). */
#define ENG_SEQ_STRLEN 21
void eng_seq_format(char out[ENG_SEQ_STRLEN + 1], uint64_t seq);
/** Parse a wire sequence number; false when it is not one this engine wrote (any other digits). */
bool eng_seq_parse(const char *s, size_t len, uint64_t *seq);

typedef enum {
    ENG_STREAM_OK = 0,
    ENG_STREAM_NO_STREAM, /* no such stream (or it passed its retention) */
    ENG_STREAM_NO_SHARD,  /* no shard of that id in the stream */
    ENG_STREAM_BAD_SEQ,   /* AT/AFTER_SEQUENCE_NUMBER: the number is not within the shard */
    ENG_STREAM_TRIMMED,   /* the position is before the trim horizon (records past retention) */
    ENG_STREAM_ERROR,     /* storage error (logged) */
} eng_stream_rc_t;

/** Streams within retention, sorted by (table, label); table NULL: of every table. In `a`. */
size_t eng_stream_list(eng_t *e, const char *table, arena_t *a, eng_stream_t **out);
/** One stream and its shards still within retention (oldest first), in `a`. NO_STREAM or OK. */
eng_stream_rc_t eng_stream_describe(eng_t *e, const char *table, const char *label, arena_t *a,
                                    eng_stream_t *out, eng_shard_t **shards, size_t *n);

typedef enum {
    ENG_ITER_TRIM_HORIZON = 0, /* the oldest record still kept in the shard */
    ENG_ITER_LATEST,           /* just after the most recent record */
    ENG_ITER_AT,               /* at sequence number seq */
    ENG_ITER_AFTER,            /* just after sequence number seq */
} eng_iter_type_t;

/**
 * Where a new shard iterator starts: *ord gets the shard's ordinal, *pos the first sequence number
 * it may return. NO_STREAM, NO_SHARD, BAD_SEQ (AT/AFTER a number outside the shard's range),
 * TRIMMED (AT/AFTER a number before the trim horizon).
 */
eng_stream_rc_t eng_stream_iterator(eng_t *e, const char *table, const char *label, const char *shard_id,
                                    eng_iter_type_t type, uint64_t seq, uint32_t *ord, uint64_t *pos);

typedef enum { ENG_EVENT_INSERT = 1, ENG_EVENT_MODIFY, ENG_EVENT_REMOVE } eng_event_t;

typedef struct {
    eng_event_t event;
    bool by_service; /* a TTL deletion: userIdentity {Type: Service, PrincipalId: dynamodb.amazonaws.com} */
    uint64_t seq;
    double created;      /* epoch seconds (ms precision) */
    av_map_t *keys;      /* the item's key attributes */
    av_map_t *old_image; /* OLD_IMAGE / NEW_AND_OLD_IMAGES (MODIFY, REMOVE); else NULL */
    av_map_t *new_image; /* NEW_IMAGE / NEW_AND_OLD_IMAGES (INSERT, MODIFY); else NULL */
    size_t size;         /* SizeBytes: item sizes of keys and the images kept */
} eng_record_t;

typedef struct {
    eng_record_t *recs;
    size_t n;
    uint64_t next_pos; /* where the next read of this shard starts */
    bool shard_end;    /* the shard is closed and nothing is left after next_pos: no next iterator */
} eng_records_t;

/**
 * Records of shard `ord` of a stream from sequence number pos on, in order: at most `limit`, and
 * no more once `max_bytes` of records have been gathered (at least one). Records in `a`. NO_STREAM,
 * TRIMMED (pos before the trim horizon, or the shard itself trimmed away), ERROR.
 */
eng_stream_rc_t eng_stream_read(eng_t *e, const char *table, const char *label, uint32_t ord, uint64_t pos,
                                size_t limit, size_t max_bytes, arena_t *a, eng_records_t *out);
/** Stream records staged since the engine opened (a batch that then fails to write counts too: its
 *  sequence numbers stay unused). For /metrics. */
uint64_t eng_stream_records_written(eng_t *e);

/* ---- server-level records (meta.c) -----------------------------------------------------------
 * Small records the server keeps in the engine's database beside the catalog (Lambda event-source
 * mappings and their checkpoints): keys are the caller's bytes, stored under a reserved prefix of
 * the sys column family (docs/storage-format.md "Server records"); values are opaque. Thread-safe. */

typedef struct {
    const char *key; /* the caller's key (without the engine's prefix) */
    size_t klen;
    const char *val; /* NULL: delete the key */
    size_t vlen;
} eng_meta_op_t;

typedef struct {
    const char *key; /* NUL-terminated copies in the caller's arena */
    size_t klen;
    const char *val;
    size_t vlen;
} eng_meta_kv_t;

/** Commit n puts and deletes as one atomic batch (all or none after a crash). InternalServerError
 *  (logged) when storage fails. Scratch memory from a. */
ddb_err_t eng_meta_write(eng_t *e, const eng_meta_op_t *ops, size_t n, arena_t *a, ddb_errctx_t *err);
/** One record: 1 found (*val, *vlen a NUL-terminated copy in a), 0 absent, -1 storage error (logged). */
int eng_meta_get(eng_t *e, const char *key, size_t klen, arena_t *a, char **val, size_t *vlen);
/** Every record whose key starts with prefix, in key order (copies in a): 0, or -1 (logged). */
int eng_meta_list(eng_t *e, const char *prefix, arena_t *a, eng_meta_kv_t **out, size_t *n);

/* ---- point-in-time recovery (pitr.c) ---------------------------------------------------------
 *
 * While PITR is on for a table, every change of one of its items (every write path: item__stage)
 * also writes, in the same batch, a history record (commit time in epoch ms, key, the item's image
 * before the change) into the FMT_CF_PITR column family. The table as of a time T is the table now
 * with each key changed after T replaced by the old image of its first change after T. A keeper job
 * trims records older than the recovery period; turning PITR off or deleting the table drops the
 * table's history at once. Times are epoch milliseconds; "as of T" includes every change committed
 * at or before T. Thread-safe. */

typedef struct {
    bool enabled;        /* PointInTimeRecoveryStatus ENABLED */
    int days;            /* RecoveryPeriodInDays */
    int64_t earliest_ms; /* EarliestRestorableDateTime: max(PITR turned on, now - days) */
    int64_t latest_ms;   /* LatestRestorableDateTime: now (history is written with each change) */
} eng_pitr_info_t;

/* History records carry microseconds: "as of T" (T in ms) is every change made at or before T.000, so a
 * change made 0.3 ms after a whole second is not in the table as of that second. */
/** (export, restore) Whether PITR is on for the table, and its restorable window. */
bool eng_pitr_info(eng_t *e, const eng_table_t *t, eng_pitr_info_t *out);
/**
 * Turn PITR on (days 1..35; on when already on: only the period changes) or off (the table's history
 * is dropped). ResourceNotFoundException "Requested resource not found: Table: <name> not found".
 * *out (if not NULL) gets a reference to the new description.
 */
ddb_err_t eng_pitr_set(eng_t *e, const char *table, bool enabled, int days, eng_table_t **out,
                       ddb_errctx_t *err);

/** A reader of a table's items at one time, or of its changes between two times. Owns a RocksDB
 *  snapshot and a reference to the table (whose deletion does not disturb it); one thread at a time. */
typedef struct eng_reader eng_reader_t;

/**
 * (export, restore) Open a reader of table t's items as of at_ms (0: now, a plain snapshot, PITR
 * not needed). at_ms > 0 needs PITR on and earliest_ms <= at_ms <= now (check with eng_pitr_info
 * first to word your own error): else ValidationException "The time is outside the table's
 * restorable window". Items come in the table's key order.
 */
ddb_err_t eng_reader_open_asof(eng_t *e, eng_table_t *t, int64_t at_ms, eng_reader_t **out,
                               ddb_errctx_t *err);
/** The next item as of the reader's time: 1 (*item in a), 0 at the end, -1 storage error (logged). */
int eng_reader_next(eng_reader_t *r, arena_t *a, av_map_t **item);

typedef struct {
    av_map_t *keys;      /* the item's key attributes */
    av_map_t *old_image; /* the item as of from_ms (NULL: absent) */
    av_map_t *new_image; /* the item as of to_ms (NULL: absent, i.e. deleted) */
    int64_t write_ms;    /* the time of its last change at or before to_ms (ms, truncated) */
    int64_t write_us;    /* ... in microseconds (AWS's WriteTimeMicros) */
} eng_change_t;

/**
 * (incremental export) Open a reader of the items changed in (from_ms, to_ms]: each such key once,
 * in key order, with its images at both ends (a key created and deleted within the window is left
 * out). Needs PITR on and earliest_ms <= from_ms < to_ms <= now: else ValidationException as above.
 */
ddb_err_t eng_reader_open_changes(eng_t *e, eng_table_t *t, int64_t from_ms, int64_t to_ms,
                                  eng_reader_t **out, ddb_errctx_t *err);
/** The next change: 1 (*out's maps in a), 0 at the end, -1 storage error (logged). */
int eng_reader_next_change(eng_reader_t *r, arena_t *a, eng_change_t *out);
/** Release the snapshot and the table reference. */
void eng_reader_close(eng_reader_t *r);

/* ---- bulk loads and tasks: imports, seeding, exports (bulk.c) ------------------------------------------ */

/** A bulk load into a table (an import or a seed): items gathered into batches written as
 *  eng_multi_write does (key locks, index entries, counters, origin RESTORE). Not thread-safe: one
 *  loader per thread. A key given twice: the later item wins. */
typedef struct eng_bulk eng_bulk_t;
/** Start loading into t (a reference is kept until eng_bulk_free). */
eng_bulk_t *eng_bulk_begin(eng_t *e, eng_table_t *t);
/** Add one item (copied): ValidationException when it lacks a key attribute of the declared type, has an
 *  empty key value or a wrong index-key type, or is over 400 KB (nothing added); errors of a batch write. */
ddb_err_t eng_bulk_put(eng_bulk_t *b, const av_map_t *item, ddb_errctx_t *err);
/** Write the pending batch. */
ddb_err_t eng_bulk_flush(eng_bulk_t *b, ddb_errctx_t *err);
/** Items written so far (by completed batches). */
uint64_t eng_bulk_written(const eng_bulk_t *b);
/** Forget pending items and free the loader (flush first to keep them). */
void eng_bulk_free(eng_bulk_t *b);

/** A long task of the server's (an export, an import) run as an engine job: its own thread, off the
 *  event loops; eng_close asks it to stop (eng_task_stopping) and waits for it. */
typedef struct eng_task eng_task_t;
typedef void (*eng_task_fn)(eng_task_t *task, void *arg);
/** Start fn(task, arg) on its own thread; free_arg(arg) after it returns. false (arg freed) when the
 *  engine is closing. */
bool eng_task_start(eng_t *e, const char *name, eng_task_fn fn, void *arg, void (*free_arg)(void *arg));
/** Whether the task should give up now (the engine is closing); false for task NULL (a run in the
 *  caller's thread, as the offline commands do). */
bool eng_task_stopping(const eng_task_t *task);
/** Add to the task's progress counter (task NULL: nothing). */
void eng_task_progress(eng_task_t *task, uint64_t n);
/** Wait until no task is running. */
void eng_task_wait(eng_t *e);

/* ---- on-demand backups and restores (backup.c) -----------------------------------------------
 *
 * A backup is a copy of a table's items taken at one RocksDB snapshot (writes go on meanwhile),
 * with the table's description, kept until DeleteBackup (DeleteTable leaves it). Small tables are
 * copied during the call (AVAILABLE at once); larger ones by a job (CREATING until the copy is
 * done; a backup a crash left CREATING is removed at the next start). A restore creates the target
 * table CREATING (RestoreInProgress) and a job fills it through the ordinary write path (items,
 * index entries, counters); then the table is ACTIVE. A restore interrupted by a stop or a crash
 * starts again at the next open; one whose source is gone fails and its table is deleted. Messages
 * that name a backup use the ARN the caller passes. Thread-safe. */

typedef struct {
    const char *id;       /* "<13 digits of epoch ms>-<8 hex digits>": the ARN's last part */
    const char *name;     /* BackupName */
    const char *table;    /* the source table's name */
    const char *table_id; /* ... and id */
    double created;       /* BackupCreationDateTime, epoch seconds */
    bool available;       /* AVAILABLE; false: CREATING */
    int64_t size_bytes;   /* BackupSizeBytes (the table's size at the snapshot) */
    int64_t item_count;
    eng_table_t *desc; /* eng_backup_get with_desc: the table's description at the snapshot, a
                          descriptor outside the catalog; the caller releases it (eng_table_release) */
} eng_backup_t;

/** Back up a table. TableNotFoundException "Table not found: <name>"; TableInUseException when the
 *  table is not ACTIVE. Strings of *out in a. */
ddb_err_t eng_backup_create(eng_t *e, const char *table, const char *name, arena_t *a, eng_backup_t *out,
                            ddb_errctx_t *err);
/** One backup: 1 (*out in a), 0 no such backup, -1 storage error (logged). */
int eng_backup_get(eng_t *e, const char *id, bool with_desc, arena_t *a, eng_backup_t *out);
/** Every backup, oldest first (ids start with the creation time), in a. 0, or -1 (logged). */
int eng_backup_list(eng_t *e, arena_t *a, eng_backup_t **out, size_t *n);
/** Delete a backup; *out gets what it was (no desc). BackupNotFoundException "Backup not found: <arn>";
 *  BackupInUseException while it is being created or restored. */
ddb_err_t eng_backup_delete(eng_t *e, const char *id, const char *arn, arena_t *a, eng_backup_t *out,
                            ddb_errctx_t *err);

typedef struct {
    const eng_table_t *spec;      /* the new table (its name is the target's): status, ids and the
                                     restore fields are set by the engine */
    const char *backup_id;        /* restore this backup ... */
    const char *backup_arn;       /* (SourceBackupArn, and the messages) */
    const char *source_table;     /* ... or this table as of at_us (PITR: the caller checked the window) */
    int64_t at_us;                /* epoch microseconds; 0: the latest restorable time (now) */
    const char *source_table_arn; /* SourceTableArn */
} eng_restore_req_t;

/**
 * Start a restore: the target table is created CREATING (ResourceInUseException "Table already
 * exists: <name>" when taken) and a job fills it. BackupNotFoundException, BackupInUseException (the
 * backup is still being created); TableNotFoundException "Table not found: <name>" for a missing
 * source. *out (if not NULL) gets a reference to the new table's description.
 */
ddb_err_t eng_restore_start(eng_t *e, const eng_restore_req_t *rq, eng_table_t **out, ddb_errctx_t *err);
/** Wait until no backup copy or restore job is running (tests, benchmarks). */
void eng_backup_wait(eng_t *e);

#endif
