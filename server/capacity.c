/*
 * capacity: consumed capacity as DynamoDB accounts it (units per item size, per table, with the
 * INDEXES breakdown) and ItemCollectionMetrics, for every family's answers.
 *
 * cap_write and cap_write_list[_as] are where a request's consumption is recorded: with
 * --enforce-capacity each charges the units it reports (or would report: ReturnConsumedCapacity
 * NONE charges the same) to the table's or GSI's bucket (throttle.c), so enforcement and the
 * metrics count exactly what ConsumedCapacity says. Without the flag: one branch on a bool, and the
 * request's total (r->consumed, for the access log's cu field).
 */
#include "server/server.h"

#include <string.h>

double cap_write_units(size_t old_size, size_t new_size)
{
    size_t s = old_size > new_size ? old_size : new_size;
    size_t units = (s + 1023) / 1024;
    return units ? (double)units : 1.0;
}

double cap_read_units(size_t size, bool consistent)
{
    size_t units = (size + 4095) / 4096;
    if (!units) units = 1;
    return consistent ? (double)units : (double)units / 2.0;
}

static void write_index_units(jw_t *w, const eng_table_t *t, const double *iu, const char *kind);

/* One table's "ConsumedCapacity" object: CapacityUnits `total`; with INDEXES the Table's units and each
 * index with units in iu (t->idx order; NULL: none). */
static void write_consumed(ddb_req_t *r, const eng_table_t *t, const char *mode, double total,
                           double table_units, const double *iu)
{
    jw_t *w = &r->out;
    jw_keyz(w, "ConsumedCapacity");
    jw_obj_begin(w);
    jw_keyz(w, "TableName");
    jw_strz(w, t->name);
    jw_keyz(w, "CapacityUnits");
    jw_double(w, total);
    if (!strcmp(mode, "INDEXES")) {
        jw_keyz(w, "Table");
        jw_obj_begin(w);
        jw_keyz(w, "CapacityUnits");
        jw_double(w, table_units);
        jw_obj_end(w);
        if (iu) write_index_units(w, t, iu, NULL);
    }
    jw_obj_end(w);
}

void cap_write(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir, const char *mode,
               double units)
{
    r->consumed += units;
    if (r->cfg->enforce_capacity) throttle_charge(r->cfg, t, x, dir, units);
    if (!mode || !strcmp(mode, "NONE")) return;
    double *iu = NULL;
    if (x && !strcmp(mode, "INDEXES")) { /* x is one of t->idx (eng_index_find) */
        iu = arena_calloc(r->a, t->n_idx * sizeof *iu);
        iu[x - t->idx] = units;
    }
    write_consumed(r, t, mode, units, x ? 0 : units, iu);
}

void cap_write_list(ddb_req_t *r, const char *mode, size_t n, eng_table_t *const *tables, const double *units,
                    const char *kind)
{
    bool read = kind ? kind[0] == 'R' : r->op && !strcmp(r->op, "BatchGetItem");
    cap_write_list_as(r, mode, n, tables, units, kind, read ? CAP_READ : CAP_WRITE);
}

void cap_write_list_as(ddb_req_t *r, const char *mode, size_t n, eng_table_t *const *tables,
                       const double *units, const char *kind, cap_dir_t dir)
{
    cap_write_list_ix(r, mode, n, tables, units, NULL, kind, dir);
}

double *cap_index_write_units(ddb_req_t *r, const eng_table_t *t, const char *mode, const av_map_t *old,
                              const av_map_t *nitem, double factor)
{
    /* only when someone reads them: ConsumedCapacity asked for, enforcement, or the access log's cu */
    bool asked = mode && strcmp(mode, "NONE") != 0;
    if (!t->n_idx || (!asked && !r->cfg->enforce_capacity && r->cfg->log_level < 0)) return NULL;
    double *u = arena_calloc(r->a, t->n_idx * sizeof *u);
    for (size_t i = 0; i < t->n_idx; i++) {
        eng_index_change_t c;
        eng_index_change(r->a, t, &t->idx[i], old, nitem, &c);
        double v = 0;
        if (c.had && c.has)
            v = c.moved     ? cap_write_units(c.old_size, 0) + cap_write_units(0, c.new_size)
                : c.changed ? cap_write_units(c.old_size, c.new_size)
                            : 0;
        else if (c.had || c.has)
            v = cap_write_units(c.old_size, c.new_size);
        u[i] = v * factor;
    }
    return u;
}

/* The index part of ConsumedCapacity (INDEXES): "GlobalSecondaryIndexes" and "LocalSecondaryIndexes"
 * objects naming each index of t with units; `kind` repeats them under that name. */
static void write_index_units(jw_t *w, const eng_table_t *t, const double *iu, const char *kind)
{
    for (int global = 1; global >= 0; global--) {
        bool any = false;
        for (size_t i = 0; i < t->n_idx; i++) {
            if (t->idx[i].global != global || iu[i] <= 0) continue;
            if (!any) {
                jw_keyz(w, global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
                jw_obj_begin(w);
                any = true;
            }
            jw_keyz(w, t->idx[i].name);
            jw_obj_begin(w);
            jw_keyz(w, "CapacityUnits");
            jw_double(w, iu[i]);
            if (kind) {
                jw_keyz(w, kind);
                jw_double(w, iu[i]);
            }
            jw_obj_end(w);
        }
        if (any) jw_obj_end(w);
    }
}

/* Units the table's own bucket pays for a write: the table's and its LSIs' (LSIs share the table's
 * throughput; each GSI has its own, charged by exec_item). */
static double table_bucket_units(const eng_table_t *t, double units, const double *iu)
{
    for (size_t i = 0; iu && i < t->n_idx; i++)
        if (!t->idx[i].global) units += iu[i];
    return units;
}

void cap_write_indexed(ddb_req_t *r, const eng_table_t *t, const char *mode, double units, const double *iu)
{
    double total = units;
    for (size_t i = 0; iu && i < t->n_idx; i++) total += iu[i];
    r->consumed += total;
    if (r->cfg->enforce_capacity)
        throttle_charge(r->cfg, t, NULL, CAP_WRITE, table_bucket_units(t, units, iu));
    if (!mode || !strcmp(mode, "NONE")) return;
    write_consumed(r, t, mode, total, units, iu);
}

void cap_write_list_ix(ddb_req_t *r, const char *mode, size_t n, eng_table_t *const *tables,
                       const double *units, double *const *iunits, const char *kind, cap_dir_t dir)
{
    /* per item: its table's units and its indexes' */
    double total_all = 0;
    for (size_t i = 0; i < n; i++) {
        double t = units[i];
        for (size_t j = 0; iunits && iunits[i] && j < tables[i]->n_idx; j++) t += iunits[i][j];
        total_all += t;
    }
    r->consumed += total_all;
    if (r->cfg->enforce_capacity)
        for (size_t i = 0; i < n; i++)
            throttle_charge(r->cfg, tables[i], NULL, dir,
                            table_bucket_units(tables[i], units[i], iunits ? iunits[i] : NULL));
    if (!mode || !strcmp(mode, "NONE")) return;
    bool indexes = !strcmp(mode, "INDEXES");
    jw_t *w = &r->out;
    jw_keyz(w, "ConsumedCapacity");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        for (size_t k = 0; k < i && first; k++) first = tables[k] != tables[i];
        if (!first) continue;
        const eng_table_t *t = tables[i];
        double u = 0, *iu = NULL;
        if (iunits && t->n_idx) iu = arena_calloc(r->a, t->n_idx * sizeof *iu);
        for (size_t k = i; k < n; k++) {
            if (tables[k] != t) continue;
            u += units[k];
            for (size_t j = 0; iu && iunits[k] && j < t->n_idx; j++) iu[j] += iunits[k][j];
        }
        double all = u;
        for (size_t j = 0; iu && j < t->n_idx; j++) all += iu[j];
        jw_obj_begin(w);
        jw_keyz(w, "TableName");
        jw_strz(w, t->name);
        jw_keyz(w, "CapacityUnits");
        jw_double(w, all);
        if (kind) {
            jw_keyz(w, kind);
            jw_double(w, all);
        }
        if (indexes) {
            jw_keyz(w, "Table");
            jw_obj_begin(w);
            jw_keyz(w, "CapacityUnits");
            jw_double(w, u);
            if (kind) {
                jw_keyz(w, kind);
                jw_double(w, u);
            }
            jw_obj_end(w);
            if (iu) write_index_units(w, t, iu, kind);
        }
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

bool cap_has_lsi(const eng_table_t *t)
{
    for (size_t i = 0; i < t->n_idx; i++)
        if (!t->idx[i].global) return true;
    return false;
}

void cap_collection_metric(jw_t *o, const eng_table_t *t, const av_map_t *key)
{
    jw_obj_begin(o);
    jw_keyz(o, "ItemCollectionKey");
    jw_obj_begin(o);
    jw_keyz(o, t->key.hash.name);
    avjson_write_value(o, av_map_get(key, t->key.hash.name, strlen(t->key.hash.name)));
    jw_obj_end(o);
    jw_keyz(o, "SizeEstimateRangeGB");
    jw_arr_begin(o);
    jw_double(o, 0.0);
    jw_double(o, 1.0);
    jw_arr_end(o);
    jw_obj_end(o);
}
