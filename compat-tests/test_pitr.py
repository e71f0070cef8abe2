"""Point-in-time recovery: UpdateContinuousBackups, DescribeContinuousBackups, RestoreTableToPointInTime.

Facts: botocore's service model (ContinuousBackupsDescription, PointInTimeRecoveryDescription,
RestoreSummary; the operations' errors: TableNotFoundException, PointInTimeRecoveryUnavailableException,
InvalidRestoreTimeException, TableAlreadyExistsException) and AWS's API reference (RecoveryPeriodInDays
1..35, default 35; ContinuousBackupsStatus is ENABLED for every table; RestoreDateTime must be between
EarliestRestorableDateTime and LatestRestorableDateTime; the restored table holds the data as of that
time). Debian's botocore predates RecoveryPeriodInDays, so those calls go over raw JSON.
dynarock's LatestRestorableDateTime is now (AWS's lags about five minutes): a test that restores to
"latest" right after writing is dynarock_only; the exactness tests wait for whole seconds and would
need ~5 minutes more on AWS.
"""
import threading
import time
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

import dynarock_util as du
from dynarock_util import raises


def enable(ddb, name):
    return ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def wait_active(ddb, name, timeout=60):
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


def next_second():
    """Sleep past the next whole second; return it (epoch seconds)."""
    t = int(time.time()) + 1
    time.sleep(t - time.time() + 0.05)
    return t


@pytest.fixture
def targets(ddb):
    made = []
    yield made
    for n in made:
        du.delete_table_quietly(ddb, n)


def test_describe_default(ddb, make_table):
    r = ddb.describe_continuous_backups(TableName=make_table())
    assert r["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}


def test_enable_describe_disable(ddb, make_table):
    name = make_table()
    before = time.time()
    d = enable(ddb, name)["ContinuousBackupsDescription"]
    assert d["ContinuousBackupsStatus"] == "ENABLED"
    p = d["PointInTimeRecoveryDescription"]
    assert sorted(p) == ["EarliestRestorableDateTime", "LatestRestorableDateTime", "PointInTimeRecoveryStatus"]
    assert p["PointInTimeRecoveryStatus"] == "ENABLED"
    assert before - 1 <= p["EarliestRestorableDateTime"].timestamp() <= p["LatestRestorableDateTime"].timestamp()
    assert p["LatestRestorableDateTime"].timestamp() <= time.time() + 1
    assert ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"]["EarliestRestorableDateTime"] == p["EarliestRestorableDateTime"]
    raw = du.raw_ok(ddb, "DescribeContinuousBackups", {"TableName": name})
    assert raw["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 35
    d = ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})["ContinuousBackupsDescription"]
    assert d == {"ContinuousBackupsStatus": "ENABLED",
                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}


def test_recovery_period(ddb, make_table, raw):
    name = make_table()
    r = du.raw_ok(ddb, "UpdateContinuousBackups", {"TableName": name, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}})
    assert r["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    # enabling again without a period keeps it
    enable(ddb, name)
    r = du.raw_ok(ddb, "DescribeContinuousBackups", {"TableName": name})
    assert r["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    for bad, what in ((36, "less than or equal to 35"), (0, "greater than or equal to 1")):
        resp = raw.call("UpdateContinuousBackups", {"TableName": name, "PointInTimeRecoverySpecification": {
            "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": bad}})
        assert resp.status == 400 and resp.error_code == "ValidationException"
        assert resp.error_message == (
            "1 validation error detected: Value '%d' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' "
            "failed to satisfy constraint: Member must have value %s" % (bad, what))


def test_errors(ddb, make_table):
    missing = du.unique_name("missing")
    tried = []  # the target names of the refused restores

    def target():
        tried.append(du.unique_name("t"))
        return tried[-1]

    with raises("TableNotFoundException", "Table not found: %s" % missing):
        ddb.describe_continuous_backups(TableName=missing)
    with raises("TableNotFoundException", "Table not found: %s" % missing):
        enable(ddb, missing)
    with raises("TableNotFoundException", "Table not found: %s" % missing):
        ddb.restore_table_to_point_in_time(SourceTableName=missing, TargetTableName=target(),
                                           UseLatestRestorableTime=True)
    name = make_table()
    with raises("PointInTimeRecoveryUnavailableException",
                "Point in time recovery is not enabled for table '%s'" % name):
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target(),
                                           UseLatestRestorableTime=True)
    enable(ddb, name)
    with raises("TableAlreadyExistsException", "Table already exists: %s" % name):
        ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=name,
                                           UseLatestRestorableTime=True)
    for when in (datetime(2020, 1, 1, tzinfo=timezone.utc), datetime.fromtimestamp(time.time() + 3600)):
        with raises("InvalidRestoreTimeException",
                    "Invalid RestoreDateTime: RestoreDateTime must be between EarliestRestorableDateTime and "
                    "LatestRestorableDateTime"):
            ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target(),
                                               RestoreDateTime=when)
    # no target was created by any of these
    assert len(tried) == 4
    for t in tried:
        with pytest.raises(ClientError) as e:
            ddb.describe_table(TableName=t)
        assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.dynarock_only  # AWS's LatestRestorableDateTime lags about five minutes
def test_exact_at_second_boundaries(ddb, make_table, targets):
    name = make_table(
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    enable(ddb, name)
    for i in range(5):
        ddb.put_item(TableName=name, Item={"p": {"S": "k%d" % i}, "v": {"N": "1"}, "g": {"S": "a"}})
    t1 = next_second()  # every write above is before t1
    time.sleep(1.0)
    ddb.put_item(TableName=name, Item={"p": {"S": "k0"}, "v": {"N": "2"}, "g": {"S": "b"}})
    ddb.delete_item(TableName=name, Key={"p": {"S": "k1"}})
    ddb.put_item(TableName=name, Item={"p": {"S": "new"}, "v": {"N": "1"}, "g": {"S": "a"}})
    t2 = next_second()
    ddb.put_item(TableName=name, Item={"p": {"S": "k2"}, "v": {"N": "3"}, "g": {"S": "a"}})
    expect = {
        t1: {"k0": ("1", "a"), "k1": ("1", "a"), "k2": ("1", "a"), "k3": ("1", "a"), "k4": ("1", "a")},
        t2: {"k0": ("2", "b"), "k2": ("1", "a"), "k3": ("1", "a"), "k4": ("1", "a"), "new": ("1", "a")},
    }
    src_arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    for when, want in expect.items():
        target = du.unique_name("pitr")
        targets.append(target)
        r = ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target,
                                               RestoreDateTime=datetime.fromtimestamp(when, timezone.utc))
        td = r["TableDescription"]
        assert td["TableStatus"] == "CREATING"
        rs = td["RestoreSummary"]
        assert rs == {"SourceTableArn": src_arn, "RestoreDateTime": datetime.fromtimestamp(when, timezone.utc)
                      .astimezone(rs["RestoreDateTime"].tzinfo), "RestoreInProgress": True}
        t = wait_active(ddb, target)
        assert t["RestoreSummary"]["RestoreInProgress"] is False
        got = {i["p"]["S"]: (i["v"]["N"], i["g"]["S"]) for i in scan_all(ddb, target)}
        assert got == want, (when, got)
        assert t["ItemCount"] == len(want)
        assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == len(want)
        q = ddb.query(TableName=target, IndexName="byg", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "a"}})
        assert sorted(i["p"]["S"] for i in q["Items"]) == sorted(k for k, v in want.items() if v[1] == "a")
        assert ddb.describe_continuous_backups(TableName=target)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


@pytest.mark.dynarock_only  # AWS's LatestRestorableDateTime lags about five minutes
def test_exact_while_writes_continue(ddb, make_table, targets):
    """A writer counts up one item, noting when each write was sent and acknowledged; the table
    restored to a whole second between holds exactly the writes acknowledged before it and none sent
    after it; also by SourceTableArn."""
    name = make_table()
    enable(ddb, name)
    log = []  # (sent, acked, value)
    stop = threading.Event()

    def writer():
        v = 0
        while not stop.is_set():
            v += 1
            sent = time.time()
            ddb.put_item(TableName=name, Item={"p": {"S": "ctr"}, "v": {"N": str(v)}})
            log.append((sent, time.time(), v))

    th = threading.Thread(target=writer)
    th.start()
    try:
        time.sleep(0.3)
        when = next_second()
        time.sleep(0.3)
    finally:
        stop.set()
        th.join()
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    target = du.unique_name("pitrw")
    targets.append(target)
    ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=target,
                                       RestoreDateTime=datetime.fromtimestamp(when, timezone.utc))
    wait_active(ddb, target)
    got = int(ddb.get_item(TableName=target, Key={"p": {"S": "ctr"}})["Item"]["v"]["N"])
    lo = max(v for s, a, v in log if a < when)
    hi = min(v for s, a, v in log if s > when) - 1
    assert lo <= got <= hi, (lo, got, hi)


@pytest.mark.dynarock_only  # AWS's LatestRestorableDateTime lags about five minutes
def test_use_latest_and_disable(ddb, make_table, targets):
    name = make_table()
    enable(ddb, name)
    ddb.put_item(TableName=name, Item={"p": {"S": "a"}})
    target = du.unique_name("latest")
    targets.append(target)
    ddb.restore_table_to_point_in_time(SourceTableName=name, TargetTableName=target, UseLatestRestorableTime=True)
    wait_active(ddb, target)
    assert [i["p"]["S"] for i in scan_all(ddb, target)] == ["a"]
    # off and on again: the window starts anew
    ddb.update_continuous_backups(TableName=name,
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    p = enable(ddb, name)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    with raises("InvalidRestoreTimeException",
                "Invalid RestoreDateTime: RestoreDateTime must be between EarliestRestorableDateTime and "
                "LatestRestorableDateTime"):
        ddb.restore_table_to_point_in_time(
            SourceTableName=name, TargetTableName=du.unique_name("t"),
            RestoreDateTime=datetime.fromtimestamp(p["EarliestRestorableDateTime"].timestamp() - 2, timezone.utc))
