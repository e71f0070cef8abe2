/*
 * decimal: DynamoDB numbers. Exactly as precise as DynamoDB, no more.
 *
 * A number is sign * 0.d1 d2 ... dn * 10^exp, with 1 <= n <= 38 significant digits,
 * d1 != 0 and dn != 0 (no leading or trailing zeros); zero is sign 0, n 0, exp 0. Unused
 * digits[] slots are 0, so every value has exactly one dec_t (equal values are memcmp-equal).
 * Magnitude range accepted by DynamoDB: 1E-130 <= |x| <= 9.9999999999999999999999999999999999999E+125.
 * In this representation that is -129 <= exp <= 126.
 *
 * Contract: pure functions, thread-safe, no allocation. dec_t is a value type (copy freely).
 */
#ifndef DDB_DECIMAL_H
#define DDB_DECIMAL_H

#include <stddef.h>
#include <stdint.h>

#define DEC_MAX_DIGITS 38
#define DEC_MIN_EXP (-129) /* 0.1E-129 == 1E-130 */
#define DEC_MAX_EXP 126    /* 0.99..9E126 == 9.9..9E125 */
/* Longest canonical text: sign, "0.", 129 zeros, 38 digits; or 126 digits of an integer. */
#define DEC_TEXT_MAX 176

typedef struct {
    int8_t sign;                    /* -1, 0 (zero), +1 */
    uint8_t ndigits;                /* 0 for zero, else 1..38 */
    int16_t exp;                    /* value = sign * 0.digits * 10^exp */
    uint8_t digits[DEC_MAX_DIGITS]; /* each 0..9; digits[0] != 0 and digits[ndigits-1] != 0 */
} dec_t;

typedef enum {
    DEC_OK = 0,
    DEC_ERR_SYNTAX,    /* not a number in DynamoDB's grammar */
    DEC_ERR_PRECISION, /* more than 38 significant digits */
    DEC_ERR_OVERFLOW,  /* magnitude larger than 9.99..9E+125 */
    DEC_ERR_UNDERFLOW, /* non-zero magnitude smaller than 1E-130 */
} dec_status_t;

/**
 * Parse DynamoDB's number text: optional sign (+ or -), digits with an optional '.', optional
 * exponent [eE][+-]?digits; leading/trailing whitespace is NOT allowed; "-0" is zero;
 * "1.", ".5" are accepted as Java's BigDecimal accepts them; empty, "+", ".", "1e", "Infinity",
 * "NaN", hex are syntax errors. Leading and trailing zeros do not count as significant digits.
 */
dec_status_t dec_parse(const char *s, size_t len, dec_t *out);

/** Decimal digits of v into out (room for 21 bytes; NUL-terminated); returns their count. */
size_t dec_format_u64(char *out, uint64_t v);

/**
 * Canonical text as DynamoDB returns numbers: plain notation, never an exponent, no trailing
 * fractional zeros, no leading zeros, "-" only for negatives ("1.50"->"1.5", "1e2"->"100",
 * "-0"->"0", "007"->"7", "1E-3"->"0.001"). Writes at most DEC_TEXT_MAX bytes plus a NUL into
 * `buf`; returns the length.
 */
size_t dec_format(const dec_t *d, char *buf);

/** Compare by value: <0, 0, >0. */
int dec_cmp(const dec_t *a, const dec_t *b);

/**
 * a + b (dec_sub: a - b) into *out, exactly. If the exact result needs more than 38
 * significant digits it is DEC_ERR_PRECISION (DynamoDB rejects, never rounds, arithmetic
 * results); out-of-range magnitudes are DEC_ERR_OVERFLOW / DEC_ERR_UNDERFLOW.
 */
dec_status_t dec_add(const dec_t *a, const dec_t *b, dec_t *out);
dec_status_t dec_sub(const dec_t *a, const dec_t *b, dec_t *out);

/** Count of significant digits (0 for zero), used by the item-size rule. */
static inline int dec_ndigits(const dec_t *d)
{
    return d->ndigits;
}

/** Set *out from an int64 (always exact). */
void dec_from_int(int64_t v, dec_t *out);

#endif
