/*
 * legacy: the parameters that predate expressions, translated into the same trees so there is
 * one evaluator and one update applier.
 *
 * Entry points: expr_legacy_expected, expr_legacy_filter, expr_legacy_key_conditions,
 * expr_legacy_attribute_updates, expr_legacy_attributes_to_get, expr_cmpop_from_name,
 * expr_cmpop_name.
 *
 * Translations (attribute names are always top-level attributes here):
 *   EQ NE LE LT GE GT   -> a = v, a <> v, a <= v, ...       NULL -> attribute_not_exists(a)
 *   NOT_NULL            -> attribute_exists(a)                 BEGINS_WITH -> begins_with(a, v)
 *   CONTAINS            -> contains(a, v)                      IN -> a IN (v1, v2, ...)
 *   NOT_CONTAINS        -> attribute_exists(a) AND NOT contains(a, v)   (false when a is missing)
 *   BETWEEN             -> a BETWEEN v1 AND v2
 *   Expected {Value: v} -> a = v; {Exists: false} -> attribute_not_exists(a)
 *   conditions joined by AND, or OR with ConditionalOperator OR.
 *   AttributeUpdates PUT -> SET a = v; DELETE -> REMOVE a; DELETE with a set -> DELETE a v;
 *   ADD -> ADD a v (numbers, sets, and here also lists, which it appends).
 */
#include "expr/expr_int.h"

#include <string.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

static const char *const op_names[EXPR_CMP__COUNT] = {
    [EXPR_CMP_EQ] = "EQ",
    [EXPR_CMP_NE] = "NE",
    [EXPR_CMP_LE] = "LE",
    [EXPR_CMP_LT] = "LT",
    [EXPR_CMP_GE] = "GE",
    [EXPR_CMP_GT] = "GT",
    [EXPR_CMP_NOT_NULL] = "NOT_NULL",
    [EXPR_CMP_NULL] = "NULL",
    [EXPR_CMP_CONTAINS] = "CONTAINS",
    [EXPR_CMP_NOT_CONTAINS] = "NOT_CONTAINS",
    [EXPR_CMP_BEGINS_WITH] = "BEGINS_WITH",
    [EXPR_CMP_IN] = "IN",
    [EXPR_CMP_BETWEEN] = "BETWEEN",
};

bool expr_cmpop_from_name(const char *s, size_t n, expr_cmpop_t *out)
{
    for (int i = 0; i < EXPR_CMP__COUNT; i++) {
        if (strlen(op_names[i]) == n && memcmp(op_names[i], s, n) == 0) {
            *out = (expr_cmpop_t)i;
            return true;
        }
    }
    return false;
}

const char *expr_cmpop_name(expr_cmpop_t op)
{
    return (unsigned)op < EXPR_CMP__COUNT ? op_names[op] : "";
}

/* ---- checks ----------------------------------------------------------------------------- */

static int arity_ok(expr_cmpop_t op, size_t n)
{
    switch (op) {
    case EXPR_CMP_NULL:
    case EXPR_CMP_NOT_NULL:
        return n == 0;
    case EXPR_CMP_IN:
        return n >= 1;
    case EXPR_CMP_BETWEEN:
        return n == 2;
    default:
        return n == 1;
    }
}

static int type_ok(expr_cmpop_t op, av_type_t t)
{
    int scalar = t == AV_S || t == AV_N || t == AV_B;
    switch (op) {
    case EXPR_CMP_EQ:
    case EXPR_CMP_NE:
        return 1; /* "EQ is supported for all data types, including lists and maps" (API reference) */
    case EXPR_CMP_BEGINS_WITH:
        return t == AV_S || t == AV_B;
    case EXPR_CMP_NULL:
    case EXPR_CMP_NOT_NULL:
        return 1;
    default:
        return scalar;
    }
}

/* The checks shared by every ComparisonOperator form, after the argument count. */
static ddb_err_t list_ok(ddb_errctx_t *err, expr_cmpop_t op, size_t n, const av_t *list)
{
    /* each value's type first, then whether they agree */
    for (size_t i = 0; i < n; i++)
        if (!type_ok(op, list[i].type))
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sComparisonOperator %s is not valid for %s AttributeValue type", INVALID,
                           op_names[op], av_type_name(list[i].type));
    for (size_t i = 1; i < n; i++)
        if (list[i].type != list[0].type)
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sAttributeValues inside AttributeValueList must be of same type", INVALID);
    if (op == EXPR_CMP_BETWEEN && av_scalar_cmp(&list[0], &list[1]) > 0)
        return err_set(
            err, DDB_ERR_VALIDATION,
            "The BETWEEN condition was provided a range where the lower bound is greater than the upper "
            "bound");
    return DDB_OK;
}

static ddb_err_t arity_err(ddb_errctx_t *err, expr_cmpop_t op)
{
    return err_set(err, DDB_ERR_VALIDATION, "%sInvalid number of argument(s) for the %s ComparisonOperator",
                   INVALID, op_names[op]);
}

/* ---- building trees --------------------------------------------------------------------- */

static node_t *call(arena_t *a, int fn, const char *name, node_t *x, node_t *y)
{
    node_t *n = expr__node(a, N_CALL, y ? 2 : 1);
    n->fn = (uint8_t)fn;
    n->text = (ddb_str_t){name, strlen(name)};
    n->kids[0] = x;
    if (y) n->kids[1] = y;
    return n;
}

static node_t *join(arena_t *a, int kind, node_t *x, node_t *y)
{
    if (!x) return y;
    node_t *n = expr__node(a, kind, 2);
    n->kids[0] = x;
    n->kids[1] = y;
    return n;
}

static node_t *comparison(arena_t *a, ddb_str_t attr, expr_cmpop_t op, size_t n, const av_t *list)
{
    node_t *path = expr__path_node(a, attr);
    static const uint8_t cmp_tok[] = {
        [EXPR_CMP_EQ] = T_EQ, [EXPR_CMP_NE] = T_NE, [EXPR_CMP_LE] = T_LE,
        [EXPR_CMP_LT] = T_LT, [EXPR_CMP_GE] = T_GE, [EXPR_CMP_GT] = T_GT,
    };
    switch (op) {
    case EXPR_CMP_EQ:
    case EXPR_CMP_NE:
    case EXPR_CMP_LE:
    case EXPR_CMP_LT:
    case EXPR_CMP_GE:
    case EXPR_CMP_GT: {
        node_t *c = expr__node(a, N_CMP, 2);
        c->op = cmp_tok[op];
        c->kids[0] = path;
        c->kids[1] = expr__value_node(a, &list[0]);
        return c;
    }
    case EXPR_CMP_NOT_NULL:
        return call(a, F_ATTRIBUTE_EXISTS, "attribute_exists", path, NULL);
    case EXPR_CMP_NULL:
        return call(a, F_ATTRIBUTE_NOT_EXISTS, "attribute_not_exists", path, NULL);
    case EXPR_CMP_CONTAINS:
        return call(a, F_CONTAINS, "contains", path, expr__value_node(a, &list[0]));
    case EXPR_CMP_NOT_CONTAINS: {
        node_t *not = expr__node(a, N_NOT, 1);
        not ->kids[0] = call(a, F_CONTAINS, "contains", path, expr__value_node(a, &list[0]));
        return join(a, N_AND, call(a, F_ATTRIBUTE_EXISTS, "attribute_exists", path, NULL), not );
    }
    case EXPR_CMP_BEGINS_WITH:
        return call(a, F_BEGINS_WITH, "begins_with", path, expr__value_node(a, &list[0]));
    case EXPR_CMP_IN: {
        node_t *in = expr__node(a, N_IN, (uint32_t)n + 1);
        in->kids[0] = path;
        for (size_t i = 0; i < n; i++) in->kids[i + 1] = expr__value_node(a, &list[i]);
        return in;
    }
    case EXPR_CMP_BETWEEN: {
        node_t *b = expr__node(a, N_BETWEEN, 3);
        b->kids[0] = path;
        b->kids[1] = expr__value_node(a, &list[0]);
        b->kids[2] = expr__value_node(a, &list[1]);
        return b;
    }
    default:
        return NULL;
    }
}

/* The conditions joined by one AND (or OR) node with a child each: a flat tree, so neither
 * evaluation nor the checks that walk it recurse once per condition (a 16 MB Expected holds
 * hundreds of thousands). */
static expr_cond_t *make_cond(arena_t *a, int kind, node_t **conds, size_t n)
{
    expr_cond_t *c = ARENA_NEW(a, expr_cond_t);
    c->npaths = n;
    if (n == 1) {
        c->root = conds[0];
    } else if (n > 1) {
        c->root = expr__node(a, kind, (uint32_t)n);
        memcpy(c->root->kids, conds, n * sizeof *conds);
    }
    return c;
}

/* ---- Expected --------------------------------------------------------------------------- */

static ddb_err_t expected_one(arena_t *a, ddb_errctx_t *err, const expr_expected_t *e, node_t **out)
{
    const char *attr = arena_memdup(a, e->attr.ptr, e->attr.len);
    if (e->value && e->has_list)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sValue and AttributeValueList cannot be used together for Attribute: %s", INVALID,
                       attr);
    if (e->has_op) {
        if (e->has_exists)
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sExists and ComparisonOperator cannot be used together for Attribute: %s",
                           INVALID, attr);
        if (e->op != EXPR_CMP_NULL && e->op != EXPR_CMP_NOT_NULL && !e->has_list && !e->value)
            return err_set(
                err, DDB_ERR_VALIDATION,
                "%sValue or AttributeValueList must be used with ComparisonOperator: %s for Attribute: %s",
                INVALID, op_names[e->op], attr);
        size_t n = e->has_list ? e->nlist : e->value ? 1 : 0;
        const av_t *list = e->has_list ? e->list : e->value;
        if (!arity_ok(e->op, n)) return arity_err(err, e->op);
        ddb_err_t rc = list_ok(err, e->op, n, list);
        if (rc) return rc;
        *out = comparison(a, e->attr, e->op, n, list);
        return DDB_OK;
    }
    if (e->has_list)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sAttributeValueList can only be used with a ComparisonOperator for Attribute: %s",
                       INVALID, attr);
    int exists = !e->has_exists || e->exists;
    if (exists && !e->value)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sValue must be provided when Exists is %s for Attribute: %s", INVALID,
                       e->has_exists ? "true" : "null", attr);
    if (!exists && e->value)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sValue cannot be used when Exists is false for Attribute: %s", INVALID, attr);
    if (!exists)
        *out = call(a, F_ATTRIBUTE_NOT_EXISTS, "attribute_not_exists", expr__path_node(a, e->attr), NULL);
    else
        *out = comparison(a, e->attr, EXPR_CMP_EQ, 1, e->value);
    return DDB_OK;
}

ddb_err_t expr_legacy_expected(arena_t *a, ddb_errctx_t *err, size_t n, const expr_expected_t *e, bool or_op,
                               expr_cond_t **out)
{
    node_t **conds = ARENA_NEWN(a, node_t *, n + 1);
    for (size_t i = 0; i < n; i++) {
        ddb_err_t rc = expected_one(a, err, &e[i], &conds[i]);
        if (rc) return rc;
    }
    *out = make_cond(a, or_op ? N_OR : N_AND, conds, n);
    return DDB_OK;
}

/* ---- QueryFilter / ScanFilter / KeyConditions ------------------------------------------- */

static ddb_err_t filter_one(ddb_errctx_t *err, const expr_filter_t *f)
{
    if (!arity_ok(f->op, f->nlist)) return arity_err(err, f->op);
    return list_ok(err, f->op, f->nlist, f->list);
}

ddb_err_t expr_legacy_filter(arena_t *a, ddb_errctx_t *err, size_t n, const expr_filter_t *f, bool or_op,
                             expr_cond_t **out)
{
    node_t **conds = ARENA_NEWN(a, node_t *, n + 1);
    for (size_t i = 0; i < n; i++) {
        ddb_err_t rc = filter_one(err, &f[i]);
        if (rc) return rc;
        conds[i] = comparison(a, f[i].attr, f[i].op, f[i].nlist, f[i].list);
    }
    *out = make_cond(a, or_op ? N_OR : N_AND, conds, n);
    return DDB_OK;
}

ddb_err_t expr_legacy_key_conditions(arena_t *a, ddb_errctx_t *err, size_t n, const expr_filter_t *f,
                                     expr_keycond_t *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        ddb_err_t rc = filter_one(err, &f[i]);
        if (rc) return rc;
    }
    /* more than 2 conditions fit only a multi-attribute key: expr_keycond_bind_schema decides */
    if (n == 0 || n > 2 * EXPR_KEY_ATTRS_MAX)
        return err_set(err, DDB_ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
    for (size_t i = 0; i < n; i++) {
        expr_keypart_t *p = &out->part[i];
        p->name = f[i].attr;
        switch (f[i].op) {
        case EXPR_CMP_EQ:
            p->op = EXPR_KEY_EQ;
            break;
        case EXPR_CMP_LT:
            p->op = EXPR_KEY_LT;
            break;
        case EXPR_CMP_LE:
            p->op = EXPR_KEY_LE;
            break;
        case EXPR_CMP_GT:
            p->op = EXPR_KEY_GT;
            break;
        case EXPR_CMP_GE:
            p->op = EXPR_KEY_GE;
            break;
        case EXPR_CMP_BETWEEN:
            p->op = EXPR_KEY_BETWEEN;
            break;
        case EXPR_CMP_BEGINS_WITH:
            p->op = EXPR_KEY_BEGINS_WITH;
            break;
        default:
            p->unindexable = true; /* reported by the bind, after the table is found */
            continue;
        }
        p->v[0] = &f[i].list[0];
        p->v[1] = f[i].op == EXPR_CMP_BETWEEN ? &f[i].list[1] : NULL;
    }
    out->n = n;
    (void)a;
    return DDB_OK;
}

/* ---- AttributeUpdates ------------------------------------------------------------------- */

ddb_err_t expr_legacy_attribute_updates(arena_t *a, ddb_errctx_t *err, size_t n, const expr_attr_update_t *u,
                                        expr_update_t **out)
{
    expr_update_t *up = ARENA_NEW(a, expr_update_t);
    up->act = ARENA_NEWN(a, uaction_t, n + 1);
    for (size_t i = 0; i < n; i++) {
        const av_t *v = u[i].value;
        if (!v && u[i].action != EXPR_AU_DELETE)
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sOnly DELETE action is allowed when no attribute value is specified", INVALID);
        if (v && u[i].action == EXPR_AU_DELETE && v->type != AV_SS && v->type != AV_NS && v->type != AV_BS)
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sDELETE action with value is not supported for the type %s", INVALID,
                           av_type_name(v->type));
        if (v && u[i].action == EXPR_AU_ADD &&
            !(v->type == AV_N || v->type == AV_SS || v->type == AV_NS || v->type == AV_BS || v->type == AV_L))
            return err_set(err, DDB_ERR_VALIDATION, "%sADD action is not supported for the type %s", INVALID,
                           av_type_name(v->type));
        uaction_t *x = &up->act[up->n++];
        x->legacy = 1;
        x->path = expr__path_node(a, u[i].attr);
        switch (u[i].action) {
        case EXPR_AU_PUT:
            x->kind = UA_SET;
            x->value = expr__value_node(a, v);
            break;
        case EXPR_AU_ADD:
            x->kind = UA_ADD;
            x->value = expr__value_node(a, v);
            break;
        case EXPR_AU_DELETE:
            x->kind = v ? UA_DELETE : UA_REMOVE;
            x->value = v ? expr__value_node(a, v) : NULL;
            break;
        }
    }
    up->nclauses = n ? 1 : 0;
    *out = up;
    return DDB_OK;
}

/* ---- AttributesToGet -------------------------------------------------------------------- */

ddb_err_t expr_legacy_attributes_to_get(arena_t *a, ddb_errctx_t *err, size_t n, const ddb_str_t *names,
                                        expr_proj_t **out)
{
    expr_proj_t *p = ARENA_NEW(a, expr_proj_t);
    p->paths = ARENA_NEWN(a, node_t *, n + 1);
    for (size_t i = 0; i < n; i++) p->paths[p->n++] = expr__path_node(a, names[i]);
    /* the tree's hash set also finds the first name that repeats an earlier one */
    size_t dup = expr__proj_prepare(a, p);
    if (dup < n)
        return err_set(err, DDB_ERR_VALIDATION, "%sDuplicate value in attribute name: %.*s", INVALID,
                       (int)names[dup].len, names[dup].ptr);
    *out = p;
    return DDB_OK;
}
