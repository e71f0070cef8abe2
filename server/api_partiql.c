/*
 * api_partiql: ExecuteStatement, BatchExecuteStatement, ExecuteTransaction — DynamoDB's PartiQL.
 *
 * A statement is parsed and compiled by expr/ (expr_partiql_parse: its WHERE into the condition tree
 * ConditionExpression gives, SET/REMOVE into UpdateExpression's tree), then turned here into the
 * typed requests of exec.h and run by the same executors as the JSON API: a SELECT becomes Query
 * plans (one per partition value of `pk = v` or `pk IN [...]`) or a Scan plan, INSERT a put that
 * must not find an item, UPDATE an update that must find one, DELETE a delete, EXISTS a condition
 * check. Indexes, counters and stream records come with the executors.
 *
 * Paging (ExecuteStatement SELECT): Limit counts items evaluated, as Query's; a page stops at Limit
 * or 1 MB and answers a NextToken: base64 of "<fingerprint of Statement and Parameters, 32 hex>
 * <range index> [<LastEvaluatedKey JSON>]". A token that does not decode is "Invalid NextToken", one
 * of another statement "NextToken does not match request".
 *
 * Messages (docs/partiql.md lists their sources): "Duplicate primary key exists in table",
 * "Read and write requests together in the same batch is not supported.", "Select statements
 * within BatchExecuteStatement must specify the primary key in the where clause.", "ExecuteTransaction
 * API does not support both read and write operations in the same request.", "Validation failed in
 * TransactStatements[i]: RETURNING clause is not supported in ExecuteTransaction.", ... .
 */
#include "server/exec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/base64.h"

#define STATEMENT_MAX 8192
#define BATCH_MAX 25
#define TXN_MAX 100
#define PAGE_BYTES (1u << 20) /* a SELECT answers at most 1 MB of items read per page */

static const char *const RCC[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const RVCCF[] = {"ALL_OLD", "NONE", NULL};

/* ---- one statement ------------------------------------------------------------------------------ */

typedef struct {
    const json_t *j;      /* the statement's object (ExecuteStatement: the body) */
    expr_partiql_t *st;   /* compiled */
    eng_table_t *t;       /* a reference, released by stmts_release */
    const eng_index_t *x; /* SELECT / EXISTS on an index */
    bool read;            /* SELECT */
    exec_write_t w;       /* a write or EXISTS: the typed request */
    expr_pq_plan_t plan;  /* SELECT */
    ddb_errctx_t err;     /* Batch: this statement's own error */
} stmt_t;

static bool want_all_old(const json_t *obj)
{
    const json_t *rv = json_get(obj, "ReturnValuesOnConditionCheckFailure");
    return rv && rv->type == JSON_STRING && ddb_str_eq(rv->str, "ALL_OLD");
}

/* Shape of one statement object: Statement (required, 1..8192), Parameters (>= 1),
 * ReturnValuesOnConditionCheckFailure; `base` prefixes the member paths ("statements.1.member."). */
static void vc_statement(vcheck_t *v, const json_t *obj, const char *base)
{
    ddb_req_t *r = v->r;
    const json_t *js = json_get(obj, "Statement");
    const json_t *jp = json_get(obj, "Parameters");
    const char *ps = arena_sprintf(r->a, "%sstatement", base);
    if (!js || js->type != JSON_STRING)
        vc_add(v, "null", ps, "Member must not be null");
    else if (js->str.len < 1)
        vc_add(v, "''", ps, "Member must have length greater than or equal to 1");
    else if (js->str.len > STATEMENT_MAX)
        vc_add(v, vc_show_str(r, js), ps, "Member must have length less than or equal to 8192");
    if (jp && jp->type == JSON_ARRAY && jp->n == 0)
        vc_add(v, "'[]'", arena_sprintf(r->a, "%sparameters", base),
               "Member must have length greater than or equal to 1");
    const json_t *rv = json_get(obj, "ReturnValuesOnConditionCheckFailure");
    if (rv && rv->type == JSON_STRING)
        vc_enum(v, rv, arena_sprintf(r->a, "%sreturnValuesOnConditionCheckFailure", base), RVCCF,
                "[ALL_OLD, NONE]");
}

/* JSON types of one statement object. */
static bool statement_types_ok(ddb_req_t *r, const json_t *obj)
{
    bool bad = false;
    vc_fld(r, obj, "Statement", JSON_STRING, &bad);
    const json_t *jp = vc_fld(r, obj, "Parameters", JSON_ARRAY, &bad);
    vc_fld(r, obj, "ConsistentRead", JSON_TRUE, &bad);
    vc_fld(r, obj, "ReturnValuesOnConditionCheckFailure", JSON_STRING, &bad);
    for (const json_t *c = jp ? jp->child : NULL; c && !bad; c = c->next)
        if (c->type != JSON_OBJECT && c->type != JSON_NULL) {
            err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRUCT));
            bad = true;
        }
    return !bad;
}

/* The schema the statement reads or writes through: the index's or the table's. */
static const eng_keyschema_t *schema_of(const stmt_t *s)
{
    return s->x ? &s->x->key : &s->t->key;
}

/*
 * Compile one statement into s: parse (with its parameters), find the table and index, and build the
 * typed request (a SELECT's plan; a write's exec_write_t with its key checked). Errors in `err`
 * (r->err for ExecuteStatement and ExecuteTransaction, the statement's own for a batch).
 */
static ddb_err_t stmt_compile(ddb_req_t *r, const json_t *obj, stmt_t *s, ddb_errctx_t *err)
{
    memset(s, 0, sizeof *s);
    s->j = obj;
    const json_t *js = json_get(obj, "Statement");
    const json_t *jp = json_get(obj, "Parameters");
    size_t np = 0;
    av_t *params = NULL;
    if (jp && jp->type == JSON_ARRAY) {
        params = ARENA_NEWN(r->a, av_t, jp->n + 1);
        for (const json_t *c = jp->child; c; c = c->next) {
            if (c->type == JSON_NULL) continue;
            ddb_err_t rc = avjson_value(r->a, err, c, &params[np], 1);
            if (rc) return rc;
            np++;
        }
    }
    ddb_err_t rc = expr_partiql_parse(r->a, err, js->str.ptr, js->str.len, np, params, &s->st, NULL);
    if (rc) return rc;
    expr_partiql_t *st = s->st;
    const char *name = arena_memdup(r->a, st->table.ptr, st->table.len);
    s->t = eng_table_get(r->eng, name, strlen(name));
    if (s->t && tabledesc_creating(r, s->t)) { /* [issue 17] not found until ACTIVE, as AWS answers */
        eng_table_release(s->t);
        s->t = NULL;
    }
    if (!s->t) return err_set(err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    eng_table_t *t = s->t;
    if (st->has_index) {
        s->x = eng_index_find(t, st->index.ptr, st->index.len);
        if (!s->x) return err_set(err, DDB_ERR_VALIDATION, "The table does not have the specified index");
        if (tabledesc_index_building(r, t, s->x))
            return err_set(err, DDB_ERR_VALIDATION, "Cannot read from backfilling global secondary index: %s",
                           s->x->name);
    }
    const eng_keyschema_t *ks = schema_of(s);
    const char *hn = t->key.hash.name, *rn = t->key.range.name;
    exec_write_t *w = &s->w;
    w->table = t;
    w->return_old_on_fail = want_all_old(obj);
    switch (st->kind) {
    case EXPR_PQ_SELECT:
        s->read = true;
        if (eng_key_nhash(ks) > 1 || eng_key_nrange(ks) > 1) /* a multi-attribute key: a scan of the index */
            return expr_partiql_plan(st, "", AV_NONE, NULL, AV_NONE, r->a, err, &s->plan);
        return expr_partiql_plan(st, ks->hash.name, ks->hash.type, ks->range.name, ks->range.type, r->a, err,
                                 &s->plan);
    case EXPR_PQ_INSERT: {
        if ((rc = exec_item_keys_or_err(err, t, st->item))) return rc;
        if (av_item_size(st->item) > 400 * 1024)
            return err_set(err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
        if ((rc = eng_index_keys_check(t, st->item, false, err))) return rc;
        w->kind = EXEC_PUT;
        w->item = st->item;
        w->key = exec_key_of(r->a, t, st->item);
        w->must_not_exist = true;
        return DDB_OK;
    }
    case EXPR_PQ_UPDATE:
    case EXPR_PQ_DELETE:
    case EXPR_PQ_EXISTS: {
        av_map_t *key;
        expr_cond_t *cond;
        if ((rc = expr_partiql_key(st, hn, t->key.hash.type, rn, t->key.range.type, r->a, err, &key, &cond)))
            return rc;
        if ((rc = exec_key_or_err(err, t, key))) return rc;
        if (cond && (rc = expr_cond_check_key_paths(cond, hn, rn, err))) return rc;
        if ((rc = exec_index_key_paths_or_err(err, t, cond, NULL, NULL))) return rc;
        w->key = key;
        w->cond = cond;
        if (st->kind == EXPR_PQ_UPDATE) {
            if (st->update && (rc = expr_update_check_keys(st->update, hn, rn, err))) return rc;
            if (st->update && (rc = expr_update_check_key_paths(st->update, hn, rn, err))) return rc;
            if ((rc = exec_index_key_paths_or_err(err, t, NULL, st->update, NULL))) return rc;
            w->kind = EXEC_UPDATE;
            w->update = st->update;
            w->must_exist = true;
        } else if (st->kind == EXPR_PQ_DELETE) {
            w->kind = EXEC_DELETE;
        } else {
            w->kind = EXEC_CHECK;
            w->must_exist = true;
        }
        return DDB_OK;
    }
    }
    return DDB_OK;
}

static void stmts_release(stmt_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++) eng_table_release(s[i].t);
}

/* A SELECT that names exactly one item of the table: its key (for batches and transactions). */
static av_map_t *single_key(ddb_req_t *r, const stmt_t *s)
{
    const expr_pq_plan_t *p = &s->plan;
    const eng_keyschema_t *ks = &s->t->key;
    if (s->x || p->none || p->nranges != 1) return NULL;
    const expr_keyrange_t *kr = &p->ranges[0];
    if (ks->range.name && (!kr->range || kr->range->op != EXPR_KEY_EQ)) return NULL;
    av_map_t *k = ARENA_NEW(r->a, av_map_t);
    k->kvs = ARENA_NEWN(r->a, av_kv_t, 2);
    k->kvs[k->n].name = (ddb_str_t){ks->hash.name, strlen(ks->hash.name)};
    k->kvs[k->n++].val = *kr->hash->v[0];
    if (ks->range.name) {
        k->kvs[k->n].name = (ddb_str_t){ks->range.name, strlen(ks->range.name)};
        k->kvs[k->n++].val = *kr->range->v[0];
    }
    return k;
}

/* A single-item read's answer: the item as the SELECT lists it, if it exists and passes the rest of
 * the WHERE. */
static av_map_t *single_item(ddb_req_t *r, const stmt_t *s, const exec_got_t *got)
{
    if (!got->item) return NULL;
    if (s->plan.filter && !expr_condition_eval(s->plan.filter, got->item)) return NULL;
    return expr_partiql_project(s->st, got->item, r->a);
}

/* ---- ExecuteStatement ------------------------------------------------------------------------------ */

/* The fingerprint of Statement and Parameters that a NextToken carries, as 32 hex digits. */
static const char *statement_fp(ddb_req_t *r)
{
    uint64_t a[2], b[2] = {0, 0};
    idem_fingerprint(json_get(r->body, "Statement"), a, r->a);
    const json_t *jp = json_get(r->body, "Parameters");
    if (jp) idem_fingerprint(jp, b, r->a);
    return arena_sprintf(r->a, "%016llx%016llx", (unsigned long long)(a[0] ^ (b[0] * 31)),
                         (unsigned long long)(a[1] ^ (b[1] * 31)));
}

static const char *token_format(ddb_req_t *r, const char *fp, size_t range, const av_map_t *key)
{
    buf_t b;
    buf_init(&b, r->a, 256);
    buf_puts(&b, fp);
    char num[24];
    snprintf(num, sizeof num, " %zu", range);
    buf_puts(&b, num);
    if (key) {
        jw_t w;
        jw_init(&w, r->a, 256);
        avjson_write_map(&w, key);
        buf_putc(&b, ' ');
        buf_put(&b, w.b.data, w.b.len);
    }
    char *out = arena_alloc(r->a, b64_encoded_len(b.len) + 1);
    b64_encode((const unsigned char *)b.data, b.len, out);
    out[b64_encoded_len(b.len)] = '\0';
    return out;
}

/* Decode a NextToken into the range to go on with and its start key (NULL: from its beginning). */
static ddb_err_t token_parse_or_err(ddb_req_t *r, const json_t *jtok, const char *fp, size_t nranges,
                                    size_t *range, av_map_t **key)
{
    *range = 0;
    *key = NULL;
    if (!jtok) return DDB_OK;
    size_t cap = b64_decoded_max(jtok->str.len) + 1, n = 0;
    char *raw = arena_alloc(r->a, cap);
    if (b64_decode(jtok->str.ptr, jtok->str.len, (unsigned char *)raw, &n) != 0 || n < 34 || raw[32] != ' ')
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid NextToken");
    raw[n] = '\0';
    char *end;
    unsigned long long ri = strtoull(raw + 33, &end, 10);
    if (end == raw + 33 || (*end && *end != ' '))
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid NextToken");
    if (memcmp(raw, fp, 32) != 0 || ri > (nranges ? nranges - 1 : 0))
        return err_set(&r->err, DDB_ERR_VALIDATION, "NextToken does not match request");
    *range = (size_t)ri;
    if (*end == ' ') {
        json_error_t je;
        json_t *j = json_parse(r->a, end + 1, n - (size_t)(end + 1 - raw), DDB_JSON_DEPTH, &je);
        av_map_t *m = ARENA_NEW(r->a, av_map_t);
        ddb_errctx_t sub;
        err_init(&sub, r->a);
        if (!j || j->type != JSON_OBJECT || avjson_map(r->a, &sub, j, m, 1) != DDB_OK)
            return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid NextToken");
        *key = m;
    }
    return DDB_OK;
}

/* SELECT: pages of Query plans (one per range) or of a Scan, from the NextToken's place on. */
static ddb_err_t select_run(ddb_req_t *r, stmt_t *s, const json_t *jlimit, int64_t limit, bool consistent,
                            const json_t *jtok, const char *mode)
{
    const expr_pq_plan_t *p = &s->plan;
    if (s->x && s->x->global && consistent)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Strongly consistent read is not supported on Global Secondary Indexes");
    jw_t *w = &r->out;
    av_map_t *key = jtok ? NULL : single_key(r, s);
    if (key) { /* the full primary key: one point read, as AWS serves it (GetItem) */
        exec_get_t g = {.table = s->t, .key = key};
        exec_got_t got;
        ddb_err_t rc = exec_get(r, 1, &g, &got);
        if (rc) return rc;
        av_map_t *item = single_item(r, s, &got);
        jw_obj_begin(w);
        jw_keyz(w, "Items");
        jw_arr_begin(w);
        if (item) avjson_write_map(w, item);
        jw_arr_end(w);
        cap_write(r, s->t, NULL, CAP_READ, mode, cap_read_units(got.size, consistent));
        jw_obj_end(w);
        return DDB_OK;
    }
    const char *fp = statement_fp(r);
    size_t range;
    av_map_t *start;
    ddb_err_t rc = token_parse_or_err(r, jtok, fp, p->nranges, &range, &start);
    if (rc) return rc;
    jw_obj_begin(w);
    jw_keyz(w, "Items");
    jw_arr_begin(w);
    double units = 0;
    const char *next = NULL;
    size_t left = jlimit ? (size_t)limit : 0; /* items still to evaluate (0: no limit) */
    size_t read = 0;                          /* bytes of items read so far */
    size_t nr = p->nranges ? p->nranges : 1;
    for (; !p->none && range < nr; range++, start = NULL) {
        exec_query_t q = {.table = s->t,
                          .index = s->x,
                          .filter = p->filter,
                          .select = s->x ? EXEC_SEL_PROJECTED : EXEC_SEL_ALL,
                          .consistent = consistent};
        q.q.query = p->nranges > 0;
        q.q.backward = !p->forward;
        if (q.q.query) exec_query_range(&q.q, &p->ranges[range]);
        q.q.start = start;
        q.q.limit = left;
        q.q.max_bytes = PAGE_BYTES - read; /* one 1 MB page for the whole statement, not per range */
        exec_page_t pg;
        if ((rc = exec_query(r, &q, &pg))) return rc;
        for (size_t i = 0; i < pg.count; i++)
            avjson_write_map(w, expr_partiql_project(s->st, pg.items[i], r->a));
        units += pg.units;
        read += pg.bytes;
        if (pg.last_key) {
            next = token_format(r, fp, range, pg.last_key);
            break;
        }
        if (jlimit) left -= pg.scanned < left ? pg.scanned : left;
        if ((jlimit && !left) || read >= PAGE_BYTES) {
            if (range + 1 < nr) next = token_format(r, fp, range + 1, NULL);
            break;
        }
    }
    jw_arr_end(w);
    if (next) {
        jw_keyz(w, "NextToken");
        jw_strz(w, next);
    }
    cap_write(r, s->t, s->x, CAP_READ, mode, units);
    jw_obj_end(w);
    return DDB_OK;
}

/* A write statement: the executor, then Items ([] or the RETURNING item). */
static ddb_err_t write_run(ddb_req_t *r, stmt_t *s, const char *mode)
{
    eng_write_result_t res;
    ddb_err_t rc = exec_write(r, &s->w, &res);
    if (rc == DDB_ERR_CONDITIONAL_CHECK_FAILED && s->w.failed_old)
        r->err_extra = exprargs_item_json(r, s->w.failed_old);
    if (rc) return rc;
    static const exec_rv_t RV[] = {EXEC_RV_NONE, EXEC_RV_ALL_OLD, EXEC_RV_UPDATED_OLD, EXEC_RV_ALL_NEW,
                                   EXEC_RV_UPDATED_NEW}; /* by expr_pq_return_t */
    const av_map_t *attrs = exec_return_values(r, &s->w, &res, RV[s->st->returning]);
    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "Items");
    jw_arr_begin(w);
    if (attrs && attrs->n) avjson_write_map(w, attrs);
    jw_arr_end(w);
    cap_write_indexed(r, s->t, mode, cap_write_units(res.old_size, res.new_size),
                      cap_index_write_units(r, s->t, mode, res.old_item, res.new_item, 1));
    jw_obj_end(w);
    return DDB_OK;
}

ddb_err_t api_ExecuteStatement(ddb_req_t *r)
{
    bool bad = false;
    if (!statement_types_ok(r, r->body)) return r->err.code;
    int64_t limit = 0;
    const json_t *jlimit = vc_fld_num(r, r->body, "Limit", SER_INTEGER, &limit, &bad);
    const json_t *jtok = vc_fld(r, r->body, "NextToken", JSON_STRING, &bad);
    const json_t *jcons = vc_fld(r, r->body, "ConsistentRead", JSON_TRUE, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_statement(&v, r->body, "");
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_range(&v, jlimit, limit, "limit", 1, INT64_MAX);
    vc_len(&v, jtok, "nextToken", 1, 32768, false);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    stmt_t s;
    rc = stmt_compile(r, r->body, &s, &r->err);
    if (!rc && s.st->kind == EXPR_PQ_EXISTS)
        rc = err_set(&r->err, DDB_ERR_VALIDATION,
                     "EXISTS can only be used in ExecuteTransaction write requests.");
    const char *mode = jrcc ? jrcc->str.ptr : NULL;
    if (!rc) {
        if (s.read)
            rc = select_run(r, &s, jlimit, limit, jcons && jcons->type == JSON_TRUE, jtok, mode);
        else
            rc = write_run(r, &s, mode);
    }
    stmts_release(&s, 1);
    return rc;
}

/* ---- BatchExecuteStatement ------------------------------------------------------------------------- */

static const char *batch_code(ddb_err_t c)
{
    switch (c) {
    case DDB_ERR_CONDITIONAL_CHECK_FAILED:
        return "ConditionalCheckFailed";
    case DDB_ERR_DUPLICATE_ITEM:
        return "DuplicateItem";
    case DDB_ERR_RESOURCE_NOT_FOUND:
        return "ResourceNotFound";
    case DDB_ERR_VALIDATION:
        return "ValidationError";
    case DDB_ERR_ITEM_COLLECTION_SIZE_LIMIT:
        return "ItemCollectionSizeLimitExceeded";
    case DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED: /* --enforce-capacity (throttle.c) */
        return "ProvisionedThroughputExceeded";
    default:
        return "InternalServerError";
    }
}

/* Whether the statement's table goes into its answer (AWS: on success and on the errors of a write
 * that ran; not on a ValidationError nor a missing table). */
static bool batch_names_table(const stmt_t *s)
{
    return s->t && (s->err.code == DDB_OK || s->err.code == DDB_ERR_CONDITIONAL_CHECK_FAILED ||
                    s->err.code == DDB_ERR_DUPLICATE_ITEM);
}

/* Statements list constraints: 1..max. */
static void vc_list(vcheck_t *v, const json_t *list, const char *path, size_t max)
{
    if (!list)
        vc_add(v, "null", path, "Member must not be null");
    else if (list->n == 0)
        vc_add(v, "'[]'", path, "Member must have length greater than or equal to 1");
    else if (list->n > max)
        vc_add(v, arena_sprintf(v->r->a, "'[%u items]'", list->n), path,
               arena_sprintf(v->r->a, "Member must have length less than or equal to %zu", max));
}

/* A list of statement objects at `path`: its length (1..max), then each statement's shape. */
static void vc_statements(vcheck_t *v, const json_t *list, const char *path, size_t max)
{
    vc_list(v, list, path, max);
    int pos = 1;
    for (const json_t *c = list ? list->child : NULL; c; c = c->next, pos++)
        if (c->type == JSON_OBJECT) vc_statement(v, c, arena_sprintf(v->r->a, "%s.%d.member.", path, pos));
}

/* JSON types of a list of statement objects. */
static bool statements_ok(ddb_req_t *r, const json_t *list)
{
    for (const json_t *c = list ? list->child : NULL; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        if (c->type != JSON_OBJECT) {
            err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRUCT));
            return false;
        }
        if (!statement_types_ok(r, c)) return false;
    }
    return true;
}

/* Two statements naming one item (same table, same key): whole-request errors of batches and
 * transactions. */
static bool same_item(const stmt_t *a, const av_map_t *ka, const stmt_t *b, const av_map_t *kb)
{
    return ka && kb && a->t == b->t && av_map_equal(ka, kb);
}

ddb_err_t api_BatchExecuteStatement(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jlist = vc_fld(r, r->body, "Statements", JSON_ARRAY, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    if (bad || !statements_ok(r, jlist)) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_statements(&v, jlist, "statements", BATCH_MAX);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    size_t n = 0;
    stmt_t *ss = ARENA_NEWN(r->a, stmt_t, jlist->n + 1);
    av_map_t **keys = ARENA_NEWN(r->a, av_map_t *, jlist->n + 1);
    bool reads = false, writes = false;
    for (const json_t *c = jlist->child; c; c = c->next) {
        if (c->type != JSON_OBJECT) continue;
        stmt_t *s = &ss[n];
        ddb_errctx_t err;
        err_init(&err, r->a);
        stmt_compile(r, c, s, &err);
        s->err = err;
        if (!err.code && s->st->kind == EXPR_PQ_EXISTS)
            err_set(&s->err, DDB_ERR_VALIDATION,
                    "EXISTS can only be used in ExecuteTransaction write requests.");
        if (!s->err.code && s->read) {
            reads = true;
            if (!(keys[n] = single_key(r, s)))
                err_set(&s->err, DDB_ERR_VALIDATION,
                        "Select statements within BatchExecuteStatement must specify the primary key in the "
                        "where clause.");
        } else if (!s->err.code) {
            writes = true;
            keys[n] = (av_map_t *)s->w.key;
        }
        n++;
    }
    if (reads && writes)
        rc = err_set(&r->err, DDB_ERR_VALIDATION,
                     "Read and write requests together in the same batch is not supported.");
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t k = 0; k < i && !rc; k++)
            if (!ss[i].err.code && !ss[k].err.code && same_item(&ss[k], keys[k], &ss[i], keys[i]))
                rc = err_set(&r->err, DDB_ERR_VALIDATION, "Provided list of item keys contains duplicates");
    if (rc) {
        stmts_release(ss, n);
        return rc;
    }

    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, n + 1);
    double *units = ARENA_NEWN(r->a, double, n + 1);
    double **iunits = ARENA_NEWN(r->a, double *, n + 1);
    av_map_t **items = ARENA_NEWN(r->a, av_map_t *, n + 1);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        stmt_t *s = &ss[i];
        if (s->err.code) continue;
        double u;
        if (s->read) {
            exec_get_t g = {.table = s->t, .key = keys[i]};
            exec_got_t got;
            ddb_req_t sub = *r;
            sub.err = s->err;
            if (exec_get(&sub, 1, &g, &got) != DDB_OK) {
                s->err = sub.err;
                continue;
            }
            items[i] = single_item(r, s, &got);
            const json_t *jc = json_get(s->j, "ConsistentRead");
            u = cap_read_units(got.size, jc && jc->type == JSON_TRUE);
        } else {
            ddb_req_t sub = *r;
            sub.err = s->err;
            eng_write_result_t res;
            if (exec_write(&sub, &s->w, &res) != DDB_OK) {
                s->err = sub.err;
                continue;
            }
            u = cap_write_units(res.old_size, res.new_size);
            iunits[nt] =
                cap_index_write_units(r, s->t, jrcc ? jrcc->str.ptr : NULL, res.old_item, res.new_item, 1);
        }
        tables[nt] = s->t;
        units[nt++] = u;
    }

    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "Responses");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        stmt_t *s = &ss[i];
        jw_obj_begin(w);
        if (s->err.code) {
            jw_keyz(w, "Error");
            jw_obj_begin(w);
            jw_keyz(w, "Code");
            jw_strz(w, batch_code(s->err.code));
            jw_keyz(w, "Message");
            jw_strz(w, s->err.msg ? s->err.msg : "");
            jw_obj_end(w);
        }
        if (batch_names_table(s)) {
            jw_keyz(w, "TableName");
            jw_strz(w, s->t->name);
        }
        if (!s->err.code && items[i]) {
            jw_keyz(w, "Item");
            avjson_write_map(w, items[i]);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (nt)
        cap_write_list_ix(r, jrcc ? jrcc->str.ptr : NULL, nt, tables, units, writes ? iunits : NULL, NULL,
                          writes ? CAP_WRITE : CAP_READ);
    jw_obj_end(w);
    stmts_release(ss, n);
    return DDB_OK;
}

/* ---- ExecuteTransaction ---------------------------------------------------------------------------- */

ddb_err_t api_ExecuteTransaction(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jlist = vc_fld(r, r->body, "TransactStatements", JSON_ARRAY, &bad);
    const json_t *jtok = vc_fld(r, r->body, "ClientRequestToken", JSON_STRING, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    if (bad || !statements_ok(r, jlist)) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_statements(&v, jlist, "transactStatements", TXN_MAX);
    vc_len(&v, jtok, "clientRequestToken", 1, 36, false);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    size_t n = 0;
    stmt_t *ss = ARENA_NEWN(r->a, stmt_t, jlist->n + 1);
    av_map_t **keys = ARENA_NEWN(r->a, av_map_t *, jlist->n + 1);
    bool reads = false, writes = false;
    for (const json_t *c = jlist->child; c && !rc; c = c->next) {
        if (c->type != JSON_OBJECT) continue;
        stmt_t *s = &ss[n];
        rc = stmt_compile(r, c, s, &r->err);
        n++;
        if (rc) break;
        size_t i = n - 1;
        if (s->st->returning != EXPR_PQ_RETURN_NONE)
            rc = err_set(&r->err, DDB_ERR_VALIDATION,
                         "Validation failed in TransactStatements[%zu]: RETURNING clause is not supported in "
                         "ExecuteTransaction.",
                         i);
        else if (s->read && s->x)
            rc = err_set(
                &r->err, DDB_ERR_VALIDATION,
                "Validation failed in TransactStatements[%zu]: Reads on indices are not supported within "
                "transactions.",
                i);
        else if (s->read && !(keys[i] = single_key(r, s)))
            rc = err_set(
                &r->err, DDB_ERR_VALIDATION,
                "Select statements within ExecuteTransaction must specify the primary key in the where "
                "clause.");
        else if (!s->read)
            keys[i] = (av_map_t *)s->w.key;
        reads |= s->read;
        writes |= !s->read;
    }
    if (!rc && reads && writes)
        rc = err_set(
            &r->err, DDB_ERR_VALIDATION,
            "ExecuteTransaction API does not support both read and write operations in the same request.");
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t k = 0; k < i && !rc; k++)
            if (same_item(&ss[k], keys[k], &ss[i], keys[i]))
                rc = err_set(&r->err, DDB_ERR_VALIDATION,
                             "Transaction request cannot include multiple operations on one item");
    if (rc) goto out;

    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, n + 1);
    double *units = ARENA_NEWN(r->a, double, n + 1);
    for (size_t i = 0; i < n; i++) tables[i] = ss[i].t;
    if (r->fault) { /* fault injection (faults.c): a TransactionConflict cancels before anything runs */
        const char **names = ARENA_NEWN(r->a, const char *, n + 1);
        for (size_t i = 0; i < n; i++) names[i] = ss[i].t->name;
        if ((rc = faults_conflict_or_err(r, n, names))) goto out;
    }
    jw_t *w = &r->out;
    if (reads) {
        exec_get_t *gs = ARENA_NEWN(r->a, exec_get_t, n + 1);
        exec_got_t *got = ARENA_NEWN(r->a, exec_got_t, n + 1);
        for (size_t i = 0; i < n; i++) gs[i] = (exec_get_t){.table = ss[i].t, .key = keys[i]};
        if ((rc = exec_get(r, n, gs, got))) goto out; /* one snapshot */
        jw_obj_begin(w);
        jw_keyz(w, "Responses");
        jw_arr_begin(w);
        for (size_t i = 0; i < n; i++) {
            av_map_t *item = single_item(r, &ss[i], &got[i]);
            jw_obj_begin(w);
            if (item) {
                jw_keyz(w, "Item");
                avjson_write_map(w, item);
            }
            jw_obj_end(w);
            units[i] = 2 * cap_read_units(got[i].size, true);
        }
        jw_arr_end(w);
        cap_write_list(r, jrcc ? jrcc->str.ptr : NULL, n, tables, units, "ReadCapacityUnits");
        jw_obj_end(w);
        goto out;
    }

    const char *tok = jtok ? arena_memdup(r->a, jtok->str.ptr, jtok->str.len) : NULL;
    bool replay = false;
    if (tok && (rc = idem_begin_or_err(r, tok, jlist, &replay))) goto out;
    if (replay) { /* the same request committed already */
        jw_obj_begin(w);
        jw_keyz(w, "Responses");
        jw_arr_begin(w);
        jw_arr_end(w);
        jw_obj_end(w);
        goto out;
    }
    exec_write_t *ws = ARENA_NEWN(r->a, exec_write_t, n + 1);
    eng_multi_result_t *res = ARENA_NEWN(r->a, eng_multi_result_t, n + 1);
    for (size_t i = 0; i < n; i++) {
        ws[i] = ss[i].w;
        ws[i].origin = ENG_ORIGIN_TXN;
    }
    rc = exec_write_multi(r, n, ws, res);
    if (tok) idem_finish(r->op, tok, rc == DDB_OK);
    if (rc == DDB_ERR_TRANSACTION_CANCELED) {
        rc = exec_cancelled_or_err(r, n, ws, res);
        goto out;
    }
    if (rc) goto out;
    double **iunits = ARENA_NEWN(r->a, double *, n + 1);
    for (size_t i = 0; i < n; i++) {
        units[i] = 2 * cap_write_units(res[i].res.old_size, res[i].res.new_size);
        iunits[i] = ws[i].kind == EXEC_CHECK
                        ? NULL
                        : cap_index_write_units(r, tables[i], jrcc ? jrcc->str.ptr : NULL,
                                                res[i].res.old_item, res[i].res.new_item, 2);
    }
    jw_obj_begin(w);
    jw_keyz(w, "Responses");
    jw_arr_begin(w);
    jw_arr_end(w);
    cap_write_list_ix(r, jrcc ? jrcc->str.ptr : NULL, n, tables, units, iunits, "WriteCapacityUnits",
                      CAP_WRITE);
    jw_obj_end(w);
out:
    stmts_release(ss, n);
    return rc;
}
