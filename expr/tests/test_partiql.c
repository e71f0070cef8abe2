/*
 * test_partiql: PartiQL statements compiled into the expression trees: every statement form,
 * ? parameters, literals of every type, precedence, keyword case, quoting, the planner (Query
 * ranges, Scan, IN, ORDER BY), the key of UPDATE/DELETE, the projection shape, DynamoDB's
 * messages with the error's line and column, the nesting limit, and big statements staying
 * linear.
 */

#include "expr/tests/expr_test.h"

static expr_pq_pos_t POS;

/* Parameters from a JSON array of attribute values ("[{\"S\":\"a\"}]"); NULL: none. */
static size_t params_of(const char *json, av_t **out)
{
    *out = NULL;
    if (!json) return 0;
    json_t *j = t_json(json);
    av_t *v = ARENA_NEWN(A, av_t, j->n + 1);
    size_t n = 0;
    for (const json_t *c = j->child; c; c = c->next) to_av(c, &v[n++]);
    *out = v;
    return n;
}

static expr_partiql_t *parse_pq(const char *text, const char *params)
{
    t_reset();
    av_t *pv;
    size_t np = params_of(params, &pv);
    expr_partiql_t *st = NULL;
    memset(&POS, 0, sizeof POS);
    if (expr_partiql_parse(A, &E, text, strlen(text), np, pv, &st, &POS)) return NULL;
    return st;
}

/* "OK" or the error. */
static const char *PQ(const char *text, const char *params)
{
    return parse_pq(text, params) ? "OK" : ERRTEXT();
}

/* "line:column" of the error of a statement. */
static const char *PQPOS(const char *text)
{
    if (parse_pq(text, NULL)) return "no error";
    return arena_sprintf(A, "%u:%u", POS.line, POS.column);
}

static const char *KIND[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "EXISTS"};

/* kind, table, index, projection, order, returning. */
static const char *SHAPE(const char *text, const char *params)
{
    expr_partiql_t *st = parse_pq(text, params);
    if (!st) return ERRTEXT();
    buf_t b;
    buf_init(&b, A, 128);
    buf_printf(&b, "%s %.*s", KIND[st->kind], (int)st->table.len, st->table.ptr);
    if (st->has_index) buf_printf(&b, ".%.*s", (int)st->index.len, st->index.ptr);
    if (st->proj)
        for (size_t i = 0; i < st->proj->n; i++)
            buf_printf(&b, " %s", expr__path_text(A, &st->proj->paths[i]->path));
    for (size_t i = 0; i < st->norder; i++)
        buf_printf(&b, " order:%.*s%s", (int)st->order[i].name.len, st->order[i].name.ptr,
                   st->order[i].desc ? "-" : "+");
    if (st->returning) buf_printf(&b, " ret:%d", st->returning);
    if (st->where) buf_printf(&b, " conj:%zu", st->nconj);
    return b.data;
}

/* The WHERE evaluated on an item. */
static const char *WHERE(const char *text, const char *params, const char *item)
{
    expr_partiql_t *st = parse_pq(text, params);
    if (!st) return ERRTEXT();
    if (!st->where) return "no where";
    return expr_condition_eval(st->where, ITEM(item)) ? "true" : "false";
}

/* INSERT's item. */
static const char *INSERT(const char *text, const char *params)
{
    expr_partiql_t *st = parse_pq(text, params);
    if (!st) return ERRTEXT();
    return SHOW_MAP(st->item);
}

/* UPDATE applied to an item. */
static const char *UPDATE(const char *text, const char *params, const char *item)
{
    expr_partiql_t *st = parse_pq(text, params);
    if (!st) return ERRTEXT();
    expr_update_result_t res;
    if (expr_update_apply(st->update, ITEM(item), NULL, A, &E, &res)) return ERRTEXT();
    return SHOW_MAP(res.item);
}

static const char *KEYOP[] = {"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"};

static void show_v(buf_t *b, const av_t *v)
{
    buf_printf(b, "%s:%.*s", av_type_name(v->type), (int)v->s.len, v->s.ptr);
}

/* The plan for a table with key pk (S) and sk (N), or pk only when `hash_only`. */
static const char *PLAN2(const char *text, const char *params, int hash_only)
{
    expr_partiql_t *st = parse_pq(text, params);
    if (!st) return ERRTEXT();
    expr_pq_plan_t pl;
    if (expr_partiql_plan(st, "pk", AV_S, hash_only ? NULL : "sk", AV_N, A, &E, &pl)) return ERRTEXT();
    buf_t b;
    buf_init(&b, A, 128);
    if (pl.none) {
        buf_puts(&b, "none");
    } else if (!pl.nranges) {
        buf_puts(&b, "scan");
    } else {
        buf_puts(&b, "query");
        for (size_t i = 0; i < pl.nranges; i++) {
            buf_putc(&b, ' ');
            show_v(&b, pl.ranges[i].hash->v[0]);
        }
        const expr_keypart_t *r = pl.ranges[0].range;
        if (r) {
            buf_printf(&b, " sk %s ", KEYOP[r->op]);
            show_v(&b, r->v[0]);
            if (r->op == EXPR_KEY_BETWEEN) {
                buf_putc(&b, ' ');
                show_v(&b, r->v[1]);
            }
        }
        if (!pl.forward) buf_puts(&b, " desc");
    }
    if (pl.filter) {
        buf_puts(&b, " filter");
        if (pl.filter->root->kind == N_AND) buf_printf(&b, "x%u", pl.filter->root->nkids);
    }
    return b.data;
}

#define PLAN(t, p) PLAN2((t), (p), 0)

/* The key of an UPDATE/DELETE (pk S, sk N) and whether a condition remains. */
static const char *KEY(const char *text, const char *params, const char *item)
{
    expr_partiql_t *st = parse_pq(text, params);
    if (!st) return ERRTEXT();
    av_map_t *key;
    expr_cond_t *cond;
    if (expr_partiql_key(st, "pk", AV_S, "sk", AV_N, A, &E, &key, &cond)) return ERRTEXT();
    const char *k = SHOW_MAP(key);
    if (!cond) return arena_sprintf(A, "%s no-cond", k);
    return arena_sprintf(A, "%s cond:%s", k, expr_condition_eval(cond, ITEM(item)) ? "true" : "false");
}

#define M "Statement wasn't well formed, can't be processed: "

/* ---- tests ------------------------------------------------------------------------------- */

static void test_select_forms(void)
{
    CHECK_STR(SHAPE("SELECT * FROM \"Music\"", NULL), "SELECT Music");
    CHECK_STR(SHAPE("select * from Music", NULL), "SELECT Music");
    CHECK_STR(SHAPE("SeLeCt * FrOm Music WhErE a = 1", NULL), "SELECT Music conj:1");
    CHECK_STR(SHAPE("SELECT a, b.c, d[1], \"e f\".g FROM \"Music\".\"ByArtist\"", NULL),
              "SELECT Music.ByArtist [a] [b, c] [d, [1]] [e f, g]");
    CHECK_STR(SHAPE("SELECT * FROM Music WHERE pk = 'a' AND sk > 1 AND x = 2;", NULL), "SELECT Music conj:3");
    CHECK_STR(SHAPE("SELECT * FROM Music WHERE pk = 'a' ORDER BY sk DESC", NULL),
              "SELECT Music order:sk- conj:1");
    CHECK_STR(SHAPE("SELECT * FROM Music WHERE pk IN ['a','b'] ORDER BY pk, sk ASC", NULL),
              "SELECT Music order:pk+ order:sk+ conj:1");
    CHECK_STR(SHAPE("EXISTS(SELECT * FROM Music WHERE pk = 'a' AND n > 1)", NULL), "EXISTS Music conj:2");
    CHECK_STR(SHAPE("-- a comment\nSELECT /* inline */ * FROM Music -- trailing", NULL), "SELECT Music");
    CHECK_STR(SHAPE("SELECT \"say \"\"hi\"\"\" FROM \"Music\"", NULL), "SELECT Music [say \"hi\"]");
    CHECK_STR(PQ("SELECT * FROM \"Mu\"\"sic\"", NULL), "ERR: Table name should be within the length [3, 255] "
                                                       "and only contain 'a-z', 'A-Z', '0-9', '-', '_', "
                                                       "'.'.");
    CHECK_STR(SHAPE("SELECT a['b c'] FROM Music", NULL), "SELECT Music [a, b c]");
    CHECK_STR(SHAPE("SELECT a.value FROM Music", NULL), "SELECT Music [a, value]");
}

static void test_literals(void)
{
    CHECK_STR(INSERT("INSERT INTO Music VALUE {'pk': 'it''s', 'n': 1.50, 'm': -0.0, 'e': 15E-1, 'neg': -2.5}",
                     NULL),
              "{\"pk\":{\"S\":\"it's\"},\"n\":{\"N\":\"1.5\"},\"m\":{\"N\":\"0\"},\"e\":{\"N\":\"1.5\"},"
              "\"neg\":{\"N\":\"-2.5\"}}");
    CHECK_STR(
        INSERT("INSERT INTO Music VALUE {'t': TRUE, 'f': false, 'z': NULL, 'l': [1, 'a', [true]], "
               "'m': {'x': {'y': 'z'}}, 'e': {}, 'el': []}",
               NULL),
        "{\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"z\":{\"NULL\":true},\"l\":{\"L\":[{\"N\":\"1\"},"
        "{\"S\":\"a\"},{\"L\":[{\"BOOL\":true}]}]},\"m\":{\"M\":{\"x\":{\"M\":{\"y\":{\"S\":\"z\"}}}}},"
        "\"e\":{\"M\":{}},\"el\":{\"L\":[]}}");
    CHECK_STR(INSERT("INSERT INTO Music VALUE {'ss': <<'a', 'b'>>, 'ns': <<1, 2.0, -3>>}", NULL),
              "{\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"1\",\"2\",\"-3\"]}}");
    CHECK_STR(INSERT("INSERT INTO Music VALUE {'n': .5, 'big': 1E125, 'z': 0}", NULL),
              "{\"n\":{\"N\":\"0.5\"},\"big\":{\"N\":\"1"
              "00000000000000000000000000000000000000000000000000"
              "000000000000000000000000000000000000000000000000000000000000000000000000000\"},\"z\":{\"N\":"
              "\"0\"}}");
    /* values DynamoDB refuses */
    CHECK_STR(PQ("INSERT INTO Music VALUE {'s': <<>>}", NULL), "ERR: Empty bags are not supported");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'s': <<'a', 1>>}", NULL),
              "ERR: Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'s': <<true>>}", NULL),
              "ERR: Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'s': <<?>>}", "[{\"S\":\"a\"}]"),
              "ERR: Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'s': <<'a', 'a'>>}", NULL),
              "ERR: Input collection contains duplicates");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'s': <<1, 1.0>>}", NULL),
              "ERR: Input collection contains duplicates");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'n': 123456789012345678901234567890123456789}", NULL),
              "ERR: Attempting to store more than 38 significant digits in a Number");
    CHECK_STR(
        PQ("INSERT INTO Music VALUE {'n': 1E126}", NULL),
        "ERR: Number overflow. Attempting to store a number with magnitude larger than supported range");
    CHECK_STR(
        PQ("INSERT INTO Music VALUE {'n': 1E-131}", NULL),
        "ERR: Number underflow. Attempting to store a number with magnitude smaller than supported range");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'a': 1, 'a': 2}", NULL), "ERR: Duplicate keys in tuple. Key: a");
    CHECK_STR(PQ("INSERT INTO Music VALUE {a: 1}", NULL),
              "ERR: Tuple keys must be of type String. Actual type: VariableReference");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'a': MISSING}", NULL),
              "ERR: MISSING must be compared using IS operator");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'a': b}", NULL),
              "ERR: Only literals and parameters can be used inside a collection literal");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'a': `1`}", NULL), "ERR: Ion Literals are not supported: `1`");
}

static void test_parameters(void)
{
    CHECK_STR(INSERT("INSERT INTO Music VALUE {'pk': ?, 'l': [?, ?], 'm': {'k': ?}}",
                     "[{\"S\":\"a\"},{\"N\":\"1\"},{\"B\":\"xy\"},{\"BS\":[\"p\",\"q\"]}]"),
              "{\"pk\":{\"S\":\"a\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"B\":\"xy\"}]},\"m\":{\"M\":{\"k\":{"
              "\"BS\":[\"p\","
              "\"q\"]}}}}");
    CHECK_STR(WHERE("SELECT * FROM Tab WHERE a = ? AND b = ?", "[{\"N\":\"1\"},{\"S\":\"x\"}]",
                    "{\"a\":{\"N\":\"1.0\"},\"b\":{\"S\":\"x\"}}"),
              "true");
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = ?", NULL),
              "ERR: Number of parameters in request and statement don't match.");
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = ? AND b = ?", "[{\"N\":\"1\"}]"),
              "ERR: Number of parameters in request and statement don't match.");
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = ?", "[{\"N\":\"1\"},{\"N\":\"2\"}]"),
              "ERR: Number of parameters in request and statement don't match.");
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = '?'", "[{\"N\":\"1\"}]"),
              "ERR: Number of parameters in request and statement don't match.");
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = '?'", NULL), "OK");
    /* a syntax error wins over a parameter count */
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = ? AND", NULL), "ERR: " M "Unexpected term");
    expr_partiql_t *st =
        parse_pq("UPDATE Tab SET a = ? WHERE pk = ? AND sk = ?", "[{\"N\":\"1\"},{\"S\":\"k\"},"
                                                                 "{\"N\":\"2\"}]");
    CHECK(st != NULL);
    if (st) CHECK_INT(st->nparams, 3);
}

static void test_where_operators(void)
{
    const char *item =
        "{\"a\":{\"N\":\"5\"},\"s\":{\"S\":\"hello\"},\"l\":{\"L\":[{\"S\":\"x\"},{\"N\":\"2\"}]},"
        "\"ss\":{\"SS\":[\"p\",\"q\"]},\"z\":{\"NULL\":true},\"m\":{\"M\":{\"k\":{\"BOOL\":true}}}}";
    static const struct {
        const char *where, *want;
    } cases[] = {
        {"a = 5", "true"},
        {"a <> 5", "false"},
        {"a != 4", "true"},
        {"a < 6 AND a <= 5 AND a > 4 AND a >= 5", "true"},
        {"6 > a", "true"},
        {"a BETWEEN 1 AND 5", "true"},
        {"a BETWEEN 6 AND 9", "false"},
        {"a NOT BETWEEN 6 AND 9", "true"},
        {"a IN [1, 5]", "true"},
        {"a IN (1, 2)", "false"},
        {"a NOT IN (1, 2)", "true"},
        {"s IN ['hello']", "true"},
        {"nope IS MISSING", "true"},
        {"a IS MISSING", "false"},
        {"a IS NOT MISSING", "true"},
        {"z IS NULL", "true"},
        {"a IS NULL", "false"},
        {"a IS NOT NULL", "true"},
        {"s IS STRING AND a IS NUMERIC AND m IS STRUCT AND l IS LIST AND m.k IS BOOLEAN", "true"},
        {"begins_with(s, 'he')", "true"},
        {"BEGINS_WITH(s, 'lo')", "false"},
        {"contains(s, 'ell') AND contains(ss, 'q') AND contains(l, 2)", "true"},
        {"attribute_type(s, 'S')", "true"},
        {"attribute_exists(m.k) AND attribute_not_exists(m.j)", "true"},
        {"size(s) = 5 AND size(l) < 3 AND size(m) = 1", "true"},
        {"m.k = TRUE", "true"},
        {"l[1] = 2 AND l[0] = 'x'", "true"},
        {"\"a\" = 5", "true"},
        {"NOT a = 4", "true"},
        {"NOT (a = 5)", "false"},
        {"a = 5 OR a = 6 AND a = 7", "true"}, /* AND binds tighter */
        {"(a = 5 OR a = 6) AND a = 7", "false"},
        {"NOT a = 5 OR a = 5", "true"}, /* NOT binds tighter than OR */
        {"NOT NOT a = 5", "true"},
        {"a = 2 + 3", "ERR: Unsupported operator in Condition Expression. Operator: +"},
        {"a = 1 AND b LIKE 'x%'", "ERR: Unsupported operator in Condition Expression. Operator: LIKE"},
        {"a", "ERR: WHERE clause must contain an expression that resolves to a boolean"},
        {"a AND b = 1", "ERR: The arguments to AND/OR must be Expressions"},
        {"NOT a", "ERR: The argument to NOT must be a Type or Expression"},
        {"foo(a)", "ERR: Unrecognized function: foo"},
        {"Foo(a) = 1", "ERR: Unrecognized function: foo"},
        {"begins_with(a)", "ERR: Incorrect number of operands for operator or function; operator or "
                           "function: begins_with, number "
                           "of operands: 1"},
        {"attribute_exists('a')",
         "ERR: Operator or function requires a document path; operator or function: attribute_exists"},
        {"a IN 1", "ERR: IN operator must have a left hand argument of type Variable Reference and right "
                   "hand argument of "
                   "type Seq with at least one member"},
        {"a IN []", "ERR: IN operator must have a left hand argument of type Variable Reference and right "
                    "hand argument of "
                    "type Seq with at least one member"},
        {"a IN (1)", "ERR: IN operator must have a left hand argument of type Variable Reference and right "
                     "hand argument of "
                     "type Seq with at least one member"},
        {"a = MISSING", "ERR: MISSING must be compared using IS operator"},
        {"a IS INT", "ERR: Unsupported data type for IS operator: INT. Supported data types are [MISSING, "
                     "NULL, BOOLEAN, BLOB, "
                     "STRING, NUMERIC, STRUCT, TUPLE, LIST]"},
        {"a[*] = 1", "ERR: Wildcard path component like a[*].b are not supported"},
        {"a.*.b = 1", "ERR: Unpivot path component like a.*.b are not supported"},
        {"l[-1] = 1", "ERR: List index is not within the allowable range; index: [-1]"},
        {"l[1.5] = 1", "ERR: List index is not within the allowable range; index: [1.5]"},
        {"l[b] = 1", "ERR: Unexpected path component"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *text = arena_sprintf(A, "SELECT * FROM Tab WHERE %s", cases[i].where);
        char *stmt = strdup(text);
        const char *got = WHERE(stmt, NULL, item);
        if (strcmp(got, cases[i].want)) {
            fprintf(stderr, "WHERE %s: got %s, want %s\n", cases[i].where, got, cases[i].want);
            CHECK(0);
        } else {
            CHECK(1);
        }
        free(stmt);
    }
}

static void test_update(void)
{
    const char *item = "{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"1\"},\"l\":{\"L\":[{\"N\":\"1\"}]},"
                       "\"ss\":{\"SS\":[\"a\",\"b\"]},\"gone\":{\"S\":\"x\"}}";
    CHECK_STR(
        UPDATE("UPDATE Tab SET n = n + 2, s = 'v' REMOVE gone SET l = list_append(l, [2]) WHERE pk = 'k'",
               NULL, item),
        "{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"3\"},\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]},"
        "\"ss\":{\"SS\":[\"a\",\"b\"]},\"s\":{\"S\":\"v\"}}");
    CHECK_STR(UPDATE("UPDATE Tab SET ss = set_add(ss, <<'c'>>) WHERE pk = 'k'", NULL, item),
              "{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"1\"},\"l\":{\"L\":[{\"N\":\"1\"}]},"
              "\"ss\":{\"SS\":[\"a\",\"b\",\"c\"]},\"gone\":{\"S\":\"x\"}}");
    CHECK_STR(
        UPDATE("update Tab set ss = SET_DELETE(ss, <<'a', 'b'>>) where pk = 'k'", NULL, item),
        "{\"pk\":{\"S\":\"k\"},\"n\":{\"N\":\"1\"},\"l\":{\"L\":[{\"N\":\"1\"}]},\"gone\":{\"S\":\"x\"}}");
    CHECK_STR(UPDATE("UPDATE Tab SET ns = set_add(ns, ?) WHERE pk = 'k'", "[{\"NS\":[\"5\"]}]",
                     "{\"pk\":{\"S\":\"k\"}}"),
              "{\"pk\":{\"S\":\"k\"},\"ns\":{\"NS\":[\"5\"]}}");
    CHECK_STR(UPDATE("UPDATE Tab SET n = n - -1, m = {'a': [1]}, m2 = ? WHERE pk = 'k'", "[{\"N\":\"9\"}]",
                     "{\"n\":{\"N\":\"1\"}}"),
              "{\"n\":{\"N\":\"2\"},\"m\":{\"M\":{\"a\":{\"L\":[{\"N\":\"1\"}]}}},\"m2\":{\"N\":\"9\"}}");
    CHECK_STR(UPDATE("UPDATE Tab SET n = -n WHERE pk = 'k'", NULL, "{\"n\":{\"N\":\"4\"}}"),
              "{\"n\":{\"N\":\"-4\"}}");
    CHECK_STR(UPDATE("UPDATE Tab SET a.b = 1, l[0] = 'x' REMOVE l[1] WHERE pk = 'k'", NULL,
                     "{\"a\":{\"M\":{}},\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}"),
              "{\"a\":{\"M\":{\"b\":{\"N\":\"1\"}}},\"l\":{\"L\":[{\"S\":\"x\"}]}}");
    CHECK_STR(
        UPDATE("UPDATE Tab REMOVE a, b WHERE pk = 'k'", NULL, "{\"a\":{\"N\":\"1\"},\"b\":{\"N\":\"1\"}}"),
        "{}");
    CHECK_STR(SHAPE("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING ALL OLD *", NULL),
              "UPDATE Tab ret:1 conj:1");
    CHECK_STR(SHAPE("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING modified old *", NULL),
              "UPDATE Tab ret:2 conj:1");
    CHECK_STR(SHAPE("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING ALL NEW *", NULL),
              "UPDATE Tab ret:3 conj:1");
    CHECK_STR(SHAPE("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING MODIFIED NEW *", NULL),
              "UPDATE Tab ret:4 conj:1");
    CHECK_STR(SHAPE("UPDATE Tab SET a = 1", NULL), "UPDATE Tab");
    /* refused */
    CHECK_STR(PQ("UPDATE Tab SET a = a * 2 WHERE pk = 'k'", NULL),
              "ERR: Unsupported operator in Update Expression. Operator: *");
    CHECK_STR(PQ("UPDATE Tab SET a = b IS MISSING WHERE pk = 'k'", NULL),
              "ERR: IS operator is not supported in update expressions");
    CHECK_STR(PQ("UPDATE Tab SET a = if_not_exists(a, 1) WHERE pk = 'k'", NULL),
              "ERR: Unrecognized function: if_not_exists");
    CHECK_STR(PQ("UPDATE Tab SET a = set_add(a) WHERE pk = 'k'", NULL),
              "ERR: SET_ADD must have exactly two arguments");
    CHECK_STR(PQ("UPDATE Tab SET a = set_add(b, <<1>>) WHERE pk = 'k'", NULL),
              "ERR: The first argument to SET_ADD must equal the assignment value");
    CHECK_STR(PQ("UPDATE Tab SET a = set_delete(a, [1]) WHERE pk = 'k'", NULL),
              "ERR: The second argument to SET_DELETE must be a value with type SET");
    CHECK_STR(PQ("UPDATE Tab SET 'a' = 1 WHERE pk = 'k'", NULL), "ERR: Unrecognized assignment target: 'a'");
    CHECK_STR(PQ("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING ALL OLD a", NULL),
              "ERR: Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    CHECK_STR(PQ("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING ALL OLD *, ALL NEW *", NULL),
              "ERR: Invalid syntax with multiple returning elements in RETURNING clause");
    CHECK_STR(PQ("UPDATE Tab SET a = 1 WHERE pk = 'k' RETURNING OLD *", NULL),
              "ERR: " M "Expected ( MODIFIED | ALL ) ( NEW | OLD ) in each returning element.");
    CHECK_STR(PQ("UPDATE Tab WHERE pk = 'k'", NULL), "ERR: " M "Expected data manipulation");
    CHECK_STR(PQ("UPDATE Tab SET WHERE pk = 'k'", NULL), "ERR: " M "Expected assignment for SET");
    CHECK_STR(PQ("UPDATE Tab SET a WHERE pk = 'k'", NULL), "ERR: " M "Expected assignment for SET");
    CHECK_STR(PQ("UPDATE Tab SET a = 1, a.b = 2 WHERE pk = 'k'", NULL),
              "ERR: Invalid UpdateExpression: Two document paths overlap with each other; must remove or "
              "rewrite one "
              "of these paths; path one: [a], path two: [a, b]");
    CHECK_STR(PQ("UPDATE \"Tab\".\"I\" SET a = 1 WHERE pk = 'k'", NULL),
              "ERR: This operation is not supported on an index");
}

static void test_insert_delete(void)
{
    CHECK_STR(SHAPE("INSERT INTO \"Music\" VALUE {'pk': 'a'}", NULL), "INSERT Music");
    CHECK_STR(SHAPE("DELETE FROM Music WHERE pk = 'a' AND sk = 1", NULL), "DELETE Music conj:2");
    CHECK_STR(SHAPE("DELETE FROM Music WHERE pk = 'a' RETURNING ALL OLD *", NULL),
              "DELETE Music ret:1 conj:1");
    CHECK_STR(PQ("DELETE FROM Music WHERE pk = 'a' RETURNING MODIFIED OLD *", NULL),
              "ERR: Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed "
              "in DELETE "
              "statements.");
    CHECK_STR(PQ("DELETE Music WHERE pk = 'a'", NULL), "ERR: " M "Expected FROM after DELETE");
    CHECK_STR(
        PQ("INSERT INTO Music VALUES ({'pk': 'a'})", NULL),
        "ERR: Unsupported operation: Inserting multiple items in a single statement is not supported, use "
        "\"INSERT INTO tableName VALUE item\" instead");
    CHECK_STR(
        PQ("INSERT INTO Music <<{'pk': 'a'}>>", NULL),
        "ERR: Unsupported operation: Inserting multiple items in a single statement is not supported, use "
        "\"INSERT INTO tableName VALUE item\" instead");
    CHECK_STR(PQ("INSERT INTO urls (key, v) VALUES (?, ?)", NULL), "ERR: " M "Unexpected keyword");
    CHECK_STR(PQ("INSERT INTO Music VALUE ['a']", NULL), "ERR: Unsupported format in item expression. Please "
                                                         "use struct format {...} to express item values for "
                                                         "insert statement.");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'pk': 'a'} RETURNING ALL OLD *", NULL),
              "ERR: RETURNING is not supported in INSERT");
    CHECK_STR(PQ("INSERT INTO Music VALUE {'pk': 'a'} AT 1", NULL),
              "ERR: AT is not supported in insert statements.");
    CHECK_STR(PQ("INSERT Music VALUE {'pk': 'a'}", NULL), "ERR: " M "Unexpected keyword");
}

static void test_syntax_errors(void)
{
    static const struct {
        const char *text, *msg, *pos;
    } cases[] = {
        {"SLECT * FROM \"Users\"", M "Expected data manipulation", "1:1"},
        {"", M "Expected data manipulation", "1:1"},
        {"SELECT * FROM Tab WHERE", M "Unexpected term", "1:24"},
        {"SELECT * FROM Tab WHERE a = ", M "Unexpected term", "1:29"},
        {"SELECT * FROM Tab WHERE a = 1 garbage", M "Unexpected token after expression", "1:31"},
        {"SELECT * FROM Tab WHERE a = 1; SELECT * FROM Tab", M "Unexpected token after expression", "1:32"},
        {"SELECT * T", M "Expected FROM after SELECT list", "1:10"},
        {"SELECT * FROM Tab WHERE (a = 1", M "Expected RIGHT_PAREN", "1:31"},
        {"SELECT * FROM Tab WHERE a IN [1, 2", M "Expected RIGHT_BRACKET", "1:35"},
        {"SELECT * FROM Tab WHERE a = {'a' 1}", M "Expected COLON", "1:34"},
        {"SELECT * FROM Tab WHERE a = {'a': 1", M "Expected RIGHT_CURLY", "1:36"},
        {"SELECT * FROM Tab WHERE a = <<1, 2", M "Expected RIGHT_DOUBLE_ANGLE_BRACKET", "1:35"},
        {"SELECT * FROM Tab WHERE a = ()", M "Expression group cannot be empty", "1:30"},
        {"SELECT * FROM Tab WHERE a BETWEEN 1 OR 2", M "Expected AND keyword", "1:37"},
        {"SELECT * FROM Tab WHERE pad = 'none'", M "Unexpected keyword", "1:25"},
        {"SELECT * FROM Tab WHERE size = 1", M "Unexpected keyword", "1:25"},
        {"SELECT * FROM Tab WHERE a = = 1", M "Unexpected operator", "1:29"},
        {"SELECT * FROM Tab WHERE a. = 1", M "Invalid path dot component", "1:28"},
        {"SELECT * FROM Tab WHERE a = 'unterminated", M, "1:29"},
        {"SELECT * FROM Tab WHERE a = \"unterminated", M, "1:29"},
        {"SELECT * FROM Tab WHERE a = 1 /* open", M, "1:31"},
        {"SELECT * FROM Tab WHERE a = #1", M, "1:29"},
        {"SELECT * FROM Tab WHERE a = 1 #", M, "1:31"},
        {"SELECT *, a FROM Tab",
         M "Other expressions may not be present in the select list when '*' is used without dot notation.",
         "1:8"},
        {"SELECT * FROM", M "Unexpected term", "1:14"},
        {"SELECT * FROM select", M "Unexpected keyword", "1:15"},
        {"SELECT * FROM Tab WHERE a = 1\n  AND b = ", M "Unexpected term", "2:11"},
        {"SELECT * FROM Tab WHERE \xc3\xa9t\xc3\xa9 = 1", M, "1:25"},
        {"SELECT * FROM Tab WHERE a = 'é' AND AND", M "Unexpected keyword", "1:37"},
        {"UPDATE Tab SET a = 1 WHERE pk = 'k' x", M "Unexpected token after expression", "1:37"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = PQ(cases[i].text, NULL);
        const char *want = arena_sprintf(A, "ERR: %s", cases[i].msg);
        if (strcmp(got, want)) {
            fprintf(stderr, "statement %s: got %s, want %s\n", cases[i].text, got, want);
            CHECK(0);
        }
        const char *pos = PQPOS(cases[i].text);
        if (strcmp(pos, cases[i].pos)) {
            fprintf(stderr, "statement %s: error at %s, want %s\n", cases[i].text, pos, cases[i].pos);
            CHECK(0);
        }
        CHECK(1);
    }
    /* semantic errors point at their token too */
    CHECK_STR(PQPOS("SELECT * FROM Tab WHERE a = MISSING"), "1:29");
    /* a syntax error later in the statement wins over an earlier other problem */
    CHECK_STR(PQ("SELECT * FROM Tab WHERE a = MISSING AND", NULL), "ERR: " M "Unexpected term");
}

static void test_sources(void)
{
    CHECK_STR(PQ("SELECT * FROM \"Tab\".\"I\".\"J\"", NULL),
              "ERR: A path may contain at most 2 components in the FROM clause");
    CHECK_STR(PQ("SELECT * FROM \"\"", NULL), "ERR: Path component cannot be an empty string");
    CHECK_STR(PQ("SELECT * FROM ab", NULL), "ERR: Table name should be within the length [3, 255] and only "
                                            "contain 'a-z', 'A-Z', '0-9', '-', '_', "
                                            "'.'.");
    CHECK_STR(PQ("SELECT * FROM \"a b c\"", NULL), "ERR: Table name should be within the length [3, 255] and "
                                                   "only contain 'a-z', 'A-Z', '0-9', '-', '_', "
                                                   "'.'.");
    CHECK_STR(PQ("SELECT * FROM Music m", NULL), "ERR: Aliasing is not supported");
    CHECK_STR(PQ("SELECT * FROM Music AS m", NULL), "ERR: Aliasing is not supported");
    CHECK_STR(PQ("SELECT a AS b FROM Music", NULL), "ERR: Aliasing is not supported");
    CHECK_STR(PQ("SELECT m.z, n.z FROM Music", NULL), "ERR: Duplicate identifiers in select clause: z");
    CHECK_STR(PQ("SELECT a, a FROM Music", NULL), "ERR: Duplicate identifiers in select clause: a");
    CHECK_STR(PQ("SELECT VALUE a FROM Music", NULL),
              "ERR: Select projection doesn't support value or pivot keywords");
    CHECK_STR(PQ("SELECT a + 1 FROM Music", NULL), "ERR: Unsupported operation: a + 1 in the select list");
    CHECK_STR(PQ("SELECT * FROM Music LIMIT 10", NULL), "ERR: Unsupported clause: LIMIT");
    CHECK_STR(PQ("SELECT * FROM Music ORDER BY pk", NULL),
              "ERR: Must have WHERE clause in the statement when using ORDER BY clause.");
    CHECK_STR(PQ("SELECT * FROM Music WHERE pk = 'a' ORDER BY a.b", NULL),
              "ERR: Argument to ORDER BY must be of type VariableReference. Type: Path");
}

static void test_plan(void)
{
    CHECK_STR(PLAN("SELECT * FROM Tab", NULL), "scan");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE a = 1", NULL), "scan filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a'", NULL), "query S:a");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE 'a' = pk AND sk > 3", NULL), "query S:a sk > N:3");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE 3 > sk AND pk = 'a'", NULL), "query S:a sk < N:3");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = ? AND sk BETWEEN 1 AND 5 AND x = 1", "[{\"S\":\"p\"}]"),
              "query S:p sk BETWEEN N:1 N:5 filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' AND (sk >= 2 AND x = 1) AND y = 2", NULL),
              "query S:a sk >= N:2 filterx2");
    CHECK_STR(PLAN2("SELECT * FROM Tab WHERE pk = 'a' AND begins_with(sk, 'x')", NULL, 1),
              "query S:a filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' AND begins_with(sk, 1)", NULL), "query S:a filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk IN ['b', 'a', 'b', 1] AND sk = 1", NULL),
              "query S:b S:a sk = N:1");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 1", NULL), "none");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = ''", NULL), "none");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' OR pk = 'b'", NULL), "scan filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE NOT pk = 'a'", NULL), "scan filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk.x = 'a'", NULL), "scan filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' AND pk = 'b'", NULL), "query S:a filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' AND sk BETWEEN 5 AND 1", NULL), "query S:a filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' AND sk <> 1", NULL), "query S:a filter");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' ORDER BY sk DESC", NULL), "query S:a desc");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk IN ['a', 'c', 'b'] ORDER BY pk DESC, sk", NULL),
              "query S:c S:b S:a");
    CHECK_STR(
        PLAN("SELECT * FROM Tab WHERE pk IN ['a', 'c'] ORDER BY sk", NULL),
        "ERR: Must have hash key in ORDER BY clause when more than one hash key condition specified in WHERE "
        "clause.");
    CHECK_STR(
        PLAN("SELECT * FROM Tab WHERE x = 1 ORDER BY pk", NULL),
        "ERR: Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY "
        "clause.");
    CHECK_STR(PLAN("SELECT * FROM Tab WHERE pk = 'a' ORDER BY x", NULL),
              "ERR: Variable reference x in ORDER BY clause must be part of the primary key");
}

static void test_key(void)
{
    const char *item = "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"},\"n\":{\"N\":\"5\"}}";
    CHECK_STR(KEY("DELETE FROM Tab WHERE pk = 'k' AND sk = 1", NULL, item),
              "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"}} no-cond");
    CHECK_STR(KEY("DELETE FROM Tab WHERE 1 = sk AND n > 3 AND 'k' = pk", NULL, item),
              "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"}} cond:true");
    CHECK_STR(
        KEY("UPDATE Tab SET a = 1 WHERE pk = ? AND sk = ? AND n < 3", "[{\"S\":\"k\"},{\"N\":\"1\"}]", item),
        "{\"pk\":{\"S\":\"k\"},\"sk\":{\"N\":\"1\"}} cond:false");
    CHECK_STR(KEY("DELETE FROM Tab WHERE pk = 'k'", NULL, item),
              "ERR: Where clause does not contain a mandatory equality on all key attributes");
    CHECK_STR(KEY("DELETE FROM Tab", NULL, item),
              "ERR: Where clause does not contain a mandatory equality on all key attributes");
    CHECK_STR(KEY("DELETE FROM Tab WHERE pk = 'k' OR sk = 1", NULL, item),
              "ERR: Where clause does not contain a mandatory equality on all key attributes");
    CHECK_STR(KEY("DELETE FROM Tab WHERE pk = 'k' AND sk = 1 AND pk = 'j'", NULL, item),
              "ERR: Multiple conditions on same key pk. Only single item Update/Insert/Delete are supported");
    CHECK_STR(KEY("DELETE FROM Tab WHERE pk = 1 AND sk = 1", NULL, item),
              "ERR: Key attribute's data type should match its data type in table's schema: Key pk");
    CHECK_STR(KEY("DELETE FROM Tab WHERE pk = '' AND sk = 1", NULL, item),
              "ERR: One or more parameter values are not valid. The AttributeValue for a key attribute "
              "cannot contain "
              "an empty string value. Key: pk");
}

static void test_project(void)
{
    expr_partiql_t *st = parse_pq("SELECT m.k[1], l[0], m.z, nope, \"x\" FROM Tab", NULL);
    CHECK(st != NULL);
    if (!st) return;
    av_map_t *item = ITEM("{\"m\":{\"M\":{\"k\":{\"L\":[{\"N\":\"0\"},{\"N\":\"1\"}]},\"z\":{\"S\":\"z\"}}},"
                          "\"l\":{\"L\":[{\"S\":\"a\"}]},\"x\":{\"BOOL\":true}}");
    CHECK_STR(SHOW_MAP(expr_partiql_project(st, item, A)),
              "{\"k[1]\":{\"N\":\"1\"},\"l[0]\":{\"S\":\"a\"},\"z\":{\"S\":\"z\"},\"x\":{\"BOOL\":true}}");
    CHECK_STR(
        SHOW_MAP(expr_projection_apply(st->proj, item, A)),
        "{\"m\":{\"M\":{\"k\":{\"L\":[{\"N\":\"1\"}]},\"z\":{\"S\":\"z\"}}},\"l\":{\"L\":[{\"S\":\"a\"}]},"
        "\"x\":{\"BOOL\":true}}");
}

static void test_depth(void)
{
    /* parentheses 100 deep parse; 1,000 deep hit the limit with a message, not a crash */
    buf_t b;
    for (int depth = 100; depth <= 1000; depth += 900) {
        t_reset();
        buf_init(&b, A, 4096);
        buf_puts(&b, "SELECT * FROM Tab WHERE ");
        for (int i = 0; i < depth; i++) buf_putc(&b, '(');
        buf_puts(&b, "a = 1");
        for (int i = 0; i < depth; i++) buf_putc(&b, ')');
        char *s = strdup(b.data);
        const char *got = PQ(s, NULL);
        CHECK_STR(got, depth == 100 ? "OK" : "ERR: " M "Statement nesting is too deep");
        free(s);
    }
    t_reset();
    buf_init(&b, A, 4096);
    buf_puts(&b, "SELECT * FROM Tab WHERE ");
    for (int i = 0; i < 5000; i++) buf_puts(&b, "NOT ");
    buf_puts(&b, "a = 1");
    char *s = strdup(b.data);
    CHECK_STR(PQ(s, NULL), "ERR: " M "Statement nesting is too deep");
    free(s);
    t_reset();
    buf_init(&b, A, 4096);
    buf_puts(&b, "INSERT INTO Tab VALUE {'a': ");
    for (int i = 0; i < 5000; i++) buf_putc(&b, '[');
    s = strdup(b.data);
    CHECK_STR(PQ(s, NULL), "ERR: " M "Statement nesting is too deep");
    free(s);
}

/* Seconds to parse a statement built by `gen` with n repetitions. */
static void parse_big(size_t n, int kind, size_t *nconj)
{
    t_reset();
    buf_t b;
    buf_init(&b, A, n * 16 + 64);
    if (kind == 0) { /* a long AND chain */
        buf_puts(&b, "SELECT * FROM Tab WHERE pk = 'a'");
        for (size_t i = 0; i < n; i++) buf_printf(&b, " AND a%zu = %zu", i, i);
    } else if (kind == 1) { /* a long IN list */
        buf_puts(&b, "SELECT * FROM Tab WHERE pk IN [");
        for (size_t i = 0; i < n; i++) buf_printf(&b, "%s'v%zu'", i ? "," : "", i);
        buf_puts(&b, "]");
    } else { /* a big item */
        buf_puts(&b, "INSERT INTO Tab VALUE {");
        for (size_t i = 0; i < n; i++) buf_printf(&b, "%s'k%zu': <<'x', 'y%zu'>>", i ? "," : "", i, i);
        buf_puts(&b, "}");
    }
    char *s = strdup(b.data);
    size_t len = b.len;
    expr_partiql_t *st = NULL;
    ddb_err_t rc = expr_partiql_parse(A, &E, s, len, 0, NULL, &st, NULL);
    expr_pq_plan_t pl;
    if (!rc) rc = expr_partiql_plan(st, "pk", AV_S, NULL, AV_N, A, &E, &pl);
    CHECK_INT(rc, DDB_OK);
    if (!rc && kind == 1) CHECK_INT(pl.nranges, n);
    if (!rc && nconj) *nconj = st->nconj;
    free(s);
}

/* 200,000-operand inputs parse, plan and evaluate without recursion or a crash. Their cost being
 * linear is a benchmark's question (bench/worstcase.py), not a timed test's: a shared machine makes
 * timings flaky. */
static void test_large_linear(void)
{
    for (int kind = 0; kind < 3; kind++) {
        size_t nconj = 0;
        parse_big(200000, kind, &nconj);
        if (kind == 0) CHECK_INT(nconj, 200001);
    }
}

int main(void)
{
    test_select_forms();
    test_literals();
    test_parameters();
    test_where_operators();
    test_update();
    test_insert_delete();
    test_syntax_errors();
    test_sources();
    test_plan();
    test_key();
    test_project();
    test_depth();
    test_large_linear();
    arena_free(A);
    return check_done("test_partiql");
}
