/*
 * faults: fault injection (issue 16), a dynarock-only feature that is off until rules are given: at
 * start with --faults FILE (faults_load), at run time through the control endpoint /_dynarock/faults
 * on the API port (faults_serve: GET the rules and their hit counts, PUT or POST a new set, DELETE
 * them). docs/operations.md "Fault injection" is the manual; the rule file and the endpoint's body
 * are the same JSON:
 *
 *   {"seed": 7, "rules": [{"operation": "PutItem", "table": "Orders", "probability": 0.5, "count": 3,
 *                          "error": "ProvisionedThroughputExceededException"}, ...]}
 *
 * A rule matches a request by operation, table (any table the request names: TableName, the keys of
 * RequestItems, each TransactItems action's TableName; PartiQL names none), whether it is spent
 * (count) and a draw of the seeded generator (probability). Rules are tried in order and the first
 * that matches is applied; one rule per request at most. What it injects (faults_stage, an API stage
 * after the body is inflated):
 *   error        answered at once as DynamoDB words it; the handler does not run. TransactionConflict
 *                cancels TransactWriteItems and ExecuteTransaction through their handlers
 *                (faults_conflict_or_err: after the request is validated, before anything is read or
 *                written); any other operation answers TransactionConflictException, as a write
 *                meeting a running transaction does
 *   latencyMs    the answer, whatever it is, held that long (d->delay_ms: http.c's send path); the
 *                handler runs at once
 *   drop         the handler runs and its answer is lost: the connection is closed (d->drop)
 *   unprocessed  BatchWriteItem / BatchGetItem leave that fraction of their requests unprocessed and
 *                answer them in UnprocessedItems / UnprocessedKeys (r->fault, api_batch.c)
 *
 * Threads: the rule set is installed and matched under one mutex (g_mu), which also orders the
 * generator's draws. g_set is read without the lock only to learn that there are no rules: with none,
 * a request costs one relaxed atomic load. Nobody holds a set outside the lock, so whoever replaces
 * one frees it.
 *
 * Repeatable runs: the generator (splitmix64) restarts from the set's seed (default 1) whenever a set
 * is installed and draws once for each rule tried whose probability is below 1, so the same requests
 * in the same order meet the same faults.
 */
#include "server/door.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "server/exec.h"

#define DEFAULT_SEED 1
#define MAX_SEED 9007199254740991ull /* 2^53 - 1: a seed JavaScript reads back exactly */
#define MAX_RULES 1000               /* a rule set is a test's script, not a database */
#define MAX_LATENCY_MS 600000        /* 10 minutes: longer than any SDK waits */
#define MAX_FILE (16u << 20)         /* as a request body */

/* The errors a rule may inject, as DynamoDB answers them (HTTP status from common/errors.def). */
typedef struct {
    const char *name; /* as rules spell it */
    ddb_err_t code;
    const char *msg;
} fault_error_t;

/* ThrottlingException: DynamoDB words it for item operations on on-demand tables (the data plane)
 * otherwise than for the table operations (the control plane, AWS's error documentation). */
static const char THROTTLE_DATA[] =
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling "
    "your table or index so please try again shortly. If exceptions persist, check if you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html";
static const char THROTTLE_CONTROL[] = "Rate of requests exceeds the allowed throughput.";
static const char CONFLICT_MSG[] = "Transaction is ongoing for the item";

static const fault_error_t ERRORS[] = {
    {"ProvisionedThroughputExceededException", DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED,
     "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
     "provisioning level with the UpdateTable API."},
    {"ThrottlingException", DDB_ERR_THROTTLING, NULL /* THROTTLE_DATA or THROTTLE_CONTROL */},
    {"RequestLimitExceeded", DDB_ERR_REQUEST_LIMIT_EXCEEDED,
     "Throughput exceeds the current throughput limit for your account. Please contact AWS Support at "
     "https://aws.amazon.com/support request a limit increase"},
    {"InternalServerError", DDB_ERR_INTERNAL, "Internal server error"},
    {"ServiceUnavailable", DDB_ERR_SERVICE_UNAVAILABLE, "The service is currently unavailable or busy."},
    {"TransactionConflict", DDB_ERR_TRANSACTION_CONFLICT, CONFLICT_MSG},
};
#define NERRORS (sizeof ERRORS / sizeof ERRORS[0])

typedef struct {
    char *op, *table;   /* NULL: any */
    double probability; /* 0..1 */
    uint64_t count;     /* injections allowed (0: no limit) */
    int error;          /* index in ERRORS, or -1 */
    char *message;      /* replaces the error's text, or NULL */
    unsigned latency_ms;
    bool drop;
    double unprocessed; /* 0: none */
    uint64_t hits;      /* injections so far (under g_mu) */
} rule_t;

typedef struct {
    uint64_t seed;
    size_t n;
    rule_t *rules;
} ruleset_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(ruleset_t *) g_set;     /* NULL: no rules (the fast path reads only this) */
static atomic_bool g_need_tables;      /* some rule names a table: requests' tables are read */
static uint64_t g_seed = DEFAULT_SEED; /* the installed set's (kept for an empty set); under g_mu */
static uint64_t g_rng;                 /* the generator's state; under g_mu */

/* ---- the generator ------------------------------------------------------------------------------ */

static uint64_t next_u64(void) /* splitmix64 */
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double next_unit(void) /* uniform in [0, 1) */
{
    return (double)(next_u64() >> 11) * 0x1.0p-53;
}

/* ---- rule sets ---------------------------------------------------------------------------------- */

static void set_free(ruleset_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->rules[i].op);
        free(s->rules[i].table);
        free(s->rules[i].message);
    }
    free(s->rules);
    free(s);
}

static char *xstrdup(const json_t *j) /* the whole string, NUL bytes included */
{
    char *p = ddb_xmalloc(j->str.len + 1);
    memcpy(p, j->str.ptr, j->str.len + 1);
    return p;
}

/* Install s (NULL or no rules: fault injection off) and free the set it replaces. */
static void set_install(ruleset_t *s)
{
    bool tables = false;
    for (size_t i = 0; s && i < s->n; i++) tables |= s->rules[i].table != NULL;
    pthread_mutex_lock(&g_mu);
    ruleset_t *old = atomic_load_explicit(&g_set, memory_order_relaxed);
    g_seed = s ? s->seed : DEFAULT_SEED;
    g_rng = g_seed;
    if (s && s->n == 0) {
        set_free(s);
        s = NULL;
    }
    atomic_store_explicit(&g_need_tables, tables, memory_order_relaxed);
    atomic_store_explicit(&g_set, s, memory_order_relaxed);
    pthread_mutex_unlock(&g_mu);
    set_free(old);
}

static bool is_batch(const char *op)
{
    return !strcmp(op, "BatchWriteItem") || !strcmp(op, "BatchGetItem");
}

/* A served operation of either service (DynamoDB's or DynamoDB Streams'). */
static bool op_known(const char *op, size_t len)
{
    static const char *const prefixes[] = {"DynamoDB_20120810", "DynamoDBStreams_20120810"};
    bool known;
    for (size_t i = 0; i < 2; i++)
        if (router_find(prefixes[i], strlen(prefixes[i]), op, len, &known)) return true;
    return false;
}

/* A JSON number in [min, max] into *out; false when j is not one. */
static bool num_in(const json_t *j, double min, double max, double *out)
{
    if (j->type != JSON_NUMBER) return false;
    char *end;
    errno = 0;
    double v = strtod(j->str.ptr, &end);
    if (errno || *end || !(v >= min && v <= max)) return false;
    *out = v;
    return true;
}

/* A whole JSON number (digits only) in [min, max] into *out. */
static bool uint_in(const json_t *j, uint64_t min, uint64_t max, uint64_t *out)
{
    if (j->type != JSON_NUMBER || j->str.len > 19) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < j->str.len; i++) {
        char c = j->str.ptr[i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (uint64_t)(c - '0');
    }
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

#define FAIL(...)                                                                                            \
    do {                                                                                                     \
        snprintf(err, errlen, __VA_ARGS__);                                                                  \
        goto fail;                                                                                           \
    } while (0)

/* One rule object into *u (zeroed by the caller); false with a message naming rules[i].member. */
static bool rule_parse(const json_t *o, size_t i, rule_t *u, char *err, size_t errlen)
{
    u->probability = 1;
    u->error = -1;
    if (o->type != JSON_OBJECT) FAIL("rules[%zu]: a rule is an object", i);
    for (const json_t *m = o->child; m; m = m->next) {
        const char *k = m->key.ptr;
        if (!strcmp(k, "operation")) {
            if (m->type != JSON_STRING || !op_known(m->str.ptr, m->str.len))
                FAIL("rules[%zu].operation: not an operation dynarock serves (PutItem, Query, ...)", i);
            u->op = xstrdup(m);
        } else if (!strcmp(k, "table")) {
            if (m->type != JSON_STRING || m->str.len < 1 || m->str.len > 255)
                FAIL("rules[%zu].table: a table name (1 to 255 characters)", i);
            u->table = xstrdup(m);
        } else if (!strcmp(k, "probability")) {
            if (!num_in(m, 0, 1, &u->probability)) FAIL("rules[%zu].probability: a number from 0 to 1", i);
        } else if (!strcmp(k, "count")) {
            if (!uint_in(m, 1, UINT64_MAX / 2, &u->count))
                FAIL("rules[%zu].count: a whole number of injections, at least 1", i);
        } else if (!strcmp(k, "error")) {
            for (size_t e = 0; e < NERRORS && m->type == JSON_STRING; e++)
                if (!strcmp(m->str.ptr, ERRORS[e].name)) u->error = (int)e;
            if (u->error < 0)
                FAIL("rules[%zu].error: one of ProvisionedThroughputExceededException, ThrottlingException, "
                     "RequestLimitExceeded, InternalServerError, ServiceUnavailable, TransactionConflict",
                     i);
        } else if (!strcmp(k, "message")) {
            if (m->type != JSON_STRING) FAIL("rules[%zu].message: a string", i);
            u->message = xstrdup(m);
        } else if (!strcmp(k, "latencyMs")) {
            uint64_t ms;
            if (!uint_in(m, 0, MAX_LATENCY_MS, &ms))
                FAIL("rules[%zu].latencyMs: a whole number of milliseconds from 0 to %d", i, MAX_LATENCY_MS);
            u->latency_ms = (unsigned)ms;
        } else if (!strcmp(k, "drop")) {
            if (m->type != JSON_TRUE && m->type != JSON_FALSE) FAIL("rules[%zu].drop: true or false", i);
            u->drop = m->type == JSON_TRUE;
        } else if (!strcmp(k, "unprocessed")) {
            if (!num_in(m, 0, 1, &u->unprocessed) || u->unprocessed == 0)
                FAIL("rules[%zu].unprocessed: a fraction above 0, at most 1", i);
        } else if (!strcmp(k, "hits")) {
            /* what GET answers: a set read back can be sent again */
        } else {
            FAIL("rules[%zu]: unknown member \"%s\" (operation, table, probability, count, error, message, "
                 "latencyMs, drop, unprocessed)",
                 i, k);
        }
    }
    int effects = (u->error >= 0) + u->drop + (u->unprocessed > 0);
    if (effects > 1) FAIL("rules[%zu]: error, drop and unprocessed exclude each other", i);
    if (effects == 0 && u->latency_ms == 0)
        FAIL("rules[%zu]: injects nothing (give error, latencyMs, drop or unprocessed)", i);
    if (u->message && u->error < 0) FAIL("rules[%zu].message: only with error", i);
    if (u->unprocessed > 0 && u->op && !is_batch(u->op))
        FAIL("rules[%zu].unprocessed: only for BatchWriteItem and BatchGetItem", i);
    return true;
fail:
    return false;
}

/* Parse a rule set (the file's or the endpoint's JSON); NULL with a message in err. */
static ruleset_t *set_parse(const char *text, size_t len, char *err, size_t errlen)
{
    arena_t *a = arena_new(len * 2 + 4096);
    ruleset_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->seed = DEFAULT_SEED;
    json_error_t je;
    const json_t *root = json_parse(a, text, len, 8, &je), *rules = NULL;
    if (!root) FAIL("not valid JSON (byte %zu: %s)", je.offset, je.msg);
    if (root->type != JSON_OBJECT) FAIL("a JSON object {\"seed\": N, \"rules\": [...]} is expected");
    for (const json_t *m = root->child; m; m = m->next) {
        if (!strcmp(m->key.ptr, "seed")) {
            if (!uint_in(m, 0, MAX_SEED, &s->seed)) FAIL("seed: a whole number from 0 to 2^53-1");
        } else if (!strcmp(m->key.ptr, "rules")) {
            rules = m;
        } else {
            FAIL("unknown member \"%s\" (seed, rules)", m->key.ptr);
        }
    }
    if (!rules || rules->type != JSON_ARRAY) FAIL("rules: a list of rules is expected");
    if (rules->n > MAX_RULES) FAIL("rules: at most %d rules", MAX_RULES);
    s->rules = calloc(rules->n + 1, sizeof *s->rules);
    if (!s->rules) abort();
    for (const json_t *o = rules->child; o; o = o->next) {
        rule_t *u = &s->rules[s->n++]; /* counted first: set_free frees what a failed rule holds */
        if (!rule_parse(o, s->n - 1, u, err, errlen)) goto fail;
    }
    arena_free(a);
    return s;
fail:
    arena_free(a);
    set_free(s);
    return NULL;
}

#undef FAIL

/* ---- start-up ----------------------------------------------------------------------------------- */

int faults_load(const ddb_config_t *cfg, char *errbuf, size_t errlen)
{
    const char *path = cfg->faults_file;
    if (!path) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, errlen, "--faults %s: %s", path, strerror(errno));
        return -1;
    }
    char *text = malloc(MAX_FILE + 1);
    if (!text) abort();
    size_t len = fread(text, 1, MAX_FILE + 1, f);
    bool bad_read = ferror(f);
    fclose(f);
    char perr[512];
    ruleset_t *s = NULL;
    if (bad_read)
        snprintf(perr, sizeof perr, "cannot be read");
    else if (len > MAX_FILE)
        snprintf(perr, sizeof perr, "over 16 MB");
    else
        s = set_parse(text, len, perr, sizeof perr);
    free(text);
    if (!s) {
        snprintf(errbuf, errlen, "--faults %s: %s", path, perr);
        return -1;
    }
    log_info("faults: %zu rule%s from %s (seed %llu)", s->n, s->n == 1 ? "" : "s", path,
             (unsigned long long)s->seed);
    set_install(s);
    return 0;
}

/* ---- the stage ---------------------------------------------------------------------------------- */

/* The tables a request names (TableName, RequestItems' keys, each TransactItems action's TableName). */
static size_t request_tables(ddb_req_t *r, const char *body, size_t len, ddb_str_t **out)
{
    const json_t *j = json_parse(r->a, body, len, DDB_JSON_DEPTH, NULL);
    if (!j || j->type != JSON_OBJECT) return 0;
    const json_t *tn = json_get(j, "TableName"), *ri = json_get(j, "RequestItems"),
                 *ti = json_get(j, "TransactItems");
    size_t cap = 1 + (ri && ri->type == JSON_OBJECT ? ri->n : 0) + (ti && ti->type == JSON_ARRAY ? ti->n : 0);
    ddb_str_t *names = ARENA_NEWN(r->a, ddb_str_t, cap);
    size_t n = 0;
    if (tn && tn->type == JSON_STRING) names[n++] = tn->str;
    if (ri && ri->type == JSON_OBJECT)
        for (const json_t *c = ri->child; c; c = c->next) names[n++] = c->key;
    if (ti && ti->type == JSON_ARRAY)
        for (const json_t *c = ti->child; c; c = c->next) {
            if (c->type != JSON_OBJECT) continue;
            for (const json_t *act = c->child; act; act = act->next) {
                const json_t *t = act->type == JSON_OBJECT ? json_get(act, "TableName") : NULL;
                if (t && t->type == JSON_STRING) {
                    names[n++] = t->str;
                    break;
                }
            }
        }
    *out = names;
    return n;
}

/* Whether a request naming `names` names `table` (by its name, or by its ARN: tabledesc_name_of_arn). */
static bool names_table(const ddb_str_t *names, size_t n, const char *table)
{
    for (size_t i = 0; i < n; i++) {
        ddb_str_t s = names[i];
        const char *bare = tabledesc_name_of_arn(s.ptr, s.len);
        if (bare) s = (ddb_str_t){bare, s.len - (size_t)(bare - s.ptr)};
        if (ddb_str_eq(s, table)) return true;
    }
    return false;
}

/* The table operations: throttled with the control plane's words. */
static bool is_control_op(const char *op)
{
    static const char *const data[] = {"GetItem",
                                       "PutItem",
                                       "UpdateItem",
                                       "DeleteItem",
                                       "Query",
                                       "Scan",
                                       "BatchGetItem",
                                       "BatchWriteItem",
                                       "TransactGetItems",
                                       "TransactWriteItems",
                                       "ExecuteStatement",
                                       "BatchExecuteStatement",
                                       "ExecuteTransaction",
                                       "GetRecords",
                                       "GetShardIterator"};
    for (size_t i = 0; i < sizeof data / sizeof data[0]; i++)
        if (!strcmp(op, data[i])) return false;
    return true;
}

/* faults_stage with rules installed (out of line: without rules the stage is one load and a branch). */
static __attribute__((noinline)) door_rc_t stage_match(door_t *d)
{
    ddb_req_t *r = d->r;
    ddb_str_t *tables = NULL;
    size_t nt = 0;
    if (atomic_load_explicit(&g_need_tables, memory_order_relaxed))
        nt = request_tables(r, d->body, d->body_len, &tables);

    /* match, and copy what the rule injects out of the set while it is held */
    int error = -1;
    const char *message = NULL, *table = NULL;
    unsigned latency = 0;
    bool drop = false, hit = false;
    double unprocessed = 0;
    size_t which = 0;
    pthread_mutex_lock(&g_mu);
    ruleset_t *s = atomic_load_explicit(&g_set, memory_order_relaxed);
    for (size_t i = 0; s && i < s->n && !hit; i++) {
        rule_t *u = &s->rules[i];
        if (u->op && strcmp(u->op, r->op)) continue;
        if (u->unprocessed > 0 && !is_batch(r->op)) continue;
        if (u->table && !names_table(tables, nt, u->table)) continue;
        if (u->count && u->hits >= u->count) continue;
        if (u->probability < 1 && next_unit() >= u->probability) continue;
        u->hits++;
        hit = true;
        which = i;
        error = u->error;
        message = u->message ? arena_strdup(r->a, u->message) : NULL;
        table = u->table ? arena_strdup(r->a, u->table) : NULL;
        latency = u->latency_ms;
        drop = u->drop;
        unprocessed = u->unprocessed;
    }
    pthread_mutex_unlock(&g_mu);
    if (!hit) return DOOR_NEXT;

    log_debug("faults: rule %zu applied to %s", which, r->op);
    d->delay_ms = latency;
    d->drop = drop;
    bool txn_conflict = error >= 0 && ERRORS[error].code == DDB_ERR_TRANSACTION_CONFLICT &&
                        (!strcmp(r->op, "TransactWriteItems") || !strcmp(r->op, "ExecuteTransaction"));
    if (unprocessed > 0 || txn_conflict) {
        struct fault_act *fa = ARENA_NEWN(r->a, struct fault_act, 1);
        *fa = (struct fault_act){.unprocessed = unprocessed, .conflict = txn_conflict, .table = table};
        r->fault = fa;
    }
    if (error < 0 || txn_conflict) return DOOR_NEXT;
    const fault_error_t *e = &ERRORS[error];
    if (!message) message = e->msg ? e->msg : is_control_op(r->op) ? THROTTLE_CONTROL : THROTTLE_DATA;
    err_set(&r->err, e->code, "%s", message);
    door_send_error(d);
    return DOOR_ANSWERED;
}

door_rc_t faults_stage(door_t *d)
{
    if (__builtin_expect(!atomic_load_explicit(&g_set, memory_order_relaxed), 1)) return DOOR_NEXT;
    return stage_match(d);
}

/* ---- what handlers ask (server.h) ---------------------------------------------------------------- */

size_t faults_unprocessed(const ddb_req_t *r, size_t n)
{
    if (!r->fault || r->fault->unprocessed <= 0 || n == 0) return 0;
    double f = r->fault->unprocessed;
    size_t k = (size_t)ceil((double)n * f - 1e-9); /* 10 x 0.3 is 3, not 3.0000000000000004 -> 4 */
    if (k > n) k = n;
    if (f < 1 && k == n) k = n - 1;
    return k;
}

ddb_err_t faults_conflict_or_err(ddb_req_t *r, size_t n, const char *const *tables)
{
    if (!r->fault || !r->fault->conflict) return DDB_OK;
    eng_multi_result_t *res = ARENA_NEWN(r->a, eng_multi_result_t, n + 1);
    for (size_t i = 0; i < n; i++) {
        err_init(&res[i].err, r->a);
        if (!r->fault->table || !strcmp(tables[i], r->fault->table))
            err_set(&res[i].err, DDB_ERR_TRANSACTION_CONFLICT, "%s", CONFLICT_MSG);
    }
    return exec_cancelled_or_err(r, n, NULL, res); /* the answer of a transaction cancelled by its actions */
}

/* ---- the control endpoint ------------------------------------------------------------------------ */

/* The installed set as the file spells it, each rule with its hits. */
static void answer_set(door_t *d)
{
    jw_t w;
    jw_init(&w, d->r->a, 1024);
    jw_obj_begin(&w);
    pthread_mutex_lock(&g_mu);
    const ruleset_t *s = atomic_load_explicit(&g_set, memory_order_relaxed);
    jw_keyz(&w, "seed");
    jw_int(&w, (long long)g_seed);
    jw_keyz(&w, "rules");
    jw_arr_begin(&w);
    for (size_t i = 0; s && i < s->n; i++) {
        const rule_t *u = &s->rules[i];
        jw_obj_begin(&w);
        if (u->op) {
            jw_keyz(&w, "operation");
            jw_strz(&w, u->op);
        }
        if (u->table) {
            jw_keyz(&w, "table");
            jw_strz(&w, u->table);
        }
        jw_keyz(&w, "probability");
        jw_double(&w, u->probability);
        if (u->count) {
            jw_keyz(&w, "count");
            jw_int(&w, (long long)u->count);
        }
        if (u->error >= 0) {
            jw_keyz(&w, "error");
            jw_strz(&w, ERRORS[u->error].name);
        }
        if (u->message) {
            jw_keyz(&w, "message");
            jw_strz(&w, u->message);
        }
        if (u->latency_ms) {
            jw_keyz(&w, "latencyMs");
            jw_int(&w, u->latency_ms);
        }
        if (u->drop) {
            jw_keyz(&w, "drop");
            jw_bool(&w, true);
        }
        if (u->unprocessed > 0) {
            jw_keyz(&w, "unprocessed");
            jw_double(&w, u->unprocessed);
        }
        jw_keyz(&w, "hits");
        jw_int(&w, (long long)u->hits);
        jw_obj_end(&w);
    }
    pthread_mutex_unlock(&g_mu);
    jw_arr_end(&w);
    jw_obj_end(&w);
    door_send_json(d, 200, w.b.data, w.b.len);
}

door_rc_t faults_serve(door_t *d)
{
    /* off the DynamoDB path, but under --auth enforce only a configured key may change the rules */
    if (auth_stage(d) == DOOR_ANSWERED) return DOOR_ANSWERED;
    h2o_req_t *req = d->req;
    if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("DELETE"))) {
        set_install(NULL);
        log_info("faults: rules cleared through %s", "/_dynarock/faults");
    } else if (!h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"))) { /* PUT, POST */
        char perr[512];
        ruleset_t *s =
            set_parse(req->entity.base ? req->entity.base : "", req->entity.len, perr, sizeof perr);
        if (!s) {
            err_set(&d->r->err, DDB_ERR_VALIDATION, "faults: %s", perr);
            door_send_error(d);
            return DOOR_ANSWERED;
        }
        log_info("faults: %zu rule%s set through /_dynarock/faults (seed %llu)", s->n, s->n == 1 ? "" : "s",
                 (unsigned long long)s->seed);
        set_install(s);
    }
    answer_set(d);
    return DOOR_ANSWERED;
}
