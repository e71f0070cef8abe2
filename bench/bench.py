#!/usr/bin/env python3
"""bench.py: dynarock against dynalite, side by side in one run (bench/run.sh calls it).

What it does, in order:
  1. starts the servers on free loopback ports: dynarock --in-memory, dynarock --data-dir (a fresh
     temporary directory) and dynalite (in memory), each as a direct child so /proc/<pid> is the
     server itself;
  2. seeds each one identically: table "bench" (HASH pk S, RANGE sk S, on demand) and 10,000
     items of ~300 bytes (1,000 partitions of 10; the item text comes from wrk/item.fmt, the
     same template the Lua scripts use);
  3. probes every workload once per server (all probes in parallel) and skips a workload for
     every server when any server answers UnknownOperationException;
  4. warms each server up, then runs every workload with wrk (2 threads, 64 connections) on each
     server in turn, A B C A B C ..., reading the server's CPU time (utime+stime of the process
     and of its descendants, /proc/<pid>/stat) before and after each run;
  5. measures dynarock's start-to-first-answer (exec to the first 200 answer to ListTables, best
     of N) and idle RSS, and the same for dynalite;
  6. loads 1 M items into a fresh --data-dir dynarock with wrk/load.lua and reports RSS, on-disk
     size and load rate (and Query latency on that table when Query works);
  7. writes bench/results/<date>.json and prints a markdown table.

Only the standard library; Linux only (/proc). Figures on a shared machine are noisy: the CPU
microseconds per request are the steadier measure, throughput is shown beside them.
"""
import argparse
import datetime
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
WRK_DIR = os.path.join(BENCH, "wrk")
TICK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
TABLE = "bench"
PARTITIONS = 1000  # x 10 items = 10,000 seeded items
AUTH = ("AWS4-HMAC-SHA256 Credential=AKIDBENCH/20261121/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)

# name, script, the operation it needs probed (None: covered by the probes of its parts)
# name, script, the operation it needs probed (None: covered by the probes of its parts). Reads
# first, then writes that keep the table at its seeded size, then writes that add items: so every
# server answers the read workloads from the same 10,000 items.
WORKLOADS = [
    ("GetItem", "get.lua", "get"),
    ("Query (10 items)", "query.lua", "query"),
    ("Mix 50/50 Get/Put", "mix.lua", None),
    ("UpdateItem (condition)", "update.lua", "update"),
    ("PutItem", "put.lua", "put"),
    ("BatchWriteItem (25)", "batchwrite.lua", "batchwrite"),
    ("TransactWriteItems (4)", "transact.lua", "transact"),
]
MIX_NEEDS = ("put", "get")

with open(os.path.join(WRK_DIR, "item.fmt")) as f:
    ITEM_FMT = f.read().rstrip()


def item_json(pk, sk, i):
    """Same as bench.lua's M.item."""
    return ITEM_FMT % (pk, sk, i, i, i % 90, i)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------------------------
# /proc readers


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()  # fields from 3 (state) on


def descendants(pid):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(proc_stat(d)[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu_seconds(pid):
    """utime+stime of pid and every live descendant, plus what its reaped children used."""
    total = 0
    for p in descendants(pid):
        try:
            f = proc_stat(p)
        except OSError:
            continue
        total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    return total / TICK


def rss_kb(pid, field="VmRSS:", source="status"):
    """VmRSS (or another /proc/<pid>/<source> field in kB) of pid and its descendants. Pss: from
    smaps_rollup, the proportional share (a page mapped by k processes counts 1/k)."""
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/{source}") as f:
                for line in f:
                    if line.startswith(field):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def du_bytes(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except OSError:
                pass
    return total


# ---------------------------------------------------------------------------------------------
# HTTP


class Client:
    """One keep-alive connection speaking DynamoDB JSON 1.0."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, op, body):
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810." + op,
                   "X-Amz-Date": "20261121T000000Z", "Authorization": AUTH}
        self.conn.request("POST", "/", data, headers)
        r = self.conn.getresponse()
        raw = r.read()
        return r.status, json.loads(raw) if raw else {}

    def ok(self, op, body):
        st, out = self.call(op, body)
        if st != 200:
            raise RuntimeError(f"{op} on port {self.port}: HTTP {st} {out}")
        return out

    def close(self):
        self.conn.close()


def raw_list_tables(port):
    return ("POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/x-amz-json-1.0\r\n"
            "X-Amz-Target: DynamoDB_20120810.ListTables\r\nX-Amz-Date: 20261121T000000Z\r\n"
            "Authorization: %s\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            % (port, AUTH)).encode()


def first_answer(port, deadline):
    """Poll until ListTables answers 200; returns perf_counter() at that answer."""
    req = raw_list_tables(port)
    while time.perf_counter() < deadline:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=2)
        except OSError:
            time.sleep(0.0002)
            continue
        try:
            s.sendall(req)
            buf = b""
            while b"\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            if buf.startswith(b"HTTP/1.1 200"):
                return time.perf_counter()
        except OSError:
            pass
        finally:
            s.close()
        time.sleep(0.0002)
    raise RuntimeError(f"no answer on port {port}")


# ---------------------------------------------------------------------------------------------
# Servers


class Server:
    def __init__(self, key, label, argv_fn, data_dir=None):
        self.key, self.label, self.argv_fn, self.data_dir = key, label, argv_fn, data_dir
        self.proc = None
        self.port = None

    def start(self, timeout=30):
        self.port = free_port()
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(self.argv_fn(self.port), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        t1 = first_answer(self.port, t0 + timeout)
        return t1 - t0

    @property
    def pid(self):
        return self.proc.pid

    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def create_table(port):
    c = Client(port)
    c.ok("CreateTable", {
        "TableName": TABLE, "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "sk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}]})
    for _ in range(500):
        if c.ok("DescribeTable", {"TableName": TABLE})["Table"]["TableStatus"] == "ACTIVE":
            break
        time.sleep(0.01)
    c.close()


def seed(port, n_items, conns=4):
    """PutItem items 0..n_items-1 over `conns` keep-alive connections; every answer must be 200."""
    errors = []

    def worker(k):
        c = Client(port)
        try:
            for i in range(k, n_items, conns):
                c.ok("PutItem", '{"TableName":"%s","Item":%s}'
                     % (TABLE, item_json("p%06d" % (i // 10), "s%02d" % (i % 10), i)))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            c.close()

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise errors[0]


def sample_present(port, n_items, samples=200):
    c = Client(port)
    rnd = random.Random(7)
    found = 0
    idx = [rnd.randrange(n_items) for _ in range(samples)]
    for i in idx:
        out = c.ok("GetItem", {"TableName": TABLE, "Key": {"pk": {"S": "p%06d" % (i // 10)},
                                                            "sk": {"S": "s%02d" % (i % 10)}}})
        found += "Item" in out
    c.close()
    return found, samples


# ---------------------------------------------------------------------------------------------
# wrk


def wrk_env(**extra):
    env = dict(os.environ)
    env.update({"BENCH_DIR": WRK_DIR, "LUA_PATH": os.path.join(WRK_DIR, "?.lua") + ";;",
                "BENCH_TABLE": TABLE, "BENCH_PARTITIONS": str(PARTITIONS)})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def parse_benchjson(out):
    m = re.search(r"^BENCHJSON (\{.*\})$", out, re.M)
    if not m:
        raise RuntimeError("wrk printed no BENCHJSON line:\n" + out)
    return json.loads(m.group(1))


def probe(server, script):
    """One request of the workload; returns (status, body) of the answer."""
    p = subprocess.run(["wrk", "-t1", "-c1", "-d1s", "-s", os.path.join(WRK_DIR, script), server.url()],
                       env=wrk_env(BENCH_PROBE=1, BENCH_TAG="probe"), capture_output=True, text=True,
                       timeout=60)
    m = re.search(r"^PROBE (\d+) (.*)$", p.stdout, re.M)
    if not m:
        return 0, (p.stdout + p.stderr).strip()
    return int(m.group(1)), m.group(2)


def settle_cpu(pid, limit=10.0):
    """Wait until the server stops using CPU (background flushes and compactions that the run
    caused belong to the run); returns its CPU seconds then, and how long that took."""
    t0 = time.perf_counter()
    prev = cpu_seconds(pid)
    while time.perf_counter() - t0 < limit:
        time.sleep(0.2)
        now = cpu_seconds(pid)
        if now - prev <= 1.0 / TICK:
            return now, time.perf_counter() - t0
        prev = now
    return prev, time.perf_counter() - t0


def run_wrk(server, script, duration, tag, threads, conns, wrk_log, partitions=PARTITIONS):
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "--latency", "-s",
            os.path.join(WRK_DIR, script), server.url()]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = cpu_seconds(server.pid)
    p = subprocess.run(argv, env=wrk_env(BENCH_TAG=tag, BENCH_PARTITIONS=partitions),
                       capture_output=True, text=True, timeout=duration + 60)
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1, settle = settle_cpu(server.pid)
    wrk_log.write(f"### {server.key} {script} tag={tag}\n{' '.join(argv)}\n{p.stdout}{p.stderr}\n")
    wrk_log.flush()
    r = parse_benchjson(p.stdout)
    req = max(r["requests"], 1)
    e = r["errors"]
    wrk_cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    return {
        "requests": r["requests"],
        "seconds": r["duration_us"] / 1e6,
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50_ms": r["latency_us"]["50"] / 1000, "p90_ms": r["latency_us"]["90"] / 1000,
        "p99_ms": r["latency_us"]["99"] / 1000, "p999_ms": r["latency_us"]["99.9"] / 1000,
        "max_ms": r["latency_us"]["max"] / 1000, "mean_ms": r["latency_us"]["mean"] / 1000,
        "non2xx": e["status"], "socket_errors": e["connect"] + e["read"] + e["write"] + e["timeout"],
        "server_cpu_s": cpu1 - cpu0, "settle_s": settle,
        "cpu_us_per_req": (cpu1 - cpu0) * 1e6 / req,
        "wrk_cpu_us_per_req": wrk_cpu * 1e6 / req,
    }


def aggregate(runs):
    req = sum(r["requests"] for r in runs)
    secs = sum(r["seconds"] for r in runs)
    med = lambda k: statistics.median(r[k] for r in runs)  # noqa: E731
    return {
        "rounds": len(runs), "requests": req, "rps": req / secs if secs else 0,
        "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"), "p99_ms_worst": max(r["p99_ms"] for r in runs),
        "cpu_us_per_req": sum(r["server_cpu_s"] for r in runs) * 1e6 / max(req, 1),
        "wrk_cpu_us_per_req": med("wrk_cpu_us_per_req"),
        "non2xx": sum(r["non2xx"] for r in runs), "socket_errors": sum(r["socket_errors"] for r in runs),
    }


# ---------------------------------------------------------------------------------------------
# The 1 M item load


def backfill(srv, timeout):
    """Add a GSI (hash key `email`, projection ALL) to the loaded table; time it until ACTIVE."""
    c = Client(srv.port)
    cpu0 = cpu_seconds(srv.pid)
    t0 = time.perf_counter()
    c.ok("UpdateTable", {
        "TableName": TABLE, "AttributeDefinitions": [{"AttributeName": "email", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {
            "IndexName": "by_email", "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}]})
    res = {"complete": False}
    while time.perf_counter() - t0 < timeout:
        gsi = c.ok("DescribeTable", {"TableName": TABLE})["Table"]["GlobalSecondaryIndexes"][0]
        if gsi["IndexStatus"] == "ACTIVE":
            res.update(complete=True, items=gsi["ItemCount"])
            break
        time.sleep(0.05)
    res["seconds"] = time.perf_counter() - t0
    res["cpu_s"] = cpu_seconds(srv.pid) - cpu0
    res["rate"] = res.get("items", 0) / res["seconds"]
    c.close()
    return res


def query_small_disk(dynarock, n_items, wrk_log, duration):
    """Query (10 items) on a table of n_items in --data-dir, read from disk files: the same
    conditions as the 1 M item table (loaded, then the server restarted so memtables are flushed)."""
    data_dir = tempfile.mkdtemp(prefix="dynarock-bench-small-")
    srv = Server("dynarock_small", "dynarock (disk, small)",
                 lambda port: [dynarock, "--port", str(port), "--data-dir", data_dir])
    try:
        srv.start()
        create_table(srv.port)
        env = wrk_env(BENCH_LOAD_ITEMS=n_items, BENCH_THREADS=2, BENCH_CONNS=64, BENCH_TAG="load")
        subprocess.run(["wrk", "-t2", "-c64", "-d60s", "-s", os.path.join(WRK_DIR, "load.lua"), srv.url()],
                       env=env, capture_output=True, text=True, timeout=120)
        srv.stop()
        srv.start()
        settle_cpu(srv.pid, 20)
        return run_wrk(srv, "query.lua", duration, "q10k", 2, 64, wrk_log, partitions=n_items // 10)
    finally:
        srv.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def load_items(dynarock, n_items, timeout, wrk_log, query_supported, duration):
    """Load n_items into a fresh --data-dir dynarock; then GetItem (and Query) on that table."""
    data_dir = tempfile.mkdtemp(prefix="dynarock-bench-1m-")
    srv = Server("dynarock_1m", "dynarock (disk, 1M)",
                 lambda port: [dynarock, "--port", str(port), "--data-dir", data_dir])
    res = {"items_target": n_items}
    try:
        srv.start()
        create_table(srv.port)
        res["rss_kb_empty"] = rss_kb(srv.pid)
        threads, conns = 2, 64
        env = wrk_env(BENCH_LOAD_ITEMS=n_items, BENCH_THREADS=threads, BENCH_CONNS=conns, BENCH_TAG="load")
        argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{int(timeout) + 5}s", "-s",
                os.path.join(WRK_DIR, "load.lua"), srv.url()]
        cpu0 = cpu_seconds(srv.pid)
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        loaded, out_lines = 0, []
        timer = threading.Timer(timeout, lambda: p.poll() is None and p.send_signal(signal.SIGINT))
        timer.start()
        for line in p.stdout:
            out_lines.append(line)
            if line.startswith("LOADED"):
                loaded += 1
                if loaded == threads and p.poll() is None:
                    p.send_signal(signal.SIGINT)
        p.wait()
        timer.cancel()
        elapsed = time.perf_counter() - t0
        cpu1, _ = settle_cpu(srv.pid, 30)
        out = "".join(out_lines)
        wrk_log.write(f"### load {n_items}\n{' '.join(argv)}\n{out}\n")
        r = parse_benchjson(out)
        res.update({
            "complete": loaded == threads, "seconds": elapsed, "answers": r["requests"],
            "rps": r["requests"] / (r["duration_us"] / 1e6), "non2xx": r["errors"]["status"],
            "cpu_us_per_req": (cpu1 - cpu0) * 1e6 / max(r["requests"], 1),
            "p99_ms": r["latency_us"]["99"] / 1000,
            "rss_kb_loaded": rss_kb(srv.pid), "disk_bytes_running": du_bytes(data_dir),
        })
        if res["complete"]:
            found, n = sample_present(srv.port, n_items)
            res["sample_found"] = f"{found}/{n}"
        # restart: reads below come from the table's files, as for the small table
        srv.stop()
        srv.start()
        settle_cpu(srv.pid, 30)
        if query_supported:
            res["query_10k"] = query_small_disk(dynarock, 10_000, wrk_log, duration)
        res["get"] = run_wrk(srv, "get.lua", duration, "g1m", 2, 64, wrk_log, partitions=n_items // 10)
        if query_supported:
            res["query"] = run_wrk(srv, "query.lua", duration, "q1m", 2, 64, wrk_log, partitions=n_items // 10)
            res["backfill"] = backfill(srv, timeout)
        time.sleep(1)
        res["rss_kb_after"] = rss_kb(srv.pid)
        srv.stop()
        res["disk_bytes_closed"] = du_bytes(data_dir)
    finally:
        srv.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    return res


# ---------------------------------------------------------------------------------------------
# Output


def fnum(x, digits=0):
    if x is None:
        return "-"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    return (a / b) if (a is not None and b) else None


def markdown(res):
    L = []
    ref = "dynalite"
    keys = [s["key"] for s in res["servers"]]
    labels = {s["key"]: s["label"] for s in res["servers"]}
    L.append(f"### dynarock vs dynalite, {res['date']} ({res['machine']['cores']} cores, wrk "
             f"{res['config']['wrk_threads']} threads x {res['config']['connections']} connections, "
             f"{res['config']['rounds']} rounds x {res['config']['duration_s']} s, alternating)")
    L.append("")
    L.append("| workload | server | req/s | p50 ms | p99 ms | server CPU µs/req | non-2xx "
             "| req/s ÷ dynalite | CPU/req ÷ dynalite |")
    L.append("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for w in res["workloads"]:
        if w.get("skipped"):
            L.append(f"| {w['name']} | (skipped: {w['skipped']}) | | | | | | | |")
            continue
        agg = w["results"]
        for k in keys:
            a = agg.get(k)
            if not a:
                if k in w.get("unsupported", {}):
                    L.append(f"| {w['name']} | {labels[k]} | not supported (UnknownOperationException) | | | | | | |")
                continue
            r = agg.get(ref)
            tr = ratio(a["rps"], r["rps"]) if r and k != ref else None
            cr = ratio(a["cpu_us_per_req"], r["cpu_us_per_req"]) if r and k != ref else None
            L.append(f"| {w['name']} | {labels[k]} | {fnum(a['rps'])} | {fnum(a['p50_ms'], 2)} "
                     f"| {fnum(a['p99_ms'], 2)} | {fnum(a['cpu_us_per_req'], 1)} | {a['non2xx'] + a['socket_errors']} "
                     f"| {'-' if tr is None else f'{tr:.2f}×'} | {'-' if cr is None else f'{cr:.2f}×'} |")
    L.append("")
    L.append("| server | start to first answer (best of N) | idle RSS (anonymous) | idle PSS | RSS with 10k items "
             "| RSS after the runs |")
    L.append("|---|--:|--:|--:|--:|--:|")
    for s in res["servers"]:
        st = s.get("startup_ms_best")
        L.append(f"| {s['label']} | {fnum(st, 1)} ms (N={s.get('startup_n', 0)}) | "
                 f"{fnum(s['rss_kb_idle'] / 1024, 1)} MB ({fnum(s['rss_anon_kb_idle'] / 1024, 1)} MB) | "
                 f"{fnum(s.get('pss_kb_idle', 0) / 1024, 1)} MB | "
                 f"{fnum(s['rss_kb_seeded'] / 1024, 1)} MB | "
                 f"{fnum(s['rss_kb_end'] / 1024, 1)} MB |")
    ld = res.get("load_1m")
    if ld:
        L.append("")
        if ld.get("skipped"):
            L.append(f"Large load: skipped ({ld['skipped']})")
        else:
            L.append(f"Load of {ld['items_target']:,} items into dynarock --data-dir (PutItem, wrk, 64 connections): "
                     f"{'complete' if ld['complete'] else 'INCOMPLETE (time limit)'} in {ld['seconds']:.1f} s, "
                     f"{fnum(ld['rps'])} req/s, {ld['cpu_us_per_req']:.1f} µs CPU/req, p99 {ld['p99_ms']:.2f} ms, "
                     f"non-2xx {ld['non2xx']}; RSS {ld['rss_kb_loaded'] / 1024:.0f} MB after the load "
                     f"({ld['rss_kb_after'] / 1024:.0f} MB later); on disk {ld['disk_bytes_running'] / 2**20:.0f} MB "
                     f"running, {ld['disk_bytes_closed'] / 2**20:.0f} MB after a clean stop; "
                     f"sampled GetItem found {ld.get('sample_found', '-')}.")
            bf = ld.get("backfill")
            if bf:
                L.append(f"GSI backfill on that table (UpdateTable Create, hash key email, projection ALL): "
                         f"{'ACTIVE' if bf['complete'] else 'NOT ACTIVE (time limit)'} after {bf['seconds']:.1f} s, "
                         f"{bf.get('items', 0):,} entries, {fnum(bf['rate'])} items/s, {bf['cpu_s']:.1f} s CPU.")
            q, q10 = ld.get("query"), ld.get("query_10k")
            if q and q10:
                L.append(f"Query (10 items), both tables on disk after a restart: 10,000 items "
                         f"{q10['cpu_us_per_req']:.1f} µs CPU/req ({fnum(q10['rps'])} req/s), 1,000,000 items "
                         f"{q['cpu_us_per_req']:.1f} µs CPU/req ({fnum(q['rps'])} req/s): "
                         f"{q['cpu_us_per_req'] / q10['cpu_us_per_req']:.2f}x.")
            for k, name in (("get", "GetItem"), ("query", "Query")):
                q = ld.get(k)
                if q:
                    L.append(f"{name} on that table: {fnum(q['rps'])} req/s, p50 {q['p50_ms']:.2f} ms, "
                             f"p99 {q['p99_ms']:.2f} ms, {q['cpu_us_per_req']:.1f} µs CPU/req, non-2xx {q['non2xx']}.")
    return "\n".join(L)


# ---------------------------------------------------------------------------------------------


def versions(dynarock):
    def sh(*argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True, timeout=10).stdout.strip()
        except OSError:
            return ""
    v = {}
    v["dynarock"] = sh(dynarock, "--version")
    v["dynarock_commit"] = sh("git", "-C", ROOT, "rev-parse", "--short", "HEAD")
    if sh("git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"):
        v["dynarock_commit"] += "+dirty"
    try:
        with open(os.path.join(BENCH, "node_modules", "dynalite", "package.json")) as f:
            v["dynalite"] = json.load(f)["version"]
    except OSError:
        v["dynalite"] = None
    v["node"] = sh("node", "--version")
    wv = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    v["wrk"] = wv.split("\n")[0].split(" [")[0]
    for pkg in ("librocksdb7.8", "libh2o-evloop0.13"):
        v[pkg] = sh("dpkg-query", "-W", "-f=${Version}", pkg)
    return v


def machine():
    m = {"cores": os.cpu_count(), "kernel": os.uname().release}
    try:
        with open("/etc/debian_version") as f:
            m["debian"] = f.read().strip()
        with open("/proc/cpuinfo") as f:
            m["cpu"] = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
        with open("/proc/meminfo") as f:
            m["mem_kb"] = int(f.readline().split()[1])
    except OSError:
        pass
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dynarock", default=os.path.join(ROOT, "build-bench", "dynarock"))
    ap.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    ap.add_argument("--budget", type=float, default=170,
                    help="seconds all timed runs may take together; --duration shrinks to fit (min 4)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--servers", default="dynarock_mem,dynalite,dynarock_disk",
                    help="comma list of dynarock_mem, dynalite, dynarock_disk (run in this order)")
    ap.add_argument("--workloads", default="", help="comma list of script names (put,get,mix,...); default all")
    ap.add_argument("--startup-n", type=int, default=10)
    ap.add_argument("--load-items", type=int, default=1_000_000, help="0 skips the large load")
    ap.add_argument("--load-timeout", type=float, default=100)
    ap.add_argument("--out", default=os.path.join(BENCH, "results"))
    a = ap.parse_args()

    dynalite_js = os.path.join(BENCH, "node_modules", "dynalite", "cli.js")
    tmp_dirs = []

    def disk_argv(port):
        d = tempfile.mkdtemp(prefix="dynarock-bench-")
        tmp_dirs.append(d)
        return [a.dynarock, "--port", str(port), "--data-dir", d]

    catalog = {
        "dynarock_mem": Server("dynarock_mem", "dynarock (in memory)",
                               lambda port: [a.dynarock, "--port", str(port), "--in-memory"]),
        "dynalite": Server("dynalite", "dynalite 4 (in memory)",
                           lambda port: ["node", dynalite_js, "--host", "127.0.0.1", "--port", str(port),
                                         "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]),
        "dynarock_disk": Server("dynarock_disk", "dynarock (--data-dir)", disk_argv),
    }
    servers = [catalog[k] for k in a.servers.split(",") if k]
    wanted = set(x for x in a.workloads.split(",") if x)
    workloads = [w for w in WORKLOADS if not wanted or w[1][:-4] in wanted]

    os.makedirs(a.out, exist_ok=True)
    date = datetime.date.today().isoformat()
    base = os.path.join(a.out, date)
    n = 1
    while os.path.exists(base + (f"-{n}" if n > 1 else "") + ".json"):
        n += 1
    base = base + (f"-{n}" if n > 1 else "")
    wrk_log = open(base + "-wrk.log", "w")
    t_start = time.perf_counter()

    res = {"date": date, "started": datetime.datetime.now().isoformat(timespec="seconds"),
           "machine": machine(), "versions": versions(a.dynarock),
           "config": {"duration_s": a.duration, "rounds": a.rounds, "connections": a.connections,
                      "wrk_threads": a.wrk_threads, "seed_items": PARTITIONS * 10,
                      "item_bytes_json": len(item_json("p000000", "s00", 0))},
           "servers": [], "workloads": []}
    try:
        # 1-2. start and seed
        for s in servers:
            log(f"starting {s.label}")
            s.start()
            time.sleep(0.5)
            info = {"key": s.key, "label": s.label, "rss_kb_idle": rss_kb(s.pid),
                    "rss_anon_kb_idle": rss_kb(s.pid, "RssAnon:"),
                    "pss_kb_idle": rss_kb(s.pid, "Pss:", "smaps_rollup")}
            t0 = time.perf_counter()
            create_table(s.port)
            seed(s.port, PARTITIONS * 10)
            info["seed_seconds"] = time.perf_counter() - t0
            info["rss_kb_seeded"] = rss_kb(s.pid)
            log(f"  seeded 10,000 items in {info['seed_seconds']:.1f} s, RSS {info['rss_kb_seeded'] // 1024} MB")
            res["servers"].append(info)
        sinfo = {i["key"]: i for i in res["servers"]}

        # 3. probes, all at once (each takes wrk's 1 s minimum)
        probes = {}
        jobs = [(s, w) for s in servers for w in workloads if w[2]]

        def do_probe(s, w):
            probes[(s.key, w[2])] = probe(s, w[1])
        ts = [threading.Thread(target=do_probe, args=j) for j in jobs]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        unknown = set()
        for (skey, op), (st, body) in sorted(probes.items()):
            if "UnknownOperationException" in body:
                unknown.add((skey, op))
            elif st != 200:
                log(f"  probe {op} on {skey}: HTTP {st} {body[:200]} (runs anyway)")
        # A workload runs on every server that knows its operations; it is skipped when no
        # dynarock server does (a peer that lacks it is listed as such and gets no ratio).
        runnable = []
        for w in workloads:
            name, script, op = w
            needs = [op] if op else list(MIX_NEEDS)
            lacking = {}
            for s in servers:
                why = [o for o in needs if (s.key, o) in unknown]
                if why:
                    lacking[s.key] = "UnknownOperationException"
            on = [s for s in servers if s.key not in lacking]
            entry = {"name": name, "script": script, "unsupported": lacking}
            if not any(s.key.startswith("dynarock") for s in on):
                entry["skipped"] = "dynarock answers UnknownOperationException"
                res["workloads"].append(entry)
                log(f"skipping {name}: dynarock answers UnknownOperationException")
            else:
                if lacking:
                    log(f"{name}: not supported by {', '.join(lacking)}")
                runnable.append((w, on, entry))

        slots = sum(len(on) for _, on, _ in runnable) * a.rounds
        duration = int(a.duration)
        if slots and slots * duration > a.budget:
            duration = max(4, int(a.budget / slots))
        res["config"]["duration_s"] = duration
        log(f"{slots} timed runs of {duration} s ({len(runnable)} workloads, {a.rounds} rounds)")

        # 4. warm-up (JIT, caches, connection pools), not recorded
        if any(w[1] == "mix.lua" for w, _, _ in runnable):
            for s in servers:
                run_wrk(s, "mix.lua", 3, f"warm{s.key}", a.wrk_threads, a.connections, wrk_log)

        # the timed runs, alternating servers inside each round
        for (name, script, _), on, entry in runnable:
            runs = {s.key: [] for s in on}
            for rnd in range(a.rounds):
                for s in on:
                    # every server idle first: a peer still draining its queue (dynalite after a
                    # Query run keeps a core busy for seconds) would slow the next server's run
                    for other in servers:
                        settle_cpu(other.pid, 15)
                    r = run_wrk(s, script, duration, f"{script[:-4]}{rnd}{s.key[-4:]}", a.wrk_threads,
                                a.connections, wrk_log)
                    runs[s.key].append(r)
                    log(f"  {name:24s} round {rnd + 1} {s.label:24s} {r['rps']:9.0f} req/s  "
                        f"p99 {r['p99_ms']:6.2f} ms  {r['cpu_us_per_req']:6.1f} µs CPU/req  non-2xx {r['non2xx']}")
            entry.update({"runs": runs, "results": {k: aggregate(v) for k, v in runs.items()}})
            res["workloads"].append(entry)

        for s in servers:
            sinfo[s.key]["rss_kb_end"] = rss_kb(s.pid)
            if s.key == "dynarock_disk" and tmp_dirs:
                sinfo[s.key]["disk_bytes_end"] = du_bytes(tmp_dirs[0])
        for s in servers:
            s.stop()

        # 5. start-to-first-answer and idle RSS on fresh processes
        for s in servers:
            n = a.startup_n if s.key.startswith("dynarock") else 3
            times = []
            for _ in range(n):
                times.append(s.start() * 1000)
                s.stop()
            sinfo[s.key].update({"startup_ms_best": min(times), "startup_ms_median": statistics.median(times),
                                 "startup_n": n})
            log(f"  start to first answer {s.label}: best {min(times):.1f} ms, "
                f"median {statistics.median(times):.1f} ms (N={n})")
        # the harness's own share of that: spawning a process that exits at once
        t0 = time.perf_counter()
        subprocess.run(["/bin/true"])
        res["config"]["spawn_true_ms"] = (time.perf_counter() - t0) * 1000

        # 6. the 1 M item load
        if a.load_items > 0:
            log(f"loading {a.load_items:,} items into dynarock --data-dir (limit {a.load_timeout:.0f} s)")
            q_ok = any(w[1] == "query.lua" for w, _, _ in runnable)
            res["load_1m"] = load_items(a.dynarock, a.load_items, a.load_timeout, wrk_log, q_ok, duration)
        else:
            res["load_1m"] = {"skipped": "--load-items 0"}
    finally:
        for s in servers:
            s.stop()
        for d in tmp_dirs:
            shutil.rmtree(d, ignore_errors=True)
        wrk_log.close()

    order = {w[1]: i for i, w in enumerate(WORKLOADS)}
    res["workloads"].sort(key=lambda w: order[w["script"]])
    res["total_seconds"] = time.perf_counter() - t_start
    with open(base + ".json", "w") as f:
        json.dump(res, f, indent=1)
    print(markdown(res))
    print(f"\n(results: {os.path.relpath(base, ROOT)}.json, wrk output: {os.path.relpath(base, ROOT)}-wrk.log, "
          f"{res['total_seconds']:.0f} s)")


if __name__ == "__main__":
    main()
