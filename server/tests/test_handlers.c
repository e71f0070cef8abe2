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
#include <time.h>

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

/* ---- DynamoDB Streams --------------------------------------------------------------------------- */

#define STREAMS "DynamoDBStreams_20120810."
#define RNF_TYPE DDB_NS "ResourceNotFoundException"

static arena_t *jarena; /* parses answers; reset by jget's callers at will */

/* The member at a dotted path of a JSON text ("StreamDescription.Shards.0.ShardId"): a string's
 * value or a number's text, copied out of the request arena (valid until jarena is reset), or NULL. */
static const char *jget(const char *body, const char *path)
{
    json_t *j = json_parse(jarena, body, strlen(body), 100, NULL);
    const char *p = path;
    while (j && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (j->type == JSON_ARRAY) {
            long i = strtol(p, NULL, 10);
            json_t *c = j->child;
            while (c && i-- > 0) c = c->next;
            j = c;
        } else {
            j = json_getn(j, p, n);
        }
        p += n + (dot ? 1 : 0);
    }
    if (!j || (j->type != JSON_STRING && j->type != JSON_NUMBER)) return NULL;
    return arena_strdup(jarena, j->str.ptr);
}

static bool is_hex32(const char *s)
{
    if (!s || strlen(s) != 32) return false;
    for (; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) return false;
    return true;
}

/* ---- PartiQL ------------------------------------------------------------------------------------- */

#define PQ_ITEM1 "{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"1\"},\"v\":{\"S\":\"x\"}}"
#define CCF_BODY                                                                                             \
    "{\"__type\":\"" DDB_NS                                                                                  \
    "ConditionalCheckFailedException\",\"message\":\"The conditional request failed\"}"

static void test_partiql_execute_statement(void)
{
    const char *ins = "{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 1, 'v': ?}\","
                      "\"Parameters\":[{\"S\":\"x\"}]}";
    OK("ExecuteStatement", ins, "{\"Items\":[]}");
    FAILS("ExecuteStatement", ins, DDB_ERR_DUPLICATE_ITEM,
          "{\"__type\":\"" DDB_NS
          "DuplicateItemException\",\"message\":\"Duplicate primary key exists in table\"}");
    OK("ExecuteStatement",
       "{\"Statement\":\"SELECT * FROM \\\"tab1\\\" WHERE p = ? AND c = ?\",\"Parameters\":[{\"S\":\"pq\"},"
       "{\"N\":\"1.0\"}]}",
       "{\"Items\":[" PQ_ITEM1 "]}");
    OK("ExecuteStatement",
       "{\"Statement\":\"SELECT v, c FROM tab1 WHERE p = 'pq' AND c < 5 ORDER BY c DESC\"}",
       "{\"Items\":[{\"v\":{\"S\":\"x\"},\"c\":{\"N\":\"1\"}}]}");
    OK("ExecuteStatement", "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 2\"}",
       "{\"Items\":[]}");
    OK("ExecuteStatement",
       "{\"Statement\":\"UPDATE tab1 SET n = 5 SET v = 'y' WHERE p = 'pq' AND c = 1 RETURNING MODIFIED OLD "
       "*\"}",
       "{\"Items\":[{\"v\":{\"S\":\"x\"}}]}");
    FAILS("ExecuteStatement",
          "{\"Statement\":\"UPDATE tab1 SET n = 6 WHERE p = 'pq' AND c = 1 AND n = 0\","
          "\"ReturnValuesOnConditionCheckFailure\":\"ALL_OLD\"}",
          DDB_ERR_CONDITIONAL_CHECK_FAILED,
          "{\"__type\":\"" DDB_NS "ConditionalCheckFailedException\",\"message\":\"The conditional request "
          "failed\",\"Item\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"1\"},\"v\":{\"S\":\"y\"},\"n\":{\"N\":"
          "\"5\"}}}");
    FAILS("ExecuteStatement", "{\"Statement\":\"UPDATE tab1 SET n = 6 WHERE p = 'pq' AND c = 3\"}",
          DDB_ERR_CONDITIONAL_CHECK_FAILED, CCF_BODY);
    FAILS("ExecuteStatement", "{\"Statement\":\"SLECT * FROM tab1\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Statement wasn't well formed, can't be processed: Expected data manipulation\"}");
    FAILS("ExecuteStatement", "{\"Statement\":\"DELETE FROM tab1 WHERE p = 'pq'\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Where clause does not contain a mandatory equality on all key attributes\"}");
    FAILS("ExecuteStatement", "{\"Statement\":\"SELECT * FROM nope WHERE p = 'pq'\"}",
          DDB_ERR_RESOURCE_NOT_FOUND,
          "{\"__type\":\"" DDB_NS
          "ResourceNotFoundException\",\"message\":\"Requested resource not found\"}");
    FAILS("ExecuteStatement", "{\"Statement\":\"SELECT * FROM tab1 WHERE p = ?\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Number of parameters in request and statement don't match.\"}");
    FAILS("ExecuteStatement", "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq'\",\"NextToken\":\"junk\"}",
          DDB_ERR_VALIDATION, "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid NextToken\"}");
    FAILS("ExecuteStatement",
          "{\"Statement\":\"SELECT * FROM tab1.gsi WHERE g = 'G'\",\"ConsistentRead\":true}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Strongly consistent read is not supported on Global Secondary Indexes\"}");
    FAILS("ExecuteStatement", "{\"Statement\":\"\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value '' at 'statement' failed to satisfy constraint: Member must have length greater than or "
          "equal to 1\"}");

    /* paging: a token goes on where the page stopped; the last page has none */
    OK("PutItem", "{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"2\"}}}", "{}");
    answer_t a =
        call("ExecuteStatement", "{\"Statement\":\"SELECT c FROM tab1 WHERE p = 'pq'\",\"Limit\":1}");
    CHECK_INT(a.rc, DDB_OK);
    const char *tok = jget(a.body, "NextToken");
    CHECK(tok != NULL);
    CHECK_STR(jget(a.body, "Items.0.c.N"), "1");
    if (tok) { /* in jarena: survives the next call */
        OK("ExecuteStatement",
           fmt("{\"Statement\":\"SELECT c FROM tab1 WHERE p = 'pq'\",\"NextToken\":\"%s\"}", tok),
           "{\"Items\":[{\"c\":{\"N\":\"2\"}}]}");
        FAILS("ExecuteStatement",
              fmt("{\"Statement\":\"SELECT v FROM tab1 WHERE p = 'pq'\",\"NextToken\":\"%s\"}", tok),
              DDB_ERR_VALIDATION,
              "{\"__type\":\"" VE_TYPE "\",\"message\":\"NextToken does not match request\"}");
    }
    OK("ExecuteStatement",
       "{\"Statement\":\"DELETE FROM tab1 WHERE p = 'pq' AND c = 2 RETURNING ALL OLD *\"}",
       "{\"Items\":[{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"2\"}}]}");
    OK("ExecuteStatement", "{\"Statement\":\"DELETE FROM tab1 WHERE p = 'pq' AND c = 2\"}", "{\"Items\":[]}");
}

static void test_partiql_batch(void)
{
    OK("BatchExecuteStatement",
       "{\"Statements\":[{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 1\"},"
       "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 9\"},"
       "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq'\"},{\"Statement\":\"SLECT 1\"}]}",
       "{\"Responses\":[{\"TableName\":\"tab1\",\"Item\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"1\"},\"v\":{"
       "\"S\":"
       "\"y\"},\"n\":{\"N\":\"5\"}}},{\"TableName\":\"tab1\"},{\"Error\":{\"Code\":\"ValidationError\","
       "\"Message\":\"Select statements within BatchExecuteStatement must specify the primary key in the "
       "where "
       "clause.\"}},{\"Error\":{\"Code\":\"ValidationError\",\"Message\":\"Statement wasn't well formed, "
       "can't be "
       "processed: Expected data manipulation\"}}]}");
    OK("BatchExecuteStatement",
       "{\"Statements\":[{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 1}\"},"
       "{\"Statement\":\"UPDATE tab1 SET n = n + 1 WHERE p = 'pq' AND c = 2\"},"
       "{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 3}\"}]}",
       "{\"Responses\":[{\"Error\":{\"Code\":\"DuplicateItem\",\"Message\":\"Duplicate primary key exists in "
       "table\"},\"TableName\":\"tab1\"},{\"Error\":{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The "
       "conditional request failed\"},\"TableName\":\"tab1\"},{\"TableName\":\"tab1\"}]}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"3\"}}}",
       "{\"Item\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"3\"}}}");
    FAILS("BatchExecuteStatement",
          "{\"Statements\":[{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 4}\"},"
          "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 1\"}]}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Read and write requests together in the same batch is not supported.\"}");
    FAILS("BatchExecuteStatement",
          "{\"Statements\":[{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 4}\"},"
          "{\"Statement\":\"DELETE FROM tab1 WHERE c = 4 AND p = 'pq'\"}]}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"Provided list of item keys contains duplicates\"}");
    OK("GetItem", "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"4\"}}}", "{}");
}

static void test_partiql_transaction(void)
{
    OK("ExecuteTransaction",
       "{\"TransactStatements\":[{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 4}\"},"
       "{\"Statement\":\"DELETE FROM tab1 WHERE p = 'pq' AND c = 3\"},"
       "{\"Statement\":\"EXISTS(SELECT * FROM tab1 WHERE p = 'pq' AND c = 1 AND v = 'y')\"}]}",
       "{\"Responses\":[]}");
    FAILS(
        "ExecuteTransaction",
        "{\"TransactStatements\":[{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 5}\"},"
        "{\"Statement\":\"EXISTS(SELECT * FROM tab1 WHERE p = 'pq' AND c = 1 AND n = 0)\"}]}",
        DDB_ERR_TRANSACTION_CANCELED,
        "{\"__type\":\"" DDB_NS
        "TransactionCanceledException\",\"Message\":\"Transaction cancelled, please refer "
        "cancellation reasons for specific reasons [None, ConditionalCheckFailed]\",\"CancellationReasons\":"
        "[{\"Code\":\"None\"},{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request "
        "failed\"}]}");
    OK("ExecuteTransaction",
       "{\"TransactStatements\":[{\"Statement\":\"SELECT c, n FROM tab1 WHERE p = 'pq' AND c = 1\"},"
       "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 5\"},"
       "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 4\"},"
       "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 3\"}]}",
       "{\"Responses\":[{\"Item\":{\"c\":{\"N\":\"1\"},\"n\":{\"N\":\"5\"}}},{},"
       "{\"Item\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"4\"}}},{}]}");
    FAILS("ExecuteTransaction",
          "{\"TransactStatements\":[{\"Statement\":\"INSERT INTO tab1 VALUE {'p': 'pq', 'c': 5}\"},"
          "{\"Statement\":\"SELECT * FROM tab1 WHERE p = 'pq' AND c = 1\"}]}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"ExecuteTransaction API does not support both read and write "
          "operations in the same request.\"}");
    FAILS("ExecuteTransaction",
          "{\"TransactStatements\":[{\"Statement\":\"DELETE FROM tab1 WHERE p = 'pq' AND c = 4 RETURNING ALL "
          "OLD "
          "*\"}]}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Validation failed in TransactStatements[0]: RETURNING clause "
          "is not supported in ExecuteTransaction.\"}");
    FAILS("ExecuteTransaction",
          "{\"TransactStatements\":[{\"Statement\":\"UPDATE tab1 SET x = 1 WHERE p = 'pq' AND c = 4\"},"
          "{\"Statement\":\"DELETE FROM tab1 WHERE c = 4 AND p = 'pq'\"}]}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"Transaction request cannot include multiple operations on one item\"}");

    /* ClientRequestToken: a replay answers without running again; other statements are a mismatch */
    const char *inc =
        "{\"ClientRequestToken\":\"tok-pq\",\"TransactStatements\":[{\"Statement\":\"UPDATE tab1 "
        "SET n = n + 1 WHERE p = 'pq' AND c = 1\"}]}";
    OK("ExecuteTransaction", inc, "{\"Responses\":[]}");
    OK("ExecuteTransaction", inc, "{\"Responses\":[]}");
    OK("GetItem",
       "{\"TableName\":\"tab1\",\"Key\":{\"p\":{\"S\":\"pq\"},\"c\":{\"N\":\"1\"}},"
       "\"ProjectionExpression\":\"n\"}",
       "{\"Item\":{\"n\":{\"N\":\"6\"}}}");
    answer_t a = call("ExecuteTransaction", "{\"ClientRequestToken\":\"tok-pq\",\"TransactStatements\":[{"
                                            "\"Statement\":\"DELETE FROM tab1 WHERE p = 'pq' AND c = 1\"}]}");
    CHECK_INT(a.rc, DDB_ERR_IDEMPOTENT_PARAMETER_MISMATCH);
    CHECK(strstr(a.body, "\"__type\":\"" DDB_NS "IdempotentParameterMismatchException\"") != NULL);
}

static void test_streams_routing_and_validation(void)
{
    const char *unknown = "{\"__type\":\"com.amazon.coral.service#UnknownOperationException\"}";
    FAILS(STREAMS "Nope", "{}", DDB_ERR_UNKNOWN_OPERATION, unknown);
    FAILS(STREAMS "ListTables", "{}", DDB_ERR_UNKNOWN_OPERATION, unknown);
    FAILS("ListStreams", "{}", DDB_ERR_UNKNOWN_OPERATION, unknown); /* DynamoDB's prefix */
    FAILS("GetRecords", "{}", DDB_ERR_UNKNOWN_OPERATION, unknown);
    FAILS("DynamoDBStreams_20991231.ListStreams", "{}", DDB_ERR_UNKNOWN_OPERATION, unknown);
    OK(STREAMS "ListStreams", "{\"TableName\":\"tab1\"}", "{\"Streams\":[]}"); /* a table without a stream */
    FAILS(STREAMS "ListStreams", "[]", DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\",\"Message\":\"Start of list found where not expected\"}");

    FAILS(
        STREAMS "ListStreams", "{\"Limit\":0,\"TableName\":\"ab\"}", DDB_ERR_VALIDATION,
        "{\"__type\":\"" VE_TYPE "\",\"message\":\"2 validation errors detected: "
        "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or "
        "equal to 3; Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than "
        "or equal to 1\"}");
    FAILS(STREAMS "ListStreams", "{\"Limit\":101}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to "
          "100\"}");
    FAILS(STREAMS "ListStreams", "{\"Limit\":\"1\"}", DDB_ERR_SERIALIZATION,
          "{\"__type\":\"" SE_TYPE "\",\"Message\":\"STRING_VALUE cannot be converted to Integer\"}");
    FAILS(STREAMS "ListStreams",
          "{\"ExclusiveStartStreamArn\":\"kossaapaaasdafsdaasdasdasdasasdasfadfadfasd\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid StreamArn\"}");

    FAILS(STREAMS "DescribeStream", "{}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value null at 'streamArn' failed to satisfy constraint: Member must not be null\"}");
    FAILS(STREAMS "DescribeStream", "{\"StreamArn\":\"fake-stream\",\"Limit\":101}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"2 validation errors detected: "
          "Value 'fake-stream' at 'streamArn' failed to satisfy constraint: Member must have length greater "
          "than or equal to 37; Value '101' at 'limit' failed to satisfy constraint: Member must have value "
          "less than or equal to 100\"}");
    FAILS(STREAMS "DescribeStream",
          "{\"StreamArn\":\"sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid StreamArn\"}");
    FAILS(STREAMS "DescribeStream",
          "{\"StreamArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/tab1/index/gsi\"}",
          DDB_ERR_VALIDATION, "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid StreamArn\"}");
    FAILS(STREAMS "DescribeStream",
          "{\"StreamArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/"
          "2020-01-01T00:00:00.000\"}",
          DDB_ERR_RESOURCE_NOT_FOUND,
          "{\"__type\":\"" RNF_TYPE "\",\"message\":\"Requested resource not found: Stream: "
          "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000 not found\"}");
    FAILS(STREAMS "DescribeStream",
          "{\"StreamArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/"
          "2020-01-01T00:00:00.000\","
          "\"ShardFilter\":{\"Type\":\"PARENT\",\"ShardId\":\"short\"}}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"2 validation errors detected: "
          "Value 'PARENT' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value "
          "set: [CHILD_SHARDS]; Value 'short' at 'shardFilter.shardId' failed to satisfy constraint: Member "
          "must have length greater than or equal to 28\"}");

    FAILS(STREAMS "GetShardIterator", "{}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"3 validation errors detected: "
          "Value null at 'streamArn' failed to satisfy constraint: Member must not be null; "
          "Value null at 'shardId' failed to satisfy constraint: Member must not be null; "
          "Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null\"}");
    FAILS(STREAMS "GetShardIterator",
          "{\"StreamArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/"
          "2020-01-01T00:00:00.000\","
          "\"ShardId\":\"shardId-00000000000000000000-00000000\",\"ShardIteratorType\":\"bulle\","
          "\"SequenceNumber\":\"12\"}",
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"2 validation errors detected: "
          "Value 'bulle' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value "
          "set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]; Value '12' at "
          "'sequenceNumber' failed to satisfy constraint: Member must have length greater than or equal to "
          "21\"}");
    FAILS(STREAMS "GetShardIterator",
          "{\"StreamArn\":\"arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/"
          "2020-01-01T00:00:00.000\","
          "\"ShardId\":\"shardId-00000000000000000000-00000000\",\"ShardIteratorType\":\"LATEST\"}",
          DDB_ERR_RESOURCE_NOT_FOUND,
          "{\"__type\":\"" RNF_TYPE "\",\"message\":\"Requested resource not found: Stream: "
          "arn:aws:dynamodb:us-east-1:000000000000:table/nope/stream/2020-01-01T00:00:00.000 not found\"}");

    FAILS(
        STREAMS "GetRecords", "{\"Limit\":1001}", DDB_ERR_VALIDATION,
        "{\"__type\":\"" VE_TYPE "\",\"message\":\"2 validation errors detected: "
        "Value null at 'shardIterator' failed to satisfy constraint: Member must not be null; "
        "Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to "
        "1000\"}");
    FAILS(STREAMS "GetRecords", "{\"ShardIterator\":\"\"}", DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"" ENV
          "Value '' at 'shardIterator' failed to satisfy constraint: Member must have length greater than or "
          "equal to 1\"}");
    FAILS(STREAMS "GetRecords",
          "{\"ShardIterator\":\"sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg\"}",
          DDB_ERR_VALIDATION, "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid ShardIterator\"}");
}

/* An iterator at sequence number `seq` (shard 0) as GetShardIterator would have issued it `age_ms` ago. */
static const char *old_iterator(const char *arn, const char *seq, uint64_t age_ms)
{
    static char out[2100];
    ddb_req_t r;
    memset(&r, 0, sizeof r);
    r.a = jarena;
    stream_iter_t it = {0};
    it.arn = arn;
    CHECK(stream_arn_parse(arn, strlen(arn), jarena, &it.table, &it.label));
    CHECK(eng_seq_parse(seq, strlen(seq), &it.pos));
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    it.issued_ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u - age_ms;
    snprintf(out, sizeof out, "%s", stream_iter_format(&r, &it));
    return out;
}

static void test_streams_round_trip(void)
{
    arena_reset(jarena);
    answer_t a =
        call("CreateTable",
             "{\"TableName\":\"st1\",\"BillingMode\":\"PAY_PER_REQUEST\","
             "\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"}],"
             "\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}],"
             "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}");
    CHECK_INT(a.rc, DDB_OK);
    const char *arn = jget(a.body, "TableDescription.LatestStreamArn");
    const char *label = jget(a.body, "TableDescription.LatestStreamLabel");
    CHECK(arn && label);
    if (!arn || !label) return;
    CHECK_STR(arn, fmt("arn:aws:dynamodb:us-east-1:000000000000:table/st1/stream/%s", label));
    arn = strdup(arn);
    label = strdup(label);

    OK(STREAMS "ListStreams", "{\"TableName\":\"st1\"}",
       fmt("{\"Streams\":[{\"StreamArn\":\"%s\",\"TableName\":\"st1\",\"StreamLabel\":\"%s\"}]}", arn,
           label));
    OK(STREAMS "ListStreams", fmt("{\"ExclusiveStartStreamArn\":\"%s\"}", arn), "{\"Streams\":[]}");

    a = call(STREAMS "DescribeStream", fmt("{\"StreamArn\":\"%s\"}", arn));
    CHECK_INT(a.rc, DDB_OK);
    const char *shard = jget(a.body, "StreamDescription.Shards.0.ShardId");
    const char *start = jget(a.body, "StreamDescription.Shards.0.SequenceNumberRange.StartingSequenceNumber");
    const char *created = jget(a.body, "StreamDescription.CreationRequestDateTime");
    CHECK(shard && start && created);
    if (!shard || !start || !created) return;
    CHECK_STR(a.body,
              fmt("{\"StreamDescription\":{\"StreamArn\":\"%s\",\"StreamLabel\":\"%s\","
                  "\"StreamStatus\":\"ENABLED\",\"StreamViewType\":\"NEW_AND_OLD_IMAGES\","
                  "\"CreationRequestDateTime\":%s,\"TableName\":\"st1\",\"KeySchema\":[{\"AttributeName\":"
                  "\"p\",\"KeyType\":\"HASH\"}],\"Shards\":[{\"ShardId\":\"%s\",\"SequenceNumberRange\":{"
                  "\"StartingSequenceNumber\":\"%s\"}}]}}",
                  arn, label, created, shard, start));
    shard = strdup(shard);
    /* ExclusiveStartShardId past every shard (the last one, or an id naming none): no shards, no error */
    OK(STREAMS "DescribeStream", fmt("{\"StreamArn\":\"%s\",\"ExclusiveStartShardId\":\"%s\"}", arn, shard),
       fmt("{\"StreamDescription\":{\"StreamArn\":\"%s\",\"StreamLabel\":\"%s\",\"StreamStatus\":\"ENABLED\","
           "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\",\"CreationRequestDateTime\":%s,\"TableName\":\"st1\","
           "\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}],\"Shards\":[]}}",
           arn, label, created));

    const char *gsi = "{\"StreamArn\":\"%s\",\"ShardId\":\"%s\",\"ShardIteratorType\":\"%s\"%s}";
    a = call(STREAMS "GetShardIterator", fmt(gsi, arn, shard, "TRIM_HORIZON", ""));
    CHECK_INT(a.rc, DDB_OK);
    const char *iter = jget(a.body, "ShardIterator");
    CHECK(iter && !strncmp(iter, fmt("%s|1|", arn), strlen(arn) + 3));
    if (!iter) return;
    iter = strdup(iter);

    OK("PutItem", "{\"TableName\":\"st1\",\"Item\":{\"p\":{\"S\":\"a\"},\"v\":{\"S\":\"x\"}}}", "{}");
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", iter));
    CHECK_INT(a.rc, DDB_OK);
    const char *id = jget(a.body, "Records.0.eventID");
    const char *when = jget(a.body, "Records.0.dynamodb.ApproximateCreationDateTime");
    const char *seq = jget(a.body, "Records.0.dynamodb.SequenceNumber");
    const char *next = jget(a.body, "NextShardIterator");
    CHECK(is_hex32(id) && when && seq && next);
    if (!id || !when || !seq || !next) return;
    CHECK(strtoll(when, NULL, 10) <= (long long)ts.tv_sec &&
          strtoll(when, NULL, 10) >= (long long)ts.tv_sec - 5);
    CHECK_STR(a.body,
              fmt("{\"Records\":[{\"eventID\":\"%s\",\"eventName\":\"INSERT\",\"eventVersion\":\"1.1\","
                  "\"eventSource\":\"aws:dynamodb\",\"awsRegion\":\"us-east-1\",\"dynamodb\":{"
                  "\"ApproximateCreationDateTime\":%s,\"Keys\":{\"p\":{\"S\":\"a\"}},\"NewImage\":{\"p\":{"
                  "\"S\":\"a\"},\"v\":{\"S\":\"x\"}},\"SequenceNumber\":\"%s\",\"SizeBytes\":6,"
                  "\"StreamViewType\":\"NEW_AND_OLD_IMAGES\"}}],\"NextShardIterator\":\"%s\"}",
                  id, when, seq, next));
    id = strdup(id);
    seq = strdup(seq);
    next = strdup(next);
    /* the same iterator reads the same record again, with the same eventID */
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", iter));
    CHECK_STR(jget(a.body, "Records.0.eventID"), id);
    /* nothing more yet: an empty page and a next iterator */
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\",\"Limit\":5}", next));
    CHECK_INT(a.rc, DDB_OK);
    CHECK(!strncmp(a.body, "{\"Records\":[],\"NextShardIterator\":\"", 35));

    OK("UpdateItem",
       "{\"TableName\":\"st1\",\"Key\":{\"p\":{\"S\":\"a\"}},\"UpdateExpression\":\"SET v = :v\","
       "\"ExpressionAttributeValues\":{\":v\":{\"S\":\"yy\"}}}",
       "{}");
    OK("DeleteItem", "{\"TableName\":\"st1\",\"Key\":{\"p\":{\"S\":\"a\"}}}", "{}");
    OK("DeleteItem", "{\"TableName\":\"st1\",\"Key\":{\"p\":{\"S\":\"a\"}}}", "{}"); /* no item: no record */
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", next));
    CHECK_INT(a.rc, DDB_OK);
    CHECK_STR(jget(a.body, "Records.0.eventName"), "MODIFY");
    CHECK_STR(jget(a.body, "Records.0.dynamodb.OldImage.v.S"), "x");
    CHECK_STR(jget(a.body, "Records.0.dynamodb.NewImage.v.S"), "yy");
    CHECK_STR(jget(a.body, "Records.0.dynamodb.SizeBytes"), "11");
    CHECK_STR(jget(a.body, "Records.1.eventName"), "REMOVE");
    CHECK_STR(jget(a.body, "Records.1.dynamodb.OldImage.v.S"), "yy");
    CHECK(jget(a.body, "Records.1.dynamodb.NewImage.p.S") == NULL);
    CHECK(jget(a.body, "Records.2.eventName") == NULL);
    const char *modify_seq = jget(a.body, "Records.0.dynamodb.SequenceNumber");
    CHECK(modify_seq && strcmp(modify_seq, seq) > 0);

    /* AT / AFTER a sequence number */
    a = call(STREAMS "GetShardIterator",
             fmt(gsi, arn, shard, "AT_SEQUENCE_NUMBER", fmt(",\"SequenceNumber\":\"%s\"", seq)));
    CHECK_INT(a.rc, DDB_OK);
    a = call(STREAMS "GetRecords",
             fmt("{\"ShardIterator\":\"%s\",\"Limit\":1}", jget(a.body, "ShardIterator")));
    CHECK_STR(jget(a.body, "Records.0.eventName"), "INSERT");
    CHECK(jget(a.body, "Records.1.eventName") == NULL);
    a = call(STREAMS "GetShardIterator",
             fmt(gsi, arn, shard, "AFTER_SEQUENCE_NUMBER", fmt(",\"SequenceNumber\":\"%s\"", seq)));
    CHECK_INT(a.rc, DDB_OK);
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", jget(a.body, "ShardIterator")));
    CHECK_STR(jget(a.body, "Records.0.eventName"), "MODIFY");
    /* LATEST: after the most recent record */
    a = call(STREAMS "GetShardIterator", fmt(gsi, arn, shard, "LATEST", ""));
    CHECK_INT(a.rc, DDB_OK);
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", jget(a.body, "ShardIterator")));
    CHECK(!strncmp(a.body, "{\"Records\":[],\"NextShardIterator\":\"", 35));

    /* GetShardIterator's own refusals */
    FAILS(STREAMS "GetShardIterator", fmt(gsi, arn, shard, "AT_SEQUENCE_NUMBER", ""), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"SequenceNumber is required for ShardIteratorType "
          "AT_SEQUENCE_NUMBER\"}");
    FAILS(STREAMS "GetShardIterator", fmt(gsi, arn, shard, "LATEST", fmt(",\"SequenceNumber\":\"%s\"", seq)),
          DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE
          "\",\"message\":\"SequenceNumber must not be provided for ShardIteratorType "
          "LATEST\"}");
    FAILS(STREAMS "GetShardIterator",
          fmt(gsi, arn, shard, "AT_SEQUENCE_NUMBER", ",\"SequenceNumber\":\"2222222222222222222222\""),
          DDB_ERR_VALIDATION,
          fmt("{\"__type\":\"" VE_TYPE
              "\",\"message\":\"Invalid SequenceNumber: 2222222222222222222222 is not a "
              "sequence number of %s\"}",
              shard));
    FAILS(STREAMS "GetShardIterator", fmt(gsi, arn, "shardId-00000000000000000001-00000000", "LATEST", ""),
          DDB_ERR_RESOURCE_NOT_FOUND,
          "{\"__type\":\"" RNF_TYPE "\",\"message\":\"Requested resource not found: Shard does not exist\"}");

    /* iterators: expired, edited */
    a = call(STREAMS "GetRecords",
             fmt("{\"ShardIterator\":\"%s\"}", old_iterator(arn, seq, STREAM_ITER_TTL_MS + 1000)));
    CHECK_INT(a.rc, DDB_ERR_EXPIRED_ITERATOR);
    CHECK(strstr(a.body, "\"message\":\"Iterator expired. The iterator was created at time ") != NULL);
    CHECK(strstr(a.body, "which is further in the future than the tolerated delay of 900000 milliseconds.") !=
          NULL);
    a = call(STREAMS "GetRecords",
             fmt("{\"ShardIterator\":\"%s\"}", old_iterator(arn, seq, STREAM_ITER_TTL_MS - 5000)));
    CHECK_INT(a.rc, DDB_OK);
    CHECK_STR(jget(a.body, "Records.0.dynamodb.SequenceNumber"), seq);
    char *edited = strdup(iter);
    edited[strlen(edited) - 5] = edited[strlen(edited) - 5] == 'A' ? 'B' : 'A';
    FAILS(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", edited), DDB_ERR_VALIDATION,
          "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid ShardIterator\"}");
    /* the same position under another stream's ARN */
    const char *other = "arn:aws:dynamodb:us-east-1:000000000000:table/st2/stream/2020-01-01T00:00:00.000";
    FAILS(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s%s\"}", other, strchr(iter, '|')),
          DDB_ERR_VALIDATION, "{\"__type\":\"" VE_TYPE "\",\"message\":\"Invalid ShardIterator\"}");
    free(edited);

    /* disabling closes the shard: read to its end, then no NextShardIterator */
    a = call("UpdateTable", "{\"TableName\":\"st1\",\"StreamSpecification\":{\"StreamEnabled\":false}}");
    CHECK_INT(a.rc, DDB_OK);
    a = call(STREAMS "DescribeStream", fmt("{\"StreamArn\":\"%s\"}", arn));
    CHECK_STR(jget(a.body, "StreamDescription.StreamStatus"), "DISABLED");
    CHECK(jget(a.body, "StreamDescription.Shards.0.SequenceNumberRange.EndingSequenceNumber") != NULL);
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", next));
    CHECK_INT(a.rc, DDB_OK);
    CHECK_STR(jget(a.body, "Records.1.eventName"), "REMOVE");
    CHECK(jget(a.body, "NextShardIterator") == NULL);
    OK(STREAMS "ListStreams", "{\"TableName\":\"st1\"}",
       fmt("{\"Streams\":[{\"StreamArn\":\"%s\",\"TableName\":\"st1\",\"StreamLabel\":\"%s\"}]}", arn,
           label));

    free((void *)arn);
    free((void *)label);
    free((void *)shard);
    free((void *)iter);
    free((void *)id);
    free((void *)seq);
    free((void *)next);
}

/* Shards rolled over (the engine reopened with 300 ms shards): parents, closed ranges, paging,
 * ShardFilter, the end of a closed shard, ListStreams pages. */
static void test_streams_shards(void)
{
    arena_reset(jarena);
    const char *ct = "{\"TableName\":\"%s\",\"BillingMode\":\"PAY_PER_REQUEST\","
                     "\"AttributeDefinitions\":[{\"AttributeName\":\"p\",\"AttributeType\":\"S\"}],"
                     "\"KeySchema\":[{\"AttributeName\":\"p\",\"KeyType\":\"HASH\"}],"
                     "\"StreamSpecification\":{\"StreamEnabled\":true,\"StreamViewType\":\"KEYS_ONLY\"}}";
    answer_t a = call("CreateTable", fmt(ct, "sh1"));
    CHECK_INT(a.rc, DDB_OK);
    a = call("CreateTable", fmt(ct, "sh2"));
    CHECK_INT(a.rc, DDB_OK);
    const char *arn2 = jget(a.body, "TableDescription.LatestStreamArn");
    CHECK(arn2 != NULL);
    if (!arn2) return;
    arn2 = strdup(arn2);

    /* ListStreams pages in (table, label) order */
    a = call(STREAMS "ListStreams", "{\"Limit\":1}");
    CHECK_STR(jget(a.body, "Streams.0.TableName"), "sh1");
    const char *last = jget(a.body, "LastEvaluatedStreamArn");
    CHECK(last && !strcmp(last, jget(a.body, "Streams.0.StreamArn")));
    if (!last) return;
    a = call(STREAMS "ListStreams", fmt("{\"Limit\":1,\"ExclusiveStartStreamArn\":\"%s\"}", last));
    CHECK_STR(jget(a.body, "Streams.0.TableName"), "sh2");
    CHECK(jget(a.body, "LastEvaluatedStreamArn") == NULL);

    OK("PutItem", "{\"TableName\":\"sh2\",\"Item\":{\"p\":{\"S\":\"one\"}}}", "{}");
    struct timespec nap = {0, 700 * 1000 * 1000};
    nanosleep(&nap, NULL); /* more than two shard lifetimes */
    OK("PutItem", "{\"TableName\":\"sh2\",\"Item\":{\"p\":{\"S\":\"two\"}}}", "{}");

    a = call(STREAMS "DescribeStream", fmt("{\"StreamArn\":\"%s\"}", arn2));
    CHECK_INT(a.rc, DDB_OK);
    const char *s0 = jget(a.body, "StreamDescription.Shards.0.ShardId");
    const char *s1 = jget(a.body, "StreamDescription.Shards.1.ShardId");
    CHECK(s0 && s1);
    if (!s0 || !s1) return;
    CHECK(strcmp(s0, s1) < 0);
    CHECK(jget(a.body, "StreamDescription.Shards.0.ParentShardId") == NULL);
    CHECK_STR(jget(a.body, "StreamDescription.Shards.1.ParentShardId"), s0);
    const char *end0 = jget(a.body, "StreamDescription.Shards.0.SequenceNumberRange.EndingSequenceNumber");
    const char *start1 =
        jget(a.body, "StreamDescription.Shards.1.SequenceNumberRange.StartingSequenceNumber");
    CHECK(end0 && start1 && strcmp(end0, start1) < 0);

    a = call(STREAMS "DescribeStream", fmt("{\"StreamArn\":\"%s\",\"Limit\":1}", arn2));
    CHECK_STR(jget(a.body, "StreamDescription.Shards.0.ShardId"), s0);
    CHECK(jget(a.body, "StreamDescription.Shards.1.ShardId") == NULL);
    CHECK_STR(jget(a.body, "StreamDescription.LastEvaluatedShardId"), s0);
    a = call(STREAMS "DescribeStream",
             fmt("{\"StreamArn\":\"%s\",\"Limit\":1,\"ExclusiveStartShardId\":\"%s\"}", arn2, s0));
    CHECK_STR(jget(a.body, "StreamDescription.Shards.0.ShardId"), s1);
    a = call(STREAMS "DescribeStream",
             fmt("{\"StreamArn\":\"%s\",\"ShardFilter\":{\"Type\":\"CHILD_SHARDS\",\"ShardId\":\"%s\"}}",
                 arn2, s0));
    CHECK_STR(jget(a.body, "StreamDescription.Shards.0.ShardId"), s1);
    CHECK(jget(a.body, "StreamDescription.Shards.1.ShardId") == NULL);
    CHECK(jget(a.body, "StreamDescription.LastEvaluatedShardId") == NULL);

    /* the first shard holds "one" and ends: no NextShardIterator */
    const char *gsi = "{\"StreamArn\":\"%s\",\"ShardId\":\"%s\",\"ShardIteratorType\":\"TRIM_HORIZON\"}";
    a = call(STREAMS "GetShardIterator", fmt(gsi, arn2, s0));
    a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", jget(a.body, "ShardIterator")));
    CHECK_INT(a.rc, DDB_OK);
    CHECK_STR(jget(a.body, "Records.0.dynamodb.Keys.p.S"), "one");
    CHECK_STR(jget(a.body, "Records.0.dynamodb.StreamViewType"), "KEYS_ONLY");
    CHECK_STR(jget(a.body, "Records.0.dynamodb.SizeBytes"), "4");
    CHECK(jget(a.body, "Records.0.dynamodb.NewImage.p.S") == NULL);
    CHECK(jget(a.body, "Records.1.eventName") == NULL);
    CHECK(jget(a.body, "NextShardIterator") == NULL);
    /* "two" is in a later shard */
    bool found = false;
    for (int i = 1; i < 10 && !found; i++) {
        const char *sid = jget(call(STREAMS "DescribeStream", fmt("{\"StreamArn\":\"%s\"}", arn2)).body,
                               fmt("StreamDescription.Shards.%d.ShardId", i));
        if (!sid) break;
        a = call(STREAMS "GetShardIterator", fmt(gsi, arn2, sid));
        a = call(STREAMS "GetRecords", fmt("{\"ShardIterator\":\"%s\"}", jget(a.body, "ShardIterator")));
        const char *k = jget(a.body, "Records.0.dynamodb.Keys.p.S");
        found = k && !strcmp(k, "two");
    }
    CHECK(found);
    free((void *)arn2);
}

/* Request ids: 52 characters of A-Z0-9, every one of the 36 drawn (the byte table maps b to b % 36). */
static void test_request_ids(void)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    int seen[36] = {0};
    char prev[53] = "";
    for (int n = 0; n < 200; n++) {
        char id[53];
        reply_request_id(id);
        CHECK_INT((long long)strlen(id), 52);
        CHECK(strcmp(id, prev) != 0);
        for (int i = 0; i < 52; i++) {
            const char *p = strchr(alphabet, id[i]);
            CHECK(p != NULL && id[i] != 0);
            seen[p - alphabet]++;
        }
        memcpy(prev, id, sizeof id);
    }
    for (int k = 0; k < 36; k++) CHECK(seen[k] > 0);
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

    test_request_ids();
    test_create_table();
    test_item_round_trips();
    test_conditional_check_failed();
    test_query_scan_pages();
    test_batch_and_transactions();
    test_numeric_members();
    test_protocol_errors();
    jarena = arena_new(1 << 16);
    test_partiql_execute_statement();
    test_partiql_batch();
    test_partiql_transaction();
    test_streams_routing_and_validation();
    test_streams_round_trip();

    eng_close(eng);
    eo.stream_shard_ms = 300;
    eng = eng_open(&eo, &err);
    CHECK(eng != NULL);
    if (eng) test_streams_shards();
    arena_free(jarena);

    arena_free(arena);
    if (eng) eng_close(eng);
    return check_done("test_handlers");
}
