/*
 * engine: opening and closing the engine (database, catalog, streams, key locks, background jobs:
 * backfills, the TTL sweeper, the stream keeper).
 * Entry points: eng_open, eng_close (engine.h).
 */
#include "engine/engine_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/log.h"

static ddb_err_t keep_as_is(void *ctx, eng_table_t *copy, ddb_errctx_t *err)
{
    (void)ctx;
    (void)copy;
    (void)err;
    return DDB_OK;
}

eng_t *eng_open(const eng_opts_t *opts, char **errmsg)
{
    eng_t *e = calloc(1, sizeof *e);
    if (!e) abort();
    e->db = db__open(opts, errmsg);
    if (!e->db) {
        free(e);
        return NULL;
    }
    lock__init(&e->locks);
    jobs__init(&e->jobs);
    e->cat = catalog__open(e->db, errmsg);
    if (!e->cat) {
        db__close(e->db);
        lock__dispose(&e->locks);
        free(e);
        return NULL;
    }
    if (stream__open(e, opts, errmsg) != 0) { /* sets e->streams before its keeper job starts */
        catalog__close(e->cat);
        db__close(e->db);
        lock__dispose(&e->locks);
        free(e);
        return NULL;
    }
    if (pitr__open(e, errmsg) != 0 || backup__open(e, errmsg) != 0) {
        jobs__stop_all(&e->jobs);
        backup__close(e->backups);
        pitr__close(e->pitr);
        catalog__close(e->cat);
        stream__close(e->streams);
        db__close(e->db);
        lock__dispose(&e->locks);
        jobs__dispose(&e->jobs);
        free(e);
        return NULL;
    }
    /* Backfills interrupted by a restart start again (they skip entries already written); a table
     * whose stream was enabled before streams kept records gets its stream now. */
    arena_t *a = arena_new(4096);
    const char **names;
    size_t n = eng_table_list(e, a, &names);
    for (size_t i = 0; i < n; i++) {
        eng_table_t *t = eng_table_get(e, names[i], strlen(names[i]));
        for (size_t j = 0; t && j < t->n_idx; j++)
            if (t->idx[j].backfilling) backfill__start(e, t->name, t->idx[j].id);
        if (t && t->stream_enabled && !t->stream_num_) {
            ddb_errctx_t err;
            err_init(&err, a);
            if (eng_table_update(e, t->name, keep_as_is, NULL, NULL, &err) != DDB_OK)
                log_error("table %s: cannot start its stream: %s", t->name, err.msg ? err.msg : "");
        }
        eng_table_release(t);
    }
    arena_free(a);
    e->ttl_interval_ms = opts->ttl_interval_ms;
    ttl__start(e);
    return e;
}

void eng_close(eng_t *e)
{
    if (!e) return;
    jobs__stop_all(&e->jobs); /* first: jobs use the catalog and the database */
    backup__close(e->backups);
    pitr__close(e->pitr);
    catalog__close(e->cat);
    stream__close(e->streams);
    db__close(e->db);
    lock__dispose(&e->locks);
    jobs__dispose(&e->jobs);
    free(e);
}
