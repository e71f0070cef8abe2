// AWS Signature Version 4 with WebCrypto (crypto.subtle: HMAC-SHA256, SHA-256), for --auth enforce.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html: canonical request,
// string to sign, signing key derived from the secret, date, region and service. crypto.subtle exists
// only in a secure context (localhost, 127.0.0.1, HTTPS): elsewhere signing throws a clear error.
const enc = new TextEncoder();

export const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(data) {
  return hex(await crypto.subtle.digest("SHA-256", typeof data === "string" ? enc.encode(data) : data));
}

export async function hmac(key, msg) {
  const k = await crypto.subtle.importKey("raw", typeof key === "string" ? enc.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, enc.encode(msg));
}

// RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - _ . ~ percent-encoded.
export const uriEncode = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

// "20150830T123600Z"
export const amzDate = (d) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

// The headers to send (the given ones plus x-amz-date, Authorization and, with a session token,
// x-amz-security-token) for a request to url; body is the exact text sent ("" for none).
export async function signV4({ method, url, headers, body, service, region, creds, now = new Date() }) {
  if (!globalThis.crypto || !crypto.subtle)
    throw new Error("Signing needs WebCrypto, which the browser offers only on localhost or HTTPS");
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const h = {};
  for (const [k, v] of Object.entries(headers)) h[k.toLowerCase()] = String(v).trim().replace(/\s+/g, " ");
  h.host = url.host;
  h["x-amz-date"] = date;
  if (creds.sessionToken) h["x-amz-security-token"] = creds.sessionToken;
  const names = Object.keys(h).sort();
  const signed = names.join(";");
  // non-S3 services: each path segment encoded once more (the path as sent is already encoded once)
  const path = url.pathname.split("/").map((seg) => uriEncode(seg)).join("/") || "/";
  const query = [...url.searchParams].map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`).join("&");
  const creq = [method, path, query, names.map((n) => `${n}:${h[n]}\n`).join(""), signed,
    await sha256Hex(body || "")].join("\n");
  const scope = `${day}/${region}/${service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", date, scope, await sha256Hex(creq)].join("\n");
  let key = await hmac("AWS4" + creds.secretAccessKey, day);
  key = await hmac(key, region);
  key = await hmac(key, service);
  key = await hmac(key, "aws4_request");
  const signature = hex(await hmac(key, toSign));
  const out = { ...headers, "x-amz-date": date,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}` };
  if (creds.sessionToken) out["x-amz-security-token"] = creds.sessionToken;
  return out;
}
