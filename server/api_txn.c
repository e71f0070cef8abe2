/*
 * api_txn: TransactWriteItems and TransactGetItems.
 *
 * TransactWriteItems validates every action first (shapes, expressions, values, tables, keys, one
 * action per item), then hands all of them to eng_multi_write: every key locked in ascending
 * stripe order, every condition checked, one write batch or nothing. A failed action cancels the
 * transaction with a reason per action, in order. ClientRequestToken makes a retry idempotent for
 * 10 minutes: the same token and the same request (compared as canonical JSON, member order
 * ignored) answer success without writing again; the same token with another request answers
 * IdempotentParameterMismatchException; a token whose first request is still running answers
 * TransactionInProgressException (idempotency.c; tokens live in memory, a restart forgets them).
 *
 * TransactGetItems reads every item at one RocksDB snapshot, so it never sees half of a
 * transaction.
 *
 * Each action becomes a typed write (exec_write_t) and the executor writes them as one
 * (exec_write_multi); the per-action members are read by the exprargs helpers from the action.
 */
#include "server/exec.h"

#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

#define TXN_MAX 100
#define TXN_MAX_BYTES (4u << 20) /* aggregate size of the items a transaction writes */

static const char *const RCC[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const RICM[] = {"SIZE", "NONE", NULL};
static const char *const RVCCF[] = {"ALL_OLD", "NONE", NULL};

/* ---- shared ---------------------------------------------------------------------------------- */

/* transactItems list constraints */
static void vc_items(vcheck_t *v, const json_t *list)
{
    if (!list)
        vc_add(v, "null", "transactItems", "Member must not be null");
    else if (list->n == 0)
        vc_add(v, "'[]'", "transactItems", "Member must have length greater than or equal to 1");
    else if (list->n > TXN_MAX)
        vc_add(v, arena_sprintf(v->r->a, "'[%u items]'", list->n), "transactItems",
               "Member must have length less than or equal to 100");
}

/* ---- TransactWriteItems ---------------------------------------------------------------------- */

/* by exec_kind_t */
static const char *const ACT_NAMES[] = {"ConditionCheck", "Put", "Delete", "Update"};
static const char *const ACT_PATHS[] = {"conditionCheck", "put", "delete", "update"};

typedef struct {
    exec_kind_t kind;
    const json_t *j;
    const char *table;
    av_map_t value; /* Put: item; else key */
    av_map_t *key;
    eng_table_t *t;
    exec_write_t w; /* the typed write the executor runs */
} action_t;

static const shape_member_t ACT_M[] = {{"Key", JSON_OBJECT},
                                       {"Item", JSON_OBJECT},
                                       {"TableName", JSON_STRING},
                                       {"ConditionExpression", JSON_STRING},
                                       {"UpdateExpression", JSON_STRING},
                                       {"ExpressionAttributeNames", JSON_OBJECT},
                                       {"ExpressionAttributeValues", JSON_OBJECT},
                                       {"ReturnValuesOnConditionCheckFailure", JSON_STRING},
                                       {NULL}};
static const shape_spec_t ACT = {ACT_M};
static const shape_member_t TWI_M[] = {{"ConditionCheck", JSON_OBJECT, &ACT},
                                       {"Put", JSON_OBJECT, &ACT},
                                       {"Delete", JSON_OBJECT, &ACT},
                                       {"Update", JSON_OBJECT, &ACT},
                                       {NULL}};
static const shape_spec_t TWI = {TWI_M};

/* Expressions of one action (its own members). */
static ddb_err_t action_exprs_or_err(ddb_req_t *r, action_t *a)
{
    ddb_err_t rc;
    expr_ctx_t *ctx = NULL;
    const json_t *jcond = json_get(a->j, "ConditionExpression");
    const json_t *jupd = json_get(a->j, "UpdateExpression");
    if (jcond && jcond->type != JSON_STRING) jcond = NULL;
    if (jupd && jupd->type != JSON_STRING) jupd = NULL;
    expr_cond_t *cond = NULL;
    expr_update_t *upd = NULL;
    static const char *const none[] = {NULL};
    static const char *const exprs[] = {"ConditionExpression", "UpdateExpression", NULL};
    rc = exprargs_mixing_or_err(r, a->j, none, exprs, "ConditionExpression is null");
    if (!rc) rc = exprargs_ctx_or_err(r, a->j, &ctx);
    if (!rc && jupd) rc = expr_update_parse(ctx, jupd->str.ptr, jupd->str.len, &upd);
    if (!rc && jcond) rc = expr_condition_parse(ctx, EXPR_CONDITION, jcond->str.ptr, jcond->str.len, &cond);
    if (!rc) rc = expr_ctx_check_unused(ctx);
    if (rc) return rc;
    const json_t *rv = json_get(a->j, "ReturnValuesOnConditionCheckFailure");
    a->w =
        (exec_write_t){.kind = a->kind,
                       .cond = cond,
                       .return_old_on_fail = rv && rv->type == JSON_STRING && ddb_str_eq(rv->str, "ALL_OLD"),
                       .update = upd,
                       .origin = ENG_ORIGIN_TXN};
    return DDB_OK;
}

ddb_err_t api_TransactWriteItems(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jitems = vc_fld(r, r->body, "TransactItems", JSON_ARRAY, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    const json_t *jricm = vc_fld(r, r->body, "ReturnItemCollectionMetrics", JSON_STRING, &bad);
    const json_t *jtok = vc_fld(r, r->body, "ClientRequestToken", JSON_STRING, &bad);
    if (bad) return r->err.code;
    for (const json_t *c = jitems ? jitems->child : NULL; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        if (c->type != JSON_OBJECT)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRUCT));
        if (!vc_shape_ok(r, c, &TWI)) return r->err.code;
    }

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_enum(&v, jricm, "returnItemCollectionMetrics", RICM, "[SIZE, NONE]");
    vc_items(&v, jitems);
    vc_len(&v, jtok, "clientRequestToken", 1, 36, false);
    size_t n = jitems ? jitems->n : 0;
    action_t *acts = ARENA_NEWN(r->a, action_t, n + 1);
    size_t na = 0;
    int pos = 1;
    for (const json_t *c = jitems ? jitems->child : NULL; c; c = c->next, pos++) {
        if (c->type != JSON_OBJECT) {
            vc_add(&v, "null", arena_sprintf(r->a, "transactItems.%d.member", pos),
                   "Member must not be null");
            continue;
        }
        int found = 0;
        action_t *a = &acts[na];
        for (int k = 0; k < 4; k++) {
            const json_t *j = json_get(c, ACT_NAMES[k]);
            if (!j || j->type != JSON_OBJECT) continue;
            found++;
            a->kind = (exec_kind_t)k;
            a->j = j;
        }
        if (found != 1) {
            a->j = NULL;
            na++;
            continue;
        }
        na++;
        const char *base = arena_sprintf(r->a, "transactItems.%d.member.%s", pos, ACT_PATHS[a->kind]);
        const json_t *tn = json_get(a->j, "TableName");
        vc_table_arn(&v, tn && tn->type == JSON_STRING ? tn : NULL,
                     arena_sprintf(r->a, "%s.tableName", base));
        const char *target = a->kind == EXEC_PUT ? "Item" : "Key";
        if (!json_get(a->j, target))
            vc_add(&v, "null", arena_sprintf(r->a, "%s.%s", base, a->kind == EXEC_PUT ? "item" : "key"),
                   "Member must not be null");
        if (a->kind == EXEC_CHECK && !json_get(a->j, "ConditionExpression"))
            vc_add(&v, "null", arena_sprintf(r->a, "%s.conditionExpression", base),
                   "Member must not be null");
        if (a->kind == EXEC_UPDATE && !json_get(a->j, "UpdateExpression"))
            vc_add(&v, "null", arena_sprintf(r->a, "%s.updateExpression", base), "Member must not be null");
        vc_enum(&v, json_get(a->j, "ReturnValuesOnConditionCheckFailure"),
                arena_sprintf(r->a, "%s.returnValuesOnConditionCheckFailure", base), RVCCF,
                "[ALL_OLD, NONE]");
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    for (size_t i = 0; i < na; i++)
        if (!acts[i].j)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "TransactItems can only contain one of Check, Put, Update or Delete");

    /* values and expressions of every action */
    size_t total_size = 0;
    for (size_t i = 0; i < na; i++) {
        action_t *a = &acts[i];
        a->table = json_get(a->j, "TableName")->str.ptr;
        if ((rc = avjson_map(r->a, &r->err, json_get(a->j, a->kind == EXEC_PUT ? "Item" : "Key"), &a->value,
                             1)))
            return rc;
        if (a->kind == EXEC_PUT && av_item_size(&a->value) > 400 * 1024)
            return err_set(&r->err, DDB_ERR_VALIDATION, "Item size has exceeded the maximum allowed size");
        total_size += av_item_size(&a->value);
        if ((rc = action_exprs_or_err(r, a))) return rc;
    }
    if (total_size > TXN_MAX_BYTES)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Transaction request size cannot exceed 4 MB");

    /* tables; then each action's keys (a key problem cancels the transaction at that action) */
    size_t got = 0;
    for (size_t i = 0; i < na; i++) {
        if (!(acts[i].t = tabledesc_or_err(r, acts[i].table))) {
            rc = r->err.code;
            goto out;
        }
        got++;
    }
    /* an empty key value fails the whole request (not one action) */
    for (size_t i = 0; i < na; i++) {
        const eng_attr_t *ka[2] = {&acts[i].t->key.hash, &acts[i].t->key.range};
        for (int k = 0; k < 2 && ka[k]->name; k++) {
            const av_t *kv = av_map_get(&acts[i].value, ka[k]->name, strlen(ka[k]->name));
            if (kv && (rc = exec_empty_key_or_err(&r->err, ka[k], kv))) goto out;
        }
    }
    eng_multi_result_t *res = ARENA_NEWN(r->a, eng_multi_result_t, na + 1);
    for (size_t i = 0; i < na; i++) err_init(&res[i].err, r->a);
    for (size_t i = 0; i < na; i++) {
        action_t *a = &acts[i];
        /* no error is recorded yet: a key problem moves from r->err into this action's reason */
        ddb_err_t krc = a->kind == EXEC_PUT ? exec_item_keys_or_err(&r->err, a->t, &a->value)
                                            : exec_key_or_err(&r->err, a->t, &a->value);
        if (!krc && a->kind == EXEC_PUT) krc = eng_index_keys_check(a->t, &a->value, false, &r->err);
        if (krc) {
            err_set(&res[i].err, krc, "%s", r->err.msg);
            err_clear(&r->err);
            rc = exec_cancelled_or_err(r, na, NULL, res);
            goto out;
        }
        a->key = a->kind == EXEC_PUT ? exec_key_of(r->a, a->t, &a->value) : &a->value;
        const char *hn = a->t->key.hash.name, *rn = a->t->key.range.name;
        if (a->w.cond && (rc = expr_cond_check_key_paths(a->w.cond, hn, rn, &r->err))) goto out;
        if (a->w.update && (rc = expr_update_check_keys(a->w.update, hn, rn, &r->err))) goto out;
        if (a->w.update && (rc = expr_update_check_key_paths(a->w.update, hn, rn, &r->err))) goto out;
        if ((rc = exec_index_key_paths_or_err(&r->err, a->t, a->w.cond, a->w.update, NULL))) goto out;
    }
    for (size_t i = 0; i < na; i++)
        for (size_t k = 0; k < i; k++)
            if (acts[k].t == acts[i].t && av_map_equal(acts[k].key, acts[i].key)) {
                rc = err_set(&r->err, DDB_ERR_VALIDATION,
                             "Transaction request cannot include multiple operations on one item");
                goto out;
            }

    if (r->fault) { /* fault injection (faults.c): a TransactionConflict cancels before anything is written */
        const char **names = ARENA_NEWN(r->a, const char *, na + 1);
        for (size_t i = 0; i < na; i++) names[i] = acts[i].table;
        if ((rc = faults_conflict_or_err(r, na, names))) goto out;
    }

    /* idempotency */
    const char *tok = jtok ? arena_memdup(r->a, jtok->str.ptr, jtok->str.len) : NULL;
    bool replay = false;
    if (tok && (rc = idem_begin_or_err(r, tok, r->body, &replay))) goto out;
    if (replay) { /* the same request committed already */
        jw_obj_begin(&r->out);
        jw_obj_end(&r->out);
        goto out;
    }

    exec_write_t *ws = ARENA_NEWN(r->a, exec_write_t, na + 1);
    for (size_t i = 0; i < na; i++) {
        action_t *a = &acts[i];
        a->w.table = a->t;
        a->w.key = a->key;
        if (a->kind == EXEC_PUT) a->w.item = &a->value;
        ws[i] = a->w;
    }
    rc = exec_write_multi(r, na, ws, res);
    if (tok) idem_finish(r->op, tok, rc == DDB_OK);
    if (rc == DDB_ERR_TRANSACTION_CANCELED) {
        rc = exec_cancelled_or_err(r, na, ws, res);
        goto out;
    }
    if (rc) goto out;

    jw_obj_begin(&r->out);
    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, na + 1);
    double *units = ARENA_NEWN(r->a, double, na + 1);
    double **iunits = ARENA_NEWN(r->a, double *, na + 1);
    const char *mode = jrcc ? jrcc->str.ptr : NULL;
    for (size_t i = 0; i < na; i++) {
        tables[i] = acts[i].t;
        units[i] = 2 * cap_write_units(res[i].res.old_size, res[i].res.new_size);
        /* a ConditionCheck writes no index entry */
        iunits[i] =
            acts[i].kind == EXEC_CHECK
                ? NULL
                : cap_index_write_units(r, acts[i].t, mode, res[i].res.old_item, res[i].res.new_item, 2);
    }
    cap_write_list_ix(r, mode, na, tables, units, iunits, "WriteCapacityUnits", CAP_WRITE);
    if (jricm && ddb_str_eq(jricm->str, "SIZE")) {
        bool any = false;
        for (size_t i = 0; i < na; i++) any |= acts[i].kind != EXEC_CHECK && cap_has_lsi(acts[i].t);
        if (any) {
            jw_keyz(&r->out, "ItemCollectionMetrics");
            jw_obj_begin(&r->out);
            for (size_t i = 0; i < na; i++) {
                bool first = true;
                for (size_t k = 0; k < i && first; k++) first = acts[k].t != acts[i].t;
                if (!first || !cap_has_lsi(acts[i].t)) continue;
                jw_keyz(&r->out, acts[i].t->name);
                jw_arr_begin(&r->out);
                for (size_t k = i; k < na; k++)
                    if (acts[k].t == acts[i].t && acts[k].kind != EXEC_CHECK)
                        cap_collection_metric(&r->out, acts[k].t, acts[k].key);
                jw_arr_end(&r->out);
            }
            jw_obj_end(&r->out);
        }
    }
    jw_obj_end(&r->out);
out:
    for (size_t i = 0; i < got; i++) eng_table_release(acts[i].t);
    return rc;
}

/* ---- TransactGetItems -------------------------------------------------------------------------- */

static const shape_member_t GET_M[] = {{"Key", JSON_OBJECT},
                                       {"TableName", JSON_STRING},
                                       {"ProjectionExpression", JSON_STRING},
                                       {"ExpressionAttributeNames", JSON_OBJECT},
                                       {NULL}};
static const shape_spec_t GET = {GET_M};
static const shape_member_t TGI_M[] = {{"Get", JSON_OBJECT, &GET}, {NULL}};
static const shape_spec_t TGI = {TGI_M};

ddb_err_t api_TransactGetItems(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jitems = vc_fld(r, r->body, "TransactItems", JSON_ARRAY, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    if (bad) return r->err.code;
    for (const json_t *c = jitems ? jitems->child : NULL; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        if (c->type != JSON_OBJECT)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRUCT));
        if (!vc_shape_ok(r, c, &TGI)) return r->err.code;
    }
    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_items(&v, jitems);
    size_t n = jitems ? jitems->n : 0;
    const json_t **gets = ARENA_NEWN(r->a, const json_t *, n + 1);
    size_t ng = 0;
    int pos = 1;
    for (const json_t *c = jitems ? jitems->child : NULL; c; c = c->next, pos++) {
        const json_t *g = c->type == JSON_OBJECT ? json_get(c, "Get") : NULL;
        const char *base = arena_sprintf(r->a, "transactItems.%d.member.get", pos);
        if (!g || g->type != JSON_OBJECT) {
            vc_add(&v, "null", base, "Member must not be null");
            continue;
        }
        gets[ng++] = g;
        const json_t *tn = json_get(g, "TableName");
        vc_table_arn(&v, tn && tn->type == JSON_STRING ? tn : NULL,
                     arena_sprintf(r->a, "%s.tableName", base));
        if (!json_get(g, "Key"))
            vc_add(&v, "null", arena_sprintf(r->a, "%s.key", base), "Member must not be null");
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    av_map_t *keys = ARENA_NEWN(r->a, av_map_t, ng + 1);
    expr_proj_t **projs = ARENA_NEWN(r->a, expr_proj_t *, ng + 1);
    for (size_t i = 0; i < ng; i++) {
        if ((rc = avjson_map(r->a, &r->err, json_get(gets[i], "Key"), &keys[i], 1))) return rc;
        if ((rc = exprargs_projection_or_err(r, gets[i], false, &projs[i]))) return rc;
    }
    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, ng + 1);
    size_t got = 0;
    for (size_t i = 0; i < ng; i++) {
        if (!(tables[i] = tabledesc_or_err(r, json_get(gets[i], "TableName")->str.ptr))) {
            rc = r->err.code;
            goto out;
        }
        got++;
        /* a key missing one of its table's key attributes cancels the transaction with this action's
         * ValidationError, as in TransactWriteItems (issue 17, recorded against AWS); other key
         * mismatches stay a ValidationException for the whole request */
        const eng_keyschema_t *ks = &tables[i]->key;
        bool missing = !av_map_get(&keys[i], ks->hash.name, strlen(ks->hash.name)) ||
                       (ks->range.name && !av_map_get(&keys[i], ks->range.name, strlen(ks->range.name)));
        if ((rc = exec_key_or_err(&r->err, tables[i], &keys[i])) && missing) {
            eng_multi_result_t *res = ARENA_NEWN(r->a, eng_multi_result_t, ng + 1);
            for (size_t k = 0; k < ng; k++) err_init(&res[k].err, r->a);
            err_set(&res[i].err, rc, "%s", r->err.msg);
            err_clear(&r->err);
            rc = exec_cancelled_or_err(r, ng, NULL, res);
            goto out;
        }
        if (rc) goto out;
        if (projs[i] && (rc = expr_proj_check_key_paths(projs[i], tables[i]->key.hash.name,
                                                        tables[i]->key.range.name, &r->err)))
            goto out;
        if ((rc = exec_index_key_paths_or_err(&r->err, tables[i], NULL, NULL, projs[i]))) goto out;
    }
    for (size_t i = 0; i < ng; i++)
        for (size_t k = 0; k < i; k++)
            if (tables[k] == tables[i] && av_map_equal(&keys[k], &keys[i])) {
                rc = err_set(&r->err, DDB_ERR_VALIDATION,
                             "Transaction request cannot include multiple operations on one item");
                goto out;
            }
    exec_get_t *gs = ARENA_NEWN(r->a, exec_get_t, ng + 1);
    exec_got_t *got_items = ARENA_NEWN(r->a, exec_got_t, ng + 1);
    for (size_t i = 0; i < ng; i++)
        gs[i] = (exec_get_t){.table = tables[i], .key = &keys[i], .proj = projs[i]};
    if ((rc = exec_get(r, ng, gs, got_items))) goto out; /* one snapshot */

    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "Responses");
    jw_arr_begin(w);
    double *units = ARENA_NEWN(r->a, double, ng + 1);
    for (size_t i = 0; i < ng; i++) {
        jw_obj_begin(w);
        if (got_items[i].item) {
            jw_keyz(w, "Item");
            avjson_write_map(w, got_items[i].item);
        }
        jw_obj_end(w);
        units[i] = 2 * cap_read_units(got_items[i].size, true);
    }
    jw_arr_end(w);
    cap_write_list(r, jrcc ? jrcc->str.ptr : NULL, ng, tables, units, "ReadCapacityUnits");
    jw_obj_end(w);
out:
    for (size_t i = 0; i < got; i++) eng_table_release(tables[i]);
    return rc;
}
