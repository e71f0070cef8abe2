/*
 * main: command line, engine open, serve, clean shutdown.
 *
 *   dynarock [--host H] [--port N] [--data-dir DIR | --in-memory] [--threads N] [--sync]
 *            [--block-cache-mb N] [--write-buffer-mb N] [--ttl-interval SECONDS]
 *            [--stream-retention SECONDS] [--stream-shard-seconds SECONDS]
 *            [--log-level error|warn|info|debug] [--log-format text|json] [--log-slow-ms MS]
 *            [--auth off|warn|enforce] [--credentials FILE] [--isolation shared|account|key-region]
 *            [--enforce-capacity] [--capacity-burst-seconds S] [--faults FILE]
 *            [--function NAME=COMMAND]... [--function-timeout S] [--lambda-endpoint URL] [--failure-dir DIR]
 *            [--trigger TABLE=COMMAND]...
 *            [--health-answer aws|dynamodb-local] [--console | --no-console] [--console-path PATH]
 *            [--s3-dir DIR] [--seed PATH]... [--seed-mode M] [--help] [--version]
 *   dynarock export|import ...   offline commands on a stopped data directory (server/seed.c)
 * Every flag is also a DYNAROCK_* environment variable (server/envflags.c); flags win.
 * DynamoDB Local's spellings are accepted as they are, so existing scripts work:
 *   -port N  -inMemory  -dbPath DIR  -sharedDb  -cors [ORIGINS]  -delayTransientStatuses
 *   -disableTelemetry  -optimizeDbBeforeStartup  -version  -help
 * -inMemory with -dbPath is refused, as DynamoDB Local refuses it (issue 19).
 * Unknown flags: a message and exit code 2. SIGINT/SIGTERM: stop serving, flush, close RocksDB.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/log.h"
#include "engine/engine.h"
#include "server/door.h"
#include "server/envflags.h"
#include "server/http.h"
#include "server/server.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: dynarock [options]\n"
               "  --host ADDR            address to listen on (default 127.0.0.1; 0.0.0.0 for all)\n"
               "  --port N               port (default 8000)\n"
               "  --data-dir DIR         RocksDB data directory (default ./dynarock-data)\n"
               "  --in-memory            keep nothing on disk\n"
               "  --threads N            event loops (default: half the cores, at least 1)\n"
               "  --sync                 fsync the write-ahead log on every write\n"
               "  --block-cache-mb N     RocksDB block cache (default 32)\n"
               "  --write-buffer-mb N    RocksDB memtable size per column family (default 16)\n"
               "  --ttl-interval S       delete expired TTL items every S seconds (default 1; 0: never)\n"
               "  --stream-retention S   keep stream records S seconds (default 86400, as DynamoDB)\n"
               "  --stream-shard-seconds S close a stream's open shard after S seconds (default 14400)\n"
               "  --log-level L          error|warn|info|debug: info logs each request, debug its bodies\n"
               "                         (default: the server's own events, no access lines)\n"
               "  --log-format F         text|json (default text)\n"
               "  --log-slow-ms MS       warn of a request taking MS or more (default 1000; 0: never)\n"
               "  --cors [ORIGINS]       answer browsers' cross-origin calls: * (no list) or a comma list\n"
               "  --auth MODE            off|warn|enforce: verify AWS Signature V4 (default off)\n"
               "  --credentials FILE     lines of ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID]; also the\n"
               "                         DYNAROCK_ACCESS_KEY_ID / DYNAROCK_SECRET_ACCESS_KEY pair\n"
               "  --isolation MODE       shared|account|key-region: whose tables a request sees (default\n"
               "                         shared; key-region is DynamoDB Local without -sharedDb)\n"
               "  --enforce-capacity     throttle provisioned tables and GSIs at their RCU/WCU\n"
               "  --capacity-burst-seconds S  unused capacity kept for bursts (default 300, as DynamoDB)\n"
               "  --faults FILE          fault-injection rules (JSON; docs/operations.md)\n"
               "  --function NAME=COMMAND  a local Lambda function for event-source mappings: COMMAND\n"
               "                         gets the event on stdin, its stdout is the answer (repeatable;\n"
               "                         docs/triggers.md)\n"
               "  --function-timeout S   a function running longer has failed (default 3, as Lambda)\n"
               "  --lambda-endpoint URL  invoke other functions with Lambda's Invoke API at URL (sam local\n"
               "                         start-lambda, a runtime interface emulator)\n"
               "  --failure-dir DIR      one JSON record per batch a mapping discards\n"
               "  --trigger TABLE=COMMAND  run COMMAND on the changes of TABLE's stream: a function\n"
               "                         TABLE-trigger and a mapping with defaults, TRIM_HORIZON\n"
               "  --transient-ms MS      tables and GSIs stay CREATING/UPDATING/DELETING MS ms after a\n"
               "                         change (implies -delayTransientStatuses, whose default is 1000)\n"
               "  --health-answer A      GET / answers as aws (200 \"healthy: ...\", default) or as\n"
               "                         dynamodb-local (400 MissingAuthenticationToken)\n"
               "  --console              serve the web console also when --host is not loopback\n"
               "  --no-console           do not serve the web console (default: served at /console when\n"
               "                         --host is loopback)\n"
               "  --console-path PATH    the console's URL path (default /console)\n"
               "  --s3-dir DIR           a folder standing in for S3 (bucket B, prefix P: DIR/B/P) for\n"
               "                         ExportTableToPointInTime and ImportTable\n"
               "  --seed PATH            load tables and items before serving: a seed file, or a folder of\n"
               "                         *.seed.json (repeatable; docs/operations.md \"Seeding\")\n"
               "  --seed-mode M          skip|replace|fail a seeded table that exists (default skip)\n"
               "  --version, --help\n"
               "DynamoDB Local flags accepted: -port N -inMemory -dbPath DIR -sharedDb -cors [ORIGINS]\n"
               "  -delayTransientStatuses -disableTelemetry -optimizeDbBeforeStartup -version -help\n"
               "Offline commands on a stopped data directory (dynarock export --help):\n"
               "  dynarock export --data-dir DIR --table NAME --to FOLDER [--format dynamodb_json|ion]\n"
               "  dynarock import --data-dir DIR --from SEED [--seed-mode skip|replace|fail]\n"
               "Environment variables (a flag on the command line wins):\n");
    envflags_usage(f); /* [issue 19] */
}

static int parse_int(const char *flag, const char *v, int lo, int hi)
{
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || n < lo || n > hi) {
        fprintf(stderr, "dynarock: %s needs a number between %d and %d\n", flag, lo, hi);
        exit(2);
    }
    return (int)n;
}

static void on_signal(int sig)
{
    (void)sig;
    http_stop();
}

#ifndef DDB_COMMIT
#define DDB_COMMIT "unknown" /* CMakeLists.txt defines it from git (issue 19) */
#endif

static void on_ready(void *ctx)
{
    const ddb_config_t *cfg = ctx;
    /* [issue 19] the bound port, not the asked one: -port 0 lets the system choose */
    int port = http_bound_port();
    printf("dynarock %s listening on http://%s:%d data=%s threads=%d\n", DDB_VERSION, cfg->host, port,
           cfg->in_memory ? "(in memory)" : cfg->data_dir, cfg->threads);
    fflush(stdout);
    if (cfg->console) { /* [issue 20] a second line: the first is the start line tools wait for */
        bool v6 = strchr(cfg->host, ':') != NULL;
        printf("dynarock console at http://%s%s%s:%d%s/\n", v6 ? "[" : "", cfg->host, v6 ? "]" : "", port,
               cfg->console_path);
        fflush(stdout);
    }
}

/* The server's life, on the arguments with the DYNAROCK_* variables in them; functions[] and
 * triggers[] (room for argc entries each) collect --function and --trigger. main() owns them, so
 * every return here, the refusals of bad flags included, frees them. */
static int dynarock_main(int argc, char **argv, const char **functions, const char **triggers,
                         const char **seeds)
{
    size_t n_seeds = 0;
    seed_mode_t seed_mode = SEED_SKIP;
    ddb_config_t cfg = {0};
    cfg.host = "127.0.0.1";
    cfg.port = 8000;
    cfg.data_dir = "./dynarock-data";
    cfg.shared_db = true;
    cfg.log_level = -1;      /* not given: server events at info, access lines off (docs/operations.md) */
    cfg.log_slow_ms = 1000;  /* a local endpoint: a second is slow for any single request */
    cfg.burst_seconds = 300; /* DynamoDB keeps up to 5 minutes of unused capacity */
    /* Half the cores: a local endpoint's clients (test suites, SDK scripts) run on the same
     * machine. Measured on 2 cores with the client beside it: one loop instead of two served as
     * many requests at 15-30 % less CPU each and p99 2-3.5 instead of 4-5.5 ms; with both cores
     * taken by loops, the loops and the client preempt each other and RocksDB's writers hand
     * batches between threads. */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.threads = ncpu > 1 ? (int)(ncpu / 2) : 1;
    int ttl_interval_s = 1;         /* DynamoDB takes up to days; locally, expired items go within a second */
    int stream_retention_s = 86400; /* DynamoDB Streams keeps records 24 hours */
    int stream_shard_s = 4 * 3600;  /* DynamoDB rolls a shard over after about 4 hours */
    const char *credentials = NULL;
    bool data_dir_given = false; /* [issue 19] -inMemory with -dbPath is refused */
    int console = -1;            /* [issue 20] --console 1, --no-console 0, else by --host */
    cfg.console_path = "/console";

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define FLAG(s) (strcmp(a, s) == 0)
        if (FLAG("--help") || FLAG("-help") || FLAG("-h")) {
            usage(stdout);
            return 0;
        } else if (FLAG("--version") || FLAG("-version")) {
            printf("dynarock %s (commit %s)\n", DDB_VERSION, DDB_COMMIT); /* [issue 19] */
            return 0;
        } else if (FLAG("--host")) {
            if (!next) goto missing;
            cfg.host = next;
            i++;
        } else if (FLAG("--port") || FLAG("-port")) {
            cfg.port = parse_int(a, next, 0, 65535);
            i++;
        } else if (FLAG("--data-dir") || FLAG("-dbPath")) {
            if (!next) goto missing;
            cfg.data_dir = next;
            data_dir_given = true; /* [issue 19] */
            i++;
        } else if (FLAG("--in-memory") || FLAG("-inMemory")) {
            cfg.in_memory = true;
        } else if (FLAG("--threads")) {
            cfg.threads = parse_int(a, next, 1, 256);
            i++;
        } else if (FLAG("--sync")) {
            cfg.sync_writes = true;
        } else if (FLAG("--block-cache-mb")) {
            cfg.block_cache_mb = (size_t)parse_int(a, next, 1, 1 << 20);
            i++;
        } else if (FLAG("--write-buffer-mb")) {
            cfg.write_buffer_mb = (size_t)parse_int(a, next, 1, 1 << 16);
            i++;
        } else if (FLAG("--ttl-interval")) {
            ttl_interval_s = parse_int(a, next, 0, 86400);
            i++;
        } else if (FLAG("--stream-retention")) {
            stream_retention_s = parse_int(a, next, 1, 365 * 86400);
            i++;
        } else if (FLAG("--stream-shard-seconds")) {
            stream_shard_s = parse_int(a, next, 1, 365 * 86400);
            i++;
        } else if (FLAG("--log-level")) {
            if (!next || (cfg.log_level = log_level_parse(next)) < 0) {
                fprintf(stderr, "dynarock: --log-level needs one of error, warn, info, debug\n");
                return 2;
            }
            log_set_level((log_level_t)cfg.log_level);
            i++;
        } else if (FLAG("--log-format")) {
            if (!next || (strcmp(next, "text") && strcmp(next, "json"))) {
                fprintf(stderr, "dynarock: --log-format needs text or json\n");
                return 2;
            }
            log_set_json(!strcmp(next, "json"));
            i++;
        } else if (FLAG("--log-slow-ms")) {
            cfg.log_slow_ms = (unsigned)parse_int(a, next, 0, 86400000);
            i++;
        } else if (FLAG("--auth")) {
            if (!next || (strcmp(next, "off") && strcmp(next, "warn") && strcmp(next, "enforce"))) {
                fprintf(stderr, "dynarock: --auth needs off, warn or enforce\n");
                return 2;
            }
            cfg.auth_mode = !strcmp(next, "off")    ? AUTH_OFF
                            : !strcmp(next, "warn") ? AUTH_WARN
                                                    : AUTH_ENFORCE;
            i++;
        } else if (FLAG("--credentials")) {
            if (!next) goto missing;
            credentials = next;
            i++;
        } else if (FLAG("--isolation")) {
            if (!next || (strcmp(next, "shared") && strcmp(next, "account") && strcmp(next, "key-region"))) {
                fprintf(stderr, "dynarock: --isolation needs shared, account or key-region\n");
                return 2;
            }
            cfg.isolation = !strcmp(next, "shared")    ? ISO_SHARED
                            : !strcmp(next, "account") ? ISO_ACCOUNT
                                                       : ISO_KEY_REGION;
            i++;
        } else if (FLAG("--enforce-capacity")) {
            cfg.enforce_capacity = true;
        } else if (FLAG("--capacity-burst-seconds")) {
            cfg.burst_seconds = (unsigned)parse_int(a, next, 0, 86400);
            i++;
        } else if (FLAG("--faults")) {
            if (!next) goto missing;
            cfg.faults_file = next;
            i++;
        } else if (FLAG("--function")) { /* triggers (issue 14): checked by trig_start */
            if (!next) goto missing;
            functions[cfg.n_functions++] = next;
            i++;
        } else if (FLAG("--trigger")) { /* issue 14: checked by trig_start */
            if (!next) goto missing;
            triggers[cfg.n_triggers++] = next;
            i++;
        } else if (FLAG("--function-timeout")) {
            cfg.function_timeout_s = (unsigned)parse_int(a, next, 1, 900);
            i++;
        } else if (FLAG("--lambda-endpoint")) {
            if (!next) goto missing;
            cfg.lambda_endpoint = next;
            i++;
        } else if (FLAG("--failure-dir")) {
            if (!next) goto missing;
            cfg.failure_dir = next;
            i++;
        } else if (FLAG("--s3-dir")) { /* issue 18 */
            if (!next) goto missing;
            cfg.s3_dir = next;
            i++;
        } else if (FLAG("--seed")) { /* issue 18 */
            if (!next) goto missing;
            seeds[n_seeds++] = next;
            i++;
        } else if (FLAG("--seed-mode")) { /* issue 18 */
            if (seed_parse_mode(next, &seed_mode) != 0) {
                fprintf(stderr, "dynarock: --seed-mode needs skip, replace or fail\n");
                return 2;
            }
            i++;
        } else if (FLAG("-sharedDb") || FLAG("--shared-db")) {
            cfg.shared_db = true;
        } else if (FLAG("-cors") || FLAG("--cors")) {
            cfg.cors = true;
            cfg.cors_origins = "*";
            if (next && next[0] != '-') {
                cfg.cors_origins = next;
                i++;
            }
        } else if (FLAG("-delayTransientStatuses") || FLAG("--delay-transient-statuses")) {
            if (!cfg.transient_ms) cfg.transient_ms = TR_DEFAULT_MS; /* [issue 17] --transient-ms wins */
        } else if (FLAG("--transient-ms")) {                         /* [issue 17] */
            cfg.transient_ms = (unsigned)parse_int(a, next, 1, 3600000);
            i++;
        } else if (FLAG("--health-answer")) { /* [issue 19] */
            if (!next || (strcmp(next, "aws") && strcmp(next, "dynamodb-local"))) {
                fprintf(stderr, "dynarock: --health-answer needs aws or dynamodb-local\n");
                return 2;
            }
            http_health_answer_set(!strcmp(next, "dynamodb-local"));
            i++;
        } else if (FLAG("--console")) { /* [issue 20] */
            console = 1;
        } else if (FLAG("--no-console")) {
            console = 0;
        } else if (FLAG("--console-path")) {
            if (!next) goto missing;
            size_t n = strlen(next);
            while (n > 1 && next[n - 1] == '/') n--; /* "/ui/" is "/ui" */
            if (next[0] != '/' || n < 2 || strstr(next, "//") || strstr(next, "/.")) {
                fprintf(stderr, "dynarock: --console-path needs a path such as /console (not /)\n");
                return 2;
            }
            cfg.console_path = strndup(next, n); /* lives until exit */
            i++;
        } else if (FLAG("-disableTelemetry") || FLAG("-optimizeDbBeforeStartup")) {
            /* accepted for DynamoDB Local compatibility; nothing to do */
        } else {
            fprintf(stderr, "dynarock: unknown option '%s' (try --help)\n", a);
            return 2;
        }
        continue;
    missing:
        fprintf(stderr, "dynarock: %s needs a value\n", a);
        return 2;
#undef FLAG
    }

    /* [issue 20] a console on a public interface is opt-in */
    cfg.console = console >= 0 ? console == 1 : console_host_is_loopback(cfg.host);

    if (cfg.in_memory && data_dir_given) { /* [issue 19] DynamoDB Local's rule, in its words */
        fprintf(stderr, "dynarock: -inMemory and -dbPath options cannot be used together.\n");
        return 2;
    }

    /* the keys' accounts name ARNs and --isolation account namespaces even when nothing is verified */
    char aerr[512];
    if (auth_load(credentials, aerr, sizeof aerr) != 0) {
        fprintf(stderr, "dynarock: %s\n", aerr);
        return 2;
    }
    if (cfg.auth_mode != AUTH_OFF) {
        if (auth_count() == 0) {
            fprintf(stderr,
                    "dynarock: --auth %s needs credentials: --credentials FILE or "
                    "DYNAROCK_ACCESS_KEY_ID and DYNAROCK_SECRET_ACCESS_KEY\n",
                    cfg.auth_mode == AUTH_WARN ? "warn" : "enforce");
            return 2;
        }
    }

    char ferr[768]; /* fault injection's rules (faults.c): a bad file stops the start */
    if (faults_load(&cfg, ferr, sizeof ferr) != 0) {
        fprintf(stderr, "dynarock: %s\n", ferr);
        return 2;
    }

    if (!cfg.in_memory && mkdir(cfg.data_dir, 0755) != 0) {
        struct stat st;
        if (stat(cfg.data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "dynarock: cannot create data directory %s\n", cfg.data_dir);
            return 1;
        }
    }
    eng_opts_t eo = {0};
    eo.data_dir = cfg.data_dir;
    eo.in_memory = cfg.in_memory;
    eo.sync_writes = cfg.sync_writes;
    eo.block_cache_mb = cfg.block_cache_mb;
    eo.write_buffer_mb = cfg.write_buffer_mb;
    eo.ttl_interval_ms = (unsigned)ttl_interval_s * 1000u;
    eo.stream_retention_ms = (uint64_t)stream_retention_s * 1000u;
    eo.stream_shard_ms = (uint64_t)stream_shard_s * 1000u;
    char oerr[1024];
    if (ns_open(&cfg, &eo, oerr, sizeof oerr) != 0) {
        fprintf(stderr, "dynarock: %s\n", oerr);
        return 1;
    }

    { /* issue 18: exports and imports a stop interrupted are FAILED, in every namespace opened */
        eng_t *engs[NS_ENGINES_MAX];
        size_t ne = ns_engines(engs, NS_ENGINES_MAX);
        for (size_t k = 0; k < ne; k++) s3job_recover(engs[k]);
    }
    for (size_t k = 0; k < n_seeds; k++) {
        char serr[1024];
        if (seed_load(ns_default(), &cfg, seeds[k], seed_mode, serr, sizeof serr) != 0) {
            fprintf(stderr, "dynarock: seed: %s\n", serr);
            ns_close_all();
            return 1;
        }
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    cfg.functions = functions;
    cfg.triggers = triggers;
    char terr[512]; /* triggers (issue 14): mappings resume before the first request */
    if (trig_start(&cfg, ns_default(), terr, sizeof terr) != 0) {
        fprintf(stderr, "dynarock: %s\n", terr);
        trig_stop_all();
        ns_close_all();
        return 2;
    }

    int rc = http_run(&cfg, ns_default(), on_ready, &cfg);
    trig_stop_all(); /* pollers use the engine: stopped (their functions killed) before it closes */
    tr_clear();      /* [issue 17] the transient states' references to descriptions */
    ns_close_all();
    if (rc == 0) log_info("stopped cleanly");
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "export") || !strcmp(argv[1], "import"))) /* issue 18: offline */
        return seed_command(argc, argv);
    char everr[256]; /* [issue 19] DYNAROCK_* variables become arguments before the command line's */
    if (envflags_apply(&argc, &argv, everr, sizeof everr) != 0) {
        fprintf(stderr, "dynarock: %s\n", everr);
        return 2;
    }
    /* after the variables: a multi-line DYNAROCK_FUNCTION adds arguments (an ASan run caught these
     * arrays sized by the command line alone) */
    const char **functions = calloc((size_t)argc, sizeof *functions); /* --function (triggers, issue 14) */
    const char **triggers = calloc((size_t)argc, sizeof *triggers);   /* --trigger (issue 14) */
    const char **seeds = calloc((size_t)argc, sizeof *seeds);         /* --seed (issue 18) */
    if (!functions || !triggers || !seeds) abort();
    int rc = dynarock_main(argc, argv, functions, triggers, seeds);
    free(functions);
    free(triggers);
    free(seeds);
    return rc;
}
