"""DynamoDB Streams, the stream API: ListStreams, DescribeStream, shard iterators (TRIM_HORIZON, LATEST,
AT/AFTER_SEQUENCE_NUMBER), GetRecords paging and limits, the errors, disabling and re-enabling a stream,
and the stream of a deleted table. Record contents per write path: test_streams_records.py; shard
roll-over, retention and TTL deletions (dynarock flags): test_streams_process.py.

Facts (behaviour):
- AWS API reference (DynamoDB Streams: ListStreams, DescribeStream, GetShardIterator, GetRecords,
  SequenceNumberRange, StreamDescription) and botocore's dynamodbstreams model: a shard without
  EndingSequenceNumber is open; a closed shard's last GetRecords has no NextShardIterator; sequence
  numbers are 21-40 digits; ShardId 28-65 characters; GetRecords Limit at most 1000.
- Developer Guide (Streams): the stream ARN is <table ARN>/stream/<label>, the label a timestamp such as
  2015-05-11T21:21:33.291; disabling and re-enabling gives a new stream with a different descriptor;
  API_DeleteTable: a deleted table's stream goes DISABLED and stays 24 hours.
- scylladb test/alternator/test_streams.py (written against AWS): ListStreams of a table without a
  stream is an empty list; an open shard with nothing new gives Records [] and a NextShardIterator;
  DescribeStream with ExclusiveStartShardId = the last shard, or a well-formed unknown one, gives no
  shards (no error); AT_SEQUENCE_NUMBER with the
  shard's StartingSequenceNumber reads from the start; a malformed ARN is a ValidationException and an
  unknown ShardId a ResourceNotFoundException; AT/AFTER_SEQUENCE_NUMBER without SequenceNumber and a
  garbage iterator are ValidationExceptions; Limit 1001 is refused; a disabled stream is still listed,
  DISABLED, its shards closed and its records readable. It also notes that on AWS a LATEST iterator taken
  just before a write can miss it, so against AWS the helpers wait 2 s after taking one.
- ShardId format shardId-<20 digits>-<8 hex digits>: the API reference examples
  (shardId-00000001414562045508-2bac9cd2).

Messages:
- 'Requested resource not found: Stream: <arn> not found' (ResourceNotFoundException): a Jest test run
  against AWS records it for a well-formed ARN of a missing table.
- 'Invalid StreamArn' (ValidationException): the AWS SDK for PHP smoke test and aws-sdk-js's integration
  test (DescribeStream of 'fake-stream'), amazon-archives/logstash-input-dynamodb#18 (from AWS).
- 'Requested resource not found: Shard does not exist' (ResourceNotFoundException): an Elixir KCL client
  and the AWS Streams Kinesis adapter's tests match this text.
- 'Table already has an enabled stream: TableName: <name>' (ValidationException): seen from AWS in
  aws-controllers-k8s/community#1000 and scylladb/scylladb#6939 (also when changing the view type).
- "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value
  greater than or equal to 1" and the same with "'1001' ... less than or equal to 1000": DynamoDB's
  standard shape-validation wording (as for Query's and ListTables' limits).
- ListStreams Limit 0 and 101 (its documented upper limit is 100): the same wording, 'less than or equal to
  100'; scylla's tests record the ValidationException for both.
- A garbage ShardIterator, AT/AFTER_SEQUENCE_NUMBER without a SequenceNumber, TRIM_HORIZON/LATEST with
  one, an unknown ShardIteratorType and a garbage ExclusiveStartStreamArn are ValidationExceptions (scylla,
  against AWS) whose text no public source records: only the code is asserted.
"""
import time

import pytest

import dynarock_util as du
import streams_util as su
from dynarock_util import raises
from streams_util import streams, streams_noval  # noqa: F401 (fixtures)

VE = "ValidationException"
RNF = "ResourceNotFoundException"


def K(p):
    return {"p": {"S": p}}


def put(ddb, s, p, **attrs):
    item = dict(K(p), **{k: {"S": v} for k, v in attrs.items()})
    ddb.put_item(TableName=s.table, Item=item)
    return item


def all_streams(streams, limit=100, **kw):
    """Every ListStreams page; checks the paging contract on the way."""
    out, start = [], {}
    while True:
        r = streams.list_streams(Limit=limit, **kw, **start)
        assert set(r) - {"ResponseMetadata"} <= {"Streams", "LastEvaluatedStreamArn"}
        assert len(r["Streams"]) <= limit
        out += r["Streams"]
        if "LastEvaluatedStreamArn" not in r:
            return out
        assert r["Streams"] and r["LastEvaluatedStreamArn"] == r["Streams"][-1]["StreamArn"]
        start = {"ExclusiveStartStreamArn": r["LastEvaluatedStreamArn"]}
        if su.AWS:
            time.sleep(0.25)  # ListStreams: 5 calls a second


def entry(s):
    return {"StreamArn": s.arn, "TableName": s.table, "StreamLabel": s.label}


# ---------------------------------------------------------------------------------------------
# ListStreams
# ---------------------------------------------------------------------------------------------


def test_list_streams_names_the_table_stream(ddb, streams, make_table):
    s = su.stream_table(ddb, streams, make_table, "NEW_IMAGE")
    assert su.LABEL.fullmatch(s.label), s.label
    assert s.arn == f"{s.table_arn}/stream/{s.label}"
    r = streams.list_streams(TableName=s.table)
    assert r["Streams"] == [entry(s)]
    assert "LastEvaluatedStreamArn" not in r
    everything = all_streams(streams)
    assert everything.count(entry(s)) == 1


def test_list_streams_pages(ddb, streams, make_table):
    mine = [su.stream_table(ddb, streams, make_table, "KEYS_ONLY") for _ in range(3)]
    pages = all_streams(streams, limit=1)
    arns = [x["StreamArn"] for x in pages]
    assert len(arns) == len(set(arns))
    for s in mine:
        assert pages.count(entry(s)) == 1


def test_table_without_stream_is_not_listed(ddb, streams, make_table):
    plain = make_table()
    off = make_table(StreamSpecification={"StreamEnabled": False})
    for name in (plain, off):
        r = streams.list_streams(TableName=name)
        assert r["Streams"] == []
        assert "LastEvaluatedStreamArn" not in r
    names = {x["TableName"] for x in all_streams(streams)}
    assert plain not in names and off not in names


# ---------------------------------------------------------------------------------------------
# DescribeStream
# ---------------------------------------------------------------------------------------------


def test_describe_stream(ddb, streams, make_table, region):
    s = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES", **du.key_schema("p", "S", "c", "N"))
    d = streams.describe_stream(StreamArn=s.arn)["StreamDescription"]
    assert set(d) == {"StreamArn", "StreamLabel", "StreamStatus", "StreamViewType", "CreationRequestDateTime",
                      "TableName", "KeySchema", "Shards"}
    assert d["StreamArn"] == s.arn
    assert d["StreamLabel"] == s.label
    assert d["StreamStatus"] == "ENABLED"
    assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert d["TableName"] == s.table
    assert d["KeySchema"] == [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
    slack = 5 if su.AWS else 1
    assert s.created - slack <= d["CreationRequestDateTime"].timestamp() <= time.time() + slack
    assert len(d["Shards"]) == 1
    shard = d["Shards"][0]
    assert set(shard) == {"ShardId", "SequenceNumberRange"}
    assert su.SHARD_ID.fullmatch(shard["ShardId"]), shard["ShardId"]
    assert set(shard["SequenceNumberRange"]) == {"StartingSequenceNumber"}
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    assert su.SEQ.fullmatch(start), start

    # after the last shard there are none; a write keeps the one open shard
    after = streams.describe_stream(StreamArn=s.arn, ExclusiveStartShardId=shard["ShardId"])["StreamDescription"]
    assert after["Shards"] == []
    unknown = streams.describe_stream(StreamArn=s.arn, ExclusiveStartShardId="shardId-99999999999999999999-ffffffff")
    assert unknown["StreamDescription"]["Shards"] == []
    ddb.put_item(TableName=s.table, Item={"p": {"S": "a"}, "c": {"N": "1"}})
    rec = su.read_n(streams, su.trim_horizon(streams, s), 1).records[0]
    assert int(rec["dynamodb"]["SequenceNumber"]) >= int(start)
    assert streams.describe_stream(StreamArn=s.arn)["StreamDescription"]["Shards"] == [shard]


def test_describe_unknown_stream(ddb, streams, make_table, region):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    acct = su.account_of(s.table_arn)
    missing = f"arn:aws:dynamodb:{region}:{acct}:table/{du.unique_name('gone')}/stream/2015-05-11T21:21:33.291"
    other_label = f"{s.table_arn}/stream/2015-05-11T21:21:33.291"
    for arn in (missing, other_label):
        with raises(RNF, f"Requested resource not found: Stream: {arn} not found"):
            streams.describe_stream(StreamArn=arn)


def test_malformed_stream_arn(ddb, streams, make_table):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    shard = su.only_shard(streams, s.arn)["ShardId"]
    bad = "sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf"  # 52 characters, not an ARN
    with raises(VE, "Invalid StreamArn"):
        streams.describe_stream(StreamArn=bad)
    with raises(VE, "Invalid StreamArn"):
        streams.get_shard_iterator(StreamArn=bad, ShardId=shard, ShardIteratorType="LATEST")


# ---------------------------------------------------------------------------------------------
# Iterators and GetRecords
# ---------------------------------------------------------------------------------------------


def test_trim_horizon_and_latest(ddb, streams, make_table, region):
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, "NEW_IMAGE")
    a, b = put(ddb, s, "a", v="1"), put(ddb, s, "b", v="2")
    first = su.read_n(streams, su.trim_horizon(streams, s), 2)
    assert [su.summary(x) for x in first.records] == [su.ev("INSERT", K("a"), new=a), su.ev("INSERT", K("b"), new=b)]
    su.check_records(first.records, "NEW_IMAGE", region, t0)

    it = su.latest(streams, s)
    c = put(ddb, s, "c", v="3")
    got = su.read_n(streams, it, 1)
    assert [su.summary(x) for x in got.records] == [su.ev("INSERT", K("c"), new=c)]
    # the TRIM_HORIZON reader goes on with c; a new TRIM_HORIZON reader starts over
    assert [su.summary(x) for x in su.read_n(streams, first.next, 1).records] == [su.ev("INSERT", K("c"), new=c)]
    again = su.read_n(streams, su.trim_horizon(streams, s), 3).records
    assert [x["dynamodb"]["Keys"] for x in again] == [K("a"), K("b"), K("c")]
    assert again[:2] == first.records and again[2] == got.records[0]


def test_checkpoint_and_resume(ddb, streams, make_table, region):
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    keys = [K(f"k{i}") for i in range(5)]
    for k in keys:
        ddb.put_item(TableName=s.table, Item=dict(k, v={"N": "1"}))
    shard = su.only_shard(streams, s.arn)
    sid = shard["ShardId"]
    whole = su.read_n(streams, su.iterator(streams, s.arn, sid, "TRIM_HORIZON"), 5).records
    assert [x["dynamodb"]["Keys"] for x in whole] == keys
    su.check_records(whole, "KEYS_ONLY", region, t0)

    # a consumer reads three records and checkpoints the third's sequence number
    part = su.read_n(streams, su.iterator(streams, s.arn, sid, "TRIM_HORIZON"), 3, limit=3).records
    assert part == whole[:3]
    mark = part[-1]["dynamodb"]["SequenceNumber"]
    rest = su.read_n(streams, su.iterator(streams, s.arn, sid, "AFTER_SEQUENCE_NUMBER", mark), 2)
    assert rest.records == whole[3:]
    tail = streams.get_records(ShardIterator=rest.next)
    assert tail["Records"] == [] and "NextShardIterator" in tail
    at = su.read_n(streams, su.iterator(streams, s.arn, sid, "AT_SEQUENCE_NUMBER", mark), 3).records
    assert at == whole[2:]
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    assert su.read_n(streams, su.iterator(streams, s.arn, sid, "AT_SEQUENCE_NUMBER", start), 5).records == whole


def test_get_records_limit(ddb, streams, make_table):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    for i in range(4):
        ddb.put_item(TableName=s.table, Item=K(f"k{i}"))
    su.read_n(streams, su.trim_horizon(streams, s), 4)  # all four are readable (AWS may lag)
    r1 = streams.get_records(ShardIterator=su.trim_horizon(streams, s), Limit=2)
    assert [x["dynamodb"]["Keys"] for x in r1["Records"]] == [K("k0"), K("k1")]
    r2 = streams.get_records(ShardIterator=r1["NextShardIterator"], Limit=2)
    assert [x["dynamodb"]["Keys"] for x in r2["Records"]] == [K("k2"), K("k3")]
    r3 = streams.get_records(ShardIterator=su.trim_horizon(streams, s), Limit=1000)
    assert [x["dynamodb"]["Keys"] for x in r3["Records"]] == [K(f"k{i}") for i in range(4)]


def test_open_shard_without_new_records(ddb, streams, make_table):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    it = su.latest(streams, s)
    r = streams.get_records(ShardIterator=it)
    assert r["Records"] == [] and "NextShardIterator" in r
    r = streams.get_records(ShardIterator=r["NextShardIterator"])
    assert r["Records"] == [] and "NextShardIterator" in r
    # past the last record of an open shard: nothing, and still a next iterator
    ddb.put_item(TableName=s.table, Item=K("a"))
    got = su.read_n(streams, su.trim_horizon(streams, s), 1)
    assert [x["dynamodb"]["Keys"] for x in got.records] == [K("a")]
    r = streams.get_records(ShardIterator=got.next)
    assert r["Records"] == [] and "NextShardIterator" in r


def test_get_records_limit_out_of_range(ddb, streams, streams_noval, make_table):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    it = su.trim_horizon(streams, s)
    with raises(VE, du.ENVELOPE + "Value '0' at 'limit' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1"):
        streams_noval.get_records(ShardIterator=it, Limit=0)
    with raises(VE, du.ENVELOPE + "Value '1001' at 'limit' failed to satisfy constraint: "
                "Member must have value less than or equal to 1000"):
        streams_noval.get_records(ShardIterator=it, Limit=1001)


def test_malformed_iterator(streams):
    with raises(VE) as ei:
        streams.get_records(ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg")
    assert ei.value.response["Error"]["Message"]


def test_shard_iterator_argument_errors(ddb, streams, make_table):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    shard = su.only_shard(streams, s.arn)
    sid, seq = shard["ShardId"], shard["SequenceNumberRange"]["StartingSequenceNumber"]
    calls = [dict(ShardIteratorType="AT_SEQUENCE_NUMBER"),   # needs a SequenceNumber
             dict(ShardIteratorType="AFTER_SEQUENCE_NUMBER"),
             dict(ShardIteratorType="TRIM_HORIZON", SequenceNumber=seq),  # takes none
             dict(ShardIteratorType="LATEST", SequenceNumber=seq),
             dict(ShardIteratorType="bulle")]                # not a type (botocore checks no enums)
    for kw in calls:
        with raises(VE) as ei:
            streams.get_shard_iterator(StreamArn=s.arn, ShardId=sid, **kw)
        assert ei.value.response["Error"]["Message"], kw


def test_list_streams_argument_errors(streams_noval):
    with raises(VE, du.ENVELOPE + "Value '0' at 'limit' failed to satisfy constraint: "
                "Member must have value greater than or equal to 1"):
        streams_noval.list_streams(Limit=0)
    with raises(VE, du.ENVELOPE + "Value '101' at 'limit' failed to satisfy constraint: "
                "Member must have value less than or equal to 100"):
        streams_noval.list_streams(Limit=101)
    with raises(VE) as ei:
        streams_noval.list_streams(ExclusiveStartStreamArn="kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas")
    assert ei.value.response["Error"]["Message"]


def test_unknown_shard(ddb, streams, make_table):
    s = su.stream_table(ddb, streams, make_table, "KEYS_ONLY")
    with raises(RNF, "Requested resource not found: Shard does not exist"):
        streams.get_shard_iterator(StreamArn=s.arn, ShardId="shardId-00000000000000000000-00000000",
                                   ShardIteratorType="TRIM_HORIZON")


# ---------------------------------------------------------------------------------------------
# Disabling, re-enabling, deleting the table
# ---------------------------------------------------------------------------------------------


def closed_shards(d):
    for sh in d["Shards"]:
        rng = sh["SequenceNumberRange"]
        assert set(rng) == {"StartingSequenceNumber", "EndingSequenceNumber"}, sh
        assert su.SEQ.fullmatch(rng["EndingSequenceNumber"])
        assert int(rng["EndingSequenceNumber"]) >= int(rng["StartingSequenceNumber"])
    return d["Shards"]


def test_disable_and_reenable(ddb, streams, make_table, region):
    t0 = time.time()
    s1 = su.stream_table(ddb, streams, make_table, "NEW_IMAGE")
    a = put(ddb, s1, "a", v="1")
    ddb.update_table(TableName=s1.table, StreamSpecification={"StreamEnabled": False})
    du.wait_active(ddb, s1.table)
    put(ddb, s1, "b", v="2")  # no stream now: recorded nowhere

    d = su.wait_status(streams, s1.arn, "DISABLED")
    assert (d["StreamArn"], d["StreamLabel"], d["StreamViewType"], d["TableName"]) == \
        (s1.arn, s1.label, "NEW_IMAGE", s1.table)
    (shard,) = closed_shards(d)
    sid = shard["ShardId"]
    got = su.read_to_end(streams, su.iterator(streams, s1.arn, sid, "TRIM_HORIZON"))
    assert [su.summary(x) for x in got.records] == [su.ev("INSERT", K("a"), new=a)]
    su.check_records(got.records, "NEW_IMAGE", region, t0)
    assert got.next is None
    last = got.records[-1]["dynamodb"]["SequenceNumber"]
    assert int(last) <= int(shard["SequenceNumberRange"]["EndingSequenceNumber"])
    end = streams.get_records(ShardIterator=su.iterator(streams, s1.arn, sid, "AFTER_SEQUENCE_NUMBER", last))
    assert end["Records"] == [] and "NextShardIterator" not in end
    latest = streams.get_records(ShardIterator=su.iterator(streams, s1.arn, sid, "LATEST"))
    assert latest["Records"] == [] and "NextShardIterator" not in latest

    # on again, with another view type: a new stream with a later label
    ddb.update_table(TableName=s1.table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    t = du.wait_active(ddb, s1.table)
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    s2 = su.Stream(s1.table, t["LatestStreamArn"], t["LatestStreamLabel"], s1.table_arn, t0)
    assert s2.arn != s1.arn and s2.label > s1.label
    assert s2.arn == f"{s1.table_arn}/stream/{s2.label}"
    su.wait_status(streams, s2.arn, "ENABLED")
    ddb.put_item(TableName=s1.table, Item=dict(K("c"), v={"S": "3"}))
    got2 = su.read_n(streams, su.trim_horizon(streams, s2), 1)
    assert [su.summary(x) for x in got2.records] == [su.ev("INSERT", K("c"))]
    su.check_records(got2.records, "KEYS_ONLY", region, t0)
    assert streams.describe_stream(StreamArn=s1.arn)["StreamDescription"]["StreamStatus"] == "DISABLED"
    assert su.read_to_end(streams, su.trim_horizon(streams, s1)).records == got.records

    listed = all_streams(streams, limit=1, TableName=s1.table)
    assert sorted(listed, key=lambda x: x["StreamLabel"]) == [entry(s1), entry(s2)]


@pytest.mark.parametrize("view", ["NEW_AND_OLD_IMAGES", "KEYS_ONLY"])
def test_enable_when_enabled(ddb, streams, make_table, view):
    s = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES")
    with raises(VE, f"Table already has an enabled stream: TableName: {s.table}"):
        ddb.update_table(TableName=s.table, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
    t = ddb.describe_table(TableName=s.table)["Table"]
    assert (t["LatestStreamArn"], t["StreamSpecification"]["StreamViewType"]) == (s.arn, "NEW_AND_OLD_IMAGES")


def test_deleted_table_keeps_its_stream(ddb, streams, make_table, region):
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES")
    a = put(ddb, s, "a", v="1")
    ddb.update_item(TableName=s.table, Key=K("a"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "2"}})
    a2 = dict(a, v={"S": "2"})
    su.read_n(streams, su.trim_horizon(streams, s), 2)
    ddb.delete_table(TableName=s.table)
    du.wait_gone(ddb, s.table)

    d = su.wait_status(streams, s.arn, "DISABLED")
    assert (d["StreamArn"], d["StreamViewType"], d["TableName"]) == (s.arn, "NEW_AND_OLD_IMAGES", s.table)
    assert d["KeySchema"] == [{"AttributeName": "p", "KeyType": "HASH"}]
    (shard,) = closed_shards(d)
    got = su.read_to_end(streams, su.iterator(streams, s.arn, shard["ShardId"], "TRIM_HORIZON"))
    assert [su.summary(x) for x in got.records] == [su.ev("INSERT", K("a"), new=a),
                                                     su.ev("MODIFY", K("a"), old=a, new=a2)]
    su.check_records(got.records, "NEW_AND_OLD_IMAGES", region, t0)
    assert got.next is None
