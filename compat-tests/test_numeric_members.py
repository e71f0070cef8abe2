"""Integer and Long request members given unusual JSON numbers: Limit (Query, Scan, ListTables), Segment and
TotalSegments (Scan), and Read/WriteCapacityUnits of every ProvisionedThroughput (CreateTable's table and
GSIs; UpdateTable's table, GSI Update and GSI Create). Requests are sent as raw JSON so that the literal
text (1e300, 1e-999999, 30 digits) reaches the server unchanged.

Facts (sources):
- API model: Limit, Segment, TotalSegments are Integer (Limit >= 1; ListTables.Limit 1..100; Segment
  0..999999; TotalSegments 1..1000000); ReadCapacityUnits / WriteCapacityUnits are Long >= 1.
- architect/dynalite validations/index.js (written against AWS): a JSON number with a fraction is accepted
  for an Integer/Long member and rounded down to an integer before the constraints run, so the messages show
  the converted value; "Value '-1' at 'provisionedThroughput.writeCapacityUnits' failed to satisfy
  constraint: Member must have value greater than or equal to 1" (test/createTable.js, test/updateTable.js).
- dynalite test/createTable.js and test/updateTable.js: "Given value 1000000000001 for ReadCapacityUnits is
  out of bounds" (above 10^12, after the request-shape checks); validations/updateTable.js adds
  " for index <name>" for a GSI Update.
- dynalite test/connection.js: a body that is not JSON answers a SerializationException without a message.

Chosen where no public record exists (docs/compatibility.md, tests marked dynarock_only):
- a number outside the Java type's range (int for Integer, long for Long; integral or not: 2147483648 for
  an Integer, 9223372036854775808, 30 digits, 1e300) is a SerializationException without a message, as
  Jackson's parser reports it (the same envelope as unparseable JSON);
- a fraction or exponent truncates toward zero, so 1e-999999 is 0 (then "Value '0' ..." where 0 is below
  the minimum);
- "Given value ... out of bounds for index <name>" also for a GSI in CreateTable and a GSI Create.
"""
import json

import pytest

import dynarock_util as du

VE = "ValidationException"
SE = "SerializationException"
HUGE = ["1e300", "9223372036854775808", "123456789012345678901234567890"]  # beyond Java's long
INT_HUGE = HUGE + ["2147483648"]  # beyond Java's int


def body(payload, **literals):
    """JSON text of payload with each "@name@" string replaced by the raw number literal given."""
    text = json.dumps(payload)
    for k, v in literals.items():
        text = text.replace(f'"@{k}@"', v)
    return text


def check(r, code, message=None):
    assert r.status == 400, r
    assert r.error_code == code, r
    assert r.error_message == message, r


def constraint(value, path, what):
    return f"{du.ENVELOPE}Value '{value}' at '{path}' failed to satisfy constraint: Member must have value {what}"


@pytest.fixture(scope="module")
def items_table(ddb):
    """Hash key p, sort key c; three items in partition 'x'."""
    name = du.unique_name("num")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", **du.key_schema("p", "S", "c", "N"))
    du.wait_active(ddb, name)
    for c in range(3):
        ddb.put_item(TableName=name, Item={"p": {"S": "x"}, "c": {"N": str(c)}})
    yield name
    du.delete_table_quietly(ddb, name)


# ---- Limit (Query, Scan) ------------------------------------------------------------------------


def query(raw, table, limit):
    return raw.call("Query", body({"TableName": table, "KeyConditionExpression": "p = :p",
                                   "ExpressionAttributeValues": {":p": {"S": "x"}}, "Limit": "@n@"}, n=limit))


def scan(raw, table, **members):
    return raw.call("Scan", body(dict({"TableName": table}, **{k: f"@{k}@" for k in members}), **members))


@pytest.mark.parametrize("op", ["Query", "Scan"])
@pytest.mark.parametrize("text,shown", [("-1", "-1"), ("0", "0"), ("-1.5", "-1"), ("0.5", "0")])
def test_limit_below_one(raw, items_table, op, text, shown):
    r = query(raw, items_table, text) if op == "Query" else scan(raw, items_table, Limit=text)
    check(r, VE, constraint(shown, "limit", "greater than or equal to 1"))


@pytest.mark.dynarock_only
@pytest.mark.parametrize("op", ["Query", "Scan"])
def test_limit_tiny_exponent_is_zero(raw, items_table, op):
    r = query(raw, items_table, "1e-999999") if op == "Query" else scan(raw, items_table, Limit="1e-999999")
    check(r, VE, constraint("0", "limit", "greater than or equal to 1"))


@pytest.mark.parametrize("op", ["Query", "Scan"])
@pytest.mark.parametrize("text", ["1.9", "1.0", "10e-1"])
def test_limit_fraction_truncates(raw, items_table, op, text):
    r = query(raw, items_table, text) if op == "Query" else scan(raw, items_table, Limit=text)
    assert r.status == 200, r
    got = r.json()
    assert (got["Count"], got["ScannedCount"]) == (1, 1)
    assert "LastEvaluatedKey" in got


@pytest.mark.parametrize("op", ["Query", "Scan"])
def test_limit_int_max(raw, items_table, op):
    r = query(raw, items_table, "2147483647") if op == "Query" else scan(raw, items_table, Limit="2147483647")
    assert r.status == 200, r
    assert r.json()["Count"] == 3


@pytest.mark.dynarock_only
@pytest.mark.parametrize("op", ["Query", "Scan"])
@pytest.mark.parametrize("text", INT_HUGE + ["2147483647.5", "-2147483649"])
def test_limit_out_of_int_range(raw, items_table, op, text):
    r = query(raw, items_table, text) if op == "Query" else scan(raw, items_table, Limit=text)
    check(r, SE)


def test_limit_wrong_type_message_is_integer(raw, items_table):
    r = raw.call("Scan", {"TableName": items_table, "Limit": True})
    check(r, SE, "TRUE_VALUE cannot be converted to Integer")


# ---- Segment, TotalSegments (Scan) --------------------------------------------------------------


@pytest.mark.parametrize("text,shown", [("-1", "-1"), ("-0.5e1", "-5")])
def test_segment_negative(raw, items_table, text, shown):
    check(scan(raw, items_table, Segment=text, TotalSegments="2"), VE,
          constraint(shown, "segment", "greater than or equal to 0"))


@pytest.mark.parametrize("text", ["0", "1.9", "0.99"])
def test_segment_fraction_truncates(raw, items_table, text):
    # 1.9 is segment 1 of 2, 0.99 segment 0: each is a valid parallel-scan segment
    r = scan(raw, items_table, Segment=text, TotalSegments="2")
    assert r.status == 200, r


@pytest.mark.dynarock_only
def test_segment_tiny_exponent_is_zero(raw, items_table):
    r0 = scan(raw, items_table, Segment="0", TotalSegments="2")
    r1 = scan(raw, items_table, Segment="1e-999999", TotalSegments="2")
    assert r0.status == r1.status == 200, (r0, r1)
    assert r0.json() == r1.json()


def test_segment_above_max(raw, items_table):
    check(scan(raw, items_table, Segment="1000000", TotalSegments="1000000"), VE,
          constraint("1000000", "segment", "less than or equal to 999999"))


@pytest.mark.dynarock_only
@pytest.mark.parametrize("text", INT_HUGE)
def test_segment_out_of_int_range(raw, items_table, text):
    check(scan(raw, items_table, Segment=text, TotalSegments="2"), SE)


@pytest.mark.parametrize("text,shown", [("-1", "-1"), ("0", "0"), ("0.9", "0")])
def test_total_segments_below_one(raw, items_table, text, shown):
    check(scan(raw, items_table, Segment="0", TotalSegments=text), VE,
          constraint(shown, "totalSegments", "greater than or equal to 1"))


@pytest.mark.dynarock_only
def test_total_segments_tiny_exponent_is_zero(raw, items_table):
    check(scan(raw, items_table, Segment="0", TotalSegments="1e-999999"), VE,
          constraint("0", "totalSegments", "greater than or equal to 1"))


def test_total_segments_fraction_truncates(raw, items_table):
    r = scan(raw, items_table, Segment="0", TotalSegments="1.9")
    assert r.status == 200, r
    assert r.json()["Count"] == 3  # one segment: the whole table


def test_total_segments_above_max(raw, items_table):
    check(scan(raw, items_table, Segment="0", TotalSegments="1000001"), VE,
          constraint("1000001", "totalSegments", "less than or equal to 1000000"))


@pytest.mark.dynarock_only
@pytest.mark.parametrize("text", INT_HUGE)
def test_total_segments_out_of_int_range(raw, items_table, text):
    check(scan(raw, items_table, Segment="0", TotalSegments=text), SE)


# ---- Limit (ListTables) -------------------------------------------------------------------------


@pytest.mark.parametrize("text,shown,what", [("0", "0", "greater than or equal to 1"),
                                             ("-1", "-1", "greater than or equal to 1"),
                                             ("0.5", "0", "greater than or equal to 1"),
                                             ("101", "101", "less than or equal to 100"),
                                             ("100.5", "100", None)])
def test_list_tables_limit(raw, text, shown, what):
    r = raw.call("ListTables", body({"Limit": "@n@"}, n=text))
    if what is None:
        assert r.status == 200, r
    else:
        check(r, VE, constraint(shown, "limit", what))


@pytest.mark.dynarock_only
@pytest.mark.parametrize("text", INT_HUGE)
def test_list_tables_limit_out_of_int_range(raw, text):
    check(raw.call("ListTables", body({"Limit": "@n@"}, n=text)), SE)


# ---- CreateTable: table and GSI throughput ------------------------------------------------------

GSI_BASE = {"IndexName": "gsi", "KeySchema": [{"AttributeName": "q", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}


def create(raw, name, rcu, wcu="1", gsi_rcu=None):
    payload = {"TableName": name, "BillingMode": "PROVISIONED",
               "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}],
               "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
               "ProvisionedThroughput": {"ReadCapacityUnits": "@r@", "WriteCapacityUnits": "@w@"}}
    lits = {"r": rcu, "w": wcu}
    if gsi_rcu is not None:
        payload["AttributeDefinitions"].append({"AttributeName": "q", "AttributeType": "S"})
        payload["GlobalSecondaryIndexes"] = [dict(GSI_BASE, ProvisionedThroughput={
            "ReadCapacityUnits": "@gr@", "WriteCapacityUnits": 1})]
        lits["gr"] = gsi_rcu
    return raw.call("CreateTable", body(payload, **lits))


@pytest.mark.parametrize("text,shown", [("-1", "-1"), ("0", "0"), ("0.9", "0")])
def test_create_table_throughput_below_one(raw, text, shown):
    check(create(raw, du.unique_name("num"), text), VE,
          constraint(shown, "provisionedThroughput.readCapacityUnits", "greater than or equal to 1"))
    check(create(raw, du.unique_name("num"), "1", text), VE,
          constraint(shown, "provisionedThroughput.writeCapacityUnits", "greater than or equal to 1"))


@pytest.mark.parametrize("text,shown", [("-1", "-1"), ("0", "0"), ("0.9", "0")])
def test_create_table_gsi_throughput_below_one(raw, text, shown):
    check(create(raw, du.unique_name("num"), "1", gsi_rcu=text), VE,
          constraint(shown, "globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits",
                     "greater than or equal to 1"))


@pytest.mark.dynarock_only
def test_create_table_throughput_tiny_exponent_is_zero(raw):
    check(create(raw, du.unique_name("num"), "1e-999999"), VE,
          constraint("0", "provisionedThroughput.readCapacityUnits", "greater than or equal to 1"))
    check(create(raw, du.unique_name("num"), "1", gsi_rcu="1e-999999"), VE,
          constraint("0", "globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits",
                     "greater than or equal to 1"))


def test_create_table_throughput_out_of_bounds(raw):
    check(create(raw, du.unique_name("num"), "1000000000001"), VE,
          "Given value 1000000000001 for ReadCapacityUnits is out of bounds")
    check(create(raw, du.unique_name("num"), "1", "1000000000001"), VE,
          "Given value 1000000000001 for WriteCapacityUnits is out of bounds")


@pytest.mark.dynarock_only
def test_create_table_throughput_out_of_bounds_shows_converted_value(raw):
    check(create(raw, du.unique_name("num"), "9223372036854775807"), VE,
          "Given value 9223372036854775807 for ReadCapacityUnits is out of bounds")
    check(create(raw, du.unique_name("num"), "1e13"), VE,
          "Given value 10000000000000 for ReadCapacityUnits is out of bounds")


@pytest.mark.dynarock_only
def test_create_table_gsi_throughput_out_of_bounds(raw):
    check(create(raw, du.unique_name("num"), "1", gsi_rcu="1e13"), VE,
          "Given value 10000000000000 for ReadCapacityUnits is out of bounds for index gsi")


@pytest.mark.dynarock_only
@pytest.mark.parametrize("text", HUGE + ["9.3e18", "-9223372036854775809"])
def test_create_table_throughput_out_of_long_range(raw, text):
    check(create(raw, du.unique_name("num"), text), SE)
    check(create(raw, du.unique_name("num"), "1", text), SE)
    check(create(raw, du.unique_name("num"), "1", gsi_rcu=text), SE)


def test_create_table_throughput_fraction_truncates(raw, ddb):
    name = du.unique_name("num")
    try:
        r = create(raw, name, "1.9", "2.5", gsi_rcu="3.99")
        assert r.status == 200, r
        t = r.json()["TableDescription"]
        assert (t["ProvisionedThroughput"]["ReadCapacityUnits"], t["ProvisionedThroughput"]["WriteCapacityUnits"]) \
            == (1, 2)
        assert t["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    finally:
        du.delete_table_quietly(ddb, name)


@pytest.mark.dynarock_only
def test_create_table_large_long_throughput_is_stored(raw, ddb):
    # within Java's long and below 10^12: AWS would refuse it against the account's limits
    name = du.unique_name("num")
    try:
        r = create(raw, name, "2147483648", gsi_rcu="2147483648")
        assert r.status == 200, r
        t = ddb.describe_table(TableName=name)["Table"]
        assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 2147483648
        assert t["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["ReadCapacityUnits"] == 2147483648
    finally:
        du.delete_table_quietly(ddb, name)


# ---- UpdateTable: table throughput, GSI Update, GSI Create --------------------------------------


@pytest.fixture(scope="module")
def prov_table(ddb):
    """PROVISIONED 5/5 with GSI gsi (5/5) on q."""
    name = du.unique_name("num")
    ddb.create_table(TableName=name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                     AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"},
                                           {"AttributeName": "q", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
                     GlobalSecondaryIndexes=[dict(GSI_BASE, ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                                                   "WriteCapacityUnits": 5})])
    du.wait_active(ddb, name)
    yield name
    du.delete_table_quietly(ddb, name)


def update_table(raw, name, rcu, wcu="5"):
    return raw.call("UpdateTable", body({"TableName": name, "ProvisionedThroughput": {
        "ReadCapacityUnits": "@r@", "WriteCapacityUnits": "@w@"}}, r=rcu, w=wcu))


def update_gsi(raw, name, rcu, wcu="5"):
    return raw.call("UpdateTable", body({"TableName": name, "GlobalSecondaryIndexUpdates": [{"Update": {
        "IndexName": "gsi", "ProvisionedThroughput": {"ReadCapacityUnits": "@r@", "WriteCapacityUnits": "@w@"}}}]},
        r=rcu, w=wcu))


def create_gsi(raw, name, rcu):
    return raw.call("UpdateTable", body({
        "TableName": name, "AttributeDefinitions": [{"AttributeName": "z", "AttributeType": "S"}],
        "GlobalSecondaryIndexUpdates": [{"Create": {
            "IndexName": "gsi2", "KeySchema": [{"AttributeName": "z", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
            "ProvisionedThroughput": {"ReadCapacityUnits": "@r@", "WriteCapacityUnits": 1}}}]}, r=rcu))


UPD = "globalSecondaryIndexUpdates.1.member.update.provisionedThroughput"
CRE = "globalSecondaryIndexUpdates.1.member.create.provisionedThroughput"


@pytest.mark.parametrize("text,shown", [("-1", "-1"), ("0", "0"), ("0.9", "0")])
def test_update_table_throughput_below_one(raw, prov_table, text, shown):
    check(update_table(raw, prov_table, text), VE,
          constraint(shown, "provisionedThroughput.readCapacityUnits", "greater than or equal to 1"))
    check(update_gsi(raw, prov_table, text), VE,
          constraint(shown, f"{UPD}.readCapacityUnits", "greater than or equal to 1"))
    check(create_gsi(raw, prov_table, text), VE,
          constraint(shown, f"{CRE}.readCapacityUnits", "greater than or equal to 1"))


@pytest.mark.dynarock_only
def test_update_table_throughput_tiny_exponent_is_zero(raw, prov_table):
    check(update_table(raw, prov_table, "1e-999999"), VE,
          constraint("0", "provisionedThroughput.readCapacityUnits", "greater than or equal to 1"))
    check(update_gsi(raw, prov_table, "5", "1e-999999"), VE,
          constraint("0", f"{UPD}.writeCapacityUnits", "greater than or equal to 1"))
    check(create_gsi(raw, prov_table, "1e-999999"), VE,
          constraint("0", f"{CRE}.readCapacityUnits", "greater than or equal to 1"))


def test_update_table_throughput_out_of_bounds(raw, prov_table):
    check(update_table(raw, prov_table, "1000000000001"), VE,
          "Given value 1000000000001 for ReadCapacityUnits is out of bounds")
    check(update_gsi(raw, prov_table, "1000000000001"), VE,
          "Given value 1000000000001 for ReadCapacityUnits is out of bounds for index gsi")
    check(update_gsi(raw, prov_table, "5", "1000000000001"), VE,
          "Given value 1000000000001 for WriteCapacityUnits is out of bounds for index gsi")


@pytest.mark.dynarock_only
def test_update_table_gsi_create_out_of_bounds(raw, prov_table):
    check(create_gsi(raw, prov_table, "1e13"), VE,
          "Given value 10000000000000 for ReadCapacityUnits is out of bounds for index gsi2")


@pytest.mark.dynarock_only
@pytest.mark.parametrize("text", HUGE)
def test_update_table_throughput_out_of_long_range(raw, prov_table, text):
    check(update_table(raw, prov_table, text), SE)
    check(update_table(raw, prov_table, "5", text), SE)
    check(update_gsi(raw, prov_table, text), SE)
    check(create_gsi(raw, prov_table, text), SE)


def test_update_table_throughput_fraction_truncates(raw, ddb, prov_table):
    r = update_table(raw, prov_table, "4.9", "5.5")
    assert r.status == 200, r
    pt = r.json()["TableDescription"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (4, 5)
    du.wait_active(ddb, prov_table)
    r = update_gsi(raw, prov_table, "3.99", "5")
    assert r.status == 200, r
    du.wait_active(ddb, prov_table)
    g = ddb.describe_table(TableName=prov_table)["Table"]["GlobalSecondaryIndexes"][0]
    assert g["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
