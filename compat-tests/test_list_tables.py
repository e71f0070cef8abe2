"""ListTables: sorted names, Limit 1..100, ExclusiveStartTableName, LastEvaluatedTableName.

Messages: architect/dynalite test/listTables.js (recorded from AWS):
'1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value
less than or equal to 100' and '... Value '0' at 'limit' ... greater than or equal to 1'.
"""
import uuid

import pytest

import dynarock_util as du
from dynarock_util import raises


def all_tables(ddb, limit=None):
    names, kw = [], ({"Limit": limit} if limit else {})
    resp = ddb.list_tables(**kw)
    names += resp["TableNames"]
    while "LastEvaluatedTableName" in resp:
        assert resp["LastEvaluatedTableName"] == resp["TableNames"][-1]
        resp = ddb.list_tables(ExclusiveStartTableName=resp["LastEvaluatedTableName"], **kw)
        names += resp["TableNames"]
    return names


@pytest.fixture
def three_tables(make_table):
    prefix = "compat_lt_" + uuid.uuid4().hex[:12] + "_"
    names = [make_table(name=prefix + s) for s in ("b", "a", "c")]
    return sorted(names)


def test_new_tables_listed_and_sorted(ddb, three_tables):
    names = all_tables(ddb)
    assert names == sorted(names)
    assert len(names) == len(set(names))
    pos = [names.index(n) for n in three_tables]
    assert pos == [pos[0], pos[0] + 1, pos[0] + 2]


@pytest.mark.parametrize("limit", [1, 2, 3, 100])
def test_pagination_visits_every_table_once(ddb, three_tables, limit):
    names = all_tables(ddb, limit)
    assert names == sorted(names)
    assert len(names) == len(set(names))
    assert set(three_tables) <= set(names)


def test_exclusive_start_and_limit(ddb, make_table, three_tables):
    a, b, c = three_tables
    make_table(name=c[:-1] + "d")  # a page cut by Limit: a table follows c, whatever else exists
    resp = ddb.list_tables(ExclusiveStartTableName=a, Limit=2)
    assert resp["TableNames"] == [b, c]
    assert resp["LastEvaluatedTableName"] == c
    resp = ddb.list_tables(ExclusiveStartTableName=a, Limit=1)
    assert resp["TableNames"] == [b]
    assert resp["LastEvaluatedTableName"] == b


def test_exclusive_start_need_not_exist(ddb, three_tables):
    a, b, c = three_tables
    before_a = a[:-1]  # the common prefix sorts just before all three
    resp = ddb.list_tables(ExclusiveStartTableName=before_a, Limit=3)
    assert resp["TableNames"] == [a, b, c]


def test_limit_one(ddb, three_tables):
    resp = ddb.list_tables(Limit=1)
    assert len(resp["TableNames"]) == 1
    assert resp["LastEvaluatedTableName"] == resp["TableNames"][0]


def test_no_last_evaluated_when_all_returned(ddb, three_tables):
    a, b, c = three_tables
    # Everything after `b` fits in 100 unless more than 99 tables sort after it.
    resp = ddb.list_tables(ExclusiveStartTableName=b, Limit=100)
    if len(resp["TableNames"]) < 100:
        assert "LastEvaluatedTableName" not in resp
    assert resp["TableNames"][0] == c


def test_deleted_table_not_listed(ddb, make_table):
    name = make_table()
    assert name in all_tables(ddb)
    ddb.delete_table(TableName=name)
    du.wait_gone(ddb, name)
    assert name not in all_tables(ddb)


def test_limit_over_100(ddb):
    with raises("ValidationException", "1 validation error detected: Value '101' at 'limit' failed to satisfy "
                "constraint: Member must have value less than or equal to 100"):
        ddb.list_tables(Limit=101)


def test_limit_zero(ddb_noval):
    with raises("ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy "
                "constraint: Member must have value greater than or equal to 1"):
        ddb_noval.list_tables(Limit=0)


def test_bad_exclusive_start_name(ddb_noval):
    with raises("ValidationException",
                "2 validation errors detected: Value 'a;' at 'exclusiveStartTableName' failed to satisfy constraint: "
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at "
                "'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or "
                "equal to 3"):
        ddb_noval.list_tables(ExclusiveStartTableName="a;")
