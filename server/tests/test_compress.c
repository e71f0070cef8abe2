/*
 * test_compress: Accept-Encoding read as DynamoDB reads it (the cases ScyllaDB's
 * test_compressed_response.py recorded against AWS): q-values, `*`, identity ignored, the first
 * named coding at equal q, malformed elements ignored.
 */
#include "server/door.h"

#include <stdio.h>
#include <string.h>

#include "common/tests/check.h"

static int choose(const char *ae)
{
    return (int)compress_choose(ae, strlen(ae));
}

int main(void)
{
    enum { N = COMPRESS_NONE, G = COMPRESS_GZIP, D = COMPRESS_DEFLATE };
    static const struct {
        const char *ae;
        int want;
    } cases[] = {
        {"gzip", G},
        {"deflate", D},
        {"identity", N},
        {"", N},
        {"br", N},
        {"zstd", N},
        {"compress", N},
        {"x-gzip", N},
        {"gzip, deflate", G},
        {"br, identity, deflate, gzip", D},
        {"GZIP, identity", G},
        {"dog, gzip ,, cat", G},
        {"gzip;q=0.8, deflate;q=0.5", G},
        {"br, gzip;q=0, deflate; q = 0.5 , identity;q=0", D},
        {"*", G},
        {"*, deflate;q=0.5", G},
        {"*, deflate", D},
        {"*, identity", G},
        {"*, gzip;q=0.5", D},
        {"gzip ;q=0", N},
        {"identity;q=0", N},
        {"*;q=0", N},
        {"*;q=0.5,identity", G},
        {"gzip;q=0.5,identity;q=0.8", G},
        {"br;q=0.8,identity;q=0.5,*;q=0", N},
        {"\"gzip\"", N},
        {"gzip br", N},
        {"gzip:q=1", N},
        {"deflate;q=0.5, gzip;q=31", G},
        {"gzip;q=31,deflate;q=51", G},
        {"deflate;q=0.5, gzip;q=0.2", D},
        {"deflate;q=0.5, gzip;q=1;q=0.2", G},
        {"deflate;q=0.5,gzip;q=0.", D},
        {"deflate;q=0.5,gzip;q=0.x", G},
        {"deflate;q=-0.5,gzip;q=0.2", G},
        {"gzip;nq=1;q=0 ", N},
        {"gzip;q=0, gzip;q=1, gzip;q=0", G},
        {"br,identity;q=0.5,gzip;q=0.0001", G},
        {"gzip;q=0.000", N},
        {"deflate;Q=1, gzip;q=0.999", D},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int got = choose(cases[i].ae);
        if (got != cases[i].want) fprintf(stderr, "Accept-Encoding: %s\n", cases[i].ae);
        CHECK_INT(got, cases[i].want);
    }
    return check_done("test_compress");
}
