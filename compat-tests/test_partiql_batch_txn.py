"""PartiQL, BatchExecuteStatement and ExecuteTransaction; and what PartiQL writes do to global secondary
indexes and to the table's stream. ExecuteStatement itself is in test_partiql.py.

Facts (behaviour):
- botocore service model: BatchExecuteStatement answers HTTP 200 with one Responses entry per statement,
  in request order, each {Error {Code, Message}, TableName, Item} ("A HTTP 200 response does not mean
  that all statements succeeded"); codes include ConditionalCheckFailed, ValidationError, DuplicateItem.
  ExecuteTransaction has an idempotent ClientRequestToken (botocore fills a fresh one when none is given)
  and answers Responses, one {Item} per read statement.
- nubo-db/dynoxide (notes from captures against AWS eu-west-2, 2026-07/08): a batch echoes TableName on a
  success (with or without Item) and on ConditionalCheckFailed / DuplicateItem, not on a ValidationError;
  a parse error fails only its own statement; a batch mixing reads and writes, and two statements on one
  item (reads too), fail the whole request before anything runs; a batch SELECT must name one item by
  its full key. localstack's AWS recording of a two-write batch: [{"TableName": t}, {"TableName": t}].
- moto (mock) batch tests: a keyed SELECT of a missing item gives {"TableName": t} without Item.
- AWS Developer Guide, PartiQL transactions: a transaction is all reads or all writes, EXISTS being a
  condition check inside a write transaction; any failing write cancels the whole transaction with
  TransactionCanceledException whose CancellationReasons follow the statements in order (as
  TransactWriteItems: {'Code': 'None'} and {'Code': 'ConditionalCheckFailed', 'Message': 'The
  conditional request failed'}). localstack's AWS recording of a write transaction: {"Responses": []}.
- DynamoDB Local (decompiled and recorded, xo/dbimp): the same ClientRequestToken with the same statements
  succeeds without running them twice, with other statements it is IdempotentParameterMismatchException;
  a replay with another ReturnConsumedCapacity is still a replay (dynoxide, from AWS). A read transaction
  answers {} for a key without an item (dynoxide leaves Item out as well; the AWS shape is NOT confirmed
  by a capture: asserted anyway).
- ReturnValuesOnConditionCheckFailure: in a transaction ALL_OLD puts the old item in the statement's
  cancellation reason (botocore model, dynoxide); in a batch AWS accepts it and the failed statement's
  answer is the same with or without it (dynoxide, from AWS). Debian's botocore predates the member on
  both shapes: those tests send raw JSON.
- Writes through PartiQL run as the item writes do: global secondary indexes follow them (Query of the
  index) and the stream records them (INSERT / MODIFY / REMOVE with the images of the view type), as
  for PutItem / UpdateItem / DeleteItem (test_streams_records.py); a write that changes nothing records
  nothing (Developer Guide, change data capture).

Messages:
- 'Select statements within BatchExecuteStatement must specify the primary key in the where clause.' —
  dynoxide (AWS eu-west-2, 2026-08-15), moto, the Java emulator. DynamoDB Local says otherwise.
- 'Read and write requests together in the same batch is not supported.' — DynamoDB Local's message
  table, dynoxide ("AWS rejects a mixed one up front").
- 'Provided list of item keys contains duplicates' — dynoxide (AWS), DynamoDB Local.
- 'Duplicate primary key exists in table' — the AWS CLI example in the AWS docs repository.
- "Statement wasn't well formed, can't be processed: Expected data manipulation" — dynoxide PR #149 (AWS).
- 'The conditional request failed' as a batch statement's Message — DynamoDB Local's conversion of the
  exception; NOT confirmed by a capture against AWS: asserted anyway.
- 'ExecuteTransaction API does not support both read and write operations in the same request.' —
  DynamoDB Local (decompiled and recorded) and dynoxide; NOT confirmed by a capture against AWS.
- 'Validation failed in TransactStatements[0]: RETURNING clause is not supported in ExecuteTransaction.' —
  dynoxide tests and DynamoDB Local's messages; NOT confirmed by a capture against AWS.
- 'Transaction request cannot include multiple operations on one item' — the TransactWriteItems text
  (moto aws_verified), which dynoxide and DynamoDB Local use for ExecuteTransaction.
- 'Transaction cancelled, please refer cancellation reasons for specific reasons [None,
  ConditionalCheckFailed]' — the TransactWriteItems text (localstack's AWS recording, moto).
- 'Validation failed in TransactStatements[1]: Reads on indices are not supported within transactions.' and
  a batch SELECT through an index failing with the batch's key message even with the index key —
  dynoxide, captured on AWS eu-west-2 2026-08-15.
- 'Select statements within ExecuteTransaction must specify the primary key in the where clause.' —
  DynamoDB Local's messages and the Java emulator; NOT confirmed by a capture against AWS.
- 'Requested resource not found' for a missing table (batch statement Error, transaction) — moto's batch
  mock and DynamoDB Local's transaction processor; whether a batch's ResourceNotFound carries TableName
  is not recorded, so it is not asserted.
- Statement lists: 1 to 25 in a batch, 1 to 100 in a transaction (botocore model); the messages are
  DynamoDB's request-shape envelope as for TransactWriteItems (test_transact.py: the value part is Java's
  rendering of the list, matched by pattern); the empty-list texts follow TransactWriteItems' (dynalite)
  and dynoxide's batch text; NOT confirmed by a capture against AWS for these operations: asserted anyway.
- IdempotentParameterMismatchException: no AWS text recorded for ExecuteTransaction; only the code is
  asserted.
"""
import time
import uuid

import pytest

import dynarock_util as du
import streams_util as su
from dynarock_util import raises
from streams_util import streams  # noqa: F401 (fixture)

VE = "ValidationException"
TCE = "TransactionCanceledException"
CCF_MSG = "The conditional request failed"
NONE = {"Code": "None"}
CCF = {"Code": "ConditionalCheckFailed", "Message": CCF_MSG}

S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": str(x)}  # noqa: E731


GSI_TABLE = dict(
    KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                          {"AttributeName": "g", "AttributeType": "S"},
                          {"AttributeName": "r", "AttributeType": "N"}],
    GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                 {"AttributeName": "r", "KeyType": "RANGE"}],
                             "Projection": {"ProjectionType": "ALL"}}])


def q(name):
    return '"' + name + '"'


def st(statement, *params, **kw):
    """One statement object of BatchExecuteStatement / ExecuteTransaction."""
    d = {"Statement": statement}
    if params:
        d["Parameters"] = list(params)
    d.update(kw)
    return d


def batch(ddb, *stmts):
    r = ddb.batch_execute_statement(Statements=list(stmts))
    r.pop("ResponseMetadata", None)
    return r


def txn(ddb, *stmts, **kw):
    r = ddb.execute_transaction(TransactStatements=list(stmts), **kw)
    r.pop("ResponseMetadata", None)
    return r


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def cancel_message(codes):
    return "Transaction cancelled, please refer cancellation reasons for specific reasons [" + ", ".join(codes) + "]"


# ---- BatchExecuteStatement: reads -------------------------------------------------------------------


def test_batch_reads(ddb, table_sn, table_s):
    p = du.uid()
    a = {"p": S(p), "c": N(1), "v": S("a"), "m": {"M": {"k": N(2)}}}
    a3 = {"p": S(p), "c": N(3), "v": S("a3"), "m": {"M": {"k": N(4)}}}
    b = {"p": S(p), "v": S("b")}
    ddb.put_item(TableName=table_sn, Item=a)
    ddb.put_item(TableName=table_sn, Item=a3)
    ddb.put_item(TableName=table_s, Item=b)
    r = batch(ddb,
              st(f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = ?", S(p), N(1)),
              st(f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = ?", S(p), N(2)),
              st(f"SELECT v, m.k FROM {q(table_sn)} WHERE c = 3 AND p = ?", S(p), ConsistentRead=True),
              st(f"SELECT * FROM {q(table_s)} WHERE p = ?", S(p)),
              st(f"SELECT * FROM {q(table_s)} WHERE p = ?", S(du.uid())))
    assert r == {"Responses": [
        {"TableName": table_sn, "Item": a},
        {"TableName": table_sn},
        {"TableName": table_sn, "Item": {"v": S("a3"), "k": N(4)}},
        {"TableName": table_s, "Item": b},
        {"TableName": table_s},
    ]}


@pytest.mark.parametrize("where", ["p = ?", "p = ? AND c > 0", "p = ? AND c BETWEEN 1 AND 2", "c = 1 AND v = ?"])
def test_batch_read_without_full_key(ddb, table_sn, where):
    p = du.uid()
    item = {"p": S(p), "c": N(1), "v": S(p)}
    ddb.put_item(TableName=table_sn, Item=item)
    r = batch(ddb, st(f"SELECT * FROM {q(table_sn)} WHERE {where}", S(p)),
              st(f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = 1", S(p)))
    assert r == {"Responses": [
        {"Error": {"Code": "ValidationError", "Message": "Select statements within BatchExecuteStatement must "
                                                         "specify the primary key in the where clause."}},
        {"TableName": table_sn, "Item": item},
    ]}


def test_batch_index_read_refused(ddb, make_table):
    t = make_table(**GSI_TABLE)
    ddb.put_item(TableName=t, Item={"p": S("a"), "g": S("G"), "r": N(1)})
    r = batch(ddb, st(f'SELECT * FROM {q(t)}."by_g" WHERE g = ? AND r = ?', S("G"), N(1)),
              st(f"SELECT * FROM {q(t)} WHERE p = 'a'"))
    assert r == {"Responses": [
        {"Error": {"Code": "ValidationError", "Message": "Select statements within BatchExecuteStatement must "
                                                         "specify the primary key in the where clause."}},
        {"TableName": t, "Item": {"p": S("a"), "g": S("G"), "r": N(1)}},
    ]}


def test_batch_missing_table(ddb, table_s):
    p = du.uid()
    r = batch(ddb, st(f"INSERT INTO {q(du.unique_name('missing'))} VALUE {{'p': ?}}", S(p)),
              st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(p)))
    # whether TableName comes with ResourceNotFound is not recorded (moto: no; dynoxide: yes)
    assert r["Responses"][0]["Error"] == {"Code": "ResourceNotFound", "Message": "Requested resource not found"}
    assert r["Responses"][1] == {"TableName": table_s}
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p)}


# ---- BatchExecuteStatement: writes ------------------------------------------------------------------


def test_batch_writes_one_condition_fails(ddb, table_sn):
    p = du.uid()
    t = q(table_sn)
    k = lambda c: {"p": S(p), "c": N(c)}  # noqa: E731
    ddb.put_item(TableName=table_sn, Item=dict(k(2), n=N(5)))
    ddb.put_item(TableName=table_sn, Item=dict(k(3), n=N(5)))
    ddb.put_item(TableName=table_sn, Item=dict(k(4)))
    r = batch(ddb,
              st(f"INSERT INTO {t} VALUE {{'p': ?, 'c': 1, 'new': true}}", S(p)),
              st(f"UPDATE {t} SET n = n + 1 WHERE p = ? AND c = 2 AND n > 100", S(p)),
              st(f"UPDATE {t} SET n = n + 1 WHERE p = ? AND c = 3", S(p)),
              st(f"DELETE FROM {t} WHERE p = ? AND c = 4", S(p)),
              st(f"UPDATE {t} SET n = 1 WHERE p = ? AND c = 5", S(p)))
    cf = {"Error": {"Code": "ConditionalCheckFailed", "Message": CCF_MSG}, "TableName": table_sn}
    assert r == {"Responses": [{"TableName": table_sn}, cf, {"TableName": table_sn}, {"TableName": table_sn}, cf]}
    assert get(ddb, table_sn, k(1)) == dict(k(1), new={"BOOL": True})
    assert get(ddb, table_sn, k(2)) == dict(k(2), n=N(5))
    assert get(ddb, table_sn, k(3)) == dict(k(3), n=N(6))
    assert get(ddb, table_sn, k(4)) is None
    assert get(ddb, table_sn, k(5)) is None


def test_batch_return_values_on_condition_check_failure_is_ignored(ddb, table_sn):
    p = du.uid()
    item = {"p": S(p), "c": N(1), "n": N(5)}
    ddb.put_item(TableName=table_sn, Item=item)
    raw = du.raw_for(ddb)
    body = {"Statements": [st(f"UPDATE {q(table_sn)} SET n = 0 WHERE p = ? AND c = 1 AND n = 0", S(p),
                              ReturnValuesOnConditionCheckFailure="ALL_OLD")]}
    r = raw.call("BatchExecuteStatement", body)
    assert r.status == 200, r
    assert r.json() == {"Responses": [{"Error": {"Code": "ConditionalCheckFailed", "Message": CCF_MSG},
                                       "TableName": table_sn}]}
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == item


def test_batch_duplicate_insert(ddb, table_sn):
    p = du.uid()
    t = q(table_sn)
    ddb.put_item(TableName=table_sn, Item={"p": S(p), "c": N(1), "v": S("old")})
    r = batch(ddb, st(f"INSERT INTO {t} VALUE {{'p': ?, 'c': 1, 'v': 'new'}}", S(p)),
              st(f"INSERT INTO {t} VALUE {{'p': ?, 'c': 2}}", S(p)))
    assert r == {"Responses": [
        {"Error": {"Code": "DuplicateItem", "Message": "Duplicate primary key exists in table"},
         "TableName": table_sn},
        {"TableName": table_sn},
    ]}
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == {"p": S(p), "c": N(1), "v": S("old")}
    assert get(ddb, table_sn, {"p": S(p), "c": N(2)}) == {"p": S(p), "c": N(2)}


def test_batch_parse_error_fails_only_its_statement(ddb, table_sn):
    p = du.uid()
    r = batch(ddb, st(f"SLECT * FROM {q(table_sn)}"),
              st(f"INSERT INTO {q(table_sn)} VALUE {{'p': ?, 'c': 1}}", S(p)))
    assert r == {"Responses": [
        {"Error": {"Code": "ValidationError",
                   "Message": "Statement wasn't well formed, can't be processed: Expected data manipulation"}},
        {"TableName": table_sn},
    ]}
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == {"p": S(p), "c": N(1)}


def test_batch_mixed_reads_and_writes(ddb, table_sn):
    p = du.uid()
    with raises(VE, "Read and write requests together in the same batch is not supported."):
        batch(ddb, st(f"INSERT INTO {q(table_sn)} VALUE {{'p': ?, 'c': 1}}", S(p)),
              st(f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = 2", S(p)))
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) is None


@pytest.mark.parametrize("second", ["insert", "update", "delete", "select"])
def test_batch_two_statements_on_one_item(ddb, table_sn, second):
    p = du.uid()
    t = q(table_sn)
    if second == "select":
        first = [st(f"SELECT * FROM {t} WHERE p = ? AND c = {c}", S(p)) for c in (1, 9)]
    else:
        first = [st(f"INSERT INTO {t} VALUE {{'p': ?, 'c': {c}}}", S(p)) for c in (1, 9)]
    other = {
        "insert": st(f"INSERT INTO {t} VALUE {{'c': 1, 'p': ?, 'x': 1}}", S(p)),
        "update": st(f"UPDATE {t} SET x = 1 WHERE c = 1 AND p = ?", S(p)),
        "delete": st(f"DELETE FROM {t} WHERE p = ? AND c = 1", S(p)),
        "select": st(f"SELECT x FROM {t} WHERE c = 1 AND p = ?", S(p)),
    }[second]
    with raises(VE, "Provided list of item keys contains duplicates"):
        batch(ddb, *first, other)
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) is None
    assert get(ddb, table_sn, {"p": S(p), "c": N(9)}) is None


def test_statement_list_lengths(ddb, ddb_noval, table_s):
    base = du.uid()
    sel = [st(f"SELECT * FROM {q(table_s)} WHERE p = ?", S(f"{base}-{i}")) for i in range(101)]
    assert len(batch(ddb, *sel[:25])["Responses"]) == 25
    assert len(txn(ddb, *sel[:100])["Responses"]) == 100
    with raises(VE, pattern=r"1 validation error detected: Value '\[.+\]' at 'statements' failed to satisfy "
                r"constraint: Member must have length less than or equal to 25"):
        batch(ddb, *sel[:26])
    with raises(VE, pattern=r"1 validation error detected: Value '\[.+\]' at 'transactStatements' failed to "
                r"satisfy constraint: Member must have length less than or equal to 100"):
        txn(ddb, *sel)
    with raises(VE, "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"):
        batch(ddb_noval)
    with raises(VE, "1 validation error detected: Value '[]' at 'transactStatements' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1"):
        txn(ddb_noval)


# ---- ExecuteTransaction: writes ---------------------------------------------------------------------


def test_transaction_writes_commit_together(ddb, table_s, table_sn):
    p = du.uid()
    ddb.put_item(TableName=table_sn, Item={"p": S(p), "c": N(1), "n": N(1)})
    ddb.put_item(TableName=table_s, Item={"p": S(p), "gone": S("soon")})
    r = txn(ddb,
            st(f"INSERT INTO {q(table_sn)} VALUE {{'p': ?, 'c': 2, 'v': 'new'}}", S(p)),
            st(f"UPDATE {q(table_sn)} SET n = n + 1 REMOVE absent WHERE p = ? AND c = 1", S(p)),
            st(f"DELETE FROM {q(table_s)} WHERE p = ?", S(p)),
            st(f"DELETE FROM {q(table_s)} WHERE p = ?", S(du.uid())))
    assert r == {"Responses": []}
    assert get(ddb, table_sn, {"p": S(p), "c": N(2)}) == {"p": S(p), "c": N(2), "v": S("new")}
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == {"p": S(p), "c": N(1), "n": N(2)}
    assert get(ddb, table_s, {"p": S(p)}) is None


def test_transaction_failure_cancels_all(ddb, table_s, table_sn):
    p = du.uid()
    ddb.put_item(TableName=table_sn, Item={"p": S(p), "c": N(1), "n": N(1)})
    before = get(ddb, table_sn, {"p": S(p), "c": N(1)})
    with raises(TCE, cancel_message(["None", "ConditionalCheckFailed"])) as ei:
        txn(ddb, st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(p)),
            st(f"UPDATE {q(table_sn)} SET n = 5 WHERE p = ? AND c = 1 AND n = 2", S(p)))
    assert ei.value.response["CancellationReasons"] == [NONE, CCF]
    assert get(ddb, table_s, {"p": S(p)}) is None
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == before

    # an UPDATE of a missing item, and every failing statement is reported, in order
    with raises(TCE, cancel_message(["ConditionalCheckFailed", "None", "ConditionalCheckFailed"])) as ei:
        txn(ddb, st(f"UPDATE {q(table_s)} SET x = 1 WHERE p = ?", S(du.uid())),
            st(f"DELETE FROM {q(table_sn)} WHERE p = ? AND c = 1", S(p)),
            st(f"DELETE FROM {q(table_s)} WHERE p = ? AND x = 1", S(p)))
    assert ei.value.response["CancellationReasons"] == [CCF, NONE, CCF]
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == before


def test_transaction_exists_is_a_condition_check(ddb, table_s, table_sn):
    p, new = du.uid(), du.uid()
    ddb.put_item(TableName=table_sn, Item={"p": S(p), "c": N(1), "status": S("open")})
    check = f"EXISTS(SELECT * FROM {q(table_sn)} WHERE p = ? AND c = 1 AND status = ?)"
    with raises(TCE, cancel_message(["ConditionalCheckFailed", "None"])) as ei:
        txn(ddb, st(check, S(p), S("closed")), st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(new)))
    assert ei.value.response["CancellationReasons"] == [CCF, NONE]
    assert get(ddb, table_s, {"p": S(new)}) is None
    with raises(TCE, cancel_message(["ConditionalCheckFailed", "None"])):
        txn(ddb, st(check.replace("c = 1", "c = 2"), S(p), S("open")),
            st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(new)))
    assert txn(ddb, st(check, S(p), S("open")), st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(new))) == \
        {"Responses": []}
    assert get(ddb, table_s, {"p": S(new)}) == {"p": S(new)}
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) == {"p": S(p), "c": N(1), "status": S("open")}


def test_transaction_duplicate_insert_cancels(ddb, table_s):
    p, q2 = du.uid(), du.uid()
    ddb.put_item(TableName=table_s, Item={"p": S(p)})
    # the reason's code is not recorded from AWS (DuplicateItem or ValidationError): only the cancellation
    with raises(TCE):
        txn(ddb, st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(q2)),
            st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?, 'x': 1}}", S(p)))
    assert get(ddb, table_s, {"p": S(q2)}) is None
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p)}


def test_transaction_return_values_on_condition_check_failure(ddb, table_s):
    p = du.uid()
    item = {"p": S(p), "n": N(5), "l": {"L": [S("x")]}}
    ddb.put_item(TableName=table_s, Item=item)
    raw = du.raw_for(ddb)
    other = st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(du.uid()))
    failing = st(f"UPDATE {q(table_s)} SET n = 0 WHERE p = ? AND n = 0", S(p))
    r = raw.call("ExecuteTransaction", {"TransactStatements": [
        other, dict(failing, ReturnValuesOnConditionCheckFailure="ALL_OLD")]})
    du.check_error(r, TCE, cancel_message(["None", "ConditionalCheckFailed"]))
    assert r.json()["CancellationReasons"] == [NONE, dict(CCF, Item=item)]
    r = raw.call("ExecuteTransaction", {"TransactStatements": [
        other, dict(failing, ReturnValuesOnConditionCheckFailure="NONE")]})
    du.check_error(r, TCE, cancel_message(["None", "ConditionalCheckFailed"]))
    assert r.json()["CancellationReasons"] == [NONE, CCF]
    assert get(ddb, table_s, {"p": S(p)}) == item


# ---- ExecuteTransaction: reads ----------------------------------------------------------------------


def test_transaction_reads(ddb, table_s, table_sn):
    p = du.uid()
    a = {"p": S(p), "c": N(1), "v": {"L": [S("x")]}}
    b = {"p": S(p), "w": {"BOOL": True}}
    ddb.put_item(TableName=table_sn, Item=a)
    ddb.put_item(TableName=table_s, Item=b)
    r = txn(ddb, st(f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = 1", S(p)),
            st(f"SELECT * FROM {q(table_s)} WHERE p = ?", S(du.uid())),
            st(f"SELECT w FROM {q(table_s)} WHERE p = ?", S(p)),
            st(f"SELECT * FROM {q(table_sn)} WHERE p = ? AND c = 2", S(p)))
    assert r == {"Responses": [{"Item": a}, {}, {"Item": {"w": {"BOOL": True}}}, {}]}


def test_transaction_read_errors(ddb, make_table, table_sn):
    t = make_table(**GSI_TABLE)
    with raises(VE, "Validation failed in TransactStatements[1]: Reads on indices are not supported within "
                    "transactions."):
        txn(ddb, st(f"SELECT * FROM {q(t)} WHERE p = 'a'"), st(f'SELECT * FROM {q(t)}."by_g" WHERE g = ? AND r = 1',
                                                               S("G")))
    with raises(VE, "Select statements within ExecuteTransaction must specify the primary key in the where "
                    "clause."):
        txn(ddb, st(f"SELECT * FROM {q(table_sn)} WHERE p = 'a'"))
    with raises("ResourceNotFoundException", "Requested resource not found"):
        txn(ddb, st(f"SELECT * FROM {q(t)} WHERE p = 'a'"),
            st(f"SELECT * FROM {q(du.unique_name('missing'))} WHERE p = 'a'"))


# ---- ExecuteTransaction: whole-request errors -------------------------------------------------------


def test_transaction_mixing_reads_and_writes(ddb, table_s):
    p = du.uid()
    with raises(VE, "ExecuteTransaction API does not support both read and write operations in the same request."):
        txn(ddb, st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(p)),
            st(f"SELECT * FROM {q(table_s)} WHERE p = ?", S(du.uid())))
    assert get(ddb, table_s, {"p": S(p)}) is None


def test_transaction_returning_refused(ddb, table_s):
    p = du.uid()
    ddb.put_item(TableName=table_s, Item={"p": S(p), "n": N(1)})
    with raises(VE, "Validation failed in TransactStatements[0]: RETURNING clause is not supported in "
                    "ExecuteTransaction."):
        txn(ddb, st(f"UPDATE {q(table_s)} SET n = 2 WHERE p = ? RETURNING ALL NEW *", S(p)),
            st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(du.uid())))
    with raises(VE, "Validation failed in TransactStatements[1]: RETURNING clause is not supported in "
                    "ExecuteTransaction."):
        txn(ddb, st(f"UPDATE {q(table_s)} SET n = 2 WHERE p = ?", S(p)),
            st(f"DELETE FROM {q(table_s)} WHERE p = ? RETURNING ALL OLD *", S(du.uid())))
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p), "n": N(1)}


@pytest.mark.parametrize("second", ["insert", "update", "delete", "exists"])
def test_transaction_two_statements_on_one_item(ddb, table_sn, second):
    p = du.uid()
    t = q(table_sn)
    other = {
        "insert": st(f"INSERT INTO {t} VALUE {{'c': 1, 'p': ?}}", S(p)),
        "update": st(f"UPDATE {t} SET x = 1 WHERE c = 1 AND p = ?", S(p)),
        "delete": st(f"DELETE FROM {t} WHERE p = ? AND c = 1", S(p)),
        "exists": st(f"EXISTS(SELECT * FROM {t} WHERE c = 1 AND p = ?)", S(p)),
    }[second]
    with raises(VE, "Transaction request cannot include multiple operations on one item"):
        txn(ddb, st(f"INSERT INTO {t} VALUE {{'p': ?, 'c': 1}}", S(p)),
            st(f"INSERT INTO {t} VALUE {{'p': ?, 'c': 2}}", S(p)), other)
    assert get(ddb, table_sn, {"p": S(p), "c": N(1)}) is None
    assert get(ddb, table_sn, {"p": S(p), "c": N(2)}) is None


def test_transaction_two_reads_of_one_item(ddb, table_s):
    p = du.uid()
    with raises(VE, "Transaction request cannot include multiple operations on one item"):
        txn(ddb, st(f"SELECT * FROM {q(table_s)} WHERE p = ?", S(p)),
            st(f"SELECT x FROM {q(table_s)} WHERE p = ?", S(p)))


# ---- ExecuteTransaction: ClientRequestToken ---------------------------------------------------------


def test_transaction_token_replay(ddb, table_s):
    p = du.uid()
    ddb.put_item(TableName=table_s, Item={"p": S(p), "counter": N(0)})
    tok = str(uuid.uuid4())
    stmts = [st(f'UPDATE {q(table_s)} SET "counter" = "counter" + 1 WHERE p = ?', S(p))]
    counter = lambda: get(ddb, table_s, {"p": S(p)})["counter"]  # noqa: E731
    assert txn(ddb, *stmts, ClientRequestToken=tok) == {"Responses": []}
    assert counter() == N(1)
    assert txn(ddb, *stmts, ClientRequestToken=tok) == {"Responses": []}
    assert counter() == N(1)
    # ReturnConsumedCapacity is not part of the request's identity (dynoxide, from AWS)
    txn(ddb, *stmts, ClientRequestToken=tok, ReturnConsumedCapacity="TOTAL")
    assert counter() == N(1)
    # without a token of its own each call is new (botocore fills a fresh token)
    txn(ddb, *stmts)
    txn(ddb, *stmts)
    assert counter() == N(3)
    # the same token with other statements
    q2 = du.uid()
    with raises("IdempotentParameterMismatchException"):
        txn(ddb, st(f"INSERT INTO {q(table_s)} VALUE {{'p': ?}}", S(q2)), ClientRequestToken=tok)
    with raises("IdempotentParameterMismatchException"):
        txn(ddb, st(f'UPDATE {q(table_s)} SET "counter" = "counter" + 1 WHERE p = ?', S(q2)),
            ClientRequestToken=tok)
    assert get(ddb, table_s, {"p": S(q2)}) is None
    assert counter() == N(3)


# ---- indexes and streams ----------------------------------------------------------------------------


def test_partiql_writes_keep_gsi(ddb, make_table):
    t = make_table(**GSI_TABLE)

    def gsi(g, want):
        for _ in range(100):   # global indexes are eventually consistent on AWS
            r = ddb.query(TableName=t, IndexName="by_g", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": S(g)})["Items"]
            if r == want:
                break
            time.sleep(0.2 if du.is_real_aws() else 0.01)
        return r

    es = ddb.execute_statement
    es(Statement=f"INSERT INTO {q(t)} VALUE {{'p': 'a', 'g': 'G', 'r': 1, 'v': 'x'}}")
    es(Statement=f"INSERT INTO {q(t)} VALUE {{'p': 'b', 'g': 'G', 'r': 2}}")
    es(Statement=f"INSERT INTO {q(t)} VALUE {{'p': 'c', 'v': 'no index key'}}")
    want = [{"p": S("a"), "g": S("G"), "r": N(1), "v": S("x")}, {"p": S("b"), "g": S("G"), "r": N(2)}]
    assert gsi("G", want) == want
    es(Statement=f"UPDATE {q(t)} SET g = 'H' WHERE p = 'a'")              # moves to another partition
    es(Statement=f"UPDATE {q(t)} SET g = 'G', r = 3 WHERE p = 'c'")       # enters the index
    es(Statement=f"UPDATE {q(t)} SET v = 'y' WHERE p = 'b'")              # stays, new value
    want_g = [{"p": S("b"), "g": S("G"), "r": N(2), "v": S("y")}, {"p": S("c"), "g": S("G"), "r": N(3),
                                                                      "v": S("no index key")}]
    want_h = [{"p": S("a"), "g": S("H"), "r": N(1), "v": S("x")}]
    assert gsi("G", want_g) == want_g
    assert gsi("H", want_h) == want_h
    es(Statement=f"DELETE FROM {q(t)} WHERE p = 'b'")
    es(Statement=f"UPDATE {q(t)} REMOVE g WHERE p = 'a'")                 # leaves the index
    assert gsi("G", want_g[1:]) == want_g[1:]
    assert gsi("H", []) == []
    # through a transaction and a batch as well
    ddb.execute_transaction(TransactStatements=[
        {"Statement": f"INSERT INTO {q(t)} VALUE {{'p': 'd', 'g': 'H', 'r': 4}}"},
        {"Statement": f"DELETE FROM {q(t)} WHERE p = 'c'"}])
    ddb.batch_execute_statement(Statements=[
        {"Statement": f"INSERT INTO {q(t)} VALUE {{'p': 'e', 'g': 'H', 'r': 5}}"}])
    want_h = [{"p": S("d"), "g": S("H"), "r": N(4)}, {"p": S("e"), "g": S("H"), "r": N(5)}]
    assert gsi("H", want_h) == want_h
    assert gsi("G", []) == []


def test_partiql_writes_produce_stream_records(ddb, streams, make_table, region):  # noqa: F811 (fixture)
    t0 = time.time()
    s = su.stream_table(ddb, streams, make_table, "NEW_AND_OLD_IMAGES", **du.key_schema("p", "S", "c", "N"))
    t = q(s.table)
    k1, k2 = {"p": S("a"), "c": N(1)}, {"p": S("a"), "c": N(2)}
    i1 = dict(k1, x=S("1"), n=N(1))
    ddb.execute_statement(Statement=f"INSERT INTO {t} VALUE {{'p': 'a', 'c': 1, 'x': '1', 'n': 1}}")
    ddb.execute_statement(Statement=f"UPDATE {t} SET n = n + 1 REMOVE x WHERE p = 'a' AND c = 1")
    i2 = dict(k1, n=N(2))
    # writes that change nothing record nothing: a failed condition, a DELETE of a missing key, an UPDATE
    # that sets the value already there
    ddb.execute_statement(Statement=f"UPDATE {t} SET n = 2 WHERE p = 'a' AND c = 1")
    with raises("ConditionalCheckFailedException"):
        ddb.execute_statement(Statement=f"UPDATE {t} SET n = 9 WHERE p = 'a' AND c = 1 AND n = 0")
    ddb.execute_statement(Statement=f"DELETE FROM {t} WHERE p = 'a' AND c = 7")
    ddb.execute_transaction(TransactStatements=[{"Statement": f"INSERT INTO {t} VALUE {{'p': 'a', 'c': 2}}"}])
    ddb.execute_statement(Statement=f"DELETE FROM {t} WHERE p = 'a' AND c = 1")
    want = [
        su.ev("INSERT", k1, new=i1),
        su.ev("MODIFY", k1, old=i1, new=i2),
        su.ev("INSERT", k2, new=k2),
        su.ev("REMOVE", k1, old=i2),
    ]
    got = su.read_n(streams, su.trim_horizon(streams, s), len(want))
    su.check_records(got.records, "NEW_AND_OLD_IMAGES", region, t0)
    assert [su.summary(x) for x in got.records] == want
    assert streams.get_records(ShardIterator=got.next)["Records"] == []
