"""Authentication (issue 16): AWS Signature Version 4 as DynamoDB verifies it, with --auth enforce|warn|off.

dynarock-only (real DynamoDB always verifies, with real keys), and each test starts its own server with the
flags and credentials it checks. The messages are AWS's own (server/auth.c lists their sources).
"""
import datetime
import gzip
import json
import os
import shutil
import subprocess
import time
import types

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

KEY, SECRET = "AKIDDYNAROCKTEST", "s3cr3t/Example+Key"
OTHER, OTHER_SECRET = "AKIDOTHER", "another-secret"
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")
TS = "%Y%m%dT%H%M%SZ"


@pytest.fixture
def creds_file(tmp_path):
    p = tmp_path / "credentials"
    p.write_text(f"# dynarock keys\n{KEY} {SECRET}\n\n{OTHER} {OTHER_SECRET} 123456789012  # with an account\n")
    return p


def client(srv, key=KEY, secret=SECRET):
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name=du.REGION, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def raw(srv, key=KEY, secret=SECRET):
    return du.RawClient(srv.url, du.REGION, du.static_credentials(key, secret))


def error_of(fn):
    with pytest.raises(ClientError) as e:
        fn()
    return e.value.response["Error"]


def enforcing(server_factory, creds_file, mode="enforce"):
    return server_factory(["--in-memory", "--threads", "1", "--auth", mode, "--credentials", str(creds_file)])


def test_right_secret_serves(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    c = client(srv)
    name = du.unique_name("auth")
    c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("pk", "S"))
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    assert c.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}, "v": {"N": "1"}}
    # the second key of the file, and another region (any region is accepted)
    other = boto3.client("dynamodb", endpoint_url=srv.url, region_name="eu-west-3", aws_access_key_id=OTHER,
                         aws_secret_access_key=OTHER_SECRET)
    assert name in other.list_tables()["TableNames"]


def test_wrong_secret_is_invalid_signature(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    err = error_of(lambda: client(srv, secret="wrong").list_tables())
    assert err["Code"] == "InvalidSignatureException"
    assert err["Message"] == MISMATCH


def test_unknown_key_is_unrecognized_client(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    err = error_of(lambda: client(srv, key="AKIDNOBODY").list_tables())
    assert err["Code"] == "UnrecognizedClientException"
    assert err["Message"] == "The security token included in the request is invalid."


def test_no_authorization_is_missing_token(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    r = raw(srv).call("ListTables", {}, sign=False)
    assert r.status == 400
    body = json.loads(r.body)
    assert body == {"__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
                    "message": "Request is missing Authentication Token"}


def test_incomplete_authorization(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    r = raw(srv).call("ListTables", {}, sign=False, headers={"Authorization": "AWS4-HMAC-SHA256 Signature=abc",
                                                             "X-Amz-Date": time.strftime(TS, time.gmtime())})
    body = json.loads(r.body)
    assert body["__type"] == "com.amazon.coral.service#IncompleteSignatureException"
    assert body["message"] == ("Authorization header requires 'Credential' parameter. Authorization header "
                               "requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=abc")


def set_signing_clock(monkeypatch, when):
    """Make botocore's signers read `when` as the time (until monkeypatch.undo())."""
    if hasattr(botocore.auth, "get_current_datetime"):  # botocore >= 1.33
        monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when)
    else:  # older botocore reads datetime.datetime.utcnow()
        class Fixed(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return when
        monkeypatch.setattr(botocore.auth, "datetime", types.SimpleNamespace(datetime=Fixed))


def signed_at(monkeypatch, srv, when, payload, **kw):
    """A request signed by botocore's SigV4Auth as if the clock said `when`."""
    set_signing_clock(monkeypatch, when)
    try:
        return raw(srv).call("ListTables", payload, **kw)
    finally:
        monkeypatch.undo()


def test_skewed_date_is_signature_expired(server_factory, creds_file, monkeypatch):
    srv = enforcing(server_factory, creds_file)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    old = now - datetime.timedelta(minutes=20)
    r = signed_at(monkeypatch, srv, old, {})
    body = json.loads(r.body)
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    # "Signature expired: <request> is now earlier than <now - 15 min> (<now> - 15 min.)"
    msg = body["message"]
    assert msg.startswith(f"Signature expired: {old.strftime(TS)} is now earlier than "), msg
    assert msg.endswith(" - 15 min.)"), msg
    server_now = datetime.datetime.strptime(msg.split("(")[1].split(" ")[0], TS)
    limit = datetime.datetime.strptime(msg.split(" is now earlier than ")[1].split(" ")[0], TS)
    assert server_now - limit == datetime.timedelta(minutes=15)
    assert abs((server_now - now).total_seconds()) < 60

    future = now + datetime.timedelta(minutes=20)
    body = json.loads(signed_at(monkeypatch, srv, future, {}).body)
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    assert body["message"].startswith(f"Signature not yet current: {future.strftime(TS)} is still later than ")
    assert body["message"].endswith(" + 15 min.)")

    # within the 15 minutes: served
    r = signed_at(monkeypatch, srv, now - datetime.timedelta(minutes=10), {})
    assert r.status == 200, r.body


def test_gzip_body_signed_over_compressed_bytes(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    body = gzip.compress(json.dumps({"Limit": 5}).encode())
    r = raw(srv).request(body=body, target="DynamoDB_20120810.ListTables",
                         headers={"Content-Encoding": "gzip"})
    assert r.status == 200, r.body
    assert json.loads(r.body) == {"TableNames": []}


def test_tampered_body_is_invalid_signature(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    rc = raw(srv)
    body, hdrs = rc.prepare(body=b'{"Limit": 5}', target="DynamoDB_20120810.ListTables")
    r = rc.request(body=b'{"Limit": 6}', target="DynamoDB_20120810.ListTables", headers=hdrs, sign=False)
    assert json.loads(r.body)["message"] == MISMATCH


def test_warn_serves_and_logs(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file, mode="warn")
    assert client(srv, secret="wrong").list_tables()["TableNames"] == []
    assert raw(srv).call("ListTables", {}, sign=False).status == 200
    time.sleep(0.2)
    log = srv.log_path.read_text()
    assert f"auth: would refuse DynamoDB_20120810.ListTables (key {KEY}): InvalidSignatureException: " \
           f"{MISMATCH}" in log, log
    assert "MissingAuthenticationTokenException: Request is missing Authentication Token" in log, log


def test_off_by_default_accepts_anything(server_factory):
    srv = server_factory(["--in-memory", "--threads", "1"])
    assert client(srv, key="whoever", secret="whatever").list_tables()["TableNames"] == []
    assert raw(srv).call("ListTables", {}, sign=False).status == 200


def test_key_from_environment(server_factory, monkeypatch):
    monkeypatch.setenv("DYNAROCK_ACCESS_KEY_ID", "AKIDENV")
    monkeypatch.setenv("DYNAROCK_SECRET_ACCESS_KEY", "env-secret")
    srv = server_factory(["--in-memory", "--threads", "1", "--auth", "enforce"])
    monkeypatch.delenv("DYNAROCK_ACCESS_KEY_ID")
    monkeypatch.delenv("DYNAROCK_SECRET_ACCESS_KEY")
    assert client(srv, key="AKIDENV", secret="env-secret").list_tables()["TableNames"] == []
    assert error_of(lambda: client(srv).list_tables())["Code"] == "UnrecognizedClientException"


def test_enforce_without_credentials_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.delenv("DYNAROCK_ACCESS_KEY_ID", raising=False)
    r = subprocess.run([str(du.binary_path()), "--in-memory", "--auth", "enforce"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 2
    assert "--auth enforce needs credentials" in r.stderr
    bad = tmp_path / "bad"
    bad.write_text("ONLYAKEY\n")
    r = subprocess.run([str(du.binary_path()), "--in-memory", "--auth", "enforce", "--credentials", str(bad)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert f"{bad}:1: expected ACCESS_KEY_ID SECRET_ACCESS_KEY" in r.stderr
    r = subprocess.run([str(du.binary_path()), "--auth", "maybe"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 2 and "--auth needs off, warn or enforce" in r.stderr


@pytest.mark.skipif(not os.path.exists("/usr/bin/aws"), reason="Debian awscli (/usr/bin/aws) is not installed")
def test_aws_cli_with_credentials(server_factory, creds_file, tmp_path):
    srv = enforcing(server_factory, creds_file)
    env = dict(os.environ, AWS_DEFAULT_REGION=du.REGION, AWS_PAGER="", AWS_ACCESS_KEY_ID=KEY,
               AWS_SECRET_ACCESS_KEY=SECRET, AWS_CONFIG_FILE=str(tmp_path / "config"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "creds"))
    env.pop("AWS_SESSION_TOKEN", None)
    env.pop("AWS_PROFILE", None)

    def aws(secret):
        return subprocess.run(["/usr/bin/aws", "dynamodb", "list-tables", "--endpoint-url", srv.url, "--output",
                               "json"], capture_output=True, text=True, env=dict(env, AWS_SECRET_ACCESS_KEY=secret),
                              timeout=60, stdin=subprocess.DEVNULL)
    r = aws(SECRET)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"TableNames": []}
    r = aws("wrong")
    assert r.returncode != 0 and "InvalidSignatureException" in r.stderr


# ---- presigned URLs: the signature in the query string (X-Amz-Algorithm ... X-Amz-Signature) ----------------

class _PresignKeepingBody(botocore.auth.SigV4QueryAuth):
    """botocore's query-string signer, but the JSON body stays the body (DynamoDB reads it there) and is
    covered by the payload hash, as SigV4 has it for services other than S3."""

    def _modify_request_before_signing(self, request):
        data = request.data
        request.data = b""
        super()._modify_request_before_signing(request)
        request.data = data


def presigned(srv, payload, op="ListTables", key=KEY, secret=SECRET, expires=300, when=None, monkeypatch=None):
    """(path with query, headers, body) of a presigned POST, signed as if the clock said `when`."""
    from botocore.awsrequest import AWSRequest
    body = json.dumps(payload).encode()
    req = AWSRequest(method="POST", url=srv.url + "/", data=body,
                     headers={"Content-Type": "application/x-amz-json-1.0",
                              "X-Amz-Target": f"DynamoDB_20120810.{op}"})
    signer = _PresignKeepingBody(du.static_credentials(key, secret), "dynamodb", du.REGION, expires=expires)
    if when is not None:
        set_signing_clock(monkeypatch, when)
    try:
        signer.add_auth(req)
    finally:
        if monkeypatch is not None:
            monkeypatch.undo()
    path = "/?" + req.url.split("?", 1)[1]
    return path, {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": f"DynamoDB_20120810.{op}"}, body


def send_presigned(srv, path, headers, body):
    return raw(srv).request(path=path, body=body, headers=headers, content_type=None, sign=False)


def test_presigned_url_serves(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    name = du.unique_name("presign")
    client(srv).create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("pk", "S"))
    r = send_presigned(srv, *presigned(srv, {"TableName": name, "Item": {"pk": {"S": "a"}}}, op="PutItem"))
    assert (r.status, json.loads(r.body)) == (200, {})
    r = send_presigned(srv, *presigned(srv, {}))
    assert r.status == 200, r.body
    assert name in json.loads(r.body)["TableNames"]


def test_presigned_url_wrong_secret_or_tampered(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    r = send_presigned(srv, *presigned(srv, {}, secret="wrong"))
    assert json.loads(r.body) == {"__type": "com.amazon.coral.service#InvalidSignatureException",
                                  "message": MISMATCH}
    path, headers, body = presigned(srv, {"Limit": 5})
    r = send_presigned(srv, path, headers, b'{"Limit": 6}')  # the body is covered too
    assert json.loads(r.body)["message"] == MISMATCH
    r = send_presigned(srv, path.replace("X-Amz-Expires=300", "X-Amz-Expires=301"), headers, body)
    assert json.loads(r.body)["message"] == MISMATCH
    r = send_presigned(srv, *presigned(srv, {}, key="AKIDNOBODY"))
    assert json.loads(r.body) == {"__type": "com.amazon.coral.service#UnrecognizedClientException",
                                  "message": "The security token included in the request is invalid."}


def test_presigned_url_lives_for_its_expires(server_factory, creds_file, monkeypatch):
    srv = enforcing(server_factory, creds_file)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    # signed 30 minutes ago for an hour: past the 15 minutes of a header signature, still valid
    r = send_presigned(srv, *presigned(srv, {}, expires=3600, when=now - datetime.timedelta(minutes=30),
                                       monkeypatch=monkeypatch))
    assert r.status == 200, r.body
    # signed 2 hours ago for an hour: expired
    old = now - datetime.timedelta(hours=2)
    r = send_presigned(srv, *presigned(srv, {}, expires=3600, when=old, monkeypatch=monkeypatch))
    body = json.loads(r.body)
    assert body["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    assert body["message"].startswith(f"Signature expired: {old.strftime(TS)} is now earlier than "), body
    assert body["message"].endswith(" - 3600 sec.)"), body
    # dated 20 minutes ahead: not yet current, as a header signature
    future = now + datetime.timedelta(minutes=20)
    r = send_presigned(srv, *presigned(srv, {}, when=future, monkeypatch=monkeypatch))
    assert json.loads(r.body)["message"].startswith(f"Signature not yet current: {future.strftime(TS)} ")


def test_presigned_url_incomplete(server_factory, creds_file):
    srv = enforcing(server_factory, creds_file)
    path, headers, body = presigned(srv, {})
    no_expires = "&".join(p for p in path[2:].split("&") if not p.startswith("X-Amz-Expires="))
    r = send_presigned(srv, "/?" + no_expires, headers, body)
    assert json.loads(r.body) == {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": ("AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', "
                    "'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the "
                    "query-string parameters.")}
    r = send_presigned(srv, path.replace("X-Amz-Expires=300", "X-Amz-Expires=604801"), headers, body)
    assert json.loads(r.body) == {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": "X-Amz-Expires must be a number of seconds from 1 to 604800 (a week), not '604801'"}
