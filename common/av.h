/*
 * av: the AttributeValue model, shared by every layer.
 *
 *   av_t       one value: S N B BOOL NULL M L SS NS BS
 *   av_map_t   an ordered list of (name, value) members: an M value, or a whole item
 *
 * Representation:
 * - S: UTF-8 bytes in `s` (may contain NUL). B: raw bytes in `s` (already base64-decoded).
 * - N: canonical text (decimal.h dec_format) in `s`; dec_parse it to compute.
 * - BOOL: `b`. NULL: no payload (DynamoDB only allows NULL: true).
 * - L, SS, NS, BS: `l.items[0..l.n)`; set elements are av_t of type S, N, B respectively.
 * - M: `m` (members in the order received; names unique).
 *
 * Contract: values are plain data in an arena (or borrowed); functions here never free.
 * av_copy deep-copies into an arena. Thread-safe (no shared state).
 */
#ifndef DDB_AV_H
#define DDB_AV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"

#define DDB_ATTR_NAME_MAX 65535 /* AWS: an attribute name is 1 to 65535 bytes (64 KB excluded) */

typedef enum {
    AV_NONE = 0,
    AV_S,
    AV_N,
    AV_B,
    AV_BOOL,
    AV_NULL,
    AV_M,
    AV_L,
    AV_SS,
    AV_NS,
    AV_BS,
} av_type_t;

typedef struct av av_t;
typedef struct av_kv av_kv_t;

typedef struct {
    size_t n;
    av_kv_t *kvs;
} av_map_t;

typedef struct {
    size_t n;
    av_t *items;
} av_list_t;

struct av {
    av_type_t type;
    union {
        ddb_str_t s; /* S, N (canonical text), B (raw bytes) */
        bool b;      /* BOOL */
        av_list_t l; /* L, SS, NS, BS */
        av_map_t m;  /* M */
    };
};

struct av_kv {
    ddb_str_t name;
    av_t val;
};

/** Wire name of a type: "S", "N", ..., "BS" ("" for AV_NONE or an unknown value). */
const char *av_type_name(av_type_t t);
/** Type from its wire name, or AV_NONE. */
av_type_t av_type_from_name(const char *s, size_t n);

/** Member by name, or NULL. */
av_t *av_map_get(const av_map_t *m, const char *name, size_t n);
static inline av_t *av_map_getz(const av_map_t *m, ddb_str_t name)
{
    return av_map_get(m, name.ptr, name.len);
}

/** Deep copy into `a`. */
void av_copy(arena_t *a, const av_t *src, av_t *dst);
void av_map_copy(arena_t *a, const av_map_t *src, av_map_t *dst);

/**
 * Equality as DynamoDB's `=`: same type and same value; N by numeric value; sets ignore order;
 * M ignores member order; L is ordered. Large sets are sorted in a temporary heap block (freed
 * before returning) so comparing them is O(n log n).
 */
bool av_equal(const av_t *a, const av_t *b);
/** Two maps with the same names and equal values (member order ignored); O(n log n). */
bool av_map_equal(const av_map_t *a, const av_map_t *b);
/** A hash that agrees with av_equal (equal values, equal hashes: N by value, sets and maps
 *  without order), keyed per process; linear in the value's size. */
uint64_t av_hash(const av_t *v);
uint64_t av_map_hash(const av_map_t *m);

/**
 * Order of two scalars of the same type S, N or B (<0, 0, >0): N numerically, S and B as unsigned
 * bytes (memcmp, shorter first on a common prefix), which is DynamoDB's key order.
 */
int av_scalar_cmp(const av_t *a, const av_t *b);

/**
 * DynamoDB's size of a value in bytes (item-size rule, without the attribute name):
 * - S: UTF-8 bytes; B: raw (decoded) bytes; BOOL, NULL: 1.
 * - N: 1 + (base-100 digits of the mantissa) + (1 if negative); zero is 1. Base-100 digits are
 *   digit pairs aligned on the decimal point, from the pair holding the first significant digit
 *   to the pair holding the last: "12" -> 2, "1.2" (01|.20) -> 3, "100" (01|00) -> 2,
 *   "3.14159" (03|.14|15|90) -> 5, "-42" -> 3, 38 digits -> 20 or 21. The exponent is free:
 *   "1E125" -> 2. The AWS guide's "1 byte per two significant digits + 1" only approximates
 *   this. Sources: dynalite's size function (tuned against AWS) computes exactly this, and it
 *   fits all 23 literals the DynamoDB Parity Suite measured to the byte at the 400 KB gate
 *   (eu-west-2, 2026-08-18).
 * - SS, NS, BS: sum of the element sizes (no per-element overhead).
 * - L: 3 + sum over elements of (1 + element size).
 * - M: 3 + sum over members of (1 + name length + value size).
 * (AWS "Item sizes and formats" page for S/B/BOOL/NULL/L/M; dynalite and measurements reported
 * in ExtendDB PR #217 agree on the L/M per-element byte and on sets having none.)
 */
size_t av_size(const av_t *v);
/** Size of an item: sum over attributes of (UTF-8 name length + av_size(value)); the 400 KB limit
 *  (409,600) applies to this figure. */
size_t av_item_size(const av_map_t *item);

#endif
