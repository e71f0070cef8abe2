/*
 * server.h: internals shared by the files of server/ (never included from another folder).
 *
 * A request's life (DESIGN.md): http.c reads the body and the target, router finds the
 * operation, the api_* handler validates everything and then calls the engine, reply.c writes
 * the success or error envelope. Everything a request allocates lives in its arena (req->a),
 * reset after the response has been handed to h2o (which copies the body).
 *
 * Handler contract: `ddb_err_t api_<Op>(ddb_req_t *r)`; on success it has written one JSON
 * object into r->out; on failure it returns the error recorded in r->err.
 */
#ifndef DDB_SERVER_H
#define DDB_SERVER_H

#include <stdbool.h>

#include "common/arena.h"
#include "common/av.h"
#include "common/err.h"
#include "common/json.h"
#include "engine/engine.h"
#include "expr/expr.h"

#define DDB_MAX_BODY (16u << 20) /* AWS: request bodies over 16 MB get 413 */
#define DDB_JSON_DEPTH 100       /* raw JSON nesting; items may nest 32 levels = ~70 JSON levels */
#define DDB_ITEM_DEPTH 32        /* AWS: attribute values nest at most 32 levels */
#define DDB_ACCOUNT "000000000000"

typedef struct {
    const char *host;
    int port;
    const char *data_dir;
    bool in_memory;
    int threads;
    bool cors; /* --cors / -cors: CORS answers (cors.c) for cors_origins, "*" or a comma list */
    const char *cors_origins;
    unsigned transient_ms; /* [issue 17] how long each transient state lasts (transient.c); 0: off */
    bool shared_db;        /* always one namespace; kept for the banner */
    bool sync_writes;
    size_t block_cache_mb, write_buffer_mb;
    int log_level;           /* --log-level (a log_level_t), or -1 when not given: the access log is off */
    unsigned log_slow_ms;    /* --log-slow-ms: requests at least this slow log a warning (0: never) */
    int auth_mode;           /* --auth: AUTH_OFF, AUTH_WARN or AUTH_ENFORCE (door.h, auth.c) */
    int isolation;           /* --isolation: ISO_SHARED, ISO_ACCOUNT or ISO_KEY_REGION (namespace.c) */
    bool enforce_capacity;   /* --enforce-capacity: token buckets per table and GSI (throttle.c) */
    unsigned burst_seconds;  /* --capacity-burst-seconds: unused capacity kept (default 300) */
    const char *faults_file; /* --faults FILE: fault-injection rules at start (faults.c), or NULL */
    /* triggers (issue 14, triggers.c): --function NAME=COMMAND (repeatable), --function-timeout S,
     * --lambda-endpoint URL, --failure-dir DIR */
    const char **functions;
    size_t n_functions;
    unsigned function_timeout_s; /* 0: Lambda's default, 3 s */
    const char *lambda_endpoint;
    const char *failure_dir;
    const char **triggers; /* --trigger TABLE=COMMAND (repeatable): function TABLE-trigger + a mapping */
    size_t n_triggers;
    bool console;             /* [issue 20] the web console served (console.c): main.c decides */
    const char *console_path; /* [issue 20] --console-path: its URL prefix, "/console" by default */
    const char *s3_dir; /* --s3-dir DIR: S3 bucket B, prefix P is the folder DIR/B/P (issue 18), or NULL */
} ddb_config_t;

enum { ISO_SHARED = 0, ISO_ACCOUNT, ISO_KEY_REGION };

typedef struct {
    arena_t *a;
    ddb_errctx_t err;
    eng_t *eng;
    const ddb_config_t *cfg;
    const json_t *body;  /* the request object (JSON_OBJECT) */
    const char *region;  /* from the SigV4 credential scope, default us-east-1 */
    const char *account; /* 12 digits for ARNs: the access key's account (auth.c), default DDB_ACCOUNT */
    const char *op;      /* operation name */
    int op_shape;        /* 1 + its input shape for deser.c (router_route_or_err); 0: none */
    const char *host;    /* Host header (host:port) of the request, or NULL */
    jw_t out;            /* response body writer */
    /* Extra fields for the error envelope (e.g. Item for ConditionalCheckFailed): a rendered
     * JSON members string without braces, or NULL. */
    const char *err_extra;
    /* What a fault-injection rule asks of the handler itself (faults.c), or NULL: batches answer
     * part of their requests as unprocessed, transactions cancel with TransactionConflict. */
    const struct fault_act *fault;
    double consumed; /* capacity units the request consumed (capacity.c), for the access log */
    /* [issue 17] transient.c: hold the answer until this monotonic time (ms; 0: answer at once), and
     * describe tables as they will be then (the transient states ended) */
    uint64_t hold_until_ms;
    bool transient_done;
} ddb_req_t;

typedef ddb_err_t (*api_fn)(ddb_req_t *r);

/* ---- deser.c: the request body deserialized as DynamoDB's front end does, before validation ---------
 * Every operation's input shape (server/deser_shapes.c, generated from AWS's service models by
 * scripts/gen_shapes.py): a member of the wrong JSON type anywhere in the body is a
 * SerializationException, found in the body's order, even when a required member is missing. */

typedef enum {
    DS_STRUCT,
    DS_LIST,
    DS_MAP,
    DS_STRING,
    DS_INTEGER,
    DS_LONG,
    DS_BOOLEAN,
    DS_BLOB,
    DS_DOUBLE,
    DS_TIMESTAMP,
    DS_AV /* an AttributeValue: avjson_check */
} ds_kind_t;

typedef struct {
    const char *name;
    uint16_t len;
    uint16_t shape; /* index in DS_SHAPES */
} ds_member_t;

typedef struct {
    uint8_t kind;   /* ds_kind_t */
    uint16_t first; /* DS_STRUCT: its members DS_MEMBERS[first .. first + n), sorted by name */
    uint16_t n;
    uint16_t sub; /* DS_LIST: the element shape; DS_MAP: the value shape */
} ds_shape_t;

typedef struct {
    const char *prefix, *op;
    uint16_t shape;
} ds_op_t;

extern const ds_member_t DS_MEMBERS[];
extern const ds_shape_t DS_SHAPES[];
extern const ds_op_t DS_OPS[];
extern const size_t DS_NOPS;

/** The input shape of an operation (target prefix and name), or -1 when the models have none. */
int deser_op_shape(const char *prefix, size_t plen, const char *op, size_t oplen);
/** Type-check a parsed body against input shape `shape`: DDB_OK, or SerializationException. */
ddb_err_t deser_check_or_err(ddb_req_t *r, int shape, const json_t *body);

/* ---- faults.c: what a fault-injection rule asks of a handler itself (r->fault) ----------------------
 * Set by faults_stage (door.h) in the request's arena; NULL on every request no rule matched. */

struct fault_act {
    double unprocessed; /* BatchWriteItem / BatchGetItem: the fraction of requests left unprocessed */
    bool conflict;      /* TransactWriteItems: cancel with TransactionConflict, nothing written */
    const char *table;  /* the rule's table (its actions conflict), or NULL: every action */
};

/** How many of a batch's n requests r->fault leaves unprocessed (the last ones, in request order):
 *  ceil(n x fraction), but at least one request is processed unless the fraction is 1. 0 without a fault. */
size_t faults_unprocessed(const ddb_req_t *r, size_t n);
/** When r->fault asks for a TransactionConflict: TransactionCanceledException with the reason
 *  TransactionConflict on the actions of the rule's table (tables[i] is action i's) and None on the
 *  others, as DynamoDB answers a conflict; DDB_OK otherwise. */
ddb_err_t faults_conflict_or_err(ddb_req_t *r, size_t n, const char *const *tables);

/* ---- router.c ---------------------------------------------------------------------------- */

/** Handler of an operation name (after the target prefix), or NULL. *known tells whether the
 * name is a DynamoDB operation at all (implemented or not). */
api_fn router_find(const char *target_prefix, size_t plen, const char *op, size_t oplen, bool *known);
/** The handler of an X-Amz-Target value, setting r->op; NULL with UnknownOperationException recorded. */
api_fn router_route_or_err(ddb_req_t *r, const char *target, size_t tlen);
/** Parse body `text` (a JSON object, else SerializationException) and run handler fn on it. */
ddb_err_t router_run(ddb_req_t *r, api_fn fn, const char *text, size_t len);
/**
 * Run one request below HTTP (router_route_or_err, then router_run): `target` is the X-Amz-Target value
 * ("DynamoDB_20120810.GetItem"), `text` the (already decompressed) body. r must have a, eng, cfg, region set
 * and its error context initialised. On DDB_OK r->out holds the answer body; otherwise r->err holds the error
 * (unknown operation, SerializationException for a body that is not a JSON object, or the handler's). Used by
 * http.c, the handler unit tests and the request-path fuzzer.
 */
ddb_err_t router_dispatch(ddb_req_t *r, const char *target, size_t tlen, const char *text, size_t len);

#define IMPL(name) ddb_err_t api_##name(ddb_req_t *r);
#include "server/ops.def"
#include "server/streams_ops.def"
#undef IMPL

/* ---- reply.c ---------------------------------------------------------------------------- */

/** Decimal CRC32 of a body as `x-amz-crc32` wants it. */
unsigned long reply_crc32(const char *body, size_t len);
/** A fresh 52-character request id (A-Z0-9) into buf[53]. */
void reply_request_id(char buf[53]);
/** The error envelope body for r's recorded error, in r->a. */
const char *reply_error_body(ddb_req_t *r, size_t *len);

/* ---- avjson.c ----------------------------------------------------------------------------- */

/**
 * Convert a wire AttributeValue (`{"S":"x"}` etc.) to av_t with DynamoDB's validation. `what`
 * names the context for messages. Returns DDB_OK or a ValidationException/SerializationException
 * recorded in r->err.
 */
ddb_err_t avjson_value(arena_t *a, ddb_errctx_t *err, const json_t *j, av_t *out, int depth);
/** Convert a wire item/key map (`{"a":{"S":"x"},...}`) to av_map_t; its names are checked first
 *  (avjson_name_or_err), its values then. */
ddb_err_t avjson_map(arena_t *a, ddb_errctx_t *err, const json_t *j, av_map_t *out, int depth);
/** A top-level attribute name (of an item, key, legacy condition or update, AttributesToGet): 1 to
 *  DDB_ATTR_NAME_MAX bytes, else a ValidationException. */
ddb_err_t avjson_name_or_err(ddb_errctx_t *err, ddb_str_t name);
/** The deserializer's part of avjson_value: SerializationException for a value whose members have
 *  the wrong JSON types or whose binaries are not base64 (what AWS refuses before validating
 *  anything), nothing allocated that outlives the call; DDB_OK leaves the rest to avjson_value. */
ddb_err_t avjson_check(arena_t *a, ddb_errctx_t *err, const json_t *j);
/** Write a value / map in wire form. */
void avjson_write_value(jw_t *w, const av_t *v);
void avjson_write_map(jw_t *w, const av_map_t *m);

/* ---- validate.c: request-shape checks with AWS's "N validation errors detected" wording -- */

typedef struct {
    ddb_req_t *r;
    int n;
    buf_t msgs;
} vcheck_t;

void vc_init(vcheck_t *v, ddb_req_t *r);
/** Record one constraint violation: `Value <shown> at '<path>' failed to satisfy constraint: <what>`. */
void vc_add(vcheck_t *v, const char *shown, const char *path, const char *what);
/** If any violation was recorded, set the ValidationException and return it. */
ddb_err_t vc_done(vcheck_t *v);
/** Quote a value for a message as AWS does ('x' for strings, a number's converted value as Java prints
 *  it ('0' for 0.5), null when missing). */
const char *vc_show_str(ddb_req_t *r, const json_t *j);
/** Length constraint of a string member (absent: fine, or "Member must not be null" when required). */
void vc_len(vcheck_t *v, const json_t *j, const char *path, size_t min, size_t max, bool required);
/** Range constraint of an Integer/Long member vc_fld_num() accepted (its value `val`); absent: fine. */
void vc_range(vcheck_t *v, const json_t *j, int64_t val, const char *path, int64_t min, int64_t max);

/** What the deserializer expected, for SerializationException messages. */
typedef enum {
    SER_STRING,
    SER_INTEGER,
    SER_LONG,
    SER_BOOLEAN,
    SER_BLOB,
    SER_LIST,
    SER_MAP,
    SER_STRUCT
} ser_kind_t;
/** AWS's message for JSON value `j` where a `want` was expected ("NUMBER_VALUE cannot be converted
 * to String", "Start of structure or map found where not expected", ...). */
const char *vc_ser_msg(arena_t *a, const json_t *j, ser_kind_t want);

/** Member of the body with the expected JSON type (JSON_TRUE means Boolean: true or false; never
 * JSON_NUMBER: see vc_fld_num); a wrong type records SerializationException and sets *bad. */
const json_t *vc_fld(ddb_req_t *r, const json_t *obj, const char *name, json_type_t want, bool *bad);

/**
 * The one reader of Integer and Long members (`kind` SER_INTEGER or SER_LONG, the member's type in
 * DynamoDB's API model). Absent or null: NULL, *val untouched. Present: a JSON number within the
 * type's range, converted as DynamoDB's deserializer does (an integral literal exactly; a fraction or
 * exponent truncated toward zero), into *val (val may be NULL). Anything else records
 * SerializationException (a wrong JSON type with the "NUMBER_VALUE cannot be converted to ..."
 * family of messages, a number out of range without a message), sets *bad and returns NULL.
 * Range and other constraints on the value (>= 1, <= 1000000, ...) are the caller's vc_* checks.
 */
const json_t *vc_fld_num(ddb_req_t *r, const json_t *obj, const char *name, ser_kind_t kind, int64_t *val,
                         bool *bad);
/** vc_fld_num's check of one present JSON value (kind SER_INTEGER or SER_LONG), its value into *val
 *  (may be NULL); false with SerializationException recorded. */
bool vc_num_ok(ddb_req_t *r, const json_t *j, ser_kind_t kind, int64_t *val);
/** The converted value of a number member vc_fld_num() (or vc_shape_ok()) already accepted. */
int64_t vc_num_value(const json_t *j);

/** One expected member of a nested structure, for vc_shape_ok(). */
typedef struct {
    const char *name;
    json_type_t type;             /* JSON_TRUE = Boolean */
    const struct shape_spec *sub; /* for JSON_OBJECT members, or list elements that are objects */
    json_type_t elem;             /* for JSON_ARRAY members: the element type */
    ser_kind_t num;               /* for JSON_NUMBER members or elements: SER_INTEGER or SER_LONG */
} shape_member_t;

typedef struct shape_spec {
    const shape_member_t *members; /* terminated by a NULL name */
} shape_spec_t;

/**
 * Type-check the members of structure `obj` (and recursively of its nested structures and lists)
 * against `spec`; records SerializationException with AWS's wording and returns false on the
 * first mismatch. NULL obj is fine (absent).
 */
bool vc_shape_ok(ddb_req_t *r, const json_t *obj, const shape_spec_t *spec);

/** TableName rules: 3..255 chars of [a-zA-Z0-9_.-]. Adds violations to v. */
void vc_table_name(vcheck_t *v, const json_t *j, const char *path);
/** A TableName of an operation on an existing table, which may also be the table's ARN (AWS's TableArn
 *  shape: length 1 to 1024, no pattern): null and length checked; a table ARN is then replaced in j by
 *  the table's name (j is changed in place), so the rest of the request sees the name. */
void vc_table_arn(vcheck_t *v, const json_t *j, const char *path);
/** DescribeTable's and UpdateTable's TableName (recorded 2026, ack-api-quirks DDB-TABLE-457 and the
 *  UpdateTable captures): an ARN as vc_table_arn takes it; anything else keeps a table name's rules (3 to
 *  255 characters of [a-zA-Z0-9_.-], lengths reported before the pattern). */
void vc_table_name_or_arn(vcheck_t *v, const json_t *j, const char *path);
/** The request of an operation whose only member is TableName (a name or a table ARN, vc_table_arn):
 *  *jname set (a table ARN already read as its name) or the error recorded. */
ddb_err_t vc_table_name_only_or_err(ddb_req_t *r, const json_t **jname);
/** Enum constraint: a violation when j is present and not one of vals (NULL-terminated). */
void vc_enum(vcheck_t *v, const json_t *j, const char *path, const char *const *vals, const char *shown_set);

/* ---- exprargs.c: expression members and legacy parameters ------------------------------------ */
/* Each reads its members from `obj` (the request body, or one action of a batch or transaction). */

/**
 * Mixing rules: legacy (NULL-terminated member names) and expression members may not both be
 * present; ExpressionAttributeNames/Values need an expression ("...: <values_null_msg>").
 */
ddb_err_t exprargs_mixing_or_err(ddb_req_t *r, const json_t *obj, const char *const *legacy,
                                 const char *const *exprs, const char *values_null_msg);
/** The mixing rules of a ConditionExpression / Expected request (what exprargs_condition_or_err checks
 *  first), for handlers that must report them before the request's attribute values. */
ddb_err_t exprargs_condition_mixing_or_err(ddb_req_t *r, const json_t *obj);
/** The mixing rules of ProjectionExpression / AttributesToGet (legacy_ok: AttributesToGet allowed). */
ddb_err_t exprargs_projection_mixing_or_err(ddb_req_t *r, const json_t *obj, bool legacy_ok);
/** ExpressionAttributeNames / ExpressionAttributeValues of the body into a new context. */
ddb_err_t exprargs_ctx_or_err(ddb_req_t *r, const json_t *obj, expr_ctx_t **out);
/** Expected (+ ConditionalOperator) as a condition; *out NULL when absent. */
ddb_err_t exprargs_expected_or_err(ddb_req_t *r, const json_t *obj, expr_cond_t **out);
/** A legacy condition map ({attr: {ComparisonOperator, AttributeValueList}}: KeyConditions,
 *  QueryFilter, ScanFilter) as structs; `path` names it in messages ("keyConditions"). */
ddb_err_t exprargs_conditions_or_err(ddb_req_t *r, const json_t *jm, const char *path, size_t *n,
                                     expr_filter_t **out);
/** AttributeUpdates as an update; *out NULL when absent. */
ddb_err_t exprargs_attribute_updates_or_err(ddb_req_t *r, const json_t *obj, expr_update_t **out);
/** AttributesToGet as a projection; *out NULL when absent. */
ddb_err_t exprargs_attributes_to_get_or_err(ddb_req_t *r, const json_t *obj, expr_proj_t **out);
/** ProjectionExpression (or, when legacy_ok, AttributesToGet) of r->body with its
 *  ExpressionAttributeNames, mixing rules and unused-name check; *out NULL when absent. */
ddb_err_t exprargs_projection_or_err(ddb_req_t *r, const json_t *obj, bool legacy_ok, expr_proj_t **out);
/** ConditionExpression (text jcond) or Expected of `obj`, with names/values, parsed and checked (mixing
 *  rules, unused names and values); *ctx for more parsing. */
ddb_err_t exprargs_condition_or_err(ddb_req_t *r, const json_t *obj, const json_t *jcond, expr_ctx_t **ctx,
                                    expr_cond_t **cond);
/** `"Item":{...}` members for a ConditionalCheckFailedException envelope. */
const char *exprargs_item_json(ddb_req_t *r, const av_map_t *item);

/* ---- idempotency.c: ClientRequestToken -------------------------------------------------------------- */

typedef enum { IDEM_NEW, IDEM_REPLAY, IDEM_MISMATCH, IDEM_BUSY } idem_state_t;
/** Claim `token` of operation `op` for a request with fingerprint fp: NEW (run it, then idem_finish),
 *  REPLAY (the same request committed already), MISMATCH (another request used it), BUSY (the first
 *  is still running). */
idem_state_t idem_claim(const char *op, const char *token, const uint64_t fp[2]);
/** The claimed request finished: remember it (committed) or forget the claim (a retry runs again). */
void idem_finish(const char *op, const char *token, bool committed);
/** The fingerprint of a request body (canonical JSON: member order ignored). */
void idem_fingerprint(const json_t *body, uint64_t fp[2], arena_t *a);
/** Claim r's `token` for the request part `what` (fingerprinted): IdempotentParameterMismatchException or
 *  TransactionInProgressException with AWS's texts, or DDB_OK with *replay telling whether the same
 *  request already committed (answer success without running it; otherwise run it, then idem_finish). */
ddb_err_t idem_begin_or_err(ddb_req_t *r, const char *token, const json_t *what, bool *replay);

/* ---- capacity.c: consumed capacity and item-collection metrics ------------------------------------
 * The cap_write* functions are the one place a request's consumption is recorded: each charges what
 * it reports (throttle_charge, with --enforce-capacity) whether or not ReturnConsumedCapacity asks
 * to see it, so what is enforced and counted in the metrics is what ConsumedCapacity says. */

typedef enum { CAP_READ = 0, CAP_WRITE = 1 } cap_dir_t;

/** Write units for a write touching items of these sizes (DynamoDB: 1 per KB, rounded up, of the larger). */
double cap_write_units(size_t old_size, size_t new_size);
/** Read units for an item of this size (1 per 4 KB, half when eventually consistent). */
double cap_read_units(size_t size, bool consistent);
/** Charge `units` of one request per table as cap_write_list_as, the direction taken from `kind`
 *  ("ReadCapacityUnits" or "WriteCapacityUnits"), or when kind is NULL from the operation
 *  (BatchGetItem reads, BatchWriteItem writes). */
void cap_write_list(ddb_req_t *r, const char *mode, size_t n, eng_table_t *const *tables, const double *units,
                    const char *kind);
/** Charge tables[i] units[i] in direction `dir`, and answer "ConsumedCapacity" as a list (batches,
 *  transactions) if `mode` asks for it: one entry per table in first-use order, summing its units;
 *  `kind` ("ReadCapacityUnits", "WriteCapacityUnits" or NULL) repeats the sum under that name. */
void cap_write_list_as(ddb_req_t *r, const char *mode, size_t n, eng_table_t *const *tables,
                       const double *units, const char *kind, cap_dir_t dir);
/** Charge table t (x NULL or an LSI) or GSI x `units` in direction `dir`, and write "ConsumedCapacity"
 *  for one table if ReturnConsumedCapacity (`mode`) asks for it: CapacityUnits, plus for INDEXES the
 *  Table's and, with an index x, its LocalSecondaryIndexes / GlobalSecondaryIndexes entry. */
void cap_write(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir, const char *mode,
               double units);
/** Write units each index of t consumes for one item write from `old` to `nitem` (either NULL), times
 *  `factor` (2 in transactions), in t->idx order (in r's arena); NULL when t has no index, or when
 *  nothing reads them (ReturnConsumedCapacity `mode` NONE or absent, no enforcement, no access log).
 * DynamoDB's rules: an entry put or deleted costs 1 per KB of it, one that moves to another key both, one
 * whose projected attributes change in place 1 per KB of the larger, an unchanged or absent entry nothing. */
double *cap_index_write_units(ddb_req_t *r, const eng_table_t *t, const char *mode, const av_map_t *old,
                              const av_map_t *nitem, double factor);
/** cap_write for one item write with its indexes' units (iunits from cap_index_write_units, or NULL):
 *  CapacityUnits is the table's and every index's; INDEXES lists the Table and each index that
 *  consumed; the table's bucket is charged its units and its LSIs' (GSIs are charged by exec_item). */
void cap_write_indexed(ddb_req_t *r, const eng_table_t *t, const char *mode, double units,
                       const double *iunits);
/** cap_write_list_as with, for writes, each item's index units (iunits[i] from cap_index_write_units,
 *  or NULL), summed per table and index as cap_write_indexed reports them. */
void cap_write_list_ix(ddb_req_t *r, const char *mode, size_t n, eng_table_t *const *tables,
                       const double *units, double *const *iunits, const char *kind, cap_dir_t dir);
/** Whether a table has a local secondary index (ItemCollectionMetrics are answered then). */
bool cap_has_lsi(const eng_table_t *t);
/** One ItemCollectionMetrics object for the item collection of `key` (DynamoDB's smallest estimate). */
void cap_collection_metric(jw_t *o, const eng_table_t *t, const av_map_t *key);

/* ---- tabledesc.c: table lookups, ARNs and TableDescription ------------------------------------- */

/** Look up a table or record ResourceNotFoundException (message as item operations use it). A table ARN
 *  is read as its table; any other ARN is a ValidationException (both lookups). */
/* [issue 17] The name of a table about to be created (CreateTable, a restore's target, ImportTable):
 * `code` "Table already exists: <name>" while a table of that name is DELETING (-delayTransientStatuses);
 * eng_table_create refuses the names of tables that exist. */
ddb_err_t tabledesc_new_name_or_err(ddb_req_t *r, const char *name, int code);
eng_table_t *tabledesc_or_err(ddb_req_t *r, const char *name);
/** The table name inside a table ARN `arn:<partition>:dynamodb:<region>:<account>:table/<name>` (a
 *  pointer into s), or NULL when s[0..n) is not one (an index or stream ARN is not). */
const char *tabledesc_name_of_arn(const char *s, size_t n);
/* true (ValidationException "Invalid TableArn: ..." set) when *name is an ARN but not a table's; a
 * table's ARN not yet resolved is replaced by the table's name */
bool tabledesc_arn_refused(ddb_req_t *r, const char **name);
/** Look up a table or record ResourceNotFoundException as the table operations word it
 *  ("Requested resource not found: Table: <name> not found"). */
eng_table_t *tabledesc_named_or_err(ddb_req_t *r, const char *name);
/** The table ARN for a name, in r->a. */
const char *tabledesc_arn(ddb_req_t *r, const char *name);
/** A table's AttributeDefinitions array ([{AttributeName, AttributeType}...]). */
void tabledesc_write_attrdefs(jw_t *w, const eng_table_t *t);
/** An index's Projection object ({ProjectionType, NonKeyAttributes when INCLUDE}). */
void tabledesc_write_projection(jw_t *w, const eng_index_t *x);
/** A KeySchema list ([{AttributeName, KeyType}], HASH then RANGE), the value without its key. */
void tabledesc_write_keyschema(jw_t *w, const eng_keyschema_t *k);
/** Write a full TableDescription object (the value, without a key); stats NULL = read them now. */
void tabledesc_write(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats);
/** DeleteTable's TableDescription: as tabledesc_write without AttributeDefinitions, KeySchema and
 *  CreationDateTime, as AWS answers it. */
void tabledesc_write_deleted(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats);
/** The same, listing `deleting` (an index just removed by UpdateTable) as DELETING. */
void tabledesc_write_deleting(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats,
                              const eng_index_t *deleting);

/** [issue 17] Whether the table is CREATING (a restore or import filling it, or a transient state):
 *  data-plane requests answer ResourceNotFoundException as for a missing table. */
bool tabledesc_creating(ddb_req_t *r, const eng_table_t *t);
/** [issue 17] UpdateTable's and DeleteTable's check: ResourceInUseException "Attempt to change a resource
 *  which is still in use: Table is being created|updated|deleted: <name>" when the table (t, or a DELETING
 *  one by name when t is NULL) is not ACTIVE; DDB_OK otherwise. */
ddb_err_t tabledesc_changeable_or_err(ddb_req_t *r, const char *name, const eng_table_t *t);
/** [issue 17] Whether GSI x of t cannot be read yet (backfilling, or CREATING in a transient state). */
bool tabledesc_index_building(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x);

/* ---- transient.c: -delayTransientStatuses' states (issue 17) ----------------------------------------
 * In memory, each with its end on the monotonic clock; every call returns at once when cfg->transient_ms
 * is 0. Any worker thread (one mutex). */

typedef enum { TR_ACTIVE = 0, TR_CREATING, TR_UPDATING, TR_DELETING } tr_state_t;
#define TR_DEFAULT_MS 1000 /* -delayTransientStatuses alone: each state lasts a second */
#define TR_HOLD_MS 2000    /* DescribeTable waits for a state ending within this, rather than show it */
/* the states' ends are on common/clock.h's ddb_mono_ms() */

/** Table `table` (index NULL) or its GSI `index` enters state st for cfg->transient_ms; ghost (a DELETING
 *  table's last description, or the description a deleted GSI was part of; may be NULL) gets a reference
 *  kept until the state ends, with the table's counters *stats (may be NULL). */
void tr_begin(ddb_req_t *r, const char *table, const char *index, tr_state_t st, eng_table_t *ghost,
              const eng_stats_t *stats);
/** The state of table `table` (index NULL) or of its index now (*until_ms, may be NULL: its end);
 *  TR_ACTIVE when none, or when r->transient_done. */
tr_state_t tr_state(ddb_req_t *r, const char *table, const char *index, uint64_t *until_ms);
/** A new reference to the description of a DELETING table (index NULL), or to the description holding
 *  the DELETING GSI of the table (index non-NULL: any), with its counters; NULL when none. */
eng_table_t *tr_ghost(ddb_req_t *r, const char *table, const char *index, eng_stats_t *stats);
/** The name of the table's DELETING GSI (in r->a), or NULL. */
const char *tr_ghost_index(ddb_req_t *r, const char *table);
/** The DELETING tables of r's engine (names in r->a, unsorted); how many. */
size_t tr_deleting_tables(ddb_req_t *r, const char ***names);
/** "ACTIVE", "CREATING", "UPDATING" or "DELETING". */
const char *tr_state_name(tr_state_t st);
/** Forget every state (references released): after the workers stopped, before the engines close. */
void tr_clear(void);

/* ---- tablespec.c: table-definition checks shared by CreateTable and UpdateTable -------------- */

/** JSON shapes of ProvisionedThroughput, a KeySchema element, an AttributeDefinition and an index
 *  object (LocalSecondaryIndex, GlobalSecondaryIndex, GlobalSecondaryIndexUpdate.Create). */
/** "a, b, c": attribute names as CreateTable's messages list them, in r->a. */
const char *tablespec_join_names(ddb_req_t *r, const char **names, size_t n);
/* ---- tagspec.c: tag keys and values as CreateTable, TagResource and UntagResource check them ---- */
/** A Tags list (types already checked): each tag's key and value, then no key twice, in request
 *  order, with the tagging service's ValidationException texts. */
ddb_err_t tagspec_tags_or_err(ddb_req_t *r, const json_t *tags);
/** A TagKeys list (types already checked): each key, then at most 50 keys. */
ddb_err_t tagspec_keys_or_err(ddb_req_t *r, const json_t *keys);
/** The 50-tag limit on a resource's (merged) tag set of n tags. */
ddb_err_t tagspec_count_or_err(ddb_errctx_t *err, size_t n);
extern const shape_spec_t tablespec_throughput_shape;
extern const shape_spec_t tablespec_ondemand_shape;
/** OnDemandThroughput (shape-checked, or NULL: nothing changes) into *rru / *wru, which hold the
 *  current maximums (0: none): a member given sets its maximum, -1 removes it, an absent one keeps it.
 *  ValidationException for a value neither -1 nor >= 1, or on a table that is not on-demand. */
ddb_err_t tablespec_ondemand_or_err(ddb_errctx_t *err, const json_t *od, bool on_demand, int64_t *rru,
                                    int64_t *wru);
extern const shape_spec_t tablespec_keyelem_shape;
extern const shape_spec_t tablespec_attrdef_shape;
extern const shape_spec_t tablespec_index_shape;
/** KeySchema list constraints at `path` ("keySchema", "globalSecondaryIndexes.1.member.keySchema");
 *  ks NULL: "Member must not be null". */
void tablespec_vc_keyschema(vcheck_t *v, const json_t *ks, const char *path);
/** ProvisionedThroughput constraints (units present, >= 1) at `path`; pt NULL or not an object: none. */
void tablespec_vc_throughput(vcheck_t *v, const json_t *pt, const char *path);
/** AttributeDefinitions list constraints (names 1..255, types B/N/S). */
void tablespec_vc_attrdefs(vcheck_t *v, const json_t *defs);
/** An SSESpecification's constraints at `path` ("sSESpecification"; sse may be NULL): KMSMasterKeyId not
 *  empty. */
void tablespec_vc_sse(vcheck_t *v, const json_t *sse, const char *path);
/** Shape constraints of one index object at `base` ("globalSecondaryIndexes.1.member"). */
void tablespec_vc_index(vcheck_t *v, const json_t *x, const char *base, bool global);
/** ReadCapacityUnits and WriteCapacityUnits of a checked ProvisionedThroughput, into *rcu and *wcu;
 *  above 10^12 a ValidationException "Given value <v> for ReadCapacityUnits is out of bounds" (plus
 *  " for index <index>" when index is not NULL). */
ddb_err_t tablespec_throughput_or_err(ddb_req_t *r, const json_t *pt, const char *index, int64_t *rcu,
                                      int64_t *wcu);
/** StreamSpecification rules (StreamViewType with, and only with, StreamEnabled), worded for
 *  CreateTable (`creating`) or UpdateTable. */
ddb_err_t tablespec_stream_or_err(ddb_errctx_t *err, bool creating, bool enable, bool has_view);
/** A checked KeySchema list against t's AttributeDefinitions (`defs`: their names, for messages) into
 *  *out (names borrowed from the request); `table_level` words errors as for the table's own key. */
ddb_err_t tablespec_keyschema_or_err(ddb_req_t *r, const json_t *ks, const eng_table_t *t, const char **defs,
                                     size_t ndefs, eng_keyschema_t *out, bool table_level);
/** One LocalSecondaryIndex / GlobalSecondaryIndex object (already shape-checked) into `ix`, a zeroed
 *  entry of t->idx already counted in t->n_idx (for UpdateTable, from eng_table_add_index), checked
 *  against t's AttributeDefinitions (`defs`: their names, for messages) and t's other indexes;
 *  *nonkey_count grows by its NonKeyAttributes. Strings borrowed from the request. */
ddb_err_t tablespec_index_or_err(ddb_req_t *r, const json_t *x, bool global, eng_table_t *t, eng_index_t *ix,
                                 const char **defs, size_t ndefs, size_t *nonkey_count);

/** CreateTable's checks of a definition (a CreateTable body, ImportTable's TableCreationParameters, a
 *  seed file's table) in AWS's order, into *out (strings borrowed from the JSON); nothing created. */
ddb_err_t tablespec_create_or_err(ddb_req_t *r, const json_t *b, eng_table_t *out);

/* ---- api_stream.c: DynamoDB Streams names and shard iterators -------------------------------- */

/** "arn:aws:dynamodb:<region>:000000000000:table/<table>/stream/<label>" (r's region), in r->a. */
const char *stream_arn(ddb_req_t *r, const char *table, const char *label);
/** Split a stream ARN ("arn:<partition>:dynamodb:<region>:<account>:table/<name>/stream/<label>",
 *  any partition, region and account) into NUL-terminated copies in `a`; false when `s` is not one. */
bool stream_arn_parse(const char *s, size_t len, arena_t *a, const char **table, const char **label);

#define STREAM_ITER_TTL_MS (15 * 60 * 1000) /* AWS: an iterator expires 15 minutes after it is issued */

/** What a shard iterator says (stream_iter_format / stream_iter_parse); strings in the request arena. */
typedef struct {
    const char *arn;   /* the stream ARN as the iterator was issued for */
    const char *table; /* its parts */
    const char *label;
    uint32_t ord;       /* the shard's ordinal (eng_shard_t.ord) */
    uint64_t pos;       /* the first sequence number the next read may return */
    uint64_t issued_ms; /* epoch milliseconds when the iterator was handed out */
} stream_iter_t;

/** A shard iterator: "<arn>|1|<36 base64 characters of a checked binary position>", in r->a. */
const char *stream_iter_format(ddb_req_t *r, const stream_iter_t *it);
/** Decode an iterator stream_iter_format() wrote (any other text, or a damaged one: false). */
bool stream_iter_parse(ddb_req_t *r, const char *s, size_t len, stream_iter_t *out);
/** One stream record as GetRecords answers it, plus "eventSourceARN" when source_arn is not NULL (the
 *  record of Lambda's DynamoDB event, triggers.c). */
void stream_write_record(jw_t *w, const char *region, const char *table, const char *label, const char *view,
                         const eng_record_t *rec, const char *source_arn);
/** Records GetRecords has answered since the start (one relaxed atomic add per call). For /metrics. */
uint64_t stream_records_read(void);

/* ---- triggers.c: Lambda event-source mappings and their pollers (issue 14) -----------------------
 * A registry of mappings (persisted with eng_meta_*), one poller thread per enabled mapping. Every
 * trig_esm_* call is thread-safe and never blocks on a poller; trig_start before serving,
 * trig_stop_all after the workers stopped and before the engine closes. */

typedef struct {
    char uuid[37];
    const char *stream_arn, *table, *label; /* EventSourceArn and its parts */
    const char *function;                   /* the function's name (":qualifier" kept) */
    const char *function_arn;               /* arn:aws:lambda:<region>:<account>:function:<function> */
    const char *region, *account;           /* of the request that created it */
    const char *starting_position;          /* TRIM_HORIZON or LATEST */
    bool enabled, bisect,
        report_failures; /* report_failures: FunctionResponseTypes [ReportBatchItemFailures] */
    int64_t batch_size, window_s, max_retry, max_age, parallel;
    const char *filter_json, *dest_json; /* FilterCriteria, DestinationConfig as JSON text, or NULL */
    double last_modified;                /* epoch seconds */
    const char *last_result;             /* LastProcessingResult */
} trig_esm_t;

typedef enum { TRIG_OK = 0, TRIG_NOT_FOUND, TRIG_CONFLICT, TRIG_NO_STREAM, TRIG_STORAGE } trig_rc_t;

/** Load the functions and the persisted mappings of every open engine (ns_engines), start their pollers;
 *  e is the first engine (--trigger's tables); -1 with a message. */
int trig_start(const ddb_config_t *cfg, eng_t *e, char *errbuf, size_t errlen);
/** Stop every poller (killing running functions) and wait for them (bounded). */
void trig_stop_all(void);
/** Create (uuid, last_modified, last_result set in c; its first checkpoint written with it): CONFLICT (uuid
 * of the mapping of the same stream and function in conflict_uuid), NO_STREAM, STORAGE. */
trig_rc_t trig_esm_create(eng_t *e, trig_esm_t *c, arena_t *a, char conflict_uuid[37]);
/** A copy (in a) of mapping uuid of engine e (each namespace has its own); false when there is none. */
bool trig_esm_get(eng_t *e, const char *uuid, arena_t *a, trig_esm_t *out);
/** Copies of every mapping of engine e (in a), sorted by UUID. */
size_t trig_esm_list(eng_t *e, arena_t *a, trig_esm_t **out);
/** Load and start the mappings of an engine opened after trig_start (a namespace's, namespace.c);
 *  before trig_start nothing happens (trig_start loads every engine ns_engines lists). */
void trig_attach(eng_t *e);
/** Replace the configuration of mapping c->uuid of engine e (checkpoint kept): NOT_FOUND, CONFLICT, STORAGE.
 */
trig_rc_t trig_esm_update(eng_t *e, const trig_esm_t *c, arena_t *a, char conflict_uuid[37]);
/** Delete mapping uuid of engine e and its checkpoint (*out: its last configuration): NOT_FOUND, STORAGE. */
trig_rc_t trig_esm_delete(eng_t *e, const char *uuid, arena_t *a, trig_esm_t *out);

/** Append the triggers' metrics in Prometheus text (invocations by function and result, records, time,
 *  discarded batches), for GET /metrics (metrics.c). Any thread. */
void trig_format_metrics(buf_t *b);

/* ---- functions.c: what the mappings invoke (--function, --trigger's commands, --lambda-endpoint) -----
 * fn_setup / fn_add at start (not thread-safe); fn_known and fn_invoke from any thread afterwards. */

typedef enum { FN_OK = 0, FN_ERROR, FN_STOPPED } fn_rc_t;

/** One call's context: its memory, its region (AWS_REGION of a command), and the caller's hooks. */
typedef struct {
    arena_t *a;                          /* the response, messages, scratch */
    const char *region;                  /* AWS_REGION / AWS_DEFAULT_REGION of a command */
    bool (*abandon)(void *ctx);          /* asked every 100 ms: true ends the call (FN_STOPPED) */
    void (*running)(void *ctx, int pid); /* a command's process id while it runs (0 after), or NULL */
    void *ctx;
} fn_call_t;

/** The functions of --function, --function-timeout and --lambda-endpoint; -1 with a message. */
int fn_setup(const ddb_config_t *cfg, char *errbuf, size_t errlen);
/** One more command function (--trigger's); -1 with a message (a name given twice, an empty command). */
int fn_add(const char *name, const char *command, char *errbuf, size_t errlen);
/** Whether FunctionName (without qualifier) can be invoked: a command, or any with --lambda-endpoint. */
bool fn_known(const char *name);
/** Split http://HOST[:PORT][/PATH] into malloc'd parts; -1 when it is not such a URL. */
int fn_parse_endpoint(const char *url, char **host, char **port, char **base);
/** Invoke `name` with the event: FN_OK with the response in *out, FN_ERROR (a function error, or it cannot
 *  be run) with *reason for the log, or FN_STOPPED when c->abandon said so. */
fn_rc_t fn_invoke(const fn_call_t *c, const char *name, const char *event, size_t elen, buf_t *out,
                  const char **reason);
/** Forget the functions (after the last call). */
void fn_teardown(void);

/* ---- trigfilter.c: FilterCriteria, Lambda's event-filtering patterns (issue 14) ------------------ */

/** Whether `pattern` (one Filter's Pattern text) is a pattern Lambda accepts: a JSON object whose
 *  leaves are arrays of values or matchers (prefix, suffix, equals-ignore-case, anything-but, numeric,
 *  exists). Scratch memory from a. */
bool trig_filter_valid(arena_t *a, const char *pattern, size_t len);
/** Whether a record (the JSON object the function would get for it) passes FilterCriteria
 *  filter_json ({"Filters":[{"Pattern":"..."}]}; NULL or no filters: true): any pattern matching. */
bool trig_filter_match(arena_t *a, const char *filter_json, const json_t *record);

/* ---- throttle.c: --enforce-capacity token buckets, consumed-capacity metrics ----------------------
 * Called only when cfg->enforce_capacity is set (the executors and capacity.c test it first), from
 * any worker thread: one mutex guards the buckets. Tables and indexes are borrowed for the call. */

/** Admission before an executor touches storage: ProvisionedThroughputExceededException (AWS's table or
 *  GSI message) in err when the `dir` bucket of t (x NULL or an LSI) or of GSI x is in deficit; a write
 *  to the table (x NULL, CAP_WRITE) is refused as well while one of its GSIs' write buckets is. */
ddb_err_t throttle_admit_or_err(ddb_errctx_t *err, const ddb_config_t *cfg, const eng_table_t *t,
                                const eng_index_t *x, cap_dir_t dir);
/** The error members of this thread's last refusal, for r->err_extra:
 *  `"ThrottlingReasons":[{"reason":"TableWriteProvisionedThroughputExceeded","resource":"<ARN>"}]`
 *  (Table|Index, Read|Write, ProvisionedThroughputExceeded|MaxOnDemandThroughputExceeded). */
const char *throttle_reasons_json(ddb_req_t *r);
/** Debit `units` from the `dir` bucket of t (x NULL or an LSI) or GSI x and count them for the metrics. */
void throttle_charge(const ddb_config_t *cfg, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir,
                     double units);
/** Append the capacity metrics (consumed read / write units, throttled requests by table and index). */
void throttle_format_metrics(buf_t *b);

/* ---- s3fmt.c: the files of S3 exports and imports (issue 18) ----------------------------------------
 * Plain functions of their arguments, usable from any thread (an export's or import's task). */

typedef struct s3_out s3_out_t;
/** Create `path` for writing, through gzip or not; NULL when it cannot be created (errno). */
s3_out_t *s3_out_open(const char *path, bool gzip);
/** Append n bytes (compressed when gzip): 0, or -1 on a write error. */
int s3_out_write(s3_out_t *o, const void *p, size_t n);
/** Finish and close: the MD5 of the bytes in the file and their count (bytes may be NULL). 0 or -1. */
int s3_out_close(s3_out_t *o, unsigned char md5[16], uint64_t *bytes);
/** MD5 of a buffer. */
void s3_md5(const void *p, size_t n, unsigned char md5[16]);
/** base64 of an MD5 (manifest-files.json's md5Checksum, the .md5 files), in a. */
const char *s3_md5_b64(arena_t *a, const unsigned char md5[16]);
/** S3's ETag of a one-part multipart upload of bytes with this MD5 ("<hex md5 of the md5>-1"), in a. */
const char *s3_etag(arena_t *a, const unsigned char md5[16]);
/** Write a whole small file: 0 or -1. */
int s3_write_file(const char *path, const void *p, size_t n);
/** mkdir -p: 0 or -1. */
int s3_mkdirs(const char *path);

typedef enum { S3_COMP_NONE = 0, S3_COMP_GZIP, S3_COMP_ZSTD } s3_comp_t;
typedef struct s3_in s3_in_t;
/** Open a source object through its compression; NULL when it cannot be opened (errno). */
s3_in_t *s3_in_open(const char *path, s3_comp_t comp);
/** The next line (its '\n' and a '\r' before it removed; valid until the next call): 1, 0 at the end,
 *  -1 when the data cannot be read or decompressed (s3_in_error says why). */
int s3_in_line(s3_in_t *in, const char **line, size_t *len);
/** The rest of the object decompressed, in one buffer (valid until s3_in_close): 0 or -1. */
int s3_in_all(s3_in_t *in, const char **data, size_t *len);
/** Why the last read failed. */
const char *s3_in_error(const s3_in_t *in);
/** Bytes read from the file so far (compressed). */
uint64_t s3_in_raw_bytes(const s3_in_t *in);
void s3_in_close(s3_in_t *in);

/** Append `{"Item":{...}}` and a newline: one line of a DYNAMODB_JSON export. */
void s3_item_json(buf_t *b, const av_map_t *item);
/** Append a map as an Ion struct (no newline): an incremental export's lines. */
void s3_map_ion(buf_t *b, const av_map_t *m);
/** One DYNAMODB_JSON line into an item (checked as PutItem checks values); ValidationException. */
ddb_err_t s3_item_json_parse(arena_t *a, ddb_errctx_t *err, const char *line, size_t len, av_map_t *out);
/** Append `$ion_1_0 {Item:{...}}` and a newline: one line of an ION export. */
void s3_item_ion(buf_t *b, const av_map_t *item);
/** The next item of Ion text at *pos (a top-level struct with an Item struct): 1 (item in *out, values
 *  in a), 0 at the end, -1 with a ValidationException in err (*pos moved past the bad value's line). */
int s3_ion_next(arena_t *a, ddb_errctx_t *err, const char **pos, const char *end, av_map_t *out);
/** The next CSV record at *pos: 1 (its fields, unquoted, in a), 0 at the end, -1 when it is malformed. */
int s3_csv_record(arena_t *a, const char **pos, const char *end, char delim, ddb_str_t **fields, size_t *n);

/* ---- export.c, import.c, seed.c: S3 exports and imports, seeding, the offline commands (issue 18) -- */

#define S3JOB_ID_LEN 23 /* "<14 digits of epoch ms>-<8 hex>": ExportId and ImportId */
/** A new export or import id. */
void s3job_new_id(char out[S3JOB_ID_LEN + 1]);
/** UTC "2020-11-04T07:28:34.028Z" as the manifests write times. */
void s3job_iso(double t, char out[32]);
/** The record of an export or import (kind "export" / "import") kept with eng_meta_*: 0 or -1. */
int s3job_record_put(eng_t *e, const char *kind, const char *id, const char *json, size_t len);
/** The record as a JSON object (in a), or NULL. */
const json_t *s3job_record_get(eng_t *e, const char *kind, const char *id, arena_t *a);
/** A record's members without our own ("_"-prefixed) ones: the wire description. */
void s3job_write_public(jw_t *w, const json_t *rec);
/** The folder of bucket B and prefix P under --s3-dir, in a. */
const char *s3job_dir(const ddb_config_t *cfg, arena_t *a, const char *bucket, const char *prefix);
bool s3job_is_dir(const char *path);
/** Whether an S3 prefix has a "." or ".." segment (as a folder it would lead elsewhere). */
bool s3job_prefix_escapes(const char *prefix);
/** ValidationException naming --s3-dir when it was not given. */
ddb_err_t s3job_need_dir_or_err(ddb_req_t *r);
/** S3Bucket's pattern (^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$, and no "..": one folder name). */
bool s3job_bucket_ok(const json_t *j);
/** The constraints both jobs' requests share: ClientToken (length >= 1, no '$'), the bucket (length,
 *  pattern) and its owner (12 digits), each under its path in the request (`bucket_path`/`owner_path`). */
void s3job_vc_common(vcheck_t *v, const json_t *jtoken, const json_t *jbucket, const char *bucket_path,
                     const json_t *jowner, const char *owner_path);
/** ClientToken: a request of `kind` ("export" or "import") repeated within 8 hours with the same
 *  `params` answers the job the first one made (under `answer_key`); with other parameters it is the
 *  conflict error `conflict`. True when one of the two happened (*rc: DDB_OK or the error); false for a
 *  new request (or no token). */
bool s3job_replayed(ddb_req_t *r, const char *kind, const json_t *jtoken, const char *params,
                    const char *answer_key, int conflict, ddb_err_t *rc);
/** A job's record: `fixed` (its members that do not change, rendered without braces), then
 *  `status_key`: status, and EndTime once ended; the caller adds its counters, then s3job_record_close
 *  writes it under <kind>/<id> (a failure is logged: the job goes on) and frees the arena. */
void s3job_record_open(jw_t *w, arena_t *a, const char *fixed, const char *status_key, const char *status,
                       double end);
void s3job_record_close(eng_t *e, jw_t *w, arena_t *a, const char *kind, const char *id);
/** ListExports / ListImports: opens the answer object and writes under `list_key` the records of `kind`,
 *  newest first, those after the id `after` (NULL: from the newest) and of `table` (NULL: all), at most
 *  `max`, each by `write`; *next: the id of the last one written when more remain, else NULL. The caller
 *  adds NextToken and closes the object. */
ddb_err_t s3job_list_page(ddb_req_t *r, const char *kind, const char *list_key, const char *table,
                          const char *after, int64_t max, void (*write)(jw_t *w, const json_t *rec),
                          const char **next);
/** A member's string (NULL when absent or not a string) and number (0 likewise). */
const char *s3job_str(const json_t *j);
double s3job_num(const json_t *j);
/** The table name of a table ARN (or of an ARN below one: .../export/...), in a; NULL when not one. */
const char *s3job_table_from_arn(arena_t *a, const char *arn);
/** The id in ".../<kind>/<id>" of an export or import ARN, in a; NULL when not one. */
const char *s3job_arn_id(arena_t *a, const char *arn, const char *kind);
/** At start: exports and imports a stop interrupted become FAILED (an import's table is removed). */
void s3job_recover(eng_t *e);

/** `dynarock export`: table into dir/AWSDynamoDB/<id>/ (and its definition into dir/table.json), in
 *  the caller's thread. 0, or -1 with a message. */
int export_offline(eng_t *e, const char *table, const char *dir, bool ion, char *errbuf, size_t errlen);
/** The CreateTable definition of t (TableName, schema, billing, indexes) as a JSON object. */
void seed_write_definition(jw_t *w, const eng_table_t *t);

/** ImportTable's end for its table: ACTIVE (ok) or removed. 0 or -1 (logged). */
int import_finish_table(eng_t *e, const char *table, bool ok);
/** A load in the caller's thread (seeding): the objects under dir/prefix* into t, as ImportTable reads
 *  them (format DYNAMODB_JSON, ION or CSV; compression GZIP, ZSTD or NONE). 0, or -1 with a message. */
int import_sync(eng_t *e, const eng_table_t *t, const char *dir, const char *prefix, const char *format,
                const char *compression, char delim, char *errbuf, size_t errlen, uint64_t *imported,
                uint64_t *errors);

typedef enum { SEED_SKIP = 0, SEED_REPLACE, SEED_FAIL } seed_mode_t;
/** Load a seed (a seed file, or a folder `dynarock export` wrote) into e before serving, in the
 *  caller's thread; tables that exist are skipped, replaced or refused (mode). 0, or -1 with a message. */
int seed_load(eng_t *e, const ddb_config_t *cfg, const char *path, seed_mode_t mode, char *errbuf,
              size_t errlen);
/** "skip", "replace" or "fail" into *out: 0, or -1 for anything else. */
int seed_parse_mode(const char *s, seed_mode_t *out);
/** The offline subcommands: argv[1] is "export" or "import". Returns the exit code. */
int seed_command(int argc, char **argv);

#endif
