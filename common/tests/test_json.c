/*
 * test_json: the strict reader (accept/reject tables, UTF-8, escapes, depth, numbers as text,
 * duplicate keys), the writer (commas, escaping, numbers) and the property that parsing what
 * the writer wrote gives back the same bytes. Prints (does not assert) the parse time of a
 * typical PutItem body.
 */
#include "common/json.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "common/tests/check.h"

#define MAXD 32

static arena_t *A;
static arena_t *T; /* tiny first block: every allocation is its own malloc, so ASan sees overruns */

/* Parse a byte string given with its length (literals may hold NUL). */
static json_t *parse_n(const char *s, size_t n, json_error_t *e)
{
    return json_parse(A, s, n, MAXD, e);
}
#define PARSE_LIT(lit, e) parse_n((lit), sizeof(lit) - 1, (e))

typedef struct {
    const char *text;
    size_t len; /* 0: strlen */
} case_t;
/* clang-format off */
#define C(lit) {lit, sizeof(lit) - 1}

static const case_t accept[] = {
    C("0"), C("-0"), C("-0.0e+0"), C("1.5e10"), C("1E-2"), C("123"), C("-9.75"), C("1e400"),
    C("true"), C("false"), C("null"), C("\"\""), C("[]"), C("{}"), C(" \t\r\n[ 1 , { \"a\" : [ ] } ]\n "),
    C("\"\\u0000\""), C("\"\\ud83d\\ude00\""), C("\"\\uD83D\\uDE00\""), C("\"\xf0\x9f\x98\x80\""),
    C("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\""), C("\"\x7f\""), C("\"\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xef\xbf\xbf\""),
    C("\"\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\""), C("\"\xed\x9f\xbf\xee\x80\x80\""), C("\"\\u00e9\\u20AC\""),
    C("{\"a\":{\"b\":{\"c\":[true,false,null,\"x\",-1.5e-3]}}}"), C("[[],[[]],{}]"), C("{\"\":\"\"}"),
    C("\"a long string that crosses several 8-byte words \\n with an escape in the middle\""),
    C("\"0123456\\\"89abcdef\""), C("\"01234567\\\\\""), C("[\"\\\\\"]"),
};

static const case_t reject[] = {
    C(""), C(" "), C("\n\t"), C("[1,]"), C("{\"a\":1,}"), C("[,1]"), C("{,}"), C("[1 2]"), C("{\"a\" 1}"),
    C("{\"a\"}"), C("{1:2}"), C("{\"a\":}"), C("["), C("{"), C("]"), C("}"), C("[1]]"), C("{}}"), C("[1] x"),
    C("1 2"), C("\"a\"\"b\""), C("01"), C("-01"), C("1."), C(".5"), C("+1"), C("-"), C("1e"), C("1e+"),
    C("1.e5"), C("0x10"), C("1a"), C("tru"), C("nul"), C("True"), C("nulll"), C("NaN"), C("Infinity"),
    C("-Infinity"), C("'a'"), C("/* c */ 1"), C("\"abc"), C("\"abc\\\""), C("\"\\x\""), C("\"\\u12\""),
    C("\"\\u12G4\""), C("\"\\U0041\""), C("\"\\\n\""), C("\"a\tb\""), C("\"\x01\""), C("\"\x1f\""),
    C("\"a\nb\""), C("\"\0\""), C("1\0"), C("\0"), C("\f1"), C("\xef\xbb\xbf{}"), C("\"\xff\""),
    C("\"\x80\""), C("\"\xc0\xaf\""), C("\"\xc1\xbf\""), C("\"\xe0\x80\xaf\""), C("\"\xe0\x9f\xbf\""),
    C("\"\xf0\x80\x80\xaf\""), C("\"\xf0\x8f\xbf\xbf\""), C("\"\xed\xa0\x80\""), C("\"\xed\xbf\xbf\""),
    C("\"\xf4\x90\x80\x80\""), C("\"\xf5\x80\x80\x80\""), C("\"\xc3\""), C("\"\xe2\x82\""), C("\"\xc3x\""),
    C("\"\xe2\x82x\""), C("\"\xf0\x9f\x98\""), C("\"abcdefgh\xc3\""), C("{\"\xff\":1}"),
    C("\"\\uD800\""), C("\"\\uDBFF\""), C("\"\\uDC00\""), C("\"\\uDFFF\""), C("\"\\uD800\\u0041\""),
    C("\"\\uD800x\""), C("\"\\uD800\\\""), C("\"\\uD800\\uD800\""), C("\"\\uDE00\\uD83D\""),
    C("[\"a\",]"), C("{\"a\":1 \"b\":2}"), C("{\"a\":1,,\"b\":2}"), C("[1,,2]"), C("{\"a\"::1}"),
};
/* clang-format on */

static void test_tables(void)
{
    for (size_t i = 0; i < sizeof(accept) / sizeof(accept[0]); i++) {
        json_error_t e;
        json_t *v = parse_n(accept[i].text, accept[i].len, &e);
        if (!v) fprintf(stderr, "accept[%zu] rejected: %s at %zu\n", i, e.msg, e.offset);
        CHECK(v != NULL);
        /* again from a heap copy of exactly len bytes, into single-allocation blocks */
        char *copy = malloc(accept[i].len);
        memcpy(copy, accept[i].text, accept[i].len);
        CHECK(json_parse(T, copy, accept[i].len, MAXD, &e) != NULL);
        free(copy);
        arena_reset(T);
    }
    for (size_t i = 0; i < sizeof(reject) / sizeof(reject[0]); i++) {
        json_error_t e;
        json_t *v = parse_n(reject[i].text, reject[i].len, &e);
        if (v) fprintf(stderr, "reject[%zu] accepted: %.*s\n", i, (int)reject[i].len, reject[i].text);
        CHECK(v == NULL);
        CHECK(e.msg != NULL);
        CHECK(!e.too_deep);
        CHECK(e.offset <= reject[i].len);
    }
}

static void test_errors(void)
{
    json_error_t e;
    CHECK(PARSE_LIT("[1,]", &e) == NULL);
    CHECK_INT(e.offset, 3);
    CHECK_STR(e.msg, "unexpected character");
    CHECK(PARSE_LIT("{\"a\":1,}", &e) == NULL);
    CHECK_INT(e.offset, 7);
    CHECK_STR(e.msg, "expected string member name");
    CHECK(PARSE_LIT("[1] x", &e) == NULL);
    CHECK_INT(e.offset, 4);
    CHECK_STR(e.msg, "unexpected data after the JSON value");
    CHECK(PARSE_LIT("\"ab\\q\"", &e) == NULL);
    CHECK_INT(e.offset, 3);
    CHECK_STR(e.msg, "invalid escape in string");
    CHECK(PARSE_LIT("\"a\x01\"", &e) == NULL);
    CHECK_INT(e.offset, 2);
    CHECK_STR(e.msg, "control character in string");
    CHECK(PARSE_LIT("[\"ok\", \"\xc3\x28\"]", &e) == NULL);
    CHECK_INT(e.offset, 8);
    CHECK_STR(e.msg, "invalid UTF-8 in string");
    CHECK(PARSE_LIT("\"x\\uD800\"", &e) == NULL);
    CHECK_INT(e.offset, 2);
    CHECK_STR(e.msg, "lone surrogate in string");
    CHECK(PARSE_LIT("", &e) == NULL);
    CHECK_STR(e.msg, "empty input");
    CHECK(PARSE_LIT("{\"a\":[1,2", &e) == NULL);
    CHECK_INT(e.offset, 9);
    CHECK_STR(e.msg, "unexpected end of input");
    CHECK(PARSE_LIT("01", &e) == NULL);
    CHECK_STR(e.msg, "invalid number");
    /* err may be NULL */
    CHECK(json_parse(A, "[", 1, MAXD, NULL) == NULL);
    CHECK(json_parse(A, "[1]", 3, MAXD, NULL) != NULL);
}

static void test_tree(void)
{
    json_error_t e;
    const char doc[] = " {\"s\":\"h\\u00e9llo\", \"n\":-12.5e3, \"a\":[1,true,null,{}], \"o\":{\"x\":false},"
                       "\"e\":[]} ";
    json_t *r = PARSE_LIT(doc, &e);
    CHECK(r != NULL);
    if (!r) return;
    CHECK_INT(r->type, JSON_OBJECT);
    CHECK_INT(r->n, 5);
    CHECK(r->key.ptr == NULL && r->key.len == 0);
    CHECK(r->next == NULL);
    json_t *s = json_get(r, "s");
    CHECK(s && s->type == JSON_STRING);
    if (s) CHECK_MEM(s->str.ptr, s->str.len, "h\xc3\xa9llo", 6);
    if (s) CHECK_INT(s->str.ptr[s->str.len], 0);
    json_t *n = json_get(r, "n");
    CHECK(n && n->type == JSON_NUMBER);
    if (n) CHECK_STR(n->str.ptr, "-12.5e3");
    json_t *a = json_get(r, "a");
    CHECK(a && a->type == JSON_ARRAY && a->n == 4);
    if (a && a->n == 4) {
        json_t *c = a->child;
        CHECK_INT(c->type, JSON_NUMBER);
        CHECK_STR(c->str.ptr, "1");
        CHECK(c->key.ptr == NULL);
        c = c->next;
        CHECK_INT(c->type, JSON_TRUE);
        c = c->next;
        CHECK_INT(c->type, JSON_NULL);
        c = c->next;
        CHECK_INT(c->type, JSON_OBJECT);
        CHECK_INT(c->n, 0);
        CHECK(c->child == NULL);
        CHECK(c->next == NULL);
    }
    json_t *o = json_get(r, "o");
    CHECK(o && o->n == 1 && json_get(o, "x") && json_get(o, "x")->type == JSON_FALSE);
    json_t *em = json_get(r, "e");
    CHECK(em && em->type == JSON_ARRAY && em->n == 0 && em->child == NULL && em->next == NULL);
    /* the order of members is kept */
    const char *order[] = {"s", "n", "a", "o", "e"};
    int k = 0;
    for (json_t *c = r->child; c; c = c->next, k++) CHECK_STR(c->key.ptr, order[k]);
    CHECK_INT(k, 5);
    CHECK(json_get(r, "missing") == NULL);
    CHECK(json_get(s, "s") == NULL); /* not an object */
    CHECK(json_get(NULL, "s") == NULL);

    CHECK_STR(json_type_name(JSON_NULL), "null");
    CHECK_STR(json_type_name(JSON_TRUE), "boolean");
    CHECK_STR(json_type_name(JSON_FALSE), "boolean");
    CHECK_STR(json_type_name(JSON_NUMBER), "number");
    CHECK_STR(json_type_name(JSON_STRING), "string");
    CHECK_STR(json_type_name(JSON_ARRAY), "array");
    CHECK_STR(json_type_name(JSON_OBJECT), "object");

    /* scalars at the root */
    json_t *t = PARSE_LIT(" \"x\" ", &e);
    CHECK(t && t->type == JSON_STRING && t->str.len == 1);
    t = PARSE_LIT("-0", &e);
    CHECK(t && t->type == JSON_NUMBER);
    if (t) CHECK_STR(t->str.ptr, "-0");
}

static void test_numbers_as_text(void)
{
    const char *nums[] = {
        "123456789012345678901234567890123456789012345678901234567890",
        "-0.000000000000000000000000000000000000000000000000000000000000001",
        "1e400",
        "-1E-400",
        "9.99999999999999999999999999999999999999E+125",
    };
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        char buf[200];
        int n = snprintf(buf, sizeof(buf), "{\"N\":%s}", nums[i]);
        json_error_t e;
        json_t *r = parse_n(buf, (size_t)n, &e);
        CHECK(r != NULL);
        json_t *v = r ? json_get(r, "N") : NULL;
        CHECK(v && v->type == JSON_NUMBER);
        if (v) CHECK_STR(v->str.ptr, nums[i]);
        if (v) CHECK_INT(v->str.len, strlen(nums[i]));
    }
}

static char *nest(const char *open, const char *close, int depth, size_t *len)
{
    size_t lo = strlen(open), lc = strlen(close);
    char *s = malloc(depth * (lo + lc) + 2), *p = s;
    for (int i = 0; i < depth; i++, p += lo) memcpy(p, open, lo);
    *p++ = '1';
    for (int i = 0; i < depth; i++, p += lc) memcpy(p, close, lc);
    *len = (size_t)(p - s);
    return s;
}

static void test_depth(void)
{
    json_error_t e;
    size_t n;
    for (int limit = 1; limit <= 40; limit += 13) {
        char *s = nest("[", "]", limit, &n);
        CHECK(json_parse(A, s, n, limit, &e) != NULL);
        free(s);
        s = nest("[", "]", limit + 1, &n);
        CHECK(json_parse(A, s, n, limit, &e) == NULL);
        CHECK(e.too_deep);
        CHECK_INT(e.offset, limit); /* the bracket that went one too deep */
        free(s);
        s = nest("{\"a\":", "}", limit, &n);
        CHECK(json_parse(A, s, n, limit, &e) != NULL);
        free(s);
        s = nest("{\"a\":", "}", limit + 1, &n);
        CHECK(json_parse(A, s, n, limit, &e) == NULL);
        CHECK(e.too_deep);
        free(s);
    }
    /* depth counts open containers, not siblings */
    CHECK(json_parse(A, "[[1],[2],{\"a\":[]}]", 18, 3, &e) != NULL);
    CHECK(json_parse(A, "[[1],[2],{\"a\":[]}]", 18, 2, &e) == NULL && e.too_deep);
    CHECK(json_parse(A, "[[1],[2],[3]]", 13, 2, &e) != NULL);
    CHECK(json_parse(A, "{}", 2, 0, &e) == NULL && e.too_deep);
    CHECK(json_parse(A, "1", 1, 0, &e) != NULL);
    /* empty containers at the limit */
    CHECK(json_parse(A, "[[]]", 4, 2, &e) != NULL);
    CHECK(json_parse(A, "[[[]]]", 6, 2, &e) == NULL && e.too_deep);
    /* very deep input: refused quickly at the limit, and accepted with a huge limit (no recursion) */
    char *s = nest("{\"\":", "}", 200000, &n);
    CHECK(json_parse(A, s, n, MAXD, &e) == NULL && e.too_deep);
    json_t *r = json_parse(A, s, n, 1000000, &e);
    CHECK(r != NULL);
    int d = 0;
    while (r && r->type == JSON_OBJECT) r = r->child, d++;
    CHECK_INT(d, 200000);
    CHECK(r && r->type == JSON_NUMBER);
    free(s);
    /* a syntax error deep inside is not reported as too deep */
    s = nest("[", "]", 10, &n);
    s[n - 1] = '}';
    CHECK(json_parse(A, s, n, MAXD, &e) == NULL && !e.too_deep);
    free(s);
}

static void test_duplicates(void)
{
    json_error_t e;
    json_t *r = PARSE_LIT("{\"a\":1,\"b\":2,\"a\":3,\"c\":{\"a\":4}}", &e);
    CHECK(r && r->n == 4);
    json_t *a = json_get(r, "a");
    CHECK(a && a->type == JSON_NUMBER);
    if (a) CHECK_STR(a->str.ptr, "3");
    /* all duplicates are kept in order */
    if (r) CHECK_STR(r->child->str.ptr, "1");
    /* names with NUL: json_getn compares bytes */
    r = PARSE_LIT("{\"a\\u0000b\":1,\"a\":2,\"a\\u0000b\":5}", &e);
    CHECK(r != NULL);
    a = json_getn(r, "a\0b", 3);
    CHECK(a != NULL);
    if (a) CHECK_STR(a->str.ptr, "5");
    a = json_get(r, "a");
    CHECK(a != NULL);
    if (a) CHECK_STR(a->str.ptr, "2");
    CHECK(json_getn(r, "a\0", 2) == NULL);
    CHECK(json_getn(r, "", 0) == NULL);
    r = PARSE_LIT("{\"\":7}", &e);
    a = json_getn(r, "", 0);
    CHECK(a && strcmp(a->str.ptr, "7") == 0);
}

static const char *write_str(const char *s, size_t n)
{
    jw_t w;
    jw_init(&w, A, 8);
    jw_str(&w, s, n);
    return w.b.data;
}

static void test_nul_roundtrip(void)
{
    json_error_t e;
    const char in[] = "\"\\u0000a\\u0000\\u0000b\\u0000\"";
    json_t *v = PARSE_LIT(in, &e);
    CHECK(v && v->type == JSON_STRING);
    if (!v) return;
    CHECK_MEM(v->str.ptr, v->str.len, "\0a\0\0b\0", 6);
    jw_t w;
    jw_init(&w, A, 0);
    jw_obj_begin(&w);
    jw_key(&w, v->str.ptr, v->str.len);
    jw_str(&w, v->str.ptr, v->str.len);
    jw_obj_end(&w);
    CHECK_STR(w.b.data, "{\"\\u0000a\\u0000\\u0000b\\u0000\":\"\\u0000a\\u0000\\u0000b\\u0000\"}");
    CHECK_INT(w.b.len, strlen(w.b.data));
    json_t *r = parse_n(w.b.data, w.b.len, &e);
    CHECK(r && r->n == 1);
    if (r && r->n == 1) {
        CHECK_MEM(r->child->key.ptr, r->child->key.len, "\0a\0\0b\0", 6);
        CHECK_MEM(r->child->str.ptr, r->child->str.len, "\0a\0\0b\0", 6);
    }
}

static void test_writer_commas(void)
{
    jw_t w;
    jw_init(&w, A, 4); /* small, so the buffer grows */
    jw_obj_begin(&w);
    jw_keyz(&w, "a");
    jw_arr_begin(&w);
    jw_int(&w, 1);
    jw_int(&w, 2);
    jw_obj_begin(&w);
    jw_keyz(&w, "b");
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_keyz(&w, "c");
    jw_obj_begin(&w);
    jw_obj_end(&w);
    jw_obj_end(&w);
    jw_arr_begin(&w);
    jw_arr_end(&w);
    jw_arr_begin(&w);
    jw_null(&w);
    jw_arr_end(&w);
    jw_arr_end(&w);
    jw_keyz(&w, "d");
    jw_strz(&w, "x");
    jw_keyz(&w, "e");
    jw_obj_begin(&w);
    jw_keyz(&w, "f");
    jw_bool(&w, true);
    jw_keyz(&w, "g");
    jw_bool(&w, false);
    jw_keyz(&w, "h");
    jw_raw(&w, "{\"pre\":1}", 9);
    jw_obj_end(&w);
    jw_keyz(&w, "i");
    jw_double(&w, 0.5);
    jw_obj_end(&w);
    CHECK_STR(w.b.data,
              "{\"a\":[1,2,{\"b\":[],\"c\":{}},[],[null]],\"d\":\"x\",\"e\":{\"f\":true,\"g\":false,"
              "\"h\":{\"pre\":1}},\"i\":0.5}");
    CHECK_INT(w.b.len, strlen(w.b.data));
    CHECK_INT(w.depth, 0);
    json_error_t e;
    CHECK(parse_n(w.b.data, w.b.len, &e) != NULL);

    /* arrays of objects, and a fresh writer for a scalar */
    jw_init(&w, A, 0);
    jw_arr_begin(&w);
    for (int i = 0; i < 3; i++) {
        jw_obj_begin(&w);
        jw_keyz(&w, "k");
        jw_int(&w, i);
        jw_keyz(&w, "l");
        jw_arr_begin(&w);
        jw_int(&w, i);
        jw_int(&w, -i);
        jw_arr_end(&w);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    CHECK_STR(w.b.data, "[{\"k\":0,\"l\":[0,0]},{\"k\":1,\"l\":[1,-1]},{\"k\":2,\"l\":[2,-2]}]");
    jw_init(&w, A, 0);
    jw_strz(&w, "plain");
    CHECK_STR(w.b.data, "\"plain\"");
}

static void test_writer_escapes(void)
{
    for (int c = 0; c < 0x20; c++) {
        char in = (char)c, want[16];
        const char *shorts = NULL;
        switch (c) {
        case '\b':
            shorts = "\"\\b\"";
            break;
        case '\f':
            shorts = "\"\\f\"";
            break;
        case '\n':
            shorts = "\"\\n\"";
            break;
        case '\r':
            shorts = "\"\\r\"";
            break;
        case '\t':
            shorts = "\"\\t\"";
            break;
        }
        if (shorts)
            snprintf(want, sizeof(want), "%s", shorts);
        else
            snprintf(want, sizeof(want), "\"\\u%04x\"", c);
        CHECK_STR(write_str(&in, 1), want);
    }
    CHECK_STR(write_str("\"", 1), "\"\\\"\"");
    CHECK_STR(write_str("\\", 1), "\"\\\\\"");
    CHECK_STR(write_str("/", 1), "\"/\"");
    CHECK_STR(write_str("\x7f", 1), "\"\x7f\"");
    CHECK_STR(write_str("h\xc3\xa9 \xf0\x9f\x98\x80", 8), "\"h\xc3\xa9 \xf0\x9f\x98\x80\"");
    CHECK_STR(write_str("", 0), "\"\"");
    CHECK_STR(write_str("a\"b\\c\nd\x01", 8), "\"a\\\"b\\\\c\\nd\\u0001\"");
    jw_t w;
    jw_init(&w, A, 0);
    jw_obj_begin(&w);
    jw_key(&w, "k\"\n", 3);
    jw_int(&w, 1);
    jw_obj_end(&w);
    CHECK_STR(w.b.data, "{\"k\\\"\\n\":1}");

    /* every byte 0x00..0x7f plus multi-byte UTF-8 survives write -> parse exactly */
    char all[140];
    size_t n = 0;
    for (int c = 0; c < 0x80; c++) all[n++] = (char)c;
    memcpy(all + n, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9);
    n += 9;
    const char *out = write_str(all, n);
    json_error_t e;
    json_t *v = parse_n(out, strlen(out), &e);
    CHECK(v && v->type == JSON_STRING);
    if (v) CHECK_MEM(v->str.ptr, v->str.len, all, n);
}

static void test_writer_numbers(void)
{
    static const struct {
        double v;
        const char *want;
    } cases[] = {
        {1763750000.123, "1763750000.123"},
        {1763750000.0, "1763750000"},
        {1763750000.5, "1763750000.5"},
        {1.0, "1"},
        {0.0, "0"},
        {-0.0, "0"},
        {0.5, "0.5"},
        {0.1, "0.1"},
        {-2.25, "-2.25"},
        {123456.789, "123456.789"},
        {1e20, "1e+20"},
        {1.5e-7, "1.5e-07"},
        {0.0001, "0.0001"},
        {1e16, "10000000000000000"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        jw_t w;
        jw_init(&w, A, 0);
        jw_double(&w, cases[i].v);
        CHECK_STR(w.b.data, cases[i].want);
    }
    jw_t w;
    jw_init(&w, A, 0);
    jw_arr_begin(&w);
    jw_double(&w, NAN);
    jw_double(&w, INFINITY);
    jw_int(&w, 0);
    jw_int(&w, -1);
    jw_int(&w, LLONG_MAX);
    jw_int(&w, LLONG_MIN);
    jw_arr_end(&w);
    CHECK_STR(w.b.data, "[null,null,0,-1,9223372036854775807,-9223372036854775808]");

    /* property: every double prints as a JSON number that reads back as the same double */
    srand(7);
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        uint64_t bits = (uint64_t)rand() << 42 ^ (uint64_t)rand() << 21 ^ (uint64_t)rand();
        double v;
        if (i % 2) {
            memcpy(&v, &bits, sizeof(v));
            if (!isfinite(v)) continue;
        } else {
            v = 1.7e9 + (double)(bits % 100000000) / 1000.0; /* epoch seconds with milliseconds */
        }
        jw_init(&w, A, 0);
        jw_double(&w, v);
        json_error_t e;
        json_t *p = parse_n(w.b.data, w.b.len, &e);
        bool ok = p && p->type == JSON_NUMBER && strtod(p->str.ptr, NULL) == v;
        if (i % 2 == 0 && strchr(w.b.data, 'e')) ok = false; /* epoch seconds never use an exponent */
        if (!ok && bad++ == 0) fprintf(stderr, "jw_double(%.17g) wrote %s\n", v, w.b.data);
        arena_reset(A);
    }
    CHECK_INT(bad, 0);
}

/* Property: random strings (control characters, quotes, backslashes, UTF-8) survive write -> parse. */
static void test_roundtrip_random(void)
{
    static const char *pieces[] = {"a",
                                   "\"",
                                   "\\",
                                   "\n",
                                   "\x01",
                                   "\0",
                                   "\x1f",
                                   " ",
                                   "\xc3\xa9",
                                   "\xe2\x82\xac",
                                   "\xf0\x9f\x98\x80",
                                   "/",
                                   "\x7f",
                                   "xyz0123456789"};
    srand(11);
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        char s[400];
        size_t n = 0;
        int k = rand() % 40;
        for (int j = 0; j < k; j++) {
            const char *p = pieces[rand() % (int)(sizeof(pieces) / sizeof(pieces[0]))];
            size_t pl = *p ? strlen(p) : 1;
            memcpy(s + n, p, pl);
            n += pl;
        }
        jw_t w;
        jw_init(&w, A, 0);
        jw_obj_begin(&w);
        jw_key(&w, s, n);
        jw_arr_begin(&w);
        jw_str(&w, s, n);
        jw_arr_end(&w);
        jw_obj_end(&w);
        json_error_t e;
        json_t *r = json_parse(T, w.b.data, w.b.len, MAXD, &e);
        json_t *v = r ? json_getn(r, s, n) : NULL;
        if (!v || v->n != 1 || v->child->str.len != n || memcmp(v->child->str.ptr, s, n) != 0) bad++;
        arena_reset(A);
        arena_reset(T);
    }
    CHECK_INT(bad, 0);
}

static const char put_item_body[] =
    "{\"TableName\":\"Orders\",\"Item\":{\"pk\":{\"S\":\"customer#12345\"},\"sk\":{\"S\":\"order#2025-11-"
    "21T18:33:20"
    ".123Z\"},\"status\":{\"S\":\"SHIPPED\"},\"total\":{\"N\":\"129.95\"},\"items\":{\"L\":[{\"M\":{\"sku\":{"
    "\"S\":"
    "\"ABC-123\"},\"qty\":{\"N\":\"2\"}}},{\"M\":{\"sku\":{\"S\":\"XYZ-9\"},\"qty\":{\"N\":\"1\"}}}]},"
    "\"gift\":{"
    "\"BOOL\":false},\"note\":{\"S\":\"Leave at the door, \\\"back\\\" "
    "entrance\"},\"tags\":{\"SS\":[\"priority\","
    "\"fragile\"]}},\"ConditionExpression\":\"attribute_not_exists(pk)\",\"ReturnValues\":\"NONE\"}";

/* Robustness: truncations and random byte changes of a real body parse or fail cleanly. */
static void test_mutations(void)
{
    static const char alphabet[] = "{}[],:\"\\ -0123456789.eE+tfnulrsabu\x01\x80\xc3\xa9\xed\xf0\xff";
    size_t n = sizeof(put_item_body) - 1;
    int bad = 0;
    for (size_t cut = 0; cut < n; cut++) {
        char *copy = malloc(cut + 1);
        memcpy(copy, put_item_body, cut);
        json_error_t e;
        if (json_parse(T, copy, cut, MAXD, &e) != NULL || !e.msg || e.offset > cut) bad++;
        free(copy);
        arena_reset(T);
    }
    srand(8259);
    for (int i = 0; i < 20000; i++) {
        char *copy = malloc(n);
        memcpy(copy, put_item_body, n);
        int changes = 1 + rand() % 3;
        for (int k = 0; k < changes; k++) copy[rand() % n] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
        json_error_t e;
        json_t *r = json_parse(T, copy, n, MAXD, &e);
        if (!r && (!e.msg || e.offset > n)) bad++;
        free(copy);
        arena_reset(T);
    }
    CHECK_INT(bad, 0);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void test_timing(void)
{
    size_t n = sizeof(put_item_body) - 1;
    json_error_t e;
    json_t *r = parse_n(put_item_body, n, &e);
    CHECK(r != NULL);
    json_t *item = json_get(r, "Item");
    CHECK(item && item->n == 8);
    const int iters = 200000;
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++) {
            arena_reset(A);
            if (!parse_n(put_item_body, n, &e)) abort();
        }
        double per = (now_ns() - t0) / iters;
        if (per < best) best = per;
    }
    printf("json_parse: %zu-byte PutItem body in %.0f ns (best of 5 x %d, includes arena_reset)\n", n, best,
           iters);

    arena_reset(A);
    r = parse_n(put_item_body, n, &e);
    double t0 = now_ns();
    size_t total = 0;
    for (int i = 0; i < iters; i++) {
        jw_t w;
        jw_init(&w, A, 512);
        jw_obj_begin(&w);
        for (json_t *c = item->child; c; c = c->next) {
            jw_key(&w, c->key.ptr, c->key.len);
            jw_raw(&w, "{}", 2);
        }
        jw_obj_end(&w);
        total += w.b.len;
        if (i % 64 == 63) {
            arena_reset(A);
            r = parse_n(put_item_body, n, &e);
            item = json_get(r, "Item");
        }
    }
    printf("jw_*: 8-member object in %.0f ns (%zu bytes)\n", (now_ns() - t0) / iters, total / iters);
    arena_reset(A);
}

/* Items nest 32 levels, about 70 JSON containers: the writer must place commas right at any depth
 * it supports (it once kept one bit per depth in a 64-bit word). */
static void test_writer_deep(void)
{
    arena_reset(A);
    for (int depth = 60; depth <= 200; depth += 35) {
        jw_t w;
        jw_init(&w, A, 64);
        for (int i = 0; i < depth; i++) {
            jw_arr_begin(&w);
            jw_int(&w, i);
        }
        for (int i = 0; i < depth; i++) {
            jw_int(&w, -i);
            jw_arr_end(&w);
        }
        json_error_t e;
        json_t *root = json_parse(A, w.b.data, w.b.len, 1000, &e);
        CHECK(root != NULL);
        /* walk down: every level holds [i, [...], -x] */
        const json_t *n = root;
        int levels = 0;
        while (n && n->type == JSON_ARRAY) {
            CHECK_INT(n->n, levels == depth - 1 ? 2 : 3);
            n = n->child ? n->child->next : NULL;
            levels++;
        }
        CHECK_INT(levels, depth);
    }
}

int main(void)
{
    A = arena_new(0);
    T = arena_new(16);
    test_tables();
    test_errors();
    test_tree();
    test_numbers_as_text();
    test_depth();
    test_duplicates();
    test_nul_roundtrip();
    test_writer_commas();
    test_writer_escapes();
    test_writer_numbers();
    test_writer_deep();
    test_roundtrip_random();
    test_mutations();
    test_timing();
    arena_free(A);
    arena_free(T);
    return check_done("json");
}
