/*
 * namespace: whose tables a request sees (--isolation), and the account its ARNs name.
 *
 *   shared      one engine for every caller (the default; DynamoDB Local's -sharedDb)
 *   account     one engine per account: the account of the request's access key in the credentials
 *               (--credentials, the DYNAROCK_* pair), 000000000000 for a key not listed
 *   key-region  one engine per access key and region, as DynamoDB Local without -sharedDb keeps
 *               one database file per "<key>_<region>"
 *
 * The access key and region come from the SigV4 credential scope (the Authorization header, or the
 * X-Amz-Credential of a presigned URL); a request without one uses the first engine, as do the
 * account 000000000000 (account mode) and requests without credentials (key-region mode). With
 * --auth off the key is taken as sent: isolation separates test suites, it is not access control.
 *
 * The first engine is opened at start (main.c, data in --data-dir). Another is opened on first use,
 * under a mutex, with the same options and its data in <data-dir>/namespaces/<name> (in memory with
 * --in-memory), and kept until the stop: each has its own RocksDB, TTL sweeper and stream keeper.
 * Lookups read a table of at most NS_MAX entries published with release stores, without a lock.
 * Names are made of [A-Za-z0-9_-] (anything else is written as %XX), so a name is a safe file name.
 */
#include "server/door.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "common/log.h"

#define NS_MAX 256 /* namespaces one process serves; more is refused with a clear error */

typedef struct {
    char *name;
    eng_t *eng;
} ns_t;

static eng_t *g_default;
static int g_mode;
static eng_opts_t g_opts;
static const char *g_root; /* data dir of the first engine, or NULL in memory */
static ns_t g_ns[NS_MAX];
static atomic_size_t g_count; /* entries of g_ns published */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static eng_t *open_ns(const char *name, size_t len);

int ns_open(const ddb_config_t *cfg, const eng_opts_t *eo, char *errbuf, size_t errlen)
{
    g_mode = cfg->isolation;
    g_opts = *eo;
    g_root = eo->in_memory ? NULL : eo->data_dir;
    char *err = NULL;
    g_default = eng_open(eo, &err);
    if (!g_default) {
        snprintf(errbuf, errlen, "cannot open database in %s: %s", eo->in_memory ? "memory" : eo->data_dir,
                 err ? err : "unknown error");
        free(err);
        return -1;
    }
    if (g_mode != ISO_SHARED && g_root) { /* the namespaces of earlier runs: their mappings resume */
        size_t dl = strlen(g_root) + 16;
        char *dir = malloc(dl);
        if (!dir) abort();
        snprintf(dir, dl, "%s/namespaces", g_root);
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL)
            if (de->d_name[0] != '.' &&
                (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)) /* some file systems leave it unknown */
                open_ns(de->d_name, strlen(de->d_name));
        if (d) closedir(d);
        free(dir);
    }
    return 0;
}

eng_t *ns_default(void)
{
    return g_default;
}

size_t ns_engines(eng_t **out, size_t max)
{
    size_t n = atomic_load_explicit(&g_count, memory_order_acquire), k = 0;
    if (g_default && k < max) out[k++] = g_default;
    for (size_t i = 0; i < n && k < max; i++) out[k++] = g_ns[i].eng;
    return k;
}

void ns_close_all(void)
{
    size_t n = atomic_load(&g_count);
    for (size_t i = 0; i < n; i++) {
        eng_close(g_ns[i].eng);
        free(g_ns[i].name);
    }
    atomic_store(&g_count, 0);
    if (g_default) eng_close(g_default);
    g_default = NULL;
}

/* Append s[0..n) to b with every byte outside [A-Za-z0-9_-] as %XX. */
static void put_safe(buf_t *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
            c == '-') {
            buf_putc(b, (char)c);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[c >> 4]);
            buf_putc(b, hex[c & 15]);
        }
    }
}

static eng_t *find(const char *name, size_t len)
{
    size_t n = atomic_load_explicit(&g_count, memory_order_acquire);
    for (size_t i = 0; i < n; i++)
        if (strlen(g_ns[i].name) == len && memcmp(g_ns[i].name, name, len) == 0) return g_ns[i].eng;
    return NULL;
}

/* The engine of namespace `name`, opened now if it is new; NULL with a logged reason. */
static eng_t *open_ns(const char *name, size_t len)
{
    eng_t *e = find(name, len);
    if (e) return e;
    pthread_mutex_lock(&g_mu);
    e = find(name, len); /* another thread may have opened it meanwhile */
    size_t n = atomic_load(&g_count);
    if (!e && n == NS_MAX) log_error("namespace %.*s: already %d namespaces open", (int)len, name, NS_MAX);
    if (!e && n < NS_MAX) {
        char *nm = strndup(name, len);
        char *dir = NULL;
        eng_opts_t o = g_opts;
        if (g_root) {
            size_t dl = strlen(g_root) + len + 16;
            dir = malloc(dl);
            if (!nm || !dir) abort();
            snprintf(dir, dl, "%s/namespaces", g_root);
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                log_error("cannot create %s: %s", dir, strerror(errno));
            snprintf(dir, dl, "%s/namespaces/%s", g_root, nm);
            if (mkdir(dir, 0755) != 0 && errno != EEXIST)
                log_error("cannot create %s: %s", dir, strerror(errno));
            o.data_dir = dir;
        }
        char *err = NULL;
        e = eng_open(&o, &err);
        if (e) {
            g_ns[n] = (ns_t){nm, e};
            atomic_store_explicit(&g_count, n + 1, memory_order_release);
            log_info("namespace %s opened%s%s", nm, dir ? " in " : " in memory", dir ? dir : "");
            trig_attach(e); /* its event-source mappings (after start; trig_start loads the first ones) */
        } else {
            log_error("namespace %s: cannot open database: %s", nm, err ? err : "unknown error");
            free(nm);
            free(err);
        }
        free(dir);
    }
    pthread_mutex_unlock(&g_mu);
    return e;
}

door_rc_t ns_stage(door_t *d)
{
    if (g_mode == ISO_SHARED && auth_count() == 0) return DOOR_NEXT; /* one engine, one account */
    const char *akid = NULL, *region = NULL;
    size_t alen = 0, rlen = 0;
    if (!auth_scope(d, &akid, &alen, &region, &rlen)) return DOOR_NEXT;
    const auth_cred_t *c = auth_find(akid, alen);
    if (c) d->r->account = c->account;
    if (g_mode == ISO_SHARED) return DOOR_NEXT;
    buf_t name;
    buf_init(&name, d->r->a, 64);
    if (g_mode == ISO_ACCOUNT) {
        if (!c || !strcmp(c->account, DDB_ACCOUNT)) return DOOR_NEXT;
        put_safe(&name, c->account, strlen(c->account));
    } else {
        put_safe(&name, akid, alen);
        buf_putc(&name, '_');
        put_safe(&name, region ? region : "", region ? rlen : 0);
    }
    eng_t *e = open_ns(name.data, name.len);
    if (!e) {
        err_set(&d->r->err, DDB_ERR_INTERNAL, "Internal server error");
        door_send_error(d);
        return DOOR_ANSWERED;
    }
    d->r->eng = e;
    return DOOR_NEXT;
}
