/*
 * json: strict RFC 8259 reader into an arena tree, and a streaming writer (see json.h).
 *
 * Reader: one loop, no recursion, no stack array. While a container is open its `next` field
 * (unused until a sibling follows it) holds the parent container, so closing a container is
 * "parent = cur->next; cur->next = NULL; tail = cur". Depth is a counter checked against
 * max_depth before a container is opened. Nodes are carved from arena chunks sized from the input
 * length (then doubling), so a typical request costs two or three arena calls in all.
 *
 * Text: every decoded string and number copy goes into ONE arena buffer of len + TEXT_SLACK
 * bytes taken at the start. That is always enough: a string token of k input bytes (quotes
 * included) yields at most k - 1 bytes with its NUL (escapes never expand: \uXXXX is 6 bytes
 * for at most 3 of UTF-8, a surrogate pair 12 for 4), and a number of k bytes yields k + 1 but
 * is always followed by a byte that yields nothing (a delimiter) or by the end of input. So
 * "output offset <= input offset + 1" holds throughout, and the slack covers the 8-byte
 * speculative stores below.
 *
 * Strings are copied while they are scanned, 8 bytes at a time (SWAR): a word is stored to the
 * output unconditionally and kept when it holds no '"', '\\', control byte or byte >= 0x80;
 * otherwise the lowest flagged byte (the first one, on a little-endian machine) is handled on its
 * own: the end, an escape (decoded in place), an error, or a UTF-8 sequence (validated per
 * RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, then copied).
 *
 * Writer: commas come from a bit per depth in jw_t.need_comma (at most JW_MAX_DEPTH - 1 open containers).
 * Strings are escaped through a 256-entry table giving each byte's escaped length.
 */
#include "common/json.h"
#include "common/decimal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Reader
 */

#define TEXT_SLACK 16

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SWAR 1
#else
#define SWAR 0 /* the word scan finds the first flagged byte with ctz, which needs little-endian */
#endif

typedef struct {
    const unsigned char *s; /* input */
    size_t len, i;          /* length and cursor */
    arena_t *a;
    json_error_t *err;
    char *text; /* next free byte of the text buffer */
    char *text_end;
    json_t *pool; /* unused nodes of the current chunk */
    size_t pool_left, chunk;
} parser_t;

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
/* Flags (bit 7 of a byte) the bytes of x that are zero; above a true hit there may be false ones. */
#define HAS_ZERO(x) (((x)-ONES) & ~(x)&HIGHS)
/* Same for bytes < n (n <= 128). */
#define HAS_LESS(x, n) (((x)-ONES * (n)) & ~(x)&HIGHS)

static bool fail(parser_t *ps, size_t at, const char *msg)
{
    ps->err->offset = at;
    ps->err->msg = msg;
    return false;
}

static inline json_t *node_new(parser_t *ps)
{
    if (!ps->pool_left) {
        ps->pool = arena_alloc(ps->a, sizeof(json_t) * ps->chunk);
        ps->pool_left = ps->chunk;
        if (ps->chunk < 1024) ps->chunk *= 2;
    }
    ps->pool_left--;
    json_t *v = ps->pool++;
    v->n = 0;
    v->key = (ddb_str_t){NULL, 0};
    v->str = (ddb_str_t){NULL, 0};
    v->child = NULL;
    v->next = NULL;
    return v;
}

static inline void skip_ws(parser_t *ps)
{
    while (ps->i < ps->len) {
        unsigned char c = ps->s[ps->i];
        if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t')) return;
        ps->i++;
    }
}

/* Length of the valid UTF-8 sequence starting with the byte >= 0x80 at s[i], or 0. */
static size_t utf8_seq(const unsigned char *s, size_t i, size_t len)
{
    unsigned c = s[i];
    size_t need;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        if (c == 0xE0) lo = 0xA0; /* overlong */
        if (c == 0xED) hi = 0x9F; /* U+D800..U+DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        if (c == 0xF0) lo = 0x90; /* overlong */
        if (c == 0xF4) hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* a continuation byte, an overlong lead (C0, C1) or F5..FF */
    }
    if (len - i <= need || s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (size_t k = 2; k <= need; k++)
        if ((s[i + k] & 0xC0) != 0x80) return 0;
    return need + 1;
}

static int hexval(unsigned c)
{
    if (c - '0' < 10) return (int)(c - '0');
    c |= 0x20;
    if (c - 'a' < 6) return (int)(c - 'a' + 10);
    return -1;
}

/* Four hex digits at s[i..i+4), or -1 (also when fewer than 4 bytes remain). */
static long hex4(const unsigned char *s, size_t i, size_t len)
{
    if (len - i < 4) return -1;
    int a = hexval(s[i]), b = hexval(s[i + 1]), c = hexval(s[i + 2]), d = hexval(s[i + 3]);
    if ((a | b | c | d) < 0) return -1;
    return (long)((a << 12) | (b << 8) | (c << 4) | d);
}

/* Decode the escape whose backslash is at ps->s[*pi]; append its bytes at *po. */
static bool unescape(parser_t *ps, size_t *pi, char **po)
{
    const unsigned char *s = ps->s;
    size_t at = *pi, i = at + 1, len = ps->len;
    char *o = *po;
    unsigned e = i < len ? s[i] : 0;
    i++;
    switch (e) {
    case '"':
        *o++ = '"';
        break;
    case '\\':
        *o++ = '\\';
        break;
    case '/':
        *o++ = '/';
        break;
    case 'b':
        *o++ = '\b';
        break;
    case 'f':
        *o++ = '\f';
        break;
    case 'n':
        *o++ = '\n';
        break;
    case 'r':
        *o++ = '\r';
        break;
    case 't':
        *o++ = '\t';
        break;
    case 'u': {
        long cp = hex4(s, i, len);
        if (cp < 0) return fail(ps, at, "invalid \\u escape in string");
        i += 4;
        if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(ps, at, "lone surrogate in string");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            long lo = (len - i >= 2 && s[i] == '\\' && s[i + 1] == 'u') ? hex4(s, i + 2, len) : -1;
            if (lo < 0xDC00 || lo > 0xDFFF) return fail(ps, at, "lone surrogate in string");
            i += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp < 0x80) {
            *o++ = (char)cp;
        } else if (cp < 0x800) {
            *o++ = (char)(0xC0 | (cp >> 6));
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *o++ = (char)(0xE0 | (cp >> 12));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *o++ = (char)(0xF0 | (cp >> 18));
            *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *o++ = (char)(0x80 | (cp & 0x3F));
        }
        break;
    }
    default:
        return fail(ps, at, "invalid escape in string");
    }
    *pi = i;
    *po = o;
    return true;
}

/* A string starting at the opening quote at ps->i; leaves ps->i after the closing quote. */
static bool parse_string(parser_t *ps, ddb_str_t *out)
{
    const unsigned char *s = ps->s;
    size_t i = ps->i + 1, len = ps->len;
    char *d = ps->text, *o = d;
    for (;;) {
#if SWAR
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            assert(o + 8 <= ps->text_end);
            memcpy(o, &w, 8); /* speculative: kept only up to the first flagged byte */
            uint64_t t =
                HAS_ZERO(w ^ (ONES * '"')) | HAS_ZERO(w ^ (ONES * '\\')) | HAS_LESS(w, 0x20) | (w & HIGHS);
            if (t) {
                size_t k = (size_t)__builtin_ctzll(t) >> 3;
                i += k;
                o += k;
                break;
            }
            i += 8;
            o += 8;
        }
#endif
        if (i >= len) return fail(ps, ps->i, "unterminated string");
        unsigned c = s[i];
        if (c == '"') break;
        if (c == '\\') {
            if (!unescape(ps, &i, &o)) return false;
        } else if (c < 0x20) {
            return fail(ps, i, "control character in string");
        } else if (c < 0x80) {
            *o++ = (char)c;
            i++;
        } else {
            size_t k = utf8_seq(s, i, len);
            if (!k) return fail(ps, i, "invalid UTF-8 in string");
            memcpy(o, s + i, k);
            o += k;
            i += k;
        }
    }
    assert(o < ps->text_end);
    *o = 0;
    out->ptr = d;
    out->len = (size_t)(o - d);
    ps->text = o + 1;
    ps->i = i + 1;
    return true;
}

static inline bool is_digit(unsigned c)
{
    return c - '0' < 10;
}

/* RFC 8259 number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?; raw text is kept. */
static bool parse_number(parser_t *ps, ddb_str_t *out)
{
    const unsigned char *s = ps->s;
    size_t start = ps->i, i = start, len = ps->len;
    if (s[i] == '-') i++;
    if (i >= len) return fail(ps, start, "invalid number");
    if (s[i] == '0') {
        i++;
    } else if (is_digit(s[i])) {
        while (i < len && is_digit(s[i])) i++;
    } else {
        return fail(ps, start, "invalid number");
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !is_digit(s[i])) return fail(ps, start, "invalid number");
        while (i < len && is_digit(s[i])) i++;
    }
    if (i < len && (s[i] | 0x20) == 'e') {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= len || !is_digit(s[i])) return fail(ps, start, "invalid number");
        while (i < len && is_digit(s[i])) i++;
    }
    /* "01", "1.", "1x": name the number rather than complain about what follows it */
    if (i < len) {
        unsigned c = s[i] | 0x20;
        if (is_digit(s[i]) || s[i] == '.' || s[i] == '+' || s[i] == '-' || (c >= 'a' && c <= 'z'))
            return fail(ps, start, "invalid number");
    }
    size_t n = i - start;
    assert(ps->text + n < ps->text_end);
    memcpy(ps->text, s + start, n);
    ps->text[n] = 0;
    out->ptr = ps->text;
    out->len = n;
    ps->text += n + 1;
    ps->i = i;
    return true;
}

static bool parse_literal(parser_t *ps, const char *word, size_t n)
{
    if (ps->len - ps->i < n || memcmp(ps->s + ps->i, word, n) != 0) return fail(ps, ps->i, "invalid literal");
    ps->i += n;
    return true;
}

/* Member name and ':' (ps->i at the name's quote, whitespace already skipped). */
static bool parse_key(parser_t *ps, ddb_str_t *key)
{
    if (ps->i >= ps->len) return fail(ps, ps->i, "unexpected end of input");
    if (ps->s[ps->i] != '"') return fail(ps, ps->i, "expected string member name");
    if (!parse_string(ps, key)) return false;
    skip_ws(ps);
    if (ps->i >= ps->len) return fail(ps, ps->i, "unexpected end of input");
    if (ps->s[ps->i] != ':') return fail(ps, ps->i, "expected ':'");
    ps->i++;
    skip_ws(ps);
    return true;
}

json_t *json_parse(arena_t *a, const char *text, size_t len, int max_depth, json_error_t *err)
{
    json_error_t dummy;
    parser_t ps = {.s = (const unsigned char *)text, .len = len, .a = a, .err = err ? err : &dummy};
    ps.err->offset = 0;
    ps.err->msg = NULL;
    ps.err->too_deep = false;
    /* a node per ~12 input bytes is typical of DynamoDB bodies; start there, then double */
    ps.chunk = len / 12 + 2;
    if (ps.chunk > 64) ps.chunk = 64;

    skip_ws(&ps);
    if (ps.i >= len) {
        fail(&ps, ps.i, len ? "no JSON value (only whitespace)" : "empty input");
        return NULL;
    }
    ps.text = arena_alloc(a, len + TEXT_SLACK);
    ps.text_end = ps.text + len + TEXT_SLACK;

    json_t *root = NULL, *parent = NULL, *tail = NULL;
    int depth = 0;
    ddb_str_t key = {NULL, 0};
    for (;;) {
        /* one value at ps.i, whitespace skipped; `key` is its member name (or empty) */
        if (ps.i >= len) {
            fail(&ps, ps.i, "unexpected end of input");
            return NULL;
        }
        json_t *v = node_new(&ps);
        v->key = key;
        key = (ddb_str_t){NULL, 0};
        unsigned c = ps.s[ps.i];
        bool ok = true;
        switch (c) {
        case '{':
            v->type = JSON_OBJECT;
            break;
        case '[':
            v->type = JSON_ARRAY;
            break;
        case '"':
            v->type = JSON_STRING;
            ok = parse_string(&ps, &v->str);
            break;
        case 't':
            v->type = JSON_TRUE;
            ok = parse_literal(&ps, "true", 4);
            break;
        case 'f':
            v->type = JSON_FALSE;
            ok = parse_literal(&ps, "false", 5);
            break;
        case 'n':
            v->type = JSON_NULL;
            ok = parse_literal(&ps, "null", 4);
            break;
        default:
            if (c == '-' || is_digit(c)) {
                v->type = JSON_NUMBER;
                ok = parse_number(&ps, &v->str);
            } else {
                ok = fail(&ps, ps.i, "unexpected character");
            }
        }
        if (!ok) return NULL;

        if (!parent) {
            root = v;
        } else {
            if (tail)
                tail->next = v;
            else
                parent->child = v;
            parent->n++;
        }
        tail = v;

        if (v->type == JSON_OBJECT || v->type == JSON_ARRAY) {
            if (depth >= max_depth) {
                ps.err->too_deep = true;
                fail(&ps, ps.i, "nesting too deep");
                return NULL;
            }
            depth++;
            ps.i++;
            v->next = parent; /* parent link while open (see file comment) */
            parent = v;
            tail = NULL;
            skip_ws(&ps);
            if (ps.i < len && ps.s[ps.i] == (v->type == JSON_OBJECT ? '}' : ']')) {
                ps.i++;
                goto close_container;
            }
            if (v->type == JSON_OBJECT && !parse_key(&ps, &key)) return NULL;
            continue;
        }

    after_value:
        skip_ws(&ps);
        if (!parent) break;
        if (ps.i >= len) {
            fail(&ps, ps.i, "unexpected end of input");
            return NULL;
        }
        c = ps.s[ps.i];
        if (c == ',') {
            ps.i++;
            skip_ws(&ps);
            if (parent->type == JSON_OBJECT && !parse_key(&ps, &key)) return NULL;
            continue;
        }
        if (c != (parent->type == JSON_OBJECT ? '}' : ']')) {
            fail(&ps, ps.i, parent->type == JSON_OBJECT ? "expected ',' or '}'" : "expected ',' or ']'");
            return NULL;
        }
        ps.i++;
    close_container : {
        json_t *done = parent;
        parent = done->next;
        done->next = NULL;
        tail = done;
        depth--;
        goto after_value;
    }
    }
    if (ps.i != len) {
        fail(&ps, ps.i, "unexpected data after the JSON value");
        return NULL;
    }
    return root;
}

json_t *json_getn(const json_t *obj, const char *name, size_t len)
{
    if (!obj || obj->type != JSON_OBJECT) return NULL;
    json_t *found = NULL;
    for (json_t *c = obj->child; c; c = c->next)
        if (c->key.len == len && memcmp(c->key.ptr, name, len) == 0) found = c;
    return found;
}

json_t *json_get(const json_t *obj, const char *name)
{
    return json_getn(obj, name, strlen(name));
}

const char *json_type_name(json_type_t t)
{
    switch (t) {
    case JSON_NULL:
        return "null";
    case JSON_FALSE:
    case JSON_TRUE:
        return "boolean";
    case JSON_NUMBER:
        return "number";
    case JSON_STRING:
        return "string";
    case JSON_ARRAY:
        return "array";
    case JSON_OBJECT:
        return "object";
    }
    return "unknown";
}

/* ---------------------------------------------------------------------------------------------
 * Writer
 */

/* Escaped length of each byte: 1 (as is), 2 (\" \\ \b \f \n \r \t) or 6 (\u00XX). */
/* clang-format off */
static const unsigned char esc_len[256] = {
    6, 6, 6, 6, 6, 6, 6, 6, 2, 2, 2, 6, 2, 2, 6, 6, /* 0x00: \b \t \n \f \r short */
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, /* 0x10 */
    1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: '"' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x30 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, /* 0x50: '\\' */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};
/* clang-format on */

/* Append n bytes that were reserved and written at the end of the buffer. */
static inline void commit(jw_t *w, size_t n)
{
    w->b.len += n;
    w->b.data[w->b.len] = 0;
}

/* Comma bookkeeping before a value or a key. */
static inline void sep(jw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    int d = w->depth;
    uint64_t bit = 1ull << (d & 63);
    if (w->need_comma[d >> 6] & bit) buf_putc(&w->b, ',');
    w->need_comma[d >> 6] |= bit;
}

void jw_init(jw_t *w, arena_t *a, size_t cap)
{
    buf_init(&w->b, a, cap);
    w->depth = 0;
    memset(w->need_comma, 0, sizeof w->need_comma);
    w->after_key = false;
}

static void container_begin(jw_t *w, char c)
{
    sep(w);
    buf_putc(&w->b, c);
    if (w->depth + 1 >= JW_MAX_DEPTH) {
        /* Only our own validated data reaches the writer (items nest at most 32 levels, about 70
         * JSON levels), so this is a programming error: fail loudly rather than write bad JSON. */
        fprintf(stderr, "dynarock: JSON writer nesting over %d\n", JW_MAX_DEPTH);
        abort();
    }
    w->depth++;
    w->need_comma[w->depth >> 6] &= ~(1ull << (w->depth & 63));
}

static void container_end(jw_t *w, char c)
{
    assert(w->depth > 0 && !w->after_key);
    w->depth--;
    buf_putc(&w->b, c);
}

void jw_obj_begin(jw_t *w)
{
    container_begin(w, '{');
}

void jw_obj_end(jw_t *w)
{
    container_end(w, '}');
}

void jw_arr_begin(jw_t *w)
{
    container_begin(w, '[');
}

void jw_arr_end(jw_t *w)
{
    container_end(w, ']');
}

/* The quoted, escaped form of s[0..n). */
static void put_quoted(jw_t *w, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t out = n + 2, i = 0;
    /* Eight bytes at a time while none needs escaping (a control byte, '"' or '\\'): the usual
     * case, since keys and most values are plain text. */
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, u + i, 8);
        if (HAS_ZERO(x ^ (ONES * '"')) | HAS_ZERO(x ^ (ONES * '\\')) | HAS_LESS(x, 0x20)) break;
    }
    for (; i < n; i++) out += esc_len[u[i]] - 1u;
    char *d = buf_reserve(&w->b, out), *o = d;
    *o++ = '"';
    if (out == n + 2) {
        memcpy(o, s, n);
        o += n;
    } else {
        static const char hex[] = "0123456789abcdef";
        for (size_t i = 0; i < n; i++) {
            unsigned c = u[i];
            switch (esc_len[c]) {
            case 1:
                *o++ = (char)c;
                break;
            case 2:
                *o++ = '\\';
                *o++ = c == '"'    ? '"'
                       : c == '\\' ? '\\'
                       : c == '\b' ? 'b'
                       : c == '\f' ? 'f'
                       : c == '\n' ? 'n'
                       : c == '\r' ? 'r'
                                   : 't';
                break;
            default:
                memcpy(o, "\\u00", 4);
                o[4] = hex[c >> 4];
                o[5] = hex[c & 15];
                o += 6;
            }
        }
    }
    *o++ = '"';
    commit(w, (size_t)(o - d));
}

void jw_key(jw_t *w, const char *k, size_t n)
{
    assert(!w->after_key);
    sep(w);
    put_quoted(w, k, n);
    buf_putc(&w->b, ':');
    w->after_key = true;
}

void jw_tagged_str(jw_t *w, const char *tag, size_t tag_len, const char *s, size_t n)
{
    sep(w);
    char *d = buf_reserve(&w->b, tag_len + 4);
    d[0] = '{';
    d[1] = '"';
    memcpy(d + 2, tag, tag_len);
    d[tag_len + 2] = '"';
    d[tag_len + 3] = ':';
    commit(w, tag_len + 4);
    put_quoted(w, s, n);
    buf_putc(&w->b, '}');
}

void jw_keyz(jw_t *w, const char *k)
{
    jw_key(w, k, strlen(k));
}

void jw_str(jw_t *w, const char *s, size_t n)
{
    sep(w);
    put_quoted(w, s, n);
}

void jw_strz(jw_t *w, const char *s)
{
    jw_str(w, s, strlen(s));
}

void jw_raw(jw_t *w, const char *s, size_t n)
{
    sep(w);
    buf_put(&w->b, s, n);
}

void jw_int(jw_t *w, long long v)
{
    char tmp[24], *p = tmp;
    if (v < 0) *p++ = '-';
    p += dec_format_u64(p, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
    jw_raw(w, tmp, (size_t)(p - tmp));
}

/*
 * Shortest text that reads back as the same double. Plain decimal for 1e-4 <= |v| < 1e17 (so epoch
 * seconds print as 1763750000.123 and whole numbers as 1763750000, no ".0"), exponent form
 * (1e+20, 1.5e-07: valid JSON numbers) outside that range; NaN and infinities, which JSON
 * cannot carry, as null. Uses the C locale's '.' (the server never calls setlocale).
 */
void jw_double(jw_t *w, double v)
{
    char tmp[64];
    int n = 0;
    if (!isfinite(v)) {
        jw_null(w);
        return;
    }
    double m = fabs(v);
    if (m == 0) {
        jw_raw(w, "0", 1);
        return;
    }
    if (m >= 1e-4 && m < 1e17) {
        for (int d = 0; d <= 21; d++) {
            n = snprintf(tmp, sizeof(tmp), "%.*f", d, v);
            if (strtod(tmp, NULL) == v) break;
        }
    } else {
        for (int p = 1; p <= 17; p++) {
            n = snprintf(tmp, sizeof(tmp), "%.*g", p, v);
            if (strtod(tmp, NULL) == v) break;
        }
    }
    jw_raw(w, tmp, (size_t)n);
}

void jw_bool(jw_t *w, bool v)
{
    if (v)
        jw_raw(w, "true", 4);
    else
        jw_raw(w, "false", 5);
}

void jw_null(jw_t *w)
{
    jw_raw(w, "null", 4);
}

void jw_json(jw_t *w, const json_t *j)
{
    switch (j->type) {
    case JSON_NULL:
        jw_null(w);
        break;
    case JSON_FALSE:
    case JSON_TRUE:
        jw_bool(w, j->type == JSON_TRUE);
        break;
    case JSON_NUMBER:
        jw_raw(w, j->str.ptr, j->str.len);
        break;
    case JSON_STRING:
        jw_str(w, j->str.ptr, j->str.len);
        break;
    case JSON_ARRAY:
        jw_arr_begin(w);
        for (const json_t *c = j->child; c; c = c->next) jw_json(w, c);
        jw_arr_end(w);
        break;
    case JSON_OBJECT:
        jw_obj_begin(w);
        for (const json_t *c = j->child; c; c = c->next) {
            jw_key(w, c->key.ptr, c->key.len);
            jw_json(w, c);
        }
        jw_obj_end(w);
        break;
    }
}
