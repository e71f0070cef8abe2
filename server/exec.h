/*
 * exec.h: typed requests and the executors every front end shares (DESIGN.md "Typed requests and
 * executors"; docs/architecture.md).
 *
 * A front end (a JSON handler api_*.c, a batch, a transaction, PartiQL) decodes its input into one of
 * the typed requests below: attribute values converted, expressions parsed and resolved, the table
 * looked up, and every check that needs no stored item done (exec_key_or_err, exec_item_keys_or_err,
 * the expr_*_check_* calls). Then it calls the family's executor, which touches storage and hands back
 * typed results; the front end writes its own answer (JSON shapes differ between the APIs).
 *
 * Contract: executors record DynamoDB's error in r->err (first error wins) and return its code;
 * memory comes from r->a; a typed request borrows everything it points to (the front end keeps the
 * table reference and the decoded values alive for the call). Executors run on the request's thread.
 *
 * Capacity (--enforce-capacity, throttle.c): before touching storage each executor asks for admission
 * of the tables (and GSIs) it will consume. Refused: ProvisionedThroughputExceededException in r->err
 * (exec_write, exec_query, exec_get), or in res[i].err of each action of the throttled table with
 * DDB_ERR_TRANSACTION_CANCELED returned (exec_write_multi), or the TransactionCanceledException of
 * exec_cancelled_or_err for exec_get under TransactGetItems / ExecuteTransaction. The table's units
 * are charged by the front end's cap_write* call, a GSI's write units by the write executors.
 */
#ifndef DDB_SERVER_EXEC_H
#define DDB_SERVER_EXEC_H

#include "server/server.h"

/* ---- checks against the table's key schema (exec_item.c) ----------------------------------------- */

/** The key attributes of an item whose keys were checked, as a map in `a`. */
av_map_t *exec_key_of(arena_t *a, const eng_table_t *t, const av_map_t *item);
/** A Key names exactly the table's key attributes with their types ("The provided key element does
 *  not match the schema"), non-empty, within the key size limits. */
ddb_err_t exec_key_or_err(ddb_errctx_t *err, const eng_table_t *t, const av_map_t *key);
/** An empty S/B value for key attribute `a`: DynamoDB's ValidationException. */
ddb_err_t exec_empty_key_or_err(ddb_errctx_t *err, const eng_attr_t *a, const av_t *v);
/** An Item carries every key attribute with its type (PutItem's messages), within the size limits. */
ddb_err_t exec_item_keys_or_err(ddb_errctx_t *err, const eng_table_t *t, const av_map_t *item);

/* ---- single-item writes (exec_item.c) ------------------------------------------------------------- */

typedef enum {
    EXEC_CHECK = 0, /* ConditionCheck: the condition only, nothing written */
    EXEC_PUT,
    EXEC_DELETE,
    EXEC_UPDATE,
} exec_kind_t;

/** One item write, as PutItem, DeleteItem, UpdateItem, a transaction's action or a batch's put or
 *  delete asks for it. */
typedef struct {
    exec_kind_t kind;
    eng_table_t *table;  /* borrowed */
    const av_map_t *key; /* exactly the key attributes (checked) */
    av_map_t *item;      /* EXEC_PUT: the new item (checked) */
    const expr_update_t
        *update;             /* EXEC_UPDATE: the actions; NULL: none (a missing item is made from its key) */
    const expr_cond_t *cond; /* NULL: unconditional */
    bool return_old_on_fail; /* ReturnValuesOnConditionCheckFailure ALL_OLD */
    bool must_exist;         /* PartiQL UPDATE and EXISTS: no stored item is ConditionalCheckFailed */
    bool must_not_exist;     /* PartiQL INSERT: a stored item is DuplicateItemException */
    eng_origin_t origin;     /* ENG_ORIGIN_USER unless a transaction says otherwise */
    /* results, set under the key lock */
    const av_map_t *failed_old; /* the stored item, when the condition failed and return_old_on_fail */
    av_map_t *updated;          /* EXEC_UPDATE: the item after the actions */
    arena_t *a_;                /* executor-private: where apply allocates */
} exec_write_t;

/** Write one item: lock its key, read it, check the condition, apply, commit (item, indexes,
 *  counters, stream record), unlock. ConditionalCheckFailedException (w->failed_old set when asked)
 *  and the other errors in r->err. */
ddb_err_t exec_write(ddb_req_t *r, exec_write_t *w, eng_write_result_t *res);
/**
 * Several writes as one (eng_multi_write): all conditions checked under all key locks, then all
 * written in one batch or none. res[i].err gets each write's own failure (initialised here). Returns
 * DDB_OK, DDB_ERR_TRANSACTION_CANCELED (no message set: the front end words it from res), or
 * another error in r->err.
 */
ddb_err_t exec_write_multi(ddb_req_t *r, size_t n, exec_write_t *w, eng_multi_result_t *res);

/** A cancelled multi-write (TransactWriteItems, ExecuteTransaction) as DynamoDB answers it:
 *  TransactionCanceledException "Transaction cancelled, please refer cancellation reasons for specific
 *  reasons [None, ConditionalCheckFailed, ...]" with CancellationReasons in r->err_extra (an Item for
 *  a failed condition that asked for ALL_OLD; ws may be NULL when nothing ran). Returns that error. */
ddb_err_t exec_cancelled_or_err(ddb_req_t *r, size_t n, const exec_write_t *ws,
                                const eng_multi_result_t *res);

typedef enum {
    EXEC_RV_NONE = 0,
    EXEC_RV_ALL_OLD,
    EXEC_RV_ALL_NEW,
    EXEC_RV_UPDATED_OLD,
    EXEC_RV_UPDATED_NEW,
} exec_rv_t;

/** ReturnValues of a committed write: the attributes to answer, or NULL for none (UPDATED_* give the
 *  attributes the update's actions touched). */
const av_map_t *exec_return_values(ddb_req_t *r, const exec_write_t *w, const eng_write_result_t *res,
                                   exec_rv_t rv);

/* ---- item reads (exec_item.c) --------------------------------------------------------------------- */

/** One item read, as GetItem, a BatchGetItem key or a TransactGetItems Get asks for it. */
typedef struct {
    eng_table_t *table;      /* borrowed */
    const av_map_t *key;     /* exactly the key attributes (checked) */
    const expr_proj_t *proj; /* NULL: every attribute */
} exec_get_t;

typedef struct {
    av_map_t *item; /* the item, projected; NULL when there is none */
    size_t size;    /* the stored item's DynamoDB size (0 when none), for consumed capacity */
} exec_got_t;

/** Read n items (several at one snapshot: a consistent view) into out[i]. */
ddb_err_t exec_get(ddb_req_t *r, size_t n, const exec_get_t *g, exec_got_t *out);

/* ---- Query and Scan (exec_query.c) ----------------------------------------------------------------- */

typedef enum {
    EXEC_SEL_ALL = 0,   /* every attribute (of the table's item) */
    EXEC_SEL_PROJECTED, /* the index entry's attributes */
    EXEC_SEL_SPECIFIC,  /* the projection's */
    EXEC_SEL_COUNT,     /* only the count */
} exec_select_t;

/** A Query or Scan plan, as Query, Scan or a PartiQL SELECT asks for it. */
typedef struct {
    eng_table_t *table;        /* borrowed */
    const eng_index_t *index;  /* NULL: the table */
    eng_query_t q;             /* range (exec_query_range), direction, segment, start key, limit; the
                                  executor sets index, count_only, keep and fetch_table_item */
    const expr_cond_t *filter; /* NULL: none */
    const expr_proj_t *proj;   /* NULL: as `select` says */
    exec_select_t select;
    bool consistent; /* for capacity */
} exec_query_t;

typedef struct {
    av_map_t **items; /* kept items, projected (EXEC_SEL_COUNT: NULL) */
    size_t count;     /* kept */
    size_t scanned;   /* evaluated (ScannedCount) */
    av_map_t *last_key;
    size_t bytes; /* DynamoDB sizes of the items read (the 1 MB page rule) */
    double units; /* read capacity consumed */
} exec_page_t;

/** The partition and sort-key range of a bound key condition into an engine query. */
void exec_query_range(eng_query_t *q, const expr_keyrange_t *kr);
/** Bind a key condition to a table's or index's key schema (expr_keycond_bind_checked: `check`, may be
 *  NULL, runs on each key attribute before its conditions). */
ddb_err_t exec_keycond_bind_or_err(const expr_keycond_t *kc, const eng_keyschema_t *ks,
                                   expr_keyattr_check_fn check, void *check_ctx, expr_keyrange_t *out,
                                   ddb_errctx_t *err);
/** The names of a key schema's attributes (HASH then RANGE, schema order) into names; returns how many. */
size_t exec_key_names(const eng_keyschema_t *ks, const char **names);
/** Nested paths inside an index key attribute of t (not a table key attribute: those are checked
 *  first, "Key: pk") in a condition, an update or a projection (any may be NULL): "Key attributes must
 *  be scalars; list random access '[]' and map lookup '.' are not allowed: IndexKey: g". */
ddb_err_t exec_index_key_paths_or_err(ddb_errctx_t *err, const eng_table_t *t, const expr_cond_t *c,
                                      const expr_update_t *u, const expr_proj_t *p);
/** One page of the plan. */
ddb_err_t exec_query(ddb_req_t *r, exec_query_t *x, exec_page_t *out);

#endif
