/*
 * s3fmt: the files of DynamoDB's S3 exports and imports (issue 18), with a local folder for S3.
 *
 *   s3_out_*     a data or manifest file written through gzip (zlib, as AWS's .json.gz / .ion.gz) or
 *                plain, with the MD5 of the bytes written (manifest-files.json's md5Checksum is its
 *                base64, etag the hex MD5 of that MD5 with "-1", as S3 computes a one-part upload's)
 *   s3_in_*      a source object read through GZIP (any number of gzip members), ZSTD or NONE,
 *                by lines (DynamoDB JSON) or whole (Ion, CSV)
 *   s3_item_*    one item as a line of DynamoDB JSON ({"Item":{...}}) or of Amazon Ion text
 *                ($ion_1_0 {Item:{...}}), both ways
 *   s3_csv_*     CSV records (RFC 4180 quoting, a delimiter of , ; : | tab or space)
 *
 * Ion, as DynamoDB writes it: S a string, N a decimal (unscaled digits with a 'd' exponent: 600 is
 * 6d2, 103 is "103.", 1.5 is "1.5"), B a blob {{base64}}, BOOL a bool, NULL null, L a list, M a
 * struct, SS/NS/BS a list annotated $dynamodb_SS:: / $dynamodb_NS:: / $dynamodb_BS::. The reader
 * takes any Ion text of those shapes (ints, floats, symbols and quoted symbols as strings, long
 * strings, comments, typed nulls).
 */
#include "server/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <zlib.h>
#include <zstd.h>

#include "common/base64.h"
#include "common/decimal.h"

/* ---- output files ------------------------------------------------------------------------------ */

struct s3_out {
    FILE *f;
    bool gzip;
    z_stream z;
    EVP_MD_CTX *md5;
    uint64_t bytes; /* bytes written to the file */
    char zbuf[64 << 10];
};

static int out_raw(s3_out_t *o, const void *p, size_t n)
{
    if (!n) return 0;
    EVP_DigestUpdate(o->md5, p, n);
    o->bytes += n;
    return fwrite(p, 1, n, o->f) == n ? 0 : -1;
}

s3_out_t *s3_out_open(const char *path, bool gzip)
{
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    s3_out_t *o = ddb_xmalloc(sizeof *o);
    memset(o, 0, offsetof(s3_out_t, zbuf));
    o->f = f;
    o->gzip = gzip;
    o->md5 = EVP_MD_CTX_new();
    EVP_DigestInit_ex(o->md5, EVP_md5(), NULL);
    /* level 1: an export is bound by compression otherwise (level 6 halves the items per second) */
    if (gzip && deflateInit2(&o->z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
    return o;
}

static int deflate_some(s3_out_t *o, int flush)
{
    int zr;
    do {
        o->z.next_out = (Bytef *)o->zbuf;
        o->z.avail_out = sizeof o->zbuf;
        zr = deflate(&o->z, flush);
        if (zr == Z_STREAM_ERROR) return -1;
        if (out_raw(o, o->zbuf, sizeof o->zbuf - o->z.avail_out) != 0) return -1;
    } while (o->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return 0;
}

int s3_out_write(s3_out_t *o, const void *p, size_t n)
{
    if (!o->gzip) return out_raw(o, p, n);
    o->z.next_in = (Bytef *)p;
    o->z.avail_in = (uInt)n;
    return deflate_some(o, Z_NO_FLUSH);
}

int s3_out_close(s3_out_t *o, unsigned char md5[16], uint64_t *bytes)
{
    int rc = 0;
    if (o->gzip) {
        o->z.next_in = NULL;
        o->z.avail_in = 0;
        rc = deflate_some(o, Z_FINISH);
        deflateEnd(&o->z);
    }
    unsigned len = 16;
    EVP_DigestFinal_ex(o->md5, md5, &len);
    EVP_MD_CTX_free(o->md5);
    if (fflush(o->f) != 0) rc = -1;
    if (fclose(o->f) != 0) rc = -1;
    if (bytes) *bytes = o->bytes;
    free(o);
    return rc;
}

void s3_md5(const void *p, size_t n, unsigned char md5[16])
{
    unsigned len = 16;
    EVP_Digest(p, n, md5, &len, EVP_md5(), NULL);
}

const char *s3_md5_b64(arena_t *a, const unsigned char md5[16])
{
    char *s = arena_alloc(a, b64_encoded_len(16) + 1);
    s[b64_encode(md5, 16, s)] = 0;
    return s;
}

const char *s3_etag(arena_t *a, const unsigned char md5[16])
{
    unsigned char outer[16];
    s3_md5(md5, 16, outer); /* S3's multipart ETag: MD5 of the parts' MD5s, "-<parts>" */
    char *s = arena_alloc(a, 32 + 3);
    for (int i = 0; i < 16; i++) sprintf(s + 2 * i, "%02x", outer[i]);
    strcpy(s + 32, "-1");
    return s;
}

int s3_write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = n && fwrite(p, 1, n, f) != n ? -1 : 0;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

int s3_mkdirs(const char *path)
{
    char *p = ddb_xstrdup(path);
    int rc = 0;
    for (char *s = p + 1; *s && rc == 0; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST) rc = -1;
        *s = '/';
    }
    if (rc == 0 && mkdir(p, 0755) != 0 && errno != EEXIST) rc = -1;
    free(p);
    return rc;
}

/* ---- input files ------------------------------------------------------------------------------- */

struct s3_in {
    FILE *f;
    s3_comp_t comp;
    z_stream z;
    bool z_open, z_end; /* a gzip member ended: another may follow */
    ZSTD_DStream *zs;
    ZSTD_inBuffer zin;
    bool eof;     /* the file is read to its end */
    uint64_t raw; /* bytes read from the file */
    char rbuf[64 << 10];
    size_t rlen, rpos; /* raw bytes not yet decompressed: rbuf[rpos..rlen) */
    char *buf;         /* decompressed bytes not yet returned as lines: buf[pos..len) */
    size_t len, pos, cap;
    char err[160];
};

s3_in_t *s3_in_open(const char *path, s3_comp_t comp)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    s3_in_t *in = ddb_xmalloc(sizeof *in);
    memset(in, 0, offsetof(s3_in_t, rbuf));
    in->rlen = in->rpos = in->len = in->pos = 0;
    in->f = f;
    in->comp = comp;
    in->cap = 1 << 20;
    in->buf = ddb_xmalloc(in->cap);
    if (comp == S3_COMP_ZSTD) in->zs = ZSTD_createDStream();
    return in;
}

const char *s3_in_error(const s3_in_t *in)
{
    return in->err;
}

uint64_t s3_in_raw_bytes(const s3_in_t *in)
{
    return in->raw;
}

void s3_in_close(s3_in_t *in)
{
    if (!in) return;
    if (in->z_open) inflateEnd(&in->z);
    if (in->zs) ZSTD_freeDStream(in->zs);
    fclose(in->f);
    free(in->buf);
    free(in);
}

/* Refill rbuf when it is used up; 0 when nothing more is in the file. */
static size_t raw_fill(s3_in_t *in)
{
    if (in->rpos < in->rlen) return in->rlen - in->rpos;
    if (in->eof) return 0;
    in->rlen = fread(in->rbuf, 1, sizeof in->rbuf, in->f);
    in->rpos = 0;
    in->raw += in->rlen;
    if (in->rlen == 0) in->eof = true;
    return in->rlen;
}

/* Append more decompressed bytes to buf: >0 some, 0 end of data, -1 error (in->err). */
static long more(s3_in_t *in)
{
    if (in->pos > 0 && in->pos == in->len) in->pos = in->len = 0;
    if (in->cap - in->len < (64 << 10)) {
        if (in->pos > 0) { /* slide the unread tail to the front */
            memmove(in->buf, in->buf + in->pos, in->len - in->pos);
            in->len -= in->pos;
            in->pos = 0;
        }
        if (in->cap - in->len < (64 << 10)) {
            in->cap *= 2;
            in->buf = realloc(in->buf, in->cap);
            if (!in->buf) abort();
        }
    }
    char *dst = in->buf + in->len;
    size_t room = in->cap - in->len;
    for (;;) {
        size_t have = raw_fill(in);
        if (ferror(in->f)) {
            snprintf(in->err, sizeof in->err, "read error: %s", strerror(errno));
            return -1;
        }
        if (in->comp == S3_COMP_NONE) {
            if (!have) return 0;
            size_t n = have < room ? have : room;
            memcpy(dst, in->rbuf + in->rpos, n);
            in->rpos += n;
            in->len += n;
            return (long)n;
        }
        if (in->comp == S3_COMP_GZIP) {
            if (!have) {
                if (in->z_open && !in->z_end) {
                    snprintf(in->err, sizeof in->err,
                             "the data is not valid GZIP (it ends inside a compressed stream)");
                    return -1;
                }
                if (!in->z_open && in->raw == 0) return 0; /* an empty object */
                return 0;
            }
            if (!in->z_open || in->z_end) {
                if (in->z_open) inflateEnd(&in->z);
                memset(&in->z, 0, sizeof in->z);
                if (inflateInit2(&in->z, 15 + 16) != Z_OK) abort();
                in->z_open = true;
                in->z_end = false;
            }
            in->z.next_in = (Bytef *)in->rbuf + in->rpos;
            in->z.avail_in = (uInt)have;
            in->z.next_out = (Bytef *)dst;
            in->z.avail_out = (uInt)room;
            int zr = inflate(&in->z, Z_NO_FLUSH);
            in->rpos = in->rlen - in->z.avail_in;
            size_t got = room - in->z.avail_out;
            in->len += got;
            if (zr == Z_STREAM_END)
                in->z_end = true;
            else if (zr != Z_OK && zr != Z_BUF_ERROR) {
                snprintf(in->err, sizeof in->err, "the data is not valid GZIP (%s)",
                         in->z.msg ? in->z.msg : "corrupt stream");
                return -1;
            }
            if (got) return (long)got;
            continue;
        }
        /* ZSTD */
        if (!have) {
            if (in->zin.size && in->zin.pos < in->zin.size) {
                snprintf(in->err, sizeof in->err, "the data is not valid ZSTD (it ends inside a frame)");
                return -1;
            }
            return 0;
        }
        ZSTD_inBuffer zi = {in->rbuf + in->rpos, have, 0};
        ZSTD_outBuffer zo = {dst, room, 0};
        size_t zr = ZSTD_decompressStream(in->zs, &zo, &zi);
        in->rpos += zi.pos;
        in->zin.size = zr; /* non-zero: a frame is not finished */
        in->zin.pos = 0;
        if (ZSTD_isError(zr)) {
            snprintf(in->err, sizeof in->err, "the data is not valid ZSTD (%s)", ZSTD_getErrorName(zr));
            return -1;
        }
        in->len += zo.pos;
        if (zo.pos) return (long)zo.pos;
    }
}

int s3_in_line(s3_in_t *in, const char **line, size_t *len)
{
    for (;;) {
        char *nl = memchr(in->buf + in->pos, '\n', in->len - in->pos);
        if (nl) {
            *line = in->buf + in->pos;
            *len = (size_t)(nl - *line);
            in->pos += *len + 1;
            if (*len && (*line)[*len - 1] == '\r') (*len)--;
            return 1;
        }
        long m = more(in);
        if (m < 0) return -1;
        if (m == 0) {
            if (in->pos == in->len) return 0;
            *line = in->buf + in->pos; /* the last line, without a newline */
            *len = in->len - in->pos;
            in->pos = in->len;
            if (*len && (*line)[*len - 1] == '\r') (*len)--;
            return 1;
        }
    }
}

int s3_in_all(s3_in_t *in, const char **data, size_t *len)
{
    long m;
    while ((m = more(in)) > 0) {
    }
    if (m < 0) return -1;
    *data = in->buf + in->pos;
    *len = in->len - in->pos;
    return 0;
}

/* ---- DynamoDB JSON lines ----------------------------------------------------------------------- */

void s3_item_json(buf_t *b, const av_map_t *item)
{
    jw_t w;
    memset(&w, 0, sizeof w);
    w.b = *b; /* the writer appends to b's bytes */
    jw_obj_begin(&w);
    jw_keyz(&w, "Item");
    avjson_write_map(&w, item);
    jw_obj_end(&w);
    buf_putc(&w.b, '\n');
    *b = w.b;
}

ddb_err_t s3_item_json_parse(arena_t *a, ddb_errctx_t *err, const char *line, size_t len, av_map_t *out)
{
    json_error_t je;
    json_t *j = json_parse(a, line, len, DDB_JSON_DEPTH, &je);
    if (!j) return err_set(err, DDB_ERR_VALIDATION, "Invalid JSON at offset %zu", je.offset);
    const json_t *item = j->type == JSON_OBJECT ? json_get(j, "Item") : NULL;
    if (!item || item->type != JSON_OBJECT)
        return err_set(err, DDB_ERR_VALIDATION, "The line is not an object with an Item member");
    return avjson_map(a, err, item, out, 0);
}

/* ---- Ion text ---------------------------------------------------------------------------------- */

static void ion_string(buf_t *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c < 0x20 || c == 0x7F) {
            buf_printf(b, "\\x%02x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '"');
}

static bool ion_identifier(const char *s, size_t n)
{
    static const char *const KEYWORDS[] = {"true", "false", "null", "nan", NULL};
    if (!n || (s[0] >= '0' && s[0] <= '9')) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '$'))
            return false;
    }
    if (s[0] == '$' && n > 1 && s[1] >= '0' && s[1] <= '9') return false; /* $10: a symbol id */
    for (int k = 0; KEYWORDS[k]; k++)
        if (strlen(KEYWORDS[k]) == n && !memcmp(KEYWORDS[k], s, n)) return false;
    return true;
}

static void ion_field(buf_t *b, const char *s, size_t n)
{
    if (ion_identifier(s, n)) {
        buf_put(b, s, n);
        return;
    }
    buf_putc(b, '\'');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\'' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, (char)c);
        } else if (c < 0x20 || c == 0x7F) {
            buf_printf(b, "\\x%02x", c);
        } else {
            buf_putc(b, (char)c);
        }
    }
    buf_putc(b, '\'');
}

/* A number's canonical text as an Ion decimal: unscaled digits, then the exponent as DynamoDB's Ion
 * export writes it ("103.", "6d2", "1.5", "0.001"). */
static void ion_decimal(buf_t *b, ddb_str_t s)
{
    dec_t d;
    if (dec_parse(s.ptr, s.len, &d) != DEC_OK) { /* a stored N was parsed when written: not expected */
        buf_put(b, s.ptr, s.len);
        return;
    }
    if (d.sign == 0) {
        buf_puts(b, "0.");
        return;
    }
    if (d.sign < 0) buf_putc(b, '-');
    int e = d.exp - d.ndigits; /* value = digits x 10^e */
    if (e >= 0) {
        for (int i = 0; i < d.ndigits; i++) buf_putc(b, (char)('0' + d.digits[i]));
        if (e == 0)
            buf_putc(b, '.');
        else
            buf_printf(b, "d%d", e);
        return;
    }
    int intd = d.ndigits + e; /* digits before the point */
    if (intd > 0) {
        for (int i = 0; i < intd; i++) buf_putc(b, (char)('0' + d.digits[i]));
    } else {
        buf_putc(b, '0');
    }
    buf_putc(b, '.');
    for (int i = intd; i < 0; i++) buf_putc(b, '0');
    for (int i = intd > 0 ? intd : 0; i < d.ndigits; i++) buf_putc(b, (char)('0' + d.digits[i]));
}

static void ion_blob(buf_t *b, ddb_str_t s)
{
    buf_puts(b, "{{");
    char *p = buf_reserve(b, b64_encoded_len(s.len) + 1);
    b->len += b64_encode(s.ptr, s.len, p);
    buf_puts(b, "}}");
}

static void ion_value(buf_t *b, const av_t *v);

static void ion_struct(buf_t *b, const av_map_t *m)
{
    buf_putc(b, '{');
    for (size_t i = 0; i < m->n; i++) {
        if (i) buf_putc(b, ',');
        ion_field(b, m->kvs[i].name.ptr, m->kvs[i].name.len);
        buf_putc(b, ':');
        ion_value(b, &m->kvs[i].val);
    }
    buf_putc(b, '}');
}

static void ion_value(buf_t *b, const av_t *v)
{
    switch (v->type) {
    case AV_S:
        ion_string(b, v->s.ptr, v->s.len);
        break;
    case AV_N:
        ion_decimal(b, v->s);
        break;
    case AV_B:
        ion_blob(b, v->s);
        break;
    case AV_BOOL:
        buf_puts(b, v->b ? "true" : "false");
        break;
    case AV_NULL:
        buf_puts(b, "null");
        break;
    case AV_M:
        ion_struct(b, &v->m);
        break;
    case AV_L:
    case AV_SS:
    case AV_NS:
    case AV_BS:
        if (v->type != AV_L) buf_printf(b, "$dynamodb_%s::", av_type_name(v->type));
        buf_putc(b, '[');
        for (size_t i = 0; i < v->l.n; i++) {
            if (i) buf_putc(b, ',');
            ion_value(b, &v->l.items[i]);
        }
        buf_putc(b, ']');
        break;
    default:
        buf_puts(b, "null");
    }
}

void s3_map_ion(buf_t *b, const av_map_t *m)
{
    ion_struct(b, m);
}

void s3_item_ion(buf_t *b, const av_map_t *item)
{
    buf_puts(b, "$ion_1_0 {Item:");
    ion_struct(b, item);
    buf_puts(b, "}\n");
}

/* The Ion reader: a cursor over the text, values converted to av_t as DynamoDB's Ion import maps them. */
typedef struct {
    const char *p, *end;
    arena_t *a;
    ddb_errctx_t *err;
} ion_t;

static ddb_err_t ion_fail(ion_t *r, const char *what)
{
    return err_set(r->err, DDB_ERR_VALIDATION, "Invalid Ion text: %s", what);
}

static void ion_ws(ion_t *r)
{
    while (r->p < r->end) {
        char c = *r->p;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            r->p++;
        } else if (c == '/' && r->p + 1 < r->end && r->p[1] == '/') {
            while (r->p < r->end && *r->p != '\n') r->p++;
        } else if (c == '/' && r->p + 1 < r->end && r->p[1] == '*') {
            const char *e = r->p + 2;
            while (e + 1 < r->end && !(e[0] == '*' && e[1] == '/')) e++;
            r->p = e + 1 < r->end ? e + 2 : r->end;
        } else {
            break;
        }
    }
}

static bool id_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$' ||
           (!first && c >= '0' && c <= '9');
}

static int hexv(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

static void put_utf8(buf_t *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xC0 | (cp >> 6)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xE0 | (cp >> 12)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        buf_putc(b, (char)(0xF0 | (cp >> 18)));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        buf_putc(b, (char)(0x80 | (cp & 0x3F)));
    }
}

/* A quoted text ending at `q` (a '"' or '\'' string, or one ''' segment when long), appended to b. */
static ddb_err_t ion_quoted(ion_t *r, buf_t *b, char q, bool long_str)
{
    for (;;) {
        if (r->p >= r->end) return ion_fail(r, "unterminated string");
        char c = *r->p;
        if (long_str && c == '\'' && r->p + 2 < r->end && r->p[1] == '\'' && r->p[2] == '\'') {
            r->p += 3;
            return DDB_OK;
        }
        if (!long_str && c == q) {
            r->p++;
            return DDB_OK;
        }
        if (!long_str && (c == '\n' || c == '\r')) return ion_fail(r, "newline in a string");
        if (c != '\\') {
            buf_putc(b, c);
            r->p++;
            continue;
        }
        if (++r->p >= r->end) return ion_fail(r, "unterminated escape");
        char e = *r->p++;
        int nhex = 0;
        switch (e) {
        case 'n':
            buf_putc(b, '\n');
            break;
        case 't':
            buf_putc(b, '\t');
            break;
        case 'r':
            buf_putc(b, '\r');
            break;
        case 'f':
            buf_putc(b, '\f');
            break;
        case 'b':
            buf_putc(b, '\b');
            break;
        case 'v':
            buf_putc(b, '\v');
            break;
        case 'a':
            buf_putc(b, '\a');
            break;
        case '0':
            buf_putc(b, '\0');
            break;
        case '\\':
        case '"':
        case '\'':
        case '/':
        case '?':
            buf_putc(b, e);
            break;
        case '\n':
            break; /* a line continuation */
        case 'x':
            nhex = 2;
            break;
        case 'u':
            nhex = 4;
            break;
        case 'U':
            nhex = 8;
            break;
        default:
            return ion_fail(r, "bad escape");
        }
        if (nhex) {
            uint32_t cp = 0;
            for (int i = 0; i < nhex; i++) {
                int h = r->p < r->end ? hexv(*r->p) : -1;
                if (h < 0) return ion_fail(r, "bad escape");
                cp = cp * 16 + (uint32_t)h;
                r->p++;
            }
            if (cp > 0x10FFFF) return ion_fail(r, "bad escape");
            put_utf8(b, cp);
        }
    }
}

/* A field name or symbol value: identifier, 'quoted', or "string" (field names only). */
static ddb_err_t ion_symbol(ion_t *r, ddb_str_t *out)
{
    buf_t b;
    buf_init(&b, r->a, 32);
    ddb_err_t rc;
    if (r->p < r->end && (*r->p == '\'' || *r->p == '"')) {
        char q = *r->p++;
        if ((rc = ion_quoted(r, &b, q, false))) return rc;
    } else {
        const char *s = r->p;
        while (r->p < r->end && id_char(*r->p, r->p == s)) r->p++;
        if (r->p == s) return ion_fail(r, "expected a symbol");
        buf_put(&b, s, (size_t)(r->p - s));
    }
    out->ptr = b.data;
    out->len = b.len;
    return DDB_OK;
}

static ddb_err_t ion_read(ion_t *r, av_t *out, int depth);

static ddb_err_t ion_seq(ion_t *r, av_t *out, char close, int depth)
{
    size_t cap = 8, n = 0;
    av_t *items = ARENA_NEWN(r->a, av_t, cap);
    ddb_err_t rc;
    for (;;) {
        ion_ws(r);
        if (r->p < r->end && *r->p == close) {
            r->p++;
            break;
        }
        if (n == cap) {
            av_t *m = ARENA_NEWN(r->a, av_t, cap * 2);
            memcpy(m, items, n * sizeof *m);
            items = m;
            cap *= 2;
        }
        if ((rc = ion_read(r, &items[n++], depth + 1))) return rc;
        ion_ws(r);
        if (r->p < r->end && *r->p == ',') {
            r->p++;
        } else if (!(r->p < r->end && *r->p == close)) {
            return ion_fail(r, "expected ',' or the end of a list");
        }
    }
    out->type = AV_L;
    out->l.n = n;
    out->l.items = items;
    return DDB_OK;
}

static ddb_err_t ion_struct_read(ion_t *r, av_map_t *m, int depth)
{
    size_t cap = 8;
    m->n = 0;
    m->kvs = ARENA_NEWN(r->a, av_kv_t, cap);
    ddb_err_t rc;
    for (;;) {
        ion_ws(r);
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return DDB_OK;
        }
        if (m->n == cap) {
            av_kv_t *k = ARENA_NEWN(r->a, av_kv_t, cap * 2);
            memcpy(k, m->kvs, m->n * sizeof *k);
            m->kvs = k;
            cap *= 2;
        }
        av_kv_t *kv = &m->kvs[m->n];
        if ((rc = ion_symbol(r, &kv->name))) return rc;
        ion_ws(r);
        if (r->p >= r->end || *r->p != ':') return ion_fail(r, "expected ':' after a field name");
        r->p++;
        ion_ws(r);
        if ((rc = ion_read(r, &kv->val, depth + 1))) return rc;
        for (size_t i = 0; i < m->n; i++)
            if (m->kvs[i].name.len == kv->name.len && !memcmp(m->kvs[i].name.ptr, kv->name.ptr, kv->name.len))
                return ion_fail(r, "a field name repeats in a struct");
        m->n++;
        ion_ws(r);
        if (r->p < r->end && *r->p == ',')
            r->p++;
        else if (!(r->p < r->end && *r->p == '}'))
            return ion_fail(r, "expected ',' or the end of a struct");
    }
}

/* An Ion number (int, decimal with d/D exponent or trailing '.', float with e/E) as N text. */
static ddb_err_t ion_number(ion_t *r, av_t *out)
{
    const char *s = r->p;
    while (r->p < r->end && (strchr("0123456789+-.eEdD_", *r->p) != NULL)) r->p++;
    buf_t b;
    buf_init(&b, r->a, (size_t)(r->p - s) + 2);
    for (const char *c = s; c < r->p; c++) {
        if (*c == '_') continue; /* digit separators */
        buf_putc(&b, (*c == 'd' || *c == 'D') ? 'E' : *c);
    }
    dec_t d;
    dec_status_t st = dec_parse(b.data, b.len, &d);
    if (st != DEC_OK)
        return ion_fail(r, st == DEC_ERR_SYNTAX ? "bad number" : "number out of DynamoDB's range");
    char *txt = arena_alloc(r->a, DEC_TEXT_MAX + 1);
    out->type = AV_N;
    out->s.len = dec_format(&d, txt);
    out->s.ptr = txt;
    return DDB_OK;
}

static ddb_err_t ion_lob(ion_t *r, av_t *out)
{
    r->p += 2;
    ion_ws(r);
    buf_t b;
    buf_init(&b, r->a, 64);
    ddb_err_t rc;
    if (r->p < r->end && (*r->p == '"' || *r->p == '\'')) { /* a clob: its text's bytes */
        char q = *r->p++;
        bool lng = q == '\'' && r->p + 1 < r->end && r->p[0] == '\'' && r->p[1] == '\'';
        if (lng) r->p += 2;
        if ((rc = ion_quoted(r, &b, q, lng))) return rc;
        ion_ws(r);
    } else { /* a blob: base64, whitespace allowed */
        buf_t t;
        buf_init(&t, r->a, 64);
        while (r->p < r->end && *r->p != '}') {
            char c = *r->p++;
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') buf_putc(&t, c);
        }
        char *dst = arena_alloc(r->a, b64_decoded_max(t.len) + 1);
        size_t n = 0;
        if (b64_decode(t.data, t.len, dst, &n) != 0) return ion_fail(r, "bad base64 in a blob");
        b.data = dst;
        b.len = n;
    }
    if (r->p + 1 >= r->end || r->p[0] != '}' || r->p[1] != '}') return ion_fail(r, "expected '}}'");
    r->p += 2;
    out->type = AV_B;
    out->s.ptr = b.data;
    out->s.len = b.len;
    return DDB_OK;
}

static ddb_err_t ion_read(ion_t *r, av_t *out, int depth)
{
    if (depth > DDB_ITEM_DEPTH + 1) return ion_fail(r, "nested too deep");
    ion_ws(r);
    if (r->p >= r->end) return ion_fail(r, "expected a value");
    ddb_err_t rc;
    /* annotations: sym::sym::value (only $dynamodb_SS/NS/BS mean something) */
    av_type_t set = AV_NONE;
    for (;;) {
        const char *save = r->p;
        if (!(id_char(*r->p, true) || *r->p == '\'')) break;
        if (*r->p == '\'' && r->p + 2 < r->end && r->p[1] == '\'' && r->p[2] == '\'') break; /* long string */
        ddb_str_t sym;
        if ((rc = ion_symbol(r, &sym))) return rc;
        ion_ws(r);
        if (r->p + 1 < r->end && r->p[0] == ':' && r->p[1] == ':') {
            r->p += 2;
            ion_ws(r);
            if (sym.len == 12 && !memcmp(sym.ptr, "$dynamodb_SS", 12)) set = AV_SS;
            if (sym.len == 12 && !memcmp(sym.ptr, "$dynamodb_NS", 12)) set = AV_NS;
            if (sym.len == 12 && !memcmp(sym.ptr, "$dynamodb_BS", 12)) set = AV_BS;
            continue;
        }
        r->p = save;
        break;
    }
    char c = *r->p;
    if (c == '{' && r->p + 1 < r->end && r->p[1] == '{') {
        rc = ion_lob(r, out);
    } else if (c == '{') {
        r->p++;
        out->type = AV_M;
        rc = ion_struct_read(r, &out->m, depth);
    } else if (c == '[') {
        r->p++;
        rc = ion_seq(r, out, ']', depth);
    } else if (c == '(') {
        return ion_fail(r, "s-expressions have no DynamoDB type");
    } else if (c == '"' || (c == '\'' && r->p + 2 < r->end && r->p[1] == '\'' && r->p[2] == '\'')) {
        buf_t b;
        buf_init(&b, r->a, 32);
        if (c == '"') {
            r->p++;
            rc = ion_quoted(r, &b, '"', false);
        } else {
            rc = DDB_OK;
            for (;;) { /* adjacent long strings concatenate */
                r->p += 3;
                if ((rc = ion_quoted(r, &b, '\'', true))) break;
                const char *save = r->p;
                ion_ws(r);
                if (!(r->p + 2 < r->end && r->p[0] == '\'' && r->p[1] == '\'' && r->p[2] == '\'')) {
                    r->p = save;
                    break;
                }
            }
        }
        out->type = AV_S;
        out->s.ptr = b.data;
        out->s.len = b.len;
    } else if ((c >= '0' && c <= '9') || c == '-' || c == '+') {
        rc = ion_number(r, out);
    } else if (id_char(c, true) || c == '\'') {
        ddb_str_t sym;
        bool quoted = c == '\'';
        if ((rc = ion_symbol(r, &sym))) return rc;
        if (!quoted && ddb_str_eq(sym, "true")) {
            out->type = AV_BOOL;
            out->b = true;
        } else if (!quoted && ddb_str_eq(sym, "false")) {
            out->type = AV_BOOL;
            out->b = false;
        } else if (!quoted && ddb_str_eq(sym, "null")) {
            if (r->p < r->end && *r->p == '.') { /* null.string, null.struct, ... */
                r->p++;
                ddb_str_t ty;
                if ((rc = ion_symbol(r, &ty))) return rc;
            }
            out->type = AV_NULL;
        } else if (!quoted && (ddb_str_eq(sym, "nan"))) {
            return ion_fail(r, "nan is not a DynamoDB number");
        } else {
            out->type = AV_S; /* a symbol value: its text */
            out->s = sym;
        }
    } else {
        return ion_fail(r, "unexpected character");
    }
    if (rc) return rc;
    if (set != AV_NONE) {
        if (out->type != AV_L)
            return ion_fail(r, "a $dynamodb_ set annotation on a value that is not a list");
        av_type_t el = set == AV_SS ? AV_S : set == AV_NS ? AV_N : AV_B;
        for (size_t i = 0; i < out->l.n; i++)
            if (out->l.items[i].type != el) return ion_fail(r, "a set holds a value of another type");
        out->type = set;
    }
    return DDB_OK;
}

int s3_ion_next(arena_t *a, ddb_errctx_t *err, const char **pos, const char *end, av_map_t *out)
{
    ion_t r = {*pos, end, a, err};
    for (;;) {
        ion_ws(&r);
        if (r.p >= r.end) {
            *pos = r.p;
            return 0;
        }
        /* the version marker between values */
        if (r.end - r.p >= 8 && !memcmp(r.p, "$ion_1_0", 8) &&
            (r.end - r.p == 8 || !id_char(r.p[8], false))) {
            r.p += 8;
            continue;
        }
        break;
    }
    av_t top;
    ddb_err_t rc = ion_read(&r, &top, 0);
    if (rc) {
        /* resynchronise at the next line so one bad item costs one error */
        while (r.p < r.end && *r.p != '\n') r.p++;
        *pos = r.p;
        return -1;
    }
    *pos = r.p;
    const av_t *item = NULL;
    if (top.type == AV_M)
        for (size_t i = 0; i < top.m.n; i++)
            if (ddb_str_eq(top.m.kvs[i].name, "Item")) item = &top.m.kvs[i].val;
    if (!item || item->type != AV_M) {
        err_set(err, DDB_ERR_VALIDATION, "The Ion value is not a struct with an Item struct");
        return -1;
    }
    *out = item->m;
    return 1;
}

/* ---- CSV --------------------------------------------------------------------------------------- */

int s3_csv_record(arena_t *a, const char **pos, const char *end, char delim, ddb_str_t **fields, size_t *n)
{
    const char *p = *pos;
    if (p >= end) return 0;
    size_t cap = 16;
    *fields = ARENA_NEWN(a, ddb_str_t, cap);
    *n = 0;
    for (;;) {
        buf_t f;
        buf_init(&f, a, 32);
        if (p < end && *p == '"') {
            p++;
            for (;;) {
                if (p >= end) return -1; /* an unterminated quote */
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        buf_putc(&f, '"');
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                buf_putc(&f, *p++);
            }
            if (p < end && *p != delim && *p != '\n' && *p != '\r')
                return -1; /* text after a closing quote */
        } else {
            while (p < end && *p != delim && *p != '\n' && *p != '\r') buf_putc(&f, *p++);
        }
        if (*n == cap) {
            ddb_str_t *m = ARENA_NEWN(a, ddb_str_t, cap * 2);
            memcpy(m, *fields, cap * sizeof *m);
            *fields = m;
            cap *= 2;
        }
        (*fields)[*n].ptr = f.data ? f.data : "";
        (*fields)[*n].len = f.len;
        (*n)++;
        if (p < end && *p == delim) {
            p++;
            continue;
        }
        if (p < end && *p == '\r') p++;
        if (p < end && *p == '\n') p++;
        *pos = p;
        return 1;
    }
}
