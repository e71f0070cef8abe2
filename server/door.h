/*
 * door.h: the front door — the routes table and the stages a request passes through around its
 * handler (DESIGN.md "the entry pipeline"), as server/http.c runs them. Each duty of the front
 * door (framing checks, routing, decompression; next authentication, CORS, logs, metrics,
 * throttling, fault injection) is one stage, so adding one touches only its own file and one line
 * of the lists in http.c:
 *
 *   every request:  ENTRY stages (framing, header lengths, CORS headers), then the ROUTES table:
 *     GET  /        the health check
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

/* ---- cors.c: --cors ORIGINS (off by default) --------------------------------------------------- */

/** ENTRY stage: for an allowed Origin, Access-Control-Allow-Origin and -Expose-Headers on the answer. */
door_rc_t cors_stage(door_t *d);
/** Route OPTIONS /: the preflight answer; without --cors, UnknownOperationException. */
door_rc_t cors_preflight(door_t *d);

#endif
