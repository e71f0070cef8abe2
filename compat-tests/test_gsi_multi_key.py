"""Global secondary indexes with multi-attribute keys (DynamoDB, November 2025): a GSI KeySchema of up
to four HASH and four RANGE attributes.

Fact sources:
- Item order (lexicographic over the RANGE attributes in schema order), the sparse rule (an item
  missing any key attribute is not in the index), equalities on a gap-free prefix of the RANGE
  attributes with a range condition or begins_with only on the last one named, the clauses in any
  order, LastEvaluatedKey carrying the table key and every index key attribute, and the message 'RANGE
  key attributes <a> must have equality conditions specified in the query because a condition is
  present on key attribute <b>' (for a gap, for a range condition before the last attribute named, and
  for a skipped first attribute): a public suite of SDK tests verified against AWS (eu-central-1,
  us-east-1, eu-west-2, October 2026; the same items and queries are used here).
- KeyConditions (legacy) with three conditions on such an index, multi-attribute keys in DescribeTable's
  KeySchema in schema order: moto's aws_verified tests of the feature.
- CreateTable's messages for bad schemas ('All HASH key attributes must precede RANGE key attributes in
  the KeySchema', 'The KeySchema exceeds the maximum allowed number of HASH key attributes' (and RANGE),
  'The KeySchema contains multiple key attributes with the same name', 'Invalid KeySchema: The first
  KeySchemaElement is not a HASH key type'): ack-api-quirks' DynamoDB ValidationException catalogue
  (probed against AWS) and alchemy's live probes.
- A missing HASH attribute and a non-equality on one ('Query condition missed key schema element: <h>',
  'Query key condition not supported') are the single-key messages, as moto applies them per attribute.
"""
import pytest

import dynarock_util as du
from dynarock_util import N, S, raises

VE = "ValidationException"
INVALID = "One or more parameter values were invalid: "
GAP = ("RANGE key attributes {} must have equality conditions specified in the query because a condition is "
       "present on key attribute {}")


def ks(*elems):
    return [{"AttributeName": n, "KeyType": t} for n, t in elems]


def defs(**types):
    return [{"AttributeName": n, "AttributeType": t} for n, t in types.items()]


ALL = {"ProjectionType": "ALL"}
FOUR_RANGE = ks(("h", "HASH"), ("a", "RANGE"), ("b", "RANGE"), ("c", "RANGE"), ("d", "RANGE"))
TWO_HASH = ks(("t", "HASH"), ("n", "HASH"), ("r", "RANGE"), ("m", "RANGE"))

ITEMS = [
    {"pk": "p1", "a": "T", "b": "live", "c": "b", "d": "r1"},
    {"pk": "p2", "a": "T", "b": "live", "c": "a", "d": "r2"},
    {"pk": "p3", "a": "T", "b": "live", "c": "a", "d": "r1"},
    {"pk": "p4", "a": "T", "b": "draft", "c": "c", "d": "r1"},
    {"pk": "p5", "a": "F", "b": "live", "c": "a", "d": "r0"},
    {"pk": "p6", "a": "T", "b": "live", "d": "r1"},  # no c: not in the index
]
VALUES = {":h": S("o1"), ":a": S("T"), ":b": S("live"), ":c": S("a"), ":d": S("r"), ":x": S("r1"), ":y": S("r1")}


@pytest.fixture(scope="module")
def mk(ddb):
    """A table (pk S) with GSI 'gsi' (h HASH; a, b, c, d RANGE) and GSI 'two' (t S, n N HASH; r S, m N
    RANGE), holding ITEMS under h = o1."""
    name = du.unique_name("mk")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=defs(pk="S", h="S", a="S", b="S", c="S", d="S", t="S", n="N", r="S",
                                               m="N"),
                     KeySchema=ks(("pk", "HASH")),
                     GlobalSecondaryIndexes=[{"IndexName": "gsi", "KeySchema": FOUR_RANGE, "Projection": ALL},
                                             {"IndexName": "two", "KeySchema": TWO_HASH,
                                              "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    du.wait_active(ddb, name)
    for it in ITEMS:
        ddb.put_item(TableName=name, Item={"h": S("o1"), **{k: S(v) for k, v in it.items()}})
    yield name
    du.delete_table_quietly(ddb, name)


def query(ddb, table, kce, **kw):
    used = {k: v for k, v in VALUES.items() if k in kce}
    res = ddb.query(TableName=table, IndexName="gsi", KeyConditionExpression=kce, ExpressionAttributeValues=used,
                    **kw)
    return [i["pk"]["S"] for i in res["Items"]], res.get("LastEvaluatedKey")


def test_describe_lists_every_key_attribute(ddb, mk):
    t = ddb.describe_table(TableName=mk)["Table"]
    got = {g["IndexName"]: g["KeySchema"] for g in t["GlobalSecondaryIndexes"]}
    assert got == {"gsi": FOUR_RANGE, "two": TWO_HASH}
    assert t["KeySchema"] == ks(("pk", "HASH"))


@pytest.mark.parametrize("kce,want", [
    ("h = :h", ["p5", "p4", "p3", "p2", "p1"]),
    ("h = :h AND a = :a", ["p4", "p3", "p2", "p1"]),
    ("h = :h AND a = :a AND b = :b", ["p3", "p2", "p1"]),
    ("h = :h AND a = :a AND b = :b AND c = :c", ["p3", "p2"]),
    ("h = :h AND a = :a AND b = :b AND c > :c", ["p1"]),
    ("h = :h AND a = :a AND b = :b AND c = :c AND begins_with(d, :d)", ["p3", "p2"]),
    ("h = :h AND a = :a AND b = :b AND c = :c AND d BETWEEN :x AND :y", ["p3"]),
    ("h = :h AND a = :a AND b < :b", ["p4"]),
    ("b = :b AND h = :h AND a = :a", ["p3", "p2", "p1"]),
])
def test_query_order_and_prefixes(ddb, mk, kce, want):
    assert query(ddb, mk, kce)[0] == want
    assert query(ddb, mk, kce, ScanIndexForward=False)[0] == want[::-1]


def test_pages_carry_every_key_attribute(ddb, mk):
    pks, lek = query(ddb, mk, "h = :h AND a = :a", Limit=2)
    assert pks == ["p4", "p3"]
    assert lek == {"pk": S("p3"), "h": S("o1"), "a": S("T"), "b": S("live"), "c": S("a"), "d": S("r1")}
    pks, lek = query(ddb, mk, "h = :h AND a = :a", Limit=2, ExclusiveStartKey=lek)
    assert pks == ["p2", "p1"]
    assert lek["pk"] == S("p1")
    pks, lek = query(ddb, mk, "h = :h AND a = :a", Limit=2, ExclusiveStartKey=lek)
    assert (pks, lek) == ([], None)


@pytest.mark.parametrize("kce,missing,present", [
    ("h = :h AND a = :a AND c = :c", "b", "c"),
    ("h = :h AND a = :a AND b > :b AND c = :c", "b", "c"),
    ("h = :h AND b = :b", "a", "b"),
])
def test_gaps_refused(ddb, mk, kce, missing, present):
    with raises(VE, GAP.format(missing, present)):
        query(ddb, mk, kce)


def test_legacy_key_conditions(ddb, mk):
    res = ddb.query(TableName=mk, IndexName="gsi", KeyConditions={
        "h": {"ComparisonOperator": "EQ", "AttributeValueList": [S("o1")]},
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("T")]},
        "b": {"ComparisonOperator": "LT", "AttributeValueList": [S("live")]}})
    assert [i["pk"]["S"] for i in res["Items"]] == ["p4"]
    with raises(VE, GAP.format("a", "b")):
        ddb.query(TableName=mk, IndexName="gsi", KeyConditions={
            "h": {"ComparisonOperator": "EQ", "AttributeValueList": [S("o1")]},
            "b": {"ComparisonOperator": "GT", "AttributeValueList": [S("a")]}})


def test_several_hash_attributes(ddb, mk):
    base = {"pk": S("q"), "t": S("x")}
    for i, (n, r, m) in enumerate([(1, "b", 2), (1, "a", 10), (2, "a", 1), (1, "a", 9)]):
        ddb.put_item(TableName=mk, Item={**base, "pk": S(f"q{i}"), "n": N(n), "r": S(r), "m": N(m)})
    ddb.put_item(TableName=mk, Item={"pk": S("q9"), "t": S("x"), "r": S("a"), "m": N(1)})  # no n: not indexed

    def q(kce, **vals):
        res = ddb.query(TableName=mk, IndexName="two", KeyConditionExpression=kce,
                        ExpressionAttributeValues={":" + k: v for k, v in vals.items()})
        return [i["pk"]["S"] for i in res["Items"]]

    assert q("t = :t AND n = :n", t=S("x"), n=N(1)) == ["q3", "q1", "q0"]
    assert q("t = :t AND n = :n", t=S("x"), n=N(2)) == ["q2"]
    assert q("t = :t AND n = :n AND r = :r AND m >= :m", t=S("x"), n=N(1), r=S("a"), m=N(9.5)) == ["q1"]
    with raises(VE, "Query condition missed key schema element: n"):
        q("t = :t", t=S("x"))
    with raises(VE, "Query condition missed key schema element: n"):
        q("t = :t AND r = :r", t=S("x"), r=S("a"))
    with raises(VE, "Query key condition not supported"):
        q("t = :t AND n > :n", t=S("x"), n=N(1))
    with raises(VE, INVALID + "Condition parameter type does not match schema type"):
        q("t = :t AND n = :n", t=S("x"), n=S("1"))
    with raises(VE, "Filter Expression can only contain non-primary key attributes: Primary key attribute: m"):
        ddb.query(TableName=mk, IndexName="two", KeyConditionExpression="t = :t AND n = :n", FilterExpression="m > :n",
                  ExpressionAttributeValues={":t": S("x"), ":n": N(1)})
    with raises(VE, INVALID + "Type mismatch for Index Key n Expected: N Actual: S IndexName: two"):
        ddb.put_item(TableName=mk, Item={"pk": S("q8"), "n": S("1")})


def test_keys_only_projection_keeps_every_key_attribute(ddb, mk):
    ddb.put_item(TableName=mk, Item={"pk": S("kp"), "t": S("proj"), "n": N(5), "r": S("a"), "m": N(2),
                                     "other": S("not projected")})
    res = ddb.query(TableName=mk, IndexName="two", KeyConditionExpression="t = :t AND n = :n",
                    ExpressionAttributeValues={":t": S("proj"), ":n": N(5)})
    assert res["Items"] == [{"pk": S("kp"), "t": S("proj"), "n": N(5), "r": S("a"), "m": N(2)}]


def test_scan_of_the_index_in_pages_and_segments(ddb, mk):
    seen, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        res = ddb.scan(TableName=mk, IndexName="gsi", Limit=2, **kw)
        seen += [i["pk"]["S"] for i in res["Items"]]
        start = res.get("LastEvaluatedKey")
        if not start:
            break
        assert set(start) == {"pk", "h", "a", "b", "c", "d"}
    assert sorted(seen) == ["p1", "p2", "p3", "p4", "p5"]
    parts = []
    for seg in range(3):
        start = None
        while True:
            kw = {"ExclusiveStartKey": start} if start else {}
            res = ddb.scan(TableName=mk, IndexName="gsi", Segment=seg, TotalSegments=3, Limit=1, **kw)
            parts += [i["pk"]["S"] for i in res["Items"]]
            start = res.get("LastEvaluatedKey")
            if not start:
                break
    assert sorted(parts) == ["p1", "p2", "p3", "p4", "p5"]


def test_partiql_select_on_the_index(ddb, mk):
    res = ddb.execute_statement(Statement=f'SELECT pk FROM "{mk}"."gsi" WHERE h = ? AND a = ? AND b = ?',
                                Parameters=[S("o1"), S("T"), S("live")])
    assert sorted(i["pk"]["S"] for i in res["Items"]) == ["p1", "p2", "p3"]


def test_read_capacity_counts_the_index(ddb, mk):
    res = ddb.query(TableName=mk, IndexName="two", KeyConditionExpression="t = :t AND n = :n",
                    ExpressionAttributeValues={":t": S("nothing"), ":n": N(1)}, ReturnConsumedCapacity="INDEXES")
    cc = res["ConsumedCapacity"]
    assert cc["GlobalSecondaryIndexes"] == {"two": {"CapacityUnits": 0.5}}
    assert cc["CapacityUnits"] == 0.5


def test_update_table_creates_and_backfills(ddb, make_table):
    name = make_table(AttributeDefinitions=defs(pk="S"), KeySchema=ks(("pk", "HASH")))
    for i, (g, s1, s2) in enumerate([("x", "b", 1), ("x", "a", 2), ("x", "a", 1), ("y", "a", 1)]):
        ddb.put_item(TableName=name, Item={"pk": S(f"k{i}"), "g": S(g), "s1": S(s1), "s2": N(s2)})
    ddb.put_item(TableName=name, Item={"pk": S("k9"), "g": S("x"), "s1": S("a")})  # no s2
    ddb.update_table(TableName=name, AttributeDefinitions=defs(g="S", s1="S", s2="N"),
                     GlobalSecondaryIndexUpdates=[{"Create": {
                         "IndexName": "late", "KeySchema": ks(("g", "HASH"), ("s1", "RANGE"), ("s2", "RANGE")),
                         "Projection": ALL}}])
    t = du.wait_active(ddb, name)
    g = t["GlobalSecondaryIndexes"][0]
    assert g["KeySchema"] == ks(("g", "HASH"), ("s1", "RANGE"), ("s2", "RANGE"))
    res = ddb.query(TableName=name, IndexName="late", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": S("x")})
    assert [i["pk"]["S"] for i in res["Items"]] == ["k2", "k1", "k0"]


@pytest.mark.parametrize("schema,message", [
    (ks(("h", "HASH"), ("a", "RANGE"), ("b", "HASH")),
     INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema"),
    (ks(("h", "HASH"), ("a", "RANGE"), ("b", "RANGE"), ("c", "RANGE"), ("d", "RANGE"), ("e", "RANGE")),
     INVALID + "The KeySchema exceeds the maximum allowed number of RANGE key attributes"),
    (ks(("h", "HASH"), ("a", "HASH"), ("b", "HASH"), ("c", "HASH"), ("d", "HASH")),
     INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"),
    (ks(("h", "HASH"), ("a", "RANGE"), ("a", "RANGE")),
     "The KeySchema contains multiple key attributes with the same name"),
    (ks(("a", "RANGE"), ("h", "HASH"), ("b", "RANGE")),
     "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
])
def test_bad_schemas(ddb, schema, message):
    with raises(VE, message):
        ddb.create_table(TableName=du.unique_name("bad"), BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=defs(pk="S", h="S", a="S", b="S", c="S", d="S", e="S"),
                         KeySchema=ks(("pk", "HASH")),
                         GlobalSecondaryIndexes=[{"IndexName": "gix", "KeySchema": schema, "Projection": ALL}])

