/*
 * eval: conditions and filters evaluated against one item. Pure: reads the tree and the item,
 * never fails. Allocates nothing, except a scratch arena (freed before returning) holding a name
 * index when many paths are looked up in a big item, so that stays linear.
 *
 * Entry points: expr_condition_eval, expr__operand, expr__set_has.
 *
 * Semantics (DynamoDB's, as its public test suites pin them):
 * - A missing attribute (or a path crossing a value of the wrong type) has no value. = with a
 *   missing side is false, <> with a missing side is true, every ordering is false.
 * - = and <> compare any types: different types are unequal; N compares by value; sets compare
 *   without order; M without member order; L in order.
 * - < <= > >= BETWEEN order S (bytes), N (value), B (bytes) of the same type; anything else,
 *   including mixed types, is false. BETWEEN is lo <= x <= hi.
 * - IN is = against each operand.
 * - begins_with: S or B of the same type, byte prefix. contains: substring of S or B,
 *   membership in SS/NS/BS (element of the matching scalar type), element of L (=).
 * - attribute_type(path, :t) compares the type name. size(): S length in UTF-16 code units
 *   (Java's String.length), B bytes, set/list elements, map members; other types have no size.
 */
#include "expr/expr_int.h"

#include <string.h>

#include "common/decimal.h"

int expr__set_has(const av_t *set, const av_t *elem)
{
    for (size_t i = 0; i < set->l.n; i++)
        if (av_equal(&set->l.items[i], elem)) return 1;
    return 0;
}

static int size_of(const av_t *v, int64_t *out)
{
    switch (v->type) {
    case AV_S:
        *out = (int64_t)ddb_str_utf16_len(v->s);
        return 1;
    case AV_B:
        *out = (int64_t)v->s.len;
        return 1;
    case AV_SS:
    case AV_NS:
    case AV_BS:
    case AV_L:
        *out = (int64_t)v->l.n;
        return 1;
    case AV_M:
        *out = (int64_t)v->m.n;
        return 1;
    default:
        return 0;
    }
}

/* The item evaluated, and (for big items under conditions with many paths) its name index. */
typedef struct {
    const av_map_t *item;
    expr__maps_t *mx;
} ev_t;

static const av_t *operand(const node_t *n, const ev_t *ev, av_t *scratch, char *numbuf)
{
    switch (n->kind) {
    case N_VALUE:
        return n->val;
    case N_PATH:
        return expr__maps_path_get(ev->mx, ev->item, &n->path, n->path.n);
    case N_CALL:
        if (n->fn == F_SIZE) {
            av_t tmp;
            char tmpbuf[32];
            const av_t *v = operand(n->kids[0], ev, &tmp, tmpbuf);
            int64_t sz;
            if (!v || !size_of(v, &sz)) return NULL;
            dec_t d;
            dec_from_int(sz, &d);
            size_t len = dec_format(&d, numbuf);
            scratch->type = AV_N;
            scratch->s = (ddb_str_t){numbuf, len};
            return scratch;
        }
        return NULL;
    default:
        return NULL;
    }
}

const av_t *expr__operand(const node_t *n, const av_map_t *item, av_t *scratch, char *numbuf)
{
    ev_t ev = {item, NULL};
    return operand(n, &ev, scratch, numbuf);
}

size_t expr__count_paths(const node_t *n)
{
    if (!n) return 0;
    if (n->kind == N_PATH) return 1;
    size_t k = 0;
    for (uint32_t i = 0; i < n->nkids; i++) k += expr__count_paths(n->kids[i]);
    return k;
}

static int sortable(const av_t *a, const av_t *b)
{
    return a->type == b->type && (a->type == AV_S || a->type == AV_N || a->type == AV_B);
}

static int has_bytes(ddb_str_t hay, ddb_str_t needle)
{
    if (needle.len == 0) return 1;
    if (needle.len > hay.len) return 0;
    return memmem(hay.ptr, hay.len, needle.ptr, needle.len) != NULL;
}

static int contains(const av_t *a, const av_t *b)
{
    switch (a->type) {
    case AV_S:
        return b->type == AV_S && has_bytes(a->s, b->s);
    case AV_B:
        return b->type == AV_B && has_bytes(a->s, b->s);
    case AV_SS:
        return b->type == AV_S && expr__set_has(a, b);
    case AV_NS:
        return b->type == AV_N && expr__set_has(a, b);
    case AV_BS:
        return b->type == AV_B && expr__set_has(a, b);
    case AV_L:
        for (size_t i = 0; i < a->l.n; i++)
            if (av_equal(&a->l.items[i], b)) return 1;
        return 0;
    default:
        return 0;
    }
}

static int eval(const node_t *n, const ev_t *ev)
{
    av_t s0, s1, s2;
    char b0[32], b1[32], b2[32];
    switch (n->kind) {
    case N_OR: /* two children from the parser, any number from the legacy parameters */
        for (uint32_t i = 0; i < n->nkids; i++)
            if (eval(n->kids[i], ev)) return 1;
        return 0;
    case N_AND:
        for (uint32_t i = 0; i < n->nkids; i++)
            if (!eval(n->kids[i], ev)) return 0;
        return 1;
    case N_NOT:
        return !eval(n->kids[0], ev);
    case N_CMP: {
        const av_t *a = operand(n->kids[0], ev, &s0, b0);
        const av_t *b = operand(n->kids[1], ev, &s1, b1);
        if (n->op == T_EQ) return a && b && av_equal(a, b);
        if (n->op == T_NE) return !(a && b && av_equal(a, b));
        if (!a || !b || !sortable(a, b)) return 0;
        int c = av_scalar_cmp(a, b);
        switch (n->op) {
        case T_LT:
            return c < 0;
        case T_LE:
            return c <= 0;
        case T_GT:
            return c > 0;
        default:
            return c >= 0;
        }
    }
    case N_BETWEEN: {
        const av_t *a = operand(n->kids[0], ev, &s0, b0);
        const av_t *lo = operand(n->kids[1], ev, &s1, b1);
        const av_t *hi = operand(n->kids[2], ev, &s2, b2);
        if (!a || !lo || !hi || !sortable(a, lo) || !sortable(a, hi)) return 0;
        return av_scalar_cmp(lo, a) <= 0 && av_scalar_cmp(a, hi) <= 0;
    }
    case N_IN: {
        const av_t *a = operand(n->kids[0], ev, &s0, b0);
        if (!a) return 0;
        for (uint32_t i = 1; i < n->nkids; i++) {
            const av_t *b = operand(n->kids[i], ev, &s1, b1);
            if (b && av_equal(a, b)) return 1;
        }
        return 0;
    }
    case N_CALL: {
        const av_t *a = operand(n->kids[0], ev, &s0, b0);
        switch (n->fn) {
        case F_ATTRIBUTE_EXISTS:
            return a != NULL;
        case F_ATTRIBUTE_NOT_EXISTS:
            return a == NULL;
        case F_ATTRIBUTE_TYPE: {
            const av_t *t = operand(n->kids[1], ev, &s1, b1);
            if (!a || !t || t->type != AV_S) return 0;
            const char *name = av_type_name(a->type);
            return strlen(name) == t->s.len && memcmp(name, t->s.ptr, t->s.len) == 0;
        }
        case F_BEGINS_WITH: {
            const av_t *b = operand(n->kids[1], ev, &s1, b1);
            if (!a || !b || a->type != b->type || (a->type != AV_S && a->type != AV_B)) return 0;
            return a->s.len >= b->s.len && (b->s.len == 0 || memcmp(a->s.ptr, b->s.ptr, b->s.len) == 0);
        }
        case F_CONTAINS: {
            const av_t *b = operand(n->kids[1], ev, &s1, b1);
            return a && b && contains(a, b);
        }
        default:
            return 0;
        }
    }
    default:
        return 0;
    }
}

/* Looking each of many paths up in a big item by scanning would cost paths x members; past
 * these sizes the item's names are indexed first (in a scratch arena freed before returning). */
#define EVAL_INDEX_PATHS 8
#define EVAL_INDEX_MEMBERS 16

bool expr_condition_eval(const expr_cond_t *cond, const av_map_t *item)
{
    if (!cond->root) return true;
    ev_t ev = {item, NULL};
    arena_t *scratch = NULL;
    if (item && item->n > EVAL_INDEX_MEMBERS && cond->npaths > EVAL_INDEX_PATHS) {
        scratch = arena_new(0);
        ev.mx = expr__maps_new(scratch);
    }
    int r = eval(cond->root, &ev);
    if (scratch) arena_free(scratch);
    return r != 0;
}
