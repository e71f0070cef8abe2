/*
 * api_stream: DynamoDB Streams' four operations (ListStreams, DescribeStream, GetShardIterator,
 * GetRecords), reached with the target prefix DynamoDBStreams_20120810 on the same port as
 * DynamoDB (router.c), and the stream ARN and shard iterator formats they share.
 *
 * Stream ARN: arn:aws:dynamodb:<region>:000000000000:table/<table>/stream/<label>, the label being
 * the stream's StreamLabel (engine.h: a stream is named by (table, label)).
 *
 * Shard iterator: self-contained, so that any thread (or a restarted server) can serve it:
 *
 *     <stream ARN>|1|<base64 of 27 bytes>            (base64 of 27 bytes: 36 characters, no '=')
 *
 *     byte  0      version (1)
 *     bytes 1-4    shard ordinal (eng_shard_t.ord), big-endian
 *     bytes 5-12   position: the first sequence number the next read may return, big-endian
 *     bytes 13-20  issue time, epoch milliseconds, big-endian (expiry: STREAM_ITER_TTL_MS)
 *     bytes 21-22  zero
 *     bytes 23-26  CRC-32 of the ARN text followed by bytes 0-22, big-endian
 *
 * The "|1|" mirrors AWS's iterators ("<arn>|1|AAAAAAAAAAH..."). The CRC catches a damaged or
 * edited iterator (another ARN, another position); it is not a secret, as nothing here is.
 */
#include "common/clock.h"
#include "server/server.h"

#include <stdint.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "common/base64.h"

#define ITER_VERSION 1
#define ITER_BYTES 27
#define ITER_B64 36                      /* b64_encoded_len(ITER_BYTES) */
#define GET_RECORDS_MAX_BYTES (1u << 20) /* AWS: GetRecords returns at most 1 MB ... */
#define GET_RECORDS_MAX 1000             /* ... or 1000 records */

/*
 * Messages. AWS's own where one was seen from AWS (the source after each):
 * - "Invalid StreamArn" (ValidationException): a StreamArn that is no stream ARN (AWS SDK for
 *   JavaScript's integration tests against AWS; logstash-input-dynamodb#18);
 * - "Requested resource not found: Stream: <arn> not found" (a test against AWS);
 * - "Requested resource not found: Shard does not exist" (KCL clients matching AWS's answer);
 * - "Invalid ShardId in ShardIterator" (ResourceNotFoundException from GetRecords once the shard is
 *   gone, formkiq-core#524);
 * - "The data you are trying to access has been trimmed" (node-dynamodb-stream#13).
 * AWS is known to answer ValidationException, with no recorded text, for a garbage ShardIterator
 * (we say "Invalid ShardIterator"), a missing or superfluous SequenceNumber and one outside the
 * shard (our texts, at GetShardIterator). The expired iterator's text follows Kinesis's (DynamoDB
 * Streams' own is not recorded), with 15 minutes as the tolerated delay. A well-formed StreamArn of
 * no stream, or of a stream past its retention, is ResourceNotFoundException; a ShardIterator whose
 * shard was trimmed away is ResourceNotFoundException "Invalid ShardId in ShardIterator".
 */
static const char *const MSG_INVALID_ARN = "Invalid StreamArn";
static const char *const MSG_INVALID_ITER = "Invalid ShardIterator";
static const char *const MSG_SHARD_GONE = "Invalid ShardId in ShardIterator";

/* ---- names ------------------------------------------------------------------------------------ */

const char *stream_arn(ddb_req_t *r, const char *table, const char *label)
{
    return arena_sprintf(r->a, "arn:aws:dynamodb:%s:%s:table/%s/stream/%s", r->region,
                         r->account ? r->account : DDB_ACCOUNT, table, label);
}

static bool table_name_ok(const char *s, size_t n)
{
    if (n < 3 || n > 255) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-'))
            return false;
    }
    return true;
}

bool stream_arn_parse(const char *s, size_t len, arena_t *a, const char **table, const char **label)
{
    /* arn : partition : dynamodb : region : account : resource (the label itself has colons) */
    if (len < 4 || memcmp(s, "arn:", 4) != 0) return false;
    const char *p = s + 4, *end = s + len;
    const char *field[4];
    size_t flen[4];
    for (int i = 0; i < 4; i++) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (!c || c == p) return false;
        field[i] = p;
        flen[i] = (size_t)(c - p);
        p = c + 1;
    }
    if (!(flen[1] == 8 && memcmp(field[1], "dynamodb", 8) == 0)) return false;
    if (memchr(s, '\0', len)) return false;
    static const char TABLE[] = "table/", STREAM[] = "/stream/";
    if ((size_t)(end - p) < sizeof TABLE - 1 || memcmp(p, TABLE, sizeof TABLE - 1) != 0) return false;
    const char *name = p + sizeof TABLE - 1;
    const char *slash = memchr(name, '/', (size_t)(end - name));
    if (!slash || (size_t)(end - slash) <= sizeof STREAM - 1 || memcmp(slash, STREAM, sizeof STREAM - 1) != 0)
        return false;
    if (!table_name_ok(name, (size_t)(slash - name))) return false;
    const char *lab = slash + sizeof STREAM - 1;
    if (memchr(lab, '/', (size_t)(end - lab))) return false;
    *table = arena_memdup(a, name, (size_t)(slash - name));
    *label = arena_memdup(a, lab, (size_t)(end - lab));
    return true;
}

/* ---- shard iterators ---------------------------------------------------------------------------- */

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8) p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

static uint32_t iter_crc(ddb_req_t *r, const char *arn, size_t alen, const uint8_t *bytes)
{
    char *buf = arena_alloc(r->a, alen + ITER_BYTES - 4);
    memcpy(buf, arn, alen);
    memcpy(buf + alen, bytes, ITER_BYTES - 4);
    return (uint32_t)reply_crc32(buf, alen + ITER_BYTES - 4);
}

const char *stream_iter_format(ddb_req_t *r, const stream_iter_t *it)
{
    uint8_t b[ITER_BYTES] = {0};
    b[0] = ITER_VERSION;
    put_be(b + 1, it->ord, 4);
    put_be(b + 5, it->pos, 8);
    put_be(b + 13, it->issued_ms, 8);
    size_t alen = strlen(it->arn);
    put_be(b + 23, iter_crc(r, it->arn, alen, b), 4);
    char *out = arena_alloc(r->a, alen + 3 + ITER_B64 + 1);
    memcpy(out, it->arn, alen);
    memcpy(out + alen, "|1|", 3);
    b64_encode(b, ITER_BYTES, out + alen + 3);
    out[alen + 3 + ITER_B64] = '\0';
    return out;
}

bool stream_iter_parse(ddb_req_t *r, const char *s, size_t len, stream_iter_t *out)
{
    const char *bar = memchr(s, '|', len);
    if (!bar) return false;
    size_t alen = (size_t)(bar - s);
    if (len != alen + 3 + ITER_B64 || memcmp(bar, "|1|", 3) != 0) return false;
    uint8_t b[ITER_BYTES];
    size_t n = 0;
    if (b64_decode(bar + 3, ITER_B64, b, &n) != 0 || n != ITER_BYTES) return false;
    if (b[0] != ITER_VERSION || b[21] || b[22]) return false;
    if (get_be(b + 23, 4) != iter_crc(r, s, alen, b)) return false;
    if (!stream_arn_parse(s, alen, r->a, &out->table, &out->label)) return false;
    out->arn = arena_memdup(r->a, s, alen);
    out->ord = (uint32_t)get_be(b + 1, 4);
    out->pos = get_be(b + 5, 8);
    out->issued_ms = get_be(b + 13, 8);
    return true;
}

/* Epoch milliseconds as Java's Date.toString() prints them in UTC ("Thu Jul 02 12:57:57 UTC 2015"). */
static const char *java_date(ddb_req_t *r, uint64_t ms)
{
    time_t t = (time_t)(ms / 1000u);
    struct tm tm;
    gmtime_r(&t, &tm);
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return arena_sprintf(r->a, "%s %s %02d %02d:%02d:%02d UTC %d", DAYS[tm.tm_wday], MONTHS[tm.tm_mon],
                         tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

/* ---- shared checks -------------------------------------------------------------------------------- */

static ddb_err_t stream_not_found(ddb_req_t *r, const char *arn)
{
    return err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %s not found",
                   arn);
}

/* An engine answer other than OK as the client sees it. */
static ddb_err_t stream_rc_err(ddb_req_t *r, eng_stream_rc_t rc, const char *arn, const char *shard_id,
                               const char *seq)
{
    switch (rc) {
    case ENG_STREAM_OK:
        return DDB_OK;
    case ENG_STREAM_NO_STREAM:
        return stream_not_found(r, arn);
    case ENG_STREAM_NO_SHARD: /* GetShardIterator; GetRecords words it itself (MSG_SHARD_GONE) */
        return err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND,
                       "Requested resource not found: Shard does not exist");
    case ENG_STREAM_BAD_SEQ:
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "Invalid SequenceNumber: %s is not a sequence number of %s", seq ? seq : "",
                       shard_id ? shard_id : "");
    case ENG_STREAM_TRIMMED:
        return err_set(&r->err, DDB_ERR_TRIMMED_DATA_ACCESS,
                       "The data you are trying to access has been trimmed");
    case ENG_STREAM_ERROR:
    default:
        return err_set(&r->err, DDB_ERR_INTERNAL, "Internal server error");
    }
}

/* ---- ListStreams ------------------------------------------------------------------------------------ */

ddb_err_t api_ListStreams(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jtable = vc_fld(r, r->body, "TableName", JSON_STRING, &bad);
    int64_t limit = 100;
    const json_t *jlimit = vc_fld_num(r, r->body, "Limit", SER_INTEGER, &limit, &bad);
    const json_t *jstart = vc_fld(r, r->body, "ExclusiveStartStreamArn", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    if (jtable) vc_table_name(&v, jtable, "tableName");
    vc_range(&v, jlimit, limit, "limit", 1, 100);
    vc_len(&v, jstart, "exclusiveStartStreamArn", 37, 1024, false);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *st = NULL, *sl = NULL;
    if (jstart && !stream_arn_parse(jstart->str.ptr, jstart->str.len, r->a, &st, &sl))
        return err_set(&r->err, DDB_ERR_VALIDATION, "%s", MSG_INVALID_ARN);

    eng_stream_t *ss;
    size_t n = eng_stream_list(r->eng, jtable ? jtable->str.ptr : NULL, r->a, &ss);
    size_t i = 0;
    if (st)
        while (i < n) {
            int c = strcmp(ss[i].table, st);
            if (c > 0 || (c == 0 && strcmp(ss[i].label, sl) > 0)) break;
            i++;
        }
    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "Streams");
    jw_arr_begin(w);
    const char *last = NULL;
    for (size_t count = 0; i < n && count < (size_t)limit; i++, count++) {
        last = stream_arn(r, ss[i].table, ss[i].label);
        jw_obj_begin(w);
        jw_keyz(w, "StreamArn");
        jw_strz(w, last);
        jw_keyz(w, "TableName");
        jw_strz(w, ss[i].table);
        jw_keyz(w, "StreamLabel");
        jw_strz(w, ss[i].label);
        jw_obj_end(w);
    }
    jw_arr_end(w);
    if (i < n && last) {
        jw_keyz(w, "LastEvaluatedStreamArn");
        jw_strz(w, last);
    }
    jw_obj_end(w);
    return DDB_OK;
}

/* ---- DescribeStream ------------------------------------------------------------------------------- */

static const shape_member_t SHARD_FILTER_M[] = {{"Type", JSON_STRING}, {"ShardId", JSON_STRING}, {NULL}};
static const shape_spec_t SHARD_FILTER = {SHARD_FILTER_M};

ddb_err_t api_DescribeStream(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "StreamArn", JSON_STRING, &bad);
    int64_t limit = 100;
    const json_t *jlimit = vc_fld_num(r, r->body, "Limit", SER_INTEGER, &limit, &bad);
    const json_t *jstart = vc_fld(r, r->body, "ExclusiveStartShardId", JSON_STRING, &bad);
    const json_t *jfilter = bad ? NULL : vc_fld(r, r->body, "ShardFilter", JSON_OBJECT, &bad);
    if (bad || !vc_shape_ok(r, jfilter, &SHARD_FILTER)) return r->err.code;
    const json_t *jftype = jfilter ? json_get(jfilter, "Type") : NULL;
    const json_t *jfshard = jfilter ? json_get(jfilter, "ShardId") : NULL;
    if (jftype && jftype->type != JSON_STRING) jftype = NULL; /* null */
    if (jfshard && jfshard->type != JSON_STRING) jfshard = NULL;
    vcheck_t v;
    vc_init(&v, r);
    vc_len(&v, jarn, "streamArn", 37, 1024, true);
    vc_range(&v, jlimit, limit, "limit", 1, 100);
    vc_len(&v, jstart, "exclusiveStartShardId", 28, 65, false);
    static const char *const FILTER_TYPES[] = {"CHILD_SHARDS", NULL};
    vc_enum(&v, jftype, "shardFilter.type", FILTER_TYPES, "[CHILD_SHARDS]");
    vc_len(&v, jfshard, "shardFilter.shardId", 28, 65, false);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *table, *label;
    if (!stream_arn_parse(jarn->str.ptr, jarn->str.len, r->a, &table, &label))
        return err_set(&r->err, DDB_ERR_VALIDATION, "%s", MSG_INVALID_ARN);

    eng_stream_t s;
    eng_shard_t *shards;
    size_t n;
    eng_stream_rc_t erc = eng_stream_describe(r->eng, table, label, r->a, &s, &shards, &n);
    if (erc != ENG_STREAM_OK) return stream_rc_err(r, erc, jarn->str.ptr, NULL, NULL);

    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "StreamDescription");
    jw_obj_begin(w);
    jw_keyz(w, "StreamArn");
    jw_strz(w, jarn->str.ptr);
    jw_keyz(w, "StreamLabel");
    jw_strz(w, s.label);
    jw_keyz(w, "StreamStatus");
    jw_strz(w, s.enabled ? "ENABLED" : "DISABLED");
    jw_keyz(w, "StreamViewType");
    jw_strz(w, s.view);
    jw_keyz(w, "CreationRequestDateTime");
    jw_double(w, s.created);
    jw_keyz(w, "TableName");
    jw_strz(w, s.table);
    jw_keyz(w, "KeySchema");
    tabledesc_write_keyschema(w, &s.key);
    jw_keyz(w, "Shards");
    jw_arr_begin(w);
    /* Shard ids sort in the order the shards opened, so ExclusiveStartShardId works as a bound
     * (an id that names no shard still pages correctly, as Kinesis-style clients expect). */
    size_t count = 0;
    const char *last = NULL;
    bool more = false;
    for (size_t i = 0; i < n; i++) {
        const eng_shard_t *sh = &shards[i];
        if (jstart && strcmp(sh->id, jstart->str.ptr) <= 0) continue;
        if (jftype && !(jfshard && sh->parent && !strcmp(sh->parent, jfshard->str.ptr))) continue;
        if (count == (size_t)limit) {
            more = true;
            break;
        }
        jw_obj_begin(w);
        jw_keyz(w, "ShardId");
        jw_strz(w, sh->id);
        jw_keyz(w, "SequenceNumberRange");
        jw_obj_begin(w);
        char seq[ENG_SEQ_STRLEN + 1];
        eng_seq_format(seq, sh->start);
        jw_keyz(w, "StartingSequenceNumber");
        jw_strz(w, seq);
        if (sh->closed) {
            eng_seq_format(seq, sh->end);
            jw_keyz(w, "EndingSequenceNumber");
            jw_strz(w, seq);
        }
        jw_obj_end(w);
        if (sh->parent) {
            jw_keyz(w, "ParentShardId");
            jw_strz(w, sh->parent);
        }
        jw_obj_end(w);
        last = sh->id;
        count++;
    }
    jw_arr_end(w);
    if (more && last) {
        jw_keyz(w, "LastEvaluatedShardId");
        jw_strz(w, last);
    }
    jw_obj_end(w);
    jw_obj_end(w);
    return DDB_OK;
}

/* ---- GetShardIterator ------------------------------------------------------------------------------ */

ddb_err_t api_GetShardIterator(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "StreamArn", JSON_STRING, &bad);
    const json_t *jshard = vc_fld(r, r->body, "ShardId", JSON_STRING, &bad);
    const json_t *jtype = vc_fld(r, r->body, "ShardIteratorType", JSON_STRING, &bad);
    const json_t *jseq = vc_fld(r, r->body, "SequenceNumber", JSON_STRING, &bad);
    if (bad) return r->err.code;
    static const char *const TYPES[] = {"TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER",
                                        "AFTER_SEQUENCE_NUMBER", NULL};
    vcheck_t v;
    vc_init(&v, r);
    vc_len(&v, jarn, "streamArn", 37, 1024, true);
    vc_len(&v, jshard, "shardId", 28, 65, true);
    if (!jtype) vc_add(&v, "null", "shardIteratorType", "Member must not be null");
    vc_enum(&v, jtype, "shardIteratorType", TYPES,
            "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]");
    vc_len(&v, jseq, "sequenceNumber", 21, 40, false);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *table, *label;
    if (!stream_arn_parse(jarn->str.ptr, jarn->str.len, r->a, &table, &label))
        return err_set(&r->err, DDB_ERR_VALIDATION, "%s", MSG_INVALID_ARN);

    eng_iter_type_t type = ENG_ITER_TRIM_HORIZON;
    for (int i = 0; TYPES[i]; i++)
        if (ddb_str_eq(jtype->str, TYPES[i]))
            type = (eng_iter_type_t)i; /* TYPES is in eng_iter_type_t order */
    bool needs_seq = type == ENG_ITER_AT || type == ENG_ITER_AFTER;
    if (needs_seq && !jseq)
        return err_set(&r->err, DDB_ERR_VALIDATION, "SequenceNumber is required for ShardIteratorType %s",
                       jtype->str.ptr);
    if (!needs_seq && jseq)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "SequenceNumber must not be provided for ShardIteratorType %s", jtype->str.ptr);
    uint64_t seq = 0;
    if (needs_seq && !eng_seq_parse(jseq->str.ptr, jseq->str.len, &seq))
        return stream_rc_err(r, ENG_STREAM_BAD_SEQ, jarn->str.ptr, jshard->str.ptr, jseq->str.ptr);

    stream_iter_t it = {.arn = jarn->str.ptr, .table = table, .label = label};
    eng_stream_rc_t erc =
        eng_stream_iterator(r->eng, table, label, jshard->str.ptr, type, seq, &it.ord, &it.pos);
    if (erc != ENG_STREAM_OK)
        return stream_rc_err(r, erc, jarn->str.ptr, jshard->str.ptr, jseq ? jseq->str.ptr : NULL);
    it.issued_ms = ddb_epoch_ms();
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "ShardIterator");
    jw_strz(&r->out, stream_iter_format(r, &it));
    jw_obj_end(&r->out);
    return DDB_OK;
}

/* ---- GetRecords ------------------------------------------------------------------------------------ */

/* A 64-bit mix (splitmix64's finaliser). */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* eventID: 32 lowercase hex digits, the same for a record every time it is read (FNV-1a of the
 * stream's name, mixed with the sequence number, twice with different seeds). */
static void event_id(char out[33], const char *table, const char *label, uint64_t seq)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = table; *p; p++) h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
    h = (h ^ '/') * 0x100000001b3ULL;
    for (const char *p = label; *p; p++) h = (h ^ (uint8_t)*p) * 0x100000001b3ULL;
    uint64_t a = mix64(h ^ mix64(seq)), b = mix64(a ^ 0x9e3779b97f4a7c15ULL ^ seq);
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[i] = hex[(a >> (60 - 4 * i)) & 15];
        out[16 + i] = hex[(b >> (60 - 4 * i)) & 15];
    }
    out[32] = '\0';
}

/* Shared with triggers.c (issue 14): Lambda's DynamoDB event carries the same record plus its
 * eventSourceARN (source_arn; NULL for GetRecords). */
void stream_write_record(jw_t *w, const char *region, const char *table, const char *label, const char *view,
                         const eng_record_t *rec, const char *source_arn)
{
    static const char *const EVENTS[] = {"", "INSERT", "MODIFY", "REMOVE"};
    char id[33], seq[ENG_SEQ_STRLEN + 1];
    event_id(id, table, label, rec->seq);
    eng_seq_format(seq, rec->seq);
    jw_obj_begin(w);
    jw_keyz(w, "eventID");
    jw_strz(w, id);
    jw_keyz(w, "eventName");
    jw_strz(w, EVENTS[rec->event]);
    jw_keyz(w, "eventVersion");
    jw_strz(w, "1.1");
    jw_keyz(w, "eventSource");
    jw_strz(w, "aws:dynamodb");
    jw_keyz(w, "awsRegion");
    jw_strz(w, region);
    jw_keyz(w, "dynamodb");
    jw_obj_begin(w);
    jw_keyz(w, "ApproximateCreationDateTime");
    jw_int(w, (long long)rec->created); /* whole seconds, as DynamoDB Streams reports it */
    jw_keyz(w, "Keys");
    avjson_write_map(w, rec->keys);
    if (rec->new_image) {
        jw_keyz(w, "NewImage");
        avjson_write_map(w, rec->new_image);
    }
    if (rec->old_image) {
        jw_keyz(w, "OldImage");
        avjson_write_map(w, rec->old_image);
    }
    jw_keyz(w, "SequenceNumber");
    jw_strz(w, seq);
    jw_keyz(w, "SizeBytes");
    jw_int(w, (long long)rec->size);
    jw_keyz(w, "StreamViewType");
    jw_strz(w, view);
    jw_obj_end(w);
    if (source_arn) {
        jw_keyz(w, "eventSourceARN");
        jw_strz(w, source_arn);
    }
    if (rec->by_service) { /* Lambda's event spells the members in lower camel case (AWS's TTL guide) */
        jw_keyz(w, "userIdentity");
        jw_obj_begin(w);
        jw_keyz(w, source_arn ? "principalId" : "PrincipalId");
        jw_strz(w, "dynamodb.amazonaws.com");
        jw_keyz(w, source_arn ? "type" : "Type");
        jw_strz(w, "Service");
        jw_obj_end(w);
    }
    jw_obj_end(w);
}

static atomic_uint_fast64_t g_records_read;

uint64_t stream_records_read(void)
{
    return atomic_load_explicit(&g_records_read, memory_order_relaxed);
}

ddb_err_t api_GetRecords(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jiter = vc_fld(r, r->body, "ShardIterator", JSON_STRING, &bad);
    int64_t limit = GET_RECORDS_MAX;
    const json_t *jlimit = vc_fld_num(r, r->body, "Limit", SER_INTEGER, &limit, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_len(&v, jiter, "shardIterator", 1, 2048, true);
    vc_range(&v, jlimit, limit, "limit", 1, GET_RECORDS_MAX);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    stream_iter_t it;
    if (!stream_iter_parse(r, jiter->str.ptr, jiter->str.len, &it))
        return err_set(&r->err, DDB_ERR_VALIDATION, "%s", MSG_INVALID_ITER);
    uint64_t now = ddb_epoch_ms();
    if (now > it.issued_ms && now - it.issued_ms > STREAM_ITER_TTL_MS)
        return err_set(
            &r->err, DDB_ERR_EXPIRED_ITERATOR,
            "Iterator expired. The iterator was created at time %s while right now it is %s which is "
            "further in the future than the tolerated delay of %d milliseconds.",
            java_date(r, it.issued_ms), java_date(r, now), STREAM_ITER_TTL_MS);

    /* The stream's view type, and whether the iterator's shard is still there (past retention
     * it is not: AWS answers ResourceNotFoundException then). */
    eng_stream_t s;
    eng_shard_t *shards;
    size_t nshards;
    eng_stream_rc_t erc = eng_stream_describe(r->eng, it.table, it.label, r->a, &s, &shards, &nshards);
    if (erc != ENG_STREAM_OK) return stream_rc_err(r, erc, it.arn, NULL, NULL);
    size_t k = 0;
    while (k < nshards && shards[k].ord != it.ord) k++;
    if (k == nshards) return err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND, "%s", MSG_SHARD_GONE);
    eng_records_t recs;
    erc = eng_stream_read(r->eng, it.table, it.label, it.ord, it.pos, (size_t)limit, GET_RECORDS_MAX_BYTES,
                          r->a, &recs);
    if (erc == ENG_STREAM_NO_SHARD) return err_set(&r->err, DDB_ERR_RESOURCE_NOT_FOUND, "%s", MSG_SHARD_GONE);
    if (erc != ENG_STREAM_OK) return stream_rc_err(r, erc, it.arn, NULL, NULL);
    atomic_fetch_add_explicit(&g_records_read, recs.n, memory_order_relaxed);

    jw_t *w = &r->out;
    jw_obj_begin(w);
    jw_keyz(w, "Records");
    jw_arr_begin(w);
    for (size_t i = 0; i < recs.n; i++)
        stream_write_record(w, r->region, it.table, it.label, s.view, &recs.recs[i], NULL);
    jw_arr_end(w);
    if (!recs.shard_end) {
        stream_iter_t next = it;
        next.pos = recs.next_pos;
        next.issued_ms = now;
        jw_keyz(w, "NextShardIterator");
        jw_strz(w, stream_iter_format(r, &next));
    }
    jw_obj_end(w);
    return DDB_OK;
}
