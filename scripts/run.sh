#!/bin/sh
# README command 1: install what is missing, build, and run dynarock on 127.0.0.1:8000 with
# its data in ./dynarock-data (extra arguments are passed to the server).
# Builds in build-release/ (Release), apart from scripts/test.sh's build/ (RelWithDebInfo, -Werror):
# switching between the two commands rebuilds nothing. The build's progress is shown.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target dynarock
# ./dynarock-data unless the arguments or DYNAROCK_* variables choose the storage (--in-memory with a
# data directory is refused, as DynamoDB Local refuses it)
store="--data-dir ./dynarock-data"
[ -n "${DYNAROCK_DATA_DIR:-}${DYNAROCK_IN_MEMORY:-}" ] && store=""
for a in "$@"; do
    case $a in --data-dir | -dbPath | --in-memory | -inMemory) store="" ;; esac
done
# shellcheck disable=SC2086
exec build-release/dynarock --host 127.0.0.1 --port 8000 $store "$@"
