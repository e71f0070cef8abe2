"""JS SDK v3 DynamoDB Streams smoke: runs compat-tests/js/streams.mjs (installing its npm packages if
needed) against the session's endpoint and checks the records it printed. The expected content follows
the Developer Guide (INSERT then MODIFY, NEW_AND_OLD_IMAGES carrying whole items) and SizeBytes as the
item size of Keys plus the images (see test_streams_records.py)."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import dynarock_util as du
import streams_util as su

JS = Path(__file__).resolve().parent / "js"


@pytest.fixture(scope="module")
def node():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("node and npm are needed for the JS SDK streams test", pytrace=False)
    if not (JS / "node_modules" / "@aws-sdk" / "client-dynamodb-streams").exists():
        cmd = [npm, "ci"] if (JS / "package-lock.json").exists() else [npm, "install"]
        r = subprocess.run(cmd + ["--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stdout + r.stderr
    return node


def test_js_sdk_streams(node, endpoint, region):
    env = dict(os.environ, DYNAROCK_ENDPOINT_URL=endpoint, DYNAROCK_STREAMS_ENDPOINT_URL=su.streams_endpoint(endpoint),
               AWS_REGION=region)
    if not du.is_real_aws():
        env.update(AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy")
        for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(k, None)
    r = subprocess.run([node, "streams.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = [x for x in r.stdout.splitlines() if x.startswith("js-streams: ")]
    assert len(lines) == 1, r.stdout
    out = json.loads(lines[0][len("js-streams: "):])
    assert out["streamArn"] == out["latestStreamArn"]
    assert su.SHARD_ID.fullmatch(out["shardId"])
    key = {"pk": {"S": "js"}}
    first = dict(key, n={"N": "1"}, s={"S": "one"})
    second = dict(key, n={"N": "2"})
    common = {"eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": region,
              "StreamViewType": "NEW_AND_OLD_IMAGES", "Keys": key}
    recs = out["records"]
    for rec in recs:
        assert re.fullmatch(r"[0-9]{21,40}", rec.pop("SequenceNumber"))
    assert recs == [
        dict(common, eventName="INSERT", OldImage=None, NewImage=first,
             SizeBytes=du.item_size(key) + du.item_size(first)),
        dict(common, eventName="MODIFY", OldImage=first, NewImage=second,
             SizeBytes=du.item_size(key) + du.item_size(first) + du.item_size(second)),
    ]
