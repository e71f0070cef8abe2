/*
 * router: X-Amz-Target -> handler. The target is "<prefix>.<Operation>": prefix DynamoDB_20120810
 * for DynamoDB's operations (ops.def), DynamoDBStreams_20120810 for DynamoDB Streams' four
 * (streams_ops.def), on the same port. An operation of one service under the other's prefix is an
 * unknown operation, as on AWS (two endpoints there). A linear scan of ~60 names costs less than
 * the JSON parse; no hashing needed.
 */
#include "server/server.h"

#include <pthread.h>
#include <string.h>

#include "common/log.h"

typedef struct {
    const char *name;
    api_fn fn;
} op_t;

#define IMPL(n) {#n, api_##n},
#define TODO(n) {#n, NULL},
static const op_t ddb_ops[] = {
#include "server/ops.def"
};
static const op_t streams_ops[] = {
#include "server/streams_ops.def"
};
#undef IMPL
#undef TODO

typedef struct {
    const char *prefix;
    const op_t *ops;
    size_t n;
    int16_t *shapes; /* deser.c's input shape of each operation (1 + index; 0: none), found once */
} service_t;

static int16_t ddb_shapes[sizeof ddb_ops / sizeof ddb_ops[0]];
static int16_t streams_shapes[sizeof streams_ops / sizeof streams_ops[0]];
static const service_t services[] = {
    {"DynamoDB_20120810", ddb_ops, sizeof ddb_ops / sizeof ddb_ops[0], ddb_shapes},
    {"DynamoDBStreams_20120810", streams_ops, sizeof streams_ops / sizeof streams_ops[0], streams_shapes},
};
static pthread_once_t shapes_once = PTHREAD_ONCE_INIT;

static void find_shapes(void)
{
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++) {
        const service_t *sv = &services[s];
        for (size_t i = 0; i < sv->n; i++)
            sv->shapes[i] = (int16_t)(1 + deser_op_shape(sv->prefix, strlen(sv->prefix), sv->ops[i].name,
                                                         strlen(sv->ops[i].name)));
    }
}

/* The operation's handler, *known and *shape (1 + its deser.c input shape, 0: none). */
static api_fn find(const char *prefix, size_t plen, const char *op, size_t oplen, bool *known, int *shape)
{
    *known = false;
    for (size_t s = 0; s < sizeof services / sizeof services[0]; s++) {
        const service_t *sv = &services[s];
        if (strlen(sv->prefix) != plen || memcmp(sv->prefix, prefix, plen) != 0) continue;
        for (size_t i = 0; i < sv->n; i++) {
            if (strlen(sv->ops[i].name) == oplen && memcmp(sv->ops[i].name, op, oplen) == 0) {
                *known = true;
                if (shape) {
                    pthread_once(&shapes_once, find_shapes);
                    *shape = sv->shapes[i];
                }
                return sv->ops[i].fn;
            }
        }
        return NULL;
    }
    return NULL;
}

api_fn router_find(const char *prefix, size_t plen, const char *op, size_t oplen, bool *known)
{
    return find(prefix, plen, op, oplen, known, NULL);
}

api_fn router_route_or_err(ddb_req_t *r, const char *target, size_t tlen)
{
    const char *dot = target ? memchr(target, '.', tlen) : NULL;
    const char *opname = dot ? dot + 1 : "";
    size_t oplen = dot ? tlen - (size_t)(opname - target) : 0;
    bool known = false;
    int shape = 0;
    api_fn fn = dot ? find(target, (size_t)(dot - target), opname, oplen, &known, &shape) : NULL;
    if (!fn) {
        if (known)
            err_set(&r->err, DDB_ERR_UNKNOWN_OPERATION, "Operation %.*s is not supported by dynarock yet",
                    (int)oplen, opname);
        else
            err_set_bare(&r->err, DDB_ERR_UNKNOWN_OPERATION);
        return NULL;
    }
    r->op = arena_memdup(r->a, opname, oplen);
    r->op_shape = shape;
    return fn;
}

ddb_err_t router_run(ddb_req_t *r, api_fn fn, const char *text, size_t len)
{
    json_error_t je;
    json_t *body = json_parse(r->a, text ? text : "", len, DDB_JSON_DEPTH, &je);
    if (!body || body->type != JSON_OBJECT) {
        if (body) return err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, body, SER_STRUCT));
        return err_set_bare(&r->err, DDB_ERR_SERIALIZATION);
    }
    r->body = body;
    jw_init(&r->out, r->a, 1024);
    ddb_err_t rc = deser_check_or_err(r, r->op_shape - 1, body); /* types first, as AWS's deserializer */
    if (rc) return rc;
    rc = fn(r);
    if (rc != DDB_OK || r->err.code != DDB_OK) {
        if (r->err.code == DDB_OK) {
            log_error("%s returned an error without recording one", r->op);
            err_set(&r->err, DDB_ERR_INTERNAL, "Internal server error");
        }
        return r->err.code;
    }
    return DDB_OK;
}

ddb_err_t router_dispatch(ddb_req_t *r, const char *target, size_t tlen, const char *text, size_t len)
{
    api_fn fn = router_route_or_err(r, target, tlen);
    return fn ? router_run(r, fn, text, len) : r->err.code;
}
