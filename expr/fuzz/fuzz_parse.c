/*
 * fuzz_parse: libFuzzer target for the five expression languages, and (built with
 * DDB_FUZZ_REPLAY) a replay of the seed corpus that runs in ordinary CI.
 *
 * Input: first byte picks the language (mod 5: condition, filter, key condition, update,
 * projection); the rest is the expression. The context defines #a..#e (names a, b.c, list,
 * map, status) and :a..:h (S, N, B, SS, NS, L, M, BOOL) so that most inputs get past the
 * placeholder checks. A parsed expression is then run: conditions evaluated on a fixed item
 * and on no item, updates applied to the item and to no item, projections applied. The only
 * property checked is that nothing crashes, leaks or trips a sanitizer, and that every failure
 * records a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr/expr.h"

static av_t sv(av_type_t t, const char *s)
{
    av_t v;
    memset(&v, 0, sizeof v);
    v.type = t;
    v.s = (ddb_str_t){s, strlen(s)};
    return v;
}

static void run(arena_t *a, const uint8_t *data, size_t size)
{
    ddb_errctx_t err;
    err_init(&err, a);
    static const char *const nk[] = {"#a", "#b", "#c", "#d", "#e"};
    static const char *const nv[] = {"a", "b.c", "list", "map", "status"};
    ddb_str_t keys[8], names[8];
    for (int i = 0; i < 5; i++) {
        keys[i] = (ddb_str_t){nk[i], 2};
        names[i] = (ddb_str_t){nv[i], strlen(nv[i])};
    }
    /* Values and an item. */
    av_t *vals = ARENA_NEWN(a, av_t, 8);
    av_t *elems = ARENA_NEWN(a, av_t, 4);
    elems[0] = sv(AV_S, "x");
    elems[1] = sv(AV_N, "7");
    elems[2] = sv(AV_B, "\x01\x02");
    elems[3] = sv(AV_S, "y");
    vals[0] = sv(AV_S, "hello");
    vals[1] = sv(AV_N, "12.5");
    vals[2] = sv(AV_B, "\x01");
    vals[3].type = AV_SS;
    vals[3].l.n = 2;
    vals[3].l.items = ARENA_NEWN(a, av_t, 2);
    vals[3].l.items[0] = elems[0];
    vals[3].l.items[1] = elems[3];
    vals[4].type = AV_NS;
    vals[4].l = (av_list_t){1, &elems[1]};
    vals[5].type = AV_L;
    vals[5].l = (av_list_t){3, elems};
    vals[6].type = AV_M;
    vals[6].m.n = 1;
    vals[6].m.kvs = ARENA_NEWN(a, av_kv_t, 1);
    vals[6].m.kvs[0].name = DDB_STR("k");
    vals[6].m.kvs[0].val = vals[1];
    vals[7].type = AV_BOOL;
    vals[7].b = true;
    static const char *const vk[] = {":a", ":b", ":c", ":d", ":e", ":f", ":g", ":h"};
    ddb_str_t vkeys[8];
    for (int i = 0; i < 8; i++) vkeys[i] = (ddb_str_t){vk[i], 2};
    av_map_t item = {0, ARENA_NEWN(a, av_kv_t, 8)};
    static const char *const in[] = {"a", "b", "list", "map", "status", "n", "s", "ss"};
    int pick[] = {0, 1, 5, 6, 7, 1, 0, 3};
    for (int i = 0; i < 8; i++) {
        item.kvs[item.n].name = (ddb_str_t){in[i], strlen(in[i])};
        item.kvs[item.n++].val = vals[pick[i]];
    }
    av_map_t key = {1, item.kvs};

    if (size == 0) return;
    int lang = data[0] % 5;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    expr_ctx_t *c = expr_ctx_new(a, &err);
    if (expr_ctx_set_names(c, 5, keys, names) || expr_ctx_set_values(c, 8, vkeys, vals)) abort();
    ddb_err_t rc = DDB_OK;
    if (lang <= 1) {
        expr_cond_t *cond;
        rc = expr_condition_parse(c, lang ? EXPR_FILTER : EXPR_CONDITION, text, len, &cond);
        if (!rc) {
            (void)expr_condition_eval(cond, &item);
            (void)expr_condition_eval(cond, NULL);
            (void)expr_cond_check_key_paths(cond, "a", "b", &err);
        }
    } else if (lang == 2) {
        expr_keycond_t kc;
        expr_keyrange_t kr;
        rc = expr_keycond_parse(c, text, len, &kc);
        if (!rc && !expr_keycond_bind(&kc, "a", AV_S, "b", AV_N, &kr, &err) && kr.range)
            (void)expr_keypart_match(kr.range, &vals[1]);
    } else if (lang == 3) {
        expr_update_t *u;
        rc = expr_update_parse(c, text, len, &u);
        if (!rc) {
            expr_update_result_t res;
            if (!expr_update_apply(u, &item, &key, a, &err, &res) && res.item) {
                (void)expr_update_project(u, res.item, a);
                (void)expr_update_project(u, &item, a);
            }
            err_clear(&err);
            (void)expr_update_apply(u, NULL, &key, a, &err, &res);
        }
    } else {
        expr_proj_t *p;
        rc = expr_projection_parse(c, text, len, &p);
        if (!rc) (void)expr_projection_apply(p, &item, a);
    }
    if (rc && !err.msg) abort(); /* every failure says why */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static arena_t *a;
    if (!a) a = arena_new(0);
    run(a, data, size);
    arena_reset(a);
    return 0;
}

#ifdef DDB_FUZZ_REPLAY
#include <dirent.h>

/* Replay every file of a corpus directory (argv[1]); exit status 0 when none crashed. */
int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror(argv[1]);
        return 2;
    }
    struct dirent *e;
    int n = 0;
    static uint8_t buf[1 << 16];
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, len);
        n++;
    }
    closedir(d);
    printf("%d passed, 0 failed\n", n);
    return n > 0 ? 0 : 1;
}
#endif
