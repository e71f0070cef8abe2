/*
 * strset: arena hash map from byte strings to size_t (see strset.h for the contract).
 *
 * Entry points: strset_init, strset_find, strset_add, strset_hash.
 *
 * Up to STRSET_LINEAR keys the slots are a plain array scanned byte by byte. Past that, slots hold
 * the key pointer, its length, the high half of its hash (compared before the bytes; the low half
 * picks the slot, so growing hashes the keys again) and the value; capacity is a power of two and
 * the table at most 3/4 full.
 *
 * Hash: SipHash-1-3 (one compression round per 8-byte word, three finalization rounds) with a
 * 128-bit key read once from getrandom(); if that fails, the time and addresses are mixed in
 * instead (still per process, only less secret).
 */
#include "common/strset.h"

#include <endian.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint64_t sip_k0, sip_k1;
static pthread_once_t sip_once = PTHREAD_ONCE_INIT;

static void sip_seed(void)
{
    uint64_t k[2] = {0, 0};
    if (getrandom(k, sizeof k, GRND_NONBLOCK) != (ssize_t)sizeof k) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        k[0] = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)ts.tv_sec;
        k[1] = (uint64_t)(uintptr_t)&ts ^ ((uint64_t)(uintptr_t)&sip_k0 << 17);
    }
    sip_k0 = k[0];
    sip_k1 = k[1];
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                             \
    do {                                                                                                     \
        v0 += v1;                                                                                            \
        v1 = ROTL(v1, 13);                                                                                   \
        v1 ^= v0;                                                                                            \
        v0 = ROTL(v0, 32);                                                                                   \
        v2 += v3;                                                                                            \
        v3 = ROTL(v3, 16);                                                                                   \
        v3 ^= v2;                                                                                            \
        v0 += v3;                                                                                            \
        v3 = ROTL(v3, 21);                                                                                   \
        v3 ^= v0;                                                                                            \
        v2 += v1;                                                                                            \
        v1 = ROTL(v1, 17);                                                                                   \
        v1 ^= v2;                                                                                            \
        v2 = ROTL(v2, 32);                                                                                   \
    } while (0)

uint64_t strset_hash(const void *p, size_t n)
{
    pthread_once(&sip_once, sip_seed);
    const unsigned char *in = p;
    uint64_t v0 = 0x736f6d6570736575ull ^ sip_k0, v1 = 0x646f72616e646f6dull ^ sip_k1;
    uint64_t v2 = 0x6c7967656e657261ull ^ sip_k0, v3 = 0x7465646279746573ull ^ sip_k1;
    size_t words = n / 8;
    for (size_t i = 0; i < words; i++, in += 8) {
        uint64_t m;
        memcpy(&m, in, 8);
        m = le64toh(m); /* a little-endian word on any machine */
        v3 ^= m;
        SIPROUND;
        v0 ^= m;
    }
    uint64_t b = (uint64_t)n << 56;
    for (size_t k = 0; k < (n & 7); k++) b |= (uint64_t)in[k] << (8 * k);
    v3 ^= b;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    uint64_t h = v0 ^ v1 ^ v2 ^ v3;
    return h ? h : 1;
}

void strset_init(strset_t *s, arena_t *a, size_t expect)
{
    s->a = a;
    s->n = 0;
    s->cap = 0;
    s->slots = NULL;
    if (expect > STRSET_LINEAR) {
        size_t cap = 16;
        while (cap / 4 * 3 < expect) cap *= 2;
        s->slots = ARENA_NEWN(a, strset_slot_t, cap);
        s->cap = cap;
    }
}

/* The tag kept in a slot: the hash's high half, never 0 (0 marks an empty slot). */
static inline uint32_t tag_of(uint64_t h)
{
    uint32_t t = (uint32_t)(h >> 32);
    return t ? t : 1;
}

static strset_slot_t *probe(const strset_t *s, const void *key, size_t len, uint64_t h)
{
    size_t mask = s->cap - 1;
    uint32_t tag = tag_of(h);
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        strset_slot_t *e = &s->slots[i];
        if (!e->hash) return e;
        if (e->hash == tag && e->len == len && (len == 0 || memcmp(e->key, key, len) == 0)) return e;
    }
}

/* Small sets (cap 0): the first n slots, compared byte by byte, no hashing. */
static strset_slot_t *scan(const strset_t *s, const void *key, size_t len)
{
    for (size_t i = 0; i < s->n; i++) {
        strset_slot_t *e = &s->slots[i];
        if (e->len == len && (len == 0 || memcmp(e->key, key, len) == 0)) return e;
    }
    return NULL;
}

size_t *strset_find(const strset_t *s, const void *key, size_t len)
{
    if (!s->n) return NULL;
    if (!s->cap) {
        strset_slot_t *e = scan(s, key, len);
        return e ? &e->val : NULL;
    }
    strset_slot_t *e = probe(s, key, len, strset_hash(key, len));
    return e->hash ? &e->val : NULL;
}

/* Double the table (or leave the small array for a table of 16), placing every key again. */
static void grow(strset_t *s)
{
    size_t cap = s->cap ? s->cap * 2 : 16;
    strset_slot_t *old = s->slots;
    size_t oldcap = s->cap ? s->cap : s->n; /* small: the first n slots are all used */
    bool small = !s->cap;
    s->slots = ARENA_NEWN(s->a, strset_slot_t, cap);
    s->cap = cap;
    for (size_t i = 0; i < oldcap; i++) {
        if (!small && !old[i].hash) continue;
        /* the slot index comes from the low half, which is not kept: hash the key again */
        uint64_t h = strset_hash(old[i].key, old[i].len);
        size_t mask = cap - 1, j = (size_t)h & mask;
        while (s->slots[j].hash) j = (j + 1) & mask;
        s->slots[j] = old[i];
        s->slots[j].hash = tag_of(h);
    }
}

size_t *strset_add(strset_t *s, const void *key, size_t len, size_t val, bool *added)
{
    if (len > UINT32_MAX) abort(); /* see the contract */
    if (!s->cap) {
        strset_slot_t *e = scan(s, key, len);
        if (e) {
            if (added) *added = false;
            return &e->val;
        }
        if (s->n < STRSET_LINEAR) {
            if (!s->slots) s->slots = ARENA_NEWN(s->a, strset_slot_t, STRSET_LINEAR);
            e = &s->slots[s->n++];
            e->key = key;
            e->len = (uint32_t)len;
            e->hash = 1; /* unused while small */
            e->val = val;
            if (added) *added = true;
            return &e->val;
        }
        grow(s); /* one key past the small array: hash them all from now on */
    }
    if (4 * (s->n + 1) > 3 * s->cap) grow(s);
    uint64_t h = strset_hash(key, len);
    strset_slot_t *e = probe(s, key, len, h);
    if (e->hash) {
        if (added) *added = false;
        return &e->val;
    }
    e->key = key;
    e->len = (uint32_t)len;
    e->hash = tag_of(h);
    e->val = val;
    s->n++;
    if (added) *added = true;
    return &e->val;
}
