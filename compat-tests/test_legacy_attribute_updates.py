"""The legacy AttributeUpdates parameter of UpdateItem: PUT (the default action), ADD and DELETE,
ReturnValues, and their validation.

Facts — architect/dynalite test/updateItem.js: Action defaults to PUT; ADD adds numbers, merges sets
(dropping duplicates) and appends lists; ADD and DELETE on a missing item/attribute behave as on an
empty one (DELETE of a set from a missing attribute and DELETE without a value do nothing, ADD creates);
DELETE without a value removes the attribute; DELETE with a set removes those elements and the attribute
when it empties; UPDATED_OLD / UPDATED_NEW return the touched top-level attributes.
scylladb test/alternator/test_item.py and test_returnvalues.py (AWS): an empty AttributeUpdates creates a
key-only item; with ALL_NEW it returns the item, with UPDATED_NEW nothing; ADD works on lists here
(unlike UpdateExpression's ADD).

Messages (checked with envelope=True):
- 'One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is
  specified', '... DELETE action with value is not supported for the type N', '... ADD action is not
  supported for the type S', 'Type mismatch for attribute to update' — architect/dynalite updateItem.js.
- '... Cannot update attribute p. This attribute is part of the key' — dynalite, moto.
- '... An string set  may not be empty' (two spaces) — moto test_put_item_empty_set (aws_verified).
- enum: '1 validation error detected: Value 'MERGE' at 'attributeUpdates.a.member.action' failed to
  satisfy constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]' — the member path follows
  AWS's map-member form; the value order is not pinned down, so it is a pattern.
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
INVALID = "One or more parameter values were invalid: "


def uniq():
    return du.unique_name("k")


def key():
    return {"p": {"S": uniq()}}


def get(ddb, table, k):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


def norm_value(v):
    (t, x), = v.items()
    if t in ("SS", "NS", "BS"):
        return {t: sorted(x)}
    if t == "L":
        return {"L": [norm_value(e) for e in x]}
    if t == "M":
        return {"M": {k: norm_value(e) for k, e in x.items()}}
    return v


def norm(item):
    return None if item is None else {k: norm_value(v) for k, v in item.items()}


def upd(ddb, table, k, updates, rv=None):
    kw = {"AttributeUpdates": updates}
    if rv:
        kw["ReturnValues"] = rv
    r = ddb.update_item(TableName=table, Key=k, **kw)
    r.pop("ResponseMetadata", None)
    return r


def invalid(message=None, pattern=None):
    return raises(VE, message, pattern, envelope=True)


N = lambda x: {"N": x}  # noqa: E731
S = lambda x: {"S": x}  # noqa: E731
L = lambda *x: {"L": list(x)}  # noqa: E731


def test_put_is_the_default_action(ddb, table_s):
    k = key()
    assert upd(ddb, table_s, k, {"a": {"Value": S("x")}, "b": {"Value": N("1"), "Action": "PUT"}}) == {}
    assert get(ddb, table_s, k) == dict(k, a=S("x"), b=N("1"))
    upd(ddb, table_s, k, {"a": {"Value": L(S("y"), {"M": {"z": {"NULL": True}}})}})
    assert get(ddb, table_s, k) == dict(k, a=L(S("y"), {"M": {"z": {"NULL": True}}}), b=N("1"))


def test_put_every_type(ddb, table_s):
    k = key()
    values = {"s": S(""), "n": N("-0.5"), "b": {"B": b"\x00"}, "t": {"BOOL": True}, "z": {"NULL": True}, "l": L(),
              "m": {"M": {}}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1"]}, "bs": {"BS": [b"\x01"]}}
    upd(ddb, table_s, k, {name: {"Value": v, "Action": "PUT"} for name, v in values.items()})
    assert norm(get(ddb, table_s, k)) == norm(dict(k, **values))


def test_empty_updates_create_key_only_item(ddb, table_s):
    k = key()
    assert upd(ddb, table_s, k, {}, rv="UPDATED_NEW") == {}
    assert get(ddb, table_s, k) == k
    assert upd(ddb, table_s, k, {}, rv="ALL_NEW") == {"Attributes": k}
    assert upd(ddb, table_s, k, {}, rv="UPDATED_OLD") == {}


def test_add_number(ddb, table_s):
    k = key()
    upd(ddb, table_s, k, {"a": {"Value": N("1")}})
    assert upd(ddb, table_s, k, {"a": {"Action": "ADD", "Value": N("3")}}, rv="UPDATED_NEW") == {"Attributes": {"a": N("4")}}
    assert upd(ddb, table_s, k, {"b": {"Action": "ADD", "Value": N("-2.5")}}, rv="UPDATED_NEW") == {"Attributes": {"b": N("-2.5")}}
    assert get(ddb, table_s, k) == dict(k, a=N("4"), b=N("-2.5"))


def test_add_sets_drop_duplicates(ddb, table_s):
    k = key()
    upd(ddb, table_s, k, {"s": {"Value": {"SS": ["a", "b"]}}, "n": {"Value": {"NS": ["1", "2"]}},
                          "b": {"Value": {"BS": [b"\x01\x02", b"\x02"]}}})
    r = upd(ddb, table_s, k, {"s": {"Action": "ADD", "Value": {"SS": ["b", "c", "d"]}},
                              "n": {"Action": "ADD", "Value": {"NS": ["2", "3", "4"]}},
                              "b": {"Action": "ADD", "Value": {"BS": [b"\x02", b"\x01"]}}}, rv="UPDATED_NEW")
    want = {"s": {"SS": ["a", "b", "c", "d"]}, "n": {"NS": ["1", "2", "3", "4"]}, "b": {"BS": [b"\x01", b"\x01\x02", b"\x02"]}}
    assert norm(r["Attributes"]) == norm(want)
    assert norm(get(ddb, table_s, k)) == norm(dict(k, **want))


def test_add_list_appends(ddb, table_s):
    k = key()
    upd(ddb, table_s, k, {"l": {"Value": L(S("a"), N("1"))}})
    assert upd(ddb, table_s, k, {"l": {"Action": "ADD", "Value": L(S("b"), N("2"))}}, rv="UPDATED_NEW") == \
        {"Attributes": {"l": L(S("a"), N("1"), S("b"), N("2"))}}


def test_actions_on_missing_item(ddb, table_s):
    k = key()
    r = upd(ddb, table_s, k, {
        "b": {"Action": "DELETE"},
        "c": {"Action": "DELETE", "Value": {"SS": ["a", "b"]}},
        "d": {"Action": "ADD", "Value": N("5")},
        "e": {"Action": "ADD", "Value": {"SS": ["a", "b"]}},
        "f": {"Action": "ADD", "Value": L(S("a"), N("1"))},
    }, rv="UPDATED_NEW")
    want = {"d": N("5"), "e": {"SS": ["a", "b"]}, "f": L(S("a"), N("1"))}
    assert norm(r["Attributes"]) == norm(want)
    assert norm(get(ddb, table_s, k)) == norm(dict(k, **want))


def test_delete_attribute(ddb, table_s):
    k = key()
    upd(ddb, table_s, k, {"b": {"Value": S("a")}, "c": {"Value": S("a")}})
    assert upd(ddb, table_s, k, {"b": {"Action": "DELETE"}, "c": {"Value": S("a")}}, rv="UPDATED_NEW") == {"Attributes": {"c": S("a")}}
    assert get(ddb, table_s, k) == dict(k, c=S("a"))


def test_delete_from_set(ddb, table_s):
    k = key()
    upd(ddb, table_s, k, {"b": {"Value": {"NS": ["1", "2", "3"]}}, "c": {"Value": S("a")}})
    r = upd(ddb, table_s, k, {"b": {"Action": "DELETE", "Value": {"NS": ["1", "4"]}}}, rv="UPDATED_NEW")
    assert norm(r["Attributes"]) == {"b": {"NS": ["2", "3"]}}
    r = upd(ddb, table_s, k, {"b": {"Action": "DELETE", "Value": {"NS": ["2", "3"]}}, "c": {"Value": S("a")}}, rv="UPDATED_NEW")
    assert r == {"Attributes": {"c": S("a")}}      # the emptied set is gone
    assert get(ddb, table_s, k) == dict(k, c=S("a"))


def test_return_values(ddb, table_s):
    k = key()
    upd(ddb, table_s, k, {"b": {"Value": {"M": {"a": S("a"), "b": L()}}}, "c": {"Value": N("1")}})
    assert upd(ddb, table_s, k, {"b": {"Value": {"M": {"a": S("b"), "b": L()}}}, "c": {"Action": "ADD", "Value": N("1")}},
               rv="UPDATED_OLD") == {"Attributes": {"b": {"M": {"a": S("a"), "b": L()}}, "c": N("1")}}
    assert upd(ddb, table_s, k, {"b": {"Value": S("x")}}, rv="ALL_OLD") == \
        {"Attributes": dict(k, b={"M": {"a": S("b"), "b": L()}}, c=N("2"))}
    assert upd(ddb, table_s, k, {"b": {"Value": S("y")}}, rv="ALL_NEW") == {"Attributes": dict(k, b=S("y"), c=N("2"))}
    assert upd(ddb, table_s, k, {"d": {"Value": S("new")}}, rv="UPDATED_OLD") == {}
    assert upd(ddb, table_s, key(), {"a": {"Value": S("x")}}, rv="ALL_OLD") == {}


# ---- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("update", [{"Action": "PUT"}, {"Action": "ADD"}, {}])
def test_value_required_except_for_delete(ddb, table_s, update):
    k = key()
    with invalid(INVALID + "Only DELETE action is allowed when no attribute value is specified"):
        upd(ddb, table_s, k, {"a": update})
    assert get(ddb, table_s, k) is None


@pytest.mark.parametrize("value", [S("1"), N("1"), {"B": b"b"}, {"NULL": True}, {"BOOL": True}, {"M": {}}, L()])
def test_delete_value_must_be_a_set(ddb, table_s, value):
    t = next(iter(value))
    with invalid(INVALID + f"DELETE action with value is not supported for the type {t}"):
        upd(ddb, table_s, key(), {"a": {"Action": "DELETE", "Value": value}})


@pytest.mark.parametrize("value", [S("1"), {"B": b"b"}, {"NULL": True}, {"BOOL": True}, {"M": {}}])
def test_add_value_type(ddb, table_s, value):
    t = next(iter(value))
    with invalid(INVALID + f"ADD action is not supported for the type {t}"):
        upd(ddb, table_s, key(), {"a": {"Action": "ADD", "Value": value}})


@pytest.mark.parametrize("stored,update", [
    ({"SS": ["1"]}, {"Action": "DELETE", "Value": {"NS": ["1"]}}),
    ({"SS": ["1"]}, {"Action": "DELETE", "Value": {"BS": [b"a"]}}),
    (N("1"), {"Action": "DELETE", "Value": {"NS": ["1"]}}),
    ({"SS": ["1"]}, {"Action": "ADD", "Value": {"NS": ["1"]}}),
    ({"NS": ["1"]}, {"Action": "ADD", "Value": N("1")}),
])
def test_type_mismatch(ddb, table_s, stored, update):
    k = key()
    upd(ddb, table_s, k, {"a": {"Value": stored}})
    with invalid("Type mismatch for attribute to update"):
        upd(ddb, table_s, k, {"a": update})
    assert get(ddb, table_s, k) == dict(k, a=stored)


@pytest.mark.parametrize("update", [{"Value": S("x")}, {"Action": "DELETE"}, {"Action": "ADD", "Value": N("1")}])
def test_key_attribute(ddb, table_s, update):
    k = key()
    with invalid(INVALID + "Cannot update attribute p. This attribute is part of the key"):
        upd(ddb, table_s, k, {"p": update})
    assert get(ddb, table_s, k) is None


def test_range_key_attribute(ddb, table_ss):
    k = {"p": {"S": uniq()}, "c": S("x")}
    with invalid(INVALID + "Cannot update attribute c. This attribute is part of the key"):
        upd(ddb, table_ss, k, {"d": {"Value": N("1")}, "c": {"Value": S("y")}})


def test_empty_set_value(ddb, table_s):
    with invalid(INVALID + "An string set  may not be empty"):
        upd(ddb, table_s, key(), {"a": {"Value": {"SS": []}}})


def test_bad_action(ddb_noval, table_s):
    with invalid(pattern=r"1 validation error detected: Value 'MERGE' at 'attributeUpdates\.a\.member\.action' failed to "
                         r"satisfy constraint: Member must satisfy enum value set: \[[A-Z, ]+\]"):
        ddb_noval.update_item(TableName=table_s, Key=key(), AttributeUpdates={"a": {"Action": "MERGE", "Value": S("x")}})
