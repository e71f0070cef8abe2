/*
 * functions: the functions event-source mappings invoke (issue 14; triggers.c calls fn_invoke from its
 * poller threads, never from an event loop):
 *
 * - a command (--function NAME=COMMAND, and --trigger's TABLE-trigger): split on spaces and run
 *   without a shell (unless it is `X -c SCRIPT`, whose script stays one argument) in a process group
 *   of its own, with SIGPIPE / SIGINT / SIGTERM back at their defaults, the event on stdin and the
 *   environment plus AWS_LAMBDA_FUNCTION_NAME, AWS_REGION and AWS_DEFAULT_REGION. Its stdout is the
 *   response (at most 6 MB, Lambda's limit); a non-zero exit, a signal or --function-timeout is a
 *   function error (the group is killed); each stderr line is logged as "function NAME: ...".
 * - any other name, with --lambda-endpoint URL: Lambda's Invoke API, POST
 *   URL/2015-03-31/functions/NAME/invocations with the event as the body, over a small blocking
 *   HTTP/1.1 client (Connection: close; Content-Length or chunked answers); X-Amz-Function-Error or a
 *   non-2xx status is a function error. The answer is waited for --function-timeout plus 30 s.
 *
 * While a call runs, c->abandon is asked every 100 ms: true ends it at once (FN_STOPPED; a command's
 * group is killed). The table of functions is built at start (fn_setup, fn_add) and only read
 * afterwards, from any thread.
 */
#include "common/clock.h"
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

extern char **environ;

#define TICK_MS 100             /* c->abandon asked this often while a function runs */
#define RESPONSE_MAX (6u << 20) /* Lambda's synchronous response limit: 6 MB */
#define ENDPOINT_EXTRA_S 30     /* an endpoint (SAM, the RIE) gets this long on top of the timeout */

/* ---- functions ---------------------------------------------------------------------------------------- */

typedef struct {
    char *name;
    char **argv; /* NULL-terminated */
} func_t;

static func_t *g_funcs;
static size_t g_nfuncs;
static char *g_ep_host, *g_ep_port, *g_ep_base; /* --lambda-endpoint, parsed */
static unsigned g_timeout_s = 3;

/* Split a command as the flag's help says: on spaces, no shell; `X -c SCRIPT` keeps SCRIPT whole. */
static char **split_command(const char *cmd)
{
    size_t cap = 8, n = 0;
    char **argv = calloc(cap, sizeof *argv);
    if (!argv) abort();
    const char *p = cmd;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        if (n == 2 && !strcmp(argv[1], "-c")) { /* the rest is the script */
            argv[n++] = strdup(p);
            break;
        }
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (n + 2 >= cap) {
            cap *= 2;
            argv = realloc(argv, cap * sizeof *argv);
            if (!argv) abort();
        }
        argv[n++] = strndup(p, len);
        p += len;
    }
    argv[n] = NULL;
    return argv;
}

static const func_t *func_find(const char *name)
{
    for (size_t i = 0; i < g_nfuncs; i++)
        if (!strcmp(g_funcs[i].name, name)) return &g_funcs[i];
    return NULL;
}

bool fn_known(const char *name)
{
    return func_find(name) != NULL || g_ep_host != NULL;
}

int fn_parse_endpoint(const char *url, char **host, char **port, char **base)
{
    if (strncmp(url, "http://", 7) != 0) return -1;
    const char *h = url + 7, *slash = strchr(h, '/');
    size_t hl = slash ? (size_t)(slash - h) : strlen(h);
    if (hl == 0) return -1;
    const char *colon = memchr(h, ':', hl);
    if (h[0] == '[') colon = NULL; /* IPv6 literals: not supported */
    *host = strndup(h, colon ? (size_t)(colon - h) : hl);
    *port = colon ? strndup(colon + 1, hl - (size_t)(colon + 1 - h)) : strdup("80");
    const char *b = slash ? slash : "";
    size_t bl = strlen(b);
    while (bl && b[bl - 1] == '/') bl--;
    *base = strndup(b, bl);
    return 0;
}

/* ---- invoking a command ------------------------------------------------------------------------------- */

typedef struct {
    buf_t *out;         /* the response */
    const char *reason; /* of an error, for the log */
} fn_res_t;

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Log the complete lines of b (a function's stderr); keep the rest. */
static void log_lines(const char *name, char *b, size_t *len, bool all)
{
    size_t start = 0;
    for (size_t i = 0; i < *len; i++)
        if (b[i] == '\n') {
            log_info("function %s: %.*s", name, (int)(i - start), b + start);
            start = i + 1;
        }
    if (all && start < *len) {
        log_info("function %s: %.*s", name, (int)(*len - start), b + start);
        start = *len;
    }
    memmove(b, b + start, *len - start);
    *len -= start;
    if (*len == 4096) { /* an endless line: log what there is */
        log_info("function %s: %.*s", name, (int)*len, b);
        *len = 0;
    }
}

static fn_rc_t invoke_command(const fn_call_t *c, const func_t *f, const char *event, size_t elen,
                              fn_res_t *res)
{
    int in[2], out[2], err[2];
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
        res->reason = "cannot make pipes";
        return FN_ERROR;
    }
    /* environment: ours, minus the names we set */
    size_t ne = 0;
    while (environ[ne]) ne++;
    char **envp = arena_alloc(c->a, (ne + 4) * sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "AWS_LAMBDA_FUNCTION_NAME=", 25) && strncmp(environ[i], "AWS_REGION=", 11) &&
            strncmp(environ[i], "AWS_DEFAULT_REGION=", 19))
            envp[k++] = environ[i];
    envp[k++] = arena_sprintf(c->a, "AWS_LAMBDA_FUNCTION_NAME=%s", f->name);
    envp[k++] = arena_sprintf(c->a, "AWS_REGION=%s", c->region);
    envp[k++] = arena_sprintf(c->a, "AWS_DEFAULT_REGION=%s", c->region);
    envp[k] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawnattr_t at;
    posix_spawnattr_init(&at);
    sigset_t none, deflt;
    sigemptyset(&none);
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGPIPE); /* the server ignores it; a function should not inherit that */
    sigaddset(&deflt, SIGINT);
    sigaddset(&deflt, SIGTERM);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &deflt);
    posix_spawnattr_setpgroup(&at, 0); /* its own group: a timeout or a stop kills what it started too */
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid;
    int src = posix_spawnp(&pid, f->argv[0], &fa, &at, f->argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (src != 0) {
        close(in[1]);
        close(out[0]);
        close(err[0]);
        res->reason = arena_sprintf(c->a, "cannot run %s: %s", f->argv[0], strerror(src));
        return FN_ERROR;
    }
    if (c->running) c->running(c->ctx, (int)pid);
    set_nonblock(in[1]);
    set_nonblock(out[0]);
    set_nonblock(err[0]);
    uint64_t deadline = ddb_mono_ms() + (uint64_t)g_timeout_s * 1000;
    size_t sent = 0;
    char ebuf[4096];
    size_t elen_buf = 0;
    int fin = in[1], fout = out[0], ferr = err[0];
    if (elen == 0) {
        close(fin);
        fin = -1;
    }
    fn_rc_t rc = FN_OK;
    bool too_big = false;
    while (fout >= 0 || ferr >= 0) {
        if (c->abandon(c->ctx)) {
            rc = FN_STOPPED;
            break;
        }
        uint64_t now = ddb_mono_ms();
        if (now >= deadline) {
            rc = FN_ERROR;
            res->reason = arena_sprintf(c->a, "timed out after %u s", g_timeout_s);
            break;
        }
        struct pollfd fds[3];
        int nf = 0;
        if (fin >= 0) fds[nf++] = (struct pollfd){fin, POLLOUT, 0};
        if (fout >= 0) fds[nf++] = (struct pollfd){fout, POLLIN, 0};
        if (ferr >= 0) fds[nf++] = (struct pollfd){ferr, POLLIN, 0};
        uint64_t wait = deadline - now < TICK_MS ? deadline - now : TICK_MS;
        if (poll(fds, (nfds_t)nf, (int)wait) < 0 && errno != EINTR) break;
        for (int i = 0; i < nf; i++) {
            if (!fds[i].revents) continue;
            int fd = fds[i].fd;
            if (fd == fin) {
                ssize_t w = write(fin, event + sent, elen - sent);
                if (w > 0) sent += (size_t)w;
                if ((w < 0 && errno != EAGAIN) || sent == elen) { /* done, or the function closed stdin */
                    close(fin);
                    fin = -1;
                }
            } else if (fd == fout) {
                char tmp[16384];
                ssize_t r = read(fout, tmp, sizeof tmp);
                if (r > 0) {
                    if (res->out->len + (size_t)r <= RESPONSE_MAX)
                        buf_put(res->out, tmp, (size_t)r);
                    else
                        too_big = true;
                } else if (r == 0 || errno != EAGAIN) {
                    close(fout);
                    fout = -1;
                }
            } else if (fd == ferr) {
                ssize_t r = read(ferr, ebuf + elen_buf, sizeof ebuf - elen_buf);
                if (r > 0) {
                    elen_buf += (size_t)r;
                    log_lines(f->name, ebuf, &elen_buf, false);
                } else if (r == 0 || errno != EAGAIN) {
                    close(ferr);
                    ferr = -1;
                }
            }
        }
    }
    if (elen_buf) log_lines(f->name, ebuf, &elen_buf, true);
    if (fin >= 0) close(fin);
    if (fout >= 0) close(fout);
    if (ferr >= 0) close(ferr);
    int status = 0;
    if (rc != FN_OK) {
        kill(-pid, SIGKILL);
        waitpid(pid, &status, 0);
    } else {
        /* both pipes closed: wait for the exit itself, still within the timeout */
        for (;;) {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) break;
            if (w < 0 && errno != EINTR) break;
            if (c->abandon(c->ctx) || ddb_mono_ms() >= deadline) {
                rc = c->abandon(c->ctx) ? FN_STOPPED : FN_ERROR;
                res->reason = arena_sprintf(c->a, "timed out after %u s", g_timeout_s);
                kill(-pid, SIGKILL);
                waitpid(pid, &status, 0);
                break;
            }
            struct timespec ts = {0, 5 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (rc == FN_OK) {
            kill(-pid, SIGKILL); /* anything it left running in its group */
            if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
                rc = FN_ERROR;
                res->reason = arena_sprintf(c->a, "exit status %d", WEXITSTATUS(status));
            } else if (WIFSIGNALED(status)) {
                rc = FN_ERROR;
                res->reason = arena_sprintf(c->a, "killed by signal %d", WTERMSIG(status));
            } else if (too_big) {
                rc = FN_ERROR;
                res->reason = "response over 6 MB";
            }
        }
    }
    if (c->running) c->running(c->ctx, 0);
    return rc;
}

/* ---- invoking through --lambda-endpoint --------------------------------------------------------------- */

/* Wait for fd to be ready for `ev` until the deadline, checking the stop every tick. */
static fn_rc_t wait_fd(const fn_call_t *c, int fd, short ev, uint64_t deadline, fn_res_t *res)
{
    for (;;) {
        if (c->abandon(c->ctx)) return FN_STOPPED;
        uint64_t now = ddb_mono_ms();
        if (now >= deadline) {
            res->reason = "the endpoint did not answer in time";
            return FN_ERROR;
        }
        struct pollfd pf = {fd, ev, 0};
        uint64_t wait = deadline - now < TICK_MS ? deadline - now : TICK_MS;
        int n = poll(&pf, 1, (int)wait);
        if (n > 0) return FN_OK;
        if (n < 0 && errno != EINTR) {
            res->reason = "poll failed";
            return FN_ERROR;
        }
    }
}

/* The value of header `name` (lower case) in the header block h[0..n), or NULL. */
static const char *hdr_find(const char *h, size_t n, const char *name, size_t *vlen)
{
    size_t nl = strlen(name);
    const char *p = h, *end = h + n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        if ((size_t)(eol - p) > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
            const char *v = p + nl + 1, *ve = eol;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ')) ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = eol + 1;
    }
    return NULL;
}

/* Decode a chunked body in place; -1 when malformed. */
static int dechunk(char *b, size_t *len)
{
    size_t in = 0, out = 0, n = *len;
    for (;;) {
        char *end;
        if (in >= n) return -1;
        unsigned long sz = strtoul(b + in, &end, 16);
        const char *nl = memchr(b + in, '\n', n - in);
        if (!nl || end == b + in) return -1;
        in = (size_t)(nl - b) + 1;
        if (sz == 0) break;
        if (in + sz > n) return -1;
        memmove(b + out, b + in, sz);
        out += sz;
        in += sz;
        if (in < n && b[in] == '\r') in++;
        if (in < n && b[in] == '\n') in++;
    }
    *len = out;
    return 0;
}

static fn_rc_t invoke_endpoint(const fn_call_t *c, const char *name, const char *event, size_t elen,
                               fn_res_t *res)
{
    uint64_t deadline = ddb_mono_ms() + ((uint64_t)g_timeout_s + ENDPOINT_EXTRA_S) * 1000;
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(g_ep_host, g_ep_port, &hints, &ai) != 0 || !ai) {
        res->reason = arena_sprintf(c->a, "cannot resolve %s", g_ep_host);
        return FN_ERROR;
    }
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        freeaddrinfo(ai);
        res->reason = "socket failed";
        return FN_ERROR;
    }
    int cr = connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    fn_rc_t rc = FN_OK;
    if (cr != 0 && errno != EINPROGRESS) {
        res->reason =
            arena_sprintf(c->a, "cannot connect to %s:%s: %s", g_ep_host, g_ep_port, strerror(errno));
        close(fd);
        return FN_ERROR;
    }
    if (cr != 0) {
        if ((rc = wait_fd(c, fd, POLLOUT, deadline, res)) != FN_OK) {
            close(fd);
            return rc;
        }
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (soerr) {
            res->reason =
                arena_sprintf(c->a, "cannot connect to %s:%s: %s", g_ep_host, g_ep_port, strerror(soerr));
            close(fd);
            return FN_ERROR;
        }
    }
    /* the function name goes into the path; ':' of a qualifier escaped */
    buf_t path;
    buf_init(&path, c->a, 128);
    for (const char *s = name; *s; s++)
        if (*s == ':')
            buf_puts(&path, "%3A");
        else
            buf_putc(&path, *s);
    buf_putc(&path, '\0');
    const char *head = arena_sprintf(c->a,
                                     "POST %s/2015-03-31/functions/%s/invocations HTTP/1.1\r\nHost: %s:%s\r\n"
                                     "Content-Type: application/json\r\nContent-Length: %zu\r\n"
                                     "X-Amz-Invocation-Type: RequestResponse\r\nConnection: close\r\n\r\n",
                                     g_ep_base, path.data, g_ep_host, g_ep_port, elen);
    size_t hl = strlen(head), off = 0, total = hl + elen;
    while (off < total) {
        if ((rc = wait_fd(c, fd, POLLOUT, deadline, res)) != FN_OK) {
            close(fd);
            return rc;
        }
        const char *src = off < hl ? head + off : event + (off - hl);
        size_t left = off < hl ? hl - off : total - off;
        ssize_t w = send(fd, src, left, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            res->reason = arena_sprintf(c->a, "send failed: %s", strerror(errno));
            close(fd);
            return FN_ERROR;
        }
        if (w > 0) off += (size_t)w;
    }
    buf_t in;
    buf_init(&in, c->a, 4096);
    size_t body_at = 0, clen = 0;
    bool have_clen = false;
    for (;;) {
        if ((rc = wait_fd(c, fd, POLLIN, deadline, res)) != FN_OK) {
            close(fd);
            return rc;
        }
        buf_reserve(&in, 16384);
        ssize_t r = recv(fd, in.data + in.len, 16384, 0);
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (r <= 0) break;
        in.len += (size_t)r;
        if (in.len > RESPONSE_MAX + 65536) break;
        if (!body_at) {
            const char *e = memmem(in.data, in.len, "\r\n\r\n", 4);
            if (e) {
                body_at = (size_t)(e - in.data) + 4;
                size_t vl;
                const char *v = hdr_find(in.data, body_at, "content-length", &vl);
                if (v) {
                    have_clen = true;
                    clen = strtoul(v, NULL, 10);
                }
            }
        }
        if (body_at && have_clen && in.len >= body_at + clen) break;
    }
    close(fd);
    if (!body_at || in.len < 12 || strncmp(in.data, "HTTP/1.", 7) != 0) {
        res->reason = "no HTTP answer from the endpoint";
        return FN_ERROR;
    }
    int status = atoi(in.data + 9);
    size_t vl;
    const char *ferr = hdr_find(in.data, body_at, "x-amz-function-error", &vl);
    const char *te = hdr_find(in.data, body_at, "transfer-encoding", &vl);
    char *body = in.data + body_at;
    size_t blen = in.len - body_at;
    if (have_clen && blen > clen) blen = clen;
    if (te && vl >= 7 && !strncasecmp(te, "chunked", 7) && dechunk(body, &blen) != 0) {
        res->reason = "malformed chunked answer";
        return FN_ERROR;
    }
    buf_put(res->out, body, blen);
    if (status < 200 || status > 299) {
        res->reason = arena_sprintf(c->a, "the endpoint answered %d: %.*s", status,
                                    (int)(blen < 200 ? blen : 200), body);
        return FN_ERROR;
    }
    if (ferr) {
        res->reason = arena_sprintf(c->a, "function error (%.*s): %.*s", (int)vl, ferr,
                                    (int)(blen < 200 ? blen : 200), body);
        return FN_ERROR;
    }
    return FN_OK;
}

/* ---- the entry points --------------------------------------------------------------------------------- */

int fn_add(const char *name, const char *command, char *errbuf, size_t errlen)
{
    if (func_find(name)) {
        snprintf(errbuf, errlen, "the function %s is given twice", name);
        return -1;
    }
    char **argv = split_command(command);
    if (!argv[0]) {
        free(argv);
        snprintf(errbuf, errlen, "the function %s has an empty command", name);
        return -1;
    }
    g_funcs = realloc(g_funcs, (g_nfuncs + 1) * sizeof *g_funcs);
    if (!g_funcs) abort();
    g_funcs[g_nfuncs].name = strdup(name);
    if (!g_funcs[g_nfuncs].name) abort();
    g_funcs[g_nfuncs].argv = argv;
    g_nfuncs++;
    return 0;
}

int fn_setup(const ddb_config_t *cfg, char *errbuf, size_t errlen)
{
    g_timeout_s = cfg->function_timeout_s ? cfg->function_timeout_s : 3;
    for (size_t i = 0; i < cfg->n_functions; i++) {
        const char *s = cfg->functions[i], *eq = strchr(s, '=');
        if (!eq || eq == s || !eq[1]) {
            snprintf(errbuf, errlen, "--function needs NAME=COMMAND, not '%s'", s);
            return -1;
        }
        char *name = strndup(s, (size_t)(eq - s));
        if (!name) abort();
        int rc = fn_add(name, eq + 1, errbuf, errlen);
        free(name);
        if (rc != 0) return -1;
    }
    if (cfg->lambda_endpoint &&
        fn_parse_endpoint(cfg->lambda_endpoint, &g_ep_host, &g_ep_port, &g_ep_base) != 0) {
        snprintf(errbuf, errlen, "--lambda-endpoint needs http://HOST[:PORT][/PATH], not '%s'",
                 cfg->lambda_endpoint);
        return -1;
    }
    return 0;
}

fn_rc_t fn_invoke(const fn_call_t *c, const char *name, const char *event, size_t elen, buf_t *out,
                  const char **reason)
{
    /* A function that exits without reading its stdin makes our write raise SIGPIPE, which would end
     * the process unless it is ignored (the server ignores it, but only from http_run on; pollers may
     * run before): blocked in this thread for the call, a pending one consumed after. */
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    fn_res_t res = {out, NULL};
    const func_t *f = func_find(name);
    fn_rc_t rc;
    if (f)
        rc = invoke_command(c, f, event, elen, &res);
    else if (g_ep_host)
        rc = invoke_endpoint(c, name, event, elen, &res);
    else {
        rc = FN_ERROR;
        res.reason = "no such function (no --function of that name, no --lambda-endpoint)";
    }
    struct timespec zero = {0, 0};
    while (sigtimedwait(&pipe_set, NULL, &zero) == SIGPIPE) {
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    *reason = res.reason;
    return rc;
}

void fn_teardown(void)
{
    for (size_t i = 0; i < g_nfuncs; i++) {
        for (char **v = g_funcs[i].argv; *v; v++) free(*v);
        free(g_funcs[i].argv);
        free(g_funcs[i].name);
    }
    free(g_funcs);
    g_funcs = NULL;
    g_nfuncs = 0;
    free(g_ep_host);
    free(g_ep_port);
    free(g_ep_base);
    g_ep_host = g_ep_port = g_ep_base = NULL;
}
