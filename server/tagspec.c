/*
 * tagspec.c: the checks of tag keys and values that CreateTable's Tags, TagResource's Tags and
 * UntagResource's TagKeys share, worded as DynamoDB's tagging service words them (recorded against
 * AWS in October 2026 with client-side validation off: ack-api-quirks' DynamoDB catalogue, DDB-TABLE-105
 * to -110, -372, -457). These are service texts, not the `N validation errors detected` form: an
 * over-long key is "The Tag Key provided is invalid, Key: <key>".
 *
 * Entry points: tagspec_tags_or_err (a Tags list), tagspec_keys_or_err (a TagKeys list),
 * tagspec_count_or_err (the 50-tag limit). Each is linear in the request.
 *
 * The rules, per tag in request order (the first bad tag is the one reported):
 *   key absent                       "The Tag Key provided is invalid, Key: null"
 *   key empty, over 128 characters, or holding a character outside the set below
 *                                    "The Tag Key provided is invalid, Key: <key>"
 *   key starting with aws: (any case) "Tag Key cannot be prefixed with aws:, Key: <key>"
 *   value absent                     "The Tag Value provided is invalid, Value: null"
 *   value over 256 characters or a character outside the set (empty is fine)
 *                                    "The Tag Value provided is invalid, Value: <value>"
 *   a key seen earlier in the list   "Duplicate Tag Keys provided as input: Duplicate Tag Key found <key>"
 * Characters as Java counts them (UTF-16 units). The set is AWS's tag pattern: Unicode letters (any
 * script), numbers and separators (space, NBSP, ideographic space ...: categories L, N, Z; the table is
 * generated into tagchars.h) and + - = . _ : / @.
 */
#include "server/server.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "common/strset.h"
#include "server/tagchars.h"

#define TAG_KEY_MAX 128   /* characters (UTF-16 units), AWS's documented limit */
#define TAG_VALUE_MAX 256 /* idem */
#define TAGS_MAX 50       /* tags per resource */

static bool in_tagchars(uint32_t cp)
{
    size_t lo = 0, hi = sizeof TAGCHARS / sizeof TAGCHARS[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < TAGCHARS[mid][0])
            hi = mid;
        else if (cp > TAGCHARS[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* Every character of s is allowed in a tag (strict UTF-8: a malformed sequence is not). */
static bool chars_ok(ddb_str_t s)
{
    const unsigned char *p = (const unsigned char *)s.ptr, *end = p + s.len;
    while (p < end) {
        uint32_t c = *p++;
        if (c < 0x80) {
            if (!in_tagchars(c) && (!c || !strchr("+-=._:/@", (int)c))) return false;
            continue;
        }
        int more = c >= 0xF5 ? -1 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : -1;
        if (more < 0 || end - p < more) return false;
        c &= 0x3Fu >> more;
        for (int i = 0; i < more; i++, p++) {
            if ((*p & 0xC0) != 0x80) return false;
            c = c << 6 | (*p & 0x3Fu);
        }
        /* overlong forms, surrogates and code points past U+10FFFF are malformed */
        if ((more == 2 && c < 0x800) || (more == 3 && (c < 0x10000 || c > 0x10FFFF)) ||
            (c >= 0xD800 && c <= 0xDFFF))
            return false;
        if (!in_tagchars(c)) return false;
    }
    return true;
}

static bool key_ok(ddb_str_t k)
{
    return k.len > 0 && ddb_str_utf16_len(k) <= TAG_KEY_MAX && chars_ok(k);
}

/* A present key's checks: valid, then not aws:-prefixed. */
static ddb_err_t key_or_err(ddb_req_t *r, ddb_str_t k)
{
    if (!key_ok(k))
        return err_set(&r->err, DDB_ERR_VALIDATION, "The Tag Key provided is invalid, Key: %.*s", (int)k.len,
                       k.ptr);
    if (k.len >= 4 && strncasecmp(k.ptr, "aws:", 4) == 0)
        return err_set(&r->err, DDB_ERR_VALIDATION, "Tag Key cannot be prefixed with aws:, Key: %.*s",
                       (int)k.len, k.ptr);
    return DDB_OK;
}

ddb_err_t tagspec_tags_or_err(ddb_req_t *r, const json_t *tags)
{
    strset_t seen;
    strset_init(&seen, r->a, tags->n);
    for (const json_t *tg = tags->child; tg; tg = tg->next) {
        /* deser.c has checked the types: a tag is an object, its Key and Value strings when present */
        const json_t *k = json_get(tg, "Key"), *val = json_get(tg, "Value");
        if (k && k->type != JSON_STRING) k = NULL;
        if (val && val->type != JSON_STRING) val = NULL;
        if (!k) return err_set(&r->err, DDB_ERR_VALIDATION, "The Tag Key provided is invalid, Key: null");
        ddb_err_t rc;
        if ((rc = key_or_err(r, k->str))) return rc;
        if (!val)
            return err_set(&r->err, DDB_ERR_VALIDATION, "The Tag Value provided is invalid, Value: null");
        if (ddb_str_utf16_len(val->str) > TAG_VALUE_MAX || !chars_ok(val->str))
            return err_set(&r->err, DDB_ERR_VALIDATION, "The Tag Value provided is invalid, Value: %.*s",
                           (int)val->str.len, val->str.ptr);
        bool added;
        strset_add(&seen, k->str.ptr, k->str.len, 0, &added);
        if (!added)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "Duplicate Tag Keys provided as input: Duplicate Tag Key found %.*s",
                           (int)k->str.len, k->str.ptr);
    }
    return DDB_OK;
}

ddb_err_t tagspec_keys_or_err(ddb_req_t *r, const json_t *keys)
{
    ddb_err_t rc;
    for (const json_t *k = keys->child; k; k = k->next)
        if (k->type == JSON_STRING && (rc = key_or_err(r, k->str))) return rc;
    return tagspec_count_or_err(&r->err, keys->n);
}

ddb_err_t tagspec_count_or_err(ddb_errctx_t *err, size_t n)
{
    if (n <= TAGS_MAX) return DDB_OK;
    return err_set(err, DDB_ERR_VALIDATION,
                   "Number of Tags exceed the current limit for the provided ResourceArn");
}
