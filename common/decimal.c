/*
 * decimal: DynamoDB numbers (see decimal.h for the representation and the contract).
 *
 * Entry points: dec_parse, dec_format, dec_cmp, dec_add, dec_sub, dec_from_int.
 *
 * Invariant of every dec_t produced here: zero is {sign 0, ndigits 0, exp 0}; a non-zero value
 * has 1..38 digits with digits[0] != 0 and digits[ndigits-1] != 0, and DEC_MIN_EXP <= exp <=
 * DEC_MAX_EXP; unused digits[] slots are 0. So each value has exactly one representation, down to
 * the bytes (equal values are memcmp-equal dec_t's).
 *
 * Checks happen in the order DynamoDB reports them: syntax, then precision (more than 38
 * significant digits), then range (overflow / underflow). Arithmetic results go through the same
 * precision and range checks as parsed input; nothing is ever rounded.
 */
#include "common/decimal.h"

#include <string.h>

/* Exponent literals saturate here: any larger exponent is already far outside the range, and
 * DynamoDB answers "1e99999999999" with the overflow error (not a syntax error), so a huge exponent
 * must flow into the range checks. Saturating keeps exp + digit counts inside long long. */
#define EXP_LITERAL_MAX 1000000000000000LL

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Range and precision checks on a candidate, then store it. */
static dec_status_t finish(int sign, const uint8_t *digits, long long ndigits, long long exp, dec_t *out)
{
    if (ndigits > DEC_MAX_DIGITS) return DEC_ERR_PRECISION;
    if (exp > DEC_MAX_EXP) return DEC_ERR_OVERFLOW;
    if (exp < DEC_MIN_EXP) return DEC_ERR_UNDERFLOW;
    out->sign = (int8_t)sign;
    out->ndigits = (uint8_t)ndigits;
    out->exp = (int16_t)exp;
    memcpy(out->digits, digits, (size_t)ndigits);
    memset(out->digits + ndigits, 0, (size_t)(DEC_MAX_DIGITS - ndigits));
    return DEC_OK;
}

/* The digits of a literal's mantissa without its '.': the integer part, then the fraction. */
typedef struct {
    const char *ip; /* integer digits */
    size_t ilen;
    const char *fp; /* fraction digits */
} mantissa_t;

static char mdigit(const mantissa_t *m, size_t j)
{
    return j < m->ilen ? m->ip[j] : m->fp[j - m->ilen];
}

static void set_zero(dec_t *out)
{
    memset(out, 0, sizeof(*out));
}

dec_status_t dec_parse(const char *s, size_t len, dec_t *out)
{
    size_t i = 0;
    int neg = 0;

    if (i < len && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    size_t int_start = i;
    while (i < len && is_digit(s[i])) i++;
    size_t int_len = i - int_start, frac_start = i, frac_len = 0;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(s[i])) i++;
        frac_len = i - frac_start;
    }
    if (int_len + frac_len == 0) return DEC_ERR_SYNTAX;

    long long e = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        if (i >= len || !is_digit(s[i])) return DEC_ERR_SYNTAX;
        while (i < len && is_digit(s[i])) {
            e = e * 10 + (s[i] - '0');
            if (e > EXP_LITERAL_MAX) e = EXP_LITERAL_MAX;
            i++;
        }
        if (eneg) e = -e;
    }
    if (i != len) return DEC_ERR_SYNTAX;

    /* The mantissa's digits, integer part then fraction, seen as one sequence of `total`. */
    mantissa_t m = {s + int_start, int_len, s + frac_start};
    size_t total = int_len + frac_len;
    size_t first = 0, last = total;
    while (first < total && mdigit(&m, first) == '0') first++;
    if (first == total) {
        set_zero(out);
        return DEC_OK;
    }
    while (mdigit(&m, last - 1) == '0') last--;

    long long n = (long long)(last - first);
    if (n > DEC_MAX_DIGITS) return DEC_ERR_PRECISION;
    uint8_t digits[DEC_MAX_DIGITS];
    for (size_t j = first; j < last; j++) digits[j - first] = (uint8_t)(mdigit(&m, j) - '0');
    /* Digit j stands for 10^(int_len - 1 - j + e); the leading one fixes exp (value = 0.d1.. * 10^exp). */
    long long exp = (long long)int_len - (long long)first + e;
    return finish(neg ? -1 : 1, digits, n, exp, out);
}

size_t dec_format_u64(char *out, uint64_t v)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    out[n] = 0;
    return n;
}

size_t dec_format(const dec_t *d, char *buf)
{
    char *p = buf;
    int n = d->ndigits, exp = d->exp;

    if (d->sign == 0 || n == 0) {
        buf[0] = '0';
        buf[1] = 0;
        return 1;
    }
    if (d->sign < 0) *p++ = '-';
    if (exp <= 0) {
        *p++ = '0';
        *p++ = '.';
        for (int i = 0; i < -exp; i++) *p++ = '0';
        for (int i = 0; i < n; i++) *p++ = (char)('0' + d->digits[i]);
    } else if (exp >= n) {
        for (int i = 0; i < n; i++) *p++ = (char)('0' + d->digits[i]);
        for (int i = n; i < exp; i++) *p++ = '0';
    } else {
        for (int i = 0; i < exp; i++) *p++ = (char)('0' + d->digits[i]);
        *p++ = '.';
        for (int i = exp; i < n; i++) *p++ = (char)('0' + d->digits[i]);
    }
    *p = 0;
    return (size_t)(p - buf);
}

/* Compare magnitudes of two non-zero values. */
static int cmp_abs(const dec_t *a, const dec_t *b)
{
    if (a->exp != b->exp) return a->exp < b->exp ? -1 : 1;
    int n = a->ndigits < b->ndigits ? a->ndigits : b->ndigits;
    for (int i = 0; i < n; i++)
        if (a->digits[i] != b->digits[i]) return a->digits[i] < b->digits[i] ? -1 : 1;
    /* Equal prefix: the longer one has more non-zero digits after it, so it is larger. */
    return a->ndigits < b->ndigits ? -1 : a->ndigits > b->ndigits ? 1 : 0;
}

int dec_cmp(const dec_t *a, const dec_t *b)
{
    if (a->sign != b->sign) return a->sign < b->sign ? -1 : 1;
    if (a->sign == 0) return 0;
    int c = cmp_abs(a, b);
    return a->sign > 0 ? c : -c;
}

/*
 * Exact addition. Both operands are laid out little-endian by decimal position in a scratch
 * array wide enough for any pair of valid operands: positions run from DEC_MIN_EXP - 38 (the
 * last digit of the smallest 38-digit number) up to DEC_MAX_EXP, plus one for a carry.
 */
#define WORK (DEC_MAX_EXP - (DEC_MIN_EXP - DEC_MAX_DIGITS) + 2)

static void spread(const dec_t *d, int lo, uint8_t *w)
{
    /* digits[i] sits at position exp - 1 - i. */
    for (int i = 0; i < d->ndigits; i++) w[d->exp - 1 - i - lo] = d->digits[i];
}

static dec_status_t add_signed(const dec_t *a, const dec_t *b, int bsign, dec_t *out)
{
    if (bsign == 0) {
        *out = *a;
        return DEC_OK;
    }
    if (a->sign == 0) {
        *out = *b;
        out->sign = (int8_t)bsign;
        return DEC_OK;
    }

    int lo_a = a->exp - a->ndigits, lo_b = b->exp - b->ndigits;
    int lo = lo_a < lo_b ? lo_a : lo_b;
    int hi = a->exp > b->exp ? a->exp : b->exp; /* exclusive top position before carry */
    int width = hi - lo + 1;
    uint8_t x[WORK] = {0}, y[WORK] = {0}, r[WORK] = {0};
    int sign;

    if (a->sign == bsign) {
        spread(a, lo, x);
        spread(b, lo, y);
        int carry = 0;
        for (int i = 0; i < width; i++) {
            int v = x[i] + y[i] + carry;
            carry = v >= 10;
            r[i] = (uint8_t)(carry ? v - 10 : v);
        }
        sign = a->sign;
    } else {
        int c = cmp_abs(a, b);
        if (c == 0) {
            set_zero(out);
            return DEC_OK;
        }
        /* x = larger magnitude, y = smaller. */
        spread(c > 0 ? a : b, lo, x);
        spread(c > 0 ? b : a, lo, y);
        int borrow = 0;
        for (int i = 0; i < width; i++) {
            int v = x[i] - y[i] - borrow;
            borrow = v < 0;
            r[i] = (uint8_t)(borrow ? v + 10 : v);
        }
        sign = c > 0 ? a->sign : bsign;
    }

    int top = width - 1, bot = 0;
    while (top >= 0 && r[top] == 0) top--;
    if (top < 0) {
        set_zero(out);
        return DEC_OK;
    }
    while (r[bot] == 0) bot++;
    int n = top - bot + 1;
    if (n > DEC_MAX_DIGITS) return DEC_ERR_PRECISION;
    uint8_t digits[DEC_MAX_DIGITS];
    for (int i = 0; i < n; i++) digits[i] = r[top - i];
    return finish(sign, digits, n, (long long)top + lo + 1, out);
}

dec_status_t dec_add(const dec_t *a, const dec_t *b, dec_t *out)
{
    return add_signed(a, b, b->sign, out);
}

dec_status_t dec_sub(const dec_t *a, const dec_t *b, dec_t *out)
{
    return add_signed(a, b, -b->sign, out);
}

void dec_from_int(int64_t v, dec_t *out)
{
    set_zero(out);
    if (v == 0) return;
    /* Magnitude as unsigned, so INT64_MIN works. */
    uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint8_t tmp[20];
    int n = 0;
    while (m) {
        tmp[n++] = (uint8_t)(m % 10);
        m /= 10;
    }
    int exp = n, skip = 0;
    while (tmp[skip] == 0) skip++; /* trailing zeros of the integer are not digits */
    out->sign = v < 0 ? -1 : 1;
    out->exp = (int16_t)exp;
    out->ndigits = (uint8_t)(n - skip);
    for (int i = 0; i < n - skip; i++) out->digits[i] = tmp[n - 1 - i];
}
