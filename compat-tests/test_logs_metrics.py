"""The front door's logs and metrics (issue 16): the access log (--log-level, --log-format) and GET /metrics.

Not DynamoDB behaviour: dynarock-only, and each test starts its own server with the flags it checks.
"""
import http.client
import json
import re
import time

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class Client:
    """One keep-alive connection sending raw DynamoDB requests, so bodies and ids are known exactly."""

    def __init__(self, srv):
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
        self.conn.connect()
        self.local_port = self.conn.sock.getsockname()[1]

    def call(self, op, body, prefix="DynamoDB_20120810"):
        data = json.dumps(body).encode()
        self.conn.request("POST", "/", body=data, headers={"X-Amz-Target": f"{prefix}.{op}",
                                                            "Content-Type": "application/x-amz-json-1.0"})
        r = self.conn.getresponse()
        out = r.read()
        return {"status": r.status, "id": r.getheader("x-amzn-RequestId"), "in": len(data), "out": len(out),
                "body": json.loads(out) if out else None, "sent": data.decode(), "raw": out.decode()}

    def call_streams(self, op, body):
        return self.call(op, body, prefix="DynamoDBStreams_20120810")

    def get(self, path):
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read().decode()


def create_table(c, name):
    r = c.call("CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                               **du.key_schema("pk", "S")})
    assert r["status"] == 200, r
    return r


def log_lines(srv, settle=0.2):
    time.sleep(settle)  # the line is written after the answer
    return srv.log_path.read_text().splitlines()


def json_lines(srv):
    out = []
    for line in log_lines(srv):
        if line.startswith("{"):
            out.append(json.loads(line))  # every JSON line parses
    return out


def by_id(lines, rid):
    found = [l for l in lines if l.get("id") == rid]
    assert len(found) == 1, (rid, lines[-5:])
    return found[0]


def test_json_access_lines_carry_exact_fields(server_factory):
    srv = server_factory(["--in-memory", "--threads", "1", "--log-level", "info", "--log-format", "json"])
    c = Client(srv)
    name = du.unique_name("log")
    made = create_table(c, name)
    put = c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}, "v": {"N": "1"}}})
    get = c.call("GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}})
    failed = c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}},
                                "ConditionExpression": "attribute_not_exists(pk)"})
    missing = c.call("GetItem", {"TableName": name + "_nope", "Key": {"pk": {"S": "a"}}})
    assert failed["status"] == 400 and missing["status"] == 400
    lines = json_lines(srv)

    for r, op, table, status, err in [(made, "CreateTable", name, 200, None), (put, "PutItem", name, 200, None),
                                      (get, "GetItem", name, 200, None),
                                      (failed, "PutItem", name, 400, "ConditionalCheckFailedException"),
                                      (missing, "GetItem", name + "_nope", 400, "ResourceNotFoundException")]:
        line = by_id(lines, r["id"])
        assert line["level"] == "info" and line["msg"] == "access"
        assert TIME_RE.match(line["time"]), line
        assert line["remote"] == f"127.0.0.1:{c.local_port}"
        assert (line["op"], line["table"], line["status"], line["error"]) == (op, table, status, err)
        assert (line["in"], line["out"]) == (r["in"], r["out"])
        # consumed capacity: a new 1 KB item is 1 write unit, an eventually consistent read of it 0.5
        assert line["cu"] == {"PutItem": 1 if status == 200 else 0, "GetItem": 0.5 if status == 200 else 0,
                              "CreateTable": 0}[op]
        assert isinstance(line["ms"], float) and 0 <= line["ms"] < 10000
        assert "request" not in line and "answer" not in line  # bodies only at debug


def test_non_api_requests_are_logged_by_method_and_path(server_factory):
    srv = server_factory(["--in-memory", "--log-level", "info", "--log-format", "json"])
    c = Client(srv)
    status, _, _ = c.get("/nowhere")
    assert status == 404
    c.conn.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "DynamoDB_20120810.NoSuchOp",
                                                     "Content-Type": "application/x-amz-json-1.0"})
    r = c.conn.getresponse()
    r.read()
    lines = json_lines(srv)
    nowhere = [l for l in lines if l["op"] == "GET /nowhere"]
    assert len(nowhere) == 1 and nowhere[0]["status"] == 404
    assert nowhere[0]["error"] == "UnknownOperationException"
    health = [l for l in lines if l["op"] == "GET /"]
    assert health and all(l["status"] == 200 and len(l["id"]) == 52 for l in health)  # start-up's checks
    unrouted = by_id(lines, r.getheader("x-amzn-RequestId"))
    assert (unrouted["op"], unrouted["status"], unrouted["error"]) == (None, 400, "UnknownOperationException")


def test_text_format(server_factory):
    srv = server_factory(["--in-memory", "--log-level", "info"])
    c = Client(srv)
    name = du.unique_name("logt")
    create_table(c, name)
    get = c.call("GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}})
    missing = c.call("DescribeTable", {"TableName": name + "_nope"})
    lines = log_lines(srv)
    [g] = [l for l in lines if f"id={get['id']} " in l]
    assert g.startswith("dynarock info: access time=")
    assert (f" remote=127.0.0.1:{c.local_port} op=GetItem table={name} status=200 error=- ms=") in g
    assert g.endswith(f" in={get['in']} out={get['out']} cu=0.5")  # an eventually consistent read of no item
    [m] = [l for l in lines if f"id={missing['id']} " in l]
    assert f" op=DescribeTable table={name}_nope status=400 error=ResourceNotFoundException ms=" in m
    assert not any(l.startswith("{") for l in lines)


def test_text_values_that_need_quotes(server_factory):
    srv = server_factory(["--in-memory", "--log-level", "info"])
    c = Client(srv)
    r = c.call("GetItem", {"TableName": 'a b"c', "Key": {"pk": {"S": "a"}}})
    assert r["status"] == 400
    [line] = [l for l in log_lines(srv) if f"id={r['id']} " in l]
    assert ' table="a b\\"c" status=400 error=ResourceNotFoundException ' in line  # a name or ARN: looked up


@pytest.mark.parametrize("args", [[], ["--log-level", "warn"], ["--log-level", "error"]])
def test_no_access_lines_below_info(server_factory, args):
    srv = server_factory(["--in-memory", *args])
    c = Client(srv)
    name = du.unique_name("quiet")
    create_table(c, name)
    for _ in range(5):
        assert c.call("GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}})["status"] == 200
    c.call("GetItem", {"TableName": name + "_nope", "Key": {"pk": {"S": "a"}}})
    lines = log_lines(srv)
    assert not [l for l in lines if "access" in l], lines
    assert srv.stop() == 0
    text = srv.log_path.read_text()
    # the server's own events stay at info unless a level is given
    assert ("stopped cleanly" in text) == (args == [])


def test_debug_adds_bodies_truncated(server_factory):
    srv = server_factory(["--in-memory", "--log-level", "debug", "--log-format", "json"])
    c = Client(srv)
    name = du.unique_name("dbg")
    create_table(c, name)
    small = c.call("GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}})
    big = c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": "b"}, "v": {"S": "x" * 3000}}})
    assert big["status"] == 200
    lines = json_lines(srv)
    s = by_id(lines, small["id"])
    assert s["request"] == small["sent"] and s["answer"] == small["raw"] == "{}"
    b = by_id(lines, big["id"])
    assert len(b["request"]) == 1024 + 3 and b["request"].endswith("...")
    assert b["request"][:1024] == big["sent"][:1024]


def parse_prometheus(text):
    """{(name, frozenset(labels)): value}; asserts the text format: HELP and TYPE before each family."""
    samples, typed = {}, {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (-?[0-9.e+]+|\+Inf|NaN)$')
    label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram"), line
            typed[name] = kind
            continue
        m = line_re.match(line)
        assert m, f"not a sample line: {line!r}"
        name = m.group(1)
        family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in typed else name
        assert family in typed, f"sample before its TYPE: {line!r}"
        labels = frozenset(label_re.findall(m.group(3) or ""))
        samples[(name, labels)] = float(m.group(4))
    return samples


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


def test_metrics_count_known_traffic(server_factory):
    srv = server_factory(["--in-memory", "--threads", "2"])
    c = Client(srv)
    name = du.unique_name("met")
    status, ctype, text = c.get("/metrics")
    assert status == 200 and ctype.startswith("text/plain; version=0.0.4")
    before = parse_prometheus(text)

    create_table(c, name)
    for k in ("a", "b"):
        assert c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": k}, "v": {"S": "x" * 10}}})["status"] == 200
    for _ in range(3):
        assert c.call("GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}})["status"] == 200
    r = c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}}, "ConditionExpression": "attribute_not_exists(pk)"})
    assert r["body"]["__type"].endswith("ConditionalCheckFailedException")
    assert c.call("GetItem", {"TableName": name + "_nope", "Key": {"pk": {"S": "a"}}})["status"] == 400
    size = c.call("DescribeTable", {"TableName": name})["body"]["Table"]["TableSizeBytes"]

    status, _, text = c.get("/metrics")
    after = parse_prometheus(text)

    def delta(n, **labels):
        return metric(after, n, **labels) - metric(before, n, **labels)

    req = "dynarock_requests_total"
    assert delta(req, operation="GetItem", outcome="OK") == 3
    assert delta(req, operation="GetItem", outcome="ResourceNotFoundException") == 1
    assert delta(req, operation="PutItem", outcome="OK") == 2
    assert delta(req, operation="PutItem", outcome="ConditionalCheckFailedException") == 1
    assert delta(req, operation="CreateTable", outcome="OK") == 1
    assert delta(req, operation="none", outcome="OK") == 1  # the first scrape

    h = "dynarock_request_duration_seconds"
    assert delta(h + "_count", operation="GetItem") == 4
    buckets = sorted(((float(dict(l)["le"]), v) for (n, l), v in after.items()
                      if n == h + "_bucket" and dict(l)["operation"] == "GetItem"))
    assert len(buckets) == 15 and buckets[-1] == (float("inf"), metric(after, h + "_count", operation="GetItem"))
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))  # cumulative
    assert 0 < metric(after, h + "_sum", operation="GetItem") < 60

    assert metric(after, "dynarock_table_items", table=name) == 2
    assert metric(after, "dynarock_table_bytes", table=name) == size
    assert metric(after, "dynarock_requests_in_flight") == 1  # this scrape
    assert metric(after, "dynarock_open_connections") >= 1
    for n in ("dynarock_rocksdb_memtable_bytes", "dynarock_rocksdb_block_cache_bytes",
              "dynarock_rocksdb_pending_compaction_bytes", "dynarock_rocksdb_background_errors"):
        assert (n, frozenset()) in after, n
    assert metric(after, "dynarock_rocksdb_background_errors") == 0


def test_metrics_connections_gauge(server_factory):
    srv = server_factory(["--in-memory", "--threads", "2"])
    clients = [Client(srv) for _ in range(4)]
    for c in clients:
        assert c.get("/")[0] == 200
    _, _, text = clients[0].get("/metrics")
    assert metric(parse_prometheus(text), "dynarock_open_connections") >= 4
    for c in clients[1:]:
        c.conn.close()
    deadline = time.time() + 5
    while True:
        _, _, text = clients[0].get("/metrics")
        n = metric(parse_prometheus(text), "dynarock_open_connections")
        if n == 1 or time.time() > deadline:
            break
        time.sleep(0.05)
    assert n == 1


def test_metrics_event_loops_and_wal(server_factory, tmp_path):
    srv = server_factory(["--data-dir", str(tmp_path / "data"), "--threads", "2"])
    c = Client(srv)
    name = du.unique_name("wal")
    create_table(c, name)
    before = parse_prometheus(c.get("/metrics")[2])
    for i in range(200):
        assert c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": f"k{i}"}, "v": {"S": "x" * 1000}}})["status"] == 200
    after = parse_prometheus(c.get("/metrics")[2])
    loops = {dict(labels)["loop"]: v for (n, labels), v in after.items() if n == "dynarock_event_loop_cpu_seconds_total"}
    assert sorted(loops) == ["0", "1"]
    assert all(v > 0 for v in loops.values())
    busy = sum(loops.values()) - sum(v for (n, _), v in before.items() if n == "dynarock_event_loop_cpu_seconds_total")
    assert busy > 0  # 200 writes took some CPU on the loops
    wal = metric(after, "dynarock_rocksdb_wal_bytes")
    assert wal >= metric(before, "dynarock_rocksdb_wal_bytes") + 200 * 1000  # every write is in the log
    assert wal == sum(p.stat().st_size for p in (tmp_path / "data").glob("*.log"))


def test_metrics_in_memory_has_no_wal(server_factory):
    srv = server_factory(["--in-memory"])
    after = parse_prometheus(Client(srv).get("/metrics")[2])
    assert not [k for k in after if k[0] == "dynarock_rocksdb_wal_bytes"]


def test_metrics_stream_records(server_factory):
    srv = server_factory(["--in-memory"])
    c = Client(srv)
    name = du.unique_name("smet")
    made = c.call("CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                                  **du.key_schema("pk", "S"),
                                  "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}})
    assert made["status"] == 200
    before = parse_prometheus(c.get("/metrics")[2])
    for k in ("a", "b", "c"):
        assert c.call("PutItem", {"TableName": name, "Item": {"pk": {"S": k}}})["status"] == 200
    assert c.call("DeleteItem", {"TableName": name, "Key": {"pk": {"S": "a"}}})["status"] == 200
    arn = made["body"]["TableDescription"]["LatestStreamArn"]
    shard = c.call_streams("DescribeStream", {"StreamArn": arn})["body"]["StreamDescription"]["Shards"][0]["ShardId"]
    it = c.call_streams("GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                             "ShardIteratorType": "TRIM_HORIZON"})["body"]["ShardIterator"]
    got = c.call_streams("GetRecords", {"ShardIterator": it, "Limit": 3})["body"]
    assert len(got["Records"]) == 3
    after = parse_prometheus(c.get("/metrics")[2])
    assert metric(after, "dynarock_stream_records_written_total") - \
        metric(before, "dynarock_stream_records_written_total") == 4
    assert metric(after, "dynarock_stream_records_read_total") - metric(before, "dynarock_stream_records_read_total") == 3
