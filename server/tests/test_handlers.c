/*
 * test_handlers: the request handlers below HTTP. Each case runs one request through
 * router_dispatch() against an in-memory engine and compares the answer body (or the error
 * envelope reply.c would send) with the exact text expected.
 */
#include "server/server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/tests/check.h"

static eng_t *eng;
static arena_t *arena;
static ddb_config_t cfg;

typedef struct {
    ddb_err_t rc;
    const char *body; /* the answer or the error envelope; valid until the next call */
} answer_t;

/* One request: `op` is the operation name ("GetItem"), or a whole X-Amz-Target when it contains a dot. */
static answer_t call(const char *op, const char *body)
{
    arena_reset(arena);
    ddb_req_t r;
    memset(&r, 0, sizeof r);
    r.a = arena;
    err_init(&r.err, arena);
    r.eng = eng;
    r.cfg = &cfg;
    r.region = "us-east-1";
    const char *target = strchr(op, '.') ? op : arena_sprintf(arena, "DynamoDB_20120810.%s", op);
    answer_t ans;
    ans.rc = router_dispatch(&r, target, strlen(target), body, strlen(body));
    if (ans.rc == DDB_OK) {
        ans.body = r.out.b.data;
    } else {
        size_t len;
        ans.body = reply_error_body(&r, &len);
    }
    return ans;
}

/* printf into one of a few static buffers (request texts must not live in the request's arena). */
static const char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static const char *fmt(const char *f, ...)
{
    static char bufs[4][4096];
    static int next;
    char *b = bufs[next++ % 4];
    va_list ap;
    va_start(ap, f);
    vsnprintf(b, sizeof bufs[0], f, ap);
    va_end(ap);
    return b;
}

/* The request succeeds with exactly this body. */
#define OK(op, text, want)                                                                                   \
    do {                                                                                                     \
        answer_t a_ = call(op, text);                                                                        \
        CHECK_INT(a_.rc, DDB_OK);                                                                            \
        CHECK_STR(a_.body, want);                                                                            \
    } while (0)

/* The request fails with error code `code` and exactly this envelope. */
#define FAILS(op, text, code, want)                                                                          \
    do {                                                                                                     \
        answer_t a_ = call(op, text);                                                                        \
        CHECK_INT(a_.rc, code);                                                                              \
        CHECK_STR(a_.body, want);                                                                            \
    } while (0)

#define VE_TYPE "com.amazon.coral.validate#ValidationException"
#define SE_TYPE "com.amazon.coral.service#SerializationException"
#define DDB_NS "com.amazonaws.dynamodb.v20120810#"
#define ENV "1 validation error detected: "

static void test_create_table(void)
{
    answer_t a =
        call("CreateTable", "{\"TableName\":\"tab1\",\"BillingMode\":\"PAY_PER_REQUEST\","
                            "\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"},"
                            "{\"AttributeName\":\"c\",\"AttributeType\":\"N\"},{\"AttributeName\":\"g\","
                            "\"AttributeType\":\"S\"}],"
                            "\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"},{"
                            "\"AttributeName\":\"c\",\"KeyType\":\"RANGE\"}],"
                            "\"LocalSecondaryIndexes\":[{\"IndexName\":\"lsi\",\"KeySchema\":[{"
                            "\"AttributeName\":\"p\",\"KeyType\":\"HASH\"},"
                            "{\"AttributeName\":\"g\",\"KeyType\":\"RANGE\"}],\"Projection\":{"
                            "\"ProjectionType\":\"KEYS_ONLY\"}}],"
                            "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{"
                            "\"AttributeName\":\"g\",\"KeyType\":\"HASH\"}],"
                            "\"Projection\":{\"ProjectionType\":\"ALL\"}}]}");
    CHECK_INT(a.rc, DDB_OK);
    CHECK(strstr(a.body, "\"TableName\":\"tab1\"") != NULL);
    CHECK(strstr(a.body, "\"TableStatus\":\"ACTIVE\"") != NULL);
    CHECK(strstr(a.body, "\"IndexName\":\"lsi\"") != NULL);
    CHECK(strstr(a.body, "\"IndexName\":\"gsi\"") != NULL);
    CHECK(strstr(a.body, "\"TableArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/tab1\"") != NULL);
    FAILS("CreateTable",
          "{\"TableName\":\"tab1\",\"BillingMode\":\"PAY_PER_REQUEST\","
          "\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"}],"
          "\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}]}",
          DDB_ERR_RESOURCE_IN_USE,
          "{\"__type\":\"" DDB_NS "ResourceInUseException\",\"message\":\"Table already exists: tab1\"}");
    OK("ListTables", "{}", "{\"TableNames\":[\"tab1\"]}");
}

static void test_item_round_trips(void)
{
    OK("PutItem",
       "{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"},\"v\":{\"S\":\"x\"}}}",
       "{}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"}}}",
       "{\"Item\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"},\"v\":{\"S\":\"x\"}}}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"2\"}}}", "{}");
    OK("UpdateItem",
       "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"}},"
       "\"UpdateExpression\":\"SET n = :one ADD k "
       ":two\",\"ExpressionAttributeValues\":{\":one\":{\"N\":\"1.50\"},"
       "\":two\":{\"N\":\"2\"}},\"ReturnValues\":\"UPDATED_NEW\"}",
       "{\"Attributes\":{\"n\":{\"N\":\"1.5\"},\"k\":{\"N\":\"2\"}}}");
    OK("DeleteItem",
       "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"}},\"ReturnValues\":\"ALL_"
       "OLD\"}",
       "{\"Attributes\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"},\"v\":{\"S\":\"x\"},\"n\":{\"N\":\"1.5\"},"
       "\"k\":{\"N\":\"2\"}}}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"a\"},\"c\":{\"N\":\"1\"}}}", "{}");
    FAILS("GetItem", "{\"TableName\":\"nope\",\"Key\":{\"p\":{\"S\":\"a\"}}}", DDB_ERR_RESOURCE_NOT_FOUND,
          "{\"__type\":\"" DDB_NS
          "ResourceNotFoundException\",\"message\":\"Requested resource not found\"}");
}

static void test_conditional_check_failed(void)
{
    OK("PutItem",
       "{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"b\"},\"c\":{\"N\":\"1\"},\"v\":{\"BOOL\":true}}}",
       "{}");
    FAILS("PutItem",
          "{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"b\"},\"c\":{\"N\":\"1\"}},"
          "\"ConditionExpression\":\"attribute_not_exists(p)\",\"ReturnValuesOnConditionCheckFailure\":\"ALL_"
          "OLD\"}",
          DDB_ERR_CONDITIONAL_CHECK_FAILED,
          "{\"__type\":\"" DDB_NS
          "ConditionalCheckFailedException\",\"message\":\"The conditional request failed\","
          "\"Item\":{\"p\":{\"S\":\"b\"},\"c\":{\"N\":\"1\"},\"v\":{\"BOOL\":true}}}");
    FAILS("DeleteItem",
          "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"b\"},\"c\":{\"N\":\"1\"}},\"ConditionExpression\":"
          "\"v = :f\","
          "\"ExpressionAttributeValues\":{\":f\":{\"BOOL\":false}}}",
          DDB_ERR_CONDITIONAL_CHECK_FAILED,
          "{\"__type\":\"" DDB_NS
          "ConditionalCheckFailedException\",\"message\":\"The conditional request failed\"}");
}

static void test_query_scan_pages(void)
{
    for (int c = 1; c <= 3; c++) {
        char body[200];
        snprintf(body, sizeof body,
                 "{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"%d\"},\"g\":{\"S\":"
                 "\"G%d\"}}}",
                 c, c);
        OK("PutItem", body, "{}");
    }
    const char *q = "{\"TableName\":\"tab1\",\"KeyConditionExpression\":\"p = :p\","
                    "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"q\"}},\"Limit\":2%s}";
    OK("Query", fmt(q, ""),
       "{\"Items\":[{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"1\"},\"g\":{\"S\":\"G1\"}},"
       "{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"2\"},\"g\":{\"S\":\"G2\"}}],\"Count\":2,\"ScannedCount\":2,"
       "\"LastEvaluatedKey\":{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"2\"}}}");
    OK("Query", fmt(q, ",\"ExclusiveStartKey\":{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"2\"}}"),
       "{\"Items\":[{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"3\"},\"g\":{\"S\":\"G3\"}}],\"Count\":1,"
       "\"ScannedCount\":1}");
    OK("Query",
       "{\"TableName\":\"tab1\",\"IndexName\":\"gsi\",\"KeyConditionExpression\":\"g = :g\","
       "\"ExpressionAttributeValues\":{\":g\":{\"S\":\"G2\"}}}",
       "{\"Items\":[{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"2\"},\"g\":{\"S\":\"G2\"}}],\"Count\":1,"
       "\"ScannedCount\":1}");
    OK("Query",
       "{\"TableName\":\"tab1\",\"IndexName\":\"lsi\",\"KeyConditionExpression\":\"p = :p AND g > :g\","
       "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"q\"},\":g\":{\"S\":\"G2\"}}}",
       "{\"Items\":[{\"p\":{\"S\":\"q\"},\"c\":{\"N\":\"3\"},\"g\":{\"S\":\"G3\"}}],\"Count\":1,"
       "\"ScannedCount\":1}");
    OK("Scan", "{\"TableName\":\"tab1\",\"Select\":\"COUNT\",\"FilterExpression\":\"attribute_exists(g)\"}",
       "{\"Count\":3,\"ScannedCount\":4}");
    answer_t a = call("Scan", "{\"TableName\":\"tab1\",\"Limit\":1}");
    CHECK_INT(a.rc, DDB_OK);
    CHECK(strstr(a.body, "\"Count\":1,\"ScannedCount\":1,\"LastEvaluatedKey\":") != NULL);
}

static void test_batch_and_transactions(void)
{
    OK("BatchWriteItem",
       "{\"RequestItems\":{\"tab1\":[{\"PutRequest\":{\"Item\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"1\"}}}},"
       "{\"PutRequest\":{\"Item\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"2\"}}}}]}}",
       "{\"UnprocessedItems\":{}}");
    OK("Query",
       "{\"TableName\":\"tab1\",\"KeyConditionExpression\":\"p = "
       ":p\",\"ExpressionAttributeValues\":{\":p\":{\"S\":\"w\"}},"
       "\"Select\":\"COUNT\"}",
       "{\"Count\":2,\"ScannedCount\":2}");
    OK("TransactWriteItems",
       "{\"TransactItems\":[{\"Delete\":{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":"
       "\"1\"}}}},"
       "{\"Update\":{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"2\"}},"
       "\"UpdateExpression\":\"SET v = :v\",\"ExpressionAttributeValues\":{\":v\":{\"S\":\"t\"}}}}]}",
       "{}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"2\"}}}",
       "{\"Item\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"2\"},\"v\":{\"S\":\"t\"}}}");
    FAILS(
        "TransactWriteItems",
        "{\"TransactItems\":[{\"Put\":{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":"
        "\"3\"}}}},"
        "{\"ConditionCheck\":{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"2\"}},"
        "\"ConditionExpression\":\"attribute_not_exists(v)\"}}]}",
        DDB_ERR_TRANSACTION_CANCELED,
        "{\"__type\":\"" DDB_NS
        "TransactionCanceledException\",\"Message\":\"Transaction cancelled, please refer "
        "cancellation reasons for specific reasons [None, ConditionalCheckFailed]\",\"CancellationReasons\":"
        "[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request "
        "failed\"}]}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"w\"},\"c\":{\"N\":\"3\"}}}", "{}");
}

static void test_numeric_members(void)
{
    const char *q = "{\"TableName\":\"tab1\",\"KeyConditionExpression\":\"p = :p\","
                    "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"q\"}},\"Limit\":%s}";
    FAILS("Query", fmt(q, "0.5"), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value '0' at 'limit' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1\"}");
    FAILS("Query", fmt(q, "1e-999999"), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value '0' at 'limit' failed to satisfy constraint: "
          "Member must have value greater than or equal to 1\"}");
    static const char *const huge[] = {"1e300", "2147483648", "9223372036854775808",
                                       "123456789012345678901234567890", "-2147483649"};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        FAILS("Query", fmt(q, huge[i]), DDB_ERR_SERIALIZATION, "{\"__type\":\"" SE_TYPE "\"}");
        FAILS("Scan", fmt("{\"TableName\":\"tab1\",\"Segment\":0,\"TotalSegments\":%s}", huge[i]),
              DDB_ERR_SERIALIZATION, "{\"__type\":\"" SE_TYPE "\"}");
        FAILS("ListTables", fmt("{\"Limit\":%s}", huge[i]), DDB_ERR_SERIALIZATION,
              "{\"__type\":\"" SE_TYPE "\"}");
    }
    answer_t a = call("Query", fmt(q, "1.9"));
    CHECK_INT(a.rc, DDB_OK);
    CHECK(strstr(a.body, "\"Count\":1,") != NULL);
    FAILS("Scan", "{\"TableName\":\"tab1\",\"Segment\":\"0\",\"TotalSegments\":1}", DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\",\"Message\":\"STRING_VALUE cannot be converted to Integer\"}");
    FAILS("Scan", "{\"TableName\":\"tab1\",\"Segment\":-0.5e1,\"TotalSegments\":2}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value '-5' at 'segment' failed to satisfy constraint: "
          "Member must have value greater than or equal to 0\"}");

    const char *ct =
        "{\"TableName\":\"tab2\",\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"},"
        "{\"AttributeName\":\"g\",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":\"p\","
        "\"KeyType\":\"HASH\"}],\"ProvisionedThroughput\":{\"ReadCapacityUnits\":%s,\"WriteCapacityUnits\":1}"
        ","
        "\"GlobalSecondaryIndexes\":[{\"IndexName\":\"gsi\",\"KeySchema\":[{\"AttributeName\":\"g\","
        "\"KeyType\":\"HASH\"}],\"Projection\":{\"ProjectionType\":\"ALL\"},"
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":%s,\"WriteCapacityUnits\":1}}]}";
    FAILS("CreateTable", fmt(ct, "1", "1e300"), DDB_ERR_SERIALIZATION, "{\"__type\":\"" SE_TYPE "\"}");
    FAILS("CreateTable", fmt(ct, "9223372036854775808", "1"), DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\"}");
    FAILS("CreateTable", fmt(ct, "1", "1e13"), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Given value 10000000000000 for ReadCapacityUnits is out of bounds "
          "for index gsi\"}");
    FAILS("CreateTable", fmt(ct, "1000000000001", "1"), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Given value 1000000000001 for ReadCapacityUnits is out of bounds\"}");
    FAILS("CreateTable", fmt(ct, "-1", "0.5"), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"2 validation errors detected: Value '0' at "
          "'globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits' failed to satisfy "
          "constraint: "
          "Member must have value greater than or equal to 1; Value '-1' at "
          "'provisionedThroughput.readCapacityUnits' "
          "failed to satisfy constraint: Member must have value greater than or equal to 1\"}");
    a = call("CreateTable", fmt(ct, "2.9", "3.5"));
    CHECK_INT(a.rc, DDB_OK);
    CHECK(strstr(a.body, "\"ReadCapacityUnits\":2,") != NULL);
    CHECK(strstr(a.body, "\"ReadCapacityUnits\":3,") != NULL);

    const char *ut =
        "{\"TableName\":\"tab2\",\"GlobalSecondaryIndexUpdates\":[{\"Update\":{\"IndexName\":\"gsi\","
        "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":%s,\"WriteCapacityUnits\":1}}}]}";
    FAILS("UpdateTable", fmt(ut, "1e300"), DDB_ERR_SERIALIZATION, "{\"__type\":\"" SE_TYPE "\"}");
    FAILS("UpdateTable", fmt(ut, "1000000000001"), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Given value 1000000000001 for ReadCapacityUnits is out of bounds "
          "for index gsi\"}");
    FAILS("UpdateTable",
          "{\"TableName\":\"tab2\",\"ProvisionedThroughput\":{\"ReadCapacityUnits\":1e300,"
          "\"WriteCapacityUnits\":1}}",
          DDB_ERR_SERIALIZATION, "{\"__type\":\"" SE_TYPE "\"}");
    a = call("DeleteTable", "{\"TableName\":\"tab2\"}");
    CHECK_INT(a.rc, DDB_OK);
}

static void test_protocol_errors(void)
{
    FAILS("Nope", "{}", DDB_ERR_UNKNOWN_OPERATION,
          "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    FAILS("DynamoDB_20991231.ListTables", "{}", DDB_ERR_UNKNOWN_OPERATION,
          "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}");
    FAILS("ListTables", "hi", DDB_ERR_SERIALIZATION, "{\"__type\":\"" SE_TYPE "\"}");
    FAILS("ListTables", "[1]", DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\",\"Message\":\"Start of list found where not expected\"}");
    FAILS("ListTables", "3", DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\",\"Message\":\"Expected null\"}");
    FAILS("DescribeTable", "{\"TableName\":123}", DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\",\"Message\":\"NUMBER_VALUE cannot be converted to String\"}");
}

int main(void)
{
    eng_opts_t eo;
    memset(&eo, 0, sizeof eo);
    eo.in_memory = true;
    char *err = NULL;
    eng = eng_open(&eo, &err);
    if (!eng) {
        fprintf(stderr, "eng_open: %s\n", err ? err : "?");
        free(err);
        return 1;
    }
    cfg.in_memory = true;
    cfg.threads = 1;
    arena = arena_new(1 << 16);

    test_create_table();
    test_item_round_trips();
    test_conditional_check_failed();
    test_query_scan_pages();
    test_batch_and_transactions();
    test_numeric_members();
    test_protocol_errors();

    arena_free(arena);
    eng_close(eng);
    return check_done("test_handlers");
}
