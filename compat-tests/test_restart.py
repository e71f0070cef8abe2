"""Durability: write with --data-dir, stop with SIGTERM (clean shutdown), start again, read back.

These tests control their own dynarock processes, so they are skipped when DYNAROCK_ENDPOINT is set.
"""
import signal

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = pytest.mark.needs_process


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="dummy",
                        aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))


ITEMS = [
    {"p": {"S": "all-types"}, "c": {"N": "1"}, "s": {"S": "h\u00e9llo \u0000 \U0001F600"}, "n": {"N": "-1.5e-7"},
     "b": {"B": b"\x00\xff\x10"}, "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
     "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5"]}, "bs": {"BS": [b"\x01", b"\x02"]},
     "l": {"L": [{"S": "x"}, {"M": {"k": {"N": "9"}}}]}, "m": {"M": {"e": {"S": ""}, "eb": {"B": b""}}}},
    {"p": {"S": "all-types"}, "c": {"N": "-99999999999999999999999999999999999999e88"}},
    {"p": {"S": "other"}, "c": {"N": "0.000000000000000000000000000000000000000000001"}, "v": {"S": "v"}},
]


def sortsets(item):
    return {k: ({t: sorted(x)} if t in ("SS", "NS", "BS") else {t: x}) for k, v in item.items() for t, x in v.items()}


def read_all(ddb, table):
    got = {}
    for it in ITEMS:
        k = {"p": it["p"], "c": it["c"]}
        r = ddb.get_item(TableName=table, Key=k, ConsistentRead=True)
        got[(it["p"]["S"], it["c"]["N"])] = sortsets(r["Item"]) if "Item" in r else None
    return got


def test_data_survives_restart(server_factory, tmp_path):
    data = tmp_path / "data"
    srv = server_factory(["--data-dir", str(data)])
    ddb = client(srv.url)
    du.raw_ok(ddb, "CreateTable", dict(
        TableName="restart_t", BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        Tags=[{"Key": "k", "Value": "v"}], DeletionProtectionEnabled=True, TableClass="STANDARD_INFREQUENT_ACCESS",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        **du.key_schema("p", "S", "c", "N")))
    ddb.create_table(TableName="restart_gone", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    ddb.update_time_to_live(TableName="restart_t", TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True})
    for it in ITEMS:
        ddb.put_item(TableName="restart_t", Item=it)
    ddb.put_item(TableName="restart_t", Item={"p": {"S": "deleted"}, "c": {"N": "1"}})
    ddb.delete_item(TableName="restart_t", Key={"p": {"S": "deleted"}, "c": {"N": "1"}})
    ddb.delete_table(TableName="restart_gone")
    before_desc = du.raw_ok(ddb, "DescribeTable", {"TableName": "restart_t"})["Table"]
    before_items = read_all(ddb, "restart_t")
    assert all(v is not None for v in before_items.values())

    assert srv.stop(signal.SIGTERM) == 0, srv.log_tail()

    srv2 = server_factory(["--data-dir", str(data)], port=srv.port)
    ddb = client(srv2.url)
    after_desc = du.raw_ok(ddb, "DescribeTable", {"TableName": "restart_t"})["Table"]
    for k in ("TableName", "TableArn", "TableId", "CreationDateTime", "KeySchema", "ProvisionedThroughput",
              "StreamSpecification", "LatestStreamArn", "LatestStreamLabel", "DeletionProtectionEnabled",
              "TableClassSummary", "TableStatus"):
        assert after_desc[k] == before_desc[k], k
    assert sorted(after_desc["AttributeDefinitions"], key=str) == sorted(before_desc["AttributeDefinitions"], key=str)
    assert read_all(ddb, "restart_t") == before_items
    assert "Item" not in ddb.get_item(TableName="restart_t", Key={"p": {"S": "deleted"}, "c": {"N": "1"}},
                                      ConsistentRead=True)
    assert ddb.describe_time_to_live(TableName="restart_t")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    assert ddb.list_tags_of_resource(ResourceArn=after_desc["TableArn"])["Tags"] == [{"Key": "k", "Value": "v"}]
    names = ddb.list_tables()["TableNames"]
    assert "restart_t" in names and "restart_gone" not in names
    with du.raises("ResourceNotFoundException", "Requested resource not found: Table: restart_gone not found"):
        ddb.describe_table(TableName="restart_gone")
    # the restarted server keeps working: write more, restart again with SIGINT, read back
    ddb.put_item(TableName="restart_t", Item={"p": {"S": "after"}, "c": {"N": "2"}})
    assert srv2.stop(signal.SIGINT) == 0, srv2.log_tail()

    srv3 = server_factory(["--data-dir", str(data)])
    ddb = client(srv3.url)
    assert ddb.get_item(TableName="restart_t", Key={"p": {"S": "after"}, "c": {"N": "2"}},
                        ConsistentRead=True)["Item"] == {"p": {"S": "after"}, "c": {"N": "2"}}
    assert read_all(ddb, "restart_t") == before_items


def test_in_memory_keeps_nothing(server_factory, tmp_path):
    srv = server_factory(["--in-memory"])
    ddb = client(srv.url)
    ddb.create_table(TableName="mem_t", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    assert srv.stop() == 0, srv.log_tail()
    srv2 = server_factory(["--in-memory"], port=srv.port)
    assert "mem_t" not in client(srv2.url).list_tables()["TableNames"]


def test_many_items_survive_restart(server_factory, tmp_path):
    data = tmp_path / "data"
    srv = server_factory(["--data-dir", str(data)])
    ddb = client(srv.url)
    ddb.create_table(TableName="bulk", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "N"))
    for i in range(300):
        ddb.put_item(TableName="bulk", Item={"p": {"N": str(i)}, "v": {"S": "x" * (i % 50)}})
    assert srv.stop() == 0, srv.log_tail()
    srv2 = server_factory(["--data-dir", str(data)])
    ddb = client(srv2.url)
    for i in range(0, 300, 7):
        assert ddb.get_item(TableName="bulk", Key={"p": {"N": str(i)}}, ConsistentRead=True)["Item"] == {
            "p": {"N": str(i)}, "v": {"S": "x" * (i % 50)}}
    # dynarock keeps ItemCount exact (DynamoDB refreshes it every few hours)
    assert ddb.describe_table(TableName="bulk")["Table"]["ItemCount"] == 300
