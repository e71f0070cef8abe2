"""Robustness: malformed, mutated and deeply nested requests never crash or hang the server.

A deterministic (seeded) black-box fuzz of every operation dynarock serves. For each operation a
few valid request bodies (with every nested structure the operation takes) are mutated:
- every JSON node, at every depth (the root, members, list elements, attribute values inside
  nested M/L), is replaced in turn by each of null, true, false, 0, -1, 1.5, 1e400, "", "x",
  a 70 KB string, [], [null], {}, {"S":"x"};
- every member and list element is deleted in turn; every list element is duplicated; every
  object gets an unknown member and a repeated member name;
- a few hundred random byte-level corruptions of the bodies;
- deep nesting (arrays, objects, M and L attribute values) up to 10,000 levels, closed and
  unclosed.

Every answer must be HTTP 200 or 400 with a JSON body (an error carries a `__type` in a known
namespace that is not InternalServerError, and a string message if any), within a few seconds,
on a connection that was not dropped; after every batch the server must still answer GET /.

The suite starts its own dynarock process (a crash then does not take the rest of the session
down, and its log can be shown), so it is marked needs_process (skipped whenever
DYNAROCK_ENDPOINT is set) and dynarock_only: it must never run against real DynamoDB, as it
creates and deletes tables. Seed: $DYNAROCK_ROBUST_SEED (default below). Failing requests are
written, exactly as sent, to robustness-failures.jsonl in the test's temporary directory.
"""
import base64
import copy
import http.client
import json
import os
import random
import socket
import subprocess
import time
import zlib

import pytest

import dynarock_util as du

pytestmark = [pytest.mark.dynarock_only, pytest.mark.needs_process]

SEED = os.environ.get("DYNAROCK_ROBUST_SEED", "dynarock-robustness-1")
TIMEOUT = 5.0                 # seconds per request: longer than this counts as a hang
MAX_MUTATIONS_PER_OP = 4000   # structural mutations are sampled down to this per operation
CORRUPTIONS_PER_OP = 40       # byte-level corruptions per operation (15 operations -> 600)
EMPTY_ANSWER_OPS = ("TagResource", "UntagResource")  # DynamoDB answers these with an empty body
KNOWN_NAMESPACES = ("com.amazon.coral.validate#", "com.amazon.coral.service#",
                    "com.amazonaws.dynamodb.v20120810#", "com.amazon.coral.availability#")


class Raw:
    """A JSON token emitted verbatim (for text json.dumps cannot produce, such as 1e400)."""
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return self.text


class DupMember:
    """An object written with one member name twice: the pairs are emitted in order."""

    def __init__(self, pairs):
        self.pairs = pairs

    def __deepcopy__(self, memo):
        return DupMember(copy.deepcopy(self.pairs, memo))


def dumps(node):
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, DupMember):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in node.pairs) + "}"
    if isinstance(node, dict):
        return "{" + ",".join(json.dumps(k) + ":" + dumps(v) for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ",".join(dumps(v) for v in node) + "]"
    return json.dumps(node)


BIG = "y" * (70 * 1024)
REPLACEMENTS = [
    ("null", None), ("true", True), ("false", False), ("0", 0), ("-1", -1), ("1.5", 1.5),
    ("1e400", Raw("1e400")), ('""', ""), ('"x"', "x"), ("70KB string", BIG), ("[]", []),
    ("[null]", [None]), ("{}", {}), ('{"S":"x"}', {"S": "x"}),
]

# ---------------------------------------------------------------------------------------------
# Base bodies. Placeholders (@T@ ...) are replaced by the current table names at send time.
# ---------------------------------------------------------------------------------------------

PT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
ITEM_KEY = {"p": {"S": "pk1"}, "c": {"N": "42"}}
ITEM = {
    "p": {"S": "pk1"}, "c": {"N": "42"}, "g": {"S": "gv"}, "l": {"N": "-1.5e3"},
    "s": {"S": "caf\u00e9 \U0001f600"}, "n": {"N": "123.456"}, "b": {"B": "AAEC/w=="},
    "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2.5", "-3e10"]}, "bs": {"BS": ["AA==", "AQ=="]},
    "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
    "m": {"M": {"k": {"S": "v"}, "l": {"L": [{"N": "1"}, {"M": {"d": {"BOOL": False}, "e": {"B": "AQID"}}}]}}},
    "lst": {"L": [{"S": "x"}, {"SS": ["q"]}, {"L": []}, {"M": {}}, {"NULL": True}]},
}
ITEM_B = {"p": {"B": "AAEC"}, "x": {"NS": ["7"]}, "y": {"L": [{"BS": ["AA=="]}, {"M": {"q": {"N": "0"}}}]}}

TABLE_T = {  # the item table: hash + range, a GSI and an LSI
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                             {"AttributeName": "c", "AttributeType": "N"},
                             {"AttributeName": "g", "AttributeType": "S"},
                             {"AttributeName": "l", "AttributeType": "N"}],
    "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
    "GlobalSecondaryIndexes": [{"IndexName": "gsi1",
                                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}}],
    "LocalSecondaryIndexes": [{"IndexName": "lsi1",
                               "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                             {"AttributeName": "l", "KeyType": "RANGE"}],
                               "Projection": {"ProjectionType": "KEYS_ONLY"}}],
    "BillingMode": "PAY_PER_REQUEST",
}
TABLE_TB = {  # binary hash key only
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "B"}],
    "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}
TABLE_U = {  # provisioned table with a GSI, target of UpdateTable
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                             {"AttributeName": "g", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"},
                                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
    "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
}
TABLE_SIMPLE = {
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}

CREATE_FULL = {
    "TableName": "@NEW@",
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                             {"AttributeName": "c", "AttributeType": "N"},
                             {"AttributeName": "g", "AttributeType": "S"},
                             {"AttributeName": "l", "AttributeType": "N"}],
    "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
    "LocalSecondaryIndexes": [{"IndexName": "lsi1",
                               "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                             {"AttributeName": "l", "KeyType": "RANGE"}],
                               "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b"]}}],
    "GlobalSecondaryIndexes": [{"IndexName": "gsi1",
                                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                              {"AttributeName": "c", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"},
                                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}},
                               {"IndexName": "gsi2",
                                "KeySchema": [{"AttributeName": "l", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "KEYS_ONLY"},
                                "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}}],
    "BillingMode": "PROVISIONED",
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    "Tags": [{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": ""}],
    "TableClass": "STANDARD",
    "DeletionProtectionEnabled": False,
}
CREATE_ON_DEMAND = {
    "TableName": "@NEW@",
    "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "B"},
                             {"AttributeName": "g", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [{"IndexName": "gsi_b",
                                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                              {"AttributeName": "p", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": False},
    "Tags": [{"Key": "env", "Value": "test"}],
}

BASE_BODIES = {
    "CreateTable": [CREATE_FULL, CREATE_ON_DEMAND],
    "DescribeTable": [{"TableName": "@T@"}],
    "ListTables": [{"ExclusiveStartTableName": "@T@", "Limit": 5}, {}],
    "DeleteTable": [{"TableName": "@VICTIM@"}],
    "UpdateTable": [
        {"TableName": "@U@", "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
         "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
         "DeletionProtectionEnabled": False, "TableClass": "STANDARD_INFREQUENT_ACCESS"},
        {"TableName": "@U@",
         "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"},
                                  {"AttributeName": "h", "AttributeType": "N"}],
         "GlobalSecondaryIndexUpdates": [
             {"Create": {"IndexName": "gsi_new", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a"]},
                         "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}},
             {"Update": {"IndexName": "gsi1", "ProvisionedThroughput": {"ReadCapacityUnits": 2,
                                                                        "WriteCapacityUnits": 2}}}]},
    ],
    "TagResource": [{"ResourceArn": "@ARN@", "Tags": [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": ""}]}],
    "UntagResource": [{"ResourceArn": "@ARN@", "TagKeys": ["a", "zzz"]}],
    "ListTagsOfResource": [{"ResourceArn": "@ARN@"}],
    "UpdateTimeToLive": [{"TableName": "@TTL@",
                          "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}}],
    "DescribeTimeToLive": [{"TableName": "@TTL@"}],
    "DescribeLimits": [{}],
    "DescribeEndpoints": [{}],
    "PutItem": [
        {"TableName": "@T@", "Item": ITEM, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "TOTAL",
         "ReturnItemCollectionMetrics": "SIZE"},
        {"TableName": "@TB@", "Item": ITEM_B, "ReturnConsumedCapacity": "INDEXES"},
    ],
    "GetItem": [
        {"TableName": "@T@", "Key": ITEM_KEY, "ConsistentRead": True, "ReturnConsumedCapacity": "TOTAL"},
        {"TableName": "@TB@", "Key": {"p": {"B": "AAEC"}}, "ReturnConsumedCapacity": "INDEXES"},
    ],
    "DeleteItem": [
        {"TableName": "@T@", "Key": ITEM_KEY, "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES",
         "ReturnItemCollectionMetrics": "SIZE"},
    ],
    "Query": [
        {"TableName": "@T@", "KeyConditionExpression": "#p = :p AND c BETWEEN :a AND :b",
         "FilterExpression": "size(#s) > :n OR attribute_exists(m.l[1].d)", "ProjectionExpression": "p, c, m.k, lst[0]",
         "ExpressionAttributeNames": {"#p": "p", "#s": "s"},
         "ExpressionAttributeValues": {":p": {"S": "pk1"}, ":a": {"N": "-1e3"}, ":b": {"N": "100"}, ":n": {"N": "1"}},
         "ExclusiveStartKey": {"p": {"S": "pk1"}, "c": {"N": "0"}}, "Limit": 5, "ScanIndexForward": False,
         "ReturnConsumedCapacity": "INDEXES"},
        {"TableName": "@T@", "IndexName": "lsi1", "Select": "ALL_ATTRIBUTES", "ConsistentRead": True,
         "KeyConditions": {"p": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "pk1"}]},
                           "l": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "0"}]}},
         "QueryFilter": {"t": {"ComparisonOperator": "EQ", "AttributeValueList": [{"BOOL": True}]},
                         "ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]}},
         "ConditionalOperator": "OR", "ReturnConsumedCapacity": "TOTAL"},
        {"TableName": "@T@", "IndexName": "gsi1", "KeyConditionExpression": "g = :g",
         "ExpressionAttributeValues": {":g": {"S": "gv"}}, "Select": "COUNT",
         "ExclusiveStartKey": {"p": {"S": "pk1"}, "c": {"N": "1"}, "g": {"S": "gv"}}},
    ],
    "BatchWriteItem": [
        {"RequestItems": {"@T@": [{"PutRequest": {"Item": ITEM}},
                                  {"DeleteRequest": {"Key": {"p": {"S": "zz"}, "c": {"N": "1"}}}}],
                          "@TB@": [{"PutRequest": {"Item": ITEM_B}}]},
         "ReturnConsumedCapacity": "INDEXES", "ReturnItemCollectionMetrics": "SIZE"},
    ],
    "BatchGetItem": [
        {"RequestItems": {"@T@": {"Keys": [ITEM_KEY], "ProjectionExpression": "p, #c, m.k",
                                  "ExpressionAttributeNames": {"#c": "c"}, "ConsistentRead": True},
                          "@TB@": {"Keys": [{"p": {"B": "AAEC"}}], "AttributesToGet": ["p", "x"]}},
         "ReturnConsumedCapacity": "TOTAL"},
    ],
    "TransactWriteItems": [
        {"TransactItems": [
            {"ConditionCheck": {"TableName": "@T@", "Key": ITEM_KEY, "ConditionExpression": "attribute_exists(p)"}},
            {"Put": {"TableName": "@TB@", "Item": ITEM_B, "ConditionExpression": "attribute_not_exists(zz) OR #x = :v",
                     "ExpressionAttributeNames": {"#x": "x"}, "ExpressionAttributeValues": {":v": {"NS": ["7"]}},
                     "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Update": {"TableName": "@T@", "Key": {"p": {"S": "pk2"}, "c": {"N": "1"}},
                        "UpdateExpression": "SET g = :g ADD n :one",
                        "ExpressionAttributeValues": {":g": {"S": "gv"}, ":one": {"N": "1"}}}},
            {"Delete": {"TableName": "@T@", "Key": {"p": {"S": "pk3"}, "c": {"N": "2"}}}}],
         "ClientRequestToken": "robust-token-1", "ReturnConsumedCapacity": "INDEXES",
         "ReturnItemCollectionMetrics": "SIZE"},
    ],
    "TransactGetItems": [
        {"TransactItems": [{"Get": {"TableName": "@T@", "Key": ITEM_KEY, "ProjectionExpression": "p, m.l[1]"}},
                           {"Get": {"TableName": "@TB@", "Key": {"p": {"B": "AAEC"}}}}],
         "ReturnConsumedCapacity": "TOTAL"},
    ],
    "Scan": [
        {"TableName": "@T@", "Segment": 1, "TotalSegments": 3, "FilterExpression": "contains(ss, :v)",
         "ExpressionAttributeValues": {":v": {"S": "a"}}, "Limit": 10, "ReturnConsumedCapacity": "INDEXES"},
        {"TableName": "@T@", "IndexName": "gsi1", "AttributesToGet": ["p", "g", "n"],
         "ScanFilter": {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "1"}, {"N": "200"}]}},
         "ExclusiveStartKey": {"p": {"S": "pk1"}, "c": {"N": "42"}, "g": {"S": "gv"}}},
    ],
}
OPERATIONS = sorted(BASE_BODIES)

# ---------------------------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------------------------


def walk(node, path=()):
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, path + (i,))


def show(path):
    return "/" + "/".join(str(p) for p in path)


def edit(body, path, fn):
    """A copy of `body` with fn(parent, key) applied at `path` (path must not be the root)."""
    b = copy.deepcopy(body)
    parent = b
    for p in path[:-1]:
        parent = parent[p]
    fn(parent, path[-1])
    return b


def structural_mutations(body):
    """(label, body) for every replacement, deletion and duplication of every node."""
    out = []
    for path, node in walk(body):
        for label, value in REPLACEMENTS:
            if path == ():
                out.append((f"root := {label}", copy.deepcopy(value)))
            else:
                def put(parent, key, value=value):
                    parent[key] = copy.deepcopy(value)
                out.append((f"{show(path)} := {label}", edit(body, path, put)))
        if path:
            def drop(parent, key):
                del parent[key]
            out.append((f"delete {show(path)}", edit(body, path, drop)))
        if isinstance(node, list) and node:
            for i in range(len(node)):
                def dup(parent, key, i=i):
                    parent[key].insert(i + 1, copy.deepcopy(parent[key][i]))
                out.append((f"duplicate {show(path + (i,))}", edit(body, path, dup)))

            def double(parent, key):
                parent[key] = parent[key] + copy.deepcopy(parent[key])
            out.append((f"double {show(path)}", edit(body, path, double)))
        if isinstance(node, dict):
            def extra(parent, key):
                parent[key]["Zz_unknown"] = "x"
            def repeat(parent, key):
                d = parent[key]
                k0, v0 = next(iter(d.items()))
                parent[key] = DupMember(list(d.items()) + [(k0, copy.deepcopy(v0))])
            def repeat_other(parent, key):
                d = parent[key]
                k0 = next(iter(d))
                parent[key] = DupMember(list(d.items()) + [(k0, "x")])
            if path:
                out.append((f"unknown member in {show(path)}", edit(body, path, extra)))
                if node:
                    out.append((f"repeat first member of {show(path)}", edit(body, path, repeat)))
                    out.append((f"repeat first member of {show(path)} as \"x\"",
                                edit(body, path, repeat_other)))
            else:
                b = copy.deepcopy(body)
                b["Zz_unknown"] = "x"
                out.append(("unknown member at root", b))
                if body:
                    k0 = next(iter(body))
                    out.append(("repeat first root member as \"x\"", DupMember(list(body.items()) + [(k0, "x")])))
    return out


INSERT_TOKENS = [b"\x00", b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b'"', b"\\", b"{", b"}", b"[", b"]", b",", b":",
                 b"\\u0000", b"\\ud800", b"\\udc00\\ud800", b"\\u", b"\\x41", b"1e400", b"-0e-99999", b"9" * 400,
                 b"NaN", b"Infinity", b"nul", b"tru", b"\t\r\n ", b"/*c*/", b"\xef\xbb\xbf", b"\"\":",
                 b",]", b",}"]


def corrupt(data, rng):
    """Apply 1 to 4 random byte-level corruptions."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(8)
        pos = rng.randint(0, len(b))
        if kind == 0 and b:  # flip a bit
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and b:  # random byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif kind == 2:  # insert a token
            b[pos:pos] = rng.choice(INSERT_TOKENS)
        elif kind == 3 and b:  # delete a range
            n = rng.randint(1, 16)
            del b[pos:pos + n]
        elif kind == 4:  # truncate
            del b[pos:]
        elif kind == 5 and b:  # duplicate a range
            n = rng.randint(1, 64)
            b[pos:pos] = b[pos:pos + n]
        elif kind == 6:  # random bytes
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 7 and len(b) > 2:  # swap two bytes
            i, j = rng.randrange(len(b)), rng.randrange(len(b))
            b[i], b[j] = b[j], b[i]
    return bytes(b)


DEPTHS = [31, 32, 33, 100, 1000, 10000]


def nest_array(d, leaf="1"):
    return "[" * d + leaf + "]" * d


def nest_object(d, leaf="1"):
    return '{"a":' * d + leaf + "}" * d


def nest_m(d):
    return '{"M":{"a":' * d + '{"S":"x"}' + "}}" * d


def nest_l(d):
    return '{"L":[' * d + '{"S":"x"}' + "]}" * d


def nest_mixed(d, rng):
    opens, closes = [], []
    for _ in range(d):
        if rng.random() < 0.5:
            opens.append("["), closes.append("]")
        else:
            opens.append('{"k":'), closes.append("}")
    return "".join(opens) + "null" + "".join(reversed(closes))


def deep_cases(op, rng):
    """(label, text) of deeply nested bodies for `op`; texts still contain placeholders."""
    base = BASE_BODIES[op][0]
    out = []
    for d in DEPTHS:
        out.append((f"root array depth {d}", nest_array(d)))
        out.append((f"root object depth {d}", nest_object(d)))
        out.append((f"unclosed arrays depth {d}", "[" * d))
        out.append((f"unclosed objects depth {d}", '{"a":' * d))
    # a deep value in place of each top-level member (and of a new member)
    members = list(base) + ["Zz_unknown"]
    for d in (100, 10000):
        for m in members:
            for shape, text in (("array", nest_array(d)), ("object", nest_object(d))):
                b = dict(base)
                b[m] = Raw(text)
                out.append((f"{m} := {shape} depth {d}", dumps(b)))
    # attribute values nested as M and L, inside items and keys
    if op in ("PutItem", "GetItem", "DeleteItem"):
        member = "Item" if op == "PutItem" else "Key"
        for d in DEPTHS:
            for shape, text in (("M", nest_m(d)), ("L", nest_l(d))):
                b = copy.deepcopy(base)
                b[member] = dict(b[member], deep=Raw(text))
                out.append((f"{member}.deep := {shape} depth {d}", dumps(b)))
                b = copy.deepcopy(base)
                b[member] = dict(b[member], deep=Raw(text[:len(text) // 2]))
                out.append((f"{member}.deep := unclosed {shape} depth {d}", dumps(b)))
    # items at the nesting limit (32 levels) whose innermost values are empty or hold more
    # containers, followed by another attribute: they are stored, so the answers that write them
    # back out (PutItem ALL_OLD, and the GetItem read-back) are exercised too
    if op == "PutItem":
        leaves = ['{"S":"x"}', '{"M":{}}', '{"L":[]}', '{"M":{"q":{"L":[]}}}', '{"L":[{"M":{}}]}',
                  '{"SS":["a","b"]}', '{"M":{"a":{"S":"1"},"b":{"NULL":true}}}']
        for d in (29, 30, 31):
            for leaf in leaves:
                for shape, text in (("M", '{"M":{"a":' * d + leaf + "}}" * d),
                                    ("L", '{"L":[' * d + leaf + "]}" * d)):
                    b = copy.deepcopy(base)
                    b["Item"] = dict(b["Item"], deep=Raw(text), zz={"S": "after"})
                    out.append((f"Item.deep := {shape} depth {d} around {leaf}", dumps(b)))
                    out.append((f"Item.deep := {shape} depth {d} around {leaf} (again, for ALL_OLD)", dumps(b)))
    # random mixtures of arrays and objects in a random member
    for i in range(6):
        d = rng.choice([50, 500, 5000, 10000])
        m = rng.choice(members)
        b = dict(base)
        b[m] = Raw(nest_mixed(d, rng))
        out.append((f"{m} := random nesting depth {d} #{i}", dumps(b)))
    return out


# ---------------------------------------------------------------------------------------------
# The server under test and the checks
# ---------------------------------------------------------------------------------------------


class Harness:
    """Own dynarock process, the tables the bodies name, sending and checking."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.srv = None
        self.raw = None
        self.names = {}
        self.counter = 0
        self.leftovers = []
        self.failures_path = tmp / "robustness-failures.jsonl"
        self.start()

    # -- process --

    def start(self):
        self.srv = du.Server(["--in-memory"], self.tmp / f"server{self.counter}.log").start()
        self.raw = du.RawClient(self.srv.url, du.REGION, du.static_credentials())
        self.names = {}
        self.setup_tables()

    def alive(self):
        if self.srv.proc.poll() is not None:
            return False
        try:
            status, body = du.http_get(self.srv.url, timeout=TIMEOUT)
        except OSError:
            return False
        return status == 200 and body.startswith(b"healthy")

    def restart(self):
        self.srv.kill()
        self.srv.stop()
        self.counter += 1
        self.start()

    # -- tables --

    def fresh_name(self, tag):
        self.counter += 1
        return f"compat_robust_{tag}_{self.counter:06d}"

    def ok(self, op, payload):
        r = self.raw.call(op, payload)
        assert r.status == 200, (op, payload, r)
        return r.json() if r.body else {}

    def create(self, tag, spec):
        name = self.fresh_name(tag)
        self.ok("CreateTable", dict(copy.deepcopy(spec), TableName=name))
        for _ in range(500):
            if self.ok("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE":
                break
            time.sleep(0.01)
        return name

    def setup_tables(self):
        self.names["@T@"] = self.create("t", TABLE_T)
        self.names["@TB@"] = self.create("tb", TABLE_TB)
        self.names["@U@"] = self.create("u", TABLE_U)
        self.names["@TTL@"] = self.create("ttl", TABLE_SIMPLE)
        self.names["@VICTIM@"] = self.create("victim", TABLE_SIMPLE)
        self.names["@ARN@"] = self.ok("DescribeTable", {"TableName": self.names["@T@"]})["Table"]["TableArn"]
        self.ok("TagResource", {"ResourceArn": self.names["@ARN@"], "Tags": [{"Key": "a", "Value": "1"}]})
        self.put_base_items()

    def put_base_items(self):
        self.ok("PutItem", {"TableName": self.names["@T@"], "Item": ITEM})
        self.ok("PutItem", {"TableName": self.names["@TB@"], "Item": ITEM_B})

    def rotate(self, placeholder, tag, spec):
        """Point `placeholder` at a new table (the old one changed state), delete the old one."""
        old = self.names[placeholder]
        self.names[placeholder] = self.create(tag, spec)
        self.drop_table(old)

    def drop_table(self, name):
        try:
            self.raw.call("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
            r = self.raw.call("DeleteTable", {"TableName": name})
            if r.status != 200 and r.error_code != "ResourceNotFoundException":
                self.leftovers.append(name)
        except OSError:
            self.leftovers.append(name)

    def after_success(self, op, data, resp):
        """Undo the state change of a request that succeeded, so later mutations see the base
        state; after a PutItem, read the item back. Returns a problem found on the way, or None."""
        if op == "CreateTable":
            name = resp.get("TableDescription", {}).get("TableName")
            if isinstance(name, str):
                self.drop_table(name)
        elif op == "DeleteTable":
            self.names["@VICTIM@"] = self.create("victim", TABLE_SIMPLE)
        elif op == "UpdateTable":
            self.rotate("@U@", "u", TABLE_U)
        elif op == "UpdateTimeToLive":
            self.rotate("@TTL@", "ttl", TABLE_SIMPLE)
        elif op in ("DeleteItem", "BatchWriteItem", "TransactWriteItems"):
            self.put_base_items()
        elif op == "PutItem":
            try:
                req = json.loads(data)
                key = {k: req["Item"][k] for k in ("p", "c") if k in req["Item"]}
                get = {"TableName": req["TableName"], "Key": key, "ReturnConsumedCapacity": "TOTAL"}
            except (ValueError, KeyError, TypeError):
                return None
            r, problem = self.send("GetItem", json.dumps(get).encode())
            if problem:
                return f"reading the item back with GetItem {get}: {problem}"
        return None

    def substitute(self, text):
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if "@NEW@" in text:
            text = text.replace("@NEW@", self.fresh_name("new"))
        for ph, name in self.names.items():
            text = text.replace(ph, name)
        return text.encode("utf-8")

    def cleanup(self):
        if self.srv is None or not self.alive():
            return
        for name in self.leftovers:
            self.drop_table(name)

    # -- sending and checking --

    def send(self, op, data):
        """Send one body; return (RawResponse or None, problem or None)."""
        conn = self.raw.connection(timeout=TIMEOUT)
        t0 = time.monotonic()
        try:
            r = self.raw.request(body=data, target=f"DynamoDB_20120810.{op}", conn=conn)
        except (socket.timeout, TimeoutError):
            return None, f"no answer within {TIMEOUT}s"
        except (http.client.HTTPException, OSError) as e:
            return None, f"connection failed after {time.monotonic() - t0:.2f}s: {e!r}"
        finally:
            conn.close()
        return r, check_response(op, r)

    def run_batch(self, op, cases):
        """Send every (label, body) case -- bytes are sent as they are, a str has its placeholders
        replaced first -- and fail with a summary of every problem found."""
        problems = []
        for label, data in cases:
            if isinstance(data, str):
                data = self.substitute(data)
            r, problem = self.send(op, data)
            if problem is None and r.status == 200:
                problem = self.after_success(op, data, r.json() if r.body else {})
            if problem is None:
                continue
            rec = {"operation": op, "label": label, "problem": problem,
                   "status": r.status if r else None,
                   "response": r.body[:500].decode("utf-8", "replace") if r else None,
                   "body_b64": base64.b64encode(data).decode(),
                   "body_preview": data[:400].decode("utf-8", "replace")}
            problems.append(rec)
            if not self.alive():
                try:
                    self.srv.proc.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
                rec["server_log"] = self.srv.log_tail()
                rec["exit_code"] = self.srv.proc.poll()
                self.restart()
        alive = self.alive()
        if problems:
            with open(self.failures_path, "a") as f:
                for rec in problems:
                    f.write(json.dumps(rec) + "\n")
        if not alive:
            log = self.srv.log_tail()
            self.restart()
            pytest.fail(f"server not healthy after the {op} batch:\n{log}")
        if problems:
            lines = [f"{len(problems)} of {len(cases)} {op} requests misbehaved "
                     f"(all written to {self.failures_path}):"]
            for rec in problems[:10]:
                lines.append(f"- [{rec['label']}] {rec['problem']}; status={rec['status']} "
                             f"response={rec['response']!r}\n  body={rec['body_preview'][:300]!r}")
                if "exit_code" in rec:
                    lines.append(f"  server exited with {rec['exit_code']}; log tail:\n"
                                 + rec["server_log"][-3000:])
            pytest.fail("\n".join(lines), pytrace=False)


def check_response(op, r):
    """None if the answer is well-formed, else what is wrong with it."""
    if r.status not in (200, 400):
        return f"HTTP {r.status}"
    crc = r.headers.get("x-amz-crc32")
    if crc is not None and int(crc) != zlib.crc32(r.body):
        return f"x-amz-crc32 {crc} does not match the body"
    if r.status == 200 and not r.body and op in EMPTY_ANSWER_OPS:
        return None
    try:
        j = json.loads(r.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return f"body is not JSON: {e}"
    if not isinstance(j, dict):
        return "body is not a JSON object"
    if r.status == 200:
        if "__type" in j:
            return "HTTP 200 with an error __type"
        return None
    t = j.get("__type")
    if not isinstance(t, str) or not t.startswith(KNOWN_NAMESPACES):
        return f"error without a known __type: {t!r}"
    if t.endswith("#InternalServerError"):
        return "InternalServerError"
    for k in ("message", "Message"):
        if k in j and not isinstance(j[k], str):
            return f"{k} is not a string"
    return None


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    h = Harness(tmp_path_factory.mktemp("robustness"))
    yield h
    h.cleanup()
    h.srv.stop()


def rng_for(kind, op):
    return random.Random(f"{SEED}:{kind}:{op}")


# ---------------------------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("op", OPERATIONS)
def test_base_bodies_are_accepted(harness, op):
    """The unmutated bodies succeed (or name a feature dynarock does not serve yet), so the
    mutations below start from requests that reach the deep code paths."""
    for body in BASE_BODIES[op]:
        data = harness.substitute(dumps(body))
        r, problem = harness.send(op, data)
        assert problem is None, (problem, r)
        if r.status == 200:
            assert harness.after_success(op, data, r.json() if r.body else {}) is None
        else:
            assert r.error_code == "ValidationException" and "not supported" in r.error_message, (body, r)


@pytest.mark.parametrize("op", OPERATIONS)
def test_structural_mutations(harness, op):
    cases = []
    for i, body in enumerate(BASE_BODIES[op]):
        cases += [(f"body{i}: {label}", m) for label, m in structural_mutations(body)]
    if len(cases) > MAX_MUTATIONS_PER_OP:
        cases = rng_for("sample", op).sample(cases, MAX_MUTATIONS_PER_OP)
    harness.run_batch(op, [(label, dumps(m)) for label, m in cases])


@pytest.mark.parametrize("op", OPERATIONS)
def test_byte_corruptions(harness, op):
    rng = rng_for("bytes", op)
    cases = []
    for i in range(CORRUPTIONS_PER_OP):
        body = rng.choice(BASE_BODIES[op])
        data = harness.substitute(dumps(body))
        cases.append((f"corruption #{i}", corrupt(data, rng)))
    harness.run_batch(op, cases)


@pytest.mark.parametrize("op", OPERATIONS)
def test_deep_nesting(harness, op):
    rng = rng_for("deep", op)
    harness.run_batch(op, deep_cases(op, rng))
