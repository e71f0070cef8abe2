/*
 * idempotency: ClientRequestToken for TransactWriteItems and ExecuteTransaction. For 10 minutes a
 * token remembers the fingerprint of its request (canonical JSON: object members sorted by name):
 * the same token with the same request is a replay (answered without writing again), with another
 * request a mismatch, and while the first request still runs, busy. Each operation has its own
 * tokens. In memory only: a restart forgets them. Thread-safe (one mutex).
 */
#include "server/server.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"

#define TOKEN_TTL_S 600.0

typedef struct token {
    struct token *next_in_bucket, *next_in_age;
    char *token;
    uint64_t fp[2]; /* fingerprint of the request */
    double at;
    bool done; /* false: the first request is still running */
} token_t;

#define TOKEN_BUCKETS 4096
static struct {
    pthread_mutex_t mu;
    token_t *bucket[TOKEN_BUCKETS];
    token_t *oldest, *newest; /* by age, for expiry */
} tokens = {PTHREAD_MUTEX_INITIALIZER};

/* "<op>:<token>": each operation's tokens apart (malloc'd). */
static char *key_of_token(const char *op, const char *token)
{
    size_t n = strlen(op) + strlen(token) + 2;
    char *k = malloc(n);
    if (!k) abort();
    snprintf(k, n, "%s:%s", op, token);
    return k;
}

static uint64_t fnv(const char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

static void unlink_bucket(token_t *t)
{
    token_t **pp = &tokens.bucket[fnv(t->token, strlen(t->token), 1469598103934665603ull) % TOKEN_BUCKETS];
    while (*pp && *pp != t) pp = &(*pp)->next_in_bucket;
    if (*pp) *pp = t->next_in_bucket;
}

/* Drop expired entries (under the lock). Entries still running are kept. */
static void expire(double now)
{
    while (tokens.oldest && now - tokens.oldest->at > TOKEN_TTL_S && tokens.oldest->done) {
        token_t *t = tokens.oldest;
        tokens.oldest = t->next_in_age;
        if (!tokens.oldest) tokens.newest = NULL;
        unlink_bucket(t);
        free(t->token);
        free(t);
    }
}

static token_t *token_find(const char *tok)
{
    token_t *t = tokens.bucket[fnv(tok, strlen(tok), 1469598103934665603ull) % TOKEN_BUCKETS];
    while (t && strcmp(t->token, tok)) t = t->next_in_bucket;
    return t;
}

idem_state_t idem_claim(const char *op, const char *token, const uint64_t fp[2])
{
    char *tok = key_of_token(op, token);
    double now = ddb_now_s();
    pthread_mutex_lock(&tokens.mu);
    expire(now);
    token_t *t = token_find(tok);
    idem_state_t st = IDEM_NEW;
    if (t && now - t->at <= TOKEN_TTL_S) {
        if (t->fp[0] != fp[0] || t->fp[1] != fp[1])
            st = IDEM_MISMATCH;
        else
            st = t->done ? IDEM_REPLAY : IDEM_BUSY;
    } else if (!t) {
        t = calloc(1, sizeof *t);
        if (!t || !(t->token = strdup(tok))) abort();
        size_t b = fnv(tok, strlen(tok), 1469598103934665603ull) % TOKEN_BUCKETS;
        t->next_in_bucket = tokens.bucket[b];
        tokens.bucket[b] = t;
        if (tokens.newest)
            tokens.newest->next_in_age = t;
        else
            tokens.oldest = t;
        tokens.newest = t;
    }
    if (st == IDEM_NEW) {
        t->fp[0] = fp[0];
        t->fp[1] = fp[1];
        t->at = now;
        t->done = false;
    }
    pthread_mutex_unlock(&tokens.mu);
    free(tok);
    return st;
}

void idem_finish(const char *op, const char *token, bool committed)
{
    char *tok = key_of_token(op, token);
    pthread_mutex_lock(&tokens.mu);
    token_t *t = token_find(tok);
    if (t) {
        t->done = true;
        if (!committed) t->at = -1e9; /* expires at the next sweep; a retry runs again */
    }
    pthread_mutex_unlock(&tokens.mu);
    free(tok);
}

/* Canonical JSON (object members sorted by name) folded into the fingerprint. */
static int cmp_members(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    size_t n = x->key.len < y->key.len ? x->key.len : y->key.len;
    int c = memcmp(x->key.ptr, y->key.ptr, n);
    return c ? c : (x->key.len > y->key.len) - (x->key.len < y->key.len);
}

static void fold(const json_t *j, uint64_t fp[2], arena_t *a)
{
    char tag = (char)('0' + j->type);
    fp[0] = fnv(&tag, 1, fp[0]);
    fp[1] = fnv(&tag, 1, fp[1] ^ 0x9e3779b97f4a7c15ull);
    if (j->type == JSON_OBJECT) {
        const json_t **m = ARENA_NEWN(a, const json_t *, j->n + 1);
        size_t n = 0;
        for (const json_t *c = j->child; c; c = c->next) m[n++] = c;
        qsort(m, n, sizeof *m, cmp_members);
        for (size_t i = 0; i < n; i++) {
            fp[0] = fnv(m[i]->key.ptr, m[i]->key.len, fp[0]);
            fp[1] = fnv(m[i]->key.ptr, m[i]->key.len, fp[1] * 31);
            fold(m[i], fp, a);
        }
    } else if (j->type == JSON_ARRAY) {
        for (const json_t *c = j->child; c; c = c->next) fold(c, fp, a);
    } else if (j->type == JSON_STRING || j->type == JSON_NUMBER) {
        fp[0] = fnv(j->str.ptr, j->str.len, fp[0]);
        fp[1] = fnv(j->str.ptr, j->str.len, fp[1] * 31);
        char end = 0;
        fp[0] = fnv(&end, 1, fp[0]);
        fp[1] = fnv(&end, 1, fp[1]);
    }
}

void idem_fingerprint(const json_t *j, uint64_t fp[2], arena_t *a)
{
    fp[0] = 1469598103934665603ull;
    fp[1] = 7809847782465536322ull;
    fold(j, fp, a);
}

ddb_err_t idem_begin_or_err(ddb_req_t *r, const char *token, const json_t *what, bool *replay)
{
    uint64_t fp[2];
    idem_fingerprint(what, fp, r->a);
    *replay = false;
    switch (idem_claim(r->op, token, fp)) {
    case IDEM_MISMATCH:
        return err_set(
            &r->err, DDB_ERR_IDEMPOTENT_PARAMETER_MISMATCH,
            "DynamoDB rejected the request because you retried a request with a different payload but "
            "with an idempotent token that was already used.");
    case IDEM_BUSY:
        return err_set(&r->err, DDB_ERR_TRANSACTION_IN_PROGRESS,
                       "The transaction with the given request token is already in progress.");
    case IDEM_REPLAY:
        *replay = true;
        return DDB_OK;
    case IDEM_NEW:
    default:
        return DDB_OK;
    }
}
