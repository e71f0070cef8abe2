"""DescribeLimits and DescribeEndpoints.

Facts: scylladb test/alternator/test_describe_endpoints.py (runs on AWS): one endpoint, with Address
and CachePeriodInMinutes; the address answers DescribeEndpoints itself. AWS's CachePeriodInMinutes is
1440 and its per-account defaults are 80000 (account) and 40000 (table) capacity units; accounts can
have other quotas, so against AWS only the relations are checked.
"""
import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

LIMIT_KEYS = ("AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits",
              "TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits")


def test_describe_limits(ddb):
    r = ddb.describe_limits()
    for k in LIMIT_KEYS:
        assert isinstance(r[k], int) and r[k] > 0, k
    assert r["TableMaxReadCapacityUnits"] <= r["AccountMaxReadCapacityUnits"]
    assert r["TableMaxWriteCapacityUnits"] <= r["AccountMaxWriteCapacityUnits"]


@pytest.mark.dynarock_only
def test_describe_limits_default_values(ddb):
    # DynamoDB's default quotas for a new account.
    r = ddb.describe_limits()
    assert {k: r[k] for k in LIMIT_KEYS} == {
        "AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}


def test_describe_limits_raw_empty_body(raw):
    r = raw.call("DescribeLimits", {})
    assert r.status == 200
    assert set(r.json()) == set(LIMIT_KEYS)


def test_describe_endpoints(ddb):
    r = ddb.describe_endpoints()
    (ep,) = r["Endpoints"]
    assert isinstance(ep["Address"], str) and ep["Address"]
    assert "://" not in ep["Address"]
    assert ep["CachePeriodInMinutes"] == 1440


def test_describe_endpoints_address_answers(ddb, endpoint, region):
    (ep,) = ddb.describe_endpoints()["Endpoints"]
    if ep["Address"].endswith(".amazonaws.com"):
        if not du.is_real_aws():
            pytest.skip("server advertises the AWS address, which is not reachable here")
        url = "https://" + ep["Address"]
        kw = {}
    else:
        url = "http://" + ep["Address"]
        kw = {"aws_access_key_id": "dummy", "aws_secret_access_key": "dummy"}
    other = boto3.client("dynamodb", endpoint_url=url, region_name=region,
                         config=Config(retries={"max_attempts": 1}), **kw)
    assert len(other.describe_endpoints()["Endpoints"]) == 1
