/*
 * test_faults: what faults.c decides without HTTP: how many batch requests a fraction leaves
 * unprocessed (ceil, never all of them below 1, exact at decimal fractions), the TransactionConflict
 * cancellation as DynamoDB words it, and --faults files: accepted, or refused with a message naming
 * the file and the problem.
 */
#include "server/door.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/tests/check.h"

static size_t unprocessed(double f, size_t n)
{
    struct fault_act fa = {.unprocessed = f};
    ddb_req_t r = {.fault = &fa};
    return faults_unprocessed(&r, n);
}

/* Load `text` as a --faults file: 0, or -1 with the message in err. */
static int load(const char *text, char *err, size_t errlen)
{
    char path[] = "/tmp/test_faults_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_INT(write(fd, text, strlen(text)), (long)strlen(text));
    close(fd);
    ddb_config_t cfg = {.faults_file = path};
    int rc = faults_load(&cfg, err, errlen);
    if (rc != 0) { /* the message names the file: keep only what follows it */
        const char *p = strstr(err, path);
        CHECK(p != NULL);
        if (p) memmove(err, p + strlen(path) + 2, strlen(p + strlen(path) + 2) + 1);
    }
    unlink(path);
    return rc;
}

int main(void)
{
    /* ceil(n x f), one request always processed below 1, everything at 1 */
    CHECK_INT(unprocessed(0.5, 10), 5);
    CHECK_INT(unprocessed(0.5, 5), 3);
    CHECK_INT(unprocessed(0.5, 2), 1);
    CHECK_INT(unprocessed(0.5, 1), 0);
    CHECK_INT(unprocessed(0.3, 10), 3); /* 10 x 0.3 is 3.0000000000000004 in binary */
    CHECK_INT(unprocessed(0.7, 10), 7);
    CHECK_INT(unprocessed(0.4, 11), 5);
    CHECK_INT(unprocessed(0.99, 25), 24);
    CHECK_INT(unprocessed(1, 25), 25);
    CHECK_INT(unprocessed(1, 1), 1);
    CHECK_INT(unprocessed(0.01, 100), 1);
    ddb_req_t none = {0};
    CHECK_INT(faults_unprocessed(&none, 25), 0);

    /* TransactionConflict on the rule's table's actions, None on the others */
    arena_t *a = arena_new(4096);
    ddb_req_t r = {.a = a};
    err_init(&r.err, a);
    struct fault_act fa = {.conflict = true, .table = "B"};
    r.fault = &fa;
    const char *tables[] = {"A", "B", "A"};
    CHECK_INT(faults_conflict_or_err(&r, 3, tables), DDB_ERR_TRANSACTION_CANCELED);
    CHECK_STR(r.err.msg,
              "Transaction cancelled, please refer cancellation reasons for specific reasons [None, "
              "TransactionConflict, None]");
    CHECK_STR(r.err_extra, "\"CancellationReasons\":[{\"Code\":\"None\"},{\"Code\":\"TransactionConflict\","
                           "\"Message\":\"Transaction is ongoing for the item\"},{\"Code\":\"None\"}]");
    fa.conflict = false;
    err_init(&r.err, a);
    CHECK_INT(faults_conflict_or_err(&r, 3, tables), DDB_OK);

    /* rule files */
    char err[768];
    CHECK_INT(
        load("{\"seed\": 7, \"rules\": [{\"operation\": \"PutItem\", \"table\": \"Orders\", \"probability\": "
             "0.5, \"count\": 3, \"error\": \"ProvisionedThroughputExceededException\"}, {\"operation\": "
             "\"GetItem\", \"latencyMs\": 300}, {\"operation\": \"Query\", \"drop\": true}, {\"operation\": "
             "\"BatchWriteItem\", \"unprocessed\": 0.5}, {\"error\": \"TransactionConflict\"}]}",
             err, sizeof err),
        0);
    CHECK_INT(load("{\"rules\": []}", err, sizeof err), 0);
    static const struct {
        const char *text, *msg;
    } BAD[] = {
        {"", "not valid JSON (byte 0: empty input)"},
        {"{\"rules\": {}}", "rules: a list of rules is expected"},
        {"{\"seed\": 9007199254740992, \"rules\": []}", "seed: a whole number from 0 to 2^53-1"},
        {"{\"seed\": 1.5, \"rules\": []}", "seed: a whole number from 0 to 2^53-1"},
        {"{\"rules\": [1]}", "rules[0]: a rule is an object"},
        {"{\"rules\": [{\"latencyMs\": 600001}]}",
         "rules[0].latencyMs: a whole number of milliseconds from 0 to 600000"},
        {"{\"rules\": [{\"latencyMs\": 0}]}",
         "rules[0]: injects nothing (give error, latencyMs, drop or unprocessed)"},
        {"{\"rules\": [{\"message\": \"x\", \"drop\": true}]}", "rules[0].message: only with error"},
        {"{\"rules\": [{\"table\": \"\", \"drop\": true}]}",
         "rules[0].table: a table name (1 to 255 characters)"},
        {"{\"rules\": [{\"drop\": 1}]}", "rules[0].drop: true or false"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        CHECK_INT(load(BAD[i].text, err, sizeof err), -1);
        CHECK_STR(err, BAD[i].msg);
    }
    ddb_config_t missing = {.faults_file = "/nonexistent/faults.json"};
    CHECK_INT(faults_load(&missing, err, sizeof err), -1);
    CHECK_STR(err, "--faults /nonexistent/faults.json: No such file or directory");
    arena_free(a);
    return check_done("test_faults");
}
