/*
 * validate: request-shape checks worded as AWS's Coral framework words them.
 *
 * Two families of errors happen before an operation looks at storage:
 * - SerializationException when a member has the wrong JSON type. AWS spells the message key
 *   "Message" here (reply.c) and the text comes from its Java deserializer, e.g.
 *   "class java.lang.Boolean can not be converted to an String".
 * - ValidationException for constraint violations, collected so that several are reported at
 *   once: "2 validation errors detected: Value null at 'tableName' failed to satisfy
 *   constraint: Member must not be null; Value ..." (vc_* below).
 */
#include "server/server.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void vc_init(vcheck_t *v, ddb_req_t *r)
{
    v->r = r;
    v->n = 0;
    buf_init(&v->msgs, r->a, 256);
}

void vc_add(vcheck_t *v, const char *shown, const char *path, const char *what)
{
    if (v->n++) buf_puts(&v->msgs, "; ");
    buf_printf(&v->msgs, "Value %s at '%s' failed to satisfy constraint: %s", shown, path, what);
}

ddb_err_t vc_done(vcheck_t *v)
{
    if (!v->n) return DDB_OK;
    return err_set(&v->r->err, DDB_ERR_VALIDATION, "%d validation error%s detected: %s", v->n,
                   v->n == 1 ? "" : "s", v->msgs.data);
}

const char *vc_show_str(ddb_req_t *r, const json_t *j)
{
    if (!j) return "null";
    if (j->type == JSON_STRING) return arena_sprintf(r->a, "'%s'", j->str.ptr);
    if (j->type == JSON_NUMBER) return arena_sprintf(r->a, "'%lld'", (long long)vc_num_value(j));
    return "null";
}

/* Length constraint of an optional (or, with `required`, mandatory) string member. */
void vc_len(vcheck_t *v, const json_t *j, const char *path, size_t min, size_t max, bool required)
{
    if (!j) {
        if (required) vc_add(v, "null", path, "Member must not be null");
        return;
    }
    if (j->str.len < min)
        vc_add(v, vc_show_str(v->r, j), path,
               arena_sprintf(v->r->a, "Member must have length greater than or equal to %zu", min));
    if (j->str.len > max)
        vc_add(v, vc_show_str(v->r, j), path,
               arena_sprintf(v->r->a, "Member must have length less than or equal to %zu", max));
}

/* Range constraint of an Integer member vc_fld_num() accepted. */
void vc_range(vcheck_t *v, const json_t *j, int64_t val, const char *path, int64_t min, int64_t max)
{
    if (!j) return;
    if (val < min)
        vc_add(
            v, vc_show_str(v->r, j), path,
            arena_sprintf(v->r->a, "Member must have value greater than or equal to %lld", (long long)min));
    if (val > max)
        vc_add(v, vc_show_str(v->r, j), path,
               arena_sprintf(v->r->a, "Member must have value less than or equal to %lld", (long long)max));
}

static const char *scalar_kind(const json_t *j)
{
    switch (j->type) {
    case JSON_NUMBER: /* a fraction or an exponent makes it a decimal, as AWS's tokens name it */
        return memchr(j->str.ptr, '.', j->str.len) || memchr(j->str.ptr, 'e', j->str.len) ||
                       memchr(j->str.ptr, 'E', j->str.len)
                   ? "DECIMAL_VALUE"
                   : "NUMBER_VALUE";
    case JSON_TRUE:
        return "TRUE_VALUE";
    case JSON_FALSE:
        return "FALSE_VALUE";
    case JSON_STRING:
        return "STRING_VALUE";
    default:
        return NULL;
    }
}

const char *vc_ser_msg(arena_t *a, const json_t *j, ser_kind_t want)
{
    static const char *const names[] = {"String", "Integer", "Long", "Boolean",
                                        "Blob",   "List",    "Map",  "Structure"};
    static const char *const classes[] = {"java.lang.String",
                                          "java.lang.Integer",
                                          "java.lang.Long",
                                          "java.lang.Boolean",
                                          "java.nio.ByteBuffer",
                                          "",
                                          "",
                                          ""};
    switch (want) {
    case SER_LIST:
        if (j->type == JSON_OBJECT) return "Start of structure or map found where not expected";
        return "Expected list or null";
    case SER_MAP:
        if (j->type == JSON_ARRAY) return "Start of list found where not expected";
        return "Expected map or null";
    case SER_STRUCT:
        if (j->type == JSON_ARRAY) return "Start of list found where not expected";
        return "Expected null";
    default:
        if (j->type == JSON_OBJECT) return "Start of structure or map found where not expected";
        if (j->type == JSON_ARRAY)
            return arena_sprintf(a, "Unrecognized collection type class %s", classes[want]);
        return arena_sprintf(a, "%s cannot be converted to %s", scalar_kind(j), names[want]);
    }
}

const json_t *vc_fld(ddb_req_t *r, const json_t *obj, const char *name, json_type_t want, bool *bad)
{
    assert(want != JSON_NUMBER); /* Integer and Long members: vc_fld_num() */
    const json_t *j = json_get(obj, name);
    if (!j || j->type == JSON_NULL) return NULL; /* null is absent */
    bool ok = j->type == want || (want == JSON_TRUE && j->type == JSON_FALSE);
    if (ok) return j;
    ser_kind_t k = want == JSON_STRING  ? SER_STRING
                   : want == JSON_TRUE  ? SER_BOOLEAN
                   : want == JSON_ARRAY ? SER_LIST
                                        : SER_STRUCT;
    err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, j, k));
    *bad = true;
    return NULL;
}

/* ---- numbers: the one reader of Integer and Long members ----------------------------------------
 *
 * DynamoDB's front end reads these members as Java int / long with Jackson's coercion rules:
 * - an integral literal converts exactly, and one outside the type's range is refused;
 * - a literal with a fraction or an exponent is a double, accepted when it lies within the type's
 *   range and truncated toward zero (1.9 -> 1, 1e-999999 -> 0, -1.5 -> -1), refused otherwise
 *   (1e300, 2147483647.5 for an Integer);
 * - the converted value is what the constraints check and what messages show ("Value '0' at ...").
 * A refused number is a SerializationException without a message, as for a body that is not JSON
 * (docs/compatibility.md: the wording is not recorded publicly).
 */

/* Convert the text of a JSON number; false when out of range for `kind`. */
static bool num_convert(const json_t *j, ser_kind_t kind, int64_t *out)
{
    const char *s = j->str.ptr;
    size_t n = j->str.len;
    bool integral = !memchr(s, '.', n) && !memchr(s, 'e', n) && !memchr(s, 'E', n);
    /* the magnitudes of the most negative values; the positive limits are one less */
    uint64_t neg_max = kind == SER_INTEGER ? (uint64_t)1 << 31 : (uint64_t)1 << 63;
    if (integral) {
        bool neg = n && s[0] == '-';
        uint64_t lim = neg ? neg_max : neg_max - 1, v = 0;
        for (size_t i = neg; i < n; i++) {
            unsigned d = (unsigned)(s[i] - '0');
            if (v > (lim - d) / 10) return false;
            v = v * 10 + d;
        }
        *out = neg ? (v == ((uint64_t)1 << 63) ? INT64_MIN : -(int64_t)v) : (int64_t)v;
        return true;
    }
    double d = strtod(s, NULL); /* RFC 8259 number text; overflow gives +-HUGE_VAL, underflow 0 */
    double hi = kind == SER_INTEGER ? 2147483647.0 : 9223372036854775808.0; /* (double)Long.MAX_VALUE */
    double lo = -(double)neg_max;
    if (!(d >= lo && d <= hi)) return false;
    *out = d >= 9223372036854775807.0 ? INT64_MAX : (int64_t)d; /* Java's (long) saturates at 2^63 */
    return true;
}

int64_t vc_num_value(const json_t *j)
{
    int64_t v = 0;
    bool ok = num_convert(j, SER_LONG, &v);
    assert(ok); /* only for members vc_fld_num() accepted */
    (void)ok;
    return v;
}

bool vc_num_ok(ddb_req_t *r, const json_t *j, ser_kind_t kind, int64_t *val)
{
    assert(kind == SER_INTEGER || kind == SER_LONG);
    if (j->type != JSON_NUMBER) {
        err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, j, kind));
        return false;
    }
    int64_t v;
    if (!num_convert(j, kind, &v)) {
        err_set_bare(&r->err, DDB_ERR_SERIALIZATION);
        return false;
    }
    if (val) *val = v;
    return true;
}

const json_t *vc_fld_num(ddb_req_t *r, const json_t *obj, const char *name, ser_kind_t kind, int64_t *val,
                         bool *bad)
{
    const json_t *j = json_get(obj, name);
    if (!j || j->type == JSON_NULL) return NULL; /* null is absent */
    if (vc_num_ok(r, j, kind, val)) return j;
    *bad = true;
    return NULL;
}

static bool elem_ok(ddb_req_t *r, const json_t *c, json_type_t elem, ser_kind_t num, const shape_spec_t *sub)
{
    if (c->type == JSON_NULL) return true;
    if (elem == JSON_NUMBER) return vc_num_ok(r, c, num, NULL);
    if (elem == JSON_OBJECT) {
        if (c->type != JSON_OBJECT) {
            err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, c, SER_STRUCT));
            return false;
        }
        return !sub || vc_shape_ok(r, c, sub);
    }
    if (c->type == elem || (elem == JSON_TRUE && c->type == JSON_FALSE)) return true;
    err_set(&r->err, DDB_ERR_SERIALIZATION, "%s",
            vc_ser_msg(r->a, c, elem == JSON_STRING ? SER_STRING : SER_BOOLEAN));
    return false;
}

bool vc_shape_ok(ddb_req_t *r, const json_t *obj, const shape_spec_t *spec)
{
    if (!obj) return true;
    for (const shape_member_t *m = spec->members; m->name; m++) {
        bool bad = false;
        const json_t *j = m->type == JSON_NUMBER ? vc_fld_num(r, obj, m->name, m->num, NULL, &bad)
                                                 : vc_fld(r, obj, m->name, m->type, &bad);
        if (bad) return false;
        if (!j) continue;
        if (m->type == JSON_OBJECT && m->sub && !vc_shape_ok(r, j, m->sub)) return false;
        if (m->type == JSON_ARRAY)
            for (const json_t *c = j->child; c; c = c->next)
                if (!elem_ok(r, c, m->elem, m->num, m->sub)) return false;
    }
    return true;
}

void vc_table_name(vcheck_t *v, const json_t *j, const char *path)
{
    if (!j) {
        vc_add(v, "null", path, "Member must not be null");
        return;
    }
    const char *s = j->str.ptr;
    size_t n = j->str.len;
    bool pattern = n > 0;
    for (size_t i = 0; i < n && pattern; i++) {
        char c = s[i];
        pattern = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '.' || c == '-';
    }
    if (pattern && n >= 3 && n <= 255) return; /* the usual case: no message to format */
    const char *shown = vc_show_str(v->r, j);
    if (!pattern) vc_add(v, shown, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    if (n < 3) vc_add(v, shown, path, "Member must have length greater than or equal to 3");
    if (n > 255) vc_add(v, shown, path, "Member must have length less than or equal to 255");
}

void vc_table_arn(vcheck_t *v, const json_t *j, const char *path)
{
    if (!j) {
        vc_add(v, "null", path, "Member must not be null");
        return;
    }
    size_t n = j->str.len;
    if (n < 1) vc_add(v, vc_show_str(v->r, j), path, "Member must have length greater than or equal to 1");
    if (n > 1024) vc_add(v, vc_show_str(v->r, j), path, "Member must have length less than or equal to 1024");
    const char *name = n > 4 ? tabledesc_name_of_arn(j->str.ptr, n) : NULL;
    if (name) { /* from here on the request names the table (a suffix of the ARN: still NUL-terminated) */
        json_t *w = (json_t *)j; /* the request's own parse tree, in its arena */
        w->str.len = n - (size_t)(name - j->str.ptr);
        w->str.ptr = name;
    }
}

void vc_table_name_or_arn(vcheck_t *v, const json_t *j, const char *path)
{
    if (j && (j->str.len < 4 || memcmp(j->str.ptr, "arn:", 4) != 0)) {
        /* a name, not an ARN: the name's rules, its lengths before its pattern (AWS's order, recorded 2026)
         */
        const char *s = j->str.ptr;
        size_t n = j->str.len;
        bool pattern = n > 0;
        for (size_t i = 0; i < n && pattern; i++) {
            char c = s[i];
            pattern = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-';
        }
        if (pattern && n >= 3 && n <= 255) return;
        const char *shown = vc_show_str(v->r, j);
        if (n < 3) vc_add(v, shown, path, "Member must have length greater than or equal to 3");
        if (n > 255) vc_add(v, shown, path, "Member must have length less than or equal to 255");
        if (!pattern)
            vc_add(v, shown, path, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        return;
    }
    vc_table_arn(v, j, path);
}

ddb_err_t vc_table_name_only_or_err(ddb_req_t *r, const json_t **jname)
{
    bool bad = false;
    *jname = vc_fld(r, r->body, "TableName", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_table_arn(&v, *jname, "tableName");
    return vc_done(&v);
}

void vc_enum(vcheck_t *v, const json_t *j, const char *path, const char *const *vals, const char *shown_set)
{
    if (!j) return;
    for (const char *const *p = vals; *p; p++)
        if (ddb_str_eq(j->str, *p)) return;
    vc_add(v, vc_show_str(v->r, j), path,
           arena_sprintf(v->r->a, "Member must satisfy enum value set: %s", shown_set));
}
