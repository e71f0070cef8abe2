/*
 * transient: the transient states of -delayTransientStatuses (issue 17 section 6). With the flag
 * (cfg->transient_ms > 0) a table is CREATING after CreateTable, UPDATING after an UpdateTable that
 * changes something, DELETING after DeleteTable, and a GSI is CREATING / UPDATING / DELETING after
 * its UpdateTable, each for cfg->transient_ms milliseconds. Without the flag nothing here is called
 * (every entry point returns at once), so behaviour is as before.
 *
 * The states live in memory only, each with its end on the monotonic clock: a restart comes back with
 * every table ACTIVE and every deletion finished. Nothing is stored differently: CreateTable and
 * UpdateTable have made their change in the engine already, and DeleteTable has really deleted the
 * table (the engine's one atomic deletion) before its DELETING entry is made; that entry keeps a
 * reference to the last description (a ghost) so DescribeTable and ListTables can still show it until
 * the end, as DynamoDB does. A deleted GSI's entry keeps the description it was part of likewise.
 *
 * Entries are keyed by engine (namespace), table name and index name (NULL: the table itself). One
 * mutex guards them; requests skip it while there are none or all have ended (a relaxed count and the
 * latest end: idle()), so a server with the flag takes the lock only while some state is live. Ended
 * entries are removed (their references released) by the next call that takes the lock (a tr_begin at
 * the latest). tr_clear() releases everything before the engines close.
 */
#include "common/clock.h"
#include "server/server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const eng_t *eng;
    char *table;
    char *index; /* NULL: the table's own state */
    tr_state_t state;
    uint64_t until_ms;  /* monotonic */
    eng_table_t *ghost; /* DELETING: the description shown (a reference), else NULL */
    eng_stats_t stats;  /* a DELETING table's counters as DeleteTable read them */
} entry_t;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static entry_t *g_entries;
static size_t g_n, g_cap;
static atomic_size_t g_count;       /* g_n, read without the lock */
static _Atomic uint64_t g_last_end; /* the latest until_ms ever begun: past it, every state has ended */

/* No state can be live: the requests of a server with the flag skip the lock between states. */
static bool idle(void)
{
    return !atomic_load_explicit(&g_count, memory_order_relaxed) ||
           ddb_mono_ms() >= atomic_load_explicit(&g_last_end, memory_order_relaxed);
}

static bool on(const ddb_req_t *r)
{
    return r->cfg && r->cfg->transient_ms > 0;
}

static void entry_free(entry_t *e)
{
    if (e->ghost) eng_table_release(e->ghost);
    free(e->table);
    free(e->index);
}

/* Remove entries that ended (lock held). */
static void purge(uint64_t now)
{
    size_t n = 0;
    for (size_t i = 0; i < g_n; i++) {
        if (g_entries[i].until_ms <= now)
            entry_free(&g_entries[i]);
        else
            g_entries[n++] = g_entries[i];
    }
    g_n = n;
    atomic_store_explicit(&g_count, n, memory_order_relaxed);
}

static bool same(const entry_t *e, const eng_t *eng, const char *table, const char *index)
{
    if (e->eng != eng || strcmp(e->table, table)) return false;
    if (!index || !e->index) return !index && !e->index;
    return !strcmp(e->index, index);
}

/* The live entry of (eng, table, index), lock held; NULL when there is none. */
static entry_t *find(const eng_t *eng, const char *table, const char *index)
{
    for (size_t i = 0; i < g_n; i++)
        if (same(&g_entries[i], eng, table, index)) return &g_entries[i];
    return NULL;
}

static char *dup_or_abort(const char *s)
{
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

void tr_begin(ddb_req_t *r, const char *table, const char *index, tr_state_t st, eng_table_t *ghost,
              const eng_stats_t *stats)
{
    if (!on(r)) return;
    uint64_t now = ddb_mono_ms();
    if (ghost) eng_table_retain(ghost);
    pthread_mutex_lock(&g_mu);
    purge(now);
    entry_t *e = find(r->eng, table, index);
    if (e) {
        entry_free(e);
    } else {
        if (g_n == g_cap) {
            g_cap = g_cap ? 2 * g_cap : 16;
            g_entries = realloc(g_entries, g_cap * sizeof *g_entries);
            if (!g_entries) abort();
        }
        e = &g_entries[g_n++];
    }
    *e = (entry_t){.eng = r->eng,
                   .table = dup_or_abort(table),
                   .index = index ? dup_or_abort(index) : NULL,
                   .state = st,
                   .until_ms = now + (uint64_t)r->cfg->transient_ms,
                   .ghost = ghost,
                   .stats = stats ? *stats : (eng_stats_t){0, 0}};
    if (e->until_ms > atomic_load_explicit(&g_last_end, memory_order_relaxed))
        atomic_store_explicit(&g_last_end, e->until_ms, memory_order_relaxed); /* writers hold g_mu */
    atomic_store_explicit(&g_count, g_n, memory_order_relaxed);
    pthread_mutex_unlock(&g_mu);
}

tr_state_t tr_state(ddb_req_t *r, const char *table, const char *index, uint64_t *until_ms)
{
    if (!on(r) || r->transient_done || idle()) return TR_ACTIVE;
    tr_state_t st = TR_ACTIVE;
    pthread_mutex_lock(&g_mu);
    purge(ddb_mono_ms());
    const entry_t *e = find(r->eng, table, index);
    if (e) {
        st = e->state;
        if (until_ms) *until_ms = e->until_ms;
    }
    pthread_mutex_unlock(&g_mu);
    return st;
}

eng_table_t *tr_ghost(ddb_req_t *r, const char *table, const char *index, eng_stats_t *stats)
{
    if (!on(r) || r->transient_done || idle()) return NULL;
    eng_table_t *t = NULL;
    pthread_mutex_lock(&g_mu);
    purge(ddb_mono_ms());
    if (index) { /* any DELETING index of the table: at most one at a time (the table is UPDATING) */
        for (size_t i = 0; i < g_n && !t; i++) {
            const entry_t *e = &g_entries[i];
            if (e->eng == r->eng && e->index && e->ghost && !strcmp(e->table, table)) {
                t = e->ghost;
                if (stats) *stats = e->stats;
            }
        }
    } else {
        const entry_t *e = find(r->eng, table, NULL);
        if (e && e->ghost) {
            t = e->ghost;
            if (stats) *stats = e->stats;
        }
    }
    if (t) eng_table_retain(t);
    pthread_mutex_unlock(&g_mu);
    return t;
}

const char *tr_ghost_index(ddb_req_t *r, const char *table)
{
    if (!on(r) || r->transient_done || idle()) return NULL;
    const char *name = NULL;
    pthread_mutex_lock(&g_mu);
    purge(ddb_mono_ms());
    for (size_t i = 0; i < g_n && !name; i++) {
        const entry_t *e = &g_entries[i];
        if (e->eng == r->eng && e->index && e->ghost && !strcmp(e->table, table))
            name = arena_strdup(r->a, e->index);
    }
    pthread_mutex_unlock(&g_mu);
    return name;
}

size_t tr_deleting_tables(ddb_req_t *r, const char ***names)
{
    *names = NULL;
    if (!on(r) || idle()) return 0;
    pthread_mutex_lock(&g_mu);
    purge(ddb_mono_ms());
    size_t n = 0;
    for (size_t i = 0; i < g_n; i++)
        n += g_entries[i].eng == r->eng && !g_entries[i].index && g_entries[i].state == TR_DELETING;
    if (n) {
        *names = ARENA_NEWN(r->a, const char *, n);
        n = 0;
        for (size_t i = 0; i < g_n; i++)
            if (g_entries[i].eng == r->eng && !g_entries[i].index && g_entries[i].state == TR_DELETING)
                (*names)[n++] = arena_strdup(r->a, g_entries[i].table);
    }
    pthread_mutex_unlock(&g_mu);
    return n;
}

const char *tr_state_name(tr_state_t st)
{
    static const char *const names[] = {"ACTIVE", "CREATING", "UPDATING", "DELETING"};
    return names[st];
}

void tr_clear(void)
{
    pthread_mutex_lock(&g_mu);
    for (size_t i = 0; i < g_n; i++) entry_free(&g_entries[i]);
    free(g_entries);
    g_entries = NULL;
    g_n = g_cap = 0;
    atomic_store_explicit(&g_count, 0, memory_order_relaxed);
    pthread_mutex_unlock(&g_mu);
}
