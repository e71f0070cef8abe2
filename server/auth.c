/*
 * auth: AWS Signature Version 4 verification (`--auth off|warn|enforce`, off by default), as
 * DynamoDB checks it. Entry points (door.h): auth_load (start-up: the credentials), auth_stage (an
 * API stage, before the body is inflated: the signature covers the bytes as sent), and the pieces
 * the unit test drives without HTTP (auth_canonical_request, auth_signature, auth_verify_or_err).
 *
 * The checks, in the order AWS makes them (ScyllaDB's test_authorization.py, which also runs
 * against AWS, sends a scope of `cassandra/2/3/4/aws4_request` with an old date and gets
 * "Signature expired", so the clock comes before the scope and the key):
 *   no Authorization header                   MissingAuthenticationTokenException
 *   a scheme that is not AWS4-*               MissingAuthenticationTokenException
 *   AWS4-* other than AWS4-HMAC-SHA256        IncompleteSignatureException (Unsupported AWS 'algorithm')
 *   Credential / SignedHeaders / Signature /
 *     X-Amz-Date (or Date) missing            IncompleteSignatureException, one sentence each
 *   X-Amz-Date not ISO-8601 basic format      IncompleteSignatureException
 *   more than 15 minutes off the clock        InvalidSignatureException "Signature expired: ..." /
 *                                             "Signature not yet current: ..."
 *   scope: service not dynamodb, terminator
 *     not aws4_request, date not the
 *     X-Amz-Date's                            InvalidSignatureException, one sentence each
 *   access key not known                      UnrecognizedClientException
 *   signature differs                         InvalidSignatureException
 * Any region is accepted (namespace.c reads it for --isolation key-region).
 *
 * A presigned URL carries the same parts in its query (X-Amz-Algorithm, -Credential, -Date, -Expires,
 * -SignedHeaders, -Signature): the canonical query leaves X-Amz-Signature out, the payload hash is the
 * body's (SigV4 for services other than S3), and it is valid from 15 minutes before X-Amz-Date until
 * X-Amz-Expires seconds (1..604800) after it.
 *
 * The canonical request (the SigV4 spec; AWS's aws-sig-v4-test-suite checks it):
 *   METHOD \n URI \n QUERY \n name:value\n... \n signed;headers \n hex(sha256(body as sent))
 * URI: the path as received, every byte but A-Za-z0-9-._~ and '/' percent-encoded (so a client's
 * %20 becomes %2520: non-S3 services encode the path twice, as botocore does). No dot-segment
 * normalisation: DynamoDB's path is always "/". QUERY: pairs decoded then encoded again, sorted by
 * name then value. Header values trimmed, inner runs of spaces made one, repeats joined with ','.
 *
 * Credentials live in one table filled at start-up (auth_load / auth_add), read-only afterwards:
 * any worker thread may call the rest.
 */
#include "server/door.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/log.h"

#define SKEW_S (15 * 60) /* DynamoDB refuses a request dated more than 15 minutes off */
#define ALGORITHM "AWS4-HMAC-SHA256"

static const char MSG_MISSING[] = "Request is missing Authentication Token";
static const char MSG_UNKNOWN_KEY[] = "The security token included in the request is invalid.";
static const char MSG_MISMATCH[] = "The request signature we calculated does not match the signature you "
                                   "provided. Check your AWS Secret Access Key and signing method. Consult "
                                   "the service documentation for details.";

/* ---- credentials ------------------------------------------------------------------------------- */

static auth_cred_t *g_creds;
static size_t g_ncreds, g_capcreds;

void auth_add(const char *akid, const char *secret, const char *account)
{
    for (size_t i = 0; i < g_ncreds; i++) /* a later line replaces an earlier one */
        if (!strcmp(g_creds[i].akid, akid)) {
            free(g_creds[i].secret);
            g_creds[i].secret = strdup(secret);
            snprintf(g_creds[i].account, sizeof g_creds[i].account, "%s", account ? account : DDB_ACCOUNT);
            return;
        }
    if (g_ncreds == g_capcreds) {
        g_capcreds = g_capcreds ? g_capcreds * 2 : 8;
        g_creds = realloc(g_creds, g_capcreds * sizeof *g_creds);
        if (!g_creds) abort();
    }
    auth_cred_t *c = &g_creds[g_ncreds++];
    c->akid = strdup(akid);
    c->secret = strdup(secret);
    if (!c->akid || !c->secret) abort();
    snprintf(c->account, sizeof c->account, "%s", account ? account : DDB_ACCOUNT);
}

const auth_cred_t *auth_find(const char *akid, size_t len)
{
    for (size_t i = 0; i < g_ncreds; i++)
        if (strlen(g_creds[i].akid) == len && !memcmp(g_creds[i].akid, akid, len)) return &g_creds[i];
    return NULL;
}

size_t auth_count(void)
{
    return g_ncreds;
}

static bool account_ok(const char *s)
{
    if (strlen(s) != 12) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

int auth_load(const char *path, char *errbuf, size_t errlen)
{
    const char *ek = getenv("DYNAROCK_ACCESS_KEY_ID"), *es = getenv("DYNAROCK_SECRET_ACCESS_KEY");
    const char *ea = getenv("DYNAROCK_ACCOUNT_ID");
    if (ek && *ek) {
        if (!es || !*es) {
            snprintf(errbuf, errlen, "DYNAROCK_ACCESS_KEY_ID is set but DYNAROCK_SECRET_ACCESS_KEY is not");
            return -1;
        }
        if (ea && *ea && !account_ok(ea)) {
            snprintf(errbuf, errlen, "DYNAROCK_ACCOUNT_ID must be 12 digits, not '%s'", ea);
            return -1;
        }
        auth_add(ek, es, ea && *ea ? ea : NULL);
    }
    if (!path) return 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errlen, "cannot read credentials file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        char *save = NULL, *akid = strtok_r(line, " \t\r\n", &save);
        if (!akid) continue; /* blank or comment */
        char *secret = strtok_r(NULL, " \t\r\n", &save), *account = strtok_r(NULL, " \t\r\n", &save);
        char *extra = strtok_r(NULL, " \t\r\n", &save);
        if (!secret || extra || (account && !account_ok(account))) {
            snprintf(errbuf, errlen,
                     "%s:%d: expected ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID (12 digits)]", path,
                     lineno);
            rc = -1;
            break;
        }
        auth_add(akid, secret, account);
    }
    fclose(f);
    return rc;
}

/* ---- hashes ------------------------------------------------------------------------------------ */

static void hex(const uint8_t *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* SHA-256 through one EVP_MD fetched once and one digest context per thread: OpenSSL 3's one-shot
 * calls (EVP_Digest, HMAC) fetch the algorithm from the provider and build a context on every call,
 * which cost ~20 k instructions per HMAC; a request's signature takes six of them. */
static EVP_MD *g_sha256;
static pthread_once_t g_sha256_once = PTHREAD_ONCE_INIT;
static _Thread_local EVP_MD_CTX *t_md;

static void fetch_sha256(void)
{
    g_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!g_sha256) abort();
}

static EVP_MD_CTX *md_begin(void)
{
    pthread_once(&g_sha256_once, fetch_sha256);
    if (!t_md && !(t_md = EVP_MD_CTX_new())) abort();
    if (!EVP_DigestInit_ex2(t_md, g_sha256, NULL)) abort();
    return t_md;
}

static void sha256(const void *p, size_t n, uint8_t md[32])
{
    EVP_MD_CTX *c = md_begin();
    unsigned len = 0;
    if (!EVP_DigestUpdate(c, p, n) || !EVP_DigestFinal_ex(c, md, &len)) abort();
}

void auth_sha256_hex(const void *p, size_t n, char out[65])
{
    uint8_t md[32];
    sha256(p, n, md);
    hex(md, 32, out);
}

/* HMAC (RFC 2104) over SHA-256: H((K ^ opad) || H((K ^ ipad) || msg)), K padded to the 64-byte block
 * (hashed first when longer). */
void auth_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen, uint8_t out[32])
{
    uint8_t k[64] = {0}, pad[64], inner[32];
    if (klen > 64)
        sha256(key, klen, k);
    else
        memcpy(k, key, klen);
    unsigned len = 0;
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x36;
    EVP_MD_CTX *c = md_begin();
    if (!EVP_DigestUpdate(c, pad, 64) || !EVP_DigestUpdate(c, msg, mlen) ||
        !EVP_DigestFinal_ex(c, inner, &len))
        abort();
    for (int i = 0; i < 64; i++) pad[i] = k[i] ^ 0x5c;
    c = md_begin();
    if (!EVP_DigestUpdate(c, pad, 64) || !EVP_DigestUpdate(c, inner, 32) || !EVP_DigestFinal_ex(c, out, &len))
        abort();
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

bool auth_equal(const char *a, const char *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

/* ---- canonical request ------------------------------------------------------------------------- */

static bool unreserved(unsigned char c)
{
    return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void put_encoded(buf_t *b, const char *s, size_t n, bool keep_slash)
{
    static const char digits[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, digits[c >> 4]);
            buf_putc(b, digits[c & 15]);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* s[0..n) percent-decoded, then encoded the SigV4 way, into the arena. */
static char *reencode(arena_t *a, const char *s, size_t n)
{
    buf_t dec, enc;
    buf_init(&dec, a, n + 1);
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
            buf_putc(&dec, (char)(hi * 16 + lo));
            i += 2;
        } else {
            buf_putc(&dec, s[i]);
        }
    }
    buf_init(&enc, a, dec.len * 3 + 1);
    put_encoded(&enc, dec.data, dec.len, false);
    buf_putc(&enc, '\0');
    return enc.data;
}

typedef struct {
    const char *k, *v;
} qpair_t;

static int qpair_cmp(const void *x, const void *y)
{
    const qpair_t *p = x, *q = y;
    int c = strcmp(p->k, q->k);
    return c ? c : strcmp(p->v, q->v);
}

static void put_query(buf_t *b, arena_t *a, const char *q, size_t n)
{
    size_t cap = 1;
    for (size_t i = 0; i < n; i++) cap += q[i] == '&';
    qpair_t *pairs = arena_alloc(a, cap * sizeof *pairs);
    size_t np = 0;
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && q[e] != '&') e++;
        if (e > i) {
            size_t eq = i;
            while (eq < e && q[eq] != '=') eq++;
            pairs[np].k = reencode(a, q + i, eq - i);
            pairs[np].v = eq < e ? reencode(a, q + eq + 1, e - eq - 1) : "";
            np++;
        }
        i = e + 1;
    }
    qsort(pairs, np, sizeof *pairs, qpair_cmp);
    for (size_t i = 0; i < np; i++) {
        if (i) buf_putc(b, '&');
        buf_puts(b, pairs[i].k);
        buf_putc(b, '=');
        buf_puts(b, pairs[i].v);
    }
}

/* A header value trimmed, with every run of spaces and tabs inside made one space. */
static void put_trimmed(buf_t *b, const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t')) i++;
    while (n > i && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    bool space = false;
    for (; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = true;
            continue;
        }
        if (space) buf_putc(b, ' ');
        space = false;
        buf_putc(b, v[i]);
    }
}

void auth_canonical_request(buf_t *b, arena_t *a, const auth_msg_t *m, const char *signed_headers,
                            size_t shlen, const char payload_hash[65])
{
    buf_put(b, m->method, m->mlen);
    buf_putc(b, '\n');
    if (m->plen == 0)
        buf_putc(b, '/');
    else
        put_encoded(b, m->path, m->plen, true);
    buf_putc(b, '\n');
    put_query(b, a, m->query, m->qlen);
    buf_putc(b, '\n');
    for (size_t i = 0; i < shlen;) {
        size_t e = i;
        while (e < shlen && signed_headers[e] != ';') e++;
        buf_put(b, signed_headers + i, e - i);
        buf_putc(b, ':');
        bool first = true;
        for (size_t h = 0; h < m->nheaders; h++) {
            const auth_header_t *hd = &m->headers[h];
            if (hd->nlen != e - i || strncasecmp(hd->name, signed_headers + i, e - i)) continue;
            if (!first) buf_putc(b, ',');
            first = false;
            put_trimmed(b, hd->value, hd->vlen);
        }
        buf_putc(b, '\n');
        i = e + 1;
    }
    buf_putc(b, '\n');
    buf_put(b, signed_headers, shlen);
    buf_putc(b, '\n');
    buf_put(b, payload_hash, 64);
    buf_putc(b, '\0');
    b->len--; /* NUL-terminated, not counted */
}

/* The signing keys derived lately on this thread: HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region),
 * service), "aws4_request") changes once a day per key and region, as AWS's SDKs cache it too; the
 * derivation is four of a signature's five HMACs. */
typedef struct {
    char secret[128], scope[96]; /* "" when empty; longer ones are not cached */
    uint8_t key[32];
} signkey_t;
#define SIGNKEYS 4
static _Thread_local signkey_t t_keys[SIGNKEYS];
static _Thread_local unsigned t_keys_next;

static void derive_key(const char *secret, const char *scope, uint8_t key[32])
{
    size_t slen = strlen(secret), sclen = strlen(scope);
    bool cacheable = slen < sizeof t_keys[0].secret && sclen < sizeof t_keys[0].scope;
    if (cacheable)
        for (int i = 0; i < SIGNKEYS; i++)
            if (t_keys[i].scope[0] && !strcmp(t_keys[i].scope, scope) && !strcmp(t_keys[i].secret, secret)) {
                memcpy(key, t_keys[i].key, 32);
                return;
            }
    size_t klen = slen + 4;
    char *k0 = malloc(klen + 1);
    if (!k0) abort();
    snprintf(k0, klen + 1, "AWS4%s", secret);
    const uint8_t *kp = (const uint8_t *)k0;
    size_t kl = klen;
    for (const char *p = scope;;) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        auth_hmac_sha256(kp, kl, p, len, key);
        kp = key;
        kl = 32;
        if (!e) break;
        p = e + 1;
    }
    OPENSSL_cleanse(k0, klen);
    free(k0);
    if (cacheable) {
        signkey_t *c = &t_keys[t_keys_next++ % SIGNKEYS];
        memcpy(c->secret, secret, slen + 1);
        memcpy(c->scope, scope, sclen + 1);
        memcpy(c->key, key, 32);
    }
}

void auth_signature(const char *secret, const char *amz_date, const char *scope, const char *creq,
                    size_t creqlen, char out[65])
{
    /* scope: DATE/REGION/SERVICE/aws4_request; the signing key is derived along it */
    char creq_hash[65];
    auth_sha256_hex(creq, creqlen, creq_hash);
    size_t stslen = strlen(ALGORITHM) + strlen(amz_date) + strlen(scope) + 64 + 4;
    char *sts = malloc(stslen);
    if (!sts) abort();
    int n = snprintf(sts, stslen, ALGORITHM "\n%s\n%s\n%s", amz_date, scope, creq_hash);
    uint8_t key[32], sig[32];
    derive_key(secret, scope, key);
    auth_hmac_sha256(key, 32, sts, (size_t)n, sig);
    hex(sig, 32, out);
    OPENSSL_cleanse(key, sizeof key);
    free(sts);
}

/* ---- the Authorization header ------------------------------------------------------------------ */

int auth_parse_header(const char *h, size_t len, auth_parsed_t *p)
{
    memset(p, 0, sizeof *p);
    size_t i = 0;
    while (i < len && h[i] != ' ' && h[i] != '\t' && h[i] != ',') i++;
    p->algorithm = h;
    p->alen = i;
    if (i != strlen(ALGORITHM) || memcmp(h, ALGORITHM, i)) return -1;
    while (i < len) {
        while (i < len && (h[i] == ' ' || h[i] == '\t' || h[i] == ',')) i++;
        size_t s = i;
        while (i < len && h[i] != ' ' && h[i] != '\t' && h[i] != ',') i++;
        const char *tok = h + s;
        size_t tlen = i - s;
#define COMPONENT(name, field, flen)                                                                         \
    if (tlen >= sizeof name - 1 && !memcmp(tok, name, sizeof name - 1)) {                                    \
        p->field = tok + sizeof name - 1;                                                                    \
        p->flen = tlen - (sizeof name - 1);                                                                  \
        continue;                                                                                            \
    }
        COMPONENT("Credential=", credential, clen)
        COMPONENT("SignedHeaders=", signed_headers, shlen)
        COMPONENT("Signature=", signature, siglen)
#undef COMPONENT
    }
    return 0;
}

/* ---- the clock ---------------------------------------------------------------------------------- */

time_t auth_parse_amz_date(const char *s, size_t n)
{
    if (n != 16 || s[8] != 'T' || s[15] != 'Z') return -1;
    for (int i = 0; i < 15; i++)
        if (i != 8 && !isdigit((unsigned char)s[i])) return -1;
    struct tm tm = {0};
    int v[6], offs[6] = {0, 4, 6, 9, 11, 13}, lens[6] = {4, 2, 2, 2, 2, 2};
    for (int k = 0; k < 6; k++) {
        v[k] = 0;
        for (int j = 0; j < lens[k]; j++) v[k] = v[k] * 10 + (s[offs[k] + j] - '0');
    }
    if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 60) return -1;
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    return timegm(&tm);
}

void auth_format_amz_date(time_t t, char out[17])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

ddb_err_t auth_check_skew_or_err(ddb_errctx_t *err, time_t req, time_t now)
{
    char a[17], b[17], c[17];
    if (req < now - SKEW_S) {
        auth_format_amz_date(req, a);
        auth_format_amz_date(now - SKEW_S, b);
        auth_format_amz_date(now, c);
        return err_set(err, DDB_ERR_INVALID_SIGNATURE,
                       "Signature expired: %s is now earlier than %s (%s - 15 min.)", a, b, c);
    }
    if (req > now + SKEW_S) {
        auth_format_amz_date(req, a);
        auth_format_amz_date(now + SKEW_S, b);
        auth_format_amz_date(now, c);
        return err_set(err, DDB_ERR_INVALID_SIGNATURE,
                       "Signature not yet current: %s is still later than %s (%s + 15 min.)", a, b, c);
    }
    return DDB_OK;
}

/* ---- verification ------------------------------------------------------------------------------- */

static const auth_header_t *find_header(const auth_msg_t *m, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < m->nheaders; i++)
        if (m->headers[i].nlen == n && !strncasecmp(m->headers[i].name, name, n)) return &m->headers[i];
    return NULL;
}

/* An RFC 1123 Date header ("Sun, 30 Aug 2015 12:36:00 GMT"), or -1. */
static time_t parse_http_date(arena_t *a, const char *s, size_t n)
{
    char *z = arena_memdup(a, s, n);
    struct tm tm = {0};
    const char *end = strptime(z, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return end && !*end ? timegm(&tm) : -1;
}

/* ---- presigned URLs (query-string signatures) ---------------------------------------------------- */

/* The percent-decoded value of query parameter `name` (as sent, case-sensitive), or NULL. */
static const char *query_param(arena_t *a, const char *q, size_t n, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && q[e] != '&') e++;
        if (e - i > nl && q[i + nl] == '=' && !memcmp(q + i, name, nl)) {
            const char *v = q + i + nl + 1;
            size_t vn = e - i - nl - 1;
            char *out = arena_alloc(a, vn + 1);
            size_t o = 0;
            for (size_t k = 0; k < vn; k++) {
                int hi, lo;
                if (v[k] == '%' && k + 2 < vn && (hi = hexval(v[k + 1])) >= 0 &&
                    (lo = hexval(v[k + 2])) >= 0) {
                    out[o++] = (char)(hi * 16 + lo);
                    k += 2;
                } else {
                    out[o++] = v[k];
                }
            }
            out[o] = '\0';
            *len = o;
            return out;
        }
        i = e + 1;
    }
    return NULL;
}

/* A presigned URL's X-Amz-Credential (percent-decoded, in the request's arena), or NULL. */
static const char *query_credential(const door_t *d, size_t *len)
{
    const h2o_req_t *req = d->req;
    const char *q = memchr(req->input.path.base, '?', req->input.path.len);
    if (!q) return NULL;
    q++;
    return query_param(d->r->a, q, req->input.path.len - (size_t)(q - req->input.path.base),
                       "X-Amz-Credential", len);
}

/* The query without its X-Amz-Signature pair (the canonical query of a presigned URL). */
static const char *query_unsigned(arena_t *a, const char *q, size_t n, size_t *outlen)
{
    buf_t b;
    buf_init(&b, a, n + 1);
    for (size_t i = 0; i < n;) {
        size_t e = i;
        while (e < n && q[e] != '&') e++;
        if (!(e - i >= 16 && !memcmp(q + i, "X-Amz-Signature=", 16))) {
            if (b.len) buf_putc(&b, '&');
            buf_put(&b, q + i, e - i);
        }
        i = e + 1;
    }
    *outlen = b.len;
    buf_putc(&b, '\0');
    return b.data;
}

/* A presigned request: its parts from the query (AWS's names), as an Authorization header's. */
static ddb_err_t presigned_or_err(ddb_errctx_t *err, arena_t *a, const auth_msg_t *m, auth_parsed_t *p,
                                  const char **date, size_t *dlen, long *expires)
{
    size_t alen = 0, xlen = 0;
    const char *alg = query_param(a, m->query, m->qlen, "X-Amz-Algorithm", &alen);
    p->credential = query_param(a, m->query, m->qlen, "X-Amz-Credential", &p->clen);
    p->signature = query_param(a, m->query, m->qlen, "X-Amz-Signature", &p->siglen);
    p->signed_headers = query_param(a, m->query, m->qlen, "X-Amz-SignedHeaders", &p->shlen);
    *date = query_param(a, m->query, m->qlen, "X-Amz-Date", dlen);
    const char *x = query_param(a, m->query, m->qlen, "X-Amz-Expires", &xlen);
    if (!alg || !p->credential || !p->signature || !*date || !p->signed_headers || !x)
        return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE,
                       "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
                       "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine "
                       "the query-string parameters.");
    if (alen != strlen(ALGORITHM) || memcmp(alg, ALGORITHM, alen))
        return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm': '%.*s'", (int)alen,
                       alg);
    char *end = NULL;
    *expires = strtol(x, &end, 10);
    if (!xlen || *end || *expires < 1 || *expires > 604800)
        return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE,
                       "X-Amz-Expires must be a number of seconds from 1 to 604800 (a week), not '%s'", x);
    return DDB_OK;
}

/* The Authorization header's parts and its date, or IncompleteSignatureException as AWS words it. */
static ddb_err_t header_or_err(ddb_errctx_t *err, arena_t *a, const auth_msg_t *m, const auth_header_t *ah,
                               auth_parsed_t *p, const char **date, size_t *dlen, bool *http_date)
{
    if (auth_parse_header(ah->value, ah->vlen, p) != 0) {
        if (p->alen >= 5 && !strncmp(p->algorithm, "AWS4-", 5))
            return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE, "Unsupported AWS 'algorithm': '%.*s'",
                           (int)p->alen, p->algorithm);
        return err_set(err, DDB_ERR_MISSING_AUTH_TOKEN, "%s", MSG_MISSING);
    }
    const auth_header_t *dh = find_header(m, "x-amz-date");
    const auth_header_t *hd = dh ? NULL : find_header(m, "date");
    if (!p->credential || !p->signed_headers || !p->signature || (!dh && !hd)) {
        buf_t msg;
        buf_init(&msg, a, 256);
        if (!p->credential) buf_puts(&msg, "Authorization header requires 'Credential' parameter. ");
        if (!p->signature) buf_puts(&msg, "Authorization header requires 'Signature' parameter. ");
        if (!p->signed_headers) buf_puts(&msg, "Authorization header requires 'SignedHeaders' parameter. ");
        if (!dh && !hd)
            buf_puts(&msg,
                     "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
        buf_puts(&msg, "Authorization=");
        buf_put(&msg, ah->value, ah->vlen);
        buf_putc(&msg, '\0');
        return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE, "%s", msg.data);
    }
    *date = dh ? dh->value : hd->value;
    *dlen = dh ? dh->vlen : hd->vlen;
    *http_date = !dh;
    return DDB_OK;
}

ddb_err_t auth_verify_or_err(ddb_errctx_t *err, arena_t *a, const auth_msg_t *m, const char *body,
                             size_t blen, time_t now, const char *service, const char **akid_out,
                             size_t *akid_len)
{
    const auth_header_t *ah = find_header(m, "authorization");
    auth_parsed_t p;
    memset(&p, 0, sizeof p);
    const char *date = NULL;
    size_t dlen = 0;
    bool http_date = false;
    long expires = -1; /* a presigned URL's X-Amz-Expires */
    auth_msg_t signed_msg = *m;
    ddb_err_t rc;
    if (ah) {
        rc = header_or_err(err, a, m, ah, &p, &date, &dlen, &http_date);
    } else if (m->qlen && (memmem(m->query, m->qlen, "X-Amz-Algorithm=", 16) ||
                           memmem(m->query, m->qlen, "X-Amz-Signature=", 16))) {
        rc = presigned_or_err(err, a, m, &p, &date, &dlen, &expires);
        signed_msg.query = query_unsigned(a, m->query, m->qlen, &signed_msg.qlen);
    } else {
        return err_set(err, DDB_ERR_MISSING_AUTH_TOKEN, "%s", MSG_MISSING);
    }
    if (rc) return rc;
    time_t t = http_date ? parse_http_date(a, date, dlen) : auth_parse_amz_date(date, dlen);
    if (t == -1)
        return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE,
                       "Date must be in ISO-8601 'basic format'. Got '%.*s'. See "
                       "http://en.wikipedia.org/wiki/ISO_8601",
                       (int)dlen, date);
    char amz_date[17];
    auth_format_amz_date(t, amz_date);
    if (expires < 0) {
        rc = auth_check_skew_or_err(err, t, now);
    } else if (now > t + expires) { /* a presigned URL lives from its date for X-Amz-Expires seconds */
        char b[17], c[17];
        auth_format_amz_date(now - expires, b);
        auth_format_amz_date(now, c);
        rc = err_set(err, DDB_ERR_INVALID_SIGNATURE,
                     "Signature expired: %s is now earlier than %s (%s - %ld sec.)", amz_date, b, c, expires);
    } else if (t > now + SKEW_S) {
        rc = auth_check_skew_or_err(err, t, now);
    }
    if (rc) return rc;

    /* Credential=AKID/DATE/REGION/SERVICE/TERMINATOR */
    const char *parts[5];
    size_t plen[5];
    int np = 0;
    for (size_t i = 0, s = 0; i <= p.clen && np < 5; i++) {
        if (i == p.clen || p.credential[i] == '/') {
            parts[np] = p.credential + s;
            plen[np++] = i - s;
            s = i + 1;
        }
    }
    if (np < 5 || plen[0] == 0)
        return err_set(err, DDB_ERR_INCOMPLETE_SIGNATURE,
                       "Credential must have exactly 5 slash-delimited elements, e.g. "
                       "keyid/date/region/service/term, got '%.*s'",
                       (int)p.clen, p.credential);
    buf_t msg;
    buf_init(&msg, a, 128);
    if (plen[3] != strlen(service) || memcmp(parts[3], service, plen[3]))
        buf_printf(&msg, "Credential should be scoped to correct service: '%s'. ", service);
    if (plen[4] != 12 || memcmp(parts[4], "aws4_request", 12))
        buf_printf(&msg, "Credential should be scoped with a valid terminator: 'aws4_request', not '%.*s'. ",
                   (int)plen[4], parts[4]);
    if (plen[1] != 8 || memcmp(parts[1], amz_date, 8))
        buf_printf(
            &msg,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            "'%.*s' != '%.8s', from '%s'. ",
            (int)plen[1], parts[1], amz_date, amz_date);
    if (msg.len) {
        buf_putc(&msg, '\0');
        return err_set(err, DDB_ERR_INVALID_SIGNATURE, "%s", msg.data);
    }
    if (akid_out) {
        *akid_out = parts[0];
        *akid_len = plen[0];
    }
    const auth_cred_t *cred = auth_find(parts[0], plen[0]);
    if (!cred) return err_set(err, DDB_ERR_UNRECOGNIZED_CLIENT, "%s", MSG_UNKNOWN_KEY);

    char payload_hash[65];
    auth_sha256_hex(body, blen, payload_hash);
    buf_t creq;
    buf_init(&creq, a, 512);
    auth_canonical_request(&creq, a, &signed_msg, p.signed_headers, p.shlen, payload_hash);
    const char *scope = arena_memdup(a, p.credential + plen[0] + 1, p.clen - plen[0] - 1);
    char want[65];
    auth_signature(cred->secret, http_date ? amz_date : arena_memdup(a, date, dlen), scope, creq.data,
                   creq.len, want);
    if (p.siglen != 64 || !auth_equal(want, p.signature, 64))
        return err_set(err, DDB_ERR_INVALID_SIGNATURE, "%s", MSG_MISMATCH);
    return DDB_OK;
}

/* ---- the stage ---------------------------------------------------------------------------------- */

bool auth_scope(const door_t *d, const char **akid, size_t *alen, const char **region, size_t *rlen)
{
    size_t hlen = 0, clen = 0;
    const char *h = door_header(d, H2O_STRLIT("authorization"), &hlen), *cred = NULL;
    auth_parsed_t p;
    if (h && auth_parse_header(h, hlen, &p) == 0 && p.credential) {
        cred = p.credential;
        clen = p.clen;
    } else if (!h) {
        cred = query_credential(d, &clen);
    }
    if (!cred) return false;
    /* AKID/DATE/REGION/SERVICE/aws4_request */
    const char *end = cred + clen, *s1 = memchr(cred, '/', clen);
    if (!s1 || s1 == cred) return false;
    *akid = cred;
    *alen = (size_t)(s1 - cred);
    const char *s2 = memchr(s1 + 1, '/', (size_t)(end - s1 - 1));
    const char *s3 = s2 ? memchr(s2 + 1, '/', (size_t)(end - s2 - 1)) : NULL;
    *region = s3 ? s2 + 1 : NULL;
    *rlen = s3 ? (size_t)(s3 - s2 - 1) : 0;
    return true;
}

ddb_err_t auth_verify_door_or_err(door_t *d, const char *service, const char **akid, size_t *akid_len)
{
    h2o_req_t *req = d->req;
    arena_t *a = d->r->a;
    /* h2o keeps Host apart from the other headers (as the authority) */
    auth_header_t *hs = arena_alloc(a, (req->headers.size + 1) * sizeof *hs);
    size_t n = 0;
    for (size_t i = 0; i < req->headers.size; i++) {
        const h2o_header_t *h = &req->headers.entries[i];
        hs[n++] = (auth_header_t){h->name->base, h->name->len, h->value.base, h->value.len};
    }
    if (req->input.authority.len)
        hs[n++] = (auth_header_t){"host", 4, req->input.authority.base, req->input.authority.len};
    const char *path = req->input.path.base, *q = memchr(path, '?', req->input.path.len);
    size_t plen = q ? (size_t)(q - path) : req->input.path.len;
    auth_msg_t m = {.method = req->input.method.base,
                    .mlen = req->input.method.len,
                    .path = path,
                    .plen = plen,
                    .query = q ? q + 1 : "",
                    .qlen = q ? req->input.path.len - plen - 1 : 0,
                    .headers = hs,
                    .nheaders = n};
    const char *body = req->entity.base ? req->entity.base : "";
    return auth_verify_or_err(&d->r->err, a, &m, body, req->entity.len, time(NULL), service, akid, akid_len);
}

door_rc_t auth_stage(door_t *d)
{
    int mode = d->r->cfg->auth_mode;
    if (mode == AUTH_OFF) return DOOR_NEXT;
    const char *akid = NULL;
    size_t akid_len = 0;
    if (auth_verify_door_or_err(d, "dynamodb", &akid, &akid_len) == DDB_OK) return DOOR_NEXT;
    if (mode == AUTH_WARN) {
        log_warn("auth: would refuse %.*s (key %.*s): %s: %s", (int)d->target_len, d->target ? d->target : "",
                 (int)akid_len, akid ? akid : "", err_short_name(d->r->err.code),
                 d->r->err.msg ? d->r->err.msg : "");
        err_clear(&d->r->err);
        return DOOR_NEXT;
    }
    door_send_error(d);
    return DOOR_ANSWERED;
}
