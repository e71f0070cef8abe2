/*
 * avjson: JSON <-> AttributeValue, the only place that knows the wire shape of values.
 *
 * Reading validates as DynamoDB does, in its order: each present member's content first
 * (numbers, base64, set elements, nested values), then set emptiness and duplicates, then the
 * count of data types ("empty" / "more than one"). Members with unknown names or null values
 * are ignored, as AWS's deserializer ignores them. Messages are AWS's own, including its
 * spelling quirks ("An string set  may not be empty", "[..]of type BS").
 *
 * Attribute names: a top-level name (of an item, a key, and through avjson_name_or_err of the legacy
 * parameters' maps and lists) must be 1 to 65535 bytes, DynamoDB's documented limit; names inside
 * a map value are not checked (AWS's rule for them is not recorded).
 *
 * Writing: numbers go out in canonical text, binaries in base64.
 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

#include "common/base64.h"
#include "common/decimal.h"
#include "common/strset.h"

static const char *const INVALID = "One or more parameter values were invalid: ";

/* Where a conversion allocates and records its error. */
typedef struct {
    arena_t *a;
    ddb_errctx_t *err;
} io_t;

/* ---- reading -------------------------------------------------------------------------------- */

static ddb_err_t ser(io_t *r, const char *msg)
{
    return err_set(r->err, DDB_ERR_SERIALIZATION, "%s", msg);
}

static ddb_err_t want_string(io_t *r, const json_t *j, ser_kind_t k)
{
    if (j->type == JSON_STRING) return DDB_OK;
    return ser(r, vc_ser_msg(r->a, j, k));
}

/* Number text -> canonical av. */
static ddb_err_t read_number(io_t *r, const json_t *j, av_t *out)
{
    dec_t d;
    switch (dec_parse(j->str.ptr, j->str.len, &d)) {
    case DEC_OK:
        break;
    case DEC_ERR_PRECISION:
        return err_set(r->err, DDB_ERR_VALIDATION,
                       "Attempting to store more than 38 significant digits in a Number");
    case DEC_ERR_OVERFLOW:
        return err_set(
            r->err, DDB_ERR_VALIDATION,
            "Number overflow. Attempting to store a number with magnitude larger than supported range");
    case DEC_ERR_UNDERFLOW:
        return err_set(
            r->err, DDB_ERR_VALIDATION,
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    default:
        if (j->str.len == 0)
            return err_set(r->err, DDB_ERR_VALIDATION,
                           "The parameter cannot be converted to a numeric value");
        return err_set(r->err, DDB_ERR_VALIDATION, "The parameter cannot be converted to a numeric value: %s",
                       j->str.ptr);
    }
    char buf[DEC_TEXT_MAX + 1];
    size_t n = dec_format(&d, buf);
    out->type = AV_N;
    out->s.ptr = arena_memdup(r->a, buf, n);
    out->s.len = n;
    return DDB_OK;
}

/* Whether a string is base64 as the Java decoder takes it; its messages (SerializationException). */
static ddb_err_t check_binary(io_t *r, const json_t *j)
{
    const char *s = j->str.ptr;
    size_t n = j->str.len, bad_at = 0;
    switch (b64_check(s, n, &bad_at)) {
    case B64_OK:
        return DDB_OK;
    case B64_BAD_LENGTH:
        return err_set(
            r->err, DDB_ERR_SERIALIZATION,
            "'%s' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 "
            "bytes but found: %zu",
            s, n);
    case B64_BAD_CHAR: {
        /* the whole character (a UTF-8 sequence), as Java prints the char: one byte of it would make
         * the error body invalid UTF-8, hence invalid JSON (found by fuzz_request) */
        unsigned char c = (unsigned char)s[bad_at];
        size_t cl = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        if (cl > n - bad_at) cl = n - bad_at;
        return err_set(r->err, DDB_ERR_SERIALIZATION,
                       "'%s' can not be converted to a Blob: Invalid Base64 character: '%.*s'", s, (int)cl,
                       s + bad_at);
    }
    case B64_BAD_LAST:
        return err_set(r->err, DDB_ERR_SERIALIZATION,
                       "'%s' can not be converted to a Blob: Invalid last non-pad Base64 character dectected",
                       s);
    }
    return DDB_OK;
}

static ddb_err_t read_binary(io_t *r, const json_t *j, av_t *out)
{
    ddb_err_t rc = check_binary(r, j);
    if (rc) return rc;
    const char *s = j->str.ptr;
    size_t n = j->str.len;
    char *dst = arena_alloc(r->a, b64_decoded_max(n) + 1);
    size_t len = 0;
    if (b64_decode(s, n, dst, &len) != 0) abort(); /* b64_check said it decodes */
    out->type = AV_B;
    out->s.ptr = dst;
    out->s.len = len;
    return DDB_OK;
}

/* Render a collection as AWS does in duplicate messages: [a, b] (binaries in base64). */
static const char *show_collection(io_t *r, const json_t *arr)
{
    buf_t b;
    buf_init(&b, r->a, 64);
    buf_putc(&b, '[');
    for (const json_t *c = arr->child; c; c = c->next) {
        if (c != arr->child) buf_puts(&b, ", ");
        buf_put(&b, c->str.ptr, c->str.len);
    }
    buf_putc(&b, ']');
    return b.data;
}

static int cmp_str(const void *a, const void *b)
{
    return ddb_str_cmp(*(const ddb_str_t *)a, *(const ddb_str_t *)b);
}

static int cmp_dec(const void *a, const void *b)
{
    return dec_cmp(a, b);
}

/* Whether a set repeats an element: sorted (numbers parsed once, by value; strings and
 * binaries as bytes) and compared with the neighbour, O(n log n). */
static bool has_duplicates(io_t *r, const av_t *set)
{
    size_t n = set->l.n;
    if (set->type == AV_NS) {
        dec_t *d = ARENA_NEWN(r->a, dec_t, n);
        for (size_t i = 0; i < n; i++) dec_parse(set->l.items[i].s.ptr, set->l.items[i].s.len, &d[i]);
        qsort(d, n, sizeof *d, cmp_dec);
        for (size_t i = 1; i < n; i++)
            if (dec_cmp(&d[i - 1], &d[i]) == 0) return true;
        return false;
    }
    ddb_str_t *s = ARENA_NEWN(r->a, ddb_str_t, n);
    for (size_t i = 0; i < n; i++) s[i] = set->l.items[i].s;
    qsort(s, n, sizeof *s, cmp_str);
    for (size_t i = 1; i < n; i++)
        if (s[i - 1].len == s[i].len && !memcmp(s[i - 1].ptr, s[i].ptr, s[i].len)) return true;
    return false;
}

static ddb_err_t read_set(io_t *r, const json_t *j, av_type_t st, av_t *out)
{
    if (j->type != JSON_ARRAY) return ser(r, vc_ser_msg(r->a, j, SER_LIST));
    av_type_t et = st == AV_SS ? AV_S : st == AV_NS ? AV_N : AV_B;
    out->type = st;
    out->l.n = 0;
    out->l.items = ARENA_NEWN(r->a, av_t, j->n ? j->n : 1);
    for (const json_t *c = j->child; c; c = c->next) {
        if (c->type == JSON_NULL) continue;
        ddb_err_t rc = want_string(r, c, et == AV_B ? SER_BLOB : SER_STRING);
        if (rc) return rc;
        av_t *e = &out->l.items[out->l.n++];
        if (et == AV_S) {
            e->type = AV_S;
            e->s = c->str;
        } else if (et == AV_N) {
            if ((rc = read_number(r, c, e))) return rc;
        } else if ((rc = read_binary(r, c, e))) {
            return rc;
        }
    }
    if (out->l.n == 0) {
        const char *m = st == AV_SS   ? "An string set  may not be empty"
                        : st == AV_NS ? "An number set  may not be empty"
                                      : "Binary sets should not be empty";
        return err_set(r->err, DDB_ERR_VALIDATION, "%s%s", INVALID, m);
    }
    if (out->l.n > 1 && has_duplicates(r, out)) {
        if (st == AV_NS) return err_set(r->err, DDB_ERR_VALIDATION, "Input collection contains duplicates");
        if (st == AV_SS)
            return err_set(r->err, DDB_ERR_VALIDATION, "%sInput collection %s contains duplicates.", INVALID,
                           show_collection(r, j));
        return err_set(r->err, DDB_ERR_VALIDATION, "%sInput collection %sof type BS contains duplicates.",
                       INVALID, show_collection(r, j));
    }
    return DDB_OK;
}

static ddb_err_t want_bool(io_t *r, const json_t *j)
{
    if (j->type == JSON_TRUE || j->type == JSON_FALSE) return DDB_OK;
    return ser(r, vc_ser_msg(r->a, j, SER_BOOLEAN));
}

static ddb_err_t read_map(io_t *r, const json_t *j, av_map_t *out, int depth);

static ddb_err_t read_value(io_t *r, const json_t *j, av_t *out, int depth)
{
    memset(out, 0, sizeof *out);
    if (j->type != JSON_OBJECT) return ser(r, vc_ser_msg(r->a, j, SER_STRUCT));
    if (depth > DDB_ITEM_DEPTH)
        return err_set(
            r->err, DDB_ERR_VALIDATION,
            "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels "
            "beyond supported limit");
    int ntypes = 0;
    ddb_err_t rc;
    av_t tmp;
    for (const json_t *m = j->child; m; m = m->next) {
        if (m->type == JSON_NULL || m->key.len > 4) continue;
        av_type_t t = av_type_from_name(m->key.ptr, m->key.len);
        if (t == AV_NONE) continue;
        memset(&tmp, 0, sizeof tmp);
        switch (t) {
        case AV_S:
            if ((rc = want_string(r, m, SER_STRING))) return rc;
            tmp.type = AV_S;
            tmp.s = m->str;
            break;
        case AV_N:
            if ((rc = want_string(r, m, SER_STRING))) return rc;
            if ((rc = read_number(r, m, &tmp))) return rc;
            break;
        case AV_B:
            if ((rc = want_string(r, m, SER_BLOB))) return rc;
            if ((rc = read_binary(r, m, &tmp))) return rc;
            break;
        case AV_BOOL:
            if ((rc = want_bool(r, m))) return rc;
            tmp.type = AV_BOOL;
            tmp.b = m->type == JSON_TRUE;
            break;
        case AV_NULL:
            if ((rc = want_bool(r, m))) return rc;
            if (m->type != JSON_TRUE)
                return err_set(r->err, DDB_ERR_VALIDATION,
                               "%sNull attribute value types must have the value of true", INVALID);
            tmp.type = AV_NULL;
            break;
        case AV_SS:
        case AV_NS:
        case AV_BS:
            if ((rc = read_set(r, m, t, &tmp))) return rc;
            break;
        case AV_M:
            if (m->type != JSON_OBJECT) return ser(r, vc_ser_msg(r->a, m, SER_MAP));
            tmp.type = AV_M;
            if ((rc = read_map(r, m, &tmp.m, depth + 1))) return rc;
            break;
        case AV_L:
            if (m->type != JSON_ARRAY) return ser(r, vc_ser_msg(r->a, m, SER_LIST));
            tmp.type = AV_L;
            tmp.l.items = ARENA_NEWN(r->a, av_t, m->n ? m->n : 1);
            for (const json_t *c = m->child; c; c = c->next) {
                if (c->type == JSON_NULL) continue;
                if ((rc = read_value(r, c, &tmp.l.items[tmp.l.n++], depth + 1))) return rc;
            }
            break;
        default:
            continue;
        }
        if (ntypes++ == 0) *out = tmp;
    }
    if (ntypes == 0)
        return err_set(
            r->err, DDB_ERR_VALIDATION,
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
    if (ntypes > 1)
        return err_set(
            r->err, DDB_ERR_VALIDATION,
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
            "supported datatypes");
    return DDB_OK;
}

static ddb_err_t read_map(io_t *r, const json_t *j, av_map_t *out, int depth)
{
    out->n = 0;
    out->kvs = ARENA_NEWN(r->a, av_kv_t, j->n ? j->n : 1);
    /* Names seen so far -> their member index (a set of up to STRSET_LINEAR names is a short
     * scan; larger ones hash, so a 16 MB map of distinct names stays linear). */
    strset_t seen;
    strset_init(&seen, r->a, j->n);
    for (const json_t *m = j->child; m; m = m->next) {
        if (m->type == JSON_NULL) continue;
        /* a repeated name: the last one wins, in the place of the first (as the deserializer's
         * LinkedHashMap does) */
        bool added;
        size_t *at = strset_add(&seen, m->key.ptr, m->key.len, out->n, &added);
        av_kv_t *kv = &out->kvs[added ? out->n++ : *at];
        kv->name = m->key;
        ddb_err_t rc = read_value(r, m, &kv->val, depth);
        if (rc) return rc;
    }
    return DDB_OK;
}

/* The deserializer's checks of one value (read_value's SerializationExceptions, and only those). */
static ddb_err_t check_value(io_t *r, const json_t *j)
{
    if (j->type != JSON_OBJECT) return ser(r, vc_ser_msg(r->a, j, SER_STRUCT));
    ddb_err_t rc;
    for (const json_t *m = j->child; m; m = m->next) {
        if (m->type == JSON_NULL || m->key.len > 4) continue;
        av_type_t t = av_type_from_name(m->key.ptr, m->key.len);
        switch (t) {
        case AV_S:
        case AV_N:
            if ((rc = want_string(r, m, SER_STRING))) return rc;
            break;
        case AV_B:
            if ((rc = want_string(r, m, SER_BLOB)) || (rc = check_binary(r, m))) return rc;
            break;
        case AV_BOOL:
        case AV_NULL:
            if ((rc = want_bool(r, m))) return rc;
            break;
        case AV_SS:
        case AV_NS:
        case AV_BS:
            if (m->type != JSON_ARRAY) return ser(r, vc_ser_msg(r->a, m, SER_LIST));
            for (const json_t *c = m->child; c; c = c->next) {
                if (c->type == JSON_NULL) continue;
                if ((rc = want_string(r, c, t == AV_BS ? SER_BLOB : SER_STRING))) return rc;
                if (t == AV_BS && (rc = check_binary(r, c))) return rc;
            }
            break;
        case AV_M:
            if (m->type != JSON_OBJECT) return ser(r, vc_ser_msg(r->a, m, SER_MAP));
            for (const json_t *c = m->child; c; c = c->next)
                if (c->type != JSON_NULL && (rc = check_value(r, c))) return rc;
            break;
        case AV_L:
            if (m->type != JSON_ARRAY) return ser(r, vc_ser_msg(r->a, m, SER_LIST));
            for (const json_t *c = m->child; c; c = c->next)
                if (c->type != JSON_NULL && (rc = check_value(r, c))) return rc;
            break;
        default:
            break;
        }
    }
    return DDB_OK;
}

ddb_err_t avjson_check(arena_t *a, ddb_errctx_t *err, const json_t *j)
{
    io_t io = {a, err};
    return check_value(&io, j);
}

ddb_err_t avjson_value(arena_t *a, ddb_errctx_t *err, const json_t *j, av_t *out, int depth)
{
    io_t io = {a, err};
    return read_value(&io, j, out, depth);
}

ddb_err_t avjson_name_or_err(ddb_errctx_t *err, ddb_str_t name)
{
    /* texts of DynamoDB's own error table (as DynamoDB Local ships it) */
    if (name.len == 0) return err_set(err, DDB_ERR_VALIDATION, "Empty attribute name");
    if (name.len > DDB_ATTR_NAME_MAX)
        return err_set(err, DDB_ERR_VALIDATION, "Attribute name is too large, must be less than 65536 bytes");
    return DDB_OK;
}

ddb_err_t avjson_map(arena_t *a, ddb_errctx_t *err, const json_t *j, av_map_t *out, int depth)
{
    for (const json_t *m = j->child; m; m = m->next) {
        ddb_err_t rc;
        if (m->type != JSON_NULL && (rc = avjson_name_or_err(err, m->key))) return rc;
    }
    io_t io = {a, err};
    return read_map(&io, j, out, depth);
}

/* ---- writing -------------------------------------------------------------------------------- */

static void write_b64(jw_t *w, ddb_str_t s)
{
    size_t n = b64_encoded_len(s.len);
    char *tmp = arena_alloc(w->b.a, n + 1);
    b64_encode(s.ptr, s.len, tmp);
    jw_str(w, tmp, n);
}

void avjson_write_value(jw_t *w, const av_t *v)
{
    if (v->type == AV_S || v->type == AV_N) { /* most values: one call */
        jw_tagged_str(w, v->type == AV_S ? "S" : "N", 1, v->s.ptr, v->s.len);
        return;
    }
    jw_obj_begin(w);
    jw_keyz(w, av_type_name(v->type));
    switch (v->type) {
    case AV_B:
        write_b64(w, v->s);
        break;
    case AV_BOOL:
        jw_bool(w, v->b);
        break;
    case AV_NULL:
        jw_bool(w, true);
        break;
    case AV_M:
        avjson_write_map(w, &v->m);
        break;
    case AV_L:
        jw_arr_begin(w);
        for (size_t i = 0; i < v->l.n; i++) avjson_write_value(w, &v->l.items[i]);
        jw_arr_end(w);
        break;
    case AV_SS:
    case AV_NS:
    case AV_BS:
        jw_arr_begin(w);
        for (size_t i = 0; i < v->l.n; i++) {
            if (v->type == AV_BS)
                write_b64(w, v->l.items[i].s);
            else
                jw_str(w, v->l.items[i].s.ptr, v->l.items[i].s.len);
        }
        jw_arr_end(w);
        break;
    default:
        jw_null(w);
        break;
    }
    jw_obj_end(w);
}

void avjson_write_map(jw_t *w, const av_map_t *m)
{
    jw_obj_begin(w);
    for (size_t i = 0; i < m->n; i++) {
        jw_key(w, m->kvs[i].name.ptr, m->kvs[i].name.len);
        avjson_write_value(w, &m->kvs[i].val);
    }
    jw_obj_end(w);
}
