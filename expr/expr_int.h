/*
 * expr_int.h: internals shared by the files of expr/ (never included from another folder).
 *
 * Pipeline of one expression: lex (tokens with byte offsets) -> parse (a tree of node_t, syntax
 * and redundant parentheses only) -> resolve (reserved words, functions, #names, :values,
 * operand types, overlapping paths; fills in resolved names and value pointers) -> eval /
 * update / projection, which only read the tree.
 *
 * Invariants after resolve: every PATH node has its elements' `name` resolved (placeholders
 * replaced), every VALUE node has `val` set, every CALL node has a known `fn`.
 */
#ifndef DDB_EXPR_INT_H
#define DDB_EXPR_INT_H

#include <stdint.h>

#include "expr/expr.h"

/* ---- lex.c ------------------------------------------------------------------------------- */

typedef enum {
    T_EOF,
    T_NAME,   /* letter [letter digit _]* (not a keyword) */
    T_HNAME,  /* #[A-Za-z0-9_]+ */
    T_VALUE,  /* :[A-Za-z0-9_]+ */
    T_INT,    /* 0 | [1-9][0-9]* */
    T_EQ,     /* = */
    T_NE,     /* <> */
    T_LT,     /* < */
    T_LE,     /* <= */
    T_GT,     /* > */
    T_GE,     /* >= */
    T_LPAREN, /* ( */
    T_RPAREN, /* ) */
    T_LBRACK, /* [ */
    T_RBRACK, /* ] */
    T_COMMA,  /* , */
    T_DOT,    /* . */
    T_PLUS,   /* + */
    T_MINUS,  /* - */
    T_AND,    /* keywords, any case */
    T_OR,
    T_NOT,
    T_BETWEEN,
    T_IN,
    T_SET,
    T_REMOVE,
    T_ADD,
    T_DELETE,
    T_BAD, /* any other character (one UTF-8 sequence), or a lone # or : */
} tok_kind_t;

typedef struct {
    uint8_t kind;
    uint32_t start, end; /* byte offsets in the source */
} tok_t;

typedef struct {
    const char *src;
    size_t len;
    tok_t *t; /* n tokens, the last one T_EOF */
    size_t n;
} lexed_t;

/** Tokenize `src` into the arena. Never fails (bad characters become T_BAD tokens). */
void expr__lex(arena_t *a, const char *src, size_t len, lexed_t *out);
/** Printable text of a token ("<EOF>" for the end). */
ddb_str_t expr__tok_text(const lexed_t *lx, size_t i);
/** Whether a token kind is a comparator (= <> < <= > >=). */
int expr__tok_is_cmp(int kind);

/* ---- the tree ---------------------------------------------------------------------------- */

typedef enum {
    N_OR,
    N_AND,
    N_NOT,
    N_CMP,     /* op: T_EQ .. T_GE; kids[0], kids[1] */
    N_BETWEEN, /* kids[0] BETWEEN kids[1] AND kids[2] */
    N_IN,      /* kids[0] IN (kids[1..n)) */
    N_CALL,    /* fn(kids...) */
    N_PATH,
    N_VALUE,
    N_ARITH, /* op: T_PLUS or T_MINUS */
} node_kind_t;

typedef enum {
    F_UNKNOWN,
    F_ATTRIBUTE_EXISTS,
    F_ATTRIBUTE_NOT_EXISTS,
    F_ATTRIBUTE_TYPE,
    F_BEGINS_WITH,
    F_CONTAINS,
    F_SIZE,
    F_IF_NOT_EXISTS,
    F_LIST_APPEND,
} func_t;

typedef enum { PE_NAME, PE_HNAME, PE_INDEX } pathel_kind_t;

typedef struct {
    uint8_t kind;   /* pathel_kind_t */
    uint32_t tok;   /* token index (for messages), UINT32_MAX for built paths */
    ddb_str_t text; /* as written: name, #key, or the digits */
    ddb_str_t name; /* resolved attribute name (PE_NAME, PE_HNAME) */
    uint32_t index; /* PE_INDEX */
} pathel_t;

typedef struct {
    uint32_t n;
    pathel_t *el;
} path_t;

typedef struct node node_t;
struct node {
    uint8_t kind;   /* node_kind_t */
    uint8_t op;     /* N_CMP / N_ARITH operator token kind */
    uint8_t fn;     /* N_CALL: func_t */
    uint8_t parens; /* written inside parentheses */
    uint32_t tok;   /* token of the operator, function name, value or first path element */
    uint32_t nkids;
    node_t **kids;
    path_t path;     /* N_PATH */
    ddb_str_t text;  /* N_VALUE: ":v"; N_CALL: the function name */
    const av_t *val; /* N_VALUE after resolve */
};

struct expr_cond {
    node_t *root;
    size_t npaths; /* document paths in the tree: eval indexes big items when there are many */
};

typedef enum { UA_SET, UA_REMOVE, UA_ADD, UA_DELETE } ua_kind_t;

typedef struct {
    uint8_t kind;   /* ua_kind_t */
    uint8_t legacy; /* from AttributeUpdates: ADD appends lists, legacy type messages */
    uint16_t clause;
    uint32_t tok;  /* token of the clause keyword */
    node_t *path;  /* N_PATH */
    node_t *value; /* SET: the value; ADD/DELETE: an N_VALUE; REMOVE: NULL */
} uaction_t;

/** A growing list of update actions in an arena (UpdateExpression's and PartiQL's SET / REMOVE). */
typedef struct {
    uaction_t *v;
    size_t n, cap;
} expr__actvec_t;
/** Append a zeroed action to v (parse.c). */
uaction_t *expr__act_push(arena_t *a, expr__actvec_t *v);

struct expr_update {
    size_t n;
    uaction_t *act;
    uint16_t nclauses;
};

struct expr_proj {
    size_t n;
    node_t **paths;
    void *tree; /* the paths as a tree (path.c), built once by expr__proj_prepare; NULL: per call */
};

/* ---- parse.c ----------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    ddb_errctx_t *err;
    const char *label; /* "ConditionExpression", ... */
    lexed_t lx;
} pstate_t;

/** Each returns DDB_OK and the tree, or records the syntax / redundant-parentheses error. */
ddb_err_t expr__parse_condition(pstate_t *ps, node_t **out);
ddb_err_t expr__parse_update(pstate_t *ps, expr_update_t **out);
ddb_err_t expr__parse_projection(pstate_t *ps, expr_proj_t **out);

/* ---- resolve.c --------------------------------------------------------------------------- */

/** The error context a substitution context reports to. */
ddb_errctx_t *expr__ctx_err(expr_ctx_t *c);
/** The text of a comparison or arithmetic token (T_EQ "=", T_NE "<>", ..., T_MINUS "-"), or NULL. */
const char *expr__op_text(int op);
/** Label of an expression kind ("ConditionExpression", ...). */
const char *expr__label(expr_kind_t kind);
/** Whether a bare name is one of DynamoDB's reserved words (any case). */
int expr__is_reserved(const char *s, size_t n);
/** Record "Invalid <label>: <message>". */
ddb_err_t expr__fail(ddb_errctx_t *err, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Short wire name of a value's type ("S", "NS", ...). */
const char *expr__type_name(const av_t *v);
/** Node constructors (parse.c), also for legacy.c. */
node_t *expr__node(arena_t *a, int kind, uint32_t nkids);
node_t *expr__path_node(arena_t *a, ddb_str_t name);
node_t *expr__value_node(arena_t *a, const av_t *v);
/** Text of a path as in DynamoDB's messages: "[a, b, [3]]". */
const char *expr__path_text(arena_t *a, const path_t *p);
/** Overlap / conflict check over paths (updates and projections). */
ddb_err_t expr__check_overlaps(arena_t *a, ddb_errctx_t *err, const char *label, size_t n,
                               node_t *const *paths);

/* ---- path.c ------------------------------------------------------------------------------ */

/** Value at a path in an item, or NULL (missing, or a step of the wrong type). */
const av_t *expr__path_get(const av_map_t *item, const path_t *p);
/** Same, for the first `depth` elements only. */
const av_t *expr__path_get_n(const av_map_t *item, const path_t *p, uint32_t depth);
/** Mutable version over a copied item. */
av_t *expr__path_get_mut(av_map_t *item, const path_t *p, uint32_t depth);
/** Deep-copy an item into the arena (the update works on the copy). */
av_map_t *expr__map_clone(arena_t *a, const av_map_t *m);
/** Set member `name` of a map (replace or append). */
void expr__map_set(arena_t *a, av_map_t *m, ddb_str_t name, const av_t *v);
/** Remove member `name` of a map, keeping the order of the others. */
void expr__map_del(av_map_t *m, ddb_str_t name);
/** Bytes identifying element `e` under the tree node `parent` (pointer, map-or-list, name or
 *  index), in the arena: the key of the hash sets that build path trees in linear time. */
const char *expr__el_key(arena_t *a, const void *parent, const pathel_t *e, size_t *len);
/** Build p->tree so each expr_projection_apply costs O(item), not O(paths). Returns the index
 *  of the first path equal to an earlier one, or p->n. */
size_t expr__proj_prepare(arena_t *a, expr_proj_t *p);

/** Indexed member access for big or changing maps (see path.c); lives in one arena. */
typedef struct expr__maps expr__maps_t;
expr__maps_t *expr__maps_new(arena_t *a);
/** Member `name` of `m` (mx NULL: a plain scan), or NULL. Removed members are skipped. */
av_t *expr__maps_member(expr__maps_t *mx, const av_map_t *m, ddb_str_t name);
/** expr__path_get_n through the index. */
const av_t *expr__maps_path_get(expr__maps_t *mx, const av_map_t *item, const path_t *p, uint32_t depth);
/** Replace or append member `name` (amortized O(1)); the map must belong to the caller. */
void expr__maps_set(expr__maps_t *mx, av_map_t *m, ddb_str_t name, const av_t *v);
/** Remove member `name` (a tombstone until expr__maps_finish). */
void expr__maps_del(expr__maps_t *mx, av_map_t *m, ddb_str_t name);
/** Squeeze the tombstones out of `item` (every map in it); call once after the writes. */
void expr__maps_finish(expr__maps_t *mx, av_map_t *item);
/** Projection of a set of paths onto an item (shared by projections and UPDATED_*). */
av_map_t *expr__project(arena_t *a, const av_map_t *item, size_t n, const path_t *const *paths);

/* ---- eval.c ------------------------------------------------------------------------------ */

/** Value of an operand for an item; size() results are written into *scratch. */
const av_t *expr__operand(const node_t *n, const av_map_t *item, av_t *scratch, char *numbuf);
/** Count the N_PATH nodes of a tree (for expr_cond.npaths). */
size_t expr__count_paths(const node_t *n);
/** Set membership test shared with update.c (elements compared as DynamoDB does). */
int expr__set_has(const av_t *set, const av_t *elem);

/* ---- partiql_lex.c, partiql.c, partiql_plan.c ----------------------------------------------- */

typedef enum {
    Q_EOF,
    Q_IDENT,   /* [A-Za-z_$][A-Za-z0-9_$]* that is not a keyword */
    Q_QIDENT,  /* "quoted" ("" inside stands for one ") */
    Q_KEYWORD, /* one of PartiQL's keywords (SQL-92 + PartiQL), any case; kw says which */
    Q_STRING,  /* 'text' ('' inside stands for one ') */
    Q_NUMBER,  /* digits [. digits] [e [+-] digits], or . digits ... */
    Q_PARAM,   /* ? */
    Q_EQ,      /* = */
    Q_NE,      /* <> or != */
    Q_LT,
    Q_LE,
    Q_GT,
    Q_GE,
    Q_PLUS,
    Q_MINUS,
    Q_STAR,
    Q_SLASH,
    Q_PERCENT,
    Q_CONCAT, /* || */
    Q_AT,     /* @ */
    Q_LPAREN,
    Q_RPAREN,
    Q_LBRACK,
    Q_RBRACK,
    Q_LBRACE,
    Q_RBRACE,
    Q_LBAG, /* << */
    Q_RBAG, /* >> */
    Q_COMMA,
    Q_DOT,
    Q_COLON,
    Q_SEMI,
    Q_ION, /* `...` (Ion literal: not supported by DynamoDB) */
} qtok_kind_t;

typedef struct {
    uint8_t kind;        /* qtok_kind_t */
    uint16_t kw;         /* Q_KEYWORD: index in the keyword table (expr__pq_kw_*) */
    uint32_t start, end; /* byte offsets in the statement */
} qtok_t;

typedef struct {
    qtok_t *t; /* n tokens, the last one Q_EOF */
    size_t n;
    int bad;         /* the lexer stopped at an invalid character or an unterminated token */
    uint32_t bad_at; /* ... at this byte offset */
} qlexed_t;

/** Tokenize a PartiQL statement (comments and whitespace dropped). Never allocates more than
 *  one token per input byte plus one. */
void expr__pq_lex(arena_t *a, const char *src, size_t len, qlexed_t *out);
/** Keyword index of a lower-case word, or -1 (for the parser's named keywords). */
int expr__pq_kw(const char *lower);
/** Lower-case text of keyword `kw`. */
const char *expr__pq_kw_text(int kw);

#endif
