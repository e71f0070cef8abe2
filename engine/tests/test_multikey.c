/*
 * test_multikey: GSI keys of several attributes (up to 4 HASH and 4 RANGE; engine/key.c).
 *
 * - Layout: a key of one attribute of each kind is byte for byte the single-attribute layout
 *   (hash | kenc(h) | kenc(r)), so existing data directories read unchanged; the worked example of
 *   docs/storage-format.md.
 * - Property: over random tuples (types S, N, B mixed, few distinct values so ties are common), the
 *   memcmp order of the index keys of one partition equals the lexicographic order of the RANGE
 *   tuples, then the table key; equal HASH tuples give equal prefixes.
 * - On a real RocksDB: a table whose GSI has 2 HASH and 3 RANGE attributes, random items (some
 *   missing a key attribute: not indexed); every partition queried with equalities on each prefix of
 *   the RANGE attributes and each kind of condition on the next one, both directions, in pages of 2
 *   (ExclusiveStartKey = the last page's LastEvaluatedKey, which carries every key attribute); the
 *   same index added by UpdateTable to the filled table (backfill) gives the same answers; all again
 *   after a close and reopen (the catalog keeps the key schema).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <unistd.h>

#include "common/tests/check.h"
#include "engine/keyenc.h"

static arena_t *A;
static unsigned rng = 777;

static unsigned rnd(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

static av_t sval(const char *z)
{
    return (av_t){.type = AV_S, .s = {z, strlen(z)}};
}
static av_t nval(const char *z)
{
    return (av_t){.type = AV_N, .s = {z, strlen(z)}};
}
static av_t bval(const char *p, size_t n)
{
    return (av_t){.type = AV_B, .s = {p, n}};
}

/* ---- layout ------------------------------------------------------------------------------- */

static av_map_t *map_of(size_t n, const char *const *names, const av_t *vals)
{
    av_map_t *m = ARENA_NEW(A, av_map_t);
    m->kvs = ARENA_NEWN(A, av_kv_t, n);
    for (size_t i = 0; i < n; i++) {
        m->kvs[i].name = (ddb_str_t){names[i], strlen(names[i])};
        m->kvs[i].val = vals[i];
    }
    m->n = n;
    return m;
}

static void test_layout(void)
{
    /* one attribute of each kind: the single-attribute layout */
    eng_keyschema_t one = {.hash = {"h", AV_S}, .range = {"r", AV_N}};
    const char *names[] = {"h", "r"};
    av_t vals[] = {sval("ab"), nval("12.5")};
    buf_t got, want;
    buf_init(&got, A, 32);
    buf_init(&want, A, 32);
    key__base(&got, &one, map_of(2, names, vals));
    const av_t *h = &vals[0];
    key__partition(&want, &h, 1);
    kenc_put(&want, &vals[1]);
    CHECK_MEM(got.data, got.len, want.data, want.len);
    CHECK_MEM(got.data + 4, got.len - 4, "ab\x00\x01\x03\x83\x0d\x33\x00", 9);

    /* the worked example of docs/storage-format.md: HASH (t S "ab", n N 1), RANGE (r S "x", b B 00) */
    eng_keyschema_t multi = {0};
    multi.hashes[0] = (eng_attr_t){"t", AV_S};
    multi.hashes[1] = (eng_attr_t){"n", AV_N};
    multi.ranges[0] = (eng_attr_t){"r", AV_S};
    multi.ranges[1] = (eng_attr_t){"b", AV_B};
    CHECK_INT(eng_key_nhash(&multi), 2);
    CHECK_INT(eng_key_nrange(&multi), 2);
    const char *mn[] = {"b", "r", "n", "t"}; /* the item's order does not matter */
    av_t mv[] = {bval("\0", 1), sval("x"), nval("1"), sval("ab")};
    buf_init(&got, A, 32);
    key__base(&got, &multi, map_of(4, mn, mv));
    static const char rest[] = "ab\x00\x01"
                               "\x03\x82\x0b\x00"
                               "x\x00\x01"
                               "\x00\xff\x00\x01";
    CHECK_MEM(got.data + 4, got.len - 4, rest, sizeof rest - 1);
    uint32_t hv = key__hash("ab\x00\x01\x03\x82\x0b\x00", 8);
    unsigned char hb[4] = {(unsigned char)(hv >> 24), (unsigned char)(hv >> 16), (unsigned char)(hv >> 8),
                           (unsigned char)hv};
    CHECK_MEM(got.data, 4, hb, 4);
    CHECK_INT(hv, 0x93ded4c2u); /* the value docs/storage-format.md shows */
}

/* ---- order property -------------------------------------------------------------------------- */

static const char *const S_POOL[] = {"a", "ab", "b", "a\xff", "\x01"};
static const char *const N_POOL[] = {"-10", "-1.5", "0", "2.5", "10", "100"};
static const char B_POOL[][3] = {{0, 0, 0}, {0, 1, 0}, {1, 0, 0}, {(char)0xff, 0, 0}};
static const size_t B_LEN[] = {1, 2, 1, 1};

static av_t random_of(av_type_t t)
{
    if (t == AV_S) return sval(S_POOL[rnd(5)]);
    if (t == AV_N) return nval(N_POOL[rnd(6)]);
    unsigned i = rnd(4);
    return bval(B_POOL[i], B_LEN[i]);
}

static int sgn(int x)
{
    return (x > 0) - (x < 0);
}

static void test_order(void)
{
    enum { K = 300 };
    static const av_type_t types[3][3] = {{AV_S, AV_N, AV_B}, {AV_N, AV_N, AV_S}, {AV_B, AV_S, AV_N}};
    int bad = 0, prefix_bad = 0;
    for (int ty = 0; ty < 3; ty++) {
        eng_table_t t = {0};
        t.key.hash = (eng_attr_t){"pk", AV_S};
        eng_index_t x = {0};
        x.key.hashes[0] = (eng_attr_t){"h1", AV_S};
        x.key.hashes[1] = (eng_attr_t){"h2", AV_N};
        const char *rn[3] = {"r1", "r2", "r3"};
        for (int i = 0; i < 3; i++) x.key.ranges[i] = (eng_attr_t){rn[i], types[ty][i]};
        av_t(*tup)[3] = arena_alloc(A, sizeof *tup * K);
        av_t *pk = ARENA_NEWN(A, av_t, K);
        ddb_str_t *k = ARENA_NEWN(A, ddb_str_t, K);
        for (int i = 0; i < K; i++) {
            const char *names[6] = {"pk", "h1", "h2", "r1", "r2", "r3"};
            av_t v[6] = {sval(arena_sprintf(A, "p%u", rnd(50))), sval("H"), nval("7")};
            for (int j = 0; j < 3; j++) v[3 + j] = tup[i][j] = random_of(types[ty][j]);
            pk[i] = v[0];
            buf_t b;
            buf_init(&b, A, 64);
            CHECK(idx__key(&b, &t, &x, map_of(6, names, v)));
            k[i] = (ddb_str_t){b.data, b.len};
        }
        for (int i = 0; i < K; i++) {
            if (memcmp(k[i].ptr, k[0].ptr, 4 + 7) != 0) prefix_bad++; /* hash, kenc("H"), kenc(7) */
            for (int j = 0; j < K; j++) {
                int want = 0;
                for (int p = 0; p < 3 && !want; p++) want = av_scalar_cmp(&tup[i][p], &tup[j][p]);
                if (!want) want = av_scalar_cmp(&pk[i], &pk[j]);
                if (sgn(ddb_str_cmp(k[i], k[j])) != sgn(want) && bad++ < 5)
                    fprintf(stderr, "  tuple order %d: %d vs %d\n", ty, i, j);
            }
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(prefix_bad, 0);
}

/* ---- queries on RocksDB ------------------------------------------------------------------------ */

#define NI 400
typedef struct {
    bool present;
    int h1, h2;  /* h1: "A"/"B"; h2: 1..2 */
    int a, b, c; /* -1: absent; a S "s<a>", b N, c S */
} row_t;
static row_t rows[NI];

static av_map_t *item_of(int i)
{
    const char *names[6];
    av_t v[6];
    size_t n = 0;
    names[n] = "pk", v[n++] = sval(arena_sprintf(A, "k%03d", i));
    names[n] = "h1", v[n++] = sval(rows[i].h1 ? "B" : "A");
    names[n] = "h2", v[n++] = nval(arena_sprintf(A, "%d", rows[i].h2));
    if (rows[i].a >= 0) names[n] = "a", v[n++] = sval(arena_sprintf(A, "s%d", rows[i].a));
    if (rows[i].b >= 0) names[n] = "b", v[n++] = nval(arena_sprintf(A, "%d", rows[i].b - 2));
    if (rows[i].c >= 0) names[n] = "c", v[n++] = sval(arena_sprintf(A, "c%d", rows[i].c));
    return map_of(n, names, v);
}

static ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    (void)old;
    (void)err;
    *action = ENG_APPLY_PUT;
    *new_item = ctx;
    return DDB_OK;
}

static int cmp_rows(const void *x, const void *y)
{
    const row_t *p = &rows[*(const int *)x], *q = &rows[*(const int *)y];
    if (p->a != q->a) return p->a - q->a; /* "s0" < "s1" < "s2" */
    if (p->b != q->b) return p->b - q->b;
    if (p->c != q->c) return p->c - q->c;
    return *(const int *)x - *(const int *)y; /* "k%03d" */
}

/* The rows a query should return, in index order. vals: equalities on a, b (n_eq of them), then op on
 * the next RANGE attribute (ENG_SK_ANY: none) with operand v (an index into its values). */
static int expect(int h1, int h2, int n_eq, const int *eqv, eng_sk_op_t op, int v, int *out)
{
    int n = 0;
    for (int i = 0; i < NI; i++) {
        const row_t *r = &rows[i];
        if (!r->present || r->h1 != h1 || r->h2 != h2 || r->a < 0 || r->b < 0 || r->c < 0) continue;
        int attrs[3] = {r->a, r->b, r->c}, ok = 1;
        for (int j = 0; j < n_eq; j++) ok &= attrs[j] == eqv[j];
        if (ok && op != ENG_SK_ANY) {
            int x = attrs[n_eq];
            ok = op == ENG_SK_EQ   ? x == v
                 : op == ENG_SK_LT ? x < v
                 : op == ENG_SK_LE ? x <= v
                 : op == ENG_SK_GT ? x > v
                 : op == ENG_SK_GE ? x >= v
                                   : x >= v && x <= v + 1; /* BETWEEN v AND v+1 */
        }
        if (ok) out[n++] = i;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_rows);
    return n;
}

static av_t *attr_value(int which, int v)
{
    av_t *r = ARENA_NEW(A, av_t);
    *r = which == 0   ? sval(arena_sprintf(A, "s%d", v))
         : which == 1 ? nval(arena_sprintf(A, "%d", v - 2))
                      : sval(arena_sprintf(A, "c%d", v));
    return r;
}

static int check_queries(eng_t *e, eng_table_t *t, const eng_index_t *x)
{
    static const eng_sk_op_t ops[] = {ENG_SK_ANY, ENG_SK_EQ, ENG_SK_LT,     ENG_SK_LE,
                                      ENG_SK_GT,  ENG_SK_GE, ENG_SK_BETWEEN};
    int bad = 0, queries = 0;
    int want[NI], got[NI];
    for (int h1 = 0; h1 < 2; h1++)
        for (int h2 = 1; h2 <= 2; h2++)
            for (int n_eq = 0; n_eq <= 2; n_eq++)
                for (size_t o = 0; o < sizeof ops / sizeof ops[0]; o++)
                    for (int back = 0; back < 2; back++) {
                        int eqv[2] = {(int)rnd(3), (int)rnd(4)}, v = (int)rnd(4);
                        int nw = expect(h1, h2, n_eq, eqv, ops[o], v, want);
                        eng_query_t q = {.index = x, .query = true, .backward = back, .limit = 2};
                        q.hash = ARENA_NEW(A, av_t);
                        *(av_t *)q.hash = sval(h1 ? "B" : "A");
                        q.hash_rest[0] = ARENA_NEW(A, av_t);
                        *(av_t *)q.hash_rest[0] = nval(h2 == 1 ? "1" : "2");
                        q.n_sk_eq = (size_t)n_eq;
                        for (int j = 0; j < n_eq; j++) q.sk_eq[j] = attr_value(j, eqv[j]);
                        q.sk_op = ops[o];
                        q.sk[0] = attr_value(n_eq, v);
                        q.sk[1] = attr_value(n_eq, v + 1);
                        int ng = 0;
                        for (int guard = 0; guard < 500; guard++) {
                            eng_page_t pg;
                            ddb_errctx_t err;
                            err_init(&err, A);
                            CHECK(eng_query(e, t, &q, A, &pg, &err) == DDB_OK);
                            for (size_t i = 0; i < pg.count && ng < NI; i++)
                                got[ng++] = atoi(av_map_get(pg.items[i], "pk", 2)->s.ptr + 1);
                            if (!pg.last_key) break;
                            if (pg.last_key->n != 6) bad++; /* pk, h1, h2, a, b, c */
                            q.start = pg.last_key;
                        }
                        queries++;
                        bool same = ng == nw;
                        for (int i = 0; same && i < nw; i++) same = got[i] == want[back ? nw - 1 - i : i];
                        if (!same && bad++ < 5)
                            fprintf(stderr, "  query h1=%d h2=%d n_eq=%d op=%d back=%d: %d rows, want %d\n",
                                    h1, h2, n_eq, (int)ops[o], back, ng, nw);
                    }
    CHECK_INT(queries, 2 * 2 * 3 * 7 * 2);
    return bad;
}

static eng_index_t gsi_spec(const char *name)
{
    eng_index_t x = {.name = name, .global = true, .proj = ENG_PROJ_KEYS_ONLY, .status = "ACTIVE"};
    x.key.hashes[0] = (eng_attr_t){"h1", AV_S};
    x.key.hashes[1] = (eng_attr_t){"h2", AV_N};
    x.key.ranges[0] = (eng_attr_t){"a", AV_S};
    x.key.ranges[1] = (eng_attr_t){"b", AV_N};
    x.key.ranges[2] = (eng_attr_t){"c", AV_S};
    return x;
}

static ddb_err_t add_gsi(void *ctx, eng_table_t *t, ddb_errctx_t *err)
{
    (void)ctx;
    (void)err;
    eng_index_t *x = eng_table_add_index(t);
    *x = gsi_spec("late");
    for (int i = 0; i < ENG_KEY_ATTRS_MAX; i++) {
        x->key.hashes[i].name = eng_table_strdup(t, x->key.hashes[i].name);
        x->key.ranges[i].name = eng_table_strdup(t, x->key.ranges[i].name);
    }
    x->name = eng_table_strdup(t, x->name);
    x->status = "CREATING";
    x->backfilling = true;
    return DDB_OK;
}

static void test_queries(void)
{
    char dir[] = "/tmp/dynarock-test-multikey-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *errmsg = NULL;
    eng_opts_t o = {.data_dir = dir};
    eng_t *e = eng_open(&o, &errmsg);
    CHECK(e != NULL);

    eng_table_t spec = {0};
    spec.name = "mk";
    spec.status = "ACTIVE";
    spec.key.hash = (eng_attr_t){"pk", AV_S};
    static eng_attr_t defs[] = {{"pk", AV_S}, {"h1", AV_S}, {"h2", AV_N},
                                {"a", AV_S},  {"b", AV_N},  {"c", AV_S}};
    spec.attrdefs = defs;
    spec.n_attrdefs = 6;
    spec.on_demand = true;
    spec.table_class = "STANDARD";
    eng_index_t idx[1] = {gsi_spec("gsi")};
    spec.idx = idx;
    spec.n_idx = 1;
    ddb_errctx_t err;
    err_init(&err, A);
    eng_table_t *t = NULL;
    CHECK(eng_table_create(e, &spec, &t, &err) == DDB_OK);

    for (int round = 0; round < 2; round++)
        for (int i = 0; i < NI; i++) {
            rows[i] = (row_t){true,
                              (int)rnd(2),
                              1 + (int)rnd(2),
                              rnd(8) ? (int)rnd(3) : -1,
                              rnd(8) ? (int)rnd(4) : -1,
                              rnd(8) ? (int)rnd(3) : -1};
            eng_write_result_t res;
            const char *kn[] = {"pk"};
            av_t kv[] = {sval(arena_sprintf(A, "k%03d", i))};
            CHECK(eng_item_write(e, t, map_of(1, kn, kv), put_apply, item_of(i), A, &res, &err) == DDB_OK);
        }
    int indexed = 0;
    for (int i = 0; i < NI; i++) indexed += rows[i].a >= 0 && rows[i].b >= 0 && rows[i].c >= 0;
    CHECK_INT(eng_index_stats(e, &t->idx[0]).item_count, indexed);
    CHECK_INT(check_queries(e, t, &t->idx[0]), 0);

    /* the same index added to the filled table, filled by the backfill */
    eng_table_t *t2 = NULL;
    CHECK(eng_table_update(e, "mk", add_gsi, NULL, &t2, &err) == DDB_OK);
    eng_backfill_wait(e);
    eng_table_release(t2);
    eng_table_release(t);
    t = eng_table_get(e, "mk", 2);
    const eng_index_t *late = eng_index_find(t, "late", 4);
    CHECK(late && !late->backfilling);
    CHECK_INT(eng_index_stats(e, late).item_count, indexed);
    CHECK_INT(check_queries(e, t, late), 0);
    eng_table_release(t);
    eng_close(e);

    /* after a reopen: the key schema from the catalog */
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    t = eng_table_get(e, "mk", 2);
    CHECK(t != NULL);
    for (size_t k = 0; k < t->n_idx; k++) {
        CHECK_INT(eng_key_nhash(&t->idx[k].key), 2);
        CHECK_INT(eng_key_nrange(&t->idx[k].key), 3);
        CHECK_STR(t->idx[k].key.ranges[2].name, "c");
        CHECK(t->idx[k].key.hashes[1].type == AV_N);
        CHECK_INT(check_queries(e, t, &t->idx[k]), 0);
    }
    eng_table_release(t);
    eng_close(e);
    CHECK(system(arena_sprintf(A, "rm -rf %s", dir)) == 0);
}

int main(void)
{
    A = arena_new(1 << 20);
    test_layout();
    test_order();
    test_queries();
    arena_free(A);
    return check_done("engine/test_multikey");
}
