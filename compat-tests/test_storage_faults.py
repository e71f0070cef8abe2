"""Storage failures (dynarock's fault-injection hook, DYNAROCK_FAULTS): each write request whose
storage write fails answers 500 InternalServerError and leaves nothing half-written.

Each case starts its own server with DYNAROCK_FAULTS="write:1@3": the first three storage writes
pass (CreateTable, then two PutItems of the seed), the fourth, the request under test, fails. The
table has a GSI and an LSI; afterwards GetItem, Query on the table and both indexes, Scan and
DescribeTable's ItemCount must show the state from before the request. The same request sent again
then succeeds (the fault is used up), which shows the failed one would have changed that state.
A no-space fault ("write:1@3:nospace") is answered with the full-disk message, and writes resume.
These tests start their own dynarock processes and rely on a dynarock-only hook.
"""
import time

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

TABLE = "faults_tbl"
SEED = [
    {"p": {"S": "a"}, "s": {"N": "1"}, "g": {"S": "g1"}, "l": {"N": "10"}, "v": {"S": "A1"}},
    {"p": {"S": "a"}, "s": {"N": "2"}, "g": {"S": "g1"}, "l": {"N": "20"}, "v": {"S": "A2"}},
]
INTERNAL = "com.amazonaws.dynamodb.v20120810#InternalServerError"
FULL = ("Internal server error: the data directory's disk is full; writes are refused until space is "
        "freed")


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="dummy",
                        aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))


def key(p, s):
    return {"p": {"S": p}, "s": {"N": s}}


def start(server_factory, monkeypatch, tmp_path, spec):
    monkeypatch.setenv("DYNAROCK_FAULTS", spec)
    srv = server_factory(["--data-dir", str(tmp_path / "data")])
    monkeypatch.delenv("DYNAROCK_FAULTS")
    ddb = client(srv.url)
    ddb.create_table(  # storage write 1
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t}
                              for n, t in (("p", "S"), ("s", "N"), ("g", "S"), ("l", "N"))],
        GlobalSecondaryIndexes=[{"IndexName": "gsi", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "s", "KeyType": "RANGE"}]}],
        LocalSecondaryIndexes=[{"IndexName": "lsi", "Projection": {"ProjectionType": "ALL"},
                                "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                              {"AttributeName": "l", "KeyType": "RANGE"}]}])
    for it in SEED:  # storage writes 2 and 3
        ddb.put_item(TableName=TABLE, Item=it)
    return srv, ddb


def values(items):
    return sorted(it["v"]["S"] for it in items)


def snapshot(ddb):
    """Everything a client can see of the table."""
    out = {}
    for p, s in (("a", "1"), ("a", "2"), ("b", "1")):
        it = ddb.get_item(TableName=TABLE, Key=key(p, s), ConsistentRead=True).get("Item")
        out[f"get {p}/{s}"] = it
    out["query a"] = values(ddb.query(TableName=TABLE, KeyConditionExpression="p = :p",
                                      ExpressionAttributeValues={":p": {"S": "a"}})["Items"])
    for g in ("g1", "g2"):
        out[f"gsi {g}"] = values(ddb.query(TableName=TABLE, IndexName="gsi", KeyConditionExpression="g = :g",
                                           ExpressionAttributeValues={":g": {"S": g}})["Items"])
    lsi = ddb.query(TableName=TABLE, IndexName="lsi", KeyConditionExpression="p = :p",
                    ExpressionAttributeValues={":p": {"S": "a"}})["Items"]
    out["lsi a"] = [(it["l"]["N"], it["v"]["S"]) for it in lsi]
    out["scan"] = values(ddb.scan(TableName=TABLE, ConsistentRead=True)["Items"])
    out["count"] = ddb.describe_table(TableName=TABLE)["Table"]["ItemCount"]
    return out


NEW_B1 = {"p": {"S": "b"}, "s": {"N": "1"}, "g": {"S": "g2"}, "l": {"N": "5"}, "v": {"S": "B1"}}

# operation, payload (raw JSON, as SDKs send it)
CASES = {
    "PutItem": {"TableName": TABLE, "Item": NEW_B1},
    "UpdateItem": {"TableName": TABLE, "Key": key("a", "1"),
                   "UpdateExpression": "SET g = :g, l = :l, v = :v",
                   "ExpressionAttributeValues": {":g": {"S": "g2"}, ":l": {"N": "30"}, ":v": {"S": "A1x"}}},
    "DeleteItem": {"TableName": TABLE, "Key": key("a", "2")},
    "BatchWriteItem": {"RequestItems": {TABLE: [{"PutRequest": {"Item": NEW_B1}},
                                                {"DeleteRequest": {"Key": key("a", "2")}}]}},
    "TransactWriteItems": {"TransactItems": [
        {"Put": {"TableName": TABLE, "Item": NEW_B1}},
        {"Update": {"TableName": TABLE, "Key": key("a", "1"), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "A1x"}}}},
        {"Delete": {"TableName": TABLE, "Key": key("a", "2")}}]},
}


@pytest.mark.parametrize("op", list(CASES))
def test_failed_write_leaves_nothing_behind(server_factory, monkeypatch, tmp_path, op):
    srv, ddb = start(server_factory, monkeypatch, tmp_path, "write:1@3")
    before = snapshot(ddb)
    assert before["count"] == 2 and before["query a"] == ["A1", "A2"] and before["gsi g1"] == ["A1", "A2"]
    raw = du.raw_for(ddb)
    r = raw.call(op, CASES[op])
    assert r.status == 500, r
    assert r.error_type == INTERNAL, r
    assert r.error_message == "Internal server error"
    assert snapshot(ddb) == before
    # the fault is used up: the same request now changes the state
    r = raw.call(op, CASES[op])
    assert r.status == 200, r
    assert snapshot(ddb) != before
    assert srv.proc.poll() is None
    assert srv.stop() == 0


def test_no_space_fault_names_the_cause_and_writes_resume(server_factory, monkeypatch, tmp_path):
    srv, ddb = start(server_factory, monkeypatch, tmp_path, "write:1@3:nospace")
    before = snapshot(ddb)
    r = du.raw_for(ddb).call("PutItem", CASES["PutItem"])
    assert r.status == 500, r
    assert r.error_type == INTERNAL, r
    assert r.error_message == FULL
    assert snapshot(ddb) == before
    assert du.http_get(srv.url)[0] == 200
    deadline = time.time() + 10
    while True:  # the disk has room: the probe reopens writes within a second or so
        r = du.raw_for(ddb).call("PutItem", CASES["PutItem"])
        if r.status == 200 or time.time() > deadline:
            break
        assert r.error_message == FULL
        time.sleep(0.1)
    assert r.status == 200, r
    assert snapshot(ddb)["get b/1"] == NEW_B1
    assert srv.stop() == 0
    log = srv.log_path.read_text()
    assert log.count("the data directory's disk is full") == 1, log
    assert "writes resumed" in log


def test_bad_fault_spec_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("DYNAROCK_FAULTS", "write:sometimes")
    srv = du.Server(["--data-dir", str(tmp_path / "data")], tmp_path / "bad.log")
    with pytest.raises(RuntimeError, match="exited with 1"):
        srv.start(timeout=10)
    assert "DYNAROCK_FAULTS: bad item 'write:sometimes'" in (tmp_path / "bad.log").read_text()
