// The JS SDK v3 in a web page, in headless Chromium, calling dynarock on another origin
// (compat-tests/test_cors_browser.py). The SDK is bundled for the browser with esbuild and served,
// with a blank page, from http://127.0.0.1:$PAGE_PORT; each endpoint of $ENDPOINTS (a JSON list)
// gets ListTables, CreateTable, PutItem and GetItem from that page. Prints one JSON line:
//   {"results": {"<endpoint>": {"ok": true, "item": {...}} | {"ok": false, "error": "...", "corsBlocked": bool}}}
// corsBlocked: Chromium's console said the call was "blocked by CORS policy".
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const endpoints = JSON.parse(process.env.ENDPOINTS || "[]");
const pagePort = Number(process.env.PAGE_PORT || 0);

const entry = `
import { DynamoDBClient, ListTablesCommand, CreateTableCommand, PutItemCommand, GetItemCommand }
  from "@aws-sdk/client-dynamodb";
window.runSdk = async (endpoint, table) => {
  const ddb = new DynamoDBClient({ endpoint, region: "us-east-1", maxAttempts: 1,
    credentials: { accessKeyId: "dummy", secretAccessKey: "dummy" } });
  try {
    const tables = await ddb.send(new ListTablesCommand({}));
    if (!Array.isArray(tables.TableNames)) throw new Error("ListTables: no TableNames");
    await ddb.send(new CreateTableCommand({ TableName: table, BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "p", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "p", KeyType: "HASH" }] }));
    await ddb.send(new PutItemCommand({ TableName: table,
      Item: { p: { S: "page" }, n: { N: "42" }, s: { S: "from " + location.origin } } }));
    const got = await ddb.send(new GetItemCommand({ TableName: table, Key: { p: { S: "page" } },
      ConsistentRead: true }));
    return { ok: true, item: got.Item, requestId: got.$metadata.requestId || null };
  } catch (e) {
    return { ok: false, error: (e && (e.name + ": " + e.message)) || String(e) };
  }
};
`;

const bundle = await build({
    stdin: { contents: entry, resolveDir: here, loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    write: false,
    logLevel: "silent",
});
const js = bundle.outputFiles[0].text;

const server = http.createServer((req, res) => {
    if (req.url === "/sdk.js") {
        res.writeHead(200, { "content-type": "text/javascript" });
        res.end(js);
    } else {
        res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        res.end('<!doctype html><title>cors</title><script src="/sdk.js"></script>');
    }
});
await new Promise((ok) => server.listen(pagePort, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium" });
const results = {};
try {
    for (const [i, endpoint] of endpoints.entries()) {
        const page = await browser.newPage();
        const console_ = [];
        page.on("console", (m) => console_.push(m.text()));
        await page.goto(origin + "/");
        const r = await page.evaluate(([ep, t]) => window.runSdk(ep, t), [endpoint, `cors_page_${Date.now()}_${i}`]);
        if (!r.ok) r.corsBlocked = console_.some((t) => t.includes("blocked by CORS policy"));
        results[endpoint] = r;
        await page.close();
    }
} finally {
    await browser.close();
    server.close();
}
console.log(JSON.stringify({ origin, results }));
