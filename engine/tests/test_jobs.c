/*
 * test_jobs: the background-job facility. Jobs run on their own threads and report progress;
 * jobs__wait waits for the jobs of one kind only; a stop wakes sleeping jobs at once (a 60 s
 * sleep ends in well under a second) and returns only after every job has returned and freed its
 * argument; a job started after the stop never runs. Run under ASan too (no leaks).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "common/tests/check.h"
#include "engine/engine_int.h"

static atomic_int ran, freed, woke_by_stop;

typedef struct {
    unsigned steps;    /* progress steps, then return */
    unsigned sleep_ms; /* sleep per step; 0: do not sleep */
    bool forever;      /* loop until stopped */
} spec_t;

static void body(job_t *job, void *arg)
{
    spec_t *s = arg;
    atomic_fetch_add(&ran, 1);
    for (unsigned i = 0; s->forever || i < s->steps; i++) {
        if (job__stopping(job)) break;
        job__progress(job, 1);
        if (s->sleep_ms && job__sleep(job, s->sleep_ms)) {
            atomic_fetch_add(&woke_by_stop, 1);
            break;
        }
    }
}

static void free_spec(void *arg)
{
    atomic_fetch_add(&freed, 1);
    free(arg);
}

static spec_t *spec(unsigned steps, unsigned sleep_ms, bool forever)
{
    spec_t *s = malloc(sizeof *s);
    if (!s) abort();
    *s = (spec_t){steps, sleep_ms, forever};
    return s;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
    jobs_t j;
    jobs__init(&j);

    /* a finite job: runs, counts its steps, frees its argument; wait returns after it */
    CHECK(job__start(&j, JOB_BACKFILL, "finite", body, spec(1000, 0, false), free_spec));
    jobs__wait(&j, JOB_BACKFILL);
    CHECK_INT(atomic_load(&ran), 1);
    CHECK_INT(atomic_load(&freed), 1);
    job_info_t info[8];
    CHECK_INT(jobs__list(&j, info, 8), 0);

    /* jobs that sleep for a minute: listed with their progress, woken at once by the stop */
    for (int i = 0; i < 3; i++)
        CHECK(job__start(&j, JOB_BACKFILL, "sleeper", body, spec(0, 60000, true), free_spec));
    double until = now_s() + 5;
    size_t n = 0;
    while (now_s() < until) { /* each has made its first step */
        n = jobs__list(&j, info, 8);
        bool all = n == 3;
        for (size_t i = 0; all && i < n; i++) all = info[i].done == 1;
        if (all) break;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    CHECK_INT(n, 3);
    for (size_t i = 0; i < n; i++) {
        CHECK_STR(info[i].name, "sleeper");
        CHECK_INT(info[i].done, 1);
        CHECK_INT(info[i].kind, JOB_BACKFILL);
    }
    double t0 = now_s();
    jobs__stop_all(&j);
    double took = now_s() - t0;
    CHECK(took < 1.0);
    CHECK_INT(atomic_load(&woke_by_stop), 3);
    CHECK_INT(atomic_load(&freed), 4);
    CHECK_INT(jobs__list(&j, info, 8), 0);

    /* after the stop: nothing starts, the argument is still freed */
    CHECK(!job__start(&j, JOB_BACKFILL, "late", body, spec(1, 0, false), free_spec));
    CHECK_INT(atomic_load(&ran), 4);
    CHECK_INT(atomic_load(&freed), 5);

    jobs__dispose(&j);
    if (took >= 1.0) fprintf(stderr, "stop took %.3f s\n", took);
    return check_done("engine/test_jobs");
}
