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

