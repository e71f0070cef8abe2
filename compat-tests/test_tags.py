"""TagResource / UntagResource / ListTagsOfResource.

Since August 2024 AWS applies tag changes asynchronously (scylladb test/alternator/test_tag.py), so the
helpers below poll ListTagsOfResource until the change shows.

Facts: scylladb test_tag.py (runs on AWS): tags given at CreateTable are listed; removing missing keys
is legal; an ARN naming a missing table -> ResourceNotFoundException; an index's ARN is refused.
The ResourceArn checks, in AWS's order, as recorded against DynamoDB in 2026 (ExtendDB/extenddb pull
request 227, ack-api-quirks' DynamoDB message catalogue, scylladb test_tag.py's newer index message):
no 'arn:' prefix -> ValidationException "... ARNs must start with 'arn:': <arn>"; another service's ARN
-> AccessDeniedException; a DynamoDB ARN that is not a table's -> ValidationException (a backup's: "not a
DynamoDB resource arn", an index's: "only table or stream is accepted"); another account ->
AccessDeniedException, checked before the region; another region -> ValidationException "Invalid
TableArn: Invalid ResourceArn provided as input <arn>"; a missing table -> ResourceNotFoundException
"Requested resource not found: ResourceArn: <arn> not found" (the 2022 recording, steampipe-plugin-aws
issue 1516 and dynalite's tests, spelled it "ResourcArn"; the 2026 ones do not). The AccessDenied text
depends on the caller's IAM principal, so only its form is asserted.
"""
import re
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


OPS = ["list", "tag", "untag"]
OP_NAMES = {"list": "ListTagsOfResource", "tag": "TagResource", "untag": "UntagResource"}


def call(ddb, op, arn):
    if op == "list":
        ddb.list_tags_of_resource(ResourceArn=arn)
    elif op == "tag":
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "x", "Value": "y"}])
    else:
        ddb.untag_resource(ResourceArn=arn, TagKeys=["x"])


@pytest.mark.parametrize("op", OPS)
def test_arn_of_missing_table(ddb, make_table, op):
    arn = arn_of(ddb, make_table()) + "x"
    with raises("ResourceNotFoundException", f"Requested resource not found: ResourceArn: {arn} not found"):
        call(ddb, op, arn)


def arn_parts(arn):
    """'arn:aws:dynamodb:<region>:<account>:table/<name>' -> (region, account, name)."""
    _, _, _, region, account, res = arn.split(":", 5)
    return region, account, res[len("table/"):]


def other_account(account):
    return "111111111111" if account != "111111111111" else "222222222222"


def other_region(region):
    return "eu-west-1" if region != "eu-west-1" else "us-east-1"


def denied_pattern(op, arn):
    # IAM's wording; the principal and the trailing reason depend on the caller
    return (r"User: arn:aws:iam::\d{12}:\S+ is not authorized to perform: dynamodb:" + OP_NAMES[op]
            + r" on resource: " + re.escape(arn) + r"( because .*)?")


@pytest.fixture(scope="module")
def tag_table(ddb):
    name = du.unique_name("tagarn")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"))
    desc = du.wait_active(ddb, name)
    yield desc["TableArn"]
    ddb.delete_table(TableName=name)


@pytest.mark.parametrize("op", OPS)
def test_arn_without_prefix(ddb, tag_table, op):
    with raises("ValidationException",
                "One or more parameter values were invalid: ARNs must start with 'arn:': I_do_not_exist"):
        call(ddb, op, "I_do_not_exist")


@pytest.mark.parametrize("op", OPS)
def test_arn_of_another_service(ddb, tag_table, op):
    region, account, name = arn_parts(tag_table)
    for arn in (f"arn:aws:s3:::{name}", f"arn:aws:sqs:{region}:{account}:{name}"):
        with raises("AccessDeniedException", pattern=denied_pattern(op, arn)):
            call(ddb, op, arn)


@pytest.mark.parametrize("op", OPS)
def test_arn_of_a_backup(ddb, tag_table, op):
    arn = tag_table + "/backup/01700000000000-abcdef01"
    with raises("ValidationException",
                f"One or more parameter values were invalid: Provided Arn is not a DynamoDB resource arn: {arn}"):
        call(ddb, op, arn)


@pytest.mark.parametrize("op", OPS)
def test_arn_of_an_index(ddb, tag_table, op):
    arn = tag_table + "/index/gsi"
    with raises("ValidationException",
                "One or more parameter values were invalid: Invalid resource arn provided, only table or stream is "
                f"accepted. Provided resource arn: {arn}"):
        call(ddb, op, arn)


@pytest.mark.parametrize("op", OPS)
def test_arn_of_another_account(ddb, tag_table, op):
    region, account, name = arn_parts(tag_table)
    # the account is checked before the region
    for reg in (region, other_region(region)):
        arn = f"arn:aws:dynamodb:{reg}:{other_account(account)}:table/{name}"
        with raises("AccessDeniedException", pattern=denied_pattern(op, arn)):
            call(ddb, op, arn)


@pytest.mark.parametrize("op", OPS)
def test_arn_of_another_region(ddb, tag_table, op):
    region, account, name = arn_parts(tag_table)
    arn = f"arn:aws:dynamodb:{other_region(region)}:{account}:table/{name}"
    with raises("ValidationException", f"Invalid TableArn: Invalid ResourceArn provided as input {arn}"):
        call(ddb, op, arn)


def test_tag_lengths_count_characters(ddb_noval, make_table):
    # 128 characters of key and 256 of value, counted as AWS counts them (characters, not UTF-8 bytes);
    # one more is the tagging service's text, not the `1 validation error detected` form (2026 captures)
    ddb = ddb_noval
    arn = arn_of(ddb, make_table())
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "é" * 128, "Value": "ü" * 256}])
    wait_tags(ddb, arn, {"é" * 128: "ü" * 256})
    with raises("ValidationException", "The Tag Key provided is invalid, Key: " + "é" * 129):
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "é" * 129, "Value": "v"}])
    with raises("ValidationException", "The Tag Value provided is invalid, Value: " + "ü" * 257):
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "ü" * 257}])


# Tag checks recorded against AWS in October 2026 with client-side validation off (ack-api-quirks'
# DynamoDB catalogue, DDB-TABLE-105 to -110, -372, -457): always ValidationException, all or nothing.
GOOD = {"Key": "good", "Value": "g"}
BAD_TAGS = [
    ([{"Key": "k" * 129, "Value": "v"}], "The Tag Key provided is invalid, Key: " + "k" * 129),
    ([{"Key": "", "Value": "v"}], "The Tag Key provided is invalid, Key: "),
    ([{"Value": "v"}], "The Tag Key provided is invalid, Key: null"),
    ([{}], "The Tag Key provided is invalid, Key: null"),
    ([{"Key": "k"}], "The Tag Value provided is invalid, Value: null"),
    ([{"Key": "k", "Value": "v" * 257}], "The Tag Value provided is invalid, Value: " + "v" * 257),
    ([{"Key": "aws:zzz", "Value": "v"}], "Tag Key cannot be prefixed with aws:, Key: aws:zzz"),
    ([{"Key": "AWS:foo", "Value": "v"}], "Tag Key cannot be prefixed with aws:, Key: AWS:foo"),
    ([{"Key": "dup", "Value": "1"}, {"Key": "dup", "Value": "2"}],
     "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup"),
    ([{"Key": "bad#char", "Value": "v"}], "The Tag Key provided is invalid, Key: bad#char"),
    ([{"Key": "k", "Value": "bad#char"}], "The Tag Value provided is invalid, Value: bad#char"),
    ([{"Key": "\U0001f511", "Value": "v"}], "The Tag Key provided is invalid, Key: \U0001f511"),
    ([{"Key": "k", "Value": "\U0001f511"}], "The Tag Value provided is invalid, Value: \U0001f511"),
] + [([{"Key": "k", "Value": v}], "The Tag Value provided is invalid, Value: " + v)
     for v in ["100%", "a,b", "it's \"q\"", "(x)[y]{z}", "a&b", "a*b", "a;b", "a?b", "a|b", "a\\b", "<a>", "~a"]] + [
    # several bad tags: the first in request order is reported
    ([{"Key": "k", "Value": "a,b"}, {"Key": "x#", "Value": "v"}], "The Tag Value provided is invalid, Value: a,b"),
    ([{"Key": "x#", "Value": "v"}, {"Key": "aws:y", "Value": "v"}], "The Tag Key provided is invalid, Key: x#"),
    ([{"Key": "aws:y", "Value": "v"}, {"Key": "x#", "Value": "v"}], "Tag Key cannot be prefixed with aws:, Key: aws:y"),
]


def test_bad_tags_refused_and_nothing_applied(ddb_noval, tag_table):
    ddb = ddb_noval  # botocore would refuse some of these itself
    for tags, msg in BAD_TAGS:
        with raises("ValidationException", msg):
            ddb.tag_resource(ResourceArn=tag_table, Tags=[GOOD] + tags)
    if du.is_real_aws():
        time.sleep(4)  # AWS lists tag changes after ~2 s
    assert tags_of(ddb, tag_table) == {}  # the good tag of every request was not applied


def test_untag_key_checks(ddb_noval, tag_table):
    ddb = ddb_noval
    for keys, msg in [([""], "The Tag Key provided is invalid, Key: "),
                      (["ok", "k" * 129], "The Tag Key provided is invalid, Key: " + "k" * 129),
                      (["aws:foo"], "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
                      ([f"k{i}" for i in range(51)],
                       "Number of Tags exceed the current limit for the provided ResourceArn")]:
        with raises("ValidationException", msg):
            ddb.untag_resource(ResourceArn=tag_table, TagKeys=keys)
    with raises("ValidationException", "Atleast one Tag Key needs to be provided as Input."):
        ddb.untag_resource(ResourceArn=tag_table, TagKeys=[])
    with raises("ValidationException", "Atleast one Tag needs to be provided as Input."):
        ddb.tag_resource(ResourceArn=tag_table, Tags=[])


def test_tag_character_set(ddb, make_table):
    # letters of any script, digits, white space (NBSP and ideographic space too), + - = . _ : / @
    arn = arn_of(ddb, make_table())
    tags = {"ключ": "café", "表": "値", "sp ace": "a+b-c=d.e_f:g/h@i", "nb\u00a0sp": "ideo\u3000graphic",
            " lead": "", "myaws:foo": "x", "Env": "", "env": "x", "d1g1ts": "0123456789"}
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    wait_tags(ddb, arn, tags)


def test_fifty_tags_counted_after_the_merge(ddb, make_table):
    fifty = {f"k{i:02}": f"v{i:02}" for i in range(50)}
    arn = arn_of(ddb, make_table(Tags=[{"Key": k, "Value": v} for k, v in fifty.items()]))
    wait_tags(ddb, arn, fifty)
    limit = "Number of Tags exceed the current limit for the provided ResourceArn"
    with raises("ValidationException", limit):
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k50", "Value": "v"}])
    with raises("ValidationException", limit):
        ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k00", "Value": "new"}, {"Key": "k50", "Value": "v"}])
    # new values for present keys keep 50 tags
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v + "b"} for k, v in fifty.items()])
    wait_tags(ddb, arn, {k: v + "b" for k, v in fifty.items()})


def test_fifty_one_tags_in_one_request(ddb, tag_table):
    with raises("ValidationException", "Number of Tags exceed the current limit for the provided ResourceArn"):
        ddb.tag_resource(ResourceArn=tag_table, Tags=[{"Key": f"n{i}", "Value": "v"} for i in range(51)])


def test_create_table_checks_tags_as_tag_resource(ddb_noval):
    ddb = ddb_noval  # botocore would refuse the empty key itself
    name = du.unique_name("tags")
    for tags, msg in [([{"Key": "", "Value": "v"}], "The Tag Key provided is invalid, Key: "),
                      ([{"Key": "x" * 129, "Value": "v"}], "The Tag Key provided is invalid, Key: " + "x" * 129),
                      ([{"Key": "aws:foo", "Value": "v"}], "Tag Key cannot be prefixed with aws:, Key: aws:foo"),
                      ([{"Key": "hash#char", "Value": "v"}], "The Tag Key provided is invalid, Key: hash#char"),
                      ([{"Key": "d", "Value": "1"}, {"Key": "d", "Value": "2"}],
                       "Duplicate Tag Keys provided as input: Duplicate Tag Key found d"),
                      ([{"Key": f"k{i}", "Value": "v"} for i in range(51)],
                       "Number of Tags exceed the current limit for the provided ResourceArn")]:
        with raises("ValidationException", msg):
            ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S"), Tags=tags)
    with raises("ResourceNotFoundException"):
        ddb.describe_table(TableName=name)  # nothing was created


@pytest.mark.dynarock_only
@pytest.mark.parametrize("op", OPS)
def test_arn_of_a_stream(ddb, tag_table, op):
    # AWS's answer for a stream's ARN is not recorded (its index message says "only table or stream is
    # accepted"): dynarock answers the older recorded text for an ARN that is not a table's
    arn = tag_table + "/stream/2026-01-01T00:00:00.000"
    with raises("ValidationException", f"Invalid TableArn: Invalid ResourceArn provided as input {arn}"):
        call(ddb, op, arn)
