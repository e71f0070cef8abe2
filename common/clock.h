/*
 * clock: wall-clock time as DynamoDB reports it (epoch seconds with millisecond precision, e.g.
 * CreationDateTime 1763750000.123), epoch and monotonic milliseconds. Header-only, thread-safe.
 */
#ifndef DDB_CLOCK_H
#define DDB_CLOCK_H

#include <stdint.h>
#include <time.h>

/** Now, in epoch seconds truncated to milliseconds. */
static inline double ddb_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
}

/** Milliseconds on the monotonic clock (intervals, deadlines, rate limits). */
static inline uint64_t ddb_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/** Now, in epoch milliseconds. */
static inline uint64_t ddb_epoch_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/** Now, in epoch microseconds. */
static inline uint64_t ddb_epoch_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/** The time `ms` milliseconds from now on clock `c`, as pthread_cond_timedwait wants a deadline. */
static inline struct timespec ddb_clock_after(clockid_t c, unsigned ms)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

#endif
