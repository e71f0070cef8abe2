"""CORS in a real browser (issue 16): the JS SDK v3 in a page served from another origin, in headless
Chromium (compat-tests/js/cors_page.mjs, with playwright-core and esbuild from npm and Debian's
chromium), calls ListTables, CreateTable, PutItem and GetItem on dynarock.

- `--cors` (every origin) and `--cors <the page's origin>`: every call succeeds, the item comes back,
  and the SDK read x-amzn-RequestId (so Access-Control-Expose-Headers works);
- no `--cors`, and `--cors` with a list that leaves the page's origin out: the first call fails with
  the browser's network error and Chromium reports it "blocked by CORS policy".
dynarock-only: it starts its own servers.
"""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

JS = Path(__file__).resolve().parent / "js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def node():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the browser CORS test", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (scripts/install-deps.sh --test installs Debian's chromium)",
                    pytrace=False)
    nm = JS / "node_modules"
    if not all((nm / p).exists() for p in ("@aws-sdk/client-dynamodb", "playwright-core", "esbuild")):
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    return node


def test_js_sdk_in_chromium_across_origins(node, server_factory):
    page_port = du.free_port()
    page_origin = f"http://127.0.0.1:{page_port}"
    any_ = server_factory(["--in-memory", "--threads", "1", "--cors"])
    listed = server_factory(["--in-memory", "--threads", "1", "--cors", f"http://app.test,{page_origin}"])
    off = server_factory(["--in-memory", "--threads", "1"])
    other = server_factory(["--in-memory", "--threads", "1", "--cors", "http://app.test"])
    endpoints = [any_.url, listed.url, off.url, other.url]
    env = dict(os.environ, ENDPOINTS=json.dumps(endpoints), PAGE_PORT=str(page_port), CHROMIUM=CHROMIUM)
    r = subprocess.run([node, "cors_page.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["origin"] == page_origin
    res = out["results"]

    for ep in (any_.url, listed.url):
        got = res[ep]
        assert got["ok"], (ep, got)
        assert got["item"] == {"p": {"S": "page"}, "n": {"N": "42"}, "s": {"S": f"from {page_origin}"}}
        assert re.fullmatch(r"[0-9A-Z]{52}", got["requestId"] or ""), got  # an exposed header

    for ep in (off.url, other.url):
        got = res[ep]
        assert not got["ok"], (ep, got)
        assert got["error"] == "TypeError: Failed to fetch", got
        assert got["corsBlocked"], got
