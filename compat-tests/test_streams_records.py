"""DynamoDB Streams, the records: which writes produce which record, with which images, for every write
path (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems) and every StreamViewType, and
the writes that produce none. Every record's fields are checked (streams_util.check_records).

Facts (behaviour):
- Developer Guide, "Change data capture for DynamoDB Streams": INSERT / MODIFY / REMOVE, the images each
  StreamViewType carries (KEYS_ONLY none, NEW_IMAGE the item after, OLD_IMAGE the item before,
  NEW_AND_OLD_IMAGES both); "if you perform a PutItem or UpdateItem operation that does not change any
  data in an item, DynamoDB Streams does not write a stream record for that operation".
- scylladb test/alternator/test_streams.py (written against AWS): a PutItem over an existing item is a
  MODIFY whose OldImage is the whole old item and NewImage the whole new item (a replacement, not a
  merge); an UpdateItem's images are whole items; removing every non-key attribute leaves a NewImage of
  just the key, not a missing one; REMOVE has no NewImage, INSERT no OldImage; an identical PutItem
  leaves no record; a DeleteItem of a missing item leaves none. A failed condition or a cancelled
  transaction writes nothing, so it records nothing.
- Records of one table's stream are in shard order (sequence numbers increase); items written by one
  BatchWriteItem or TransactWriteItems may appear in any order among themselves, so those are compared
  as sets of records.
- SizeBytes is DynamoDB's item size of Keys plus the images included (the Developer Guide's GetRecords
  examples, 26 and 59 bytes, and localstack's AWS snapshots fit this exactly).
"""
import json
import time

import pytest
from botocore.exceptions import ClientError

import dynarock_util as du
import streams_util as su
from streams_util import streams  # noqa: F401 (fixture)

SS_KEYS = du.key_schema("p", "S", "c", "N")


def K(p, c=None):
    k = {"p": {"S": p}}
    if c is not None:
        k["c"] = {"N": str(c)}
    return k


def by_key(events):
    return sorted(events, key=lambda e: json.dumps(e[1], sort_keys=True))


@pytest.mark.parametrize("view", su.VIEWS)
def test_put_update_delete_by_view_type(ddb, streams, make_table, region, view):
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, view, **SS_KEYS)
    k1, k2 = K("a", 1), K("a", 2)
    i1 = dict(k1, x={"S": "1"}, n={"N": "12"})
    ddb.put_item(TableName=s.table, Item=i1)
    i2 = dict(k1, y={"SS": ["p", "q"]}, b={"B": b"\x00\x01"})
    ddb.put_item(TableName=s.table, Item=i2)
    ddb.update_item(TableName=s.table, Key=k1, UpdateExpression="SET z = :z",
                    ExpressionAttributeValues={":z": {"L": [{"S": "l"}, {"BOOL": True}]}})
    i3 = dict(i2, z={"L": [{"S": "l"}, {"BOOL": True}]})
    ddb.update_item(TableName=s.table, Key=k1, UpdateExpression="REMOVE y, z, b")
    ddb.update_item(TableName=s.table, Key=k2, UpdateExpression="SET m = :m",
                    ExpressionAttributeValues={":m": {"M": {"q": {"NULL": True}}}})
    i5 = dict(k2, m={"M": {"q": {"NULL": True}}})
    ddb.delete_item(TableName=s.table, Key=k1)
    ddb.delete_item(TableName=s.table, Key=k2)
    want = [
        su.ev("INSERT", k1, new=i1),              # PutItem of a new item
        su.ev("MODIFY", k1, old=i1, new=i2),      # PutItem replacing it
        su.ev("MODIFY", k1, old=i2, new=i3),      # UpdateItem adding an attribute
        su.ev("MODIFY", k1, old=i3, new=k1),      # UpdateItem removing all but the key
        su.ev("INSERT", k2, new=i5),              # UpdateItem creating an item
        su.ev("REMOVE", k1, old=k1),              # DeleteItem of a key-only item
        su.ev("REMOVE", k2, old=i5),              # DeleteItem
    ]
    got = su.read_n(streams, su.trim_horizon(streams, s), len(want))
    su.check_records(got.records, view, region, t0)
    assert [su.summary(x) for x in got.records] == su.project(want, view)
    more = streams.get_records(ShardIterator=got.next)
    assert more["Records"] == []


def test_record_wire_fields(ddb, streams, make_table, region):
    """One record in full: the exact Record / StreamRecord members and values."""
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES", **SS_KEYS)
    ddb.put_item(TableName=s.table, Item={"p": {"S": "Id"}, "c": {"N": "101"}, "Message": {"S": "New item!"}})
    (rec,) = su.read_n(streams, su.trim_horizon(streams, s), 1).records
    d = rec["dynamodb"]
    assert {k: v for k, v in rec.items() if k not in ("eventID", "dynamodb")} == {
        "eventName": "INSERT", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": region}
    assert {k: v for k, v in d.items() if k not in ("ApproximateCreationDateTime", "SequenceNumber")} == {
        "Keys": {"p": {"S": "Id"}, "c": {"N": "101"}},
        "NewImage": {"p": {"S": "Id"}, "c": {"N": "101"}, "Message": {"S": "New item!"}},
        "SizeBytes": 30,  # Keys: p+"Id" 3, c+101 4; NewImage: those 7 and Message+"New item!" 16
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    su.check_records([rec], "NEW_AND_OLD_IMAGES", region, t0)


def test_batch_write_across_two_tables(ddb, streams, make_table, region):
    t0 = time.time()
    s1 = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES")
    s2 = su.stream_table(ddb, streams, make_table, "NEW_IMAGE")
    b1, d = dict(K("b"), v={"S": "1"}), dict(K("d"), v={"S": "4"})
    ddb.put_item(TableName=s1.table, Item=b1)
    ddb.put_item(TableName=s2.table, Item=d)
    a, b2, c = dict(K("a"), v={"S": "0"}), dict(K("b"), w={"S": "2"}), dict(K("c"), v={"S": "3"})
    r = ddb.batch_write_item(RequestItems={
        s1.table: [{"PutRequest": {"Item": a}}, {"PutRequest": {"Item": b2}}],
        s2.table: [{"PutRequest": {"Item": c}}, {"DeleteRequest": {"Key": K("d")}}],
    })
    assert r["UnprocessedItems"] == {}

    got1 = su.read_n(streams, su.trim_horizon(streams, s1), 3)
    su.check_records(got1.records, "NEW_AND_OLD_IMAGES", region, t0)
    ev1 = [su.summary(x) for x in got1.records]
    assert ev1[0] == su.ev("INSERT", K("b"), new=b1)
    assert by_key(ev1[1:]) == [su.ev("INSERT", K("a"), new=a), su.ev("MODIFY", K("b"), old=b1, new=b2)]

    got2 = su.read_n(streams, su.trim_horizon(streams, s2), 3)
    su.check_records(got2.records, "NEW_IMAGE", region, t0)
    ev2 = [su.summary(x) for x in got2.records]
    assert ev2[0] == su.ev("INSERT", K("d"), new=d)
    assert by_key(ev2[1:]) == su.project([su.ev("INSERT", K("c"), new=c), su.ev("REMOVE", K("d"), old=d)],
                                         "NEW_IMAGE")
    for it in (got1.next, got2.next):
        assert streams.get_records(ShardIterator=it)["Records"] == []


def test_transact_write_across_two_tables(ddb, streams, make_table, region):
    t0 = time.time()
    s1 = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES")
    s2 = su.stream_table(ddb, streams, make_table, "OLD_IMAGE")
    u, w, gone = dict(K("u"), v={"N": "1"}), dict(K("w"), v={"N": "1"}), dict(K("gone"), v={"N": "1"})
    ddb.put_item(TableName=s1.table, Item=u)
    ddb.put_item(TableName=s2.table, Item=w)
    ddb.put_item(TableName=s2.table, Item=gone)
    new = dict(K("new"), v={"N": "7"})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": s1.table, "Item": new}},
        {"Update": {"TableName": s1.table, "Key": K("u"), "UpdateExpression": "SET v = v + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": s2.table, "Key": K("gone")}},
        {"ConditionCheck": {"TableName": s2.table, "Key": K("w"), "ConditionExpression": "attribute_exists(p)"}},
        {"Update": {"TableName": s2.table, "Key": K("fresh"), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"N": "5"}}}},
    ])
    got1 = su.read_n(streams, su.trim_horizon(streams, s1), 3)
    su.check_records(got1.records, "NEW_AND_OLD_IMAGES", region, t0)
    ev1 = [su.summary(x) for x in got1.records]
    assert ev1[0] == su.ev("INSERT", K("u"), new=u)
    assert by_key(ev1[1:]) == [su.ev("INSERT", K("new"), new=new),
                               su.ev("MODIFY", K("u"), old=u, new=dict(u, v={"N": "2"}))]
    got2 = su.read_n(streams, su.trim_horizon(streams, s2), 4)
    su.check_records(got2.records, "OLD_IMAGE", region, t0)
    ev2 = [su.summary(x) for x in got2.records]
    assert ev2[:2] == su.project([su.ev("INSERT", K("w"), new=w), su.ev("INSERT", K("gone"), new=gone)], "OLD_IMAGE")
    assert by_key(ev2[2:]) == su.project([su.ev("INSERT", K("fresh"), new=dict(K("fresh"), v={"N": "5"})),
                                          su.ev("REMOVE", K("gone"), old=gone)], "OLD_IMAGE")
    for it in (got1.next, got2.next):
        assert streams.get_records(ShardIterator=it)["Records"] == []


def expect_error(code, call, **kw):
    with pytest.raises(ClientError) as ei:
        call(**kw)
    assert ei.value.response["Error"]["Code"] == code, ei.value.response["Error"]


def test_writes_that_change_nothing_record_nothing(ddb, streams, make_table, region):
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES")
    a = dict(K("a"), n={"N": "1"}, s={"SS": ["x", "y"]})
    ddb.put_item(TableName=s.table, Item=a)
    ddb.put_item(TableName=s.table, Item=a)  # the identical item
    # an update to the values already there
    ddb.update_item(TableName=s.table, Key=K("a"), UpdateExpression="SET n = :one",
                    ExpressionAttributeValues={":one": {"N": "1"}})
    ddb.delete_item(TableName=s.table, Key=K("missing"))
    ccf = "ConditionalCheckFailedException"
    expect_error(ccf, ddb.put_item, TableName=s.table, Item=dict(K("a"), n={"N": "2"}),
                 ConditionExpression="attribute_not_exists(p)")
    expect_error(ccf, ddb.update_item, TableName=s.table, Key=K("a"), UpdateExpression="SET n = :two",
                 ConditionExpression="n = :nine", ExpressionAttributeValues={":two": {"N": "2"}, ":nine": {"N": "9"}})
    expect_error(ccf, ddb.delete_item, TableName=s.table, Key=K("a"), ConditionExpression="n = :nine",
                 ExpressionAttributeValues={":nine": {"N": "9"}})
    expect_error("TransactionCanceledException", ddb.transact_write_items, TransactItems=[
        {"Put": {"TableName": s.table, "Item": K("t1")}},
        {"Delete": {"TableName": s.table, "Key": K("a")}},
        {"ConditionCheck": {"TableName": s.table, "Key": K("other"), "ConditionExpression": "attribute_exists(p)"}},
    ])
    sentinel = dict(K("zz"), n={"N": "0"})
    ddb.put_item(TableName=s.table, Item=sentinel)
    got = su.read_until_key(streams, su.trim_horizon(streams, s), K("zz"))
    su.check_records(got.records, "NEW_AND_OLD_IMAGES", region, t0)
    assert [su.summary(x) for x in got.records] == [su.ev("INSERT", K("a"), new=a),
                                                    su.ev("INSERT", K("zz"), new=sentinel)]
    assert streams.get_records(ShardIterator=got.next)["Records"] == []
