"""Seeding at start (--seed, --seed-mode, DYNAROCK_SEED) and the offline `dynarock export` / `dynarock import`
commands on a stopped data directory (issue 18). dynarock-only: these are flags and commands of the server."""
import base64
import json
import subprocess

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]


def client(srv):
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))


def run(args, **kw):
    return subprocess.run([str(du.binary_path())] + args, capture_output=True, text=True, timeout=60, **kw)


MUSIC = {
    "TableName": "Music",
    "KeySchema": [{"AttributeName": "Artist", "KeyType": "HASH"}, {"AttributeName": "Song", "KeyType": "RANGE"}],
    "AttributeDefinitions": [{"AttributeName": "Artist", "AttributeType": "S"},
                             {"AttributeName": "Song", "AttributeType": "S"},
                             {"AttributeName": "Year", "AttributeType": "N"}],
    "BillingMode": "PAY_PER_REQUEST",
    "GlobalSecondaryIndexes": [{"IndexName": "ByYear", "KeySchema": [{"AttributeName": "Year", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}}],
}
SONGS = [
    {"Artist": {"S": "Acme"}, "Song": {"S": "One"}, "Year": {"N": "1999"}, "Tags": {"SS": ["rock", "live"]}},
    {"Artist": {"S": "Acme"}, "Song": {"S": "Two"}, "Year": {"N": "2001"}, "Cover": {"B": base64.b64encode(b"\x00\xff").decode()}},
    {"Artist": {"S": "Zed"}, "Song": {"S": "Three"}, "Year": {"N": "1999"}, "Meta": {"M": {"e": {"S": ""}, "n": {"NULL": True}}}},
]


def seed_file(tmp_path, extra_tables=()):
    (tmp_path / "csvdata").mkdir(exist_ok=True)
    (tmp_path / "csvdata" / "users.csv").write_text("id,name,age\n1,ann,33\n2,bob,\n")
    seed = {"Tables": [dict(MUSIC, Items=SONGS),
                       {"TableName": "Users", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "N"}],
                        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                        "ItemsFrom": "csvdata", "InputFormat": "CSV"}] + list(extra_tables)}
    p = tmp_path / "stack.json"
    p.write_text(json.dumps(seed))
    return p


def sorted_items(c, table):
    return sorted(c.scan(TableName=table)["Items"], key=lambda it: json.dumps(it, sort_keys=True, default=str))


def test_seed_at_start_and_modes(tmp_path):
    data = tmp_path / "data"
    seed = seed_file(tmp_path)
    srv = du.Server(["--data-dir", str(data), "--seed", str(seed)], tmp_path / "s1.log").start()
    try:
        c = client(srv)
        assert sorted(c.list_tables()["TableNames"]) == ["Music", "Users"]
        t = c.describe_table(TableName="Music")["Table"]
        assert t["ItemCount"] == 3 and t["TableStatus"] == "ACTIVE"
        assert t["GlobalSecondaryIndexes"][0]["IndexName"] == "ByYear"
        got = c.get_item(TableName="Music", Key={"Artist": {"S": "Acme"}, "Song": {"S": "Two"}})["Item"]
        assert got == {"Artist": {"S": "Acme"}, "Song": {"S": "Two"}, "Year": {"N": "2001"}, "Cover": {"B": b"\x00\xff"}}
        q = c.query(TableName="Music", IndexName="ByYear", KeyConditionExpression="#y = :y",
                    ExpressionAttributeNames={"#y": "Year"}, ExpressionAttributeValues={":y": {"N": "1999"}})
        assert sorted(it["Song"]["S"] for it in q["Items"]) == ["One", "Three"]
        assert sorted_items(c, "Users") == sorted_items_of([
            {"id": {"N": "1"}, "name": {"S": "ann"}, "age": {"S": "33"}}, {"id": {"N": "2"}, "name": {"S": "bob"}}])
        c.put_item(TableName="Music", Item={"Artist": {"S": "Local"}, "Song": {"S": "Change"}})
    finally:
        assert srv.stop() == 0
    # skip (the default): a restart keeps what the stack changed
    srv = du.Server(["--data-dir", str(data), "--seed", str(seed)], tmp_path / "s2.log").start()
    try:
        assert client(srv).describe_table(TableName="Music")["Table"]["ItemCount"] == 4
    finally:
        srv.stop()
    assert "seed: table Music exists: skipped (--seed-mode skip)" in (tmp_path / "s2.log").read_text()
    # replace: the seed's data again (through the environment variables)
    srv = du.Server(["--data-dir", str(data)], tmp_path / "s3.log",
                    env={"DYNAROCK_SEED": str(seed), "DYNAROCK_SEED_MODE": "replace"}).start()
    try:
        assert client(srv).describe_table(TableName="Music")["Table"]["ItemCount"] == 3
    finally:
        srv.stop()
    # fail: the start stops, naming the table
    r = run(["--port", "0", "--data-dir", str(data), "--seed", str(seed), "--seed-mode", "fail"])
    assert r.returncode == 1
    assert f"dynarock: seed: {seed}: table Music already exists (--seed-mode fail)" in r.stderr


def sorted_items_of(items):
    return sorted(items, key=lambda it: json.dumps(it, sort_keys=True, default=str))


def test_bad_seed_stops_the_start_and_leaves_nothing(tmp_path):
    data = tmp_path / "data"
    bad_item = dict(MUSIC, TableName="Broken", Items=[{"Artist": {"S": "x"}}])  # no sort key
    seed = seed_file(tmp_path, extra_tables=[bad_item])
    r = run(["--port", "0", "--data-dir", str(data), "--seed", str(seed)])
    assert r.returncode == 1
    assert ("table Broken, item 0: One or more parameter values were invalid: Missing the key Song in the item"
            in r.stderr), r.stderr
    (tmp_path / "bad.json").write_text('{"Tables": [{"TableName": "x"}]}')
    r = run(["--port", "0", "--data-dir", str(tmp_path / "d2"), "--seed", str(tmp_path / "bad.json")])
    assert r.returncode == 1 and "table x: " in r.stderr
    (tmp_path / "notjson.json").write_text("[1,2")
    r = run(["--port", "0", "--data-dir", str(tmp_path / "d3"), "--seed", str(tmp_path / "notjson.json")])
    assert r.returncode == 1 and "not a seed file" in r.stderr
    # the tables loaded before the bad one stay; the bad one is gone
    srv = du.Server(["--data-dir", str(data)], tmp_path / "s.log").start()
    try:
        assert sorted(client(srv).list_tables()["TableNames"]) == ["Music", "Users"]
    finally:
        srv.stop()


def test_offline_export_and_import(tmp_path):
    src = tmp_path / "src"
    srv = du.Server(["--data-dir", str(src), "--seed", str(seed_file(tmp_path))], tmp_path / "s.log").start()
    try:
        c = client(srv)
        for i in range(200):
            c.put_item(TableName="Music", Item={"Artist": {"S": f"a{i}"}, "Song": {"S": "s"}, "Year": {"N": str(i)}})
        before = sorted_items(c, "Music")
        # a running server holds the data directory: the offline command says so
        r = run(["export", "--data-dir", str(src), "--table", "Music", "--to", str(tmp_path / "out")])
        assert r.returncode == 1 and "cannot open the database" in r.stderr
    finally:
        srv.stop()
    out = tmp_path / "out"
    for fmt in ("dynamodb_json", "ion"):
        r = run(["export", "--data-dir", str(src), "--table", "Music", "--to", str(out / fmt), "--format", fmt])
        assert r.returncode == 0, r.stderr
        assert "exported 203 items of Music to" in r.stdout
        seedj = json.loads((out / fmt / "Music.seed.json").read_text())
        t = seedj["Tables"][0]
        assert t["TableName"] == "Music" and t["KeySchema"] == MUSIC["KeySchema"]
        assert t["GlobalSecondaryIndexes"][0]["IndexName"] == "ByYear"
        assert t["InputFormat"] == fmt.upper() and t["InputCompressionType"] == "GZIP"
        assert (out / fmt / t["ItemsFrom"] / "manifest-summary.json").exists()
        dst = tmp_path / f"dst-{fmt}"
        r = run(["import", "--data-dir", str(dst), "--from", str(out / fmt)])
        assert r.returncode == 0, r.stderr
        r = run(["import", "--data-dir", str(dst), "--from", str(out / fmt), "--seed-mode", "fail"])
        assert r.returncode == 1 and "table Music already exists" in r.stderr
        srv = du.Server(["--data-dir", str(dst)], tmp_path / f"d-{fmt}.log").start()
        try:
            c = client(srv)
            assert sorted_items(c, "Music") == before
            assert c.describe_table(TableName="Music")["Table"]["ItemCount"] == 203
        finally:
            srv.stop()
    r = run(["export", "--data-dir", str(src), "--table", "Nope", "--to", str(out / "x")])
    assert r.returncode == 1 and "no table Nope in the data directory" in r.stderr
    r = run(["import", "--data-dir", str(src)])
    assert r.returncode == 2 and "usage: dynarock export" in r.stderr
