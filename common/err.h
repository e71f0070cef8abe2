/*
 * err: the error enum expanded from common/errors.def, and the per-request error context.
 *
 * Contract:
 * - A function that can fail returns ddb_err_t (DDB_OK == 0) and records its message with
 *   err_set(); the first error recorded wins, because DynamoDB reports the first problem.
 * - The context's message lives in the context's arena (request lifetime).
 * - Not thread-safe: one context per request.
 */
#ifndef DDB_ERR_H
#define DDB_ERR_H

#include "common/arena.h"

typedef enum {
#define X(sym, wire, status) DDB_ERR_##sym,
#include "common/errors.def"
#undef X
    DDB_ERR__COUNT
} ddb_err_t;

#define DDB_OK DDB_ERR_OK

typedef struct {
    arena_t *a;
    ddb_err_t code;
    const char *msg; /* NUL-terminated, in a */
} ddb_errctx_t;

/** The wire `__type` of an error ("" for DDB_OK). */
const char *err_wire_type(ddb_err_t e);
/** The HTTP status of an error. */
int err_http_status(ddb_err_t e);
/** The short code after '#' (e.g. "ValidationException"). */
const char *err_short_name(ddb_err_t e);

/** Start an empty context whose messages are allocated in `a`. */
void err_init(ddb_errctx_t *ctx, arena_t *a);
/** Record an error unless one is already recorded; returns `code` (the recorded one if earlier). */
ddb_err_t err_set(ddb_errctx_t *ctx, ddb_err_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Record an error that has no message (AWS answers some protocol errors with `__type` alone). */
ddb_err_t err_set_bare(ddb_errctx_t *ctx, ddb_err_t code);
/** Forget any recorded error (used when an operation tries an alternative). */
void err_clear(ddb_errctx_t *ctx);

#endif
