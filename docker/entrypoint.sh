#!/bin/bash
# docker-entrypoint: the image's ENTRYPOINT (installed as /usr/local/bin/docker-entrypoint).
#
# Runs dynarock with exec, so it is PID 1 and `docker stop`'s SIGTERM reaches it (it stops
# serving, flushes and closes RocksDB), with the container's defaults added in front:
#   --host 0.0.0.0   unless --host is given (the bare binary listens on loopback only);
#   --in-memory      unless --data-dir, -dbPath, --in-memory or -inMemory is given.
# amazon/dynamodb-local command lines work unchanged: that image's entrypoint is `java`, so its
# compose files pass `-jar DynamoDBLocal.jar -sharedDb -dbPath ./data ...`. A leading `java`,
# JVM options (-D..., -X...) and `-jar <file>` are dropped; the DynamoDB Local flags that follow
# are dynarock's own (-port -inMemory -dbPath -sharedDb -cors -delayTransientStatuses ...).
# A first argument that is not an option runs as a command: `docker run --rm -it IMAGE bash`.
set -euo pipefail

bin=/usr/local/bin/dynarock

if [[ $# -gt 0 && ($1 == dynarock || $1 == "$bin") ]]; then
    shift
fi
if [[ $# -gt 0 && $1 == java ]]; then
    shift
fi
while [[ $# -gt 0 && ($1 == -D* || $1 == -X*) ]]; do
    shift
done
if [[ $# -gt 0 && $1 == -jar ]]; then
    shift
    [[ $# -gt 0 ]] && shift # the jar's name
fi
if [[ $# -gt 0 && $1 != -* ]]; then
    exec "$@"
fi

want_host=1
want_store=1
for a in "$@"; do
    case $a in
    --host) want_host=0 ;;
    --data-dir | -dbPath | --in-memory | -inMemory) want_store=0 ;;
    esac
done
defaults=()
[[ $want_host == 1 ]] && defaults+=(--host 0.0.0.0)
[[ $want_store == 1 ]] && defaults+=(--in-memory)
exec "$bin" "${defaults[@]}" "$@"
