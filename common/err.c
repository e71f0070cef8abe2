/* err: tables expanded from errors.def and the first-error-wins context. */
#include "common/err.h"

#include <string.h>

static const char *const wire_types[] = {
#define X(sym, wire, status) wire,
#include "common/errors.def"
#undef X
};

static const int statuses[] = {
#define X(sym, wire, status) status,
#include "common/errors.def"
#undef X
};

const char *err_wire_type(ddb_err_t e)
{
    return (unsigned)e < DDB_ERR__COUNT ? wire_types[e] : wire_types[DDB_ERR_INTERNAL];
}

int err_http_status(ddb_err_t e)
{
    return (unsigned)e < DDB_ERR__COUNT ? statuses[e] : 500;
}

const char *err_short_name(ddb_err_t e)
{
    const char *w = err_wire_type(e);
    const char *h = strchr(w, '#');
    return h ? h + 1 : w;
}

void err_init(ddb_errctx_t *ctx, arena_t *a)
{
    ctx->a = a;
    ctx->code = DDB_OK;
    ctx->msg = NULL;
}

ddb_err_t err_set(ddb_errctx_t *ctx, ddb_err_t code, const char *fmt, ...)
{
    if (ctx->code != DDB_OK) return ctx->code;
    va_list ap;
    va_start(ap, fmt);
    ctx->msg = arena_vsprintf(ctx->a, fmt, ap);
    va_end(ap);
    ctx->code = code;
    return code;
}

ddb_err_t err_set_bare(ddb_errctx_t *ctx, ddb_err_t code)
{
    if (ctx->code != DDB_OK) return ctx->code;
    ctx->code = code;
    ctx->msg = NULL;
    return code;
}

void err_clear(ddb_errctx_t *ctx)
{
    ctx->code = DDB_OK;
    ctx->msg = NULL;
}
