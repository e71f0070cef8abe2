/*
 * router: X-Amz-Target -> handler. The target is "<prefix>.<Operation>" with prefix
 * DynamoDB_20120810 (and, later, DynamoDBStreams_20120810 for streams on the same port).
 * A linear scan of ~60 names costs less than the JSON parse; no hashing needed.
 */
#include "server/server.h"

#include <string.h>

typedef struct {
    const char *name;
    api_fn fn;
} op_t;

static const op_t ops[] = {
#define IMPL(n) {#n, api_##n},
#define TODO(n) {#n, NULL},
#include "server/ops.def"
#undef IMPL
};

api_fn router_find(const char *prefix, size_t plen, const char *op, size_t oplen, bool *known)
{
    *known = false;
    if (!(plen == 17 && memcmp(prefix, "DynamoDB_20120810", 17) == 0)) return NULL;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        if (strlen(ops[i].name) == oplen && memcmp(ops[i].name, op, oplen) == 0) {
            *known = true;
            return ops[i].fn;
        }
    }
    return NULL;
}
