"""Fault injection (issue 16): rules from --faults FILE and the /_dynarock/faults control endpoint inject
DynamoDB's errors, latency, dropped connections, unprocessed batch requests and transaction conflicts.

dynarock-only (real DynamoDB has no such endpoint), and every test starts its own server. The point is to
exercise real client retry logic: boto3's standard retry mode and the JS SDK v3 retry injected throttles
and succeed, and a batch loop that ignores UnprocessedItems is caught. Error texts are DynamoDB's own
(server/faults.c names their sources).
"""
import gzip
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import zlib
from pathlib import Path

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

JS = Path(__file__).resolve().parent / "js"
PATH = "/_dynarock/faults"
DDB = "com.amazonaws.dynamodb.v20120810#"

PTEE_MSG = ("The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
            "provisioning level with the UpdateTable API.")
THROTTLE_DATA_MSG = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or "
    "index so please try again shortly. If exceptions persist, check if you have a hot key: "
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html")
THROTTLE_CONTROL_MSG = "Rate of requests exceeds the allowed throughput."
RLE_MSG = ("Throughput exceeds the current throughput limit for your account. Please contact AWS Support at "
           "https://aws.amazon.com/support request a limit increase")
CONFLICT_MSG = "Transaction is ongoing for the item"

# rule "error" -> (HTTP status, __type, message of a data-plane operation)
ERRORS = {
    "ProvisionedThroughputExceededException": (400, DDB + "ProvisionedThroughputExceededException", PTEE_MSG),
    "ThrottlingException": (400, "com.amazon.coral.availability#ThrottlingException", THROTTLE_DATA_MSG),
    "RequestLimitExceeded": (400, DDB + "RequestLimitExceeded", RLE_MSG),
    "InternalServerError": (500, DDB + "InternalServerError", "Internal server error"),
    "ServiceUnavailable": (503, "com.amazon.coral.service#ServiceUnavailableException",
                           "The service is currently unavailable or busy."),
    "TransactionConflict": (400, DDB + "TransactionConflictException", CONFLICT_MSG),
}


# ---- helpers ---------------------------------------------------------------------------------------


def start(server_factory, *flags, threads=1):
    return server_factory(["--in-memory", "--threads", str(threads), *flags])


def client(srv, retries=None, key="dummy", secret="dummy"):
    """boto3 low-level client; retries None: exactly one attempt."""
    cfg = Config(retries=retries or {"total_max_attempts": 1}, connect_timeout=5, read_timeout=30)
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name=du.REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=cfg)


def control(srv, method, body=None, headers=None):
    """A request to the control endpoint: (status, parsed JSON body)."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    try:
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        conn.request(method, PATH, body=data, headers=headers or {})
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        conn.close()


def set_rules(srv, rules, seed=None):
    body = {"rules": rules} if seed is None else {"seed": seed, "rules": rules}
    status, got = control(srv, "PUT", body)
    assert status == 200, got
    return got


def hits(srv):
    status, got = control(srv, "GET")
    assert status == 200, got
    return [r["hits"] for r in got["rules"]]


def make_table(c, name=None):
    name = name or du.unique_name("flt")
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("pk", "S"))
    du.wait_active(c, name)
    return name


def raw_call(srv, op, payload, conn=None):
    """One raw DynamoDB call (unsigned; --auth is off): (status, parsed body)."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.request("POST", "/", body=json.dumps(payload),
                     headers={"X-Amz-Target": "DynamoDB_20120810." + op,
                              "Content-Type": "application/x-amz-json-1.0"})
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    finally:
        if own:
            conn.close()


def error_of(fn):
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response


def keys_of(c, table):
    return sorted(i["pk"]["S"] for i in c.scan(TableName=table, ConsistentRead=True)["Items"])


# ---- errors, exactly as DynamoDB answers them --------------------------------------------------------


@pytest.mark.parametrize("error", sorted(ERRORS))
def test_each_error_is_answered_as_dynamodb_answers_it(server_factory, error):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "PutItem", "table": table, "count": 1, "error": error}])
    status, body = raw_call(srv, "PutItem", {"TableName": table, "Item": {"pk": {"S": "a"}}})
    want_status, want_type, want_msg = ERRORS[error]
    assert (status, body) == (want_status, {"__type": want_type, "message": want_msg})
    assert keys_of(c, table) == []  # an injected error runs nothing
    assert hits(srv) == [1]
    # spent: the next PutItem is written
    assert raw_call(srv, "PutItem", {"TableName": table, "Item": {"pk": {"S": "a"}}}) == (200, {})
    assert keys_of(c, table) == ["a"]


def test_throttling_of_a_table_operation_uses_the_control_plane_text(server_factory):
    srv = start(server_factory)
    set_rules(srv, [{"operation": "ListTables", "error": "ThrottlingException"}])
    assert raw_call(srv, "ListTables", {}) == (
        400, {"__type": "com.amazon.coral.availability#ThrottlingException", "message": THROTTLE_CONTROL_MSG})


def test_a_rule_may_word_its_own_message(server_factory):
    srv = start(server_factory)
    set_rules(srv, [{"operation": "ListTables", "error": "InternalServerError", "message": "disk on fire"}])
    assert raw_call(srv, "ListTables", {}) == (500, {"__type": DDB + "InternalServerError",
                                                     "message": "disk on fire"})


@pytest.mark.parametrize("error", ["ProvisionedThroughputExceededException", "ThrottlingException",
                                   "RequestLimitExceeded", "InternalServerError", "ServiceUnavailable"])
def test_boto3_standard_retries_hide_two_injected_failures(server_factory, error):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "PutItem", "table": table, "count": 2, "error": error}])
    std = client(srv, retries={"mode": "standard", "total_max_attempts": 3})
    r = std.put_item(TableName=table, Item={"pk": {"S": "k"}, "v": {"N": "7"}})
    assert r["ResponseMetadata"]["RetryAttempts"] == 2
    assert hits(srv) == [2]
    assert c.get_item(TableName=table, Key={"pk": {"S": "k"}}, ConsistentRead=True)["Item"] == {
        "pk": {"S": "k"}, "v": {"N": "7"}}


@pytest.mark.parametrize("error", ["ProvisionedThroughputExceededException", "ServiceUnavailable"])
def test_boto3_gives_up_when_the_failures_outlast_its_attempts(server_factory, error):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "PutItem", "table": table, "count": 5, "error": error}])
    std = client(srv, retries={"mode": "standard", "total_max_attempts": 2})
    resp = error_of(lambda: std.put_item(TableName=table, Item={"pk": {"S": "k"}}))
    want_status, want_type, want_msg = ERRORS[error]
    assert resp["Error"] == {"Code": want_type.split("#")[1], "Message": want_msg}
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == want_status
    assert resp["ResponseMetadata"]["RetryAttempts"] == 1
    assert hits(srv) == [2]
    assert keys_of(c, table) == []


def test_transaction_conflict_is_not_retried_by_boto3(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "UpdateItem", "error": "TransactionConflict"}])
    std = client(srv, retries={"mode": "standard", "total_max_attempts": 3})
    resp = error_of(lambda: std.update_item(TableName=table, Key={"pk": {"S": "k"}},
                                            UpdateExpression="SET v = :v",
                                            ExpressionAttributeValues={":v": {"N": "1"}}))
    assert resp["Error"] == {"Code": "TransactionConflictException", "Message": CONFLICT_MSG}
    assert resp["ResponseMetadata"]["RetryAttempts"] == 0
    assert hits(srv) == [1]


def test_transact_write_items_cancels_with_transaction_conflict(server_factory):
    srv = start(server_factory)
    c = client(srv)
    a, b = make_table(c), make_table(c)
    set_rules(srv, [{"operation": "TransactWriteItems", "table": b, "count": 1, "error": "TransactionConflict"}])
    items = [{"Put": {"TableName": a, "Item": {"pk": {"S": "x"}}}},
             {"Put": {"TableName": b, "Item": {"pk": {"S": "y"}}}},
             {"Put": {"TableName": a, "Item": {"pk": {"S": "z"}}}}]
    status, body = raw_call(srv, "TransactWriteItems", {"TransactItems": items})
    assert (status, body) == (400, {
        "__type": DDB + "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[None, TransactionConflict, None]",
        "CancellationReasons": [{"Code": "None"}, {"Code": "TransactionConflict", "Message": CONFLICT_MSG},
                                {"Code": "None"}]})
    assert keys_of(c, a) == [] and keys_of(c, b) == []  # nothing written
    # boto3 names the cancellation; the rule is spent, so the same transaction then commits
    assert raw_call(srv, "TransactWriteItems", {"TransactItems": items}) == (200, {})
    assert (keys_of(c, a), keys_of(c, b)) == (["x", "z"], ["y"])
    assert hits(srv) == [1]


def test_execute_transaction_cancels_with_transaction_conflict(server_factory):
    srv = start(server_factory)
    c = client(srv)
    a = make_table(c)
    set_rules(srv, [{"operation": "ExecuteTransaction", "count": 1, "error": "TransactionConflict"}])
    stmts = [{"Statement": f'INSERT INTO "{a}" VALUE {{\'pk\': \'x\'}}'},
             {"Statement": f'INSERT INTO "{a}" VALUE {{\'pk\': \'y\'}}'}]
    status, body = raw_call(srv, "ExecuteTransaction", {"TransactStatements": stmts})
    # PartiQL names no table a rule could match, so every statement gets the reason
    assert (status, body) == (400, {
        "__type": DDB + "TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons "
                   "[TransactionConflict, TransactionConflict]",
        "CancellationReasons": [{"Code": "TransactionConflict", "Message": CONFLICT_MSG},
                                {"Code": "TransactionConflict", "Message": CONFLICT_MSG}]})
    assert keys_of(c, a) == []  # nothing written
    status, body = raw_call(srv, "ExecuteTransaction", {"TransactStatements": stmts})  # the rule is spent
    assert (status, body) == (200, {"Responses": []})
    assert keys_of(c, a) == ["x", "y"]


def test_transaction_conflict_comes_after_validation(server_factory):
    srv = start(server_factory)
    c = client(srv)
    a = make_table(c)
    set_rules(srv, [{"operation": "TransactWriteItems", "error": "TransactionConflict"}])
    status, body = raw_call(srv, "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": a, "Item": {"pk": {"S": "x"}}}},
        {"Delete": {"TableName": a, "Key": {"pk": {"S": "x"}}}}]})
    assert (status, body) == (400, {"__type": "com.amazon.coral.validate#ValidationException",
                                    "message": "Transaction request cannot include multiple operations on one item"})


# ---- the SDKs' retry loops ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def node():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the JS SDK fault test", pytrace=False)
    if not (JS / "node_modules" / "@aws-sdk" / "client-dynamodb").exists():
        cmd = [npm, "ci"] if (JS / "package-lock.json").exists() else [npm, "install"]
        r = subprocess.run(cmd + ["--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    return node


def test_js_sdk_retries_injected_faults(server_factory, node):
    srv = start(server_factory)
    table = make_table(client(srv))
    set_rules(srv, [{"operation": "PutItem", "table": table, "count": 2, "error": "ThrottlingException"},
                    {"operation": "UpdateItem", "table": table, "count": 2, "error": "ServiceUnavailable"},
                    {"operation": "GetItem", "table": table, "count": 1, "error": "InternalServerError"},
                    {"operation": "DeleteItem", "table": table, "count": 1,
                     "error": "ProvisionedThroughputExceededException"},
                    {"operation": "BatchWriteItem", "table": table, "unprocessed": 0.5}])
    env = dict(os.environ, DYNAROCK_ENDPOINT_URL=srv.url, TABLE=table, AWS_REGION=du.REGION,
               AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy")
    for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(k, None)
    r = subprocess.run([node, "faults.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["put"] == {"ok": True, "attempts": 3}
    assert out["update"] == {"ok": True, "attempts": 3}
    assert out["getError"] == {"ok": False, "name": "InternalServerError", "message": "Internal server error",
                               "fault": "server", "status": 500, "attempts": 1}
    assert out["get"] == {"ok": True, "item": {"pk": {"S": "js"}, "v": {"N": "2"}}}
    # 10 requests: 5 left, then 3 of 5, 2 of 3, 1 of 2, none of 1 (one is always written)
    assert out["batch"] == {"calls": 5, "leftPerCall": [5, 3, 2, 1, 0]}
    assert out["delete"] == {"ok": True, "attempts": 2}
    assert out["scanKeys"] == [f"b{i}" for i in range(10)]
    assert hits(srv) == [2, 2, 1, 1, 5]


# ---- unprocessed batch requests ----------------------------------------------------------------------


def batch_puts(n, prefix="i"):
    return [{"PutRequest": {"Item": {"pk": {"S": f"{prefix}{i:02}"}, "n": {"N": str(i)}}}} for i in range(n)]


def test_a_loop_ignoring_unprocessed_items_is_caught(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "BatchWriteItem", "unprocessed": 0.4}])
    reqs = batch_puts(10) + [{"DeleteRequest": {"Key": {"pk": {"S": "gone"}}}}]
    c.put_item(TableName=table, Item={"pk": {"S": "gone"}})
    r = c.batch_write_item(RequestItems={table: reqs})  # the careless loop: one call, the answer unread
    # ceil(11 x 0.4) = 5 left: the last five requests, in DynamoDB's shape (the request's own)
    assert r["UnprocessedItems"] == {table: reqs[6:]}
    assert keys_of(c, table) == ["gone"] + [f"i{i:02}" for i in range(6)]  # i06..i09 missing, gone not deleted


def test_a_loop_retrying_unprocessed_items_writes_everything(server_factory):
    srv = start(server_factory)
    c = client(srv)
    t1, t2 = make_table(c), make_table(c)
    set_rules(srv, [{"operation": "BatchWriteItem", "unprocessed": 0.5}])
    pending = {t1: batch_puts(6, "a"), t2: batch_puts(6, "b")}
    calls = 0
    while pending:
        pending = c.batch_write_item(RequestItems=pending)["UnprocessedItems"]
        calls += 1
        assert calls < 20
    assert calls == 5  # 12 -> 6 -> 3 -> 2 -> 1 -> 0 left
    assert keys_of(c, t1) == [f"a{i:02}" for i in range(6)]
    assert keys_of(c, t2) == [f"b{i:02}" for i in range(6)]
    # boto3's resource batch_writer resends unprocessed items itself
    with boto3.resource("dynamodb", endpoint_url=srv.url, region_name=du.REGION, aws_access_key_id="dummy",
                        aws_secret_access_key="dummy").Table(t1).batch_writer() as w:
        for i in range(30):
            w.put_item(Item={"pk": f"w{i:02}"})
    assert [k for k in keys_of(c, t1) if k.startswith("w")] == [f"w{i:02}" for i in range(30)]


def test_batch_get_item_leaves_unprocessed_keys(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    for i in range(4):
        c.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}, "v": {"N": str(i)}, "x": {"S": "big"}})
    set_rules(srv, [{"operation": "BatchGetItem", "table": table, "count": 1, "unprocessed": 0.5}])
    keys = [{"pk": {"S": f"k{i}"}} for i in range(4)]
    req = {table: {"Keys": keys, "ProjectionExpression": "pk, #v", "ExpressionAttributeNames": {"#v": "v"},
                   "ConsistentRead": True}}
    r = c.batch_get_item(RequestItems=req)
    assert sorted(r["Responses"][table], key=lambda i: i["pk"]["S"]) == [
        {"pk": {"S": "k0"}, "v": {"N": "0"}}, {"pk": {"S": "k1"}, "v": {"N": "1"}}]
    assert r["UnprocessedKeys"] == {table: {"Keys": keys[2:], "ProjectionExpression": "pk, #v",
                                            "ExpressionAttributeNames": {"#v": "v"}, "ConsistentRead": True}}
    again = c.batch_get_item(RequestItems=r["UnprocessedKeys"])  # the rule is spent
    assert again["UnprocessedKeys"] == {}
    assert sorted(i["pk"]["S"] for i in again["Responses"][table]) == ["k2", "k3"]


def test_unprocessed_one_leaves_everything(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "BatchWriteItem", "count": 1, "unprocessed": 1}])
    reqs = batch_puts(3)
    assert c.batch_write_item(RequestItems={table: reqs})["UnprocessedItems"] == {table: reqs}
    assert keys_of(c, table) == []


# ---- latency and dropped connections ------------------------------------------------------------------


def test_latency_holds_one_answer_without_stalling_another_client(server_factory):
    srv = start(server_factory)  # one event loop: a blocked loop would stall the second client
    c = client(srv)
    slow_t, fast_t = make_table(c), make_table(c)
    c.put_item(TableName=slow_t, Item={"pk": {"S": "s"}})
    c.put_item(TableName=fast_t, Item={"pk": {"S": "f"}})
    set_rules(srv, [{"operation": "GetItem", "table": slow_t, "latencyMs": 2000}])
    got = {}

    def slow():
        t = time.monotonic()
        got["item"] = client(srv).get_item(TableName=slow_t, Key={"pk": {"S": "s"}})["Item"]
        got["s"] = time.monotonic() - t

    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.3)  # the slow request is held by now
    other = client(srv)
    t = time.monotonic()
    assert other.get_item(TableName=fast_t, Key={"pk": {"S": "f"}})["Item"] == {"pk": {"S": "f"}}
    fast = time.monotonic() - t
    th.join(10)
    assert got["item"] == {"pk": {"S": "s"}}
    assert 2.0 <= got["s"] < 3.5, got
    assert fast < 0.5, fast
    assert hits(srv) == [1]
    assert srv.stop() == 0


def test_latency_applies_to_an_injected_error_too(server_factory):
    srv = start(server_factory)
    set_rules(srv, [{"operation": "ListTables", "latencyMs": 500, "error": "ServiceUnavailable"}])
    t = time.monotonic()
    status, body = raw_call(srv, "ListTables", {})
    assert 0.5 <= time.monotonic() - t < 2.0
    assert status == 503 and body["__type"] == "com.amazon.coral.service#ServiceUnavailableException"


def test_a_held_answer_arrives_whole_compressed_and_checksummed(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    item = {"pk": {"S": "big"}, "pad": {"S": "x" * 20000}}
    c.put_item(TableName=table, Item=item)
    set_rules(srv, [{"operation": "GetItem", "latencyMs": 300}])
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    t = time.monotonic()
    conn.request("POST", "/", body=json.dumps({"TableName": table, "Key": {"pk": {"S": "big"}}}),
                 headers={"X-Amz-Target": "DynamoDB_20120810.GetItem", "Accept-Encoding": "gzip",
                          "Content-Type": "application/x-amz-json-1.0"})
    r = conn.getresponse()
    raw = r.read()
    assert time.monotonic() - t >= 0.3
    assert r.status == 200 and r.getheader("Content-Encoding") == "gzip"
    assert int(r.getheader("x-amz-crc32")) == zlib.crc32(raw)  # over the bytes as sent
    assert len(r.getheader("x-amzn-RequestId")) == 52
    assert json.loads(gzip.decompress(raw)) == {"Item": item}
    conn.close()


def test_latency_then_drop(server_factory):
    srv = start(server_factory)
    set_rules(srv, [{"operation": "ListTables", "count": 1, "latencyMs": 400, "drop": True}])
    t = time.monotonic()
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        raw_call(srv, "ListTables", {})
    assert time.monotonic() - t >= 0.4
    assert raw_call(srv, "ListTables", {}) == (200, {"TableNames": []})


def test_a_client_closing_while_its_answer_is_held_does_no_harm(server_factory):
    srv = start(server_factory)
    set_rules(srv, [{"operation": "ListTables", "latencyMs": 800}])
    for _ in range(5):
        s = socket.create_connection(("127.0.0.1", srv.port))
        body = b"{}"
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                  b"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n" + body)
        s.close()  # gone before the timer fires
    time.sleep(1.2)
    control(srv, "DELETE")
    assert raw_call(srv, "ListTables", {}) == (200, {"TableNames": []})
    assert srv.stop() == 0  # a clean stop (under ASan: no leak, no report)


def test_sigterm_while_an_answer_is_held_stops_cleanly(server_factory):
    srv = start(server_factory, threads=2)
    set_rules(srv, [{"operation": "ListTables", "latencyMs": 60000}])
    got = {}

    def held():
        got["r"] = raw_call(srv, "ListTables", {})

    th = threading.Thread(target=held)
    th.start()
    time.sleep(0.5)
    t = time.monotonic()
    assert srv.stop(signal.SIGTERM, timeout=10) == 0
    assert time.monotonic() - t < 5  # the stop does not wait for the held answer
    th.join(5)
    assert got["r"] == (200, {"TableNames": []})  # sent at once on the way out
    assert "stopped cleanly" in srv.log_path.read_text()


def test_drop_closes_the_connection_without_an_answer(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "PutItem", "table": table, "count": 2, "drop": True}])
    # a raw client sees the connection end with no status line
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        raw_call(srv, "PutItem", {"TableName": table, "Item": {"pk": {"S": "raw"}}}, conn=conn)
    conn.close()
    # boto3 sees a connection error (not an error response)
    with pytest.raises(ConnectionClosedError):
        c.put_item(TableName=table, Item={"pk": {"S": "sdk"}})
    assert hits(srv) == [2]
    # the handler ran: the writes happened, only the answers were lost (a retry must be idempotent)
    assert keys_of(c, table) == ["raw", "sdk"]
    # and the server still serves, on new connections
    assert du.http_get(srv.url)[0] == 200
    c.put_item(TableName=table, Item={"pk": {"S": "after"}})
    assert keys_of(c, table) == ["after", "raw", "sdk"]
    assert srv.stop() == 0


def test_boto3_retries_a_dropped_connection(server_factory):
    srv = start(server_factory)
    c = client(srv)
    table = make_table(c)
    set_rules(srv, [{"operation": "GetItem", "count": 1, "drop": True}])
    std = client(srv, retries={"mode": "standard", "total_max_attempts": 3})
    r = std.get_item(TableName=table, Key={"pk": {"S": "none"}})
    assert "Item" not in r and r["ResponseMetadata"]["RetryAttempts"] == 1
    assert hits(srv) == [1]


# ---- matching: probability, seed, count, first rule wins ----------------------------------------------


def outcomes(srv, n=40):
    out = ""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
    for _ in range(n):
        status, _ = raw_call(srv, "ListTables", {}, conn=conn)
        out += "x" if status == 400 else "."
    conn.close()
    return out


def test_a_seed_makes_runs_repeat_exactly(server_factory, tmp_path):
    f = tmp_path / "faults.json"
    f.write_text(json.dumps({"seed": 42, "rules": [
        {"operation": "ListTables", "probability": 0.5, "error": "ThrottlingException"}]}))
    first = outcomes(start(server_factory, "--faults", str(f)))
    second_srv = start(server_factory, "--faults", str(f))
    second = outcomes(second_srv)
    assert first == second
    assert 5 < first.count("x") < 35, first  # both outcomes occur
    # installing the same set again restarts the generator
    status, got = control(second_srv, "GET")
    set_rules(second_srv, got["rules"], seed=got["seed"])
    assert outcomes(second_srv) == first
    # another seed, another sequence
    set_rules(second_srv, got["rules"], seed=43)
    assert outcomes(second_srv) != first


def test_probability_zero_never_fires_and_first_matching_rule_wins(server_factory):
    srv = start(server_factory)
    c = client(srv)
    t1, t2 = make_table(c), make_table(c)
    set_rules(srv, [{"operation": "GetItem", "probability": 0, "error": "InternalServerError"},
                    {"table": t1, "count": 1, "error": "RequestLimitExceeded"},
                    {"operation": "GetItem", "error": "ProvisionedThroughputExceededException"}])
    key = {"pk": {"S": "k"}}
    assert raw_call(srv, "GetItem", {"TableName": t1, "Key": key})[1]["__type"] == DDB + "RequestLimitExceeded"
    assert raw_call(srv, "GetItem", {"TableName": t1, "Key": key})[1]["__type"] == (
        DDB + "ProvisionedThroughputExceededException")
    assert raw_call(srv, "GetItem", {"TableName": t2, "Key": key})[1]["__type"] == (
        DDB + "ProvisionedThroughputExceededException")
    assert raw_call(srv, "PutItem", {"TableName": t2, "Item": key}) == (200, {})
    assert hits(srv) == [0, 1, 2]


def test_a_table_rule_matches_any_table_a_request_names(server_factory):
    srv = start(server_factory)
    c = client(srv)
    t1, t2 = make_table(c), make_table(c)
    set_rules(srv, [{"table": t2, "error": "InternalServerError"}])
    assert raw_call(srv, "BatchGetItem", {"RequestItems": {
        t1: {"Keys": [{"pk": {"S": "a"}}]}, t2: {"Keys": [{"pk": {"S": "a"}}]}}})[0] == 500
    assert raw_call(srv, "BatchWriteItem", {"RequestItems": {
        t2: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}})[0] == 500
    assert raw_call(srv, "TransactGetItems", {"TransactItems": [
        {"Get": {"TableName": t2, "Key": {"pk": {"S": "a"}}}}]})[0] == 500
    assert raw_call(srv, "DescribeTable", {"TableName": t2})[0] == 500
    assert raw_call(srv, "DescribeTable", {"TableName": t1})[0] == 200
    assert raw_call(srv, "ListTables", {})[0] == 200
    # a request naming the table by its ARN names it too
    assert raw_call(srv, "GetItem", {"TableName": f"arn:aws:dynamodb:us-east-1:000000000000:table/{t2}",
                                     "Key": {"pk": {"S": "a"}}})[0] == 500
    assert hits(srv) == [5]


# ---- the control endpoint ------------------------------------------------------------------------------


def test_control_endpoint_get_put_post_delete(server_factory):
    srv = start(server_factory)
    assert control(srv, "GET") == (200, {"seed": 1, "rules": []})
    rules = [{"operation": "ListTables", "count": 2, "error": "ThrottlingException"},
             {"operation": "GetItem", "table": "Orders", "probability": 0.25, "latencyMs": 300}]
    assert control(srv, "PUT", {"seed": 9, "rules": rules}) == (200, {"seed": 9, "rules": [
        {"operation": "ListTables", "probability": 1, "count": 2, "error": "ThrottlingException", "hits": 0},
        {"operation": "GetItem", "table": "Orders", "probability": 0.25, "latencyMs": 300, "hits": 0}]})
    assert raw_call(srv, "ListTables", {})[0] == 400
    status, got = control(srv, "GET")
    assert status == 200 and [r["hits"] for r in got["rules"]] == [1, 0]
    # what GET answers can be sent back (hits are ignored: a new set starts at 0)
    assert control(srv, "POST", got)[1]["rules"][0]["hits"] == 0
    assert control(srv, "DELETE") == (200, {"seed": 1, "rules": []})
    assert raw_call(srv, "ListTables", {}) == (200, {"TableNames": []})


@pytest.mark.parametrize("body, message", [
    ('{"rules": [', "faults: not valid JSON (byte 11: unexpected end of input)"),
    ("[]", 'faults: a JSON object {"seed": N, "rules": [...]} is expected'),
    ('{"seed": 1}', "faults: rules: a list of rules is expected"),
    ('{"seed": -1, "rules": []}', "faults: seed: a whole number from 0 to 2^53-1"),
    ('{"rules": [], "sede": 1}', 'faults: unknown member "sede" (seed, rules)'),
    ('{"rules": [{"error": "Oops"}]}',
     "faults: rules[0].error: one of ProvisionedThroughputExceededException, ThrottlingException, "
     "RequestLimitExceeded, InternalServerError, ServiceUnavailable, TransactionConflict"),
    ('{"rules": [{"latencyMs": 10}, {"operation": "PutItem"}]}',
     "faults: rules[1]: injects nothing (give error, latencyMs, drop or unprocessed)"),
    ('{"rules": [{"operation": "Frobnicate", "drop": true}]}',
     "faults: rules[0].operation: not an operation dynarock serves (PutItem, Query, ...)"),
    ('{"rules": [{"probability": 1.5, "drop": true}]}', "faults: rules[0].probability: a number from 0 to 1"),
    ('{"rules": [{"count": 0, "drop": true}]}', "faults: rules[0].count: a whole number of injections, at least 1"),
    ('{"rules": [{"drop": true, "error": "InternalServerError"}]}',
     "faults: rules[0]: error, drop and unprocessed exclude each other"),
    ('{"rules": [{"operation": "PutItem", "unprocessed": 0.5}]}',
     "faults: rules[0].unprocessed: only for BatchWriteItem and BatchGetItem"),
    ('{"rules": [{"unprocessed": 0}]}', "faults: rules[0].unprocessed: a fraction above 0, at most 1"),
    ('{"rules": [{"drop": true, "colour": "red"}]}',
     'faults: rules[0]: unknown member "colour" (operation, table, probability, count, error, message, '
     'latencyMs, drop, unprocessed)'),
])
def test_a_bad_rule_set_is_refused_and_changes_nothing(server_factory, body, message):
    srv = start(server_factory)
    before = set_rules(srv, [{"operation": "ListTables", "error": "ThrottlingException"}])
    status, got = control(srv, "PUT", body)
    assert (status, got) == (400, {"__type": "com.amazon.coral.validate#ValidationException", "message": message})
    assert control(srv, "GET") == (200, before)


# ---- the control endpoint under --auth enforce ---------------------------------------------------------

KEY, SECRET = "AKIDFAULTS", "faults/secret+Key"


def signed_headers(srv, method, body, key=KEY, secret=SECRET):
    req = AWSRequest(method=method, url=srv.url + PATH, data=body.encode(),
                     headers={"Host": f"127.0.0.1:{srv.port}", "Content-Type": "application/json"})
    SigV4Auth(du.static_credentials(key, secret), "dynamodb", du.REGION).add_auth(req)
    return dict(req.headers.items())


def test_control_endpoint_needs_a_signature_under_auth_enforce(server_factory, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text(f"{KEY} {SECRET}\n")
    srv = start(server_factory, "--auth", "enforce", "--credentials", str(creds))
    body = json.dumps({"rules": [{"operation": "ListTables", "error": "InternalServerError"}]})
    # unsigned: refused as DynamoDB refuses an unsigned request
    status, got = control(srv, "PUT", body, {"Content-Type": "application/json"})
    assert (status, got) == (400, {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                                   "message": "Request is missing Authentication Token"})
    # signed with a key the server does not hold
    status, got = control(srv, "PUT", body, signed_headers(srv, "PUT", body, secret="wrong"))
    assert status == 400 and got["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    status, got = control(srv, "GET", None, signed_headers(srv, "GET", ""))
    assert (status, got) == (200, {"seed": 1, "rules": []})  # nothing changed
    # signed by the configured key: accepted
    status, got = control(srv, "PUT", body, signed_headers(srv, "PUT", body))
    assert status == 200 and got["rules"][0]["error"] == "InternalServerError"
    c = client(srv, key=KEY, secret=SECRET)
    resp = error_of(lambda: c.list_tables())
    assert resp["Error"] == {"Code": "InternalServerError", "Message": "Internal server error"}
    assert control(srv, "DELETE", None, {})[0] == 400  # unsigned DELETE refused too
    assert control(srv, "DELETE", None, signed_headers(srv, "DELETE", ""))[0] == 200


# ---- the rule file ---------------------------------------------------------------------------------------


def test_rules_from_the_file_apply_from_the_start(server_factory, tmp_path):
    f = tmp_path / "faults.json"
    f.write_text(json.dumps({"rules": [{"operation": "ListTables", "count": 1, "error": "RequestLimitExceeded"}]}))
    srv = start(server_factory, "--faults", str(f))
    assert raw_call(srv, "ListTables", {}) == (400, {"__type": DDB + "RequestLimitExceeded", "message": RLE_MSG})
    assert raw_call(srv, "ListTables", {}) == (200, {"TableNames": []})
    assert "faults: 1 rule from " + str(f) + " (seed 1)" in srv.log_path.read_text()


@pytest.mark.parametrize("content, message", [
    (None, "No such file or directory"),
    ("{", "not valid JSON (byte 1: unexpected end of input)"),
    ('{"rules": [{"error": "Boom"}]}', "rules[0].error: one of ProvisionedThroughputExceededException, "
                                       "ThrottlingException, RequestLimitExceeded, InternalServerError, "
                                       "ServiceUnavailable, TransactionConflict"),
])
def test_a_bad_rule_file_stops_the_start_with_exit_2(tmp_path, content, message):
    f = tmp_path / "faults.json"
    if content is not None:
        f.write_text(content)
    r = subprocess.run([str(du.binary_path()), "--in-memory", "--port", str(du.free_port()), "--faults", str(f)],
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 2
    assert r.stderr == f"dynarock: --faults {f}: {message}\n"


# ---- what the access log says ------------------------------------------------------------------------------


def test_the_access_log_names_the_injected_fault(server_factory):
    srv = start(server_factory, "--log-level", "info", "--log-format", "json")
    set_rules(srv, [{"operation": "ListTables", "count": 1, "error": "ServiceUnavailable"},
                    {"operation": "ListTables", "count": 1, "drop": True}])
    assert raw_call(srv, "ListTables", {})[0] == 503
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        raw_call(srv, "ListTables", {})
    time.sleep(0.3)
    lines = [json.loads(l) for l in srv.log_path.read_text().splitlines() if l.startswith("{")]
    access = [(l["op"], l["status"], l["error"]) for l in lines if l.get("msg") == "access" and l["op"] == "ListTables"]
    assert access == [("ListTables", 503, "ServiceUnavailableException"), ("ListTables", 0, None)]
