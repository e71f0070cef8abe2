/*
 * fuzz_json: libFuzzer target for the JSON reader and writer (common/json.h), and (built with
 * DDB_FUZZ_REPLAY) a replay of its seed corpus that runs in ordinary CI.
 *
 * Input: any bytes, parsed as one JSON text with a depth limit of 200 (below the writer's 256).
 * Properties checked (abort() on a violation, with both texts on stderr):
 *   - a failed parse says why (err.msg) and where (err.offset <= len), and too_deep is only set
 *     with the depth message;
 *   - every parsed string, number and member name is NUL-terminated after its len bytes;
 *   - json_getn on each member's name finds the last member of that name;
 *   - writing the tree back with the jw_* calls (numbers with jw_raw, strings with jw_str) gives
 *     a text that parses again into the same tree: same types, counts, member names, string bytes
 *     (NULs included) and number text;
 *   - writing that second tree gives byte-identical text (the writer's output is a fixed point).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/json.h"
#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

#define MAX_DEPTH 200

static void fail(const char *what, const char *a, size_t alen, const char *b, size_t blen)
{
    fprintf(stderr, "fuzz_json: %s\n--- first (%zu bytes)\n%.*s\n--- second (%zu bytes)\n%.*s\n", what, alen,
            (int)alen, a ? a : "", blen, (int)blen, b ? b : "");
    abort();
}

static int str_eq(ddb_str_t a, ddb_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int terminated(ddb_str_t s)
{
    return s.ptr == NULL ? s.len == 0 : s.ptr[s.len] == 0;
}

/* Structural equality; also checks the NUL terminators of the first tree. */
static int same(const json_t *x, const json_t *y)
{
    if (x->type != y->type || x->n != y->n || !str_eq(x->key, y->key)) return 0;
    if (!terminated(x->key)) return 0;
    if (x->type == JSON_STRING || x->type == JSON_NUMBER) {
        if (!str_eq(x->str, y->str) || !terminated(x->str)) return 0;
        if (x->type == JSON_NUMBER && x->str.len == 0) return 0;
    }
    if (x->type != JSON_ARRAY && x->type != JSON_OBJECT) return 1;
    const json_t *a = x->child, *b = y->child;
    uint32_t n = 0;
    for (; a && b; a = a->next, b = b->next, n++)
        if (!same(a, b)) return 0;
    return !a && !b && n == x->n;
}

/* json_getn returns the last member of each name. */
static int getn_ok(const json_t *obj)
{
    if (obj->type == JSON_ARRAY) {
        for (const json_t *c = obj->child; c; c = c->next)
            if (!getn_ok(c)) return 0;
        return 1;
    }
    if (obj->type != JSON_OBJECT) return 1;
    for (const json_t *c = obj->child; c; c = c->next) {
        const json_t *g = json_getn(obj, c->key.ptr, c->key.len);
        if (!g || !str_eq(g->key, c->key)) return 0;
        for (const json_t *later = g->next; later; later = later->next)
            if (str_eq(later->key, c->key)) return 0;
        if (!getn_ok(c)) return 0;
    }
    return 1;
}

static void run(arena_t *a, const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    json_error_t err;
    memset(&err, 0, sizeof err);
    json_t *j = json_parse(a, text, size, MAX_DEPTH, &err);
    if (!j) {
        if (!err.msg || err.offset > size)
            fail("parse error without message or with offset past the end", text, size, NULL, 0);
        return;
    }
    if (err.too_deep) fail("too_deep set on success", text, size, NULL, 0);
    if (!getn_ok(j)) fail("json_getn did not find the last member of a name", text, size, NULL, 0);

    jw_t w;
    jw_init(&w, a, 64);
    jw_json(&w, j);
    if (w.depth != 0) fail("writer depth not back to 0", text, size, w.b.data, w.b.len);
    if (w.b.data[w.b.len] != 0) fail("writer text not NUL-terminated", text, size, w.b.data, w.b.len);

    json_error_t err2;
    json_t *j2 = json_parse(a, w.b.data, w.b.len, MAX_DEPTH, &err2);
    if (!j2) fail(err2.msg ? err2.msg : "written text does not parse", text, size, w.b.data, w.b.len);
    if (!same(j, j2)) fail("second parse differs from the first", text, size, w.b.data, w.b.len);

    jw_t w2;
    jw_init(&w2, a, 64);
    jw_json(&w2, j2);
    if (w2.b.len != w.b.len || memcmp(w2.b.data, w.b.data, w.b.len) != 0)
        fail("writer output is not a fixed point", w.b.data, w.b.len, w2.b.data, w2.b.len);
}

static arena_t *arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!arena) arena = arena_new(0);
    run(arena, data, size);
    arena_reset(arena);
    return 0;
}

void ddb_fuzz_cleanup(void)
{
    arena_free(arena);
    arena = NULL;
}
