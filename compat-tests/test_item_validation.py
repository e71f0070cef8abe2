"""Item and key validation: schema mismatches, key types, sizes, nesting depth.

Messages and limits:
- 'The provided key element does not match the schema' (GetItem/DeleteItem key with a missing, extra,
  misnamed or mistyped attribute) — moto test_dynamodb_exceptions.py
  test_provide_range_key_against_table_without_range_key (aws_verified); dynalite db/index.js
  validateKey; scylladb test_table.py::test_forbidden_key_types_getitem (runs on AWS).
- 'One or more parameter values were invalid: Missing the key <k> in the item' and
  '... Type mismatch for key <k> expected: <T> actual: <U>' — architect/dynalite test/putItem.js, moto.
- 'Requested resource not found' — item operations on a missing table (dynalite db/index.js).
- 'Item size has exceeded the maximum allowed size': an item of exactly 409,600 bytes (names + values,
  key included) is accepted and one byte more refused — AWS capture of the PutItem ceiling found with the
  search tool (limits suite, eu-west-2); architect/dynalite putItem.js for the message.
- '... Size of hashkey has exceeded the maximum size limit of2048 bytes' (sic, no space) and
  '... Aggregated size of all range keys has exceeded the size limit of 1024 bytes' —
  getmoto/moto tests/test_dynamodb/exceptions/test_key_length_exceptions.py, architect/dynalite putItem.js.
- Empty key values: 'One or more parameter values are not valid. The AttributeValue for a key attribute
  cannot contain an empty string value. Key: <k>' / '... empty binary value. Key: <k>' — moto
  test_batch_put_item_with_empty_value and AWS captures of DeleteItem found with the search tool.
- Nesting: 32 levels including the attribute itself are accepted, 33 refused; the message reads
  'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond
  supported limit' but varies by region, so only /nest(ing|ed) levels .* supported limit/ is asserted —
  AWS capture found with the search tool; scylladb test_manual_requests.py (runs on AWS) agrees on 32.
- 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes' and
  '... has more than one datatypes set, ...' — architect/dynalite putItem.js.
- Attribute names are 1 to 65535 bytes (the API reference's limits page); scylladb test_limits.py (runs
  on AWS) records 65535 accepted and 65536 refused with a ValidationException naming 65535 or 65536, in
  items, AttributesToGet, AttributeUpdates and ExpressionAttributeNames. AWS's texts for an empty or a too
  long name in an item are not recorded publicly: dynarock answers those of DynamoDB's error table as
  DynamoDB Local ships it ('Empty attribute name', 'Attribute name is too large, must be less than 65536
  bytes'), so against AWS only the type and the gist are asserted.
"""
import re

import pytest
from botocore.exceptions import ClientError

import dynarock_util as du
from dynarock_util import raises

INVALID = "One or more parameter values were invalid: "
NO_MATCH = "The provided key element does not match the schema"
MAX_ITEM = 400 * 1024


def uniq():
    return du.unique_name("k")


# ---- key schema ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    {"p": {"S": "a"}},                                   # range key missing
    {"c": {"S": "a"}},                                   # hash key missing
    {"p": {"S": "a"}, "c": {"S": "a"}, "x": {"S": "a"}},  # extra attribute
    {"p": {"S": "a"}, "d": {"S": "a"}},                  # wrong name
    {"p": {"N": "1"}, "c": {"S": "a"}},                  # wrong hash type
    {"p": {"S": "a"}, "c": {"B": b"a"}},                 # wrong range type
    {"p": {"S": "a"}, "c": {"SS": ["a"]}},               # set type
])
@pytest.mark.parametrize("op", ["get", "delete"])
def test_key_does_not_match_schema(ddb, table_ss, key, op):
    with raises("ValidationException", NO_MATCH):
        if op == "get":
            ddb.get_item(TableName=table_ss, Key=key)
        else:
            ddb.delete_item(TableName=table_ss, Key=key)


@pytest.mark.parametrize("value", [{"BOOL": False}, {"NULL": True}, {"L": [{"S": "hi"}]}, {"M": {"hi": {"N": "3"}}},
                                   {"NS": ["1", "2"]}, {"BS": [b"hi"]}, {"SS": ["hi"]}, {"N": "3"}, {"B": b"hi"}])
def test_get_key_of_unsupported_type(ddb, table_s, value):
    with raises("ValidationException", NO_MATCH):
        ddb.get_item(TableName=table_s, Key={"p": value})


def test_range_key_on_hash_only_table(ddb, table_s):
    with raises("ValidationException", NO_MATCH):
        ddb.get_item(TableName=table_s, Key={"p": {"S": "pk"}, "sk": {"S": "sk"}})
    with raises("ValidationException", NO_MATCH):
        ddb.delete_item(TableName=table_s, Key={"p": {"S": "pk"}, "sk": {"S": "sk"}})


def test_empty_key_map(ddb_noval, table_s):
    with raises("ValidationException", NO_MATCH):
        ddb_noval.get_item(TableName=table_s, Key={})


def test_put_missing_hash_key(ddb, table_ss):
    with raises("ValidationException", INVALID + "Missing the key p in the item"):
        ddb.put_item(TableName=table_ss, Item={"c": {"S": "a"}, "x": {"S": "a"}})


def test_put_missing_range_key(ddb, table_ss):
    with raises("ValidationException", INVALID + "Missing the key c in the item"):
        ddb.put_item(TableName=table_ss, Item={"p": {"S": "a"}})


@pytest.mark.parametrize("value,actual", [({"N": "1"}, "N"), ({"B": b"abcd"}, "B"), ({"SS": ["a"]}, "SS"),
                                          ({"NS": ["1"]}, "NS"), ({"BS": [b"a"]}, "BS"), ({"BOOL": True}, "BOOL"),
                                          ({"NULL": True}, "NULL"), ({"L": []}, "L"), ({"M": {}}, "M")])
def test_put_key_type_mismatch(ddb, table_s, value, actual):
    with raises("ValidationException", INVALID + f"Type mismatch for key p expected: S actual: {actual}"):
        ddb.put_item(TableName=table_s, Item={"p": value})


def test_put_range_key_type_mismatch(ddb, table_sn):
    with raises("ValidationException", INVALID + "Type mismatch for key c expected: N actual: S"):
        ddb.put_item(TableName=table_sn, Item={"p": {"S": "a"}, "c": {"S": "should be a number"}})


# ---- empty key values ---------------------------------------------------------------------------

EMPTY_S = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {}"
EMPTY_B = "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: {}"


def test_empty_string_keys(ddb, table_s, table_ss):
    with raises("ValidationException", EMPTY_S.format("p")):
        ddb.put_item(TableName=table_s, Item={"p": {"S": ""}, "v": {"S": "something"}})
    with raises("ValidationException", EMPTY_S.format("c")):
        ddb.put_item(TableName=table_ss, Item={"p": {"S": "abc"}, "c": {"S": ""}})
    with raises("ValidationException", EMPTY_S.format("p")):
        ddb.get_item(TableName=table_s, Key={"p": {"S": ""}})
    with raises("ValidationException", EMPTY_S.format("p")):
        ddb.delete_item(TableName=table_s, Key={"p": {"S": ""}})


def test_empty_binary_keys(ddb, table_b, table_sb):
    with raises("ValidationException", EMPTY_B.format("p")):
        ddb.put_item(TableName=table_b, Item={"p": {"B": b""}})
    with raises("ValidationException", EMPTY_B.format("c")):
        ddb.put_item(TableName=table_sb, Item={"p": {"S": "abc"}, "c": {"B": b""}})
    with raises("ValidationException", EMPTY_B.format("p")):
        ddb.get_item(TableName=table_b, Key={"p": {"B": b""}})
    with raises("ValidationException", EMPTY_B.format("p")):
        ddb.delete_item(TableName=table_b, Key={"p": {"B": b""}})


# ---- attribute value shape ------------------------------------------------------------------------


def test_empty_attribute_value(ddb_noval, table_s):
    with raises("ValidationException", "Supplied AttributeValue is empty, must contain exactly one of the supported "
                "datatypes", envelope=True):
        ddb_noval.put_item(TableName=table_s, Item={"p": {"S": uniq()}, "a": {}})


def test_two_types_in_one_value(ddb_noval, table_s):
    with raises("ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly "
                "one of the supported datatypes", envelope=True):
        ddb_noval.put_item(TableName=table_s, Item={"p": {"S": uniq()}, "a": {"S": "a", "N": "1"}})


def test_two_types_in_key(ddb_noval, table_s):
    with raises("ValidationException", "Supplied AttributeValue has more than one datatypes set, must contain exactly "
                "one of the supported datatypes"):
        ddb_noval.get_item(TableName=table_s, Key={"p": {"S": "a", "N": "1"}})


# ---- attribute names ------------------------------------------------------------------------------

EMPTY_NAME = "Empty attribute name"
LONG_NAME = "Attribute name is too large, must be less than 65536 bytes"


def check_name_error(ei, message):
    err = ei.value.response["Error"]
    assert err["Code"] == "ValidationException"
    if du.is_real_aws():  # AWS's wording is not recorded: its gist
        assert ("mpty" in err["Message"]) if message == EMPTY_NAME else re.search("6553[56]", err["Message"])
    else:
        assert err["Message"] == message


def name_cases(table, name):
    k = {"p": {"S": "k"}}
    return {
        "item": ("put_item", dict(TableName=table, Item={"p": {"S": "k"}, name: {"S": "x"}})),
        "item_missing_table": ("put_item", dict(TableName="compat_no_such_table", Item={"p": {"S": "k"}, name: {"N": "1"}})),
        "key": ("get_item", dict(TableName=table, Key={"p": {"S": "k"}, name: {"S": "x"}})),
        "attributes_to_get": ("get_item", dict(TableName=table, Key=k, AttributesToGet=["a", name])),
        "attribute_updates": ("update_item", dict(TableName=table, Key=k, AttributeUpdates={name: {"Value": {"S": "x"}}})),
        "expected": ("put_item", dict(TableName=table, Item=k, Expected={name: {"Exists": False}})),
        "scan_filter": ("scan", dict(TableName=table, ScanFilter={name: {"ComparisonOperator": "NULL"}})),
        "key_conditions": ("query", dict(TableName=table, KeyConditions={
            name: {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "k"}]}})),
    }


@pytest.mark.parametrize("case", ["item", "item_missing_table", "key", "attributes_to_get", "attribute_updates",
                                  "expected", "scan_filter", "key_conditions"])
def test_empty_attribute_name(ddb_noval, table_s, case):
    op, kw = name_cases(table_s, "")[case]
    with pytest.raises(ClientError) as ei:
        getattr(ddb_noval, op)(**kw)
    check_name_error(ei, EMPTY_NAME)


@pytest.mark.parametrize("case", ["item", "attributes_to_get", "attribute_updates", "expected"])
def test_attribute_name_over_65535_bytes(ddb_noval, table_s, case):
    op, kw = name_cases(table_s, "é" * 32768)[case]  # 65536 bytes of UTF-8
    with pytest.raises(ClientError) as ei:
        getattr(ddb_noval, op)(**kw)
    check_name_error(ei, LONG_NAME)


def test_attribute_name_of_65535_bytes(ddb, table_s):
    p, name = uniq(), "a" + "é" * 32767
    ddb.put_item(TableName=table_s, Item={"p": {"S": p}, name: {"N": "1"}})
    ddb.update_item(TableName=table_s, Key={"p": {"S": p}}, UpdateExpression="SET #n = #n + :one",
                    ExpressionAttributeNames={"#n": name}, ExpressionAttributeValues={":one": {"N": "1"}})
    assert ddb.get_item(TableName=table_s, Key={"p": {"S": p}}, AttributesToGet=[name],
                        ConsistentRead=True)["Item"] == {name: {"N": "2"}}


def test_expression_attribute_name_over_65535_bytes(ddb_noval, table_s):
    with pytest.raises(ClientError) as ei:
        ddb_noval.get_item(TableName=table_s, Key={"p": {"S": "k"}}, ProjectionExpression="#n",
                           ExpressionAttributeNames={"#n": "a" * 65536})
    check_name_error(ei, "ExpressionAttributeNames contains invalid value: " + LONG_NAME + " for key #n")


@pytest.mark.dynarock_only
def test_empty_name_inside_a_map_is_stored(ddb, table_s):
    # AWS's rule for names inside a map value is not recorded: dynarock checks top-level names only
    p = uniq()
    ddb.put_item(TableName=table_s, Item={"p": {"S": p}, "m": {"M": {"": {"S": "x"}}}})
    assert ddb.get_item(TableName=table_s, Key={"p": {"S": p}}, ConsistentRead=True)["Item"]["m"] == \
        {"M": {"": {"S": "x"}}}


# ---- item size ---------------------------------------------------------------------------------


def test_item_of_exactly_400kb(ddb, table_s):
    item = du.sized_item({"p": {"S": uniq()}}, MAX_ITEM)
    ddb.put_item(TableName=table_s, Item=item)
    assert ddb.get_item(TableName=table_s, Key={"p": item["p"]}, ConsistentRead=True)["Item"] == item


def test_item_one_byte_over_400kb(ddb, table_s):
    item = du.sized_item({"p": {"S": uniq()}}, MAX_ITEM + 1)
    with raises("ValidationException", "Item size has exceeded the maximum allowed size", envelope=True):
        ddb.put_item(TableName=table_s, Item=item)
    assert "Item" not in ddb.get_item(TableName=table_s, Key={"p": item["p"]}, ConsistentRead=True)


def test_item_size_counts_names(ddb, table_s):
    # Same total as above, but most of it in an attribute name.
    base = {"p": {"S": uniq()}, "n" * 60000: {"S": "v"}}
    ok = du.sized_item(base, MAX_ITEM)
    ddb.put_item(TableName=table_s, Item=ok)
    with raises("ValidationException", "Item size has exceeded the maximum allowed size", envelope=True):
        ddb.put_item(TableName=table_s, Item=du.sized_item(dict(base, p={"S": uniq()}), MAX_ITEM + 1))


def test_item_size_counts_utf8_bytes(ddb, table_s):
    base = {"p": {"S": uniq()}, "u": {"S": "\u20ac" * 100000}}  # 300,000 bytes of UTF-8
    ddb.put_item(TableName=table_s, Item=du.sized_item(base, MAX_ITEM))
    with raises("ValidationException", "Item size has exceeded the maximum allowed size", envelope=True):
        ddb.put_item(TableName=table_s, Item=du.sized_item(dict(base, p={"S": uniq()}), MAX_ITEM + 1))


def test_item_size_counts_binary_bytes(ddb, table_s):
    k = {"p": {"S": uniq()}}
    room = MAX_ITEM - du.item_size(k) - 1  # attribute name 'b'
    ddb.put_item(TableName=table_s, Item=dict(k, b={"B": b"\xff" * room}))
    got = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)["Item"]
    assert got["b"]["B"] == b"\xff" * room
    with raises("ValidationException", "Item size has exceeded the maximum allowed size", envelope=True):
        ddb.put_item(TableName=table_s, Item=dict(k, b={"B": b"\xff" * (room + 1)}))


# ---- key sizes ---------------------------------------------------------------------------------

HASH_TOO_BIG = INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_TOO_BIG = INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"


def test_hash_key_2048_bytes(ddb, table_s):
    k = {"p": {"S": (uniq() + "x" * 2048)[:2048]}}
    ddb.put_item(TableName=table_s, Item=k)
    assert ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)["Item"] == k
    with raises("ValidationException", HASH_TOO_BIG):
        ddb.put_item(TableName=table_s, Item={"p": {"S": k["p"]["S"] + "y"}})


def test_hash_key_size_is_utf8_bytes(ddb, table_s):
    emoji = "\U0001F603"  # 4 bytes
    ok = emoji * 511 + uniq()[:4]
    assert len(ok.encode()) == 2048
    ddb.put_item(TableName=table_s, Item={"p": {"S": ok}})
    with raises("ValidationException", HASH_TOO_BIG):
        ddb.put_item(TableName=table_s, Item={"p": {"S": "x" + emoji * 512}})


def test_binary_hash_key_2048_bytes(ddb, table_b):
    ok = uniq().encode() + b"\x00" * 2048
    ok = ok[:2048]
    ddb.put_item(TableName=table_b, Item={"p": {"B": ok}})
    assert ddb.get_item(TableName=table_b, Key={"p": {"B": ok}}, ConsistentRead=True)["Item"] == {"p": {"B": ok}}
    with raises("ValidationException", HASH_TOO_BIG):
        ddb.put_item(TableName=table_b, Item={"p": {"B": ok + b"\x01"}})


def test_range_key_1024_bytes(ddb, table_ss):
    c = (uniq() + "x" * 1024)[:1024]
    k = {"p": {"S": "r"}, "c": {"S": c}}
    ddb.put_item(TableName=table_ss, Item=k)
    assert ddb.get_item(TableName=table_ss, Key=k, ConsistentRead=True)["Item"] == k
    with raises("ValidationException", RANGE_TOO_BIG):
        ddb.put_item(TableName=table_ss, Item={"p": {"S": "r"}, "c": {"S": c + "y"}})


def test_binary_range_key_1025_bytes(ddb, table_sb):
    with raises("ValidationException", RANGE_TOO_BIG):
        ddb.put_item(TableName=table_sb, Item={"p": {"S": "r"}, "c": {"B": b"\x00" * 1025}})


def test_hash_key_may_be_longer_than_1024(ddb, table_ss):
    k = {"p": {"S": (uniq() + "h" * 2000)[:2000]}, "c": {"S": "c"}}
    ddb.put_item(TableName=table_ss, Item=k)
    assert ddb.get_item(TableName=table_ss, Key=k, ConsistentRead=True)["Item"] == k


# ---- nesting -----------------------------------------------------------------------------------

NEST = r"(?i)nest(?:ing|ed) levels.*supported limit.*"


def deep_map(depth):
    v = {"S": "leaf"}
    for _ in range(depth):
        v = {"M": {"n": v}}
    return v


def deep_list(depth):
    v = {"S": "leaf"}
    for _ in range(depth):
        v = {"L": [v]}
    return v


def test_nesting_32_levels_accepted(ddb, table_s):
    k = {"p": {"S": uniq()}}
    ddb.put_item(TableName=table_s, Item=dict(k, data=deep_map(31)))
    got = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)["Item"]
    assert got["data"] == deep_map(31)


def test_nesting_33_levels_rejected(ddb, table_s):
    with raises("ValidationException", pattern=NEST):
        ddb.put_item(TableName=table_s, Item={"p": {"S": uniq()}, "data": deep_map(32)})


def test_nesting_lists(ddb, table_s):
    k = {"p": {"S": uniq()}}
    ddb.put_item(TableName=table_s, Item=dict(k, data=deep_list(31)))
    assert ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)["Item"]["data"] == deep_list(31)
    with raises("ValidationException", pattern=NEST):
        ddb.put_item(TableName=table_s, Item={"p": {"S": uniq()}, "data": deep_list(32)})


def test_very_deep_json_does_not_crash(raw, table_s, ddb):
    # scylladb test_manual_requests.py::test_deeply_nested_put: any error is fine, a crash is not.
    deep = '{"M": {"a": ' * 5000 + '{"S": "x"}' + "}}" * 5000
    body = '{"TableName": "%s", "Item": {"p": {"S": "deep"}, "a": %s}}' % (table_s, deep)
    r = raw.call("PutItem", body)
    assert r.status == 400
    assert r.error_code in ("ValidationException", "SerializationException")
    assert ddb.list_tables(Limit=1)  # still alive
