/*
 * log: leveled logging to stderr, one line per call, thread-safe (a single write(2) per line).
 * Level is process-wide; set once at start.
 */
#ifndef DDB_LOG_H
#define DDB_LOG_H

typedef enum { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG } log_level_t;

/** Set the process-wide level (default INFO). */
void log_set_level(log_level_t lvl);
/** Log one line at `lvl` (a newline is added). */
void log_msg(log_level_t lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
