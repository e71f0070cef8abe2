/*
 * scan: Query and Scan pages over a table or one of its indexes.
 *
 * Both kinds of keys start with the 4-byte partition hash and the encoded partition key, then
 * the encoded sort key (engine/item.c, engine/index.c), so:
 * - a Query is one contiguous key range: [P|lo, P|hi) where P = hash|kenc(partition value) (a
 *   multi-attribute key: the encodings of every partition value, then of the equalities on the
 *   leading sort attributes) and the condition on the (next) sort attribute sets the bounds (begins_with: the
 * escaped prefix without its terminator, since kenc of S/B is the escaped bytes then 00 01);
 * - a Scan segment i of n is the hash range [i*2^32/n, (i+1)*2^32/n): disjoint, and together the
 *   whole key space.
 * A page reads at most `limit` items and stops once it has read max_bytes (DynamoDB's 1 MB), and
 * then names the last item evaluated in last_key (even when it was the last item there is, as
 * DynamoDB does).
 */
#include "engine/engine_int.h"

#include <string.h>

#include "common/log.h"
#include "engine/keyenc.h"

#define PAGE_BYTES (1u << 20)

/* The smallest key greater than every key that starts with p; false when there is none. */
static bool prefix_end(buf_t *b)
{
    while (b->len && (unsigned char)b->data[b->len - 1] == 0xFF) b->len--;
    if (!b->len) return false;
    b->data[b->len - 1] = (char)((unsigned char)b->data[b->len - 1] + 1);
    return true;
}

static void copy_buf(buf_t *dst, const buf_t *src, arena_t *a)
{
    buf_init(dst, a, src->len + 8);
    buf_put(dst, src->data, src->len);
}

/* Key range of a Query: [lo, hi); has_hi false means no upper bound. */
static void query_range(const eng_query_t *q, arena_t *a, buf_t *lo, buf_t *hi, bool *has_hi)
{
    buf_t p; /* P: the partition, then the equalities on a multi-attribute sort key's leading attributes */
    buf_init(&p, a, 64);
    const eng_keyschema_t *ks = q->index ? &q->index->key : NULL;
    const av_t *h[ENG_KEY_ATTRS_MAX] = {q->hash};
    size_t nh = ks ? eng_key_nhash(ks) : 1;
    for (size_t i = 1; i < nh; i++) h[i] = q->hash_rest[i - 1];
    key__partition(&p, h, nh);
    for (size_t i = 0; i < q->n_sk_eq; i++) kenc_put(&p, q->sk_eq[i]);
    buf_t x; /* P | kenc(operand) */
    buf_init(&x, a, 64);
    buf_put(&x, p.data, p.len);
    if (q->sk_op != ENG_SK_ANY) kenc_put(&x, q->sk[0]);
    *has_hi = true;
    switch (q->sk_op) {
    case ENG_SK_ANY:
        copy_buf(lo, &p, a);
        copy_buf(hi, &p, a);
        *has_hi = prefix_end(hi);
        break;
    case ENG_SK_EQ:
        copy_buf(lo, &x, a);
        copy_buf(hi, &x, a);
        *has_hi = prefix_end(hi);
        break;
    case ENG_SK_LT:
        copy_buf(lo, &p, a);
        copy_buf(hi, &x, a);
        break;
    case ENG_SK_LE:
        copy_buf(lo, &p, a);
        copy_buf(hi, &x, a);
        *has_hi = prefix_end(hi);
        break;
    case ENG_SK_GT:
        copy_buf(lo, &x, a);
        if (!prefix_end(lo)) lo->len = 0; /* cannot happen: kenc never ends in FF FF FF ... */
        copy_buf(hi, &p, a);
        *has_hi = prefix_end(hi);
        break;
    case ENG_SK_GE:
        copy_buf(lo, &x, a);
        copy_buf(hi, &p, a);
        *has_hi = prefix_end(hi);
        break;
    case ENG_SK_BETWEEN: {
        copy_buf(lo, &x, a);
        buf_init(hi, a, 64);
        buf_put(hi, p.data, p.len);
        kenc_put(hi, q->sk[1]);
        *has_hi = prefix_end(hi);
        break;
    }
    case ENG_SK_BEGINS_WITH:
        x.len -= 2; /* drop the 00 01 terminator of the S/B encoding */
        copy_buf(lo, &x, a);
        copy_buf(hi, &x, a);
        *has_hi = prefix_end(hi);
        break;
    }
}

static void be32(buf_t *b, uint32_t v)
{
    char c[FMT_KEY_HASH_LEN] = {(char)(v >> 24), (char)(v >> 16), (char)(v >> 8), (char)v};
    buf_put(b, c, FMT_KEY_HASH_LEN);
}

static int key_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

ddb_err_t eng_query(eng_t *e, eng_table_t *t, const eng_query_t *q, arena_t *a, eng_page_t *pg,
                    ddb_errctx_t *err)
{
    memset(pg, 0, sizeof *pg);
    const eng_index_t *x = q->index;
    db_cf_t *cf = x ? x->store_->cf : t->store_->cf;
    size_t max_bytes = q->max_bytes ? q->max_bytes : PAGE_BYTES;

    buf_t lo, hi;
    buf_init(&lo, a, 64);
    buf_init(&hi, a, 64);
    bool has_hi = false;
    if (q->query) {
        query_range(q, a, &lo, &hi, &has_hi);
    } else if (q->total_segments > 1) {
        uint64_t span = 1ull << 32;
        be32(&lo, (uint32_t)(span * q->segment / q->total_segments));
        uint64_t end = span * (q->segment + 1) / q->total_segments;
        if (end < span) {
            be32(&hi, (uint32_t)end);
            has_hi = true;
        }
    }

    /* ExclusiveStartKey as a stored key */
    buf_t sk;
    buf_init(&sk, a, 64);
    bool has_start = false;
    if (q->start) {
        if (x)
            has_start = idx__key(&sk, t, x, q->start);
        else {
            key__base(&sk, &t->key, q->start);
            has_start = true;
        }
    }

    db_snap_t *snap = q->fetch_table_item ? db__snap_new(e->db) : NULL;
    bool one_prefix = q->query && has_hi; /* lo and hi share the partition's hash prefix */
    db_iter_t *it =
        db__iter_new(e->db, cf, snap, lo.data, lo.len, has_hi ? hi.data : NULL, hi.len, one_prefix);
    bool empty = false;
    if (!q->backward) {
        if (has_start && key_cmp(sk.data, sk.len, lo.data, lo.len) >= 0) {
            if (has_hi && key_cmp(sk.data, sk.len, hi.data, hi.len) >= 0)
                empty = true;
            else {
                db__iter_seek(it, sk.data, sk.len);
                size_t kl;
                const char *k;
                if (db__iter_valid(it) && (k = db__iter_key(it, &kl)) && !key_cmp(k, kl, sk.data, sk.len))
                    db__iter_next(it);
            }
        } else if (one_prefix) {
            db__iter_seek(it, lo.data, lo.len);
        } else {
            db__iter_first(it);
        }
    } else {
        if (has_start && (!has_hi || key_cmp(sk.data, sk.len, hi.data, hi.len) < 0)) {
            if (key_cmp(sk.data, sk.len, lo.data, lo.len) < 0)
                empty = true;
            else {
                db__iter_seek_prev(it, sk.data, sk.len);
                size_t kl;
                const char *k;
                if (db__iter_valid(it) && (k = db__iter_key(it, &kl)) && !key_cmp(k, kl, sk.data, sk.len))
                    db__iter_prev(it);
            }
        } else if (one_prefix) {
            db__iter_seek_prev(it, hi.data, hi.len);
        } else {
            db__iter_last(it);
        }
    }

    ddb_err_t rc = DDB_OK;
    size_t cap = 0;
    av_map_t *last = NULL;
    bool stopped = false;
    while (!empty && db__iter_valid(it)) {
        size_t vl;
        const char *rec = db__iter_value(it, &vl);
        /* one copy of the record: the decoded item's strings point into it */
        const char *v = arena_memdup(a, rec, vl);
        av_map_t *item = ARENA_NEW(a, av_map_t);
        if (itemenc__decode(a, v, vl, item) != 0) {
            log_error("table %s: corrupt record", t->name);
            rc = db__storage_err(e->db, false, err);
            break;
        }
        pg->scanned++;
        pg->bytes += av_item_size(item);
        last = item;
        av_map_t *out = item;
        if (q->fetch_table_item) {
            buf_t bk;
            buf_init(&bk, a, 64);
            key__base(&bk, &t->key, item);
            av_map_t *full;
            if ((rc = item__read(e, t, snap, bk.data, bk.len, a, &full, err)) != DDB_OK) break;
            if (full) out = full;
        }
        if (!q->keep || q->keep(q->keep_ctx, out)) {
            if (!q->count_only) {
                if (pg->count == cap) {
                    cap = cap ? cap * 2 : 16;
                    av_map_t **n = ARENA_NEWN(a, av_map_t *, cap);
                    if (pg->count) memcpy(n, pg->items, pg->count * sizeof *n);
                    pg->items = n;
                }
                pg->items[pg->count] = out;
            }
            pg->count++;
        }
        if (q->backward)
            db__iter_prev(it);
        else
            db__iter_next(it);
        if ((q->limit && pg->scanned >= q->limit) || pg->bytes >= max_bytes) {
            stopped = true;
            break;
        }
    }
    if (db__iter_free(it) != 0 && rc == DDB_OK) rc = db__storage_err(e->db, false, err);
    db__snap_free(e->db, snap);
    if (rc == DDB_OK && stopped && last) pg->last_key = key__attrs(a, t, x, last);
    return rc;
}

uint32_t eng_key_segment(const eng_table_t *t, const eng_index_t *x, const av_map_t *key, uint32_t total)
{
    if (total <= 1) return 0;
    const eng_keyschema_t *ks = x ? &x->key : &t->key;
    const av_t *h[ENG_KEY_ATTRS_MAX];
    size_t nh = eng_key_nhash(ks);
    for (size_t i = 0; i < nh; i++) h[i] = av_map_get(key, ks->hashes[i].name, strlen(ks->hashes[i].name));
    arena_t *a = arena_new(256);
    buf_t b;
    buf_init(&b, a, 64);
    key__partition(&b, h, nh);
    uint64_t hv = ((uint64_t)(unsigned char)b.data[0] << 24) | ((uint64_t)(unsigned char)b.data[1] << 16) |
                  ((uint64_t)(unsigned char)b.data[2] << 8) | (uint64_t)(unsigned char)b.data[3];
    arena_free(a);
    const uint64_t span = 1ull << 32;
    uint64_t i = (hv * total) >> 32;
    while (i + 1 < total && hv >= span * (i + 1) / total) i++;
    while (i > 0 && hv < span * i / total) i--;
    return (uint32_t)i;
}
