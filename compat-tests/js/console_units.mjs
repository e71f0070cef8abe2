// The console's pure functions run in Node (compat-tests/test_console.py::test_console_functions): the
// cases come as JSON on stdin, the answers go to stdout as one JSON object, and Python compares them with
// botocore's SigV4 signer and with the expected values.
import { signV4 } from "../../console/sigv4.js";
import { toPlain, fromPlain, itemToPlain, itemFromPlain, plainExact, looksLikeDdb, cellText } from "../../console/ddbjson.js";
import { parseItems } from "../../console/io.js";
import { parseMetrics, quantile } from "../../console/server.js";
import { diffImages } from "../../console/streams.js";
import { columnsFor } from "../../console/grid.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const cases = JSON.parse(input);
const out = { signatures: [] };
for (const c of cases.sign) {
  const headers = await signV4({ method: c.method, url: new URL(c.url), headers: c.headers, body: c.body,
    service: c.service, region: c.region, creds: c.creds, now: new Date(c.now) });
  out.signatures.push(headers);
}
out.plain = itemToPlain(cases.item);
out.back = itemFromPlain(out.plain);
out.exact = Object.fromEntries(Object.entries(cases.item).map(([k, v]) => [k, plainExact(v)]));
out.fromPlain = fromPlain({ a: [1, "x", null, true], b: { c: 2.5 } });
out.toPlainSet = toPlain({ SS: ["a", "b"] });
out.looks = [looksLikeDdb({ a: { S: "x" } }), looksLikeDdb({ a: "x" }), looksLikeDdb({ a: { X: 1 } })];
out.cells = [cellText({ S: "x".repeat(300) }).length, cellText({ M: { a: { N: "1" } } }), cellText({ B: "AAE=" }), cellText(undefined)];
out.parsed = {
  array: parseItems('[{"a": {"S": "x"}}, {"b": 1}]', "auto"),
  items: parseItems('{"Items": [{"a": {"N": "1"}}]}', "auto"),
  lines: parseItems('{"Item": {"a": {"S": "1"}}}\n\n{"Item": {"a": {"S": "2"}}}\n', "auto"),
  plain: parseItems('[{"a": {"S": "x"}}]', "plain"),
};
try { parseItems("[1]", "auto"); out.badItem = null; } catch (e) { out.badItem = e.message; }
try { parseItems('{"a": 1}\n{"b"', "auto"); out.badLine = null; } catch (e) { out.badLine = e.message; }
out.metrics = parseMetrics('# HELP x\nm_total{op="a",le="0.1"} 3\nm{lab="q\\"uote\\\\n"} 1.5\nplain 7\n');
out.quantiles = [0.5, 0.99].map((q) => quantile(q, [{ le: 0.001, count: 50 }, { le: 0.01, count: 90 }, { le: 0.1, count: 100 }, { le: Infinity, count: 100 }]));
out.diff = diffImages({ k: { S: "1" }, a: { N: "1" }, gone: { S: "x" } }, { k: { S: "1" }, a: { N: "2" }, added: { BOOL: true } });
out.columns = columnsFor([{ x: {}, pk: {} }, { y: {}, sk: {}, x: {} }], ["pk", "sk"]);
console.log(JSON.stringify(out));
