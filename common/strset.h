/*
 * strset: an arena-backed hash map from byte strings to a size_t, for the request path's
 * "have I seen this name?" and "where is this name?" questions (attribute names of a map,
 * ExpressionAttributeNames / Values keys, projected paths, AttributesToGet), so that every
 * such check is linear in the request instead of quadratic.
 *
 * Contract:
 * - Keys are borrowed, not copied: the bytes must stay valid (and unchanged) as long as the set
 *   is used. Keys may contain NUL; the empty key is a key like any other.
 * - All memory comes from the arena given to strset_init and dies with it; nothing to free.
 *   A set belongs to one thread (like its arena).
 * - Up to STRSET_LINEAR keys (unless strset_init was told to expect more) a set is a plain array
 *   compared byte by byte: most request maps are small, and hashing every name cost a small
 *   UpdateItem ~10 % more instructions. From the next key on: open addressing with linear probing
 *   (slot = low bits of the hash, the high 32 bits kept in the slot to skip most byte
 *   comparisons), at most 3/4 full; growing doubles and rehashes (the old slot array stays in the
 *   arena: total memory stays linear in the number of keys). 24 bytes a slot.
 * - The hash is SipHash-1-3 under a key drawn once per process from getrandom(), so a client
 *   cannot choose names that all collide. Iteration order is not offered (it would not be
 *   stable across processes).
 * - Value pointers returned by strset_find / strset_add stay valid until the next strset_add.
 */
#ifndef DDB_STRSET_H
#define DDB_STRSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

typedef struct {
    const char *key;
    uint32_t len;  /* keys are shorter than 4 GB (a request is at most 16 MB) */
    uint32_t hash; /* high half of the key's hash; 0: empty slot (real ones are forced non-zero) */
    size_t val;
} strset_slot_t;

#define STRSET_LINEAR 16 /* keys kept in a plain array before the set starts hashing */

typedef struct {
    arena_t *a;
    strset_slot_t *slots;
    size_t cap; /* power of two; 0 while small (the first n slots of an array of STRSET_LINEAR) */
    size_t n;
} strset_t;

/** An empty set in `a`, sized for about `expect` keys (0: grow on demand). */
void strset_init(strset_t *s, arena_t *a, size_t expect);
/** The value of `key`, or NULL when absent. */
size_t *strset_find(const strset_t *s, const void *key, size_t len);
/** Add `key` with `val` unless present; returns the value slot (the old value when present).
 *  *added (may be NULL) tells which. */
size_t *strset_add(strset_t *s, const void *key, size_t len, size_t val, bool *added);
/** Number of keys. */
static inline size_t strset_count(const strset_t *s)
{
    return s->n;
}
/** The keyed 64-bit hash the set uses (same key for the whole process), never 0. */
uint64_t strset_hash(const void *p, size_t n);

#endif
