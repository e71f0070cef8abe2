/*
 * resolve: everything between the grammar and evaluation. Owns the substitution context
 * (ExpressionAttributeNames / ExpressionAttributeValues and which of them are used), the
 * reserved words, and the checks DynamoDB makes on a parsed expression, in its order:
 *
 *   pass 1, in the order written: reserved words, list index range, function names, where each
 *          function may be used, operand counts (conditions);
 *   update only: each of SET/REMOVE/ADD/DELETE once, #names of the written paths, overlapping
 *          and conflicting paths; then pass 2 runs over the actions from the last to the first;
 *   pass 2: #names, :values, operand counts (updates), document paths, operand types of
 *          :values, distinct operands, BETWEEN bounds, IN operand count, ADD/DELETE operands;
 *   projection: overlapping paths last.
 * Each pass stops at the first problem. Pass 2 also fills in the tree (resolved names, value
 * pointers, list indexes), so eval/update never look at the context.
 *
 * Entry points: expr_ctx_*, expr_condition_parse, expr_update_parse, expr_projection_parse,
 * expr__is_reserved, expr__fail, expr__path_text, expr__check_overlaps.
 */
#include "expr/expr_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/strset.h"

typedef struct {
    ddb_str_t key, name;
    int used;
} name_ent_t;

typedef struct {
    ddb_str_t key;
    const av_t *val;
    int used;
} value_ent_t;

struct expr_ctx {
    arena_t *a;
    ddb_errctx_t *err;
    size_t nnames, nvalues;
    name_ent_t *names;
    value_ent_t *values;
    strset_t name_ix, value_ix; /* key -> index in names / values */
};

/* ---- small helpers ---------------------------------------------------------------------- */

const char *expr__label(expr_kind_t kind)
{
    switch (kind) {
    case EXPR_CONDITION:
        return "ConditionExpression";
    case EXPR_FILTER:
        return "FilterExpression";
    case EXPR_KEY_CONDITION:
        return "KeyConditionExpression";
    case EXPR_UPDATE:
        return "UpdateExpression";
    case EXPR_PROJECTION:
        return "ProjectionExpression";
    }
    return "Expression";
}

ddb_err_t expr__fail(ddb_errctx_t *err, const char *label, const char *fmt, ...)
{
    if (err->code != DDB_OK) return err->code;
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(err->a, fmt, ap);
    va_end(ap);
    return err_set(err, DDB_ERR_VALIDATION, "Invalid %s: %s", label, msg);
}

const char *expr__type_name(const av_t *v)
{
    return av_type_name(v->type);
}

static const char *const reserved[] = {
#define W(s) s,
#include "expr/reserved.def"
#undef W
};

int expr__is_reserved(const char *s, size_t n)
{
    if (n == 0 || n > 16) return 0; /* the longest reserved word has 14 letters */
    char up[17];
    for (size_t i = 0; i < n; i++) up[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    up[n] = 0;
    size_t lo = 0, hi = sizeof reserved / sizeof reserved[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(reserved[mid], up);
        if (c == 0) return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int str_same(ddb_str_t a, ddb_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* ---- the context ------------------------------------------------------------------------ */

expr_ctx_t *expr_ctx_new(arena_t *a, ddb_errctx_t *err)
{
    expr_ctx_t *c = ARENA_NEW(a, expr_ctx_t);
    c->a = a;
    c->err = err;
    return c;
}

static int key_ok(ddb_str_t k, char lead)
{
    if (k.len < 2 || k.ptr[0] != lead) return 0;
    for (size_t i = 1; i < k.len; i++) {
        char ch = k.ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
            return 0;
    }
    return 1;
}

ddb_err_t expr_ctx_set_names(expr_ctx_t *c, size_t n, const ddb_str_t *keys, const ddb_str_t *names)
{
    if (n == 0) return err_set(c->err, DDB_ERR_VALIDATION, "ExpressionAttributeNames must not be empty");
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len > 255)
            return err_set(
                c->err, DDB_ERR_VALIDATION,
                "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
                "key that is too long; size of key: %zu",
                keys[i].len);
        if (!key_ok(keys[i], '#'))
            return err_set(c->err, DDB_ERR_VALIDATION,
                           "ExpressionAttributeNames contains invalid key: Syntax error; key: \"%.*s\"",
                           (int)keys[i].len, keys[i].ptr);
        if (names[i].len == 0)
            return err_set(
                c->err, DDB_ERR_VALIDATION,
                "ExpressionAttributeNames contains invalid value: Empty attribute name for key %.*s",
                (int)keys[i].len, keys[i].ptr);
        if (names[i].len > DDB_ATTR_NAME_MAX) /* the item's rule, worded as the empty name's */
            return err_set(
                c->err, DDB_ERR_VALIDATION,
                "ExpressionAttributeNames contains invalid value: Attribute name is too large, must be "
                "less than 65536 bytes for key %.*s",
                (int)keys[i].len, keys[i].ptr);
    }
    /* A key given twice (raw JSON can do that): the last one wins, as in the Java map DynamoDB
     * reads the member into. */
    c->names = ARENA_NEWN(c->a, name_ent_t, n);
    c->nnames = 0;
    strset_init(&c->name_ix, c->a, n);
    for (size_t i = 0; i < n; i++) {
        bool added;
        size_t *at = strset_add(&c->name_ix, keys[i].ptr, keys[i].len, c->nnames, &added);
        if (added) c->names[c->nnames++].key = keys[i];
        c->names[*at].name = names[i];
    }
    return DDB_OK;
}

ddb_err_t expr_ctx_check_value_keys(expr_ctx_t *c, size_t n, const ddb_str_t *keys)
{
    if (n == 0) return err_set(c->err, DDB_ERR_VALIDATION, "ExpressionAttributeValues must not be empty");
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len > 255)
            return err_set(
                c->err, DDB_ERR_VALIDATION,
                "ExpressionAttributeValues contains invalid key: The expression attribute map contains a "
                "key that is too long;");
        if (!key_ok(keys[i], ':'))
            return err_set(c->err, DDB_ERR_VALIDATION,
                           "ExpressionAttributeValues contains invalid key: Syntax error; key: \"%.*s\"",
                           (int)keys[i].len, keys[i].ptr);
    }
    return DDB_OK;
}

ddb_err_t expr_ctx_set_values(expr_ctx_t *c, size_t n, const ddb_str_t *keys, const av_t *values)
{
    ddb_err_t rc = expr_ctx_check_value_keys(c, n, keys);
    if (rc) return rc;
    c->values = ARENA_NEWN(c->a, value_ent_t, n);
    c->nvalues = 0;
    strset_init(&c->value_ix, c->a, n);
    for (size_t i = 0; i < n; i++) { /* a repeated key: the last one wins */
        bool added;
        size_t *at = strset_add(&c->value_ix, keys[i].ptr, keys[i].len, c->nvalues, &added);
        if (added) c->values[c->nvalues++].key = keys[i];
        c->values[*at].val = &values[i];
    }
    return DDB_OK;
}

ddb_errctx_t *expr__ctx_err(expr_ctx_t *c)
{
    return c->err;
}

static name_ent_t *find_name(expr_ctx_t *c, ddb_str_t key)
{
    size_t *at = strset_find(&c->name_ix, key.ptr, key.len);
    return at ? &c->names[*at] : NULL;
}

static value_ent_t *find_value(expr_ctx_t *c, ddb_str_t key)
{
    size_t *at = strset_find(&c->value_ix, key.ptr, key.len);
    return at ? &c->values[*at] : NULL;
}

/*
 * DynamoDB lists unused keys in the iteration order of a Java HashSet built from the map's
 * keys: buckets by (h ^ h >>> 16) & (capacity - 1) where h is String.hashCode, capacity the
 * power of two >= max(size / 0.75 + 1, 16); within a bucket, insertion order.
 */
typedef struct {
    uint32_t slot;
    size_t idx;
    ddb_str_t key;
} slot_t;

static int cmp_slot(const void *x, const void *y)
{
    const slot_t *a = x, *b = y;
    if (a->slot != b->slot) return a->slot < b->slot ? -1 : 1;
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static const char *java_set_text(arena_t *a, size_t n, slot_t *s, size_t total)
{
    size_t want = (size_t)((double)total / 0.75) + 1, cap = 1;
    if (want < 16) want = 16;
    while (cap < want) cap *= 2;
    for (size_t i = 0; i < n; i++) {
        int32_t h = 0;
        for (size_t k = 0; k < s[i].key.len; k++)
            h = (int32_t)((uint32_t)h * 31u + (unsigned char)s[i].key.ptr[k]);
        uint32_t u = (uint32_t)h;
        s[i].slot = (u ^ (u >> 16)) & (uint32_t)(cap - 1);
    }
    qsort(s, n, sizeof *s, cmp_slot);
    buf_t b;
    buf_init(&b, a, 64);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(&b, ", ");
        buf_put(&b, s[i].key.ptr, s[i].key.len);
    }
    return b.data;
}

ddb_err_t expr_ctx_check_unused(expr_ctx_t *c)
{
    slot_t *s = ARENA_NEWN(c->a, slot_t, (c->nnames > c->nvalues ? c->nnames : c->nvalues) + 1);
    size_t n = 0;
    for (size_t i = 0; i < c->nnames; i++)
        if (!c->names[i].used) s[n++] = (slot_t){0, i, c->names[i].key};
    if (n)
        return err_set(c->err, DDB_ERR_VALIDATION,
                       "Value provided in ExpressionAttributeNames unused in expressions: keys: {%s}",
                       java_set_text(c->a, n, s, c->nnames));
    for (size_t i = 0; i < c->nvalues; i++)
        if (!c->values[i].used) s[n++] = (slot_t){0, i, c->values[i].key};
    if (n)
        return err_set(c->err, DDB_ERR_VALIDATION,
                       "Value provided in ExpressionAttributeValues unused in expressions: keys: {%s}",
                       java_set_text(c->a, n, s, c->nvalues));
    return DDB_OK;
}

/* ---- paths in messages and overlap checks ------------------------------------------------ */

const char *expr__path_text(arena_t *a, const path_t *p)
{
    buf_t b;
    buf_init(&b, a, 64);
    buf_putc(&b, '[');
    for (uint32_t i = 0; i < p->n; i++) {
        if (i) buf_puts(&b, ", ");
        const pathel_t *e = &p->el[i];
        if (e->kind == PE_INDEX) {
            buf_putc(&b, '[');
            buf_put(&b, e->text.ptr, e->text.len);
            buf_putc(&b, ']');
        } else {
            buf_put(&b, e->name.ptr, e->name.len);
        }
    }
    buf_putc(&b, ']');
    return b.data;
}

static int el_same(const pathel_t *x, const pathel_t *y)
{
    int xi = x->kind == PE_INDEX, yi = y->kind == PE_INDEX;
    if (xi != yi) return 0;
    return xi ? x->index == y->index : str_same(x->name, y->name);
}

/*
 * Overlaps: DynamoDB puts the paths in a tree and reports the first clash it meets walking it,
 * newest branch first ("path one" is the earlier of the two paths). Two paths overlap when one
 * is the other or inside it; they conflict when one uses an attribute as a map and the other
 * as a list.
 */
typedef struct trie trie_t;
struct trie {
    const pathel_t *key;
    size_t born; /* first path through this node */
    trie_t **kids;
    size_t nkids, capkids;
    size_t *ends;
    size_t nends, capends;
};

typedef struct {
    size_t i;
    trie_t *kid; /* NULL: a path ending here */
} entry_t;

typedef struct {
    arena_t *a;
    ddb_errctx_t *err;
    const char *label;
    node_t *const *paths;
} ovl_t;

static int cmp_entry(const void *x, const void *y)
{
    const entry_t *a = x, *b = y;
    if (a->i != b->i) return a->i > b->i ? -1 : 1;
    return (a->kid != NULL) - (b->kid != NULL);
}

static entry_t *entries(arena_t *a, const trie_t *t, size_t *n)
{
    *n = t->nkids + t->nends;
    entry_t *e = ARENA_NEWN(a, entry_t, *n + 1);
    size_t k = 0;
    for (size_t i = 0; i < t->nkids; i++) e[k++] = (entry_t){t->kids[i]->born, t->kids[i]};
    for (size_t i = 0; i < t->nends; i++) e[k++] = (entry_t){t->ends[i], NULL};
    qsort(e, *n, sizeof *e, cmp_entry);
    return e;
}

static size_t end_in(arena_t *a, const trie_t *t)
{
    for (;;) {
        size_t n;
        entry_t *e = entries(a, t, &n);
        if (!e[0].kid) return e[0].i;
        t = e[0].kid;
    }
}

static ddb_err_t clash(ovl_t *o, const char *what, size_t x, size_t y)
{
    size_t a = x < y ? x : y, b = x < y ? y : x;
    return expr__fail(
        o->err, o->label,
        "Two document paths %s with each other; must remove or rewrite one of these paths; path one: "
        "%s, path two: %s",
        what, expr__path_text(o->a, &o->paths[a]->path), expr__path_text(o->a, &o->paths[b]->path));
}

/*
 * Each entry is compared with every other one, newest first; the first pair that is not two
 * branches of the same kind (map member or list element) clashes. Only the first entry's
 * comparisons can find a clash: if it passes, every other entry is a branch of its kind, so
 * they pass too. So the loop below compares the first entry with the rest (after visiting its
 * branch, as the full pairwise walk did) and then only visits the other branches: linear.
 */
static ddb_err_t visit_trie(ovl_t *o, const trie_t *t)
{
    size_t n;
    entry_t *list = entries(o->a, t, &n);
    for (size_t i = 0; i < n; i++) {
        entry_t *e = &list[i];
        ddb_err_t rc;
        if (e->kid && (rc = visit_trie(o, e->kid))) return rc;
        if (i) continue;
        for (size_t j = 1; j < n; j++) {
            entry_t *x = &list[j];
            if (!e->kid || !x->kid)
                return clash(o, "overlap", e->kid ? end_in(o->a, e->kid) : e->i,
                             x->kid ? end_in(o->a, x->kid) : x->i);
            if ((x->kid->key->kind == PE_INDEX) != (e->kid->key->kind == PE_INDEX))
                return clash(o, "conflict", end_in(o->a, x->kid), end_in(o->a, e->kid));
        }
    }
    return DDB_OK;
}

ddb_err_t expr__check_overlaps(arena_t *a, ddb_errctx_t *err, const char *label, size_t n,
                               node_t *const *paths)
{
    if (n < 2) return DDB_OK;
    trie_t *root = ARENA_NEW(a, trie_t);
    strset_t kids; /* (parent node, element) -> child node */
    strset_init(&kids, a, n);
    for (size_t i = 0; i < n; i++) {
        trie_t *t = root;
        const path_t *p = &paths[i]->path;
        for (uint32_t k = 0; k < p->n; k++) {
            size_t klen;
            const char *key = expr__el_key(a, t, &p->el[k], &klen);
            bool added;
            size_t *at = strset_add(&kids, key, klen, 0, &added); /* one hash for find-or-add */
            trie_t *next = added ? NULL : (trie_t *)(uintptr_t)*at;
            if (!next) {
                next = ARENA_NEW(a, trie_t);
                next->key = &p->el[k];
                next->born = i;
                if (t->nkids == t->capkids) {
                    size_t cap = t->capkids ? t->capkids * 2 : 4;
                    trie_t **nk = ARENA_NEWN(a, trie_t *, cap);
                    if (t->nkids) memcpy(nk, t->kids, t->nkids * sizeof *nk);
                    t->kids = nk;
                    t->capkids = cap;
                }
                t->kids[t->nkids++] = next;
                *at = (size_t)(uintptr_t)next; /* no strset_add since: the slot is still valid */
            }
            t = next;
        }
        if (t->nends == t->capends) {
            size_t cap = t->capends ? t->capends * 2 : 2;
            size_t *ne = ARENA_NEWN(a, size_t, cap);
            if (t->nends) memcpy(ne, t->ends, t->nends * sizeof *ne);
            t->ends = ne;
            t->capends = cap;
        }
        t->ends[t->nends++] = i;
    }
    ovl_t o = {a, err, label, paths};
    return visit_trie(&o, root);
}

/* ---- the passes ------------------------------------------------------------------------- */

typedef struct {
    expr_ctx_t *c;
    const char *label;
    int update; /* an UpdateExpression: other functions, arity checked in pass 2 */
} rs_t;

static ddb_err_t bad(rs_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static ddb_err_t bad(rs_t *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(r->c->a, fmt, ap);
    va_end(ap);
    return expr__fail(r->c->err, r->label, "%s", msg);
}

static const struct {
    const char *name;
    uint8_t fn, arity;
} functions[] = {
    {"attribute_exists", F_ATTRIBUTE_EXISTS, 1},
    {"attribute_not_exists", F_ATTRIBUTE_NOT_EXISTS, 1},
    {"attribute_type", F_ATTRIBUTE_TYPE, 2},
    {"begins_with", F_BEGINS_WITH, 2},
    {"contains", F_CONTAINS, 2},
    {"size", F_SIZE, 1},
    {"if_not_exists", F_IF_NOT_EXISTS, 2},
    {"list_append", F_LIST_APPEND, 2},
};

static int fn_arity(int fn)
{
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if (functions[i].fn == fn) return functions[i].arity;
    return 0;
}

static int is_update_fn(int fn)
{
    return fn == F_IF_NOT_EXISTS || fn == F_LIST_APPEND;
}

static int is_cond_fn(int fn)
{
    return fn >= F_ATTRIBUTE_EXISTS && fn <= F_CONTAINS;
}

static ddb_err_t check_arity(rs_t *r, const node_t *n)
{
    if ((int)n->nkids != fn_arity(n->fn))
        return bad(
            r,
            "Incorrect number of operands for operator or function; operator or function: %.*s, number of "
            "operands: %u",
            (int)n->text.len, n->text.ptr, n->nkids);
    return DDB_OK;
}

enum { PLACE_COND, PLACE_OPERAND };

static ddb_err_t pass1(rs_t *r, node_t *n, int place)
{
    ddb_err_t rc;
    switch (n->kind) {
    case N_PATH:
        for (uint32_t i = 0; i < n->path.n; i++) {
            pathel_t *e = &n->path.el[i];
            if (e->kind == PE_INDEX) {
                unsigned long long v = 0;
                int over = e->text.len > 10;
                for (size_t k = 0; k < e->text.len && !over; k++)
                    v = v * 10 + (unsigned)(e->text.ptr[k] - '0');
                if (over || v > 2147483647ULL)
                    return bad(r, "List index is not within the allowable range; index: [%.*s]",
                               (int)e->text.len, e->text.ptr);
                e->index = (uint32_t)v;
            } else if (e->kind == PE_NAME && expr__is_reserved(e->text.ptr, e->text.len)) {
                return bad(r, "Attribute name is a reserved keyword; reserved keyword: %.*s",
                           (int)e->text.len, e->text.ptr);
            }
        }
        return DDB_OK;
    case N_CALL: {
        n->fn = F_UNKNOWN;
        for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
            if (strlen(functions[i].name) == n->text.len &&
                !memcmp(functions[i].name, n->text.ptr, n->text.len))
                n->fn = functions[i].fn;
        if (n->fn == F_UNKNOWN)
            return bad(r, "Invalid function name; function: %.*s", (int)n->text.len, n->text.ptr);
        if (r->update) {
            if (!is_update_fn(n->fn))
                return bad(r, "The function is not allowed in an update expression; function: %.*s",
                           (int)n->text.len, n->text.ptr);
            /* AWS parses list_append(list_append(..), ..) but refuses it (scylla's AWS-run tests) */
            if (n->fn == F_LIST_APPEND)
                for (uint32_t i = 0; i < n->nkids; i++)
                    if (n->kids[i]->kind == N_CALL && n->kids[i]->text.len == 11 &&
                        !memcmp(n->kids[i]->text.ptr, "list_append", 11))
                        return bad(
                            r, "The function is not allowed to be used this way in an expression; function: "
                               "list_append");
        } else {
            if (is_update_fn(n->fn))
                return bad(r, "The function is not allowed in a condition expression; function: %.*s",
                           (int)n->text.len, n->text.ptr);
            if ((place == PLACE_COND) != is_cond_fn(n->fn))
                return bad(r,
                           "The function is not allowed to be used this way in an expression; function: %.*s",
                           (int)n->text.len, n->text.ptr);
            if ((rc = check_arity(r, n))) return rc;
        }
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = pass1(r, n->kids[i], PLACE_OPERAND))) return rc;
        return DDB_OK;
    }
    case N_OR:
    case N_AND:
    case N_NOT:
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = pass1(r, n->kids[i], PLACE_COND))) return rc;
        return DDB_OK;
    default:
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = pass1(r, n->kids[i], PLACE_OPERAND))) return rc;
        return DDB_OK;
    }
}

/* #names of a path (pass 2 and the update's early name check). */
static ddb_err_t path_names(rs_t *r, node_t *n, int mark)
{
    for (uint32_t i = 0; i < n->path.n; i++) {
        pathel_t *e = &n->path.el[i];
        if (e->kind == PE_NAME) {
            e->name = e->text;
        } else if (e->kind == PE_HNAME) {
            name_ent_t *ne = find_name(r->c, e->text);
            if (!ne)
                return bad(r,
                           "An expression attribute name used in the document path is not defined; attribute "
                           "name: %.*s",
                           (int)e->text.len, e->text.ptr);
            if (mark) ne->used = 1;
            e->name = ne->name;
        }
    }
    return DDB_OK;
}

static ddb_err_t names_only(rs_t *r, node_t *n)
{
    if (n->kind == N_PATH) return path_names(r, n, 0);
    for (uint32_t i = 0; i < n->nkids; i++) {
        ddb_err_t rc = names_only(r, n->kids[i]);
        if (rc) return rc;
    }
    return DDB_OK;
}

/* The type of an operand known before any item is read: a :value's, or N for size(). */
static const char *static_type(const node_t *n)
{
    if (n->kind == N_VALUE) return n->val ? expr__type_name(n->val) : NULL;
    if (n->kind == N_CALL && n->fn == F_SIZE) return "N";
    return NULL;
}

static int paths_same(const node_t *a, const node_t *b)
{
    if (a->kind != N_PATH || b->kind != N_PATH || a->path.n != b->path.n) return 0;
    for (uint32_t i = 0; i < a->path.n; i++)
        if (!el_same(&a->path.el[i], &b->path.el[i])) return 0;
    return 1;
}

static ddb_err_t distinct(rs_t *r, const char *op, int oplen, const node_t *first, node_t *const *rest,
                          uint32_t nrest)
{
    if (first->kind != N_PATH) return DDB_OK;
    for (uint32_t i = 0; i < nrest; i++)
        if (paths_same(first, rest[i]))
            return bad(r,
                       "The first operand must be distinct from the remaining operands for this operator or "
                       "function; operator: %.*s, first operand: %s",
                       oplen, op, expr__path_text(r->c->a, &first->path));
    return DDB_OK;
}

static ddb_err_t type_problem(rs_t *r, const char *op, int oplen, const char *type)
{
    return bad(
        r, "Incorrect operand type for operator or function; operator or function: %.*s, operand type: %s",
        oplen, op, type);
}

static int is_sortable(const char *t)
{
    return !strcmp(t, "S") || !strcmp(t, "N") || !strcmp(t, "B");
}

/* A BETWEEN bound as DynamoDB prints it. */
static const char *bound_text(arena_t *a, const av_t *v)
{
    if (v->type == AV_B)
        return arena_sprintf(a, "AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=%zu cap=%zu]}",
                             v->s.len, v->s.len);
    if (v->type == AV_S || v->type == AV_N)
        return arena_sprintf(a, "AttributeValue: {%s:%.*s}", expr__type_name(v), (int)v->s.len, v->s.ptr);
    return arena_sprintf(a, "AttributeValue: {%s}", expr__type_name(v));
}

static const char *const ANY_TYPE =
    "{SS,M,DECIMAL,DOUBLESET,HDS,N,B,DICT,INTSET,BOOL,HD,BS,INT,DECIMALSET,NULL,"
    "FLOAT,FS,S,L,NS,DOUBLE}";

const char *expr__op_text(int op)
{
    switch (op) {
    case T_EQ:
        return "=";
    case T_NE:
        return "<>";
    case T_LT:
        return "<";
    case T_LE:
        return "<=";
    case T_GT:
        return ">";
    case T_GE:
        return ">=";
    case T_PLUS:
        return "+";
    case T_MINUS:
        return "-";
    }
    return NULL;
}

static const char *op_text(int op)
{
    const char *t = expr__op_text(op);
    return t ? t : "?";
}

static ddb_err_t pass2(rs_t *r, node_t *n)
{
    ddb_err_t rc;
    switch (n->kind) {
    case N_PATH:
        if ((rc = path_names(r, n, 1))) return rc;
        if (n->path.n > EXPR_MAX_PATH_DEPTH)
            return bad(r, "The document path has too many nesting levels; nesting levels: %u", n->path.n);
        return DDB_OK;
    case N_VALUE: {
        if (n->val) return DDB_OK; /* built by legacy.c */
        value_ent_t *ve = find_value(r->c, n->text);
        if (!ve)
            return bad(
                r, "An expression attribute value used in expression is not defined; attribute value: %.*s",
                (int)n->text.len, n->text.ptr);
        ve->used = 1;
        n->val = ve->val;
        return DDB_OK;
    }
    case N_OR:
    case N_AND:
    case N_NOT:
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = pass2(r, n->kids[i]))) return rc;
        return DDB_OK;
    case N_CMP: {
        for (uint32_t i = 0; i < 2; i++)
            if ((rc = pass2(r, n->kids[i]))) return rc;
        const char *op = op_text(n->op);
        if ((rc = distinct(r, op, (int)strlen(op), n->kids[0], &n->kids[1], 1))) return rc;
        if (n->op != T_EQ && n->op != T_NE) {
            for (uint32_t i = 0; i < 2; i++) {
                const char *t = static_type(n->kids[i]);
                if (t && !is_sortable(t)) return type_problem(r, op, (int)strlen(op), t);
            }
        }
        return DDB_OK;
    }
    case N_BETWEEN: {
        for (uint32_t i = 0; i < 3; i++)
            if ((rc = pass2(r, n->kids[i]))) return rc;
        if ((rc = distinct(r, "BETWEEN", 7, n->kids[0], &n->kids[1], 2))) return rc;
        for (uint32_t i = 0; i < 3; i++) {
            const char *t = static_type(n->kids[i]);
            if (t && !is_sortable(t)) return type_problem(r, "BETWEEN", 7, t);
        }
        const node_t *lo = n->kids[1], *hi = n->kids[2];
        if (lo->kind == N_VALUE && hi->kind == N_VALUE) {
            if (lo->val->type != hi->val->type)
                return bad(
                    r,
                    "The BETWEEN operator requires same data type for lower and upper bounds; lower bound "
                    "operand: %s, upper bound operand: %s",
                    bound_text(r->c->a, lo->val), bound_text(r->c->a, hi->val));
            if (av_scalar_cmp(lo->val, hi->val) > 0)
                return bad(
                    r,
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                    "lower bound operand: %s, upper bound operand: %s",
                    bound_text(r->c->a, lo->val), bound_text(r->c->a, hi->val));
        }
        return DDB_OK;
    }
    case N_IN:
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = pass2(r, n->kids[i]))) return rc;
        if (n->nkids - 1 > EXPR_MAX_IN)
            return bad(r, "The IN operator is provided with too many operands; number of operands: %u",
                       n->nkids - 1);
        return distinct(r, "IN", 2, n->kids[0], &n->kids[1], n->nkids - 1);
    case N_ARITH: {
        for (uint32_t i = 0; i < 2; i++)
            if ((rc = pass2(r, n->kids[i]))) return rc;
        const char *op = op_text(n->op);
        for (uint32_t i = 0; i < 2; i++) {
            const char *t = static_type(n->kids[i]);
            if (t && strcmp(t, "N")) return type_problem(r, op, 1, t);
        }
        return DDB_OK;
    }
    case N_CALL: {
        for (uint32_t i = 0; i < n->nkids; i++)
            if ((rc = pass2(r, n->kids[i]))) return rc;
        if (r->update && (rc = check_arity(r, n))) return rc;
        const char *name = n->text.ptr;
        int nlen = (int)n->text.len;
        node_t *first = n->kids[0];
        int fn = n->fn;
        /* attribute_type also takes a value first (AWS accepts attribute_type(:v, :t): the value's type) */
        if ((fn == F_ATTRIBUTE_EXISTS || fn == F_ATTRIBUTE_NOT_EXISTS || fn == F_IF_NOT_EXISTS ||
             (fn == F_ATTRIBUTE_TYPE && first->kind != N_VALUE)) &&
            first->kind != N_PATH)
            return bad(r, "Operator or function requires a document path; operator or function: %.*s", nlen,
                       name);
        if (fn != F_SIZE && fn != F_LIST_APPEND &&
            (rc = distinct(r, name, nlen, first, &n->kids[1], n->nkids - 1)))
            return rc;
        if (fn == F_SIZE) {
            const char *t = static_type(first);
            if (t && (!strcmp(t, "N") || !strcmp(t, "BOOL") || !strcmp(t, "NULL")))
                return type_problem(r, name, nlen, t);
        } else if (fn == F_BEGINS_WITH) {
            for (uint32_t i = 0; i < n->nkids; i++) {
                const char *t = static_type(n->kids[i]);
                if (t && strcmp(t, "S") && strcmp(t, "B")) return type_problem(r, name, nlen, t);
            }
        } else if (fn == F_ATTRIBUTE_TYPE) {
            node_t *second = n->kids[1];
            if (second->kind != N_VALUE)
                return type_problem(r, name, nlen,
                                    second->kind == N_CALL && second->fn == F_SIZE ? "N" : ANY_TYPE);
            const av_t *v = second->val;
            if (v->type != AV_S) return type_problem(r, name, nlen, expr__type_name(v));
            if (av_type_from_name(v->s.ptr, v->s.len) == AV_NONE)
                return bad(r,
                           "Invalid attribute type name found; type: %.*s, valid types: "
                           "{N,BS,L,B,NULL,M,S,SS,NS,BOOL}",
                           (int)v->s.len, v->s.ptr);
        } else if (fn == F_LIST_APPEND) {
            for (uint32_t i = 0; i < n->nkids; i++) {
                const char *t = static_type(n->kids[i]);
                if (t && strcmp(t, "L")) return type_problem(r, name, nlen, t);
            }
        }
        return DDB_OK;
    }
    }
    return DDB_OK;
}

/* ---- entry points ----------------------------------------------------------------------- */

static ddb_err_t precheck(expr_ctx_t *c, const char *label, size_t len)
{
    if (len == 0) return expr__fail(c->err, label, "The expression can not be empty;");
    if (len > EXPR_MAX_SIZE)
        return expr__fail(c->err, label,
                          "Expression size has exceeded the maximum allowed size; expression size: %zu", len);
    return DDB_OK;
}

ddb_err_t expr_condition_parse(expr_ctx_t *c, expr_kind_t kind, const char *text, size_t len,
                               expr_cond_t **out)
{
    const char *label = expr__label(kind);
    ddb_err_t rc = precheck(c, label, len);
    if (rc) return rc;
    pstate_t ps = {c->a, c->err, label, {0}};
    expr__lex(c->a, text, len, &ps.lx);
    node_t *root;
    if ((rc = expr__parse_condition(&ps, &root))) return rc;
    rs_t r = {c, label, 0};
    if ((rc = pass1(&r, root, PLACE_COND))) return rc;
    if ((rc = pass2(&r, root))) return rc;
    expr_cond_t *cond = ARENA_NEW(c->a, expr_cond_t);
    cond->root = root;
    cond->npaths = expr__count_paths(root);
    *out = cond;
    return DDB_OK;
}

static int kind_of_clause(const expr_update_t *u, uint16_t clause)
{
    for (size_t i = 0; i < u->n; i++)
        if (u->act[i].clause == clause) return u->act[i].kind;
    return -1;
}

static const char *section_name(int kind)
{
    return kind == UA_SET ? "SET" : kind == UA_REMOVE ? "REMOVE" : kind == UA_ADD ? "ADD" : "DELETE";
}

static const char *long_type(const av_t *v)
{
    switch (v->type) {
    case AV_S:
        return "STRING";
    case AV_N:
        return "NUMBER";
    case AV_B:
        return "BINARY";
    case AV_BOOL:
        return "BOOLEAN";
    case AV_NULL:
        return "NULL";
    case AV_L:
        return "LIST";
    case AV_M:
        return "MAP";
    case AV_SS:
        return "STRING_SET";
    case AV_NS:
        return "NUMBER_SET";
    case AV_BS:
        return "BINARY_SET";
    default:
        return "";
    }
}

ddb_err_t expr_update_parse(expr_ctx_t *c, const char *text, size_t len, expr_update_t **out)
{
    const char *label = expr__label(EXPR_UPDATE);
    ddb_err_t rc = precheck(c, label, len);
    if (rc) return rc;
    pstate_t ps = {c->a, c->err, label, {0}};
    expr__lex(c->a, text, len, &ps.lx);
    expr_update_t *u;
    if ((rc = expr__parse_update(&ps, &u))) return rc;
    rs_t r = {c, label, 1};

    /* Sections in the order they first appear; each may be used once. */
    int seen[4] = {0, 0, 0, 0}, order[4], norder = 0;
    for (uint16_t cl = 0; cl < u->nclauses; cl++) {
        int k = kind_of_clause(u, cl);
        if (k >= 0 && !seen[k]++) order[norder++] = k;
    }
    for (int s = 0; s < norder; s++) {
        int k = order[s], clauses = 0;
        uint16_t second = 0;
        for (uint16_t cl = 0; cl < u->nclauses; cl++) {
            if (kind_of_clause(u, cl) != k) continue;
            if (clauses++ == 1) second = cl;
            for (size_t i = 0; i < u->n; i++) {
                if (u->act[i].clause != cl) continue;
                if ((rc = pass1(&r, u->act[i].path, PLACE_OPERAND))) return rc;
                if (u->act[i].value && (rc = pass1(&r, u->act[i].value, PLACE_OPERAND))) return rc;
            }
        }
        (void)second;
        if (clauses > 1)
            return bad(&r, "The \"%s\" section can only be used once in an update expression;",
                       section_name(k));
    }

    /* The written paths' #names, then overlaps, before any value is looked at. */
    node_t **paths = ARENA_NEWN(c->a, node_t *, u->n + 1);
    for (size_t i = 0; i < u->n; i++) {
        if ((rc = path_names(&r, u->act[i].path, 0))) return rc;
        paths[i] = u->act[i].path;
    }
    if ((rc = expr__check_overlaps(c->a, c->err, label, u->n, paths))) return rc;

    /* Pass 2 from the last action back to the first: every #name, then values and types. */
    for (size_t i = u->n; i-- > 0;) {
        if ((rc = names_only(&r, u->act[i].path))) return rc;
        if (u->act[i].value && (rc = names_only(&r, u->act[i].value))) return rc;
    }
    for (size_t i = u->n; i-- > 0;) {
        uaction_t *a = &u->act[i];
        if ((rc = pass2(&r, a->path))) return rc;
        if (a->value && (rc = pass2(&r, a->value))) return rc;
        if (a->kind == UA_ADD || a->kind == UA_DELETE) {
            av_type_t t = a->value->val->type;
            int ok = t == AV_SS || t == AV_NS || t == AV_BS || (a->kind == UA_ADD && t == AV_N);
            if (!ok)
                return bad(&r,
                           "Incorrect operand type for operator or function; operator: %s, operand type: %s, "
                           "typeSet: ALLOWED_FOR_%s_OPERAND",
                           section_name(a->kind), long_type(a->value->val), section_name(a->kind));
        }
    }
    *out = u;
    return DDB_OK;
}

ddb_err_t expr_projection_parse(expr_ctx_t *c, const char *text, size_t len, expr_proj_t **out)
{
    const char *label = expr__label(EXPR_PROJECTION);
    ddb_err_t rc = precheck(c, label, len);
    if (rc) return rc;
    pstate_t ps = {c->a, c->err, label, {0}};
    expr__lex(c->a, text, len, &ps.lx);
    expr_proj_t *p;
    if ((rc = expr__parse_projection(&ps, &p))) return rc;
    rs_t r = {c, label, 0};
    for (size_t i = 0; i < p->n; i++)
        if ((rc = pass1(&r, p->paths[i], PLACE_OPERAND))) return rc;
    for (size_t i = 0; i < p->n; i++)
        if ((rc = pass2(&r, p->paths[i]))) return rc;
    if ((rc = expr__check_overlaps(c->a, c->err, label, p->n, p->paths))) return rc;
    expr__proj_prepare(c->a, p);
    *out = p;
    return DDB_OK;
}
