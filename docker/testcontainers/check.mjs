// The image started by Testcontainers for Node through podman's Docker-compatible API (docker/verify.sh,
// docker/verify_engine.py): GenericContainer as DynamoDB Local users write it for amazon/dynamodb-local,
// with the image name swapped. Needs DOCKER_HOST (podman's socket), TESTCONTAINERS_RYUK_DISABLED=true
// (no reaper image can be pulled) and DYNAROCK_IMAGE (a local image: nothing is pulled).
// Prints one JSON line: what each step saw. Exit 0 when every step passed.
import { GenericContainer, Wait } from "testcontainers";
import { DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";

const image = process.env.DYNAROCK_IMAGE;
const out = {};
async function use(container, table) {
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(8000)}`;
  const ddb = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  await ddb.send(new CreateTableCommand({ TableName: table, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "a" }, n: { N: "42" } } }));
  const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: "a" } }, ConsistentRead: true }));
  ddb.destroy();
  return got.Item;
}
let failed = false;
try {
  // 1. GenericContainer with DynamoDB Local's command line and the default wait strategy (the host port,
  //    and the listening-port check run inside the container)
  let c = await new GenericContainer(image).withExposedPorts(8000)
    .withCommand(["-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"]).start();
  out.generic = await use(c, "Generic");
  await c.stop();
  // 2. The Go module's shape: java as the entrypoint
  c = await new GenericContainer(image).withExposedPorts(8000)
    .withEntrypoint(["java", "-Djava.library.path=./DynamoDBLocal_lib"])
    .withCommand(["-jar", "DynamoDBLocal.jar", "-inMemory"]).start();
  out.java_entrypoint = await use(c, "JavaEntrypoint");
  await c.stop();
  // 3. The .NET module's wait: GET / answering 400
  c = await new GenericContainer(image).withExposedPorts(8000)
    .withWaitStrategy(Wait.forHttp("/", 8000).forStatusCode(400)).start();
  out.http_400_wait = await use(c, "HttpWait");
  await c.stop();
  // 4. A log wait on the start line
  c = await new GenericContainer(image).withExposedPorts(8000)
    .withWaitStrategy(Wait.forLogMessage(/listening on http:\/\/0\.0\.0\.0:8000/)).start();
  out.log_wait = await use(c, "LogWait");
  await c.stop();
  // 5. DynamoDB Local's own first line, which testcontainers-python users wait for
  c = await new GenericContainer(image).withExposedPorts(8000)
    .withCommand(["-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"])
    .withWaitStrategy(Wait.forLogMessage("Initializing DynamoDB Local")).start();
  out.ddblocal_log_wait = await use(c, "DdbLocalLogWait");
  await c.stop();
} catch (e) {
  failed = true;
  out.error = String(e && e.stack || e).slice(0, 800);
}
console.log(JSON.stringify(out));
process.exit(failed ? 1 : 0);
