/*
 * metrics: GET /metrics in Prometheus's text format (version 0.0.4), and the counters behind it.
 *
 * Counters: one block_t per worker thread, made by the thread on its first request (the only lock:
 * linking it into the list of blocks, once per thread) and never freed (workers live until the
 * process exits). A thread writes only its own block, with relaxed atomic loads and stores (plain
 * moves on x86: no lock, no read-modify-write); the scrape walks the list and sums. A sum can be
 * mid-request on another thread (a request counted, its latency not yet): Prometheus tolerates it.
 *
 * Operations are indexed by their handler (door_t.fn, from ops.def and streams_ops.def): index 0
 * is "none", every request that is not a routed API call (GET /, GET /metrics, another path, an
 * unknown X-Amz-Target). Outcomes are the error table's rows (DDB_ERR_OK = "OK") plus one for an
 * answer that is not 200 and carries no DynamoDB error (a framing refusal, 413): "HTTP".
 *
 * What a scrape reads besides the counters: items and bytes per table (eng_table_stats), RocksDB's
 * memtables, block cache, pending compaction and background errors (eng_db_property), and the
 * established TCP connections on the listening port (/proc/net/tcp and tcp6: the kernel's count,
 * so no hook on a connection's open and close).
 */
#include "server/door.h"
#include "server/http.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/decimal.h"

typedef struct {
    const char *name;
    api_fn fn;
} op_t;

#define IMPL(n) {#n, api_##n},
static const op_t OPS[] = {
    {"none", NULL},
#include "server/ops.def"
#include "server/streams_ops.def"
};
#undef IMPL
#define NOPS (sizeof OPS / sizeof OPS[0])
#define NOUT (DDB_ERR__COUNT + 1) /* the error table's rows, then "HTTP" */

/* Bucket upper bounds in microseconds, and as Prometheus reads them (seconds). */
static const uint64_t BOUNDS_US[METRICS_NBUCKETS] = {100,   250,   500,    1000,   2500,   5000,    10000,
                                                     25000, 50000, 100000, 250000, 500000, 1000000, 10000000};
static const char *const BOUNDS_S[METRICS_NBUCKETS] = {"0.0001", "0.00025", "0.0005", "0.001", "0.0025",
                                                       "0.005",  "0.01",    "0.025",  "0.05",  "0.1",
                                                       "0.25",   "0.5",     "1",      "10"};

typedef _Atomic uint64_t counter_t;

typedef struct block {
    counter_t started, done;
    counter_t requests[NOPS][NOUT];
    counter_t latency[NOPS][METRICS_NBUCKETS + 1];
    counter_t latency_us[NOPS];
    struct block *next;
} block_t;

static _Atomic(block_t *) g_blocks;
static pthread_mutex_t g_blocks_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local block_t *t_block;

static block_t *thread_block(void)
{
    if (t_block) return t_block;
    block_t *b = calloc(1, sizeof *b);
    if (!b) abort();
    pthread_mutex_lock(&g_blocks_mu);
    b->next = atomic_load_explicit(&g_blocks, memory_order_relaxed);
    atomic_store_explicit(&g_blocks, b, memory_order_release);
    pthread_mutex_unlock(&g_blocks_mu);
    return t_block = b;
}

/* Only this thread writes c: a load and a store, not an atomic add. */
static inline void bump(counter_t *c, uint64_t by)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + by, memory_order_relaxed);
}

static inline uint64_t get(counter_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

door_rc_t metrics_stage_enter(door_t *d)
{
    (void)d;
    bump(&thread_block()->started, 1);
    return DOOR_NEXT;
}

static size_t op_index(api_fn fn)
{
    if (!fn) return 0;
    for (size_t i = 1; i < NOPS; i++)
        if (OPS[i].fn == fn) return i;
    return 0;
}

void metrics_after(const door_t *d)
{
    block_t *b = thread_block();
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = (int64_t)(now.tv_sec - d->start.tv_sec) * 1000000000 + (now.tv_nsec - d->start.tv_nsec);
    uint64_t us = ns > 0 ? (uint64_t)ns / 1000u : 0;
    size_t op = op_index(d->fn);
    ddb_err_t code = d->r->err.code;
    size_t out = code != DDB_OK ? (size_t)code : d->status == 200 ? (size_t)DDB_OK : NOUT - 1;
    size_t k = 0;
    while (k < METRICS_NBUCKETS && us > BOUNDS_US[k]) k++;
    bump(&b->requests[op][out], 1);
    bump(&b->latency[op][k], 1);
    bump(&b->latency_us[op], us);
    bump(&b->done, 1);
}

/* ---- exposition ---------------------------------------------------------------------------- */

static void put_u64(buf_t *b, uint64_t v)
{
    char *p = buf_reserve(b, 24);
    b->len += dec_format_u64(p, v);
    b->data[b->len] = 0;
}

static void put_i64(buf_t *b, int64_t v)
{
    if (v < 0) {
        buf_putc(b, '-');
        put_u64(b, (uint64_t)-v);
    } else {
        put_u64(b, (uint64_t)v);
    }
}

/* Seconds from microseconds, exactly (no float rounding): "0.000153", "12.5". */
static void put_seconds(buf_t *b, uint64_t us)
{
    put_u64(b, us / 1000000);
    uint64_t frac = us % 1000000;
    if (!frac) return;
    char f[8] = {'.'};
    for (int i = 6; i >= 1; i--, frac /= 10) f[i] = (char)('0' + frac % 10);
    int n = 7;
    while (f[n - 1] == '0') n--;
    buf_put(b, f, (size_t)n);
}

void metrics_format_label(buf_t *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\')
            buf_put(b, "\\\\", 2);
        else if (s[i] == '"')
            buf_put(b, "\\\"", 2);
        else if (s[i] == '\n')
            buf_put(b, "\\n", 2);
        else
            buf_putc(b, s[i]);
    }
}

void metrics_format_histogram(buf_t *b, const char *name, const char *labels, const uint64_t *counts,
                              uint64_t sum_us)
{
    const char *sep = *labels ? "," : "";
    uint64_t cum = 0;
    for (int k = 0; k <= METRICS_NBUCKETS; k++) {
        cum += counts[k];
        buf_printf(b, "%s_bucket{%s%sle=\"%s\"} ", name, labels, sep,
                   k < METRICS_NBUCKETS ? BOUNDS_S[k] : "+Inf");
        put_u64(b, cum);
        buf_putc(b, '\n');
    }
    buf_printf(b, "%s_sum%s%s%s ", name, *labels ? "{" : "", labels, *labels ? "}" : "");
    put_seconds(b, sum_us);
    buf_printf(b, "\n%s_count%s%s%s ", name, *labels ? "{" : "", labels, *labels ? "}" : "");
    put_u64(b, cum);
    buf_putc(b, '\n');
}

static void head(buf_t *b, const char *name, const char *type, const char *help)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *outcome_name(size_t out)
{
    if (out == DDB_OK) return "OK";
    if (out == NOUT - 1) return "HTTP";
    return err_short_name((ddb_err_t)out);
}

/* ESTABLISHED (state 01) TCP sockets whose local port is `port`, from a /proc/net/tcp* table. */
static int64_t count_established(const char *path, int port)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char line[512];
    int64_t n = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return 0;
    }
    while (fgets(line, sizeof line, f)) {
        char local[64], remote[64];
        unsigned st;
        if (sscanf(line, "%*d: %63s %63s %x", local, remote, &st) != 3) continue;
        const char *colon = strrchr(local, ':');
        if (colon && st == 1 && (int)strtol(colon + 1, NULL, 16) == port) n++;
    }
    fclose(f);
    return n;
}

typedef struct {
    const char *name, *help, *prop;
    bool per_family;
} rocks_metric_t;

static const rocks_metric_t ROCKS[] = {
    {"dynarock_rocksdb_memtable_bytes", "Bytes in RocksDB memtables (all column families).",
     "rocksdb.cur-size-all-mem-tables", true},
    {"dynarock_rocksdb_block_cache_bytes", "Bytes in RocksDB's block cache.", "rocksdb.block-cache-usage",
     false},
    {"dynarock_rocksdb_pending_compaction_bytes", "RocksDB's estimate of bytes compaction has to rewrite.",
     "rocksdb.estimate-pending-compaction-bytes", true},
    {"dynarock_rocksdb_background_errors", "Background errors RocksDB has seen (flush, compaction).",
     "rocksdb.background-errors", false},
};

/* [issue 20] process_start_time_seconds: set before main() runs */
static time_t g_started;
__attribute__((constructor)) static void note_start(void)
{
    g_started = time(NULL);
}

static void render(buf_t *b, ddb_req_t *r)
{
    uint64_t(*req)[NOUT] = arena_calloc(r->a, sizeof(uint64_t) * NOPS * NOUT);
    uint64_t(*lat)[METRICS_NBUCKETS + 1] =
        arena_calloc(r->a, sizeof(uint64_t) * NOPS * (METRICS_NBUCKETS + 1));
    uint64_t *lat_us = arena_calloc(r->a, sizeof(uint64_t) * NOPS);
    uint64_t started = 0, done = 0;
    for (block_t *k = atomic_load_explicit(&g_blocks, memory_order_acquire); k; k = k->next) {
        done += get(&k->done); /* before started: in flight never goes below 0 */
        started += get(&k->started);
        for (size_t o = 0; o < NOPS; o++) {
            for (size_t e = 0; e < NOUT; e++) req[o][e] += get(&k->requests[o][e]);
            for (size_t i = 0; i <= METRICS_NBUCKETS; i++) lat[o][i] += get(&k->latency[o][i]);
            lat_us[o] += get(&k->latency_us[o]);
        }
    }

    /* [issue 20] what the console's server page shows besides the counters */
    const ddb_config_t *cfg = r->cfg;
    static const char *const AUTH[] = {"off", "warn", "enforce"}, *const ISO[] = {"shared", "account",
                                                                                  "key-region"};
    head(b, "dynarock_build_info", "gauge", "The server's version (always 1).");
    buf_printf(b, "dynarock_build_info{version=\"%s\"} 1\n", DDB_VERSION);
    head(b, "dynarock_config_info", "gauge", "The server's settings, as labels (always 1).");
    buf_printf(b,
               "dynarock_config_info{threads=\"%d\",in_memory=\"%s\",auth=\"%s\",isolation=\"%s\","
               "enforce_capacity=\"%s\",sync=\"%s\",cors=\"",
               cfg->threads, cfg->in_memory ? "true" : "false", AUTH[cfg->auth_mode % 3],
               ISO[cfg->isolation % 3], cfg->enforce_capacity ? "true" : "false",
               cfg->sync_writes ? "true" : "false");
    if (cfg->cors) metrics_format_label(b, cfg->cors_origins, strlen(cfg->cors_origins));
    buf_puts(b, "\",data_dir=\"");
    if (!cfg->in_memory && cfg->data_dir) metrics_format_label(b, cfg->data_dir, strlen(cfg->data_dir));
    buf_puts(b, "\",console_path=\"");
    if (cfg->console && cfg->console_path)
        metrics_format_label(b, cfg->console_path, strlen(cfg->console_path));
    buf_puts(b, "\"} 1\n");
    head(b, "process_start_time_seconds", "gauge", "When the server started (seconds since the epoch).");
    buf_printf(b, "process_start_time_seconds %lld\n", (long long)g_started);

    head(b, "dynarock_requests_total", "counter",
         "Requests answered, by operation (none: not an API call) and outcome (OK or the error type).");
    for (size_t o = 0; o < NOPS; o++)
        for (size_t e = 0; e < NOUT; e++) {
            if (!req[o][e]) continue;
            buf_printf(b, "dynarock_requests_total{operation=\"%s\",outcome=\"%s\"} ", OPS[o].name,
                       outcome_name(e));
            put_u64(b, req[o][e]);
            buf_putc(b, '\n');
        }
    head(b, "dynarock_request_duration_seconds", "histogram",
         "Time from a request's arrival to its answer, by operation.");
    for (size_t o = 0; o < NOPS; o++) {
        uint64_t n = 0;
        for (size_t i = 0; i <= METRICS_NBUCKETS; i++) n += lat[o][i];
        if (!n) continue;
        char labels[64];
        snprintf(labels, sizeof labels, "operation=\"%s\"", OPS[o].name);
        metrics_format_histogram(b, "dynarock_request_duration_seconds", labels, lat[o], lat_us[o]);
    }
    head(b, "dynarock_requests_in_flight", "gauge", "Requests being served (this scrape included).");
    buf_puts(b, "dynarock_requests_in_flight ");
    put_u64(b, started - done); /* this scrape has started and not finished: at least 1 */
    buf_putc(b, '\n');

    int port = http_bound_port(); /* the bound one: with --port 0 the system chose it */
    if (port < 0) port = r->cfg->port;
    head(b, "dynarock_open_connections", "gauge", "Established TCP connections on the listening port.");
    buf_puts(b, "dynarock_open_connections ");
    put_i64(b, count_established("/proc/net/tcp", port) + count_established("/proc/net/tcp6", port));
    buf_putc(b, '\n');

    const char **names = NULL;
    size_t nt = eng_table_list(r->eng, r->a, &names);
    eng_stats_t *st = arena_calloc(r->a, sizeof *st * (nt + 1));
    bool *have = arena_calloc(r->a, nt + 1);
    for (size_t i = 0; i < nt; i++) {
        eng_table_t *t = eng_table_get(r->eng, names[i], strlen(names[i]));
        if (!t) continue; /* deleted since the list */
        st[i] = eng_table_stats(r->eng, t);
        have[i] = true;
        eng_table_release(t);
    }
    head(b, "dynarock_table_items", "gauge", "Items per table (ItemCount, exact).");
    for (size_t i = 0; i < nt; i++) {
        if (!have[i]) continue;
        buf_puts(b, "dynarock_table_items{table=\"");
        metrics_format_label(b, names[i], strlen(names[i]));
        buf_puts(b, "\"} ");
        put_i64(b, st[i].item_count);
        buf_putc(b, '\n');
    }
    head(b, "dynarock_table_bytes", "gauge",
         "Bytes per table (TableSizeBytes: DynamoDB's item sizes, exact).");
    for (size_t i = 0; i < nt; i++) {
        if (!have[i]) continue;
        buf_puts(b, "dynarock_table_bytes{table=\"");
        metrics_format_label(b, names[i], strlen(names[i]));
        buf_puts(b, "\"} ");
        put_i64(b, st[i].size_bytes);
        buf_putc(b, '\n');
    }

    throttle_format_metrics(b); /* capacity: consumed units and throttled requests (throttle.c) */
    trig_format_metrics(b);     /* triggers: invocations by function and result (triggers.c) */
    head(b, "dynarock_stream_records_written_total", "counter",
         "DynamoDB Streams records written since the start (every table's stream).");
    buf_puts(b, "dynarock_stream_records_written_total ");
    put_u64(b, eng_stream_records_written(r->eng));
    buf_putc(b, '\n');
    head(b, "dynarock_stream_records_read_total", "counter", "Stream records GetRecords has answered.");
    buf_puts(b, "dynarock_stream_records_read_total ");
    put_u64(b, stream_records_read());
    buf_putc(b, '\n');

    double cpu[256];
    size_t nloops = http_loop_cpu_seconds(cpu, 256);
    head(b, "dynarock_event_loop_cpu_seconds_total", "counter",
         "CPU time each event loop's thread has used (its busy time; waiting for events uses none).");
    for (size_t i = 0; i < nloops; i++)
        buf_printf(b, "dynarock_event_loop_cpu_seconds_total{loop=\"%zu\"} %.6f\n", i, cpu[i]);
    uint64_t wal;
    if (eng_wal_bytes(r->eng, &wal)) {
        head(b, "dynarock_rocksdb_wal_bytes", "gauge", "Bytes in the write-ahead log's files.");
        buf_puts(b, "dynarock_rocksdb_wal_bytes ");
        put_u64(b, wal);
        buf_putc(b, '\n');
    }

    for (size_t i = 0; i < sizeof ROCKS / sizeof ROCKS[0]; i++) {
        uint64_t v;
        if (!eng_db_property(r->eng, ROCKS[i].prop, ROCKS[i].per_family, &v)) continue;
        head(b, ROCKS[i].name, "gauge", ROCKS[i].help);
        buf_puts(b, ROCKS[i].name);
        buf_putc(b, ' ');
        put_u64(b, v);
        buf_putc(b, '\n');
    }
}

door_rc_t metrics_serve(door_t *d)
{
    static const char ct[] = "text/plain; version=0.0.4; charset=utf-8";
    buf_t b;
    buf_init(&b, d->r->a, 16384);
    render(&b, d->r);
    h2o_req_t *req = d->req;
    d->status = 200;
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = b.len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct, sizeof ct - 1);
    h2o_send_inline(req, b.data, b.len);
    return DOOR_ANSWERED;
}
