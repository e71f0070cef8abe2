/*
 * lambda_api: AWS Lambda's event-source-mapping operations on the same port (issue 14), as the AWS
 * CLI, boto3's `lambda` client and @aws-sdk/client-lambda call them with --endpoint-url. REST-JSON
 * (Lambda's protocol, signing name `lambda`), reached through the one prefix route "/2015-03-31/" of
 * http.c's ROUTES:
 *
 *   POST   /2015-03-31/event-source-mappings[/]         CreateEventSourceMapping  202
 *   GET    /2015-03-31/event-source-mappings[/]?EventSourceArn=&FunctionName=&Marker=&MaxItems=
 *                                                       ListEventSourceMappings   200
 *   GET    /2015-03-31/event-source-mappings/<UUID>     GetEventSourceMapping     200
 *   PUT    /2015-03-31/event-source-mappings/<UUID>     UpdateEventSourceMapping  202
 *   DELETE /2015-03-31/event-source-mappings/<UUID>     DeleteEventSourceMapping  202
 *
 * Errors as Lambda answers them: the status of the error (400 InvalidParameterValueException and
 * ValidationException, 404 ResourceNotFoundException, 409 ResourceConflictException), its name in the
 * x-amzn-ErrorType header, and a JSON body {"Type":"User","message":"..."} ("Message" for
 * ResourceNotFoundException, as Lambda's model spells it; botocore and the JS SDK read both).
 * Messages: AWS's where recorded (LocalStack's tests recorded against AWS, public issue threads);
 * the others are listed in docs/compatibility.md.
 *
 * This file decodes and answers; triggers.c keeps the mappings and runs them.
 */
#include "server/door.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

/* The parts of a request this file reads. */
typedef struct {
    door_t *d;
    ddb_req_t *r;
    const char *region, *account;
} lreq_t;

/* ---- answers ------------------------------------------------------------------------------------------ */

static void send_body(lreq_t *q, int status, const char *etype, const char *body, size_t len)
{
    door_t *d = q->d;
    h2o_req_t *req = d->req;
    reply_request_id(d->request_id);
    d->status = status;
    req->res.status = status;
    req->res.reason = status == 200   ? "OK"
                      : status == 202 ? "Accepted"
                      : status == 403 ? "Forbidden"
                      : status == 404 ? "Not Found"
                      : status == 409 ? "Conflict"
                      : status >= 500 ? "Internal Server Error"
                                      : "Bad Request";
    req->res.content_length = len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-amzn-RequestId"), 0, NULL,
                          d->request_id, 52);
    if (etype)
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("x-amzn-ErrorType"), 0, NULL, etype,
                              strlen(etype));
    h2o_send_inline(req, body, len);
}

/* An error answer; returns DOOR_ANSWERED. */
static door_rc_t lerr(lreq_t *q, int status, const char *etype, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static door_rc_t lerr(lreq_t *q, int status, const char *etype, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = arena_vsprintf(q->r->a, fmt, ap);
    va_end(ap);
    jw_t w;
    jw_init(&w, q->r->a, 256);
    jw_obj_begin(&w);
    if (strcmp(etype, "ValidationException") != 0) {
        jw_keyz(&w, "Type");
        jw_strz(&w, "User");
    }
    /* Lambda's model: ResourceNotFoundException and ServiceException carry "Message" */
    jw_keyz(&w, !strcmp(etype, "ResourceNotFoundException") || status >= 500 ? "Message" : "message");
    jw_strz(&w, msg);
    jw_obj_end(&w);
    err_set(&q->r->err, status >= 500 ? DDB_ERR_INTERNAL : DDB_ERR_VALIDATION, "%s", msg); /* for the log */
    send_body(q, status, etype, w.b.data, w.b.len);
    return DOOR_ANSWERED;
}

static door_rc_t invalid(lreq_t *q, const char *msg)
{
    return lerr(q, 400, "InvalidParameterValueException", "%s", msg);
}

static door_rc_t not_found(lreq_t *q)
{
    return lerr(q, 404, "ResourceNotFoundException", "The resource you requested does not exist.");
}

static const char *json_text(arena_t *a, const json_t *j)
{
    jw_t w;
    jw_init(&w, a, 128);
    jw_json(&w, j);
    return w.b.data;
}

static void write_esm(lreq_t *q, jw_t *w, const trig_esm_t *c, const char *state)
{
    jw_obj_begin(w);
    jw_keyz(w, "UUID");
    jw_strz(w, c->uuid);
    jw_keyz(w, "StartingPosition");
    jw_strz(w, c->starting_position);
    jw_keyz(w, "BatchSize");
    jw_int(w, c->batch_size);
    jw_keyz(w, "MaximumBatchingWindowInSeconds");
    jw_int(w, c->window_s);
    jw_keyz(w, "ParallelizationFactor");
    jw_int(w, c->parallel);
    jw_keyz(w, "EventSourceArn");
    jw_strz(w, c->stream_arn);
    if (c->filter_json) {
        jw_keyz(w, "FilterCriteria");
        jw_raw(w, c->filter_json, strlen(c->filter_json));
    }
    jw_keyz(w, "FunctionArn");
    jw_strz(w, c->function_arn);
    jw_keyz(w, "LastModified");
    jw_double(w, c->last_modified);
    jw_keyz(w, "LastProcessingResult");
    jw_strz(w, c->last_result ? c->last_result : "No records processed");
    jw_keyz(w, "State");
    jw_strz(w, state ? state : c->enabled ? "Enabled" : "Disabled");
    jw_keyz(w, "StateTransitionReason");
    jw_strz(w, "User action");
    jw_keyz(w, "DestinationConfig");
    if (c->dest_json)
        jw_raw(w, c->dest_json, strlen(c->dest_json));
    else
        jw_raw(w, "{\"OnFailure\":{}}", 16);
    jw_keyz(w, "MaximumRecordAgeInSeconds");
    jw_int(w, c->max_age);
    jw_keyz(w, "BisectBatchOnFunctionError");
    jw_bool(w, c->bisect);
    jw_keyz(w, "MaximumRetryAttempts");
    jw_int(w, c->max_retry);
    jw_keyz(w, "TumblingWindowInSeconds");
    jw_int(w, 0);
    jw_keyz(w, "FunctionResponseTypes");
    jw_arr_begin(w);
    if (c->report_failures) jw_strz(w, "ReportBatchItemFailures");
    jw_arr_end(w);
    jw_keyz(w, "EventSourceMappingArn");
    jw_strz(w, arena_sprintf(q->r->a, "arn:aws:lambda:%s:%s:event-source-mapping:%s", c->region, c->account,
                             c->uuid));
    jw_obj_end(w);
}

static door_rc_t answer_esm(lreq_t *q, int status, const trig_esm_t *c, const char *state)
{
    jw_t w;
    jw_init(&w, q->r->a, 1024);
    write_esm(q, &w, c, state);
    send_body(q, status, NULL, w.b.data, w.b.len);
    return DOOR_ANSWERED;
}

/* ---- decoding ----------------------------------------------------------------------------------------- */

/* A request error vc_* recorded in r->err, as Lambda answers it. */
static door_rc_t recorded(lreq_t *q)
{
    const char *msg = q->r->err.msg ? q->r->err.msg : "";
    if (q->r->err.code == DDB_ERR_VALIDATION) return lerr(q, 400, "ValidationException", "%s", msg);
    return lerr(q, 400, "InvalidRequestContentException", "Could not parse request body into json: %s", msg);
}

static const char *const FN_PATTERN =
    "(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?"
    "([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?";

static bool name_chars_ok(const char *s, size_t n, bool dot)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || (dot && c == '.') || c == '$'))
            return false;
    }
    return true;
}

/* FunctionName in any of its forms (name, name:qualifier, partial or full ARN) into the function's name
 * (":qualifier" kept), its ARN, and its bare name (for lookups). false when it matches no form. */
static bool function_parse(lreq_t *q, const char *s, const char **name, const char **bare, const char **arn)
{
    arena_t *a = q->r->a;
    const char *region = q->region, *account = q->account;
    char *copy = arena_strdup(a, s);
    char *parts[8];
    int n = 0;
    for (char *p = copy; n < 8;) {
        parts[n++] = p;
        char *c = strchr(p, ':');
        if (!c) break;
        *c = '\0';
        p = c + 1;
    }
    int i = 0;
    if (n >= 3 && !strcmp(parts[0], "arn")) {
        if (n < 7 || strcmp(parts[2], "lambda") != 0 || strcmp(parts[5], "function") != 0) return false;
        region = parts[3];
        account = parts[4];
        i = 6;
    } else if (n >= 3 && !strcmp(parts[1], "function")) {
        account = parts[0];
        i = 2;
    } else if (n >= 2 && !strcmp(parts[0], "function")) {
        i = 1;
    }
    if (n - i < 1 || n - i > 2) return false;
    const char *fn = parts[i], *qual = n - i == 2 ? parts[i + 1] : NULL;
    if (!name_chars_ok(fn, strlen(fn), true) || strlen(fn) > 64) return false;
    if (qual && !name_chars_ok(qual, strlen(qual), true)) return false;
    *bare = fn;
    *name = qual ? arena_sprintf(a, "%s:%s", fn, qual) : fn;
    *arn = arena_sprintf(a, "arn:aws:lambda:%s:%s:function:%s", region, account, *name);
    return true;
}

static const shape_member_t FILTER_M[] = {{"Pattern", JSON_STRING}, {NULL}};
static const shape_spec_t FILTER = {FILTER_M};
static const shape_member_t FILTERC_M[] = {{"Filters", JSON_ARRAY, &FILTER, JSON_OBJECT}, {NULL}};
static const shape_spec_t FILTERC = {FILTERC_M};
static const shape_member_t DEST1_M[] = {{"Destination", JSON_STRING}, {NULL}};
static const shape_spec_t DEST1 = {DEST1_M};
static const shape_member_t DEST_M[] = {
    {"OnSuccess", JSON_OBJECT, &DEST1}, {"OnFailure", JSON_OBJECT, &DEST1}, {NULL}};
static const shape_spec_t DEST = {DEST_M};

/* The members Create and Update share, read into c (only those present change it). Returns DOOR_NEXT,
 * or DOOR_ANSWERED after answering the error. */
static door_rc_t decode_common(lreq_t *q, const json_t *body, trig_esm_t *c, bool creating,
                               const json_t **jfn, bool *enabled_given)
{
    ddb_req_t *r = q->r;
    bool bad = false;
    *jfn = vc_fld(r, body, "FunctionName", JSON_STRING, &bad);
    const json_t *jen = vc_fld(r, body, "Enabled", JSON_TRUE, &bad);
    int64_t batch = 0, window = 0, retry = 0, age = 0, par = 0, tumble = 0;
    const json_t *jbatch = vc_fld_num(r, body, "BatchSize", SER_INTEGER, &batch, &bad);
    const json_t *jwin = vc_fld_num(r, body, "MaximumBatchingWindowInSeconds", SER_INTEGER, &window, &bad);
    const json_t *jretry = vc_fld_num(r, body, "MaximumRetryAttempts", SER_INTEGER, &retry, &bad);
    const json_t *jage = vc_fld_num(r, body, "MaximumRecordAgeInSeconds", SER_INTEGER, &age, &bad);
    const json_t *jpar = vc_fld_num(r, body, "ParallelizationFactor", SER_INTEGER, &par, &bad);
    const json_t *jtumble = vc_fld_num(r, body, "TumblingWindowInSeconds", SER_INTEGER, &tumble, &bad);
    const json_t *jbisect = vc_fld(r, body, "BisectBatchOnFunctionError", JSON_TRUE, &bad);
    const json_t *jfrt = vc_fld(r, body, "FunctionResponseTypes", JSON_ARRAY, &bad);
    const json_t *jfilter = vc_fld(r, body, "FilterCriteria", JSON_OBJECT, &bad);
    const json_t *jdest = vc_fld(r, body, "DestinationConfig", JSON_OBJECT, &bad);
    if (bad || !vc_shape_ok(r, jfilter, &FILTERC) || !vc_shape_ok(r, jdest, &DEST)) return recorded(q);
    for (const json_t *e = jfrt ? jfrt->child : NULL; e; e = e->next)
        if (e->type != JSON_STRING) {
            err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, e, SER_STRING));
            return recorded(q);
        }
    vcheck_t v;
    vc_init(&v, r);
    vc_len(&v, *jfn, "functionName", 1, 256, creating);
    vc_range(&v, jbatch, batch, "batchSize", 1, 10000);
    vc_range(&v, jwin, window, "maximumBatchingWindowInSeconds", 0, 300);
    vc_range(&v, jpar, par, "parallelizationFactor", 1, 10);
    vc_range(&v, jage, age, "maximumRecordAgeInSeconds", -1, 604800);
    vc_range(&v, jretry, retry, "maximumRetryAttempts", -1, 10000);
    vc_range(&v, jtumble, tumble, "tumblingWindowInSeconds", 0, 900);
    if (jfrt && jfrt->n > 1)
        vc_add(&v, "'[...]'", "functionResponseTypes", "Member must have length less than or equal to 1");
    for (const json_t *e = jfrt ? jfrt->child : NULL; e; e = e->next)
        if (strcmp(e->str.ptr, "ReportBatchItemFailures") != 0)
            vc_add(&v, arena_sprintf(r->a, "'[%s]'", e->str.ptr), "functionResponseTypes",
                   "Member must satisfy constraint: [Member must satisfy enum value set: "
                   "[ReportBatchItemFailures]]");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return recorded(q);
    if (*jfn) {
        const char *name, *bare, *arn;
        if (!function_parse(q, (*jfn)->str.ptr, &name, &bare, &arn))
            return lerr(
                q, 400, "ValidationException",
                "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: %s",
                (*jfn)->str.ptr, FN_PATTERN);
        c->function = name;
        c->function_arn = arn;
    }
    if (jen) c->enabled = jen->type == JSON_TRUE;
    *enabled_given = jen != NULL;
    if (jbatch) c->batch_size = batch;
    if (jwin) c->window_s = window;
    if (jretry) c->max_retry = retry;
    if (jage) c->max_age = age;
    if (jpar) c->parallel = par;
    if (jbisect) c->bisect = jbisect->type == JSON_TRUE;
    if (jfrt) c->report_failures = jfrt->n == 1;
    if (jage && age >= 0 && age < 60)
        return invalid(q, "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800");
    if (jdest && json_get(jdest, "OnSuccess") && json_get(jdest, "OnSuccess")->type == JSON_OBJECT)
        return invalid(q, "Unsupported DestinationConfig parameter for given event source mapping type.");
    if (jdest) c->dest_json = json_text(r->a, jdest);
    if (jfilter) {
        const json_t *fl = json_get(jfilter, "Filters");
        for (const json_t *f = fl && fl->type == JSON_ARRAY ? fl->child : NULL; f; f = f->next) {
            const json_t *pat = json_get(f, "Pattern");
            if (!pat || pat->type != JSON_STRING || !trig_filter_valid(r->a, pat->str.ptr, pat->str.len))
                return invalid(q, "Invalid filter pattern definition.");
        }
        c->filter_json = json_text(r->a, jfilter);
    }
    return DOOR_NEXT;
}

static const json_t *parse_body(lreq_t *q, door_rc_t *rc)
{
    h2o_req_t *req = q->d->req;
    const char *text = req->entity.base ? req->entity.base : "";
    size_t len = req->entity.len;
    if (len == 0) text = "{}", len = 2;
    json_error_t je;
    json_t *j = json_parse(q->r->a, text, len, DDB_JSON_DEPTH, &je);
    if (!j || j->type != JSON_OBJECT) {
        *rc = lerr(q, 400, "InvalidRequestContentException", "Could not parse request body into json: %s",
                   j ? "the body is not a JSON object" : je.msg);
        return NULL;
    }
    return j;
}

/* ---- the operations ----------------------------------------------------------------------------------- */

static door_rc_t op_create(lreq_t *q)
{
    door_rc_t rc;
    const json_t *body = parse_body(q, &rc);
    if (!body) return rc;
    trig_esm_t c;
    memset(&c, 0, sizeof c);
    c.enabled = true;
    c.batch_size = 100;
    c.max_retry = -1;
    c.max_age = -1;
    c.parallel = 1;
    c.region = q->region;
    c.account = q->account;
    const json_t *jfn;
    bool en;
    bool bad = false;
    const json_t *jarn = vc_fld(q->r, body, "EventSourceArn", JSON_STRING, &bad);
    const json_t *jpos = vc_fld(q->r, body, "StartingPosition", JSON_STRING, &bad);
    const json_t *jts = vc_fld_num(q->r, body, "StartingPositionTimestamp", SER_LONG, NULL, &bad);
    (void)jts;
    if (bad) return recorded(q);
    if ((rc = decode_common(q, body, &c, true, &jfn, &en)) != DOOR_NEXT) return rc;
    if (jpos && strcmp(jpos->str.ptr, "TRIM_HORIZON") && strcmp(jpos->str.ptr, "LATEST") &&
        strcmp(jpos->str.ptr, "AT_TIMESTAMP"))
        return lerr(
            q, 400, "ValidationException",
            "1 validation error detected: Value '%s' at 'startingPosition' failed to satisfy constraint: "
            "Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]",
            jpos->str.ptr);
    if (!jarn) return invalid(q, "Unrecognized event source.");
    const char *arn = jarn->str.ptr, *table, *label;
    if (!stream_arn_parse(arn, jarn->str.len, q->r->a, &table, &label))
        return lerr(
            q, 400, "InvalidParameterValueException",
            "Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unsupported source arn : %s",
            arn);
    if (!jpos)
        return invalid(q, "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
                          "constraint: Member must not be null.");
    if (!strcmp(jpos->str.ptr, "AT_TIMESTAMP"))
        return lerr(q, 400, "InvalidParameterValueException",
                    "Unsupported starting position for arn type: %s", arn);
    c.stream_arn = arn;
    c.table = table;
    c.label = label;
    c.starting_position = jpos->str.ptr;
    const char *bare = arena_strdup(q->r->a, c.function);
    char *colon = strchr(bare, ':');
    if (colon) *colon = '\0';
    if (!fn_known(bare)) return invalid(q, "Function does not exist");
    char conflict[37] = "";
    switch (trig_esm_create(q->r->eng, &c, q->r->a, conflict)) {
    case TRIG_OK:
        return answer_esm(q, 202, &c, "Creating");
    case TRIG_NO_STREAM:
        return lerr(q, 400, "InvalidParameterValueException", "Stream not found: %s", arn);
    case TRIG_CONFLICT:
        return lerr(
            q, 409, "ResourceConflictException",
            "The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. "
            "Please update or delete the existing mapping with UUID %s",
            arn, c.function, conflict);
    default:
        return lerr(q, 500, "ServiceException", "Internal server error");
    }
}

static door_rc_t op_update(lreq_t *q, const char *uuid)
{
    door_rc_t rc;
    const json_t *body = parse_body(q, &rc);
    if (!body) return rc;
    trig_esm_t c;
    if (!trig_esm_get(q->r->eng, uuid, q->r->a, &c)) {
        /* the body is still checked first, as Lambda does */
        trig_esm_t scratch;
        memset(&scratch, 0, sizeof scratch);
        const json_t *jfn;
        bool en;
        if ((rc = decode_common(q, body, &scratch, false, &jfn, &en)) != DOOR_NEXT) return rc;
        return not_found(q);
    }
    bool was = c.enabled, en = false;
    const char *old_fn = c.function_arn;
    const json_t *jfn;
    q->region = c.region;
    q->account = c.account;
    if ((rc = decode_common(q, body, &c, false, &jfn, &en)) != DOOR_NEXT) return rc;
    if (jfn && strcmp(old_fn, c.function_arn)) {
        const char *bare = arena_strdup(q->r->a, c.function);
        char *colon = strchr(bare, ':');
        if (colon) *colon = '\0';
        if (!fn_known(bare)) return invalid(q, "Function does not exist");
    }
    char conflict[37] = "";
    switch (trig_esm_update(q->r->eng, &c, q->r->a, conflict)) {
    case TRIG_OK:
        break;
    case TRIG_NOT_FOUND:
        return not_found(q);
    case TRIG_CONFLICT:
        return lerr(
            q, 409, "ResourceConflictException",
            "The event source arn (\" %s \") and function (\" %s \") provided mapping already exists. "
            "Please update or delete the existing mapping with UUID %s",
            c.stream_arn, c.function, conflict);
    default:
        return lerr(q, 500, "ServiceException", "Internal server error");
    }
    trig_esm_t now;
    if (!trig_esm_get(q->r->eng, uuid, q->r->a, &now)) now = c;
    const char *state = !en || c.enabled == was ? "Updating" : c.enabled ? "Enabling" : "Disabling";
    return answer_esm(q, 202, &now, state);
}

/* One query parameter, percent-decoded (in the arena), or NULL. */
static const char *query_param(lreq_t *q, const char *name)
{
    h2o_req_t *req = q->d->req;
    if (req->query_at == SIZE_MAX) return NULL;
    const char *p = req->path.base + req->query_at + 1, *end = req->path.base + req->path.len;
    size_t nl = strlen(name);
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        if (!amp) amp = end;
        const char *eq = memchr(p, '=', (size_t)(amp - p));
        const char *ke = eq ? eq : amp;
        if ((size_t)(ke - p) == nl && !memcmp(p, name, nl)) {
            const char *v = eq ? eq + 1 : amp;
            char *out = arena_alloc(q->r->a, (size_t)(amp - v) + 1);
            size_t o = 0;
            for (const char *s = v; s < amp; s++) {
                if (*s == '%' && amp - s >= 3) {
                    char hex[3] = {s[1], s[2], 0};
                    char *he;
                    long c = strtol(hex, &he, 16);
                    if (he == hex + 2) {
                        out[o++] = (char)c;
                        s += 2;
                        continue;
                    }
                }
                out[o++] = *s == '+' ? ' ' : *s;
            }
            out[o] = '\0';
            return out;
        }
        p = amp + 1;
    }
    return NULL;
}

static door_rc_t op_list(lreq_t *q)
{
    const char *arn = query_param(q, "EventSourceArn"), *fn = query_param(q, "FunctionName");
    const char *marker = query_param(q, "Marker"), *max = query_param(q, "MaxItems");
    long maxitems = 100;
    if (max) {
        char *e;
        maxitems = strtol(max, &e, 10);
        if (!*max || *e)
            return lerr(q, 400, "InvalidParameterValueException", "Invalid value for MaxItems: %s", max);
        if (maxitems < 1 || maxitems > 10000)
            return lerr(
                q, 400, "ValidationException",
                "1 validation error detected: Value '%ld' at 'maxItems' failed to satisfy constraint: "
                "Member must have value %s",
                maxitems, maxitems < 1 ? "greater than or equal to 1" : "less than or equal to 10000");
        if (maxitems > 100) maxitems = 100; /* Lambda: at most 100 a page */
    }
    const char *fn_arn = NULL;
    if (fn) {
        const char *name, *bare;
        if (!function_parse(q, fn, &name, &bare, &fn_arn))
            return lerr(
                q, 400, "ValidationException",
                "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: %s",
                fn, FN_PATTERN);
        fn = name;
    }
    trig_esm_t *all;
    size_t n = trig_esm_list(q->r->eng, q->r->a, &all);
    jw_t w;
    jw_init(&w, q->r->a, 1024);
    jw_obj_begin(&w);
    jw_keyz(&w, "EventSourceMappings");
    jw_arr_begin(&w);
    long count = 0;
    const char *last = NULL;
    bool more = false;
    for (size_t i = 0; i < n; i++) {
        const trig_esm_t *c = &all[i];
        if (marker && strcmp(c->uuid, marker) <= 0) continue;
        if (arn && strcmp(c->stream_arn, arn)) continue;
        if (fn && strcmp(c->function, fn)) continue;
        if (count == maxitems) {
            more = true;
            break;
        }
        write_esm(q, &w, c, NULL);
        last = c->uuid;
        count++;
    }
    jw_arr_end(&w);
    if (more && last) {
        jw_keyz(&w, "NextMarker");
        jw_strz(&w, last);
    }
    jw_obj_end(&w);
    send_body(q, 200, NULL, w.b.data, w.b.len);
    return DOOR_ANSWERED;
}

/* ---- the route ---------------------------------------------------------------------------------------- */

/* SigV4 with service "lambda" (auth.c verifies), and the region and account of the request. */
static door_rc_t authenticate(lreq_t *q)
{
    door_t *d = q->d;
    const char *akid = NULL, *region = NULL;
    size_t alen = 0, rlen = 0;
    if (auth_scope(d, &akid, &alen, &region, &rlen)) {
        if (region && rlen) q->region = arena_memdup(q->r->a, region, rlen);
        const auth_cred_t *cred = auth_find(akid, alen);
        if (cred) q->account = arena_strdup(q->r->a, cred->account);
    }
    int mode = q->r->cfg->auth_mode;
    if (mode == AUTH_OFF) return DOOR_NEXT;
    akid = NULL;
    alen = 0;
    if (auth_verify_door_or_err(d, "lambda", &akid, &alen) == DDB_OK) return DOOR_NEXT;
    const char *type = err_short_name(q->r->err.code), *msg = q->r->err.msg ? q->r->err.msg : "";
    if (mode == AUTH_WARN) {
        log_warn("auth: would refuse %s %.*s (key %.*s): %s: %s", q->r->op, (int)d->req->path_normalized.len,
                 d->req->path_normalized.base, (int)alen, akid ? akid : "", type, msg);
        err_clear(&q->r->err);
        return DOOR_NEXT;
    }
    return lerr(q, 403, type, "%s", msg);
}

door_rc_t lambda_serve(door_t *d)
{
    static const char PREFIX[] = "/2015-03-31/event-source-mappings";
    h2o_req_t *req = d->req;
    lreq_t q = {.d = d, .r = d->r, .region = "us-east-1", .account = DDB_ACCOUNT};
    q.r->region = q.region;
    const char *p = req->path_normalized.base;
    size_t plen = req->path_normalized.len, pre = sizeof PREFIX - 1;
    const char *uuid = NULL;
    bool collection = false;
    if (plen >= pre && !memcmp(p, PREFIX, pre)) {
        if (plen == pre || (plen == pre + 1 && p[pre] == '/'))
            collection = true;
        else if (p[pre] == '/' && !memchr(p + pre + 1, '/', plen - pre - 1))
            uuid = arena_memdup(q.r->a, p + pre + 1, plen - pre - 1);
    }
    bool get = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("GET"));
    bool post = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("POST"));
    bool put = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("PUT"));
    bool del = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("DELETE"));
    q.r->op = collection && post  ? "CreateEventSourceMapping"
              : collection && get ? "ListEventSourceMappings"
              : uuid && get       ? "GetEventSourceMapping"
              : uuid && put       ? "UpdateEventSourceMapping"
              : uuid && del       ? "DeleteEventSourceMapping"
                                  : NULL;
    if (!q.r->op) {
        q.r->op = "Lambda";
        return lerr(&q, 404, "UnknownOperationException", "Unknown operation %.*s %.*s", (int)req->method.len,
                    req->method.base, (int)plen, p);
    }
    if (authenticate(&q) == DOOR_ANSWERED) return DOOR_ANSWERED;
    /* the namespace of the request's key (--isolation): its mappings, its streams */
    if (ns_stage(d) == DOOR_ANSWERED) return DOOR_ANSWERED;
    q.r->region = q.region;
    q.r->account = q.account;
    if (collection) return post ? op_create(&q) : op_list(&q);
    if (put) return op_update(&q, uuid);
    trig_esm_t c;
    if (get) {
        if (!trig_esm_get(q.r->eng, uuid, q.r->a, &c)) return not_found(&q);
        return answer_esm(&q, 200, &c, NULL);
    }
    switch (trig_esm_delete(q.r->eng, uuid, q.r->a, &c)) {
    case TRIG_OK:
        return answer_esm(&q, 202, &c, "Deleting");
    case TRIG_NOT_FOUND:
        return not_found(&q);
    default:
        return lerr(&q, 500, "ServiceException", "Internal server error");
    }
}
