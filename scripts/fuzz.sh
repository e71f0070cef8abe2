#!/usr/bin/env bash
# fuzz.sh: build the libFuzzer targets with clang (-DDDB_FUZZ=ON, ASan+UBSan) into build-fuzz and
# run them one after the other, each for a few minutes, with its seed corpus and dictionary.
#
#   scripts/fuzz.sh [-m MINUTES] [-j JOBS] [TARGET...]
#
# TARGET: json decimal itemenc avjson request parse partiql (default: all of them). MINUTES per target
# (default 1; FUZZ_MINUTES in the environment works too). JOBS: parallel fuzzing processes per
# target (default 1: the machine is shared; every run is nice'd).
#
# Where things go:
# - new corpus entries: a scratch dir, build-fuzz/fuzz-out/<target>/corpus (the committed seed
#   corpus is only read; merge a find into it by hand if it is worth keeping);
# - crash / timeout / OOM reproducers: <module>/fuzz/regressions/<target>/, which ctest replays
#   (<module>/fuzz_<target>_replay) - commit one there once the bug is fixed, so it stays fixed;
#   an unfixed reproducer makes ctest fail, so move it out of the tree until it is fixed;
# - the libFuzzer log: build-fuzz/fuzz-out/<target>/log; the last line of each run's summary
#   (executions, coverage) is printed at the end.
# Minimise a crash: build-fuzz/<binary> -minimize_crash=1 -runs=10000 <reproducer>.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=${FUZZ_MINUTES:-1}
jobs=1
while getopts "m:j:h" opt; do
    case $opt in
    m) minutes=$OPTARG ;;
    j) jobs=$OPTARG ;;
    *)
        sed -n '2,22p' "$0"
        exit 2
        ;;
    esac
done
shift $((OPTIND - 1))

# target -> module binary corpus dict max_len
declare -A MODULE=([json]=common [decimal]=common [itemenc]=engine [avjson]=server [request]=server [parse]=expr [partiql]=expr)
declare -A MAXLEN=([json]=4096 [decimal]=256 [itemenc]=2048 [avjson]=4096 [request]=4096 [parse]=512 [partiql]=1024)
all=(json decimal itemenc avjson request parse partiql)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")
for t in "${targets[@]}"; do
    if [ -z "${MODULE[$t]:-}" ]; then
        echo "fuzz.sh: unknown target '$t' (known: ${all[*]})" >&2
        exit 2
    fi
done

CC=${CC:-clang}
if ! command -v "$CC" >/dev/null; then
    echo "fuzz.sh: $CC not found (apt-get install clang libclang-rt-dev)" >&2
    exit 1
fi
bins=()
for t in "${targets[@]}"; do bins+=("${MODULE[$t]}_fuzz_$t"); done
CC=$CC cmake -S . -B build-fuzz -DDDB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
nice cmake --build build-fuzz -j"$(nproc)" --target "${bins[@]}"

summary=()
for t in "${targets[@]}"; do
    mod=${MODULE[$t]}
    bin=build-fuzz/${mod}_fuzz_$t
    if [ "$t" = parse ]; then
        corpus=expr/fuzz/corpus
        dict=expr/fuzz/expr.dict
    else
        corpus=$mod/fuzz/corpus_$t
        dict=$mod/fuzz/$t.dict
    fi
    out=build-fuzz/fuzz-out/$t
    regress=$mod/fuzz/regressions/$t
    mkdir -p "$out/corpus" "$regress"
    echo "== $t: $minutes min, max_len ${MAXLEN[$t]}, corpus $corpus, crashes to $regress/"
    args=(-max_total_time=$((minutes * 60)) -max_len="${MAXLEN[$t]}" -dict="$dict" -timeout=25
          -rss_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$regress/")
    [ "$jobs" -gt 1 ] && args+=(-jobs="$jobs" -workers="$jobs")
    rc=0
    # The scratch dir comes first: libFuzzer writes new entries into its first corpus argument.
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
        nice "$bin" "${args[@]}" "$out/corpus" "$corpus" >"$out/log" 2>&1 || rc=$?
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/log" | tail -1 | awk '{print $2}')
    cov=$(grep -Eo '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+' "$out/log" | tail -1 | sed -E 's/.*(cov: [0-9]+ ft: [0-9]+).*/\1/')
    rmdir "$regress" "$mod/fuzz/regressions" 2>/dev/null || true # leave no empty folders behind
    if [ $rc -ne 0 ]; then
        summary+=("$t: FAILED (exit $rc) after ${runs:-?} runs, $cov; see $out/log and $regress/")
    else
        summary+=("$t: ok, ${runs:-?} runs, $cov, $(ls "$out/corpus" | wc -l) new corpus entries")
    fi
done
echo
printf '%s\n' "${summary[@]}"
for s in "${summary[@]}"; do
    case $s in *FAILED*) exit 1 ;; esac
done
