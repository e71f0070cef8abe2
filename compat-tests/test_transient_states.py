"""Transient states (issue 17 section 6): with -delayTransientStatuses (or --transient-ms MS) tables pass
through CREATING, UPDATING and DELETING and GSIs through CREATING, UPDATING and DELETING, and requests
get what DynamoDB answers in those states:

- data-plane requests on a CREATING or DELETING table: ResourceNotFoundException, as for a missing table
  (dynalite's recordings: 'Requested resource not found');
- UpdateTable and DeleteTable on a table that is not ACTIVE: ResourceInUseException 'Attempt to change a
  resource which is still in use: Table is being created|updated|deleted: <name>' (dynalite, and the
  texts AWS users report); reads and writes on an UPDATING table work;
- a DELETING table is still listed and described (DELETING) until it is gone; its name is not free;
- a GSI being created cannot be read ('Cannot read from backfilling global secondary index: <i>');
- DescribeTimeToLive on a CREATING or DELETING table: ValidationException 'Cannot describe time to live
  while table is in CREATING state: Current table state is CREATING' (DELETING likewise; recorded against
  AWS in October 2026, ack-api-quirks catalogue DDB-TABLE-115 and -455); UpdateTimeToLive on a CREATING
  table: ResourceNotFoundException 'Requested resource not found: Table: <name> not found' (DDB-TABLE-115:
  most of the window; AWS answers ResourceInUseException in its last second).

SDK waiters finish promptly: a DescribeTable on a state ending within 2 s is held (the event loop goes on
serving others) and answers what the table is at the end, so boto3's table_exists / table_not_exists
return after about the state's length instead of their 20 s poll period. Longer states are shown as
they are. dynarock's own flags and timings: dynarock only.
"""
import threading
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

LONG_MS = 60000  # long enough for every check of a test (the servers stop before it ends)
IN_USE = "Attempt to change a resource which is still in use: Table is being {}: {}"


def client(srv):
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="a",
                        aws_secret_access_key="b", config=Config(retries={"max_attempts": 1}))


def create(ddb, name, **kw):
    args = {"BillingMode": "PAY_PER_REQUEST", **du.key_schema("p", "S"), **kw}
    return ddb.create_table(TableName=name, **args)["TableDescription"]


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    """-delayTransientStatuses alone (each state lasts its default second), one event loop."""
    d = tmp_path_factory.mktemp("transient-quick")
    srv = du.Server(["--in-memory", "--threads", "1", "-delayTransientStatuses"], d / "server.log").start()
    yield srv
    assert srv.stop() == 0, srv.log_tail()


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    """States of a minute (DYNAROCK_TRANSIENT_MS), on a data directory: tables made ACTIVE by a restart."""
    d = tmp_path_factory.mktemp("transient-slow")
    args = ["--data-dir", str(d / "data"), "--threads", "2"]
    env = {"DYNAROCK_TRANSIENT_MS": str(LONG_MS)}
    srv = du.Server(args, d / "server.log", env=env).start()
    try:
        srv = make_slow_tables(srv, args, env, d)
    except BaseException:
        srv.kill()
        raise
    yield srv
    assert srv.stop() == 0, srv.log_tail()  # states still running: their references are released


def make_slow_tables(srv, args, env, d):
    """Tables upd, del, gsi and gsidel (GSI byg), ACTIVE with an item each: a restart's work."""
    ddb = client(srv)
    for name in ("upd", "del", "gsi", "gsidel"):
        kw = {}
        if name == "gsidel":
            kw = {"AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                  "GlobalSecondaryIndexes": [{"IndexName": "byg", "Projection": {"ProjectionType": "ALL"},
                                              "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}]}
        assert create(ddb, name, **kw)["TableStatus"] == "CREATING"
    assert client(srv).describe_table(TableName="upd")["Table"]["TableStatus"] == "CREATING"
    assert srv.stop() == 0
    # a restart during a transient state comes back with every table ACTIVE
    srv = du.Server(args, d / "server2.log", env=env).start()
    ddb = client(srv)
    for name in ("upd", "del", "gsi", "gsidel"):
        t = ddb.describe_table(TableName=name)["Table"]
        assert t["TableStatus"] == "ACTIVE"
        assert all(g["IndexStatus"] == "ACTIVE" for g in t.get("GlobalSecondaryIndexes", []))
        ddb.put_item(TableName=name, Item={"p": {"S": "k"}, "g": {"S": "x"}})
    return srv


def data_plane_calls(name):
    """Every data-plane family on table `name`: (label, call(ddb))."""
    key = {"p": {"S": "k"}}
    return [
        ("GetItem", lambda c: c.get_item(TableName=name, Key=key)),
        ("PutItem", lambda c: c.put_item(TableName=name, Item={"p": {"S": "k"}})),
        ("UpdateItem", lambda c: c.update_item(TableName=name, Key=key, UpdateExpression="SET a = :a",
                                               ExpressionAttributeValues={":a": {"N": "1"}})),
        ("DeleteItem", lambda c: c.delete_item(TableName=name, Key=key)),
        ("Query", lambda c: c.query(TableName=name, KeyConditionExpression="p = :p",
                                    ExpressionAttributeValues={":p": {"S": "k"}})),
        ("Scan", lambda c: c.scan(TableName=name)),
        ("BatchGetItem", lambda c: c.batch_get_item(RequestItems={name: {"Keys": [key]}})),
        ("BatchWriteItem", lambda c: c.batch_write_item(
            RequestItems={name: [{"PutRequest": {"Item": {"p": {"S": "k"}}}}]})),
        ("TransactWriteItems", lambda c: c.transact_write_items(
            TransactItems=[{"Put": {"TableName": name, "Item": {"p": {"S": "k"}}}}])),
        ("TransactGetItems", lambda c: c.transact_get_items(
            TransactItems=[{"Get": {"TableName": name, "Key": key}}])),
        ("ExecuteStatement", lambda c: c.execute_statement(Statement=f'SELECT * FROM "{name}"')),
    ]


def error_of(call, ddb):
    with pytest.raises(ClientError) as ei:
        call(ddb)
    e = ei.value.response["Error"]
    return e["Code"], e["Message"]


def assert_like_missing(ddb, name):
    """Every data-plane request on `name` fails exactly as on a table that does not exist."""
    missing = dict((label, error_of(call, ddb)) for label, call in data_plane_calls("no_such_table_here"))
    for label, call in data_plane_calls(name):
        got = error_of(call, ddb)
        assert got == missing[label], label
        assert got[0] == "ResourceNotFoundException", label
        assert got[1].startswith("Requested resource not found"), label


def test_creating_table_is_not_found_and_not_changeable(slow):
    ddb = client(slow)
    t = create(ddb, "fresh", AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                                   {"AttributeName": "g", "AttributeType": "S"}],
               GlobalSecondaryIndexes=[{"IndexName": "byg", "Projection": {"ProjectionType": "KEYS_ONLY"},
                                        "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}])
    assert t["TableStatus"] == "CREATING"
    assert t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    # a state longer than the hold is shown as it is
    d = ddb.describe_table(TableName="fresh")["Table"]
    assert d["TableStatus"] == "CREATING"
    assert d["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    assert "fresh" in ddb.list_tables()["TableNames"]
    assert_like_missing(ddb, "fresh")
    with du.raises("ValidationException",
                   "Cannot describe time to live while table is in CREATING state: Current table state is CREATING"):
        ddb.describe_time_to_live(TableName="fresh")
    with du.raises("ResourceNotFoundException", "Requested resource not found: Table: fresh not found"):
        ddb.update_time_to_live(TableName="fresh", TimeToLiveSpecification={"Enabled": True, "AttributeName": "x"})
    with du.raises("ResourceInUseException", IN_USE.format("created", "fresh")):
        ddb.update_table(TableName="fresh", BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with du.raises("ResourceInUseException", IN_USE.format("created", "fresh")):
        ddb.delete_table(TableName="fresh")
    with du.raises("ResourceInUseException", "Table already exists: fresh"):
        create(ddb, "fresh")


def test_updating_table_serves_items_and_refuses_changes(slow):
    ddb = client(slow)
    t = ddb.update_table(TableName="upd", BillingMode="PROVISIONED",
                         ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    assert t["TableDescription"]["TableStatus"] == "UPDATING"
    d = ddb.describe_table(TableName="upd")["Table"]
    assert d["TableStatus"] == "UPDATING"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    # reads and writes go on
    ddb.put_item(TableName="upd", Item={"p": {"S": "during"}, "v": {"N": "7"}})
    assert ddb.get_item(TableName="upd", Key={"p": {"S": "during"}})["Item"] == {"p": {"S": "during"},
                                                                                 "v": {"N": "7"}}
    assert ddb.scan(TableName="upd")["Count"] == 2
    with du.raises("ResourceInUseException", IN_USE.format("updated", "upd")):
        ddb.update_table(TableName="upd", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    with du.raises("ResourceInUseException", IN_USE.format("updated", "upd")):
        ddb.delete_table(TableName="upd")
    # TTL is not a table change
    ddb.update_time_to_live(TableName="gsi", TimeToLiveSpecification={"Enabled": True, "AttributeName": "x"})
    assert ddb.describe_table(TableName="gsi")["Table"]["TableStatus"] == "ACTIVE"


def test_deleting_table_is_listed_until_gone(slow):
    ddb = client(slow)
    d = ddb.delete_table(TableName="del")["TableDescription"]
    assert d["TableStatus"] == "DELETING"
    assert "del" in ddb.list_tables()["TableNames"]
    page = ddb.list_tables(ExclusiveStartTableName="dda", Limit=1)
    assert (page["TableNames"], page["LastEvaluatedTableName"]) == (["del"], "del")
    names = []
    start = None
    while True:
        page = ddb.list_tables(**({"ExclusiveStartTableName": start} if start else {}), Limit=1)
        names += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
    assert names == sorted(names) and "del" in names and "upd" in names
    t = ddb.describe_table(TableName="del")["Table"]
    assert t["TableStatus"] == "DELETING"
    assert t["TableName"] == "del" and t["ItemCount"] == 1
    assert_like_missing(ddb, "del")
    with du.raises("ValidationException",
                   "Cannot describe time to live while table is in DELETING state: Current table state is DELETING"):
        ddb.describe_time_to_live(TableName=t["TableArn"])
    with du.raises("ResourceInUseException", IN_USE.format("deleted", "del")):
        ddb.delete_table(TableName="del")
    with du.raises("ResourceInUseException", IN_USE.format("deleted", "del")):
        ddb.update_table(TableName="del", BillingMode="PAY_PER_REQUEST")
    with du.raises("ResourceInUseException", "Table already exists: del"):
        create(ddb, "del")
    # a restore cannot take the name either (nor an import: the same check)
    arn = ddb.create_backup(TableName="upd", BackupName="to-del")["BackupDetails"]["BackupArn"]
    with du.raises("TableAlreadyExistsException", "Table already exists: del"):
        ddb.restore_table_from_backup(TargetTableName="del", BackupArn=arn)
    assert ddb.list_tables()["TableNames"].count("del") == 1


def test_gsi_creating_and_deleting(slow):
    ddb = client(slow)
    u = ddb.update_table(
        TableName="gsi", AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {"IndexName": "byg", "Projection": {"ProjectionType": "ALL"},
                                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}]}}])
    assert u["TableDescription"]["TableStatus"] == "UPDATING"
    assert u["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    time.sleep(0.3)  # the backfill of one item is done by now: the state still lasts
    t = ddb.describe_table(TableName="gsi")["Table"]
    assert t["TableStatus"] == "UPDATING"
    g = t["GlobalSecondaryIndexes"][0]
    assert (g["IndexName"], g["IndexStatus"], g["ItemCount"]) == ("byg", "CREATING", 0)
    with du.raises("ValidationException", "Cannot read from backfilling global secondary index: byg"):
        ddb.query(TableName="gsi", IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "x"}})
    with du.raises("ResourceInUseException", IN_USE.format("updated", "gsi")):
        ddb.delete_table(TableName="gsi")

    u = ddb.update_table(TableName="gsidel", GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byg"}}])
    assert u["TableDescription"]["TableStatus"] == "UPDATING"
    assert u["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    t = ddb.describe_table(TableName="gsidel")["Table"]
    assert t["TableStatus"] == "UPDATING"
    assert [(g["IndexName"], g["IndexStatus"]) for g in t["GlobalSecondaryIndexes"]] == [("byg", "DELETING")]
    with du.raises("ValidationException", "The table does not have the specified index: byg"):
        ddb.query(TableName="gsidel", IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "x"}})
    assert ddb.get_item(TableName="gsidel", Key={"p": {"S": "k"}})["Item"]["g"] == {"S": "x"}


def test_waiters_finish_promptly(quick):
    ddb = client(quick)
    t0 = time.time()
    assert create(ddb, "waited")["TableStatus"] == "CREATING"
    with du.raises("ResourceNotFoundException", "Requested resource not found"):
        ddb.get_item(TableName="waited", Key={"p": {"S": "k"}})
    ddb.get_waiter("table_exists").wait(TableName="waited")  # boto3 sleeps 20 s after a CREATING
    took = time.time() - t0
    assert 0.8 < took < 3, took
    assert ddb.describe_table(TableName="waited")["Table"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName="waited", Item={"p": {"S": "k"}})

    t0 = time.time()
    assert ddb.delete_table(TableName="waited")["TableDescription"]["TableStatus"] == "DELETING"
    assert "waited" in ddb.list_tables()["TableNames"]
    ddb.get_waiter("table_not_exists").wait(TableName="waited")
    took = time.time() - t0
    assert 0.8 < took < 3, took
    assert "waited" not in ddb.list_tables()["TableNames"]
    # the name is free again, and UpdateTable's state is waited for as well
    create(ddb, "waited")
    ddb.get_waiter("table_exists").wait(TableName="waited")
    t0 = time.time()
    u = ddb.update_table(TableName="waited", StreamSpecification={"StreamEnabled": True,
                                                                  "StreamViewType": "KEYS_ONLY"})
    assert u["TableDescription"]["TableStatus"] == "UPDATING"
    assert ddb.describe_table(TableName="waited")["Table"]["TableStatus"] == "ACTIVE"
    assert time.time() - t0 < 3


def test_held_describe_does_not_stall_others(quick):
    """One event loop: while a DescribeTable waits for a state's end, other requests are answered."""
    ddb, other = client(quick), client(quick)
    create(ddb, "steady")
    ddb.get_waiter("table_exists").wait(TableName="steady")
    create(ddb, "held")
    result = {}

    def describe():
        t0 = time.time()
        result["status"] = ddb.describe_table(TableName="held")["Table"]["TableStatus"]
        result["took"] = time.time() - t0

    th = threading.Thread(target=describe)
    th.start()
    time.sleep(0.1)
    t0 = time.time()
    for i in range(20):
        other.put_item(TableName="steady", Item={"p": {"S": str(i)}})
    assert other.scan(TableName="steady")["Count"] == 20
    assert time.time() - t0 < 0.5
    assert th.is_alive()  # still held meanwhile
    th.join(5)
    assert result["status"] == "ACTIVE" and 0.5 < result["took"] < 1.5, result


def test_restart_during_deleting_finishes_the_deletion(tmp_path):
    args = ["--data-dir", str(tmp_path / "data"), "--threads", "1", "--transient-ms", "400"]
    srv = du.Server(args, tmp_path / "server.log").start()
    try:
        ddb = client(srv)
        create(ddb, "xxx")
        ddb.get_waiter("table_exists").wait(TableName="xxx")
        ddb.put_item(TableName="xxx", Item={"p": {"S": "k"}})
        assert ddb.delete_table(TableName="xxx")["TableDescription"]["TableStatus"] == "DELETING"
        assert ddb.list_tables()["TableNames"] == ["xxx"]
        assert srv.stop() == 0
        srv = du.Server(args, tmp_path / "server2.log").start()
        ddb = client(srv)
        assert ddb.list_tables()["TableNames"] == []
        with du.raises("ResourceNotFoundException", "Requested resource not found: Table: xxx not found"):
            ddb.describe_table(TableName="xxx")
        assert create(ddb, "xxx")["TableStatus"] == "CREATING"
        ddb.get_waiter("table_exists").wait(TableName="xxx")
        assert ddb.scan(TableName="xxx")["Items"] == []
        assert srv.stop() == 0
    finally:
        srv.kill()


def test_table_filled_by_an_import_is_creating_without_the_flag(tmp_path):
    """A table an import (or a restore) is filling is CREATING, flag or not, and answered as DynamoDB
    answers a CREATING table; ACTIVE with every item at the end."""
    n = 100000
    src = tmp_path / "s3" / "bkt" / "imp"
    src.mkdir(parents=True)
    (src / "data.json").write_text("".join('{"Item":{"p":{"S":"k%d"}}}\n' % i for i in range(n)))
    srv = du.Server(["--in-memory", "--threads", "2", "--s3-dir", str(tmp_path / "s3")],
                    tmp_path / "server.log").start()
    try:
        ddb = client(srv)
        ddb.import_table(S3BucketSource={"S3Bucket": "bkt", "S3KeyPrefix": "imp/"}, InputFormat="DYNAMODB_JSON",
                         InputCompressionType="NONE",
                         TableCreationParameters={"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
                                                  **du.key_schema("p", "S")})
        assert ddb.describe_table(TableName="imported")["Table"]["TableStatus"] == "CREATING"
        with du.raises("ResourceNotFoundException", "Requested resource not found"):
            ddb.get_item(TableName="imported", Key={"p": {"S": "k1"}})
        with du.raises("ResourceInUseException", IN_USE.format("created", "imported")):
            ddb.delete_table(TableName="imported")
        with du.raises("ResourceInUseException", IN_USE.format("created", "imported")):
            ddb.update_table(TableName="imported", StreamSpecification={"StreamEnabled": True,
                                                                          "StreamViewType": "KEYS_ONLY"})
        assert du.wait_active(ddb, "imported", timeout=30)["ItemCount"] == n
        assert ddb.get_item(TableName="imported", Key={"p": {"S": "k1"}})["Item"] == {"p": {"S": "k1"}}
        assert srv.stop() == 0
    finally:
        srv.kill()
