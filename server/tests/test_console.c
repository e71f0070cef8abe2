/*
 * test_console: the embedded console's table (scripts/console_embed.c's output): sorted, every entry
 * with a type, an ETag and gzip bytes that inflate back to the raw bytes; console_find's lookups
 * (binary search, "" is index.html, no prefix matches); console_host_is_loopback.
 */
#include "server/door.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/tests/check.h"

static const console_asset_t *find(const char *s)
{
    return console_find(s, strlen(s));
}

int main(void)
{
    CHECK(CONSOLE_NASSETS >= 5);
    for (size_t i = 0; i < CONSOLE_NASSETS; i++) {
        const console_asset_t *a = &CONSOLE_ASSETS[i];
        if (i) CHECK(strcmp(CONSOLE_ASSETS[i - 1].name, a->name) < 0);
        CHECK(console_find(a->name, strlen(a->name)) == a);
        CHECK(strlen(a->etag) == 18 && a->etag[0] == '"' && a->etag[17] == '"');
        CHECK(strstr(a->content_type, "/") != NULL);
        /* the gzip bytes are the raw bytes */
        unsigned char *out = malloc(a->len + 1);
        z_stream z;
        memset(&z, 0, sizeof z);
        CHECK(inflateInit2(&z, 15 + 16) == Z_OK);
        z.next_in = (Bytef *)a->gz;
        z.avail_in = (uInt)a->gzlen;
        z.next_out = out;
        z.avail_out = (uInt)a->len + 1;
        CHECK(inflate(&z, Z_FINISH) == Z_STREAM_END);
        CHECK_INT((long long)z.total_out, (long long)a->len);
        CHECK(memcmp(out, a->data, a->len) == 0);
        inflateEnd(&z);
        free(out);
    }
    const console_asset_t *index = find("index.html");
    CHECK(index != NULL);
    CHECK(find("") == index);
    CHECK_STR(index->content_type, "text/html; charset=utf-8");
    CHECK_STR(find("app.js")->content_type, "text/javascript; charset=utf-8");
    CHECK_STR(find("app.css")->content_type, "text/css; charset=utf-8");
    CHECK(console_find("app.jsx", 7) == NULL);
    CHECK(console_find("app.js", 5) == NULL); /* "app.j" */
    CHECK(console_find("app.js/", 7) == NULL);
    CHECK(find("nope.js") == NULL);
    CHECK(find("/app.js") == NULL);
    CHECK(find("zzz") == NULL);
    CHECK(find("0") == NULL);

    CHECK(console_host_is_loopback("127.0.0.1"));
    CHECK(console_host_is_loopback("127.3.2.1"));
    CHECK(console_host_is_loopback("::1"));
    CHECK(console_host_is_loopback("localhost"));
    CHECK(console_host_is_loopback("LocalHost"));
    CHECK(!console_host_is_loopback("0.0.0.0"));
    CHECK(!console_host_is_loopback("::"));
    CHECK(!console_host_is_loopback("128.0.0.1"));
    CHECK(!console_host_is_loopback("10.0.0.1"));
    CHECK(!console_host_is_loopback("example.com"));
    CHECK(!console_host_is_loopback("localhost.example.com"));
    CHECK(!console_host_is_loopback(""));
    CHECK(!console_host_is_loopback(NULL));
    return check_done("test_console");
}
