/*
 * exec_query: the executor of Query and Scan plans (exec.h, exec_query_t): one engine page of a
 * table or index, filtered, with the table's item fetched for LSI entries that lack what the
 * projection, the filter or Select needs, projected, and its read capacity.
 */
#include "server/exec.h"

#include <string.h>

/* A projection or filter needs attributes an LSI entry does not keep: read the table's item. */
static bool index_keeps(const eng_table_t *t, const eng_index_t *x, ddb_str_t n)
{
    if (x->proj == ENG_PROJ_ALL) return true;
    if (eng_key_has(&t->key, n.ptr, n.len) || eng_key_has(&x->key, n.ptr, n.len)) return true;
    for (size_t i = 0; i < x->n_nonkey; i++)
        if (ddb_str_eq(n, x->nonkey[i])) return true;
    return false;
}

static eng_sk_op_t sk_op(expr_keyop_t op)
{
    switch (op) {
    case EXPR_KEY_EQ:
        return ENG_SK_EQ;
    case EXPR_KEY_LT:
        return ENG_SK_LT;
    case EXPR_KEY_LE:
        return ENG_SK_LE;
    case EXPR_KEY_GT:
        return ENG_SK_GT;
    case EXPR_KEY_GE:
        return ENG_SK_GE;
    case EXPR_KEY_BETWEEN:
        return ENG_SK_BETWEEN;
    case EXPR_KEY_BEGINS_WITH:
        return ENG_SK_BEGINS_WITH;
    }
    return ENG_SK_ANY;
}

static bool keep_item(void *ctx, const av_map_t *item)
{
    return expr_condition_eval(ctx, item);
}

void exec_query_range(eng_query_t *q, const expr_keyrange_t *kr)
{
    q->hash = kr->hash->v[0];
    for (size_t i = 1; i < kr->n_hash; i++) q->hash_rest[i - 1] = kr->hashes[i]->v[0];
    q->n_sk_eq = kr->n_eq;
    for (size_t i = 0; i < kr->n_eq; i++) q->sk_eq[i] = kr->eqs[i]->v[0];
    if (kr->range) {
        q->sk_op = sk_op(kr->range->op);
        q->sk[0] = kr->range->v[0];
        q->sk[1] = kr->range->v[1];
    }
}

_Static_assert(EXPR_KEY_ATTRS_MAX == ENG_KEY_ATTRS_MAX, "one limit of key attributes");

ddb_err_t exec_keycond_bind_or_err(const expr_keycond_t *kc, const eng_keyschema_t *ks,
                                   expr_keyattr_check_fn check, void *check_ctx, expr_keyrange_t *out,
                                   ddb_errctx_t *err)
{
    expr_keyattr_t h[ENG_KEY_ATTRS_MAX], g[ENG_KEY_ATTRS_MAX];
    size_t nh = eng_key_nhash(ks), nr = eng_key_nrange(ks);
    for (size_t i = 0; i < nh; i++) h[i] = (expr_keyattr_t){ks->hashes[i].name, ks->hashes[i].type};
    for (size_t i = 0; i < nr; i++) g[i] = (expr_keyattr_t){ks->ranges[i].name, ks->ranges[i].type};
    return expr_keycond_bind_checked(kc, nh, h, nr, g, check, check_ctx, out, err);
}

size_t exec_key_names(const eng_keyschema_t *ks, const char **names)
{
    size_t n = 0;
    for (size_t i = 0; i < ENG_KEY_ATTRS_MAX && ks->hashes[i].name; i++) names[n++] = ks->hashes[i].name;
    for (size_t i = 0; i < ENG_KEY_ATTRS_MAX && ks->ranges[i].name; i++) names[n++] = ks->ranges[i].name;
    return n;
}

ddb_err_t exec_index_key_paths_or_err(ddb_errctx_t *err, const eng_table_t *t, const expr_cond_t *c,
                                      const expr_update_t *u, const expr_proj_t *p)
{
    if (!t->n_idx || (!c && !u && !p)) return DDB_OK;
    const char **names = ARENA_NEWN(err->a, const char *, t->n_idx * 2 * ENG_KEY_ATTRS_MAX);
    size_t n = 0;
    for (size_t i = 0; i < t->n_idx; i++) {
        const char *kn[2 * ENG_KEY_ATTRS_MAX];
        size_t nk = exec_key_names(&t->idx[i].key, kn);
        for (size_t k = 0; k < nk; k++) {
            bool seen = eng_key_has(&t->key, kn[k], strlen(kn[k]));
            for (size_t j = 0; j < n && !seen; j++) seen = !strcmp(names[j], kn[k]);
            if (!seen) names[n++] = kn[k];
        }
    }
    return expr_check_index_key_paths(c, u, p, names, n, err);
}

ddb_err_t exec_query(ddb_req_t *r, exec_query_t *x, exec_page_t *out)
{
    eng_query_t *eq = &x->q;
    const eng_table_t *t = x->table;
    const eng_index_t *ix = x->index;
    eq->index = ix;
    eq->count_only = x->select == EXEC_SEL_COUNT;
    eq->keep = x->filter ? keep_item : NULL;
    eq->keep_ctx = (void *)x->filter;
    if (ix && !ix->global && ix->proj != ENG_PROJ_ALL) {
        bool fetch = x->select == EXEC_SEL_ALL || x->filter;
        if (x->proj && !fetch) {
            ddb_str_t *names;
            size_t n = expr_projection_top_names(x->proj, r->a, &names);
            for (size_t i = 0; i < n && !fetch; i++) fetch = !index_keeps(t, ix, names[i]);
        }
        eq->fetch_table_item = fetch;
    }
    ddb_err_t rc;
    if (r->cfg->enforce_capacity && (rc = throttle_admit_or_err(&r->err, r->cfg, t, ix, CAP_READ))) {
        r->err_extra = throttle_reasons_json(r);
        return rc;
    }
    eng_page_t pg;
    rc = eng_query(r->eng, x->table, eq, r->a, &pg, &r->err);
    if (rc) return rc;
    out->items = pg.items;
    for (size_t i = 0; pg.items && i < pg.count; i++) {
        if (x->proj)
            out->items[i] = expr_projection_apply(x->proj, pg.items[i], r->a);
        else if (x->select == EXEC_SEL_PROJECTED && eq->fetch_table_item)
            out->items[i] = eng_index_project(r->a, t, ix, pg.items[i]);
    }
    out->count = pg.count;
    out->scanned = pg.scanned;
    out->last_key = pg.last_key;
    out->bytes = pg.bytes;
    out->units = cap_read_units(pg.bytes, x->consistent);
    return DDB_OK;
}
