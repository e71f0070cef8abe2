/*
 * engine: the storage facade the server calls. Tables, items, (later) queries, indexes,
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
 *   as one RocksDB write batch (item + table statistics; later index entries and stream records).
 */
#ifndef DDB_ENGINE_H
#define DDB_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/av.h"
#include "common/err.h"

typedef struct eng eng_t;

/* ---- opening ---------------------------------------------------------------------------- */

typedef struct {
    const char *data_dir;   /* directory of the RocksDB database (created if missing) */
    bool in_memory;         /* keep nothing on disk (RocksDB's in-memory Env); data_dir ignored */
    bool sync_writes;       /* fsync the WAL on every write (default off, like DynamoDB Local) */
    size_t block_cache_mb;  /* 0 = default (32) */
    size_t write_buffer_mb; /* 0 = default (16) */
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

typedef struct {
    eng_attr_t hash;
    eng_attr_t range; /* range.name == NULL when the key has no sort key */
} eng_keyschema_t;

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
    bool backfilling;
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

    /* engine-private (not part of the persisted description) */
    arena_t *arena_;           /* owns this descriptor and every string in it */
    struct eng__store *store_; /* column family of the items, shared by every version */
    int refs_;                 /* atomic */
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
 * arena, use eng_table_strdup for new strings) and may change any non-identity field or return
 * an error (which aborts the update). The new description is persisted and published.
 * ResourceNotFoundException when the table is missing. *out (if not NULL) gets a reference to
 * the new descriptor.
 */
typedef ddb_err_t (*eng_table_mutate_fn)(void *ctx, eng_table_t *copy, ddb_errctx_t *err);
ddb_err_t eng_table_update(eng_t *e, const char *name, eng_table_mutate_fn mutate, void *ctx,
                           eng_table_t **out, ddb_errctx_t *err);
/** Copy a string into a descriptor's arena (for use inside a mutate callback). */
const char *eng_table_strdup(eng_table_t *t, const char *s);

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

#endif
