// @aws-sdk/client-lambda against dynarock's event-source-mapping API (issue 14), run by
// compat-tests/test_triggers.py::test_js_sdk_lambda with a server that has --function js-fn.
//
// Environment: DYNAROCK_ENDPOINT_URL (required), AWS_REGION (default us-east-1), credentials from AWS_*.
// Creates a table with a stream, then Create/Get/List/Update/Delete an event-source mapping for js-fn
// with the JS SDK v3, and checks the errors it raises (a missing mapping: ResourceNotFoundException 404, a
// second mapping of the same stream and function: ResourceConflictException 409). Prints one JSON line
// ("js-lambda: {...}") for the Python side; exits 1 on failure.
import assert from 'node:assert/strict'
import { DynamoDBClient, CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb'
import {
  LambdaClient, CreateEventSourceMappingCommand, GetEventSourceMappingCommand, ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand, DeleteEventSourceMappingCommand,
} from '@aws-sdk/client-lambda'

const endpoint = process.env.DYNAROCK_ENDPOINT_URL
if (!endpoint) {
  console.error('DYNAROCK_ENDPOINT_URL is not set')
  process.exit(2)
}
const region = process.env.AWS_REGION || 'us-east-1'
const ddb = new DynamoDBClient({ endpoint, region, maxAttempts: 1 })
const lambda = new LambdaClient({ endpoint, region, maxAttempts: 1 })

async function errorOf (p) {
  try {
    await p
  } catch (e) {
    return { name: e.name, message: e.message, status: e.$metadata && e.$metadata.httpStatusCode }
  }
  throw new Error('no error')
}

const t = await ddb.send(new CreateTableCommand({
  TableName: 'JsOrders',
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
  BillingMode: 'PAY_PER_REQUEST',
  StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
}))
const arn = t.TableDescription.LatestStreamArn
const m = await lambda.send(new CreateEventSourceMappingCommand({
  FunctionName: 'js-fn', EventSourceArn: arn, StartingPosition: 'TRIM_HORIZON', BatchSize: 5,
}))
assert.equal(m.$metadata.httpStatusCode, 202)
assert.equal(m.State, 'Creating')
assert.equal(m.BatchSize, 5)
assert.ok(m.LastModified instanceof Date)
await ddb.send(new PutItemCommand({ TableName: 'JsOrders', Item: { pk: { S: 'js' } } }))
let got
for (let i = 0; i < 500; i++) { // the record delivered: LastProcessingResult OK
  got = await lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID }))
  if (got.LastProcessingResult === 'OK') break
  await new Promise((resolve) => setTimeout(resolve, 20))
}
assert.equal(got.UUID, m.UUID)
assert.equal(got.LastProcessingResult, 'OK')
const list = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: arn, FunctionName: 'js-fn' }))
assert.deepEqual(list.EventSourceMappings.map((x) => x.UUID), [m.UUID])
const conflict = await errorOf(lambda.send(new CreateEventSourceMappingCommand({
  FunctionName: 'js-fn', EventSourceArn: arn, StartingPosition: 'LATEST',
})))
const up = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID, Enabled: false }))
const del = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: m.UUID }))
const missing = await errorOf(lambda.send(new GetEventSourceMappingCommand({ UUID: m.UUID })))
console.log('js-lambda: ' + JSON.stringify({
  arn, uuid: m.UUID, functionArn: m.FunctionArn, getState: got.State, updateState: up.State, deleteState: del.State,
  conflict, missing,
}))
