/*
 * triggers: Lambda's event-source mappings for DynamoDB streams, run locally (issue 14). Owns the
 * registry of mappings (persisted through the engine's server records, engine.h "meta.c"), one
 * poller thread per enabled mapping that reads the stream's shards through eng_stream_* and invokes
 * the function (functions.c), and --trigger's keeper.
 * lambda_api.c serves the REST API on top of the trig_esm_* calls; main.c starts and stops it.
 *
 * Records (eng_meta_*, docs/storage-format.md "Server records"):
 *   "esm/<uuid>"   the mapping's configuration, JSON {"v":1,...} (esm_format / esm_parse)
 *   "ckpt/<uuid>"  where delivery resumes: "<shard ordinal> <sequence number>" in decimal, the
 *                  first record not yet delivered. Written after every batch that succeeded (or
 *                  was discarded), in one batch with the mapping when its LastProcessingResult
 *                  changed; so after a restart or a kill -9 delivery resumes after the last
 *                  batch that succeeded: at least once, never a gap.
 * A mapping and its first checkpoint are written together at CreateEventSourceMapping (LATEST is
 * the stream's position at that moment, not when the poller first looks), and deleted together.
 *
 * Poller (one thread per enabled mapping): a stream's shards form a chain (each shard the child of
 * the one before), so "parents before children" is reading them in ordinal order: read the shard
 * of the checkpoint from its position, up to BatchSize records that pass the FilterCriteria (those
 * it drops are read past and do not count; the checkpoint passes them too) (waiting up to
 * MaximumBatchingWindowInSeconds for more), discard those already older than
 * MaximumRecordAgeInSeconds, invoke, and move the checkpoint; at a closed shard's end
 * go on to the next ordinal. A failed invocation: with BisectBatchOnFunctionError a batch of two or
 * more is split in halves, each delivered on its own; otherwise retried with backoff (100 ms
 * doubling to 5 s) until it succeeds, MaximumRetryAttempts is spent or its oldest record is older
 * than MaximumRecordAgeInSeconds; then it is discarded (logged; a JSON record in --failure-dir) and
 * the checkpoint moves past it. ReportBatchItemFailures: a response {"batchItemFailures":
 * [{"itemIdentifier":"<SequenceNumber>"}]} checkpoints before the first failed record and retries
 * from there; an identifier that names no record of the batch fails the whole batch.
 *
 * Functions (commands, --lambda-endpoint) are functions.c's: a poller calls fn_invoke, which asks
 * poller_abandon every 100 ms while the function runs.
 *
 * Threads and locks: g_mu guards the registry and every mapping's fields; pollers copy what they
 * need under it. Stopping never blocks a caller: it bumps the mapping's generation, and the poller
 * (which checks every 100 ms, also while a function runs) exits; at shutdown or a delete it kills
 * its function's process group first (that batch is delivered again later), at a disable it lets
 * the invocation in hand finish and checkpoint. A poller started for the same mapping first waits
 * for the old one to be gone.
 * trig_stop_all (at shutdown, before the engine closes) stops every poller and waits for them.
 */
#include "server/door.h"
#include "server/server.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/log.h"

#define POLL_MS 50                 /* an idle shard is looked at again this often */
#define BACKOFF_FIRST_MS 100       /* the first retry's delay, doubled up to ... */
#define BACKOFF_MAX_MS 5000        /* ... this */
#define EVENT_MAX_BYTES (6u << 20) /* a batch's records stop growing past this (Lambda: 6 MB payload) */

static const char *g_failure_dir;
static eng_t *g_eng;   /* the first engine: --trigger's tables */
static bool g_started; /* trig_start ran: trig_attach loads at once */

/* ---- mappings ----------------------------------------------------------------------------------------- */

typedef struct esm {
    trig_esm_t c; /* strings malloc'd (esm_set) */
    uint64_t gen; /* bumped by every stop: a poller of an older generation exits */
    int pollers;  /* poller threads of this mapping still running */
    bool deleted; /* removed from the registry; freed by the last poller (or at once) */
    pid_t child;  /* the function process the poller is waiting for, or 0 */
    eng_t *eng;   /* the namespace's engine (server/namespace.c): the mapping's record, its stream */
    struct esm *next;
} esm_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER; /* a poller ended */
static esm_t *g_list;
static int g_threads; /* poller threads running */
static bool g_stopping;

static char *dupz(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static void esm_strings_free(trig_esm_t *c)
{
    free((char *)c->stream_arn);
    free((char *)c->table);
    free((char *)c->label);
    free((char *)c->function);
    free((char *)c->function_arn);
    free((char *)c->region);
    free((char *)c->account);
    free((char *)c->starting_position);
    free((char *)c->filter_json);
    free((char *)c->dest_json);
    free((char *)c->last_result);
}

/* Copy c into the registry's heap-owned form. */
static void esm_set(trig_esm_t *dst, const trig_esm_t *c)
{
    trig_esm_t old = *dst;
    *dst = *c;
    dst->stream_arn = dupz(c->stream_arn);
    dst->table = dupz(c->table);
    dst->label = dupz(c->label);
    dst->function = dupz(c->function);
    dst->function_arn = dupz(c->function_arn);
    dst->region = dupz(c->region);
    dst->account = dupz(c->account);
    dst->starting_position = dupz(c->starting_position);
    dst->filter_json = dupz(c->filter_json);
    dst->dest_json = dupz(c->dest_json);
    dst->last_result = dupz(c->last_result);
    esm_strings_free(&old);
}

/* A copy of c in arena a (for callers outside the lock). */
static void esm_copy(arena_t *a, trig_esm_t *dst, const trig_esm_t *c)
{
    *dst = *c;
#define A(f) dst->f = c->f ? arena_strdup(a, c->f) : NULL
    A(stream_arn);
    A(table);
    A(label);
    A(function);
    A(function_arn);
    A(region);
    A(account);
    A(starting_position);
    A(filter_json);
    A(dest_json);
    A(last_result);
#undef A
}

/* The mapping `uuid` of engine e (a mapping of another namespace is not found). Under g_mu. */
static esm_t *esm_find(eng_t *e, const char *uuid)
{
    for (esm_t *m = g_list; m; m = m->next)
        if (m->eng == e && !strcmp(m->c.uuid, uuid)) return m;
    return NULL;
}

static void esm_free(esm_t *m)
{
    esm_strings_free(&m->c);
    free(m);
}

/* The persisted record's members (docs/storage-format.md "Server records"), one list for the writer
 * and the reader: S strings, B Booleans, I integers; "v", "uuid" and "modified" are handled apart. */
#define ESM_FIELDS(S, B, I)                                                                                  \
    S("arn", stream_arn)                                                                                     \
    S("table", table)                                                                                        \
    S("label", label)                                                                                        \
    S("function", function)                                                                                  \
    S("function_arn", function_arn)                                                                          \
    S("region", region)                                                                                      \
    S("account", account)                                                                                    \
    S("start", starting_position)                                                                            \
    S("filter", filter_json)                                                                                 \
    S("dest", dest_json)                                                                                     \
    S("result", last_result)                                                                                 \
    B("enabled", enabled)                                                                                    \
    B("bisect", bisect)                                                                                      \
    B("report_failures", report_failures)                                                                    \
    I("batch", batch_size)                                                                                   \
    I("window", window_s)                                                                                    \
    I("retry", max_retry)                                                                                    \
    I("age", max_age)                                                                                        \
    I("parallel", parallel)

/* The persisted form. */
static const char *esm_format(arena_t *a, const trig_esm_t *c, size_t *len)
{
    jw_t w;
    jw_init(&w, a, 512);
    jw_obj_begin(&w);
    jw_keyz(&w, "v");
    jw_int(&w, 1);
    jw_keyz(&w, "uuid");
    jw_strz(&w, c->uuid);
#define S(k, f)                                                                                              \
    if (c->f) {                                                                                              \
        jw_keyz(&w, k);                                                                                      \
        jw_strz(&w, c->f);                                                                                   \
    }
#define I(k, f)                                                                                              \
    jw_keyz(&w, k);                                                                                          \
    jw_int(&w, (long long)c->f);
#define B(k, f)                                                                                              \
    jw_keyz(&w, k);                                                                                          \
    jw_bool(&w, c->f);
    ESM_FIELDS(S, B, I)
#undef S
#undef I
#undef B
    jw_keyz(&w, "modified");
    jw_double(&w, c->last_modified);
    jw_obj_end(&w);
    *len = w.b.len;
    return w.b.data;
}

static int esm_parse(arena_t *a, const char *text, size_t len, trig_esm_t *c)
{
    json_t *j = json_parse(a, text, len, 8, NULL);
    if (!j || j->type != JSON_OBJECT) return -1;
    memset(c, 0, sizeof *c);
    const json_t *v;
    v = json_get(j, "uuid");
    if (!v || v->type != JSON_STRING || v->str.len != 36) return -1;
    memcpy(c->uuid, v->str.ptr, 37);
#define S(k, f) c->f = (v = json_get(j, k)) && v->type == JSON_STRING ? v->str.ptr : NULL;
#define I(k, f) c->f = (v = json_get(j, k)) && v->type == JSON_NUMBER ? strtoll(v->str.ptr, NULL, 10) : 0;
#define B(k, f) c->f = (v = json_get(j, k)) && v->type == JSON_TRUE;
    ESM_FIELDS(S, B, I)
#undef S
#undef I
#undef B
    c->last_modified = (v = json_get(j, "modified")) && v->type == JSON_NUMBER ? strtod(v->str.ptr, NULL) : 0;
    if (!c->stream_arn || !c->table || !c->label || !c->function || !c->function_arn) return -1;
    return 0;
}

static void key_of(char *out, size_t n, const char *kind, const char *uuid)
{
    snprintf(out, n, "%s/%s", kind, uuid);
}

/* ---- metrics: invocations by function and result ------------------------------------------------ */

typedef enum { RES_OK = 0, RES_ERROR, RES_PARTIAL, RES_STOPPED, RES__N } res_t;
static const char *const RES_NAMES[RES__N] = {"ok", "error", "partial", "stopped"};

typedef struct fstat {
    struct fstat *next;
    char *function;
    uint64_t calls[RES__N], records, discarded;
    double seconds;
} fstat_t;

static pthread_mutex_t g_stat_mu = PTHREAD_MUTEX_INITIALIZER; /* a leaf lock: nothing is taken under it */
static fstat_t *g_stats;

static fstat_t *fstat_of(const char *function) /* under g_stat_mu */
{
    for (fstat_t *f = g_stats; f; f = f->next)
        if (!strcmp(f->function, function)) return f;
    fstat_t *f = calloc(1, sizeof *f);
    if (!f || !(f->function = strdup(function))) abort();
    f->next = g_stats;
    g_stats = f;
    return f;
}

static void count_call(const char *function, res_t r, size_t records, uint64_t ms)
{
    pthread_mutex_lock(&g_stat_mu);
    fstat_t *f = fstat_of(function);
    f->calls[r]++;
    f->records += records;
    f->seconds += (double)ms / 1000.0;
    pthread_mutex_unlock(&g_stat_mu);
}

static void count_discard(const char *function)
{
    pthread_mutex_lock(&g_stat_mu);
    fstat_of(function)->discarded++;
    pthread_mutex_unlock(&g_stat_mu);
}

static void put_family(buf_t *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void put_label(buf_t *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') buf_putc(b, '\\');
        if (*s == '\n') {
            buf_puts(b, "\\n");
            continue;
        }
        buf_putc(b, *s);
    }
}

void trig_format_metrics(buf_t *b)
{
    pthread_mutex_lock(&g_stat_mu);
    put_family(b, "dynarock_trigger_invocations_total", "counter",
               "Function invocations by event-source mappings, by result");
    for (fstat_t *f = g_stats; f; f = f->next)
        for (int r = 0; r < RES__N; r++) {
            buf_puts(b, "dynarock_trigger_invocations_total{function=\"");
            put_label(b, f->function);
            buf_printf(b, "\",result=\"%s\"} %" PRIu64 "\n", RES_NAMES[r], f->calls[r]);
        }
    put_family(b, "dynarock_trigger_records_total", "counter",
               "Stream records sent to functions (again on retries)");
    for (fstat_t *f = g_stats; f; f = f->next) {
        buf_puts(b, "dynarock_trigger_records_total{function=\"");
        put_label(b, f->function);
        buf_printf(b, "\"} %" PRIu64 "\n", f->records);
    }
    put_family(b, "dynarock_trigger_invocation_seconds_total", "counter",
               "Time spent in function invocations");
    for (fstat_t *f = g_stats; f; f = f->next) {
        buf_puts(b, "dynarock_trigger_invocation_seconds_total{function=\"");
        put_label(b, f->function);
        buf_printf(b, "\"} %.3f\n", f->seconds);
    }
    put_family(b, "dynarock_trigger_discarded_batches_total", "counter",
               "Batches given up after their retries or record age were spent");
    for (fstat_t *f = g_stats; f; f = f->next) {
        buf_puts(b, "dynarock_trigger_discarded_batches_total{function=\"");
        put_label(b, f->function);
        buf_printf(b, "\"} %" PRIu64 "\n", f->discarded);
    }
    pthread_mutex_unlock(&g_stat_mu);
}

/* ---- time --------------------------------------------------------------------------------------------- */

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- poller: liveness and sleeping -------------------------------------------------------------------- */

typedef struct {
    esm_t *m;
    uint64_t gen;
    arena_t *a; /* reset per batch */
    const char *view;
    uint32_t ord; /* checkpoint: shard ordinal ... */
    uint64_t pos; /* ... and the first sequence number not yet delivered */
    trig_esm_t c; /* the configuration of the batch in hand (copied under g_mu into a) */
    bool lane;    /* one lane of a ParallelizationFactor read: no checkpoint of its own */
} poller_t;

static bool alive_locked(const poller_t *p)
{
    return !g_stopping && !p->m->deleted && p->m->gen == p->gen;
}

static bool alive(const poller_t *p)
{
    pthread_mutex_lock(&g_mu);
    bool ok = alive_locked(p);
    pthread_mutex_unlock(&g_mu);
    return ok;
}

/* Whether a function in flight must be abandoned now (shutdown, or its mapping deleted). A disable
 * or a change of function lets the invocation in hand finish and its checkpoint be written. */
static bool must_abandon(const poller_t *p)
{
    pthread_mutex_lock(&g_mu);
    bool stop = g_stopping || p->m->deleted;
    pthread_mutex_unlock(&g_mu);
    return stop;
}

/* fn_invoke's hooks: a function in flight is abandoned per must_abandon; its process is noted so that a
 * delete or the shutdown can kill it at once. */
static bool poller_abandon(void *ctx)
{
    return must_abandon(ctx);
}

static void poller_running(void *ctx, int pid)
{
    poller_t *p = ctx;
    pthread_mutex_lock(&g_mu);
    p->m->child = pid;
    pthread_mutex_unlock(&g_mu);
}

/* Sleep up to ms; false when the poller should stop (woken early by trig_stop / trig_stop_all). */
static bool nap(poller_t *p, unsigned ms)
{
    struct timespec ts = ddb_clock_after(CLOCK_REALTIME, ms);
    pthread_mutex_lock(&g_mu);
    while (alive_locked(p) && pthread_cond_timedwait(&g_cv, &g_mu, &ts) == 0) {
    }
    bool ok = alive_locked(p);
    pthread_mutex_unlock(&g_mu);
    return ok;
}

/* ---- poller: checkpoints, batches, delivery ----------------------------------------------------------- */

/* Persist the checkpoint (and the mapping, when its LastProcessingResult changes) in one batch.
 * Under g_mu, so that a mapping deleted meanwhile gets no checkpoint back; a stop or a disable does
 * not prevent it (the batch was delivered: the engine closes only after every poller is gone). */
static void set_result(poller_t *p, const char *result);

static void checkpoint_ex(poller_t *p, uint32_t ord, uint64_t pos, const char *result, bool store_mapping);

static void checkpoint(poller_t *p, uint32_t ord, uint64_t pos, const char *result)
{
    checkpoint_ex(p, ord, pos, result, false);
}

/* store_mapping: write the mapping with the checkpoint even when LastProcessingResult did not change
 * here (the lanes of a ParallelizationFactor read changed it in memory only). */
static void checkpoint_ex(poller_t *p, uint32_t ord, uint64_t pos, const char *result, bool store_mapping)
{
    if (p->lane) { /* the poller checkpoints once every lane is done */
        if (result) set_result(p, result);
        return;
    }
    pthread_mutex_lock(&g_mu);
    if (p->m->deleted) {
        pthread_mutex_unlock(&g_mu);
        return;
    }
    p->ord = ord;
    p->pos = pos;
    char ck[64], ek[64];
    key_of(ck, sizeof ck, "ckpt", p->m->c.uuid);
    key_of(ek, sizeof ek, "esm", p->m->c.uuid);
    char *val = arena_sprintf(p->a, "%" PRIu32 " %" PRIu64, ord, pos);
    eng_meta_op_t ops[2] = {{ck, strlen(ck), val, strlen(val)}};
    size_t n = 1;
    if (store_mapping || (result && (!p->m->c.last_result || strcmp(p->m->c.last_result, result)))) {
        if (result) {
            char *copy = dupz(result);
            free((char *)p->m->c.last_result);
            p->m->c.last_result = copy;
        }
        size_t len;
        const char *j = esm_format(p->a, &p->m->c, &len);
        ops[n++] = (eng_meta_op_t){ek, strlen(ek), j, len};
    }
    ddb_errctx_t err;
    err_init(&err, p->a);
    if (eng_meta_write(p->m->eng, ops, n, p->a, &err) != DDB_OK)
        log_error("trigger %s: cannot write its checkpoint: %s", p->m->c.uuid, err.msg ? err.msg : "");
    pthread_mutex_unlock(&g_mu);
}

static void set_result(poller_t *p, const char *result)
{
    pthread_mutex_lock(&g_mu);
    if (alive_locked(p) && (!p->m->c.last_result || strcmp(p->m->c.last_result, result))) {
        free((char *)p->m->c.last_result);
        p->m->c.last_result = dupz(result);
    }
    pthread_mutex_unlock(&g_mu);
}

static const char *event_json(poller_t *p, const eng_record_t *recs, size_t n, size_t *len)
{
    jw_t w;
    jw_init(&w, p->a, 1024);
    jw_obj_begin(&w);
    jw_keyz(&w, "Records");
    jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++)
        stream_write_record(&w, p->c.region, p->c.table, p->c.label, p->view, &recs[i], p->c.stream_arn);
    jw_arr_end(&w);
    jw_obj_end(&w);
    *len = w.b.len;
    return w.b.data;
}

/* Whether a record passes the mapping's FilterCriteria, matched against its JSON as delivered. */
static bool record_passes(poller_t *p, const eng_record_t *rec)
{
    jw_t w;
    jw_init(&w, p->a, 512);
    stream_write_record(&w, p->c.region, p->c.table, p->c.label, p->view, rec, p->c.stream_arn);
    json_t *j = json_parse(p->a, w.b.data, w.b.len, DDB_JSON_DEPTH, NULL);
    return j && trig_filter_match(p->a, p->c.filter_json, j);
}

/* A partial-batch response: the index of the first failed record (n: none failed), or -1 when the
 * response fails the whole batch (an identifier that names no record). */
static long first_failed(poller_t *p, const char *body, size_t blen, const eng_record_t *recs, size_t n)
{
    json_t *j = blen ? json_parse(p->a, body, blen, 16, NULL) : NULL;
    if (!j || j->type != JSON_OBJECT) return (long)n; /* not a partial response: success */
    const json_t *f = json_get(j, "batchItemFailures");
    if (!f || f->type != JSON_ARRAY) return (long)n;
    long first = (long)n;
    for (const json_t *e = f->child; e; e = e->next) {
        const json_t *id = e->type == JSON_OBJECT ? json_get(e, "itemIdentifier") : NULL;
        uint64_t seq;
        if (!id || id->type != JSON_STRING || !eng_seq_parse(id->str.ptr, id->str.len, &seq)) return -1;
        long k = -1;
        for (size_t i = 0; i < n; i++)
            if (recs[i].seq == seq) k = (long)i;
        if (k < 0) return -1;
        if (k < first) first = k;
    }
    return first;
}

static void failure_record(poller_t *p, const eng_record_t *recs, size_t n, const char *condition,
                           int invokes)
{
    if (!g_failure_dir) return;
    char first[ENG_SEQ_STRLEN + 1], last[ENG_SEQ_STRLEN + 1];
    eng_seq_format(first, recs[0].seq);
    eng_seq_format(last, recs[n - 1].seq);
    eng_stream_t st;
    eng_shard_t *sh;
    size_t nsh;
    const char *shard = "";
    if (eng_stream_describe(p->m->eng, p->c.table, p->c.label, p->a, &st, &sh, &nsh) == ENG_STREAM_OK)
        for (size_t i = 0; i < nsh; i++)
            if (sh[i].ord == p->ord) shard = sh[i].id;
    char ts[LOG_TIME_LEN + 1], t1[LOG_TIME_LEN + 1], t2[LOG_TIME_LEN + 1];
    log_format_time(ts);
    ts[LOG_TIME_LEN] = '\0';
    time_t c1 = (time_t)recs[0].created, c2 = (time_t)recs[n - 1].created;
    struct tm tm;
    gmtime_r(&c1, &tm);
    strftime(t1, sizeof t1, "%Y-%m-%dT%H:%M:%SZ", &tm);
    gmtime_r(&c2, &tm);
    strftime(t2, sizeof t2, "%Y-%m-%dT%H:%M:%SZ", &tm);
    jw_t w;
    jw_init(&w, p->a, 1024);
    jw_obj_begin(&w);
    jw_keyz(&w, "requestContext");
    jw_obj_begin(&w);
    uint8_t r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) memset(r, 0, sizeof r);
    jw_keyz(&w, "requestId");
    jw_strz(&w, arena_sprintf(p->a, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                              r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
                              r[13], r[14], r[15]));
    jw_keyz(&w, "functionArn");
    jw_strz(&w, p->c.function_arn);
    jw_keyz(&w, "condition");
    jw_strz(&w, condition);
    jw_keyz(&w, "approximateInvokeCount");
    jw_int(&w, invokes);
    jw_obj_end(&w);
    jw_keyz(&w, "responseContext");
    jw_obj_begin(&w);
    jw_keyz(&w, "statusCode");
    jw_int(&w, 200);
    jw_keyz(&w, "executedVersion");
    jw_strz(&w, "$LATEST");
    jw_keyz(&w, "functionError");
    jw_strz(&w, "Unhandled");
    jw_obj_end(&w);
    jw_keyz(&w, "version");
    jw_strz(&w, "1.0");
    jw_keyz(&w, "timestamp");
    jw_strz(&w, ts);
    jw_keyz(&w, "DDBStreamBatchInfo");
    jw_obj_begin(&w);
    jw_keyz(&w, "shardId");
    jw_strz(&w, shard);
    jw_keyz(&w, "startSequenceNumber");
    jw_strz(&w, first);
    jw_keyz(&w, "endSequenceNumber");
    jw_strz(&w, last);
    jw_keyz(&w, "approximateArrivalOfFirstRecord");
    jw_strz(&w, t1);
    jw_keyz(&w, "approximateArrivalOfLastRecord");
    jw_strz(&w, t2);
    jw_keyz(&w, "batchSize");
    jw_int(&w, (long long)n);
    jw_keyz(&w, "streamArn");
    jw_strz(&w, p->c.stream_arn);
    jw_obj_end(&w);
    jw_obj_end(&w);
    char *path = arena_sprintf(p->a, "%s/%s-%s.json", g_failure_dir, p->m->c.uuid, first);
    char *tmp = arena_sprintf(p->a, "%s.tmp", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp || fwrite(w.b.data, 1, w.b.len, fp) != w.b.len || fputc('\n', fp) == EOF || fclose(fp) != 0 ||
        rename(tmp, path) != 0)
        log_error("trigger %s: cannot write the failure record %s: %s", p->m->c.uuid, path, strerror(errno));
}

typedef enum { DLV_DONE = 0, DLV_STOPPED } dlv_rc_t;

/* Deliver recs[0..n) of shard p->ord: returns once they are delivered or discarded (checkpoint moved
 * to end, the position after them and after any record filtered out behind them), or when the poller
 * is stopped (checkpoint where it was). */
static dlv_rc_t deliver(poller_t *p, const eng_record_t *recs, size_t n, uint64_t end)
{
    int attempts = 0;
    while (n > 0) {
        if (!alive(p)) return DLV_STOPPED;
        /* records older than MaximumRecordAgeInSeconds are discarded unprocessed, as Lambda does (the
         * oldest come first) */
        size_t old = 0;
        double now = wall_s();
        while (p->c.max_age >= 0 && old < n && now - recs[old].created > (double)p->c.max_age) old++;
        if (old > 0) {
            log_warn("trigger %s: function %s: %zu records discarded (RecordAgeExceeded)", p->m->c.uuid,
                     p->c.function, old);
            failure_record(p, recs, old, "RecordAgeExceeded", attempts);
            count_discard(p->c.function);
            uint64_t past = old == n ? end : recs[old].seq;
            checkpoint(p, p->ord, past, "PROBLEM: Function call failed");
            if (old == n) return DLV_DONE;
            recs += old;
            n -= old;
            attempts = 0;
        }
        size_t elen;
        const char *event = event_json(p, recs, n, &elen);
        buf_t out;
        buf_init(&out, p->a, 256);
        const char *reason = NULL;
        uint64_t t0 = ddb_mono_ms();
        fn_call_t call = {p->a, p->c.region, poller_abandon, poller_running, p};
        fn_rc_t rc = fn_invoke(&call, p->c.function, event, elen, &out, &reason);
        uint64_t ms = ddb_mono_ms() - t0;
        long k = (long)n; /* records before k succeeded */
        if (rc == FN_OK && p->c.report_failures) k = first_failed(p, out.data, out.len, recs, n);
        count_call(p->c.function,
                   rc == FN_STOPPED ? RES_STOPPED
                   : rc != FN_OK    ? RES_ERROR
                   : k != (long)n   ? RES_PARTIAL
                                    : RES_OK,
                   n, ms);
        if (rc == FN_STOPPED) {
            log_info("trigger %s: function %s, %zu records, %" PRIu64 " ms: stopped", p->m->c.uuid,
                     p->c.function, n, ms);
            return DLV_STOPPED;
        }
        if (rc == FN_OK && k == (long)n) {
            checkpoint(p, p->ord, end, "OK"); /* first: the log line says it is stored */
            log_info("trigger %s: function %s, %zu records, %" PRIu64 " ms: OK", p->m->c.uuid, p->c.function,
                     n, ms);
            return DLV_DONE;
        }
        if (rc == FN_OK) {
            if (k < 0) k = 0;
            log_info("trigger %s: function %s, %zu records, %" PRIu64 " ms: partial failure from record %ld",
                     p->m->c.uuid, p->c.function, n, ms, k);
            if (k > 0) checkpoint(p, p->ord, recs[k].seq, "PROBLEM: Function call failed");
            recs += k;
            n -= (size_t)k;
        } else {
            log_info("trigger %s: function %s, %zu records, %" PRIu64 " ms: error: %s", p->m->c.uuid,
                     p->c.function, n, ms, reason ? reason : "function error");
        }
        set_result(p, "PROBLEM: Function call failed");
        if (p->c.bisect && n > 1) {
            size_t half = n / 2;
            if (deliver(p, recs, half, recs[half].seq) == DLV_STOPPED) return DLV_STOPPED;
            recs += half;
            n -= half;
            attempts = 0;
            continue;
        }
        attempts++;
        const char *condition = NULL;
        if (p->c.max_age >= 0 && wall_s() - recs[0].created > (double)p->c.max_age)
            condition = "RecordAgeExceeded";
        else if (p->c.max_retry >= 0 && attempts > p->c.max_retry)
            condition = "RetryAttemptsExhausted";
        if (condition) {
            log_warn("trigger %s: function %s: %zu records discarded (%s)", p->m->c.uuid, p->c.function, n,
                     condition);
            failure_record(p, recs, n, condition, attempts);
            count_discard(p->c.function);
            checkpoint(p, p->ord, end, "PROBLEM: Function call failed");
            return DLV_DONE;
        }
        unsigned delay = BACKOFF_FIRST_MS << (attempts - 1 < 6 ? attempts - 1 : 6);
        if (delay > BACKOFF_MAX_MS) delay = BACKOFF_MAX_MS;
        if (!nap(p, delay)) return DLV_STOPPED;
    }
    return DLV_DONE;
}

/* ---- ParallelizationFactor: lanes by partition key ------------------------------------------------ */

typedef struct {
    poller_t lp; /* a copy of the poller with its own arena, lane set */
    const eng_record_t *recs;
    size_t n;
    dlv_rc_t rc;
    pthread_t tid;
    bool thread;
} lane_t;

/* One lane's records in batches of BatchSize, one after another (a lane keeps its keys' order). */
static void *lane_main(void *arg)
{
    lane_t *l = arg;
    size_t batch = l->lp.c.batch_size > 0 ? (size_t)l->lp.c.batch_size : 100;
    l->rc = DLV_DONE;
    for (size_t i = 0; i < l->n && l->rc == DLV_DONE; i += batch) {
        arena_reset(l->lp.a);
        size_t k = l->n - i < batch ? l->n - i : batch;
        l->rc = deliver(&l->lp, l->recs + i, k, 0);
    }
    return NULL;
}

/* Lane of a record: a hash of its key, so one key's records stay in order in one lane. */
static unsigned lane_of(arena_t *a, const eng_record_t *r, unsigned lanes)
{
    jw_t w;
    jw_init(&w, a, 128);
    avjson_write_map(&w, r->keys);
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < w.b.len; i++) h = (h ^ (uint8_t)w.b.data[i]) * 0x100000001b3ULL;
    return (unsigned)(h % lanes);
}

/* Records of up to ParallelizationFactor lanes delivered at once, each lane in order; the checkpoint
 * moves to end once every lane is done (a crash repeats the whole read, at least once). */
static dlv_rc_t deliver_lanes(poller_t *p, const eng_record_t *recs, size_t n, uint64_t end)
{
    unsigned lanes = (unsigned)p->c.parallel;
    lane_t *L = arena_calloc(p->a, lanes * sizeof *L);
    unsigned *which = arena_alloc(p->a, n * sizeof *which);
    size_t *count = arena_calloc(p->a, lanes * sizeof *count);
    for (size_t i = 0; i < n; i++) count[which[i] = lane_of(p->a, &recs[i], lanes)]++;
    eng_record_t *sorted = arena_alloc(p->a, n * sizeof *sorted);
    size_t at = 0;
    for (unsigned l = 0; l < lanes; l++) {
        L[l].recs = sorted + at;
        for (size_t i = 0; i < n; i++)
            if (which[i] == l) sorted[at + L[l].n++] = recs[i];
        at += L[l].n;
    }
    for (unsigned l = 0; l < lanes; l++) {
        if (!L[l].n) continue;
        L[l].lp = *p;
        L[l].lp.a = arena_new(1 << 16);
        L[l].lp.lane = true;
        L[l].thread = pthread_create(&L[l].tid, NULL, lane_main, &L[l]) == 0;
        if (!L[l].thread) lane_main(&L[l]);
    }
    dlv_rc_t rc = DLV_DONE;
    for (unsigned l = 0; l < lanes; l++) {
        if (!L[l].n) continue;
        if (L[l].thread) pthread_join(L[l].tid, NULL);
        arena_free(L[l].lp.a);
        if (L[l].rc == DLV_STOPPED) rc = DLV_STOPPED;
    }
    if (rc == DLV_DONE) {
        /* the lanes changed LastProcessingResult in memory only: store it with the checkpoint */
        checkpoint_ex(p, p->ord, end, NULL, true);
    }
    return rc;
}

/* ---- reading a batch ----------------------------------------------------------------------------------- */

typedef struct {
    eng_record_t *recs; /* the records that pass the filter, in order (in p->a) */
    size_t n;
    size_t bytes;   /* their SizeBytes */
    uint64_t end;   /* the position after the last record read (passing or not) */
    bool shard_end; /* a closed shard's end was reached */
} batch_t;

#define READ_MAX 10000 /* records read past the filter in one gather at most (the checkpoint passes them) */

/* Add to b the records of the checkpoint's shard from b->end on that pass the mapping's FilterCriteria,
 * until it holds `limit` of them or EVENT_MAX_BYTES, the shard has nothing more yet, or READ_MAX
 * records were read: records a filter drops do not count against the batch, as in Lambda. Reads
 * nothing when b is full. A trim or a missing shard is answered only to a first read (b empty). */
static eng_stream_rc_t gather(poller_t *p, size_t limit, batch_t *b)
{
    size_t read = 0;
    while (b->n < limit && b->bytes < EVENT_MAX_BYTES && !b->shard_end && read < READ_MAX) {
        size_t want = limit - b->n;
        eng_records_t rs;
        eng_stream_rc_t rc = eng_stream_read(p->m->eng, p->c.table, p->c.label, p->ord, b->end, want,
                                             EVENT_MAX_BYTES - b->bytes, p->a, &rs);
        if (rc != ENG_STREAM_OK) return b->n || b->end != p->pos ? ENG_STREAM_OK : rc;
        b->shard_end = rs.shard_end;
        if (rs.n == 0) break;
        read += rs.n;
        b->end = rs.next_pos;
        if (!b->recs) b->recs = arena_alloc(p->a, limit * sizeof *b->recs); /* a read gives at most want */
        for (size_t i = 0; i < rs.n; i++) {
            if (p->c.filter_json && !record_passes(p, &rs.recs[i])) continue;
            b->recs[b->n++] = rs.recs[i];
            b->bytes += rs.recs[i].size;
        }
        if (rs.n < want) break; /* caught up with the shard */
    }
    return ENG_STREAM_OK;
}

/* Move the checkpoint to where the stream still has records (after a trim, or a shard's end). */
static bool reposition(poller_t *p, bool next_shard)
{
    eng_stream_t st;
    eng_shard_t *sh;
    size_t nsh;
    if (eng_stream_describe(p->m->eng, p->c.table, p->c.label, p->a, &st, &sh, &nsh) != ENG_STREAM_OK || !nsh)
        return false;
    p->view = arena_strdup(p->a, st.view);
    const eng_shard_t *to = NULL;
    for (size_t i = 0; i < nsh && !to; i++)
        if (next_shard ? sh[i].ord > p->ord : true) to = &sh[i];
    if (!to) return false;
    uint32_t ord;
    uint64_t pos;
    if (eng_stream_iterator(p->m->eng, p->c.table, p->c.label, to->id, ENG_ITER_TRIM_HORIZON, 0, &ord,
                            &pos) != ENG_STREAM_OK)
        return false;
    checkpoint(p, ord, pos, NULL);
    return true;
}

static void *poller_main(void *arg)
{
    poller_t *p = arg;
    esm_t *m = p->m;
    /* an older poller of this mapping is still finishing: wait until it is gone */
    pthread_mutex_lock(&g_mu);
    while (m->pollers > 1 && alive_locked(p)) pthread_cond_wait(&g_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);
    p->a = arena_new(1 << 16);
    arena_t *keep = arena_new(4096); /* the view type, across batches */
    char ck[64];
    key_of(ck, sizeof ck, "ckpt", m->c.uuid);
    char *val;
    size_t vlen;
    if (eng_meta_get(p->m->eng, ck, strlen(ck), p->a, &val, &vlen) == 1)
        sscanf(val, "%" SCNu32 " %" SCNu64, &p->ord, &p->pos);
    eng_stream_t st;
    eng_shard_t *sh;
    size_t nsh;
    p->view = "NEW_AND_OLD_IMAGES";
    pthread_mutex_lock(&g_mu);
    esm_copy(keep, &p->c, &m->c);
    pthread_mutex_unlock(&g_mu);
    if (eng_stream_describe(p->m->eng, p->c.table, p->c.label, keep, &st, &sh, &nsh) == ENG_STREAM_OK)
        p->view = st.view;
    log_info("trigger %s: polling %s for function %s", m->c.uuid, p->c.stream_arn, p->c.function);
    while (alive(p)) {
        arena_reset(p->a);
        pthread_mutex_lock(&g_mu);
        const char *view = p->view;
        esm_copy(p->a, &p->c, &m->c);
        pthread_mutex_unlock(&g_mu);
        p->view = view;
        size_t limit = p->c.batch_size > 0 ? (size_t)p->c.batch_size : 100;
        if (p->c.parallel > 1) limit *= (size_t)p->c.parallel; /* a batch for each lane */
        batch_t b = {NULL, 0, 0, p->pos, false};
        eng_stream_rc_t rc = gather(p, limit, &b);
        if (rc == ENG_STREAM_TRIMMED || rc == ENG_STREAM_NO_SHARD) {
            if (!reposition(p, false) && !nap(p, 1000)) break;
            p->view = p->view ? arena_strdup(keep, p->view) : "NEW_AND_OLD_IMAGES";
            continue;
        }
        if (rc != ENG_STREAM_OK) { /* the stream is gone (past retention), or storage trouble */
            if (!nap(p, 1000)) break;
            continue;
        }
        if (b.n == 0) {
            if (b.end != p->pos) { /* everything read was filtered out: the checkpoint passes it */
                checkpoint(p, p->ord, b.end, NULL);
                continue;
            }
            if (b.shard_end && reposition(p, true)) {
                p->view = arena_strdup(keep, p->view);
                continue;
            }
            if (!nap(p, POLL_MS)) break;
            continue;
        }
        /* the batching window: wait for a full batch, at most MaximumBatchingWindowInSeconds */
        if (b.n < limit && p->c.window_s > 0 && !b.shard_end) {
            uint64_t until = ddb_mono_ms() + (uint64_t)p->c.window_s * 1000;
            bool stopped = false;
            while (b.n < limit && !b.shard_end && b.bytes < EVENT_MAX_BYTES && ddb_mono_ms() < until) {
                if (!nap(p, POLL_MS)) {
                    stopped = true;
                    break;
                }
                if (gather(p, limit, &b) != ENG_STREAM_OK) break;
            }
            if (stopped) break;
        }
        const eng_record_t *recs = b.recs;
        size_t kept = b.n;
        uint64_t end = b.end;
        if (p->c.parallel > 1 && kept > 1) {
            if (deliver_lanes(p, recs, kept, end) == DLV_STOPPED) break;
        } else if (deliver(p, recs, kept, end) == DLV_STOPPED) {
            break;
        }
    }
    arena_free(p->a);
    arena_free(keep);
    pthread_mutex_lock(&g_mu);
    m->pollers--;
    g_threads--;
    bool free_it = m->deleted && m->pollers == 0;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    if (free_it) esm_free(m);
    free(p);
    return NULL;
}

/* Start a poller for m (under g_mu). */
static void poller_start_locked(esm_t *m)
{
    if (g_stopping || !g_started) return;
    poller_t *p = calloc(1, sizeof *p);
    if (!p) abort();
    p->m = m;
    p->gen = m->gen;
    m->pollers++;
    g_threads++;
    pthread_t tid;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &at, poller_main, p) != 0) {
        log_error("trigger %s: cannot start its poller", m->c.uuid);
        m->pollers--;
        g_threads--;
        free(p);
    }
    pthread_attr_destroy(&at);
}

/* Stop m's poller (under g_mu): it exits within a tick; `now` (shutdown, delete) kills its function,
 * otherwise (disable, another function) the invocation in hand finishes first. */
static void poller_stop_locked(esm_t *m, bool now)
{
    m->gen++;
    if (now && m->child > 0) kill(-m->child, SIGKILL);
    pthread_cond_broadcast(&g_cv);
}

/* ---- the API for lambda_api.c ------------------------------------------------------------------------- */

static void new_uuid(char out[37])
{
    uint8_t r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        for (int i = 0; i < 16; i++)
            r[i] = (uint8_t)((uint64_t)ts.tv_nsec * 2654435761u >> (i % 8 * 4)) ^ (uint8_t)i;
    }
    r[6] = (r[6] & 0x0f) | 0x40;
    r[8] = (r[8] & 0x3f) | 0x80;
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

trig_rc_t trig_esm_create(eng_t *e, trig_esm_t *c, arena_t *a, char conflict_uuid[37])
{
    /* where delivery starts: decided now, so that LATEST means "after this call" */
    eng_stream_t st;
    eng_shard_t *sh;
    size_t nsh;
    if (eng_stream_describe(e, c->table, c->label, a, &st, &sh, &nsh) != ENG_STREAM_OK || nsh == 0)
        return TRIG_NO_STREAM;
    bool latest = !strcmp(c->starting_position, "LATEST");
    const eng_shard_t *from = latest ? &sh[nsh - 1] : &sh[0];
    uint32_t ord;
    uint64_t pos;
    if (eng_stream_iterator(e, c->table, c->label, from->id, latest ? ENG_ITER_LATEST : ENG_ITER_TRIM_HORIZON,
                            0, &ord, &pos) != ENG_STREAM_OK)
        return TRIG_NO_STREAM;
    pthread_mutex_lock(&g_mu);
    for (esm_t *m = g_list; m; m = m->next)
        if (m->eng == e && !strcmp(m->c.stream_arn, c->stream_arn) &&
            !strcmp(m->c.function_arn, c->function_arn)) {
            memcpy(conflict_uuid, m->c.uuid, 37);
            pthread_mutex_unlock(&g_mu);
            return TRIG_CONFLICT;
        }
    new_uuid(c->uuid);
    c->last_modified = wall_s();
    c->last_result = "No records processed";
    char ek[64], ck[64];
    key_of(ek, sizeof ek, "esm", c->uuid);
    key_of(ck, sizeof ck, "ckpt", c->uuid);
    size_t jl;
    const char *j = esm_format(a, c, &jl);
    char *cv = arena_sprintf(a, "%" PRIu32 " %" PRIu64, ord, pos);
    eng_meta_op_t ops[2] = {{ek, strlen(ek), j, jl}, {ck, strlen(ck), cv, strlen(cv)}};
    ddb_errctx_t err;
    err_init(&err, a);
    if (eng_meta_write(e, ops, 2, a, &err) != DDB_OK) {
        pthread_mutex_unlock(&g_mu);
        return TRIG_STORAGE;
    }
    esm_t *m = calloc(1, sizeof *m);
    if (!m) abort();
    esm_set(&m->c, c);
    m->eng = e;
    m->next = g_list;
    g_list = m;
    if (m->c.enabled) poller_start_locked(m);
    pthread_mutex_unlock(&g_mu);
    log_info("trigger %s: created: %s -> function %s (%s, batch %" PRId64 ")", c->uuid, c->stream_arn,
             c->function, c->starting_position, c->batch_size);
    return TRIG_OK;
}

bool trig_esm_get(eng_t *e, const char *uuid, arena_t *a, trig_esm_t *out)
{
    pthread_mutex_lock(&g_mu);
    esm_t *m = esm_find(e, uuid);
    if (m) esm_copy(a, out, &m->c);
    pthread_mutex_unlock(&g_mu);
    return m != NULL;
}

static int cmp_esm(const void *x, const void *y)
{
    return strcmp(((const trig_esm_t *)x)->uuid, ((const trig_esm_t *)y)->uuid);
}

size_t trig_esm_list(eng_t *e, arena_t *a, trig_esm_t **out)
{
    pthread_mutex_lock(&g_mu);
    size_t n = 0;
    for (esm_t *m = g_list; m; m = m->next) n += m->eng == e;
    trig_esm_t *v = arena_alloc(a, (n ? n : 1) * sizeof *v);
    size_t i = 0;
    for (esm_t *m = g_list; m; m = m->next)
        if (m->eng == e) esm_copy(a, &v[i++], &m->c);
    pthread_mutex_unlock(&g_mu);
    qsort(v, n, sizeof *v, cmp_esm);
    *out = v;
    return n;
}

trig_rc_t trig_esm_update(eng_t *e, const trig_esm_t *c, arena_t *a, char conflict_uuid[37])
{
    pthread_mutex_lock(&g_mu);
    esm_t *m = esm_find(e, c->uuid);
    if (!m) {
        pthread_mutex_unlock(&g_mu);
        return TRIG_NOT_FOUND;
    }
    for (esm_t *o = g_list; o; o = o->next)
        if (o != m && o->eng == e && !strcmp(o->c.stream_arn, c->stream_arn) &&
            !strcmp(o->c.function_arn, c->function_arn)) {
            memcpy(conflict_uuid, o->c.uuid, 37);
            pthread_mutex_unlock(&g_mu);
            return TRIG_CONFLICT;
        }
    trig_esm_t nc = *c;
    nc.last_modified = wall_s();
    nc.last_result = m->c.last_result;
    char ek[64];
    key_of(ek, sizeof ek, "esm", c->uuid);
    size_t jl;
    const char *j = esm_format(a, &nc, &jl);
    eng_meta_op_t op = {ek, strlen(ek), j, jl};
    ddb_errctx_t err;
    err_init(&err, a);
    if (eng_meta_write(e, &op, 1, a, &err) != DDB_OK) {
        pthread_mutex_unlock(&g_mu);
        return TRIG_STORAGE;
    }
    bool was = m->c.enabled, fn_changed = strcmp(m->c.function_arn, nc.function_arn) != 0;
    esm_set(&m->c, &nc);
    if (was && (!nc.enabled || fn_changed)) poller_stop_locked(m, false);
    if (nc.enabled && (!was || fn_changed)) poller_start_locked(m);
    pthread_mutex_unlock(&g_mu);
    return TRIG_OK;
}

trig_rc_t trig_esm_delete(eng_t *e, const char *uuid, arena_t *a, trig_esm_t *out)
{
    pthread_mutex_lock(&g_mu);
    esm_t **at = &g_list;
    while (*at && ((*at)->eng != e || strcmp((*at)->c.uuid, uuid))) at = &(*at)->next;
    esm_t *m = *at;
    if (!m) {
        pthread_mutex_unlock(&g_mu);
        return TRIG_NOT_FOUND;
    }
    char ek[64], ck[64];
    key_of(ek, sizeof ek, "esm", uuid);
    key_of(ck, sizeof ck, "ckpt", uuid);
    eng_meta_op_t ops[2] = {{ek, strlen(ek), NULL, 0}, {ck, strlen(ck), NULL, 0}};
    ddb_errctx_t err;
    err_init(&err, a);
    if (eng_meta_write(e, ops, 2, a, &err) != DDB_OK) {
        pthread_mutex_unlock(&g_mu);
        return TRIG_STORAGE;
    }
    esm_copy(a, out, &m->c);
    *at = m->next;
    m->deleted = true;
    poller_stop_locked(m, true);
    bool free_now = m->pollers == 0;
    pthread_mutex_unlock(&g_mu);
    if (free_now) esm_free(m);
    log_info("trigger %s: deleted", uuid);
    return TRIG_OK;
}

/* ---- --trigger TABLE=COMMAND: a function TABLE-trigger and a mapping with defaults -------------------- */

typedef struct {
    char *table;
    char *function;   /* "<table>-trigger" */
    char *label_done; /* the stream label a mapping was made (or found) for, or NULL */
    bool warned;      /* "no stream yet" logged */
} trigger_t;

static trigger_t *g_triggers;
static size_t g_ntriggers;

#define KEEPER_MS 200 /* how often a --trigger table is looked at for a (new) stream */

/* The mapping of each --trigger table's current stream, made once the table has a stream (and again for a
 * later stream of the same name); the mappings are ordinary ones (listed, persisted, deletable). */
static void keeper_step(arena_t *a)
{
    for (size_t i = 0; i < g_ntriggers; i++) {
        trigger_t *t = &g_triggers[i];
        eng_table_t *tab = eng_table_get(g_eng, t->table, strlen(t->table));
        const char *label =
            tab && tab->stream_enabled && tab->stream_label ? arena_strdup(a, tab->stream_label) : NULL;
        if (tab) eng_table_release(tab);
        if (!label) {
            if (!t->warned)
                log_warn("--trigger %s: the table %s; the trigger starts once it has a stream "
                         "(StreamSpecification)",
                         t->table, tab ? "has no stream" : "does not exist yet");
            t->warned = true;
            continue;
        }
        if (t->label_done && !strcmp(t->label_done, label)) continue;
        trig_esm_t c;
        memset(&c, 0, sizeof c);
        c.stream_arn = arena_sprintf(a, "arn:aws:dynamodb:us-east-1:%s:table/%s/stream/%s", DDB_ACCOUNT,
                                     t->table, label);
        c.table = t->table;
        c.label = label;
        c.function = t->function;
        c.function_arn =
            arena_sprintf(a, "arn:aws:lambda:us-east-1:%s:function:%s", DDB_ACCOUNT, t->function);
        c.region = "us-east-1";
        c.account = DDB_ACCOUNT;
        c.starting_position = "TRIM_HORIZON";
        c.enabled = true;
        c.batch_size = 100;
        c.max_retry = -1;
        c.max_age = -1;
        c.parallel = 1;
        char conflict[37];
        trig_rc_t rc = trig_esm_create(g_eng, &c, a, conflict);
        if (rc == TRIG_OK || rc == TRIG_CONFLICT) { /* made now, or kept from an earlier run */
            free(t->label_done);
            t->label_done = dupz(label);
        }
    }
}

static void *keeper_main(void *arg)
{
    (void)arg;
    arena_t *a = arena_new(4096);
    for (;;) {
        pthread_mutex_lock(&g_mu);
        bool stop = g_stopping;
        pthread_mutex_unlock(&g_mu);
        if (stop) break;
        arena_reset(a);
        keeper_step(a);
        struct timespec ts = ddb_clock_after(CLOCK_REALTIME, KEEPER_MS);
        pthread_mutex_lock(&g_mu);
        while (!g_stopping && pthread_cond_timedwait(&g_cv, &g_mu, &ts) == 0) {
        }
        pthread_mutex_unlock(&g_mu);
    }
    arena_free(a);
    pthread_mutex_lock(&g_mu);
    g_threads--;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    return NULL;
}

/* ---- start and stop ----------------------------------------------------------------------------------- */

/* Load the mappings stored in engine e and start the pollers of the enabled ones; -1 when they cannot be
 * read. */
static int load(eng_t *e)
{
    arena_t *a = arena_new(1 << 16);
    eng_meta_kv_t *kv;
    size_t n;
    if (eng_meta_list(e, "esm/", a, &kv, &n) != 0) {
        arena_free(a);
        return -1;
    }
    pthread_mutex_lock(&g_mu);
    for (size_t i = 0; i < n; i++) {
        trig_esm_t c;
        if (esm_parse(a, kv[i].val, kv[i].vlen, &c) != 0) {
            log_error("event-source mapping %s: unreadable record skipped", kv[i].key);
            continue;
        }
        esm_t *m = calloc(1, sizeof *m);
        if (!m) abort();
        esm_set(&m->c, &c);
        m->eng = e;
        m->next = g_list;
        g_list = m;
        if (m->c.enabled) poller_start_locked(m);
    }
    pthread_mutex_unlock(&g_mu);
    if (n) log_info("triggers: %zu event-source mappings loaded", n);
    arena_free(a);
    return 0;
}

void trig_attach(eng_t *e)
{
    pthread_mutex_lock(&g_mu);
    bool now = g_started && !g_stopping;
    pthread_mutex_unlock(&g_mu);
    if (now && load(e) != 0) log_error("triggers: cannot read the event-source mappings of a namespace");
}

int trig_start(const ddb_config_t *cfg, eng_t *e, char *errbuf, size_t errlen)
{
    g_failure_dir = cfg->failure_dir;
    if (g_failure_dir && mkdir(g_failure_dir, 0755) != 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "cannot create --failure-dir %s: %s", g_failure_dir, strerror(errno));
        return -1;
    }
    if (fn_setup(cfg, errbuf, errlen) != 0) return -1;
    for (size_t i = 0; i < cfg->n_triggers; i++) {
        const char *s = cfg->triggers[i], *eq = strchr(s, '=');
        if (!eq || eq == s || !eq[1]) {
            snprintf(errbuf, errlen, "--trigger needs TABLE=COMMAND, not '%s'", s);
            return -1;
        }
        g_triggers = realloc(g_triggers, (g_ntriggers + 1) * sizeof *g_triggers);
        if (!g_triggers) abort();
        trigger_t *t = &g_triggers[g_ntriggers++];
        memset(t, 0, sizeof *t);
        t->table = strndup(s, (size_t)(eq - s));
        t->function = malloc(strlen(t->table) + 9);
        if (!t->table || !t->function) abort();
        sprintf(t->function, "%s-trigger", t->table);
        if (fn_add(t->function, eq + 1, errbuf, errlen) != 0) return -1;
    }
    g_eng = e;
    eng_t *engs[NS_ENGINES_MAX];
    size_t ne = ns_engines(engs, NS_ENGINES_MAX);
    pthread_mutex_lock(&g_mu);
    g_started = true;
    pthread_mutex_unlock(&g_mu);
    for (size_t i = 0; i < ne; i++)
        if (load(engs[i]) != 0) {
            snprintf(errbuf, errlen, "cannot read the event-source mappings");
            return -1;
        }
    if (g_ntriggers) {
        pthread_t tid;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_mutex_lock(&g_mu);
        g_threads++;
        if (pthread_create(&tid, &at, keeper_main, NULL) != 0) {
            g_threads--;
            log_error("--trigger: cannot start its thread");
        }
        pthread_mutex_unlock(&g_mu);
        pthread_attr_destroy(&at);
    }
    return 0;
}

void trig_stop_all(void)
{
    pthread_mutex_lock(&g_mu);
    g_stopping = true;
    for (esm_t *m = g_list; m; m = m->next) poller_stop_locked(m, true);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    while (g_threads > 0)
        if (pthread_cond_timedwait(&g_cv, &g_mu, &until) != 0) break;
    int left = g_threads;
    esm_t *list = left ? NULL : g_list;
    g_list = left ? g_list : NULL;
    pthread_mutex_unlock(&g_mu);
    if (left) {
        log_error("triggers: %d pollers did not stop; left to the process exit", left);
        return;
    }
    while (list) {
        esm_t *next = list->next;
        esm_free(list);
        list = next;
    }
    fn_teardown();
    pthread_mutex_lock(&g_stat_mu);
    while (g_stats) {
        fstat_t *f = g_stats;
        g_stats = f->next;
        free(f->function);
        free(f);
    }
    pthread_mutex_unlock(&g_stat_mu);
    for (size_t i = 0; i < g_ntriggers; i++) {
        free(g_triggers[i].table);
        free(g_triggers[i].function);
        free(g_triggers[i].label_done);
    }
    free(g_triggers);
    g_triggers = NULL;
    g_ntriggers = 0;
    g_eng = NULL;
    g_started = false;
}
