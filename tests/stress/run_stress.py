#!/usr/bin/python3
"""Stress stage: dynarock under connection churn and concurrency, one server per loop count.

For each loop count: start `BIN --in-memory --threads N` on a free loopback port, run the load
client (stress_churn, tests/stress/churn.c) against it for --seconds, then check
- the client's own checks held (every answer byte-exact, counters exact, GET / always prompt),
- the server is still running,
- SIGTERM stops it with exit code 0 within --stop-timeout seconds,
- its output holds no sanitizer report (AddressSanitizer, LeakSanitizer, UndefinedBehaviorSanitizer
  runtime errors, ThreadSanitizer warnings).

  tests/stress/run_stress.py [--bin build/dynarock] [--churn build/stress_churn] [--loops 1,2,4]
                             [--seconds 20] [--clients 8] [--data-dir] [--keep-logs DIR]
                             [--pytest "compat-tests/test_concurrency.py"]

The sanitizer options come from the environment (ASAN_OPTIONS, TSAN_OPTIONS, ...), passed on to
the server. Exit 0 when every configuration passed, 1 otherwise (with the server's log tail).
The long run asked for by issue 12 (10 minutes per loop count):
  tests/stress/run_stress.py --loops 1,2,4,8 --seconds 600
"""
import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
                   "runtime error:", "SUMMARY: AddressSanitizer", "SUMMARY: ThreadSanitizer")


def healthy(port):
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=1.0)
        c.request("GET", "/")
        r = c.getresponse()
        ok = r.status == 200 and r.read().startswith(b"healthy: ")
        c.close()
        return ok
    except OSError:
        return False


def tail(path, n=6000):
    try:
        return path.read_bytes()[-n:].decode("utf-8", "replace")
    except OSError:
        return ""


START_LINE = re.compile(rb"^dynarock \S+ listening on http://[^ ]*:(\d+) ", re.M)


def run_one(args, loops, workdir):
    """One server with `loops` event loops under the load. Returns a list of problems."""
    port = 0  # the server picks a free one; read from its start line
    log = workdir / f"dynarock-{loops}loops.log"
    storage = ["--in-memory"]
    if args.data_dir:
        d = workdir / f"data-{loops}"
        d.mkdir()
        storage = ["--data-dir", str(d)]
    cmd = [args.bin, "--host", "127.0.0.1", "--port", str(port), "--threads", str(loops)] + storage
    problems = []
    t0 = time.monotonic()
    with open(log, "wb") as logf:
        srv = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not port or not healthy(port):
                if srv.poll() is not None or time.monotonic() > deadline:
                    return [f"server did not start (exit {srv.poll()}):\n{tail(log)}"]
                m = START_LINE.search(log.read_bytes()) if not port else None
                if m:
                    port = int(m.group(1))
                    continue
                time.sleep(0.05)
            client = [args.churn, "--port", str(port), "--seconds", str(args.seconds), "--clients",
                      str(args.clients), "--seed", str(args.seed + loops), "--quiet"]
            try:
                c = subprocess.run(client, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   timeout=args.seconds + 120)
                out = c.stdout.decode("utf-8", "replace").strip()
                print(f"   {out}".replace("\n", "\n   "))
                if c.returncode != 0:
                    problems.append(f"load client exited {c.returncode}")
            except subprocess.TimeoutExpired:
                problems.append("load client did not finish (hang)")
            if args.pytest and srv.poll() is None:
                # The compat modules named, against this same server (DYNAROCK_ENDPOINT).
                env = dict(os.environ, DYNAROCK_ENDPOINT=f"http://127.0.0.1:{port}")
                t_py = time.monotonic()
                p = subprocess.run(["/usr/bin/python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"] +
                                   args.pytest.split(), cwd=REPO, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
                lines = p.stdout.decode("utf-8", "replace").strip().splitlines()
                print(f"   pytest {args.pytest}: {lines[-1] if lines else ''} ({time.monotonic() - t_py:.1f}s)")
                if p.returncode != 0:
                    problems.append(f"pytest {args.pytest} failed:\n" + "\n".join(lines[-40:]))
            if srv.poll() is not None:
                rc = srv.returncode
                what = f"signal {signal.Signals(-rc).name}" if rc < 0 else f"exit code {rc}"
                problems.append(f"server died during the load ({what})")
            else:
                t_stop = time.monotonic()
                srv.send_signal(signal.SIGTERM)
                try:
                    rc = srv.wait(timeout=args.stop_timeout)
                    if rc != 0:
                        problems.append(f"SIGTERM: exit code {rc}, expected 0")
                    print(f"   SIGTERM: exit {rc} after {time.monotonic() - t_stop:.1f}s")
                except subprocess.TimeoutExpired:
                    problems.append(f"SIGTERM: still running after {args.stop_timeout}s")
        finally:
            if srv.poll() is None:
                srv.kill()
                srv.wait()
    text = log.read_text("utf-8", "replace")
    marks = [m for m in SANITIZER_MARKS if m in text]
    if marks:
        problems.append("sanitizer report in the server's output: " + ", ".join(marks))
    if problems:
        problems.append("server log tail:\n" + tail(log))
    print(f"   {loops} loop(s): {'FAILED' if problems else 'passed'} in {time.monotonic() - t0:.1f}s")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(REPO / "build" / "dynarock"))
    ap.add_argument("--churn", default=None, help="load client (default: stress_churn beside --bin)")
    ap.add_argument("--loops", default="1,2,4", help="comma-separated event-loop counts")
    ap.add_argument("--seconds", type=int, default=20, help="load time per loop count")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--stop-timeout", type=float, default=30.0)
    ap.add_argument("--data-dir", action="store_true", help="store on disk instead of --in-memory")
    ap.add_argument("--keep-logs", default=None, help="copy the server logs into this directory")
    ap.add_argument("--pytest", default=None,
                    help="compat test files to run against the same server after the load, e.g. "
                         "compat-tests/test_concurrency.py (the server's exit and log are checked after both)")
    args = ap.parse_args()
    args.churn = args.churn or str(Path(args.bin).parent / "stress_churn")
    for p in (args.bin, args.churn):
        if not os.access(p, os.X_OK):
            print(f"run_stress: {p} not found (build it: cmake --build build)", file=sys.stderr)
            return 1
    failed = []
    with tempfile.TemporaryDirectory(prefix="dynarock-stress-") as tmp:
        for loops in [int(x) for x in args.loops.split(",") if x]:
            print(f"== stress: {args.bin} --threads {loops}, {args.clients} clients, {args.seconds}s")
            problems = run_one(args, loops, Path(tmp))
            for p in problems:
                print(f"   {p}")
            if problems:
                failed.append(loops)
        if args.keep_logs:
            os.makedirs(args.keep_logs, exist_ok=True)
            for f in Path(tmp).glob("*.log"):
                shutil.copy(f, args.keep_logs)
    if failed:
        print(f"stress: FAILED at {', '.join(map(str, failed))} loop(s)")
        return 1
    print("stress: passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
