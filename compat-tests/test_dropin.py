"""Drop-in use (issue 19): --version, DynamoDB Local's flag rules, -port 0, -delayTransientStatuses
with SDK waiters, the health answer, and every DYNAROCK_* environment variable reaching its flag.

dynarock's own command line: skipped when DYNAROCK_ENDPOINT is set.
"""
import json
import os
import re
import subprocess
import time

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

BANNER = re.compile(r"^dynarock (\S+) listening on http://(\S+):(\d+) data=(.+) threads=(\d+)$", re.M)
# the variables of the environment the tests run in must not leak into the server under test
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith("DYNAROCK_")}


def run(args, env=None, timeout=10):
    e = dict(CLEAN_ENV)
    e.update(env or {})
    return subprocess.run([str(du.binary_path()), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=e)


class Proc:
    """A server started with its own arguments and environment; the banner read from stdout."""

    def __init__(self, args, env=None):
        e = dict(CLEAN_ENV)
        e.update(env or {})
        self.p = subprocess.Popen([str(du.binary_path()), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, text=True, env=e)
        self.line = self.p.stdout.readline()  # the start line, printed once every listener is bound
        m = BANNER.match(self.line)
        if not m:
            self.p.kill()
            raise AssertionError(f"no start line: {self.line!r} {self.p.stderr.read()[-500:]}")
        self.version, self.host, self.port, self.data, self.threads = m.groups()
        self.port = int(self.port)
        self.url = f"http://127.0.0.1:{self.port}"

    def client(self, **kw):
        return boto3.client("dynamodb", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="a",
                            aws_secret_access_key="b", config=Config(retries={"max_attempts": 1}), **kw)

    def stop(self):
        self.p.terminate()
        out, err = self.p.communicate(timeout=15)
        return self.p.returncode, out, err


@pytest.fixture
def procs():
    started = []

    def start(args, env=None):
        p = Proc(args, env)
        started.append(p)
        return p

    yield start
    for p in started:
        if p.p.poll() is None:
            p.p.kill()
            p.p.wait()


def test_version_names_version_and_commit():
    r = run(["--version"])
    assert r.returncode == 0
    assert re.fullmatch(r"dynarock \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,40}|unknown)\)\n", r.stdout), r.stdout
    assert run(["-version"]).stdout == r.stdout


def test_in_memory_with_db_path_is_refused(tmp_path):
    for args in (["-inMemory", "-dbPath", str(tmp_path)], ["--data-dir", str(tmp_path), "--in-memory"]):
        r = run(args)
        assert r.returncode == 2, args
        assert r.stderr == "dynarock: -inMemory and -dbPath options cannot be used together.\n"
        assert r.stdout == ""
    assert not list(tmp_path.iterdir())  # refused before anything was written


def test_port_0_prints_the_bound_port(procs):
    p = procs(["-port", "0", "-inMemory", "--threads", "1"])
    assert p.port > 0
    assert p.line == f"dynarock {p.version} listening on http://127.0.0.1:{p.port} data=(in memory) threads=1\n"
    assert du.http_get(p.url) == (200, b"healthy: dynamodb.us-east-1.amazonaws.com ")
    rc, out, err = p.stop()
    assert rc == 0


def test_delay_transient_statuses_waiter_is_prompt(procs):
    p = procs(["-port", "0", "-inMemory", "-delayTransientStatuses"])
    ddb = p.client()
    created = ddb.create_table(TableName="waited", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    assert created["TableDescription"]["TableStatus"] == "CREATING"
    t0 = time.time()
    ddb.get_waiter("table_exists").wait(TableName="waited")  # 20 s per poll that is not ACTIVE
    assert time.time() - t0 < 5
    assert ddb.describe_table(TableName="waited")["Table"]["TableStatus"] == "ACTIVE"
    # without the flag CreateTable answers ACTIVE, as DynamoDB Local does
    q = procs(["-port", "0", "-inMemory"]).client()
    created = q.create_table(TableName="plain", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    assert created["TableDescription"]["TableStatus"] == "ACTIVE"


def test_health_answer_dynamodb_local(procs):
    p = procs(["-port", "0", "-inMemory", "--health-answer", "dynamodb-local"])
    status, body = du.http_get(p.url)
    assert status == 400
    assert json.loads(body) == {
        "__type": "com.amazonaws.dynamodb.v20120810#MissingAuthenticationToken",
        "Message": "Request must contain either a valid (registered) AWS access key ID or X.509 certificate."}
    assert p.client().list_tables()["TableNames"] == []  # API calls are unchanged
    r = run(["--health-answer", "maybe"])
    assert (r.returncode, r.stderr) == (2, "dynarock: --health-answer needs aws or dynamodb-local\n")


# -- environment variables ------------------------------------------------------------------------

def help_flags():
    out = run(["--help"]).stdout
    flags = set(re.findall(r"^  (--[a-z][a-z-]+)", out, re.M)) - {"--version", "--help"}
    variables = dict(re.findall(r"^  (DYNAROCK_[A-Z_]+) +(--[a-z-]+)", out, re.M))
    return flags, variables


def test_every_flag_has_a_variable():
    flags, variables = help_flags()
    assert len(flags) >= 25
    assert set(variables.values()) >= flags, flags - set(variables.values())
    for var, flag in variables.items():
        # --faults' variable is DYNAROCK_FAULTS_FILE: DYNAROCK_FAULTS arms the storage faults (operations.md)
        assert var == ("DYNAROCK_FAULTS_FILE" if flag == "--faults" else
                       "DYNAROCK_" + flag[2:].upper().replace("-", "_"))


# A variable with a value its flag refuses: the flag's own message proves the variable reached it.
BAD_VALUES = {
    "DYNAROCK_PORT": ("70000", "dynarock: --port needs a number between 0 and 65535\n"),
    "DYNAROCK_THREADS": ("0", "dynarock: --threads needs a number between 1 and 256\n"),
    "DYNAROCK_BLOCK_CACHE_MB": ("0", "dynarock: --block-cache-mb needs a number between 1 and 1048576\n"),
    "DYNAROCK_WRITE_BUFFER_MB": ("x", "dynarock: --write-buffer-mb needs a number between 1 and 65536\n"),
    "DYNAROCK_TTL_INTERVAL": ("-1", "dynarock: --ttl-interval needs a number between 0 and 86400\n"),
    "DYNAROCK_STREAM_RETENTION": ("0", "dynarock: --stream-retention needs a number between 1 and 31536000\n"),
    "DYNAROCK_STREAM_SHARD_SECONDS": ("0",
                                      "dynarock: --stream-shard-seconds needs a number between 1 and 31536000\n"),
    "DYNAROCK_LOG_LEVEL": ("loud", "dynarock: --log-level needs one of error, warn, info, debug\n"),
    "DYNAROCK_LOG_FORMAT": ("xml", "dynarock: --log-format needs text or json\n"),
    "DYNAROCK_LOG_SLOW_MS": ("-5", "dynarock: --log-slow-ms needs a number between 0 and 86400000\n"),
    "DYNAROCK_AUTH": ("strict", "dynarock: --auth needs off, warn or enforce\n"),
    "DYNAROCK_ISOLATION": ("table", "dynarock: --isolation needs shared, account or key-region\n"),
    "DYNAROCK_CAPACITY_BURST_SECONDS": ("-1",
                                        "dynarock: --capacity-burst-seconds needs a number between 0 and 86400\n"),
    "DYNAROCK_FUNCTION_TIMEOUT": ("0", "dynarock: --function-timeout needs a number between 1 and 900\n"),
    "DYNAROCK_HEALTH_ANSWER": ("teapot", "dynarock: --health-answer needs aws or dynamodb-local\n"),
}


@pytest.mark.parametrize("var", sorted(BAD_VALUES))
def test_variable_reaches_its_flag(var):
    value, message = BAD_VALUES[var]
    r = run(["--in-memory"], {var: value})
    assert (r.returncode, r.stderr) == (2, message)


@pytest.mark.parametrize("var,flag", [("DYNAROCK_SYNC", "--sync"), ("DYNAROCK_IN_MEMORY", "--in-memory"),
                                      ("DYNAROCK_ENFORCE_CAPACITY", "--enforce-capacity"),
                                      ("DYNAROCK_SHARED_DB", "--shared-db"),
                                      ("DYNAROCK_DELAY_TRANSIENT_STATUSES", "--delay-transient-statuses")])
def test_switch_variables_refuse_other_values(var, flag):
    r = run([], {var: "maybe"})
    assert (r.returncode, r.stderr) == (2, f"dynarock: {var}=maybe: {flag} takes 1, true, yes, on or 0, false, "
                                           "no, off\n")


def test_variables_seen_in_the_start_line(procs, tmp_path):
    p = procs([], {"DYNAROCK_HOST": "127.0.0.1", "DYNAROCK_PORT": "0", "DYNAROCK_DATA_DIR": str(tmp_path / "d"),
                   "DYNAROCK_THREADS": "3"})
    assert (p.host, p.data, p.threads) == ("127.0.0.1", str(tmp_path / "d"), "3")
    assert (tmp_path / "d" / "CURRENT").exists()
    p.stop()
    p = procs([], {"DYNAROCK_PORT": "0", "DYNAROCK_IN_MEMORY": "1"})
    assert p.data == "(in memory)"
    p.stop()
    # flags win: the command line's port and storage over the variables'
    port = du.free_port()
    p = procs(["--port", str(port), "--data-dir", str(tmp_path / "e")],
              {"DYNAROCK_PORT": "1", "DYNAROCK_IN_MEMORY": "1", "DYNAROCK_THREADS": "2"})
    assert (p.port, p.data, p.threads) == (port, str(tmp_path / "e"), "2")
    p.stop()
    # both storage variables: the flags' refusal
    r = run([], {"DYNAROCK_IN_MEMORY": "true", "DYNAROCK_DATA_DIR": str(tmp_path / "f")})
    assert (r.returncode, r.stderr) == (2, "dynarock: -inMemory and -dbPath options cannot be used together.\n")


def test_variables_with_observable_effects(procs, tmp_path):
    base = {"DYNAROCK_PORT": "0", "DYNAROCK_IN_MEMORY": "1"}
    # --cors
    p = procs([], {**base, "DYNAROCK_CORS": "http://app.example"})
    ddb = p.client()
    seen = {}
    ddb.meta.events.register("before-send", lambda request, **kw: request.headers.__setitem__(
        "Origin", "http://app.example"))
    ddb.meta.events.register("after-call", lambda http_response, **kw: seen.update({k.lower(): v for k, v in http_response.headers.items()}))
    ddb.list_tables()
    assert seen.get("access-control-allow-origin") == "http://app.example"
    # --delay-transient-statuses
    p = procs([], {**base, "DYNAROCK_DELAY_TRANSIENT_STATUSES": "1"})
    created = p.client().create_table(TableName="tbl", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    assert created["TableDescription"]["TableStatus"] == "CREATING"
    # --health-answer
    p = procs([], {**base, "DYNAROCK_HEALTH_ANSWER": "dynamodb-local"})
    assert du.http_get(p.url)[0] == 400
    # --log-level info: an access line per request on stderr
    p = procs([], {**base, "DYNAROCK_LOG_LEVEL": "info", "DYNAROCK_LOG_FORMAT": "json"})
    p.client().list_tables()
    rc, out, err = p.stop()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert any(line.get("op") == "ListTables" for line in lines), err[-500:]
    # --auth enforce with the key pair: an unsigned call is refused
    p = procs([], {**base, "DYNAROCK_AUTH": "enforce", "DYNAROCK_ACCESS_KEY_ID": "AKID",
                   "DYNAROCK_SECRET_ACCESS_KEY": "secret"})
    with pytest.raises(Exception) as e:
        p.client().list_tables()
    assert "UnrecognizedClientException" in str(e.value)
    # --credentials, --faults, --failure-dir: a file that does not exist stops the start
    for var in ("DYNAROCK_CREDENTIALS", "DYNAROCK_FAULTS_FILE"):
        r = run([], {**base, var: str(tmp_path / "missing")})
        assert r.returncode == 2 and str(tmp_path / "missing") in r.stderr, (var, r.stderr)
    # --function: one function per line reaches trig_start's check
    r = run([], {**base, "DYNAROCK_FUNCTION": "good=/bin/cat\nbad"})
    assert r.returncode == 2 and "bad" in r.stderr, r.stderr
