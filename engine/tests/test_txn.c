/*
 * test_txn: eng_multi_write and eng_multi_get on a real RocksDB.
 *
 * - A multi-write whose second action fails writes nothing and reports each action's result.
 * - Four threads move random amounts between 4 accounts with two-item multi-writes (a debit that
 *   fails when the balance would go negative, and a credit) while two readers take snapshots of all
 *   accounts with eng_multi_get: every snapshot sums to the starting total (no torn reads), no
 *   balance is ever negative, and at the end the balances equal the starting ones plus the
 *   committed transfers exactly (no lost updates).
 */
#include "engine/engine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/tests/check.h"

#define ACCOUNTS 4
#define START 1000
#define TRANSFERS 3000

static eng_t *e;
static atomic_int failures_seen, torn, negative;
static atomic_bool writers_done;
static long committed_delta[ACCOUNTS];
static pthread_mutex_t delta_mu = PTHREAD_MUTEX_INITIALIZER;

static av_map_t *key_of(arena_t *a, int acct)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 2);
    m->kvs[0].name = (ddb_str_t){"pk", 2};
    m->kvs[0].val.type = AV_S;
    char *s = arena_sprintf(a, "acct%d", acct);
    m->kvs[0].val.s = (ddb_str_t){s, strlen(s)};
    m->n = 1;
    return m;
}

static long balance(const av_map_t *item)
{
    const av_t *v = item ? av_map_get(item, "bal", 3) : NULL;
    return v ? atol(v->s.ptr) : 0;
}

typedef struct {
    arena_t *a;
    int acct;
    long delta;
} move_t;

/* Add delta to the balance; refuse (ConditionalCheckFailed) to go below zero. */
static ddb_err_t move(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                      ddb_errctx_t *err)
{
    move_t *m = ctx;
    long b = balance(old) + m->delta;
    if (b < 0) return err_set(err, DDB_ERR_CONDITIONAL_CHECK_FAILED, "The conditional request failed");
    av_map_t *n = key_of(m->a, m->acct);
    n->kvs[1].name = (ddb_str_t){"bal", 3};
    n->kvs[1].val.type = AV_N;
    char *s = arena_sprintf(m->a, "%ld", b);
    n->kvs[1].val.s = (ddb_str_t){s, strlen(s)};
    n->n = 2;
    *action = ENG_APPLY_PUT;
    *new_item = n;
    return DDB_OK;
}

static void *writer(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    arena_t *a = arena_new(1 << 14);
    eng_table_t *t = eng_table_get(e, "acct", 4);
    for (int i = 0; i < TRANSFERS; i++) {
        arena_reset(a);
        int from = rand_r(&seed) % ACCOUNTS, to = (from + 1 + rand_r(&seed) % (ACCOUNTS - 1)) % ACCOUNTS;
        long amt = 1 + rand_r(&seed) % 300;
        move_t mv[2] = {{a, from, -amt}, {a, to, amt}};
        eng_multi_op_t ops[2] = {{t, key_of(a, from), move, &mv[0]}, {t, key_of(a, to), move, &mv[1]}};
        eng_multi_result_t res[2];
        err_init(&res[0].err, a);
        err_init(&res[1].err, a);
        ddb_errctx_t err;
        err_init(&err, a);
        ddb_err_t rc = eng_multi_write(e, 2, ops, a, res, &err);
        if (rc == DDB_OK) {
            pthread_mutex_lock(&delta_mu);
            committed_delta[from] -= amt;
            committed_delta[to] += amt;
            pthread_mutex_unlock(&delta_mu);
        } else if (rc == DDB_ERR_TRANSACTION_CANCELED) {
            atomic_fetch_add(&failures_seen, 1);
            if (res[0].err.code != DDB_ERR_CONDITIONAL_CHECK_FAILED || res[1].err.code != DDB_OK)
                atomic_fetch_add(&torn, 1000);
        } else {
            atomic_fetch_add(&torn, 1000);
        }
    }
    eng_table_release(t);
    arena_free(a);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    arena_t *a = arena_new(1 << 14);
    eng_table_t *t = eng_table_get(e, "acct", 4);
    eng_table_t *ts[ACCOUNTS];
    const av_map_t *keys[ACCOUNTS];
    while (!atomic_load(&writers_done)) {
        arena_reset(a);
        for (int i = 0; i < ACCOUNTS; i++) {
            ts[i] = t;
            keys[i] = key_of(a, i);
        }
        av_map_t *out[ACCOUNTS];
        ddb_errctx_t err;
        err_init(&err, a);
        if (eng_multi_get(e, ACCOUNTS, ts, keys, a, out, &err) != DDB_OK) atomic_fetch_add(&torn, 1);
        long sum = 0;
        for (int i = 0; i < ACCOUNTS; i++) {
            sum += balance(out[i]);
            if (balance(out[i]) < 0) atomic_fetch_add(&negative, 1);
        }
        if (sum != ACCOUNTS * START) atomic_fetch_add(&torn, 1);
    }
    eng_table_release(t);
    arena_free(a);
    return NULL;
}

int main(void)
{
    char dir[] = "/tmp/dynarock-test-txn-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *errmsg = NULL;
    eng_opts_t o = {.data_dir = dir};
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    arena_t *a = arena_new(1 << 14);
    eng_table_t spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "acct";
    spec.status = "ACTIVE";
    spec.key.hash = (eng_attr_t){"pk", AV_S};
    static eng_attr_t defs[1] = {{"pk", AV_S}};
    spec.attrdefs = defs;
    spec.n_attrdefs = 1;
    spec.on_demand = true;
    spec.table_class = "STANDARD";
    ddb_errctx_t err;
    err_init(&err, a);
    eng_table_t *t = NULL;
    CHECK(eng_table_create(e, &spec, &t, &err) == DDB_OK);

    /* open the accounts */
    for (int i = 0; i < ACCOUNTS; i++) {
        move_t mv = {a, i, START};
        eng_write_result_t res;
        CHECK(eng_item_write(e, t, key_of(a, i), move, &mv, a, &res, &err) == DDB_OK);
    }

    /* a failing action cancels everything */
    {
        move_t mv[3] = {{a, 0, 5}, {a, 1, -5000}, {a, 2, 7}};
        eng_multi_op_t ops[3] = {{t, key_of(a, 0), move, &mv[0]},
                                 {t, key_of(a, 1), move, &mv[1]},
                                 {t, key_of(a, 2), move, &mv[2]}};
        eng_multi_result_t res[3];
        for (int i = 0; i < 3; i++) err_init(&res[i].err, a);
        CHECK_INT(eng_multi_write(e, 3, ops, a, res, &err), DDB_ERR_TRANSACTION_CANCELED);
        CHECK_INT(res[0].err.code, DDB_OK);
        CHECK_INT(res[1].err.code, DDB_ERR_CONDITIONAL_CHECK_FAILED);
        CHECK_INT(res[2].err.code, DDB_OK); /* every action is evaluated */
        for (int i = 0; i < 3; i++) {
            av_map_t *it;
            CHECK(eng_item_get(e, t, key_of(a, i), a, &it, &err) == DDB_OK);
            CHECK_INT(balance(it), START);
        }
        CHECK_INT(eng_table_stats(e, t).item_count, ACCOUNTS);
    }

    pthread_t w[4], r[2];
    for (int i = 0; i < 4; i++) CHECK(pthread_create(&w[i], NULL, writer, (void *)(uintptr_t)(i + 1)) == 0);
    for (int i = 0; i < 2; i++) CHECK(pthread_create(&r[i], NULL, reader, NULL) == 0);
    for (int i = 0; i < 4; i++) pthread_join(w[i], NULL);
    atomic_store(&writers_done, true);
    for (int i = 0; i < 2; i++) pthread_join(r[i], NULL);

    CHECK_INT(atomic_load(&torn), 0);
    CHECK_INT(atomic_load(&negative), 0);
    for (int i = 0; i < ACCOUNTS; i++) {
        av_map_t *it;
        CHECK(eng_item_get(e, t, key_of(a, i), a, &it, &err) == DDB_OK);
        CHECK_INT(balance(it), START + committed_delta[i]);
    }
    CHECK_INT(eng_table_stats(e, t).item_count, ACCOUNTS);
    printf("transfers: %d committed or refused, %d refused for funds\n", 4 * TRANSFERS,
           atomic_load(&failures_seen));

    eng_table_release(t);
    arena_free(a);
    eng_close(e);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return check_done("test_txn");
}
