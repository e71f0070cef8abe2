"""TransactWriteItems and TransactGetItems: all-or-nothing writes across tables, CancellationReasons,
ReturnValuesOnConditionCheckFailure, ClientRequestToken idempotency, ordered reads, GSIs, ConsumedCapacity
and the validation errors.

Facts (behaviour):
- scylladb test/alternator/test_transact.py (written against AWS; xfail on Alternator): a failed condition
  cancels every action; CancellationReasons has one entry per action, in action order, and every failing
  condition is reported (no short-circuit); 'None' reasons carry no Message; a key of the wrong type inside a
  Put is a TransactionCanceledException whose reason is Code 'ValidationError' (with a Message), validation
  stops there and later actions get 'None' even when invalid or false; expression problems (missing or
  unused names/values, syntax errors) and a bad ReturnValuesOnConditionCheckFailure are a
  ValidationException for the whole request; ALL_OLD puts the old item in the failing action's reason, NONE
  does not; up to 100 actions (since Sept 2022), 101 refused; the same ClientRequestToken sent twice
  applies the change once and the second call still succeeds; a ClientRequestToken has 1 to 36 characters;
  a ConditionCheck without ConditionExpression is refused; TransactGetItems returns {} for a missing item
  and honours ProjectionExpression.
- getmoto/moto tests/test_dynamodb/test_dynamodb_transact.py (aws_verified ones): reasons are exactly
  {'Code': 'None'} and {'Code': 'ConditionalCheckFailed', 'Message': 'The conditional request failed'}
  (+ 'Item' with ALL_OLD, for Put, Update, Delete and ConditionCheck); botocore puts them in
  e.response['CancellationReasons']; TransactGetItems Responses are in request order with {} for missing
  items; an unknown table is ResourceNotFoundException; ConsumedCapacity of transactional reads is 2 units
  per item (up to 4 KB): {TableName, CapacityUnits[, ReadCapacityUnits]} per table.
- DynamoDB API reference, TransactWriteItems: a token is valid 10 minutes; the same token with other
  parameters gives IdempotentParameterMismatchException; transactional writes cost 2 units per KB.
  localstack/localstack#6529 (reporter verified on AWS): the order of JSON members does not matter for the
  idempotency comparison. botocore fills a fresh UUID token when none is given.
- DYNAROCK DESIGN.md wire facts (from AWS captures): the error body uses a capital 'Message'.

Messages:
- 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]'
  — moto test_transact_write_items_fails_with_transaction_canceled_exception; a public AWS-backed service's
  error page shows '[ConditionalCheckFailed]' for one action.
- 'Transaction request cannot include multiple operations on one item' — moto
  exceptions/test_dynamodb_transactions.py (aws_verified: Put+Delete, key members in another order), scylla
  ('one item'), and the same service's page for two reads of one item.
- 'Requested resource not found' — moto, dynalite.
- "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have
  length greater than or equal to 1" — dynalite test/transactWriteItem.js. Over 100 actions: the same form
  with 'less than or equal to 100' (scylla checks 'transactItems' and '100'; the value part is Java's
  rendering of the list, matched by pattern).
- 'ExpressionAttributeValues must not be empty', "One or more parameter values are not valid. The
  AttributeValue for a key attribute cannot contain an empty string value. Key: p", 'Invalid
  UpdateExpression: The "SET" section can only be used once in an update expression;' — moto
  exceptions/test_dynamodb_transactions.py (aws_verified).
- Expression messages inside actions are those of the single-item operations (test_expression_validation.py)
  and are accepted with or without the '1 validation error detected: ' envelope, as there.
- IdempotentParameterMismatchException: no public source records its text, so only the code is asserted.
  The texts for a too-long token, a bad ReturnValuesOnConditionCheckFailure and a ConditionCheck without
  ConditionExpression are not recorded either: the tests check the code and that the field is named.
"""
import json
import uuid

import pytest

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
TCE = "TransactionCanceledException"
CCF = {"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}
NONE = {"Code": "None"}
ONE_ITEM = "Transaction request cannot include multiple operations on one item"
KB = 1024

S = lambda x: {"S": x}  # noqa: E731
N = lambda x: {"N": x}  # noqa: E731


def uniq():
    return du.unique_name("k")


def clean(r):
    r = dict(r)
    r.pop("ResponseMetadata", None)
    return r


def get(ddb, table, key):
    return ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


def cancel_message(codes):
    return "Transaction cancelled, please refer cancellation reasons for specific reasons [" + ", ".join(codes) + "]"


def expect_cancel(ddb_call, reasons):
    """Run the call, expect TransactionCanceledException with exactly these reasons; return the response."""
    with raises(TCE, cancel_message([r["Code"] for r in reasons])) as ei:
        ddb_call()
    assert ei.value.response["CancellationReasons"] == reasons
    return ei.value.response


def token():
    return str(uuid.uuid4())


# ---- the money transfer -------------------------------------------------------------------------


@pytest.fixture
def bank(ddb, table_s, table_ss):
    """Two accounts in table_s, a customer record in table_ss, a pending record to delete."""
    a, b, pend, log, cust = uniq(), uniq(), uniq(), uniq(), uniq()
    items = {
        "a": (table_s, {"p": S(a), "balance": N("100"), "owner": S("ann")}),
        "b": (table_s, {"p": S(b), "balance": N("50"), "owner": S("bob")}),
        "pending": (table_s, {"p": S(pend), "amount": N("30")}),
        "cust": (table_ss, {"p": S(cust), "c": S("profile"), "status": S("open")}),
    }
    for t, it in items.values():
        ddb.put_item(TableName=t, Item=it)
    return {"s": table_s, "ss": table_ss, "items": items,
            "log": {"p": S(log), "from": S(a), "to": S(b), "amount": N("30")}}


def transfer(bank, amount, status="open"):
    it = bank["items"]
    s, ss = bank["s"], bank["ss"]
    return [
        {"Update": {"TableName": s, "Key": {"p": it["a"][1]["p"]},
                    "UpdateExpression": "SET balance = balance - :amt",
                    "ConditionExpression": "balance >= :amt",
                    "ExpressionAttributeValues": {":amt": N(str(amount))}}},
        {"Update": {"TableName": s, "Key": {"p": it["b"][1]["p"]},
                    "UpdateExpression": "ADD balance :amt",
                    "ExpressionAttributeValues": {":amt": N(str(amount))}}},
        {"ConditionCheck": {"TableName": ss, "Key": {"p": it["cust"][1]["p"], "c": S("profile")},
                            "ConditionExpression": "#st = :st",
                            "ExpressionAttributeNames": {"#st": "status"},
                            "ExpressionAttributeValues": {":st": S(status)}}},
        {"Put": {"TableName": s, "Item": bank["log"], "ConditionExpression": "attribute_not_exists(p)"}},
        {"Delete": {"TableName": s, "Key": {"p": it["pending"][1]["p"]},
                    "ConditionExpression": "attribute_exists(amount)"}},
    ]


def snapshot(ddb, bank):
    it = bank["items"]
    out = {}
    for name, (t, item) in it.items():
        key = {"p": item["p"]} if t == bank["s"] else {"p": item["p"], "c": item["c"]}
        out[name] = get(ddb, t, key)
    out["log"] = get(ddb, bank["s"], {"p": bank["log"]["p"]})
    return out


def test_transfer_commits_every_action(ddb, bank):
    r = ddb.transact_write_items(TransactItems=transfer(bank, 30))
    assert clean(r) == {}
    after = snapshot(ddb, bank)
    items = bank["items"]
    assert after["a"] == dict(items["a"][1], balance=N("70"))
    assert after["b"] == dict(items["b"][1], balance=N("80"))
    assert after["cust"] == items["cust"][1]
    assert after["log"] == bank["log"]
    assert after["pending"] is None


def test_transfer_insufficient_funds_changes_nothing(ddb, bank):
    before = snapshot(ddb, bank)
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=transfer(bank, 101)),
                  [CCF, NONE, NONE, NONE, NONE])
    assert snapshot(ddb, bank) == before


def test_transfer_failed_condition_check_in_other_table(ddb, bank):
    before = snapshot(ddb, bank)
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=transfer(bank, 30, status="closed")),
                  [NONE, NONE, CCF, NONE, NONE])
    assert snapshot(ddb, bank) == before


def test_every_failed_condition_is_reported(ddb, bank):
    ddb.put_item(TableName=bank["s"], Item=bank["log"])       # the Put's attribute_not_exists now fails
    ddb.delete_item(TableName=bank["s"], Key={"p": bank["items"]["pending"][1]["p"]})   # and the Delete's
    before = snapshot(ddb, bank)
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=transfer(bank, 500, status="closed")),
                  [CCF, NONE, CCF, CCF, CCF])
    assert snapshot(ddb, bank) == before


def test_transfer_twice_then_insufficient(ddb, bank):
    ddb.transact_write_items(TransactItems=transfer(bank, 30))
    # second transfer of 70 must re-create the log/pending items to be valid
    bank["log"] = dict(bank["log"], p=S(uniq()))
    ddb.put_item(TableName=bank["s"], Item=bank["items"]["pending"][1])
    ddb.transact_write_items(TransactItems=transfer(bank, 70))
    a = bank["items"]["a"][1]
    assert get(ddb, bank["s"], {"p": a["p"]})["balance"] == N("0")
    ddb.put_item(TableName=bank["s"], Item=bank["items"]["pending"][1])
    bank["log"] = dict(bank["log"], p=S(uniq()))
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=transfer(bank, 1)),
                  [CCF, NONE, NONE, NONE, NONE])
    assert get(ddb, bank["s"], {"p": bank["items"]["b"][1]["p"]})["balance"] == N("150")


# ---- TransactionCanceledException format ------------------------------------------------------


def test_cancel_wire_format(raw, ddb, table_s):
    p = uniq()
    ddb.put_item(TableName=table_s, Item={"p": S(p)})
    r = raw.call("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": table_s, "Item": {"p": S(uniq())}}},
        {"ConditionCheck": {"TableName": table_s, "Key": {"p": S(p)}, "ConditionExpression": "attribute_not_exists(p)"}},
    ]})
    assert r.status == 400
    body = r.json()
    assert body["__type"] == "com.amazonaws.dynamodb.v20120810#TransactionCanceledException"
    assert body["Message"] == cancel_message(["None", "ConditionalCheckFailed"])
    assert body["CancellationReasons"] == [NONE, CCF]


@pytest.mark.parametrize("op", ["Put", "Update", "Delete", "ConditionCheck"])
def test_return_values_on_condition_check_failure_all_old(ddb, table_s, op):
    p = uniq()
    old = {"p": S(p), "x": N("42"), "y": S("dog"), "b": {"B": b"\x00\xff"}, "m": {"M": {"l": {"L": [N("1")]}}}}
    ddb.put_item(TableName=table_s, Item=old)
    action = {"TableName": table_s, "ConditionExpression": "x = :v", "ExpressionAttributeValues": {":v": N("43")},
              "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
    if op == "Put":
        action["Item"] = {"p": S(p), "z": S("new")}
    else:
        action["Key"] = {"p": S(p)}
    if op == "Update":
        action["UpdateExpression"] = "SET x = x + :one"
        action["ExpressionAttributeValues"][":one"] = N("1")
    other = {"Put": {"TableName": table_s, "Item": {"p": S(uniq())}}}
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=[other, {op: action}]),
                  [NONE, dict(CCF, Item=old)])
    assert get(ddb, table_s, {"p": S(p)}) == old

    action["ReturnValuesOnConditionCheckFailure"] = "NONE"
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=[{op: action}]), [CCF])


def test_validation_error_reason_stops_validation(ddb, table_s):
    # A key of the wrong type is reported as the action's ValidationError; the later actions (one also
    # invalid, one with a false condition) are not examined and get 'None'.
    p = uniq()
    with raises(TCE, cancel_message(["ValidationError", "None", "None"])) as ei:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table_s, "Item": {"p": N("7")}}},
            {"Put": {"TableName": table_s, "Item": {"p": N("8")}}},
            {"Put": {"TableName": table_s, "Item": {"p": S(p)}, "ConditionExpression": "attribute_exists(p)"}},
        ])
    reasons = ei.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["ValidationError", "None", "None"]
    assert reasons[0]["Message"]
    assert reasons[1] == NONE and reasons[2] == NONE
    assert get(ddb, table_s, {"p": S(p)}) is None


def test_validation_error_reason_single_action(ddb, table_s):
    with raises(TCE, cancel_message(["ValidationError"])) as ei:
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": N("7")}}}])
    assert ei.value.response["CancellationReasons"][0]["Code"] == "ValidationError"
    assert ei.value.response["CancellationReasons"][0]["Message"]


# ---- validation errors for the whole request ---------------------------------------------------


def put_with(table, **kw):
    return [{"Put": dict({"TableName": table, "Item": {"p": S(uniq())}}, **kw)}]


@pytest.mark.parametrize("kw,message", [
    ({"ConditionExpression": "attribute_exists(#xyz)"},
     "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #xyz"),
    ({"ConditionExpression": "p = :xyz"},
     "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
     "attribute value: :xyz"),
    ({"ConditionExpression": "attribute_exists(p)", "ExpressionAttributeNames": {"#xyz": "x"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#xyz}"),
    ({"ConditionExpression": "attribute_exists(p)", "ExpressionAttributeValues": {":xyz": N("7")}},
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:xyz}"),
    ({"ConditionExpression": "attribute_not_exists(#n0)", "ExpressionAttributeNames": {"#n0": "p"},
      "ExpressionAttributeValues": {}},
     "ExpressionAttributeValues must not be empty"),
])
def test_expression_errors_are_validation_exceptions(ddb, table_s, kw, message):
    items = put_with(table_s, **kw)
    with raises(VE, message, envelope=True):
        ddb.transact_write_items(TransactItems=items)
    assert get(ddb, table_s, {"p": items[0]["Put"]["Item"]["p"]}) is None


def test_syntax_error_is_validation_exception(ddb, table_s):
    with raises(VE, pattern=r'Invalid ConditionExpression: Syntax error; token: "[^"]*"(, near: "[^"]*")?',
                envelope=True):
        ddb.transact_write_items(TransactItems=put_with(table_s, ConditionExpression="hello!"))


def test_two_set_sections(ddb, table_ss):
    with raises(VE, pattern=r'(1 validation error detected: )?Invalid UpdateExpression: The "SET" section can '
                r'only be used once in an update expression;.*'):
        ddb.transact_write_items(TransactItems=[{"Update": {
            "TableName": table_ss, "Key": {"p": S("s"), "c": S("t")},
            "UpdateExpression": "SET a = :a SET b = :b ADD v :one",
            "ExpressionAttributeValues": {":a": S("x"), ":b": BOOL_TRUE, ":one": N("1")}}}])


BOOL_TRUE = {"BOOL": True}


def test_empty_string_key(ddb, table_s):
    with raises(VE, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot "
                "contain an empty string value. Key: p"):
        ddb.transact_write_items(TransactItems=[{"Update": {
            "TableName": table_s, "Key": {"p": S("")}, "UpdateExpression": "SET sth = :v",
            "ExpressionAttributeValues": {":v": N("0")}}}])


@pytest.mark.parametrize("value", ["none", "dog"])
def test_bad_return_values_on_condition_check_failure(ddb_noval, table_s, value):
    with raises(VE, pattern=r"(?s).*[rR]eturnValuesOnConditionCheckFailure.*"):
        ddb_noval.transact_write_items(TransactItems=[{"Update": {
            "TableName": table_s, "Key": {"p": S(uniq())}, "UpdateExpression": "SET x = :one",
            "ConditionExpression": "attribute_exists(p)", "ExpressionAttributeValues": {":one": N("1")},
            "ReturnValuesOnConditionCheckFailure": value}}])


def test_condition_check_needs_a_condition(ddb_noval, table_s):
    with raises(VE, pattern=r"(?s).*[cC]onditionExpression.*"):
        ddb_noval.transact_write_items(TransactItems=[{"ConditionCheck": {
            "TableName": table_s, "Key": {"p": S(uniq())}}}])


@pytest.mark.parametrize("second", ["Put", "ConditionCheck", "Delete", "Update"])
def test_two_actions_on_one_item(ddb, table_ss, second):
    p = uniq()
    key = {"p": S(p), "c": S("c")}
    rev = {"c": S("c"), "p": S(p)}          # same key, members in the other order
    actions = {
        "Put": {"Put": {"TableName": table_ss, "Item": dict(rev, x=S("2"))}},
        "ConditionCheck": {"ConditionCheck": {"TableName": table_ss, "Key": rev,
                                              "ConditionExpression": "attribute_not_exists(p)"}},
        "Delete": {"Delete": {"TableName": table_ss, "Key": rev}},
        "Update": {"Update": {"TableName": table_ss, "Key": rev, "UpdateExpression": "SET y = :y",
                              "ExpressionAttributeValues": {":y": S("y")}}},
    }
    other = {"p": S(uniq()), "c": S("c")}
    with raises(VE, ONE_ITEM):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table_ss, "Item": dict(key, x=S("1"))}},
            {"Put": {"TableName": table_ss, "Item": other}},
            actions[second]])
    assert get(ddb, table_ss, key) is None
    assert get(ddb, table_ss, other) is None


def test_same_key_in_two_tables_is_fine(ddb, make_table):
    t1, t2 = make_table(), make_table()
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": t1, "Item": {"p": S("k"), "t": S("1")}}},
        {"Put": {"TableName": t2, "Item": {"p": S("k"), "t": S("2")}}}])
    assert get(ddb, t1, {"p": S("k")}) == {"p": S("k"), "t": S("1")}
    assert get(ddb, t2, {"p": S("k")}) == {"p": S("k"), "t": S("2")}


def test_100_actions(ddb, table_s):
    base = uniq()
    items = [{"p": S(f"{base}-{i}"), "i": N(str(i))} for i in range(100)]
    assert clean(ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": it}}
                                                         for it in items])) == {}
    r = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_s, "Key": {"p": it["p"]}}} for it in items])
    assert r["Responses"] == [{"Item": it} for it in items]


def test_101_actions(ddb, table_s):
    base = uniq()
    with raises(VE, pattern=r"1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy "
                r"constraint: Member must have length less than or equal to 100"):
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": S(f"{base}-{i}")}}}
                                                for i in range(101)])
    assert get(ddb, table_s, {"p": S(f"{base}-0")}) is None


def test_empty_transaction(ddb_noval):
    with raises(VE, "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"):
        ddb_noval.transact_write_items(TransactItems=[])


def test_missing_table(ddb, table_s):
    p = uniq()
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table_s, "Item": {"p": S(p)}}},
            {"Put": {"TableName": du.unique_name("missing"), "Item": {"p": S(p)}}}])
    assert get(ddb, table_s, {"p": S(p)}) is None


# ---- single-action semantics --------------------------------------------------------------------


def test_update_creates_and_delete_of_missing_is_fine(ddb, table_s):
    p, q = uniq(), uniq()
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": table_s, "Key": {"p": S(p)}, "UpdateExpression": "SET a = :a ADD n :one",
                    "ExpressionAttributeValues": {":a": S("x"), ":one": N("1")}}},
        {"Delete": {"TableName": table_s, "Key": {"p": S(q)}}}])
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p), "a": S("x"), "n": N("1")}
    assert get(ddb, table_s, {"p": S(q)}) is None


def test_put_replaces_whole_item(ddb, table_s):
    p = uniq()
    ddb.put_item(TableName=table_s, Item={"p": S(p), "x": S("x")})
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": S(p), "y": S("y")}}}])
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p), "y": S("y")}


def test_condition_check_writes_nothing(ddb, table_s):
    p = uniq()
    ddb.transact_write_items(TransactItems=[{"ConditionCheck": {
        "TableName": table_s, "Key": {"p": S(p)}, "ConditionExpression": "attribute_not_exists(p)"}}])
    assert get(ddb, table_s, {"p": S(p)}) is None


# ---- ClientRequestToken -------------------------------------------------------------------------


def counter_txn(table, p):
    return [{"Update": {"TableName": table, "Key": {"p": S(p)}, "UpdateExpression": "ADD #c :one",
                        "ExpressionAttributeNames": {"#c": "counter"}, "ExpressionAttributeValues": {":one": N("1")}}}]


def counter(ddb, table, p):
    return get(ddb, table, {"p": S(p)})["counter"]["N"]


def test_same_token_applies_once(ddb, table_s):
    p = uniq()
    ddb.put_item(TableName=table_s, Item={"p": S(p), "counter": N("0")})
    tok = token()
    assert clean(ddb.transact_write_items(TransactItems=counter_txn(table_s, p), ClientRequestToken=tok)) == {}
    assert counter(ddb, table_s, p) == "1"
    assert clean(ddb.transact_write_items(TransactItems=counter_txn(table_s, p), ClientRequestToken=tok)) == {}
    assert counter(ddb, table_s, p) == "1"
    # without a token of its own, each call is new (botocore fills a fresh token every time)
    ddb.transact_write_items(TransactItems=counter_txn(table_s, p))
    ddb.transact_write_items(TransactItems=counter_txn(table_s, p))
    assert counter(ddb, table_s, p) == "3"
    # a new token is a new request
    ddb.transact_write_items(TransactItems=counter_txn(table_s, p), ClientRequestToken=token())
    assert counter(ddb, table_s, p) == "4"


def test_same_token_replay_of_a_now_false_condition_succeeds(ddb, table_s):
    p = uniq()
    tok = token()
    items = [{"Put": {"TableName": table_s, "Item": {"p": S(p), "v": S("1")},
                      "ConditionExpression": "attribute_not_exists(p)"}}]
    ddb.transact_write_items(TransactItems=items, ClientRequestToken=tok)
    # re-running the Put would now fail its condition; the replay answers success and writes nothing
    assert clean(ddb.transact_write_items(TransactItems=items, ClientRequestToken=tok)) == {}
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p), "v": S("1")}
    with raises(TCE, cancel_message(["ConditionalCheckFailed"])):
        ddb.transact_write_items(TransactItems=items, ClientRequestToken=token())


def test_same_token_member_order_does_not_matter(raw, ddb, table_s):
    p = uniq()
    ddb.put_item(TableName=table_s, Item={"p": S(p), "counter": N("0")})
    tok = token()
    upd = counter_txn(table_s, p)[0]["Update"]
    body1 = {"ClientRequestToken": tok, "TransactItems": [{"Update": upd}]}
    body2 = {"TransactItems": [{"Update": dict(reversed(list(upd.items())))}], "ClientRequestToken": tok}
    assert json.dumps(body1) != json.dumps(body2)
    for b in (body1, body2):
        r = raw.call("TransactWriteItems", b)
        assert r.status == 200, r
    assert counter(ddb, table_s, p) == "1"


def test_same_token_different_request(ddb, table_s):
    p, q = uniq(), uniq()
    tok = token()
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": S(p)}}}],
                             ClientRequestToken=tok)
    with raises("IdempotentParameterMismatchException"):
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": S(q)}}}],
                                 ClientRequestToken=tok)
    assert get(ddb, table_s, {"p": S(q)}) is None


def test_token_length(ddb, table_s):
    p = uniq()
    tok36 = (uuid.uuid4().hex + uuid.uuid4().hex)[:36]
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": S(p)}}}],
                             ClientRequestToken=tok36)
    assert get(ddb, table_s, {"p": S(p)}) == {"p": S(p)}
    tok37 = (uuid.uuid4().hex + uuid.uuid4().hex)[:37]
    q = uniq()
    with raises(VE, pattern=r"(?s).*clientRequestToken.*"):
        ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table_s, "Item": {"p": S(q)}}}],
                                 ClientRequestToken=tok37)
    assert get(ddb, table_s, {"p": S(q)}) is None


# ---- ConsumedCapacity ---------------------------------------------------------------------------


def capacity_by_table(resp):
    out = {}
    for e in resp["ConsumedCapacity"]:
        assert e["TableName"] not in out
        out[e["TableName"]] = e["CapacityUnits"]
    return out


def test_write_consumed_capacity(ddb, make_table):
    t1, t2 = make_table(), make_table()
    big = du.sized_item({"p": S("big")}, KB + 1)      # 2 KB started -> 4 units transactional
    r = ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": t1, "Item": {"p": S("a")}}},
        {"Put": {"TableName": t1, "Item": big}},
        {"Put": {"TableName": t2, "Item": {"p": S("b")}}}], ReturnConsumedCapacity="TOTAL")
    assert capacity_by_table(r) == {t1: 6.0, t2: 2.0}
    r = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": t1, "Item": {"p": S("c")}}}],
                                 ReturnConsumedCapacity="INDEXES")
    assert capacity_by_table(r) == {t1: 2.0}
    assert r["ConsumedCapacity"][0]["Table"]["CapacityUnits"] == 2.0
    r = ddb.transact_write_items(TransactItems=[{"Put": {"TableName": t1, "Item": {"p": S("d")}}}])
    assert "ConsumedCapacity" not in r


def test_get_consumed_capacity(ddb, make_table):
    t1, t2 = make_table(), make_table()
    for t, p in ((t1, "a"), (t1, "b"), (t2, "a")):
        ddb.put_item(TableName=t, Item={"p": S(p)})
    gets = [{"Get": {"TableName": t1, "Key": {"p": S("a")}}}, {"Get": {"TableName": t1, "Key": {"p": S("b")}}},
            {"Get": {"TableName": t2, "Key": {"p": S("a")}}}]
    r = ddb.transact_get_items(TransactItems=gets, ReturnConsumedCapacity="TOTAL")
    assert capacity_by_table(r) == {t1: 4.0, t2: 2.0}
    r = ddb.transact_get_items(TransactItems=gets, ReturnConsumedCapacity="INDEXES")
    for e in r["ConsumedCapacity"]:
        assert e["Table"]["CapacityUnits"] == e["CapacityUnits"]


# ---- TransactGetItems ---------------------------------------------------------------------------


def test_get_in_order_with_empty_entries(ddb, table_s, table_ss):
    a = {"p": S(uniq()), "x": N("1"), "nested": {"M": {"k": {"L": [S("v"), BOOL_TRUE]}}}}
    b = {"p": S(uniq()), "c": S("c"), "y": {"SS": ["q"]}}
    ddb.put_item(TableName=table_s, Item=a)
    ddb.put_item(TableName=table_ss, Item=b)
    r = clean(ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table_s, "Key": {"p": S(uniq())}}},
        {"Get": {"TableName": table_ss, "Key": {"p": b["p"], "c": S("c")}}},
        {"Get": {"TableName": table_ss, "Key": {"p": b["p"], "c": S("d")}}},
        {"Get": {"TableName": table_s, "Key": {"p": a["p"]}}},
    ]))
    assert r == {"Responses": [{}, {"Item": b}, {}, {"Item": a}]}


def test_get_projection(ddb, table_s):
    p = uniq()
    ddb.put_item(TableName=table_s, Item={"p": S(p), "x": N("1"), "y": N("2"), "z": {"M": {"a": N("3"), "b": N("4")}}})
    r = ddb.transact_get_items(TransactItems=[
        {"Get": {"TableName": table_s, "Key": {"p": S(p)}, "ProjectionExpression": "#x, z.b",
                 "ExpressionAttributeNames": {"#x": "x"}}},
        {"Get": {"TableName": table_s, "Key": {"p": S(uniq())}, "ProjectionExpression": "x"}},
    ])
    assert r["Responses"] == [{"Item": {"x": N("1"), "z": {"M": {"b": N("4")}}}}, {}]


def test_get_missing_table(ddb, table_s):
    with raises("ResourceNotFoundException", "Requested resource not found"):
        ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": table_s, "Key": {"p": S("a")}}},
            {"Get": {"TableName": du.unique_name("missing"), "Key": {"p": S("a")}}}])


def test_get_key_does_not_match_schema(ddb, table_s):
    with raises(VE, "The provided key element does not match the schema"):
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_s, "Key": {"p": N("1")}}}])


def test_get_key_missing_an_attribute_cancels(ddb, table_s, table_ss):
    # A key missing one of its table's key attributes cancels the transaction with that action's
    # ValidationError (issue 17's recorded fact); the other actions get 'None'
    with raises(TCE, cancel_message(["None", "ValidationError"])) as ei:
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_s, "Key": {"p": S("a")}}},
                                              {"Get": {"TableName": table_ss, "Key": {"p": S("a")}}}])
    assert ei.value.response["CancellationReasons"] == [
        NONE, {"Code": "ValidationError", "Message": "The provided key element does not match the schema"}]


def test_get_same_item_twice(ddb, table_s):
    p = uniq()
    with raises(VE, ONE_ITEM):
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_s, "Key": {"p": S(p)}}},
                                              {"Get": {"TableName": table_s, "Key": {"p": S(p)}}}])


def test_get_101(ddb, table_s):
    base = uniq()
    with raises(VE, pattern=r"1 validation error detected: Value '\[.+\]' at 'transactItems' failed to satisfy "
                r"constraint: Member must have length less than or equal to 100"):
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table_s, "Key": {"p": S(f"{base}-{i}")}}}
                                              for i in range(101)])


def test_get_empty(ddb_noval):
    with raises(VE, "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: "
                "Member must have length greater than or equal to 1"):
        ddb_noval.transact_get_items(TransactItems=[])


# ---- GSI maintenance inside a transaction --------------------------------------------------------


def test_gsi_sees_transaction_writes(ddb, make_table):
    t = make_table(
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                              {"AttributeName": "g", "AttributeType": "S"},
                              {"AttributeName": "r", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                                                     {"AttributeName": "r", "KeyType": "RANGE"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    ddb.put_item(TableName=t, Item={"p": S("old"), "g": S("G"), "r": N("9")})
    ddb.put_item(TableName=t, Item={"p": S("moves"), "g": S("G"), "r": N("5")})
    ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": t, "Item": {"p": S("new1"), "g": S("G"), "r": N("1"), "v": S("a")}}},
        {"Update": {"TableName": t, "Key": {"p": S("new2")}, "UpdateExpression": "SET g = :g, r = :r",
                    "ExpressionAttributeValues": {":g": S("G"), ":r": N("2")}}},
        {"Update": {"TableName": t, "Key": {"p": S("moves")}, "UpdateExpression": "SET g = :h",
                    "ExpressionAttributeValues": {":h": S("H")}}},
        {"Delete": {"TableName": t, "Key": {"p": S("old")}}},
    ])

    def gsi(g):
        for _ in range(100):   # GSIs are eventually consistent on AWS
            r = ddb.query(TableName=t, IndexName="by_g", KeyConditionExpression="g = :g",
                          ExpressionAttributeValues={":g": S(g)})
            got = [it["p"]["S"] for it in r["Items"]]
            if got == want[g]:
                return r["Items"]
        return r["Items"]

    want = {"G": ["new1", "new2"], "H": ["moves"]}
    assert gsi("G") == [{"p": S("new1"), "g": S("G"), "r": N("1"), "v": S("a")},
                        {"p": S("new2"), "g": S("G"), "r": N("2")}]
    assert gsi("H") == [{"p": S("moves"), "g": S("H"), "r": N("5")}]

    # a cancelled transaction leaves the index alone
    expect_cancel(lambda: ddb.transact_write_items(TransactItems=[
        {"Put": {"TableName": t, "Item": {"p": S("new3"), "g": S("G"), "r": N("3")}}},
        {"Delete": {"TableName": t, "Key": {"p": S("new1")}, "ConditionExpression": "v = :no",
                    "ExpressionAttributeValues": {":no": S("no")}}}]), [NONE, CCF])
    assert [it["p"]["S"] for it in gsi("G")] == ["new1", "new2"]
