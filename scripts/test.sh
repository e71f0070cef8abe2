#!/bin/sh
# README command 2 (and .ci/run): install what is missing, build with -Werror, run the unit
# tests, run them again under AddressSanitizer + UndefinedBehaviorSanitizer, run the stress stage
# (plain, ASan and ThreadSanitizer servers), then run the black-box compatibility suite (pytest +
# boto3, AWS CLI and JS SDK smokes) against a fresh server per session.
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

# Stress (tests/stress, docs/testing.md): connection churn, keep-alive, pipelining, resets and cut
# requests from 8 clients; every answer checked, the server alive at the end and SIGTERM exit 0
# with no sanitizer report. ~2.5 min in all on 2 cores; longer runs: --seconds.
echo "== stress: 1, 2 and 4 event loops"
/usr/bin/python3 tests/stress/run_stress.py --bin build/dynarock --loops 1,2,4 --seconds 15
echo "== stress under ASan+UBSan (leak check at the clean stop)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    /usr/bin/python3 tests/stress/run_stress.py --bin build-asan/dynarock --loops 2 --seconds 15
# The command line, the DYNAROCK_* variables, the namespaces' engines and the image's launcher under
# ASan+UBSan (about 10 s):
# an argument array sized before the variables were added overflowed, and only ASan saw it.
echo "== flags, variables and namespaces under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 DYNAROCK_BIN="$PWD/build-asan/dynarock" \
    /usr/bin/python3 -m pytest -q -p no:cacheprovider compat-tests/test_dropin.py compat-tests/test_server_flags.py \
    compat-tests/test_isolation.py compat-tests/test_launcher.py
echo "== stress, test_concurrency and the streams engine test under ThreadSanitizer"
CC=clang cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDDB_WERROR=ON -DDDB_TSAN=ON >/dev/null
cmake --build build-tsan -j"$jobs" --target dynarock stress_churn engine_test_stream >/dev/null
TSAN_OPTIONS="suppressions=$PWD/tests/stress/tsan.supp halt_on_error=0 second_deadlock_stack=1" \
    /usr/bin/python3 tests/stress/run_stress.py --bin build-tsan/dynarock --loops 2 --seconds 15 \
    --pytest compat-tests/test_concurrency.py
# the streams engine's concurrent writers, polling reader and shard roll-over (~5 s)
TSAN_OPTIONS="suppressions=$PWD/tests/stress/tsan.supp" build-tsan/engine_test_stream >/dev/null

echo "== compatibility tests"
DYNAROCK_BIN="$PWD/build/dynarock" compat-tests/run.sh
