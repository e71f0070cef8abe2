/*
 * keycond: a KeyConditionExpression turned into a key range, and the checks that tie
 * expressions to a table's key schema.
 *
 * Entry points: expr_keycond_parse, expr_keycond_bind, expr_keypart_match,
 * expr_cond_check_key_paths, expr_update_check_key_paths, expr_proj_check_key_paths,
 * expr_filter_check_keys.
 *
 * A key condition is a condition (same grammar, same checks) restricted to: conditions joined
 * by AND; each one `key = | < | <= | > | >= value`, `key BETWEEN v1 AND v2` or
 * `begins_with(key, v)` on a top-level attribute; at most one condition per attribute. The
 * value side may be written first (`:v < sk` is `sk > :v`). expr_keycond_bind_schema then matches
 * the attributes to the schema: the hash key with =, optionally the range key; a GSI's
 * multi-attribute key: every HASH attribute with =, then a gap-free prefix of its RANGE attributes,
 * all with = but the last one named.
 */
#include "expr/expr_int.h"

#include <string.h>

static ddb_err_t kerr(ddb_errctx_t *err, const char *fmt, const char *arg)
{
    return err_set(err, DDB_ERR_VALIDATION, fmt, arg);
}

typedef struct {
    ddb_errctx_t *err;
    size_t nparts;
    expr_keypart_t parts[2 * EXPR_KEY_ATTRS_MAX];
} kc_t;

static expr_keyop_t flip(int op)
{
    switch (op) {
    case T_LT:
        return EXPR_KEY_GT;
    case T_LE:
        return EXPR_KEY_GE;
    case T_GT:
        return EXPR_KEY_LT;
    case T_GE:
        return EXPR_KEY_LE;
    default:
        return EXPR_KEY_EQ;
    }
}

static expr_keyop_t direct(int op)
{
    switch (op) {
    case T_LT:
        return EXPR_KEY_LT;
    case T_LE:
        return EXPR_KEY_LE;
    case T_GT:
        return EXPR_KEY_GT;
    case T_GE:
        return EXPR_KEY_GE;
    default:
        return EXPR_KEY_EQ;
    }
}

/* One node of the condition, walked in DynamoDB's order (as AWS-calibrated suites record it): the
 * node's own operator first, then its operands left to right (an attribute: a second one is "Multiple
 * attribute names", a nested path "nested attributes"; a function operand: checked as a node, so
 * size() is "nested operations"), then the condition itself (no attribute, or a second condition on
 * one attribute). AND nodes only walk their operands, so the first offending condition, in the order
 * written, decides the message. */
static ddb_err_t walk(kc_t *k, const node_t *n)
{
    static const char *const inv = "Invalid operator used in KeyConditionExpression: %s";
    switch (n->kind) {
    case N_AND: {
        ddb_err_t rc = walk(k, n->kids[0]);
        return rc ? rc : walk(k, n->kids[1]);
    }
    case N_OR:
        return kerr(k->err, inv, "OR");
    case N_NOT:
        return kerr(k->err, inv, "NOT");
    case N_IN:
        return kerr(k->err, inv, "IN");
    case N_CMP:
        if (n->op == T_NE) return kerr(k->err, inv, "<>");
        break;
    case N_CALL:
        if (n->fn == F_SIZE)
            return err_set(k->err, DDB_ERR_VALIDATION,
                           "KeyConditionExpressions cannot contain nested operations");
        if (n->fn != F_BEGINS_WITH) {
            const char *name = arena_memdup(k->err->a, n->text.ptr, n->text.len);
            return kerr(k->err, inv, name);
        }
        break;
    case N_BETWEEN:
        break;
    default:
        return DDB_OK; /* a lone path or value: not a condition (the parser refuses those) */
    }
    if ((n->kind == N_BETWEEN || n->kind == N_CALL) && n->nkids && n->kids[0]->kind != N_PATH)
        return kerr(k->err,
                    "Invalid condition in KeyConditionExpression: %s operator must have the key attribute "
                    "as its first operand",
                    n->kind == N_BETWEEN ? "BETWEEN" : "begins_with");
    const node_t *path = NULL;
    int path_at = -1;
    for (uint32_t i = 0; i < n->nkids; i++) {
        const node_t *kid = n->kids[i];
        if (kid->kind == N_PATH) {
            if (path)
                return err_set(
                    k->err, DDB_ERR_VALIDATION,
                    "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
                    "condition");
            if (kid->path.n > 1)
                return err_set(k->err, DDB_ERR_VALIDATION,
                               "Invalid KeyConditionExpression: KeyConditionExpressions cannot have "
                               "conditions on nested "
                               "attributes");
            path = kid;
            path_at = (int)i;
        } else if (kid->kind != N_VALUE) {
            ddb_err_t rc = walk(k, kid);
            if (rc) return rc;
            /* a function that passed (begins_with) is still an operation nested in a condition */
            return err_set(k->err, DDB_ERR_VALIDATION,
                           "KeyConditionExpressions cannot contain nested operations");
        }
    }
    if (!path)
        return err_set(k->err, DDB_ERR_VALIDATION,
                       "Invalid condition in KeyConditionExpression: No key attribute specified");
    ddb_str_t name = path->path.el[0].name;
    for (size_t j = 0; j < k->nparts; j++)
        if (k->parts[j].name.len == name.len && !memcmp(k->parts[j].name.ptr, name.ptr, name.len))
            return err_set(k->err, DDB_ERR_VALIDATION,
                           "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one "
                           "condition per key");
    if (k->nparts == sizeof k->parts / sizeof k->parts[0])
        return err_set(k->err, DDB_ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
    expr_keypart_t *out = &k->parts[k->nparts++];
    out->name = name;
    if (n->kind == N_CMP) {
        out->op = path_at == 0 ? direct(n->op) : flip(n->op);
        out->v[0] = n->kids[path_at == 0 ? 1 : 0]->val;
    } else if (n->kind == N_BETWEEN) {
        out->op = EXPR_KEY_BETWEEN;
        out->v[0] = n->kids[1]->val;
        out->v[1] = n->kids[2]->val;
    } else {
        out->op = EXPR_KEY_BEGINS_WITH;
        out->v[0] = n->kids[1]->val;
    }
    return DDB_OK;
}

ddb_err_t expr_keycond_from(expr_ctx_t *c, const expr_cond_t *cond, expr_keycond_t *out)
{
    kc_t k = {.err = expr__ctx_err(c)};
    memset(out, 0, sizeof *out);
    ddb_err_t rc = walk(&k, cond->root);
    if (rc) return rc;
    /* more than 2 parts fit only a multi-attribute key: expr_keycond_bind_schema decides */
    out->n = k.nparts;
    for (size_t i = 0; i < k.nparts; i++) out->part[i] = k.parts[i];
    return DDB_OK;
}

ddb_err_t expr_keycond_parse(expr_ctx_t *c, const char *text, size_t len, expr_keycond_t *out)
{
    expr_cond_t *cond;
    ddb_err_t rc = expr_condition_parse(c, EXPR_KEY_CONDITION, text, len, &cond);
    return rc ? rc : expr_keycond_from(c, cond, out);
}

static int is_name(ddb_str_t s, const char *z)
{
    return z && ddb_str_eq(s, z);
}

/* Types and empty values of every part bound (schema order), then a reversed BETWEEN range. */
static ddb_err_t check_values(const expr_keypart_t *const *parts, const expr_keyattr_t *const *attrs,
                              size_t n, const expr_keypart_t *rg, ddb_errctx_t *err)
{
    for (size_t p = 0; p < n; p++) {
        int nv = parts[p]->op == EXPR_KEY_BETWEEN ? 2 : 1;
        for (int i = 0; i < nv; i++) {
            const av_t *v = parts[p]->v[i];
            if (!v) continue;
            if (v->type != attrs[p]->type)
                return err_set(
                    err, DDB_ERR_VALIDATION,
                    "One or more parameter values were invalid: Condition parameter type does not match "
                    "schema type");
            if ((v->type == AV_S || v->type == AV_B) && v->s.len == 0)
                return err_set(
                    err, DDB_ERR_VALIDATION,
                    "One or more parameter values are not valid. The AttributeValue for a key attribute "
                    "cannot contain an empty %s value. Key: %s",
                    v->type == AV_S ? "string" : "binary", attrs[p]->name);
        }
    }
    /* (KeyConditions already refused a reversed range when they were translated) */
    if (rg && rg->op == EXPR_KEY_BETWEEN && av_scalar_cmp(rg->v[0], rg->v[1]) > 0)
        return err_set(
            err, DDB_ERR_VALIDATION,
            "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater "
            "than or equal to lower bound; lower bound operand: AttributeValue: {%s:%.*s}, upper bound "
            "operand: AttributeValue: {%s:%.*s}",
            av_type_name(rg->v[0]->type), (int)rg->v[0]->s.len, rg->v[0]->s.ptr, av_type_name(rg->v[1]->type),
            (int)rg->v[1]->s.len, rg->v[1]->s.ptr);
    return DDB_OK;
}

static const expr_keypart_t *part_named(const expr_keycond_t *kc, const char *name)
{
    for (size_t i = 0; i < kc->n; i++)
        if (is_name(kc->part[i].name, name)) return &kc->part[i];
    return NULL;
}

/* A single-attribute key, in DynamoDB's order (dynalite's AWS-calibrated query action): for the hash
 * attribute, then the range one, the caller's check, then that attribute's condition (missing, not
 * indexable, of another type, not an equality on the hash key). */
static ddb_err_t bind_single(const expr_keycond_t *kc, const expr_keyattr_t *hk, const expr_keyattr_t *rk,
                             expr_keyattr_check_fn check, void *cctx, expr_keyrange_t *out, ddb_errctx_t *err)
{
    if (kc->n > 2) return err_set(err, DDB_ERR_VALIDATION, "Conditions can be of length 1 or 2 only");
    const expr_keyattr_t *attrs[2] = {hk, rk};
    const expr_keypart_t *got[2] = {NULL, NULL};
    for (int a = 0; a < 2 && attrs[a]; a++) {
        ddb_err_t rc;
        if (check && (rc = check(cctx, attrs[a], err))) return rc;
        if (a == 0 && !rk && kc->n > 1)
            return err_set(err, DDB_ERR_VALIDATION, "Query key condition not supported");
        const expr_keypart_t *p = part_named(kc, attrs[a]->name);
        if (!p) {
            if (a == 0 || kc->n > 1)
                return kerr(err, "Query condition missed key schema element: %s", attrs[a]->name);
            continue;
        }
        if (p->unindexable)
            return err_set(err, DDB_ERR_VALIDATION,
                           "Attempted conditional constraint is not an indexable operation");
        for (int i = 0; i < (p->op == EXPR_KEY_BETWEEN ? 2 : 1); i++)
            if (p->v[i] && p->v[i]->type != attrs[a]->type)
                return err_set(
                    err, DDB_ERR_VALIDATION,
                    "One or more parameter values were invalid: Condition parameter type does not match "
                    "schema type");
        if (a == 0 && p->op != EXPR_KEY_EQ)
            return err_set(err, DDB_ERR_VALIDATION, "Query key condition not supported");
        got[a] = p;
    }
    out->hash = got[0];
    out->range = got[1];
    out->n_hash = 1;
    out->hashes[0] = out->hash;
    const expr_keypart_t *parts[2] = {out->hash, out->range};
    const expr_keyattr_t *pattrs[2] = {hk, rk};
    return check_values(parts, pattrs, out->range ? 2 : 1, out->range, err);
}

ddb_err_t expr_keycond_bind_schema(const expr_keycond_t *kc, size_t n_hash, const expr_keyattr_t *hash,
                                   size_t n_range, const expr_keyattr_t *range, expr_keyrange_t *out,
                                   ddb_errctx_t *err)
{
    return expr_keycond_bind_checked(kc, n_hash, hash, n_range, range, NULL, NULL, out, err);
}

ddb_err_t expr_keycond_bind_checked(const expr_keycond_t *kc, size_t n_hash, const expr_keyattr_t *hash,
                                    size_t n_range, const expr_keyattr_t *range, expr_keyattr_check_fn check,
                                    void *check_ctx, expr_keyrange_t *out, ddb_errctx_t *err)
{
    memset(out, 0, sizeof *out);
    if (n_hash <= 1 && n_range <= 1)
        return bind_single(kc, &hash[0], n_range ? &range[0] : NULL, check, check_ctx, out, err);
    /* a multi-attribute key: the checks of every attribute first */
    ddb_err_t rc;
    for (size_t i = 0; check && i < n_hash; i++)
        if ((rc = check(check_ctx, &hash[i], err))) return rc;
    for (size_t i = 0; check && i < n_range; i++)
        if ((rc = check(check_ctx, &range[i], err))) return rc;
    for (size_t i = 0; i < kc->n; i++)
        if (kc->part[i].unindexable)
            return err_set(err, DDB_ERR_VALIDATION,
                           "Attempted conditional constraint is not an indexable operation");

    /* every HASH attribute, in schema order */
    for (size_t i = 0; i < n_hash; i++) {
        out->hashes[i] = part_named(kc, hash[i].name);
        if (!out->hashes[i]) return kerr(err, "Query condition missed key schema element: %s", hash[i].name);
    }
    out->n_hash = n_hash;
    out->hash = out->hashes[0];
    /* a condition on an attribute of no key role */
    const expr_keypart_t *rp[EXPR_KEY_ATTRS_MAX] = {0};
    for (size_t i = 0; i < n_range; i++) rp[i] = part_named(kc, range[i].name);
    for (size_t i = 0; i < kc->n; i++) {
        bool known = false;
        for (size_t j = 0; j < n_hash && !known; j++) known = out->hashes[j] == &kc->part[i];
        for (size_t j = 0; j < n_range && !known; j++) known = rp[j] == &kc->part[i];
        if (known) continue;
        for (size_t j = 0; j < n_range; j++)
            if (!rp[j]) return kerr(err, "Query condition missed key schema element: %s", range[j].name);
        return err_set(err, DDB_ERR_VALIDATION, "Query key condition not supported");
    }
    for (size_t i = 0; i < n_hash; i++)
        if (out->hashes[i]->op != EXPR_KEY_EQ)
            return err_set(err, DDB_ERR_VALIDATION, "Query key condition not supported");
    /* the RANGE attributes named: a gap-free prefix, equalities but for the last */
    for (size_t j = 0; j < n_range; j++) {
        if (!rp[j]) continue;
        for (size_t i = 0; i < j; i++)
            if (!rp[i] || rp[i]->op != EXPR_KEY_EQ)
                return err_set(err, DDB_ERR_VALIDATION,
                               "RANGE key attributes %s must have equality conditions specified in the query "
                               "because a condition is present on key attribute %s",
                               range[i].name, range[j].name);
    }
    const expr_keypart_t *parts[2 * EXPR_KEY_ATTRS_MAX];
    const expr_keyattr_t *attrs[2 * EXPR_KEY_ATTRS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < n_hash; i++) {
        parts[n] = out->hashes[i];
        attrs[n++] = &hash[i];
    }
    for (size_t j = 0; j < n_range && rp[j]; j++) {
        parts[n] = rp[j];
        attrs[n++] = &range[j];
        if (j + 1 < n_range && rp[j + 1])
            out->eqs[out->n_eq++] = rp[j];
        else
            out->range = rp[j];
    }
    return check_values(parts, attrs, n, out->range, err);
}

ddb_err_t expr_keycond_bind(const expr_keycond_t *kc, const char *hash_name, av_type_t hash_type,
                            const char *range_name, av_type_t range_type, expr_keyrange_t *out,
                            ddb_errctx_t *err)
{
    expr_keyattr_t h = {hash_name, hash_type}, r = {range_name, range_type};
    return expr_keycond_bind_schema(kc, 1, &h, range_name ? 1 : 0, &r, out, err);
}

bool expr_keypart_match(const expr_keypart_t *p, const av_t *v)
{
    const av_t *a = p->v[0];
    if (!v || !a || v->type != a->type) return false;
    int c = av_scalar_cmp(v, a);
    switch (p->op) {
    case EXPR_KEY_EQ:
        return c == 0;
    case EXPR_KEY_LT:
        return c < 0;
    case EXPR_KEY_LE:
        return c <= 0;
    case EXPR_KEY_GT:
        return c > 0;
    case EXPR_KEY_GE:
        return c >= 0;
    case EXPR_KEY_BETWEEN:
        return c >= 0 && p->v[1] && v->type == p->v[1]->type && av_scalar_cmp(v, p->v[1]) <= 0;
    case EXPR_KEY_BEGINS_WITH:
        return (v->type == AV_S || v->type == AV_B) && v->s.len >= a->s.len &&
               (a->s.len == 0 || memcmp(v->s.ptr, a->s.ptr, a->s.len) == 0);
    }
    return false;
}

/* ---- key attributes in other expressions ------------------------------------------------- */

typedef struct {
    const char *const *names; /* the key attributes */
    size_t n;
    int nested_only; /* 1: only paths looking inside a key; 0: any use of a key (filters) */
} keyscan_t;

static bool is_key(const keyscan_t *ks, ddb_str_t nm)
{
    for (size_t i = 0; i < ks->n; i++)
        if (is_name(nm, ks->names[i])) return true;
    return false;
}

static const node_t *find_key_path(const keyscan_t *ks, const node_t *n)
{
    if (!n) return NULL;
    if (n->kind == N_PATH) {
        ddb_str_t nm = n->path.el[0].name;
        if ((!ks->nested_only || n->path.n > 1) && is_key(ks, nm)) return n;
        return NULL;
    }
    for (uint32_t i = 0; i < n->nkids; i++) {
        const node_t *f = find_key_path(ks, n->kids[i]);
        if (f) return f;
    }
    return NULL;
}

static ddb_err_t scalar_err_as(ddb_errctx_t *err, const node_t *p, const char *label)
{
    ddb_str_t nm = p->path.el[0].name;
    return err_set(
        err, DDB_ERR_VALIDATION,
        "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: %s: "
        "%.*s",
        label, (int)nm.len, nm.ptr);
}

static ddb_err_t scalar_err(ddb_errctx_t *err, const node_t *p)
{
    return scalar_err_as(err, p, "Key");
}

ddb_err_t expr_check_index_key_paths(const expr_cond_t *c, const expr_update_t *u, const expr_proj_t *pr,
                                     const char *const *names, size_t n, ddb_errctx_t *err)
{
    if (!n) return DDB_OK;
    keyscan_t ks = {names, n, 1};
    const node_t *p = c ? find_key_path(&ks, c->root) : NULL;
    for (size_t i = 0; !p && u && i < u->n; i++) {
        p = find_key_path(&ks, u->act[i].path);
        if (!p) p = find_key_path(&ks, u->act[i].value);
    }
    for (size_t i = 0; !p && pr && i < pr->n; i++) p = find_key_path(&ks, pr->paths[i]);
    return p ? scalar_err_as(err, p, "IndexKey") : DDB_OK;
}

ddb_err_t expr_cond_check_key_paths(const expr_cond_t *c, const char *hash_name, const char *range_name,
                                    ddb_errctx_t *err)
{
    const char *names[2] = {hash_name, range_name};
    keyscan_t ks = {names, 2, 1};
    const node_t *p = find_key_path(&ks, c->root);
    return p ? scalar_err(err, p) : DDB_OK;
}

ddb_err_t expr_update_check_key_paths(const expr_update_t *u, const char *hash_name, const char *range_name,
                                      ddb_errctx_t *err)
{
    const char *names[2] = {hash_name, range_name};
    keyscan_t ks = {names, 2, 1};
    for (size_t i = 0; i < u->n; i++) {
        const node_t *p = find_key_path(&ks, u->act[i].value);
        if (p) return scalar_err(err, p);
    }
    return DDB_OK;
}

ddb_err_t expr_proj_check_key_paths(const expr_proj_t *pr, const char *hash_name, const char *range_name,
                                    ddb_errctx_t *err)
{
    const char *names[2] = {hash_name, range_name};
    keyscan_t ks = {names, 2, 1};
    for (size_t i = 0; i < pr->n; i++) {
        const node_t *p = find_key_path(&ks, pr->paths[i]);
        if (p) return scalar_err(err, p);
    }
    return DDB_OK;
}

ddb_err_t expr_filter_check_keys(const expr_cond_t *c, const char *hash_name, const char *range_name,
                                 const char *param, ddb_errctx_t *err)
{
    const char *names[2] = {hash_name, range_name};
    return expr_filter_check_key_names(c, names, 2, param, err);
}

ddb_err_t expr_filter_check_key_names(const expr_cond_t *c, const char *const *names, size_t n,
                                      const char *param, ddb_errctx_t *err)
{
    keyscan_t ks = {names, n, 0};
    const node_t *p = find_key_path(&ks, c->root);
    if (!p) return DDB_OK;
    ddb_str_t nm = p->path.el[0].name;
    return err_set(err, DDB_ERR_VALIDATION,
                   "%s can only contain non-primary key attributes: Primary key attribute: %.*s", param,
                   (int)nm.len, nm.ptr);
}
