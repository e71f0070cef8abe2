#!/usr/bin/python3
"""instr.py: user-space instructions per request of dynarock, counted by valgrind's callgrind.

CPU time per request moves with the neighbours on a shared machine; instruction counts do not,
so this is the measure to compare two builds of the same change (a counter, not a stopwatch: it
does not see the kernel's share — socket reads and writes, the write-ahead log's write()).

    bench/instr.py                                  # every operation, build-bench/dynarock
    bench/instr.py --ops put,get --n 3000 --bin /tmp/old/dynarock
    bench/instr.py --ops query --overwrites 20000   # Query after 20,000 overwrites (versions)
    bench/instr.py --ops put --top 30               # and the 30 costliest functions (inclusive)
    bench/instr.py --ops put,over --stream NEW_AND_OLD_IMAGES   # the bench table with a stream
    bench/instr.py --ops get --sign                 # every request SigV4-signed, server --auth enforce
    bench/instr.py --ops put,over --pitr            # the bench table with point-in-time recovery on

For each operation it starts `dynarock --data-dir <fresh dir>` under callgrind, creates the
bench table (HASH pk, RANGE sk), seeds --seed items through PutItem (the bench's item.fmt),
optionally overwrites seeded items --overwrites times, sends 50 requests of the operation
(warm-up), zeroes the counters, sends --n requests on one keep-alive connection, dumps the
counters and divides: instructions of all threads (event loops and RocksDB's background jobs)
per request. Operations: put (new items), over (overwrites of seeded items), get, query (one
10-item partition), update (SET with a condition), pqget (PartiQL SELECT * by the full key, the
equivalent of get).

Needs valgrind (Debian package) and a Release build (bench/run.sh makes build-bench/).
"""
import argparse
import glob
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FMT = open(os.path.join(HERE, "wrk", "item.fmt")).read().strip()
TABLE = {"TableName": "bench", "BillingMode": "PAY_PER_REQUEST",
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}]}


def item(i):
    return FMT % ("p%06d" % (i // 10), "s%02d" % (i % 10), i, i, i % 90, i)


def request(op, i, seeded):
    """(target, body) of the i-th request of an operation."""
    j = (i * 7919) % seeded
    if op == "put":
        return "PutItem", '{"TableName":"bench","Item":%s}' % item(seeded + 1000 + i)
    if op == "over":
        return "PutItem", '{"TableName":"bench","Item":%s}' % item(j)
    if op == "get":
        return "GetItem", '{"TableName":"bench","Key":{"pk":{"S":"p%06d"},"sk":{"S":"s%02d"}}}' % (j // 10, j % 10)
    if op == "pqget":
        return "ExecuteStatement", ('{"Statement":"SELECT * FROM \\"bench\\" WHERE pk = ? AND sk = ?",'
                                    '"Parameters":[{"S":"p%06d"},{"S":"s%02d"}]}' % (j // 10, j % 10))
    if op == "query":
        return "Query", ('{"TableName":"bench","KeyConditionExpression":"pk = :p",'
                         '"ExpressionAttributeValues":{":p":{"S":"p%06d"}}}' % (j // 10))
    if op == "update":
        return "UpdateItem", ('{"TableName":"bench","Key":{"pk":{"S":"p%06d"},"sk":{"S":"s%02d"}},'
                              '"UpdateExpression":"SET #n = #n + :one, #s = :s",'
                              '"ConditionExpression":"attribute_exists(pk)",'
                              '"ExpressionAttributeNames":{"#n":"n","#s":"state"},'
                              '"ExpressionAttributeValues":{":one":{"N":"1"},":s":{"S":"x%d"}}}' % (j // 10, j % 10, i))
    raise SystemExit(f"unknown operation {op}")


SIGN_KEY, SIGN_SECRET = "AKIDINSTR", "instr-secret"


def measure(binary, op, n, seeded, overwrites, port, top, stream=None, server_args=(), sign=False, pitr=False):
    work = tempfile.mkdtemp(prefix="dynarock-instr-")
    out = os.path.join(work, "cg.out")
    signer = None
    if sign:  # every request signed by botocore (Debian's python3-botocore), verified by the server
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        creds = os.path.join(work, "credentials")
        with open(creds, "w") as f:
            f.write(f"{SIGN_KEY} {SIGN_SECRET}\n")
        server_args = (*server_args, "--auth", "enforce", "--credentials", creds)
        v4 = SigV4Auth(Credentials(SIGN_KEY, SIGN_SECRET), "dynamodb", "us-east-1")

        def signer(headers, body):
            req = AWSRequest(method="POST", url=f"http://127.0.0.1:{port}/", data=body.encode(), headers=headers)
            v4.add_auth(req)
            return dict(req.headers.items())
    srv = subprocess.Popen(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", binary,
                            "--data-dir", os.path.join(work, "data"), "--port", str(port), *server_args],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = None
        for _ in range(300):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("GET", "/")
                conn.getresponse().read()
                break
            except OSError:
                conn = None
                time.sleep(0.1)
        if conn is None:
            raise SystemExit("dynarock did not start under valgrind")

        def send(target, body):
            headers = {"X-Amz-Target": "DynamoDB_20120810." + target, "Content-Type": "application/x-amz-json-1.0",
                       "Host": f"127.0.0.1:{port}"}
            if signer:
                headers = signer(headers, body)
            conn.request("POST", "/", body=body, headers=headers)
            r = conn.getresponse()
            data = r.read()
            if r.status != 200:
                raise SystemExit(f"{target}: {r.status} {data[:300]!r}")

        table = dict(TABLE)
        if stream:
            table["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
        send("CreateTable", json.dumps(table))
        if pitr:
            send("UpdateContinuousBackups", '{"TableName":"bench","PointInTimeRecoverySpecification":'
                 '{"PointInTimeRecoveryEnabled":true}}')
        for i in range(seeded):
            send("PutItem", '{"TableName":"bench","Item":%s}' % item(i))
        for i in range(overwrites):
            send("PutItem", '{"TableName":"bench","Item":%s}' % item(i % seeded))
        for i in range(50):
            send(*request(op, i, seeded))
        subprocess.run(["callgrind_control", "-z", str(srv.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for i in range(n):
            send(*request(op, 50 + i, seeded))
        subprocess.run(["callgrind_control", "-d", str(srv.pid)], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dumps = [f for f in glob.glob(out + ".*") if os.path.getsize(f) > 0]
        if not dumps:
            raise SystemExit("callgrind wrote no dump")
        ann = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100"] + dumps,
                             capture_output=True, text=True).stdout
        total = None
        for line in ann.splitlines():
            if "PROGRAM TOTALS" in line:
                total = int(line.split()[0].replace(",", ""))
                break
        if total is None:
            raise SystemExit("no totals in callgrind's output")
        print(f"{op:7s} {total / n:10,.0f} instructions/request  (n={n}, seeded={seeded}, overwrites={overwrites}"
              + (f", stream {stream}" if stream else "") + (", PITR" if pitr else "")
              + (", signed)" if sign else ")"))
        if top:
            rows = [l for l in ann.splitlines() if l.strip()[:1].isdigit() and "PROGRAM TOTALS" not in l]
            for l in rows[:top]:
                print("   ", l[:160])
    finally:
        srv.terminate()
        srv.wait()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build-bench", "dynarock"))
    ap.add_argument("--ops", default="put,over,get,query,update")
    ap.add_argument("--n", type=int, default=2000, help="measured requests per operation")
    ap.add_argument("--seed", type=int, default=3000, help="items seeded first (multiple of 10)")
    ap.add_argument("--overwrites", type=int, default=0, help="overwrites of seeded items before measuring")
    ap.add_argument("--port", type=int, default=8421)
    ap.add_argument("--top", type=int, default=0, help="also print the N costliest functions (inclusive)")
    ap.add_argument("--stream", default=None, help="create the bench table with a stream of this view type")
    ap.add_argument("--server-args", default="", help="more dynarock flags, e.g. '--log-level info'")
    ap.add_argument("--sign", action="store_true", help="sign every request (SigV4); the server runs --auth enforce")
    ap.add_argument("--pitr", action="store_true", help="turn point-in-time recovery on for the bench table")
    a = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is missing: apt-get install valgrind")
    for op in a.ops.split(","):
        measure(os.path.abspath(a.bin), op, a.n, a.seed, a.overwrites, a.port, a.top, a.stream, a.server_args.split(),
                a.sign, a.pitr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
