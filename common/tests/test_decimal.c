/*
 * test_decimal: DynamoDB numbers. Tables for parse (accept/reject), canonical format, compare,
 * add/sub; properties: format(parse(x)) parses back to the same value, add/sub agree with exact
 * 128-bit integer arithmetic on scaled integers, and (a + b) - b == a when both steps succeed.
 */
#include "common/decimal.h"

#include <stdlib.h>
#include <string.h>

#include "common/tests/check.h"

/* Parse `s`; return its status and (if OK) its canonical text in `buf`. */
static dec_status_t canon(const char *s, char *buf)
{
    dec_t d;
    dec_status_t rc = dec_parse(s, strlen(s), &d);
    buf[0] = 0;
    if (rc == DEC_OK) dec_format(&d, buf);
    return rc;
}

static dec_t P(const char *s)
{
    dec_t d;
    dec_status_t rc = dec_parse(s, strlen(s), &d);
    if (rc != DEC_OK) {
        fprintf(stderr, "test setup: cannot parse %s (%d)\n", s, rc);
        abort();
    }
    return d;
}

static char *rep(char *buf, const char *head, char c, int n, const char *tail)
{
    size_t h = strlen(head);
    memcpy(buf, head, h);
    memset(buf + h, c, (size_t)n);
    strcpy(buf + h + (size_t)n, tail);
    return buf;
}

static void test_parse_table(void)
{
    static const struct {
        const char *in;
        dec_status_t rc;
        const char *out;
    } cases[] = {
        /* plain and canonical forms */
        {"0", DEC_OK, "0"},
        {"-0", DEC_OK, "0"},
        {"+0", DEC_OK, "0"},
        {"0.000", DEC_OK, "0"},
        {"-0.0e5", DEC_OK, "0"},
        {"0e-999", DEC_OK, "0"},
        {"0e999999", DEC_OK, "0"},
        {"1", DEC_OK, "1"},
        {"+1", DEC_OK, "1"},
        {"-1", DEC_OK, "-1"},
        {"007", DEC_OK, "7"},
        {"-007.50", DEC_OK, "-7.5"},
        {"1.50", DEC_OK, "1.5"},
        {"1e2", DEC_OK, "100"},
        {"1E2", DEC_OK, "100"},
        {"1e+2", DEC_OK, "100"},
        {"1E-3", DEC_OK, "0.001"},
        {"12.345e1", DEC_OK, "123.45"},
        {"12.345e-1", DEC_OK, "1.2345"},
        {"12.345e3", DEC_OK, "12345"},
        {"12.345e5", DEC_OK, "1234500"},
        {".5", DEC_OK, "0.5"},
        {"-.5", DEC_OK, "-0.5"},
        {"5.", DEC_OK, "5"},
        {"5.e1", DEC_OK, "50"},
        {".5e1", DEC_OK, "5"},
        {"0.0001230", DEC_OK, "0.000123"},
        {"100", DEC_OK, "100"},
        {"1010", DEC_OK, "1010"},
        {"0042.1200", DEC_OK, "42.12"},
        {"123456789012345678901234567890.12345678", DEC_OK, "123456789012345678901234567890.12345678"},
        {"00000000000000000000000000000000000000000000001", DEC_OK, "1"},
        {"1.00000000000000000000000000000000000000000000000", DEC_OK, "1"},
        {"0.00000000000000000000000000000000000000000000001", DEC_OK,
         "0.00000000000000000000000000000000000000000000001"},
        /* syntax */
        {"", DEC_ERR_SYNTAX, ""},
        {"+", DEC_ERR_SYNTAX, ""},
        {"-", DEC_ERR_SYNTAX, ""},
        {".", DEC_ERR_SYNTAX, ""},
        {"-.", DEC_ERR_SYNTAX, ""},
        {"e5", DEC_ERR_SYNTAX, ""},
        {".e5", DEC_ERR_SYNTAX, ""},
        {"1e", DEC_ERR_SYNTAX, ""},
        {"1e+", DEC_ERR_SYNTAX, ""},
        {"1e-", DEC_ERR_SYNTAX, ""},
        {"1e1.5", DEC_ERR_SYNTAX, ""},
        {"1..2", DEC_ERR_SYNTAX, ""},
        {"1.2.3", DEC_ERR_SYNTAX, ""},
        {"--1", DEC_ERR_SYNTAX, ""},
        {"+-1", DEC_ERR_SYNTAX, ""},
        {" 1", DEC_ERR_SYNTAX, ""},
        {"1 ", DEC_ERR_SYNTAX, ""},
        {"1,5", DEC_ERR_SYNTAX, ""},
        {"0x10", DEC_ERR_SYNTAX, ""},
        {"Infinity", DEC_ERR_SYNTAX, ""},
        {"-Infinity", DEC_ERR_SYNTAX, ""},
        {"NaN", DEC_ERR_SYNTAX, ""},
        {"b", DEC_ERR_SYNTAX, ""},
        {"1e2147483648", DEC_ERR_OVERFLOW, ""},
        {"1e99999999999999999999", DEC_ERR_OVERFLOW, ""},
        {"1e-99999999999999999999", DEC_ERR_UNDERFLOW, ""},
        {"0e99999999999999999999", DEC_OK, "0"},
        /* exponents that fit int32 but leave the range */
        {"1e2147483647", DEC_ERR_OVERFLOW, ""},
        {"1e-2147483647", DEC_ERR_UNDERFLOW, ""},
        /* range */
        {"1E-130", DEC_OK, ""}, /* checked below: 129 zeros after the point */
        {"-1E-130", DEC_OK, ""},
        {"1E-131", DEC_ERR_UNDERFLOW, ""},
        {"-1E-131", DEC_ERR_UNDERFLOW, ""},
        {"0.1E-129", DEC_OK, ""},
        {"0.9E-130", DEC_ERR_UNDERFLOW, ""},
        {"10E-131", DEC_OK, ""},
        {"1E126", DEC_ERR_OVERFLOW, ""},
        {"-1E126", DEC_ERR_OVERFLOW, ""},
        {"1e+126", DEC_ERR_OVERFLOW, ""},
        {"0.1E127", DEC_ERR_OVERFLOW, ""},
        {"9.9999999999999999999999999999999999999E+125", DEC_OK, ""},
        {"-9.9999999999999999999999999999999999999E+125", DEC_OK, ""},
        {"99999999999999999999999999999999999999E88", DEC_OK, ""},
        {"99999999999999999999999999999999999999E89", DEC_ERR_OVERFLOW, ""},
        /* precision */
        {"12345678901234567890123456789012345678", DEC_OK, "12345678901234567890123456789012345678"},
        {"123456789012345678901234567890123456789", DEC_ERR_PRECISION, ""},
        {"-1.23456789012345678901234567890123456789", DEC_ERR_PRECISION, ""},
        {"0.000123456789012345678901234567890123456789", DEC_ERR_PRECISION, ""},
        {"1.00000000000000000000000000000000000001", DEC_ERR_PRECISION, ""},
        {"1.0000000000000000000000000000000000001", DEC_OK, "1.0000000000000000000000000000000000001"},
        {"1.000000000000000000000000000000000001", DEC_OK, "1.000000000000000000000000000000000001"},
        {"12345678901234567890123456789012345678000", DEC_OK, "12345678901234567890123456789012345678000"},
        /* precision is reported before range */
        {"123456789012345678901234567890123456789e200", DEC_ERR_PRECISION, ""},
    };
    char buf[DEC_TEXT_MAX + 1];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dec_status_t rc = canon(cases[i].in, buf);
        if (rc != cases[i].rc) fprintf(stderr, "  input: \"%s\"\n", cases[i].in);
        CHECK_INT(rc, cases[i].rc);
        if (rc == DEC_OK && cases[i].out[0]) CHECK_STR(buf, cases[i].out);
    }
}

static void test_boundaries(void)
{
    char in[400], want[400], buf[DEC_TEXT_MAX + 1];

    /* unsigned 64-bit integers (x-amz-crc32, JSON integers) */
    CHECK_INT(dec_format_u64(buf, 0), 1);
    CHECK_STR(buf, "0");
    CHECK_INT(dec_format_u64(buf, 4294967295u), 10);
    CHECK_STR(buf, "4294967295");
    CHECK_INT(dec_format_u64(buf, UINT64_MAX), 20);
    CHECK_STR(buf, "18446744073709551615");

    /* 1E-130 is "0." + 129 zeros + "1". */
    CHECK_INT(canon("1E-130", buf), DEC_OK);
    CHECK_STR(buf, rep(want, "0.", '0', 129, "1"));
    CHECK_INT(canon("-1E-130", buf), DEC_OK);
    CHECK_STR(buf, rep(want, "-0.", '0', 129, "1"));

    /* 1E+125 is "1" + 125 zeros. */
    CHECK_INT(canon("1E+125", buf), DEC_OK);
    CHECK_STR(buf, rep(want, "1", '0', 125, ""));
    CHECK_INT(strlen(buf), 126);

    /* The largest magnitude: 38 nines then 88 zeros. */
    CHECK_INT(canon("9.9999999999999999999999999999999999999E+125", buf), DEC_OK);
    CHECK_STR(buf, rep(want, "99999999999999999999999999999999999999", '0', 88, ""));
    CHECK_INT(canon("-9.9999999999999999999999999999999999999E+125", buf), DEC_OK);
    CHECK_INT(strlen(buf), 127);

    /* The longest text: negative, smallest exponent, 38 digits. */
    CHECK_INT(canon("-1.2345678901234567890123456789012345678E-130", buf), DEC_OK);
    CHECK_STR(buf, rep(want, "-0.", '0', 129, "12345678901234567890123456789012345678"));
    CHECK(strlen(buf) <= DEC_TEXT_MAX);
    /* ...but one more position down underflows */
    CHECK_INT(canon("1.2345678901234567890123456789012345678E-131", buf), DEC_ERR_UNDERFLOW);

    /* A 1 followed by 39+ zeros has one significant digit: accepted while in range. */
    CHECK_INT(canon(rep(in, "1", '0', 39, ""), buf), DEC_OK);
    CHECK_STR(buf, rep(want, "1", '0', 39, ""));
    CHECK_INT(canon(rep(in, "1", '0', 125, ""), buf), DEC_OK);
    CHECK_INT(canon(rep(in, "1", '0', 126, ""), buf), DEC_ERR_OVERFLOW);
    CHECK_INT(canon(rep(in, "-1", '0', 125, ".000"), buf), DEC_OK);
    CHECK_INT(canon(rep(in, "0.", '0', 129, "1000000000000000000000000000000000000000000"), buf), DEC_OK);
    CHECK_INT(canon(rep(in, "0.", '0', 130, "1"), buf), DEC_ERR_UNDERFLOW);
    /* Leading zeros are never significant, however many. */
    CHECK_INT(canon(rep(in, "-", '0', 200, "12.5"), buf), DEC_OK);
    CHECK_STR(buf, "-12.5");

    /* 38 significant digits spread around the point with zeros inside. */
    CHECK_INT(canon("10000000000000000000.000000000000000001", buf), DEC_OK);
    CHECK_STR(buf, "10000000000000000000.000000000000000001");
    CHECK_INT(canon("10000000000000000000.0000000000000000001", buf), DEC_ERR_PRECISION);

    /* Not NUL-terminated: only `len` bytes are read. */
    dec_t d;
    CHECK_INT(dec_parse("12345", 3, &d), DEC_OK);
    dec_format(&d, buf);
    CHECK_STR(buf, "123");
    CHECK_INT(dec_parse("1e5x", 3, &d), DEC_OK);
    dec_format(&d, buf);
    CHECK_STR(buf, "100000");

    /* Representation of zero and of a value. */
    d = P("-0.00");
    CHECK_INT(d.sign, 0);
    CHECK_INT(d.ndigits, 0);
    CHECK_INT(d.exp, 0);
    d = P("-0.0120");
    CHECK_INT(d.sign, -1);
    CHECK_INT(d.ndigits, 2);
    CHECK_INT(d.exp, -1);
    CHECK_INT(d.digits[0], 1);
    CHECK_INT(d.digits[1], 2);
    CHECK_INT(dec_ndigits(&d), 2);
}

static int sgn(int x)
{
    return (x > 0) - (x < 0);
}

static void test_cmp(void)
{
    /* Strictly increasing. */
    static const char *order[] = {
        "-9.9999999999999999999999999999999999999E+125",
        "-1E125",
        "-100",
        "-99.99",
        "-10",
        "-9",
        "-1.01",
        "-1.001",
        "-1",
        "-0.5",
        "-1E-130",
        "0",
        "1E-130",
        "2E-130",
        "0.0000001",
        "0.001",
        "0.0011",
        "0.01",
        "0.1",
        "1",
        "1.0000000000000000000000000000000000001",
        "1.1",
        "1.11",
        "1.2",
        "2",
        "9.99",
        "10",
        "11",
        "100",
        "12345678901234567890123456789012345678",
        "12345678901234567890123456789012345679",
        "1E125",
        "9.9999999999999999999999999999999999999E+125",
    };
    size_t n = sizeof(order) / sizeof(order[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            dec_t a = P(order[i]), b = P(order[j]);
            int want = i < j ? -1 : i > j ? 1 : 0;
            int got = sgn(dec_cmp(&a, &b));
            if (got != want) fprintf(stderr, "  cmp(%s, %s)\n", order[i], order[j]);
            CHECK_INT(got, want);
        }
    }
    /* Different spellings, same value. */
    dec_t a = P("1.50"), b = P("15e-1"), c = P("0.000150E4");
    CHECK_INT(dec_cmp(&a, &b), 0);
    CHECK_INT(dec_cmp(&a, &c), 0);
    a = P("-0");
    b = P("0e10");
    CHECK_INT(dec_cmp(&a, &b), 0);
}

static void check_op(int sub, const char *x, const char *y, dec_status_t want_rc, const char *want, int line)
{
    dec_t a = P(x), b = P(y), r;
    char buf[DEC_TEXT_MAX + 1];
    dec_status_t rc = sub ? dec_sub(&a, &b, &r) : dec_add(&a, &b, &r);
    check_count++;
    if (rc != want_rc) {
        check_failures++;
        fprintf(stderr, "%s:%d: %s %s %s: status %d, want %d\n", __FILE__, line, x, sub ? "-" : "+", y, rc,
                want_rc);
        return;
    }
    if (rc != DEC_OK) return;
    dec_format(&r, buf);
    check_count++;
    if (strcmp(buf, want) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: %s %s %s = %s, want %s\n", __FILE__, line, x, sub ? "-" : "+", y, buf, want);
    }
}

#define ADD(x, y, rc, want) check_op(0, x, y, rc, want, __LINE__)
#define SUB(x, y, rc, want) check_op(1, x, y, rc, want, __LINE__)

static void test_add_sub(void)
{
    char big[200], want[200];

    ADD("1", "2", DEC_OK, "3");
    ADD("0", "0", DEC_OK, "0");
    ADD("0", "-5.5", DEC_OK, "-5.5");
    ADD("-5.5", "0", DEC_OK, "-5.5");
    SUB("0", "5.5", DEC_OK, "-5.5");
    SUB("0", "-5.5", DEC_OK, "5.5");
    ADD("1.5", "1.5", DEC_OK, "3");
    ADD("0.1", "0.2", DEC_OK, "0.3");
    ADD("9", "1", DEC_OK, "10");
    ADD("99.99", "0.01", DEC_OK, "100");
    ADD("999999999999999999999999999999999999", "1", DEC_OK, "1000000000000000000000000000000000000");
    ADD("-1", "-1", DEC_OK, "-2");
    ADD("-99", "-1", DEC_OK, "-100");
    ADD("5", "-3", DEC_OK, "2");
    ADD("3", "-5", DEC_OK, "-2");
    ADD("-3", "5", DEC_OK, "2");
    SUB("5", "3", DEC_OK, "2");
    SUB("3", "5", DEC_OK, "-2");
    SUB("-3", "-5", DEC_OK, "2");
    SUB("100", "0.01", DEC_OK, "99.99");
    SUB("1000", "1", DEC_OK, "999");
    SUB("1", "0.0000001", DEC_OK, "0.9999999");
    ADD("1E125", "1E125", DEC_OK, rep(want, "2", '0', 125, ""));
    ADD("1E-130", "1E-130", DEC_OK, rep(want, "0.", '0', 129, "2"));
    ADD("1E-129", "-1E-130", DEC_OK, rep(want, "0.", '0', 129, "9"));
    /* cancellation */
    SUB("12.5", "12.5", DEC_OK, "0");
    ADD("12.5", "-12.50", DEC_OK, "0");
    ADD("-1E125", "1E125", DEC_OK, "0");
    SUB("1.0000000000000000000000000000000000001", "1", DEC_OK, "0.0000000000000000000000000000000000001");
    SUB("12345678901234567890123456789012345678", "12345678901234567890123456789012345677", DEC_OK, "1");
    SUB("1.2345678901234567890123456789012345678", "1.2345678901234567890123456789012345677", DEC_OK,
        "0.0000000000000000000000000000000000001");
    /* precision: exact result needs more than 38 digits */
    ADD("12345678901234567890123456789012345678", "0.1", DEC_ERR_PRECISION, "");
    ADD("1E100", "1", DEC_ERR_PRECISION, "");
    ADD("1E125", "1E-130", DEC_ERR_PRECISION, "");
    ADD("99999999999999999999999999999999999999", "1", DEC_OK, "100000000000000000000000000000000000000");
    ADD("99999999999999999999999999999999999999", "2", DEC_ERR_PRECISION, "");
    ADD("0.1", "1E37", DEC_ERR_PRECISION, "");
    ADD("0.1", "1E36", DEC_OK, rep(want, "1", '0', 36, ".1"));
    SUB("1E38", "1", DEC_OK, "99999999999999999999999999999999999999");
    SUB("1E39", "1", DEC_ERR_PRECISION, "");
    /* range */
    ADD("9.9999999999999999999999999999999999999E+125", "1E88", DEC_ERR_OVERFLOW, "");
    SUB("-9.9999999999999999999999999999999999999E+125", "1E88", DEC_ERR_OVERFLOW, "");
    ADD("9E125", "9E125", DEC_ERR_OVERFLOW, "");
    ADD("5E125", "5E125", DEC_ERR_OVERFLOW, "");
    ADD("4E125", "5E125", DEC_OK, rep(want, "9", '0', 125, ""));
    ADD("9.9999999999999999999999999999999999999E+125", "1E125", DEC_ERR_PRECISION, "");
    /* differences below 1E-130 cannot arise from two valid operands unless they cancel exactly:
     * the last digit's position is shared, so subtracting never goes below it */
    SUB("2E-130", "1E-130", DEC_OK, rep(want, "0.", '0', 129, "1"));
    rep(big, "1", '0', 125, "");
    ADD(big, "-1", DEC_ERR_PRECISION, "");
}

/* --- properties ---------------------------------------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int rnd(int lo, int hi) /* inclusive */
{
    return lo + (int)(next() % (uint64_t)(hi - lo + 1));
}

/* A random literal in many spellings (leading zeros, trailing zeros, exponents, signs). */
static void random_literal(char *out)
{
    char *p = out;
    int r = rnd(0, 9);
    if (r == 0) *p++ = '+';
    if (r >= 6) *p++ = '-';
    int lead = rnd(0, 3) == 0 ? rnd(1, 5) : 0;
    for (int i = 0; i < lead; i++) *p++ = '0';
    int ni = rnd(0, 20), nf = rnd(0, 20);
    if (ni + nf == 0) ni = 1;
    int sig = rnd(1, 38), written = 0;
    for (int i = 0; i < ni; i++) *p++ = (char)('0' + (written++ < sig ? rnd(0, 9) : 0));
    if (nf || rnd(0, 5) == 0) {
        *p++ = '.';
        for (int i = 0; i < nf; i++) *p++ = (char)('0' + (written++ < sig ? rnd(0, 9) : 0));
    }
    if (rnd(0, 2) == 0) {
        *p++ = rnd(0, 1) ? 'e' : 'E';
        int s = rnd(0, 2);
        if (s == 1) *p++ = '+';
        if (s == 2) *p++ = '-';
        p += sprintf(p, "%d", rnd(0, 140));
    }
    *p = 0;
}

static void test_roundtrip_property(void)
{
    char lit[200], text[DEC_TEXT_MAX + 1], text2[DEC_TEXT_MAX + 1];
    int ok = 0, bad = 0;
    for (int iter = 0; iter < 200000; iter++) {
        random_literal(lit);
        dec_t a, b;
        if (dec_parse(lit, strlen(lit), &a) != DEC_OK) continue;
        ok++;
        size_t n = dec_format(&a, text);
        int good = n == strlen(text) && n <= DEC_TEXT_MAX && dec_parse(text, n, &b) == DEC_OK &&
                   dec_cmp(&a, &b) == 0 && memcmp(&a, &b, sizeof(a)) == 0;
        if (good) {
            dec_format(&b, text2);
            good = strcmp(text, text2) == 0;
        }
        if (!good && bad++ < 10) fprintf(stderr, "  roundtrip failed: %s -> %s\n", lit, text);
    }
    CHECK(ok > 50000);
    CHECK_INT(bad, 0);
}

/* A signed magnitude below 2^128: sums of two 38-digit numbers (39 digits) fit. */
typedef struct {
    int neg;
    unsigned __int128 m;
} wide_t;

/* Text of v * 10^-scale. */
static void scaled_text(wide_t v, int scale, char *out)
{
    char digits[64];
    int n = 0;
    unsigned __int128 m = v.m;
    do {
        digits[n++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    char *p = out;
    if (v.neg) *p++ = '-';
    for (int i = n - 1; i >= 0; i--) *p++ = digits[i];
    sprintf(p, "e-%d", scale);
}

static int count_sig(unsigned __int128 m)
{
    if (!m) return 0;
    while (m % 10 == 0) m /= 10;
    int n = 0;
    while (m) {
        n++;
        m /= 10;
    }
    return n;
}

static wide_t rand_wide(int maxdigits)
{
    int nd = rnd(1, maxdigits);
    unsigned __int128 v = 0;
    for (int i = 0; i < nd; i++) v = v * 10 + (unsigned)rnd(0, 9);
    if (rnd(0, 3) == 0) /* trailing zeros */
        for (int i = rnd(1, 5); i > 0 && nd + i <= maxdigits; i--, nd++) v *= 10;
    return (wide_t){rnd(0, 1), v};
}

static wide_t wide_add(wide_t a, wide_t b)
{
    if (a.neg == b.neg) return (wide_t){a.neg, a.m + b.m};
    if (a.m >= b.m) return (wide_t){a.neg, a.m - b.m};
    return (wide_t){b.neg, b.m - a.m};
}

static void test_arith_property(void)
{
    int bad = 0, precision = 0, checked = 0;
    for (int iter = 0; iter < 100000; iter++) {
        /* Exact reference: a = A e-s, b = B e-s with |A|, |B| < 10^38, computed in 128 bits. */
        wide_t A = rand_wide(rnd(1, 3) == 1 ? 38 : 20), B = rand_wide(rnd(1, 3) == 1 ? 38 : 20);
        if (rnd(0, 4) == 0) { /* near-cancellation */
            B.neg = !A.neg;
            B.m = A.m + (unsigned)rnd(0, 2);
            if (count_sig(B.m) > DEC_MAX_DIGITS) B.m = A.m;
        }
        int scale = rnd(0, 60);
        char ta[80], tb[80], tr[80];
        scaled_text(A, scale, ta);
        scaled_text(B, scale, tb);
        dec_t a, b, r, want;
        if (dec_parse(ta, strlen(ta), &a) != DEC_OK || dec_parse(tb, strlen(tb), &b) != DEC_OK) {
            if (bad++ < 10) fprintf(stderr, "  cannot parse %s or %s\n", ta, tb);
            continue;
        }
        for (int sub = 0; sub < 2; sub++) {
            wide_t nb = B;
            if (sub) nb.neg = !nb.neg;
            wide_t R = wide_add(A, nb);
            dec_status_t rc = sub ? dec_sub(&a, &b, &r) : dec_add(&a, &b, &r);
            checked++;
            if (count_sig(R.m) > DEC_MAX_DIGITS) {
                precision++;
                if (rc != DEC_ERR_PRECISION && bad++ < 10)
                    fprintf(stderr, "  %s %c %s: want precision error, got %d\n", ta, sub ? '-' : '+', tb,
                            rc);
                continue;
            }
            scaled_text(R, scale, tr);
            if (rc != DEC_OK || dec_parse(tr, strlen(tr), &want) != DEC_OK || dec_cmp(&r, &want) != 0 ||
                memcmp(&r, &want, sizeof(r)) != 0) {
                if (bad++ < 10) fprintf(stderr, "  %s %c %s = %s: rc %d\n", ta, sub ? '-' : '+', tb, tr, rc);
            }
        }
    }
    CHECK_INT(bad, 0);
    CHECK(precision > 100);
    CHECK_INT(checked, 200000);
}

/* (a + b) - b == a whenever both steps are exact; a + b == b + a always. */
static void test_inverse_property(void)
{
    char la[200], lb[200];
    int bad = 0, tried = 0;
    for (int iter = 0; iter < 100000; iter++) {
        random_literal(la);
        random_literal(lb);
        dec_t a, b, s, s2, d;
        if (dec_parse(la, strlen(la), &a) || dec_parse(lb, strlen(lb), &b)) continue;
        dec_status_t r1 = dec_add(&a, &b, &s), r2 = dec_add(&b, &a, &s2);
        if (r1 != r2 || (r1 == DEC_OK && dec_cmp(&s, &s2) != 0)) {
            if (bad++ < 10) fprintf(stderr, "  not commutative: %s + %s\n", la, lb);
            continue;
        }
        if (r1 != DEC_OK) continue;
        if (dec_sub(&s, &b, &d) != DEC_OK) continue;
        tried++;
        if (dec_cmp(&d, &a) != 0 && bad++ < 10) fprintf(stderr, "  (%s + %s) - b != a\n", la, lb);
    }
    CHECK_INT(bad, 0);
    CHECK(tried > 1000);
}

static void test_from_int(void)
{
    static const struct {
        int64_t v;
        const char *want;
    } cases[] = {
        {0, "0"},
        {1, "1"},
        {-1, "-1"},
        {10, "10"},
        {-1000, "-1000"},
        {123456789, "123456789"},
        {INT64_MAX, "9223372036854775807"},
        {INT64_MIN, "-9223372036854775808"},
        {-9000000000000000000LL, "-9000000000000000000"},
    };
    char buf[DEC_TEXT_MAX + 1];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        dec_t d, p;
        dec_from_int(cases[i].v, &d);
        dec_format(&d, buf);
        CHECK_STR(buf, cases[i].want);
        p = P(cases[i].want);
        CHECK(memcmp(&d, &p, sizeof(d)) == 0);
    }
    for (int i = 0; i < 10000; i++) {
        int64_t v = (int64_t)next() >> rnd(0, 63);
        dec_t d, p;
        dec_from_int(v, &d);
        sprintf(buf, "%lld", (long long)v);
        p = P(buf);
        if (memcmp(&d, &p, sizeof(d)) != 0) {
            CHECK_STR("dec_from_int", buf);
            break;
        }
    }
}

int main(void)
{
    test_parse_table();
    test_boundaries();
    test_cmp();
    test_add_sub();
    test_roundtrip_property();
    test_arith_property();
    test_inverse_property();
    test_from_int();
    return check_done("test_decimal");
}
