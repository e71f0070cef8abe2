#!/usr/bin/python3
"""ttl_sweep.py: how fast the TTL sweeper deletes, and what it costs foreground reads meanwhile.

    /usr/bin/python3 bench/ttl_sweep.py [--bin build/dynarock] [--items 100000] [--expired-pct 10] [--stream]

Starts `dynarock --in-memory --ttl-interval 1` on a free port, loads --items items (about 200 bytes,
--expired-pct of them with a TTL attribute a minute in the past, the rest an hour ahead) into a
table without TTL, then enables TTL and measures the time until ItemCount has dropped by the
expired count (items scanned and deleted per second), while one client thread sends GetItem
requests and records their latencies (p50 / p99 during the sweep, against the same client before
it, while the main thread polls DescribeTable every 50 ms in both phases). With --stream the table has a
NEW_AND_OLD_IMAGES stream, and the sweep's REMOVE records (by the service) are counted afterwards.
A benchmark, not a test: it prints figures and exits 0.
"""
import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "dynarock"))
    ap.add_argument("--items", type=int, default=100000)
    ap.add_argument("--expired-pct", type=int, default=10)
    ap.add_argument("--stream", action="store_true", help="the table has a NEW_AND_OLD_IMAGES stream")
    args = ap.parse_args()
    port = free_port()
    srv = subprocess.Popen([args.bin, "--in-memory", "--port", str(port), "--ttl-interval", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = "http://127.0.0.1:%d" % port
        ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                           aws_secret_access_key="x", config=Config(retries={"max_attempts": 3}))
        for _ in range(100):
            try:
                ddb.list_tables()
                break
            except Exception:
                time.sleep(0.05)
        extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}} \
            if args.stream else {}
        ddb.create_table(TableName="ttlbench", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], **extra)
        now = int(time.time())
        every = max(1, 100 // max(1, args.expired_pct))
        expired = 0
        t0 = time.time()
        batch = []
        for i in range(args.items):
            gone = i % every == 0
            expired += gone
            batch.append({"PutRequest": {"Item": {
                "pk": {"S": "item-%08d" % i}, "exp": {"N": str(now - 60 if gone else now + 3600)},
                "payload": {"S": "x" * 160}}}})
            if len(batch) == 25:
                ddb.batch_write_item(RequestItems={"ttlbench": batch})
                batch = []
        if batch:
            ddb.batch_write_item(RequestItems={"ttlbench": batch})
        load_s = time.time() - t0

        lat, stop, phase = {"before": [], "during": []}, threading.Event(), ["before"]

        def reader():
            c = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                             aws_secret_access_key="x")
            i = 1
            while not stop.is_set():
                k = {"pk": {"S": "item-%08d" % (i * 7919 % args.items)}}
                s = time.perf_counter()
                c.get_item(TableName="ttlbench", Key=k)
                lat[phase[0]].append(time.perf_counter() - s)
                i += 1

        th = threading.Thread(target=reader)
        th.start()
        end = time.time() + 3  # the same polling as during the sweep, so both phases share the client's GIL
        while time.time() < end:
            ddb.describe_table(TableName="ttlbench")
            time.sleep(0.05)
        phase[0] = "during"
        t1 = time.time()
        ddb.update_time_to_live(TableName="ttlbench",
                                TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True})
        target = args.items - expired
        while ddb.describe_table(TableName="ttlbench")["Table"]["ItemCount"] > target:
            time.sleep(0.05)
        sweep_s = time.time() - t1
        stop.set()
        th.join()

        def pct(xs, p):
            xs = sorted(xs)
            return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")

        print("items %d, expired %d, loaded in %.1f s" % (args.items, expired, load_s))
        print("sweep: all expired items gone %.2f s after TTL was enabled (sweep period 1 s):"
              " %.0f items scanned/s, %.0f deleted/s" % (sweep_s, args.items / sweep_s, expired / sweep_s))
        for ph in ("before", "during"):
            xs = lat[ph]
            print("GetItem %-6s: n=%d p50 %.2f ms p99 %.2f ms (one boto3 client)" %
                  (ph, len(xs), pct(xs, 0.5), pct(xs, 0.99)))
        if args.stream:
            st = boto3.client("dynamodbstreams", endpoint_url=url, region_name="us-east-1", aws_access_key_id="x",
                              aws_secret_access_key="x")
            arn = ddb.describe_table(TableName="ttlbench")["Table"]["LatestStreamArn"]
            shard = st.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
            it = st.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            kinds = {}
            while it:
                r = st.get_records(ShardIterator=it)
                for rec in r["Records"]:
                    k = rec["eventName"] + (" by the service" if rec.get("userIdentity") else "")
                    kinds[k] = kinds.get(k, 0) + 1
                if not r["Records"]:
                    break
                it = r.get("NextShardIterator")
            print("stream records: %s" % ", ".join("%s %d" % kv for kv in sorted(kinds.items())))
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    sys.exit(main())
