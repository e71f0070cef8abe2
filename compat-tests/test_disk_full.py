"""A full disk: dynarock keeps serving reads, refuses writes with a retryable error that names the
cause (logged once), and resumes writing by itself when space returns, losing nothing acknowledged.

The data directory lives on a 64 MB tmpfs mounted for the test (needs root, as in CI; skipped with
the reason otherwise). A filler file takes the free space, then writes go on until the disk is full.
Deleting the filler must let writes through again without a restart; a clean stop and a restart on
the same directory must show every acknowledged write.
"""
import os
import signal
import subprocess
import time

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

TABLE = "disk_full"
FULL = ("Internal server error: the data directory's disk is full; writes are refused until space is "
        "freed")
CAUSE = "the data directory's disk is full"


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="dummy",
                        aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))


@pytest.fixture
def tmpfs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs")
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def item(i, size):
    return {"p": {"S": f"p{i % 7}"}, "s": {"N": str(i)}, "v": {"S": f"{i:08d}" + "x" * size}}


def check_all(ddb, acked):
    """Every acknowledged item is there (GetItem), and Query and Scan see exactly them."""
    for i, size in acked.items():
        got = ddb.get_item(TableName=TABLE, Key={"p": {"S": f"p{i % 7}"}, "s": {"N": str(i)}},
                           ConsistentRead=True).get("Item")
        assert got == item(i, size), f"item {i} missing or wrong"
    seen = set()
    for part in range(7):
        for page in ddb.get_paginator("query").paginate(
                TableName=TABLE, KeyConditionExpression="p = :p", ProjectionExpression="s",
                ExpressionAttributeValues={":p": {"S": f"p{part}"}}):
            seen.update(int(it["s"]["N"]) for it in page["Items"])
    assert seen == set(acked)
    scanned = set()
    for page in ddb.get_paginator("scan").paginate(TableName=TABLE, ProjectionExpression="s"):
        scanned.update(int(it["s"]["N"]) for it in page["Items"])
    assert scanned == set(acked)


def test_full_disk_keeps_reads_refuses_writes_and_resumes(tmpfs, tmp_path):
    data = tmpfs / "data"
    log = tmp_path / "server.log"
    servers = []

    def start():
        s = du.Server(["--data-dir", str(data)], log)
        servers.append(s)
        return s.start()

    t0 = time.time()
    try:
        srv = start()
        ddb = client(srv.url)
        raw = du.raw_for(ddb)
        ddb.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S", "s", "N"))
        acked = {}
        for i in range(20):
            ddb.put_item(TableName=TABLE, Item=item(i, 100))
            acked[i] = 100

        st = os.statvfs(tmpfs)
        with open(tmpfs / "filler", "wb") as f:
            try:
                f.write(b"\0" * (st.f_bavail * st.f_frsize))
            except OSError:
                pass

        # The write-ahead log has preallocated room: large items use it up quickly.
        refused = 0
        i = 20
        while refused < 5:
            assert time.time() - t0 < 40, "the disk never filled up"
            r = raw.call("PutItem", {"TableName": TABLE, "Item": item(i, 300_000)})
            if r.status == 200:
                acked[i] = 300_000
            else:
                assert r.status == 500, r
                assert r.error_type == "com.amazonaws.dynamodb.v20120810#InternalServerError", r
                assert r.error_message == FULL
                refused += 1
            i += 1
        assert srv.proc.poll() is None, "the server died"
        # small writes and other write operations are refused the same way
        for op, payload in (("PutItem", {"TableName": TABLE, "Item": item(i, 10)}),
                            ("DeleteItem", {"TableName": TABLE, "Key": {"p": {"S": "p0"}, "s": {"N": "0"}}}),
                            ("UpdateItem", {"TableName": TABLE, "Key": {"p": {"S": "p1"}, "s": {"N": "1"}},
                                            "UpdateExpression": "SET w = :w",
                                            "ExpressionAttributeValues": {":w": {"S": "w"}}})):
            r = raw.call(op, payload)
            assert (r.status, r.error_message) == (500, FULL), (op, r)
        # reads and health checks go on
        status, body = du.http_get(srv.url)
        assert status == 200 and body.startswith(b"healthy:")
        check_all(ddb, acked)
        assert ddb.describe_table(TableName=TABLE)["Table"]["ItemCount"] == len(acked)
        assert log.read_text().count(CAUSE) == 1, "the cause must be logged once, not per request"

        # space returns: writes resume by themselves
        os.unlink(tmpfs / "filler")
        deadline = time.time() + 20
        while True:
            r = raw.call("PutItem", {"TableName": TABLE, "Item": item(i, 10)})
            if r.status == 200:
                acked[i] = 10
                break
            assert r.error_message == FULL
            assert time.time() < deadline, "writes did not resume after space was freed"
            time.sleep(0.2)
        for j in range(i + 1, i + 10):
            ddb.put_item(TableName=TABLE, Item=item(j, 1000))
            acked[j] = 1000
        check_all(ddb, acked)
        assert "writes resumed" in log.read_text()

        # clean stop, restart on the same directory: everything acknowledged is there
        assert srv.stop(signal.SIGTERM) == 0
        srv = start()
        ddb = client(srv.url)
        check_all(ddb, acked)
        assert ddb.describe_table(TableName=TABLE)["Table"]["ItemCount"] == len(acked)
        assert srv.stop(signal.SIGTERM) == 0
        assert "Assertion" not in log.read_text()
    finally:
        for s in servers:
            s.kill()
    assert time.time() - t0 < 60
