/*
 * test_throttle: throttle.c's token buckets without a server: a new bucket is full, a charge may take
 * it below zero and the next request is refused with AWS's table or GSI message, a GSI in deficit
 * refuses its table's writes (not its reads), LSIs share the table's buckets, on-demand tables are
 * never refused, a recreated table (another id) starts full, a higher rate pays a deficit back, and
 * the metrics lines. Rates are chosen so that the microseconds between two calls refill nothing that
 * matters (1 unit a second against deficits of whole units), or everything (10^9 a second).
 */
#include "server/server.h"

#include <string.h>

#include "common/tests/check.h"

static const char TABLE_MSG[] = "The level of configured provisioned throughput for the table was exceeded. "
                                "Consider increasing your provisioning level with the UpdateTable API.";
static const char GSI_MSG[] =
    "The level of configured provisioned throughput for one or more global secondary indexes of the table "
    "was exceeded. Consider increasing your provisioning level for the under-provisioned global secondary "
    "indexes with the UpdateTable API";

static ddb_err_t admit(const ddb_config_t *cfg, arena_t *a, const eng_table_t *t, const eng_index_t *x,
                       cap_dir_t dir, const char **msg)
{
    ddb_errctx_t err;
    err_init(&err, a);
    ddb_err_t rc = throttle_admit_or_err(&err, cfg, t, x, dir);
    *msg = err.msg;
    return rc;
}

int main(void)
{
    arena_t *a = arena_new(4096);
    ddb_config_t cfg = {.enforce_capacity = true, .burst_seconds = 10};
    const char *msg;
    eng_index_t idx[2] = {{.name = "gsi", .global = true, .rcu = 1, .wcu = 1},
                          {.name = "lsi", .global = false}};
    eng_table_t t = {.name = "tt", .id = "id-1", .rcu = 1, .wcu = 1, .n_idx = 2, .idx = idx};

    /* full at first (10 units); a 12-unit write is charged in full and leaves a deficit */
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_WRITE, &msg), DDB_OK);
    throttle_charge(&cfg, &t, NULL, CAP_WRITE, 12);
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_WRITE, &msg), DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED);
    CHECK_STR(msg, TABLE_MSG);
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_READ, &msg), DDB_OK); /* reads: their own bucket */

    /* an LSI is the table: its reads share the table's read bucket */
    throttle_charge(&cfg, &t, &idx[1], CAP_READ, 15);
    CHECK_INT(admit(&cfg, a, &t, &idx[1], CAP_READ, &msg), DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED);
    CHECK_STR(msg, TABLE_MSG);
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_READ, &msg), DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED);
    CHECK_INT(admit(&cfg, a, &t, &idx[0], CAP_READ, &msg), DDB_OK); /* the GSI's reads are its own */

    /* a recreated table starts full */
    t.id = "id-2";
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_WRITE, &msg), DDB_OK);
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_READ, &msg), DDB_OK);

    /* a GSI in write deficit refuses the table's writes with the GSI message, not its reads */
    throttle_charge(&cfg, &t, &idx[0], CAP_WRITE, 11);
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_WRITE, &msg), DDB_ERR_PROVISIONED_THROUGHPUT_EXCEEDED);
    CHECK_STR(msg, GSI_MSG);
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_READ, &msg), DDB_OK);
    CHECK_INT(admit(&cfg, a, &t, &idx[0], CAP_READ, &msg), DDB_OK);

    /* UpdateTable: a higher rate pays the deficit back at once */
    idx[0].wcu = 1000000000;
    CHECK_INT(admit(&cfg, a, &t, NULL, CAP_WRITE, &msg), DDB_OK);

    /* on-demand: charged (for the metrics), never refused */
    eng_table_t od = {.name = "od", .id = "id-3", .on_demand = true};
    throttle_charge(&cfg, &od, NULL, CAP_WRITE, 1e6);
    CHECK_INT(admit(&cfg, a, &od, NULL, CAP_WRITE, &msg), DDB_OK);

    /* burst 0 keeps one second's worth: a fresh bucket of 1 WCU admits a request */
    ddb_config_t zero = {.enforce_capacity = true, .burst_seconds = 0};
    eng_table_t z = {.name = "zero", .id = "id-4", .rcu = 1, .wcu = 1};
    CHECK_INT(admit(&zero, a, &z, NULL, CAP_WRITE, &msg), DDB_OK);

    buf_t b;
    buf_init(&b, a, 0);
    throttle_format_metrics(&b);
    CHECK(strstr(b.data, "# TYPE dynarock_consumed_write_units_total counter\n") != NULL);
    CHECK(strstr(b.data, "dynarock_consumed_write_units_total{table=\"tt\",index=\"\"} 12\n") != NULL);
    CHECK(strstr(b.data, "dynarock_consumed_write_units_total{table=\"tt\",index=\"gsi\"} 11\n") != NULL);
    CHECK(strstr(b.data, "dynarock_consumed_read_units_total{table=\"tt\",index=\"\"} 15\n") != NULL);
    CHECK(strstr(b.data, "dynarock_consumed_write_units_total{table=\"od\",index=\"\"} 1000000\n") != NULL);
    CHECK(strstr(b.data, "dynarock_throttled_requests_total{table=\"tt\",index=\"\"} 3\n") != NULL);
    CHECK(strstr(b.data, "dynarock_throttled_requests_total{table=\"tt\",index=\"gsi\"} 1\n") != NULL);
    CHECK(strstr(b.data, "dynarock_throttled_requests_total{table=\"od\",index=\"\"} 0\n") != NULL);

    arena_free(a);
    return check_done("test_throttle");
}
