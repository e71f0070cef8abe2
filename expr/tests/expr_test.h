/*
 * expr_test.h: helpers shared by the expr unit tests (not a test itself: CMake registers only
 * test_*.c). Values and items are written in DynamoDB's wire JSON, except that B values hold
 * their raw bytes instead of base64 so tests stay readable: {"B":"ab"} is the two bytes 'a' 'b'.
 * Results are shown in the same compact JSON, members in item order, so a test compares text.
 *
 * Every helper returns either the result text or "ERR: <message>", so one CHECK_STR covers
 * both the value and the exact error.
 */
#ifndef DDB_EXPR_TEST_H
#define DDB_EXPR_TEST_H

#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/tests/check.h"
#include "expr/expr_int.h"

static arena_t *A;
static ddb_errctx_t E;

static inline void t_reset(void)
{
    if (!A) A = arena_new(0);
    arena_reset(A);
    err_init(&E, A);
}

static inline void to_av(const json_t *j, av_t *out);

static inline void to_map(const json_t *j, av_map_t *m)
{
    m->n = 0;
    m->kvs = ARENA_NEWN(A, av_kv_t, j->n + 1);
    for (const json_t *c = j->child; c; c = c->next) {
        m->kvs[m->n].name = c->key;
        to_av(c, &m->kvs[m->n].val);
        m->n++;
    }
}

static inline void to_av(const json_t *j, av_t *out)
{
    memset(out, 0, sizeof *out);
    const json_t *m = j->child;
    if (!m) abort();
    av_type_t t = av_type_from_name(m->key.ptr, m->key.len);
    out->type = t;
    switch (t) {
    case AV_S:
    case AV_N:
    case AV_B:
        out->s = m->str;
        break;
    case AV_BOOL:
        out->b = m->type == JSON_TRUE;
        break;
    case AV_NULL:
        break;
    case AV_M:
        to_map(m, &out->m);
        break;
    case AV_L:
    case AV_SS:
    case AV_NS:
    case AV_BS: {
        out->l.items = ARENA_NEWN(A, av_t, m->n + 1);
        for (const json_t *c = m->child; c; c = c->next) {
            av_t *e = &out->l.items[out->l.n++];
            if (t == AV_L) {
                to_av(c, e);
            } else {
                e->type = t == AV_SS ? AV_S : t == AV_NS ? AV_N : AV_B;
                e->s = c->str;
            }
        }
        break;
    }
    default:
        abort();
    }
}

static inline json_t *t_json(const char *text)
{
    json_error_t je;
    json_t *j = json_parse(A, text, strlen(text), 200, &je);
    if (!j) {
        fprintf(stderr, "bad test JSON at %zu: %s: %s\n", je.offset, je.msg, text);
        abort();
    }
    return j;
}

/* One value: V("{\"S\":\"x\"}"). */
static inline av_t *V(const char *text)
{
    av_t *v = ARENA_NEW(A, av_t);
    to_av(t_json(text), v);
    return v;
}

/* An item (or key): ITEM("{\"a\":{\"N\":\"1\"}}"); NULL stays NULL. */
static inline av_map_t *ITEM(const char *text)
{
    if (!text) return NULL;
    av_map_t *m = ARENA_NEW(A, av_map_t);
    to_map(t_json(text), m);
    return m;
}

static inline void show_map(buf_t *b, const av_map_t *m);

static inline void show(buf_t *b, const av_t *v)
{
    buf_printf(b, "{\"%s\":", av_type_name(v->type));
    switch (v->type) {
    case AV_S:
    case AV_N:
    case AV_B:
        buf_putc(b, '"');
        buf_put(b, v->s.ptr, v->s.len);
        buf_putc(b, '"');
        break;
    case AV_BOOL:
        buf_puts(b, v->b ? "true" : "false");
        break;
    case AV_NULL:
        buf_puts(b, "true");
        break;
    case AV_M:
        show_map(b, &v->m);
        break;
    default:
        buf_putc(b, '[');
        for (size_t i = 0; i < v->l.n; i++) {
            if (i) buf_putc(b, ',');
            if (v->type == AV_L) {
                show(b, &v->l.items[i]);
            } else {
                buf_putc(b, '"');
                buf_put(b, v->l.items[i].s.ptr, v->l.items[i].s.len);
                buf_putc(b, '"');
            }
        }
        buf_putc(b, ']');
        break;
    }
    buf_putc(b, '}');
}

static inline void show_map(buf_t *b, const av_map_t *m)
{
    buf_putc(b, '{');
    for (size_t i = 0; i < m->n; i++) {
        if (i) buf_putc(b, ',');
        buf_printf(b, "\"%.*s\":", (int)m->kvs[i].name.len, m->kvs[i].name.ptr);
        show(b, &m->kvs[i].val);
    }
    buf_putc(b, '}');
}

static inline const char *SHOW_MAP(const av_map_t *m)
{
    if (!m) return "NONE";
    buf_t b;
    buf_init(&b, A, 128);
    show_map(&b, m);
    return b.data;
}

static inline const char *ERRTEXT(void)
{
    return arena_sprintf(A, "ERR: %s", E.msg ? E.msg : "(no message)");
}

/* A context from {"#n":"name"} and {":v":{...}} (either may be NULL: absent). */
static inline expr_ctx_t *CTX(const char *names, const char *values)
{
    expr_ctx_t *c = expr_ctx_new(A, &E);
    if (names) {
        json_t *j = t_json(names);
        ddb_str_t *k = ARENA_NEWN(A, ddb_str_t, j->n + 1), *v = ARENA_NEWN(A, ddb_str_t, j->n + 1);
        size_t n = 0;
        for (const json_t *m = j->child; m; m = m->next, n++) {
            k[n] = m->key;
            v[n] = m->str;
        }
        if (expr_ctx_set_names(c, n, k, v)) return NULL;
    }
    if (values) {
        json_t *j = t_json(values);
        ddb_str_t *k = ARENA_NEWN(A, ddb_str_t, j->n + 1);
        av_t *v = ARENA_NEWN(A, av_t, j->n + 1);
        size_t n = 0;
        for (const json_t *m = j->child; m; m = m->next, n++) {
            k[n] = m->key;
            to_av(m, &v[n]);
        }
        if (expr_ctx_set_values(c, n, k, v)) return NULL;
    }
    return c;
}

/* Parse a condition of `kind`; "OK" or the error (unused names/values checked too). */
static inline const char *cond_msg(expr_kind_t kind, const char *expr, const char *names, const char *values)
{
    t_reset();
    expr_ctx_t *c = CTX(names, values);
    expr_cond_t *cond;
    if (!c || expr_condition_parse(c, kind, expr, strlen(expr), &cond) || expr_ctx_check_unused(c))
        return ERRTEXT();
    return "OK";
}

#define COND(expr, names, values) cond_msg(EXPR_CONDITION, (expr), (names), (values))

/* Evaluate a condition on an item: "true", "false" or the parse error. */
static inline const char *EVAL(const char *expr, const char *names, const char *values, const char *item)
{
    t_reset();
    expr_ctx_t *c = CTX(names, values);
    expr_cond_t *cond;
    if (!c || expr_condition_parse(c, EXPR_CONDITION, expr, strlen(expr), &cond)) return ERRTEXT();
    return expr_condition_eval(cond, ITEM(item)) ? "true" : "false";
}

/* Apply an update; the new item, "NONE" (nothing written), or the error. */
static inline const char *UPD(const char *expr, const char *names, const char *values, const char *item,
                              const char *key)
{
    t_reset();
    expr_ctx_t *c = CTX(names, values);
    expr_update_t *u;
    if (!c || expr_update_parse(c, expr, strlen(expr), &u) || expr_ctx_check_unused(c)) return ERRTEXT();
    expr_update_result_t res;
    if (expr_update_apply(u, ITEM(item), ITEM(key), A, &E, &res)) return ERRTEXT();
    return SHOW_MAP(res.item);
}

/* Parse an update only: "OK" or the error. */
static inline const char *UPARSE(const char *expr, const char *names, const char *values)
{
    t_reset();
    expr_ctx_t *c = CTX(names, values);
    expr_update_t *u;
    if (!c || expr_update_parse(c, expr, strlen(expr), &u) || expr_ctx_check_unused(c)) return ERRTEXT();
    return "OK";
}

/* Apply a projection: the projected item or the error. */
static inline const char *PROJ(const char *expr, const char *names, const char *item)
{
    t_reset();
    expr_ctx_t *c = CTX(names, NULL);
    expr_proj_t *p;
    if (!c || expr_projection_parse(c, expr, strlen(expr), &p) || expr_ctx_check_unused(c)) return ERRTEXT();
    return SHOW_MAP(expr_projection_apply(p, ITEM(item), A));
}

#endif
