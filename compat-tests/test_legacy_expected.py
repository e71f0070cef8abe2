"""The legacy Expected parameter (with ConditionalOperator) on PutItem, DeleteItem and UpdateItem:
every ComparisonOperator, the Value / Exists forms, and their validation.

Facts — scylladb test/alternator/test_expected.py (runs against AWS): Value alone means EQ; Exists=false
means "attribute absent"; Exists=true only makes sense with a Value (alone it is an error); EQ on a
different type is false, NE on a different type or a missing attribute is true; LT/LE/GT/GE work on S, N
and B and are false across types; CONTAINS / NOT_CONTAINS test substrings of S and B and membership in
sets and lists, and NOT_CONTAINS on a missing attribute is *false*; BEGINS_WITH on a number attribute is
false but with a number operand is an error; IN tests whether the attribute equals one of the listed
scalars (a set attribute is never IN), the list must be one type and not empty; BETWEEN is inclusive and
needs two ordered values of one type; NULL / NOT_NULL take no values; ConditionalOperator defaults to AND
and may be OR; an empty Expected is no condition. architect/dynalite test/putItem.js: the same on
PutItem, Exists=false on a new item succeeds.

Messages (checked with envelope=True; see test_expression_validation.py):
- 'The conditional request failed' — ExtendDB test_conditional_writes.py (AWS).
- 'One or more parameter values were invalid: Value must be provided when Exists is null for Attribute:
  a', '... when Exists is true ...', 'Value cannot be used when Exists is false for Attribute: a', 'Value
  or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a', 'Exists and
  ComparisonOperator cannot be used together for Attribute: a', 'Value and AttributeValueList cannot be
  used together for Attribute: a', 'AttributeValueList can only be used with a ComparisonOperator for
  Attribute: a', 'Invalid number of argument(s) for the EQ ComparisonOperator', 'ComparisonOperator LT
  is not valid for SS AttributeValue type', 'AttributeValues inside AttributeValueList must be of same
  type', and 'The BETWEEN condition was provided a range where the lower bound is greater than the upper
  bound' (no prefix) — architect/dynalite test/putItem.js, deleteItem.js, scan.js.
- 'ConditionalOperator cannot be used without Filter or Expected' and 'ConditionalOperator can only be
  used when Filter or Expected has two or more elements' — ExtendDB tests/test_conditional_operator.py
  (run against AWS); scylladb (AWS) confirms a ValidationException naming ConditionalOperator.
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
CCF = "The conditional request failed"
INVALID = "One or more parameter values were invalid: "


def uniq():
    return du.unique_name("k")


def key():
    return {"p": {"S": uniq()}}


def get(ddb, table, k):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


def invalid(message=None, pattern=None):
    return raises(VE, message, pattern, envelope=True)


N = lambda x: {"N": x}  # noqa: E731
S = lambda x: {"S": x}  # noqa: E731
B = lambda x: {"B": x}  # noqa: E731

ITEM = {
    "n": N("3"),
    "s": S("hello"),
    "b": B(b"hi there"),
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["2", "4", "7"]},
    "l": {"L": [N("2"), N("4"), S("x")]},
    "t": {"BOOL": True},
}


@pytest.fixture
def item(ddb, table_s):
    it = dict(key(), **ITEM)
    ddb.put_item(TableName=table_s, Item=it)
    return it


def check(ddb, table, item, expected, expect, op=None):
    """Rewrite `item` onto itself under `expected`: True must succeed, False must fail."""
    kw = {"Expected": expected}
    if op:
        kw["ConditionalOperator"] = op
    if expect:
        r = ddb.put_item(TableName=table, Item=item, **kw)
        r.pop("ResponseMetadata", None)
        assert r == {}
    else:
        with raises("ConditionalCheckFailedException", CCF):
            ddb.put_item(TableName=table, Item=item, **kw)
    assert get(ddb, table, {"p": item["p"]}) == item


def cmp(op, *values):
    return {"ComparisonOperator": op, "AttributeValueList": list(values)}


CASES = [
    # EQ / NE
    ("n", cmp("EQ", N("3")), True),
    ("n", cmp("EQ", N("3.0")), True),
    ("n", cmp("EQ", N("4")), False),
    ("n", cmp("EQ", S("3")), False),
    ("ss", cmp("EQ", {"SS": ["b", "a"]}), True),
    ("l", cmp("EQ", {"L": [N("2"), N("4"), S("x")]}), True),
    ("q", cmp("EQ", N("3")), False),
    ("n", cmp("NE", N("4")), True),
    ("n", cmp("NE", N("3")), False),
    ("n", cmp("NE", S("3")), True),
    ("q", cmp("NE", N("3")), True),
    # LT LE GT GE
    ("n", cmp("LT", N("4")), True),
    ("n", cmp("LT", N("3")), False),
    ("n", cmp("LE", N("3")), True),
    ("n", cmp("GT", N("-1")), True),
    ("n", cmp("GE", N("3")), True),
    ("n", cmp("GE", N("10")), False),
    ("s", cmp("LT", S("help")), True),
    ("s", cmp("GT", S("Hello")), True),
    ("b", cmp("GE", B(b"hi")), True),
    ("b", cmp("LT", B(b"aardvark")), False),
    ("n", cmp("LT", S("4")), False),
    ("q", cmp("LT", N("4")), False),
    # NULL / NOT_NULL
    ("q", {"ComparisonOperator": "NULL"}, True),
    ("n", {"ComparisonOperator": "NULL"}, False),
    ("n", {"ComparisonOperator": "NOT_NULL"}, True),
    ("q", {"ComparisonOperator": "NOT_NULL"}, False),
    # CONTAINS / NOT_CONTAINS
    ("s", cmp("CONTAINS", S("ell")), True),
    ("s", cmp("CONTAINS", S("dog")), False),
    ("b", cmp("CONTAINS", B(b"here")), True),
    ("ss", cmp("CONTAINS", S("a")), True),
    ("ns", cmp("CONTAINS", N("4")), True),
    ("ns", cmp("CONTAINS", N("1")), False),
    ("l", cmp("CONTAINS", N("4")), True),
    ("l", cmp("CONTAINS", S("x")), True),
    ("q", cmp("CONTAINS", N("1")), False),
    ("s", cmp("NOT_CONTAINS", S("dog")), True),
    ("s", cmp("NOT_CONTAINS", S("ell")), False),
    ("ns", cmp("NOT_CONTAINS", N("1")), True),
    ("ns", cmp("NOT_CONTAINS", N("4")), False),
    ("l", cmp("NOT_CONTAINS", N("1")), True),
    ("q", cmp("NOT_CONTAINS", N("1")), False),       # missing: NOT_CONTAINS is false too
    # BEGINS_WITH
    ("s", cmp("BEGINS_WITH", S("hell")), True),
    ("s", cmp("BEGINS_WITH", S("dog")), False),
    ("b", cmp("BEGINS_WITH", B(b"hi")), True),
    ("n", cmp("BEGINS_WITH", S("3")), False),
    ("q", cmp("BEGINS_WITH", S("h")), False),
    # IN
    ("n", cmp("IN", N("2"), N("3"), N("8")), True),
    ("n", cmp("IN", N("1"), N("2")), False),
    ("s", cmp("IN", S("hello")), True),
    ("ns", cmp("IN", N("2")), False),                # a set attribute is not IN a list of its members
    ("q", cmp("IN", N("3")), False),
    # BETWEEN (inclusive)
    ("n", cmp("BETWEEN", N("1"), N("3")), True),
    ("n", cmp("BETWEEN", N("3"), N("3")), True),
    ("n", cmp("BETWEEN", N("4"), N("9")), False),
    ("s", cmp("BETWEEN", S("aardvark"), S("help")), True),
    ("n", cmp("BETWEEN", S("1"), S("9")), False),
    ("q", cmp("BETWEEN", N("0"), N("100")), False),
    # Value / Exists forms
    ("n", {"Value": N("3")}, True),
    ("n", {"Value": N("4")}, False),
    ("q", {"Value": N("3")}, False),
    ("n", {"Exists": True, "Value": N("3")}, True),
    ("n", {"Exists": True, "Value": N("4")}, False),
    ("q", {"Exists": False}, True),
    ("n", {"Exists": False}, False),
    ("n", {"Value": N("3"), "ComparisonOperator": "EQ"}, True),
    ("n", {"Value": N("4"), "ComparisonOperator": "LT"}, True),
]


@pytest.mark.parametrize("attr,cond,expect", CASES, ids=[f"{a}-{c}-{e}" for a, c, e in CASES])
def test_expected(ddb, table_s, item, attr, cond, expect):
    check(ddb, table_s, item, {attr: cond}, expect)


def test_several_conditions_and_or(ddb, table_s, item):
    good = {"n": {"Value": N("3")}, "s": cmp("BEGINS_WITH", S("he")), "q": {"Exists": False}}
    one_bad = {"n": {"Value": N("3")}, "s": cmp("BEGINS_WITH", S("x")), "q": {"Exists": False}}
    all_bad = {"n": {"Value": N("4")}, "s": cmp("BEGINS_WITH", S("x")), "q": {"Exists": True, "Value": N("1")}}
    check(ddb, table_s, item, good, True)
    check(ddb, table_s, item, good, True, "AND")
    check(ddb, table_s, item, one_bad, False)
    check(ddb, table_s, item, one_bad, False, "AND")
    check(ddb, table_s, item, one_bad, True, "OR")
    check(ddb, table_s, item, all_bad, False, "OR")


def test_empty_expected_is_no_condition(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("1")), Expected={})
    assert get(ddb, table_s, k) == dict(k, a=N("1"))


def test_create_only_put(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("first")), Expected={"p": {"Exists": False}})
    with raises("ConditionalCheckFailedException", CCF):
        ddb.put_item(TableName=table_s, Item=dict(k, a=S("second")), Expected={"p": {"Exists": False}})
    assert get(ddb, table_s, k) == dict(k, a=S("first"))


def test_delete_with_expected(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("1")))
    with raises("ConditionalCheckFailedException", CCF):
        ddb.delete_item(TableName=table_s, Key=k, Expected={"a": {"Value": N("2")}})
    assert get(ddb, table_s, k) == dict(k, a=N("1"))
    ddb.delete_item(TableName=table_s, Key=k, Expected={"a": {"Value": N("1")}})
    assert get(ddb, table_s, k) is None


def test_update_with_expected(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("1")))
    with raises("ConditionalCheckFailedException", CCF):
        ddb.update_item(TableName=table_s, Key=k, AttributeUpdates={"b": {"Value": N("3"), "Action": "PUT"}},
                        Expected={"a": cmp("EQ", N("2"))})
    ddb.update_item(TableName=table_s, Key=k, AttributeUpdates={"a": {"Value": N("2"), "Action": "PUT"}},
                    Expected={"a": cmp("EQ", N("1"))})
    assert get(ddb, table_s, k) == dict(k, a=N("2"))
    # a missing item: conditions on attributes fail, Exists=false succeeds and creates it
    k2 = key()
    with raises("ConditionalCheckFailedException", CCF):
        ddb.update_item(TableName=table_s, Key=k2, AttributeUpdates={"a": {"Value": N("1")}},
                        Expected={"a": {"ComparisonOperator": "NOT_NULL"}})
    ddb.update_item(TableName=table_s, Key=k2, AttributeUpdates={"a": {"Value": N("1")}}, Expected={"a": {"Exists": False}})
    assert get(ddb, table_s, k2) == dict(k2, a=N("1"))


# ---- validation ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("cond,message", [
    ({}, INVALID + "Value must be provided when Exists is null for Attribute: a"),
    ({"Exists": True}, INVALID + "Value must be provided when Exists is true for Attribute: a"),
    ({"Exists": False, "Value": S("x")}, INVALID + "Value cannot be used when Exists is false for Attribute: a"),
    ({"ComparisonOperator": "LT"}, INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"),
    ({"Exists": True, "ComparisonOperator": "LT"}, INVALID + "Exists and ComparisonOperator cannot be used together for Attribute: a"),
    ({"Value": S("x"), "AttributeValueList": [S("x")], "ComparisonOperator": "LT"},
     INVALID + "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"AttributeValueList": [S("x")]}, INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    ({"Exists": True, "AttributeValueList": [S("x")]},
     INVALID + "AttributeValueList can only be used with a ComparisonOperator for Attribute: a"),
    (cmp("EQ"), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    (cmp("EQ", N("1"), N("2")), INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    (cmp("NE", N("1"), N("2")), INVALID + "Invalid number of argument(s) for the NE ComparisonOperator"),
    (cmp("LT", S("a"), S("b")), INVALID + "Invalid number of argument(s) for the LT ComparisonOperator"),
    (cmp("CONTAINS"), INVALID + "Invalid number of argument(s) for the CONTAINS ComparisonOperator"),
    (cmp("BEGINS_WITH", S("a"), S("b")), INVALID + "Invalid number of argument(s) for the BEGINS_WITH ComparisonOperator"),
    (cmp("IN"), INVALID + "Invalid number of argument(s) for the IN ComparisonOperator"),
    (cmp("BETWEEN", N("1")), INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    (cmp("BETWEEN", N("1"), N("10"), N("12")), INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    (cmp("NULL", S("a")), INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"),
    (cmp("NOT_NULL", S("a")), INVALID + "Invalid number of argument(s) for the NOT_NULL ComparisonOperator"),
    ({"Value": S("a"), "ComparisonOperator": "NULL"}, INVALID + "Invalid number of argument(s) for the NULL ComparisonOperator"),
    ({"Value": S("a"), "ComparisonOperator": "BETWEEN"}, INVALID + "Invalid number of argument(s) for the BETWEEN ComparisonOperator"),
    (cmp("LT", {"SS": ["a"]}), INVALID + "ComparisonOperator LT is not valid for SS AttributeValue type"),
    (cmp("GE", {"NS": ["1"]}), INVALID + "ComparisonOperator GE is not valid for NS AttributeValue type"),
    (cmp("LE", {"BS": [b"\x01"]}), INVALID + "ComparisonOperator LE is not valid for BS AttributeValue type"),
    (cmp("CONTAINS", {"SS": ["a"]}), INVALID + "ComparisonOperator CONTAINS is not valid for SS AttributeValue type"),
    (cmp("NOT_CONTAINS", {"NS": ["1"]}), INVALID + "ComparisonOperator NOT_CONTAINS is not valid for NS AttributeValue type"),
    (cmp("BEGINS_WITH", N("1")), INVALID + "ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"),
    (cmp("BEGINS_WITH", {"SS": ["a"]}), INVALID + "ComparisonOperator BEGINS_WITH is not valid for SS AttributeValue type"),
    (cmp("IN", {"SS": ["a"]}), INVALID + "ComparisonOperator IN is not valid for SS AttributeValue type"),
    (cmp("BETWEEN", S("a"), {"SS": ["a"]}), INVALID + "ComparisonOperator BETWEEN is not valid for SS AttributeValue type"),
    (cmp("IN", S("b"), N("1")), INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    (cmp("BETWEEN", N("4"), S("dog")), INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    (cmp("BETWEEN", S("b"), S("a")), "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    (cmp("BETWEEN", N("4"), N("3")), "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
])
def test_invalid_expected(ddb, table_s, cond, message):
    k = key()
    with invalid(message):
        ddb.put_item(TableName=table_s, Item=k, Expected={"a": cond})
    assert get(ddb, table_s, k) is None


def test_invalid_expected_on_delete_and_update(ddb, table_s):
    msg = INVALID + "Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"
    with invalid(msg):
        ddb.delete_item(TableName=table_s, Key=key(), Expected={"a": {"ComparisonOperator": "LT"}})
    with invalid(msg):
        ddb.update_item(TableName=table_s, Key=key(), Expected={"a": {"ComparisonOperator": "LT"}},
                        AttributeUpdates={"b": {"Value": N("1")}})


def test_bad_comparison_operator(ddb_noval, table_s):
    with invalid(pattern=r"1 validation error detected: Value 'SOON' at 'expected\.a\.member\.comparisonOperator' "
                         r"failed to satisfy constraint: Member must satisfy enum value set: \[[A-Z_, ]+\]"):
        ddb_noval.put_item(TableName=table_s, Item=key(), Expected={"a": {"ComparisonOperator": "SOON", "AttributeValueList": [N("1")]}})


def test_conditional_operator_needs_two_conditions(ddb, table_s):
    with invalid("ConditionalOperator cannot be used without Filter or Expected"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionalOperator="AND")
    with invalid("ConditionalOperator cannot be used without Filter or Expected"):
        ddb.update_item(TableName=table_s, Key=key(), AttributeUpdates={"a": {"Value": N("4")}}, Expected={}, ConditionalOperator="OR")
    with invalid("ConditionalOperator cannot be used without Filter or Expected"):
        ddb.delete_item(TableName=table_s, Key=key(), ConditionalOperator="AND")
    with invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionalOperator="AND", Expected={"a": cmp("EQ", S("x"))})


def test_bad_conditional_operator(ddb_noval, table_s):
    with invalid(pattern=r"1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: "
                         r"Member must satisfy enum value set: \[(AND, OR|OR, AND)\]"):
        ddb_noval.put_item(TableName=table_s, Item=key(), ConditionalOperator="XOR",
                           Expected={"a": {"Exists": False}, "b": {"Exists": False}})
