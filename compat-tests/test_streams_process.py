"""DynamoDB Streams over time, on servers of their own with short clocks: shard roll-over
(--stream-shard-seconds), retention and trimming (--stream-retention) and the REMOVE records of TTL
deletions (--ttl-interval). DynamoDB closes a shard after about four hours and keeps records 24 hours, so
these are dynarock-only (the same steps against AWS would take hours).

Facts (behaviour, from DynamoDB):
- AWS API reference, DescribeStream / Shard / SequenceNumberRange: a closed shard has an
  EndingSequenceNumber; a child shard names its parent in ParentShardId; a stream's shards form a
  lineage that a reader follows parent first to keep per-item order. ShardFilter {Type: CHILD_SHARDS,
  ShardId: parent} (added to DescribeStream in 2025) lists the parent's children.
- GetShardIterator / GetRecords errors: TrimmedDataAccessException when the iterator's position is older
  than the trim horizon (a sequence number "older than the trim point", or an iterator whose next record
  was trimmed before it was used). Message 'The data you are trying to access has been trimmed': seen
  from AWS in ironSource/node-dynamodb-stream#13; the model's documentation carries the same words.
- TTL deletions appear as REMOVE records with userIdentity {"Type": "Service", "PrincipalId":
  "dynamodb.amazonaws.com"} (Developer Guide "DynamoDB Streams and Time to Live"; scylladb
  test/alternator/test_ttl.py test_ttl_expiration_streams, written against AWS); user deletions have no
  userIdentity.
"""
import time

import pytest
from botocore.exceptions import ClientError

import dynarock_util as du
import streams_util as su

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

REGION = "us-east-1"


def K(p):
    return {"p": {"S": p}}


def make(ddb, streams, name, view, **kw):
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"),
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": view}, **kw)
    t = du.wait_active(ddb, name)
    s = su.Stream(name, t["LatestStreamArn"], t["LatestStreamLabel"], t["TableArn"], time.time())
    su.wait_status(streams, s.arn, "ENABLED")
    return s


def wait_for(pred, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    return pred()


def test_shards_roll_over(server_factory):
    srv = server_factory(["--in-memory", "--stream-shard-seconds", "1"])
    ddb, streams = su.local_clients(srv.url)
    t0 = time.time()
    s = make(ddb, streams, "roll", "NEW_IMAGE")
    items = [dict(K(f"k{i}"), v={"N": str(i)}) for i in range(4)]
    for it in items[:2]:
        ddb.put_item(TableName="roll", Item=it)
    first = su.describe(streams, s.arn)["Shards"]
    assert len(first) == 1
    time.sleep(1.3)
    for it in items[2:]:
        ddb.put_item(TableName="roll", Item=it)

    shards = wait_for(lambda: (lambda sh: sh if len(sh) >= 2 else None)(su.describe(streams, s.arn)["Shards"]))
    assert shards and len(shards) >= 2, shards
    assert shards[0]["ShardId"] == first[0]["ShardId"]
    assert "ParentShardId" not in shards[0]
    for parent, child in zip(shards, shards[1:]):
        prng, crng = parent["SequenceNumberRange"], child["SequenceNumberRange"]
        assert set(prng) == {"StartingSequenceNumber", "EndingSequenceNumber"}, parent
        assert int(prng["EndingSequenceNumber"]) >= int(prng["StartingSequenceNumber"])
        assert child["ParentShardId"] == parent["ShardId"]
        assert int(crng["StartingSequenceNumber"]) > int(prng["EndingSequenceNumber"])
        assert su.SHARD_ID.fullmatch(child["ShardId"])
    assert "EndingSequenceNumber" not in shards[-1]["SequenceNumberRange"]  # the open one
    ids = [x["ShardId"] for x in shards]
    assert len(set(ids)) == len(ids)

    # the first shard's child, by ShardFilter (raw JSON: Debian's botocore predates it)
    raw = du.RawClient(srv.url, REGION, du.static_credentials())
    r = su.raw_call(raw, "DescribeStream", {"StreamArn": s.arn,
                                             "ShardFilter": {"Type": "CHILD_SHARDS", "ShardId": ids[0]}})
    assert r.status == 200, r
    assert r.json()["StreamDescription"]["Shards"] == [shards[1]]

    # reading the lineage parent first gives every record once, in order
    got0 = su.read_to_end(streams, su.iterator(streams, s.arn, ids[0], "TRIM_HORIZON"))
    assert got0.next is None
    # k0 and k1 were written just after the stream opened, k2 and k3 more than a second later
    n0 = len(got0.records)
    assert n0 >= 1 and [x["dynamodb"]["Keys"] for x in got0.records] == [K("k0"), K("k1")][:n0]
    end0 = int(shards[0]["SequenceNumberRange"]["EndingSequenceNumber"])
    assert max(su.seqs(got0.records)) <= end0
    rest = []
    for sh in shards[1:]:
        it = su.iterator(streams, s.arn, sh["ShardId"], "TRIM_HORIZON")
        if "EndingSequenceNumber" in sh["SequenceNumberRange"]:
            rest += su.read_to_end(streams, it).records
        else:
            rest += su.read(streams, it, lambda rs: n0 + len(rest) + len(rs) >= 4).records
    every = got0.records + rest
    assert [su.summary(x) for x in every] == [su.ev("INSERT", K(f"k{i}"), new=items[i]) for i in range(4)]
    su.check_records(every, "NEW_IMAGE", REGION, t0)
    # the closed shard: past its end there is no next iterator
    last = got0.records[-1]["dynamodb"]["SequenceNumber"]
    end = streams.get_records(ShardIterator=su.iterator(streams, s.arn, ids[0], "AFTER_SEQUENCE_NUMBER", last))
    assert end["Records"] == [] and "NextShardIterator" not in end


def test_records_past_retention_are_trimmed(server_factory):
    srv = server_factory(["--in-memory", "--stream-retention", "2"])
    ddb, streams = su.local_clients(srv.url)
    t0 = time.time()
    s = make(ddb, streams, "trim", "KEYS_ONLY")
    ddb.put_item(TableName="trim", Item=K("old1"))
    ddb.put_item(TableName="trim", Item=K("old2"))
    sid = su.only_shard(streams, s.arn)["ShardId"]
    early = su.iterator(streams, s.arn, sid, "TRIM_HORIZON")
    old = su.read_n(streams, su.iterator(streams, s.arn, sid, "TRIM_HORIZON"), 2).records
    assert [x["dynamodb"]["Keys"] for x in old] == [K("old1"), K("old2")]
    su.check_records(old, "KEYS_ONLY", REGION, t0)
    seq1 = old[0]["dynamodb"]["SequenceNumber"]

    def trimmed():
        it = su.iterator(streams, s.arn, sid, "TRIM_HORIZON")
        try:
            r = streams.get_records(ShardIterator=it)
        except ClientError as e:
            # AWS documents it: an iterator taken just before a record is trimmed, then used, gets
            # TrimmedDataAccessException. The trimming happened between the two calls: look again.
            assert e.response["Error"]["Code"] == "TrimmedDataAccessException", e.response
            return False
        return r["Records"] == [] and "NextShardIterator" in r
    time.sleep(2.0)
    assert wait_for(trimmed, timeout=6.0)
    assert time.time() - t0 >= 2.0

    msg = "The data you are trying to access has been trimmed"
    with du.raises("TrimmedDataAccessException", msg):
        streams.get_records(ShardIterator=early)
    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        with du.raises("TrimmedDataAccessException", msg):
            streams.get_shard_iterator(StreamArn=s.arn, ShardId=sid, ShardIteratorType=kind, SequenceNumber=seq1)

    # the stream itself goes on: a new write is read from TRIM_HORIZON, alone
    ddb.put_item(TableName="trim", Item=K("new"))
    got = su.read_n(streams, su.iterator(streams, s.arn, sid, "TRIM_HORIZON"), 1)
    assert [x["dynamodb"]["Keys"] for x in got.records] == [K("new")]
    assert int(got.records[0]["dynamodb"]["SequenceNumber"]) > int(old[-1]["dynamodb"]["SequenceNumber"])
    assert streams.get_records(ShardIterator=got.next)["Records"] == []
    d = streams.describe_stream(StreamArn=s.arn)["StreamDescription"]
    assert d["StreamStatus"] == "ENABLED" and [x["ShardId"] for x in d["Shards"]] == [sid]


def test_disabled_stream_goes_after_retention(server_factory):
    srv = server_factory(["--in-memory", "--stream-retention", "2"])
    ddb, streams = su.local_clients(srv.url)
    s = make(ddb, streams, "bye", "KEYS_ONLY")
    ddb.put_item(TableName="bye", Item=K("a"))
    ddb.delete_table(TableName="bye")
    du.wait_gone(ddb, "bye")
    assert streams.describe_stream(StreamArn=s.arn)["StreamDescription"]["StreamStatus"] == "DISABLED"

    def gone():
        return streams.list_streams(TableName="bye")["Streams"] == []
    time.sleep(2.0)
    assert wait_for(gone, timeout=6.0)
    with du.raises("ResourceNotFoundException", f"Requested resource not found: Stream: {s.arn} not found"):
        streams.describe_stream(StreamArn=s.arn)


def test_ttl_deletion_is_a_service_remove(server_factory):
    srv = server_factory(["--in-memory", "--ttl-interval", "1"])
    ddb, streams = su.local_clients(srv.url)
    t0 = time.time()
    s = make(ddb, streams, "ttl_stream", "NEW_AND_OLD_IMAGES")
    ddb.update_time_to_live(TableName="ttl_stream", TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True})
    now = int(time.time())
    dead = dict(K("dead"), exp={"N": str(now - 60)}, v={"S": "x"})
    alive = dict(K("alive"), exp={"N": str(now + 3600)})
    ddb.put_item(TableName="ttl_stream", Item=alive)
    ddb.delete_item(TableName="ttl_stream", Key=K("alive"))  # a user's delete, for contrast
    ddb.put_item(TableName="ttl_stream", Item=dead)
    assert wait_for(lambda: "Item" not in ddb.get_item(TableName="ttl_stream", Key=K("dead"), ConsistentRead=True))

    got = su.read_n(streams, su.trim_horizon(streams, s), 4)
    assert [su.summary(x) for x in got.records] == [
        su.ev("INSERT", K("alive"), new=alive), su.ev("REMOVE", K("alive"), old=alive),
        su.ev("INSERT", K("dead"), new=dead), su.ev("REMOVE", K("dead"), old=dead)]
    su.check_records(got.records[:3], "NEW_AND_OLD_IMAGES", REGION, t0)
    su.check_records(got.records[3:], "NEW_AND_OLD_IMAGES", REGION, t0, identity=su.TTL_IDENTITY)
    assert su.seqs(got.records) == sorted(su.seqs(got.records))
    assert streams.get_records(ShardIterator=got.next)["Records"] == []
