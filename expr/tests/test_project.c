/*
 * test_project: ProjectionExpression applied to items: top-level and nested map members, list
 * elements kept in index order, paths through missing or wrong-typed values contributing
 * nothing, #names (including names with dots), and the top-level names a projection reads.
 */
#include "expr/tests/expr_test.h"

static const char *const ITEM1 =
    "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"},\"c\":{\"N\":\"2\"},\"d\":{\"L\":[{\"M\":{\"e\":"
    "{\"S\":\"x\"},\"f\":{\"S\":\"y\"}}},{\"N\":\"9\"},{\"M\":{\"e\":{\"S\":\"z\"}}}]}}},"
    "\"letters\":{\"L\":[{\"S\":\"x\"},{\"S\":\"y\"},{\"S\":\"z\"}]},\"alt\":{\"S\":\"o\"},"
    "\"dot.ted\":{\"N\":\"5\"}}";

static void test_projection(void)
{
    CHECK_STR(PROJ("alt", NULL, ITEM1), "{\"alt\":{\"S\":\"o\"}}");
    CHECK_STR(PROJ("a.c, letters[2], letters[0], #o", "{\"#o\":\"alt\"}", ITEM1),
              "{\"a\":{\"M\":{\"c\":{\"N\":\"2\"}}},\"letters\":{\"L\":[{\"S\":\"x\"},{\"S\":\"z\"}]},"
              "\"alt\":{\"S\":\"o\"}}");
    CHECK_STR(PROJ("a.d[0].e, a.d[2].e, a.d[1]", NULL, ITEM1),
              "{\"a\":{\"M\":{\"d\":{\"L\":[{\"M\":{\"e\":{\"S\":\"x\"}}},{\"N\":\"9\"},{\"M\":{\"e\":{\"S\":"
              "\"z\"}}}]}}}}");
    CHECK_STR(PROJ("a.d[1].e", NULL, ITEM1), "{}");
    CHECK_STR(PROJ("a.d[5], nope, alt.x, letters.x", NULL, ITEM1), "{}");
    CHECK_STR(PROJ("a.b, a.zz", NULL, ITEM1), "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}}}");
    CHECK_STR(PROJ("#d", "{\"#d\":\"dot.ted\"}", ITEM1), "{\"dot.ted\":{\"N\":\"5\"}}");
    CHECK_STR(PROJ("a", NULL, "{}"), "{}");
    t_reset();
    expr_ctx_t *c = CTX(NULL, NULL);
    expr_proj_t *p;
    CHECK_INT(expr_projection_parse(c, "a.b, alt, a.c, x[1]", 19, &p), DDB_OK);
    ddb_str_t *names;
    CHECK_INT(expr_projection_top_names(p, A, &names), 3);
    CHECK(ddb_str_eq(names[0], "a") && ddb_str_eq(names[1], "alt") && ddb_str_eq(names[2], "x"));
    CHECK_STR(SHOW_MAP(expr_projection_apply(p, NULL, A)), "{}");
    CHECK_INT(expr_proj_check_key_paths(p, "pk", "a", &E), DDB_ERR_VALIDATION);
    CHECK_STR(
        E.msg,
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: a");
}

static void test_filter_keys(void)
{
    t_reset();
    expr_ctx_t *c = CTX(NULL, "{\":v\":{\"S\":\"x\"}}");
    expr_cond_t *cond;
    CHECK_INT(expr_condition_parse(c, EXPR_FILTER, "b = :v OR sk = :v", 17, &cond), DDB_OK);
    CHECK_INT(expr_filter_check_keys(cond, "pk", NULL, "Filter Expression", &E), DDB_OK);
    CHECK_INT(expr_cond_check_key_paths(cond, "pk", "sk", &E), DDB_OK);
    CHECK_INT(expr_filter_check_keys(cond, "pk", "sk", "Filter Expression", &E), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg,
              "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk");
}

int main(void)
{
    test_projection();
    test_filter_keys();
    arena_free(A);
    return check_done("expr/test_project");
}
