"""ExportTableToPointInTime, DescribeExport, ListExports, ImportTable, DescribeImport, ListImports
(issue 18), with a local folder standing in for S3 (--s3-dir DIR: bucket B, prefix P = DIR/B/P).

The files are checked as AWS writes them (the layout of "DynamoDB table export output format": _started,
data/*.json.gz or *.ion.gz, manifest-files.json with md5Checksum and etag, manifest-summary.json, the
.md5 files), and imports read hand-made AWS-layout exports, CSV and compressed objects. These tests need
the server's S3 folder on this machine, so they start their own dynarock (needs_process).
"""
import base64
import gzip
import hashlib
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import dynarock_util as du

pytestmark = pytest.mark.needs_process

BUCKET = "test-bucket"


@pytest.fixture(scope="module")
def s3dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("s3")
    (d / BUCKET).mkdir()
    return d


@pytest.fixture(scope="module")
def srv(tmp_path_factory, s3dir):
    d = tmp_path_factory.mktemp("export-srv")
    s = du.Server(["--in-memory", "--s3-dir", str(s3dir)], d / "server.log").start()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def c(srv):
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="x",
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))


@pytest.fixture(scope="module")
def raw(srv):
    return du.RawClient(srv.url, "us-east-1", du.static_credentials())


def err(e):
    return e.value.response["Error"]["Code"], e.value.response["Error"]["Message"]


def new_name(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_table(c, name=None, sort=False, gsi=False):
    name = name or new_name()
    ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
    ad = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort:
        ks.append({"AttributeName": "sk", "KeyType": "RANGE"})
        ad.append({"AttributeName": "sk", "AttributeType": "N"})
    kw = {}
    if gsi:
        ad.append({"AttributeName": "g", "AttributeType": "S"})
        kw["GlobalSecondaryIndexes"] = [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                         "Projection": {"ProjectionType": "ALL"}}]
    c.create_table(TableName=name, KeySchema=ks, AttributeDefinitions=ad, BillingMode="PAY_PER_REQUEST", **kw)
    pitr_on(c, name)
    return name


def pitr_on(c, name):
    """AWS exports only tables with point-in-time recovery on."""
    c.update_continuous_backups(TableName=name,
                                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})


def table_arn(c, name):
    return c.describe_table(TableName=name)["Table"]["TableArn"]


def wait_export(c, arn):
    for _ in range(300):
        d = c.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            return d
        time.sleep(0.02)
    raise AssertionError("export did not finish")


def wait_import(c, arn):
    for _ in range(300):
        d = c.describe_import(ImportArn=arn)["ImportTableDescription"]
        if d["ImportStatus"] != "IN_PROGRESS":
            return d
        time.sleep(0.02)
    raise AssertionError("import did not finish")


def b64md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def canon(items):
    """Items in wire form, sets sorted (a set's order is not part of its value), sorted by key."""
    def fix(v):
        (t, x), = v.items()
        if t in ("SS", "NS", "BS"):
            return {t: sorted(x)}
        if t == "M":
            return {"M": {k: fix(y) for k, y in x.items()}}
        if t == "L":
            return {"L": [fix(y) for y in x]}
        return {t: x}
    out = [{k: fix(v) for k, v in it.items()} for it in items]
    return sorted(out, key=lambda it: json.dumps({k: it[k] for k in ("pk", "sk") if k in it}, sort_keys=True,
                                                 default=lambda b: base64.b64encode(b).decode()))


def scan_all(c, name):
    items, kw = [], {}
    while True:
        r = c.scan(TableName=name, **kw)
        items += r["Items"]
        if "LastEvaluatedKey" not in r:
            return items
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]


EVERY_BYTE = bytes(range(256))
ITEMS = [
    {"pk": {"S": "every-type"}, "sk": {"N": "1"},
     "s": {"S": "h\u00e9llo \"quoted\" \\ \n\t \u2603 \U0001F600"},
     "n38": {"N": "12345678901234567890123456789012345678"},
     "nsmall": {"N": "-0.000000000000000000000000000000000000000001"},
     "nbig": {"N": "9.9999999999999999999999999999999999999E+125"},
     "b": {"B": EVERY_BYTE},
     "t": {"BOOL": True}, "f": {"BOOL": False}, "z": {"NULL": True},
     "l": {"L": [{"S": "x"}, {"N": "600"}, {"L": []}, {"M": {}}, {"NULL": True}]},
     "m": {"M": {"empty": {"S": ""}, "eb": {"B": b""}, "deep": {"M": {"a": {"L": [{"M": {"b": {"SS": ["q"]}}}]}}},
                 "odd name 'x'": {"N": "1.5"}, "true": {"BOOL": True}}},
     "ss": {"SS": ["a", "b", ""[:0] + "c"]}, "ns": {"NS": ["1", "2.5", "600", "-3"]},
     "bs": {"BS": [b"\x00", b"\xff", EVERY_BYTE]}},
    {"pk": {"S": "plain"}, "sk": {"N": "2"}, "v": {"S": "x" * 1000}},
    {"pk": {"S": "\u00fcnicode-key"}, "sk": {"N": "-5.25"}},
]


def filled_table(c, n_extra=0):
    name = make_table(c, sort=True)  # PITR on when the server has the API
    for it in ITEMS:
        c.put_item(TableName=name, Item=it)
    for i in range(n_extra):
        c.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "sk": {"N": str(i)}, "d": {"S": "v" * 50}})
    return name


def export_dir(s3dir, desc):
    return Path(s3dir) / desc["S3Bucket"] / desc["ExportManifest"].rsplit("/", 1)[0]


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_export_layout_and_round_trip(c, s3dir, fmt):
    name = filled_table(c, n_extra=20)
    arn = table_arn(c, name)
    r = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, S3Prefix="exports/one", ExportFormat=fmt)
    d0 = r["ExportDescription"]
    assert d0["ExportStatus"] in ("IN_PROGRESS", "COMPLETED")
    assert d0["TableArn"] == arn and d0["S3Bucket"] == BUCKET and d0["S3Prefix"] == "exports/one"
    assert d0["ExportFormat"] == fmt and d0["ClientToken"]
    assert d0["ExportArn"].startswith(arn + "/export/")
    assert "ExportType" not in d0  # AWS answers ExportType only when the request gave it
    d = wait_export(c, d0["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED"
    assert d["ItemCount"] == len(ITEMS) + 20
    assert d["BilledSizeBytes"] == c.describe_table(TableName=name)["Table"]["TableSizeBytes"]
    export_id = d["ExportArn"].rsplit("/", 1)[1]
    assert d["ExportManifest"] == f"exports/one/AWSDynamoDB/{export_id}/manifest-summary.json"

    root = export_dir(s3dir, d)
    assert sorted(p.name for p in root.iterdir()) == ["_started", "data", "manifest-files.json", "manifest-files.md5",
                                                      "manifest-summary.json", "manifest-summary.md5"]
    assert (root / "_started").read_bytes() == b""
    for m in ("manifest-files", "manifest-summary"):
        assert (root / f"{m}.md5").read_text() == b64md5((root / f"{m}.json").read_bytes())
    summary = json.loads((root / "manifest-summary.json").read_text())
    assert list(summary) == ["version", "exportArn", "startTime", "endTime", "tableArn", "tableId", "exportTime",
                             "s3Bucket", "s3Prefix", "s3SseAlgorithm", "s3SseKmsKeyId", "manifestFilesS3Key",
                             "billedSizeBytes", "itemCount", "outputFormat", "exportType"]
    assert summary["version"] == "2020-06-30"
    assert summary["exportArn"] == d["ExportArn"] and summary["tableArn"] == arn
    assert summary["tableId"] == d["TableId"]
    assert summary["s3Bucket"] == BUCKET and summary["s3Prefix"] == "exports/one"
    assert summary["s3SseAlgorithm"] is None and summary["s3SseKmsKeyId"] is None
    assert summary["manifestFilesS3Key"] == f"exports/one/AWSDynamoDB/{export_id}/manifest-files.json"
    assert summary["itemCount"] == d["ItemCount"] and summary["billedSizeBytes"] == d["BilledSizeBytes"]
    assert summary["outputFormat"] == fmt and summary["exportType"] == "FULL_EXPORT"
    assert summary["startTime"].endswith("Z") and summary["startTime"] <= summary["endTime"]

    total = 0
    lines = []
    for line in (root / "manifest-files.json").read_text().splitlines():
        e = json.loads(line)
        assert list(e) == ["itemCount", "md5Checksum", "etag", "dataFileS3Key"]
        key = e["dataFileS3Key"]
        assert key.startswith(f"exports/one/AWSDynamoDB/{export_id}/data/")
        assert key.endswith(".json.gz" if fmt == "DYNAMODB_JSON" else ".ion.gz")
        assert len(key.rsplit("/", 1)[1].split(".")[0]) == 26
        data = (Path(s3dir) / BUCKET / key).read_bytes()
        assert e["md5Checksum"] == b64md5(data)
        assert e["etag"] == hashlib.md5(hashlib.md5(data).digest()).hexdigest() + "-1"
        text = gzip.decompress(data).decode()
        got = text.splitlines()
        assert e["itemCount"] == len(got)
        total += len(got)
        lines += got
    assert total == d["ItemCount"]

    if fmt == "DYNAMODB_JSON":
        # each line is {"Item": <the item in DynamoDB JSON>}: what GetItem answers on the wire
        wire = {}
        for it in scan_all(raw_json_client(c), name):
            wire[(it["pk"]["S"], it["sk"]["N"])] = it
        for line in lines:
            obj = json.loads(line)
            assert list(obj) == ["Item"]
            assert obj["Item"] == wire[(obj["Item"]["pk"]["S"], obj["Item"]["sk"]["N"])]
    else:
        for line in lines:
            assert line.startswith("$ion_1_0 {Item:{")
        every = next(line for line in lines if "every-type" in line)
        assert "ns:$dynamodb_NS::[" in every and "6d2" in every and "n38:12345678901234567890123456789012345678." in every
        assert "bs:$dynamodb_BS::[{{AA==}}" in every and "'odd name \\'x\\''" in every

    # import it back into a new table: byte-exact items
    target = new_name("imp")
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": f"exports/one/AWSDynamoDB/{export_id}/"},
                       InputFormat=fmt, InputCompressionType="GZIP",
                       TableCreationParameters={"TableName": target,
                                                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                              {"AttributeName": "sk", "KeyType": "RANGE"}],
                                                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                                                         {"AttributeName": "sk", "AttributeType": "N"}],
                                                "BillingMode": "PAY_PER_REQUEST"})
    imp = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert imp["ImportStatus"] == "COMPLETED", imp
    assert imp["ProcessedItemCount"] == d["ItemCount"] and imp["ImportedItemCount"] == d["ItemCount"]
    assert imp["ErrorCount"] == 0
    assert imp["ProcessedSizeBytes"] == sum((Path(s3dir) / BUCKET / json.loads(l)["dataFileS3Key"]).stat().st_size
                                            for l in (root / "manifest-files.json").read_text().splitlines())
    assert canon(scan_all(c, target)) == canon(scan_all(c, name))
    t = c.describe_table(TableName=target)["Table"]
    assert t["TableStatus"] == "ACTIVE" and t["ItemCount"] == d["ItemCount"]
    assert t["TableSizeBytes"] == d["BilledSizeBytes"]


def raw_json_client(c):
    """The same client answering binaries as base64 text, as the wire has them (for byte-exact checks)."""
    import botocore.session
    s = botocore.session.get_session()
    cl = s.create_client("dynamodb", endpoint_url=c.meta.endpoint_url, region_name="us-east-1",
                         aws_access_key_id="x", aws_secret_access_key="x")

    def to_b64(parsed, **kw):
        def walk(v):
            if isinstance(v, dict):
                return {k: (base64.b64encode(x).decode() if k == "B" else
                            [base64.b64encode(y).decode() for y in x] if k == "BS" else walk(x))
                        for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x) for x in v]
            return v
        if "Items" in parsed:
            parsed["Items"] = walk(parsed["Items"])
    cl.meta.events.register("after-call.dynamodb.Scan", lambda parsed, **kw: to_b64(parsed))
    return cl


def test_describe_and_list_exports(c):
    name = filled_table(c)
    arn = table_arn(c, name)
    token = str(uuid.uuid4())
    d1 = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ClientToken=token)["ExportDescription"]
    assert d1["ClientToken"] == token and "S3Prefix" not in d1
    d1 = wait_export(c, d1["ExportArn"])
    # the same request with the same token: the same export
    again = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ClientToken=token)["ExportDescription"]
    assert again["ExportArn"] == d1["ExportArn"] and again["ExportStatus"] == "COMPLETED"
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ClientToken=token, ExportFormat="ION")
    assert err(e) == ("ExportConflictException",
                      f"Duplicate request detected: ClientToken {token} was used with different parameters")
    d2 = wait_export(c, c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET)["ExportDescription"]["ExportArn"])
    assert d2["ExportArn"] != d1["ExportArn"] and d2["ClientToken"] != token
    assert d1["ExportManifest"] == f"AWSDynamoDB/{d1['ExportArn'].rsplit('/', 1)[1]}/manifest-summary.json"
    # newest first, by table; pages of MaxResults
    summaries = c.list_exports(TableArn=arn)["ExportSummaries"]
    assert [s["ExportArn"] for s in summaries] == [d2["ExportArn"], d1["ExportArn"]]
    assert all(s["ExportStatus"] == "COMPLETED" for s in summaries)
    p1 = c.list_exports(TableArn=arn, MaxResults=1)
    assert [s["ExportArn"] for s in p1["ExportSummaries"]] == [d2["ExportArn"]]
    p2 = c.list_exports(TableArn=arn, MaxResults=1, NextToken=p1["NextToken"])
    assert [s["ExportArn"] for s in p2["ExportSummaries"]] == [d1["ExportArn"]] and "NextToken" not in p2
    assert d1["ExportArn"] in [s["ExportArn"] for s in c.list_exports()["ExportSummaries"]]


def test_list_exports_export_type_on_the_wire(raw, c):
    name = make_table(c)
    r = raw.request(target="DynamoDB_20120810.ListExports", body=json.dumps({"TableArn": table_arn(c, name)}))
    assert r.status == 200 and r.json() == {"ExportSummaries": []}
    arn = c.export_table_to_point_in_time(TableArn=table_arn(c, name), S3Bucket=BUCKET)["ExportDescription"]["ExportArn"]
    wait_export(c, arn)
    r = raw.request(target="DynamoDB_20120810.ListExports", body=json.dumps({"TableArn": table_arn(c, name)}))
    assert r.json()["ExportSummaries"] == [{"ExportArn": arn, "ExportStatus": "COMPLETED", "ExportType": "FULL_EXPORT"}]
    # ExportType given: answered
    r = raw.request(target="DynamoDB_20120810.ExportTableToPointInTime",
                    body=json.dumps({"TableArn": table_arn(c, name), "S3Bucket": BUCKET, "ExportType": "FULL_EXPORT"}))
    assert r.status == 200 and r.json()["ExportDescription"]["ExportType"] == "FULL_EXPORT"
    wait_export(c, r.json()["ExportDescription"]["ExportArn"])


def test_export_errors(c, raw):
    name = make_table(c)
    arn = table_arn(c, name)
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn.replace(name, "no-such-table"), S3Bucket=BUCKET)
    assert err(e) == ("TableNotFoundException", "Table not found: no-such-table")
    cases = [
        ({"S3Bucket": "-bad"}, "1 validation error detected: Value '-bad' at 's3Bucket' failed to satisfy constraint: "
                               "Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"),
        ({"ExportFormat": "CSV"}, "1 validation error detected: Value 'CSV' at 'exportFormat' failed to satisfy "
                                  "constraint: Member must satisfy enum value set: [DYNAMODB_JSON, ION]"),
        ({"S3SseAlgorithm": "X", "S3BucketOwner": "1"},
         "2 validation errors detected: Value '1' at 's3BucketOwner' failed to satisfy constraint: Member must satisfy "
         "regular expression pattern: [0-9]{12}; Value 'X' at 's3SseAlgorithm' failed to satisfy constraint: Member "
         "must satisfy enum value set: [AES256, KMS]"),
        ({"ExportType": "PARTIAL"}, "1 validation error detected: Value 'PARTIAL' at 'exportType' failed to satisfy "
                                    "constraint: Member must satisfy enum value set: [FULL_EXPORT, INCREMENTAL_EXPORT]"),
    ]
    for extra, msg in cases:
        body = {"TableArn": arn, "S3Bucket": BUCKET}
        body.update(extra)
        r = raw.request(target="DynamoDB_20120810.ExportTableToPointInTime", body=json.dumps(body))
        assert (r.status, r.error_code, r.error_message) == (400, "ValidationException", msg)
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, S3Prefix="a/../../../etc")
    assert err(e) == ("ValidationException", "S3Prefix a/../../../etc has a '.' or '..' segment, which the folder "
                                             "standing in for S3 (--s3-dir) cannot hold")
    r = raw.request(target="DynamoDB_20120810.ExportTableToPointInTime", body=json.dumps({"S3Bucket": BUCKET}))
    assert r.error_message == ("1 validation error detected: Value null at 'tableArn' failed to satisfy constraint: "
                                 "Member must not be null")
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn="QWERTY", S3Bucket=BUCKET)
    assert err(e) == ("ValidationException", "Invalid TableArn: QWERTY")
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ExportTime=time.time() + 3600)
    assert err(e) == ("InvalidExportTimeException", "ExportTime cannot be in the future")
    # a bucket that does not exist: accepted, then FAILED (as AWS does)
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="no-such-bucket")["ExportDescription"]
    d = wait_export(c, d["ExportArn"])
    assert (d["ExportStatus"], d["FailureCode"], d["FailureMessage"]) == (
        "FAILED", "S3NoSuchBucket", "The specified bucket does not exist")
    assert [s["ExportStatus"] for s in c.list_exports(TableArn=arn)["ExportSummaries"]] == ["FAILED"]
    # DescribeExport
    with pytest.raises(ClientError) as e:
        c.describe_export(ExportArn=arn + "/notexport/01796424334555-02deb443")
    assert err(e) == ("ValidationException", f"Invalid Export ARN: {arn}/notexport/01796424334555-02deb443")
    with pytest.raises(ClientError) as e:
        c.describe_export(ExportArn=arn + "/export/01796424334555-02deb443")
    assert err(e) == ("ExportNotFoundException", f"Export not found: {arn}/export/01796424334555-02deb443")


def test_export_time_rules(c, raw):
    # without point-in-time recovery AWS exports nothing (an incremental export or an earlier time would
    # have no history to read)
    plain = new_name()
    c.create_table(TableName=plain, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    time.sleep(1.1)
    parn = table_arn(c, plain)
    for body in ({"TableArn": parn, "S3Bucket": BUCKET}, {"TableArn": parn, "S3Bucket": BUCKET, "ExportTime": time.time() - 3},
                 {"TableArn": parn, "S3Bucket": BUCKET, "ExportType": "INCREMENTAL_EXPORT",
                  "IncrementalExportSpecification": {"ExportFromTime": time.time() - 3600}}):
        r = raw.request(target="DynamoDB_20120810.ExportTableToPointInTime", body=json.dumps(body))
        assert (r.error_code, r.error_message) == ("PointInTimeRecoveryUnavailableException",
                                                   f"Point in time recovery is not enabled for table '{plain}'")
    name = make_table(c)
    pitr_on(c, name)
    arn = table_arn(c, name)
    with pytest.raises(ClientError) as e:
        c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ExportTime=1)
    assert err(e) == ("InvalidExportTimeException",
                      f"ExportTime is outside the point in time recovery window of table '{name}'")
    inc = {"TableArn": arn, "S3Bucket": BUCKET, "ExportType": "INCREMENTAL_EXPORT",
           "IncrementalExportSpecification": {"ExportFromTime": time.time() - 600, "ExportToTime": time.time()}}
    r = raw.request(target="DynamoDB_20120810.ExportTableToPointInTime", body=json.dumps(inc))
    assert (r.error_code, r.error_message) == ("InvalidExportTimeException",
                                               "Difference between export period from time and to time must be at "
                                               "least 15 minutes and at most 24 hours")
    inc["IncrementalExportSpecification"]["ExportFromTime"] = time.time() - 3600
    r = raw.request(target="DynamoDB_20120810.ExportTableToPointInTime", body=json.dumps(inc))
    assert (r.error_code, r.error_message) == ("InvalidExportTimeException",
                                               f"ExportFromTime is outside the point in time recovery window of "
                                               f"table '{name}'")


def write_gz(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = gzip.compress(text.encode())
    path.write_bytes(data)
    return data


def hand_made_export(s3dir, prefix, items_lines, fmt="DYNAMODB_JSON", corrupt_md5=False, count_delta=0):
    """An export folder laid out as AWS writes one (two data files, one empty)."""
    eid = "01700000000000-abcdef01"
    root = Path(s3dir) / BUCKET / prefix / "AWSDynamoDB" / eid
    keybase = f"{prefix}/AWSDynamoDB/{eid}"
    files = []
    half = len(items_lines) // 2
    for name, chunk in (("aaaaaaaaaaaaaaaaaaaaaaaaaa", items_lines[:half]), ("bbbbbbbbbbbbbbbbbbbbbbbbbb", items_lines[half:]),
                        ("cccccccccccccccccccccccccc", [])):
        ext = ".json.gz" if fmt == "DYNAMODB_JSON" else ".ion.gz"
        data = write_gz(root / "data" / (name + ext), "".join(l + "\n" for l in chunk))
        md5 = hashlib.md5(data).digest()
        files.append({"itemCount": len(chunk) + count_delta, "md5Checksum": base64.b64encode(
            hashlib.md5(b"x").digest() if corrupt_md5 else md5).decode(), "etag": hashlib.md5(md5).hexdigest() + "-1",
                      "dataFileS3Key": f"{keybase}/data/{name}{ext}"})
    mf = "".join(json.dumps(f) + "\n" for f in files)
    (root / "manifest-files.json").write_text(mf)
    (root / "manifest-files.md5").write_text(b64md5(mf.encode()))
    summary = {"version": "2020-06-30", "exportArn": f"arn:aws:dynamodb:eu-west-1:123456789012:table/Src/export/{eid}",
               "startTime": "2023-01-01T00:00:00.000Z", "endTime": "2023-01-01T00:05:00.000Z",
               "tableArn": "arn:aws:dynamodb:eu-west-1:123456789012:table/Src", "tableId": str(uuid.uuid4()),
               "exportTime": "2023-01-01T00:00:00.000Z", "s3Bucket": BUCKET, "s3Prefix": prefix, "s3SseAlgorithm": "AES256",
               "s3SseKmsKeyId": None, "manifestFilesS3Key": f"{keybase}/manifest-files.json", "billedSizeBytes": 0,
               "itemCount": len(items_lines), "outputFormat": fmt}
    (root / "manifest-summary.json").write_text(json.dumps(summary))
    (root / "_started").write_text("")
    return prefix


def tcp(name, sort=False, gsi=False):
    p = {"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
    if sort:
        p["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
        p["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "N"})
    if gsi:
        p["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "N"})
        p["GlobalSecondaryIndexes"] = [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]
    return p


def test_import_hand_made_aws_export(c, s3dir):
    lines = [json.dumps({"Item": {"pk": {"S": f"p{i}"}, "v": {"N": str(i)}, "b": {"B": base64.b64encode(bytes([i])).decode()}}})
             for i in range(10)]
    prefix = hand_made_export(s3dir, "from-aws", lines)
    name = new_name("aws")
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": prefix + "/"}, InputFormat="DYNAMODB_JSON",
                       InputCompressionType="GZIP", TableCreationParameters=tcp(name))
    d0 = r["ImportTableDescription"]
    assert d0["ImportStatus"] == "IN_PROGRESS"
    assert d0["ImportArn"].startswith(f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/import/")
    assert d0["TableArn"] == f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"
    assert d0["InputFormat"] == "DYNAMODB_JSON" and d0["InputCompressionType"] == "GZIP"
    assert d0["S3BucketSource"] == {"S3Bucket": BUCKET, "S3KeyPrefix": prefix + "/"}
    assert d0["TableCreationParameters"] == tcp(name)
    d = wait_import(c, d0["ImportArn"])
    assert (d["ImportStatus"], d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"]) == ("COMPLETED", 10, 10, 0)
    got = {it["pk"]["S"]: it for it in scan_all(c, name)}
    assert got == {f"p{i}": {"pk": {"S": f"p{i}"}, "v": {"N": str(i)}, "b": {"B": bytes([i])}} for i in range(10)}
    # the import is listed, newest first, and described
    summaries = c.list_imports(TableArn=table_arn(c, name))["ImportSummaryList"]
    assert [s["ImportArn"] for s in summaries] == [d0["ImportArn"]] and summaries[0]["ImportStatus"] == "COMPLETED"
    with pytest.raises(ClientError) as e:
        c.describe_import(ImportArn=d0["ImportArn"][:-8] + "00000000")
    assert err(e) == ("ImportNotFoundException", f"Import not found: {d0['ImportArn'][:-8]}00000000")
    # the export copied under another prefix (a download from AWS put anywhere): found beside its manifest
    import shutil
    shutil.copytree(Path(s3dir) / BUCKET / prefix, Path(s3dir) / BUCKET / "elsewhere" / "deeper")
    name2 = new_name("aws")
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "elsewhere/deeper"}, InputFormat="DYNAMODB_JSON",
                       InputCompressionType="GZIP", TableCreationParameters=tcp(name2))
    d = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (d["ImportStatus"], d["ImportedItemCount"]) == ("COMPLETED", 10)
    assert canon(scan_all(c, name2)) == canon(scan_all(c, name))
    # the same table name again: ResourceInUseException, nothing started
    with pytest.raises(ClientError) as e:
        c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": prefix}, InputFormat="DYNAMODB_JSON",
                       TableCreationParameters=tcp(name))
    assert err(e) == ("ResourceInUseException", f"Table already exists: {name}")


def assert_no_table(c, name):
    with pytest.raises(ClientError) as e:
        c.describe_table(TableName=name)
    assert err(e)[0] == "ResourceNotFoundException"
    assert name not in c.list_tables(Limit=100)["TableNames"]


def test_import_failures_leave_no_table(c, s3dir):
    base = Path(s3dir) / BUCKET
    good = [json.dumps({"Item": {"pk": {"S": f"p{i}"}}}) for i in range(6)]
    cases = []
    # corrupt gzip: the second half of a valid file cut off, then garbage
    data = gzip.compress(("".join(l + "\n" for l in good) * 50).encode())
    (base / "corrupt").mkdir()
    (base / "corrupt" / "a.json.gz").write_bytes(data[: len(data) // 2] + b"garbage!" * 10)
    cases.append(("corrupt/", "GZIP", "DYNAMODB_JSON", "InvalidInput", "Cannot read corrupt/a.json.gz: the data is not valid GZIP"))
    (base / "notgzip").mkdir()
    (base / "notgzip" / "a.json").write_text("\n".join(good))
    cases.append(("notgzip/", "GZIP", "DYNAMODB_JSON", "InvalidInput", "Cannot read notgzip/a.json: the data is not valid GZIP"))
    # wrong manifests: an md5Checksum that does not match, an itemCount that does not match
    hand_made_export(s3dir, "badmd5", good, corrupt_md5=True)
    cases.append(("badmd5/", "GZIP", "DYNAMODB_JSON", "InvalidManifest", "The data file badmd5/AWSDynamoDB/01700000000000-abcdef01/data/aaaaaaaaaaaaaaaaaaaaaaaaaa.json.gz does not match the md5Checksum of badmd5/AWSDynamoDB/01700000000000-abcdef01/manifest-files.json"))
    hand_made_export(s3dir, "badcount", good, count_delta=1)
    cases.append(("badcount/", "GZIP", "DYNAMODB_JSON", "InvalidManifest", "The data file badcount/AWSDynamoDB/01700000000000-abcdef01/data/aaaaaaaaaaaaaaaaaaaaaaaaaa.json.gz holds 3 items, its manifest says 4"))
    # wrong format: an ION import of a DYNAMODB_JSON export
    hand_made_export(s3dir, "wrongfmt", good)
    cases.append(("wrongfmt/", "GZIP", "ION", "InvalidInputFormat", "The export at wrongfmt/AWSDynamoDB/01700000000000-abcdef01/manifest-summary.json is in DYNAMODB_JSON format, the import asked for another"))
    cases.append(("nothing-here/", "NONE", "DYNAMODB_JSON", "InvalidInput", "No objects found under the S3 key prefix 'nothing-here/'"))
    for prefix, comp, fmt, code, msg in cases:
        name = new_name("fail")
        r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": prefix}, InputFormat=fmt,
                           InputCompressionType=comp, TableCreationParameters=tcp(name))
        d = wait_import(c, r["ImportTableDescription"]["ImportArn"])
        assert d["ImportStatus"] == "FAILED", (prefix, d)
        assert d["FailureCode"] == code, (prefix, d)
        assert d["FailureMessage"].startswith(msg), (prefix, d["FailureMessage"])
        assert "EndTime" in d
        assert_no_table(c, name)
    name = new_name("fail")
    r = c.import_table(S3BucketSource={"S3Bucket": "no-such-bucket"}, InputFormat="CSV", TableCreationParameters=tcp(name))
    d = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (d["ImportStatus"], d["FailureCode"], d["FailureMessage"]) == ("FAILED", "S3NoSuchBucket",
                                                                          "The specified bucket does not exist")
    assert_no_table(c, name)


def test_import_bad_lines_counted(c, s3dir):
    d = Path(s3dir) / BUCKET / "badlines"
    d.mkdir()
    (d / "part1.json").write_text("\n".join([
        json.dumps({"Item": {"pk": {"S": "ok1"}, "n": {"N": "1"}}}),
        "{not json",
        json.dumps({"Item": {"nopk": {"S": "x"}}}),
        json.dumps({"Item": {"pk": {"N": "5"}}}),
        json.dumps({"Item": {"pk": {"S": "bad-number"}, "n": {"N": "1e999"}}}),
        json.dumps({"Nope": {}}),
        "",
        json.dumps({"Item": {"pk": {"S": "ok2"}, "ss": {"SS": ["a"]}}}),
        json.dumps({"Item": {"pk": {"S": "k" * 2049}}}),  # over PutItem's 2048-byte partition key
        json.dumps({"Item": {"pk": {"S": ""}}}),  # an empty key value
    ]) + "\n")
    name = new_name("bad")
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "badlines/"}, InputFormat="DYNAMODB_JSON",
                       TableCreationParameters=tcp(name))
    res = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (res["ImportStatus"], res["ProcessedItemCount"], res["ImportedItemCount"], res["ErrorCount"]) == (
        "COMPLETED", 9, 2, 7)
    assert sorted(it["pk"]["S"] for it in scan_all(c, name)) == ["ok1", "ok2"]


def test_import_csv(c, s3dir):
    d = Path(s3dir) / BUCKET / "csv"
    d.mkdir()
    (d / "one.csv").write_text('pk;sk;g;note\r\na;1;10;"semi;colon ""q"""\r\nb;2;20;\r\nc;x;30;bad sort key\r\n')
    (d / "two.csv").write_text("d;3;10;second file\n")
    name = new_name("csv")
    # the first file has a header line; HeaderList makes every line values: use the header of the file
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "csv/one"}, InputFormat="CSV",
                       InputFormatOptions={"Csv": {"Delimiter": ";"}}, TableCreationParameters=tcp(name, sort=True, gsi=True))
    res = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    r1_arn = res["ImportArn"]
    assert (res["ImportStatus"], res["ProcessedItemCount"], res["ImportedItemCount"], res["ErrorCount"]) == (
        "COMPLETED", 3, 2, 1)
    assert res["InputFormatOptions"] == {"Csv": {"Delimiter": ";"}}
    assert canon(scan_all(c, name)) == canon([
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"N": "10"}, "note": {"S": 'semi;colon "q"'}},
        {"pk": {"S": "b"}, "sk": {"N": "2"}, "g": {"N": "20"}}])
    q = c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"N": "10"}})
    assert [it["pk"]["S"] for it in q["Items"]] == ["a"]
    name2 = new_name("csv")
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "csv/two"}, InputFormat="CSV",
                       InputFormatOptions={"Csv": {"Delimiter": ";", "HeaderList": ["pk", "sk", "g", "note"]}},
                       TableCreationParameters=tcp(name2, sort=True))
    res = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (res["ImportStatus"], res["ImportedItemCount"]) == ("COMPLETED", 1)
    assert scan_all(c, name2) == [{"pk": {"S": "d"}, "sk": {"N": "3"}, "g": {"S": "10"}, "note": {"S": "second file"}}]
    # ClientToken: the same request again answers the same import; other parameters are a conflict
    name3, token = new_name("csv"), str(uuid.uuid4())
    req = dict(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "csv/two"}, InputFormat="CSV", ClientToken=token,
               InputFormatOptions={"Csv": {"Delimiter": ";", "HeaderList": ["pk", "sk", "g", "note"]}},
               TableCreationParameters=tcp(name3, sort=True))
    first = wait_import(c, c.import_table(**req)["ImportTableDescription"]["ImportArn"])
    again = c.import_table(**req)["ImportTableDescription"]
    assert (again["ImportArn"], again["ImportStatus"], again["ClientToken"]) == (first["ImportArn"], "COMPLETED", token)
    req["InputCompressionType"] = "NONE"
    with pytest.raises(ClientError) as e:
        c.import_table(**req)
    assert err(e) == ("ImportConflictException",
                      f"Duplicate request detected: ClientToken {token} was used with different parameters")
    # ListImports: newest first, in pages of PageSize joined by NextToken
    whole = c.list_imports(PageSize=25)
    assert "NextToken" not in whole
    arns = [x["ImportArn"] for x in whole["ImportSummaryList"]]
    assert arns[:3] == [first["ImportArn"], res["ImportArn"], r1_arn]
    paged, kw = [], {}
    while True:
        page = c.list_imports(PageSize=2, **kw)
        assert len(page["ImportSummaryList"]) <= 2
        paged += [x["ImportArn"] for x in page["ImportSummaryList"]]
        if "NextToken" not in page:
            break
        kw = {"NextToken": page["NextToken"]}
    assert paged == arns


def test_import_ion_and_zstd(c, s3dir):
    d = Path(s3dir) / BUCKET / "ion"
    d.mkdir()
    text = ("$ion_1_0 {Item:{pk:\"i1\",n:6d2,f:1.5e0,i:-12,dec:0.001,s:'sym bol',l:[null.string,true],"
            "ss:$dynamodb_SS::[\"a\",'''b''' '''c'''],b:{{/w==}}, m:{'quoted \\'f\\'':\"\\u00e9\\n\"}}}\n"
            "/* a comment */ {Item:{pk:\"i2\", ns:$dynamodb_NS::[1,2.50]}}\n")
    (d / "a.ion").write_text(text)
    subprocess.run(["zstd", "-q", "-f", str(d / "a.ion"), "-o", str(d / "a.ion.zst")], check=True)
    (d / "a.ion").unlink()
    name = new_name("ion")
    r = c.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "ion/"}, InputFormat="ION",
                       InputCompressionType="ZSTD", TableCreationParameters=tcp(name))
    res = wait_import(c, r["ImportTableDescription"]["ImportArn"])
    assert (res["ImportStatus"], res["ImportedItemCount"], res["ErrorCount"]) == ("COMPLETED", 2, 0), res
    got = {it["pk"]["S"]: it for it in scan_all(c, name)}
    assert got["i1"] == {"pk": {"S": "i1"}, "n": {"N": "600"}, "f": {"N": "1.5"}, "i": {"N": "-12"},
                         "dec": {"N": "0.001"}, "s": {"S": "sym bol"}, "l": {"L": [{"NULL": True}, {"BOOL": True}]},
                         "ss": {"SS": ["a", "bc"]}, "b": {"B": b"\xff"}, "m": {"M": {"quoted 'f'": {"S": "\u00e9\n"}}}}
    assert canon([got["i2"]]) == canon([{"pk": {"S": "i2"}, "ns": {"NS": ["1", "2.5"]}}])


def test_import_validation(c, raw):
    name = new_name("v")
    r = raw.request(target="DynamoDB_20120810.ImportTable", body=json.dumps(
        {"ClientToken": "a$b", "S3BucketSource": {"S3Bucket": "-bad", "S3BucketOwner": "1"}, "InputFormat": "CSV",
         "TableCreationParameters": tcp(name)}))
    assert (r.error_code, r.error_message) == ("ValidationException",
        "3 validation errors detected: Value 'a$b' at 'clientToken' failed to satisfy constraint: Member must satisfy "
        "regular expression pattern: ^[^\\$]+$; Value '-bad' at 's3BucketSource.s3Bucket' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$; "
        "Value '1' at 's3BucketSource.s3BucketOwner' failed to satisfy constraint: Member must satisfy regular "
        "expression pattern: [0-9]{12}")
    r = raw.request(target="DynamoDB_20120810.ImportTable", body=json.dumps(
        {"S3BucketSource": {"S3Bucket": BUCKET}, "InputFormat": "XML", "InputCompressionType": "LZ4",
         "TableCreationParameters": tcp(name)}))
    assert (r.error_code, r.error_message) == ("ValidationException",
        "2 validation errors detected: Value 'XML' at 'inputFormat' failed to satisfy constraint: Member must satisfy "
        "enum value set: [DYNAMODB_JSON, ION, CSV]; Value 'LZ4' at 'inputCompressionType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [GZIP, ZSTD, NONE]")
    r = raw.request(target="DynamoDB_20120810.ImportTable", body=json.dumps(
        {"S3BucketSource": {"S3Bucket": BUCKET}, "InputFormat": "CSV",
         "InputFormatOptions": {"Csv": {"Delimiter": "#"}}, "TableCreationParameters": tcp(name)}))
    assert r.error_message == ("1 validation error detected: Value '#' at 'inputFormatOptions.csv.delimiter' failed "
                                 "to satisfy constraint: Member must satisfy regular expression pattern: [,;:|\\t ]")
    bad = tcp(name)
    bad["KeySchema"][0]["AttributeName"] = "other"
    r = raw.request(target="DynamoDB_20120810.ImportTable", body=json.dumps(
        {"S3BucketSource": {"S3Bucket": BUCKET}, "InputFormat": "CSV", "TableCreationParameters": bad}))
    assert r.error_code == "ValidationException" and "other" in r.error_message
    assert_no_table(c, name)
    r = raw.request(target="DynamoDB_20120810.DescribeImport", body=json.dumps({"ImportArn": "x" * 40}))
    assert (r.error_code, r.error_message) == ("ImportNotFoundException", "Import not found: " + "x" * 40)
    r = raw.request(target="DynamoDB_20120810.ListImports", body=json.dumps({"NextToken": "abc"}))
    assert r.error_code == "ValidationException" and "nextToken" in r.error_message


@pytest.mark.dynarock_only
def test_without_s3_dir_the_flag_is_named(ddb):
    name = new_name("nos3")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    with pytest.raises(ClientError) as e:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET)
    assert err(e) == ("ValidationException", "ExportTableToPointInTime needs a local folder standing in for S3: start "
                                             "dynarock with --s3-dir DIR (or the environment variable DYNAROCK_S3_DIR)")
    with pytest.raises(ClientError) as e:
        ddb.import_table(S3BucketSource={"S3Bucket": BUCKET}, InputFormat="CSV", TableCreationParameters=tcp(new_name()))
    assert err(e) == ("ValidationException", "ImportTable needs a local folder standing in for S3: start dynarock with "
                                             "--s3-dir DIR (or the environment variable DYNAROCK_S3_DIR)")
    ddb.delete_table(TableName=name)


def test_export_as_of_an_earlier_time(c, s3dir):
    name = make_table(c)
    pitr_on(c, name)
    arn = table_arn(c, name)
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "1"}})
    c.put_item(TableName=name, Item={"pk": {"S": "gone"}})
    time.sleep(1.1)
    noted = time.time()
    time.sleep(1.1)
    c.put_item(TableName=name, Item={"pk": {"S": "a"}, "v": {"N": "2"}})
    c.put_item(TableName=name, Item={"pk": {"S": "new"}})
    c.delete_item(TableName=name, Key={"pk": {"S": "gone"}})
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket=BUCKET, ExportTime=noted)["ExportDescription"]
    assert d["ExportTime"].timestamp() == int(noted)  # botocore sends whole seconds
    d = wait_export(c, d["ExportArn"])
    assert (d["ExportStatus"], d["ItemCount"]) == ("COMPLETED", 2)
    root = export_dir(s3dir, d)
    items = []
    for line in (root / "manifest-files.json").read_text().splitlines():
        data = (Path(s3dir) / BUCKET / json.loads(line)["dataFileS3Key"]).read_bytes()
        items += [json.loads(l)["Item"] for l in gzip.decompress(data).decode().splitlines()]
    assert sorted(items, key=lambda it: it["pk"]["S"]) == [{"pk": {"S": "a"}, "v": {"N": "1"}}, {"pk": {"S": "gone"}}]


FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


@pytest.mark.skipif(not os.path.exists(FAKETIME), reason="needs Debian's faketime (scripts/install-deps.sh --test)")
def test_incremental_export(server_factory, tmp_path, s3dir):
    # AWS's window is 15 minutes to 24 hours: the changes are made by a first server, and a second one on
    # the same data directory runs with its clock 20 minutes ahead (libfaketime) to export them.
    args = ["--data-dir", str(tmp_path / "data"), "--s3-dir", str(s3dir)]
    srv = server_factory(args)
    c1 = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="x",
                      aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))
    name = make_table(c1)  # PITR on
    c1.put_item(TableName=name, Item={"pk": {"S": "b"}, "v": {"N": "1"}})
    c1.put_item(TableName=name, Item={"pk": {"S": "c"}, "v": {"N": "3"}})
    time.sleep(1.1)
    start = int(time.time())  # botocore sends whole seconds
    time.sleep(1.1)
    c1.put_item(TableName=name, Item={"pk": {"S": "a"}, "s": {"SS": ["x"]}})
    c1.put_item(TableName=name, Item={"pk": {"S": "b"}, "v": {"N": "2"}})
    c1.delete_item(TableName=name, Key={"pk": {"S": "c"}})
    c1.put_item(TableName=name, Item={"pk": {"S": "tmp"}})
    c1.delete_item(TableName=name, Key={"pk": {"S": "tmp"}})  # created and deleted inside: left out
    before = time.time()
    assert srv.stop() == 0
    asan = (os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0").lstrip(":")
    srv2 = server_factory(args, port=srv.port, env={"LD_PRELOAD": FAKETIME, "FAKETIME": "+1200", "ASAN_OPTIONS": asan})
    raw2 = du.RawClient(srv2.url, "us-east-1", du.static_credentials())
    c2 = boto3.client("dynamodb", endpoint_url=srv2.url, region_name="us-east-1", aws_access_key_id="x",
                      aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))
    arn = table_arn(c2, name)
    results = {}
    for view, fmt in (("NEW_AND_OLD_IMAGES", "DYNAMODB_JSON"), ("NEW_IMAGE", "ION")):
        spec = {"ExportFromTime": start, "ExportToTime": start + 16 * 60, "ExportViewType": view}
        r = raw2.request(target="DynamoDB_20120810.ExportTableToPointInTime", body=json.dumps(
            {"TableArn": arn, "S3Bucket": BUCKET, "S3Prefix": "inc", "ExportFormat": fmt,
             "ExportType": "INCREMENTAL_EXPORT", "IncrementalExportSpecification": spec}))
        assert r.status == 200, r.json()
        d0 = r.json()["ExportDescription"]
        assert d0["ExportType"] == "INCREMENTAL_EXPORT" and d0["IncrementalExportSpecification"] == spec
        d = wait_export(c2, d0["ExportArn"])
        assert (d["ExportStatus"], d["ItemCount"]) == ("COMPLETED", 3), d
        root = export_dir(s3dir, d)
        summary = json.loads((root / "manifest-summary.json").read_text())
        assert summary["exportType"] == "INCREMENTAL_EXPORT" and summary["outputView"] == view
        lines = []
        for line in (root / "manifest-files.json").read_text().splitlines():
            key = json.loads(line)["dataFileS3Key"]
            lines += gzip.decompress((Path(s3dir) / BUCKET / key).read_bytes()).decode().splitlines()
        results[view] = lines
    recs = {}
    for line in results["NEW_AND_OLD_IMAGES"]:
        rec = json.loads(line)
        us = int(rec["Metadata"]["WriteTimestampMicros"]["N"])
        assert start * 1_000_000 < us <= before * 1_000_000
        assert list(rec)[:2] == ["Metadata", "Keys"]
        recs[rec["Keys"]["pk"]["S"]] = {k: v for k, v in rec.items() if k != "Metadata"}
    assert recs == {
        "a": {"Keys": {"pk": {"S": "a"}}, "NewImage": {"pk": {"S": "a"}, "s": {"SS": ["x"]}}},
        "b": {"Keys": {"pk": {"S": "b"}}, "NewImage": {"pk": {"S": "b"}, "v": {"N": "2"}},
              "OldImage": {"pk": {"S": "b"}, "v": {"N": "1"}}},
        "c": {"Keys": {"pk": {"S": "c"}}, "OldImage": {"pk": {"S": "c"}, "v": {"N": "3"}}},
    }
    ion = sorted(results["NEW_IMAGE"])
    assert len(ion) == 3 and all(l.startswith("$ion_1_0 {Metadata:{WriteTimestampMicros:") for l in ion)
    assert any(',Keys:{pk:"c"}}' in l for l in ion)  # a deletion: its keys only
    assert not any("OldImage" in l for l in ion)
    # ImportTable reads full exports only
    d = json.loads((root / "manifest-summary.json").read_text())
    r = c2.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": root.relative_to(Path(s3dir) / BUCKET).as_posix()},
                        InputFormat="ION", InputCompressionType="GZIP", TableCreationParameters=tcp(new_name("inc")))
    res = wait_import(c2, r["ImportTableDescription"]["ImportArn"])
    assert (res["ImportStatus"], res["FailureCode"]) == ("FAILED", "InvalidInput")
    assert res["FailureMessage"].endswith("is an incremental export: ImportTable reads full exports only")


@pytest.mark.parametrize("how", ["sigterm", "kill"])
def test_import_interrupted_by_a_stop(server_factory, tmp_path, how):
    # A stop (SIGTERM: the task gives up; kill -9: the next start finds it IN_PROGRESS) during an import:
    # after the restart the import is FAILED and its table is gone.
    s3 = tmp_path / "s3"
    (s3 / BUCKET / "big").mkdir(parents=True)
    with open(s3 / BUCKET / "big" / "items.json", "w") as f:
        for i in range(60000):
            f.write('{"Item":{"pk":{"S":"k%d"},"pad":{"S":"%s"}}}\n' % (i, "x" * 200))
    args = ["--data-dir", str(tmp_path / "data"), "--s3-dir", str(s3)]
    srv = server_factory(args)
    c1 = boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="x",
                      aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))
    name = new_name("stop")
    arn = c1.import_table(S3BucketSource={"S3Bucket": BUCKET, "S3KeyPrefix": "big/"}, InputFormat="DYNAMODB_JSON",
                          TableCreationParameters=tcp(name))["ImportTableDescription"]["ImportArn"]
    time.sleep(0.05)
    if how == "sigterm":
        assert srv.stop() == 0
    else:
        srv.kill()
        srv.log.close()
    srv2 = server_factory(args, port=srv.port)
    c2 = boto3.client("dynamodb", endpoint_url=srv2.url, region_name="us-east-1", aws_access_key_id="x",
                      aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))
    d = c2.describe_import(ImportArn=arn)["ImportTableDescription"]
    if d["ImportStatus"] == "COMPLETED":  # the machine was fast enough to finish before the stop
        assert d["ImportedItemCount"] == 60000
        return
    assert (d["ImportStatus"], d["FailureCode"]) == ("FAILED", "InternalServerError")
    assert d["FailureMessage"] == ("The server stopped during the import" if how == "sigterm"
                                   else "The server stopped while this ran")
    assert_no_table(c2, name)
