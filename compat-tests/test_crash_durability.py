"""Crash durability: kill -9 at random moments under mixed writes, restart on the same --data-dir,
and check that nothing acknowledged was lost and nothing was torn.

One table (hash key p S) with a GSI `by_g` (hash g S, range p S, projection ALL). Several client
threads write at once, each owning its own keys, so the state each key must have is known:
- puts of new items (g in four groups, payloads of 10 B .. 3 KB), updates that move an item to
  another group (its index entry moves), deletes of the thread's earlier items;
- compare-and-set counters: `SET n = :new` under `n = :old` (the first under attribute_not_exists),
  one counter per thread, so a ConditionalCheckFailed on an acknowledged value is a lost write;
- transfers: TransactWriteItems moving an amount between two of eight accounts (balance
  condition on the source) and putting a transfer record `tx#<id>` (no g: absent from the index).
After a random delay the server gets SIGKILL; the writes in flight then have no answer. After the
restart on the same directory:
- every write answered 200 is there, exactly; a write with no answer is either there or not
  (the item is in one of its two states); a write answered with an error is not there;
- no torn transaction: each account's balance equals 1000 plus the amounts of the transfer
  records present into it minus those out of it, and the balances sum to 8 x 1000;
- index = table: a Scan of the GSI equals the table's items that have g, item for item, and a
  Query of each group returns that group's items in p order.
The model then takes the state read back, and the next cycle writes on. Each cycle's kill comes
0.2 .. 1.2 s into its load.

The table has a NEW_AND_OLD_IMAGES stream. After each restart the test reads the stream on from
the last sequence number it read before (AFTER_SEQUENCE_NUMBER across restarts) and checks that it
holds a record for exactly the writes that happened: each record's OldImage is the state the
previous record of that key left (no record missing, none for a write that did not happen),
replaying every record gives exactly the table read back, sequence numbers increase, and the
cycle's records number at least the acknowledged writes (a transfer is three) and at most those
plus the writes in flight at the kill.

Cycles: $DYNAROCK_CRASH_CYCLES (default 5, about 15-25 s); seed $DYNAROCK_CRASH_SEED. The server
runs without --sync: a process crash loses nothing written to RocksDB's write-ahead log before
the answer (docs/operations.md); power loss is another matter and not tested here.
dynarock_only and needs_process: it starts and kills its own servers.
"""
import os
import random
import threading
import time
import uuid

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import dynarock_util as du

pytestmark = [pytest.mark.dynarock_only, pytest.mark.needs_process]

CYCLES = int(os.environ.get("DYNAROCK_CRASH_CYCLES", "5"))
SEED = os.environ.get("DYNAROCK_CRASH_SEED", "dynarock-crash-1")
THREADS = 6
ACCOUNTS = [f"acct#{i}" for i in range(8)]
START_BALANCE = 1000
GROUPS = ["g0", "g1", "g2", "g3"]
TABLE = "crash_t"
INDEX = "by_g"


def client(url, service="dynamodb"):
    return boto3.client(service, endpoint_url=url, region_name="us-east-1", aws_access_key_id="dummy",
                        aws_secret_access_key="dummy",
                        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=20,
                                      max_pool_connections=2))


class Unanswered(Exception):
    """The request got no answer (the server was killed under it)."""


def send(fn, **kw):
    """Call a boto3 operation: the answer, ClientError for an error answer, Unanswered for none."""
    try:
        return fn(**kw)
    except ClientError as e:
        if e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
            raise AssertionError(f"server error: {e.response}") from e
        raise
    except BotoCoreError as e:
        raise Unanswered(str(e)) from e


def scan_all(ddb, **kw):
    items, start = [], None
    while True:
        if start:
            kw["ExclusiveStartKey"] = start
        r = ddb.scan(**kw)
        items += r["Items"]
        start = r.get("LastEvaluatedKey")
        if not start:
            return items


def query_all(ddb, **kw):
    items, start = [], None
    while True:
        if start:
            kw["ExclusiveStartKey"] = start
        r = ddb.query(**kw)
        items += r["Items"]
        start = r.get("LastEvaluatedKey")
        if not start:
            return items


class Model:
    """What the table must hold. `items`: p -> item (or None for deleted), for acknowledged writes;
    `pending`: p -> the item (or None) of a write that got no answer. Counters: acknowledged
    value and pending value per thread. Transfers: ids acknowledged as committed, ids
    acknowledged as cancelled, and ids with no answer."""

    def __init__(self):
        self.items = {}
        self.pending = {}
        self.counters = {}
        self.counter_pending = {}
        self.tx_done = set()
        self.tx_cancelled = set()
        self.tx_pending = set()
        self.lock = threading.Lock()


class Writer(threading.Thread):
    def __init__(self, tid, ddb, model, rng, stop, errors):
        super().__init__(daemon=True)
        self.tid, self.ddb, self.model, self.rng, self.stop, self.errors = tid, ddb, model, rng, stop, errors
        self.acked = 0
        self.records = 0  # stream records of acknowledged writes
        self.in_flight = 0  # stream records the write in flight at the kill may have made

    def my_items(self):
        prefix = f"put#{self.tid}#"
        with self.model.lock:
            return [p for p, it in self.model.items.items() if it is not None and p.startswith(prefix)]

    def run(self):
        try:
            while not self.stop.is_set():
                r = self.rng.random()
                if r < 0.35:
                    self.put()
                elif r < 0.45:
                    self.move()
                elif r < 0.55:
                    self.delete()
                elif r < 0.75:
                    self.counter()
                else:
                    self.transfer()
                self.acked += 1
        except Unanswered:
            return
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.errors.append(f"writer {self.tid}: {type(e).__name__}: {e}")

    def write_item(self, p, new, call):
        m = self.model
        with m.lock:
            m.pending[p] = new
        self.in_flight = 1
        call()  # raises Unanswered: the key stays pending
        self.in_flight = 0
        self.records += 1
        with m.lock:
            del m.pending[p]
            m.items[p] = new

    def put(self):
        p = f"put#{self.tid}#{uuid.uuid4().hex[:10]}"
        item = {"p": {"S": p}, "g": {"S": self.rng.choice(GROUPS)},
                "data": {"S": "x" * self.rng.randint(10, 3000)}, "seq": {"N": str(self.rng.randint(0, 10**9))}}
        self.write_item(p, item, lambda: send(self.ddb.put_item, TableName=TABLE, Item=item))

    def move(self):
        mine = self.my_items()
        if not mine:
            return self.put()
        p = self.rng.choice(mine)
        old = self.model.items[p]
        new = dict(old, g={"S": self.rng.choice(GROUPS)}, seq={"N": str(self.rng.randint(0, 10**9))})
        self.write_item(p, new, lambda: send(
            self.ddb.update_item, TableName=TABLE, Key={"p": {"S": p}}, UpdateExpression="SET g = :g, seq = :s",
            ExpressionAttributeValues={":g": new["g"], ":s": new["seq"]}))

    def delete(self):
        mine = self.my_items()
        if not mine:
            return self.put()
        p = self.rng.choice(mine)
        self.write_item(p, None, lambda: send(self.ddb.delete_item, TableName=TABLE, Key={"p": {"S": p}}))

    def counter(self):
        m = self.model
        old = m.counters.get(self.tid, 0)
        kw = dict(TableName=TABLE, Key={"p": {"S": f"ctr#{self.tid}"}}, UpdateExpression="SET n = :new")
        if old == 0:
            kw.update(ConditionExpression="attribute_not_exists(n)", ExpressionAttributeValues={":new": {"N": "1"}})
        else:
            kw.update(ConditionExpression="n = :old",
                      ExpressionAttributeValues={":new": {"N": str(old + 1)}, ":old": {"N": str(old)}})
        with m.lock:
            m.counter_pending[self.tid] = old + 1
        self.in_flight = 1
        try:
            send(self.ddb.update_item, **kw)
        except ClientError as e:
            raise AssertionError(f"counter ctr#{self.tid} at acknowledged value {old}: {e.response['Error']}") from e
        self.in_flight = 0
        self.records += 1
        with m.lock:
            del m.counter_pending[self.tid]
            m.counters[self.tid] = old + 1

    def transfer(self):
        m = self.model
        src, dst = self.rng.sample(ACCOUNTS, 2)
        amount = self.rng.randint(1, 300)
        txid = f"tx#{uuid.uuid4().hex[:12]}"
        record = {"p": {"S": txid}, "src": {"S": src}, "dst": {"S": dst}, "amount": {"N": str(amount)}}
        with m.lock:
            m.tx_pending.add(txid)
        self.in_flight = 3
        try:
            send(self.ddb.transact_write_items, TransactItems=[
                {"Update": {"TableName": TABLE, "Key": {"p": {"S": src}}, "UpdateExpression": "SET bal = bal - :a",
                            "ConditionExpression": "bal >= :a", "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
                {"Update": {"TableName": TABLE, "Key": {"p": {"S": dst}}, "UpdateExpression": "SET bal = bal + :a",
                            "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
                {"Put": {"TableName": TABLE, "Item": record, "ConditionExpression": "attribute_not_exists(p)"}},
            ])
            done = True
        except ClientError as e:
            err = e.response["Error"]
            if err["Code"] != "TransactionCanceledException":
                raise AssertionError(f"transfer {txid}: {err}") from e
            reasons = [r.get("Code") for r in e.response.get("CancellationReasons", [])]
            assert set(reasons) <= {"None", "ConditionalCheckFailed", "TransactionConflict"}, reasons
            done = False
        self.in_flight = 0
        self.records += 3 if done else 0
        with m.lock:
            m.tx_pending.discard(txid)
            (m.tx_done if done else m.tx_cancelled).add(txid)


def create_table(ddb):
    ddb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": INDEX, "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                               {"AttributeName": "p", "KeyType": "RANGE"}]}])
    du.wait_active(ddb, TABLE, timeout=30)
    for a in ACCOUNTS:
        ddb.put_item(TableName=TABLE, Item={"p": {"S": a}, "g": {"S": "acct"}, "bal": {"N": str(START_BALANCE)}})


class StreamCheck:
    """Reads the table's stream on from where it stopped, replaying the records per key."""

    def __init__(self):
        self.state = {}  # p -> item as the records so far leave it
        self.last = None  # sequence number of the last record read
        self.shard = None

    def read(self, url, where):
        """Read every new record; returns how many there were."""
        ddb, streams = client(url), client(url, "dynamodbstreams")
        arn = ddb.describe_table(TableName=TABLE)["Table"]["LatestStreamArn"]
        shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        assert len(shards) == 1, f"{where}: shards {shards}"
        if self.shard is None:
            self.shard = shards[0]["ShardId"]
        assert shards[0]["ShardId"] == self.shard, f"{where}: the shard changed: {shards}"
        kw = dict(StreamArn=arn, ShardId=self.shard)
        if self.last is None:
            kw["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            kw.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self.last)
        it = streams.get_shard_iterator(**kw)["ShardIterator"]
        n = 0
        while it:
            r = streams.get_records(ShardIterator=it, Limit=1000)
            for rec in r["Records"]:
                self.apply(rec, where)
                n += 1
            if not r["Records"]:
                break
            it = r.get("NextShardIterator")
        return n

    def apply(self, rec, where):
        d = rec["dynamodb"]
        seq = d["SequenceNumber"]
        assert self.last is None or int(seq) > int(self.last), f"{where}: sequence {seq} after {self.last}"
        self.last = seq
        p = d["Keys"]["p"]["S"]
        before = self.state.get(p)
        kind = rec["eventName"]
        assert kind == ("INSERT" if before is None else "REMOVE" if "NewImage" not in d else "MODIFY"), \
            f"{where}: {p}: {kind} over {before!r}"
        assert d.get("OldImage") == before, f"{where}: {p}: record {seq} has OldImage {d.get('OldImage')!r}, " \
                                             f"the records before it leave {before!r} (a record is missing)"
        if "NewImage" in d:
            self.state[p] = d["NewImage"]
        else:
            del self.state[p]

    def check(self, table, where):
        extra = {p for p in self.state if p not in table}
        missing = {p for p in table if self.state.get(p) != table[p]}
        assert not extra and not missing, \
            f"{where}: the stream's replay differs from the table: only in the stream {sorted(extra)[:5]}, " \
            f"different or absent {sorted(missing)[:5]}"


def verify(ddb, model, cycle):
    """Check the restarted server against the model, then fold what was found into the model."""
    where = f"after kill #{cycle}"
    table = {it["p"]["S"]: it for it in scan_all(ddb, TableName=TABLE, ConsistentRead=True)}

    # Acknowledged and unacknowledged single-item writes.
    for p, want in model.items.items():
        if p in model.pending:
            continue
        assert table.get(p) == want, f"{where}: {p}: acknowledged {want!r}, found {table.get(p)!r}"
    for p, maybe in model.pending.items():
        got = table.get(p)
        assert got in (maybe, model.items.get(p)), \
            f"{where}: {p}: unanswered write of {maybe!r} over {model.items.get(p)!r}, found {got!r}"
        model.items[p] = got
    model.pending.clear()

    # Counters.
    for tid in range(THREADS):
        got = table.get(f"ctr#{tid}")
        n = int(got["n"]["N"]) if got else 0
        allowed = {model.counters.get(tid, 0)} | ({model.counter_pending[tid]} if tid in model.counter_pending else set())
        assert n in allowed, f"{where}: ctr#{tid} = {n}, allowed {sorted(allowed)}"
        model.counters[tid] = n
    model.counter_pending.clear()

    # Transfers: records, then balances derived from the records present.
    present = {p for p in table if p.startswith("tx#")}
    missing = model.tx_done - present
    assert not missing, f"{where}: acknowledged transfers missing: {sorted(missing)[:5]}"
    ghosts = model.tx_cancelled & present
    assert not ghosts, f"{where}: cancelled transfers present: {sorted(ghosts)[:5]}"
    unknown = present - model.tx_done - model.tx_pending
    assert not unknown, f"{where}: transfer records nobody wrote: {sorted(unknown)[:5]}"
    model.tx_done |= model.tx_pending & present
    model.tx_cancelled |= model.tx_pending - present
    model.tx_pending.clear()
    expect = {a: START_BALANCE for a in ACCOUNTS}
    for p in present:
        r = table[p]
        amt = int(r["amount"]["N"])
        expect[r["src"]["S"]] -= amt
        expect[r["dst"]["S"]] += amt
    got_bal = {a: int(table[a]["bal"]["N"]) for a in ACCOUNTS}
    assert got_bal == expect, f"{where}: torn transfer: balances {got_bal}, records say {expect}"
    assert sum(got_bal.values()) == START_BALANCE * len(ACCOUNTS)

    # Nothing else in the table.
    known = set(ACCOUNTS) | present | {f"ctr#{t}" for t in range(THREADS)} | \
        {p for p, it in model.items.items() if it is not None}
    extra = set(table) - known
    assert not extra, f"{where}: items nobody wrote: {sorted(extra)[:5]}"
    model.table = table

    # Index = table, entry by entry.
    def key(it):
        return (it["g"]["S"], it["p"]["S"])

    in_table = sorted((it for it in table.values() if "g" in it), key=key)
    in_index = sorted(scan_all(ddb, TableName=TABLE, IndexName=INDEX), key=key)
    if in_index != in_table:
        ti, ii = {key(i): i for i in in_table}, {key(i): i for i in in_index}
        only_t = sorted(set(ti) - set(ii))[:5]
        only_i = sorted(set(ii) - set(ti))[:5]
        differ = [k for k in set(ti) & set(ii) if ti[k] != ii[k]][:5]
        raise AssertionError(f"{where}: index != table: only in table {only_t}, only in index {only_i}, "
                             f"different {differ}")
    for g in GROUPS + ["acct"]:
        q = query_all(ddb, TableName=TABLE, IndexName=INDEX, KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": g}})
        want = [it for it in in_table if it["g"]["S"] == g]
        assert q == want, f"{where}: Query of group {g}: {len(q)} items, table has {len(want)}"
    return len(table)


def test_kill_9_under_mixed_writes(tmp_path):
    rng = random.Random(SEED)
    data = tmp_path / "data"
    model = Model()
    srv = du.Server(["--data-dir", str(data), "--threads", "2"], tmp_path / "server.log").start()
    try:
        create_table(client(srv.url))
        stream = StreamCheck()
        assert stream.read(srv.url, "after the table's creation") == len(ACCOUNTS)
        stats = []
        for cycle in range(1, CYCLES + 1):
            clients = [client(srv.url) for _ in range(THREADS)]
            stop, errors = threading.Event(), []
            writers = [Writer(t, clients[t], model, random.Random(f"{SEED}:{cycle}:{t}"), stop, errors)
                       for t in range(THREADS)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(0.2, 1.2))
            assert not errors, errors
            assert srv.proc.poll() is None, f"server died under the load:\n{srv.log_tail()}"
            srv.proc.kill()  # SIGKILL
            srv.proc.wait()
            stop.set()
            for w in writers:
                w.join(timeout=30)
                assert not w.is_alive(), "a writer hangs after the kill"
            assert not errors, errors
            srv.log.close()
            srv = du.Server(["--data-dir", str(data), "--threads", "2"], tmp_path / "server.log").start()
            n = verify(client(srv.url), model, cycle)
            where = f"stream after kill #{cycle}"
            got = stream.read(srv.url, where)
            stream.check(model.table, where)
            acked = sum(w.records for w in writers)
            assert acked <= got <= acked + sum(w.in_flight for w in writers), \
                f"{where}: {got} records for {acked} acknowledged record-making writes"
            stats.append((sum(w.acked for w in writers), n, got))
        print(f"crash cycles: {CYCLES}; acknowledged writes, items and stream records per cycle: {stats}")
        assert sum(a for a, _, _ in stats) >= CYCLES * 10, f"too little load to mean anything: {stats}"
        assert srv.stop() == 0, srv.log_tail()
    finally:
        srv.kill()
