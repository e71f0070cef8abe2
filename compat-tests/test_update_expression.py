"""UpdateItem with UpdateExpression: SET (+, -, if_not_exists, list_append), nested paths, REMOVE (list
elements shift), ADD (numbers, sets), DELETE (sets), key attributes, overlapping and conflicting paths,
clauses used once, arithmetic limits, item creation and every ReturnValues mode.

Facts — scylladb test/alternator/test_update_expression.py, test_returnvalues.py and test_number.py (run
against AWS): UpdateItem merges into the existing item and creates a missing one; the right-hand side
reads the item as it was before the update ('REMOVE a SET b = a' works, 'SET x = :v, y = x' needs x to
exist already); clause keywords are case-insensitive, function names are not; only 'v + v' / 'v - v'
(one operator) is allowed; '+' is exact decimal arithmetic (1 + 1E22 exact), 9E125 + 9E125 overflows;
list_append needs two lists and works in both orders and with if_not_exists nested inside it, but not
list_append nested in list_append; SET list[N] past the end appends, several such appends go in index
order; REMOVE and SET list indexes refer to the list before the update; REMOVE of a missing list
element, map member or attribute is a no-op; removing the last element leaves [] or {}; a path through
a missing or non-map/list attribute is 'invalid for update' (but REMOVE on a missing item is ignored and
does not create it); ADD creates numbers and sets (and the item), merges sets; DELETE removes set
elements, drops the attribute when the set empties, and is a no-op on a missing attribute; UPDATED_OLD
/ UPDATED_NEW return only the touched paths, nested in their parents; UPDATED_NEW of a list append past
the end is empty, and after REMOVE a[1] it returns the element that moved into a[1].
architect/dynalite test/updateItem.js: an UpdateItem without any update creates a key-only item and
answers {}; duplicate set elements in ADD are dropped.

Messages (all checked with envelope=True, see test_condition_expression.py):
- 'The provided expression refers to an attribute that does not exist in the item' — getmoto/moto
  test_dynamodb_exceptions.py; dynalite updateItem.js.
- 'The document path provided in the update expression is invalid for update' — scylladb comments (AWS);
  dynalite.
- 'An operand in the update expression has an incorrect data type' — dynalite; scylladb comments.
- 'One or more parameter values were invalid: Cannot update attribute p. This attribute is part of the
  key' — moto test_update_primary_key*; dynalite.
- 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of
  these paths; path one: [a], path two: [a, b]' and '... conflict ...' — scylladb comments (AWS),
  dynalite updateItem.js for the path rendering.
- 'Invalid UpdateExpression: The "ADD" section can only be used once in an update expression;' — moto
  (same wording for SET, REMOVE, DELETE in dynalite).
- 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function:
  list_append, operand type: S' (also +, -), '...; operator: ADD, operand type: STRING' (ADD/DELETE name
  types in words) — scylladb comments (AWS), dynalite.
- 'Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or
  function: if_not_exists, number of operands: 1', '... Operator or function requires a document path;
  operator or function: if_not_exists', '... Invalid function name; function: f', '... The function is
  not allowed to be used this way in an expression; function: list_append' — scylladb comments (AWS).
- '... The function is not allowed in an update expression; function: size' — several emulators agree;
  not seen in an AWS capture (moderate confidence).
- 'Number overflow. Attempting to store a number with magnitude larger than supported range' — scylladb
  test_number.py (AWS) for 9E125 + 9E125; for 1E50 + 1 scylla reports AWS saying the same overflow text,
  so that case accepts either the overflow or the 38-digit message.
- Syntax errors: 'Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"' (scylladb comment,
  AWS) and '...token: "<EOF>", near: ","' for a trailing comma (moto). Others: code + stable prefix.
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
MISSING_ATTR = "The provided expression refers to an attribute that does not exist in the item"
BAD_PATH = "The document path provided in the update expression is invalid for update"
BAD_OPERAND = "An operand in the update expression has an incorrect data type"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"


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
    """Sets come back in any order: compare them sorted."""
    return None if item is None else {k: norm_value(v) for k, v in item.items()}


def update(ddb, table, k, expr, values=None, names=None, rv=None, cond=None):
    kw = {"UpdateExpression": expr}
    if values:
        kw["ExpressionAttributeValues"] = values
    if names:
        kw["ExpressionAttributeNames"] = names
    if rv:
        kw["ReturnValues"] = rv
    if cond:
        kw["ConditionExpression"] = cond
    return strip(ddb.update_item(TableName=table, Key=k, **kw))


def invalid(message=None, pattern=None):
    return raises(VE, message, pattern, envelope=True)


def invalid_upd(message=None, pattern=None):
    if message is not None:
        message = "Invalid UpdateExpression: " + message
    if pattern is not None:
        pattern = "Invalid UpdateExpression: " + pattern
    return raises(VE, message, pattern, envelope=True)


N = lambda x: {"N": x}  # noqa: E731
S = lambda x: {"S": x}  # noqa: E731
L = lambda *x: {"L": list(x)}  # noqa: E731


# ---- SET ---------------------------------------------------------------------------------------------


def test_set_creates_item(ddb, table_s):
    k = key()
    assert update(ddb, table_s, k, "SET a = :a, b = :b", {":a": N("4"), ":b": S("x")}) == {}
    assert get(ddb, table_s, k) == dict(k, a=N("4"), b=S("x"))


def test_set_merges_into_existing_item(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hi"), c=N("1")))
    update(ddb, table_s, k, "SET b = :v", {":v": S("hello")})
    update(ddb, table_s, k, "SET a = :v", {":v": S("hey")})
    assert get(ddb, table_s, k) == dict(k, a=S("hey"), b=S("hello"), c=N("1"))


def test_set_every_type(ddb, table_s):
    k = key()
    values = {
        ":s": S("str"), ":e": S(""), ":n": N("-12.5"), ":b": {"B": b"\x00\xff"}, ":eb": {"B": b""},
        ":t": {"BOOL": False}, ":z": {"NULL": True}, ":l": L(N("1"), S("a"), L()), ":el": L(),
        ":m": {"M": {"x": {"M": {"y": S("deep")}}}}, ":em": {"M": {}},
        ":ss": {"SS": ["a", "b"]}, ":ns": {"NS": ["1", "2.5"]}, ":bs": {"BS": [b"\x01", b"\x02"]},
    }
    expr = "SET " + ", ".join(f"v{name[1:]} = {name}" for name in values)
    update(ddb, table_s, k, expr, values)
    assert norm(get(ddb, table_s, k)) == norm(dict(k, **{f"v{name[1:]}": v for name, v in values.items()}))


def test_set_copies_attributes(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hello"), m={"M": {"x": L(N("3"), N("5"))}}))
    update(ddb, table_s, k, "SET b = a, c = m.x[1]")
    update(ddb, table_s, k, "SET #one = #two", names={"#one": "d", "#two": "a"})
    update(ddb, table_s, k, "SET a = a")
    assert get(ddb, table_s, k) == dict(k, a=S("hello"), b=S("hello"), c=N("5"), d=S("hello"),
                                        m={"M": {"x": L(N("3"), N("5"))}})


def test_set_copy_of_key_attributes(ddb, table_sn):
    k = {"p": {"S": uniq()}, "c": N("7")}
    update(ddb, table_sn, k, "SET #n = #p, #nn = #c + #c", names={"#n": "n", "#p": "p", "#nn": "nn", "#c": "c"})
    assert get(ddb, table_sn, k) == dict(k, n=k["p"], nn=N("14"))


def test_set_from_missing_attribute(ddb, table_s):
    k = key()
    with invalid(MISSING_ATTR):
        update(ddb, table_s, k, "SET c = z")
    assert get(ddb, table_s, k) is None
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("x")))
    with invalid(MISSING_ATTR):
        update(ddb, table_s, k, "SET c = z")
    with invalid(MISSING_ATTR):
        update(ddb, table_s, k, "SET z = z")
    # the right-hand side sees the item before the update
    with invalid(MISSING_ATTR):
        update(ddb, table_s, k, "SET x = :v, y = x", {":v": N("4")})
    assert get(ddb, table_s, k) == dict(k, a=S("x"))


def test_right_hand_side_reads_old_item(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hello")))
    update(ddb, table_s, k, "REMOVE a SET b = a")
    assert get(ddb, table_s, k) == dict(k, b=S("hello"))
    update(ddb, table_s, k, "SET c = b REMOVE b")
    assert get(ddb, table_s, k) == dict(k, c=S("hello"))


def test_empty_set_value_is_rejected(ddb, table_s):
    k = key()
    with invalid("ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: "
                 "An string set  may not be empty for key :v"):
        update(ddb, table_s, k, "SET a = :v", {":v": {"SS": []}})
    assert get(ddb, table_s, k) is None


# ---- + and - -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("expr,x,y,result", [
    ("SET r = :x + :y", "4", "3", "7"),
    ("SET r = :x - :y", "5", "2", "3"),
    ("SET r = :x - :y", "2", "5", "-3"),
    ("SET r = :x + :y", "0.1", "0.2", "0.3"),                    # decimal, not binary floating point
    ("SET r = :x + :y", "1", "10000000000000000000000", "10000000000000000000001"),
    ("SET r = :x - :y", "10000000000000000000000", "1", "9999999999999999999999"),
    ("SET r = :x + :y", "99999999999999999999999999999999999999", "1", "100000000000000000000000000000000000000"),
    ("SET r = :x + :y", "1.5", "-1.5", "0"),
    ("SET r = :x + :y", "1E-130", "1E-130", "0." + "0" * 129 + "2"),          # answered in plain notation
])
def test_arithmetic(ddb, table_s, expr, x, y, result):
    k = key()
    assert update(ddb, table_s, k, expr, {":x": N(x), ":y": N(y)}, rv="UPDATED_NEW") == {"Attributes": {"r": N(result)}}
    assert get(ddb, table_s, k) == dict(k, r=N(result))


def test_arithmetic_with_attributes(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("2")))
    update(ddb, table_s, k, "SET a = a + :v", {":v": N("3")})
    update(ddb, table_s, k, "SET a = :v + a", {":v": N("4")})
    update(ddb, table_s, k, "SET b = :v - a", {":v": N("1")})
    update(ddb, table_s, k, "SET a = b + a")
    assert get(ddb, table_s, k) == dict(k, a=N("1"), b=N("-8"))


def test_arithmetic_on_missing_attribute(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=k)
    with invalid(MISSING_ATTR):
        update(ddb, table_s, k, "SET a = a + :v", {":v": N("1")})


def test_arithmetic_on_attribute_of_another_type(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, s=S("x"), l=L(N("1"))))
    with invalid(BAD_OPERAND):
        update(ddb, table_s, k, "SET r = s + :v", {":v": N("1")})
    with invalid(BAD_OPERAND):
        update(ddb, table_s, k, "SET r = :v - l", {":v": N("1")})


@pytest.mark.parametrize("op,value,tname", [
    ("+", S("a"), "S"), ("+", {"B": b"a"}, "B"), ("+", {"BOOL": True}, "BOOL"), ("+", {"NULL": True}, "NULL"),
    ("+", {"SS": ["a"]}, "SS"), ("+", {"NS": ["1"]}, "NS"), ("+", {"M": {}}, "M"), ("+", L(), "L"),
    ("-", S("a"), "S"), ("-", L(), "L"), ("-", {"NS": ["1"]}, "NS"),
])
def test_arithmetic_literal_of_wrong_type(ddb, table_s, op, value, tname):
    with invalid_upd(f"Incorrect operand type for operator or function; operator or function: {op}, operand type: {tname}"):
        update(ddb, table_s, key(), f"SET r = :n {op} :v", {":n": N("1"), ":v": value})


def test_arithmetic_overflow(ddb, table_s):
    k = key()
    with invalid(OVERFLOW):
        update(ddb, table_s, k, "SET r = :x + :y", {":x": N("9E125"), ":y": N("9E125")})
    with invalid(OVERFLOW):
        update(ddb, table_s, k, "SET r = :x - :y", {":x": N("-9E125"), ":y": N("9E125")})
    assert get(ddb, table_s, k) is None


def test_arithmetic_precision_loss(ddb, table_s):
    # 1E50 + 1 needs 51 digits. scylladb saw AWS answer with the overflow text; accept that or the
    # 38-digit message.
    with invalid(pattern=r"(Number overflow\. Attempting to store a number with magnitude larger than supported range"
                         r"|Attempting to store more than 38 significant digits in a Number)"):
        update(ddb, table_s, key(), "SET r = :x + :y", {":x": N("1E50"), ":y": N("1")})


def test_only_one_arithmetic_operator(ddb, table_s):
    with invalid_upd(pattern=r'Syntax error; token: "\+"(, near: "[^"]*")?'):
        update(ddb, table_s, key(), "SET r = :x + :y + :z", {":x": N("1"), ":y": N("2"), ":z": N("3")})


# ---- if_not_exists and list_append ---------------------------------------------------------------------


def test_if_not_exists(ddb, table_s):
    k = key()
    update(ddb, table_s, k, "SET a = if_not_exists(a, :v)", {":v": N("2")})
    update(ddb, table_s, k, "SET a = if_not_exists(a, :v)", {":v": N("3")})
    update(ddb, table_s, k, "SET b = if_not_exists(c, :v)", {":v": N("4")})
    update(ddb, table_s, k, "SET b = if_not_exists(a, :v)", {":v": N("6")})
    assert get(ddb, table_s, k) == dict(k, a=N("2"), b=N("2"))


def test_counter_idiom(ddb, table_s):
    k = key()
    expr, values = "SET hh = if_not_exists(hh, :zero) + :inc", {":zero": N("0"), ":inc": N("1")}
    assert update(ddb, table_s, k, expr, values, rv="UPDATED_NEW") == {"Attributes": {"hh": N("1")}}
    assert update(ddb, table_s, k, expr, values, rv="UPDATED_NEW") == {"Attributes": {"hh": N("2")}}


def test_if_not_exists_errors(ddb, table_s):
    with invalid_upd("Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"):
        update(ddb, table_s, key(), "SET a = if_not_exists(a)")
    with invalid_upd("Operator or function requires a document path; operator or function: if_not_exists"):
        update(ddb, table_s, key(), "SET a = if_not_exists(:v, a)", {":v": N("1")})


def test_list_append(ddb, table_s):
    k = key()
    update(ddb, table_s, k, "SET a = list_append(:x, :y)", {":x": L(N("4"), S("hello")), ":y": L(S("hi"), N("7"))})
    assert get(ddb, table_s, k)["a"] == L(N("4"), S("hello"), S("hi"), N("7"))
    update(ddb, table_s, k, "SET a = list_append(a, :v)", {":v": L(L(S("nested")))})
    update(ddb, table_s, k, "SET a = list_append(:v, a)", {":v": L(S("first"))})
    update(ddb, table_s, k, "SET b = list_append(a, a)")
    a = L(S("first"), N("4"), S("hello"), S("hi"), N("7"), L(S("nested")))
    assert get(ddb, table_s, k) == dict(k, a=a, b={"L": a["L"] + a["L"]})


def test_list_append_with_if_not_exists(ddb, table_s):
    k = key()
    expr = "SET l = list_append(if_not_exists(l, :empty), :v)"
    update(ddb, table_s, k, expr, {":empty": L(), ":v": L(S("a"))})
    update(ddb, table_s, k, expr, {":empty": L(), ":v": L(S("b"))})
    assert get(ddb, table_s, k) == dict(k, l=L(S("a"), S("b")))


def test_list_append_errors(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, n=N("7"), ss={"SS": ["x"]}))
    with invalid(MISSING_ATTR):
        update(ddb, table_s, k, "SET a = list_append(nosuch, :v)", {":v": L(S("x"))})
    with invalid(BAD_OPERAND):
        update(ddb, table_s, k, "SET a = list_append(n, :v)", {":v": L(S("x"))})
    with invalid(BAD_OPERAND):
        update(ddb, table_s, k, "SET a = list_append(:v, ss)", {":v": L(S("x"))})
    with invalid_upd("Incorrect operand type for operator or function; operator or function: list_append, operand type: S"):
        update(ddb, table_s, k, "SET a = list_append(:l, :s)", {":l": L(), ":s": S("hi")})
    with invalid_upd("Incorrect operand type for operator or function; operator or function: list_append, operand type: M"):
        update(ddb, table_s, k, "SET a = list_append(:m, :l)", {":l": L(), ":m": {"M": {}}})
    with invalid_upd("Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"):
        update(ddb, table_s, k, "SET a = list_append(:l)", {":l": L()})
    with invalid_upd("The function is not allowed to be used this way in an expression; function: list_append"):
        update(ddb, table_s, k, "SET a = list_append(list_append(:x, :y), :z)", {":x": L(), ":y": L(), ":z": L()})
    assert get(ddb, table_s, k) == dict(k, n=N("7"), ss={"SS": ["x"]})


def test_function_names(ddb, table_s):
    with invalid_upd("Invalid function name; function: LIST_APPEND"):
        update(ddb, table_s, key(), "SET a = LIST_APPEND(:x, :y)", {":x": L(), ":y": L()})
    with invalid_upd("Invalid function name; function: f"):
        update(ddb, table_s, key(), "SET a = f(b, c, d)")
    with invalid_upd("The function is not allowed in an update expression; function: size"):
        update(ddb, table_s, key(), "SET a = size(b)")


# ---- nested paths --------------------------------------------------------------------------------------


def test_set_nested_paths(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"M": {"b": L(N("0"), N("1"), {"M": {"c": S("old")}}), "x": N("1")}}))
    r = update(ddb, table_s, k, "SET a.b[2].c = :v, a.b[2].d = :w, a.#y = :w", {":v": S("new"), ":w": N("9")},
               names={"#y": "y.z"}, rv="ALL_NEW")
    want = dict(k, a={"M": {"b": L(N("0"), N("1"), {"M": {"c": S("new"), "d": N("9")}}), "x": N("1"), "y.z": N("9")}})
    assert r == {"Attributes": want}
    assert get(ddb, table_s, k) == want


def test_set_nested_replaces_whole_value(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"M": {"b": N("3"), "c": {"M": {"one": N("1")}}}}))
    update(ddb, table_s, k, "SET a.c = :v", {":v": N("7")})
    assert get(ddb, table_s, k) == dict(k, a={"M": {"b": N("3"), "c": N("7")}})


def test_dot_inside_a_name_is_literal(ddb, table_s):
    k = key()
    update(ddb, table_s, k, "SET #a = :v", {":v": N("3")}, names={"#a": "a.b"})
    assert get(ddb, table_s, k) == dict(k, **{"a.b": N("3")})


@pytest.mark.parametrize("expr", [
    "SET s.c = :v",      # not a map
    "SET l.c = :v",      # a list, not a map
    "SET q.c = :v",      # missing
    "SET m.q.c = :v",    # missing inside a map
    "SET s[0] = :v",     # not a list
    "SET q[0] = :v",     # missing
    "SET m.x[0] = :v",   # a map, not a list
    "REMOVE s.c",
    "REMOVE q.c",
    "REMOVE q[0]",
    "REMOVE l[0].c",     # list element is a number
])
def test_invalid_document_path(ddb, table_s, expr):
    k = key()
    item = dict(k, s=S("hello"), l=L(N("1")), m={"M": {"x": {"M": {}}}})
    ddb.put_item(TableName=table_s, Item=item)
    with invalid(BAD_PATH):
        update(ddb, table_s, k, expr, {":v": N("7")} if ":v" in expr else None)
    assert get(ddb, table_s, k) == item


def test_nested_set_on_missing_item(ddb, table_s):
    k = key()
    with invalid(BAD_PATH):
        update(ddb, table_s, k, "SET c.c = :v", {":v": N("7")})
    with invalid(BAD_PATH):
        update(ddb, table_s, k, "SET b[0] = :v", {":v": N("7")})
    assert get(ddb, table_s, k) is None


def test_list_index_past_end_appends(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=L(S("one"), S("two"), S("three"))))
    update(ddb, table_s, k, "SET a[7] = :v", {":v": S("hello")})
    assert get(ddb, table_s, k)["a"] == L(S("one"), S("two"), S("three"), S("hello"))
    update(ddb, table_s, k, "SET a[84] = :a1, a[37] = :a2, a[17] = :a3, a[50] = :a4",
           {":a1": S("a1"), ":a2": S("a2"), ":a3": S("a3"), ":a4": S("a4")})
    assert get(ddb, table_s, k)["a"] == L(*[S(x) for x in ["one", "two", "three", "hello", "a3", "a2", "a4", "a1"]])


def test_set_list_element(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=L(S("one"), S("two"), S("three"))))
    update(ddb, table_s, k, "SET a[1] = :v, a[0] = a[2]", {":v": S("hello")})
    assert get(ddb, table_s, k)["a"] == L(S("three"), S("hello"), S("three"))


# ---- REMOVE --------------------------------------------------------------------------------------------


def test_remove(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("x"), b=S("y"), c=S("z")))
    update(ddb, table_s, k, "REMOVE a, c, nope")
    assert get(ddb, table_s, k) == dict(k, b=S("y"))


def test_remove_nested(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"M": {"b": N("3"), "c": L(S("hi"), {"M": {
        "x": {"M": {"y": L(N("3"), N("5"), N("7"))}}, "q": N("2")}})}}))
    update(ddb, table_s, k, "REMOVE a.c[1].x.y[1], a.c[1].q, a.nope")
    assert get(ddb, table_s, k)["a"] == {"M": {"b": N("3"), "c": L(S("hi"), {"M": {"x": {"M": {"y": L(N("3"), N("7"))}}}})}}


@pytest.mark.parametrize("expr,values,result", [
    ("REMOVE a[1]", None, ["2", "4", "5", "6", "7"]),
    ("REMOVE a[1], a[3]", None, ["2", "4", "6", "7"]),            # indexes of the list before the update
    ("REMOVE a[3], a[1]", None, ["2", "4", "6", "7"]),
    ("REMOVE a[1] SET a[3] = :v", {":v": N("17")}, ["2", "4", "17", "6", "7"]),
    ("SET a[3] = :v REMOVE a[1]", {":v": N("17")}, ["2", "4", "17", "6", "7"]),
    ("REMOVE a[17]", None, ["2", "3", "4", "5", "6", "7"]),        # past the end: nothing
    ("REMOVE a[0], a[1], a[2], a[3], a[4], a[5]", None, []),
])
def test_remove_list_elements(ddb, table_s, expr, values, result):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=L(*[N(x) for x in ["2", "3", "4", "5", "6", "7"]])))
    update(ddb, table_s, k, expr, values)
    assert get(ddb, table_s, k) == dict(k, a=L(*[N(x) for x in result]))


def test_remove_last_member_leaves_empty_container(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, m={"M": {"b": N("1")}}, l=L(N("1"))))
    update(ddb, table_s, k, "REMOVE m.b, l[0]")
    assert get(ddb, table_s, k) == dict(k, m={"M": {}}, l=L())


def test_remove_on_missing_item_does_not_create_it(ddb, table_s):
    k = key()
    assert update(ddb, table_s, k, "REMOVE a", rv="ALL_NEW") == {}
    assert update(ddb, table_s, k, "REMOVE x.y") == {}
    assert update(ddb, table_s, k, "REMOVE x[0]") == {}
    assert get(ddb, table_s, k) is None


# ---- ADD ---------------------------------------------------------------------------------------------


def test_add_numbers(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("3")))
    update(ddb, table_s, k, "ADD a :v", {":v": N("4")})
    update(ddb, table_s, k, "ADD b :v", {":v": N("-2.5")})     # missing: as if added to 0
    update(ddb, table_s, k, "ADD a :v, b :w", {":v": N("-7"), ":w": N("2.5")})
    assert get(ddb, table_s, k) == dict(k, a=N("0"), b=N("0"))


def test_add_creates_item(ddb, table_s):
    k = key()
    update(ddb, table_s, k, "ADD n :v, s :s", {":v": N("8"), ":s": {"SS": ["cat"]}})
    assert get(ddb, table_s, k) == dict(k, n=N("8"), s={"SS": ["cat"]})


def test_add_sets(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, ss={"SS": ["beaver", "lynx", "coati"]}, ns={"NS": ["1", "2"]},
                                              bs={"BS": [b"\x01"]}))
    update(ddb, table_s, k, "ADD ss :ss, ns :ns, bs :bs",
           {":ss": {"SS": ["coati", "beaver", "badger"]}, ":ns": {"NS": ["2", "3", "4"]}, ":bs": {"BS": [b"\x02", b"\x01"]}})
    assert norm(get(ddb, table_s, k)) == norm(dict(k, ss={"SS": ["badger", "beaver", "coati", "lynx"]},
                                                   ns={"NS": ["1", "2", "3", "4"]}, bs={"BS": [b"\x01", b"\x02"]}))


@pytest.mark.parametrize("value,word", [
    (S("hello"), "STRING"), ({"B": b"a"}, "BINARY"), ({"BOOL": True}, "BOOLEAN"), ({"NULL": True}, "NULL"),
    (L(N("1")), "LIST"), ({"M": {"a": N("1")}}, "MAP"),
])
def test_add_operand_of_wrong_type(ddb, table_s, value, word):
    # AWS appends the allowed type set (", typeSet: ALLOWED_FOR_ADD_OPERAND"), as quoted in user reports of this error.
    with invalid_upd(f"Incorrect operand type for operator or function; operator: ADD, operand type: {word}, typeSet: ALLOWED_FOR_ADD_OPERAND"):
        update(ddb, table_s, key(), "ADD a :v", {":v": value})


@pytest.mark.parametrize("stored,value", [
    (S("hi"), N("1")),                      # number to a string
    ({"NS": ["1"]}, N("1")),                # number to a set
    ({"SS": ["a"]}, {"NS": ["1"]}),         # set of another type
    (L(N("1")), {"NS": ["3"]}),             # set to a list
    (N("1"), {"SS": ["a"]}),                # set to a number
])
def test_add_to_attribute_of_wrong_type(ddb, table_s, stored, value):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=stored))
    with invalid(BAD_OPERAND):
        update(ddb, table_s, k, "ADD a :v", {":v": value})
    assert get(ddb, table_s, k) == dict(k, a=stored)


# ---- DELETE ------------------------------------------------------------------------------------------


def test_delete_from_sets(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"SS": ["dog", "cat", "mouse"]}, n={"NS": ["1", "2", "3"]}, b=S("hi")))
    update(ddb, table_s, k, "DELETE a :v, n :w", {":v": {"SS": ["cat", "mouse"]}, ":w": {"NS": ["2", "9"]}})
    assert norm(get(ddb, table_s, k)) == norm(dict(k, a={"SS": ["dog"]}, n={"NS": ["1", "3"]}, b=S("hi")))
    update(ddb, table_s, k, "DELETE a :v", {":v": {"SS": ["pig"]}})           # absent element: nothing
    update(ddb, table_s, k, "DELETE a :v", {":v": {"SS": ["dog"]}})           # emptied: attribute removed
    update(ddb, table_s, k, "DELETE q :v", {":v": {"SS": ["dog"]}})           # missing attribute: nothing
    assert norm(get(ddb, table_s, k)) == norm(dict(k, n={"NS": ["1", "3"]}, b=S("hi")))


@pytest.mark.parametrize("value,word", [
    (S("hello"), "STRING"), (N("1"), "NUMBER"), ({"B": b"a"}, "BINARY"), ({"BOOL": False}, "BOOLEAN"),
    ({"NULL": True}, "NULL"), (L(N("1")), "LIST"), ({"M": {}}, "MAP"),
])
def test_delete_operand_of_wrong_type(ddb, table_s, value, word):
    with invalid_upd(f"Incorrect operand type for operator or function; operator: DELETE, operand type: {word}, typeSet: ALLOWED_FOR_DELETE_OPERAND"):
        update(ddb, table_s, key(), "DELETE a :v", {":v": value})


@pytest.mark.parametrize("stored,value", [
    ({"SS": ["1"]}, {"NS": ["1"]}),
    (N("1"), {"NS": ["1"]}),
    ({"M": {"x": N("1")}}, {"SS": ["x"]}),
])
def test_delete_from_attribute_of_wrong_type(ddb, table_s, stored, value):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=stored))
    with invalid(BAD_OPERAND):
        update(ddb, table_s, k, "DELETE a :v", {":v": value})


# ---- keys, overlaps, clauses -------------------------------------------------------------------------


@pytest.mark.parametrize("expr,values,names", [
    ("SET p = :v", {":v": S("x")}, None),
    ("SET #k = :v", {":v": S("x")}, {"#k": "p"}),
    ("REMOVE p", None, None),
    ("ADD p :n", {":n": N("1")}, None),
    ("DELETE p :s", {":s": {"SS": ["x"]}}, None),
    ("SET a = :v REMOVE p", {":v": S("x")}, None),
])
def test_cannot_update_hash_key(ddb, table_s, expr, values, names):
    k = key()
    with invalid("One or more parameter values were invalid: Cannot update attribute p. This attribute is part of the key"):
        update(ddb, table_s, k, expr, values, names)
    assert get(ddb, table_s, k) is None


@pytest.mark.parametrize("expr,values", [
    ("SET c = :v", {":v": S("x")}),
    ("REMOVE c", None),
])
def test_cannot_update_range_key(ddb, table_ss, expr, values):
    k = {"p": {"S": uniq()}, "c": S("c")}
    with invalid("One or more parameter values were invalid: Cannot update attribute c. This attribute is part of the key"):
        update(ddb, table_ss, k, expr, values)


OVERLAP = "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {}, path two: {}"
CONFLICT = "Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {}, path two: {}"


@pytest.mark.parametrize("expr,names,message", [
    ("SET a = :v REMOVE a", None, OVERLAP.format("[a]", "[a]")),
    ("REMOVE a SET a = :v", None, OVERLAP.format("[a]", "[a]")),
    ("SET a = :v, a = :w", None, OVERLAP.format("[a]", "[a]")),
    ("SET #x = :v, #y = :w", {"#x": "a", "#y": "a"}, OVERLAP.format("[a]", "[a]")),
    ("SET a = :v, a.b = :w", None, OVERLAP.format("[a]", "[a, b]")),
    ("SET a.b = :v, a = :w", None, OVERLAP.format("[a, b]", "[a]")),
    ("SET a.b.c = :v, a.b = :w", None, OVERLAP.format("[a, b, c]", "[a, b]")),
    ("SET a[1] = :v, a[1][2] = :w", None, OVERLAP.format("[a, [1]]", "[a, [1], [2]]")),
    ("SET a = :v ADD a :w", None, OVERLAP.format("[a]", "[a]")),
    ("SET a.b = :v, a[1] = :w", None, CONFLICT.format("[a, b]", "[a, [1]]")),
    ("SET a.b.c = :v, a.b[2] = :w", None, CONFLICT.format("[a, b, c]", "[a, b, [2]]")),
])
def test_overlapping_and_conflicting_paths(ddb, table_s, expr, names, message):
    # checked on the expression alone: the item does not exist
    values = {":v": N("1")}
    if ":w" in expr:
        values[":w"] = N("2")
    with invalid_upd(message):
        update(ddb, table_s, key(), expr, values, names)


def test_remove_same_path_twice(ddb, table_s):
    with invalid_upd(OVERLAP.format("[a]", "[a]")):
        update(ddb, table_s, key(), "REMOVE a, b, a")


def test_non_overlapping_nested_updates(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"M": {"x": N("3"), "y": N("4"), "c": {"M": {"y": N("3")}}}},
                                              b={"M": {"x": N("1"), "y": N("2")}}))
    update(ddb, table_s, k, "SET a.b = :v1, a.c.d = :v2, b.x = :v3 REMOVE a.x, b.y",
           {":v1": N("10"), ":v2": S("dog"), ":v3": N("17")})
    assert get(ddb, table_s, k) == dict(k, a={"M": {"y": N("4"), "b": N("10"), "c": {"M": {"y": N("3"), "d": S("dog")}}}},
                                        b={"M": {"x": N("17")}})


@pytest.mark.parametrize("expr,clause", [
    ("SET a = :v SET b = :v", "SET"),
    ("SET a = :v REMOVE c SET b = :v", "SET"),
    ("REMOVE a SET b = :v REMOVE c", "REMOVE"),
    ("ADD a :n SET b = :v ADD c :n", "ADD"),
    ("DELETE a :s SET b = :v DELETE c :s", "DELETE"),
])
def test_each_clause_once(ddb, table_s, expr, clause):
    values = {k: v for k, v in {":v": S("x"), ":n": N("1"), ":s": {"SS": ["x"]}}.items() if k in expr}
    with invalid_upd(f'The "{clause}" section can only be used once in an update expression;'):
        update(ddb, table_s, key(), expr, values)


def test_all_four_clauses_any_order_any_case(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, r=S("gone"), s={"SS": ["a", "b"]}, n=N("1")))
    update(ddb, table_s, k, "  dElEtE s :d   add n :one remove r   Set x = :x  ",
           {":d": {"SS": ["a"]}, ":one": N("1"), ":x": S("new")})
    assert get(ddb, table_s, k) == dict(k, s={"SS": ["b"]}, n=N("2"), x=S("new"))


@pytest.mark.parametrize("expr,message", [
    ("SET _123 = :v", 'Syntax error; token: "_", near: "SET _123"'),
    ("SET a = :v,", 'Syntax error; token: "<EOF>", near: ","'),
])
def test_syntax_error_exact(ddb, table_s, expr, message):
    with invalid_upd(message):
        update(ddb, table_s, key(), expr, {":v": N("1")})


@pytest.mark.parametrize("expr", [
    "HELLO b = :v", "SET a", "SET a :v", "SET :v = a", "SET a = :v REMOVE", "REMOVE a = :v", "ADD a", "DELETE a",
    "SET a[:v] = a", "SET a = b * :v", "SET 123a = :v", "SET a-b = :v", "SET a = if_not_exists(b, :v + :v)",
])
def test_syntax_errors(ddb, table_s, expr):
    with invalid_upd(pattern=r'Syntax error; token: "[^"]*"(, near: "[^"]*")?'):
        update(ddb, table_s, key(), expr, {":v": N("1")} if ":v" in expr else None)


# ---- UpdateItem without updates, ReturnValues ----------------------------------------------------------


def test_update_without_update_creates_key_only_item(ddb, table_s):
    k = key()
    assert strip(ddb.update_item(TableName=table_s, Key=k)) == {}
    assert get(ddb, table_s, k) == k
    assert strip(ddb.update_item(TableName=table_s, Key=k, ReturnValues="ALL_NEW")) == {"Attributes": k}


def test_return_values_none(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hi"), b=S("dog")))
    assert update(ddb, table_s, k, "SET b = :v", {":v": S("cat")}) == {}
    assert update(ddb, table_s, k, "SET b = :v", {":v": S("cow")}, rv="NONE") == {}


def test_return_values_all_old(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hi"), b=S("dog")))
    assert update(ddb, table_s, k, "SET b = :v", {":v": S("cat")}, rv="ALL_OLD") == {"Attributes": dict(k, a=S("hi"), b=S("dog"))}
    assert update(ddb, table_s, key(), "SET b = :v", {":v": S("cat")}, rv="ALL_OLD") == {}


def test_return_values_updated_old(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hi"), b=S("dog")))
    assert update(ddb, table_s, k, "SET b = :v, c = :w", {":v": S("cat"), ":w": S("hello")}, rv="UPDATED_OLD") == \
        {"Attributes": {"b": S("dog")}}
    # same value again still counts as updated
    assert update(ddb, table_s, k, "SET b = :v", {":v": S("cat")}, rv="UPDATED_OLD") == {"Attributes": {"b": S("cat")}}
    assert update(ddb, table_s, k, "REMOVE b", rv="UPDATED_OLD") == {"Attributes": {"b": S("cat")}}
    assert update(ddb, table_s, k, "SET b = :v", {":v": S("cat")}, rv="UPDATED_OLD") == {}
    assert update(ddb, table_s, k, "SET b = :v, d = :w", {":v": S("dog"), ":w": S("lion")}, rv="UPDATED_OLD") == \
        {"Attributes": {"b": S("cat")}}


def test_return_values_all_new(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hi"), b=S("dog")))
    assert update(ddb, table_s, k, "SET b = :v", {":v": S("cat")}, rv="ALL_NEW") == {"Attributes": dict(k, a=S("hi"), b=S("cat"))}
    assert update(ddb, table_s, k, "REMOVE b", rv="ALL_NEW") == {"Attributes": dict(k, a=S("hi"))}
    k2 = key()
    assert update(ddb, table_s, k2, "SET b = :v", {":v": S("cat")}, rv="ALL_NEW") == {"Attributes": dict(k2, b=S("cat"))}


def test_return_values_updated_new(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("hi"), b=S("dog")))
    assert update(ddb, table_s, k, "SET b = :v, c = :w", {":v": S("cat"), ":w": S("hello")}, rv="UPDATED_NEW") == \
        {"Attributes": {"b": S("cat"), "c": S("hello")}}
    assert update(ddb, table_s, k, "REMOVE b", rv="UPDATED_NEW") == {}
    assert update(ddb, table_s, k, "SET a = :v, b = :w REMOVE c", {":v": S("dog"), ":w": S("tiger")}, rv="UPDATED_NEW") == \
        {"Attributes": {"a": S("dog"), "b": S("tiger")}}
    # a new item: the key is not part of UPDATED_NEW
    assert update(ddb, table_s, key(), "SET a = :v", {":v": N("1")}, rv="UPDATED_NEW") == {"Attributes": {"a": N("1")}}


def test_return_values_add_delete(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, n=N("3"), s={"SS": ["a", "b"]}))
    r = update(ddb, table_s, k, "ADD n :one", {":one": N("1")}, rv="ALL_NEW")
    assert norm(r["Attributes"]) == dict(k, n=N("4"), s={"SS": ["a", "b"]})
    r = update(ddb, table_s, k, "ADD n :one DELETE s :a", {":one": N("1"), ":a": {"SS": ["a"]}}, rv="UPDATED_OLD")
    assert norm(r["Attributes"]) == {"n": N("4"), "s": {"SS": ["a", "b"]}}
    r = update(ddb, table_s, k, "DELETE s :b", {":b": {"SS": ["b"]}}, rv="UPDATED_NEW")
    assert r == {}   # the set emptied and the attribute is gone
    assert get(ddb, table_s, k) == dict(k, n=N("5"))


def test_return_values_nested(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a={"M": {"b": S("dog"), "c": L(N("1"), N("2"), N("3"))}}, d=S("cat")))
    assert update(ddb, table_s, k, "SET a.b = :v", {":v": S("hi")}, rv="UPDATED_OLD") == {"Attributes": {"a": {"M": {"b": S("dog")}}}}
    assert update(ddb, table_s, k, "SET a.c[1] = :v", {":v": N("7")}, rv="UPDATED_OLD") == {"Attributes": {"a": {"M": {"c": L(N("2"))}}}}
    assert update(ddb, table_s, k, "SET a.c[1] = :v, a.b = :w", {":v": N("8"), ":w": S("yo")}, rv="UPDATED_NEW") == \
        {"Attributes": {"a": {"M": {"b": S("yo"), "c": L(N("8"))}}}}
    assert update(ddb, table_s, k, "SET a.x1 = :v", {":v": N("8")}, rv="UPDATED_OLD") == {}
    assert update(ddb, table_s, k, "SET a.x2 = :v", {":v": N("8")}, rv="UPDATED_NEW") == {"Attributes": {"a": {"M": {"x2": N("8")}}}}
    # a list append past the end is not reported by UPDATED_NEW ...
    assert update(ddb, table_s, k, "SET a.c[100] = :v", {":v": N("70")}, rv="UPDATED_NEW") == {}
    # ... and after REMOVE a.c[1], UPDATED_NEW reports the element that moved into a.c[1]
    assert update(ddb, table_s, k, "REMOVE a.c[1]", rv="UPDATED_NEW") == {"Attributes": {"a": {"M": {"c": L(N("3"))}}}}
    assert update(ddb, table_s, k, "SET a.b = :v", {":v": S("hi")}, rv="ALL_NEW") == {"Attributes": dict(
        k, a={"M": {"b": S("hi"), "c": L(N("1"), N("3"), N("70")), "x1": N("8"), "x2": N("8")}}, d=S("cat"))}


def test_return_values_bad_value(ddb, table_s):
    with raises(VE, pattern=(r"1 validation error detected: Value 'SOME' at 'returnValues' failed to satisfy constraint: "
                             r"Member must satisfy enum value set: \[[A-Z_, ]+\]")):
        update(ddb, table_s, key(), "SET a = :v", {":v": N("1")}, rv="SOME")
