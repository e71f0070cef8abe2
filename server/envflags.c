/*
 * envflags: DYNAROCK_* environment variables turned into command-line arguments (issue 19; the
 * contract is in envflags.h). The table below is the list: a new flag in main.c gets its row
 * here (compat-tests/test_dropin.py checks that every --flag of --help has one).
 *
 * Kinds: VALUE takes the variable's text as the flag's value; SWITCH adds the bare flag when
 * the variable is 1/true/yes/on and nothing when it is 0/false/no/off or empty; LIST adds the
 * flag once per line of the variable (--function NAME=COMMAND and --trigger TABLE=COMMAND, one
 * per line).
 */
#include "server/envflags.h"

#include "common/arena.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { VALUE, SWITCH, LIST } kind_t;

static const struct {
    const char *var;
    const char *flag;
    kind_t kind;
} VARS[] = {
    {"DYNAROCK_HOST", "--host", VALUE},
    {"DYNAROCK_PORT", "--port", VALUE},
    {"DYNAROCK_DATA_DIR", "--data-dir", VALUE},
    {"DYNAROCK_IN_MEMORY", "--in-memory", SWITCH},
    {"DYNAROCK_THREADS", "--threads", VALUE},
    {"DYNAROCK_SYNC", "--sync", SWITCH},
    {"DYNAROCK_BLOCK_CACHE_MB", "--block-cache-mb", VALUE},
    {"DYNAROCK_WRITE_BUFFER_MB", "--write-buffer-mb", VALUE},
    {"DYNAROCK_TTL_INTERVAL", "--ttl-interval", VALUE},
    {"DYNAROCK_STREAM_RETENTION", "--stream-retention", VALUE},
    {"DYNAROCK_STREAM_SHARD_SECONDS", "--stream-shard-seconds", VALUE},
    {"DYNAROCK_LOG_LEVEL", "--log-level", VALUE},
    {"DYNAROCK_LOG_FORMAT", "--log-format", VALUE},
    {"DYNAROCK_LOG_SLOW_MS", "--log-slow-ms", VALUE},
    {"DYNAROCK_CORS", "--cors", VALUE},
    {"DYNAROCK_AUTH", "--auth", VALUE},
    {"DYNAROCK_CREDENTIALS", "--credentials", VALUE},
    {"DYNAROCK_ISOLATION", "--isolation", VALUE},
    {"DYNAROCK_ENFORCE_CAPACITY", "--enforce-capacity", SWITCH},
    {"DYNAROCK_CAPACITY_BURST_SECONDS", "--capacity-burst-seconds", VALUE},
    {"DYNAROCK_FAULTS_FILE", "--faults", VALUE}, /* DYNAROCK_FAULTS arms the engine's storage faults (db.c) */
    {"DYNAROCK_FUNCTION", "--function", LIST},
    {"DYNAROCK_TRIGGER", "--trigger", LIST},
    {"DYNAROCK_FUNCTION_TIMEOUT", "--function-timeout", VALUE},
    {"DYNAROCK_LAMBDA_ENDPOINT", "--lambda-endpoint", VALUE},
    {"DYNAROCK_FAILURE_DIR", "--failure-dir", VALUE},
    {"DYNAROCK_SHARED_DB", "--shared-db", SWITCH},
    {"DYNAROCK_DELAY_TRANSIENT_STATUSES", "--delay-transient-statuses", SWITCH},
    {"DYNAROCK_TRANSIENT_MS", "--transient-ms", VALUE}, /* [issue 17] */
    {"DYNAROCK_HEALTH_ANSWER", "--health-answer", VALUE},
    {"DYNAROCK_CONSOLE", "--console", SWITCH},       /* [issue 20] */
    {"DYNAROCK_NO_CONSOLE", "--no-console", SWITCH}, /* [issue 20] */
    {"DYNAROCK_CONSOLE_PATH", "--console-path", VALUE},
    {"DYNAROCK_S3_DIR", "--s3-dir", VALUE},
    {"DYNAROCK_SEED", "--seed", LIST},
    {"DYNAROCK_SEED_MODE", "--seed-mode", VALUE},
};
#define NVARS (sizeof VARS / sizeof VARS[0])

static const char *STORAGE_FLAGS[] = {"--data-dir", "-dbPath", "--in-memory", "-inMemory"};

static int switch_value(const char *v)
{
    static const char *on[] = {"1", "true", "yes", "on"}, *off[] = {"", "0", "false", "no", "off"};
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++)
        if (!strcasecmp(v, on[i])) return 1;
    for (size_t i = 0; i < sizeof off / sizeof off[0]; i++)
        if (!strcasecmp(v, off[i])) return 0;
    return -1;
}

static char **g_argv; /* the rebuilt argument array: lives until exit */

int envflags_apply(int *argc, char ***argv, char *err, size_t errlen)
{
    bool storage_on_cli = false;
    for (int i = 1; i < *argc; i++)
        for (size_t k = 0; k < sizeof STORAGE_FLAGS / sizeof STORAGE_FLAGS[0]; k++)
            if (!strcmp((*argv)[i], STORAGE_FLAGS[k])) storage_on_cli = true;

    /* at most two arguments per variable, plus one per line of a LIST variable */
    size_t cap = (size_t)*argc + 2 * NVARS + 1;
    for (size_t k = 0; k < NVARS; k++) {
        const char *v = VARS[k].kind == LIST ? getenv(VARS[k].var) : NULL;
        for (; v && *v; v++) cap += *v == '\n' ? 2 : 0;
    }
    char **out = ddb_xmalloc(cap * sizeof *out);
    int n = 0;
    out[n++] = (*argv)[0];
    for (size_t k = 0; k < NVARS; k++) {
        const char *v = getenv(VARS[k].var);
        if (!v) continue;
        if (storage_on_cli && (!strcmp(VARS[k].flag, "--data-dir") || !strcmp(VARS[k].flag, "--in-memory")))
            continue;
        switch (VARS[k].kind) {
        case VALUE:
            out[n++] = (char *)VARS[k].flag;
            out[n++] = (char *)v;
            break;
        case SWITCH: {
            int on = switch_value(v);
            if (on < 0) {
                snprintf(err, errlen, "%s=%s: %s takes 1, true, yes, on or 0, false, no, off", VARS[k].var, v,
                         VARS[k].flag);
                free(out);
                return -1;
            }
            if (on) out[n++] = (char *)VARS[k].flag;
            break;
        }
        case LIST:
            for (const char *p = v; *p;) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t)(nl - p) : strlen(p);
                if (len > 0) {
                    char *line = ddb_xmalloc(len + 1);
                    memcpy(line, p, len);
                    line[len] = 0;
                    out[n++] = (char *)VARS[k].flag;
                    out[n++] = line;
                }
                p += len + (nl ? 1 : 0);
            }
            break;
        }
    }
    for (int i = 1; i < *argc; i++) out[n++] = (*argv)[i];
    out[n] = NULL;
    g_argv = out;
    *argc = n;
    *argv = out;
    return 0;
}

void envflags_usage(FILE *f)
{
    for (size_t k = 0; k < NVARS; k++)
        fprintf(f, "  %-34s %s%s\n", VARS[k].var, VARS[k].flag,
                VARS[k].kind == SWITCH ? " (1 or 0)"
                : VARS[k].kind == LIST ? " (one per line)"
                                       : "");
}
