/*
 * fuzz_request: libFuzzer target for the whole request path below HTTP (router_dispatch: routing,
 * the JSON body, every handler's validation, expressions, the engine and its streams), against an
 * in-memory engine; and (built with DDB_FUZZ_REPLAY) a replay of its seed corpus that runs in
 * ordinary CI.
 *
 * Input: byte 0 picks the X-Amz-Target (index modulo the count of TARGETS below); the rest is the
 * body. TARGETS, in an order that only ever grows at the end, so that every corpus file keeps its
 * target:
 *   0 ..           every operation of server/ops.def in its order ("DynamoDB_20120810.<op>");
 *   then 3 odd ones: "DynamoDB_20120810." (no operation), "DynamoDBStreams_20120810.DescribeStream"
 *                  (added as a malformed target; it is a real operation since Streams came), and
 *                  "GetItem" (no prefix);
 *   then           every operation of server/streams_ops.def ("DynamoDBStreams_20120810.<op>").
 * server/fuzz/make_corpus.py writes the seed corpus with the same numbering.
 *
 * Streams placeholders. A stream's label, its shard ids and a shard iterator (CRC-checked) cannot be
 * guessed, so in the body of a DynamoDBStreams_20120810 target these tokens are replaced before
 * the request is dispatched (nothing else is: other targets see their bytes unchanged):
 *   @ARN@    the ARN of fz_main's current stream        @OLD@   of its oldest stream still retained
 *   @SHARD@  the current stream's oldest retained shard  @OPEN@  its newest (open) shard
 *   @SEQ@    @SHARD@'s StartingSequenceNumber            @ITER@  a fresh TRIM_HORIZON iterator of @SHARD@
 *
 * State: one in-memory engine, opened in LLVMFuzzerInitialize, with two tables created through
 * the same path (CreateTable requests) so that item operations get past the table lookup:
 *   fz_main    pk S (hash), sk N (range); GSI gsi1 (gpk S, gsk N, ALL); LSI lsi1 (pk, lsk S,
 *              INCLUDE extra); on demand; stream NEW_AND_OLD_IMAGES; a few items
 *   fz_simple  id S (hash); provisioned 5/5; one item
 * A successful table-level operation (CreateTable, DeleteTable, UpdateTable, TTL, tags) and every
 * RESET_EVERY inputs put the tables back as they were (other tables deleted, the two recreated
 * with their items), so table state never drifts and item counts stay small. Items written by
 * earlier inputs do persist until the next reset: a crash found by libFuzzer may need the inputs
 * before it (libFuzzer's crash file plus -runs over the corpus reproduces it).
 *
 * Streams and time. Every reset deletes fz_main, whose stream then stays readable (DISABLED) for the
 * retention, and creates a new one. So that retained streams, records and shards stay few over a
 * long run, the engine keeps records STREAM_RETENTION_MS and rolls a shard over after
 * STREAM_SHARD_MS (which also puts closed shards and parent/child chains within the fuzzer's reach);
 * the engine's keeper thread trims and rolls over in the background. Stream answers therefore depend
 * on the wall clock as well as on earlier inputs: a crash in a Streams operation may need to be
 * replayed a few times.
 *
 * Memory over a long run: each reset drops and creates column families, and RocksDB's memory Env
 * keeps the small OPTIONS-*.dbtmp file that every such change leaves (engine/db.c; on disk they are
 * deleted at open and close), so RSS grows by about 100 bytes per input (measured over 2 M inputs,
 * the same with and without streams). Everything else levels off.
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
#include <time.h>

#include "common/log.h"
#include "server/server.h"
#ifdef DDB_FUZZ_REPLAY
#include "common/fuzz/replay.h"
#endif

#define STREAMS_PREFIX "DynamoDBStreams_20120810."

static const char *const TARGETS[] = {
#define IMPL(n) "DynamoDB_20120810." #n,
#define TODO(n) "DynamoDB_20120810." #n,
#include "server/ops.def"
#undef IMPL
    "DynamoDB_20120810.",
    "DynamoDBStreams_20120810.DescribeStream",
    "GetItem",
#define IMPL(n) STREAMS_PREFIX #n,
#include "server/streams_ops.def"
#undef IMPL
};
#define NTARGETS (sizeof TARGETS / sizeof TARGETS[0])
#define RESET_EVERY 2048
/* Streams' timing. Retention: short, so that the streams of the tables every reset deletes go soon
 * (measured: 15 to 30 retained in a libFuzzer run at 5-10k inputs/s; 100 to 260 in a replay looping
 * over a grown corpus, whose table operations reset far more often). Shard: shorter than fz_main's stream
 * lives between two resets (RESET_EVERY inputs take a few hundred ms), so that the current stream has closed
 * shards and children about a third of the time (at 500 ms it almost never had). The engine's
 * keeper runs every quarter of the shorter one. */
#define STREAM_RETENTION_MS 1000
#define STREAM_SHARD_MS 100

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
    "\"NonKeyAttributes\":[\"extra\"]}}],"
    "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}",
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
    eo.stream_retention_ms = STREAM_RETENTION_MS;
    eo.stream_shard_ms = STREAM_SHARD_MS;
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

/* ---- Streams placeholders (header comment) ---------------------------------------------------- */

typedef struct {
    const char *token;
    const char *value; /* NULL until looked up; "" when there is nothing to name */
} subst_t;

/* The placeholders' values now, in the arena. */
static void subst_lookup(subst_t *sub, size_t n)
{
    for (size_t i = 0; i < n; i++) sub[i].value = "";
    ddb_req_t r; /* for stream_arn and stream_iter_format, which use only its arena and region */
    memset(&r, 0, sizeof r);
    r.a = arena;
    r.region = "us-east-1";
    eng_stream_t *ss;
    size_t ns = eng_stream_list(eng, "fz_main", arena, &ss);
    if (!ns) return;
    const eng_stream_t *cur = &ss[ns - 1]; /* sorted by label: the newest last */
    const char *arn = stream_arn(&r, cur->table, cur->label);
    sub[0].value = arn;
    sub[1].value = stream_arn(&r, ss[0].table, ss[0].label);
    eng_stream_t d;
    eng_shard_t *shards;
    size_t nsh;
    if (eng_stream_describe(eng, cur->table, cur->label, arena, &d, &shards, &nsh) != ENG_STREAM_OK || !nsh)
        return;
    sub[2].value = shards[0].id;
    sub[3].value = shards[nsh - 1].id;
    char *seq = arena_alloc(arena, ENG_SEQ_STRLEN + 1);
    eng_seq_format(seq, shards[0].start);
    sub[4].value = seq;
    stream_iter_t it = {.arn = arn, .table = cur->table, .label = cur->label};
    if (eng_stream_iterator(eng, cur->table, cur->label, shards[0].id, ENG_ITER_TRIM_HORIZON, 0, &it.ord,
                            &it.pos) == ENG_STREAM_OK) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        it.issued_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
        sub[5].value = stream_iter_format(&r, &it);
    }
}

/* The body with every placeholder replaced (in the arena), or `body` itself when it has none. */
static const char *expand(const char *body, size_t len, size_t *out_len)
{
    subst_t sub[] = {{"@ARN@", NULL},  {"@OLD@", NULL}, {"@SHARD@", NULL},
                     {"@OPEN@", NULL}, {"@SEQ@", NULL}, {"@ITER@", NULL}};
    const size_t nsub = sizeof sub / sizeof sub[0];
    *out_len = len;
    if (!memchr(body, '@', len)) return body;
    buf_t out;
    buf_init(&out, arena, len + 256);
    bool any = false;
    for (size_t i = 0; i < len;) {
        size_t k = nsub;
        if (body[i] == '@')
            for (k = 0; k < nsub; k++) {
                size_t tl = strlen(sub[k].token);
                if (len - i >= tl && !memcmp(body + i, sub[k].token, tl)) break;
            }
        if (k == nsub) {
            buf_putc(&out, body[i]);
            i++;
            continue;
        }
        if (!any) subst_lookup(sub, nsub);
        any = true;
        buf_puts(&out, sub[k].value);
        i += strlen(sub[k].token);
    }
    if (!any) return body;
    *out_len = out.len;
    return out.data;
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
    size_t len = size - 1;
    const char *body = (const char *)data + 1;
    if (!strncmp(target, STREAMS_PREFIX, strlen(STREAMS_PREFIX))) body = expand(body, len, &len);
    const uint8_t *seen = (const uint8_t *)body; /* what the server got: fail() shows it */

    ddb_req_t r;
    ddb_err_t rc = dispatch(target, strlen(target), body, len, &r);
    if (verbose)
        fprintf(stderr, "  %s -> %s %s\n", target, rc ? err_short_name(rc) : "OK",
                rc && r.err.msg ? r.err.msg : "");
    if (rc == DDB_OK) {
        if (r.err.code != DDB_OK) fail("DDB_OK with an error recorded", target, seen, len, &r, NULL);
        /* TagResource and UntagResource answer with an empty body, as AWS does. */
        if (r.out.depth != 0 || (r.out.b.len > 0 && !is_json_object(r.out.b.data, r.out.b.len)))
            fail("answer is not a JSON object", target, seen, len, &r, r.out.b.data);
    } else {
        if (r.err.code != rc)
            fail("returned code differs from the recorded one", target, seen, len, &r, NULL);
        if (err_http_status(rc) >= 500) fail("server error", target, seen, len, &r, NULL);
        size_t elen = 0;
        const char *ebody = reply_error_body(&r, &elen);
        if (!is_json_object(ebody, elen))
            fail("error body is not a JSON object", target, seen, len, &r, ebody);
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
