/*
 * test_eval: condition evaluation: comparisons across types are false (not errors), missing
 * attributes, N compared by value, S and B by bytes, set equality without order, maps without
 * member order, lists in order, BETWEEN, IN, AND/OR/NOT precedence, and each function:
 * attribute_exists / attribute_not_exists / attribute_type / begins_with / contains / size on
 * every type they accept, nested paths, and evaluation against no item at all.
 */
#include "expr/tests/expr_test.h"

static const char *ITEM1 =
    "{\"n\":{\"N\":\"10\"},\"s\":{\"S\":\"hello\"},\"b\":{\"B\":\"hi there\"},"
    "\"t\":{\"BOOL\":true},\"z\":{\"NULL\":true},"
    "\"l\":{\"L\":[{\"N\":\"2\"},{\"S\":\"dog\"},{\"L\":[{\"N\":\"3\"}]}]},"
    "\"m\":{\"M\":{\"x\":{\"N\":\"1\"},\"y\":{\"M\":{\"q\":{\"S\":\"deep\"}}}}},"
    "\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"x\",\"yz\"]},"
    "\"e\":{\"S\":\"\"},\"u\":{\"S\":\"\xc3\xa9\xf0\x9f\x98\x80\"}}";

#define T(expr, vals, want) CHECK_STR(EVAL((expr), NULL, (vals), ITEM1), (want))

static void test_equality(void)
{
    T("n = :v", "{\":v\":{\"N\":\"10\"}}", "true");
    T("n = :v", "{\":v\":{\"N\":\"10.000\"}}", "true");
    T("n = :v", "{\":v\":{\"N\":\"1E1\"}}", "true");
    T("n = :v", "{\":v\":{\"S\":\"10\"}}", "false");
    T("n <> :v", "{\":v\":{\"S\":\"10\"}}", "true");
    T("s = :v", "{\":v\":{\"S\":\"hello\"}}", "true");
    T("b = :v", "{\":v\":{\"B\":\"hi there\"}}", "true");
    T("b = :v", "{\":v\":{\"S\":\"hi there\"}}", "false");
    T("t = :v", "{\":v\":{\"BOOL\":true}}", "true");
    T("t = :v", "{\":v\":{\"BOOL\":false}}", "false");
    T("z = :v", "{\":v\":{\"NULL\":true}}", "true");
    T("ss = :v", "{\":v\":{\"SS\":[\"b\",\"a\"]}}", "true");
    T("ns = :v", "{\":v\":{\"NS\":[\"2.50\",\"1\"]}}", "true");
    T("ns = :v", "{\":v\":{\"NS\":[\"1\"]}}", "false");
    T("bs = :v", "{\":v\":{\"BS\":[\"yz\",\"x\"]}}", "true");
    T("ss = :v", "{\":v\":{\"L\":[{\"S\":\"a\"},{\"S\":\"b\"}]}}", "false");
    T("l = :v", "{\":v\":{\"L\":[{\"N\":\"2\"},{\"S\":\"dog\"},{\"L\":[{\"N\":\"3.0\"}]}]}}", "true");
    T("l = :v", "{\":v\":{\"L\":[{\"S\":\"dog\"},{\"N\":\"2\"},{\"L\":[{\"N\":\"3\"}]}]}}", "false");
    T("m = :v", "{\":v\":{\"M\":{\"y\":{\"M\":{\"q\":{\"S\":\"deep\"}}},\"x\":{\"N\":\"1\"}}}}", "true");
    T("n = n2", NULL, "false");
    /* A missing attribute is never equal, even to another missing one; <> is then true. */
    T("q = :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("q = r", NULL, "false");
    T("q <> r", NULL, "true");
    T("q <> :v", "{\":v\":{\"N\":\"1\"}}", "true");
    T("n = m.x", NULL, "false");
    T("m.x = :v", "{\":v\":{\"N\":\"1\"}}", "true");
    T("m.y.q = :v", "{\":v\":{\"S\":\"deep\"}}", "true");
    T("l[2][0] = :v", "{\":v\":{\"N\":\"3\"}}", "true");
    T("l[1] = :v", "{\":v\":{\"S\":\"dog\"}}", "true");
    /* Paths through the wrong type or past the end have no value. */
    T("l[9] = :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("s.x = :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("m[0] = :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("l.x <> :v", "{\":v\":{\"N\":\"1\"}}", "true");
}

static void test_ordering(void)
{
    T("n < :v", "{\":v\":{\"N\":\"11\"}}", "true");
    T("n < :v", "{\":v\":{\"N\":\"9.99\"}}", "false");
    T("n <= :v", "{\":v\":{\"N\":\"10\"}}", "true");
    T("n > :v", "{\":v\":{\"N\":\"-100\"}}", "true");
    T("n >= :v", "{\":v\":{\"N\":\"1e1\"}}", "true");
    T("n > :v", "{\":v\":{\"N\":\"9\"}}", "true"); /* numerically, not as text */
    T("s < :v", "{\":v\":{\"S\":\"help\"}}", "true");
    T("s > :v", "{\":v\":{\"S\":\"Hello\"}}", "true"); /* bytes: 'h' > 'H' */
    T("b < :v", "{\":v\":{\"B\":\"hi therf\"}}", "true");
    T("u > :v", "{\":v\":{\"S\":\"z\"}}", "true"); /* UTF-8 bytes: 0xC3 > 'z' */
    /* Across types, or on unordered types from the item: false, not an error. */
    T("n < :v", "{\":v\":{\"S\":\"17\"}}", "false");
    T("l < :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T(":v < l", "{\":v\":{\"N\":\"1\"}}", "false");
    T("q < :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("q <= r", NULL, "false");
    T("t > :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("n BETWEEN :a AND :b", "{\":a\":{\"N\":\"10\"},\":b\":{\"N\":\"10\"}}", "true");
    T("n BETWEEN :a AND :b", "{\":a\":{\"N\":\"0\"},\":b\":{\"N\":\"9\"}}", "false");
    T("s BETWEEN :a AND :b", "{\":a\":{\"S\":\"aardvark\"},\":b\":{\"S\":\"zebra\"}}", "true");
    T("n BETWEEN :a AND :b", "{\":a\":{\"S\":\"0\"},\":b\":{\"S\":\"9\"}}", "false");
    T("q BETWEEN :a AND :b", "{\":a\":{\"N\":\"0\"},\":b\":{\"N\":\"9\"}}", "false");
    T("n BETWEEN m.x AND :b", "{\":b\":{\"N\":\"90\"}}", "true");
    T("n BETWEEN l AND :b", "{\":b\":{\"N\":\"90\"}}", "false");
}

static void test_in(void)
{
    T("n IN (:a, :b)", "{\":a\":{\"S\":\"dog\"},\":b\":{\"N\":\"10.0\"}}", "true");
    T("n IN (:a)", "{\":a\":{\"N\":\"11\"}}", "false");
    T("ss IN (:a)", "{\":a\":{\"SS\":[\"b\",\"a\"]}}", "true");
    T("q IN (:a)", "{\":a\":{\"N\":\"11\"}}", "false");
    T("n IN (m.x, l[0], :a)", "{\":a\":{\"N\":\"10\"}}", "true");
}

static void test_logic(void)
{
    const char *v = "{\":one\":{\"N\":\"1\"},\":ten\":{\"N\":\"10\"}}";
    T("n = :ten AND m.x = :one", v, "true");
    T("n = :one AND m.x = :one", v, "false");
    T("n = :one OR m.x = :one", v, "true");
    T("NOT n = :one", v, "true");
    T("NOT NOT NOT NOT n = :ten", v, "true");
    /* AND binds tighter than OR; NOT tighter than AND. */
    T("n = :ten OR n = :one AND n = :one", v, "true");
    T("(n = :ten OR n = :one) AND n = :one", v, "false");
    T("NOT n = :ten AND n = :one", v, "false");
    T("NOT (n = :one AND m.x = :ten)", v, "true");
    T("n BETWEEN :one AND :ten AND m.x = :one", v, "true");
}

static void test_functions(void)
{
    T("attribute_exists(n)", NULL, "true");
    T("attribute_exists(m.y.q)", NULL, "true");
    T("attribute_exists(m.y.r)", NULL, "false");
    T("attribute_exists(l[2][0])", NULL, "true");
    T("attribute_not_exists(q)", NULL, "true");
    T("attribute_not_exists(z)", NULL, "false");
    static const char *const types[][2] = {
        {"n", "N"}, {"s", "S"}, {"b", "B"},   {"t", "BOOL"}, {"z", "NULL"},
        {"l", "L"}, {"m", "M"}, {"ss", "SS"}, {"ns", "NS"},  {"bs", "BS"},
    };
    for (size_t i = 0; i < 10; i++) {
        const char *vals = arena_sprintf(A, "{\":t\":{\"S\":\"%s\"}}", types[i][1]);
        const char *wrong = arena_sprintf(A, "{\":t\":{\"S\":\"%s\"}}", types[(i + 1) % 10][1]);
        const char *expr = arena_sprintf(A, "attribute_type(%s, :t)", types[i][0]);
        char e1[64], v1[64], v2[64];
        snprintf(e1, sizeof e1, "%s", expr);
        snprintf(v1, sizeof v1, "%s", vals);
        snprintf(v2, sizeof v2, "%s", wrong);
        T(e1, v1, "true");
        T(e1, v2, "false");
    }
    T("attribute_type(q, :t)", "{\":t\":{\"S\":\"N\"}}", "false");
    T("begins_with(s, :v)", "{\":v\":{\"S\":\"hell\"}}", "true");
    T("begins_with(s, :v)", "{\":v\":{\"S\":\"hello!\"}}", "false");
    T("begins_with(s, :v)", "{\":v\":{\"S\":\"\"}}", "true");
    T("begins_with(b, :v)", "{\":v\":{\"B\":\"hi\"}}", "true");
    T("begins_with(b, :v)", "{\":v\":{\"S\":\"hi\"}}", "false");
    T("begins_with(n, :v)", "{\":v\":{\"S\":\"1\"}}", "false");
    T("begins_with(:v, s)", "{\":v\":{\"S\":\"hellohi\"}}", "true");
    T("begins_with(q, :v)", "{\":v\":{\"S\":\"x\"}}", "false");
    T("contains(s, :v)", "{\":v\":{\"S\":\"ell\"}}", "true");
    T("contains(s, :v)", "{\":v\":{\"S\":\"dog\"}}", "false");
    T("contains(b, :v)", "{\":v\":{\"B\":\"here\"}}", "true");
    T("contains(b, :v)", "{\":v\":{\"S\":\"here\"}}", "false");
    T("contains(ss, :v)", "{\":v\":{\"S\":\"b\"}}", "true");
    T("contains(ss, :v)", "{\":v\":{\"S\":\"c\"}}", "false");
    T("contains(ns, :v)", "{\":v\":{\"N\":\"2.50\"}}", "true");
    T("contains(ns, :v)", "{\":v\":{\"S\":\"1\"}}", "false");
    T("contains(bs, :v)", "{\":v\":{\"B\":\"yz\"}}", "true");
    T("contains(l, :v)", "{\":v\":{\"N\":\"2\"}}", "true");
    T("contains(l, :v)", "{\":v\":{\"L\":[{\"N\":\"3\"}]}}", "true");
    T("contains(l, :v)", "{\":v\":{\"S\":\"do\"}}", "false");
    T("contains(n, :v)", "{\":v\":{\"N\":\"1\"}}", "false");
    T("contains(m, :v)", "{\":v\":{\"S\":\"x\"}}", "false");
    T("contains(q, :v)", "{\":v\":{\"S\":\"x\"}}", "false");
    T("contains(s, e)", NULL, "true");
    const char *n5 = "{\":v\":{\"N\":\"5\"}}";
    T("size(s) = :v", n5, "true");
    T("size(u) = :v", "{\":v\":{\"N\":\"3\"}}", "true"); /* one BMP char + one astral = 3 UTF-16 units */
    T("size(b) = :v", "{\":v\":{\"N\":\"8\"}}", "true");
    T("size(l) = :v", "{\":v\":{\"N\":\"3\"}}", "true");
    T("size(m) = :v", "{\":v\":{\"N\":\"2\"}}", "true");
    T("size(ss) = :v", "{\":v\":{\"N\":\"2\"}}", "true");
    T("size(e) = :v", "{\":v\":{\"N\":\"0\"}}", "true");
    T("size(n) = :v", "{\":v\":{\"N\":\"1\"}}", "false");
    T("size(t) <> :v", "{\":v\":{\"N\":\"1\"}}", "true");
    T("size(q) = :v", "{\":v\":{\"N\":\"0\"}}", "false");
    T("size(s) = :v", "{\":v\":{\"S\":\"5\"}}", "false");
    T("size(s) < :v", "{\":v\":{\"N\":\"7\"}}", "true");
    T("size(s) > size(ss)", NULL, "true");
    T("size(m.y) = m.x", NULL, "true");
}

static void test_no_item(void)
{
    CHECK_STR(EVAL("attribute_not_exists(pk)", NULL, NULL, NULL), "true");
    CHECK_STR(EVAL("attribute_exists(pk)", NULL, NULL, NULL), "false");
    CHECK_STR(EVAL("a <> :v", NULL, "{\":v\":{\"N\":\"1\"}}", NULL), "true");
    CHECK_STR(EVAL("a = :v", NULL, "{\":v\":{\"N\":\"1\"}}", NULL), "false");
    CHECK_STR(EVAL("#k = :v", "{\"#k\":\"a.b\"}", "{\":v\":{\"N\":\"1\"}}", "{\"a.b\":{\"N\":\"1\"}}"),
              "true");
    CHECK_STR(EVAL("a.b = :v", NULL, "{\":v\":{\"N\":\"1\"}}", "{\"a.b\":{\"N\":\"1\"}}"), "false");
}

int main(void)
{
    t_reset();
    test_equality();
    test_ordering();
    test_in();
    test_logic();
    test_functions();
    test_no_item();
    arena_free(A);
    return check_done("expr/test_eval");
}
