"""Capacity enforcement (issue 16): --enforce-capacity throttles provisioned tables and GSIs at their
RCU / WCU, with --capacity-burst-seconds of unused capacity kept (DynamoDB keeps 300 s).

Each test starts its own server (dynarock-only flags). Timing on a shared 2-core machine is noisy, so
the tests build deficits of seconds (one large item against a small provisioning) and assert the
refusal right after it and the recovery after the deficit has been paid back, never tight rates.
"""
import re
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import dynarock_util as du

pytestmark = [pytest.mark.needs_process, pytest.mark.dynarock_only]

PTEE = "ProvisionedThroughputExceededException"
TABLE_MSG = ("The level of configured provisioned throughput for the table was exceeded. "
             "Consider increasing your provisioning level with the UpdateTable API.")
GSI_MSG = ("The level of configured provisioned throughput for one or more global secondary indexes of the "
           "table was exceeded. Consider increasing your provisioning level for the under-provisioned global "
           "secondary indexes with the UpdateTable API")
ENFORCE = ["--in-memory", "--enforce-capacity", "--capacity-burst-seconds", "1"]


def client(srv, **retries):
    cfg = Config(retries=retries or {"total_max_attempts": 1})
    return boto3.client("dynamodb", endpoint_url=srv.url, region_name="us-east-1", aws_access_key_id="dummy",
                        aws_secret_access_key="dummy", config=cfg)


def item(pk, kb):
    """An item of exactly `kb` write units (DynamoDB size just under kb KB)."""
    return {"pk": {"S": pk}, "v": {"S": "x" * (kb * 1024 - 10)}}


def make_table(c, name, rcu=None, wcu=None, gsi=None):
    kw = {"TableName": name, "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
          "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    if rcu is None:
        kw["BillingMode"] = "PAY_PER_REQUEST"
    else:
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": rcu, "WriteCapacityUnits": wcu}
    if gsi:
        g_rcu, g_wcu = gsi
        kw["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "S"})
        kw["GlobalSecondaryIndexes"] = [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                         "Projection": {"ProjectionType": "ALL"},
                                         "ProvisionedThroughput": {"ReadCapacityUnits": g_rcu,
                                                                   "WriteCapacityUnits": g_wcu}}]
    c.create_table(**kw)
    du.wait_active(c, name)
    return name


def scrape(srv):
    """{(name, frozenset(labels)): value} of GET /metrics."""
    status, body = du.http_get(srv.url, "/metrics")
    assert status == 200
    text = body.decode() if isinstance(body, bytes) else body
    out = {}
    for line in text.splitlines():
        m = re.match(r'^([a-z_]+)\{([^}]*)\} (\S+)$', line)
        if m:
            labels = frozenset(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2)))
            out[(m.group(1), labels)] = float(m.group(3))
    return out


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0)


def test_table_writes_throttled_after_burst_then_refill(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=10, wcu=10)
    # 10 units in the bucket (10 WCU x 1 s); a 30-unit write is admitted and leaves a deficit of 20 (2 s)
    r = c.put_item(TableName=name, Item=item("a", 30), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 30.0}
    with du.raises(PTEE, TABLE_MSG):
        c.put_item(TableName=name, Item=item("b", 1))
    with du.raises(PTEE, TABLE_MSG):
        c.delete_item(TableName=name, Key={"pk": {"S": "a"}})
    with du.raises(PTEE, TABLE_MSG):
        c.update_item(TableName=name, Key={"pk": {"S": "a"}}, UpdateExpression="SET w = :w",
                      ExpressionAttributeValues={":w": {"N": "1"}})
    # reads have their own bucket
    assert c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]["pk"] == {"S": "a"}
    time.sleep(2.6)  # the deficit paid back at 10 units a second
    c.put_item(TableName=name, Item=item("b", 1))
    assert "Item" in c.get_item(TableName=name, Key={"pk": {"S": "b"}})
    m = scrape(srv)
    assert metric(m, "dynarock_throttled_requests_total", table=name, index="") == 3


def test_table_reads_throttled(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=2, wcu=100)
    c.put_item(TableName=name, Item=item("a", 24))  # 24 KB: 6 read units consistent, 3 eventual
    r = c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 6.0  # 2 - 6: a deficit of 4 (2 s)
    with du.raises(PTEE, TABLE_MSG):
        c.get_item(TableName=name, Key={"pk": {"S": "a"}})
    with du.raises(PTEE, TABLE_MSG):
        c.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}})
    with du.raises(PTEE, TABLE_MSG):
        c.scan(TableName=name)
    with du.raises(PTEE, TABLE_MSG):
        c.execute_statement(Statement=f'SELECT * FROM "{name}" WHERE pk = \'a\'')
    c.put_item(TableName=name, Item=item("b", 1))  # writes have their own bucket


def test_gsi_without_capacity_throttles_base_table_writes(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=100, wcu=100, gsi=(100, 2))
    # an item without the index key costs the GSI nothing
    for i in range(4):
        c.put_item(TableName=name, Item=item(f"n{i}", 3))
    # one that carries it: 5 units for a GSI holding 2 (a deficit of 3, 1.5 s)
    c.put_item(TableName=name, Item={**item("a", 5), "g": {"S": "x"}})
    with du.raises(PTEE, GSI_MSG):
        c.put_item(TableName=name, Item=item("b", 1))  # even an item the GSI will not hold
    with pytest.raises(ClientError) as ei:
        c.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": item("c", 1)}}])
    assert ei.value.response["CancellationReasons"] == [{"Code": "ProvisionedThroughputExceeded",
                                                         "Message": GSI_MSG}]
    # reads of the table are not the GSI's writes
    assert "Item" in c.get_item(TableName=name, Key={"pk": {"S": "a"}})
    m = scrape(srv)
    assert metric(m, "dynarock_throttled_requests_total", table=name, index="byg") == 2
    assert metric(m, "dynarock_throttled_requests_total", table=name, index="") == 0
    assert metric(m, "dynarock_consumed_write_units_total", table=name, index="byg") == 5
    assert metric(m, "dynarock_consumed_write_units_total", table=name, index="") == 17


def test_gsi_reads_use_the_index_capacity(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=100, wcu=100, gsi=(1, 100))
    c.put_item(TableName=name, Item={**item("a", 20), "g": {"S": "x"}})
    q = {"TableName": name, "IndexName": "byg", "KeyConditionExpression": "g = :g",
         "ExpressionAttributeValues": {":g": {"S": "x"}}, "ReturnConsumedCapacity": "INDEXES"}
    r = c.query(**q)  # 20 KB eventually consistent: 2.5 units against 1 (a deficit of 1.5 s)
    assert r["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 2.5, "Table": {"CapacityUnits": 0.0},
                                     "GlobalSecondaryIndexes": {"byg": {"CapacityUnits": 2.5}}}
    with du.raises(PTEE, GSI_MSG):
        c.query(**q)
    assert "Item" in c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)  # the table's
    m = scrape(srv)
    assert metric(m, "dynarock_consumed_read_units_total", table=name, index="byg") == 2.5
    assert metric(m, "dynarock_throttled_requests_total", table=name, index="byg") == 1


def test_update_table_raising_capacity_lifts_throttling(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=1, wcu=1)
    c.put_item(TableName=name, Item=item("a", 10))  # a deficit of 9 units: 9 s at 1 WCU
    with du.raises(PTEE, TABLE_MSG):
        c.put_item(TableName=name, Item=item("b", 1))
    c.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1000})
    du.wait_active(c, name)
    time.sleep(0.3)  # 1000 units a second pay the 9 back at once
    c.put_item(TableName=name, Item=item("b", 1))


def test_recreated_table_starts_with_full_buckets(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=1, wcu=1)
    c.put_item(TableName=name, Item=item("a", 20))  # 19 s of deficit
    with du.raises(PTEE, TABLE_MSG):
        c.put_item(TableName=name, Item=item("b", 1))
    c.delete_table(TableName=name)
    du.wait_gone(c, name)
    make_table(c, name, rcu=1, wcu=1)
    c.put_item(TableName=name, Item=item("b", 1))


def test_on_demand_tables_are_not_throttled(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"))
    for i in range(5):
        c.put_item(TableName=name, Item=item(f"k{i}", 100))
        c.get_item(TableName=name, Key={"pk": {"S": f"k{i}"}}, ConsistentRead=True)
    c.scan(TableName=name)
    m = scrape(srv)
    assert metric(m, "dynarock_consumed_write_units_total", table=name, index="") == 500
    assert metric(m, "dynarock_consumed_read_units_total", table=name, index="") == 5 * 25 + 5 * 25 * 0.5


def test_flag_off_never_throttles(server_factory):
    srv = server_factory(["--in-memory", "--capacity-burst-seconds", "1"])
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=1, wcu=1, gsi=(1, 1))
    for i in range(5):
        c.put_item(TableName=name, Item={**item(f"k{i}", 50), "g": {"S": "x"}})
        c.get_item(TableName=name, Key={"pk": {"S": f"k{i}"}}, ConsistentRead=True)
    c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "x"}})


def test_sdk_retries_until_capacity_returns(server_factory):
    srv = server_factory(ENFORCE)
    name = make_table(client(srv), du.unique_name("cap"), rcu=10, wcu=10)
    none = client(srv)
    none.put_item(TableName=name, Item=item("a", 25))  # a deficit of 15 units: 1.5 s
    with pytest.raises(ClientError) as ei:
        none.put_item(TableName=name, Item=item("b", 1))
    assert ei.value.response["Error"]["Code"] == PTEE
    assert ei.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    standard = client(srv, mode="standard", total_max_attempts=12)
    r = standard.put_item(TableName=name, Item=item("b", 1))
    assert r["ResponseMetadata"]["RetryAttempts"] >= 1


def test_transactions_cancel_with_a_reason(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    hot = make_table(c, du.unique_name("cap"), rcu=1, wcu=1)
    cold = make_table(c, du.unique_name("cap"), rcu=100, wcu=100)
    c.put_item(TableName=hot, Item=item("a", 20))  # write deficit: 19 s
    c.get_item(TableName=hot, Key={"pk": {"S": "a"}}, ConsistentRead=True)  # read deficit: 4 s
    with pytest.raises(ClientError) as ei:
        c.transact_write_items(TransactItems=[{"Put": {"TableName": cold, "Item": item("x", 1)}},
                                              {"Put": {"TableName": hot, "Item": item("y", 1)}}])
    err = ei.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert err["Error"]["Message"] == ("Transaction cancelled, please refer cancellation reasons for specific "
                                       "reasons [None, ProvisionedThroughputExceeded]")
    assert err["CancellationReasons"] == [{"Code": "None"},
                                          {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_MSG}]
    assert "Item" not in c.get_item(TableName=cold, Key={"pk": {"S": "x"}})  # nothing written
    with pytest.raises(ClientError) as ei:
        c.transact_get_items(TransactItems=[{"Get": {"TableName": hot, "Key": {"pk": {"S": "a"}}}},
                                            {"Get": {"TableName": cold, "Key": {"pk": {"S": "a"}}}}])
    err = ei.value.response
    assert err["Error"]["Code"] == "TransactionCanceledException"
    assert err["CancellationReasons"] == [{"Code": "ProvisionedThroughputExceeded", "Message": TABLE_MSG},
                                          {"Code": "None"}]


def test_batches_answer_the_exception(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=1, wcu=1)
    c.put_item(TableName=name, Item=item("a", 20))
    c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)
    with du.raises(PTEE, TABLE_MSG):
        c.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item("b", 1)}}]})
    with du.raises(PTEE, TABLE_MSG):
        c.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": "a"}}]}})
    r = c.batch_execute_statement(Statements=[{"Statement": f'SELECT * FROM "{name}" WHERE pk = \'a\''}])
    assert r["Responses"][0]["Error"] == {"Code": "ProvisionedThroughputExceeded", "Message": TABLE_MSG}


def test_consumed_capacity_is_what_is_charged(server_factory):
    srv = server_factory(ENFORCE + ["--capacity-burst-seconds", "300"])
    c = client(srv)
    name = make_table(c, du.unique_name("cap"), rcu=1000, wcu=1000, gsi=(1000, 1000))
    rcc = {"ReturnConsumedCapacity": "TOTAL"}
    reads = writes = 0.0

    def units(r):
        cc = r["ConsumedCapacity"]
        return sum(x["CapacityUnits"] for x in cc) if isinstance(cc, list) else cc["CapacityUnits"]

    writes += units(c.put_item(TableName=name, Item={**item("a", 3), "g": {"S": "x"}}, **rcc))
    writes += units(c.put_item(TableName=name, Item=item("b", 2), **rcc))
    writes += units(c.update_item(TableName=name, Key={"pk": {"S": "b"}}, UpdateExpression="SET w = :w",
                                  ExpressionAttributeValues={":w": {"N": "1"}}, **rcc))
    writes += units(c.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": item("c", 1)}},
                                                            {"PutRequest": {"Item": item("d", 4)}}]}, **rcc))
    writes += units(c.transact_write_items(TransactItems=[{"Put": {"TableName": name, "Item": item("e", 2)}}],
                                           **rcc))
    writes += units(c.execute_statement(Statement=f'INSERT INTO "{name}" VALUE {{\'pk\': \'f\'}}', **rcc))
    c.put_item(TableName=name, Item=item("z", 7))  # charged even when not asked to report it: 7
    writes += 7
    writes += units(c.delete_item(TableName=name, Key={"pk": {"S": "z"}}, **rcc))
    reads += units(c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True, **rcc))
    reads += units(c.get_item(TableName=name, Key={"pk": {"S": "b"}}, **rcc))
    reads += units(c.batch_get_item(RequestItems={name: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "d"}}]}},
                                    **rcc))
    reads += units(c.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": {"pk": {"S": "a"}}}}],
                                        **rcc))
    reads += units(c.scan(TableName=name, **rcc))
    reads += units(c.execute_statement(Statement=f'SELECT * FROM "{name}" WHERE pk = \'b\'', **rcc))
    gsi = c.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                  ExpressionAttributeValues={":g": {"S": "x"}}, **rcc)
    m = scrape(srv)
    # a write's CapacityUnits is the table's and its indexes': each part is charged to its own bucket
    assert metric(m, "dynarock_consumed_write_units_total", table=name, index="byg") == 3  # item a only (3 KB)
    assert metric(m, "dynarock_consumed_write_units_total", table=name, index="") == writes - 3
    assert metric(m, "dynarock_consumed_read_units_total", table=name, index="") == reads
    assert metric(m, "dynarock_consumed_read_units_total", table=name, index="byg") == units(gsi)
    assert metric(m, "dynarock_throttled_requests_total", table=name, index="") == 0


# ---- ThrottlingReasons (the error's list of what was throttled, with the resource's ARN) -----------------


OPS = {"put_item": "PutItem", "get_item": "GetItem", "query": "Query"}


def raw_error(srv, op, **kw):
    """The error body of a refused call, sent raw (Debian's botocore predates ThrottlingReasons and would
    drop them): {"Error": {"Code", "Message"}, and the body's other members}."""
    r = du.RawClient(srv.url, "us-east-1", du.static_credentials()).call(OPS[op], kw)
    assert r.status == 400, r
    body = r.json()
    out = {k: v for k, v in body.items() if k not in ("__type", "message")}
    out["Error"] = {"Code": body["__type"].split("#")[1], "Message": body["message"]}
    return out


def test_throttling_reasons_name_the_resource(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = make_table(c, du.unique_name("why"), rcu=2, wcu=10, gsi=(5, 1))
    c.put_item(TableName=name, Item=item("a", 30))  # the table's write bucket: 10 - 30
    resp = raw_error(srv, "put_item", TableName=name, Item=item("b", 1))
    assert resp["Error"] == {"Code": PTEE, "Message": TABLE_MSG}
    assert resp["ThrottlingReasons"] == [{"reason": "TableWriteProvisionedThroughputExceeded",
                                          "resource": f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"}]
    c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)  # 8 units from 2
    resp = raw_error(srv, "get_item", TableName=name, Key={"pk": {"S": "a"}})
    assert resp["ThrottlingReasons"] == [{"reason": "TableReadProvisionedThroughputExceeded",
                                          "resource": f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"}]
    resp = raw_error(srv, "query", TableName=name, KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "a"}})
    assert resp["ThrottlingReasons"][0]["reason"] == "TableReadProvisionedThroughputExceeded"

    other = make_table(c, du.unique_name("why"), rcu=5, wcu=100, gsi=(5, 1))
    c.put_item(TableName=other, Item={**item("a", 5), "g": {"S": "x"}})  # the GSI's write bucket: 1 - 5
    resp = raw_error(srv, "put_item", TableName=other, Item={"pk": {"S": "b"}})
    assert resp["Error"] == {"Code": PTEE, "Message": GSI_MSG}
    assert resp["ThrottlingReasons"] == [
        {"reason": "IndexWriteProvisionedThroughputExceeded",
         "resource": f"arn:aws:dynamodb:us-east-1:000000000000:table/{other}/index/byg"}]


# ---- OnDemandThroughput: an on-demand table's maximum request units per second --------------------------
# Sent raw: Debian's botocore predates OnDemandThroughput (its validator refuses the member).

MAX_MSG = "Throughput exceeds the maximum OnDemandThroughput configured on the table"
INVALID = "One or more parameter values were invalid: "


def call(srv, op, body):
    r = du.RawClient(srv.url, "us-east-1", du.static_credentials()).call(op, body)
    return r.status, r.json()


def create_on_demand(srv, name, od):
    body = {"TableName": name, "BillingMode": "PAY_PER_REQUEST", **du.key_schema("pk", "S")}
    if od is not None:
        body["OnDemandThroughput"] = od
    return call(srv, "CreateTable", body)


def update_od(srv, name, od, **more):
    return call(srv, "UpdateTable", {"TableName": name, "OnDemandThroughput": od, **more})


def test_on_demand_maximum_described_updated_and_persisted(server_factory, tmp_path):
    args = ["--data-dir", str(tmp_path / "data")]
    srv = server_factory(args)
    name = du.unique_name("odt")
    status, body = create_on_demand(srv, name, {"MaxReadRequestUnits": 50})
    assert status == 200, body
    assert body["TableDescription"]["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": -1}
    status, body = update_od(srv, name, {"MaxWriteRequestUnits": 7})
    assert body["TableDescription"]["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 7}
    assert srv.stop() == 0
    srv = server_factory(args)
    status, body = call(srv, "DescribeTable", {"TableName": name})
    assert body["Table"]["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 7}
    status, body = update_od(srv, name, {"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": -1})
    assert status == 200, body
    assert "OnDemandThroughput" not in body["TableDescription"]  # no maximum left: as if never set
    # to provisioned: the maximums go
    assert update_od(srv, name, {"MaxReadRequestUnits": 9})[0] == 200
    status, body = call(srv, "UpdateTable", {"TableName": name, "BillingMode": "PROVISIONED",
                                             "ProvisionedThroughput": {"ReadCapacityUnits": 1,
                                                                       "WriteCapacityUnits": 1}})
    assert status == 200, body
    assert "OnDemandThroughput" not in body["TableDescription"]


def test_on_demand_maximum_validation(server_factory):
    srv = server_factory(["--in-memory"])
    name = du.unique_name("odt")
    assert create_on_demand(srv, name, {"MaxReadRequestUnits": 0}) == (400, {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for table is outside of valid range"})
    assert call(srv, "CreateTable", {"TableName": name, **du.key_schema("pk", "S"),
                                     "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                                     "OnDemandThroughput": {"MaxReadRequestUnits": 5}}) == (400, {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": INVALID + "OnDemandThroughput can only be specified when BillingMode is PAY_PER_REQUEST"})
    assert create_on_demand(srv, name, None)[0] == 200
    assert update_od(srv, name, {"MaxWriteRequestUnits": -2}) == (400, {
        "__type": "com.amazon.coral.validate#ValidationException",
        "message": INVALID + "Requested MaxWriteRequestUnits for OnDemandThroughput for table is outside of valid range"})
    assert update_od(srv, name, {"MaxReadRequestUnits": "5"}) == (400, {
        "__type": "com.amazon.coral.service#SerializationException",
        "Message": "STRING_VALUE cannot be converted to Long"})


def test_on_demand_maximum_throttles(server_factory):
    srv = server_factory(ENFORCE)
    c = client(srv)
    name = du.unique_name("odt")
    assert create_on_demand(srv, name, {"MaxWriteRequestUnits": 10})[0] == 200
    c.put_item(TableName=name, Item=item("a", 30))  # one second's 10 units, then a deficit of 20 (2 s)
    resp = raw_error(srv, "put_item", TableName=name, Item=item("b", 1))
    assert resp["Error"] == {"Code": "ThrottlingException", "Message": MAX_MSG}
    assert resp["ThrottlingReasons"] == [{"reason": "TableWriteMaxOnDemandThroughputExceeded",
                                          "resource": f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}"}]
    # reads have no maximum: never refused
    for _ in range(5):
        c.get_item(TableName=name, Key={"pk": {"S": "a"}}, ConsistentRead=True)
    time.sleep(2.6)
    c.put_item(TableName=name, Item=item("b", 1))
    # without a maximum nothing is refused
    assert update_od(srv, name, {"MaxWriteRequestUnits": -1})[0] == 200
    for k in "cdef":
        c.put_item(TableName=name, Item=item(k, 30))
