/*
 * api_table: CreateTable, DescribeTable, ListTables, DeleteTable.
 *
 * CreateTable checks, in AWS's order: shape constraints (all collected into one message), then
 * billing/throughput, then key schema against attribute definitions, then indexes; only then
 * does the engine create anything. The checks of key schemas, attribute definitions, indexes,
 * throughput and streams that UpdateTable shares live in tablespec.c.
 */
#include "server/server.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

/* ---- shape constraints ---------------------------------------------------------------------- */

static const char *const BILLING[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const VIEW[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", NULL};
static const char *const CLASS[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};

/* JSON member type check for nested structures; records SerializationException. */
static const json_t *sub(ddb_req_t *r, const json_t *obj, const char *name, json_type_t want, bool *bad)
{
    if (!obj || obj->type != JSON_OBJECT) return NULL;
    return vc_fld(r, obj, name, want, bad);
}

static void vc_index_list(vcheck_t *v, const json_t *list, const char *path, bool global)
{
    ddb_req_t *r = v->r;
    if (!list) return;
    int i = 1;
    for (const json_t *x = list->child; x; x = x->next, i++) {
        const char *base = arena_sprintf(r->a, "%s.%d.member", path, i);
        if (x->type != JSON_OBJECT)
            vc_add(v, "null", base, "Member must not be null");
        else
            tablespec_vc_index(v, x, base, global);
    }
}

/* ---- request shapes (JSON types of nested members) ---- */

static const shape_member_t STREAM_M[] = {
    {"StreamEnabled", JSON_TRUE}, {"StreamViewType", JSON_STRING}, {NULL}};
static const shape_spec_t STREAM = {STREAM_M};
static const shape_member_t TAG_M[] = {{"Key", JSON_STRING}, {"Value", JSON_STRING}, {NULL}};
static const shape_spec_t TAG = {TAG_M};
static const shape_member_t CREATE_M[] = {
    {"AttributeDefinitions", JSON_ARRAY, &tablespec_attrdef_shape, JSON_OBJECT},
    {"TableName", JSON_STRING},
    {"KeySchema", JSON_ARRAY, &tablespec_keyelem_shape, JSON_OBJECT},
    {"LocalSecondaryIndexes", JSON_ARRAY, &tablespec_index_shape, JSON_OBJECT},
    {"GlobalSecondaryIndexes", JSON_ARRAY, &tablespec_index_shape, JSON_OBJECT},
    {"BillingMode", JSON_STRING},
    {"ProvisionedThroughput", JSON_OBJECT, &tablespec_throughput_shape},
    {"StreamSpecification", JSON_OBJECT, &STREAM},
    {"SSESpecification", JSON_OBJECT},
    {"Tags", JSON_ARRAY, &TAG, JSON_OBJECT},
    {"TableClass", JSON_STRING},
    {"DeletionProtectionEnabled", JSON_TRUE},
    {"OnDemandThroughput", JSON_OBJECT, &tablespec_ondemand_shape},
    {NULL}};
static const shape_spec_t CREATE = {CREATE_M};

/* ---- CreateTable ------------------------------------------------------------------------------ */

static const char *jstr(ddb_req_t *r, const json_t *j)
{
    return j && j->type == JSON_STRING ? j->str.ptr : NULL;
}

static ddb_err_t parse_indexes(ddb_req_t *r, const json_t *list, bool global, eng_table_t *t,
                               const char **defs, size_t ndefs, size_t *seen_count)
{
    for (const json_t *x = list->child; x; x = x->next) {
        eng_index_t *ix = &t->idx[t->n_idx++]; /* zeroed by ARENA_NEWN */
        ddb_err_t rc = tablespec_index_or_err(r, x, global, t, ix, defs, ndefs, seen_count);
        if (rc) return rc;
    }
    return DDB_OK;
}

ddb_err_t tablespec_create_or_err(ddb_req_t *r, const json_t *b, eng_table_t *out)
{
    bool bad = false;
    if (!vc_shape_ok(r, b, &CREATE)) return r->err.code;
    const json_t *jname = vc_fld(r, b, "TableName", JSON_STRING, &bad);
    const json_t *jdefs = vc_fld(r, b, "AttributeDefinitions", JSON_ARRAY, &bad);
    const json_t *jks = vc_fld(r, b, "KeySchema", JSON_ARRAY, &bad);
    const json_t *jpt = vc_fld(r, b, "ProvisionedThroughput", JSON_OBJECT, &bad);
    const json_t *jbm = vc_fld(r, b, "BillingMode", JSON_STRING, &bad);
    const json_t *jlsi = vc_fld(r, b, "LocalSecondaryIndexes", JSON_ARRAY, &bad);
    const json_t *jgsi = vc_fld(r, b, "GlobalSecondaryIndexes", JSON_ARRAY, &bad);
    const json_t *jss = vc_fld(r, b, "StreamSpecification", JSON_OBJECT, &bad);
    const json_t *jtags = vc_fld(r, b, "Tags", JSON_ARRAY, &bad);
    const json_t *jclass = vc_fld(r, b, "TableClass", JSON_STRING, &bad);
    const json_t *jdp = vc_fld(r, b, "DeletionProtectionEnabled", JSON_TRUE, &bad);
    const json_t *jod = vc_fld(r, b, "OnDemandThroughput", JSON_OBJECT, &bad);
    const json_t *jsse = vc_fld(r, b, "SSESpecification", JSON_OBJECT, &bad);
    const json_t *jsen = sub(r, jss, "StreamEnabled", JSON_TRUE, &bad);
    const json_t *jsvt = sub(r, jss, "StreamViewType", JSON_STRING, &bad);
    if (bad) return r->err.code;
    /* CreateTable checks its name's presence and length before the shape constraints (recorded by
     * dynalite's createTable tests and seen live: a 2-character name gets this text alone) */
    if (!jname)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "The parameter 'TableName' is required but was not present in the request");
    if (jname->str.len < 3 || jname->str.len > 255)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "TableName must be at least 3 characters long and at most 255 characters long");

    vcheck_t v;
    vc_init(&v, r);
    if (!jdefs)
        vc_add(&v, "null", "attributeDefinitions", "Member must not be null");
    else
        tablespec_vc_attrdefs(&v, jdefs);
    vc_table_name(&v, jname, "tableName");
    tablespec_vc_keyschema(&v, jks, "keySchema");
    vc_index_list(&v, jlsi, "localSecondaryIndexes", false);
    vc_index_list(&v, jgsi, "globalSecondaryIndexes", true);
    tablespec_vc_throughput(&v, jpt, "provisionedThroughput");
    vc_enum(&v, jbm, "billingMode", BILLING, "[PROVISIONED, PAY_PER_REQUEST]");
    vc_enum(&v, jsvt, "streamSpecification.streamViewType", VIEW,
            "[OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"); /* AWS's order, 2026 */
    vc_enum(&v, jclass, "tableClass", CLASS, "[STANDARD, STANDARD_INFREQUENT_ACCESS]");
    tablespec_vc_sse(&v, jsse, "sSESpecification");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    /* Tags as TagResource checks them (then at most 50), after the shape constraints */
    if (jtags && ((rc = tagspec_tags_or_err(r, jtags)) || (rc = tagspec_count_or_err(&r->err, jtags->n))))
        return rc;

    eng_table_t t;
    memset(&t, 0, sizeof t);
    memset(out, 0, sizeof *out);
    t.name = jname->str.ptr;
    t.status = "ACTIVE";
    t.on_demand = jbm && ddb_str_eq(jbm->str, "PAY_PER_REQUEST");
    if (t.on_demand && jpt)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "%sNeither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
            "PAY_PER_REQUEST",
            INVALID);
    if (!t.on_demand && !jpt)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
                       "is PROVISIONED",
                       INVALID);
    if (jpt && (rc = tablespec_throughput_or_err(r, jpt, NULL, &t.rcu, &t.wcu))) return rc;
    if ((rc = tablespec_ondemand_or_err(&r->err, jod, t.on_demand, &t.max_rru, &t.max_wru))) return rc;
    if (t.on_demand) t.billing_updated = ddb_now_s();

    /* attribute definitions */
    t.attrdefs = ARENA_NEWN(r->a, eng_attr_t, jdefs->n + 1);
    const char **defs = ARENA_NEWN(r->a, const char *, jdefs->n + 1);
    for (const json_t *d = jdefs->child; d; d = d->next) {
        const char *an = jstr(r, json_get(d, "AttributeName"));
        const json_t *at = json_get(d, "AttributeType");
        for (size_t i = 0; i < t.n_attrdefs; i++)
            if (!strcmp(t.attrdefs[i].name, an)) /* with the same type or another */
                return err_set(&r->err, DDB_ERR_VALIDATION, "Attribute Name is duplicated: %s", an);
        defs[t.n_attrdefs] = an;
        t.attrdefs[t.n_attrdefs].name = an;
        t.attrdefs[t.n_attrdefs].type = av_type_from_name(at->str.ptr, at->str.len);
        t.n_attrdefs++;
    }
    if ((rc = tablespec_keyschema_or_err(r, jks, &t, defs, t.n_attrdefs, &t.key, true))) return rc;
    if (!jlsi && !jgsi && jks->n != t.n_attrdefs)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "%sNumber of attributes in KeySchema does not exactly match number of attributes defined in "
            "AttributeDefinitions",
            INVALID);
    size_t nidx = (jlsi ? jlsi->n : 0) + (jgsi ? jgsi->n : 0);
    t.idx = ARENA_NEWN(r->a, eng_index_t, nidx + 1);
    size_t nonkey = 0;
    if (jlsi) {
        if (!jlsi->n)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sList of LocalSecondaryIndexes is empty", INVALID);
        if (!t.key.range.name)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sTable KeySchema does not have a range key, which is required when specifying a "
                           "LocalSecondaryIndex",
                           INVALID);
        if ((rc = parse_indexes(r, jlsi, false, &t, defs, t.n_attrdefs, &nonkey))) return rc;
        if (jlsi->n > 5)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sNumber of LocalSecondaryIndexes exceeds per-table limit of 5", INVALID);
    }
    if (jgsi) {
        if (!jgsi->n)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sList of GlobalSecondaryIndexes is empty", INVALID);
        if ((rc = parse_indexes(r, jgsi, true, &t, defs, t.n_attrdefs, &nonkey))) return rc;
        if (jgsi->n > 20)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sGlobalSecondaryIndex count exceeds the per-table limit of 20", INVALID);
    }
    if (nonkey > 100)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "One or more parameter values were invalid: The number of attributes in key schemas and "
            "NonKeyAttributes across all secondary indexes exceeds the limit of 100");
    if (jlsi || jgsi) {
        /* every definition must be used by some key */
        const char **used = ARENA_NEWN(r->a, const char *, 2 + 2 * ENG_KEY_ATTRS_MAX * nidx);
        size_t nused = 0;
        const eng_keyschema_t *all[1 + 25];
        size_t nall = 0;
        all[nall++] = &t.key;
        for (size_t i = 0; i < t.n_idx && nall < 26; i++) all[nall++] = &t.idx[i].key;
        for (size_t k = 0; k < nall; k++) {
            const char *nm[2 * ENG_KEY_ATTRS_MAX];
            size_t nnm = 0;
            for (int j = 0; j < ENG_KEY_ATTRS_MAX; j++) /* HASH attributes, then RANGE ones */
                if (all[k]->hashes[j].name) nm[nnm++] = all[k]->hashes[j].name;
            for (int j = 0; j < ENG_KEY_ATTRS_MAX; j++)
                if (all[k]->ranges[j].name) nm[nnm++] = all[k]->ranges[j].name;
            for (size_t j = 0; j < nnm; j++) {
                bool have = false;
                for (size_t u = 0; u < nused; u++) have |= !strcmp(used[u], nm[j]);
                if (!have) used[nused++] = nm[j];
            }
        }
        if (nused != t.n_attrdefs)
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "%sSome AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
                INVALID, tablespec_join_names(r, defs, t.n_attrdefs), tablespec_join_names(r, used, nused));
    }
    if (jss) {
        bool enabled = jsen && jsen->type == JSON_TRUE;
        if ((rc = tablespec_stream_or_err(&r->err, true, enabled, jsvt != NULL))) return rc;
        if (enabled) {
            t.stream_enabled = true;
            t.stream_view = jsvt->str.ptr;
        }
    }
    if (jtags) {
        t.tags = ARENA_NEWN(r->a, eng_tag_t, jtags->n + 1);
        for (const json_t *tg = jtags->child; tg; tg = tg->next) {
            if (tg->type != JSON_OBJECT) continue;
            const char *k = jstr(r, json_get(tg, "Key")), *val = jstr(r, json_get(tg, "Value"));
            if (!k || !val) continue;
            t.tags[t.n_tags].key = k;
            t.tags[t.n_tags].value = val;
            t.n_tags++;
        }
    }
    t.table_class = jclass ? jclass->str.ptr : "STANDARD";
    t.deletion_protection = jdp && jdp->type == JSON_TRUE;
    *out = t;
    return DDB_OK;
}

ddb_err_t api_CreateTable(ddb_req_t *r)
{
    eng_table_t t;
    ddb_err_t rc;
    if ((rc = tablespec_create_or_err(r, r->body, &t))) return rc;
    if ((rc = tabledesc_new_name_or_err(r, t.name, DDB_ERR_RESOURCE_IN_USE))) return rc;
    eng_table_t *nt = NULL;
    if ((rc = eng_table_create(r->eng, &t, &nt, &r->err))) return rc;
    tr_begin(r, nt->name, NULL, TR_CREATING, NULL, NULL);
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableDescription");
    tabledesc_write(r, nt, NULL);
    jw_obj_end(&r->out);
    eng_table_release(nt);
    return DDB_OK;
}

/* ---- DescribeTable / ListTables / DeleteTable ------------------------------------------------ */

ddb_err_t api_DescribeTable(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jname = vc_fld(r, r->body, "TableName", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_table_name_or_arn(&v, jname, "tableName");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    /* [issue 17] a transient state ending within TR_HOLD_MS is not shown: the answer is held until its
     * end (http.c's hold timer; the event loop goes on) and describes the table as it is then, so an SDK
     * waiter polling for ACTIVE (or for ResourceNotFoundException) finishes at its first poll */
    const char *name = jname->str.ptr;
    uint64_t until = 0;
    tr_state_t st = tr_state(r, name, NULL, &until);
    if (st != TR_ACTIVE && until <= ddb_mono_ms() + TR_HOLD_MS) {
        r->hold_until_ms = until;
        r->transient_done = true;
    }
    eng_stats_t ghost_stats;
    eng_table_t *t = st == TR_DELETING ? tr_ghost(r, name, NULL, &ghost_stats) : NULL;
    if (!t && st == TR_DELETING) /* gone, or going by the time the answer leaves */
        return err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Table: %s not found", name);
    if (!t && !(t = tabledesc_named_or_err(r, name))) return r->err.code;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "Table");
    tabledesc_write(r, t, st == TR_DELETING ? &ghost_stats : NULL);
    jw_obj_end(&r->out);
    eng_table_release(t);
    return DDB_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b); /* bytewise, as eng_table_list */
}

ddb_err_t api_ListTables(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jstart = vc_fld(r, r->body, "ExclusiveStartTableName", JSON_STRING, &bad);
    int64_t limit = 100;
    const json_t *jlimit = vc_fld_num(r, r->body, "Limit", SER_INTEGER, &limit, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    if (jlimit && limit < 1)
        vc_add(&v, vc_show_str(r, jlimit), "limit", "Member must have value greater than or equal to 1");
    if (jlimit && limit > 100)
        vc_add(&v, vc_show_str(r, jlimit), "limit", "Member must have value less than or equal to 100");
    if (jstart) vc_table_name(&v, jstart, "exclusiveStartTableName");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    const char **names;
    size_t n = eng_table_list(r->eng, r->a, &names);
    const char **gone;
    size_t ngone = tr_deleting_tables(r, &gone); /* [issue 17] DELETING tables are listed until gone */
    if (ngone) {
        const char **all = ARENA_NEWN(r->a, const char *, n + ngone);
        memcpy(all, names, n * sizeof *names);
        memcpy(all + n, gone, ngone * sizeof *gone);
        n += ngone;
        qsort(all, n, sizeof *all, cmp_names);
        names = all;
    }
    size_t i = 0;
    if (jstart)
        while (i < n && ddb_str_cmp((ddb_str_t){names[i], strlen(names[i])}, jstart->str) <= 0) i++;
    size_t lim = (size_t)limit;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableNames");
    jw_arr_begin(&r->out);
    size_t count = 0;
    const char *last = NULL;
    for (; i < n && count < lim; i++, count++) {
        jw_strz(&r->out, names[i]);
        last = names[i];
    }
    jw_arr_end(&r->out);
    if (i < n && last) {
        jw_keyz(&r->out, "LastEvaluatedTableName");
        jw_strz(&r->out, last);
    }
    jw_obj_end(&r->out);
    return DDB_OK;
}

ddb_err_t api_DeleteTable(ddb_req_t *r)
{
    const json_t *jname;
    ddb_err_t rc;
    if ((rc = vc_table_name_only_or_err(r, &jname))) return rc;
    if ((rc = tabledesc_changeable_or_err(r, jname->str.ptr, NULL))) return rc; /* [issue 17] DELETING */
    eng_table_t *t = tabledesc_named_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    if ((rc = tabledesc_changeable_or_err(r, jname->str.ptr, t))) {
        eng_table_release(t);
        return rc;
    }
    bool protected_ = t->deletion_protection;
    bool indexing = eng_table_indexing(t);
    eng_stats_t st = eng_table_stats(r->eng, t);
    eng_table_release(t);
    if (indexing)
        return err_set(
            &r->err, DDB_ERR_RESOURCE_IN_USE,
            "Attempt to change a resource which is still in use: Cannot delete table while indexes "
            "are being created, updated, or deleted.");
    if (protected_)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
            "protection first.");
    eng_table_t *d = NULL;
    if ((rc = eng_table_delete(r->eng, jname->str.ptr, &d, &r->err))) return rc;
    tr_begin(r, d->name, NULL, TR_DELETING, d, &st); /* [issue 17] deleted; listed DELETING for a while */
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableDescription");
    tabledesc_write_deleted(r, d, &st);
    jw_obj_end(&r->out);
    eng_table_release(d);
    return DDB_OK;
}
