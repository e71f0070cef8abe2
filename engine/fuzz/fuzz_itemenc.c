/*
 * fuzz_itemenc: libFuzzer target for the stored-item decoder (engine/itemenc.c) and the key
 * encoding (engine/keyenc.c), and (built with DDB_FUZZ_REPLAY) a replay of its seed corpus that
 * runs in ordinary CI.
 *
 * Input: the bytes of a stored record (version byte 0x01, member count, members; see itemenc.c).
 * Properties checked (abort() with a hex dump on a violation):
 *   - itemenc__decode of any bytes returns without reading outside them (ASan) and, for every
 *     truncation of a record that decodes, fails cleanly;
 *   - when it decodes: encode(decoded) is no longer than the input (only non-minimal varints
 *     can make the input longer), decodes again into exactly the same tree (types, order, names,
 *     bytes), and encoding that tree gives the same bytes (the encoding is a fixed point);
 *   - when the decoded item is a valid item (unique member names, numbers DynamoDB accepts,
 *     distinct set elements): av_map_equal(item, item') holds;
 *   - keys: for top-level S, N and B members (N only when valid), kenc_get(kenc_put(v)) == v,
 *     and for every pair of the same type the memcmp order of the encodings equals
 *     av_scalar_cmp's, also for the concatenation of two parts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fuzz/av_same.h"
#include "common/decimal.h"
#include "engine/engine_int.h"
#include "engine/keyenc.h"
#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

static const uint8_t *IN;
static size_t IN_LEN;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) fail(__LINE__, #cond);                                                                  \
    } while (0)

static void fail(int line, const char *what)
{
    fprintf(stderr, "fuzz_itemenc: line %d: check failed: %s\ninput (%zu bytes):", line, what, IN_LEN);
    for (size_t i = 0; i < IN_LEN && i < 512; i++) fprintf(stderr, "%s%02x", i % 32 ? " " : "\n  ", IN[i]);
    fprintf(stderr, "\n");
    abort();
}

static int valid_number(ddb_str_t s)
{
    dec_t d;
    return dec_parse(s.ptr, s.len, &d) == DEC_OK;
}

static int valid_value(const av_t *v);

static int valid_map(const av_map_t *m)
{
    for (size_t i = 0; i < m->n; i++) {
        for (size_t j = 0; j < i; j++)
            if (fz_str_same(m->kvs[i].name, m->kvs[j].name)) return 0;
        if (!valid_value(&m->kvs[i].val)) return 0;
    }
    return 1;
}

/* What avjson would accept: unique names, numbers DynamoDB accepts, non-empty distinct sets. */
static int valid_value(const av_t *v)
{
    switch (v->type) {
    case AV_N:
        return valid_number(v->s);
    case AV_M:
        return valid_map(&v->m);
    case AV_L:
        for (size_t i = 0; i < v->l.n; i++)
            if (!valid_value(&v->l.items[i])) return 0;
        return 1;
    case AV_SS:
    case AV_NS:
    case AV_BS:
        if (v->l.n == 0) return 0;
        for (size_t i = 0; i < v->l.n; i++) {
            if (v->type == AV_NS && !valid_number(v->l.items[i].s)) return 0;
            for (size_t j = 0; j < i; j++)
                if (av_scalar_cmp(&v->l.items[i], &v->l.items[j]) == 0) return 0;
        }
        return 1;
    default:
        return 1;
    }
}

static int memcmp_order(const buf_t *a, const buf_t *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->data, b->data, n);
    if (c) return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
}

static int sgn(int v)
{
    return (v > 0) - (v < 0);
}

/* Key encoding round trip and order over the top-level scalars (at most 16 of them). */
static void check_keys(arena_t *a, const av_map_t *item)
{
    const av_t *vals[16];
    buf_t enc[16];
    size_t n = 0;
    for (size_t i = 0; i < item->n && n < 16; i++) {
        const av_t *v = &item->kvs[i].val;
        if (v->type != AV_S && v->type != AV_B && !(v->type == AV_N && valid_number(v->s))) continue;
        buf_init(&enc[n], a, 32);
        kenc_put(&enc[n], v);
        av_t back;
        size_t used = kenc_get(a, enc[n].data, enc[n].len, v->type, &back);
        CHECK(used == enc[n].len);
        CHECK(back.type == v->type);
        CHECK(v->type == AV_N ? av_scalar_cmp(&back, v) == 0 : fz_str_same(back.s, v->s));
        /* A truncated encoding is rejected (self-delimiting). */
        CHECK(kenc_get(a, enc[n].data, enc[n].len - 1, v->type, &back) == 0);
        vals[n++] = v;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            if (vals[i]->type != vals[j]->type) continue;
            int want = sgn(av_scalar_cmp(vals[i], vals[j]));
            CHECK(memcmp_order(&enc[i], &enc[j]) == want);
            /* Two-part keys (x, y) sort by x first, then y. */
            buf_t p, q;
            buf_init(&p, a, 64);
            buf_init(&q, a, 64);
            buf_put(&p, enc[i].data, enc[i].len);
            buf_put(&p, enc[j].data, enc[j].len);
            buf_put(&q, enc[j].data, enc[j].len);
            buf_put(&q, enc[i].data, enc[i].len);
            int want2 = want ? want : sgn(av_scalar_cmp(vals[j], vals[i]));
            CHECK(memcmp_order(&p, &q) == want2);
        }
}

static void run(arena_t *a, const uint8_t *data, size_t size)
{
    /* A private copy of exactly `size` bytes: decoded strings point into it. */
    char *in = arena_alloc(a, size ? size : 1);
    memcpy(in, data, size);
    av_map_t item;
    if (itemenc__decode(a, in, size, &item) != 0) return;

    /* Every proper prefix of a decodable record is corrupt (nothing optional at the end). */
    for (size_t cut = 0; cut < size && cut < 256; cut++) {
        av_map_t part;
        CHECK(itemenc__decode(a, in, cut, &part) != 0);
    }

    buf_t b;
    buf_init(&b, a, size + 16);
    itemenc__encode(&b, &item);
    CHECK(b.len <= size);
    av_map_t item2;
    CHECK(itemenc__decode(a, b.data, b.len, &item2) == 0);
    CHECK(fz_same_map(&item, &item2));
    buf_t b2;
    buf_init(&b2, a, b.len + 16);
    itemenc__encode(&b2, &item2);
    CHECK(b2.len == b.len && memcmp(b2.data, b.data, b.len) == 0);
    /* With minimal varints the input itself is the canonical encoding. */
    if (b.len == size) CHECK(memcmp(b.data, in, size) == 0);

    if (valid_map(&item)) {
        CHECK(av_map_equal(&item, &item2));
        (void)av_item_size(&item);
    }
    check_keys(a, &item);
}

static arena_t *arena;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    IN = data;
    IN_LEN = size;
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
