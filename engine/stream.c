/*
 * stream: DynamoDB Streams' records, shards and sequence numbers (engine.h "DynamoDB Streams").
 *
 * Records. item__stage calls stream__stage beside the index deltas for each change it stages on a
 * table with a stream enabled, so that the record goes into the same RocksDB batch as the item, its
 * index entries and its counters: every write path (single items, BatchWriteItem,
 * TransactWriteItems, the TTL sweeper, later PartiQL and restores) reaches it, with its origin. A
 * change that leaves the item as it was writes no record. Records live in the FMT_CF_STREAMS family
 * under (stream number, sequence number), both big endian: one stream is one ordered log.
 *
 * Sequence numbers. One counter for the engine (seq_mu). A record takes its number under its item's
 * key lock, so the numbers of one key follow its commits. A batch's first number stays "in flight"
 * until the batch is written or abandoned (stream__release); readers see only numbers below the
 * lowest in flight (visible_seq), so a reader resuming after the last number it read never skips
 * a record committed later with a lower number.
 *
 * Shards. A stream's log is cut into shards by sequence number: [start, end]. One shard is open;
 * the keeper job closes it after stream_shard_ms and opens a child (ParentShardId = the closed one).
 * Closing takes a number of its own as the shard's end, so a closed shard's range holds exactly the
 * numbers handed out before the close and the child starts above it. Disabling the stream or deleting
 * its table closes the last shard the same way; the stream stays readable, DISABLED.
 *
 * Retention. The keeper job deletes records older than stream_retention_ms (a range tombstone up to
 * the first younger record: trim_seq), forgets closed shards closed before then, and removes a
 * disabled stream once its retention has passed.
 *
 * Descriptions. Each stream's description is JSON in FMT_CF_SYS under FMT_STREAM_KEY_PREFIX <16 hex
 * digits of its number>: {"v":1,"num":n,"table":..,"table_id":..,"label":..,"view":..,"key":{..},
 * "created_ms":n,"disabled_ms":n,"trim_seq":n,"shards":[[ord,start,end,created_ms,closed_ms,parent],..]}
 * (end and closed_ms 0 while open; parent "" for the first shard). A shard's id is derived from its
 * stream number, ordinal and creation time (shard_name). A stream that starts or closes with a table change
 * is written in the same batch as the catalog record (stream__table_change/_done); the keeper writes
 * roll-overs and trims. At start, sequence numbers go on above every number found in records and
 * descriptions.
 *
 * Locking: `mu` guards the list of streams and every field of each; it is taken after the catalog's
 * lock and before seq_mu. seq_mu guards the counter and the numbers in flight; it is taken under key
 * locks by writers and never while waiting for anything else.
 */
#include "common/clock.h"
#include "engine/engine_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"

#define KEEPER_TICK_MAX_MS 1000
#define KEEPER_TICK_MIN_MS 20
#define DEFAULT_RETENTION_MS (24ull * 3600 * 1000)
#define DEFAULT_SHARD_MS (4ull * 3600 * 1000)
#define SREC_KEY_LEN 16

typedef struct {
    uint32_t ord;
    uint64_t start, end; /* end: when closed */
    bool closed;
    uint64_t created_ms, closed_ms;
    char id[48];
    char parent[48]; /* "" for ord 0 */
} shard_t;

typedef struct {
    uint64_t num;
    char *table, *table_id, *label, *view;
    arena_t *key_arena; /* owns key's strings */
    eng_keyschema_t key;
    uint64_t created_ms;
    uint64_t disabled_ms; /* 0 while enabled */
    uint64_t trim_seq;    /* records below it are deleted */
    shard_t *shards;      /* retained, oldest first; the last is open while enabled */
    size_t n_shards, cap_shards;
} stream_t;

struct streams {
    pthread_mutex_t mu;
    stream_t **list; /* sorted by (table, label) */
    size_t n, cap;
    uint64_t next_num;
    db_cf_t *cf; /* FMT_CF_STREAMS, NULL until the first stream */
    bool keeper; /* the keeper job was started */
    uint64_t retention_ms, shard_ms;

    pthread_mutex_t seq_mu;
    uint64_t next_seq;
    uint64_t written;   /* records staged since the open (eng_stream_records_written) */
    uint64_t *inflight; /* first numbers of batches not yet written */
    size_t n_inflight, cap_inflight;
};

static void be64_put(char *p, uint64_t u)
{
    for (int i = 0; i < 8; i++) p[i] = (char)(u >> (56 - 8 * i));
}

static uint32_t le32_get(const char *p)
{
    return (uint32_t)(unsigned char)p[0] | (uint32_t)(unsigned char)p[1] << 8 |
           (uint32_t)(unsigned char)p[2] << 16 | (uint32_t)(unsigned char)p[3] << 24;
}

static uint64_t be64_get(const char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++) u = u << 8 | (unsigned char)p[i];
    return u;
}

static void rec_key(char k[SREC_KEY_LEN], uint64_t num, uint64_t seq)
{
    be64_put(k, num);
    be64_put(k + 8, seq);
}

/* ---- sequence numbers ------------------------------------------------------------------------ */

void eng_seq_format(char out[ENG_SEQ_STRLEN + 1], uint64_t seq)
{
    snprintf(out, ENG_SEQ_STRLEN + 1, "1%020" PRIu64, seq);
}

bool eng_seq_parse(const char *s, size_t len, uint64_t *seq)
{
    if (len != ENG_SEQ_STRLEN || s[0] != '1') return false;
    uint64_t v = 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *seq = v;
    return true;
}

/* Take the next number (seq_mu held). */
static uint64_t seq_take(streams_t *s)
{
    return s->next_seq++;
}

/* Every number at or below this is committed or abandoned. */
static uint64_t visible_seq(streams_t *s)
{
    pthread_mutex_lock(&s->seq_mu);
    uint64_t v = s->next_seq - 1;
    for (size_t i = 0; i < s->n_inflight; i++)
        if (s->inflight[i] - 1 < v) v = s->inflight[i] - 1;
    pthread_mutex_unlock(&s->seq_mu);
    return v;
}

void stream__release(eng_t *e, uint64_t held)
{
    streams_t *s = e->streams;
    pthread_mutex_lock(&s->seq_mu);
    for (size_t i = 0; i < s->n_inflight; i++)
        if (s->inflight[i] == held) {
            s->inflight[i] = s->inflight[--s->n_inflight];
            break;
        }
    pthread_mutex_unlock(&s->seq_mu);
}

/* ---- the registry --------------------------------------------------------------------------- */

static void shard_name(shard_t *sh, uint64_t num)
{
    uint64_t x = num * 0x9E3779B97F4A7C15ull ^ ((uint64_t)sh->ord + 1) * 0xBF58476D1CE4E5B9ull;
    x ^= x >> 31;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 29;
    snprintf(sh->id, sizeof sh->id, "shardId-%020" PRIu64 "-%08x", sh->created_ms, (unsigned)(x >> 32));
}

static shard_t *shard_add(stream_t *st, uint64_t start, uint64_t created_ms)
{
    if (st->n_shards == st->cap_shards) {
        st->cap_shards = st->cap_shards ? st->cap_shards * 2 : 4;
        st->shards = realloc(st->shards, st->cap_shards * sizeof *st->shards);
        if (!st->shards) abort();
    }
    shard_t *prev = st->n_shards ? &st->shards[st->n_shards - 1] : NULL;
    shard_t *sh = &st->shards[st->n_shards++];
    memset(sh, 0, sizeof *sh);
    sh->ord = prev ? prev->ord + 1 : 0;
    sh->start = start;
    sh->created_ms = created_ms;
    shard_name(sh, st->num);
    if (prev) snprintf(sh->parent, sizeof sh->parent, "%s", prev->id);
    return sh;
}

static void stream_free(stream_t *st)
{
    if (!st) return;
    free(st->table);
    free(st->table_id);
    free(st->label);
    free(st->view);
    free(st->shards);
    if (st->key_arena) arena_free(st->key_arena);
    free(st);
}

static void copy_key(stream_t *st, const eng_keyschema_t *k)
{
    st->key_arena = arena_new(256);
    st->key = *k;
    st->key.hash.name = arena_strdup(st->key_arena, k->hash.name);
    if (k->range.name) st->key.range.name = arena_strdup(st->key_arena, k->range.name);
}

static int cmp_stream(const stream_t *a, const char *table, const char *label)
{
    int c = strcmp(a->table, table);
    return c ? c : strcmp(a->label, label);
}

static stream_t *find_stream(streams_t *s, const char *table, const char *label)
{
    for (size_t i = 0; i < s->n; i++)
        if (!cmp_stream(s->list[i], table, label)) return s->list[i];
    return NULL;
}

/* The stream with mu held, or NULL with mu released. */
static stream_t *lock_stream(streams_t *s, const char *table, const char *label)
{
    pthread_mutex_lock(&s->mu);
    stream_t *st = find_stream(s, table, label);
    if (!st) pthread_mutex_unlock(&s->mu);
    return st;
}

static stream_t *find_num(streams_t *s, uint64_t num)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->list[i]->num == num) return s->list[i];
    return NULL;
}

static void list_insert(streams_t *s, stream_t *st)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->list = realloc(s->list, s->cap * sizeof *s->list);
        if (!s->list) abort();
    }
    size_t pos = 0;
    while (pos < s->n && cmp_stream(s->list[pos], st->table, st->label) < 0) pos++;
    memmove(s->list + pos + 1, s->list + pos, (s->n - pos) * sizeof *s->list);
    s->list[pos] = st;
    s->n++;
}

static void list_remove(streams_t *s, stream_t *st)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->list[i] == st) {
            memmove(s->list + i, s->list + i + 1, (s->n - i - 1) * sizeof *s->list);
            s->n--;
            return;
        }
}

/* ---- descriptions on disk ---------------------------------------------------------------------- */

static void meta_key(char out[FMT_STREAM_KEY_PREFIX_LEN + 17], uint64_t num)
{
    snprintf(out, FMT_STREAM_KEY_PREFIX_LEN + 17, FMT_STREAM_KEY_PREFIX "%016" PRIx64, num);
}

/* Put st's description into b (under mu). */
static void meta_put(eng_t *e, db_batch_t *b, const stream_t *st)
{
    arena_t *a = arena_new(1024);
    jw_t w;
    jw_init(&w, a, 512);
    jw_obj_begin(&w);
    jw_keyz(&w, "v");
    jw_int(&w, FMT_STREAM_VERSION);
    jw_keyz(&w, "num");
    jw_int(&w, (long long)st->num);
    jw_keyz(&w, "table");
    jw_strz(&w, st->table);
    jw_keyz(&w, "table_id");
    jw_strz(&w, st->table_id);
    jw_keyz(&w, "label");
    jw_strz(&w, st->label);
    jw_keyz(&w, "view");
    jw_strz(&w, st->view);
    jw_keyz(&w, "key");
    catalog__put_keyschema(&w, &st->key);
    jw_keyz(&w, "created_ms");
    jw_int(&w, (long long)st->created_ms);
    jw_keyz(&w, "disabled_ms");
    jw_int(&w, (long long)st->disabled_ms);
    jw_keyz(&w, "trim_seq");
    jw_int(&w, (long long)st->trim_seq);
    jw_keyz(&w, "shards");
    jw_arr_begin(&w);
    for (size_t i = 0; i < st->n_shards; i++) {
        const shard_t *sh = &st->shards[i];
        jw_arr_begin(&w);
        jw_int(&w, sh->ord);
        jw_int(&w, (long long)sh->start);
        jw_int(&w, sh->closed ? (long long)sh->end : 0);
        jw_int(&w, (long long)sh->created_ms);
        jw_int(&w, sh->closed ? (long long)sh->closed_ms : 0);
        jw_strz(&w, sh->parent);
        jw_arr_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    char k[FMT_STREAM_KEY_PREFIX_LEN + 17];
    meta_key(k, st->num);
    db__batch_put(b, db__sys(e->db), k, strlen(k), w.b.data, w.b.len);
    arena_free(a);
}

static uint64_t jnum(const json_t *o, const char *k)
{
    const json_t *v = o ? json_get(o, k) : NULL;
    return v && v->type == JSON_NUMBER ? strtoull(v->str.ptr, NULL, 10) : 0;
}

static char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_get(o, k);
    if (!v || v->type != JSON_STRING) return NULL;
    char *d = malloc(v->str.len + 1);
    if (!d) abort();
    memcpy(d, v->str.ptr, v->str.len);
    d[v->str.len] = 0;
    return d;
}

static stream_t *meta_parse(const char *text, size_t len)
{
    arena_t *a = arena_new(1024);
    json_error_t je;
    json_t *o = json_parse(a, text, len, 8, &je);
    stream_t *st = calloc(1, sizeof *st);
    if (!st) abort();
    if (!o || o->type != JSON_OBJECT || jnum(o, "v") != FMT_STREAM_VERSION) goto bad;
    st->num = jnum(o, "num");
    st->table = jstr(o, "table");
    st->table_id = jstr(o, "table_id");
    st->label = jstr(o, "label");
    st->view = jstr(o, "view");
    if (!st->num || !st->table || !st->table_id || !st->label || !st->view) goto bad;
    eng_keyschema_t k;
    if (catalog__parse_keyschema(a, json_get(o, "key"), &k) != 0) goto bad;
    copy_key(st, &k);
    st->created_ms = jnum(o, "created_ms");
    st->disabled_ms = jnum(o, "disabled_ms");
    st->trim_seq = jnum(o, "trim_seq");
    const json_t *sh = json_get(o, "shards");
    if (!sh || sh->type != JSON_ARRAY || !sh->n) goto bad;
    for (const json_t *c = sh->child; c; c = c->next) {
        if (c->type != JSON_ARRAY || c->n != 6) goto bad;
        uint64_t f[5];
        size_t i = 0;
        const json_t *x = c->child;
        for (; i < 5; x = x->next, i++) {
            if (x->type != JSON_NUMBER) goto bad;
            f[i] = strtoull(x->str.ptr, NULL, 10);
        }
        if (x->type != JSON_STRING || x->str.len >= sizeof st->shards[0].parent) goto bad;
        shard_t *s = shard_add(st, f[1], f[3]);
        s->ord = (uint32_t)f[0]; /* shards before it may have been trimmed away */
        shard_name(s, st->num);
        memcpy(s->parent, x->str.ptr, x->str.len);
        s->parent[x->str.len] = 0;
        s->closed = f[4] != 0;
        s->end = f[2];
        s->closed_ms = f[4];
    }
    arena_free(a);
    return st;
bad:
    arena_free(a);
    stream_free(st);
    return NULL;
}

/* ---- open and close ------------------------------------------------------------------------------ */

static void keeper_start(eng_t *e);

typedef struct {
    streams_t *s;
    int bad;
} load_ctx_t;

static int load_one(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
    load_ctx_t *lc = ctx;
    if (kl < FMT_STREAM_KEY_PREFIX_LEN || memcmp(k, FMT_STREAM_KEY_PREFIX, FMT_STREAM_KEY_PREFIX_LEN))
        return 0;
    stream_t *st = meta_parse(v, vl);
    if (!st) {
        log_error("stream description %.*s is corrupt; stream skipped", (int)kl, k);
        lc->bad++;
        return 0;
    }
    list_insert(lc->s, st);
    return 0;
}

/* The highest sequence number stored under stream num (0 if none). */
static uint64_t last_record_seq(eng_t *e, uint64_t num)
{
    streams_t *s = e->streams;
    if (!s->cf) return 0;
    char lo[SREC_KEY_LEN], hi[SREC_KEY_LEN];
    rec_key(lo, num, 0);
    rec_key(hi, num + 1, 0);
    db_iter_t *it = db__iter_new(e->db, s->cf, NULL, lo, sizeof lo, hi, sizeof hi, false);
    db__iter_last(it);
    uint64_t seq = 0;
    if (db__iter_valid(it)) {
        size_t kl;
        const char *k = db__iter_key(it, &kl);
        if (kl == SREC_KEY_LEN) seq = be64_get(k + 8);
    }
    db__iter_free(it);
    return seq;
}

int stream__open(eng_t *e, const eng_opts_t *opts, char **errmsg)
{
    streams_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->seq_mu, NULL);
    s->retention_ms = opts->stream_retention_ms ? opts->stream_retention_ms : DEFAULT_RETENTION_MS;
    s->shard_ms = opts->stream_shard_ms ? opts->stream_shard_ms : DEFAULT_SHARD_MS;
    s->cf = db__cf_find(e->db, FMT_CF_STREAMS);
    e->streams = s;
    load_ctx_t lc = {s, 0};
    if (db__scan_all(e->db, db__sys(e->db), load_one, &lc) < 0) {
        if (errmsg) *errmsg = strdup("cannot read the stream descriptions");
        stream__close(s);
        e->streams = NULL;
        return -1;
    }
    uint64_t top = 0, top_num = 0;
    for (size_t i = 0; i < s->n; i++) {
        stream_t *st = s->list[i];
        if (st->num > top_num) top_num = st->num;
        if (st->trim_seq > top) top = st->trim_seq;
        for (size_t j = 0; j < st->n_shards; j++) {
            if (st->shards[j].start > top) top = st->shards[j].start;
            if (st->shards[j].closed && st->shards[j].end > top) top = st->shards[j].end;
        }
        uint64_t last = last_record_seq(e, st->num);
        if (last > top) top = last;
    }
    s->next_seq = top + 1;
    s->next_num = top_num + 1;
    if (s->n) keeper_start(e);
    return 0;
}

void stream__close(streams_t *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) stream_free(s->list[i]);
    free(s->list);
    free(s->inflight);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->seq_mu);
    free(s);
}

/* ---- table changes ------------------------------------------------------------------------------- */

typedef struct {
    stream_t *created;   /* a new stream, published when the batch is written */
    uint64_t closed_num; /* a stream closed by the change (0: none) */
    uint64_t end, when;  /* its last shard's end and the time */
} pending_t;

static void label_format(char out[32], uint64_t ms)
{
    time_t sec = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03u", (unsigned)(ms % 1000));
}

int stream__table_change(eng_t *e, const eng_table_t *old, eng_table_t *nt, db_batch_t *b,
                         stream_change_t *ch)
{
    streams_t *s = e->streams;
    ch->pending = NULL;
    bool was = old && old->stream_enabled && old->stream_num_;
    bool starts = nt && nt->stream_enabled && !was;
    bool closes = was && !(nt && nt->stream_enabled);
    if (!starts && !closes) return 0;
    pthread_mutex_lock(&s->mu); /* held until stream__table_done */
    pending_t *p = calloc(1, sizeof *p);
    if (!p) abort();
    ch->pending = p;
    uint64_t now = ddb_epoch_ms();
    if (closes) {
        stream_t *st = find_num(s, old->stream_num_);
        if (st && !st->disabled_ms) {
            pthread_mutex_lock(&s->seq_mu);
            p->end = seq_take(s);
            pthread_mutex_unlock(&s->seq_mu);
            p->closed_num = st->num;
            p->when = now;
            /* describe it closed, write that, publish it in stream__table_done */
            shard_t *sh = &st->shards[st->n_shards - 1];
            shard_t saved = *sh;
            uint64_t saved_dis = st->disabled_ms;
            sh->closed = true;
            sh->end = p->end;
            sh->closed_ms = now;
            st->disabled_ms = now;
            meta_put(e, b, st);
            *sh = saved;
            st->disabled_ms = saved_dis;
        }
    }
    if (starts) {
        if (!s->cf && !(s->cf = db__cf_create(e->db, FMT_CF_STREAMS))) return -1;
        stream_t *st = calloc(1, sizeof *st);
        if (!st) abort();
        st->num = s->next_num;
        st->table = ddb_xstrdup(nt->name);
        st->table_id = ddb_xstrdup(nt->id);
        st->view = ddb_xstrdup(nt->stream_view ? nt->stream_view : "NEW_AND_OLD_IMAGES");
        copy_key(st, &nt->key);
        /* A label later than any earlier stream's of this table name (labels are times). */
        uint64_t created = now;
        for (size_t i = 0; i < s->n; i++)
            if (!strcmp(s->list[i]->table, nt->name) && s->list[i]->created_ms >= created)
                created = s->list[i]->created_ms + 1;
        char label[32];
        label_format(label, created);
        /* A table written before streams recorded anything keeps the label it shows. */
        bool keep_label = old && old->stream_enabled && !old->stream_num_ && nt->stream_label;
        st->label = ddb_xstrdup(keep_label ? nt->stream_label : label);
        st->created_ms = created;
        pthread_mutex_lock(&s->seq_mu);
        uint64_t start = s->next_seq;
        pthread_mutex_unlock(&s->seq_mu);
        st->trim_seq = start;
        shard_add(st, start, created);
        meta_put(e, b, st);
        nt->stream_label = eng_table_strdup(nt, st->label);
        nt->stream_num_ = st->num;
        p->created = st;
    }
    return 0;
}

void stream__table_done(eng_t *e, stream_change_t *ch, bool written)
{
    streams_t *s = e->streams;
    pending_t *p = ch->pending;
    if (!p) return;
    if (written && p->closed_num) {
        stream_t *st = find_num(s, p->closed_num);
        if (st) {
            shard_t *sh = &st->shards[st->n_shards - 1];
            sh->closed = true;
            sh->end = p->end;
            sh->closed_ms = p->when;
            st->disabled_ms = p->when;
        }
    }
    if (p->created) {
        if (written) {
            list_insert(s, p->created);
            s->next_num++;
        } else
            stream_free(p->created);
    }
    bool start_keeper = written && p->created && !s->keeper;
    free(p);
    ch->pending = NULL;
    pthread_mutex_unlock(&s->mu);
    if (start_keeper) keeper_start(e);
}

/* ---- records --------------------------------------------------------------------------------------- */

static bool view_has(const char *view, char which)
{
    if (!strcmp(view, "NEW_AND_OLD_IMAGES")) return true;
    return which == 'N' ? !strcmp(view, "NEW_IMAGE") : !strcmp(view, "OLD_IMAGE");
}

static void put_image(buf_t *v, const av_map_t *m)
{
    char len[4];
    if (!m) {
        for (int i = 0; i < 4; i++) len[i] = (char)0xFF;
        buf_put(v, len, 4);
        return;
    }
    size_t at = v->len;
    buf_put(v, "\0\0\0\0", 4);
    itemenc__encode(v, m);
    uint32_t n = (uint32_t)(v->len - at - 4);
    for (int i = 0; i < 4; i++) v->data[at + i] = (char)(n >> (8 * i));
}

void stream__stage(eng_t *e, const eng_table_t *t, db_batch_t *b, eng_origin_t origin, const av_map_t *old,
                   const av_map_t *nitem, arena_t *a, uint64_t *held)
{
    streams_t *s = e->streams;
    if (!t->stream_num_ || !s->cf) return;
    if (old && nitem && av_map_equal(old, nitem)) return; /* AWS writes no record for a no-op */
    const char *view = t->stream_view ? t->stream_view : "KEYS_ONLY";
    buf_t v;
    buf_init(&v, a, 256);
    char head[FMT_SREC_HEADER];
    head[0] = FMT_SREC_VERSION;
    head[1] = !old ? FMT_SREC_INSERT : !nitem ? FMT_SREC_REMOVE : FMT_SREC_MODIFY;
    head[2] = origin == ENG_ORIGIN_TTL ? FMT_SREC_BY_SERVICE : 0;
    le64_put(head + 3, ddb_epoch_ms());
    buf_put(&v, head, sizeof head);
    put_image(&v, key__attrs(a, t, NULL, nitem ? nitem : old));
    put_image(&v, old && view_has(view, 'O') ? old : NULL);
    put_image(&v, nitem && view_has(view, 'N') ? nitem : NULL);

    pthread_mutex_lock(&s->seq_mu);
    uint64_t seq = seq_take(s);
    s->written++;
    if (!*held) {
        if (s->n_inflight == s->cap_inflight) {
            s->cap_inflight = s->cap_inflight ? s->cap_inflight * 2 : 16;
            s->inflight = realloc(s->inflight, s->cap_inflight * sizeof *s->inflight);
            if (!s->inflight) abort();
        }
        s->inflight[s->n_inflight++] = seq;
        *held = seq;
    }
    pthread_mutex_unlock(&s->seq_mu);
    char k[SREC_KEY_LEN];
    rec_key(k, t->stream_num_, seq);
    db__batch_put(b, s->cf, k, sizeof k, v.data, v.len);
}

/* Decode one image; -1 when corrupt. *out NULL when absent. */
static int get_image(arena_t *a, const char **p, const char *end, av_map_t **out)
{
    *out = NULL;
    if (end - *p < 4) return -1;
    uint32_t n = le32_get(*p);
    *p += 4;
    if (n == FMT_SREC_ABSENT) return 0;
    if ((size_t)(end - *p) < n) return -1;
    av_map_t *m = ARENA_NEW(a, av_map_t);
    if (itemenc__decode(a, *p, n, m) != 0) return -1;
    *p += n;
    *out = m;
    return 0;
}

/* Decode a record (v copied into `a`: images point into it). */
static int rec_decode(arena_t *a, uint64_t seq, const char *v, size_t vl, eng_record_t *r)
{
    if (vl < FMT_SREC_HEADER || v[0] != FMT_SREC_VERSION) return -1;
    memset(r, 0, sizeof *r);
    r->event = (eng_event_t)v[1];
    if (r->event < ENG_EVENT_INSERT || r->event > ENG_EVENT_REMOVE) return -1;
    r->by_service = (v[2] & FMT_SREC_BY_SERVICE) != 0;
    r->created = (double)le64_get(v + 3) / 1000.0;
    r->seq = seq;
    const char *p = v + FMT_SREC_HEADER, *end = v + vl;
    if (get_image(a, &p, end, &r->keys) || get_image(a, &p, end, &r->old_image) ||
        get_image(a, &p, end, &r->new_image) || !r->keys)
        return -1;
    r->size = av_item_size(r->keys) + (r->old_image ? av_item_size(r->old_image) : 0) +
              (r->new_image ? av_item_size(r->new_image) : 0);
    return 0;
}

/* ---- reading ------------------------------------------------------------------------------------- */

static void stream_out(arena_t *a, const stream_t *st, eng_stream_t *out)
{
    out->table = arena_strdup(a, st->table);
    out->label = arena_strdup(a, st->label);
    out->view = arena_strdup(a, st->view);
    out->enabled = !st->disabled_ms;
    out->created = (double)st->created_ms / 1000.0;
    out->key = st->key;
    out->key.hash.name = arena_strdup(a, st->key.hash.name);
    if (st->key.range.name) out->key.range.name = arena_strdup(a, st->key.range.name);
}

size_t eng_stream_list(eng_t *e, const char *table, arena_t *a, eng_stream_t **out)
{
    streams_t *s = e->streams;
    pthread_mutex_lock(&s->mu);
    *out = ARENA_NEWN(a, eng_stream_t, s->n + 1);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!table || !strcmp(s->list[i]->table, table)) stream_out(a, s->list[i], &(*out)[n++]);
    pthread_mutex_unlock(&s->mu);
    return n;
}

eng_stream_rc_t eng_stream_describe(eng_t *e, const char *table, const char *label, arena_t *a,
                                    eng_stream_t *out, eng_shard_t **shards, size_t *n)
{
    streams_t *s = e->streams;
    stream_t *st = lock_stream(s, table, label);
    if (!st) return ENG_STREAM_NO_STREAM;
    stream_out(a, st, out);
    *shards = ARENA_NEWN(a, eng_shard_t, st->n_shards + 1);
    for (size_t i = 0; i < st->n_shards; i++) {
        const shard_t *sh = &st->shards[i];
        eng_shard_t *o = &(*shards)[i];
        o->id = arena_strdup(a, sh->id);
        o->parent = sh->parent[0] ? arena_strdup(a, sh->parent) : NULL;
        o->ord = sh->ord;
        o->start = sh->start;
        o->end = sh->end;
        o->closed = sh->closed;
    }
    *n = st->n_shards;
    pthread_mutex_unlock(&s->mu);
    return ENG_STREAM_OK;
}

eng_stream_rc_t eng_stream_iterator(eng_t *e, const char *table, const char *label, const char *shard_id,
                                    eng_iter_type_t type, uint64_t seq, uint32_t *ord, uint64_t *pos)
{
    streams_t *s = e->streams;
    stream_t *st = lock_stream(s, table, label);
    if (!st) return ENG_STREAM_NO_STREAM;
    const shard_t *sh = NULL;
    for (size_t i = 0; i < st->n_shards && !sh; i++)
        if (!strcmp(st->shards[i].id, shard_id)) sh = &st->shards[i];
    if (!sh) {
        pthread_mutex_unlock(&s->mu);
        return ENG_STREAM_NO_SHARD;
    }
    eng_stream_rc_t rc = ENG_STREAM_OK;
    uint64_t lo = sh->start > st->trim_seq ? sh->start : st->trim_seq;
    *ord = sh->ord;
    switch (type) {
    case ENG_ITER_TRIM_HORIZON:
        *pos = lo;
        break;
    case ENG_ITER_LATEST:
        if (sh->closed)
            *pos = sh->end + 1;
        else {
            uint64_t v = visible_seq(s) + 1;
            *pos = v > sh->start ? v : sh->start;
        }
        break;
    case ENG_ITER_AT:
    case ENG_ITER_AFTER: {
        pthread_mutex_lock(&s->seq_mu);
        uint64_t top = sh->closed ? sh->end : s->next_seq - 1;
        pthread_mutex_unlock(&s->seq_mu);
        if (seq < sh->start || seq > top)
            rc = ENG_STREAM_BAD_SEQ;
        else if (seq < st->trim_seq)
            rc = ENG_STREAM_TRIMMED;
        else
            *pos = type == ENG_ITER_AT ? seq : seq + 1;
        break;
    }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

eng_stream_rc_t eng_stream_read(eng_t *e, const char *table, const char *label, uint32_t ord, uint64_t pos,
                                size_t limit, size_t max_bytes, arena_t *a, eng_records_t *out)
{
    streams_t *s = e->streams;
    memset(out, 0, sizeof *out);
    stream_t *st = lock_stream(s, table, label);
    if (!st) return ENG_STREAM_NO_STREAM;
    const shard_t *sh = NULL;
    for (size_t i = 0; i < st->n_shards && !sh; i++)
        if (st->shards[i].ord == ord) sh = &st->shards[i];
    bool trimmed_away = !sh && st->n_shards && ord < st->shards[0].ord;
    if (!sh || pos < st->trim_seq) {
        pthread_mutex_unlock(&s->mu);
        return !sh && !trimmed_away ? ENG_STREAM_NO_SHARD : ENG_STREAM_TRIMMED;
    }
    uint64_t num = st->num, end = sh->end;
    bool closed = sh->closed;
    db_cf_t *cf = s->cf;
    /* Under mu: a close after this point takes an end above every number visible now, so an open
     * shard read up to vis holds nothing of its child. */
    uint64_t vis = visible_seq(s);
    pthread_mutex_unlock(&s->mu);

    uint64_t hi = closed && end < vis ? end : vis; /* read [pos, hi] */
    out->next_pos = pos;
    if (cf && pos <= hi) {
        char lo_k[SREC_KEY_LEN], hi_k[SREC_KEY_LEN];
        rec_key(lo_k, num, pos);
        rec_key(hi_k, num, hi + 1);
        db_iter_t *it = db__iter_new(e->db, cf, NULL, lo_k, sizeof lo_k, hi_k, sizeof hi_k, false);
        size_t cap = limit < 64 ? limit : 64, bytes = 0;
        out->recs = ARENA_NEWN(a, eng_record_t, cap);
        bool full = false;
        for (db__iter_first(it); db__iter_valid(it); db__iter_next(it)) {
            if (out->n >= limit || (out->n && bytes >= max_bytes)) {
                full = true;
                break;
            }
            size_t kl, vl;
            const char *k = db__iter_key(it, &kl);
            const char *v = db__iter_value(it, &vl);
            if (kl != SREC_KEY_LEN) continue;
            uint64_t seq = be64_get(k + 8);
            char *copy = arena_memdup(a, v, vl);
            eng_record_t r;
            if (rec_decode(a, seq, copy, vl, &r) != 0) {
                log_error("stream of table %s: corrupt record %" PRIu64 " skipped", table, seq);
                out->next_pos = seq + 1;
                continue;
            }
            if (out->n && bytes + r.size > max_bytes) {
                full = true;
                break;
            }
            if (out->n == cap) {
                eng_record_t *grown = ARENA_NEWN(a, eng_record_t, cap * 2);
                memcpy(grown, out->recs, cap * sizeof *grown);
                out->recs = grown;
                cap *= 2;
            }
            out->recs[out->n++] = r;
            bytes += r.size;
            out->next_pos = seq + 1;
        }
        if (db__iter_free(it) != 0) return ENG_STREAM_ERROR;
        if (!full) out->next_pos = hi + 1; /* everything up to hi is read */
    }
    out->shard_end = closed && vis >= end && out->next_pos > end;
    return ENG_STREAM_OK;
}

/* ---- the keeper: roll-over, trimming, removal ------------------------------------------------------ */

/* Just after the last record of stream num, from `from` on, created before cutoff_ms (records are
 * in creation order); `from` when there is none. */
static uint64_t after_old(eng_t *e, uint64_t num, uint64_t from, uint64_t cutoff_ms)
{
    streams_t *s = e->streams;
    if (!s->cf) return from;
    char lo[SREC_KEY_LEN], hi[SREC_KEY_LEN];
    rec_key(lo, num, from);
    rec_key(hi, num + 1, 0);
    db_iter_t *it = db__iter_new(e->db, s->cf, NULL, lo, sizeof lo, hi, sizeof hi, false);
    uint64_t after = from;
    for (db__iter_first(it); db__iter_valid(it); db__iter_next(it)) {
        size_t kl, vl;
        const char *k = db__iter_key(it, &kl);
        const char *v = db__iter_value(it, &vl);
        if (kl != SREC_KEY_LEN || vl < FMT_SREC_HEADER || le64_get(v + 3) >= cutoff_ms) break;
        after = be64_get(k + 8) + 1;
    }
    db__iter_free(it);
    return after;
}

/* One stream's share of a keeper pass (mu held): roll its open shard over when due, delete its
 * records past retention and forget shards closed before the cutoff, or remove it whole when it was
 * disabled before the cutoff. Changes are written first and applied after: a failed write leaves
 * everything as it was, for the next pass. Returns false when the stream is gone. */
static bool keep_one(eng_t *e, stream_t *st, uint64_t now, uint64_t cutoff)
{
    streams_t *s = e->streams;
    char lo[SREC_KEY_LEN], hi[SREC_KEY_LEN];
    db_batch_t *b = db__batch_new();
    if (st->disabled_ms && st->disabled_ms < cutoff) {
        rec_key(lo, st->num, 0);
        rec_key(hi, st->num + 1, 0);
        if (s->cf) db__batch_del_range(b, s->cf, lo, sizeof lo, hi, sizeof hi);
        char k[FMT_STREAM_KEY_PREFIX_LEN + 17];
        meta_key(k, st->num);
        db__batch_del(b, db__sys(e->db), k, strlen(k));
        bool gone = db__write(e->db, b) == 0;
        db__batch_free(b);
        if (gone) {
            list_remove(s, st);
            stream_free(st);
        }
        return !gone;
    }
    stream_t next = *st; /* the stream as it will be: a copy of the shard list to change */
    next.cap_shards = st->n_shards + 1;
    next.shards = malloc(next.cap_shards * sizeof *next.shards);
    if (!next.shards) abort();
    memcpy(next.shards, st->shards, st->n_shards * sizeof *next.shards);
    bool dirty = false;
    shard_t *last = &next.shards[next.n_shards - 1];
    if (!next.disabled_ms && !last->closed && last->created_ms + s->shard_ms <= now) {
        pthread_mutex_lock(&s->seq_mu);
        last->end = seq_take(s);
        uint64_t child = s->next_seq;
        pthread_mutex_unlock(&s->seq_mu);
        last->closed = true;
        last->closed_ms = now;
        shard_add(&next, child, now);
        dirty = true;
    }
    uint64_t trim = after_old(e, next.num, next.trim_seq, cutoff);
    size_t drop = 0; /* closed before the cutoff: every record in them is older; the last one stays */
    while (drop + 1 < next.n_shards && next.shards[drop].closed && next.shards[drop].closed_ms < cutoff)
        drop++;
    if (drop && next.shards[drop - 1].end + 1 > trim) trim = next.shards[drop - 1].end + 1;
    if (trim > next.trim_seq) {
        rec_key(lo, next.num, 0);
        rec_key(hi, next.num, trim);
        if (s->cf) db__batch_del_range(b, s->cf, lo, sizeof lo, hi, sizeof hi);
        next.trim_seq = trim;
        dirty = true;
    }
    if (drop) {
        memmove(next.shards, next.shards + drop, (next.n_shards - drop) * sizeof *next.shards);
        next.n_shards -= drop;
        dirty = true;
    }
    if (dirty) meta_put(e, b, &next);
    if (dirty && db__write(e->db, b) == 0) {
        free(st->shards);
        *st = next;
    } else
        free(next.shards);
    db__batch_free(b);
    return true;
}

/* One pass over every stream (job thread). */
static void keeper_pass(eng_t *e)
{
    streams_t *s = e->streams;
    uint64_t now = ddb_epoch_ms();
    uint64_t cutoff = now > s->retention_ms ? now - s->retention_ms : 0;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->n;)
        if (keep_one(e, s->list[i], now, cutoff)) i++;
    pthread_mutex_unlock(&s->mu);
}

static void keeper_main(job_t *job, void *arg)
{
    eng_t *e = arg;
    streams_t *s = e->streams;
    uint64_t span = s->retention_ms < s->shard_ms ? s->retention_ms : s->shard_ms;
    unsigned tick = (unsigned)(span / 4 < KEEPER_TICK_MAX_MS ? span / 4 : KEEPER_TICK_MAX_MS);
    if (tick < KEEPER_TICK_MIN_MS) tick = KEEPER_TICK_MIN_MS;
    while (!job__sleep(job, tick)) {
        keeper_pass(e);
        job__progress(job, 1);
    }
}

static void keeper_start(eng_t *e)
{
    e->streams->keeper = true;
    job__start(&e->jobs, JOB_STREAM, "stream keeper", keeper_main, e, NULL);
}

uint64_t eng_stream_records_written(eng_t *e)
{
    streams_t *s = e->streams;
    if (!s) return 0;
    pthread_mutex_lock(&s->seq_mu);
    uint64_t n = s->written;
    pthread_mutex_unlock(&s->seq_mu);
    return n;
}
