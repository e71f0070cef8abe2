/* log: formats a line into a stack buffer and writes it with one write(2). */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static log_level_t level = LOG_LVL_INFO;
static bool as_json;
static const char *const names[] = {"error", "warn", "info", "debug"};

void log_set_level(log_level_t lvl)
{
    level = lvl;
}

void log_set_json(bool json)
{
    as_json = json;
}

bool log_is_json(void)
{
    return as_json;
}

const char *log_level_name(log_level_t lvl)
{
    return names[lvl];
}

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) return i;
    return -1;
}

void log_format_time(char out[LOG_TIME_LEN])
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[20]; /* "2025-01-02T03:04:05" */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char tmp[32];
        strftime(tmp, sizeof tmp, "%Y-%m-%dT%H:%M:%S", &tm);
        memcpy(cached, tmp, 19);
        cached_sec = ts.tv_sec;
    }
    memcpy(out, cached, 19);
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000);
    out[19] = '.';
    out[20] = (char)('0' + ms / 100);
    out[21] = (char)('0' + ms / 10 % 10);
    out[22] = (char)('0' + ms % 10);
    out[23] = 'Z';
}

void log_write(const char *line, size_t len)
{
    ssize_t w = write(2, line, len);
    (void)w;
}

/* JSON-escape the message in place (from src into dst, at most cap bytes); returns the length. */
static size_t escape_json(char *dst, size_t cap, const char *src, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 6 < cap; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '"' || c == '\\') {
            dst[o++] = '\\';
            dst[o++] = (char)c;
        } else if (c < 0x20) {
            dst[o++] = '\\';
            dst[o++] = 'u';
            dst[o++] = '0';
            dst[o++] = '0';
            dst[o++] = hex[c >> 4];
            dst[o++] = hex[c & 15];
        } else {
            dst[o++] = (char)c;
        }
    }
    return o;
}

void log_msg(log_level_t lvl, const char *fmt, ...)
{
    if (lvl > level) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m < 0) m = 0;
    size_t mlen = (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;
    char line[2048 * 6 + 96];
    size_t len;
    if (as_json) {
        char t[LOG_TIME_LEN];
        log_format_time(t);
        len = (size_t)snprintf(line, sizeof line, "{\"time\":\"%.*s\",\"level\":\"%s\",\"msg\":\"",
                               LOG_TIME_LEN, t, names[lvl]);
        len += escape_json(line + len, sizeof line - len - 4, msg, mlen);
        line[len++] = '"';
        line[len++] = '}';
    } else {
        len = (size_t)snprintf(line, sizeof line, "dynarock %s: ", names[lvl]);
        memcpy(line + len, msg, mlen);
        len += mlen;
    }
    line[len++] = '\n';
    log_write(line, len);
}
