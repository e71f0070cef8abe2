/*
 * fuzz_decimal: libFuzzer target for DynamoDB numbers (common/decimal.h), and (built with
 * DDB_FUZZ_REPLAY) a replay of its seed corpus that runs in ordinary CI.
 *
 * Input: "<a>,<b>": two number texts split at the first ',' (without one, b is a copy of a).
 * Properties checked (abort() with both operands on stderr on a violation):
 *   - dec_parse agrees with an independent reference normaliser written here (the status, in
 *     DynamoDB's order syntax > precision > range, and for accepted texts the sign, digits and
 *     exponent), and every dec_t it produces keeps decimal.h's invariant (one representation);
 *   - parse(format(x)) == x byte for byte, format is within DEC_TEXT_MAX, and format is canonical
 *     (formatting the re-parsed value gives the same text);
 *   - dec_cmp: cmp(a,a) == 0, sign(cmp(a,b)) == -sign(cmp(b,a)), 0 exactly when the dec_t's are
 *     equal, and the same sign as a reference comparison of (sign, exponent, digits);
 *   - add/sub: a+b == b+a (same status), a-b == -(b-a), a-a == 0, a+0 == a; when a+b (a-b) is
 *     representable, (a+b)-b == a and (a-b)+b == a exactly; when both operands scaled to a common
 *     number of fraction digits fit in 128-bit integers, the sum and difference equal the
 *     integer arithmetic's (and then no precision or range error is allowed);
 *   - dec_from_int of the input's first 8 bytes formats like printf("%lld").
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

static const char *A_TEXT, *B_TEXT;
static size_t A_LEN, B_LEN;

#define CHECK(cond)                                                                                          \
    do {                                                                                                     \
        if (!(cond)) {                                                                                       \
            fprintf(stderr, "fuzz_decimal: %s:%d: check failed: %s\n  a = '%.*s'\n  b = '%.*s'\n", __FILE__, \
                    __LINE__, #cond, (int)A_LEN, A_TEXT, (int)B_LEN, B_TEXT);                                \
            abort();                                                                                         \
        }                                                                                                    \
    } while (0)

static int sgn(int v)
{
    return (v > 0) - (v < 0);
}

/* decimal.h's invariant: zero is all zeros; otherwise 1..38 digits without leading or trailing
 * zeros, unused slots zero, exponent in range. */
static int well_formed(const dec_t *d)
{
    if (d->sign == 0) {
        dec_t z;
        memset(&z, 0, sizeof z);
        return memcmp(d, &z, sizeof z) == 0;
    }
    if (d->sign != 1 && d->sign != -1) return 0;
    if (d->ndigits < 1 || d->ndigits > DEC_MAX_DIGITS) return 0;
    if (d->exp < DEC_MIN_EXP || d->exp > DEC_MAX_EXP) return 0;
    if (d->digits[0] == 0 || d->digits[d->ndigits - 1] == 0) return 0;
    for (int i = 0; i < DEC_MAX_DIGITS; i++)
        if (d->digits[i] > 9 || (i >= d->ndigits && d->digits[i] != 0)) return 0;
    return 1;
}

/* ---- reference normaliser: the grammar and the limits, written independently --------------- */

typedef struct {
    int sign;
    int ndigits;
    long long exp;
    uint8_t digits[DEC_MAX_DIGITS];
} ref_t;

static dec_status_t ref_parse(const char *s, size_t len, ref_t *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    int neg = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
    size_t ib = i;
    while (i < len && s[i] >= '0' && s[i] <= '9') i++;
    size_t ie = i, fb = i, fe = i;
    if (i < len && s[i] == '.') {
        fb = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        fe = i;
    }
    if (ie == ib && fe == fb) return DEC_ERR_SYNTAX; /* no mantissa digit */
    long long e = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
        size_t eb = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (e < 1000000000000LL) e = e * 10 + (s[i] - '0');
            i++;
        }
        if (i == eb) return DEC_ERR_SYNTAX;
        if (eneg) e = -e;
    }
    if (i != len) return DEC_ERR_SYNTAX;
    /* The mantissa digits, integer part then fraction, as positions 0..m-1. */
    size_t ilen = ie - ib, flen = fe - fb, m = ilen + flen;
#define MD(j) ((j) < ilen ? s[ib + (j)] : s[fb + (j)-ilen])
    size_t first = 0;
    while (first < m && MD(first) == '0') first++;
    if (first == m) return DEC_OK; /* zero, whatever its exponent */
    size_t last = m - 1;
    while (MD(last) == '0') last--;
    size_t n = last - first + 1;
    if (n > DEC_MAX_DIGITS) return DEC_ERR_PRECISION;
    long long exp = (long long)ilen - (long long)first + e;
    if (exp > DEC_MAX_EXP) return DEC_ERR_OVERFLOW;
    if (exp < DEC_MIN_EXP) return DEC_ERR_UNDERFLOW;
    out->sign = neg ? -1 : 1;
    out->ndigits = (int)n;
    out->exp = exp;
    for (size_t j = 0; j < n; j++) out->digits[j] = (uint8_t)(MD(first + j) - '0');
#undef MD
    return DEC_OK;
}

static int ref_same(const ref_t *r, const dec_t *d)
{
    if (r->sign != d->sign) return 0;
    if (r->sign == 0) return 1;
    return r->ndigits == d->ndigits && r->exp == d->exp &&
           memcmp(r->digits, d->digits, (size_t)r->ndigits) == 0;
}

/* Reference order: sign, then (for equal signs) exponent, then digits; flipped for negatives. */
static int ref_cmp(const dec_t *a, const dec_t *b)
{
    if (a->sign != b->sign) return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0) return 0;
    int mag;
    if (a->exp != b->exp)
        mag = a->exp < b->exp ? -1 : 1;
    else
        mag = sgn(memcmp(a->digits, b->digits, DEC_MAX_DIGITS)); /* unused slots are 0 */
    return a->sign > 0 ? mag : -mag;
}

/* ---- 128-bit reference arithmetic ----------------------------------------------------------- */

typedef __int128 i128;
#define I128_LIMIT ((i128)1000000000000000000LL * (i128)10000000000000000000ULL) /* 1e37 */

/* d * 10^scale as an integer, if it is one and its magnitude is below 1e37. */
static int to_scaled(const dec_t *d, int scale, i128 *out)
{
    *out = 0;
    if (d->sign == 0) return 1;
    int frac = d->ndigits - d->exp; /* digits after the point */
    if (frac > scale) return 0;
    int total = d->exp + scale; /* decimal digits of the scaled integer */
    if (total > 37) return 0;
    i128 v = 0;
    for (int i = 0; i < total; i++) v = v * 10 + (i < d->ndigits ? d->digits[i] : 0);
    *out = d->sign < 0 ? -v : v;
    return 1;
}

/* The text of v / 10^scale, for dec_parse. */
static size_t scaled_text(i128 v, int scale, char *buf)
{
    char tmp[64];
    int n = 0, neg = v < 0;
    unsigned __int128 u = neg ? (unsigned __int128)(-v) : (unsigned __int128)v;
    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    size_t len = 0;
    if (neg) buf[len++] = '-';
    for (int i = n - 1; i >= 0; i--) buf[len++] = tmp[i];
    len += (size_t)sprintf(buf + len, "e-%d", scale);
    return len;
}

/* ---- the properties ------------------------------------------------------------------------- */

static void check_one(const char *s, size_t len, dec_t *d, dec_status_t *st)
{
    ref_t r;
    dec_status_t rs = ref_parse(s, len, &r);
    *st = dec_parse(s, len, d);
    CHECK(*st == rs);
    if (*st != DEC_OK) return;
    CHECK(well_formed(d));
    CHECK(ref_same(&r, d));
    char text[DEC_TEXT_MAX + 8];
    memset(text, 0x55, sizeof text);
    size_t n = dec_format(d, text);
    CHECK(n <= DEC_TEXT_MAX && text[n] == 0 && strlen(text) == n);
    dec_t back;
    CHECK(dec_parse(text, n, &back) == DEC_OK);
    CHECK(memcmp(&back, d, sizeof back) == 0);
    char again[DEC_TEXT_MAX + 1];
    CHECK(dec_format(&back, again) == n && memcmp(again, text, n) == 0);
    CHECK(dec_cmp(d, d) == 0);
}

static int eq(const dec_t *a, const dec_t *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static dec_t neg(const dec_t *a)
{
    dec_t r = *a;
    r.sign = (int8_t)-r.sign;
    return r;
}

static void check_pair(const dec_t *a, const dec_t *b)
{
    int c = dec_cmp(a, b), c2 = dec_cmp(b, a);
    CHECK(sgn(c) == -sgn(c2));
    CHECK((c == 0) == eq(a, b));
    CHECK(sgn(c) == ref_cmp(a, b));

    dec_t s, s2, d, d2, back, zero;
    memset(&zero, 0, sizeof zero);
    dec_status_t ss = dec_add(a, b, &s), ss2 = dec_add(b, a, &s2);
    CHECK(ss == ss2);
    if (ss == DEC_OK) {
        CHECK(well_formed(&s) && eq(&s, &s2));
        CHECK(dec_sub(&s, b, &back) == DEC_OK && eq(&back, a));
        CHECK(dec_sub(&s, a, &back) == DEC_OK && eq(&back, b));
    }
    dec_status_t ds = dec_sub(a, b, &d), ds2 = dec_sub(b, a, &d2);
    CHECK(ds == ds2);
    if (ds == DEC_OK) {
        CHECK(well_formed(&d));
        dec_t nd2 = neg(&d2);
        CHECK(eq(&d, &nd2));
        CHECK(dec_add(&d, b, &back) == DEC_OK && eq(&back, a));
    }
    CHECK(dec_sub(a, a, &back) == DEC_OK && eq(&back, &zero));
    CHECK(dec_add(a, &zero, &back) == DEC_OK && eq(&back, a));
    CHECK(dec_sub(&zero, a, &back) == DEC_OK);
    dec_t na = neg(a);
    CHECK(eq(&back, &na));

    /* Both operands as integers over a common scale: exact reference sums. */
    int fa = a->sign ? a->ndigits - a->exp : 0, fb = b->sign ? b->ndigits - b->exp : 0;
    int scale = fa > fb ? fa : fb;
    if (scale < 0) scale = 0;
    i128 x, y;
    if (scale <= 60 && to_scaled(a, scale, &x) && to_scaled(b, scale, &y) && x < I128_LIMIT &&
        x > -I128_LIMIT && y < I128_LIMIT && y > -I128_LIMIT) {
        char buf[128];
        dec_t want;
        size_t n = scaled_text(x + y, scale, buf);
        if (dec_parse(buf, n, &want) == DEC_OK) { /* out of range only when the scale is extreme */
            CHECK(ss == DEC_OK);
            CHECK(eq(&s, &want));
        }
        n = scaled_text(x - y, scale, buf);
        if (dec_parse(buf, n, &want) == DEC_OK) {
            CHECK(ds == DEC_OK);
            CHECK(eq(&d, &want));
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *comma = memchr(text, ',', size);
    A_TEXT = text;
    A_LEN = comma ? (size_t)(comma - text) : size;
    B_TEXT = comma ? comma + 1 : text;
    B_LEN = comma ? size - A_LEN - 1 : size;

    dec_t a, b;
    dec_status_t sa, sb;
    check_one(A_TEXT, A_LEN, &a, &sa);
    check_one(B_TEXT, B_LEN, &b, &sb);
    if (sa == DEC_OK && sb == DEC_OK) check_pair(&a, &b);

    if (size >= 8) {
        int64_t v;
        memcpy(&v, data, 8);
        dec_t d;
        dec_from_int(v, &d);
        CHECK(well_formed(&d));
        char got[DEC_TEXT_MAX + 1], want[32];
        size_t n = dec_format(&d, got);
        snprintf(want, sizeof want, "%lld", (long long)v);
        CHECK(n == strlen(want) && memcmp(got, want, n) == 0);
    }
    return 0;
}
