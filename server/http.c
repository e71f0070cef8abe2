/*
 * http: the h2o front. One event loop per worker thread and one listening socket: worker 0 accepts
 * and deals connections round-robin (to itself directly, to the others through h2o's thread
 * queues), so 64 client connections become 32 + 32 on two loops; SO_REUSEPORT's hashing split them
 * as unevenly as 39 + 26, and the busier loop set the tail latency. One request arena per thread,
 * reset after every answer (h2o_send_inline copies the body into the request's pool).
 *
 * Each request passes the front door (door.h: entry stages, the routes table, the API stages, the
 * after hooks, all listed near on_req). What reaches a handler: POST / with X-Amz-Target
 * "DynamoDB_20120810.<Op>" (or "DynamoDBStreams_20120810.<Op>") and a JSON object body. Everything
 * else is answered here:
 *   GET /                  -> 200 "healthy: dynamodb.<region>.amazonaws.com "
 *   other method / path    -> 404 "<UnknownOperationException/>\n" (also a POST that is not JSON)
 *   missing/unknown target -> 400 UnknownOperationException
 * Every answer carries x-amzn-RequestId and x-amz-crc32; a JSON answer's Content-Type is the
 * request's flavour (application/json, application/x-amz-json-1.0 or -1.1).
 *   body not a JSON object -> 400 SerializationException
 *   body over 16 MB        -> 413 (h2o's own answer, from max_request_entity_size)
 *
 * Threads (h2o keeps per-thread state: buffer and memory-pool recyclers, the socket buffer
 * prototype): each worker creates its loop, its h2o context and its queue inside its own thread and
 * disposes of them there; nothing of a worker's h2o state is touched by another thread, except the
 * queue worker 0 posts dealt connections to (h2o_multithread_send_message, locked). Start: every
 * worker is set up before worker 0 accepts (a barrier). Stop: worker 0 closes the listener and says
 * dealing is over; every worker then closes the connections dealt to it too late, asks its open
 * connections to finish (no keep-alive, reads shut) and runs its loop until they are gone (bounded),
 * disposes its queue, context and loop, and reports done. Workers other than 0 then park until the
 * process exits: h2o 2.2.5 keeps a static per-thread recycle list of memory-pool chunks with no call
 * to empty it, and a thread that exited would leave those chunks unreachable (a leak report).
 *
 * HTTP/1 framing the parser lets through is refused here: two Content-Length headers that differ,
 * or Transfer-Encoding together with Content-Length, get 400 and the connection is closed (behind
 * a proxy that reads the other length, the rest of the body would be a smuggled request). So does
 * a request line or a header over 16 KB (AWS's limit; h2o's parser takes ~417 KB in all).
 *
 * Entry points: http_run() blocks until http_stop() (called from a signal handler).
 */
#include "server/http.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <h2o.h>
#include <zlib.h>

#include "common/decimal.h"
#include "common/log.h"
#include "server/door.h"
#include "server/server.h"

static h2o_globalconf_t g_config;

/* Fault injection's latency (faults.c sets door_t.delay_ms): the answer is held on a timer of the
 * worker's loop. An h2o 2.2.5 timeout has one duration, so each worker keeps one per distinct delay,
 * made on first use and disposed at its stop; past MAX_HOLD_TIMERS delays, the nearest is used. */
#define MAX_HOLD_TIMERS 32
typedef struct {
    uint64_t ms;
    h2o_timeout_t t;
} hold_timer_t;
static const ddb_config_t *g_cfg;
static eng_t *g_eng;
static atomic_bool g_stop;

typedef struct {
    pthread_t tid;
    int index;
    h2o_evloop_t *loop;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    arena_t *arena;
    h2o_multithread_queue_t *queue; /* connections dealt to this worker (not worker 0) */
    h2o_multithread_receiver_t receiver;
    h2o_linklist_t conns; /* open connections (conn_t), for the stop */
    size_t nconns;
    hold_timer_t holds[MAX_HOLD_TIMERS]; /* faults.c's latency: answers held, by delay */
    size_t nholds;
} worker_t;

/* One open connection of a worker: linked while its socket lives (h2o's on_close unlinks it). */
typedef struct {
    h2o_linklist_t link;
    worker_t *w;
    h2o_socket_t *sock;
} conn_t;

/* A connection accepted by worker 0 for another worker. */
typedef struct {
    h2o_multithread_message_t super;
    int fd;
} conn_msg_t;

static worker_t *g_workers;
static int g_nworkers, g_listen_fd = -1;
static unsigned g_next_worker; /* only worker 0 deals */
static _Thread_local worker_t *t_worker;
static atomic_bool g_dealing_over; /* worker 0 has closed the listener: nothing more is dealt */

/* Start and stop rendezvous: workers set up / disposed so far. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_nready, g_ndone;

static void add_header(h2o_req_t *req, const char *name, size_t nlen, const char *val, size_t vlen)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, nlen, 0, NULL, val, vlen);
}

/* The Content-Type of an answer: the JSON flavour the request was sent with, as DynamoDB answers
 * (application/json, application/x-amz-json-1.1), application/x-amz-json-1.0 otherwise. */
static h2o_iovec_t answer_type(const door_t *d)
{
    if (d->json_flavour == 2) return h2o_iovec_init(H2O_STRLIT("application/json"));
    if (d->json_flavour == 1) return h2o_iovec_init(H2O_STRLIT("application/x-amz-json-1.1"));
    return h2o_iovec_init(H2O_STRLIT("application/x-amz-json-1.0"));
}

/* ---- fault injection: answers held (latency) or dropped (faults.c sets d->delay_ms, d->drop) ---- */

/* An answer waiting on a hold timer. Allocated shared in the request's pool: if the request is
 * disposed first (its connection closed), the dispose callback unlinks the timer. */
typedef struct {
    h2o_timeout_entry_t te;
    h2o_req_t *req;
    const char *body; /* a copy in the request's pool (the thread's arena is reset before the timer) */
    size_t len;
    bool drop;
    uint64_t until; /* [issue 17] not before this monotonic time (ms), checked every HOLD_TICK_MS */
} held_t;

#define HOLD_TICK_MS 10 /* a hold until a time (a transient state's end) looks again this often */
static uint64_t now_ms(void);
static h2o_timeout_t *hold_timer(worker_t *w, uint64_t ms);

/* Close the connection instead of answering: the socket is shut both ways, then h2o is handed the
 * answer, whose write fails, so h2o closes and disposes of the connection as after any write error. */
static void drop_answer(h2o_req_t *req)
{
    h2o_socket_t *sock =
        req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    req->http1_is_persistent = 0;
    if (sock) shutdown(h2o_socket_get_fd(sock), SHUT_RDWR);
    req->res.content_length = 0;
    h2o_send_inline(req, "", 0);
}

static void held_fire(h2o_timeout_entry_t *te)
{
    held_t *h = H2O_STRUCT_FROM_MEMBER(held_t, te, te);
    if (h->until && !atomic_load(&g_stop) && now_ms() < h->until) { /* not yet: look again soon */
        h2o_timeout_link(t_worker->loop, hold_timer(t_worker, HOLD_TICK_MS), &h->te);
        return;
    }
    if (h->drop)
        drop_answer(h->req);
    else
        h2o_send_inline(h->req, h->body, h->len);
}

static void held_dispose(void *p)
{
    held_t *h = p;
    if (h2o_timeout_is_linked(&h->te)) h2o_timeout_unlink(&h->te);
}

/* The worker's hold timer for `ms` (made on first use). */
static h2o_timeout_t *hold_timer(worker_t *w, uint64_t ms)
{
    size_t near = 0;
    for (size_t i = 0; i < w->nholds; i++) {
        if (w->holds[i].ms == ms) return &w->holds[i].t;
        uint64_t di = w->holds[i].ms > ms ? w->holds[i].ms - ms : ms - w->holds[i].ms;
        uint64_t dn = w->holds[near].ms > ms ? w->holds[near].ms - ms : ms - w->holds[near].ms;
        if (di < dn) near = i;
    }
    if (w->nholds == MAX_HOLD_TIMERS) return &w->holds[near].t;
    hold_timer_t *t = &w->holds[w->nholds++];
    t->ms = ms;
    h2o_timeout_init(w->loop, &t->t, ms);
    return &t->t;
}

/* Send every held answer now (the stop does not wait for them). */
static void holds_flush(worker_t *w)
{
    for (size_t i = 0; i < w->nholds; i++) {
        h2o_timeout_t *t = &w->holds[i].t;
        while (!h2o_linklist_is_empty(&t->_entries)) {
            h2o_timeout_entry_t *e = H2O_STRUCT_FROM_MEMBER(h2o_timeout_entry_t, _link, t->_entries.next);
            h2o_timeout_unlink(e);
            e->cb(e);
        }
    }
}

/* An answer fault injection holds or drops (send_body): held for d->delay_ms (while the server stops,
 * nothing is held), then dropped if d->drop. A dropped answer logs status 0 (nothing reached the
 * client). Out of line: the common path stays two tests. */
static __attribute__((noinline)) void send_faulty(door_t *d, const char *body, size_t len)
{
    h2o_req_t *req = d->req;
    if (d->drop) d->status = 0;
    if ((d->delay_ms == 0 && d->hold_until <= now_ms()) || atomic_load(&g_stop)) {
        if (d->drop)
            drop_answer(req);
        else
            h2o_send_inline(req, body, len);
        return;
    }
    /* header values may point into this call's stack (the crc, d->request_id): into the pool */
    for (size_t i = 0; i < req->res.headers.size; i++)
        req->res.headers.entries[i].value = h2o_strdup(&req->pool, req->res.headers.entries[i].value.base,
                                                       req->res.headers.entries[i].value.len);
    held_t *h = h2o_mem_alloc_shared(&req->pool, sizeof *h, held_dispose);
    memset(h, 0, sizeof *h);
    h->te.cb = held_fire;
    h->req = req;
    h->len = len;
    h->drop = d->drop;
    h->until = d->hold_until;
    h->body = len ? memcpy(h2o_mem_alloc_pool(&req->pool, len), body, len) : "";
    h2o_timeout_link(t_worker->loop, hold_timer(t_worker, d->delay_ms ? d->delay_ms : HOLD_TICK_MS), &h->te);
}

/* The body of an answer whose headers are set: now, unless fault injection holds or drops it. */
static inline void send_body(door_t *d, const char *body, size_t len)
{
    if (__builtin_expect(d->delay_ms == 0 && !d->drop && !d->hold_until, 1))
        h2o_send_inline(d->req, body, len);
    else
        send_faulty(d, body, len);
}

/* Send a body with DynamoDB's headers (held or dropped when fault injection asks: send_body). */
static void send_json(door_t *d, int status, const char *body, size_t len, char rid[53], h2o_iovec_t ct)
{
    h2o_req_t *req = d->req;
    char crc[24];
    reply_request_id(rid);
    int cl = (int)dec_format_u64(crc, reply_crc32(body, len)); /* not snprintf: dearer */
    req->res.status = status;
    req->res.reason = status == 200   ? "OK"
                      : status == 413 ? "Request Entity Too Large"
                      : status == 503 ? "Service Unavailable"
                      : status >= 500 ? "Internal Server Error"
                                      : "Bad Request";
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ct.base, ct.len);
    add_header(req, H2O_STRLIT("x-amzn-RequestId"), rid, 52);
    add_header(req, H2O_STRLIT("x-amz-crc32"), crc, (size_t)cl);
    send_body(d, body, len);
}

void door_send_json(door_t *d, int status, const char *body, size_t len)
{
    d->status = status;
    if (len >= COMPRESS_MIN_LEN) compress_answer(d, &body, &len); /* x-amz-crc32 over what is sent */
    send_json(d, status, body, len, d->request_id, answer_type(d));
}

void door_send_error(door_t *d)
{
    size_t len;
    const char *body = reply_error_body(d->r, &len);
    door_send_json(d, err_http_status(d->r->err.code), body, len);
}

static const char *header(h2o_req_t *req, const h2o_token_t *tok, size_t *len)
{
    ssize_t i = h2o_find_header(&req->headers, tok, -1);
    if (i < 0) return NULL;
    *len = req->headers.entries[i].value.len;
    return req->headers.entries[i].value.base;
}

const char *door_header(const door_t *d, const char *name, size_t nlen, size_t *len)
{
    ssize_t i = h2o_find_header_by_str(&d->req->headers, name, nlen, -1);
    if (i < 0) return NULL;
    *len = d->req->headers.entries[i].value.len;
    return d->req->headers.entries[i].value.base;
}

/* The region of the request's credential scope (auth_scope); default us-east-1. */
static const char *request_region(const door_t *d)
{
    const char *akid, *region;
    size_t alen, rlen;
    if (auth_scope(d, &akid, &alen, &region, &rlen) && region && rlen)
        return arena_memdup(d->r->a, region, rlen);
    return "us-east-1";
}

/* Inflate all of `in` with zlib window bits `wbits` into `out` (reset first). 0 at the end of the
 * stream, 413 when the result passes the body limit (never inflating more than one byte past it),
 * -1 when the data is not valid. */
static int inflate_all(int wbits, const char *in, size_t inlen, buf_t *out)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, wbits) != Z_OK) return -1;
    out->len = 0;
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)inlen;
    int zr, rc = -1;
    for (;;) {
        if (out->cap - out->len < 16384) buf_reserve(out, 65536);
        size_t room = out->cap - out->len, left = DDB_MAX_BODY + 1 - out->len;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = (uInt)(room < left ? room : left);
        size_t before = zs.avail_out;
        zr = inflate(&zs, Z_NO_FLUSH);
        out->len += before - zs.avail_out;
        if (out->len > DDB_MAX_BODY) {
            rc = 413;
            break;
        }
        if (zr == Z_STREAM_END) {
            /* gzip: another member may follow; its data continues the body, as Java's
             * GZIPInputStream (and gunzip) read it. Anything else after a member is ignored. */
            if (wbits == 16 + 15 && zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b &&
                inflateReset(&zs) == Z_OK)
                continue;
            rc = 0;
            break;
        }
        if (zr != Z_OK) break; /* invalid data, or the input ended before the stream did */
    }
    inflateEnd(&zs);
    return rc;
}

/* Content-Encoding gzip / deflate (zlib-wrapped, or raw as some clients send it) request bodies,
 * as AWS accepts them (the signature covers the compressed bytes). Returns 0 with the inflated
 * body, 413 past the body limit, -1 for invalid data or an unknown encoding. */
static int inflate_body(arena_t *a, const char *ce, size_t celen, const char **text, size_t *len)
{
    bool gzip = (celen == 4 && !strncasecmp(ce, "gzip", 4)) || (celen == 6 && !strncasecmp(ce, "x-gzip", 6));
    bool deflate = celen == 7 && !strncasecmp(ce, "deflate", 7);
    if (!gzip && !deflate) return -1;
    buf_t out;
    size_t first = *len < DDB_MAX_BODY / 4 ? *len * 4 + 1024 : DDB_MAX_BODY + 1;
    buf_init(&out, a, first);
    /* gzip: gzip header only; deflate: zlib or gzip header (32 = detect), then raw as a fallback */
    int rc = inflate_all(gzip ? 16 + 15 : 32 + 15, *text, *len, &out);
    if (rc == -1 && deflate) rc = inflate_all(-15, *text, *len, &out);
    if (rc != 0) return rc;
    *text = out.data;
    *len = out.len;
    return 0;
}

/* The JSON flavour of a Content-Type (door_t.json_flavour: 0 x-amz-json-1.0, 1 x-amz-json-1.1,
 * 2 application/json), or -1 for anything else. */
static int media_type(const char *ct, size_t len)
{
    static const char *const ok[] = {"application/x-amz-json-1.0", "application/x-amz-json-1.1",
                                     "application/json"};
    size_t n = 0;
    while (n < len && ct[n] != ';' && ct[n] != ' ') n++;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strlen(ok[i]) == n && strncasecmp(ct, ok[i], n) == 0) return (int)i;
    return -1;
}

/* Whether header `name` (lower case, nlen) starts the header line at p (case-insensitive). */
static bool line_is(const char *p, const char *end, const char *name, size_t nlen)
{
    return (size_t)(end - p) > nlen && p[nlen] == ':' && strncasecmp(p, name, nlen) == 0;
}

/* HTTP/1 framing h2o's parser accepts but a proxy may read otherwise: Content-Length headers that
 * differ, or Transfer-Encoding with Content-Length. h2o keeps neither header in req->headers, so
 * the raw header block is read: at this point it starts the socket's input buffer and ends where
 * the body begins (h2o consumes a request's bytes after its answer). True when the framing is
 * ambiguous. */
static bool framing_ambiguous(h2o_req_t *req)
{
    if (req->version >= 0x200 || req->entity.base == NULL) return false;
    h2o_socket_t *sock =
        req->conn->callbacks->get_socket ? req->conn->callbacks->get_socket(req->conn) : NULL;
    if (!sock || !sock->input) return false;
    const char *p = sock->input->bytes, *end = req->entity.base;
    if (end < p || end > p + sock->input->size) return false; /* not laid out as expected: no verdict */
    int ncl = 0, nte = 0;
    const char *cl = NULL;
    size_t cllen = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) break;
        const char *line = nl + 1;
        if (line >= end) break;
        if (line_is(line, end, "content-length", 14)) {
            const char *v = line + 15, *ve = memchr(v, '\n', (size_t)(end - v));
            if (!ve) ve = end;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            if (ncl++ > 0 && ((size_t)(ve - v) != cllen || memcmp(v, cl, cllen) != 0)) return true;
            cl = v;
            cllen = (size_t)(ve - v);
        } else if (line_is(line, end, "transfer-encoding", 17)) {
            nte++;
        }
        p = line;
    }
    return ncl > 0 && nte > 0;
}

#define MAX_HEADER_LINE 16384 /* AWS: the request line and each header at most 16 KB */

/* A request line or a header line over MAX_HEADER_LINE (h2o's parser allows ~417 KB in all). */
static bool header_too_long(h2o_req_t *req)
{
    if (req->input.method.len + req->input.path.len + 10 > MAX_HEADER_LINE) return true;
    for (size_t i = 0; i < req->headers.size; i++)
        if (req->headers.entries[i].name->len + req->headers.entries[i].value.len + 2 > MAX_HEADER_LINE)
            return true;
    return req->input.authority.len + 6 > MAX_HEADER_LINE;
}

/* A plain-text answer (the health check; framing refusals, which also close the connection: what
 * follows on it cannot be trusted). */
void door_send_text(door_t *d, int status, const char *body, bool keep_alive)
{
    h2o_req_t *req = d->req;
    size_t len = strlen(body);
    char crc[24];
    d->status = status;
    if (!keep_alive) req->http1_is_persistent = 0;
    reply_request_id(d->request_id); /* DynamoDB's front end adds both to every answer */
    int cl = (int)dec_format_u64(crc, reply_crc32(body, len));
    req->res.status = status;
    req->res.reason = status == 200 ? "OK" : status == 404 ? "Not Found" : "Bad Request";
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/plain"));
    add_header(req, H2O_STRLIT("x-amzn-RequestId"), h2o_strdup(&req->pool, d->request_id, 52).base, 52);
    add_header(req, H2O_STRLIT("x-amz-crc32"), h2o_strdup(&req->pool, crc, (size_t)cl).base, (size_t)cl);
    h2o_send_inline(req, body, len);
}

void door_send_unknown(door_t *d)
{
    err_set_bare(&d->r->err, DDB_ERR_UNKNOWN_OPERATION); /* what the access log and metrics name */
    door_send_text(d, 404, "<UnknownOperationException/>\n", true);
}

/* ---- the front door (door.h): stages and routes ---------------------------------------------- */

static door_rc_t stage_framing(door_t *d)
{
    if (!framing_ambiguous(d->req)) return DOOR_NEXT;
    door_send_text(d, 400, "Bad Request: conflicting Content-Length / Transfer-Encoding", false);
    return DOOR_ANSWERED;
}

static door_rc_t stage_header_lines(door_t *d)
{
    if (!header_too_long(d->req)) return DOOR_NEXT;
    door_send_text(d, 400, "Bad Request: request line or header over 16 KB", false);
    return DOOR_ANSWERED;
}

/* [issue 19] --health-answer dynamodb-local: GET / answers as DynamoDB Local answers an unsigned GET
 * (400 and this body), which Testcontainers' .NET module waits for. Set once before serving. */
static bool g_health_local;

void http_health_answer_set(bool dynamodb_local)
{
    g_health_local = dynamodb_local;
}

int http_bound_port(void)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (g_listen_fd < 0 || getsockname(g_listen_fd, (struct sockaddr *)&ss, &len) != 0) return -1;
    return ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                          : ((struct sockaddr_in *)&ss)->sin_port);
}

static door_rc_t serve_health(door_t *d)
{
    if (g_health_local) {
        static const char body[] =
            "{\"__type\":\"com.amazonaws.dynamodb.v20120810#MissingAuthenticationToken\",\"Message\":"
            "\"Request must contain either a valid (registered) AWS access key ID or X.509 certificate.\"}";
        door_send_json(d, 400, body, sizeof body - 1);
        return DOOR_ANSWERED;
    }
    door_send_text(d, 200, arena_sprintf(d->r->a, "healthy: dynamodb.%s.amazonaws.com ", request_region(d)),
                   true);
    return DOOR_ANSWERED;
}

/* An API call sends JSON (anything else is not for the API: 404) and names its operation in
 * X-Amz-Target. */
static door_rc_t stage_target(door_t *d)
{
    size_t ctlen = 0;
    const char *ct = header(d->req, H2O_TOKEN_CONTENT_TYPE, &ctlen);
    int flavour = ct ? media_type(ct, ctlen) : -1;
    if (flavour < 0) {
        door_send_unknown(d);
        return DOOR_ANSWERED;
    }
    d->json_flavour = (uint8_t)flavour;
    d->target = door_header(d, H2O_STRLIT("x-amz-target"), &d->target_len);
    if (!d->target) {
        err_set_bare(&d->r->err, DDB_ERR_UNKNOWN_OPERATION);
        door_send_error(d);
        return DOOR_ANSWERED;
    }
    if (!(d->fn = router_route_or_err(d->r, d->target, d->target_len))) {
        door_send_error(d);
        return DOOR_ANSWERED;
    }
    d->r->region = request_region(d);
    if (d->req->authority.len)
        d->r->host = arena_memdup(d->r->a, d->req->authority.base, d->req->authority.len);
    return DOOR_NEXT;
}

/* Content-Encoding gzip / deflate: the handler gets the inflated body. */
static door_rc_t stage_inflate(door_t *d)
{
    d->body = d->req->entity.base ? d->req->entity.base : "";
    d->body_len = d->req->entity.len;
    size_t celen = 0;
    const char *ce = header(d->req, H2O_TOKEN_CONTENT_ENCODING, &celen);
    if (!ce || (celen == 8 && !strncasecmp(ce, "identity", 8))) return DOOR_NEXT;
    int zrc = inflate_body(d->r->a, ce, celen, &d->body, &d->body_len);
    if (zrc == 0) return DOOR_NEXT;
    if (zrc == 413)
        door_send_json(d, 413, "", 0);
    else {
        err_set_bare(&d->r->err, DDB_ERR_SERIALIZATION);
        door_send_error(d);
    }
    return DOOR_ANSWERED;
}

static door_rc_t stage_dispatch(door_t *d)
{
    ddb_err_t rc = router_run(d->r, d->fn, d->body, d->body_len);
    d->hold_until = d->r->hold_until_ms; /* [issue 17] DescribeTable waiting for a transient state's end */
    if (rc != DDB_OK)
        door_send_error(d);
    else
        door_send_json(d, 200, d->r->out.b.data, d->r->out.b.len);
    return DOOR_ANSWERED;
}

/* Every request first. */
static const door_stage_fn ENTRY[] = {metrics_stage_enter, stage_framing, stage_header_lines, cors_stage,
                                      NULL};
/* An API call (POST /), in order. */
static const door_stage_fn API[] = {stage_target, auth_stage,     ns_stage, stage_inflate,
                                    faults_stage, stage_dispatch, NULL};
/* After the answer (logs, metrics). */
static const door_after_fn AFTER[] = {metrics_after, accesslog_after, NULL};

static door_rc_t run_stages(door_t *d, const door_stage_fn *stages)
{
    for (; *stages; stages++)
        if ((*stages)(d) == DOOR_ANSWERED) return DOOR_ANSWERED;
    return DOOR_NEXT;
}

static door_rc_t serve_api(door_t *d)
{
    return run_stages(d, API);
}

typedef struct {
    const char *method; /* "*": any method (triggers, issue 14) */
    const char *path;   /* normalized path, exact; ending in '*': a prefix (triggers, issue 14) */
    door_rc_t (*serve)(door_t *d);
} route_t;

/* A route's method or path against the request's (issue 14: "*" and a trailing '*' match more). */
static bool route_match(const char *pat, const char *s, size_t len)
{
    size_t n = strlen(pat);
    if (n && pat[n - 1] == '*') return len >= n - 1 && memcmp(s, pat, n - 1) == 0;
    return h2o_memis(s, len, pat, n);
}

static const route_t ROUTES[] = {
    {"GET", "/", serve_health},
    {"POST", "/", serve_api},
    {"GET", "/metrics", metrics_serve},
    {"OPTIONS", "/", cors_preflight},
    {"*", "/2015-03-31/*", lambda_serve}, /* Lambda's event-source mappings (lambda_api.c, issue 14) */
    /* fault injection's control endpoint (faults.c) */
    {"GET", "/_dynarock/faults", faults_serve},
    {"PUT", "/_dynarock/faults", faults_serve},
    {"POST", "/_dynarock/faults", faults_serve},
    {"DELETE", "/_dynarock/faults", faults_serve},
    {"GET", "/*", console_serve}, /* [issue 20] the web console; other GET paths: unknown, as before */
};

static door_rc_t route(door_t *d)
{
    h2o_req_t *req = d->req;
    for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++) {
        const route_t *rt = &ROUTES[i];
        if (route_match(rt->method, req->method.base, req->method.len) &&
            route_match(rt->path, req->path_normalized.base, req->path_normalized.len))
            return rt->serve(d);
    }
    door_send_unknown(d); /* AWS answers other methods and paths so */
    return DOOR_ANSWERED;
}

static int on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    worker_t *w = t_worker;
    arena_reset(w->arena);
    ddb_req_t r;
    memset(&r, 0, sizeof r);
    r.a = w->arena;
    r.eng = g_eng;
    r.cfg = g_cfg;
    err_init(&r.err, r.a);
    door_t d = {.req = req, .r = &r};
    clock_gettime(CLOCK_MONOTONIC, &d.start);
    if (run_stages(&d, ENTRY) == DOOR_NEXT) route(&d);
    for (const door_after_fn *a = AFTER; *a; a++) (*a)(&d);
    return 0;
}

static void on_conn_closed(void *data)
{
    conn_t *c = data;
    h2o_linklist_unlink(&c->link);
    c->w->nconns--;
    free(c);
}

static void serve(worker_t *w, int fd)
{
    h2o_socket_t *sock = h2o_evloop_socket_create(w->loop, fd, H2O_SOCKET_FLAG_IS_ACCEPTED_CONNECTION);
    conn_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->w = w;
    c->sock = sock;
    h2o_linklist_insert(&w->conns, &c->link);
    w->nconns++;
    /* h2o's server connections leave on_close unused (only its client socket pool sets it); the
     * socket keeps it when HTTP/1 hands over to HTTP/2 */
    sock->on_close.cb = on_conn_closed;
    sock->on_close.data = c;
    h2o_accept(&w->accept_ctx, sock);
}

static void on_accept(h2o_socket_t *listener, const char *err)
{
    if (err) return;
    /* Everything waiting, a bounded number per wakeup so the loop also serves its own requests.
     * Accepted sockets inherit TCP_NODELAY from the listener. */
    for (int i = 0; i < 64; i++) {
        int fd = accept4(g_listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        worker_t *to = &g_workers[g_next_worker++ % (unsigned)g_nworkers];
        if (to == t_worker) {
            serve(to, fd);
            continue;
        }
        conn_msg_t *m = calloc(1, sizeof *m);
        if (!m) abort();
        m->fd = fd;
        h2o_multithread_send_message(&to->receiver, &m->super);
    }
}

static void on_dealt(h2o_multithread_receiver_t *receiver, h2o_linklist_t *messages)
{
    worker_t *w = H2O_STRUCT_FROM_MEMBER(worker_t, receiver, receiver);
    while (!h2o_linklist_is_empty(messages)) {
        conn_msg_t *m = H2O_STRUCT_FROM_MEMBER(conn_msg_t, super.link, messages->next);
        h2o_linklist_unlink(&m->super.link);
        if (atomic_load(&g_stop))
            close(m->fd);
        else
            serve(w, m->fd);
        free(m);
    }
}

static int open_listener(const char *host, int port, char *errbuf, size_t errlen)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &res);
    if (gai != 0) {
        snprintf(errbuf, errlen, "cannot resolve %s: %s", host, gai_strerror(gai));
        return -1;
    }
    int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(errbuf, errlen, "socket: %s", strerror(errno));
        freeaddrinfo(res);
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Make this worker's loop, context and queue, in the calling thread (h2o's per-thread state). */
static void worker_setup(worker_t *w)
{
    t_worker = w;
    w->arena = arena_new(64 << 10);
    w->loop = h2o_evloop_create();
    h2o_context_init(&w->ctx, w->loop, &g_config);
    w->accept_ctx.ctx = &w->ctx;
    w->accept_ctx.hosts = g_config.hosts;
    h2o_linklist_init_anchor(&w->conns);
    if (w->index > 0) {
        w->queue = h2o_multithread_create_queue(w->loop);
        h2o_multithread_register_receiver(w->queue, &w->receiver, on_dealt);
    }
}

static void rendezvous(int *counter)
{
    pthread_mutex_lock(&g_mu);
    (*counter)++;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

static void wait_for(int *counter, int n)
{
    pthread_mutex_lock(&g_mu);
    while (*counter < n) pthread_cond_wait(&g_cv, &g_mu);
    pthread_mutex_unlock(&g_mu);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Shut the given direction of every open connection of w, then run the loop until h2o has closed
 * them all or ms have passed. */
static void drain_conns(worker_t *w, int how, uint64_t ms)
{
    for (h2o_linklist_t *n = w->conns.next; n != &w->conns; n = n->next) {
        conn_t *c = H2O_STRUCT_FROM_MEMBER(conn_t, link, n);
        shutdown(h2o_socket_get_fd(c->sock), how);
    }
    uint64_t until = now_ms() + ms;
    while (w->nconns > 0 && now_ms() < until) h2o_evloop_run(w->loop, 10);
}

/* Stop serving and dispose of everything this worker made, in its own thread. */
static void worker_teardown(worker_t *w)
{
    if (w->index > 0) {
        /* keep serving until worker 0 deals no more, then close what was dealt too late */
        while (!atomic_load(&g_dealing_over)) h2o_evloop_run(w->loop, 10);
        h2o_evloop_run(w->loop, 0);
        on_dealt(&w->receiver, &w->receiver._messages); /* no sender is left: no lock needed */
        h2o_multithread_unregister_receiver(w->queue, &w->receiver);
        h2o_multithread_destroy_queue(w->queue);
        free(w->queue); /* h2o 2.2.5's evloop build closes the queue's sockets but not its memory */
        w->queue = NULL;
    }
    /* connections: no keep-alive after the answer in hand, reads shut (an idle connection ends at
     * once, an answer being written is finished); then both directions for stragglers */
    holds_flush(w);
    h2o_context_request_shutdown(&w->ctx);
    drain_conns(w, SHUT_RD, 2000);
    if (w->nconns > 0) drain_conns(w, SHUT_RDWR, 1000);
    if (w->nconns > 0) {
        /* h2o would free them under our feet if we disposed the context now */
        log_error("worker %d: %zu connections did not close; left to the process exit", w->index, w->nconns);
        return;
    }
    h2o_timeout_unlink(&w->ctx.http2._graceful_shutdown_timeout); /* HTTP/2 GOAWAY resend */
    for (size_t i = 0; i < w->nholds; i++) h2o_timeout_dispose(w->loop, &w->holds[i].t);
    w->nholds = 0;
    h2o_multithread_queue_t *ctx_queue = w->ctx.queue;
    h2o_context_dispose(&w->ctx);
    free(ctx_queue);             /* as above: destroyed by h2o_context_dispose, not freed */
    h2o_evloop_destroy(w->loop); /* frees the sockets closed above */
    w->loop = NULL;
    arena_free(w->arena);
    w->arena = NULL;
}

static void worker_serve(worker_t *w)
{
    h2o_socket_t *listener = NULL;
    if (w->index == 0) {
        listener = h2o_evloop_socket_create(w->loop, g_listen_fd, H2O_SOCKET_FLAG_DONT_READ);
        h2o_socket_read_start(listener, on_accept);
    }
    while (!atomic_load(&g_stop)) h2o_evloop_run(w->loop, 100);
    if (listener) {
        h2o_socket_read_stop(listener);
        h2o_socket_close(listener); /* closes g_listen_fd */
        g_listen_fd = -1;
        atomic_store(&g_dealing_over, true);
    }
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    worker_setup(w);
    rendezvous(&g_nready);
    worker_serve(w);
    worker_teardown(w);
    rendezvous(&g_ndone);
    /* park until the process exits (see the file comment); never signalled */
    pthread_mutex_lock(&g_mu);
    for (;;) pthread_cond_wait(&g_cv, &g_mu);
    return NULL;
}

int http_run(const ddb_config_t *cfg, eng_t *eng, void (*on_ready)(void *), void *ready_ctx)
{
    g_cfg = cfg;
    g_eng = eng;
    signal(SIGPIPE, SIG_IGN);

    h2o_config_init(&g_config);
    g_config.server_name = h2o_iovec_init(H2O_STRLIT("Server"));
    g_config.max_request_entity_size = DDB_MAX_BODY;
    g_config.http2.graceful_shutdown_timeout = 1000; /* ms after the second GOAWAY */
    h2o_hostconf_t *host = h2o_config_register_host(&g_config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *h = h2o_create_handler(path, sizeof *h);
    h->on_req = on_req;

    int n = cfg->threads > 0 ? cfg->threads : 1;
    char errbuf[256];
    g_listen_fd = open_listener(cfg->host, cfg->port, errbuf, sizeof errbuf);
    if (g_listen_fd < 0) {
        log_error("%s", errbuf);
        h2o_config_dispose(&g_config);
        return -1;
    }
    worker_t *ws = calloc((size_t)n, sizeof *ws);
    if (!ws) abort();
    g_workers = ws;
    g_nworkers = n;
    for (int i = 0; i < n; i++) ws[i].index = i;
    ws[0].tid = pthread_self(); /* worker 0 is this thread (the others get theirs from pthread_create) */
    /* Each worker sets itself up in its own thread; worker 0 (this thread) accepts only once all
     * are ready, so a dealt connection always finds its worker's queue. */
    for (int i = 1; i < n; i++) {
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
            log_error("cannot start worker thread %d", i);
            abort();
        }
    }
    worker_setup(&ws[0]);
    wait_for(&g_nready, n - 1);
    if (on_ready) on_ready(ready_ctx);
    worker_serve(&ws[0]);
    worker_teardown(&ws[0]);
    wait_for(&g_ndone, n - 1);
    h2o_config_dispose(&g_config);
    g_workers = NULL;
    free(ws);
    return 0;
}

size_t http_loop_cpu_seconds(double *out, size_t max)
{
    size_t n = 0;
    for (int i = 0; g_workers && i < g_nworkers && n < max; i++) {
        clockid_t cid;
        struct timespec ts;
        if (pthread_getcpuclockid(g_workers[i].tid, &cid) != 0 || clock_gettime(cid, &ts) != 0)
            ts = (struct timespec){0};
        out[n++] = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
    }
    return n;
}

void http_stop(void)
{
    atomic_store(&g_stop, true);
}
