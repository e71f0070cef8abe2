/*
 * jobs: the engine's background work (index backfills today; the TTL sweeper, stream trimming,
 * backups and exports next) on threads of their own, off the event loops.
 *
 * A job is a function run once on a detached thread with its argument; it works in small steps,
 * asks job__stopping() between them, sleeps with job__sleep() (woken at once by a stop) and
 * reports what it has done with job__progress(). jobs__stop_all() (at eng_close) asks every job to
 * stop and waits until the last one has returned, so nothing touches the engine after it closes.
 *
 * Locking: one mutex per engine guards the list of running jobs and the stop flag; a job's
 * progress counter is atomic (read without the lock by jobs__list). A job's record is freed by
 * its own thread after the function returns, under the mutex, as its last touch of the engine.
 */
#include "engine/engine_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"

struct job {
    job_t *next;
    jobs_t *owner;
    job_kind_t kind;
    char name[96];
    uint64_t started_ms;
    atomic_uint_fast64_t progress;
    void (*fn)(job_t *job, void *arg);
    void *arg;
    void (*free_arg)(void *arg);
};

void jobs__init(jobs_t *j)
{
    memset(j, 0, sizeof *j);
    pthread_mutex_init(&j->mu, NULL);
    /* job__sleep waits on the monotonic clock: a wall-clock jump must not stretch a sleep */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cv, &ca);
    pthread_condattr_destroy(&ca);
}

void jobs__dispose(jobs_t *j)
{
    jobs__stop_all(j);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
}

static void *job_main(void *p)
{
    job_t *job = p;
    job->fn(job, job->arg);
    if (job->free_arg) job->free_arg(job->arg);
    jobs_t *j = job->owner;
    pthread_mutex_lock(&j->mu);
    for (job_t **at = &j->list; *at; at = &(*at)->next)
        if (*at == job) {
            *at = job->next;
            break;
        }
    free(job);
    pthread_cond_broadcast(&j->cv); /* waiters in jobs__wait / jobs__stop_all */
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

bool job__start(jobs_t *j, job_kind_t kind, const char *name, void (*fn)(job_t *job, void *arg), void *arg,
                void (*free_arg)(void *arg))
{
    job_t *job = calloc(1, sizeof *job);
    if (!job) abort();
    job->owner = j;
    job->kind = kind;
    snprintf(job->name, sizeof job->name, "%s", name);
    job->started_ms = ddb_mono_ms();
    job->fn = fn;
    job->arg = arg;
    job->free_arg = free_arg;
    pthread_mutex_lock(&j->mu);
    if (atomic_load(&j->stop)) { /* the engine is closing: the job never runs */
        pthread_mutex_unlock(&j->mu);
        if (free_arg) free_arg(arg);
        free(job);
        return false;
    }
    job->next = j->list;
    j->list = job;
    pthread_mutex_unlock(&j->mu);
    pthread_t th;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&th, &at, job_main, job) != 0) abort();
    pthread_attr_destroy(&at);
    return true;
}

bool job__stopping(const job_t *job)
{
    return atomic_load_explicit(&job->owner->stop, memory_order_acquire);
}

bool job__sleep(job_t *job, unsigned ms)
{
    jobs_t *j = job->owner;
    struct timespec until = ddb_clock_after(CLOCK_MONOTONIC, ms);
    pthread_mutex_lock(&j->mu);
    while (!atomic_load(&j->stop) && pthread_cond_timedwait(&j->cv, &j->mu, &until) != ETIMEDOUT) {
    }
    bool stop = atomic_load(&j->stop);
    pthread_mutex_unlock(&j->mu);
    return stop;
}

void job__progress(job_t *job, uint64_t n)
{
    atomic_fetch_add_explicit(&job->progress, n, memory_order_relaxed);
}

uint64_t job__done(const job_t *job)
{
    return atomic_load_explicit(&job->progress, memory_order_relaxed);
}

static bool any_of_kind(const jobs_t *j, int kind)
{
    for (const job_t *x = j->list; x; x = x->next)
        if (kind < 0 || (int)x->kind == kind) return true;
    return false;
}

void jobs__wait(jobs_t *j, int kind)
{
    pthread_mutex_lock(&j->mu);
    while (any_of_kind(j, kind)) pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
}

void jobs__stop_all(jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    atomic_store(&j->stop, true);
    pthread_cond_broadcast(&j->cv); /* wake sleeping jobs */
    while (j->list) pthread_cond_wait(&j->cv, &j->mu);
    pthread_mutex_unlock(&j->mu);
}

size_t jobs__list(jobs_t *j, job_info_t *out, size_t max)
{
    size_t n = 0;
    uint64_t now = ddb_mono_ms();
    pthread_mutex_lock(&j->mu);
    for (const job_t *x = j->list; x && n < max; x = x->next, n++) {
        out[n].kind = x->kind;
        snprintf(out[n].name, sizeof out[n].name, "%s", x->name);
        out[n].done = job__done(x);
        out[n].running_ms = now - x->started_ms;
    }
    pthread_mutex_unlock(&j->mu);
    return n;
}
