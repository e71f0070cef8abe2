/*
 * api_table: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, and the
 * TableDescription writer shared with other files.
 *
 * CreateTable checks, in AWS's order: shape constraints (all collected into one message), then
 * billing/throughput, then key schema against attribute definitions, then indexes; only then
 * does the engine create anything.
 */
#include "server/server.h"

#include "common/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const INVALID = "One or more parameter values were invalid: ";

#define MAX_THROUGHPUT 1000000000000LL /* AWS: "Given value ... is out of bounds" above this */

/* ---- streams (shared with UpdateTable) ---------------------------------------------------------- */

ddb_err_t stream_spec_or_err(ddb_errctx_t *err, bool creating, bool enable, bool has_view)
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

/* ---- shared shape checks -------------------------------------------------------------------- */

static const char *const BILLING[] = {"PROVISIONED", "PAY_PER_REQUEST", NULL};
static const char *const VIEW[] = {"NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY", NULL};
static const char *const CLASS[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS", NULL};
static const char *const PROJ[] = {"ALL", "INCLUDE", "KEYS_ONLY", NULL};

/* JSON member type check for nested structures; records SerializationException. */
static const json_t *sub(ddb_req_t *r, const json_t *obj, const char *name, json_type_t want, bool *bad)
{
    if (!obj || obj->type != JSON_OBJECT) return NULL;
    return fld(r, obj, name, want, bad);
}

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

/* KeySchema list constraints at `path` ("keySchema" or "globalSecondaryIndexes.1.member.keySchema"). */
static void vc_keyschema(vcheck_t *v, const json_t *ks, const char *path)
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
        if (!an || an->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (an->type == JSON_STRING && an->str.len == 0)
            vc_add(v, "''", p, "Member must have length greater than or equal to 1");
        else if (an->type == JSON_STRING && an->str.len > 255)
            vc_add(v, vc_show_str(r, an), p, "Member must have length less than or equal to 255");
        p = arena_sprintf(r->a, "%s.%d.member.keyType", path, i);
        if (!kt || kt->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (kt->type == JSON_STRING && !ddb_str_eq(kt->str, "HASH") && !ddb_str_eq(kt->str, "RANGE"))
            vc_add(v, vc_show_str(r, kt), p, "Member must satisfy enum value set: [HASH, RANGE]");
    }
    if (ks->n < 1) vc_add(v, "'[]'", path, "Member must have length greater than or equal to 1");
    if (ks->n > 2)
        vc_add(v, arena_sprintf(r->a, "'%u elements'", ks->n), path,
               "Member must have length less than or equal to 2");
}

static void vc_throughput(vcheck_t *v, const json_t *pt, const char *path)
{
    if (!pt || pt->type != JSON_OBJECT) return;
    const char *names[2] = {"WriteCapacityUnits", "ReadCapacityUnits"};
    const char *paths[2] = {"writeCapacityUnits", "readCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        const json_t *j = json_get(pt, names[i]);
        const char *p = arena_sprintf(v->r->a, "%s.%s", path, paths[i]);
        if (!j || j->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (j->type == JSON_NUMBER && num_value(j) < 1)
            vc_add(v, vc_show_str(v->r, j), p, "Member must have value greater than or equal to 1");
    }
}

ddb_err_t throughput_or_err(ddb_req_t *r, const json_t *pt, const char *index, int64_t *rcu, int64_t *wcu)
{
    *rcu = num_value(json_get(pt, "ReadCapacityUnits"));
    *wcu = num_value(json_get(pt, "WriteCapacityUnits"));
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

void vc_attrdefs(vcheck_t *v, const json_t *defs)
{
    ddb_req_t *r = v->r;
    int i = 1;
    for (const json_t *d = defs->child; d; d = d->next, i++) {
        if (d->type != JSON_OBJECT) {
            vc_add(v, "null", arena_sprintf(r->a, "attributeDefinitions.%d.member", i),
                   "Member must not be null");
            continue;
        }
        const json_t *an = json_get(d, "AttributeName"), *at = json_get(d, "AttributeType");
        const char *p = arena_sprintf(r->a, "attributeDefinitions.%d.member.attributeName", i);
        if (!an || an->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (an->type == JSON_STRING && an->str.len == 0)
            vc_add(v, "''", p, "Member must have length greater than or equal to 1");
        else if (an->type == JSON_STRING && an->str.len > 255)
            vc_add(v, vc_show_str(r, an), p, "Member must have length less than or equal to 255");
        p = arena_sprintf(r->a, "attributeDefinitions.%d.member.attributeType", i);
        if (!at || at->type == JSON_NULL)
            vc_add(v, "null", p, "Member must not be null");
        else if (at->type == JSON_STRING && !ddb_str_eq(at->str, "S") && !ddb_str_eq(at->str, "N") &&
                 !ddb_str_eq(at->str, "B"))
            vc_add(v, vc_show_str(r, at), p, "Member must satisfy enum value set: [B, N, S]");
    }
}

void vc_index(vcheck_t *v, const json_t *x, const char *base, bool global)
{
    ddb_req_t *r = v->r;
    const json_t *name = json_get(x, "IndexName");
    const char *p = arena_sprintf(r->a, "%s.indexName", base);
    if (!name || name->type == JSON_NULL)
        vc_add(v, "null", p, "Member must not be null");
    else if (name->type == JSON_STRING) {
        const char *shown = vc_show_str(r, name);
        if (!name_ok(name->str))
            vc_add(v, shown, p, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        if (name->str.len < 3) vc_add(v, shown, p, "Member must have length greater than or equal to 3");
        if (name->str.len > 255) vc_add(v, shown, p, "Member must have length less than or equal to 255");
    }
    const json_t *ks = json_get(x, "KeySchema");
    vc_keyschema(v, ks && ks->type == JSON_ARRAY ? ks : NULL, arena_sprintf(r->a, "%s.keySchema", base));
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
        vc_throughput(v, json_get(x, "ProvisionedThroughput"),
                      arena_sprintf(r->a, "%s.provisionedThroughput", base));
}

static void vc_index_list(vcheck_t *v, const json_t *list, const char *path, bool global)
{
    ddb_req_t *r = v->r;
    if (!list) return;
    int i = 1;
    for (const json_t *x = list->child; x; x = x->next, i++) {
        const char *base = arena_sprintf(r->a, "%s.%d.member", path, i);
        if (x->type != JSON_OBJECT)
            vc_add(v, "null", base, "Member must not be null");
        else
            vc_index(v, x, base, global);
    }
}

/* ---- request shapes (JSON types of nested members) ---- */

static const shape_member_t THROUGHPUT_M[] = {{"ReadCapacityUnits", JSON_NUMBER, NULL, 0, SER_LONG},
                                              {"WriteCapacityUnits", JSON_NUMBER, NULL, 0, SER_LONG},
                                              {NULL}};
static const shape_spec_t THROUGHPUT = {THROUGHPUT_M};
static const shape_member_t KEYELEM_M[] = {{"AttributeName", JSON_STRING}, {"KeyType", JSON_STRING}, {NULL}};
static const shape_spec_t KEYELEM = {KEYELEM_M};
static const shape_member_t ATTRDEF_M[] = {
    {"AttributeName", JSON_STRING}, {"AttributeType", JSON_STRING}, {NULL}};
static const shape_spec_t ATTRDEF = {ATTRDEF_M};
static const shape_member_t PROJECTION_M[] = {
    {"ProjectionType", JSON_STRING}, {"NonKeyAttributes", JSON_ARRAY, NULL, JSON_STRING}, {NULL}};
static const shape_spec_t PROJECTION = {PROJECTION_M};
static const shape_member_t INDEX_M[] = {{"IndexName", JSON_STRING},
                                         {"KeySchema", JSON_ARRAY, &KEYELEM, JSON_OBJECT},
                                         {"Projection", JSON_OBJECT, &PROJECTION},
                                         {"ProvisionedThroughput", JSON_OBJECT, &THROUGHPUT},
                                         {NULL}};
static const shape_spec_t INDEX = {INDEX_M};
const shape_spec_t *index_shape(void)
{
    return &INDEX;
}
const shape_spec_t *throughput_shape(void)
{
    return &THROUGHPUT;
}
static const shape_member_t STREAM_M[] = {
    {"StreamEnabled", JSON_TRUE}, {"StreamViewType", JSON_STRING}, {NULL}};
static const shape_spec_t STREAM = {STREAM_M};
static const shape_member_t TAG_M[] = {{"Key", JSON_STRING}, {"Value", JSON_STRING}, {NULL}};
static const shape_spec_t TAG = {TAG_M};
static const shape_member_t CREATE_M[] = {{"AttributeDefinitions", JSON_ARRAY, &ATTRDEF, JSON_OBJECT},
                                          {"TableName", JSON_STRING},
                                          {"KeySchema", JSON_ARRAY, &KEYELEM, JSON_OBJECT},
                                          {"LocalSecondaryIndexes", JSON_ARRAY, &INDEX, JSON_OBJECT},
                                          {"GlobalSecondaryIndexes", JSON_ARRAY, &INDEX, JSON_OBJECT},
                                          {"BillingMode", JSON_STRING},
                                          {"ProvisionedThroughput", JSON_OBJECT, &THROUGHPUT},
                                          {"StreamSpecification", JSON_OBJECT, &STREAM},
                                          {"SSESpecification", JSON_OBJECT},
                                          {"Tags", JSON_ARRAY, &TAG, JSON_OBJECT},
                                          {"TableClass", JSON_STRING},
                                          {"DeletionProtectionEnabled", JSON_TRUE},
                                          {NULL}};
static const shape_spec_t CREATE = {CREATE_M};

/* ---- CreateTable ------------------------------------------------------------------------------ */

static const char *join_names(ddb_req_t *r, const char **names, size_t n)
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

/* Parse a validated KeySchema list into hash/range names (types filled later). */
static void keyschema_names(ddb_req_t *r, const json_t *ks, const char **names, const char **types, size_t *n)
{
    *n = 0;
    for (const json_t *e = ks->child; e && *n < 2; e = e->next) {
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

/* Key schema checks shared by the table and its indexes (messages from AWS). */
static ddb_err_t keyschema_or_err(ddb_req_t *r, const json_t *ks, const eng_table_t *t, const char **defs,
                                  size_t ndefs, eng_keyschema_t *out, bool table_level)
{
    const char *names[2] = {0}, *types[2] = {0};
    size_t n;
    keyschema_names(r, ks, names, types, &n);
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
                       INVALID, join_names(r, names, n), join_names(r, defs, ndefs));
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

static ddb_err_t parse_indexes(ddb_req_t *r, const json_t *list, bool global, eng_table_t *t,
                               const char **defs, size_t ndefs, size_t *seen_count)
{
    for (const json_t *x = list->child; x; x = x->next) {
        ddb_err_t rc = index_spec_or_err(r, x, global, t, defs, ndefs, seen_count);
        if (rc) return rc;
    }
    return DDB_OK;
}

ddb_err_t index_spec_or_err(ddb_req_t *r, const json_t *x, bool global, eng_table_t *t, const char **defs,
                            size_t ndefs, size_t *seen_count)
{
    eng_index_t *ix = &t->idx[t->n_idx];
    memset(ix, 0, sizeof *ix);
    ix->global = global;
    ix->name = jstr(r, json_get(x, "IndexName"));
    ddb_err_t rc = keyschema_or_err(r, json_get(x, "KeySchema"), t, defs, ndefs, &ix->key, false);
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
    ix->proj = !strcmp(pt, "ALL")         ? ENG_PROJ_ALL
               : !strcmp(pt, "KEYS_ONLY") ? ENG_PROJ_KEYS_ONLY
                                          : ENG_PROJ_INCLUDE;
    if (nk && nk->type == JSON_ARRAY) {
        ix->nonkey = ARENA_NEWN(r->a, const char *, nk->n + 1);
        for (const json_t *s = nk->child; s; s = s->next) ix->nonkey[ix->n_nonkey++] = s->str.ptr;
        *seen_count += ix->n_nonkey;
    }
    for (size_t i = 0; i < t->n_idx; i++)
        if (!strcmp(t->idx[i].name, ix->name))
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
            ddb_err_t rc = throughput_or_err(r, gpt, ix->name, &ix->rcu, &ix->wcu);
            if (rc) return rc;
        }
        ix->status = "ACTIVE";
    }
    t->n_idx++;
    return DDB_OK;
}

ddb_err_t api_CreateTable(ddb_req_t *r)
{
    bool bad = false;
    const json_t *b = r->body;
    if (!shape_ok(r, b, &CREATE)) return r->err.code;
    const json_t *jname = fld(r, b, "TableName", JSON_STRING, &bad);
    const json_t *jdefs = fld(r, b, "AttributeDefinitions", JSON_ARRAY, &bad);
    const json_t *jks = fld(r, b, "KeySchema", JSON_ARRAY, &bad);
    const json_t *jpt = fld(r, b, "ProvisionedThroughput", JSON_OBJECT, &bad);
    const json_t *jbm = fld(r, b, "BillingMode", JSON_STRING, &bad);
    const json_t *jlsi = fld(r, b, "LocalSecondaryIndexes", JSON_ARRAY, &bad);
    const json_t *jgsi = fld(r, b, "GlobalSecondaryIndexes", JSON_ARRAY, &bad);
    const json_t *jss = fld(r, b, "StreamSpecification", JSON_OBJECT, &bad);
    const json_t *jtags = fld(r, b, "Tags", JSON_ARRAY, &bad);
    const json_t *jclass = fld(r, b, "TableClass", JSON_STRING, &bad);
    const json_t *jdp = fld(r, b, "DeletionProtectionEnabled", JSON_TRUE, &bad);
    fld(r, b, "SSESpecification", JSON_OBJECT, &bad);
    const json_t *jsen = sub(r, jss, "StreamEnabled", JSON_TRUE, &bad);
    const json_t *jsvt = sub(r, jss, "StreamViewType", JSON_STRING, &bad);
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    if (!jdefs)
        vc_add(&v, "null", "attributeDefinitions", "Member must not be null");
    else
        vc_attrdefs(&v, jdefs);
    vc_table_name(&v, jname, "tableName");
    vc_keyschema(&v, jks, "keySchema");
    vc_index_list(&v, jlsi, "localSecondaryIndexes", false);
    vc_index_list(&v, jgsi, "globalSecondaryIndexes", true);
    vc_throughput(&v, jpt, "provisionedThroughput");
    vc_enum(&v, jbm, "billingMode", BILLING, "[PROVISIONED, PAY_PER_REQUEST]");
    vc_enum(&v, jsvt, "streamSpecification.streamViewType", VIEW,
            "[NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
    vc_enum(&v, jclass, "tableClass", CLASS, "[STANDARD, STANDARD_INFREQUENT_ACCESS]");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    eng_table_t t;
    memset(&t, 0, sizeof t);
    t.name = jname->str.ptr;
    t.status = "ACTIVE";
    t.on_demand = jbm && ddb_str_eq(jbm->str, "PAY_PER_REQUEST");
    if (t.on_demand && jpt)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "%sNeither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
            "PAY_PER_REQUEST",
            INVALID);
    if (!t.on_demand && !jpt)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "%sReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode "
                       "is PROVISIONED",
                       INVALID);
    if (jpt && (rc = throughput_or_err(r, jpt, NULL, &t.rcu, &t.wcu))) return rc;
    if (t.on_demand) t.billing_updated = ddb_now_s();

    /* attribute definitions */
    t.attrdefs = ARENA_NEWN(r->a, eng_attr_t, jdefs->n + 1);
    const char **defs = ARENA_NEWN(r->a, const char *, jdefs->n + 1);
    for (const json_t *d = jdefs->child; d; d = d->next) {
        const char *an = jstr(r, json_get(d, "AttributeName"));
        const json_t *at = json_get(d, "AttributeType");
        bool dup = false;
        for (size_t i = 0; i < t.n_attrdefs; i++) dup |= !strcmp(t.attrdefs[i].name, an);
        if (dup) /* the last definition of a name wins, as a map would keep it */
            continue;
        defs[t.n_attrdefs] = an;
        t.attrdefs[t.n_attrdefs].name = an;
        t.attrdefs[t.n_attrdefs].type = av_type_from_name(at->str.ptr, at->str.len);
        t.n_attrdefs++;
    }
    if ((rc = keyschema_or_err(r, jks, &t, defs, t.n_attrdefs, &t.key, true))) return rc;
    if (!jlsi && !jgsi && jks->n != t.n_attrdefs)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "%sNumber of attributes in KeySchema does not exactly match number of attributes defined in "
            "AttributeDefinitions",
            INVALID);
    size_t nidx = (jlsi ? jlsi->n : 0) + (jgsi ? jgsi->n : 0);
    t.idx = ARENA_NEWN(r->a, eng_index_t, nidx + 1);
    size_t nonkey = 0;
    if (jlsi) {
        if (!jlsi->n)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sList of LocalSecondaryIndexes is empty", INVALID);
        if (!t.key.range.name)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sTable KeySchema does not have a range key, which is required when specifying a "
                           "LocalSecondaryIndex",
                           INVALID);
        if ((rc = parse_indexes(r, jlsi, false, &t, defs, t.n_attrdefs, &nonkey))) return rc;
        if (jlsi->n > 5)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sNumber of LocalSecondaryIndexes exceeds per-table limit of 5", INVALID);
    }
    if (jgsi) {
        if (!jgsi->n)
            return err_set(&r->err, DDB_ERR_VALIDATION, "%sList of GlobalSecondaryIndexes is empty", INVALID);
        if ((rc = parse_indexes(r, jgsi, true, &t, defs, t.n_attrdefs, &nonkey))) return rc;
        if (jgsi->n > 20)
            return err_set(&r->err, DDB_ERR_VALIDATION,
                           "%sGlobalSecondaryIndex count exceeds the per-table limit of 20", INVALID);
    }
    if (nonkey > 100)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "One or more parameter values were invalid: The number of attributes in key schemas and "
            "NonKeyAttributes across all secondary indexes exceeds the limit of 100");
    if (jlsi || jgsi) {
        /* every definition must be used by some key */
        const char **used = ARENA_NEWN(r->a, const char *, 2 + 2 * nidx);
        size_t nused = 0;
        const eng_keyschema_t *all[1 + 25];
        size_t nall = 0;
        all[nall++] = &t.key;
        for (size_t i = 0; i < t.n_idx && nall < 26; i++) all[nall++] = &t.idx[i].key;
        for (size_t k = 0; k < nall; k++) {
            const char *nm[2] = {all[k]->hash.name, all[k]->range.name};
            for (int j = 0; j < 2; j++) {
                if (!nm[j]) continue;
                bool have = false;
                for (size_t u = 0; u < nused; u++) have |= !strcmp(used[u], nm[j]);
                if (!have) used[nused++] = nm[j];
            }
        }
        if (nused != t.n_attrdefs)
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "%sSome AttributeDefinitions are not used. AttributeDefinitions: [%s], keys used: [%s]",
                INVALID, join_names(r, defs, t.n_attrdefs), join_names(r, used, nused));
    }
    if (jss) {
        bool enabled = jsen && jsen->type == JSON_TRUE;
        if ((rc = stream_spec_or_err(&r->err, true, enabled, jsvt != NULL))) return rc;
        if (enabled) {
            t.stream_enabled = true;
            t.stream_view = jsvt->str.ptr;
        }
    }
    if (jtags) {
        t.tags = ARENA_NEWN(r->a, eng_tag_t, jtags->n + 1);
        for (const json_t *tg = jtags->child; tg; tg = tg->next) {
            if (tg->type != JSON_OBJECT) continue;
            const char *k = jstr(r, json_get(tg, "Key")), *val = jstr(r, json_get(tg, "Value"));
            if (!k || !val) continue;
            t.tags[t.n_tags].key = k;
            t.tags[t.n_tags].value = val;
            t.n_tags++;
        }
    }
    t.table_class = jclass ? jclass->str.ptr : "STANDARD";
    t.deletion_protection = jdp && jdp->type == JSON_TRUE;

    eng_table_t *nt = NULL;
    if ((rc = eng_table_create(r->eng, &t, &nt, &r->err))) return rc;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableDescription");
    tabledesc_write(r, nt, NULL);
    jw_obj_end(&r->out);
    eng_table_release(nt);
    return DDB_OK;
}

/* ---- DescribeTable / ListTables / DeleteTable ------------------------------------------------ */

static ddb_err_t table_name_only(ddb_req_t *r, const json_t **jname)
{
    bool bad = false;
    *jname = fld(r, r->body, "TableName", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_table_name(&v, *jname, "tableName");
    return vc_done(&v);
}

ddb_err_t api_DescribeTable(ddb_req_t *r)
{
    const json_t *jname;
    ddb_err_t rc;
    if ((rc = table_name_only(r, &jname))) return rc;
    eng_table_t *t = tabledesc_named_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "Table");
    tabledesc_write(r, t, NULL);
    jw_obj_end(&r->out);
    eng_table_release(t);
    return DDB_OK;
}

ddb_err_t api_ListTables(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jstart = fld(r, r->body, "ExclusiveStartTableName", JSON_STRING, &bad);
    int64_t limit = 100;
    const json_t *jlimit = fld_num(r, r->body, "Limit", SER_INTEGER, &limit, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    if (jlimit && limit < 1)
        vc_add(&v, vc_show_str(r, jlimit), "limit", "Member must have value greater than or equal to 1");
    if (jlimit && limit > 100)
        vc_add(&v, vc_show_str(r, jlimit), "limit", "Member must have value less than or equal to 100");
    if (jstart) vc_table_name(&v, jstart, "exclusiveStartTableName");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;

    const char **names;
    size_t n = eng_table_list(r->eng, r->a, &names);
    size_t i = 0;
    if (jstart)
        while (i < n && ddb_str_cmp((ddb_str_t){names[i], strlen(names[i])}, jstart->str) <= 0) i++;
    size_t lim = (size_t)limit;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableNames");
    jw_arr_begin(&r->out);
    size_t count = 0;
    const char *last = NULL;
    for (; i < n && count < lim; i++, count++) {
        jw_strz(&r->out, names[i]);
        last = names[i];
    }
    jw_arr_end(&r->out);
    if (i < n && last) {
        jw_keyz(&r->out, "LastEvaluatedTableName");
        jw_strz(&r->out, last);
    }
    jw_obj_end(&r->out);
    return DDB_OK;
}

ddb_err_t api_DeleteTable(ddb_req_t *r)
{
    const json_t *jname;
    ddb_err_t rc;
    if ((rc = table_name_only(r, &jname))) return rc;
    eng_table_t *t = tabledesc_named_or_err(r, jname->str.ptr);
    if (!t) return r->err.code;
    bool protected_ = t->deletion_protection;
    bool indexing = eng_table_indexing(t);
    eng_stats_t st = eng_table_stats(r->eng, t);
    eng_table_release(t);
    if (indexing)
        return err_set(
            &r->err, DDB_ERR_RESOURCE_IN_USE,
            "Attempt to change a resource which is still in use: Cannot delete table while indexes "
            "are being created, updated, or deleted.");
    if (protected_)
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion "
            "protection first.");
    eng_table_t *d = NULL;
    if ((rc = eng_table_delete(r->eng, jname->str.ptr, &d, &r->err))) return rc;
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "TableDescription");
    tabledesc_write(r, d, &st);
    jw_obj_end(&r->out);
    eng_table_release(d);
    return DDB_OK;
}
