/*
 * test_functions: the functions event-source mappings invoke (functions.c), with real processes:
 * a command gets the event on stdin and answers on stdout; `sh -c SCRIPT` keeps its script whole and
 * other commands run without a shell (a `;` is just an argument); AWS_LAMBDA_FUNCTION_NAME and
 * AWS_REGION are set; a non-zero exit, a signal and --function-timeout are function errors; an
 * abandon request ends a hanging call at once; an unknown name without --lambda-endpoint is an
 * error; --lambda-endpoint URLs are parsed (and others refused).
 */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/tests/check.h"

static arena_t *a;
static int abandon_after_ms = -1;
static struct timespec t0;
static int last_pid = -1;

static long elapsed_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

static bool abandon(void *ctx)
{
    (void)ctx;
    return abandon_after_ms >= 0 && elapsed_ms() >= abandon_after_ms;
}

static void running(void *ctx, int pid)
{
    (void)ctx;
    if (pid) last_pid = pid;
}

static fn_rc_t call(const char *name, const char *event, const char **out, const char **reason)
{
    fn_call_t c = {a, "eu-west-3", abandon, running, NULL};
    buf_t b;
    buf_init(&b, a, 64);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    *reason = NULL;
    fn_rc_t rc = fn_invoke(&c, name, event, strlen(event), &b, reason);
    buf_putc(&b, '\0');
    *out = b.data;
    return rc;
}

int main(void)
{
    a = arena_new(1 << 16);
    char err[256];
    static const char *fns[] = {
        "echo=cat",         "env=sh -c printf %s \"$AWS_LAMBDA_FUNCTION_NAME/$AWS_REGION\"",
        "argv=echo a;b  c", "fail=sh -c cat >/dev/null; exit 3",
        "slow=sleep 30",    "killed=sh -c kill -9 $$"};
    ddb_config_t cfg = {0};
    cfg.functions = fns;
    cfg.n_functions = sizeof fns / sizeof fns[0];
    cfg.function_timeout_s = 1;
    CHECK_INT(fn_setup(&cfg, err, sizeof err), 0);
    CHECK(fn_known("echo") && fn_known("slow") && !fn_known("nope"));
    CHECK_INT(fn_add("echo", "cat", err, sizeof err), -1);
    CHECK_STR(err, "the function echo is given twice");

    const char *out, *reason;
    CHECK_INT(call("echo", "{\"Records\":[]}", &out, &reason), FN_OK);
    CHECK_STR(out, "{\"Records\":[]}");
    CHECK_INT(call("env", "{}", &out, &reason), FN_OK);
    CHECK_STR(out, "env/eu-west-3");
    CHECK_INT(call("argv", "{}", &out, &reason), FN_OK);
    CHECK_STR(out, "a;b c\n"); /* no shell: "a;b" and "c" are echo's arguments */
    CHECK_INT(call("fail", "{}", &out, &reason), FN_ERROR);
    CHECK_STR(reason, "exit status 3");
    CHECK_INT(call("killed", "{}", &out, &reason), FN_ERROR);
    CHECK_STR(reason, "killed by signal 9");
    CHECK_INT(call("slow", "{}", &out, &reason), FN_ERROR);
    CHECK_STR(reason, "timed out after 1 s");
    CHECK(elapsed_ms() >= 1000 && elapsed_ms() < 10000); /* not sleep's 30 s (bounds loose: loaded CI) */
    abandon_after_ms = 200;
    CHECK_INT(call("slow", "{}", &out, &reason), FN_STOPPED);
    CHECK(elapsed_ms() < 10000); /* FN_STOPPED, not the 1 s timeout's FN_ERROR, is the proof */
    abandon_after_ms = -1;
    CHECK(last_pid > 0);
    CHECK_INT(call("nope", "{}", &out, &reason), FN_ERROR);
    CHECK(reason && strstr(reason, "no such function") != NULL);

    char *h, *p, *b;
    CHECK_INT(fn_parse_endpoint("http://127.0.0.1:3001", &h, &p, &b), 0);
    CHECK_STR(h, "127.0.0.1");
    CHECK_STR(p, "3001");
    CHECK_STR(b, "");
    free(h), free(p), free(b);
    CHECK_INT(fn_parse_endpoint("http://lambda.local/base/", &h, &p, &b), 0);
    CHECK_STR(h, "lambda.local");
    CHECK_STR(p, "80");
    CHECK_STR(b, "/base");
    free(h), free(p), free(b);
    CHECK_INT(fn_parse_endpoint("https://x", &h, &p, &b), -1);
    CHECK_INT(fn_parse_endpoint("http://", &h, &p, &b), -1);
    fn_teardown();
    CHECK(!fn_known("echo"));
    arena_free(a);
    return check_done("server/test_functions");
}
