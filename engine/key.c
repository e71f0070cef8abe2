/*
 * key: the layout of table and index keys (on disk, never change; format.h, docs/storage-format.md).
 *
 * Base key:
 *   hash:FMT_KEY_HASH_LEN (4) bytes big endian  = key__hash(kenc(partition key))
 *   kenc(partition key)                         self-delimiting (engine/keyenc.h)
 *   kenc(sort key)                              when the table has one
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

void key__partition(buf_t *b, const av_t *h)
{
    size_t start = b->len;
    buf_reserve(b, FMT_KEY_HASH_LEN);
    b->len += FMT_KEY_HASH_LEN;
    kenc_put(b, h);
    uint32_t hv = key__hash(b->data + start + FMT_KEY_HASH_LEN, b->len - start - FMT_KEY_HASH_LEN);
    unsigned char *p = (unsigned char *)b->data + start;
    p[0] = (unsigned char)(hv >> 24);
    p[1] = (unsigned char)(hv >> 16);
    p[2] = (unsigned char)(hv >> 8);
    p[3] = (unsigned char)hv;
}

void key__base(buf_t *b, const eng_keyschema_t *ks, const av_map_t *key)
{
    key__partition(b, av_map_get(key, ks->hash.name, strlen(ks->hash.name)));
    if (ks->range.name) kenc_put(b, av_map_get(key, ks->range.name, strlen(ks->range.name)));
}

av_map_t *key__attrs(arena_t *a, const eng_table_t *t, const eng_index_t *x, const av_map_t *item)
{
    const char *names[4] = {t->key.hash.name, t->key.range.name, x ? x->key.hash.name : NULL,
                            x ? x->key.range.name : NULL};
    av_map_t *m = ARENA_NEW(a, av_map_t);
    m->kvs = ARENA_NEWN(a, av_kv_t, 4);
    for (int i = 0; i < 4; i++) {
        if (!names[i]) continue;
        bool dup = false;
        for (size_t j = 0; j < m->n && !dup; j++) dup = ddb_str_eq(m->kvs[j].name, names[i]);
        const av_t *v = av_map_get(item, names[i], strlen(names[i]));
        if (dup || !v) continue;
        m->kvs[m->n].name = (ddb_str_t){names[i], strlen(names[i])};
        m->kvs[m->n].val = *v;
        m->n++;
    }
    return m;
}
