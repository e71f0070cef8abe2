/*
 * api_query: Query and Scan (over a table or one of its secondary indexes).
 *
 * One handler body serves both, checking in DynamoDB's order: JSON types, shape constraints (collected
 * into AWS's "N validation errors" message), the expression/legacy mixing rules, the legacy filter and
 * AttributesToGet, ExclusiveStartKey values, parallel-scan pairing, Select rules, the expressions (the
 * key condition's structure last) and KeyConditions; then the table, the index and the checks that
 * need the schema; that fills a
 * typed plan (exec_query_t) for the executor (exec_query.c), and the answer is written from its page.
 * Messages are DynamoDB's (see compat-tests/test_query.py, test_scan.py, test_indexes.py for their sources).
 */
#include "server/exec.h"

#include <stdlib.h>
#include <string.h>

static const char *const INVALID = "One or more parameter values were invalid: ";
static const char *const SELECT[] = {"SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES",
                                     "ALL_PROJECTED_ATTRIBUTES", NULL};
static const char *const RCC[] = {"INDEXES", "TOTAL", "NONE", NULL};
static const char *const CONDOP[] = {"OR", "AND", NULL};

typedef struct {
    bool query;
    const json_t *name, *index, *select, *atg, *limit, *cons, *keyconds, *lfilter, *condop, *fwd, *esk, *rcc,
        *proj, *filter, *kce, *seg, *tseg;
    int64_t nlimit, nseg, ntseg; /* the values of limit, seg, tseg (Integer members) when present */
} qargs_t;

/* JSON types and the collected shape constraints. */
static ddb_err_t args_or_err(ddb_req_t *r, qargs_t *q)
{
    bool bad = false;
    const json_t *b = r->body;
    q->name = vc_fld(r, b, "TableName", JSON_STRING, &bad);
    q->index = vc_fld(r, b, "IndexName", JSON_STRING, &bad);
    q->select = vc_fld(r, b, "Select", JSON_STRING, &bad);
    q->atg = vc_fld(r, b, "AttributesToGet", JSON_ARRAY, &bad);
    q->limit = vc_fld_num(r, b, "Limit", SER_INTEGER, &q->nlimit, &bad);
    q->cons = vc_fld(r, b, "ConsistentRead", JSON_TRUE, &bad);
    if (q->query) {
        q->keyconds = vc_fld(r, b, "KeyConditions", JSON_OBJECT, &bad);
        q->lfilter = vc_fld(r, b, "QueryFilter", JSON_OBJECT, &bad);
    } else {
        q->lfilter = vc_fld(r, b, "ScanFilter", JSON_OBJECT, &bad);
    }
    q->condop = vc_fld(r, b, "ConditionalOperator", JSON_STRING, &bad);
    if (q->query) q->fwd = vc_fld(r, b, "ScanIndexForward", JSON_TRUE, &bad);
    q->esk = vc_fld(r, b, "ExclusiveStartKey", JSON_OBJECT, &bad);
    q->rcc = vc_fld(r, b, "ReturnConsumedCapacity", JSON_STRING, &bad);
    if (!q->query) {
        q->tseg = vc_fld_num(r, b, "TotalSegments", SER_INTEGER, &q->ntseg, &bad);
        q->seg = vc_fld_num(r, b, "Segment", SER_INTEGER, &q->nseg, &bad);
    }
    q->proj = vc_fld(r, b, "ProjectionExpression", JSON_STRING, &bad);
    q->filter = vc_fld(r, b, "FilterExpression", JSON_STRING, &bad);
    if (q->query) q->kce = vc_fld(r, b, "KeyConditionExpression", JSON_STRING, &bad);
    if (bad) return r->err.code;
    if (q->atg)
        for (const json_t *c = q->atg->child; c; c = c->next)
            if (c->type != JSON_STRING && c->type != JSON_NULL)
                return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRING));

    vcheck_t v;
    vc_init(&v, r);
    if (q->index) vc_table_name(&v, q->index, "indexName");
    vc_enum(&v, q->select, "select", SELECT,
            "[SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
    if (q->atg && q->atg->n == 0)
        vc_add(&v, "'[]'", "attributesToGet", "Member must have length greater than or equal to 1");
    if (q->limit && q->nlimit < 1)
        vc_add(&v, vc_show_str(r, q->limit), "limit", "Member must have value greater than or equal to 1");
    vc_enum(&v, q->condop, "conditionalOperator", CONDOP, "[OR, AND]");
    vc_enum(&v, q->rcc, "returnConsumedCapacity", RCC, "[INDEXES, TOTAL, NONE]");
    vc_table_arn(&v, q->name, "tableName");
    if (q->tseg && q->ntseg < 1)
        vc_add(&v, vc_show_str(r, q->tseg), "totalSegments",
               "Member must have value greater than or equal to 1");
    if (q->tseg && q->ntseg > 1000000)
        vc_add(&v, vc_show_str(r, q->tseg), "totalSegments",
               "Member must have value less than or equal to 1000000");
    if (q->seg && q->nseg < 0)
        vc_add(&v, vc_show_str(r, q->seg), "segment", "Member must have value greater than or equal to 0");
    if (q->seg && q->nseg > 999999)
        vc_add(&v, vc_show_str(r, q->seg), "segment", "Member must have value less than or equal to 999999");
    return vc_done(&v);
}

/* Select and projection members agree (DynamoDB's rules). */
static ddb_err_t select_or_err(ddb_req_t *r, const qargs_t *q, exec_select_t *sel)
{
    const char *pre = q->query ? "1 validation error detected: " : "";
    bool has_proj = q->proj || q->atg;
    const char *what = q->proj ? "ProjectionExpression" : "AttributesToGet";
    if (!q->select) {
        *sel = has_proj ? EXEC_SEL_SPECIFIC : q->index ? EXEC_SEL_PROJECTED : EXEC_SEL_ALL;
        return DDB_OK;
    }
    ddb_str_t s = q->select->str;
    if (ddb_str_eq(s, "SPECIFIC_ATTRIBUTES")) {
        *sel = EXEC_SEL_SPECIFIC;
        if (!has_proj)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sMust specify the AttributesToGet or ProjectionExpression when choosing to get "
                           "SPECIFIC_ATTRIBUTES",
                           pre);
        return DDB_OK;
    }
    *sel = ddb_str_eq(s, "COUNT")            ? EXEC_SEL_COUNT
           : ddb_str_eq(s, "ALL_ATTRIBUTES") ? EXEC_SEL_ALL
                                             : EXEC_SEL_PROJECTED;
    if (has_proj)
        return err_set(&r->err, DDB_ERR_VALIDATION, "%sCannot specify the %s when choosing to get %s", pre,
                       what, *sel == EXEC_SEL_COUNT ? "only the Count" : q->select->str.ptr);
    if (*sel == EXEC_SEL_PROJECTED && !q->index)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName", pre);
    return DDB_OK;
}

/* QueryFilter / ScanFilter (with ConditionalOperator) into a filter condition. */
static ddb_err_t legacy_filter_or_err(ddb_req_t *r, const qargs_t *q, expr_cond_t **filter)
{
    size_t n;
    expr_filter_t *fs;
    ddb_err_t rc;
    if ((rc = exprargs_conditions_or_err(r, q->lfilter, q->query ? "queryFilter" : "scanFilter", &n, &fs)))
        return rc;
    if (q->condop && !n)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "ConditionalOperator cannot be used without Filter or Expected");
    if (q->condop && n < 2)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "ConditionalOperator can only be used when Filter or Expected has two or more elements");
    if (n && (rc = expr_legacy_filter(r->a, &r->err, n, fs, q->condop && ddb_str_eq(q->condop->str, "OR"),
                                      filter)))
        return rc;
    return DDB_OK;
}

/* ExclusiveStartKey values, with DynamoDB's prefix on their messages. */
static ddb_err_t start_values_or_err(ddb_req_t *r, const json_t *jesk, av_map_t **out)
{
    *out = NULL;
    if (!jesk) return DDB_OK;
    av_map_t *m = ARENA_NEW(r->a, av_map_t);
    ddb_err_t rc = avjson_map(r->a, &r->err, jesk, m, 1);
    if (rc == DDB_ERR_VALIDATION) {
        /* AWS (dynalite's recordings) prefixes the empty / several-types / NULL / empty SS and BS
         * messages, not those of number parsing, an empty number set or a set's duplicates */
        const char *msg = r->err.msg;
        static const char *const bare[] = {"The parameter cannot be converted to a numeric value",
                                           "Attempting to store more than 38 significant digits",
                                           "Number overflow",
                                           "Number underflow",
                                           "One or more parameter values were invalid: An number set ",
                                           "One or more parameter values were invalid: Input collection",
                                           "Input collection",
                                           NULL};
        for (int i = 0; bare[i]; i++)
            if (!strncmp(msg, bare[i], strlen(bare[i]))) return rc;
        err_clear(&r->err);
        return err_set(&r->err, DDB_ERR_VALIDATION, "The provided starting key is invalid: %s", msg);
    }
    if (rc) return rc;
    *out = m;
    return DDB_OK;
}

/* The distinct key attributes of the table and the index (x may be NULL) into out; their number. */
static size_t key_attrs(const eng_table_t *t, const eng_index_t *x,
                        const eng_attr_t *out[2 + 2 * ENG_KEY_ATTRS_MAX])
{
    const eng_attr_t *all[2 + 2 * ENG_KEY_ATTRS_MAX] = {&t->key.hash, &t->key.range};
    int na = 2;
    for (int i = 0; x && i < ENG_KEY_ATTRS_MAX; i++) {
        all[na++] = &x->key.hashes[i];
        all[na++] = &x->key.ranges[i];
    }
    size_t n = 0;
    for (int i = 0; i < na; i++) {
        if (!all[i] || !all[i]->name) continue;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++) dup = !strcmp(out[j]->name, all[i]->name);
        if (!dup) out[n++] = all[i];
    }
    return n;
}

/* Scan's start key names exactly the table's key attributes (plus the index's), with their types.
 * (Query checks its start key attribute by attribute with the key condition: start_attr_check.) */
static ddb_err_t start_schema_or_err(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x,
                                     const av_map_t *esk)
{
    const eng_attr_t *want[2 + 2 * ENG_KEY_ATTRS_MAX];
    size_t n = key_attrs(t, x, want);
    bool ok = esk->n == n;
    for (size_t i = 0; i < n && ok; i++) {
        const av_t *v = av_map_get(esk, want[i]->name, strlen(want[i]->name));
        ok = v && v->type == want[i]->type;
    }
    if (ok) return DDB_OK;
    return err_set(
        &r->err, DDB_ERR_VALIDATION,
        "The provided starting key is invalid: The provided key element does not match the schema");
}

/* Query's ExclusiveStartKey against the key attribute the bind is about to check (AWS interleaves
 * them: a start key without the attribute is invalid, one of another type does not match). */
static ddb_err_t start_attr_check(void *ctx, const expr_keyattr_t *a, ddb_errctx_t *err)
{
    const av_map_t *esk = ctx;
    const av_t *v = av_map_get(esk, a->name, strlen(a->name));
    if (!v) return err_set(err, DDB_ERR_VALIDATION, "The provided starting key is invalid");
    if (v->type != a->type)
        return err_set(err, DDB_ERR_VALIDATION, "The provided key element does not match the schema");
    return DDB_OK;
}

/* The table's key attributes a Query on an index has not checked yet (after the bind). */
static ddb_err_t start_table_keys_or_err(ddb_req_t *r, const eng_table_t *t, const av_map_t *esk)
{
    const eng_attr_t *tk[2] = {&t->key.hash, &t->key.range};
    for (int i = 0; i < 2; i++) {
        if (!tk[i]->name) continue;
        const av_t *v = av_map_get(esk, tk[i]->name, strlen(tk[i]->name));
        if (!v || v->type != tk[i]->type) /* missing too: the table's key is read as a key (recorded) */
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "The provided starting key is invalid: The provided key element does not match the schema");
    }
    return DDB_OK;
}

/* Select ALL_ATTRIBUTES on a GSI that does not project every attribute. */
static ddb_err_t gsi_select_or_err(ddb_req_t *r, const eng_index_t *x, exec_select_t sel)
{
    if (x->global && sel == EXEC_SEL_ALL && x->proj != ENG_PROJ_ALL)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "%sSelect type ALL_ATTRIBUTES is not supported for global secondary index %s because its "
            "projection type is not ALL",
            INVALID, x->name);
    return DDB_OK;
}

static ddb_err_t run(ddb_req_t *r, bool is_query)
{
    qargs_t q = {.query = is_query};
    ddb_err_t rc;
    if ((rc = args_or_err(r, &q))) return rc;

    /* expressions and legacy parameters: the mixing rules first, before ExclusiveStartKey's values */
    static const char *const q_legacy[] = {"AttributesToGet", "QueryFilter", "ConditionalOperator",
                                           "KeyConditions", NULL};
    static const char *const q_expr[] = {"ProjectionExpression", "FilterExpression", "KeyConditionExpression",
                                         NULL};
    /* KeyConditions goes with ProjectionExpression and FilterExpression (AWS accepts them together);
     * only with KeyConditionExpression is it a mix */
    static const char *const q_legacy_kc[] = {"AttributesToGet", "QueryFilter", "ConditionalOperator", NULL};
    static const char *const s_legacy[] = {"AttributesToGet", "ScanFilter", "ConditionalOperator", NULL};
    static const char *const s_expr[] = {"ProjectionExpression", "FilterExpression", NULL};
    if ((rc = exprargs_mixing_or_err(
             r, r->body, is_query ? (q.kce ? q_legacy : q_legacy_kc) : s_legacy, is_query ? q_expr : s_expr,
             is_query ? "FilterExpression and KeyConditionExpression are null" : "FilterExpression is null")))
        return rc;

    /* then, as DynamoDB orders them: the legacy filter's conditions and AttributesToGet (Scan checks
     * AttributesToGet first), ExclusiveStartKey's values, the parallel-scan pair, Select */
    expr_cond_t *filter = NULL;
    expr_proj_t *proj = NULL;
    if (!is_query && !q.proj && (rc = exprargs_attributes_to_get_or_err(r, r->body, &proj))) return rc;
    if (!q.filter && (rc = legacy_filter_or_err(r, &q, &filter))) return rc;
    if (is_query && !q.proj && (rc = exprargs_attributes_to_get_or_err(r, r->body, &proj))) return rc;
    av_map_t *esk;
    if ((rc = start_values_or_err(r, q.esk, &esk))) return rc;
    if (!is_query && q.seg && !q.tseg)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "The TotalSegments parameter is required but was not present in the request when "
                       "Segment parameter is present");
    if (!is_query && q.tseg && !q.seg)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "The Segment parameter is required but was not present in the request when parameter "
                       "TotalSegments is present");
    if (q.seg && q.nseg >= q.ntseg)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                       "Segment: %lld is not less than TotalSegments: %lld",
                       (long long)q.nseg, (long long)q.ntseg);

    exec_select_t sel;
    if ((rc = select_or_err(r, &q, &sel))) return rc;
    if (is_query && !q.keyconds && !q.kce)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the "
            "request.");
    /* the expressions: names and values, every expression parsed, unused names and values, and only
     * then the key condition's structure; then legacy KeyConditions */
    expr_ctx_t *ctx;
    if ((rc = exprargs_ctx_or_err(r, r->body, &ctx))) return rc;
    expr_keycond_t kc = {0};
    expr_cond_t *kcond = NULL;
    if (q.kce && (rc = expr_condition_parse(ctx, EXPR_KEY_CONDITION, q.kce->str.ptr, q.kce->str.len, &kcond)))
        return rc;
    if (q.filter &&
        (rc = expr_condition_parse(ctx, EXPR_FILTER, q.filter->str.ptr, q.filter->str.len, &filter)))
        return rc;
    if (q.proj && (rc = expr_projection_parse(ctx, q.proj->str.ptr, q.proj->str.len, &proj))) return rc;
    if ((rc = expr_ctx_check_unused(ctx))) return rc;
    if (kcond && (rc = expr_keycond_from(ctx, kcond, &kc))) return rc;
    if (q.keyconds) {
        size_t n;
        expr_filter_t *fs;
        if ((rc = exprargs_conditions_or_err(r, q.keyconds, "keyConditions", &n, &fs))) return rc;
        if ((rc = expr_legacy_key_conditions(r->a, &r->err, n, fs, &kc))) return rc;
    }
    bool consistent = q.cons && q.cons->type == JSON_TRUE;

    /* the table and the index */
    eng_table_t *t = tabledesc_or_err(r, q.name->str.ptr);
    if (!t) return r->err.code;
    const eng_index_t *x = NULL;
    if (q.index) {
        x = eng_index_find(t, q.index->str.ptr, q.index->str.len);
        if (!x) {
            rc = err_set(&r->err, DDB_ERR_VALIDATION, "The table does not have the specified index: %s",
                         q.index->str.ptr);
            goto out;
        }
        if (tabledesc_index_building(r, t, x)) { /* [issue 17] or CREATING in a transient state */
            rc = err_set(&r->err, DDB_ERR_VALIDATION,
                         "Cannot read from backfilling global secondary index: %s", x->name);
            goto out;
        }
        if (x->global && consistent) {
            rc = err_set(&r->err, DDB_ERR_VALIDATION,
                         "Consistent reads are not supported on global secondary indexes");
            goto out;
        }
        /* (a Query checks this after its key condition and filter, as dynalite's AWS-calibrated
         * query action orders it) */
        if (!is_query && (rc = gsi_select_or_err(r, x, sel))) goto out;
    }
    const eng_keyschema_t *ks = x ? &x->key : &t->key;

    eng_query_t eq = {.index = x, .query = is_query, .backward = q.fwd && q.fwd->type == JSON_FALSE};
    expr_keyrange_t kr = {0};
    if (is_query) {
        /* the start key's size, then its attributes with the key condition's, in schema order (AWS's
         * order, as dynalite's calibrated query action has it), then the table's key attributes */
        const eng_attr_t *keys[2 + 2 * ENG_KEY_ATTRS_MAX];
        if (esk && esk->n != key_attrs(t, x, keys)) {
            rc = err_set(&r->err, DDB_ERR_VALIDATION, "The provided starting key is invalid");
            goto out;
        }
        if ((rc = exec_keycond_bind_or_err(&kc, ks, esk ? start_attr_check : NULL, esk, &kr, &r->err)))
            goto out;
        if (esk && x && (rc = start_table_keys_or_err(r, t, esk))) goto out;
        if (esk) {
            /* as recorded (dynalite's test/query.js, against AWS): without a condition on the (last)
             * range attribute a start key in another partition is outside the query's boundaries;
             * with one, a start key that fails it does not match the range key predicate, and one in
             * another partition (or any start key of a table query with an equality on the range key)
             * is refused as restarting a query of at most one row */
            bool hash_in = true, eqs_in = true;
            for (size_t i = 0; i < kr.n_hash; i++)
                hash_in &= av_equal(av_map_get(esk, ks->hashes[i].name, strlen(ks->hashes[i].name)),
                                    kr.hashes[i]->v[0]);
            for (size_t i = 0; i < kr.n_eq; i++)
                eqs_in &= av_equal(av_map_get(esk, ks->ranges[i].name, strlen(ks->ranges[i].name)),
                                   kr.eqs[i]->v[0]);
            const char *rn = kr.range ? ks->ranges[kr.n_eq].name : NULL;
            const char *msg = NULL;
            if (!kr.range) {
                if (!hash_in || !eqs_in)
                    msg =
                        "The provided starting key is outside query boundaries based on provided conditions";
            } else if (!expr_keypart_match(kr.range, av_map_get(esk, rn, strlen(rn)))) {
                msg = "The provided starting key does not match the range key predicate";
            } else if (!hash_in || (!x && kr.range->op == EXPR_KEY_EQ)) {
                msg = "The query can return at most one row and cannot be restarted";
            } else if (!eqs_in) {
                msg = "The provided starting key is outside query boundaries based on provided conditions";
            }
            if (msg) {
                rc = err_set(&r->err, DDB_ERR_VALIDATION, "%s", msg);
                goto out;
            }
        }
        const char *kn[2 * ENG_KEY_ATTRS_MAX];
        size_t nkn = exec_key_names(ks, kn);
        if (filter && (rc = expr_filter_check_key_names(
                           filter, kn, nkn, q.filter ? "Filter Expression" : "QueryFilter", &r->err)))
            goto out;
        if (x && (rc = gsi_select_or_err(r, x, sel))) goto out;
        exec_query_range(&eq, &kr);
    } else if (filter &&
               (rc = expr_cond_check_key_paths(filter, t->key.hash.name, t->key.range.name, &r->err))) {
        goto out;
    }
    if (proj && (rc = expr_proj_check_key_paths(proj, t->key.hash.name, t->key.range.name, &r->err)))
        goto out;
    if ((rc = exec_index_key_paths_or_err(&r->err, t, filter, NULL, proj))) goto out;

    /* Scan's ExclusiveStartKey against the schema and the segment */
    if (esk && !is_query) {
        if ((rc = start_schema_or_err(r, t, x, esk))) goto out;
        if (q.tseg) {
            uint32_t total = (uint32_t)q.ntseg, seg = (uint32_t)q.nseg;
            if (eng_key_segment(t, x, esk, total) != seg) {
                rc = err_set(&r->err, DDB_ERR_VALIDATION,
                             "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                             "ExclusiveStartKey with correct Segment. TotalSegments: %u Segment: %u",
                             total, seg);
                goto out;
            }
        }
    }

    /* the page */
    eq.start = esk;
    eq.limit = q.limit ? (size_t)q.nlimit : 0;
    if (q.tseg) {
        eq.total_segments = (uint32_t)q.ntseg;
        eq.segment = (uint32_t)q.nseg;
    }
    exec_query_t xq = {.table = t,
                       .index = x,
                       .q = eq,
                       .filter = filter,
                       .proj = proj,
                       .select = sel,
                       .consistent = consistent};
    exec_page_t pg;
    if ((rc = exec_query(r, &xq, &pg))) goto out;

    jw_t *w = &r->out;
    jw_obj_begin(w);
    if (sel != EXEC_SEL_COUNT) {
        jw_keyz(w, "Items");
        jw_arr_begin(w);
        for (size_t i = 0; i < pg.count; i++) avjson_write_map(w, pg.items[i]);
        jw_arr_end(w);
    }
    jw_keyz(w, "Count");
    jw_int(w, (int64_t)pg.count);
    jw_keyz(w, "ScannedCount");
    jw_int(w, (int64_t)pg.scanned);
    if (pg.last_key) {
        jw_keyz(w, "LastEvaluatedKey");
        avjson_write_map(w, pg.last_key);
    }
    cap_write(r, t, x, CAP_READ, q.rcc ? q.rcc->str.ptr : NULL, pg.units);
    jw_obj_end(w);
out:
    eng_table_release(t);
    return rc;
}

ddb_err_t api_Query(ddb_req_t *r)
{
    return run(r, true);
}

ddb_err_t api_Scan(ddb_req_t *r)
{
    return run(r, false);
}
