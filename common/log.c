/* log: formats a line into a stack buffer and writes it with one write(2). */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static log_level_t level = LOG_LVL_INFO;
static const char *const names[] = {"error", "warn", "info", "debug"};

void log_set_level(log_level_t lvl)
{
    level = lvl;
}

void log_msg(log_level_t lvl, const char *fmt, ...)
{
    if (lvl > level) return;
    char line[2048];
    int n = snprintf(line, sizeof line, "dynarock %s: ", names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(2, line, len);
    (void)w;
}
