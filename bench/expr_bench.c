/*
 * expr_bench: micro-benchmark of the expression layer, per operation as a request does it:
 *   condition: context + parse + resolve + evaluate of
 *              "attribute_exists(pk) AND #v = :expected AND (#s IN (:a, :b) OR size(tags) > :n)"
 *   update:    context + parse + resolve + apply of
 *              "SET #v = #v + :one, #s = :state, updated = :now, tags = list_append(if_not_exists(tags,
 * :empty), :t) REMOVE tmp ADD seen :one" against a 10-attribute item, in a request arena reset after each
 * operation. Build: cmake --build <dir> --target expr_bench; run: <dir>/expr_bench [iterations]. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "expr/expr.h"

static av_t val(av_type_t t, const char *s)
{
    av_t v;
    memset(&v, 0, sizeof v);
    v.type = t;
    v.s = (ddb_str_t){s, strlen(s)};
    return v;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    arena_t *a = arena_new(64 * 1024);
    ddb_errctx_t err;

    /* The stored item. */
    static av_t tag_items[3];
    tag_items[0] = val(AV_S, "red");
    tag_items[1] = val(AV_S, "green");
    tag_items[2] = val(AV_S, "blue");
    static const char *const names[] = {"pk",   "sk",  "version", "state", "updated",
                                        "tags", "tmp", "seen",    "owner", "size_bytes"};
    av_kv_t kvs[10];
    kvs[0].val = val(AV_S, "user#1234");
    kvs[1].val = val(AV_S, "profile");
    kvs[2].val = val(AV_N, "41");
    kvs[3].val = val(AV_S, "active");
    kvs[4].val = val(AV_N, "1700000000");
    kvs[5].val.type = AV_L;
    kvs[5].val.l = (av_list_t){3, tag_items};
    kvs[6].val = val(AV_S, "scratch");
    kvs[7].val = val(AV_N, "3");
    kvs[8].val = val(AV_S, "someone@example.com");
    kvs[9].val = val(AV_N, "123456");
    for (int i = 0; i < 10; i++) kvs[i].name = (ddb_str_t){names[i], strlen(names[i])};
    av_map_t item = {10, kvs};
    av_map_t key = {2, kvs};

    ddb_str_t nk[2] = {DDB_STR("#v"), DDB_STR("#s")}, nv[2] = {DDB_STR("version"), DDB_STR("state")};

    /* Condition. */
    const char *cond_text = "attribute_exists(pk) AND #v = :expected AND (#s IN (:a, :b) OR size(tags) > :n)";
    ddb_str_t ck[4] = {DDB_STR(":expected"), DDB_STR(":a"), DDB_STR(":b"), DDB_STR(":n")};
    av_t cv[4] = {val(AV_N, "41"), val(AV_S, "active"), val(AV_S, "pending"), val(AV_N, "2")};
    double t0 = now();
    long ok = 0;
    for (long i = 0; i < iters; i++) {
        err_init(&err, a);
        expr_ctx_t *c = expr_ctx_new(a, &err);
        expr_cond_t *cond;
        if (expr_ctx_set_names(c, 2, nk, nv) || expr_ctx_set_values(c, 4, ck, cv) ||
            expr_condition_parse(c, EXPR_CONDITION, cond_text, strlen(cond_text), &cond) ||
            expr_ctx_check_unused(c)) {
            fprintf(stderr, "condition: %s\n", err.msg);
            return 1;
        }
        ok += expr_condition_eval(cond, &item);
        arena_reset(a);
    }
    double t1 = now();

    /* Update. */
    const char *upd_text =
        "SET #v = #v + :one, #s = :state, updated = :now, tags = list_append(if_not_exists(tags, "
        ":empty), :t) REMOVE tmp ADD seen :one";
    static av_t new_tag;
    new_tag = val(AV_S, "yellow");
    ddb_str_t uk[5] = {DDB_STR(":one"), DDB_STR(":state"), DDB_STR(":now"), DDB_STR(":empty"), DDB_STR(":t")};
    av_t uv[5] = {val(AV_N, "1"), val(AV_S, "archived"), val(AV_N, "1700000123"), {0}, {0}};
    uv[3].type = AV_L;
    uv[4].type = AV_L;
    uv[4].l = (av_list_t){1, &new_tag};
    size_t out_attrs = 0;
    for (long i = 0; i < iters; i++) {
        err_init(&err, a);
        expr_ctx_t *c = expr_ctx_new(a, &err);
        expr_update_t *u;
        expr_update_result_t res;
        if (expr_ctx_set_names(c, 2, nk, nv) || expr_ctx_set_values(c, 5, uk, uv) ||
            expr_update_parse(c, upd_text, strlen(upd_text), &u) || expr_ctx_check_unused(c) ||
            expr_update_check_keys(u, "pk", "sk", &err) || expr_update_apply(u, &item, &key, a, &err, &res)) {
            fprintf(stderr, "update: %s\n", err.msg);
            return 1;
        }
        out_attrs += res.item->n;
        arena_reset(a);
    }
    double t2 = now();
    printf("condition parse+resolve+eval: %.2f us/op (%ld ops, %ld true)\n", (t1 - t0) * 1e6 / (double)iters,
           iters, ok);
    printf("update parse+resolve+apply:   %.2f us/op (%ld ops, %zu attrs written)\n",
           (t2 - t1) * 1e6 / (double)iters, iters, out_attrs / (size_t)iters);
    arena_free(a);
    return 0;
}
