"""GetItem with the legacy AttributesToGet parameter.

Facts — scylladb test/alternator/test_projection_expression.py and test_item.py (AWS): AttributesToGet
selects top-level attributes only; names are taken literally (a dot is part of the name, reserved words
are fine, nothing is parsed); key attributes come back only when listed; an existing item with none of
them comes back as an empty Item; a missing item gives no Item at all.

Messages:
- 'One or more parameter values were invalid: Duplicate value in attribute name: a' — architect/dynalite
  test/scan.js (checked with envelope=True).
- '1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must
  have length greater than or equal to 1' — AWS's request-shape wording (min 1 in the service model);
  asserted as a pattern on the stable parts.
- 'Can not use both expression and non-expression parameters in the same request: Non-expression
  parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}' — scylladb comment (AWS).
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"


def uniq():
    return du.unique_name("k")


def key():
    return {"p": {"S": uniq()}}


def get_attrs(ddb, table, k, attrs):
    r = ddb.get_item(TableName=table, Key=k, ConsistentRead=True, AttributesToGet=attrs)
    r.pop("ResponseMetadata", None)
    return r


S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": x}  # noqa: E731


@pytest.fixture
def item(ddb, table_s):
    it = dict(key(), a=S("hello"), b=S("hi"), m={"M": {"x": N("1")}},
              **{"a.b": S("dot"), "status": S("on"), "sp ace": S("s"), "#h": S("hash"), "x[0]": S("idx")})
    ddb.put_item(TableName=table_s, Item=it)
    return it


@pytest.mark.parametrize("attrs,names", [
    (["a"], ["a"]),
    (["a", "b"], ["a", "b"]),
    (["b", "a", "m"], ["a", "b", "m"]),
    (["p"], ["p"]),
    (["a.b"], ["a.b"]),             # a literal name with a dot, not a path
    (["status"], ["status"]),       # reserved words are fine here
    (["sp ace", "#h", "x[0]"], ["sp ace", "#h", "x[0]"]),
    (["m"], ["m"]),
    (["nope"], []),
    (["nope", "b"], ["b"]),
])
def test_select(ddb, table_s, item, attrs, names):
    assert get_attrs(ddb, table_s, {"p": item["p"]}, attrs) == {"Item": {n: item[n] for n in names}}


def test_not_a_path(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, m={"M": {"x": N("1")}}, l={"L": [N("1")]}))
    assert get_attrs(ddb, table_s, k, ["m.x", "l[0]"]) == {"Item": {}}


def test_key_attributes_on_hash_range_table(ddb, table_sn):
    k = {"p": {"S": uniq()}, "c": N("3")}
    ddb.put_item(TableName=table_sn, Item=dict(k, a=S("x")))
    assert get_attrs(ddb, table_sn, k, ["c"]) == {"Item": {"c": N("3")}}
    assert get_attrs(ddb, table_sn, k, ["a"]) == {"Item": {"a": S("x")}}
    assert get_attrs(ddb, table_sn, k, ["p", "c", "a"]) == {"Item": dict(k, a=S("x"))}


def test_missing_item(ddb, table_s):
    assert get_attrs(ddb, table_s, key(), ["a"]) == {}


def test_duplicate_name(ddb, table_s):
    with raises(VE, "One or more parameter values were invalid: Duplicate value in attribute name: a", envelope=True):
        get_attrs(ddb, table_s, key(), ["a", "b", "a"])


def test_empty_list(ddb_noval, table_s):
    with raises(VE, pattern=(r"1 validation error detected: Value '\[\]' at 'attributesToGet' failed to satisfy constraint: "
                             r"Member must have length greater than or equal to 1")):
        ddb_noval.get_item(TableName=table_s, Key=key(), AttributesToGet=[])


def test_with_projection_expression(ddb, table_s):
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                    "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}", envelope=True):
        ddb.get_item(TableName=table_s, Key=key(), AttributesToGet=["a"], ProjectionExpression="a")
