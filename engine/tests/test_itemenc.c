/*
 * test_itemenc: decode(encode(item)) is the identity for items of every type (including NUL bytes,
 * nesting, empty strings and lists), and truncated or altered records are rejected, never crash.
 */
#include "engine/engine_int.h"

#include <stdlib.h>

#include "common/tests/check.h"

static ddb_str_t S(const char *p, size_t n)
{
    return (ddb_str_t){p, n};
}

static av_t scalar(av_type_t t, const char *p, size_t n)
{
    av_t v = {0};
    v.type = t;
    v.s = S(p, n);
    return v;
}

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) & 0x7fff;
}

static void random_value(arena_t *a, av_t *v, int depth)
{
    static const char *nums[] = {
        "0", "1", "-1", "3.14", "1000000", "-0.001", "12345678901234567890123456789012345678"};
    int t = (int)(rnd() % (depth > 3 ? 6 : 10));
    memset(v, 0, sizeof *v);
    switch (t) {
    case 0: {
        size_t n = rnd() % 20;
        char *p = arena_alloc(a, n + 1);
        for (size_t i = 0; i < n; i++) p[i] = (char)(rnd() & 0xff);
        *v = scalar(AV_S, p, n);
        break;
    }
    case 1: {
        const char *n = nums[rnd() % 7];
        *v = scalar(AV_N, n, strlen(n));
        break;
    }
    case 2: {
        size_t n = rnd() % 10;
        char *p = arena_alloc(a, n + 1);
        for (size_t i = 0; i < n; i++) p[i] = (char)(rnd() & 0xff);
        *v = scalar(AV_B, p, n);
        break;
    }
    case 3:
        v->type = AV_BOOL;
        v->b = rnd() & 1;
        break;
    case 4:
        v->type = AV_NULL;
        break;
    case 5: {
        v->type = AV_SS + (int)(rnd() % 3);
        v->l.n = 1 + rnd() % 4;
        v->l.items = ARENA_NEWN(a, av_t, v->l.n);
        for (size_t i = 0; i < v->l.n; i++) {
            char *p = arena_sprintf(a, "%zu", i);
            v->l.items[i] = scalar(v->type == AV_SS ? AV_S : v->type == AV_NS ? AV_N : AV_B, p, strlen(p));
        }
        break;
    }
    case 6:
    case 7: {
        v->type = AV_L;
        v->l.n = rnd() % 4;
        v->l.items = ARENA_NEWN(a, av_t, v->l.n + 1);
        for (size_t i = 0; i < v->l.n; i++) random_value(a, &v->l.items[i], depth + 1);
        break;
    }
    default: {
        v->type = AV_M;
        v->m.n = rnd() % 4;
        v->m.kvs = ARENA_NEWN(a, av_kv_t, v->m.n + 1);
        for (size_t i = 0; i < v->m.n; i++) {
            char *p = arena_sprintf(a, "k%zu", i);
            v->m.kvs[i].name = S(p, strlen(p));
            random_value(a, &v->m.kvs[i].val, depth + 1);
        }
        break;
    }
    }
}

/* Structural identity (stricter than av_equal: same member order, same N text). */
static bool same(const av_t *x, const av_t *y)
{
    if (x->type != y->type) return false;
    switch (x->type) {
    case AV_S:
    case AV_N:
    case AV_B:
        return x->s.len == y->s.len && memcmp(x->s.ptr, y->s.ptr, x->s.len) == 0;
    case AV_BOOL:
        return x->b == y->b;
    case AV_NULL:
        return true;
    case AV_M:
        if (x->m.n != y->m.n) return false;
        for (size_t i = 0; i < x->m.n; i++)
            if (ddb_str_cmp(x->m.kvs[i].name, y->m.kvs[i].name) || !same(&x->m.kvs[i].val, &y->m.kvs[i].val))
                return false;
        return true;
    default:
        if (x->l.n != y->l.n) return false;
        for (size_t i = 0; i < x->l.n; i++)
            if (!same(&x->l.items[i], &y->l.items[i])) return false;
        return true;
    }
}

int main(void)
{
    arena_t *a = arena_new(0);

    /* worked example from docs/storage-format.md */
    av_kv_t kvs[2] = {{S("pk", 2), scalar(AV_S, "a", 1)}, {S("n", 1), scalar(AV_N, "12", 2)}};
    av_map_t item = {2, kvs};
    buf_t b;
    buf_init(&b, a, 16);
    itemenc__encode(&b, &item);
    static const unsigned char expect[] = {0x01, 0x02, 0x02, 'p',  'k',  0x01, 0x01,
                                           'a',  0x01, 'n',  0x02, 0x02, '1',  '2'};
    CHECK_MEM(b.data, b.len, expect, sizeof expect);

    /* random round trips */
    for (int iter = 0; iter < 2000; iter++) {
        arena_reset(a);
        av_t v;
        random_value(a, &v, 0);
        av_kv_t kv = {S("attr\0x", 6), v};
        av_map_t it = {1, &kv};
        buf_t enc;
        buf_init(&enc, a, 64);
        itemenc__encode(&enc, &it);
        av_map_t out;
        CHECK_INT(itemenc__decode(a, enc.data, enc.len, &out), 0);
        CHECK_INT(out.n, 1);
        if (out.n == 1) {
            CHECK(ddb_str_cmp(out.kvs[0].name, kv.name) == 0);
            CHECK(same(&out.kvs[0].val, &v));
        }
        /* every strict prefix is rejected */
        for (size_t cut = 0; cut < enc.len; cut++) {
            av_map_t junk;
            if (itemenc__decode(a, enc.data, cut, &junk) == 0) {
                CHECK(!"truncated record accepted");
                break;
            }
        }
        /* a flipped byte never crashes (it may still decode to something) */
        char *copy = arena_memdup(a, enc.data, enc.len);
        copy[rnd() % enc.len] ^= (char)(1 + rnd() % 255);
        av_map_t junk;
        (void)itemenc__decode(a, copy, enc.len, &junk);
    }
    /* wrong version byte */
    static const char v2[] = {0x02, 0x00};
    av_map_t junk;
    CHECK_INT(itemenc__decode(a, v2, 2, &junk), -1);
    /* trailing garbage */
    static const char trail[] = {0x01, 0x00, 0x00};
    CHECK_INT(itemenc__decode(a, trail, 3, &junk), -1);
    arena_free(a);
    return check_done("test_itemenc");
}
