"""The web console's asset routes (issue 20), server side: every file of console/ served from the binary
with its content type, gzip when asked, ETag revalidation, the security headers; 404 for an unknown
asset; the size budget (the whole console at most 200 KB compressed); --no-console, --console-path, the
DYNAROCK_* variables, and the default off on a non-loopback --host. The browser side is
test_console_browser.py. dynarock-only: it starts its own servers.
"""
import gzip
import http.client
import subprocess
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
