/*
 * path: document paths (a.b[3].c) over items: get, mutable get, map member set/remove, item
 * cloning for updates, and projection (ProjectionExpression, AttributesToGet, and the
 * UPDATED_OLD / UPDATED_NEW views of an update).
 *
 * Entry points: expr__path_get, expr__path_get_n, expr__path_get_mut, expr__map_clone,
 * expr__map_set, expr__map_del, expr__project, expr_projection_apply, expr_update_project,
 * expr_projection_top_names, expr_update_top_names.
 *
 * Projection keeps DynamoDB's result shape: a nested map keeps only the projected members, a
 * list keeps only the projected elements in index order (so "l[2], l[0]" gives [l0, l2]), and
 * a path that does not exist, or crosses a value of the wrong type, contributes nothing.
 */
#include "expr/expr_int.h"

#include <stdlib.h>
#include <string.h>

static int name_is(ddb_str_t a, ddb_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static const av_t *step(const av_t *cur, const pathel_t *e)
{
    if (e->kind == PE_INDEX) {
        if (cur->type != AV_L || e->index >= cur->l.n) return NULL;
        return &cur->l.items[e->index];
    }
    if (cur->type != AV_M) return NULL;
    return av_map_getz(&cur->m, e->name);
}

const av_t *expr__path_get_n(const av_map_t *item, const path_t *p, uint32_t depth)
{
    if (!item || depth == 0) return NULL;
    const av_t *cur = av_map_getz(item, p->el[0].name);
    for (uint32_t i = 1; cur && i < depth; i++) cur = step(cur, &p->el[i]);
    return cur;
}

const av_t *expr__path_get(const av_map_t *item, const path_t *p)
{
    return expr__path_get_n(item, p, p->n);
}

av_t *expr__path_get_mut(av_map_t *item, const path_t *p, uint32_t depth)
{
    return (av_t *)expr__path_get_n(item, p, depth);
}

/* Copy the containers (maps, lists) of a value; scalars and sets share their bytes. */
static void clone_value(arena_t *a, const av_t *src, av_t *dst)
{
    *dst = *src;
    if (src->type == AV_M) {
        dst->m.kvs = src->m.n ? ARENA_NEWN(a, av_kv_t, src->m.n) : NULL;
        for (size_t i = 0; i < src->m.n; i++) {
            dst->m.kvs[i].name = src->m.kvs[i].name;
            clone_value(a, &src->m.kvs[i].val, &dst->m.kvs[i].val);
        }
    } else if (src->type == AV_L) {
        dst->l.items = src->l.n ? ARENA_NEWN(a, av_t, src->l.n) : NULL;
        for (size_t i = 0; i < src->l.n; i++) clone_value(a, &src->l.items[i], &dst->l.items[i]);
    }
}

av_map_t *expr__map_clone(arena_t *a, const av_map_t *m)
{
    av_map_t *out = ARENA_NEW(a, av_map_t);
    if (!m) return out;
    out->n = m->n;
    out->kvs = m->n ? ARENA_NEWN(a, av_kv_t, m->n) : NULL;
    for (size_t i = 0; i < m->n; i++) {
        out->kvs[i].name = m->kvs[i].name;
        clone_value(a, &m->kvs[i].val, &out->kvs[i].val);
    }
    return out;
}

void expr__map_set(arena_t *a, av_map_t *m, ddb_str_t name, const av_t *v)
{
    for (size_t i = 0; i < m->n; i++) {
        if (name_is(m->kvs[i].name, name)) {
            m->kvs[i].val = *v;
            return;
        }
    }
    av_kv_t *kvs = ARENA_NEWN(a, av_kv_t, m->n + 1);
    if (m->n) memcpy(kvs, m->kvs, m->n * sizeof *kvs);
    kvs[m->n].name = name;
    kvs[m->n].val = *v;
    m->kvs = kvs;
    m->n++;
}

void expr__map_del(av_map_t *m, ddb_str_t name)
{
    for (size_t i = 0; i < m->n; i++) {
        if (name_is(m->kvs[i].name, name)) {
            memmove(&m->kvs[i], &m->kvs[i + 1], (m->n - i - 1) * sizeof m->kvs[0]);
            m->n--;
            return;
        }
    }
}

/* ---- projection ------------------------------------------------------------------------- */

typedef struct pnode pnode_t;
struct pnode {
    const pathel_t *key;
    int leaf;
    pnode_t **kids;
    size_t n, cap;
};

static int el_same(const pathel_t *x, const pathel_t *y)
{
    if ((x->kind == PE_INDEX) != (y->kind == PE_INDEX)) return 0;
    return x->kind == PE_INDEX ? x->index == y->index : name_is(x->name, y->name);
}

static pnode_t *kid(arena_t *a, pnode_t *t, const pathel_t *e)
{
    for (size_t i = 0; i < t->n; i++)
        if (el_same(t->kids[i]->key, e)) return t->kids[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4;
        pnode_t **nk = ARENA_NEWN(a, pnode_t *, cap);
        if (t->n) memcpy(nk, t->kids, t->n * sizeof *nk);
        t->kids = nk;
        t->cap = cap;
    }
    pnode_t *k = ARENA_NEW(a, pnode_t);
    k->key = e;
    t->kids[t->n++] = k;
    return k;
}

static int cmp_index(const void *x, const void *y)
{
    const pnode_t *a = *(pnode_t *const *)x, *b = *(pnode_t *const *)y;
    return a->key->index < b->key->index ? -1 : a->key->index > b->key->index;
}

/* Copy the parts of `src` named by `t` into `out`; 0 if nothing is there. */
static int copy_sub(arena_t *a, const av_t *src, const pnode_t *t, av_t *out)
{
    if (t->leaf) {
        *out = *src;
        return 1;
    }
    if (src->type == AV_M) {
        av_map_t m = {0, ARENA_NEWN(a, av_kv_t, t->n + 1)};
        for (size_t i = 0; i < t->n; i++) {
            const pnode_t *k = t->kids[i];
            if (k->key->kind == PE_INDEX) continue;
            const av_t *v = av_map_getz(&src->m, k->key->name);
            if (v && copy_sub(a, v, k, &m.kvs[m.n].val)) m.kvs[m.n++].name = k->key->name;
        }
        if (!m.n) return 0;
        out->type = AV_M;
        out->m = m;
        return 1;
    }
    if (src->type == AV_L) {
        pnode_t **idx = ARENA_NEWN(a, pnode_t *, t->n + 1);
        size_t ni = 0;
        for (size_t i = 0; i < t->n; i++)
            if (t->kids[i]->key->kind == PE_INDEX) idx[ni++] = t->kids[i];
        qsort(idx, ni, sizeof *idx, cmp_index);
        av_list_t l = {0, ARENA_NEWN(a, av_t, ni + 1)};
        for (size_t i = 0; i < ni; i++) {
            uint32_t at = idx[i]->key->index;
            if (at < src->l.n && copy_sub(a, &src->l.items[at], idx[i], &l.items[l.n])) l.n++;
        }
        if (!l.n) return 0;
        out->type = AV_L;
        out->l = l;
        return 1;
    }
    return 0;
}

av_map_t *expr__project(arena_t *a, const av_map_t *item, size_t n, const path_t *const *paths)
{
    av_map_t *out = ARENA_NEW(a, av_map_t);
    if (!item || !item->n) return out;
    pnode_t root = {0};
    for (size_t i = 0; i < n; i++) {
        pnode_t *t = &root;
        for (uint32_t k = 0; k < paths[i]->n; k++) t = kid(a, t, &paths[i]->el[k]);
        t->leaf = 1;
    }
    out->kvs = ARENA_NEWN(a, av_kv_t, root.n + 1);
    for (size_t i = 0; i < root.n; i++) {
        const pnode_t *k = root.kids[i];
        const av_t *v = av_map_getz(item, k->key->name);
        if (v && copy_sub(a, v, k, &out->kvs[out->n].val)) out->kvs[out->n++].name = k->key->name;
    }
    return out;
}

av_map_t *expr_projection_apply(const expr_proj_t *p, const av_map_t *item, arena_t *a)
{
    const path_t **paths = ARENA_NEWN(a, const path_t *, p->n + 1);
    for (size_t i = 0; i < p->n; i++) paths[i] = &p->paths[i]->path;
    return expr__project(a, item, p->n, paths);
}

av_map_t *expr_update_project(const expr_update_t *u, const av_map_t *item, arena_t *a)
{
    const path_t **paths = ARENA_NEWN(a, const path_t *, u->n + 1);
    for (size_t i = 0; i < u->n; i++) paths[i] = &u->act[i].path->path;
    return expr__project(a, item, u->n, paths);
}

/* Distinct first elements of a set of paths, in first-use order. */
static size_t top_names(arena_t *a, size_t n, const path_t *const *paths, ddb_str_t **names)
{
    ddb_str_t *out = ARENA_NEWN(a, ddb_str_t, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ddb_str_t nm = paths[i]->el[0].name;
        size_t j = 0;
        while (j < k && !name_is(out[j], nm)) j++;
        if (j == k) out[k++] = nm;
    }
    *names = out;
    return k;
}

size_t expr_projection_top_names(const expr_proj_t *p, arena_t *a, ddb_str_t **names)
{
    const path_t **paths = ARENA_NEWN(a, const path_t *, p->n + 1);
    for (size_t i = 0; i < p->n; i++) paths[i] = &p->paths[i]->path;
    return top_names(a, p->n, paths, names);
}

size_t expr_update_top_names(const expr_update_t *u, arena_t *a, ddb_str_t **names)
{
    const path_t **paths = ARENA_NEWN(a, const path_t *, u->n + 1);
    for (size_t i = 0; i < u->n; i++) paths[i] = &u->act[i].path->path;
    return top_names(a, u->n, paths, names);
}
