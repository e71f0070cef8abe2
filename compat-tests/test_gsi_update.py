"""UpdateTable GlobalSecondaryIndexUpdates: Create (with backfill of existing items), Delete, Update,
and their validation.

Fact sources:
- The create/backfill state machine (UpdateTable answer: TableStatus UPDATING, the new index CREATING
  with Backfilling, IndexSizeBytes 0, ItemCount 0; ACTIVE descriptions carry no Backfilling; Delete shows
  DELETING, then the entry disappears and the attribute only it used leaves AttributeDefinitions),
  'AttributeDefinitions is not specified for index: <i>', 'Subscriber limit exceeded: Only 1 online index
  can be created or deleted simultaneously per table' (several Creates/Deletes in one call, or while
  another index is CREATING), 'Requested resource not found: Index <i> for table <t>', 'The only Updates
  for index: <i> when TableThroughputMode is PAY_PER_REQUEST can be to OnDemandThroughput,
  WarmThroughput', 'Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: <i>' —
  ack-api-quirks' DynamoDB "Table secondary indexes" catalogue (probed against AWS, entries DDB-TABLE-138,
  148, 151, 152, 159, 162, 375). That catalogue quotes some messages without saying whether the
  'One or more parameter values were invalid: ' prefix precedes them; those tests accept exactly the two
  spellings.
- 'Only one global secondary index update per index is allowed simultaneously. Index: <i>', 'One of
  GlobalSecondaryIndexUpdate.Update, ... must not be null' — architect/dynalite test/updateTable.js
  (recorded from AWS), the same catalogue (DDB-TABLE-160).
- Backfill skips items without the attribute, with a wrong type or an empty string; after the Create,
  wrong-typed writes are rejected; creating an index under an existing GSI or LSI name is a
  ValidationException mentioning 'already exists' (exact text not recorded, so only that part is
  asserted); 'Attributes cannot be redefined'; Delete then Query is 'The table does not have the
  specified index' and any type is writable again — scylladb test_gsi_updatetable.py (runs on AWS) and
  architect/dynalite test/query.js.

On AWS a GSI Create takes 8 to 17 minutes even on a small table, so this module is slow there; against
dynarock each test takes well under a second.
"""
import re
import time

import pytest
from botocore.exceptions import ClientError

import dynarock_util as du
from dynarock_util import N, S, raises, uid

INVALID = "One or more parameter values were invalid: "
LIMIT = "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"


def prefixed_or_not(msg):
    """Regex accepting `msg` with or without DynamoDB's 'One or more parameter values were invalid: '."""
    return "(?:" + re.escape(INVALID) + ")?" + re.escape(msg)


def gsi(name, hash_attr, range_attr=None, projection=None):
    ks = [{"AttributeName": hash_attr, "KeyType": "HASH"}]
    if range_attr:
        ks.append({"AttributeName": range_attr, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": ks, "Projection": projection or {"ProjectionType": "ALL"}}


def create_action(name, hash_attr, projection=None):
    return {"Create": gsi(name, hash_attr, projection=projection)}


def index_named(desc, name):
    found = [g for g in desc.get("GlobalSecondaryIndexes", []) if g["IndexName"] == name]
    return found[0] if found else None


def wait_gsi_active(ddb, table, name, timeout=1500.0):
    """Poll until the table is ACTIVE and index `name` is ACTIVE. Every intermediate description of the
    index must be CREATING with a Backfilling flag; the ACTIVE one has none. Returns the table."""
    deadline = time.time() + timeout
    while True:
        t = ddb.describe_table(TableName=table)["Table"]
        g = index_named(t, name)
        assert g is not None, f"index {name} vanished"
        if g["IndexStatus"] == "ACTIVE" and t["TableStatus"] == "ACTIVE":
            assert "Backfilling" not in g
            return t
        if g["IndexStatus"] != "ACTIVE":
            assert g["IndexStatus"] == "CREATING"
            assert isinstance(g.get("Backfilling"), bool)
        assert time.time() < deadline, f"index {name} not ACTIVE after {timeout}s"
        time.sleep(2 if du.is_real_aws() else 0.01)


def wait_gsi_gone(ddb, table, name, timeout=600.0):
    deadline = time.time() + timeout
    while True:
        t = ddb.describe_table(TableName=table)["Table"]
        g = index_named(t, name)
        if g is None and t["TableStatus"] == "ACTIVE":
            return t
        if g is not None:
            assert g["IndexStatus"] == "DELETING"
        assert time.time() < deadline, f"index {name} still present after {timeout}s"
        time.sleep(1 if du.is_real_aws() else 0.01)


def query_all(ddb, **kw):
    op = kw.pop("op", "query")
    items = []
    while True:
        r = getattr(ddb, op)(**kw)
        items += r["Items"]
        if "LastEvaluatedKey" not in r:
            return items
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


def by_p(items):
    return sorted(items, key=lambda it: it["p"]["S"])


def only(item, *names):
    return {k: v for k, v in item.items() if k in names}


def new_table(ddb, **kw):
    name = du.unique_name("gsiu")
    if "KeySchema" not in kw:
        kw.update(du.key_schema("p", "S"))
    if "ProvisionedThroughput" not in kw:
        kw.setdefault("BillingMode", "PAY_PER_REQUEST")
    ddb.create_table(TableName=name, **kw)
    t = du.wait_active(ddb, name)
    if t.get("GlobalSecondaryIndexes"):
        for g in t["GlobalSecondaryIndexes"]:
            wait_gsi_active(ddb, name, g["IndexName"])
    return name


@pytest.fixture
def tables(ddb):
    made = []

    def make(**kw):
        made.append(new_table(ddb, **kw))
        return made[-1]

    yield make
    for name in made:
        du.delete_table_quietly(ddb, name)


def put_all(ddb, table, items):
    for it in items:
        ddb.put_item(TableName=table, Item=it)


def query_x(ddb, table, index, value, **kw):
    return query_all(ddb, TableName=table, IndexName=index, KeyConditionExpression="x = :v",
                     ExpressionAttributeValues={":v": value}, **kw)


# ---- Create with backfill -----------------------------------------------------------------------------


def populated_items(prefix):
    """300 items: 200 with x in 20 values (10 each), 50 without x, 25 with a numeric x, 25 with x = ''."""
    items = []
    for i in range(300):
        it = {"p": S(f"{prefix}-{i:03d}"), "y": S(f"y{i}"), "z": N(i)}
        if i < 200:
            it["x"] = S(f"v{i % 20:02d}")
        elif i < 250:
            pass
        elif i < 275:
            it["x"] = N(i)
        else:
            it["x"] = S("")
        items.append(it)
    return items


def test_create_gsi_answer_and_states(ddb, tables):
    # The UpdateTable answer already lists the new index, CREATING with a Backfilling flag and zero
    # counters, while the table is UPDATING; the index then becomes ACTIVE without Backfilling
    # (wait_gsi_active checks every state it sees).
    table = tables()
    put_all(ddb, table, populated_items(uid())[:30])
    projection = {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["y"]}
    resp = ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                            GlobalSecondaryIndexUpdates=[create_action("gsi_x", "x", projection)])
    d = resp["TableDescription"]
    g = index_named(d, "gsi_x")
    assert g is not None
    assert g["KeySchema"] == [{"AttributeName": "x", "KeyType": "HASH"}]
    assert g["Projection"] == projection
    assert g["IndexArn"] == d["TableArn"] + "/index/gsi_x"
    assert g["IndexStatus"] == "CREATING"
    assert isinstance(g.get("Backfilling"), bool)
    assert (g["IndexSizeBytes"], g["ItemCount"]) == (0, 0)
    assert d["TableStatus"] == "UPDATING"
    wait_gsi_active(ddb, table, "gsi_x")


def test_create_gsi_backfills_existing_items(ddb, tables):
    table = tables()
    items = populated_items(uid())
    put_all(ddb, table, items)
    projection = {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["y"]}
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[create_action("gsi_x", "x", projection)])
    t = wait_gsi_active(ddb, table, "gsi_x")
    assert sorted(t["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == [
        {"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "x", "AttributeType": "S"}]
    g = index_named(t, "gsi_x")
    assert g["Projection"] == projection and g["KeySchema"] == [{"AttributeName": "x", "KeyType": "HASH"}]

    # Every indexable item exactly once, with the projected attributes only.
    for v in range(20):
        want = [only(it, "p", "x", "y") for it in items[:200] if it["x"]["S"] == f"v{v:02d}"]
        got = query_x(ddb, table, "gsi_x", S(f"v{v:02d}"))
        assert by_p(got) == want
    got = query_all(ddb, op="scan", TableName=table, IndexName="gsi_x", Limit=37)
    assert len(got) == 200
    assert by_p(got) == [only(it, "p", "x", "y") for it in items[:200]]
    r = ddb.scan(TableName=table, IndexName="gsi_x", Select="COUNT")
    assert (r["Count"], r["ScannedCount"]) == (200, 200)

    # From now on x is an index key: a wrong type is rejected, a missing x is fine.
    with raises("ValidationException", INVALID + "Type mismatch for Index Key x Expected: S Actual: N IndexName: gsi_x"):
        ddb.put_item(TableName=table, Item={"p": S("new-wrong"), "x": N(3)})
    ddb.put_item(TableName=table, Item={"p": S("new-nox"), "y": S("y")})
    assert ddb.get_item(TableName=table, Key={"p": S("new-nox")}, ConsistentRead=True)["Item"] == {
        "p": S("new-nox"), "y": S("y")}


def test_writes_during_backfill_are_indexed(ddb, tables):
    table = tables()
    pre = uid()
    items = [{"p": S(f"{pre}-{i:03d}"), "x": S("a" if i < 50 else "b"), "n": N(i)} for i in range(100)]
    put_all(ddb, table, items)
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[create_action("gsi_x", "x")])
    # Writes issued right away, while the index is (on AWS certainly) still being built.
    added = [{"p": S(f"{pre}-new{i}"), "x": S("a"), "n": N(1000 + i)} for i in range(10)]
    put_all(ddb, table, added)
    for it in items[0:10]:
        ddb.update_item(TableName=table, Key={"p": it["p"]}, UpdateExpression="SET x = :b",
                        ExpressionAttributeValues={":b": S("b")})
        it["x"] = S("b")
    for it in items[10:20]:
        ddb.delete_item(TableName=table, Key={"p": it["p"]})
    for it in items[20:30]:
        ddb.update_item(TableName=table, Key={"p": it["p"]}, UpdateExpression="REMOVE x")
        del it["x"]
    wait_gsi_active(ddb, table, "gsi_x")
    live = items[0:10] + items[20:] + added
    for v in ("a", "b"):
        want = by_p([it for it in live if it.get("x") == S(v)])
        assert by_p(query_x(ddb, table, "gsi_x", S(v))) == want
    assert len(query_x(ddb, table, "gsi_x", S("a"))) == 30
    assert len(query_x(ddb, table, "gsi_x", S("b"))) == 60


def test_create_gsi_with_range_key_on_hash_range_table(ddb, tables):
    table = tables(**du.key_schema("p", "S", "c", "N"))
    pre = uid()
    items = [{"p": S(f"{pre}-{i % 3}"), "c": N(i), "g": S("G" if i % 2 else "H"), "r": N(100 - i)}
             for i in range(12)]
    items.append({"p": S(f"{pre}-x"), "c": N(99), "g": S("G")})  # no r: not in the index
    put_all(ddb, table, items)
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"},
                                                            {"AttributeName": "r", "AttributeType": "N"}],
                     GlobalSecondaryIndexUpdates=[{"Create": gsi("gsi_r", "g", "r", {"ProjectionType": "KEYS_ONLY"})}])
    wait_gsi_active(ddb, table, "gsi_r")
    r = ddb.query(TableName=table, IndexName="gsi_r", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": S("G")}, Limit=3)
    want = sorted([only(it, "p", "c", "g", "r") for it in items if it["g"] == S("G") and "r" in it],
                  key=lambda it: int(it["r"]["N"]))
    assert r["Items"] == want[:3]
    assert r["LastEvaluatedKey"] == want[2]
    assert query_all(ddb, TableName=table, IndexName="gsi_r", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": S("G")}, Limit=3) == want


@pytest.mark.dynarock_only
def test_backfilled_index_counters(ddb, tables):
    # DynamoDB refreshes index ItemCount / IndexSizeBytes about every six hours, so exact values are
    # checked against dynarock only (sized like TableSizeBytes, over the projected entry).
    table = tables()
    items = populated_items(uid())[:60] + populated_items(uid())[200:230]
    put_all(ddb, table, items)
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[create_action("gsi_x", "x", {"ProjectionType": "KEYS_ONLY"})])
    t = wait_gsi_active(ddb, table, "gsi_x")
    g = index_named(t, "gsi_x")
    assert g["ItemCount"] == 60
    assert g["IndexSizeBytes"] == sum(du.item_size(only(it, "p", "x")) for it in items[:60])


# ---- Delete -------------------------------------------------------------------------------------------


def test_delete_gsi(ddb, tables):
    table = tables(AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                         {"AttributeName": "x", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                   GlobalSecondaryIndexes=[gsi("gsi_x", "x")])
    items = [{"p": S(f"p{i}"), "x": S("v")} for i in range(5)]
    put_all(ddb, table, items)
    ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi_x"}}])
    t = wait_gsi_gone(ddb, table, "gsi_x")
    assert t.get("GlobalSecondaryIndexes", []) == []
    assert t["AttributeDefinitions"] == [{"AttributeName": "p", "AttributeType": "S"}]
    with raises("ValidationException", "The table does not have the specified index: gsi_x"):
        ddb.query(TableName=table, IndexName="gsi_x", KeyConditionExpression="x = :v",
                  ExpressionAttributeValues={":v": S("v")})
    with raises("ValidationException", "The table does not have the specified index: gsi_x"):
        ddb.scan(TableName=table, IndexName="gsi_x")
    # x is an ordinary attribute again: any type is accepted; the table's items are untouched.
    ddb.put_item(TableName=table, Item={"p": S("num"), "x": N(7)})
    assert ddb.get_item(TableName=table, Key={"p": S("num")}, ConsistentRead=True)["Item"] == {"p": S("num"), "x": N(7)}
    assert ddb.scan(TableName=table, ConsistentRead=True)["Count"] == 6
    with raises("ResourceNotFoundException", f"Requested resource not found: Index gsi_x for table {table}"):
        ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi_x"}}])


def test_delete_gsi_answer_shows_deleting(ddb, tables):
    table = tables(AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                         {"AttributeName": "x", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                   GlobalSecondaryIndexes=[gsi("gsi_x", "x")])
    d = ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi_x"}}])
    g = index_named(d["TableDescription"], "gsi_x")
    assert g is not None and g["IndexStatus"] == "DELETING"
    wait_gsi_gone(ddb, table, "gsi_x")


def test_recreate_after_delete(ddb, tables):
    table = tables(AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                         {"AttributeName": "x", "AttributeType": "S"}],
                   KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                   GlobalSecondaryIndexes=[gsi("gsi_x", "x", projection={"ProjectionType": "KEYS_ONLY"})])
    put_all(ddb, table, [{"p": S("a"), "x": S("v"), "y": S("1")}, {"p": S("b"), "x": S("w"), "y": S("2")}])
    ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi_x"}}])
    wait_gsi_gone(ddb, table, "gsi_x")
    ddb.put_item(TableName=table, Item={"p": S("c"), "x": S("v"), "y": S("3")})
    ddb.delete_item(TableName=table, Key={"p": S("a")})
    # Same name, keyed on another attribute with another projection: nothing of the old index survives.
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[create_action("gsi_x", "y")])
    wait_gsi_active(ddb, table, "gsi_x")
    got = query_all(ddb, op="scan", TableName=table, IndexName="gsi_x")
    assert by_p(got) == [{"p": S("b"), "x": S("w"), "y": S("2")}, {"p": S("c"), "x": S("v"), "y": S("3")}]
    assert query_all(ddb, TableName=table, IndexName="gsi_x", KeyConditionExpression="y = :y",
                     ExpressionAttributeValues={":y": S("3")}) == [{"p": S("c"), "x": S("v"), "y": S("3")}]


# ---- validation ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def vtable(ddb):
    """Hash p, range c; GSI gsi_x on x; LSI lsi_x on (p, l). Requests below are all rejected."""
    name = new_table(ddb, KeySchema=[{"AttributeName": "p", "KeyType": "HASH"},
                                     {"AttributeName": "c", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("p", "c", "x", "l")],
                     GlobalSecondaryIndexes=[gsi("gsi_x", "x")],
                     LocalSecondaryIndexes=[gsi("lsi_x", "p", "l")])
    yield name
    du.delete_table_quietly(ddb, name)


def test_create_with_non_key_attribute_type(ddb_noval, vtable):
    # AttributeDefinitions on UpdateTable take the same constraints as on CreateTable (a BOOL key
    # type must never reach the index). Message pattern as CreateTable's, recorded by dynalite.
    with raises("ValidationException",
                du.ENVELOPE + "Value 'BOOL' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
                "constraint: Member must satisfy enum value set: [B, N, S]"):
        ddb_noval.update_table(TableName=vtable, AttributeDefinitions=[{"AttributeName": "z", "AttributeType": "BOOL"}],
                               GlobalSecondaryIndexUpdates=[create_action("gsi_z", "z")])
    assert [g["IndexName"] for g in ddb_noval.describe_table(TableName=vtable)["Table"]["GlobalSecondaryIndexes"]] \
        == ["gsi_x"]


def test_create_needs_attribute_definitions(ddb, vtable):
    with raises("ValidationException", pattern=prefixed_or_not("AttributeDefinitions is not specified for index: gsi_z")):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[create_action("gsi_z", "z")])
    # Even when the key attribute is already known to the table.
    with raises("ValidationException", pattern=prefixed_or_not("AttributeDefinitions is not specified for index: gsi_z")):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[create_action("gsi_z", "c")])


@pytest.mark.parametrize("name", ["gsi_x", "lsi_x"])
def test_create_existing_index_name(ddb, vtable, name):
    with raises("ValidationException", pattern=r".*already exists.*"):
        ddb.update_table(TableName=vtable, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[create_action(name, "y")])


def test_create_redefining_attribute_type(ddb, vtable):
    with raises("ValidationException", pattern=re.escape(INVALID + "Attributes cannot be redefined") + ".*"):
        ddb.update_table(TableName=vtable, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "N"}],
                         GlobalSecondaryIndexUpdates=[create_action("gsi_z", "x")])


@pytest.mark.parametrize("updates", [
    [create_action("gsi_1", "y"), create_action("gsi_2", "y")],
    [create_action("gsi_1", "y"), {"Delete": {"IndexName": "gsi_x"}}],
    [{"Delete": {"IndexName": "gsi_x"}}, {"Delete": {"IndexName": "other"}}],
], ids=["two-creates", "create-and-delete", "two-deletes"])
def test_one_create_or_delete_per_call(ddb, vtable, updates):
    with raises("LimitExceededException", LIMIT):
        ddb.update_table(TableName=vtable, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=updates)
    t = ddb.describe_table(TableName=vtable)["Table"]
    assert [g["IndexName"] for g in t["GlobalSecondaryIndexes"]] == ["gsi_x"]
    assert t["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"


def test_same_index_twice(ddb, vtable):
    with raises("ValidationException", INVALID + "Only one global secondary index update per index is allowed "
                "simultaneously. Index: gsi_x"):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi_x"}},
                                                                        {"Delete": {"IndexName": "gsi_x"}}])


def test_empty_update_object(ddb_noval, vtable):
    with raises("ValidationException", INVALID + "One of GlobalSecondaryIndexUpdate.Update, "
                "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"):
        ddb_noval.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[{}])


def test_two_actions_in_one_object(ddb_noval, vtable):
    action = dict(create_action("gsi_z", "y"), Delete={"IndexName": "gsi_x"})
    with raises("ValidationException", pattern=prefixed_or_not(
            "Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object")):
        ddb_noval.update_table(TableName=vtable, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                               GlobalSecondaryIndexUpdates=[action])


def test_empty_update_list(ddb, vtable):
    with raises("ValidationException", pattern=r"At least one of .* is required"):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[])


def test_delete_missing_index(ddb, vtable):
    with raises("ResourceNotFoundException", f"Requested resource not found: Index nope for table {vtable}"):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])


def test_delete_lsi_is_rejected(ddb, vtable):
    # AWS answers ValidationException (scylladb test_gsi_updatetable.py); its text is not recorded.
    with raises("ValidationException"):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "lsi_x"}}])
    t = ddb.describe_table(TableName=vtable)["Table"]
    assert [i["IndexName"] for i in t["LocalSecondaryIndexes"]] == ["lsi_x"]


def test_update_throughput_on_pay_per_request(ddb, vtable):
    with raises("ValidationException", pattern=prefixed_or_not(
            "The only Updates for index: gsi_x when TableThroughputMode is PAY_PER_REQUEST can be to "
            "OnDemandThroughput, WarmThroughput")):
        ddb.update_table(TableName=vtable, GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "gsi_x", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}])


def test_update_missing_index_on_provisioned_table(ddb, tables):
    table = tables(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with raises("ResourceNotFoundException", f"Requested resource not found: Index nope for table {table}"):
        ddb.update_table(TableName=table, GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "nope", "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 2}}}])


def test_create_on_provisioned_table_needs_throughput(ddb, tables):
    table = tables(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with raises("ValidationException", pattern=prefixed_or_not(
            "Both ReadCapacityUnits and WriteCapacityUnits must be specified for index: gsi_z")):
        ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[create_action("gsi_z", "y")])


def test_gsi_update_on_missing_table(ddb):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[create_action("gsi_z", "y")])


def test_create_while_another_is_creating(ddb, tables):
    table = tables()
    # enough items that the first backfill is still running when the second Create arrives (with 200 it
    # sometimes had finished: then the test could only skip)
    items = [{"p": S(f"p{i}"), "x": S("v"), "y": S("w"), "pad": S("z" * 300)} for i in range(5000)]
    for i in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
    ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
                     GlobalSecondaryIndexUpdates=[create_action("gsi_1", "x")])
    try:
        ddb.update_table(TableName=table, AttributeDefinitions=[{"AttributeName": "y", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[create_action("gsi_2", "y")])
    except ClientError as e:
        du.check_error(e.response["Error"], "LimitExceededException", LIMIT)
        wait_gsi_active(ddb, table, "gsi_1")
        assert index_named(ddb.describe_table(TableName=table)["Table"], "gsi_2") is None
        return
    # Accepted: only right if the first index had already finished building.
    t = ddb.describe_table(TableName=table)["Table"]
    assert index_named(t, "gsi_1")["IndexStatus"] == "ACTIVE"
    wait_gsi_active(ddb, table, "gsi_2")
    pytest.skip("the first index was ACTIVE before the second Create arrived")


# ---- a GSI Update's throughput above 10^12: after the table and the index are known (issue 17) ---------
# dynalite's updateTable recordings: on a missing table the table is not found first; on an existing table
# whose index does not exist, "Action Blocked: IndexUpdate"; on an existing index, "... out of bounds for
# index <n>" (test_numeric_members.py).

HIGH = {"ReadCapacityUnits": 1000000000001, "WriteCapacityUnits": 1000000000001}


def test_gsi_update_high_throughput_on_a_missing_table(ddb_noval):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb_noval.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "abc", "ProvisionedThroughput": HIGH}}])


def test_gsi_update_high_throughput_on_a_missing_index(ddb_noval, make_table):
    name = make_table(ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    with raises("ValidationException", "This operation cannot be performed with given input values. Please "
                "contact DynamoDB service team for more info: Action Blocked: IndexUpdate"):
        ddb_noval.update_table(TableName=name, GlobalSecondaryIndexUpdates=[
            {"Update": {"IndexName": "abc", "ProvisionedThroughput": HIGH}}])
