"""AWS CLI smoke (Debian's awscli, /usr/bin/aws, v2): create, put/get/delete every type, list,
describe, delete, and how a service error is shown; one PartiQL execute-statement round trip.

The CLI prints service errors as 'An error occurred (<Code>) when calling the <Op> operation:
<Message>' and exits with 254 (AWS CLI v2 documentation, return codes). The PartiQL duplicate-INSERT
error is the AWS CLI example in the AWS documentation ("An error occurred (DuplicateItemException) when
calling the ExecuteStatement operation: Duplicate primary key exists in table").
"""
import json
import os
import subprocess

import pytest

import dynarock_util as du

AWS = "/usr/bin/aws"

if not os.path.exists(AWS):
    pytest.skip("Debian awscli (/usr/bin/aws) is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    env = dict(os.environ)
    d = tmp_path_factory.mktemp("awscli")
    env.update(AWS_DEFAULT_REGION=du.REGION, AWS_PAGER="", AWS_CLI_AUTO_PROMPT="off")
    if not du.is_real_aws():
        env.update(AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy",
                   AWS_CONFIG_FILE=str(d / "config"), AWS_SHARED_CREDENTIALS_FILE=str(d / "credentials"))
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
    return env


@pytest.fixture
def aws(cli_env, endpoint):
    def run(*args, check=True):
        r = subprocess.run([AWS, "dynamodb", *args, "--endpoint-url", endpoint, "--output", "json"],
                           capture_output=True, text=True, env=cli_env, timeout=60, stdin=subprocess.DEVNULL)
        if check:
            assert r.returncode == 0, (args, r.returncode, r.stderr)
            return json.loads(r.stdout) if r.stdout.strip() else {}
        return r
    return run


ITEM = {
    "pk": {"S": "cli-item"},
    "s": {"S": "h\u00e9llo"},
    "n": {"N": "1.50"},
    "b": {"B": "AAH+/w=="},
    "t": {"BOOL": True},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2"]},
    "bs": {"BS": ["AQ==", "Ag=="]},
    "l": {"L": [{"S": "x"}, {"N": "7"}]},
    "m": {"M": {"k": {"S": "v"}, "e": {"S": ""}}},
}


def sortsets(item):
    return {k: ({t: sorted(x)} if t in ("SS", "NS", "BS") else {t: x}) for k, v in item.items() for t, x in v.items()}


def test_cli_table_and_item_lifecycle(aws, ddb):
    name = du.unique_name("cli")
    try:
        d = aws("create-table", "--table-name", name,
                "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                "--key-schema", "AttributeName=pk,KeyType=HASH",
                "--billing-mode", "PAY_PER_REQUEST")["TableDescription"]
        assert d["TableName"] == name
        du.wait_active(ddb, name)
        assert name in aws("list-tables")["TableNames"]  # the CLI follows LastEvaluatedTableName itself
        t = aws("describe-table", "--table-name", name)["Table"]
        assert t["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
        assert t["TableStatus"] == "ACTIVE"

        assert aws("put-item", "--table-name", name, "--item", json.dumps(ITEM)) == {}
        got = aws("get-item", "--table-name", name, "--key", json.dumps({"pk": ITEM["pk"]}), "--consistent-read")
        want = dict(ITEM, n={"N": "1.5"})
        assert sortsets(got["Item"]) == sortsets(want)

        old = aws("delete-item", "--table-name", name, "--key", json.dumps({"pk": ITEM["pk"]}),
                  "--return-values", "ALL_OLD")
        assert sortsets(old["Attributes"]) == sortsets(want)
        assert aws("get-item", "--table-name", name, "--key", json.dumps({"pk": ITEM["pk"]}), "--consistent-read") == {}

        d = aws("delete-table", "--table-name", name)["TableDescription"]
        assert d["TableStatus"] == "DELETING"
        du.wait_gone(ddb, name)
    finally:
        du.delete_table_quietly(ddb, name)


def test_cli_shows_service_error(aws):
    name = du.unique_name("missing")
    r = aws("describe-table", "--table-name", name, check=False)
    assert r.returncode == 254
    assert ("An error occurred (ResourceNotFoundException) when calling the DescribeTable operation: "
            f"Requested resource not found: Table: {name} not found") in r.stderr


def test_cli_validation_error(aws, make_table):
    name = make_table()
    r = aws("get-item", "--table-name", name, "--key", json.dumps({"nope": {"S": "x"}}), check=False)
    assert r.returncode == 254
    assert ("An error occurred (ValidationException) when calling the GetItem operation: "
            "The provided key element does not match the schema") in r.stderr


def test_cli_execute_statement(aws, make_table):
    name = make_table(**du.key_schema("pk", "S"))
    insert = f"INSERT INTO \"{name}\" VALUE {{'pk': 'cli', 'n': 1.50, 'b': ?, 'l': [1, 'x']}}"
    params = json.dumps([{"B": "AAH+/w=="}])
    assert aws("execute-statement", "--statement", insert, "--parameters", params) == {"Items": []}
    got = aws("execute-statement", "--statement", f"SELECT * FROM \"{name}\" WHERE pk = ?",
              "--parameters", json.dumps([{"S": "cli"}]), "--consistent-read")
    assert got == {"Items": [{"pk": {"S": "cli"}, "n": {"N": "1.5"}, "b": {"B": "AAH+/w=="},
                              "l": {"L": [{"N": "1"}, {"S": "x"}]}}]}
    r = aws("execute-statement", "--statement", insert, "--parameters", params, check=False)
    assert r.returncode == 254
    assert ("An error occurred (DuplicateItemException) when calling the ExecuteStatement operation: "
            "Duplicate primary key exists in table") in r.stderr
