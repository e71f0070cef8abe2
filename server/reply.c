/*
 * reply: what every answer carries. The success body is the handler's JSON; the error body is
 * {"__type":"<namespace>#<Code>","message":"..."} (no "message" when the error has none,
 * as AWS answers UnknownOperationException); request ids are 52 characters of A-Z0-9 like AWS's.
 */
#include "server/server.h"

#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <libdeflate.h>
#include <time.h>

unsigned long reply_crc32(const char *body, size_t len)
{
    return libdeflate_crc32(0, body, len);
}

static _Thread_local uint64_t rng_state;

static uint64_t next_rand(void)
{
    if (!rng_state) {
        if (getrandom(&rng_state, sizeof rng_state, 0) != sizeof rng_state) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            rng_state = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&ts;
        }
        rng_state |= 1;
    }
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* BYTE_CHAR[b] is "A..Z0..9"[b % 36]: the alphabet seven times (252 bytes) and its first four letters,
 * so a random byte becomes a character with one load instead of a division. */
#define ID_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
static const char BYTE_CHAR[257] =
    ID_ALPHABET ID_ALPHABET ID_ALPHABET ID_ALPHABET ID_ALPHABET ID_ALPHABET ID_ALPHABET "ABCD";

void reply_request_id(char buf[53])
{
    for (int i = 0; i < 52;) {
        uint64_t r = next_rand();
        for (int j = 0; j < 8 && i < 52; j++, r >>= 8) buf[i++] = BYTE_CHAR[r & 0xff];
    }
    buf[52] = 0;
}

const char *reply_error_body(ddb_req_t *r, size_t *len)
{
    jw_t w;
    jw_init(&w, r->a, 256);
    jw_obj_begin(&w);
    jw_keyz(&w, "__type");
    jw_strz(&w, err_wire_type(r->err.code));
    if (r->err.msg) {
        /* TransactionCanceledException and the deserializer's SerializationException spell it
         * "Message"; everything else "message". */
        jw_keyz(&w, r->err.code == DDB_ERR_TRANSACTION_CANCELED || r->err.code == DDB_ERR_SERIALIZATION
                        ? "Message"
                        : "message");
        jw_strz(&w, r->err.msg);
    }
    if (r->err_extra) {
        /* pre-rendered members: `"Item":{...}` */
        buf_putc(&w.b, ',');
        buf_puts(&w.b, r->err_extra);
    }
    jw_obj_end(&w);
    *len = w.b.len;
    return w.b.data;
}
