/*
 * test_legacy: the parameters older clients send, translated into the same trees: Expected
 * (Value/Exists forms, every ComparisonOperator, ConditionalOperator OR), QueryFilter /
 * ScanFilter, KeyConditions, AttributeUpdates (PUT/ADD/DELETE, list appends, messages) and
 * AttributesToGet, with DynamoDB's messages for their misuse.
 */
#include "expr/tests/expr_test.h"

static const char *const ITEM1 =
    "{\"a\":{\"N\":\"1\"},\"b\":{\"S\":\"cat\"},\"s\":{\"NS\":[\"2\",\"4\",\"7\"]},"
    "\"l\":{\"L\":[{\"N\":\"2\"},{\"N\":\"4\"}]},\"h\":{\"S\":\"hello\"},\"z\":{\"NULL\":true}}";

/* One Expected entry on `attr`; returns "true"/"false" or the error. */
static const char *EXP(const char *attr, int has_op, expr_cmpop_t op, const char *value, int has_exists,
                       int exists, const char *list)
{
    t_reset();
    expr_expected_t e = {0};
    e.attr = (ddb_str_t){attr, strlen(attr)};
    e.has_op = has_op;
    e.op = op;
    e.value = value ? V(value) : NULL;
    e.has_exists = has_exists;
    e.exists = exists;
    if (list) {
        av_t *l = V(list); /* an L value holding the AttributeValueList */
        e.has_list = 1;
        e.nlist = l->l.n;
        e.list = l->l.items;
    }
    expr_cond_t *c;
    if (expr_legacy_expected(A, &E, 1, &e, false, &c)) return ERRTEXT();
    return expr_condition_eval(c, ITEM(ITEM1)) ? "true" : "false";
}

#define OP(attr, op, list) EXP((attr), 1, (op), NULL, 0, 0, (list))

static void test_expected_ops(void)
{
    CHECK_STR(OP("a", EXPR_CMP_EQ, "{\"L\":[{\"N\":\"1\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_EQ, "{\"L\":[{\"S\":\"1\"}]}"), "false");
    CHECK_STR(OP("a", EXPR_CMP_NE, "{\"L\":[{\"N\":\"2\"}]}"), "true");
    CHECK_STR(OP("q", EXPR_CMP_NE, "{\"L\":[{\"N\":\"2\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_LT, "{\"L\":[{\"N\":\"2\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_LE, "{\"L\":[{\"N\":\"1\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_GT, "{\"L\":[{\"N\":\"1\"}]}"), "false");
    CHECK_STR(OP("b", EXPR_CMP_GE, "{\"L\":[{\"S\":\"aardvark\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_LE, "{\"L\":[{\"S\":\"1\"}]}"), "false");
    CHECK_STR(OP("a", EXPR_CMP_NOT_NULL, NULL), "true");
    CHECK_STR(OP("q", EXPR_CMP_NOT_NULL, NULL), "false");
    CHECK_STR(OP("q", EXPR_CMP_NULL, "{\"L\":[]}"), "true");
    CHECK_STR(OP("z", EXPR_CMP_NULL, NULL), "false");
    CHECK_STR(OP("h", EXPR_CMP_CONTAINS, "{\"L\":[{\"S\":\"ell\"}]}"), "true");
    CHECK_STR(OP("s", EXPR_CMP_CONTAINS, "{\"L\":[{\"N\":\"4\"}]}"), "true");
    CHECK_STR(OP("l", EXPR_CMP_CONTAINS, "{\"L\":[{\"N\":\"4\"}]}"), "true");
    CHECK_STR(OP("q", EXPR_CMP_CONTAINS, "{\"L\":[{\"N\":\"4\"}]}"), "false");
    CHECK_STR(OP("h", EXPR_CMP_NOT_CONTAINS, "{\"L\":[{\"S\":\"dog\"}]}"), "true");
    CHECK_STR(OP("h", EXPR_CMP_NOT_CONTAINS, "{\"L\":[{\"N\":\"1\"}]}"), "true");
    CHECK_STR(OP("s", EXPR_CMP_NOT_CONTAINS, "{\"L\":[{\"N\":\"4\"}]}"), "false");
    /* NOT_CONTAINS on a missing attribute is false, unlike NE. */
    CHECK_STR(OP("q", EXPR_CMP_NOT_CONTAINS, "{\"L\":[{\"N\":\"1\"}]}"), "false");
    CHECK_STR(OP("h", EXPR_CMP_BEGINS_WITH, "{\"L\":[{\"S\":\"hell\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_BEGINS_WITH, "{\"L\":[{\"S\":\"1\"}]}"), "false");
    CHECK_STR(OP("a", EXPR_CMP_IN, "{\"L\":[{\"N\":\"2\"},{\"N\":\"1\"},{\"N\":\"8\"}]}"), "true");
    CHECK_STR(OP("s", EXPR_CMP_IN, "{\"L\":[{\"N\":\"2\"}]}"), "false");
    CHECK_STR(OP("a", EXPR_CMP_BETWEEN, "{\"L\":[{\"N\":\"1\"},{\"N\":\"3\"}]}"), "true");
    CHECK_STR(OP("a", EXPR_CMP_BETWEEN, "{\"L\":[{\"N\":\"2\"},{\"N\":\"3\"}]}"), "false");
    CHECK_STR(OP("q", EXPR_CMP_BETWEEN, "{\"L\":[{\"N\":\"0\"},{\"N\":\"100\"}]}"), "false");
    /* Value instead of AttributeValueList. */
    CHECK_STR(EXP("a", 1, EXPR_CMP_EQ, "{\"N\":\"1\"}", 0, 0, NULL), "true");
}

static void test_expected_value_exists(void)
{
    CHECK_STR(EXP("a", 0, 0, "{\"N\":\"1\"}", 0, 0, NULL), "true");
    CHECK_STR(EXP("a", 0, 0, "{\"N\":\"2\"}", 0, 0, NULL), "false");
    CHECK_STR(EXP("q", 0, 0, "{\"N\":\"1\"}", 0, 0, NULL), "false");
    CHECK_STR(EXP("a", 0, 0, "{\"N\":\"1\"}", 1, 1, NULL), "true");
    CHECK_STR(EXP("q", 0, 0, NULL, 1, 0, NULL), "true");
    CHECK_STR(EXP("a", 0, 0, NULL, 1, 0, NULL), "false");
    CHECK_STR(EXP("a", 0, 0, NULL, 0, 0, NULL), "ERR: One or more parameter values were invalid: Value must "
                                                "be provided when Exists is null for Attribute: a");
    CHECK_STR(EXP("a", 0, 0, NULL, 1, 1, NULL), "ERR: One or more parameter values were invalid: Value must "
                                                "be provided when Exists is true for Attribute: a");
    CHECK_STR(EXP("a", 0, 0, "{\"S\":\"a\"}", 1, 0, NULL),
              "ERR: One or more parameter values were invalid: Value cannot be used when Exists is false for "
              "Attribute: a");
}

static void test_expected_errors(void)
{
    CHECK_STR(OP("a", EXPR_CMP_LT, NULL),
              "ERR: One or more parameter values were invalid: Value or AttributeValueList must be used with "
              "ComparisonOperator: LT for Attribute: a");
    CHECK_STR(EXP("a", 1, EXPR_CMP_LT, NULL, 1, 1, NULL),
              "ERR: One or more parameter values were invalid: Exists and ComparisonOperator cannot be used "
              "together "
              "for Attribute: a");
    CHECK_STR(EXP("a", 1, EXPR_CMP_LT, "{\"S\":\"a\"}", 0, 0, "{\"L\":[{\"S\":\"a\"}]}"),
              "ERR: One or more parameter values were invalid: Value and AttributeValueList cannot be used "
              "together "
              "for Attribute: a");
    CHECK_STR(EXP("a", 0, 0, NULL, 0, 0, "{\"L\":[{\"S\":\"a\"}]}"),
              "ERR: One or more parameter values were invalid: AttributeValueList can only be used with a "
              "ComparisonOperator for Attribute: a");
    CHECK_STR(EXP("a", 0, 0, NULL, 1, 1, "{\"L\":[{\"S\":\"a\"}]}"),
              "ERR: One or more parameter values were invalid: AttributeValueList can only be used with a "
              "ComparisonOperator for Attribute: a");
    CHECK_STR(OP("a", EXPR_CMP_EQ, "{\"L\":[]}"), "ERR: One or more parameter values were invalid: Invalid "
                                                  "number of argument(s) for the EQ ComparisonOperator");
    CHECK_STR(OP("a", EXPR_CMP_NULL, "{\"L\":[{\"S\":\"a\"}]}"),
              "ERR: One or more parameter values were invalid: Invalid number of argument(s) for the NULL "
              "ComparisonOperator");
    CHECK_STR(OP("a", EXPR_CMP_IN, "{\"L\":[]}"), "ERR: One or more parameter values were invalid: Invalid "
                                                  "number of argument(s) for the IN ComparisonOperator");
    CHECK_STR(OP("a", EXPR_CMP_BETWEEN, "{\"L\":[{\"N\":\"1\"},{\"N\":\"10\"},{\"N\":\"12\"}]}"),
              "ERR: One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
              "ComparisonOperator");
    CHECK_STR(EXP("a", 1, EXPR_CMP_NULL, "{\"S\":\"a\"}", 0, 0, NULL),
              "ERR: One or more parameter values were invalid: Invalid number of argument(s) for the NULL "
              "ComparisonOperator");
    CHECK_STR(EXP("a", 1, EXPR_CMP_BETWEEN, "{\"S\":\"a\"}", 0, 0, NULL),
              "ERR: One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN "
              "ComparisonOperator");
    CHECK_STR(OP("a", EXPR_CMP_IN, "{\"L\":[{\"N\":\"3\"},{\"S\":\"dog\"}]}"),
              "ERR: One or more parameter values were invalid: AttributeValues inside AttributeValueList "
              "must be of "
              "same type");
    CHECK_STR(OP("a", EXPR_CMP_BETWEEN, "{\"L\":[{\"N\":\"4\"},{\"N\":\"3\"}]}"),
              "ERR: The BETWEEN condition was provided a range where the lower bound is greater than the "
              "upper bound");
    CHECK_STR(
        OP("a", EXPR_CMP_CONTAINS, "{\"L\":[{\"L\":[{\"N\":\"1\"}]}]}"),
        "ERR: One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for L "
        "AttributeValue type");
    CHECK_STR(
        OP("a", EXPR_CMP_BEGINS_WITH, "{\"L\":[{\"N\":\"3\"}]}"),
        "ERR: One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N "
        "AttributeValue type");
    CHECK_STR(
        OP("a", EXPR_CMP_BETWEEN, "{\"L\":[{\"NS\":[\"1\"]},{\"NS\":[\"2\"]}]}"),
        "ERR: One or more parameter values were invalid: ComparisonOperator BETWEEN is not valid for NS "
        "AttributeValue type");
}

static void test_conditional_operator(void)
{
    t_reset();
    av_t *one = V("{\"N\":\"1\"}"), *nine = V("{\"N\":\"999\"}");
    expr_expected_t e[3];
    memset(e, 0, sizeof e);
    e[0].attr = DDB_STR("a");
    e[0].value = one;
    e[1].attr = DDB_STR("b");
    e[1].has_op = 1;
    e[1].op = EXPR_CMP_EQ;
    e[1].value = nine;
    e[2].attr = DDB_STR("c");
    e[2].has_exists = 1;
    e[2].exists = 0;
    expr_cond_t *c;
    av_map_t *item = ITEM(ITEM1);
    CHECK_INT(expr_legacy_expected(A, &E, 3, e, false, &c), DDB_OK);
    CHECK(!expr_condition_eval(c, item));
    CHECK_INT(expr_legacy_expected(A, &E, 3, e, true, &c), DDB_OK);
    CHECK(expr_condition_eval(c, item));
    CHECK_INT(expr_legacy_expected(A, &E, 0, e, false, &c), DDB_OK);
    CHECK(expr_condition_eval(c, item));
}

static void test_filters(void)
{
    t_reset();
    av_t *l = V("{\"L\":[{\"N\":\"1\"},{\"N\":\"3\"}]}");
    expr_filter_t f[2] = {{DDB_STR("a"), EXPR_CMP_BETWEEN, 2, l->l.items},
                          {DDB_STR("b"), EXPR_CMP_NOT_NULL, 0, NULL}};
    expr_cond_t *c;
    CHECK_INT(expr_legacy_filter(A, &E, 2, f, false, &c), DDB_OK);
    CHECK(expr_condition_eval(c, ITEM(ITEM1)));
    f[1].attr = DDB_STR("q");
    CHECK_INT(expr_legacy_filter(A, &E, 2, f, false, &c), DDB_OK);
    CHECK(!expr_condition_eval(c, ITEM(ITEM1)));
    CHECK_INT(expr_legacy_filter(A, &E, 2, f, true, &c), DDB_OK);
    CHECK(expr_condition_eval(c, ITEM(ITEM1)));
    f[0].op = EXPR_CMP_EQ;
    CHECK_INT(expr_legacy_filter(A, &E, 2, f, false, &c), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "One or more parameter values were invalid: Invalid number of argument(s) for the EQ "
                     "ComparisonOperator");
    t_reset();
    av_t *m = V("{\"L\":[{\"M\":{}}]}");
    /* "EQ is supported for all data types, including lists and maps" (API reference, Condition) */
    expr_filter_t g = {DDB_STR("a"), EXPR_CMP_EQ, 1, m->l.items};
    CHECK_INT(expr_legacy_filter(A, &E, 1, &g, false, &c), DDB_OK);
    g.op = EXPR_CMP_LT;
    CHECK_INT(expr_legacy_filter(A, &E, 1, &g, false, &c), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "One or more parameter values were invalid: ComparisonOperator LT is not valid for M "
                     "AttributeValue type");
}

static void test_key_conditions(void)
{
    t_reset();
    av_t *l = V("{\"L\":[{\"S\":\"p1\"},{\"S\":\"a\"},{\"S\":\"m\"}]}");
    expr_filter_t f[2] = {{DDB_STR("pk"), EXPR_CMP_EQ, 1, l->l.items},
                          {DDB_STR("sk"), EXPR_CMP_BETWEEN, 2, l->l.items + 1}};
    expr_keycond_t kc;
    expr_keyrange_t kr;
    CHECK_INT(expr_legacy_key_conditions(A, &E, 2, f, &kc), DDB_OK);
    CHECK_INT(expr_keycond_bind(&kc, "pk", AV_S, "sk", AV_S, &kr, &E), DDB_OK);
    CHECK(kr.hash == &kc.part[0] && kr.range == &kc.part[1]);
    CHECK(expr_keypart_match(kr.range, V("{\"S\":\"b\"}")));
    CHECK(!expr_keypart_match(kr.range, V("{\"S\":\"z\"}")));
    CHECK(expr_keypart_match(kr.hash, V("{\"S\":\"p1\"}")));
    CHECK_INT(expr_keycond_bind(&kc, "pk", AV_N, "sk", AV_S, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(
        E.msg,
        "One or more parameter values were invalid: Condition parameter type does not match schema type");
    t_reset();
    CHECK_INT(expr_keycond_bind(&kc, "pk", AV_S, "other", AV_S, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Query condition missed key schema element: other");
    t_reset();
    CHECK_INT(expr_keycond_bind(&kc, "x", AV_S, "sk", AV_S, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Query condition missed key schema element: x");
    t_reset();
    l = V("{\"L\":[{\"S\":\"p1\"}]}");
    expr_filter_t g = {DDB_STR("pk"), EXPR_CMP_GT, 1, l->l.items};
    CHECK_INT(expr_legacy_key_conditions(A, &E, 1, &g, &kc), DDB_OK);
    CHECK_INT(expr_keycond_bind(&kc, "pk", AV_S, NULL, AV_NONE, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Query key condition not supported");
    t_reset();
    g.op = EXPR_CMP_CONTAINS; /* accepted here, refused by the bind (after the table is found) */
    CHECK_INT(expr_legacy_key_conditions(A, &E, 1, &g, &kc), DDB_OK);
    CHECK_INT(expr_keycond_bind(&kc, "pk", AV_S, NULL, AV_NONE, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Attempted conditional constraint is not an indexable operation");
    t_reset();
    CHECK_INT(expr_legacy_key_conditions(A, &E, 0, &g, &kc), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Conditions can be of length 1 or 2 only");
    /* The expression form binds the same way, including empty key values. */
    t_reset();
    expr_ctx_t *c = CTX(NULL, "{\":p\":{\"S\":\"\"}}");
    CHECK_INT(expr_keycond_parse(c, "pk = :p", 7, &kc), DDB_OK);
    CHECK_INT(expr_keycond_bind(&kc, "pk", AV_S, NULL, AV_NONE, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(
        E.msg,
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
        "an empty string value. Key: pk");
}

/* Bind a KeyConditionExpression to a GSI key of HASH h1 (S), h2 (N) and RANGE a, b, c (S): "OK <the
 * parts bound>" or "ERR: <message>". */
static const char *MK(const char *text)
{
    t_reset();
    static const expr_keyattr_t hash[2] = {{"h1", AV_S}, {"h2", AV_N}};
    static const expr_keyattr_t range[3] = {{"a", AV_S}, {"b", AV_S}, {"c", AV_S}};
    expr_ctx_t *c =
        CTX(NULL, "{\":s\":{\"S\":\"x\"},\":n\":{\"N\":\"1\"},\":e\":{\"S\":\"\"},\":z\":{\"S\":\"a\"}}");
    expr_keycond_t kc;
    expr_keyrange_t kr;
    if (expr_keycond_parse(c, text, strlen(text), &kc) ||
        expr_keycond_bind_schema(&kc, 2, hash, 3, range, &kr, &E))
        return arena_sprintf(A, "ERR: %s", E.msg);
    buf_t b;
    buf_init(&b, A, 64);
    buf_printf(&b, "OK %zu hash", kr.n_hash);
    for (size_t i = 0; i < kr.n_hash; i++)
        buf_printf(&b, " %.*s", (int)kr.hashes[i]->name.len, kr.hashes[i]->name.ptr);
    buf_printf(&b, "; %zu eq", kr.n_eq);
    for (size_t i = 0; i < kr.n_eq; i++)
        buf_printf(&b, " %.*s", (int)kr.eqs[i]->name.len, kr.eqs[i]->name.ptr);
    if (kr.range)
        buf_printf(&b, "; range %.*s op %d", (int)kr.range->name.len, kr.range->name.ptr, (int)kr.range->op);
    return b.data;
}

static void test_multi_attribute_keys(void)
{
    CHECK_STR(MK("h1 = :s AND h2 = :n"), "OK 2 hash h1 h2; 0 eq");
    CHECK_STR(MK("h2 = :n AND a = :s AND h1 = :s"), "OK 2 hash h1 h2; 0 eq; range a op 0");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND b = :s AND a = :s AND c > :s"),
              "OK 2 hash h1 h2; 2 eq a b; range c op 3");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND a = :s AND begins_with(b, :s)"),
              "OK 2 hash h1 h2; 1 eq a; range b op 6");
    CHECK_STR(MK("h1 = :s AND a = :s"), "ERR: Query condition missed key schema element: h2");
    CHECK_STR(MK("h1 = :s AND h2 > :n"), "ERR: Query key condition not supported");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND a = :s AND x = :s"),
              "ERR: Query condition missed key schema element: b");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND a = :s AND b = :s AND c = :s AND x = :s"),
              "ERR: Query key condition not supported");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND b = :s"),
              "ERR: RANGE key attributes a must have equality conditions specified in the query because a "
              "condition is present on key attribute b");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND a = :s AND c = :s"),
              "ERR: RANGE key attributes b must have equality conditions specified in the query because a "
              "condition is present on key attribute c");
    CHECK_STR(MK("h1 = :s AND h2 = :n AND a < :s AND b = :s"),
              "ERR: RANGE key attributes a must have equality conditions specified in the query because a "
              "condition is present on key attribute b");
    CHECK_STR(MK("h1 = :s AND h2 = :s"), "ERR: One or more parameter values were invalid: Condition "
                                         "parameter type does not match schema type");
    CHECK_STR(
        MK("h1 = :s AND h2 = :n AND a = :e AND b = :s"),
        "ERR: One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
        "contain an empty string value. Key: a");
    CHECK_STR(
        MK("h1 = :s AND h2 = :n AND a BETWEEN :s AND :z"),
        "ERR: Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than "
        "or equal to lower bound; lower bound operand: AttributeValue: {S:x}, upper bound operand: "
        "AttributeValue: {S:a}");
    /* a single-attribute key keeps its rules: at most two conditions */
    t_reset();
    expr_ctx_t *c = CTX(NULL, "{\":s\":{\"S\":\"x\"}}");
    expr_keycond_t kc;
    expr_keyrange_t kr;
    CHECK_INT(expr_keycond_parse(c, "p = :s AND q = :s AND r = :s", 28, &kc), DDB_OK);
    CHECK_INT(expr_keycond_bind(&kc, "p", AV_S, "q", AV_S, &kr, &E), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "Conditions can be of length 1 or 2 only");
}

/* Apply AttributeUpdates given as {attr: [action, value-or-null]}. */
static const char *AU(const char *item, size_t n, const char *const *attrs, const expr_au_action_t *acts,
                      const char *const *vals)
{
    t_reset();
    expr_attr_update_t u[8];
    for (size_t i = 0; i < n; i++) {
        u[i].attr = (ddb_str_t){attrs[i], strlen(attrs[i])};
        u[i].action = acts[i];
        u[i].value = vals[i] ? V(vals[i]) : NULL;
    }
    expr_update_t *up;
    if (expr_legacy_attribute_updates(A, &E, n, u, &up)) return ERRTEXT();
    expr_update_result_t res;
    if (expr_update_apply(up, ITEM(item), ITEM("{\"p\":{\"S\":\"k\"}}"), A, &E, &res)) return ERRTEXT();
    return SHOW_MAP(res.item);
}

static void test_attribute_updates(void)
{
    const char *item =
        "{\"p\":{\"S\":\"k\"},\"b\":{\"SS\":[\"1\"]},\"c\":{\"N\":\"1\"},\"d\":{\"NS\":[\"1\"]},"
        "\"l\":{\"L\":[{\"S\":\"a\"}]}}";
    {
        const char *at[] = {"b", "c", "x"};
        expr_au_action_t ac[] = {EXPR_AU_DELETE, EXPR_AU_PUT, EXPR_AU_ADD};
        const char *v[] = {NULL, "{\"S\":\"new\"}", "{\"N\":\"5\"}"};
        CHECK_STR(
            AU(item, 3, at, ac, v),
            "{\"p\":{\"S\":\"k\"},\"c\":{\"S\":\"new\"},\"d\":{\"NS\":[\"1\"]},\"l\":{\"L\":[{\"S\":\"a\"}]},"
            "\"x\":{\"N\":\"5\"}}");
    }
    {
        const char *at[] = {"l", "c", "d"};
        expr_au_action_t ac[] = {EXPR_AU_ADD, EXPR_AU_ADD, EXPR_AU_DELETE};
        const char *v[] = {"{\"L\":[{\"S\":\"b\"},{\"N\":\"2\"}]}", "{\"N\":\"3\"}",
                           "{\"NS\":[\"1\",\"4\"]}"};
        CHECK_STR(
            AU(item, 3, at, ac, v),
            "{\"p\":{\"S\":\"k\"},\"b\":{\"SS\":[\"1\"]},\"c\":{\"N\":\"4\"},\"l\":{\"L\":[{\"S\":\"a\"},"
            "{\"S\":\"b\"},{\"N\":\"2\"}]}}");
    }
    {
        const char *at[] = {"b"};
        expr_au_action_t ac[] = {EXPR_AU_DELETE};
        const char *v[] = {"{\"NS\":[\"1\"]}"};
        CHECK_STR(AU(item, 1, at, ac, v), "ERR: Type mismatch for attribute to update");
        const char *v2[] = {"{\"S\":\"1\"}"};
        CHECK_STR(AU(item, 1, at, ac, v2), "ERR: One or more parameter values were invalid: DELETE action "
                                           "with value is not supported for the type S");
        expr_au_action_t add[] = {EXPR_AU_ADD};
        CHECK_STR(AU(item, 1, at, add, v), "ERR: Type mismatch for attribute to update");
        const char *v3[] = {"{\"BOOL\":true}"};
        CHECK_STR(
            AU(item, 1, at, add, v3),
            "ERR: One or more parameter values were invalid: ADD action is not supported for the type BOOL");
        const char *v4[] = {NULL};
        CHECK_STR(AU(item, 1, at, add, v4), "ERR: One or more parameter values were invalid: Only DELETE "
                                            "action is allowed when no attribute value "
                                            "is specified");
    }
    {
        /* Deleting from a missing item writes nothing; an empty update creates the item. */
        const char *at[] = {"a"};
        expr_au_action_t ac[] = {EXPR_AU_DELETE};
        const char *v[] = {NULL};
        CHECK_STR(AU(NULL, 1, at, ac, v), "NONE");
        CHECK_STR(AU(NULL, 0, at, ac, v), "{\"p\":{\"S\":\"k\"}}");
    }
}

static void test_attributes_to_get(void)
{
    t_reset();
    ddb_str_t names[3] = {DDB_STR("a"), DDB_STR("h"), DDB_STR("nope")};
    expr_proj_t *p;
    CHECK_INT(expr_legacy_attributes_to_get(A, &E, 3, names, &p), DDB_OK);
    CHECK_STR(SHOW_MAP(expr_projection_apply(p, ITEM(ITEM1), A)),
              "{\"a\":{\"N\":\"1\"},\"h\":{\"S\":\"hello\"}}");
    names[2] = DDB_STR("a");
    CHECK_INT(expr_legacy_attributes_to_get(A, &E, 3, names, &p), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "One or more parameter values were invalid: Duplicate value in attribute name: a");
    expr_cmpop_t op;
    CHECK(expr_cmpop_from_name("NOT_CONTAINS", 12, &op) && op == EXPR_CMP_NOT_CONTAINS);
    CHECK(!expr_cmpop_from_name("eq", 2, &op));
    CHECK_STR(expr_cmpop_name(EXPR_CMP_BEGINS_WITH), "BEGINS_WITH");
}

int main(void)
{
    t_reset();
    test_expected_ops();
    test_expected_value_exists();
    test_expected_errors();
    test_conditional_operator();
    test_filters();
    test_key_conditions();
    test_multi_attribute_keys();
    test_attribute_updates();
    test_attributes_to_get();
    arena_free(A);
    return check_done("expr/test_legacy");
}
