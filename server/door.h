/*
 * door.h: the front door — the routes table and the stages a request passes through around its
 * handler (DESIGN.md "the entry pipeline"), as server/http.c runs them. Each duty of the front
 * door (framing checks, routing, authentication, decompression; next CORS, logs, metrics,
 * throttling, fault injection) is one stage, so adding one touches only its own file and one line
 * of the lists in http.c:
 *
 *   every request:  ENTRY stages (framing, header lengths, CORS headers), then the ROUTES table:
 *     GET  /        the health check
 *     GET  /metrics Prometheus text (metrics.c)
 *     POST /        an API call: API stages (target and content type -> handler, SigV4 checked
 *                   on the bytes as sent (auth.c), body inflated,
 *                   handler run and answered)
 *     OPTIONS /     the CORS preflight (with --cors; without it, as anything else)
 *     GET|PUT|POST|DELETE /_dynarock/faults  fault injection's rules (faults.c; dynarock only)
 *     anything else 404 <UnknownOperationException/> (door_send_unknown)
 *   after the answer: AFTER hooks (logs, metrics), in the order listed.
 *
 * A stage returns DOOR_NEXT to go on, or DOOR_ANSWERED once it has answered (door_send_*): the
 * request stops there. Stages run on the worker's thread; door_t lives for the request only.
 * Included by http.c and the stages' own files (it brings in h2o: handlers below HTTP never see it).
 */
#ifndef DDB_SERVER_DOOR_H
#define DDB_SERVER_DOOR_H

#include <h2o.h>

#include "server/server.h"

typedef struct {
    h2o_req_t *req;
    ddb_req_t *r;       /* the request as handlers see it: arena, error, region, host */
    const char *target; /* X-Amz-Target (API route), or NULL */
    size_t target_len;
    api_fn fn;        /* its handler */
    const char *body; /* the body as the handler gets it (inflated) */
    size_t body_len;
    int status;            /* the status answered (0 until then) */
    struct timespec start; /* when the request reached the door (CLOCK_MONOTONIC) */
    char request_id[53];   /* x-amzn-RequestId answered ("" until an answer is sent) */
    uint8_t json_flavour;  /* the request's Content-Type, answered alike: 0 x-amz-json-1.0, 1 -1.1, 2 json */
    unsigned delay_ms;     /* faults.c: hold the answer this long before sending it (0: at once) */
    uint64_t hold_until;   /* [issue 17] and until this monotonic time, in ms (0: no such hold) */
    bool drop;             /* faults.c: close the connection instead of answering */
} door_t;

typedef enum { DOOR_NEXT = 0, DOOR_ANSWERED } door_rc_t;
typedef door_rc_t (*door_stage_fn)(door_t *d);
typedef void (*door_after_fn)(const door_t *d);

/** Answer with DynamoDB's headers (Content-Type, x-amzn-RequestId, x-amz-crc32), compressed as
 *  compress.c decides for answers of COMPRESS_MIN_LEN bytes and more. */
void door_send_json(door_t *d, int status, const char *body, size_t len);
/** Answer r's recorded error (its envelope and status). */
void door_send_error(door_t *d);
/** A plain-text answer (the health check, framing refusals), with x-amzn-RequestId and x-amz-crc32;
 *  keep_alive false closes the connection. */
void door_send_text(door_t *d, int status, const char *body, bool keep_alive);
/** What DynamoDB answers a request that is not an API call (another method or path, a POST that is
 *  not JSON): 404 with the body `<UnknownOperationException/>` and a newline. */
void door_send_unknown(door_t *d);
/** A request header by its lower-case name, or NULL. */
const char *door_header(const door_t *d, const char *name, size_t nlen, size_t *len);

/* ---- accesslog.c: the access log (an AFTER hook) ------------------------------------------------
 * One line per request on stderr (common/log.h's format, text or JSON): time, request id, remote
 * address, operation, table, status, error type, latency, bytes in and out, consumed capacity units.
 * Level: info; a request slower than cfg->log_slow_ms: warn; an answer 5xx: error; debug adds the
 * bodies (truncated). Off
 * below the line's level, and entirely (but for slow and 5xx lines) while cfg->log_level is -1. */

/** The AFTER hook: log d's line if its level is on. Worker threads; no lock (one write(2)). */
void accesslog_after(const door_t *d);
/** Append the line of d at level lvl (ending in a newline) to b, with the bodies if `bodies`. */
void accesslog_format(buf_t *b, const door_t *d, int lvl, uint64_t latency_us, bool bodies);

/* ---- metrics.c: GET /metrics (Prometheus text format) and its counters --------------------------
 * Counters live in one block per worker thread (made by the thread on its first request, never
 * freed), written only by that thread with relaxed atomics, summed by the scrape: nothing on a
 * request's path takes a lock. */

/** ENTRY stage: counts the request as started (for the in-flight gauge). Always DOOR_NEXT. */
door_rc_t metrics_stage_enter(door_t *d);
/** The AFTER hook: requests by operation and outcome, latency histogram by operation. */
void metrics_after(const door_t *d);
/** The GET /metrics route. */
door_rc_t metrics_serve(door_t *d);
/** Append one histogram (le buckets of METRICS_BUCKETS, +Inf, _sum, _count) to b: counts[] are the
 *  per-bucket (not cumulative) counts, counts[METRICS_NBUCKETS] those over the last bound. labels is
 *  `name="value"` text or "". Exposed for the unit test. */
void metrics_format_histogram(buf_t *b, const char *name, const char *labels, const uint64_t *counts,
                              uint64_t sum_us);
/** Append s as a Prometheus label value (\\, \" and \n escaped). */
void metrics_format_label(buf_t *b, const char *s, size_t len);
#define METRICS_NBUCKETS 14 /* latency bounds: 100 us .. 10 s, about 2.5x apart */

/* ---- cors.c: --cors ORIGINS (off by default) --------------------------------------------------- */

/** ENTRY stage: for an allowed Origin, Access-Control-Allow-Origin and -Expose-Headers on the answer. */
door_rc_t cors_stage(door_t *d);
/** Route OPTIONS /: the preflight answer; without --cors, UnknownOperationException. */
door_rc_t cors_preflight(door_t *d);

/* ---- compress.c: answers gzip- or deflate-encoded when Accept-Encoding asks (issue 16) ----------- */

#define COMPRESS_MIN_LEN 4096 /* DynamoDB compresses answers of 4 KB and more */
typedef enum { COMPRESS_NONE = 0, COMPRESS_GZIP, COMPRESS_DEFLATE } compress_coding_t;

/** The coding to answer with for an Accept-Encoding value, read as DynamoDB reads it. */
compress_coding_t compress_choose(const char *ae, size_t len);
/** When d's request accepts gzip or deflate, compress *body (*len bytes) into the request's arena,
 *  add Content-Encoding and point *body, *len at the compressed bytes: true. False (body untouched)
 *  when not asked or when compressing gains nothing. The caller checks COMPRESS_MIN_LEN first. */
bool compress_answer(door_t *d, const char **body, size_t *len);

/* ---- auth.c: AWS Signature Version 4 (--auth off|warn|enforce, --credentials FILE) --------------
 * Credentials are loaded once at start-up (auth_load, auth_add; not thread-safe) and only read
 * afterwards (any thread). Everything else is pure: strings in, strings out, arena memory. */

enum { AUTH_OFF = 0, AUTH_WARN, AUTH_ENFORCE };

typedef struct {
    char *akid, *secret;
    char account[13]; /* 12 digits; DDB_ACCOUNT when the line gives none */
} auth_cred_t;

/** One header of a request to verify: the name in any case; a repeated name is one entry each. */
typedef struct {
    const char *name;
    size_t nlen;
    const char *value;
    size_t vlen;
} auth_header_t;

/** A request as the signature sees it: path as sent without its query, query without its '?'. */
typedef struct {
    const char *method;
    size_t mlen;
    const char *path;
    size_t plen;
    const char *query;
    size_t qlen;
    const auth_header_t *headers;
    size_t nheaders;
} auth_msg_t;

/** The Authorization header's parts (pointers into it; NULL when absent). */
typedef struct {
    const char *algorithm, *credential, *signed_headers, *signature;
    size_t alen, clen, shlen, siglen;
} auth_parsed_t;

/** Add the DYNAROCK_ACCESS_KEY_ID / DYNAROCK_SECRET_ACCESS_KEY [/ DYNAROCK_ACCOUNT_ID] pair and the
 *  lines of `path` (NULL: none): `ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID]`, `#` comments.
 *  -1 with a message in errbuf when the file cannot be read or a line is malformed. */
int auth_load(const char *path, char *errbuf, size_t errlen);
/** Add (or replace) one key; account NULL means DDB_ACCOUNT. */
void auth_add(const char *akid, const char *secret, const char *account);
/** The credentials of an access key id, or NULL. */
const auth_cred_t *auth_find(const char *akid, size_t len);
/** How many keys are known. */
size_t auth_count(void);
/** API stage (before the body is inflated): verify the signature; enforce answers the error, warn logs it. */
door_rc_t auth_stage(door_t *d);
/** Verify d's request (its method, path, query, headers and body as sent) for `service` ("dynamodb",
 *  "lambda") now: DDB_OK, or AWS's error in d->r->err; *akid (may be NULL) gets the access key id. */
ddb_err_t auth_verify_door_or_err(door_t *d, const char *service, const char **akid, size_t *akid_len);
/** The access key id and region of d's SigV4 credential scope (the Authorization header, or a presigned
 *  URL's X-Amz-Credential), pointers into the request (*region NULL when the scope has none); false when
 *  the request names no credential. Nothing is verified. */
bool auth_scope(const door_t *d, const char **akid, size_t *alen, const char **region, size_t *rlen);

/** Lower-case hex SHA-256 of p[0..n). */
void auth_sha256_hex(const void *p, size_t n, char out[65]);
/** HMAC-SHA256 of msg under key. */
void auth_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[32]);
/** Constant-time equality of n bytes. */
bool auth_equal(const char *a, const char *b, size_t n);
/** Append m's SigV4 canonical request (NUL-terminated, not counted) to b; scratch memory from a. */
void auth_canonical_request(buf_t *b, arena_t *a, const auth_msg_t *m, const char *signed_headers,
                            size_t shlen, const char payload_hash[65]);
/** The hex signature of a canonical request: scope is DATE/REGION/SERVICE/aws4_request. */
void auth_signature(const char *secret, const char *amz_date, const char *scope, const char *creq,
                    size_t creqlen, char out[65]);
/** Split an Authorization header; -1 when its scheme is not AWS4-HMAC-SHA256 (p->algorithm says what it is).
 */
int auth_parse_header(const char *h, size_t len, auth_parsed_t *p);
/** An X-Amz-Date (20150830T123600Z) as epoch seconds, or -1. */
time_t auth_parse_amz_date(const char *s, size_t n);
/** Epoch seconds as an X-Amz-Date. */
void auth_format_amz_date(time_t t, char out[17]);
/** InvalidSignatureException "Signature expired" / "not yet current" when req is over 15 minutes off now. */
ddb_err_t auth_check_skew_or_err(ddb_errctx_t *err, time_t req, time_t now);
/** Verify m (body: the bytes as sent) at time `now` for `service` against the known keys: DDB_OK, or
 *  the error AWS answers recorded in err. *akid (may be NULL) gets the access key id once parsed. */
ddb_err_t auth_verify_or_err(ddb_errctx_t *err, arena_t *a, const auth_msg_t *m, const char *body,
                             size_t blen, time_t now, const char *service, const char **akid,
                             size_t *akid_len);

/* ---- namespace.c: --isolation shared|account|key-region ------------------------------------------
 * Which engine (set of tables) a request sees: one for everything (shared), one per account, or one
 * per access key and region, as DynamoDB Local does without -sharedDb. Engines other than the first
 * are opened on first use (data directory <data-dir>/namespaces/<name>) and closed at stop. */

/** Open the first engine (the shared one, or the default account's) and, with --isolation account or
 *  key-region and a data directory, every namespace found under <data-dir>/namespaces (their trigger
 *  mappings must run after a restart); -1 with a message on failure. */
int ns_open(const ddb_config_t *cfg, const eng_opts_t *eo, char *errbuf, size_t errlen);
/** API stage after auth: sets d->r->eng (and d->r->account) for the request's namespace. */
door_rc_t ns_stage(door_t *d);
/** The first engine (metrics, start-up). */
eng_t *ns_default(void);
#define NS_ENGINES_MAX 257 /* the first engine and NS_MAX namespaces */
/** The engines open now, the first one first (at most max in out); how many. Any thread. */
size_t ns_engines(eng_t **out, size_t max);
/** Close every engine (after the workers stopped). */
void ns_close_all(void);

/* ---- faults.c: fault injection (--faults FILE, the /_dynarock/faults control endpoint) ------------
 * Rules matched by operation, table, probability and count; what a matching rule injects: an error,
 * latency (d->delay_ms), a dropped connection (d->drop), or, through r->fault, unprocessed batch
 * requests or a TransactionConflict cancellation. No rules: one relaxed atomic load per request. */

/** Load cfg->faults_file at start-up (before the workers start); -1 with a message naming the file and
 *  the problem in errbuf when it cannot be read or parsed. */
int faults_load(const ddb_config_t *cfg, char *errbuf, size_t errlen);
/** API stage after the body is inflated: match the rules, inject what the matching rule says (an
 *  error answered here; d->delay_ms, d->drop, r->fault for the send path and the handler). Any thread. */
door_rc_t faults_stage(door_t *d);
/** Routes /_dynarock/faults (GET: the rules and their hit counts; PUT/POST: replace, a bad set is a
 *  ValidationException and changes nothing; DELETE: clear), behind auth_stage: with --auth enforce only
 *  a request signed by a configured key gets through. Any thread. */
door_rc_t faults_serve(door_t *d);

/* ---- lambda_api.c: Lambda's event-source-mapping API (issue 14; triggers.c runs the mappings) ----- */

/** Route "/2015-03-31/" (any method): the event-source-mapping operations, SigV4 service "lambda". */
door_rc_t lambda_serve(door_t *d);

/* ---- console.c: the web console's assets (issue 20), embedded at build time ----------------------
 * scripts/console_embed.c turns the files under console/ into CONSOLE_ASSETS (a generated file of
 * the build tree), sorted by name; the bytes live as long as the process. */

typedef struct {
    const char *name;         /* path under the console's URL prefix, e.g. "app.js" */
    const char *content_type; /* by extension */
    const unsigned char *data;
    size_t len;
    const unsigned char *gz; /* the same bytes gzip-compressed (level 9, mtime 0) */
    size_t gzlen;
    const char *etag; /* "<FNV-1a 64 of data in hex>", quotes included */
} console_asset_t;

extern const console_asset_t CONSOLE_ASSETS[];
extern const size_t CONSOLE_NASSETS;

/** The asset named name[0..len) (no leading '/'; "" is index.html), or NULL. */
const console_asset_t *console_find(const char *name, size_t len);
/** Route GET (any path not routed before it): with the console on and the path under its prefix, the
 *  asset (gzip when accepted, ETag / If-None-Match, 404 for an unknown one); the bare prefix redirects
 *  to prefix + "/". Anything else: door_send_unknown, as before the console. */
door_rc_t console_serve(door_t *d);
/** Whether host (a --host value) names only loopback addresses: 127.0.0.0/8, ::1, "localhost". */
bool console_host_is_loopback(const char *host);

#endif
