/*
 * test_backup: on-demand backups and restores (backup.c) against a real RocksDB, no mocks.
 *
 * 1. A small table (copied in the call): AVAILABLE at once, its counters and description; writes
 *    after it are not in it; it survives DeleteTable; a restore is CREATING with its RestoreSummary
 *    fields, then ACTIVE with exactly the items and counters; the backup is in the list; a missing
 *    table, a taken target name and a missing backup give their errors.
 * 2. A table of 3,000 items (a copy job): CREATING, then AVAILABLE with every item; DeleteBackup of
 *    a backup being restored is refused (BackupInUseException) and works after.
 * 3. Close and reopen: backups and restored tables are still there.
 * 4. A point-in-time restore into a new table equals the table as of that time.
 */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/tests/check.h"
#include "engine/engine_int.h"

static eng_t *e;

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

static ddb_err_t put_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    (void)old;
    (void)err;
    *action = ctx ? ENG_APPLY_PUT : ENG_APPLY_DELETE;
    *new_item = ctx;
    return DDB_OK;
}

static void put(const char *table, const char *pk, long v)
{
    arena_t *a = arena_new(4096);
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    eng_write_result_t res;
    ddb_errctx_t err;
    err_init(&err, a);
    CHECK_INT(
        eng_item_write(e, t, item_of(a, pk, -1), put_apply, v >= 0 ? item_of(a, pk, v) : NULL, a, &res, &err),
        DDB_OK);
    eng_table_release(t);
    arena_free(a);
}

static long get(const char *table, const char *pk)
{
    arena_t *a = arena_new(4096);
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    av_map_t *out = NULL;
    ddb_errctx_t err;
    err_init(&err, a);
    long v = -2;
    if (t && eng_item_get(e, t, item_of(a, pk, -1), a, &out, &err) == DDB_OK) {
        const av_t *x = out ? av_map_get(out, "v", 1) : NULL;
        v = x ? strtol(arena_memdup(a, x->s.ptr, x->s.len), NULL, 10) : -1;
    }
    eng_table_release(t);
    arena_free(a);
    return v;
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

static const char *status_of(const char *name)
{
    eng_table_t *t = eng_table_get(e, name, strlen(name));
    static char st[32];
    snprintf(st, sizeof st, "%s", t ? t->status : "gone");
    eng_table_release(t);
    return st;
}

/* Restore a backup (or, backup NULL, table `src` as of at_ms) into `target` and wait for it. */
static ddb_err_t restore(const char *target, const char *backup, const char *src, int64_t at_ms, arena_t *a,
                         ddb_errctx_t *err)
{
    eng_table_t *from = src ? eng_table_get(e, src, strlen(src)) : NULL;
    eng_backup_t b;
    if (backup) CHECK_INT(eng_backup_get(e, backup, true, a, &b), 1);
    eng_table_t spec = *(backup ? b.desc : from);
    spec.name = target;
    spec.idx = NULL;
    spec.n_idx = 0;
    eng_restore_req_t rq = {.spec = &spec,
                            .backup_id = backup,
                            .backup_arn = backup ? "arn-of-backup" : NULL,
                            .source_table = src,
                            .at_us = at_ms * 1000,
                            .source_table_arn = "arn-of-table"};
    eng_table_t *t = NULL;
    ddb_err_t rc = eng_restore_start(e, &rq, &t, err);
    if (rc == DDB_OK) {
        CHECK_STR(t->status, "CREATING");
        CHECK(t->restored && t->restore_in_progress);
        CHECK_STR(t->restore_table_arn, "arn-of-table");
        if (backup) CHECK_STR(t->restore_backup_arn, "arn-of-backup");
        eng_table_release(t);
        eng_backup_wait(e);
        CHECK_STR(status_of(target), "ACTIVE");
        t = eng_table_get(e, target, strlen(target));
        CHECK(t->restored && !t->restore_in_progress);
        eng_table_release(t);
    }
    if (backup) eng_table_release(b.desc);
    eng_table_release(from);
    return rc;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

int main(void)
{
    char dir[] = "/tmp/test_backup.XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    eng_opts_t o = {.data_dir = dir};
    char *errmsg = NULL;
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    arena_t *a = arena_new(1 << 16);
    ddb_errctx_t err;
    err_init(&err, a);

    /* 1 */
    create("small");
    for (int i = 0; i < 20; i++) put("small", arena_sprintf(a, "k%d", i), i);
    eng_backup_t b;
    CHECK_INT(eng_backup_create(e, "small", "first", a, &b, &err), DDB_OK);
    CHECK(b.available);
    CHECK_INT(strlen(b.id), 22);
    CHECK_INT(b.item_count, 20);
    const char *small_id = arena_strdup(a, b.id);
    eng_table_t *t = eng_table_get(e, "small", 5);
    CHECK_INT(b.size_bytes, eng_table_stats(e, t).size_bytes);
    CHECK_STR(b.table_id, t->id);
    eng_table_release(t);
    put("small", "k0", 100);
    put("small", "late", 1);
    CHECK_INT(eng_table_delete(e, "small", NULL, &err), DDB_OK);
    eng_backup_t g;
    CHECK_INT(eng_backup_get(e, small_id, true, a, &g), 1);
    CHECK_STR(g.name, "first");
    CHECK_STR(g.desc->key.hash.name, "pk");
    eng_table_release(g.desc);
    CHECK_INT(restore("small", small_id, NULL, 0, a, &err), DDB_OK);
    CHECK_INT(get("small", "k0"), 0);
    CHECK_INT(get("small", "k19"), 19);
    CHECK_INT(get("small", "late"), -1);
    t = eng_table_get(e, "small", 5);
    CHECK_INT(eng_table_stats(e, t).item_count, 20);
    CHECK_INT(eng_table_stats(e, t).size_bytes, b.size_bytes);
    eng_table_release(t);
    CHECK_INT(eng_backup_create(e, "nosuch", "x", a, &b, &err), DDB_ERR_TABLE_NOT_FOUND);
    CHECK_STR(err.msg, "Table not found: nosuch");
    err_init(&err, a);
    CHECK_INT(restore("small", small_id, NULL, 0, a, &err), DDB_ERR_RESOURCE_IN_USE);
    err_init(&err, a);
    CHECK_INT(eng_backup_delete(e, "0000000000000-00000000", "arn-x", a, &g, &err), DDB_ERR_BACKUP_NOT_FOUND);
    CHECK_STR(err.msg, "Backup not found: arn-x");
    err_init(&err, a);

    /* 2 */
    create("big");
    for (int i = 0; i < 3000; i++) put("big", arena_sprintf(a, "k%04d", i), i);
    CHECK_INT(eng_backup_create(e, "big", "second", a, &b, &err), DDB_OK);
    CHECK(!b.available); /* a job copies it */
    const char *big_id = arena_strdup(a, b.id);
    put("big", "k0000", 7777); /* after the snapshot */
    eng_backup_wait(e);
    CHECK_INT(eng_backup_get(e, big_id, false, a, &g), 1);
    CHECK(g.available);
    CHECK_INT(g.item_count, 3000);
    CHECK_INT(restore("big2", big_id, NULL, 0, a, &err), DDB_OK);
    CHECK_INT(get("big2", "k0000"), 0);
    CHECK_INT(get("big2", "k2999"), 2999);
    t = eng_table_get(e, "big2", 4);
    CHECK_INT(eng_table_stats(e, t).item_count, 3000);
    eng_table_release(t);
    eng_backup_t *list;
    size_t n;
    CHECK_INT(eng_backup_list(e, a, &list, &n), 0);
    CHECK_INT(n, 2);
    CHECK_STR(list[0].id, small_id);
    CHECK_STR(list[1].id, big_id);
    CHECK_INT(eng_backup_delete(e, small_id, "arn-small", a, &g, &err), DDB_OK);
    CHECK_INT(eng_backup_get(e, small_id, false, a, &g), 0);

    /* 3 */
    eng_close(e);
    e = eng_open(&o, &errmsg);
    CHECK(e != NULL);
    CHECK_INT(eng_backup_list(e, a, &list, &n), 0);
    CHECK_INT(n, 1);
    CHECK_INT(get("big2", "k1234"), 1234);
    CHECK_INT(get("small", "k5"), 5);

    /* 4 */
    CHECK_INT(eng_pitr_set(e, "big", true, 35, NULL, &err), DDB_OK);
    sleep_ms(3);
    put("big", "k0001", 11);
    sleep_ms(3);
    int64_t at = pitr__now_ms();
    sleep_ms(3);
    put("big", "k0001", 12);
    put("big", "k0002", -1);
    CHECK_INT(restore("big3", NULL, "big", at, a, &err), DDB_OK);
    CHECK_INT(get("big3", "k0001"), 11);
    CHECK_INT(get("big3", "k0002"), 2);
    CHECK_INT(get("big3", "k0000"), 7777);
    t = eng_table_get(e, "big3", 4);
    CHECK_INT(eng_table_stats(e, t).item_count, 3000);
    CHECK(t->restore_backup_arn == NULL);
    eng_table_release(t);

    arena_free(a);
    eng_close(e);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", dir);
    return check_done("test_backup");
}
