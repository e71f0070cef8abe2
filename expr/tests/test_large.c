/*
 * test_large: behaviour of the paths that had to become linear in the request size (timing is
 * bench/worstcase.py's business; these check results and messages):
 * - ExpressionAttributeNames / Values of 100 k keys: the last key resolves, unused keys are still
 *   reported, a key given twice means its last value;
 * - AttributesToGet of 100 k names projects every one; the first repeated name is reported;
 * - projections with more than a few names (the member walk), overlap checks on big projections;
 * - QueryFilter / Expected of 100 k conditions (one flat AND / OR) evaluate right;
 * - AttributeUpdates of 100 k PUTs / DELETEs keep member order; DELETE then PUT appends;
 * - ADD / DELETE of big sets (numbers by value);
 * - a list write plus a new top-level attribute in one update (map writes first).
 */
#include <stdio.h>

#include "expr/tests/expr_test.h"

enum { BIG = 100000 };

static ddb_str_t nm(const char *fmt, size_t i)
{
    char *s = arena_sprintf(A, fmt, i);
    return (ddb_str_t){s, strlen(s)};
}

/* An item {"p":"k", a0..a<n-1>: N i}. */
static av_map_t *big_item(size_t n)
{
    av_map_t *m = ARENA_NEW(A, av_map_t);
    m->kvs = ARENA_NEWN(A, av_kv_t, n + 1);
    m->kvs[0] = (av_kv_t){DDB_STR("p"), {.type = AV_S, .s = DDB_STR("k")}};
    for (size_t i = 0; i < n; i++) {
        av_kv_t *kv = &m->kvs[i + 1];
        kv->name = nm("a%zu", i);
        kv->val.type = AV_N;
        kv->val.s = nm("%zu", i);
    }
    m->n = n + 1;
    return m;
}

static void test_names_values(void)
{
    t_reset();
    expr_ctx_t *c = expr_ctx_new(A, &E);
    ddb_str_t *k = ARENA_NEWN(A, ddb_str_t, BIG + 1), *v = ARENA_NEWN(A, ddb_str_t, BIG + 1);
    for (size_t i = 0; i < BIG; i++) {
        k[i] = nm("#n%zu", i);
        v[i] = nm("a%zu", i);
    }
    k[BIG] = DDB_STR("#n7"); /* given twice: the last value wins */
    v[BIG] = DDB_STR("a99999");
    CHECK_INT(expr_ctx_set_names(c, BIG + 1, k, v), DDB_OK);
    ddb_str_t *vk = ARENA_NEWN(A, ddb_str_t, BIG);
    av_t *vv = ARENA_NEWN(A, av_t, BIG);
    for (size_t i = 0; i < BIG; i++) {
        vk[i] = nm(":v%zu", i);
        vv[i] = (av_t){.type = AV_N, .s = nm("%zu", i)};
    }
    CHECK_INT(expr_ctx_set_values(c, BIG, vk, vv), DDB_OK);
    expr_cond_t *cond;
    const char *e = "#n99999 = :v99999 AND #n7 = :v99999";
    CHECK_INT(expr_condition_parse(c, EXPR_CONDITION, e, strlen(e), &cond), DDB_OK);
    CHECK(expr_condition_eval(cond, big_item(BIG)));
    const char *bad = "#n100000 = :v1";
    CHECK_INT(expr_condition_parse(c, EXPR_CONDITION, bad, strlen(bad), &cond), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Invalid ConditionExpression: An expression attribute name used in the document path is "
                     "not defined; attribute name: #n100000");
    err_clear(&E);
    CHECK_INT(expr_ctx_check_unused(c), DDB_ERR_VALIDATION);
    CHECK(!strncmp(E.msg, "Value provided in ExpressionAttributeNames unused in expressions: keys: {", 72));
    CHECK(strstr(E.msg, "#n99999") == NULL && strstr(E.msg, "#n7,") == NULL && strstr(E.msg, "#n8") != NULL);

    /* a repeated key counts once: using it is enough */
    CHECK_STR(COND("#a = :v", "{\"#a\":\"x\",\"#a\":\"y\"}", "{\":v\":{\"N\":\"1\"},\":v\":{\"N\":\"2\"}}"),
              "OK");
    CHECK_STR(EVAL("#a = :v", "{\"#a\":\"x\",\"#a\":\"y\"}", "{\":v\":{\"N\":\"1\"},\":v\":{\"N\":\"2\"}}",
                   "{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}"),
              "true");
    CHECK_STR(EVAL("#a = :v", "{\"#a\":\"y\",\"#a\":\"x\"}", "{\":v\":{\"N\":\"2\"}}",
                   "{\"x\":{\"N\":\"1\"},\"y\":{\"N\":\"2\"}}"),
              "false");
}

static void test_attributes_to_get(void)
{
    t_reset();
    ddb_str_t *names = ARENA_NEWN(A, ddb_str_t, BIG + 2);
    for (size_t i = 0; i < BIG; i++) names[i] = nm("a%zu", BIG - 1 - i); /* reverse order */
    names[BIG] = DDB_STR("nope");
    expr_proj_t *p;
    CHECK_INT(expr_legacy_attributes_to_get(A, &E, BIG + 1, names, &p), DDB_OK);
    av_map_t *item = big_item(BIG);
    av_map_t *out = expr_projection_apply(p, item, A);
    CHECK_INT(out->n, BIG);
    size_t wrong = 0;
    for (size_t i = 0; i < BIG; i++) {
        const av_t *v = av_map_get(out, item->kvs[i + 1].name.ptr, item->kvs[i + 1].name.len);
        if (!v || !av_equal(v, &item->kvs[i + 1].val)) wrong++;
    }
    CHECK_INT(wrong, 0);
    CHECK(av_map_get(out, "p", 1) == NULL);
    /* twice: the first name that repeats an earlier one is reported */
    names[BIG] = names[BIG / 2];
    names[BIG + 1] = names[3];
    CHECK_INT(expr_legacy_attributes_to_get(A, &E, BIG + 2, names, &p), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "One or more parameter values were invalid: Duplicate value in attribute name: a49999");
}

static void test_projection_many(void)
{
    const char *item =
        "{\"p\":{\"S\":\"k\"},\"m\":{\"M\":{\"b0\":{\"N\":\"0\"},\"b1\":{\"N\":\"1\"},\"b2\":"
        "{\"N\":\"2\"},\"b3\":{\"N\":\"3\"},\"b4\":{\"N\":\"4\"},\"b5\":{\"N\":\"5\"},\"b6\":{\"N\":"
        "\"6\"},\"b7\":{\"N\":\"7\"},\"b8\":{\"N\":\"8\"},\"b9\":{\"N\":\"9\"}}},\"q\":{\"N\":\"1\"}}";
    /* ten members of m (more than the scan threshold): they come out in the item's order */
    CHECK_STR(
        PROJ("m.b9, m.b8, m.b7, m.b6, m.b5, m.b4, m.b3, m.b2, m.b1, m.zz, q", NULL, item),
        "{\"m\":{\"M\":{\"b1\":{\"N\":\"1\"},\"b2\":{\"N\":\"2\"},\"b3\":{\"N\":\"3\"},\"b4\":{\"N\":\"4\"},"
        "\"b5\":{\"N\":\"5\"},\"b6\":{\"N\":\"6\"},\"b7\":{\"N\":\"7\"},\"b8\":{\"N\":\"8\"},\"b9\":{\"N\":"
        "\"9\"}}},\"q\":{\"N\":\"1\"}}");
    /* a 4 KB projection of distinct names passes; the same path at its end overlaps */
    buf_t b;
    t_reset();
    buf_init(&b, A, 4096);
    size_t n = 0;
    while (b.len < 4000) {
        buf_printf(&b, "%sx%zu", n ? "," : "", n);
        n++;
    }
    static char ok[4200], dup[4300]; /* outside A: PROJ resets it */
    snprintf(ok, sizeof ok, "%s", b.data);
    CHECK_STR(PROJ(ok, NULL, "{\"x1\":{\"N\":\"1\"}}"), "{\"x1\":{\"N\":\"1\"}}");
    snprintf(dup, sizeof dup, "%s,x3", ok);
    CHECK_STR(PROJ(dup, NULL, "{}"),
              "ERR: Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
              "rewrite one of these paths; path one: [x3], path two: [x3]");
    snprintf(dup, sizeof dup, "%s,x5.y", ok);
    CHECK_STR(PROJ(dup, NULL, "{}"),
              "ERR: Invalid ProjectionExpression: Two document paths overlap with each other; must remove or "
              "rewrite one of these paths; path one: [x5], path two: [x5, y]");
    CHECK_STR(
        PROJ("a.b, a[1]", NULL, "{}"),
        "ERR: Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
        "rewrite one of these paths; path one: [a, b], path two: [a, [1]]");
}

static void test_big_conditions(void)
{
    t_reset();
    av_map_t *item = big_item(BIG);
    expr_filter_t *f = ARENA_NEWN(A, expr_filter_t, BIG + 1);
    for (size_t i = 0; i < BIG; i++) f[i] = (expr_filter_t){nm("a%zu", i), EXPR_CMP_NOT_NULL, 0, NULL};
    expr_cond_t *c;
    CHECK_INT(expr_legacy_filter(A, &E, BIG, f, false, &c), DDB_OK);
    CHECK(expr_condition_eval(c, item));
    f[BIG] = (expr_filter_t){DDB_STR("zz"), EXPR_CMP_NOT_NULL, 0, NULL}; /* one false at the end */
    CHECK_INT(expr_legacy_filter(A, &E, BIG + 1, f, false, &c), DDB_OK);
    CHECK(!expr_condition_eval(c, item));
    CHECK_INT(expr_legacy_filter(A, &E, BIG + 1, f, true, &c), DDB_OK); /* OR */
    CHECK(expr_condition_eval(c, item));
    for (size_t i = 0; i < BIG; i++) f[i].op = EXPR_CMP_NULL;
    CHECK_INT(expr_legacy_filter(A, &E, BIG, f, true, &c), DDB_OK);
    CHECK(!expr_condition_eval(c, item));
    CHECK_INT(expr_filter_check_keys(c, "p", NULL, "QueryFilter", &E), DDB_OK);

    expr_expected_t *e = ARENA_NEWN(A, expr_expected_t, BIG);
    av_t *vals = ARENA_NEWN(A, av_t, BIG);
    for (size_t i = 0; i < BIG; i++) {
        vals[i] = (av_t){.type = AV_N, .s = nm("%zu.0", i)}; /* equal by value */
        e[i] = (expr_expected_t){.attr = nm("a%zu", i), .value = &vals[i]};
    }
    CHECK_INT(expr_legacy_expected(A, &E, BIG, e, false, &c), DDB_OK);
    CHECK(expr_condition_eval(c, item));
    vals[BIG - 1].s = DDB_STR("1");
    CHECK(!expr_condition_eval(c, item));
}

static void test_big_attribute_updates(void)
{
    t_reset();
    expr_attr_update_t *u = ARENA_NEWN(A, expr_attr_update_t, BIG + 2);
    av_t one = {.type = AV_N, .s = DDB_STR("1")};
    for (size_t i = 0; i < BIG; i++) u[i] = (expr_attr_update_t){nm("b%zu", i), EXPR_AU_PUT, &one};
    expr_update_t *up;
    CHECK_INT(expr_legacy_attribute_updates(A, &E, BIG, u, &up), DDB_OK);
    expr_update_result_t res;
    av_map_t *key = ITEM("{\"p\":{\"S\":\"k\"}}");
    CHECK_INT(expr_update_apply(up, NULL, key, A, &E, &res), DDB_OK);
    CHECK_INT(res.item->n, BIG + 1);
    size_t wrong = 0;
    for (size_t i = 0; i < BIG; i++)
        if (!ddb_str_eq(res.item->kvs[i + 1].name, arena_sprintf(A, "b%zu", i))) wrong++;
    CHECK_INT(wrong, 0);

    /* on an item of 100 k attributes: remove the even ones, put a new one, remove then put one */
    av_map_t *item = big_item(BIG);
    size_t n = 0;
    for (size_t i = 0; i < BIG; i += 2) u[n++] = (expr_attr_update_t){nm("a%zu", i), EXPR_AU_DELETE, NULL};
    u[n++] = (expr_attr_update_t){DDB_STR("new"), EXPR_AU_PUT, &one};
    u[n++] = (expr_attr_update_t){DDB_STR("a1"), EXPR_AU_DELETE, NULL};
    u[n++] = (expr_attr_update_t){DDB_STR("a1"), EXPR_AU_PUT, &one};
    CHECK_INT(expr_legacy_attribute_updates(A, &E, n, u, &up), DDB_OK);
    CHECK_INT(expr_update_apply(up, item, key, A, &E, &res), DDB_OK);
    av_map_t *m = res.item;
    CHECK_INT(m->n, 1 + BIG / 2 + 1);
    CHECK(ddb_str_eq(m->kvs[0].name, "p") && ddb_str_eq(m->kvs[1].name, "a3") &&
          ddb_str_eq(m->kvs[2].name, "a5"));
    CHECK(ddb_str_eq(m->kvs[m->n - 2].name, "new") && ddb_str_eq(m->kvs[m->n - 1].name, "a1"));
    wrong = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->kvs[i].val.type == AV_NONE) wrong++;
    CHECK_INT(wrong, 0);
    CHECK(item->n == BIG + 1 && av_map_get(item, "a0", 2) != NULL); /* the old item is untouched */
}

static void test_big_sets(void)
{
    t_reset();
    enum { K = 5000 };
    av_t cur = {.type = AV_NS, .l = {K, ARENA_NEWN(A, av_t, K)}};
    av_t add = {.type = AV_NS, .l = {K, ARENA_NEWN(A, av_t, K)}};
    for (size_t i = 0; i < K; i++) {
        cur.l.items[i] = (av_t){.type = AV_N, .s = nm("%zu", 2 * i)};    /* evens */
        add.l.items[i] = (av_t){.type = AV_N, .s = nm("%zu.00", 3 * i)}; /* multiples of 3, as 3.00 */
    }
    av_map_t *item = ARENA_NEW(A, av_map_t);
    item->n = 2;
    item->kvs = ARENA_NEWN(A, av_kv_t, 2);
    item->kvs[0] = (av_kv_t){DDB_STR("p"), {.type = AV_S, .s = DDB_STR("k")}};
    item->kvs[1] = (av_kv_t){DDB_STR("s"), cur};
    expr_ctx_t *c = expr_ctx_new(A, &E);
    ddb_str_t vk = DDB_STR(":s");
    CHECK_INT(expr_ctx_set_values(c, 1, &vk, &add), DDB_OK);
    expr_update_t *u;
    expr_update_result_t res;
    CHECK_INT(expr_update_parse(c, "ADD s :s", 8, &u), DDB_OK);
    CHECK_INT(expr_update_apply(u, item, NULL, A, &E, &res), DDB_OK);
    /* evens below 10000 (5000) + odd multiples of 3 below 15000 (2500) + even ones from 10002 (833) */
    CHECK_INT(av_map_get(res.item, "s", 1)->l.n, 8333);
    CHECK_INT(expr_update_parse(c, "DELETE s :s", 11, &u), DDB_OK);
    CHECK_INT(expr_update_apply(u, item, NULL, A, &E, &res), DDB_OK);
    /* evens that are not multiples of 6: 5000 - 1667 */
    CHECK_INT(av_map_get(res.item, "s", 1)->l.n, K - (K + 2) / 3);
}

static void test_list_and_new_attribute(void)
{
    /* the list write and a new top-level attribute in one update: both land */
    CHECK_STR(UPD("SET l[5] = :v, z = :v, l[0] = :v", NULL, "{\":v\":{\"N\":\"7\"}}",
                  "{\"p\":{\"S\":\"k\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}",
                  "{\"p\":{\"S\":\"k\"}}"),
              "{\"p\":{\"S\":\"k\"},\"l\":{\"L\":[{\"N\":\"7\"},{\"N\":\"2\"},{\"N\":\"7\"}]},\"z\":{\"N\":"
              "\"7\"}}");
    CHECK_STR(UPD("REMOVE l[0] SET z = :v", NULL, "{\":v\":{\"N\":\"7\"}}",
                  "{\"p\":{\"S\":\"k\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}",
                  "{\"p\":{\"S\":\"k\"}}"),
              "{\"p\":{\"S\":\"k\"},\"l\":{\"L\":[{\"N\":\"2\"}]},\"z\":{\"N\":\"7\"}}");
}

int main(void)
{
    test_names_values();
    test_attributes_to_get();
    test_projection_many();
    test_big_conditions();
    test_big_attribute_updates();
    test_big_sets();
    test_list_and_new_attribute();
    arena_free(A);
    return check_done("expr/test_large");
}
