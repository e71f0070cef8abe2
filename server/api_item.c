/*
 * api_item: PutItem, GetItem, DeleteItem, UpdateItem.
 *
 * Each handler reads straight down: shape constraints (collected, AWS's "N validation errors"
 * wording), attribute values, request-level checks that need no table, then the table, then
 * key-schema checks; that fills a typed request (exec.h), and only then does the executor touch
 * storage. The handler writes the answer from the executor's results.
 */
#include "server/exec.h"

#include <string.h>

static const char *const RCC[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const RV[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL};
static const char *const RICM[] = {"SIZE", "NONE", NULL};
static const char *const CONDOP[] = {"AND", "OR", NULL};
static const char *const RVCCF[] = {"ALL_OLD", "NONE", NULL};

static const char *opt_str(const json_t *j, const char *dflt)
{
    return j ? j->str.ptr : dflt;
}

static bool want_old_on_fail(const json_t *jrvc)
{
    return jrvc && ddb_str_eq(jrvc->str, "ALL_OLD");
}

/* ---- the members every single-item write shares ---------------------------------------------- */

typedef struct {
    const json_t *name, *target; /* TableName; Item (PutItem) or Key */
    const json_t *rv, *rcc, *rvcf, *cond, *ricm;
    const char *rv_s; /* ReturnValues, "NONE" when absent */
} write_args_t;

/* JSON types, then the shape constraints of PutItem / DeleteItem / UpdateItem, collected into one
 * message in AWS's order; `target` is "Item" or "Key". */
static ddb_err_t write_args_or_err(ddb_req_t *r, const char *target, write_args_t *w)
{
    bool bad = false;
    w->name = vc_fld(r, r->body, "TableName", JSON_STRING, &bad);
    w->target = vc_fld(r, r->body, target, JSON_OBJECT, &bad);
    w->rv = vc_fld(r, r->body, "ReturnValues", JSON_STRING, &bad);
    w->rcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    const json_t *ricm = w->ricm = vc_fld(r, r->body, "ReturnItemCollectionMetrics", JSON_STRING, &bad);
    const json_t *cop = vc_fld(r, r->body, "ConditionalOperator", JSON_STRING, &bad);
    w->rvcf = vc_fld(r, r->body, "ReturnValuesOnConditionCheckFailure", JSON_STRING, &bad);
    w->cond = vc_fld(r, r->body, "ConditionExpression", JSON_STRING, &bad);
    if (bad) return r->err.code;
    w->rv_s = opt_str(w->rv, "NONE");

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, w->rcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_arn(&v, w->name, "tableName");
    vc_enum(&v, w->rv, "returnValues", RV, "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    vc_enum(&v, ricm, "returnItemCollectionMetrics", RICM, "[SIZE, NONE]");
    vc_enum(&v, cop, "conditionalOperator", CONDOP, "[AND, OR]");
    vc_enum(&v, w->rvcf, "returnValuesOnConditionCheckFailure", RVCCF, "[ALL_OLD, NONE]");
    if (!w->target) vc_add(&v, "null", !strcmp(target, "Item") ? "item" : "key", "Member must not be null");
    return vc_done(&v);
}

/* ReturnValues as the executor takes it (the string was checked against the enum). */
static exec_rv_t rv_of(const char *rv)
{
    return !strcmp(rv, "ALL_OLD")       ? EXEC_RV_ALL_OLD
           : !strcmp(rv, "ALL_NEW")     ? EXEC_RV_ALL_NEW
           : !strcmp(rv, "UPDATED_OLD") ? EXEC_RV_UPDATED_OLD
           : !strcmp(rv, "UPDATED_NEW") ? EXEC_RV_UPDATED_NEW
                                        : EXEC_RV_NONE;
}

/* Run the typed write; a failed condition with ReturnValuesOnConditionCheckFailure ALL_OLD puts the
 * stored item into the error envelope. */
static ddb_err_t run_write(ddb_req_t *r, exec_write_t *x, eng_write_result_t *res)
{
    ddb_err_t rc = exec_write(r, x, res);
    if (rc == DDB_ERR_CONDITIONAL_CHECK_FAILED && x->failed_old)
        r->err_extra = exprargs_item_json(r, x->failed_old);
    return rc;
}

/* The answer of a committed single-item write: Attributes (ReturnValues), ConsumedCapacity and,
 * for tables with a local secondary index, ItemCollectionMetrics (DynamoDB's smallest estimate). */
static void write_answer(ddb_req_t *r, const write_args_t *w, const exec_write_t *x,
                         const eng_write_result_t *res)
{
    jw_obj_begin(&r->out);
    const av_map_t *attrs = exec_return_values(r, x, res, rv_of(w->rv_s));
    if (attrs && attrs->n) {
        jw_keyz(&r->out, "Attributes");
        avjson_write_map(&r->out, attrs);
    }
    const char *mode = opt_str(w->rcc, NULL);
    cap_write_indexed(r, x->table, mode, cap_write_units(res->old_size, res->new_size),
                      cap_index_write_units(r, x->table, mode, res->old_item, res->new_item, 1));
    if (w->ricm && ddb_str_eq(w->ricm->str, "SIZE") && cap_has_lsi(x->table)) {
        jw_keyz(&r->out, "ItemCollectionMetrics");
        cap_collection_metric(&r->out, x->table, x->key);
    }
    jw_obj_end(&r->out);
}

/* ---- PutItem -------------------------------------------------------------------------------- */

ddb_err_t api_PutItem(ddb_req_t *r)
{
    write_args_t w;
    ddb_err_t rc;
    if ((rc = write_args_or_err(r, "Item", &w))) return rc;
    if ((rc = exprargs_condition_mixing_or_err(r, r->body))) return rc; /* before the item's values */

    av_map_t item;
    if ((rc = avjson_map(r->a, &r->err, w.target, &item, 1))) return rc;
    expr_ctx_t *ctx;
    expr_cond_t *cond;
    if ((rc = exprargs_condition_or_err(r, r->body, w.cond, &ctx, &cond))) return rc;
    const char *rv = w.rv_s;
    if (strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD"))
        return err_set(&r->err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if (av_item_size(&item) > 400 * 1024)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");

    eng_table_t *t = tabledesc_or_err(r, w.name->str.ptr);
    if (!t) return r->err.code;
    if ((rc = exec_item_keys_or_err(&r->err, t, &item))) goto out;
    if ((rc = eng_index_keys_check(t, &item, false, &r->err))) goto out;
    if (cond && (rc = expr_cond_check_key_paths(cond, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if ((rc = exec_index_key_paths_or_err(&r->err, t, cond, NULL, NULL))) goto out;

    exec_write_t x = {.kind = EXEC_PUT,
                      .table = t,
                      .key = exec_key_of(r->a, t, &item),
                      .item = &item,
                      .cond = cond,
                      .return_old_on_fail = want_old_on_fail(w.rvcf)};
    eng_write_result_t res;
    if ((rc = run_write(r, &x, &res))) goto out;
    write_answer(r, &w, &x, &res);
out:
    eng_table_release(t);
    return rc;
}

/* ---- GetItem -------------------------------------------------------------------------------- */

ddb_err_t api_GetItem(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jname = vc_fld(r, r->body, "TableName", JSON_STRING, &bad);
    const json_t *jkey = vc_fld(r, r->body, "Key", JSON_OBJECT, &bad);
    const json_t *jcons = vc_fld(r, r->body, "ConsistentRead", JSON_TRUE, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    vc_fld(r, r->body, "ProjectionExpression", JSON_STRING, &bad); /* its JSON type; read below */
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_arn(&v, jname, "tableName");
    if (!jkey) vc_add(&v, "null", "key", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    if ((rc = exprargs_projection_mixing_or_err(r, r->body, true))) return rc; /* before the key's values */
    av_map_t key;
    if ((rc = avjson_map(r->a, &r->err, jkey, &key, 1))) return rc;
    expr_proj_t *proj;
    if ((rc = exprargs_projection_or_err(r, r->body, true, &proj))) return rc;
    bool consistent = jcons && jcons->type == JSON_TRUE;

    eng_table_t *t = tabledesc_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    if ((rc = exec_key_or_err(&r->err, t, &key))) goto out;
    if (proj && (rc = expr_proj_check_key_paths(proj, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if ((rc = exec_index_key_paths_or_err(&r->err, t, NULL, NULL, proj))) goto out;
    exec_get_t g = {.table = t, .key = &key, .proj = proj};
    exec_got_t got;
    if ((rc = exec_get(r, 1, &g, &got))) goto out;

    jw_obj_begin(&r->out);
    if (got.item) {
        jw_keyz(&r->out, "Item");
        avjson_write_map(&r->out, got.item);
    }
    cap_write(r, t, NULL, CAP_READ, opt_str(jrcc, NULL), cap_read_units(got.size, consistent));
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}

/* ---- DeleteItem ------------------------------------------------------------------------------ */

ddb_err_t api_DeleteItem(ddb_req_t *r)
{
    write_args_t w;
    ddb_err_t rc;
    if ((rc = write_args_or_err(r, "Key", &w))) return rc;
    if ((rc = exprargs_condition_mixing_or_err(r, r->body))) return rc; /* before the key's values */

    av_map_t key;
    if ((rc = avjson_map(r->a, &r->err, w.target, &key, 1))) return rc;
    expr_ctx_t *ctx;
    expr_cond_t *cond;
    if ((rc = exprargs_condition_or_err(r, r->body, w.cond, &ctx, &cond))) return rc;
    const char *rv = w.rv_s;
    if (strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD"))
        return err_set(&r->err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");

    eng_table_t *t = tabledesc_or_err(r, w.name->str.ptr);
    if (!t) return r->err.code;
    if ((rc = exec_key_or_err(&r->err, t, &key))) goto out;
    if (cond && (rc = expr_cond_check_key_paths(cond, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if ((rc = exec_index_key_paths_or_err(&r->err, t, cond, NULL, NULL))) goto out;
    exec_write_t x = {.kind = EXEC_DELETE,
                      .table = t,
                      .key = &key,
                      .cond = cond,
                      .return_old_on_fail = want_old_on_fail(w.rvcf)};
    eng_write_result_t res;
    if ((rc = run_write(r, &x, &res))) goto out;
    write_answer(r, &w, &x, &res);
out:
    eng_table_release(t);
    return rc;
}

/* ---- UpdateItem ------------------------------------------------------------------------------ */

ddb_err_t api_UpdateItem(ddb_req_t *r)
{
    write_args_t w;
    ddb_err_t rc;
    if ((rc = write_args_or_err(r, "Key", &w))) return rc;
    bool bad = false;
    const json_t *jupd = vc_fld(r, r->body, "UpdateExpression", JSON_STRING, &bad);
    if (bad) return r->err.code;

    static const char *const legacy[] = {"AttributeUpdates", "Expected", "ConditionalOperator", NULL};
    static const char *const exprs[] = {"UpdateExpression", "ConditionExpression", NULL};
    if ((rc = exprargs_mixing_or_err(r, r->body, legacy, exprs,
                                     "UpdateExpression and ConditionExpression are null")))
        return rc; /* before the key's values */
    av_map_t key;
    if ((rc = avjson_map(r->a, &r->err, w.target, &key, 1))) return rc;
    expr_ctx_t *ctx;
    if ((rc = exprargs_ctx_or_err(r, r->body, &ctx))) return rc;
    expr_update_t *upd = NULL;
    expr_cond_t *cond = NULL;
    if (jupd && (rc = expr_update_parse(ctx, jupd->str.ptr, jupd->str.len, &upd))) return rc;
    if (w.cond && (rc = expr_condition_parse(ctx, EXPR_CONDITION, w.cond->str.ptr, w.cond->str.len, &cond)))
        return rc;
    if ((rc = expr_ctx_check_unused(ctx))) return rc;
    if (!jupd && (rc = exprargs_attribute_updates_or_err(r, r->body, &upd))) return rc;
    if (!w.cond && (rc = exprargs_expected_or_err(r, r->body, &cond))) return rc;
    eng_table_t *t = tabledesc_or_err(r, w.name->str.ptr);
    if (!t) return r->err.code;
    if ((rc = exec_key_or_err(&r->err, t, &key))) goto out;
    if (upd && (rc = expr_update_check_keys(upd, t->key.hash.name, t->key.range.name, &r->err))) goto out;
    if (upd && (rc = expr_update_check_key_paths(upd, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if (cond && (rc = expr_cond_check_key_paths(cond, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if ((rc = exec_index_key_paths_or_err(&r->err, t, cond, upd, NULL))) goto out;

    exec_write_t x = {.kind = EXEC_UPDATE,
                      .table = t,
                      .key = &key,
                      .update = upd,
                      .cond = cond,
                      .return_old_on_fail = want_old_on_fail(w.rvcf)};
    eng_write_result_t res;
    if ((rc = run_write(r, &x, &res))) goto out;
    write_answer(r, &w, &x, &res);
out:
    eng_table_release(t);
    return rc;
}
