/* test_err: the error table expands consistently and the context keeps the first error. */
#include "common/err.h"

#include "common/tests/check.h"

int main(void)
{
    CHECK_STR(err_wire_type(DDB_ERR_VALIDATION), "com.amazon.coral.validate#ValidationException");
    CHECK_STR(err_wire_type(DDB_ERR_SERIALIZATION), "com.amazon.coral.service#SerializationException");
    CHECK_STR(err_wire_type(DDB_ERR_RESOURCE_NOT_FOUND),
              "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException");
    CHECK_STR(err_short_name(DDB_ERR_CONDITIONAL_CHECK_FAILED), "ConditionalCheckFailedException");
    CHECK_STR(err_short_name(DDB_ERR_UNKNOWN_OPERATION), "UnknownOperationException");
    CHECK_INT(err_http_status(DDB_ERR_VALIDATION), 400);
    CHECK_INT(err_http_status(DDB_ERR_INTERNAL), 500);
    CHECK_INT(err_http_status(DDB_ERR_REQUEST_TOO_LARGE), 413);
    CHECK_INT(err_http_status(DDB_OK), 200);
    /* out-of-range codes map to InternalServerError rather than reading past the table */
    CHECK_STR(err_short_name((ddb_err_t)9999), "InternalServerError");
    CHECK_INT(err_http_status((ddb_err_t)9999), 500);
    /* every row has a namespace and a status */
    for (int e = 1; e < DDB_ERR__COUNT; e++) {
        CHECK(strchr(err_wire_type((ddb_err_t)e), '#') != NULL);
        CHECK(err_http_status((ddb_err_t)e) >= 400);
    }

    arena_t *a = arena_new(0);
    ddb_errctx_t ctx;
    err_init(&ctx, a);
    CHECK_INT(ctx.code, DDB_OK);
    CHECK_INT(err_set(&ctx, DDB_ERR_VALIDATION, "first %d", 1), DDB_ERR_VALIDATION);
    CHECK_INT(err_set(&ctx, DDB_ERR_INTERNAL, "second"), DDB_ERR_VALIDATION);
    CHECK_STR(ctx.msg, "first 1");
    err_clear(&ctx);
    CHECK_INT(ctx.code, DDB_OK);
    CHECK_INT(err_set(&ctx, DDB_ERR_RESOURCE_IN_USE, "Table already exists: %s", "abc"),
              DDB_ERR_RESOURCE_IN_USE);
    CHECK_STR(ctx.msg, "Table already exists: abc");
    arena_free(a);
    return check_done("test_err");
}
