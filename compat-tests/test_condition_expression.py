"""ConditionExpression on PutItem, DeleteItem and UpdateItem: comparators across types, BETWEEN, IN,
AND/OR/NOT precedence, parentheses, every function, create-only writes, optimistic locking and
ReturnValuesOnConditionCheckFailure.

Facts (semantics) — scylladb test/alternator/test_condition_expression.py and test_returnvalues.py (run
against AWS): comparing different types is false, not an error; a missing attribute is never '=' to
anything (not even another missing one) and always '<>'; ordering operators on a missing or
non-orderable *item* attribute are false; binary compares as unsigned bytes; set equality ignores order;
IN takes 99 listed values; BETWEEN is inclusive and its AND binds before the boolean AND; NOT binds
before AND, AND before OR; keywords are case-insensitive, function names are not; contains() works on
strings, binaries, sets and lists; size() of a number/bool/null makes the comparison false; UpdateItem
with only a ConditionExpression creates a key-only item; ReturnValuesOnConditionCheckFailure=ALL_OLD
puts the old item in the error's 'Item' (absent when there was no item, or with NONE).
ExtendDB/extenddb tests/test_expr_operand_type_and_size.py (captured from AWS, us-east-1): a literal of
a non-orderable type in <, <=, >, >=, BETWEEN is a ValidationException even in a branch that is never
evaluated. DynamoDB Developer Guide (Expressions.OperatorsAndFunctions, HowItWorks data types): strings
compare by their UTF-8 bytes.

Messages:
- 'The conditional request failed' — ExtendDB tests/test_conditional_writes.py (asserted against AWS);
  architect/dynalite helpers.
- 'Incorrect operand type for operator or function; operator or function: <op>, operand type: <T>' —
  ExtendDB test_expr_operand_type_and_size.py (AWS); dynalite db/conditionParser.pegjs for the wording.
- 'The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound
  operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}' and '... requires same data
  type for lower and upper bounds; ...' — architect/dynalite test/deleteItem.js; the first also quoted
  from an AWS error in a public project (FilterExpression variant).
- 'The function is not allowed to be used this way in an expression; function: size', '... in a condition
  expression; function: if_not_exists', 'Invalid function name; function: dog', 'Operator or function
  requires a document path; operator or function: attribute_exists', 'Incorrect number of operands for
  operator or function; operator or function: size, number of operands: 2', 'The first operand must be
  distinct from the remaining operands for this operator or function; operator: contains, first operand:
  [a]' — scylladb test_condition_expression.py comments (AWS) for the kinds, dynalite conditionParser for
  the templates, an AWS capture (eu-west-2) in a public emulator for the distinct-operand text.
- 'Invalid attribute type name found; type: DOG, valid types: {...}' — dynalite; the order of the valid
  types differs between sources (Java set order), so only {[A-Z,]+} is asserted.
- IN with too many operands: 'The IN operator is provided with too many operands; number of operands:
  N' — several emulators agree on the text; whether N counts the left operand is not known, so \\d+.
Expression validation errors are checked with envelope=True: an AWS capture (eu-west-2) shows PutItem and
UpdateItem wrapping them in '1 validation error detected: ', older captures (us-east-1, dynalite) do not.
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

CCF = "The conditional request failed"
VE = "ValidationException"


def uniq():
    return du.unique_name("k")


def key():
    return {"p": {"S": uniq()}}


def strip(resp):
    resp = dict(resp)
    resp.pop("ResponseMetadata", None)
    return resp


def get(ddb, table, k):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


def expr_kw(cond=None, values=None, names=None, update=None):
    kw = {}
    if cond is not None:
        kw["ConditionExpression"] = cond
    if update is not None:
        kw["UpdateExpression"] = update
    if values:
        kw["ExpressionAttributeValues"] = values
    if names:
        kw["ExpressionAttributeNames"] = names
    return kw


def cond_failed():
    return raises("ConditionalCheckFailedException", CCF)


def invalid_cond(message=None, pattern=None):
    if message is not None:
        message = "Invalid ConditionExpression: " + message
    if pattern is not None:
        pattern = r"Invalid ConditionExpression: " + pattern
    return raises(VE, message, pattern, envelope=True)


# Every type once; attribute names avoid DynamoDB's reserved words.
TYPED = {
    "n": {"N": "5"},
    "s": {"S": "cat"},
    "b": {"B": b"cat"},
    "u": {"B": b"\x7f"},
    "w": {"S": "\uff61"},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "l": {"L": [{"N": "1"}, {"S": "a"}]},
    "m": {"M": {"k": {"S": "v"}, "j": {"L": [{"N": "7"}]}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
}


@pytest.fixture
def typed_item(ddb, table_s):
    item = dict(key(), **TYPED)
    ddb.put_item(TableName=table_s, Item=item)
    return item


def assert_condition(ddb, table, item, cond, expect, values=None, names=None):
    """Rewrite `item` onto itself under `cond`: True must succeed, False must fail with
    ConditionalCheckFailedException. Either way the stored item is `item` afterwards."""
    kw = expr_kw(cond, values, names)
    if expect:
        assert strip(ddb.put_item(TableName=table, Item=item, **kw)) == {}
    else:
        with cond_failed():
            ddb.put_item(TableName=table, Item=item, **kw)
    assert get(ddb, table, {"p": item["p"]}) == item


N = lambda x: {"N": x}  # noqa: E731
S = lambda x: {"S": x}  # noqa: E731
B = lambda x: {"B": x}  # noqa: E731

COMPARISONS = [
    # equality, every type
    ("n = :v", {":v": N("5")}, True),
    ("n = :v", {":v": N("5.000")}, True),       # numbers compare by value
    ("n = :v", {":v": N("6")}, False),
    ("n = :v", {":v": S("5")}, False),          # different type: false, not an error
    ("s = :v", {":v": S("cat")}, True),
    ("s = :v", {":v": S("Cat")}, False),
    ("b = :v", {":v": B(b"cat")}, True),
    ("b = :v", {":v": S("cat")}, False),
    ("t = :v", {":v": {"BOOL": True}}, True),
    ("t = :v", {":v": {"BOOL": False}}, False),
    ("z = :v", {":v": {"NULL": True}}, True),
    ("l = :v", {":v": {"L": [N("1"), S("a")]}}, True),
    ("l = :v", {":v": {"L": [S("a"), N("1")]}}, False),   # list order matters
    ("m = :v", {":v": {"M": {"j": {"L": [N("7")]}, "k": S("v")}}}, True),
    ("ss = :v", {":v": {"SS": ["b", "a"]}}, True),         # set order does not
    ("ns = :v", {":v": {"NS": ["2", "1"]}}, True),
    ("ns = :v", {":v": {"NS": ["1"]}}, False),
    ("bs = :v", {":v": {"BS": [b"\x02", b"\x01"]}}, True),
    ("n = s", None, False),
    ("m.k = :v", {":v": S("v")}, True),
    ("m.j[0] = :v", {":v": N("7")}, True),
    ("l[1] = :v", {":v": S("a")}, True),
    ("l[5] = :v", {":v": S("a")}, False),
    ("nope = :v", {":v": N("5")}, False),
    ("nope = nope2", None, False),              # two missing attributes are not equal
    # inequality
    ("n <> :v", {":v": N("6")}, True),
    ("n <> :v", {":v": N("5")}, False),
    ("n <> :v", {":v": S("5")}, True),
    ("nope <> :v", {":v": N("5")}, True),
    ("nope <> nope2", None, True),
    ("ss <> :v", {":v": {"SS": ["b", "a"]}}, False),
    # ordering: numbers numerically, strings and binaries bytewise (unsigned)
    ("n < :v", {":v": N("10")}, True),
    ("n < :v", {":v": N("5")}, False),
    ("n <= :v", {":v": N("5")}, True),
    ("n > :v", {":v": N("-7.5")}, True),
    ("n >= :v", {":v": N("5.0")}, True),
    ("n >= :v", {":v": N("5.0000000000000000000000000000000000001")}, False),
    ("s < :v", {":v": S("dog")}, True),
    ("s < :v", {":v": S("Cat")}, False),         # 'C' (0x43) < 'c' (0x63)
    ("s > :v", {":v": S("ca")}, True),           # a prefix is smaller
    ("w < :v", {":v": S("\U0001F600")}, True),   # UTF-8 order, not UTF-16 order
    ("b < :v", {":v": B(b"dog")}, True),
    ("u < :v", {":v": B(b"\x80")}, True),        # unsigned bytes
    ("u >= :v", {":v": B(b"\x80")}, False),
    ("n < :v", {":v": S("9")}, False),           # different types
    ("n < s", None, False),
    ("l < :v", {":v": N("1")}, False),           # item attribute of a non-orderable type
    ("t > :v", {":v": N("0")}, False),
    (":v < nope", {":v": N("1")}, False),
    ("nope < nope2", None, False),
    ("nope >= nope2", None, False),
    # BETWEEN (inclusive)
    ("n BETWEEN :lo AND :hi", {":lo": N("1"), ":hi": N("5")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("5"), ":hi": N("5")}, True),
    ("n between :lo and :hi", {":lo": N("-1"), ":hi": N("100")}, True),
    ("n BETWEEN :lo AND :hi", {":lo": N("6"), ":hi": N("9")}, False),
    ("n BETWEEN :lo AND :hi", {":lo": S("1"), ":hi": S("9")}, False),
    ("s BETWEEN :lo AND :hi", {":lo": S("b"), ":hi": S("d")}, True),
    ("b BETWEEN :lo AND :hi", {":lo": B(b"ca"), ":hi": B(b"cb")}, True),
    ("nope BETWEEN :lo AND :hi", {":lo": N("1"), ":hi": N("9")}, False),
    ("n BETWEEN m.j[0] AND :hi", {":hi": N("9")}, False),  # 5 < 7
    ("n BETWEEN :lo AND m.j[0]", {":lo": N("1")}, True),
    # IN
    ("n IN (:a, :b)", {":a": N("4"), ":b": N("5")}, True),
    ("n in (:a)", {":a": N("4")}, False),
    ("s IN (:a, :b)", {":a": N("1"), ":b": S("cat")}, True),   # mixed types are fine here
    ("m IN (:a)", {":a": {"M": {"k": S("v"), "j": {"L": [N("7")]}}}}, True),
    ("ss IN (:a)", {":a": {"SS": ["b", "a"]}}, True),
    ("nope IN (:a)", {":a": N("5")}, False),
    ("n IN (s, m.j[0], :a)", {":a": N("5")}, True),
]


@pytest.mark.parametrize("cond,values,expect", COMPARISONS, ids=[f"{c}|{e}" for c, _, e in COMPARISONS])
def test_comparison(ddb, table_s, typed_item, cond, values, expect):
    assert_condition(ddb, table_s, typed_item, cond, expect, values)


FUNCTIONS = [
    ("attribute_exists(n)", None, True),
    ("attribute_exists(nope)", None, False),
    ("attribute_exists (m.k)", None, True),
    ("attribute_exists(m.x)", None, False),
    ("attribute_exists(l[1])", None, True),
    ("attribute_exists(l[2])", None, False),
    ("attribute_exists(p)", None, True),
    ("attribute_not_exists(nope)", None, True),
    ("attribute_not_exists(n)", None, False),
    ("attribute_not_exists(m.j[3])", None, True),
    ("begins_with(s, :v)", {":v": S("ca")}, True),
    ("begins_with(s, :v)", {":v": S("cat")}, True),
    ("begins_with(s, :v)", {":v": S("at")}, False),
    ("begins_with(b, :v)", {":v": B(b"c")}, True),
    ("begins_with(n, :v)", {":v": S("5")}, False),      # attribute of another type: false
    ("begins_with(nope, :v)", {":v": S("c")}, False),
    ("begins_with(:v, s)", {":v": S("catalog")}, True),  # both operands may be anything S/B
    ("contains(s, :v)", {":v": S("at")}, True),
    ("contains(s, :v)", {":v": S("dog")}, False),
    ("contains(b, :v)", {":v": B(b"at")}, True),
    ("contains(ss, :v)", {":v": S("a")}, True),
    ("contains(ss, :v)", {":v": S("c")}, False),
    ("contains(ns, :v)", {":v": N("2")}, True),
    ("contains(bs, :v)", {":v": B(b"\x01")}, True),
    ("contains(l, :v)", {":v": N("1")}, True),
    ("contains(l, :v)", {":v": S("b")}, False),
    ("contains(m.j, :v)", {":v": N("7")}, True),
    ("contains(nope, :v)", {":v": S("a")}, False),
    ("size(s) = :v", {":v": N("3")}, True),
    ("size(b) = :v", {":v": N("3")}, True),
    ("size(ss) = :v", {":v": N("2")}, True),
    ("size(l) = :v", {":v": N("2")}, True),
    ("size(m) = :v", {":v": N("2")}, True),
    ("size(s) > size(ss)", None, True),
    ("size(s) <> :v", {":v": N("4")}, True),
    ("size(s) BETWEEN :lo AND :hi", {":lo": N("1"), ":hi": N("3")}, True),
    ("size(s) = :v", {":v": S("3")}, False),            # compared with a string: false
    ("size(n) = :v", {":v": N("1")}, False),            # size of a number: no value
    ("size(t) = :v", {":v": N("1")}, False),
    ("size(z) = :v", {":v": N("1")}, False),
    ("size(n) <> :v", {":v": N("1")}, True),
    ("size(nope) >= :v", {":v": N("0")}, False),
    ("attribute_type(n, :t)", {":t": S("N")}, True),
    ("attribute_type(n, :t)", {":t": S("S")}, False),
    ("attribute_type(nope, :t)", {":t": S("N")}, False),
]
for _name, _value in TYPED.items():
    _t = next(iter(_value))
    FUNCTIONS.append((f"attribute_type({_name}, :t)", {":t": S(_t)}, True))


@pytest.mark.parametrize("cond,values,expect", FUNCTIONS, ids=[f"{c}|{e}" for c, _, e in FUNCTIONS])
def test_function(ddb, table_s, typed_item, cond, values, expect):
    assert_condition(ddb, table_s, typed_item, cond, expect, values)


LOGIC = [
    ("a < b AND b < c", True),
    ("a < b aNd c < b", False),
    ("b < a OR b < c", True),
    ("b < a oR c < b", False),
    ("NOT b < a", True),
    ("nOt a < b", False),
    ("NOT NOT NOT NOT a < b", True),
    ("NOT attribute_exists(q)", True),
    # AND binds tighter than OR: a<b OR (b<a AND b<a) is true, (a<b OR b<a) AND b<a is not
    ("a < b OR b < a AND b < a", True),
    ("(a < b OR b < a) AND b < a", False),
    # NOT binds tighter than AND and OR
    ("NOT a < b AND c < b", False),
    ("NOT (a < b AND c < b)", True),
    ("NOT a < b OR a < b", True),
    ("NOT (a < b OR a < b)", False),
    # the AND of BETWEEN belongs to BETWEEN
    ("b BETWEEN a AND c AND a < b", True),
    ("b BETWEEN a AND c AND b < a", False),
    ("(a < b OR b < a) AND (b < c AND (a < b OR b < c))", True),
    ("(a = b) OR (attribute_exists(c))", True),
]


@pytest.mark.parametrize("cond,expect", LOGIC, ids=[f"{c}|{e}" for c, e in LOGIC])
def test_boolean_logic(ddb, table_s, cond, expect):
    item = dict(key(), a={"N": "1"}, b={"N": "2"}, c={"N": "3"})
    ddb.put_item(TableName=table_s, Item=item)
    assert_condition(ddb, table_s, item, cond, expect)


def test_names_and_nested_paths(ddb, table_s):
    item = dict(key(), **{"and": {"M": {"or": {"N": "2"}}}, "a.b": {"S": "dot"}, "a": {"M": {"b": {"S": "nested"}}}})
    ddb.put_item(TableName=table_s, Item=item)
    assert_condition(ddb, table_s, item, "#x.#y = :two", True, {":two": N("2")}, {"#x": "and", "#y": "or"})
    # a #name is one path element, even when the name contains a dot
    assert_condition(ddb, table_s, item, "#d = :v", True, {":v": S("dot")}, {"#d": "a.b"})
    assert_condition(ddb, table_s, item, "a.b = :v", True, {":v": S("nested")})
    assert_condition(ddb, table_s, item, "attribute_exists(#k)", True, None, {"#k": "p"})


def test_in_accepts_99_values(ddb, table_s):
    item = dict(key(), a={"N": "74"})
    ddb.put_item(TableName=table_s, Item=item)
    values = {f":v{i}": {"N": str(i)} for i in range(99)}
    cond = "a IN ({})".format(", ".join(values))
    assert_condition(ddb, table_s, item, cond, True, values)
    item["a"] = {"N": "174"}
    ddb.put_item(TableName=table_s, Item=item)
    assert_condition(ddb, table_s, item, cond, False, values)


# ---- create-only writes, optimistic locking, the three operations ------------------------------------


def test_put_create_only(ddb, table_s):
    k = key()
    first = dict(k, a={"S": "first"})
    assert strip(ddb.put_item(TableName=table_s, Item=first, ConditionExpression="attribute_not_exists(p)")) == {}
    assert get(ddb, table_s, k) == first
    with cond_failed():
        ddb.put_item(TableName=table_s, Item=dict(k, a={"S": "second"}), ConditionExpression="attribute_not_exists(p)")
    assert get(ddb, table_s, k) == first


def test_put_create_only_hash_range(ddb, table_ss):
    k = {"p": {"S": uniq()}, "c": {"S": "x"}}
    cond = "attribute_not_exists(p) AND attribute_not_exists(c)"
    ddb.put_item(TableName=table_ss, Item=dict(k, v={"N": "1"}), ConditionExpression=cond)
    # another sort key under the same partition is a different item
    other = {"p": k["p"], "c": {"S": "y"}}
    ddb.put_item(TableName=table_ss, Item=other, ConditionExpression=cond)
    with cond_failed():
        ddb.put_item(TableName=table_ss, Item=dict(k, v={"N": "2"}), ConditionExpression=cond)
    assert get(ddb, table_ss, k) == dict(k, v={"N": "1"})


def test_put_condition_on_missing_item(ddb, table_s):
    k = key()
    with cond_failed():
        ddb.put_item(TableName=table_s, Item=k, ConditionExpression="attribute_exists(p)")
    with cond_failed():
        ddb.put_item(TableName=table_s, Item=k, **expr_kw("a = :v", {":v": S("x")}))
    assert get(ddb, table_s, k) is None
    ddb.put_item(TableName=table_s, Item=k, **expr_kw("a <> :v", {":v": S("x")}))
    assert get(ddb, table_s, k) == k


def test_put_condition_with_return_values(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"N": "1"}))
    r = ddb.put_item(TableName=table_s, Item=dict(k, a={"N": "2"}), ReturnValues="ALL_OLD",
                     **expr_kw("a = :one", {":one": N("1")}))
    assert strip(r) == {"Attributes": dict(k, a={"N": "1"})}


def test_delete_condition(ddb, table_s):
    k = key()
    item = dict(k, a={"N": "1"})
    ddb.put_item(TableName=table_s, Item=item)
    with cond_failed():
        ddb.delete_item(TableName=table_s, Key=k, **expr_kw("a = :v", {":v": N("2")}))
    assert get(ddb, table_s, k) == item
    r = ddb.delete_item(TableName=table_s, Key=k, ReturnValues="ALL_OLD", **expr_kw("a = :v", {":v": N("1")}))
    assert strip(r) == {"Attributes": item}
    assert get(ddb, table_s, k) is None


def test_delete_condition_on_missing_item(ddb, table_s):
    k = key()
    with cond_failed():
        ddb.delete_item(TableName=table_s, Key=k, ConditionExpression="attribute_exists(p)")
    assert strip(ddb.delete_item(TableName=table_s, Key=k, ConditionExpression="attribute_not_exists(p)")) == {}
    assert get(ddb, table_s, k) is None


def test_update_condition(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"N": "1"}))
    with cond_failed():
        ddb.update_item(TableName=table_s, Key=k, **expr_kw("a = :two", {":two": N("2"), ":v": S("x")}, update="SET b = :v"))
    assert get(ddb, table_s, k) == dict(k, a={"N": "1"})
    ddb.update_item(TableName=table_s, Key=k, **expr_kw("a = :one", {":one": N("1"), ":v": S("x")}, update="SET b = :v"))
    assert get(ddb, table_s, k) == dict(k, a={"N": "1"}, b={"S": "x"})


def test_update_failed_condition_does_not_create_item(ddb, table_s):
    k = key()
    with cond_failed():
        ddb.update_item(TableName=table_s, Key=k, **expr_kw("attribute_exists(p)", {":v": S("x")}, update="SET a = :v"))
    assert get(ddb, table_s, k) is None


def test_update_with_only_condition_creates_key_only_item(ddb, table_s):
    k = key()
    assert strip(ddb.update_item(TableName=table_s, Key=k, ConditionExpression="attribute_not_exists(p)")) == {}
    assert get(ddb, table_s, k) == k
    with cond_failed():
        ddb.update_item(TableName=table_s, Key=k, ConditionExpression="attribute_not_exists(p)")


def test_update_create_unless_exists_with_ne(ddb, table_s):
    k = key()
    ddb.update_item(TableName=table_s, Key=k, **expr_kw("p <> :p", {":p": k["p"]}))
    assert get(ddb, table_s, k) == k
    with cond_failed():
        ddb.update_item(TableName=table_s, Key=k, **expr_kw("p <> :p", {":p": k["p"]}))


def test_optimistic_locking(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, vv={"N": "1"}, d={"S": "v1"}), ConditionExpression="attribute_not_exists(p)")

    def save(expected, data):
        return ddb.update_item(
            TableName=table_s, Key=k, ReturnValues="ALL_NEW",
            **expr_kw("vv = :expected", {":expected": N(expected), ":one": N("1"), ":d": S(data)},
                      update="SET vv = vv + :one, d = :d"))

    assert strip(save("1", "v2")) == {"Attributes": dict(k, vv={"N": "2"}, d={"S": "v2"})}
    with cond_failed():  # a writer that read version 1 lost the race
        save("1", "stale")
    assert strip(save("2", "v3")) == {"Attributes": dict(k, vv={"N": "3"}, d={"S": "v3"})}
    assert get(ddb, table_s, k) == dict(k, vv={"N": "3"}, d={"S": "v3"})


def test_condition_evaluated_against_old_item_on_update(ddb, table_s):
    # the condition sees the item before the update, not after it
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"N": "1"}))
    ddb.update_item(TableName=table_s, Key=k, **expr_kw("a = :one", {":one": N("1"), ":two": N("2")}, update="SET a = :two"))
    assert get(ddb, table_s, k) == dict(k, a={"N": "2"})


def test_condition_on_key_of_hash_range_table(ddb, table_sn):
    k = {"p": {"S": uniq()}, "c": {"N": "7"}}
    ddb.put_item(TableName=table_sn, Item=dict(k, a={"S": "x"}))
    ddb.put_item(TableName=table_sn, Item=dict(k, a={"S": "y"}), **expr_kw("c = :c AND c > :six", {":c": N("7"), ":six": N("6")}))
    assert get(ddb, table_sn, k) == dict(k, a={"S": "y"})


# ---- ReturnValuesOnConditionCheckFailure (not in Debian's botocore: raw JSON) --------------------------


def test_rvccf_put_returns_old_item(raw, ddb, table_s):
    k = key()
    old = dict(k, a={"S": "old"}, n={"N": "1"}, l={"L": [{"S": "x"}]})
    ddb.put_item(TableName=table_s, Item=old)
    r = raw.call("PutItem", {"TableName": table_s, "Item": dict(k, a={"S": "new"}),
                             "ConditionExpression": "attribute_not_exists(p)",
                             "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert r.status == 400
    du.check_error(r, "ConditionalCheckFailedException", CCF)
    assert r.json()["Item"] == old
    assert get(ddb, table_s, k) == old


def test_rvccf_none_and_default_return_no_item(raw, ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"S": "old"}))
    for extra in ({}, {"ReturnValuesOnConditionCheckFailure": "NONE"}):
        r = raw.call("PutItem", dict({"TableName": table_s, "Item": k, "ConditionExpression": "attribute_not_exists(p)"}, **extra))
        du.check_error(r, "ConditionalCheckFailedException", CCF)
        assert "Item" not in r.json()


def test_rvccf_missing_item_returns_no_item(raw, table_s):
    r = raw.call("PutItem", {"TableName": table_s, "Item": key(), "ConditionExpression": "attribute_exists(p)",
                             "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    du.check_error(r, "ConditionalCheckFailedException", CCF)
    assert "Item" not in r.json()


def test_rvccf_success_returns_nothing(raw, ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"S": "dog"}))
    r = raw.call("PutItem", {"TableName": table_s, "Item": dict(k, a={"S": "cat"}), "ConditionExpression": "a = :v",
                             "ExpressionAttributeValues": {":v": {"S": "dog"}},
                             "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert r.status == 200, r
    assert r.json() == {}


def test_rvccf_update_and_delete(raw, ddb, table_s):
    k = key()
    old = dict(k, a={"S": "cat"})
    ddb.put_item(TableName=table_s, Item=old)
    r = raw.call("UpdateItem", {"TableName": table_s, "Key": k, "UpdateExpression": "SET a = :new",
                                "ConditionExpression": "a = :old",
                                "ExpressionAttributeValues": {":old": {"S": "rat"}, ":new": {"S": "cow"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    du.check_error(r, "ConditionalCheckFailedException", CCF)
    assert r.json()["Item"] == old
    r = raw.call("DeleteItem", {"TableName": table_s, "Key": k, "ConditionExpression": "a = :old",
                                "ExpressionAttributeValues": {":old": {"S": "rat"}},
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    du.check_error(r, "ConditionalCheckFailedException", CCF)
    assert r.json()["Item"] == old
    assert get(ddb, table_s, k) == old


@pytest.mark.parametrize("value", ["ALL_NEW", "UPDATED_OLD", "DUMMY"])
def test_rvccf_bad_value(raw, table_s, value):
    # AWS enum message; the order of the two values is not pinned down by the sources
    r = raw.call("PutItem", {"TableName": table_s, "Item": key(), "ConditionExpression": "attribute_not_exists(p)",
                             "ReturnValuesOnConditionCheckFailure": value})
    du.check_error(r, VE, pattern=(
        rf"1 validation error detected: Value '{value}' at 'returnValuesOnConditionCheckFailure' failed to "
        r"satisfy constraint: Member must satisfy enum value set: \[(ALL_OLD, NONE|NONE, ALL_OLD)\]"))


# ---- errors that depend on the functions and operand types ----------------------------------------------


@pytest.mark.parametrize("op", ["<", "<=", ">", ">="])
@pytest.mark.parametrize("tname,value", [("L", {"L": [{"N": "1"}]}), ("BOOL", {"BOOL": True}), ("NULL", {"NULL": True}),
                                         ("M", {"M": {}}), ("SS", {"SS": ["a"]}), ("NS", {"NS": ["1"]})])
def test_ordering_with_non_orderable_literal(ddb, table_s, op, tname, value):
    k = key()
    with invalid_cond(f"Incorrect operand type for operator or function; operator or function: {op}, operand type: {tname}"):
        ddb.put_item(TableName=table_s, Item=k, **expr_kw(f"a {op} :v", {":v": value}))
    assert get(ddb, table_s, k) is None


def test_non_orderable_literal_rejected_in_unevaluated_branch(ddb, table_s):
    for cond in ["attribute_not_exists(zz) OR a > :v", "attribute_exists(zz) AND a > :v", "NOT (a > :v)"]:
        with invalid_cond("Incorrect operand type for operator or function; operator or function: >, operand type: BOOL"):
            ddb.put_item(TableName=table_s, Item=key(), **expr_kw(cond, {":v": {"BOOL": True}}))


def test_between_literal_bounds_reversed(ddb, table_s):
    with invalid_cond("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                      "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:1}"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("a BETWEEN :lo AND :hi", {":lo": N("5"), ":hi": N("1")}))


def test_between_literal_bounds_of_different_types(ddb, table_s):
    with invalid_cond("The BETWEEN operator requires same data type for lower and upper bounds; "
                      "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("a BETWEEN :lo AND :hi", {":lo": N("1"), ":hi": S("a")}))


def test_between_bound_from_item_is_not_validated(ddb, table_s):
    # reversed bounds where one comes from the item: just false
    item = dict(key(), a={"N": "1"}, two={"N": "2"})
    ddb.put_item(TableName=table_s, Item=item)
    assert_condition(ddb, table_s, item, "a BETWEEN two AND :one", False, {":one": N("1")})
    assert_condition(ddb, table_s, item, "a BETWEEN two AND :s", False, {":s": S("dog")})


def test_size_alone_is_not_a_condition(ddb, table_s):
    with invalid_cond("The function is not allowed to be used this way in an expression; function: size"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="size(a)")


def test_boolean_function_in_comparison(ddb, table_s):
    with invalid_cond("The function is not allowed to be used this way in an expression; function: attribute_exists"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("attribute_exists(a) < :v", {":v": N("1")}))


@pytest.mark.parametrize("fn", ["if_not_exists", "list_append"])
def test_update_functions_not_allowed_in_condition(ddb, table_s, fn):
    with invalid_cond(f"The function is not allowed in a condition expression; function: {fn}"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw(f"{fn}(a, a) = :v", {":v": N("5")}))


@pytest.mark.parametrize("fn", ["dog", "ATTRIBUTE_EXISTS", "Size"])
def test_unknown_or_miscased_function(ddb, table_s, fn):
    with invalid_cond(f"Invalid function name; function: {fn}"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression=f"{fn}(a)")


def test_attribute_exists_needs_a_path(ddb, table_s):
    with invalid_cond("Operator or function requires a document path; operator or function: attribute_exists"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("attribute_exists(:v)", {":v": N("3")}))


def test_wrong_number_of_function_operands(ddb, table_s):
    with invalid_cond("Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("size(a, b) = :v", {":v": N("5")}))
    with invalid_cond("Incorrect number of operands for operator or function; "
                      "operator or function: attribute_exists, number of operands: 2"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="attribute_exists(a, b)")


def test_begins_with_literal_must_be_string_or_binary(ddb, table_s):
    with invalid_cond("Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("begins_with(a, :v)", {":v": N("2")}))


def test_attribute_type_unknown_type(ddb, table_s):
    with invalid_cond(pattern=r"Invalid attribute type name found; type: DOG, valid types: \{[A-Z,]+\}"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("attribute_type(a, :t)", {":t": S("DOG")}))


def test_attribute_type_second_operand_must_be_a_value(ddb, table_s):
    # the exact wording is not recorded by the sources; it names the function
    with invalid_cond(pattern=r".*attribute_type.*"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="attribute_type(a, b)")


def test_contains_same_operand_twice(ddb, table_s):
    with invalid_cond("The first operand must be distinct from the remaining operands for this operator or function; "
                      "operator: contains, first operand: [a]"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="contains(a, a)")


def test_in_with_too_many_values(ddb, table_s):
    values = {f":v{i}": {"N": str(i)} for i in range(101)}
    with invalid_cond(pattern=r"The IN operator is provided with too many operands; number of operands: \d+"):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("a IN ({})".format(", ".join(values)), values))


def test_in_with_no_values_is_a_syntax_error(ddb, table_s):
    with invalid_cond(pattern=r'Syntax error; token: "[^"]*"(, near: "[^"]*")?'):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="a IN ()")


def test_arithmetic_is_a_syntax_error_in_conditions(ddb, table_s):
    with invalid_cond(pattern=r'Syntax error; token: "\+"(, near: "[^"]*")?'):
        ddb.put_item(TableName=table_s, Item=key(), **expr_kw("a + :v = :v", {":v": N("1")}))
