/*
 * http.h: the HTTP front (h2o). One entry point that serves until stopped.
 * Thread-safety: http_stop() may be called from a signal handler.
 */
#ifndef DDB_HTTP_H
#define DDB_HTTP_H

#include "engine/engine.h"
#include "server/server.h"

/**
 * Listen on cfg->host:cfg->port with cfg->threads event loops and serve until http_stop().
 * on_ready (may be NULL) runs once all listeners are bound, before serving. Returns 0 after a
 * clean stop, -1 when the listeners cannot be opened (logged).
 */
int http_run(const ddb_config_t *cfg, eng_t *eng, void (*on_ready)(void *), void *ready_ctx);
/** Ask every event loop to finish (async-signal-safe). */
void http_stop(void);

/** CPU seconds each event loop's thread has used so far (its busy time: a loop waiting for events
 *  uses none), for loops 0..n-1 into out[] (at most max); returns n, 0 when not serving. For
 *  /metrics, from a worker thread while serving. */
size_t http_loop_cpu_seconds(double *out, size_t max);

/** [issue 19] The port the listener is bound to (the one the system chose for port 0); -1 before
 *  http_run has bound it. Any thread. */
int http_bound_port(void);
/** [issue 19] GET / answers as DynamoDB Local does (400 MissingAuthenticationToken) instead of AWS's
 *  200 "healthy: ..." (--health-answer). Call before http_run. */
void http_health_answer_set(bool dynamodb_local);

#endif
