"""PartiQL, ExecuteStatement: INSERT, SELECT (by key, key conditions, IN, Scan, projections, ORDER BY, an
index), parameters of every type, paging with Limit and NextToken, UPDATE (SET, REMOVE, set_add,
set_delete, list_append, arithmetic, RETURNING), DELETE, and the errors of each.
BatchExecuteStatement, ExecuteTransaction, indexes and streams are in test_partiql_batch_txn.py.

Facts (behaviour):
- botocore service model (ExecuteStatement): Items is "empty for the write operations"; Limit is "the
  maximum number of items to evaluate (not necessarily the number of matching items)", so a page may
  hold fewer items than Limit and still carry a NextToken; ConditionalCheckFailedException has an Item.
- getmoto/moto test_dynamodb_statements.py (aws_verified): a successful INSERT answers {"Items": []}; a
  SELECT by a key that has no item answers {"Items": []}; a projected attribute the item lacks gives {}.
- AWS Developer Guide, PartiQL UPDATE / DELETE: an UPDATE whose WHERE matches no item, or whose extra
  conditions are false, fails with ConditionalCheckFailedException; a DELETE of a missing key succeeds
  with nothing deleted; UPDATE takes RETURNING ALL|MODIFIED OLD|NEW *, DELETE RETURNING ALL OLD *, and
  the item comes back as the one entry of Items (the guide's DELETE example).
- nubo-db/dynoxide executor (notes from captures against AWS eu-west-2): a dotted projection path comes
  back under its last name, a list-index path under the name as written (`l[0]`); an empty MODIFIED
  projection and a DELETE ... RETURNING ALL OLD * of a missing key give Items == [];
  ConsistentRead on a global secondary index is refused. Paging goes through NextToken (dynoxide and a
  Java emulator characterised on AWS eu-west-1, 2026-09-03).
- DynamoDB Developer Guide, secondary indexes: a local secondary index allows strongly consistent reads; a
  read of a KEYS_ONLY index returns the table's and the index's key attributes.
- DynamoDB Local (decompiled): key equalities become key conditions, the rest a filter; an UPDATE adds
  attribute_exists(<hash key>) to its condition; ReturnValuesOnConditionCheckFailure ALL_OLD puts the
  old item in the ConditionalCheckFailedException body (also recorded on DynamoDB Local, xo/dbimp).
- ConsumedCapacity (dynoxide, captured on AWS eu-west-2 2026-08-15): one object, not a list; a PartiQL
  INSERT costs what the equivalent PutItem does; a keyed SELECT 0.5 units, 1 with ConsistentRead.
- API reference, ExecuteStatement: "A single SELECT statement response can return up to the maximum number
  of items (if using the Limit parameter) or a maximum of 1 MB of data"; DynamoDB Local counts that 1 MB
  over the whole statement (decompiled SelectStatementProcessor; recorded: 300 items of 4000 bytes give
  262 items and a NextToken, then 38).
- Debian's botocore predates ReturnValuesOnConditionCheckFailure on ExecuteStatement: that test sends
  raw JSON.

Messages:
- 'Duplicate primary key exists in table' (DuplicateItemException) — the AWS CLI example in the AWS docs
  repository and a Go SDK log from AWS.
- "Statement wasn't well formed, can't be processed: Expected data manipulation" for 'SLECT ...' —
  dynoxide PR #149, confirmed against AWS eu-west-2.
- 'Requested resource not found' (a missing table) — moto, localstack's AWS recordings of the same
  text for the item APIs, dynoxide (AWS eu-west-2). DynamoDB Local says otherwise; not asserted.
- 'Strongly consistent read is not supported on Global Secondary Indexes' — dynoxide, captured on AWS
  eu-west-2.
- 'Invalid NextToken' (AWS eu-west-2, 2026-07-29, per dynoxide; same on DynamoDB Local) and 'NextToken
  does not match request' (dynoxide and the Java emulator, both from AWS).
- "Number of parameters in request and statement don't match." — moto and DynamoDB Local (recorded there
  for too few parameters); NOT confirmed by a capture against AWS: asserted anyway.
- "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value
  greater than or equal to 1" — dynoxide, captured on AWS eu-west-2 2026-07-29. A changed Limit with an
  earlier token is accepted (the Java emulator, from AWS).
- 'Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed in DELETE
  statements.' — dynoxide tests (AWS ground truth) and DynamoDB Local's messages.
- 'This operation is not supported on an index' (a write on "T"."I") and 'The table does not have the
  specified index' (no index name on the PartiQL surface) — dynoxide, captured on AWS eu-west-2.
- 'EXISTS can only be used in ExecuteTransaction write requests.' — DynamoDB Local's messages and a test of
  the Java emulator; NOT confirmed by a capture against AWS: asserted anyway.
- 'Where clause does not contain a mandatory equality on all key attributes' — DynamoDB Local's messages
  and dynoxide tests; NOT confirmed by a capture against AWS: asserted anyway.
- 'The conditional request failed' — DynamoDB's ConditionalCheckFailedException text everywhere
  (test_condition_expression.py); for PartiQL from DynamoDB Local's message table.
"""
import json
import time

import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
CCF = "ConditionalCheckFailedException"
CCF_MSG = "The conditional request failed"

S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": str(x)}  # noqa: E731
B = lambda x: {"B": x}  # noqa: E731


def q(name):
    """A table name as PartiQL writes it."""
    return '"' + name + '"'


def run(ddb, statement, params=None, **kw):
    """ExecuteStatement; the answer without ResponseMetadata."""
    if params is not None:
        kw["Parameters"] = params
    r = ddb.execute_statement(Statement=statement, **kw)
    r.pop("ResponseMetadata", None)
    return r


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def norm(v):
    """Sets sorted, for comparing items holding sets."""
    if isinstance(v, dict):
        return {k: (sorted(x) if k in ("SS", "NS", "BS") else norm(x)) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def ordered(items, *names):
    return sorted(items, key=lambda it: tuple(json.dumps(it[n], sort_keys=True) for n in names))


def select_all(ddb, statement, params=None, limit=None, **kw):
    """Every page of a SELECT (following NextToken); returns (items, pages)."""
    items, pages, token = [], [], None
    for _ in range(1000):
        if limit is not None:
            kw["Limit"] = limit
        if token is not None:
            kw["NextToken"] = token
        r = run(ddb, statement, params, **kw)
        assert set(r) <= {"Items", "NextToken"}, r
        pages.append(r["Items"])
        if limit is not None:
            assert len(r["Items"]) <= limit
        items += r["Items"]
        token = r.get("NextToken")
        if token is None:
            return items, pages
    raise AssertionError("SELECT did not end in 1000 pages")


# ---- INSERT and SELECT by key -----------------------------------------------------------------------


def test_insert_then_select_by_full_key(ddb, table_sn):
    p = du.uid()
    t = q(table_sn)
    stmt = (f"INSERT INTO {t} VALUE {{'p': '{p}', 'c': 1.50, 's': 'it''s', 'n': -0.250, 't': true, "
            "'z': null, 'ss': <<'b', 'a'>>, 'ns': <<3, 1>>, 'l': [1, 'x', false], 'm': {'k': 'v', 'e': ''}}")
    assert run(ddb, stmt) == {"Items": []}
    item = {"p": S(p), "c": N("1.5"), "s": S("it's"), "n": N("-0.25"), "t": {"BOOL": True}, "z": {"NULL": True},
            "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "3"]},
            "l": {"L": [N(1), S("x"), {"BOOL": False}]}, "m": {"M": {"k": S("v"), "e": S("")}}}
    assert norm(get(ddb, table_sn, {"p": S(p), "c": N("1.5")})) == norm(item)
    r = run(ddb, f"SELECT * FROM {t} WHERE p = '{p}' AND c = 1.5")
    assert norm(r) == norm({"Items": [item]})
    r = run(ddb, f'SELECT * FROM {t} WHERE "p" = ? AND "c" = ?', [S(p), N("1.5")], ConsistentRead=True)
    assert norm(r) == norm({"Items": [item]})


def test_select_missing_item(ddb, table_sn):
    assert run(ddb, f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = ?", [S(du.uid()), N(1)]) == {"Items": []}


def test_insert_existing_key_is_duplicate(ddb, table_sn):
    p = du.uid()
    t = q(table_sn)
    run(ddb, f"INSERT INTO {t} VALUE {{'p': ?, 'c': 1, 'v': 'first'}}", [S(p)])
    with raises("DuplicateItemException", "Duplicate primary key exists in table"):
        run(ddb, f"INSERT INTO {t} VALUE {{'p': ?, 'c': 1, 'v': 'second'}}", [S(p)])
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == {"p": S(p), "c": N(1), "v": S("first")}


# ---- key conditions, IN, Scan, projections, ORDER BY --------------------------------------------------


@pytest.fixture
def partition(ddb, table_sn):
    """Five items c = 1..5 in one new partition of table_sn; returns (table, p, items)."""
    p = du.uid()
    items = [{"p": S(p), "c": N(c), "v": S(f"v{c}")} for c in range(1, 6)]
    for it in items:
        ddb.put_item(TableName=table_sn, Item=it)
    return table_sn, p, items


@pytest.mark.parametrize("cond,params,want", [
    ("c = ?", [N(3)], [3]),
    ("c < ?", [N(3)], [1, 2]),
    ("c <= ?", [N(3)], [1, 2, 3]),
    ("c > 3", [], [4, 5]),
    ("c BETWEEN ? AND ?", [N(2), N(4)], [2, 3, 4]),
    ("c >= 2 AND v <> 'v3'", [], [2, 4, 5]),
    ("v = 'v5'", [], [5]),
])
def test_sort_key_conditions(ddb, partition, cond, params, want):
    table, p, items = partition
    r = run(ddb, f"SELECT * FROM {q(table)} WHERE p = ? AND {cond}", [S(p)] + params)
    assert r == {"Items": [items[c - 1] for c in want]}


def test_begins_with_on_sort_key(ddb, table_ss):
    p = du.uid()
    items = [{"p": S(p), "c": S(c)} for c in ("a", "ab", "abc", "b", "ba")]
    for it in items:
        ddb.put_item(TableName=table_ss, Item=it)
    r = run(ddb, f"SELECT * FROM {q(table_ss)} WHERE p = ? AND begins_with(c, ?)", [S(p), S("ab")])
    assert r == {"Items": [items[1], items[2]]}
    r = run(ddb, f"SELECT c FROM {q(table_ss)} WHERE p = ? AND begins_with(\"c\", 'b')", [S(p)])
    assert r == {"Items": [{"c": S("b")}, {"c": S("ba")}]}


def test_in_on_partition_key(ddb, table_sn):
    ps = [du.uid() for _ in range(3)]
    items = [{"p": S(p), "c": N(c)} for p in ps for c in (1, 2)]
    for it in items:
        ddb.put_item(TableName=table_sn, Item=it)
    r = run(ddb, f"SELECT * FROM {q(table_sn)} WHERE p IN [?, ?, ?]", [S(ps[0]), S(ps[2]), S(du.uid())])
    assert set(r) == {"Items"}
    assert ordered(r["Items"], "p", "c") == ordered([it for it in items if it["p"]["S"] != ps[1]], "p", "c")
    r = run(ddb, f"SELECT * FROM {q(table_sn)} WHERE p IN ('{ps[1]}', 'none') AND c = 2")
    assert r == {"Items": [{"p": S(ps[1]), "c": N(2)}]}


def test_scan_with_filter(ddb, make_table):
    t = make_table()
    items = [{"p": S(f"k{i}"), "x": N(i % 3), "tag": S("odd" if i % 2 else "even")} for i in range(12)]
    for it in items:
        ddb.put_item(TableName=t, Item=it)
    r = run(ddb, f"SELECT * FROM {q(t)} WHERE x = ? AND tag = 'even'", [N(0)])
    assert set(r) == {"Items"}
    assert ordered(r["Items"], "p") == ordered([it for it in items if it["x"] == N(0) and it["tag"] == S("even")],
                                               "p")
    r = run(ddb, f"SELECT p FROM {q(t)} WHERE x > 1 OR tag = 'none'")
    assert ordered(r["Items"], "p") == ordered([{"p": it["p"]} for it in items if it["x"] == N(2)], "p")
    r = run(ddb, f"SELECT * FROM {q(t)}")
    assert ordered(r["Items"], "p") == ordered(items, "p")


def test_projection_shape(ddb, table_sn):
    p = du.uid()
    item = {"p": S(p), "c": N(1), "a": S("x"), "b": {"M": {"c": N(7), "d": N(8)}},
            "l": {"L": [S("first"), S("second")]}, "m": {"M": {"k": {"L": [N(1), N(2)]}}}}
    ddb.put_item(TableName=table_sn, Item=item)
    t = q(table_sn)
    r = run(ddb, f"SELECT a, b.c, l[0] FROM {t} WHERE p = ? AND c = 1", [S(p)])
    assert r == {"Items": [{"a": S("x"), "c": N(7), "l[0]": S("first")}]}
    r = run(ddb, f'SELECT "m"."k", c FROM {t} WHERE p = ? AND c = 1', [S(p)])
    assert r == {"Items": [{"k": {"L": [N(1), N(2)]}, "c": N(1)}]}
    r = run(ddb, f"SELECT nothere FROM {t} WHERE p = ? AND c = 1", [S(p)])
    assert r == {"Items": [{}]}


def test_order_by(ddb, partition):
    table, p, items = partition
    r = run(ddb, f"SELECT * FROM {q(table)} WHERE p = ? ORDER BY c DESC", [S(p)])
    assert r == {"Items": items[::-1]}
    r = run(ddb, f"SELECT c FROM {q(table)} WHERE p = ? AND c > 2 ORDER BY c ASC", [S(p)])
    assert r == {"Items": [{"c": N(3)}, {"c": N(4)}, {"c": N(5)}]}
    r = run(ddb, f"SELECT c FROM {q(table)} WHERE p = ? AND c < 3 ORDER BY c DESC", [S(p)])
    assert r == {"Items": [{"c": N(2)}, {"c": N(1)}]}


GSI_TABLE = dict(
    KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                          {"AttributeName": "g", "AttributeType": "S"},
                          {"AttributeName": "r", "AttributeType": "N"}],
    GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                 {"AttributeName": "r", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}])


def eventually(fn, want, tries=100):
    """fn() until it returns `want` (global indexes are eventually consistent on AWS); the last answer."""
    for _ in range(tries):
        got = fn()
        if got == want:
            return got
        time.sleep(0.2 if du.is_real_aws() else 0.01)
    return got


def test_index_read(ddb, make_table):
    t = make_table(**GSI_TABLE)
    items = [{"p": S(f"k{i}"), "g": S("G" if i < 3 else "H"), "r": N(i)} for i in range(5)]
    for it in items:
        ddb.put_item(TableName=t, Item=it)
    stmt = f'SELECT * FROM {q(t)}."by_g" WHERE g = ?'
    assert eventually(lambda: run(ddb, stmt, [S("G")]), {"Items": items[:3]}) == {"Items": items[:3]}
    want = {"Items": [{"p": S("k1")}]}
    got = eventually(lambda: run(ddb, f'SELECT p FROM {q(t)}."by_g" WHERE g = ? AND r = 1', [S("G")]), want)
    assert got == want
    want = {"Items": [items[4], items[3]]}
    got = eventually(lambda: run(ddb, f'SELECT * FROM {q(t)}."by_g" WHERE g = ? ORDER BY r DESC', [S("H")]), want)
    assert got == want
    with raises(VE, "Strongly consistent read is not supported on Global Secondary Indexes"):
        run(ddb, stmt, [S("G")], ConsistentRead=True)
    with raises(VE, "Strongly consistent read is not supported on Global Secondary Indexes"):
        run(ddb, f'SELECT * FROM {q(t)}."by_g"', ConsistentRead=True)


def test_local_and_keys_only_indexes(ddb, make_table):
    t = make_table(
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                              {"AttributeName": "c", "AttributeType": "N"},
                              {"AttributeName": "x", "AttributeType": "N"},
                              {"AttributeName": "g", "AttributeType": "S"}],
        LocalSecondaryIndexes=[{"IndexName": "by_x", "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"},
                                                                    {"AttributeName": "x", "KeyType": "RANGE"}],
                                "Projection": {"ProjectionType": "ALL"}}],
        GlobalSecondaryIndexes=[{"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    items = [{"p": S("a"), "c": N(c), "x": N(10 - c), "g": S("G"), "v": S(f"v{c}")} for c in range(4)]
    for it in items:
        ddb.put_item(TableName=t, Item=it)
    # a local index allows ConsistentRead
    r = run(ddb, f'SELECT * FROM {q(t)}."by_x" WHERE p = ? AND x >= 8', [S("a")], ConsistentRead=True)
    assert r == {"Items": [items[2], items[1], items[0]]}
    # SELECT * on a KEYS_ONLY index gives the keys of the table and of the index
    want = [{"p": S("a"), "c": N(c), "g": S("G")} for c in range(4)]
    got = eventually(lambda: ordered(run(ddb, f'SELECT * FROM {q(t)}."keys" WHERE g = ?', [S("G")])["Items"], "c"),
                     want)
    assert got == want


def test_index_errors(ddb, make_table):
    t = make_table(**GSI_TABLE)
    ddb.put_item(TableName=t, Item={"p": S("a"), "g": S("G"), "r": N(1)})
    for stmt in (f"UPDATE {q(t)}.\"by_g\" SET x = 1 WHERE p = 'a'", f"DELETE FROM {q(t)}.\"by_g\" WHERE p = 'a'",
                 f"INSERT INTO {q(t)}.\"by_g\" VALUE {{'p': 'b'}}"):
        with raises(VE, "This operation is not supported on an index"):
            run(ddb, stmt)
    with raises(VE, "The table does not have the specified index"):
        run(ddb, f"SELECT * FROM {q(t)}.\"nope\" WHERE g = 'G'")
    assert get(ddb, t, {"p": S("a")}) == {"p": S("a"), "g": S("G"), "r": N(1)}


def test_consumed_capacity(ddb, table_sn):
    p = du.uid()
    t = q(table_sn)
    r = run(ddb, f"INSERT INTO {t} VALUE {{'p': ?, 'c': 1}}", [S(p)], ReturnConsumedCapacity="TOTAL")
    assert r == {"Items": [], "ConsumedCapacity": {"TableName": table_sn, "CapacityUnits": 1.0}}
    r = run(ddb, f"SELECT * FROM {t} WHERE p = ? AND c = 1", [S(p)], ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == {"TableName": table_sn, "CapacityUnits": 0.5}
    r = run(ddb, f"SELECT * FROM {t} WHERE p = ? AND c = 1", [S(p)], ReturnConsumedCapacity="TOTAL",
            ConsistentRead=True)
    assert r["ConsumedCapacity"] == {"TableName": table_sn, "CapacityUnits": 1.0}
    r = run(ddb, f"SELECT * FROM {t} WHERE p = ? AND c = 1", [S(p)])
    assert "ConsumedCapacity" not in r


# ---- parameters -------------------------------------------------------------------------------------


def test_parameters_of_every_type(ddb, table_sb):
    p = du.uid()
    ck = b"\x00\xffkey"
    vals = {"s": S("h\u00e9llo"), "n": N("-12.5"), "b": B(b"\x01\x02\x00"), "t": {"BOOL": False},
            "z": {"NULL": True}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
            "bs": {"BS": [b"\x01", b"\x02"]}, "l": {"L": [S("a"), N(1), B(b"\x03")]},
            "m": {"M": {"inner": {"M": {"q": {"NULL": True}}}, "bb": B(b"\xfe")}}}
    names = list(vals)
    stmt = (f"INSERT INTO {q(table_sb)} VALUE {{'p': ?, 'c': ?, "
            + ", ".join(f"'{n}': ?" for n in names) + "}")
    assert run(ddb, stmt, [S(p), B(ck)] + [vals[n] for n in names]) == {"Items": []}
    item = dict({"p": S(p), "c": B(ck)}, **vals)
    assert norm(get(ddb, table_sb, {"p": S(p), "c": B(ck)})) == norm(item)
    r = run(ddb, f"SELECT * FROM {q(table_sb)} WHERE p = ? AND c = ?", [S(p), B(ck)])
    assert norm(r) == norm({"Items": [item]})
    # every type compared through a parameter in the WHERE
    for n in ("s", "n", "b", "t", "l", "m"):
        r = run(ddb, f'SELECT c FROM {q(table_sb)} WHERE p = ? AND "{n}" = ?', [S(p), vals[n]])
        assert r == {"Items": [{"c": B(ck)}]}, n
    r = run(ddb, f"SELECT c FROM {q(table_sb)} WHERE p = ? AND b = ?", [S(p), B(b"\x01\x02")])
    assert r == {"Items": []}


def test_parameter_count_mismatch(ddb, table_sn):
    with raises(VE, "Number of parameters in request and statement don't match."):
        run(ddb, f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = ?", [S("a")])
    with raises(VE, "Number of parameters in request and statement don't match."):
        run(ddb, f"INSERT INTO {q(table_sn)} VALUE {{'p': ?, 'c': ?}}", [S(du.uid())])
    with raises(VE, "Number of parameters in request and statement don't match."):
        run(ddb, f"SELECT * FROM {q(table_sn)} WHERE p = ?")


# ---- paging -----------------------------------------------------------------------------------------


def test_paging_across_partitions_with_in(ddb, table_sn):
    ps = [du.uid() for _ in range(3)]
    items = [{"p": S(p), "c": N(c), "v": S(p + str(c))} for p in ps for c in range(4)]
    for it in items:
        ddb.put_item(TableName=table_sn, Item=it)
    stmt = f"SELECT * FROM {q(table_sn)} WHERE p IN [?, ?, ?]"
    params = [S(p) for p in ps]
    for limit in (1, 3, 5, 12, 13):
        got, pages = select_all(ddb, stmt, params, limit=limit)
        assert ordered(got, "p", "c") == ordered(items, "p", "c"), limit
        assert len(pages) >= -(-len(items) // limit)
    # the items of one partition come in sort-key order, whatever the paging
    got, _ = select_all(ddb, stmt, params, limit=2)
    for p in ps:
        assert [it["c"] for it in got if it["p"] == S(p)] == [N(c) for c in range(4)]
    # a filter: pages may be short or empty, every match still comes exactly once
    got, _ = select_all(ddb, f"SELECT * FROM {q(table_sn)} WHERE p IN [?, ?, ?] AND c >= 2", params, limit=3)
    assert ordered(got, "p", "c") == ordered([it for it in items if int(it["c"]["N"]) >= 2], "p", "c")
    got, _ = select_all(ddb, f"SELECT * FROM {q(table_sn)} WHERE p IN [?, ?, ?] AND v = ?",
                        params + [S(ps[1] + "3")], limit=2)
    assert got == [items[7]]


def test_paging_scan(ddb, make_table):
    t = make_table()
    items = [{"p": S(f"k{i:02}"), "x": N(i)} for i in range(17)]
    for it in items:
        ddb.put_item(TableName=t, Item=it)
    for limit in (1, 4, 17, 100):
        got, pages = select_all(ddb, f"SELECT * FROM {q(t)}", limit=limit)
        assert ordered(got, "p") == ordered(items, "p"), limit
        assert len(pages) >= -(-len(items) // limit)
    got, _ = select_all(ddb, f"SELECT p FROM {q(t)} WHERE x < ?", [N(5)], limit=3)
    assert ordered(got, "p") == [{"p": it["p"]} for it in items[:5]]
    got, _ = select_all(ddb, f"SELECT * FROM {q(t)}")
    assert ordered(got, "p") == ordered(items, "p")


def test_one_megabyte_pages(ddb, table_sn):
    """Without Limit a page stops after 1 MB read, and the 1 MB is per response, not per partition of an IN."""
    ps = [du.uid() for _ in range(2)]
    items = [du.sized_item({"p": S(p), "c": N(c)}, 100 * 1024) for p in ps for c in range(15)]
    for it in items:
        ddb.put_item(TableName=table_sn, Item=it)
    stmt = f"SELECT p, c FROM {q(table_sn)} WHERE p = ?"
    got, pages = select_all(ddb, stmt, [S(ps[0])])
    # 10 items are 1,000 KB, the 11th crosses 1 MB (test_query.py: both 10 and 11 are accepted)
    assert len(pages[0]) in (10, 11)
    assert got == [{"p": S(ps[0]), "c": N(c)} for c in range(15)]
    got, pages = select_all(ddb, f"SELECT p, c FROM {q(table_sn)} WHERE p IN [?, ?]", [S(p) for p in ps])
    assert ordered(got, "p", "c") == ordered([{"p": it["p"], "c": it["c"]} for it in items], "p", "c")
    assert max(len(pg) for pg in pages) <= 11, [len(pg) for pg in pages]


def test_garbage_next_token(ddb, table_sn):
    with raises(VE, "Invalid NextToken"):
        run(ddb, f"SELECT * FROM {q(table_sn)} WHERE p = ?", [S("a")], NextToken="this-is-not-a-token")


def test_next_token_of_another_statement(ddb, table_sn):
    p = du.uid()
    for c in range(3):
        ddb.put_item(TableName=table_sn, Item={"p": S(p), "c": N(c)})
    stmt = f"SELECT * FROM {q(table_sn)} WHERE p = ?"
    r = run(ddb, stmt, [S(p)], Limit=1)
    assert r["Items"] == [{"p": S(p), "c": N(0)}]
    tok = r["NextToken"]
    with raises(VE, "NextToken does not match request"):
        run(ddb, stmt, [S(du.uid())], NextToken=tok, Limit=1)
    with raises(VE, "NextToken does not match request"):
        run(ddb, f"SELECT c FROM {q(table_sn)} WHERE p = ?", [S(p)], NextToken=tok, Limit=1)
    # a changed Limit goes on with the same token
    r = run(ddb, stmt, [S(p)], NextToken=tok, Limit=5)
    assert r["Items"] == [{"p": S(p), "c": N(1)}, {"p": S(p), "c": N(2)}]


def test_limit_zero(ddb_noval, table_sn):
    with raises(VE, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must "
                "have value greater than or equal to 1"):
        run(ddb_noval, f"SELECT * FROM {q(table_sn)} WHERE p = 'a'", Limit=0)


# ---- UPDATE -----------------------------------------------------------------------------------------


@pytest.fixture
def one(ddb, table_sn):
    """One item in table_sn; returns (table, key, item)."""
    key = {"p": S(du.uid()), "c": N(1)}
    item = dict(key, a=S("x"), n=N(10), r=S("gone"), ss={"SS": ["a", "b"]}, ns={"NS": ["1", "2"]},
                l={"L": [N(1), N(2)]}, m={"M": {"k": S("v")}})
    ddb.put_item(TableName=table_sn, Item=item)
    return table_sn, key, item


def where(key):
    return "WHERE p = ? AND c = ?", [key["p"], key["c"]]


def test_update_set_and_remove(ddb, one):
    table, key, item = one
    w, kp = where(key)
    r = run(ddb, f"UPDATE {q(table)} SET a = ? SET m.k = 'w' REMOVE r SET b = true {w}", [S("y")] + kp)
    assert r == {"Items": []}
    want = dict(item, a=S("y"), m={"M": {"k": S("w")}}, b={"BOOL": True})
    del want["r"]
    assert norm(get(ddb, table, key)) == norm(want)


def test_update_set_add_and_set_delete(ddb, one):
    table, key, item = one
    w, kp = where(key)
    run(ddb, f"UPDATE {q(table)} SET ss = set_add(ss, <<'c', 'a'>>) SET ns = set_delete(ns, <<1>>) {w}", kp)
    got = norm(get(ddb, table, key))
    assert got["ss"] == {"SS": ["a", "b", "c"]}
    assert got["ns"] == {"NS": ["2"]}
    run(ddb, f"UPDATE {q(table)} SET ss = set_delete(ss, ?) {w}", [{"SS": ["a", "c"]}] + kp)
    run(ddb, f"UPDATE {q(table)} SET fresh = set_add(fresh, ?) {w}", [{"NS": ["5"]}] + kp)
    got = norm(get(ddb, table, key))
    assert got["ss"] == {"SS": ["b"]}
    assert got["fresh"] == {"NS": ["5"]}


def test_update_list_append_and_arithmetic(ddb, one):
    table, key, item = one
    w, kp = where(key)
    run(ddb, f"UPDATE {q(table)} SET l = list_append(l, [3, 'x']) SET n = n + 5 SET d = n - ? {w}", [N(3)] + kp)
    got = get(ddb, table, key)
    assert got["l"] == {"L": [N(1), N(2), N(3), S("x")]}
    assert got["n"] == N(15)
    assert got["d"] == N(7)          # right-hand sides read the item before the update
    run(ddb, f"UPDATE {q(table)} SET l = list_append(?, l) SET n = 1.5 + n {w}", [{"L": [S("z")]}] + kp)
    got = get(ddb, table, key)
    assert got["l"] == {"L": [S("z"), N(1), N(2), N(3), S("x")]}
    assert got["n"] == N("16.5")


@pytest.mark.parametrize("returning,want", [
    ("ALL OLD", "old"),
    ("ALL NEW", "new"),
    ("MODIFIED OLD", {"a": S("x"), "n": N(10)}),
    ("MODIFIED NEW", {"a": S("y"), "n": N(11), "added": S("z")}),
])
def test_update_returning(ddb, one, returning, want):
    table, key, item = one
    w, kp = where(key)
    new = dict(item, a=S("y"), n=N(11), added=S("z"))
    want = {"old": item, "new": new}[want] if isinstance(want, str) else want
    r = run(ddb, f"UPDATE {q(table)} SET a = 'y' SET n = n + 1 SET added = 'z' {w} RETURNING {returning} *", kp)
    assert norm(r) == norm({"Items": [want]})
    assert norm(get(ddb, table, key)) == norm(new)


def test_update_returning_modified_old_of_nothing(ddb, one):
    table, key, item = one
    w, kp = where(key)
    r = run(ddb, f"UPDATE {q(table)} SET brand_new = 1 {w} RETURNING MODIFIED OLD *", kp)
    assert r == {"Items": []}


def test_update_missing_item(ddb, table_sn):
    key = {"p": S(du.uid()), "c": N(1)}
    w, kp = where(key)
    with raises(CCF, CCF_MSG):
        run(ddb, f"UPDATE {q(table_sn)} SET a = 1 {w}", kp)
    assert get(ddb, table_sn, key) is None


def test_update_failing_extra_condition(ddb, one):
    table, key, item = one
    w, kp = where(key)
    with raises(CCF, CCF_MSG) as ei:
        run(ddb, f"UPDATE {q(table)} SET a = 'changed' {w} AND n > 10", kp)
    assert "Item" not in ei.value.response
    with raises(CCF, CCF_MSG):
        run(ddb, f"UPDATE {q(table)} SET a = 'changed' {w} AND attribute_exists(nope)", kp)
    assert norm(get(ddb, table, key)) == norm(item)
    run(ddb, f"UPDATE {q(table)} SET a = 'changed' {w} AND n >= 10 AND a = 'x'", kp)
    assert get(ddb, table, key)["a"] == S("changed")


def test_return_values_on_condition_check_failure(ddb, one):
    table, key, item = one
    w, kp = where(key)
    raw = du.raw_for(ddb)
    body = {"Statement": f"UPDATE {q(table)} SET a = 'changed' {w} AND n = 0", "Parameters": kp,
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    r = raw.call("ExecuteStatement", body)
    assert r.status == 400, r
    du.check_error(r, CCF, CCF_MSG)
    assert norm(r.json()["Item"]) == norm(item)
    r = raw.call("ExecuteStatement", dict(body, ReturnValuesOnConditionCheckFailure="NONE"))
    du.check_error(r, CCF, CCF_MSG)
    assert "Item" not in r.json()
    # an UPDATE of a missing item has no old item to return
    missing = {"p": S(du.uid()), "c": N(1)}
    r = raw.call("ExecuteStatement", dict(body, Parameters=[missing["p"], missing["c"]]))
    du.check_error(r, CCF, CCF_MSG)
    assert "Item" not in r.json()
    assert norm(get(ddb, table, key)) == norm(item)


# ---- DELETE -----------------------------------------------------------------------------------------


def test_delete(ddb, one):
    table, key, item = one
    w, kp = where(key)
    assert run(ddb, f"DELETE FROM {q(table)} {w}", kp) == {"Items": []}
    assert get(ddb, table, key) is None
    # a missing item: success, nothing deleted
    assert run(ddb, f"DELETE FROM {q(table)} {w}", kp) == {"Items": []}


def test_delete_returning_all_old(ddb, one):
    table, key, item = one
    w, kp = where(key)
    r = run(ddb, f"DELETE FROM {q(table)} {w} RETURNING ALL OLD *", kp)
    assert norm(r) == norm({"Items": [item]})
    assert get(ddb, table, key) is None
    assert run(ddb, f"DELETE FROM {q(table)} {w} RETURNING ALL OLD *", kp) == {"Items": []}


def test_delete_returning_only_all_old(ddb, one):
    table, key, item = one
    w, kp = where(key)
    for ret in ("MODIFIED OLD", "ALL NEW", "MODIFIED NEW"):
        with raises(VE, f"Invalid returning clause: RETURNING {ret} *. Only RETURNING ALL OLD * is allowed in "
                    "DELETE statements."):
            run(ddb, f"DELETE FROM {q(table)} {w} RETURNING {ret} *", kp)
    assert norm(get(ddb, table, key)) == norm(item)


def test_delete_failing_condition(ddb, one):
    table, key, item = one
    w, kp = where(key)
    with raises(CCF, CCF_MSG):
        run(ddb, f"DELETE FROM {q(table)} {w} AND a = 'other'", kp)
    assert norm(get(ddb, table, key)) == norm(item)


# ---- statement errors -------------------------------------------------------------------------------


def test_malformed_statement(ddb, table_sn):
    with raises(VE, "Statement wasn't well formed, can't be processed: Expected data manipulation"):
        run(ddb, f"SLECT * FROM {q(table_sn)}")


def test_missing_table(ddb):
    name = q(du.unique_name("missing"))
    for stmt in (f"SELECT * FROM {name} WHERE p = 'a'", f"INSERT INTO {name} VALUE {{'p': 'a'}}",
                 f"UPDATE {name} SET x = 1 WHERE p = 'a'", f"DELETE FROM {name} WHERE p = 'a'"):
        with raises("ResourceNotFoundException", "Requested resource not found"):
            run(ddb, stmt)


def test_exists_outside_a_transaction(ddb, table_sn):
    with raises(VE, "EXISTS can only be used in ExecuteTransaction write requests."):
        run(ddb, f"EXISTS(SELECT * FROM {q(table_sn)} WHERE p = 'a' AND c = 1)")


@pytest.mark.parametrize("stmt", [
    "UPDATE {t} SET a = 1 WHERE p = 'x'",
    "UPDATE {t} SET a = 1 WHERE c = 1",
    "UPDATE {t} SET a = 1 WHERE p = 'x' AND c > 1",
    "DELETE FROM {t} WHERE p = 'x'",
])
def test_missing_key_in_where(ddb, table_sn, stmt):
    with raises(VE, "Where clause does not contain a mandatory equality on all key attributes"):
        run(ddb, stmt.format(t=q(table_sn)))
