"""The built-in web console (issue 20) in a real browser: headless Debian chromium driven by playwright-core
(compat-tests/js/console_page.mjs) through labels, buttons and the keyboard, against a real server; what the
page showed is asserted here, and what it wrote is read back with boto3.

Covered: a table created with a GSI and a stream; items added (a server-side validation error and a
conditional-create failure shown inline with the server's message), edited in the plain JSON view and
deleted; 250 items imported from a file and paged 100 at a time (each page exported to a file; the grid
keeps only the rows in view in the DOM); a Query with a key condition and a filter, also as typed
expressions; a PartiQL statement with a parameter; a stream record appearing after a boto3 write, with
its diff; the server page from /metrics; --auth enforce with the user's key (SigV4 in the browser). No
uncaught page error, no request to any host but the server. The screenshots in docs/img/ come from this
test (CONSOLE_SHOTS=docs/img).

dynarock-only: the console is dynarock's own.
"""
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

JS = Path(__file__).resolve().parent / "js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def node():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the browser console test", pytrace=False)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (scripts/install-deps.sh --test installs Debian's chromium)",
                    pytrace=False)
    if not (JS / "node_modules" / "playwright-core").exists():
        r = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True,
                           timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    return node


def client(url):
    return boto3.client("dynamodb", endpoint_url=url, region_name=du.REGION, aws_access_key_id="dummy",
                        aws_secret_access_key="dummy", config=Config(retries={"max_attempts": 1}))


def test_console_in_chromium(node, server_factory, tmp_path):
    srv = server_factory(["--in-memory", "--threads", "1", "--trigger", "console_t=true"])
    creds = tmp_path / "credentials"
    creds.write_text("AKIDCONSOLE s3cr3t/console+key\n")
    auth = server_factory(["--in-memory", "--threads", "1", "--auth", "enforce", "--credentials", str(creds)])
    ddb = client(srv.url)
    table, pages = "console_t", "console_pages"
    ddb.create_table(TableName=pages, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])
    big = "console_big"
    ddb.create_table(TableName=big, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for i in range(0, 10000, 25):
        ddb.batch_write_item(RequestItems={big: [{"PutRequest": {"Item": {"pk": {"S": f"k{j:05d}"}, "n": {"N": str(j)}}}}
                                                 for j in range(i, i + 25)]})
    shots = os.environ.get("CONSOLE_SHOTS", "")
    env = dict(os.environ, BASE=srv.url, AUTH_BASE=auth.url, TABLE=table, PAGES=pages, BIG=big, AKID="AKIDCONSOLE",
               SECRET="s3cr3t/console+key", SHOTS=str(Path(shots).resolve()) if shots else "", CHROMIUM=CHROMIUM)
    started = time.monotonic()
    p = subprocess.Popen([node, "console_page.mjs"], cwd=JS, env=env, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        for line in p.stdout:
            lines.append(line)
            if line.strip() == '{"event":"write"}':
                ddb.put_item(TableName=table, Item={"pk": {"S": "boto"}, "sk": {"S": "3"}, "v": {"S": "from boto3"}})
                ddb.update_item(TableName=table, Key={"pk": {"S": "boto"}, "sk": {"S": "3"}},
                                UpdateExpression="SET v = :v, w = :w",
                                ExpressionAttributeValues={":v": {"S": "changed"}, ":w": {"N": "7"}})
                p.stdin.write("written\n")
                p.stdin.flush()
        p.wait(timeout=90)
    finally:
        if p.poll() is None:
            p.kill()
    err = p.stderr.read()
    assert p.returncode == 0, "".join(lines) + err
    out = json.loads(lines[-1])
    elapsed = time.monotonic() - started
    print(f"console browser test: {elapsed:.1f}s, first contentful paint {out['fcp']:.0f} ms (reloads {out['fcpReloads']} ms), laps {out['timings']}")

    assert out["pageErrors"] == []
    assert out["foreign"] == []
    # first paint: a cold browser's first page, and a reload (docs/console.md has the figures)
    assert out["fcp"] is not None and out["fcp"] < 3000, out["fcp"]  # a cold browser: 230-850 ms measured, load-bound
    # The target is 200 ms, met on a quiet machine (best of five reloads ~130 ms); with two cores
    # shared by builds and other suites, Chromium's own first paint of a plain-text page takes 200-400 ms,
    # so the bound here leaves that noise room and still catches a page that got heavy.
    assert min(out["fcpReloads"]) < 400, out["fcpReloads"]
    assert out["noTables"] == "2 tables"  # the PAGES and BIG tables made by boto3

    # the table as created through the form
    assert out["createdHash"] == f"#/table/{table}"
    t = ddb.describe_table(TableName=table)["Table"]
    assert t["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    assert sorted((d["AttributeName"], d["AttributeType"]) for d in t["AttributeDefinitions"]) == [
        ("cat", "S"), ("n", "N"), ("pk", "S"), ("sk", "S")]
    assert [(g["IndexName"], g["KeySchema"], g["Projection"]) for g in t["GlobalSecondaryIndexes"]] == [
        ("byCat", [{"AttributeName": "cat", "KeyType": "HASH"}], {"ProjectionType": "ALL"})]
    assert [(i["IndexName"], i["KeySchema"], i["Projection"]) for i in t["LocalSecondaryIndexes"]] == [
        ("byN", [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}],
         {"ProjectionType": "KEYS_ONLY"})]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert t["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    # the server's messages, inline
    assert out["validationError"] == ("ValidationException: One or more parameter values were invalid: "
                                      "Missing the key sk in the item")
    assert out["conditionalError"] == ("ConditionalCheckFailedException: The conditional request failed "
                                       "(an item with this key exists already)")
    assert out["afterAdd"].startswith("Scan page 1: Count 3 · ScannedCount 3 · consumed "), out["afterAdd"]
    assert out["columns"][:3] == ["#", "pk", "sk"] and sorted(out["columns"][3:]) == ["cat", "n"]  # keys first

    # edited in the plain JSON view, one item deleted
    first = out["plainView"]
    assert first["pk"] == "a" and set(first) <= {"pk", "sk", "cat", "n"}, first
    got = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    by_key = {(i["pk"]["S"], i["sk"]["S"]): i for i in got}
    deleted = (out["deleted"]["pk"]["S"], out["deleted"]["sk"]["S"])
    assert deleted not in by_key and deleted != (first["pk"], first["sk"])
    edited = by_key[(first["pk"], first["sk"])]
    assert edited["n"] == {"N": "6"} and edited["note"] == {"S": "edited in the console"}, edited
    assert out["duplicateSame"] is True
    dup = out["duplicated"]
    assert by_key[(dup["pk"]["S"], "copy")] == dup
    assert len(got) == 4  # three made, one deleted, one duplicated, plus boto3's
    # the GSI: the items with cat = x (the first one, edited, and the third; the duplicate has the cat of its source)
    want_x = sum(1 for i in got if i.get("cat") == {"S": "x"})
    assert re.match(rf"Query page 1: Count {want_x} · ScannedCount {want_x} · consumed ", out["gsiStats"]), out["gsiStats"]
    assert out["gsiColumns"][:4] == ["#", "pk", "sk", "cat"]  # table keys, then the index's
    rows = {r[0]: r for r in out["indexRows"]}
    assert rows["byCat"][1:5] == ["GSI", "cat (partition)", "ALL", "ACTIVE"], rows
    assert rows["byCat"][5] == str(want_x) and rows["byN"][1:4] == ["LSI", "pk (partition), n (sort)", "KEYS_ONLY"], rows
    assert rows["byN"][5] == str(sum(1 for i in got if "n" in i))
    assert out["tableRow"][0] == "ACTIVE" and out["tableRow"][1] == "pk (partition), sk (sort)", out["tableRow"]

    # 250 imported, paged 100 / 100 / 50, each page exported
    assert out["importProgress"] == [250, 250]
    assert ddb.describe_table(TableName=pages)["Table"]["ItemCount"] == 250
    counts = [re.search(r"Count (\d+) · ScannedCount (\d+)", pg["stats"]).groups() for pg in out["pages"]]
    assert counts == [("100", "100"), ("100", "100"), ("50", "50")], counts
    assert [pg["file"] for pg in out["pages"]] == [f"{pages}-page{i}.json" for i in (1, 2, 3)]
    keys = [k for pg in out["pages"] for k in pg["keys"]]
    assert len(keys) == 250 and len(set(keys)) == 250
    assert set(keys) == {f"p{i % 5}/{i // 5}" for i in range(250)}
    assert [pg["nextDisabled"] for pg in out["pages"]] == [False, False, True]
    assert all(0 < pg["domRows"] < 60 for pg in out["pages"]), [pg["domRows"] for pg in out["pages"]]
    # Export all: every page of the Scan in one file, items as DynamoDB JSON
    assert out["exportAll"] == {"file": f"{pages}.json", "count": 250, "distinct": 250,
                                "sample": {"pk": {"S": "p3"}, "sk": {"N": "7"}, "n": {"N": "1"}, "tag": {"S": "item 38"}}}
    scanned = [pg["stats"].endswith("more pages") for pg in out["pages"]]
    assert scanned == [True, True, False]

    # Query p1, sk >= 10 (40 items), filter n = 0: sk 12, 15, ..., 48
    assert re.match(r"Query page 1: Count 13 · ScannedCount 40 · consumed [0-9.]+ RCU$", out["queryStats"]), out["queryStats"]
    assert out["typed"] == {"kce": "#n0 = :v0 AND #n1 >= :v1", "fe": "#n2 = :v2"}
    assert out["typedError"].startswith("ValidationException: Invalid FilterExpression: "), out["typedError"]

    # PartiQL
    assert out["partiqlStats"].startswith("Page 1: 3 items"), out["partiqlStats"]
    assert [r[1:3] for r in out["partiqlRows"]] == [["p2", "0"], ["p2", "1"], ["p2", "2"]]
    assert out["partiqlHistory"][0] == f'SELECT * FROM "{pages}" WHERE pk = ? AND sk < 3'
    assert out["partiqlError"].startswith("ValidationException: Statement wasn't well formed"), out["partiqlError"]

    # the stream: boto3's put and update, with their diffs
    assert out["insertDiff"] == [["added", "pk", "", "boto"], ["added", "sk", "", "3"], ["added", "v", "", "from boto3"]]
    assert sorted(out["modifyDiff"]) == sorted([["same", "pk", "boto", "boto"], ["same", "sk", "3", "3"],
                                                ["changed", "v", "from boto3", "changed"], ["added", "w", "", "7"]])
    # --trigger console_t=true: the mapping made once the console created the table with its stream
    assert len(out["mappings"]) == 1, out["mappings"]
    fn, state, batch, start = out["mappings"][0][:4]
    assert fn == "arn:aws:lambda:us-east-1:000000000000:function:console_t-trigger", fn
    assert (state, batch, start) == ("Enabled", "100", "TRIM_HORIZON"), out["mappings"]

    # PartiQL's NextToken paging: 3 items 2 at a time
    assert out["partiqlPage2"].startswith("Page 2: 1 item"), out["partiqlPage2"]
    assert out["partiqlPage2Rows"] == 1

    # 10,000 items: a few dozen rows in the DOM wherever the grid is scrolled; End reaches the last
    big_ = out["big"]
    print(f"10,000-row grid: frame median {big_['median']:.1f} ms, p95 {big_['p95']:.1f} ms, {big_['rows']} rows in the DOM")
    assert 0 < big_["rows"] < 60 and 0 < out["bigRowsAtEnd"] < 60, out
    assert out["bigLast"] == "10000" and out["bigActiveVisible"]
    assert big_["median"] < 100, big_  # ~16 ms (one frame) when the machine is quiet

    # the server page
    assert out["server"]["Version"] == "0.1.0"
    assert re.fullmatch(r"\d+m \d+s", out["server"]["Uptime"]), out["server"]
    assert out["server"]["threads"] == "1" and out["server"]["auth"] == "off"
    assert out["server"]["console path"] == "/console"
    assert {"PutItem", "Scan", "Query", "BatchWriteItem", "ExecuteStatement", "GetRecords"} <= set(out["serverOps"])

    # --auth enforce: the server's errors, then signed calls
    assert out["authUnsigned"] == "MissingAuthenticationTokenException: Request is missing Authentication Token"
    assert out["authBad"].startswith("InvalidSignatureException: The request signature we calculated does not match"), out["authBad"]
    assert out["authSigned"] == "No tables yet: create one."
    assert out["authButton"] == "Signed as AKIDCONSOLE"
    assert out["sessionStorage"] == ["dynarock.console.credentials"]
    assert out["localStorageHasCreds"] is False
