/*
 * test_s3fmt: the export and import file formats (server/s3fmt.c): DynamoDB JSON lines and Ion text
 * both ways (every attribute type, Ion's decimal spellings, symbols, long strings, annotations,
 * comments, bad input), CSV records, gzip and zstd through the reader (several gzip members, a cut
 * stream), the MD5 / ETag values S3 shows.
 */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include "common/tests/check.h"

static arena_t *A;

static av_map_t item_of(const char *json)
{
    ddb_errctx_t err;
    err_init(&err, A);
    json_error_t je;
    json_t *j = json_parse(A, json, strlen(json), DDB_JSON_DEPTH, &je);
    av_map_t m = {0};
    CHECK(j != NULL);
    CHECK_INT(avjson_map(A, &err, j, &m, 0), DDB_OK);
    return m;
}

static const char *json_of(const av_map_t *m)
{
    jw_t w;
    jw_init(&w, A, 256);
    avjson_write_map(&w, m);
    buf_putc(&w.b, 0);
    return w.b.data;
}

static const char *EVERY =
    "{\"s\":{\"S\":\"h\\u00e9 \\\"q\\\" \\\\ "
    "\\n\\u0000\"},\"n\":{\"N\":\"12345678901234567890123456789012345678\"},"
    "\"f\":{\"N\":\"-0.00125\"},\"big\":{\"N\":\"6E+100\"},\"b\":{\"B\":\"AAEC/w==\"},\"t\":{\"BOOL\":true},"
    "\"z\":{\"NULL\":true},\"l\":{\"L\":[{\"S\":\"\"},{\"L\":[]},{\"M\":{}}]},"
    "\"m\":{\"M\":{\"odd 'name'\":{\"N\":\"1\"},\"null\":{\"S\":\"kw\"},\"$x\":{\"BS\":[\"AA==\"]}}},"
    "\"ss\":{\"SS\":[\"a\",\"b\"]},\"ns\":{\"NS\":[\"600\",\"0.5\",\"103\"]}}";

static void test_json_lines(void)
{
    av_map_t m = item_of(EVERY);
    buf_t b;
    buf_init(&b, A, 256);
    s3_item_json(&b, &m);
    CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
    CHECK(!memcmp(b.data, "{\"Item\":{\"s\":", 13));
    ddb_errctx_t err;
    err_init(&err, A);
    av_map_t back;
    CHECK_INT(s3_item_json_parse(A, &err, b.data, b.len - 1, &back), DDB_OK);
    CHECK(av_map_equal(&m, &back));
    err_init(&err, A);
    CHECK_INT(s3_item_json_parse(A, &err, "{\"Other\":{}}", 12, &back), DDB_ERR_VALIDATION);
    CHECK_STR(err.msg, "The line is not an object with an Item member");
    err_init(&err, A);
    CHECK_INT(s3_item_json_parse(A, &err, "{\"Item\":{\"a\":{\"N\":\"x\"}}}", 24, &back), DDB_ERR_VALIDATION);
}

static void test_ion_round_trip(void)
{
    av_map_t m = item_of(EVERY);
    buf_t b;
    buf_init(&b, A, 256);
    s3_item_ion(&b, &m);
    s3_item_ion(&b, &m);
    buf_putc(&b, 0);
    /* DynamoDB's spellings: decimals with d exponents or a trailing point, sets annotated */
    CHECK(strstr(b.data, "$ion_1_0 {Item:{s:\"h\xc3\xa9 \\\"q\\\" \\\\ \\x0a\\x00\"") == b.data);
    CHECK(strstr(b.data, "n:12345678901234567890123456789012345678.,") != NULL);
    CHECK(strstr(b.data, "f:-0.00125,big:6d100,") != NULL);
    CHECK(strstr(b.data, "b:{{AAEC/w==}}") != NULL);
    CHECK(strstr(b.data, "m:{'odd \\'name\\'':1.,'null':\"kw\",$x:$dynamodb_BS::[{{AA==}}]}") != NULL);
    CHECK(strstr(b.data, "ns:$dynamodb_NS::[6d2,0.5,103.]") != NULL);
    const char *p = b.data, *end = b.data + b.len - 1;
    for (int k = 0; k < 2; k++) {
        ddb_errctx_t err;
        err_init(&err, A);
        av_map_t back;
        CHECK_INT(s3_ion_next(A, &err, &p, end, &back), 1);
        CHECK_STR(json_of(&back), json_of(&m));
    }
    ddb_errctx_t err;
    err_init(&err, A);
    av_map_t back;
    CHECK_INT(s3_ion_next(A, &err, &p, end, &back), 0);
}

static void test_ion_reader(void)
{
    const char *text =
        "$ion_1_0\n// comment\n{Item:{a:1_000, b:1.5e3, c:0d-2, d:-7., e:'''x''' /*c*/ '''y''', "
        "f:sym, g:null.struct, h:{{ \"clob\" }}, i:$dynamodb_SS::['s1', \"s2\"], "
        "j:\"\\u2603\\U0001F600\"}}\n"
        "{Item:{a:$dynamodb_NS::[\"x\"]}}\n"
        "{Item:{a:(sexp)}}\n"
        "{Other:{}}\n"
        "{Item:{a:1,a:2}}\n"
        "{Item:{pk:\"ok\"}}";
    const char *p = text, *end = text + strlen(text);
    ddb_errctx_t err;
    err_init(&err, A);
    av_map_t m;
    CHECK_INT(s3_ion_next(A, &err, &p, end, &m), 1);
    CHECK_STR(json_of(&m),
              "{\"a\":{\"N\":\"1000\"},\"b\":{\"N\":\"1500\"},\"c\":{\"N\":\"0\"},\"d\":{\"N\":\"-7\"},"
              "\"e\":{\"S\":\"xy\"},\"f\":{\"S\":\"sym\"},\"g\":{\"NULL\":true},\"h\":{\"B\":\"Y2xvYg==\"},"
              "\"i\":{\"SS\":[\"s1\",\"s2\"]},\"j\":{\"S\":\"\xe2\x98\x83\xf0\x9f\x98\x80\"}}");
    static const char *const bad[] = {"Invalid Ion text: a set holds a value of another type",
                                      "Invalid Ion text: s-expressions have no DynamoDB type",
                                      "The Ion value is not a struct with an Item struct",
                                      "Invalid Ion text: a field name repeats in a struct"};
    for (int k = 0; k < 4; k++) {
        err_init(&err, A);
        CHECK_INT(s3_ion_next(A, &err, &p, end, &m), -1);
        CHECK_STR(err.msg, bad[k]);
    }
    err_init(&err, A);
    CHECK_INT(s3_ion_next(A, &err, &p, end, &m), 1);
    CHECK_STR(json_of(&m), "{\"pk\":{\"S\":\"ok\"}}");
    CHECK_INT(s3_ion_next(A, &err, &p, end, &m), 0);
}

static void test_csv(void)
{
    const char *text = "a,\"b,\"\"c\"\"\",\r\n\"multi\nline\",x,\n\"bad\"x,y\nlast";
    const char *p = text, *end = text + strlen(text);
    ddb_str_t *f;
    size_t n;
    CHECK_INT(s3_csv_record(A, &p, end, ',', &f, &n), 1);
    CHECK_INT(n, 3);
    CHECK_MEM(f[0].ptr, f[0].len, "a", 1);
    CHECK_MEM(f[1].ptr, f[1].len, "b,\"c\"", 5);
    CHECK_INT(f[2].len, 0);
    CHECK_INT(s3_csv_record(A, &p, end, ',', &f, &n), 1);
    CHECK_INT(n, 3);
    CHECK_MEM(f[0].ptr, f[0].len, "multi\nline", 10);
    CHECK_INT(s3_csv_record(A, &p, end, ',', &f, &n), -1);
    while (p < end && *p != '\n') p++;
    p++;
    CHECK_INT(s3_csv_record(A, &p, end, ',', &f, &n), 1);
    CHECK_INT(n, 1);
    CHECK_MEM(f[0].ptr, f[0].len, "last", 4);
    CHECK_INT(s3_csv_record(A, &p, end, ',', &f, &n), 0);
    p = "x\ty";
    CHECK_INT(s3_csv_record(A, &p, p + 3, '\t', &f, &n), 1);
    CHECK_INT(n, 2);
}

static const char *tmp_path(const char *name)
{
    return arena_sprintf(A, "/tmp/test_s3fmt.%d.%s", (int)getpid(), name);
}

static void test_files(void)
{
    /* written through gzip: the MD5 covers the bytes on disk, the reader gets the lines back */
    const char *path = tmp_path("a.gz");
    s3_out_t *o = s3_out_open(path, true);
    CHECK(o != NULL);
    for (int i = 0; i < 20000; i++) {
        char line[64];
        int n = snprintf(line, sizeof line, "line %d\n", i);
        CHECK_INT(s3_out_write(o, line, (size_t)n), 0);
    }
    unsigned char md5[16];
    uint64_t bytes = 0;
    CHECK_INT(s3_out_close(o, md5, &bytes), 0);
    FILE *f = fopen(path, "rb");
    char *disk = malloc(bytes + 1);
    CHECK_INT(fread(disk, 1, bytes + 1, f), bytes);
    fclose(f);
    unsigned char again[16];
    s3_md5(disk, bytes, again);
    CHECK_MEM(md5, 16, again, 16);
    s3_in_t *in = s3_in_open(path, S3_COMP_GZIP);
    const char *line;
    size_t len;
    int count = 0;
    while (s3_in_line(in, &line, &len) == 1) {
        char want[64];
        snprintf(want, sizeof want, "line %d", count);
        if (len != strlen(want) || memcmp(line, want, len) != 0) break;
        count++;
    }
    CHECK_INT(count, 20000);
    CHECK_INT(s3_in_raw_bytes(in), bytes);
    s3_in_close(in);
    /* two gzip members one after the other (cat a.gz b.gz) read as one stream; a cut stream fails */
    f = fopen(path, "ab");
    fwrite(disk, 1, bytes, f);
    fclose(f);
    in = s3_in_open(path, S3_COMP_GZIP);
    count = 0;
    while (s3_in_line(in, &line, &len) == 1) count++;
    CHECK_INT(count, 40000);
    s3_in_close(in);
    f = fopen(path, "wb");
    fwrite(disk, 1, bytes / 2, f);
    fclose(f);
    in = s3_in_open(path, S3_COMP_GZIP);
    int rc;
    while ((rc = s3_in_line(in, &line, &len)) == 1) {
    }
    CHECK_INT(rc, -1);
    CHECK_STR(s3_in_error(in), "the data is not valid GZIP (it ends inside a compressed stream)");
    s3_in_close(in);
    free(disk);
    unlink(path);
    /* zstd */
    const char *text = "{\"a\":1}\n{\"b\":2}";
    size_t cap = ZSTD_compressBound(strlen(text));
    char *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, text, strlen(text), 3);
    path = tmp_path("a.zst");
    CHECK_INT(s3_write_file(path, z, zn), 0);
    in = s3_in_open(path, S3_COMP_ZSTD);
    const char *all;
    CHECK_INT(s3_in_all(in, &all, &len), 0);
    CHECK_MEM(all, len, text, strlen(text));
    s3_in_close(in);
    free(z);
    unlink(path);
    /* S3's values: base64 MD5, and a one-part multipart ETag */
    s3_md5("", 0, md5);
    CHECK_STR(s3_md5_b64(A, md5), "1B2M2Y8AsgTpgAmY7PhCfg==");
    CHECK_STR(s3_etag(A, md5), "59adb24ef3cdbe0297f05b395827453f-1");
}

int main(void)
{
    A = arena_new(1 << 16);
    test_json_lines();
    test_ion_round_trip();
    test_ion_reader();
    test_csv();
    test_files();
    arena_free(A);
    return check_done("test_s3fmt");
}
