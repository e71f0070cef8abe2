/*
 * keyenc: memcmp-ordered, self-delimiting encoding of key parts (S, N, B), used for base-table
 * keys and index keys (engine-internal header).
 *
 * Property: for two values x, y of the same type T,
 *   sign(memcmp-order(enc(x), enc(y))) == sign(av_scalar_cmp(x, y))
 * and because every encoding is self-delimiting (no encoding is a proper prefix of another
 * encoding of the same type), enc(x1)||enc(x2) sorts by (x1, x2).
 *
 * Byte layouts (documented with worked examples in docs/storage-format.md):
 * - S and B: the bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01.
 * - N: one class byte (0x01 negative, 0x02 zero, 0x03 positive); for non-zero numbers a
 *   biased exponent byte (decimal.h exp + 129, exactly 0..255) and the digits packed two per
 *   byte (d1*10+d2+1, an odd last digit paired with 0), terminated by 0x00; for negatives
 *   every byte after the class byte is complemented (terminator becomes 0xFF) so larger
 *   magnitudes sort first. At most 22 bytes.
 *   (keyenc.c's header has the exact layout with worked bytes; it is on disk: never change it.)
 *
 * Contract: pure functions, thread-safe.
 */
#ifndef DDB_KEYENC_H
#define DDB_KEYENC_H

#include "common/arena.h"
#include "common/av.h"

/**
 * Append the encoding of `v` (type AV_S, AV_N or AV_B) to `b`. N must be a valid DynamoDB number
 * (any spelling; equal values encode identically). Another type or an invalid number is a bug
 * in the caller and aborts the process.
 */
void kenc_put(buf_t *b, const av_t *v);
/**
 * Decode one part of type `t` from p[0..n). On success stores the value (copied into `a`; N as
 * canonical text) in *out and returns the number of bytes consumed; returns 0 if the bytes do
 * not start with a valid encoding (including truncated input) or `t` is not S, N or B.
 */
size_t kenc_get(arena_t *a, const char *p, size_t n, av_type_t t, av_t *out);

#endif
