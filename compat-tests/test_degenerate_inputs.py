"""Degenerate inputs (empty structures, empty strings, 0 and -1) across the control-plane operations.

Facts: the degenerate-input catalogue recorded against AWS in October 2026 (ack-api-quirks' DynamoDB
catalogue, DDB-TABLE-457: one request each against an idle PAY_PER_REQUEST table, client-side validation
off). Where AWS reports two constraint violations, the order is AWS's (it differs by member: an index
name's length before its pattern, a backup name's pattern before its length; an attribute definition's
type before its name). Tag cases live in test_tags.py.
"""
import pytest

import dynarock_util as du

VE = "ValidationException"
FAKE_BACKUP = "arn:aws:dynamodb:{region}:{account}:table/{t}/backup/01700000000000-abcdef01"
KS = {"KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}],
      "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": "S"}]}
GSI_DEFS = [{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}]


def nv(path):
    return f"Value null at '{path}' failed to satisfy constraint: Member must not be null"


def create(**kw):
    return {"TableName": "{new}", "BillingMode": "PAY_PER_REQUEST", **KS, **kw}


CASES = [
    ("CreateBackup", {"TableName": "{t}", "BackupName": ""},
     "2 validation errors detected: Value '' at 'backupName' failed to satisfy constraint: Member must satisfy "
     "regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'backupName' failed to satisfy constraint: Member "
     "must have length greater than or equal to 3"),
    ("CreateTable", {**create(), "AttributeDefinitions": [{}]},
     "2 validation errors detected: " + nv("attributeDefinitions.1.member.attributeType") + "; "
     + nv("attributeDefinitions.1.member.attributeName")),
    ("CreateTable", create(BillingMode=""),
     "1 validation error detected: Value '' at 'billingMode' failed to satisfy constraint: Member must satisfy enum "
     "value set: [PROVISIONED, PAY_PER_REQUEST]"),
    ("CreateTable", {**create(), "AttributeDefinitions": GSI_DEFS, "GlobalSecondaryIndexes": [
        {"IndexName": "", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "ALL"}}]},
     "2 validation errors detected: Value '' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy "
     "constraint: Member must have length greater than or equal to 3; Value '' at "
     "'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must satisfy regular "
     "expression pattern: [a-zA-Z0-9_.-]+"),
    ("CreateTable", {**create(), "AttributeDefinitions": GSI_DEFS, "GlobalSecondaryIndexes": [
        {"IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {}}]},
     "One or more parameter values were invalid: Unknown ProjectionType: null"),
    ("CreateTable", {**create(), "KeySchema": []},
     "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy constraint: Member must have length "
     "greater than or equal to 1"),
    ("CreateTable", {**create(), "KeySchema": [{}]},
     "2 validation errors detected: " + nv("keySchema.1.member.attributeName") + "; "
     + nv("keySchema.1.member.keyType")),
    ("CreateTable", create(SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": ""}),
     "1 validation error detected: Value '' at 'sSESpecification.kMSMasterKeyId' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
    ("CreateTable", create(StreamSpecification={"StreamEnabled": True, "StreamViewType": ""}),
     "1 validation error detected: Value '' at 'streamSpecification.streamViewType' failed to satisfy constraint: "
     "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"),
    ("DescribeBackup", {"BackupArn": ""}, "Invalid Backup ARN"),
    ("DescribeTable", {"TableName": ""},
     "2 validation errors detected: Value '' at 'tableName' failed to satisfy constraint: Member must have length "
     "greater than or equal to 3; Value '' at 'tableName' failed to satisfy constraint: Member must satisfy regular "
     "expression pattern: [a-zA-Z0-9_.-]+"),
    ("ExportTableToPointInTime", {"TableArn": "", "S3Bucket": "bucket"}, "Invalid TableArn: Invalid Table ARN"),
    ("ExportTableToPointInTime", {"TableArn": "{arn}", "S3Bucket": ""},
     "1 validation error detected: Value '' at 's3Bucket' failed to satisfy constraint: Member must satisfy regular "
     "expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"),
    ("ListBackups", {"Limit": 0},
     "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
     "than or equal to 1"),
    ("ListTables", {"Limit": 0},
     "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
     "than or equal to 1"),
    ("ListTables", {"ExclusiveStartTableName": ""},
     "2 validation errors detected: Value '' at 'exclusiveStartTableName' failed to satisfy constraint: Member must "
     "satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'exclusiveStartTableName' failed to satisfy "
     "constraint: Member must have length greater than or equal to 3"),
    ("RestoreTableFromBackup", {"TargetTableName": "", "BackupArn": FAKE_BACKUP},
     "TableName must be at least 3 characters long and at most 255 characters long"),
    ("RestoreTableFromBackup", {"TargetTableName": "{new}", "BackupArn": FAKE_BACKUP, "BillingModeOverride": ""},
     "1 validation error detected: Value '' at 'billingModeOverride' failed to satisfy constraint: Member must "
     "satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
    ("RestoreTableFromBackup", {"TargetTableName": "{new}", "BackupArn": FAKE_BACKUP,
                                "ProvisionedThroughputOverride": {}},
     "2 validation errors detected: " + nv("provisionedThroughputOverride.writeCapacityUnits") + "; "
     + nv("provisionedThroughputOverride.readCapacityUnits")),
    ("RestoreTableFromBackup", {"TargetTableName": "{new}", "BackupArn": FAKE_BACKUP,
                                "SSESpecificationOverride": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": ""}},
     "1 validation error detected: Value '' at 'sSESpecificationOverride.kMSMasterKeyId' failed to satisfy "
     "constraint: Member must have length greater than or equal to 1"),
    ("UpdateTimeToLive", {"TableName": "{t}", "TimeToLiveSpecification": {"AttributeName": "", "Enabled": True}},
     "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy "
     "constraint: Member must have length greater than or equal to 1"),
    ("UpdateTimeToLive", {"TableName": "{t}", "TimeToLiveSpecification": {"AttributeName": "a"}},
     "1 validation error detected: " + nv("timeToLiveSpecification.enabled")),
    ("UpdateTimeToLive", {"TableName": "{t}", "TimeToLiveSpecification": {}},
     "2 validation errors detected: " + nv("timeToLiveSpecification.attributeName") + "; "
     + nv("timeToLiveSpecification.enabled")),
    ("UpdateTimeToLive", {"TableName": "{t}", "TimeToLiveSpecification": {"Enabled": True}},
     "1 validation error detected: " + nv("timeToLiveSpecification.attributeName")),
    ("UpdateContinuousBackups", {"TableName": "{t}", "PointInTimeRecoverySpecification": {}},
     "1 validation error detected: " + nv("pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled")),
] + [
    ("UpdateContinuousBackups", {"TableName": "{t}", "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": enabled, "RecoveryPeriodInDays": days}},
     f"1 validation error detected: Value '{days}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' "
     "failed to satisfy constraint: Member must have value greater than or equal to 1")
    for enabled, days in [(False, 0), (True, 0), (True, -1)]
] + [
    # GSI Updates on the on-demand table's index gsi1: an empty OnDemandThroughput counts as absent
    ("UpdateTable", {"TableName": "{t}", "GlobalSecondaryIndexUpdates": [{"Update": {"IndexName": "gsi1"}}]},
     "One or more parameter values were invalid: The only Updates for index: gsi1 when TableThroughputMode is "
     "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"),
    ("UpdateTable", {"TableName": "{t}", "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "gsi1", "OnDemandThroughput": {}}}]},
     "One or more parameter values were invalid: The only Updates for index: gsi1 when TableThroughputMode is "
     "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput"),
    ("UpdateTable", {"TableName": "{t}", "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "ghost", "OnDemandThroughput": {}}}]},
     ("ResourceNotFoundException", "Requested resource not found: Index ghost for table {t}")),
    ("UpdateTable", {"TableName": "{t}", "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "gsi1", "ProvisionedThroughput": {}}}]},
     "2 validation errors detected: " + nv("globalSecondaryIndexUpdates.1.member.update.provisionedThroughput."
                                           "writeCapacityUnits") + "; "
     + nv("globalSecondaryIndexUpdates.1.member.update.provisionedThroughput.readCapacityUnits")),
    ("UpdateTable", {"TableName": "{t}", "AttributeDefinitions": [{}], "DeletionProtectionEnabled": False},
     "2 validation errors detected: " + nv("attributeDefinitions.1.member.attributeType") + "; "
     + nv("attributeDefinitions.1.member.attributeName")),
    ("UpdateTable", {"TableName": "{t}", "AttributeDefinitions": [{"AttributeName": "p", "AttributeType": ""}],
                     "DeletionProtectionEnabled": False},
     "1 validation error detected: Value '' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
     "constraint: Member must satisfy enum value set: [B, N, S]"),
    ("UpdateTable", {"TableName": "{t}", "OnDemandThroughput": {"MaxReadRequestUnits": 0, "MaxWriteRequestUnits": 0}},
     "One or more parameter values were invalid: Requested MaxReadRequestUnits for OnDemandThroughput for table is "
     "outside of valid range"),
    ("UpdateTable", {"TableName": "{t}", "SSESpecification": {"Enabled": True, "SSEType": "KMS",
                                                               "KMSMasterKeyId": ""}},
     "1 validation error detected: Value '' at 'sSESpecification.kMSMasterKeyId' failed to satisfy constraint: "
     "Member must have length greater than or equal to 1"),
    ("UpdateTable", {"TableName": "{t}", "StreamSpecification": {"StreamEnabled": True, "StreamViewType": ""}},
     "1 validation error detected: Value '' at 'streamSpecification.streamViewType' failed to satisfy constraint: "
     "Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]"),
    ("UpdateTable", {"TableName": "{t}", "AttributeDefinitions": GSI_DEFS[:1] + [{"AttributeName": "x",
                                                                                    "AttributeType": "S"}],
                     "GlobalSecondaryIndexUpdates": [{"Create": {
                         "IndexName": "", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}]},
     "2 validation errors detected: Value '' at 'globalSecondaryIndexUpdates.1.member.create.indexName' failed to "
     "satisfy constraint: Member must have length greater than or equal to 3; Value '' at "
     "'globalSecondaryIndexUpdates.1.member.create.indexName' failed to satisfy constraint: Member must satisfy "
     "regular expression pattern: [a-zA-Z0-9_.-]+"),
]


@pytest.fixture(scope="module")
def table(ddb):
    name = du.unique_name("degen")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=KS["KeySchema"],
                     AttributeDefinitions=GSI_DEFS,
                     GlobalSecondaryIndexes=[{"IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    desc = du.wait_active(ddb, name)
    yield desc
    ddb.delete_table(TableName=name)


def fill(x, subst):
    if isinstance(x, str):
        return x.format(**subst)
    if isinstance(x, list):
        return [fill(v, subst) for v in x]
    if isinstance(x, dict):
        return {k: fill(v, subst) for k, v in x.items()}
    return x


@pytest.mark.parametrize("op,payload,message", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_degenerate_input(ddb, table, op, payload, message):
    _, _, _, region, account, _ = table["TableArn"].split(":", 5)
    subst = {"t": table["TableName"], "arn": table["TableArn"], "new": du.unique_name("degennew"),
             "region": region, "account": account}
    code, message = message if isinstance(message, tuple) else (VE, message)
    r = du.raw_for(ddb).call(op, fill(payload, subst))
    du.check_error(r, code, fill(message, subst) if code != VE else message)
