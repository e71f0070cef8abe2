/*
 * test_keyenc: key encoding of S, N, B. Worked byte examples (the on-disk layout), then
 * properties over many generated values:
 *   - order: sign(memcmp-order(enc(a), enc(b))) == sign(av_scalar_cmp(a, b));
 *   - concatenation: enc(a1)||enc(a2) sorts by (a1, a2), also across types;
 *   - decode(encode(x)) == x, consuming exactly the encoding, also with bytes following;
 *   - kenc_get rejects every truncation of a valid encoding and malformed bytes (returns 0).
 */
#include "engine/keyenc.h"

#include <stdlib.h>
#include <string.h>

#include "common/decimal.h"
#include "common/tests/check.h"

static arena_t *A;

#define Sn(p, n) ((av_t){.type = AV_S, .s = {(p), (n)}})
#define Bn(p, n) ((av_t){.type = AV_B, .s = {(p), (n)}})
#define N(z) ((av_t){.type = AV_N, .s = {(z), strlen(z)}})

static int sgn(int x)
{
    return (x > 0) - (x < 0);
}

static ddb_str_t enc(const av_t *v)
{
    buf_t b;
    buf_init(&b, A, 8);
    kenc_put(&b, v);
    return (ddb_str_t){b.data, b.len};
}

/* --- worked examples: the layout on disk ----------------------------------------------------- */

static void check_bytes(av_t v, const char *want, size_t wn, int line)
{
    ddb_str_t e = enc(&v);
    check_count++;
    if (e.len != wn || memcmp(e.ptr, want, wn) != 0) {
        check_failures++;
        fprintf(stderr, "%s:%d: encoding of %s \"%.*s\":", __FILE__, line, av_type_name(v.type), (int)v.s.len,
                v.s.ptr);
        for (size_t i = 0; i < e.len; i++) fprintf(stderr, " %02X", (unsigned char)e.ptr[i]);
        fprintf(stderr, "\n");
    }
}

#define BYTES(v, lit) check_bytes((v), lit, sizeof(lit) - 1, __LINE__)

static void test_layout(void)
{
    BYTES(Sn("ab", 2), "ab\x00\x01");
    BYTES(Sn("a\0b", 3), "a\x00\xff\x62\x00\x01"); /* 0x62 = 'b' */
    BYTES(Sn("", 0), "\x00\x01");
    BYTES(Sn("\0", 1), "\x00\xff\x00\x01");
    BYTES(Bn("\xff\x00\x01", 3), "\xff\x00\xff\x01\x00\x01");

    BYTES(N("0"), "\x02");
    BYTES(N("-0.00"), "\x02");
    BYTES(N("1"), "\x03\x82\x0b\x00");
    BYTES(N("12.5"), "\x03\x83\x0d\x33\x00");
    BYTES(N("100"), "\x03\x84\x0b\x00");
    BYTES(N("1e2"), "\x03\x84\x0b\x00");
    BYTES(N("0.001"), "\x03\x7f\x0b\x00");
    BYTES(N("-12.5"), "\x01\x7c\xf2\xcc\xff");
    BYTES(N("1E-130"), "\x03\x00\x0b\x00");
    BYTES(N("-1E-130"), "\x01\xff\xf4\xff");
    BYTES(N("9.9999999999999999999999999999999999999E+125"),
          "\x03\xff\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x64\x00");
    BYTES(N("99"), "\x03\x83\x64\x00");
    BYTES(N("0.09"), "\x03\x80\x5b\x00");
}

/* --- value generators ------------------------------------------------------------------------ */

static uint64_t rng = 0x2545F4914F6CDD1DULL;

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

/* Bytes drawn mostly from {00, 01, FE, FF, 'a', 'b'} so escapes, terminators and prefixes collide. */
static av_t random_bytes(av_type_t t, const av_t *pool, int npool)
{
    static const unsigned char alphabet[] = {0x00, 0x01, 0xfe, 0xff, 'a', 'b', 0x00, 0xff};
    int n = rnd(0, 12);
    char *p;
    size_t len;
    if (npool && rnd(0, 2) == 0) {
        /* Derive from an earlier value: a prefix of it, or it plus a suffix. */
        const av_t *o = &pool[rnd(0, npool - 1)];
        size_t keep = o->s.len ? (size_t)rnd(0, (int)o->s.len) : 0;
        len = keep + (rnd(0, 1) ? 0 : (size_t)rnd(1, 3));
        p = arena_alloc(A, len + 1);
        memcpy(p, o->s.ptr, keep);
        for (size_t i = keep; i < len; i++) p[i] = (char)alphabet[rnd(0, sizeof(alphabet) - 1)];
    } else {
        len = (size_t)n;
        p = arena_alloc(A, len + 1);
        for (size_t i = 0; i < len; i++)
            p[i] = (char)(rnd(0, 3) ? alphabet[rnd(0, sizeof(alphabet) - 1)] : rnd(0, 255));
    }
    return (av_t){.type = t, .s = {p, len}};
}

static av_t from_dec(const dec_t *d)
{
    char *s = arena_alloc(A, DEC_TEXT_MAX + 1);
    size_t n = dec_format(d, s);
    return (av_t){.type = AV_N, .s = {s, n}};
}

/* A random valid number: sign, 1..38 digits, any exponent; or zero; or a near neighbour of a
 * pooled one (last digit +-1, one digit appended or dropped, exponent +-1, sign flipped). */
static av_t random_number(const av_t *pool, int npool)
{
    dec_t d;
    memset(&d, 0, sizeof(d));
    if (rnd(0, 30) == 0) return from_dec(&d); /* zero */
    if (npool && rnd(0, 2) == 0) {
        const av_t *o = &pool[rnd(0, npool - 1)];
        if (dec_parse(o->s.ptr, o->s.len, &d) != DEC_OK) abort();
        if (d.sign != 0) {
            dec_t t = d;
            switch (rnd(0, 4)) {
            case 0: { /* last digit +-1 (stays within 1..9 so the form stays canonical) */
                uint8_t *l = &t.digits[t.ndigits - 1];
                if (*l < 9 && (*l == 1 || rnd(0, 1)))
                    (*l)++;
                else if (*l > 1)
                    (*l)--;
                break;
            }
            case 1: /* append a digit */
                if (t.ndigits < DEC_MAX_DIGITS) t.digits[t.ndigits++] = (uint8_t)rnd(1, 9);
                break;
            case 2: /* drop the last digit (keep canonical: strip trailing zeros) */
                if (t.ndigits > 1) {
                    t.digits[--t.ndigits] = 0;
                    while (t.digits[t.ndigits - 1] == 0) t.digits[--t.ndigits] = 0;
                }
                break;
            case 3: /* exponent +-1 */
                if (rnd(0, 1) && t.exp < DEC_MAX_EXP)
                    t.exp++;
                else if (t.exp > DEC_MIN_EXP)
                    t.exp--;
                break;
            default:
                t.sign = (int8_t)-t.sign;
                break;
            }
            return from_dec(&t);
        }
    }
    int n = rnd(0, 3) == 0 ? rnd(1, 38) : rnd(1, 4);
    d.sign = rnd(0, 1) ? 1 : -1;
    d.ndigits = (uint8_t)n;
    int e = rnd(0, 3);
    d.exp = (int16_t)(e == 0   ? rnd(DEC_MIN_EXP, DEC_MAX_EXP)
                      : e == 1 ? rnd(-3, 4)
                               : rnd(DEC_MIN_EXP, DEC_MIN_EXP + 3));
    if (rnd(0, 6) == 0) d.exp = (int16_t)rnd(DEC_MAX_EXP - 3, DEC_MAX_EXP);
    for (int i = 0; i < n; i++) d.digits[i] = (uint8_t)(rnd(0, 4) == 0 ? 0 : rnd(0, 1) ? 9 : rnd(1, 9));
    if (d.digits[0] == 0) d.digits[0] = (uint8_t)rnd(1, 9);
    if (d.digits[n - 1] == 0) d.digits[n - 1] = (uint8_t)rnd(1, 9);
    return from_dec(&d);
}

/* Also spell numbers non-canonically: equal values must encode identically. */
static av_t respell(const av_t *v)
{
    dec_t d;
    if (dec_parse(v->s.ptr, v->s.len, &d) != DEC_OK) abort();
    char *s = arena_alloc(A, 200), *p = s;
    if (d.sign < 0)
        *p++ = '-';
    else if (rnd(0, 1))
        *p++ = '+';
    *p++ = '0';
    if (d.sign == 0) {
        strcpy(p, ".000e-7");
    } else {
        *p++ = '.';
        for (int i = 0; i < d.ndigits; i++) *p++ = (char)('0' + d.digits[i]);
        p += sprintf(p, "000E%+d", d.exp);
    }
    return (av_t){.type = AV_N, .s = {s, strlen(s)}};
}

enum { POOL = 1500 };

static int build_pool(av_type_t t, av_t *pool)
{
    for (int i = 0; i < POOL; i++) pool[i] = t == AV_N ? random_number(pool, i) : random_bytes(t, pool, i);
    return POOL;
}

/* --- properties ------------------------------------------------------------------------------ */

static void test_order_and_roundtrip(av_type_t t)
{
    av_t *pool = ARENA_NEWN(A, av_t, POOL);
    ddb_str_t *e = ARENA_NEWN(A, ddb_str_t, POOL);
    int n = build_pool(t, pool), bad_order = 0, bad_rt = 0, bad_trunc = 0, pairs = 0;

    for (int i = 0; i < n; i++) e[i] = enc(&pool[i]);

    /* order: all pairs */
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            int want = sgn(av_scalar_cmp(&pool[i], &pool[j]));
            int got = sgn(ddb_str_cmp(e[i], e[j]));
            pairs++;
            if (got != want && bad_order++ < 5)
                fprintf(stderr, "  %s order: \"%.*s\" vs \"%.*s\": enc %d, value %d\n", av_type_name(t),
                        (int)pool[i].s.len, pool[i].s.ptr, (int)pool[j].s.len, pool[j].s.ptr, got, want);
        }
    }

    for (int i = 0; i < n; i++) {
        /* decode(encode(x)) == x, alone and with trailing bytes */
        av_t out;
        size_t used = kenc_get(A, e[i].ptr, e[i].len, t, &out);
        int ok = used == e[i].len && out.type == t && out.s.len == pool[i].s.len &&
                 memcmp(out.s.ptr, pool[i].s.ptr, out.s.len) == 0;
        char *tail = arena_alloc(A, e[i].len + 3);
        memcpy(tail, e[i].ptr, e[i].len);
        memcpy(tail + e[i].len, "\x00\xff\x7f", 3);
        ok = ok && kenc_get(A, tail, e[i].len + 3, t, &out) == e[i].len && av_equal(&out, &pool[i]);
        if (!ok && bad_rt++ < 5)
            fprintf(stderr, "  %s roundtrip of \"%.*s\"\n", av_type_name(t), (int)pool[i].s.len,
                    pool[i].s.ptr);

        /* every proper prefix of an encoding is rejected */
        for (size_t k = 0; k < e[i].len; k++) {
            if (kenc_get(A, e[i].ptr, k, t, &out) != 0 && bad_trunc++ < 5)
                fprintf(stderr, "  %s truncation to %zu accepted\n", av_type_name(t), k);
        }

        /* a different spelling of the same number encodes to the same bytes */
        if (t == AV_N) {
            av_t r = respell(&pool[i]);
            ddb_str_t er = enc(&r);
            if (ddb_str_cmp(er, e[i]) != 0 && bad_rt++ < 5)
                fprintf(stderr, "  respelled %.*s encodes differently\n", (int)r.s.len, r.s.ptr);
        }
    }
    CHECK_INT(bad_order, 0);
    CHECK_INT(bad_rt, 0);
    CHECK_INT(bad_trunc, 0);
    CHECK_INT(pairs, POOL * POOL);
}

/* enc(a1)||enc(a2) sorts by (a1, a2), for every combination of types. */
static void test_concatenation(void)
{
    static const av_type_t types[] = {AV_S, AV_N, AV_B};
    enum { K = 250 };
    int bad = 0, decoded_bad = 0;
    for (int t1 = 0; t1 < 3; t1++) {
        for (int t2 = 0; t2 < 3; t2++) {
            av_t *x = ARENA_NEWN(A, av_t, K), *y = ARENA_NEWN(A, av_t, K);
            ddb_str_t *e = ARENA_NEWN(A, ddb_str_t, K);
            for (int i = 0; i < K; i++) {
                /* few distinct first parts, so ties on the first part are common */
                x[i] = types[t1] == AV_N ? random_number(x, i < 10 ? i : 10)
                                         : random_bytes(types[t1], x, i < 10 ? i : 10);
                if (i >= 10) x[i] = x[rnd(0, 9)];
                y[i] = types[t2] == AV_N ? random_number(y, i) : random_bytes(types[t2], y, i);
                buf_t b;
                buf_init(&b, A, 16);
                kenc_put(&b, &x[i]);
                kenc_put(&b, &y[i]);
                e[i] = (ddb_str_t){b.data, b.len};

                /* and the pair decodes back part by part */
                av_t o1, o2;
                size_t u1 = kenc_get(A, b.data, b.len, types[t1], &o1);
                size_t u2 = u1 ? kenc_get(A, b.data + u1, b.len - u1, types[t2], &o2) : 0;
                if ((!u1 || !u2 || u1 + u2 != b.len || !av_equal(&o1, &x[i]) || !av_equal(&o2, &y[i])) &&
                    decoded_bad++ < 5)
                    fprintf(stderr, "  pair decode failed (%s, %s)\n", av_type_name(types[t1]),
                            av_type_name(types[t2]));
            }
            for (int i = 0; i < K; i++) {
                for (int j = 0; j < K; j++) {
                    int c = av_scalar_cmp(&x[i], &x[j]);
                    int want = sgn(c ? c : av_scalar_cmp(&y[i], &y[j]));
                    if (sgn(ddb_str_cmp(e[i], e[j])) != want && bad++ < 5)
                        fprintf(stderr, "  concat order (%s, %s) %d vs %d\n", av_type_name(types[t1]),
                                av_type_name(types[t2]), i, j);
                }
            }
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(decoded_bad, 0);
}

/* Malformed input is rejected, never read past n. */
static void test_reject(void)
{
    av_t out;
    static const struct {
        av_type_t t;
        const char *p;
        size_t n;
    } bad[] = {
        {AV_S, "", 0},
        {AV_S, "ab", 2},                /* no terminator */
        {AV_S, "ab\x00", 3},            /* half a terminator */
        {AV_S, "a\x00\x02", 3},         /* 00 followed by neither 01 nor FF */
        {AV_S, "a\x00\x02\x00\x01", 5}, /* ...even with a terminator after it */
        {AV_B, "\x00\x00\x00\x01", 4},
        {AV_B, "\x00\x00", 2},
        {AV_B, "\x00\xff", 2}, /* escaped zero, then nothing */
        {AV_N, "", 0},
        {AV_N, "\x00", 1}, /* unknown class */
        {AV_N, "\x04", 1},
        {AV_N, "\xff", 1},
        {AV_N, "\x03", 1},                 /* no exponent */
        {AV_N, "\x03\x82", 2},             /* no digits, no terminator */
        {AV_N, "\x03\x82\x00", 3},         /* no digits */
        {AV_N, "\x03\x82\x0b", 3},         /* no terminator */
        {AV_N, "\x03\x82\x65\x00", 4},     /* pair byte 101 */
        {AV_N, "\x03\x82\x01\x0b\x00", 5}, /* leading zero digits ("00") */
        {AV_N, "\x03\x82\x02\x00", 4},     /* "01": leading zero digit */
        {AV_N, "\x03\x82\x0b\x01\x00", 5}, /* trailing "00" pair */
        {AV_N, "\x01\x7d\xf4", 3},         /* negative, no terminator */
        {AV_N, "\x01\x7d\xf4\x00", 4},     /* negative with a positive terminator: 00^FF = FF = pair 255 */
        {AV_N, "\x01\x7d\xff", 3},         /* negative, no digits */
        {AV_S, "\x02", 1},                 /* N bytes read as S: no terminator */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        /* Copy to an exact-size heap block so ASan catches any read past n. */
        char *p = malloc(bad[i].n ? bad[i].n : 1);
        memcpy(p, bad[i].p, bad[i].n);
        size_t got = kenc_get(A, p, bad[i].n, bad[i].t, &out);
        if (got) fprintf(stderr, "  case %zu accepted\n", i);
        CHECK_INT(got, 0);
        free(p);
    }
    /* 39 digits (20 pairs) is more than a number can hold. */
    char many[24] = "\x03\x82";
    for (int i = 2; i < 22; i++) many[i] = 0x0c;
    many[22] = 0;
    CHECK_INT(kenc_get(A, many, 23, AV_N, &out), 0);
    many[21] = 0; /* 19 pairs: 38 digits, fine */
    CHECK_INT(kenc_get(A, many, 22, AV_N, &out), 22);
    CHECK_INT(out.s.len, 39); /* "1.1111..." 38 digits and a point */
    /* Not a key type. */
    CHECK_INT(kenc_get(A, "\x02", 1, AV_BOOL, &out), 0);
    CHECK_INT(kenc_get(A, "\x02", 1, AV_SS, &out), 0);

    /* Decoded numbers are canonical text. */
    CHECK_INT(kenc_get(A, "\x03\x7f\x0b\x00", 4, AV_N, &out), 4);
    CHECK_MEM(out.s.ptr, out.s.len, "0.001", 5);
    CHECK_INT(kenc_get(A, "\x02zz", 3, AV_N, &out), 1);
    CHECK_MEM(out.s.ptr, out.s.len, "0", 1);
    CHECK_INT(kenc_get(A, "\x01\x7c\xf2\xcc\xff", 5, AV_N, &out), 5);
    CHECK_MEM(out.s.ptr, out.s.len, "-12.5", 5);
    /* S with embedded zeros decodes with them. */
    CHECK_INT(kenc_get(A, "\x00\xff\x00\xff\x00\x01", 6, AV_B, &out), 6);
    CHECK_INT(out.type, AV_B);
    CHECK_MEM(out.s.ptr, out.s.len, "\x00\x00", 2);
}

int main(void)
{
    A = arena_new(0);
    test_layout();
    test_order_and_roundtrip(AV_S);
    test_order_and_roundtrip(AV_B);
    test_order_and_roundtrip(AV_N);
    test_concatenation();
    test_reject();
    arena_free(A);
    return check_done("test_keyenc");
}
