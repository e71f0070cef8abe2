/*
 * expr: DynamoDB's five expression languages (condition/filter, key condition, update,
 * projection) and the legacy parameters that older clients send instead of them.
 *
 * Contract
 * - Threads: no global mutable state. Everything a call creates lives in the arena handed to
 *   it (the request arena); one expr_ctx_t belongs to one request and one thread. Parsed trees
 *   are read-only after parsing, so the engine's apply callback may evaluate them under the key
 *   lock on any thread while the request is alive.
 * - Memory: all returned pointers (trees, items, key conditions) live in the arena of the
 *   context (or the arena passed to the call) until that arena is reset. Input strings and
 *   attribute values handed to expr_ctx_* must stay valid as long as the trees are used: the
 *   trees point into them instead of copying.
 * - Errors: a function that can fail returns ddb_err_t and records DynamoDB's exact message
 *   with err_set (first error wins). Validation problems are DDB_ERR_VALIDATION. Condition
 *   evaluation never fails: comparisons of mismatched types are simply false, as in DynamoDB.
 *
 * How the server uses it (order matters; it is DynamoDB's validation order):
 *   1. ctx = expr_ctx_new(r->a, &r->err)
 *   2. expr_ctx_set_names(ctx, ...)        if ExpressionAttributeNames is present
 *   3. expr_ctx_check_value_keys(ctx, ...) if ExpressionAttributeValues is present, then the
 *      server converts each value (avjson_value) and prefixes its message with
 *      "ExpressionAttributeValues contains invalid value: " and suffixes " for key :k",
 *      then expr_ctx_set_values(ctx, ...)
 *   4. parse every expression of the request in DynamoDB's order (UpdateItem: UpdateExpression
 *      then ConditionExpression; Query: FilterExpression, ProjectionExpression,
 *      KeyConditionExpression; Scan: FilterExpression, ProjectionExpression)
 *   5. expr_ctx_check_unused(ctx)
 *   6. table-aware checks: expr_keycond_bind, expr_*_check_key_paths, expr_filter_check_keys
 *   7. under the key lock: expr_condition_eval(cond, old) -> false means
 *      ConditionalCheckFailedException; then expr_update_check_keys / expr_update_apply.
 * Legacy parameters: build the plain structs below, call expr_legacy_* to get the same trees.
 */
#ifndef DDB_EXPR_H
#define DDB_EXPR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "common/av.h"
#include "common/err.h"

#define EXPR_MAX_SIZE 4096     /* bytes of one expression (DynamoDB: 4 KB) */
#define EXPR_MAX_PATH_DEPTH 32 /* elements of one document path */
#define EXPR_MAX_IN 100        /* operands after IN */
#define EXPR_MAX_NESTING 256   /* parser recursion (parentheses, NOT, function calls) */

typedef struct expr_ctx expr_ctx_t;       /* the request's #names / :values and their use */
typedef struct expr_cond expr_cond_t;     /* a parsed condition or filter */
typedef struct expr_update expr_update_t; /* a parsed update */
typedef struct expr_proj expr_proj_t;     /* a parsed projection */

typedef enum {
    EXPR_CONDITION,     /* ConditionExpression */
    EXPR_FILTER,        /* FilterExpression */
    EXPR_KEY_CONDITION, /* KeyConditionExpression */
    EXPR_UPDATE,        /* UpdateExpression */
    EXPR_PROJECTION,    /* ProjectionExpression */
} expr_kind_t;

/* ---- substitution context ---------------------------------------------------------------- */

/** A fresh context for one request; errors go to `err`, memory to `a`. */
expr_ctx_t *expr_ctx_new(arena_t *a, ddb_errctx_t *err);
/**
 * ExpressionAttributeNames: keys[i] ("#n") stands for names[i]. Checks DynamoDB's rules
 * ("ExpressionAttributeNames must not be empty", "... contains invalid key: Syntax error; key:
 * \"k\"", key longer than 255 bytes, empty name).
 */
ddb_err_t expr_ctx_set_names(expr_ctx_t *c, size_t n, const ddb_str_t *keys, const ddb_str_t *names);
/** The keys of ExpressionAttributeValues, checked before their values are converted. */
ddb_err_t expr_ctx_check_value_keys(expr_ctx_t *c, size_t n, const ddb_str_t *keys);
/** ExpressionAttributeValues (already valid values); keys are checked again. */
ddb_err_t expr_ctx_set_values(expr_ctx_t *c, size_t n, const ddb_str_t *keys, const av_t *values);
/** After every expression is parsed: names first, then values, in DynamoDB's (Java) key order. */
ddb_err_t expr_ctx_check_unused(expr_ctx_t *c);

/* ---- parsing ----------------------------------------------------------------------------- */

/** Parse a ConditionExpression (kind EXPR_CONDITION) or FilterExpression (EXPR_FILTER). */
ddb_err_t expr_condition_parse(expr_ctx_t *c, expr_kind_t kind, const char *text, size_t len,
                               expr_cond_t **out);
/** Parse an UpdateExpression. */
ddb_err_t expr_update_parse(expr_ctx_t *c, const char *text, size_t len, expr_update_t **out);
/** Parse a ProjectionExpression. */
ddb_err_t expr_projection_parse(expr_ctx_t *c, const char *text, size_t len, expr_proj_t **out);

/* ---- key conditions ---------------------------------------------------------------------- */

typedef enum {
    EXPR_KEY_EQ,
    EXPR_KEY_LT,
    EXPR_KEY_LE,
    EXPR_KEY_GT,
    EXPR_KEY_GE,
    EXPR_KEY_BETWEEN,
    EXPR_KEY_BEGINS_WITH,
} expr_keyop_t;

/** One condition on one key attribute: name op v[0] (BETWEEN: v[0] AND v[1]). */
typedef struct {
    ddb_str_t name;
    expr_keyop_t op;
    const av_t *v[2];
    bool unindexable; /* legacy KeyConditions with NULL, NOT_NULL, NE, CONTAINS...: refused by the bind,
                         after the table is found and in the schema's order, as DynamoDB does */
} expr_keypart_t;

/** Most attributes of one kind in a key schema (a GSI's multi-attribute key: 4 HASH, 4 RANGE). */
#define EXPR_KEY_ATTRS_MAX 4

/** A key condition before the table is known: its parts, in the order written (a schema has at most
 *  2 * EXPR_KEY_ATTRS_MAX attributes, so more parts than that are refused at once). */
typedef struct {
    size_t n;
    expr_keypart_t part[2 * EXPR_KEY_ATTRS_MAX];
} expr_keycond_t;

/** The key range the query layer needs: hash = value, optional sort condition. A multi-attribute key
 *  adds the other HASH attributes' equalities and those on the RANGE attributes before `range`'s. */
typedef struct {
    const expr_keypart_t *hash;  /* op is EXPR_KEY_EQ (the first HASH attribute's) */
    const expr_keypart_t *range; /* the last RANGE attribute named; NULL: the whole partition */
    size_t n_hash;               /* every HASH attribute's equality, in schema order (hashes[0] == hash) */
    const expr_keypart_t *hashes[EXPR_KEY_ATTRS_MAX];
    size_t n_eq; /* equalities on the RANGE attributes before range's, in schema order */
    const expr_keypart_t *eqs[EXPR_KEY_ATTRS_MAX - 1];
} expr_keyrange_t;

/** One key attribute of a schema. */
typedef struct {
    const char *name;
    av_type_t type; /* AV_S, AV_N or AV_B */
} expr_keyattr_t;

/** Parse and check a KeyConditionExpression (structure only; see expr_keycond_bind). */
ddb_err_t expr_keycond_parse(expr_ctx_t *c, const char *text, size_t len, expr_keycond_t *out);
/** The structure checks of expr_keycond_parse on a condition already parsed as EXPR_KEY_CONDITION
 *  (DynamoDB checks them after every expression of the request is parsed). */
ddb_err_t expr_keycond_from(expr_ctx_t *c, const expr_cond_t *cond, expr_keycond_t *out);
/**
 * Match a key condition to the key schema of the table or index queried (range_name NULL for a
 * hash-only schema; types AV_S/AV_N/AV_B): "Query condition missed key schema element: pk",
 * "Query key condition not supported", "One or more parameter values were invalid: Condition
 * parameter type does not match schema type", empty string/binary key values, a BETWEEN whose
 * lower bound is above its upper bound.
 */
ddb_err_t expr_keycond_bind(const expr_keycond_t *kc, const char *hash_name, av_type_t hash_type,
                            const char *range_name, av_type_t range_type, expr_keyrange_t *out,
                            ddb_errctx_t *err);
/**
 * The same for any key schema: n_hash (1..4) HASH attributes and n_range (0..4) RANGE attributes in
 * schema order. A multi-attribute key needs equality on every HASH attribute and on a gap-free
 * prefix of the RANGE attributes, with any condition on the last one named ("RANGE key attributes
 * b must have equality conditions specified in the query because a condition is present on key
 * attribute c"); a single-attribute key takes one or two conditions ("Conditions can be of length
 * 1 or 2 only").
 */
ddb_err_t expr_keycond_bind_schema(const expr_keycond_t *kc, size_t n_hash, const expr_keyattr_t *hash,
                                   size_t n_range, const expr_keyattr_t *range, expr_keyrange_t *out,
                                   ddb_errctx_t *err);
/** A check the bind makes on each key attribute before that attribute's conditions (in schema order:
 *  HASH attributes, then RANGE ones), e.g. Query's ExclusiveStartKey: DynamoDB interleaves the two. */
typedef ddb_err_t (*expr_keyattr_check_fn)(void *ctx, const expr_keyattr_t *attr, ddb_errctx_t *err);
/** expr_keycond_bind_schema with `check` (may be NULL) run on each key attribute first. */
ddb_err_t expr_keycond_bind_checked(const expr_keycond_t *kc, size_t n_hash, const expr_keyattr_t *hash,
                                    size_t n_range, const expr_keyattr_t *range, expr_keyattr_check_fn check,
                                    void *check_ctx, expr_keyrange_t *out, ddb_errctx_t *err);
/** Whether a key value satisfies one part (for tests and for filtering index entries). */
bool expr_keypart_match(const expr_keypart_t *p, const av_t *v);

/* ---- evaluation -------------------------------------------------------------------------- */

/** Evaluate a condition against an item (NULL: no item). Never fails. */
bool expr_condition_eval(const expr_cond_t *cond, const av_map_t *item);

/* ---- update ------------------------------------------------------------------------------ */

typedef struct {
    /* The new item, in the arena. NULL when there was no item and the update only removes or
     * deletes: DynamoDB then writes nothing. (An update with no action creates the item.) */
    av_map_t *item;
} expr_update_result_t;

/** "One or more parameter values were invalid: Cannot update attribute pk. This attribute is
 *  part of the key" when an action's path starts at a key attribute (range_name may be NULL). */
ddb_err_t expr_update_check_keys(const expr_update_t *u, const char *hash_name, const char *range_name,
                                 ddb_errctx_t *err);
/**
 * Apply an update to `old` (NULL: no item; then the new item starts from `key`). Every value is
 * computed from `old` before anything is written, as DynamoDB does. Errors: incorrect data
 * types, missing attributes read by SET, invalid document paths, number overflow/underflow.
 */
ddb_err_t expr_update_apply(const expr_update_t *u, const av_map_t *old, const av_map_t *key, arena_t *a,
                            ddb_errctx_t *err, expr_update_result_t *res);
/**
 * The update's paths projected onto an item: ReturnValues UPDATED_OLD (pass the old item) and
 * UPDATED_NEW (pass the new one). An empty map means "no Attributes in the response".
 */
av_map_t *expr_update_project(const expr_update_t *u, const av_map_t *item, arena_t *a);
/** Names of the top-level attributes the update writes (for indexes and streams). */
size_t expr_update_top_names(const expr_update_t *u, arena_t *a, ddb_str_t **names);

/* ---- projection -------------------------------------------------------------------------- */

/** Keep only the projected paths of an item (nested maps and lists keep their shape). */
av_map_t *expr_projection_apply(const expr_proj_t *p, const av_map_t *item, arena_t *a);
/** Names of the top-level attributes a projection reads. */
size_t expr_projection_top_names(const expr_proj_t *p, arena_t *a, ddb_str_t **names);

/* ---- key attributes inside expressions ----------------------------------------------------- */

/** "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed:
 *  Key: pk" when a condition, update value or projection looks inside a key attribute. */
ddb_err_t expr_cond_check_key_paths(const expr_cond_t *c, const char *hash_name, const char *range_name,
                                    ddb_errctx_t *err);
ddb_err_t expr_update_check_key_paths(const expr_update_t *u, const char *hash_name, const char *range_name,
                                      ddb_errctx_t *err);
ddb_err_t expr_proj_check_key_paths(const expr_proj_t *p, const char *hash_name, const char *range_name,
                                    ddb_errctx_t *err);
/** The same for the key attributes of a table's indexes ("...: IndexKey: g"), in a condition or filter,
 *  an update (the paths it writes and the values it reads) and a projection; any of them may be NULL. */
ddb_err_t expr_check_index_key_paths(const expr_cond_t *c, const expr_update_t *u, const expr_proj_t *p,
                                     const char *const *names, size_t n, ddb_errctx_t *err);
/** Query only: "<param> can only contain non-primary key attributes: Primary key attribute: pk",
 *  param "Filter Expression" or "QueryFilter". */
ddb_err_t expr_filter_check_keys(const expr_cond_t *c, const char *hash_name, const char *range_name,
                                 const char *param, ddb_errctx_t *err);
/** The same for a key of any number of attributes (names[0..n-1]). */
ddb_err_t expr_filter_check_key_names(const expr_cond_t *c, const char *const *names, size_t n,
                                      const char *param, ddb_errctx_t *err);

/* ---- legacy parameters ------------------------------------------------------------------- */

typedef enum {
    EXPR_CMP_EQ,
    EXPR_CMP_NE,
    EXPR_CMP_LE,
    EXPR_CMP_LT,
    EXPR_CMP_GE,
    EXPR_CMP_GT,
    EXPR_CMP_NOT_NULL,
    EXPR_CMP_NULL,
    EXPR_CMP_CONTAINS,
    EXPR_CMP_NOT_CONTAINS,
    EXPR_CMP_BEGINS_WITH,
    EXPR_CMP_IN,
    EXPR_CMP_BETWEEN,
    EXPR_CMP__COUNT
} expr_cmpop_t;

/** ComparisonOperator from its wire name; false if unknown (the server's enum check words it). */
bool expr_cmpop_from_name(const char *s, size_t n, expr_cmpop_t *out);
/** Wire name of a ComparisonOperator. */
const char *expr_cmpop_name(expr_cmpop_t op);

/** One entry of Expected: {attr: {Value, Exists, ComparisonOperator, AttributeValueList}}. */
typedef struct {
    ddb_str_t attr;
    bool has_op;
    expr_cmpop_t op;
    const av_t *value; /* Value, or NULL */
    bool has_exists;
    bool exists;
    bool has_list; /* AttributeValueList present (even empty) */
    size_t nlist;
    const av_t *list;
} expr_expected_t;

/** One entry of QueryFilter / ScanFilter / KeyConditions: {attr: {ComparisonOperator, AttributeValueList}}.
 */
typedef struct {
    ddb_str_t attr;
    expr_cmpop_t op;
    size_t nlist;
    const av_t *list;
} expr_filter_t;

typedef enum { EXPR_AU_PUT, EXPR_AU_ADD, EXPR_AU_DELETE } expr_au_action_t;

/** One entry of AttributeUpdates: {attr: {Action, Value}} (Action defaults to PUT). */
typedef struct {
    ddb_str_t attr;
    expr_au_action_t action;
    const av_t *value; /* NULL when absent */
} expr_attr_update_t;

/** Expected (+ ConditionalOperator: or_op true for "OR") -> a condition. */
ddb_err_t expr_legacy_expected(arena_t *a, ddb_errctx_t *err, size_t n, const expr_expected_t *e, bool or_op,
                               expr_cond_t **out);
/** QueryFilter / ScanFilter (+ ConditionalOperator) -> a filter. */
ddb_err_t expr_legacy_filter(arena_t *a, ddb_errctx_t *err, size_t n, const expr_filter_t *f, bool or_op,
                             expr_cond_t **out);
/** KeyConditions -> a key condition (then expr_keycond_bind as for the expression). */
ddb_err_t expr_legacy_key_conditions(arena_t *a, ddb_errctx_t *err, size_t n, const expr_filter_t *f,
                                     expr_keycond_t *out);
/** AttributeUpdates -> an update (PUT = SET, DELETE without value = REMOVE). */
ddb_err_t expr_legacy_attribute_updates(arena_t *a, ddb_errctx_t *err, size_t n, const expr_attr_update_t *u,
                                        expr_update_t **out);
/** AttributesToGet -> a projection ("Duplicate value in attribute name: a"). */
ddb_err_t expr_legacy_attributes_to_get(arena_t *a, ddb_errctx_t *err, size_t n, const ddb_str_t *names,
                                        expr_proj_t **out);

/* ==== PartiQL (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction) ==================
 *
 * One statement compiles into the trees above: its WHERE into an expr_cond_t (the type a
 * ConditionExpression gives, so expr_condition_eval evaluates it), UPDATE's SET/REMOVE into an
 * expr_update_t (so expr_update_apply applies it), SELECT's list into an expr_proj_t, INSERT's
 * VALUE into an item. docs/partiql.md has the grammar, the translations and the messages.
 *
 * Contract: as for the rest of expr/ (no global state; everything in the arena given; trees
 * point into `text` and `params`, which must outlive them). Errors are DDB_ERR_VALIDATION with
 * DynamoDB's message ("Statement wasn't well formed, can't be processed: <detail>" for syntax;
 * "Number of parameters in request and statement don't match." ...). Syntax errors win over
 * every other error of the statement, as in DynamoDB (it parses before it checks).
 * The statement's length (1..8192 characters) is the server's request-shape check.
 */

typedef enum {
    EXPR_PQ_SELECT,
    EXPR_PQ_INSERT,
    EXPR_PQ_UPDATE,
    EXPR_PQ_DELETE,
    EXPR_PQ_EXISTS, /* EXISTS(SELECT ...): a condition check inside ExecuteTransaction */
} expr_pq_kind_t;

typedef enum {
    EXPR_PQ_RETURN_NONE,
    EXPR_PQ_RETURN_ALL_OLD,      /* RETURNING ALL OLD * */
    EXPR_PQ_RETURN_MODIFIED_OLD, /* RETURNING MODIFIED OLD * (UpdateItem's UPDATED_OLD) */
    EXPR_PQ_RETURN_ALL_NEW,
    EXPR_PQ_RETURN_MODIFIED_NEW,
} expr_pq_return_t;

/** One ORDER BY term: a top-level attribute name and its direction. */
typedef struct {
    ddb_str_t name;
    bool desc;
} expr_pq_order_t;

/** A compiled statement. Fields not used by a kind are zero. */
typedef struct {
    expr_pq_kind_t kind;
    ddb_str_t table; /* unquoted name, as written */
    ddb_str_t index; /* SELECT / EXISTS: "Table"."Index"; empty when has_index is false */
    bool has_index;
    expr_proj_t *proj;  /* SELECT: the listed paths; NULL for * */
    expr_cond_t *where; /* the whole WHERE; NULL when there is none */
    size_t nconj;       /* WHERE's top-level AND operands, in order (1 when WHERE is no AND) */
    expr_cond_t **conj;
    size_t norder; /* SELECT: ORDER BY terms */
    expr_pq_order_t *order;
    av_map_t *item;             /* INSERT: the VALUE {...} */
    expr_update_t *update;      /* UPDATE: SET and REMOVE actions, in the order written */
    expr_pq_return_t returning; /* UPDATE, DELETE */
    size_t nparams;             /* ? placeholders in the statement */
} expr_partiql_t;

/** Where an error was found: byte offset, and 1-based line and column (in characters). */
typedef struct {
    size_t offset;
    unsigned line, column;
} expr_pq_pos_t;

/**
 * Parse and compile one statement. `params` binds the ? placeholders in order (a count that
 * differs from nparams: "Number of parameters in request and statement don't match.").
 * `pos` (may be NULL) receives the place of the error when there is one.
 */
ddb_err_t expr_partiql_parse(arena_t *a, ddb_errctx_t *err, const char *text, size_t len, size_t nparams,
                             const av_t *params, expr_partiql_t **out, expr_pq_pos_t *pos);

/** What a SELECT reads, for the table's or index's key schema. */
typedef struct {
    bool none;      /* no item can match (a key compared with a value of another type): read nothing */
    size_t nranges; /* 0: a Scan; else one Query per range, in this order (IN on the partition key) */
    expr_keyrange_t *ranges;
    expr_cond_t *filter; /* WHERE without the conditions the ranges already apply; NULL: none */
    bool forward;        /* order of each Query: false for ORDER BY <sort key> DESC */
} expr_pq_plan_t;

/**
 * Plan a SELECT (or EXISTS) against a key schema (range_name NULL for hash-only; types AV_S,
 * AV_N, AV_B): a top-level `hash = v` (or `hash IN [...]`, either side of =) makes it a Query,
 * and the first sort-key condition (= < <= > >= BETWEEN begins_with) that fits becomes its
 * range; everything else is the filter. Checks ORDER BY ("Must have WHERE clause ...", "Variable
 * reference x in ORDER BY clause must be part of the primary key", ...).
 */
ddb_err_t expr_partiql_plan(const expr_partiql_t *st, const char *hash_name, av_type_t hash_type,
                            const char *range_name, av_type_t range_type, arena_t *a, ddb_errctx_t *err,
                            expr_pq_plan_t *out);

/**
 * The single item an UPDATE or DELETE (or EXISTS) names: the key from the WHERE's top-level
 * `key = value` equalities, and the rest of the WHERE as a condition (NULL: none) to check
 * against the stored item. "Where clause does not contain a mandatory equality on all key
 * attributes" when a key attribute has no equality.
 */
ddb_err_t expr_partiql_key(const expr_partiql_t *st, const char *hash_name, av_type_t hash_type,
                           const char *range_name, av_type_t range_type, arena_t *a, ddb_errctx_t *err,
                           av_map_t **key, expr_cond_t **cond);

/**
 * A SELECT's projection as DynamoDB's PartiQL returns it: each listed path's value under its
 * last name (with trailing list indexes: "k[1]"); missing paths are left out. The item itself
 * for SELECT *.
 */
av_map_t *expr_partiql_project(const expr_partiql_t *st, const av_map_t *item, arena_t *a);

#endif
