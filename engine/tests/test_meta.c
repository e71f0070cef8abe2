/*
 * test_meta: the server's records in the engine (meta.c) against a real RocksDB.
 *
 * 1. Put, get, list by prefix (key order, only that prefix: "esm/" does not list "esmx" or "ckpt/"),
 *    delete; an absent key reads 0.
 * 2. One batch of several puts and deletes is applied whole.
 * 3. A table beside the records: the catalog loads only its own records, and after a close and a
 *    reopen both the table and every record are there, deleted ones still gone.
 * 4. Values with NUL bytes and a key whose last byte is 0xff (the list's upper bound is carried).
 */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "common/tests/check.h"

static eng_meta_op_t put(const char *k, const char *v)
{
    return (eng_meta_op_t){k, strlen(k), v, strlen(v)};
}

static eng_meta_op_t del(const char *k)
{
    return (eng_meta_op_t){k, strlen(k), NULL, 0};
}

static const char *get(eng_t *e, const char *k, arena_t *a)
{
    char *v = NULL;
    size_t n = 0;
    int rc = eng_meta_get(e, k, strlen(k), a, &v, &n);
    return rc == 1 ? v : rc == 0 ? "(absent)" : "(error)";
}

static void check_list(eng_t *e, const char *prefix, arena_t *a, const char *const *want, size_t nwant)
{
    eng_meta_kv_t *kv = NULL;
    size_t n = 0;
    CHECK_INT(eng_meta_list(e, prefix, a, &kv, &n), 0);
    CHECK_INT(n, nwant);
    for (size_t i = 0; i < n && i < nwant; i++) CHECK_STR(kv[i].key, want[i]);
}

int main(void)
{
    char dir[] = "/tmp/dynarock-test-meta-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    arena_t *a = arena_new(1 << 16);
    ddb_errctx_t err;
    err_init(&err, a);
    eng_opts_t o = {.data_dir = dir};
    char *emsg = NULL;
    eng_t *e = eng_open(&o, &emsg);
    CHECK(e != NULL);
    if (!e) return check_done("engine/test_meta");

    /* 1 */
    eng_meta_op_t ops1[] = {put("esm/b", "{\"n\":2}"), put("esm/a", "{\"n\":1}"), put("esmx", "other"),
                            put("ckpt/a", "0 17")};
    CHECK_INT(eng_meta_write(e, ops1, 4, a, &err), DDB_OK);
    CHECK_STR(get(e, "esm/a", a), "{\"n\":1}");
    CHECK_STR(get(e, "ckpt/a", a), "0 17");
    CHECK_STR(get(e, "esm/c", a), "(absent)");
    static const char *const esm2[] = {"esm/a", "esm/b"};
    check_list(e, "esm/", a, esm2, 2);
    static const char *const all4[] = {"ckpt/a", "esm/a", "esm/b", "esmx"};
    check_list(e, "", a, all4, 4);
    check_list(e, "nothing/", a, NULL, 0);

    /* 2: one batch, puts and deletes together */
    eng_meta_op_t ops2[] = {put("ckpt/a", "1 42"), del("esm/b"), put("esm/c", "{\"n\":3}"), del("never")};
    CHECK_INT(eng_meta_write(e, ops2, 4, a, &err), DDB_OK);
    CHECK_STR(get(e, "ckpt/a", a), "1 42");
    CHECK_STR(get(e, "esm/b", a), "(absent)");
    static const char *const esm_ac[] = {"esm/a", "esm/c"};
    check_list(e, "esm/", a, esm_ac, 2);

    /* 4: NUL bytes in a value, 0xff at the end of a prefix */
    eng_meta_op_t ops4[] = {{"bin\xff", 4, "a\0b", 3}, {"bin\xff\x01", 5, "x", 1}, {"bio", 3, "y", 1}};
    CHECK_INT(eng_meta_write(e, ops4, 3, a, &err), DDB_OK);
    char *v = NULL;
    size_t vn = 0;
    CHECK_INT(eng_meta_get(e, "bin\xff", 4, a, &v, &vn), 1);
    CHECK_MEM(v, vn, "a\0b", 3);
    eng_meta_kv_t *kv;
    size_t n;
    CHECK_INT(eng_meta_list(e, "bin\xff", a, &kv, &n), 0);
    CHECK_INT(n, 2);

    /* 3: a table beside them; close and reopen */
    eng_table_t spec;
    memset(&spec, 0, sizeof spec);
    spec.name = "T1";
    spec.status = "ACTIVE";
    spec.key.hash = (eng_attr_t){"pk", AV_S};
    spec.on_demand = true;
    spec.table_class = "STANDARD";
    eng_table_t *t = NULL;
    CHECK_INT(eng_table_create(e, &spec, &t, &err), DDB_OK);
    eng_table_release(t);
    eng_close(e);
    e = eng_open(&o, &emsg);
    CHECK(e != NULL);
    if (!e) return check_done("engine/test_meta");
    CHECK_INT(eng_table_count(e), 1);
    CHECK_STR(get(e, "ckpt/a", a), "1 42");
    CHECK_STR(get(e, "esm/a", a), "{\"n\":1}");
    CHECK_STR(get(e, "esm/b", a), "(absent)");
    check_list(e, "esm/", a, esm_ac, 2);
    eng_meta_op_t ops5[] = {del("esm/a"), del("esm/c"), del("ckpt/a")};
    CHECK_INT(eng_meta_write(e, ops5, 3, a, &err), DDB_OK);
    check_list(e, "esm/", a, NULL, 0);
    eng_close(e);
    arena_free(a);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_INT(system(cmd), 0);
    return check_done("engine/test_meta");
}
