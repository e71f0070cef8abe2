#!/usr/bin/python3
"""export_import.py: items per second of ImportTable and ExportTableToPointInTime (issue 18).

    /usr/bin/python3 bench/export_import.py [--bin build/dynarock] [--items 200000] [--in-memory]

Starts dynarock (a fresh --data-dir, or --in-memory) with --s3-dir on a free port, writes --items
items of about 1 KB (DynamoDB's size rule: a 36-character key, a number, a 960-character string, a
string set) as one uncompressed DYNAMODB_JSON object, then measures, each from the StartTime and
EndTime the server reports (DescribeImport / DescribeExport), and from the CPU time the server
process used meanwhile (the figure that holds on a shared, loaded machine):
  1. ImportTable of that object (NONE) into a new table,
  2. ExportTableToPointInTime of the table, DYNAMODB_JSON (gzip level 1, as the server writes),
  3. ExportTableToPointInTime, ION,
  4. ImportTable of the DYNAMODB_JSON export (GZIP, through its manifests: MD5s checked).
A benchmark, not a test: it prints figures and exits 0.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(HERE, "..", "build", "dynarock"))
    ap.add_argument("--items", type=int, default=200000)
    ap.add_argument("--in-memory", action="store_true")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="dynarock-bench-")
    s3 = os.path.join(tmp, "s3")
    os.makedirs(os.path.join(s3, "bench", "source"))
    port = free_port()
    storage = ["--in-memory"] if args.in_memory else ["--data-dir", os.path.join(tmp, "data")]
    log = open(os.path.join(tmp, "server.log"), "wb")
    proc = subprocess.Popen([args.bin, "--port", str(port), "--s3-dir", s3] + storage, stdout=log, stderr=log)
    c = boto3.client("dynamodb", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                     aws_access_key_id="x", aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))
    for _ in range(200):
        try:
            c.list_tables()
            break
        except Exception:
            time.sleep(0.05)
    try:
        pad = "x" * 960
        with open(os.path.join(s3, "bench", "source", "items.json"), "w") as f:
            for i in range(args.items):
                f.write(json.dumps({"Item": {"pk": {"S": f"item-{i:031d}"}, "n": {"N": str(i * 7)},
                                             "pad": {"S": pad}, "tags": {"SS": ["a", "b", str(i % 97)]}}}) + "\n")
        src_bytes = os.path.getsize(os.path.join(s3, "bench", "source", "items.json"))

        def tcp(name):
            return {"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST"}

        tick = os.sysconf("SC_CLK_TCK")

        def cpu():
            """CPU seconds the server has used (user + system, all threads): on a shared machine the
            wall clock also counts other processes' turns."""
            f = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(f[11]) + int(f[12])) / tick

        def run_import(name, prefix, comp):
            c0 = cpu()
            d = c.import_table(S3BucketSource={"S3Bucket": "bench", "S3KeyPrefix": prefix}, InputFormat="DYNAMODB_JSON",
                               InputCompressionType=comp, TableCreationParameters=tcp(name))["ImportTableDescription"]
            while d["ImportStatus"] == "IN_PROGRESS":
                time.sleep(0.05)
                d = c.describe_import(ImportArn=d["ImportArn"])["ImportTableDescription"]
            assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == args.items, d
            return (d["EndTime"] - d["StartTime"]).total_seconds(), cpu() - c0, d["ProcessedSizeBytes"]

        def run_export(name, fmt):
            arn = c.describe_table(TableName=name)["Table"]["TableArn"]
            try:
                c.update_continuous_backups(TableName=name,
                                            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
            except c.exceptions.ClientError:
                pass
            c0 = cpu()
            d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="bench", S3Prefix=fmt, ExportFormat=fmt)
            d = d["ExportDescription"]
            while d["ExportStatus"] == "IN_PROGRESS":
                time.sleep(0.05)
                d = c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]
            assert d["ExportStatus"] == "COMPLETED" and d["ItemCount"] == args.items, d
            return (d["EndTime"] - d["StartTime"]).total_seconds(), cpu() - c0, d["BilledSizeBytes"], d["ExportManifest"]

        rows = []
        secs, cs, nbytes = run_import("bench-src", "source/", "NONE")
        rows.append(("ImportTable, DYNAMODB_JSON, NONE", secs, cs))
        size = c.describe_table(TableName="bench-src")["Table"]["TableSizeBytes"]
        secs, cs, billed, manifest = run_export("bench-src", "DYNAMODB_JSON")
        rows.append(("Export, DYNAMODB_JSON (gzip)", secs, cs))
        secs, cs, billed, _ = run_export("bench-src", "ION")
        rows.append(("Export, ION (gzip)", secs, cs))
        prefix = manifest.rsplit("/", 1)[0] + "/"
        secs, cs, nbytes = run_import("bench-copy", prefix, "GZIP")
        rows.append(("ImportTable of that export, GZIP", secs, cs))
        print(f"{args.items} items, {size / args.items:.0f} bytes each (DynamoDB's size), "
              f"{'in memory' if args.in_memory else 'on disk'}, source object {src_bytes / 1e6:.0f} MB")
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("| step | wall s | items/s (wall) | server CPU s | items per CPU second |")
        print("|---|---|---|---|---|")
        for name, secs, cs in rows:
            print(f"| {name} | {secs:.2f} | {args.items / secs:,.0f} | {cs:.2f} | {args.items / max(cs, 1e-9):,.0f} |")
    finally:
        proc.terminate()
        proc.wait()
        log.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
