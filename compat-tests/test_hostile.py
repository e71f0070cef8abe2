"""Hostile input: requests written to hurt a server. Each must get its error (or a closed
connection where HTTP allows only that) and the server must go on answering: after every test
GET / answers `healthy: ...` and, at the end, SIGTERM stops it with exit code 0.

Not repeated here (see test_protocol.py and test_robustness.py): the basic broken-JSON bodies,
wrong JSON types, bodies over 16 MB, a corrupt gzip body, the seeded structural fuzz and nesting
up to 10,000 levels.

Facts (sources):
- A body that is not JSON -> com.amazon.coral.service#SerializationException — architect/dynalite
  test/connection.js (recorded from AWS). Which of SerializationException and ValidationException
  AWS gives for invalid UTF-8, non-scalar surrogates and extreme nesting is not recorded: those
  tests accept either, with HTTP 400 and a JSON error body.
- Out-of-range numbers in Limit, Segment, TotalSegments and ProvisionedThroughput are
  ValidationException ('1 validation error detected: ...') or, when the number does not fit the
  member's Java type, SerializationException; fractions are truncated toward zero first
  (docs/compatibility.md, Integer / Long members; dynalite records fractions accepted). The exact
  messages are pinned by the modules of those operations, so here only the type is checked.
- Request bodies over 16 MB -> 413, and Content-Encoding gzip/deflate bodies are accepted
  (DESIGN.md "Wire facts"); the limit applies to the inflated body, so a compressed bomb is a 413
  however small it is on the wire.
- Request line and headers <= 16 KB each (DESIGN.md "Wire facts").
- HTTP/1.1 framing, RFC 9112 section 6.3: a request with Transfer-Encoding and Content-Length, or
  with Content-Length values that differ, cannot be framed safely (request smuggling); the server
  must answer 400 (dynarock's choice where the RFC allows "reject") and close the connection. A
  request with broken framing inside a pipeline ends the connection after its answer; requests
  with broken content but intact framing are answered in order like any others.

This module starts its own dynarock (two event loops), so a crash is confined to it and its log
can be shown: needs_process and dynarock_only (it sends hostile traffic; never run against AWS).
"""
import json
import socket
import struct
import threading
import time
import zlib

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.dynarock_only, pytest.mark.needs_process]

TYPES_400 = ("SerializationException", "ValidationException")
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer", "runtime error:")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    s = du.Server(["--in-memory", "--threads", "2"], tmp_path_factory.mktemp("hostile") / "server.log").start()
    yield s
    s.kill()


@pytest.fixture(scope="module")
def hraw(srv):
    return du.RawClient(srv.url, "us-east-1", du.static_credentials())


@pytest.fixture(scope="module")
def table(hraw):
    name = du.unique_name("hostile")
    r = hraw.call("CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                                  **du.key_schema("p", "S", "c", "S")})
    assert r.status == 200, r
    for i in range(3):
        assert hraw.call("PutItem", {"TableName": name, "Item": {"p": du.S("k"), "c": du.S(f"c{i}"),
                                                                   "v": du.N(i)}}).status == 200
    return name


@pytest.fixture(autouse=True)
def still_answers(request, srv):
    """After every test: the server process lives and answers GET / promptly."""
    yield
    if srv.proc is None:  # stopped on purpose by the last test
        return
    if srv.proc.poll() is not None:
        pytest.fail(f"dynarock is gone (exit {srv.proc.poll()}):\n{srv.log_tail()}", pytrace=False)
    try:
        status, body = du.http_get(srv.url, timeout=5.0)
    except OSError as e:
        pytest.fail(f"GET / failed after the test: {e}\n{srv.log_tail()}", pytrace=False)
    assert status == 200 and body.startswith(b"healthy: dynamodb."), (status, body)


def check_400(r, types=TYPES_400):
    """HTTP 400, a JSON error body, and a __type whose code is one of `types`."""
    assert r.status == 400, r
    assert r.headers.get("content-type") == "application/x-amz-json-1.0", r.headers
    body = r.json()
    assert isinstance(body, dict) and "__type" in body, body
    assert r.error_code in types, r
    assert int(r.headers["x-amz-crc32"]) == zlib.crc32(r.body)


# ---- raw HTTP/1.1 over a socket ------------------------------------------------------------------


def http_request(op, body, extra=b"", host=b"hostile"):
    if isinstance(body, str):
        body = body.encode()
    return (b"POST / HTTP/1.1\r\nHost: " + host + b"\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810." + op.encode() + b"\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def __repr__(self):
        return f"Answer({self.status}, {self.body[:200]!r})"


def exchange(url, data, timeout=5.0):
    """Send `data` on one new connection and read answers until the server closes it or stays
    silent for `timeout`. Returns (answers in order, how it ended: 'closed' | 'reset' | 'open')."""
    port = int(url.rsplit(":", 1)[1])
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf, ended = b"", "open"
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything
        while True:
            try:
                k = s.recv(1 << 16)
            except socket.timeout:
                break
            except ConnectionResetError:
                ended = "reset"
                break
            if not k:
                ended = "closed"
                break
            buf += k
    finally:
        s.close()
    answers = []
    while buf:
        head, sep, rest = buf.partition(b"\r\n\r\n")
        assert sep, f"incomplete answer headers: {buf[:300]!r}"
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            headers[k.strip().lower().decode()] = v.strip().decode()
        n = int(headers.get("content-length", "0"))
        assert len(rest) >= n, f"truncated answer body: {buf[:300]!r}"
        answers.append(Answer(status, headers, rest[:n]))
        buf = rest[n:]
    return answers, ended


# ---- invalid UTF-8 and malformed JSON --------------------------------------------------------------


@pytest.mark.parametrize("label,op,body", [
    ("0xff in a string", "DescribeTable", b'{"TableName":"ab\xff\xfecd"}'),
    ("overlong encoding of /", "DescribeTable", b'{"TableName":"ab\xc0\xafcd"}'),
    ("UTF-8 encoded surrogate", "DescribeTable", b'{"TableName":"ab\xed\xa0\x80cd"}'),
    ("code point over U+10FFFF", "DescribeTable", b'{"TableName":"ab\xf4\x90\x80\x80cd"}'),
    ("truncated sequence at the end of a string", "DescribeTable", b'{"TableName":"abc\xe2\x82"}'),
    ("continuation byte alone", "DescribeTable", b'{"TableName":"abc\x80"}'),
    ("invalid byte in a member name", "ListTables", b'{"Li\xffmit":1}'),
    ("invalid byte in an attribute value", "PutItem", b'{"TableName":"%s","Item":{"p":{"S":"k\xff"},"c":{"S":"c"}}}'),
    ("invalid byte in an attribute name", "PutItem", b'{"TableName":"%s","Item":{"p":{"S":"k"},"c":{"S":"c"},"\xc3":{"S":"v"}}}'),
    ("invalid byte in an expression", "Query",
     b'{"TableName":"%s","KeyConditionExpression":"p = :v\xff","ExpressionAttributeValues":{":v":{"S":"k"}}}'),
    ("lone high surrogate escape", "PutItem", b'{"TableName":"%s","Item":{"p":{"S":"k\\ud800"},"c":{"S":"c"}}}'),
    ("lone low surrogate escape", "PutItem", b'{"TableName":"%s","Item":{"p":{"S":"k\\udc00x"},"c":{"S":"c"}}}'),
])
def test_invalid_utf8_is_rejected(hraw, table, label, op, body):
    if b"%s" in body:
        body = body.replace(b"%s", table.encode())
    r = hraw.call(op, body)
    check_400(r)
    if op == "PutItem":  # nothing was stored under the valid part of the key either
        got = hraw.call("GetItem", {"TableName": table, "Key": {"p": du.S("k"), "c": du.S("c")}, "ConsistentRead": True})
        assert got.status == 200 and got.json() == {}, got


@pytest.mark.parametrize("label,body", [
    ("byte order mark", b'\xef\xbb\xbf{"Limit":1}'),
    ("text after the object", b'{"Limit":1} x'),
    ("second object", b'{"Limit":1}{"Limit":2}'),
    ("NUL after the object", b'{"Limit":1}\x00'),
    ("lone NUL", b"\x00"),
    ("trailing comma", b'{"Limit":1,}'),
    ("single quotes", b"{'Limit':1}"),
    ("comment", b'{"Limit":1 /* c */}'),
    ("leading zero", b'{"Limit":01}'),
    ("NaN", b'{"Limit":NaN}'),
    ("Infinity", b'{"Limit":-Infinity}'),
    ("hex number", b'{"Limit":0x10}'),
    ("bad escape", b'{"ExclusiveStartTableName":"a\\x41"}'),
    ("short unicode escape", b'{"ExclusiveStartTableName":"a\\u41"}'),
    ("raw control character in a string", b'{"ExclusiveStartTableName":"a\x01b"}'),
    ("raw newline in a string", b'{"ExclusiveStartTableName":"a\nb"}'),
    ("unterminated string", b'{"ExclusiveStartTableName":"abc'),
    ("missing colon", b'{"Limit" 1}'),
    ("bare word", b"{Limit:1}"),
])
def test_malformed_json_is_serialization_exception(hraw, label, body):
    check_400(hraw.call("ListTables", body), ("SerializationException",))


# ---- 100,000-deep nesting -------------------------------------------------------------------------

DEEP = 100_000


@pytest.mark.parametrize("label,op,make", [
    ("arrays, closed", "ListTables", lambda t: "[" * DEEP + "]" * DEEP),
    ("arrays, unclosed", "ListTables", lambda t: "[" * DEEP),
    ("objects, closed", "ListTables", lambda t: '{"a":' * DEEP + "1" + "}" * DEEP),
    ("objects, unclosed", "ListTables", lambda t: '{"a":' * DEEP),
    ("arrays as a member", "ListTables", lambda t: '{"ExclusiveStartTableName":' + "[" * DEEP + "]" * DEEP + "}"),
    ("M values in an item", "PutItem", lambda t: json.dumps({"TableName": t, "Item": {"p": du.S("deep"), "c": du.S("m")}})[:-2]
     + ',"m":' + '{"M":{"a":' * DEEP + '{"S":"x"}' + "}}" * DEEP + "}}"),
    ("L values in an item", "PutItem", lambda t: json.dumps({"TableName": t, "Item": {"p": du.S("deep"), "c": du.S("l")}})[:-2]
     + ',"l":' + '{"L":[' * DEEP + '{"S":"x"}' + "]}" * DEEP + "}}"),
    ("expression values", "Query", lambda t: '{"TableName":"%s","KeyConditionExpression":"p = :v",'
     '"ExpressionAttributeValues":{":v":' % t + '{"M":{"a":' * DEEP + "}}" * DEEP + "}}"),
])
def test_100k_deep_nesting(hraw, table, label, op, make):
    t = time.monotonic()
    r = hraw.call(op, make(table))
    check_400(r)
    assert time.monotonic() - t < 5.0, "a deep body took over 5 s"
    if op == "PutItem":
        got = hraw.call("GetItem", {"TableName": table, "Key": {"p": du.S("deep"), "c": du.S(label[0].lower())},
                                    "ConsistentRead": True})
        assert got.json() == {}, got


# ---- numbers at and beyond every limit ------------------------------------------------------------

# Integer/Long members are read with Jackson's rules (docs/compatibility.md): a fraction is
# truncated toward zero (1.9 -> 1, 1e-999999 -> 0), so only values that are out of range once
# truncated are refused; test_fractions_are_truncated checks the truncation itself.
BAD_INTS = ["1e300", "-1", "0", "0.9", "1e-999999", "123456789012345678901234567890", "2147483648",
            "-2147483649", "9223372036854775808", "-9223372036854775809"]
BAD_SEGMENTS = ["1e300", "-1", "-0.5e1", "123456789012345678901234567890", "4", "4.5", "1000000", "2147483648"]
BAD_TOTAL_SEGMENTS = ["1e300", "-1", "0", "0.9", "1e-999999", "123456789012345678901234567890", "1000001",
                      "2147483648"]
BAD_UNITS = ["1e300", "-1", "0", "0.9", "1e-999999", "123456789012345678901234567890", "9223372036854775808",
             "-9223372036854775809"]


def body_with(template, value):
    return template.replace("@", value)


@pytest.mark.parametrize("value", BAD_INTS)
@pytest.mark.parametrize("op,template", ids=["Scan", "Query", "ListTables"], argvalues=[
    ("Scan", '{"TableName":"%T","Limit":@}'),
    ("Query", '{"TableName":"%T","Limit":@,"KeyConditionExpression":"p = :v","ExpressionAttributeValues":{":v":{"S":"k"}}}'),
    ("ListTables", '{"Limit":@}'),
])
def test_bad_limit(hraw, table, op, template, value):
    check_400(hraw.call(op, body_with(template.replace("%T", table), value)))


@pytest.mark.parametrize("value", BAD_SEGMENTS)
def test_bad_segment(hraw, table, value):
    check_400(hraw.call("Scan", '{"TableName":"%s","Segment":%s,"TotalSegments":4}' % (table, value)))


@pytest.mark.parametrize("value", BAD_TOTAL_SEGMENTS)
def test_bad_total_segments(hraw, table, value):
    check_400(hraw.call("Scan", '{"TableName":"%s","Segment":0,"TotalSegments":%s}' % (table, value)))


def test_fractions_are_truncated(hraw, table):
    r = hraw.call("Scan", '{"TableName":"%s","Limit":1.9}' % table)
    assert r.status == 200, r
    assert r.json()["Count"] == 1 and "LastEvaluatedKey" in r.json()
    r = hraw.call("Query", '{"TableName":"%s","Limit":2.5,"KeyConditionExpression":"p = :v",'
                  '"ExpressionAttributeValues":{":v":{"S":"k"}}}' % table)
    assert r.status == 200, r
    assert [i["c"]["S"] for i in r.json()["Items"]] == ["c0", "c1"]
    r = hraw.call("Scan", '{"TableName":"%s","Segment":1e-999999,"TotalSegments":1.9}' % table)
    assert r.status == 200, r
    assert r.json()["Count"] == 3


KEYS = '"KeySchema":[{"AttributeName":"p","KeyType":"HASH"}],' \
       '"AttributeDefinitions":[{"AttributeName":"p","AttributeType":"S"},{"AttributeName":"g","AttributeType":"S"}]'
GSI = '{"IndexName":"gsi1","KeySchema":[{"AttributeName":"g","KeyType":"HASH"}],"Projection":{"ProjectionType":"ALL"},' \
      '"ProvisionedThroughput":%s}'
CREATE_TEMPLATES = [
    ("table read units", '{"TableName":"%T",' + KEYS + ',"ProvisionedThroughput":{"ReadCapacityUnits":@,"WriteCapacityUnits":1}}'),
    ("table write units", '{"TableName":"%T",' + KEYS + ',"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":@}}'),
    ("GSI read units", '{"TableName":"%T",' + KEYS + ',"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},'
     '"GlobalSecondaryIndexes":[' + GSI % '{"ReadCapacityUnits":@,"WriteCapacityUnits":1}' + "]}"),
    ("GSI write units", '{"TableName":"%T",' + KEYS + ',"ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1},'
     '"GlobalSecondaryIndexes":[' + GSI % '{"ReadCapacityUnits":1,"WriteCapacityUnits":@}' + "]}"),
]


@pytest.mark.parametrize("value", BAD_UNITS)
@pytest.mark.parametrize("label,template", CREATE_TEMPLATES, ids=[c[0] for c in CREATE_TEMPLATES])
def test_bad_throughput_in_create_table(hraw, label, template, value):
    name = du.unique_name("units")
    r = hraw.call("CreateTable", body_with(template.replace("%T", name), value))
    if r.status == 200:
        hraw.call("DeleteTable", {"TableName": name})
    check_400(r)
    assert hraw.call("DescribeTable", {"TableName": name}).error_code == "ResourceNotFoundException"


@pytest.fixture(scope="module")
def provisioned_table(hraw):
    name = du.unique_name("units")
    r = hraw.call("CreateTable", body_with(CREATE_TEMPLATES[2][1].replace("%T", name), "1"))
    assert r.status == 200, r
    return name


UPDATE_TEMPLATES = [
    ("table read units", '{"TableName":"%T","ProvisionedThroughput":{"ReadCapacityUnits":@,"WriteCapacityUnits":2}}'),
    ("table write units", '{"TableName":"%T","ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":@}}'),
    ("GSI update read units", '{"TableName":"%T","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gsi1",'
     '"ProvisionedThroughput":{"ReadCapacityUnits":@,"WriteCapacityUnits":2}}}]}'),
    ("GSI update write units", '{"TableName":"%T","GlobalSecondaryIndexUpdates":[{"Update":{"IndexName":"gsi1",'
     '"ProvisionedThroughput":{"ReadCapacityUnits":2,"WriteCapacityUnits":@}}}]}'),
    ("GSI create read units", '{"TableName":"%T","AttributeDefinitions":[{"AttributeName":"h","AttributeType":"S"}],'
     '"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"gsi2","KeySchema":[{"AttributeName":"h","KeyType":"HASH"}],'
     '"Projection":{"ProjectionType":"ALL"},"ProvisionedThroughput":{"ReadCapacityUnits":@,"WriteCapacityUnits":1}}}]}'),
]


@pytest.mark.parametrize("value", BAD_UNITS)
@pytest.mark.parametrize("label,template", UPDATE_TEMPLATES, ids=[u[0] for u in UPDATE_TEMPLATES])
def test_bad_throughput_in_update_table(hraw, provisioned_table, label, template, value):
    def state():
        t = hraw.call("DescribeTable", {"TableName": provisioned_table}).json()["Table"]
        units = lambda d: (d["ProvisionedThroughput"]["ReadCapacityUnits"], d["ProvisionedThroughput"]["WriteCapacityUnits"])
        return units(t), sorted((i["IndexName"], units(i)) for i in t.get("GlobalSecondaryIndexes", []))

    before = state()
    # a new index name each time, so an index wrongly created by one case cannot refuse the next
    template = template.replace('"gsi2"', '"gsi_%s"' % du.uid())
    r = hraw.call("UpdateTable", body_with(template.replace("%T", provisioned_table), value))
    check_400(r)
    assert state() == before, "a refused UpdateTable changed the table"


# ---- compressed bombs -----------------------------------------------------------------------------


def bomb(total, encoding):
    """A body of `total` bytes once inflated: {"TableName":"aaaa...a"}, compressed by repeating one
    independently compressed 1 MB block (a full flush resets the dictionary, so its bytes are
    the same every time), with a correct gzip/zlib trailer. 1 GB costs ~1 MB and ~2 s (the CRC)."""
    prefix, suffix, chunk = b'{"TableName":"', b'"}', b"a" * (1 << 20)
    n = (total - len(prefix) - len(suffix)) // len(chunk)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.compress(suffix) + c.flush()
    size = len(prefix) + n * len(chunk) + len(suffix)
    if encoding == "gzip":
        crc = zlib.crc32(prefix)
        for _ in range(n):
            crc = zlib.crc32(chunk, crc)
        crc = zlib.crc32(suffix, crc)
        return b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + head + block * n + tail + \
            struct.pack("<II", crc, size & 0xFFFFFFFF)
    if encoding == "deflate":  # zlib-wrapped, as RFC 9110 defines the deflate coding
        ad = zlib.adler32(prefix)
        for _ in range(n):
            ad = zlib.adler32(chunk, ad)
        ad = zlib.adler32(suffix, ad)
        return b"\x78\xda" + head + block * n + tail + struct.pack(">I", ad)
    return head + block * n + tail  # raw deflate, as some clients send it


MB = 1 << 20


@pytest.mark.parametrize("encoding,wire", [("gzip", "gzip"), ("deflate", "deflate"), ("raw", "deflate")])
@pytest.mark.parametrize("size", [17 * MB, 20 * MB, 32 * MB], ids=["17MB", "20MB", "32MB"])
def test_compressed_body_over_16mb_is_413(hraw, encoding, wire, size):
    body = bomb(size, encoding)
    assert zlib.decompressobj(47 if encoding != "raw" else -15).decompress(body, 32)[:14] == b'{"TableName":"'
    r = hraw.call("DescribeTable", body, headers={"Content-Encoding": wire})
    assert r.status == 413, r


def test_gzip_bomb_of_1gb_is_413_promptly(hraw):
    body = bomb(1 << 30, "gzip")
    t = time.monotonic()
    r = hraw.call("DescribeTable", body, headers={"Content-Encoding": "gzip"})
    assert r.status == 413, r
    assert time.monotonic() - t < 5.0, "the server inflated far past the limit before refusing"


def test_compressed_body_under_16mb_is_read(hraw):
    # 15 MB inflated is under the limit: the body is read and the table name judged (too long).
    r = hraw.call("DescribeTable", bomb(15 * MB, "gzip"), headers={"Content-Encoding": "gzip"})
    check_400(r, ("ValidationException",))


# ---- header floods, slowloris ---------------------------------------------------------------------


def refused(answers, ended):
    """A 4xx answer (and nothing else), or the connection ended without an answer."""
    if answers:
        return len(answers) == 1 and 400 <= answers[0].status < 500
    return ended in ("closed", "reset")


def test_thousands_of_headers(srv):
    hdrs = b"".join(b"X-Flood-%d: v\r\n" % i for i in range(5000))
    answers, ended = exchange(srv.url, b"GET / HTTP/1.1\r\nHost: h\r\n" + hdrs + b"\r\n", timeout=1.5)
    assert refused(answers, ended), (answers, ended)


def test_thousands_of_headers_on_a_post(srv):
    hdrs = b"".join(b"X-Flood-%d: %s\r\n" % (i, b"v" * 40) for i in range(2000))
    answers, ended = exchange(srv.url, http_request("ListTables", "{}", extra=hdrs), timeout=1.5)
    assert refused(answers, ended), (answers, ended)


@pytest.mark.parametrize("size", [20 * 1024, 1 << 20])
def test_huge_header_value(srv, size):
    # DESIGN.md: headers <= 16 KB each, as on AWS.
    answers, ended = exchange(srv.url, b"GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + b"a" * size + b"\r\n\r\n", timeout=1.5)
    assert refused(answers, ended), (answers, ended)


def test_huge_request_line(srv):
    answers, ended = exchange(srv.url, b"GET /" + b"a" * (20 * 1024) + b" HTTP/1.1\r\nHost: h\r\n\r\n", timeout=1.5)
    assert refused(answers, ended), (answers, ended)


def test_slowloris_does_not_stall_other_clients(srv, hraw):
    """Eight connections each send one header byte per second; meanwhile requests on other
    connections are answered promptly."""
    port = int(srv.url.rsplit(":", 1)[1])
    req = http_request("ListTables", "{}")
    stop = threading.Event()
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(8)]

    def dribble(s):
        for b in req:
            if stop.wait(1.0):
                return
            try:
                s.send(bytes([b]))
            except OSError:
                return

    threads = [threading.Thread(target=dribble, args=(s,), daemon=True) for s in socks]
    for t in threads:
        t.start()
    try:
        worst = 0.0
        deadline = time.monotonic() + 5.0
        n = 0
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            r = hraw.call("ListTables", {"Limit": 1})
            worst = max(worst, time.monotonic() - t0)
            assert r.status == 200, r
            n += 1
            time.sleep(0.05)
        assert worst < 1.0, f"a request took {worst:.2f}s while slow clients dribbled"
        assert n >= 20
    finally:
        stop.set()
        for t in threads:
            t.join()
        for s in socks:
            s.close()


# ---- pipelining -----------------------------------------------------------------------------------


def get_item_body(table, c):
    return json.dumps({"TableName": table, "Key": {"p": du.S("k"), "c": du.S(c)}, "ConsistentRead": True})


def test_pipeline_of_50_requests_answered_in_order(srv, table):
    cs = [f"c{i % 3}" for i in range(50)]
    data = b"".join(http_request("GetItem", get_item_body(table, c)) for c in cs)
    answers, _ = exchange(srv.url, data, timeout=1.0)
    assert [a.status for a in answers] == [200] * 50
    assert [json.loads(a.body)["Item"]["c"]["S"] for a in answers] == cs


def test_pipeline_bad_json_in_the_middle(srv, table):
    data = (http_request("GetItem", get_item_body(table, "c0")) +
            http_request("GetItem", '{"TableName": "x", "Key": ') +
            http_request("NoSuchOperation", "{}") +
            http_request("GetItem", get_item_body(table, "c2")))
    answers, _ = exchange(srv.url, data, timeout=1.0)
    assert [a.status for a in answers] == [200, 400, 400, 200], answers
    assert json.loads(answers[0].body)["Item"]["c"] == du.S("c0")
    assert json.loads(answers[1].body)["__type"] == "com.amazon.coral.service#SerializationException"
    assert json.loads(answers[2].body)["__type"] == "com.amazon.coral.service#UnknownOperationException"
    assert json.loads(answers[3].body)["Item"]["c"] == du.S("c2")


@pytest.mark.parametrize("label,broken", [
    ("Content-Length not a number", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n{}"),
    ("negative Content-Length", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -5\r\n\r\n{}"),
    ("garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
    ("bad chunk size", b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
])
def test_pipeline_broken_framing_in_the_middle(srv, table, label, broken):
    data = http_request("GetItem", get_item_body(table, "c1")) + broken + \
        http_request("GetItem", get_item_body(table, "c2"))
    answers, ended = exchange(srv.url, data, timeout=3.0)
    assert answers and answers[0].status == 200, answers
    assert json.loads(answers[0].body)["Item"]["c"] == du.S("c1")
    rest = answers[1:]
    # The framing is lost: a 4xx for the broken request (or none), then the connection closed;
    # the request after it must never be answered.
    assert len(rest) <= 1 and all(400 <= a.status < 500 for a in rest), rest
    assert ended in ("closed", "reset"), f"connection left {ended} after a framing error"


# ---- ambiguous framing (request smuggling) --------------------------------------------------------


def test_two_different_content_lengths_are_400_and_close(srv):
    smuggled = http_request("ListTables", "{}")
    data = (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2\r\n"
            b"Content-Length: %d\r\n\r\n{}" % (2 + len(smuggled))) + smuggled
    answers, ended = exchange(srv.url, data, timeout=3.0)
    assert [a.status for a in answers] == [400], answers
    assert ended in ("closed", "reset"), ended


def test_chunked_and_content_length_is_400_and_close(srv):
    smuggled = http_request("ListTables", "{}")
    data = (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nTransfer-Encoding: chunked\r\n"
            b"Content-Length: 7\r\n\r\n2\r\n{}\r\n0\r\n\r\n") + smuggled
    answers, ended = exchange(srv.url, data, timeout=3.0)
    assert [a.status for a in answers] == [400], answers
    assert ended in ("closed", "reset"), ended


def test_content_length_list_of_different_values_is_400(srv):
    data = (b"POST / HTTP/1.1\r\nHost: h\r\nContent-Type: application/x-amz-json-1.0\r\n"
            b"X-Amz-Target: DynamoDB_20120810.ListTables\r\nContent-Length: 2, 3\r\n\r\n{}x")
    answers, ended = exchange(srv.url, data, timeout=3.0)
    assert [a.status for a in answers] == [400], answers
    assert ended in ("closed", "reset"), ended


# ---- last: a clean stop after all of the above ------------------------------------------------------


def test_zz_clean_stop_after_hostile_traffic(srv):
    rc = srv.stop()
    text = srv.log_path.read_text("utf-8", "replace")
    srv.proc = None  # the autouse check has nothing left to probe
    assert rc == 0, f"SIGTERM: exit {rc}\n{text[-4000:]}"
    assert not [m for m in SANITIZER_MARKS if m in text], text[-4000:]
