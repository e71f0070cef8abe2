/*
 * fuzz_avjson: libFuzzer target for the wire AttributeValue decoder and writer (server/avjson.c)
 * on top of the JSON reader, plus the stored-item encoding (engine/itemenc.c), and (built with
 * DDB_FUZZ_REPLAY) a replay of its seed corpus that runs in ordinary CI.
 *
 * Input: a JSON text. When it is an object it is decoded as an item ({"a":{"S":"x"},...}) with
 * avjson_map, as PutItem decodes Item (an arena and an error context; no engine).
 * Properties checked (abort() with the texts on stderr on a violation):
 *   - a rejected item records ValidationException or SerializationException with a message;
 *   - an accepted item is valid: unique member names, numbers in canonical text, non-empty sets
 *     without duplicates, at most 32 levels of nesting;
 *   - avjson_write_map, parsed and decoded again, gives exactly the same item (types, member
 *     order, bytes) and av_map_equal holds; writing it again gives the same text;
 *   - itemenc__encode then itemenc__decode gives exactly the same item and av_map_equal holds.
 * The item codec's header is engine-internal (engine/engine_int.h); a fuzz target is the one
 * place outside engine/ that includes it, to test the two codecs against each other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fuzz/av_same.h"
#include "common/decimal.h"
#include "engine/engine_int.h"
#include "server/server.h"
#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

static const char *IN;
static size_t IN_LEN;
static const char *OUT;
static size_t OUT_LEN;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_avjson: line %d: check failed: %s\n--- input\n%.*s\n--- written\n%.*s\n",  \
                    __LINE__, #cond, (int)IN_LEN, IN, (int)OUT_LEN, OUT ? OUT : "");                         \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

/* N text is canonical: parse then format gives the same bytes. */
static int canonical_number(ddb_str_t s)
{
    dec_t d;
    char buf[DEC_TEXT_MAX + 1];
    if (dec_parse(s.ptr, s.len, &d) != DEC_OK) return 0;
    size_t n = dec_format(&d, buf);
    return n == s.len && memcmp(buf, s.ptr, n) == 0;
}

static int valid_value(const av_t *v, int depth);

static int valid_map(const av_map_t *m, int depth)
{
    for (size_t i = 0; i < m->n; i++) {
        for (size_t j = 0; j < i; j++)
            if (fz_str_same(m->kvs[i].name, m->kvs[j].name)) return 0;
        if (!valid_value(&m->kvs[i].val, depth)) return 0;
    }
    return 1;
}

static int valid_value(const av_t *v, int depth)
{
    if (depth > DDB_ITEM_DEPTH) return 0;
    switch (v->type) {
    case AV_S:
    case AV_B:
    case AV_BOOL:
    case AV_NULL:
        return 1;
    case AV_N:
        return canonical_number(v->s);
    case AV_M:
        return valid_map(&v->m, depth + 1);
    case AV_L:
        for (size_t i = 0; i < v->l.n; i++)
            if (!valid_value(&v->l.items[i], depth + 1)) return 0;
        return 1;
    case AV_SS:
    case AV_NS:
    case AV_BS: {
        av_type_t et = v->type == AV_SS ? AV_S : v->type == AV_NS ? AV_N : AV_B;
        if (v->l.n == 0) return 0;
        for (size_t i = 0; i < v->l.n; i++) {
            if (v->l.items[i].type != et) return 0;
            if (et == AV_N && !canonical_number(v->l.items[i].s)) return 0;
            for (size_t j = 0; j < i; j++)
                if (av_scalar_cmp(&v->l.items[i], &v->l.items[j]) == 0) return 0;
        }
        return 1;
    }
    default:
        return 0;
    }
}

static void run(arena_t *a, const uint8_t *data, size_t size)
{
    IN = (const char *)data;
    IN_LEN = size;
    OUT = NULL;
    OUT_LEN = 0;
    json_error_t je;
    json_t *j = json_parse(a, (const char *)data, size, DDB_JSON_DEPTH, &je);
    if (!j || j->type != JSON_OBJECT) return;

    ddb_errctx_t err;
    err_init(&err, a);
    av_map_t item;
    ddb_err_t rc = avjson_map(a, &err, j, &item, 1);
    if (rc != DDB_OK) {
        CHECK(rc == err.code && err.msg != NULL);
        CHECK(rc == DDB_ERR_VALIDATION || rc == DDB_ERR_SERIALIZATION);
        return;
    }
    CHECK(err.code == DDB_OK);
    CHECK(valid_map(&item, 1));
    size_t size1 = av_item_size(&item);

    /* Wire form round trip. */
    jw_t w;
    jw_init(&w, a, 256);
    avjson_write_map(&w, &item);
    OUT = w.b.data;
    OUT_LEN = w.b.len;
    json_t *j2 = json_parse(a, w.b.data, w.b.len, DDB_JSON_DEPTH, &je);
    CHECK(j2 != NULL && j2->type == JSON_OBJECT);
    ddb_errctx_t err2;
    err_init(&err2, a);
    av_map_t item2;
    CHECK(avjson_map(a, &err2, j2, &item2, 1) == DDB_OK);
    CHECK(fz_same_map(&item, &item2));
    CHECK(av_map_equal(&item, &item2) && av_map_equal(&item2, &item));
    CHECK(av_item_size(&item2) == size1);
    jw_t w2;
    jw_init(&w2, a, 256);
    avjson_write_map(&w2, &item2);
    CHECK(w2.b.len == w.b.len && memcmp(w2.b.data, w.b.data, w.b.len) == 0);

    /* Stored form round trip. */
    buf_t b;
    buf_init(&b, a, 256);
    itemenc__encode(&b, &item);
    av_map_t item3;
    CHECK(itemenc__decode(a, b.data, b.len, &item3) == 0);
    CHECK(fz_same_map(&item, &item3));
    CHECK(av_map_equal(&item, &item3));
    CHECK(av_item_size(&item3) == size1);
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
