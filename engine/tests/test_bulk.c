/*
 * test_bulk: the bulk loader (engine/bulk.c) on a real RocksDB: 5,000 items in batches (a key given
 * twice: the later item wins, also across a batch boundary), refusals of items without their key or
 * with a wrong-typed index key (nothing staged), the table's and the GSI's counters exact afterwards,
 * a GSI query finding the loaded items; and a task started with eng_task_start runs and is waited for.
 */
#include "engine/engine.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/tests/check.h"

#define N 5000

static ddb_str_t S(const char *s)
{
    return (ddb_str_t){s, strlen(s)};
}

/* {pk: S "k<i>", g: S "g<i % 7>" (the GSI key; absent for i % 5 == 0: sparse), v: N v} */
static av_map_t *item(arena_t *a, int i, int v)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 3);
    m->kvs[0] = (av_kv_t){S("pk"), {.type = AV_S, .s = S(arena_sprintf(a, "k%d", i))}};
    m->kvs[1] = (av_kv_t){S("v"), {.type = AV_N, .s = S(arena_sprintf(a, "%d", v))}};
    m->n = 2;
    if (i % 5) m->kvs[m->n++] = (av_kv_t){S("g"), {.type = AV_S, .s = S(arena_sprintf(a, "g%d", i % 7))}};
    return m;
}

static atomic_int task_ran;

static void task(eng_task_t *t, void *arg)
{
    CHECK(!eng_task_stopping(t));
    eng_task_progress(t, 1);
    atomic_fetch_add(&task_ran, *(int *)arg);
}

int main(void)
{
    char dir[] = "/tmp/dynarock-test-bulk-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *errmsg = NULL;
    eng_opts_t o = {.data_dir = dir};
    eng_t *e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    arena_t *a = arena_new(1 << 16);

    eng_table_t spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "bulk";
    spec.status = "CREATING";
    spec.key.hash = (eng_attr_t){"pk", AV_S};
    static eng_attr_t defs[2] = {{"pk", AV_S}, {"g", AV_S}};
    spec.attrdefs = defs;
    spec.n_attrdefs = 2;
    spec.on_demand = true;
    spec.table_class = "STANDARD";
    eng_index_t idx[1];
    memset(idx, 0, sizeof idx);
    idx[0] = (eng_index_t){.name = "byg",
                           .global = true,
                           .key = {.hash = {"g", AV_S}},
                           .proj = ENG_PROJ_ALL,
                           .status = "ACTIVE"};
    spec.idx = idx;
    spec.n_idx = 1;
    ddb_errctx_t err;
    err_init(&err, a);
    eng_table_t *t = NULL;
    CHECK(eng_table_create(e, &spec, &t, &err) == DDB_OK);

    eng_bulk_t *b = eng_bulk_begin(e, t);
    arena_t *la = arena_new(1 << 16);
    for (int i = 0; i < N; i++) {
        err_init(&err, la);
        CHECK_INT(eng_bulk_put(b, item(la, i, i), &err), DDB_OK);
        if (i == 10 || i == 3000) CHECK_INT(eng_bulk_put(b, item(la, i - 5, -1), &err), DDB_OK); /* again */
        arena_reset(la);
    }
    /* refusals: no key, a wrong-typed key, a wrong-typed GSI key */
    av_map_t *bad = item(la, 1, 1);
    bad->kvs[0].name = S("other");
    err_init(&err, la);
    CHECK_INT(eng_bulk_put(b, bad, &err), DDB_ERR_VALIDATION);
    /* the engine's invariant only: callers check items as PutItem does (exec_item_keys_or_err) */
    CHECK_STR(err.msg, "One or more parameter values were invalid: the item's key");
    bad = item(la, 1, 1);
    bad->kvs[0].val.type = AV_N;
    bad->kvs[0].val.s = S("1");
    err_init(&err, la);
    CHECK_INT(eng_bulk_put(b, bad, &err), DDB_ERR_VALIDATION);
    CHECK_STR(err.msg, "One or more parameter values were invalid: the item's key");
    bad = item(la, 1, 1);
    bad->kvs[2].val.type = AV_N;
    bad->kvs[2].val.s = S("1");
    err_init(&err, la);
    CHECK_INT(eng_bulk_put(b, bad, &err), DDB_ERR_VALIDATION);
    err_init(&err, la);
    CHECK_INT(eng_bulk_flush(b, &err), DDB_OK);
    CHECK_INT(eng_bulk_written(b), N + 2);
    eng_bulk_free(b);

    /* the later item of a repeated key won */
    for (int k = 0; k < 2; k++) {
        int i = k ? 2995 : 5;
        av_map_t key = {1, ARENA_NEWN(a, av_kv_t, 1)};
        key.kvs[0] = (av_kv_t){S("pk"), {.type = AV_S, .s = S(arena_sprintf(a, "k%d", i))}};
        av_map_t *got = NULL;
        CHECK_INT(eng_item_get(e, t, &key, a, &got, &err), DDB_OK);
        CHECK(got != NULL);
        const av_t *v = got ? av_map_get(got, "v", 1) : NULL;
        CHECK(v && v->s.len == 2 && !memcmp(v->s.ptr, "-1", 2));
    }
    /* counters exact: N items in the table, the ones with g in the GSI */
    eng_stats_t st = eng_table_stats(e, t);
    CHECK_INT(st.item_count, N);
    int with_g = 0;
    int64_t size = 0;
    for (int i = 0; i < N; i++) {
        with_g += i % 5 != 0;
        size += (int64_t)av_item_size(item(la, i, (i == 5 || i == 2995) ? -1 : i));
        arena_reset(la);
    }
    CHECK_INT(st.size_bytes, size);
    const eng_index_t *x = eng_index_find(t, "byg", 3);
    CHECK(x != NULL);
    CHECK_INT(eng_index_stats(e, x).item_count, with_g);
    /* the GSI answers */
    eng_query_t q;
    memset(&q, 0, sizeof q);
    q.index = x;
    q.query = true;
    av_t h = {.type = AV_S, .s = S("g3")};
    q.hash = &h;
    eng_page_t pg;
    CHECK_INT(eng_query(e, t, &q, a, &pg, &err), DDB_OK);
    int want = 0;
    for (int i = 0; i < N; i++) want += i % 5 && i % 7 == 3;
    CHECK_INT(pg.count, want);

    /* a task runs on its own thread and is waited for */
    int add = 3;
    CHECK(eng_task_start(e, "test", task, &add, NULL));
    eng_task_wait(e);
    CHECK_INT(atomic_load(&task_ran), 3);
    CHECK(!eng_task_stopping(NULL));

    eng_table_release(t);
    arena_free(la);
    arena_free(a);
    eng_close(e);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return check_done("test_bulk");
}
