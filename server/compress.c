/*
 * compress: answers compressed as DynamoDB compresses them (issue 16). An answer of at least
 * COMPRESS_MIN_LEN bytes (DynamoDB's 4 KB) to a request whose Accept-Encoding accepts gzip or
 * deflate goes out gzip- (RFC 1952) or deflate- (zlib, RFC 1950) encoded with Content-Encoding set;
 * the caller then computes x-amz-crc32 and Content-Length over the bytes returned here, the bytes
 * sent, as DynamoDB does. Smaller answers never reach this file: door_send_json compares the length
 * first, so a GetItem pays one comparison.
 *
 * Accept-Encoding is read as DynamoDB reads it (recorded against AWS by ScyllaDB's
 * test/alternator/test_compressed_response.py): codings case-insensitive, unknown ones and
 * malformed elements ("gzip br", "\"gzip\"", "x-gzip") ignored; q is the first q parameter, a
 * number outside [0, 1] is clamped into it, one that does not parse counts as 1; q=0 refuses;
 * `*` gives its q to gzip and deflate where they are not named; `identity` is ignored (DynamoDB
 * compresses for "*;q=0.5, identity"); when a coding is named more than once its highest q counts.
 * Of gzip and deflate the higher q wins; at equal q, the one named first (a named coding before
 * one reached through `*`, gzip when neither is named). When the header is repeated, the last
 * one counts.
 *
 * The compressed body lives in the request's arena (zlib's state too, through zalloc), like the
 * rest of the answer. Worker threads; no shared state.
 */
#include "server/door.h"

#include <string.h>
#include <strings.h>
#include <zlib.h>

/* The q of one coding: -1 while not named, else its highest q (0..1000) and where it was named. */
typedef struct {
    int q;
    int pos;
} pref_t;

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* s[0..*n) without blanks at either end. */
static const char *trim(const char *s, size_t *n)
{
    while (*n && is_space(*s)) s++, (*n)--;
    while (*n && is_space(s[*n - 1])) (*n)--;
    return s;
}

/* q in thousandths: "-?digits[.digits]" (a trailing dot allowed), clamped into 0..1000; anything
 * else is 1000, as DynamoDB reads "q=0.x". */
static int parse_q(const char *s, size_t n)
{
    size_t i = 0;
    bool neg = false, digits = false;
    if (i < n && s[i] == '-') neg = true, i++;
    int whole = 0, frac = 0, scale = 1000;
    bool tiny = false; /* a non-zero digit past the thousandths: still above 0 ("q=0.0001") */
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true)
        if (whole < 10) whole = whole * 10 + (s[i] - '0');
    if (i < n && s[i] == '.')
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits = true) {
            if (scale > 1)
                scale /= 10, frac += (s[i] - '0') * scale;
            else if (s[i] != '0')
                tiny = true;
        }
    if (!digits || i != n) return 1000;
    if (neg) return 0;
    return whole >= 1 ? 1000 : frac ? frac : tiny;
}

/* The first "q" parameter of an element's parameters (p points after the coding), else 1000. */
static int element_q(const char *p, const char *end)
{
    while (p < end) {
        const char *semi = memchr(p + 1, ';', (size_t)(end - p - 1));
        const char *stop = semi ? semi : end;
        const char *eq = memchr(p + 1, '=', (size_t)(stop - p - 1));
        if (eq) {
            size_t nlen = (size_t)(eq - p - 1), vlen = (size_t)(stop - eq - 1);
            const char *name = trim(p + 1, &nlen), *val = trim(eq + 1, &vlen);
            if (nlen == 1 && (*name == 'q' || *name == 'Q')) return parse_q(val, vlen);
        }
        p = stop;
    }
    return 1000;
}

static void note(pref_t *pf, int q, int pos)
{
    if (q > pf->q) *pf = (pref_t){q, pos};
}

compress_coding_t compress_choose(const char *ae, size_t len)
{
    pref_t gz = {-1, 0}, df = {-1, 0}, star = {-1, 0};
    const char *p = ae, *end = ae + len;
    for (int pos = 0; p < end; pos++) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        const char *semi = memchr(p, ';', (size_t)(stop - p));
        size_t clen = (size_t)((semi ? semi : stop) - p);
        const char *coding = trim(p, &clen);
        int q = semi ? element_q(semi, stop) : 1000;
        if (clen == 4 && !strncasecmp(coding, "gzip", 4))
            note(&gz, q, pos);
        else if (clen == 7 && !strncasecmp(coding, "deflate", 7))
            note(&df, q, pos);
        else if (clen == 1 && *coding == '*')
            note(&star, q, pos);
        p = comma ? comma + 1 : end;
    }
    /* `*` stands for the coding not named, after every named one at equal q */
    if (gz.q < 0) gz = (pref_t){star.q, 1 << 30};
    if (df.q < 0) df = (pref_t){star.q, (1 << 30) + 1};
    if (gz.q <= 0 && df.q <= 0) return COMPRESS_NONE;
    if (gz.q != df.q) return gz.q > df.q ? COMPRESS_GZIP : COMPRESS_DEFLATE;
    return gz.pos < df.pos ? COMPRESS_GZIP : COMPRESS_DEFLATE;
}

static voidpf arena_zalloc(voidpf opaque, uInt items, uInt size)
{
    return arena_alloc(opaque, (size_t)items * size);
}

static void arena_zfree(voidpf opaque, voidpf p)
{
    (void)opaque, (void)p; /* the arena frees it with the request */
}

bool compress_answer(door_t *d, const char **body, size_t *len)
{
    h2o_req_t *req = d->req;
    ssize_t i = -1, last = -1;
    while ((i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_ENCODING, i)) != -1) last = i;
    if (last == -1) return false;
    const h2o_iovec_t *ae = &req->headers.entries[last].value;
    compress_coding_t c = compress_choose(ae->base, ae->len);
    if (c == COMPRESS_NONE) return false;

    /* level 1: JSON still shrinks several times, at a fraction of level 6's CPU per byte */
    z_stream zs = {.zalloc = arena_zalloc, .zfree = arena_zfree, .opaque = d->r->a};
    if (deflateInit2(&zs, 1, Z_DEFLATED, c == COMPRESS_GZIP ? 16 + 15 : 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    uLong bound = deflateBound(&zs, (uLong)*len);
    unsigned char *out = arena_alloc(d->r->a, bound);
    zs.next_in = (Bytef *)*body;
    zs.avail_in = (uInt)*len;
    zs.next_out = out;
    zs.avail_out = (uInt)bound;
    int zr = deflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    if (zr != Z_STREAM_END || n >= *len) return false; /* nothing gained: send it as it is */
    static const char gzip[] = "gzip", deflate_[] = "deflate";
    if (c == COMPRESS_GZIP)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL, gzip,
                       sizeof gzip - 1);
    else
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL, deflate_,
                       sizeof deflate_ - 1);
    *body = (const char *)out;
    *len = n;
    return true;
}
