"""Helpers shared by the compat tests: server process control, raw HTTP, error assertions,
table lifecycle and DynamoDB's item-size arithmetic.

Everything here is black-box: it talks to the server over HTTP or starts the binary; it never
looks inside the repository's C code.
"""
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

ENDPOINT = os.environ.get("DYNAROCK_ENDPOINT") or None
REGION = (os.environ.get("AWS_DEFAULT_REGION") or "us-east-1") if ENDPOINT else "us-east-1"


def is_real_aws():
    """True when the suite runs against Amazon DynamoDB itself."""
    if os.environ.get("DYNAROCK_REAL_AWS") == "1":
        return True
    if not ENDPOINT:
        return False
    host = urllib.parse.urlparse(ENDPOINT).hostname or ""
    return host.endswith(".amazonaws.com")


# The one prefix DynamoDB puts in front of request-shape validation messages.
ENVELOPE = "1 validation error detected: "

# ---------------------------------------------------------------------------------------------
# Server process
# ---------------------------------------------------------------------------------------------


def binary_path():
    return Path(os.environ.get("DYNAROCK_BIN") or (REPO / "build" / "dynarock"))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, path="/", timeout=2.0):
    u = urllib.parse.urlparse(url)
    conn_cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(u.hostname, u.port, timeout=timeout)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


START_LINE = re.compile(rb"^dynarock \S+ listening on http://[^ ]*:(\d+) ", re.M)


class Server:
    """One dynarock process on a loopback port.

    `args` are the storage flags (e.g. ['--in-memory'] or ['--data-dir', DIR]); the host and
    port flags are added here. stdout/stderr go to `log_path`. Without `port` the server picks a
    free one (--port 0) and `port` is read from its start line: no other process can take it
    between the choice and the bind (as with a port probed beforehand); a restart passes the
    port it had.
    """

    def __init__(self, args, log_path, port=None, host_flags=True, env=None):
        self.args = list(args)
        self.env = env  # variables added to this process's environment
        self.log_path = Path(log_path)
        self.port = port  # None until the start line names it
        self.host_flags = host_flags
        self.proc = None

    @property
    def url(self):
        assert self.port, "the server's port is known once it has started"
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        cmd = [str(binary_path())]
        if self.host_flags:
            cmd += ["--host", "127.0.0.1", "--port", str(self.port or 0)]
        return cmd + self.args

    def start(self, timeout=30.0):
        b = binary_path()
        if not b.exists():
            pytest.fail(f"dynarock binary not found at {b}: build it (cmake) or set DYNAROCK_BIN", pytrace=False)
        self.log = open(self.log_path, "ab")
        offset = self.log.tell()  # a restart appends to the same log: its start line comes after this
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env={**os.environ, **self.env} if self.env else None)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"dynarock exited with {self.proc.returncode} during start-up:\n{self.log_tail()}")
            if not self.port:
                with open(self.log_path, "rb") as f:
                    f.seek(offset)
                    m = START_LINE.search(f.read())
                if not m:
                    time.sleep(0.02)
                    continue
                self.port = int(m.group(1))
            try:
                status, _ = http_get(self.url, timeout=0.5)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"dynarock did not answer GET / within {timeout}s:\n{self.log_tail()}")

    def stop(self, sig=signal.SIGTERM, timeout=15.0):
        """Send `sig`, wait for the exit and return the exit code (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                return None
        rc = self.proc.returncode
        self.log.close()
        return rc

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_tail(self, n=4000):
        try:
            self.log.flush()
        except Exception:
            pass
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""


# ---------------------------------------------------------------------------------------------
# Raw HTTP (protocol-level tests)
# ---------------------------------------------------------------------------------------------


class RawResponse:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-cased names
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    @property
    def error_code(self):
        """The short error code: the part of __type after '#'."""
        return self.json().get("__type", "").split("#")[-1]

    @property
    def error_type(self):
        return self.json().get("__type", "")

    @property
    def error_message(self):
        j = self.json()
        return j.get("message", j.get("Message"))

    def __repr__(self):
        return f"RawResponse({self.status}, {self.headers!r}, {self.body[:300]!r})"


class RawClient:
    """Sends arbitrary bytes and headers with http.client, signed with SigV4 when asked.

    Signing uses the same credentials as the boto3 fixtures, so the same requests work
    against real DynamoDB.
    """

    def __init__(self, endpoint, region, credentials):
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
        u = urllib.parse.urlparse(endpoint)
        self.scheme = u.scheme
        self.host = u.hostname
        self.port = u.port or (443 if u.scheme == "https" else 80)
        self.netloc = u.netloc

    def connection(self, timeout=30.0):
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        return cls(self.host, self.port, timeout=timeout)

    def prepare(self, method="POST", path="/", body=b"", target=None,
                content_type="application/x-amz-json-1.0", headers=None, sign=True):
        if isinstance(body, str):
            body = body.encode("utf-8")
        hdrs = {"Host": self.netloc}
        if content_type is not None:
            hdrs["Content-Type"] = content_type
        if target is not None:
            hdrs["X-Amz-Target"] = target
        if headers:
            hdrs.update(headers)
        if sign and self.credentials is not None:
            req = AWSRequest(method=method, url=self.endpoint.rstrip("/") + path, data=body, headers=hdrs)
            SigV4Auth(self.credentials, "dynamodb", self.region).add_auth(req)
            hdrs = dict(req.headers.items())
        return body, hdrs

    def request(self, method="POST", path="/", body=b"", target=None,
                content_type="application/x-amz-json-1.0", headers=None, sign=True, conn=None):
        body, hdrs = self.prepare(method, path, body, target, content_type, headers, sign)
        own = conn is None
        conn = conn or self.connection()
        try:
            conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for k, v in hdrs.items():
                conn.putheader(k, v)
            if method != "GET" or body:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            try:
                if body:
                    view = memoryview(body)
                    for i in range(0, len(body), 1 << 20):
                        conn.send(view[i:i + (1 << 20)])
            except (BrokenPipeError, ConnectionResetError):
                # The server may answer (e.g. 413) and stop reading before the body ends.
                pass
            r = conn.getresponse()
            data = r.read()
            return RawResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            if own:
                conn.close()

    def call(self, operation, payload, **kw):
        """POST a DynamoDB operation; `payload` is a dict (dumped) or a str/bytes (sent as is)."""
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        return self.request(body=payload, target=f"DynamoDB_20120810.{operation}", **kw)


def static_credentials(access_key="dummy", secret_key="dummy"):
    return Credentials(access_key, secret_key)


# ---------------------------------------------------------------------------------------------
# Error assertions
# ---------------------------------------------------------------------------------------------


def check_error(err, code, message=None, pattern=None, envelope=False):
    """Assert a botocore error dict (response['Error']) or RawResponse carries `code` and
    exactly `message` (or a message fully matching `pattern`).

    envelope=True also accepts the message wrapped as '1 validation error detected: <message>':
    DynamoDB has been seen answering both ways for the same value check (the wrapping varies
    by operation and over time), so tests of those checks accept both, and nothing else.
    """
    if isinstance(err, RawResponse):
        got_code, got_msg = err.error_code, err.error_message
    else:
        got_code, got_msg = err.get("Code"), err.get("Message")
    assert got_code == code, f"expected {code}, got {got_code}: {got_msg!r}"
    if message is not None:
        allowed = [message] + ([ENVELOPE + message] if envelope else [])
        assert got_msg in allowed, f"message {got_msg!r} not in {allowed!r}"
    if pattern is not None:
        pat = (r"(?:" + re.escape(ENVELOPE) + r")?(?:" + pattern + r")") if envelope else pattern
        assert got_msg is not None and re.fullmatch(pat, got_msg, re.S), \
            f"message {got_msg!r} does not match {pat!r}"
    return got_msg


@contextlib.contextmanager
def raises(code, message=None, pattern=None, envelope=False):
    """Context manager: the block must raise a ClientError with this code and message."""
    with pytest.raises(ClientError) as ei:
        yield ei
    check_error(ei.value.response["Error"], code, message, pattern, envelope)


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def unique_name(tag="t"):
    return f"compat_{tag}_{uuid.uuid4().hex[:16]}"


def wait_active(client, name, timeout=600.0):
    """Poll DescribeTable until the table and all its indexes are ACTIVE; return the description."""
    deadline = time.time() + timeout
    while True:
        t = client.describe_table(TableName=name)["Table"]
        idx = t.get("GlobalSecondaryIndexes", [])
        if t["TableStatus"] == "ACTIVE" and all(i.get("IndexStatus", "ACTIVE") == "ACTIVE" for i in idx):
            return t
        if time.time() > deadline:
            raise AssertionError(f"table {name} not ACTIVE after {timeout}s: {t['TableStatus']}")
        time.sleep(0.5 if is_real_aws() else 0.02)


def wait_gone(client, name, timeout=600.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            client.describe_table(TableName=name)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                return
            raise
        time.sleep(0.5 if is_real_aws() else 0.02)
    raise AssertionError(f"table {name} still exists after {timeout}s")


def key_schema(hash_name, hash_type, range_name=None, range_type=None):
    ks = [{"AttributeName": hash_name, "KeyType": "HASH"}]
    ad = [{"AttributeName": hash_name, "AttributeType": hash_type}]
    if range_name:
        ks.append({"AttributeName": range_name, "KeyType": "RANGE"})
        ad.append({"AttributeName": range_name, "AttributeType": range_type})
    return {"KeySchema": ks, "AttributeDefinitions": ad}


def raw_for(client):
    """A RawClient with the endpoint, region and credentials of a boto3 client."""
    creds = client._request_signer._credentials
    if creds is not None:
        creds = creds.get_frozen_credentials()
    return RawClient(client.meta.endpoint_url, client.meta.region_name, creds)


def raw_ok(client, operation, payload):
    """Call an operation over raw JSON (for parameters Debian's botocore does not know yet, such
    as DeletionProtectionEnabled) and return the parsed answer; fail on any error."""
    r = raw_for(client).call(operation, payload)
    assert r.status == 200, r
    return r.json() if r.body else {}


def delete_table_quietly(client, name):
    try:
        raw_for(client).call("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    except OSError:
        pass
    for _ in range(600):
        try:
            client.delete_table(TableName=name)
            return
        except ClientError as e:
            c = e.response["Error"]["Code"]
            if c == "ResourceNotFoundException":
                return
            if c in ("ResourceInUseException", "LimitExceededException"):
                time.sleep(1)
                continue
            if c == "ValidationException":
                # still protected (the update above may still be settling on AWS)
                time.sleep(1)
                continue
            raise


# ---------------------------------------------------------------------------------------------
# Item size (DynamoDB's rule: UTF-8 bytes of every attribute name plus its value's size)
# ---------------------------------------------------------------------------------------------


def _num_size(text):
    t = text.strip().lstrip("+-").lower()
    if "e" in t:
        t = t.split("e")[0]
    digits = t.replace(".", "").strip("0")
    return (len(digits) + 1) // 2 + 1


def value_size(v):
    (t, x), = v.items()
    if t == "S":
        return len(x.encode("utf-8"))
    if t == "B":
        return len(x)
    if t == "N":
        return _num_size(x)
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(s.encode("utf-8")) for s in x)
    if t == "BS":
        return sum(len(b) for b in x)
    if t == "NS":
        return sum(_num_size(n) for n in x)
    if t == "L":
        return 3 + sum(1 + value_size(e) for e in x)
    if t == "M":
        return 3 + sum(len(k.encode("utf-8")) + 1 + value_size(e) for k, e in x.items())
    raise ValueError(t)


def item_size(item):
    """Size of a low-level item made of S and B (and small scalar) values."""
    return sum(len(k.encode("utf-8")) + value_size(v) for k, v in item.items())


def sized_item(base, total, pad_attr="pad"):
    """`base` (low-level, S/B values) plus one S attribute so that item_size == total exactly."""
    fill = total - item_size(base) - len(pad_attr.encode("utf-8"))
    assert fill >= 0, (total, item_size(base))
    item = dict(base)
    item[pad_attr] = {"S": "x" * fill}
    assert item_size(item) == total
    return item


# ---------------------------------------------------------------------------------------------
# Small value helpers
# ---------------------------------------------------------------------------------------------


def uid():
    """A short unique string for keys and names."""
    return uuid.uuid4().hex[:12]


def S(x):
    return {"S": x}


def N(x):
    return {"N": str(x)}
