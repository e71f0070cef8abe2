/*
 * test_update: applying updates: SET (values, copies, + and -, if_not_exists, list_append,
 * nested paths, list elements past the end), REMOVE (attributes, map members, list elements
 * with shifting and original positions), ADD (numbers, sets, creating attributes), DELETE
 * (from sets, emptied sets disappear), exact 38-digit arithmetic and its overflow messages,
 * DynamoDB's runtime errors in its order, key attributes, missing items, UPDATED_OLD/NEW views.
 */
#include "expr/tests/expr_test.h"

static const char *const TYPE = "ERR: An operand in the update expression has an incorrect data type";
static const char *const MISSING =
    "ERR: The provided expression refers to an attribute that does not exist in the item";
static const char *const BADPATH =
    "ERR: The document path provided in the update expression is invalid for update";
static const char *const OVER =
    "ERR: Number overflow. Attempting to store a number with magnitude larger than supported range";
static const char *const UNDER =
    "ERR: Number underflow. Attempting to store a number with magnitude smaller than supported range";

#define KEY "{\"p\":{\"S\":\"k\"}}"

static void test_set(void)
{
    CHECK_STR(UPD("SET b = :v", NULL, "{\":v\":{\"N\":\"4\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"b\":{\"N\":\"4\"}}");
    CHECK_STR(UPD("SET x = :v, y = :v", NULL, "{\":v\":{\"N\":\"4\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"x\":{\"N\":\"4\"},\"y\":{\"N\":\"4\"}}");
    const char *item = "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hi\"}}";
    CHECK_STR(UPD("set b = :v", NULL, "{\":v\":{\"S\":\"hello\"}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hi\"},\"b\":{\"S\":\"hello\"}}");
    CHECK_STR(UPD("SET a = :v", NULL, "{\":v\":{\"S\":\"hey\"}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hey\"}}");
    CHECK_STR(UPD("SET b = a", NULL, NULL, item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hi\"},\"b\":{\"S\":\"hi\"}}");
    CHECK_STR(UPD("SET c = z", NULL, NULL, item, KEY), MISSING);
    CHECK_STR(UPD("SET c = z", NULL, NULL, NULL, KEY), MISSING);
    /* Values are read before anything is written. */
    CHECK_STR(UPD("SET x = :v, y = x", NULL, "{\":v\":{\"N\":\"4\"}}", item, KEY), MISSING);
    CHECK_STR(UPD("SET a = a", NULL, NULL, item, KEY), "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hi\"}}");
    CHECK_STR(UPD("REMOVE a SET b = a", NULL, NULL, item, KEY), "{\"p\":{\"S\":\"k\"},\"b\":{\"S\":\"hi\"}}");
    /* The key attributes can be read; a new item starts from the key. */
    CHECK_STR(UPD("SET n = #p", "{\"#p\":\"p\"}", NULL, NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"n\":{\"S\":\"k\"}}");
    CHECK_STR(UPD("SET #a = :v", "{\"#a\":\"a.b\"}", "{\":v\":{\"N\":\"3\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"a.b\":{\"N\":\"3\"}}");
    /* Empty lists, maps and strings are values like any other. */
    CHECK_STR(UPD("SET d = :a, e = :b, f = :c", NULL,
                  "{\":a\":{\"L\":[]},\":b\":{\"M\":{}},\":c\":{\"S\":\"\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"d\":{\"L\":[]},\"e\":{\"M\":{}},\"f\":{\"S\":\"\"}}");
}

static void test_arithmetic(void)
{
    const char *item = "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"s\":{\"S\":\"x\"}}";
    CHECK_STR(UPD("SET a = a + :v", NULL, "{\":v\":{\"N\":\"3\"}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"5\"},\"s\":{\"S\":\"x\"}}");
    CHECK_STR(UPD("SET b = :v - a", NULL, "{\":v\":{\"N\":\"7\"}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"s\":{\"S\":\"x\"},\"b\":{\"N\":\"5\"}}");
    CHECK_STR(UPD("SET b = :x + :y", NULL,
                  "{\":x\":{\"N\":\"1\"},\":y\":{\"N\":\"10000000000000000000000\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"b\":{\"N\":\"10000000000000000000001\"}}");
    CHECK_STR(UPD("SET b = :x - :y", NULL, "{\":x\":{\"N\":\"0.1\"},\":y\":{\"N\":\"0.3\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"b\":{\"N\":\"-0.2\"}}");
    CHECK_STR(UPD("SET b = :x + :y", NULL,
                  "{\":x\":{\"N\":\"99999999999999999999999999999999999999\"},\":y\":{\"N\":\"1\"}}", NULL,
                  KEY),
              "{\"p\":{\"S\":\"k\"},\"b\":{\"N\":\"100000000000000000000000000000000000000\"}}");
    CHECK_STR(UPD("SET b = :x + :y", NULL, "{\":x\":{\"N\":\"1E50\"},\":y\":{\"N\":\"1\"}}", NULL, KEY),
              OVER);
    CHECK_STR(UPD("SET b = :x - :y", NULL, "{\":x\":{\"N\":\"1E50\"},\":y\":{\"N\":\"1\"}}", NULL, KEY),
              OVER);
    CHECK_STR(UPD("SET b = :x + :x", NULL, "{\":x\":{\"N\":\"9E125\"}}", NULL, KEY), OVER);
    CHECK_STR(
        UPD("SET b = :x - :y", NULL, "{\":x\":{\"N\":\"1E-130\"},\":y\":{\"N\":\"0.9E-130\"}}", NULL, KEY),
        UNDER);
    CHECK_STR(UPD("SET b = a + s", NULL, NULL, item, KEY), TYPE);
    CHECK_STR(UPD("SET b = s - a", NULL, NULL, item, KEY), TYPE);
    CHECK_STR(UPD("SET b = a + q", NULL, NULL, item, KEY), MISSING);
    /* A type error is reported before a missing attribute elsewhere. */
    CHECK_STR(UPD("SET c = q, b = a + s", NULL, NULL, item, KEY), TYPE);
    CHECK_STR(UPD("SET b = if_not_exists(b, :z) + :v", NULL, "{\":z\":{\"N\":\"2\"},\":v\":{\"N\":\"3\"}}",
                  NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"b\":{\"N\":\"5\"}}");
}

static void test_functions(void)
{
    const char *item = "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"l\":{\"L\":[{\"S\":\"hi\"}]}}";
    CHECK_STR(UPD("SET a = if_not_exists(a, :v)", NULL, "{\":v\":{\"N\":\"9\"}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"l\":{\"L\":[{\"S\":\"hi\"}]}}");
    CHECK_STR(UPD("SET b = if_not_exists(c, :v)", NULL, "{\":v\":{\"N\":\"9\"}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"l\":{\"L\":[{\"S\":\"hi\"}]},\"b\":{\"N\":\"9\"}}");
    CHECK_STR(UPD("SET b = if_not_exists(c, z)", NULL, NULL, item, KEY), MISSING);
    CHECK_STR(UPD("SET l = list_append(l, :v)", NULL, "{\":v\":{\"L\":[{\"N\":\"4\"}]}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"l\":{\"L\":[{\"S\":\"hi\"},{\"N\":\"4\"}]}}");
    CHECK_STR(UPD("SET l = list_append(:v, l)", NULL, "{\":v\":{\"L\":[{\"N\":\"4\"}]}}", item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"l\":{\"L\":[{\"N\":\"4\"},{\"S\":\"hi\"}]}}");
    CHECK_STR(UPD("SET c = list_append(l, l)", NULL, NULL, item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"N\":\"2\"},\"l\":{\"L\":[{\"S\":\"hi\"}]},\"c\":{\"L\":[{\"S\":"
              "\"hi\"},{\"S\":\"hi\"}]}}");
    CHECK_STR(UPD("SET c = list_append(b, :v)", NULL, "{\":v\":{\"L\":[]}}", item, KEY), MISSING);
    CHECK_STR(UPD("SET c = list_append(a, :v)", NULL, "{\":v\":{\"L\":[]}}", item, KEY), TYPE);
    CHECK_STR(UPD("SET c = list_append(:v, a)", NULL, "{\":v\":{\"L\":[]}}", item, KEY), TYPE);
    CHECK_STR(UPD("SET l = list_append(if_not_exists(l, :e), :v)", NULL,
                  "{\":e\":{\"L\":[]},\":v\":{\"L\":[{\"N\":\"1\"}]}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"l\":{\"L\":[{\"N\":\"1\"}]}}");
}

static void test_remove(void)
{
    const char *item = "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hello\"},\"b\":{\"S\":\"hi\"}}";
    CHECK_STR(UPD("REMOVE a", NULL, NULL, item, KEY), "{\"p\":{\"S\":\"k\"},\"b\":{\"S\":\"hi\"}}");
    CHECK_STR(UPD("REMOVE c", NULL, NULL, item, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"S\":\"hello\"},\"b\":{\"S\":\"hi\"}}");
    const char *nested =
        "{\"p\":{\"S\":\"k\"},\"a\":{\"M\":{\"b\":{\"N\":\"3\"},\"c\":{\"L\":[{\"S\":\"hi\"},"
        "{\"M\":{\"x\":{\"M\":{\"y\":{\"L\":[{\"N\":\"3\"},{\"N\":\"5\"},{\"N\":\"7\"}]}}},\"q\":{\"N\":"
        "\"2\"}}}]}}}}";
    CHECK_STR(UPD("REMOVE a.c[1].x.y[1], a.c[1].q", NULL, NULL, nested, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"M\":{\"b\":{\"N\":\"3\"},\"c\":{\"L\":[{\"S\":\"hi\"},{\"M\":{"
              "\"x\":{\"M\":"
              "{\"y\":{\"L\":[{\"N\":\"3\"},{\"N\":\"7\"}]}}}}}]}}}}");
    const char *list =
        "{\"p\":{\"S\":\"k\"},\"a\":{\"L\":[{\"N\":\"2\"},{\"N\":\"3\"},{\"N\":\"4\"},{\"N\":\"5\"},"
        "{\"N\":\"6\"},{\"N\":\"7\"}]}}";
    const char *want =
        "{\"p\":{\"S\":\"k\"},\"a\":{\"L\":[{\"N\":\"2\"},{\"N\":\"4\"},{\"N\":\"17\"},{\"N\":\"6\"},"
        "{\"N\":\"7\"}]}}";
    CHECK_STR(UPD("REMOVE a[1] SET a[3] = :v", NULL, "{\":v\":{\"N\":\"17\"}}", list, KEY), want);
    CHECK_STR(UPD("SET a[3] = :v REMOVE a[1]", NULL, "{\":v\":{\"N\":\"17\"}}", list, KEY), want);
    CHECK_STR(UPD("REMOVE a[17]", NULL, NULL, list, KEY), SHOW_MAP(ITEM(list)));
    CHECK_STR(UPD("REMOVE a[5], a[0], a[2]", NULL, NULL, list, KEY),
              "{\"p\":{\"S\":\"k\"},\"a\":{\"L\":[{\"N\":\"3\"},{\"N\":\"5\"},{\"N\":\"6\"}]}}");
    CHECK_STR(UPD("REMOVE a[0]", NULL, NULL, "{\"a\":{\"L\":[{\"N\":\"1\"}]}}", NULL), "{\"a\":{\"L\":[]}}");
    CHECK_STR(UPD("REMOVE a.b", NULL, NULL, "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}", NULL),
              "{\"a\":{\"M\":{}}}");
    /* Nested lists: positions are the original ones at every level. */
    CHECK_STR(
        UPD("REMOVE a[0], a[1][0]", NULL, NULL,
            "{\"a\":{\"L\":[{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]},{\"L\":[{\"N\":\"3\"},{\"N\":\"4\"}]}]}}",
            NULL),
        "{\"a\":{\"L\":[{\"L\":[{\"N\":\"4\"}]}]}}");
    /* A missing leaf under an existing parent is fine. */
    CHECK_STR(UPD("REMOVE a.y", NULL, NULL, "{\"a\":{\"M\":{\"x\":{\"N\":\"3\"}}},\"b\":{\"L\":[]}}", NULL),
              "{\"a\":{\"M\":{\"x\":{\"N\":\"3\"}}},\"b\":{\"L\":[]}}");
    /* No item and only removals: nothing is written. */
    CHECK_STR(UPD("REMOVE x.y", NULL, NULL, NULL, KEY), "NONE");
    CHECK_STR(UPD("REMOVE x[0], y", NULL, NULL, NULL, KEY), "NONE");
    CHECK_STR(UPD("DELETE s :s", NULL, "{\":s\":{\"SS\":[\"a\"]}}", NULL, KEY), "NONE");
}

static void test_list_append_past_end(void)
{
    const char *item = "{\"a\":{\"L\":[{\"S\":\"one\"},{\"S\":\"two\"},{\"S\":\"three\"}]}}";
    CHECK_STR(UPD("SET a[7] = :v", NULL, "{\":v\":{\"S\":\"hello\"}}", item, NULL),
              "{\"a\":{\"L\":[{\"S\":\"one\"},{\"S\":\"two\"},{\"S\":\"three\"},{\"S\":\"hello\"}]}}");
    CHECK_STR(
        UPD("SET a[84] = :a, a[37] = :b, a[17] = :c, a[50] = :d", NULL,
            "{\":a\":{\"S\":\"a1\"},\":b\":{\"S\":\"a2\"},\":c\":{\"S\":\"a3\"},\":d\":{\"S\":\"a4\"}}", item,
            NULL),
        "{\"a\":{\"L\":[{\"S\":\"one\"},{\"S\":\"two\"},{\"S\":\"three\"},{\"S\":\"a3\"},{\"S\":\"a2\"},"
        "{\"S\":\"a4\"},{\"S\":\"a1\"}]}}");
    CHECK_STR(UPD("SET a[1] = :v", NULL, "{\":v\":{\"S\":\"hello\"}}", item, NULL),
              "{\"a\":{\"L\":[{\"S\":\"one\"},{\"S\":\"hello\"},{\"S\":\"three\"}]}}");
    CHECK_STR(UPD("SET a[0] = :v", NULL, "{\":v\":{\"S\":\"first\"}}", "{\"a\":{\"L\":[]}}", NULL),
              "{\"a\":{\"L\":[{\"S\":\"first\"}]}}");
    /* Removal and append in one update: removals use original positions, appends go last. */
    CHECK_STR(UPD("REMOVE a[0] SET a[9] = :v", NULL, "{\":v\":{\"S\":\"x\"}}", item, NULL),
              "{\"a\":{\"L\":[{\"S\":\"two\"},{\"S\":\"three\"},{\"S\":\"x\"}]}}");
}

static void test_nested_dynalite(void)
{
    /* The example DynamoDB's behaviour was recorded with (dynalite's test suite). */
    const char *item =
        "{\"a\":{\"S\":\"K\"},\"b\":{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"2\"},\"c\":{\"N\":\"3\"}}},"
        "\"c\":{\"L\":[{\"N\":\"1\"},{\"N\":\"3\"}]}}";
    const char *expr =
        "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a";
    const char *vals = "{\":a\":{\"N\":\"2\"},\":b\":{\"SS\":[\"a\"]}}";
    CHECK_STR(
        UPD(expr, NULL, vals, item, NULL),
        "{\"a\":{\"S\":\"K\"},\"b\":{\"M\":{\"a\":{\"S\":\"K\"},\"b\":{\"N\":\"2\"},\"c\":{\"N\":\"4\"}}},"
        "\"c\":{\"L\":[{\"N\":\"1\"},{\"S\":\"K\"},{\"N\":\"3\"},{\"N\":\"-1\"},{\"N\":\"2\"},{\"SS\":[\"a\"]"
        "}]}}");
    /* UPDATED_NEW / UPDATED_OLD: the update's paths projected onto the new / old item. */
    t_reset();
    expr_ctx_t *c = CTX(NULL, vals);
    expr_update_t *u;
    CHECK_INT(expr_update_parse(c, expr, strlen(expr), &u), DDB_OK);
    av_map_t *old = ITEM(item);
    expr_update_result_t res;
    CHECK_INT(expr_update_apply(u, old, NULL, A, &E, &res), DDB_OK);
    CHECK_STR(SHOW_MAP(expr_update_project(u, res.item, A)),
              "{\"b\":{\"M\":{\"c\":{\"N\":\"4\"},\"a\":{\"S\":\"K\"}}},\"c\":{\"L\":[{\"S\":\"K\"},{\"N\":"
              "\"3\"},{\"N\":\"2\"}]}}");
    CHECK_STR(SHOW_MAP(expr_update_project(u, old, A)),
              "{\"b\":{\"M\":{\"c\":{\"N\":\"3\"},\"a\":{\"N\":\"1\"}}},\"c\":{\"L\":[{\"N\":\"3\"}]}}");
    ddb_str_t *names;
    CHECK_INT(expr_update_top_names(u, A, &names), 2);
    CHECK(ddb_str_eq(names[0], "b") && ddb_str_eq(names[1], "c"));
}

static void test_add_delete(void)
{
    const char *item = "{\"a\":{\"N\":\"3\"},\"b\":{\"S\":\"hi\"},\"s\":{\"SS\":[\"dog\",\"cat\",\"mouse\"]},"
                       "\"l\":{\"L\":[{\"N\":\"1\"}]}}";
    CHECK_STR(UPD("ADD a :v", NULL, "{\":v\":{\"N\":\"4\"}}", item, NULL),
              "{\"a\":{\"N\":\"7\"},\"b\":{\"S\":\"hi\"},\"s\":{\"SS\":[\"dog\",\"cat\",\"mouse\"]},\"l\":{"
              "\"L\":[{\"N\":\"1\"}]}}");
    CHECK_STR(UPD("ADD b :v", NULL, "{\":v\":{\"N\":\"1\"}}", item, NULL), TYPE);
    CHECK_STR(UPD("ADD n :v", NULL, "{\":v\":{\"N\":\"8\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"n\":{\"N\":\"8\"}}");
    CHECK_STR(UPD("ADD s :v", NULL, "{\":v\":{\"SS\":[\"pig\",\"cat\"]}}", item, NULL),
              "{\"a\":{\"N\":\"3\"},\"b\":{\"S\":\"hi\"},\"s\":{\"SS\":[\"dog\",\"cat\",\"mouse\",\"pig\"]},"
              "\"l\":{\"L\":[{\"N\":\"1\"}]}}");
    CHECK_STR(UPD("ADD n :v", NULL, "{\":v\":{\"SS\":[\"dog\"]}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"n\":{\"SS\":[\"dog\"]}}");
    CHECK_STR(UPD("ADD s :v", NULL, "{\":v\":{\"NS\":[\"1\"]}}", item, NULL), TYPE);
    CHECK_STR(UPD("ADD a :v", NULL, "{\":v\":{\"NS\":[\"1\"]}}", item, NULL), TYPE);
    CHECK_STR(UPD("ADD l :v", NULL, "{\":v\":{\"SS\":[\"1\"]}}", item, NULL), TYPE);
    CHECK_STR(
        UPD("ADD a :v", NULL, "{\":v\":{\"N\":\"9.9999999999999999999999999999999999999E125\"}}", item, NULL),
        OVER);
    CHECK_STR(
        UPD("DELETE s :v", NULL, "{\":v\":{\"SS\":[\"cat\",\"mouse\",\"pig\"]}}", item, NULL),
        "{\"a\":{\"N\":\"3\"},\"b\":{\"S\":\"hi\"},\"s\":{\"SS\":[\"dog\"]},\"l\":{\"L\":[{\"N\":\"1\"}]}}");
    CHECK_STR(UPD("DELETE s :v", NULL, "{\":v\":{\"SS\":[\"cat\",\"mouse\",\"dog\"]}}", item, NULL),
              "{\"a\":{\"N\":\"3\"},\"b\":{\"S\":\"hi\"},\"l\":{\"L\":[{\"N\":\"1\"}]}}");
    CHECK_STR(UPD("DELETE q :v", NULL, "{\":v\":{\"SS\":[\"cat\"]}}", item, NULL), SHOW_MAP(ITEM(item)));
    CHECK_STR(UPD("DELETE s :v", NULL, "{\":v\":{\"NS\":[\"1\"]}}", item, NULL), TYPE);
    CHECK_STR(UPD("DELETE a :v", NULL, "{\":v\":{\"NS\":[\"3\"]}}", item, NULL), TYPE);
    CHECK_STR(UPD("DELETE s :v ADD n :n", NULL, "{\":v\":{\"SS\":[\"x\"]},\":n\":{\"N\":\"1\"}}", NULL, KEY),
              "{\"p\":{\"S\":\"k\"},\"n\":{\"N\":\"1\"}}");
    const char *ns = "{\"n\":{\"NS\":[\"1\",\"2.5\"]}}";
    CHECK_STR(UPD("DELETE n :v", NULL, "{\":v\":{\"NS\":[\"2.50\"]}}", ns, NULL), "{\"n\":{\"NS\":[\"1\"]}}");
    CHECK_STR(UPD("ADD n :v", NULL, "{\":v\":{\"NS\":[\"1.0\",\"3\"]}}", ns, NULL),
              "{\"n\":{\"NS\":[\"1\",\"2.5\",\"3\"]}}");
}

static void test_bad_paths(void)
{
    const char *item = "{\"a\":{\"S\":\"hello\"},\"b\":{\"L\":[{\"S\":\"hi\"}]},\"m\":{\"M\":{}}}";
    const char *v = "{\":v\":{\"N\":\"7\"}}";
    CHECK_STR(UPD("SET a.c = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET b.c = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET c.c = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("REMOVE a.c", NULL, NULL, item, NULL), BADPATH);
    CHECK_STR(UPD("REMOVE c.c", NULL, NULL, item, NULL), BADPATH);
    CHECK_STR(UPD("SET a[0] = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET m[0] = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET c[0] = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("REMOVE a[0]", NULL, NULL, item, NULL), BADPATH);
    CHECK_STR(UPD("SET c.c = :v", NULL, v, NULL, KEY), BADPATH);
    CHECK_STR(UPD("SET b[1] = :v", NULL, v, NULL, KEY), BADPATH);
    CHECK_STR(UPD("ADD m.x.y :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET m.x = :v", NULL, v, item, NULL),
              "{\"a\":{\"S\":\"hello\"},\"b\":{\"L\":[{\"S\":\"hi\"}]},\"m\":{\"M\":{\"x\":{\"N\":\"7\"}}}}");
    /* Order: a wrong-type parent first, then types, then missing parents, then missing reads. */
    CHECK_STR(UPD("SET c.c = :v, d = a + :v", NULL, v, item, NULL), TYPE);
    CHECK_STR(UPD("SET x = q, a.c = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET x = q, c.c = :v", NULL, v, item, NULL), BADPATH);
    CHECK_STR(UPD("SET x = q REMOVE c.c", NULL, NULL, item, NULL), BADPATH);
    CHECK_STR(UPD("REMOVE c.c SET x = q", NULL, NULL, item, NULL), MISSING);
}

static void test_keys(void)
{
    t_reset();
    expr_ctx_t *c = CTX(NULL, "{\":v\":{\"N\":\"1\"}}");
    expr_update_t *u;
    const char *e = "REMOVE d SET b = :v, a.x = :v";
    CHECK_INT(expr_update_parse(c, e, strlen(e), &u), DDB_OK);
    CHECK_INT(expr_update_check_keys(u, "pk", "sk", &E), DDB_OK);
    CHECK_INT(expr_update_check_keys(u, "a", NULL, &E), DDB_ERR_VALIDATION);
    CHECK_STR(
        E.msg,
        "One or more parameter values were invalid: Cannot update attribute a. This attribute is part of "
        "the key");
    t_reset();
    c = CTX(NULL, NULL);
    e = "SET x = a.b + a[1]";
    CHECK_INT(expr_update_parse(c, e, strlen(e), &u), DDB_OK);
    CHECK_INT(expr_update_check_key_paths(u, "a", NULL, &E), DDB_ERR_VALIDATION);
    CHECK_STR(
        E.msg,
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: a");
}

int main(void)
{
    t_reset();
    test_set();
    test_arithmetic();
    test_functions();
    test_remove();
    test_list_append_past_end();
    test_nested_dynalite();
    test_add_delete();
    test_bad_paths();
    test_keys();
    arena_free(A);
    return check_done("expr/test_update");
}
