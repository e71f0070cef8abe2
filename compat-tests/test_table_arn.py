"""A table's ARN in place of its name (issue 17, section 2).

AWS's API reference (2024 on): every operation on an existing table takes "the name of the table ... You can
also provide the Amazon Resource Name (ARN) of the table in this parameter", with the TableArn shape's
constraints (length 1 to 1024, no pattern): GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, the
BatchGetItem / BatchWriteItem RequestItems keys, the TransactGetItems / TransactWriteItems actions,
DescribeTable, UpdateTable, DeleteTable, DescribeTimeToLive, UpdateTimeToLive. CreateTable keeps the
TableName shape (3 to 255 characters of [a-zA-Z0-9_.-]). So a name AWS's older model refused (too short, or
outside the pattern) is now looked up and not found by the data-plane operations, and an empty name is one
error, not two. DescribeTable and UpdateTable were recorded in October 2026 (ack-api-quirks catalogue,
DDB-TABLE-457 and its UpdateTable captures) still applying the name's rules to a value that is not an ARN. An index's or
a stream's ARN is not a table ARN: a ValidationException (captured from AWS by ExtendDB's PR #200; the text
is not recorded publicly, so only the type is asserted).
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

S = lambda v: {"S": v}  # noqa: E731


@pytest.fixture
def arn_table(ddb, make_table):
    name = make_table(**du.key_schema("p", "S", "c", "S"))
    return name, ddb.describe_table(TableName=name)["Table"]["TableArn"]


def test_item_operations_take_the_table_arn(ddb, arn_table):
    name, arn = arn_table
    key = {"p": S("a"), "c": S("1")}
    got = ddb.put_item(TableName=arn, Item={**key, "v": S("x")}, ReturnConsumedCapacity="TOTAL")
    assert got["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 1.0}
    ddb.update_item(TableName=arn, Key=key, UpdateExpression="SET w = :w", ExpressionAttributeValues={":w": S("y")})
    assert ddb.get_item(TableName=arn, Key=key, ConsistentRead=True)["Item"] == {**key, "v": S("x"), "w": S("y")}
    q = ddb.query(TableName=arn, KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": S("a")},
                  ConsistentRead=True)
    assert (q["Count"], q["Items"][0]["v"]) == (1, S("x"))
    s = ddb.scan(TableName=arn, ConsistentRead=True)
    assert s["Count"] == 1
    old = ddb.delete_item(TableName=arn, Key=key, ReturnValues="ALL_OLD")["Attributes"]
    assert old["w"] == S("y")
    assert "Item" not in ddb.get_item(TableName=name, Key=key, ConsistentRead=True)


def test_batches_and_transactions_take_the_table_arn(ddb, arn_table):
    name, arn = arn_table
    ddb.batch_write_item(RequestItems={arn: [{"PutRequest": {"Item": {"p": S("b"), "c": S(str(i))}}}
                                             for i in range(3)]})
    got = ddb.batch_get_item(RequestItems={arn: {"Keys": [{"p": S("b"), "c": S("1")}], "ConsistentRead": True}})
    assert got["Responses"] == {arn: [{"p": S("b"), "c": S("1")}]}  # keyed as asked
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": arn, "Item": {"p": S("t"), "c": S("1")}}},
        {"Update": {"TableName": arn, "Key": {"p": S("b"), "c": S("2")}, "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": S("z")}}},
    ])
    r = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": arn, "Key": {"p": S("b"), "c": S("2")}}},
                                              {"Get": {"TableName": name, "Key": {"p": S("t"), "c": S("1")}}}])
    assert [x["Item"] for x in r["Responses"]] == [{"p": S("b"), "c": S("2"), "v": S("z")},
                                                    {"p": S("t"), "c": S("1")}]


def test_table_operations_take_the_table_arn(ddb, make_table):
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    assert ddb.describe_table(TableName=arn)["Table"]["TableName"] == name
    assert ddb.describe_time_to_live(TableName=arn)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}
    ddb.update_time_to_live(TableName=arn, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"] == "exp"
    upd = ddb.update_table(TableName=arn, BillingMode="PROVISIONED",
                           ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 3})
    assert upd["TableDescription"]["TableName"] == name
    du.wait_active(ddb, name)
    assert ddb.delete_table(TableName=arn)["TableDescription"]["TableName"] == name
    du.wait_gone(ddb, name)


def test_names_are_looked_up_without_the_old_pattern(ddb_noval):
    # Length 1 to 1024 is the whole request-shape constraint of the data-plane operations: the rest is a lookup.
    for name in ("ab", "non!existent!table", "x" * 1024):
        with raises("ResourceNotFoundException", "Requested resource not found"):
            ddb_noval.get_item(TableName=name, Key={"p": S("a")})
    # DescribeTable and UpdateTable keep a table name's rules for a value that is not an ARN (recorded
    # against AWS in October 2026: ack-api-quirks DDB-TABLE-457 and its UpdateTable captures)
    for name, what in [("ab", "Member must have length greater than or equal to 3"),
                       ("non!existent!table", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
                       ("x" * 1024, "Member must have length less than or equal to 255")]:
        msg = f"1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: {what}"
        with raises("ValidationException", msg):
            ddb_noval.describe_table(TableName=name)
        with raises("ValidationException", msg):
            ddb_noval.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    with raises("ValidationException", "1 validation error detected: Value '' at 'tableName' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"):
        ddb_noval.get_item(TableName="", Key={"p": S("a")})
    long = "x" * 1025
    with raises("ValidationException", f"1 validation error detected: Value '{long}' at 'tableName' failed to "
                "satisfy constraint: Member must have length less than or equal to 1024"):
        ddb_noval.query(TableName=long, KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": S("a")})


def test_create_table_keeps_the_name_rules(ddb_noval):
    with raises("ValidationException", "1 validation error detected: Value 'arn:aws:dynamodb:us-east-1:"
                "000000000000:table/abc' at 'tableName' failed to satisfy constraint: Member must satisfy regular "
                "expression pattern: [a-zA-Z0-9_.-]+"):
        ddb_noval.create_table(TableName="arn:aws:dynamodb:us-east-1:000000000000:table/abc",
                               BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))


def test_an_index_or_stream_arn_is_not_a_table_arn(ddb_noval, arn_table):
    _, arn = arn_table
    for other in (arn + "/index/byX", arn + "/stream/2026-01-01T00:00:00.000"):
        with pytest.raises(Exception) as e:
            ddb_noval.get_item(TableName=other, Key={"p": S("a"), "c": S("1")})
        assert e.value.response["Error"]["Code"] == "ValidationException"


def test_backup_operations_take_the_table_arn(ddb, make_table):
    # CreateBackup, ListBackups and the continuous-backup operations name a table by name or ARN too
    name = make_table()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    got = ddb.describe_continuous_backups(TableName=arn)["ContinuousBackupsDescription"]
    assert got["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    upd = ddb.update_continuous_backups(TableName=arn,
                                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    assert upd["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == \
        "ENABLED"
    b = ddb.create_backup(TableName=arn, BackupName="by-arn")["BackupDetails"]
    assert b["BackupArn"].startswith(f"{arn}/backup/")
    listed = ddb.list_backups(TableName=arn)["BackupSummaries"]
    assert [(x["TableName"], x["BackupName"]) for x in listed] == [(name, "by-arn")]
    ddb.delete_backup(BackupArn=b["BackupArn"])


@pytest.mark.dynarock_only  # the text is ours (AWS's for this case is not recorded): docs/compatibility.md
def test_backup_operations_refuse_an_index_arn(ddb_noval, arn_table):
    # as every other operation on a table: ValidationException, not TableNotFoundException
    _, arn = arn_table
    other = arn + "/index/byX"
    want = f"Invalid TableArn: Invalid ResourceArn provided as input {other}"
    calls = [
        lambda: ddb_noval.describe_continuous_backups(TableName=other),
        lambda: ddb_noval.update_continuous_backups(
            TableName=other, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}),
        lambda: ddb_noval.create_backup(TableName=other, BackupName="by-index-arn"),
    ]
    for call in calls:
        with du.raises("ValidationException", want):
            call()
