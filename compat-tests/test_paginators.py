"""SDK paginators over Query and Scan: boto3's get_paginator('query' / 'scan') with PaginationConfig
PageSize (and MaxItems), and the JS SDK v3's paginateQuery / paginateScan (compat-tests/js/paginate.mjs).

The paginators send PageSize as Limit and follow LastEvaluatedKey until it is absent, so the pages below
follow from DynamoDB's paging rules (see test_query.py and test_scan.py for their sources): Limit counts
items read before the filter, and a page that Limit stops carries a LastEvaluatedKey even when it ends
on the last item, so an exact multiple of the page size ends with one empty page. boto3's paginator
model for DynamoDB (botocore data dynamodb/2012-08-10/paginators-1.json) sums Items, Count and
ScannedCount in build_full_result().
"""
import json
import os
import subprocess

import pytest

import dynarock_util as du
from test_js_sdk import JS, node_modules  # noqa: F401  (fixture: installs the npm packages if needed)

S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": x}  # noqa: E731


def uniq():
    return du.unique_name("k")


@pytest.fixture
def part(ddb, table_sn):
    """Ten items c = 0..9 in one partition (put in a shuffled order); odd items carry o = true."""
    p = uniq()
    for c in [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]:
        ddb.put_item(TableName=table_sn, Item={"p": S(p), "c": N(str(c)), "o": {"BOOL": c % 2 == 1}})
    return p


def qargs(table, p, **kw):
    return dict(TableName=table, KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": S(p)},
                ConsistentRead=True, **kw)


def page_keys(pages):
    return [[int(it["c"]["N"]) for it in pg["Items"]] for pg in pages]


@pytest.mark.parametrize("size,want", [
    (3, [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]),
    (4, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]),
    (5, [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], []]),
    (10, [list(range(10)), []]),
    (11, [list(range(10))]),
])
def test_boto3_query_paginator(ddb, table_sn, part, size, want):
    pages = list(ddb.get_paginator("query").paginate(PaginationConfig={"PageSize": size}, **qargs(table_sn, part)))
    assert page_keys(pages) == want
    for pg, keys in zip(pages, want):
        assert pg["Count"] == pg["ScannedCount"] == len(keys)
        if pg is not pages[-1]:
            assert pg["LastEvaluatedKey"] == {"p": S(part), "c": N(str(keys[-1]))}
        else:
            assert "LastEvaluatedKey" not in pg


def test_boto3_query_paginator_reverse(ddb, table_sn, part):
    pages = list(ddb.get_paginator("query").paginate(PaginationConfig={"PageSize": 4},
                                                     **qargs(table_sn, part, ScanIndexForward=False)))
    assert page_keys(pages) == [[9, 8, 7, 6], [5, 4, 3, 2], [1, 0]]


def test_boto3_query_paginator_with_filter(ddb, table_sn, part):
    pages = list(ddb.get_paginator("query").paginate(
        PaginationConfig={"PageSize": 4}, FilterExpression="o = :t",
        **dict(qargs(table_sn, part), ExpressionAttributeValues={":p": S(part), ":t": {"BOOL": True}})))
    assert page_keys(pages) == [[1, 3], [5, 7], [9]]
    assert [pg["Count"] for pg in pages] == [2, 2, 1]
    assert [pg["ScannedCount"] for pg in pages] == [4, 4, 2]


def test_boto3_query_full_result(ddb, table_sn, part):
    full = ddb.get_paginator("query").paginate(PaginationConfig={"PageSize": 3},
                                               **qargs(table_sn, part)).build_full_result()
    assert [int(it["c"]["N"]) for it in full["Items"]] == list(range(10))
    assert full["Count"] == 10 and full["ScannedCount"] == 10
    assert "NextToken" not in full


def test_boto3_query_max_items(ddb, table_sn, part):
    paginator = ddb.get_paginator("query")
    first = paginator.paginate(PaginationConfig={"PageSize": 3, "MaxItems": 4},
                               **qargs(table_sn, part)).build_full_result()
    assert [int(it["c"]["N"]) for it in first["Items"]] == [0, 1, 2, 3]
    rest = paginator.paginate(PaginationConfig={"PageSize": 3, "StartingToken": first["NextToken"]},
                              **qargs(table_sn, part)).build_full_result()
    assert [int(it["c"]["N"]) for it in rest["Items"]] == [4, 5, 6, 7, 8, 9]


def test_boto3_query_paginator_legacy_key_conditions(ddb, table_sn, part):
    pages = list(ddb.get_paginator("query").paginate(
        TableName=table_sn, ConsistentRead=True, PaginationConfig={"PageSize": 4},
        KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [S(part)]},
                       "c": {"ComparisonOperator": "GE", "AttributeValueList": [N("3")]}}))
    assert page_keys(pages) == [[3, 4, 5, 6], [7, 8, 9]]


@pytest.fixture
def scan_table(ddb, make_table):
    t = make_table()
    for i in range(7):
        ddb.put_item(TableName=t, Item={"p": S("h%d" % i), "i": N(str(i))})
    return t


ALL_H = ["h%d" % i for i in range(7)]


@pytest.mark.parametrize("size,sizes", [(3, [3, 3, 1]), (7, [7, 0]), (2, [2, 2, 2, 1]), (100, [7])])
def test_boto3_scan_paginator(ddb, scan_table, size, sizes):
    pages = list(ddb.get_paginator("scan").paginate(TableName=scan_table, ConsistentRead=True,
                                                    PaginationConfig={"PageSize": size}))
    assert [len(pg["Items"]) for pg in pages] == sizes
    got = [it["p"]["S"] for pg in pages for it in pg["Items"]]
    assert sorted(got) == ALL_H and len(got) == 7
    for pg in pages[:-1]:
        assert pg["LastEvaluatedKey"] == {"p": pg["Items"][-1]["p"]}


def test_boto3_scan_full_result_with_filter(ddb, scan_table):
    full = ddb.get_paginator("scan").paginate(
        TableName=scan_table, ConsistentRead=True, PaginationConfig={"PageSize": 2},
        FilterExpression="i >= :v", ExpressionAttributeValues={":v": N("4")}).build_full_result()
    assert sorted(it["p"]["S"] for it in full["Items"]) == ["h4", "h5", "h6"]
    assert full["Count"] == 3 and full["ScannedCount"] == 7


def test_boto3_parallel_scan_paginator(ddb, scan_table):
    got = []
    for seg in range(3):
        for pg in ddb.get_paginator("scan").paginate(TableName=scan_table, ConsistentRead=True, Segment=seg,
                                                     TotalSegments=3, PaginationConfig={"PageSize": 2}):
            assert len(pg["Items"]) <= 2
            got += [it["p"]["S"] for it in pg["Items"]]
    assert sorted(got) == ALL_H and len(got) == 7


# ---- JS SDK v3 ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def js_result(node_modules, endpoint, region):  # noqa: F811
    env = dict(os.environ, DYNAROCK_ENDPOINT_URL=endpoint, AWS_REGION=region)
    if not du.is_real_aws():
        env.update(AWS_ACCESS_KEY_ID="dummy", AWS_SECRET_ACCESS_KEY="dummy")
        for k in ("AWS_SESSION_TOKEN", "AWS_PROFILE"):
            env.pop(k, None)
    r = subprocess.run([node_modules, "paginate.mjs"], cwd=JS, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    line = [ln for ln in r.stdout.splitlines() if ln.startswith("paginate-result: ")]
    assert len(line) == 1, r.stdout
    return json.loads(line[0][len("paginate-result: "):])


def lek(sk):
    return {"pk": {"S": "p"}, "sk": {"N": str(sk)}}


def test_js_paginate_query(js_result):
    assert js_result["query"] == [
        {"keys": [0, 1, 2], "count": 3, "scanned": 3, "lek": lek(2)},
        {"keys": [3, 4, 5], "count": 3, "scanned": 3, "lek": lek(5)},
        {"keys": [6, 7, 8], "count": 3, "scanned": 3, "lek": lek(8)},
        {"keys": [9], "count": 1, "scanned": 1, "lek": None},
    ]


def test_js_paginate_query_reverse(js_result):
    assert js_result["queryReverse"] == [
        {"keys": [9, 8, 7, 6], "count": 4, "scanned": 4, "lek": lek(6)},
        {"keys": [5, 4, 3, 2], "count": 4, "scanned": 4, "lek": lek(2)},
        {"keys": [1, 0], "count": 2, "scanned": 2, "lek": None},
    ]


def test_js_paginate_query_filtered(js_result):
    assert js_result["queryFiltered"] == [
        {"keys": [1, 3], "count": 2, "scanned": 4, "lek": lek(3)},
        {"keys": [5, 7], "count": 2, "scanned": 4, "lek": lek(7)},
        {"keys": [9], "count": 1, "scanned": 2, "lek": None},
    ]


def test_js_paginate_query_exact_multiple(js_result):
    assert js_result["queryPageSize5"] == [
        {"keys": [0, 1, 2, 3, 4], "count": 5, "scanned": 5, "lek": lek(4)},
        {"keys": [5, 6, 7, 8, 9], "count": 5, "scanned": 5, "lek": lek(9)},
        {"keys": [], "count": 0, "scanned": 0, "lek": None},
    ]
    assert js_result["queryNoPageSize"] == [{"keys": list(range(10)), "count": 10, "scanned": 10, "lek": None}]


def test_js_document_client_paginate_query(js_result):
    assert js_result["docQuery"] == [
        {"keys": [0, 1, 2], "count": 3, "scanned": 3, "lek": {"pk": "p", "sk": 2}},
        {"keys": [3, 4, 5], "count": 3, "scanned": 3, "lek": {"pk": "p", "sk": 5}},
        {"keys": [6, 7, 8], "count": 3, "scanned": 3, "lek": {"pk": "p", "sk": 8}},
        {"keys": [9], "count": 1, "scanned": 1, "lek": None},
    ]


def test_js_paginate_scan(js_result):
    pages = js_result["scan"]
    assert [len(pg["keys"]) for pg in pages] == [3, 3, 1]
    assert sorted(k for pg in pages for k in pg["keys"]) == ["h%d" % i for i in range(7)]
    for pg in pages[:-1]:
        assert pg["count"] == pg["scanned"] == 3 and pg["lek"] == {"pk": {"S": pg["keys"][-1]}}
    assert pages[-1]["lek"] is None


def test_js_paginate_parallel_scan(js_result):
    got = []
    for seg in js_result["scanSegments"]:
        for pg in seg:
            assert len(pg["keys"]) <= 2 and pg["count"] == len(pg["keys"])
            got += pg["keys"]
        assert seg[-1]["lek"] is None
    assert sorted(got) == ["h%d" % i for i in range(7)] and len(got) == 7
