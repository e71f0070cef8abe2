// JS SDK v3 against injected faults, run by compat-tests/test_faults.py (dynarock-only: the rules are set
// through dynarock's /_dynarock/faults control endpoint by the Python side before this runs).
//
// Environment: DYNAROCK_ENDPOINT_URL, TABLE (hash key pk, S), AWS_REGION and dummy AWS_* credentials.
// Expects the rules the Python test installs: PutItem x2 ThrottlingException, UpdateItem x2
// ServiceUnavailable, DeleteItem x1 ProvisionedThroughputExceededException, GetItem x1
// InternalServerError, BatchWriteItem unprocessed 0.5. Prints one JSON line of what the SDK saw; the
// Python side asserts it.
import {
  DynamoDBClient, PutItemCommand, GetItemCommand, UpdateItemCommand, DeleteItemCommand,
  BatchWriteItemCommand, ScanCommand,
} from '@aws-sdk/client-dynamodb'

const endpoint = process.env.DYNAROCK_ENDPOINT_URL
const TableName = process.env.TABLE
if (!endpoint || !TableName) {
  console.error('DYNAROCK_ENDPOINT_URL and TABLE must be set')
  process.exit(2)
}
const region = process.env.AWS_REGION || 'us-east-1'
const retrying = new DynamoDBClient({ endpoint, region }) // the SDK's default: standard mode, 3 attempts
const once = new DynamoDBClient({ endpoint, region, maxAttempts: 1 })
const Key = { pk: { S: 'js' } }
const out = {}

async function attempt (client, command) {
  try {
    const r = await client.send(command)
    return { ok: true, attempts: r.$metadata.attempts, result: r }
  } catch (e) {
    return {
      ok: false, name: e.name, message: e.message, fault: e.$fault, status: e.$metadata?.httpStatusCode,
      attempts: e.$metadata?.attempts, retryable: !!e.$retryable,
    }
  }
}

// throttled twice, then written: the SDK's retry loop hides the throttles
let r = await attempt(retrying, new PutItemCommand({ TableName, Item: { ...Key, v: { N: '1' } } }))
out.put = { ok: r.ok, attempts: r.attempts }
// 503 twice (retried as a transient status), then updated
r = await attempt(retrying, new UpdateItemCommand({
  TableName, Key, UpdateExpression: 'SET v = v + :one', ExpressionAttributeValues: { ':one': { N: '1' } },
}))
out.update = { ok: r.ok, attempts: r.attempts }
// a 500 seen by a client that does not retry, then the read again (the rule is spent)
r = await attempt(once, new GetItemCommand({ TableName, Key, ConsistentRead: true }))
out.getError = { ok: r.ok, name: r.name, message: r.message, fault: r.fault, status: r.status, attempts: r.attempts }
r = await attempt(once, new GetItemCommand({ TableName, Key, ConsistentRead: true }))
out.get = { ok: r.ok, item: r.result?.Item }
// the write loop every batch writer needs: send UnprocessedItems again until none are left
const RequestItems = { [TableName]: [] }
for (let i = 0; i < 10; i++) RequestItems[TableName].push({ PutRequest: { Item: { pk: { S: `b${i}` } } } })
let pending = RequestItems
let calls = 0
const leftPerCall = []
while (pending && Object.keys(pending).length) {
  const b = await retrying.send(new BatchWriteItemCommand({ RequestItems: pending }))
  calls++
  pending = b.UnprocessedItems
  leftPerCall.push(pending && pending[TableName] ? pending[TableName].length : 0)
}
out.batch = { calls, leftPerCall }
// a ProvisionedThroughputExceededException once, then deleted
r = await attempt(retrying, new DeleteItemCommand({ TableName, Key }))
out.delete = { ok: r.ok, attempts: r.attempts }
const scan = await once.send(new ScanCommand({ TableName, ConsistentRead: true }))
out.scanKeys = scan.Items.map((i) => i.pk.S).sort()
console.log(JSON.stringify(out))
