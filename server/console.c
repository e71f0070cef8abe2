/*
 * console: the built-in web console's files (issue 20), served on the API's port under
 * cfg->console_path (default /console). The files are console/ of the source tree, embedded at build
 * time by scripts/console_embed.c (CONSOLE_ASSETS, door.h): nothing is read from disk or the network
 * at run time. The console itself is one more API client: its JavaScript calls the public DynamoDB,
 * Streams, Lambda and /metrics routes like any SDK, signed with SigV4 when the user gives credentials,
 * so it sees nothing a client cannot.
 *
 *   GET <prefix>          301 to <prefix>/ (so the page's relative module paths resolve)
 *   GET <prefix>/         index.html
 *   GET <prefix>/<name>   the asset, gzip-encoded when Accept-Encoding takes gzip (compress_choose),
 *                         ETag + Cache-Control: no-cache (a reload revalidates: 304 when unchanged)
 *   unknown <name>        404 text/plain "Not Found"
 *   any other GET path    door_send_unknown (as without the console); also every path when it is off
 *
 * Every asset answer carries a Content-Security-Policy that lets the page load only its own files and
 * connect only to its own origin, so the console cannot reach another host even by mistake.
 * On by default only when --host is loopback (main.c: console_host_is_loopback); --console turns it
 * on for any host, --no-console off. Worker threads; no state besides the read-only table.
 */
#include "server/door.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#define CSP                                                                                                  \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "    \
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const console_asset_t *console_find(const char *name, size_t len)
{
    if (len == 0) {
        name = "index.html";
        len = 10;
    }
    size_t lo = 0, hi = CONSOLE_NASSETS; /* sorted by name (console_embed) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = CONSOLE_ASSETS[mid].name;
        size_t mlen = strlen(m);
        int c = memcmp(m, name, mlen < len ? mlen : len);
        if (c == 0) c = mlen < len ? -1 : mlen > len ? 1 : 0;
        if (c == 0) return &CONSOLE_ASSETS[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool console_host_is_loopback(const char *host)
{
    if (!host) return false;
    if (!strcasecmp(host, "localhost")) return true;
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (inet_pton(AF_INET6, host, &a6) == 1) return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

static void add(h2o_req_t *req, const char *name, size_t nlen, const char *val, size_t vlen)
{
    h2o_add_header_by_str(&req->pool, &req->res.headers, name, nlen, 0, NULL, val, vlen);
}

/* Whether an If-None-Match value names etag (or is "*"). */
static bool etag_matches(const char *inm, size_t len, const char *etag)
{
    size_t elen = strlen(etag);
    if (len == 1 && inm[0] == '*') return true;
    for (size_t i = 0; i + elen <= len; i++)
        if (!memcmp(inm + i, etag, elen)) return true;
    return false;
}

static door_rc_t send_asset(door_t *d, const console_asset_t *as)
{
    h2o_req_t *req = d->req;
    size_t inmlen = 0, aelen = 0;
    const char *inm = door_header(d, H2O_STRLIT("if-none-match"), &inmlen);
    const char *ae = door_header(d, H2O_STRLIT("accept-encoding"), &aelen);
    bool gz = ae && compress_choose(ae, aelen) == COMPRESS_GZIP && as->gzlen < as->len;
    add(req, H2O_STRLIT("etag"), as->etag, strlen(as->etag));
    add(req, H2O_STRLIT("cache-control"), H2O_STRLIT("no-cache"));
    add(req, H2O_STRLIT("vary"), H2O_STRLIT("Accept-Encoding"));
    add(req, H2O_STRLIT("x-content-type-options"), H2O_STRLIT("nosniff"));
    add(req, H2O_STRLIT("referrer-policy"), H2O_STRLIT("no-referrer"));
    add(req, H2O_STRLIT("content-security-policy"), H2O_STRLIT(CSP));
    if (inm && etag_matches(inm, inmlen, as->etag)) {
        d->status = 304;
        req->res.status = 304;
        req->res.reason = "Not Modified";
        h2o_send_inline(req, "", 0);
        return DOOR_ANSWERED;
    }
    d->status = 200;
    req->res.status = 200;
    req->res.reason = "OK";
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, as->content_type,
                   strlen(as->content_type));
    if (gz) add(req, H2O_STRLIT("content-encoding"), H2O_STRLIT("gzip"));
    const unsigned char *body = gz ? as->gz : as->data;
    size_t len = gz ? as->gzlen : as->len;
    req->res.content_length = len;
    h2o_send_inline(req, (const char *)body, len);
    return DOOR_ANSWERED;
}

door_rc_t console_serve(door_t *d)
{
    const ddb_config_t *cfg = d->r->cfg;
    h2o_req_t *req = d->req;
    const char *path = req->path_normalized.base;
    size_t plen = req->path_normalized.len;
    const char *prefix = cfg->console_path;
    size_t pre = prefix ? strlen(prefix) : 0;
    if (!cfg->console || !pre || plen < pre || memcmp(path, prefix, pre) != 0 ||
        (plen > pre && path[pre] != '/')) {
        door_send_unknown(d);
        return DOOR_ANSWERED;
    }
    if (plen == pre) { /* the bare prefix: to the folder, so "./app.js" resolves under it */
        char *loc = h2o_mem_alloc_pool(&req->pool, pre + 2);
        memcpy(loc, prefix, pre);
        loc[pre] = '/';
        loc[pre + 1] = 0;
        d->status = 301;
        req->res.status = 301;
        req->res.reason = "Moved Permanently";
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_LOCATION, NULL, loc, pre + 1);
        req->res.content_length = 0;
        h2o_send_inline(req, "", 0);
        return DOOR_ANSWERED;
    }
    const console_asset_t *as = console_find(path + pre + 1, plen - pre - 1);
    if (!as) {
        door_send_text(d, 404, "Not Found", true);
        return DOOR_ANSWERED;
    }
    return send_asset(d, as);
}
