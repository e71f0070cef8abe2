"""GetItem with ProjectionExpression: top-level and nested paths, #names, result shapes and errors.

Facts — scylladb test/alternator/test_projection_expression.py (runs against AWS): only the listed
attributes come back (key attributes only when listed); an existing item with none of them comes back
as an empty 'Item'; a.b returns {'a': {'b': ...}}, a.b[2] returns a one-element list in its parents,
several paths merge into one structure; paths through missing or wrongly typed values are silently
left out; a #name is always one path element (a dot in it is literal); whitespace is ignored; 'a,',
',a' and 'a,,b' are syntax errors; overlapping ('a, a.b') and conflicting ('a.b, a[1]') paths are errors
checked on the expression alone, even when the item does not exist.

Messages (checked with envelope=True, see test_condition_expression.py):
- 'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one
  of these paths; path one: [a], path two: [a, b]' (also '[alist, [0]]' rendering, first pair in order,
  resolved #names) — ExtendDB/extenddb tests/test_projection_overlapping_paths.py (captured from AWS).
- '... Two document paths conflict with each other; ...; path one: [a, b], path two: [a, [1]]' —
  scylladb comment (AWS).
- '... An expression attribute name used in the document path is not defined; attribute name: #u' —
  ExtendDB (AWS).
- '... Attribute name is a reserved keyword; reserved keyword: count' — a public AWS error report; the
  keyword is echoed as written (dynalite).
- '... The expression can not be empty;' — scylladb comment, dynalite.
- 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}' — scylladb comment,
  a public SDK test.
- Size limit: 4,096 bytes of raw expression text accepted, 4,097 refused with 'Invalid
  ProjectionExpression: Expression size has exceeded the maximum allowed size;' — ExtendDB
  tests/test_expression_size_limit.py (AWS, us-east-1); another capture adds '; expression size: N'
  (eu-west-2), so the suffix is optional here.
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


def getp(ddb, table, k, proj, names=None):
    kw = {"ProjectionExpression": proj}
    if names:
        kw["ExpressionAttributeNames"] = names
    r = ddb.get_item(TableName=table, Key=k, ConsistentRead=True, **kw)
    r.pop("ResponseMetadata", None)
    return r


def invalid_proj(message=None, pattern=None):
    if message is not None:
        message = "Invalid ProjectionExpression: " + message
    if pattern is not None:
        pattern = "Invalid ProjectionExpression: " + pattern
    return raises(VE, message, pattern, envelope=True)


N = lambda x: {"N": x}  # noqa: E731
S = lambda x: {"S": x}  # noqa: E731
L = lambda *x: {"L": list(x)}  # noqa: E731
M = lambda **x: {"M": x}  # noqa: E731

NESTED = {
    "a": M(b=L(N("2"), N("4"), M(x=S("hi"), y=S("yo"))), c=N("5")),
    "b": S("hello"),
}


@pytest.fixture
def nested_item(ddb, table_s):
    item = dict(key(), **NESTED)
    ddb.put_item(TableName=table_s, Item=item)
    return item


@pytest.mark.parametrize("proj,want", [
    ("a", {"a": NESTED["a"]}),
    ("b", {"b": S("hello")}),
    ("a,b", NESTED),
    (" a  ,   b  ", NESTED),
    ("a.c", {"a": M(c=N("5"))}),
    ("a.b", {"a": M(b=NESTED["a"]["M"]["b"])}),
    ("a.b[0]", {"a": M(b=L(N("2")))}),
    ("a.b[2]", {"a": M(b=L(M(x=S("hi"), y=S("yo"))))}),
    ("a.b[2].y", {"a": M(b=L(M(y=S("yo"))))}),
    ("a.b[0],a.b[1]", {"a": M(b=L(N("2"), N("4")))}),
    ("a.b[0],a.c", {"a": M(b=L(N("2")), c=N("5"))}),
    ("a.c,b", {"a": M(c=N("5")), "b": S("hello")}),
    ("a.x, a.b[0], x, a.b[3].x", {"a": M(b=L(N("2")))}),     # missing parts are left out
    # nothing found: an empty Item, not a missing one
    ("x", {}),
    ("a.b[3]", {}),
    ("a.x", {}),
    ("a.x.y", {}),
    ("a.b.x", {}),          # list used as a map
    ("a[0]", {}),           # map used as a list
    ("b[0]", {}),           # string used as a list
    ("a.b[0].x", {}),       # number used as a map
    ("a.b[0][0]", {}),
])
def test_paths(ddb, table_s, nested_item, proj, want):
    assert getp(ddb, table_s, {"p": nested_item["p"]}, proj) == {"Item": want}


def test_key_attributes_only_when_asked(ddb, table_ss):
    k = {"p": {"S": uniq()}, "c": S("sort")}
    item = dict(k, a=S("hello"), b=S("hi"))
    ddb.put_item(TableName=table_ss, Item=item)
    assert getp(ddb, table_ss, k, "a") == {"Item": {"a": S("hello")}}
    assert getp(ddb, table_ss, k, "c, a") == {"Item": {"c": S("sort"), "a": S("hello")}}
    assert getp(ddb, table_ss, k, "p, c") == {"Item": k}
    assert getp(ddb, table_ss, k, "p") == {"Item": {"p": k["p"]}}


def test_missing_item(ddb, table_s):
    assert getp(ddb, table_s, key(), "a, b.c") == {}


def test_names(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=M(b=N("1"), c=N("2")), b=S("hi"), **{"a.b": S("dot"), "count": N("3")}))
    assert getp(ddb, table_s, k, "#n1.b", {"#n1": "a"}) == {"Item": {"a": M(b=N("1"))}}
    assert getp(ddb, table_s, k, "a.#n2", {"#n2": "b"}) == {"Item": {"a": M(b=N("1"))}}
    assert getp(ddb, table_s, k, "#n1.#n2", {"#n1": "a", "#n2": "b"}) == {"Item": {"a": M(b=N("1"))}}
    assert getp(ddb, table_s, k, "#d", {"#d": "a.b"}) == {"Item": {"a.b": S("dot")}}
    assert getp(ddb, table_s, k, "a.b") == {"Item": {"a": M(b=N("1"))}}
    assert getp(ddb, table_s, k, "#c, b", {"#c": "count"}) == {"Item": {"count": N("3"), "b": S("hi")}}
    # a name can be used twice in one expression
    assert getp(ddb, table_s, k, "#n1.b, #n1.c", {"#n1": "a"}) == {"Item": {"a": M(b=N("1"), c=N("2"))}}


def test_every_type_projected(ddb, table_s):
    k = key()
    attrs = {"s": S(""), "n": N("-1.5"), "b": {"B": b"\x00"}, "t": {"BOOL": False}, "z": {"NULL": True},
             "l": L(), "m": {"M": {}}, "ss": {"SS": ["x"]}, "ns": {"NS": ["7"]}, "bs": {"BS": [b"\x01"]}}
    ddb.put_item(TableName=table_s, Item=dict(k, **attrs))
    assert getp(ddb, table_s, k, ", ".join(attrs)) == {"Item": attrs}


OVERLAP = "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}"
CONFLICT = "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {}, path two: {}"


@pytest.mark.parametrize("proj,names,message", [
    ("a, a", None, OVERLAP.format("[a]", "[a]")),
    ("a, a.b", None, OVERLAP.format("[a]", "[a, b]")),
    ("a.b, a", None, OVERLAP.format("[a, b]", "[a]")),
    ("x, a.b, a", None, OVERLAP.format("[a, b]", "[a]")),
    ("a.b[0],a.b[0]", None, OVERLAP.format("[a, b, [0]]", "[a, b, [0]]")),
    ("alist[0], alist", None, OVERLAP.format("[alist, [0]]", "[alist]")),
    ("a, a.b[2].c", None, OVERLAP.format("[a]", "[a, b, [2], c]")),
    ("#x, #x.#y", {"#x": "a", "#y": "b"}, OVERLAP.format("[a]", "[a, b]")),
    ("#x, #z", {"#x": "a", "#z": "a"}, OVERLAP.format("[a]", "[a]")),
    ("a.b, a[1]", None, CONFLICT.format("[a, b]", "[a, [1]]")),
])
def test_overlap_and_conflict(ddb, table_s, nested_item, proj, names, message):
    for k in ({"p": nested_item["p"]}, key()):      # also when the item does not exist
        with invalid_proj(message):
            getp(ddb, table_s, k, proj, names)


@pytest.mark.parametrize("proj", ["a, b", "a.b, a.c", "a.b.d, a.b.e", "a[1], a[2]", "a.b, a.c[2]"])
def test_siblings_do_not_overlap(ddb, table_s, proj):
    assert getp(ddb, table_s, key(), proj) == {}


def test_empty(ddb, table_s):
    with invalid_proj("The expression can not be empty;"):
        getp(ddb, table_s, key(), "")


@pytest.mark.parametrize("proj", ["a,", ",a", "a,,b", "a.", "a..b", "a[x]", "a[-1]", "a[]", "a b", "a = b"])
def test_syntax_errors(ddb, table_s, proj):
    with invalid_proj(pattern=r'Syntax error; token: "[^"]*"(, near: "[^"]*")?'):
        getp(ddb, table_s, key(), proj)


def test_reserved_word(ddb, table_s):
    with invalid_proj("Attribute name is a reserved keyword; reserved keyword: count"):
        getp(ddb, table_s, key(), "a, count")
    with invalid_proj("Attribute name is a reserved keyword; reserved keyword: Status"):
        getp(ddb, table_s, key(), "Status")


def test_undefined_name(ddb, table_s):
    with invalid_proj("An expression attribute name used in the document path is not defined; attribute name: #u"):
        getp(ddb, table_s, key(), "a.#u")
    with invalid_proj("An expression attribute name used in the document path is not defined; attribute name: #name"):
        getp(ddb, table_s, key(), "#name", {"#wrong": "a"})


def test_unused_name(ddb, table_s):
    with raises(VE, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}", envelope=True):
        getp(ddb, table_s, key(), "#name", {"#name": "a", "#unused": "b"})


def test_with_attributes_to_get(ddb, table_s):
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                    "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}",
                envelope=True):
        ddb.get_item(TableName=table_s, Key=key(), ProjectionExpression="a", AttributesToGet=["b"])


def test_size_limit(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("x")))
    at_limit = "a" + "z" * 4095
    assert getp(ddb, table_s, k, at_limit) == {"Item": {}}
    assert getp(ddb, table_s, k, "a," + "b" * 4094) == {"Item": {"a": S("x")}}
    with invalid_proj(pattern=r"Expression size has exceeded the maximum allowed size;( expression size: 4097)?"):
        getp(ddb, table_s, k, at_limit + "z")


def test_size_is_measured_before_substitution(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("x")))
    long_name = "n" * 3000
    names = {"#a": "a", "#b": long_name, "#c": long_name + "x"}
    assert getp(ddb, table_s, k, "#a, #b, #c", names) == {"Item": {"a": S("x")}}
