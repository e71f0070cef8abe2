"""ReturnConsumedCapacity NONE / TOTAL / INDEXES with DynamoDB's size-based units.

Facts: scylladb test/alternator/test_returnconsumedcapacity.py (runs on AWS): writes cost one unit per
started KB of the item (names + values); a write over an existing item costs by the larger of the old
and new item; deleting a missing item costs 1; reads cost one unit per started 4 KB, half that when
eventually consistent, and reading a missing item costs 1 (0.5). moto test_dynamodb_consumedcapacity.py:
TOTAL gives {'TableName', 'CapacityUnits'}, INDEXES adds 'Table': {'CapacityUnits'}, NONE or absent gives
no ConsumedCapacity. AWS may add ReadCapacityUnits/WriteCapacityUnits, so only these fields are checked.
"""
import pytest

import dynarock_util as du

KB = 1024


def uniq():
    return du.unique_name("k")


def units(resp, table, mode="TOTAL"):
    cc = resp["ConsumedCapacity"]
    assert cc["TableName"] == table
    if mode == "INDEXES":
        assert cc["Table"]["CapacityUnits"] == cc["CapacityUnits"]
    else:
        assert "Table" not in cc
    return cc["CapacityUnits"]


def put(ddb, table, item, **kw):
    return ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity="TOTAL", **kw)


def test_none_and_absent_give_nothing(ddb, table_s):
    k = {"p": {"S": uniq()}}
    assert "ConsumedCapacity" not in ddb.put_item(TableName=table_s, Item=k)
    assert "ConsumedCapacity" not in ddb.put_item(TableName=table_s, Item=k, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table_s, Key=k, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in ddb.delete_item(TableName=table_s, Key=k, ReturnConsumedCapacity="NONE")


def test_small_put_is_one_unit(ddb, table_s):
    assert units(put(ddb, table_s, {"p": {"S": uniq()}, "a": {"S": "x"}}), table_s) == 1


def test_indexes_mode_adds_table_entry(ddb, table_s):
    k = {"p": {"S": uniq()}}
    r = ddb.put_item(TableName=table_s, Item=k, ReturnConsumedCapacity="INDEXES")
    assert units(r, table_s, "INDEXES") == 1
    r = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True, ReturnConsumedCapacity="INDEXES")
    assert units(r, table_s, "INDEXES") == 1
    r = ddb.delete_item(TableName=table_s, Key=k, ReturnConsumedCapacity="INDEXES")
    assert units(r, table_s, "INDEXES") == 1


@pytest.mark.parametrize("size,expected", [(KB, 1), (KB + 1, 2), (2 * KB, 2), (3 * KB + 1, 4), (400 * KB, 400)])
def test_write_units_by_size(ddb, table_s, size, expected):
    item = du.sized_item({"p": {"S": uniq()}}, size)
    assert units(put(ddb, table_s, item), table_s) == expected


def test_write_counts_attribute_names(ddb, table_s):
    item = {"p": {"S": uniq()}, "a" * KB: {"S": "v"}}
    assert units(put(ddb, table_s, item), table_s) == 2


def test_overwrite_costs_the_larger_item(ddb, table_s):
    k = {"p": {"S": uniq()}}
    assert units(put(ddb, table_s, du.sized_item(k, 2 * KB + 1)), table_s) == 3
    assert units(put(ddb, table_s, dict(k, a={"S": "a"}), ReturnValues="ALL_OLD"), table_s) == 3
    # the old item is now small
    assert units(put(ddb, table_s, dict(k, a={"S": "b"}), ReturnValues="ALL_OLD"), table_s) == 1


@pytest.mark.parametrize("size,consistent,expected", [
    (4 * KB, True, 1), (4 * KB, False, 0.5), (4 * KB + 1, True, 2), (4 * KB + 1, False, 1),
    (100, True, 1), (100, False, 0.5), (12 * KB + 1, True, 4), (12 * KB + 1, False, 2),
    (400 * KB, True, 100), (400 * KB, False, 50),
])
def test_read_units_by_size(ddb, table_s, size, consistent, expected):
    item = du.sized_item({"p": {"S": uniq()}}, size)
    ddb.put_item(TableName=table_s, Item=item)
    r = ddb.get_item(TableName=table_s, Key={"p": item["p"]}, ConsistentRead=consistent, ReturnConsumedCapacity="TOTAL")
    if not consistent and "Item" not in r:
        pytest.skip("eventually consistent read did not see the item yet")
    assert units(r, table_s) == expected


def test_read_missing_item(ddb, table_s):
    k = {"p": {"S": uniq()}}
    r = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert "Item" not in r and units(r, table_s) == 1
    r = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=False, ReturnConsumedCapacity="TOTAL")
    assert units(r, table_s) == 0.5
    r = ddb.get_item(TableName=table_s, Key=k, ReturnConsumedCapacity="TOTAL")  # default: eventual
    assert units(r, table_s) == 0.5


def test_delete_units(ddb, table_ss):
    k = {"p": {"S": uniq()}, "c": {"S": "c"}}
    r = ddb.delete_item(TableName=table_ss, Key=k, ReturnConsumedCapacity="TOTAL")
    assert units(r, table_ss) == 1  # missing item
    ddb.put_item(TableName=table_ss, Item=du.sized_item(k, 2 * KB + 1))
    r = ddb.delete_item(TableName=table_ss, Key=k, ReturnConsumedCapacity="TOTAL", ReturnValues="ALL_OLD")
    assert units(r, table_ss) == 3
    assert du.item_size(r["Attributes"]) == 2 * KB + 1


def test_binary_value_counts_raw_bytes(ddb, table_s):
    k = {"p": {"S": uniq()}}
    room = KB - du.item_size(k) - 1
    assert units(put(ddb, table_s, dict(k, b={"B": b"\x00" * room})), table_s) == 1
    assert units(put(ddb, table_s, dict(k, b={"B": b"\x00" * (room + 1)})), table_s) == 2



# ---- writes on tables with secondary indexes (issue 17, section 5) ---------------------------------------
# DynamoDB's rules for an index (developer guide, "Provisioned throughput considerations for GSIs", which
# LSIs follow too): a new entry costs one write per KB of it, a deleted entry one, an entry whose index key
# changes two (a delete and a put), an entry whose projected attributes change in place one, and an item
# that is not in the index before or after the write costs the index nothing. CapacityUnits is the table's
# and every index's; INDEXES lists each index that consumed under GlobalSecondaryIndexes /
# LocalSecondaryIndexes (a TransactWriteItems answer recorded from AWS shows the same shape, with
# WriteCapacityUnits repeated inside each entry and everything doubled).


@pytest.fixture
def indexed(make_table):
    return make_table(
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("p", "c", "g", "l")],
        GlobalSecondaryIndexes=[{"IndexName": "gkeys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
        LocalSecondaryIndexes=[{"IndexName": "lall", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                                                    {"AttributeName": "l", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}])


def breakdown(cc):
    """(total, table, {gsi: units}, {lsi: units}) of one ConsumedCapacity entry."""
    return (cc["CapacityUnits"], cc["Table"]["CapacityUnits"],
            {k: v["CapacityUnits"] for k, v in cc.get("GlobalSecondaryIndexes", {}).items()},
            {k: v["CapacityUnits"] for k, v in cc.get("LocalSecondaryIndexes", {}).items()})


def test_index_writes_by_the_documented_rules(ddb, indexed):
    S = lambda v: {"S": v}  # noqa: E731
    key = {"p": S("a"), "c": S("1")}

    def write(item):
        return breakdown(ddb.put_item(TableName=indexed, Item=item, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"])

    # a new item in both indexes: an entry put in each
    assert write({**key, "g": S("x"), "l": S("y")}) == (3, 1, {"gkeys": 1}, {"lall": 1})
    # a non-key attribute changes: the KEYS_ONLY entry is the same, the ALL entry changes in place
    assert write({**key, "g": S("x"), "l": S("y"), "v": S("1")}) == (2, 1, {}, {"lall": 1})
    # the GSI key changes: its entry is deleted and put again
    assert write({**key, "g": S("z"), "l": S("y"), "v": S("1")}) == (4, 1, {"gkeys": 2}, {"lall": 1})
    # the LSI key goes away: its entry is deleted (the KEYS_ONLY GSI entry stays as it was)
    assert write({**key, "g": S("z"), "v": S("1")}) == (2, 1, {}, {"lall": 1})
    got = ddb.delete_item(TableName=indexed, Key=key, ReturnConsumedCapacity="INDEXES")["ConsumedCapacity"]
    assert breakdown(got) == (2, 1, {"gkeys": 1}, {})
    # an item in no index costs the table only, and TOTAL is the same sum without the breakdown
    r = ddb.put_item(TableName=indexed, Item={"p": S("b"), "c": S("1")}, ReturnConsumedCapacity="INDEXES")
    assert breakdown(r["ConsumedCapacity"]) == (1, 1, {}, {})
    r = ddb.put_item(TableName=indexed, Item={"p": S("b"), "c": S("2"), "g": S("x"), "l": S("y")},
                     ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == {"TableName": indexed, "CapacityUnits": 3.0}


def test_index_entry_size_counts(ddb, indexed):
    # an ALL entry of a 1.5 KB item costs 2 units; the KEYS_ONLY entry of the same item 1
    item = du.sized_item({"p": {"S": "big"}, "c": {"S": "1"}, "g": {"S": "x"}, "l": {"S": "y"}}, 1536)
    r = ddb.put_item(TableName=indexed, Item=item, ReturnConsumedCapacity="INDEXES")
    assert breakdown(r["ConsumedCapacity"]) == (5, 2, {"gkeys": 1}, {"lall": 2})


def test_index_writes_in_batches_and_transactions(ddb, indexed):
    S = lambda v: {"S": v}  # noqa: E731
    r = ddb.batch_write_item(RequestItems={indexed: [{"PutRequest": {"Item": {"p": S("t"), "c": S(str(i)), "g": S("x")}}}
                                                     for i in range(3)]}, ReturnConsumedCapacity="INDEXES")
    [cc] = r["ConsumedCapacity"]
    assert breakdown(cc) == (6, 3, {"gkeys": 3}, {})
    r = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": indexed,
                                                         "Item": {"p": S("u"), "c": S("1"), "g": S("x"), "l": S("y")}}}],
                                 ReturnConsumedCapacity="INDEXES")
    [cc] = r["ConsumedCapacity"]
    assert breakdown(cc) == (6, 2, {"gkeys": 2}, {"lall": 2})
    assert cc["GlobalSecondaryIndexes"]["gkeys"]["WriteCapacityUnits"] == 2
