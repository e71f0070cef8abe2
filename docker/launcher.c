/* docker-launcher: the image's entrypoint, its health check and its `java`, in one small program
 * (installed as /usr/local/bin/docker-entrypoint, with the links docker-healthcheck and java), so
 * the image needs no bash. It chooses by the name it is run as (argv[0]'s last component).
 *
 * docker-entrypoint [ARGS...] and java [ARGS...]:
 *   runs dynarock (the `dynarock` beside this program, /usr/local/bin in the image) with exec, so it
 *   is PID 1 and `docker stop`'s SIGTERM reaches it, with the container's defaults in front:
 *     --host 0.0.0.0  unless --host or DYNAROCK_HOST is given (the bare binary listens on loopback);
 *     --in-memory     unless --data-dir, -dbPath, --in-memory, -inMemory, DYNAROCK_DATA_DIR or
 *                     DYNAROCK_IN_MEMORY is given.
 *   amazon/dynamodb-local command lines work unchanged: that image's entrypoint is `java`, so its
 *   compose files pass `-jar DynamoDBLocal.jar -sharedDb -dbPath ./data ...`. A leading `dynarock`
 *   and `java`, JVM options (-D..., -X...) and `-jar <file>` are dropped; the DynamoDB Local flags
 *   that follow are dynarock's own (-port -inMemory -dbPath -sharedDb -cors ...). Testcontainers' Go
 *   module replaces the entrypoint with `java -Djava.library.path=./DynamoDBLocal_lib` and passes
 *   `-jar DynamoDBLocal.jar ...` as the command: run as java, the same words are dropped.
 *   As docker-entrypoint, a first argument that is not an option runs as a command
 *   (`docker run --rm -it IMAGE sh`).
 *   Before the server starts it prints DynamoDB Local's "Initializing DynamoDB Local with the
 *   following configuration:" block (Port, InMemory, DbPath, SharedDb), which test suites wait for
 *   (testcontainers-python users write wait_for_logs(container, "Initializing DynamoDB Local")).
 *
 * docker-healthcheck: asks the server itself. `GET /` on its own port must answer either AWS's 200
 *   with the body "healthy: dynamodb.<region>.amazonaws.com " or, with --health-answer dynamodb-local
 *   (the image's default), DynamoDB Local's 400 MissingAuthenticationToken. The port and address
 *   come from DYNAROCK_PORT / DYNAROCK_HOST, then the command line of the lowest-numbered process
 *   whose argv[0] ends in /dynarock (PID 1 normally; another under `docker run --init`), so
 *   `-port 9000` needs nothing else; default 127.0.0.1:8000. Exit 0 when healthy, 1 otherwise.
 *
 * Built by CMake (target docker-launcher) and tested by server/tests/test_launcher.py outside any
 * container, and by docker/verify_engine.py in the image. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}
static bool eq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}
static bool set_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

/* ---- entrypoint ---- */

static int entrypoint(int argc, char **argv, bool as_java)
{
    int i = 1;
    if (i < argc && (eq(argv[i], "dynarock") || eq(argv[i], "/usr/local/bin/dynarock"))) i++;
    if (i < argc && eq(argv[i], "java")) i++;
    while (i < argc && (starts(argv[i], "-D") || starts(argv[i], "-X"))) i++;
    if (i < argc && eq(argv[i], "-jar")) {
        i++;
        if (i < argc) i++; /* the jar's name */
    }
    if (!as_java && i < argc && argv[i][0] != '-') {
        execvp(argv[i], argv + i);
        fprintf(stderr, "docker-entrypoint: %s: %s\n", argv[i], strerror(errno));
        return errno == ENOENT ? 127 : 126;
    }

    bool want_host = !set_env("DYNAROCK_HOST");
    bool want_store = !set_env("DYNAROCK_DATA_DIR") && !set_env("DYNAROCK_IN_MEMORY");
    const char *port = set_env("DYNAROCK_PORT") ? getenv("DYNAROCK_PORT") : "8000";
    const char *db = set_env("DYNAROCK_DATA_DIR") ? getenv("DYNAROCK_DATA_DIR") : "null";
    bool mem = set_env("DYNAROCK_IN_MEMORY");
    bool quiet = false; /* --version and --help print only what they print */
    for (int j = i; j < argc; j++) {
        const char *a = argv[j], *next = j + 1 < argc ? argv[j + 1] : NULL;
        if (eq(a, "--host")) want_host = false;
        if (eq(a, "--data-dir") || eq(a, "-dbPath") || eq(a, "--in-memory") || eq(a, "-inMemory"))
            want_store = false;
        if (next && (eq(a, "-port") || eq(a, "--port"))) port = next;
        if (next && (eq(a, "-dbPath") || eq(a, "--data-dir"))) db = next;
        if (eq(a, "-inMemory") || eq(a, "--in-memory")) mem = true;
        if (eq(a, "--version") || eq(a, "-version") || eq(a, "--help") || eq(a, "-help") || eq(a, "-h"))
            quiet = true;
    }
    if (want_store || mem) mem = true, db = "null"; /* in memory: the default or asked for */
    if (!quiet) {
        printf("Initializing DynamoDB Local with the following configuration:\nPort:\t%s\nInMemory:\t%s\n"
               "DbPath:\t%s\nSharedDb:\ttrue\n",
               port, mem ? "true" : "false", db);
        fflush(stdout);
    }

    /* dynarock beside this program: /proc/self/exe (the links' target), or where argv[0] points
     * when /proc is not mounted (a chroot) */
    static char bin[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", bin, sizeof bin - 16);
    if (n <= 0 && strchr(argv[0], '/') && strlen(argv[0]) < sizeof bin - 16)
        n = (ssize_t)strlen(strcpy(bin, argv[0]));
    if (n <= 0) return fprintf(stderr, "docker-entrypoint: /proc/self/exe: %s\n", strerror(errno)), 126;
    bin[n] = 0;
    char *slash = strrchr(bin, '/');
    strcpy(slash ? slash + 1 : bin, "dynarock");

    char **args = calloc((size_t)argc + 8, sizeof *args);
    if (!args) return 126;
    int k = 0;
    args[k++] = bin;
    if (want_host) args[k++] = "--host", args[k++] = "0.0.0.0";
    if (want_store) args[k++] = "--in-memory";
    for (int j = i; j < argc; j++) args[k++] = argv[j];
    args[k] = NULL;
    execv(bin, args);
    fprintf(stderr, "docker-entrypoint: %s: %s\n", bin, strerror(errno));
    return 126;
}

/* ---- health check ---- */

/* argv of the lowest-numbered process whose argv[0] ends in /dynarock: --port/-port and --host */
static void server_address(char *host, size_t hostcap, char *port, size_t portcap)
{
    DIR *d = opendir("/proc");
    if (!d) return;
    long best = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        if (*end || pid <= 0 || (best >= 0 && pid > best)) continue;
        char path[64], buf[8192];
        snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0) continue;
        buf[n] = 0;
        size_t l0 = strlen(buf);
        if (l0 < 9 || !eq(buf + l0 - 9, "/dynarock")) continue;
        best = pid;
        const char *words[512];
        int nw = 0;
        for (char *p = buf; p < buf + n && nw < 512; p += strlen(p) + 1) words[nw++] = p;
        for (int i = 1; i + 1 < nw; i++) {
            if (eq(words[i], "--port") || eq(words[i], "-port")) snprintf(port, portcap, "%s", words[i + 1]);
            if (eq(words[i], "--host")) snprintf(host, hostcap, "%s", words[i + 1]);
        }
    }
    closedir(d);
}

static long ms_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static int healthcheck(void)
{
    char host[256], port[32];
    snprintf(host, sizeof host, "%s", set_env("DYNAROCK_HOST") ? getenv("DYNAROCK_HOST") : "127.0.0.1");
    snprintf(port, sizeof port, "%s", set_env("DYNAROCK_PORT") ? getenv("DYNAROCK_PORT") : "8000");
    if (!set_env("DYNAROCK_HOST") || !set_env("DYNAROCK_PORT")) {
        char h[256] = "", p[32] = "";
        server_address(h, sizeof h, p, sizeof p);
        if (*h && !set_env("DYNAROCK_HOST")) snprintf(host, sizeof host, "%s", h);
        if (*p && !set_env("DYNAROCK_PORT")) snprintf(port, sizeof port, "%s", p);
    }
    if (eq(host, "0.0.0.0") || !*host) snprintf(host, sizeof host, "127.0.0.1");
    if (eq(host, "::") || eq(host, "[::]")) snprintf(host, sizeof host, "::1");

    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += 2;
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai;
    if (getaddrinfo(host, port, &hints, &ai) != 0) return 1;
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc = fd < 0 ? -1 : connect(fd, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);
    if (rc != 0) return 1;
    static const char req[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
    if (write(fd, req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) return 1;
    char resp[4096];
    size_t len = 0;
    for (;;) { /* to the end of the stream (HTTP/1.0: the server closes), within 2 s */
        long left = ms_left(&deadline);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0) return 1;
        ssize_t n = read(fd, resp + len, sizeof resp - 1 - len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || (len += (size_t)n) == sizeof resp - 1) break;
    }
    close(fd);
    resp[len] = 0;
    bool http = starts(resp, "HTTP/1.0 ") || starts(resp, "HTTP/1.1 ");
    if (http && starts(resp + 9, "200") && strstr(resp, "\r\n\r\nhealthy: dynamodb.")) return 0;
    if (http && starts(resp + 9, "400") && strstr(resp, "#MissingAuthenticationToken\"")) return 0;
    return 1;
}

int main(int argc, char **argv)
{
    const char *name = strrchr(argv[0], '/');
    name = name ? name + 1 : argv[0];
    if (eq(name, "docker-healthcheck")) return healthcheck();
    return entrypoint(argc, argv, eq(name, "java"));
}
