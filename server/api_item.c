/*
 * api_item: PutItem, GetItem, DeleteItem, UpdateItem.
 *
 * Each handler reads straight down: shape constraints (collected, AWS's "N validation errors"
 * wording), attribute values, request-level checks that need no table, then the table, then
 * key-schema checks, and only then the engine. Nothing touches storage before every check has
 * passed.
 */
#include "server/server.h"

#include <string.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

static const char *const RCC[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const RV[] = {"ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW", NULL};
static const char *const RICM[] = {"SIZE", "NONE", NULL};
static const char *const CONDOP[] = {"AND", "OR", NULL};
static const char *const RVCCF[] = {"ALL_OLD", "NONE", NULL};

/* Key of `item` restricted to the table's key attributes (already validated present). */
av_map_t *key_of(ddb_req_t *r, const eng_table_t *t, const av_map_t *item)
{
    av_map_t *k = ARENA_NEW(r->a, av_map_t);
    k->kvs = ARENA_NEWN(r->a, av_kv_t, 2);
    const char *names[2] = {t->key.hash.name, t->key.range.name};
    for (int i = 0; i < 2 && names[i]; i++) {
        av_t *v = av_map_get(item, names[i], strlen(names[i]));
        k->kvs[k->n].name = (ddb_str_t){names[i], strlen(names[i])};
        k->kvs[k->n].val = *v;
        k->n++;
    }
    return k;
}

ddb_err_t empty_key_or_err(ddb_req_t *r, const eng_attr_t *a, const av_t *v)
{
    if ((v->type == AV_S || v->type == AV_B) && v->s.len == 0)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
            "contain an empty %s value. Key: %s",
            v->type == AV_S ? "string" : "binary", a->name);
    return DDB_OK;
}

static ddb_err_t key_sizes_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *m)
{
    const av_t *h = av_map_get(m, t->key.hash.name, strlen(t->key.hash.name));
    if (h && av_size(h) > 2048)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sSize of hashkey has exceeded the maximum size limit of2048 bytes", INVALID);
    if (t->key.range.name) {
        const av_t *s = av_map_get(m, t->key.range.name, strlen(t->key.range.name));
        if (s && av_size(s) > 1024)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sAggregated size of all range keys has exceeded the size limit of 1024 bytes",
                           INVALID);
    }
    return DDB_OK;
}

/* A Key parameter must name exactly the key attributes, with their types. */
ddb_err_t key_matches_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *key)
{
    size_t want = t->key.range.name ? 2 : 1;
    const eng_attr_t *attrs[2] = {&t->key.hash, &t->key.range};
    bool ok = key->n == want;
    for (size_t i = 0; i < want && ok; i++) {
        const av_t *v = av_map_get(key, attrs[i]->name, strlen(attrs[i]->name));
        ok = v && v->type == attrs[i]->type;
    }
    if (!ok)
        return err_set(&r->err, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
    for (size_t i = 0; i < want; i++) {
        ddb_err_t rc = empty_key_or_err(r, attrs[i], av_map_get(key, attrs[i]->name, strlen(attrs[i]->name)));
        if (rc) return rc;
    }
    return key_sizes_or_err(r, t, key);
}

/* An Item must carry every key attribute with the right type. */
ddb_err_t item_keys_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *item)
{
    const eng_attr_t *attrs[2] = {&t->key.hash, &t->key.range};
    for (int i = 0; i < 2 && attrs[i]->name; i++) {
        const av_t *v = av_map_get(item, attrs[i]->name, strlen(attrs[i]->name));
        if (!v)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sMissing the key %s in the item", INVALID,
                           attrs[i]->name);
        if (v->type != attrs[i]->type)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sType mismatch for key %s expected: %s actual: %s",
                           INVALID, attrs[i]->name, av_type_name(attrs[i]->type), av_type_name(v->type));
        ddb_err_t rc = empty_key_or_err(r, attrs[i], v);
        if (rc) return rc;
    }
    return key_sizes_or_err(r, t, item);
}

static const char *opt_str(const json_t *j, const char *dflt)
{
    return j ? j->str.ptr : dflt;
}

/* ---- conditions shared by the writes ---------------------------------------------------------- */

static ddb_err_t condition_or_err(write_ctx_t *c, const av_map_t *old, ddb_errctx_t *err)
{
    if (!c->cond || expr_condition_eval(c->cond, old)) return DDB_OK;
    if (c->return_old_on_fail && old) {
        c->failed_old = old;
        if (!c->in_multi) c->r->err_extra = exprargs_item_json(c->r, old);
    }
    return err_set(err, DDB_ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

ddb_err_t check_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                      ddb_errctx_t *err)
{
    *action = ENG_APPLY_NOOP;
    *new_item = NULL;
    return condition_or_err(ctx, old, err);
}

static const char *const COND_LEGACY[] = {"Expected", "ConditionalOperator", NULL};
static const char *const COND_EXPR[] = {"ConditionExpression", NULL};

/* ConditionExpression or Expected (+ names/values), parsed and checked; *ctx for more parsing. */
ddb_err_t condition_args_or_err(ddb_req_t *r, const json_t *jcond, expr_ctx_t **ctx, expr_cond_t **cond)
{
    ddb_err_t rc;
    *cond = NULL;
    if ((rc = exprargs_mixing_or_err(r, COND_LEGACY, COND_EXPR, "ConditionExpression is null"))) return rc;
    if ((rc = exprargs_ctx_or_err(r, ctx))) return rc;
    if (jcond) {
        if ((rc = expr_condition_parse(*ctx, EXPR_CONDITION, jcond->str.ptr, jcond->str.len, cond)))
            return rc;
    } else if ((rc = exprargs_expected_or_err(r, cond))) {
        return rc;
    }
    return expr_ctx_check_unused(*ctx);
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
    w->name = fld(r, r->body, "TableName", JSON_STRING, &bad);
    w->target = fld(r, r->body, target, JSON_OBJECT, &bad);
    w->rv = fld(r, r->body, "ReturnValues", JSON_STRING, &bad);
    w->rcc = fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    const json_t *ricm = w->ricm = fld(r, r->body, "ReturnItemCollectionMetrics", JSON_STRING, &bad);
    const json_t *cop = fld(r, r->body, "ConditionalOperator", JSON_STRING, &bad);
    w->rvcf = fld(r, r->body, "ReturnValuesOnConditionCheckFailure", JSON_STRING, &bad);
    w->cond = fld(r, r->body, "ConditionExpression", JSON_STRING, &bad);
    if (bad) return r->err.code;
    w->rv_s = opt_str(w->rv, "NONE");

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, w->rcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_name(&v, w->name, "tableName");
    vc_enum(&v, w->rv, "returnValues", RV, "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    vc_enum(&v, ricm, "returnItemCollectionMetrics", RICM, "[SIZE, NONE]");
    vc_enum(&v, cop, "conditionalOperator", CONDOP, "[AND, OR]");
    vc_enum(&v, w->rvcf, "returnValuesOnConditionCheckFailure", RVCCF, "[ALL_OLD, NONE]");
    if (!w->target) vc_add(&v, "null", !strcmp(target, "Item") ? "item" : "key", "Member must not be null");
    return vc_done(&v);
}

bool table_has_lsi(const eng_table_t *t)
{
    for (size_t i = 0; i < t->n_idx; i++)
        if (!t->idx[i].global) return true;
    return false;
}

void write_collection_metric(jw_t *o, const eng_table_t *t, const av_map_t *key)
{
    jw_obj_begin(o);
    jw_keyz(o, "ItemCollectionKey");
    jw_obj_begin(o);
    jw_keyz(o, t->key.hash.name);
    avjson_write_value(o, av_map_get(key, t->key.hash.name, strlen(t->key.hash.name)));
    jw_obj_end(o);
    jw_keyz(o, "SizeEstimateRangeGB");
    jw_arr_begin(o);
    jw_double(o, 0.0);
    jw_double(o, 1.0);
    jw_arr_end(o);
    jw_obj_end(o);
}

/* ReturnItemCollectionMetrics SIZE: answered for tables with a local secondary index (the item
 * collection is the partition). The estimate is DynamoDB's smallest range. */
static void write_collection_metrics(ddb_req_t *r, const write_args_t *w, const eng_table_t *t,
                                     const av_map_t *key)
{
    if (!w->ricm || !ddb_str_eq(w->ricm->str, "SIZE") || !table_has_lsi(t)) return;
    jw_keyz(&r->out, "ItemCollectionMetrics");
    write_collection_metric(&r->out, t, key);
}

/* ---- PutItem -------------------------------------------------------------------------------- */

ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                    ddb_errctx_t *err)
{
    write_ctx_t *c = ctx;
    ddb_err_t rc = condition_or_err(c, old, err);
    if (rc) return rc;
    *action = ENG_APPLY_PUT;
    *new_item = c->item;
    return DDB_OK;
}

ddb_err_t api_PutItem(ddb_req_t *r)
{
    write_args_t w;
    ddb_err_t rc;
    if ((rc = write_args_or_err(r, "Item", &w))) return rc;

    av_map_t item;
    if ((rc = avjson_map(r, w.target, &item, 1))) return rc;
    expr_ctx_t *ctx;
    expr_cond_t *cond;
    if ((rc = condition_args_or_err(r, w.cond, &ctx, &cond))) return rc;
    const char *rv = w.rv_s;
    if (strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD"))
        return err_set(&r->err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if (av_item_size(&item) > 400 * 1024)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");

    eng_table_t *t = table_or_err(r, w.name->str.ptr);
    if (!t) return r->err.code;
    if ((rc = item_keys_or_err(r, t, &item))) goto out;
    if ((rc = eng_index_keys_check(t, &item, false, &r->err))) goto out;
    if (cond && (rc = expr_cond_check_key_paths(cond, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;

    write_ctx_t wc = {.r = r, .cond = cond, .return_old_on_fail = want_old_on_fail(w.rvcf), .item = &item};
    eng_write_result_t res;
    if ((rc = eng_item_write(r->eng, t, key_of(r, t, &item), put_apply, &wc, r->a, &res, &r->err))) goto out;

    jw_obj_begin(&r->out);
    if (!strcmp(rv, "ALL_OLD") && res.old_item) {
        jw_keyz(&r->out, "Attributes");
        avjson_write_map(&r->out, res.old_item);
    }
    cap_write(r, t->name, opt_str(w.rcc, NULL), cap_write_units(res.old_size, res.new_size));
    write_collection_metrics(r, &w, t, &item);
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}

/* ---- GetItem -------------------------------------------------------------------------------- */

ddb_err_t api_GetItem(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jname = fld(r, r->body, "TableName", JSON_STRING, &bad);
    const json_t *jkey = fld(r, r->body, "Key", JSON_OBJECT, &bad);
    const json_t *jcons = fld(r, r->body, "ConsistentRead", JSON_TRUE, &bad);
    const json_t *jrcc = fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    fld(r, r->body, "ProjectionExpression", JSON_STRING, &bad); /* its JSON type; read below */
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_name(&v, jname, "tableName");
    if (!jkey) vc_add(&v, "null", "key", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    av_map_t key;
    if ((rc = avjson_map(r, jkey, &key, 1))) return rc;
    expr_proj_t *proj;
    if ((rc = exprargs_projection_or_err(r, true, &proj))) return rc;
    bool consistent = jcons && jcons->type == JSON_TRUE;

    eng_table_t *t = table_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    if ((rc = key_matches_or_err(r, t, &key))) goto out;
    if (proj && (rc = expr_proj_check_key_paths(proj, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    av_map_t *item = NULL;
    if ((rc = eng_item_get(r->eng, t, &key, r->a, &item, &r->err))) goto out;

    jw_obj_begin(&r->out);
    if (item) {
        jw_keyz(&r->out, "Item");
        avjson_write_map(&r->out, proj ? expr_projection_apply(proj, item, r->a) : item);
    }
    cap_write(r, t->name, opt_str(jrcc, NULL), cap_read_units(item ? av_item_size(item) : 0, consistent));
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}

/* ---- DeleteItem ------------------------------------------------------------------------------ */

ddb_err_t delete_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                       ddb_errctx_t *err)
{
    write_ctx_t *c = ctx;
    ddb_err_t rc = condition_or_err(c, old, err);
    if (rc) return rc;
    *action = ENG_APPLY_DELETE;
    *new_item = NULL;
    return DDB_OK;
}

ddb_err_t api_DeleteItem(ddb_req_t *r)
{
    write_args_t w;
    ddb_err_t rc;
    if ((rc = write_args_or_err(r, "Key", &w))) return rc;

    av_map_t key;
    if ((rc = avjson_map(r, w.target, &key, 1))) return rc;
    expr_ctx_t *ctx;
    expr_cond_t *cond;
    if ((rc = condition_args_or_err(r, w.cond, &ctx, &cond))) return rc;
    const char *rv = w.rv_s;
    if (strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD"))
        return err_set(&r->err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");

    eng_table_t *t = table_or_err(r, w.name->str.ptr);
    if (!t) return r->err.code;
    if ((rc = key_matches_or_err(r, t, &key))) goto out;
    if (cond && (rc = expr_cond_check_key_paths(cond, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    write_ctx_t wc = {.r = r, .cond = cond, .return_old_on_fail = want_old_on_fail(w.rvcf)};
    eng_write_result_t res;
    if ((rc = eng_item_write(r->eng, t, &key, delete_apply, &wc, r->a, &res, &r->err))) goto out;

    jw_obj_begin(&r->out);
    if (!strcmp(rv, "ALL_OLD") && res.old_item) {
        jw_keyz(&r->out, "Attributes");
        avjson_write_map(&r->out, res.old_item);
    }
    cap_write(r, t->name, opt_str(w.rcc, NULL), cap_write_units(res.old_size, 0));
    write_collection_metrics(r, &w, t, &key);
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}

/* ---- UpdateItem ------------------------------------------------------------------------------ */

ddb_err_t update_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                       ddb_errctx_t *err)
{
    write_ctx_t *c = ctx;
    ddb_err_t rc = condition_or_err(c, old, err);
    if (rc) return rc;
    av_map_t *nitem;
    if (c->update) {
        expr_update_result_t res = {0};
        if ((rc = expr_update_apply(c->update, old, c->key, c->r->a, err, &res))) return rc;
        nitem = res.item;
    } else {
        /* no update actions: the item is created from its key when missing */
        nitem = ARENA_NEW(c->r->a, av_map_t);
        av_map_copy(c->r->a, old ? old : c->key, nitem);
    }
    if (!nitem) {
        *action = ENG_APPLY_NOOP;
        return DDB_OK;
    }
    if (av_item_size(nitem) > 400 * 1024)
        return err_set(err, DDB_ERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if ((rc = eng_index_keys_check(c->table, nitem, true, err))) return rc;
    c->updated = nitem;
    *action = ENG_APPLY_PUT;
    *new_item = nitem;
    return DDB_OK;
}

ddb_err_t api_UpdateItem(ddb_req_t *r)
{
    write_args_t w;
    ddb_err_t rc;
    if ((rc = write_args_or_err(r, "Key", &w))) return rc;
    bool bad = false;
    const json_t *jupd = fld(r, r->body, "UpdateExpression", JSON_STRING, &bad);
    if (bad) return r->err.code;

    av_map_t key;
    if ((rc = avjson_map(r, w.target, &key, 1))) return rc;
    static const char *const legacy[] = {"AttributeUpdates", "Expected", "ConditionalOperator", NULL};
    static const char *const exprs[] = {"UpdateExpression", "ConditionExpression", NULL};
    if ((rc = exprargs_mixing_or_err(r, legacy, exprs, "UpdateExpression and ConditionExpression are null")))
        return rc;
    expr_ctx_t *ctx;
    if ((rc = exprargs_ctx_or_err(r, &ctx))) return rc;
    expr_update_t *upd = NULL;
    expr_cond_t *cond = NULL;
    if (jupd && (rc = expr_update_parse(ctx, jupd->str.ptr, jupd->str.len, &upd))) return rc;
    if (w.cond && (rc = expr_condition_parse(ctx, EXPR_CONDITION, w.cond->str.ptr, w.cond->str.len, &cond)))
        return rc;
    if ((rc = expr_ctx_check_unused(ctx))) return rc;
    if (!jupd && (rc = exprargs_attribute_updates_or_err(r, &upd))) return rc;
    if (!w.cond && (rc = exprargs_expected_or_err(r, &cond))) return rc;
    const char *rv = w.rv_s;

    eng_table_t *t = table_or_err(r, w.name->str.ptr);
    if (!t) return r->err.code;
    if ((rc = key_matches_or_err(r, t, &key))) goto out;
    if (upd && (rc = expr_update_check_keys(upd, t->key.hash.name, t->key.range.name, &r->err))) goto out;
    if (upd && (rc = expr_update_check_key_paths(upd, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if (cond && (rc = expr_cond_check_key_paths(cond, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;

    write_ctx_t wc = {.r = r,
                      .cond = cond,
                      .return_old_on_fail = want_old_on_fail(w.rvcf),
                      .update = upd,
                      .key = &key,
                      .table = t};
    eng_write_result_t res;
    if ((rc = eng_item_write(r->eng, t, &key, update_apply, &wc, r->a, &res, &r->err))) goto out;

    jw_obj_begin(&r->out);
    const av_map_t *attrs = NULL;
    if (!strcmp(rv, "ALL_OLD"))
        attrs = res.old_item;
    else if (!strcmp(rv, "ALL_NEW"))
        attrs = res.new_item;
    else if (!strcmp(rv, "UPDATED_OLD") && res.old_item)
        attrs = upd ? expr_update_project(upd, res.old_item, r->a) : NULL;
    else if (!strcmp(rv, "UPDATED_NEW") && res.new_item)
        attrs = upd ? expr_update_project(upd, res.new_item, r->a) : NULL;
    if (attrs && attrs->n) {
        jw_keyz(&r->out, "Attributes");
        avjson_write_map(&r->out, attrs);
    }
    cap_write(r, t->name, opt_str(w.rcc, NULL), cap_write_units(res.old_size, res.new_size));
    write_collection_metrics(r, &w, t, &key);
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}
