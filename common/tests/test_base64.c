/*
 * test_base64: RFC 4648 section 10 vectors, decode(encode(x)) == x for random bytes of every
 * length 0..100, and the strict rejections DynamoDB applies (length, padding, alphabet,
 * non-zero trailing bits), with b64_check() agreeing with b64_decode() everywhere.
 */
#include "common/base64.h"

#include <stdint.h>
#include <stdlib.h>

#include "common/tests/check.h"

static void check_decodes(const char *b64, const char *want, size_t want_len)
{
    unsigned char out[128];
    size_t n = 12345;
    CHECK_INT(b64_decode(b64, strlen(b64), out, &n), 0);
    CHECK_MEM(out, n, want, want_len);
    CHECK_INT(b64_check(b64, strlen(b64), NULL), B64_OK);
}

static void check_rejects(const char *b64, size_t len, b64_status_t why)
{
    unsigned char out[128];
    size_t n = 12345;
    int rc = b64_decode(b64, len, out, &n);
    if (rc != -1) fprintf(stderr, "accepted: \"%.*s\"\n", (int)len, b64);
    CHECK_INT(rc, -1);
    CHECK_INT(n, 12345); /* untouched on failure */
    CHECK_INT(b64_check(b64, len, NULL), why);
}
#define REJECT(lit, why) check_rejects((lit), sizeof(lit) - 1, (why))

static void test_rfc4648(void)
{
    static const struct {
        const char *plain, *b64;
    } v[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char enc[64];
        size_t n = b64_encode(v[i].plain, strlen(v[i].plain), enc);
        CHECK_INT(n, strlen(v[i].b64));
        CHECK_INT(n, b64_encoded_len(strlen(v[i].plain)));
        CHECK_MEM(enc, n, v[i].b64, strlen(v[i].b64));
        check_decodes(v[i].b64, v[i].plain, strlen(v[i].plain));
    }
    /* the whole alphabet, '+' and '/' included, and bytes 0x00 and 0xFF */
    check_decodes("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                  "\x00\x10\x83\x10\x51\x87\x20\x92\x8b\x30\xd3\x8f\x41\x14\x93\x51\x55\x97\x61\x96\x9b\x71"
                  "\xd7\x9f\x82\x18\xa3\x92\x59\xa7\xa2\x9a\xab\xb2\xdb\xaf\xc3\x1c\xb3\xd3\x5d\xb7\xe3\x9e"
                  "\xbb\xf3\xdf\xbf",
                  48);
    check_decodes("AA==", "\0", 1);
    check_decodes("//8=", "\xff\xff", 2);
    check_decodes("+/+/", "\xfb\xff\xbf", 3);
    check_decodes("U3Vubnk=", "Sunny", 5); /* the example in DynamoDB's developer guide */
}

static void test_roundtrip(void)
{
    srand(4648);
    unsigned char in[100], back[100];
    char enc[140];
    for (size_t len = 0; len <= 100; len++) {
        for (int rep = 0; rep < 20; rep++) {
            for (size_t i = 0; i < len; i++) in[i] = (unsigned char)(rand() & 0xFF);
            size_t n = b64_encode(in, len, enc);
            CHECK_INT(n, b64_encoded_len(len));
            CHECK_INT(n % 4, 0);
            size_t m = 0;
            CHECK_INT(b64_decode(enc, n, back, &m), 0);
            CHECK(m <= b64_decoded_max(n));
            CHECK_MEM(back, m, in, len);
            CHECK_INT(b64_check(enc, n, NULL), B64_OK);
        }
    }
}

static void test_rejects(void)
{
    /* length not a multiple of 4: unpadded text included (DynamoDB: "... but found: 11") */
    REJECT("Zg", B64_BAD_LENGTH);
    REJECT("Zg=", B64_BAD_LENGTH);
    REJECT("Zm8", B64_BAD_LENGTH);
    REJECT("YWJjZGVmZ2g", B64_BAD_LENGTH);
    REJECT("23456", B64_BAD_LENGTH);
    REJECT("A", B64_BAD_LENGTH);
    REJECT("Zm9vYg===", B64_BAD_LENGTH);
    /* non-zero unused bits before the padding (DynamoDB: "Invalid last non-pad Base64 character") */
    REJECT("+/+=", B64_BAD_LAST);
    REJECT("=+/=", B64_BAD_CHAR); /* AWS: "Invalid Base64 character: '='" (character check first) */
    REJECT("Zh==", B64_BAD_LAST);
    REJECT("Zm9=", B64_BAD_LAST);
    REJECT("QR==", B64_BAD_LAST);
    REJECT("AAAAZm9=", B64_BAD_LAST);
    /* characters outside the alphabet, misplaced or excess padding */
    REJECT("YWJj\?\?!!", B64_BAD_CHAR); /* "??!" would be a trigraph */
    REJECT("Zm9v YmFy", B64_BAD_LENGTH);
    REJECT("Zm9 ", B64_BAD_CHAR);
    REJECT("Zm9\n", B64_BAD_CHAR);
    REJECT("Zm-_", B64_BAD_CHAR);
    REJECT("Zm9v\xff\xff\xff\xff", B64_BAD_CHAR);
    REJECT("Zm9\x80", B64_BAD_CHAR);
    REJECT("Zm\0v", B64_BAD_CHAR);
    REJECT("====", B64_BAD_CHAR);
    REJECT("A===", B64_BAD_CHAR);
    REJECT("=AAA", B64_BAD_CHAR);
    REJECT("A=AA", B64_BAD_CHAR);
    REJECT("Zg==Zg==", B64_BAD_CHAR);
    REJECT("Zm8=Zm9v", B64_BAD_CHAR);
    REJECT("Zm9v=AAA", B64_BAD_CHAR);
    REJECT("Z=g=", B64_BAD_CHAR);
    /* every byte outside the alphabet, in each position of a quantum */
    int bad = 0;
    for (int c = 0; c < 256; c++) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
            c == '/')
            continue;
        for (int pos = 0; pos < 4; pos++) {
            char q[8] = "QUJDQUJD";
            q[4 + pos] = (char)c;
            unsigned char out[8];
            size_t n;
            if (c == '=' && pos >= 2) continue; /* "QUJDQU=D"/"QUJDQUJ=" are judged below */
            if (b64_decode(q, 8, out, &n) != -1 || b64_check(q, 8, NULL) == B64_OK) bad++;
        }
    }
    CHECK_INT(bad, 0);
    REJECT("QUJDQU=D", B64_BAD_CHAR);
    check_decodes("QUI=", "AB", 2);
}

/* Exhaustive over one final quantum: b64_check() says OK exactly when b64_decode() succeeds, and
 * what decodes re-encodes to the same text (so non-canonical forms are never accepted). */
static void test_check_agrees(void)
{
    static const char sym[] = "AQgw+/=!";
    int bad = 0;
    for (int a = 0; a < 8; a++)
        for (int b = 0; b < 8; b++)
            for (int c = 0; c < 8; c++)
                for (int d = 0; d < 8; d++) {
                    char q[4] = {sym[a], sym[b], sym[c], sym[d]};
                    unsigned char out[3];
                    char re[4];
                    size_t n;
                    int rc = b64_decode(q, 4, out, &n);
                    if ((rc == 0) != (b64_check(q, 4, NULL) == B64_OK)) bad++;
                    if (rc == 0 && (b64_encode(out, n, re) != 4 || memcmp(re, q, 4) != 0)) bad++;
                }
    CHECK_INT(bad, 0);
}

int main(void)
{
    test_rfc4648();
    test_roundtrip();
    test_rejects();
    test_check_agrees();
    return check_done("base64");
}
