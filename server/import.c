/*
 * import: ImportTable, DescribeImport, ListImports (issue 18), and the load every import and seed shares.
 *
 * ImportTable creates the table (TableCreationParameters checked as CreateTable checks a definition)
 * with status CREATING and answers at once; an engine task then reads every object under
 * <--s3-dir>/<S3Bucket>/<S3KeyPrefix>* and loads its items in batches (eng_bulk_*: indexes and
 * counters exact). A prefix holding a DynamoDB export (AWSDynamoDB/<id>/manifest-summary.json) is read
 * through its manifests: the data files manifest-files.json lists, each checked against its
 * md5Checksum and itemCount. Other objects: every file under the prefix but _started, *.md5,
 * *.checksum and manifest-*.json.
 *
 * Counts as AWS reports them: ProcessedSizeBytes (bytes of the objects read), ProcessedItemCount
 * (items read, good or bad), ImportedItemCount (written), ErrorCount (items that could not be
 * parsed or written: each is logged with its object and line, as AWS logs them to CloudWatch).
 * A bad item does not stop an import; an object that cannot be read or decompressed, or a manifest
 * that does not match its files, fails it: ImportStatus FAILED and the table is removed, so nothing
 * is left half-imported. Success sets the table ACTIVE.
 */
#include "server/server.h"
#include "server/exec.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/rand.h>

#include "common/base64.h"
#include "common/clock.h"
#include "common/decimal.h"
#include "common/log.h"

#define LOG_ERRORS_MAX 100 /* bad items logged one by one; later ones only counted */

/* ---- the load ------------------------------------------------------------------------------------ */

typedef enum { FMT_DYNAMODB_JSON = 0, FMT_ION, FMT_CSV } fmt_t;

typedef struct {
    eng_t *e;
    const char *table;
    const char *log_id; /* "import <id>" / "seed" for log lines */
    fmt_t fmt;
    s3_comp_t comp;
    char delim;
    size_t n_headers; /* CSV HeaderList (0: the first line is the header) */
    char **headers;
    /* counts */
    uint64_t processed, imported, errors, bytes;
    /* failure */
    bool failed;
    char failure_code[64], failure_message[512];
    eng_task_t *task;
    void (*progress)(void *ctx); /* called every ~2 s (the record) */
    void *progress_ctx;
    uint64_t last_ms, last_log_ms, started_ms;
} load_t;

static void load_fail(load_t *l, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void load_fail(load_t *l, const char *code, const char *fmt, ...)
{
    if (l->failed) return;
    l->failed = true;
    snprintf(l->failure_code, sizeof l->failure_code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(l->failure_message, sizeof l->failure_message, fmt, ap);
    va_end(ap);
}

static void bad_item(load_t *l, const char *file, uint64_t line, const char *why)
{
    l->errors++;
    if (l->errors <= LOG_ERRORS_MAX)
        log_warn("%s: %s line %llu: %s", l->log_id, file, (unsigned long long)line, why);
    else if (l->errors == LOG_ERRORS_MAX + 1)
        log_warn("%s: more bad items; counted in ErrorCount only", l->log_id);
}

static void tick(load_t *l)
{
    if ((l->processed & 1023) != 0) return;
    eng_task_progress(l->task, 1024);
    uint64_t now = ddb_mono_ms();
    if (now - l->last_log_ms >= 5000) {
        l->last_log_ms = now;
        log_info("%s of table %s: %llu items processed, %llu imported, %llu errors (%.0f items/s)", l->log_id,
                 l->table, (unsigned long long)l->processed, (unsigned long long)l->imported,
                 (unsigned long long)l->errors,
                 (double)l->processed * 1000.0 / (double)(now - l->started_ms + 1));
    }
    if (l->progress && now - l->last_ms >= 2000) {
        l->last_ms = now;
        l->progress(l->progress_ctx);
    }
}

/* One item into the table; a refusal is one more error. */
static void put_item(load_t *l, eng_bulk_t *bk, const eng_table_t *t, arena_t *a, const char *file,
                     uint64_t line, const av_map_t *item)
{
    ddb_errctx_t err;
    err_init(&err, a);
    ddb_err_t rc = exec_item_keys_or_err(&err, t, item); /* as PutItem checks them */
    if (rc == DDB_OK) rc = eng_bulk_put(bk, item, &err);
    if (rc == DDB_OK) return;
    if (rc == DDB_ERR_VALIDATION) {
        bad_item(l, file, line, err.msg ? err.msg : "invalid item");
        return;
    }
    load_fail(l, "InternalServerError", "The table could not be written: %s",
              err.msg ? err.msg : "storage error");
}

/* A CSV cell into a value: key attributes (the table's and its indexes') take their declared type,
 * everything else is a string (AWS's CSV import). false: the cell cannot be that type. */
static bool csv_value(arena_t *a, const eng_table_t *t, const char *name, ddb_str_t cell, av_t *out)
{
    av_type_t ty = AV_S;
    for (size_t i = 0; i < t->n_attrdefs; i++)
        if (!strcmp(t->attrdefs[i].name, name)) ty = t->attrdefs[i].type;
    out->type = ty;
    if (ty == AV_N) {
        dec_t d;
        if (dec_parse(cell.ptr, cell.len, &d) != DEC_OK) return false;
        char *txt = arena_alloc(a, DEC_TEXT_MAX + 1);
        out->s.len = dec_format(&d, txt);
        out->s.ptr = txt;
    } else if (ty == AV_B) {
        char *dst = arena_alloc(a, b64_decoded_max(cell.len) + 1);
        size_t n;
        if (b64_decode(cell.ptr, cell.len, dst, &n) != 0) return false;
        out->s.ptr = dst;
        out->s.len = n;
    } else {
        out->s = cell;
    }
    return true;
}

/* Load one object. Returns its item count (for a manifest's check), or -1 when it failed the load. */
static int64_t load_file(load_t *l, eng_bulk_t *bk, const eng_table_t *t, const char *path, const char *key)
{
    s3_in_t *in = s3_in_open(path, l->comp);
    if (!in) {
        load_fail(l, "S3NoSuchKey", "Cannot read %s: %s", key, strerror(errno));
        return -1;
    }
    arena_t *a = arena_new(64 << 10);
    int64_t count = 0;
    uint64_t line_no = 0;
    if (l->fmt == FMT_DYNAMODB_JSON) {
        const char *line;
        size_t len;
        int got;
        while (!l->failed && (got = s3_in_line(in, &line, &len)) == 1) {
            line_no++;
            size_t i = 0;
            while (i < len && (line[i] == ' ' || line[i] == '\t')) i++;
            if (i == len) continue; /* blank lines are no items */
            l->processed++;
            count++;
            ddb_errctx_t err;
            err_init(&err, a);
            av_map_t item;
            if (s3_item_json_parse(a, &err, line, len, &item) != DDB_OK)
                bad_item(l, key, line_no, err.msg ? err.msg : "invalid item");
            else
                put_item(l, bk, t, a, key, line_no, &item);
            arena_reset(a);
            tick(l);
            if (eng_task_stopping(l->task))
                load_fail(l, "InternalServerError", "The server stopped during the import");
        }
        if (got < 0) load_fail(l, "InvalidInput", "Cannot read %s: %s", key, s3_in_error(in));
    } else {
        const char *data;
        size_t len;
        if (s3_in_all(in, &data, &len) != 0) {
            load_fail(l, "InvalidInput", "Cannot read %s: %s", key, s3_in_error(in));
        } else if (l->fmt == FMT_ION) {
            const char *p = data, *end = data + len;
            for (;;) {
                ddb_errctx_t err;
                err_init(&err, a);
                av_map_t item;
                int got = s3_ion_next(a, &err, &p, end, &item);
                if (got == 0 || l->failed) break;
                line_no++;
                l->processed++;
                count++;
                if (got < 0) {
                    bad_item(l, key, line_no, err.msg ? err.msg : "invalid Ion");
                } else {
                    /* the values Ion gave go through the same checks as a PutItem's */
                    jw_t w;
                    jw_init(&w, a, 256);
                    avjson_write_map(&w, &item);
                    json_error_t je;
                    json_t *j = json_parse(a, w.b.data, w.b.len, DDB_JSON_DEPTH, &je);
                    av_map_t checked;
                    if (!j || avjson_map(a, &err, j, &checked, 0) != DDB_OK)
                        bad_item(l, key, line_no, err.msg ? err.msg : "invalid item");
                    else
                        put_item(l, bk, t, a, key, line_no, &checked);
                }
                arena_reset(a);
                tick(l);
                if (eng_task_stopping(l->task))
                    load_fail(l, "InternalServerError", "The server stopped during the import");
            }
        } else { /* CSV */
            const char *p = data, *end = data + len;
            ddb_str_t *f;
            size_t nf;
            size_t nh = l->n_headers;
            char **hdr = l->headers;
            arena_t *ha = arena_new(4096);
            if (!nh) {
                int got = s3_csv_record(ha, &p, end, l->delim, &f, &nf);
                line_no++;
                if (got < 0) load_fail(l, "InvalidInput", "%s: the CSV header line is malformed", key);
                if (got > 0) {
                    nh = nf;
                    hdr = ARENA_NEWN(ha, char *, nf);
                    for (size_t i = 0; i < nf; i++)
                        hdr[i] = arena_memdup(ha, f[i].ptr, f[i].len), hdr[i][f[i].len] = 0;
                    if (nh && !strncmp(hdr[0], "\xEF\xBB\xBF", 3)) hdr[0] += 3; /* a UTF-8 byte-order mark */
                }
            }
            while (!l->failed && p < end) {
                int got = s3_csv_record(a, &p, end, l->delim, &f, &nf);
                line_no++;
                if (got == 0) break;
                if (got > 0 && nf == 1 && f[0].len == 0) continue; /* a blank line */
                l->processed++;
                count++;
                if (got < 0) {
                    bad_item(l, key, line_no, "malformed CSV record");
                    while (p < end && *p != '\n') p++;
                } else if (nf != nh) {
                    bad_item(l, key, line_no,
                             arena_sprintf(a, "the record has %zu fields, the header %zu", nf, nh));
                } else {
                    av_map_t item = {0, ARENA_NEWN(a, av_kv_t, nf + 1)};
                    bool ok = true;
                    for (size_t i = 0; i < nf && ok; i++) {
                        if (!f[i].len) continue; /* an empty cell: no attribute */
                        av_kv_t *kv = &item.kvs[item.n];
                        kv->name.ptr = hdr[i];
                        kv->name.len = strlen(hdr[i]);
                        if (!csv_value(a, t, hdr[i], f[i], &kv->val)) {
                            bad_item(l, key, line_no,
                                     arena_sprintf(a, "the value of %s is not of its key type", hdr[i]));
                            ok = false;
                        }
                        item.n++;
                    }
                    if (ok) put_item(l, bk, t, a, key, line_no, &item);
                }
                arena_reset(a);
                tick(l);
                if (eng_task_stopping(l->task))
                    load_fail(l, "InternalServerError", "The server stopped during the import");
            }
            arena_free(ha);
        }
    }
    l->bytes += s3_in_raw_bytes(in);
    s3_in_close(in);
    arena_free(a);
    return l->failed ? -1 : count;
}

/* ---- finding the objects ------------------------------------------------------------------------- */

typedef struct {
    char **paths, **keys; /* file paths and their S3 keys (relative to the bucket) */
    size_t n, cap;
} files_t;

static void files_add(files_t *fs, const char *path, const char *key)
{
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 16;
        fs->paths = realloc(fs->paths, fs->cap * sizeof *fs->paths);
        fs->keys = realloc(fs->keys, fs->cap * sizeof *fs->keys);
        if (!fs->paths || !fs->keys) abort();
    }
    fs->paths[fs->n] = ddb_xstrdup(path);
    fs->keys[fs->n] = ddb_xstrdup(key);
    fs->n++;
}

static void files_free(files_t *fs)
{
    for (size_t i = 0; i < fs->n; i++) {
        free(fs->paths[i]);
        free(fs->keys[i]);
    }
    free(fs->paths);
    free(fs->keys);
    memset(fs, 0, sizeof *fs);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file under dir (its key: key_base + name), recursively, whose key starts with prefix. */
static void walk(files_t *fs, const char *dir, const char *key_base, const char *prefix, int depth)
{
    if (depth > 32) return;
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = realloc(names, cap * sizeof *names);
            if (!names) abort();
        }
        names[n++] = ddb_xstrdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str); /* S3 lists keys in order */
    for (size_t i = 0; i < n; i++) {
        size_t kl = strlen(key_base) + strlen(names[i]) + 2, pl = strlen(dir) + strlen(names[i]) + 2;
        char *key = ddb_xmalloc(kl), *path = ddb_xmalloc(pl);
        snprintf(key, kl, "%s%s", key_base, names[i]);
        snprintf(path, pl, "%s/%s", dir, names[i]);
        struct stat st;
        if (stat(path, &st) == 0) {
            size_t plen = strlen(prefix), klen = strlen(key);
            if (S_ISDIR(st.st_mode)) {
                /* only into folders the prefix can still match */
                if (!strncmp(key, prefix, klen < plen ? klen : plen)) {
                    char *sub = ddb_xmalloc(klen + 2);
                    snprintf(sub, klen + 2, "%s/", key);
                    walk(fs, path, sub, prefix, depth + 1);
                    free(sub);
                }
            } else if (S_ISREG(st.st_mode) && !strncmp(key, prefix, plen)) {
                files_add(fs, path, key);
            }
        }
        free(key);
        free(path);
        free(names[i]);
    }
    free(names);
}

static bool ends_with(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

static const char *base_name(const char *key)
{
    const char *s = strrchr(key, '/');
    return s ? s + 1 : key;
}

static char *read_small(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, n = 0;
    char *b = ddb_xmalloc(cap);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap);
            if (!b) abort();
        }
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

static int file_md5(const char *path, unsigned char md5[16])
{
    size_t n;
    char *b = read_small(path, &n);
    if (!b) return -1;
    s3_md5(b, n, md5);
    free(b);
    return 0;
}

/* Where an object a manifest names is: its key holds "AWSDynamoDB/<id>/..." under the prefix the export
 * was written to, which need not be where it lies now (an export from AWS copied under another prefix),
 * so it is found beside the manifest-summary.json that led here. */
static const char *manifest_path(arena_t *a, const char *bucket_dir, const char *summary_key, const char *key)
{
    const char *tail = strstr(key, "AWSDynamoDB/");
    if (tail) tail = strchr(tail + 12, '/'); /* past "AWSDynamoDB/<id>" */
    if (!tail) return arena_sprintf(a, "%s/%s", bucket_dir, key);
    const char *slash = strrchr(summary_key, '/');
    int dl = slash ? (int)(slash - summary_key) : 0; /* the folder of manifest-summary.json */
    return arena_sprintf(a, "%s%s%.*s%s", bucket_dir, dl ? "/" : "", dl, summary_key, tail);
}

/* The data files of one export, from its manifests: each {path, key, itemCount}. false: a failure set. */
static bool from_manifest(load_t *l, const char *bucket_dir, const char *summary_key, files_t *out,
                          int64_t **counts)
{
    arena_t *a = arena_new(16 << 10);
    bool ok = false;
    size_t n;
    char *text = read_small(arena_sprintf(a, "%s/%s", bucket_dir, summary_key), &n);
    json_error_t je;
    json_t *s = text ? json_parse(a, text, n, DDB_JSON_DEPTH, &je) : NULL;
    const json_t *mk = s && s->type == JSON_OBJECT ? json_get(s, "manifestFilesS3Key") : NULL;
    if (!mk || mk->type != JSON_STRING) {
        load_fail(l, "InvalidManifest", "%s is not an export's manifest-summary.json (no manifestFilesS3Key)",
                  summary_key);
        goto out;
    }
    const json_t *et = json_get(s, "exportType");
    if (et && et->type == JSON_STRING && ddb_str_eq(et->str, "INCREMENTAL_EXPORT")) {
        load_fail(l, "InvalidInput", "%s is an incremental export: ImportTable reads full exports only",
                  summary_key);
        goto out;
    }
    const json_t *fmt = json_get(s, "outputFormat");
    if (fmt && fmt->type == JSON_STRING &&
        !ddb_str_eq(fmt->str, l->fmt == FMT_ION   ? "ION"
                              : l->fmt == FMT_CSV ? "CSV"
                                                  : "DYNAMODB_JSON")) {
        load_fail(l, "InvalidInputFormat", "The export at %s is in %s format, the import asked for another",
                  summary_key, fmt->str.ptr);
        goto out;
    }
    size_t mlen;
    char *mf = read_small(manifest_path(a, bucket_dir, summary_key, mk->str.ptr), &mlen);
    if (!mf) {
        load_fail(l, "InvalidManifest", "The manifest %s names %s, which does not exist", summary_key,
                  mk->str.ptr);
        goto out;
    }
    size_t cap = 16, k = 0;
    *counts = ddb_xmalloc(cap * sizeof **counts);
    for (char *line = mf; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t ll = nl ? (size_t)(nl - line) : strlen(line);
        json_t *e = ll ? json_parse(a, line, ll, DDB_JSON_DEPTH, &je) : NULL;
        line = nl ? nl + 1 : NULL;
        if (!ll) continue;
        const json_t *dk = e && e->type == JSON_OBJECT ? json_get(e, "dataFileS3Key") : NULL;
        const json_t *ic = e && e->type == JSON_OBJECT ? json_get(e, "itemCount") : NULL;
        const json_t *md = e && e->type == JSON_OBJECT ? json_get(e, "md5Checksum") : NULL;
        if (!dk || dk->type != JSON_STRING || !ic || ic->type != JSON_NUMBER) {
            load_fail(l, "InvalidManifest", "%s: a line is not {itemCount, md5Checksum, etag, dataFileS3Key}",
                      mk->str.ptr);
            free(mf);
            goto out;
        }
        const char *path = manifest_path(a, bucket_dir, summary_key, dk->str.ptr);
        unsigned char sum[16];
        if (file_md5(path, sum) != 0) {
            load_fail(l, "InvalidManifest", "%s names the data file %s, which does not exist", mk->str.ptr,
                      dk->str.ptr);
            free(mf);
            goto out;
        }
        if (md && md->type == JSON_STRING && strcmp(s3_md5_b64(a, sum), md->str.ptr) != 0) {
            load_fail(l, "InvalidManifest", "The data file %s does not match the md5Checksum of %s",
                      dk->str.ptr, mk->str.ptr);
            free(mf);
            goto out;
        }
        if (k == cap) {
            cap *= 2;
            *counts = realloc(*counts, cap * sizeof **counts);
            if (!*counts) abort();
        }
        (*counts)[k++] = strtoll(ic->str.ptr, NULL, 10);
        files_add(out, path, dk->str.ptr);
    }
    free(mf);
    ok = true;
out:
    free(text);
    arena_free(a);
    return ok;
}

static int import_load(eng_t *e, const eng_table_t *t, load_t *l, const char *bucket_dir, const char *prefix)
{
    l->started_ms = l->last_ms = l->last_log_ms = ddb_mono_ms();
    files_t all = {0}, data = {0};
    int64_t *counts = NULL;
    if (!s3job_is_dir(bucket_dir)) {
        load_fail(l, "S3NoSuchBucket", "The specified bucket does not exist");
        return -1;
    }
    walk(&all, bucket_dir, "", prefix ? prefix : "", 0);
    /* exports under the prefix: through their manifests */
    size_t nsum = 0;
    for (size_t i = 0; i < all.n && !l->failed; i++)
        if (!strcmp(base_name(all.keys[i]), "manifest-summary.json")) {
            nsum++;
            int64_t *c = NULL;
            size_t before = data.n;
            if (from_manifest(l, bucket_dir, all.keys[i], &data, &c)) {
                counts = realloc(counts, data.n * sizeof *counts + 1);
                if (!counts) abort();
                for (size_t k = before; k < data.n; k++) counts[k] = c[k - before];
            }
            free(c);
        }
    if (!nsum)
        for (size_t i = 0; i < all.n; i++) {
            const char *b = base_name(all.keys[i]);
            if (b[0] == '_' || b[0] == '.' || ends_with(b, ".md5") || ends_with(b, ".checksum") ||
                (!strncmp(b, "manifest-", 9) && ends_with(b, ".json")))
                continue;
            files_add(&data, all.paths[i], all.keys[i]);
        }
    if (!l->failed && data.n == 0)
        load_fail(l, "InvalidInput", "No objects found under the S3 key prefix '%s'", prefix ? prefix : "");
    eng_bulk_t *bk = l->failed ? NULL : eng_bulk_begin(e, (eng_table_t *)t);
    for (size_t i = 0; i < data.n && !l->failed; i++) {
        int64_t got = load_file(l, bk, t, data.paths[i], data.keys[i]);
        if (got >= 0 && nsum && counts && got != counts[i])
            load_fail(l, "InvalidManifest", "The data file %s holds %lld items, its manifest says %lld",
                      data.keys[i], (long long)got, (long long)counts[i]);
        if (!l->failed) {
            ddb_errctx_t err;
            arena_t *a = arena_new(1024);
            err_init(&err, a);
            if (eng_bulk_flush(bk, &err) != DDB_OK)
                load_fail(l, "InternalServerError", "The table could not be written: %s",
                          err.msg ? err.msg : "");
            arena_free(a);
        }
        l->imported = bk ? eng_bulk_written(bk) : 0;
    }
    if (bk) l->imported = eng_bulk_written(bk);
    eng_bulk_free(bk);
    files_free(&all);
    files_free(&data);
    free(counts);
    uint64_t ms = ddb_mono_ms() - l->started_ms;
    if (l->failed)
        log_warn("%s of table %s failed: %s", l->log_id, l->table, l->failure_message);
    else
        log_info("%s of table %s: %llu items processed, %llu imported, %llu errors, %llu bytes in %llu ms",
                 l->log_id, l->table, (unsigned long long)l->processed, (unsigned long long)l->imported,
                 (unsigned long long)l->errors, (unsigned long long)l->bytes, (unsigned long long)ms);
    return l->failed ? -1 : 0;
}

/* ---- table status ------------------------------------------------------------------------------- */

static ddb_err_t set_active(void *ctx, eng_table_t *copy, ddb_errctx_t *err)
{
    (void)ctx;
    (void)err;
    copy->status = "ACTIVE";
    return DDB_OK;
}

int import_finish_table(eng_t *e, const char *table, bool ok)
{
    arena_t *a = arena_new(1024);
    ddb_errctx_t err;
    err_init(&err, a);
    eng_table_t *t = NULL;
    ddb_err_t rc =
        ok ? eng_table_update(e, table, set_active, NULL, &t, &err) : eng_table_delete(e, table, &t, &err);
    if (t) eng_table_release(t);
    if (rc != DDB_OK) log_error("import of table %s: %s", table, err.msg ? err.msg : "storage error");
    arena_free(a);
    return rc == DDB_OK ? 0 : -1;
}

/* ---- ImportTable's task and record --------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    eng_t *e;
    char *id, *table, *bucket_dir, *prefix;
    char *fixed; /* the record's fixed members, rendered (no braces) */
    double start, end;
    load_t l;
} import_job_t;

static void import_record(import_job_t *x, const char *status)
{
    arena_t *a = arena_new(4096);
    jw_t w;
    s3job_record_open(&w, a, x->fixed, "ImportStatus", status, x->end);
    jw_keyz(&w, "ProcessedSizeBytes");
    jw_int(&w, (long long)x->l.bytes);
    jw_keyz(&w, "ProcessedItemCount");
    jw_int(&w, (long long)x->l.processed);
    jw_keyz(&w, "ImportedItemCount");
    jw_int(&w, (long long)x->l.imported);
    jw_keyz(&w, "ErrorCount");
    jw_int(&w, (long long)x->l.errors);
    if (!strcmp(status, "FAILED")) {
        jw_keyz(&w, "FailureCode");
        jw_strz(&w, x->l.failure_code);
        jw_keyz(&w, "FailureMessage");
        jw_strz(&w, x->l.failure_message);
    }
    s3job_record_close(x->e, &w, a, "import", x->id);
}

static void import_progress(void *ctx)
{
    import_record(ctx, "IN_PROGRESS");
}

static void import_task(eng_task_t *task, void *arg)
{
    import_job_t *x = arg;
    x->l.task = task;
    eng_table_t *t = eng_table_get(x->e, x->table, strlen(x->table));
    int rc = -1;
    if (t) {
        rc = import_load(x->e, t, &x->l, x->bucket_dir, x->prefix);
        eng_table_release(t);
    } else {
        load_fail(&x->l, "InternalServerError", "The table was deleted during the import");
    }
    /* the record first: a stop between the two leaves an IN_PROGRESS record that recovery fails */
    if (rc == 0 && import_finish_table(x->e, x->table, true) != 0)
        load_fail(&x->l, "InternalServerError", "The table could not be made ACTIVE"), rc = -1;
    if (rc != 0) import_finish_table(x->e, x->table, false);
    x->end = ddb_now_s();
    import_record(x, rc == 0 ? "COMPLETED" : "FAILED");
}

static void import_free(void *arg)
{
    import_job_t *x = arg;
    for (size_t i = 0; i < x->l.n_headers; i++) free(x->l.headers[i]);
    free(x->l.headers);
    arena_free(x->a);
}

/* ---- the API ------------------------------------------------------------------------------------- */

static const char *const INPUT_FORMATS[] = {"DYNAMODB_JSON", "ION", "CSV", NULL};
static const char *const COMPRESSIONS[] = {"GZIP", "ZSTD", "NONE", NULL};

ddb_err_t api_ImportTable(ddb_req_t *r)
{
    const json_t *b = r->body;
    bool bad = false;
    const json_t *jtoken = vc_fld(r, b, "ClientToken", JSON_STRING, &bad);
    const json_t *jsrc = vc_fld(r, b, "S3BucketSource", JSON_OBJECT, &bad);
    const json_t *jfmt = vc_fld(r, b, "InputFormat", JSON_STRING, &bad);
    const json_t *jopts = vc_fld(r, b, "InputFormatOptions", JSON_OBJECT, &bad);
    const json_t *jcomp = vc_fld(r, b, "InputCompressionType", JSON_STRING, &bad);
    const json_t *jtcp = vc_fld(r, b, "TableCreationParameters", JSON_OBJECT, &bad);
    const json_t *jbucket = jsrc ? vc_fld(r, jsrc, "S3Bucket", JSON_STRING, &bad) : NULL;
    const json_t *jowner = jsrc ? vc_fld(r, jsrc, "S3BucketOwner", JSON_STRING, &bad) : NULL;
    const json_t *jprefix = jsrc ? vc_fld(r, jsrc, "S3KeyPrefix", JSON_STRING, &bad) : NULL;
    const json_t *jcsv = jopts ? vc_fld(r, jopts, "Csv", JSON_OBJECT, &bad) : NULL;
    const json_t *jdelim = jcsv ? vc_fld(r, jcsv, "Delimiter", JSON_STRING, &bad) : NULL;
    const json_t *jhdr = jcsv ? vc_fld(r, jcsv, "HeaderList", JSON_ARRAY, &bad) : NULL;
    if (bad) return r->err.code;

    vcheck_t v;
    vc_init(&v, r);
    if (!jsrc) {
        s3job_vc_common(&v, jtoken, NULL, NULL, NULL, NULL);
        vc_add(&v, "null", "s3BucketSource", "Member must not be null");
    }
    if (jsrc) {
        s3job_vc_common(&v, jtoken, jbucket, "s3BucketSource.s3Bucket", jowner,
                        "s3BucketSource.s3BucketOwner");
        vc_len(&v, jprefix, "s3BucketSource.s3KeyPrefix", 0, 1024, false);
    }
    if (!jfmt) vc_add(&v, "null", "inputFormat", "Member must not be null");
    vc_enum(&v, jfmt, "inputFormat", INPUT_FORMATS, "[DYNAMODB_JSON, ION, CSV]");
    vc_enum(&v, jcomp, "inputCompressionType", COMPRESSIONS, "[GZIP, ZSTD, NONE]");
    if (jdelim) {
        vc_len(&v, jdelim, "inputFormatOptions.csv.delimiter", 1, 1, false);
        if (jdelim->str.len == 1 && !strchr(",;:|\t ", jdelim->str.ptr[0]))
            vc_add(&v, vc_show_str(r, jdelim), "inputFormatOptions.csv.delimiter",
                   "Member must satisfy regular expression pattern: [,;:|\\t ]");
    }
    if (jhdr) {
        if (jhdr->n < 1 || jhdr->n > 255)
            vc_add(&v, "[]", "inputFormatOptions.csv.headerList",
                   jhdr->n < 1 ? "Member must have length greater than or equal to 1"
                               : "Member must have length less than or equal to 255");
        for (const json_t *h = jhdr->child; h; h = h->next)
            if (h->type != JSON_STRING || h->str.len < 1 || h->str.len > 65536) {
                vc_add(&v, "[...]", "inputFormatOptions.csv.headerList",
                       "Member must satisfy constraint: [Member must have length less than or equal to "
                       "65536, Member "
                       "must have length greater than or equal to 1]");
                break;
            }
    }
    if (!jtcp) vc_add(&v, "null", "tableCreationParameters", "Member must not be null");
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    if (jopts && !ddb_str_eq(jfmt->str, "CSV") && jcsv)
        return err_set(&r->err, DDB_ERR_VALIDATION,
                       "InputFormatOptions are only valid with the CSV InputFormat");
    eng_table_t spec;
    if ((rc = tablespec_create_or_err(r, jtcp, &spec))) return rc;
    if (spec.n_idx) /* ImportTable takes GlobalSecondaryIndexes only (its shape has no LSIs) */
        for (size_t i = 0; i < spec.n_idx; i++)
            if (!spec.idx[i].global)
                return err_set(&r->err, DDB_ERR_VALIDATION,
                               "LocalSecondaryIndexes are not supported by ImportTable");
    if ((rc = s3job_need_dir_or_err(r))) return rc;

    /* ClientToken: the same request again answers the same import */
    jw_t pw; /* the parameters a token binds: the whole request, as read */
    jw_init(&pw, r->a, 512);
    jw_json(&pw, b);
    buf_putc(&pw.b, 0);
    const char *params = pw.b.data;
    if (s3job_replayed(r, "import", jtoken, params, "ImportTableDescription", DDB_ERR_IMPORT_CONFLICT, &rc))
        return rc;

    if ((rc = tabledesc_new_name_or_err(r, spec.name, DDB_ERR_RESOURCE_IN_USE))) return rc;
    spec.status = "CREATING";
    eng_table_t *nt = NULL;
    if ((rc = eng_table_create(r->eng, &spec, &nt, &r->err))) return rc;

    arena_t *a = arena_new(16 << 10);
    import_job_t *x = ARENA_NEW(a, import_job_t);
    memset(x, 0, sizeof *x);
    x->a = a;
    x->e = r->eng;
    char id[S3JOB_ID_LEN + 1];
    s3job_new_id(id);
    x->id = arena_strdup(a, id);
    x->table = arena_strdup(a, nt->name);
    x->bucket_dir = arena_strdup(a, s3job_dir(r->cfg, a, jbucket->str.ptr, NULL));
    x->prefix = jprefix ? arena_strdup(a, jprefix->str.ptr) : NULL;
    x->start = ddb_now_s();
    load_t *l = &x->l;
    l->e = r->eng;
    l->table = x->table;
    l->log_id = arena_sprintf(a, "import %s", id);
    l->fmt = ddb_str_eq(jfmt->str, "ION")   ? FMT_ION
             : ddb_str_eq(jfmt->str, "CSV") ? FMT_CSV
                                            : FMT_DYNAMODB_JSON;
    l->comp = !jcomp || ddb_str_eq(jcomp->str, "NONE") ? S3_COMP_NONE
              : ddb_str_eq(jcomp->str, "GZIP")         ? S3_COMP_GZIP
                                                       : S3_COMP_ZSTD;
    l->delim = jdelim && jdelim->str.len == 1 ? jdelim->str.ptr[0] : ',';
    if (jhdr && jhdr->n) {
        l->headers = ddb_xmalloc(jhdr->n * sizeof *l->headers);
        for (const json_t *h = jhdr->child; h; h = h->next)
            l->headers[l->n_headers++] = ddb_xstrdup(h->str.ptr);
    }
    l->progress = import_progress;
    l->progress_ctx = x;

    const char *token = jtoken ? jtoken->str.ptr : NULL;
    char gen[37];
    if (!token) {
        unsigned char u[16];
        if (RAND_bytes(u, sizeof u) != 1) abort();
        snprintf(gen, sizeof gen, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13],
                 u[14], u[15]);
        token = gen;
    }
    const char *account = r->account ? r->account : DDB_ACCOUNT;
    jw_t w;
    jw_init(&w, a, 2048);
    jw_obj_begin(&w);
    jw_keyz(&w, "ImportArn");
    jw_strz(&w,
            arena_sprintf(a, "arn:aws:dynamodb:%s:%s:table/%s/import/%s", r->region, account, nt->name, id));
    jw_keyz(&w, "TableArn");
    jw_strz(&w, tabledesc_arn(r, nt->name));
    jw_keyz(&w, "TableId");
    jw_strz(&w, nt->id);
    jw_keyz(&w, "ClientToken");
    jw_strz(&w, token);
    jw_keyz(&w, "S3BucketSource");
    jw_json(&w, jsrc);
    jw_keyz(&w, "CloudWatchLogGroupArn");
    jw_strz(&w, arena_sprintf(a, "arn:aws:logs:%s:%s:log-group:/aws-dynamodb/imports:*", r->region, account));
    jw_keyz(&w, "InputFormat");
    jw_strz(&w, jfmt->str.ptr);
    if (jopts) {
        jw_keyz(&w, "InputFormatOptions");
        jw_json(&w, jopts);
    }
    jw_keyz(&w, "InputCompressionType");
    jw_strz(&w, jcomp ? jcomp->str.ptr : "NONE");
    jw_keyz(&w, "TableCreationParameters");
    jw_json(&w, jtcp);
    jw_keyz(&w, "StartTime");
    jw_double(&w, x->start);
    jw_keyz(&w, "_table");
    jw_strz(&w, nt->name);
    jw_keyz(&w, "_params");
    jw_strz(&w, params);
    jw_obj_end(&w);
    x->fixed = arena_memdup(a, w.b.data + 1, w.b.len - 2);
    x->fixed[w.b.len - 2] = 0;
    eng_table_release(nt);
    import_record(x, "IN_PROGRESS");
    const json_t *rec = s3job_record_get(r->eng, "import", id, r->a);
    if (!rec) {
        import_finish_table(r->eng, x->table, false);
        import_free(x);
        return err_set(&r->err, DDB_ERR_INTERNAL, "Internal server error");
    }
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "ImportTableDescription");
    s3job_write_public(&r->out, rec);
    jw_obj_end(&r->out);
    log_info("import %s into table %s from %s started", id, x->table, x->bucket_dir);
    eng_task_start(r->eng, "import", import_task, x, import_free); /* false: stopping; recovery fails it */
    return DDB_OK;
}

ddb_err_t api_DescribeImport(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "ImportArn", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_len(&v, jarn, "importArn", 37, 1024, true);
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *id = s3job_arn_id(r->a, jarn->str.ptr, "import");
    const json_t *rec = id ? s3job_record_get(r->eng, "import", id, r->a) : NULL;
    const char *arn = rec ? s3job_str(json_get(rec, "ImportArn")) : NULL;
    if (!rec || !arn || strcmp(arn, jarn->str.ptr) != 0)
        return err_set(&r->err, DDB_ERR_IMPORT_NOT_FOUND, "Import not found: %s", jarn->str.ptr);
    jw_obj_begin(&r->out);
    jw_keyz(&r->out, "ImportTableDescription");
    s3job_write_public(&r->out, rec);
    jw_obj_end(&r->out);
    return DDB_OK;
}

/* ListImports' NextToken: the last id answered, hex, padded to the model's 112 characters minimum. */
static const char *token_of(arena_t *a, const char *id)
{
    char *t = arena_alloc(a, 113);
    size_t n = strlen(id), k = 0;
    for (size_t i = 0; i < n; i++) k += (size_t)sprintf(t + k, "%02x", (unsigned char)id[i]);
    while (k < 112) t[k++] = '0';
    t[k] = 0;
    return t;
}

static const char *id_of_token(arena_t *a, const char *t, size_t len)
{
    if (len != 112) return NULL;
    char *id = arena_alloc(a, S3JOB_ID_LEN + 1);
    for (size_t i = 0; i < S3JOB_ID_LEN; i++) {
        int h = 0;
        for (int k = 0; k < 2; k++) {
            char c = t[2 * i + (size_t)k];
            int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (v < 0) return NULL;
            h = h * 16 + v;
        }
        id[i] = (char)h;
    }
    id[S3JOB_ID_LEN] = 0;
    return id[14] == '-' ? id : NULL;
}

static void import_summary(jw_t *w, const json_t *rec)
{
    static const char *const SUMMARY[] = {
        "ImportArn", "ImportStatus", "TableArn", "S3BucketSource", "CloudWatchLogGroupArn", "InputFormat",
        "StartTime", "EndTime",      NULL};
    jw_obj_begin(w);
    for (int i = 0; SUMMARY[i]; i++) {
        const json_t *m = json_get(rec, SUMMARY[i]);
        if (!m) continue;
        jw_keyz(w, SUMMARY[i]);
        jw_json(w, m);
    }
    jw_obj_end(w);
}

ddb_err_t api_ListImports(ddb_req_t *r)
{
    bool bad = false;
    const json_t *jarn = vc_fld(r, r->body, "TableArn", JSON_STRING, &bad);
    int64_t max = 25;
    const json_t *jmax = vc_fld_num(r, r->body, "PageSize", SER_INTEGER, &max, &bad);
    const json_t *jnext = vc_fld(r, r->body, "NextToken", JSON_STRING, &bad);
    if (bad) return r->err.code;
    vcheck_t v;
    vc_init(&v, r);
    vc_range(&v, jmax, max, "pageSize", 1, 25);
    if (jnext) {
        vc_len(&v, jnext, "nextToken", 112, 1024, false);
        bool hex = true;
        for (size_t i = 0; i < jnext->str.len && hex; i++)
            hex = (jnext->str.ptr[i] >= '0' && jnext->str.ptr[i] <= '9') ||
                  (jnext->str.ptr[i] >= 'a' && jnext->str.ptr[i] <= 'f');
        if (!hex || jnext->str.len % 16)
            vc_add(&v, vc_show_str(r, jnext), "nextToken",
                   "Member must satisfy regular expression pattern: ([0-9a-f]{16})+");
    }
    ddb_err_t rc;
    if ((rc = vc_done(&v))) return rc;
    const char *table = NULL;
    if (jarn && !(table = s3job_table_from_arn(r->a, jarn->str.ptr)))
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid TableArn: %s", jarn->str.ptr);
    const char *after = NULL;
    if (jnext && !(after = id_of_token(r->a, jnext->str.ptr, jnext->str.len)))
        return err_set(&r->err, DDB_ERR_VALIDATION, "Invalid NextToken for ListImports");
    const char *next;
    if ((rc = s3job_list_page(r, "import", "ImportSummaryList", table, after, max, import_summary, &next)))
        return rc;
    if (next) {
        jw_keyz(&r->out, "NextToken");
        jw_strz(&r->out, token_of(r->a, next));
    }
    jw_obj_end(&r->out);
    return DDB_OK;
}

/* ---- seeding's entry (seed.c): a load in the caller's thread ------------------------------------- */

int import_sync(eng_t *e, const eng_table_t *t, const char *dir, const char *prefix, const char *format,
                const char *compression, char delim, char *errbuf, size_t errlen, uint64_t *imported,
                uint64_t *errors)
{
    load_t l;
    memset(&l, 0, sizeof l);
    l.e = e;
    l.table = t->name;
    l.log_id = "seed";
    l.fmt = format && !strcmp(format, "ION")   ? FMT_ION
            : format && !strcmp(format, "CSV") ? FMT_CSV
                                               : FMT_DYNAMODB_JSON;
    l.comp = compression && !strcmp(compression, "GZIP")   ? S3_COMP_GZIP
             : compression && !strcmp(compression, "ZSTD") ? S3_COMP_ZSTD
                                                           : S3_COMP_NONE;
    l.delim = delim ? delim : ',';
    int rc = import_load(e, t, &l, dir, prefix);
    if (rc != 0) snprintf(errbuf, errlen, "%s", l.failure_message);
    *imported = l.imported;
    *errors = l.errors;
    return rc;
}
