/*
 * test_pitr: point-in-time history (pitr.c) against a real RocksDB, no mocks.
 *
 * 1. PITR off: eng_pitr_info says so; a reader as of a past time is refused; as of now (0) it reads
 *    the table. Turned on: the window starts about now, 35 days.
 * 2. Three rounds of writes (update, delete, insert, re-insert) with the time noted between rounds:
 *    the table as of each noted time is exactly what it was then (keys and values); the changes
 *    between two noted times are exactly the keys changed, with their images at both ends (a key
 *    created and deleted inside the window left out); times outside the window are refused.
 * 3. A batch of several items (eng_multi_write) is recorded as one change each.
 * 4. Close and reopen: the history and the window are still there.
 * 5. The keeper's trim leaves the records a restore within the window needs; a trim past the window
 *    empties the history (the changes reader then finds nothing).
 * 6. Turning PITR off drops the history; on again, the window starts anew.
 * 7. DeleteTable drops the history; a table created again with that name starts without one.
 */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/tests/check.h"
#include "engine/engine_int.h"

static eng_t *e;

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static av_map_t *item_of(arena_t *a, const char *pk, long v)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 2);
    m->kvs[0].name = (ddb_str_t){"pk", 2};
    m->kvs[0].val.type = AV_S;
    char *s = arena_strdup(a, pk);
    m->kvs[0].val.s = (ddb_str_t){s, strlen(s)};
    m->n = 1;
    if (v >= 0) {
        m->kvs[1].name = (ddb_str_t){"v", 1};
        m->kvs[1].val.type = AV_N;
        char *n = arena_sprintf(a, "%ld", v);
        m->kvs[1].val.s = (ddb_str_t){n, strlen(n)};
        m->n = 2;
    }
    return m;
}

typedef struct {
    av_map_t *item; /* NULL: delete */
} put_ctx_t;

static ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    (void)old;
    (void)err;
    put_ctx_t *pc = ctx;
    *action = pc->item ? ENG_APPLY_PUT : ENG_APPLY_DELETE;
    *new_item = pc->item;
    return DDB_OK;
}

/* v >= 0: put pk with v; v < 0: delete pk. */
static void put(const char *table, const char *pk, long v)
{
    arena_t *a = arena_new(4096);
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    put_ctx_t pc = {v >= 0 ? item_of(a, pk, v) : NULL};
    eng_write_result_t res;
    ddb_errctx_t err;
    err_init(&err, a);
    CHECK_INT(eng_item_write(e, t, item_of(a, pk, -1), put_apply, &pc, a, &res, &err), DDB_OK);
    eng_table_release(t);
    arena_free(a);
}

static long val_of(const av_map_t *m)
{
    const av_t *v = m ? av_map_get(m, "v", 1) : NULL;
    char d[32] = "-1";
    if (v && v->s.len < sizeof d) {
        memcpy(d, v->s.ptr, v->s.len);
        d[v->s.len] = 0;
    }
    return atol(d);
}

static const char *pk_of(arena_t *a, const av_map_t *m)
{
    const av_t *v = m ? av_map_get(m, "pk", 2) : NULL;
    return v ? arena_memdup(a, v->s.ptr, v->s.len) : "";
}

/* The table as of at_ms as "pk=v;..." sorted by pk (the reader's order is the key's hash order). */
static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static char *state_at(const char *table, int64_t at_ms, arena_t *a)
{
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    eng_reader_t *r;
    ddb_errctx_t err;
    err_init(&err, a);
    CHECK_INT(eng_reader_open_asof(e, t, at_ms, &r, &err), DDB_OK);
    char *parts[64];
    size_t n = 0;
    av_map_t *it;
    int got;
    while ((got = eng_reader_next(r, a, &it)) == 1 && n < 64)
        parts[n++] = arena_sprintf(a, "%s=%ld", pk_of(a, it), val_of(it));
    CHECK_INT(got, 0);
    CHECK_INT(eng_reader_next(r, a, &it), 0); /* stays at the end */
    eng_reader_close(r);
    eng_table_release(t);
    qsort(parts, n, sizeof *parts, cmp_str);
    buf_t b;
    buf_init(&b, a, 256);
    for (size_t i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ";" : "", parts[i]);
    buf_putc(&b, 0);
    return b.data;
}

/* The changes in (from, to] as "pk:old>new;..." sorted. */
static char *changes(const char *table, int64_t from, int64_t to, arena_t *a)
{
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    eng_reader_t *r;
    ddb_errctx_t err;
    err_init(&err, a);
    CHECK_INT(eng_reader_open_changes(e, t, from, to, &r, &err), DDB_OK);
    char *parts[64];
    size_t n = 0;
    eng_change_t c;
    int got;
    while ((got = eng_reader_next_change(r, a, &c)) == 1 && n < 64) {
        CHECK_INT(c.keys->n, 1);
        CHECK(c.write_us > from * 1000 && c.write_us <= to * 1000 && c.write_ms == c.write_us / 1000);
        parts[n++] =
            arena_sprintf(a, "%s:%ld>%ld", pk_of(a, c.keys), val_of(c.old_image), val_of(c.new_image));
    }
    CHECK_INT(got, 0);
    eng_reader_close(r);
    eng_table_release(t);
    qsort(parts, n, sizeof *parts, cmp_str);
    buf_t b;
    buf_init(&b, a, 256);
    for (size_t i = 0; i < n; i++) buf_printf(&b, "%s%s", i ? ";" : "", parts[i]);
    buf_putc(&b, 0);
    return b.data;
}

static int64_t mark(void)
{
    sleep_ms(3);
    int64_t t = pitr__now_ms();
    sleep_ms(3);
    return t;
}

static void create(const char *name)
{
    eng_table_t s;
    memset(&s, 0, sizeof s);
    s.name = name;
    s.status = "ACTIVE";
    s.key.hash = (eng_attr_t){"pk", AV_S};
    eng_attr_t ad[1] = {{"pk", AV_S}};
    s.n_attrdefs = 1;
    s.attrdefs = ad;
    s.on_demand = true;
    arena_t *a = arena_new(512);
    ddb_errctx_t err;
    err_init(&err, a);
    CHECK_INT(eng_table_create(e, &s, NULL, &err), DDB_OK);
    arena_free(a);
}

static void reopen(const char *dir)
{
    eng_close(e);
    eng_opts_t o = {.data_dir = dir};
    char *errmsg = NULL;
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
}

int main(void)
{
    char dir[] = "/tmp/test_pitr.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    eng_opts_t o = {.data_dir = dir};
    char *errmsg = NULL;
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    arena_t *a = arena_new(1 << 16);
    ddb_errctx_t err;
    err_init(&err, a);

    /* 1 */
    create("p");
    for (int i = 0; i < 10; i++) put("p", arena_sprintf(a, "k%d", i), 0);
    eng_table_t *t = eng_table_get(e, "p", 1);
    eng_pitr_info_t pi;
    CHECK(!eng_pitr_info(e, t, &pi));
    CHECK(!pi.enabled);
    eng_reader_t *r = NULL;
    CHECK_INT(eng_reader_open_asof(e, t, pitr__now_ms() - 1000, &r, &err), DDB_ERR_VALIDATION);
    CHECK_STR(err.msg, "The time is outside the table's restorable window");
    CHECK(r == NULL);
    eng_table_release(t);
    CHECK_STR(state_at("p", 0, a), "k0=0;k1=0;k2=0;k3=0;k4=0;k5=0;k6=0;k7=0;k8=0;k9=0");
    int64_t before_on = pitr__now_ms();
    CHECK_INT(eng_pitr_set(e, "p", true, 35, &t, &err), DDB_OK);
    CHECK(t->pitr_enabled);
    CHECK(eng_pitr_info(e, t, &pi));
    CHECK_INT(pi.days, 35);
    CHECK(pi.earliest_ms >= before_on && pi.earliest_ms <= pitr__now_ms());
    CHECK(pi.latest_ms >= pi.earliest_ms && pi.latest_ms <= pitr__now_ms());
    eng_table_release(t);

    /* 2 */
    int64_t t1 = mark();
    put("p", "k0", 1);
    put("p", "k1", -1);
    put("p", "k10", 0);
    put("p", "k2", 7);
    put("p", "k2", 8);
    int64_t t2 = mark();
    put("p", "k0", 2);
    put("p", "k10", -1);
    put("p", "k1", 5);
    put("p", "k11", 3);
    put("p", "k11", -1);
    int64_t t3 = mark();
    const char *s1 = "k0=0;k1=0;k2=0;k3=0;k4=0;k5=0;k6=0;k7=0;k8=0;k9=0";
    const char *s2 = "k0=1;k10=0;k2=8;k3=0;k4=0;k5=0;k6=0;k7=0;k8=0;k9=0";
    const char *s3 = "k0=2;k1=5;k2=8;k3=0;k4=0;k5=0;k6=0;k7=0;k8=0;k9=0";
    CHECK_STR(state_at("p", t1, a), s1);
    CHECK_STR(state_at("p", t2, a), s2);
    CHECK_STR(state_at("p", t3, a), s3);
    CHECK_STR(state_at("p", 0, a), s3);
    CHECK_STR(changes("p", t1, t2, a), "k0:0>1;k10:-1>0;k1:0>-1;k2:0>8");
    CHECK_STR(changes("p", t2, t3, a), "k0:1>2;k10:0>-1;k1:-1>5");
    CHECK_STR(changes("p", t1, t3, a), "k0:0>2;k1:0>5;k2:0>8");
    t = eng_table_get(e, "p", 1);
    CHECK_INT(eng_reader_open_asof(e, t, before_on - 5000, &r, &err), DDB_ERR_VALIDATION);
    err_init(&err, a);
    CHECK_INT(eng_reader_open_asof(e, t, pitr__now_ms() + 60000, &r, &err), DDB_ERR_VALIDATION);
    err_init(&err, a);
    CHECK_INT(eng_reader_open_changes(e, t, t2, t1, &r, &err), DDB_ERR_VALIDATION);
    err_init(&err, a);
    eng_table_release(t);

    /* 3: one multi-write, three changes */
    {
        t = eng_table_get(e, "p", 1);
        put_ctx_t pc[3] = {{item_of(a, "k3", 30)}, {item_of(a, "k4", 40)}, {NULL}};
        eng_multi_op_t ops[3] = {{t, item_of(a, "k3", -1), put_apply, &pc[0]},
                                 {t, item_of(a, "k4", -1), put_apply, &pc[1]},
                                 {t, item_of(a, "k5", -1), put_apply, &pc[2]}};
        eng_multi_result_t res[3];
        for (int i = 0; i < 3; i++) err_init(&res[i].err, a);
        CHECK_INT(eng_multi_write(e, 3, ops, a, res, &err), DDB_OK);
        eng_table_release(t);
    }
    int64_t t4 = mark();
    CHECK_STR(changes("p", t3, t4, a), "k3:0>30;k4:0>40;k5:0>-1");
    CHECK_STR(state_at("p", t3, a), s3);

    /* 4 */
    reopen(dir);
    CHECK_STR(state_at("p", t1, a), s1);
    CHECK_STR(state_at("p", t2, a), s2);
    CHECK_STR(changes("p", t1, t2, a), "k0:0>1;k10:-1>0;k1:0>-1;k2:0>8");
    t = eng_table_get(e, "p", 1);
    CHECK(eng_pitr_info(e, t, &pi));
    CHECK(pi.earliest_ms <= t1);
    eng_table_release(t);

    /* 5 */
    CHECK_INT(pitr__trim(e, pitr__now_ms()), 0);
    CHECK_STR(state_at("p", t1, a), s1);
    CHECK_INT(pitr__trim(e, pitr__now_ms() + 36LL * 86400000), 0); /* everything is past the window */
    CHECK_STR(changes("p", t1, t4, a), "");

    /* 6 */
    put("p", "k6", 60);
    CHECK_INT(eng_pitr_set(e, "p", false, 0, &t, &err), DDB_OK);
    CHECK(!t->pitr_enabled);
    CHECK(!eng_pitr_info(e, t, &pi));
    eng_table_release(t);
    int64_t t5 = mark();
    CHECK_INT(eng_pitr_set(e, "p", true, 1, &t, &err), DDB_OK);
    CHECK(eng_pitr_info(e, t, &pi));
    CHECK_INT(pi.days, 1);
    CHECK(pi.earliest_ms > t5);
    CHECK_INT(eng_reader_open_asof(e, t, t5, &r, &err), DDB_ERR_VALIDATION);
    err_init(&err, a);
    eng_table_release(t);
    int64_t t6 = mark();
    put("p", "k6", 61);
    int64_t t7 = mark();
    CHECK_STR(changes("p", t6, t7, a), "k6:60>61");

    /* 7 */
    CHECK_INT(eng_table_delete(e, "p", NULL, &err), DDB_OK);
    create("p");
    t = eng_table_get(e, "p", 1);
    CHECK(!t->pitr_enabled);
    eng_table_release(t);
    CHECK_INT(eng_pitr_set(e, "p", true, 35, NULL, &err), DDB_OK);
    int64_t t8 = mark(), t9 = mark();
    CHECK_STR(changes("p", t8, t9, a), "");

    arena_free(a);
    eng_close(e);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    return check_done("test_pitr");
}
