/*
 * api_batch: BatchGetItem and BatchWriteItem.
 *
 * Order (DynamoDB's, as public suites checked against AWS record it): JSON types, shape
 * constraints, then per table in request order the expression members, attribute values and
 * duplicate keys, the running count limit; only then the tables and their key schemas. Nothing is
 * read or written before every check has passed.
 *
 * BatchWriteItem commits all its puts and deletes through eng_multi_write (one lock set, one
 * batch), so UnprocessedItems is always empty. BatchGetItem stops adding items once the answer
 * holds 16 MB and returns the rest as UnprocessedKeys, which the SDKs' retry loops send again.
 * Fault injection (faults.c, r->fault) can make both leave their last requests unprocessed
 * (faults_unprocessed): not written / not read, answered in UnprocessedItems / UnprocessedKeys.
 *
 * The per-table members (ProjectionExpression, ExpressionAttributeNames, AttributesToGet) are
 * read by the shared exprargs helpers, which look at r->body: they are pointed at the table's
 * object while it is read.
 */
#include "server/exec.h"

#include <string.h>

static const char *const RCC[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const RICM[] = {"SIZE", "NONE", NULL};

#define BATCH_GET_MAX 100
#define BATCH_WRITE_MAX 25
#define RESPONSE_LIMIT (16u << 20)

/* Table names or ARNs as RequestItems keys (AWS's TableArn shape: length 1 to 1024, no pattern): one
 * constraint for the whole map, as AWS words it. The lookup (tabledesc_or_err) reads a table ARN as its
 * table; the answer's maps keep the keys as sent. */
static void vc_table_keys(vcheck_t *v, const json_t *req)
{
    for (const json_t *c = req ? req->child : NULL; c; c = c->next) {
        if (c->key.len >= 1 && c->key.len <= 1024) continue;
        vc_add(
            v, arena_sprintf(v->r->a, "'{%.*s=...}'", (int)c->key.len, c->key.ptr), "requestItems",
            "Map keys must satisfy constraint: [Member must have length less than or equal to 1024, Member "
            "must have length greater than or equal to 1]");
        return;
    }
}

/* Copy a JSON value to the output as it came (for UnprocessedKeys). */
static void put_json(jw_t *w, const json_t *j)
{
    switch (j->type) {
    case JSON_OBJECT:
        jw_obj_begin(w);
        for (const json_t *c = j->child; c; c = c->next) {
            jw_key(w, c->key.ptr, c->key.len);
            put_json(w, c);
        }
        jw_obj_end(w);
        break;
    case JSON_ARRAY:
        jw_arr_begin(w);
        for (const json_t *c = j->child; c; c = c->next) put_json(w, c);
        jw_arr_end(w);
        break;
    case JSON_STRING:
        jw_str(w, j->str.ptr, j->str.len);
        break;
    case JSON_NUMBER:
        jw_raw(w, j->str.ptr, j->str.len);
        break;
    case JSON_TRUE:
        jw_bool(w, true);
        break;
    case JSON_FALSE:
        jw_bool(w, false);
        break;
    default:
        jw_null(w);
    }
}

/* ---- BatchGetItem ---------------------------------------------------------------------------- */

typedef struct {
    const json_t *j; /* the table's request object */
    const char *name;
    size_t n;
    av_map_t *keys;
    expr_proj_t *proj;
    bool consistent;
    eng_table_t *t;
} get_table_t;

static const shape_member_t GET_M[] = {{"Keys", JSON_ARRAY, NULL, JSON_OBJECT},
                                       {"AttributesToGet", JSON_ARRAY, NULL, JSON_STRING},
                                       {"ConsistentRead", JSON_TRUE},
                                       {"ProjectionExpression", JSON_STRING},
                                       {"ExpressionAttributeNames", JSON_OBJECT},
                                       {NULL}};
static const shape_spec_t GET_SHAPE = {GET_M};

ddb_err_t api_BatchGetItem(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jreq = vc_fld(r, r->body, "RequestItems", JSON_OBJECT, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    if (bad) return r->err.code;
    if (jreq)
        for (const json_t *c = jreq->child; c; c = c->next) {
            if (c->type == JSON_NULL) continue;
            if (c->type != JSON_OBJECT)
                return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRUCT));
            if (!vc_shape_ok(r, c, &GET_SHAPE)) return r->err.code;
        }

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    if (!jreq) vc_add(&v, "null", "requestItems", "Member must not be null");
    vc_table_keys(&v, jreq);
    size_t ntables = 0;
    for (const json_t *c = jreq ? jreq->child : NULL; c; c = c->next) {
        if (c->type != JSON_OBJECT) continue;
        ntables++;
        const json_t *keys = json_get(c, "Keys");
        const char *path = arena_sprintf(r->a, "requestItems.%.*s.member.keys", (int)c->key.len, c->key.ptr);
        if (!keys || keys->type != JSON_ARRAY)
            vc_add(&v, "null", path, "Member must not be null");
        else if (keys->n == 0)
            vc_add(&v, "'[]'", path, "Member must have length greater than or equal to 1");
        else if (keys->n > BATCH_GET_MAX)
            vc_add(&v, arena_sprintf(r->a, "'[%u keys]'", keys->n), path,
                   "Member must have length less than or equal to 100");
        const json_t *atg = json_get(c, "AttributesToGet");
        if (atg && atg->type == JSON_ARRAY && atg->n == 0)
            vc_add(
                &v, "'[]'",
                arena_sprintf(r->a, "requestItems.%.*s.member.attributesToGet", (int)c->key.len, c->key.ptr),
                "Member must have length greater than or equal to 1");
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    if (jreq->n == 0) /* AWS's newer wording (issue 17); dynalite recorded a length constraint */
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "The requestItems parameter is required for BatchGetItem");
    /* a null table entry passes the shape checks (they skip null values) and is refused as an empty key
     * list: DynamoDB Local's handler text for it (the handler AWS runs behind its shape checks) */
    for (const json_t *c = jreq->child; c; c = c->next)
        if (c->type == JSON_NULL)
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "The list of keys in RequestItems for BatchGetItem is required: %.*s has empty list",
                (int)c->key.len, c->key.ptr);

    get_table_t *gt = ARENA_NEWN(r->a, get_table_t, ntables + 1);
    size_t ng = 0, total = 0;
    for (const json_t *c = jreq->child; c; c = c->next) {
        if (c->type != JSON_OBJECT) continue;
        get_table_t *g = &gt[ng++];
        g->j = c;
        g->name = arena_memdup(r->a, c->key.ptr, c->key.len);
        const json_t *jc = json_get(c, "ConsistentRead");
        g->consistent = jc && jc->type == JSON_TRUE;
        if ((rc = exprargs_projection_or_err(r, c, true, &g->proj))) return rc; /* this table's members */
        const json_t *keys = json_get(c, "Keys");
        g->keys = ARENA_NEWN(r->a, av_map_t, keys->n + 1);
        /* Keys are not yet matched to the schema here, so each may be a big map: compare two
         * only when their hashes agree (at most 100 keys, so the hash scan is short). */
        uint64_t *hashes = ARENA_NEWN(r->a, uint64_t, keys->n + 1);
        for (const json_t *k = keys->child; k; k = k->next) {
            if (k->type != JSON_OBJECT) continue;
            if ((rc = avjson_map(r->a, &r->err, k, &g->keys[g->n], 1))) return rc;
            hashes[g->n] = av_map_hash(&g->keys[g->n]);
            for (size_t i = 0; i < g->n; i++)
                if (hashes[i] == hashes[g->n] && av_map_equal(&g->keys[i], &g->keys[g->n]))
                    return err_set(&r->err, DDB_ERR_VALIDATION,
                                   "Provided list of item keys contains duplicates");
            g->n++;
        }
        total += g->n;
        if (total > BATCH_GET_MAX)
            return err_set(&r->err, DDB_ERR_VALIDATION, "Too many items requested for the BatchGetItem call");
    }

    /* tables and key schemas */
    rc = DDB_OK;
    size_t got_tables = 0;
    for (size_t i = 0; i < ng && rc == DDB_OK; i++) {
        gt[i].t = tabledesc_or_err(r, gt[i].name);
        if (!gt[i].t) {
            rc = r->err.code;
            break;
        }
        got_tables++;
        for (size_t k = 0; k < gt[i].n && rc == DDB_OK; k++)
            rc = exec_key_or_err(&r->err, gt[i].t, &gt[i].keys[k]);
        if (!rc && gt[i].proj)
            rc = expr_proj_check_key_paths(gt[i].proj, gt[i].t->key.hash.name, gt[i].t->key.range.name,
                                           &r->err);
        if (!rc) rc = exec_index_key_paths_or_err(&r->err, gt[i].t, NULL, NULL, gt[i].proj);
    }

    /* read, up to 16 MB of answer; the rest is unprocessed */
    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, ng + 1);
    double *units = ARENA_NEWN(r->a, double, ng + 1);
    exec_got_t **items = ARENA_NEWN(r->a, exec_got_t *, ng + 1);
    size_t *done = ARENA_NEWN(r->a, size_t, ng + 1); /* keys read per table */
    /* keys this call reads: fault injection may leave the last ones unprocessed */
    size_t bytes = 0, budget = total - faults_unprocessed(r, total);
    bool full = false;
    for (size_t i = 0; i < ng && rc == DDB_OK; i++) {
        tables[i] = gt[i].t;
        items[i] = ARENA_NEWN(r->a, exec_got_t, gt[i].n + 1);
        for (size_t k = 0; k < gt[i].n && !full && rc == DDB_OK; k++) {
            if (budget-- == 0) { /* fault injection: this key and the rest are unprocessed */
                full = true;
                break;
            }
            exec_get_t g = {.table = gt[i].t, .key = &gt[i].keys[k], .proj = gt[i].proj};
            rc = exec_get(r, 1, &g, &items[i][k]);
            size_t sz = items[i][k].size;
            if (bytes + sz > RESPONSE_LIMIT) { /* this one and the rest are left for the next call */
                full = true;
                break;
            }
            units[i] += cap_read_units(sz, gt[i].consistent);
            bytes += sz;
            done[i] = k + 1;
        }
    }
    if (rc == DDB_OK) {
        jw_t *w = &r->out;
        jw_obj_begin(w);
        jw_keyz(w, "Responses");
        jw_obj_begin(w);
        for (size_t i = 0; i < ng; i++) {
            jw_key(w, gt[i].j->key.ptr, gt[i].j->key.len);
            jw_arr_begin(w);
            for (size_t k = 0; k < done[i]; k++)
                if (items[i][k].item) avjson_write_map(w, items[i][k].item);
            jw_arr_end(w);
        }
        jw_obj_end(w);
        jw_keyz(w, "UnprocessedKeys");
        jw_obj_begin(w);
        for (size_t i = 0; i < ng; i++) {
            if (done[i] == gt[i].n) continue;
            jw_key(w, gt[i].j->key.ptr, gt[i].j->key.len);
            jw_obj_begin(w);
            for (const json_t *m = gt[i].j->child; m; m = m->next) {
                if (m->type == JSON_NULL) continue;
                jw_key(w, m->key.ptr, m->key.len);
                if (ddb_str_eq(m->key, "Keys")) {
                    jw_arr_begin(w);
                    for (size_t k = done[i]; k < gt[i].n; k++) avjson_write_map(w, &gt[i].keys[k]);
                    jw_arr_end(w);
                } else {
                    put_json(w, m);
                }
            }
            jw_obj_end(w);
        }
        jw_obj_end(w);
        cap_write_list(r, jrcc ? jrcc->str.ptr : NULL, ng, tables, units, NULL);
        jw_obj_end(w);
    }
    for (size_t i = 0; i < got_tables; i++) eng_table_release(gt[i].t);
    return rc;
}

/* ---- BatchWriteItem ---------------------------------------------------------------------------- */

typedef struct {
    const char *table;
    size_t tix; /* index in the table list */
    bool put;
    av_map_t item; /* Put: the item; Delete: the key */
    av_map_t *key;
} write_req_t;

static const shape_member_t PUTREQ_M[] = {{"Item", JSON_OBJECT}, {NULL}};
static const shape_spec_t PUTREQ = {PUTREQ_M};
static const shape_member_t DELREQ_M[] = {{"Key", JSON_OBJECT}, {NULL}};
static const shape_spec_t DELREQ = {DELREQ_M};
static const shape_member_t WREQ_M[] = {
    {"PutRequest", JSON_OBJECT, &PUTREQ}, {"DeleteRequest", JSON_OBJECT, &DELREQ}, {NULL}};
static const shape_spec_t WREQ = {WREQ_M};

/* A PutRequest's item must carry the key attributes with their types (BatchWriteItem words a
 * mismatch as a key mismatch, not as PutItem does). */
static ddb_err_t put_item_keys_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *item)
{
    const eng_attr_t *attrs[2] = {&t->key.hash, &t->key.range};
    for (int i = 0; i < 2 && attrs[i]->name; i++) {
        const av_t *v = av_map_get(item, attrs[i]->name, strlen(attrs[i]->name));
        if (!v || v->type != attrs[i]->type)
            return err_set(&r->err, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
    }
    return exec_item_keys_or_err(&r->err, t, item);
}

ddb_err_t api_BatchWriteItem(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jreq = vc_fld(r, r->body, "RequestItems", JSON_OBJECT, &bad);
    const json_t *jrcc = vc_fld(r, r->body, "ReturnConsumedCapacity", JSON_STRING, &bad);
    const json_t *jricm = vc_fld(r, r->body, "ReturnItemCollectionMetrics", JSON_STRING, &bad);
    if (bad) return r->err.code;
    for (const json_t *c = jreq ? jreq->child : NULL; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        if (c->type != JSON_ARRAY)
            return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_LIST));
        for (const json_t *e = c->child; e; e = e->next) {
            if (e->type == JSON_NULL) continue;
            if (e->type != JSON_OBJECT)
                return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, e, SER_STRUCT));
            if (!vc_shape_ok(r, e, &WREQ)) return r->err.code;
        }
    }

    vcheck_t v;
    vc_init(&v, r);
    vc_enum(&v, jrcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_enum(&v, jricm, "returnItemCollectionMetrics", RICM, "[SIZE, NONE]");
    if (!jreq) vc_add(&v, "null", "requestItems", "Member must not be null");
    vc_table_keys(&v, jreq);
    size_t total = 0, ntables = 0;
    for (const json_t *c = jreq ? jreq->child : NULL; c; c = c->next) {
        if (c->type != JSON_ARRAY) continue;
        ntables++;
        if (c->n == 0 || c->n > BATCH_WRITE_MAX) {
            vc_add(&v, arena_sprintf(r->a, "'{%.*s=[%u write requests]}'", (int)c->key.len, c->key.ptr, c->n),
                   "requestItems",
                   "Map value must satisfy constraint: [Member must have length less than or equal to 25, "
                   "Member "
                   "must have length greater than or equal to 1]");
        }
        int i = 1;
        for (const json_t *e = c->child; e; e = e->next, i++) {
            if (e->type != JSON_OBJECT) continue;
            const json_t *pr = json_get(e, "PutRequest"), *dr = json_get(e, "DeleteRequest");
            const char *base =
                arena_sprintf(r->a, "requestItems.%.*s.member.%d.member", (int)c->key.len, c->key.ptr, i);
            if (dr && dr->type == JSON_OBJECT && !json_get(dr, "Key"))
                vc_add(&v, "null", arena_sprintf(r->a, "%s.deleteRequest.key", base),
                       "Member must not be null");
            if (pr && pr->type == JSON_OBJECT && !json_get(pr, "Item"))
                vc_add(&v, "null", arena_sprintf(r->a, "%s.putRequest.item", base),
                       "Member must not be null");
        }
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    if (jreq->n == 0) /* AWS's newer wording (issue 17); dynalite recorded a length constraint */
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "The requestItems parameter is required for BatchWriteItem");
    /* a null table entry passes the shape checks (they skip null values); AWS's handler text */
    for (const json_t *c = jreq->child; c; c = c->next)
        if (c->type == JSON_NULL)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "The batch write request list for a table cannot be null or empty: %.*s",
                           (int)c->key.len, c->key.ptr);

    /* the requests: values, then (per table) duplicates, then the running count */
    for (const json_t *c = jreq->child; c; c = c->next)
        if (c->type == JSON_ARRAY) total += c->n;
    write_req_t *reqs = ARENA_NEWN(r->a, write_req_t, total + 1);
    const char **names = ARENA_NEWN(r->a, const char *, ntables + 1);
    size_t n = 0, nt = 0;
    for (const json_t *c = jreq->child; c; c = c->next) {
        if (c->type != JSON_ARRAY) continue;
        names[nt] = arena_memdup(r->a, c->key.ptr, c->key.len);
        for (const json_t *e = c->child; e; e = e->next) {
            if (e->type != JSON_OBJECT) continue;
            const json_t *pr = json_get(e, "PutRequest"), *dr = json_get(e, "DeleteRequest");
            bool has_p = pr && pr->type == JSON_OBJECT, has_d = dr && dr->type == JSON_OBJECT;
            if (has_p == has_d)
                return err_set(
                    &r->err, DDB_ERR_VALIDATION,
                    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                    "the supported datatypes");
            write_req_t *w = &reqs[n++];
            w->table = names[nt];
            w->tix = nt;
            w->put = has_p;
            if ((rc = avjson_map(r->a, &r->err, json_get(has_p ? pr : dr, has_p ? "Item" : "Key"), &w->item,
                                 1)))
                return rc;
            if (has_p && av_item_size(&w->item) > 400 * 1024)
                return err_set(&r->err, DDB_ERR_VALIDATION,
                               "Item size has exceeded the maximum allowed size");
        }
        nt++;
    }
    if (n > BATCH_WRITE_MAX)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Too many items requested for the BatchWriteItem call");

    /* tables, key schemas, duplicates */
    eng_table_t **tables = ARENA_NEWN(r->a, eng_table_t *, nt + 1);
    size_t got = 0;
    rc = DDB_OK;
    for (size_t i = 0; i < nt; i++) {
        if (!(tables[i] = tabledesc_or_err(r, names[i]))) {
            rc = r->err.code;
            break;
        }
        got++;
    }
    for (size_t i = 0; i < n && rc == DDB_OK; i++) {
        write_req_t *w = &reqs[i];
        eng_table_t *t = tables[w->tix];
        if (w->put) {
            if ((rc = put_item_keys_or_err(r, t, &w->item))) break;
            if ((rc = eng_index_keys_check(t, &w->item, false, &r->err))) break;
            w->key = exec_key_of(r->a, t, &w->item);
        } else {
            if ((rc = exec_key_or_err(&r->err, t, &w->item))) break;
            w->key = &w->item;
        }
        for (size_t k = 0; k < i; k++)
            if (reqs[k].tix == w->tix && av_map_equal(reqs[k].key, w->key)) {
                rc = err_set(&r->err, DDB_ERR_VALIDATION, "Provided list of item keys contains duplicates");
                break;
            }
    }
    size_t nw = n - faults_unprocessed(r, n); /* written; fault injection leaves the rest unprocessed */
    if (rc == DDB_OK) {
        exec_write_t *ws = ARENA_NEWN(r->a, exec_write_t, n + 1);
        eng_multi_result_t *res = ARENA_NEWN(r->a, eng_multi_result_t, n + 1);
        for (size_t i = 0; i < n; i++) {
            write_req_t *w = &reqs[i];
            ws[i] = (exec_write_t){.kind = w->put ? EXEC_PUT : EXEC_DELETE,
                                   .table = tables[w->tix],
                                   .key = w->key,
                                   .item = w->put ? &w->item : NULL};
        }
        for (size_t i = nw; i < n; i++) err_init(&res[i].err, r->a); /* not written: no reason, 0 units */
        rc = nw ? exec_write_multi(r, nw, ws, res) : DDB_OK;
        if (rc == DDB_ERR_TRANSACTION_CANCELED) /* an item failed a check made under the lock */
            for (size_t i = 0; i < nw; i++)
                if (res[i].err.code) {
                    rc = err_set(&r->err, res[i].err.code, "%s", res[i].err.msg);
                    break;
                }
        if (rc == DDB_OK) {
            jw_t *o = &r->out;
            jw_obj_begin(o);
            jw_keyz(o, "UnprocessedItems");
            jw_obj_begin(o);
            for (size_t ti = 0; ti < nt && nw < n; ti++) { /* as sent: {"PutRequest":{"Item":..}} */
                bool any = false;
                for (size_t i = nw; i < n; i++) {
                    if (reqs[i].tix != ti) continue;
                    if (!any) {
                        jw_keyz(o, names[ti]);
                        jw_arr_begin(o);
                        any = true;
                    }
                    jw_obj_begin(o);
                    jw_keyz(o, reqs[i].put ? "PutRequest" : "DeleteRequest");
                    jw_obj_begin(o);
                    jw_keyz(o, reqs[i].put ? "Item" : "Key");
                    avjson_write_map(o, &reqs[i].item);
                    jw_obj_end(o);
                    jw_obj_end(o);
                }
                if (any) jw_arr_end(o);
            }
            jw_obj_end(o);
            /* per request: its table's units and its indexes' (summed per table by cap_write_list_ix) */
            const char *mode = jrcc ? jrcc->str.ptr : NULL;
            eng_table_t **itab = ARENA_NEWN(r->a, eng_table_t *, nw + 1);
            double *units = ARENA_NEWN(r->a, double, nw + 1);
            double **iunits = ARENA_NEWN(r->a, double *, nw + 1);
            for (size_t i = 0; i < nw; i++) {
                itab[i] = tables[reqs[i].tix];
                units[i] = cap_write_units(res[i].res.old_size, res[i].res.new_size);
                iunits[i] =
                    cap_index_write_units(r, itab[i], mode, res[i].res.old_item, res[i].res.new_item, 1);
            }
            cap_write_list_ix(r, mode, nw, itab, units, iunits, NULL, CAP_WRITE);
            if (jricm && ddb_str_eq(jricm->str, "SIZE")) {
                bool any = false;
                for (size_t i = 0; i < nt; i++) any |= cap_has_lsi(tables[i]);
                if (any) {
                    jw_keyz(o, "ItemCollectionMetrics");
                    jw_obj_begin(o);
                    for (size_t ti = 0; ti < nt; ti++) {
                        if (!cap_has_lsi(tables[ti])) continue;
                        jw_keyz(o, tables[ti]->name);
                        jw_arr_begin(o);
                        for (size_t i = 0; i < nw; i++)
                            if (reqs[i].tix == ti) cap_collection_metric(o, tables[ti], reqs[i].key);
                        jw_arr_end(o);
                    }
                    jw_obj_end(o);
                }
            }
            jw_obj_end(o);
        }
    }
    for (size_t i = 0; i < got; i++) eng_table_release(tables[i]);
    return rc;
}
