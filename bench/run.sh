#!/bin/sh
# bench/run.sh: build dynarock (Release, in build-bench/), install what the benchmark needs when
# it is missing (Debian's wrk; dynalite from npm at the version bench/package-lock.json pins,
# into bench/node_modules), then run bench/bench.py: dynarock and dynalite side by side on
# loopback, results in bench/results/<date>.json and a markdown table on stdout.
#   bench/run.sh                          the full run (~5 minutes on 2 cores)
#   bench/run.sh --load-items 0           without the 1 M item load
#   bench/run.sh --workloads get,put --rounds 3 --duration 10
#   bench/run.sh --help                   every option
set -eu
cd "$(dirname "$0")/.."

missing=""
for p in wrk python3 nodejs npm; do
    case "$p" in
    nodejs | npm) command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
scripts/install-deps.sh
if [ -n "$missing" ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing:$missing" >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# dynalite at the pinned version; npm ci only when node_modules does not match the lock file
want="$(node -e 'console.log(require("./bench/package-lock.json").packages["node_modules/dynalite"].version)')"
have="$(node -e 'try{console.log(require("./bench/node_modules/dynalite/package.json").version)}catch(e){}')"
if [ "$want" != "$have" ]; then
    echo "installing dynalite $want into bench/node_modules" >&2
    (cd bench && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target dynarock >/dev/null
exec python3 bench/bench.py --dynarock "$PWD/build-bench/dynarock" "$@"
