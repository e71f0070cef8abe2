/*
 * accesslog: the access log, an AFTER hook of the front door (door.h). One line per request on
 * stderr, in common/log.h's format (--log-format text | json):
 *
 *   text: dynarock info: access time=2025-01-02T03:04:05.678Z id=ABC... remote=127.0.0.1:40312
 *         op=GetItem table=bench status=200 error=- ms=0.153 in=85 out=120 cu=0.5
 *   json: {"time":"2025-01-02T03:04:05.678Z","level":"info","msg":"access","id":"ABC...",
 *          "remote":"127.0.0.1:40312","op":"GetItem","table":"bench","status":200,"error":null,
 *          "ms":0.153,"in":85,"out":120,"cu":0.5}
 * cu: the capacity units the request consumed, as ConsumedCapacity counts them (0 when none).
 *
 * Levels: info for every request; warn ("msg":"slow") when it took at least --log-slow-ms; error
 * for a 5xx answer. At --log-level debug every line adds "request" and "answer" (the bodies,
 * truncated to BODY_MAX bytes). Without --log-level only the warn and error lines are written. A request that
 * is not an API call (GET /, GET /metrics, another path) logs op as "<METHOD> <path>" and no table; one whose
 * target was not routed logs op "-". A text value with a space, '"', '=', '\' or a control byte is written as
 * a JSON string.
 *
 * Cost: the line is formatted by hand into the request's arena (no printf), the date of the current
 * second is cached per thread (log_format_time), and h2o caches the peer address per connection.
 */
#include "server/door.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/decimal.h"
#include "common/log.h"

#define BODY_MAX 1024 /* debug: bodies beyond this are cut (with "...") */
#define VALUE_MAX 256 /* a table name or path beyond this is cut: an escaped byte takes at most 6 */
#define LINE_MAX_FIXED (1024 + 3 * 6 * VALUE_MAX) /* everything but the bodies */

/* The fixed part of a line is written through a cursor into room reserved once (LINE_MAX_FIXED):
 * no bounds check and no call per field, which keeps an info line near 1,500 instructions. */
#define LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

/* A JSON string (quotes included): room for 6 * n + 2 bytes must be there. */
static char *put_json_str(char *p, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = (char)c;
        } else if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else {
            memcpy(p, "\\u00", 4);
            p[4] = hex[c >> 4];
            p[5] = hex[c & 15];
            p += 6;
        }
    }
    *p++ = '"';
    return p;
}

/* A value: JSON string in JSON lines; in text lines bare when it needs no quoting. */
static char *put_str(char *p, bool json, const char *s, size_t n)
{
    if (n > VALUE_MAX) n = VALUE_MAX;
    if (!json) {
        size_t i = 0;
        while (i < n && (unsigned char)s[i] > 0x20 && s[i] != '"' && s[i] != '=' && s[i] != '\\' &&
               s[i] != 0x7f)
            i++;
        if (i == n && n > 0) {
            memcpy(p, s, n);
            return p + n;
        }
    }
    return put_json_str(p, s, n);
}

/* " key=" (text) or ",\"key\":" (JSON). */
#define KEY(p, json, k)                                                                                      \
    do {                                                                                                     \
        if (json)                                                                                            \
            LIT(p, ",\"" k "\":");                                                                           \
        else                                                                                                 \
            LIT(p, " " k "=");                                                                               \
    } while (0)

/* A missing value: null (JSON) or - (text). */
static char *put_none(char *p, bool json)
{
    if (json)
        LIT(p, "null");
    else
        *p++ = '-';
    return p;
}

/* The peer's address as "1.2.3.4:5678" or "[::1]:5678" into out[64]; its length, 0 if unknown.
 * Cached per thread by h2o's connection id: keep-alive requests format it once. */
static size_t remote_text(h2o_req_t *req, char out[64])
{
    static _Thread_local uint64_t cached_id;
    static _Thread_local bool cached_ok;
    static _Thread_local char cached[64];
    static _Thread_local size_t cached_len;
    if (cached_ok && cached_id == req->conn->id) {
        memcpy(out, cached, cached_len);
        return cached_len;
    }
    struct sockaddr_storage ss;
    socklen_t sl =
        req->conn->callbacks->get_peername ? req->conn->callbacks->get_peername(req->conn, (void *)&ss) : 0;
    char host[INET6_ADDRSTRLEN + 2];
    unsigned port = 0;
    size_t n = 0;
    if (sl && ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)&ss;
        if (inet_ntop(AF_INET, &in->sin_addr, host, sizeof host)) n = strlen(host);
        port = ntohs(in->sin_port);
    } else if (sl && ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in = (const void *)&ss;
        host[0] = '[';
        if (inet_ntop(AF_INET6, &in->sin6_addr, host + 1, sizeof host - 2)) {
            n = strlen(host);
            host[n++] = ']';
        }
        port = ntohs(in->sin6_port);
    }
    if (!n) return 0;
    memcpy(out, host, n);
    out[n++] = ':';
    n += dec_format_u64(out + n, port);
    memcpy(cached, out, n);
    cached_len = n;
    cached_id = req->conn->id;
    cached_ok = true;
    return n;
}

/* Latency in milliseconds with three decimals. */
/* Capacity units as ConsumedCapacity counts them: whole or half units ("3", "0.5"); others with up
 * to three decimals. */
static char *put_units(char *p, double u)
{
    if (!(u >= 0 && u < 1e15)) u = 0;
    uint64_t milli = (uint64_t)(u * 1000.0 + 0.5);
    p += dec_format_u64(p, milli / 1000);
    unsigned frac = (unsigned)(milli % 1000);
    if (frac) {
        *p++ = '.';
        *p++ = (char)('0' + frac / 100);
        if (frac % 100) *p++ = (char)('0' + frac / 10 % 10);
        if (frac % 10) *p++ = (char)('0' + frac % 10);
    }
    return p;
}

static char *put_ms(char *p, uint64_t us)
{
    p += dec_format_u64(p, us / 1000);
    p[0] = '.';
    p[1] = (char)('0' + us / 100 % 10);
    p[2] = (char)('0' + us / 10 % 10);
    p[3] = (char)('0' + us % 10);
    return p + 4;
}

/* A body as a JSON string, cut at BODY_MAX bytes (not inside a UTF-8 sequence) with "...". */
static void put_body(buf_t *b, const char *s, size_t n)
{
    bool cut = n > BODY_MAX;
    if (cut) {
        n = BODY_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    char *p = buf_reserve(b, n * 6 + 8), *p0 = p;
    p = put_json_str(p, s, n);
    if (cut) {
        p--; /* the closing quote */
        LIT(p, "...\"");
    }
    b->len += (size_t)(p - p0);
    b->data[b->len] = 0;
}

/* The table a request names: its body's TableName (the last one, as json_get), or NULL. */
static const json_t *table_name(const ddb_req_t *r)
{
    const json_t *t = NULL;
    if (!r->body) return NULL;
    for (const json_t *c = r->body->child; c; c = c->next)
        if (c->key.len == 9 && !memcmp(c->key.ptr, "TableName", 9)) t = c;
    return t && t->type == JSON_STRING ? t : NULL;
}

void accesslog_format(buf_t *b, const door_t *d, int lvl, uint64_t latency_us, bool bodies)
{
    bool json = log_is_json();
    h2o_req_t *req = d->req;
    ddb_req_t *r = d->r;
    bool slow = lvl == LOG_LVL_WARN;
    char *p = buf_reserve(b, LINE_MAX_FIXED), *p0 = p;
    const char *lname = log_level_name((log_level_t)lvl);
    size_t lnlen = strlen(lname);
    if (json) {
        LIT(p, "{\"time\":\"");
        log_format_time(p);
        p += LOG_TIME_LEN;
        LIT(p, "\",\"level\":\"");
        memcpy(p, lname, lnlen);
        p += lnlen;
        if (slow)
            LIT(p, "\",\"msg\":\"slow\"");
        else
            LIT(p, "\",\"msg\":\"access\"");
    } else {
        LIT(p, "dynarock ");
        memcpy(p, lname, lnlen);
        p += lnlen;
        if (slow)
            LIT(p, ": slow time=");
        else
            LIT(p, ": access time=");
        log_format_time(p);
        p += LOG_TIME_LEN;
    }
    KEY(p, json, "id");
    if (d->request_id[0]) {
        if (json) *p++ = '"';
        memcpy(p, d->request_id, 52);
        p += 52;
        if (json) *p++ = '"';
    } else {
        p = put_none(p, json);
    }
    KEY(p, json, "remote");
    char remote[64];
    size_t rl = remote_text(req, remote);
    if (!rl) {
        p = put_none(p, json);
    } else {
        if (json) *p++ = '"';
        memcpy(p, remote, rl);
        p += rl;
        if (json) *p++ = '"';
    }
    KEY(p, json, "op");
    if (r->op) {
        p = put_str(p, json, r->op, strlen(r->op));
    } else if (d->target) {
        p = put_none(p, json); /* an API call whose target was not routed */
    } else {
        char op[VALUE_MAX];
        size_t ml = req->method.len < 16 ? req->method.len : 16;
        size_t pl = req->path.len < VALUE_MAX - ml - 1 ? req->path.len : VALUE_MAX - ml - 1;
        memcpy(op, req->method.base, ml);
        op[ml] = ' ';
        memcpy(op + ml + 1, req->path.base, pl);
        p = put_str(p, json, op, ml + 1 + pl);
    }
    KEY(p, json, "table");
    const json_t *tn = table_name(r);
    p = tn ? put_str(p, json, tn->str.ptr, tn->str.len) : put_none(p, json);
    KEY(p, json, "status");
    p += dec_format_u64(p, (uint64_t)d->status);
    KEY(p, json, "error");
    if (r->err.code != DDB_OK && d->status != 200) {
        const char *e = err_short_name(r->err.code);
        p = put_str(p, json, e, strlen(e));
    } else {
        p = put_none(p, json);
    }
    KEY(p, json, "ms");
    p = put_ms(p, latency_us);
    KEY(p, json, "in");
    p += dec_format_u64(p, req->entity.base ? req->entity.len : 0);
    KEY(p, json, "out");
    p += dec_format_u64(p, req->res.content_length == SIZE_MAX ? 0 : req->res.content_length);
    KEY(p, json, "cu");
    p = put_units(p, r->consumed);
    b->len += (size_t)(p - p0);
    b->data[b->len] = 0;
    if (bodies) {
        buf_puts(b, json ? ",\"request\":" : " request=");
        if (d->body)
            put_body(b, d->body, d->body_len);
        else
            buf_puts(b, json ? "null" : "-");
        buf_puts(b, json ? ",\"answer\":" : " answer=");
        if (d->status == 200 && r->out.b.data) {
            put_body(b, r->out.b.data, r->out.b.len);
        } else if (r->err.code != DDB_OK) {
            size_t len;
            const char *eb = reply_error_body(r, &len);
            put_body(b, eb, len);
        } else {
            buf_puts(b, json ? "null" : "-");
        }
    }
    if (json) buf_putc(b, '}');
    buf_putc(b, '\n');
}

void accesslog_after(const door_t *d)
{
    const ddb_config_t *cfg = d->r->cfg;
    int on = cfg->log_level < 0 ? LOG_LVL_WARN : cfg->log_level; /* not given: slow and 5xx lines only */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t ns = (int64_t)(now.tv_sec - d->start.tv_sec) * 1000000000 + (now.tv_nsec - d->start.tv_nsec);
    uint64_t us = ns > 0 ? (uint64_t)ns / 1000u : 0;
    int lvl;
    if (d->status >= 500)
        lvl = LOG_LVL_ERROR;
    else if (cfg->log_slow_ms && us >= (uint64_t)cfg->log_slow_ms * 1000u)
        lvl = LOG_LVL_WARN;
    else
        lvl = LOG_LVL_INFO;
    if (lvl > on) return;
    buf_t b;
    buf_init(&b, d->r->a, LINE_MAX_FIXED + 2);
    accesslog_format(&b, d, lvl, us, on >= LOG_LVL_DEBUG);
    log_write(b.data, b.len);
}
