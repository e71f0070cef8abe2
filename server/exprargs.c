/*
 * exprargs: the request members around expressions, shared by the item, query and batch
 * handlers: ExpressionAttributeNames / ExpressionAttributeValues into an expr context, the rules
 * about mixing expression and legacy (non-expression) parameters, and the JSON -> struct
 * conversion of the legacy parameters (Expected, AttributeUpdates, AttributesToGet) that expr/
 * turns into the same trees as the expressions.
 *
 * Order (DynamoDB's): mixing rules, then names, then value keys, then each value, then the
 * expressions are parsed by the caller, then unused names/values. The mixing rules also come before
 * the request's own attribute values (Item, Key, ExclusiveStartKey: dynalite's recordings), so the
 * handlers call exprargs_*_mixing_or_err first; the *_or_err that follow check them again, cheaply.
 */
#include "server/server.h"

#include <string.h>

/* "{a, b}" of the present members, for the mixing message. */
static const char *present_list(ddb_req_t *r, const json_t *obj, const char *const *names, int *count)
{
    buf_t b;
    buf_init(&b, r->a, 64);
    *count = 0;
    buf_putc(&b, '{');
    for (const char *const *p = names; *p; p++) {
        const json_t *j = json_get(obj, *p);
        if (!j || j->type == JSON_NULL) continue;
        if ((*count)++) buf_puts(&b, ", ");
        buf_puts(&b, *p);
    }
    buf_putc(&b, '}');
    return b.data;
}

/* How many of the members are present (not null). */
static int present_count(const json_t *obj, const char *const *names)
{
    int n = 0;
    for (const char *const *p = names; *p; p++) {
        const json_t *j = json_get(obj, *p);
        n += j && j->type != JSON_NULL;
    }
    return n;
}

ddb_err_t exprargs_mixing_or_err(ddb_req_t *r, const json_t *obj, const char *const *legacy,
                                 const char *const *exprs, const char *values_null_msg)
{
    int nl = present_count(obj, legacy), ne = present_count(obj, exprs);
    if (nl && ne) {
        const char *l = present_list(r, obj, legacy, &nl), *e = present_list(r, obj, exprs, &ne);
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Can not use both expression and non-expression parameters in the same request: "
                       "Non-expression parameters: %s Expression parameters: %s",
                       l, e);
    }
    const json_t *jn = json_get(obj, "ExpressionAttributeNames");
    const json_t *jv = json_get(obj, "ExpressionAttributeValues");
    if (!ne && jn && jn->type != JSON_NULL)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "ExpressionAttributeNames can only be specified when using expressions");
    if (!ne && jv && jv->type != JSON_NULL)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "ExpressionAttributeValues can only be specified when using expressions: %s",
                       values_null_msg);
    return DDB_OK;
}

ddb_err_t exprargs_ctx_or_err(ddb_req_t *r, const json_t *obj, expr_ctx_t **out)
{
    bool bad = false;
    const json_t *jn = vc_fld(r, obj, "ExpressionAttributeNames", JSON_OBJECT, &bad);
    const json_t *jv = vc_fld(r, obj, "ExpressionAttributeValues", JSON_OBJECT, &bad);
    if (bad) return r->err.code;
    expr_ctx_t *c = expr_ctx_new(r->a, &r->err);
    ddb_err_t rc;
    if (jn) {
        ddb_str_t *keys = ARENA_NEWN(r->a, ddb_str_t, jn->n + 1),
                  *names = ARENA_NEWN(r->a, ddb_str_t, jn->n + 1);
        size_t n = 0;
        for (const json_t *m = jn->child; m; m = m->next) {
            if (m->type == JSON_NULL) continue;
            if (m->type != JSON_STRING)
                return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, m, SER_STRING));
            keys[n] = m->key;
            names[n] = m->str;
            n++;
        }
        if ((rc = expr_ctx_set_names(c, n, keys, names))) return rc;
    }
    if (jv) {
        ddb_str_t *keys = ARENA_NEWN(r->a, ddb_str_t, jv->n + 1);
        av_t *vals = ARENA_NEWN(r->a, av_t, jv->n + 1);
        size_t n = 0;
        for (const json_t *m = jv->child; m; m = m->next)
            if (m->type != JSON_NULL) keys[n++] = m->key;
        if ((rc = expr_ctx_check_value_keys(c, n, keys))) return rc;
        n = 0;
        for (const json_t *m = jv->child; m; m = m->next) {
            if (m->type == JSON_NULL) continue;
            ddb_errctx_t sub;
            err_init(&sub, r->a);
            rc = avjson_value(r->a, &sub, m, &vals[n], 1);
            if (rc) {
                if (rc == DDB_ERR_SERIALIZATION) return err_set(&r->err, rc, "%s", sub.msg ? sub.msg : "");
                return err_set(&r->err, rc,
                               "ExpressionAttributeValues contains invalid value: %s for key %.*s", sub.msg,
                               (int)m->key.len, m->key.ptr);
            }
            n++;
        }
        if ((rc = expr_ctx_set_values(c, n, keys, vals))) return rc;
    }
    *out = c;
    return DDB_OK;
}

/* ---- legacy parameters ---------------------------------------------------------------------- */

static const char *const CMP_SET =
    "[IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]";

static ddb_err_t value_list_or_err(ddb_req_t *r, const json_t *jl, size_t *n, const av_t **out)
{
    av_t *vals = ARENA_NEWN(r->a, av_t, jl->n + 1);
    size_t k = 0;
    for (const json_t *c = jl->child; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        ddb_err_t rc = avjson_value(r->a, &r->err, c, &vals[k++], 1);
        if (rc) return rc;
    }
    *n = k;
    *out = vals;
    return DDB_OK;
}

ddb_err_t exprargs_expected_or_err(ddb_req_t *r, const json_t *obj, expr_cond_t **out)
{
    bool bad = false;
    const json_t *je = vc_fld(r, obj, "Expected", JSON_OBJECT, &bad);
    const json_t *jop = vc_fld(r, obj, "ConditionalOperator", JSON_STRING, &bad);
    if (bad) return r->err.code;
    *out = NULL;
    size_t count = 0;
    if (je)
        for (const json_t *m = je->child; m; m = m->next) count += m->type != JSON_NULL;
    if (jop && !count)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "ConditionalOperator cannot be used without Filter or Expected");
    if (jop && count < 2)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    if (!je) return DDB_OK;
    expr_expected_t *es = ARENA_NEWN(r->a, expr_expected_t, je->n + 1);
    size_t n = 0;
    vcheck_t v;
    vc_init(&v, r);
    for (const json_t *m = je->child; m; m = m->next) {
        if (m->type == JSON_NULL) continue;
        if (m->type != JSON_OBJECT)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, m, SER_STRUCT));
        ddb_err_t rc;
        if ((rc = avjson_name_or_err(&r->err, m->key))) return rc;
        expr_expected_t *e = &es[n++];
        memset(e, 0, sizeof *e);
        e->attr = m->key;
        const json_t *jval = vc_fld(r, m, "Value", JSON_OBJECT, &bad);
        const json_t *jex = vc_fld(r, m, "Exists", JSON_TRUE, &bad);
        const json_t *jcmp = vc_fld(r, m, "ComparisonOperator", JSON_STRING, &bad);
        const json_t *jl = vc_fld(r, m, "AttributeValueList", JSON_ARRAY, &bad);
        if (bad) return r->err.code;
        if (jcmp) {
            if (!expr_cmpop_from_name(jcmp->str.ptr, jcmp->str.len, &e->op))
                vc_add(&v, vc_show_str(r, jcmp),
                       arena_sprintf(r->a, "expected.%.*s.member.comparisonOperator", (int)m->key.len,
                                     m->key.ptr),
                       arena_sprintf(r->a, "Member must satisfy enum value set: %s", CMP_SET));
            e->has_op = true;
        }
        if (jex) {
            e->has_exists = true;
            e->exists = jex->type == JSON_TRUE;
        }
        if (jval) {
            av_t *val = ARENA_NEW(r->a, av_t);
            ddb_err_t rc = avjson_value(r->a, &r->err, jval, val, 1);
            if (rc) return rc;
            e->value = val;
        }
        if (jl) {
            e->has_list = true;
            ddb_err_t rc = value_list_or_err(r, jl, &e->nlist, &e->list);
            if (rc) return rc;
        }
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    return expr_legacy_expected(r->a, &r->err, n, es, jop && ddb_str_eq(jop->str, "OR"), out);
}

ddb_err_t exprargs_conditions_or_err(ddb_req_t *r, const json_t *jm, const char *path, size_t *n,
                                     expr_filter_t **out)
{
    *n = 0;
    *out = NULL;
    if (!jm) return DDB_OK;
    expr_filter_t *fs = ARENA_NEWN(r->a, expr_filter_t, jm->n + 1);
    vcheck_t v;
    vc_init(&v, r);
    bool bad = false;
    for (const json_t *m = jm->child; m; m = m->next) {
        if (m->type == JSON_NULL) continue;
        if (m->type != JSON_OBJECT)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, m, SER_STRUCT));
        ddb_err_t rc;
        if ((rc = avjson_name_or_err(&r->err, m->key))) return rc;
        expr_filter_t *f = &fs[(*n)++];
        memset(f, 0, sizeof *f);
        f->attr = m->key;
        const json_t *jcmp = vc_fld(r, m, "ComparisonOperator", JSON_STRING, &bad);
        const json_t *jl = vc_fld(r, m, "AttributeValueList", JSON_ARRAY, &bad);
        if (bad) return r->err.code;
        const char *mpath =
            arena_sprintf(r->a, "%s.%.*s.member.comparisonOperator", path, (int)m->key.len, m->key.ptr);
        if (!jcmp)
            vc_add(&v, "null", mpath, "Member must not be null");
        else if (!expr_cmpop_from_name(jcmp->str.ptr, jcmp->str.len, &f->op))
            vc_add(&v, vc_show_str(r, jcmp), mpath,
                   arena_sprintf(r->a, "Member must satisfy enum value set: %s", CMP_SET));
        if (jl) {
            ddb_err_t rc = value_list_or_err(r, jl, &f->nlist, &f->list);
            if (rc) return rc;
        }
    }
    *out = fs;
    return vc_done(&v);
}

ddb_err_t exprargs_attribute_updates_or_err(ddb_req_t *r, const json_t *obj, expr_update_t **out)
{
    bool bad = false;
    const json_t *ju = vc_fld(r, obj, "AttributeUpdates", JSON_OBJECT, &bad);
    if (bad) return r->err.code;
    *out = NULL;
    if (!ju) return DDB_OK;
    expr_attr_update_t *us = ARENA_NEWN(r->a, expr_attr_update_t, ju->n + 1);
    size_t n = 0;
    vcheck_t v;
    vc_init(&v, r);
    for (const json_t *m = ju->child; m; m = m->next) {
        if (m->type == JSON_NULL) continue;
        if (m->type != JSON_OBJECT)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, m, SER_STRUCT));
        ddb_err_t rc;
        if ((rc = avjson_name_or_err(&r->err, m->key))) return rc;
        expr_attr_update_t *u = &us[n++];
        memset(u, 0, sizeof *u);
        u->attr = m->key;
        const json_t *jval = vc_fld(r, m, "Value", JSON_OBJECT, &bad);
        const json_t *jact = vc_fld(r, m, "Action", JSON_STRING, &bad);
        if (bad) return r->err.code;
        u->action = EXPR_AU_PUT;
        if (jact) {
            if (ddb_str_eq(jact->str, "ADD"))
                u->action = EXPR_AU_ADD;
            else if (ddb_str_eq(jact->str, "DELETE"))
                u->action = EXPR_AU_DELETE;
            else if (!ddb_str_eq(jact->str, "PUT"))
                vc_add(
                    &v, vc_show_str(r, jact),
                    arena_sprintf(r->a, "attributeUpdates.%.*s.member.action", (int)m->key.len, m->key.ptr),
                    "Member must satisfy enum value set: [ADD, PUT, DELETE]");
        }
        if (jval) {
            av_t *val = ARENA_NEW(r->a, av_t);
            ddb_err_t rc = avjson_value(r->a, &r->err, jval, val, 1);
            if (rc) return rc;
            u->value = val;
        }
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    return expr_legacy_attribute_updates(r->a, &r->err, n, us, out);
}

ddb_err_t exprargs_attributes_to_get_or_err(ddb_req_t *r, const json_t *obj, expr_proj_t **out)
{
    bool bad = false;
    const json_t *ja = vc_fld(r, obj, "AttributesToGet", JSON_ARRAY, &bad);
    if (bad) return r->err.code;
    *out = NULL;
    if (!ja) return DDB_OK;
    ddb_str_t *names = ARENA_NEWN(r->a, ddb_str_t, ja->n + 1);
    size_t n = 0;
    for (const json_t *c = ja->child; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        if (c->type != JSON_STRING)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRING));
        ddb_err_t rc;
        if ((rc = avjson_name_or_err(&r->err, c->str))) return rc;
        names[n++] = c->str;
    }
    if (n == 0)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: "
            "Member must have length greater than or equal to 1");
    return expr_legacy_attributes_to_get(r->a, &r->err, n, names, out);
}

const char *exprargs_item_json(ddb_req_t *r, const av_map_t *item)
{
    jw_t w;
    jw_init(&w, r->a, 256);
    jw_keyz(&w, "Item");
    avjson_write_map(&w, item);
    return w.b.data;
}

static const char *const PROJ_LEGACY[] = {"AttributesToGet", NULL};
static const char *const PROJ_NONE[] = {NULL};
static const char *const PROJ_EXPR[] = {"ProjectionExpression", NULL};

ddb_err_t exprargs_projection_mixing_or_err(ddb_req_t *r, const json_t *obj, bool legacy_ok)
{
    return exprargs_mixing_or_err(r, obj, legacy_ok ? PROJ_LEGACY : PROJ_NONE, PROJ_EXPR,
                                  "ProjectionExpression is null");
}

ddb_err_t exprargs_projection_or_err(ddb_req_t *r, const json_t *obj, bool legacy_ok, expr_proj_t **out)
{
    *out = NULL;
    const json_t *jp = json_get(obj, "ProjectionExpression");
    if (jp && jp->type != JSON_STRING) jp = NULL;
    expr_ctx_t *ctx = NULL;
    ddb_err_t rc = exprargs_projection_mixing_or_err(r, obj, legacy_ok);
    if (!rc) rc = exprargs_ctx_or_err(r, obj, &ctx);
    if (!rc && jp) rc = expr_projection_parse(ctx, jp->str.ptr, jp->str.len, out);
    if (!rc) rc = expr_ctx_check_unused(ctx);
    if (!rc && !jp && legacy_ok) rc = exprargs_attributes_to_get_or_err(r, obj, out);
    return rc;
}

static const char *const COND_LEGACY[] = {"Expected", "ConditionalOperator", NULL};
static const char *const COND_EXPR[] = {"ConditionExpression", NULL};

ddb_err_t exprargs_condition_mixing_or_err(ddb_req_t *r, const json_t *obj)
{
    return exprargs_mixing_or_err(r, obj, COND_LEGACY, COND_EXPR, "ConditionExpression is null");
}

/* ConditionExpression or Expected (+ names/values), parsed and checked; *ctx for more parsing. */
ddb_err_t exprargs_condition_or_err(ddb_req_t *r, const json_t *obj, const json_t *jcond, expr_ctx_t **ctx,
                                    expr_cond_t **cond)
{
    ddb_err_t rc;
    *cond = NULL;
    if ((rc = exprargs_mixing_or_err(r, obj, COND_LEGACY, COND_EXPR, "ConditionExpression is null")))
        return rc;
    if ((rc = exprargs_ctx_or_err(r, obj, ctx))) return rc;
    if (jcond) {
        if ((rc = expr_condition_parse(*ctx, EXPR_CONDITION, jcond->str.ptr, jcond->str.len, cond)))
            return rc;
    } else if ((rc = exprargs_expected_or_err(r, obj, cond))) {
        return rc;
    }
    return expr_ctx_check_unused(*ctx);
}
