/*
 * itemenc: the binary form of a stored item (value of a base-table record).
 *
 *   item   := version:u8(=FMT_ITEM_VERSION, 1) count:varint member*
 *   member := namelen:varint name value
 *   value  := tag:u8 payload
 *
 * Tags (FMT_TAG_* in format.h; on disk: never renumber; docs/storage-format.md):
 *   0x01 S     len:varint bytes          0x06 NULL  (no payload)
 *   0x02 N     len:varint canonical text 0x07 M     count:varint member*
 *   0x03 B     len:varint bytes          0x08 L     count:varint value*
 *   0x04 FALSE (no payload)              0x09 SS    count:varint (len:varint bytes)*
 *   0x05 TRUE  (no payload)              0x0A NS    count:varint (len:varint text)*
 *                                        0x0B BS    count:varint (len:varint bytes)*
 * varint: unsigned LEB128 (7 bits per byte, low group first, high bit = more).
 * Example: {"pk":{"S":"a"},"n":{"N":"12"}} ->
 *   01 02  02 'p' 'k' 01 01 'a'  01 'n' 02 02 '1' '2'
 */
#include "engine/engine_int.h"

#include <string.h>

static void put_varint(buf_t *b, uint64_t v)
{
    char tmp[10];
    int n = 0;
    do {
        unsigned char c = v & 0x7f;
        v >>= 7;
        if (v) c |= 0x80;
        tmp[n++] = (char)c;
    } while (v);
    buf_put(b, tmp, (size_t)n);
}

static void put_bytes(buf_t *b, ddb_str_t s)
{
    put_varint(b, s.len);
    buf_put(b, s.ptr, s.len);
}

static void put_value(buf_t *b, const av_t *v);

static void put_map(buf_t *b, const av_map_t *m)
{
    put_varint(b, m->n);
    for (size_t i = 0; i < m->n; i++) {
        put_bytes(b, m->kvs[i].name);
        put_value(b, &m->kvs[i].val);
    }
}

static void put_value(buf_t *b, const av_t *v)
{
    switch (v->type) {
    case AV_S:
        buf_putc(b, FMT_TAG_S);
        put_bytes(b, v->s);
        break;
    case AV_N:
        buf_putc(b, FMT_TAG_N);
        put_bytes(b, v->s);
        break;
    case AV_B:
        buf_putc(b, FMT_TAG_B);
        put_bytes(b, v->s);
        break;
    case AV_BOOL:
        buf_putc(b, v->b ? FMT_TAG_TRUE : FMT_TAG_FALSE);
        break;
    case AV_NULL:
        buf_putc(b, FMT_TAG_NULL);
        break;
    case AV_M:
        buf_putc(b, FMT_TAG_M);
        put_map(b, &v->m);
        break;
    case AV_L:
        buf_putc(b, FMT_TAG_L);
        put_varint(b, v->l.n);
        for (size_t i = 0; i < v->l.n; i++) put_value(b, &v->l.items[i]);
        break;
    case AV_SS:
    case AV_NS:
    case AV_BS:
        buf_putc(b, v->type == AV_SS ? FMT_TAG_SS : v->type == AV_NS ? FMT_TAG_NS : FMT_TAG_BS);
        put_varint(b, v->l.n);
        for (size_t i = 0; i < v->l.n; i++) put_bytes(b, v->l.items[i].s);
        break;
    default:
        break; /* AV_NONE never reaches storage */
    }
}

void itemenc__encode(buf_t *b, const av_map_t *item)
{
    buf_putc(b, FMT_ITEM_VERSION);
    put_map(b, item);
}

typedef struct {
    arena_t *a;
    const unsigned char *p, *end;
    int depth;
} rd_t;

static int get_varint(rd_t *r, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return -1;
        unsigned char c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = v;
            return 0;
        }
    }
    return -1;
}

static int get_bytes(rd_t *r, ddb_str_t *s)
{
    uint64_t n;
    if (get_varint(r, &n) || n > (uint64_t)(r->end - r->p)) return -1;
    s->ptr = (const char *)r->p; /* no copy: see itemenc__decode */
    s->len = (size_t)n;
    r->p += n;
    return 0;
}

static int get_count(rd_t *r, size_t *n)
{
    uint64_t v;
    /* every element takes at least one byte: a count larger than what is left is corrupt */
    if (get_varint(r, &v) || v > (uint64_t)(r->end - r->p)) return -1;
    *n = (size_t)v;
    return 0;
}

static int get_value(rd_t *r, av_t *v);

static int get_map(rd_t *r, av_map_t *m)
{
    if (get_count(r, &m->n)) return -1;
    m->kvs = ARENA_NEWN(r->a, av_kv_t, m->n ? m->n : 1);
    for (size_t i = 0; i < m->n; i++)
        if (get_bytes(r, &m->kvs[i].name) || get_value(r, &m->kvs[i].val)) return -1;
    return 0;
}

static int get_value(rd_t *r, av_t *v)
{
    if (r->p >= r->end || ++r->depth > 64) return -1;
    unsigned char tag = *r->p++;
    int rc = 0;
    memset(v, 0, sizeof *v);
    switch (tag) {
    case FMT_TAG_S:
        v->type = AV_S;
        rc = get_bytes(r, &v->s);
        break;
    case FMT_TAG_N:
        v->type = AV_N;
        rc = get_bytes(r, &v->s);
        break;
    case FMT_TAG_B:
        v->type = AV_B;
        rc = get_bytes(r, &v->s);
        break;
    case FMT_TAG_FALSE:
        v->type = AV_BOOL;
        v->b = false;
        break;
    case FMT_TAG_TRUE:
        v->type = AV_BOOL;
        v->b = true;
        break;
    case FMT_TAG_NULL:
        v->type = AV_NULL;
        break;
    case FMT_TAG_M:
        v->type = AV_M;
        rc = get_map(r, &v->m);
        break;
    case FMT_TAG_L:
        v->type = AV_L;
        if ((rc = get_count(r, &v->l.n))) break;
        v->l.items = ARENA_NEWN(r->a, av_t, v->l.n ? v->l.n : 1);
        for (size_t i = 0; i < v->l.n && !rc; i++) rc = get_value(r, &v->l.items[i]);
        break;
    case FMT_TAG_SS:
    case FMT_TAG_NS:
    case FMT_TAG_BS: {
        v->type = tag == FMT_TAG_SS ? AV_SS : tag == FMT_TAG_NS ? AV_NS : AV_BS;
        av_type_t et = tag == FMT_TAG_SS ? AV_S : tag == FMT_TAG_NS ? AV_N : AV_B;
        if ((rc = get_count(r, &v->l.n))) break;
        v->l.items = ARENA_NEWN(r->a, av_t, v->l.n ? v->l.n : 1);
        for (size_t i = 0; i < v->l.n && !rc; i++) {
            v->l.items[i].type = et;
            rc = get_bytes(r, &v->l.items[i].s);
        }
        break;
    }
    default:
        rc = -1;
    }
    r->depth--;
    return rc;
}

int itemenc__decode(arena_t *a, const char *p, size_t n, av_map_t *out)
{
    rd_t r = {a, (const unsigned char *)p, (const unsigned char *)p + n, 0};
    if (n < 1 || *r.p++ != FMT_ITEM_VERSION) return -1;
    if (get_map(&r, out)) return -1;
    return r.p == r.end ? 0 : -1;
}
