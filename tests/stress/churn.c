/*
 * churn: a connection-churn and concurrency load client for a running dynarock (issue 12).
 *
 *   stress_churn --port N [--host 127.0.0.1] [--clients 8] [--seconds 20] [--seed S]
 *                [--mode mix|churn|keepalive|pipeline|reset|half] [--quiet]
 *
 * Talks plain HTTP/1.1 over blocking sockets (no library of the project, no h2o), so what it
 * checks is the wire. Set-up creates one table (hash key p S) holding 64 small items of known,
 * varied sizes and one ~380 KB item, then learns each item's exact GetItem answer body once.
 * Then `--clients` threads loop until `--seconds` have passed, each turn picking one of:
 *   churn       connect, one GetItem, read the answer, close (the pattern that crashed 0.1.0
 *               with >= 2 event loops: heap-use-after-free in h2o's socket buffers)
 *   keepalive   20 requests one after another on one connection
 *   pipeline    8 requests written in one send, answers read in order; a mix of GetItem (small
 *               and big), UpdateItem ADD on the thread's own counter, and now and then a request
 *               with a broken JSON body in the middle (its answer must be the exact
 *               SerializationException body, and the requests after it must still be answered)
 *   reset-req   headers and half a body sent, then an abortive close (SO_LINGER 0 -> RST)
 *   reset-resp  a GetItem of the big item, part of the answer read, then RST
 *   half        a request cut off (in the headers, or in the body with FIN after it): the server
 *               must answer nothing but a 4xx, or close
 * Every answer is checked: status 200 and the byte-exact body (the counter's UPDATED_NEW value is
 * known exactly, as each thread owns its counter). Meanwhile the main thread asks GET / on a new
 * connection every 250 ms: it must answer `healthy: ...` within 10 s (no stall, no crash). At the
 * end every counter is read back and must equal the number of acknowledged increments.
 *
 * Exit 0 when every check held; 1 with the first failures printed (and the time and the number of
 * answers before the first one, which is how fast a crash showed); 2 for bad usage or set-up.
 * The runner tests/stress/run_stress.py starts the servers, runs this and checks the clean stop.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define NITEMS 64
#define BIG_LEN (380 * 1024) /* under DynamoDB's 400 KB item limit, far over one socket buffer */
#define PIPELINE_DEPTH 8
#define KEEPALIVE_REQS 20
#define IO_TIMEOUT_S 10 /* a request unanswered this long counts as a hang */
#define MAX_FAILURES_SHOWN 10

enum { M_CHURN, M_KEEPALIVE, M_PIPELINE, M_RESET_REQ, M_RESET_RESP, M_HALF, M_COUNT };
static const char *const mode_names[M_COUNT] = {"churn",     "keepalive",  "pipeline",
                                                "reset-req", "reset-resp", "half"};

static struct sockaddr_in g_addr;
static char g_hostport[64];
static char g_table[64];
static int g_clients = 8, g_seconds = 20, g_only_mode = -1;
static bool g_quiet;
static uint64_t g_seed = 12;

static char *g_get_req[NITEMS + 1]; /* GetItem bodies: items 0..63, [NITEMS] = the big item */
static char *g_get_ans[NITEMS + 1]; /* their exact answers, learnt at set-up */
static char *g_bad_ans;             /* the answer to a broken JSON body */
static const char g_bad_body[] = "{\"TableName\": \"x\", \"Key\": {\"p\": ";

static atomic_bool g_stop;
static atomic_long g_answers, g_failures, g_mode_turns[M_COUNT];
static double g_t0, g_first_failure_t = -1;
static long g_answers_at_first_failure;
static pthread_mutex_t g_fail_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *fmt, ...)
{
    pthread_mutex_lock(&g_fail_lock);
    long n = atomic_fetch_add(&g_failures, 1);
    if (n == 0) {
        g_first_failure_t = now() - g_t0;
        g_answers_at_first_failure = atomic_load(&g_answers);
    }
    if (n < MAX_FAILURES_SHOWN) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "churn: FAIL at %.2fs: ", now() - g_t0);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
    }
    pthread_mutex_unlock(&g_fail_lock);
    atomic_store(&g_stop, true); /* one failure is enough: stop, so a crash is reported once */
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) abort();
    return p;
}

static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    va_end(ap);
    return s;
}

/* xorshift64*: each thread its own stream, so a run is repeatable up to scheduling. */
static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* ---- connections --------------------------------------------------------------------------- */

typedef struct {
    int fd;
    char *buf; /* bytes read and not yet consumed */
    size_t len, cap;
} conn_t;

static int conn_open(conn_t *c)
{
    c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) return -1;
    struct timeval tv = {IO_TIMEOUT_S, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&g_addr, sizeof g_addr) != 0) {
        int e = errno;
        close(c->fd);
        c->fd = -1;
        errno = e;
        return -1;
    }
    return 0;
}

static void conn_close(conn_t *c)
{
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
}

/* Abortive close: SO_LINGER 0 makes close() send RST instead of FIN. */
static void conn_reset(conn_t *c)
{
    struct linger lg = {1, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    conn_close(c);
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Read more bytes into c->buf: >0 read, 0 EOF, -1 error (errno set; EAGAIN = timeout). */
static ssize_t conn_fill(conn_t *c)
{
    if (c->cap - c->len < 65536) {
        c->cap = c->cap ? c->cap * 2 : 1 << 17;
        c->buf = realloc(c->buf, c->cap);
        if (!c->buf) abort();
    }
    for (;;) {
        ssize_t k = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k > 0) c->len += (size_t)k;
        return k;
    }
}

typedef struct {
    int status;
    char *body; /* malloc'd, NUL-terminated */
    size_t body_len;
} answer_t;

/* Read one HTTP/1.1 answer (Content-Length framing, which is what the server sends). 0 on
 * success; -1 with a description in `why` otherwise (EOF before any byte: "closed"). */
static int read_answer(conn_t *c, answer_t *a, char *why, size_t whylen)
{
    size_t hdr_end = 0;
    for (;;) {
        char *e = c->len >= 4 ? memmem(c->buf, c->len, "\r\n\r\n", 4) : NULL;
        if (e) {
            hdr_end = (size_t)(e - c->buf) + 4;
            break;
        }
        if (c->len > 64 * 1024) {
            snprintf(why, whylen, "answer headers over 64 KB");
            return -1;
        }
        ssize_t k = conn_fill(c);
        if (k <= 0) {
            snprintf(why, whylen, "%s after %zu bytes of headers",
                     k == 0                                      ? "closed"
                     : (errno == EAGAIN || errno == EWOULDBLOCK) ? "timeout"
                                                                 : strerror(errno),
                     c->len);
            return -1;
        }
    }
    /* "HTTP/1.x NNN": parsed by hand, the buffer has no NUL (sscanf would strlen past it) */
    const char *sl = c->buf;
    if (hdr_end < 12 || memcmp(sl, "HTTP/1.", 7) != 0 || sl[8] != ' ' || sl[9] < '1' || sl[9] > '5' ||
        sl[10] < '0' || sl[10] > '9' || sl[11] < '0' || sl[11] > '9') {
        snprintf(why, whylen, "bad status line: %.*s", (int)(hdr_end < 40 ? hdr_end : 40), c->buf);
        return -1;
    }
    a->status = (sl[9] - '0') * 100 + (sl[10] - '0') * 10 + (sl[11] - '0');
    long clen = -1;
    for (char *p = c->buf; p < c->buf + hdr_end;) {
        char *eol = memmem(p, (size_t)(c->buf + hdr_end - p), "\r\n", 2);
        if (!eol) break;
        if ((size_t)(eol - p) > 15 && !strncasecmp(p, "content-length:", 15)) clen = strtol(p + 15, NULL, 10);
        p = eol + 2;
    }
    if (clen < 0) {
        snprintf(why, whylen, "answer %d without Content-Length", a->status);
        return -1;
    }
    while (c->len < hdr_end + (size_t)clen) {
        ssize_t k = conn_fill(c);
        if (k <= 0) {
            snprintf(why, whylen, "%s in a body of %ld bytes", k == 0 ? "closed" : strerror(errno), clen);
            return -1;
        }
    }
    a->body = xmalloc((size_t)clen + 1);
    memcpy(a->body, c->buf + hdr_end, (size_t)clen);
    a->body[clen] = 0;
    a->body_len = (size_t)clen;
    size_t used = hdr_end + (size_t)clen;
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    return 0;
}

static char *request_text(const char *op, const char *body, size_t *len)
{
    char *s = xasprintf("POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-amz-json-1.0\r\n"
                        "X-Amz-Target: DynamoDB_20120810.%s\r\nContent-Length: %zu\r\n\r\n%s",
                        g_hostport, op, strlen(body), body);
    *len = strlen(s);
    return s;
}

/* One request on a fresh connection (set-up and final checks). */
static int call(const char *op, const char *body, answer_t *a)
{
    conn_t c = {.fd = -1};
    char why[200];
    if (conn_open(&c) != 0) {
        fprintf(stderr, "churn: connect: %s\n", strerror(errno));
        return -1;
    }
    size_t n;
    char *req = request_text(op, body, &n);
    int rc = send_all(c.fd, req, n);
    if (rc == 0 && (rc = read_answer(&c, a, why, sizeof why)) != 0)
        fprintf(stderr, "churn: %s: %s\n", op, why);
    free(req);
    conn_close(&c);
    free(c.buf);
    return rc;
}

static int call_ok(const char *op, const char *body, answer_t *a)
{
    if (call(op, body, a) != 0) return -1;
    if (a->status != 200) {
        fprintf(stderr, "churn: %s answered %d: %s\n", op, a->status, a->body);
        free(a->body);
        return -1;
    }
    return 0;
}

/* ---- what the workers send and expect -------------------------------------------------------- */

typedef struct {
    int kind; /* 0 GetItem of item `item`, 1 counter increment, 2 broken JSON */
    int item;
    long counter_value; /* for kind 1: the value UPDATED_NEW must show */
} expect_t;

typedef struct {
    int id;
    uint64_t rng;
    long counter; /* increments acknowledged so far */
    conn_t c;
    char *counter_req;
} worker_t;

static char *append_request(char *out, size_t *outlen, const char *op, const char *body)
{
    size_t n;
    char *r = request_text(op, body, &n);
    out = realloc(out, *outlen + n + 1);
    if (!out) abort();
    memcpy(out + *outlen, r, n + 1);
    *outlen += n;
    free(r);
    return out;
}

static int pick_item(worker_t *w)
{
    return rnd(&w->rng) % 16 == 0 ? NITEMS : (int)(rnd(&w->rng) % NITEMS);
}

/* Add one request to `out` and describe its expected answer in `e`. */
static char *add_one(worker_t *w, char *out, size_t *outlen, expect_t *e, bool allow_bad, bool allow_counter)
{
    unsigned r = (unsigned)(rnd(&w->rng) % 16);
    if (allow_bad && r == 0) {
        e->kind = 2;
        return append_request(out, outlen, "GetItem", g_bad_body);
    }
    if (allow_counter && r < 5) {
        e->kind = 1;
        e->counter_value = w->counter + 1;
        w->counter++; /* provisionally: undone if the answer does not come */
        return append_request(out, outlen, "UpdateItem", w->counter_req);
    }
    e->kind = 0;
    e->item = pick_item(w);
    return append_request(out, outlen, "GetItem", g_get_req[e->item]);
}

static bool check_answer(worker_t *w, const expect_t *e, const answer_t *a, const char *mode)
{
    char expect_buf[96];
    const char *want;
    int want_status = 200;
    if (e->kind == 0) {
        want = g_get_ans[e->item];
    } else if (e->kind == 1) {
        snprintf(expect_buf, sizeof expect_buf, "{\"Attributes\":{\"n\":{\"N\":\"%ld\"}}}", e->counter_value);
        want = expect_buf;
    } else {
        want = g_bad_ans;
        want_status = 400;
    }
    if (a->status != want_status || strlen(want) != a->body_len || memcmp(want, a->body, a->body_len) != 0) {
        fail("%s (client %d): expected %d %.120s%s, got %d %.200s", mode, w->id, want_status, want,
             strlen(want) > 120 ? "..." : "", a->status, a->body);
        return false;
    }
    atomic_fetch_add(&g_answers, 1);
    return true;
}

/* Send `nreq` requests (already in `out`) and check the answers in order. */
static bool exchange(worker_t *w, const char *mode, char *out, size_t outlen, expect_t *ex, int nreq)
{
    char why[200];
    if (send_all(w->c.fd, out, outlen) != 0) {
        fail("%s (client %d): send: %s", mode, w->id, strerror(errno));
        return false;
    }
    for (int i = 0; i < nreq; i++) {
        answer_t a;
        if (read_answer(&w->c, &a, why, sizeof why) != 0) {
            fail("%s (client %d): answer %d of %d: %s", mode, w->id, i + 1, nreq, why);
            return false;
        }
        bool ok = check_answer(w, &ex[i], &a, mode);
        free(a.body);
        if (!ok) return false;
    }
    return true;
}

static bool open_or_fail(worker_t *w, const char *mode)
{
    if (conn_open(&w->c) == 0) return true;
    fail("%s (client %d): connect: %s", mode, w->id, strerror(errno));
    return false;
}

static void turn_churn(worker_t *w)
{
    if (!open_or_fail(w, "churn")) return;
    expect_t e;
    size_t n = 0;
    char *out = add_one(w, NULL, &n, &e, false, false);
    exchange(w, "churn", out, n, &e, 1);
    free(out);
    conn_close(&w->c);
}

static void turn_keepalive(worker_t *w)
{
    if (!open_or_fail(w, "keepalive")) return;
    for (int i = 0; i < KEEPALIVE_REQS && !atomic_load(&g_stop); i++) {
        expect_t e;
        size_t n = 0;
        long before = w->counter;
        char *out = add_one(w, NULL, &n, &e, true, true);
        bool ok = exchange(w, "keepalive", out, n, &e, 1);
        free(out);
        if (!ok) {
            w->counter = before;
            break;
        }
    }
    conn_close(&w->c);
}

static void turn_pipeline(worker_t *w)
{
    if (!open_or_fail(w, "pipeline")) return;
    expect_t ex[PIPELINE_DEPTH];
    size_t n = 0;
    char *out = NULL;
    long before = w->counter;
    for (int i = 0; i < PIPELINE_DEPTH; i++)
        out = add_one(w, out, &n, &ex[i], i > 0 && i < PIPELINE_DEPTH - 1, true);
    if (!exchange(w, "pipeline", out, n, ex, PIPELINE_DEPTH)) w->counter = before;
    free(out);
    conn_close(&w->c);
}

static void turn_reset_req(worker_t *w)
{
    if (!open_or_fail(w, "reset-req")) return;
    size_t n;
    char *req = request_text("GetItem", g_get_req[NITEMS], &n);
    size_t cut = n - strlen(g_get_req[NITEMS]) / 2 - (rnd(&w->rng) % 8); /* in the body */
    if (rnd(&w->rng) % 2) cut = 20 + rnd(&w->rng) % 40;                  /* or in the headers */
    send_all(w->c.fd, req, cut);
    free(req);
    conn_reset(&w->c);
}

static void turn_reset_resp(worker_t *w)
{
    if (!open_or_fail(w, "reset-resp")) return;
    size_t n;
    char *req = request_text("GetItem", g_get_req[NITEMS], &n);
    /* pipelined: the first answer half read, the second one never */
    char *two = xmalloc(2 * n);
    memcpy(two, req, n);
    memcpy(two + n, req, n);
    int rc = send_all(w->c.fd, two, (rnd(&w->rng) % 2 + 1) * n);
    free(req);
    free(two);
    if (rc != 0) {
        fail("reset-resp (client %d): send: %s", w->id, strerror(errno));
        conn_close(&w->c);
        return;
    }
    size_t want = 1 + rnd(&w->rng) % (BIG_LEN / 2);
    while (w->c.len < want) {
        ssize_t k = conn_fill(&w->c);
        if (k <= 0) {
            fail("reset-resp (client %d): %s after %zu bytes of a big answer", w->id,
                 k == 0 ? "closed" : strerror(errno), w->c.len);
            break;
        }
    }
    conn_reset(&w->c);
}

static void turn_half(worker_t *w)
{
    if (!open_or_fail(w, "half")) return;
    size_t n;
    char *req = request_text("GetItem", g_get_req[0], &n);
    bool in_body = rnd(&w->rng) % 2;
    size_t cut = in_body ? n - 3 : 10 + rnd(&w->rng) % 30;
    send_all(w->c.fd, req, cut);
    free(req);
    shutdown(w->c.fd, SHUT_WR);
    /* The request can never complete: the only acceptable answers are a 4xx, or none (a close). */
    char why[200];
    answer_t a;
    if (read_answer(&w->c, &a, why, sizeof why) == 0) {
        if (a.status < 400 || a.status > 499)
            fail("half (client %d): a cut request answered %d", w->id, a.status);
        free(a.body);
    } else if (strncmp(why, "closed", 6) != 0 && strncmp(why, "Connection reset", 16) != 0) {
        fail("half (client %d): %s (the server should close)", w->id, why);
    }
    conn_close(&w->c);
}

static void *worker_main(void *arg)
{
    worker_t *w = arg;
    static const int weights[M_COUNT] = {50, 15, 15, 5, 5, 10}; /* out of 100 */
    while (!atomic_load(&g_stop)) {
        int mode = g_only_mode;
        if (mode < 0) {
            int r = (int)(rnd(&w->rng) % 100);
            for (mode = 0; r >= weights[mode]; mode++) r -= weights[mode];
        }
        atomic_fetch_add(&g_mode_turns[mode], 1);
        switch (mode) {
        case M_CHURN:
            turn_churn(w);
            break;
        case M_KEEPALIVE:
            turn_keepalive(w);
            break;
        case M_PIPELINE:
            turn_pipeline(w);
            break;
        case M_RESET_REQ:
            turn_reset_req(w);
            break;
        case M_RESET_RESP:
            turn_reset_resp(w);
            break;
        default:
            turn_half(w);
            break;
        }
    }
    return NULL;
}

/* ---- set-up, health checks, final checks ------------------------------------------------------ */

static int setup(void)
{
    answer_t a;
    char *body = xasprintf("{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\","
                           "\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}],"
                           "\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"}]}",
                           g_table);
    if (call_ok("CreateTable", body, &a) != 0) return -1;
    free(body);
    free(a.body);
    for (int i = 0; i <= NITEMS; i++) {
        size_t vlen = i == NITEMS ? BIG_LEN : (size_t)(1 + (i * 997) % 4000); /* 1 B .. 4 KB */
        char *v = xmalloc(vlen + 1);
        for (size_t j = 0; j < vlen; j++) v[j] = (char)('a' + (j * 7 + (size_t)i) % 26);
        v[vlen] = 0;
        body = xasprintf("{\"TableName\":\"%s\",\"Item\":{\"p\":{\"S\":\"item%d\"},\"v\":{\"S\":\"%s\"},"
                         "\"n\":{\"N\":\"%d\"}}}",
                         g_table, i, v, i);
        if (call_ok("PutItem", body, &a) != 0) return -1;
        free(body);
        free(a.body);
        g_get_req[i] = xasprintf("{\"TableName\":\"%s\",\"Key\":{\"p\":{\"S\":\"item%d\"}}}", g_table, i);
        if (call_ok("GetItem", g_get_req[i], &a) != 0) return -1;
        if (!strstr(a.body, v) || !strstr(a.body, "\"item")) {
            fprintf(stderr, "churn: set-up GetItem of item%d does not show its value: %.200s\n", i, a.body);
            return -1;
        }
        g_get_ans[i] = a.body;
        free(v);
    }
    if (call("GetItem", g_bad_body, &a) != 0) return -1;
    if (a.status != 400 || !strstr(a.body, "SerializationException")) {
        fprintf(stderr, "churn: a broken JSON body answered %d %s\n", a.status, a.body);
        return -1;
    }
    g_bad_ans = a.body;
    return 0;
}

static char *counter_req(int id)
{
    return xasprintf(
        "{\"TableName\":\"%s\",\"Key\":{\"p\":{\"S\":\"counter%d\"}},\"UpdateExpression\":\"ADD n :one\","
        "\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1\"}},\"ReturnValues\":\"UPDATED_NEW\"}",
        g_table, id);
}

static void health_check(void)
{
    double t = now();
    conn_t c = {.fd = -1};
    char why[200];
    if (conn_open(&c) != 0) {
        fail("health: connect: %s", strerror(errno));
        return;
    }
    char *req = xasprintf("GET / HTTP/1.1\r\nHost: %s\r\n\r\n", g_hostport);
    answer_t a;
    if (send_all(c.fd, req, strlen(req)) != 0) {
        fail("health: send: %s", strerror(errno));
    } else if (read_answer(&c, &a, why, sizeof why) != 0) {
        fail("health: GET /: %s", why);
    } else {
        if (a.status != 200 || strncmp(a.body, "healthy: dynamodb.", 18) != 0)
            fail("health: GET / answered %d %.100s", a.status, a.body);
        else if (now() - t > IO_TIMEOUT_S)
            fail("health: GET / took %.1fs", now() - t);
        free(a.body);
    }
    free(req);
    conn_close(&c);
    free(c.buf);
}

static void final_checks(worker_t *ws)
{
    for (int i = 0; i < g_clients; i++) {
        if (ws[i].counter == 0) continue;
        char *body =
            xasprintf("{\"TableName\":\"%s\",\"Key\":{\"p\":{\"S\":\"counter%d\"}},\"ConsistentRead\":true}",
                      g_table, i);
        answer_t a;
        if (call_ok("GetItem", body, &a) != 0) {
            fail("final: GetItem of counter%d failed", i);
        } else {
            char *want =
                xasprintf("{\"Item\":{\"p\":{\"S\":\"counter%d\"},\"n\":{\"N\":\"%ld\"}}}", i, ws[i].counter);
            char *want2 =
                xasprintf("{\"Item\":{\"n\":{\"N\":\"%ld\"},\"p\":{\"S\":\"counter%d\"}}}", ws[i].counter, i);
            if (strcmp(a.body, want) != 0 && strcmp(a.body, want2) != 0)
                fail("final: counter%d: expected %ld acknowledged increments, read %s", i, ws[i].counter,
                     a.body);
            free(want);
            free(want2);
            free(a.body);
        }
        free(body);
    }
    char *body = xasprintf("{\"TableName\":\"%s\"}", g_table);
    answer_t a;
    if (call_ok("DeleteTable", body, &a) == 0) free(a.body);
    free(body);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: stress_churn --port N [--host 127.0.0.1] [--clients 8] [--seconds 20] [--seed S]\n"
            "                    [--mode mix|churn|keepalive|pipeline|reset|half] [--quiet]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--quiet")) {
            g_quiet = true;
            continue;
        }
        if (!v) usage();
        i++;
        if (!strcmp(a, "--port"))
            port = atoi(v);
        else if (!strcmp(a, "--host"))
            host = v;
        else if (!strcmp(a, "--clients"))
            g_clients = atoi(v);
        else if (!strcmp(a, "--seconds"))
            g_seconds = atoi(v);
        else if (!strcmp(a, "--seed"))
            g_seed = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--mode")) {
            g_only_mode = -2;
            if (!strcmp(v, "mix")) g_only_mode = -1;
            if (!strcmp(v, "reset")) g_only_mode = M_RESET_REQ;
            for (int m = 0; m < M_COUNT; m++)
                if (!strcmp(v, mode_names[m])) g_only_mode = m;
            if (g_only_mode == -2) usage();
        } else
            usage();
    }
    if (port <= 0 || g_clients < 1 || g_clients > 256 || g_seconds < 1) usage();
    g_addr.sin_family = AF_INET;
    g_addr.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &g_addr.sin_addr) != 1) usage();
    snprintf(g_hostport, sizeof g_hostport, "%s:%d", host, port);
    snprintf(g_table, sizeof g_table, "churn_%ld_%d", (long)time(NULL), (int)getpid());

    g_t0 = now();
    if (setup() != 0) {
        fprintf(stderr, "churn: set-up failed\n");
        return 2;
    }
    worker_t *ws = calloc((size_t)g_clients, sizeof *ws);
    pthread_t *tids = calloc((size_t)g_clients, sizeof *tids);
    if (!ws || !tids) abort();
    g_t0 = now();
    for (int i = 0; i < g_clients; i++) {
        ws[i].id = i;
        ws[i].rng = g_seed * 0x9E3779B97F4A7C15ULL + (uint64_t)i * 7919 + 1;
        ws[i].c.fd = -1;
        ws[i].counter_req = counter_req(i);
        pthread_create(&tids[i], NULL, worker_main, &ws[i]);
    }
    double next_report = 5;
    while (!atomic_load(&g_stop) && now() - g_t0 < g_seconds) {
        usleep(250 * 1000);
        health_check();
        if (!g_quiet && now() - g_t0 >= next_report) {
            fprintf(stderr, "churn: %.0fs %ld answers\n", now() - g_t0, atomic_load(&g_answers));
            next_report += 5;
        }
    }
    atomic_store(&g_stop, true);
    for (int i = 0; i < g_clients; i++) pthread_join(tids[i], NULL);
    double elapsed = now() - g_t0;
    if (atomic_load(&g_failures) == 0) {
        final_checks(ws);
        health_check();
    }
    long failures = atomic_load(&g_failures);
    printf("churn: %s: %ld checked answers in %.1fs (%.0f/s), %d clients; turns:", failures ? "FAILED" : "ok",
           atomic_load(&g_answers), elapsed, (double)atomic_load(&g_answers) / elapsed, g_clients);
    for (int m = 0; m < M_COUNT; m++) printf(" %s %ld", mode_names[m], atomic_load(&g_mode_turns[m]));
    printf("\n");
    if (failures)
        printf("churn: first failure at %.2fs after %ld checked answers (%ld failures)\n", g_first_failure_t,
               g_answers_at_first_failure, failures);
    for (int i = 0; i < g_clients; i++) {
        free(ws[i].c.buf);
        free(ws[i].counter_req);
    }
    free(ws);
    free(tids);
    for (int i = 0; i <= NITEMS; i++) {
        free(g_get_req[i]);
        free(g_get_ans[i]);
    }
    free(g_bad_ans);
    return failures ? 1 : 0;
}
