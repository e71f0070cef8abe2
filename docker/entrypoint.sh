#!/bin/bash
# docker-entrypoint: the image's ENTRYPOINT (installed as /usr/local/bin/docker-entrypoint).
#
# Runs dynarock with exec, so it is PID 1 and `docker stop`'s SIGTERM reaches it (it stops
# serving, flushes and closes RocksDB), with the container's defaults added in front:
#   --host 0.0.0.0   unless --host or DYNAROCK_HOST is given (the bare binary listens on loopback);
#   --in-memory      unless --data-dir, -dbPath, --in-memory, -inMemory, DYNAROCK_DATA_DIR or
#                    DYNAROCK_IN_MEMORY is given.
# amazon/dynamodb-local command lines work unchanged: that image's entrypoint is `java`, so its
# compose files pass `-jar DynamoDBLocal.jar -sharedDb -dbPath ./data ...`. A leading `java`,
# JVM options (-D..., -X...) and `-jar <file>` are dropped; the DynamoDB Local flags that follow
# are dynarock's own (-port -inMemory -dbPath -sharedDb -cors -delayTransientStatuses ...).
# /usr/local/bin/java is this script too (a symlink): Testcontainers' Go module replaces the
# entrypoint with `java -Djava.library.path=./DynamoDBLocal_lib` and passes `-jar DynamoDBLocal.jar
# ...` as the command; invoked as java, the JVM options and -jar are dropped the same way.
# A first argument that is not an option runs as a command: `docker run --rm -it IMAGE bash`.
# Before the server starts it prints DynamoDB Local's "Initializing DynamoDB Local with the following
# configuration:" block (Port, InMemory, DbPath, SharedDb), which test suites wait for.
set -euo pipefail

bin=/usr/local/bin/dynarock

if [[ $# -gt 0 && ($1 == dynarock || $1 == "$bin") ]]; then
    shift
fi
if [[ $# -gt 0 && $1 == java ]]; then
    shift
fi
as_java=0
[[ ${0##*/} == java ]] && as_java=1
while [[ $# -gt 0 && ($1 == -D* || $1 == -X*) ]]; do
    shift
done
if [[ $# -gt 0 && $1 == -jar ]]; then
    shift
    [[ $# -gt 0 ]] && shift # the jar's name
fi
if [[ $as_java == 0 && $# -gt 0 && $1 != -* ]]; then
    exec "$@"
fi

want_host=1
want_store=1
[[ -n ${DYNAROCK_HOST:-} ]] && want_host=0
[[ -n ${DYNAROCK_DATA_DIR:-} || -n ${DYNAROCK_IN_MEMORY:-} ]] && want_store=0
for a in "$@"; do
    case $a in
    --host) want_host=0 ;;
    --data-dir | -dbPath | --in-memory | -inMemory) want_store=0 ;;
    esac
done
defaults=()
[[ $want_host == 1 ]] && defaults+=(--host 0.0.0.0)
[[ $want_store == 1 ]] && defaults+=(--in-memory)

# DynamoDB Local's first lines, which test suites wait for (testcontainers-python users write
# wait_for_logs(container, "Initializing DynamoDB Local")); it prints them before it listens too.
port=${DYNAROCK_PORT:-8000} db=${DYNAROCK_DATA_DIR:-null} mem=false
[[ $want_store == 1 || -n ${DYNAROCK_IN_MEMORY:-} ]] && mem=true
prev=""
for a in "$@"; do
    case $prev in
    -port | --port) port=$a ;;
    -dbPath | --data-dir) db=$a ;;
    esac
    case $a in -inMemory | --in-memory) mem=true ;; esac
    prev=$a
done
[[ $mem == true ]] && db=null
case " $* " in
*" --version "* | *" -version "* | *" --help "* | *" -help "* | *" -h "*) ;; # only what they print
*)
    printf 'Initializing DynamoDB Local with the following configuration:\nPort:\t%s\nInMemory:\t%s\nDbPath:\t%s\nSharedDb:\ttrue\n' \
        "$port" "$mem" "$db"
    ;;
esac
exec "$bin" "${defaults[@]}" "$@"
