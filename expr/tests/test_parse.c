/*
 * test_parse: parsing and validation of all five languages, with DynamoDB's exact messages:
 * syntax errors (token and near text), redundant parentheses, empty and oversized expressions,
 * reserved words, #names and :values (undefined, unused, key syntax), functions (unknown, where
 * they may be used, operand counts, operand types, document paths, distinct operands), BETWEEN
 * bounds, IN operand count, list index range, path depth, update sections, overlapping and
 * conflicting paths (and which one DynamoDB reports first), key-condition structure, and the
 * parser's nesting limit.
 */
#include "expr/tests/expr_test.h"

#define VALS1 "{\":v\":{\"S\":\"x\"}}"

static void test_valid_conditions(void)
{
    static const char *const ok[] = {
        "a = :v",
        "a <> :v",
        "a < :v AND b <= :v OR c > :v AND NOT d >= :v",
        "a.b[1].c = :v",
        "a[0][1] = :v",
        "attribute_exists(a)",
        "attribute_exists (a)",
        "attribute_not_exists(a.b)",
        "begins_with(a, :v)",
        "contains(a, :v)",
        "size(a) > :n",
        "size(a) = size(b)",
        ":n < size(a)",
        "a BETWEEN :v AND :w",
        "a between :v and :w",
        "a IN (:v)",
        "a IN (:v, :w, b)",
        "(a = :v)",
        "(a) = :v",
        "((a) = :v)",
        "(a = :v) AND (b = :v)",
        "((a = :v) AND b = :v)",
        "NOT NOT a = :v",
        "NOT (a = :v)",
        "(attribute_exists(a))",
        "(size(a)) = :n",
        "(begins_with(a, :v)) OR a = :v",
        "attribute_type(a, :t)",
        "#a = :v",
        "#a.#a = :v",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        const char *m =
            cond_msg(EXPR_CONDITION, ok[i], strstr(ok[i], "#a") ? "{\"#a\":\"x\"}" : NULL,
                     "{\":v\":{\"S\":\"x\"},\":w\":{\"S\":\"y\"},\":n\":{\"N\":\"1\"},\":t\":{\"S\":\"N\"}}");
        /* Only "unused value" errors are acceptable here: each expression uses a subset. */
        if (strcmp(m, "OK") && !strstr(m, "unused in expressions")) {
            fprintf(stderr, "expression %s: %s\n", ok[i], m);
            CHECK(0);
        }
    }
}

static void test_syntax_errors(void)
{
    CHECK_STR(COND("a", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
    CHECK_STR(COND("a = ", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
    CHECK_STR(COND("a = = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"=\", near: \"= = :v\"");
    CHECK_STR(COND("contains (themes, :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
    CHECK_STR(COND("NOT (#attr0)", "{\"#attr0\":\"x\"}", NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \")\"");
    CHECK_STR(COND("a[abc] = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"abc\", near: \"[abc]\"");
    CHECK_STR(COND("a[-1] = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"-\", near: \"[-1\"");
    CHECK_STR(COND("a = :v b", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"b\", near: \":v b\"");
    CHECK_STR(COND("a IN ()", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \")\", near: \"()\"");
    CHECK_STR(COND("a BETWEEN :v :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \":v\", near: \":v :v\"");
    CHECK_STR(COND("a = :v +", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"+\", near: \":v +\"");
    CHECK_STR(COND("a = b + c", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"+\", near: \"b + c\"");
    CHECK_STR(COND("_a = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"_\", near: \"_a\"");
    CHECK_STR(COND("a.:v = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \":v\", near: \".:v =\"");
    CHECK_STR(COND("set = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"set\", near: \"set =\"");
    CHECK_STR(COND("(a = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \":v\"");
    CHECK_STR(COND("(a OR b = :v)", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"OR\", near: \"a OR b\"");
    CHECK_STR(COND("((a) AND b = :v)", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"AND\", near: \") AND b\"");
    CHECK_STR(COND("(a)", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \")\"");
    CHECK_STR(COND("a = :v ) ", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \")\", near: \":v ) \"");
    CHECK_STR(COND("a = :", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \":\", near: \"= :\"");
    CHECK_STR(COND("a = \xc3\xa9", NULL, NULL),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"\xc3\xa9\", near: \"= \xc3\xa9\"");
    CHECK_STR(cond_msg(EXPR_FILTER, "a", NULL, NULL),
              "ERR: Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"a\"");
}

static void test_redundant_parens(void)
{
    const char *msg = "ERR: Invalid ConditionExpression: The expression has redundant parentheses;";
    CHECK_STR(COND("((attribute_not_exists(pk)))", NULL, NULL), msg);
    CHECK_STR(COND("((a = :v))", NULL, VALS1), msg);
    CHECK_STR(COND("((a)) = :v", NULL, VALS1), msg);
    CHECK_STR(COND("a = ((:v))", NULL, VALS1), msg);
    CHECK_STR(COND("NOT ((a = :v))", NULL, VALS1), msg);
    CHECK_STR(COND("contains(((a)), :v)", NULL, VALS1), msg);
    /* Reported as soon as the outer parenthesis closes, before a later syntax error. */
    CHECK_STR(COND("((a = :v)) = =", NULL, VALS1), msg);
    CHECK_STR(cond_msg(EXPR_KEY_CONDITION, "((pk = :v))", NULL, VALS1),
              "ERR: Invalid KeyConditionExpression: The expression has redundant parentheses;");
}

static void test_empty_and_size(void)
{
    CHECK_STR(COND("", NULL, NULL), "ERR: Invalid ConditionExpression: The expression can not be empty;");
    CHECK_STR(cond_msg(EXPR_FILTER, "", NULL, NULL),
              "ERR: Invalid FilterExpression: The expression can not be empty;");
    CHECK_STR(UPARSE("", NULL, NULL), "ERR: Invalid UpdateExpression: The expression can not be empty;");
    CHECK_STR(PROJ("", NULL, "{}"), "ERR: Invalid ProjectionExpression: The expression can not be empty;");
    char big[4200];
    memset(big, ' ', sizeof big);
    memcpy(big, "a = :v", 6);
    big[4096] = 0;
    CHECK_STR(COND(big, NULL, VALS1), "OK");
    big[4096] = ' ';
    big[4097] = 0;
    CHECK_STR(
        COND(big, NULL, VALS1),
        "ERR: Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression "
        "size: 4097");
}

static void test_reserved(void)
{
    CHECK_STR(
        COND("status = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status");
    CHECK_STR(
        COND("a.Name = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Name");
    CHECK_STR(COND("#s = :v", "{\"#s\":\"status\"}", VALS1), "OK");
    /* Function names are not attribute names. */
    CHECK_STR(COND("size(a) = :v", NULL, "{\":v\":{\"N\":\"1\"}}"), "OK");
    CHECK_STR(
        COND("size = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size");
    /* The first reserved word in the order written. */
    CHECK_STR(
        COND("a = :v AND zone = year", NULL, VALS1),
        "ERR: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: zone");
    CHECK_STR(UPARSE(" set #c = :c set abOrt = true ", NULL, NULL),
              "ERR: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt");
    CHECK_STR(
        UPARSE(" remove Absolute ", NULL, NULL),
        "ERR: Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute");
    CHECK_STR(
        PROJ("a, comment", NULL, "{}"),
        "ERR: Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: comment");
    CHECK(expr__is_reserved("abort", 5) && expr__is_reserved("ZONE", 4) && !expr__is_reserved("zones", 5));
    /* Reserved words are checked before undefined names and repeated sections. */
    CHECK_STR(
        COND("#x = :y AND data = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: data");
}

static void test_names_values(void)
{
    CHECK_STR(
        COND("#missing = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #missing");
    CHECK_STR(cond_msg(EXPR_FILTER, "#missing = :fv", NULL, "{\":fv\":{\"S\":\"x\"}}"),
              "ERR: Invalid FilterExpression: An expression attribute name used in the document path is not "
              "defined; attribute name: #missing");
    CHECK_STR(
        COND("a = :nope", NULL, VALS1),
        "ERR: Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :nope");
    CHECK_STR(COND("a = :v", "{\"#unused\":\"x\"}", VALS1),
              "ERR: Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}");
    CHECK_STR(COND("a = :v", NULL, "{\":v\":{\"S\":\"x\"},\":unused\":{\"S\":\"y\"}}"),
              "ERR: Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}");
    /* Unused names are reported before unused values; several keys in Java HashSet order. */
    CHECK_STR(COND("a = :v", "{\"#b\":\"b\",\"#a\":\"a\"}", "{\":v\":{\"S\":\"x\"},\":c\":{\"S\":\"y\"}}"),
              "ERR: Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}");
    CHECK_STR(COND("a = :b", NULL, "{\":c\":{\"S\":\"y\"},\":a\":{\"S\":\"x\"},\":b\":{\"S\":\"z\"}}"),
              "ERR: Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}");
    /* A short-circuited OR still uses every placeholder. */
    CHECK_STR(COND("#a = :a OR #b = :b", "{\"#a\":\"a\",\"#b\":\"b\"}",
                   "{\":a\":{\"S\":\"x\"},\":b\":{\"S\":\"y\"}}"),
              "OK");
}

static const char *CTXMSG(const char *names, const char *values)
{
    t_reset();
    return CTX(names, values) ? "ok" : ERRTEXT();
}

static void test_ctx_keys(void)
{
    t_reset();
    expr_ctx_t *c = expr_ctx_new(A, &E);
    CHECK_INT(expr_ctx_set_names(c, 0, NULL, NULL), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "ExpressionAttributeNames must not be empty");
    CHECK_STR(CTXMSG("{\"a\":\"a\"}", NULL),
              "ERR: ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\"");
    CHECK_STR(CTXMSG("{\"#a-b\":\"a\"}", NULL),
              "ERR: ExpressionAttributeNames contains invalid key: Syntax error; key: \"#a-b\"");
    CHECK_STR(CTXMSG("{\"#\":\"a\"}", NULL),
              "ERR: ExpressionAttributeNames contains invalid key: Syntax error; key: \"#\"");
    CHECK_STR(CTXMSG("{\"#a\":\"\"}", NULL),
              "ERR: ExpressionAttributeNames contains invalid value: Empty attribute name for key #a");
    CHECK_STR(CTXMSG(NULL, "{\"b\":{\"S\":\"a\"}}"),
              "ERR: ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\"");
    t_reset();
    c = expr_ctx_new(A, &E);
    CHECK_INT(expr_ctx_check_value_keys(c, 0, NULL), DDB_ERR_VALIDATION);
    CHECK_STR(E.msg, "ExpressionAttributeValues must not be empty");
    char longkey[300];
    memset(longkey, 'a', sizeof longkey);
    longkey[0] = '#';
    ddb_str_t k = {longkey, 256}, v = DDB_STR("x");
    t_reset();
    c = expr_ctx_new(A, &E);
    CHECK_INT(expr_ctx_set_names(c, 1, &k, &v), DDB_ERR_VALIDATION);
    CHECK_STR(
        E.msg,
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that "
        "is too long; size of key: 256");
    /* Placeholders may hold any name, dots included. */
    CHECK_STR(COND("#a = :v", "{\"#a\":\"a.b\"}", VALS1), "OK");
}

static void test_functions(void)
{
    CHECK_STR(COND("dog(a) = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Invalid function name; function: dog");
    CHECK_STR(COND("Size(a) = :v", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Invalid function name; function: Size");
    CHECK_STR(
        COND("size(a)", NULL, NULL),
        "ERR: Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
        "function: size");
    CHECK_STR(
        COND("attribute_exists(a) = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
        "function: attribute_exists");
    CHECK_STR(
        COND("a = :v AND size(a)", NULL, VALS1),
        "ERR: Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
        "function: size");
    CHECK_STR(
        COND("size(attribute_exists(a)) = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
        "function: attribute_exists");
    CHECK_STR(
        COND("if_not_exists(a, a) = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: The function is not allowed in a condition expression; function: "
        "if_not_exists");
    CHECK_STR(
        COND("list_append(a, a) = :v", NULL, VALS1),
        "ERR: Invalid ConditionExpression: The function is not allowed in a condition expression; function: "
        "list_append");
    CHECK_STR(COND("size(a, a) = :v", NULL, VALS1), "ERR: Invalid ConditionExpression: Incorrect number of "
                                                    "operands for operator or function; operator or "
                                                    "function: size, number of operands: 2");
    CHECK_STR(COND("begins_with(a)", NULL, NULL), "ERR: Invalid ConditionExpression: Incorrect number of "
                                                  "operands for operator or function; operator or "
                                                  "function: begins_with, number of operands: 1");
    CHECK_STR(COND("attribute_exists(:v)", NULL, VALS1),
              "ERR: Invalid ConditionExpression: Operator or function requires a document path; operator or "
              "function: attribute_exists");
    CHECK_STR(COND("attribute_not_exists(size(a))", NULL, NULL),
              "ERR: Invalid ConditionExpression: Operator or function requires a document path; operator or "
              "function: attribute_not_exists");
    CHECK_STR(
        COND("begins_with(a, :n)", NULL, "{\":n\":{\"N\":\"2\"}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: begins_with, operand type: N");
    CHECK_STR(
        COND("begins_with(:l, a)", NULL, "{\":l\":{\"L\":[]}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: begins_with, operand type: L");
    CHECK_STR(
        COND("size(:n) = :n", NULL, "{\":n\":{\"N\":\"2\"}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: size, operand type: N");
    CHECK_STR(
        COND("attribute_type(a, b)", NULL, NULL),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: attribute_type, operand type: {SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,"
        "DECIMALSET,NULL,FLOAT,FS,S,L,NS,DOUBLE}");
    CHECK_STR(
        COND("attribute_type(a, :n)", NULL, "{\":n\":{\"N\":\"2\"}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: attribute_type, operand type: N");
    CHECK_STR(COND("attribute_type(a, :t)", NULL, "{\":t\":{\"S\":\"DOG\"}}"),
              "ERR: Invalid ConditionExpression: Invalid attribute type name found; type: DOG, valid types: "
              "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}");
    CHECK_STR(COND("attribute_type(size(a), :t)", NULL, "{\":t\":{\"S\":\"S\"}}"),
              "ERR: Invalid ConditionExpression: Operator or function requires a document path; operator or "
              "function: attribute_type");
    CHECK_STR(COND("contains(#a, #a)", "{\"#a\":\"data\"}", NULL),
              "ERR: Invalid ConditionExpression: The first operand must be distinct from the remaining "
              "operands for "
              "this operator or function; operator: contains, first operand: [data]");
    CHECK_STR(COND("a.b[1] = #a.b[1]", "{\"#a\":\"a\"}", NULL),
              "ERR: Invalid ConditionExpression: The first operand must be distinct from the remaining "
              "operands for "
              "this operator or function; operator: =, first operand: [a, b, [1]]");
    CHECK_STR(COND("a BETWEEN b AND a", NULL, NULL),
              "ERR: Invalid ConditionExpression: The first operand must be distinct from the remaining "
              "operands for "
              "this operator or function; operator: BETWEEN, first operand: [a]");
    CHECK_STR(COND("a IN (b, a)", NULL, NULL), "ERR: Invalid ConditionExpression: The first operand must be "
                                               "distinct from the remaining operands for "
                                               "this operator or function; operator: IN, first operand: [a]");
    CHECK_STR(COND("contains(a, a1)", NULL, NULL), "OK");
    /* Unknown functions are found before misplaced ones and reserved words. */
    CHECK_STR(
        COND("size(a) AND dog(b)", NULL, NULL),
        "ERR: Invalid ConditionExpression: The function is not allowed to be used this way in an expression; "
        "function: size");
}

static void test_operand_types(void)
{
    CHECK_STR(
        COND("a < :l", NULL, "{\":l\":{\"L\":[{\"N\":\"1\"}]}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: <, operand type: L");
    CHECK_STR(
        COND(":m >= a", NULL, "{\":m\":{\"M\":{}}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: >=, operand type: M");
    CHECK_STR(COND("a = :l", NULL, "{\":l\":{\"L\":[]}}"), "OK");
    CHECK_STR(COND("a <> :l", NULL, "{\":l\":{\"SS\":[\"x\"]}}"), "OK");
    CHECK_STR(
        COND("a BETWEEN :a AND :b", NULL, "{\":a\":{\"S\":\"b\"},\":b\":{\"S\":\"a\"}}"),
        "ERR: Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
        "equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: "
        "AttributeValue: {S:a}");
    CHECK_STR(
        COND("a BETWEEN :a AND :b", NULL, "{\":a\":{\"N\":\"2\"},\":b\":{\"S\":\"dog\"}}"),
        "ERR: Invalid ConditionExpression: The BETWEEN operator requires same data type for lower and upper "
        "bounds; lower bound operand: AttributeValue: {N:2}, upper bound operand: AttributeValue: {S:dog}");
    CHECK_STR(
        COND("a BETWEEN :a AND :b", NULL, "{\":a\":{\"B\":\"zz\"},\":b\":{\"B\":\"a\"}}"),
        "ERR: Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or "
        "equal to lower bound; lower bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=2 "
        "cap=2]}, upper bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}");
    CHECK_STR(
        COND("a BETWEEN :a AND :b", NULL, "{\":a\":{\"L\":[]},\":b\":{\"L\":[]}}"),
        "ERR: Invalid ConditionExpression: Incorrect operand type for operator or function; operator or "
        "function: BETWEEN, operand type: L");
    CHECK_STR(COND("a BETWEEN :a AND :a", NULL, "{\":a\":{\"N\":\"10\"}}"), "OK");
    /* Bounds from the item are not checked. */
    CHECK_STR(COND("a BETWEEN b AND :a", NULL, "{\":a\":{\"N\":\"1\"}}"), "OK");
    /* IN: up to 100 operands after IN. */
    char in[2000] = "a IN (";
    char vals[8000] = "{";
    for (int i = 0; i < 101; i++) {
        sprintf(in + strlen(in), "%s:v%d", i ? "," : "", i);
        sprintf(vals + strlen(vals), "%s\":v%d\":{\"N\":\"%d\"}", i ? "," : "", i, i);
    }
    strcat(in, ")");
    strcat(vals, "}");
    CHECK_STR(
        COND(in, NULL, vals),
        "ERR: Invalid ConditionExpression: The IN operator is provided with too many operands; number of "
        "operands: 101");
    char *last = strrchr(in, ',');
    strcpy(last, ")");
    CHECK_STR(COND(in, NULL, vals),
              "ERR: Value provided in ExpressionAttributeValues unused in expressions: keys: {:v100}");
}

static void test_paths(void)
{
    CHECK_STR(COND("a[2147483647] = :v", NULL, VALS1), "OK");
    CHECK_STR(COND("a[2147483648] = :v", NULL, VALS1), "ERR: Invalid ConditionExpression: List index is not "
                                                       "within the allowable range; index: [2147483648]");
    CHECK_STR(COND("a[99999999999] = :v", NULL, VALS1), "ERR: Invalid ConditionExpression: List index is not "
                                                        "within the allowable range; index: [99999999999]");
    char deep[400] = "a";
    for (int i = 1; i < 32; i++) strcat(deep, ".b");
    strcat(deep, " = :v");
    CHECK_STR(COND(deep, NULL, VALS1), "OK");
    strcpy(strstr(deep, " = :v"), "[0] = :v");
    CHECK_STR(COND(deep, NULL, VALS1), "ERR: Invalid ConditionExpression: The document path has too many "
                                       "nesting levels; nesting levels: 33");
}

static void test_nesting_limit(void)
{
    /* NOT chains nest without redundant parentheses; the parser stops at its limit. */
    char buf[4096] = "";
    for (int i = 0; i < 200; i++) strcat(buf, "NOT ");
    strcat(buf, "a = :v");
    CHECK_STR(COND(buf, NULL, VALS1), "OK");
    buf[0] = 0;
    for (int i = 0; i < 300; i++) strcat(buf, "NOT ");
    strcat(buf, "a = :v");
    CHECK_STR(COND(buf, NULL, VALS1),
              "ERR: Invalid ConditionExpression: Syntax error; token: \"NOT\", near: \"NOT NOT NOT\"");
    buf[0] = 0;
    for (int i = 0; i < 1000; i++) strcat(buf, "(");
    CHECK(strncmp(COND(buf, NULL, NULL), "ERR: Invalid ConditionExpression: Syntax error;", 47) == 0);
    /* Alternating parentheses and NOT: within the limit it parses. */
    buf[0] = 0;
    for (int i = 0; i < 100; i++) strcat(buf, "NOT (");
    strcat(buf, "a = :v");
    for (int i = 0; i < 100; i++) strcat(buf, ")");
    CHECK_STR(COND(buf, NULL, VALS1), "OK");
}

static void test_update_parse(void)
{
    CHECK_STR(UPARSE("INVALID SYNTAX HERE", NULL, NULL),
              "ERR: Invalid UpdateExpression: Syntax error; token: \"INVALID\", near: \"INVALID SYNTAX\"");
    CHECK_STR(UPARSE("ADD hits : incr", NULL, NULL),
              "ERR: Invalid UpdateExpression: Syntax error; token: \":\", near: \"hits : incr\"");
    CHECK_STR(UPARSE("SET _123 = :v", NULL, NULL),
              "ERR: Invalid UpdateExpression: Syntax error; token: \"_\", near: \"SET _123\"");
    CHECK_STR(UPARSE("SET", NULL, NULL),
              "ERR: Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\"");
    static const char *const syntax[] = {
        "whatever",
        "set a",
        "add a",
        "delete a",
        "set a=set",
        "remove a = b",
        "add a = b",
        "delete a = b",
        "delete a b",
        "delete a if_not_exist(b)",
        "add a if_not_exist(b)",
        "remove a b",
        "set a b",
        "set :a = b",
        "add :a b",
        "delete :a b",
        "remove :a",
        "set a = b / c",
        "set a = b * c",
        "set a[1] = \"eight\"",
        "set a[1] = 1",
        "SET if_not_exist(a, b) = a",
        "set (a = (b + c))",
        "set a = (b.c).d + e",
        "set a = (b.c)[0] + e",
        "set a = b + c + d",
        "SET a[:x] = :v",
        "SET a[#x] = :v",
        "SET c = if_not_exists(c, :a+:b)",
        "SET a = _f(b)",
        "SET a = :v,",
        "SET a = :v REMOVE",
        "SET a = (:a + :b) + :c",
    };
    for (size_t i = 0; i < sizeof syntax / sizeof syntax[0]; i++) {
        const char *m = UPARSE(syntax[i], NULL, NULL);
        if (strncmp(m, "ERR: Invalid UpdateExpression: Syntax error; ", 45) != 0) {
            fprintf(stderr, "update %s: %s\n", syntax[i], m);
            CHECK(0);
        }
    }
    static const char *const ok[] = {
        "SET a = :v",
        "set a = :v, b = :v",
        "  set   b=:v  ",
        "SET a = (b + :v)",
        "set b.c=((c[1])+(b.a))",
        "SET a = if_not_exists(a, :v) + :v",
        "SET a = list_append(a, :l)",
        "REMOVE a, b.c[1]",
        "ADD n :n, s :s",
        "DELETE s :s",
        "REMOVE x SET a = :v ADD n :n DELETE s :s",
        "SET a = (b) + :v",
        "SET #a = :v",
        "SET a = b - c",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        t_reset();
        expr_ctx_t *c =
            CTX("{\"#a\":\"x\"}", "{\":v\":{\"N\":\"1\"},\":n\":{\"N\":\"1\"},\":s\":{\"SS\":[\"x\"]},"
                                  "\":l\":{\"L\":[]}}");
        expr_update_t *u;
        if (expr_update_parse(c, ok[i], strlen(ok[i]), &u)) {
            fprintf(stderr, "update %s: %s\n", ok[i], E.msg);
            CHECK(0);
        }
    }
}

static void test_update_checks(void)
{
    const char *vals = "{\":a\":{\"S\":\"a\"},\":b\":{\"S\":\"a\"}}";
    const char *names = "{\"#a\":\"a\",\"#b\":\"b\"}";
    CHECK_STR(UPARSE("set #c = if_not_exist(:c) set c = d", names, vals),
              "ERR: Invalid UpdateExpression: Invalid function name; function: if_not_exist");
    CHECK_STR(
        UPARSE("set a = #c set c = :d", names, vals),
        "ERR: Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;");
    CHECK_STR(UPARSE("remove #d set a = b remove e", names, vals),
              "ERR: Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update "
              "expression;");
    CHECK_STR(
        UPARSE("add #d :e set a = b add e :f", names, vals),
        "ERR: Invalid UpdateExpression: The \"ADD\" section can only be used once in an update expression;");
    CHECK_STR(UPARSE("delete #d :e set a = b delete #e :f", names, vals),
              "ERR: Invalid UpdateExpression: The \"DELETE\" section can only be used once in an update "
              "expression;");
    CHECK_STR(UPARSE("SET #c = if_not_exists(:c)", names, vals),
              "ERR: Invalid UpdateExpression: An expression attribute name used in the document path is not "
              "defined; attribute name: #c");
    CHECK_STR(
        UPARSE("SET #a = if_not_exists(:c)", names, vals),
        "ERR: Invalid UpdateExpression: An expression attribute value used in expression is not defined; "
        "attribute value: :c");
    CHECK_STR(
        UPARSE("SET a = size(b)", NULL, NULL),
        "ERR: Invalid UpdateExpression: The function is not allowed in an update expression; function: size");
    CHECK_STR(UPARSE("SET a = contains(b, c)", NULL, NULL),
              "ERR: Invalid UpdateExpression: The function is not allowed in an update expression; function: "
              "contains");
    CHECK_STR(UPARSE("SET a = LIST_APPEND(:a, :b)", NULL, vals),
              "ERR: Invalid UpdateExpression: Invalid function name; function: LIST_APPEND");
    CHECK_STR(
        UPARSE("set a = if_not_exists(c)", NULL, NULL),
        "ERR: Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or "
        "function: if_not_exists, number of operands: 1");
    CHECK_STR(
        UPARSE("set a = list_append(c)", NULL, NULL),
        "ERR: Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or "
        "function: list_append, number of operands: 1");
    CHECK_STR(
        UPARSE("set a = if_not_exists(:a, c)", NULL, "{\":a\":{\"S\":\"a\"}}"),
        "ERR: Invalid UpdateExpression: Operator or function requires a document path; operator or function: "
        "if_not_exists");
    CHECK_STR(
        UPARSE("set a = if_not_exists(if_not_exists(a, b), c)", NULL, NULL),
        "ERR: Invalid UpdateExpression: Operator or function requires a document path; operator or function: "
        "if_not_exists");
    const char *typed =
        "{\":a\":{\"S\":\"a\"},\":b\":{\"N\":\"1\"},\":c\":{\"B\":\"a\"},\":d\":{\"BOOL\":false},"
        "\":e\":{\"NULL\":true},\":f\":{\"SS\":[\"a\"]},\":g\":{\"NS\":[\"1\"]},\":h\":{\"BS\":[\"a\"]},"
        "\":i\":{\"M\":{}},\":j\":{\"L\":[]}}";
    static const struct {
        const char *expr, *fn, *type;
    } types[] = {
        {"set a = list_append(:a, a)", "list_append", "S"},
        {"set a = list_append(a, :b)", "list_append", "N"},
        {"set a = list_append(:i, a)", "list_append", "M"},
        {"set a = a + :a", "+", "S"},
        {"set a = :c + a", "+", "B"},
        {"set a = a + :j", "+", "L"},
        {"set a = a - :f", "-", "SS"},
        {"set a = a - :e", "-", "NULL"},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        t_reset();
        expr_ctx_t *c = CTX(NULL, typed);
        expr_update_t *u;
        expr_update_parse(c, types[i].expr, strlen(types[i].expr), &u);
        CHECK_STR(E.msg, arena_sprintf(A,
                                       "Invalid UpdateExpression: Incorrect operand type for operator or "
                                       "function; operator or function: %s, operand type: %s",
                                       types[i].fn, types[i].type));
    }
    static const struct {
        const char *expr, *val, *op, *type;
    } ops[] = {
        {"delete a.b :a", "{\"S\":\"a\"}", "DELETE", "STRING"},
        {"add a.b :a", "{\"NULL\":true}", "ADD", "NULL"},
        {"add a.b :a", "{\"BOOL\":false}", "ADD", "BOOLEAN"},
        {"delete a.b :a", "{\"B\":\"a\"}", "DELETE", "BINARY"},
        {"add a.b :a", "{\"M\":{}}", "ADD", "MAP"},
        {"delete a.b :a", "{\"L\":[]}", "DELETE", "LIST"},
        {"add a.b :a", "{\"L\":[]}", "ADD", "LIST"},
        {"delete a.b :a", "{\"N\":\"1\"}", "DELETE", "NUMBER"},
        {"add a :a", "{\"S\":\"hello\"}", "ADD", "STRING"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        const char *m = UPARSE(ops[i].expr, NULL, arena_sprintf(A, "{\":a\":%s}", ops[i].val));
        CHECK_STR(m,
                  arena_sprintf(A,
                                "ERR: Invalid UpdateExpression: Incorrect operand type for operator or "
                                "function; operator: %s, operand type: %s, typeSet: ALLOWED_FOR_%s_OPERAND",
                                ops[i].op, ops[i].type, ops[i].op));
    }
    /* Actions are checked from the last back to the first: the ADD's operand is reported
     * before list_append's and if_not_exists' problems. */
    CHECK_STR(
        UPARSE("set b = list_append(:a, a), c = if_not_exists(a) add a.b :a", NULL, "{\":a\":{\"S\":\"a\"}}"),
        "ERR: Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, "
        "operand "
        "type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND");
    CHECK_STR(UPARSE("SET a = :v", NULL, "{\":v\":{\"N\":\"1\"},\":w\":{\"N\":\"1\"}}"),
              "ERR: Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}");
    CHECK_STR(UPARSE("SET #one = #two", "{\"#one\":\"c\",\"#two\":\"a\",\"#three\":\"z\"}", NULL),
              "ERR: Value provided in ExpressionAttributeNames unused in expressions: keys: {#three}");
}

static void test_overlaps(void)
{
    const char *names = "{\"#c\":\"c\",\"#d\":\"[3]\"}";
    static const struct {
        const char *expr, *one, *two;
    } over[] = {
        {"set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)", "[c, [1], a]", "[c]"},
        {"set c.b.#c = a, c = a, #d = a", "[c, b, c]", "[c]"},
        {"set a = b remove a, #c, #d", "[a]", "[a]"},
        {"set #c[3].#d = a, #c[3] = a", "[c, [3], [3]]", "[c, [3]]"},
        {"remove c, #c.a, #d", "[c]", "[c, a]"},
        {"remove a, #c, a, #d", "[a]", "[a]"},
        {"SET a = :v REMOVE a", "[a]", "[a]"},
        {"SET a[1][1][1][1] = :v, a[1][1] = :v", "[a, [1], [1], [1], [1]]", "[a, [1], [1]]"},
    };
    for (size_t i = 0; i < sizeof over / sizeof over[0]; i++) {
        const char *m =
            UPARSE(over[i].expr, strstr(over[i].expr, "#") ? names : NULL, "{\":v\":{\"N\":\"1\"}}");
        CHECK_STR(m,
                  arena_sprintf(A,
                                "ERR: Invalid UpdateExpression: Two document paths overlap with each other; "
                                "must remove or rewrite one of these paths; path one: %s, path two: %s",
                                over[i].one, over[i].two));
    }
    static const struct {
        const char *expr, *one, *two;
    } conf[] = {
        {"set #c[3].#d = a, #c.#d[3] = if_not_exists(a)", "[c, [3], [3]]", "[c, [3], [3]]"},
        {"remove a.#c set a[1] = #d", "[a, c]", "[a, [1]]"},
        {"SET a.b = :v, a[1] = :v", "[a, b]", "[a, [1]]"},
        {"SET a.b.c = :v, a.b[2] = :v", "[a, b, c]", "[a, b, [2]]"},
    };
    for (size_t i = 0; i < sizeof conf / sizeof conf[0]; i++) {
        const char *m =
            UPARSE(conf[i].expr, strstr(conf[i].expr, "#") ? names : NULL, "{\":v\":{\"N\":\"1\"}}");
        CHECK_STR(m,
                  arena_sprintf(A,
                                "ERR: Invalid UpdateExpression: Two document paths conflict with each other; "
                                "must remove or rewrite one of these paths; path one: %s, path two: %s",
                                conf[i].one, conf[i].two));
    }
    /* Disjoint paths under the same attribute are fine. */
    CHECK_STR(UPARSE("SET a.b = :v, a.c.d = :v, b.x = :v REMOVE a.x, b.y", NULL, "{\":v\":{\"N\":\"1\"}}"),
              "OK");
    CHECK_STR(UPARSE("SET a[1] = :v, a[2] = :v REMOVE a[3]", NULL, "{\":v\":{\"N\":\"1\"}}"), "OK");
    CHECK_STR(PROJ("a, a.b", NULL, "{}"), "ERR: Invalid ProjectionExpression: Two document paths overlap "
                                          "with each other; must remove or rewrite "
                                          "one of these paths; path one: [a], path two: [a, b]");
    CHECK_STR(
        PROJ("a.b, a[0]", NULL, "{}"),
        "ERR: Invalid ProjectionExpression: Two document paths conflict with each other; must remove or "
        "rewrite one of these paths; path one: [a, b], path two: [a, [0]]");
}

static void test_projection_parse(void)
{
    CHECK_STR(PROJ("a,", NULL, "{}"),
              "ERR: Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\"");
    CHECK_STR(PROJ("a b", NULL, "{}"),
              "ERR: Invalid ProjectionExpression: Syntax error; token: \"b\", near: \"a b\"");
    CHECK_STR(PROJ("size(a)", NULL, "{}"),
              "ERR: Invalid ProjectionExpression: Syntax error; token: \"(\", near: \"size(a\"");
    CHECK_STR(PROJ(":v", NULL, "{}"),
              "ERR: Invalid ProjectionExpression: Syntax error; token: \":v\", near: \":v\"");
    CHECK_STR(
        PROJ("#x", NULL, "{}"),
        "ERR: Invalid ProjectionExpression: An expression attribute name used in the document path is not "
        "defined; attribute name: #x");
    CHECK_STR(PROJ("a, #x", "{\"#x\":\"b\",\"#y\":\"c\"}", "{}"),
              "ERR: Value provided in ExpressionAttributeNames unused in expressions: keys: {#y}");
}

static const char *KC(const char *expr, const char *values)
{
    t_reset();
    expr_ctx_t *c = CTX(NULL, values);
    expr_keycond_t kc;
    if (expr_keycond_parse(c, expr, strlen(expr), &kc)) return ERRTEXT();
    buf_t b;
    buf_init(&b, A, 64);
    static const char *const ops[] = {"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"};
    for (size_t i = 0; i < kc.n; i++)
        buf_printf(&b, "%s%.*s %s %.*s", i ? "; " : "", (int)kc.part[i].name.len, kc.part[i].name.ptr,
                   ops[kc.part[i].op], (int)kc.part[i].v[0]->s.len, kc.part[i].v[0]->s.ptr);
    return b.data;
}

static void test_key_conditions(void)
{
    const char *v = "{\":a\":{\"S\":\"x\"},\":b\":{\"S\":\"y\"}}";
    CHECK_STR(KC("pk = :a", "{\":a\":{\"S\":\"x\"}}"), "pk = x");
    CHECK_STR(KC("pk = :a AND sk < :b", v), "pk = x; sk < y");
    CHECK_STR(KC(":b > sk AND pk = :a", v), "sk < y; pk = x");
    CHECK_STR(KC("pk = :a AND sk BETWEEN :a AND :b", v), "pk = x; sk BETWEEN x");
    CHECK_STR(KC("pk = :a AND begins_with(sk, :b)", v), "pk = x; sk begins_with y");
    CHECK_STR(KC("(pk = :a) AND (sk >= :b)", v), "pk = x; sk >= y");
    CHECK_STR(KC("pk = :a OR sk = :b", v), "ERR: Invalid operator used in KeyConditionExpression: OR");
    CHECK_STR(KC("NOT pk = :a", "{\":a\":{\"S\":\"x\"}}"),
              "ERR: Invalid operator used in KeyConditionExpression: NOT");
    CHECK_STR(KC("pk IN (:a, :b)", v), "ERR: Invalid operator used in KeyConditionExpression: IN");
    CHECK_STR(KC("pk <> :a", "{\":a\":{\"S\":\"x\"}}"),
              "ERR: Invalid operator used in KeyConditionExpression: <>");
    CHECK_STR(KC("pk = :a AND attribute_exists(sk)", "{\":a\":{\"S\":\"x\"}}"),
              "ERR: Invalid operator used in KeyConditionExpression: attribute_exists");
    CHECK_STR(KC("pk = :a AND contains(sk, :b)", v),
              "ERR: Invalid operator used in KeyConditionExpression: contains");
    CHECK_STR(KC("size(pk) = :a", "{\":a\":{\"N\":\"1\"}}"),
              "ERR: KeyConditionExpressions cannot contain nested operations");
    CHECK_STR(
        KC("pk = sk", NULL),
        "ERR: Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition");
    CHECK_STR(KC(":a = :b", v),
              "ERR: Invalid condition in KeyConditionExpression: No key attribute specified");
    CHECK_STR(KC("pk.x = :a", "{\":a\":{\"S\":\"x\"}}"),
              "ERR: Invalid KeyConditionExpression: KeyConditionExpressions cannot have conditions on nested "
              "attributes");
    CHECK_STR(KC(":a BETWEEN sk AND :b", v), "ERR: Invalid condition in KeyConditionExpression: BETWEEN "
                                             "operator must have the key attribute as its "
                                             "first operand");
    CHECK_STR(KC("begins_with(:a, sk)", "{\":a\":{\"S\":\"x\"}}"),
              "ERR: Invalid condition in KeyConditionExpression: begins_with operator must have the key "
              "attribute as "
              "its first operand");
    CHECK_STR(KC("pk = :a AND pk = :b", v),
              "ERR: Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition "
              "per key");
    /* up to 8 parts parse (a multi-attribute key has up to 8 attributes; binding decides) */
    CHECK_STR(KC("a = :a AND b = :a AND c = :b", v), "a = x; b = x; c = y");
    CHECK_STR(
        KC("a = :a AND b = :a AND c = :a AND d = :a AND e = :a AND f = :a AND g = :a AND h = :a AND i = :b",
           v),
        "ERR: Conditions can be of length 1 or 2 only");
    CHECK_STR(KC("", NULL), "ERR: Invalid KeyConditionExpression: The expression can not be empty;");
    CHECK_STR(KC("pk = ", NULL),
              "ERR: Invalid KeyConditionExpression: Syntax error; token: \"<EOF>\", near: \"= \"");
}

int main(void)
{
    test_valid_conditions();
    test_syntax_errors();
    test_redundant_parens();
    test_empty_and_size();
    test_reserved();
    test_names_values();
    test_ctx_keys();
    test_functions();
    test_operand_types();
    test_paths();
    test_nesting_limit();
    test_update_parse();
    test_update_checks();
    test_overlaps();
    test_projection_parse();
    test_key_conditions();
    arena_free(A);
    return check_done("expr/test_parse");
}
