/*
 * test_metrics: the Prometheus text that metrics.c writes: cumulative histogram buckets with the
 * +Inf bucket equal to _count, _sum in exact seconds, and label values escaped.
 */
#include "server/door.h"

#include "common/tests/check.h"

int main(void)
{
    arena_t *a = arena_new(4096);
    buf_t b;

    /* 2 requests <= 100 us, 1 <= 250 us, 1 over 10 s; 1,234,567 us in all */
    uint64_t counts[METRICS_NBUCKETS + 1] = {2, 1};
    counts[METRICS_NBUCKETS] = 1;
    buf_init(&b, a, 0);
    metrics_format_histogram(&b, "lat", "operation=\"GetItem\"", counts, 1234567);
    CHECK_STR(b.data, "lat_bucket{operation=\"GetItem\",le=\"0.0001\"} 2\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.00025\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.0005\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.001\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.0025\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.005\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.01\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.025\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.05\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.1\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.25\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"0.5\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"1\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"10\"} 3\n"
                      "lat_bucket{operation=\"GetItem\",le=\"+Inf\"} 4\n"
                      "lat_sum{operation=\"GetItem\"} 1.234567\n"
                      "lat_count{operation=\"GetItem\"} 4\n");

    /* no labels; whole seconds print without a fraction, fractions without trailing zeros */
    uint64_t none[METRICS_NBUCKETS + 1] = {0};
    buf_init(&b, a, 0);
    metrics_format_histogram(&b, "x", "", none, 2000000);
    CHECK(strstr(b.data, "x_bucket{le=\"+Inf\"} 0\nx_sum 2\nx_count 0\n") != NULL);
    buf_init(&b, a, 0);
    metrics_format_histogram(&b, "x", "", none, 1500);
    CHECK(strstr(b.data, "x_sum 0.0015\n") != NULL);

    buf_init(&b, a, 0);
    metrics_format_label(&b, "a\"b\\c\nd.e-f_g", 14);
    CHECK_STR(b.data, "a\\\"b\\\\c\\nd.e-f_g");

    arena_free(a);
    return check_done("test_metrics");
}
