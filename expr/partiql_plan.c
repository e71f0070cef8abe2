/*
 * partiql_plan: what a compiled PartiQL statement reads or writes, once the key schema of the
 * table (or index) is known. Entry points: expr_partiql_plan (SELECT / EXISTS: Query ranges or
 * a Scan, plus the filter), expr_partiql_key (UPDATE / DELETE / EXISTS: the one key and the
 * remaining condition), expr_partiql_project (SELECT's result shape).
 *
 * Only the WHERE's top-level AND operands are looked at for keys (an AND written in
 * parentheses is flattened into them); OR, NOT and nested paths never give a key. A key
 * condition whose value has another type than the key schema's can match no item: the plan
 * says `none` instead of reading. Every step is linear in the WHERE (hash sets, no pairwise
 * loops); the AND flattening uses an explicit stack, so long chains do not recurse.
 *
 * Messages are DynamoDB's (ValidationExceptionMessages of DynamoDB Local, decompiled; see
 * docs/partiql.md): "Where clause does not contain a mandatory equality on all key
 * attributes", "Multiple conditions on same key %s. Only single item Update/Insert/Delete are
 * supported", "Key attribute's data type should match its data type in table's schema: Key %s",
 * and the three ORDER BY ones.
 */
#include "expr/expr_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/strset.h"

/* The top-level AND operands of `root`, left to right. */
static size_t flatten(arena_t *a, node_t *root, node_t ***out)
{
    size_t cap = 16, n = 0, sp = 0, scap = 16;
    node_t **v = ARENA_NEWN(a, node_t *, cap);
    node_t **stack = ARENA_NEWN(a, node_t *, scap);
    stack[sp++] = root;
    while (sp) {
        node_t *x = stack[--sp];
        if (x->kind == N_AND) {
            if (sp + x->nkids > scap) {
                size_t c = (sp + x->nkids) * 2;
                node_t **s = ARENA_NEWN(a, node_t *, c);
                memcpy(s, stack, sp * sizeof *s);
                stack = s;
                scap = c;
            }
            for (uint32_t k = x->nkids; k-- > 0;) stack[sp++] = x->kids[k];
            continue;
        }
        if (n == cap) {
            node_t **nv = ARENA_NEWN(a, node_t *, cap * 2);
            memcpy(nv, v, n * sizeof *nv);
            v = nv;
            cap *= 2;
        }
        v[n++] = x;
    }
    *out = v;
    return n;
}

static int is_key_path(const node_t *n, const char *name)
{
    return name && n->kind == N_PATH && n->path.n == 1 && n->path.el[0].kind == PE_NAME &&
           ddb_str_eq(n->path.el[0].name, name);
}

/* `name op value` (either side); the operator as seen with the key on the left. */
static int cmp_on(const node_t *c, const char *name, int *op, const av_t **v)
{
    if (c->kind != N_CMP || c->op < T_EQ || c->op > T_GE) return 0;
    const node_t *l = c->kids[0], *r = c->kids[1];
    int o = c->op;
    if (is_key_path(l, name) && r->kind == N_VALUE && r->val) {
        *v = r->val;
    } else if (is_key_path(r, name) && l->kind == N_VALUE && l->val) {
        *v = l->val;
        o = o == T_LT ? T_GT : o == T_LE ? T_GE : o == T_GT ? T_LT : o == T_GE ? T_LE : o;
    } else {
        return 0;
    }
    *op = o;
    return 1;
}

/* The conjuncts not marked used, joined by one AND node (NULL when none). */
static expr_cond_t *rest(arena_t *a, node_t **conj, const uint8_t *used, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += !used[i];
    if (!k) return NULL;
    node_t *root;
    if (k == 1) {
        root = NULL;
        for (size_t i = 0; i < n && !root; i++)
            if (!used[i]) root = conj[i];
    } else {
        root = expr__node(a, N_AND, (uint32_t)k);
        k = 0;
        for (size_t i = 0; i < n; i++)
            if (!used[i]) root->kids[k++] = conj[i];
    }
    expr_cond_t *c = ARENA_NEW(a, expr_cond_t);
    c->root = root;
    c->npaths = expr__count_paths(root);
    return c;
}

static int empty_key_value(const av_t *v)
{
    return (v->type == AV_S || v->type == AV_B) && v->s.len == 0;
}

/* A sort-key condition usable as a Query range, or 0. */
static int range_part(const node_t *c, const char *name, av_type_t type, expr_keypart_t *out)
{
    int op;
    const av_t *v;
    memset(out, 0, sizeof *out);
    out->name = (ddb_str_t){name, strlen(name)};
    if (cmp_on(c, name, &op, &v)) {
        if (v->type != type || op == T_NE || empty_key_value(v)) return 0;
        static const expr_keyop_t map[] = {[T_EQ] = EXPR_KEY_EQ,
                                           [T_LT] = EXPR_KEY_LT,
                                           [T_LE] = EXPR_KEY_LE,
                                           [T_GT] = EXPR_KEY_GT,
                                           [T_GE] = EXPR_KEY_GE};
        out->op = map[op];
        out->v[0] = v;
        return 1;
    }
    if (c->kind == N_BETWEEN && is_key_path(c->kids[0], name) && c->kids[1]->kind == N_VALUE &&
        c->kids[2]->kind == N_VALUE) {
        const av_t *lo = c->kids[1]->val, *hi = c->kids[2]->val;
        if (!lo || !hi || lo->type != type || hi->type != type || av_scalar_cmp(lo, hi) > 0) return 0;
        out->op = EXPR_KEY_BETWEEN;
        out->v[0] = lo;
        out->v[1] = hi;
        return 1;
    }
    if (c->kind == N_CALL && c->fn == F_BEGINS_WITH && c->nkids == 2 && is_key_path(c->kids[0], name) &&
        c->kids[1]->kind == N_VALUE && c->kids[1]->val) {
        const av_t *pre = c->kids[1]->val;
        if (pre->type != type || (type != AV_S && type != AV_B)) return 0;
        out->op = EXPR_KEY_BEGINS_WITH;
        out->v[0] = pre;
        return 1;
    }
    return 0;
}

static int cmp_hash(const void *x, const void *y)
{
    const expr_keyrange_t *a = x, *b = y;
    return av_scalar_cmp(a->hash->v[0], b->hash->v[0]);
}

static int cmp_hash_desc(const void *x, const void *y)
{
    return -cmp_hash(x, y);
}

ddb_err_t expr_partiql_plan(const expr_partiql_t *st, const char *hash_name, av_type_t hash_type,
                            const char *range_name, av_type_t range_type, arena_t *a, ddb_errctx_t *err,
                            expr_pq_plan_t *out)
{
    memset(out, 0, sizeof *out);
    out->forward = true;
    int order_hash = -1, order_range = -1;
    for (size_t k = 0; k < st->norder; k++) {
        const expr_pq_order_t *o = &st->order[k];
        if (ddb_str_eq(o->name, hash_name))
            order_hash = (int)k;
        else if (range_name && ddb_str_eq(o->name, range_name))
            order_range = (int)k;
        else
            return err_set(err, DDB_ERR_VALIDATION,
                           "Variable reference %.*s in ORDER BY clause must be part of the primary key",
                           (int)o->name.len, o->name.ptr);
    }
    if (!st->where) {
        if (st->norder)
            return err_set(err, DDB_ERR_VALIDATION,
                           "Must have WHERE clause in the statement when using ORDER BY clause.");
        return DDB_OK;
    }
    node_t **conj;
    size_t n = flatten(a, st->where->root, &conj);
    uint8_t *used = ARENA_NEWN(a, uint8_t, n + 1);

    /* The partition key: the first top-level `hash = v` or `hash IN [...]`. */
    const av_t **hv = NULL;
    size_t nh = 0;
    int found = 0;
    for (size_t i = 0; i < n && !found; i++) {
        int op;
        const av_t *v;
        if (cmp_on(conj[i], hash_name, &op, &v) && op == T_EQ) {
            hv = ARENA_NEWN(a, const av_t *, 1);
            hv[nh++] = v;
            found = 1;
            used[i] = 1;
        } else if (conj[i]->kind == N_IN && is_key_path(conj[i]->kids[0], hash_name)) {
            hv = ARENA_NEWN(a, const av_t *, conj[i]->nkids);
            for (uint32_t k = 1; k < conj[i]->nkids; k++) hv[nh++] = conj[i]->kids[k]->val;
            found = 1;
            used[i] = 1;
        }
    }
    if (!found) {
        if (st->norder)
            return err_set(
                err, DDB_ERR_VALIDATION,
                "Must have at least one non-optional hash key condition in WHERE clause when using "
                "ORDER BY clause.");
        out->filter = st->where;
        return DDB_OK;
    }
    /* Values that can match a key, each once. */
    strset_t seen;
    strset_init(&seen, a, nh);
    size_t keep = 0;
    for (size_t k = 0; k < nh; k++) {
        const av_t *v = hv[k];
        if (!v || v->type != hash_type || empty_key_value(v)) continue;
        bool added;
        strset_add(&seen, v->s.ptr, v->s.len, k, &added); /* N is canonical text */
        if (added) hv[keep++] = v;
    }
    if (nh > 1 && order_hash < 0 && st->norder)
        return err_set(
            err, DDB_ERR_VALIDATION,
            "Must have hash key in ORDER BY clause when more than one hash key condition specified in "
            "WHERE clause.");
    if (!keep) {
        out->none = true;
        return DDB_OK;
    }

    /* The sort key: the first top-level condition that fits a Query range. */
    expr_keypart_t *rp = NULL;
    if (range_name) {
        expr_keypart_t part;
        for (size_t i = 0; i < n && !rp; i++)
            if (!used[i] && range_part(conj[i], range_name, range_type, &part)) {
                rp = ARENA_NEW(a, expr_keypart_t);
                *rp = part;
                used[i] = 1;
            }
    }
    expr_keypart_t *hp = ARENA_NEWN(a, expr_keypart_t, keep);
    out->ranges = ARENA_NEWN(a, expr_keyrange_t, keep);
    for (size_t k = 0; k < keep; k++) {
        hp[k].name = (ddb_str_t){hash_name, strlen(hash_name)};
        hp[k].op = EXPR_KEY_EQ;
        hp[k].v[0] = hv[k];
        out->ranges[k].hash = &hp[k];
        out->ranges[k].n_hash = 1;
        out->ranges[k].hashes[0] = &hp[k];
        out->ranges[k].range = rp;
    }
    out->nranges = keep;
    if (order_hash >= 0 && keep > 1)
        qsort(out->ranges, keep, sizeof *out->ranges, st->order[order_hash].desc ? cmp_hash_desc : cmp_hash);
    if (order_range >= 0) out->forward = !st->order[order_range].desc;
    out->filter = rest(a, conj, used, n);
    return DDB_OK;
}

/* The one `name = v` of the conjuncts; marks it used. */
static ddb_err_t key_value(node_t **conj, uint8_t *used, size_t n, const char *name, av_type_t type,
                           ddb_errctx_t *err, const av_t **out)
{
    *out = NULL;
    for (size_t i = 0; i < n; i++) {
        int op;
        const av_t *v;
        if (!cmp_on(conj[i], name, &op, &v) || op != T_EQ) continue;
        if (*out)
            return err_set(
                err, DDB_ERR_VALIDATION,
                "Multiple conditions on same key %s. Only single item Update/Insert/Delete are supported",
                name);
        *out = v;
        used[i] = 1;
    }
    if (!*out)
        return err_set(err, DDB_ERR_VALIDATION,
                       "Where clause does not contain a mandatory equality on all key attributes");
    if ((*out)->type != type)
        return err_set(err, DDB_ERR_VALIDATION,
                       "Key attribute's data type should match its data type in table's schema: Key %s",
                       name);
    if (empty_key_value(*out))
        return err_set(err, DDB_ERR_VALIDATION,
                       "One or more parameter values are not valid. The AttributeValue for a key attribute "
                       "cannot contain an empty string value. Key: %s",
                       name);
    return DDB_OK;
}

ddb_err_t expr_partiql_key(const expr_partiql_t *st, const char *hash_name, av_type_t hash_type,
                           const char *range_name, av_type_t range_type, arena_t *a, ddb_errctx_t *err,
                           av_map_t **key, expr_cond_t **cond)
{
    *key = NULL;
    *cond = NULL;
    if (!st->where)
        return err_set(err, DDB_ERR_VALIDATION,
                       "Where clause does not contain a mandatory equality on all key attributes");
    node_t **conj;
    size_t n = flatten(a, st->where->root, &conj);
    uint8_t *used = ARENA_NEWN(a, uint8_t, n + 1);
    const av_t *hv, *rv = NULL;
    ddb_err_t rc = key_value(conj, used, n, hash_name, hash_type, err, &hv);
    if (rc) return rc;
    if (range_name && (rc = key_value(conj, used, n, range_name, range_type, err, &rv))) return rc;
    av_map_t *k = ARENA_NEW(a, av_map_t);
    k->kvs = ARENA_NEWN(a, av_kv_t, 2);
    k->kvs[0].name = (ddb_str_t){hash_name, strlen(hash_name)};
    k->kvs[0].val = *hv;
    k->n = 1;
    if (rv) {
        k->kvs[1].name = (ddb_str_t){range_name, strlen(range_name)};
        k->kvs[1].val = *rv;
        k->n = 2;
    }
    *key = k;
    *cond = rest(a, conj, used, n);
    return DDB_OK;
}

av_map_t *expr_partiql_project(const expr_partiql_t *st, const av_map_t *item, arena_t *a)
{
    if (!st->proj) return (av_map_t *)item;
    const expr_proj_t *p = st->proj;
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, p->n + 1);
    for (size_t i = 0; i < p->n; i++) {
        const path_t *ph = &p->paths[i]->path;
        const av_t *v = expr__path_get(item, ph);
        if (!v) continue;
        uint32_t last = ph->n;
        while (last > 0 && ph->el[last - 1].kind == PE_INDEX) last--;
        ddb_str_t nm = ph->el[last ? last - 1 : 0].name;
        if (last < ph->n) {
            buf_t b;
            buf_init(&b, a, nm.len + 16);
            buf_put(&b, nm.ptr, nm.len);
            for (uint32_t k = last; k < ph->n; k++) buf_printf(&b, "[%u]", ph->el[k].index);
            nm = (ddb_str_t){b.data, b.len};
        }
        m->kvs[m->n].name = nm;
        m->kvs[m->n].val = *v;
        m->n++;
    }
    return m;
}
