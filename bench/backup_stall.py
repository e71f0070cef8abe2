#!/usr/bin/python3
"""backup_stall.py: what an on-demand backup of a large table costs the requests running beside it.

    /usr/bin/python3 bench/backup_stall.py [--bin build/dynarock] [--items 1000000] [--clients 2]

Writes a seed file with --items items (~110 bytes: key, a number, an 80-byte string) as a folder of
DYNAMODB_JSON lines, starts `dynarock --data-dir <tmp> --seed <file>` (the table is loaded before the
server answers), then runs --clients threads, each sending GetItem and PutItem in turn on random keys
over one keep-alive connection (raw HTTP, no SDK: the client's own overhead stays small) and noting
each request's start and latency. After 3 s of that alone it calls CreateBackup, polls DescribeBackup
until the backup is AVAILABLE, goes on 2 s more, then restores the backup into a new table and waits
for ACTIVE, then takes a second backup. It prints CreateBackup's own latency (the first one of a data
directory also creates the backups' column family), the copy's and the restore's durations (items/s),
and the foreground latencies (p50, p99, max) and the longest gap between two answers of one client,
before, during the copy and during the restore. A benchmark, not a test: it prints figures, exits 0.
"""
import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, op, body):
        self.conn.request("POST", "/", body=json.dumps(body), headers={
            "X-Amz-Target": "DynamoDB_20120810." + op, "Content-Type": "application/x-amz-json-1.0"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("%s: %d %s" % (op, r.status, data[:300]))
        return json.loads(data) if data else {}


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "dynarock"))
    ap.add_argument("--items", type=int, default=1000000)
    ap.add_argument("--clients", type=int, default=2)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="dynarock-backup-bench-")
    srv = None
    try:
        os.makedirs(os.path.join(work, "items"))
        t0 = time.time()
        with open(os.path.join(work, "items", "items.json"), "w") as f:
            for i in range(args.items):
                f.write('{"Item":{"pk":{"S":"k%08d"},"n":{"N":"%d"},"s":{"S":"%s"}}}\n' % (i, i, "x" * 80))
        with open(os.path.join(work, "bench.seed.json"), "w") as f:
            json.dump({"Tables": [{"TableName": "big", "BillingMode": "PAY_PER_REQUEST",
                                   "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                   "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                                   "ItemsFrom": "items", "InputFormat": "DYNAMODB_JSON",
                                   "InputCompressionType": "NONE"}]}, f)
        port = free_port()
        t1 = time.time()
        srv = subprocess.Popen([args.bin, "--data-dir", os.path.join(work, "data"), "--port", str(port),
                                "--seed", os.path.join(work, "bench.seed.json")],
                               stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"))
        c = None
        for _ in range(6000):
            try:
                c = Client(port)
                c.call("ListTables", {})
                break
            except OSError:
                time.sleep(0.05)
        load_s = time.time() - t1
        print("items %d (file written in %.1f s), seeded and serving after %.1f s" %
              (args.items, t1 - t0, load_s))
        print("table: %s" % {k: v for k, v in c.call("DescribeTable", {"TableName": "big"})["Table"].items()
                             if k in ("ItemCount", "TableSizeBytes")})

        phase = ["before"]
        lat = {"before": [], "copy": [], "after": [], "restore": [], "second": []}
        gaps = {k: 0.0 for k in lat}
        stop = threading.Event()

        def fg(seed):
            cl = Client(port)
            rnd = random.Random(seed)
            last = time.perf_counter()
            i = 0
            while not stop.is_set():
                k = "k%08d" % rnd.randrange(args.items)
                s = time.perf_counter()
                if i % 2:
                    cl.call("PutItem", {"TableName": "big", "Item": {"pk": {"S": k}, "n": {"N": str(i)},
                                                                     "s": {"S": "y" * 80}}})
                else:
                    cl.call("GetItem", {"TableName": "big", "Key": {"pk": {"S": k}}})
                e = time.perf_counter()
                ph = phase[0]
                lat[ph].append(e - s)
                gaps[ph] = max(gaps[ph], e - last)
                last = e
                i += 1

        ths = [threading.Thread(target=fg, args=(n,)) for n in range(args.clients)]
        for t in ths:
            t.start()
        time.sleep(3)
        phase[0] = "copy"
        s = time.perf_counter()
        d = c.call("CreateBackup", {"TableName": "big", "BackupName": "bench"})["BackupDetails"]
        create_ms = (time.perf_counter() - s) * 1000
        arn = d["BackupArn"]
        while c.call("DescribeBackup", {"BackupArn": arn})["BackupDescription"]["BackupDetails"][
                "BackupStatus"] != "AVAILABLE":
            time.sleep(0.02)
        copy_s = time.perf_counter() - s
        phase[0] = "after"
        time.sleep(2)
        phase[0] = "restore"
        s = time.perf_counter()
        c.call("RestoreTableFromBackup", {"TargetTableName": "big2", "BackupArn": arn})
        while c.call("DescribeTable", {"TableName": "big2"})["Table"]["TableStatus"] != "ACTIVE":
            time.sleep(0.05)
        restore_s = time.perf_counter() - s
        phase[0] = "second"
        s = time.perf_counter()
        arn2 = c.call("CreateBackup", {"TableName": "big", "BackupName": "again"})["BackupDetails"]["BackupArn"]
        create2_ms = (time.perf_counter() - s) * 1000
        while c.call("DescribeBackup", {"BackupArn": arn2})["BackupDescription"]["BackupDetails"][
                "BackupStatus"] != "AVAILABLE":
            time.sleep(0.02)
        stop.set()
        for t in ths:
            t.join()
        bk = c.call("DescribeBackup", {"BackupArn": arn})["BackupDescription"]
        print("CreateBackup answered in %.2f ms (status %s); copy of %d items (%d bytes) done %.2f s after the "
              "call (%.0f items/s)" % (create_ms, d["BackupStatus"], bk["SourceTableDetails"]["ItemCount"],
                                       bk["BackupDetails"]["BackupSizeBytes"], copy_s,
                                       bk["SourceTableDetails"]["ItemCount"] / copy_s))
        t2 = c.call("DescribeTable", {"TableName": "big2"})["Table"]
        print("restore: %d items ACTIVE after %.2f s (%.0f items/s)" %
              (t2["ItemCount"], restore_s, t2["ItemCount"] / restore_s))
        print("a second CreateBackup (the backups' column family exists by then) answered in %.2f ms" % create2_ms)
        for ph in ("before", "copy", "after", "restore", "second"):
            xs = lat[ph]
            print("GetItem/PutItem %-8s n=%6d p50 %.2f ms p99 %.2f ms max %.1f ms, longest gap between answers "
                  "%.1f ms (%d clients)" % (ph, len(xs), pct(xs, 0.5), pct(xs, 0.99), max(xs) * 1000 if xs else 0,
                                            gaps[ph] * 1000, args.clients))
    finally:
        if srv:
            srv.terminate()
            srv.wait()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
