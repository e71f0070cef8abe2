/*
 * fuzz_partiql: libFuzzer target for PartiQL statements (expr_partiql_parse and what the server
 * does with a compiled statement), and (built with DDB_FUZZ_REPLAY) a replay of its seed corpus
 * expr/fuzz/corpus_partiql/ that runs in ordinary CI.
 *
 * Input: byte 0 modulo 6 is the number of ? parameters bound (from a fixed list: S, N, SS, M, L,
 * NS); the rest is the statement. A compiled statement is then used as the server would: the
 * WHERE evaluated on three items and on no item, a SELECT planned against the key schema
 * pk (S) + sk (N), an UPDATE / DELETE's key taken and its update applied, a projection shaped.
 *
 * Properties checked (abort on failure):
 *   - every failure records a message;
 *   - the plan agrees with the WHERE: for each item (whose keys have the schema's types, as in a
 *     table), WHERE(item) == item is in one of the ranges AND filter(item) (Query), or
 *     filter(item) (Scan), or false (none);
 *   - the key agrees with the WHERE: WHERE(item) == item has that key AND cond(item).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

#include "expr/expr.h"

static av_t sv(av_type_t t, const char *s)
{
    av_t v;
    memset(&v, 0, sizeof v);
    v.type = t;
    v.s = (ddb_str_t){s, strlen(s)};
    return v;
}

static av_map_t mk_item(arena_t *a, const char *pk, const char *sk, int extra)
{
    av_map_t m = {0, ARENA_NEWN(a, av_kv_t, 8)};
    m.kvs[m.n].name = DDB_STR("pk");
    m.kvs[m.n++].val = sv(AV_S, pk);
    m.kvs[m.n].name = DDB_STR("sk");
    m.kvs[m.n++].val = sv(AV_N, sk);
    if (extra) {
        m.kvs[m.n].name = DDB_STR("a");
        m.kvs[m.n++].val = sv(AV_N, "5");
        m.kvs[m.n].name = DDB_STR("s");
        m.kvs[m.n++].val = sv(AV_S, "hello");
        av_t *el = ARENA_NEWN(a, av_t, 2);
        el[0] = sv(AV_S, "x");
        el[1] = sv(AV_N, "2");
        m.kvs[m.n].name = DDB_STR("l");
        m.kvs[m.n].val.type = AV_L;
        m.kvs[m.n++].val.l = (av_list_t){2, el};
        m.kvs[m.n].name = DDB_STR("ss");
        m.kvs[m.n].val.type = AV_SS;
        m.kvs[m.n++].val.l = (av_list_t){1, el};
        m.kvs[m.n].name = DDB_STR("z");
        m.kvs[m.n++].val.type = AV_NULL;
    }
    return m;
}

static int has_key(const av_map_t *item, const expr_keyrange_t *r)
{
    const av_t *pk = av_map_get(item, "pk", 2), *sk = av_map_get(item, "sk", 2);
    if (!pk || !av_equal(pk, r->hash->v[0])) return 0;
    return !r->range || (sk && expr_keypart_match(r->range, sk));
}

static void run(arena_t *a, const uint8_t *data, size_t size)
{
    if (size == 0) return;
    ddb_errctx_t err;
    err_init(&err, a);
    av_t params[6];
    av_t *elems = ARENA_NEWN(a, av_t, 3);
    elems[0] = sv(AV_S, "x");
    elems[1] = sv(AV_N, "7");
    elems[2] = sv(AV_S, "y");
    params[0] = sv(AV_S, "a");
    params[1] = sv(AV_N, "1");
    params[2].type = AV_SS;
    params[2].l = (av_list_t){1, &elems[2]};
    params[3].type = AV_M;
    params[3].m.n = 1;
    params[3].m.kvs = ARENA_NEWN(a, av_kv_t, 1);
    params[3].m.kvs[0].name = DDB_STR("k");
    params[3].m.kvs[0].val = elems[1];
    params[4].type = AV_L;
    params[4].l = (av_list_t){3, elems};
    params[5].type = AV_NS;
    params[5].l = (av_list_t){1, &elems[1]};

    av_map_t items[3] = {mk_item(a, "a", "1", 1), mk_item(a, "b", "2", 0), mk_item(a, "a", "3", 1)};
    size_t np = data[0] % 6;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    expr_partiql_t *st;
    expr_pq_pos_t pos;
    ddb_err_t rc = expr_partiql_parse(a, &err, text, len, np, params, &st, &pos);
    if (rc) {
        if (!err.msg || pos.offset > len) abort();
        return;
    }
    bool where[3];
    for (int i = 0; i < 3; i++) where[i] = !st->where || expr_condition_eval(st->where, &items[i]);
    if (st->where) (void)expr_condition_eval(st->where, NULL);

    if (st->kind == EXPR_PQ_SELECT || st->kind == EXPR_PQ_EXISTS) {
        expr_pq_plan_t pl;
        for (int schema = 0; schema < 2; schema++) {
            err_clear(&err);
            if (expr_partiql_plan(st, "pk", AV_S, schema ? NULL : "sk", AV_N, a, &err, &pl)) {
                if (!err.msg) abort();
                continue;
            }
            for (int i = 0; i < 3; i++) {
                bool in = false;
                if (pl.none)
                    in = false;
                else if (!pl.nranges)
                    in = true;
                else
                    for (size_t r = 0; r < pl.nranges && !in; r++) in = has_key(&items[i], &pl.ranges[r]);
                bool got = in && (!pl.filter || expr_condition_eval(pl.filter, &items[i]));
                if (got != where[i]) abort();
            }
        }
        (void)expr_partiql_project(st, &items[0], a);
    }
    if (st->kind == EXPR_PQ_UPDATE || st->kind == EXPR_PQ_DELETE || st->kind == EXPR_PQ_EXISTS) {
        av_map_t *key;
        expr_cond_t *cond;
        err_clear(&err);
        if (expr_partiql_key(st, "pk", AV_S, "sk", AV_N, a, &err, &key, &cond)) {
            if (!err.msg) abort();
        } else {
            for (int i = 0; i < 3; i++) {
                bool same = av_map_equal(key, &(av_map_t){2, items[i].kvs});
                bool got = same && (!cond || expr_condition_eval(cond, &items[i]));
                if (got != where[i]) abort();
            }
        }
    }
    if (st->kind == EXPR_PQ_UPDATE) {
        expr_update_result_t res;
        for (int i = 0; i < 2; i++) {
            err_clear(&err);
            if (expr_update_apply(st->update, i ? NULL : &items[0], &(av_map_t){2, items[0].kvs}, a, &err,
                                  &res)) {
                if (!err.msg) abort();
            } else if (res.item) {
                (void)expr_update_project(st->update, res.item, a);
            }
        }
    }
}

static arena_t *arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena) arena = arena_new(0);
    run(arena, data, size);
    arena_reset(arena);
    return 0;
}

void ddb_fuzz_cleanup(void)
{
    if (arena) arena_free(arena);
    arena = NULL;
}
