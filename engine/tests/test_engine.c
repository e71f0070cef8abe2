/*
 * test_engine: the engine facade against a real RocksDB in a temporary directory: tables are
 * created, listed, updated (also with the descriptor constructors a mutate callback uses: an index
 * and tags added) and deleted; items are written and read back; statistics follow every write
 * (counters of version 0.1.0 databases are still added in); everything survives a close and
 * reopen; in-memory mode writes nothing to disk.
 */
#include "engine/engine.h"
#include "engine/engine_int.h"

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/tests/check.h"

static ddb_str_t S(const char *z)
{
    return (ddb_str_t){z, strlen(z)};
}

static eng_table_t spec(const char *name)
{
    eng_table_t t;
    memset(&t, 0, sizeof t);
    t.name = name;
    t.status = "ACTIVE";
    t.key.hash = (eng_attr_t){"pk", AV_S};
    t.key.range = (eng_attr_t){"sk", AV_N};
    static eng_attr_t defs[2] = {{"pk", AV_S}, {"sk", AV_N}};
    t.attrdefs = defs;
    t.n_attrdefs = 2;
    t.on_demand = true;
    t.table_class = "STANDARD";
    return t;
}

typedef struct {
    av_map_t *item;
    eng_apply_t action;
} apply_ctx_t;

static ddb_err_t apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                       ddb_errctx_t *err)
{
    apply_ctx_t *c = ctx;
    *action = c->action;
    *new_item = c->item;
    return DDB_OK;
}

static av_map_t *make_item(arena_t *a, const char *pk, const char *sk, const char *payload)
{
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 3);
    m->kvs[0].name = S("pk");
    m->kvs[0].val.type = AV_S;
    m->kvs[0].val.s = S(pk);
    m->kvs[1].name = S("sk");
    m->kvs[1].val.type = AV_N;
    m->kvs[1].val.s = S(sk);
    m->n = 2;
    if (payload) {
        m->kvs[2].name = S("data");
        m->kvs[2].val.type = AV_S;
        m->kvs[2].val.s = S(payload);
        m->n = 3;
    }
    return m;
}

static ddb_err_t set_class(void *ctx, eng_table_t *t, ddb_errctx_t *err)
{
    t->table_class = eng_table_strdup(t, ctx);
    t->deletion_protection = true;
    return DDB_OK;
}

/* The descriptor constructors a mutate callback uses instead of engine-private fields: one tag in
 * eng_table_alloc'd memory and a GSI on sk from eng_table_add_index. */
static ddb_err_t add_tag_and_gsi(void *ctx, eng_table_t *t, ddb_errctx_t *err)
{
    (void)ctx;
    (void)err;
    eng_tag_t *tags = eng_table_alloc(t, 2 * sizeof *tags);
    CHECK(tags[0].key == NULL && tags[1].value == NULL); /* zeroed */
    tags[0] = (eng_tag_t){eng_table_strdup(t, "team"), eng_table_strdup(t, "core")};
    t->tags = tags;
    t->n_tags = 1;
    size_t n = t->n_idx;
    eng_index_t *x = eng_table_add_index(t);
    CHECK_INT(t->n_idx, n + 1);
    CHECK(x == &t->idx[n] && !x->name && !x->id && !x->nonkey && !x->backfilling); /* zeroed: new */
    x->name = eng_table_strdup(t, "by_sk");
    x->global = true;
    x->key.hash = (eng_attr_t){eng_table_strdup(t, "sk"), AV_N};
    x->proj = ENG_PROJ_ALL;
    x->status = "CREATING";
    x->backfilling = true;
    return DDB_OK;
}

/* A second entry keeps the first (t->idx moved, not lost); the error aborts the update. */
static ddb_err_t add_gsi_then_fail(void *ctx, eng_table_t *t, ddb_errctx_t *err)
{
    const char *first_id = t->idx[0].id;
    eng_index_t *x = eng_table_add_index(t);
    CHECK_INT(t->n_idx, 2);
    CHECK(x == &t->idx[1] && !x->name && !x->id);
    CHECK_STR(t->idx[0].name, "by_sk");
    CHECK(t->idx[0].id == first_id && first_id != NULL);
    x->name = eng_table_strdup(t, ctx);
    return err_set(err, DDB_ERR_VALIDATION, "no");
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/dynarock-test-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    arena_t *a = arena_new(0);
    ddb_errctx_t err;
    err_init(&err, a);
    eng_opts_t o = {.data_dir = dir};
    char *emsg = NULL;
    eng_t *e = eng_open(&o, &emsg);
    CHECK(e != NULL);

    eng_table_t s1 = spec("Music"), s2 = spec("Books");
    eng_table_t *t = NULL;
    CHECK_INT(eng_table_create(e, &s1, &t, &err), DDB_OK);
    CHECK(t && strlen(t->id) == 36);
    CHECK_INT(eng_table_create(e, &s2, NULL, &err), DDB_OK);
    CHECK_INT(eng_table_create(e, &s1, NULL, &err), DDB_ERR_RESOURCE_IN_USE);
    CHECK_STR(err.msg, "Table already exists: Music");
    err_clear(&err);
    const char **names;
    CHECK_INT(eng_table_list(e, a, &names), 2);
    CHECK_STR(names[0], "Books");
    CHECK_STR(names[1], "Music");

    /* items: put 100, overwrite one, delete one */
    for (int i = 0; i < 100; i++) {
        apply_ctx_t c = {make_item(a, "artist", arena_sprintf(a, "%d", i), "hello"), ENG_APPLY_PUT};
        eng_write_result_t res;
        CHECK_INT(eng_item_write(e, t, c.item, apply, &c, a, &res, &err), DDB_OK);
        CHECK(res.old_item == NULL);
    }
    apply_ctx_t over = {make_item(a, "artist", "7", "changed"), ENG_APPLY_PUT};
    eng_write_result_t res;
    CHECK_INT(eng_item_write(e, t, over.item, apply, &over, a, &res, &err), DDB_OK);
    CHECK(res.old_item && res.old_item->n == 3 && ddb_str_eq(res.old_item->kvs[2].val.s, "hello"));
    apply_ctx_t del = {NULL, ENG_APPLY_DELETE};
    CHECK_INT(eng_item_write(e, t, make_item(a, "artist", "8", NULL), apply, &del, a, &res, &err), DDB_OK);
    CHECK(res.old_item != NULL);
    CHECK_INT(eng_item_write(e, t, make_item(a, "artist", "8", NULL), apply, &del, a, &res, &err), DDB_OK);
    CHECK(res.old_item == NULL);
    eng_stats_t st = eng_table_stats(e, t);
    CHECK_INT(st.item_count, 99);
    /* size rule: "pk"(2)+"artist"(6) + "sk"(2)+N + "data"(4)+"hello"(5); changed item is 2 bytes larger */
    CHECK(st.size_bytes > 99 * 19);

    av_map_t *got = NULL;
    CHECK_INT(eng_item_get(e, t, make_item(a, "artist", "7", NULL), a, &got, &err), DDB_OK);
    CHECK(got && got->n == 3 && ddb_str_eq(got->kvs[2].val.s, "changed"));
    CHECK_INT(eng_item_get(e, t, make_item(a, "artist", "8", NULL), a, &got, &err), DDB_OK);
    CHECK(got == NULL);

    /* an update publishes a new descriptor; the old reference stays readable */
    eng_table_t *t2 = NULL;
    CHECK_INT(eng_table_update(e, "Music", set_class, "STANDARD_INFREQUENT_ACCESS", &t2, &err), DDB_OK);
    CHECK_STR(t2->table_class, "STANDARD_INFREQUENT_ACCESS");
    CHECK_STR(t->table_class, "STANDARD");
    CHECK_STR(t2->id, t->id);
    eng_table_release(t);
    eng_table_release(t2);
    CHECK_INT(eng_table_update(e, "Nope", set_class, "X", NULL, &err), DDB_ERR_RESOURCE_NOT_FOUND);
    err_clear(&err);

    /* a mutate callback adds a GSI and tags with the constructors; the index is built from the items */
    CHECK_INT(eng_table_update(e, "Music", add_tag_and_gsi, NULL, &t2, &err), DDB_OK);
    CHECK_INT(t2->n_idx, 1);
    CHECK(t2->idx[0].id && strlen(t2->idx[0].id) == 36);
    CHECK_INT(t2->n_tags, 1);
    CHECK_STR(t2->tags[0].value, "core");
    eng_table_release(t2);
    eng_backfill_wait(e);
    t2 = eng_table_get(e, "Music", 5);
    CHECK_STR(t2->idx[0].status, "ACTIVE");
    CHECK_INT(eng_index_stats(e, &t2->idx[0]).item_count, 99);
    CHECK_INT(eng_table_update(e, "Music", add_gsi_then_fail, "by_data", NULL, &err), DDB_ERR_VALIDATION);
    err_clear(&err);
    eng_table_release(t2);
    t2 = eng_table_get(e, "Music", 5);
    CHECK_INT(t2->n_idx, 1);
    eng_table_release(t2);

    /* close and reopen: tables, settings, items and statistics are all there */
    eng_close(e);
    e = eng_open(&o, &emsg);
    CHECK(e != NULL);
    CHECK_INT(eng_table_count(e), 2);
    t = eng_table_get(e, "Music", 5);
    CHECK(t != NULL);
    CHECK_STR(t->table_class, "STANDARD_INFREQUENT_ACCESS");
    CHECK(t->deletion_protection);
    CHECK_INT(t->key.range.type, AV_N);
    CHECK_INT(eng_table_stats(e, t).item_count, 99);
    CHECK(t->n_idx == 1 && !strcmp(t->idx[0].name, "by_sk") && !strcmp(t->idx[0].status, "ACTIVE"));
    CHECK(t->n_tags == 1 && !strcmp(t->tags[0].key, "team"));
    /* a database of version 0.1.0 kept "<id>/c" and "<id>/b" as 8-byte uint64add counters */
    int64_t bytes_before = eng_table_stats(e, t).size_bytes;
    db_batch_t *lb = db__batch_new();
    int64_t five = 5, minus_two = -2, hundred = 100;
    const char *kc = arena_sprintf(a, "%s/c", t->id), *kb = arena_sprintf(a, "%s/b", t->id);
    db__batch_add(lb, db__stats(e->db), kc, strlen(kc), &five, 1);
    db__batch_add(lb, db__stats(e->db), kc, strlen(kc), &minus_two, 1);
    db__batch_add(lb, db__stats(e->db), kb, strlen(kb), &hundred, 1);
    CHECK_INT(db__write(e->db, lb), 0);
    db__batch_free(lb);
    CHECK_INT(eng_table_stats(e, t).item_count, 102);
    CHECK_INT(eng_table_stats(e, t).size_bytes, bytes_before + 100);
    CHECK_INT(eng_item_write(e, t, over.item, apply, &over, a, &res, &err), DDB_OK);
    CHECK_INT(eng_table_stats(e, t).item_count, 102); /* "7" again: an overwrite */
    CHECK_INT(eng_item_get(e, t, make_item(a, "artist", "99", NULL), a, &got, &err), DDB_OK);
    CHECK(got && ddb_str_eq(got->kvs[2].val.s, "hello"));

    /* delete: the name is free again and a new table with it starts empty */
    eng_table_t *gone = NULL;
    CHECK_INT(eng_table_delete(e, "Music", &gone, &err), DDB_OK);
    CHECK_STR(gone->status, "DELETING");
    eng_table_release(gone);
    /* a reference taken before the delete still reads safely */
    CHECK_INT(eng_item_get(e, t, make_item(a, "artist", "99", NULL), a, &got, &err), DDB_OK);
    eng_table_release(t);
    CHECK(eng_table_get(e, "Music", 5) == NULL);
    CHECK_INT(eng_table_delete(e, "Music", NULL, &err), DDB_ERR_RESOURCE_NOT_FOUND);
    err_clear(&err);
    CHECK_INT(eng_table_create(e, &s1, &t, &err), DDB_OK);
    CHECK_INT(eng_table_stats(e, t).item_count, 0);
    CHECK_INT(eng_item_get(e, t, make_item(a, "artist", "99", NULL), a, &got, &err), DDB_OK);
    CHECK(got == NULL);
    eng_table_release(t);
    eng_close(e);

    /* in memory: nothing on disk */
    char mdir[] = "/tmp/dynarock-mem-XXXXXX";
    CHECK(mkdtemp(mdir) != NULL);
    eng_opts_t mo = {.data_dir = mdir, .in_memory = true};
    e = eng_open(&mo, &emsg);
    CHECK(e != NULL);
    CHECK_INT(eng_table_create(e, &s2, NULL, &err), DDB_OK);
    eng_close(e);
    CHECK_INT(count_files(mdir), 0);
    rmdir(mdir);

    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    arena_free(a);
    return check_done("test_engine");
}
