/*
 * av: AttributeValue helpers (see av.h for the model and the contract).
 *
 * Entry points: av_type_name / av_type_from_name, av_map_get, av_copy / av_map_copy, av_equal,
 * av_scalar_cmp, av_hash / av_map_hash, av_size / av_item_size.
 *
 * Set and map equality: small ones are compared pairwise (O(n*m), no memory); larger ones are
 * sorted through a temporary index array (malloc'd and freed here) so a 400 KB number set or a
 * 16 MB map of distinct names does not take quadratic time.
 *
 * av_hash / av_map_hash agree with av_equal (equal values hash alike): numbers are hashed by
 * their canonical text, sets and maps by an order-free sum over their elements / members.
 */
#include "common/av.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "common/strset.h"

/* Sets up to this size are compared pairwise; larger ones are sorted first. */
#define SET_PAIRWISE_MAX 16

static const char *const type_names[] = {
    [AV_NONE] = "", [AV_S] = "S", [AV_N] = "N",   [AV_B] = "B",   [AV_BOOL] = "BOOL", [AV_NULL] = "NULL",
    [AV_M] = "M",   [AV_L] = "L", [AV_SS] = "SS", [AV_NS] = "NS", [AV_BS] = "BS",
};

const char *av_type_name(av_type_t t)
{
    if ((unsigned)t >= sizeof(type_names) / sizeof(type_names[0])) return "";
    return type_names[t];
}

av_type_t av_type_from_name(const char *s, size_t n)
{
    for (int t = AV_S; t <= AV_BS; t++) {
        const char *name = type_names[t];
        if (strlen(name) == n && memcmp(name, s, n) == 0) return (av_type_t)t;
    }
    return AV_NONE;
}

av_t *av_map_get(const av_map_t *m, const char *name, size_t n)
{
    for (size_t i = 0; i < m->n; i++) {
        ddb_str_t k = m->kvs[i].name;
        if (k.len == n && (n == 0 || memcmp(k.ptr, name, n) == 0)) return &m->kvs[i].val;
    }
    return NULL;
}

static ddb_str_t str_copy(arena_t *a, ddb_str_t s)
{
    return (ddb_str_t){arena_memdup(a, s.ptr, s.len), s.len};
}

void av_map_copy(arena_t *a, const av_map_t *src, av_map_t *dst)
{
    av_kv_t *kvs = src->n ? ARENA_NEWN(a, av_kv_t, src->n) : NULL;
    for (size_t i = 0; i < src->n; i++) {
        kvs[i].name = str_copy(a, src->kvs[i].name);
        av_copy(a, &src->kvs[i].val, &kvs[i].val);
    }
    dst->n = src->n;
    dst->kvs = kvs;
}

void av_copy(arena_t *a, const av_t *src, av_t *dst)
{
    switch (src->type) {
    case AV_S:
    case AV_N:
    case AV_B:
        dst->type = src->type;
        dst->s = str_copy(a, src->s);
        break;
    case AV_L:
    case AV_SS:
    case AV_NS:
    case AV_BS: {
        size_t n = src->l.n;
        av_t *items = n ? ARENA_NEWN(a, av_t, n) : NULL;
        for (size_t i = 0; i < n; i++) av_copy(a, &src->l.items[i], &items[i]);
        dst->type = src->type;
        dst->l.n = n;
        dst->l.items = items;
        break;
    }
    case AV_M: {
        av_map_t m;
        av_map_copy(a, &src->m, &m);
        dst->type = AV_M;
        dst->m = m;
        break;
    }
    default: /* BOOL, NULL, NONE: no pointers */
        *dst = *src;
        break;
    }
}

static int str_same(ddb_str_t a, ddb_str_t b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* Numeric comparison of two N texts; falls back to bytes if either is not a number. */
static int num_cmp(ddb_str_t a, ddb_str_t b)
{
    dec_t x, y;
    if (dec_parse(a.ptr, a.len, &x) != DEC_OK || dec_parse(b.ptr, b.len, &y) != DEC_OK)
        return ddb_str_cmp(a, b);
    return dec_cmp(&x, &y);
}

int av_scalar_cmp(const av_t *a, const av_t *b)
{
    if (a->type != b->type) return a->type < b->type ? -1 : 1;
    if (a->type == AV_N) return num_cmp(a->s, b->s);
    return ddb_str_cmp(a->s, b->s); /* S, B: memcmp order, shorter first on a common prefix */
}

/* qsort comparators over arrays of element pointers. */
static int cmp_bytes_ptr(const void *x, const void *y)
{
    const av_t *a = *(const av_t *const *)x, *b = *(const av_t *const *)y;
    return ddb_str_cmp(a->s, b->s);
}

static int cmp_dec(const void *x, const void *y)
{
    return dec_cmp(x, y);
}

/* Equal as sets: same size and same members (members within one set are distinct). */
static bool set_equal(const av_list_t *a, const av_list_t *b, av_type_t t)
{
    size_t n = a->n;
    if (n != b->n) return false;
    if (n <= SET_PAIRWISE_MAX) {
        for (size_t i = 0; i < n; i++) {
            bool found = false;
            for (size_t j = 0; j < n && !found; j++) found = av_equal(&a->items[i], &b->items[j]);
            if (!found) return false;
        }
        return true;
    }
    bool eq = true;
    if (t == AV_NS) {
        /* Numbers: compare by value, so parse first (the text might not be canonical). */
        dec_t *x = ddb_xmalloc(2 * n * sizeof(dec_t)), *y = x + n;
        bool parsed = true;
        for (size_t i = 0; i < n && parsed; i++)
            parsed = dec_parse(a->items[i].s.ptr, a->items[i].s.len, &x[i]) == DEC_OK &&
                     dec_parse(b->items[i].s.ptr, b->items[i].s.len, &y[i]) == DEC_OK;
        if (parsed) {
            qsort(x, n, sizeof(dec_t), cmp_dec);
            qsort(y, n, sizeof(dec_t), cmp_dec);
            for (size_t i = 0; i < n && eq; i++) eq = dec_cmp(&x[i], &y[i]) == 0;
        }
        free(x);
        if (parsed) return eq;
        /* Not numbers (never in a validated value): fall back to comparing the bytes. */
    }
    const av_t **x = ddb_xmalloc(2 * n * sizeof(*x)), **y = x + n;
    for (size_t i = 0; i < n; i++) {
        x[i] = &a->items[i];
        y[i] = &b->items[i];
    }
    qsort(x, n, sizeof(*x), cmp_bytes_ptr);
    qsort(y, n, sizeof(*y), cmp_bytes_ptr);
    for (size_t i = 0; i < n && eq; i++) eq = str_same(x[i]->s, y[i]->s);
    free(x);
    return eq;
}

bool av_equal(const av_t *a, const av_t *b)
{
    if (a->type != b->type) return false;
    switch (a->type) {
    case AV_S:
    case AV_B:
        return str_same(a->s, b->s);
    case AV_N:
        return str_same(a->s, b->s) || num_cmp(a->s, b->s) == 0;
    case AV_BOOL:
        return a->b == b->b;
    case AV_NULL:
    case AV_NONE:
        return true;
    case AV_L:
        if (a->l.n != b->l.n) return false;
        for (size_t i = 0; i < a->l.n; i++)
            if (!av_equal(&a->l.items[i], &b->l.items[i])) return false;
        return true;
    case AV_SS:
    case AV_NS:
    case AV_BS:
        return set_equal(&a->l, &b->l, a->type);
    case AV_M:
        return av_map_equal(&a->m, &b->m);
    }
    return false;
}

static int cmp_kv_name(const void *x, const void *y)
{
    const av_kv_t *a = *(const av_kv_t *const *)x, *b = *(const av_kv_t *const *)y;
    return ddb_str_cmp(a->name, b->name);
}

bool av_map_equal(const av_map_t *a, const av_map_t *b)
{
    size_t n = a->n;
    if (n != b->n) return false;
    if (n <= SET_PAIRWISE_MAX) {
        for (size_t i = 0; i < n; i++) {
            const av_t *o = av_map_getz(b, a->kvs[i].name);
            if (!o || !av_equal(&a->kvs[i].val, o)) return false;
        }
        return true;
    }
    /* Names are unique within a map: sort both by name and walk them side by side. */
    const av_kv_t **x = ddb_xmalloc(2 * n * sizeof(*x)), **y = x + n;
    for (size_t i = 0; i < n; i++) {
        x[i] = &a->kvs[i];
        y[i] = &b->kvs[i];
    }
    qsort(x, n, sizeof(*x), cmp_kv_name);
    qsort(y, n, sizeof(*y), cmp_kv_name);
    bool eq = true;
    for (size_t i = 0; i < n && eq; i++) eq = str_same(x[i]->name, y[i]->name);
    for (size_t i = 0; i < n && eq; i++) eq = av_equal(&x[i]->val, &y[i]->val);
    free(x);
    return eq;
}

/* ---- hashing ---------------------------------------------------------------------------- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint64_t av_hash(const av_t *v)
{
    uint64_t h = 0x9e3779b97f4a7c15ull * (uint64_t)(v->type + 1), acc = 0;
    switch (v->type) {
    case AV_S:
    case AV_B:
        return mix64(h ^ strset_hash(v->s.ptr, v->s.len));
    case AV_N: {
        /* by value, as av_equal compares numbers: hash the canonical text */
        dec_t d;
        char buf[DEC_TEXT_MAX + 1];
        if (dec_parse(v->s.ptr, v->s.len, &d) != DEC_OK) return mix64(h ^ strset_hash(v->s.ptr, v->s.len));
        return mix64(h ^ strset_hash(buf, dec_format(&d, buf)));
    }
    case AV_BOOL:
        return mix64(h ^ (uint64_t)v->b);
    case AV_L:
        for (size_t i = 0; i < v->l.n; i++) h = mix64(h * 31 + av_hash(&v->l.items[i]));
        return mix64(h ^ v->l.n);
    case AV_SS:
    case AV_NS:
    case AV_BS:
        for (size_t i = 0; i < v->l.n; i++) acc += av_hash(&v->l.items[i]); /* order-free */
        return mix64(h ^ acc ^ (uint64_t)v->l.n << 1);
    case AV_M:
        return mix64(h ^ av_map_hash(&v->m));
    default:
        return mix64(h);
    }
}

uint64_t av_map_hash(const av_map_t *m)
{
    uint64_t acc = 0;
    for (size_t i = 0; i < m->n; i++) /* order-free: a sum over the members */
        acc += mix64(strset_hash(m->kvs[i].name.ptr, m->kvs[i].name.len) * 0x9e3779b97f4a7c15ull +
                     av_hash(&m->kvs[i].val));
    return mix64(acc ^ (uint64_t)m->n);
}

/* Floor division by 2 that also rounds negative positions down. */
static int half_floor(int p)
{
    return p >= 0 ? p / 2 : -((-p + 1) / 2);
}

/*
 * Size of a number: 1 byte (exponent) + one byte per base-100 digit of the mantissa + 1 byte if
 * negative; zero is 1 byte. Base-100 digits are pairs of decimal digits aligned on the decimal
 * point (..|12|34|.56|78|..), counted from the pair holding the first significant digit to the
 * pair holding the last one. So "12" is 2 bytes but "1.2" (01|.20) is 3, "100" (01|00) is 2 and
 * "3.14159" (03|.14|15|90) is 5.
 * Unverified corner: a negative number with 20 base-100 digits (38 digits straddling a pair
 * boundary) counts 22 here, as in dynalite; if AWS stores numbers like Oracle's NUMBER (same
 * 38-digit / 1E-130..1E126 limits) its negative terminator byte is dropped at 20 digits, giving 21.
 */
static size_t num_size(ddb_str_t s)
{
    dec_t d;
    if (dec_parse(s.ptr, s.len, &d) != DEC_OK) return s.len; /* not a number: cannot happen for valid items */
    if (d.sign == 0) return 1;
    /* digits[0] sits at decimal position exp-1, digits[n-1] at exp-n. */
    int pairs = half_floor(d.exp - 1) - half_floor(d.exp - d.ndigits) + 1;
    return 1 + (size_t)pairs + (d.sign < 0 ? 1 : 0);
}

size_t av_size(const av_t *v)
{
    size_t size = 0;
    switch (v->type) {
    case AV_S:
    case AV_B:
        return v->s.len;
    case AV_N:
        return num_size(v->s);
    case AV_BOOL:
    case AV_NULL:
        return 1;
    case AV_SS:
    case AV_NS:
    case AV_BS:
        for (size_t i = 0; i < v->l.n; i++) size += av_size(&v->l.items[i]);
        return size;
    case AV_L:
        size = 3;
        for (size_t i = 0; i < v->l.n; i++) size += 1 + av_size(&v->l.items[i]);
        return size;
    case AV_M:
        size = 3;
        for (size_t i = 0; i < v->m.n; i++) size += 1 + v->m.kvs[i].name.len + av_size(&v->m.kvs[i].val);
        return size;
    case AV_NONE:
        return 0;
    }
    return 0;
}

size_t av_item_size(const av_map_t *item)
{
    size_t size = 0;
    for (size_t i = 0; i < item->n; i++) size += item->kvs[i].name.len + av_size(&item->kvs[i].val);
    return size;
}
