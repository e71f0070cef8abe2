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

void cap_write(ddb_req_t *r, const eng_table_t *t, const eng_index_t *x, cap_dir_t dir, const char *mode,
               double units)
{
    r->consumed += units;
    if (r->cfg->enforce_capacity) throttle_charge(r->cfg, t, x, dir, units);
    if (!mode || !strcmp(mode, "NONE")) return;
    jw_t *w = &r->out;
    jw_keyz(w, "ConsumedCapacity");
    jw_obj_begin(w);
    jw_keyz(w, "TableName");
    jw_strz(w, t->name);
    jw_keyz(w, "CapacityUnits");
    jw_double(w, units);
    if (!strcmp(mode, "INDEXES")) {
        jw_keyz(w, "Table");
        jw_obj_begin(w);
        jw_keyz(w, "CapacityUnits");
        jw_double(w, x ? 0 : units);
        jw_obj_end(w);
        if (x) {
            jw_keyz(w, x->global ? "GlobalSecondaryIndexes" : "LocalSecondaryIndexes");
            jw_obj_begin(w);
            jw_keyz(w, x->name);
            jw_obj_begin(w);
            jw_keyz(w, "CapacityUnits");
            jw_double(w, units);
            jw_obj_end(w);
            jw_obj_end(w);
        }
    }
    jw_obj_end(w);
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
    for (size_t i = 0; i < n; i++) r->consumed += units[i];
    if (r->cfg->enforce_capacity)
        for (size_t i = 0; i < n; i++) throttle_charge(r->cfg, tables[i], NULL, dir, units[i]);
    if (!mode || !strcmp(mode, "NONE")) return;
    bool indexes = !strcmp(mode, "INDEXES");
    jw_t *w = &r->out;
    jw_keyz(w, "ConsumedCapacity");
    jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        for (size_t k = 0; k < i && first; k++) first = tables[k] != tables[i];
        if (!first) continue;
        double u = 0;
        for (size_t k = i; k < n; k++)
            if (tables[k] == tables[i]) u += units[k];
        jw_obj_begin(w);
        jw_keyz(w, "TableName");
        jw_strz(w, tables[i]->name);
        jw_keyz(w, "CapacityUnits");
        jw_double(w, u);
        if (kind) {
            jw_keyz(w, kind);
            jw_double(w, u);
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
