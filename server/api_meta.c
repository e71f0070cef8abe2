/*
 * api_meta: table settings that are not items: UpdateTable (billing, throughput, deletion
 * protection, table class, streams), tags, time-to-live configuration, DescribeLimits and
 * DescribeEndpoints. Every change goes through eng_table_update: validate first, then one
 * persisted replacement of the table description.
 */
#include "server/server.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

static bool jbool(const json_t *j)
{
    return j && j->type == JSON_TRUE; /* vc_fld() already refused non-Boolean JSON */
}

/* ---- UpdateTable ---------------------------------------------------------------------------- */

typedef struct {
    ddb_req_t *r;
    const json_t *bm, *pt, *dp, *cls, *ss, *gsiu, *defs, *od;
    size_t gsi_pos; /* 1 + the position of the GlobalSecondaryIndexUpdates entry being applied */
} upd_ctx_t;

static const char *const ONE_ONLINE =
    "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table";

static eng_index_t *gsi_named(eng_table_t *t, const json_t *jname)
{
    const eng_index_t *x =
        jname && jname->type == JSON_STRING ? eng_index_find(t, jname->str.ptr, jname->str.len) : NULL;
    return x && x->global ? (eng_index_t *)x : NULL;
}

static bool attr_used(const eng_table_t *t, const char *name)
{
    if (!strcmp(t->key.hash.name, name) || (t->key.range.name && !strcmp(t->key.range.name, name)))
        return true;
    for (size_t i = 0; i < t->n_idx; i++)
        if (eng_key_has(&t->idx[i].key, name, strlen(name))) return true;
    return false;
}

/* Create: the new index's key attributes get their definitions from the request. */
static ddb_err_t gsi_create(upd_ctx_t *c, eng_table_t *t, const json_t *cr, ddb_errctx_t *err)
{
    ddb_req_t *r = c->r;
    const json_t *jname = json_get(cr, "IndexName");
    const char *name = jname->str.ptr;
    if (eng_index_find(t, jname->str.ptr, jname->str.len))
        return err_set(err, DDB_ERR_VALIDATION,
                       "One or more parameter values were invalid: Index with name %s already exists", name);
    if (eng_table_indexing(t)) return err_set(err, DDB_ERR_LIMIT_EXCEEDED, "%s", ONE_ONLINE);
    size_t ngsi = 0;
    for (size_t i = 0; i < t->n_idx; i++) ngsi += t->idx[i].global;
    if (ngsi >= 20)
        return err_set(
            err, DDB_ERR_LIMIT_EXCEEDED,
            "Subscriber limit exceeded: Number of global secondary indexes exceeds per-table limit of 20");
    if (!c->defs)
        return err_set(err, DDB_ERR_VALIDATION, "AttributeDefinitions is not specified for index: %s", name);
    const json_t *gpt = json_get(cr, "ProvisionedThroughput");
    if (!t->on_demand && !(gpt && gpt->type == JSON_OBJECT))
        return err_set(err, DDB_ERR_VALIDATION,
                       "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: %s", name);

    /* definitions: the table's, plus the request's for this index's key attributes */
    eng_attr_t *defs = eng_table_alloc(t, sizeof *defs * (t->n_attrdefs + 2 * ENG_KEY_ATTRS_MAX));
    memcpy(defs, t->attrdefs, sizeof *defs * t->n_attrdefs);
    size_t ndefs = t->n_attrdefs;
    const json_t *ks = json_get(cr, "KeySchema");
    for (const json_t *e = ks->child; e; e = e->next) {
        const json_t *an = json_get(e, "AttributeName");
        for (const json_t *d = c->defs->child; d; d = d->next) {
            const json_t *dn = json_get(d, "AttributeName"), *dt = json_get(d, "AttributeType");
            if (!dn || !dt || dn->type != JSON_STRING || dt->type != JSON_STRING ||
                !ddb_str_eq(an->str, dn->str.ptr))
                continue;
            av_type_t ty = av_type_from_name(dt->str.ptr, dt->str.len);
            bool known = false;
            for (size_t i = 0; i < ndefs; i++)
                if (!strcmp(defs[i].name, dn->str.ptr)) {
                    known = true;
                    if (defs[i].type != ty)
                        return err_set(
                            err, DDB_ERR_VALIDATION,
                            "One or more parameter values were invalid: Attributes cannot be redefined. "
                            "Attribute: %s",
                            dn->str.ptr);
                }
            if (!known && ndefs < t->n_attrdefs + 2 * ENG_KEY_ATTRS_MAX)
                defs[ndefs++] = (eng_attr_t){eng_table_strdup(t, dn->str.ptr), ty};
        }
    }
    t->attrdefs = defs;
    t->n_attrdefs = ndefs;
    const char **names = ARENA_NEWN(r->a, const char *, ndefs + 1);
    for (size_t i = 0; i < ndefs; i++) names[i] = defs[i].name;

    size_t nonkey = 0;
    for (size_t i = 0; i < t->n_idx; i++) nonkey += t->idx[i].n_nonkey;
    eng_index_t *x = eng_table_add_index(t); /* zeroed, id NULL: a new index */
    ddb_err_t rc = tablespec_index_or_err(r, cr, true, t, x, names, ndefs, &nonkey);
    if (rc) return rc;
    if (nonkey > 100)
        return err_set(
            err, DDB_ERR_VALIDATION,
            "One or more parameter values were invalid: NonKeyAttributes across all secondary indexes "
            "exceeds the limit of 100");
    /* strings of the new entry into the description's arena */
    x->name = eng_table_strdup(t, x->name);
    for (int i = 0; i < ENG_KEY_ATTRS_MAX; i++) {
        x->key.hashes[i].name = eng_table_strdup(t, x->key.hashes[i].name);
        x->key.ranges[i].name = eng_table_strdup(t, x->key.ranges[i].name);
    }
    const char **nk = eng_table_alloc(t, sizeof *nk * (x->n_nonkey + 1));
    for (size_t i = 0; i < x->n_nonkey; i++) nk[i] = eng_table_strdup(t, x->nonkey[i]);
    x->nonkey = nk;
    x->status = "CREATING";
    x->backfilling = true;
    return DDB_OK;
}

static ddb_err_t gsi_delete(upd_ctx_t *c, eng_table_t *t, const json_t *de, ddb_errctx_t *err)
{
    const json_t *jname = json_get(de, "IndexName");
    eng_index_t *x = gsi_named(t, jname);
    if (!x && eng_index_find(t, jname->str.ptr, jname->str.len))
        return err_set(
            err, DDB_ERR_VALIDATION,
            "One or more parameter values were invalid: Index %s is a local secondary index; only global "
            "secondary indexes can be deleted",
            jname->str.ptr);
    if (!x)
        return err_set(err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Index %s for table %s",
                       jname->str.ptr, t->name);
    (void)c;
    if (eng_table_indexing(t)) return err_set(err, DDB_ERR_LIMIT_EXCEEDED, "%s", ONE_ONLINE);
    size_t at = (size_t)(x - t->idx);
    memmove(t->idx + at, t->idx + at + 1, sizeof *t->idx * (t->n_idx - at - 1));
    t->n_idx--;
    size_t n = 0;
    for (size_t i = 0; i < t->n_attrdefs; i++)
        if (attr_used(t, t->attrdefs[i].name)) t->attrdefs[n++] = t->attrdefs[i];
    t->n_attrdefs = n;
    return DDB_OK;
}

/* A GSI Update's throughput above DynamoDB's bound (10^12), checked once the table and the index are
 * known (dynalite's recordings: a missing table is ResourceNotFoundException first, a missing index
 * "Action Blocked: IndexUpdate", an existing one "... out of bounds for index <n>"). */
#define GSI_MAX_THROUGHPUT 1000000000000LL

static ddb_err_t gsi_update(upd_ctx_t *c, eng_table_t *t, const json_t *up, ddb_errctx_t *err)
{
    const json_t *jname = json_get(up, "IndexName");
    eng_index_t *x = gsi_named(t, jname);
    const json_t *jpt = json_get(up, "ProvisionedThroughput");
    if (jpt && jpt->type != JSON_OBJECT) jpt = NULL;
    int64_t rcu = jpt ? vc_num_value(json_get(jpt, "ReadCapacityUnits")) : 0;
    int64_t wcu = jpt ? vc_num_value(json_get(jpt, "WriteCapacityUnits")) : 0;
    bool high = rcu > GSI_MAX_THROUGHPUT || wcu > GSI_MAX_THROUGHPUT;
    if (!x && high)
        return err_set(err, DDB_ERR_VALIDATION,
                       "This operation cannot be performed with given input values. Please contact DynamoDB "
                       "service team for more info: Action Blocked: IndexUpdate");
    if (!x)
        return err_set(err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Index %s for table %s",
                       jname->str.ptr, t->name);
    if (high)
        return err_set(err, DDB_ERR_VALIDATION,
                       "Given value %lld for %sCapacityUnits is out of bounds for index %s",
                       (long long)(rcu > GSI_MAX_THROUGHPUT ? rcu : wcu),
                       rcu > GSI_MAX_THROUGHPUT ? "Read" : "Write", x->name);
    /* AWS (recorded 2026, ack-api-quirks DDB-TABLE-456, -457): an empty OnDemandThroughput counts as absent;
     * a GSI's OnDemandThroughput maximums are accepted and not kept (docs/compatibility.md) */
    const json_t *od = json_get(up, "OnDemandThroughput");
    bool has_od = od && od->type == JSON_OBJECT && od->n > 0;
    if (t->on_demand && (jpt || !has_od))
        return err_set(
            err, DDB_ERR_VALIDATION,
            "%sThe only Updates for index: %s when TableThroughputMode is PAY_PER_REQUEST can be to "
            "OnDemandThroughput, WarmThroughput",
            INVALID, x->name);
    if (t->on_demand) return DDB_OK;
    if (!jpt || jpt->type != JSON_OBJECT) /* AWS's answer here is not recorded: the older shape text */
        return err_set(
            err, DDB_ERR_VALIDATION,
            "1 validation error detected: Value null at "
            "'globalSecondaryIndexUpdates.%zu.member.update.provisionedThroughput' failed to satisfy "
            "constraint: Member must not be null",
            c->gsi_pos);
    const json_t *pt = jpt;
    x->rcu = vc_num_value(json_get(pt, "ReadCapacityUnits")); /* bounds checked above */
    x->wcu = vc_num_value(json_get(pt, "WriteCapacityUnits"));
    return DDB_OK;
}

static ddb_err_t gsi_updates(upd_ctx_t *c, eng_table_t *t, ddb_errctx_t *err)
{
    c->gsi_pos = 0;
    for (const json_t *u = c->gsiu->child; u; u = u->next) {
        c->gsi_pos++;
        const json_t *cr = json_get(u, "Create"), *de = json_get(u, "Delete"), *up = json_get(u, "Update");
        ddb_err_t rc = cr && cr->type == JSON_OBJECT   ? gsi_create(c, t, cr, err)
                       : de && de->type == JSON_OBJECT ? gsi_delete(c, t, de, err)
                                                       : gsi_update(c, t, up, err);
        if (rc) return rc;
    }
    return DDB_OK;
}

/* Request-level rules of GlobalSecondaryIndexUpdates (before the table is read). */
static ddb_err_t gsi_updates_shape_or_err(ddb_req_t *r, vcheck_t *v, const json_t *list)
{
    int i = 1, online = 0;
    for (const json_t *u = list->child; u; u = u->next, i++) {
        const char *base = arena_sprintf(r->a, "globalSecondaryIndexUpdates.%d.member", i);
        if (u->type != JSON_OBJECT) {
            vc_add(v, "null", base, "Member must not be null");
            continue;
        }
        const json_t *acts[3] = {json_get(u, "Update"), json_get(u, "Create"), json_get(u, "Delete")};
        const char *paths[3] = {"update", "create", "delete"};
        for (int k = 0; k < 3; k++) {
            if (!acts[k] || acts[k]->type != JSON_OBJECT) continue;
            const char *p = arena_sprintf(r->a, "%s.%s", base, paths[k]);
            if (k == 1) {
                tablespec_vc_index(v, acts[k], p, true);
                continue;
            }
            const json_t *n = json_get(acts[k], "IndexName");
            const char *np = arena_sprintf(r->a, "%s.indexName", p);
            if (!n || n->type != JSON_STRING)
                vc_add(v, "null", np, "Member must not be null");
            else
                vc_table_name(v, n, np);
            /* an Update's ProvisionedThroughput is optional (an on-demand table's GSIs take
             * OnDemandThroughput or WarmThroughput); gsi_update asks for it once the table is known */
            const json_t *pt = k == 0 ? json_get(acts[k], "ProvisionedThroughput") : NULL;
            const char *units[2] = {"WriteCapacityUnits", "ReadCapacityUnits"};
            const char *upaths[2] = {"writeCapacityUnits", "readCapacityUnits"};
            for (int m = 0; m < 2 && pt && pt->type == JSON_OBJECT; m++) {
                const json_t *j = json_get(pt, units[m]);
                const char *up = arena_sprintf(r->a, "%s.provisionedThroughput.%s", p, upaths[m]);
                if (!j || j->type != JSON_NUMBER)
                    vc_add(v, "null", up, "Member must not be null");
                else if (vc_num_value(j) < 1)
                    vc_add(v, vc_show_str(r, j), up, "Member must have value greater than or equal to 1");
            }
        }
    }
    ddb_err_t rc;
    if ((rc = vc_done(v))) return rc;
    for (const json_t *u = list->child; u; u = u->next) {
        int n = 0;
        const char *names[3] = {"Update", "Create", "Delete"};
        const json_t *name = NULL;
        for (int k = 0; k < 3; k++) {
            const json_t *a = json_get(u, names[k]);
            if (a && a->type == JSON_OBJECT) {
                n++;
                name = json_get(a, "IndexName");
                if (k) online++;
            }
        }
        if (n == 0)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sOne of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, "
                           "GlobalSecondaryIndexUpdate.Delete must not be null",
                           INVALID);
        if (n > 1)
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "%sOnly one global secondary index action is allowed per GlobalSecondaryIndexUpdate "
                "object",
                INVALID);
        for (const json_t *w = list->child; w != u; w = w->next)
            for (int k = 0; k < 3; k++) {
                const json_t *a = json_get(w, names[k]);
                const json_t *wn = a && a->type == JSON_OBJECT ? json_get(a, "IndexName") : NULL;
                if (wn && name && ddb_str_eq(wn->str, name->str.ptr))
                    return err_set(
                        &r->err, DDB_ERR_VALIDATION,
                        "%sOnly one global secondary index update per index is allowed simultaneously. "
                        "Index: %s",
                        INVALID, name->str.ptr);
            }
    }
    if (online > 1) return err_set(&r->err, DDB_ERR_LIMIT_EXCEEDED, "%s", ONE_ONLINE);
    return DDB_OK;
}

/* Throughput above DynamoDB's bound (10^12) in the table's ProvisionedThroughput or in a GSI Create (before
 * the table is read, as dynalite records it for the table; a GSI Update's is gsi_update's, after). */
static ddb_err_t throughput_bounds_or_err(ddb_req_t *r, const upd_ctx_t *c)
{
    int64_t rcu, wcu;
    ddb_err_t rc;
    if (c->pt && (rc = tablespec_throughput_or_err(r, c->pt, NULL, &rcu, &wcu))) return rc;
    for (const json_t *u = c->gsiu ? c->gsiu->child : NULL; u; u = u->next) {
        const json_t *acts[1] = {json_get(u, "Create")};
        for (int k = 0; k < 1; k++) {
            const json_t *pt =
                acts[k] && acts[k]->type == JSON_OBJECT ? json_get(acts[k], "ProvisionedThroughput") : NULL;
            if (!pt || pt->type != JSON_OBJECT) continue;
            const json_t *name = json_get(acts[k], "IndexName");
            if ((rc = tablespec_throughput_or_err(r, pt, name->str.ptr, &rcu, &wcu))) return rc;
        }
    }
    return DDB_OK;
}

static ddb_err_t update_mutate(void *vctx, eng_table_t *t, ddb_errctx_t *err)
{
    upd_ctx_t *c = vctx;
    double now = ddb_now_s();
    bool to_on_demand = c->bm && ddb_str_eq(c->bm->str, "PAY_PER_REQUEST");
    bool to_provisioned = c->bm && ddb_str_eq(c->bm->str, "PROVISIONED");
    bool on_demand_after = to_on_demand || (!to_provisioned && t->on_demand);
    if (on_demand_after && c->pt)
        return err_set(
            err, DDB_ERR_VALIDATION,
            "%sNeither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
            "PAY_PER_REQUEST",
            INVALID);
    if (to_provisioned && t->on_demand && !c->pt)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sProvisionedThroughput must be specified when BillingMode is PROVISIONED", INVALID);
    if (c->pt) {
        int64_t rcu = vc_num_value(json_get(c->pt, "ReadCapacityUnits"));
        int64_t wcu = vc_num_value(json_get(c->pt, "WriteCapacityUnits"));
        if (!t->on_demand && rcu == t->rcu && wcu == t->wcu) /* BillingMode PROVISIONED too */
            return err_set(
                err, DDB_ERR_VALIDATION,
                "The provisioned throughput for the table will not change. The requested value equals the "
                "current value. Current ReadCapacityUnits provisioned for the table: %lld. Requested "
                "ReadCapacityUnits: %lld. Current WriteCapacityUnits provisioned for the table: %lld. "
                "Requested WriteCapacityUnits: %lld. Refer to the Amazon DynamoDB Developer Guide for "
                "current limits and how to request higher limits.",
                (long long)t->rcu, (long long)rcu, (long long)t->wcu, (long long)wcu);
        if (!t->on_demand) {
            if (rcu > t->rcu || wcu > t->wcu) t->last_increase = now;
            if (rcu < t->rcu || wcu < t->wcu) {
                t->last_decrease = now;
                t->decreases_today++;
            }
        }
        t->rcu = rcu;
        t->wcu = wcu;
    }
    ddb_err_t odrc = tablespec_ondemand_or_err(err, c->od, on_demand_after, &t->max_rru, &t->max_wru);
    if (odrc) return odrc;
    if (!on_demand_after) t->max_rru = t->max_wru = 0; /* a provisioned table has no on-demand maximums */
    if (to_on_demand && !t->on_demand) {
        t->on_demand = true;
        t->billing_updated = now;
        for (size_t i = 0; i < t->n_idx; i++) t->idx[i].rcu = t->idx[i].wcu = 0;
    } else if (to_provisioned && t->on_demand) {
        t->on_demand = false;
        for (size_t i = 0; i < t->n_idx; i++)
            if (t->idx[i].global && !t->idx[i].rcu) t->idx[i].rcu = t->idx[i].wcu = 1;
    }
    if (c->dp) t->deletion_protection = jbool(c->dp);
    if (c->cls) t->table_class = eng_table_strdup(t, c->cls->str.ptr);
    if (c->gsiu) {
        ddb_err_t rc = gsi_updates(c, t, err);
        if (rc) return rc;
    }
    if (c->ss) {
        const json_t *en = json_get(c->ss, "StreamEnabled"), *vt = json_get(c->ss, "StreamViewType");
        bool enable = jbool(en);
        if (vt && vt->type == JSON_NULL) vt = NULL;
        ddb_err_t rc = tablespec_stream_or_err(err, false, enable, vt != NULL);
        if (rc) return rc;
        /* AWS's words (recorded): the view type of an enabled stream cannot change in place either */
        if (enable && t->stream_enabled)
            return err_set(err, DDB_ERR_VALIDATION, "Table already has an enabled stream: TableName: %s",
                           t->name);
        if (!enable && !t->stream_enabled)
            return err_set(err, DDB_ERR_VALIDATION, "Table has no stream to disable: TableName: %s", t->name);
        t->stream_enabled = enable;
        if (enable) t->stream_view = eng_table_strdup(t, vt->str.ptr); /* the engine names the new stream */
    }
    return DDB_OK;
}

/* [issue 17] -delayTransientStatuses: an UpdateTable that changed something leaves the table UPDATING,
 * and each GSI it creates, deletes or updates CREATING, DELETING or UPDATING (a deleted one shown from
 * `before`, the description it was part of). Deletion protection alone changes no status. */
static void transient_begin(ddb_req_t *r, const upd_ctx_t *c, const eng_table_t *t, eng_table_t *before)
{
    if (!r->cfg || !r->cfg->transient_ms) return;
    if (!(c->bm || c->pt || c->ss || c->od || c->cls || (c->gsiu && c->gsiu->n))) return;
    tr_begin(r, t->name, NULL, TR_UPDATING, NULL, NULL);
    for (const json_t *u = c->gsiu ? c->gsiu->child : NULL; u; u = u->next) {
        const json_t *cr = json_get(u, "Create"), *de = json_get(u, "Delete"), *up = json_get(u, "Update");
        const json_t *act = cr && cr->type == JSON_OBJECT ? cr : de && de->type == JSON_OBJECT ? de : up;
        const json_t *n = act ? json_get(act, "IndexName") : NULL;
        if (!n || n->type != JSON_STRING) continue;
        if (act == cr)
            tr_begin(r, t->name, n->str.ptr, TR_CREATING, NULL, NULL);
        else if (act == de)
            tr_begin(r, t->name, n->str.ptr, TR_DELETING, before, NULL);
        else
            tr_begin(r, t->name, n->str.ptr, TR_UPDATING, NULL, NULL);
    }
}

/* UpdateTable with nothing that changes anything. AWS's list (2026 captures, ack-api-quirks DDB-TABLE-449)
 * names members that are not in the public model (UpdateStreamEnabled, MultiAccountReplicaReady,
 * ReplicaTransitRoleArn) and leaves out each listed member the request contained without it counting
 * as a change (recorded: MultiRegionConsistency alone; here also WarmThroughput, which dynarock ignores,
 * and an empty GlobalSecondaryIndexUpdates). */
static ddb_err_t nothing_to_update(ddb_req_t *r, const json_t *b)
{
    static const char *const LISTED[] = {"ProvisionedThroughput",
                                         "BillingMode",
                                         "UpdateStreamEnabled",
                                         "GlobalSecondaryIndexUpdates",
                                         "SSESpecification",
                                         "ReplicaUpdates",
                                         "MultiAccountReplicaReady",
                                         "ReplicaTransitRoleArn",
                                         "MultiRegionConsistency",
                                         "DeletionProtectionEnabled",
                                         "OnDemandThroughput",
                                         "WarmThroughput",
                                         "TableClass"};
    enum { N_LISTED = sizeof LISTED / sizeof LISTED[0] };
    const char *keep[N_LISTED];
    size_t n = 0;
    for (size_t i = 0; i < N_LISTED; i++)
        if (!json_get(b, LISTED[i])) keep[n++] = LISTED[i];
    char list[512]; /* the 13 names and separators take under 300 bytes */
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
                                i == 0       ? ""
                                : i + 1 == n ? " or "
                                             : ", ",
                                keep[i]);
    return err_set(&r->err, DDB_ERR_VALIDATION, "At least one of %s is required", list);
}

ddb_err_t api_UpdateTable(ddb_req_t *r)
{
    bool bad = false;
    const json_t *b = r->body;
    const json_t *jname = vc_fld(r, b, "TableName", JSON_STRING, &bad);
    upd_ctx_t c = {r};
    c.defs = vc_fld(r, b, "AttributeDefinitions", JSON_ARRAY, &bad);
    c.bm = vc_fld(r, b, "BillingMode", JSON_STRING, &bad);
    c.pt = vc_fld(r, b, "ProvisionedThroughput", JSON_OBJECT, &bad);
    c.dp = vc_fld(r, b, "DeletionProtectionEnabled", JSON_TRUE, &bad);
    c.cls = vc_fld(r, b, "TableClass", JSON_STRING, &bad);
    c.ss = vc_fld(r, b, "StreamSpecification", JSON_OBJECT, &bad);
    c.od = vc_fld(r, b, "OnDemandThroughput", JSON_OBJECT, &bad);
    c.gsiu = vc_fld(r, b, "GlobalSecondaryIndexUpdates", JSON_ARRAY, &bad);
    const json_t *sse = vc_fld(r, b, "SSESpecification", JSON_OBJECT, &bad);
    const json_t *rep = vc_fld(r, b, "ReplicaUpdates", JSON_ARRAY, &bad);
    if (c.pt && !vc_shape_ok(r, c.pt, &tablespec_throughput_shape)) return r->err.code;
    if (c.od && !vc_shape_ok(r, c.od, &tablespec_ondemand_shape)) return r->err.code;
    if (c.ss) {
        vc_fld(r, c.ss, "StreamEnabled", JSON_TRUE, &bad);
        vc_fld(r, c.ss, "StreamViewType", JSON_STRING, &bad);
    }
    if (bad) return r->err.code;
    static const shape_member_t UPD_M[] = {
        {"IndexName", JSON_STRING}, {"ProvisionedThroughput", JSON_OBJECT}, {NULL}};
    static const shape_spec_t UPD = {UPD_M};
    static const shape_member_t DEL_M[] = {{"IndexName", JSON_STRING}, {NULL}};
    static const shape_spec_t DEL = {DEL_M};
    if (c.gsiu)
        for (const json_t *u = c.gsiu->child; u; u = u->next) {
            if (u->type != JSON_OBJECT) continue;
            const json_t *up = vc_fld(r, u, "Update", JSON_OBJECT, &bad);
            const json_t *cr = vc_fld(r, u, "Create", JSON_OBJECT, &bad);
            const json_t *de = vc_fld(r, u, "Delete", JSON_OBJECT, &bad);
            if (bad || !vc_shape_ok(r, up, &UPD) || !vc_shape_ok(r, cr, &tablespec_index_shape) ||
                !vc_shape_ok(r, de, &DEL))
                return r->err.code;
            if (up && !vc_shape_ok(r, json_get(up, "ProvisionedThroughput"), &tablespec_throughput_shape))
                return r->err.code;
        }
    if (c.defs)
        for (const json_t *d = c.defs->child; d; d = d->next)
            if (d->type == JSON_OBJECT && !vc_shape_ok(r, d, &tablespec_attrdef_shape)) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    if (c.defs) tablespec_vc_attrdefs(&v, c.defs);
    vc_table_name_or_arn(&v, jname, "tableName");
    static const char *const BILLING[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
    static const char *const CLASS[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};
    static const char *const VIEW[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", NULL};
    vc_enum(&v, c.bm, "billingMode", BILLING, "[PROVISIONED, PAY_PER_REQUEST]");
    vc_enum(&v, c.cls, "tableClass", CLASS, "[STANDARD, STANDARD_INFREQUENT_ACCESS]");
    if (c.ss)
        vc_enum(&v,
                json_get(c.ss, "StreamViewType") && json_get(c.ss, "StreamViewType")->type == JSON_STRING
                    ? json_get(c.ss, "StreamViewType")
                    : NULL,
                "streamSpecification.streamViewType", VIEW,
                "[OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"); /* AWS's order, 2026 */
    tablespec_vc_sse(&v, sse, "sSESpecification");
    if (c.pt) {
        const char *names[2] = {"WriteCapacityUnits", "ReadCapacityUnits"};
        const char *paths[2] = {"provisionedThroughput.writeCapacityUnits",
                                "provisionedThroughput.readCapacityUnits"};
        for (int i = 0; i < 2; i++) {
            const json_t *j = json_get(c.pt, names[i]);
            if (!j || j->type == JSON_NULL)
                vc_add(&v, "null", paths[i], "Member must not be null");
            else if (vc_num_value(j) < 1)
                vc_add(&v, vc_show_str(r, j), paths[i], "Member must have value greater than or equal to 1");
        }
    }
    ddb_err_t rc;
    if (c.gsiu) {
        if ((rc = gsi_updates_shape_or_err(r, &v, c.gsiu))) return rc;
    } else if ((rc = vc_done(&v))) {
        return rc;
    }
    if (!c.bm && !c.pt && !c.dp && !c.cls && !c.ss && !c.od && !(c.gsiu && c.gsiu->n) && !sse && !rep)
        return nothing_to_update(r, b);
    if ((rc = throughput_bounds_or_err(r, &c))) return rc;
    /* [issue 17] not while the table is CREATING, UPDATING or DELETING */
    if ((rc = tabledesc_changeable_or_err(r, jname->str.ptr, NULL))) return rc;
    /* a GSI being deleted is still listed (DELETING) in the answer */
    eng_table_t *before = eng_table_get(r->eng, jname->str.ptr, jname->str.len);
    if (before && (rc = tabledesc_changeable_or_err(r, jname->str.ptr, before))) {
        eng_table_release(before);
        return rc;
    }
    const eng_index_t *deleting = NULL;
    for (const json_t *u = c.gsiu ? c.gsiu->child : NULL; u && before; u = u->next) {
        const json_t *de = json_get(u, "Delete");
        const json_t *n = de && de->type == JSON_OBJECT ? json_get(de, "IndexName") : NULL;
        if (n && n->type == JSON_STRING) deleting = eng_index_find(before, n->str.ptr, n->str.len);
    }
    eng_table_t *t = NULL;
    if ((rc = eng_table_update(r->eng, jname->str.ptr, update_mutate, &c, &t, &r->err))) {
        eng_table_release(before);
        return rc;
    }
    transient_begin(r, &c, t, before);
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableDescription");
    tabledesc_write_deleting(r, t, NULL, deleting);
    jw_obj_end(&r->out);
    eng_table_release(t);
    eng_table_release(before);
    return DDB_OK;
}

/* ---- tags --------------------------------------------------------------------------------------- */

/* AccessDeniedException as IAM words a denial to the caller's account root (the type is recorded; the
 * text of this form was not recorded for these cases: dynalite's older recording has it without the
 * "because ..." clause). */
static void denied(ddb_req_t *r, const char *op, const char *account, const char *arn)
{
    err_set(&r->err, DDB_ERR_ACCESS_DENIED,
            "User: arn:aws:iam::%s:root is not authorized to perform: dynamodb:%s on resource: %s because no "
            "resource-based policy allows the dynamodb:%s action",
            account, op, arn, op);
}

/* The tagging operations' ResourceArn -> the table, or an error, checked in DynamoDB's order (as
 * recorded against AWS in 2026; ExtendDB/extenddb#227, ack-api-quirks' message catalogue, scylladb's
 * test_tag.py):
 *   1. no "arn:" prefix                        ValidationException "... ARNs must start with 'arn:': <arn>"
 *   2. not arn:aws:dynamodb:<region>:<account>:<resource> (another service or partition, or too few
 *      parts)                                  AccessDeniedException
 *   3. a resource that is not table/...        ValidationException "... not a DynamoDB resource arn: <arn>"
 *      (a backup's ARN too); an index's ARN    ValidationException "... only table or stream is accepted ..."
 *   4. another account than the caller's       AccessDeniedException (before the region: a cross-account
 *                                              ARN is denied without telling whether its region is valid)
 *   5. another region than the request's, or a
 *      resource that is not exactly table/<n>  ValidationException "Invalid TableArn: ..."
 *   6. no such table                           ResourceNotFoundException "... ResourceArn: <arn> not found"
 * The caller's account is the one its access key maps to (--credentials), else 000000000000; its region
 * the SigV4 scope's (default us-east-1): the account and region DescribeTable's TableArn names. */
static eng_table_t *table_from_arn_or_err(ddb_req_t *r, const json_t *jarn, const char *op)
{
    const char *arn = jarn->str.ptr, *end = arn + jarn->str.len;
    if (jarn->str.len < 4 || memcmp(arn, "arn:", 4) != 0) {
        err_set(&r->err, DDB_ERR_VALIDATION,
                "One or more parameter values were invalid: ARNs must start with 'arn:': %s", arn);
        return NULL;
    }
    /* partition, service, region, account: four parts ended by colons; the rest is the resource */
    const char *part[4];
    size_t len[4], k = 0;
    const char *p = arn + 4;
    while (k < 4) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (!c) break;
        part[k] = p;
        len[k++] = (size_t)(c - p);
        p = c + 1;
    }
    const char *account = r->account ? r->account : DDB_ACCOUNT;
    if (k < 4 || len[0] != 3 || memcmp(part[0], "aws", 3) != 0 || len[1] != 8 ||
        memcmp(part[1], "dynamodb", 8) != 0) {
        denied(r, op, account, arn);
        return NULL;
    }
    const char *res = p, *name = NULL, *sub = NULL;
    size_t name_len = 0;
    if ((size_t)(end - res) >= 6 && memcmp(res, "table/", 6) == 0) {
        name = res + 6;
        sub = memchr(name, '/', (size_t)(end - name));
        name_len = (size_t)((sub ? sub : end) - name);
    }
    if (!name || (sub && (size_t)(end - sub) >= 8 && memcmp(sub, "/backup/", 8) == 0)) {
        err_set(&r->err, DDB_ERR_VALIDATION,
                "One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: %s",
                arn);
        return NULL;
    }
    if (sub && (size_t)(end - sub) >= 7 && memcmp(sub, "/index/", 7) == 0) {
        err_set(
            &r->err, DDB_ERR_VALIDATION,
            "One or more parameter values were invalid: Invalid resource arn provided, only table or stream "
            "is accepted. Provided resource arn: %s",
            arn);
        return NULL;
    }
    if (len[3] != strlen(account) || memcmp(part[3], account, len[3]) != 0) {
        denied(r, op, account, arn);
        return NULL;
    }
    if (len[2] != strlen(r->region) || memcmp(part[2], r->region, len[2]) != 0 || sub || !name_len) {
        err_set(&r->err, DDB_ERR_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %s",
                arn);
        return NULL;
    }
    eng_table_t *t = eng_table_get(r->eng, name, name_len);
    if (!t)
        err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND,
                "Requested resource not found: ResourceArn: %s not found", arn);
    return t;
}

static ddb_err_t arn_shape(ddb_req_t *r, vcheck_t *v, const json_t *jarn)
{
    if (!jarn)
        vc_add(v, "null", "resourceArn", "Member must not be null");
    else if (jarn->str.len < 1)
        vc_add(v, "''", "resourceArn", "Member must have length greater than or equal to 1");
    else if (jarn->str.len > 1283)
        vc_add(v, vc_show_str(r, jarn), "resourceArn", "Member must have length less than or equal to 1283");
    return DDB_OK;
}

typedef struct {
    const json_t *add;    /* Tags list to add, or NULL */
    const json_t *remove; /* TagKeys list to remove, or NULL */
} tag_ctx_t;

static ddb_err_t tag_mutate(void *vctx, eng_table_t *t, ddb_errctx_t *err)
{
    tag_ctx_t *c = vctx;
    size_t cap = t->n_tags + (c->add ? c->add->n : 0) + 1;
    eng_tag_t *tags = eng_table_alloc(t, cap * sizeof *tags);
    size_t n = 0;
    for (size_t i = 0; i < t->n_tags; i++) {
        bool drop = false;
        if (c->remove)
            for (const json_t *k = c->remove->child; k && !drop; k = k->next)
                drop = !strcmp(k->str.ptr, t->tags[i].key);
        if (!drop) tags[n++] = t->tags[i];
    }
    if (c->add) {
        for (const json_t *tg = c->add->child; tg; tg = tg->next) {
            const char *k = json_get(tg, "Key")->str.ptr, *val = json_get(tg, "Value")->str.ptr;
            size_t i = 0;
            while (i < n && strcmp(tags[i].key, k)) i++;
            tags[i].key = eng_table_strdup(t, k);
            tags[i].value = eng_table_strdup(t, val);
            if (i == n) n++;
        }
    }
    ddb_err_t rc =
        tagspec_count_or_err(err, n); /* the set after the merge: new values for present keys are fine */
    if (rc) return rc;
    t->tags = tags;
    t->n_tags = n;
    return DDB_OK;
}

ddb_err_t api_TagResource(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "ResourceArn", JSON_STRING, &bad);
    const json_t *jtags = vc_fld(r, r->body, "Tags", JSON_ARRAY, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    arn_shape(r, &v, jarn);
    if (!jtags) vc_add(&v, "null", "tags", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    if (!jtags->n)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Atleast one Tag needs to be provided as Input.");
    /* the tags before the ARN, the count after the table (it counts the merged set): all or nothing */
    if ((rc = tagspec_tags_or_err(r, jtags))) return rc;
    eng_table_t *t = table_from_arn_or_err(r, jarn, "TagResource");
    if (!t) return r->err.code;
    /* more than 50 distinct keys in the request: more than 50 after any merge (and no quadratic merge) */
    if ((rc = tagspec_count_or_err(&r->err, jtags->n))) {
        eng_table_release(t);
        return rc;
    }
    char *name = arena_strdup(r->a, t->name);
    eng_table_release(t);
    tag_ctx_t c = {jtags, NULL};
    /* AWS answers TagResource / UntagResource with an empty body */
    return eng_table_update(r->eng, name, tag_mutate, &c, NULL, &r->err);
}

ddb_err_t api_UntagResource(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "ResourceArn", JSON_STRING, &bad);
    const json_t *jkeys = vc_fld(r, r->body, "TagKeys", JSON_ARRAY, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    arn_shape(r, &v, jarn);
    if (!jkeys)
        vc_add(&v, "null", "tagKeys", "Member must not be null");
    else
        for (const json_t *k = jkeys->child; k; k = k->next)
            if (k->type != JSON_STRING)
                return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, k, SER_STRING));
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    if (!jkeys->n)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Atleast one Tag Key needs to be provided as Input.");
    if ((rc = tagspec_keys_or_err(r, jkeys))) return rc;
    eng_table_t *t = table_from_arn_or_err(r, jarn, "UntagResource");
    if (!t) return r->err.code;
    char *name = arena_strdup(r->a, t->name);
    eng_table_release(t);
    tag_ctx_t c = {NULL, jkeys};
    /* AWS answers TagResource / UntagResource with an empty body */
    return eng_table_update(r->eng, name, tag_mutate, &c, NULL, &r->err);
}

ddb_err_t api_ListTagsOfResource(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "ResourceArn", JSON_STRING, &bad);
    vc_fld(r, r->body, "NextToken", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    arn_shape(r, &v, jarn);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    eng_table_t *t = table_from_arn_or_err(r, jarn, "ListTagsOfResource");
    if (!t) return r->err.code;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "Tags");
    jw_arr_begin(&r->out);
    for (size_t i = 0; i < t->n_tags; i++) {
        jw_obj_begin(&r->out);
        jw_keyz(&r->out, "Key");
        jw_strz(&r->out, t->tags[i].key);
        jw_keyz(&r->out, "Value");
        jw_strz(&r->out, t->tags[i].value);
        jw_obj_end(&r->out);
    }
    jw_arr_end(&r->out);
    jw_obj_end(&r->out);
    eng_table_release(t);
    return DDB_OK;
}

/* ---- time to live ------------------------------------------------------------------------------ */

typedef struct {
    bool enable;
    const char *attr;
} ttl_ctx_t;

static ddb_err_t ttl_mutate(void *vctx, eng_table_t *t, ddb_errctx_t *err)
{
    ttl_ctx_t *c = vctx;
    /* AWS (recorded): an active TTL on another attribute is named first, for enable and disable */
    if (t->ttl_enabled && t->ttl_attr && strcmp(t->ttl_attr, c->attr))
        return err_set(err, DDB_ERR_VALIDATION,
                       "TimeToLive is active on a different AttributeName: current AttributeName is %s",
                       t->ttl_attr);
    if (c->enable && t->ttl_enabled) return err_set(err, DDB_ERR_VALIDATION, "TimeToLive is already enabled");
    if (!c->enable && !t->ttl_enabled)
        return err_set(err, DDB_ERR_VALIDATION, "TimeToLive is already disabled");
    t->ttl_enabled = c->enable;
    t->ttl_attr = eng_table_strdup(t, c->attr);
    return DDB_OK;
}

ddb_err_t api_UpdateTimeToLive(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jname = vc_fld(r, r->body, "TableName", JSON_STRING, &bad);
    const json_t *jspec = vc_fld(r, r->body, "TimeToLiveSpecification", JSON_OBJECT, &bad);
    const json_t *jen = jspec ? vc_fld(r, jspec, "Enabled", JSON_TRUE, &bad) : NULL;
    const json_t *jattr = jspec ? vc_fld(r, jspec, "AttributeName", JSON_STRING, &bad) : NULL;
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_table_arn(&v, jname, "tableName");
    if (!jspec)
        vc_add(&v, "null", "timeToLiveSpecification", "Member must not be null");
    else {
        if (!jattr)
            vc_add(&v, "null", "timeToLiveSpecification.attributeName", "Member must not be null");
        else if (jattr->str.len < 1)
            vc_add(&v, "''", "timeToLiveSpecification.attributeName",
                   "Member must have length greater than or equal to 1");
        else if (jattr->str.len > 255)
            vc_add(&v, vc_show_str(r, jattr), "timeToLiveSpecification.attributeName",
                   "Member must have length less than or equal to 255");
        if (!jen) vc_add(&v, "null", "timeToLiveSpecification.enabled", "Member must not be null");
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    /* [issue 17] a CREATING table is not yet known to the TTL service (recorded 2026, ack-api-quirks
     * DDB-TABLE-115: ResourceNotFoundException for most of the window) */
    const char *name = jname->str.ptr;
    if (tabledesc_arn_refused(r, &name)) return r->err.code;
    if (tr_state(r, name, NULL, NULL) == TR_CREATING)
        return err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Table: %s not found", name);
    ttl_ctx_t c = {jbool(jen), jattr->str.ptr};
    if ((rc = eng_table_update(r->eng, jname->str.ptr, ttl_mutate, &c, NULL, &r->err))) return rc;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TimeToLiveSpecification");
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "Enabled");
    jw_bool(&r->out, c.enable);
    jw_keyz(&r->out, "AttributeName");
    jw_strz(&r->out, c.attr);
    jw_obj_end(&r->out);
    jw_obj_end(&r->out);
    return DDB_OK;
}

ddb_err_t api_DescribeTimeToLive(ddb_req_t *r)
{
    const json_t *jname;
    ddb_err_t rc;
    if ((rc = vc_table_name_only_or_err(r, &jname))) return rc;
    /* [issue 17] a CREATING or DELETING table (-delayTransientStatuses) has no TTL to describe (recorded
     * 2026, ack-api-quirks DDB-TABLE-115, -455) */
    const char *name = jname->str.ptr;
    if (tabledesc_arn_refused(r, &name)) return r->err.code;
    tr_state_t st = tr_state(r, name, NULL, NULL);
    if (st == TR_CREATING || st == TR_DELETING)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Cannot describe time to live while table is in %s state: Current table state is %s",
                       tr_state_name(st), tr_state_name(st));
    eng_table_t *t = tabledesc_named_or_err(r, name);
    if (!t) return r->err.code;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TimeToLiveDescription");
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TimeToLiveStatus");
    jw_strz(&r->out, t->ttl_enabled ? "ENABLED" : "DISABLED");
    if (t->ttl_enabled && t->ttl_attr) {
        jw_keyz(&r->out, "AttributeName");
        jw_strz(&r->out, t->ttl_attr);
    }
    jw_obj_end(&r->out);
    jw_obj_end(&r->out);
    eng_table_release(t);
    return DDB_OK;
}

/* ---- limits and endpoints ------------------------------------------------------------------- */

ddb_err_t api_DescribeLimits(ddb_req_t *r)
{
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "AccountMaxReadCapacityUnits");
    jw_int(&r->out, 80000);
    jw_keyz(&r->out, "AccountMaxWriteCapacityUnits");
    jw_int(&r->out, 80000);
    jw_keyz(&r->out, "TableMaxReadCapacityUnits");
    jw_int(&r->out, 40000);
    jw_keyz(&r->out, "TableMaxWriteCapacityUnits");
    jw_int(&r->out, 40000);
    jw_obj_end(&r->out);
    return DDB_OK;
}

ddb_err_t api_DescribeEndpoints(ddb_req_t *r)
{
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "Endpoints");
    jw_arr_begin(&r->out);
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "Address");
    jw_strz(&r->out, r->host ? r->host : arena_sprintf(r->a, "dynamodb.%s.amazonaws.com", r->region));
    jw_keyz(&r->out, "CachePeriodInMinutes");
    jw_int(&r->out, 1440);
    jw_obj_end(&r->out);
    jw_arr_end(&r->out);
    jw_obj_end(&r->out);
    return DDB_OK;
}
