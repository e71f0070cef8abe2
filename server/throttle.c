/*
 * throttle: capacity enforcement (--enforce-capacity, issue 16) and the consumed-capacity metrics.
 *
 * One token bucket per (table, GSI or none, read | write), in a chained hash map under one mutex
 * (only requests of a server started with --enforce-capacity, and the /metrics scrape, take it).
 * A bucket's rate is the table's (or GSI's) provisioned RCU / WCU as the request's table
 * descriptor says, read again on every use, so UpdateTable applies at once; it holds at most
 * rate x --capacity-burst-seconds units (DynamoDB keeps 300 seconds of unused capacity; 0 keeps
 * one second's worth), starts full, and refills continuously (CLOCK_MONOTONIC). A table recreated
 * under the same name (another eng_table_t.id) gets a full bucket again.
 *
 * Admission (throttle_admit_or_err, before an executor touches storage) refuses while a bucket the
 * request will consume is in deficit (balance <= 0); charging (throttle_charge, from capacity.c's
 * cap_* functions: what ConsumedCapacity reports) debits afterwards, and may take the balance below
 * zero: DynamoDB lets a request finish and the table pays it back from later refills. An on-demand
 * table with an OnDemandThroughput maximum gets buckets of that rate holding one second's worth (no
 * burst credit: the maximum is per second), refused with ThrottlingException; GSIs of on-demand
 * tables and on-demand tables without a maximum are never refused. A refusal also leaves, in this
 * thread, what was refused, for the error's ThrottlingReasons (throttle_reasons_json).
 *
 * The same entries count, for GET /metrics, the units consumed and the requests refused per table
 * and index; entries are never freed (one per table / index name ever used with the flag on).
 */
#include "server/server.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct entry {
    char *table, *index; /* index "" for the table itself */
    char *id;            /* eng_table_t.id the balances belong to */
    double balance[2];   /* by cap_dir_t, units; may be negative */
    double last[2];      /* CLOCK_MONOTONIC seconds of the last refill */
    double consumed[2];  /* units charged, for the metrics (never reset) */
    uint64_t throttled;  /* requests refused because of this table or index */
    struct entry *next;
} entry_t;

#define NCHAINS 256 /* tables and indexes of a local server: short chains */

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static entry_t *g_chains[NCHAINS];

static const char MSG_TABLE[] = "The level of configured provisioned throughput for the table was exceeded. "
                                "Consider increasing your provisioning level with the UpdateTable API.";
static const char MSG_GSI[] =
    "The level of configured provisioned throughput for one or more global secondary indexes of the table "
    "was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary "
    "indexes with the UpdateTable API";

static const char MSG_MAX[] =
    "Throughput exceeds the maximum OnDemandThroughput configured on the table"; /* ours */

/* The last refusal of this thread, for throttle_reasons_json. */
static _Thread_local struct {
    char table[256], index[256]; /* index "" for the table itself */
    cap_dir_t dir;
    bool max_on_demand;
} t_why;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t hash(const char *table, const char *index)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = table; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    h = (h ^ 0xff) * 16777619u; /* 0xff never occurs in a name: a separator */
    for (const char *p = index; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
    return h;
}

/* The provisioned units per second of t (x NULL) or of GSI x, or an on-demand table's maximum; 0: not
 * enforced. */
static double rate_of(const eng_table_t *t, const eng_index_t *x, cap_dir_t dir)
{
    if (t->on_demand) return x ? 0 : (double)(dir == CAP_READ ? t->max_rru : t->max_wru);
    int64_t u = x ? (dir == CAP_READ ? x->rcu : x->wcu) : (dir == CAP_READ ? t->rcu : t->wcu);
    return u > 0 ? (double)u : 0;
}

/* The entry of (t, x) with its `dir` bucket refilled to now (both made full when the entry is new
 * or t was recreated); *rate gets the bucket's rate. Under g_lock. */
static entry_t *entry_get(const ddb_config_t *cfg, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir,
                          double *rate)
{
    const char *index = x ? x->name : "";
    uint32_t h = hash(t->name, index) & (NCHAINS - 1);
    entry_t *e = g_chains[h];
    while (e && (strcmp(e->table, t->name) || strcmp(e->index, index))) e = e->next;
    double burst = cfg->burst_seconds && !t->on_demand ? (double)cfg->burst_seconds : 1.0, now = now_s();
    if (!e) {
        e = calloc(1, sizeof *e);
        if (!e) abort();
        e->table = ddb_xstrdup(t->name);
        e->index = ddb_xstrdup(index);
        e->next = g_chains[h];
        g_chains[h] = e;
    }
    if (!e->id || strcmp(e->id, t->id)) { /* new, or the table was recreated: full buckets */
        free(e->id);
        e->id = ddb_xstrdup(t->id);
        for (int d = 0; d < 2; d++) {
            e->balance[d] = rate_of(t, x, (cap_dir_t)d) * burst;
            e->last[d] = now;
        }
    }
    *rate = rate_of(t, x, dir);
    double cap = *rate * burst;
    e->balance[dir] += *rate * (now - e->last[dir]);
    if (e->balance[dir] > cap) e->balance[dir] = cap;
    e->last[dir] = now;
    return e;
}

/* Whether the `dir` bucket of (t, x) is in deficit (counted as a throttled request when it is). */
static bool in_deficit(const ddb_config_t *cfg, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir)
{
    double rate;
    entry_t *e = entry_get(cfg, t, x, dir, &rate);
    if (rate <= 0 || e->balance[dir] > 0) return false;
    e->throttled++;
    snprintf(t_why.table, sizeof t_why.table, "%s", t->name);
    snprintf(t_why.index, sizeof t_why.index, "%s", x ? x->name : "");
    t_why.dir = dir;
    t_why.max_on_demand = t->on_demand;
    return true;
}

const char *throttle_reasons_json(ddb_req_t *r)
{
    jw_t w;
    jw_init(&w, r->a, 256);
    jw_keyz(&w, "ThrottlingReasons");
    jw_arr_begin(&w);
    jw_obj_begin(&w);
    jw_keyz(&w, "reason");
    jw_strz(&w, arena_sprintf(r->a, "%s%s%s", t_why.index[0] ? "Index" : "Table",
                              t_why.dir == CAP_READ ? "Read" : "Write",
                              t_why.max_on_demand ? "MaxOnDemandThroughputExceeded"
                                                  : "ProvisionedThroughputExceeded"));
    jw_keyz(&w, "resource");
    const char *arn = tabledesc_arn(r, t_why.table);
    jw_strz(&w, t_why.index[0] ? arena_sprintf(r->a, "%s/index/%s", arn, t_why.index) : arn);
    jw_obj_end(&w);
    jw_arr_end(&w);
    return w.b.data;
}

ddb_err_t throttle_admit_or_err(ddb_errctx_t *err, const ddb_config_t *cfg, const eng_table_t *t,
                                const eng_index_t *x, cap_dir_t dir)
{
    if (x && !x->global) x = NULL; /* an LSI shares its table's throughput */
    if (t->on_demand && (x || !(dir == CAP_READ ? t->max_rru : t->max_wru))) return DDB_OK;
    bool table = false, gsi = false;
    pthread_mutex_lock(&g_lock);
    if (x) {
        gsi = in_deficit(cfg, t, x, dir);
    } else {
        table = in_deficit(cfg, t, NULL, dir);
        for (size_t i = 0; !table && !gsi && dir == CAP_WRITE && i < t->n_idx; i++)
            if (t->idx[i].global) gsi = in_deficit(cfg, t, &t->idx[i], CAP_WRITE);
    }
    pthread_mutex_unlock(&g_lock);
    if (table && t->on_demand) return err_set(err, DDB_ERR_THROTTLING, "%s", MSG_MAX);
    if (table) return err_set(err, DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED, "%s", MSG_TABLE);
    if (gsi) return err_set(err, DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED, "%s", MSG_GSI);
    return DDB_OK;
}

void throttle_charge(const ddb_config_t *cfg, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir,
                     double units)
{
    if (x && !x->global) x = NULL;
    double rate;
    pthread_mutex_lock(&g_lock);
    entry_t *e = entry_get(cfg, t, x, dir, &rate);
    if (rate > 0) e->balance[dir] -= units;
    e->consumed[dir] += units;
    pthread_mutex_unlock(&g_lock);
}

void throttle_format_metrics(buf_t *b)
{
    static const struct {
        const char *name, *help;
    } M[] = {
        {"dynarock_consumed_read_units_total",
         "Read capacity units consumed, as ConsumedCapacity reports them, by table and index (index=\"\": "
         "the table; counted with --enforce-capacity)."},
        {"dynarock_consumed_write_units_total",
         "Write capacity units consumed, as ConsumedCapacity reports them, by table and index (a GSI: the "
         "table write's units for items that carry its key; counted with --enforce-capacity)."},
        {"dynarock_throttled_requests_total",
         "Requests refused with ProvisionedThroughputExceededException, by the table or index whose "
         "capacity was exhausted (--enforce-capacity)."},
    };
    pthread_mutex_lock(&g_lock);
    for (size_t m = 0; m < sizeof M / sizeof M[0]; m++) {
        buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", M[m].name, M[m].help, M[m].name);
        for (size_t h = 0; h < NCHAINS; h++)
            for (const entry_t *e = g_chains[h]; e; e = e->next) {
                buf_puts(b, M[m].name);
                buf_puts(b, "{table=\"");
                buf_puts(b, e->table); /* [a-zA-Z0-9_.-]: nothing to escape */
                buf_puts(b, "\",index=\"");
                buf_puts(b, e->index);
                buf_puts(b, "\"} ");
                if (m < 2)
                    buf_printf(b, "%.17g\n", e->consumed[m]);
                else
                    buf_printf(b, "%llu\n", (unsigned long long)e->throttled);
            }
    }
    pthread_mutex_unlock(&g_lock);
}
