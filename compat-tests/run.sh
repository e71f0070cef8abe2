#!/usr/bin/env bash
# Runs the whole compatibility suite from the repository root.
#   compat-tests/run.sh [extra pytest args]
# Uses Debian's python3 (with python3-pytest and python3-boto3) explicitly, not whatever python3 is
# first on PATH. The JS smoke test installs its npm packages itself (npm ci) on first run.
# Set DYNAROCK_BIN to test another binary, or DYNAROCK_ENDPOINT to test a running server / real DynamoDB.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f compat-tests/js/package-lock.json ] && { [ ! -d compat-tests/js/node_modules/@aws-sdk/client-dynamodb ] ||
    [ ! -d compat-tests/js/node_modules/playwright-core ] || [ ! -d compat-tests/js/node_modules/esbuild ]; }; then
    (cd compat-tests/js && npm ci --no-audit --no-fund)
fi
exec /usr/bin/python3 -m pytest -q compat-tests "$@"
