"""Fixtures for the black-box compatibility suite.

By default a fresh dynarock (`$DYNAROCK_BIN`, else <repo>/build/dynarock) is started once per
session on a free loopback port with --in-memory and 4 event loops (so concurrent clients really
run in parallel, whatever the default for the machine), and stopped at the end. When DYNAROCK_ENDPOINT
is set, that endpoint is used instead; if it is real DynamoDB, boto3's normal credential chain
is used (no fake credentials are sent) and tests marked dynarock_only / needs_process are
skipped.
"""
import os

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du


def pytest_collection_modifyitems(config, items):
    skip_proc = pytest.mark.skip(reason="controls its own dynarock process; DYNAROCK_ENDPOINT is set")
    skip_aws = pytest.mark.skip(reason="dynarock-only behaviour; endpoint is real DynamoDB")
    for item in items:
        if du.ENDPOINT and "needs_process" in item.keywords:
            item.add_marker(skip_proc)
        if du.is_real_aws() and "dynarock_only" in item.keywords:
            item.add_marker(skip_aws)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The session's server process (None when DYNAROCK_ENDPOINT is set)."""
    if du.ENDPOINT:
        yield None
        return
    d = tmp_path_factory.mktemp("dynarock-session")
    srv = du.Server(["--in-memory", "--threads", "4"], d / "server.log").start()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def endpoint(server):
    return du.ENDPOINT.rstrip("/") if du.ENDPOINT else server.url


@pytest.fixture(scope="session")
def region():
    return du.REGION


@pytest.fixture(scope="session")
def credentials():
    """botocore Credentials used for signing: real ones for a real endpoint, dummy otherwise."""
    if du.ENDPOINT:
        c = boto3.Session().get_credentials()
        if c is not None:
            return c.get_frozen_credentials()
    return du.static_credentials()


def _client_kwargs(endpoint, region):
    kw = {"endpoint_url": endpoint, "region_name": region}
    if not du.ENDPOINT or boto3.Session().get_credentials() is None:
        kw["aws_access_key_id"] = "dummy"
        kw["aws_secret_access_key"] = "dummy"
    return kw


@pytest.fixture(scope="session")
def ddb(endpoint, region):
    """Low-level boto3 DynamoDB client, retries off."""
    return boto3.client("dynamodb", config=Config(retries={"max_attempts": 1}),
                        **_client_kwargs(endpoint, region))


@pytest.fixture(scope="session")
def ddb_noval(endpoint, region):
    """Same client with botocore's own parameter validation off, to reach the server's checks."""
    return boto3.client("dynamodb", config=Config(retries={"max_attempts": 1}, parameter_validation=False),
                        **_client_kwargs(endpoint, region))


@pytest.fixture(scope="session")
def raw(endpoint, region, credentials):
    """http.client-based sender for arbitrary bodies and headers (SigV4-signed by default)."""
    return du.RawClient(endpoint, region, credentials)


@pytest.fixture
def make_table(ddb):
    """Factory: make_table(KeySchema=..., AttributeDefinitions=..., **kw) -> name.

    Creates a uniquely named table (PAY_PER_REQUEST unless told otherwise), waits until it is
    ACTIVE and deletes it when the test ends.
    """
    created = []

    def make(name=None, wait=True, **kw):
        name = name or du.unique_name("t")
        if "KeySchema" not in kw:
            kw.update(du.key_schema("p", "S"))
        if "BillingMode" not in kw and "ProvisionedThroughput" not in kw:
            kw["BillingMode"] = "PAY_PER_REQUEST"
        created.append(name)
        if "DeletionProtectionEnabled" in kw:  # unknown to Debian's botocore: send it as raw JSON
            du.raw_ok(ddb, "CreateTable", dict(kw, TableName=name))
        else:
            ddb.create_table(TableName=name, **kw)
        if wait:
            du.wait_active(ddb, name)
        return name

    yield make
    for name in created:
        du.delete_table_quietly(ddb, name)


# Shared tables, created once per session on first use (creating tables on real DynamoDB is
# slow). Items in them use unique keys, so tests never see each other's data.
SHARED_SCHEMAS = {
    "s": ("p", "S", None, None),
    "n": ("p", "N", None, None),
    "b": ("p", "B", None, None),
    "ss": ("p", "S", "c", "S"),
    "sn": ("p", "S", "c", "N"),
    "sb": ("p", "S", "c", "B"),
}


@pytest.fixture(scope="session")
def shared_tables(ddb):
    made = {}

    def get(kind):
        if kind not in made:
            name = du.unique_name("shared_" + kind)
            ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema(*SHARED_SCHEMAS[kind]))
            du.wait_active(ddb, name)
            made[kind] = name
        return made[kind]

    yield get
    for name in made.values():
        du.delete_table_quietly(ddb, name)


@pytest.fixture
def table_s(shared_tables):
    """Hash key p (S)."""
    return shared_tables("s")


@pytest.fixture
def table_n(shared_tables):
    """Hash key p (N)."""
    return shared_tables("n")


@pytest.fixture
def table_b(shared_tables):
    """Hash key p (B)."""
    return shared_tables("b")


@pytest.fixture
def table_ss(shared_tables):
    """Hash key p (S), range key c (S)."""
    return shared_tables("ss")


@pytest.fixture
def table_sn(shared_tables):
    """Hash key p (S), range key c (N)."""
    return shared_tables("sn")


@pytest.fixture
def table_sb(shared_tables):
    """Hash key p (S), range key c (B)."""
    return shared_tables("sb")


@pytest.fixture
def server_factory(tmp_path):
    """Start extra dynarock processes (for restart/flag tests); all are stopped at the end."""
    servers = []

    def start(args, port=None, **kw):
        s = du.Server(args, tmp_path / f"server{len(servers)}.log", port=port, **kw)
        servers.append(s)
        return s.start()

    yield start
    for s in servers:
        s.kill()
