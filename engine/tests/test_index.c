/*
 * test_index: secondary indexes, Query and Scan on a real RocksDB, checked against a model.
 *
 * A table (pk S, sk N) with a GSI (g S, sk N; KEYS_ONLY) and an LSI (pk, l N; INCLUDE x) takes
 * thousands of random puts and deletes in which g and l come and go (sparse entries, moved
 * entries). After them, every partition is queried with every kind of sort-key condition in both
 * directions and in pages of 3 (ExclusiveStartKey = the previous page's LastEvaluatedKey), the GSI
 * and LSI are queried the same way, parallel scans of 1..7 segments are checked to be disjoint
 * and complete, and the index counters are compared with the model. Then a second GSI is added to
 * the populated table while another thread keeps writing; after the backfill its contents must
 * equal the model. Everything is checked again after a close and reopen.
 */
#include "engine/engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/tests/check.h"

#define NP 8  /* partitions */
#define NS 24 /* sort keys per partition */

typedef struct {
    bool present;
    int g; /* -1: no g attribute */
    int l; /* -1: no l attribute */
    int x;
} slot_t;

static slot_t model[NP][NS];
static pthread_mutex_t model_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned rng_state = 12345;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static ddb_str_t S(const char *z)
{
    return (ddb_str_t){z, strlen(z)};
}

static void put_attr(arena_t *a, av_map_t *m, const char *name, av_type_t t, const char *text)
{
    m->kvs[m->n].name = S(name);
    m->kvs[m->n].val.type = t;
    m->kvs[m->n].val.s = S(arena_strdup(a, text));
    m->n++;
}

static av_map_t *key_of(arena_t *a, int p, int s)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 6);
    put_attr(a, m, "pk", AV_S, arena_sprintf(a, "p%d", p));
    put_attr(a, m, "sk", AV_N, arena_sprintf(a, "%d", s - NS / 2)); /* negative and positive */
    return m;
}

static av_map_t *item_of(arena_t *a, int p, int s, const slot_t *v)
{
    av_map_t *m = key_of(a, p, s);
    if (v->g >= 0) put_attr(a, m, "g", AV_S, arena_sprintf(a, "g%d", v->g));
    if (v->l >= 0) put_attr(a, m, "l", AV_N, arena_sprintf(a, "%d", v->l));
    put_attr(a, m, "x", AV_S, arena_sprintf(a, "x%d", v->x));
    put_attr(a, m, "y", AV_S, "not projected");
    return m;
}

typedef struct {
    av_map_t *item;
    eng_apply_t action;
} apply_ctx_t;

static ddb_err_t apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                       ddb_errctx_t *err)
{
    (void)old;
    (void)err;
    apply_ctx_t *c = ctx;
    *action = c->action;
    *new_item = c->item;
    return DDB_OK;
}

/* One random write, applied to the engine and the model under the model lock (so the model
 * matches the order writes land in). */
static void random_write(eng_t *e, eng_table_t *t, arena_t *a)
{
    int p = (int)rnd(NP), s = (int)rnd(NS);
    slot_t v = {true, rnd(4) == 0 ? -1 : (int)rnd(3), rnd(3) == 0 ? -1 : (int)rnd(50), (int)rnd(1000)};
    bool del = rnd(5) == 0;
    apply_ctx_t c = {del ? NULL : item_of(a, p, s, &v), del ? ENG_APPLY_DELETE : ENG_APPLY_PUT};
    ddb_errctx_t err;
    err_init(&err, a);
    eng_write_result_t res;
    pthread_mutex_lock(&model_mu);
    ddb_err_t rc = eng_item_write(e, t, key_of(a, p, s), apply, &c, a, &res, &err);
    if (rc == DDB_OK) {
        if (del)
            model[p][s].present = false;
        else
            model[p][s] = v;
    }
    pthread_mutex_unlock(&model_mu);
    CHECK(rc == DDB_OK);
}

static int num(const av_map_t *m, const char *name)
{
    const av_t *v = av_map_get(m, name, strlen(name));
    return v ? atoi(v->s.ptr) : -9999;
}

static int pnum(const av_map_t *m)
{
    const av_t *v = av_map_get(m, "pk", 2);
    return v ? atoi(v->s.ptr + 1) : -1;
}

typedef struct {
    int n;
    int p[NP * NS], s[NP * NS];
} list_t;

/* Run the query in pages of `page` items and collect (p, s) of every kept item. */
static void collect(eng_t *e, eng_table_t *t, eng_query_t q, size_t page, list_t *out, arena_t *a)
{
    out->n = 0;
    q.limit = page;
    for (int guard = 0; guard < 1000; guard++) {
        eng_page_t pg;
        ddb_errctx_t err;
        err_init(&err, a);
        CHECK(eng_query(e, t, &q, a, &pg, &err) == DDB_OK);
        CHECK(pg.count <= pg.scanned);
        for (size_t i = 0; i < pg.count; i++) {
            out->p[out->n] = pnum(pg.items[i]);
            out->s[out->n] = num(pg.items[i], "sk") + NS / 2;
            out->n++;
        }
        if (!pg.last_key) return;
        q.start = pg.last_key;
    }
    CHECK(!"query did not finish");
}

typedef struct {
    int key1, key2, p, s; /* sort keys */
} row_t;

static int cmp_row(const void *a, const void *b)
{
    const row_t *x = a, *y = b;
    if (x->key1 != y->key1) return x->key1 < y->key1 ? -1 : 1;
    if (x->key2 != y->key2) return x->key2 < y->key2 ? -1 : 1;
    return 0;
}

static void check_same(const list_t *got, row_t *rows, int n, bool backward, const char *what)
{
    qsort(rows, (size_t)n, sizeof *rows, cmp_row);
    bool ok = got->n == n;
    for (int i = 0; i < n && ok; i++) {
        const row_t *r = &rows[backward ? n - 1 - i : i];
        ok = got->p[i] == r->p && got->s[i] == r->s;
    }
    if (!ok) fprintf(stderr, "mismatch in %s: got %d items, want %d\n", what, got->n, n);
    CHECK(ok);
}

static void verify(eng_t *e, const char *tname, const char *gsi2, arena_t *a)
{
    eng_table_t *t = eng_table_get(e, tname, strlen(tname));
    CHECK(t != NULL);
    const eng_index_t *gsi = eng_index_find(t, "gsi", 3), *lsi = eng_index_find(t, "lsi", 3);
    CHECK(gsi && lsi);
    row_t rows[NP * NS];
    list_t got;
    static const eng_sk_op_t ops[] = {ENG_SK_ANY, ENG_SK_EQ, ENG_SK_LT,     ENG_SK_LE,
                                      ENG_SK_GT,  ENG_SK_GE, ENG_SK_BETWEEN};
    /* table queries */
    for (int p = 0; p < NP; p++)
        for (size_t oi = 0; oi < sizeof ops / sizeof *ops; oi++)
            for (int dir = 0; dir < 2; dir++) {
                int v0 = (int)rnd(NS), v1 = v0 + (int)rnd(8);
                eng_query_t q = {.query = true, .backward = dir, .sk_op = ops[oi]};
                q.hash = &key_of(a, p, 0)->kvs[0].val;
                q.sk[0] = &key_of(a, p, v0)->kvs[1].val;
                q.sk[1] = &key_of(a, p, v1)->kvs[1].val;
                collect(e, t, q, 3, &got, a);
                int n = 0;
                for (int s = 0; s < NS; s++) {
                    if (!model[p][s].present) continue;
                    bool in = ops[oi] == ENG_SK_ANY || (ops[oi] == ENG_SK_EQ && s == v0) ||
                              (ops[oi] == ENG_SK_LT && s < v0) || (ops[oi] == ENG_SK_LE && s <= v0) ||
                              (ops[oi] == ENG_SK_GT && s > v0) || (ops[oi] == ENG_SK_GE && s >= v0) ||
                              (ops[oi] == ENG_SK_BETWEEN && s >= v0 && s <= v1);
                    if (in) rows[n++] = (row_t){s, 0, p, s};
                }
                check_same(&got, rows, n, dir, "table query");
            }
    /* GSI queries: order by sk, then pk */
    for (int g = 0; g < 3; g++)
        for (int dir = 0; dir < 2; dir++) {
            av_map_t *gm = ARENA_NEW(a, av_map_t);
            gm->kvs = ARENA_NEWN(a, av_kv_t, 1);
            put_attr(a, gm, "g", AV_S, arena_sprintf(a, "g%d", g));
            eng_query_t q = {.index = gsi, .query = true, .backward = dir, .hash = &gm->kvs[0].val};
            collect(e, t, q, 3, &got, a);
            int n = 0;
            for (int p = 0; p < NP; p++)
                for (int s = 0; s < NS; s++)
                    if (model[p][s].present && model[p][s].g == g) rows[n++] = (row_t){s, p, p, s};
            check_same(&got, rows, n, dir, "gsi query");
        }
    /* LSI queries: order by l, then sk; fetch the table item for a non-projected attribute */
    for (int p = 0; p < NP; p++) {
        eng_query_t q = {.index = lsi, .query = true, .hash = &key_of(a, p, 0)->kvs[0].val};
        collect(e, t, q, 4, &got, a);
        int n = 0;
        for (int s = 0; s < NS; s++)
            if (model[p][s].present && model[p][s].l >= 0) rows[n++] = (row_t){model[p][s].l, s, p, s};
        check_same(&got, rows, n, false, "lsi query");
        eng_page_t pg;
        ddb_errctx_t err;
        err_init(&err, a);
        q.fetch_table_item = false;
        CHECK(eng_query(e, t, &q, a, &pg, &err) == DDB_OK);
        for (size_t i = 0; i < pg.count; i++) CHECK(av_map_get(pg.items[i], "y", 1) == NULL);
        q.fetch_table_item = true;
        CHECK(eng_query(e, t, &q, a, &pg, &err) == DDB_OK);
        for (size_t i = 0; i < pg.count; i++) CHECK(av_map_get(pg.items[i], "y", 1) != NULL);
    }
    /* parallel scans: disjoint and complete */
    int total = 0;
    for (int p = 0; p < NP; p++)
        for (int s = 0; s < NS; s++) total += model[p][s].present;
    for (uint32_t segs = 1; segs <= 7; segs++) {
        static int seen[NP][NS];
        memset(seen, 0, sizeof seen);
        int n = 0;
        for (uint32_t i = 0; i < segs; i++) {
            eng_query_t q = {.segment = i, .total_segments = segs};
            collect(e, t, q, 5, &got, a);
            for (int k = 0; k < got.n; k++) {
                seen[got.p[k]][got.s[k]]++;
                av_map_t *key = key_of(a, got.p[k], got.s[k]);
                CHECK(eng_key_segment(t, NULL, key, segs) == i);
            }
            n += got.n;
        }
        CHECK(n == total);
        for (int p = 0; p < NP; p++)
            for (int s = 0; s < NS; s++) CHECK(seen[p][s] == (model[p][s].present ? 1 : 0));
    }
    /* counters */
    int ng = 0, nl = 0;
    for (int p = 0; p < NP; p++)
        for (int s = 0; s < NS; s++) {
            ng += model[p][s].present && model[p][s].g >= 0;
            nl += model[p][s].present && model[p][s].l >= 0;
        }
    CHECK(eng_index_stats(e, gsi).item_count == ng);
    CHECK(eng_index_stats(e, lsi).item_count == nl);
    CHECK(eng_table_stats(e, t).item_count == total);
    if (gsi2) {
        const eng_index_t *x = eng_index_find(t, gsi2, strlen(gsi2));
        CHECK(x && !x->backfilling && !strcmp(x->status, "ACTIVE"));
        eng_query_t q = {.index = x};
        collect(e, t, q, 7, &got, a);
        int n = 0;
        for (int p = 0; p < NP; p++)
            for (int s = 0; s < NS; s++) n += model[p][s].present && model[p][s].l >= 0;
        CHECK(got.n == n);
        CHECK(eng_index_stats(e, x).item_count == n);
        for (int k = 0; k < got.n; k++)
            CHECK(model[got.p[k]][got.s[k]].present && model[got.p[k]][got.s[k]].l >= 0);
    }
    eng_table_release(t);
}

static ddb_err_t add_gsi2(void *ctx, eng_table_t *t, ddb_errctx_t *err)
{
    (void)ctx;
    (void)err;
    eng_index_t *idx = arena_alloc(t->arena_, sizeof *idx * (t->n_idx + 1));
    memcpy(idx, t->idx, sizeof *idx * t->n_idx);
    eng_index_t *x = &idx[t->n_idx];
    memset(x, 0, sizeof *x);
    x->name = "gsi2";
    x->global = true;
    x->key.hash = (eng_attr_t){"l", AV_N};
    x->proj = ENG_PROJ_ALL;
    x->status = "CREATING";
    x->backfilling = true;
    t->idx = idx;
    t->n_idx++;
    return DDB_OK;
}

typedef struct {
    eng_t *e;
    const char *name;
    int writes;
} writer_t;

static void *writer(void *arg)
{
    writer_t *w = arg;
    arena_t *a = arena_new(1 << 16);
    for (int i = 0; i < w->writes; i++) {
        eng_table_t *t = eng_table_get(w->e, w->name, strlen(w->name));
        random_write(w->e, t, a);
        eng_table_release(t);
        if (i % 64 == 0) arena_reset(a);
    }
    arena_free(a);
    return NULL;
}

int main(void)
{
    char dir[] = "/tmp/dynarock-test-index-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *errmsg = NULL;
    eng_opts_t o = {.data_dir = dir};
    eng_t *e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    arena_t *a = arena_new(1 << 16);

    eng_table_t spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "idx";
    spec.status = "ACTIVE";
    spec.key.hash = (eng_attr_t){"pk", AV_S};
    spec.key.range = (eng_attr_t){"sk", AV_N};
    static eng_attr_t defs[4] = {{"pk", AV_S}, {"sk", AV_N}, {"g", AV_S}, {"l", AV_N}};
    spec.attrdefs = defs;
    spec.n_attrdefs = 4;
    spec.on_demand = true;
    spec.table_class = "STANDARD";
    static const char *inc[] = {"x"};
    eng_index_t idx[2];
    memset(idx, 0, sizeof idx);
    idx[0] = (eng_index_t){.name = "gsi",
                           .global = true,
                           .key = {.hash = {"g", AV_S}, .range = {"sk", AV_N}},
                           .proj = ENG_PROJ_KEYS_ONLY,
                           .status = "ACTIVE"};
    idx[1] = (eng_index_t){.name = "lsi",
                           .key = {.hash = {"pk", AV_S}, .range = {"l", AV_N}},
                           .proj = ENG_PROJ_INCLUDE,
                           .n_nonkey = 1,
                           .nonkey = inc};
    spec.idx = idx;
    spec.n_idx = 2;
    ddb_errctx_t err;
    err_init(&err, a);
    eng_table_t *t = NULL;
    CHECK(eng_table_create(e, &spec, &t, &err) == DDB_OK);

    /* a wrong-typed index key is refused, an empty one too */
    {
        slot_t v = {true, 1, 1, 1};
        av_map_t *it = item_of(a, 0, 0, &v);
        it->kvs[2].val.type = AV_N; /* g as N */
        it->kvs[2].val.s = S("5");
        CHECK(eng_index_keys_check(t, it, false, &err) == DDB_ERR_VALIDATION);
        CHECK(strstr(err.msg, "Type mismatch for Index Key g Expected: S Actual: N IndexName: gsi") != NULL);
        err_clear(&err);
        it->kvs[2].val.type = AV_S;
        it->kvs[2].val.s = S("");
        CHECK(eng_index_keys_check(t, it, false, &err) == DDB_ERR_VALIDATION);
        err_clear(&err);
    }

    for (int i = 0; i < 4000; i++) {
        random_write(e, t, a);
        if (i % 64 == 0) arena_reset(a);
    }
    eng_table_release(t);
    verify(e, "idx", NULL, a);
    arena_reset(a);

    /* a GSI added to the populated table while another thread writes */
    pthread_t th;
    writer_t w = {e, "idx", 3000};
    CHECK(pthread_create(&th, NULL, writer, &w) == 0);
    usleep(2000);
    CHECK(eng_table_update(e, "idx", add_gsi2, NULL, NULL, &err) == DDB_OK);
    pthread_join(th, NULL);
    eng_backfill_wait(e);
    verify(e, "idx", "gsi2", a);
    arena_reset(a);

    /* and all of it after a reopen */
    eng_close(e);
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    verify(e, "idx", "gsi2", a);

    /* dropping an index drops its entries; the table keeps working */
    eng_table_t *d = NULL;
    CHECK(eng_table_delete(e, "idx", &d, &err) == DDB_OK);
    eng_table_release(d);
    arena_free(a);
    eng_close(e);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return check_done("test_index");
}
