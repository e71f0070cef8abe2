"""The web console's asset routes (issue 20), server side: every file of console/ served from the binary
with its content type, gzip when asked, ETag revalidation, the security headers; 404 for an unknown
asset; the size budget (the whole console at most 200 KB compressed); --no-console, --console-path, the
DYNAROCK_* variables, and the default off on a non-loopback --host. The browser side is
test_console_browser.py. dynarock-only: it starts its own servers.
"""
import gzip
import http.client
import json
import shutil
import subprocess
import urllib.parse
from pathlib import Path

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

CONSOLE = Path(__file__).resolve().parent.parent / "console"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8"}
BUDGET = 200 * 1024
UNKNOWN = b"<UnknownOperationException/>\n"


def get(url, path, headers=None):
    host = url.split("//", 1)[1]
    c = http.client.HTTPConnection(host, timeout=10)
    try:
        c.request("GET", path, headers=headers or {})
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = du.Server(["--in-memory", "--threads", "1"], tmp_path_factory.mktemp("console") / "server.log").start()
    yield s
    s.stop()


def test_every_asset_served_with_type_gzip_and_etag(srv):
    files = sorted(p for p in CONSOLE.rglob("*") if p.is_file())
    assert {"index.html", "app.js", "app.css", "api.js", "sigv4.js"} <= {p.name for p in files}
    total_gz = 0
    for f in files:
        name = f.relative_to(CONSOLE).as_posix()
        raw = f.read_bytes()
        status, h, body = get(srv.url, f"/console/{name}")
        assert status == 200, name
        assert h["content-type"] == TYPES[f.suffix], name
        assert body == raw and "content-encoding" not in h, name
        assert h["cache-control"] == "no-cache" and h["x-content-type-options"] == "nosniff"
        assert h["vary"] == "Accept-Encoding"
        assert h["content-security-policy"].startswith("default-src 'none'; script-src 'self'; style-src 'self'; ")
        assert "connect-src 'self'" in h["content-security-policy"]
        etag = h["etag"]
        assert len(etag) == 18 and etag[0] == etag[-1] == '"', etag

        status, hz, zbody = get(srv.url, f"/console/{name}", {"Accept-Encoding": "gzip, deflate, br"})
        assert status == 200 and hz["content-encoding"] == "gzip" and hz["etag"] == etag, name
        assert gzip.decompress(zbody) == raw and len(zbody) < len(raw), name
        total_gz += len(zbody)

        status, h304, body = get(srv.url, f"/console/{name}", {"If-None-Match": etag})
        assert (status, body, h304["etag"]) == (304, b"", etag), name
        status, _, body = get(srv.url, f"/console/{name}", {"If-None-Match": '"0000000000000000"'})
        assert status == 200 and body == raw
    print(f"console: {len(files)} files, {total_gz} bytes gzip-compressed "
          f"({sum(p.stat().st_size for p in files)} raw)")
    assert total_gz <= BUDGET, total_gz


def test_index_redirect_and_unknown_paths(srv):
    index = (CONSOLE / "index.html").read_bytes()
    status, h, body = get(srv.url, "/console/")
    assert (status, h["content-type"], body) == (200, "text/html; charset=utf-8", index)
    status, h, body = get(srv.url, "/console/?x=1")
    assert (status, body) == (200, index)
    status, h, body = get(srv.url, "/console")
    assert (status, h["location"], body) == (301, "/console/", b"")
    status, h, body = get(srv.url, "/console/nope.js")
    assert (status, h["content-type"], body) == (404, "text/plain", b"Not Found")
    status, h, body = get(srv.url, "/console/app.js/x")
    assert (status, body) == (404, b"Not Found")
    # outside the prefix: as without a console (DynamoDB's answer to other paths)
    for path in ("/consolex", "/consoleapp.js", "/other", "/console.html"):
        status, h, body = get(srv.url, path)
        assert (status, body) == (404, UNKNOWN), path
    # the health check and /metrics are untouched
    status, _, body = get(srv.url, "/")
    assert status == 200 and body.startswith(b"healthy: dynamodb.")
    status, _, body = get(srv.url, "/metrics")
    text = body.decode()
    assert 'dynarock_build_info{version="0.1.0"} 1' in text
    assert 'console_path="/console"} 1' in text and 'threads="1"' in text
    assert "\nprocess_start_time_seconds " in text


def test_no_console_and_non_loopback(server_factory):
    off = server_factory(["--in-memory", "--threads", "1", "--no-console"])
    assert get(off.url, "/console/")[0::2] == (404, UNKNOWN)
    assert get(off.url, "/console/app.js")[0::2] == (404, UNKNOWN)
    assert 'console_path=""' in get(off.url, "/metrics")[2].decode()

    # listening on every interface: off unless --console (the test connects through loopback only)
    port = du.free_port()
    public = server_factory(["--host", "0.0.0.0", "--port", str(port), "--in-memory", "--threads", "1"],
                            port=port, host_flags=False)
    assert get(public.url, "/console/")[0::2] == (404, UNKNOWN)
    port = du.free_port()
    opted = server_factory(["--host", "0.0.0.0", "--port", str(port), "--in-memory", "--threads", "1",
                            "--console"], port=port, host_flags=False)
    assert get(opted.url, "/console/")[0] == 200


def test_console_path_and_variables(server_factory, monkeypatch):
    ui = server_factory(["--in-memory", "--threads", "1", "--console-path", "/admin/ui/"])
    assert get(ui.url, "/admin/ui/app.css")[2] == (CONSOLE / "app.css").read_bytes()
    assert get(ui.url, "/admin/ui")[1]["location"] == "/admin/ui/"
    assert get(ui.url, "/console/")[0::2] == (404, UNKNOWN)

    monkeypatch.setenv("DYNAROCK_NO_CONSOLE", "1")
    off = server_factory(["--in-memory", "--threads", "1"])
    assert get(off.url, "/console/")[0::2] == (404, UNKNOWN)
    monkeypatch.delenv("DYNAROCK_NO_CONSOLE")
    monkeypatch.setenv("DYNAROCK_CONSOLE_PATH", "/c")
    c = server_factory(["--in-memory", "--threads", "1"])
    assert get(c.url, "/c/")[0] == 200 and get(c.url, "/console/")[0] == 404


@pytest.mark.parametrize("path", ["/", "console", "//x", "/a/../b", ""])
def test_bad_console_path_refused(path):
    r = subprocess.run([str(du.binary_path()), "--in-memory", "--console-path", path], capture_output=True,
                       text=True, timeout=10)
    assert r.returncode == 2
    assert r.stderr == "dynarock: --console-path needs a path such as /console (not /)\n"


def _botocore_authorization(c):
    """The Authorization header botocore's SigV4 signer computes for case c at its fixed time."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    cr = c["creds"]
    req = AWSRequest(method=c["method"], url=c["url"], headers=dict(c["headers"]), data=c["body"].encode())
    ts = "20150830T123600Z"
    req.context["timestamp"] = ts
    req.headers["X-Amz-Date"] = ts
    if cr.get("sessionToken"):
        req.headers["X-Amz-Security-Token"] = cr["sessionToken"]
    auth = SigV4Auth(Credentials(cr["accessKeyId"], cr["secretAccessKey"], cr.get("sessionToken")), c["service"],
                     c["region"])
    creq = auth.canonical_request(req)
    sig = auth.signature(auth.string_to_sign(req, creq), req)
    return (f"AWS4-HMAC-SHA256 Credential={auth.scope(req)}, "
            f"SignedHeaders={auth.signed_headers(auth.headers_to_sign(req))}, Signature={sig}")


def test_console_functions():
    """console/'s pure functions in Node: SigV4 equal to botocore's, DynamoDB JSON conversions, the
    import parser, the metrics parser and quantiles, stream diffs, grid columns."""
    node = shutil.which("node")
    if not node:
        pytest.fail("node is needed (scripts/install-deps.sh --test)", pytrace=False)
    creds = {"accessKeyId": "AKIDEXAMPLE", "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"}
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2026-12-04T22:43:16.157"
    sign = [
        {"method": "POST", "url": "http://127.0.0.1:8000/", "service": "dynamodb", "region": "us-east-1",
         "headers": {"content-type": "application/x-amz-json-1.0", "x-amz-target": "DynamoDB_20120810.ListTables"},
         "body": '{"Limit": 5, "s": "é  two  spaces"}', "creds": creds},
        {"method": "GET", "url": "http://localhost:8000/2015-03-31/event-source-mappings/?EventSourceArn="
         + urllib.parse.quote(arn, safe=""), "service": "lambda", "region": "eu-west-3",
         "headers": {}, "body": "", "creds": {**creds, "sessionToken": "token/with+chars=="}},
        {"method": "GET", "url": "http://localhost/metrics", "service": "dynamodb", "region": "us-east-1",
         "headers": {}, "body": "", "creds": creds},
    ]
    for c in sign:
        c["now"] = "2015-08-30T12:36:00.000Z"
    item = {"pk": {"S": "a"}, "n": {"N": "12.5"}, "big": {"N": "123456789012345678901234567890"},
            "l": {"L": [{"BOOL": True}, {"NULL": True}]}, "m": {"M": {"x": {"N": "-1"}}}, "ss": {"SS": ["a"]},
            "b": {"B": "AAE="}}
    r = subprocess.run([node, str(Path(__file__).resolve().parent / "js" / "console_units.mjs")],
                       input=json.dumps({"sign": sign, "item": item}), capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)

    for c, got in zip(sign, out["signatures"]):
        assert got["authorization"] == _botocore_authorization(c), c["url"]
        assert got["x-amz-date"] == "20150830T123600Z"
        assert got.get("x-amz-security-token") == c["creds"].get("sessionToken")

    assert out["plain"] == {"pk": "a", "n": 12.5, "big": "123456789012345678901234567890", "l": [True, None],
                            "m": {"x": -1}, "ss": ["a"], "b": "AAE="}
    assert out["exact"] == {"pk": True, "n": True, "big": False, "l": True, "m": True, "ss": False, "b": False}
    assert out["back"]["l"] == item["l"] and out["back"]["m"] == item["m"] and out["back"]["n"] == item["n"]
    assert out["fromPlain"] == {"M": {"a": {"L": [{"N": "1"}, {"S": "x"}, {"NULL": True}, {"BOOL": True}]},
                                      "b": {"M": {"c": {"N": "2.5"}}}}}
    assert out["toPlainSet"] == ["a", "b"]
    assert out["looks"] == [True, False, False]
    assert out["cells"] == [200, '{"a":1}', "b64:AAE=", ""]
    assert out["parsed"] == {"array": [{"a": {"S": "x"}}, {"b": {"N": "1"}}], "items": [{"a": {"N": "1"}}],
                             "lines": [{"a": {"S": "1"}}, {"a": {"S": "2"}}], "plain": [{"a": {"M": {"S": {"S": "x"}}}}]}
    assert out["badItem"] == "item 1 is not a JSON object"
    assert out["badLine"].startswith("line 2: ")
    assert out["metrics"] == [{"name": "m_total", "labels": {"op": "a", "le": "0.1"}, "value": 3},
                              {"name": "m", "labels": {"lab": 'q"uote\\n'}, "value": 1.5},
                              {"name": "plain", "labels": {}, "value": 7}]
    assert out["quantiles"] == [pytest.approx(0.001), pytest.approx(0.091)]  # as Prometheus interpolates
    assert out["diff"] == [{"name": "k", "old": {"S": "1"}, "new": {"S": "1"}, "change": "same"},
                           {"name": "a", "old": {"N": "1"}, "new": {"N": "2"}, "change": "changed"},
                           {"name": "gone", "old": {"S": "x"}, "change": "removed"},
                           {"name": "added", "new": {"BOOL": True}, "change": "added"}]
    assert out["columns"] == ["pk", "sk", "x", "y"]
