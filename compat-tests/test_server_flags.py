"""dynarock's own command line (issue 2): --help, --version, unknown flags, DynamoDB Local spellings.

Not DynamoDB behaviour: dynarock-only, and skipped when DYNAROCK_ENDPOINT is set.
"""
import subprocess

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]


def run(*args, timeout=10):
    return subprocess.run([str(du.binary_path()), *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_unknown_flag_exits_2():
    r = run("--no-such-flag")
    assert r.returncode == 2
    assert "--no-such-flag" in (r.stderr + r.stdout)


def test_help_exits_0():
    r = run("--help")
    assert r.returncode == 0
    out = r.stdout + r.stderr
    for flag in ("--port", "--host", "--data-dir", "--in-memory"):
        assert flag in out, flag


def test_version_exits_0():
    r = run("--version")
    assert r.returncode == 0
    assert (r.stdout + r.stderr).strip()


def test_dynamodb_local_spellings(server_factory):
    port = du.free_port()
    srv = server_factory(["-port", str(port), "-inMemory", "-sharedDb"], port=port, host_flags=False)
    ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="a",
                       aws_secret_access_key="b", config=Config(retries={"max_attempts": 1}))
    assert isinstance(ddb.list_tables()["TableNames"], list)


def test_db_path_spelling(server_factory, tmp_path):
    port = du.free_port()
    srv = server_factory(["-port", str(port), "-dbPath", str(tmp_path / "db")], port=port, host_flags=False)
    ddb = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="a",
                       aws_secret_access_key="b", config=Config(retries={"max_attempts": 1}))
    ddb.create_table(TableName="dbpath", BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    assert "dbpath" in ddb.list_tables()["TableNames"]


def test_one_namespace_for_all_credentials_and_regions(server):
    # DESIGN.md: the default is one shared namespace (DynamoDB Local's -sharedDb).
    a = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="key1",
                     aws_secret_access_key="s", config=Config(retries={"max_attempts": 1}))
    b = boto3.client("dynamodb", endpoint_url=server.url, region_name="ap-south-1", aws_access_key_id="key2",
                     aws_secret_access_key="s", config=Config(retries={"max_attempts": 1}))
    name = du.unique_name("shared")
    a.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    try:
        assert b.describe_table(TableName=name)["Table"]["TableName"] == name
    finally:
        a.delete_table(TableName=name)
