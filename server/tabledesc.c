/*
 * tabledesc: tables as every API family sees them: the lookup with DynamoDB's two wordings of "not
 * found", the table ARN, and the TableDescription writer (CreateTable, DescribeTable, UpdateTable,
 * DeleteTable and the table-level answers of other families).
 */
#include "server/server.h"

#include <string.h>
#include <time.h>

#include "common/clock.h"

static void write_index(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x, const char *arn,
                        const char *status);

const char *tabledesc_name_of_arn(const char *s, size_t n)
{
    if (n < 4 || memcmp(s, "arn:", 4) != 0) return NULL;
    /* arn:<partition>:dynamodb:<region>:<account>:table/<name>: four parts ended by colons, the resource */
    const char *part[5];
    size_t len[5], k = 0;
    const char *p = s + 4, *end = s + n;
    while (k < 4) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (!c) return NULL;
        part[k] = p;
        len[k++] = (size_t)(c - p);
        p = c + 1;
    }
    part[4] = p;
    len[4] = (size_t)(end - p);
    if (!len[0] || len[1] != 8 || memcmp(part[1], "dynamodb", 8) || !len[2] || !len[3]) return NULL;
    if (len[4] < 7 || memcmp(part[4], "table/", 6) != 0) return NULL;
    const char *name = part[4] + 6;
    if (memchr(name, '/', (size_t)(end - name)) || memchr(name, ':', (size_t)(end - name))) return NULL;
    return name;
}

/* A name that is still an ARN here is not a table's (an index's, a stream's, another service's, or
 * malformed: vc_table_arn resolved the table ARNs): AWS refuses it as a ValidationException. */
bool tabledesc_arn_refused(ddb_req_t *r, const char **name)
{
    size_t n = strlen(*name);
    if (n < 4 || memcmp(*name, "arn:", 4) != 0) return false;
    const char *bare = tabledesc_name_of_arn(*name, n);
    if (bare) { /* a path that did not go through vc_table_arn (batch RequestItems keys) */
        *name = bare;
        return false;
    }
    err_set(&r->err, DDB_ERR_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %s", *name);
    return true;
}

ddb_err_t tabledesc_new_name_or_err(ddb_req_t *r, const char *name, int code)
{
    if (tr_state(r, name, NULL, NULL) != TR_DELETING) return DDB_OK;
    return err_set(&r->err, code, "Table already exists: %s", name);
}

eng_table_t *tabledesc_or_err(ddb_req_t *r, const char *name)
{
    if (tabledesc_arn_refused(r, &name)) return NULL;
    eng_table_t *t = eng_table_get(r->eng, name, strlen(name));
    if (t && tabledesc_creating(r, t)) { /* [issue 17] AWS: not found until ACTIVE */
        eng_table_release(t);
        t = NULL;
    }
    if (!t) err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found");
    return t;
}

bool tabledesc_creating(ddb_req_t *r, const eng_table_t *t)
{
    if (t->status && !strcmp(t->status, "CREATING")) return true; /* a restore or an import filling it */
    return tr_state(r, t->name, NULL, NULL) == TR_CREATING;
}

ddb_err_t tabledesc_changeable_or_err(ddb_req_t *r, const char *name, const eng_table_t *t)
{
    tr_state_t st = tr_state(r, name, NULL, NULL);
    if (st == TR_ACTIVE && t && t->status && !strcmp(t->status, "CREATING")) st = TR_CREATING;
    if (st == TR_ACTIVE) return DDB_OK;
    static const char *const what[] = {"", "created", "updated", "deleted"};
    return err_set(&r->err, DDB_ERR_RESOURCE_IN_USE,
                   "Attempt to change a resource which is still in use: Table is being %s: %s", what[st],
                   name);
}

bool tabledesc_index_building(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x)
{
    return x->backfilling || (x->global && tr_state(r, t->name, x->name, NULL) == TR_CREATING);
}

eng_table_t *tabledesc_named_or_err(ddb_req_t *r, const char *name)
{
    if (tabledesc_arn_refused(r, &name)) return NULL;
    eng_table_t *t = eng_table_get(r->eng, name, strlen(name));
    if (!t)
        err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                name);
    return t;
}

const char *tabledesc_arn(ddb_req_t *r, const char *name)
{
    return arena_sprintf(r->a, "arn:aws:dynamodb:%s:%s:table/%s", r->region,
                         r->account ? r->account : DDB_ACCOUNT, name);
}

static void write_elem(jw_t *w, const char *name, const char *type)
{
    jw_obj_begin(w);
    jw_keyz(w, "AttributeName");
    jw_strz(w, name);
    jw_keyz(w, "KeyType");
    jw_strz(w, type);
    jw_obj_end(w);
}

void tabledesc_write_attrdefs(jw_t *w, const eng_table_t *t)
{
    jw_arr_begin(w);
    for (size_t i = 0; i < t->n_attrdefs; i++) {
        jw_obj_begin(w);
        jw_keyz(w, "AttributeName");
        jw_strz(w, t->attrdefs[i].name);
        jw_keyz(w, "AttributeType");
        jw_strz(w, av_type_name(t->attrdefs[i].type));
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

void tabledesc_write_keyschema(jw_t *w, const eng_keyschema_t *k)
{
    jw_arr_begin(w);
    for (int i = 0; i < ENG_KEY_ATTRS_MAX && k->hashes[i].name; i++) write_elem(w, k->hashes[i].name, "HASH");
    for (int i = 0; i < ENG_KEY_ATTRS_MAX && k->ranges[i].name; i++)
        write_elem(w, k->ranges[i].name, "RANGE");
    jw_arr_end(w);
}

void tabledesc_write_projection(jw_t *w, const eng_index_t *x)
{
    static const char *const names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
    jw_obj_begin(w);
    jw_keyz(w, "ProjectionType");
    jw_strz(w, names[x->proj]);
    if (x->proj == ENG_PROJ_INCLUDE && x->n_nonkey) {
        jw_keyz(w, "NonKeyAttributes");
        jw_arr_begin(w);
        for (size_t i = 0; i < x->n_nonkey; i++) jw_strz(w, x->nonkey[i]);
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static void write_throughput(jw_t *w, const eng_table_t *t, int64_t rcu, int64_t wcu, bool with_dates)
{
    jw_obj_begin(w);
    if (with_dates && t->last_increase > 0) {
        jw_keyz(w, "LastIncreaseDateTime");
        jw_double(w, t->last_increase);
    }
    if (with_dates && t->last_decrease > 0) {
        jw_keyz(w, "LastDecreaseDateTime");
        jw_double(w, t->last_decrease);
    }
    jw_keyz(w, "NumberOfDecreasesToday");
    jw_int(w, with_dates ? t->decreases_today : 0);
    jw_keyz(w, "ReadCapacityUnits");
    jw_int(w, t->on_demand ? 0 : rcu);
    jw_keyz(w, "WriteCapacityUnits");
    jw_int(w, t->on_demand ? 0 : wcu);
    jw_obj_end(w);
}

static const char *status_now(ddb_req_t *r, const eng_table_t *t)
{
    /* [issue 17] -delayTransientStatuses: CREATING, UPDATING or DELETING while a state lasts */
    tr_state_t st = tr_state(r, t->name, NULL, NULL);
    if (st != TR_ACTIVE) return tr_state_name(st);
    /* a table whose indexes are being built or dropped reads UPDATING, as in DynamoDB */
    if ((!t->status || !strcmp(t->status, "ACTIVE")) && eng_table_indexing(t)) return "UPDATING";
    return t->status ? t->status : "ACTIVE";
}

/* [issue 17] A GSI's status in a transient state: its own, or CREATING while its table is; NULL: none. */
static const char *index_transient(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x)
{
    tr_state_t st = tr_state(r, t->name, x->name, NULL);
    if (st == TR_ACTIVE && tr_state(r, t->name, NULL, NULL) == TR_CREATING) st = TR_CREATING;
    return st == TR_ACTIVE ? NULL : tr_state_name(st);
}

static void write_index(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x, const char *arn,
                        const char *status)
{
    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "IndexName");
    jw_strz(w, x->name);
    jw_keyz(w, "KeySchema");
    tabledesc_write_keyschema(w, &x->key);
    jw_keyz(w, "Projection");
    tabledesc_write_projection(w, x);
    const char *transient = x->global && !status ? index_transient(r, t, x) : NULL;
    if (x->global) {
        jw_keyz(w, "IndexStatus");
        jw_strz(w, status ? status : transient ? transient : x->status ? x->status : "ACTIVE");
        if (x->backfilling && !status) {
            jw_keyz(w, "Backfilling");
            jw_bool(w, true);
        }
        jw_keyz(w, "ProvisionedThroughput");
        write_throughput(w, t, x->rcu, x->wcu, false);
    }
    /* counters of an index still being built (or gone) read 0, as DynamoDB shows them */
    bool building = transient && !strcmp(transient, "CREATING");
    eng_stats_t xs =
        x->id && !status && !x->backfilling && !building ? eng_index_stats(r->eng, x) : (eng_stats_t){0, 0};
    jw_keyz(w, "IndexSizeBytes");
    jw_int(w, xs.size_bytes);
    jw_keyz(w, "ItemCount");
    jw_int(w, xs.item_count);
    jw_keyz(w, "IndexArn");
    jw_strz(w, arena_sprintf(r->a, "%s/index/%s", arn, x->name));
    jw_obj_end(w);
}

static void write_desc(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats,
                       const eng_index_t *deleting, bool deleted);

void tabledesc_write(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats)
{
    write_desc(r, t, stats, NULL, false);
}

void tabledesc_write_deleting(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats,
                              const eng_index_t *deleting)
{
    write_desc(r, t, stats, deleting, false);
}

void tabledesc_write_deleted(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats)
{
    write_desc(r, t, stats, NULL, true);
}

/* deleted: DeleteTable's answer, which leaves out AttributeDefinitions, KeySchema and
 * CreationDateTime (AWS's, as the DeleteTable reference's example shows it). */
static void write_desc(ddb_req_t *r, const eng_table_t *t, const eng_stats_t *stats,
                       const eng_index_t *deleting, bool deleted)
{
    jw_t *w = &r->out;
    eng_stats_t st = stats ? *stats : eng_table_stats(r->eng, t);
    const char *arn = tabledesc_arn(r, t->name);
    eng_table_t *holder = NULL; /* [issue 17] the description a DELETING GSI is still shown from */
    if (!deleting && !deleted) {
        const char *gone = tr_ghost_index(r, t->name);
        if (gone && !eng_index_find(t, gone, strlen(gone)) && (holder = tr_ghost(r, t->name, gone, NULL)))
            deleting = eng_index_find(holder, gone, strlen(gone));
    }
    jw_obj_begin(w);
    if (!deleted) {
        jw_keyz(w, "AttributeDefinitions");
        tabledesc_write_attrdefs(w, t);
    }
    jw_keyz(w, "TableName");
    jw_strz(w, t->name);
    if (!deleted) {
        jw_keyz(w, "KeySchema");
        tabledesc_write_keyschema(w, &t->key);
    }
    jw_keyz(w, "TableStatus");
    jw_strz(w, status_now(r, t));
    if (!deleted) {
        jw_keyz(w, "CreationDateTime");
        jw_double(w, t->created);
    }
    jw_keyz(w, "ProvisionedThroughput");
    write_throughput(w, t, t->rcu, t->wcu, true);
    jw_keyz(w, "TableSizeBytes");
    jw_int(w, st.size_bytes);
    jw_keyz(w, "ItemCount");
    jw_int(w, st.item_count);
    jw_keyz(w, "TableArn");
    jw_strz(w, arn);
    jw_keyz(w, "TableId");
    jw_strz(w, t->id);
    jw_keyz(w, "BillingModeSummary");
    jw_obj_begin(w);
    jw_keyz(w, "BillingMode");
    jw_strz(w, t->on_demand ? "PAY_PER_REQUEST" : "PROVISIONED");
    if (t->billing_updated > 0) {
        jw_keyz(w, "LastUpdateToPayPerRequestDateTime");
        jw_double(w, t->billing_updated);
    }
    jw_obj_end(w);
    if (t->on_demand && (t->max_rru || t->max_wru)) { /* -1: no maximum, as the API writes it */
        jw_keyz(w, "OnDemandThroughput");
        jw_obj_begin(w);
        jw_keyz(w, "MaxReadRequestUnits");
        jw_int(w, t->max_rru ? t->max_rru : -1);
        jw_keyz(w, "MaxWriteRequestUnits");
        jw_int(w, t->max_wru ? t->max_wru : -1);
        jw_obj_end(w);
    }
    for (int global = 0; global < 2; global++) {
        size_t count = deleting && global;
        for (size_t i = 0; i < t->n_idx; i++) count += t->idx[i].global == (bool)global;
        if (!count) continue;
        jw_keyz(w, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
        jw_arr_begin(w);
        for (size_t i = 0; i < t->n_idx; i++)
            if (t->idx[i].global == (bool)global) write_index(r, t, &t->idx[i], arn, NULL);
        if (deleting && global) write_index(r, t, deleting, arn, "DELETING");
        jw_arr_end(w);
    }
    if (t->stream_enabled) { /* absent once disabled, as for a table that never had one (AWS, recorded) */
        jw_keyz(w, "StreamSpecification");
        jw_obj_begin(w);
        jw_keyz(w, "StreamEnabled");
        jw_bool(w, true);
        jw_keyz(w, "StreamViewType");
        jw_strz(w, t->stream_view);
        jw_obj_end(w);
    }
    if (t->stream_label) {
        jw_keyz(w, "LatestStreamLabel");
        jw_strz(w, t->stream_label);
        jw_keyz(w, "LatestStreamArn");
        jw_strz(w, arena_sprintf(r->a, "%s/stream/%s", arn, t->stream_label));
    }
    if (t->restored) { /* a restored table (api_backup.c) */
        jw_keyz(w, "RestoreSummary");
        jw_obj_begin(w);
        if (t->restore_backup_arn) {
            jw_keyz(w, "SourceBackupArn");
            jw_strz(w, t->restore_backup_arn);
        }
        if (t->restore_table_arn) {
            jw_keyz(w, "SourceTableArn");
            jw_strz(w, t->restore_table_arn);
        }
        jw_keyz(w, "RestoreDateTime");
        jw_double(w, t->restore_time);
        jw_keyz(w, "RestoreInProgress");
        jw_bool(w, t->restore_in_progress);
        jw_obj_end(w);
    }
    jw_keyz(w, "DeletionProtectionEnabled");
    jw_bool(w, t->deletion_protection);
    if (t->table_class) {
        jw_keyz(w, "TableClassSummary");
        jw_obj_begin(w);
        jw_keyz(w, "TableClass");
        jw_strz(w, t->table_class);
        jw_obj_end(w);
    }
    jw_obj_end(w);
    if (holder) eng_table_release(holder);
}
