/*
 * fuzz_request: libFuzzer target for the whole request path below HTTP (router_dispatch: routing,
 * the JSON body, every handler's validation, expressions, the engine), against an in-memory
 * engine; and (built with DDB_FUZZ_REPLAY) a replay of its seed corpus that runs in ordinary CI.
 *
 * Input: byte 0 picks the X-Amz-Target (index modulo the count of TARGETS below: every
 * operation of server/ops.def in its order, then three malformed targets); the rest is the body.
 * server/fuzz/make_corpus.py writes the seed corpus with the same numbering.
 *
 * State: one in-memory engine, opened in LLVMFuzzerInitialize, with two tables created through
 * the same path (CreateTable requests) so that item operations get past the table lookup:
 *   fz_main    pk S (hash), sk N (range); GSI gsi1 (gpk S, gsk N, ALL); LSI lsi1 (pk, lsk S,
 *              INCLUDE extra); on demand; a few items
 *   fz_simple  id S (hash); provisioned 5/5; one item
 * A successful table-level operation (CreateTable, DeleteTable, UpdateTable, TTL, tags) and every
 * RESET_EVERY inputs put the tables back as they were (other tables deleted, the two recreated
 * with their items), so table state never drifts and item counts stay small. Items written by
 * earlier inputs do persist until the next reset: a crash found by libFuzzer may need the inputs
 * before it (libFuzzer's crash file plus -runs over the corpus reproduces it).
 *
 * Properties checked (abort() with the target, body and answer on stderr on a violation):
 *   - DDB_OK comes with an answer that parses as a JSON object (within the writer's depth), or
 *     with an empty answer (TagResource, UntagResource: AWS's empty body);
 *   - any error has an HTTP status below 500 (never InternalServerError), a recorded error code
 *     equal to the returned one, and an error envelope that parses as a JSON object.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "server/server.h"
#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

static const char *const TARGETS[] = {
#define IMPL(n) "DynamoDB_20120810." #n,
#define TODO(n) "DynamoDB_20120810." #n,
#include "server/ops.def"
#undef IMPL
    "DynamoDB_20120810.",
    "DynamoDBStreams_20120810.DescribeStream",
    "GetItem",
};
#define NTARGETS (sizeof TARGETS / sizeof TARGETS[0])
#define RESET_EVERY 2048

static eng_t *eng;
static ddb_config_t cfg;
static arena_t *arena;
static unsigned long since_reset;
static int verbose; /* DDB_FUZZ_VERBOSE=1: one line per request with its outcome (corpus upkeep) */

static const char *const SETUP[] = {
    "CreateTable",
    "{\"TableName\":\"fz_main\",\"BillingMode\":\"PAY_PER_REQUEST\","
    "\"AttributeDefinitions\":[{\"AttributeName\":\"pk\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"sk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"gpk\",\"AttributeType\":\"S\"},"
    "{\"AttributeName\":\"gsk\",\"AttributeType\":\"N\"},{\"AttributeName\":\"lsk\",\"AttributeType\":\"S\"}]"
    ","
    "\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":\"HASH\"},{\"AttributeName\":\"sk\",\"KeyType\":"
    "\"RANGE\"}],"
    "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi1\",\"KeySchema\":[{\"AttributeName\":\"gpk\","
    "\"KeyType\":"
    "\"HASH\"},{\"AttributeName\":\"gsk\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":\"ALL\"}"
    "}],"
    "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi1\",\"KeySchema\":[{\"AttributeName\":\"pk\",\"KeyType\":"
    "\"HASH\"},{\"AttributeName\":\"lsk\",\"KeyType\":\"RANGE\"}],\"Projection\":{\"ProjectionType\":"
    "\"INCLUDE\","
    "\"NonKeyAttributes\":[\"extra\"]}}]}",
    "CreateTable",
    "{\"TableName\":\"fz_simple\",\"AttributeDefinitions\":[{\"AttributeName\":\"id\",\"AttributeType\":"
    "\"S\"}],"
    "\"KeySchema\":[{\"AttributeName\":\"id\",\"KeyType\":\"HASH\"}],"
    "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":5,\"WriteCapacityUnits\":5}}",
    "PutItem",
    "{\"TableName\":\"fz_main\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"1\"},\"gpk\":{\"S\":\"g\"},"
    "\"gsk\":{\"N\":\"10\"},\"lsk\":{\"S\":\"x\"},\"extra\":{\"L\":[{\"S\":\"e\"},{\"N\":\"2\"}]},"
    "\"m\":{\"M\":{\"k\":{\"SS\":[\"p\",\"q\"]}}},\"cnt\":{\"N\":\"5\"}}}",
    "PutItem",
    "{\"TableName\":\"fz_main\",\"Item\":{\"pk\":{\"S\":\"a\"},\"sk\":{\"N\":\"2\"},\"gpk\":{\"S\":\"g\"},"
    "\"gsk\":{\"N\":\"20\"},\"lsk\":{\"S\":\"y\"},\"b\":{\"B\":\"AAE=\"},\"ns\":{\"NS\":[\"1\",\"2.5\"]}}}",
    "PutItem",
    "{\"TableName\":\"fz_main\",\"Item\":{\"pk\":{\"S\":\"b\"},\"sk\":{\"N\":\"-3.5\"},\"flag\":{\"BOOL\":"
    "true},"
    "\"nul\":{\"NULL\":true}}}",
    "PutItem",
    "{\"TableName\":\"fz_simple\",\"Item\":{\"id\":{\"S\":\"1\"},\"v\":{\"N\":\"0\"}}}",
};

static ddb_err_t dispatch(const char *target, size_t tlen, const char *body, size_t len, ddb_req_t *r)
{
    memset(r, 0, sizeof *r);
    r->a = arena;
    r->eng = eng;
    r->cfg = &cfg;
    r->region = "us-east-1";
    err_init(&r->err, arena);
    return router_dispatch(r, target, tlen, body, len);
}

/* Back to the initial tables: every table dropped, then SETUP run again. */
static void reset_tables(void)
{
    eng_backfill_wait(eng);
    const char **names;
    size_t n = eng_table_list(eng, arena, &names);
    for (size_t i = 0; i < n; i++) {
        ddb_errctx_t err;
        err_init(&err, arena);
        eng_table_t *t = NULL; /* the engine deletes protected tables too: protection is the API's */
        if (eng_table_delete(eng, names[i], &t, &err) == DDB_OK && t) eng_table_release(t);
    }
    for (size_t i = 0; i < sizeof SETUP / sizeof SETUP[0]; i += 2) {
        ddb_req_t r;
        char target[64];
        int tl = snprintf(target, sizeof target, "DynamoDB_20120810.%s", SETUP[i]);
        if (dispatch(target, (size_t)tl, SETUP[i + 1], strlen(SETUP[i + 1]), &r) != DDB_OK) {
            fprintf(stderr, "fuzz_request: setup %s failed: %s\n", SETUP[i], r.err.msg ? r.err.msg : "?");
            abort();
        }
    }
    eng_backfill_wait(eng);
    arena_reset(arena);
    since_reset = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    eng_opts_t eo = {0};
    eo.in_memory = true;
    eo.block_cache_mb = 8;
    eo.write_buffer_mb = 4;
    char *msg = NULL;
    eng = eng_open(&eo, &msg);
    if (!eng) {
        fprintf(stderr, "fuzz_request: eng_open: %s\n", msg ? msg : "?");
        free(msg);
        abort();
    }
    const char *v = getenv("DDB_FUZZ_VERBOSE");
    verbose = v && *v && *v != '0';
    if (!verbose) log_set_level(LOG_LVL_WARN); /* no "index ... is ACTIVE" line per backfill */
    cfg.host = "127.0.0.1";
    cfg.port = 8000;
    cfg.in_memory = true;
    cfg.threads = 1;
    cfg.shared_db = true;
    arena = arena_new(0);
    reset_tables();
    return 0;
}

void ddb_fuzz_cleanup(void)
{
    eng_backfill_wait(eng);
    eng_close(eng);
    eng = NULL;
    arena_free(arena);
    arena = NULL;
}

static void fail(const char *what, const char *target, const uint8_t *body, size_t len, const ddb_req_t *r,
                 const char *answer)
{
    fprintf(stderr,
            "fuzz_request: %s\n  target: %s\n  body (%zu bytes): %.*s\n  error: %s %s\n  answer: %s\n", what,
            target, len, (int)(len > 4000 ? 4000 : len), (const char *)body, err_short_name(r->err.code),
            r->err.msg ? r->err.msg : "(none)", answer ? answer : "(none)");
    abort();
}

static int is_json_object(const char *text, size_t len)
{
    arena_t *a = arena_new(0);
    json_error_t je;
    json_t *j = json_parse(a, text, len, JW_MAX_DEPTH, &je);
    int ok = j && j->type == JSON_OBJECT;
    arena_free(a);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!eng) LLVMFuzzerInitialize(NULL, NULL);
    if (size == 0) return 0;
    const char *target = TARGETS[data[0] % NTARGETS];
    const char *body = (const char *)data + 1;
    size_t len = size - 1;

    ddb_req_t r;
    ddb_err_t rc = dispatch(target, strlen(target), body, len, &r);
    if (verbose)
        fprintf(stderr, "  %s -> %s %s\n", target, rc ? err_short_name(rc) : "OK",
                rc && r.err.msg ? r.err.msg : "");
    if (rc == DDB_OK) {
        if (r.err.code != DDB_OK) fail("DDB_OK with an error recorded", target, data + 1, len, &r, NULL);
        /* TagResource and UntagResource answer with an empty body, as AWS does. */
        if (r.out.depth != 0 || (r.out.b.len > 0 && !is_json_object(r.out.b.data, r.out.b.len)))
            fail("answer is not a JSON object", target, data + 1, len, &r, r.out.b.data);
    } else {
        if (r.err.code != rc)
            fail("returned code differs from the recorded one", target, data + 1, len, &r, NULL);
        if (err_http_status(rc) >= 500) fail("server error", target, data + 1, len, &r, NULL);
        size_t elen = 0;
        const char *ebody = reply_error_body(&r, &elen);
        if (!is_json_object(ebody, elen))
            fail("error body is not a JSON object", target, data + 1, len, &r, ebody);
    }

    /* Table-level changes are undone at once; item growth every RESET_EVERY inputs. */
    static const char *const table_ops[] = {"CreateTable",      "DeleteTable", "UpdateTable",
                                            "UpdateTimeToLive", "TagResource", "UntagResource"};
    bool changed = false;
    for (size_t i = 0; i < sizeof table_ops / sizeof table_ops[0]; i++)
        if (rc == DDB_OK && r.op && !strcmp(r.op, table_ops[i])) changed = true;
    arena_reset(arena);
    if (changed || ++since_reset >= RESET_EVERY) reset_tables();
    return 0;
}
