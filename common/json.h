/*
 * json: a small strict JSON reader into an arena tree, and a streaming writer into a buf_t.
 * Own code rather than cJSON because DynamoDB S values may contain U+0000 (cJSON cuts C strings
 * there) and because we want byte lengths, a depth limit and offsets for messages.
 *
 * Reader contract:
 * - RFC 8259 JSON: one value, surrounded by optional whitespace; no comments, no trailing commas,
 *   no NaN/Infinity, no leading zeros, no single quotes. Strings must be valid UTF-8; escapes
 *   \" \\ \/ \b \f \n \r \t \uXXXX (surrogate pairs combined; a lone surrogate is an error).
 * - String values and member names are decoded into the arena (`str`/`key`), may contain NUL,
 *   and are also NUL-terminated for convenience (len excludes the terminator). NUMBER keeps its
 *   raw text in `str` (also an arena copy, NUL-terminated), validated against the RFC grammar but
 *   never converted, so "1e400" or 60-digit numbers survive as text.
 * - Nesting deeper than `max_depth` arrays/objects is an error with err->too_deep set: with
 *   max_depth 2, "[[1]]" parses and "[[[1]]]" does not. The reader does not recurse at all, so
 *   any max_depth is safe for the stack.
 * - Duplicate member names are kept in order; json_get returns the LAST one (Jackson's habit).
 * - All nodes and strings live in the arena until it is reset; nothing to free. The input text
 *   is not referenced after json_parse returns. On error some arena memory stays used.
 * - Errors: NULL, with err->offset (byte offset of the offending byte, for a bad escape the
 *   backslash) and err->msg, a static English phrase such as "unexpected end of input",
 *   "invalid UTF-8 in string", "lone surrogate in string" (for logs, not DynamoDB's wording).
 *   `err` may be NULL.
 * - No global state: calls on different arenas may run on different threads at once.
 *
 * Writer contract: the jw_* calls build one JSON text in w->b (NUL-terminated, in the arena)
 * with commas placed automatically; at most 63 containers open at once. Strings are escaped:
 * '"' and '\\' with a backslash, \b \f \n \r \t in short form, every other byte below 0x20
 * (U+0000 included) as \u00xx; bytes >= 0x80 are written as they are (caller passes UTF-8).
 */
#ifndef DDB_JSON_H
#define DDB_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "common/arena.h"

typedef enum {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
} json_type_t;

typedef struct json json_t;
struct json {
    json_type_t type;
    uint32_t n;    /* ARRAY/OBJECT: number of children */
    ddb_str_t key; /* member name when the parent is an OBJECT, else {NULL,0} */
    ddb_str_t str; /* STRING: decoded bytes; NUMBER: raw text */
    json_t *child; /* first child (ARRAY/OBJECT) */
    json_t *next;  /* next sibling */
};

typedef struct {
    size_t offset;   /* byte offset of the problem */
    const char *msg; /* static text */
    bool too_deep;   /* the nesting limit was hit */
} json_error_t;

/** Parse `len` bytes. Returns the root or NULL with *err filled. */
json_t *json_parse(arena_t *a, const char *text, size_t len, int max_depth, json_error_t *err);
/** Member of an OBJECT by name (last duplicate wins), or NULL. */
json_t *json_get(const json_t *obj, const char *name);
json_t *json_getn(const json_t *obj, const char *name, size_t len);
/** Human name of a type ("string", "object", ...). */
const char *json_type_name(json_type_t t);

#define JW_MAX_DEPTH 256 /* open containers the writer supports (items need about 70) */

typedef struct {
    buf_t b;
    int depth;
    uint64_t need_comma[JW_MAX_DEPTH / 64]; /* bit d: the container at depth d already holds an element */
    bool after_key;                         /* a key was just written; the next value needs no comma */
} jw_t;

/** Start writing into a new buffer in `a` with initial capacity `cap`. */
void jw_init(jw_t *w, arena_t *a, size_t cap);
void jw_obj_begin(jw_t *w);
void jw_obj_end(jw_t *w);
void jw_arr_begin(jw_t *w);
void jw_arr_end(jw_t *w);
/** Member name; the next value call writes its value. */
void jw_key(jw_t *w, const char *k, size_t n);
void jw_keyz(jw_t *w, const char *k);
/** The one-member object {"<tag>":"<s escaped>"} as a value (tag is written as is: plain text). */
void jw_tagged_str(jw_t *w, const char *tag, size_t tag_len, const char *s, size_t n);
void jw_str(jw_t *w, const char *s, size_t n);
void jw_strz(jw_t *w, const char *s);
/** Already-valid JSON text (a number, or a pre-rendered value). */
void jw_raw(jw_t *w, const char *s, size_t n);
/** A parsed value written back as JSON (numbers as their text, members in their order). */
void jw_json(jw_t *w, const json_t *j);
void jw_int(jw_t *w, long long v);
/** The shortest text that reads back as the same double: plain decimal for 1e-4 <= |v| < 1e17
 *  (epoch seconds 1763750000.123; whole values without ".0", e.g. 1763750000), exponent form
 *  (1e+20) outside; NaN/Inf, which JSON cannot carry, as null. */
void jw_double(jw_t *w, double v);
void jw_bool(jw_t *w, bool v);
void jw_null(jw_t *w);

#endif
