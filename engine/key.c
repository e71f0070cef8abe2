/*
 * key: the layout of table and index keys (on disk, never change; format.h, docs/storage-format.md).
 *
 * Base key:
 *   hash:FMT_KEY_HASH_LEN (4) bytes big endian  = key__hash(kenc(partition key))
 *   kenc(partition key)                         self-delimiting (engine/keyenc.h)
 *   kenc(sort key)                              when the table has one
 * A key of several attributes (a GSI's multi-attribute key) is the general case: the hash is over
 * the encodings of its HASH attributes one after the other, which follow it, then the encodings
 * of its RANGE attributes, in schema order. kenc is self-delimiting and memcmp-ordered, so the
 * concatenation sorts as the tuple of values, lexicographically; one attribute of each kind is
 * exactly the single-attribute layout.
 * The hash prefix spreads partitions across the key space, so Scan order looks like DynamoDB's
 * (not sorted by partition key) and parallel-scan segments can be hash ranges. Index keys start
 * the same way with the index partition key (index.c).
 */
#include "engine/engine_int.h"

#include <string.h>

#include "engine/keyenc.h"

uint32_t key__hash(const char *p, size_t n)
{
    /* FNV-1a 64 followed by the splitmix64 finaliser; top 32 bits. */
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return (uint32_t)(h >> 32);
}

_Static_assert(FMT_KEY_HASH_LEN == 4, "the partition hash prefix is a 32-bit big-endian word");

void key__partition(buf_t *b, const av_t *const *h, size_t n)
{
    size_t start = b->len;
    buf_reserve(b, FMT_KEY_HASH_LEN);
    b->len += FMT_KEY_HASH_LEN;
    for (size_t i = 0; i < n; i++) kenc_put(b, h[i]);
    uint32_t hv = key__hash(b->data + start + FMT_KEY_HASH_LEN, b->len - start - FMT_KEY_HASH_LEN);
    unsigned char *p = (unsigned char *)b->data + start;
    p[0] = (unsigned char)(hv >> 24);
    p[1] = (unsigned char)(hv >> 16);
    p[2] = (unsigned char)(hv >> 8);
    p[3] = (unsigned char)hv;
}

static const av_t *get(const av_map_t *m, const char *name)
{
    return av_map_get(m, name, strlen(name));
}

void key__base(buf_t *b, const eng_keyschema_t *ks, const av_map_t *key)
{
    const av_t *h[ENG_KEY_ATTRS_MAX];
    size_t nh = eng_key_nhash(ks);
    for (size_t i = 0; i < nh; i++) h[i] = get(key, ks->hashes[i].name);
    key__partition(b, h, nh);
    for (size_t i = 0; i < ENG_KEY_ATTRS_MAX && ks->ranges[i].name; i++)
        kenc_put(b, get(key, ks->ranges[i].name));
}

av_map_t *key__attrs(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *item)
{
    const char *names[2 + 2 * ENG_KEY_ATTRS_MAX];
    size_t n = 0;
    names[n++] = t->key.hash.name;
    if (t->key.range.name) names[n++] = t->key.range.name;
    for (size_t i = 0; x && i < ENG_KEY_ATTRS_MAX; i++) {
        if (x->key.hashes[i].name) names[n++] = x->key.hashes[i].name;
        if (x->key.ranges[i].name) names[n++] = x->key.ranges[i].name;
    }
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, n);
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t j = 0; j < m->n && !dup; j++) dup = ddb_str_eq(m->kvs[j].name, names[i]);
        const av_t *v = get(item, names[i]);
        if (dup || !v) continue;
        m->kvs[m->n].name = (ddb_str_t){names[i], strlen(names[i])};
        m->kvs[m->n].val = *v;
        m->n++;
    }
    return m;
}
