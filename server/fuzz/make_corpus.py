#!/usr/bin/env python3
"""Write the seed corpora of server/fuzz: corpus_avjson/ (wire items for fuzz_avjson) and
corpus_request/ (fuzz_request inputs: one byte naming the target, then the body).

The target byte is the index in fuzz_request.c's TARGETS table: the operations of server/ops.def
(IMPL and TODO lines in file order), then the three odd targets of EXTRA, then the operations of
server/streams_ops.def; re-run this script if either file changes. Table names are the ones
fuzz_request creates: fz_main (pk S, sk N; GSI gsi1 gpk/gsk; LSI lsi1 pk/lsk; a NEW_AND_OLD_IMAGES
stream) and fz_simple (id S). Streams seeds use fuzz_request's placeholders (@ARN@, @OLD@, @SHARD@,
@OPEN@, @SEQ@, @ITER@: the current stream, shards and an iterator, which no seed can know) as well
as literal ARNs, shard ids and iterators of the right shape."""
import json
import os
import re
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
OPS = re.findall(r"^(?:IMPL|TODO)\((\w+)\)", open(os.path.join(HERE, "..", "ops.def")).read(), re.M)
EXTRA = ["<empty op>", "<streams prefix>", "<no prefix>"]  # the three odd targets after the ops
STREAM_OPS = re.findall(r"^IMPL\((\w+)\)", open(os.path.join(HERE, "..", "streams_ops.def")).read(), re.M)


def write(dirname, seeds):
    d = os.path.join(HERE, dirname)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def js(o):
    return json.dumps(o, separators=(",", ":")).encode()


ITEM = {"pk": {"S": "a"}, "sk": {"N": "1"}, "gpk": {"S": "g"}, "gsk": {"N": "7"}, "lsk": {"S": "x"},
        "extra": {"L": [{"S": "e"}, {"N": "2"}]}, "m": {"M": {"k": {"SS": ["p", "q"]}, "z": {"NULL": True}}},
        "cnt": {"N": "5"}, "b": {"B": "AAE="}, "bs": {"BS": ["AQ==", "Ag=="]}, "ns": {"NS": ["1", "-2.5"]},
        "flag": {"BOOL": False}}
KEY = {"pk": {"S": "a"}, "sk": {"N": "1"}}

AVJSON = {
    "every-type": js(ITEM),
    "empty": b"{}",
    "nul-in-string": b'{"s":{"S":"a\\u0000b"},"\\u0000":{"N":"0"}}',
    "numbers": js({"a": {"N": "1.50"}, "b": {"N": "-0"}, "c": {"N": "1e125"}, "d": {"N": "1E-130"},
                   "e": {"NS": ["1", "1.0e1", "100"]}}),
    "nested-32": (b'{"a":' + b'{"M":{"a":' * 31 + b'{"S":"x"}' + b"}}" * 31 + b"}"),
    "nested-33": (b'{"a":' + b'{"L":[' * 33 + b'{"S":"x"}' + b"]}" * 33 + b"}"),
    "dup-member": b'{"a":{"S":"1"},"a":{"N":"2"}}',
    "null-members": b'{"a":null,"b":{"S":"x","N":null},"c":{"L":[null,{"BOOL":true}]},"d":{"SS":["x",null]}}',
    "unknown-type": b'{"a":{"X":"1","S":"s"}}',
    "bad-two-types": b'{"a":{"S":"1","N":"1"}}',
    "bad-no-type": b'{"a":{}}',
    "bad-empty-set": b'{"a":{"SS":[]}}',
    "bad-dup-set": b'{"a":{"NS":["1","1.0"]}}',
    "bad-dup-bs": b'{"a":{"BS":["AA==","AA=="]}}',
    "bad-null-false": b'{"a":{"NULL":false}}',
    "bad-base64": b'{"a":{"B":"AAE"},"b":{"B":"A=AA"}}',
    "bad-base64-last": b'{"a":{"B":"AB=="}}',
    "bad-number": b'{"a":{"N":"1e"},"b":{"N":""}}',
    "bad-number-precision": b'{"a":{"N":"123456789012345678901234567890123456789"}}',
    "bad-types": b'{"a":{"S":1},"b":{"BOOL":"true"},"c":{"M":[]},"d":{"L":{}},"e":{"SS":"x"}}',
}


def op(name):
    return bytes([OPS.index(name)])


def sop(name):
    """A DynamoDB Streams operation's target byte: after the ops and EXTRA."""
    return bytes([len(OPS) + len(EXTRA) + STREAM_OPS.index(name)])


T = "fz_main"
REQ = {
    "CreateTable": {"TableName": "fz_new", "AttributeDefinitions": [{"AttributeName": "h", "AttributeType": "B"},
                    {"AttributeName": "r", "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}, {"AttributeName": "r", "KeyType": "RANGE"}],
                    "BillingMode": "PAY_PER_REQUEST", "StreamSpecification": {"StreamEnabled": True,
                    "StreamViewType": "NEW_AND_OLD_IMAGES"}, "Tags": [{"Key": "k", "Value": "v"}]},
    "DescribeTable": {"TableName": T},
    "ListTables": {"Limit": 1, "ExclusiveStartTableName": "aaa"},
    "DeleteTable": {"TableName": "fz_simple"},
    "UpdateTable": {"TableName": T, "AttributeDefinitions": [{"AttributeName": "n2", "AttributeType": "N"}],
                    "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi2", "KeySchema": [
                        {"AttributeName": "n2", "KeyType": "HASH"}], "Projection": {"ProjectionType": "KEYS_ONLY"}}}]},
    "DescribeLimits": {},
    "DescribeEndpoints": {},
    "TagResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main",
                    "Tags": [{"Key": "a", "Value": "b"}]},
    "UntagResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main", "TagKeys": ["a"]},
    "ListTagsOfResource": {"ResourceArn": "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main"},
    "UpdateTimeToLive": {"TableName": T, "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "ttl"}},
    "DescribeTimeToLive": {"TableName": T},
    "PutItem": {"TableName": T, "Item": ITEM, "ConditionExpression": "attribute_not_exists(pk) OR #c < :v",
                "ExpressionAttributeNames": {"#c": "cnt"}, "ExpressionAttributeValues": {":v": {"N": "10"}},
                "ReturnValues": "ALL_OLD", "ReturnConsumedCapacity": "INDEXES",
                "ReturnItemCollectionMetrics": "SIZE"},
    "GetItem": {"TableName": T, "Key": KEY, "ConsistentRead": True, "ProjectionExpression": "#p, m.k, extra[1]",
                "ExpressionAttributeNames": {"#p": "pk"}},
    "DeleteItem": {"TableName": T, "Key": {"pk": {"S": "a"}, "sk": {"N": "2"}}, "ConditionExpression":
                   "contains(ns, :n) AND size(b) = :one", "ExpressionAttributeValues": {":n": {"N": "1"},
                   ":one": {"N": "2"}}, "ReturnValues": "ALL_OLD", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"},
    "UpdateItem": {"TableName": T, "Key": KEY, "UpdateExpression":
                   "SET cnt = if_not_exists(cnt, :z) + :one, l = list_append(:l, :l), m.k2 = :s "
                   "REMOVE extra[0] ADD ns :ns DELETE bs :bs",
                   "ConditionExpression": "attribute_exists(pk) AND begins_with(gpk, :g)",
                   "ExpressionAttributeValues": {":z": {"N": "0"}, ":one": {"N": "1"}, ":l": {"L": [{"S": "x"}]},
                                                 ":s": {"S": "v"}, ":ns": {"NS": ["3"]}, ":bs": {"BS": ["AQ=="]},
                                                 ":g": {"S": "g"}},
                   "ReturnValues": "UPDATED_NEW"},
    "Query": {"TableName": T, "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
              "FilterExpression": "attribute_type(m, :t) OR NOT flag IN (:f, :tr)",
              "ExpressionAttributeValues": {":p": {"S": "a"}, ":a": {"N": "0"}, ":b": {"N": "9"},
                                            ":t": {"S": "M"}, ":f": {"BOOL": False}, ":tr": {"BOOL": True}},
              "ScanIndexForward": False, "Limit": 1, "ReturnConsumedCapacity": "TOTAL",
              "ExclusiveStartKey": {"pk": {"S": "a"}, "sk": {"N": "5"}}},
    "Scan": {"TableName": T, "Segment": 0, "TotalSegments": 2, "Select": "COUNT",
             "FilterExpression": "sk > :z", "ExpressionAttributeValues": {":z": {"N": "0"}}},
    "BatchGetItem": {"RequestItems": {T: {"Keys": [KEY, {"pk": {"S": "b"}, "sk": {"N": "-3.5"}}],
                                          "ProjectionExpression": "pk, cnt"},
                                      "fz_simple": {"Keys": [{"id": {"S": "1"}}], "ConsistentRead": True}}},
    "BatchWriteItem": {"RequestItems": {T: [{"PutRequest": {"Item": ITEM}},
                                            {"DeleteRequest": {"Key": {"pk": {"S": "b"}, "sk": {"N": "-3.5"}}}}],
                                        "fz_simple": [{"PutRequest": {"Item": {"id": {"S": "2"}}}}]},
                       "ReturnConsumedCapacity": "TOTAL", "ReturnItemCollectionMetrics": "SIZE"},
    "TransactGetItems": {"TransactItems": [{"Get": {"TableName": T, "Key": KEY, "ProjectionExpression": "cnt"}},
                                           {"Get": {"TableName": "fz_simple", "Key": {"id": {"S": "1"}}}}]},
    "TransactWriteItems": {"ClientRequestToken": "tok-1", "TransactItems": [
        {"Put": {"TableName": "fz_simple", "Item": {"id": {"S": "9"}, "v": {"N": "1"}},
                 "ConditionExpression": "attribute_not_exists(id)"}},
        {"Update": {"TableName": T, "Key": KEY, "UpdateExpression": "SET cnt = cnt - :one",
                    "ConditionExpression": "cnt > :z", "ExpressionAttributeValues": {":one": {"N": "1"},
                                                                                     ":z": {"N": "0"}}}},
        {"ConditionCheck": {"TableName": "fz_simple", "Key": {"id": {"S": "1"}},
                            "ConditionExpression": "v = :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}},
        {"Delete": {"TableName": T, "Key": {"pk": {"S": "zz"}, "sk": {"N": "0"}}}}]},
}

EDGE = {
    "query-gsi": ("Query", {"TableName": T, "IndexName": "gsi1", "KeyConditionExpression": "gpk = :g AND gsk >= :n",
                            "ExpressionAttributeValues": {":g": {"S": "g"}, ":n": {"N": "1"}}}),
    "query-lsi": ("Query", {"TableName": T, "IndexName": "lsi1", "KeyConditionExpression":
                            "pk = :p AND begins_with(lsk, :x)", "Select": "ALL_PROJECTED_ATTRIBUTES",
                            "ExpressionAttributeValues": {":p": {"S": "a"}, ":x": {"S": "x"}}}),
    "query-legacy": ("Query", {"TableName": T, "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                               "AttributeValueList": [{"S": "a"}]}, "sk": {"ComparisonOperator": "GT",
                               "AttributeValueList": [{"N": "0"}]}},
                               "QueryFilter": {"cnt": {"ComparisonOperator": "NOT_NULL"}},
                               "AttributesToGet": ["pk", "cnt"]}),
    "scan-legacy": ("Scan", {"TableName": T, "ScanFilter": {"m": {"ComparisonOperator": "NULL"},
                             "ns": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"N": "1"}]}},
                             "ConditionalOperator": "OR", "Limit": 2}),
    "scan-index": ("Scan", {"TableName": T, "IndexName": "gsi1", "ProjectionExpression": "gpk"}),
    "put-legacy-expected": ("PutItem", {"TableName": "fz_simple", "Item": {"id": {"S": "1"}},
                                        "Expected": {"v": {"Value": {"N": "0"}}, "w": {"Exists": False}}}),
    "update-legacy": ("UpdateItem", {"TableName": "fz_simple", "Key": {"id": {"S": "1"}},
                                     "AttributeUpdates": {"v": {"Action": "ADD", "Value": {"N": "1"}},
                                                          "w": {"Action": "DELETE"}}, "ReturnValues": "ALL_NEW"}),
    "update-key-attr": ("UpdateItem", {"TableName": T, "Key": KEY, "UpdateExpression": "SET pk = :x",
                                       "ExpressionAttributeValues": {":x": {"S": "b"}}}),
    "update-list-past-end": ("UpdateItem", {"TableName": T, "Key": KEY, "UpdateExpression": "SET extra[99] = :x",
                                            "ExpressionAttributeValues": {":x": {"S": "b"}}}),
    "update-gsi-key-type": ("UpdateItem", {"TableName": T, "Key": KEY, "UpdateExpression": "SET gsk = :x",
                                           "ExpressionAttributeValues": {":x": {"S": "not a number"}}}),
    "put-condition-fails": ("PutItem", {"TableName": T, "Item": KEY, "ConditionExpression":
                                        "attribute_not_exists(pk)", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    "put-missing-key": ("PutItem", {"TableName": T, "Item": {"pk": {"S": "a"}}}),
    # a non-ASCII character in base64: the error must stay UTF-8 (once cut to one byte)
    "put-base64-utf8": ("PutItem", {"TableName": "fz_simple", "Item": {"id": {"S": "1"}, "b": {"B": "\u0098=="}}}),
    "put-bs-utf8": ("PutItem", {"TableName": "fz_simple", "Item": {"id": {"S": "1"}, "b": {"BS": ["AQ\u00fb"]}}}),
    "put-empty-key": ("PutItem", {"TableName": T, "Item": {"pk": {"S": ""}, "sk": {"N": "1"}}}),
    "put-unknown-table": ("PutItem", {"TableName": "nope", "Item": KEY}),
    # PartiQL (fz_main: pk S, sk N)
    "pq-select-key": ("ExecuteStatement", {"Statement": 'SELECT * FROM "fz_main" WHERE pk = ? AND sk = ?',
                                           "Parameters": [{"S": "a"}, {"N": "1"}]}),
    "pq-select-in": ("ExecuteStatement", {"Statement": "SELECT pk, m.k FROM fz_main WHERE pk IN ['a', 'b'] "
                                          "AND sk > 0 ORDER BY sk DESC", "Limit": 2}),
    "pq-select-index": ("ExecuteStatement", {"Statement": 'SELECT * FROM "fz_main"."gsi1" WHERE gpk = \'g\''}),
    "pq-insert": ("ExecuteStatement", {"Statement": "INSERT INTO fz_main VALUE {'pk': 'z', 'sk': 9, "
                                       "'s': <<'a','b'>>, 'l': [1, {'x': NULL}]}"}),
    "pq-update": ("ExecuteStatement", {"Statement": "UPDATE fz_main SET cnt = cnt + 1 SET l = list_append(l, [2]) "
                                       "REMOVE flag WHERE pk = 'a' AND sk = 1 AND cnt < 10 RETURNING ALL NEW *"}),
    "pq-delete": ("ExecuteStatement", {"Statement": "DELETE FROM fz_main WHERE pk = 'a' AND sk = 1 "
                                       "RETURNING ALL OLD *", "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}),
    "pq-token": ("ExecuteStatement", {"Statement": "SELECT * FROM fz_main", "NextToken": "bm90IGEgdG9rZW4="}),
    "pq-batch": ("BatchExecuteStatement", {"Statements": [
        {"Statement": "SELECT * FROM fz_main WHERE pk = 'a' AND sk = 1"},
        {"Statement": "SELECT * FROM fz_simple WHERE id = ?", "Parameters": [{"S": "1"}]}]}),
    "pq-txn": ("ExecuteTransaction", {"TransactStatements": [
        {"Statement": "UPDATE fz_simple SET v = 1 WHERE id = '1'"},
        {"Statement": "EXISTS(SELECT * FROM fz_main WHERE pk = 'a' AND sk = 1 AND cnt > 0)"}],
        "ClientRequestToken": "tok-1"}),
    "get-wrong-key-type": ("GetItem", {"TableName": T, "Key": {"pk": {"N": "1"}, "sk": {"N": "1"}}}),
    "txn-same-item": ("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": T, "Item": KEY}}, {"Delete": {"TableName": T, "Key": KEY}}]}),
    "txn-cond-fails": ("TransactWriteItems", {"TransactItems": [
        {"ConditionCheck": {"TableName": T, "Key": KEY, "ConditionExpression": "attribute_not_exists(pk)"}}]}),
    "batch-write-dup": ("BatchWriteItem", {"RequestItems": {T: [{"PutRequest": {"Item": ITEM}},
                                                                {"PutRequest": {"Item": ITEM}}]}}),
    "create-bad": ("CreateTable", {"TableName": "x", "AttributeDefinitions": [{"AttributeName": "h",
                                   "AttributeType": "BOOL"}], "KeySchema": [{"AttributeName": "h",
                                   "KeyType": "HASH"}, {"AttributeName": "h", "KeyType": "HASH"}]}),
    "serialization-types": ("GetItem", {"TableName": 5, "Key": [], "ConsistentRead": "yes"}),
    "validation-many": ("Scan", {"TableName": "a", "Limit": 0, "Segment": -1, "TotalSegments": 1000001,
                                 "Select": "NONE"}),
    "expr-syntax": ("Scan", {"TableName": T, "FilterExpression": "a = = b AND (", "ProjectionExpression": "a[x]"}),
    "expr-unused": ("Scan", {"TableName": T, "ExpressionAttributeNames": {"#u": "u"},
                             "ExpressionAttributeValues": {":u": {"S": "x"}}}),
}

# DynamoDB Streams. A literal ARN of fz_main's stream shape: the label is a creation time, not known in
# advance, so these reach "not found"; the placeholders reach the stream itself.
SARN = "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main/stream/2024-01-01T00:00:00.000"
SHARD = "shardId-00000001704067200000-0123abcd"
B64_27 = "AQAAAAAAAAAAAAAAAQAAAYzC4DAAAAAAAAAA"  # 36 characters, 27 bytes: right length, wrong CRC
STREAMS = {
    "ListStreams": {"TableName": T, "Limit": 10},
    "DescribeStream": {"StreamArn": "@ARN@", "Limit": 100},
    "GetShardIterator": {"StreamArn": "@ARN@", "ShardId": "@SHARD@", "ShardIteratorType": "TRIM_HORIZON"},
    "GetRecords": {"ShardIterator": "@ITER@", "Limit": 1000},
}
STREAM_EDGE = {
    # ListStreams
    "ls-all": ("ListStreams", {}),
    "ls-limit1-start": ("ListStreams", {"TableName": T, "Limit": 1, "ExclusiveStartStreamArn": "@OLD@"}),
    "ls-start-literal": ("ListStreams", {"Limit": 100, "ExclusiveStartStreamArn": SARN}),
    "ls-other-table": ("ListStreams", {"TableName": "fz_simple"}),
    "ls-bad-limits": ("ListStreams", {"TableName": "a", "Limit": 0}),
    "ls-limit-101": ("ListStreams", {"Limit": 101}),
    "ls-bad-start": ("ListStreams", {"ExclusiveStartStreamArn": "arn:aws:dynamodb:us-east-1:0:table/x/stream"}),
    "ls-short-start": ("ListStreams", {"ExclusiveStartStreamArn": "arn:x"}),
    "ls-bad-types": ("ListStreams", {"TableName": 1, "Limit": "10", "ExclusiveStartStreamArn": []}),
    # DescribeStream
    "ds-literal": ("DescribeStream", {"StreamArn": SARN}),
    "ds-old": ("DescribeStream", {"StreamArn": "@OLD@", "Limit": 1}),
    "ds-page": ("DescribeStream", {"StreamArn": "@ARN@", "Limit": 1, "ExclusiveStartShardId": "@SHARD@"}),
    "ds-start-literal": ("DescribeStream", {"StreamArn": "@ARN@", "ExclusiveStartShardId": SHARD}),
    "ds-children": ("DescribeStream", {"StreamArn": "@ARN@", "ShardFilter": {"Type": "CHILD_SHARDS",
                                                                              "ShardId": "@SHARD@"}}),
    "ds-filter-type-only": ("DescribeStream", {"StreamArn": "@ARN@", "ShardFilter": {"Type": "CHILD_SHARDS"}}),
    "ds-filter-bad": ("DescribeStream", {"StreamArn": "@ARN@", "ShardFilter": {"Type": "PARENT_SHARDS",
                                                                                "ShardId": "x", "Other": 1}}),
    "ds-filter-null": ("DescribeStream", {"StreamArn": "@ARN@", "ShardFilter": {"Type": None, "ShardId": None}}),
    "ds-filter-not-object": ("DescribeStream", {"StreamArn": "@ARN@", "ShardFilter": "CHILD_SHARDS"}),
    "ds-malformed-arn": ("DescribeStream", {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main/"
                                                         "streams/label/x"}),
    "ds-arn-no-label": ("DescribeStream", {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main"
                                                        "/stream/"}),
    "ds-arn-bad-table": ("DescribeStream", {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/a:b"
                                                         "/stream/2024-01-01T00:00:00.000"}),
    "ds-arn-table-arn": ("DescribeStream", {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:table/fz_main"}),
    "ds-arn-nul": ("DescribeStream", {"StreamArn": SARN[:20] + "\u0000" + SARN[21:]}),
    "ds-missing": ("DescribeStream", {"Limit": 0, "ExclusiveStartShardId": "short"}),
    # GetShardIterator: every type, with and without a SequenceNumber
    "gsi-latest": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@OPEN@", "ShardIteratorType": "LATEST"}),
    "gsi-latest-closed": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                               "ShardIteratorType": "LATEST"}),
    "gsi-at": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                    "ShardIteratorType": "AT_SEQUENCE_NUMBER", "SequenceNumber": "@SEQ@"}),
    "gsi-after": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                       "ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": "@SEQ@"}),
    "gsi-at-no-seq": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                           "ShardIteratorType": "AT_SEQUENCE_NUMBER"}),
    "gsi-after-no-seq": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                              "ShardIteratorType": "AFTER_SEQUENCE_NUMBER"}),
    "gsi-trim-with-seq": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                               "ShardIteratorType": "TRIM_HORIZON", "SequenceNumber": "@SEQ@"}),
    "gsi-latest-with-seq": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@OPEN@",
                                                 "ShardIteratorType": "LATEST",
                                                 "SequenceNumber": "100000000000000000001"}),
    "gsi-at-far-seq": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@OPEN@",
                                            "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                            "SequenceNumber": "199999999999999999999"}),
    "gsi-at-bad-seq": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                            "ShardIteratorType": "AT_SEQUENCE_NUMBER",
                                            "SequenceNumber": "000000000000000000001"}),
    "gsi-after-overflow": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                                "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                                                "SequenceNumber": "118446744073709551615"}),
    "gsi-old-stream": ("GetShardIterator", {"StreamArn": "@OLD@", "ShardId": "@SHARD@",
                                            "ShardIteratorType": "TRIM_HORIZON"}),
    "gsi-literal": ("GetShardIterator", {"StreamArn": SARN, "ShardId": SHARD, "ShardIteratorType": "LATEST"}),
    "gsi-unknown-shard": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": SHARD,
                                               "ShardIteratorType": "TRIM_HORIZON"}),
    "gsi-bad-type": ("GetShardIterator", {"StreamArn": "@ARN@", "ShardId": "@SHARD@",
                                          "ShardIteratorType": "AT_TIMESTAMP", "SequenceNumber": "1"}),
    "gsi-missing": ("GetShardIterator", {}),
    "gsi-malformed-arn": ("GetShardIterator", {"StreamArn": "arn:aws:dynamodb:us-east-1:000000000000:stream/fz_main",
                                               "ShardId": SHARD, "ShardIteratorType": "LATEST"}),
    # GetRecords
    "gr-limit1": ("GetRecords", {"ShardIterator": "@ITER@", "Limit": 1}),
    "gr-limit0": ("GetRecords", {"ShardIterator": "@ITER@", "Limit": 0}),
    "gr-limit1001": ("GetRecords", {"ShardIterator": "@ITER@", "Limit": 1001}),
    "gr-garbage": ("GetRecords", {"ShardIterator": "garbage"}),
    "gr-bad-base64": ("GetRecords", {"ShardIterator": SARN + "|1|" + "!" * 36}),
    "gr-bad-base64-pad": ("GetRecords", {"ShardIterator": SARN + "|1|" + "A" * 34 + "=="}),
    "gr-short": ("GetRecords", {"ShardIterator": SARN + "|1|" + B64_27[:-4]}),
    "gr-long": ("GetRecords", {"ShardIterator": SARN + "|1|" + B64_27 + "AAAA"}),
    "gr-bad-crc": ("GetRecords", {"ShardIterator": SARN + "|1|" + B64_27}),
    "gr-bad-version": ("GetRecords", {"ShardIterator": SARN + "|2|" + B64_27}),
    "gr-no-arn": ("GetRecords", {"ShardIterator": "|1|" + B64_27}),
    "gr-edited": ("GetRecords", {"ShardIterator": "@ARN@|1|" + B64_27}),
    "gr-empty": ("GetRecords", {"ShardIterator": ""}),
    "gr-too-long": ("GetRecords", {"ShardIterator": "x" * 2049}),
    "gr-missing": ("GetRecords", {"Limit": "5"}),
}


if __name__ == "__main__":
    write("corpus_avjson", AVJSON)
    seeds = {}
    for name, body in REQ.items():
        seeds[name] = op(name) + js(body)
    for name, (opname, body) in EDGE.items():
        seeds[name] = op(opname) + js(body)
    seeds["todo-op"] = op("ExecuteStatement") + js({"Statement": "SELECT * FROM fz_main"})
    seeds["not-an-object"] = op("GetItem") + b"[1,2]"
    seeds["bad-json"] = op("GetItem") + b'{"TableName":'
    seeds["empty-body"] = op("ListTables")
    seeds["deep-json"] = op("PutItem") + b'{"TableName":"fz_main","Item":' + b'{"a":' * 120 + b"1" + b"}" * 121
    for i, what in enumerate(EXTRA):
        seeds["target-" + re.sub(r"\W+", "-", what).strip("-")] = bytes([len(OPS) + i]) + js({"TableName": T})
    for name, body in STREAMS.items():
        seeds["streams-" + name] = sop(name) + js(body)
    for name, (opname, body) in STREAM_EDGE.items():
        seeds["streams-" + name] = sop(opname) + js(body)
    seeds["streams-bad-json"] = sop("GetRecords") + b'{"ShardIterator":"@ITER@"'
    seeds["streams-not-an-object"] = sop("DescribeStream") + b'["@ARN@"]'
    assert len(OPS) + len(EXTRA) + len(STREAM_OPS) <= 256
    write("corpus_request", seeds)
