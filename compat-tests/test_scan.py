"""Scan: whole-table contents, filters (FilterExpression and legacy ScanFilter), projections, Select
COUNT, Limit / LastEvaluatedKey paging, parallel scan segments, the 1 MB page, ConsumedCapacity and the
validation errors. Every test makes its own table: a Scan sees the whole table.

Facts (behaviour):
- DynamoDB API reference, Scan: Limit is the number of items evaluated before the filter (ScannedCount),
  Count those that pass; a page holds at most 1 MB read; parallel scan segments are disjoint and together
  cover the table; Segment is zero-based.
- architect/dynalite test/scan.js (checked against AWS): an empty answer is {Count: 0, ScannedCount: 0,
  Items: []}; LastEvaluatedKey whenever Limit stops the page; Select COUNT keeps LastEvaluatedKey
  (also getmoto/moto test_dynamodb_select.py test_scan_count_omits_items_and_preserves_pagination,
  aws_verified). Items of one partition are stored together in sort-key order, so a Scan returns them
  contiguously and in order (dynalite relies on it; DynamoDB Developer Guide "Partitions and data
  distribution").
- DynamoDB Developer Guide, read-write-operations: a Scan sums the sizes of the items read and rounds up to
  4 KB; eventually consistent reads cost half.

Messages (architect/dynalite test/scan.js, exact-match assertions there, unless noted):
- 'The TotalSegments parameter is required but was not present in the request when Segment parameter is
  present'; 'The Segment parameter is required but was not present in the request when parameter
  TotalSegments is present' (the two are worded differently on purpose); 'The Segment parameter is
  zero-based and must be less than parameter TotalSegments: Segment: 1 is not less than TotalSegments: 1'.
- "Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value greater than or equal
  to 1", "Value '-1' at 'segment' failed to satisfy constraint: Member must have value greater than or equal
  to 0" in the '1 validation error detected: ' envelope. The upper bound (TotalSegments <= 1000000) comes
  from the service model; its wording follows the same AWS pattern.
- 'The provided starting key is invalid: The provided key element does not match the schema' (any
  ExclusiveStartKey that does not fit the key schema); 'The provided starting key is invalid: Invalid
  ExclusiveStartKey. Please use ExclusiveStartKey with correct Segment. TotalSegments: 2 Segment: 0'.
- 'ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null'.
- "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: p".
- Select and index messages as in test_query.py (getmoto/moto test_dynamodb_select.py, aws_verified: AWS
  answers Scan with them bare and Query wrapped, so both forms are accepted here too).
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
KB = 1024

S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": x}  # noqa: E731
B = lambda x: {"B": x}  # noqa: E731


def clean(r):
    r = dict(r)
    r.pop("ResponseMetadata", None)
    return r


def scan(ddb, table, **kw):
    kw.setdefault("ConsistentRead", True)
    return clean(ddb.scan(TableName=table, **kw))


def all_pages(ddb, table, **kw):
    pages = []
    while True:
        r = scan(ddb, table, **kw)
        pages.append(r)
        if "LastEvaluatedKey" not in r:
            return pages
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
        assert len(pages) < 1000


def pk(item):
    """A hashable key for a low-level item (p alone, or p and c)."""
    return tuple(sorted((k, repr(v)) for k, v in item.items() if k in ("p", "c")))


def flat(pages):
    return [it for pg in pages for it in pg["Items"]]


def hash_items(n=30):
    return [{"p": S("k%03d" % i), "i": N(str(i)), "par": S("even" if i % 2 == 0 else "odd")} for i in range(n)]


@pytest.fixture
def hash_table(ddb, make_table):
    """A fresh hash-only table (p S) holding hash_items()."""
    t = make_table()
    for it in hash_items():
        ddb.put_item(TableName=t, Item=it)
    return t


RANGE_PARTS = ["a", "b", "c", "d", "e"]


@pytest.fixture
def range_table(ddb, make_table):
    """A fresh (p S, c N) table: five partitions of six items each."""
    t = make_table(**du.key_schema("p", "S", "c", "N"))
    for p in RANGE_PARTS:
        for c in (5, -1, 0, 2.5, 10, 3):
            ddb.put_item(TableName=t, Item={"p": S(p), "c": N(str(c)), "v": S(p + str(c))})
    return t


# ---- contents -----------------------------------------------------------------------------------

def test_empty_table(ddb, make_table):
    t = make_table()
    assert scan(ddb, t) == {"Items": [], "Count": 0, "ScannedCount": 0}
    assert scan(ddb, t, Select="COUNT") == {"Count": 0, "ScannedCount": 0}
    assert scan(ddb, t, Limit=1) == {"Items": [], "Count": 0, "ScannedCount": 0}
    assert scan(ddb, t, Segment=0, TotalSegments=4) == {"Items": [], "Count": 0, "ScannedCount": 0}


def test_whole_table(ddb, hash_table):
    r = scan(ddb, hash_table)
    assert r["Count"] == 30 and r["ScannedCount"] == 30 and "LastEvaluatedKey" not in r
    want = {pk(it): it for it in hash_items()}
    assert len(r["Items"]) == 30
    assert {pk(it): it for it in r["Items"]} == want


def test_whole_table_eventually_consistent(ddb, hash_table):
    r = scan(ddb, hash_table, ConsistentRead=False)
    assert sorted(pk(it) for it in r["Items"]) == sorted(pk(it) for it in hash_items())


def test_partitions_come_together_in_sort_order(ddb, range_table):
    r = scan(ddb, range_table)
    assert r["Count"] == 30
    seen = []
    for it in r["Items"]:
        if not seen or seen[-1][0] != it["p"]["S"]:
            seen.append((it["p"]["S"], []))
        seen[-1][1].append(it["c"]["N"])
    assert sorted(p for p, _ in seen) == RANGE_PARTS        # each partition appears once, contiguously
    for p, cs in seen:
        assert cs == ["-1", "0", "2.5", "3", "5", "10"]
    for it in r["Items"]:
        assert it["v"] == S(it["p"]["S"] + it["c"]["N"])


def test_items_of_all_types_round_trip(ddb, make_table):
    t = make_table()
    item = {"p": S("all"), "s": S("h\u00e9llo"), "n": N("1.5"), "b": B(b"\x00\xff"), "t": {"BOOL": True},
            "z": {"NULL": True}, "ss": {"SS": ["a"]}, "ns": {"NS": ["2"]}, "bs": {"BS": [b"\x01"]},
            "l": {"L": [S("x"), N("1")]}, "m": {"M": {"k": S("v")}}}
    ddb.put_item(TableName=t, Item=item)
    assert scan(ddb, t) == {"Items": [item], "Count": 1, "ScannedCount": 1}


# ---- filters ------------------------------------------------------------------------------------

def ids(r):
    return sorted(int(it["i"]["N"]) for it in r["Items"])


@pytest.mark.parametrize("flt,values,want", [
    ("par = :v", {":v": S("odd")}, list(range(1, 30, 2))),
    ("i < :v", {":v": N("5")}, [0, 1, 2, 3, 4]),
    ("i BETWEEN :lo AND :hi AND par = :v", {":lo": N("10"), ":hi": N("15"), ":v": S("even")}, [10, 12, 14]),
    ("i = :a OR i = :b", {":a": N("3"), ":b": N("29")}, [3, 29]),
    ("p = :v", {":v": S("k007")}, [7]),                          # Scan may filter on key attributes
    ("begins_with(p, :v)", {":v": S("k02")}, list(range(20, 30))),
    ("attribute_not_exists(i)", {}, []),
])
def test_filter_expression(ddb, hash_table, flt, values, want):
    kw = {"FilterExpression": flt}
    if values:
        kw["ExpressionAttributeValues"] = values
    r = scan(ddb, hash_table, **kw)
    assert ids(r) == want
    assert r["Count"] == len(want) and r["ScannedCount"] == 30
    assert "LastEvaluatedKey" not in r


def test_scan_filter(ddb, hash_table):
    sf = {"par": {"ComparisonOperator": "EQ", "AttributeValueList": [S("even")]},
          "i": {"ComparisonOperator": "LT", "AttributeValueList": [N("7")]}}
    r = scan(ddb, hash_table, ScanFilter=sf)
    assert ids(r) == [0, 2, 4, 6] and r["Count"] == 4 and r["ScannedCount"] == 30
    r = scan(ddb, hash_table, ScanFilter=sf, ConditionalOperator="AND")
    assert ids(r) == [0, 2, 4, 6]


def test_scan_filter_or(ddb, hash_table):
    sf = {"par": {"ComparisonOperator": "EQ", "AttributeValueList": [S("even")]},
          "i": {"ComparisonOperator": "LT", "AttributeValueList": [N("7")]}}
    r = scan(ddb, hash_table, ScanFilter=sf, ConditionalOperator="OR")
    assert ids(r) == sorted(set(range(0, 30, 2)) | set(range(7)))
    assert r["Count"] == 18 and r["ScannedCount"] == 30


@pytest.mark.parametrize("cond,want", [
    ({"ComparisonOperator": "BETWEEN", "AttributeValueList": [N("27"), N("40")]}, [27, 28, 29]),
    ({"ComparisonOperator": "IN", "AttributeValueList": [N("1"), N("4"), N("99")]}, [1, 4]),
    ({"ComparisonOperator": "NULL"}, []),
    ({"ComparisonOperator": "GE", "AttributeValueList": [N("28")]}, [28, 29]),
])
def test_scan_filter_operators(ddb, hash_table, cond, want):
    assert ids(scan(ddb, hash_table, ScanFilter={"i": cond})) == want


def test_scan_filter_on_key(ddb, hash_table):
    r = scan(ddb, hash_table, ScanFilter={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("k011")]}})
    assert ids(r) == [11]


# ---- projections and Select ---------------------------------------------------------------------

def test_projection_expression(ddb, range_table):
    r = scan(ddb, range_table, ProjectionExpression="v", FilterExpression="c = :c",
             ExpressionAttributeValues={":c": N("10")})
    assert sorted(it["v"]["S"] for it in r["Items"]) == [p + "10" for p in RANGE_PARTS]
    assert all(list(it) == ["v"] for it in r["Items"])
    r = scan(ddb, range_table, ProjectionExpression="nothing")
    assert r["Items"] == [{}] * 30 and r["Count"] == 30


def test_attributes_to_get(ddb, range_table):
    r = scan(ddb, range_table, AttributesToGet=["c", "v"], ScanFilter={
        "p": {"ComparisonOperator": "EQ", "AttributeValueList": [S("b")]}})
    assert r["Items"] == [{"c": N(c), "v": S("b" + c)} for c in ["-1", "0", "2.5", "3", "5", "10"]]


def test_select_count(ddb, hash_table):
    assert scan(ddb, hash_table, Select="COUNT") == {"Count": 30, "ScannedCount": 30}
    r = scan(ddb, hash_table, Select="COUNT", FilterExpression="par = :v", ExpressionAttributeValues={":v": S("odd")})
    assert r == {"Count": 15, "ScannedCount": 30}
    r = scan(ddb, hash_table, Select="COUNT", Limit=4)
    assert set(r) == {"Count", "ScannedCount", "LastEvaluatedKey"}
    assert r["Count"] == 4 and r["ScannedCount"] == 4 and set(r["LastEvaluatedKey"]) == {"p"}


# ---- Limit and paging ---------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 3, 7, 29, 30, 31])
def test_paging_collects_every_item_once(ddb, hash_table, limit):
    pages = all_pages(ddb, hash_table, Limit=limit)
    items = flat(pages)
    assert len(items) == 30
    assert {pk(it): it for it in items} == {pk(it): it for it in hash_items()}
    for pg in pages[:-1]:
        assert pg["Count"] == pg["ScannedCount"] == limit
        assert pg["LastEvaluatedKey"] == {"p": pg["Items"][-1]["p"]}
    # LastEvaluatedKey even when Limit stops the page on the table's last item
    assert len(pages) == 30 // limit + 1
    assert pages[-1]["Count"] == 30 % limit and "LastEvaluatedKey" not in pages[-1]


def test_paging_same_order_as_one_scan(ddb, hash_table):
    whole = scan(ddb, hash_table)["Items"]
    assert flat(all_pages(ddb, hash_table, Limit=4)) == whole


def test_paging_range_table(ddb, range_table):
    whole = scan(ddb, range_table)["Items"]
    pages = all_pages(ddb, range_table, Limit=4)
    assert flat(pages) == whole
    for pg in pages[:-1]:
        last = pg["Items"][-1]
        assert pg["LastEvaluatedKey"] == {"p": last["p"], "c": last["c"]}


def test_limit_counts_items_before_the_filter(ddb, hash_table):
    pages = all_pages(ddb, hash_table, Limit=5, FilterExpression="par = :v", ExpressionAttributeValues={":v": S("odd")})
    for pg in pages[:-1]:
        assert pg["ScannedCount"] == 5 and pg["Count"] == len(pg["Items"]) <= 5
    assert sorted(int(it["i"]["N"]) for it in flat(pages)) == list(range(1, 30, 2))
    assert sum(pg["ScannedCount"] for pg in pages) == 30


def test_filtered_page_can_be_empty(ddb, hash_table):
    r = scan(ddb, hash_table, Limit=3, FilterExpression="attribute_not_exists(i)")
    assert r["Items"] == [] and r["Count"] == 0 and r["ScannedCount"] == 3
    assert set(r["LastEvaluatedKey"]) == {"p"}


def test_exclusive_start_key_need_not_exist(ddb, hash_table):
    """Any key of the right shape is a valid start: the scan continues after its position."""
    r = scan(ddb, hash_table, ExclusiveStartKey={"p": S("no-such-item")})
    assert r["Count"] == len(r["Items"]) <= 30
    assert all(it["p"] != S("no-such-item") for it in r["Items"])


# ---- parallel scan ------------------------------------------------------------------------------

@pytest.mark.parametrize("total", [1, 2, 3, 7])
def test_segments_partition_the_table(ddb, hash_table, total):
    seen = {}
    for seg in range(total):
        r = scan(ddb, hash_table, Segment=seg, TotalSegments=total)
        assert "LastEvaluatedKey" not in r
        assert r["Count"] == r["ScannedCount"] == len(r["Items"])
        for it in r["Items"]:
            assert pk(it) not in seen, f"item {it} in segments {seen.get(pk(it))} and {seg}"
            seen[pk(it)] = seg
        # paging inside a segment gives the same items in the same order
        assert flat(all_pages(ddb, hash_table, Segment=seg, TotalSegments=total, Limit=2)) == r["Items"]
    assert set(seen) == {pk(it) for it in hash_items()}


def test_one_segment_is_the_whole_table(ddb, hash_table):
    assert scan(ddb, hash_table, Segment=0, TotalSegments=1)["Items"] == scan(ddb, hash_table)["Items"]


def test_segments_on_range_table_keep_partitions_whole(ddb, range_table):
    parts = {}
    for seg in range(3):
        for it in scan(ddb, range_table, Segment=seg, TotalSegments=3)["Items"]:
            parts.setdefault(it["p"]["S"], set()).add(seg)
    assert sorted(parts) == RANGE_PARTS
    assert all(len(s) == 1 for s in parts.values())


def test_segment_filter_and_count(ddb, hash_table):
    total = 0
    for seg in range(3):
        r = scan(ddb, hash_table, Segment=seg, TotalSegments=3, Select="COUNT",
                 FilterExpression="par = :v", ExpressionAttributeValues={":v": S("even")})
        assert "Items" not in r
        total += r["Count"]
    assert total == 15


def test_start_key_from_another_segment(ddb, make_table):
    t = make_table()
    for i in range(16):
        ddb.put_item(TableName=t, Item={"p": S(str(i))})
    r = scan(ddb, t, Segment=1, TotalSegments=2)
    assert r["Count"] > 0
    with raises(VE, "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey "
                    "with correct Segment. TotalSegments: 2 Segment: 0"):
        ddb.scan(TableName=t, Segment=0, TotalSegments=2, ExclusiveStartKey={"p": r["Items"][0]["p"]})


# ---- 1 MB pages ---------------------------------------------------------------------------------

def test_one_megabyte_page(ddb, make_table):
    t = make_table()
    for i in range(20):
        ddb.put_item(TableName=t, Item=du.sized_item({"p": S("%02d" % i)}, 100 * KB))
    pages = all_pages(ddb, t)
    # 10 items are 1,000 KB, the 11th crosses 1 MB; see test_query.py for why both 10 and 11 are accepted.
    assert len(pages[0]["Items"]) in (10, 11)
    assert pages[0]["LastEvaluatedKey"] == {"p": pages[0]["Items"][-1]["p"]}
    got = [it["p"]["S"] for it in flat(pages)]
    assert sorted(got) == ["%02d" % i for i in range(20)] and len(set(got)) == 20
    r = scan(ddb, t, FilterExpression="attribute_exists(nothing)")
    assert r["Items"] == [] and r["ScannedCount"] in (10, 11) and "LastEvaluatedKey" in r


# ---- ConsumedCapacity ---------------------------------------------------------------------------

def test_consumed_capacity(ddb, make_table):
    t = make_table()
    for i in range(3):
        ddb.put_item(TableName=t, Item={"p": S(str(i)), "a": S("x")})
    r = scan(ddb, t, ReturnConsumedCapacity="TOTAL", ConsistentRead=False)
    assert r["ConsumedCapacity"]["TableName"] == t and r["ConsumedCapacity"]["CapacityUnits"] == 0.5
    r = scan(ddb, t, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0
    for i in range(3):
        ddb.put_item(TableName=t, Item=du.sized_item({"p": S(str(i))}, 3 * KB))
    r = scan(ddb, t, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert r["ConsumedCapacity"]["CapacityUnits"] == 3.0
    assert "ConsumedCapacity" not in scan(ddb, t)


# ---- validation ---------------------------------------------------------------------------------

def test_missing_table(ddb):
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb.scan(TableName=du.unique_name("missing"))


def test_segment_without_total(ddb, make_table):
    t = make_table()
    with raises(VE, "The TotalSegments parameter is required but was not present in the request when Segment "
                    "parameter is present"):
        ddb.scan(TableName=t, Segment=0)


def test_total_without_segment(ddb, make_table):
    t = make_table()
    with raises(VE, "The Segment parameter is required but was not present in the request when parameter "
                    "TotalSegments is present"):
        ddb.scan(TableName=t, TotalSegments=2)


@pytest.mark.parametrize("seg,total", [(1, 1), (5, 3), (7, 7)])
def test_segment_not_below_total(ddb, make_table, seg, total):
    t = make_table()
    with raises(VE, f"The Segment parameter is zero-based and must be less than parameter TotalSegments: "
                    f"Segment: {seg} is not less than TotalSegments: {total}"):
        ddb.scan(TableName=t, Segment=seg, TotalSegments=total)


def test_segment_range(ddb_noval, make_table):
    t = make_table()
    with raises(VE, "1 validation error detected: Value '0' at 'totalSegments' failed to satisfy constraint: "
                    "Member must have value greater than or equal to 1"):
        ddb_noval.scan(TableName=t, Segment=0, TotalSegments=0)
    with raises(VE, "1 validation error detected: Value '-1' at 'segment' failed to satisfy constraint: "
                    "Member must have value greater than or equal to 0"):
        ddb_noval.scan(TableName=t, Segment=-1, TotalSegments=2)
    with raises(VE, "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: "
                    "Member must have value less than or equal to 1000000"):
        ddb_noval.scan(TableName=t, Segment=0, TotalSegments=1000001)


def test_max_total_segments(ddb, make_table):
    t = make_table()
    ddb.put_item(TableName=t, Item={"p": S("x")})
    got = scan(ddb, t, Segment=999999, TotalSegments=1000000)
    assert got["Count"] in (0, 1)


@pytest.mark.parametrize("limit", [0, -5])
def test_limit_below_one(ddb_noval, make_table, limit):
    t = make_table()
    with raises(VE, f"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: "
                    "Member must have value greater than or equal to 1"):
        ddb_noval.scan(TableName=t, Limit=limit)


def test_start_key_does_not_match_schema(ddb, make_table):
    t = make_table(**du.key_schema("p", "S", "c", "N"))
    for esk in ({}, {"p": S("a")}, {"c": N("1")}, {"p": S("a"), "c": S("1")}, {"p": N("1"), "c": N("1")},
                {"p": S("a"), "z": N("1")}, {"p": S("a"), "c": N("1"), "z": S("b")}):
        with raises(VE, "The provided starting key is invalid: The provided key element does not match the schema"):
            ddb.scan(TableName=t, ExclusiveStartKey=esk)


def test_values_without_expression(ddb, make_table):
    t = make_table()
    with raises(VE, "ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null"):
        ddb.scan(TableName=t, ExpressionAttributeValues={":v": S("x")})


def test_filter_on_key_path(ddb, make_table):
    t = make_table()
    with raises(VE, "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: p"):
        ddb.scan(TableName=t, FilterExpression="attribute_exists(#a.b)", ExpressionAttributeNames={"#a": "p"})


def test_select_specific_attributes_needs_projection(ddb, make_table):
    t = make_table()
    with raises(VE, "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
                envelope=True):
        ddb.scan(TableName=t, Select="SPECIFIC_ATTRIBUTES")


@pytest.mark.parametrize("select,what", [("COUNT", "only the Count"), ("ALL_ATTRIBUTES", "ALL_ATTRIBUTES")])
def test_select_with_projection(ddb, make_table, select, what):
    t = make_table()
    with raises(VE, f"Cannot specify the ProjectionExpression when choosing to get {what}", envelope=True):
        ddb.scan(TableName=t, Select=select, ProjectionExpression="a")
    with raises(VE, f"Cannot specify the AttributesToGet when choosing to get {what}", envelope=True):
        ddb.scan(TableName=t, Select=select, AttributesToGet=["a"])


def test_select_all_projected_needs_index(ddb, make_table):
    t = make_table()
    with raises(VE, "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName", envelope=True):
        ddb.scan(TableName=t, Select="ALL_PROJECTED_ATTRIBUTES")


def test_select_enum(ddb, make_table):
    t = make_table()
    with raises(VE, "1 validation error detected: Value 'count' at 'select' failed to satisfy constraint: "
                    "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
                    "ALL_PROJECTED_ATTRIBUTES]"):
        ddb.scan(TableName=t, Select="count")


@pytest.fixture
def gsi_table(make_table):
    return make_table(
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    )


def test_unknown_index(ddb, make_table):
    t = make_table()
    with raises(VE, "The table does not have the specified index: nope"):
        ddb.scan(TableName=t, IndexName="nope")


def test_consistent_read_on_gsi(ddb, gsi_table):
    with raises(VE, "Consistent reads are not supported on global secondary indexes"):
        ddb.scan(TableName=gsi_table, IndexName="by_g", ConsistentRead=True)


def test_all_attributes_on_keys_only_gsi(ddb, gsi_table):
    with raises(VE, "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
                    "global secondary index by_g because its projection type is not ALL"):
        ddb.scan(TableName=gsi_table, IndexName="by_g", Select="ALL_ATTRIBUTES")


def test_gsi_scan_valid_forms(ddb, gsi_table):
    want = {"Items": [], "Count": 0, "ScannedCount": 0}
    assert clean(ddb.scan(TableName=gsi_table, IndexName="by_g")) == want
    assert clean(ddb.scan(TableName=gsi_table, IndexName="by_g", Select="ALL_PROJECTED_ATTRIBUTES")) == want


def test_mixing_expression_and_legacy(ddb, make_table):
    t = make_table()
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                    "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"):
        ddb.scan(TableName=t, FilterExpression="attribute_exists(a)",
                 ScanFilter={"a": {"ComparisonOperator": "NOT_NULL"}})
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                    "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"):
        ddb.scan(TableName=t, ProjectionExpression="a", AttributesToGet=["a"])


# ---- which error wins (architect/dynalite test/scan.js, recorded against AWS) -------------------
# A table that does not exist. Recorded order: the mixing rules, AttributesToGet's duplicates,
# ScanFilter's conditions, ExclusiveStartKey's values (the prefix 'The provided starting key is
# invalid: ' except on number, empty-number-set and duplicate messages), Segment / TotalSegments, the
# expressions.

SCAN_NOTAB = "compat_no_such_table_s"
SCAN_INVALID = "One or more parameter values were invalid: "
SCAN_EMPTY_AV = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
EXPR_CLUTTER = {"Segment": 1, "FilterExpression": "", "ExpressionAttributeNames": {}, "ExpressionAttributeValues": {}}
SCAN_ORDER_CASES = [
    ("attributes_to_get_first", {"Segment": 1, "ExclusiveStartKey": {"a": {}}, "AttributesToGet": ["a", "a"],
                                 "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{}, {"S": ""}]}}},
     SCAN_INVALID + "Duplicate value in attribute name: a"),
    ("scan_filter_value_before_start_key", {"Segment": 1, "ExclusiveStartKey": {"a": {}}, "ScanFilter": {
        "a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}, {"SS": []}, {}]}}},
     SCAN_INVALID + "An string set  may not be empty"),
    ("scan_filter_arguments_before_start_key", {"Segment": 1, "ExclusiveStartKey": {"a": {}},
                                                "ScanFilter": {"a": {"ComparisonOperator": "NOT_NULL",
                                                                     "AttributeValueList": [{"S": "a"}]}}},
     SCAN_INVALID + "Invalid number of argument(s) for the NOT_NULL ComparisonOperator"),
    ("scan_filter_type_before_start_key", {"Segment": 1, "ExclusiveStartKey": {"a": {}},
                                           "ScanFilter": {"a": {"ComparisonOperator": "BEGINS_WITH",
                                                                "AttributeValueList": [{"N": "1"}]}}},
     SCAN_INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    ("start_key_after_a_valid_filter", {"Segment": 1, "ExclusiveStartKey": {"a": {}},
                                        "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"SS": ["a"]}]}}},
     "The provided starting key is invalid: " + SCAN_EMPTY_AV),
    ("start_key_before_segments_and_expressions", dict(EXPR_CLUTTER, ExclusiveStartKey={"a": {"M": {"a": {}}}}),
     "The provided starting key is invalid: " + SCAN_EMPTY_AV),
    ("start_key_binary_set_prefixed", dict(EXPR_CLUTTER, ExclusiveStartKey={"a": {"BS": []}}),
     "The provided starting key is invalid: " + SCAN_INVALID + "Binary sets should not be empty"),
    ("start_key_number_set_unprefixed", dict(EXPR_CLUTTER, ExclusiveStartKey={"a": {"NS": []}}),
     SCAN_INVALID + "An number set  may not be empty"),
    ("start_key_number_unprefixed", dict(EXPR_CLUTTER, ExclusiveStartKey={"a": {"N": "1e126"}}),
     "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("segments_before_expressions", EXPR_CLUTTER,
     "The TotalSegments parameter is required but was not present in the request when Segment parameter is present"),
]


@pytest.mark.parametrize("case", SCAN_ORDER_CASES, ids=[c[0] for c in SCAN_ORDER_CASES])
def test_which_error_wins(raw, case):
    _, body, message = case
    r = raw.call("Scan", dict(body, TableName=SCAN_NOTAB))
    du.check_error(r, "ValidationException", message)
