"""Helpers shared by the DynamoDB Streams modules (test_streams*.py): the dynamodbstreams clients, tables
with a stream, shard reading that tolerates DynamoDB's delays, and the record checks.

Against real DynamoDB the Streams API has its own endpoint (streams.dynamodb.<region>.amazonaws.com);
dynarock serves both APIs on one port. Tables made here are PROVISIONED with 5/5 units: a small
provisioned table has one partition, so its stream has exactly one open shard on AWS too (an
on-demand table may start with several).
"""
import json
import re
import time
import urllib.parse

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

TARGET = "DynamoDBStreams_20120810"
SHARD_ID = re.compile(r"shardId-[0-9]{20}-[0-9a-f]{8}")
LABEL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}")
SEQ = re.compile(r"[0-9]{21,40}")
EVENT_ID = re.compile(r"[0-9a-f]{32}")  # as in the API reference's GetRecords example and Lambda events
VIEWS = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
TTL_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
THROUGHPUT = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}

AWS = du.is_real_aws()
POLL = 0.5 if AWS else 0.02      # pause between empty reads
TIMEOUT = 60.0 if AWS else 10.0  # how long records may take to show up


def streams_endpoint(endpoint):
    """The Streams endpoint that goes with a DynamoDB endpoint."""
    u = urllib.parse.urlparse(endpoint)
    host = u.hostname or ""
    if host.startswith("dynamodb.") and host.endswith(".amazonaws.com"):
        return f"{u.scheme}://streams.{host}"
    return endpoint


def make_client(endpoint, region, validate=True, dummy=None):
    kw = {"endpoint_url": streams_endpoint(endpoint), "region_name": region}
    if dummy is None:
        dummy = not du.ENDPOINT or boto3.Session().get_credentials() is None
    if dummy:
        kw.update(aws_access_key_id="dummy", aws_secret_access_key="dummy")
    return boto3.client("dynamodbstreams",
                        config=Config(retries={"max_attempts": 1}, parameter_validation=validate), **kw)


def local_clients(url):
    """(dynamodb, dynamodbstreams) clients for a server started by the test."""
    cfg = Config(retries={"max_attempts": 1})
    ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="dummy",
                       aws_secret_access_key="dummy", config=cfg)
    return ddb, make_client(url, "us-east-1", dummy=True)


@pytest.fixture(scope="session")
def streams(endpoint, region):
    """Low-level dynamodbstreams client, retries off."""
    return make_client(endpoint, region)


@pytest.fixture(scope="session")
def streams_noval(endpoint, region):
    """The same without botocore's parameter validation, to reach the server's checks."""
    return make_client(endpoint, region, validate=False)


@pytest.fixture(scope="session")
def streams_raw(endpoint, region, credentials):
    """RawClient on the Streams endpoint (for members Debian's botocore does not know, e.g. ShardFilter)."""
    return du.RawClient(streams_endpoint(endpoint), region, credentials)


def raw_call(raw, operation, payload):
    """POST a Streams operation as raw JSON; returns the RawResponse."""
    return raw.request(body=json.dumps(payload), target=f"{TARGET}.{operation}")


# ---------------------------------------------------------------------------------------------
# Tables and streams
# ---------------------------------------------------------------------------------------------


class Stream:
    def __init__(self, table, arn, label, table_arn, created):
        self.table, self.arn, self.label, self.table_arn, self.created = table, arn, label, table_arn, created


def wait_status(streams, arn, status, timeout=TIMEOUT * 5):
    """Poll DescribeStream until StreamStatus is `status` (AWS passes through ENABLING / DISABLING)."""
    end = time.time() + timeout
    while True:
        d = describe(streams, arn)
        if d["StreamStatus"] == status:
            return d
        assert d["StreamStatus"] in ("ENABLING", "DISABLING"), d
        if time.time() > end:
            raise AssertionError(f"stream {arn} still {d['StreamStatus']}, wanted {status}")
        time.sleep(POLL * 4)


def stream_table(ddb, streams, make_table, view, **kw):
    """A new table with a `view` stream (hash key p:S unless told), ENABLED; returns a Stream."""
    t0 = time.time()
    kw.setdefault("ProvisionedThroughput", THROUGHPUT)
    name = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": view}, **kw)
    t = ddb.describe_table(TableName=name)["Table"]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": view}
    s = Stream(name, t["LatestStreamArn"], t["LatestStreamLabel"], t["TableArn"], t0)
    wait_status(streams, s.arn, "ENABLED")
    return s


def describe(streams, arn):
    """DescribeStream with every shard (following LastEvaluatedShardId)."""
    d = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shards = list(d["Shards"])
    while "LastEvaluatedShardId" in d:
        assert d["LastEvaluatedShardId"] == shards[-1]["ShardId"]
        d = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=d["LastEvaluatedShardId"])["StreamDescription"]
        shards += d["Shards"]
    d["Shards"] = shards
    d.pop("LastEvaluatedShardId", None)
    return d


def only_shard(streams, arn):
    """The one shard of a young stream (see the module docstring); returns its description."""
    shards = describe(streams, arn)["Shards"]
    assert len(shards) == 1, shards
    return shards[0]


def iterator(streams, arn, shard_id, kind, seq=None):
    kw = {"SequenceNumber": seq} if seq is not None else {}
    return streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind, **kw)["ShardIterator"]


def trim_horizon(streams, s):
    return iterator(streams, s.arn, only_shard(streams, s.arn)["ShardId"], "TRIM_HORIZON")


def latest(streams, s):
    it = iterator(streams, s.arn, only_shard(streams, s.arn)["ShardId"], "LATEST")
    if AWS:
        time.sleep(2)  # a LATEST iterator taken just before a write can miss it on AWS (scylla test_streams.py)
    return it


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


class Read:
    def __init__(self, records, next_iterator, pages):
        self.records, self.next, self.pages = records, next_iterator, pages


def read(streams, it, stop, timeout=TIMEOUT, limit=None):
    """Follow a shard from iterator `it`, gathering records until stop(records) is true or the shard ends
    (no NextShardIterator). DynamoDB may answer empty pages before records show up, so an empty page
    is not the end. Fails after `timeout` seconds."""
    recs, pages = [], []
    end = time.time() + timeout
    while True:
        kw = {"Limit": limit} if limit else {}
        r = streams.get_records(ShardIterator=it, **kw)
        assert "Records" in r, r
        recs += r["Records"]
        pages.append(len(r["Records"]))
        it = r.get("NextShardIterator")
        if it is None or stop(recs):
            return Read(recs, it, pages)
        if time.time() > end:
            raise AssertionError(f"stream records did not arrive in {timeout}s; have {[summary(x) for x in recs]}")
        if not r["Records"]:
            time.sleep(POLL)


def read_n(streams, it, n, **kw):
    return read(streams, it, lambda rs: len(rs) >= n, **kw)


def read_to_end(streams, it, **kw):
    """Every record of a closed shard from `it` to its end."""
    return read(streams, it, lambda rs: False, **kw)


def read_until_key(streams, it, key, **kw):
    """Records up to and including the first one whose Keys == key (a sentinel write)."""
    return read(streams, it, lambda rs: any(x["dynamodb"]["Keys"] == key for x in rs), **kw)


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------


def norm(v):
    """A value or item with its sets sorted (sets have no order), for comparisons."""
    if isinstance(v, dict):
        return {k: (sorted(x) if k in ("SS", "NS", "BS") and isinstance(x, list) else norm(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def summary(rec):
    """(eventName, Keys, OldImage or None, NewImage or None), sets sorted."""
    d = rec["dynamodb"]
    return (rec["eventName"], d["Keys"], norm(d.get("OldImage")), norm(d.get("NewImage")))


def ev(name, keys, old=None, new=None):
    """An expected event with full images; project() cuts it down to a view type."""
    return (name, keys, norm(old), norm(new))


def project(events, view):
    out = []
    for name, keys, old, new in events:
        if view in ("KEYS_ONLY", "NEW_IMAGE"):
            old = None
        if view in ("KEYS_ONLY", "OLD_IMAGE"):
            new = None
        out.append((name, keys, old, new))
    return out


def check_records(recs, view, region, t0, t1=None, identity=None):
    """The fields every GetRecords record carries (Record and StreamRecord shapes, AWS API reference;
    eventVersion '1.1' as recorded by localstack's AWS snapshots; eventID 32 hex digits), SizeBytes as
    DynamoDB's item size of Keys plus the images included (Developer Guide examples: 26 and 59 bytes),
    sequence numbers strictly increasing, creation times between t0 and t1 in whole seconds (the
    StreamRecord documentation: rounded down to the second)."""
    t1 = t1 or time.time()
    slack = 5 if AWS else 1
    prev = None
    ids = set()
    for rec in recs:
        top = {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb"}
        if identity is not None:
            top.add("userIdentity")
            assert rec["userIdentity"] == identity
        assert set(rec) == top, rec
        assert rec["eventName"] in ("INSERT", "MODIFY", "REMOVE")
        assert rec["eventVersion"] == "1.1"
        assert rec["eventSource"] == "aws:dynamodb"
        assert rec["awsRegion"] == region
        assert EVENT_ID.fullmatch(rec["eventID"]) and rec["eventID"] not in ids, rec["eventID"]
        ids.add(rec["eventID"])
        d = rec["dynamodb"]
        fields = {"ApproximateCreationDateTime", "Keys", "SequenceNumber", "SizeBytes", "StreamViewType"}
        if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and rec["eventName"] != "REMOVE":
            fields.add("NewImage")
        if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and rec["eventName"] != "INSERT":
            fields.add("OldImage")
        assert set(d) == fields, (rec["eventName"], view, sorted(d))
        assert d["StreamViewType"] == view
        assert SEQ.fullmatch(d["SequenceNumber"]), d["SequenceNumber"]
        seq = int(d["SequenceNumber"])
        assert prev is None or seq > prev, (prev, seq)
        prev = seq
        size = du.item_size(d["Keys"]) + sum(du.item_size(d[k]) for k in ("OldImage", "NewImage") if k in d)
        assert d["SizeBytes"] == size, (d["SizeBytes"], size, rec)
        ts = d["ApproximateCreationDateTime"].timestamp()
        assert ts == int(ts), ts  # "rounded down to the closest second"
        assert int(t0) - slack <= ts <= t1 + slack, (t0, ts, t1)


def seqs(recs):
    return [int(r["dynamodb"]["SequenceNumber"]) for r in recs]


def account_of(table_arn):
    return table_arn.split(":")[4]
