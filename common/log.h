/*
 * log: leveled logging to stderr, one line per call, thread-safe (a single write(2) per line).
 * Level and format are process-wide; set once at start, before other threads run.
 *
 * Text lines read "dynarock <level>: <message>"; JSON lines are one object each:
 * {"time":"2025-01-02T03:04:05.678Z","level":"warn","msg":"<message>"}.
 */
#ifndef DDB_LOG_H
#define DDB_LOG_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG } log_level_t;

#define LOG_TIME_LEN 24 /* "2025-01-02T03:04:05.678Z" */

/** Set the process-wide level (default INFO). */
void log_set_level(log_level_t lvl);
/** Lines as JSON objects (true) or text (false, the default). */
void log_set_json(bool json);
/** Whether lines are JSON. */
bool log_is_json(void);
/** The level's name ("error", "warn", "info", "debug"). */
const char *log_level_name(log_level_t lvl);
/** Parse a level name; -1 when it is none of them. */
int log_level_parse(const char *s);
/** Write the wall-clock time as UTC ISO 8601 with milliseconds into out[LOG_TIME_LEN] (no NUL).
 *  Cheap: the date and time of the current second are formatted once per thread. */
void log_format_time(char out[LOG_TIME_LEN]);
/** Write a finished line (ending in '\n') to stderr with one write(2). */
void log_write(const char *line, size_t len);
/** Log one line at `lvl` (a newline is added). */
void log_msg(log_level_t lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
