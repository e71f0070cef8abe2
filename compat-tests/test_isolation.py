"""Namespaces and accounts (issue 16): --isolation shared|account|key-region, and the account of an access key
in ARNs.

dynarock-only: in AWS every account has its own tables by nature; here a flag decides whether callers share
one set of tables (the default, as DynamoDB Local's -sharedDb), get one per account (--credentials names the
account of each key), or one per access key and region (DynamoDB Local without -sharedDb). Each test starts
its own server.
"""
import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

ACCOUNT_B = "123456789012"


@pytest.fixture
def creds_file(tmp_path):
    p = tmp_path / "credentials"
    p.write_text(f"AKIDA1 secretA1\nAKIDA2 secretA2\nAKIDB1 secretB1 {ACCOUNT_B}\n")
    return p


def client(srv, key, secret="x", region="us-east-1"):
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def make_table(c, name, **kw):
    return c.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("pk", "S"),
                          **kw)["TableDescription"]


def test_shared_by_default_with_accounts_in_arns(server_factory, creds_file):
    srv = server_factory(["--in-memory", "--threads", "1", "--credentials", str(creds_file)])
    a, b = client(srv, "AKIDA1"), client(srv, "AKIDB1", region="eu-west-1")
    desc = make_table(a, "shared_t", StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    assert desc["TableArn"] == "arn:aws:dynamodb:us-east-1:000000000000:table/shared_t"
    assert desc["LatestStreamArn"].startswith("arn:aws:dynamodb:us-east-1:000000000000:table/shared_t/stream/")
    # the other key sees the same table, named with its own account and region
    got = b.describe_table(TableName="shared_t")["Table"]
    assert got["TableArn"] == f"arn:aws:dynamodb:eu-west-1:{ACCOUNT_B}:table/shared_t"
    assert got["LatestStreamArn"].startswith(f"arn:aws:dynamodb:eu-west-1:{ACCOUNT_B}:table/shared_t/stream/")
    assert b.list_tables()["TableNames"] == ["shared_t"]
    # a key not in the file: the default account
    assert client(srv, "AKIDNOBODY").describe_table(TableName="shared_t")["Table"]["TableArn"] == \
        "arn:aws:dynamodb:us-east-1:000000000000:table/shared_t"


def test_account_isolation(server_factory, creds_file):
    srv = server_factory(["--in-memory", "--threads", "2", "--isolation", "account",
                          "--credentials", str(creds_file)])
    a1, a2, b1 = client(srv, "AKIDA1"), client(srv, "AKIDA2", region="ap-south-1"), client(srv, "AKIDB1")
    make_table(a1, "orders")
    # same account (the default one), another key and region: the same tables
    assert a2.list_tables()["TableNames"] == ["orders"]
    assert client(srv, "AKIDNOBODY").list_tables()["TableNames"] == ["orders"]
    # account B: its own, empty, namespace; the same name is free there
    assert b1.list_tables()["TableNames"] == []
    desc = make_table(b1, "orders")
    assert desc["TableArn"] == f"arn:aws:dynamodb:us-east-1:{ACCOUNT_B}:table/orders"
    b1.put_item(TableName="orders", Item={"pk": {"S": "only-in-b"}})
    assert a1.scan(TableName="orders")["Count"] == 0
    assert b1.scan(TableName="orders")["Items"] == [{"pk": {"S": "only-in-b"}}]
    b1.delete_table(TableName="orders")
    assert a1.list_tables()["TableNames"] == ["orders"]


def test_key_region_isolation_survives_restart(server_factory, tmp_path):
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--threads", "1", "--isolation", "key-region"]
    srv = server_factory(args)
    k1, k1_eu, k2 = client(srv, "KEY1"), client(srv, "KEY1", region="eu-west-1"), client(srv, "KEY2")
    make_table(k1, "tt1")
    make_table(k1_eu, "t_eu")
    k1.put_item(TableName="tt1", Item={"pk": {"S": "k1"}})
    assert k1.list_tables()["TableNames"] == ["tt1"]
    assert k1_eu.list_tables()["TableNames"] == ["t_eu"]
    assert k2.list_tables()["TableNames"] == []
    with pytest.raises(ClientError) as e:
        k2.get_item(TableName="tt1", Key={"pk": {"S": "k1"}})
    assert e.value.response["Error"] == {"Code": "ResourceNotFoundException",
                                         "Message": "Requested resource not found"}
    assert sorted(p.name for p in (data / "namespaces").iterdir()) == ["KEY1_eu-west-1", "KEY1_us-east-1",
                                                                 "KEY2_us-east-1"]
    assert srv.stop() == 0

    srv = server_factory(args)
    assert client(srv, "KEY1").get_item(TableName="tt1", Key={"pk": {"S": "k1"}})["Item"] == {"pk": {"S": "k1"}}
    assert client(srv, "KEY1", region="eu-west-1").list_tables()["TableNames"] == ["t_eu"]
    assert client(srv, "KEY2").list_tables()["TableNames"] == []


def test_key_region_names_are_safe_file_names(server_factory, tmp_path):
    data = tmp_path / "data"
    srv = server_factory(["--data-dir", str(data), "--threads", "1", "--isolation", "key-region"])
    odd = client(srv, "key.with+odd=chars")
    make_table(odd, "odd")
    assert odd.list_tables()["TableNames"] == ["odd"]
    assert [p.name for p in (data / "namespaces").iterdir()] == ["key%2Ewith%2Bodd%3Dchars_us-east-1"]
    assert client(srv, "KEY1").list_tables()["TableNames"] == []


def test_bad_isolation_flag(server_factory, tmp_path):
    import subprocess
    r = subprocess.run([str(du.binary_path()), "--isolation", "tenant"], capture_output=True, text=True,
                       timeout=10)
    assert r.returncode == 2
    assert r.stderr == "dynarock: --isolation needs shared, account or key-region\n"


def test_tagging_checks_the_callers_account_and_region(server_factory, creds_file):
    # shared tables, but each caller reaches them through ARNs of its own account and region, as in AWS
    srv = server_factory(["--in-memory", "--threads", "1", "--credentials", str(creds_file)])
    a, b = client(srv, "AKIDA1"), client(srv, "AKIDB1", region="eu-west-1")
    arn_a = make_table(a, "tagged_t")["TableArn"]
    arn_b = b.describe_table(TableName="tagged_t")["Table"]["TableArn"]
    assert arn_b == f"arn:aws:dynamodb:eu-west-1:{ACCOUNT_B}:table/tagged_t"
    b.tag_resource(ResourceArn=arn_b, Tags=[{"Key": "k", "Value": "v"}])
    assert a.list_tags_of_resource(ResourceArn=arn_a)["Tags"] == [{"Key": "k", "Value": "v"}]
    with pytest.raises(ClientError) as ei:  # A's account seen by B: denied before the region is looked at
        b.list_tags_of_resource(ResourceArn=arn_a)
    assert ei.value.response["Error"] == {
        "Code": "AccessDeniedException",
        "Message": f"User: arn:aws:iam::{ACCOUNT_B}:root is not authorized to perform: dynamodb:ListTagsOfResource "
                   f"on resource: {arn_a} because no resource-based policy allows the "
                   "dynamodb:ListTagsOfResource action"}
    other = f"arn:aws:dynamodb:us-east-1:{ACCOUNT_B}:table/tagged_t"  # B's account, A's region
    with pytest.raises(ClientError) as ei:
        b.untag_resource(ResourceArn=other, TagKeys=["k"])
    assert ei.value.response["Error"] == {
        "Code": "ValidationException", "Message": f"Invalid TableArn: Invalid ResourceArn provided as input {other}"}
