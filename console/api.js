// The console's only way to the server: the public APIs, as any SDK calls them. DynamoDB and
// DynamoDB Streams (JSON 1.0 on POST /), Lambda's event-source mappings (REST under /2015-03-31/)
// and /metrics. Requests are signed (sigv4.js) when the user has entered credentials; they are kept
// in this tab's sessionStorage only.
import { signV4 } from "./sigv4.js";

const CREDS_KEY = "dynarock.console.credentials";

export function getCreds() {
  try { return JSON.parse(sessionStorage.getItem(CREDS_KEY) || "null"); } catch { return null; }
}
export function setCreds(c) {
  if (c && c.accessKeyId) sessionStorage.setItem(CREDS_KEY, JSON.stringify(c));
  else sessionStorage.removeItem(CREDS_KEY);
}

export class ApiError extends Error {
  constructor(type, message, status) {
    super(message);
    this.type = type;
    this.status = status;
  }
  toString() { return this.message ? `${this.type}: ${this.message}` : this.type; }
}

async function send(method, path, headers, body, service) {
  const url = new URL(path, location.origin);
  const creds = getCreds();
  if (creds) headers = await signV4({ method, url, headers, body, service, region: creds.region || "us-east-1", creds });
  try {
    return await fetch(url, { method, headers, body: body || undefined, cache: "no-store" });
  } catch (e) {
    throw new ApiError("NetworkError", `the server did not answer (${e.message})`, 0);
  }
}

async function json(r) {
  const text = await r.text();
  try { return text ? JSON.parse(text) : {}; } catch { throw new ApiError(`HTTP ${r.status}`, text.slice(0, 300), r.status); }
}

// One call of the DynamoDB (or, with prefix, the Streams) JSON API: the answer, or an ApiError with
// the server's error type (the part after '#') and message.
export async function ddb(op, body = {}, prefix = "DynamoDB_20120810") {
  const r = await send("POST", "/", { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${prefix}.${op}` },
    JSON.stringify(body), "dynamodb");
  const j = await json(r);
  if (!r.ok) throw new ApiError(String(j.__type || `HTTP ${r.status}`).split("#").pop(), j.message ?? j.Message ?? "", r.status);
  return j;
}
export const streams = (op, body) => ddb(op, body, "DynamoDBStreams_20120810");

// Lambda's REST-JSON API (event-source mappings).
export async function lambda(method, path) {
  const r = await send(method, path, {}, "", "lambda");
  const j = await json(r);
  if (!r.ok) throw new ApiError(r.headers.get("x-amzn-ErrorType") || j.Type || `HTTP ${r.status}`, j.message ?? j.Message ?? "", r.status);
  return j;
}

export async function metricsText() {
  const r = await send("GET", "/metrics", {}, "", "dynamodb");
  if (!r.ok) throw new ApiError(`HTTP ${r.status}`, "GET /metrics failed", r.status);
  return r.text();
}

// Every page of a paginated call: fn(token) -> { items, next }.
export async function allPages(fn, onPage) {
  const out = [];
  let token;
  do {
    const { items, next } = await fn(token);
    out.push(...items);
    token = next;
    if (onPage) onPage(out.length);
  } while (token);
  return out;
}

export const listTableNames = () => allPages(async (start) => {
  const r = await ddb("ListTables", start ? { ExclusiveStartTableName: start } : {});
  return { items: r.TableNames || [], next: r.LastEvaluatedTableName };
});
