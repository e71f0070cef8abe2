/*
 * trigfilter: Lambda's event filtering (FilterCriteria) for event-source mappings (issue 14), the
 * pattern language Lambda shares with EventBridge, matched against each stream record as the
 * function would receive it (eventName, dynamodb.Keys / NewImage / OldImage in DynamoDB JSON, ...).
 *
 *   FilterCriteria {"Filters":[{"Pattern":"<JSON object>"}, ...]}: a record passes when ANY pattern
 *   matches (no filters: every record passes).
 *   A pattern is an object; every member must match (AND). A member's value is either an object
 *   (matched against the record's object of that name) or an array of matchers, one of which must
 *   match (OR) the record's value there (or, when that value is an array, one of its elements):
 *     "text", 12, true, null          equal (numbers by value: 5 matches "5" and 5.0)
 *     {"prefix": "a"}                  a string beginning with "a"     {"suffix": "z"} ending with "z"
 *     {"equals-ignore-case": "x"}      a string equal ignoring ASCII case
 *     {"anything-but": V}              V a value, a list of values, or {"prefix": ...}: any present
 *                                      value but those (an absent member does not match)
 *     {"numeric": [">", 0, "<=", 9]}   a number (or a numeric string: DynamoDB's N) in the range;
 *                                      operators = < <= > >=, one or two comparisons
 *     {"exists": true|false}           the member is present / absent
 * Entry points: trig_filter_valid (CreateEventSourceMapping's check), trig_filter_match (pollers).
 * Pure functions over arena memory: any thread.
 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A number from a JSON number or a numeric string (DynamoDB's N); false when it is neither. */
static bool number_of(const json_t *v, double *out)
{
    if (!v || (v->type != JSON_NUMBER && v->type != JSON_STRING) || v->str.len == 0) return false;
    char *end;
    *out = strtod(v->str.ptr, &end);
    return end == v->str.ptr + v->str.len;
}

static bool scalar_equal(const json_t *pat, const json_t *v)
{
    if (pat->type == JSON_NULL) return v->type == JSON_NULL;
    if (pat->type == JSON_TRUE || pat->type == JSON_FALSE) return v->type == pat->type;
    if (pat->type == JSON_NUMBER) {
        double a, b;
        return v->type == JSON_NUMBER && number_of(pat, &a) && number_of(v, &b) && a == b;
    }
    if (pat->type == JSON_STRING)
        return v->type == JSON_STRING && v->str.len == pat->str.len &&
               !memcmp(v->str.ptr, pat->str.ptr, v->str.len);
    return false;
}

static bool numeric_ok(const json_t *spec, double x)
{
    const json_t *c = spec->child;
    int n = 0;
    while (c) {
        if (c->type != JSON_STRING || !c->next) return false;
        double bound;
        if (!number_of(c->next, &bound) || c->next->type != JSON_NUMBER) return false;
        const char *op = c->str.ptr;
        bool ok = !strcmp(op, "=")    ? x == bound
                  : !strcmp(op, "<")  ? x < bound
                  : !strcmp(op, "<=") ? x <= bound
                  : !strcmp(op, ">")  ? x > bound
                  : !strcmp(op, ">=") ? x >= bound
                                      : false;
        if (!ok) return false;
        c = c->next->next;
        n++;
    }
    return n > 0;
}

static bool prefix_of(const json_t *p, const json_t *v, bool suffix)
{
    if (p->type != JSON_STRING || v->type != JSON_STRING || v->str.len < p->str.len) return false;
    const char *at = suffix ? v->str.ptr + v->str.len - p->str.len : v->str.ptr;
    return !memcmp(at, p->str.ptr, p->str.len);
}

/* One matcher (an element of a pattern's array) against a present value v. */
static bool matcher_ok(const json_t *m, const json_t *v)
{
    if (m->type != JSON_OBJECT) return scalar_equal(m, v);
    const json_t *k = m->child;
    if (!k || k->next) return false;
    const char *name = k->key.ptr;
    if (!strcmp(name, "prefix")) return prefix_of(k, v, false);
    if (!strcmp(name, "suffix")) return prefix_of(k, v, true);
    if (!strcmp(name, "equals-ignore-case"))
        return k->type == JSON_STRING && v->type == JSON_STRING && v->str.len == k->str.len &&
               !strncasecmp(v->str.ptr, k->str.ptr, v->str.len);
    if (!strcmp(name, "numeric")) {
        double x;
        return k->type == JSON_ARRAY && number_of(v, &x) && numeric_ok(k, x);
    }
    if (!strcmp(name, "anything-but")) {
        if (k->type == JSON_ARRAY) {
            for (const json_t *e = k->child; e; e = e->next)
                if (scalar_equal(e, v)) return false;
            return true;
        }
        if (k->type == JSON_OBJECT) return !matcher_ok(k, v);
        return !scalar_equal(k, v);
    }
    return false;
}

/* The matchers of one pattern member against the record's member (NULL: absent). */
static bool member_ok(const json_t *arr, const json_t *v)
{
    for (const json_t *m = arr->child; m; m = m->next) {
        if (m->type == JSON_OBJECT && m->child && !strcmp(m->child->key.ptr, "exists")) {
            if ((m->child->type == JSON_TRUE) == (v != NULL)) return true;
            continue;
        }
        if (!v) continue;
        if (v->type == JSON_ARRAY) {
            for (const json_t *e = v->child; e; e = e->next)
                if (matcher_ok(m, e)) return true;
        } else if (matcher_ok(m, v)) {
            return true;
        }
    }
    return false;
}

static bool pattern_ok(const json_t *pat, const json_t *obj)
{
    for (const json_t *m = pat->child; m; m = m->next) {
        const json_t *v = obj && obj->type == JSON_OBJECT ? json_getn(obj, m->key.ptr, m->key.len) : NULL;
        if (m->type == JSON_OBJECT) {
            if (!pattern_ok(m, v)) return false;
        } else if (!member_ok(m, v)) {
            return false;
        }
    }
    return true;
}

/* A pattern's shape: objects of objects, leaves arrays of scalars or one-member matcher objects. */
static bool shape_ok(const json_t *pat, int depth)
{
    if (depth > 16 || pat->type != JSON_OBJECT) return false;
    for (const json_t *m = pat->child; m; m = m->next) {
        if (m->type == JSON_OBJECT) {
            if (!shape_ok(m, depth + 1)) return false;
            continue;
        }
        if (m->type != JSON_ARRAY) return false;
        for (const json_t *e = m->child; e; e = e->next) {
            if (e->type == JSON_ARRAY) return false;
            if (e->type != JSON_OBJECT) continue;
            const json_t *k = e->child;
            if (!k || k->next) return false;
            const char *n = k->key.ptr;
            if (!strcmp(n, "prefix") || !strcmp(n, "suffix") || !strcmp(n, "equals-ignore-case")) {
                if (k->type != JSON_STRING) return false;
            } else if (!strcmp(n, "exists")) {
                if (k->type != JSON_TRUE && k->type != JSON_FALSE) return false;
            } else if (!strcmp(n, "numeric")) {
                /* operators and numbers alternate: one or two comparisons */
                if (k->type != JSON_ARRAY) return false;
                int cnt = 0;
                for (const json_t *c = k->child; c; c = c->next->next, cnt++) {
                    if (c->type != JSON_STRING || !c->next || c->next->type != JSON_NUMBER) return false;
                    const char *op = c->str.ptr;
                    if (strcmp(op, "=") && strcmp(op, "<") && strcmp(op, "<=") && strcmp(op, ">") &&
                        strcmp(op, ">="))
                        return false;
                }
                if (cnt < 1 || cnt > 2) return false;
            } else if (!strcmp(n, "anything-but")) {
                if (k->type == JSON_OBJECT &&
                    !(k->child && !k->child->next && k->child->type == JSON_STRING &&
                      !strcmp(k->child->key.ptr, "prefix")))
                    return false;
            } else {
                return false;
            }
        }
    }
    return true;
}

bool trig_filter_valid(arena_t *a, const char *pattern, size_t len)
{
    json_t *j = json_parse(a, pattern, len, 32, NULL);
    return j && shape_ok(j, 0);
}

bool trig_filter_match(arena_t *a, const char *filter_json, const json_t *record)
{
    if (!filter_json) return true;
    json_t *fc = json_parse(a, filter_json, strlen(filter_json), 64, NULL);
    const json_t *fl = fc && fc->type == JSON_OBJECT ? json_get(fc, "Filters") : NULL;
    if (!fl || fl->type != JSON_ARRAY || !fl->child) return true;
    for (const json_t *f = fl->child; f; f = f->next) {
        const json_t *p = f->type == JSON_OBJECT ? json_get(f, "Pattern") : NULL;
        json_t *pat = p && p->type == JSON_STRING ? json_parse(a, p->str.ptr, p->str.len, 32, NULL) : NULL;
        if (pat && pat->type == JSON_OBJECT && pattern_ok(pat, record)) return true;
    }
    return false;
}
