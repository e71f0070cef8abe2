"""DescribeTable: the full description shape.

Facts: scylladb test/alternator/test_describe_table.py (runs against AWS): PAY_PER_REQUEST tables
report ProvisionedThroughput 0/0 with NumberOfDecreasesToday 0, BillingModeSummary has
LastUpdateToPayPerRequestDateTime equal to CreationDateTime, no StreamSpecification or
SSEDescription unless configured, TableId is a UUID, CreationDateTime stays the same across calls;
missing table -> 'Requested resource not found: Table: <name> not found' (also aws-sdk-php
features/smoke/dynamodb.feature and aws-sdk-go client.feature).
"""
import re

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du
from dynarock_util import raises


def test_describe_basic_shape(ddb, make_table, region):
    name = make_table(**du.key_schema("p", "S", "c", "N"))
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["TableName"] == name
    assert t["TableStatus"] == "ACTIVE"
    assert t["KeySchema"] == [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
    assert sorted(t["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == [
        {"AttributeName": "c", "AttributeType": "N"}, {"AttributeName": "p", "AttributeType": "S"}]
    assert t["ProvisionedThroughput"] == {"NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert t["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"] == t["CreationDateTime"]
    assert re.fullmatch(rf"arn:aws:dynamodb:{region}:\d{{12}}:table/{name}", t["TableArn"])
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", t["TableId"])
    assert t["ItemCount"] == 0
    assert t["TableSizeBytes"] == 0
    assert du.raw_ok(ddb, "DescribeTable", {"TableName": name})["Table"]["DeletionProtectionEnabled"] is False
    for absent in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel", "SSEDescription",
                   "RestoreSummary", "GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        assert absent not in t, absent


def test_describe_is_stable(ddb, make_table):
    name = make_table()
    a = ddb.describe_table(TableName=name)["Table"]
    b = ddb.describe_table(TableName=name)["Table"]
    for k in ("TableArn", "TableId", "CreationDateTime", "KeySchema", "AttributeDefinitions"):
        assert a[k] == b[k], k


def test_describe_provisioned(ddb, make_table):
    name = make_table(ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    t = ddb.describe_table(TableName=name)["Table"]
    pt = t["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"], pt["NumberOfDecreasesToday"]) == (3, 4, 0)


def test_describe_missing_table(ddb):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.describe_table(TableName=name)


def test_describe_bad_table_name(ddb_noval):
    # TableName is a name or an ARN; a value that is not an ARN keeps a table name's rules (recorded
    # against AWS in October 2026, ack-api-quirks DDB-TABLE-457: '' breaks the length, then the pattern)
    with raises("ValidationException", "1 validation error detected: Value 'abc;' at 'tableName' failed to satisfy "
                "constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"):
        ddb_noval.describe_table(TableName="abc;")


def test_describe_deleted_table(ddb, make_table):
    name = make_table()
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.describe_table(TableName=name)


def test_table_names_are_case_sensitive(ddb, make_table):
    name = make_table(name=du.unique_name("Case"))
    other = name.replace("Case", "case")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {other} not found"):
        ddb.describe_table(TableName=other)


@pytest.mark.dynarock_only
def test_item_count_and_size_are_exact(ddb, make_table):
    # DynamoDB refreshes ItemCount/TableSizeBytes about every six hours; dynarock keeps them exact.
    name = make_table()
    items = [{"p": {"S": "a"}}, {"p": {"S": "bb"}, "x": {"S": "hello"}}, {"p": {"S": "ccc"}, "b": {"B": b"\x00\x01"}}]
    for it in items:
        ddb.put_item(TableName=name, Item=it)
    ddb.put_item(TableName=name, Item=items[0])  # overwrite: no change in count
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["ItemCount"] == 3
    assert t["TableSizeBytes"] == sum(du.item_size(it) for it in items)
    ddb.delete_item(TableName=name, Key={"p": {"S": "bb"}})
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["ItemCount"] == 2
    assert t["TableSizeBytes"] == du.item_size(items[0]) + du.item_size(items[2])


@pytest.mark.dynarock_only
def test_arn_follows_request_region(ddb, make_table, endpoint):
    # dynarock has one namespace for all regions; the ARN takes the region of the request.
    name = make_table()
    other = boto3.client("dynamodb", endpoint_url=endpoint, region_name="eu-west-1",
                         aws_access_key_id="dummy", aws_secret_access_key="dummy",
                         config=Config(retries={"max_attempts": 1}))
    t = other.describe_table(TableName=name)["Table"]
    assert t["TableArn"] == f"arn:aws:dynamodb:eu-west-1:000000000000:table/{name}"
