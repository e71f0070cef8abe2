/*
 * update: applies a parsed UpdateExpression (or translated AttributeUpdates) to an item.
 *
 * Entry points: expr_update_apply, expr_update_check_keys.
 *
 * DynamoDB's rules, in the order it reports problems:
 *   1. a written path whose parent exists but is not a map (for .name) or list (for [i]);
 *   2. types, action by action: SET operands of + - list_append, ADD/DELETE against the stored
 *      value, and an ADD of numbers that leaves the number range;
 *   3. clause by clause from the last written to the first: a path that cannot be written (its
 *      parent is missing), then an attribute a SET reads that is not there;
 *   4. SET arithmetic results outside the number range (DynamoDB words a result needing more
 *      than 38 digits as an overflow too);
 * then every value is computed from the item as it was, and written. List positions are the
 * original ones: removals and out-of-range SETs (which append, in index order) are applied
 * after every other write, deepest lists first. An emptied set removes its attribute. When
 * there was no item and the update only removes or deletes, nothing is written.
 */
#include "expr/expr_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "common/strset.h"

static const char *const TYPE_ERROR = "An operand in the update expression has an incorrect data type";
static const char *const LEGACY_TYPE_ERROR = "Type mismatch for attribute to update";
static const char *const MISSING_ERROR =
    "The provided expression refers to an attribute that does not exist in the item";
static const char *const PATH_ERROR =
    "The document path provided in the update expression is invalid for update";

static ddb_err_t verr(ddb_errctx_t *err, const char *msg)
{
    return err_set(err, DDB_ERR_VALIDATION, "%s", msg);
}

static ddb_err_t num_err(ddb_errctx_t *err, dec_status_t st)
{
    if (st == DEC_ERR_UNDERFLOW)
        return verr(
            err,
            "Number underflow. Attempting to store a number with magnitude smaller than supported range");
    return verr(err,
                "Number overflow. Attempting to store a number with magnitude larger than supported range");
}

static ddb_str_t str_for(arena_t *a, const char *buf, size_t n)
{
    return (ddb_str_t){arena_memdup(a, buf, n), n};
}

/* a + b or a - b of two N values, into *out (text in the arena). */
static dec_status_t arith(arena_t *a, const av_t *x, const av_t *y, int minus, av_t *out)
{
    dec_t dx, dy, r;
    dec_status_t st = dec_parse(x->s.ptr, x->s.len, &dx);
    if (st == DEC_OK) st = dec_parse(y->s.ptr, y->s.len, &dy);
    if (st == DEC_OK) st = minus ? dec_sub(&dx, &dy, &r) : dec_add(&dx, &dy, &r);
    if (st != DEC_OK) return st;
    char buf[DEC_TEXT_MAX + 1];
    size_t n = dec_format(&r, buf);
    out->type = AV_N;
    out->s = str_for(a, buf, n);
    return DEC_OK;
}

/* ---- SET values ------------------------------------------------------------------------- */

enum { SV_OK, SV_TYPE, SV_MISSING };

typedef struct {
    arena_t *a;
    const av_map_t *item;
    expr__maps_t *mx;
    dec_status_t numerr;
} sv_t;

/* Value of a SET operand; NULL when it depends on a missing attribute (SV_MISSING). */
static int set_value(sv_t *s, const node_t *n, const av_t **out)
{
    *out = NULL;
    switch (n->kind) {
    case N_VALUE:
        *out = n->val;
        return SV_OK;
    case N_PATH:
        *out = expr__maps_path_get(s->mx, s->item, &n->path, n->path.n);
        return *out ? SV_OK : SV_MISSING;
    case N_CALL:
        if (n->fn == F_IF_NOT_EXISTS) {
            const av_t *cur = expr__maps_path_get(s->mx, s->item, &n->kids[0]->path, n->kids[0]->path.n);
            if (cur) {
                *out = cur;
                return SV_OK;
            }
            return set_value(s, n->kids[1], out);
        } else {
            const av_t *x, *y;
            int rc = set_value(s, n->kids[0], &x);
            if (rc != SV_OK) return rc;
            if (x->type != AV_L) return SV_TYPE;
            if ((rc = set_value(s, n->kids[1], &y)) != SV_OK) return rc;
            if (y->type != AV_L) return SV_TYPE;
            av_t *r = ARENA_NEW(s->a, av_t);
            r->type = AV_L;
            r->l.n = x->l.n + y->l.n;
            r->l.items = ARENA_NEWN(s->a, av_t, r->l.n + 1);
            if (x->l.n) memcpy(r->l.items, x->l.items, x->l.n * sizeof(av_t));
            if (y->l.n) memcpy(r->l.items + x->l.n, y->l.items, y->l.n * sizeof(av_t));
            *out = r;
            return SV_OK;
        }
    case N_ARITH: {
        const av_t *x, *y;
        int rc = set_value(s, n->kids[0], &x);
        if (rc != SV_OK) return rc;
        if (x->type != AV_N) return SV_TYPE;
        if ((rc = set_value(s, n->kids[1], &y)) != SV_OK) return rc;
        if (y->type != AV_N) return SV_TYPE;
        av_t *r = ARENA_NEW(s->a, av_t);
        dec_status_t st = arith(s->a, x, y, n->op == T_MINUS, r);
        if (st != DEC_OK) {
            if (s->numerr == DEC_OK) s->numerr = st;
            r->type = AV_N;
            r->s = DDB_STR("0");
        }
        *out = r;
        return SV_OK;
    }
    default:
        return SV_MISSING;
    }
}

/* ---- helpers on paths ------------------------------------------------------------------- */

/* Whether the place a path writes to can exist in `item`. */
static int writable(expr__maps_t *mx, const av_map_t *item, const path_t *p)
{
    if (p->n == 1) return 1;
    const av_t *parent = expr__maps_path_get(mx, item, p, p->n - 1);
    if (!parent) return 0;
    return p->el[p->n - 1].kind == PE_INDEX ? parent->type == AV_L : parent->type == AV_M;
}

static int parent_wrong_type(expr__maps_t *mx, const av_map_t *item, const path_t *p)
{
    if (p->n == 1) return 0;
    const av_t *parent = expr__maps_path_get(mx, item, p, p->n - 1);
    return parent && !writable(mx, item, p);
}

static int is_set_type(av_type_t t)
{
    return t == AV_SS || t == AV_NS || t == AV_BS;
}

/* Set elements as hash keys: S and B by their bytes, N by canonical text (equal by value). */
static ddb_str_t elem_key(arena_t *a, const av_t *e)
{
    dec_t d;
    if (e->type != AV_N || dec_parse(e->s.ptr, e->s.len, &d) != DEC_OK) return e->s;
    char buf[DEC_TEXT_MAX + 1];
    size_t n = dec_format(&d, buf);
    if (n == e->s.len && !memcmp(buf, e->s.ptr, n)) return e->s; /* already canonical: no copy */
    return str_for(a, buf, n);
}

/* Elements of a set, for membership tests in O(1); NULL when both sides are small enough for
 * the pairwise test. */
static strset_t *set_index(arena_t *a, const av_t *set, size_t other)
{
    if (set->l.n * other <= 64) return NULL;
    strset_t *s = ARENA_NEW(a, strset_t);
    strset_init(s, a, set->l.n);
    for (size_t i = 0; i < set->l.n; i++) {
        ddb_str_t k = elem_key(a, &set->l.items[i]);
        strset_add(s, k.ptr, k.len, i, NULL);
    }
    return s;
}

static int in_set(arena_t *a, strset_t *ix, const av_t *set, const av_t *e)
{
    if (!ix) return expr__set_has(set, e);
    ddb_str_t k = elem_key(a, e);
    return strset_find(ix, k.ptr, k.len) != NULL;
}

static av_t *set_union(arena_t *a, const av_t *cur, const av_t *v)
{
    av_t *r = ARENA_NEW(a, av_t);
    r->type = cur->type;
    r->l.items = ARENA_NEWN(a, av_t, cur->l.n + v->l.n + 1);
    if (cur->l.n) memcpy(r->l.items, cur->l.items, cur->l.n * sizeof(av_t));
    r->l.n = cur->l.n;
    strset_t *ix = set_index(a, cur, v->l.n);
    for (size_t i = 0; i < v->l.n; i++)
        if (!in_set(a, ix, cur, &v->l.items[i])) r->l.items[r->l.n++] = v->l.items[i];
    return r;
}

static av_t *set_minus(arena_t *a, const av_t *cur, const av_t *v)
{
    av_t *r = ARENA_NEW(a, av_t);
    r->type = cur->type;
    r->l.items = ARENA_NEWN(a, av_t, cur->l.n + 1);
    r->l.n = 0;
    strset_t *ix = set_index(a, v, cur->l.n);
    for (size_t i = 0; i < cur->l.n; i++)
        if (!in_set(a, ix, v, &cur->l.items[i])) r->l.items[r->l.n++] = cur->l.items[i];
    return r;
}

/* ---- writes ----------------------------------------------------------------------------- */

typedef struct {
    const path_t *path;
    const av_t *value; /* NULL: remove */
} write_t;

typedef struct {
    av_t *list;
    uint32_t depth, index;
    size_t seq;
    const av_t *value; /* NULL: remove */
} listop_t;

static int cmp_listop(const void *x, const void *y)
{
    const listop_t *a = x, *b = y;
    if (a->depth != b->depth) return a->depth > b->depth ? -1 : 1;
    if (a->list != b->list) return (uintptr_t)a->list < (uintptr_t)b->list ? -1 : 1;
    if (a->index != b->index) return a->index < b->index ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void apply_list_group(arena_t *a, listop_t *ops, size_t n)
{
    av_t *list = ops[0].list;
    size_t old = list->l.n, k = 0;
    av_t *items = ARENA_NEWN(a, av_t, old + n + 1);
    size_t j = 0;
    for (size_t i = 0; i < old; i++) {
        while (j < n && ops[j].index < i) j++;
        int removed = 0;
        for (size_t q = j; q < n && ops[q].index == i; q++)
            if (!ops[q].value) removed = 1;
        if (!removed) items[k++] = list->l.items[i];
    }
    for (size_t q = 0; q < n; q++)
        if (ops[q].value && ops[q].index >= old) items[k++] = *ops[q].value;
    list->l.items = items;
    list->l.n = k;
}

/*
 * Map members first, then list elements: a list's address is taken only after every map that
 * holds it has stopped growing (an append may move a map's members). Paths never overlap, so
 * the order between the two kinds does not matter otherwise.
 */
static void apply_writes(arena_t *a, expr__maps_t *mx, av_map_t *item, write_t *w, size_t nw)
{
    for (size_t i = 0; i < nw; i++) {
        const path_t *p = w[i].path;
        const pathel_t *last = &p->el[p->n - 1];
        if (last->kind == PE_INDEX) continue;
        av_map_t *m = item;
        if (p->n > 1) {
            av_t *parent = (av_t *)expr__maps_path_get(mx, item, p, p->n - 1);
            if (!parent || parent->type != AV_M) continue; /* only for removals under a missing item */
            m = &parent->m;
        }
        if (w[i].value)
            expr__maps_set(mx, m, last->name, w[i].value);
        else
            expr__maps_del(mx, m, last->name);
    }
    listop_t *ops = ARENA_NEWN(a, listop_t, nw + 1);
    size_t nops = 0;
    for (size_t i = 0; i < nw; i++) {
        const path_t *p = w[i].path;
        const pathel_t *last = &p->el[p->n - 1];
        if (last->kind != PE_INDEX || p->n == 1) continue;
        av_t *parent = (av_t *)expr__maps_path_get(mx, item, p, p->n - 1);
        if (!parent) continue; /* only for removals under a missing item */
        if (parent->type != AV_L) continue;
        if (w[i].value && last->index < parent->l.n) {
            parent->l.items[last->index] = *w[i].value;
            continue;
        }
        if (!w[i].value && last->index >= parent->l.n) continue; /* removing past the end: nothing */
        ops[nops++] = (listop_t){parent, p->n - 1, last->index, i, w[i].value};
    }
    if (!nops) return;
    qsort(ops, nops, sizeof *ops, cmp_listop);
    for (size_t i = 0; i < nops;) {
        size_t j = i + 1;
        while (j < nops && ops[j].list == ops[i].list) j++;
        apply_list_group(a, ops + i, j - i);
        i = j;
    }
}

/* ---- the update ------------------------------------------------------------------------- */

ddb_err_t expr_update_check_keys(const expr_update_t *u, const char *hash_name, const char *range_name,
                                 ddb_errctx_t *err)
{
    for (size_t i = 0; i < u->n; i++) {
        ddb_str_t nm = u->act[i].path->path.el[0].name;
        const char *keys[2] = {hash_name, range_name};
        for (int k = 0; k < 2; k++)
            if (keys[k] && ddb_str_eq(nm, keys[k]))
                return err_set(
                    err, DDB_ERR_VALIDATION,
                    "One or more parameter values were invalid: Cannot update attribute %s. This attribute "
                    "is part of the key",
                    keys[k]);
    }
    return DDB_OK;
}

typedef struct {
    const av_t *value; /* SET: the computed value */
    int failure;       /* SET: reads a missing attribute */
} actstate_t;

ddb_err_t expr_update_apply(const expr_update_t *u, const av_map_t *old, const av_map_t *key, arena_t *a,
                            ddb_errctx_t *err, expr_update_result_t *res)
{
    res->item = NULL;
    int only_removes = u->n > 0;
    for (size_t i = 0; i < u->n; i++)
        if (u->act[i].kind == UA_SET || u->act[i].kind == UA_ADD) only_removes = 0;
    if (!old && only_removes) return DDB_OK;

    static const av_map_t empty = {0, NULL};
    const av_map_t *item = old ? old : key ? key : &empty;
    actstate_t *st = ARENA_NEWN(a, actstate_t, u->n + 1);
    expr__maps_t *mx = expr__maps_new(a);
    sv_t sv = {a, item, mx, DEC_OK};

    /* 1. A parent that exists but has the wrong type. */
    for (size_t i = 0; i < u->n; i++)
        if (parent_wrong_type(mx, item, &u->act[i].path->path)) return verr(err, PATH_ERROR);

    /* 2. Types. */
    for (size_t i = 0; i < u->n; i++) {
        const uaction_t *x = &u->act[i];
        const path_t *p = &x->path->path;
        if (x->kind == UA_SET) {
            int rc = set_value(&sv, x->value, &st[i].value);
            if (rc == SV_TYPE) return verr(err, TYPE_ERROR);
            if (rc == SV_MISSING) st[i].failure = 1;
        } else if (x->kind == UA_ADD || x->kind == UA_DELETE) {
            const av_t *v = x->value->val;
            const av_t *cur = writable(mx, item, p) ? expr__maps_path_get(mx, item, p, p->n) : NULL;
            if (!cur) continue;
            int ok;
            if (x->kind == UA_ADD)
                ok = (v->type == AV_N && cur->type == AV_N) ||
                     (cur->type == v->type && is_set_type(v->type)) ||
                     (x->legacy && v->type == AV_L && cur->type == AV_L);
            else
                ok = cur->type == v->type;
            if (!ok) return verr(err, x->legacy ? LEGACY_TYPE_ERROR : TYPE_ERROR);
            if (x->kind == UA_ADD && v->type == AV_N) {
                av_t tmp;
                dec_status_t ds = arith(a, cur, v, 0, &tmp);
                if (ds != DEC_OK) return num_err(err, ds);
            }
        }
    }

    /* 3. Paths that cannot be written, then missing attributes, from the last clause back. */
    for (int cl = (int)u->nclauses - 1; cl >= 0; cl--) {
        for (size_t i = 0; i < u->n; i++) {
            const uaction_t *x = &u->act[i];
            if (x->clause != cl) continue;
            if (!writable(mx, item, &x->path->path) && !(x->kind == UA_REMOVE && !old))
                return verr(err, PATH_ERROR);
        }
        for (size_t i = 0; i < u->n; i++)
            if (u->act[i].clause == cl && st[i].failure) return verr(err, MISSING_ERROR);
    }

    /* 4. Arithmetic results out of range. */
    if (sv.numerr != DEC_OK) return num_err(err, sv.numerr);

    /* Every write, computed from the item as it was. */
    write_t *w = ARENA_NEWN(a, write_t, u->n + 1);
    size_t nw = 0;
    for (size_t i = 0; i < u->n; i++) {
        const uaction_t *x = &u->act[i];
        const path_t *p = &x->path->path;
        switch (x->kind) {
        case UA_SET:
            w[nw++] = (write_t){p, st[i].value};
            break;
        case UA_REMOVE:
            w[nw++] = (write_t){p, NULL};
            break;
        case UA_ADD: {
            const av_t *v = x->value->val, *cur = expr__maps_path_get(mx, item, p, p->n);
            if (!cur) {
                w[nw++] = (write_t){p, v};
            } else if (v->type == AV_N) {
                av_t *r = ARENA_NEW(a, av_t);
                arith(a, cur, v, 0, r);
                w[nw++] = (write_t){p, r};
            } else if (v->type == AV_L) {
                av_t *r = ARENA_NEW(a, av_t);
                r->type = AV_L;
                r->l.n = cur->l.n + v->l.n;
                r->l.items = ARENA_NEWN(a, av_t, r->l.n + 1);
                if (cur->l.n) memcpy(r->l.items, cur->l.items, cur->l.n * sizeof(av_t));
                if (v->l.n) memcpy(r->l.items + cur->l.n, v->l.items, v->l.n * sizeof(av_t));
                w[nw++] = (write_t){p, r};
            } else {
                w[nw++] = (write_t){p, set_union(a, cur, v)};
            }
            break;
        }
        case UA_DELETE: {
            const av_t *cur = expr__maps_path_get(mx, item, p, p->n);
            if (!cur) break;
            av_t *r = set_minus(a, cur, x->value->val);
            w[nw++] = (write_t){p, r->l.n ? r : NULL};
            break;
        }
        }
    }
    av_map_t *out = expr__map_clone(a, item);
    apply_writes(a, mx, out, w, nw);
    expr__maps_finish(mx, out);
    res->item = out;
    return DDB_OK;
}
