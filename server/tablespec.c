/*
 * tablespec: the checks of a table definition that CreateTable (api_table.c) and UpdateTable
 * (api_meta.c) share, in AWS's order and words: shape constraints of key schemas, attribute
 * definitions, indexes and provisioned throughput (added to one "N validation errors" collector),
 * the JSON shapes of those members for vc_shape_ok, and the checks that turn a checked key schema or
 * index object into the engine's spec (eng_keyschema_t, eng_index_t).
 *
 * Entry points: tablespec_vc_* (shape constraints), tablespec_*_shape (shape_ok specs),
 * tablespec_*_or_err (record the first error in the request and return it).
 */
#include "server/server.h"

#include <string.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

#define MAX_THROUGHPUT 1000000000000LL /* AWS: "Given value ... is out of bounds" above this */

/* ---- StreamSpecification ------------------------------------------------------------------- */

ddb_err_t tablespec_stream_or_err(ddb_errctx_t *err, bool creating, bool enable, bool has_view)
{
    if (enable && !has_view)
        return err_set(err, DDB_ERR_VALIDATION, "%s%s", INVALID,
                       creating ? "Table is being created with a stream enabled, UpdateViewType is required"
                                : "If stream is being enabled then UpdateViewType is required");
    if (!enable && has_view)
        return err_set(
            err, DDB_ERR_VALIDATION, "%s%s", INVALID,
            creating ? "Table is being created with a stream disabled, UpdateViewType should not be specified"
                     : "If stream is being disabled, then UpdateViewType must not be specified");
    return DDB_OK;
}

/* ---- shape constraints (one "N validation errors detected" message) ------------------------- */

static const char *const PROJ[] = {"ALL", "INCLUDE", "KEYS_ONLY", NULL};

static bool name_ok(ddb_str_t s)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return false;
    }
    return s.len > 0;
}

/* An AttributeName at `p`: present, 1..255 bytes. */
static void vc_attr_name(vcheck_t *v, const json_t *an, const char *p)
{
    if (!an || an->type == JSON_NULL)
        vc_add(v, "null", p, "Member must not be null");
    else if (an->type == JSON_STRING && an->str.len == 0)
        vc_add(v, "''", p, "Member must have length greater than or equal to 1");
    else if (an->type == JSON_STRING && an->str.len > 255)
        vc_add(v, vc_show_str(v->r, an), p, "Member must have length less than or equal to 255");
}

/* KeySchema list constraints at `path` ("keySchema" or "globalSecondaryIndexes.1.member.keySchema"); a
 * GSI's list (`multi`) may be longer than 2 (multi-attribute keys: the element counts are checked with
 * the schema, tablespec_index_or_err). */
static void vc_keyschema(vcheck_t *v, const json_t *ks, const char *path, bool multi)
{
    ddb_req_t *r = v->r;
    if (!ks) {
        vc_add(v, "null", path, "Member must not be null");
        return;
    }
    int i = 1;
    for (const json_t *e = ks->child; e; e = e->next, i++) {
        if (e->type != JSON_OBJECT) {
            vc_add(v, "null", arena_sprintf(r->a, "%s.%d.member", path, i), "Member must not be null");
            continue;
        }
        const json_t *an = json_get(e, "AttributeName"), *kt = json_get(e, "KeyType");
        const char *p = arena_sprintf(r->a, "%s.%d.member.attributeName", path, i);
        vc_attr_name(v, an, p);
        p = arena_sprintf(r->a, "%s.%d.member.keyType", path, i);
        if (!kt || kt->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (kt->type == JSON_STRING && !ddb_str_eq(kt->str, "HASH") && !ddb_str_eq(kt->str, "RANGE"))
            vc_add(v, vc_show_str(r, kt), p, "Member must satisfy enum value set: [HASH, RANGE]");
    }
    if (ks->n < 1) vc_add(v, "'[]'", path, "Member must have length greater than or equal to 1");
    if (ks->n > 2 && !multi)
        vc_add(v, arena_sprintf(r->a, "'%u elements'", ks->n), path,
               "Member must have length less than or equal to 2");
}

void tablespec_vc_keyschema(vcheck_t *v, const json_t *ks, const char *path)
{
    vc_keyschema(v, ks, path, false);
}

void tablespec_vc_throughput(vcheck_t *v, const json_t *pt, const char *path)
{
    if (!pt || pt->type != JSON_OBJECT) return;
    const char *names[2] = {"WriteCapacityUnits", "ReadCapacityUnits"};
    const char *paths[2] = {"writeCapacityUnits", "readCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        const json_t *j = json_get(pt, names[i]);
        const char *p = arena_sprintf(v->r->a, "%s.%s", path, paths[i]);
        if (!j || j->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (j->type == JSON_NUMBER && vc_num_value(j) < 1)
            vc_add(v, vc_show_str(v->r, j), p, "Member must have value greater than or equal to 1");
    }
}

ddb_err_t tablespec_throughput_or_err(ddb_req_t *r, const json_t *pt, const char *index, int64_t *rcu,
                                      int64_t *wcu)
{
    *rcu = vc_num_value(json_get(pt, "ReadCapacityUnits"));
    *wcu = vc_num_value(json_get(pt, "WriteCapacityUnits"));
    const char *what = *rcu > MAX_THROUGHPUT ? "Read" : *wcu > MAX_THROUGHPUT ? "Write" : NULL;
    if (!what) return DDB_OK;
    long long val = (long long)(*rcu > MAX_THROUGHPUT ? *rcu : *wcu);
    if (index)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Given value %lld for %sCapacityUnits is out of bounds for index %s", val, what,
                       index);
    return err_set(&r->err, DDB_ERR_VALIDATION, "Given value %lld for %sCapacityUnits is out of bounds", val,
                   what);
}

void tablespec_vc_attrdefs(vcheck_t *v, const json_t *defs)
{
    ddb_req_t *r = v->r;
    int i = 1;
    for (const json_t *d = defs->child; d; d = d->next, i++) {
        if (d->type != JSON_OBJECT) {
            vc_add(v, "null", arena_sprintf(r->a, "attributeDefinitions.%d.member", i),
                   "Member must not be null");
            continue;
        }
        /* the type's violation before the name's (AWS's order, recorded 2026: DDB-TABLE-457) */
        const json_t *an = json_get(d, "AttributeName"), *at = json_get(d, "AttributeType");
        const char *p = arena_sprintf(r->a, "attributeDefinitions.%d.member.attributeType", i);
        if (!at || at->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (at->type == JSON_STRING && !ddb_str_eq(at->str, "S") && !ddb_str_eq(at->str, "N") &&
                 !ddb_str_eq(at->str, "B"))
            vc_add(v, vc_show_str(r, at), p, "Member must satisfy enum value set: [B, N, S]");
        vc_attr_name(v, an, arena_sprintf(r->a, "attributeDefinitions.%d.member.attributeName", i));
    }
}

void tablespec_vc_sse(vcheck_t *v, const json_t *sse, const char *path)
{
    /* the model gives KMSMasterKeyId no bounds; AWS refuses an empty one (recorded 2026: DDB-TABLE-457) */
    const json_t *k = sse && sse->type == JSON_OBJECT ? json_get(sse, "KMSMasterKeyId") : NULL;
    if (k && k->type == JSON_STRING)
        vc_len(v, k, arena_sprintf(v->r->a, "%s.kMSMasterKeyId", path), 1, SIZE_MAX, false);
}

void tablespec_vc_index(vcheck_t *v, const json_t *x, const char *base, bool global)
{
    ddb_req_t *r = v->r;
    const json_t *name = json_get(x, "IndexName");
    const char *p = arena_sprintf(r->a, "%s.indexName", base);
    if (!name || name->type == JSON_NULL)
        vc_add(v, "null", p, "Member must not be null");
    else if (name->type == JSON_STRING) {
        const char *shown = vc_show_str(r, name);
        /* lengths before the pattern (AWS's order for an index name, recorded 2026: DDB-TABLE-457) */
        if (name->str.len < 3) vc_add(v, shown, p, "Member must have length greater than or equal to 3");
        if (name->str.len > 255) vc_add(v, shown, p, "Member must have length less than or equal to 255");
        if (!name_ok(name->str))
            vc_add(v, shown, p, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
    const json_t *ks = json_get(x, "KeySchema");
    vc_keyschema(v, ks && ks->type == JSON_ARRAY ? ks : NULL, arena_sprintf(r->a, "%s.keySchema", base),
                 global);
    const json_t *proj = json_get(x, "Projection");
    if (!proj || proj->type == JSON_NULL)
        vc_add(v, "null", arena_sprintf(r->a, "%s.projection", base), "Member must not be null");
    else if (proj->type == JSON_OBJECT) {
        const json_t *pt = json_get(proj, "ProjectionType");
        if (pt && pt->type == JSON_STRING)
            vc_enum(v, pt, arena_sprintf(r->a, "%s.projection.projectionType", base), PROJ,
                    "[ALL, INCLUDE, KEYS_ONLY]");
        const json_t *nk = json_get(proj, "NonKeyAttributes");
        if (nk && nk->type == JSON_ARRAY && nk->n == 0)
            vc_add(v, "'[]'", arena_sprintf(r->a, "%s.projection.nonKeyAttributes", base),
                   "Member must have length greater than or equal to 1");
        int k = 1;
        if (nk && nk->type == JSON_ARRAY)
            for (const json_t *e = nk->child; e; e = e->next, k++) {
                const char *ep = arena_sprintf(r->a, "%s.projection.nonKeyAttributes.%d.member", base, k);
                if (e->type != JSON_STRING)
                    vc_add(v, "null", ep, "Member must not be null");
                else if (e->str.len < 1)
                    vc_add(v, "''", ep, "Member must have length greater than or equal to 1");
                else if (e->str.len > 255)
                    vc_add(v, vc_show_str(r, e), ep, "Member must have length less than or equal to 255");
            }
    }
    if (global)
        tablespec_vc_throughput(v, json_get(x, "ProvisionedThroughput"),
                                arena_sprintf(r->a, "%s.provisionedThroughput", base));
}

/* ---- request shapes (JSON types of nested members) ---- */

static const shape_member_t THROUGHPUT_M[] = {{"ReadCapacityUnits", JSON_NUMBER, NULL, 0, SER_LONG},
                                              {"WriteCapacityUnits", JSON_NUMBER, NULL, 0, SER_LONG},
                                              {NULL}};
const shape_spec_t tablespec_throughput_shape = {THROUGHPUT_M};
static const shape_member_t ONDEMAND_M[] = {{"MaxReadRequestUnits", JSON_NUMBER, NULL, 0, SER_LONG},
                                            {"MaxWriteRequestUnits", JSON_NUMBER, NULL, 0, SER_LONG},
                                            {NULL}};
const shape_spec_t tablespec_ondemand_shape = {ONDEMAND_M};

ddb_err_t tablespec_ondemand_or_err(ddb_errctx_t *err, const json_t *od, bool on_demand, int64_t *rru,
                                    int64_t *wru)
{
    static const char INVALID[] = "One or more parameter values were invalid: ";
    if (!od) return DDB_OK;
    if (!on_demand)
        return err_set(err, DDB_ERR_VALIDATION,
                       "%sOnDemandThroughput can only be specified when BillingMode is PAY_PER_REQUEST",
                       INVALID);
    const char *names[2] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};
    int64_t *out[2] = {rru, wru}, val[2] = {*rru, *wru};
    for (int i = 0; i < 2; i++) {
        const json_t *j = json_get(od, names[i]);
        if (!j || j->type == JSON_NULL) continue; /* unchanged */
        int64_t n = vc_num_value(j);
        if (n != -1 && n < 1) /* AWS's text, recorded 2026 (ack-api-quirks DDB-TABLE-457) */
            return err_set(err, DDB_ERR_VALIDATION,
                           "%sRequested %s for OnDemandThroughput for table is outside of valid range",
                           INVALID, names[i]);
        val[i] = n == -1 ? 0 : n;
    }
    *out[0] = val[0];
    *out[1] = val[1];
    return DDB_OK;
}
static const shape_member_t KEYELEM_M[] = {{"AttributeName", JSON_STRING}, {"KeyType", JSON_STRING}, {NULL}};
const shape_spec_t tablespec_keyelem_shape = {KEYELEM_M};
static const shape_member_t ATTRDEF_M[] = {
    {"AttributeName", JSON_STRING}, {"AttributeType", JSON_STRING}, {NULL}};
const shape_spec_t tablespec_attrdef_shape = {ATTRDEF_M};
static const shape_member_t PROJECTION_M[] = {
    {"ProjectionType", JSON_STRING}, {"NonKeyAttributes", JSON_ARRAY, NULL, JSON_STRING}, {NULL}};
static const shape_spec_t PROJECTION = {PROJECTION_M};
static const shape_member_t INDEX_M[] = {{"IndexName", JSON_STRING},
                                         {"KeySchema", JSON_ARRAY, &tablespec_keyelem_shape, JSON_OBJECT},
                                         {"Projection", JSON_OBJECT, &PROJECTION},
                                         {"ProvisionedThroughput", JSON_OBJECT, &tablespec_throughput_shape},
                                         {NULL}};
const shape_spec_t tablespec_index_shape = {INDEX_M};

/* ---- key schemas and indexes ---------------------------------------------------------------- */

const char *tablespec_join_names(ddb_req_t *r, const char **names, size_t n)
{
    buf_t b;
    buf_init(&b, r->a, 64);
    for (size_t i = 0; i < n; i++) {
        if (i) buf_puts(&b, ", ");
        buf_puts(&b, names[i]);
    }
    return b.data;
}

static const char *jstr(ddb_req_t *r, const json_t *j)
{
    return j && j->type == JSON_STRING ? j->str.ptr : NULL;
}

/* A validated KeySchema list's names and key types (at most 2 * ENG_KEY_ATTRS_MAX; more are refused by
 * the shape check, or, for a GSI, by the counts of HASH and RANGE elements, checked before any use). */
static void keyschema_names(ddb_req_t *r, const json_t *ks, const char **names, const char **types, size_t *n,
                            size_t max)
{
    *n = 0;
    for (const json_t *e = ks->child; e && *n < max; e = e->next) {
        names[*n] = jstr(r, json_get(e, "AttributeName"));
        types[*n] = jstr(r, json_get(e, "KeyType"));
        (*n)++;
    }
}

static av_type_t def_type(const eng_table_t *t, const char *name)
{
    for (size_t i = 0; i < t->n_attrdefs; i++)
        if (!strcmp(t->attrdefs[i].name, name)) return t->attrdefs[i].type;
    return AV_NONE;
}

/* A GSI's KeySchema of more than one HASH or RANGE element (multi-attribute keys; AWS's messages):
 * 1..4 HASH elements, then 0..4 RANGE elements, every name once. */
static ddb_err_t multi_keyschema_or_err(ddb_req_t *r, const json_t *ks, const eng_table_t *t,
                                        const char **defs, size_t ndefs, eng_keyschema_t *out)
{
    size_t nh = 0, nr = 0;
    bool range_seen = false, hash_after = false;
    for (const json_t *e = ks->child; e; e = e->next) {
        const char *kt = jstr(r, json_get(e, "KeyType"));
        bool hash = !strcmp(kt, "HASH");
        hash_after |= hash && range_seen;
        range_seen |= !hash;
        nh += hash;
        nr += !hash;
    }
    if (nh > ENG_KEY_ATTRS_MAX || nr > ENG_KEY_ATTRS_MAX)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sThe KeySchema exceeds the maximum allowed number of %s key attributes", INVALID,
                       nh > ENG_KEY_ATTRS_MAX ? "HASH" : "RANGE");
    const char *names[2 * ENG_KEY_ATTRS_MAX], *types[2 * ENG_KEY_ATTRS_MAX];
    size_t n;
    keyschema_names(r, ks, names, types, &n, 2 * ENG_KEY_ATTRS_MAX);
    for (size_t i = 0; i < n; i++)
        if (def_type(t, names[i]) == AV_NONE)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sSome index key attributes are not defined in AttributeDefinitions. Keys: [%s], "
                           "AttributeDefinitions: [%s]",
                           INVALID, tablespec_join_names(r, names, n), tablespec_join_names(r, defs, ndefs));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return err_set(&r->err, DDB_ERR_VALIDATION,
                               "The KeySchema contains multiple key attributes with the same name");
    if (strcmp(types[0], "HASH"))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (hash_after)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sAll HASH key attributes must precede RANGE key attributes in the KeySchema",
                       INVALID);
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < nh; i++) out->hashes[i] = (eng_attr_t){names[i], def_type(t, names[i])};
    for (size_t i = 0; i < nr; i++) out->ranges[i] = (eng_attr_t){names[nh + i], def_type(t, names[nh + i])};
    return DDB_OK;
}

/* Whether a (shape-checked) KeySchema list is more than one HASH element and at most one RANGE
 * element after it. */
static bool multi_attribute(ddb_req_t *r, const json_t *ks)
{
    if (ks->n > 2) return true;
    if (ks->n < 2) return false;
    const char *t0 = jstr(r, json_get(ks->child, "KeyType")),
               *t1 = jstr(r, json_get(ks->child->next, "KeyType"));
    return t0 && t1 && !strcmp(t0, "HASH") && !strcmp(t1, "HASH");
}

/* Key schema checks shared by the table and its indexes (messages from AWS). */
static ddb_err_t keyschema_or_err(ddb_req_t *r, const json_t *ks, const eng_table_t *t, const char **defs,
                                  size_t ndefs, eng_keyschema_t *out, bool table_level, bool multi)
{
    if (multi && multi_attribute(r, ks)) return multi_keyschema_or_err(r, ks, t, defs, ndefs, out);
    const char *names[2] = {0}, *types[2] = {0};
    size_t n;
    keyschema_names(r, ks, names, types, &n, 2);
    bool all_defined = true;
    for (size_t i = 0; i < n; i++)
        if (def_type(t, names[i]) == AV_NONE) all_defined = false;
    if (n == 2 && table_level && (!all_defined || (!strcmp(names[0], names[1]) && ndefs == 1)))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Invalid KeySchema: Some index key attribute have no definition");
    if (!all_defined)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sSome index key attributes are not defined in AttributeDefinitions. Keys: [%s], "
                       "AttributeDefinitions: [%s]",
                       INVALID, tablespec_join_names(r, names, n), tablespec_join_names(r, defs, ndefs));
    if (n == 2 && !strcmp(names[0], names[1]))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Both the Hash Key and the Range Key element in the KeySchema have the same name");
    if (strcmp(types[0], "HASH"))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
    if (n == 2 && strcmp(types[1], "RANGE"))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
    memset(out, 0, sizeof *out);
    out->hash.name = names[0];
    out->hash.type = def_type(t, names[0]);
    if (n == 2) {
        out->range.name = names[1];
        out->range.type = def_type(t, names[1]);
    }
    return DDB_OK;
}

ddb_err_t tablespec_keyschema_or_err(ddb_req_t *r, const json_t *ks, const eng_table_t *t, const char **defs,
                                     size_t ndefs, eng_keyschema_t *out, bool table_level)
{
    return keyschema_or_err(r, ks, t, defs, ndefs, out, table_level, false);
}

ddb_err_t tablespec_index_or_err(ddb_req_t *r, const json_t *x, bool global, eng_table_t *t, eng_index_t *ix,
                                 const char **defs, size_t ndefs, size_t *seen_count)
{
    ix->global = global;
    ix->name = jstr(r, json_get(x, "IndexName"));
    ddb_err_t rc = keyschema_or_err(r, json_get(x, "KeySchema"), t, defs, ndefs, &ix->key, false, global);
    if (rc) return rc;
    if (!global) {
        if (!ix->key.range.name)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sIndex KeySchema does not have a range key for index: %s", INVALID, ix->name);
        if (strcmp(ix->key.hash.name, t->key.hash.name))
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "%sIndex KeySchema does not have the same leading hash key as table KeySchema for index: "
                "%s. index hash key: %s, table hash key: %s",
                INVALID, ix->name, ix->key.hash.name, t->key.hash.name);
    }
    const json_t *proj = json_get(x, "Projection");
    const char *pt = jstr(r, json_get(proj, "ProjectionType"));
    if (!pt) return err_set(&r->err, DDB_ERR_VALIDATION, "%sUnknown ProjectionType: null", INVALID);
    const json_t *nk = json_get(proj, "NonKeyAttributes");
    if (nk && nk->type == JSON_ARRAY && strcmp(pt, "INCLUDE"))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sProjectionType is %s, but NonKeyAttributes is specified", INVALID, pt);
    if (!strcmp(pt, "INCLUDE") && !(nk && nk->type == JSON_ARRAY))
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sProjectionType is INCLUDE, but NonKeyAttributes is not specified", INVALID);
    for (const json_t *a = nk && nk->type == JSON_ARRAY ? nk->child : NULL; a; a = a->next)
        for (const json_t *b = nk->child; b != a; b = b->next)
            if (a->str.len == b->str.len && !memcmp(a->str.ptr, b->str.ptr, a->str.len))
                return err_set(&r->err, DDB_ERR_VALIDATION, "%sDuplicate element in NonKeyAttributes: %s",
                               INVALID, a->str.ptr);
    ix->proj = !strcmp(pt, "ALL")         ? ENG_PROJ_ALL
               : !strcmp(pt, "KEYS_ONLY") ? ENG_PROJ_KEYS_ONLY
                                          : ENG_PROJ_INCLUDE;
    if (nk && nk->type == JSON_ARRAY) {
        ix->nonkey = ARENA_NEWN(r->a, const char *, nk->n + 1);
        for (const json_t *s = nk->child; s; s = s->next) ix->nonkey[ix->n_nonkey++] = s->str.ptr;
        *seen_count += ix->n_nonkey;
    }
    for (size_t i = 0; i < t->n_idx; i++)
        if (&t->idx[i] != ix && !strcmp(t->idx[i].name, ix->name))
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sDuplicate index name: %s", INVALID, ix->name);
    if (global) {
        const json_t *gpt = json_get(x, "ProvisionedThroughput");
        if (t->on_demand && gpt && gpt->type == JSON_OBJECT)
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "%sNeither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
                "PAY_PER_REQUEST",
                INVALID);
        if (!t->on_demand && !(gpt && gpt->type == JSON_OBJECT))
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sProvisionedThroughput must be specified for index: %s", INVALID, ix->name);
        if (!t->on_demand) {
            ddb_err_t rc = tablespec_throughput_or_err(r, gpt, ix->name, &ix->rcu, &ix->wcu);
            if (rc) return rc;
        }
        ix->status = "ACTIVE";
    }
    return DDB_OK;
}
