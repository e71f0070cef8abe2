"""Time to Live: expired items really go.

DynamoDB's documented rule (Developer Guide, "Using DynamoDB Time to Live", formatting an item's
TTL attribute): an item is eligible when its TTL attribute is a top-level Number holding Unix epoch
seconds earlier than now and no more than five years in the past; items without the attribute, with
another type, or older than that are ignored. Deletions remove the item from every index at once
and consume no capacity. DynamoDB takes up to two days; dynarock sweeps every --ttl-interval
seconds (1 by default), so these tests run against their own server and are dynarock-only (the
same writes against AWS would pass only after hours).
"""
import time

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

FIVE_YEARS = 5 * 365 * 86400


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="dummy",
                        aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))


def make_table(ddb, name, ttl_attr="exp"):
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                              {"AttributeName": "s", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "l", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "s", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}],
        LocalSecondaryIndexes=[{"IndexName": "byl", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                                                  {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    if ttl_attr:
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": ttl_attr, "Enabled": True})


def item(s, exp=None, **extra):
    it = {"p": {"S": "P"}, "s": {"N": str(s)}, "g": {"S": "G"}, "l": {"S": "L%d" % s}}
    if exp is not None:
        it["exp"] = exp
    it.update(extra)
    return it


def keys_left(ddb, table):
    r = ddb.query(TableName=table, KeyConditionExpression="p = :p",
                  ExpressionAttributeValues={":p": {"S": "P"}}, ConsistentRead=True)
    return sorted(int(i["s"]["N"]) for i in r["Items"])


def wait_for(pred, timeout=15.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def test_expired_items_are_deleted_from_table_and_indexes(server_factory):
    srv = server_factory(["--in-memory", "--ttl-interval", "1"])
    ddb = client(srv.url)
    make_table(ddb, "ttl_main")
    now = int(time.time())
    writes = {
        1: {"N": str(now - 60)},                       # expired a minute ago: deleted
        2: {"N": str(now + 3600)},                     # expires in an hour: kept
        3: None,                                       # no TTL attribute: kept
        4: {"S": str(now - 60)},                       # a String: ignored, kept
        5: {"N": str(now - FIVE_YEARS - 86400 * 2)},   # more than five years ago: ignored, kept
        6: {"N": str(now - FIVE_YEARS + 86400)},       # just under five years ago: deleted
        7: {"N": "%d.5" % (now - 10)},                 # fractional seconds, in the past: deleted
        8: {"N": str((now - 60) * 1000)},              # milliseconds: far in the future, kept
        9: {"NS": [str(now - 60)]},                    # a number set: ignored, kept
    }
    for s, exp in writes.items():
        ddb.put_item(TableName="ttl_main", Item=item(s, exp))
    # a nested attribute of the same name is not the TTL attribute
    ddb.put_item(TableName="ttl_main", Item=item(10, None, m={"M": {"exp": {"N": str(now - 60)}}}))

    kept = [2, 3, 4, 5, 8, 9, 10]
    assert wait_for(lambda: keys_left(ddb, "ttl_main") == kept), keys_left(ddb, "ttl_main")

    for s in (1, 6, 7):
        assert "Item" not in ddb.get_item(TableName="ttl_main", Key={"p": {"S": "P"}, "s": {"N": str(s)}},
                                          ConsistentRead=True)
    gsi = ddb.query(TableName="ttl_main", IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "G"}})
    assert sorted(int(i["s"]["N"]) for i in gsi["Items"]) == kept
    lsi = ddb.query(TableName="ttl_main", IndexName="byl", KeyConditionExpression="p = :p",
                    ExpressionAttributeValues={":p": {"S": "P"}})
    assert sorted(int(i["s"]["N"]) for i in lsi["Items"]) == kept
    desc = ddb.describe_table(TableName="ttl_main")["Table"]
    assert desc["ItemCount"] == len(kept)
    assert {x["IndexName"]: x["ItemCount"] for x in desc["GlobalSecondaryIndexes"]} == {"byg": len(kept)}
    assert {x["IndexName"]: x["ItemCount"] for x in desc["LocalSecondaryIndexes"]} == {"byl": len(kept)}
    assert ddb.describe_time_to_live(TableName="ttl_main")["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}


def test_items_expire_as_their_time_comes(server_factory):
    srv = server_factory(["--in-memory", "--ttl-interval", "1"])
    ddb = client(srv.url)
    make_table(ddb, "ttl_soon")
    now = int(time.time())
    ddb.put_item(TableName="ttl_soon", Item=item(1, {"N": str(now + 2)}))
    ddb.put_item(TableName="ttl_soon", Item=item(2, {"N": str(now + 3600)}))
    assert keys_left(ddb, "ttl_soon") == [1, 2]
    assert wait_for(lambda: keys_left(ddb, "ttl_soon") == [2], timeout=15.0)
    # an update that moves the expiry into the future keeps the item
    ddb.put_item(TableName="ttl_soon", Item=item(3, {"N": str(int(time.time()) + 2)}))
    ddb.update_item(TableName="ttl_soon", Key={"p": {"S": "P"}, "s": {"N": "3"}},
                    UpdateExpression="SET exp = :e", ExpressionAttributeValues={":e": {"N": str(now + 7200)}})
    time.sleep(4)
    assert keys_left(ddb, "ttl_soon") == [2, 3]


def test_nothing_expires_without_ttl_enabled(server_factory):
    srv = server_factory(["--in-memory", "--ttl-interval", "1"])
    ddb = client(srv.url)
    make_table(ddb, "ttl_off", ttl_attr=None)
    make_table(ddb, "ttl_disabled")
    ddb.update_time_to_live(TableName="ttl_disabled", TimeToLiveSpecification={"AttributeName": "exp", "Enabled": False})
    past = {"N": str(int(time.time()) - 60)}
    for t in ("ttl_off", "ttl_disabled"):
        ddb.put_item(TableName=t, Item=item(1, past))
    time.sleep(3)
    assert keys_left(ddb, "ttl_off") == [1]
    assert keys_left(ddb, "ttl_disabled") == [1]


def test_ttl_interval_zero_keeps_expired_items(server_factory):
    srv = server_factory(["--in-memory", "--ttl-interval", "0"])
    ddb = client(srv.url)
    make_table(ddb, "ttl_never")
    ddb.put_item(TableName="ttl_never", Item=item(1, {"N": str(int(time.time()) - 60)}))
    time.sleep(2.5)
    assert keys_left(ddb, "ttl_never") == [1]


def test_sweep_of_many_items_and_restart(server_factory, tmp_path):
    """More items than one sweep page, some expired, on a data directory: every expired item goes,
    every other stays, also after a restart."""
    data = tmp_path / "data"
    srv = server_factory(["--data-dir", str(data), "--ttl-interval", "1"])
    ddb = client(srv.url)
    make_table(ddb, "ttl_many")
    now = int(time.time())
    n = 450
    for s in range(n):
        exp = {"N": str(now - 30)} if s % 3 == 0 else {"N": str(now + 3600)}
        ddb.put_item(TableName="ttl_many", Item=item(s, exp))
    kept = [s for s in range(n) if s % 3 != 0]
    assert wait_for(lambda: keys_left(ddb, "ttl_many") == kept, timeout=20.0)
    assert ddb.describe_table(TableName="ttl_many")["Table"]["ItemCount"] == len(kept)
    assert srv.stop() == 0
    srv2 = server_factory(["--data-dir", str(data), "--ttl-interval", "1"])
    ddb2 = client(srv2.url)
    assert keys_left(ddb2, "ttl_many") == kept
    assert ddb2.describe_table(TableName="ttl_many")["Table"]["ItemCount"] == len(kept)
