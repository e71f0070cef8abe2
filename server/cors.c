/*
 * cors: cross-origin resource sharing for a page's JavaScript (the JS SDK in a browser) calling the
 * server from another origin, off unless `--cors [ORIGINS]` / `-cors [ORIGINS]` is given (ORIGINS:
 * `*`, the default as in DynamoDB Local, or a comma list such as `http://localhost:3000,https://a.b`).
 * Two front-door pieces (door.h):
 *
 *   cors_stage      ENTRY stage, every request: for an allowed Origin it puts Access-Control-Allow-
 *                   Origin and Access-Control-Expose-Headers into the answer's headers before any
 *                   stage answers, so every answer carries them (API results, errors, the health
 *                   check). With a list (not `*`) every answer also says `Vary: Origin`.
 *   cors_preflight  route OPTIONS /: the browser's preflight. 200 with an empty body; for an allowed
 *                   Origin also Access-Control-Allow-Methods and -Headers (the requested ones,
 *                   mirrored, as DynamoDB does) and Access-Control-Max-Age. A disallowed Origin gets
 *                   200 without them, and the browser refuses the call. Without --cors: the
 *                   UnknownOperationException any other method gets.
 *
 * What AWS answers (a preflight to dynamodb.us-east-1.amazonaws.com, recorded in 2020, and ScyllaDB's
 * test_cors.py, which runs against AWS too): Allow-Origin `*` on every answer to a request with an
 * Origin and nothing without one; Expose-Headers `x-amzn-RequestId,x-amzn-ErrorType,
 * x-amzn-ErrorMessage,Date` (we add x-amz-crc32, which we send and SDKs may check); on the preflight
 * only, Allow-Methods and Allow-Headers echoing Access-Control-Request-Method / -Headers, and
 * Max-Age 172800 (two days; browsers cap it: Chromium at 2 hours, Firefox at 1 day).
 *
 * The origin list is read from the configuration on each request (a few comparisons): no state, so
 * any worker thread may call these.
 */
#include "server/door.h"

#include <string.h>
#include <strings.h>

#define EXPOSE_HEADERS "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date,x-amz-crc32"
#define MAX_AGE "172800" /* AWS's value, in seconds */
/* When a preflight names no method or headers: what the SDKs send. */
#define DEFAULT_METHODS "GET,POST"
#define DEFAULT_HEADERS                                                                                      \
    "authorization,content-type,content-encoding,x-amz-date,x-amz-target,x-amz-security-token,"              \
    "x-amz-user-agent,x-amz-content-sha256,amz-sdk-invocation-id,amz-sdk-request"

typedef enum { NO_ORIGIN, ALLOWED, REFUSED } verdict_t;

static void add(h2o_req_t *req, const char *name, size_t nlen, const char *val, size_t vlen)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, nlen, 0, NULL, val, vlen);
}

/* The next entry of a comma list from *p, trimmed of blanks (and of a trailing '/' when `slash`):
 * [*s, *e), or false at the end. */
static bool next_entry(const char **p, bool slash, const char **s, const char **e)
{
    if (!**p) return false;
    const char *end = strchr(*p, ',');
    if (!end) end = *p + strlen(*p);
    const char *a = *p, *b = end;
    while (a < b && (*a == ' ' || *a == '\t')) a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t')) b--;
    if (slash && b > a && b[-1] == '/') b--;
    *s = a;
    *e = b;
    *p = *end ? end + 1 : end;
    return true;
}

/* Whether the configured list is (or contains) `*`. */
static bool list_is_any(const char *list)
{
    const char *s, *e;
    for (const char *p = list; next_entry(&p, false, &s, &e);)
        if (e - s == 1 && *s == '*') return true;
    return false;
}

/* Whether origin o (as the browser sends it: scheme://host[:port]) is in the list; entries are
 * compared without case and without a trailing '/'. */
static bool list_has(const char *list, const char *o, size_t olen)
{
    const char *s, *e;
    for (const char *p = list; next_entry(&p, true, &s, &e);)
        if ((size_t)(e - s) == olen && strncasecmp(s, o, olen) == 0) return true;
    return false;
}

/* The request's Origin and what the configuration says of it; *any: the list allows every origin. */
static verdict_t judge(const door_t *d, const char **origin, size_t *olen, bool *any)
{
    const char *list = d->r->cfg->cors_origins ? d->r->cfg->cors_origins : "*";
    *any = list_is_any(list);
    *origin = door_header(d, H2O_STRLIT("origin"), olen);
    if (!*origin) return NO_ORIGIN;
    return *any || list_has(list, *origin, *olen) ? ALLOWED : REFUSED;
}

door_rc_t cors_stage(door_t *d)
{
    if (!d->r->cfg->cors) return DOOR_NEXT;
    const char *origin;
    size_t olen;
    bool any;
    verdict_t v = judge(d, &origin, &olen, &any);
    h2o_req_t *req = d->req;
    if (!any) add(req, H2O_STRLIT("Vary"), H2O_STRLIT("Origin")); /* the answer depends on Origin */
    if (v != ALLOWED) return DOOR_NEXT;
    if (any)
        add(req, H2O_STRLIT("Access-Control-Allow-Origin"), H2O_STRLIT("*"));
    else
        add(req, H2O_STRLIT("Access-Control-Allow-Origin"), origin, olen);
    add(req, H2O_STRLIT("Access-Control-Expose-Headers"), H2O_STRLIT(EXPOSE_HEADERS));
    return DOOR_NEXT;
}

door_rc_t cors_preflight(door_t *d)
{
    if (!d->r->cfg->cors) { /* as any other method: nothing is listening for OPTIONS */
        door_send_unknown(d);
        return DOOR_ANSWERED;
    }
    h2o_req_t *req = d->req;
    const char *origin;
    size_t olen;
    bool any;
    if (judge(d, &origin, &olen, &any) == ALLOWED) { /* cors_stage has added Allow-Origin */
        size_t mlen, hlen;
        const char *m = door_header(d, H2O_STRLIT("access-control-request-method"), &mlen);
        const char *h = door_header(d, H2O_STRLIT("access-control-request-headers"), &hlen);
        if (m && mlen)
            add(req, H2O_STRLIT("Access-Control-Allow-Methods"), m, mlen);
        else
            add(req, H2O_STRLIT("Access-Control-Allow-Methods"), H2O_STRLIT(DEFAULT_METHODS));
        if (h && hlen)
            add(req, H2O_STRLIT("Access-Control-Allow-Headers"), h, hlen);
        else
            add(req, H2O_STRLIT("Access-Control-Allow-Headers"), H2O_STRLIT(DEFAULT_HEADERS));
        add(req, H2O_STRLIT("Access-Control-Max-Age"), H2O_STRLIT(MAX_AGE));
    }
    reply_request_id(d->request_id); /* also the access log's */
    d->status = 200;
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = 0;
    add(req, H2O_STRLIT("x-amzn-RequestId"), h2o_strdup(&req->pool, d->request_id, 52).base, 52);
    h2o_send_inline(req, "", 0);
    return DOOR_ANSWERED;
}
