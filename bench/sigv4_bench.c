/*
 * sigv4_bench: the cost of verifying one request's AWS Signature Version 4, as auth_stage does it for
 * every API call under --auth enforce: a GetItem signed as botocore signs it (content-type, host,
 * x-amz-date, x-amz-target), verified again and again against a fresh request arena. Prints the
 * wall-clock microseconds per verification (issue 16's budget: 10 µs). Build: cmake --build <dir>
 * --target sigv4_bench; run: <dir>/sigv4_bench [iterations]. Not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/door.h"

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    static const char secret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    static const char body[] =
        "{\"TableName\":\"bench\",\"Key\":{\"pk\":{\"S\":\"p000123\"},\"sk\":{\"S\":\"s04\"}}}";
    auth_add("AKIDBENCH", secret, NULL);
    time_t now = time(NULL);
    char date[17];
    auth_format_amz_date(now, date);
    char scope[64];
    snprintf(scope, sizeof scope, "%.8s/us-east-1/dynamodb/aws4_request", date);
    auth_header_t hs[5] = {
        {"Content-Type", 12, "application/x-amz-json-1.0", 26},
        {"X-Amz-Target", 12, "DynamoDB_20120810.GetItem", 25},
        {"X-Amz-Date", 10, date, 16},
        {"host", 4, "127.0.0.1:8000", 14},
        {"authorization", 13, NULL, 0},
    };
    auth_msg_t m = {"POST", 4, "/", 1, "", 0, hs, 4};
    arena_t *a = arena_new(1 << 16);
    static const char sh[] = "content-type;host;x-amz-date;x-amz-target";
    char payload[65], sig[65];
    auth_sha256_hex(body, strlen(body), payload);
    buf_t creq;
    buf_init(&creq, a, 512);
    auth_canonical_request(&creq, a, &m, sh, strlen(sh), payload);
    auth_signature(secret, date, scope, creq.data, creq.len, sig);
    char authz[512];
    int n =
        snprintf(authz, sizeof authz,
                 "AWS4-HMAC-SHA256 Credential=AKIDBENCH/%s, SignedHeaders=%s, Signature=%s", scope, sh, sig);
    hs[4].value = authz;
    hs[4].vlen = (size_t)n;
    m.nheaders = 5;

    ddb_errctx_t err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < iters; i++) {
        arena_reset(a);
        err_init(&err, a);
        if (auth_verify_or_err(&err, a, &m, body, strlen(body), now, "dynamodb", NULL, NULL) != DDB_OK) {
            fprintf(stderr, "sigv4_bench: verification failed: %s\n", err.msg ? err.msg : "?");
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double us =
        ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) / (double)iters;
    printf("sigv4 verify: %.2f us per request (%ld iterations)\n", us, iters);
    arena_free(a);
    return 0;
}
