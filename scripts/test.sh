#!/bin/sh
# README command 2 (and .ci/run): install what is missing, build with -Werror, run the unit
# tests, run them again under AddressSanitizer + UndefinedBehaviorSanitizer, then run the
# black-box compatibility suite (pytest + boto3, AWS CLI and JS SDK smokes) against a fresh
# server per session.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs="$(nproc)"

echo "== build (-Werror)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON >/dev/null
cmake --build build -j"$jobs" >/dev/null
echo "== unit tests"
(cd build && ctest --output-on-failure -j"$jobs")

echo "== unit tests under ASan+UBSan"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDDB_WERROR=ON -DDDB_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j"$jobs")

echo "== compatibility tests"
DYNAROCK_BIN="$PWD/build/dynarock" compat-tests/run.sh
