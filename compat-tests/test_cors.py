"""CORS (issue 16): `--cors [ORIGINS]` / DynamoDB Local's `-cors [ORIGINS]`, off by default.

dynarock-only (needs its own servers with the flag), so skipped against a real endpoint. What the
answers hold follows what DynamoDB answers:
- a preflight (OPTIONS / with Origin, Access-Control-Request-Method and -Headers) to
  dynamodb.us-east-1.amazonaws.com answered 200 with an empty body, x-amzn-RequestId,
  Access-Control-Allow-Origin `*`, Access-Control-Allow-Headers echoing the requested headers,
  Access-Control-Allow-Methods `POST` (the requested method), Access-Control-Expose-Headers
  `x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date` and Access-Control-Max-Age `172800`
  (AllanZhengYP/cors-test output.md, a survey of AWS endpoints, 2020);
- a request without Origin gets no CORS header; with Origin every answer carries Allow-Origin and
  Expose-Headers, and only the preflight carries Max-Age, Allow-Methods and Allow-Headers, which echo
  the requested method and headers (scylladb test/alternator/test_cors.py, which runs against AWS);
- DynamoDB Local: `-cors` takes a comma-separated allow list; its default is `*` (DynamoDB developer
  guide, "DynamoDB local usage notes").
Our choices where AWS has nothing to show (it allows every origin): with a list, an allowed origin is
echoed with `Vary: Origin`, and a refused one gets the answer without any Access-Control header
(the browser then refuses it). Exposed headers: AWS's list plus x-amz-crc32.
"""
import re

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

EXPOSE = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date,x-amz-crc32"
MAX_AGE = "172800"
# What the JS SDK v3 asks for in a browser (Chromium lower-cases and sorts the list).
SDK_HEADERS = "amz-sdk-invocation-id,amz-sdk-request,authorization,content-type,x-amz-content-sha256," \
              "x-amz-date,x-amz-target,x-amz-user-agent"
PAGE = "http://localhost:5173"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    d = tmp_path_factory.mktemp("cors")
    started = {}
    try:
        # DynamoDB Local's spelling, no list (followed by another flag): every origin
        started["any"] = du.Server(["-cors", "-inMemory"], d / "any.log").start()
        started["list"] = du.Server(["--in-memory", "--cors", f"http://app.test, {PAGE}/"], d / "list.log").start()
        started["off"] = du.Server(["--in-memory"], d / "off.log").start()
        yield {k: du.RawClient(s.url, "us-east-1", du.static_credentials()) for k, s in started.items()}
    finally:
        for s in started.values():
            s.stop()


def cors_headers(r):
    return {k: v for k, v in r.headers.items() if k.startswith("access-control-")}


def preflight(raw, origin, method="POST", headers=SDK_HEADERS):
    h = {"Origin": origin}
    if method is not None:
        h["Access-Control-Request-Method"] = method
    if headers is not None:
        h["Access-Control-Request-Headers"] = headers
    return raw.request("OPTIONS", "/", content_type=None, headers=h, sign=False)


def check_empty_200(r):
    assert r.status == 200, r
    assert r.body == b""
    assert r.headers["content-length"] == "0"
    assert re.fullmatch(r"[0-9A-Z]{52}", r.headers.get("x-amzn-requestid", "")), r.headers


# ---- preflight ---------------------------------------------------------------------------------


def test_preflight_any_origin(servers):
    r = preflight(servers["any"], "http://example.com")
    check_empty_200(r)
    assert cors_headers(r) == {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": SDK_HEADERS,
        "access-control-expose-headers": EXPOSE,
        "access-control-max-age": MAX_AGE,
    }
    assert "vary" not in r.headers


def test_preflight_echoes_what_is_requested(servers):
    r = preflight(servers["any"], "http://example.com", method="PUT", headers="cat, meerkat, mouse")
    check_empty_200(r)
    assert r.headers["access-control-allow-methods"] == "PUT"
    assert r.headers["access-control-allow-headers"] == "cat, meerkat, mouse"


def test_preflight_without_request_lists_allows_the_sdk_headers(servers):
    r = preflight(servers["any"], "http://example.com", method=None, headers=None)
    check_empty_200(r)
    assert r.headers["access-control-allow-origin"] == "*"
    assert r.headers["access-control-allow-methods"] == "GET,POST"
    allowed = r.headers["access-control-allow-headers"].split(",")
    for h in SDK_HEADERS.split(",") + ["x-amz-security-token"]:
        assert h in allowed, h
    assert r.headers["access-control-max-age"] == MAX_AGE


@pytest.mark.parametrize("origin", [PAGE, "http://app.test"])
def test_preflight_listed_origin(servers, origin):
    r = preflight(servers["list"], origin)
    check_empty_200(r)
    assert cors_headers(r) == {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "POST",
        "access-control-allow-headers": SDK_HEADERS,
        "access-control-expose-headers": EXPOSE,
        "access-control-max-age": MAX_AGE,
    }
    assert r.headers["vary"] == "Origin"


@pytest.mark.parametrize("origin", ["http://evil.test", "http://localhost:5174", "https://localhost:5173", "null"])
def test_preflight_refused_origin(servers, origin):
    r = preflight(servers["list"], origin)
    check_empty_200(r)
    assert cors_headers(r) == {}
    assert r.headers["vary"] == "Origin"


def test_options_without_origin(servers):
    r = servers["any"].request("OPTIONS", "/", content_type=None, sign=False)
    check_empty_200(r)
    assert cors_headers(r) == {}


# ---- answers to real requests ------------------------------------------------------------------


def test_post_any_origin(servers):
    r = servers["any"].call("ListTables", {}, headers={"Origin": "http://example.com"})
    assert r.status == 200, r
    assert isinstance(r.json()["TableNames"], list)
    assert cors_headers(r) == {"access-control-allow-origin": "*", "access-control-expose-headers": EXPOSE}
    assert r.headers["content-type"] == "application/x-amz-json-1.0"
    assert "x-amz-crc32" in r.headers and "x-amzn-requestid" in r.headers


def test_post_listed_origin(servers):
    r = servers["list"].call("ListTables", {}, headers={"Origin": PAGE})
    assert r.status == 200, r
    assert cors_headers(r) == {"access-control-allow-origin": PAGE, "access-control-expose-headers": EXPOSE}
    assert r.headers["vary"] == "Origin"


def test_error_answers_carry_cors_headers(servers):
    # the page's script can read DynamoDB's error, not just a network failure
    r = servers["any"].call("NoSuchOperation", {}, headers={"Origin": "http://example.com"})
    assert r.status == 400
    assert r.error_type == "com.amazon.coral.service#UnknownOperationException"
    assert cors_headers(r) == {"access-control-allow-origin": "*", "access-control-expose-headers": EXPOSE}


def test_health_check_carries_cors_headers(servers):
    r = servers["any"].request("GET", "/", content_type=None, sign=False, headers={"Origin": "http://example.com"})
    assert r.status == 200
    assert r.headers["access-control-allow-origin"] == "*"


def test_post_refused_origin_is_answered_without_cors_headers(servers):
    # the server still answers; the browser keeps the answer from the page
    r = servers["list"].call("ListTables", {}, headers={"Origin": "http://evil.test"})
    assert r.status == 200, r
    assert cors_headers(r) == {}
    assert r.headers["vary"] == "Origin"


def test_post_without_origin(servers):
    r = servers["any"].call("ListTables", {})
    assert r.status == 200
    assert cors_headers(r) == {}
    assert "vary" not in r.headers


# ---- off by default ----------------------------------------------------------------------------


def test_off_options_is_unknown_operation(servers):
    r = preflight(servers["off"], "http://example.com")
    assert (r.status, r.body) == (404, b"<UnknownOperationException/>\n"), r  # as any other method
    assert cors_headers(r) == {}
    assert "vary" not in r.headers


def test_off_post_has_no_cors_headers(servers):
    r = servers["off"].call("ListTables", {}, headers={"Origin": "http://example.com"})
    assert r.status == 200
    assert cors_headers(r) == {}
    assert "vary" not in r.headers
