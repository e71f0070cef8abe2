"""UpdateTable for billing mode, throughput, deletion protection, table class and streams.

On AWS an UpdateTable answer still shows the old values with TableStatus UPDATING and the change
lands a little later (architect/dynalite test/updateTable.js, recorded from AWS), so these tests wait
for ACTIVE and then read DescribeTable.

Messages:
- 'Requested resource not found: Table: <name> not found' — architect/dynalite test/updateTable.js.
- 'The provisioned throughput for the table will not change. ...' — architect/dynalite
  test/updateTable.js.
- 'One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be
  specified when BillingMode is PAY_PER_REQUEST' — architect/dynalite tape tests (updateTable) and moto.
- Nothing to update: 'At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, ... or
  TableClass is required', the list recorded against AWS in October 2026 (ack-api-quirks catalogue,
  DDB-TABLE-449, the same in two regions), which leaves out a listed member the request sent
  (MultiRegionConsistency alone); dynalite recorded an older, shorter list.
- Streams: 'Table already has an enabled stream: TableName: <name>' (also for a new view type),
  'Table has no stream to disable: TableName: <name>', 'One or more parameter values were invalid: If
  stream is being enabled then UpdateViewType is required' and '... If stream is being disabled, then
  UpdateViewType must not be specified'; after disabling, DescribeTable has no StreamSpecification
  while LatestStreamArn / LatestStreamLabel stay — recorded from AWS by the ack-api-quirks catalogue
  (DDB-TABLE-050, verified 2026-10-09); the first also by terraform-provider-aws.
"""
import pytest

import dynarock_util as du
from dynarock_util import raises


def test_switch_to_provisioned(ddb, make_table):
    name = make_table()
    d = ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3})["TableDescription"]
    assert d["TableName"] == name
    assert d["TableStatus"] in ("UPDATING", "ACTIVE")
    t = du.wait_active(ddb, name)
    assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    pt = t["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (2, 3)


def test_switch_to_pay_per_request(ddb, make_table):
    name = make_table(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    t = du.wait_active(ddb, name)
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in t["BillingModeSummary"]
    pt = t["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (0, 0)


def test_change_throughput(ddb, make_table):
    name = make_table(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 4, "WriteCapacityUnits": 5})
    t = du.wait_active(ddb, name)
    pt = t["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (4, 5)
    assert "LastIncreaseDateTime" in pt


def test_same_throughput_is_an_error(ddb, make_table):
    name = make_table(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 2})
    with raises("ValidationException",
                "The provisioned throughput for the table will not change. The requested value equals the current "
                "value. Current ReadCapacityUnits provisioned for the table: 1. Requested ReadCapacityUnits: 1. "
                "Current WriteCapacityUnits provisioned for the table: 2. Requested WriteCapacityUnits: 2. Refer to "
                "the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."):
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 2})
    # naming the billing mode the table already has changes nothing either (issue 17, section 3)
    with raises("ValidationException",
                "The provisioned throughput for the table will not change. The requested value equals the current "
                "value. Current ReadCapacityUnits provisioned for the table: 1. Requested ReadCapacityUnits: 1. "
                "Current WriteCapacityUnits provisioned for the table: 2. Requested WriteCapacityUnits: 2. Refer to "
                "the Amazon DynamoDB Developer Guide for current limits and how to request higher limits."):
        ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 2})


def test_throughput_on_pay_per_request_table(ddb, make_table):
    name = make_table()
    with raises("ValidationException", "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"):
        ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})


def test_deletion_protection_toggle(ddb, make_table):
    name = make_table()
    def protected():
        du.wait_active(ddb, name)
        return du.raw_ok(ddb, "DescribeTable", {"TableName": name})["Table"]["DeletionProtectionEnabled"]

    du.raw_ok(ddb, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": True})
    assert protected() is True
    du.raw_ok(ddb, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    assert protected() is False


def test_table_class(ddb, make_table):
    name = make_table()
    ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
    t = du.wait_active(ddb, name)
    assert t["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"


def test_enable_stream(ddb, make_table):
    name = make_table()
    d = ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    t = du.wait_active(ddb, name)
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert t["LatestStreamArn"].startswith(t["TableArn"] + "/stream/")
    assert "LatestStreamLabel" in t


def test_stream_enable_disable_messages(ddb, make_table):
    name = make_table()
    bad = "One or more parameter values were invalid: "
    with raises("ValidationException", bad + "If stream is being enabled then UpdateViewType is required"):
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True})
    with raises("ValidationException", f"Table has no stream to disable: TableName: {name}"):
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    t = du.wait_active(ddb, name)
    for view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):  # the same view again, or a new one: disable first
        with raises("ValidationException", f"Table already has an enabled stream: TableName: {name}"):
            ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    with raises("ValidationException", bad + "If stream is being disabled, then UpdateViewType must not be specified"):
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    off = du.wait_active(ddb, name)
    assert "StreamSpecification" not in off
    assert off["LatestStreamArn"] == t["LatestStreamArn"] and off["LatestStreamLabel"] == t["LatestStreamLabel"]
    with raises("ValidationException", f"Table has no stream to disable: TableName: {name}"):
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    again = du.wait_active(ddb, name)
    assert again["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert again["LatestStreamArn"] != t["LatestStreamArn"]
    assert again["LatestStreamLabel"] > t["LatestStreamLabel"]


def test_update_keeps_schema_and_items(ddb, make_table):
    name = make_table(**du.key_schema("p", "S", "c", "N"))
    item = {"p": {"S": "a"}, "c": {"N": "1"}, "v": {"SS": ["x", "y"]}}
    ddb.put_item(TableName=name, Item=item)
    ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
    t = du.wait_active(ddb, name)
    assert t["KeySchema"] == [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
    got = ddb.get_item(TableName=name, Key={"p": {"S": "a"}, "c": {"N": "1"}}, ConsistentRead=True)["Item"]
    assert sorted(got["v"]["SS"]) == ["x", "y"] and got["p"] == item["p"] and got["c"] == item["c"]


def test_update_missing_table(ddb):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")


NOTHING = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, "
           "SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, {}"
           "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required")


def test_update_nothing(ddb, make_table):
    name = make_table()
    with raises("ValidationException", NOTHING.format("MultiRegionConsistency, ")):
        ddb.update_table(TableName=name)
    # AttributeDefinitions alone change nothing either
    with raises("ValidationException", NOTHING.format("MultiRegionConsistency, ")):
        ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}])
    # a listed member that was sent but changes nothing is left out of the list
    r = du.raw_for(ddb).call("UpdateTable", {"TableName": name, "MultiRegionConsistency": "STRONG"})
    du.check_error(r, "ValidationException", NOTHING.format(""))
