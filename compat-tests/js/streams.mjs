// JS SDK v3 DynamoDB Streams smoke test for dynarock, run by compat-tests/test_js_streams.py.
//
// Environment: DYNAROCK_ENDPOINT_URL (required; the DynamoDB endpoint), DYNAROCK_STREAMS_ENDPOINT_URL (the
// Streams endpoint; default: the same URL, as dynarock serves both), AWS_REGION (default us-east-1),
// credentials from the usual AWS_* variables.
// Creates a table with a NEW_AND_OLD_IMAGES stream, puts an item and updates it, then walks the stream the
// way a consumer does: ListStreams -> DescribeStream -> GetShardIterator(TRIM_HORIZON) -> GetRecords, with
// @aws-sdk/client-dynamodb-streams. Checks the records here and prints them as one JSON line
// ("js-streams: {...}") for the Python side to check again; exits 1 on failure.
import assert from 'node:assert/strict'
import {
  DynamoDBClient, CreateTableCommand, DescribeTableCommand, DeleteTableCommand, PutItemCommand, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb'
import {
  DynamoDBStreamsClient, ListStreamsCommand, DescribeStreamCommand, GetShardIteratorCommand, GetRecordsCommand,
} from '@aws-sdk/client-dynamodb-streams'

const endpoint = process.env.DYNAROCK_ENDPOINT_URL
if (!endpoint) {
  console.error('DYNAROCK_ENDPOINT_URL is not set')
  process.exit(2)
}
const region = process.env.AWS_REGION || 'us-east-1'
const real = /\.amazonaws\.com/.test(endpoint)
const client = new DynamoDBClient({ endpoint, region, maxAttempts: 1 })
const streams = new DynamoDBStreamsClient({
  endpoint: process.env.DYNAROCK_STREAMS_ENDPOINT_URL || endpoint, region, maxAttempts: 1,
})
const TableName = `compat_jss_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const pause = real ? 1000 : 20

async function waitActive () {
  for (let i = 0; i < 1200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }))
    if (Table.TableStatus === 'ACTIVE') return Table
    await sleep(pause)
  }
  throw new Error('table never became ACTIVE')
}

async function main () {
  await client.send(new CreateTableCommand({
    TableName,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }))
  try {
    const table = await waitActive()
    const started = Date.now()

    const listed = await streams.send(new ListStreamsCommand({ TableName }))
    assert.equal(listed.Streams.length, 1)
    const { StreamArn } = listed.Streams[0]
    assert.deepEqual(listed.Streams[0], { StreamArn: table.LatestStreamArn, TableName, StreamLabel: table.LatestStreamLabel })

    let desc
    for (let i = 0; i < 600; i++) {
      desc = (await streams.send(new DescribeStreamCommand({ StreamArn }))).StreamDescription
      if (desc.StreamStatus === 'ENABLED') break
      await sleep(pause)
    }
    assert.equal(desc.StreamStatus, 'ENABLED')
    assert.equal(desc.StreamViewType, 'NEW_AND_OLD_IMAGES')
    assert.equal(desc.Shards.length, 1)

    await client.send(new PutItemCommand({ TableName, Item: { pk: { S: 'js' }, n: { N: '1' }, s: { S: 'one' } } }))
    await client.send(new UpdateItemCommand({
      TableName,
      Key: { pk: { S: 'js' } },
      UpdateExpression: 'SET n = n + :one REMOVE s',
      ExpressionAttributeValues: { ':one': { N: '1' } },
    }))

    const { ShardIterator } = await streams.send(new GetShardIteratorCommand({
      StreamArn, ShardId: desc.Shards[0].ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }))
    const records = []
    let it = ShardIterator
    for (let i = 0; i < 600 && it && records.length < 2; i++) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: it }))
      records.push(...page.Records)
      it = page.NextShardIterator
      if (page.Records.length === 0) await sleep(pause)
    }
    assert.equal(records.length, 2)
    for (const r of records) {
      assert.ok(r.dynamodb.ApproximateCreationDateTime instanceof Date)
      assert.ok(Math.abs(r.dynamodb.ApproximateCreationDateTime.getTime() - started) < 60000)
    }
    assert.ok(BigInt(records[0].dynamodb.SequenceNumber) < BigInt(records[1].dynamodb.SequenceNumber))

    const out = {
      streamArn: StreamArn,
      latestStreamArn: table.LatestStreamArn,
      shardId: desc.Shards[0].ShardId,
      records: records.map((r) => ({
        eventName: r.eventName,
        eventVersion: r.eventVersion,
        eventSource: r.eventSource,
        awsRegion: r.awsRegion,
        Keys: r.dynamodb.Keys,
        OldImage: r.dynamodb.OldImage ?? null,
        NewImage: r.dynamodb.NewImage ?? null,
        SizeBytes: r.dynamodb.SizeBytes,
        StreamViewType: r.dynamodb.StreamViewType,
        SequenceNumber: r.dynamodb.SequenceNumber,
      })),
    }
    console.log('js-streams: ' + JSON.stringify(out))
  } finally {
    await client.send(new DeleteTableCommand({ TableName })).catch(() => {})
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
