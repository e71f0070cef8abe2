/*
 * test_sigv4: auth.c against AWS's published Signature Version 4 test suite (aws-sig-v4-test-suite,
 * 2015-08-30, credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1,
 * service "service"): the canonical requests it publishes, and for every vector the full verification
 * (auth_verify_or_err) of the request with the suite's Authorization header, then the same with the
 * signature's last digit changed. Also SHA-256 and HMAC-SHA256 known answers (FIPS 180-2, RFC 4231),
 * the Authorization header's parser, the error AWS answers for each missing part, and the 15-minute
 * clock skew at its boundaries.
 */
#include "server/door.h"

#include "common/tests/check.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define DATE "20150830T123600Z"
#define CRED "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define VECTORS_0_SIG "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

typedef struct {
    const char *name, *method, *path, *query;
    const char *headers[8]; /* "name:value" (besides Host and X-Amz-Date) */
    const char *body;
    const char *signed_headers, *signature;
    const char *creq; /* the suite's .creq, where we check it too, or NULL */
} vector_t;

/* The suite's requests as they come over the wire (a path or query with bytes outside ASCII is sent
 * as UTF-8, reserved characters in a query percent-encoded), with the signatures of its .authz files. */
static const vector_t VECTORS[] = {
    {"get-vanilla",
     "GET",
     "/",
     "",
     {0},
     "",
     "host;x-amz-date",
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
     "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" EMPTY_SHA},
    {"get-vanilla-query-order-key",
     "GET",
     "/",
     "Param1=value2&Param1=Value1",
     {0},
     "",
     "host;x-amz-date",
     "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1",
     "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
     "host;x-amz-date\n" EMPTY_SHA},
    {"get-vanilla-query-order-key-case",
     "GET",
     "/",
     "Param2=value2&Param1=value1",
     {0},
     "",
     "host;x-amz-date",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
     NULL},
    {"get-vanilla-empty-query-key",
     "GET",
     "/",
     "Param1=value1",
     {0},
     "",
     "host;x-amz-date",
     "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb",
     NULL},
    {"get-vanilla-query-unreserved",
     "GET",
     "/",
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
     "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
     {0},
     "",
     "host;x-amz-date",
     "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
     NULL},
    {"get-vanilla-utf8-query",
     "GET",
     "/",
     "\xe1\x88\xb4=bar",
     {0},
     "",
     "host;x-amz-date",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04",
     NULL},
    {"get-unreserved",
     "GET",
     "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
     "",
     {0},
     "",
     "host;x-amz-date",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
     NULL},
    {"get-utf8",
     "GET",
     "/\xe1\x88\xb4",
     "",
     {0},
     "",
     "host;x-amz-date",
     "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85",
     NULL},
    {"get-space",
     "GET",
     "/example space/",
     "",
     {0},
     "",
     "host;x-amz-date",
     "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741",
     NULL},
    {"get-header-key-duplicate",
     "GET",
     "/",
     "",
     {"My-Header1:value2", "My-Header1:value2", "My-Header1:value1"},
     "",
     "host;my-header1;x-amz-date",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea",
     NULL},
    {"get-header-value-order",
     "GET",
     "/",
     "",
     {"My-Header1:value4", "My-Header1:value1", "My-Header1:value3", "My-Header1:value2"},
     "",
     "host;my-header1;x-amz-date",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01",
     NULL},
    {"get-header-value-trim",
     "GET",
     "/",
     "",
     {"My-Header1: value1", "My-Header2: \"a   b   c\""},
     "",
     "host;my-header1;my-header2;x-amz-date",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736",
     "GET\n/\n\nhost:example.amazonaws.com\nmy-header1:value1\nmy-header2:\"a b "
     "c\"\nx-amz-date:20150830T123600Z\n\n"
     "host;my-header1;my-header2;x-amz-date\n" EMPTY_SHA},
    {"post-vanilla",
     "POST",
     "/",
     "",
     {0},
     "",
     "host;x-amz-date",
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
     NULL},
    {"post-vanilla-query",
     "POST",
     "/",
     "Param1=value1",
     {0},
     "",
     "host;x-amz-date",
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11",
     NULL},
    {"post-vanilla-query-nonunreserved",
     "POST",
     "/",
     "%40%23%24%25%5E=&%2B=%2F%2C%3F%3E%3C%60%22%3B%3A%5C%7C%5D%5B%7B%7D",
     {0},
     "",
     "host;x-amz-date",
     "66c82657c86e26fb25238d0e69f011edc4c6df5ae71119d7cb98ed9b87393c1e",
     NULL},
    {"post-header-key-sort",
     "POST",
     "/",
     "",
     {"My-Header1:value1"},
     "",
     "host;my-header1;x-amz-date",
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c",
     NULL},
    {"post-header-value-case",
     "POST",
     "/",
     "",
     {"My-Header1:VALUE1"},
     "",
     "host;my-header1;x-amz-date",
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d",
     NULL},
    {"post-x-www-form-urlencoded",
     "POST",
     "/",
     "",
     {"Content-Type:application/x-www-form-urlencoded"},
     "Param1=value1",
     "content-type;host;x-amz-date",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
     "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
     "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
     "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"},
    {"post-x-www-form-urlencoded-parameters",
     "POST",
     "/",
     "",
     {"Content-Type:application/x-www-form-urlencoded; charset=utf8"},
     "Param1=value1",
     "content-type;host;x-amz-date",
     "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe",
     NULL},
};

/* The vector's request as auth_msg_t, with `authorization` (NULL: none) and X-Amz-Date `date`. */
static auth_msg_t message(arena_t *a, const vector_t *v, const char *authorization, const char *date)
{
    auth_header_t *hs = arena_alloc(a, 12 * sizeof *hs);
    size_t n = 0;
    hs[n++] = (auth_header_t){"Host", 4, "example.amazonaws.com", 21};
    if (date) hs[n++] = (auth_header_t){"X-Amz-Date", 10, date, strlen(date)};
    for (int i = 0; i < 8 && v->headers[i]; i++) {
        const char *colon = strchr(v->headers[i], ':');
        hs[n++] =
            (auth_header_t){v->headers[i], (size_t)(colon - v->headers[i]), colon + 1, strlen(colon + 1)};
    }
    if (authorization) hs[n++] = (auth_header_t){"Authorization", 13, authorization, strlen(authorization)};
    return (auth_msg_t){v->method, strlen(v->method), v->path, strlen(v->path),
                        v->query,  strlen(v->query),  hs,      n};
}

static ddb_err_t verify(arena_t *a, ddb_errctx_t *err, const vector_t *v, const char *authorization,
                        const char *date, time_t now, const char *service)
{
    auth_msg_t m = message(a, v, authorization, date);
    err_init(err, a);
    return auth_verify_or_err(err, a, &m, v->body, strlen(v->body), now, service, NULL, NULL);
}

static void test_vectors(arena_t *a, time_t now)
{
    for (size_t i = 0; i < sizeof VECTORS / sizeof VECTORS[0]; i++) {
        const vector_t *v = &VECTORS[i];
        auth_msg_t m = message(a, v, NULL, DATE);
        char hash[65];
        auth_sha256_hex(v->body, strlen(v->body), hash);
        buf_t creq;
        buf_init(&creq, a, 256);
        auth_canonical_request(&creq, a, &m, v->signed_headers, strlen(v->signed_headers), hash);
        if (v->creq) CHECK_STR(creq.data, v->creq);
        char sig[65];
        auth_signature(SECRET, DATE, "20150830/us-east-1/service/aws4_request", creq.data, creq.len, sig);
        if (strcmp(sig, v->signature))
            fprintf(stderr, "vector %s: canonical request:\n%s\n", v->name, creq.data);
        CHECK_STR(sig, v->signature);

        /* the whole check, as the server makes it */
        char *authz =
            arena_sprintf(a, CRED "SignedHeaders=%s, Signature=%s", v->signed_headers, v->signature);
        ddb_errctx_t err;
        CHECK_INT(verify(a, &err, v, authz, DATE, now, "service"), DDB_OK);
        authz[strlen(authz) - 1] ^= 1; /* the last hex digit changed */
        CHECK_INT(verify(a, &err, v, authz, DATE, now, "service"), DDB_ERR_INVALID_SIGNATURE);
        CHECK_STR(err.msg,
                  "The request signature we calculated does not match the signature you provided. Check "
                  "your AWS Secret Access Key and signing method. Consult the service documentation for "
                  "details.");
    }
    /* botocore's comma-less spelling: the parts separated by spaces only; then by commas only */
    const vector_t *v = &VECTORS[0];
    ddb_errctx_t err;
    CHECK_INT(verify(a, &err, v,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request "
                     "SignedHeaders=host;x-amz-date Signature=" VECTORS_0_SIG,
                     DATE, now, "service"),
              DDB_OK);
    CHECK_INT(verify(a, &err, v,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
                     "SignedHeaders=host;x-amz-date,Signature=" VECTORS_0_SIG,
                     DATE, now, "service"),
              DDB_OK);
}

static void test_errors(arena_t *a, time_t now)
{
    const vector_t *v = &VECTORS[0];
    ddb_errctx_t err;
    const char *good = CRED "SignedHeaders=host;x-amz-date, Signature=" VECTORS_0_SIG;

    CHECK_INT(verify(a, &err, v, NULL, DATE, now, "service"), DDB_ERR_MISSING_AUTH_TOKEN);
    CHECK_STR(err.msg, "Request is missing Authentication Token");
    CHECK_INT(verify(a, &err, v, "Bearer abc", DATE, now, "service"), DDB_ERR_MISSING_AUTH_TOKEN);
    CHECK_INT(verify(a, &err, v, "AWS4-HMAC-SHA512 Credential=x", DATE, now, "service"),
              DDB_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(err.msg, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");

    CHECK_INT(verify(a, &err, v, "AWS4-HMAC-SHA256 Signature=abc", NULL, now, "service"),
              DDB_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(err.msg, "Authorization header requires 'Credential' parameter. Authorization header requires "
                       "'SignedHeaders' parameter. Authorization header requires existence of either a "
                       "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256 Signature=abc");
    CHECK_INT(verify(a, &err, v, good, "2015-08-30T12:36:00Z", now, "service"), DDB_ERR_INCOMPLETE_SIGNATURE);
    CHECK_STR(err.msg, "Date must be in ISO-8601 'basic format'. Got '2015-08-30T12:36:00Z'. See "
                       "http://en.wikipedia.org/wiki/ISO_8601");

    /* the clock comes before the key and the scope, as on AWS */
    CHECK_INT(verify(a, &err, v,
                     "AWS4-HMAC-SHA256 Credential=cassandra/2/3/4/aws4_request SignedHeaders=x Signature=1",
                     "20150830T122059Z", now, "service"),
              DDB_ERR_INVALID_SIGNATURE);
    CHECK_STR(err.msg, "Signature expired: 20150830T122059Z is now earlier than 20150830T122100Z "
                       "(20150830T123600Z - 15 min.)");

    /* the scope: service, terminator, date; every sentence at once */
    CHECK_INT(verify(a, &err, v, good, DATE, now, "dynamodb"), DDB_ERR_INVALID_SIGNATURE);
    CHECK_STR(err.msg, "Credential should be scoped to correct service: 'dynamodb'. ");
    CHECK_INT(verify(a, &err, v,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/service/aws5_request, "
                     "SignedHeaders=host;x-amz-date, Signature=" VECTORS_0_SIG,
                     DATE, now, "service"),
              DDB_ERR_INVALID_SIGNATURE);
    CHECK_STR(err.msg,
              "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. "
              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
              "'20150831' != '20150830', from '20150830T123600Z'. ");
    CHECK_INT(verify(a, &err, v,
                     "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830, SignedHeaders=host, Signature=1",
                     DATE, now, "service"),
              DDB_ERR_INCOMPLETE_SIGNATURE);

    CHECK_INT(verify(a, &err, v,
                     "AWS4-HMAC-SHA256 Credential=AKIDNOTKNOWN/20150830/us-east-1/service/aws4_request, "
                     "SignedHeaders=host;x-amz-date, Signature=" VECTORS_0_SIG,
                     DATE, now, "service"),
              DDB_ERR_UNRECOGNIZED_CLIENT);
    CHECK_STR(err.msg, "The security token included in the request is invalid.");

    /* a Date header instead of X-Amz-Date: accepted as the request's time */
    auth_msg_t m = message(a, v,
                           "AWS4-HMAC-SHA256 Credential=x/20150830/us-east-1/service/aws4_request "
                           "SignedHeaders=host;date Signature=1",
                           NULL);
    auth_header_t hs[4];
    memcpy(hs, m.headers, m.nheaders * sizeof *hs);
    hs[m.nheaders] = (auth_header_t){"Date", 4, "Sun, 30 Aug 2015 12:36:00 GMT", 29};
    m.headers = hs;
    m.nheaders++;
    err_init(&err, a);
    CHECK_INT(auth_verify_or_err(&err, a, &m, "", 0, now, "service", NULL, NULL),
              DDB_ERR_UNRECOGNIZED_CLIENT);
}

static void test_skew(arena_t *a, time_t now)
{
    ddb_errctx_t err;
    err_init(&err, a);
    CHECK_INT(auth_check_skew_or_err(&err, now - 900, now), DDB_OK);
    CHECK_INT(auth_check_skew_or_err(&err, now + 900, now), DDB_OK);
    CHECK_INT(auth_check_skew_or_err(&err, now - 901, now), DDB_ERR_INVALID_SIGNATURE);
    CHECK_STR(err.msg, "Signature expired: 20150830T122059Z is now earlier than 20150830T122100Z "
                       "(20150830T123600Z - 15 min.)");
    err_init(&err, a);
    CHECK_INT(auth_check_skew_or_err(&err, now + 901, now), DDB_ERR_INVALID_SIGNATURE);
    CHECK_STR(err.msg, "Signature not yet current: 20150830T125101Z is still later than 20150830T125100Z "
                       "(20150830T123600Z + 15 min.)");
    /* AWS's own example of the message */
    err_init(&err, a);
    time_t t = auth_parse_amz_date("20130524T000000Z", 16), n = auth_parse_amz_date("20130524T002500Z", 16);
    CHECK_INT(auth_check_skew_or_err(&err, t, n), DDB_ERR_INVALID_SIGNATURE);
    CHECK_STR(err.msg, "Signature expired: 20130524T000000Z is now earlier than 20130524T001000Z "
                       "(20130524T002500Z - 15 min.)");

    CHECK_INT(auth_parse_amz_date("20150830T123600", 15), -1);
    CHECK_INT(auth_parse_amz_date("20151330T123600Z", 16), -1);
    CHECK_INT(auth_parse_amz_date("2015083OT123600Z", 16), -1);
    CHECK_INT(auth_parse_amz_date("19700101T000100Z", 16), 60);
}

static void test_hashes(void)
{
    char h[65];
    auth_sha256_hex("", 0, h);
    CHECK_STR(h, EMPTY_SHA);
    auth_sha256_hex("abc", 3, h); /* FIPS 180-2, B.1 */
    CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    uint8_t mac[32];
    auth_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac); /* RFC 4231, test case 2 */
    static const uint8_t want[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24,
                                     0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27,
                                     0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
    CHECK_MEM(mac, 32, want, 32);
    CHECK(auth_equal("abcd", "abcd", 4));
    CHECK(!auth_equal("abcd", "abce", 4));
}

/* The signing-key cache (derive_key) gives the same signature as a fresh derivation, and tells keys
 * and scopes apart: a long secret (not cached), two secrets in one buffer, five scopes (past the 4
 * entries kept). */
static void test_signing_key_cache(void)
{
    static const char creq[] = "POST\n/\n\nhost:x\n\nhost\n" EMPTY_SHA;
    char first[65], again[65], other[65], buf[300];
    auth_signature(SECRET, DATE, "20150830/us-east-1/service/aws4_request", creq, strlen(creq), first);
    CHECK_INT((int)strlen(first), 64);
    snprintf(buf, sizeof buf, "%s", "another-secret");
    auth_signature(buf, DATE, "20150830/us-east-1/service/aws4_request", creq, strlen(creq), other);
    CHECK(strcmp(first, other) != 0);
    snprintf(buf, sizeof buf, "%s", SECRET); /* the same buffer, now the first secret */
    auth_signature(buf, DATE, "20150830/us-east-1/service/aws4_request", creq, strlen(creq), again);
    CHECK_STR(again, first);
    char scope[64], sigs[5][65];
    for (int i = 0; i < 5; i++) {
        snprintf(scope, sizeof scope, "20150830/region-%d/service/aws4_request", i);
        auth_signature(SECRET, DATE, scope, creq, strlen(creq), sigs[i]);
        for (int k = 0; k < i; k++) CHECK(strcmp(sigs[i], sigs[k]) != 0);
    }
    for (int i = 0; i < 5; i++) { /* again, some from the cache and some derived afresh */
        snprintf(scope, sizeof scope, "20150830/region-%d/service/aws4_request", i);
        auth_signature(SECRET, DATE, scope, creq, strlen(creq), again);
        CHECK_STR(again, sigs[i]);
    }
    memset(buf, 'k', 200);
    buf[200] = '\0';
    auth_signature(buf, DATE, "20150830/us-east-1/service/aws4_request", creq, strlen(creq), other);
    auth_signature(buf, DATE, "20150830/us-east-1/service/aws4_request", creq, strlen(creq), again);
    CHECK_STR(again, other);
    CHECK(strcmp(other, first) != 0);
}

static void test_parse(void)
{
    auth_parsed_t p;
    const char *h =
        "AWS4-HMAC-SHA256 Credential=K/20150830/r/s/aws4_request, SignedHeaders=a;b, Signature=ff";
    CHECK_INT(auth_parse_header(h, strlen(h), &p), 0);
    CHECK_MEM(p.credential, p.clen, "K/20150830/r/s/aws4_request", 27);
    CHECK_MEM(p.signed_headers, p.shlen, "a;b", 3);
    CHECK_MEM(p.signature, p.siglen, "ff", 2);
    CHECK_INT(auth_parse_header("AWS4-HMAC-SHA256X", 17, &p), -1);
}

int main(void)
{
    arena_t *a = arena_new(1 << 16);
    auth_add("AKIDEXAMPLE", SECRET, NULL);
    CHECK_STR(auth_find("AKIDEXAMPLE", 11)->account, "000000000000");
    time_t now = auth_parse_amz_date(DATE, 16);
    CHECK_INT(now, 1440938160);
    test_hashes();
    test_signing_key_cache();
    test_parse();
    test_vectors(a, now);
    test_errors(a, now);
    test_skew(a, now);
    arena_free(a);
    return check_done("test_sigv4");
}
