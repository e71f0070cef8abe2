/*
 * test_av: AttributeValue helpers: type names, map lookup, deep copy, equality (numbers by value,
 * sets without order, maps without member order), scalar ordering, and the item-size rule
 * (including the number sizes measured against AWS).
 */
#include "common/av.h"

#include <stdlib.h>
#include <string.h>

#include "common/tests/check.h"

static arena_t *A;

/* Value constructors. They expand to compound literals (lvalues), so `&S("a")` is a pointer to a
 * value that lives until the end of the enclosing block. */
#define Sn(p, n) ((av_t){.type = AV_S, .s = {(p), (n)}})
#define S(z) Sn((z), strlen(z))
#define N(z) ((av_t){.type = AV_N, .s = {(z), strlen(z)}})
#define Bn(p, n) ((av_t){.type = AV_B, .s = {(p), (n)}})
#define BOOL(v) ((av_t){.type = AV_BOOL, .b = (v)})
#define NUL() ((av_t){.type = AV_NULL})

/* The items of a list-shaped value (L, SS, NS, BS), copied into the test arena. */
static av_list_t mklist(size_t n, const av_t *items)
{
    av_t *copy = n ? ARENA_NEWN(A, av_t, n) : NULL;
    if (n) memcpy(copy, items, n * sizeof(av_t));
    return (av_list_t){n, copy};
}

static av_map_t MAP(size_t n, const char *const *names, const av_t *vals)
{
    av_kv_t *kvs = n ? ARENA_NEWN(A, av_kv_t, n) : NULL;
    for (size_t i = 0; i < n; i++) {
        kvs[i].name = (ddb_str_t){names[i], strlen(names[i])};
        kvs[i].val = vals[i];
    }
    return (av_map_t){n, kvs};
}

#define ARR(...) ((const av_t[]){__VA_ARGS__})
#define NAMES(...) ((const char *const[]){__VA_ARGS__})
#define COUNT(...) (sizeof((const av_t[]){__VA_ARGS__}) / sizeof(av_t))
#define MKLIST(t, ...) ((av_t){.type = (t), .l = mklist(COUNT(__VA_ARGS__), ARR(__VA_ARGS__))})
#define EMPTY(t) ((av_t){.type = (t), .l = {0, NULL}})
#define M(n, names, vals) ((av_t){.type = AV_M, .m = MAP((n), (names), (vals))})

static void test_type_names(void)
{
    static const struct {
        av_type_t t;
        const char *name;
    } cases[] = {
        {AV_S, "S"}, {AV_N, "N"}, {AV_B, "B"},   {AV_BOOL, "BOOL"}, {AV_NULL, "NULL"},
        {AV_M, "M"}, {AV_L, "L"}, {AV_SS, "SS"}, {AV_NS, "NS"},     {AV_BS, "BS"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        CHECK_STR(av_type_name(cases[i].t), cases[i].name);
        CHECK_INT(av_type_from_name(cases[i].name, strlen(cases[i].name)), cases[i].t);
    }
    CHECK_STR(av_type_name(AV_NONE), "");
    CHECK_INT(av_type_from_name("s", 1), AV_NONE);
    CHECK_INT(av_type_from_name("", 0), AV_NONE);
    CHECK_INT(av_type_from_name("SSS", 3), AV_NONE);
    CHECK_INT(av_type_from_name("BOOLEAN", 7), AV_NONE);
    CHECK_INT(av_type_from_name("BOOLEAN", 4), AV_BOOL); /* only n bytes are read */
}

static void test_map_get_and_copy(void)
{
    av_map_t m = MAP(3, NAMES("a", "bb", "c\0d"), ARR(S("x"), N("12.5"), BOOL(true)));
    m.kvs[2].name.len = 3; /* a name with an embedded NUL */
    CHECK(av_map_get(&m, "a", 1) == &m.kvs[0].val);
    CHECK(av_map_get(&m, "bb", 2) == &m.kvs[1].val);
    CHECK(av_map_get(&m, "b", 1) == NULL);
    CHECK(av_map_get(&m, "bbb", 3) == NULL);
    CHECK(av_map_get(&m, "c\0d", 3) == &m.kvs[2].val);
    CHECK(av_map_get(&m, "c", 1) == NULL);
    CHECK(av_map_getz(&m, DDB_STR("bb")) == &m.kvs[1].val);

    /* Deep copy of a nested value: equal, and sharing no memory with the source. */
    char sbuf[] = "hello", nbuf[] = "-3.25", bbuf[] = {0, 1, 2, (char)0xFF};
    av_t inner = M(2, NAMES("k1", "k2"), ARR(Sn(sbuf, 5), MKLIST(AV_NS, N(nbuf), N("7"))));
    av_t src = MKLIST(AV_L, inner, Bn(bbuf, 4), NUL(), BOOL(false), EMPTY(AV_L));
    av_t dst;
    arena_t *b = arena_new(0);
    av_copy(b, &src, &dst);
    CHECK(av_equal(&src, &dst));
    CHECK(dst.l.items != src.l.items);
    CHECK(dst.l.items[0].m.kvs[0].val.s.ptr != sbuf);
    CHECK(dst.l.items[0].m.kvs[0].name.ptr != src.l.items[0].m.kvs[0].name.ptr);
    CHECK_MEM(dst.l.items[1].s.ptr, dst.l.items[1].s.len, bbuf, 4);
    CHECK_INT(dst.l.items[4].l.n, 0);
    sbuf[0] = 'j';
    nbuf[1] = '4';
    bbuf[0] = 9;
    CHECK(!av_equal(&src, &dst));
    CHECK_MEM(dst.l.items[0].m.kvs[0].val.s.ptr, 5, "hello", 5);
    CHECK_STR(dst.l.items[0].m.kvs[1].val.l.items[0].s.ptr, "-3.25");
    CHECK_INT((unsigned char)dst.l.items[1].s.ptr[0], 0);

    av_map_t mc;
    av_map_copy(b, &m, &mc);
    CHECK_INT(mc.n, 3);
    CHECK(av_map_get(&mc, "c\0d", 3) != NULL);
    CHECK(av_equal(&(av_t){.type = AV_M, .m = m}, &(av_t){.type = AV_M, .m = mc}));
    arena_free(b);
}

static void test_equal(void)
{
    /* scalars */
    CHECK(av_equal(&S("a"), &S("a")));
    CHECK(!av_equal(&S("a"), &S("b")));
    CHECK(!av_equal(&S("a"), &S("ab")));
    CHECK(av_equal(&Sn("a\0b", 3), &Sn("a\0b", 3)));
    CHECK(!av_equal(&Sn("a\0b", 3), &Sn("a\0c", 3)));
    CHECK(!av_equal(&S("1"), &N("1")));
    CHECK(!av_equal(&S("a"), &Bn("a", 1)));
    CHECK(av_equal(&Bn("\xff", 1), &Bn("\xff", 1)));
    CHECK(av_equal(&N("1"), &N("1")));
    CHECK(av_equal(&N("1"), &N("1.0")));
    CHECK(av_equal(&N("100"), &N("1e2")));
    CHECK(av_equal(&N("-0"), &N("0")));
    CHECK(!av_equal(&N("1"), &N("-1")));
    CHECK(!av_equal(&N("1"), &N("1.0000000000000000000000000000000000001")));
    CHECK(av_equal(&BOOL(true), &BOOL(true)));
    CHECK(!av_equal(&BOOL(true), &BOOL(false)));
    CHECK(!av_equal(&BOOL(false), &NUL()));
    CHECK(av_equal(&NUL(), &NUL()));

    /* sets ignore order; numbers by value */
    CHECK(av_equal(&MKLIST(AV_SS, S("a"), S("b"), S("c")), &MKLIST(AV_SS, S("c"), S("a"), S("b"))));
    CHECK(!av_equal(&MKLIST(AV_SS, S("a"), S("b")), &MKLIST(AV_SS, S("a"), S("b"), S("c"))));
    CHECK(!av_equal(&MKLIST(AV_SS, S("a"), S("b")), &MKLIST(AV_SS, S("a"), S("c"))));
    CHECK(av_equal(&MKLIST(AV_NS, N("1"), N("2.5")), &MKLIST(AV_NS, N("2.50"), N("1"))));
    CHECK(!av_equal(&MKLIST(AV_NS, N("1"), N("2.5")), &MKLIST(AV_NS, N("2.5"), N("-1"))));
    CHECK(
        av_equal(&MKLIST(AV_BS, Bn("\x01", 1), Bn("\x02", 1)), &MKLIST(AV_BS, Bn("\x02", 1), Bn("\x01", 1))));
    CHECK(!av_equal(&MKLIST(AV_SS, S("a")), &MKLIST(AV_L, S("a"))));
    CHECK(!av_equal(&MKLIST(AV_SS, S("1")), &MKLIST(AV_NS, N("1"))));

    /* large sets (sorted path) */
    enum { BIG = 500 };
    av_t *x = ARENA_NEWN(A, av_t, BIG), *y = ARENA_NEWN(A, av_t, BIG), *z = ARENA_NEWN(A, av_t, BIG);
    for (int i = 0; i < BIG; i++) {
        x[i] = N(arena_sprintf(A, "%d.5", i - 250));
        y[BIG - 1 - i] = N(arena_sprintf(A, "%d.50e0", i - 250)); /* other spelling, reversed */
        z[i] = x[i];
    }
    z[17] = N("1000000");
    av_t sx = {.type = AV_NS, .l = {BIG, x}}, sy = {.type = AV_NS, .l = {BIG, y}},
         sz = {.type = AV_NS, .l = {BIG, z}};
    CHECK(av_equal(&sx, &sy));
    CHECK(av_equal(&sy, &sx));
    CHECK(!av_equal(&sx, &sz));
    av_t *p = ARENA_NEWN(A, av_t, BIG), *q = ARENA_NEWN(A, av_t, BIG);
    for (int i = 0; i < BIG; i++) {
        char *s = arena_sprintf(A, "k%03d", i);
        p[i] = (av_t){.type = AV_BS, .s = {s, 4}};
        q[(i * 7) % BIG] = p[i]; /* 7 is coprime with 500: a permutation */
    }
    av_t bp = {.type = AV_BS, .l = {BIG, p}}, bq = {.type = AV_BS, .l = {BIG, q}};
    CHECK(av_equal(&bp, &bq));
    p[3] = Bn("zzzz", 4);
    CHECK(!av_equal(&bp, &bq));

    /* L is ordered */
    CHECK(av_equal(&MKLIST(AV_L, S("a"), N("1")), &MKLIST(AV_L, S("a"), N("1.00"))));
    CHECK(!av_equal(&MKLIST(AV_L, S("a"), N("1")), &MKLIST(AV_L, N("1"), S("a"))));
    CHECK(!av_equal(&MKLIST(AV_L, S("a")), &MKLIST(AV_L, S("a"), S("a"))));
    CHECK(av_equal(&EMPTY(AV_L), &EMPTY(AV_L)));
    CHECK(!av_equal(&EMPTY(AV_L), &M(0, NULL, NULL)));

    /* M ignores member order, compares nested values */
    av_t m1 = M(3, NAMES("a", "b", "c"), ARR(S("x"), N("1"), MKLIST(AV_L, BOOL(true), NUL())));
    av_t m2 = M(3, NAMES("c", "a", "b"), ARR(MKLIST(AV_L, BOOL(true), NUL()), S("x"), N("1.0")));
    av_t m3 = M(3, NAMES("c", "a", "b"), ARR(MKLIST(AV_L, BOOL(false), NUL()), S("x"), N("1")));
    av_t m4 = M(3, NAMES("c", "a", "d"), ARR(MKLIST(AV_L, BOOL(true), NUL()), S("x"), N("1")));
    av_t m5 = M(2, NAMES("a", "b"), ARR(S("x"), N("1")));
    CHECK(av_equal(&m1, &m2));
    CHECK(av_equal(&m2, &m1));
    CHECK(!av_equal(&m1, &m3));
    CHECK(!av_equal(&m1, &m4));
    CHECK(!av_equal(&m1, &m5));
    CHECK(!av_equal(&m5, &m1));
    CHECK(av_equal(&M(1, NAMES("z"), ARR(m1)), &M(1, NAMES("z"), ARR(m2))));
}

static int sgn(int x)
{
    return (x > 0) - (x < 0);
}

static void test_scalar_cmp(void)
{
    /* Each row strictly increasing. Strings compare as unsigned UTF-8 bytes, so "\xc3\xa9" (e-acute)
     * sorts above every ASCII string. */
    av_t s_order[] = {
        S(""),   Sn("\0", 1), Sn("\0\0", 2), S("\x01"), S("A"),    S("Z"),        S("a"),
        S("aa"), S("ab"),     S("b"),        S("\x7f"), S("\x80"), S("\xc3\xa9"), S("\xff"),
    };
    av_t n_order[] = {
        N("-1e125"),
        N("-100"),
        N("-10"),
        N("-9.99"),
        N("-2"),
        N("-1.5"),
        N("-1"),
        N("-0.001"),
        N("0"),
        N("1E-130"),
        N("0.001"),
        N("0.5"),
        N("1"),
        N("1.0000000000000000000000000000000000001"),
        N("2"),
        N("10"),
        N("11"),
        N("100"),
        N("9.9999999999999999999999999999999999999E+125"),
    };
    av_t b_order[] = {
        Bn("", 0),     Bn("\x00", 1),     Bn("\x00\xff", 2), Bn("\x01", 1),     Bn("\x7f", 1),
        Bn("\x80", 1), Bn("\xfe\xff", 2), Bn("\xff", 1),     Bn("\xff\x00", 2),
    };
    struct {
        av_t *v;
        size_t n;
    } rows[] = {{s_order, sizeof(s_order) / sizeof(av_t)},
                {n_order, sizeof(n_order) / sizeof(av_t)},
                {b_order, sizeof(b_order) / sizeof(av_t)}};
    for (size_t r = 0; r < 3; r++)
        for (size_t i = 0; i < rows[r].n; i++)
            for (size_t j = 0; j < rows[r].n; j++) {
                int want = i < j ? -1 : i > j ? 1 : 0;
                int got = sgn(av_scalar_cmp(&rows[r].v[i], &rows[r].v[j]));
                if (got != want) fprintf(stderr, "  row %zu: cmp(%zu, %zu)\n", r, i, j);
                CHECK_INT(got, want);
            }
    /* Numbers compare by value, not by text. */
    CHECK_INT(av_scalar_cmp(&N("1.50"), &N("15e-1")), 0);
    CHECK_INT(av_scalar_cmp(&N("-0"), &N("0")), 0);
    CHECK(av_scalar_cmp(&N("9"), &N("10")) < 0);
    CHECK(av_scalar_cmp(&N("-9"), &N("-10")) > 0);
}

static void test_number_size(void)
{
    /* Measured against AWS to the byte (accept/reject pairs at the 409,600-byte gate). */
    static const struct {
        const char *lit;
        size_t bytes;
    } measured[] = {
        {"0", 1},         {"1", 2},     {"12", 2},
        {"123", 3},       {"1234", 3},  {"12345678901234567890123456789012345678", 20},
        {"0042", 2},      {"100", 2},   {"1010", 3},
        {"0.0000001", 2}, {"1E125", 2}, {"1E-100", 2},
        {"1.5", 3},       {"15", 2},    {"1.2", 3},
        {"1.200", 3},     {"1.234", 4}, {"3.14159", 5},
        {"123456", 4},    {"100.5", 4}, {"0.15", 2},
        {"-42", 3},       {"-0", 1},
    };
    for (size_t i = 0; i < sizeof(measured) / sizeof(measured[0]); i++) {
        size_t got = av_size(&N(measured[i].lit));
        if (got != measured[i].bytes) fprintf(stderr, "  size of %s\n", measured[i].lit);
        CHECK_INT(got, measured[i].bytes);
    }
    /* Derived from the same base-100 rule. */
    CHECK_INT(av_size(&N("12.3456")), 4); /* 12|.34|56; pinned by dynalite's capacity test */
    CHECK_INT(av_size(&N("-12.3456")), 5);
    CHECK_INT(av_size(&N("12000")), 3); /* 01|20|00 */
    CHECK_INT(av_size(&N("0.012")), 3); /* .01|20 */
    CHECK_INT(av_size(&N("1E-130")), 2);
    CHECK_INT(av_size(&N("1.2345678901234567890123456789012345678")), 21); /* 01|.23|..|78: 20 pairs */
    CHECK_INT(av_size(&N("-1.2345678901234567890123456789012345678")), 22);
    CHECK_INT(av_size(&N("9.9999999999999999999999999999999999999E+125")), 20); /* 99|..|99 */
    CHECK_INT(av_size(&N("-9.9999999999999999999999999999999999999E+125")), 21);
    CHECK_INT(av_size(&N("1786461547")), 6);
}

static void test_size(void)
{
    CHECK_INT(av_size(&S("")), 0);
    CHECK_INT(av_size(&S("abc")), 3);
    CHECK_INT(av_size(&S("\xc3\xa9t\xc3\xa9")), 5); /* "été": UTF-8 bytes */
    CHECK_INT(av_size(&Bn("\x01\x02", 2)), 2);
    CHECK_INT(av_size(&BOOL(false)), 1);
    CHECK_INT(av_size(&NUL()), 1);
    /* sets: sum of elements, no per-element overhead */
    CHECK_INT(av_size(&MKLIST(AV_SS, S("a"), S("bc"))), 3);
    CHECK_INT(av_size(&MKLIST(AV_NS, N("1"), N("-42"), N("3.14159"))), 2 + 3 + 5);
    CHECK_INT(av_size(&MKLIST(AV_BS, Bn("\x01\x02", 2), Bn("\x02", 1), Bn("\x01", 1))), 4);
    /* L: 3 + per element (1 + size) */
    CHECK_INT(av_size(&EMPTY(AV_L)), 3);
    CHECK_INT(av_size(&MKLIST(AV_L, S("aa"))), 3 + 1 + 2);
    CHECK_INT(av_size(&MKLIST(AV_L, S("aa"), N("1"), NUL())), 3 + 3 + 3 + 2);
    /* M: 3 + per member (1 + name + size) */
    CHECK_INT(av_size(&M(0, NULL, NULL)), 3);
    CHECK_INT(av_size(&M(2, NAMES("a", "bcd"), ARR(S("x"), BOOL(true)))), 3 + (1 + 1 + 1) + (1 + 3 + 1));
    /* nesting compounds */
    av_t inner = M(1, NAMES("k"), ARR(MKLIST(AV_L, S("v")))); /* 3 + 1 + 1 + (3 + 1 + 1) = 10 */
    CHECK_INT(av_size(&inner), 10);
    CHECK_INT(av_size(&MKLIST(AV_L, inner, inner)), 3 + 11 + 11);

    /* An item: names plus values. dynalite's GetItem capacity test: 4096 bytes is 0.5 RCU. */
    char *b = malloc(5000);
    const char *a = "someKey1";
    size_t blen = 4081 - strlen(a);
    memset(b, 'b', blen);
    av_map_t item = MAP(5, NAMES("a", "b", "c", "d", "e"),
                        ARR(S(a), Sn(b, blen), N("12.3456"), Bn("\x01\x02", 2),
                            MKLIST(AV_BS, Bn("\x01\x02", 2), Bn("\x02", 1), Bn("\x01", 1))));
    CHECK_INT(av_item_size(&item), 4096);
    item.kvs[1].val.s.len++;
    CHECK_INT(av_item_size(&item), 4097);
    free(b);
    av_map_t empty = {0, NULL};
    CHECK_INT(av_item_size(&empty), 0);
    av_map_t one = MAP(1, NAMES("\xc3\xa9"), ARR(NUL()));
    CHECK_INT(av_item_size(&one), 3);
}

/* Maps past the pairwise size: compared by sorting, member order ignored; hashes agree with
 * equality (numbers by value, sets and maps without order). */
static void test_big_map_equal_and_hash(void)
{
    enum { K = 2000 };
    av_kv_t *x = ARENA_NEWN(A, av_kv_t, K), *y = ARENA_NEWN(A, av_kv_t, K);
    for (size_t i = 0; i < K; i++) {
        char *n = arena_sprintf(A, "m%zu", i);
        x[i] = (av_kv_t){{n, strlen(n)}, N(arena_sprintf(A, "%zu", i))};
        y[K - 1 - i] = (av_kv_t){{n, strlen(n)}, N(arena_sprintf(A, "%zu.0", i))}; /* reversed, same values */
    }
    av_map_t a = {K, x}, b = {K, y};
    CHECK(av_map_equal(&a, &b));
    CHECK(av_map_hash(&a) == av_map_hash(&b));
    y[0].val = N("1");
    CHECK(!av_map_equal(&a, &b));
    CHECK(av_map_hash(&a) != av_map_hash(&b));
    y[0].val = N(arena_sprintf(A, "%d", K - 1));
    y[0].name = DDB_STR("other");
    CHECK(!av_map_equal(&a, &b));
    av_t s1 = MKLIST(AV_SS, S("a"), S("b"), S("c")), s2 = MKLIST(AV_SS, S("c"), S("a"), S("b"));
    CHECK(av_hash(&s1) == av_hash(&s2));
    CHECK(av_hash(&s1) != av_hash(&MKLIST(AV_L, S("a"), S("b"), S("c"))));
    CHECK(av_hash(&MKLIST(AV_L, S("a"), S("b"))) != av_hash(&MKLIST(AV_L, S("b"), S("a"))));
    CHECK(av_hash(&N("1E2")) == av_hash(&N("100")));
}

int main(void)
{
    A = arena_new(0);
    test_type_names();
    test_map_get_and_copy();
    test_equal();
    test_scalar_cmp();
    test_number_size();
    test_size();
    test_big_map_equal_and_hash();
    arena_free(A);
    return check_done("test_av");
}
