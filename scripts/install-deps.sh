#!/bin/sh
# Install the Debian packages dynarock needs, idempotently: nothing happens when they are all
# present; otherwise one `apt-get update` and one `apt-get install` of what is missing.
#   scripts/install-deps.sh          build and run dependencies
#   scripts/install-deps.sh --test   also what the test suite needs
set -eu

BUILD_PKGS="gcc make cmake pkg-config libh2o-evloop-dev librocksdb-dev libssl-dev zlib1g-dev libdeflate-dev libzstd-dev"
# clang + its runtime libraries: the ThreadSanitizer build of the stress stage; chromium: the JS SDK
# in a web page (compat-tests/test_cors_browser.py, driven by playwright-core from npm); faketime: a
# server whose clock runs ahead, so records are old without waiting (compat-tests/test_triggers.py);
# zstd: ImportTable's ZSTD objects (compat-tests/test_export_import.py)
TEST_PKGS="python3 python3-pytest python3-boto3 awscli curl zstd clang libclang-rt-14-dev chromium faketime"

want="$BUILD_PKGS"
if [ "${1:-}" = "--test" ]; then
    want="$want $TEST_PKGS"
    # Node.js for the JS SDK smoke test: use the machine's node if it has one, else Debian's.
    command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || want="$want nodejs npm"
fi

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "installing:$missing" >&2
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
