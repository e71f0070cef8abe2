"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup, RestoreTableFromBackup.

Facts: botocore's service model (dynamodb 2012-08-10: shapes BackupDetails, BackupDescription,
SourceTableDetails, SourceTableFeatureDetails, BackupSummary, RestoreSummary; each operation's errors;
BackupName / TableName 3..255 [a-zA-Z0-9_.-]+, BackupArn 37..1024, Limit 1..100); AWS's developer guide
(BackupArn "arn:aws:dynamodb:<region>:<account>:table/<name>/backup/<13-digit ms>-<8 hex>"; a restored
table is CREATING until its data is in, then ACTIVE, with RestoreSummary in DescribeTable; streams, TTL,
tags and PITR are not restored; backups outlive DeleteTable). Error messages as moto words them
("Table not found: <name>", "Backup not found: <arn>", "Table already exists: <name>"); AWS's exact texts
for these are not recorded in a public suite we know of (docs/compatibility.md).
"""
import re
import threading
import time

import pytest

import dynarock_util as du
from dynarock_util import raises

ARN_RE = r"arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/%s/backup/\d{13}-[0-9a-f]{8}"


def wait_backup(ddb, arn, timeout=30):
    end = time.time() + timeout
    while True:
        d = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
        if d["BackupDetails"]["BackupStatus"] == "AVAILABLE" or time.time() > end:
            return d
        time.sleep(0.1)


def wait_restored(ddb, name, timeout=60):
    end = time.time() + timeout
    while True:
        t = ddb.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE" or time.time() > end:
            return t
        time.sleep(0.05)


def scan_all(ddb, name):
    items, kw = [], {}
    while True:
        r = ddb.scan(TableName=name, ConsistentRead=True, **kw)
        items += r["Items"]
        if "LastEvaluatedKey" not in r:
            return items
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


def key_of(item):
    return tuple(sorted((k, str(v)) for k, v in item.items() if k in ("p", "c")))


def delete_backup_quietly(ddb, arn):
    try:
        ddb.delete_backup(BackupArn=arn)
    except Exception:
        pass


@pytest.fixture
def backups(ddb):
    made = []
    yield made
    for arn in made:
        delete_backup_quietly(ddb, arn)


def gsi_table(make_table):
    return make_table(
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                              {"AttributeName": "c", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])


def test_create_describe_restore(ddb, make_table, backups):
    name = gsi_table(make_table)
    items = [{"p": {"S": "k%d" % i}, "c": {"N": str(i)}, "g": {"S": "g%d" % (i % 3)}, "v": {"B": b"\x00\x01"},
              "l": {"L": [{"NULL": True}, {"SS": ["a", "b"]}]}} for i in range(30)]
    for it in items:
        ddb.put_item(TableName=name, Item=it)
    table = ddb.describe_table(TableName=name)["Table"]
    r = ddb.create_backup(TableName=name, BackupName="nightly.1")
    d = r["BackupDetails"]
    arn = d["BackupArn"]
    backups.append(arn)
    assert re.fullmatch(ARN_RE % name, arn), arn
    assert arn.startswith(table["TableArn"] + "/backup/")
    assert sorted(d) == ["BackupArn", "BackupCreationDateTime", "BackupName", "BackupSizeBytes", "BackupStatus",
                         "BackupType"]
    assert d["BackupName"] == "nightly.1" and d["BackupType"] == "USER"
    assert d["BackupStatus"] in ("CREATING", "AVAILABLE")
    assert d["BackupSizeBytes"] == table["TableSizeBytes"]
    assert abs(d["BackupCreationDateTime"].timestamp() - time.time()) < 60

    desc = wait_backup(ddb, arn)
    assert desc["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    src = desc["SourceTableDetails"]
    assert src == {"TableName": name, "TableId": table["TableId"], "TableArn": table["TableArn"],
                   "TableSizeBytes": table["TableSizeBytes"], "KeySchema": table["KeySchema"],
                   "TableCreationDateTime": table["CreationDateTime"],
                   "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0},
                   "ItemCount": 30, "BillingMode": "PAY_PER_REQUEST"}
    feat = desc["SourceTableFeatureDetails"]
    assert feat == {"GlobalSecondaryIndexes": [
        {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "KEYS_ONLY"},
         "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}}]}

    # writes after the backup are not in it
    ddb.put_item(TableName=name, Item={"p": {"S": "late"}, "c": {"N": "0"}})
    ddb.delete_item(TableName=name, Key={"p": {"S": "k0"}, "c": {"N": "0"}})

    target = du.unique_name("restored")
    r = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
    try:
        td = r["TableDescription"]
        assert td["TableName"] == target and td["TableStatus"] == "CREATING"
        assert td["KeySchema"] == table["KeySchema"]
        rs = td["RestoreSummary"]
        assert rs["SourceBackupArn"] == arn and rs["SourceTableArn"] == table["TableArn"]
        assert rs["RestoreInProgress"] is True
        # "point in time or source backup time" (API reference): the backup's creation time
        assert rs["RestoreDateTime"] == desc["BackupDetails"]["BackupCreationDateTime"]
        t = wait_restored(ddb, target)
        assert t["TableStatus"] == "ACTIVE"
        assert t["RestoreSummary"]["RestoreInProgress"] is False
        assert t["RestoreSummary"]["SourceBackupArn"] == arn
        assert t["ItemCount"] == 30 and t["TableSizeBytes"] == table["TableSizeBytes"]
        assert t["GlobalSecondaryIndexes"][0]["IndexName"] == "byg"
        assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == 30
        assert "StreamSpecification" not in t
        got = sorted(scan_all(ddb, target), key=key_of)
        want = sorted(items, key=key_of)
        assert got == want
        q = ddb.query(TableName=target, IndexName="byg", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "g1"}})
        assert q["Count"] == 10
    finally:
        du.delete_table_quietly(ddb, target)


def test_backup_survives_delete_table(ddb, make_table, backups):
    name = make_table()
    ddb.put_item(TableName=name, Item={"p": {"S": "a"}, "x": {"N": "1"}})
    arn = ddb.create_backup(TableName=name, BackupName="keep")["BackupDetails"]["BackupArn"]
    backups.append(arn)
    wait_backup(ddb, arn)
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    d = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert d["SourceTableDetails"]["TableName"] == name
    ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    wait_restored(ddb, name)
    assert ddb.get_item(TableName=name, Key={"p": {"S": "a"}})["Item"] == {"p": {"S": "a"}, "x": {"N": "1"}}
    # the restored table may be backed up again, and the first backup deleted
    d = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    backups.remove(arn)
    assert d["BackupDetails"]["BackupStatus"] == "DELETED"
    assert d["BackupDetails"]["BackupArn"] == arn
    with raises("BackupNotFoundException", "Backup not found: %s" % arn):
        ddb.describe_backup(BackupArn=arn)
    with raises("BackupNotFoundException", "Backup not found: %s" % arn):
        ddb.delete_backup(BackupArn=arn)


def test_consistent_while_writes_continue(ddb, make_table, backups):
    """Transactions keep x == y in every pair; a backup taken while they run, and the table restored
    while they go on, show every pair equal."""
    name = make_table()
    pairs = 40
    puts = [{"PutRequest": {"Item": {"p": {"S": "%s%d" % (s, i)}, "n": {"N": "0"}}}}
            for i in range(pairs) for s in "xy"]
    for i in range(0, len(puts), 25):
        ddb.batch_write_item(RequestItems={name: puts[i:i + 25]})
    stop = threading.Event()
    done = [0]

    def writer():
        i = 0
        while not stop.is_set():
            k = i % pairs
            upd = {"UpdateExpression": "ADD n :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}
            ddb.transact_write_items(TransactItems=[
                {"Update": dict(upd, TableName=name, Key={"p": {"S": "x%d" % k}})},
                {"Update": dict(upd, TableName=name, Key={"p": {"S": "y%d" % k}})}])
            i += 1
            done[0] = i

    th = threading.Thread(target=writer)
    th.start()
    try:
        time.sleep(0.3)
        arn = ddb.create_backup(TableName=name, BackupName="busy")["BackupDetails"]["BackupArn"]
        backups.append(arn)
        wait_backup(ddb, arn)
        target = du.unique_name("busy")
        ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
        wait_restored(ddb, target)
        time.sleep(0.2)
    finally:
        stop.set()
        th.join()
    try:
        got = {i["p"]["S"]: int(i["n"]["N"]) for i in scan_all(ddb, target)}
        assert len(got) == 2 * pairs
        assert all(got["x%d" % k] == got["y%d" % k] for k in range(pairs)), got
        assert done[0] > 0 and sum(got.values()) < 2 * done[0] + 2  # taken while the writer ran
    finally:
        du.delete_table_quietly(ddb, target)


def test_list_backups(ddb, make_table, backups):
    a, b = make_table(), make_table()
    arns = []
    for name, bk in ((a, "one"), (b, "two"), (a, "three")):
        arns.append(ddb.create_backup(TableName=name, BackupName=bk)["BackupDetails"]["BackupArn"])
        backups.append(arns[-1])
    r = ddb.list_backups(TableName=a)
    s = r["BackupSummaries"]
    assert [x["BackupArn"] for x in s] == [arns[0], arns[2]]
    assert "LastEvaluatedBackupArn" not in r
    assert sorted(s[0]) == ["BackupArn", "BackupCreationDateTime", "BackupName", "BackupSizeBytes",
                            "BackupStatus", "BackupType", "TableArn", "TableId", "TableName"]
    assert s[0]["TableName"] == a and s[0]["BackupName"] == "one" and s[0]["BackupType"] == "USER"
    assert s[0]["TableId"] == ddb.describe_table(TableName=a)["Table"]["TableId"]
    r = ddb.list_backups(TableName=a, Limit=1)
    assert [x["BackupArn"] for x in r["BackupSummaries"]] == [arns[0]]
    assert r["LastEvaluatedBackupArn"] == arns[0]
    r = ddb.list_backups(TableName=a, Limit=1, ExclusiveStartBackupArn=r["LastEvaluatedBackupArn"])
    assert [x["BackupArn"] for x in r["BackupSummaries"]] == [arns[2]]
    assert ddb.list_backups(TableName=a, BackupType="SYSTEM")["BackupSummaries"] == []
    assert [x["BackupArn"] for x in ddb.list_backups(TableName=b, BackupType="ALL")["BackupSummaries"]] == \
        [arns[1]]
    mine = [x["BackupArn"] for x in ddb.list_backups()["BackupSummaries"] if x["BackupArn"] in arns]
    assert mine == arns
    future = ddb.list_backups(TableName=a, TimeRangeLowerBound=time.time() + 3600)
    assert future["BackupSummaries"] == []
    past = ddb.list_backups(TableName=a, TimeRangeUpperBound=time.time() - 3600)
    assert past["BackupSummaries"] == []


def test_errors(ddb, ddb_noval, make_table, backups):
    name = make_table()
    missing = du.unique_name("missing")
    with raises("TableNotFoundException", "Table not found: %s" % missing):
        ddb.create_backup(TableName=missing, BackupName="bk1")
    arn = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]["BackupArn"]
    backups.append(arn)
    wait_backup(ddb, arn)
    with raises("TableAlreadyExistsException", "Table already exists: %s" % name):
        ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    other = arn[:-8] + ("00000000" if not arn.endswith("00000000") else "11111111")
    with raises("BackupNotFoundException", "Backup not found: %s" % other):
        ddb.describe_backup(BackupArn=other)
    with raises("BackupNotFoundException", "Backup not found: %s" % other):
        ddb.restore_table_from_backup(TargetTableName=du.unique_name("r"), BackupArn=other)
    with raises("ValidationException",
                "1 validation error detected: Value 'ab' at 'backupName' failed to satisfy constraint: "
                "Member must have length greater than or equal to 3"):
        ddb_noval.create_backup(TableName=name, BackupName="ab")
    with raises("ValidationException",
                "1 validation error detected: Value 'short' at 'backupArn' failed to satisfy constraint: "
                "Member must have length greater than or equal to 37"):
        ddb_noval.describe_backup(BackupArn="short")
    with raises("ValidationException",
                "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1"):
        ddb_noval.list_backups(Limit=0)


def test_restore_overrides(ddb, make_table, backups):
    name = gsi_table(make_table)
    ddb.put_item(TableName=name, Item={"p": {"S": "a"}, "c": {"N": "1"}, "g": {"S": "x"}})
    arn = ddb.create_backup(TableName=name, BackupName="ovr")["BackupDetails"]["BackupArn"]
    backups.append(arn)
    wait_backup(ddb, arn)
    target = du.unique_name("ov")
    ddb.restore_table_from_backup(
        TargetTableName=target, BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
        GlobalSecondaryIndexOverride=[])
    try:
        t = wait_restored(ddb, target)
        assert t["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
        assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
        assert t["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
        assert "GlobalSecondaryIndexes" not in t
        assert t["ItemCount"] == 1
    finally:
        du.delete_table_quietly(ddb, target)


@pytest.mark.needs_process
def test_backups_survive_restart_and_restore_resumes(server_factory, tmp_path):
    """A backup and a restore interrupted by kill -9: after the restart the backup is there and the
    restored table is never ACTIVE with part of its data."""
    import signal
    import boto3
    from botocore.config import Config
    data = tmp_path / "data"
    srv = server_factory(["--data-dir", str(data)])
    c = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="dummy",
                     aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))
    c.create_table(TableName="src", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    n = 3000
    for i in range(0, n, 25):
        c.batch_write_item(RequestItems={"src": [
            {"PutRequest": {"Item": {"p": {"S": "k%05d" % j}, "v": {"S": "x" * 50}}}} for j in range(i, i + 25)]})
    arn = c.create_backup(TableName="src", BackupName="before")["BackupDetails"]["BackupArn"]
    wait_backup(c, arn)
    c.restore_table_from_backup(TargetTableName="dst", BackupArn=arn)
    srv.stop(sig=signal.SIGKILL)
    srv2 = server_factory(["--data-dir", str(data)], port=srv.port)
    c2 = boto3.client("dynamodb", endpoint_url=srv2.url, region_name="us-east-1", aws_access_key_id="dummy",
                      aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))
    t = c2.describe_table(TableName="dst")["Table"]
    if t["TableStatus"] == "ACTIVE":
        assert t["ItemCount"] == n
    t = wait_restored(c2, "dst")
    assert t["TableStatus"] == "ACTIVE" and t["ItemCount"] == n
    assert t["RestoreSummary"]["RestoreInProgress"] is False
    assert len(scan_all(c2, "dst")) == n
    d = c2.describe_backup(BackupArn=arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert d["SourceTableDetails"]["ItemCount"] == n
    srv2.stop()


@pytest.mark.needs_process
@pytest.mark.dynarock_only  # --isolation is dynarock's
def test_backups_per_namespace(server_factory, tmp_path):
    """With --isolation account each account has its own backups and point-in-time histories."""
    import boto3
    from botocore.config import Config
    creds = tmp_path / "credentials"
    creds.write_text("AKIDA1 secretA1\nAKIDB1 secretB1 123456789012\n")
    srv = server_factory(["--in-memory", "--isolation", "account", "--credentials", str(creds)])

    def client(key):
        return boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id=key,
                            aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))
    a, b = client("AKIDA1"), client("AKIDB1")
    for c, v in ((a, "a"), (b, "b")):
        c.create_table(TableName="same", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
        c.put_item(TableName="same", Item={"p": {"S": "k"}, "v": {"S": v}})
        c.update_continuous_backups(TableName="same",
                                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    arn = a.create_backup(TableName="same", BackupName="mine")["BackupDetails"]["BackupArn"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:000000000000:table/same/backup/")
    assert [s["BackupArn"] for s in a.list_backups()["BackupSummaries"]] == [arn]
    assert b.list_backups()["BackupSummaries"] == []
    with raises("BackupNotFoundException"):
        b.describe_backup(BackupArn=arn.replace("000000000000", "123456789012"))
    b.restore_table_to_point_in_time(SourceTableName="same", TargetTableName="copy", UseLatestRestorableTime=True)
    wait_restored(b, "copy")
    assert b.get_item(TableName="copy", Key={"p": {"S": "k"}})["Item"]["v"] == {"S": "b"}
    with raises("ResourceNotFoundException"):
        a.describe_table(TableName="copy")
