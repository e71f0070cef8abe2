"""Answer compression: DynamoDB gzips (or deflates) an answer when the request's Accept-Encoding
asks and the answer is large enough (4 KB: recorded against AWS by ScyllaDB's
test/alternator/test_compressed_response.py), with x-amz-crc32 over the compressed bytes (the
Go SDK v2's dynamodb customizations document it). boto3 and the CLI send "Accept-Encoding:
identity", the JS SDK v3 in Node none, so their answers are never compressed.

Raw requests go through dynarock_util.RawClient (http.client, no automatic decoding), so the
bytes checked are the bytes sent."""
import gzip
import json
import zlib

import pytest

import dynarock_util as du

THRESHOLD = 4096


@pytest.fixture(scope="module")
def big_table(ddb):
    """A table whose Scan answer is ~40 KB of compressible JSON."""
    name = du.unique_name("gz")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    du.wait_active(ddb, name)
    for i in range(40):
        ddb.put_item(TableName=name, Item={"p": {"S": "item%03d" % i}, "n": {"N": str(i)},
                                            "text": {"S": ("row %d of the compression test; " % i) * 30}})
    yield name
    du.delete_table_quietly(ddb, name)


def scan(raw, table, accept=None):
    headers = {"Accept-Encoding": accept} if accept is not None else None
    r = raw.call("Scan", {"TableName": table}, headers=headers)
    assert r.status == 200, r
    return r


def decode(r):
    """The JSON of an answer, decoded per its Content-Encoding; checks x-amz-crc32 and
    Content-Length against the bytes as received."""
    assert int(r.headers["x-amz-crc32"]) == zlib.crc32(r.body)
    assert int(r.headers["content-length"]) == len(r.body)
    ce = r.headers.get("content-encoding")
    if ce == "gzip":
        return json.loads(gzip.decompress(r.body))
    if ce == "deflate":
        return json.loads(zlib.decompress(r.body))  # zlib-wrapped, as HTTP's deflate is
    assert ce is None, ce
    return json.loads(r.body)


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_big_answer_compressed(raw, big_table, coding):
    plain = scan(raw, big_table)
    assert "content-encoding" not in plain.headers
    assert len(plain.body) > 8 * THRESHOLD
    r = scan(raw, big_table, coding)
    assert r.headers.get("content-encoding") == coding
    assert len(r.body) * 5 < len(plain.body)  # repetitive JSON shrinks a lot
    assert decode(r) == decode(plain)
    assert decode(r)["Count"] == 40


@pytest.mark.parametrize("accept", [None, "identity", "", "br", "x-gzip", "gzip;q=0", "*;q=0",
                                    "br;q=0.8,identity;q=0.5,*;q=0"])
def test_big_answer_not_compressed(raw, big_table, accept):
    r = scan(raw, big_table, accept)
    assert "content-encoding" not in r.headers
    assert decode(r)["Count"] == 40


@pytest.mark.parametrize("accept,coding", [
    ("gzip, deflate", "gzip"),
    ("br, identity, deflate, gzip", "deflate"),  # at equal q, the first named
    ("GZIP, identity", "gzip"),
    ("gzip;q=0.8, deflate;q=0.5", "gzip"),
    ("br, gzip;q=0, deflate; q = 0.5 , identity;q=0", "deflate"),
    ("*", "gzip"),
    ("*, deflate", "deflate"),
    ("*, gzip;q=0.5", "deflate"),
    ("*;q=0.5,identity", "gzip"),  # identity is ignored
    ("gzip;q=0, gzip;q=1, gzip;q=0", "gzip"),
])
def test_accept_encoding_choice(raw, big_table, accept, coding):
    r = scan(raw, big_table, accept)
    assert r.headers.get("content-encoding") == coding
    assert decode(r)["Count"] == 40


def test_small_answer_not_compressed(raw, table_s):
    p = du.unique_name("k")
    raw.call("PutItem", {"TableName": table_s, "Item": {"p": {"S": p}, "v": {"S": "small"}}})
    r = raw.call("GetItem", {"TableName": table_s, "Key": {"p": {"S": p}}}, headers={"Accept-Encoding": "gzip"})
    assert r.status == 200
    assert "content-encoding" not in r.headers
    assert decode(r) == {"Item": {"p": {"S": p}, "v": {"S": "small"}}}


def test_small_error_not_compressed(raw):
    r = raw.call("DescribeTable", {"TableName": "no-such-table-gz"}, headers={"Accept-Encoding": "gzip"})
    assert r.status == 400
    assert "content-encoding" not in r.headers
    assert decode(r)["__type"].endswith("#ResourceNotFoundException")


@pytest.mark.dynarock_only
def test_threshold_is_4096_bytes(raw, table_s):
    """An answer of 4,095 bytes goes out as it is, one of 4,096 compressed (AWS's limit is 4 KB;
    its exact edge is not recorded, so this runs against dynarock only)."""
    p = du.unique_name("k")

    def get_with_pad(n):
        raw.call("PutItem", {"TableName": table_s, "Item": {"p": {"S": p}, "x": {"S": "x" * n}}})
        return raw.call("GetItem", {"TableName": table_s, "Key": {"p": {"S": p}}},
                        headers={"Accept-Encoding": "gzip"})

    r = get_with_pad(1000)
    overhead = len(r.body) - 1000
    r = get_with_pad(THRESHOLD - 1 - overhead)
    assert len(r.body) == THRESHOLD - 1 and "content-encoding" not in r.headers
    r = get_with_pad(THRESHOLD - overhead)
    assert r.headers.get("content-encoding") == "gzip"
    assert decode(r)["Item"]["x"]["S"] == "x" * (THRESHOLD - overhead)


def test_boto3_reads_gzip_answer(ddb, big_table, monkeypatch):
    """botocore does not ask for gzip nor decode it (boto/botocore#1255); told to send gzip (a
    header through an event hook) and to decode before parsing, it checks x-amz-crc32 over the
    compressed bytes and reads the same items, with no retry."""
    import inspect

    import botocore.endpoint

    seen = []

    def add_header(params, **kw):
        params["headers"]["Accept-Encoding"] = "gzip"

    def decompress(response_dict, **kw):
        seen.append(response_dict["headers"].get("Content-Encoding"))
        if seen[-1] == "gzip":
            response_dict["body"] = gzip.decompress(response_dict["body"])

    ev = ddb.meta.events
    ev.register("before-call.dynamodb.Scan", add_header)
    if "before-parse" in inspect.getsource(botocore.endpoint):
        ev.register("before-parse.dynamodb.Scan", decompress)
    else:  # botocore before 1.31 (Debian's) has no before-parse event: wrap what it calls there
        convert = botocore.endpoint.convert_to_response_dict

        def convert_and_decompress(http_response, operation_model):
            d = convert(http_response, operation_model)
            decompress(d)
            return d

        monkeypatch.setattr(botocore.endpoint, "convert_to_response_dict", convert_and_decompress)
    try:
        got = ddb.scan(TableName=big_table)
    finally:
        ev.unregister("before-call.dynamodb.Scan", add_header)
        ev.unregister("before-parse.dynamodb.Scan", decompress)
        monkeypatch.undo()
    assert seen and set(seen) == {"gzip"}
    assert got["ResponseMetadata"]["RetryAttempts"] == 0  # the crc32 check passed
    assert got["ResponseMetadata"]["HTTPHeaders"]["content-encoding"] == "gzip"
    plain = ddb.scan(TableName=big_table)
    assert "content-encoding" not in plain["ResponseMetadata"]["HTTPHeaders"]  # boto3 sends identity
    assert got["Items"] == plain["Items"] and got["Count"] == 40
