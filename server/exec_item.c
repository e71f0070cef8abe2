/*
 * exec_item: the executor of single-item writes (exec.h) and the key checks every front end makes
 * before it: the apply callbacks that run under the key lock (condition, then put / delete / update /
 * nothing), one write (exec_write), several as one (exec_write_multi), and ReturnValues; item
 * reads (exec_get). With --enforce-capacity each executor asks throttle.c for admission first.
 */
#include "server/exec.h"

#include <string.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

/* ---- key checks ------------------------------------------------------------------------------- */

/* Key of `item` restricted to the table's key attributes (already validated present). */
av_map_t *exec_key_of(arena_t *a, const eng_table_t *t, const av_map_t *item)
{
    av_map_t *k = ARENA_NEW(a, av_map_t);
    k->kvs = ARENA_NEWN(a, av_kv_t, 2);
    const char *names[2] = {t->key.hash.name, t->key.range.name};
    for (int i = 0; i < 2 && names[i]; i++) {
        av_t *v = av_map_get(item, names[i], strlen(names[i]));
        k->kvs[k->n].name = (ddb_str_t){names[i], strlen(names[i])};
        k->kvs[k->n].val = *v;
        k->n++;
    }
    return k;
}

ddb_err_t exec_empty_key_or_err(ddb_errctx_t *err, const eng_attr_t *a, const av_t *v)
{
    if ((v->type == AV_S || v->type == AV_B) && v->s.len == 0)
        return err_set(
            err, DDB_ERR_VALIDATION,
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
            "contain an empty %s value. Key: %s",
            v->type == AV_S ? "string" : "binary", a->name);
    return DDB_OK;
}

static ddb_err_t key_sizes_or_err(ddb_errctx_t *err, const eng_table_t *t, const av_map_t *m)
{
    const av_t *h = av_map_get(m, t->key.hash.name, strlen(t->key.hash.name));
    if (h && av_size(h) > 2048)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sSize of hashkey has exceeded the maximum size limit of2048 bytes", INVALID);
    if (t->key.range.name) {
        const av_t *s = av_map_get(m, t->key.range.name, strlen(t->key.range.name));
        if (s && av_size(s) > 1024)
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sAggregated size of all range keys has exceeded the size limit of 1024 bytes",
                           INVALID);
    }
    return DDB_OK;
}

/* A Key parameter must name exactly the key attributes, with their types. */
ddb_err_t exec_key_or_err(ddb_errctx_t *err, const eng_table_t *t, const av_map_t *key)
{
    size_t want = t->key.range.name ? 2 : 1;
    const eng_attr_t *attrs[2] = {&t->key.hash, &t->key.range};
    bool ok = key->n == want;
    for (size_t i = 0; i < want && ok; i++) {
        const av_t *v = av_map_get(key, attrs[i]->name, strlen(attrs[i]->name));
        ok = v && v->type == attrs[i]->type;
    }
    if (!ok) return err_set(err, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
    for (size_t i = 0; i < want; i++) {
        ddb_err_t rc =
            exec_empty_key_or_err(err, attrs[i], av_map_get(key, attrs[i]->name, strlen(attrs[i]->name)));
        if (rc) return rc;
    }
    return key_sizes_or_err(err, t, key);
}

/* An Item must carry every key attribute with the right type. */
ddb_err_t exec_item_keys_or_err(ddb_errctx_t *err, const eng_table_t *t, const av_map_t *item)
{
    const eng_attr_t *attrs[2] = {&t->key.hash, &t->key.range};
    for (int i = 0; i < 2 && attrs[i]->name; i++) {
        const av_t *v = av_map_get(item, attrs[i]->name, strlen(attrs[i]->name));
        if (!v)
            return err_set(err, DDB_ERR_VALIDATION, "%sMissing the key %s in the item", INVALID,
                           attrs[i]->name);
        if (v->type != attrs[i]->type)
            return err_set(err, DDB_ERR_VALIDATION, "%sType mismatch for key %s expected: %s actual: %s",
                           INVALID, attrs[i]->name, av_type_name(attrs[i]->type), av_type_name(v->type));
        ddb_err_t rc = exec_empty_key_or_err(err, attrs[i], v);
        if (rc) return rc;
    }
    return key_sizes_or_err(err, t, item);
}

/* ---- apply callbacks (under the key lock) ----------------------------------------------------- */

static ddb_err_t condition_or_err(exec_write_t *w, const av_map_t *old, ddb_errctx_t *err)
{
    if (w->must_not_exist && old)
        return err_set(err, DDB_ERR_DUPLICATE_ITEM, "Duplicate primary key exists in table");
    if (w->must_exist && !old)
        return err_set(err, DDB_ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    if (!w->cond || expr_condition_eval(w->cond, old)) return DDB_OK;
    if (w->return_old_on_fail && old) w->failed_old = old;
    return err_set(err, DDB_ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
}

static ddb_err_t check_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                             ddb_errctx_t *err)
{
    *action = ENG_APPLY_NOOP;
    *new_item = NULL;
    return condition_or_err(ctx, old, err);
}

static ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    exec_write_t *w = ctx;
    ddb_err_t rc = condition_or_err(w, old, err);
    if (rc) return rc;
    *action = ENG_APPLY_PUT;
    *new_item = w->item;
    return DDB_OK;
}

static ddb_err_t delete_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                              ddb_errctx_t *err)
{
    ddb_err_t rc = condition_or_err(ctx, old, err);
    if (rc) return rc;
    *action = ENG_APPLY_DELETE;
    *new_item = NULL;
    return DDB_OK;
}

static ddb_err_t update_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                              ddb_errctx_t *err)
{
    exec_write_t *w = ctx;
    ddb_err_t rc = condition_or_err(w, old, err);
    if (rc) return rc;
    av_map_t *nitem;
    if (w->update) {
        expr_update_result_t res = {0};
        if ((rc = expr_update_apply(w->update, old, w->key, w->a_, err, &res))) return rc;
        nitem = res.item;
    } else {
        /* no update actions: the item is created from its key when missing */
        nitem = ARENA_NEW(w->a_, av_map_t);
        av_map_copy(w->a_, old ? old : w->key, nitem);
    }
    if (!nitem) {
        *action = ENG_APPLY_NOOP;
        return DDB_OK;
    }
    if (av_item_size(nitem) > 400 * 1024)
        return err_set(err, DDB_ERR_VALIDATION, "Item size to update has exceeded the maximum allowed size");
    if ((rc = eng_index_keys_check(w->table, nitem, true, err))) return rc;
    w->updated = nitem;
    *action = ENG_APPLY_PUT;
    *new_item = nitem;
    return DDB_OK;
}

static const eng_apply_fn APPLY[] = {check_apply, put_apply, delete_apply, update_apply}; /* by exec_kind_t */

/* ---- capacity enforcement (--enforce-capacity: throttle.c) ----------------------------------------
 * Admission runs before the executor touches storage; the table's units (and its LSIs', which share
 * the table's throughput) are charged by the front end's cap_write* call (what ConsumedCapacity
 * reports), each GSI's here, by the same rule ConsumedCapacity reports for it (cap_index_write_units:
 * the size of the entry put or deleted, both when it moves, nothing when it does not change). */

static void charge_gsis(ddb_req_t *r, const exec_write_t *w, const eng_write_result_t *res)
{
    const eng_table_t *t = w->table;
    if (w->kind == EXEC_CHECK) return;                   /* a ConditionCheck writes no entry */
    double factor = w->origin == ENG_ORIGIN_TXN ? 2 : 1; /* transactions cost twice, as reported */
    const double *iu = cap_index_write_units(r, t, NULL, res->old_item, res->new_item, factor);
    for (size_t i = 0; iu && i < t->n_idx; i++)
        if (t->idx[i].global && iu[i] > 0) throttle_charge(r->cfg, t, &t->idx[i], CAP_WRITE, iu[i]);
}

/* Admission of the n items of one request on tables[i]: each table asked once (a refusal counts one
 * throttled request), its refusal recorded in res[i].err of each of its items. True when any was. */
static bool admit_each(ddb_req_t *r, size_t n, eng_table_t *const *tables, cap_dir_t dir,
                       eng_multi_result_t *res)
{
    bool throttled = false;
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < i && tables[k] != tables[i]) k++;
        if (k < i) {
            if (res[k].err.code) err_set(&res[i].err, res[k].err.code, "%s", res[k].err.msg);
            continue;
        }
        throttled |= throttle_admit_or_err(&res[i].err, r->cfg, tables[i], NULL, dir) != DDB_OK;
    }
    return throttled;
}

/* Whether r reads as a transaction (a throttled read cancels it with reasons). */
static bool in_transaction(const ddb_req_t *r)
{
    return r->op && (!strcmp(r->op, "TransactGetItems") || !strcmp(r->op, "ExecuteTransaction"));
}

/* ---- executors ---------------------------------------------------------------------------------- */

ddb_err_t exec_write(ddb_req_t *r, exec_write_t *w, eng_write_result_t *res)
{
    w->a_ = r->a;
    bool enforce = r->cfg->enforce_capacity;
    ddb_err_t rc;
    if (enforce && (rc = throttle_admit_or_err(&r->err, r->cfg, w->table, NULL, CAP_WRITE))) {
        r->err_extra = throttle_reasons_json(r);
        return rc;
    }
    rc = eng_item_write(r->eng, w->table, w->key, APPLY[w->kind], w, r->a, res, &r->err);
    if (enforce && rc == DDB_OK) charge_gsis(r, w, res);
    return rc;
}

ddb_err_t exec_write_multi(ddb_req_t *r, size_t n, exec_write_t *w, eng_multi_result_t *res)
{
    eng_multi_op_t *ops = ARENA_NEWN(r->a, eng_multi_op_t, n + 1);
    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, n + 1);
    for (size_t i = 0; i < n; i++) {
        w[i].a_ = r->a;
        ops[i] = (eng_multi_op_t){w[i].table, w[i].key, APPLY[w[i].kind], &w[i], w[i].origin};
        err_init(&res[i].err, r->a);
        tables[i] = w[i].table;
    }
    /* throttled: a transaction cancels with the reason on each action, a batch answers the first */
    if (r->cfg->enforce_capacity && admit_each(r, n, tables, CAP_WRITE, res))
        return DDB_ERR_TRANSACTION_CANCELED;
    ddb_err_t rc = eng_multi_write(r->eng, n, ops, r->a, res, &r->err);
    if (r->cfg->enforce_capacity && rc == DDB_OK)
        for (size_t i = 0; i < n; i++) charge_gsis(r, &w[i], &res[i].res);
    return rc;
}

const av_map_t *exec_return_values(ddb_req_t *r, const exec_write_t *w, const eng_write_result_t *res,
                                   exec_rv_t rv)
{
    switch (rv) {
    case EXEC_RV_ALL_OLD:
        return res->old_item;
    case EXEC_RV_ALL_NEW:
        return res->new_item;
    case EXEC_RV_UPDATED_OLD:
        return res->old_item && w->update ? expr_update_project(w->update, res->old_item, r->a) : NULL;
    case EXEC_RV_UPDATED_NEW:
        return res->new_item && w->update ? expr_update_project(w->update, res->new_item, r->a) : NULL;
    case EXEC_RV_NONE:
    default:
        return NULL;
    }
}

ddb_err_t exec_get(ddb_req_t *r, size_t n, const exec_get_t *g, exec_got_t *out)
{
    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, n + 1);
    const av_map_t **keys = ARENA_NEWN(r->a, const av_map_t *, n + 1);
    av_map_t **items = ARENA_NEWN(r->a, av_map_t *, n + 1);
    for (size_t i = 0; i < n; i++) {
        tables[i] = g[i].table;
        keys[i] = g[i].key;
    }
    if (r->cfg->enforce_capacity) {
        eng_multi_result_t *res = ARENA_NEWN(r->a, eng_multi_result_t, n + 1);
        for (size_t i = 0; i < n; i++) err_init(&res[i].err, r->a);
        if (admit_each(r, n, tables, CAP_READ, res)) {
            if (in_transaction(r)) return exec_cancelled_or_err(r, n, NULL, res);
            for (size_t i = 0;; i++)
                if (res[i].err.code) {
                    if (n == 1) r->err_extra = throttle_reasons_json(r); /* GetItem: the one refusal */
                    return err_set(&r->err, res[i].err.code, "%s", res[i].err.msg);
                }
        }
    }
    ddb_err_t rc = eng_multi_get(r->eng, n, tables, keys, r->a, items, &r->err);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++) {
        out[i].size = items[i] ? av_item_size(items[i]) : 0;
        out[i].item = items[i] && g[i].proj ? expr_projection_apply(g[i].proj, items[i], r->a) : items[i];
    }
    return DDB_OK;
}

/* The answer when an action failed: TransactionCanceledException with a reason per action. */
ddb_err_t exec_cancelled_or_err(ddb_req_t *r, size_t n, const exec_write_t *ws, const eng_multi_result_t *res)
{
    jw_t w;
    jw_init(&w, r->a, 256);
    jw_keyz(&w, "CancellationReasons");
    jw_arr_begin(&w);
    buf_t codes;
    buf_init(&codes, r->a, 128);
    for (size_t i = 0; i < n; i++) {
        ddb_err_t c = res[i].err.code;
        const char *code = c == DDB_OK                                    ? "None"
                           : c == DDB_ERR_CONDITIONAL_CHECK_FAILED        ? "ConditionalCheckFailed"
                           : c == DDB_ERR_VALIDATION                      ? "ValidationError"
                           : c == DDB_ERR_DUPLICATE_ITEM                  ? "DuplicateItem"
                           : c == DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED ? "ProvisionedThroughputExceeded"
                           : c == DDB_ERR_TRANSACTION_CONFLICT            ? "TransactionConflict"
                                                                          : "InternalError";
        if (i) buf_puts(&codes, ", ");
        buf_puts(&codes, code);
        jw_obj_begin(&w);
        jw_keyz(&w, "Code");
        jw_strz(&w, code);
        if (c != DDB_OK) {
            jw_keyz(&w, "Message");
            jw_strz(&w, res[i].err.msg ? res[i].err.msg : "");
        }
        if (c == DDB_ERR_CONDITIONAL_CHECK_FAILED && ws && ws[i].failed_old) {
            jw_keyz(&w, "Item");
            avjson_write_map(&w, ws[i].failed_old);
        }
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    r->err_extra = w.b.data;
    return err_set(&r->err, DDB_ERR_TRANSACTION_CANCELED,
                   "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]",
                   codes.data);
}
