/*
 * seed: tables and items loaded before serving (--seed PATH), and the offline commands
 * `dynarock export` and `dynarock import` that work on a stopped data directory (issue 18).
 *
 * A seed file (docs/operations.md "Seeding") is JSON:
 *
 *   {"Tables": [
 *     {"TableName": "Music", "KeySchema": [...], "AttributeDefinitions": [...], "BillingMode":
 * "PAY_PER_REQUEST", "GlobalSecondaryIndexes": [...],                 <- anything CreateTable takes "Items":
 * [{"Artist": {"S": "Acme"}, ...}, ...],   <- items in DynamoDB JSON, and/or "ItemsFrom": "exports/music", <-
 * a folder (relative to the seed file) read as "InputFormat": "DYNAMODB_JSON", ImportTable reads a bucket: an
 * export's "InputCompressionType": "GZIP"}                       folder, or data files (DYNAMODB_JSON, ION,
 * CSV)
 *   ]}
 *
 * --seed DIR loads every DIR/<name>.seed.json in name order; `dynarock export --to DIR` writes one such
 * file per table beside its export (<table>.seed.json: the table's definition, ItemsFrom the export),
 * so `dynarock export` on one machine and `--seed DIR` on another move tables whole.
 *
 * A table that already exists is skipped (--seed-mode skip, the default: restarting a stack keeps its
 * data), deleted and loaded again (replace), or stops the start (fail). A table whose load fails is
 * removed and the start stops with the reason.
 */
#include "server/server.h"
#include "server/exec.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/log.h"

void seed_write_definition(jw_t *w, const eng_table_t *t)
{
    jw_obj_begin(w);
    jw_keyz(w, "TableName");
    jw_strz(w, t->name);
    jw_keyz(w, "AttributeDefinitions");
    tabledesc_write_attrdefs(w, t);
    jw_keyz(w, "KeySchema");
    tabledesc_write_keyschema(w, &t->key);
    jw_keyz(w, "BillingMode");
    jw_strz(w, t->on_demand ? "PAY_PER_REQUEST" : "PROVISIONED");
    if (!t->on_demand) {
        jw_keyz(w, "ProvisionedThroughput");
        jw_obj_begin(w);
        jw_keyz(w, "ReadCapacityUnits");
        jw_int(w, t->rcu);
        jw_keyz(w, "WriteCapacityUnits");
        jw_int(w, t->wcu);
        jw_obj_end(w);
    }
    for (int global = 1; global >= 0; global--) {
        size_t n = 0;
        for (size_t i = 0; i < t->n_idx; i++) n += t->idx[i].global == (bool)global;
        if (!n) continue;
        jw_keyz(w, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
        jw_arr_begin(w);
        for (size_t i = 0; i < t->n_idx; i++) {
            const eng_index_t *x = &t->idx[i];
            if (x->global != (bool)global) continue;
            jw_obj_begin(w);
            jw_keyz(w, "IndexName");
            jw_strz(w, x->name);
            jw_keyz(w, "KeySchema");
            tabledesc_write_keyschema(w, &x->key);
            jw_keyz(w, "Projection");
            tabledesc_write_projection(w, x);
            if (global && !t->on_demand) {
                jw_keyz(w, "ProvisionedThroughput");
                jw_obj_begin(w);
                jw_keyz(w, "ReadCapacityUnits");
                jw_int(w, x->rcu);
                jw_keyz(w, "WriteCapacityUnits");
                jw_int(w, x->wcu);
                jw_obj_end(w);
            }
            jw_obj_end(w);
        }
        jw_arr_end(w);
    }
    jw_obj_end(w);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *b = ddb_xmalloc(cap + 1);
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            b = realloc(b, cap + 1);
            if (!b) abort();
        }
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

/* One table of a seed file. */
static int seed_table(eng_t *e, const ddb_config_t *cfg, const char *base_dir, const json_t *jt,
                      seed_mode_t mode, char *errbuf, size_t errlen)
{
    arena_t *a = arena_new(64 << 10);
    ddb_req_t r;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.eng = e;
    r.cfg = cfg;
    r.region = "us-east-1";
    r.op = "CreateTable";
    err_init(&r.err, a);
    int rc = -1;
    const json_t *items = json_get(jt, "Items");
    const json_t *from = json_get(jt, "ItemsFrom");
    /* the definition: the object without the seed's own members */
    json_t *def = ARENA_NEW(a, json_t);
    *def = *jt;
    def->child = NULL;
    def->n = 0;
    json_t **tail = &def->child;
    for (const json_t *m = jt->child; m; m = m->next) {
        if (ddb_str_eq(m->key, "Items") || ddb_str_eq(m->key, "ItemsFrom") ||
            ddb_str_eq(m->key, "InputFormat") || ddb_str_eq(m->key, "InputCompressionType") ||
            ddb_str_eq(m->key, "CsvDelimiter"))
            continue;
        json_t *c = ARENA_NEW(a, json_t);
        *c = *m;
        c->next = NULL;
        *tail = c;
        tail = &c->next;
        def->n++;
    }
    eng_table_t spec;
    if (deser_check_or_err(&r, deser_op_shape("DynamoDB_20120810", 17, "CreateTable", 11), def) != DDB_OK ||
        tablespec_create_or_err(&r, def, &spec) != DDB_OK) {
        const json_t *nm = json_get(jt, "TableName");
        snprintf(errbuf, errlen, "table %s: %s", nm && nm->type == JSON_STRING ? nm->str.ptr : "?",
                 r.err.msg ? r.err.msg : "invalid definition");
        goto out;
    }
    eng_table_t *old = eng_table_get(e, spec.name, strlen(spec.name));
    if (old) {
        eng_table_release(old);
        if (mode == SEED_SKIP) {
            log_info("seed: table %s exists: skipped (--seed-mode skip)", spec.name);
            rc = 0;
            goto out;
        }
        if (mode == SEED_FAIL) {
            snprintf(errbuf, errlen, "table %s already exists (--seed-mode fail)", spec.name);
            goto out;
        }
        if (eng_table_delete(e, spec.name, &old, &r.err) != DDB_OK) {
            snprintf(errbuf, errlen, "table %s: %s", spec.name, r.err.msg ? r.err.msg : "cannot delete it");
            goto out;
        }
        if (old) eng_table_release(old);
    }
    eng_table_t *t = NULL;
    if (eng_table_create(e, &spec, &t, &r.err) != DDB_OK) {
        snprintf(errbuf, errlen, "table %s: %s", spec.name, r.err.msg ? r.err.msg : "cannot create it");
        goto out;
    }
    uint64_t n = 0, bad = 0;
    if (items && items->type == JSON_ARRAY) {
        eng_bulk_t *bk = eng_bulk_begin(e, t);
        int i = 0;
        for (const json_t *it = items->child; it; it = it->next, i++) {
            av_map_t item;
            ddb_errctx_t err;
            err_init(&err, a);
            if ((it->type != JSON_OBJECT &&
                 (err_set(&err, DDB_ERR_VALIDATION, "an item is not an object"), 1)) ||
                avjson_map(a, &err, it, &item, 0) != DDB_OK ||
                exec_item_keys_or_err(&err, t, &item) != DDB_OK || eng_bulk_put(bk, &item, &err) != DDB_OK) {
                snprintf(errbuf, errlen, "table %s, item %d: %s", spec.name, i,
                         err.msg ? err.msg : "invalid");
                eng_bulk_free(bk);
                goto fail_table;
            }
        }
        ddb_errctx_t err;
        err_init(&err, a);
        if (eng_bulk_flush(bk, &err) != DDB_OK) {
            snprintf(errbuf, errlen, "table %s: %s", spec.name, err.msg ? err.msg : "storage error");
            eng_bulk_free(bk);
            goto fail_table;
        }
        n += eng_bulk_written(bk);
        eng_bulk_free(bk);
    } else if (items) {
        snprintf(errbuf, errlen, "table %s: Items must be a list of items", spec.name);
        goto fail_table;
    }
    if (from && from->type == JSON_STRING) {
        const char *dir =
            from->str.ptr[0] == '/' ? from->str.ptr : arena_sprintf(a, "%s/%s", base_dir, from->str.ptr);
        const json_t *fmt = json_get(jt, "InputFormat"), *comp = json_get(jt, "InputCompressionType");
        const json_t *delim = json_get(jt, "CsvDelimiter");
        uint64_t got = 0;
        if (import_sync(e, t, dir, "", fmt && fmt->type == JSON_STRING ? fmt->str.ptr : "DYNAMODB_JSON",
                        comp && comp->type == JSON_STRING ? comp->str.ptr : NULL,
                        delim && delim->type == JSON_STRING && delim->str.len == 1 ? delim->str.ptr[0] : ',',
                        errbuf, errlen, &got, &bad) != 0) {
            char *tmp = arena_sprintf(a, "table %s from %s: %s", spec.name, dir, errbuf);
            snprintf(errbuf, errlen, "%s", tmp);
            goto fail_table;
        }
        n += got;
    }
    log_info("seed: table %s loaded: %llu items%s", spec.name, (unsigned long long)n,
             bad ? arena_sprintf(a, " (%llu bad items skipped, see the log)", (unsigned long long)bad) : "");
    eng_table_release(t);
    rc = 0;
    goto out;
fail_table:
    eng_table_release(t);
    import_finish_table(e, spec.name, false);
out:
    arena_free(a);
    return rc;
}

static int seed_file(eng_t *e, const ddb_config_t *cfg, const char *path, seed_mode_t mode, char *errbuf,
                     size_t errlen)
{
    size_t len;
    char *text = read_file(path, &len);
    if (!text) {
        snprintf(errbuf, errlen, "cannot read seed file %s: %s", path, strerror(errno));
        return -1;
    }
    arena_t *a = arena_new(len + 4096);
    json_error_t je;
    json_t *j = json_parse(a, text, len, DDB_JSON_DEPTH, &je);
    int rc = -1;
    const json_t *tables = j && j->type == JSON_OBJECT ? json_get(j, "Tables") : NULL;
    if (!tables || tables->type != JSON_ARRAY) {
        snprintf(errbuf, errlen, "%s: not a seed file (a JSON object with a Tables list)%s", path,
                 j ? "" : arena_sprintf(a, ": invalid JSON at byte %zu", je.offset));
        goto out;
    }
    char *base = ddb_xstrdup(path);
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(base, ".");
    rc = 0;
    for (const json_t *t = tables->child; t && rc == 0; t = t->next) {
        char msg[768];
        if (t->type != JSON_OBJECT) {
            snprintf(errbuf, errlen, "%s: each entry of Tables is a table's definition", path);
            rc = -1;
        } else if (seed_table(e, cfg, base, t, mode, msg, sizeof msg) != 0) {
            snprintf(errbuf, errlen, "%s: %s", path, msg);
            rc = -1;
        }
    }
    free(base);
out:
    arena_free(a);
    free(text);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int seed_load(eng_t *e, const ddb_config_t *cfg, const char *path, seed_mode_t mode, char *errbuf,
              size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(errbuf, errlen, "--seed %s: %s", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) return seed_file(e, cfg, path, mode, errbuf, errlen);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(errbuf, errlen, "--seed %s: %s", path, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l <= 10 || strcmp(de->d_name + l - 10, ".seed.json") != 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            names = realloc(names, cap * sizeof *names);
            if (!names) abort();
        }
        names[n++] = ddb_xstrdup(de->d_name);
    }
    closedir(d);
    int rc = 0;
    if (!n) {
        snprintf(errbuf, errlen, "--seed %s: the folder has no *.seed.json file", path);
        rc = -1;
    }
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            size_t pl = strlen(path) + strlen(names[i]) + 2;
            char *p = ddb_xmalloc(pl);
            snprintf(p, pl, "%s/%s", path, names[i]);
            rc = seed_file(e, cfg, p, mode, errbuf, errlen);
            free(p);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- the offline commands ------------------------------------------------------------------------ */

static void command_usage(FILE *f)
{
    fprintf(f,
            "usage: dynarock export --data-dir DIR --table NAME --to FOLDER [--format dynamodb_json|ion]\n"
            "       dynarock import --data-dir DIR --from SEED [--seed-mode skip|replace|fail]\n"
            "  export writes FOLDER/AWSDynamoDB/<id>/ (DynamoDB's export layout) and FOLDER/NAME.seed.json;\n"
            "  import loads a seed file or a folder of *.seed.json (docs/operations.md \"Seeding\").\n"
            "  Both work on a stopped data directory (a running server holds its lock).\n");
}

int seed_parse_mode(const char *s, seed_mode_t *out)
{
    if (!s) return -1;
    if (!strcmp(s, "skip"))
        *out = SEED_SKIP;
    else if (!strcmp(s, "replace"))
        *out = SEED_REPLACE;
    else if (!strcmp(s, "fail"))
        *out = SEED_FAIL;
    else
        return -1;
    return 0;
}

int seed_command(int argc, char **argv)
{
    bool is_export = !strcmp(argv[1], "export");
    const char *data_dir = NULL, *table = NULL, *to = NULL, *from = NULL, *format = "dynamodb_json";
    seed_mode_t mode = SEED_SKIP;
    for (int i = 2; i < argc; i += 2) { /* options and their values, in pairs */
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            command_usage(stdout);
            return 0;
        }
        if (!next) {
            fprintf(stderr, "dynarock %s: %s needs a value (try --help)\n", argv[1], a);
            return 2;
        }
        if (!strcmp(a, "--data-dir") || !strcmp(a, "-dbPath"))
            data_dir = next;
        else if (is_export && !strcmp(a, "--table"))
            table = next;
        else if (is_export && !strcmp(a, "--to"))
            to = next;
        else if (is_export && !strcmp(a, "--format"))
            format = next;
        else if (!is_export && !strcmp(a, "--from"))
            from = next;
        else if (!is_export && !strcmp(a, "--seed-mode")) {
            if (seed_parse_mode(next, &mode) != 0) {
                fprintf(stderr, "dynarock import: --seed-mode needs skip, replace or fail\n");
                return 2;
            }
        } else {
            fprintf(stderr, "dynarock %s: unknown option '%s' (try --help)\n", argv[1], a);
            return 2;
        }
    }
    bool ion = !strcasecmp(format, "ion");
    if (!ion && strcasecmp(format, "dynamodb_json") != 0) {
        fprintf(stderr, "dynarock export: --format needs dynamodb_json or ion\n");
        return 2;
    }
    if (!data_dir || (is_export && (!table || !to)) || (!is_export && !from)) {
        command_usage(stderr);
        return 2;
    }
    struct stat st;
    if (is_export && stat(data_dir, &st) != 0) {
        fprintf(stderr, "dynarock export: no data directory %s\n", data_dir);
        return 1;
    }
    if (!is_export && mkdir(data_dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "dynarock import: cannot create data directory %s\n", data_dir);
        return 1;
    }
    eng_opts_t eo = {0};
    eo.data_dir = data_dir;
    eo.sync_writes = false;
    char *oerr = NULL;
    eng_t *e = eng_open(&eo, &oerr);
    if (!e) {
        fprintf(stderr, "dynarock %s: cannot open the database in %s: %s\n", argv[1], data_dir,
                oerr ? oerr : "unknown error");
        free(oerr);
        return 1;
    }
    char err[1024];
    int rc = 0;
    if (is_export) {
        if (s3_mkdirs(to) != 0) {
            fprintf(stderr, "dynarock export: cannot create %s: %s\n", to, strerror(errno));
            rc = 1;
        } else if (export_offline(e, table, to, ion, err, sizeof err) != 0) {
            fprintf(stderr, "dynarock export: %s\n", err);
            rc = 1;
        }
    } else {
        ddb_config_t cfg = {0};
        if (seed_load(e, &cfg, from, mode, err, sizeof err) != 0) {
            fprintf(stderr, "dynarock import: %s\n", err);
            rc = 1;
        } else {
            printf("imported %s into %s\n", from, data_dir);
        }
    }
    eng_close(e);
    return rc;
}
