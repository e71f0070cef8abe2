/*
 * door.h: the front door — the routes table and the stages a request passes through around its
 * handler (DESIGN.md "the entry pipeline"), as server/http.c runs them. Each duty of the front
 * door (framing checks, routing, decompression; next authentication, CORS, logs, metrics,
 * throttling, fault injection) is one stage, so adding one touches only its own file and one line
 * of the lists in http.c:
 *
 *   every request:  ENTRY stages (framing, header lengths, CORS headers), then the ROUTES table:
 *     GET  /        the health check
 *     GET  /metrics Prometheus text (metrics.c)
 *     POST /        an API call: API stages (target and content type -> handler, body inflated,
 *                   handler run and answered)
 *     OPTIONS /     the CORS preflight (with --cors; without it, as anything else)
 *     anything else UnknownOperationException
 *   after the answer: AFTER hooks (logs, metrics), in the order listed.
 *
 * A stage returns DOOR_NEXT to go on, or DOOR_ANSWERED once it has answered (door_send_*): the
 * request stops there. Stages run on the worker's thread; door_t lives for the request only.
 * Included by http.c and the stages' own files (it brings in h2o: handlers below HTTP never see it).
 */
#ifndef DDB_SERVER_DOOR_H
#define DDB_SERVER_DOOR_H

#include <h2o.h>

#include "server/server.h"

typedef struct {
    h2o_req_t *req;
    ddb_req_t *r;       /* the request as handlers see it: arena, error, region, host */
    const char *target; /* X-Amz-Target (API route), or NULL */
    size_t target_len;
    api_fn fn;        /* its handler */
    const char *body; /* the body as the handler gets it (inflated) */
    size_t body_len;
    int status;            /* the status answered (0 until then) */
    struct timespec start; /* when the request reached the door (CLOCK_MONOTONIC) */
    char request_id[53];   /* x-amzn-RequestId answered ("" for plain-text answers) */
} door_t;

typedef enum { DOOR_NEXT = 0, DOOR_ANSWERED } door_rc_t;
typedef door_rc_t (*door_stage_fn)(door_t *d);
typedef void (*door_after_fn)(const door_t *d);

/** Answer with DynamoDB's headers (Content-Type, x-amzn-RequestId, x-amz-crc32). */
void door_send_json(door_t *d, int status, const char *body, size_t len);
/** Answer r's recorded error (its envelope and status). */
void door_send_error(door_t *d);
/** A plain-text answer (the health check, framing refusals); keep_alive false closes the connection. */
void door_send_text(door_t *d, int status, const char *body, bool keep_alive);
/** A request header by its lower-case name, or NULL. */
const char *door_header(const door_t *d, const char *name, size_t nlen, size_t *len);

/* ---- accesslog.c: the access log (an AFTER hook) ------------------------------------------------
 * One line per request on stderr (common/log.h's format, text or JSON): time, request id, remote
 * address, operation, table, status, error type, latency, bytes in and out. Level: info; a request
 * slower than cfg->log_slow_ms: warn; an answer 5xx: error; debug adds the bodies (truncated). Off
 * below the line's level, and entirely (but for slow and 5xx lines) while cfg->log_level is -1. */

/** The AFTER hook: log d's line if its level is on. Worker threads; no lock (one write(2)). */
void accesslog_after(const door_t *d);
/** Append the line of d at level lvl (ending in a newline) to b, with the bodies if `bodies`. */
void accesslog_format(buf_t *b, const door_t *d, int lvl, uint64_t latency_us, bool bodies);

/* ---- metrics.c: GET /metrics (Prometheus text format) and its counters --------------------------
 * Counters live in one block per worker thread (made by the thread on its first request, never
 * freed), written only by that thread with relaxed atomics, summed by the scrape: nothing on a
 * request's path takes a lock. */

/** ENTRY stage: counts the request as started (for the in-flight gauge). Always DOOR_NEXT. */
door_rc_t metrics_stage_enter(door_t *d);
/** The AFTER hook: requests by operation and outcome, latency histogram by operation. */
void metrics_after(const door_t *d);
/** The GET /metrics route. */
door_rc_t metrics_serve(door_t *d);
/** Append one histogram (le buckets of METRICS_BUCKETS, +Inf, _sum, _count) to b: counts[] are the
 *  per-bucket (not cumulative) counts, counts[METRICS_NBUCKETS] those over the last bound. labels is
 *  `name="value"` text or "". Exposed for the unit test. */
void metrics_format_histogram(buf_t *b, const char *name, const char *labels, const uint64_t *counts,
                              uint64_t sum_us);
/** Append s as a Prometheus label value (\\, \" and \n escaped). */
void metrics_format_label(buf_t *b, const char *s, size_t len);
#define METRICS_NBUCKETS 14 /* latency bounds: 100 us .. 10 s, about 2.5x apart */

/* ---- cors.c: --cors ORIGINS (off by default) --------------------------------------------------- */

/** ENTRY stage: for an allowed Origin, Access-Control-Allow-Origin and -Expose-Headers on the answer. */
door_rc_t cors_stage(door_t *d);
/** Route OPTIONS /: the preflight answer; without --cors, UnknownOperationException. */
door_rc_t cors_preflight(door_t *d);

#endif
