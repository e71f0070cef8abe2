/*
 * path: document paths (a.b[3].c) over items: get, mutable get, map member set/remove, item
 * cloning for updates, and projection (ProjectionExpression, AttributesToGet, and the
 * UPDATED_OLD / UPDATED_NEW views of an update).
 *
 * Entry points: expr__path_get, expr__path_get_n, expr__path_get_mut, expr__map_clone,
 * expr__map_set, expr__map_del, expr__maps_*, expr__el_key, expr__project, expr__proj_prepare,
 * expr_projection_apply, expr_update_project,
 * expr_projection_top_names, expr_update_top_names.
 *
 * Projection keeps DynamoDB's result shape: a nested map keeps only the projected members, a
 * list keeps only the projected elements in index order (so "l[2], l[0]" gives [l0, l2]), and
 * a path that does not exist, or crosses a value of the wrong type, contributes nothing.
 *
 * Linear time for big requests and items (a 16 MB AttributesToGet, an AttributeUpdates of
 * 500 k names, an item of 100 k attributes):
 * - path trees (projections here, overlap checks in resolve.c) find a node's child through one
 *   hash set keyed by expr__el_key (parent pointer, element), built once per projection;
 * - a projection node with more than a few children walks the item's members and looks each
 *   one up, instead of looking each child up in the item (members then come out in the item's
 *   order; JSON maps have no order);
 * - expr__maps_t: member lookups, sets and removals for maps that are big or keep changing
 *   (updates, conditions with many paths): a name index per map, keyed by the map's member
 *   array, built the first time the map is searched; appends grow the array by doubling;
 *   removals leave a tombstone (type AV_NONE) that expr__maps_finish squeezes out.
 */
#include "expr/expr_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/strset.h"

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

/* ---- indexed maps ------------------------------------------------------------------------ */

#define MAPS_LINEAR                                                                                          \
    32                         /* maps up to this size are scanned, not indexed: most items are smaller, and \
                                * indexing a 10-member item cost a small UpdateItem ~8 % more instructions */
#define PROJ_LINEAR 8          /* projection nodes with up to this many named children look each up */
#define MAPS_DEAD ((size_t)-1) /* index value of a removed member */

typedef struct {
    strset_t idx; /* name -> member index, or MAPS_DEAD */
    size_t cap;   /* members the array has room for */
} mapent_t;

struct expr__maps {
    arena_t *a;
    strset_t by_kvs; /* member array pointer (its bytes) -> mapent_t* */
    bool tombstones;
};

expr__maps_t *expr__maps_new(arena_t *a)
{
    expr__maps_t *mx = ARENA_NEW(a, expr__maps_t);
    mx->a = a;
    strset_init(&mx->by_kvs, a, 0);
    return mx;
}

static void ent_key(expr__maps_t *mx, const av_kv_t *kvs, mapent_t *e)
{
    const av_kv_t **kp = arena_alloc(mx->a, sizeof *kp); /* the key bytes must stay put */
    *kp = kvs;
    strset_add(&mx->by_kvs, kp, sizeof *kp, (size_t)(uintptr_t)e, NULL);
}

static mapent_t *ent_find(expr__maps_t *mx, const av_map_t *m)
{
    const av_kv_t *kvs = m->kvs;
    size_t *v = strset_find(&mx->by_kvs, &kvs, sizeof kvs);
    return v ? (mapent_t *)(uintptr_t)*v : NULL;
}

static mapent_t *ent_get(expr__maps_t *mx, const av_map_t *m)
{
    mapent_t *e = ent_find(mx, m);
    if (e) return e;
    e = ARENA_NEW(mx->a, mapent_t);
    e->cap = m->n;
    strset_init(&e->idx, mx->a, m->n);
    for (size_t i = 0; i < m->n; i++)
        if (m->kvs[i].val.type != AV_NONE)
            strset_add(&e->idx, m->kvs[i].name.ptr, m->kvs[i].name.len, i, NULL);
    ent_key(mx, m->kvs, e);
    return e;
}

static av_t *scan_member(const av_map_t *m, ddb_str_t name)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->kvs[i].val.type != AV_NONE && name_is(m->kvs[i].name, name)) return &m->kvs[i].val;
    return NULL;
}

av_t *expr__maps_member(expr__maps_t *mx, const av_map_t *m, ddb_str_t name)
{
    if (!mx || m->n <= MAPS_LINEAR) return scan_member(m, name);
    mapent_t *e = ent_get(mx, m);
    size_t *at = strset_find(&e->idx, name.ptr, name.len);
    return at && *at != MAPS_DEAD ? &m->kvs[*at].val : NULL;
}

const av_t *expr__maps_path_get(expr__maps_t *mx, const av_map_t *item, const path_t *p, uint32_t depth)
{
    if (!item || depth == 0) return NULL;
    const av_t *cur = expr__maps_member(mx, item, p->el[0].name);
    for (uint32_t i = 1; cur && i < depth; i++) {
        const pathel_t *e = &p->el[i];
        if (e->kind == PE_INDEX)
            cur = cur->type == AV_L && e->index < cur->l.n ? &cur->l.items[e->index] : NULL;
        else
            cur = cur->type == AV_M ? expr__maps_member(mx, &cur->m, e->name) : NULL;
    }
    return cur;
}

void expr__maps_set(expr__maps_t *mx, av_map_t *m, ddb_str_t name, const av_t *v)
{
    av_t *cur = expr__maps_member(mx, m, name);
    if (cur) {
        *cur = *v;
        return;
    }
    mapent_t *e = ent_find(mx, m);
    if (!e && m->n + 1 > MAPS_LINEAR) e = ent_get(mx, m);
    size_t cap = e ? e->cap : m->n;
    if (m->n == cap) { /* grow by doubling, so n appends copy O(n) members in all */
        cap = cap < 8 ? 8 : 2 * cap;
        av_kv_t *kvs = ARENA_NEWN(mx->a, av_kv_t, cap);
        if (m->n) memcpy(kvs, m->kvs, m->n * sizeof *kvs);
        m->kvs = kvs;
        if (e) {
            e->cap = cap;
            ent_key(mx, kvs, e);
        }
    }
    m->kvs[m->n].name = name;
    m->kvs[m->n].val = *v;
    if (e) *strset_add(&e->idx, name.ptr, name.len, m->n, NULL) = m->n; /* also revives a removed name */
    m->n++;
}

void expr__maps_del(expr__maps_t *mx, av_map_t *m, ddb_str_t name)
{
    mapent_t *e = ent_find(mx, m);
    if (!e && m->n <= MAPS_LINEAR) { /* small and unindexed: close the gap now */
        expr__map_del(m, name);
        return;
    }
    if (!e) e = ent_get(mx, m);
    size_t *at = strset_find(&e->idx, name.ptr, name.len);
    if (!at || *at == MAPS_DEAD) return;
    m->kvs[*at].val.type = AV_NONE;
    *at = MAPS_DEAD;
    mx->tombstones = true;
}

static void squeeze(av_t *v);

static void squeeze_map(av_map_t *m)
{
    size_t k = 0;
    for (size_t i = 0; i < m->n; i++) {
        if (m->kvs[i].val.type == AV_NONE) continue;
        squeeze(&m->kvs[i].val);
        if (k != i) m->kvs[k] = m->kvs[i];
        k++;
    }
    m->n = k;
}

static void squeeze(av_t *v)
{
    if (v->type == AV_M)
        squeeze_map(&v->m);
    else if (v->type == AV_L)
        for (size_t i = 0; i < v->l.n; i++) squeeze(&v->l.items[i]);
}

void expr__maps_finish(expr__maps_t *mx, av_map_t *item)
{
    if (mx->tombstones) squeeze_map(item);
    mx->tombstones = false;
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

/* The (parent, element) key: the parent pointer's bytes, 'i' or 'n', then the index's bytes or
 * the name. Written into dst (room for EL_KEY_LEN(n)); returns its length. */
#define EL_KEY_LEN(n) (sizeof(void *) + 1 + (n))
static size_t el_key_put(char *dst, const void *parent, char kind, const void *bytes, size_t n)
{
    memcpy(dst, &parent, sizeof parent);
    dst[sizeof parent] = kind;
    if (n) memcpy(dst + sizeof parent + 1, bytes, n);
    return EL_KEY_LEN(n);
}

const char *expr__el_key(arena_t *a, const void *parent, const pathel_t *e, size_t *len)
{
    bool idx = e->kind == PE_INDEX;
    size_t n = idx ? sizeof e->index : e->name.len;
    char *k = arena_alloc(a, EL_KEY_LEN(n));
    *len = el_key_put(k, parent, idx ? 'i' : 'n', idx ? (const void *)&e->index : e->name.ptr, n);
    return k;
}

typedef struct pnode pnode_t;
struct pnode {
    const pathel_t *key;
    int leaf;
    pnode_t **kids;
    size_t n, cap;
    size_t nnamed; /* kids that are map members */
};

/* A projection's paths as a tree, with the (parent, element) -> child set. */
typedef struct {
    pnode_t root;
    strset_t kids;
} ptree_t;

/* The child of `t` for member `name`, or NULL (a lookup key built on the stack when short). */
static const pnode_t *named_kid(const ptree_t *tr, const pnode_t *t, ddb_str_t name)
{
    char buf[256];
    char *k = EL_KEY_LEN(name.len) <= sizeof buf ? buf : malloc(EL_KEY_LEN(name.len));
    if (!k) abort();
    size_t len = el_key_put(k, t, 'n', name.ptr, name.len);
    size_t *v = strset_find(&tr->kids, k, len);
    if (k != buf) free(k);
    return v ? (const pnode_t *)(uintptr_t)*v : NULL;
}

static pnode_t *kid(arena_t *a, ptree_t *tr, pnode_t *t, const pathel_t *e)
{
    size_t klen;
    const char *key = expr__el_key(a, t, e, &klen);
    bool added;
    size_t *at = strset_add(&tr->kids, key, klen, 0, &added); /* one hash for find-or-add */
    if (!added) return (pnode_t *)(uintptr_t)*at;
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
    if (e->kind != PE_INDEX) t->nnamed++;
    *at = (size_t)(uintptr_t)k; /* no strset_add since: the slot pointer is still valid */
    return k;
}

/* *first_dup (may be NULL): the first path equal to an earlier one, or n. */
static ptree_t *ptree_build(arena_t *a, size_t n, const path_t *const *paths, size_t *first_dup)
{
    ptree_t *tr = ARENA_NEW(a, ptree_t);
    strset_init(&tr->kids, a, n);
    if (first_dup) *first_dup = n;
    for (size_t i = 0; i < n; i++) {
        pnode_t *t = &tr->root;
        for (uint32_t k = 0; k < paths[i]->n; k++) t = kid(a, tr, t, &paths[i]->el[k]);
        if (t->leaf && first_dup && *first_dup == n) *first_dup = i;
        t->leaf = 1;
    }
    return tr;
}

static int cmp_index(const void *x, const void *y)
{
    const pnode_t *a = *(pnode_t *const *)x, *b = *(pnode_t *const *)y;
    return a->key->index < b->key->index ? -1 : a->key->index > b->key->index;
}

static int copy_sub(arena_t *a, const ptree_t *tr, const av_t *src, const pnode_t *t, av_t *out);

/* The members of `src` named by the children of `t`, into `out`. A few children: look each one
 * up; more: walk the members once and look each up among the children. */
static void copy_members(arena_t *a, const ptree_t *tr, const av_map_t *src, const pnode_t *t, av_map_t *out)
{
    size_t most = t->nnamed < src->n ? t->nnamed : src->n;
    out->n = 0;
    out->kvs = ARENA_NEWN(a, av_kv_t, most + 1);
    if (t->nnamed <= PROJ_LINEAR) {
        for (size_t i = 0; i < t->n; i++) {
            const pnode_t *k = t->kids[i];
            if (k->key->kind == PE_INDEX) continue;
            const av_t *v = av_map_getz(src, k->key->name);
            if (v && copy_sub(a, tr, v, k, &out->kvs[out->n].val)) out->kvs[out->n++].name = k->key->name;
        }
        return;
    }
    for (size_t i = 0; i < src->n; i++) {
        const pnode_t *k = named_kid(tr, t, src->kvs[i].name);
        if (k && copy_sub(a, tr, &src->kvs[i].val, k, &out->kvs[out->n].val))
            out->kvs[out->n++].name = k->key->name;
    }
}

/* Copy the parts of `src` named by `t` into `out`; 0 if nothing is there. */
static int copy_sub(arena_t *a, const ptree_t *tr, const av_t *src, const pnode_t *t, av_t *out)
{
    if (t->leaf) {
        *out = *src;
        return 1;
    }
    if (src->type == AV_M) {
        av_map_t m;
        copy_members(a, tr, &src->m, t, &m);
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
            if (at < src->l.n && copy_sub(a, tr, &src->l.items[at], idx[i], &l.items[l.n])) l.n++;
        }
        if (!l.n) return 0;
        out->type = AV_L;
        out->l = l;
        return 1;
    }
    return 0;
}

static av_map_t *project_tree(arena_t *a, const av_map_t *item, const ptree_t *tr)
{
    av_map_t *out = ARENA_NEW(a, av_map_t);
    if (!item || !item->n) return out;
    copy_members(a, tr, item, &tr->root, out);
    return out;
}

av_map_t *expr__project(arena_t *a, const av_map_t *item, size_t n, const path_t *const *paths)
{
    if (!item || !item->n) return ARENA_NEW(a, av_map_t);
    return project_tree(a, item, ptree_build(a, n, paths, NULL));
}

size_t expr__proj_prepare(arena_t *a, expr_proj_t *p)
{
    const path_t **paths = ARENA_NEWN(a, const path_t *, p->n + 1);
    for (size_t i = 0; i < p->n; i++) paths[i] = &p->paths[i]->path;
    size_t dup;
    p->tree = ptree_build(a, p->n, paths, &dup);
    return dup;
}

av_map_t *expr_projection_apply(const expr_proj_t *p, const av_map_t *item, arena_t *a)
{
    if (p->tree) return project_tree(a, item, p->tree);
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
    strset_t seen;
    strset_init(&seen, a, n);
    for (size_t i = 0; i < n; i++) {
        ddb_str_t nm = paths[i]->el[0].name;
        bool added;
        strset_add(&seen, nm.ptr, nm.len, k, &added);
        if (added) out[k++] = nm;
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
