"""DeleteTable.

Facts: architect/dynalite test/deleteTable.js (recorded from AWS): missing table ->
'Requested resource not found: Table: <name> not found', the answer carries TableStatus DELETING.
scylladb test_table.py::test_delete_table_description* (runs on AWS): the returned description has
TableName, TableStatus DELETING, TableId, TableArn, BillingModeSummary and ProvisionedThroughput.
Deletion protection message: 'Resource cannot be deleted as it is currently protected against deletion.
Disable deletion protection first.' — an aws-nuke test double of the real AWS error and the changelog of
nubo-db/dynoxide ("now returns the exact AWS message"), both found with the search tool. (moto has
another wording, not verified against AWS.)
"""
import re

import pytest

import dynarock_util as du
from dynarock_util import raises


def test_delete_returns_description(ddb, make_table):
    name = make_table(**du.key_schema("p", "S", "c", "S"))
    before = ddb.describe_table(TableName=name)["Table"]
    d = ddb.delete_table(TableName=name)["TableDescription"]
    assert d["TableName"] == name
    assert d["TableStatus"] == "DELETING"
    assert d["TableId"] == before["TableId"]
    assert d["TableArn"] == before["TableArn"]
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 0
    # the answer leaves out the schema and the creation time (the DeleteTable reference's example answer)
    assert "KeySchema" not in d and "AttributeDefinitions" not in d and "CreationDateTime" not in d
    du.wait_gone(ddb, name)


def test_delete_missing_table(ddb):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.delete_table(TableName=name)


def test_delete_twice(ddb, make_table):
    name = make_table()
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.delete_table(TableName=name)


def test_items_gone_after_delete_and_recreate(ddb, make_table):
    name = make_table()
    ddb.put_item(TableName=name, Item={"p": {"S": "x"}, "v": {"N": "1"}})
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb.get_item(TableName=name, Key={"p": {"S": "x"}})
    make_table(name=name, **du.key_schema("p", "S"))
    assert "Item" not in ddb.get_item(TableName=name, Key={"p": {"S": "x"}}, ConsistentRead=True)


def test_recreate_with_other_schema(ddb, make_table):
    name = make_table()
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    make_table(name=name, **du.key_schema("id", "N"))
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    ddb.put_item(TableName=name, Item={"id": {"N": "5"}})
    assert ddb.get_item(TableName=name, Key={"id": {"N": "5"}}, ConsistentRead=True)["Item"] == {"id": {"N": "5"}}


def test_deletion_protection(ddb, make_table):
    name = make_table(DeletionProtectionEnabled=True)
    with raises("ValidationException", "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."):
        ddb.delete_table(TableName=name)
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    du.raw_ok(ddb, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    du.wait_active(ddb, name)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    du.wait_gone(ddb, name)


def test_delete_bad_name(ddb_noval):
    # TableName is a name or an ARN (TableArn: length 1 to 1024, no pattern): looked up, not refused
    with raises("ResourceNotFoundException", "Requested resource not found: Table: abc; not found"):
        ddb_noval.delete_table(TableName="abc;")
