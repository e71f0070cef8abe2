/*
 * db: the only file that includes rocksdb/c.h. Opens the database with all its column
 * families, creates and drops them, reads points, commits write batches. Also owns the write
 * gate (writes refused while the disk is full, resumed by a probe thread) and the named
 * fault-injection sites used by tests (both described in engine_int.h and docs/operations.md).
 *
 * Full disks and Debian's RocksDB: librocksdb.a is built with assertions, and once a RocksDB file
 * writer has failed, any further append to it aborts the process. Two writers can be asked again:
 * the write-ahead log (RocksDB stops the database after a failed log write, and our gate stops
 * calling it) and the info LOG, which RocksDB writes on every error and flushes every 10 s. So the
 * info LOG is given a level above every message (6, NUM_INFO_LOG_LEVELS): nothing is appended
 * after open. Our own log (stderr) carries RocksDB's error text instead. The price: RocksDB cannot
 * write that level into an OPTIONS file, so it leaves a small OPTIONS-*.dbtmp file at each open and
 * column family change, which db__open and db__close delete.
 *
 * Tuning (point lookups dominate): block-based tables with a 10-bit bloom filter, a shared LRU
 * block cache, whole-key filtering, pinned L0 filter/index blocks. In-memory mode uses RocksDB's
 * memory Env so nothing touches the disk.
 */
#include "engine/engine_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

struct db {
    rocksdb_t *rdb;
    rocksdb_options_t *opts;       /* the database's, and those of the default and sys families */
    rocksdb_options_t *stats_opts; /* with the word-sum merge operator (below) */
    rocksdb_options_t *data_opts;  /* table and index families: with a memtable filter */
    rocksdb_env_t *env;            /* memory env or NULL */
    rocksdb_cache_t *cache;
    rocksdb_block_based_table_options_t *bbto;
    rocksdb_writeoptions_t *wopts;
    rocksdb_readoptions_t *ropts;
    pthread_mutex_t cf_mu; /* guards the list below */
    size_t ncf, capcf;
    struct db_cf **cfs;
    db_cf_t *sys, *stats;
    char *path; /* data directory (NULL in memory) */
    /* the write gate */
    atomic_int state; /* db_state_t */
    rocksdb_writebatch_t *probe_wb;
    pthread_t probe;
    bool probe_started;
    pthread_mutex_t probe_mu; /* guards probe_stop; probe_cv wakes the probe */
    pthread_cond_t probe_cv;
    bool probe_stop;
};

struct db_cf {
    rocksdb_column_family_handle_t *h;
    char name[64];
};

struct db_batch {
    rocksdb_writebatch_t *wb;
};

/* ---- fault injection -------------------------------------------------------------------- */

typedef struct {
    bool armed;
    db_fault_kind_t kind;
    long skip, count; /* count -1: always */
    int percent;      /* 1..100: fail with this probability instead */
    long hits;
} fault_site_t;

atomic_int db__faults_armed;
static pthread_mutex_t fault_mu = PTHREAD_MUTEX_INITIALIZER;
static fault_site_t fault_sites[DB_FAULT__COUNT];
static unsigned fault_seed = 1; /* fixed: a probabilistic run repeats */
static const char *const fault_names[DB_FAULT__COUNT] = {"write", "get",       "iter",
                                                         "flush", "create_cf", "drop_cf"};

/* The slow path of a site: whether this call fails, and how. */
static bool fault_hit(db_fault_site_t site, db_fault_kind_t *kind)
{
    pthread_mutex_lock(&fault_mu);
    fault_site_t *f = &fault_sites[site];
    bool fail = false;
    f->hits++;
    if (f->armed) {
        if (f->skip > 0)
            f->skip--;
        else if (f->percent)
            fail = (int)(rand_r(&fault_seed) % 100) < f->percent;
        else if (f->count != 0) {
            fail = true;
            if (f->count > 0 && --f->count == 0) f->armed = false;
        }
    }
    *kind = f->kind;
    pthread_mutex_unlock(&fault_mu);
    return fail;
}

/* One relaxed load and a predictable branch when nothing is armed. */
#define FAULT(site, kindp)                                                                                   \
    (__builtin_expect(atomic_load_explicit(&db__faults_armed, memory_order_relaxed) != 0, 0) &&              \
     fault_hit(site, kindp))

/* The error text RocksDB would have given (the no-space one is what a full disk gives). */
static const char *fault_text(db_fault_kind_t kind)
{
    return kind == DB_FAULT_NOSPACE ? "IO error: No space left on device: injected fault" : "Injected fault";
}

void db__fault_set(db_fault_site_t site, db_fault_kind_t kind, long skip, long count, int percent)
{
    pthread_mutex_lock(&fault_mu);
    fault_sites[site] = (fault_site_t){true, kind, skip, count, percent, fault_sites[site].hits};
    atomic_store(&db__faults_armed, 1);
    pthread_mutex_unlock(&fault_mu);
}

void db__fault_clear(void)
{
    pthread_mutex_lock(&fault_mu);
    memset(fault_sites, 0, sizeof fault_sites);
    atomic_store(&db__faults_armed, 0);
    pthread_mutex_unlock(&fault_mu);
}

long db__fault_hits(db_fault_site_t site)
{
    pthread_mutex_lock(&fault_mu);
    long n = fault_sites[site].hits;
    pthread_mutex_unlock(&fault_mu);
    return n;
}

/* One "site:when[:kind]" item; 0 or -1. */
static int fault_parse_one(const char *item, size_t len, char **errmsg)
{
    char buf[128];
    if (len == 0 || len >= sizeof buf) goto bad;
    memcpy(buf, item, len);
    buf[len] = 0;
    char *when = strchr(buf, ':');
    if (!when) goto bad;
    *when++ = 0;
    char *kindp = strchr(when, ':');
    if (kindp) *kindp++ = 0;
    int site = -1;
    for (int i = 0; i < DB_FAULT__COUNT; i++)
        if (!strcmp(buf, fault_names[i])) site = i;
    if (site < 0) goto bad;
    db_fault_kind_t kind = DB_FAULT_ERROR;
    if (kindp && !strcmp(kindp, "nospace"))
        kind = DB_FAULT_NOSPACE;
    else if (kindp && strcmp(kindp, "error"))
        goto bad;
    long skip = 0, count = 0;
    int percent = 0;
    char *end;
    if (!strcmp(when, "always"))
        count = -1;
    else if (when[0] >= '0' && when[0] <= '9') {
        long v = strtol(when, &end, 10);
        if (*end == '%' && end[1] == 0 && v >= 1 && v <= 100)
            percent = (int)v;
        else if (v >= 1 && (*end == 0 || *end == '@')) {
            count = v;
            if (*end == '@') {
                if (end[1] < '0' || end[1] > '9') goto bad;
                skip = strtol(end + 1, &end, 10);
                if (*end) goto bad;
            }
        } else
            goto bad;
    } else
        goto bad;
    db__fault_set((db_fault_site_t)site, kind, skip, count, percent);
    return 0;
bad:
    if (errmsg) {
        size_t n =
            strlen("DYNAROCK_FAULTS: bad item '' (site:N[@SKIP]|always|P%[:error|nospace], sites write, "
                   "get, iter, flush, create_cf, drop_cf)") +
            len + 1;
        *errmsg = malloc(n);
        if (!*errmsg) abort();
        snprintf(
            *errmsg, n,
            "DYNAROCK_FAULTS: bad item '%.*s' (site:N[@SKIP]|always|P%%[:error|nospace], sites write, get, "
            "iter, flush, create_cf, drop_cf)",
            (int)len, item);
    }
    return -1;
}

int db__fault_parse(const char *spec, char **errmsg)
{
    db__fault_clear();
    for (const char *p = spec; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (fault_parse_one(p, len, errmsg) != 0) {
            db__fault_clear();
            return -1;
        }
        p += len + (comma ? 1 : 0);
    }
    return 0;
}

/* ---- the write gate -------------------------------------------------------------------------- */

static const char *stop_cause(db_state_t st)
{
    return st == DB_STOPPED_NOSPACE
               ? "the data directory's disk is full; writes are refused until space is freed"
               : "the data directory cannot be written (I/O error); writes are refused until "
                 "it recovers";
}

db_state_t db__state(db_t *db)
{
    return (db_state_t)atomic_load_explicit(&db->state, memory_order_acquire);
}

ddb_err_t db__storage_err(db_t *db, bool writing, ddb_errctx_t *err)
{
    db_state_t st = writing ? db__state(db) : DB_WRITABLE;
    if (st == DB_WRITABLE) return err_set(err, DDB_ERR_INTERNAL, "Internal server error");
    return err_set(err, DDB_ERR_INTERNAL, "Internal server error: %s", stop_cause(st));
}

/* Whether RocksDB's error text says the disk is full. */
static bool is_nospace(const char *msg)
{
    return strstr(msg, "No space left") || strstr(msg, "Space limit");
}

/* A change RocksDB (or an injected fault) refused with text msg: I/O errors close the gate (logged
 * once, by the caller that closed it); other errors are logged each time. Returns -1. */
static int change_failed(db_t *db, const char *what, const char *msg)
{
    db_state_t st = is_nospace(msg)                ? DB_STOPPED_NOSPACE
                    : !strncmp(msg, "IO error", 8) ? DB_STOPPED_IOERR
                                                   : DB_WRITABLE;
    if (st == DB_WRITABLE) {
        log_error("%s: %s", what, msg);
        return -1;
    }
    int expect = DB_WRITABLE;
    if (atomic_compare_exchange_strong(&db->state, &expect, (int)st)) {
        log_error("%s: %s: %s (reads go on)", what, msg, stop_cause(st));
        pthread_mutex_lock(&db->probe_mu);
        pthread_cond_signal(&db->probe_cv);
        pthread_mutex_unlock(&db->probe_mu);
    }
    return -1;
}

/* With the gate closed: when the disk has room again, write a probe record. RocksDB answers it
 * with its background error (without touching the failed log) until its own recovery (started by
 * its SstFileManager once the disk has room: it flushes the memtables and opens a new log) is done;
 * then the probe is written and the gate opens. */
static void try_resume(db_t *db)
{
    db_state_t st = db__state(db);
    if (st == DB_WRITABLE) return;
    struct statvfs sv;
    if (db->path && statvfs(db->path, &sv) == 0 &&
        (unsigned long long)sv.f_bavail * sv.f_frsize < DB_RESUME_MIN_FREE)
        return;
    char *err = NULL;
    rocksdb_write(db->rdb, db->wopts, db->probe_wb, &err);
    if (err) {
        free(err);
        return;
    }
    int expect = (int)st;
    if (atomic_compare_exchange_strong(&db->state, &expect, DB_WRITABLE))
        log_info("writes resumed: %s", st == DB_STOPPED_NOSPACE ? "the data directory's disk has room again"
                                                                : "the data directory is writable again");
}

static void *probe_main(void *arg)
{
    db_t *db = arg;
    pthread_mutex_lock(&db->probe_mu);
    while (!db->probe_stop) {
        if (db__state(db) == DB_WRITABLE) {
            pthread_cond_wait(&db->probe_cv, &db->probe_mu);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += (long)DB_PROBE_MS * 1000000L;
        ts.tv_sec += ts.tv_nsec / 1000000000L;
        ts.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&db->probe_cv, &db->probe_mu, &ts);
        if (db->probe_stop) break;
        pthread_mutex_unlock(&db->probe_mu);
        try_resume(db);
        pthread_mutex_lock(&db->probe_mu);
    }
    pthread_mutex_unlock(&db->probe_mu);
    return NULL;
}

/* OPTIONS-*.dbtmp files RocksDB leaves behind (see the file comment). */
static void remove_options_tmp(const char *path)
{
    DIR *d = path ? opendir(path) : NULL;
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (strncmp(de->d_name, "OPTIONS-", 8) || n < 14 || strcmp(de->d_name + n - 6, ".dbtmp")) continue;
        char f[4096];
        snprintf(f, sizeof f, "%s/%s", path, de->d_name);
        unlink(f);
    }
    closedir(d);
}

static db_cf_t *wrap_cf(db_t *db, rocksdb_column_family_handle_t *h, const char *name)
{
    db_cf_t *cf = calloc(1, sizeof *cf);
    if (!cf) abort();
    cf->h = h;
    snprintf(cf->name, sizeof cf->name, "%s", name);
    pthread_mutex_lock(&db->cf_mu);
    if (db->ncf == db->capcf) {
        db->capcf = db->capcf ? db->capcf * 2 : 16;
        db->cfs = realloc(db->cfs, db->capcf * sizeof *db->cfs);
        if (!db->cfs) abort();
    }
    db->cfs[db->ncf++] = cf;
    pthread_mutex_unlock(&db->cf_mu);
    return cf;
}

/* Counters: a value and every merge operand are little-endian 64-bit words (at most 4), summed
 * word by word (two's complement, so negative deltas wrap back); the result is as long as the
 * longest input. An 8-byte value is what RocksDB's uint64add wrote for databases of earlier
 * versions, so their counters keep adding up. Compactions may pass many operands: no copies. */
typedef struct {
    uint64_t w[4];
    size_t n;
} wordsum_t;

static void wordsum_add(wordsum_t *s, const char *p, size_t len)
{
    size_t words = len / 8 > 4 ? 4 : len / 8;
    for (size_t w = 0; w < words; w++) s->w[w] += le64_get(p + w * 8);
    if (words > s->n) s->n = words;
}

static char *wordsum_out(const wordsum_t *s, unsigned char *ok, size_t *out_len)
{
    char *out = malloc(s->n * 8 + 1);
    if (!out) abort();
    for (size_t w = 0; w < s->n; w++) le64_put(out + w * 8, s->w[w]);
    *out_len = s->n * 8;
    *ok = 1;
    return out;
}

static char *wordsum_full(void *st, const char *k, size_t kl, const char *existing, size_t existing_len,
                          const char *const *ops, const size_t *op_lens, int n, unsigned char *ok,
                          size_t *out_len)
{
    wordsum_t s = {{0}, 0};
    if (existing) wordsum_add(&s, existing, existing_len);
    for (int i = 0; i < n; i++) wordsum_add(&s, ops[i], op_lens[i]);
    return wordsum_out(&s, ok, out_len);
}

static char *wordsum_partial(void *st, const char *k, size_t kl, const char *const *ops,
                             const size_t *op_lens, int n, unsigned char *ok, size_t *out_len)
{
    wordsum_t s = {{0}, 0};
    for (int i = 0; i < n; i++) wordsum_add(&s, ops[i], op_lens[i]);
    return wordsum_out(&s, ok, out_len);
}

static void wordsum_destroy(void *st) {}

static void wordsum_free(void *st, const char *v, size_t len)
{
    free((char *)v);
}

static const char *wordsum_name(void *st)
{
    return "dynarock.wordsum";
}

db_t *db__open(const eng_opts_t *o, char **errmsg)
{
    db_t *db = calloc(1, sizeof *db);
    if (!db) abort();
    pthread_mutex_init(&db->cf_mu, NULL);
    pthread_mutex_init(&db->probe_mu, NULL);
    pthread_cond_init(&db->probe_cv, NULL);
    const char *path = o->in_memory ? "/dynarock-in-memory" : o->data_dir;
    if (!o->in_memory && !(db->path = strdup(path))) abort();
    const char *spec = getenv("DYNAROCK_FAULTS");
    if (spec && *spec) {
        if (db__fault_parse(spec, errmsg) != 0) {
            db__close(db);
            return NULL;
        }
        log_warn("fault injection armed: DYNAROCK_FAULTS=%s", spec);
    }

    size_t cache_mb = o->block_cache_mb ? o->block_cache_mb : 32;
    size_t wbuf_mb = o->write_buffer_mb ? o->write_buffer_mb : 16;
    db->cache = rocksdb_cache_create_lru(cache_mb << 20);
    db->bbto = rocksdb_block_based_options_create();
    rocksdb_block_based_options_set_block_cache(db->bbto, db->cache);
    rocksdb_block_based_options_set_filter_policy(db->bbto, rocksdb_filterpolicy_create_bloom(10));
    rocksdb_block_based_options_set_cache_index_and_filter_blocks(db->bbto, 1);
    rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(db->bbto, 1);
    rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(db->bbto, 1);
    rocksdb_block_based_options_set_block_size(db->bbto, 8 << 10);
    /* Partitioned filters and a two-level index: a big file's filter is many 4 KB blocks, each of
     * which fits a cache shard, instead of one block larger than a shard that had to be re-read,
     * copied and checksummed on every point lookup (measured: ~500 us per GetItem at 1 M items). */
    rocksdb_block_based_options_set_partition_filters(db->bbto, 1);
    rocksdb_block_based_options_set_index_type(db->bbto,
                                               rocksdb_block_based_table_index_type_two_level_index_search);
    rocksdb_block_based_options_set_metadata_block_size(db->bbto, 4096);

    db->opts = rocksdb_options_create();
    rocksdb_options_set_create_if_missing(db->opts, 1);
    rocksdb_options_set_create_missing_column_families(db->opts, 1);
    rocksdb_options_set_block_based_table_factory(db->opts, db->bbto);
    /* Every key of a table or index starts with the 4-byte partition hash: filters also hold that
     * prefix, so a Query's seek skips the files that have nothing of its partition (point reads
     * keep the whole-key filter). */
    rocksdb_options_set_prefix_extractor(db->opts,
                                         rocksdb_slicetransform_create_fixed_prefix(FMT_KEY_HASH_LEN));
    rocksdb_options_set_write_buffer_size(db->opts, wbuf_mb << 20);
    rocksdb_options_set_max_write_buffer_number(db->opts, 3);
    rocksdb_options_set_compression(db->opts, rocksdb_lz4_compression);
    rocksdb_options_set_max_background_jobs(db->opts, 2);
    rocksdb_options_set_keep_log_file_num(db->opts, 2);
    rocksdb_options_set_max_manifest_file_size(db->opts, 16 << 20);
    /* No info LOG messages at all (see the file comment): a full disk must not abort the process. */
    rocksdb_options_set_info_log_level(db->opts, 6 /* NUM_INFO_LOG_LEVELS: above HEADER */);
    /* The catalog and statistics column families rarely fill a memtable, so without a cap they pin
     * every write-ahead log file (measured: 488 MB of logs for 49 MB of data after 1 M puts). */
    rocksdb_options_set_max_total_wal_size(db->opts, 64 << 20);
    /* Writers that find another write in progress wait on a condition variable instead of spinning
     * and yielding first: with two event loops and the client on two cores, the spinning cost CPU and
     * pushed PutItem's p99 from ~5 to 8-10 ms (measured). */
    rocksdb_options_set_enable_write_thread_adaptive_yield(db->opts, 0);
    if (o->in_memory) {
        db->env = rocksdb_create_mem_env();
        rocksdb_options_set_env(db->opts, db->env);
    }
    db->stats_opts = rocksdb_options_create_copy(db->opts);
    rocksdb_options_set_merge_operator(
        db->stats_opts, rocksdb_mergeoperator_create(NULL, wordsum_destroy, wordsum_full, wordsum_partial,
                                                     wordsum_free, wordsum_name));
    /* Whole-key filters in the memtables of items and index entries: a write first reads the old
     * item, and for a new key the filter answers "absent" without a walk of the skip list (measured:
     * 12 % fewer instructions per PutItem of a new item). 0.3 % of the write buffer, about 10 bits
     * per entry of ~400 bytes. */
    db->data_opts = rocksdb_options_create_copy(db->opts);
    rocksdb_options_set_memtable_prefix_bloom_size_ratio(db->data_opts, 0.003);
    rocksdb_options_set_memtable_whole_key_filtering(db->data_opts, 1);

    db->wopts = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(db->wopts, o->sync_writes ? 1 : 0);
    /* A writer racing a table or index drop must not fail its whole batch on the dropped family. */
    rocksdb_writeoptions_set_ignore_missing_column_families(db->wopts, 1);
    /* In memory there is nothing to recover, so a log would only hold a second copy in RAM. */
    if (o->in_memory) rocksdb_writeoptions_disable_WAL(db->wopts, 1);
    db->ropts = rocksdb_readoptions_create();
    rocksdb_readoptions_set_total_order_seek(db->ropts, 1); /* db__scan_all walks whole families */

    /* Existing column families (none for a new database). */
    char *err = NULL;
    size_t nexist = 0;
    char **exist = NULL;
    if (!o->in_memory) {
        exist = rocksdb_list_column_families(db->opts, path, &nexist, &err);
        if (err) { /* no database yet (RocksDB still returns an empty array to free) */
            free(err);
            err = NULL;
            if (exist) rocksdb_list_column_families_destroy(exist, 0);
            exist = NULL;
            nexist = 0;
        }
    }
    /* Names to open: everything that exists, plus default/sys/stats. */
    size_t n = 0, cap = nexist + 3;
    const char **names = calloc(cap, sizeof *names);
    const rocksdb_options_t **cfo = calloc(cap, sizeof *cfo);
    rocksdb_column_family_handle_t **hs = calloc(cap, sizeof *hs);
    const char *required[] = {FMT_CF_DEFAULT, FMT_CF_SYS, FMT_CF_STATS};
    for (size_t i = 0; i < 3; i++) names[n++] = required[i];
    for (size_t i = 0; i < nexist; i++) {
        if (!strcmp(exist[i], FMT_CF_DEFAULT) || !strcmp(exist[i], FMT_CF_SYS) ||
            !strcmp(exist[i], FMT_CF_STATS))
            continue;
        names[n++] = exist[i];
    }
    for (size_t i = 0; i < n; i++)
        cfo[i] = !strcmp(names[i], FMT_CF_STATS)                                      ? db->stats_opts
                 : !strcmp(names[i], FMT_CF_DEFAULT) || !strcmp(names[i], FMT_CF_SYS) ? db->opts
                                                                                      : db->data_opts;
    db->rdb = rocksdb_open_column_families(db->opts, path, (int)n, names, cfo, hs, &err);
    if (err) {
        if (errmsg && is_nospace(err)) {
            size_t len = strlen(err) + 200;
            if ((*errmsg = malloc(len)))
                snprintf(*errmsg, len,
                         "%s (the data directory's disk is full: free some space and start again)", err);
        } else if (errmsg)
            *errmsg = strdup(err);
        free(err);
        free(names);
        free(cfo);
        free(hs);
        if (exist) rocksdb_list_column_families_destroy(exist, nexist);
        db__close(db);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(names[i], FMT_CF_DEFAULT)) {
            rocksdb_column_family_handle_destroy(hs[i]);
            continue;
        }
        db_cf_t *cf = wrap_cf(db, hs[i], names[i]);
        if (!strcmp(names[i], FMT_CF_SYS)) db->sys = cf;
        if (!strcmp(names[i], FMT_CF_STATS)) db->stats = cf;
    }
    free(names);
    free(cfo);
    free(hs);
    if (exist) rocksdb_list_column_families_destroy(exist, nexist);
    remove_options_tmp(db->path);
    db->probe_wb = rocksdb_writebatch_create();
    rocksdb_writebatch_put(db->probe_wb, FMT_PROBE_KEY, sizeof FMT_PROBE_KEY - 1, "", 0); /* FMT_CF_DEFAULT */
    if (pthread_create(&db->probe, NULL, probe_main, db) != 0) abort();
    db->probe_started = true;
    return db;
}

void db__close(db_t *db)
{
    if (!db) return;
    if (db->probe_started) {
        pthread_mutex_lock(&db->probe_mu);
        db->probe_stop = true;
        pthread_cond_signal(&db->probe_cv);
        pthread_mutex_unlock(&db->probe_mu);
        pthread_join(db->probe, NULL);
    }
    db_fault_kind_t fk;
    if (db->rdb && db__state(db) != DB_WRITABLE)
        log_warn(
            "closing with writes stopped: the memtables stay in the write-ahead log until the next start");
    else if (db->rdb && FAULT(DB_FAULT_FLUSH, &fk))
        log_error("flush at close: %s", fault_text(fk));
    else if (db->rdb) {
        char *err = NULL;
        rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
        rocksdb_flushoptions_set_wait(fo, 1);
        for (size_t i = 0; i < db->ncf; i++) {
            if (!db->cfs[i]->h) continue;
            rocksdb_flush_cf(db->rdb, fo, db->cfs[i]->h, &err);
            if (err) {
                log_error("flush %s at close: %s", db->cfs[i]->name, err);
                free(err);
                err = NULL;
            }
        }
        rocksdb_flushoptions_destroy(fo);
    }
    for (size_t i = 0; i < db->ncf; i++) {
        if (db->cfs[i]->h) rocksdb_column_family_handle_destroy(db->cfs[i]->h);
        free(db->cfs[i]);
    }
    free(db->cfs);
    if (db->rdb) rocksdb_close(db->rdb);
    if (db->wopts) rocksdb_writeoptions_destroy(db->wopts);
    if (db->ropts) rocksdb_readoptions_destroy(db->ropts);
    if (db->stats_opts) rocksdb_options_destroy(db->stats_opts);
    if (db->data_opts) rocksdb_options_destroy(db->data_opts);
    if (db->opts) rocksdb_options_destroy(db->opts);
    if (db->bbto) rocksdb_block_based_options_destroy(db->bbto);
    if (db->cache) rocksdb_cache_destroy(db->cache);
    if (db->env) rocksdb_env_destroy(db->env);
    if (db->probe_wb) rocksdb_writebatch_destroy(db->probe_wb);
    if (db->rdb) remove_options_tmp(db->path);
    pthread_mutex_destroy(&db->cf_mu);
    pthread_mutex_destroy(&db->probe_mu);
    pthread_cond_destroy(&db->probe_cv);
    free(db->path);
    free(db);
}

size_t db__table_cfs(db_t *db, char ***names)
{
    pthread_mutex_lock(&db->cf_mu);
    char **out = calloc(db->ncf + 1, sizeof *out);
    size_t n = 0;
    for (size_t i = 0; i < db->ncf; i++)
        if (db->cfs[i]->h && (!strncmp(db->cfs[i]->name, FMT_CF_TABLE_PREFIX, FMT_CF_PREFIX_LEN) ||
                              !strncmp(db->cfs[i]->name, FMT_CF_INDEX_PREFIX, FMT_CF_PREFIX_LEN)))
            out[n++] = strdup(db->cfs[i]->name);
    pthread_mutex_unlock(&db->cf_mu);
    *names = out;
    return n;
}

db_cf_t *db__cf_find(db_t *db, const char *name)
{
    db_cf_t *r = NULL;
    pthread_mutex_lock(&db->cf_mu);
    for (size_t i = 0; i < db->ncf && !r; i++)
        if (db->cfs[i]->h && !strcmp(db->cfs[i]->name, name)) r = db->cfs[i];
    pthread_mutex_unlock(&db->cf_mu);
    return r;
}

db_cf_t *db__cf_create(db_t *db, const char *name)
{
    char what[96];
    db_fault_kind_t fk;
    if (db__state(db) != DB_WRITABLE) return NULL;
    snprintf(what, sizeof what, "create column family %s", name);
    if (FAULT(DB_FAULT_CREATE_CF, &fk)) {
        change_failed(db, what, fault_text(fk));
        return NULL;
    }
    char *err = NULL;
    rocksdb_column_family_handle_t *h = rocksdb_create_column_family(db->rdb, db->data_opts, name, &err);
    if (err) {
        change_failed(db, what, err);
        free(err);
        return NULL;
    }
    return wrap_cf(db, h, name);
}

int db__cf_drop(db_t *db, db_cf_t *cf)
{
    char what[96];
    db_fault_kind_t fk;
    if (db__state(db) != DB_WRITABLE) return -1;
    snprintf(what, sizeof what, "drop column family %s", cf->name);
    if (FAULT(DB_FAULT_DROP_CF, &fk)) return change_failed(db, what, fault_text(fk));
    char *err = NULL;
    rocksdb_drop_column_family(db->rdb, cf->h, &err);
    if (err) {
        change_failed(db, what, err);
        free(err);
        return -1;
    }
    return 0;
}

void db__cf_destroy(db_t *db, db_cf_t *cf)
{
    pthread_mutex_lock(&db->cf_mu);
    for (size_t i = 0; i < db->ncf; i++) {
        if (db->cfs[i] == cf) {
            db->cfs[i] = db->cfs[--db->ncf];
            break;
        }
    }
    pthread_mutex_unlock(&db->cf_mu);
    rocksdb_column_family_handle_destroy(cf->h);
    free(cf);
}

db_cf_t *db__sys(db_t *db)
{
    return db->sys;
}

db_cf_t *db__stats(db_t *db)
{
    return db->stats;
}

int db__get(db_t *db, db_cf_t *cf, const char *key, size_t klen, arena_t *a, char **val, size_t *len)
{
    return db__get_at(db, cf, NULL, key, klen, a, val, len);
}

db_batch_t *db__batch_new(void)
{
    db_batch_t *b = malloc(sizeof *b);
    if (!b) abort();
    b->wb = rocksdb_writebatch_create();
    return b;
}

void db__batch_free(db_batch_t *b)
{
    if (!b) return;
    rocksdb_writebatch_destroy(b->wb);
    free(b);
}

void db__batch_put(db_batch_t *b, db_cf_t *cf, const char *k, size_t kl, const char *v, size_t vl)
{
    rocksdb_writebatch_put_cf(b->wb, cf->h, k, kl, v, vl);
}

void db__batch_del(db_batch_t *b, db_cf_t *cf, const char *k, size_t kl)
{
    rocksdb_writebatch_delete_cf(b->wb, cf->h, k, kl);
}

void db__batch_del_range(db_batch_t *b, db_cf_t *cf, const char *lo, size_t lol, const char *hi, size_t hil)
{
    rocksdb_writebatch_delete_range_cf(b->wb, cf->h, lo, lol, hi, hil);
}

void db__batch_add(db_batch_t *b, db_cf_t *cf, const char *k, size_t kl, const int64_t *deltas, size_t n)
{
    char v[32];
    if (n > 4) n = 4;
    for (size_t w = 0; w < n; w++) le64_put(v + w * 8, (uint64_t)deltas[w]);
    rocksdb_writebatch_merge_cf(b->wb, cf->h, k, kl, v, n * 8);
}

int db__write(db_t *db, db_batch_t *b)
{
    db_fault_kind_t fk;
    if (db__state(db) != DB_WRITABLE) return -1; /* the gate */
    if (FAULT(DB_FAULT_WRITE, &fk)) return change_failed(db, "write", fault_text(fk));
    char *err = NULL;
    rocksdb_write(db->rdb, db->wopts, b->wb, &err);
    if (err) {
        change_failed(db, "write", err);
        free(err);
        return -1;
    }
    return 0;
}

int db__scan_all(db_t *db, db_cf_t *cf,
                 int (*fn)(void *ctx, const char *k, size_t kl, const char *v, size_t vl), void *ctx)
{
    db_fault_kind_t fk;
    if (FAULT(DB_FAULT_ITER, &fk)) {
        log_error("scan %s: %s", cf->name, fault_text(fk));
        return -1;
    }
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(db->rdb, db->ropts, cf->h);
    int rc = 0;
    for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
        size_t kl, vl;
        const char *k = rocksdb_iter_key(it, &kl);
        const char *v = rocksdb_iter_value(it, &vl);
        if ((rc = fn(ctx, k, kl, v, vl))) break;
    }
    char *err = NULL;
    rocksdb_iter_get_error(it, &err);
    if (err) {
        log_error("scan %s: %s", cf->name, err);
        free(err);
        rc = -1;
    }
    rocksdb_iter_destroy(it);
    return rc;
}

/* ---- snapshots and bounded iterators -------------------------------------------------------- */

struct db_snap {
    const rocksdb_snapshot_t *s;
    rocksdb_readoptions_t *ro;
};

db_snap_t *db__snap_new(db_t *db)
{
    db_snap_t *s = malloc(sizeof *s);
    if (!s) abort();
    s->s = rocksdb_create_snapshot(db->rdb);
    s->ro = rocksdb_readoptions_create();
    rocksdb_readoptions_set_snapshot(s->ro, s->s);
    return s;
}

void db__snap_free(db_t *db, db_snap_t *s)
{
    if (!s) return;
    rocksdb_readoptions_destroy(s->ro);
    rocksdb_release_snapshot(db->rdb, s->s);
    free(s);
}

int db__get_at(db_t *db, db_cf_t *cf, db_snap_t *snap, const char *key, size_t klen, arena_t *a, char **val,
               size_t *len)
{
    db_fault_kind_t fk;
    if (FAULT(DB_FAULT_GET, &fk)) {
        log_error("get from %s: %s", cf->name, fault_text(fk));
        return -1;
    }
    char *err = NULL;
    rocksdb_pinnableslice_t *ps =
        rocksdb_get_pinned_cf(db->rdb, snap ? snap->ro : db->ropts, cf->h, key, klen, &err);
    if (err) {
        log_error("get from %s: %s", cf->name, err);
        free(err);
        return -1;
    }
    if (!ps) return 0;
    size_t vl = 0;
    const char *v = rocksdb_pinnableslice_value(ps, &vl);
    if (v) {
        *val = arena_memdup(a, v, vl);
        *len = vl;
    }
    rocksdb_pinnableslice_destroy(ps);
    return v ? 1 : 0;
}

struct db_iter {
    rocksdb_iterator_t *it;
    rocksdb_readoptions_t *ro;
    char *lo, *hi; /* bounds must outlive the iterator */
    const char *cf_name;
    bool failed; /* an injected fault: never valid, db__iter_free reports an error */
};

db_iter_t *db__iter_new(db_t *db, db_cf_t *cf, db_snap_t *snap, const char *lo, size_t lol, const char *hi,
                        size_t hil, bool one_prefix)
{
    db_iter_t *i = calloc(1, sizeof *i);
    if (!i) abort();
    i->ro = rocksdb_readoptions_create();
    if (one_prefix)
        rocksdb_readoptions_set_prefix_same_as_start(i->ro, 1);
    else /* with a prefix extractor, seeks would otherwise be prefix seeks */
        rocksdb_readoptions_set_total_order_seek(i->ro, 1);
    if (snap) rocksdb_readoptions_set_snapshot(i->ro, snap->s);
    if (lo && lol) {
        i->lo = malloc(lol);
        if (!i->lo) abort();
        memcpy(i->lo, lo, lol);
        rocksdb_readoptions_set_iterate_lower_bound(i->ro, i->lo, lol);
    }
    if (hi) {
        i->hi = malloc(hil ? hil : 1);
        if (!i->hi) abort();
        memcpy(i->hi, hi, hil);
        rocksdb_readoptions_set_iterate_upper_bound(i->ro, i->hi, hil);
    }
    i->it = rocksdb_create_iterator_cf(db->rdb, i->ro, cf->h);
    i->cf_name = cf->name;
    db_fault_kind_t fk;
    if (FAULT(DB_FAULT_ITER, &fk)) i->failed = true;
    return i;
}

void db__iter_first(db_iter_t *i)
{
    rocksdb_iter_seek_to_first(i->it);
}
void db__iter_last(db_iter_t *i)
{
    rocksdb_iter_seek_to_last(i->it);
}
void db__iter_seek(db_iter_t *i, const char *k, size_t kl)
{
    rocksdb_iter_seek(i->it, k, kl);
}
void db__iter_seek_prev(db_iter_t *i, const char *k, size_t kl)
{
    rocksdb_iter_seek_for_prev(i->it, k, kl);
}
void db__iter_next(db_iter_t *i)
{
    rocksdb_iter_next(i->it);
}
void db__iter_prev(db_iter_t *i)
{
    rocksdb_iter_prev(i->it);
}
bool db__iter_valid(db_iter_t *i)
{
    return !i->failed && rocksdb_iter_valid(i->it);
}
const char *db__iter_key(db_iter_t *i, size_t *len)
{
    return rocksdb_iter_key(i->it, len);
}
const char *db__iter_value(db_iter_t *i, size_t *len)
{
    return rocksdb_iter_value(i->it, len);
}

int db__iter_free(db_iter_t *i)
{
    if (!i) return 0;
    int rc = 0;
    char *err = NULL;
    rocksdb_iter_get_error(i->it, &err);
    if (err) {
        log_error("iterate %s: %s", i->cf_name, err);
        free(err);
        rc = -1;
    } else if (i->failed) {
        log_error("iterate %s: %s", i->cf_name, "Injected fault");
        rc = -1;
    }
    rocksdb_iter_destroy(i->it);
    rocksdb_readoptions_destroy(i->ro);
    free(i->lo);
    free(i->hi);
    free(i);
    return rc;
}

bool eng_wal_bytes(eng_t *e, uint64_t *out)
{
    db_t *db = e->db;
    *out = 0;
    if (!db->path) return false; /* in memory: the log is off */
    DIR *dir = opendir(db->path);
    if (!dir) return false;
    int fd = dirfd(dir);
    for (struct dirent *de; (de = readdir(dir));) {
        size_t n = strlen(de->d_name);
        struct stat st;
        if (n > 4 && !strcmp(de->d_name + n - 4, ".log") && fstatat(fd, de->d_name, &st, 0) == 0)
            *out += (uint64_t)st.st_size;
    }
    closedir(dir);
    return true;
}

bool eng_db_property(eng_t *e, const char *name, bool per_family, uint64_t *out)
{
    db_t *db = e->db;
    *out = 0;
    if (!per_family) return rocksdb_property_int(db->rdb, name, out) == 0;
    bool any = false;
    pthread_mutex_lock(&db->cf_mu); /* a dropped family's handle is destroyed only after it leaves the list */
    for (size_t i = 0; i < db->ncf; i++) {
        uint64_t v = 0;
        if (db->cfs[i]->h && rocksdb_property_int_cf(db->rdb, db->cfs[i]->h, name, &v) == 0) {
            *out += v;
            any = true;
        }
    }
    pthread_mutex_unlock(&db->cf_mu);
    return any;
}
