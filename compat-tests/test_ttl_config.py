"""UpdateTimeToLive / DescribeTimeToLive (configuration only; expiry is a later issue).

Facts: scylladb test/alternator/test_ttl.py (runs on AWS): a new table describes as
{'TimeToLiveStatus': 'DISABLED'} with no AttributeName; enabling echoes the specification and
describes as ENABLED with the attribute; enabling again (same or other attribute) fails, the
message mentioning 'enabled' or 'active'; disabling when disabled fails ('disabled'); disabling with
another attribute fails ('different'); AWS refuses a second change within about an hour
('...modified multiple times within a fixed interval').
Messages: 'TimeToLive is already disabled' (terraform-provider-aws compares this AWS string; also
architect/dynalite test/updateTimeToLive.js), 'TimeToLive is already enabled' (architect/dynalite),
'TimeToLive is active on a different AttributeName: current AttributeName is <attr>' for enabling or
disabling another attribute while enabled (recorded from AWS by the ack-api-quirks catalogue,
2026-10; the same text in a salt-project test's copy of AWS's error).
"""
import pytest

import dynarock_util as du
from dynarock_util import raises

SPEC = {"AttributeName": "expiration", "Enabled": True}


def test_describe_default(ddb, make_table):
    r = ddb.describe_time_to_live(TableName=make_table())
    assert r["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}


def test_enable(ddb, make_table):
    name = make_table()
    r = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)
    assert r["TimeToLiveSpecification"] == SPEC
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"}


def test_enable_twice(ddb, make_table):
    name = make_table()
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)
    with raises("ValidationException", "TimeToLive is already enabled"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)


def test_enable_other_attribute_while_enabled(ddb, make_table):
    name = make_table()
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)
    with raises("ValidationException",
                "TimeToLive is active on a different AttributeName: current AttributeName is expiration"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "new", "Enabled": True})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"] == "expiration"


def test_disable_when_disabled(ddb, make_table):
    with raises("ValidationException", "TimeToLive is already disabled"):
        ddb.update_time_to_live(TableName=make_table(),
                                TimeToLiveSpecification={"AttributeName": "expiration", "Enabled": False})


def test_disable_with_other_attribute(ddb, make_table):
    name = make_table()
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)
    with raises("ValidationException",
                "TimeToLive is active on a different AttributeName: current AttributeName is expiration"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "dog", "Enabled": False})


@pytest.mark.dynarock_only
def test_disable_right_after_enable(ddb, make_table):
    # AWS refuses a second TTL change within about an hour; dynarock allows it at once.
    name = make_table()
    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)
    r = ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"AttributeName": "expiration", "Enabled": False})
    assert r["TimeToLiveSpecification"]["Enabled"] is False
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {"TimeToLiveStatus": "DISABLED"}


def test_describe_missing_table(ddb):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.describe_time_to_live(TableName=name)


def test_update_missing_table(ddb):
    name = du.unique_name("missing")
    with raises("ResourceNotFoundException", f"Requested resource not found: Table: {name} not found"):
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification=SPEC)


def test_ttl_attribute_name_too_long(ddb_noval, make_table):
    # scylladb: AttributeName must be 1..255 characters (message mentions 'length').
    with raises("ValidationException", pattern=r".*length.*"):
        ddb_noval.update_time_to_live(TableName=make_table(),
                                      TimeToLiveSpecification={"AttributeName": "x" * 256, "Enabled": True})
