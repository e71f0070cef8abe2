"""JS SDK v3 smoke: runs compat-tests/js/smoke.mjs (installing its npm packages if needed) against the
session's endpoint."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import dynarock_util as du

JS = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module")
def node_modules():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the JS SDK smoke test", pytrace=False)
    if not (JS / "node_modules" / "@aws-sdk" / "client-dynamodb").exists():
        cmd = [npm, "ci"] if (JS / "package-lock.json").exists() else [npm, "install"]
        r = subprocess.run(cmd + ["--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    return node


def test_js_sdk_smoke(node_modules, endpoint, region):
    env = dict(os.environ, DYNAROCK_ENDPOINT_URL=endpoint, AWS_REGION=region)
    if not du.is_real_aws():
        env.update(AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy")
        for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(k, None)
    r = subprocess.run([node_modules, "smoke.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "js-smoke: ok" in r.stdout
