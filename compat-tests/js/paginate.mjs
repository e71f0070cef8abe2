// JS SDK v3 paginators (paginateQuery / paginateScan) against dynarock, run by compat-tests/test_paginators.py.
//
// Environment: DYNAROCK_ENDPOINT_URL (required), AWS_REGION (default us-east-1), credentials from the
// usual AWS_* variables (the Python side sets dummy ones unless the endpoint is real DynamoDB).
// Creates a (pk S, sk N) table with ten items in one partition and a hash-only table with seven items,
// pages through them with pageSize 3 (and the document client's paginateQuery), deletes the tables and
// prints one line 'paginate-result: <JSON>' describing every page; the Python test asserts on it.
// Exits 1 (after printing the error) on any failure.
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand, PutItemCommand,
  paginateQuery, paginateScan,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, paginateQuery as docPaginateQuery } from '@aws-sdk/lib-dynamodb'

const endpoint = process.env.DYNAROCK_ENDPOINT_URL
if (!endpoint) {
  console.error('DYNAROCK_ENDPOINT_URL is not set')
  process.exit(2)
}
const region = process.env.AWS_REGION || 'us-east-1'
const client = new DynamoDBClient({ endpoint, region, maxAttempts: 1 })
const doc = DynamoDBDocumentClient.from(client)
const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`
const RangeTable = `compat_jspg_r_${suffix}`
const HashTable = `compat_jspg_h_${suffix}`

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitActive (TableName) {
  for (let i = 0; i < 1200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }))
    if (Table.TableStatus === 'ACTIVE') return
    await sleep(500)
  }
  throw new Error(`table ${TableName} never became ACTIVE`)
}

// One page as plain data: the keys of its items, Count, ScannedCount and LastEvaluatedKey (low-level form).
function describe (page, keyOf) {
  return {
    keys: (page.Items || []).map(keyOf),
    count: page.Count,
    scanned: page.ScannedCount,
    lek: page.LastEvaluatedKey === undefined ? null : page.LastEvaluatedKey,
  }
}

async function collect (iter, keyOf) {
  const pages = []
  for await (const page of iter) {
    pages.push(describe(page, keyOf))
    if (pages.length > 100) throw new Error('paginator did not stop')
  }
  return pages
}

async function main () {
  await client.send(new CreateTableCommand({
    TableName: RangeTable,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
  }))
  await client.send(new CreateTableCommand({
    TableName: HashTable,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  }))
  const result = {}
  try {
    await waitActive(RangeTable)
    await waitActive(HashTable)
    for (const sk of [7, 2, 9, 0, 5, 1, 8, 3, 6, 4]) {
      await client.send(new PutItemCommand({
        TableName: RangeTable, Item: { pk: { S: 'p' }, sk: { N: String(sk) }, odd: { BOOL: sk % 2 === 1 } },
      }))
    }
    await client.send(new PutItemCommand({ TableName: RangeTable, Item: { pk: { S: 'other' }, sk: { N: '1' } } }))
    for (let i = 0; i < 7; i++) {
      await client.send(new PutItemCommand({ TableName: HashTable, Item: { pk: { S: `h${i}` } } }))
    }
    const skOf = (it) => Number(it.sk.N)
    const query = { TableName: RangeTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'p' } }, ConsistentRead: true }
    result.query = await collect(paginateQuery({ client, pageSize: 3 }, { ...query }), skOf)
    result.queryReverse = await collect(paginateQuery({ client, pageSize: 4 }, { ...query, ScanIndexForward: false }), skOf)
    result.queryFiltered = await collect(paginateQuery({ client, pageSize: 4 },
      { ...query, FilterExpression: 'odd = :t', ExpressionAttributeValues: { ':p': { S: 'p' }, ':t': { BOOL: true } } }), skOf)
    result.queryPageSize5 = await collect(paginateQuery({ client, pageSize: 5 }, { ...query }), skOf)
    result.queryNoPageSize = await collect(paginateQuery({ client }, { ...query }), skOf)
    result.docQuery = await collect(docPaginateQuery({ client: doc, pageSize: 3 },
      { TableName: RangeTable, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'p' }, ConsistentRead: true }),
    (it) => it.sk)
    const pkOf = (it) => it.pk.S
    result.scan = await collect(paginateScan({ client, pageSize: 3 }, { TableName: HashTable, ConsistentRead: true }), pkOf)
    result.scanSegments = []
    for (let seg = 0; seg < 3; seg++) {
      result.scanSegments.push(await collect(paginateScan({ client, pageSize: 2 },
        { TableName: HashTable, ConsistentRead: true, Segment: seg, TotalSegments: 3 }), pkOf))
    }
  } finally {
    await client.send(new DeleteTableCommand({ TableName: RangeTable }))
    await client.send(new DeleteTableCommand({ TableName: HashTable }))
  }
  console.log('paginate-result: ' + JSON.stringify(result))
}

main().catch((e) => {
  console.error('js-paginate: FAILED')
  console.error(e)
  process.exit(1)
})
