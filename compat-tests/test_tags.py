"""TagResource / UntagResource / ListTagsOfResource.

Since August 2024 AWS applies tag changes asynchronously (scylladb test/alternator/test_tag.py), so the
helpers below poll ListTagsOfResource until the change shows.

Facts: scylladb test_tag.py (runs on AWS): tags given at CreateTable are listed; removing missing keys
is legal; an ARN naming a missing table -> ResourceNotFoundException; a malformed ARN ->
ValidationException. Messages: 'Requested resource not found: ResourcArn: <arn> not found' (AWS's own
spelling, "ResourcArn") — architect/dynalite test/listTagsOfResource.js and tagResource.js (recorded from
AWS). The malformed-ARN message has changed over time ("ARNs must start with 'arn:'..." per scylladb,
"Invalid TableArn: Invalid ResourceArn provided as input <arn>" per dynalite), so only the code and
a mention of the ARN are asserted.
"""
import time

import pytest

import dynarock_util as du
from dynarock_util import raises


def tags_of(ddb, arn):
    return {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}


def wait_tags(ddb, arn, expected, timeout=60):
    deadline = time.time() + timeout
    while True:
        got = tags_of(ddb, arn)
        if got == expected or time.time() > deadline:
            assert got == expected
            return
        time.sleep(0.5)


def arn_of(ddb, name):
    return ddb.describe_table(TableName=name)["Table"]["TableArn"]


def test_untagged_table_has_empty_list(ddb, make_table):
    arn = arn_of(ddb, make_table())
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_tags_from_create_table(ddb, make_table):
    tags = [{"Key": "str1", "Value": "str2"}, {"Key": "kkk", "Value": "vv"}, {"Key": "keykey", "Value": "valvalvalval"}]
    arn = arn_of(ddb, make_table(Tags=tags))
    got = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert sorted(got, key=lambda t: t["Key"]) == sorted(tags, key=lambda t: t["Key"])


def test_tag_untag_cycle(ddb, make_table):
    arn = arn_of(ddb, make_table())
    tags = [{"Key": "string", "Value": "string"}, {"Key": "string2", "Value": "string4"},
            {"Key": "7", "Value": " "}, {"Key": " ", "Value": "9"}]
    ddb.tag_resource(ResourceArn=arn, Tags=tags)
    wait_tags(ddb, arn, {"string": "string", "string2": "string4", "7": " ", " ": "9"})
    # removing keys that do not exist is legal
    ddb.untag_resource(ResourceArn=arn, TagKeys=["string2", "non-existent", "zzz2"])
    wait_tags(ddb, arn, {"string": "string", "7": " ", " ": "9"})
    ddb.untag_resource(ResourceArn=arn, TagKeys=["string", "7", " "])
    wait_tags(ddb, arn, {})


def test_tag_overwrites_value(ddb, make_table):
    arn = arn_of(ddb, make_table(Tags=[{"Key": "env", "Value": "dev"}]))
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "x"}])
    wait_tags(ddb, arn, {"env": "prod", "team": "x"})


def test_tag_and_untag_return_nothing(ddb, make_table):
    arn = arn_of(ddb, make_table())
    r = ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}])
    r.pop("ResponseMetadata")
    assert r == {}
    wait_tags(ddb, arn, {"a": "b"})
    r = ddb.untag_resource(ResourceArn=arn, TagKeys=["a"])
    r.pop("ResponseMetadata")
    assert r == {}


def test_tags_follow_the_table(ddb, make_table):
    # A table deleted and created again under the same name starts without tags.
    name = make_table(Tags=[{"Key": "k", "Value": "v"}])
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    arn = arn_of(ddb, make_table(name=name))
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


@pytest.mark.parametrize("op", ["list", "tag", "untag"])
def test_arn_of_missing_table(ddb, make_table, op):
    arn = arn_of(ddb, make_table()) + "x"
    with raises("ResourceNotFoundException", f"Requested resource not found: ResourcArn: {arn} not found"):
        if op == "list":
            ddb.list_tags_of_resource(ResourceArn=arn)
        elif op == "tag":
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "x", "Value": "y"}])
        else:
            ddb.untag_resource(ResourceArn=arn, TagKeys=["x"])


def test_malformed_arn(ddb):
    with raises("ValidationException", pattern=r".*(ARN|Arn).*"):
        ddb.tag_resource(ResourceArn="I_do_not_exist", Tags=[{"Key": "7", "Value": "8"}])


def test_tag_lengths_count_characters(ddb, make_table):
    # 128 characters of key and 256 of value, counted as AWS counts them (characters, not UTF-8 bytes)
    name = make_table()
    arn = arn_of(ddb, name)
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "é" * 128, "Value": "ü" * 256}])
    wait_tags(ddb, arn, {"é" * 128: "ü" * 256})
    with raises("ValidationException", pattern=r"1 validation error detected: Value '.*' at 'tags\.1\.member\.key' "
                                               r"failed to satisfy constraint: Member must have length less than or "
                                               r"equal to 128"):
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "é" * 129, "Value": "v"}])


def test_create_table_checks_tags_as_tag_resource(ddb_noval):
    ddb = ddb_noval  # botocore would refuse the empty key itself
    name = du.unique_name("tags")
    with raises("ValidationException", pattern=r"1 validation error detected: Value '' at 'tags\.1\.member\.key' "
                                               r"failed to satisfy constraint: Member must have length greater than "
                                               r"or equal to 1"):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"),
                         Tags=[{"Key": "", "Value": "v"}])
    with raises("LimitExceededException",
                "The number of tags for the resource exceeds the maximum allowed number of tags (50)"):
        ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"),
                         Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(51)])
    with pytest.raises(Exception):
        ddb.describe_table(TableName=name)  # nothing was created
