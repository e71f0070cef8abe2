/*
 * catalog: table descriptions. Persisted in the FMT_CF_SYS ("sys") column family as
 *   key FMT_CATALOG_KEY_PREFIX "<table name>" ("t/<name>") -> the description as a JSON object
 * and cached in memory as a name-sorted array of immutable, reference-counted descriptors.
 *
 * Stored JSON (field names are on disk: add fields, never rename; "v" is the format version):
 *   {"v":1,"name":..,"id":..,"cf":"t.<id>","created":<epoch s>,"status":..,
 *    "key":{"hash":[name,type],"range":[name,type]?},"attrdefs":[[name,type],..],
 *    (a GSI's multi-attribute key adds "hash_more":[[name,type],..] and "range_more":[..], its
 *     attributes after the first of each kind, in schema order; absent for one attribute)
 *    "idx":[{"name":..,"id":..,"global":bool,"key":{..},"proj":"ALL|KEYS_ONLY|INCLUDE","nonkey":[..],
 *            "rcu":n,"wcu":n,"status":..,"backfilling":bool},..],
 *    (an index's column family is "x.<index id>")
 *    "on_demand":bool,"billing_updated":s,"rcu":n,"wcu":n,"max_rru":n?,"max_wru":n?,
 *    "last_increase":s,"last_decrease":s,
 *    "decreases_today":n,"stream_enabled":bool,"stream_view":..,"stream_label":..,"stream_num":n,
 *    "ttl_enabled":bool,"ttl_attr":..,"deletion_protection":bool,"table_class":..,
 *    "pitr":bool?,"pitr_days":n?,"pitr_since":s?,
 *    "restore":{"backup_arn":..?,"table_arn":..,"time":s,"in_progress":bool,"src":..?,"src_id":..?,
 *               "at_us":n}?   (a restored table; src/src_id/at_us: the restore's source, backup.c)
 *    "tags":[[k,v],..]}
 * Types are "S", "N", "B". A copy of a descriptor is made by formatting and parsing this JSON,
 * which keeps one definition of "all fields".
 *
 * Locking: one rwlock over the array; descriptor contents are immutable once published.
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/clock.h"
#include "common/json.h"
#include "common/log.h"

struct catalog {
    db_t *db;
    pthread_rwlock_t mu;
    size_t n, cap;
    eng_table_t **t; /* sorted by name (bytewise) */
};

/* ---- JSON form ---------------------------------------------------------------------------- */

static void put_attr(jw_t *w, const eng_attr_t *a)
{
    jw_arr_begin(w);
    jw_strz(w, a->name);
    jw_strz(w, av_type_name(a->type));
    jw_arr_end(w);
}

/* The attributes after the first of a multi-attribute key, when there are any. */
static void put_more(jw_t *w, const char *key, const eng_attr_t *a)
{
    if (!a[1].name) return;
    jw_keyz(w, key);
    jw_arr_begin(w);
    for (int i = 1; i < ENG_KEY_ATTRS_MAX && a[i].name; i++) put_attr(w, &a[i]);
    jw_arr_end(w);
}

void catalog__put_keyschema(jw_t *w, const eng_keyschema_t *k)
{
    jw_obj_begin(w);
    jw_keyz(w, "hash");
    put_attr(w, &k->hash);
    if (k->range.name) {
        jw_keyz(w, "range");
        put_attr(w, &k->range);
    }
    put_more(w, "hash_more", k->hashes);
    put_more(w, "range_more", k->ranges);
    jw_obj_end(w);
}

static void put_optstr(jw_t *w, const char *k, const char *v)
{
    if (!v) return;
    jw_keyz(w, k);
    jw_strz(w, v);
}

static const char *const proj_names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};

static char *table_to_json(arena_t *a, const eng_table_t *t, const char *cf_name, size_t *len)
{
    jw_t w;
    jw_init(&w, a, 1024);
    jw_obj_begin(&w);
    jw_keyz(&w, "v");
    jw_int(&w, FMT_CATALOG_VERSION);
    put_optstr(&w, "name", t->name);
    put_optstr(&w, "id", t->id);
    put_optstr(&w, "cf", cf_name);
    jw_keyz(&w, "created");
    jw_double(&w, t->created);
    put_optstr(&w, "status", t->status);
    jw_keyz(&w, "key");
    catalog__put_keyschema(&w, &t->key);
    jw_keyz(&w, "attrdefs");
    jw_arr_begin(&w);
    for (size_t i = 0; i < t->n_attrdefs; i++) put_attr(&w, &t->attrdefs[i]);
    jw_arr_end(&w);
    jw_keyz(&w, "idx");
    jw_arr_begin(&w);
    for (size_t i = 0; i < t->n_idx; i++) {
        const eng_index_t *x = &t->idx[i];
        jw_obj_begin(&w);
        put_optstr(&w, "name", x->name);
        put_optstr(&w, "id", x->id);
        jw_keyz(&w, "global");
        jw_bool(&w, x->global);
        jw_keyz(&w, "key");
        catalog__put_keyschema(&w, &x->key);
        put_optstr(&w, "proj", proj_names[x->proj]);
        jw_keyz(&w, "nonkey");
        jw_arr_begin(&w);
        for (size_t j = 0; j < x->n_nonkey; j++) jw_strz(&w, x->nonkey[j]);
        jw_arr_end(&w);
        jw_keyz(&w, "rcu");
        jw_int(&w, x->rcu);
        jw_keyz(&w, "wcu");
        jw_int(&w, x->wcu);
        put_optstr(&w, "status", x->status);
        jw_keyz(&w, "backfilling");
        jw_bool(&w, x->backfilling);
        jw_obj_end(&w);
    }
    jw_arr_end(&w);
    jw_keyz(&w, "on_demand");
    jw_bool(&w, t->on_demand);
    jw_keyz(&w, "billing_updated");
    jw_double(&w, t->billing_updated);
    jw_keyz(&w, "rcu");
    jw_int(&w, t->rcu);
    jw_keyz(&w, "wcu");
    jw_int(&w, t->wcu);
    if (t->max_rru || t->max_wru) { /* OnDemandThroughput; absent in records of older binaries */
        jw_keyz(&w, "max_rru");
        jw_int(&w, t->max_rru);
        jw_keyz(&w, "max_wru");
        jw_int(&w, t->max_wru);
    }
    jw_keyz(&w, "last_increase");
    jw_double(&w, t->last_increase);
    jw_keyz(&w, "last_decrease");
    jw_double(&w, t->last_decrease);
    jw_keyz(&w, "decreases_today");
    jw_int(&w, t->decreases_today);
    jw_keyz(&w, "stream_enabled");
    jw_bool(&w, t->stream_enabled);
    put_optstr(&w, "stream_view", t->stream_view);
    put_optstr(&w, "stream_label", t->stream_label);
    if (t->stream_num_) {
        jw_keyz(&w, "stream_num");
        jw_int(&w, (long long)t->stream_num_);
    }
    jw_keyz(&w, "ttl_enabled");
    jw_bool(&w, t->ttl_enabled);
    put_optstr(&w, "ttl_attr", t->ttl_attr);
    jw_keyz(&w, "deletion_protection");
    jw_bool(&w, t->deletion_protection);
    put_optstr(&w, "table_class", t->table_class);
    if (t->pitr_enabled || t->pitr_days) { /* absent in records of older binaries */
        jw_keyz(&w, "pitr");
        jw_bool(&w, t->pitr_enabled);
        jw_keyz(&w, "pitr_days");
        jw_int(&w, t->pitr_days);
        jw_keyz(&w, "pitr_since");
        jw_double(&w, t->pitr_since);
    }
    if (t->restored) {
        jw_keyz(&w, "restore");
        jw_obj_begin(&w);
        put_optstr(&w, "backup_arn", t->restore_backup_arn);
        put_optstr(&w, "table_arn", t->restore_table_arn);
        jw_keyz(&w, "time");
        jw_double(&w, t->restore_time);
        jw_keyz(&w, "in_progress");
        jw_bool(&w, t->restore_in_progress);
        put_optstr(&w, "src", t->restore_src_);
        put_optstr(&w, "src_id", t->restore_src_id_);
        jw_keyz(&w, "at_us");
        jw_int(&w, t->restore_at_us_);
        jw_obj_end(&w);
    }
    jw_keyz(&w, "tags");
    jw_arr_begin(&w);
    for (size_t i = 0; i < t->n_tags; i++) {
        jw_arr_begin(&w);
        jw_strz(&w, t->tags[i].key);
        jw_strz(&w, t->tags[i].value);
        jw_arr_end(&w);
    }
    jw_arr_end(&w);
    jw_obj_end(&w);
    *len = w.b.len;
    return w.b.data;
}

static const char *get_str(arena_t *a, const json_t *o, const char *k)
{
    const json_t *v = json_get(o, k);
    return v && v->type == JSON_STRING ? arena_memdup(a, v->str.ptr, v->str.len) : NULL;
}

static double get_num(const json_t *o, const char *k)
{
    const json_t *v = json_get(o, k);
    return v && v->type == JSON_NUMBER ? strtod(v->str.ptr, NULL) : 0;
}

static bool get_bool(const json_t *o, const char *k)
{
    const json_t *v = json_get(o, k);
    return v && v->type == JSON_TRUE;
}

static int parse_attr(arena_t *a, const json_t *v, eng_attr_t *out)
{
    if (!v || v->type != JSON_ARRAY || v->n != 2) return -1;
    const json_t *n = v->child, *t = n->next;
    if (n->type != JSON_STRING || t->type != JSON_STRING) return -1;
    out->name = arena_memdup(a, n->str.ptr, n->str.len);
    out->type = av_type_from_name(t->str.ptr, t->str.len);
    return out->type == AV_S || out->type == AV_N || out->type == AV_B ? 0 : -1;
}

int catalog__parse_keyschema(arena_t *a, const json_t *v, eng_keyschema_t *k)
{
    memset(k, 0, sizeof *k);
    if (!v || v->type != JSON_OBJECT) return -1;
    if (parse_attr(a, json_get(v, "hash"), &k->hash)) return -1;
    const json_t *r = json_get(v, "range");
    if (r && parse_attr(a, r, &k->range)) return -1;
    const char *more[2] = {"hash_more", "range_more"};
    eng_attr_t *to[2] = {k->hashes, k->ranges};
    for (int m = 0; m < 2; m++) {
        const json_t *l = json_get(v, more[m]);
        if (!l) continue;
        if (l->type != JSON_ARRAY || l->n > ENG_KEY_ATTRS_MAX - 1 || !to[m][0].name) return -1;
        int i = 1;
        for (const json_t *c = l->child; c; c = c->next, i++)
            if (parse_attr(a, c, &to[m][i])) return -1;
    }
    return 0;
}

/* Parse a stored description into a new descriptor owning a new arena. *cf_name gets "cf". */
static eng_table_t *table_from_json(const char *text, size_t len, char *cf_name, size_t cf_cap)
{
    arena_t *a = arena_new(4096);
    json_error_t je;
    json_t *o = json_parse(a, text, len, 16, &je);
    eng_table_t *t = ARENA_NEW(a, eng_table_t);
    t->arena_ = a;
    if (!o || o->type != JSON_OBJECT || get_num(o, "v") != FMT_CATALOG_VERSION) goto bad;
    t->name = get_str(a, o, "name");
    t->id = get_str(a, o, "id");
    const char *cf = get_str(a, o, "cf");
    if (!t->name || !t->id || !cf) goto bad;
    if (cf_name) snprintf(cf_name, cf_cap, "%s", cf);
    t->created = get_num(o, "created");
    t->status = get_str(a, o, "status");
    if (catalog__parse_keyschema(a, json_get(o, "key"), &t->key)) goto bad;
    const json_t *ad = json_get(o, "attrdefs");
    if (!ad || ad->type != JSON_ARRAY) goto bad;
    t->n_attrdefs = ad->n;
    t->attrdefs = ARENA_NEWN(a, eng_attr_t, ad->n + 1);
    size_t i = 0;
    for (const json_t *c = ad->child; c; c = c->next, i++)
        if (parse_attr(a, c, &t->attrdefs[i])) goto bad;
    const json_t *ix = json_get(o, "idx");
    if (ix && ix->type == JSON_ARRAY) {
        t->n_idx = ix->n;
        t->idx = ARENA_NEWN(a, eng_index_t, ix->n + 1);
        i = 0;
        for (const json_t *c = ix->child; c; c = c->next, i++) {
            eng_index_t *x = &t->idx[i];
            x->name = get_str(a, c, "name");
            x->id = get_str(a, c, "id");
            x->global = get_bool(c, "global");
            if (!x->name || catalog__parse_keyschema(a, json_get(c, "key"), &x->key)) goto bad;
            const char *p = get_str(a, c, "proj");
            x->proj = !p || !strcmp(p, "ALL")   ? ENG_PROJ_ALL
                      : !strcmp(p, "KEYS_ONLY") ? ENG_PROJ_KEYS_ONLY
                                                : ENG_PROJ_INCLUDE;
            const json_t *nk = json_get(c, "nonkey");
            if (nk && nk->type == JSON_ARRAY && nk->n) {
                x->n_nonkey = nk->n;
                x->nonkey = ARENA_NEWN(a, const char *, nk->n);
                size_t j = 0;
                for (const json_t *s = nk->child; s; s = s->next, j++)
                    x->nonkey[j] = s->type == JSON_STRING ? arena_memdup(a, s->str.ptr, s->str.len) : "";
            }
            x->rcu = (int64_t)get_num(c, "rcu");
            x->wcu = (int64_t)get_num(c, "wcu");
            x->status = get_str(a, c, "status");
            x->backfilling = get_bool(c, "backfilling");
        }
    }
    t->on_demand = get_bool(o, "on_demand");
    t->billing_updated = get_num(o, "billing_updated");
    t->rcu = (int64_t)get_num(o, "rcu");
    t->wcu = (int64_t)get_num(o, "wcu");
    t->max_rru = (int64_t)get_num(o, "max_rru");
    t->max_wru = (int64_t)get_num(o, "max_wru");
    t->last_increase = get_num(o, "last_increase");
    t->last_decrease = get_num(o, "last_decrease");
    t->decreases_today = (int64_t)get_num(o, "decreases_today");
    t->stream_enabled = get_bool(o, "stream_enabled");
    t->stream_view = get_str(a, o, "stream_view");
    t->stream_label = get_str(a, o, "stream_label");
    t->stream_num_ = (uint64_t)get_num(o, "stream_num");
    t->ttl_enabled = get_bool(o, "ttl_enabled");
    t->ttl_attr = get_str(a, o, "ttl_attr");
    t->deletion_protection = get_bool(o, "deletion_protection");
    t->table_class = get_str(a, o, "table_class");
    t->pitr_enabled = get_bool(o, "pitr");
    t->pitr_days = (int)get_num(o, "pitr_days");
    t->pitr_since = get_num(o, "pitr_since");
    const json_t *rs = json_get(o, "restore");
    if (rs && rs->type == JSON_OBJECT) {
        t->restored = true;
        t->restore_backup_arn = get_str(a, rs, "backup_arn");
        t->restore_table_arn = get_str(a, rs, "table_arn");
        t->restore_time = get_num(rs, "time");
        t->restore_in_progress = get_bool(rs, "in_progress");
        t->restore_src_ = get_str(a, rs, "src");
        t->restore_src_id_ = get_str(a, rs, "src_id");
        t->restore_at_us_ = (int64_t)get_num(rs, "at_us");
    }
    const json_t *tg = json_get(o, "tags");
    if (tg && tg->type == JSON_ARRAY) {
        t->n_tags = tg->n;
        t->tags = ARENA_NEWN(a, eng_tag_t, tg->n + 1);
        i = 0;
        for (const json_t *c = tg->child; c; c = c->next, i++) {
            if (c->type != JSON_ARRAY || c->n != 2) goto bad;
            t->tags[i].key = arena_memdup(a, c->child->str.ptr, c->child->str.len);
            t->tags[i].value = arena_memdup(a, c->child->next->str.ptr, c->child->next->str.len);
        }
    }
    atomic_init((atomic_int *)&t->refs_, 1);
    return t;
bad:
    arena_free(a);
    return NULL;
}

char *catalog__table_json(arena_t *a, const eng_table_t *t, size_t *len)
{
    return table_to_json(a, t, t->store_ ? t->store_->cf_name : "", len);
}

eng_table_t *catalog__table_parse(const char *text, size_t len)
{
    return table_from_json(text, len, NULL, 0);
}

/* ---- references ------------------------------------------------------------------------- */

static eng__store_t *store_new(db_t *db, db_cf_t *cf, const char *cf_name)
{
    eng__store_t *s = calloc(1, sizeof *s);
    if (!s) abort();
    s->db = db;
    s->cf = cf;
    atomic_init(&s->refs, 1);
    atomic_init(&s->dropped, false);
    snprintf(s->cf_name, sizeof s->cf_name, "%s", cf_name);
    return s;
}

static void store_release(eng__store_t *s)
{
    if (atomic_fetch_sub(&s->refs, 1) != 1) return;
    if (atomic_load(&s->dropped)) db__cf_destroy(s->db, s->cf);
    free(s);
}

static void store_retain(eng__store_t *s)
{
    if (s) atomic_fetch_add(&s->refs, 1);
}

/* Mark a store's family dropped and drop its data (the handle goes with the last reference). */
static void store_drop(eng__store_t *s)
{
    atomic_store(&s->dropped, true);
    db__cf_drop(s->db, s->cf);
}

/* Find or create the column family of an index and give the index its store. */
static int index_attach(db_t *db, eng_index_t *x)
{
    char cf_name[64];
    snprintf(cf_name, sizeof cf_name, FMT_CF_INDEX_PREFIX "%s", x->id);
    db_cf_t *cf = db__cf_find(db, cf_name);
    if (!cf) cf = db__cf_create(db, cf_name);
    if (!cf) return -1;
    x->store_ = store_new(db, cf, cf_name);
    return 0;
}

void eng_table_retain(eng_table_t *t)
{
    atomic_fetch_add((atomic_int *)&t->refs_, 1);
}

void eng_table_release(eng_table_t *t)
{
    if (!t) return;
    if (atomic_fetch_sub((atomic_int *)&t->refs_, 1) != 1) return;
    if (t->store_) store_release(t->store_);
    for (size_t i = 0; i < t->n_idx; i++)
        if (t->idx[i].store_) store_release(t->idx[i].store_);
    arena_free(t->arena_);
}

const char *eng_table_strdup(eng_table_t *t, const char *s)
{
    return s ? arena_strdup(t->arena_, s) : NULL;
}

void *eng_table_alloc(eng_table_t *t, size_t n)
{
    return arena_calloc(t->arena_, n);
}

eng_index_t *eng_table_add_index(eng_table_t *t)
{
    eng_index_t *idx = arena_calloc(t->arena_, sizeof *idx * (t->n_idx + 1));
    if (t->n_idx) memcpy(idx, t->idx, sizeof *idx * t->n_idx);
    t->idx = idx;
    return &t->idx[t->n_idx++];
}

/* Deep copy through the JSON form; the copy shares (and retains) the store. */
static eng_table_t *table_clone(const eng_table_t *t)
{
    arena_t *tmp = arena_new(4096);
    size_t len;
    char *js = table_to_json(tmp, t, t->store_ ? t->store_->cf_name : "", &len);
    eng_table_t *c = table_from_json(js, len, NULL, 0);
    arena_free(tmp);
    if (!c) abort(); /* our own output always parses */
    c->store_ = t->store_;
    store_retain(c->store_);
    c->idx_gen_ = t->idx_gen_;
    for (size_t i = 0; i < c->n_idx; i++) {
        c->idx[i].store_ = t->idx[i].store_;
        store_retain(c->idx[i].store_);
    }
    return c;
}

/* ---- the sorted array ------------------------------------------------------------------- */

static int cmp_name(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    size_t n = alen < blen ? alen : blen;
    int c = memcmp(a, b, n);
    if (c) return c;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* Index of the table, or -(insertion point) - 1. */
static long find(catalog_t *c, const char *name, size_t len)
{
    long lo = 0, hi = (long)c->n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        int r = cmp_name(name, len, c->t[mid]->name);
        if (r == 0) return mid;
        if (r < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return -lo - 1;
}

static void insert_at(catalog_t *c, size_t pos, eng_table_t *t)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->t = realloc(c->t, c->cap * sizeof *c->t);
        if (!c->t) abort();
    }
    memmove(c->t + pos + 1, c->t + pos, (c->n - pos) * sizeof *c->t);
    c->t[pos] = t;
    c->n++;
}

static void remove_at(catalog_t *c, size_t pos)
{
    memmove(c->t + pos, c->t + pos + 1, (c->n - pos - 1) * sizeof *c->t);
    c->n--;
}

/* ---- persistence -------------------------------------------------------------------------- */

static void new_uuid(char out[37]);

/* Write t's catalog record (with whatever b already holds, or alone when b is NULL). */
static int persist_record(db_t *db, const eng_table_t *t, db_batch_t *b)
{
    arena_t *a = arena_new(4096);
    size_t len;
    char *js = table_to_json(a, t, t->store_->cf_name, &len);
    char *key = arena_sprintf(a, FMT_CATALOG_KEY_PREFIX "%s", t->name);
    db_batch_t *own = b ? NULL : db__batch_new();
    db__batch_put(b ? b : own, db__sys(db), key, strlen(key), js, len);
    int rc = db__write(db, b ? b : own);
    db__batch_free(own);
    arena_free(a);
    return rc;
}

/* Persist a new or changed description with the stream registry's share of the change (a stream
 * started or closed) in the same batch. 0, or -1 when nothing was written. */
static int persist_with_stream(eng_t *e, const eng_table_t *old, eng_table_t *nt)
{
    stream_change_t ch;
    db_batch_t *b = db__batch_new();
    int rc = stream__table_change(e, old, nt, b, &ch);
    if (rc == 0) rc = persist_record(e->db, nt, b);
    stream__table_done(e, &ch, rc == 0);
    db__batch_free(b);
    return rc;
}

typedef struct {
    catalog_t *c;
    int loaded;
    int skipped; /* records that could not be loaded: keep every unowned family then */
} load_ctx_t;

static int load_one(void *ctx, const char *k, size_t kl, const char *v, size_t vl)
{
    load_ctx_t *lc = ctx;
    catalog_t *c = lc->c;
    if (kl < FMT_CATALOG_KEY_PREFIX_LEN || memcmp(k, FMT_CATALOG_KEY_PREFIX, FMT_CATALOG_KEY_PREFIX_LEN) != 0)
        return 0;
    char cf_name[64];
    eng_table_t *t = table_from_json(v, vl, cf_name, sizeof cf_name);
    if (!t) {
        log_error("catalog record %.*s is corrupt; table skipped", (int)kl, k);
        lc->skipped++;
        return 0;
    }
    db_cf_t *cf = db__cf_find(c->db, cf_name);
    if (!cf) {
        log_error("table %s: column family %s missing; recreated empty", t->name, cf_name);
        cf = db__cf_create(c->db, cf_name);
        if (!cf) {
            eng_table_release(t);
            lc->skipped++;
            return 0;
        }
    }
    t->store_ = store_new(c->db, cf, cf_name);
    bool upgraded = false;
    for (size_t i = 0; i < t->n_idx; i++) {
        if (!t->idx[i].id) {
            /* written before indexes were maintained: give the index its own family and build it */
            char xid[37];
            new_uuid(xid);
            t->idx[i].id = arena_strdup(t->arena_, xid);
            t->idx[i].status = t->idx[i].global ? "CREATING" : t->idx[i].status;
            t->idx[i].backfilling = true;
            upgraded = true;
        }
        if (index_attach(c->db, &t->idx[i]) != 0) {
            log_error("table %s: index %s has no column family; table skipped", t->name, t->idx[i].name);
            eng_table_release(t);
            lc->skipped++;
            return 0;
        }
    }
    long pos = find(c, t->name, strlen(t->name));
    if (pos >= 0) { /* cannot happen: keys are unique */
        eng_table_release(t);
        return 0;
    }
    insert_at(c, (size_t)(-pos - 1), t);
    lc->loaded++;
    if (upgraded && persist_record(c->db, t, NULL) != 0)
        log_error("table %s: cannot record its index ids", t->name);
    return 0;
}

catalog_t *catalog__open(db_t *db, char **errmsg)
{
    catalog_t *c = calloc(1, sizeof *c);
    if (!c) abort();
    c->db = db;
    pthread_rwlock_init(&c->mu, NULL);
    load_ctx_t lc = {c, 0, 0};
    if (db__scan_all(db, db__sys(db), load_one, &lc) < 0) {
        if (errmsg) *errmsg = strdup("cannot read the catalog");
        catalog__close(c);
        return NULL;
    }
    /* Column families no table owns (a crash between creating one and recording the table,
     * or between dropping the record and the family): drop them. */
    char **names;
    size_t n = lc.skipped ? 0 : db__table_cfs(db, &names);
    if (lc.skipped) {
        log_warn("%d catalog records were skipped: unowned column families are kept", lc.skipped);
        return c;
    }
    for (size_t i = 0; i < n; i++) {
        bool owned = false;
        for (size_t j = 0; j < c->n && !owned; j++) {
            owned = !strcmp(c->t[j]->store_->cf_name, names[i]);
            for (size_t k = 0; k < c->t[j]->n_idx && !owned; k++)
                owned = !strcmp(c->t[j]->idx[k].store_->cf_name, names[i]);
        }
        if (!owned) {
            db_cf_t *cf = db__cf_find(db, names[i]);
            log_warn("dropping orphan column family %s", names[i]);
            if (cf && db__cf_drop(db, cf) == 0) db__cf_destroy(db, cf);
        }
        free(names[i]);
    }
    free(names);
    return c;
}

void catalog__close(catalog_t *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) eng_table_release(c->t[i]);
    free(c->t);
    pthread_rwlock_destroy(&c->mu);
    free(c);
}

/* ---- public API ------------------------------------------------------------------------- */

static void new_uuid(char out[37])
{
    unsigned char r[16];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)(uintptr_t)out;
        for (int i = 0; i < 16; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            r[i] = (unsigned char)(x >> 56);
        }
    }
    r[6] = (r[6] & 0x0f) | 0x40; /* version 4 */
    r[8] = (r[8] & 0x3f) | 0x80; /* variant 1 */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14], r[15]);
}

ddb_err_t eng_table_create(eng_t *e, const eng_table_t *spec, eng_table_t **out, ddb_errctx_t *err)
{
    catalog_t *c = e->cat;
    char id[37];
    new_uuid(id);
    eng_table_t tmp = *spec;
    tmp.id = id;
    tmp.created = ddb_now_s();
    tmp.store_ = NULL;
    char cf_name[64];
    snprintf(cf_name, sizeof cf_name, FMT_CF_TABLE_PREFIX "%s", id);

    arena_t *a = arena_new(4096);
    tmp.idx = ARENA_NEWN(a, eng_index_t, spec->n_idx + 1);
    for (size_t i = 0; i < spec->n_idx; i++) {
        char xid[37];
        new_uuid(xid);
        tmp.idx[i] = spec->idx[i];
        tmp.idx[i].id = arena_strdup(a, xid);
        tmp.idx[i].store_ = NULL;
    }
    size_t len;
    char *js = table_to_json(a, &tmp, cf_name, &len);
    eng_table_t *t = table_from_json(js, len, NULL, 0);
    arena_free(a);
    if (!t) abort();

    pthread_rwlock_wrlock(&c->mu);
    long pos = find(c, spec->name, strlen(spec->name));
    if (pos >= 0) {
        pthread_rwlock_unlock(&c->mu);
        eng_table_release(t);
        return err_set(err, DDB_ERR_RESOURCE_IN_USE, "Table already exists: %s", spec->name);
    }
    db_cf_t *cf = db__cf_create(e->db, cf_name);
    if (!cf) {
        pthread_rwlock_unlock(&c->mu);
        eng_table_release(t);
        return db__storage_err(e->db, true, err);
    }
    t->store_ = store_new(e->db, cf, cf_name);
    int ok = 1;
    for (size_t i = 0; i < t->n_idx && ok; i++) ok = index_attach(e->db, &t->idx[i]) == 0;
    if (!ok || persist_with_stream(e, NULL, t) != 0) {
        store_drop(t->store_);
        for (size_t i = 0; i < t->n_idx; i++)
            if (t->idx[i].store_) store_drop(t->idx[i].store_);
        pthread_rwlock_unlock(&c->mu);
        eng_table_release(t);
        return db__storage_err(e->db, true, err);
    }
    insert_at(c, (size_t)(-pos - 1), t);
    if (out) {
        eng_table_retain(t);
        *out = t;
    }
    pthread_rwlock_unlock(&c->mu);
    return DDB_OK;
}

eng_table_t *eng_table_get(eng_t *e, const char *name, size_t len)
{
    catalog_t *c = e->cat;
    eng_table_t *t = NULL;
    pthread_rwlock_rdlock(&c->mu);
    long pos = find(c, name, len);
    if (pos >= 0) {
        t = c->t[pos];
        eng_table_retain(t);
    }
    pthread_rwlock_unlock(&c->mu);
    return t;
}

ddb_err_t eng_table_update(eng_t *e, const char *name, eng_table_mutate_fn mutate, void *ctx,
                           eng_table_t **out, ddb_errctx_t *err)
{
    catalog_t *c = e->cat;
    pthread_rwlock_wrlock(&c->mu);
    long pos = find(c, name, strlen(name));
    if (pos < 0) {
        pthread_rwlock_unlock(&c->mu);
        return err_set(err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                       name);
    }
    eng_table_t *old = c->t[pos];
    eng_table_t *nt = table_clone(old);
    ddb_err_t rc = mutate(ctx, nt, err);
    if (rc != DDB_OK) {
        pthread_rwlock_unlock(&c->mu);
        eng_table_release(nt);
        return rc;
    }
    /* identity fields cannot change */
    nt->name = old->name ? eng_table_strdup(nt, old->name) : NULL;
    nt->id = eng_table_strdup(nt, old->id);
    nt->created = old->created;

    /* Indexes the callback removed (the clone's references to them go) and added (new ids and
     * column families). */
    size_t n_removed = 0, n_added = 0;
    eng__store_t **removed = calloc(old->n_idx + 1, sizeof *removed);
    const char **added = calloc(nt->n_idx + 1, sizeof *added);
    if (!removed || !added) abort();
    for (size_t j = 0; j < old->n_idx; j++) {
        bool kept = false;
        for (size_t i = 0; i < nt->n_idx && !kept; i++) kept = nt->idx[i].store_ == old->idx[j].store_;
        if (!kept) removed[n_removed++] = old->idx[j].store_; /* holds the clone's reference now */
    }
    for (size_t i = 0; i < nt->n_idx && rc == DDB_OK; i++) {
        eng_index_t *x = &nt->idx[i];
        if (x->id) continue;
        char xid[37];
        new_uuid(xid);
        x->id = eng_table_strdup(nt, xid);
        x->store_ = NULL;
        if (index_attach(e->db, x) != 0)
            rc = db__storage_err(e->db, true, err);
        else
            added[n_added++] = x->id;
    }
    if (rc == DDB_OK && persist_with_stream(e, old, nt) != 0) rc = db__storage_err(e->db, true, err);
    if (rc != DDB_OK) {
        pthread_rwlock_unlock(&c->mu);
        /* nothing was published: drop the families made for new indexes */
        for (size_t i = 0; i < nt->n_idx; i++)
            for (size_t k = 0; k < n_added; k++)
                if (nt->idx[i].id == added[k]) store_drop(nt->idx[i].store_);
        eng_table_release(nt);
        for (size_t i = 0; i < n_removed; i++) store_release(removed[i]);
        free(removed);
        free(added);
        return rc;
    }
    /* A new set of indexes, or a stream started or closed: writers holding an older description
     * re-read it (txn.c), so no write misses a new index or stream once this call returns. */
    bool restage = n_removed || n_added || old->stream_enabled != nt->stream_enabled ||
                   old->stream_num_ != nt->stream_num_ || old->pitr_enabled != nt->pitr_enabled;
    if (restage) nt->idx_gen_ = atomic_fetch_add(&nt->store_->idx_gen, 1) + 1;
    c->t[pos] = nt;
    if (out) {
        eng_table_retain(nt);
        *out = nt;
    }
    const char *tname = arena_strdup(nt->arena_, nt->name);
    eng_table_retain(nt);
    pthread_rwlock_unlock(&c->mu);
    eng_table_release(old);

    if (restage) /* Every writer that still holds an older description either finished before this
                  * point or will see the new generation under its stripe lock and re-read it. */
        lock__barrier(&e->locks);
    if (n_removed || n_added) {
        arena_t *a = arena_new(512);
        db_batch_t *b = db__batch_new();
        for (size_t i = 0; i < n_removed; i++) {
            store_drop(removed[i]);
            stats__delete(e, b, removed[i]->cf_name + FMT_CF_PREFIX_LEN, a); /* the index id */
            store_release(removed[i]);
        }
        db__write(e->db, b);
        db__batch_free(b);
        arena_free(a);
        for (size_t i = 0; i < nt->n_idx; i++)
            for (size_t k = 0; k < n_added; k++)
                if (nt->idx[i].id == added[k] && nt->idx[i].backfilling) backfill__start(e, tname, added[k]);
    }
    eng_table_release(nt);
    free(removed);
    free(added);
    return DDB_OK;
}

ddb_err_t eng_table_delete(eng_t *e, const char *name, eng_table_t **out, ddb_errctx_t *err)
{
    catalog_t *c = e->cat;
    pthread_rwlock_wrlock(&c->mu);
    long pos = find(c, name, strlen(name));
    if (pos < 0) {
        pthread_rwlock_unlock(&c->mu);
        return err_set(err, DDB_ERR_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                       name);
    }
    eng_table_t *t = c->t[pos];
    arena_t *a = arena_new(1024);
    char *key = arena_sprintf(a, FMT_CATALOG_KEY_PREFIX "%s", t->name);
    db_batch_t *b = db__batch_new();
    db__batch_del(b, db__sys(e->db), key, strlen(key));
    stats__delete(e, b, t->id, a);
    for (size_t i = 0; i < t->n_idx; i++) stats__delete(e, b, t->idx[i].id, a);
    pitr__drop_history(e, b, t->id); /* its point-in-time history goes with it */
    stream_change_t ch; /* the table's stream outlives it: DISABLED, readable until retention ends */
    int rc = stream__table_change(e, t, NULL, b, &ch);
    if (rc == 0) rc = db__write(e->db, b);
    stream__table_done(e, &ch, rc == 0);
    db__batch_free(b);
    arena_free(a);
    if (rc != 0) {
        pthread_rwlock_unlock(&c->mu);
        return db__storage_err(e->db, true, err);
    }
    remove_at(c, (size_t)pos);
    pthread_rwlock_unlock(&c->mu);
    /* The record is gone, so a crash from here on leaves an orphan family dropped at start. */
    store_drop(t->store_);
    for (size_t i = 0; i < t->n_idx; i++) store_drop(t->idx[i].store_);
    if (out) {
        eng_table_t *d = table_clone(t);
        d->status = "DELETING";
        *out = d;
    }
    eng_table_release(t);
    return DDB_OK;
}

size_t eng_table_list(eng_t *e, arena_t *a, const char ***names)
{
    catalog_t *c = e->cat;
    pthread_rwlock_rdlock(&c->mu);
    const char **out = ARENA_NEWN(a, const char *, c->n + 1);
    for (size_t i = 0; i < c->n; i++) out[i] = arena_strdup(a, c->t[i]->name);
    size_t n = c->n;
    pthread_rwlock_unlock(&c->mu);
    *names = out;
    return n;
}

size_t eng_table_count(eng_t *e)
{
    pthread_rwlock_rdlock(&e->cat->mu);
    size_t n = e->cat->n;
    pthread_rwlock_unlock(&e->cat->mu);
    return n;
}

bool eng_table_indexing(const eng_table_t *t)
{
    for (size_t i = 0; i < t->n_idx; i++)
        if (t->idx[i].status && strcmp(t->idx[i].status, "ACTIVE")) return true;
    return false;
}

const eng_index_t *eng_index_find(const eng_table_t *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->n_idx; i++)
        if (strlen(t->idx[i].name) == len && !memcmp(t->idx[i].name, name, len)) return &t->idx[i];
    return NULL;
}
