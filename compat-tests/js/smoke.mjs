// JS SDK v3 smoke test for dynarock, run by compat-tests/test_js_sdk.py.
//
// Environment: DYNAROCK_ENDPOINT_URL (required), AWS_REGION (default us-east-1), credentials from the
// usual AWS_* variables (the Python side sets dummy ones unless the endpoint is real DynamoDB).
// Creates a table, puts/gets/deletes an item holding every attribute type through both the low-level
// client and the document client, checks the values exactly, then deletes the table.
// Prints "js-smoke: ok" and exits 0 on success; prints the failure and exits 1 otherwise.
import assert from 'node:assert/strict'
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand, ListTablesCommand,
  PutItemCommand, GetItemCommand, DeleteItemCommand, ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb'
import { DynamoDBDocumentClient, PutCommand, GetCommand, DeleteCommand } from '@aws-sdk/lib-dynamodb'

const endpoint = process.env.DYNAROCK_ENDPOINT_URL
if (!endpoint) {
  console.error('DYNAROCK_ENDPOINT_URL is not set')
  process.exit(2)
}
const region = process.env.AWS_REGION || 'us-east-1'
const client = new DynamoDBClient({ endpoint, region, maxAttempts: 1 })
const doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } })
const TableName = `compat_js_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function waitActive () {
  for (let i = 0; i < 1200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }))
    if (Table.TableStatus === 'ACTIVE') return Table
    await sleep(500)
  }
  throw new Error('table never became ACTIVE')
}

const sortSets = (item) => Object.fromEntries(Object.entries(item).map(([k, v]) => {
  const [t, x] = Object.entries(v)[0]
  if (t === 'SS' || t === 'NS') return [k, { [t]: [...x].sort() }]
  if (t === 'BS') return [k, { [t]: [...x].map((b) => Buffer.from(b).toString('hex')).sort() }]
  if (t === 'B') return [k, { B: Buffer.from(x).toString('hex') }]
  return [k, v]
}))

async function lowLevel () {
  const item = {
    pk: { S: 'low-level' },
    sk: { N: '007' },
    s: { S: 'h\u00e9llo \u0000 \u{1F600}' },
    n: { N: '1.50' },
    b: { B: new Uint8Array([0, 1, 254, 255]) },
    t: { BOOL: true },
    f: { BOOL: false },
    z: { NULL: true },
    ss: { SS: ['a', 'b'] },
    ns: { NS: ['1', '2.5'] },
    bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
    l: { L: [{ S: 'x' }, { N: '1e2' }, { M: { k: { BOOL: false } } }] },
    m: { M: { e: { S: '' }, eb: { B: new Uint8Array([]) }, nested: { L: [] } } },
  }
  const put = await client.send(new PutItemCommand({ TableName, Item: item }))
  assert.equal(put.Attributes, undefined)
  const key = { pk: { S: 'low-level' }, sk: { N: '7' } }
  const got = await client.send(new GetItemCommand({ TableName, Key: key, ConsistentRead: true }))
  const want = {
    ...item,
    sk: { N: '7' },
    n: { N: '1.5' },
    l: { L: [{ S: 'x' }, { N: '100' }, { M: { k: { BOOL: false } } }] },
  }
  assert.deepEqual(sortSets(got.Item), sortSets(want))
  const del = await client.send(new DeleteItemCommand({ TableName, Key: key, ReturnValues: 'ALL_OLD' }))
  assert.deepEqual(sortSets(del.Attributes), sortSets(want))
  const gone = await client.send(new GetItemCommand({ TableName, Key: key, ConsistentRead: true }))
  assert.equal(gone.Item, undefined)
}

async function documentClient () {
  const item = {
    pk: 'doc',
    sk: 1,
    str: 'text',
    num: 3.25,
    big: 12345678901234,
    bin: new Uint8Array([9, 8, 7]),
    yes: true,
    nothing: null,
    strings: new Set(['x', 'y']),
    numbers: new Set([1, 2, 3]),
    list: ['a', 1, false, null, { deep: ['z'] }],
    map: { a: 1, b: { c: 'd' }, empty: '' },
  }
  await doc.send(new PutCommand({ TableName, Item: item }))
  const { Item } = await doc.send(new GetCommand({ TableName, Key: { pk: 'doc', sk: 1 }, ConsistentRead: true }))
  assert.equal(Item.pk, 'doc')
  assert.equal(Item.sk, 1)
  assert.equal(Item.str, 'text')
  assert.equal(Item.num, 3.25)
  assert.equal(Item.big, 12345678901234)
  assert.deepEqual(Buffer.from(Item.bin), Buffer.from([9, 8, 7]))
  assert.equal(Item.yes, true)
  assert.equal(Item.nothing, null)
  assert.deepEqual([...Item.strings].sort(), ['x', 'y'])
  assert.deepEqual([...Item.numbers].sort(), [1, 2, 3])
  assert.deepEqual(Item.list, ['a', 1, false, null, { deep: ['z'] }])
  assert.deepEqual(Item.map, { a: 1, b: { c: 'd' }, empty: '' })
  await doc.send(new DeleteCommand({ TableName, Key: { pk: 'doc', sk: 1 } }))
  const after = await doc.send(new GetCommand({ TableName, Key: { pk: 'doc', sk: 1 }, ConsistentRead: true }))
  assert.equal(after.Item, undefined)
}

async function errors () {
  const missing = TableName + '_missing'
  await assert.rejects(client.send(new DescribeTableCommand({ TableName: missing })), (e) => {
    assert.ok(e instanceof ResourceNotFoundException)
    assert.equal(e.name, 'ResourceNotFoundException')
    assert.equal(e.message, `Requested resource not found: Table: ${missing} not found`)
    assert.equal(e.$metadata.httpStatusCode, 400)
    return true
  })
  await assert.rejects(client.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } })), (e) => {
    assert.equal(e.name, 'ValidationException')
    assert.equal(e.message, 'The provided key element does not match the schema')
    return true
  })
}

async function main () {
  const created = await client.send(new CreateTableCommand({
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
  }))
  assert.equal(created.TableDescription.TableName, TableName)
  try {
    const t = await waitActive()
    assert.deepEqual(t.KeySchema, [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }])
    let names = []
    let start
    do {
      const r = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }))
      names = names.concat(r.TableNames)
      start = r.LastEvaluatedTableName
    } while (start)
    assert.ok(names.includes(TableName))
    await lowLevel()
    await documentClient()
    await errors()
  } finally {
    const d = await client.send(new DeleteTableCommand({ TableName }))
    assert.equal(d.TableDescription.TableStatus, 'DELETING')
  }
  console.log('js-smoke: ok')
}

main().catch((e) => {
  console.error('js-smoke: FAILED')
  console.error(e)
  process.exit(1)
})
