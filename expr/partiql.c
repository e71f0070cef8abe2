/*
 * partiql: DynamoDB's PartiQL statements parsed (recursive descent over partiql_lex.c's tokens)
 * and compiled into the trees of the expression languages. Entry point: expr_partiql_parse.
 *
 * Grammar (docs/partiql.md has the long version; keywords in any case):
 *   statement := ( select | EXISTS "(" select ")" | insert | update | delete ) [";"]
 *   select    := SELECT ( "*" | path {"," path} ) FROM source [WHERE expr]
 *                [ORDER BY name [ASC|DESC] {"," name [ASC|DESC]}]
 *   insert    := INSERT INTO source VALUE struct
 *   update    := UPDATE source ( SET path "=" expr {"," path "=" expr} | REMOVE path {"," path} )+
 *                [WHERE expr] [RETURNING (ALL|MODIFIED) (OLD|NEW) "*"]
 *   delete    := DELETE FROM source [WHERE expr] [RETURNING ALL OLD "*"]
 *   source    := name ["." name]                      name := identifier | "quoted"
 *   expr      := precedence climbing, loosest first: OR; AND; NOT (prefix); = <> != IS IN;
 *                < <= > >= BETWEEN LIKE; + - ||; * / %; unary + -
 *   term      := literal | ? | path | name "(" [expr {"," expr}] ")" | "(" expr {"," expr} ")"
 *                | "[" ... "]" | "<<" ... ">>" | "{" expr ":" expr {"," ...} "}"
 *   path      := name { "." name | "[" int "]" | "[" 'string' "]" }
 *
 * Errors, in DynamoDB's order: a syntax error anywhere wins (PartiQL parses the whole statement
 * before DynamoDB looks at it); then the first other problem in statement order. Syntax errors
 * are "Statement wasn't well formed, can't be processed: <detail>" where the detail is the
 * message of PartiQL's reference parser (partiql-lang-kotlin SqlParser.kt / ParserHelpers:
 * "Unexpected term", "Unexpected keyword", "Unexpected operator", "Expected RIGHT_PAREN",
 * "Expected data manipulation", "Expected FROM after DELETE", "Expected assignment for SET",
 * "Expression group cannot be empty", "Invalid path dot component", ...), and empty for
 * lexical errors (its lexer throws without a message). The other messages are DynamoDB's
 * own (ddb.partiql.shared.exceptions.ValidationExceptionMessages, as decompiled from DynamoDB
 * Local): docs/partiql.md lists each with its source. The error's place (byte offset, line,
 * column) goes to the caller's expr_pq_pos_t; DynamoDB does not put it in the message.
 *
 * Compilation: WHERE -> node_t condition tree (N_AND/N_OR/N_NOT/N_CMP/N_BETWEEN/N_IN/N_CALL),
 * `x IS [NOT] MISSING` -> attribute_not_exists(x) / attribute_exists(x), `x IS [NOT] NULL`
 * and the other IS types -> attribute_type(x, 'NULL' ...); SET/REMOVE -> uaction_t
 * (set_add(x, <<..>>) -> ADD x, set_delete -> DELETE x); literals and ? -> av_t values. No
 * global state; recursion is bounded by EXPR_MAX_NESTING; every step is linear in the input.
 */
#include "expr/expr_int.h"

#include <stdarg.h>
#include <string.h>

#include "common/decimal.h"
#include "common/strset.h"

static const char *const MALFORMED = "Statement wasn't well formed, can't be processed: ";

/* Operator codes of nodes that never reach evaluation (refused with a message). */
enum { OP_MUL = 100, OP_DIV, OP_MOD, OP_CONCAT, OP_LIKE };

/* N_VALUE text tags: where a value came from. */
#define SRC_LIT "lit"
#define SRC_PARAM "?"
#define SRC_LIST "["
#define SRC_BAG "<<"
#define SRC_STRUCT "{"
#define SRC_MISSING "MISSING"
/* N_CALL text of a condition compiled from IS (for the update-expression message). */
#define FROM_IS "IS"

typedef struct {
    arena_t *a;
    ddb_errctx_t *err;
    const char *src;
    size_t len;
    qlexed_t lx;
    size_t i;
    int depth;
    int failed;          /* a syntax error is recorded (it wins) */
    size_t fail_at;      /* its byte offset */
    const char *syn_msg; /* its message */
    const char *sem_msg; /* the first other problem (reported when no syntax error follows) */
    size_t sem_at;
    size_t nparams, used;
    const av_t *params;
} pq_t;

/* ---- errors ------------------------------------------------------------------------------ */

static size_t tok_off(const pq_t *p, size_t t)
{
    return p->lx.t[t < p->lx.n ? t : p->lx.n - 1].start;
}

/* A syntax error at token t (detail after the envelope). Returns NULL for `return syn(...)`. */
static void *syn_at(pq_t *p, size_t t, const char *detail)
{
    if (!p->failed) {
        p->failed = 1;
        p->fail_at = tok_off(p, t);
        p->syn_msg = arena_sprintf(p->a, "%s%s", MALFORMED, detail);
    }
    return NULL;
}

static void *syn(pq_t *p, const char *detail)
{
    return syn_at(p, p->i, detail);
}

/* Any other problem at token t; only the first one counts. */
static void sem_at(pq_t *p, size_t t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sem_at(pq_t *p, size_t t, const char *fmt, ...)
{
    if (p->sem_msg) return;
    va_list ap;
    va_start(ap, fmt);
    p->sem_msg = arena_vsprintf(p->a, fmt, ap);
    va_end(ap);
    p->sem_at = tok_off(p, t);
}

/* ---- tokens ------------------------------------------------------------------------------ */

static const qtok_t *tk(const pq_t *p, size_t k)
{
    size_t j = p->i + k;
    return &p->lx.t[j < p->lx.n ? j : p->lx.n - 1];
}

static int peek(const pq_t *p)
{
    return tk(p, 0)->kind;
}

/* Whether token k ahead is keyword `word` (lower case). */
static int is_kw_at(const pq_t *p, size_t k, const char *word)
{
    const qtok_t *t = tk(p, k);
    return t->kind == Q_KEYWORD && !strcmp(expr__pq_kw_text(t->kw), word);
}

static int is_kw(const pq_t *p, const char *word)
{
    return is_kw_at(p, 0, word);
}

static int accept_kw(pq_t *p, const char *word)
{
    if (!is_kw(p, word)) return 0;
    p->i++;
    return 1;
}

static int accept(pq_t *p, int kind)
{
    if (peek(p) != kind) return 0;
    p->i++;
    return 1;
}

/* PartiQL's token type names, for "Expected <TYPE>". */
static const char *type_name(int kind)
{
    switch (kind) {
    case Q_RPAREN:
        return "RIGHT_PAREN";
    case Q_RBRACK:
        return "RIGHT_BRACKET";
    case Q_RBRACE:
        return "RIGHT_CURLY";
    case Q_RBAG:
        return "RIGHT_DOUBLE_ANGLE_BRACKET";
    case Q_COLON:
        return "COLON";
    case Q_LPAREN:
        return "LEFT_PAREN";
    case Q_COMMA:
        return "COMMA";
    case Q_EQ:
        return "OPERATOR";
    default:
        return "TOKEN";
    }
}

static int expect(pq_t *p, int kind)
{
    if (accept(p, kind)) return 1;
    syn(p, arena_sprintf(p->a, "Expected %s", type_name(kind)));
    return 0;
}

static ddb_str_t tok_str(const pq_t *p, size_t t)
{
    const qtok_t *q = &p->lx.t[t];
    return (ddb_str_t){p->src + q->start, q->end - q->start};
}

/* Text of a quoted token without its quotes, doubled quotes made single (a copy only if needed). */
static ddb_str_t unquote(pq_t *p, size_t t)
{
    ddb_str_t s = tok_str(p, t);
    char q = s.ptr[0];
    ddb_str_t in = {s.ptr + 1, s.len - 2};
    if (!memchr(in.ptr, q, in.len)) return in;
    char *o = arena_alloc(p->a, in.len + 1);
    size_t n = 0;
    for (size_t k = 0; k < in.len; k++) {
        o[n++] = in.ptr[k];
        if (in.ptr[k] == q) k++;
    }
    o[n] = 0;
    return (ddb_str_t){o, n};
}

static int enter(pq_t *p)
{
    if (++p->depth > EXPR_MAX_NESTING) {
        syn(p, "Statement nesting is too deep");
        return 0;
    }
    return 1;
}

/* ---- growable arrays --------------------------------------------------------------------- */

typedef struct {
    node_t **v;
    uint32_t n, cap;
} nvec_t;

static void nvec_push(arena_t *a, nvec_t *v, node_t *n)
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

/* ---- values ------------------------------------------------------------------------------ */

static node_t *value_node(pq_t *p, size_t tok, const av_t *v, const char *src)
{
    node_t *n = expr__node(p->a, N_VALUE, 0);
    n->tok = (uint32_t)tok;
    n->val = v;
    n->text = (ddb_str_t){src, strlen(src)};
    return n;
}

static int is_src(const node_t *n, const char *src)
{
    return n->kind == N_VALUE && n->text.len == strlen(src) && !memcmp(n->text.ptr, src, n->text.len);
}

/* A number literal as canonical N text, or a recorded error. */
static node_t *number(pq_t *p, size_t t, int negate)
{
    ddb_str_t s = tok_str(p, t);
    dec_t d;
    av_t *v = ARENA_NEW(p->a, av_t);
    v->type = AV_N;
    v->s = DDB_STR("0");
    switch (dec_parse(s.ptr, s.len, &d)) {
    case DEC_OK: {
        char buf[DEC_TEXT_MAX + 2];
        size_t n = dec_format(&d, buf + 1);
        char *b = buf + 1;
        if (negate && d.sign != 0) {
            if (*b == '-')
                b++, n--;
            else
                *--b = '-', n++;
        }
        v->s = (ddb_str_t){arena_memdup(p->a, b, n), n};
        break;
    }
    case DEC_ERR_PRECISION:
        sem_at(p, t, "Attempting to store more than 38 significant digits in a Number");
        break;
    case DEC_ERR_OVERFLOW:
        sem_at(p, t,
               "Number overflow. Attempting to store a number with magnitude larger than supported range");
        break;
    case DEC_ERR_UNDERFLOW:
        sem_at(p, t,
               "Number underflow. Attempting to store a number with magnitude smaller than supported range");
        break;
    default:
        sem_at(p, t, "A value provided cannot be converted into a number");
        break;
    }
    return value_node(p, t, v, SRC_LIT);
}

static node_t *param(pq_t *p, size_t t)
{
    size_t k = p->used++;
    if (k >= p->nparams) {
        sem_at(p, t, "Number of parameters in request and statement don't match.");
        static const av_t null_v = {.type = AV_NULL};
        return value_node(p, t, &null_v, SRC_PARAM);
    }
    return value_node(p, t, &p->params[k], SRC_PARAM);
}

/* The elements of a list, bag or struct must be values. */
static int all_values(pq_t *p, const nvec_t *v)
{
    for (uint32_t k = 0; k < v->n; k++) {
        if (v->v[k]->kind != N_VALUE) {
            sem_at(p, v->v[k]->tok, "Only literals and parameters can be used inside a collection literal");
            return 0;
        }
        if (!v->v[k]->val) return 0; /* MISSING: already reported */
    }
    return 1;
}

static node_t *list_value(pq_t *p, size_t t, const nvec_t *v)
{
    av_t *l = ARENA_NEW(p->a, av_t);
    l->type = AV_L;
    l->l.items = ARENA_NEWN(p->a, av_t, v->n + 1);
    if (all_values(p, v))
        for (uint32_t k = 0; k < v->n; k++) l->l.items[l->l.n++] = *v->v[k]->val;
    return value_node(p, t, l, SRC_LIST);
}

/* <<...>>: a string set or a number set (PartiQL's bag), DynamoDB's checks in its order. */
static node_t *bag_value(pq_t *p, size_t t, const nvec_t *v)
{
    av_t *s = ARENA_NEW(p->a, av_t);
    s->type = AV_SS;
    s->l.items = ARENA_NEWN(p->a, av_t, v->n + 1);
    if (v->n == 0) {
        sem_at(p, t, "Empty bags are not supported");
    } else if (all_values(p, v)) {
        av_type_t et = v->v[0]->val->type;
        for (uint32_t k = 0; k < v->n; k++) {
            const node_t *e = v->v[k];
            if (is_src(e, SRC_PARAM) || (e->val->type != AV_S && e->val->type != AV_N) ||
                e->val->type != et) {
                sem_at(
                    p, e->tok,
                    "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags");
                return value_node(p, t, s, SRC_BAG);
            }
        }
        s->type = et == AV_S ? AV_SS : AV_NS;
        strset_t seen;
        strset_init(&seen, p->a, v->n);
        for (uint32_t k = 0; k < v->n; k++) {
            const av_t *e = v->v[k]->val;
            bool added;
            strset_add(&seen, e->s.ptr, e->s.len, k, &added); /* N text is canonical: equal = same */
            if (!added) {
                sem_at(p, v->v[k]->tok, "Input collection contains duplicates");
                break;
            }
            s->l.items[s->l.n++] = *e;
        }
    }
    return value_node(p, t, s, SRC_BAG);
}

static const char *value_type_name(const node_t *n)
{
    if (n->kind == N_PATH) return "VariableReference";
    if (n->kind != N_VALUE || !n->val) return "Expression";
    return av_type_name(n->val->type);
}

/* {k: v, ...}: a map with string keys, each once. */
static node_t *struct_value(pq_t *p, size_t t, const nvec_t *keys, const nvec_t *vals)
{
    av_t *m = ARENA_NEW(p->a, av_t);
    m->type = AV_M;
    m->m.kvs = ARENA_NEWN(p->a, av_kv_t, keys->n + 1);
    if (!all_values(p, vals)) return value_node(p, t, m, SRC_STRUCT);
    strset_t seen;
    strset_init(&seen, p->a, keys->n);
    for (uint32_t k = 0; k < keys->n; k++) {
        const node_t *key = keys->v[k];
        if (key->kind != N_VALUE || !key->val || key->val->type != AV_S) {
            sem_at(p, key->tok, "Tuple keys must be of type String. Actual type: %s", value_type_name(key));
            break;
        }
        bool added;
        strset_add(&seen, key->val->s.ptr, key->val->s.len, k, &added);
        if (!added) {
            sem_at(p, key->tok, "Duplicate keys in tuple. Key: %.*s", (int)key->val->s.len, key->val->s.ptr);
            break;
        }
        m->m.kvs[m->m.n].name = key->val->s;
        m->m.kvs[m->m.n].val = *vals->v[k]->val;
        m->m.n++;
    }
    return value_node(p, t, m, SRC_STRUCT);
}

/* ---- expressions ------------------------------------------------------------------------- */

enum {
    PREC_OR = 10,
    PREC_AND = 20,
    PREC_NOT = 30,
    PREC_EQ = 40,
    PREC_CMP = 50,
    PREC_ADD = 60,
    PREC_MUL = 70
};

static node_t *parse_expr(pq_t *p, int minprec);

/* Elements up to the closing token `close` (the opening one is consumed). */
static int parse_elements(pq_t *p, int close, nvec_t *out)
{
    if (accept(p, close)) return 1;
    for (;;) {
        node_t *e = parse_expr(p, 0);
        if (!e) return 0;
        nvec_push(p->a, out, e);
        if (accept(p, Q_COMMA)) continue;
        return expect(p, close);
    }
}

static pathel_t *add_el(pq_t *p, node_t *n, uint32_t *cap)
{
    if (n->path.n == *cap) {
        uint32_t c = *cap ? *cap * 2 : 4;
        pathel_t *e = ARENA_NEWN(p->a, pathel_t, c);
        if (n->path.n) memcpy(e, n->path.el, n->path.n * sizeof *e);
        n->path.el = e;
        *cap = c;
    }
    pathel_t *e = &n->path.el[n->path.n++];
    memset(e, 0, sizeof *e);
    return e;
}

/* A name token (identifier, quoted identifier, or keyword after a dot) as an attribute name. */
static ddb_str_t name_of(pq_t *p, size_t t)
{
    return p->lx.t[t].kind == Q_QIDENT ? unquote(p, t) : tok_str(p, t);
}

/* path := name { "." name | "[" expr "]" }; the first name is the current token. */
static node_t *parse_path(pq_t *p)
{
    node_t *n = expr__node(p->a, N_PATH, 0);
    uint32_t cap = 0;
    n->tok = (uint32_t)p->i;
    pathel_t *e = add_el(p, n, &cap);
    e->kind = PE_NAME;
    e->tok = (uint32_t)p->i;
    e->text = e->name = name_of(p, p->i);
    if (p->lx.t[p->i].kind == Q_QIDENT && e->name.len == 0)
        sem_at(p, p->i, "Path component cannot be an empty string");
    p->i++;
    for (;;) {
        if (accept(p, Q_DOT)) {
            int k = peek(p);
            if (k == Q_STAR) {
                sem_at(p, p->i, "Unpivot path component like a.*.b are not supported");
                p->i++;
                continue;
            }
            if (k != Q_IDENT && k != Q_QIDENT && k != Q_KEYWORD) return syn(p, "Invalid path dot component");
            e = add_el(p, n, &cap);
            e->kind = PE_NAME;
            e->tok = (uint32_t)p->i;
            e->text = e->name = name_of(p, p->i);
            if (k == Q_QIDENT && e->name.len == 0)
                sem_at(p, p->i, "Path component cannot be an empty string");
            p->i++;
        } else if (peek(p) == Q_LBRACK) {
            size_t open = p->i++;
            if (peek(p) == Q_STAR) {
                sem_at(p, p->i, "Wildcard path component like a[*].b are not supported");
                p->i++;
                if (!expect(p, Q_RBRACK)) return NULL;
                continue;
            }
            if (!enter(p)) return NULL;
            node_t *x = parse_expr(p, 0);
            if (!x || !expect(p, Q_RBRACK)) return NULL;
            p->depth--;
            e = add_el(p, n, &cap);
            e->tok = (uint32_t)(open + 1);
            if (x->kind == N_VALUE && x->val && x->val->type == AV_S && is_src(x, SRC_LIT)) {
                e->kind = PE_NAME;
                e->text = e->name = x->val->s;
            } else if (x->kind == N_VALUE && x->val && x->val->type == AV_N && is_src(x, SRC_LIT)) {
                ddb_str_t d = x->val->s;
                int ok = d.len <= 10 && d.len > 0;
                unsigned long long v = 0;
                for (size_t k = 0; ok && k < d.len; k++) {
                    if (d.ptr[k] < '0' || d.ptr[k] > '9') ok = 0;
                    v = v * 10 + (unsigned)(d.ptr[k] - '0');
                }
                if (!ok || v > 2147483647ULL)
                    sem_at(p, open + 1, "List index is not within the allowable range; index: [%.*s]",
                           (int)d.len, d.ptr);
                e->kind = PE_INDEX;
                e->text = d;
                e->index = ok ? (uint32_t)v : 0;
            } else {
                sem_at(p, open + 1, "Unexpected path component");
                e->kind = PE_INDEX;
                e->text = DDB_STR("0");
            }
        } else {
            return n;
        }
    }
}

static const struct {
    const char *name;
    uint8_t fn;
} functions[] = {
    {"attribute_exists", F_ATTRIBUTE_EXISTS},
    {"attribute_not_exists", F_ATTRIBUTE_NOT_EXISTS},
    {"attribute_type", F_ATTRIBUTE_TYPE},
    {"begins_with", F_BEGINS_WITH},
    {"contains", F_CONTAINS},
    {"size", F_SIZE},
    {"list_append", F_LIST_APPEND},
};

/* name "(" [expr {"," expr}] ")"; the name is the current token. */
static node_t *parse_call(pq_t *p)
{
    size_t name_tok = p->i;
    ddb_str_t raw = tok_str(p, name_tok);
    char *low = arena_memdup(p->a, raw.ptr, raw.len);
    for (size_t k = 0; k < raw.len; k++)
        if (low[k] >= 'A' && low[k] <= 'Z') low[k] = (char)(low[k] + 32);
    p->i += 2;
    if (!enter(p)) return NULL;
    nvec_t args = {0};
    if (!parse_elements(p, Q_RPAREN, &args)) return NULL;
    p->depth--;
    node_t *n = expr__node(p->a, N_CALL, 0);
    n->tok = (uint32_t)name_tok;
    n->text = (ddb_str_t){low, raw.len};
    n->kids = args.v;
    n->nkids = args.n;
    n->fn = F_UNKNOWN;
    for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++)
        if (!strcmp(functions[k].name, low)) n->fn = functions[k].fn;
    return n;
}

/* Keywords PartiQL parses as function names when "(" follows. */
static int is_function_keyword(const pq_t *p)
{
    static const char *const fk[] = {"exists",       "count",       "avg",
                                     "max",          "min",         "sum",
                                     "substring",    "char_length", "character_length",
                                     "octet_length", "bit_length",  "upper",
                                     "lower",        "size",        "sexp",
                                     "list",         "bag"};
    for (size_t k = 0; k < sizeof fk / sizeof fk[0]; k++)
        if (is_kw(p, fk[k])) return 1;
    return 0;
}

static int is_operator_token(int k)
{
    return (k >= Q_EQ && k <= Q_AT);
}

static node_t *parse_term(pq_t *p)
{
    size_t t = p->i;
    int k = peek(p);
    switch (k) {
    case Q_LPAREN: {
        if (tk(p, 1)->kind == Q_RPAREN) return syn_at(p, t + 1, "Expression group cannot be empty");
        p->i++;
        if (!enter(p)) return NULL;
        nvec_t v = {0};
        if (!parse_elements(p, Q_RPAREN, &v)) return NULL;
        p->depth--;
        if (v.n == 1) {
            v.v[0]->parens = 1;
            return v.v[0];
        }
        return list_value(p, t, &v); /* a row value constructor is a list */
    }
    case Q_LBRACK: {
        p->i++;
        if (!enter(p)) return NULL;
        nvec_t v = {0};
        if (!parse_elements(p, Q_RBRACK, &v)) return NULL;
        p->depth--;
        return list_value(p, t, &v);
    }
    case Q_LBAG: {
        p->i++;
        if (!enter(p)) return NULL;
        nvec_t v = {0};
        if (!parse_elements(p, Q_RBAG, &v)) return NULL;
        p->depth--;
        return bag_value(p, t, &v);
    }
    case Q_LBRACE: {
        p->i++;
        if (!enter(p)) return NULL;
        nvec_t keys = {0}, vals = {0};
        if (!accept(p, Q_RBRACE)) {
            for (;;) {
                node_t *key = parse_expr(p, 0);
                if (!key || !expect(p, Q_COLON)) return NULL;
                node_t *val = parse_expr(p, 0);
                if (!val) return NULL;
                nvec_push(p->a, &keys, key);
                nvec_push(p->a, &vals, val);
                if (accept(p, Q_COMMA)) continue;
                if (!expect(p, Q_RBRACE)) return NULL;
                break;
            }
        }
        p->depth--;
        return struct_value(p, t, &keys, &vals);
    }
    case Q_IDENT:
        if (tk(p, 1)->kind == Q_LPAREN) return parse_call(p);
        return parse_path(p);
    case Q_QIDENT:
        return parse_path(p);
    case Q_PARAM:
        p->i++;
        return param(p, t);
    case Q_STRING: {
        p->i++;
        av_t *v = ARENA_NEW(p->a, av_t);
        v->type = AV_S;
        v->s = unquote(p, t);
        return value_node(p, t, v, SRC_LIT);
    }
    case Q_NUMBER:
        p->i++;
        return number(p, t, 0);
    case Q_ION:
        p->i++;
        sem_at(p, t, "Ion Literals are not supported: %.*s", (int)tok_str(p, t).len, tok_str(p, t).ptr);
        return value_node(p, t, NULL, SRC_MISSING);
    case Q_KEYWORD: {
        av_t *v = ARENA_NEW(p->a, av_t);
        if (is_kw(p, "true") || is_kw(p, "false")) {
            v->type = AV_BOOL;
            v->b = is_kw(p, "true");
            p->i++;
            return value_node(p, t, v, SRC_LIT);
        }
        if (is_kw(p, "null")) {
            v->type = AV_NULL;
            p->i++;
            return value_node(p, t, v, SRC_LIT);
        }
        if (is_kw(p, "missing")) {
            p->i++;
            sem_at(p, t, "MISSING must be compared using IS operator");
            return value_node(p, t, NULL, SRC_MISSING);
        }
        if (is_function_keyword(p) && tk(p, 1)->kind == Q_LPAREN) return parse_call(p);
        return syn(p, "Unexpected keyword");
    }
    default:
        if (is_operator_token(k)) return syn(p, "Unexpected operator");
        return syn(p, "Unexpected term");
    }
}

static node_t *binary(pq_t *p, int kind, int op, size_t tok, node_t *l, node_t *r)
{
    node_t *n = expr__node(p->a, kind, 2);
    n->op = (uint8_t)op;
    n->tok = (uint32_t)tok;
    n->kids[0] = l;
    n->kids[1] = r;
    return n;
}

static node_t *parse_prefix(pq_t *p)
{
    size_t t = p->i;
    if (is_kw(p, "not")) {
        p->i++;
        node_t *x = parse_expr(p, PREC_NOT);
        if (!x) return NULL;
        node_t *n = expr__node(p->a, N_NOT, 1);
        n->tok = (uint32_t)t;
        n->kids[0] = x;
        return n;
    }
    if (peek(p) == Q_MINUS || peek(p) == Q_PLUS) {
        int minus = peek(p) == Q_MINUS;
        p->i++;
        if (peek(p) == Q_NUMBER) {
            size_t nt = p->i++;
            return number(p, nt, minus);
        }
        node_t *x = parse_expr(p, PREC_MUL);
        if (!x) return NULL;
        if (!minus) return x;
        if (x->kind == N_VALUE && x->val && x->val->type == AV_N && is_src(x, SRC_LIT)) {
            av_t *v = ARENA_NEW(p->a, av_t);
            v->type = AV_N;
            ddb_str_t s = x->val->s;
            if (s.len && s.ptr[0] == '-')
                v->s = (ddb_str_t){s.ptr + 1, s.len - 1};
            else if (s.len == 1 && s.ptr[0] == '0')
                v->s = s;
            else
                v->s = (ddb_str_t){arena_sprintf(p->a, "-%.*s", (int)s.len, s.ptr), s.len + 1};
            return value_node(p, t, v, SRC_LIT);
        }
        static const av_t zero = {.type = AV_N, .s = {"0", 1}};
        return binary(p, N_ARITH, T_MINUS, t, value_node(p, t, &zero, SRC_LIT), x);
    }
    return parse_term(p);
}

/* Binary operator at the current token: its precedence (0: none) and how many tokens it has. */
static int binop(const pq_t *p, int *ntok)
{
    *ntok = 1;
    switch (peek(p)) {
    case Q_EQ:
    case Q_NE:
        return PREC_EQ;
    case Q_LT:
    case Q_LE:
    case Q_GT:
    case Q_GE:
        return PREC_CMP;
    case Q_PLUS:
    case Q_MINUS:
    case Q_CONCAT:
        return PREC_ADD;
    case Q_STAR:
    case Q_SLASH:
    case Q_PERCENT:
        return PREC_MUL;
    case Q_KEYWORD:
        if (is_kw(p, "or")) return PREC_OR;
        if (is_kw(p, "and")) return PREC_AND;
        if (is_kw(p, "is") || is_kw(p, "in")) return PREC_EQ;
        if (is_kw(p, "between") || is_kw(p, "like")) return PREC_CMP;
        if (is_kw(p, "not")) {
            *ntok = 2;
            if (is_kw_at(p, 1, "in")) return PREC_EQ;
            if (is_kw_at(p, 1, "between") || is_kw_at(p, 1, "like")) return PREC_CMP;
        }
        return 0;
    default:
        return 0;
    }
}

static node_t *negate(pq_t *p, size_t tok, node_t *x)
{
    node_t *n = expr__node(p->a, N_NOT, 1);
    n->tok = (uint32_t)tok;
    n->kids[0] = x;
    return n;
}

static node_t *type_call(pq_t *p, size_t tok, node_t *x, int fn, const char *type)
{
    node_t *n = expr__node(p->a, N_CALL, fn == F_ATTRIBUTE_TYPE ? 2 : 1);
    n->fn = (uint8_t)fn;
    n->tok = (uint32_t)tok;
    n->text = DDB_STR(FROM_IS);
    n->kids[0] = x;
    if (fn == F_ATTRIBUTE_TYPE) {
        av_t *v = ARENA_NEW(p->a, av_t);
        v->type = AV_S;
        v->s = (ddb_str_t){type, strlen(type)};
        n->kids[1] = value_node(p, tok, v, SRC_LIT);
    }
    return n;
}

/* x IS [NOT] <type>: MISSING and the types DynamoDB's message lists. */
static node_t *parse_is(pq_t *p, size_t is_tok, node_t *x)
{
    int neg = accept_kw(p, "not");
    size_t t = p->i;
    static const struct {
        const char *kw, *type;
    } types[] = {{"null", "NULL"}, {"boolean", "BOOL"}, {"bool", "BOOL"}, {"blob", "B"}, {"string", "S"},
                 {"numeric", "N"}, {"struct", "M"},     {"tuple", "M"},   {"list", "L"}};
    node_t *n = NULL;
    if (accept_kw(p, "missing")) {
        n = type_call(p, is_tok, x, neg ? F_ATTRIBUTE_EXISTS : F_ATTRIBUTE_NOT_EXISTS, NULL);
        neg = 0;
    } else {
        for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
            if (accept_kw(p, types[k].kw)) {
                n = type_call(p, is_tok, x, F_ATTRIBUTE_TYPE, types[k].type);
                break;
            }
    }
    if (!n) {
        int kk = peek(p);
        if (kk != Q_KEYWORD && kk != Q_IDENT) return syn(p, "Expected type name");
        ddb_str_t w = tok_str(p, t);
        p->i++;
        sem_at(
            p, t,
            "Unsupported data type for IS operator: %.*s. Supported data types are [MISSING, NULL, BOOLEAN, "
            "BLOB, STRING, NUMERIC, STRUCT, TUPLE, LIST]",
            (int)w.len, w.ptr);
        n = type_call(p, is_tok, x, F_ATTRIBUTE_NOT_EXISTS, NULL);
    }
    if (x->kind != N_PATH && x->kind != N_VALUE)
        sem_at(p, is_tok, "The left hand side argument to IS must be a Variable Reference, Literal, or Path");
    return neg ? negate(p, is_tok, n) : n;
}

/* x [NOT] IN seq: the right side must be a list of values with at least one member. */
static node_t *make_in(pq_t *p, size_t tok, node_t *x, node_t *seq)
{
    int ok = x->kind == N_PATH && is_src(seq, SRC_LIST) && seq->val && seq->val->l.n > 0;
    if (!ok) {
        sem_at(
            p, tok,
            "IN operator must have a left hand argument of type Variable Reference and right hand argument "
            "of type Seq with at least one member");
        return binary(p, N_CMP, T_EQ, tok, x, seq);
    }
    const av_list_t *l = &seq->val->l;
    node_t *n = expr__node(p->a, N_IN, (uint32_t)l->n + 1);
    n->tok = (uint32_t)tok;
    n->kids[0] = x;
    for (size_t k = 0; k < l->n; k++) n->kids[k + 1] = value_node(p, seq->tok, &l->items[k], SRC_LIT);
    return n;
}

static node_t *parse_expr(pq_t *p, int minprec)
{
    if (!enter(p)) return NULL;
    node_t *left = parse_prefix(p);
    if (!left) return NULL;
    node_t *chain = NULL; /* the AND / OR node being extended */
    nvec_t ops = {0};
    for (;;) {
        int ntok, prec = binop(p, &ntok);
        if (!prec || prec <= minprec) break;
        size_t t = p->i;
        int neg = ntok == 2;
        p->i += (size_t)ntok;
        if (neg) t++; /* the operator itself */
        const char *kw = p->lx.t[t].kind == Q_KEYWORD ? expr__pq_kw_text(p->lx.t[t].kw) : "";
        if (!strcmp(kw, "is")) {
            if (!(left = parse_is(p, t, left))) return NULL;
            continue;
        }
        if (!strcmp(kw, "between")) {
            node_t *lo = parse_expr(p, prec);
            if (!lo) return NULL;
            if (!accept_kw(p, "and")) return syn(p, "Expected AND keyword");
            node_t *hi = parse_expr(p, prec);
            if (!hi) return NULL;
            node_t *n = expr__node(p->a, N_BETWEEN, 3);
            n->tok = (uint32_t)t;
            n->kids[0] = left;
            n->kids[1] = lo;
            n->kids[2] = hi;
            left = neg ? negate(p, t, n) : n;
            continue;
        }
        node_t *right = parse_expr(p, prec);
        if (!right) return NULL;
        if (!strcmp(kw, "in")) {
            node_t *n = make_in(p, t, left, right);
            left = neg ? negate(p, t, n) : n;
        } else if (!strcmp(kw, "and") || !strcmp(kw, "or")) {
            /* a chain of one operator is one node with a child each: no deep trees to recurse */
            int kind = kw[0] == 'a' ? N_AND : N_OR;
            if (!chain || left != chain || chain->kind != kind) {
                chain = expr__node(p->a, kind, 0);
                chain->tok = (uint32_t)t;
                ops = (nvec_t){0};
                nvec_push(p->a, &ops, left);
            }
            nvec_push(p->a, &ops, right);
            chain->kids = ops.v;
            chain->nkids = ops.n;
            left = chain;
        } else if (!strcmp(kw, "like")) {
            sem_at(p, t, "Unsupported operator in Condition Expression. Operator: LIKE");
            left = binary(p, N_CMP, OP_LIKE, t, left, right);
        } else {
            int kind = N_CMP, op;
            switch (p->lx.t[t].kind) {
            case Q_EQ:
                op = T_EQ;
                break;
            case Q_NE:
                op = T_NE;
                break;
            case Q_LT:
                op = T_LT;
                break;
            case Q_LE:
                op = T_LE;
                break;
            case Q_GT:
                op = T_GT;
                break;
            case Q_GE:
                op = T_GE;
                break;
            case Q_PLUS:
                kind = N_ARITH, op = T_PLUS;
                break;
            case Q_MINUS:
                kind = N_ARITH, op = T_MINUS;
                break;
            case Q_STAR:
                kind = N_ARITH, op = OP_MUL;
                break;
            case Q_SLASH:
                kind = N_ARITH, op = OP_DIV;
                break;
            case Q_PERCENT:
                kind = N_ARITH, op = OP_MOD;
                break;
            default:
                kind = N_ARITH, op = OP_CONCAT;
                break;
            }
            left = binary(p, kind, op, t, left, right);
        }
    }
    p->depth--;
    return left;
}

/* ---- checks of compiled trees ------------------------------------------------------------ */

static const char *op_text(const node_t *n)
{
    switch (n->kind) {
    case N_AND:
        return "AND";
    case N_OR:
        return "OR";
    case N_NOT:
        return "NOT";
    case N_BETWEEN:
        return "BETWEEN";
    case N_IN:
        return "IN";
    case N_CALL:
        return n->text.ptr;
    default:
        break;
    }
    switch (n->op) {
    case OP_MUL:
        return "*";
    case OP_DIV:
        return "/";
    case OP_MOD:
        return "%";
    case OP_CONCAT:
        return "||";
    default: {
        const char *t = expr__op_text(n->op); /* the comparison and arithmetic tokens */
        return t ? t : "LIKE";
    }
    }
}

static int is_cond_fn(int fn)
{
    return fn >= F_ATTRIBUTE_EXISTS && fn <= F_CONTAINS;
}

static int is_cond(const node_t *n)
{
    switch (n->kind) {
    case N_OR:
    case N_AND:
    case N_NOT:
    case N_CMP:
    case N_BETWEEN:
    case N_IN:
        return 1;
    case N_CALL:
        return is_cond_fn(n->fn);
    default:
        return 0;
    }
}

static unsigned arity(int fn)
{
    return fn == F_ATTRIBUTE_EXISTS || fn == F_ATTRIBUTE_NOT_EXISTS || fn == F_SIZE ? 1 : 2;
}

static void check_operand(pq_t *p, const node_t *n);

static void check_call(pq_t *p, const node_t *n)
{
    if (n->fn == F_UNKNOWN || n->fn == F_LIST_APPEND) {
        sem_at(p, n->tok, "Unrecognized function: %.*s", (int)n->text.len, n->text.ptr);
        return;
    }
    if (n->nkids != arity(n->fn)) {
        sem_at(p, n->tok,
               "Incorrect number of operands for operator or function; operator or function: %.*s, number of "
               "operands: %u",
               (int)n->text.len, n->text.ptr, n->nkids);
        return;
    }
    if (n->fn != F_BEGINS_WITH && n->fn != F_CONTAINS && n->fn != F_SIZE && n->kids[0]->kind != N_PATH)
        sem_at(p, n->tok, "Operator or function requires a document path; operator or function: %.*s",
               (int)n->text.len, n->text.ptr);
    for (uint32_t k = 0; k < n->nkids; k++) check_operand(p, n->kids[k]);
}

/* A value inside a condition: a path, a value or size(path). */
static void check_operand(pq_t *p, const node_t *n)
{
    if (n->kind == N_PATH || n->kind == N_VALUE) return;
    if (n->kind == N_CALL && (n->fn == F_SIZE || n->fn == F_UNKNOWN || n->fn == F_LIST_APPEND)) {
        check_call(p, n);
        return;
    }
    sem_at(p, n->tok, "Unsupported operator in Condition Expression. Operator: %s", op_text(n));
}

/* A condition (WHERE, and the operands of AND / OR / NOT). Iterative over AND/OR chains. */
static void check_cond(pq_t *p, const node_t *n)
{
    while (!p->sem_msg) {
        switch (n->kind) {
        case N_AND:
        case N_OR:
            for (uint32_t k = 0; k < n->nkids; k++)
                if (!is_cond(n->kids[k])) {
                    sem_at(p, n->tok, "The arguments to AND/OR must be Expressions");
                    return;
                }
            for (uint32_t k = 1; k < n->nkids; k++) check_cond(p, n->kids[k]);
            n = n->kids[0];
            continue;
        case N_NOT:
            if (!is_cond(n->kids[0])) {
                sem_at(p, n->tok, "The argument to NOT must be a Type or Expression");
                return;
            }
            n = n->kids[0];
            continue;
        case N_CMP:
            if (n->op == OP_LIKE) return;
            /* fall through */
        case N_BETWEEN:
        case N_IN:
            for (uint32_t k = 0; k < n->nkids; k++) check_operand(p, n->kids[k]);
            return;
        case N_CALL:
            check_call(p, n);
            return;
        default:
            return;
        }
    }
}

static expr_cond_t *make_cond(arena_t *a, node_t *root)
{
    expr_cond_t *c = ARENA_NEW(a, expr_cond_t);
    c->root = root;
    c->npaths = expr__count_paths(root);
    return c;
}

/* WHERE expr: the condition and its top-level AND operands. */
static int parse_where(pq_t *p, expr_partiql_t *st)
{
    if (!accept_kw(p, "where")) return 1;
    size_t t = p->i;
    node_t *w = parse_expr(p, 0);
    if (!w) return 0;
    if (is_cond(w) || (w->kind == N_CALL && (w->fn == F_UNKNOWN || w->fn == F_LIST_APPEND)))
        check_cond(p, w);
    else
        sem_at(p, t, "WHERE clause must contain an expression that resolves to a boolean");
    st->where = make_cond(p->a, w);
    /* The top-level AND operands (an AND in parentheses is one of them: the planner flattens). */
    int and = w->kind == N_AND;
    st->nconj = and? w->nkids : 1;
    st->conj = ARENA_NEWN(p->a, expr_cond_t *, st->nconj);
    for (size_t k = 0; k < st->nconj; k++) st->conj[k] = make_cond(p->a, and? w->kids[k] : w);
    return 1;
}

/* ---- statements -------------------------------------------------------------------------- */

/* Table names: DynamoDB's rule for names in the FROM clause. */
static int table_name_ok(ddb_str_t s)
{
    if (s.len < 3 || s.len > 255) return 0;
    for (size_t k = 0; k < s.len; k++) {
        char c = s.ptr[k];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int name_token(pq_t *p)
{
    int k = peek(p);
    if (k == Q_IDENT || k == Q_QIDENT) return 1;
    if (k == Q_KEYWORD) return !!syn(p, "Unexpected keyword");
    if (is_operator_token(k)) return !!syn(p, "Unexpected operator");
    return !!syn(p, "Unexpected term");
}

/* source := name ["." name]; then an alias is refused. */
static int parse_source(pq_t *p, expr_partiql_t *st)
{
    if (!name_token(p)) return 0;
    size_t t = p->i++;
    st->table = name_of(p, t);
    if (st->table.len == 0)
        sem_at(p, t, "Path component cannot be an empty string");
    else if (!table_name_ok(st->table))
        sem_at(
            p, t,
            "Table name should be within the length [3, 255] and only contain 'a-z', 'A-Z', '0-9', '-', '_', "
            "'.'.");
    if (accept(p, Q_DOT)) {
        if (!name_token(p)) return 0;
        size_t it = p->i++;
        st->index = name_of(p, it);
        st->has_index = true;
        if (st->index.len == 0) sem_at(p, it, "Path component cannot be an empty string");
        while (accept(p, Q_DOT)) {
            if (!name_token(p)) return 0;
            sem_at(p, p->i, "A path may contain at most 2 components in the FROM clause");
            p->i++;
        }
    }
    if (is_kw(p, "as") || peek(p) == Q_IDENT || peek(p) == Q_QIDENT) {
        size_t at = p->i;
        accept_kw(p, "as");
        if (!name_token(p)) return 0;
        p->i++;
        sem_at(p, at, "Aliasing is not supported");
    }
    return 1;
}

static int parse_returning(pq_t *p, expr_partiql_t *st)
{
    if (!accept_kw(p, "returning")) return 1;
    int all = is_kw(p, "all"), mod = is_kw(p, "modified");
    int old = is_kw_at(p, 1, "old"), nw = is_kw_at(p, 1, "new");
    if (!(all || mod) || !(old || nw)) {
        syn(p, "Expected ( MODIFIED | ALL ) ( NEW | OLD ) in each returning element.");
        return 0;
    }
    p->i += 2;
    st->returning = all ? (old ? EXPR_PQ_RETURN_ALL_OLD : EXPR_PQ_RETURN_ALL_NEW)
                        : (old ? EXPR_PQ_RETURN_MODIFIED_OLD : EXPR_PQ_RETURN_MODIFIED_NEW);
    size_t col = p->i;
    if (!accept(p, Q_STAR)) {
        node_t *x = parse_expr(p, 0);
        if (!x) return 0;
        sem_at(p, col, "Expected '*' after ( MODIFIED | ALL ) ( NEW | OLD ) in RETURNING clause");
    }
    if (peek(p) == Q_COMMA) {
        sem_at(p, p->i, "Invalid syntax with multiple returning elements in RETURNING clause");
        while (accept(p, Q_COMMA)) {
            if (!(is_kw(p, "all") || is_kw(p, "modified")) ||
                !(is_kw_at(p, 1, "old") || is_kw_at(p, 1, "new"))) {
                syn(p, "Expected ( MODIFIED | ALL ) ( NEW | OLD ) in each returning element.");
                return 0;
            }
            p->i += 2;
            if (!accept(p, Q_STAR) && !parse_expr(p, 0)) return 0;
        }
    }
    return 1;
}

static int parse_select(pq_t *p, expr_partiql_t *st)
{
    p->i++; /* SELECT */
    st->kind = EXPR_PQ_SELECT;
    if (is_kw(p, "value") || is_kw(p, "pivot")) {
        sem_at(p, p->i, "Select projection doesn't support value or pivot keywords");
        p->i++;
    }
    nvec_t paths = {0};
    int star = 0;
    size_t star_tok = 0;
    do {
        size_t t = p->i;
        if (accept(p, Q_STAR)) {
            star++;
            star_tok = t;
            continue;
        }
        node_t *x = parse_expr(p, 0);
        if (!x) return 0;
        if (is_kw(p, "as") || peek(p) == Q_IDENT || peek(p) == Q_QIDENT) {
            size_t at = p->i;
            accept_kw(p, "as");
            if (!name_token(p)) return 0;
            p->i++;
            sem_at(p, at, "Aliasing is not supported");
        }
        if (x->kind != N_PATH) {
            ddb_str_t s = {p->src + p->lx.t[t].start, p->lx.t[p->i - 1].end - p->lx.t[t].start};
            sem_at(p, t, "Unsupported operation: %.*s in the select list", (int)s.len, s.ptr);
        }
        nvec_push(p->a, &paths, x);
    } while (accept(p, Q_COMMA));
    if (star && (star > 1 || paths.n))
        return !!syn_at(
            p, star_tok,
            "Other expressions may not be present in the select list when '*' is used without dot "
            "notation.");
    if (!accept_kw(p, "from")) return !!syn(p, "Expected FROM after SELECT list");
    if (!parse_source(p, st) || !parse_where(p, st)) return 0;
    if (!star) {
        /* Results are keyed by each path's last name: two alike is DynamoDB's error. */
        expr_proj_t *pr = ARENA_NEW(p->a, expr_proj_t);
        pr->paths = paths.v;
        pr->n = paths.n;
        strset_t seen;
        strset_init(&seen, p->a, paths.n);
        for (uint32_t k = 0; k < paths.n && !p->sem_msg; k++) {
            const path_t *ph = &paths.v[k]->path;
            uint32_t last = ph->n;
            while (last > 0 && ph->el[last - 1].kind == PE_INDEX) last--;
            ddb_str_t nm = last ? ph->el[last - 1].name : DDB_STR("");
            bool added;
            strset_add(&seen, nm.ptr, nm.len, k, &added);
            if (!added)
                sem_at(p, paths.v[k]->tok, "Duplicate identifiers in select clause: %.*s", (int)nm.len,
                       nm.ptr);
        }
        if (!p->sem_msg &&
            expr__check_overlaps(p->a, p->err, "ProjectionExpression", pr->n, pr->paths) == DDB_OK)
            expr__proj_prepare(p->a, pr);
        else if (p->err->code) {
            sem_at(p, paths.v[0]->tok, "%s", p->err->msg);
            err_clear(p->err);
        }
        st->proj = pr;
    }
    if (is_kw(p, "order") && is_kw_at(p, 1, "by")) {
        size_t ot = p->i;
        p->i += 2;
        if (!st->where) sem_at(p, ot, "Must have WHERE clause in the statement when using ORDER BY clause.");
        size_t cap = 4;
        st->order = ARENA_NEWN(p->a, expr_pq_order_t, cap);
        do {
            size_t t = p->i;
            node_t *x = parse_expr(p, 0);
            if (!x) return 0;
            if (x->kind != N_PATH || x->path.n != 1)
                sem_at(p, t, "Argument to ORDER BY must be of type VariableReference. Type: %s",
                       x->kind == N_PATH    ? "Path"
                       : x->kind == N_VALUE ? "Literal"
                                            : "Expression");
            int desc = 0;
            if (accept_kw(p, "desc"))
                desc = 1;
            else
                accept_kw(p, "asc");
            if (st->norder == cap) {
                expr_pq_order_t *o = ARENA_NEWN(p->a, expr_pq_order_t, cap * 2);
                memcpy(o, st->order, cap * sizeof *o);
                st->order = o;
                cap *= 2;
            }
            st->order[st->norder].name = x->kind == N_PATH ? x->path.el[0].name : DDB_STR("");
            st->order[st->norder].desc = desc;
            st->norder++;
        } while (accept(p, Q_COMMA));
    }
    static const char *const unsupported[] = {"limit", "offset", "group", "having"};
    for (size_t k = 0; k < sizeof unsupported / sizeof unsupported[0]; k++)
        if (is_kw(p, unsupported[k])) {
            const char *up = k == 0 ? "LIMIT" : k == 1 ? "OFFSET" : k == 2 ? "GROUP BY" : "HAVING";
            sem_at(p, p->i, "Unsupported clause: %s", up);
            /* skip the clause so a syntax error after it still wins */
            while (peek(p) != Q_EOF && peek(p) != Q_SEMI) p->i++;
        }
    return 1;
}

static int parse_insert(pq_t *p, expr_partiql_t *st)
{
    p->i++; /* INSERT */
    if (!accept_kw(p, "into")) return !!syn(p, "Unexpected keyword");
    st->kind = EXPR_PQ_INSERT;
    size_t src = p->i;
    if (!parse_source(p, st)) return 0;
    if (st->has_index) sem_at(p, src, "This operation is not supported on an index");
    if (!accept_kw(p, "value")) {
        /* INSERT INTO t <bag> (VALUES (...), ... is one): PartiQL's multi-row form */
        sem_at(p, p->i,
               "Unsupported operation: Inserting multiple items in a single statement is not supported, use "
               "\"INSERT INTO tableName VALUE item\" instead");
        accept_kw(p, "values");
        do {
            if (!parse_expr(p, 0)) return 0;
        } while (accept(p, Q_COMMA));
        return 1;
    }
    size_t t = p->i;
    node_t *v = parse_expr(p, 0);
    if (!v) return 0;
    if (!is_src(v, SRC_STRUCT))
        sem_at(p, t,
               "Unsupported format in item expression. Please use struct format {...} to express item values "
               "for "
               "insert statement.");
    else
        st->item = (av_map_t *)&v->val->m;
    if (accept_kw(p, "at")) {
        if (!parse_expr(p, 0)) return 0;
        sem_at(p, t, "AT is not supported in insert statements.");
    }
    if (is_kw(p, "returning")) {
        size_t rt = p->i;
        if (!parse_returning(p, st)) return 0;
        sem_at(p, rt, "RETURNING is not supported in INSERT");
        st->returning = EXPR_PQ_RETURN_NONE;
    }
    return 1;
}

/* An update value: values, paths, + and -, list_append. */
static void check_update_value(pq_t *p, const node_t *n)
{
    switch (n->kind) {
    case N_PATH:
    case N_VALUE:
        return;
    case N_ARITH:
        if (n->op != T_PLUS && n->op != T_MINUS) {
            sem_at(p, n->tok, "Unsupported operator in Update Expression. Operator: %s", op_text(n));
            return;
        }
        check_update_value(p, n->kids[0]);
        check_update_value(p, n->kids[1]);
        return;
    case N_CALL:
        if (n->text.len == 2 && !memcmp(n->text.ptr, FROM_IS, 2)) {
            sem_at(p, n->tok, "IS operator is not supported in update expressions");
            return;
        }
        if (n->fn != F_LIST_APPEND) {
            sem_at(p, n->tok, "Unrecognized function: %.*s", (int)n->text.len, n->text.ptr);
            return;
        }
        if (n->nkids != 2) {
            sem_at(
                p, n->tok,
                "Incorrect number of operands for operator or function; operator or function: list_append, "
                "number of operands: %u",
                n->nkids);
            return;
        }
        check_update_value(p, n->kids[0]);
        check_update_value(p, n->kids[1]);
        return;
    case N_NOT:
        if (n->kids[0]->kind == N_CALL && n->kids[0]->text.len == 2 &&
            !memcmp(n->kids[0]->text.ptr, FROM_IS, 2)) {
            sem_at(p, n->tok, "IS operator is not supported in update expressions");
            return;
        }
        /* fall through */
    default:
        sem_at(p, n->tok, "Unsupported operator in Update Expression. Operator: %s", op_text(n));
        return;
    }
}

static int paths_equal(const path_t *x, const path_t *y)
{
    if (x->n != y->n) return 0;
    for (uint32_t k = 0; k < x->n; k++) {
        const pathel_t *a = &x->el[k], *b = &y->el[k];
        if (a->kind != b->kind) return 0;
        if (a->kind == PE_INDEX
                ? a->index != b->index
                : (a->name.len != b->name.len || memcmp(a->name.ptr, b->name.ptr, a->name.len)))
            return 0;
    }
    return 1;
}

/* path "=" value, with set_add / set_delete recognised at the top. */
static int parse_assignment(pq_t *p, uaction_t *u)
{
    size_t t = p->i;
    node_t *target = parse_expr(p, PREC_EQ); /* stops before "=" */
    if (!target) return 0;
    if (!accept(p, Q_EQ)) return !!syn(p, "Expected assignment for SET");
    node_t *v = parse_expr(p, 0);
    if (!v) return 0;
    if (target->kind != N_PATH) {
        ddb_str_t s = {p->src + p->lx.t[t].start, p->lx.t[t].end - p->lx.t[t].start};
        sem_at(p, t, "Unrecognized assignment target: %.*s", (int)s.len, s.ptr);
    }
    u->path = target;
    u->kind = UA_SET;
    u->value = v;
    int add = v->kind == N_CALL && !strcmp(v->text.ptr, "set_add");
    int del = v->kind == N_CALL && !strcmp(v->text.ptr, "set_delete");
    if (!add && !del) {
        check_update_value(p, v);
        return 1;
    }
    const char *op = add ? "ADD" : "DELETE";
    if (v->nkids != 2) {
        sem_at(p, v->tok, "SET_%s must have exactly two arguments", op);
        return 1;
    }
    if (v->kids[0]->kind != N_PATH || target->kind != N_PATH ||
        !paths_equal(&v->kids[0]->path, &target->path)) {
        sem_at(p, v->tok, "The first argument to SET_%s must equal the assignment value", op);
        return 1;
    }
    const node_t *s = v->kids[1];
    if (s->kind != N_VALUE || !s->val ||
        (s->val->type != AV_SS && s->val->type != AV_NS && s->val->type != AV_BS)) {
        sem_at(p, v->tok, "The second argument to SET_%s must be a value with type SET", op);
        return 1;
    }
    u->kind = add ? UA_ADD : UA_DELETE;
    u->value = v->kids[1];
    return 1;
}

static int parse_update(pq_t *p, expr_partiql_t *st)
{
    p->i++; /* UPDATE */
    st->kind = EXPR_PQ_UPDATE;
    size_t src = p->i;
    if (!parse_source(p, st)) return 0;
    if (st->has_index) sem_at(p, src, "This operation is not supported on an index");
    expr__actvec_t acts = {0};
    uint16_t clause = 0;
    while (is_kw(p, "set") || is_kw(p, "remove")) {
        int set = is_kw(p, "set");
        size_t kw = p->i++;
        if (set) {
            if (peek(p) == Q_EOF || is_kw(p, "where")) return !!syn(p, "Expected assignment for SET");
            do {
                uaction_t *u = expr__act_push(p->a, &acts);
                u->clause = clause;
                u->tok = (uint32_t)kw;
                if (!parse_assignment(p, u)) return 0;
            } while (accept(p, Q_COMMA));
        } else {
            do {
                size_t t = p->i;
                node_t *x = parse_expr(p, PREC_EQ);
                if (!x) return 0;
                if (x->kind != N_PATH) {
                    ddb_str_t s = tok_str(p, t);
                    sem_at(p, t, "Unrecognized assignment target: %.*s", (int)s.len, s.ptr);
                }
                uaction_t *u = expr__act_push(p->a, &acts);
                u->kind = UA_REMOVE;
                u->clause = clause;
                u->tok = (uint32_t)kw;
                u->path = x;
            } while (accept(p, Q_COMMA));
        }
        clause++;
    }
    if (!acts.n) return !!syn(p, "Expected data manipulation");
    expr_update_t *u = ARENA_NEW(p->a, expr_update_t);
    u->act = acts.v;
    u->n = acts.n;
    u->nclauses = clause;
    if (!p->sem_msg) {
        node_t **paths = ARENA_NEWN(p->a, node_t *, acts.n + 1);
        for (size_t k = 0; k < acts.n; k++) paths[k] = acts.v[k].path;
        if (expr__check_overlaps(p->a, p->err, "UpdateExpression", acts.n, paths)) {
            sem_at(p, acts.v[0].tok, "%s", p->err->msg);
            err_clear(p->err);
        }
    }
    st->update = u;
    return parse_where(p, st) && parse_returning(p, st);
}

static int parse_delete(pq_t *p, expr_partiql_t *st)
{
    p->i++; /* DELETE */
    if (!accept_kw(p, "from")) return !!syn(p, "Expected FROM after DELETE");
    st->kind = EXPR_PQ_DELETE;
    size_t src = p->i;
    if (!parse_source(p, st)) return 0;
    if (st->has_index) sem_at(p, src, "This operation is not supported on an index");
    if (!parse_where(p, st)) return 0;
    size_t rt = p->i;
    if (!parse_returning(p, st)) return 0;
    if (st->returning != EXPR_PQ_RETURN_NONE && st->returning != EXPR_PQ_RETURN_ALL_OLD) {
        static const char *const names[] = {"", "ALL OLD", "MODIFIED OLD", "ALL NEW", "MODIFIED NEW"};
        sem_at(p, rt,
               "Invalid returning clause: RETURNING %s *. Only RETURNING ALL OLD * is allowed in DELETE "
               "statements.",
               names[st->returning]);
    }
    return 1;
}

static int parse_statement(pq_t *p, expr_partiql_t *st)
{
    int ok;
    if (is_kw(p, "select")) {
        ok = parse_select(p, st);
    } else if (is_kw(p, "exists") && tk(p, 1)->kind == Q_LPAREN && is_kw_at(p, 2, "select")) {
        p->i += 2;
        ok = parse_select(p, st) && expect(p, Q_RPAREN);
        st->kind = EXPR_PQ_EXISTS;
    } else if (is_kw(p, "insert")) {
        ok = parse_insert(p, st);
    } else if (is_kw(p, "update")) {
        ok = parse_update(p, st);
    } else if (is_kw(p, "delete")) {
        ok = parse_delete(p, st);
    } else {
        return !!syn(p, "Expected data manipulation");
    }
    if (!ok) return 0;
    accept(p, Q_SEMI);
    if (peek(p) != Q_EOF) return !!syn(p, "Unexpected token after expression");
    return 1;
}

static void set_pos(const char *src, size_t len, size_t off, expr_pq_pos_t *pos)
{
    if (!pos) return;
    if (off > len) off = len;
    pos->offset = off;
    pos->line = 1;
    pos->column = 1;
    for (size_t k = 0; k < off; k++) {
        unsigned char c = (unsigned char)src[k];
        if (c == '\n') {
            pos->line++;
            pos->column = 1;
        } else if ((c & 0xC0) != 0x80) {
            pos->column++;
        }
    }
}

ddb_err_t expr_partiql_parse(arena_t *a, ddb_errctx_t *err, const char *text, size_t len, size_t nparams,
                             const av_t *params, expr_partiql_t **out, expr_pq_pos_t *pos)
{
    pq_t p;
    memset(&p, 0, sizeof p);
    p.a = a;
    p.err = err;
    p.src = text;
    p.len = len;
    p.nparams = nparams;
    p.params = params;
    expr__pq_lex(a, text, len, &p.lx);
    expr_partiql_t *st = ARENA_NEW(a, expr_partiql_t);
    int ok = parse_statement(&p, st);
    if (p.lx.bad && (!p.failed || p.fail_at >= p.lx.bad_at)) {
        /* the lexer stopped first: PartiQL reports that, without a message */
        p.failed = 1;
        p.fail_at = p.lx.bad_at;
        p.syn_msg = MALFORMED;
    }
    if (p.failed || !ok) {
        set_pos(text, len, p.fail_at, pos);
        return err_set(err, DDB_ERR_VALIDATION, "%s", p.syn_msg ? p.syn_msg : MALFORMED);
    }
    if (p.sem_msg) {
        set_pos(text, len, p.sem_at, pos);
        return err_set(err, DDB_ERR_VALIDATION, "%s", p.sem_msg);
    }
    if (p.used != nparams) {
        set_pos(text, len, len, pos);
        return err_set(err, DDB_ERR_VALIDATION, "Number of parameters in request and statement don't match.");
    }
    st->nparams = p.used;
    *out = st;
    return DDB_OK;
}
