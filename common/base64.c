/*
 * base64: RFC 4648 section 4 (standard alphabet, '=' padding), strict like DynamoDB (see
 * base64.h for what DynamoDB accepts and the messages it gives).
 *
 * Decoding reads whole 4-character quanta through a 256-entry table in which every byte that is
 * not in the alphabet (including '=') maps to 0xFF, so one OR of the four values tells whether
 * the quantum was valid. Only the final quantum may hold padding, and its unused low bits must
 * be zero (so every accepted text is exactly what b64_encode would produce for its bytes).
 */
#include "common/base64.h"

#include <stdint.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* clang-format off */
#define XX 0xFF
static const uint8_t dtab[256] = {
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x00 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x10 */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, 62, XX, XX, XX, 63, /* 0x20: + / */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, XX, XX, XX, XX, XX, XX, /* 0x30: 0-9 ('=' invalid) */
    XX, 0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, /* 0x40: A-O */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, XX, XX, XX, XX, XX, /* 0x50: P-Z */
    XX, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60: a-o */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, XX, XX, XX, XX, XX, /* 0x70: p-z */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* 0x80.. */
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX,
    XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, XX, /* ..0xFF */
};
#undef XX
/* clang-format on */

size_t b64_encode(const void *src, size_t n, char *dst)
{
    const uint8_t *s = src;
    char *d = dst;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8 | s[i + 2];
        d[0] = alphabet[v >> 18];
        d[1] = alphabet[(v >> 12) & 63];
        d[2] = alphabet[(v >> 6) & 63];
        d[3] = alphabet[v & 63];
        d += 4;
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)s[i] << 16;
        d[0] = alphabet[v >> 18];
        d[1] = alphabet[(v >> 12) & 63];
        d[2] = '=';
        d[3] = '=';
        d += 4;
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)s[i] << 16 | (uint32_t)s[i + 1] << 8;
        d[0] = alphabet[v >> 18];
        d[1] = alphabet[(v >> 12) & 63];
        d[2] = alphabet[(v >> 6) & 63];
        d[3] = '=';
        d += 4;
    }
    return (size_t)(d - dst);
}

/* Trailing '=' count (0..2) of a non-empty text whose length is a multiple of 4. */
static size_t pads_of(const uint8_t *s, size_t n)
{
    return s[n - 1] != '=' ? 0 : s[n - 2] != '=' ? 1 : 2;
}

int b64_decode(const char *src, size_t n, void *dst, size_t *out_len)
{
    const uint8_t *s = (const uint8_t *)src;
    uint8_t *d = dst;
    if (n % 4) return -1;
    if (n == 0) {
        *out_len = 0;
        return 0;
    }
    size_t pads = pads_of(s, n), full = n / 4 - (pads != 0);
    for (size_t q = 0; q < full; q++, s += 4, d += 3) {
        uint32_t a = dtab[s[0]], b = dtab[s[1]], c = dtab[s[2]], e = dtab[s[3]];
        if ((a | b | c | e) & 0xC0) return -1;
        uint32_t v = a << 18 | b << 12 | c << 6 | e;
        d[0] = (uint8_t)(v >> 16);
        d[1] = (uint8_t)(v >> 8);
        d[2] = (uint8_t)v;
    }
    if (pads == 2) { /* "XY==": 8 data bits, the low 4 bits of Y unused */
        uint32_t a = dtab[s[0]], b = dtab[s[1]];
        if (((a | b) & 0xC0) || (b & 0x0F)) return -1;
        *d++ = (uint8_t)(a << 2 | b >> 4);
    } else if (pads == 1) { /* "XYZ=": 16 data bits, the low 2 bits of Z unused */
        uint32_t a = dtab[s[0]], b = dtab[s[1]], c = dtab[s[2]];
        if (((a | b | c) & 0xC0) || (c & 0x03)) return -1;
        uint32_t v = a << 18 | b << 12 | c << 6;
        *d++ = (uint8_t)(v >> 16);
        *d++ = (uint8_t)(v >> 8);
    }
    *out_len = (size_t)(d - (uint8_t *)dst);
    return 0;
}

b64_status_t b64_check(const char *src, size_t n, size_t *bad_at)
{
    const uint8_t *s = (const uint8_t *)src;
    if (n % 4) return B64_BAD_LENGTH;
    if (n == 0) return B64_OK;
    size_t pads = pads_of(s, n);
    for (size_t i = 0; i < n - pads; i++)
        if (dtab[s[i]] == 0xFF) {
            if (bad_at) *bad_at = i;
            return B64_BAD_CHAR;
        }
    /* the last non-pad symbol must leave its unused low bits zero */
    if (pads && (dtab[s[n - pads - 1]] & (pads == 2 ? 0x0F : 0x03))) return B64_BAD_LAST;
    return B64_OK;
}
