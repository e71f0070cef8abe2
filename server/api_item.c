/*
 * api_item: PutItem, GetItem, DeleteItem.
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

/* Members that belong to the expressions issue: answered clearly instead of being ignored. */
static ddb_err_t unsupported_or_err(ddb_req_t *r, const char *const *names)
{
    for (const char *const *p = names; *p; p++) {
        const json_t *j = json_get(r->body, *p);
        if (j && j->type != JSON_NULL)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%s is not supported by dynarock yet", *p);
    }
    return DDB_OK;
}

/* Key of `item` restricted to the table's key attributes (already validated present). */
static av_map_t *key_of(ddb_req_t *r, const eng_table_t *t, const av_map_t *item)
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

static ddb_err_t empty_key_or_err(ddb_req_t *r, const eng_attr_t *a, const av_t *v)
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
static ddb_err_t key_matches_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *key)
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
static ddb_err_t item_keys_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *item)
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

/* ---- PutItem -------------------------------------------------------------------------------- */

typedef struct {
    av_map_t *item;
} put_ctx_t;

static ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    put_ctx_t *pc = ctx;
    *action = ENG_APPLY_PUT;
    *new_item = pc->item;
    return DDB_OK;
}

ddb_err_t api_PutItem(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jname = fld(r, r->body, "TableName", JSON_STRING, &bad);
    const json_t *jitem = fld(r, r->body, "Item", JSON_OBJECT, &bad);
    const json_t *jrv = fld(r, r->body, "ReturnValues", JSON_STRING, &bad);
    const json_t *jrcc = fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    const json_t *jricm = fld(r, r->body, "ReturnItemCollectionMetrics", JSON_STRING, &bad);
    const json_t *jcop = fld(r, r->body, "ConditionalOperator", JSON_STRING, &bad);
    const json_t *jrvc = fld(r, r->body, "ReturnValuesOnConditionCheckFailure", JSON_STRING, &bad);
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_name(&v, jname, "tableName");
    vc_enum(&v, jrv, "returnValues", RV, "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    vc_enum(&v, jricm, "returnItemCollectionMetrics", RICM, "[SIZE, NONE]");
    vc_enum(&v, jcop, "conditionalOperator", CONDOP, "[AND, OR]");
    vc_enum(&v, jrvc, "returnValuesOnConditionCheckFailure", RVCCF, "[ALL_OLD, NONE]");
    if (!jitem) vc_add(&v, "null", "item", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    av_map_t item;
    if ((rc = avjson_map(r, jitem, &item, 1))) return rc;
    static const char *const later[] = {"ConditionExpression",       "Expected",
                                        "ConditionalOperator",       "ExpressionAttributeNames",
                                        "ExpressionAttributeValues", NULL};
    if ((rc = unsupported_or_err(r, later))) return rc;
    const char *rv = opt_str(jrv, "NONE");
    if (strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD"))
        return err_set(&r->err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");
    if (av_item_size(&item) > 400 * 1024)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");

    eng_table_t *t = table_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    if ((rc = item_keys_or_err(r, t, &item))) goto out;

    put_ctx_t pc = {&item};
    eng_write_result_t res;
    if ((rc = eng_item_write(r->eng, t, key_of(r, t, &item), put_apply, &pc, r->a, &res, &r->err))) goto out;

    jw_obj_begin(&r->out);
    if (!strcmp(rv, "ALL_OLD") && res.old_item) {
        jw_keyz(&r->out, "Attributes");
        avjson_write_map(&r->out, res.old_item);
    }
    cap_write(r, t->name, opt_str(jrcc, NULL), cap_write_units(res.old_size, res.new_size), false);
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
    fld(r, r->body, "AttributesToGet", JSON_ARRAY, &bad);
    fld(r, r->body, "ProjectionExpression", JSON_STRING, &bad);
    fld(r, r->body, "ExpressionAttributeNames", JSON_OBJECT, &bad);
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
    static const char *const later[] = {"ProjectionExpression", "AttributesToGet", "ExpressionAttributeNames",
                                        NULL};
    if ((rc = unsupported_or_err(r, later))) return rc;
    bool consistent = jcons && (jcons->type == JSON_TRUE ||
                                (jcons->type == JSON_STRING && !strcasecmp(jcons->str.ptr, "true")));

    eng_table_t *t = table_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    if ((rc = key_matches_or_err(r, t, &key))) goto out;
    av_map_t *item = NULL;
    if ((rc = eng_item_get(r->eng, t, &key, r->a, &item, &r->err))) goto out;

    jw_obj_begin(&r->out);
    if (item) {
        jw_keyz(&r->out, "Item");
        avjson_write_map(&r->out, item);
    }
    cap_write(r, t->name, opt_str(jrcc, NULL), cap_read_units(item ? av_item_size(item) : 0, consistent),
              true);
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}

/* ---- DeleteItem ------------------------------------------------------------------------------ */

static ddb_err_t delete_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                              ddb_errctx_t *err)
{
    *action = ENG_APPLY_DELETE;
    *new_item = NULL;
    return DDB_OK;
}

ddb_err_t api_DeleteItem(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jname = fld(r, r->body, "TableName", JSON_STRING, &bad);
    const json_t *jkey = fld(r, r->body, "Key", JSON_OBJECT, &bad);
    const json_t *jrv = fld(r, r->body, "ReturnValues", JSON_STRING, &bad);
    const json_t *jrcc = fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    const json_t *jricm = fld(r, r->body, "ReturnItemCollectionMetrics", JSON_STRING, &bad);
    const json_t *jcop = fld(r, r->body, "ConditionalOperator", JSON_STRING, &bad);
    const json_t *jrvc = fld(r, r->body, "ReturnValuesOnConditionCheckFailure", JSON_STRING, &bad);
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_name(&v, jname, "tableName");
    vc_enum(&v, jrv, "returnValues", RV, "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
    vc_enum(&v, jricm, "returnItemCollectionMetrics", RICM, "[SIZE, NONE]");
    vc_enum(&v, jcop, "conditionalOperator", CONDOP, "[AND, OR]");
    vc_enum(&v, jrvc, "returnValuesOnConditionCheckFailure", RVCCF, "[ALL_OLD, NONE]");
    if (!jkey) vc_add(&v, "null", "key", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    av_map_t key;
    if ((rc = avjson_map(r, jkey, &key, 1))) return rc;
    static const char *const later[] = {"ConditionExpression",       "Expected",
                                        "ConditionalOperator",       "ExpressionAttributeNames",
                                        "ExpressionAttributeValues", NULL};
    if ((rc = unsupported_or_err(r, later))) return rc;
    const char *rv = opt_str(jrv, "NONE");
    if (strcmp(rv, "NONE") && strcmp(rv, "ALL_OLD"))
        return err_set(&r->err, DDB_ERR_VALIDATION, "ReturnValues can only be ALL_OLD or NONE");

    eng_table_t *t = table_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    if ((rc = key_matches_or_err(r, t, &key))) goto out;
    eng_write_result_t res;
    if ((rc = eng_item_write(r->eng, t, &key, delete_apply, NULL, r->a, &res, &r->err))) goto out;

    jw_obj_begin(&r->out);
    if (!strcmp(rv, "ALL_OLD") && res.old_item) {
        jw_keyz(&r->out, "Attributes");
        avjson_write_map(&r->out, res.old_item);
    }
    cap_write(r, t->name, opt_str(jrcc, NULL), cap_write_units(res.old_size, 0), false);
    jw_obj_end(&r->out);
out:
    eng_table_release(t);
    return rc;
}
