/*
 * export: ExportTableToPointInTime, DescribeExport, ListExports (issue 18), and the export itself.
 *
 * An S3 bucket B with prefix P is the folder <--s3-dir>/B/P. An export writes what DynamoDB writes:
 *
 *   P/AWSDynamoDB/<ExportId>/_started                 empty, first: the bucket is writable
 *   P/AWSDynamoDB/<ExportId>/data/<26 chars>.json.gz  {"Item":{...}} per line (ION: .ion.gz, $ion_1_0
 * {Item:{...}}) P/AWSDynamoDB/<ExportId>/manifest-files.json      one line per data file: itemCount,
 * md5Checksum (base64 MD5), etag (S3's), dataFileS3Key P/AWSDynamoDB/<ExportId>/manifest-files.md5 base64 MD5
 * of manifest-files.json P/AWSDynamoDB/<ExportId>/manifest-summary.json    version 2020-06-30, exportArn,
 * times, table, bucket, manifestFilesS3Key, billedSizeBytes, itemCount, outputFormat, exportType
 *   P/AWSDynamoDB/<ExportId>/manifest-summary.md5
 *
 * ExportId is "<epoch ms, 14 digits>-<8 hex>", so ids sort by start time. The export runs as an
 * engine task (eng_task_start: its own thread, stopped by eng_close) reading the table with the
 * engine's point-in-time readers: as of ExportTime (now when not given: one RocksDB snapshot taken when
 * the task starts), or, for an INCREMENTAL_EXPORT, the keys changed in (ExportFromTime, ExportToTime]
 * with their images ({"Metadata":{"WriteTimestampMicros":...},"Keys":...,"NewImage":...,"OldImage":...}). Its
 * record (the ExportDescription as JSON, plus the request's parameters for ClientToken checks) is kept with
 * eng_meta_* under "export/<ExportId>", rewritten every 2 s while it runs (ItemCount so far) and at
 * the end; a log line every 5 s tells the progress. An export found IN_PROGRESS at start (the server
 * stopped during it) is marked FAILED.
 *
 * export_run is also the offline `dynarock export` command's core (no task, no record).
 */
#include "server/server.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/rand.h>

#include "common/clock.h"
#include "common/log.h"

#define EXPORT_FILE_ITEMS                                                                                    \
    250000 /* a new data file after this many items (AWS: one or more per partition)                         \
            */
#define RECORD_EVERY_MS 2000
#define LOG_EVERY_MS 5000

/* ---- ids, times, records shared with import.c ---------------------------------------------------- */

void s3job_new_id(char out[S3JOB_ID_LEN + 1])
{
    unsigned char r[4];
    if (RAND_bytes(r, sizeof r) != 1) abort();
    snprintf(out, S3JOB_ID_LEN + 1, "%014llu-%02x%02x%02x%02x", (unsigned long long)(ddb_now_s() * 1000.0),
             r[0], r[1], r[2], r[3]);
}

void s3job_iso(double t, char out[32])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    int ms = (int)((t - (double)s) * 1000.0);
    if (ms < 0) ms = 0;
    if (ms > 999) ms = 999;
    char tmp[96]; /* room for any int the compiler imagines */
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    snprintf(out, 32, "%.31s", tmp);
}

int s3job_record_put(eng_t *e, const char *kind, const char *id, const char *json, size_t len)
{
    arena_t *a = arena_new(1024);
    ddb_errctx_t err;
    err_init(&err, a);
    char key[64];
    snprintf(key, sizeof key, "%s/%s", kind, id);
    eng_meta_op_t op = {key, strlen(key), json, len};
    int rc = eng_meta_write(e, &op, 1, a, &err) == DDB_OK ? 0 : -1;
    arena_free(a);
    return rc;
}

const json_t *s3job_record_get(eng_t *e, const char *kind, const char *id, arena_t *a)
{
    char key[64];
    snprintf(key, sizeof key, "%s/%s", kind, id);
    char *val;
    size_t vlen;
    if (eng_meta_get(e, key, strlen(key), a, &val, &vlen) != 1) return NULL;
    json_error_t je;
    json_t *j = json_parse(a, val, vlen, DDB_JSON_DEPTH, &je);
    return j && j->type == JSON_OBJECT ? j : NULL;
}

void s3job_write_public(jw_t *w, const json_t *rec)
{
    jw_obj_begin(w);
    for (const json_t *m = rec->child; m; m = m->next) {
        if (m->key.len && m->key.ptr[0] == '_') continue; /* our own fields */
        jw_key(w, m->key.ptr, m->key.len);
        jw_json(w, m);
    }
    jw_obj_end(w);
}

const char *s3job_dir(const ddb_config_t *cfg, arena_t *a, const char *bucket, const char *prefix)
{
    if (!prefix || !*prefix) return arena_sprintf(a, "%s/%s", cfg->s3_dir, bucket);
    while (*prefix == '/') prefix++;
    size_t n = strlen(prefix);
    while (n && prefix[n - 1] == '/') n--;
    return arena_sprintf(a, "%s/%s/%.*s", cfg->s3_dir, bucket, (int)n, prefix);
}

bool s3job_prefix_escapes(const char *prefix)
{
    for (const char *p = prefix; *p;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) return true;
        p += n;
        while (*p == '/') p++;
    }
    return false;
}

bool s3job_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- the export ---------------------------------------------------------------------------------- */

typedef struct {
    eng_t *e;
    char *table;
    bool ion;
    char *dir;        /* the export's folder: <s3 dir>/B/P/AWSDynamoDB/<id> */
    char *key_prefix; /* S3 keys of its objects: "P/AWSDynamoDB/<id>/" */
    /* the record (NULL record_id: an offline run, nothing persisted) */
    char *record_id;
    char *desc_json; /* the record's fixed members, rendered once (without the braces) */
    /* progress and result */
    uint64_t items, bytes;
    double start, end, export_time;
    int64_t at_ms;    /* the table as of this time (epoch ms; 0: now) */
    bool incremental; /* INCREMENTAL_EXPORT: the changes in (from_ms, to_ms] */
    int64_t from_ms, to_ms;
    bool old_images; /* ExportViewType NEW_AND_OLD_IMAGES */
    char *arn, *table_arn, *table_id, *bucket, *prefix, *sse, *sse_kms, *format;
    bool failed;
    char *failure_code, *failure_message;
    /* files */
    s3_out_t *out;
    char *out_name;
    uint64_t out_items;
    buf_t pending;
    arena_t *a;     /* lives as long as the export */
    buf_t manifest; /* manifest-files.json */
    uint64_t last_record_ms, last_log_ms, started_ms;
    eng_task_t *task;
} export_job_t;

static void random_name(char out[27])
{
    static const char ALPHA[] = "abcdefghijklmnopqrstuvwxyz234567"; /* base32, as AWS's data file names */
    unsigned char r[26];
    if (RAND_bytes(r, sizeof r) != 1) abort();
    for (int i = 0; i < 26; i++) out[i] = ALPHA[r[i] & 31];
    out[26] = 0;
}

static int close_data_file(export_job_t *x)
{
    if (!x->out) return 0;
    if (x->pending.len && s3_out_write(x->out, x->pending.data, x->pending.len) != 0) {
        s3_out_close(x->out, (unsigned char[16]){0}, NULL);
        x->out = NULL;
        return -1;
    }
    x->pending.len = 0;
    unsigned char md5[16];
    int rc = s3_out_close(x->out, md5, NULL);
    x->out = NULL;
    if (rc != 0) return -1;
    jw_t w;
    memset(&w, 0, sizeof w);
    w.b = x->manifest;
    jw_obj_begin(&w);
    jw_keyz(&w, "itemCount");
    jw_int(&w, (long long)x->out_items);
    jw_keyz(&w, "md5Checksum");
    jw_strz(&w, s3_md5_b64(x->a, md5));
    jw_keyz(&w, "etag");
    jw_strz(&w, s3_etag(x->a, md5));
    jw_keyz(&w, "dataFileS3Key");
    jw_strz(&w, arena_sprintf(x->a, "%sdata/%s", x->key_prefix, x->out_name));
    jw_obj_end(&w);
    buf_putc(&w.b, '\n');
    x->manifest = w.b;
    return 0;
}

static int open_data_file(export_job_t *x)
{
    char name[27];
    random_name(name);
    x->out_name = arena_sprintf(x->a, "%s%s", name, x->ion ? ".ion.gz" : ".json.gz");
    const char *path = arena_sprintf(x->a, "%s/data/%s", x->dir, x->out_name);
    x->out = s3_out_open(path, true);
    x->out_items = 0;
    return x->out ? 0 : -1;
}

static void record_write(export_job_t *x, const char *status);

/* After one more line: the file's rotation, progress, the log line and the record. */
static int after_line(export_job_t *x)
{
    x->items++;
    x->out_items++;
    if (x->pending.len >= (256u << 10)) {
        if (s3_out_write(x->out, x->pending.data, x->pending.len) != 0) return -2;
        x->pending.len = 0;
    }
    if (x->out_items >= EXPORT_FILE_ITEMS && close_data_file(x) != 0) return -2;
    if ((x->items & 1023) == 0) {
        eng_task_progress(x->task, 1024);
        if (eng_task_stopping(x->task)) return -3;
        uint64_t now = ddb_mono_ms();
        if (now - x->last_log_ms >= LOG_EVERY_MS) {
            x->last_log_ms = now;
            log_info("export %s of table %s: %llu items so far (%.0f items/s)",
                     x->record_id ? x->record_id : "", x->table, (unsigned long long)x->items,
                     (double)x->items * 1000.0 / (double)(now - x->started_ms + 1));
        }
        if (x->record_id && now - x->last_record_ms >= RECORD_EVERY_MS) {
            x->last_record_ms = now;
            record_write(x, "IN_PROGRESS");
        }
    }
    return 0;
}

static int on_item(export_job_t *x, const av_map_t *item)
{
    if (!x->out && open_data_file(x) != 0) return -2;
    if (x->ion)
        s3_item_ion(&x->pending, item);
    else
        s3_item_json(&x->pending, item);
    x->bytes += av_item_size(item);
    return after_line(x);
}

/* One line of an incremental export: Metadata (the write time in microseconds), Keys, NewImage (absent
 * for a deletion), OldImage (NEW_AND_OLD_IMAGES, absent for an insertion). */
static int on_change(export_job_t *x, const eng_change_t *c)
{
    if (!x->out && open_data_file(x) != 0) return -2;
    char micros[32];
    snprintf(micros, sizeof micros, "%lld", (long long)c->write_us);
    ddb_str_t us = {micros, strlen(micros)};
    av_kv_t meta_kv = {{"WriteTimestampMicros", 20}, {.type = AV_N, .s = us}};
    av_kv_t parts[4];
    size_t n = 0;
    parts[n++] = (av_kv_t){{"Metadata", 8}, {.type = AV_M, .m = {1, &meta_kv}}};
    parts[n++] = (av_kv_t){{"Keys", 4}, {.type = AV_M, .m = *c->keys}};
    if (c->new_image) parts[n++] = (av_kv_t){{"NewImage", 8}, {.type = AV_M, .m = *c->new_image}};
    if (x->old_images && c->old_image)
        parts[n++] = (av_kv_t){{"OldImage", 8}, {.type = AV_M, .m = *c->old_image}};
    av_map_t rec = {n, parts};
    if (x->ion) {
        buf_puts(&x->pending, "$ion_1_0 ");
        s3_map_ion(&x->pending, &rec);
        buf_putc(&x->pending, '\n');
    } else { /* each part a map in DynamoDB JSON (its members typed, the part itself not) */
        jw_t w;
        memset(&w, 0, sizeof w);
        w.b = x->pending;
        jw_obj_begin(&w);
        for (size_t i = 0; i < n; i++) {
            jw_key(&w, parts[i].name.ptr, parts[i].name.len);
            avjson_write_map(&w, &parts[i].val.m);
        }
        jw_obj_end(&w);
        buf_putc(&w.b, '\n');
        x->pending = w.b;
    }
    x->bytes += c->new_image ? av_item_size(c->new_image) : 0;
    return after_line(x);
}

/* The table as of x->at_ms, or its changes: each item or change to its line. 0, -1 (storage), -2
 * (files), -3 (stopping); *why the reader's refusal. */
static int walk_table(export_job_t *x, eng_table_t *t, const char **why)
{
    ddb_errctx_t err;
    arena_t *a = arena_new(64 << 10);
    err_init(&err, a);
    eng_reader_t *rd = NULL;
    ddb_err_t rc = x->incremental ? eng_reader_open_changes(x->e, t, x->from_ms, x->to_ms, &rd, &err)
                                  : eng_reader_open_asof(x->e, t, x->at_ms, &rd, &err);
    if (rc != DDB_OK) {
        *why = arena_strdup(x->a, err.msg ? err.msg : "the table could not be read");
        arena_free(a);
        return -1;
    }
    int out = 0;
    for (;;) {
        int got;
        if (x->incremental) {
            eng_change_t c;
            if ((got = eng_reader_next_change(rd, a, &c)) == 1) out = on_change(x, &c);
        } else {
            av_map_t *item;
            if ((got = eng_reader_next(rd, a, &item)) == 1) out = on_item(x, item);
        }
        if (got < 0) out = -1;
        if (got != 1 || out != 0) break;
        arena_reset(a);
    }
    eng_reader_close(rd);
    arena_free(a);
    return out;
}

static void fail(export_job_t *x, const char *code, const char *msg)
{
    if (x->failed) return;
    x->failed = true;
    x->failure_code = arena_strdup(x->a, code);
    x->failure_message = arena_strdup(x->a, msg);
}

/* The manifest-summary.json AWS writes (its member order). */
static void write_summary(export_job_t *x, buf_t *b)
{
    char st[32], en[32], et[32];
    s3job_iso(x->start, st);
    s3job_iso(x->end, en);
    s3job_iso(x->export_time, et);
    jw_t w;
    memset(&w, 0, sizeof w);
    w.b = *b;
    jw_obj_begin(&w);
    jw_keyz(&w, "version");
    jw_strz(&w, "2020-06-30");
    jw_keyz(&w, "exportArn");
    jw_strz(&w, x->arn);
    jw_keyz(&w, "startTime");
    jw_strz(&w, st);
    jw_keyz(&w, "endTime");
    jw_strz(&w, en);
    jw_keyz(&w, "tableArn");
    jw_strz(&w, x->table_arn);
    jw_keyz(&w, "tableId");
    jw_strz(&w, x->table_id);
    jw_keyz(&w, "exportTime");
    jw_strz(&w, et);
    jw_keyz(&w, "s3Bucket");
    jw_strz(&w, x->bucket);
    jw_keyz(&w, "s3Prefix");
    if (x->prefix)
        jw_strz(&w, x->prefix);
    else
        jw_null(&w);
    jw_keyz(&w, "s3SseAlgorithm");
    if (x->sse)
        jw_strz(&w, x->sse);
    else
        jw_null(&w);
    jw_keyz(&w, "s3SseKmsKeyId");
    if (x->sse_kms)
        jw_strz(&w, x->sse_kms);
    else
        jw_null(&w);
    jw_keyz(&w, "manifestFilesS3Key");
    jw_strz(&w, arena_sprintf(x->a, "%smanifest-files.json", x->key_prefix));
    jw_keyz(&w, "billedSizeBytes");
    jw_int(&w, (long long)x->bytes);
    jw_keyz(&w, "itemCount");
    jw_int(&w, (long long)x->items);
    jw_keyz(&w, "outputFormat");
    jw_strz(&w, x->format);
    jw_keyz(&w, "exportType");
    jw_strz(&w, x->incremental ? "INCREMENTAL_EXPORT" : "FULL_EXPORT");
    if (x->incremental) {
        char from[32], to[32];
        s3job_iso((double)x->from_ms / 1000.0, from);
        s3job_iso((double)x->to_ms / 1000.0, to);
        jw_keyz(&w, "exportFromTime");
        jw_strz(&w, from);
        jw_keyz(&w, "exportToTime");
        jw_strz(&w, to);
        jw_keyz(&w, "outputView");
        jw_strz(&w, x->old_images ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE");
    }
    jw_obj_end(&w);
    *b = w.b;
}

static int write_with_md5(export_job_t *x, const char *name, const buf_t *b)
{
    const char *path = arena_sprintf(x->a, "%s/%s.json", x->dir, name);
    if (s3_write_file(path, b->data, b->len) != 0) return -1;
    unsigned char md5[16];
    s3_md5(b->data, b->len, md5);
    const char *m = s3_md5_b64(x->a, md5);
    return s3_write_file(arena_sprintf(x->a, "%s/%s.md5", x->dir, name), m, strlen(m));
}

/* Write the record: the fixed members, then what changes. */
static void record_write(export_job_t *x, const char *status)
{
    arena_t *a = arena_new(4096);
    jw_t w;
    s3job_record_open(&w, a, x->desc_json, "ExportStatus", status, x->end);
    if (!strcmp(status, "COMPLETED")) {
        jw_keyz(&w, "ExportManifest");
        jw_strz(&w, arena_sprintf(a, "%smanifest-summary.json", x->key_prefix));
    }
    if (!strcmp(status, "FAILED")) {
        jw_keyz(&w, "FailureCode");
        jw_strz(&w, x->failure_code);
        jw_keyz(&w, "FailureMessage");
        jw_strz(&w, x->failure_message);
    } else {
        jw_keyz(&w, "BilledSizeBytes");
        jw_int(&w, (long long)x->bytes);
        jw_keyz(&w, "ItemCount");
        jw_int(&w, (long long)x->items);
    }
    s3job_record_close(x->e, &w, a, "export", x->record_id);
}

/* The export's work, on its task's thread (or the offline command's). */
static void export_work(export_job_t *x)
{
    x->started_ms = x->last_log_ms = x->last_record_ms = ddb_mono_ms();
    buf_init(&x->pending, x->a, 300u << 10);
    buf_init(&x->manifest, x->a, 1024);
    eng_table_t *t = eng_table_get(x->e, x->table, strlen(x->table));
    if (!t) {
        fail(x, "TableNotFound", "The table was deleted before the export started");
    } else if (s3_mkdirs(arena_sprintf(x->a, "%s/data", x->dir)) != 0 ||
               s3_write_file(arena_sprintf(x->a, "%s/_started", x->dir), "", 0) != 0) {
        fail(x, "S3AccessDenied", arena_sprintf(x->a, "Cannot write to %s: %s", x->dir, strerror(errno)));
    } else {
        const char *why = "The table could not be read";
        int rc = walk_table(x, t, &why);
        if (rc == 0 && !x->out && open_data_file(x) != 0)
            rc = -2; /* an empty table: one empty file, as AWS */
        if (rc == 0 && close_data_file(x) != 0) rc = -2;
        if (x->out) {
            unsigned char md5[16];
            s3_out_close(x->out, md5, NULL);
            x->out = NULL;
        }
        if (rc == -1) fail(x, "InternalServerError", why);
        if (rc == -2)
            fail(x, "S3AccessDenied",
                 arena_sprintf(x->a, "Cannot write the export's files: %s", strerror(errno)));
        if (rc == -3) fail(x, "InternalServerError", "The server stopped during the export");
    }
    if (t) eng_table_release(t);
    x->end = ddb_now_s();
    if (!x->failed) {
        buf_t sum;
        buf_init(&sum, x->a, 1024);
        write_summary(x, &sum);
        if (write_with_md5(x, "manifest-files", &x->manifest) != 0 ||
            write_with_md5(x, "manifest-summary", &sum) != 0)
            fail(x, "S3AccessDenied", arena_sprintf(x->a, "Cannot write the manifests: %s", strerror(errno)));
    }
    uint64_t ms = ddb_mono_ms() - x->started_ms;
    if (x->failed)
        log_warn("export %s of table %s failed: %s", x->record_id ? x->record_id : "", x->table,
                 x->failure_message);
    else
        log_info("export %s of table %s: %llu items, %llu bytes in %llu ms to %s",
                 x->record_id ? x->record_id : "", x->table, (unsigned long long)x->items,
                 (unsigned long long)x->bytes, (unsigned long long)ms, x->dir);
    if (x->record_id) record_write(x, x->failed ? "FAILED" : "COMPLETED");
}

static void export_task(eng_task_t *task, void *arg)
{
    export_job_t *x = arg;
    x->task = task;
    export_work(x);
}

static void export_free(void *arg)
{
    export_job_t *x = arg;
    arena_free(x->a);
}

int export_offline(eng_t *e, const char *table, const char *dir, bool ion, char *errbuf, size_t errlen)
{
    arena_t *a = arena_new(64 << 10);
    export_job_t *x = ARENA_NEW(a, export_job_t);
    memset(x, 0, sizeof *x);
    x->a = a;
    x->e = e;
    x->table = arena_strdup(a, table);
    x->ion = ion;
    char id[S3JOB_ID_LEN + 1];
    s3job_new_id(id);
    x->dir = arena_sprintf(a, "%s/AWSDynamoDB/%s", dir, id);
    x->key_prefix = arena_sprintf(a, "AWSDynamoDB/%s/", id);
    x->start = x->export_time = ddb_now_s();
    x->arn = arena_sprintf(a, "arn:aws:dynamodb:us-east-1:%s:table/%s/export/%s", DDB_ACCOUNT, table, id);
    x->table_arn = arena_sprintf(a, "arn:aws:dynamodb:us-east-1:%s:table/%s", DDB_ACCOUNT, table);
    eng_table_t *t = eng_table_get(e, table, strlen(table));
    if (!t) {
        snprintf(errbuf, errlen, "no table %s in the data directory", table);
        arena_free(a);
        return -1;
    }
    x->table_id = arena_strdup(a, t->id);
    eng_table_release(t);
    x->bucket = arena_strdup(a, dir);
    x->format = ion ? "ION" : "DYNAMODB_JSON";
    export_work(x);
    int rc = 0;
    if (x->failed) {
        snprintf(errbuf, errlen, "%s", x->failure_message);
        rc = -1;
    } else {
        /* <table>.seed.json: the definition and where its items are, for --seed / dynarock import */
        t = eng_table_get(e, table, strlen(table));
        jw_t w;
        jw_init(&w, a, 2048);
        if (t) seed_write_definition(&w, t);
        if (t) eng_table_release(t);
        if (w.b.len > 2) { /* the definition's object, with the seed's members added */
            w.b.len--;
            buf_printf(
                &w.b,
                ",\"ItemsFrom\":\"AWSDynamoDB/%s\",\"InputFormat\":\"%s\",\"InputCompressionType\":\"GZIP\"}",
                id, x->format);
        }
        const char *seed = arena_sprintf(a, "{\"Tables\":[%.*s]}\n", (int)w.b.len, w.b.data);
        const char *path = arena_sprintf(a, "%s/%s.seed.json", dir, table);
        if (s3_write_file(path, seed, strlen(seed)) != 0) {
            snprintf(errbuf, errlen, "cannot write %s: %s", path, strerror(errno));
            rc = -1;
        } else {
            printf("exported %llu items of %s to %s (definition: %s)\n", (unsigned long long)x->items, table,
                   x->dir, path);
        }
    }
    arena_free(a);
    return rc;
}

/* ---- the API ------------------------------------------------------------------------------------- */

static const char *const FORMATS[] = {"DYNAMODB_JSON", "ION", NULL};
static const char *const SSE[] = {"AES256", "KMS", NULL};
static const char *const TYPES[] = {"FULL_EXPORT", "INCREMENTAL_EXPORT", NULL};
static const char *const VIEWS[] = {"NEW_IMAGE", "NEW_AND_OLD_IMAGES", NULL};

ddb_err_t s3job_need_dir_or_err(ddb_req_t *r)
{
    if (r->cfg && r->cfg->s3_dir) return DDB_OK;
    return err_set(&r->err, DDB_ERR_VALIDATION,
                   "%s needs a local folder standing in for S3: start dynarock with --s3-dir DIR (or the "
                   "environment variable DYNAROCK_S3_DIR)",
                   r->op);
}

/* The bucket name rule of the model: ^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$ (also keeps it one path part). */
bool s3job_bucket_ok(const json_t *j)
{
    const char *s = j->str.ptr;
    size_t n = j->str.len;
    if (n < 2) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (i == 0 || i == n - 1) {
            if (!alnum) return false;
        } else if (!alnum && c != '.' && c != '-' && c != '_') {
            return false;
        }
    }
    return !strstr(s, "..");
}

const char *s3job_str(const json_t *j)
{
    return j && j->type == JSON_STRING ? j->str.ptr : NULL;
}

double s3job_num(const json_t *j)
{
    return j && j->type == JSON_NUMBER ? strtod(j->str.ptr, NULL) : 0;
}

void s3job_vc_common(vcheck_t *v, const json_t *jtoken, const json_t *jbucket, const char *bucket_path,
                     const json_t *jowner, const char *owner_path)
{
    vc_len(v, jtoken, "clientToken", 1, 1u << 30, false);
    if (jtoken && jtoken->str.len && strchr(jtoken->str.ptr, '$'))
        vc_add(v, vc_show_str(v->r, jtoken), "clientToken",
               "Member must satisfy regular expression pattern: ^[^\\$]+$");
    if (!bucket_path) return; /* no bucket structure (ImportTable without S3BucketSource) */
    vc_len(v, jbucket, bucket_path, 0, 255, true);
    if (jbucket && jbucket->str.len <= 255 && !s3job_bucket_ok(jbucket))
        vc_add(v, vc_show_str(v->r, jbucket), bucket_path,
               "Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$");
    if (jowner) {
        bool ok = jowner->str.len == 12;
        for (size_t i = 0; i < jowner->str.len && ok; i++)
            ok = jowner->str.ptr[i] >= '0' && jowner->str.ptr[i] <= '9';
        if (!ok)
            vc_add(v, vc_show_str(v->r, jowner), owner_path,
                   "Member must satisfy regular expression pattern: [0-9]{12}");
    }
}

bool s3job_replayed(ddb_req_t *r, const char *kind, const json_t *jtoken, const char *params,
                    const char *answer_key, int conflict, ddb_err_t *rc)
{
    if (!jtoken) return false;
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%s/", kind);
    eng_meta_kv_t *kv;
    size_t n;
    if (eng_meta_list(r->eng, prefix, r->a, &kv, &n) != 0) return false;
    for (size_t i = 0; i < n; i++) {
        json_error_t je;
        json_t *rec = json_parse(r->a, kv[i].val, kv[i].vlen, DDB_JSON_DEPTH, &je);
        const char *tok = rec ? s3job_str(json_get(rec, "ClientToken")) : NULL;
        if (!tok || strcmp(tok, jtoken->str.ptr) != 0) continue;
        if (ddb_now_s() - s3job_num(json_get(rec, "StartTime")) > 8 * 3600) continue; /* AWS keeps 8 hours */
        const char *p = s3job_str(json_get(rec, "_params"));
        if (!p || strcmp(p, params) != 0) {
            *rc = err_set(&r->err, conflict,
                          "Duplicate request detected: ClientToken %s was used with different parameters",
                          jtoken->str.ptr);
            return true;
        }
        jw_obj_begin(&r->out);
        jw_keyz(&r->out, answer_key);
        s3job_write_public(&r->out, rec);
        jw_obj_end(&r->out);
        *rc = DDB_OK;
        return true;
    }
    return false;
}

void s3job_record_open(jw_t *w, arena_t *a, const char *fixed, const char *status_key, const char *status,
                       double end)
{
    jw_init(w, a, 2048);
    jw_obj_begin(w);
    jw_raw(w, fixed, strlen(fixed));
    w->after_key = false;
    jw_keyz(w, status_key);
    jw_strz(w, status);
    if (end > 0) {
        jw_keyz(w, "EndTime");
        jw_double(w, end);
    }
}

void s3job_record_close(eng_t *e, jw_t *w, arena_t *a, const char *kind, const char *id)
{
    jw_obj_end(w);
    if (s3job_record_put(e, kind, id, w->b.data, w->b.len) != 0)
        log_error("%s %s: its record could not be written", kind, id);
    arena_free(a);
}

/* "arn:<partition>:dynamodb:<region>:<account>:table/<name>": the table name, or NULL. */
const char *s3job_table_from_arn(arena_t *a, const char *arn)
{
    if (strncmp(arn, "arn:", 4) != 0) return NULL;
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        p = strchr(p, ':');
        if (!p) return NULL;
        p++;
    }
    if (strncmp(p, "table/", 6) != 0) return NULL;
    p += 6;
    const char *slash = strchr(p, '/');
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    if (n < 3 || n > 255) return NULL;
    return arena_sprintf(a, "%.*s", (int)n, p);
}

/* The parameters a ClientToken binds (AWS: the same token with other parameters is a conflict). */
static const char *params_of(ddb_req_t *r, const json_t *b)
{
    static const char *const NAMES[] = {
        "TableArn",      "S3Bucket",     "S3BucketOwner", "S3Prefix",   "S3SseAlgorithm",
        "S3SseKmsKeyId", "ExportFormat", "ExportTime",    "ExportType", NULL};
    buf_t p;
    buf_init(&p, r->a, 256);
    for (int i = 0; NAMES[i]; i++) {
        const json_t *m = json_get(b, NAMES[i]);
        buf_printf(&p, "%s=", NAMES[i]);
        if (m) buf_put(&p, m->str.ptr ? m->str.ptr : "", m->str.len);
        buf_putc(&p, '\n');
    }
    const json_t *inc = json_get(b, "IncrementalExportSpecification");
    if (inc)
        for (const json_t *m = inc->child; m; m = m->next) {
            buf_put(&p, m->key.ptr, m->key.len);
            buf_putc(&p, '=');
            buf_put(&p, m->str.ptr ? m->str.ptr : "", m->str.len);
            buf_putc(&p, '\n');
        }
    buf_putc(&p, 0);
    return p.data;
}

ddb_err_t api_ExportTableToPointInTime(ddb_req_t *r)
{
    const json_t *b = r->body;
    bool bad = false;
    const json_t *jarn = vc_fld(r, b, "TableArn", JSON_STRING, &bad);
    const json_t *jbucket = vc_fld(r, b, "S3Bucket", JSON_STRING, &bad);
    const json_t *jowner = vc_fld(r, b, "S3BucketOwner", JSON_STRING, &bad);
    const json_t *jprefix = vc_fld(r, b, "S3Prefix", JSON_STRING, &bad);
    const json_t *jsse = vc_fld(r, b, "S3SseAlgorithm", JSON_STRING, &bad);
    const json_t *jkms = vc_fld(r, b, "S3SseKmsKeyId", JSON_STRING, &bad);
    const json_t *jfmt = vc_fld(r, b, "ExportFormat", JSON_STRING, &bad);
    const json_t *jtoken = vc_fld(r, b, "ClientToken", JSON_STRING, &bad);
    const json_t *jtype = vc_fld(r, b, "ExportType", JSON_STRING, &bad);
    const json_t *jinc = vc_fld(r, b, "IncrementalExportSpecification", JSON_OBJECT, &bad);
    const json_t *jtime = json_get(b, "ExportTime");
    if (jtime && jtime->type != JSON_NUMBER && jtime->type != JSON_NULL) {
        bad = true;
        err_set(&r->err, DDB_ERR_SERIALIZATION, "%s", vc_ser_msg(r->a, jtime, SER_LONG));
    }
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    s3job_vc_common(&v, jtoken, jbucket, "s3Bucket", jowner, "s3BucketOwner");
    vc_len(&v, jprefix, "s3Prefix", 1, 1024, false);
    vc_enum(&v, jsse, "s3SseAlgorithm", SSE, "[AES256, KMS]");
    vc_len(&v, jkms, "s3SseKmsKeyId", 1, 2048, false);
    vc_enum(&v, jfmt, "exportFormat", FORMATS, "[DYNAMODB_JSON, ION]");
    vc_enum(&v, jtype, "exportType", TYPES, "[FULL_EXPORT, INCREMENTAL_EXPORT]");
    if (jinc)
        vc_enum(&v, json_get(jinc, "ExportViewType"), "incrementalExportSpecification.exportViewType", VIEWS,
                "[NEW_IMAGE, NEW_AND_OLD_IMAGES]");
    if (!jarn) vc_add(&v, "null", "tableArn", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    if (!jarn->str.len) /* recorded 2026 (ack-api-quirks DDB-TABLE-457) */
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid TableArn: Invalid Table ARN");
    const char *name = s3job_table_from_arn(r->a, jarn->str.ptr);
    if (!name) return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid TableArn: %s", jarn->str.ptr);
    if ((rc = s3job_need_dir_or_err(r))) return rc;
    if (jprefix && s3job_prefix_escapes(jprefix->str.ptr)) /* a folder must not lead out of --s3-dir */
        return err_set(
            &r->err, DDB_ERR_VALIDATION,
            "S3Prefix %s has a '.' or '..' segment, which the folder standing in for S3 (--s3-dir) "
            "cannot hold",
            jprefix->str.ptr);

    /* ClientToken: the same request again answers the same export */
    const char *params = params_of(r, b);
    if (s3job_replayed(r, "export", jtoken, params, "ExportDescription", DDB_ERR_EXPORT_CONFLICT, &rc))
        return rc;

    eng_table_t *t = eng_table_get(r->eng, name, strlen(name));
    if (!t) return err_set(&r->err, DDB_ERR_TABLE_NOT_FOUND, "Table not found: %s", name);
    const char *table_id = arena_strdup(r->a, t->id);
    double created = t->created;

    /* AWS exports from point-in-time recovery's history: PITR must be on */
    bool incremental = jtype && ddb_str_eq(jtype->str, "INCREMENTAL_EXPORT");
    eng_pitr_info_t pi;
    memset(&pi, 0, sizeof pi);
    bool pitr = eng_pitr_info(r->eng, t, &pi) && pi.enabled;
    eng_table_release(t);
    double now = ddb_now_s(), export_time = now;
    int64_t now_ms = (int64_t)(now * 1000.0), at_ms = 0, from_ms = 0, to_ms = 0;
    bool past = jtime && jtime->type == JSON_NUMBER && s3job_num(jtime) * 1000.0 < (double)(now_ms - 1000);
    if (!pitr)
        return err_set(&r->err, DDB_ERR_PITR_UNAVAILABLE,
                       "Point in time recovery is not enabled for table '%s'", name);
    if (jinc && !incremental)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "IncrementalExportSpecification is only valid with ExportType INCREMENTAL_EXPORT");
    if (incremental && jtime)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "ExportTime is not valid with ExportType INCREMENTAL_EXPORT");
    if (jtime && jtime->type == JSON_NUMBER) {
        export_time = s3job_num(jtime);
        if (export_time > now + 1)
            return err_set(&r->err, DDB_ERR_INVALID_EXPORT_TIME, "ExportTime cannot be in the future");
        int64_t want = (int64_t)(export_time * 1000.0);
        if (export_time < created || want < pi.earliest_ms) /* PITR is on here (checked above) */
            return err_set(&r->err, DDB_ERR_INVALID_EXPORT_TIME,
                           "ExportTime is outside the point in time recovery window of table '%s'", name);
        if (past)
            at_ms = want;
        else
            export_time = now;
    }
    if (incremental) {
        const json_t *jf = jinc ? json_get(jinc, "ExportFromTime") : NULL;
        const json_t *jt = jinc ? json_get(jinc, "ExportToTime") : NULL;
        if (!jf || jf->type != JSON_NUMBER)
            return err_set(
                &r->err, DDB_ERR_VALIDATION,
                "IncrementalExportSpecification.ExportFromTime is required for an INCREMENTAL_EXPORT");
        from_ms = (int64_t)(s3job_num(jf) * 1000.0);
        to_ms = jt && jt->type == JSON_NUMBER ? (int64_t)(s3job_num(jt) * 1000.0) : now_ms;
        if (to_ms > now_ms + 1000)
            return err_set(&r->err, DDB_ERR_INVALID_EXPORT_TIME, "ExportToTime cannot be in the future");
        if (from_ms >= to_ms)
            return err_set(&r->err, DDB_ERR_INVALID_EXPORT_TIME,
                           "ExportFromTime must be before ExportToTime");
        if (to_ms - from_ms < 15 * 60 * 1000 || to_ms - from_ms > 24 * 3600 * 1000)
            return err_set(
                &r->err, DDB_ERR_INVALID_EXPORT_TIME,
                "Difference between export period from time and to time must be at least 15 minutes "
                "and at most 24 hours");
        if (from_ms < pi.earliest_ms)
            return err_set(&r->err, DDB_ERR_INVALID_EXPORT_TIME,
                           "ExportFromTime is outside the point in time recovery window of table '%s'", name);
        if (to_ms > now_ms) to_ms = now_ms;
    }

    arena_t *a = arena_new(16 << 10);
    export_job_t *x = ARENA_NEW(a, export_job_t);
    memset(x, 0, sizeof *x);
    x->a = a;
    x->e = r->eng;
    x->table = arena_strdup(a, name);
    x->ion = jfmt && ddb_str_eq(jfmt->str, "ION");
    char id[S3JOB_ID_LEN + 1];
    s3job_new_id(id);
    x->record_id = arena_strdup(a, id);
    x->bucket = arena_strdup(a, jbucket->str.ptr);
    x->prefix = jprefix ? arena_strdup(a, jprefix->str.ptr) : NULL;
    x->sse = jsse ? arena_strdup(a, jsse->str.ptr) : NULL;
    x->sse_kms = jkms ? arena_strdup(a, jkms->str.ptr) : NULL;
    x->format = x->ion ? "ION" : "DYNAMODB_JSON";
    const char *bucket_dir = s3job_dir(r->cfg, a, x->bucket, NULL);
    x->dir = arena_sprintf(a, "%s/AWSDynamoDB/%s", s3job_dir(r->cfg, a, x->bucket, x->prefix), id);
    if (x->prefix && *x->prefix) {
        size_t pl = strlen(x->prefix);
        x->key_prefix =
            arena_sprintf(a, "%s%sAWSDynamoDB/%s/", x->prefix, x->prefix[pl - 1] == '/' ? "" : "/", id);
    } else {
        x->key_prefix = arena_sprintf(a, "AWSDynamoDB/%s/", id);
    }
    x->start = now;
    x->export_time = export_time;
    x->at_ms = at_ms;
    x->incremental = incremental;
    x->from_ms = from_ms;
    x->to_ms = to_ms;
    {
        const json_t *jv = jinc ? json_get(jinc, "ExportViewType") : NULL;
        x->old_images = !jv || jv->type != JSON_STRING || ddb_str_eq(jv->str, "NEW_AND_OLD_IMAGES");
    }
    x->arn = arena_sprintf(a, "arn:aws:dynamodb:%s:%s:table/%s/export/%s", r->region,
                           r->account ? r->account : DDB_ACCOUNT, name, id);
    x->table_arn = arena_strdup(a, tabledesc_arn(r, name));
    x->table_id = arena_strdup(a, table_id);
    const char *token = jtoken ? jtoken->str.ptr : NULL;
    char gen[37];
    if (!token) { /* AWS answers a ClientToken it made up when none was given */
        unsigned char u[16];
        if (RAND_bytes(u, sizeof u) != 1) abort();
        snprintf(gen, sizeof gen, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                 u[14], u[15]);
        token = gen;
    }

    /* the fixed members of the record: the ExportDescription's, then ours */
    jw_t w;
    jw_init(&w, a, 1024);
    jw_obj_begin(&w);
    jw_keyz(&w, "ExportArn");
    jw_strz(&w, x->arn);
    jw_keyz(&w, "StartTime");
    jw_double(&w, x->start);
    jw_keyz(&w, "TableArn");
    jw_strz(&w, x->table_arn);
    jw_keyz(&w, "TableId");
    jw_strz(&w, x->table_id);
    jw_keyz(&w, "ExportTime");
    jw_double(&w, x->export_time);
    jw_keyz(&w, "ClientToken");
    jw_strz(&w, token);
    jw_keyz(&w, "S3Bucket");
    jw_strz(&w, x->bucket);
    if (jowner) {
        jw_keyz(&w, "S3BucketOwner");
        jw_strz(&w, jowner->str.ptr);
    }
    if (x->prefix) {
        jw_keyz(&w, "S3Prefix");
        jw_strz(&w, x->prefix);
    }
    if (x->sse) {
        jw_keyz(&w, "S3SseAlgorithm");
        jw_strz(&w, x->sse);
    }
    if (x->sse_kms) {
        jw_keyz(&w, "S3SseKmsKeyId");
        jw_strz(&w, x->sse_kms);
    }
    jw_keyz(&w, "ExportFormat");
    jw_strz(&w, x->format);
    if (jtype) { /* AWS answers ExportType only when the request gave it */
        jw_keyz(&w, "ExportType");
        jw_strz(&w, jtype->str.ptr);
    }
    if (incremental) {
        jw_keyz(&w, "IncrementalExportSpecification");
        jw_obj_begin(&w);
        jw_keyz(&w, "ExportFromTime");
        jw_double(&w, (double)from_ms / 1000.0);
        jw_keyz(&w, "ExportToTime");
        jw_double(&w, (double)to_ms / 1000.0);
        jw_keyz(&w, "ExportViewType");
        jw_strz(&w, x->old_images ? "NEW_AND_OLD_IMAGES" : "NEW_IMAGE");
        jw_obj_end(&w);
    }
    jw_keyz(&w, "_params");
    jw_strz(&w, params);
    jw_keyz(&w, "_table");
    jw_strz(&w, name);
    jw_obj_end(&w);
    x->desc_json = arena_memdup(a, w.b.data + 1, w.b.len - 2); /* without the braces */
    x->desc_json[w.b.len - 2] = 0;

    if (!s3job_is_dir(bucket_dir)) { /* AWS accepts the request, then the export fails */
        fail(x, "S3NoSuchBucket", "The specified bucket does not exist");
        x->end = now;
        log_warn("export %s of table %s failed: no folder %s for bucket %s", id, name, bucket_dir, x->bucket);
    }
    record_write(x, x->failed ? "FAILED" : "IN_PROGRESS");
    const json_t *rec = s3job_record_get(r->eng, "export", id, r->a);
    if (!rec) {
        arena_free(a);
        return err_set(&r->err, DDB_ERR_INTERNAL, "Internal server error");
    }
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "ExportDescription");
    s3job_write_public(&r->out, rec);
    jw_obj_end(&r->out);
    if (x->failed) {
        arena_free(a);
        return DDB_OK;
    }
    log_info("export %s of table %s to %s started", id, name, x->dir);
    /* false: the server is stopping, and x is already freed; the record stays IN_PROGRESS and the next
     * start's recovery (s3job_recover) fails it */
    eng_task_start(r->eng, "export", export_task, x, export_free);
    return DDB_OK;
}

/* The id of an export or import ARN ("...:table/<t>/<kind>/<id>"), or NULL. */
const char *s3job_arn_id(arena_t *a, const char *arn, const char *kind)
{
    char needle[16];
    snprintf(needle, sizeof needle, "/%s/", kind);
    const char *p = strncmp(arn, "arn:", 4) == 0 ? strstr(arn, needle) : NULL;
    if (!p) return NULL;
    p += strlen(needle);
    size_t n = strlen(p);
    if (n != S3JOB_ID_LEN || strchr(p, '/')) return NULL;
    return arena_strdup(a, p);
}

ddb_err_t api_DescribeExport(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "ExportArn", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_len(&v, jarn, "exportArn", 37, 1024, true);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *id = s3job_arn_id(r->a, jarn->str.ptr, "export");
    if (!id) return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid Export ARN: %s", jarn->str.ptr);
    const json_t *rec = s3job_record_get(r->eng, "export", id, r->a);
    const char *arn = rec ? s3job_str(json_get(rec, "ExportArn")) : NULL;
    if (!rec || !arn || strcmp(arn, jarn->str.ptr) != 0)
        return err_set(&r->err, DDB_ERR_EXPORT_NOT_FOUND, "Export not found: %s", jarn->str.ptr);
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "ExportDescription");
    s3job_write_public(&r->out, rec);
    jw_obj_end(&r->out);
    return DDB_OK;
}

ddb_err_t s3job_list_page(ddb_req_t *r, const char *kind, const char *list_key, const char *table,
                          const char *after, int64_t max, void (*write)(jw_t *w, const json_t *rec),
                          const char **next)
{
    char prefix[16];
    size_t plen = (size_t)snprintf(prefix, sizeof prefix, "%s/", kind);
    eng_meta_kv_t *kv;
    size_t n;
    if (eng_meta_list(r->eng, prefix, r->a, &kv, &n) != 0)
        return err_set(&r->err, DDB_ERR_INTERNAL, "Internal server error");
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, list_key);
    jw_arr_begin(&r->out);
    int64_t count = 0;
    const char *last = NULL;
    *next = NULL;
    for (size_t k = n; k-- > 0;) { /* newest first */
        const char *id = kv[k].key + plen;
        if (after && strcmp(id, after) >= 0) continue;
        json_error_t je;
        json_t *rec = json_parse(r->a, kv[k].val, kv[k].vlen, DDB_JSON_DEPTH, &je);
        if (!rec) continue;
        const char *tname = s3job_str(json_get(rec, "_table"));
        if (table && (!tname || strcmp(tname, table) != 0)) continue;
        if (count == max) {
            *next = last;
            break;
        }
        write(&r->out, rec);
        count++;
        last = id;
    }
    jw_arr_end(&r->out);
    return DDB_OK;
}

static void export_summary(jw_t *w, const json_t *rec)
{
    jw_obj_begin(w);
    jw_keyz(w, "ExportArn");
    jw_strz(w, s3job_str(json_get(rec, "ExportArn")));
    jw_keyz(w, "ExportStatus");
    jw_strz(w, s3job_str(json_get(rec, "ExportStatus")));
    jw_keyz(w, "ExportType");
    const char *ty = s3job_str(json_get(rec, "ExportType"));
    jw_strz(w, ty ? ty : "FULL_EXPORT");
    jw_obj_end(w);
}

ddb_err_t api_ListExports(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "TableArn", JSON_STRING, &bad);
    int64_t max = 25;
    const json_t *jmax = vc_fld_num(r, r->body, "MaxResults", SER_INTEGER, &max, &bad);
    const json_t *jnext = vc_fld(r, r->body, "NextToken", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_range(&v, jmax, max, "maxResults", 1, 25);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *table = NULL;
    if (jarn && !(table = s3job_table_from_arn(r->a, jarn->str.ptr)))
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid TableArn: %s", jarn->str.ptr);
    if (jnext && (jnext->str.len != S3JOB_ID_LEN || jnext->str.ptr[14] != '-'))
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid NextToken for ListExports: %s", jnext->str.ptr);
    const char *next;
    if ((rc = s3job_list_page(r, "export", "ExportSummaries", table, jnext ? jnext->str.ptr : NULL, max,
                              export_summary, &next)))
        return rc;
    if (next) {
        jw_keyz(&r->out, "NextToken");
        jw_strz(&r->out, next);
    }
    jw_obj_end(&r->out);
    return DDB_OK;
}

void s3job_recover(eng_t *e)
{
    static const char *const KINDS[] = {"export", "import"};
    arena_t *a = arena_new(16 << 10);
    for (int k = 0; k < 2; k++) {
        eng_meta_kv_t *kv;
        size_t n;
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%s/", KINDS[k]);
        if (eng_meta_list(e, prefix, a, &kv, &n) != 0) continue;
        for (size_t i = 0; i < n; i++) {
            json_error_t je;
            json_t *rec = json_parse(a, kv[i].val, kv[i].vlen, DDB_JSON_DEPTH, &je);
            if (!rec) continue;
            const char *st = s3job_str(json_get(rec, k == 0 ? "ExportStatus" : "ImportStatus"));
            if (!st || strcmp(st, "IN_PROGRESS") != 0) continue;
            if (k == 1) { /* an import's half-loaded table goes, as AWS removes it */
                const char *t = s3job_str(json_get(rec, "_table"));
                eng_table_t *old = NULL;
                ddb_errctx_t err;
                err_init(&err, a);
                if (t && eng_table_delete(e, t, &old, &err) == DDB_OK && old) eng_table_release(old);
            }
            jw_t w;
            jw_init(&w, a, kv[i].vlen + 256);
            jw_obj_begin(&w);
            for (const json_t *m = rec->child; m; m = m->next) {
                if (!strcmp(m->key.ptr, k == 0 ? "ExportStatus" : "ImportStatus")) continue;
                jw_key(&w, m->key.ptr, m->key.len);
                jw_json(&w, m);
            }
            jw_keyz(&w, k == 0 ? "ExportStatus" : "ImportStatus");
            jw_strz(&w, "FAILED");
            jw_keyz(&w, "EndTime");
            jw_double(&w, ddb_now_s());
            jw_keyz(&w, "FailureCode");
            jw_strz(&w, "InternalServerError");
            jw_keyz(&w, "FailureMessage");
            jw_strz(&w, "The server stopped while this ran");
            jw_obj_end(&w);
            s3job_record_put(e, KINDS[k], kv[i].key + strlen(prefix), w.b.data, w.b.len);
            log_warn("%s %s was interrupted by a stop: marked FAILED", KINDS[k], kv[i].key + strlen(prefix));
        }
    }
    arena_free(a);
}
