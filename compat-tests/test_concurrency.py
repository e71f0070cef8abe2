"""Concurrency: single-item writes are linearizable and transactions are atomic and isolated when many
clients write the same items at once.

Every test runs its threads until a shared deadline (a few seconds) or a modest target, then asserts
exact totals computed from the successes the clients saw: a lost, doubled or torn update shows up as an
exact mismatch. Each thread has its own client (retries off, bounded timeouts), so a write is counted
only when its answer says it happened. A write whose outcome is unknown (timeout, dropped connection,
5xx) makes exact accounting impossible, so it fails the test and stops the other threads.

Facts — DynamoDB Developer Guide: "Condition expressions" (optimistic locking, attribute_not_exists for
create-only puts), "Atomic counters" (ADD / SET a = a + :n), "Managing complex workflows with
DynamoDB transactions" (TransactWriteItems and TransactGetItems are serializable with respect to
each other and to single-item writes; a transaction that conflicts with another is cancelled with a
TransactionCanceledException whose CancellationReasons carry the code TransactionConflict; a failed
condition gives ConditionalCheckFailed for that item and None for the others; with
ReturnValuesOnConditionCheckFailure=ALL_OLD the reason carries the item as it was; TransactGetItems
returns one consistent snapshot or is cancelled with TransactionConflict; a single-item write to an
item inside an in-flight transaction is refused with TransactionConflictException). API reference
TransactWriteItems: TransactionInProgressException, ThrottlingException and
ProvisionedThroughputExceededException are answers for requests that were not applied; they are
retried here, as are the cancellations and refusals above.
"""
import random
import threading
import time
import traceback

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

THREADS = 16
CONNECT_TIMEOUT = 3
READ_TIMEOUT = 5
# Requests that DynamoDB answers without applying them: retried, never counted.
THROTTLED = {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"}
# Codes allowed inside a TransactionCanceledException's CancellationReasons.
REASONS_OK = {"None", "ConditionalCheckFailed", "TransactionConflict", "ThrottlingError"}
TXN_RETRY = THROTTLED | {"TransactionInProgressException", "TransactionConflictException"}


@pytest.fixture(scope="module")
def clients(ddb):
    """THREADS low-level clients with the ddb fixture's endpoint, region and credentials."""
    kw = {}
    creds = ddb._request_signer._credentials
    if creds is not None:
        f = creds.get_frozen_credentials()
        kw = {"aws_access_key_id": f.access_key, "aws_secret_access_key": f.secret_key,
              "aws_session_token": f.token}
    cfg = Config(retries={"max_attempts": 1}, max_pool_connections=2,
                 connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
    session = boto3.session.Session()
    return [session.client("dynamodb", endpoint_url=ddb.meta.endpoint_url,
                           region_name=ddb.meta.region_name, config=cfg, **kw)
            for _ in range(THREADS)]


class Run:
    """Threads sharing one deadline; the first unexpected error stops them all."""

    def __init__(self, seconds):
        self.deadline = time.monotonic() + seconds
        self.abort = threading.Event()
        self.errors = []
        self.lock = threading.Lock()

    def going(self):
        return not self.abort.is_set() and time.monotonic() < self.deadline

    def fail(self, what):
        with self.lock:
            self.errors.append(what)
        self.abort.set()

    def run(self, n, body, on_abort=None):
        """Run body(i) in n threads; return their results. Fails on errors or stuck threads."""
        results = [None] * n

        def wrap(i):
            try:
                results[i] = body(i)
            except Exception as e:  # reported with the thread and the test's line, then every thread stops
                here = [f.lineno for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
                self.fail(f"thread {i} (line {here[-1] if here else '?'}): {type(e).__name__}: {e}")
                if on_abort:
                    on_abort()

        threads = [threading.Thread(target=wrap, args=(i,), daemon=True) for i in range(n)]
        for t in threads:
            t.start()
        hard = self.deadline + CONNECT_TIMEOUT + READ_TIMEOUT + 5
        for t in threads:
            t.join(max(0.0, hard - time.monotonic()))
        stuck = sum(t.is_alive() for t in threads)
        self.abort.set()
        assert stuck == 0, f"{stuck} of {n} threads still blocked {hard - self.deadline:.0f}s after the deadline"
        if self.errors:
            pytest.fail(f"{len(self.errors)} unexpected errors; first:\n" + "\n".join(self.errors[:3]), pytrace=False)
        return results


def code_of(e):
    return e.response["Error"]["Code"]


def get_item(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def num(item, attr):
    return int(item[attr]["N"])


def note(st, kind, sample):
    """Count an anomaly in st[kind] and keep the first few samples in st[kind + '_samples']."""
    st[kind] += 1
    if len(st[kind + "_samples"]) < 5:
        st[kind + "_samples"].append(sample)


def anomalies():
    return {"torn": 0, "torn_samples": [], "backwards": 0, "backwards_samples": []}


# ---------------------------------------------------------------------------------------------
# Single-item writes
# ---------------------------------------------------------------------------------------------


def test_compare_and_set_counter(ddb, clients, make_table):
    """Read-then-conditional-write from THREADS clients: each old value is won exactly once."""
    t = make_table()
    key = {"p": {"S": "cas"}}
    ddb.put_item(TableName=t, Item={**key, "v": {"N": "0"}})
    run = Run(3.0)
    target = 3000

    def worker(i):
        c = clients[i]
        wins, lost, throttled, last_seen, backwards = [], 0, 0, -1, []
        while run.going() and len(wins) * THREADS < target:
            try:
                old = num(c.get_item(TableName=t, Key=key, ConsistentRead=True)["Item"], "v")
            except ClientError as e:
                if code_of(e) not in THROTTLED:
                    raise
                throttled += 1
                continue
            if old < last_seen:
                backwards.append((last_seen, old))
            last_seen = old
            try:
                c.update_item(TableName=t, Key=key, UpdateExpression="SET v = :new",
                              ConditionExpression="v = :old",
                              ExpressionAttributeValues={":old": {"N": str(old)}, ":new": {"N": str(old + 1)}})
            except ClientError as e:
                if code_of(e) == "ConditionalCheckFailedException":
                    lost += 1
                    continue
                if code_of(e) in THROTTLED:
                    throttled += 1
                    continue
                raise
            wins.append(old)
            last_seen = old + 1
        return wins, lost, throttled, backwards

    res = run.run(THREADS, worker)
    wins = [w for r in res for w in r[0]]
    lost = sum(r[1] for r in res)
    final = num(get_item(ddb, t, key), "v")
    info = f"successes={len(wins)} condition-failures={lost} throttled={sum(r[2] for r in res)} final={final}"
    print(info)
    assert wins, info
    assert all(not r[3] for r in res), "ConsistentRead went backwards within one client: " + \
        str([r[3][:3] for r in res if r[3]][:3]) + "; " + info
    for i, r in enumerate(res):
        assert r[0] == sorted(set(r[0])), f"thread {i} won non-increasing old values {r[0][:20]}; {info}"
    dup = sorted({w for w in wins if wins.count(w) > 1}) if len(set(wins)) != len(wins) else []
    assert not dup, f"old values won by more than one writer (lost updates): {dup[:20]}; {info}"
    assert sorted(wins) == list(range(len(wins))), f"won old values are not 0..n-1; {info}"
    assert final == len(wins), info


def test_add_from_many_clients(ddb, clients, make_table):
    """Unconditional ADD n :one: every new value is handed out exactly once; final n == successes."""
    t = make_table()
    key = {"p": {"S": "add"}}
    per_thread = 60
    run = Run(2.5)

    def worker(i):
        c = clients[i]
        seen, throttled = [], 0
        while run.going() and len(seen) < per_thread:
            try:
                r = c.update_item(TableName=t, Key=key, UpdateExpression="ADD n :one",
                                  ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
            except ClientError as e:
                if code_of(e) in THROTTLED:
                    throttled += 1
                    continue
                raise
            seen.append(num(r["Attributes"], "n"))
        return seen, throttled

    res = run.run(THREADS, worker)
    seen = [v for r in res for v in r[0]]
    final = num(get_item(ddb, t, key), "n")
    done = sum(len(r[0]) == per_thread for r in res)
    info = (f"successes={len(seen)} (threads that did all {per_thread}: {done}/{THREADS}) "
            f"throttled={sum(r[1] for r in res)} final={final}")
    print(info)
    assert seen, info
    for i, r in enumerate(res):
        assert r[0] == sorted(set(r[0])), f"thread {i} saw non-increasing UPDATED_NEW values {r[0][:20]}; {info}"
    assert sorted(seen) == list(range(1, len(seen) + 1)), \
        f"UPDATED_NEW values are not 1..n (duplicates mean lost updates); {info}"
    assert final == len(seen), info
    if done == THREADS:
        assert final == THREADS * per_thread, info


def test_list_append_from_many_clients(ddb, clients, make_table):
    """SET l = list_append(...) from many clients: every value once, each client's values in order."""
    t = make_table()
    key = {"p": {"S": "list"}}
    per_thread = 40
    run = Run(2.5)

    def worker(i):
        c = clients[i]
        done, throttled = 0, 0
        while run.going() and done < per_thread:
            try:
                c.update_item(TableName=t, Key=key,
                              UpdateExpression="SET l = list_append(if_not_exists(l, :empty), :v)",
                              ExpressionAttributeValues={":empty": {"L": []},
                                                         ":v": {"L": [{"S": f"{i}-{done}"}]}})
            except ClientError as e:
                if code_of(e) in THROTTLED:
                    throttled += 1
                    continue
                raise
            done += 1
        return done, throttled

    res = run.run(THREADS, worker)
    total = sum(r[0] for r in res)
    got = [v["S"] for v in get_item(ddb, t, key)["l"]["L"]] if total else []
    info = f"appends={total} final-length={len(got)} throttled={sum(r[1] for r in res)}"
    print(info)
    assert total, info
    expected = sorted(f"{i}-{j}" for i, r in enumerate(res) for j in range(r[0]))
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    dups = sorted({v for v in got if got.count(v) > 1}) if len(set(got)) != len(got) else []
    assert not missing and not extra and not dups, \
        f"lost={missing[:10]} ({len(missing)}) unexpected={extra[:10]} duplicated={dups[:10]}; {info}"
    assert len(got) == total, info
    for i, r in enumerate(res):
        mine = [int(v.split("-")[1]) for v in got if v.split("-")[0] == str(i)]
        assert mine == list(range(r[0])), f"thread {i}'s appends out of order: {mine[:20]}; {info}"


def test_put_if_absent_race(ddb, clients, make_table):
    """All clients PutItem the same new key with attribute_not_exists(p): exactly one wins per key."""
    t = make_table()
    max_rounds = 25
    run = Run(2.5)
    state = {"go": True, "round": 0}

    def decide():  # runs once per round, in one thread, when all threads reached the barrier
        state["go"] = run.going() and state["round"] < max_rounds

    barrier = threading.Barrier(THREADS, action=decide, timeout=CONNECT_TIMEOUT + READ_TIMEOUT + 5)

    def worker(i):
        c = clients[i]
        outcomes = []
        while True:
            barrier.wait()
            if not state["go"]:
                return outcomes
            k = len(outcomes)
            while True:
                try:
                    c.put_item(TableName=t, Item={"p": {"S": f"race-{k}"}, "owner": {"N": str(i)}},
                               ConditionExpression="attribute_not_exists(p)")
                    outcomes.append(True)
                except ClientError as e:
                    if code_of(e) in THROTTLED and not run.abort.is_set():
                        continue
                    if code_of(e) != "ConditionalCheckFailedException":
                        raise
                    outcomes.append(False)
                break
            barrier.wait()
            if i == 0:
                state["round"] += 1

    res = run.run(THREADS, worker, on_abort=barrier.abort)
    rounds = len(res[0])
    assert rounds > 0 and all(len(r) == rounds for r in res), [len(r) for r in res]
    print(f"keys raced={rounds} by {THREADS} clients each")
    bad = []
    for k in range(rounds):
        winners = [i for i, r in enumerate(res) if r[k]]
        item = get_item(ddb, t, {"p": {"S": f"race-{k}"}})
        owner = num(item, "owner") if item else None
        if len(winners) != 1 or owner != winners[0]:
            bad.append(f"race-{k}: winners={winners} stored owner={owner}")
    assert not bad, f"{len(bad)} of {rounds} keys: " + "; ".join(bad[:5])


# ---------------------------------------------------------------------------------------------
# Transactions
# ---------------------------------------------------------------------------------------------


def cancellation(e, n_items):
    """Reason codes of a TransactionCanceledException; asserts their shape."""
    reasons = e.response.get("CancellationReasons")
    assert reasons is not None and len(reasons) == n_items, f"CancellationReasons {reasons!r} for {n_items} items"
    codes = [r.get("Code") for r in reasons]
    assert set(codes) <= REASONS_OK, f"unexpected cancellation codes {codes}"
    return reasons, codes


def test_transfers_keep_the_sum(ddb, clients, make_table):
    """Transfers between two accounts in two tables; TransactGetItems never sees a torn state."""
    ta, tb = make_table(), make_table()
    ka, kb = {"p": {"S": "A"}}, {"p": {"S": "B"}}
    for tbl, k in ((ta, ka), (tb, kb)):
        ddb.put_item(TableName=tbl, Item={**k, "bal": {"N": "1000"}, "n": {"N": "0"}})
    accounts = ((ta, ka), (tb, kb))
    writers, readers = 10, 6
    run = Run(4.0)

    def transfer(c, src, dst, x):
        one = {":x": {"N": str(x)}, ":one": {"N": "1"}}
        return c.transact_write_items(TransactItems=[
            {"Update": {"TableName": src[0], "Key": src[1], "UpdateExpression": "SET bal = bal - :x ADD n :one",
                        "ConditionExpression": "bal >= :x", "ExpressionAttributeValues": one,
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
            {"Update": {"TableName": dst[0], "Key": dst[1], "UpdateExpression": "SET bal = bal + :x ADD n :one",
                        "ExpressionAttributeValues": one}},
        ])

    def writer(i):
        c, rnd = clients[i], random.Random(i)
        moves = {"AB": 0, "BA": 0}
        st = {"ok": 0, "cond": 0, "conflict": 0, "retry": 0}
        while run.going():
            d = rnd.choice(("AB", "BA"))
            src, dst = (accounts[0], accounts[1]) if d == "AB" else (accounts[1], accounts[0])
            x = rnd.randint(1, 400)
            try:
                transfer(c, src, dst, x)
            except ClientError as e:
                if code_of(e) in TXN_RETRY:
                    st["retry"] += 1
                    continue
                if code_of(e) != "TransactionCanceledException":
                    raise
                reasons, codes = cancellation(e, 2)
                if "ConditionalCheckFailed" in codes:
                    assert codes[0] == "ConditionalCheckFailed" and codes[1] != "ConditionalCheckFailed", codes
                    old = reasons[0].get("Item")
                    assert old is not None, f"no Item in the reason with ALL_OLD: {reasons}"
                    assert num(old, "bal") < x, f"condition bal >= {x} failed although old item was {old}"
                    st["cond"] += 1
                else:
                    st["conflict"] += 1
                continue
            moves[d] += x
            st["ok"] += 1
        return moves, st

    def reader(i):
        c = clients[writers + i]
        st = {"reads": 0, "conflict": 0, "retry": 0, **anomalies()}
        last_n = -1
        while run.going():
            try:
                r = c.transact_get_items(TransactItems=[{"Get": {"TableName": tb_, "Key": k}}
                                                        for tb_, k in accounts])
            except ClientError as e:
                if code_of(e) in TXN_RETRY:
                    st["retry"] += 1
                    continue
                if code_of(e) != "TransactionCanceledException":
                    raise
                cancellation(e, 2)
                st["conflict"] += 1
                continue
            a, b = (x["Item"] for x in r["Responses"])
            st["reads"] += 1
            seen = {"A": num(a, "bal"), "B": num(b, "bal"), "nA": num(a, "n"), "nB": num(b, "n")}
            if seen["A"] + seen["B"] != 2000 or min(seen["A"], seen["B"]) < 0 or seen["nA"] != seen["nB"]:
                note(st, "torn", seen)
            if num(a, "n") < last_n:
                note(st, "backwards", (last_n, num(a, "n")))
            last_n = num(a, "n")
        return st

    res = run.run(writers + readers, lambda i: writer(i) if i < writers else reader(i - writers))
    w, rd = res[:writers], res[writers:]
    ab = sum(m["AB"] for m, _ in w)
    ba = sum(m["BA"] for m, _ in w)
    ok = sum(s["ok"] for _, s in w)
    torn = sum(s["torn"] for s in rd)
    backwards = sum(s["backwards"] for s in rd)
    a, b = get_item(ddb, ta, ka), get_item(ddb, tb, kb)
    info = (f"transfers={ok} A->B={ab} B->A={ba} condition-failures={sum(s['cond'] for _, s in w)} "
            f"conflicts={sum(s['conflict'] for _, s in w)} retried={sum(s['retry'] for _, s in w)}; "
            f"reads={sum(s['reads'] for s in rd)} read-conflicts={sum(s['conflict'] for s in rd)} "
            f"torn-reads={torn} backwards-reads={backwards}; final A={a} B={b}")
    print(info)
    assert ok > 0 and sum(s["reads"] for s in rd) > 0, info
    assert not torn, f"torn reads, e.g. {[x for s in rd for x in s['torn_samples']][:5]}; {info}"
    assert not backwards, \
        f"a reader's later snapshot was older, n went {[x for s in rd for x in s['backwards_samples']][:5]}; {info}"
    assert num(a, "bal") + num(b, "bal") == 2000, info
    assert num(a, "bal") >= 0 and num(b, "bal") >= 0, info
    assert num(a, "bal") == 1000 - ab + ba and num(b, "bal") == 1000 + ab - ba, info
    assert num(a, "n") == ok and num(b, "n") == ok, info


def test_transactional_counters_with_condition_check(ddb, clients, make_table):
    """Three counters +1 in one transaction guarded by a ConditionCheck, while plain UpdateItem ADDs hit
    another attribute of the same items: no write is lost and transactional snapshots always agree."""
    t, tg = make_table(), make_table()
    keys = [{"p": {"S": f"c{j}"}} for j in range(3)]
    guard = {"p": {"S": "guard"}}
    for k in keys:
        ddb.put_item(TableName=t, Item={**k, "v": {"N": "0"}})
    ddb.put_item(TableName=tg, Item={**guard, "open": {"BOOL": True}})
    writers, plain, readers = 10, 2, 4
    run = Run(3.0)
    items = [{"ConditionCheck": {"TableName": tg, "Key": guard, "ConditionExpression": "#o = :t",
                                 "ExpressionAttributeNames": {"#o": "open"},
                                 "ExpressionAttributeValues": {":t": {"BOOL": True}}}}]
    items += [{"Update": {"TableName": t, "Key": k, "UpdateExpression": "SET v = v + :one",
                          "ConditionExpression": "attribute_exists(v)",
                          "ExpressionAttributeValues": {":one": {"N": "1"}}}} for k in keys]

    def writer(i):
        c = clients[i]
        st = {"ok": 0, "conflict": 0, "retry": 0}
        while run.going():
            try:
                c.transact_write_items(TransactItems=items)
            except ClientError as e:
                if code_of(e) in TXN_RETRY:
                    st["retry"] += 1
                    continue
                if code_of(e) != "TransactionCanceledException":
                    raise
                _, codes = cancellation(e, 4)
                assert "ConditionalCheckFailed" not in codes, f"a condition that always holds failed: {codes}"
                st["conflict"] += 1
                continue
            st["ok"] += 1
        return st

    def plain_writer(i):
        c = clients[writers + i]
        done = [0] * len(keys)
        retry = 0
        while run.going():
            j = (sum(done) + i) % len(keys)
            try:
                c.update_item(TableName=t, Key=keys[j], UpdateExpression="ADD plain_n :one",
                              ExpressionAttributeValues={":one": {"N": "1"}})
            except ClientError as e:
                if code_of(e) in TXN_RETRY:
                    retry += 1
                    continue
                raise
            done[j] += 1
        return done, retry

    def reader(i):
        c = clients[writers + plain + i]
        st = {"reads": 0, "conflict": 0, "retry": 0, **anomalies()}
        last = -1
        while run.going():
            try:
                r = c.transact_get_items(TransactItems=[{"Get": {"TableName": t, "Key": k}} for k in keys])
            except ClientError as e:
                if code_of(e) in TXN_RETRY:
                    st["retry"] += 1
                    continue
                if code_of(e) != "TransactionCanceledException":
                    raise
                cancellation(e, 3)
                st["conflict"] += 1
                continue
            vs = [num(x["Item"], "v") for x in r["Responses"]]
            st["reads"] += 1
            if len(set(vs)) != 1:
                note(st, "torn", vs)
            if vs[0] < last:
                note(st, "backwards", (last, vs[0]))
            last = vs[0]
        return st

    res = run.run(writers + plain + readers,
                  lambda i: writer(i) if i < writers else
                  plain_writer(i - writers) if i < writers + plain else reader(i - writers - plain))
    w, pw, rd = res[:writers], res[writers:writers + plain], res[writers + plain:]
    ok = sum(s["ok"] for s in w)
    adds = [sum(d[j] for d, _ in pw) for j in range(len(keys))]
    stored = [get_item(ddb, t, k) for k in keys]
    final = [num(x, "v") for x in stored]
    others = [num(x, "plain_n") if "plain_n" in x else 0 for x in stored]
    torn = sum(s["torn"] for s in rd)
    backwards = sum(s["backwards"] for s in rd)
    info = (f"transactions={ok} conflicts={sum(s['conflict'] for s in w)} retried={sum(s['retry'] for s in w)}; "
            f"reads={sum(s['reads'] for s in rd)} read-conflicts={sum(s['conflict'] for s in rd)} "
            f"torn-reads={torn} backwards-reads={backwards}; final={final}; "
            f"plain ADDs={adds} (retried {sum(r for _, r in pw)}) stored plain_n={others}")
    print(info)
    assert ok > 0 and sum(s["reads"] for s in rd) > 0, info
    assert not torn, f"torn reads, e.g. {[x for s in rd for x in s['torn_samples']][:5]}; {info}"
    assert not backwards, \
        f"a reader's later snapshot was older, v went {[x for s in rd for x in s['backwards_samples']][:5]}; {info}"
    assert final == [ok] * 3, info
    assert others == adds, info
    assert get_item(ddb, tg, guard) == {**guard, "open": {"BOOL": True}}, info
