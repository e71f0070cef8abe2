#!/usr/bin/python3
"""stream_read.py: what reading a DynamoDB stream costs — GetRecords of 1,000 small records.

    /usr/bin/python3 bench/stream_read.py [--bin build-bench/dynarock] [--records 1000] [--rounds 50]

Starts `dynarock --in-memory` on a free port, creates a table with a NEW_AND_OLD_IMAGES stream, writes
--records small items (about 100 bytes, BatchWriteItem of 25), then --rounds times takes a
TRIM_HORIZON iterator and reads all the records with GetRecords (Limit 1000) over one keep-alive
connection with a plain HTTP client (no SDK parsing in the measured time), and prints the median and
best time per GetRecords call, records per second and the answer's size. dynalite has no Streams, so
there is no peer in the same run. A benchmark, not a test: it prints figures and exits 0.
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build-bench", "dynarock"))
    ap.add_argument("--records", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=50)
    a = ap.parse_args()
    port = free_port()
    srv = subprocess.Popen([a.bin, "--in-memory", "--port", str(port)], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        conn = None
        for _ in range(100):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/")
                conn.getresponse().read()
                break
            except OSError:
                conn = None
                time.sleep(0.05)

        def call(service, op, body):
            data = json.dumps(body)
            conn.request("POST", "/", body=data, headers={"X-Amz-Target": f"{service}.{op}",
                                                          "Content-Type": "application/x-amz-json-1.0"})
            r = conn.getresponse()
            out = r.read()
            if r.status != 200:
                raise SystemExit(f"{op}: {r.status} {out[:300]!r}")
            return out

        ddb, streams = "DynamoDB_20120810", "DynamoDBStreams_20120810"
        call(ddb, "CreateTable", {
            "TableName": "sbench", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}})
        batch = []
        for i in range(a.records):
            batch.append({"PutRequest": {"Item": {"pk": {"S": "item-%06d" % i}, "n": {"N": str(i)},
                                                  "payload": {"S": "x" * 80}}}})
            if len(batch) == 25 or i == a.records - 1:
                call(ddb, "BatchWriteItem", {"RequestItems": {"sbench": batch}})
                batch = []
        arn = json.loads(call(ddb, "DescribeTable", {"TableName": "sbench"}))["Table"]["LatestStreamArn"]
        shard = json.loads(call(streams, "DescribeStream", {"StreamArn": arn}))["StreamDescription"]["Shards"][0]["ShardId"]
        times, size = [], 0
        for _ in range(a.rounds):
            it = json.loads(call(streams, "GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                                               "ShardIteratorType": "TRIM_HORIZON"}))["ShardIterator"]
            got = 0
            while got < a.records:
                t0 = time.perf_counter()
                out = call(streams, "GetRecords", {"ShardIterator": it, "Limit": 1000})
                times.append(time.perf_counter() - t0)
                size = max(size, len(out))
                r = json.loads(out)
                got += len(r["Records"])
                it = r["NextShardIterator"]
        per = statistics.median(times)
        print("GetRecords of %d records (NEW_AND_OLD_IMAGES, ~100-byte items): median %.2f ms, best %.2f ms "
              "per call (%d calls), %.0f records/s at the median, answer %d bytes"
              % (min(a.records, 1000), per * 1000, min(times) * 1000, len(times), min(a.records, 1000) / per, size))
    finally:
        srv.terminate()
        srv.wait()


if __name__ == "__main__":
    sys.exit(main())
