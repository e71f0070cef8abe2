"""Triggers (issue 14): Lambda's event-source mappings on DynamoDB streams, served on dynarock's port
and run against local functions: a command (`--function NAME=COMMAND`, here a Python script written
into tmp_path) or any server of Lambda's Invoke API (`--lambda-endpoint`, here http.server in a
thread). Driven through boto3's `lambda` client and the AWS CLI.

dynarock-only: these tests start their own servers with flags (server_factory). The event shape,
the answers and the error types and messages are Lambda's (docs/triggers.md, docs/compatibility.md).
Waits poll with deadlines; the only fixed pauses are in checks that something does NOT happen.
"""
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

REGION = "us-east-1"
DEADLINE = 15.0
CFG = Config(retries={"max_attempts": 1})

# The test's function: appends {"event": ..., "env": ...} as one line to <dir>/calls.jsonl, then acts as
# <dir>/control.json says: "fail_first": N (exit 1 on the first N calls), "fail_on": V (exit 1 when a
# record's NewImage v.S is V), "partial_on": V (answer batchItemFailures for the first such record; with
# "partial_once" only on the first call), "sleep": S (seconds, before answering), "stderr": text.
HANDLER = r'''
import json, os, sys, time
d = os.path.dirname(os.path.abspath(__file__))
event = json.load(sys.stdin)
try:
    ctl = json.load(open(os.path.join(d, "control.json")))
except OSError:
    ctl = {}
t0 = time.time()
with open(os.path.join(d, "calls.jsonl"), "a") as f:
    f.write(json.dumps({"event": event, "t0": t0, "env": {k: os.environ.get(k) for k in
                        ("AWS_LAMBDA_FUNCTION_NAME", "AWS_REGION")}}) + "\n")
n = sum(1 for _ in open(os.path.join(d, "calls.jsonl")))
if ctl.get("stderr"):
    print(ctl["stderr"], file=sys.stderr)
if ctl.get("sleep"):
    time.sleep(ctl["sleep"])
    with open(os.path.join(d, "ends.jsonl"), "a") as f:
        f.write(json.dumps({"t0": t0, "t1": time.time()}) + "\n")
if n <= ctl.get("fail_first", 0):
    sys.exit(1)
vals = [r["dynamodb"].get("NewImage", {}).get("v", {}).get("S") for r in event["Records"]]
if ctl.get("fail_on") is not None and ctl["fail_on"] in vals:
    sys.exit(3)
if ctl.get("partial_on") is not None and ctl["partial_on"] in vals and (not ctl.get("partial_once") or n == 1):
    rec = event["Records"][vals.index(ctl["partial_on"])]
    print(json.dumps({"batchItemFailures": [{"itemIdentifier": rec["dynamodb"]["SequenceNumber"]}]}))
else:
    print("{}")
'''


class Fn:
    """A command function in its own folder of tmp_path."""

    def __init__(self, tmp_path, name, control=None):
        self.name = name
        self.dir = tmp_path / f"fn-{name}"
        self.dir.mkdir()
        (self.dir / "handler.py").write_text(HANDLER)
        self.set(control or {})

    def set(self, control):
        (self.dir / "control.json").write_text(json.dumps(control))

    @property
    def flag(self):
        return ["--function", f"{self.name}={sys.executable} {self.dir / 'handler.py'}"]

    def calls(self):
        p = self.dir / "calls.jsonl"
        if not p.exists():
            return []
        return [json.loads(line) for line in p.read_text().splitlines() if line.strip()]

    def batches(self):
        return [c["event"]["Records"] for c in self.calls()]

    def wait_calls(self, n, timeout=DEADLINE):
        deadline = time.time() + timeout
        while time.time() < deadline:
            c = self.calls()
            if len(c) >= n:
                return c
            time.sleep(0.02)
        pytest.fail(f"function {self.name}: {len(self.calls())} calls, wanted {n}")


def vals(records):
    return [r["dynamodb"].get("NewImage", r["dynamodb"].get("OldImage", {})).get("v", {}).get("S")
            for r in records]


def clients(url):
    kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id="dummy", aws_secret_access_key="dummy",
              config=CFG)
    return boto3.client("dynamodb", **kw), boto3.client("lambda", **kw), boto3.client("dynamodbstreams", **kw)


def make_table(ddb, name="Orders", view="NEW_AND_OLD_IMAGES"):
    t = ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    return t["TableDescription"]["LatestStreamArn"]


def put(ddb, pk, v, table="Orders"):
    ddb.put_item(TableName=table, Item={"pk": {"S": pk}, "v": {"S": v}})


def delivered(fn, n, timeout=DEADLINE):
    """Wait until the successful calls' records number n; the successful calls' batches."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        ok = [b for b in ok_batches(fn)]
        if sum(len(b) for b in ok) >= n:
            return ok
        time.sleep(0.02)
    pytest.fail(f"delivered {sum(len(b) for b in ok_batches(fn))} records, wanted {n}: {fn.calls()}")


def ok_batches(fn):
    """Batches the function accepted (per its control at the time: callers keep it fixed)."""
    return [b for b in fn.batches()]


def ok_records(srv, function):
    """Records of the batches the log says were delivered (each line is logged after its checkpoint)."""
    return sum(int(n) for n in re.findall(rf"function {re.escape(function)}, (\d+) records, \d+ ms: OK",
                                          srv.log_tail(200000)))


def wait_state(lam, uuid, state, timeout=DEADLINE):
    deadline = time.time() + timeout
    while time.time() < deadline:
        m = lam.get_event_source_mapping(UUID=uuid)
        if m["State"] == state:
            return m
        time.sleep(0.02)
    pytest.fail(f"mapping {uuid} never reached {state}")


def error_of(fn):
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response


# ---- the event ------------------------------------------------------------------------------------------


def test_event_is_lambdas_dynamodb_event(server_factory, tmp_path):
    f = Fn(tmp_path, "on-order")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, streams = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="on-order", EventSourceArn=arn,
                                        StartingPosition="TRIM_HORIZON", BatchSize=100)
    put(ddb, "a", "1")
    ddb.update_item(TableName="Orders", Key={"pk": {"S": "a"}}, UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "2"}})
    ddb.delete_item(TableName="Orders", Key={"pk": {"S": "a"}})
    got = [r for b in delivered(f, 3) for r in b]
    assert [r["eventName"] for r in got] == ["INSERT", "MODIFY", "REMOVE"]
    # exactly GetRecords' records, each with the eventSourceARN of the mapping's stream
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    recs = streams.get_records(ShardIterator=it["ShardIterator"])["Records"]
    assert len(recs) == 3
    for r, g in zip(recs, got):
        assert set(g) == {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb",
                          "eventSourceARN"}
        assert g["eventSourceARN"] == arn
        assert g["eventID"] == r["eventID"] and re.fullmatch(r"[0-9a-f]{32}", g["eventID"])
        assert g["eventVersion"] == "1.1" and g["eventSource"] == "aws:dynamodb" and g["awsRegion"] == REGION
        assert g["dynamodb"]["SequenceNumber"] == r["dynamodb"]["SequenceNumber"]
        assert g["dynamodb"]["SizeBytes"] == r["dynamodb"]["SizeBytes"]
        assert g["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert isinstance(g["dynamodb"]["ApproximateCreationDateTime"], int)
        assert g["dynamodb"]["Keys"] == {"pk": {"S": "a"}}
    d = [g["dynamodb"] for g in got]
    assert d[0]["NewImage"] == {"pk": {"S": "a"}, "v": {"S": "1"}} and "OldImage" not in d[0]
    assert d[1]["OldImage"] == {"pk": {"S": "a"}, "v": {"S": "1"}}
    assert d[1]["NewImage"] == {"pk": {"S": "a"}, "v": {"S": "2"}}
    assert d[2]["OldImage"] == {"pk": {"S": "a"}, "v": {"S": "2"}} and "NewImage" not in d[2]
    # the environment a Lambda runtime gives
    assert f.calls()[0]["env"] == {"AWS_LAMBDA_FUNCTION_NAME": "on-order", "AWS_REGION": REGION}
    deadline = time.time() + DEADLINE
    while lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] != "OK":
        assert time.time() < deadline
        time.sleep(0.02)


def test_order_per_key_and_batch_size(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    for i in range(5):  # before the mapping: TRIM_HORIZON reads them
        put(ddb, f"k{i % 2}", str(i))
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=2)
    batches = delivered(f, 5)
    assert [len(b) for b in batches] == [2, 2, 1]
    recs = [r for b in batches for r in b]
    assert vals(recs) == ["0", "1", "2", "3", "4"]
    seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in recs]
    assert seqs == sorted(seqs)
    assert [r["eventName"] for r in recs] == ["INSERT", "INSERT", "MODIFY", "MODIFY", "MODIFY"]


def test_latest_and_trim_horizon(server_factory, tmp_path):
    fl, ft = Fn(tmp_path, "latest"), Fn(tmp_path, "horizon")
    srv = server_factory(["--in-memory", *fl.flag, *ft.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    put(ddb, "before", "old")
    lam.create_event_source_mapping(FunctionName="latest", EventSourceArn=arn, StartingPosition="LATEST")
    lam.create_event_source_mapping(FunctionName="horizon", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "after", "new")  # written at once after the answer: LATEST was resolved by the call
    assert vals([r for b in delivered(ft, 2) for r in b]) == ["old", "new"]
    assert vals([r for b in delivered(fl, 1) for r in b]) == ["new"]


def test_batching_window_gathers_a_batch(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="LATEST",
                                    BatchSize=3, MaximumBatchingWindowInSeconds=3)
    time.sleep(0.3)  # the poller is watching
    for i in range(3):
        put(ddb, f"k{i}", str(i))
        time.sleep(0.1)
    assert [len(b) for b in delivered(f, 3)] == [3]


# ---- failures ------------------------------------------------------------------------------------------------


def test_retries_until_success(server_factory, tmp_path):
    f = Fn(tmp_path, "flaky", {"fail_first": 2})
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="flaky", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "a", "1")
    calls = f.wait_calls(3)
    assert [vals(c["event"]["Records"]) for c in calls] == [["1"], ["1"], ["1"]]  # the same batch, retried
    put(ddb, "b", "2")
    f.wait_calls(4)
    assert vals(f.batches()[3]) == ["2"]
    assert lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "OK"
    assert "flaky, 1 records" in srv.log_tail(20000)


def test_retry_limit_discards_and_writes_failure_record(server_factory, tmp_path):
    f = Fn(tmp_path, "fn", {"fail_on": "poison"})
    fdir = tmp_path / "failures"
    srv = server_factory(["--in-memory", *f.flag, "--failure-dir", str(fdir)])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    put(ddb, "a", "ok1")
    put(ddb, "p", "poison")
    put(ddb, "b", "ok2")
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        BatchSize=1, MaximumRetryAttempts=1)
    f.wait_calls(4)  # ok1, poison twice (a call and one retry), ok2
    time.sleep(0.3)
    assert [vals(b) for b in f.batches()] == [["ok1"], ["poison"], ["poison"], ["ok2"]]
    files = list(fdir.glob("*.json"))
    assert len(files) == 1
    rec = json.loads(files[0].read_text())
    poison_seq = f.batches()[1][0]["dynamodb"]["SequenceNumber"]
    assert rec["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert rec["requestContext"]["approximateInvokeCount"] == 2
    assert rec["requestContext"]["functionArn"] == f"arn:aws:lambda:{REGION}:000000000000:function:fn"
    info = rec["DDBStreamBatchInfo"]
    assert info["startSequenceNumber"] == info["endSequenceNumber"] == poison_seq
    assert info["batchSize"] == 1 and info["streamArn"] == arn and info["shardId"].startswith("shardId-")
    assert rec["version"] == "1.0" and rec["responseContext"]["functionError"] == "Unhandled"
    assert lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] == "OK"


def test_bisect_isolates_the_failing_record(server_factory, tmp_path):
    f = Fn(tmp_path, "fn", {"fail_on": "poison"})
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    for pk, v in (("a", "1"), ("b", "2"), ("p", "poison"), ("c", "3")):
        put(ddb, pk, v)
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=10, BisectBatchOnFunctionError=True, MaximumRetryAttempts=0)
    f.wait_calls(5)
    time.sleep(0.3)
    assert [vals(b) for b in f.batches()] == [["1", "2", "poison", "3"], ["1", "2"], ["poison", "3"],
                                              ["poison"], ["3"]]


def test_partial_batch_response_checkpoints_before_the_failure(server_factory, tmp_path):
    f = Fn(tmp_path, "fn", {"partial_on": "poison", "partial_once": True})
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    for pk, v in (("a", "1"), ("b", "2"), ("p", "poison"), ("c", "3")):
        put(ddb, pk, v)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        FunctionResponseTypes=["ReportBatchItemFailures"])
    assert m["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    f.wait_calls(2)
    time.sleep(0.3)
    assert [vals(b) for b in f.batches()] == [["1", "2", "poison", "3"], ["poison", "3"]]


def test_timeout_is_a_function_error(server_factory, tmp_path):
    f = Fn(tmp_path, "slow", {"sleep": 5})
    srv = server_factory(["--in-memory", *f.flag, "--function-timeout", "1"])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    lam.create_event_source_mapping(FunctionName="slow", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "a", "1")
    f.wait_calls(1)
    f.set({})
    f.wait_calls(2)  # retried after the timeout, and now it answers
    assert "slow, 1 records" in srv.log_tail(20000) and "timed out after 1 s" in srv.log_tail(20000)


# ---- life of a mapping ---------------------------------------------------------------------------------------


def test_disable_enable_delete(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="LATEST")
    assert m["State"] == "Creating"
    wait_state(lam, m["UUID"], "Enabled")
    put(ddb, "a", "1")
    delivered(f, 1)
    u = lam.update_event_source_mapping(UUID=m["UUID"], Enabled=False)
    assert u["State"] == "Disabling"
    wait_state(lam, m["UUID"], "Disabled")
    put(ddb, "b", "2")
    time.sleep(0.5)  # nothing is delivered while disabled
    assert len(f.calls()) == 1
    u = lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True, BatchSize=7)
    assert u["State"] == "Enabling" and u["BatchSize"] == 7
    assert vals([r for b in delivered(f, 2) for r in b]) == ["1", "2"]  # resumed where it stopped
    d = lam.delete_event_source_mapping(UUID=m["UUID"])
    assert d["State"] == "Deleting" and d["UUID"] == m["UUID"]
    e = error_of(lambda: lam.get_event_source_mapping(UUID=m["UUID"]))
    assert e["Error"] == {"Code": "ResourceNotFoundException", "Message": "The resource you requested does not exist."}
    assert e["ResponseMetadata"]["HTTPStatusCode"] == 404
    put(ddb, "c", "3")
    time.sleep(0.5)
    assert len(f.calls()) == 2
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []


def test_mappings_and_checkpoints_survive_sigterm(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    data = tmp_path / "data"
    args = ["--data-dir", str(data), *f.flag]
    srv = server_factory(args)
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        BatchSize=3)
    for i in range(6):
        put(ddb, f"k{i}", str(i))
    delivered(f, 6)
    deadline = time.time() + DEADLINE
    while ok_records(srv, "fn") < 6:  # logged once the checkpoint is stored
        assert time.time() < deadline
        time.sleep(0.02)
    assert srv.stop() == 0
    srv2 = server_factory(args, port=srv.port)
    ddb, lam, _ = clients(srv2.url)
    got = lam.get_event_source_mapping(UUID=m["UUID"])
    assert got["FunctionArn"] == m["FunctionArn"] and got["BatchSize"] == 3 and got["State"] == "Enabled"
    for i in range(6, 9):
        put(ddb, f"k{i}", str(i))
    recs = [r for b in delivered(f, 9) for r in b]
    time.sleep(0.3)
    assert vals([r for b in f.batches() for r in b]) == [str(i) for i in range(9)]  # no gap, no repeat


def test_kill_9_loses_nothing(server_factory, tmp_path):
    f = Fn(tmp_path, "fn", {"sleep": 0.1})
    data = tmp_path / "data"
    args = ["--data-dir", str(data), *f.flag]
    srv = server_factory(args)
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                    BatchSize=2)
    for i in range(20):
        put(ddb, f"k{i:02}", str(i))
    f.wait_calls(2)
    srv.proc.kill()  # SIGKILL mid-delivery
    srv.proc.wait()
    srv2 = server_factory(args, port=srv.port)
    ddb, lam, _ = clients(srv2.url)
    f.set({})
    deadline = time.time() + DEADLINE
    while set(vals([r for b in f.batches() for r in b])) != {str(i) for i in range(20)}:
        assert time.time() < deadline, f.batches()
        time.sleep(0.02)
    got = [int(v) for v in vals([r for b in f.batches() for r in b])]
    # at least once: each batch after a resume starts at or before where the last finished one ended
    first = {}
    for i, v in enumerate(got):
        first.setdefault(v, i)
    assert sorted(first, key=first.get) == list(range(20))  # first deliveries in stream order, no gap
    assert len(got) - 20 <= 2  # repeats: at most the batch in flight at the kill


def test_sigterm_is_prompt_while_a_function_hangs(server_factory, tmp_path):
    f = Fn(tmp_path, "hang", {"sleep": 60})
    srv = server_factory(["--in-memory", *f.flag, "--function-timeout", "120"])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    lam.create_event_source_mapping(FunctionName="hang", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "a", "1")
    f.wait_calls(1)
    t0 = time.time()
    assert srv.stop() == 0
    assert time.time() - t0 < 5
    assert "stopped cleanly" in srv.log_tail()


def test_stderr_lines_are_logged_with_the_function_name(server_factory, tmp_path):
    f = Fn(tmp_path, "talker", {"stderr": "hello from the handler"})
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    lam.create_event_source_mapping(FunctionName="talker", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "a", "1")
    f.wait_calls(1)
    deadline = time.time() + DEADLINE
    while "function talker: hello from the handler" not in srv.log_tail(20000):
        assert time.time() < deadline
        time.sleep(0.02)


def test_shell_command_function(server_factory, tmp_path):
    out = tmp_path / "events.txt"
    srv = server_factory(["--in-memory", "--function", f"sh1=sh -c cat >> {out}; echo >> {out}"])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    lam.create_event_source_mapping(FunctionName="sh1", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "a", "x")
    deadline = time.time() + DEADLINE
    while not out.exists() or not out.read_text().strip():
        assert time.time() < deadline
        time.sleep(0.02)
    ev = json.loads(out.read_text().splitlines()[0])
    assert ev["Records"][0]["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "v": {"S": "x"}}


# ---- --lambda-endpoint ------------------------------------------------------------------------------------------


class InvokeServer:
    """Lambda's Invoke API: records (path, body); answers a function error while fail > 0."""

    def __init__(self):
        self.calls = []
        self.fail = 0
        self.status500 = 0  # answers 500 (no X-Amz-Function-Error) while > 0
        self.chunked = False  # answer with Transfer-Encoding: chunked
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append((self.path, json.loads(body)))
                data = b"{}"
                if outer.status500 > 0:
                    outer.status500 -= 1
                    self.send_response(500)
                else:
                    self.send_response(200)
                if outer.fail > 0:
                    outer.fail -= 1
                    data = b'{"errorMessage":"boom","errorType":"Error"}'
                    self.send_header("X-Amz-Function-Error", "Unhandled")
                self.send_header("Content-Type", "application/json")
                if outer.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data))
                    return
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


def test_lambda_endpoint_invoke_api(server_factory, tmp_path):
    inv = InvokeServer()
    inv.fail = 1
    try:
        srv = server_factory(["--in-memory", "--lambda-endpoint", inv.url])
        ddb, lam, _ = clients(srv.url)
        arn = make_table(ddb)
        m = lam.create_event_source_mapping(FunctionName=f"arn:aws:lambda:{REGION}:000000000000:function:remote-fn",
                                            EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
        assert m["FunctionArn"] == f"arn:aws:lambda:{REGION}:000000000000:function:remote-fn"
        put(ddb, "a", "1")
        deadline = time.time() + DEADLINE
        while len(inv.calls) < 2:
            assert time.time() < deadline
            time.sleep(0.02)
        assert [c[0] for c in inv.calls[:2]] == ["/2015-03-31/functions/remote-fn/invocations"] * 2
        assert inv.calls[0][1] == inv.calls[1][1]  # the function error was retried with the same event
        assert vals(inv.calls[1][1]["Records"]) == ["1"]
        assert inv.calls[1][1]["Records"][0]["eventSourceARN"] == arn
    finally:
        inv.close()


# ---- the API: answers and errors ----------------------------------------------------------------------------------


def test_answer_fields_and_list(server_factory, tmp_path):
    f, g = Fn(tmp_path, "fn"), Fn(tmp_path, "gn")
    srv = server_factory(["--in-memory", *f.flag, *g.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    arn2 = make_table(ddb, "Other")
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="LATEST",
                                        Enabled=False, MaximumBatchingWindowInSeconds=2, MaximumRetryAttempts=5,
                                        MaximumRecordAgeInSeconds=3600, BisectBatchOnFunctionError=True,
                                        ParallelizationFactor=3,
                                        FilterCriteria={"Filters": [{"Pattern": '{"eventName":["INSERT"]}'}]},
                                        DestinationConfig={"OnFailure": {"Destination":
                                                           "arn:aws:sqs:us-east-1:000000000000:dlq"}})
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", m["UUID"])
    want = {"UUID": m["UUID"], "StartingPosition": "LATEST", "BatchSize": 100, "MaximumBatchingWindowInSeconds": 2,
            "ParallelizationFactor": 3, "EventSourceArn": arn,
            "FilterCriteria": {"Filters": [{"Pattern": '{"eventName":["INSERT"]}'}]},
            "FunctionArn": f"arn:aws:lambda:{REGION}:000000000000:function:fn",
            "LastProcessingResult": "No records processed", "State": "Creating",
            "StateTransitionReason": "User action",
            "DestinationConfig": {"OnFailure": {"Destination": "arn:aws:sqs:us-east-1:000000000000:dlq"}},
            "MaximumRecordAgeInSeconds": 3600, "BisectBatchOnFunctionError": True, "MaximumRetryAttempts": 5,
            "TumblingWindowInSeconds": 0, "FunctionResponseTypes": [],
            "EventSourceMappingArn": f"arn:aws:lambda:{REGION}:000000000000:event-source-mapping:{m['UUID']}"}
    got = {k: v for k, v in m.items() if k not in ("ResponseMetadata", "LastModified")}
    if "EventSourceMappingArn" not in got:  # older botocore models do not know the member: check it raw
        want.pop("EventSourceMappingArn")
    assert got == want
    assert m["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert abs(m["LastModified"].timestamp() - time.time()) < 60
    assert lam.get_event_source_mapping(UUID=m["UUID"])["State"] == "Disabled"
    m2 = lam.create_event_source_mapping(FunctionName="gn", EventSourceArn=arn, StartingPosition="LATEST")
    m3 = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn2, StartingPosition="LATEST")
    ids = sorted([m["UUID"], m2["UUID"], m3["UUID"]])
    assert [x["UUID"] for x in lam.list_event_source_mappings()["EventSourceMappings"]] == ids
    assert {x["UUID"] for x in lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]} == \
        {m["UUID"], m2["UUID"]}
    assert {x["UUID"] for x in lam.list_event_source_mappings(FunctionName="fn")["EventSourceMappings"]} == \
        {m["UUID"], m3["UUID"]}
    by_arn = lam.list_event_source_mappings(FunctionName=f"arn:aws:lambda:{REGION}:000000000000:function:fn",
                                            EventSourceArn=arn2)
    assert [x["UUID"] for x in by_arn["EventSourceMappings"]] == [m3["UUID"]]
    p1 = lam.list_event_source_mappings(MaxItems=2)
    assert [x["UUID"] for x in p1["EventSourceMappings"]] == ids[:2] and p1["NextMarker"] == ids[1]
    p2 = lam.list_event_source_mappings(MaxItems=2, Marker=p1["NextMarker"])
    assert [x["UUID"] for x in p2["EventSourceMappings"]] == ids[2:] and "NextMarker" not in p2
    pages = lam.get_paginator("list_event_source_mappings").paginate(PaginationConfig={"PageSize": 1})
    assert [x["UUID"] for p in pages for x in p["EventSourceMappings"]] == ids


def test_errors_are_lambdas(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    table_arn = ddb.describe_table(TableName="Orders")["Table"]["TableArn"]

    def err(**kw):
        kw.setdefault("FunctionName", "fn")
        kw.setdefault("EventSourceArn", arn)
        kw.setdefault("StartingPosition", "TRIM_HORIZON")
        r = error_of(lambda: lam.create_event_source_mapping(**kw))
        return r["Error"]["Code"], r["Error"]["Message"], r["ResponseMetadata"]["HTTPStatusCode"]

    IPVE = "InvalidParameterValueException"
    assert err(FunctionName="nope") == (IPVE, "Function does not exist", 400)
    assert err(EventSourceArn=table_arn) == (
        IPVE, f"Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unsupported source arn : {table_arn}",
        400)
    gone = arn.rsplit("/", 1)[0] + "/2000-01-01T00:00:00.000"
    assert err(EventSourceArn=gone) == (IPVE, f"Stream not found: {gone}", 400)
    assert err(StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=1) == (
        IPVE, f"Unsupported starting position for arn type: {arn}", 400)
    noarg = dict(FunctionName="fn", EventSourceArn=arn)
    r = error_of(lambda: lam.create_event_source_mapping(**noarg))
    assert (r["Error"]["Code"], r["Error"]["Message"]) == (
        IPVE, "1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: "
              "Member must not be null.")
    assert err(BatchSize=10001) == (
        "ValidationException", "1 validation error detected: Value '10001' at 'batchSize' failed to satisfy "
                               "constraint: Member must have value less than or equal to 10000", 400)
    assert err(MaximumRecordAgeInSeconds=30)[0] == IPVE
    assert err(DestinationConfig={"OnSuccess": {"Destination": "arn:aws:sqs:us-east-1:000000000000:q"}}) == (
        IPVE, "Unsupported DestinationConfig parameter for given event source mapping type.", 400)
    assert err(FilterCriteria={"Filters": [{"Pattern": "not json"}]}) == (
        IPVE, "Invalid filter pattern definition.", 400)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    assert err() == ("ResourceConflictException",
                     f'The event source arn (" {arn} ") and function (" fn ") provided mapping already exists. '
                     f"Please update or delete the existing mapping with UUID {m['UUID']}", 409)
    for call in (lambda: lam.get_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000"),
                 lambda: lam.update_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000", BatchSize=5),
                 lambda: lam.delete_event_source_mapping(UUID="00000000-0000-0000-0000-000000000000")):
        r = error_of(call)
        assert r["Error"] == {"Code": "ResourceNotFoundException",
                              "Message": "The resource you requested does not exist."}
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 404
    # the wire shape: x-amzn-ErrorType and {"Type":"User","message":...}
    st, hdrs, body = raw_post(srv.url, {"FunctionName": "nope", "EventSourceArn": arn, "StartingPosition": "LATEST"})
    assert st == 400
    assert {k.lower(): v for k, v in hdrs.items()}["x-amzn-errortype"] == IPVE
    assert json.loads(body) == {"Type": "User", "message": "Function does not exist"}


def raw_post(url, doc):
    import urllib.request
    req = urllib.request.Request(url + "/2015-03-31/event-source-mappings/", data=json.dumps(doc).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_aws_cli_crud(server_factory, tmp_path):
    cli = shutil.which("aws") if not os.path.exists("/usr/bin/aws") else "/usr/bin/aws"
    if not cli:
        pytest.skip("no AWS CLI")
    f = Fn(tmp_path, "on-order")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy", AWS_DEFAULT_REGION=REGION,
               AWS_PAGER="", AWS_CLI_AUTO_PROMPT="off")
    env.pop("AWS_PROFILE", None)

    def aws(*args, check=True):
        p = subprocess.run([cli, "--endpoint-url", srv.url, "--output", "json", "lambda", *args],
                           capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
        if check:
            assert p.returncode == 0, p.stderr
        return p

    m = json.loads(aws("create-event-source-mapping", "--function-name", "on-order", "--event-source-arn", arn,
                       "--starting-position", "LATEST", "--batch-size", "10").stdout)
    assert m["BatchSize"] == 10 and m["State"] == "Creating" and m["EventSourceArn"] == arn
    put(ddb, "a", "1")
    delivered(f, 1)
    got = json.loads(aws("get-event-source-mapping", "--uuid", m["UUID"]).stdout)
    assert got["UUID"] == m["UUID"] and got["State"] == "Enabled"
    lst = json.loads(aws("list-event-source-mappings", "--event-source-arn", arn).stdout)
    assert [x["UUID"] for x in lst["EventSourceMappings"]] == [m["UUID"]]
    up = json.loads(aws("update-event-source-mapping", "--uuid", m["UUID"], "--no-enabled").stdout)
    assert up["State"] == "Disabling"
    d = json.loads(aws("delete-event-source-mapping", "--uuid", m["UUID"]).stdout)
    assert d["State"] == "Deleting"
    p = aws("get-event-source-mapping", "--uuid", m["UUID"], check=False)
    assert p.returncode != 0
    assert "(ResourceNotFoundException) when calling the GetEventSourceMapping operation: " \
           "The resource you requested does not exist." in p.stderr


def test_sigv4_with_service_lambda(server_factory, tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("AKIDTRIGGERS SECRETTRIGGERS\n")
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag, "--auth", "enforce", "--credentials", str(creds)])
    kw = dict(endpoint_url=srv.url, region_name=REGION, config=CFG)
    lam = boto3.client("lambda", aws_access_key_id="AKIDTRIGGERS", aws_secret_access_key="SECRETTRIGGERS", **kw)
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    bad = boto3.client("lambda", aws_access_key_id="AKIDTRIGGERS", aws_secret_access_key="wrong", **kw)
    r = error_of(lambda: bad.list_event_source_mappings())
    assert r["Error"]["Code"] == "InvalidSignatureException"
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_js_sdk_lambda(server_factory, tmp_path):
    js = Path(__file__).resolve().parent / "js"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the JS SDK test", pytrace=False)
    if not (js / "node_modules" / "@aws-sdk" / "client-lambda").exists():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=js, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    f = Fn(tmp_path, "js-fn")
    srv = server_factory(["--in-memory", *f.flag])
    env = dict(os.environ, DYNAROCK_ENDPOINT_URL=srv.url, AWS_REGION=REGION, AWS_ACCESS_KEY_ID="dummy",
               AWS_SECRET_ACCESS_KEY="dummy")
    for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
        env.pop(k, None)
    r = subprocess.run([node, "lambda.mjs"], cwd=js, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [x for x in r.stdout.splitlines() if x.startswith("js-lambda: ")]
    out = json.loads(lines[0][len("js-lambda: "):])
    assert out["functionArn"] == f"arn:aws:lambda:{REGION}:000000000000:function:js-fn"
    assert (out["getState"], out["updateState"], out["deleteState"]) == ("Enabled", "Disabling", "Deleting")
    assert out["missing"] == {"name": "ResourceNotFoundException", "status": 404,
                              "message": "The resource you requested does not exist."}
    assert out["conflict"] == {"name": "ResourceConflictException", "status": 409, "message":
                               f'The event source arn (" {out["arn"]} ") and function (" js-fn ") provided mapping '
                               f'already exists. Please update or delete the existing mapping with UUID {out["uuid"]}'}
    assert f.calls()[0]["event"]["Records"][0]["dynamodb"]["NewImage"] == {"pk": {"S": "js"}}


def test_filter_criteria(server_factory, tmp_path):
    pats = {
        "f-ins": ['{"eventName":["INSERT"]}'],
        "f-num": ['{"dynamodb":{"NewImage":{"n":{"N":[{"numeric":[">",5]}]}}}}'],
        "f-pre": ['{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"order#"}]}}}}'],
        "f-any": ['{"eventName":[{"anything-but":["REMOVE"]}],"dynamodb":{"NewImage":{"flag":[{"exists":false}]}}}'],
        "f-two": ['{"eventName":["REMOVE"]}', '{"dynamodb":{"Keys":{"pk":{"S":["order#2"]}}}}'],
    }
    fns = {name: Fn(tmp_path, name) for name in pats}
    srv = server_factory(["--in-memory", *[x for f in fns.values() for x in f.flag]])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    for name, ps in pats.items():
        m = lam.create_event_source_mapping(FunctionName=name, EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                            FilterCriteria={"Filters": [{"Pattern": p} for p in ps]})
        assert m["FilterCriteria"] == {"Filters": [{"Pattern": p} for p in ps]}
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "order#1"}, "n": {"N": "3"}})
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "order#2"}, "n": {"N": "10"}, "flag": {"BOOL": True}})
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "other"}, "n": {"N": "7"}})
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "order#1"}, "n": {"N": "8"}})
    ddb.delete_item(TableName="Orders", Key={"pk": {"S": "other"}})
    want = {
        "f-ins": [("INSERT", "order#1"), ("INSERT", "order#2"), ("INSERT", "other")],
        "f-num": [("INSERT", "order#2"), ("INSERT", "other"), ("MODIFY", "order#1")],
        "f-pre": [("INSERT", "order#1"), ("INSERT", "order#2"), ("MODIFY", "order#1")],
        "f-any": [("INSERT", "order#1"), ("INSERT", "other"), ("MODIFY", "order#1")],
        "f-two": [("INSERT", "order#2"), ("REMOVE", "other")],
    }

    def seen(f):
        return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for b in f.batches() for r in b]

    deadline = time.time() + DEADLINE
    while any(len(seen(fns[n])) < len(w) for n, w in want.items()):
        assert time.time() < deadline, {n: seen(f) for n, f in fns.items()}
        time.sleep(0.02)
    time.sleep(0.3)
    assert {n: seen(f) for n, f in fns.items()} == want
    for bad in ('{"eventName":"INSERT"}', '[1]', '{"eventName":[{"numeric":["~",1]}]}',
                '{"eventName":[{"wildcard-ish":"x"}]}'):
        r = error_of(lambda: lam.create_event_source_mapping(FunctionName="f-ins", EventSourceArn=arn,
                                                             StartingPosition="LATEST",
                                                             FilterCriteria={"Filters": [{"Pattern": bad}]}))
        assert r["Error"] == {"Code": "InvalidParameterValueException", "Message": "Invalid filter pattern definition."}


def test_filtered_records_do_not_count_against_the_batch(server_factory, tmp_path):
    # Lambda fills a batch with records that pass the filter: the 6 records a filter drops between the
    # kept ones do not shorten it (BatchSize 3: one batch of the 3 kept records).
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        BatchSize=3, Enabled=False,
                                        FilterCriteria={"Filters": [{"Pattern": '{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"keep"}]}}}}'}]})
    for i, pk in enumerate(["keep1", "drop1", "drop2", "drop3", "keep2", "drop4", "drop5", "drop6", "keep3",
                            "drop7", "keep4"]):
        put(ddb, pk, str(i))
    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
    f.wait_calls(2)
    time.sleep(0.3)
    assert [[r["dynamodb"]["Keys"]["pk"]["S"] for r in b] for b in f.batches()] == [["keep1", "keep2", "keep3"],
                                                                                    ["keep4"]]


FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@pytest.mark.skipif(not os.path.exists(FAKETIME), reason="needs Debian's faketime (scripts/install-deps.sh --test)")
def test_records_past_maximum_record_age_are_discarded_unprocessed(server_factory, tmp_path):
    # Records older than MaximumRecordAgeInSeconds are not delivered: they go to the on-failure
    # destination with condition RecordAgeExceeded, and the records after them are delivered. The
    # second server runs with its clock 2 minutes ahead (libfaketime), so the records are old at once.
    f = Fn(tmp_path, "fn")
    fdir = tmp_path / "failures"
    args = ["--data-dir", str(tmp_path / "data"), *f.flag, "--failure-dir", str(fdir)]
    srv = server_factory(args)
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        Enabled=False, MaximumRecordAgeInSeconds=60)
    put(ddb, "a", "old1")
    put(ddb, "b", "old2")
    assert srv.stop() == 0
    # (an ASan build would refuse a preloaded library that comes before its runtime)
    asan = (os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    srv2 = server_factory(args, port=srv.port, env={"LD_PRELOAD": FAKETIME, "FAKETIME": "+120", "ASAN_OPTIONS": asan})
    ddb, lam, _ = clients(srv2.url)
    put(ddb, "c", "new")
    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
    f.wait_calls(1)
    time.sleep(0.3)
    assert [vals(b) for b in f.batches()] == [["new"]]
    files = list(fdir.glob("*.json"))
    assert len(files) == 1
    rec = json.loads(files[0].read_text())
    assert rec["requestContext"]["condition"] == "RecordAgeExceeded"
    assert rec["requestContext"]["approximateInvokeCount"] == 0
    assert rec["DDBStreamBatchInfo"]["batchSize"] == 2


def test_mappings_live_in_their_namespace(server_factory, tmp_path):
    # --isolation account: a mapping made with account B's key reads B's stream, is invisible to the
    # default account, and runs again after a restart (B's namespace is opened at start for it).
    f = Fn(tmp_path, "fn")
    creds = tmp_path / "credentials"
    creds.write_text("AKIDA secretA\nAKIDB secretB 123456789012\n")
    args = ["--data-dir", str(tmp_path / "data"), *f.flag, "--isolation", "account", "--credentials", str(creds)]
    srv = server_factory(args)

    def cl(key, url):
        kw = dict(endpoint_url=url, region_name=REGION, aws_access_key_id=key, aws_secret_access_key="x",
                  config=CFG)
        return boto3.client("dynamodb", **kw), boto3.client("lambda", **kw)

    ddb_b, lam_b = cl("AKIDB", srv.url)
    ddb_a, lam_a = cl("AKIDA", srv.url)
    arn = make_table(ddb_b)
    assert ":123456789012:table/Orders/stream/" in arn
    make_table(ddb_a)  # the same name in the default account: another table, another stream
    m = lam_b.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    assert m["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:fn"
    assert lam_a.list_event_source_mappings()["EventSourceMappings"] == []
    r = error_of(lambda: lam_a.get_event_source_mapping(UUID=m["UUID"]))
    assert r["Error"]["Code"] == "ResourceNotFoundException"
    assert [x["UUID"] for x in lam_b.list_event_source_mappings()["EventSourceMappings"]] == [m["UUID"]]
    put(ddb_a, "a", "not-b")
    put(ddb_b, "b", "b1")
    assert vals([r for b in delivered(f, 1) for r in b]) == ["b1"]
    deadline = time.time() + DEADLINE
    while ok_records(srv, "fn") < 1:  # its checkpoint is stored
        assert time.time() < deadline
        time.sleep(0.02)
    assert srv.stop() == 0
    srv2 = server_factory(args, port=srv.port)
    ddb_b, lam_b = cl("AKIDB", srv2.url)
    put(ddb_b, "b", "b2")  # B's namespace was opened at start: its poller runs before any request
    assert vals([r for b in delivered(f, 2) for r in b]) == ["b1", "b2"]
    assert lam_b.get_event_source_mapping(UUID=m["UUID"])["State"] == "Enabled"


def test_trigger_short_form(server_factory, tmp_path):
    f = Fn(tmp_path, "Orders-trigger")
    cmd = f.flag[1].split("=", 1)[1]
    args = ["--data-dir", str(tmp_path / "data"), "--trigger", f"Orders={cmd}"]
    srv = server_factory(args)
    ddb, lam, _ = clients(srv.url)
    deadline = time.time() + DEADLINE
    while "--trigger Orders: the table does not exist yet" not in srv.log_tail(20000):
        assert time.time() < deadline
        time.sleep(0.02)
    arn = make_table(ddb)
    put(ddb, "a", "1")  # TRIM_HORIZON: delivered even if written before the mapping is made
    assert vals([r for b in delivered(f, 1) for r in b]) == ["1"]
    ms = lam.list_event_source_mappings()["EventSourceMappings"]
    assert [(m["EventSourceArn"], m["FunctionArn"], m["StartingPosition"], m["BatchSize"]) for m in ms] == [
        (arn, f"arn:aws:lambda:{REGION}:000000000000:function:Orders-trigger", "TRIM_HORIZON", 100)]
    deadline = time.time() + DEADLINE
    while ok_records(srv, "Orders-trigger") < 1:  # logged once checkpointed
        assert time.time() < deadline
        time.sleep(0.02)
    assert srv.stop() == 0  # (a stop during the call would kill it: that batch would come again)
    srv2 = server_factory(args, port=srv.port)
    ddb, lam, _ = clients(srv2.url)
    put(ddb, "b", "2")
    assert vals([r for b in delivered(f, 2) for r in b]) == ["1", "2"]
    assert [m["UUID"] for m in lam.list_event_source_mappings()["EventSourceMappings"]] == [ms[0]["UUID"]]


def test_ttl_deletion_event_carries_user_identity(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", "--ttl-interval", "1", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    ddb.update_time_to_live(TableName="Orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    ddb.put_item(TableName="Orders", Item={"pk": {"S": "old"}, "exp": {"N": str(int(time.time()) - 100)}})
    recs = [r for b in delivered(f, 2) for r in b]
    assert [r["eventName"] for r in recs] == ["INSERT", "REMOVE"]
    assert "userIdentity" not in recs[0]
    # Lambda's event (not GetRecords') spells them type / principalId, as AWS's TTL filter example matches them
    assert recs[1]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert recs[1]["eventSourceARN"] == arn


def test_disabled_mapping_stays_disabled_after_restart(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    args = ["--data-dir", str(tmp_path / "data"), *f.flag]
    srv = server_factory(args)
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        Enabled=False, BatchSize=9)
    assert srv.stop() == 0
    srv2 = server_factory(args, port=srv.port)
    ddb, lam, _ = clients(srv2.url)
    got = lam.get_event_source_mapping(UUID=m["UUID"])
    assert (got["State"], got["BatchSize"], got["LastProcessingResult"]) == ("Disabled", 9, "No records processed")
    put(ddb, "a", "1")
    time.sleep(0.5)  # nothing is delivered while disabled
    assert f.calls() == []
    lam.update_event_source_mapping(UUID=m["UUID"], Enabled=True)
    assert vals([r for b in delivered(f, 1) for r in b]) == ["1"]


def test_lambda_endpoint_status_and_chunked_answers(server_factory, tmp_path):
    inv = InvokeServer()
    inv.status500 = 1
    inv.chunked = True
    try:
        srv = server_factory(["--in-memory", "--lambda-endpoint", inv.url + "/"])
        ddb, lam, _ = clients(srv.url)
        arn = make_table(ddb)
        m = lam.create_event_source_mapping(FunctionName="remote:live", EventSourceArn=arn,
                                            StartingPosition="TRIM_HORIZON",
                                            FunctionResponseTypes=["ReportBatchItemFailures"])
        assert m["FunctionArn"] == f"arn:aws:lambda:{REGION}:000000000000:function:remote:live"
        put(ddb, "a", "1")
        deadline = time.time() + DEADLINE
        while len(inv.calls) < 2 or lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] != "OK":
            assert time.time() < deadline, inv.calls
            time.sleep(0.02)
        assert [c[0] for c in inv.calls] == ["/2015-03-31/functions/remote%3Alive/invocations"] * 2
        assert "the endpoint answered 500" in srv.log_tail(20000)
    finally:
        inv.close()


def test_wire_errors_of_the_rest_json_api(server_factory, tmp_path):
    f = Fn(tmp_path, "fn")
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    hdr = {k.lower(): v for k, v in raw_post(srv.url, {"FunctionName": "fn"})[1].items()}
    st, hdrs, body = raw_post(srv.url, {"FunctionName": "fn"})
    assert (st, json.loads(body)) == (400, {"Type": "User", "message": "Unrecognized event source."})
    assert hdr["content-type"] == "application/json" and len(hdr["x-amzn-requestid"]) > 0
    st, hdrs, body = raw_post(srv.url, {"EventSourceArn": arn, "StartingPosition": "LATEST"})
    assert st == 400 and {k.lower(): v for k, v in hdrs.items()}["x-amzn-errortype"] == "ValidationException"
    assert json.loads(body) == {"message": "1 validation error detected: Value null at 'functionName' failed to "
                                           "satisfy constraint: Member must not be null"}
    st, hdrs, body = raw_post(srv.url, {"FunctionName": "fn", "EventSourceArn": arn, "StartingPosition": "LATEST",
                                        "BatchSize": 0, "MaximumBatchingWindowInSeconds": 301})
    assert st == 400 and json.loads(body)["message"] == (
        "2 validation errors detected: Value '0' at 'batchSize' failed to satisfy constraint: Member must have "
        "value greater than or equal to 1; Value '301' at 'maximumBatchingWindowInSeconds' failed to satisfy "
        "constraint: Member must have value less than or equal to 300")
    st, hdrs, body = raw_post(srv.url, {"FunctionName": "fn", "EventSourceArn": arn, "BatchSize": "ten"})
    assert st == 400 and {k.lower(): v for k, v in hdrs.items()}["x-amzn-errortype"] == "InvalidRequestContentException"
    import urllib.request
    req = urllib.request.Request(srv.url + "/2015-03-31/functions/fn/invocations", data=b"{}", method="POST")
    try:
        urllib.request.urlopen(req, timeout=10)
        assert False
    except urllib.error.HTTPError as e:
        assert e.code == 404 and e.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_parallelization_factor_lanes_keep_each_keys_order(server_factory, tmp_path):
    f = Fn(tmp_path, "fn", {"sleep": 0.3})
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    for i in range(6):
        put(ddb, f"k{i}", f"{i}a")
    for i in range(6):
        put(ddb, f"k{i}", f"{i}b")
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON",
                                        BatchSize=2, ParallelizationFactor=3)
    assert m["ParallelizationFactor"] == 3
    batches = delivered(f, 12, timeout=30)
    assert all(len(b) <= 2 for b in batches)
    got = [(r["dynamodb"]["Keys"]["pk"]["S"], r["dynamodb"]["NewImage"]["v"]["S"]) for b in batches for r in b]
    assert sorted(got) == sorted([(f"k{i}", f"{i}{s}") for i in range(6) for s in "ab"])
    for i in range(6):  # each key's records in order (calls are logged as they start)
        assert got.index((f"k{i}", f"{i}a")) < got.index((f"k{i}", f"{i}b"))
    ends = [json.loads(x) for x in (f.dir / "ends.jsonl").read_text().splitlines()]
    assert any(a["t0"] < b["t0"] < a["t1"] for a in ends for b in ends if a is not b)  # lanes ran at once
    deadline = time.time() + DEADLINE
    while lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] != "OK":
        assert time.time() < deadline
        time.sleep(0.02)


def test_invocations_are_counted_in_metrics(server_factory, tmp_path):
    f = Fn(tmp_path, "fn", {"fail_first": 1})
    srv = server_factory(["--in-memory", *f.flag])
    ddb, lam, _ = clients(srv.url)
    arn = make_table(ddb)
    m = lam.create_event_source_mapping(FunctionName="fn", EventSourceArn=arn, StartingPosition="TRIM_HORIZON")
    put(ddb, "a", "1")
    f.wait_calls(2)
    deadline = time.time() + DEADLINE
    while lam.get_event_source_mapping(UUID=m["UUID"])["LastProcessingResult"] != "OK":
        assert time.time() < deadline
        time.sleep(0.02)
    status, text = du.http_get(srv.url, "/metrics")
    body = text.decode() if isinstance(text, bytes) else text
    assert 'dynarock_trigger_invocations_total{function="fn",result="ok"} 1' in body
    assert 'dynarock_trigger_invocations_total{function="fn",result="error"} 1' in body
    assert 'dynarock_trigger_records_total{function="fn"} 2' in body
    assert 'dynarock_trigger_discarded_batches_total{function="fn"} 0' in body
