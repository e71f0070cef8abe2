/*
 * test_faults: the storage fault-injection sites and the write gate (engine/db.c) on a real RocksDB.
 *
 * - DYNAROCK_FAULTS specs parse (and bad ones are refused with a message, arming nothing).
 * - A table with a GSI and an LSI: an injected write failure of a put, an update, a delete and a
 *   two-item multi-write is InternalServerError "Internal server error" and leaves the items, both
 *   indexes and the counters as they were; the next write (count used up) succeeds.
 * - An injected no-space failure closes the gate: the failure and the writes after it say that the
 *   disk is full, refused writes do not reach RocksDB (the site sees no more calls), reads go on,
 *   and the probe thread reopens the gate within a few seconds (the disk has room).
 * - get, iter, create_cf and drop_cf faults are InternalServerError and change nothing; a
 *   probabilistic site fails about as often as asked; a failed flush at close loses nothing (the
 *   write-ahead log has it at the next open).
 */
#include "engine/engine.h"
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/tests/check.h"

static ddb_str_t S(const char *s)
{
    return (ddb_str_t){s, strlen(s)};
}

static av_map_t *key_of(arena_t *a, const char *pk, const char *sk)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 2);
    m->kvs[0] = (av_kv_t){.name = S("pk"), .val = {.type = AV_S, .s = S(pk)}};
    m->kvs[1] = (av_kv_t){.name = S("sk"), .val = {.type = AV_N, .s = S(sk)}};
    m->n = 2;
    return m;
}

/* An item with GSI key g and LSI key l (both present) and a value v. */
static av_map_t *item_of(arena_t *a, const char *pk, const char *sk, const char *g, const char *l,
                         const char *v)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 5);
    m->kvs[0] = (av_kv_t){.name = S("pk"), .val = {.type = AV_S, .s = S(pk)}};
    m->kvs[1] = (av_kv_t){.name = S("sk"), .val = {.type = AV_N, .s = S(sk)}};
    m->kvs[2] = (av_kv_t){.name = S("g"), .val = {.type = AV_S, .s = S(g)}};
    m->kvs[3] = (av_kv_t){.name = S("l"), .val = {.type = AV_N, .s = S(l)}};
    m->kvs[4] = (av_kv_t){.name = S("v"), .val = {.type = AV_S, .s = S(v)}};
    m->n = 5;
    return m;
}

typedef struct {
    av_map_t *item; /* NULL: delete */
} put_t;

static ddb_err_t do_put(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                        ddb_errctx_t *err)
{
    put_t *p = ctx;
    *action = p->item ? ENG_APPLY_PUT : ENG_APPLY_DELETE;
    *new_item = p->item;
    return DDB_OK;
}

static ddb_err_t put(eng_t *e, eng_table_t *t, arena_t *a, av_map_t *item, const av_map_t *key,
                     ddb_errctx_t *err)
{
    put_t p = {item};
    eng_write_result_t res;
    err_clear(err);
    return eng_item_write(e, t, key, do_put, &p, a, &res, err);
}

/* The value attribute v of the item at (pk, sk), "-" when absent. */
static const char *value_at(eng_t *e, eng_table_t *t, arena_t *a, const char *pk, const char *sk)
{
    ddb_errctx_t err;
    err_init(&err, a);
    av_map_t *it = NULL;
    if (eng_item_get(e, t, key_of(a, pk, sk), a, &it, &err) != DDB_OK) return "(error)";
    const av_t *v = it ? av_map_get(it, "v", 1) : NULL;
    return v ? arena_sprintf(a, "%.*s", (int)v->s.len, v->s.ptr) : "-";
}

/* Items in index x (NULL: the table) under hash value h: count, and the v values joined. */
static const char *query(eng_t *e, eng_table_t *t, const char *xname, const char *h, arena_t *a)
{
    const eng_index_t *x = xname ? eng_index_find(t, xname, strlen(xname)) : NULL;
    av_t hv = {.type = AV_S, .s = S(h)};
    eng_query_t q = {.index = x, .query = true, .hash = &hv};
    eng_page_t pg;
    ddb_errctx_t err;
    err_init(&err, a);
    if (eng_query(e, t, &q, a, &pg, &err) != DDB_OK) return "(error)";
    char *out = arena_sprintf(a, "%zu:", pg.count);
    for (size_t i = 0; i < pg.count; i++) {
        const av_t *v = av_map_get(pg.items[i], "v", 1);
        out = arena_sprintf(a, "%s%.*s,", out, v ? (int)v->s.len : 1, v ? v->s.ptr : "?");
    }
    return out;
}

/* The observable state of the table: items, both indexes, counters. */
static const char *state(eng_t *e, eng_table_t *t, arena_t *a)
{
    eng_stats_t st = eng_table_stats(e, t), gs = eng_index_stats(e, eng_index_find(t, "gsi", 3)),
                ls = eng_index_stats(e, eng_index_find(t, "lsi", 3));
    return arena_sprintf(a,
                         "a1=%s a2=%s b1=%s | t:a %s | gsi:g1 %s gsi:g2 %s | lsi:a %s | %lld/%lld %lld %lld",
                         value_at(e, t, a, "a", "1"), value_at(e, t, a, "a", "2"),
                         value_at(e, t, a, "b", "1"), query(e, t, NULL, "a", a), query(e, t, "gsi", "g1", a),
                         query(e, t, "gsi", "g2", a), query(e, t, "lsi", "a", a), (long long)st.item_count,
                         (long long)st.size_bytes, (long long)gs.item_count, (long long)ls.item_count);
}

static eng_table_t *create_table(eng_t *e, const char *name, ddb_errctx_t *err)
{
    eng_table_t spec;
    memset(&spec, 0, sizeof spec);
    spec.name = name;
    spec.status = "ACTIVE";
    spec.key.hash = (eng_attr_t){"pk", AV_S};
    spec.key.range = (eng_attr_t){"sk", AV_N};
    static eng_attr_t defs[4] = {{"pk", AV_S}, {"sk", AV_N}, {"g", AV_S}, {"l", AV_N}};
    spec.attrdefs = defs;
    spec.n_attrdefs = 4;
    spec.on_demand = true;
    spec.table_class = "STANDARD";
    eng_index_t idx[2];
    memset(idx, 0, sizeof idx);
    idx[0] = (eng_index_t){.name = "gsi",
                           .global = true,
                           .key = {.hash = {"g", AV_S}, .range = {"sk", AV_N}},
                           .status = "ACTIVE"};
    idx[1] = (eng_index_t){.name = "lsi", .key = {.hash = {"pk", AV_S}, .range = {"l", AV_N}}};
    spec.idx = idx;
    spec.n_idx = 2;
    eng_table_t *t = NULL;
    err_clear(err);
    return eng_table_create(e, &spec, &t, err) == DDB_OK ? t : NULL;
}

static void test_parse(void)
{
    char *msg = NULL;
    CHECK_INT(db__fault_parse("write:1", &msg), 0);
    CHECK_INT(
        db__fault_parse("write:1@3,get:always,iter:25%,create_cf:2:nospace,drop_cf:1:error,flush:1", &msg),
        0);
    CHECK_INT(atomic_load(&db__faults_armed), 1);
    const char *bad[] = {"write",      "write:", "write:0",      "write:1@",          "write:1@x",
                         "write:101%", "disk:1", "write:1:full", "write:always,get:x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        msg = NULL;
        CHECK_INT(db__fault_parse(bad[i], &msg), -1);
        CHECK(msg && strstr(msg, "DYNAROCK_FAULTS: bad item") != NULL);
        free(msg);
        CHECK_INT(atomic_load(&db__faults_armed), 0); /* nothing armed after a bad spec */
    }
    db__fault_clear();
}

int main(void)
{
    char dir[] = "/tmp/dynarock-test-faults-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    test_parse();

    char *errmsg = NULL;
    eng_opts_t o = {.data_dir = dir};
    eng_t *e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    arena_t *a = arena_new(1 << 16);
    ddb_errctx_t err;
    err_init(&err, a);
    eng_table_t *t = create_table(e, "faults", &err);
    CHECK(t != NULL);

    CHECK_INT(put(e, t, a, item_of(a, "a", "1", "g1", "10", "A1"), key_of(a, "a", "1"), &err), DDB_OK);
    CHECK_INT(put(e, t, a, item_of(a, "a", "2", "g1", "20", "A2"), key_of(a, "a", "2"), &err), DDB_OK);
    const char *before = state(e, t, a);
    CHECK_STR(before,
              "a1=A1 a2=A2 b1=- | t:a 2:A1,A2, | gsi:g1 2:A1,A2, gsi:g2 0: | lsi:a 2:A1,A2, | 2/32 2 2");

    /* injected write failures: nothing half-written */
    const char *what[] = {"put new", "update", "delete", "multi"};
    for (int w = 0; w < 4; w++) {
        db__fault_set(DB_FAULT_WRITE, DB_FAULT_ERROR, 0, 1, 0);
        ddb_err_t rc;
        if (w == 0) /* a new item in a new partition, in both indexes */
            rc = put(e, t, a, item_of(a, "b", "1", "g2", "5", "B1"), key_of(a, "b", "1"), &err);
        else if (w == 1) /* moves a1 from g1 to g2 and changes its LSI key */
            rc = put(e, t, a, item_of(a, "a", "1", "g2", "30", "A1x"), key_of(a, "a", "1"), &err);
        else if (w == 2)
            rc = put(e, t, a, NULL, key_of(a, "a", "2"), &err);
        else {
            put_t p1 = {item_of(a, "a", "1", "g2", "11", "M1")}, p2 = {NULL};
            eng_multi_op_t ops[2] = {{t, key_of(a, "a", "1"), do_put, &p1},
                                     {t, key_of(a, "a", "2"), do_put, &p2}};
            eng_multi_result_t res[2];
            for (int i = 0; i < 2; i++) err_init(&res[i].err, a);
            err_clear(&err);
            rc = eng_multi_write(e, 2, ops, a, res, &err);
        }
        if (rc != DDB_ERR_INTERNAL) fprintf(stderr, "case %s\n", what[w]);
        CHECK_INT(rc, DDB_ERR_INTERNAL);
        CHECK_STR(err.msg, "Internal server error");
        CHECK_STR(state(e, t, a), before);
        CHECK_INT(db__state(e->db), DB_WRITABLE); /* a plain error does not stop writes */
    }
    /* the count is used up: the same write goes through */
    CHECK_INT(put(e, t, a, item_of(a, "b", "1", "g2", "5", "B1"), key_of(a, "b", "1"), &err), DDB_OK);
    CHECK_STR(state(e, t, a),
              "a1=A1 a2=A2 b1=B1 | t:a 2:A1,A2, | gsi:g1 2:A1,A2, gsi:g2 1:B1, | lsi:a 2:A1,A2, | "
              "3/48 3 3");
    before = state(e, t, a);

    /* skip: the third write from now fails */
    db__fault_set(DB_FAULT_WRITE, DB_FAULT_ERROR, 2, 1, 0);
    CHECK_INT(put(e, t, a, item_of(a, "c", "1", "g3", "1", "C1"), key_of(a, "c", "1"), &err), DDB_OK);
    CHECK_INT(put(e, t, a, NULL, key_of(a, "c", "1"), &err), DDB_OK);
    CHECK_INT(put(e, t, a, item_of(a, "c", "1", "g3", "1", "C1"), key_of(a, "c", "1"), &err),
              DDB_ERR_INTERNAL);
    CHECK_STR(state(e, t, a), before);

    /* a full disk (injected): the gate closes, says why, refuses without calling RocksDB, reads go
     * on, and the probe reopens it */
    db__fault_set(DB_FAULT_WRITE, DB_FAULT_NOSPACE, 0, 1, 0);
    CHECK_INT(put(e, t, a, item_of(a, "a", "1", "g2", "30", "A1x"), key_of(a, "a", "1"), &err),
              DDB_ERR_INTERNAL);
    const char *full =
        "Internal server error: the data directory's disk is full; writes are refused until space is "
        "freed";
    CHECK_STR(err.msg, full);
    CHECK_INT(db__state(e->db), DB_STOPPED_NOSPACE);
    long hits = db__fault_hits(DB_FAULT_WRITE);
    db__fault_set(DB_FAULT_WRITE, DB_FAULT_ERROR, 0, 0, 0); /* armed, never fails: counts calls */
    hits = db__fault_hits(DB_FAULT_WRITE);
    int refused = 0, waited_ms = 0;
    while (db__state(e->db) != DB_WRITABLE && waited_ms < 5000) {
        if (put(e, t, a, item_of(a, "a", "1", "g2", "30", "A1x"), key_of(a, "a", "1"), &err) ==
            DDB_ERR_INTERNAL) {
            refused++;
            CHECK_STR(err.msg, full);
        }
        CHECK_STR(state(e, t, a), before); /* reads work, nothing changed */
        usleep(50 * 1000);
        waited_ms += 50;
    }
    CHECK(refused > 0);
    CHECK_INT(db__fault_hits(DB_FAULT_WRITE), hits); /* refused writes never reached the site */
    CHECK_INT(db__state(e->db), DB_WRITABLE);
    CHECK(waited_ms <= 5000);
    db__fault_clear();
    CHECK_INT(put(e, t, a, item_of(a, "a", "1", "g2", "30", "A1x"), key_of(a, "a", "1"), &err), DDB_OK);
    CHECK_STR(state(e, t, a), "a1=A1x a2=A2 b1=B1 | t:a 2:A1x,A2, | gsi:g1 1:A2, gsi:g2 2:A1x,B1, | lsi:a "
                              "2:A2,A1x, | 3/49 3 3");
    before = state(e, t, a);

    /* reads: get and iterator faults are InternalServerError */
    db__fault_set(DB_FAULT_GET, DB_FAULT_ERROR, 0, 1, 0);
    av_map_t *it = NULL;
    err_clear(&err);
    CHECK_INT(eng_item_get(e, t, key_of(a, "a", "1"), a, &it, &err), DDB_ERR_INTERNAL);
    CHECK_STR(err.msg, "Internal server error");
    db__fault_set(DB_FAULT_GET, DB_FAULT_ERROR, 0, 1, 0); /* the old-item read of a write */
    CHECK_INT(put(e, t, a, item_of(a, "a", "1", "g1", "1", "Z"), key_of(a, "a", "1"), &err),
              DDB_ERR_INTERNAL);
    CHECK_STR(state(e, t, a), before);
    db__fault_set(DB_FAULT_ITER, DB_FAULT_ERROR, 0, 1, 0);
    CHECK_STR(query(e, t, "gsi", "g2", a), "(error)");
    CHECK_STR(state(e, t, a), before);

    /* column families: CreateTable fails cleanly and can be retried; a failed drop still deletes */
    db__fault_set(DB_FAULT_CREATE_CF, DB_FAULT_ERROR, 2, 1, 0); /* the LSI's family */
    CHECK(create_table(e, "second", &err) == NULL);
    CHECK_INT(err.code, DDB_ERR_INTERNAL);
    CHECK(eng_table_get(e, "second", 6) == NULL);
    eng_table_t *t2 = create_table(e, "second", &err);
    CHECK(t2 != NULL);
    db__fault_set(DB_FAULT_DROP_CF, DB_FAULT_ERROR, 0, -1, 0);
    eng_table_t *gone = NULL;
    CHECK_INT(eng_table_delete(e, "second", &gone, &err), DDB_OK);
    eng_table_release(gone);
    eng_table_release(t2);
    CHECK(eng_table_get(e, "second", 6) == NULL);
    db__fault_clear();

    /* probability: about half of 400 writes fail */
    db__fault_set(DB_FAULT_WRITE, DB_FAULT_ERROR, 0, 0, 50);
    int failed = 0;
    for (int i = 0; i < 400; i++) {
        arena_t *b = arena_new(4096);
        ddb_errctx_t e2;
        err_init(&e2, b);
        if (put(e, t, b, item_of(b, "p", "1", "gp", "1", "P"), key_of(b, "p", "1"), &e2) != DDB_OK) failed++;
        arena_free(b);
    }
    db__fault_clear();
    CHECK(failed > 120 && failed < 280);
    CHECK_INT(put(e, t, a, NULL, key_of(a, "p", "1"), &err), DDB_OK);
    CHECK_STR(state(e, t, a), before);

    /* a failed flush at close: the log has the writes */
    CHECK_INT(put(e, t, a, item_of(a, "b", "1", "g2", "5", "B2"), key_of(a, "b", "1"), &err), DDB_OK);
    before = state(e, t, a);
    eng_table_release(t);
    db__fault_set(DB_FAULT_FLUSH, DB_FAULT_ERROR, 0, 1, 0);
    eng_close(e);
    db__fault_clear();
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    t = eng_table_get(e, "faults", 6);
    CHECK(t != NULL);
    CHECK_STR(state(e, t, a), before);
    CHECK(eng_table_get(e, "second", 6) == NULL);

    /* a bad spec in the environment: open fails with the reason */
    eng_table_release(t);
    eng_close(e);
    setenv("DYNAROCK_FAULTS", "write:sometimes", 1);
    errmsg = NULL;
    CHECK(eng_open(&o, &errmsg) == NULL);
    CHECK(errmsg && strstr(errmsg, "DYNAROCK_FAULTS: bad item 'write:sometimes'") != NULL);
    free(errmsg);
    setenv("DYNAROCK_FAULTS", "get:1", 1);
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    unsetenv("DYNAROCK_FAULTS");
    CHECK_INT(atomic_load(&db__faults_armed), 1);
    eng_close(e);
    db__fault_clear();

    arena_free(a);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return check_done("test_faults");
}
