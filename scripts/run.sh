#!/bin/sh
# README command 1: install what is missing, build, and run dynarock on 127.0.0.1:8000 with
# its data in ./dynarock-data (extra arguments are passed to the server).
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target dynarock >/dev/null
exec build/dynarock --host 127.0.0.1 --port 8000 --data-dir ./dynarock-data "$@"
