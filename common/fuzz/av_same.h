/*
 * av_same.h: exact structural equality of attribute values for the fuzz targets' round-trip
 * checks: same types, same member and element order, same bytes. Stricter than av_equal /
 * av_map_equal (which ignore order where DynamoDB does): a round trip must change nothing.
 *
 * Not a public header: only fuzz targets include it.
 */
#ifndef DDB_FUZZ_AV_SAME_H
#define DDB_FUZZ_AV_SAME_H

#include <string.h>

#include "common/av.h"

static int fz_str_same(ddb_str_t a, ddb_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int fz_same_value(const av_t *a, const av_t *b);

static int fz_same_map(const av_map_t *a, const av_map_t *b)
{
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++)
        if (!fz_str_same(a->kvs[i].name, b->kvs[i].name) || !fz_same_value(&a->kvs[i].val, &b->kvs[i].val))
            return 0;
    return 1;
}

static int fz_same_value(const av_t *a, const av_t *b)
{
    if (a->type != b->type) return 0;
    switch (a->type) {
    case AV_S:
    case AV_N:
    case AV_B:
        return fz_str_same(a->s, b->s);
    case AV_BOOL:
        return a->b == b->b;
    case AV_NULL:
        return 1;
    case AV_M:
        return fz_same_map(&a->m, &b->m);
    case AV_L:
    case AV_SS:
    case AV_NS:
    case AV_BS:
        if (a->l.n != b->l.n) return 0;
        for (size_t i = 0; i < a->l.n; i++)
            if (!fz_same_value(&a->l.items[i], &b->l.items[i])) return 0;
        return 1;
    default:
        return 0;
    }
}

#endif
