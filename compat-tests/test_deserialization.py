"""Deserialization before validation (issue 17, section 1).

DynamoDB reads a request body into the operation's input structure before it validates anything, with a
streaming deserializer: a member of the wrong JSON type anywhere in the body, at any depth (inside Item and
Key values, Expected, ExpressionAttributeValues, QueryFilter, KeyConditions, RequestItems, TransactItems,
GSI updates...), is a SerializationException, the first one in the body's order, even when a required
member such as TableName is missing or another member breaks a constraint.

The messages are the deserializer's, by the JSON token found and the type expected (recorded against AWS
in dynalite's test suite and in the captures issue 17 cites): `NUMBER_VALUE cannot be converted to String`
(DECIMAL_VALUE for a number with a fraction or an exponent, TRUE_VALUE / FALSE_VALUE / STRING_VALUE for the
others), `Start of structure or map found where not expected` for an object where a scalar or a list is
expected, `Unrecognized collection type class java.lang.String` for a list where a scalar is expected,
`Start of list found where not expected` for a list where a structure or map is expected, `Expected null`,
`Expected list or null`, `Expected map or null` for a scalar where a structure, list or map is expected.

The table-driven test walks every operation dynarock serves through the service model Debian's botocore
ships (the same model scripts/gen_shapes.py reads) and sends, for every top-level member, a value of each
wrong JSON type, next to a bad TableName (a constraint error that must lose).
"""
import json

import pytest

import dynarock_util as du

MODEL = "/usr/lib/python3/dist-packages/botocore/data/dynamodb/2012-08-10/service-2.json"
SER = "com.amazon.coral.service#SerializationException"


def expected(value, kind):
    """The deserializer's message for JSON `value` where a member of model type `kind` is expected, or None
    when the value is acceptable."""
    if value is None:
        return None
    if isinstance(value, bool):
        token = "TRUE_VALUE" if value else "FALSE_VALUE"
    elif isinstance(value, (int, float)):
        token = "DECIMAL_VALUE" if isinstance(value, float) else "NUMBER_VALUE"
    elif isinstance(value, str):
        token = "STRING_VALUE"
    else:
        token = None
    if kind == "structure":
        if isinstance(value, dict):
            return None
        return "Start of list found where not expected" if isinstance(value, list) else "Expected null"
    if kind == "map":
        if isinstance(value, dict):
            return None
        return "Start of list found where not expected" if isinstance(value, list) else "Expected map or null"
    if kind == "list":
        if isinstance(value, list):
            return None
        return "Start of structure or map found where not expected" if isinstance(value, dict) else \
            "Expected list or null"
    java = {"string": ("String", "java.lang.String"), "integer": ("Integer", "java.lang.Integer"),
            "long": ("Long", "java.lang.Long"), "boolean": ("Boolean", "java.lang.Boolean"),
            "blob": ("Blob", "java.nio.ByteBuffer")}[kind]
    if isinstance(value, dict):
        return "Start of structure or map found where not expected"
    if isinstance(value, list):
        return f"Unrecognized collection type class {java[1]}"
    ok = {"string": str, "blob": str, "boolean": bool}.get(kind)
    if kind in ("integer", "long"):
        # a number with a fraction is read and truncated (the project's recorded choice, docs/compatibility.md)
        return None if isinstance(value, (int, float)) and not isinstance(value, bool) else \
            f"{token} cannot be converted to {java[0]}"
    return None if isinstance(value, ok) else f"{token} cannot be converted to {java[0]}"


WRONG = [5, 34.56, True, "x", {}, []]


def served_operations():
    model = json.load(open(MODEL))
    ops = []
    for name, op in sorted(model["operations"].items()):
        if name in ("CreateTable", "UpdateTable", "DeleteTable", "DescribeTable", "ListTables", "PutItem",
                    "GetItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
                    "TransactGetItems", "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement",
                    "ExecuteTransaction", "TagResource", "UntagResource", "ListTagsOfResource",
                    "UpdateTimeToLive", "DescribeTimeToLive", "DescribeLimits", "DescribeEndpoints"):
            shape = model["shapes"][op["input"]["shape"]] if "input" in op else {"members": {}}
            for member, spec in sorted(shape["members"].items()):
                kind = model["shapes"][spec["shape"]]["type"]
                ops.append((name, member, kind))
    return ops


CASES = [(op, member, kind, value) for op, member, kind in served_operations() for value in WRONG
         if expected(value, kind) is not None and kind not in ("double", "timestamp")]


@pytest.mark.parametrize("op,member,kind,value", CASES,
                         ids=[f"{o}.{m}={json.dumps(v)}" for o, m, k, v in CASES])
def test_wrong_type_of_every_member_wins_over_validation(raw, op, member, kind, value):
    body = {member: value}
    if member != "TableName":
        body = {"TableName": "x", **body}  # 1 character: a constraint error, which must lose
    r = raw.call(op, body)
    assert r.status == 400, r
    assert r.json() == {"__type": SER, "Message": expected(value, kind)}, (body, r.json())


def call(raw, op, body):
    r = raw.call(op, json.dumps(body))
    return r.status, r.json()


def test_item_value_type_wins_over_missing_table_name(raw):
    assert call(raw, "PutItem", {"Item": {"a": {"S": 5}}}) == \
        (400, {"__type": SER, "Message": "NUMBER_VALUE cannot be converted to String"})
    assert call(raw, "GetItem", {"Key": {"a": {"N": 3.5}}}) == \
        (400, {"__type": SER, "Message": "DECIMAL_VALUE cannot be converted to String"})
    assert call(raw, "DeleteItem", {"Key": {"a": {"L": {}}}}) == \
        (400, {"__type": SER, "Message": "Start of structure or map found where not expected"})
    assert call(raw, "PutItem", {"Item": {"a": {"M": []}}}) == \
        (400, {"__type": SER, "Message": "Start of list found where not expected"})
    assert call(raw, "PutItem", {"Item": {"a": {"SS": ["x", 1]}}}) == \
        (400, {"__type": SER, "Message": "NUMBER_VALUE cannot be converted to String"})
    assert call(raw, "PutItem", {"Item": {"a": {"B": "not base64!"}}}) == \
        (400, {"__type": SER, "Message": "'not base64!' can not be converted to a Blob: Base64 encoded length is "
                                          "expected a multiple of 4 bytes but found: 11"})


def test_deep_members_are_typed_before_validation(raw):
    # inside Expected, ExpressionAttributeValues, QueryFilter, KeyConditions, RequestItems, TransactItems
    cases = [
        ("PutItem", {"TableName": "x", "Item": {}, "Expected": {"a": {"Value": {"S": True}}}},
         "TRUE_VALUE cannot be converted to String"),
        ("PutItem", {"Item": {}, "ExpressionAttributeValues": {":v": {"N": 1}}},
         "NUMBER_VALUE cannot be converted to String"),
        ("Query", {"QueryFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": []}]}}},
         "Unrecognized collection type class java.lang.String"),
        ("Query", {"KeyConditions": {"a": {"ComparisonOperator": 7}}}, "NUMBER_VALUE cannot be converted to String"),
        ("BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": {"a": {"BOOL": "yes"}}}}]}},
         "STRING_VALUE cannot be converted to Boolean"),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": [{"a": {"S": "x"}}], "ConsistentRead": "no"}}},
         "STRING_VALUE cannot be converted to Boolean"),
        ("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": 1, "Item": {}}}]},
         "NUMBER_VALUE cannot be converted to String"),
        ("UpdateTable", {"GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "i", "ProvisionedThroughput":
                                                                     {"ReadCapacityUnits": "1"}}}]},
         "STRING_VALUE cannot be converted to Long"),
        ("UpdateItem", {"AttributeUpdates": {"a": {"Action": "PUT", "Value": {"NS": "1"}}}}, "Expected list or null"),
    ]
    for op, body, message in cases:
        assert call(raw, op, body) == (400, {"__type": SER, "Message": message}), (op, body)


def test_first_wrong_member_in_the_body_wins(raw):
    # a streaming deserializer stops at the first member it cannot read, in the body's order
    status, body = call(raw, "PutItem", {"ReturnValues": 5, "Item": {"a": {"S": True}}})
    assert (status, body) == (400, {"__type": SER, "Message": "NUMBER_VALUE cannot be converted to String"})
    status, body = call(raw, "PutItem", {"Item": {"a": {"S": True}}, "ReturnValues": 5})
    assert (status, body) == (400, {"__type": SER, "Message": "TRUE_VALUE cannot be converted to String"})


def test_null_and_unknown_members_are_skipped(raw, table_s):
    status, body = call(raw, "GetItem", {"TableName": table_s, "Key": {"p": {"S": "nobody"}},
                                         "ProjectionExpression": None, "NoSuchMember": {"S": 5}})
    assert (status, body) == (200, {})
