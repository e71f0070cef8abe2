/*
 * keyenc: memcmp-ordered, self-delimiting encoding of S, N and B key parts.
 * Entry points: kenc_put (encode, append to a buf_t) and kenc_get (decode one part).
 *
 * THIS LAYOUT IS ON DISK (its byte values: FMT_KS_* and FMT_KN_* in format.h). Never change it; a
 * new layout needs a new format version.
 *
 * S and B
 *   The bytes, with every 0x00 written as 0x00 0xFF, then the terminator 0x00 0x01.
 *   A terminator (00 01) sorts below an escaped zero (00 FF), which sorts below any other byte,
 *   so a proper prefix sorts first, exactly like memcmp-then-length on the raw bytes.
 *     "ab"      -> 61 62 00 01
 *     "a\0b"    -> 61 00 FF 62 00 01
 *     ""        -> 00 01
 *
 * N  (value = sign * 0.d1 d2 .. dn * 10^exp, decimal.h; 1 <= n <= 38, d1 != 0, dn != 0)
 *   byte 0     class: 0x01 negative, 0x02 zero, 0x03 positive. Zero is this byte alone.
 *   byte 1     exp + 129. DynamoDB's range makes -129 <= exp <= 126, so this is 0..255: the
 *              whole byte, no spare values.
 *   bytes 2..  the digits in pairs, one byte per pair: d1*10 + d2 + 1 (1..100); an odd final
 *              digit is paired with 0. At most 19 bytes.
 *   last       0x00 terminator (below every pair byte, so a shorter digit string sorts first).
 *   For a negative number every byte after the class byte is complemented (b ^ 0xFF): larger
 *   magnitudes then sort first, and the terminator becomes 0xFF (above every complemented
 *   pair byte, so the longer, larger-magnitude digit string sorts first).
 *   Longest encoding: 1 + 1 + 19 + 1 = 22 bytes.
 *
 *   Worked examples:
 *     0        -> 02
 *     1        = 0.1E1      -> 03 82 0B 00            (1+129 = 0x82; pair "10" -> 11 = 0x0B)
 *     12.5     = 0.125E2    -> 03 83 0D 33 00         (pairs "12" -> 13, "50" -> 51 = 0x33)
 *     100      = 0.1E3      -> 03 84 0B 00
 *     0.001    = 0.1E-2     -> 03 7F 0B 00            (-2+129 = 127)
 *     -12.5                 -> 01 7C F2 CC FF         (each of 83 0D 33 00 complemented)
 *     1E-130   = 0.1E-129   -> 03 00 0B 00
 *   Order check: -12.5 (01 ..) < 0 (02) < 0.001 (03 7F ..) < 1 (03 82 0B 00) < 12.5 (03 83 ..)
 *   < 100 (03 84 ..).
 *
 * Decoding is strict: kenc_get accepts only what kenc_put produces (canonical digits, no
 * leading or trailing zero digit, at most 38 digits, known class byte), and returns 0 for
 * anything else, including truncated input.
 */
#include "engine/keyenc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "engine/format.h"

#define N_MAX_BYTES 22

_Static_assert(FMT_KN_EXP_BIAS == -DEC_MIN_EXP, "exponent bias must map DEC_MIN_EXP to 0");
_Static_assert(DEC_MAX_EXP + FMT_KN_EXP_BIAS == 255, "biased exponent must fit one byte");

static void put_bytes(buf_t *b, const char *p, size_t n)
{
    size_t extra = 2;
    for (size_t i = 0; i < n; i++) extra += p[i] == 0;
    char *d = buf_reserve(b, n + extra);
    for (size_t i = 0; i < n; i++) {
        *d++ = p[i];
        if (p[i] == 0) *d++ = (char)FMT_KS_ESC;
    }
    *d++ = 0x00;
    *d++ = FMT_KS_END;
    b->len += n + extra;
    b->data[b->len] = 0;
}

static void put_number(buf_t *b, const char *p, size_t n)
{
    dec_t d;
    if (dec_parse(p, n, &d) != DEC_OK) {
        /* A key number is validated long before it is encoded: this is a bug, and carrying on
         * would write a key in the wrong place. */
        fprintf(stderr, "dynarock: kenc_put: invalid number \"%.*s\"\n", (int)(n > 64 ? 64 : n), p);
        abort();
    }
    unsigned char out[N_MAX_BYTES];
    size_t k = 0;
    if (d.sign == 0) {
        out[k++] = FMT_KN_ZERO;
    } else {
        unsigned char flip = d.sign < 0 ? 0xFF : 0x00;
        out[k++] = d.sign < 0 ? FMT_KN_NEG : FMT_KN_POS;
        out[k++] = (unsigned char)(d.exp + FMT_KN_EXP_BIAS) ^ flip;
        for (int i = 0; i < d.ndigits; i += 2) {
            int lo = i + 1 < d.ndigits ? d.digits[i + 1] : 0;
            out[k++] = (unsigned char)(d.digits[i] * 10 + lo + 1) ^ flip;
        }
        out[k++] = 0x00 ^ flip;
    }
    buf_put(b, out, k);
}

void kenc_put(buf_t *b, const av_t *v)
{
    switch (v->type) {
    case AV_S:
    case AV_B:
        put_bytes(b, v->s.ptr, v->s.len);
        break;
    case AV_N:
        put_number(b, v->s.ptr, v->s.len);
        break;
    default:
        fprintf(stderr, "dynarock: kenc_put: type %s is not a key type\n", av_type_name(v->type));
        abort();
    }
}

static size_t get_bytes(arena_t *a, const unsigned char *p, size_t n, av_type_t t, av_t *out)
{
    size_t len = 0, i = 0;
    for (;;) {
        if (i >= n) return 0;
        if (p[i] != 0) {
            i++;
            len++;
            continue;
        }
        if (i + 1 >= n) return 0;
        if (p[i + 1] == FMT_KS_END) break;
        if (p[i + 1] != FMT_KS_ESC) return 0;
        i += 2;
        len++;
    }
    size_t used = i + 2;
    char *s = arena_alloc(a, len + 1);
    size_t k = 0;
    for (i = 0; k < len; i++) {
        s[k++] = (char)p[i];
        if (p[i] == 0) i++; /* skip the 0xFF escape */
    }
    s[len] = 0;
    out->type = t;
    out->s = (ddb_str_t){s, len};
    return used;
}

static size_t get_number(arena_t *a, const unsigned char *p, size_t n, av_t *out)
{
    dec_t d;
    memset(&d, 0, sizeof(d));
    size_t used;
    if (n < 1) return 0;
    if (p[0] == FMT_KN_ZERO) {
        used = 1;
    } else if (p[0] == FMT_KN_NEG || p[0] == FMT_KN_POS) {
        unsigned char flip = p[0] == FMT_KN_NEG ? 0xFF : 0x00;
        if (n < 2) return 0;
        d.sign = p[0] == FMT_KN_NEG ? -1 : 1;
        d.exp = (int16_t)((p[1] ^ flip) - FMT_KN_EXP_BIAS);
        size_t i = 2;
        int nd = 0;
        for (;;) {
            if (i >= n) return 0;
            unsigned char c = p[i++] ^ flip;
            if (c == 0) break;
            if (c > 100 || nd >= DEC_MAX_DIGITS) return 0;
            d.digits[nd++] = (uint8_t)((c - 1) / 10);
            d.digits[nd++] = (uint8_t)((c - 1) % 10);
        }
        if (nd == 0) return 0;
        if (d.digits[nd - 1] == 0) nd--; /* odd digit count: the pad digit */
        if (d.digits[nd - 1] == 0 || d.digits[0] == 0) return 0;
        d.ndigits = (uint8_t)nd;
        used = i;
    } else {
        return 0;
    }
    char text[DEC_TEXT_MAX + 1];
    size_t len = dec_format(&d, text);
    out->type = AV_N;
    out->s = (ddb_str_t){arena_memdup(a, text, len), len};
    return used;
}

size_t kenc_get(arena_t *a, const char *p, size_t n, av_type_t t, av_t *out)
{
    const unsigned char *u = (const unsigned char *)p;
    switch (t) {
    case AV_S:
    case AV_B:
        return get_bytes(a, u, n, t, out);
    case AV_N:
        return get_number(a, u, n, out);
    default:
        return 0;
    }
}
