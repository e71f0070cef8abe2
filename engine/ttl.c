/*
 * ttl: the Time to Live sweeper. A job (jobs.c) that, every eng_opts_t.ttl_interval_ms, walks each
 * table with TTL enabled and deletes the items that have expired, as DynamoDB's background process
 * does (documented rule, "Formatting an item's TTL attribute"): an item expires when its TTL
 * attribute is a top-level Number holding epoch seconds earlier than now, and not more than five
 * years earlier (older values are ignored, as are items without the attribute or with another
 * type). DynamoDB takes up to days; a local endpoint should take about a second.
 *
 * A sweep reads TTL_PAGE items at a time (a Scan page at one snapshot, keeping the expired ones),
 * then deletes them with one multi-item write whose apply re-checks each item under its key lock:
 * an item updated meanwhile to a later expiry, or deleted, is left alone. The deletes carry
 * ENG_ORIGIN_TTL, update index entries and counters in the same batch, and consume no capacity.
 * Between pages the sweeper checks for a stop, so it never holds a lock for long nor delays
 * eng_close, and pauses four times as long as the page took, so it takes at most a fifth of a
 * core (about 75 k items scanned per second).
 */
#include "engine/engine_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/decimal.h"
#include "common/log.h"

#define TTL_PAGE 100                            /* items read per step; deletes per batch at most */
#define TTL_MAX_AGE_S (5 * 365 * 86400 + 86400) /* five years (with a leap day) */

typedef struct {
    const char *attr;
    dec_t now, oldest; /* expired: oldest <= value < now */
} ttl_rule_t;

/* Whether `item` has expired under the rule. */
static bool expired(const ttl_rule_t *r, const av_map_t *item)
{
    const av_t *v = av_map_get(item, r->attr, strlen(r->attr));
    if (!v || v->type != AV_N) return false;
    dec_t d;
    if (dec_parse(v->s.ptr, v->s.len, &d) != DEC_OK) return false;
    return dec_cmp(&d, &r->now) < 0 && dec_cmp(&d, &r->oldest) >= 0;
}

static bool keep_expired(void *ctx, const av_map_t *item)
{
    return expired(ctx, item);
}

/* Under the key lock: delete the item if it is (still) expired, else change nothing. */
static ddb_err_t ttl_apply(void *ctx, const av_map_t *old, eng_apply_t *action, av_map_t **new_item,
                           ddb_errctx_t *err)
{
    (void)new_item;
    (void)err;
    *action = old && expired(ctx, old) ? ENG_APPLY_DELETE : ENG_APPLY_NOOP;
    return DDB_OK;
}

/* One sweep of one table. Returns the number of items deleted, or -1 on a storage error. */
static long sweep_table(eng_t *e, job_t *job, const char *name, const ttl_rule_t *rule0)
{
    long deleted = 0;
    arena_t *keep = arena_new(4096);
    av_map_t *start = NULL;
    for (;;) {
        if (job__stopping(job)) break;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        eng_table_t *t = eng_table_get(e, name, strlen(name));
        if (!t || !t->ttl_enabled || !t->ttl_attr) {
            eng_table_release(t);
            break;
        }
        ttl_rule_t rule = *rule0;
        rule.attr = t->ttl_attr;
        arena_t *a = arena_new(64 << 10);
        ddb_errctx_t err;
        err_init(&err, a);
        eng_query_t q = {0};
        q.start = start;
        q.limit = TTL_PAGE;
        q.keep = keep_expired;
        q.keep_ctx = &rule;
        eng_page_t page;
        ddb_err_t rc = eng_query(e, t, &q, a, &page, &err);
        if (rc == DDB_OK && page.count > 0) {
            eng_multi_op_t *ops = ARENA_NEWN(a, eng_multi_op_t, page.count);
            eng_multi_result_t *res = ARENA_NEWN(a, eng_multi_result_t, page.count);
            for (size_t i = 0; i < page.count; i++) {
                ops[i] = (eng_multi_op_t){t, key__attrs(a, t, NULL, page.items[i]), ttl_apply, &rule,
                                          ENG_ORIGIN_TTL};
                err_init(&res[i].err, a);
            }
            rc = eng_multi_write(e, page.count, ops, a, res, &err);
            if (rc == DDB_OK)
                for (size_t i = 0; i < page.count; i++)
                    deleted += res[i].res.old_item && !res[i].res.new_item;
        }
        bool more = rc == DDB_OK && page.last_key;
        if (more) { /* the next page starts after this one's last key: keep it past this arena */
            arena_reset(keep);
            start = ARENA_NEW(keep, av_map_t);
            av_map_copy(keep, page.last_key, start);
        }
        if (rc != DDB_OK && rc != DDB_ERR_RESOURCE_NOT_FOUND) {
            log_error("TTL sweep of table %s: %s", name, err.msg ? err.msg : "storage error");
            deleted = deleted ? deleted : -1;
            more = false;
        }
        arena_free(a);
        eng_table_release(t);
        if (!more) break;
        /* pause four times as long as the step took: the sweeper takes at most a fifth of a core.
         * Measured (bench/ttl_sweep.py, 200 k items on 2 cores): at half a core foreground GetItem
         * p99 went from ~1 to ~30 ms during a sweep; at a fifth it stays where it was. */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        long ns = (t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec);
        ns *= 4;
        struct timespec pause = {0, ns < 50000000L ? ns : 50000000L};
        if (ns > 0) nanosleep(&pause, NULL);
    }
    arena_free(keep);
    return deleted;
}

static void ttl_main(job_t *job, void *arg)
{
    eng_t *e = arg;
    do {
        time_t now = time(NULL);
        ttl_rule_t rule = {0};
        dec_from_int((int64_t)now, &rule.now);
        dec_from_int((int64_t)now - TTL_MAX_AGE_S, &rule.oldest);
        arena_t *a = arena_new(4096);
        const char **names;
        size_t n = eng_table_list(e, a, &names);
        for (size_t i = 0; i < n && !job__stopping(job); i++) {
            eng_table_t *t = eng_table_get(e, names[i], strlen(names[i]));
            bool on = t && t->ttl_enabled && t->ttl_attr;
            eng_table_release(t);
            if (!on) continue;
            long d = sweep_table(e, job, names[i], &rule);
            if (d > 0) job__progress(job, (uint64_t)d);
        }
        arena_free(a);
    } while (!job__sleep(job, e->ttl_interval_ms));
}

void ttl__start(eng_t *e)
{
    if (e->ttl_interval_ms == 0) return;
    job__start(&e->jobs, JOB_TTL, "ttl sweeper", ttl_main, e, NULL);
}
