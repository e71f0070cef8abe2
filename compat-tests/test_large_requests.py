"""Large requests: many names, values, conditions and set elements in one request.

The server once checked these with a scan per member (quadratic in the request size); these tests
pin the behaviour the linear versions must keep, not the time (bench/worstcase.py times them):
- an item of 40 k distinct attributes round-trips exactly; a name repeated in the raw JSON of an
  Item means its last value (a JSON object read into a map);
- AttributesToGet of 40 k names returns them all; a repeated name is reported exactly;
- ExpressionAttributeNames / Values of 20 k keys: the used ones resolve, the unused are refused
  with DynamoDB's message; a key repeated in raw JSON counts once, with its last value;
- QueryFilter / ScanFilter / Expected of 10 k+ conditions evaluate right (no deep recursion);
- AttributeUpdates of 20 k PUTs, then DELETEs, leave exactly the expected attributes;
- ADD / DELETE of 5 k-element sets against a 5 k-element set;
- BatchGetItem: duplicate keys found even when keys carry many members (before the schema check).
"""

import dynarock_util as du
from dynarock_util import raises

VE = "ValidationException"
BOOL = {"BOOL": True}


def names(n, fmt="a%05d"):
    return [fmt % i for i in range(n)]


def test_item_of_many_names_round_trips(ddb, table_s):
    k = {"p": {"S": du.unique_name("big")}}
    item = dict(k, **{a: {"N": str(i)} for i, a in enumerate(names(40000))})
    ddb.put_item(TableName=table_s, Item=item)
    got = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)["Item"]
    assert got == item


def test_repeated_name_in_raw_item_last_wins(ddb, table_s):
    p = du.unique_name("dup")
    members = ['"p":{"S":"%s"}' % p] + ['"%s":{"N":"%d"}' % (a, i) for i, a in enumerate(names(20))]
    members += ['"a00003":{"S":"last"}', '"a00019":{"BOOL":false}']
    r = du.raw_for(ddb).call("PutItem", '{"TableName":"%s","Item":{%s}}' % (table_s, ",".join(members)))
    assert r.status == 200, r
    got = ddb.get_item(TableName=table_s, Key={"p": {"S": p}}, ConsistentRead=True)["Item"]
    assert len(got) == 21
    assert got["a00003"] == {"S": "last"} and got["a00019"] == {"BOOL": False} and got["a00004"] == {"N": "4"}


def test_attributes_to_get_many(ddb, table_s):
    k = {"p": {"S": du.unique_name("atg")}}
    item = dict(k, **{a: BOOL for a in names(30000)})
    ddb.put_item(TableName=table_s, Item=item)
    want = names(40000)[::-1]  # 10 k of them are not in the item
    got = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True, AttributesToGet=want)["Item"]
    assert got == {a: BOOL for a in names(30000)}
    with raises(VE, "One or more parameter values were invalid: Duplicate value in attribute name: a20000",
                envelope=True):
        ddb.get_item(TableName=table_s, Key=k, AttributesToGet=want + ["a20000", "a00001"])


def test_many_names_and_values(ddb, table_s):
    k = {"p": {"S": du.unique_name("eav")}}
    ddb.put_item(TableName=table_s, Item=dict(k, a00007={"N": "7"}, a19999={"S": "z"}))
    n = 20000
    ean = {"#n%d" % i: a for i, a in enumerate(names(n))}
    eav = {":v%d" % i: {"N": str(i)} for i in range(n)}
    cond = "#n19999 = :v1 OR #n7 = :v7"
    with raises(VE, pattern=r"Value provided in ExpressionAttributeNames unused in expressions: keys: \{.*\}"):
        ddb.delete_item(TableName=table_s, Key=k, ConditionExpression=cond, ExpressionAttributeNames=ean,
                        ExpressionAttributeValues={":v1": eav[":v1"], ":v7": eav[":v7"]})
    with raises(VE, pattern=r"Value provided in ExpressionAttributeValues unused in expressions: keys: \{.*\}"):
        ddb.delete_item(TableName=table_s, Key=k, ConditionExpression=cond,
                        ExpressionAttributeNames={"#n19999": "a19999", "#n7": "a00007"},
                        ExpressionAttributeValues=eav)
    # all used: the condition holds (a00007 = 7)
    ddb.delete_item(TableName=table_s, Key=k, ConditionExpression=cond,
                    ExpressionAttributeNames={"#n19999": "a19999", "#n7": "a00007"},
                    ExpressionAttributeValues={":v1": eav[":v1"], ":v7": eav[":v7"]})
    assert "Item" not in ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)


def test_repeated_expression_keys_in_raw_json(ddb, table_s):
    p = du.unique_name("rk")
    ddb.put_item(TableName=table_s, Item={"p": {"S": p}, "x": {"N": "1"}, "y": {"N": "2"}})
    body = ('{"TableName":"%s","Key":{"p":{"S":"%s"}},"ConditionExpression":"#a = :v",'
            '"ExpressionAttributeNames":{"#a":"x","#a":"y"},'
            '"ExpressionAttributeValues":{":v":{"N":"1"},":v":{"N":"2"}}}' % (table_s, p))
    r = du.raw_for(ddb).call("DeleteItem", body)
    assert r.status == 200, r  # y = 2: the last of each repeated key
    assert "Item" not in ddb.get_item(TableName=table_s, Key={"p": {"S": p}}, ConsistentRead=True)


def test_many_legacy_conditions(ddb, table_s):
    p = du.unique_name("lf")
    k = {"p": {"S": p}}
    present = names(5000)
    ddb.put_item(TableName=table_s, Item=dict(k, **{a: BOOL for a in present}))
    flt = {a: {"ComparisonOperator": "NOT_NULL"} for a in present}
    flt.update({a: {"ComparisonOperator": "NULL"} for a in names(15000)[5000:]})
    r = ddb.query(TableName=table_s, KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [k["p"]]}},
                  QueryFilter=flt, ConsistentRead=True)
    assert r["Count"] == 1 and r["ScannedCount"] == 1
    flt["a00000"] = {"ComparisonOperator": "NULL"}  # one false: AND fails, OR holds
    r = ddb.query(TableName=table_s, KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [k["p"]]}},
                  QueryFilter=flt, ConsistentRead=True)
    assert r["Count"] == 0
    r = ddb.query(TableName=table_s, KeyConditions={"p": {"ComparisonOperator": "EQ", "AttributeValueList": [k["p"]]}},
                  QueryFilter=flt, ConditionalOperator="OR", ConsistentRead=True)
    assert r["Count"] == 1
    expected = {a: {"Exists": True, "Value": BOOL} for a in present}
    expected["zz"] = {"Exists": False}
    ddb.delete_item(TableName=table_s, Key=k, Expected=expected)
    assert "Item" not in ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)


def test_many_attribute_updates(ddb, table_s):
    k = {"p": {"S": du.unique_name("au")}}
    upd = {a: {"Action": "PUT", "Value": {"N": str(i)}} for i, a in enumerate(names(20000))}
    ddb.update_item(TableName=table_s, Key=k, AttributeUpdates=upd)
    got = ddb.get_item(TableName=table_s, Key=k, ConsistentRead=True)["Item"]
    assert got == dict(k, **{a: {"N": str(i)} for i, a in enumerate(names(20000))})
    dels = {a: {"Action": "DELETE"} for a in names(20000)[::2]}
    dels["new"] = {"Action": "PUT", "Value": BOOL}
    r = ddb.update_item(TableName=table_s, Key=k, AttributeUpdates=dels, ReturnValues="ALL_NEW")
    assert r["Attributes"] == dict(k, new=BOOL, **{a: {"N": str(i)} for i, a in enumerate(names(20000)) if i % 2})


def test_big_set_add_and_delete(ddb, table_s):
    k = {"p": {"S": du.unique_name("set")}}
    ddb.put_item(TableName=table_s, Item=dict(k, s={"NS": [str(2 * i) for i in range(5000)]}))
    add = [str(3 * i) + ".0" for i in range(5000)]  # multiples of 3, written as x.0
    r = ddb.update_item(TableName=table_s, Key=k, UpdateExpression="ADD s :s",
                        ExpressionAttributeValues={":s": {"NS": add}}, ReturnValues="UPDATED_NEW")
    assert sorted(int(x) for x in r["Attributes"]["s"]["NS"]) == \
        sorted(set(range(0, 10000, 2)) | set(range(0, 15000, 3)))
    r = ddb.update_item(TableName=table_s, Key=k, UpdateExpression="DELETE s :s",
                        ExpressionAttributeValues={":s": {"NS": add}}, ReturnValues="UPDATED_NEW")
    assert sorted(int(x) for x in r["Attributes"]["s"]["NS"]) == \
        sorted((set(range(0, 10000, 2)) | set(range(0, 15000, 3))) - set(range(0, 15000, 3)))


def test_batch_get_duplicate_big_keys(ddb, table_s):
    big = {a: BOOL for a in names(60)}
    with raises(VE, "Provided list of item keys contains duplicates"):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [dict(big), dict(reversed(list(big.items())))]}})
    other = dict(big, a00059={"BOOL": False})
    with raises(VE, "The provided key element does not match the schema"):
        ddb.batch_get_item(RequestItems={table_s: {"Keys": [big, other]}})
