"""Validation shared by all expression parameters: syntax errors, undefined and unused #names and
:values, reserved words, empty expressions, the 4 KB limit, malformed ExpressionAttributeNames /
ExpressionAttributeValues, and mixing legacy with expression parameters.

Envelope: an AWS capture (eu-west-2, in a public emulator's tests) shows PutItem/UpdateItem wrapping
these messages in '1 validation error detected: '; captures from us-east-1 (ExtendDB) and dynalite show
them bare. Every check here uses envelope=True, which accepts exactly those two forms.

Messages and sources:
- 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"' — a public client library's
  test recording the real DynamoDB answer to ConditionExpression "foo". Other syntax errors: the prefix
  'Syntax error; token: "<t>"' is stable; the ', near: "..."' part is absent in some captures, so it is
  optional in the patterns.
- 'Invalid ConditionExpression: The expression has redundant parentheses;' — AWS capture (eu-west-2) in a
  public emulator; dynalite conditionParser.
- 'An expression attribute value used in expression is not defined; attribute value: :x', 'An expression
  attribute name used in the document path is not defined; attribute name: #x' — dynalite
  updateItem.js, ExtendDB (AWS) for the Projection variant, scylladb comments.
- 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}' (and Names, '{#x}') —
  scylladb comments (AWS), dynalite (several keys: order unspecified).
- 'Attribute name is a reserved keyword; reserved keyword: status' — dynalite updateItem.js; AWS error
  reports for 'count'/'Comment'; ExtendDB test_validation_precedence.py (AWS) for 'SET status'.
- 'The expression can not be empty;' — dynalite.
- 'ExpressionAttributeNames must not be empty', 'ExpressionAttributeValues must not be empty',
  'ExpressionAttributeNames can only be specified when using expressions' — moto (get_item), dynalite.
- 'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null'
  — dynalite deleteItem.js, AWS capture (eu-west-2). UpdateItem: dynalite has '...: UpdateExpression and
  ConditionExpression are null', the capture '...: UpdateExpression is null and ConditionExpression is
  null'; both accepted.
- 'ExpressionAttributeNames contains invalid key: Syntax error; key: "#a-b"', '... The expression
  attribute map contains a key that is too long; size of key: 256', 'ExpressionAttributeNames contains
  invalid value: Empty attribute name for key #a', 'ExpressionAttributeValues contains invalid key: ...',
  'ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain
  exactly one of the supported datatypes for key :v' — ExtendDB
  tests/test_expression_attribute_map_validation.py (captured from AWS, us-east-1).
- 'ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An
  string set  may not be empty for key :v' (two spaces) — AWS capture (eu-west-2); dynalite. Numbers:
  '... The parameter cannot be converted to a numeric value: abc for key :v', '... Number overflow. ...
  for key :v' — dynalite; ExtendDB (AWS) confirms the parts. {NULL: false}: dynalite wraps it per key,
  the eu-west-2 capture shows the bare item-value message; both accepted.
- 'Can not use both expression and non-expression parameters in the same request: Non-expression
  parameters: {Expected} Expression parameters: {ConditionExpression}' and the order of several names
  ({AttributeUpdates, Expected, ConditionalOperator} / {UpdateExpression, ConditionExpression}) —
  dynalite, ExtendDB tests/test_conditional_operator.py (run against AWS), scylladb comments.
- 'Expression size has exceeded the maximum allowed size;' with an optional ' expression size: N' —
  ExtendDB test_expression_size_limit.py (AWS us-east-1: Condition has the suffix, Update does not) and
  an eu-west-2 capture (both have it); 4,096 bytes are accepted.
- Expression validation happens before the table lookup: ValidationException, not
  ResourceNotFoundException, for a missing table — ExtendDB test_validation_precedence.py (AWS).
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"


def uniq():
    return du.unique_name("k")


def key():
    return {"p": {"S": uniq()}}


def get(ddb, table, k):
    return ddb.get_item(TableName=table, Key=k, ConsistentRead=True).get("Item")


def invalid(message=None, pattern=None):
    return raises(VE, message, pattern, envelope=True)


def kw(cond=None, update=None, values=None, names=None):
    out = {}
    if cond is not None:
        out["ConditionExpression"] = cond
    if update is not None:
        out["UpdateExpression"] = update
    if values is not None:
        out["ExpressionAttributeValues"] = values
    if names is not None:
        out["ExpressionAttributeNames"] = names
    return out


N = lambda x: {"N": x}  # noqa: E731
S = lambda x: {"S": x}  # noqa: E731
SYNTAX = r'Syntax error; token: "[^"]*"(, near: "[^"]*")?'


# ---- syntax ------------------------------------------------------------------------------------------


def test_bare_name_is_not_a_condition(ddb, table_s):
    with invalid('Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"'):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="foo")


@pytest.mark.parametrize("cond", [
    "a = ", "a == :v", "a =", "(a = :v", "a = :v)", "a = :v AND", "AND a = :v", "a = :v b = :v",
    "a <> :v OR OR b = :v", "NOT", "a BETWEEN :v", "a BETWEEN :v :v", "a IN :v", "a IN (:v,)",
    "attribute_exists(", "begins_with a, :v", "a[:v] = :v", "a[#n] = :v", "a.  = :v", "_a = :v", "1a = :v",
    "a = :v;", "a != :v", "a = 'x'", "a = 5",
])
def test_condition_syntax_errors(ddb, table_s, cond):
    values = {":v": N("1")} if ":v" in cond else None
    names = {"#n": "x"} if "#n" in cond else None
    with invalid(pattern="Invalid ConditionExpression: " + SYNTAX):
        ddb.put_item(TableName=table_s, Item=key(), **kw(cond, values=values, names=names))


def test_double_quote_is_a_syntax_error(ddb, table_s):
    # the token itself is a double quote, so it shows as """
    with invalid(pattern='Invalid ConditionExpression: Syntax error; token: """(, near: "[^"]*"[^"]*")?'):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression='a = "x"')


def test_attribute_type_of_a_value(ddb, table_s):
    # AWS accepts a value as attribute_type's first operand and tests the value's own type (issue 17, from
    # recordings newer than dynalite's, whose parser wanted a path); the other functions still need one
    ddb.put_item(TableName=table_s, Item=key(), **kw("attribute_type(:v, :t)", values={":v": N("0"), ":t": S("N")}))
    with raises("ConditionalCheckFailedException", "The conditional request failed"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("attribute_type(:v, :t)",
                                                         values={":v": N("0"), ":t": S("S")}))
    with invalid("Invalid ConditionExpression: Operator or function requires a document path; "
                 "operator or function: attribute_exists"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("attribute_exists(:v)", values={":v": N("0")}))


def test_redundant_parentheses(ddb, table_s):
    with invalid("Invalid ConditionExpression: The expression has redundant parentheses;"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("((a = :v))", values={":v": S("x")}))


def test_single_parentheses_are_fine(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("x")), **kw("(attribute_not_exists(a)) AND (p <> :v)", values={":v": S("x")}))
    assert get(ddb, table_s, k) == dict(k, a=S("x"))


def test_whitespace_and_case(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("1")))
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("2")),
                 **kw("\n\ta\t=\r\n:v  aNd  NoT a  bEtWeEn :w AnD :w", values={":v": N("1"), ":w": N("5")}))
    assert get(ddb, table_s, k) == dict(k, a=N("2"))


# ---- #names and :values ------------------------------------------------------------------------------


def test_undefined_value(ddb, table_s):
    with invalid("Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="a = :x")
    with invalid("Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :x"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("a = :x", values={":y": N("1")}))
    with invalid("Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :x"):
        ddb.update_item(TableName=table_s, Key=key(), UpdateExpression="SET a = :x")


def test_undefined_name(ddb, table_s):
    with invalid("Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("#x = :v", values={":v": N("1")}))
    with invalid("Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #name"):
        ddb.update_item(TableName=table_s, Key=key(), **kw(update="SET #name = :v", values={":v": N("4")}, names={"#wrong": "a"}))
    with invalid("Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #b"):
        ddb.delete_item(TableName=table_s, Key=key(), **kw("#a.#b = :v", values={":v": N("1")}, names={"#a": "a"}))


def test_unused_value(ddb, table_s):
    msg = "Value provided in ExpressionAttributeValues unused in expressions: keys: {:val3}"
    with invalid(msg):
        ddb.put_item(TableName=table_s, Item=key(), **kw("#n = :val1", values={":val1": N("1"), ":val3": N("3")}, names={"#n": "a"}))
    with invalid(msg):
        ddb.delete_item(TableName=table_s, Key=key(), **kw("a = :val1", values={":val1": N("1"), ":val3": N("3")}))
    with invalid(msg):
        ddb.update_item(TableName=table_s, Key=key(), **kw("b = :val2", "SET a = :val1", {":val1": N("1"), ":val2": N("2"), ":val3": N("3")}))


def test_unused_name(ddb, table_s):
    msg = "Value provided in ExpressionAttributeNames unused in expressions: keys: {#name3}"
    with invalid(msg):
        ddb.put_item(TableName=table_s, Item=key(), **kw("#name1 = :v", values={":v": N("1")}, names={"#name1": "a", "#name3": "c"}))
    with invalid(msg):
        ddb.update_item(TableName=table_s, Key=key(), **kw("#name2 = :v", "SET #name1 = :v", {":v": N("1")},
                                                           {"#name1": "a", "#name2": "b", "#name3": "c"}))


def test_several_unused(ddb, table_s):
    with invalid(pattern=r"Value provided in ExpressionAttributeValues unused in expressions: keys: \{(:a, :c|:c, :a)\}"):
        ddb.update_item(TableName=table_s, Key=key(), **kw("b = :b", "REMOVE a", {":a": S("a"), ":b": S("b"), ":c": S("c")}))
    with invalid(pattern=r"Value provided in ExpressionAttributeNames unused in expressions: keys: \{(#a, #b|#b, #a)\}"):
        ddb.update_item(TableName=table_s, Key=key(), **kw("a = :b", "REMOVE a", {":b": S("b")}, {"#a": "a", "#b": "b"}))


def test_unused_is_checked_before_the_condition(ddb, table_s):
    # the condition would fail, but the unused value is reported (before reading the item)
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, b=N("2")))
    with invalid("Value provided in ExpressionAttributeValues unused in expressions: keys: {:val3}"):
        ddb.put_item(TableName=table_s, Item=k, **kw("b = :val2", values={":val2": N("9"), ":val3": N("3")}))
    assert get(ddb, table_s, k) == dict(k, b=N("2"))


def test_names_used_in_a_short_circuited_branch_count_as_used(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=N("1")))
    ddb.update_item(TableName=table_s, Key=k, **kw("#n1 = :v1 OR #n2 = :v2", "SET #n1 = :v3",
                                                   {":v1": N("1"), ":v2": N("2"), ":v3": N("3")}, {"#n1": "a", "#n2": "b"}))
    assert get(ddb, table_s, k) == dict(k, a=N("3"))


def test_names_shared_between_condition_and_update(ddb, table_s):
    k = key()
    ddb.update_item(TableName=table_s, Key=k, **kw("attribute_not_exists(#a)", "SET #a = :v", {":v": S("x")}, {"#a": "a"}))
    assert get(ddb, table_s, k) == dict(k, a=S("x"))


@pytest.mark.parametrize("token", [":Alpha_Numeric_123", ":123a", ":123", ":_"])
def test_value_placeholder_spellings(ddb, table_s, token):
    k = key()
    ddb.update_item(TableName=table_s, Key=k, **kw(update=f"SET a = {token}", values={token: N("8")}))
    assert get(ddb, table_s, k) == dict(k, a=N("8"))


@pytest.mark.parametrize("token", ["#Alpha_Numeric_123", "#123a", "#123", "#_"])
def test_name_placeholder_spellings(ddb, table_s, token):
    k = key()
    silly = "3can include any character!.#= "
    ddb.update_item(TableName=table_s, Key=k, **kw(update=f"SET {token} = :v", values={":v": N("4")}, names={token: silly}))
    assert get(ddb, table_s, k) == dict(k, **{silly: N("4")})


# ---- reserved words ----------------------------------------------------------------------------------


@pytest.mark.parametrize("expr,word", [("SET status = :v", "status"), ("SET a = :v, Count = :v", "Count"),
                                       ("REMOVE a.Comment", "Comment"), ("SET a = :v REMOVE Absolute", "Absolute")])
def test_reserved_word_in_update(ddb, table_s, expr, word):
    values = {":v": N("1")} if ":v" in expr else None
    with invalid(f"Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: {word}"):
        ddb.update_item(TableName=table_s, Key=key(), **kw(update=expr, values=values))


def test_reserved_word_in_condition(ddb, table_s):
    with invalid("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: Comment"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="attribute_exists(Comment)")
    with invalid("Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: name"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("name = :v", values={":v": S("x")}))


def test_reserved_word_through_a_name_is_fine(ddb, table_s):
    k = key()
    ddb.update_item(TableName=table_s, Key=k, **kw("attribute_not_exists(#s)", "SET #s = :v", {":v": S("on")}, {"#s": "status"}))
    assert get(ddb, table_s, k) == dict(k, status=S("on"))


# ---- empty things ------------------------------------------------------------------------------------


def test_empty_expressions(ddb, table_s):
    with invalid("Invalid ConditionExpression: The expression can not be empty;"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="")
    with invalid("Invalid ConditionExpression: The expression can not be empty;"):
        ddb.delete_item(TableName=table_s, Key=key(), ConditionExpression="")
    with invalid("Invalid UpdateExpression: The expression can not be empty;"):
        ddb.update_item(TableName=table_s, Key=key(), UpdateExpression="")
    with invalid("Invalid ConditionExpression: The expression can not be empty;"):
        ddb.update_item(TableName=table_s, Key=key(), **kw("", "SET a = :v", {":v": N("1")}))


def test_blank_expression(ddb, table_s):
    # whitespace only: reported as empty or as a syntax error at <EOF>, depending on the source
    with invalid(pattern=r'Invalid ConditionExpression: (The expression can not be empty;|Syntax error; token: "<EOF>".*)'):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="   ")


def test_empty_maps(ddb, table_s):
    with invalid("ExpressionAttributeNames must not be empty"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("attribute_exists(a)", names={}))
    with invalid("ExpressionAttributeValues must not be empty"):
        ddb.put_item(TableName=table_s, Item=key(), **kw("attribute_exists(a)", values={}))
    with invalid("ExpressionAttributeNames must not be empty"):
        ddb.get_item(TableName=table_s, Key=key(), ProjectionExpression="a", ExpressionAttributeNames={})


def test_maps_without_expressions(ddb, table_s):
    with invalid("ExpressionAttributeNames can only be specified when using expressions"):
        ddb.put_item(TableName=table_s, Item=key(), ExpressionAttributeNames={"#a": "a"})
    with invalid("ExpressionAttributeNames can only be specified when using expressions"):
        ddb.get_item(TableName=table_s, Key=key(), ExpressionAttributeNames={"#a": "a"})
    with invalid("ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"):
        ddb.put_item(TableName=table_s, Item=key(), ExpressionAttributeValues={":v": S("x")})
    with invalid("ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null"):
        ddb.delete_item(TableName=table_s, Key=key(), ExpressionAttributeValues={":v": S("x")})
    with invalid(pattern=r"ExpressionAttributeValues can only be specified when using expressions: "
                         r"(UpdateExpression and ConditionExpression are null|UpdateExpression is null and ConditionExpression is null)"):
        ddb.update_item(TableName=table_s, Key=key(), ExpressionAttributeValues={":v": S("x")})


# ---- malformed map entries -----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a", "#", "#a-b"])
def test_invalid_name_key(ddb_noval, table_s, bad):
    with invalid(f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{bad}"'):
        ddb_noval.get_item(TableName=table_s, Key=key(), ProjectionExpression="#a", ExpressionAttributeNames={"#a": "a", bad: "x"})


@pytest.mark.parametrize("bad", ["b", ":", ":a-b"])
def test_invalid_value_key(ddb_noval, table_s, bad):
    with invalid(f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{bad}"'):
        ddb_noval.put_item(TableName=table_s, Item=key(), ConditionExpression="a = :v",
                           ExpressionAttributeValues={":v": S("x"), bad: S("y")})


def test_too_long_keys(ddb_noval, table_s):
    with invalid("ExpressionAttributeNames contains invalid key: The expression attribute map contains a key that is too long; size of key: 256"):
        ddb_noval.get_item(TableName=table_s, Key=key(), ProjectionExpression="#a", ExpressionAttributeNames={"#" + "a" * 255: "x"})
    with invalid("ExpressionAttributeValues contains invalid key: The expression attribute map contains a key that is too long;"):
        ddb_noval.put_item(TableName=table_s, Item=key(), ConditionExpression="a = :v",
                           ExpressionAttributeValues={":" + "a" * 255: S("x")})


def test_longest_keys_are_fine(ddb, table_s):
    k = key()
    name, value = "#" + "n" * 254, ":" + "v" * 254
    ddb.update_item(TableName=table_s, Key=k, **kw(update=f"SET {name} = {value}", values={value: N("1")}, names={name: "a"}))
    assert get(ddb, table_s, k) == dict(k, a=N("1"))


def test_empty_name_value(ddb_noval, table_s):
    with invalid("ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"):
        ddb_noval.get_item(TableName=table_s, Key=key(), ProjectionExpression="#a", ExpressionAttributeNames={"#a": ""})


@pytest.mark.parametrize("value,message", [
    ({}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes for key :v"),
    ({"S": "a", "N": "1"}, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the "
                           "supported datatypes for key :v"),
    ({"SS": []}, "One or more parameter values were invalid: An string set  may not be empty for key :v"),
    ({"NS": []}, "One or more parameter values were invalid: An number set  may not be empty for key :v"),
    ({"N": "abc"}, "The parameter cannot be converted to a numeric value: abc for key :v"),
    ({"N": "1e126"}, "Number overflow. Attempting to store a number with magnitude larger than supported range for key :v"),
    ({"N": "1e-131"}, "Number underflow. Attempting to store a number with magnitude smaller than supported range for key :v"),
    ({"N": "1" * 39}, "Attempting to store more than 38 significant digits in a Number for key :v"),
])
def test_invalid_value(ddb_noval, table_s, value, message):
    k = key()
    with invalid("ExpressionAttributeValues contains invalid value: " + message):
        ddb_noval.update_item(TableName=table_s, Key=k, UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": value})
    assert get(ddb_noval, table_s, k) is None


def test_invalid_null_value(ddb_noval, table_s):
    with invalid(pattern=r"(ExpressionAttributeValues contains invalid value: )?One or more parameter values were invalid: "
                         r"Null attribute value types must have the value of true( for key :v)?"):
        ddb_noval.update_item(TableName=table_s, Key=key(), UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": {"NULL": False}})


def test_value_used_only_in_condition_is_validated(ddb_noval, table_s):
    with invalid("ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: x1 for key :c"):
        ddb_noval.put_item(TableName=table_s, Item=key(), ConditionExpression="a = :c", ExpressionAttributeValues={":c": {"N": "x1"}})


def test_empty_string_value_is_fine(ddb, table_s):
    k = key()
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("")), **kw("attribute_not_exists(a) OR a = :v", values={":v": S("")}))
    assert get(ddb, table_s, k) == dict(k, a=S(""))


# ---- legacy and expression parameters together -----------------------------------------------------------


MIX = "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}"


def test_mixing_put_and_delete(ddb, table_s):
    with invalid(MIX.format("Expected", "ConditionExpression")):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="attribute_not_exists(p)", Expected={"p": {"Exists": False}})
    with invalid(MIX.format("Expected", "ConditionExpression")):
        ddb.delete_item(TableName=table_s, Key=key(), ConditionExpression="attribute_exists(p)", Expected={"p": {"Exists": False}})
    with invalid(MIX.format("ConditionalOperator", "ConditionExpression")):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="attribute_exists(p)", ConditionalOperator="AND")
    with invalid(MIX.format("Expected, ConditionalOperator", "ConditionExpression")):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="attribute_exists(p)", ConditionalOperator="AND",
                     Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}})


def test_mixing_update(ddb, table_s):
    put_a = {"a": {"Value": N("1"), "Action": "PUT"}}
    with invalid(MIX.format("AttributeUpdates", "UpdateExpression")):
        ddb.update_item(TableName=table_s, Key=key(), AttributeUpdates=put_a, UpdateExpression="SET a = :v",
                        ExpressionAttributeValues={":v": N("1")})
    with invalid(MIX.format("AttributeUpdates", "ConditionExpression")):
        ddb.update_item(TableName=table_s, Key=key(), AttributeUpdates=put_a, ConditionExpression="a = :v",
                        ExpressionAttributeValues={":v": N("2")})
    with invalid(MIX.format("Expected", "UpdateExpression")):
        ddb.update_item(TableName=table_s, Key=key(), UpdateExpression="SET a = :v", ExpressionAttributeValues={":v": N("2")},
                        Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [N("1")]}})
    with invalid(MIX.format("AttributeUpdates, Expected, ConditionalOperator", "UpdateExpression, ConditionExpression")):
        ddb.update_item(TableName=table_s, Key=key(), AttributeUpdates=put_a, ConditionalOperator="AND",
                        Expected={"a": {"ComparisonOperator": "EQ", "AttributeValueList": [S("x")]}},
                        UpdateExpression="SET a = :v", ConditionExpression="attribute_exists(p)",
                        ExpressionAttributeValues={":v": S("x")})


def test_mixing_get(ddb, table_s):
    with invalid(MIX.format("AttributesToGet", "ProjectionExpression")):
        ddb.get_item(TableName=table_s, Key=key(), AttributesToGet=["a"], ProjectionExpression="b")


def test_mixing_beats_unused_values(ddb, table_s):
    with invalid(MIX.format("Expected", "ConditionExpression")):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression="a = :v", Expected={"p": {"Exists": False}},
                     ExpressionAttributeValues={":v": S("x"), ":unused": S("y")})


# ---- 4 KB ----------------------------------------------------------------------------------------------


def test_condition_size_limit(ddb, table_s):
    k = key()
    at_limit = "attribute_not_exists(" + "a" * (4096 - 22) + ")"
    assert len(at_limit.encode()) == 4096
    ddb.put_item(TableName=table_s, Item=k, ConditionExpression=at_limit)
    assert get(ddb, table_s, k) == k
    over = "attribute_not_exists(" + "a" * (4097 - 22) + ")"
    with invalid(pattern=r"Invalid ConditionExpression: Expression size has exceeded the maximum allowed size;( expression size: 4097)?"):
        ddb.put_item(TableName=table_s, Item=key(), ConditionExpression=over)


def test_update_size_limit(ddb, table_s):
    k = key()
    at_limit = "SET " + "a" * (4096 - 9) + " = :v"
    assert len(at_limit) == 4096
    ddb.update_item(TableName=table_s, Key=k, UpdateExpression=at_limit, ExpressionAttributeValues={":v": N("1")})
    assert get(ddb, table_s, k) == dict(k, **{"a" * 4087: N("1")})
    with invalid(pattern=r"Invalid UpdateExpression: Expression size has exceeded the maximum allowed size;( expression size: 4097)?"):
        ddb.update_item(TableName=table_s, Key=key(), UpdateExpression="SET " + "a" * 4088 + " = :v",
                        ExpressionAttributeValues={":v": N("1")})


# ---- validation before the table lookup -------------------------------------------------------------------


def test_expression_errors_before_missing_table(ddb):
    missing = du.unique_name("missing")
    with invalid(pattern="Invalid UpdateExpression: .*"):
        ddb.update_item(TableName=missing, Key=key(), UpdateExpression="SET status = :v", ExpressionAttributeValues={":v": S("x")})
    with invalid(pattern="Invalid ConditionExpression: .*"):
        ddb.put_item(TableName=missing, Item=key(), ConditionExpression="a = ")
    with invalid(pattern="Invalid ProjectionExpression: .*"):
        ddb.get_item(TableName=missing, Key=key(), ProjectionExpression="a, a.b")


def test_valid_expression_on_missing_table(ddb):
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb.put_item(TableName=du.unique_name("missing"), Item=key(), ConditionExpression="attribute_not_exists(p)")


# ---- the mixing rules come before the request's own attribute values (issue 17, section 2) -------------
# dynalite's handlers, written from AWS's answers, check "expression and non-expression parameters" and
# "names/values only with expressions" first, then the Item / Key / ExclusiveStartKey values.

BAD_N = {"N": "abc"}


def test_values_without_expression_before_a_bad_item_value(ddb_noval, table_s):
    with raises(VE, "ExpressionAttributeValues can only be specified when using expressions: "
                "ConditionExpression is null"):
        ddb_noval.put_item(TableName=table_s, Item={"p": S("a"), "x": BAD_N},
                           ExpressionAttributeValues={":v": S("x")})


def test_names_without_expression_before_a_bad_key_value(ddb_noval, table_s):
    with raises(VE, "ExpressionAttributeNames can only be specified when using expressions"):
        ddb_noval.delete_item(TableName=table_s, Key={"p": BAD_N}, ExpressionAttributeNames={"#n": "x"})


def test_mixing_before_a_bad_key_value(ddb_noval, table_s):
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"):
        ddb_noval.update_item(TableName=table_s, Key={"p": BAD_N}, UpdateExpression="SET a = :v",
                              ExpressionAttributeValues={":v": S("x")},
                              AttributeUpdates={"b": {"Action": "PUT", "Value": S("y")}})
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"):
        ddb_noval.get_item(TableName=table_s, Key={"p": BAD_N}, AttributesToGet=["a"], ProjectionExpression="b")
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"):
        ddb_noval.put_item(TableName=table_s, Item={"p": S("a"), "x": BAD_N}, ConditionExpression="attribute_exists(p)",
                           Expected={"p": {"Exists": False}})


def test_mixing_before_a_bad_exclusive_start_key(ddb_noval, table_s):
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}"):
        ddb_noval.scan(TableName=table_s, ExclusiveStartKey={"p": BAD_N}, FilterExpression="a = :v",
                       ExpressionAttributeValues={":v": S("x")},
                       ScanFilter={"b": {"ComparisonOperator": "NULL"}})
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {QueryFilter} Expression parameters: {KeyConditionExpression}"):
        ddb_noval.query(TableName=table_s, ExclusiveStartKey={"p": BAD_N}, KeyConditionExpression="p = :v",
                        ExpressionAttributeValues={":v": S("x")},
                        QueryFilter={"b": {"ComparisonOperator": "NULL"}})
