/*
 * base64: standard alphabet (RFC 4648 section 4), as DynamoDB's B/BS values use on the wire.
 * Thread-safe, no allocation.
 *
 * Decoding is strict, the way DynamoDB's request decoder is:
 * - the length must be a multiple of 4 (unpadded text is rejected);
 * - '=' only as one or two trailing pad characters; no whitespace, no URL-safe '-' '_', no
 *   other byte (0x80..0xFF included);
 * - the unused low bits of the last symbol before the padding must be zero ("QQ==" is 'A',
 *   "QR==" is rejected), so every accepted text is exactly b64_encode() of its bytes;
 * - "" is valid and decodes to zero bytes (whether an empty B is allowed is the caller's rule).
 *
 * What DynamoDB does, and where we learnt it (all answers are SerializationException, HTTP 400):
 * - "23456" -> "Base64 encoded length is expected a multiple of 4 bytes but found: 5" (dynalite's
 *   test/helpers.js, a suite that also runs against AWS; ScyllaDB issue #6487 quotes AWS's reply
 *   to an unpadded 11-character value: "... but found: 11"; ScyllaDB's test_base64_missing_padding).
 * - "+/+=" -> "Invalid last non-pad Base64 character dectected" [sic]: non-zero trailing bits are
 *   rejected; "=+/=" -> "Invalid Base64 character: '='": characters outside the alphabet (and a
 *   misplaced '=') are checked first (the Coral type tables kinesalite and dynalite record from AWS).
 * - Characters outside the alphabet ("YWJj??!!", a 0xFF byte) are rejected (ScyllaDB's
 *   test/alternator/test_manual_requests.py test_base64_malformed and issue #25701, both also
 *   run against DynamoDB).
 * b64_check() tells these cases apart, in that order, so the caller can word the message.
 */
#ifndef DDB_BASE64_H
#define DDB_BASE64_H

#include <stddef.h>

/** Bytes needed to encode `n` bytes (no NUL). */
static inline size_t b64_encoded_len(size_t n)
{
    return (n + 2) / 3 * 4;
}
/** Upper bound of decoded bytes for `n` input characters. */
static inline size_t b64_decoded_max(size_t n)
{
    return n / 4 * 3;
}
/** Encode `n` bytes of `src` into `dst` (b64_encoded_len(n) bytes, no NUL); returns that length. */
size_t b64_encode(const void *src, size_t n, char *dst);
/** Decode strictly; returns 0 and sets *out_len on success, -1 on invalid input. `dst` needs
 *  b64_decoded_max(n) bytes; on failure its contents are unspecified. */
int b64_decode(const char *src, size_t n, void *dst, size_t *out_len);

/** Why b64_decode() would reject a text (first failing rule in DynamoDB's order), or B64_OK. */
typedef enum {
    B64_OK = 0,
    B64_BAD_LENGTH, /* "Base64 encoded length is expected a multiple of 4 bytes but found: <n>" */
    B64_BAD_CHAR,   /* a byte outside the alphabet or a misplaced '=': "Invalid Base64 character: 'c'" */
    B64_BAD_LAST,   /* "Invalid last non-pad Base64 character dectected" (AWS's spelling) */
} b64_status_t;
/** Classify `src` without decoding it; B64_OK exactly when b64_decode() succeeds. For B64_BAD_CHAR,
 *  *bad_at (if not NULL) gets the offset of the first offending byte. */
b64_status_t b64_check(const char *src, size_t n, size_t *bad_at);

#endif
