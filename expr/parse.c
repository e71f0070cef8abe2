/*
 * parse: recursive descent over the tokens of lex.c, one entry per language. It builds the
 * tree and reports only what the grammar itself rejects: syntax errors and redundant
 * parentheses. Everything else (reserved words, functions, placeholders, types) is resolve.c.
 *
 * Entry points: expr__parse_condition (conditions, filters, key conditions),
 * expr__parse_update, expr__parse_projection, and the node constructors.
 *
 * Grammar (EBNF; docs/expressions.md has the full version):
 *   condition := and { OR and }            and := not { AND not }
 *   not       := NOT not | primary
 *   primary   := "(" condition ")" | operand tail        (a parenthesised operand also fits)
 *   tail      := cmp operand | BETWEEN operand AND operand | IN "(" operand { "," operand } ")"
 *              | (nothing, when the operand is a function call: attribute_exists(a))
 *   operand   := :value | "(" operand ")" | name "(" operand { "," operand } ")" | path
 *   path      := (name | #name) { "." (name | #name) | "[" int "]" }
 *   update    := clause { clause }  clause := SET set { "," set } | REMOVE path { "," path }
 *              | ADD path :value { "," path :value } | DELETE path :value { ... }
 *   set       := path "=" value     value := term [ ("+" | "-") term ] | "(" value ")" ...
 *   projection:= path { "," path }
 *
 * A parenthesis after which a condition or an operand may follow is parsed once: the inside
 * is read as a condition that may also be a bare operand (`bare_ok`), and what follows the
 * closing parenthesis decides. So there is no backtracking, and no exponential blow-up.
 *
 * Syntax errors are DynamoDB's: "Syntax error; token: \"<tok>\", near: \"<prev tok .. next
 * tok>\"" where near is the source text from the start of the previous token to the end of the
 * next one. Two parentheses straight around the same thing are "The expression has redundant
 * parentheses;", reported as soon as the outer one closes. Nesting deeper than
 * EXPR_MAX_NESTING (parentheses, NOT, calls) is reported as a syntax error at the token where
 * the limit is crossed; a 4 KB expression cannot reach it without redundant parentheses except
 * through long NOT chains.
 */
#include "expr/expr_int.h"

#include <string.h>

typedef struct {
    pstate_t *ps;
    size_t i;   /* current token */
    int depth;  /* nesting */
    int failed; /* an error is recorded */
} parser_t;

node_t *expr__node(arena_t *a, int kind, uint32_t nkids)
{
    node_t *n = ARENA_NEW(a, node_t);
    n->kind = (uint8_t)kind;
    n->nkids = nkids;
    n->kids = nkids ? ARENA_NEWN(a, node_t *, nkids) : NULL;
    n->tok = UINT32_MAX;
    return n;
}

node_t *expr__path_node(arena_t *a, ddb_str_t name)
{
    node_t *n = expr__node(a, N_PATH, 0);
    n->path.n = 1;
    n->path.el = ARENA_NEW(a, pathel_t);
    n->path.el[0].kind = PE_NAME;
    n->path.el[0].tok = UINT32_MAX;
    n->path.el[0].text = name;
    n->path.el[0].name = name;
    return n;
}

node_t *expr__value_node(arena_t *a, const av_t *v)
{
    node_t *n = expr__node(a, N_VALUE, 0);
    n->val = v;
    n->text = DDB_STR(":legacy");
    return n;
}

static int peek(parser_t *p)
{
    return p->ps->lx.t[p->i].kind;
}

static int peek_at(parser_t *p, size_t k)
{
    size_t j = p->i + k;
    return j < p->ps->lx.n ? p->ps->lx.t[j].kind : T_EOF;
}

/* Record a syntax error at token `at`. Returns NULL so callers can `return fail(p)`. */
static void *fail_at(parser_t *p, size_t at)
{
    if (p->failed) return NULL;
    p->failed = 1;
    const lexed_t *lx = &p->ps->lx;
    ddb_str_t tok = expr__tok_text(lx, at);
    size_t from = at > 0 ? lx->t[at - 1].start : 0;
    size_t to = at + 1 < lx->n ? lx->t[at + 1].end : lx->t[at].end;
    if (to < from) to = from;
    expr__fail(p->ps->err, p->ps->label, "Syntax error; token: \"%.*s\", near: \"%.*s\"", (int)tok.len,
               tok.ptr, (int)(to - from), lx->src + from);
    return NULL;
}

static void *fail(parser_t *p)
{
    return fail_at(p, p->i);
}

static void *redundant(parser_t *p)
{
    if (p->failed) return NULL;
    p->failed = 1;
    expr__fail(p->ps->err, p->ps->label, "The expression has redundant parentheses;");
    return NULL;
}

static int accept(parser_t *p, int kind)
{
    if (peek(p) != kind) return 0;
    p->i++;
    return 1;
}

static int expect(parser_t *p, int kind)
{
    if (accept(p, kind)) return 1;
    fail(p);
    return 0;
}

static int enter(parser_t *p)
{
    if (++p->depth > EXPR_MAX_NESTING) {
        fail(p);
        return 0;
    }
    return 1;
}

/* Mark a node as written in parentheses; two pairs around the same node are an error. */
static node_t *parenthesize(parser_t *p, node_t *n)
{
    if (n->parens) return redundant(p);
    n->parens = 1;
    return n;
}

static ddb_str_t tok_str(parser_t *p, size_t i)
{
    const tok_t *t = &p->ps->lx.t[i];
    return (ddb_str_t){p->ps->lx.src + t->start, t->end - t->start};
}

/* A growable array of node pointers in the arena. */
typedef struct {
    node_t **v;
    uint32_t n, cap;
} nodevec_t;

static void vec_push(arena_t *a, nodevec_t *v, node_t *n)
{
    if (v->n == v->cap) {
        uint32_t cap = v->cap ? v->cap * 2 : 4;
        node_t **nv = ARENA_NEWN(a, node_t *, cap);
        if (v->n) memcpy(nv, v->v, v->n * sizeof *nv);
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = n;
}

/* ---- operands -------------------------------------------------------------------------- */

static node_t *parse_path(parser_t *p)
{
    int k = peek(p);
    if (k != T_NAME && k != T_HNAME) return fail(p);
    arena_t *a = p->ps->a;
    /* Count the elements first so the array is allocated once. */
    uint32_t cap = 1;
    for (size_t j = p->i + 1; j < p->ps->lx.n; j++) {
        int kj = p->ps->lx.t[j].kind;
        if (kj == T_DOT || kj == T_LBRACK)
            cap++;
        else if (kj != T_NAME && kj != T_HNAME && kj != T_INT && kj != T_RBRACK)
            break;
    }
    node_t *n = expr__node(a, N_PATH, 0);
    n->tok = (uint32_t)p->i;
    n->path.el = ARENA_NEWN(a, pathel_t, cap);
    pathel_t *e = &n->path.el[n->path.n++];
    e->kind = k == T_NAME ? PE_NAME : PE_HNAME;
    e->tok = (uint32_t)p->i;
    e->text = tok_str(p, p->i);
    p->i++;
    for (;;) {
        if (accept(p, T_DOT)) {
            k = peek(p);
            if (k != T_NAME && k != T_HNAME) return fail(p);
            e = &n->path.el[n->path.n++];
            e->kind = k == T_NAME ? PE_NAME : PE_HNAME;
            e->tok = (uint32_t)p->i;
            e->text = tok_str(p, p->i);
            p->i++;
        } else if (accept(p, T_LBRACK)) {
            if (peek(p) != T_INT) return fail(p);
            e = &n->path.el[n->path.n++];
            e->kind = PE_INDEX;
            e->tok = (uint32_t)p->i;
            e->text = tok_str(p, p->i);
            p->i++;
            if (!expect(p, T_RBRACK)) return NULL;
        } else {
            return n;
        }
    }
}

static node_t *parse_operand(parser_t *p);

/* name "(" operand { "," operand } ")" */
static node_t *parse_call(parser_t *p)
{
    if (!enter(p)) return NULL;
    size_t name_tok = p->i;
    p->i += 2; /* name ( */
    nodevec_t args = {0};
    for (;;) {
        node_t *arg = parse_operand(p);
        if (!arg) return NULL;
        vec_push(p->ps->a, &args, arg);
        if (accept(p, T_COMMA)) continue;
        if (!expect(p, T_RPAREN)) return NULL;
        break;
    }
    p->depth--;
    node_t *n = expr__node(p->ps->a, N_CALL, 0);
    n->tok = (uint32_t)name_tok;
    n->text = tok_str(p, name_tok);
    n->kids = args.v;
    n->nkids = args.n;
    return n;
}

static node_t *parse_operand(parser_t *p)
{
    switch (peek(p)) {
    case T_VALUE: {
        node_t *n = expr__node(p->ps->a, N_VALUE, 0);
        n->tok = (uint32_t)p->i;
        n->text = tok_str(p, p->i);
        p->i++;
        return n;
    }
    case T_LPAREN: {
        if (!enter(p)) return NULL;
        p->i++;
        node_t *n = parse_operand(p);
        if (!n || !expect(p, T_RPAREN)) return NULL;
        p->depth--;
        return parenthesize(p, n);
    }
    case T_NAME:
        if (peek_at(p, 1) == T_LPAREN) return parse_call(p);
        return parse_path(p);
    case T_HNAME:
        return parse_path(p);
    default:
        return fail(p);
    }
}

/* ---- conditions ------------------------------------------------------------------------- */

static int is_operand_node(const node_t *n)
{
    return n->kind == N_PATH || n->kind == N_VALUE || n->kind == N_CALL;
}

/* What may follow an operand: a comparator, BETWEEN or IN. Returns the operand itself when
 * nothing follows (the caller decides whether that is allowed). */
static node_t *parse_tail(parser_t *p, node_t *left, int *had_tail)
{
    arena_t *a = p->ps->a;
    int k = peek(p);
    *had_tail = 1;
    if (expr__tok_is_cmp(k)) {
        node_t *n = expr__node(a, N_CMP, 2);
        n->op = (uint8_t)k;
        n->tok = (uint32_t)p->i++;
        n->kids[0] = left;
        if (!(n->kids[1] = parse_operand(p))) return NULL;
        return n;
    }
    if (k == T_BETWEEN) {
        node_t *n = expr__node(a, N_BETWEEN, 3);
        n->tok = (uint32_t)p->i++;
        n->kids[0] = left;
        if (!(n->kids[1] = parse_operand(p))) return NULL;
        if (!expect(p, T_AND)) return NULL;
        if (!(n->kids[2] = parse_operand(p))) return NULL;
        return n;
    }
    if (k == T_IN) {
        size_t in_tok = p->i++;
        if (!expect(p, T_LPAREN)) return NULL;
        nodevec_t v = {0};
        vec_push(a, &v, left);
        for (;;) {
            node_t *o = parse_operand(p);
            if (!o) return NULL;
            vec_push(a, &v, o);
            if (accept(p, T_COMMA)) continue;
            if (!expect(p, T_RPAREN)) return NULL;
            break;
        }
        node_t *n = expr__node(a, N_IN, 0);
        n->tok = (uint32_t)in_tok;
        n->kids = v.v;
        n->nkids = v.n;
        return n;
    }
    *had_tail = 0;
    return left;
}

static node_t *parse_or(parser_t *p, int bare_ok);

/* A primary; with bare_ok a bare operand directly followed by ")" is returned as it is. */
static node_t *parse_primary(parser_t *p, int bare_ok)
{
    int had_tail;
    if (peek(p) == T_LPAREN) {
        if (!enter(p)) return NULL;
        p->i++;
        node_t *inner = parse_or(p, 1);
        if (!inner || !expect(p, T_RPAREN)) return NULL;
        p->depth--;
        if (!parenthesize(p, inner)) return NULL;
        /* A call read as a condition may still be an operand if a comparison follows. */
        int k = peek(p);
        if (is_operand_node(inner) &&
            (inner->kind != N_CALL || expr__tok_is_cmp(k) || k == T_BETWEEN || k == T_IN)) {
            node_t *n = parse_tail(p, inner, &had_tail);
            if (!n) return NULL;
            if (!had_tail && inner->kind != N_CALL) {
                if (bare_ok && peek(p) == T_RPAREN) return inner;
                return fail(p);
            }
            return n;
        }
        return inner;
    }
    node_t *left = parse_operand(p);
    if (!left) return NULL;
    node_t *n = parse_tail(p, left, &had_tail);
    if (!n) return NULL;
    if (!had_tail && left->kind != N_CALL) {
        if (bare_ok && peek(p) == T_RPAREN) return left;
        return fail(p);
    }
    return n;
}

static node_t *parse_not(parser_t *p, int bare_ok)
{
    if (peek(p) == T_NOT) {
        if (!enter(p)) return NULL;
        size_t t = p->i++;
        node_t *inner = parse_not(p, 0);
        if (!inner) return NULL;
        p->depth--;
        node_t *n = expr__node(p->ps->a, N_NOT, 1);
        n->tok = (uint32_t)t;
        n->kids[0] = inner;
        return n;
    }
    return parse_primary(p, bare_ok);
}

static int is_bare(const node_t *n)
{
    return n->kind == N_PATH || n->kind == N_VALUE;
}

static node_t *parse_and(parser_t *p, int bare_ok)
{
    node_t *left = parse_not(p, bare_ok);
    if (!left || is_bare(left)) return left;
    while (peek(p) == T_AND) {
        size_t t = p->i++;
        node_t *right = parse_not(p, 0);
        if (!right) return NULL;
        node_t *n = expr__node(p->ps->a, N_AND, 2);
        n->tok = (uint32_t)t;
        n->kids[0] = left;
        n->kids[1] = right;
        left = n;
    }
    return left;
}

static node_t *parse_or(parser_t *p, int bare_ok)
{
    node_t *left = parse_and(p, bare_ok);
    if (!left || is_bare(left)) return left;
    while (peek(p) == T_OR) {
        size_t t = p->i++;
        node_t *right = parse_and(p, 0);
        if (!right) return NULL;
        node_t *n = expr__node(p->ps->a, N_OR, 2);
        n->tok = (uint32_t)t;
        n->kids[0] = left;
        n->kids[1] = right;
        left = n;
    }
    return left;
}

ddb_err_t expr__parse_condition(pstate_t *ps, node_t **out)
{
    parser_t p = {ps, 0, 0, 0};
    node_t *n = parse_or(&p, 0);
    if (n && peek(&p) != T_EOF) n = fail(&p);
    if (!n) return ps->err->code ? ps->err->code : DDB_ERR_VALIDATION;
    *out = n;
    return DDB_OK;
}

/* ---- updates ---------------------------------------------------------------------------- */

/* term [ ("+" | "-") term ] */
static node_t *parse_set_inner(parser_t *p)
{
    node_t *left = parse_operand(p);
    if (!left) return NULL;
    int k = peek(p);
    if (k != T_PLUS && k != T_MINUS) return left;
    node_t *n = expr__node(p->ps->a, N_ARITH, 2);
    n->op = (uint8_t)k;
    n->tok = (uint32_t)p->i++;
    n->kids[0] = left;
    if (!(n->kids[1] = parse_operand(p))) return NULL;
    return n;
}

/* The right-hand side of SET: an operand, a sum or difference, each possibly in parentheses. */
static node_t *parse_set_value(parser_t *p)
{
    if (peek(p) != T_LPAREN) return parse_set_inner(p);
    if (!enter(p)) return NULL;
    p->i++;
    node_t *inner = parse_set_inner(p);
    if (!inner || !expect(p, T_RPAREN)) return NULL;
    p->depth--;
    if (!parenthesize(p, inner)) return NULL;
    int k = peek(p);
    if (inner->kind == N_ARITH || (k != T_PLUS && k != T_MINUS)) return inner;
    node_t *n = expr__node(p->ps->a, N_ARITH, 2);
    n->op = (uint8_t)k;
    n->tok = (uint32_t)p->i++;
    n->kids[0] = inner;
    if (!(n->kids[1] = parse_operand(p))) return NULL;
    return n;
}

uaction_t *expr__act_push(arena_t *a, expr__actvec_t *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 8;
        uaction_t *nv = ARENA_NEWN(a, uaction_t, cap);
        if (v->n) memcpy(nv, v->v, v->n * sizeof *nv);
        v->v = nv;
        v->cap = cap;
    }
    uaction_t *u = &v->v[v->n++];
    memset(u, 0, sizeof *u);
    return u;
}

ddb_err_t expr__parse_update(pstate_t *ps, expr_update_t **out)
{
    parser_t p = {ps, 0, 0, 0};
    expr__actvec_t acts = {0};
    uint16_t clause = 0;
    do {
        int k = peek(&p);
        size_t kw = p.i;
        if (k != T_SET && k != T_REMOVE && k != T_ADD && k != T_DELETE) {
            fail(&p);
            break;
        }
        p.i++;
        int ok = 1;
        do {
            uaction_t *u = expr__act_push(ps->a, &acts);
            u->kind = k == T_SET ? UA_SET : k == T_REMOVE ? UA_REMOVE : k == T_ADD ? UA_ADD : UA_DELETE;
            u->clause = clause;
            u->tok = (uint32_t)kw;
            if (!(u->path = parse_path(&p))) {
                ok = 0;
                break;
            }
            if (k == T_SET) {
                if (!expect(&p, T_EQ) || !(u->value = parse_set_value(&p))) {
                    ok = 0;
                    break;
                }
            } else if (k == T_ADD || k == T_DELETE) {
                if (peek(&p) != T_VALUE) {
                    fail(&p);
                    ok = 0;
                    break;
                }
                u->value = parse_operand(&p);
            }
        } while (accept(&p, T_COMMA));
        if (!ok) break;
        clause++;
        k = peek(&p);
        if (k != T_EOF && k != T_SET && k != T_REMOVE && k != T_ADD && k != T_DELETE) fail(&p);
    } while (!p.failed && peek(&p) != T_EOF);
    if (p.failed) return ps->err->code ? ps->err->code : DDB_ERR_VALIDATION;
    expr_update_t *u = ARENA_NEW(ps->a, expr_update_t);
    u->act = acts.v;
    u->n = acts.n;
    u->nclauses = clause;
    *out = u;
    return DDB_OK;
}

/* ---- projections ------------------------------------------------------------------------ */

ddb_err_t expr__parse_projection(pstate_t *ps, expr_proj_t **out)
{
    parser_t p = {ps, 0, 0, 0};
    nodevec_t v = {0};
    do {
        node_t *n = parse_path(&p);
        if (!n) break;
        vec_push(ps->a, &v, n);
    } while (accept(&p, T_COMMA));
    if (!p.failed && peek(&p) != T_EOF) fail(&p);
    if (p.failed) return ps->err->code ? ps->err->code : DDB_ERR_VALIDATION;
    expr_proj_t *pr = ARENA_NEW(ps->a, expr_proj_t);
    pr->paths = v.v;
    pr->n = v.n;
    *out = pr;
    return DDB_OK;
}
