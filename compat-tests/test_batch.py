"""BatchGetItem and BatchWriteItem: multi-table reads and writes, projections, UnprocessedKeys /
UnprocessedItems, ConsumedCapacity lists, boto3's batch_writer, the SDK-style retry loop, and the
validation errors.

Facts (behaviour):
- scylladb test/alternator/test_batch.py (written to pass on AWS): missing keys are simply absent from
  Responses and a table whose keys are all missing still gets an empty list; the order of returned items is
  unspecified (compared as multisets there, sorted here); UnprocessedKeys / UnprocessedItems are {} when
  everything was done; a PutRequest replaces the whole item; the same key twice in one table is refused for
  BatchGetItem as well as BatchWriteItem, while the same key in two different tables, or keys sharing only
  the hash part, are fine; a batch with one invalid request writes nothing; UnprocessedKeys keeps the
  request's ConsistentRead.
- architect/dynalite test/batchGetItem.js, test/batchWriteItem.js (checked against AWS): a successful
  BatchWriteItem answers exactly {"UnprocessedItems": {}}; AttributesToGet that matches nothing in an item
  still lists the item as {}; ConsumedCapacity is a list with one {TableName, CapacityUnits} entry per
  table (INDEXES adds Table), every key costs 0.5 eventually consistent / 1 consistent for items up to
  4 KB, missing keys included. The 100-key limit is checked before the table lookup (exactly 100 keys on a
  missing table is ResourceNotFoundException), and a table's existence before its key schema.
- DynamoDB API reference, BatchGetItem: at most 16 MB per response; a larger result is returned partially,
  the rest in UnprocessedKeys (the documented example: 100 items of 300 KB give 52 items).
- boto3 Table.batch_writer(): sends BatchWriteItem in chunks of 25 and re-sends UnprocessedItems.

Messages:
- 'Provided list of item keys contains duplicates' — dynalite (both operations, exact), scylladb, moto
  test_dynamodb_batch_get_item.py.
- 'Too many items requested for the BatchGetItem call' (over 100 keys in total) — dynalite, moto; the API
  reference quotes it as "Too many items requested for the BatchGetItem call." so a final period is accepted.
- "1 validation error detected: Value '[...]' at 'requestItems.<t>.member.keys' failed to satisfy
  constraint: Member must have length less than or equal to 100" — dynalite. moto's copy leaves out the
  "'[...]' " value; both forms are accepted (the value is Java's rendering of the list, so it is matched
  by pattern).
- "1 validation error detected: Value '{...}' at 'requestItems' failed to satisfy constraint: Map value
  must satisfy constraint: [Member must have length less than or equal to 25, Member must have length
  greater than or equal to 1]" — dynalite (over 25 requests for a table, or none).
- "1 validation error detected: Value '{...}' at 'requestItems' failed to satisfy constraint: Map keys must
  satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater
  than or equal to 1]" for an empty table name: the keys are AWS's TableArn shape since 2024 (names or
  ARNs); dynalite's older recording had TableName's 3..255 and pattern (checked before the requests'
  contents).
- "... Value null at 'requestItems' ... Member must not be null" — dynalite (both operations). An empty
  RequestItems: dynalite recorded "1 validation error detected: Value '{}' at 'requestItems' failed to
  satisfy constraint: Member must have length greater than or equal to 1"; newer recordings (issue 17)
  "The requestItems parameter is required for BatchGetItem" (BatchWriteItem likewise): the newer wins.
- 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported
  datatypes' (sic) for a WriteRequest with neither PutRequest nor DeleteRequest — dynalite. For one with
  both, no public source gives the text: only ValidationException is asserted.
- 'The provided key element does not match the schema' for keys, and also for PutRequest items whose key
  attributes are missing or mistyped (unlike PutItem's 'Missing the key' text) — dynalite.
- 'Requested resource not found' — dynalite, moto test_dynamodb_exceptions.py.
- Item-level messages as PutItem ('Item size has exceeded the maximum allowed size', '... Size of hashkey
  has exceeded the maximum size limit of2048 bytes', 'Number overflow. ...', the empty-key-string text) —
  dynalite batchWriteItem.js, moto test_batch_put_item_with_empty_value; the item-size text is accepted
  with or without the '1 validation error detected: ' envelope as in test_item_validation.py.
- 'One or more parameter values were invalid: Duplicate value in attribute name: a', 'Can not use both
  expression and non-expression parameters ...', 'Value provided in ExpressionAttributeNames unused in
  expressions: keys: {#u}' — dynalite batchGetItem.js / validations, scylladb (unused name).
"""
import boto3
import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
RNF = "ResourceNotFoundException"
NOT_FOUND = "Requested resource not found"
DUPS = "Provided list of item keys contains duplicates"
NO_MATCH = "The provided key element does not match the schema"
KB = 1024
TOO_MANY = r"Too many items requested for the BatchGetItem call\.?"

S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": x}  # noqa: E731


def uniq():
    return du.unique_name("k")


def clean(r):
    r = dict(r)
    r.pop("ResponseMetadata", None)
    return r


def skey(item):
    """Sort key for lists of low-level items."""
    return repr(sorted(item.items()))


def srt(items):
    return sorted(items, key=skey)


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def capacity_by_table(resp):
    """{TableName: CapacityUnits} from a ConsumedCapacity list (AWS may add Read/WriteCapacityUnits)."""
    cc = resp["ConsumedCapacity"]
    assert isinstance(cc, list)
    out = {}
    for e in cc:
        assert e["TableName"] not in out
        out[e["TableName"]] = e["CapacityUnits"]
    return out


@pytest.fixture(scope="module")
def resource(endpoint, region):
    """boto3 resource (for Table.batch_writer) with the same endpoint and credentials as `ddb`."""
    kw = {"endpoint_url": endpoint, "region_name": region}
    if not du.ENDPOINT or boto3.Session().get_credentials() is None:
        kw.update(aws_access_key_id="dummy", aws_secret_access_key="dummy")
    return boto3.resource("dynamodb", **kw)


# ---- BatchWriteItem: behaviour ------------------------------------------------------------------


def test_write_put_and_delete_across_two_tables(ddb, table_s, table_ss):
    p1, p2, p3 = uniq(), uniq(), uniq()
    old_s = {"p": S(p2), "x": S("old")}
    old_ss = {"p": S(p3), "c": S("c"), "x": S("old")}
    ddb.put_item(TableName=table_s, Item=old_s)
    ddb.put_item(TableName=table_ss, Item=old_ss)
    new_s = {"p": S(p1), "a": S("hi"), "n": N("1.50"), "l": {"L": [S("x"), {"NULL": True}]}}
    new_ss = {"p": S(p1), "c": S("c1"), "b": {"B": b"\x00\x01"}, "ss": {"SS": ["a", "b"]}}
    r = ddb.batch_write_item(RequestItems={
        table_s: [{"PutRequest": {"Item": new_s}}, {"DeleteRequest": {"Key": {"p": S(p2)}}}],
        table_ss: [{"DeleteRequest": {"Key": {"p": S(p3), "c": S("c")}}}, {"PutRequest": {"Item": new_ss}}],
    })
    assert clean(r) == {"UnprocessedItems": {}}
    assert get(ddb, table_s, {"p": S(p1)}) == dict(new_s, n=N("1.5"))
    assert get(ddb, table_s, {"p": S(p2)}) is None
    assert get(ddb, table_ss, {"p": S(p1), "c": S("c1")}) == new_ss
    assert get(ddb, table_ss, {"p": S(p3), "c": S("c")}) is None


def test_write_answer_body_is_exactly_unprocessed_items(raw, table_s):
    r = raw.call("BatchWriteItem", {"RequestItems": {table_s: [{"PutRequest": {"Item": {"p": S(uniq())}}}]}})
    assert r.status == 200, r
    assert r.json() == {"UnprocessedItems": {}}


def test_write_put_replaces_whole_item(ddb, table_s):
    k = {"p": S(uniq())}
    ddb.put_item(TableName=table_s, Item=dict(k, a=S("a"), b=S("b")))
    ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": dict(k, c=S("c"))}}]})
    assert get(ddb, table_s, k) == dict(k, c=S("c"))


def test_write_delete_missing_item_is_fine(ddb, table_s):
    r = ddb.batch_write_item(RequestItems={table_s: [{"DeleteRequest": {"Key": {"p": S(uniq())}}}]})
    assert clean(r) == {"UnprocessedItems": {}}


def test_write_25_requests(ddb, table_sn):
    p = uniq()
    items = [{"p": S(p), "c": N(str(i)), "v": S("x" * i)} for i in range(25)]
    r = ddb.batch_write_item(RequestItems={table_sn: [{"PutRequest": {"Item": it}} for it in items]})
    assert clean(r) == {"UnprocessedItems": {}}
    got = ddb.query(TableName=table_sn, KeyConditionExpression="p = :p",
                    ExpressionAttributeValues={":p": S(p)}, ConsistentRead=True)["Items"]
    assert got == items


def test_write_same_key_in_two_tables(ddb, make_table):
    t1, t2 = make_table(), make_table()
    p = uniq()
    r = ddb.batch_write_item(RequestItems={
        t1: [{"PutRequest": {"Item": {"p": S(p), "a": S("hi")}}}],
        t2: [{"PutRequest": {"Item": {"p": S(p), "b": S("hello")}}}],
    })
    assert clean(r) == {"UnprocessedItems": {}}
    assert get(ddb, t1, {"p": S(p)}) == {"p": S(p), "a": S("hi")}
    assert get(ddb, t2, {"p": S(p)}) == {"p": S(p), "b": S("hello")}


def test_write_keys_sharing_only_hash_or_range_are_distinct(ddb, table_ss):
    p, q = uniq(), uniq()
    items = [{"p": S(p), "c": S("a")}, {"p": S(p), "c": S("b")}, {"p": S(q), "c": S("a")}]
    ddb.batch_write_item(RequestItems={table_ss: [{"PutRequest": {"Item": it}} for it in items]})
    for it in items:
        assert get(ddb, table_ss, it) == it


def test_write_consumed_capacity_total(ddb, make_table):
    t1, t2 = make_table(), make_table()
    ddb.put_item(TableName=t2, Item={"p": S("gone")})
    r = ddb.batch_write_item(RequestItems={
        t1: [{"PutRequest": {"Item": {"p": S("a")}}}, {"PutRequest": {"Item": {"p": S("b"), "x": S("y")}}}],
        t2: [{"DeleteRequest": {"Key": {"p": S("gone")}}}],
    }, ReturnConsumedCapacity="TOTAL")
    assert r["UnprocessedItems"] == {}
    assert capacity_by_table(r) == {t1: 2.0, t2: 1.0}
    for e in r["ConsumedCapacity"]:
        assert "Table" not in e


def test_write_consumed_capacity_by_size(ddb, make_table):
    t = make_table()
    big = du.sized_item({"p": S("big")}, 2 * KB + 1)  # 3 KB started
    r = ddb.batch_write_item(RequestItems={t: [{"PutRequest": {"Item": big}},
                                               {"PutRequest": {"Item": {"p": S("small")}}}]},
                             ReturnConsumedCapacity="INDEXES")
    assert capacity_by_table(r) == {t: 4.0}
    assert r["ConsumedCapacity"][0]["Table"]["CapacityUnits"] == 4.0


def test_write_consumed_capacity_none(ddb, table_s):
    r = ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": {"p": S(uniq())}}}]},
                             ReturnConsumedCapacity="NONE")
    assert clean(r) == {"UnprocessedItems": {}}


# ---- BatchWriteItem: boto3 batch_writer and the retry loop -------------------------------------


def test_batch_writer_60_items(ddb, resource, table_ss):
    p = uniq()
    table = resource.Table(table_ss)
    items = [{"p": p, "c": f"{i:03d}", "n": i, "s": {"x", str(i)}} for i in range(60)]
    with table.batch_writer() as bw:
        for it in items:
            bw.put_item(Item=it)
    got = []
    kw = {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": S(p)}, "ConsistentRead": True}
    while True:
        r = ddb.query(TableName=table_ss, **kw)
        got += r["Items"]
        if "LastEvaluatedKey" not in r:
            break
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    norm = [dict(g, s={"SS": sorted(g["s"]["SS"])}) for g in got]  # set order is unspecified
    assert norm == [{"p": S(p), "c": S(f"{i:03d}"), "n": N(str(i)), "s": {"SS": sorted({"x", str(i)})}}
                    for i in range(60)]

    # and delete them all again through the writer
    with table.batch_writer() as bw:
        for it in items:
            bw.delete_item(Key={"p": p, "c": it["c"]})
    r = ddb.query(TableName=table_ss, KeyConditionExpression="p = :p",
                  ExpressionAttributeValues={":p": S(p)}, ConsistentRead=True)
    assert r["Items"] == [] and r["Count"] == 0


def test_batch_writer_duplicates_in_one_chunk_are_refused(resource, ddb, table_s):
    p = uniq()
    with raises(VE, DUPS):
        with resource.Table(table_s).batch_writer() as bw:
            bw.put_item(Item={"p": p, "v": 1})
            bw.put_item(Item={"p": p, "v": 2})
    assert get(ddb, table_s, {"p": S(p)}) is None


def test_batch_writer_overwrite_by_pkeys(resource, ddb, table_s):
    p = uniq()
    with resource.Table(table_s).batch_writer(overwrite_by_pkeys=["p"]) as bw:
        bw.put_item(Item={"p": p, "v": 1})
        bw.put_item(Item={"p": p, "v": 2})
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p), "v": N("2")}


def write_until_done(ddb, request_items, max_rounds=50):
    """The SDK documentation's loop: re-send UnprocessedItems until none are left."""
    rounds = 0
    while request_items:
        r = ddb.batch_write_item(RequestItems=request_items)
        assert set(r) - {"ResponseMetadata"} == {"UnprocessedItems"}
        request_items = r["UnprocessedItems"]
        rounds += 1
        assert rounds < max_rounds
    return rounds


def test_write_retry_loop(ddb, table_sn):
    p = uniq()
    items = [{"p": S(p), "c": N(str(i)), "pad": S("y" * 2000)} for i in range(60)]
    for i in range(0, 60, 25):
        write_until_done(ddb, {table_sn: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
    got = []
    kw = {"KeyConditionExpression": "p = :p", "ExpressionAttributeValues": {":p": S(p)}, "ConsistentRead": True}
    while True:
        r = ddb.query(TableName=table_sn, **kw)
        got += r["Items"]
        if "LastEvaluatedKey" not in r:
            break
        kw["ExclusiveStartKey"] = r["LastEvaluatedKey"]
    assert got == items


# ---- BatchWriteItem: validation -----------------------------------------------------------------


@pytest.mark.parametrize("first,second", [
    ("put", "put"), ("delete", "delete"), ("put", "delete"), ("delete", "put")])
def test_write_duplicate_keys(ddb, table_s, table_ss, first, second):
    def req(kind, key, extra):
        return {"PutRequest": {"Item": dict(key, **extra)}} if kind == "put" else {"DeleteRequest": {"Key": key}}
    k = {"p": S(uniq())}
    with raises(VE, DUPS):
        ddb.batch_write_item(RequestItems={table_s: [req(first, k, {"a": S("1")}), req(second, k, {"a": S("2")})]})
    k2 = {"p": S(uniq()), "c": S("x")}
    with raises(VE, DUPS):
        ddb.batch_write_item(RequestItems={table_ss: [
            {"PutRequest": {"Item": {"p": S(uniq()), "c": S("other")}}},
            req(first, k2, {}), req(second, k2, {"z": S("z")})]})
    assert get(ddb, table_s, k) is None
    assert get(ddb, table_ss, k2) is None


def test_write_more_than_25(ddb, table_sn):
    p = uniq()
    reqs = [{"PutRequest": {"Item": {"p": S(p), "c": N(str(i))}}} for i in range(26)]
    with raises(VE, pattern=(
            r"1 validation error detected: Value '\{.+\}' at 'requestItems' failed to satisfy constraint: "
            r"Map value must satisfy constraint: \[Member must have length less than or equal to 25, "
            r"Member must have length greater than or equal to 1\]")):
        ddb.batch_write_item(RequestItems={table_sn: reqs})
    r = ddb.query(TableName=table_sn, KeyConditionExpression="p = :p", ExpressionAttributeValues={":p": S(p)},
                  ConsistentRead=True)
    assert r["Count"] == 0


def test_write_empty_request_list(ddb_noval, table_s):
    with raises(VE, pattern=(
            r"1 validation error detected: Value '\{.+\}' at 'requestItems' failed to satisfy constraint: "
            r"Map value must satisfy constraint: \[Member must have length less than or equal to 25, "
            r"Member must have length greater than or equal to 1\]")):
        ddb_noval.batch_write_item(RequestItems={table_s: []})


def test_write_25_on_missing_table(ddb):
    reqs = [{"PutRequest": {"Item": {"p": S(str(i))}}} if i % 2 else {"DeleteRequest": {"Key": {"p": S(str(i))}}}
            for i in range(25)]
    with raises(RNF, NOT_FOUND):
        ddb.batch_write_item(RequestItems={du.unique_name("missing"): reqs})


def test_write_missing_table_among_existing(ddb, table_s):
    p = uniq()
    with raises(RNF, NOT_FOUND):
        ddb.batch_write_item(RequestItems={
            table_s: [{"PutRequest": {"Item": {"p": S(p)}}}],
            du.unique_name("missing"): [{"PutRequest": {"Item": {"p": S(p)}}}],
        })
    assert get(ddb, table_s, {"p": S(p)}) is None


def test_write_empty_request_items(ddb):
    # the newer recording (issue 17); dynalite's older one was a length constraint on requestItems
    with raises(VE, "The requestItems parameter is required for BatchWriteItem"):
        ddb.batch_write_item(RequestItems={})


def test_write_missing_request_items(raw):
    r = raw.call("BatchWriteItem", {})
    du.check_error(r, VE, "1 validation error detected: Value null at 'requestItems' failed to satisfy "
                   "constraint: Member must not be null")


def test_write_null_table_entry(raw, table_s):
    # 'The batch write request list for a table cannot be null or empty: <t>' — AWS's answer quoted in
    # public projects' logs, dynalite (for an empty list, which the newer shape check now takes)
    r = raw.call("BatchWriteItem", {"RequestItems": {table_s: None}})
    du.check_error(r, VE, f"The batch write request list for a table cannot be null or empty: {table_s}")


@pytest.mark.dynarock_only
def test_get_null_table_entry(raw, table_s):
    # DynamoDB Local's handler text for a table without keys (AWS runs the same handler behind its shape
    # checks, which a null entry passes); AWS's own answer is not recorded: dynarock_only
    r = raw.call("BatchGetItem", {"RequestItems": {table_s: None}})
    du.check_error(r, VE, f"The list of keys in RequestItems for BatchGetItem is required: {table_s} has empty list")


def test_write_request_with_neither_put_nor_delete(ddb, table_s):
    with raises(VE, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of "
                "the supported datatypes"):
        ddb.batch_write_item(RequestItems={table_s: [{}]})


def test_write_request_with_both_put_and_delete(ddb, table_s):
    # No public source records the text; DynamoDB refuses it as a ValidationException.
    p = uniq()
    with raises(VE):
        ddb.batch_write_item(RequestItems={table_s: [
            {"PutRequest": {"Item": {"p": S(p)}}, "DeleteRequest": {"Key": {"p": S(uniq())}}}]})
    assert get(ddb, table_s, {"p": S(p)}) is None


@pytest.mark.parametrize("item", [
    {},                                               # no key at all
    {"q": S("a")},                                    # hash key missing
    {"p": N("1")},                                    # wrong type
    {"p": {"B": b"ab"}},                              # wrong type
    {"p": {"SS": ["a"]}},                             # set type
])
def test_write_put_item_key_does_not_match_schema(ddb, table_s, item):
    with raises(VE, NO_MATCH):
        ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": item}}]})


def test_write_put_item_missing_range_key(ddb, table_ss):
    with raises(VE, NO_MATCH):
        ddb.batch_write_item(RequestItems={table_ss: [{"PutRequest": {"Item": {"p": S(uniq()), "x": S("1")}}}]})


@pytest.mark.parametrize("key", [
    {"p": S("a"), "x": S("a")},                       # extra attribute
    {"q": S("a")},                                    # wrong name
    {"p": N("1")},                                    # wrong type
])
def test_write_delete_key_does_not_match_schema(ddb, table_s, key):
    with raises(VE, NO_MATCH):
        ddb.batch_write_item(RequestItems={table_s: [{"DeleteRequest": {"Key": key}}]})


def test_write_item_too_big(ddb, table_s):
    item = du.sized_item({"p": S(uniq())}, 400 * KB + 1)
    with raises(VE, "Item size has exceeded the maximum allowed size", envelope=True):
        ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": item}}]})


def test_write_item_of_exactly_400kb(ddb, table_s):
    item = du.sized_item({"p": S(uniq())}, 400 * KB)
    assert clean(ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": item}}]})) == \
        {"UnprocessedItems": {}}
    assert get(ddb, table_s, {"p": item["p"]}) == item


def test_write_hash_key_too_big(ddb, table_s):
    with raises(VE, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
                "size limit of2048 bytes"):
        ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": {"p": S("x" * 2049)}}}]})


def test_write_empty_string_key(ddb, table_s):
    with raises(VE, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                "cannot contain an empty string value. Key: p"):
        ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": {"p": S("")}}}]})


def test_write_number_overflow(ddb, table_s):
    with raises(VE, "Number overflow. Attempting to store a number with magnitude larger than supported range"):
        ddb.batch_write_item(RequestItems={table_s: [{"PutRequest": {"Item": {"p": S(uniq()), "n": N("1e126")}}}]})


def test_write_one_bad_request_writes_nothing(ddb, table_s):
    p1, p2 = uniq(), uniq()
    with raises(VE, NO_MATCH):
        ddb.batch_write_item(RequestItems={table_s: [
            {"PutRequest": {"Item": {"p": S(p1)}}},
            {"PutRequest": {"Item": {"p": N("3")}}},
            {"PutRequest": {"Item": {"p": S(p2)}}}]})
    assert get(ddb, table_s, {"p": S(p1)}) is None
    assert get(ddb, table_s, {"p": S(p2)}) is None


# ---- BatchGetItem: behaviour --------------------------------------------------------------------


def test_get_two_tables_projection_and_consistent_read(ddb, table_s, table_ss):
    p = [uniq() for _ in range(4)]
    s_items = [{"p": S(p[0]), "a": S("a0"), "b": N("0"), "m": {"M": {"x": S("x0"), "y": S("y0")}}},
               {"p": S(p[1]), "a": S("a1"), "m": {"M": {"y": S("y1")}}}]
    ss_items = [{"p": S(p[2]), "c": S("1"), "v": S("v1"), "w": S("w1")},
                {"p": S(p[2]), "c": S("2"), "v": S("v2")},
                {"p": S(p[3]), "c": S("1"), "w": S("w3")}]
    for it in s_items:
        ddb.put_item(TableName=table_s, Item=it)
    for it in ss_items:
        ddb.put_item(TableName=table_ss, Item=it)
    r = clean(ddb.batch_get_item(RequestItems={
        table_s: {"Keys": [{"p": S(p[0])}, {"p": S(uniq())}, {"p": S(p[1])}],
                  "ProjectionExpression": "p, #m.x, b", "ExpressionAttributeNames": {"#m": "m"},
                  "ConsistentRead": True},
        table_ss: {"Keys": [{"p": S(p[2]), "c": S("1")}, {"p": S(p[2]), "c": S("2")},
                            {"p": S(p[2]), "c": S("3")}, {"p": S(p[3]), "c": S("1")}],
                   "ConsistentRead": True},
    }))
    assert set(r) == {"Responses", "UnprocessedKeys"}
    assert r["UnprocessedKeys"] == {}
    assert set(r["Responses"]) == {table_s, table_ss}
    assert srt(r["Responses"][table_s]) == srt([
        {"p": S(p[0]), "b": N("0"), "m": {"M": {"x": S("x0")}}},
        {"p": S(p[1])}])
    assert srt(r["Responses"][table_ss]) == srt(ss_items)


def test_get_attributes_to_get_lists_empty_items(ddb, table_s):
    p = [uniq() for _ in range(3)]
    ddb.put_item(TableName=table_s, Item={"p": S(p[0]), "b": N("1"), "c": S("c")})
    ddb.put_item(TableName=table_s, Item={"p": S(p[1]), "b": N("2")})
    ddb.put_item(TableName=table_s, Item={"p": S(p[2])})
    r = ddb.batch_get_item(RequestItems={table_s: {
        "Keys": [{"p": S(x)} for x in p] + [{"p": S(uniq())}], "AttributesToGet": ["b", "c"],
        "ConsistentRead": True}})
    assert srt(r["Responses"][table_s]) == srt([{"b": N("1"), "c": S("c")}, {"b": N("2")}, {}])
    assert r["UnprocessedKeys"] == {}


def test_get_all_keys_missing(ddb, table_s, table_ss):
    r = clean(ddb.batch_get_item(RequestItems={
        table_s: {"Keys": [{"p": S(uniq())}]},
        table_ss: {"Keys": [{"p": S(uniq()), "c": S(uniq())}], "ConsistentRead": True}}))
    assert r == {"Responses": {table_s: [], table_ss: []}, "UnprocessedKeys": {}}


def test_get_eventually_consistent_default(ddb, table_s):
    item = {"p": S(uniq()), "v": S("x")}
    ddb.put_item(TableName=table_s, Item=item)
    for _ in range(50):  # eventual consistency may lag on AWS
        r = ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": item["p"]}]}})
        if r["Responses"][table_s]:
            break
    assert r["Responses"][table_s] == [item]


def test_get_same_key_in_two_tables(ddb, make_table):
    t1, t2 = make_table(), make_table()
    ddb.put_item(TableName=t1, Item={"p": S("k"), "t": S("1")})
    ddb.put_item(TableName=t2, Item={"p": S("k"), "t": S("2")})
    r = ddb.batch_get_item(RequestItems={t1: {"Keys": [{"p": S("k")}], "ConsistentRead": True},
                                         t2: {"Keys": [{"p": S("k")}], "ConsistentRead": True}})
    assert r["Responses"] == {t1: [{"p": S("k"), "t": S("1")}], t2: [{"p": S("k"), "t": S("2")}]}


def test_get_100_keys(ddb, table_sn):
    p = uniq()
    for i in range(0, 100, 25):
        ddb.batch_write_item(RequestItems={table_sn: [
            {"PutRequest": {"Item": {"p": S(p), "c": N(str(j))}}} for j in range(i, i + 25)]})
    r = ddb.batch_get_item(RequestItems={table_sn: {
        "Keys": [{"p": S(p), "c": N(str(j))} for j in range(100)], "ConsistentRead": True}})
    assert r["UnprocessedKeys"] == {}
    assert sorted(int(it["c"]["N"]) for it in r["Responses"][table_sn]) == list(range(100))


def test_get_consumed_capacity(ddb, make_table):
    t1, t2 = make_table(), make_table(**du.key_schema("p", "N"))
    ddb.put_item(TableName=t1, Item={"p": S("a"), "x": S("y" * 100)})
    ddb.put_item(TableName=t1, Item={"p": S("b")})
    keys1 = [{"p": S("a")}, {"p": S("b")}, {"p": S("missing")}]
    keys2 = [{"p": N("7")}]
    r = ddb.batch_get_item(RequestItems={t1: {"Keys": keys1}, t2: {"Keys": keys2}}, ReturnConsumedCapacity="TOTAL")
    assert capacity_by_table(r) == {t1: 1.5, t2: 0.5}
    assert all("Table" not in e for e in r["ConsumedCapacity"])
    r = ddb.batch_get_item(RequestItems={t1: {"Keys": keys1, "ConsistentRead": True},
                                         t2: {"Keys": keys2, "ConsistentRead": True}},
                           ReturnConsumedCapacity="INDEXES")
    assert capacity_by_table(r) == {t1: 3.0, t2: 1.0}
    for e in r["ConsumedCapacity"]:
        assert e["Table"]["CapacityUnits"] == e["CapacityUnits"]
    r = ddb.batch_get_item(RequestItems={t1: {"Keys": keys1}}, ReturnConsumedCapacity="NONE")
    assert "ConsumedCapacity" not in r


def test_get_consumed_capacity_rounds_each_item_to_4kb(ddb, make_table):
    t = make_table()
    big = du.sized_item({"p": S("big")}, 4 * KB + 1)   # 2 units consistent
    ddb.put_item(TableName=t, Item=big)
    ddb.put_item(TableName=t, Item={"p": S("small")})
    r = ddb.batch_get_item(RequestItems={t: {"Keys": [{"p": S("big")}, {"p": S("small")}], "ConsistentRead": True}},
                           ReturnConsumedCapacity="TOTAL")
    assert capacity_by_table(r) == {t: 3.0}


def read_until_done(ddb, request_items, max_rounds=50):
    """The SDK documentation's loop: re-send UnprocessedKeys until none are left; returns (items, rounds)."""
    got, rounds, first = {}, 0, None
    while request_items:
        r = ddb.batch_get_item(RequestItems=request_items)
        first = first or r
        for t, items in r["Responses"].items():
            got.setdefault(t, []).extend(items)
        request_items = r["UnprocessedKeys"]
        for t, spec in request_items.items():
            assert spec["Keys"], spec
        rounds += 1
        assert rounds < max_rounds
    return got, rounds, first


def test_get_over_16mb_returns_unprocessed_keys(ddb, make_table, resource):
    # 60 items of 300 KB: 18 MB, more than one answer may carry. DynamoDB answers part of them and puts
    # the rest, with the table's other parameters (ConsistentRead), in UnprocessedKeys.
    t = make_table()
    pad = "z" * (300 * KB)
    with resource.Table(t).batch_writer() as bw:
        for i in range(60):
            bw.put_item(Item={"p": f"k{i:02d}", "filler": pad})
    keys = [{"p": S(f"k{i:02d}")} for i in range(60)]
    r = ddb.batch_get_item(RequestItems={t: {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": "p, #f",
                                             "ExpressionAttributeNames": {"#f": "filler"}}})
    first = r["Responses"][t]
    unprocessed = r["UnprocessedKeys"]
    assert 0 < len(first) < 60
    assert set(unprocessed) == {t}
    assert unprocessed[t]["ConsistentRead"] is True
    assert unprocessed[t]["ProjectionExpression"] == "p, #f"   # re-sent below, so its names come along
    assert len(first) + len(unprocessed[t]["Keys"]) == 60
    assert {it["p"]["S"] for it in first}.isdisjoint({k["p"]["S"] for k in unprocessed[t]["Keys"]})
    got, rounds, _ = read_until_done(ddb, unprocessed)
    allp = sorted([it["p"]["S"] for it in first] + [it["p"]["S"] for it in got[t]])
    assert allp == [f"k{i:02d}" for i in range(60)]
    assert all(it == {"p": it["p"], "filler": S(pad)} for it in first + got[t])
    # "so as not to exceed the 16 MB limit": the first answer holds at most 16 MB of items
    assert sum(du.item_size(it) for it in first) <= 16 * KB * KB


# ---- BatchGetItem: validation -------------------------------------------------------------------


def test_get_more_than_100_keys_for_a_table(ddb, table_s):
    # dynalite records the list's value in the message; moto's copy leaves it out: both accepted.
    keys = [{"p": S(str(i))} for i in range(101)]
    with raises(VE, pattern=(
            r"1 validation error detected: Value (?:'\[.+\]' )?at 'requestItems\." + table_s +
            r"\.member\.keys' failed to satisfy constraint: Member must have length less than or equal to 100")):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": keys}})


def test_get_more_than_100_keys_in_total(ddb, table_s, table_ss):
    # The API reference quotes the text with a final period inside the quotes; dynalite and moto have none.
    with raises(VE, pattern=TOO_MANY):
        ddb.batch_get_item(RequestItems={
            table_s: {"Keys": [{"p": S(str(i))} for i in range(100)]},
            table_ss: {"Keys": [{"p": S("x"), "c": S("y")}]}})
    with raises(VE, pattern=TOO_MANY):
        ddb.batch_get_item(RequestItems={
            table_s: {"Keys": [{"p": S(str(i))} for i in range(60)]},
            table_ss: {"Keys": [{"p": S("x"), "c": S(str(i))} for i in range(60)]}})


def test_get_100_keys_on_missing_table(ddb):
    with raises(RNF, NOT_FOUND):
        ddb.batch_get_item(RequestItems={du.unique_name("missing"): {"Keys": [{"p": S(str(i))} for i in range(100)]}})


def test_get_missing_table(ddb, table_s):
    with raises(RNF, NOT_FOUND):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": S("a")}]},
                                         du.unique_name("missing"): {"Keys": [{"p": S("a")}]}})


def test_get_missing_table_checked_before_key_schema(ddb):
    with raises(RNF, NOT_FOUND):
        ddb.batch_get_item(RequestItems={du.unique_name("missing"): {"Keys": [{}]}})


@pytest.mark.parametrize("keys", [
    [{"p": S("a")}, {"p": S("a")}],
    [{"p": S("a")}, {"p": S("b")}, {"p": S("a")}],
])
def test_get_duplicate_keys(ddb, table_s, keys):
    with raises(VE, DUPS):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": keys}})


def test_get_duplicate_keys_hash_range(ddb, table_ss):
    p = uniq()
    with raises(VE, DUPS):
        ddb.batch_get_item(RequestItems={table_ss: {"Keys": [{"p": S(p), "c": S("c")}, {"c": S("c"), "p": S(p)}]}})
    r = ddb.batch_get_item(RequestItems={table_ss: {"Keys": [{"p": S(p), "c": S("c")}, {"p": S(p), "c": S("d")}]}})
    assert r["Responses"] == {table_ss: []}


def test_get_empty_request_items(ddb):
    # the newer recording (issue 17); dynalite's older one was a length constraint on requestItems
    with raises(VE, "The requestItems parameter is required for BatchGetItem"):
        ddb.batch_get_item(RequestItems={})


def test_get_missing_request_items(raw):
    r = raw.call("BatchGetItem", {})
    du.check_error(r, VE, "1 validation error detected: Value null at 'requestItems' failed to satisfy "
                   "constraint: Member must not be null")


def test_get_empty_keys(ddb_noval, table_s):
    with raises(VE, "1 validation error detected: Value '[]' at 'requestItems." + table_s + ".member.keys' "
                "failed to satisfy constraint: Member must have length greater than or equal to 1"):
        ddb_noval.batch_get_item(RequestItems={table_s: {"Keys": []}})


@pytest.mark.parametrize("key", [
    {},
    {"p": S("a")},                                       # range key missing
    {"c": S("a")},                                       # hash key missing
    {"p": S("a"), "c": S("a"), "x": S("a")},             # extra attribute
    {"p": S("a"), "d": S("a")},                          # wrong name
    {"p": N("1"), "c": S("a")},                          # wrong hash type
    {"p": S("a"), "c": {"B": b"a"}},                     # wrong range type
    {"p": S("a"), "c": {"SS": ["a"]}},                   # set type
])
def test_get_key_does_not_match_schema(ddb, table_ss, key):
    with raises(VE, NO_MATCH):
        ddb.batch_get_item(RequestItems={table_ss: {"Keys": [{"p": S(uniq()), "c": S("ok")}, key]}})


def test_get_hash_key_too_big(ddb, table_s):
    with raises(VE, "One or more parameter values were invalid: Size of hashkey has exceeded the maximum "
                "size limit of2048 bytes"):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": S("x" * 2049)}]}})


def test_get_attributes_to_get_and_projection(ddb, table_s):
    with raises(VE, "Can not use both expression and non-expression parameters in the same request: "
                "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": S("a")}], "AttributesToGet": ["a"],
                                                   "ProjectionExpression": "a"}})


def test_get_attributes_to_get_duplicates(ddb, table_s):
    with raises(VE, "One or more parameter values were invalid: Duplicate value in attribute name: a"):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": S("x")}], "AttributesToGet": ["a", "a"]}})


def test_get_unused_expression_attribute_name(ddb, table_s):
    with raises(VE, "Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}"):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": S("x")}], "ProjectionExpression": "#p",
                                                   "ExpressionAttributeNames": {"#p": "p", "#u": "u"}}})


def test_get_undefined_expression_attribute_name(ddb, table_s):
    with raises(VE, "Invalid ProjectionExpression: An expression attribute name used in the document path is "
                "not defined; attribute name: #q", envelope=True):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [{"p": S("x")}], "ProjectionExpression": "#q"}})


EMPTY_NAME = (r"1 validation error detected: Value '\{.*\}' at 'requestItems' failed to satisfy constraint: "
              r"Map keys must satisfy constraint: \[Member must have length less than or equal to 1024, "
              r"Member must have length greater than or equal to 1\]")


def test_write_short_table_name(ddb_noval):
    # RequestItems keys are table names or ARNs (AWS's TableArn shape: length 1 to 1024, no pattern), so
    # a short name is looked up (dynalite's older recording refused it with the TableName pattern). The
    # request-shape check of the map keys comes before the per-request checks, so the empty
    # WriteRequest is not what gets reported.
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb_noval.batch_write_item(RequestItems={"ab": [{"PutRequest": {"Item": {"p": S("a")}}}]})
    with raises(VE, pattern=EMPTY_NAME):
        ddb_noval.batch_write_item(RequestItems={"": [{}]})


def test_get_short_table_name(ddb_noval):
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb_noval.batch_get_item(RequestItems={"ab": {"Keys": [{"p": S("a")}]}})
    with raises(VE, pattern=EMPTY_NAME):
        ddb_noval.batch_get_item(RequestItems={"": {"Keys": [{"p": S("a")}]}})
