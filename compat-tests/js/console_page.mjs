// The built-in web console (issue 20) driven in headless Chromium by compat-tests/test_console_browser.py,
// as a person would: through labels, buttons and the keyboard. Environment:
//   BASE       the server (http://127.0.0.1:PORT); the console is at BASE/console/
//   AUTH_BASE  a second server with --auth enforce and the key AKID/SECRET
//   TABLE      a table the console creates (partition pk S, sort sk S, GSI byCat on cat, stream)
//   PAGES      a table (pk S, sk N) the Python side created empty; the console imports 250 items into it
//   BIG        a table (pk S) holding 10,000 items, for the grid's virtual scrolling
//   SHOTS      a folder for the documentation's screenshots ("" for none)
// The stream step prints {"event": "write"} and waits for a line on stdin: the Python side then writes
// with boto3. The last stdout line is one JSON object of what the page showed; Python asserts it.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";

import { chromium } from "playwright-core";

const { BASE, AUTH_BASE, TABLE, PAGES, AKID, SECRET } = process.env;
const SHOTS = process.env.SHOTS || "";
const out = { pageErrors: [], foreign: [], timings: {} };
const lines = readline.createInterface({ input: process.stdin });
const nextLine = () => new Promise((ok) => lines.once("line", ok));
const t0 = Date.now();
const lap = (name) => { out.timings[name] = Date.now() - t0; };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run"],
});
try {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 720 }, acceptDownloads: true });
  const page = await ctx.newPage();
  const origins = new Set([new URL(BASE).origin, new URL(AUTH_BASE).origin]);
  page.on("pageerror", (e) => out.pageErrors.push(String(e)));
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!origins.has(u.origin) && u.protocol !== "data:" && u.protocol !== "blob:") out.foreign.push(r.url());
  });
  const shot = async (name) => {
    if (!SHOTS) return;
    await page.evaluate(() => document.getElementById("toast").replaceChildren());
    await page.screenshot({ path: path.join(SHOTS, name) });
  };
  const main = page.locator("main");
  const dialog = page.locator("dialog[open]");

  // ---- first paint
  await page.goto(`${BASE}/console/`);
  await page.getByRole("heading", { name: "Tables" }).waitFor();
  out.fcp = await page.evaluate(() => {
    const e = performance.getEntriesByName("first-contentful-paint")[0];
    return e ? e.startTime : null;
  });
  out.noTables = await page.getByRole("status").first().textContent();
  out.fcpReloads = []; // warm: the browser's process up, assets revalidated (304)
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await page.getByRole("heading", { name: "Tables" }).waitFor();
    out.fcpReloads.push(await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null));
  }
  lap("loaded");

  // ---- create a table with a GSI and a stream
  await page.getByRole("link", { name: "Create table" }).click();
  await page.getByLabel("Table name").fill(TABLE);
  await page.getByLabel("Partition key", { exact: true }).fill("pk");
  await page.getByLabel("Sort key (optional)", { exact: true }).fill("sk");
  await page.getByLabel("Stream").selectOption("NEW_AND_OLD_IMAGES");
  await page.getByRole("button", { name: "Add global index" }).click();
  const gsi = page.locator("fieldset");
  await gsi.getByLabel("Index name").fill("byCat");
  await gsi.getByLabel("Partition key").fill("cat");
  await page.getByRole("button", { name: "Add local index" }).click();
  const lsi = page.locator("fieldset").nth(1);
  await lsi.getByLabel("Index name").fill("byN");
  await lsi.getByLabel("Sort key", { exact: true }).fill("n");
  await lsi.getByLabel("Type").selectOption("N");
  await lsi.getByLabel("Projection").selectOption("KEYS_ONLY");
  await page.getByRole("button", { name: "Create table" }).click();
  await page.getByRole("heading", { name: TABLE, exact: true }).waitFor();
  out.createdHash = decodeURIComponent(new URL(page.url()).hash);
  lap("created");

  // ---- add items: a server-side validation error shown inline, then good items
  const grid = main.getByRole("grid");
  const editorText = dialog.getByLabel("Item", { exact: true });
  await page.getByRole("button", { name: "New item" }).click();
  await editorText.fill(JSON.stringify({ pk: { S: "a" }, cat: { S: "x" } }));
  await dialog.getByRole("button", { name: "Save" }).click();
  out.validationError = await dialog.getByRole("alert").textContent();
  await editorText.fill(JSON.stringify({ pk: { S: "a" }, sk: { S: "1" }, cat: { S: "x" }, n: { N: "5" } }));
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  for (const [sk, cat] of [["2", "y"], ["3", "x"]]) {
    await page.getByRole("button", { name: "New item" }).click();
    await editorText.fill(JSON.stringify({ pk: { S: "a" }, sk: { S: sk }, cat: { S: cat } }));
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.waitFor({ state: "detached" });
  }
  // the same key again with "Only create": the server's conditional check failure, inline
  await page.getByRole("button", { name: "New item" }).click();
  await editorText.fill(JSON.stringify({ pk: { S: "a" }, sk: { S: "1" } }));
  await dialog.getByRole("button", { name: "Save" }).click();
  out.conditionalError = await dialog.getByRole("alert").textContent();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("status").filter({ hasText: "Count 3" }).waitFor();
  out.afterAdd = await page.getByRole("status").filter({ hasText: "Count" }).textContent();
  out.columns = await grid.getByRole("columnheader").allTextContents();

  // ---- edit with the keyboard: focus the grid, Enter opens the first row; the plain JSON view
  await grid.focus();
  await page.keyboard.press("Enter");
  await dialog.getByRole("tab", { name: "JSON", exact: true }).click();
  out.plainView = JSON.parse(await editorText.inputValue());
  await editorText.fill(JSON.stringify({ ...out.plainView, n: 6, note: "edited in the console" }, null, 2));
  await shot("console-editor.png");
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  // ---- delete the second row (ArrowDown, Enter, Delete, confirm)
  await grid.focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  out.deleted = JSON.parse(await editorText.inputValue());
  await dialog.getByRole("button", { name: "Delete" }).click();
  await page.locator("dialog[open]").getByRole("button", { name: "Delete" }).last().click();
  await page.getByRole("status").filter({ hasText: "Count 2" }).waitFor();
  // ---- duplicate, opened with a double click: a copy under another sort key
  await grid.locator(".grid-row").first().dblclick();
  const orig = JSON.parse(await editorText.inputValue());
  await dialog.getByRole("button", { name: "Duplicate" }).click();
  await page.getByRole("heading", { name: "Duplicate item" }).waitFor();
  const copy = JSON.parse(await editorText.inputValue());
  out.duplicateSame = JSON.stringify(copy) === JSON.stringify(orig);
  copy.sk = { S: "copy" };
  await editorText.fill(JSON.stringify(copy));
  await dialog.getByRole("button", { name: "Save" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.getByRole("status").filter({ hasText: "Count 3" }).waitFor();
  out.duplicated = copy;
  lap("edited");

  // ---- a Query on the GSI (cat = x), and the index's own count in the details
  await page.getByLabel("Read from").selectOption("byCat");
  await page.getByLabel("Operation").selectOption("query");
  await page.getByLabel(/^Partition key cat/).fill("x");
  await page.getByRole("button", { name: "Run" }).click();
  const gs = page.getByRole("status").filter({ hasText: "Query page 1:" });
  await gs.waitFor();
  out.gsiStats = await gs.textContent();
  out.gsiColumns = await grid.getByRole("columnheader").allTextContents();
  await page.getByText("Table details").click();
  await main.getByRole("table", { name: "Indexes" }).locator("tbody tr").first().filter({ hasNotText: /ACTIVE0/ }).waitFor();
  out.indexRows = await main.getByRole("table", { name: "Indexes" }).locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent)));

  // ---- the tables list
  await page.getByRole("link", { name: "Tables" }).click();
  await main.getByRole("link", { name: TABLE }).waitFor();
  out.tableRow = await main.getByRole("row").filter({ hasText: TABLE }).getByRole("cell").allTextContents();
  await shot("console-tables.png");

  // ---- import 250 items into PAGES, then page through them 100 at a time
  await page.goto(`${BASE}/console/#/table/${encodeURIComponent(PAGES)}`);
  await page.getByRole("heading", { name: PAGES, exact: true }).waitFor();
  const items = [];
  for (let i = 0; i < 250; i++) items.push({ pk: `p${i % 5}`, sk: Math.floor(i / 5), n: Math.floor(i / 5) % 3, tag: `item ${i}` });
  await page.getByRole("button", { name: "Import" }).click();
  await dialog.getByLabel(/^File/).setInputFiles({ name: "items.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(items)) });
  await dialog.getByRole("button", { name: "Import" }).click();
  await dialog.getByText("250 of 250 items written").waitFor();
  out.importProgress = await dialog.getByRole("progressbar").evaluate((p) => [p.value, p.max]);
  await dialog.getByRole("button", { name: "Close" }).click();
  await page.getByRole("button", { name: "Run" }).click();
  out.pages = [];
  for (let p = 1; p <= 3; p++) {
    const st = page.getByRole("status").filter({ hasText: `Scan page ${p}:` });
    await st.waitFor();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export page" }).click()]);
    const exported = JSON.parse(fs.readFileSync(await download.path(), "utf8"));
    out.pages.push({ stats: await st.textContent(), file: download.suggestedFilename(),
      keys: exported.map((it) => `${it.pk.S}/${it.sk.N}`), domRows: await main.getByRole("grid").locator(".grid-row").count(),
      nextDisabled: await page.getByRole("button", { name: "Next page" }).isDisabled() });
    if (p < 3) await page.getByRole("button", { name: "Next page" }).click();
  }
  await page.getByRole("button", { name: "Previous page" }).click();
  await page.getByRole("status").filter({ hasText: "Scan page 2:" }).waitFor();
  const [all] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export all" }).click()]);
  const allItems = JSON.parse(fs.readFileSync(await all.path(), "utf8"));
  out.exportAll = { file: all.suggestedFilename(), count: allItems.length, distinct: new Set(allItems.map((it) => `${it.pk.S}/${it.sk.N}`)).size,
    sample: allItems.find((it) => it.pk.S === "p3" && it.sk.N === "7") };
  lap("paged");

  // ---- Query: partition p1, sort key >= 10, filter n = 0 (a number)
  await page.getByLabel("Operation").selectOption("query");
  await page.getByLabel(/^Partition key pk/).fill("p1");
  await page.getByLabel(/^Sort key sk/).selectOption(">=");
  await page.getByLabel("Value", { exact: true }).fill("10");
  await page.getByRole("button", { name: "Add filter condition" }).click();
  await page.getByLabel("Filter attribute").fill("n");
  await page.getByLabel("Filter value type").selectOption("N");
  await page.getByLabel("Filter value", { exact: true }).fill("0");
  await page.getByRole("button", { name: "Run" }).click();
  const qs = page.getByRole("status").filter({ hasText: "Query page 1:" });
  await qs.waitFor();
  out.queryStats = await qs.textContent();
  await shot("console-items.png");
  // the same as typed expressions (the builder fills them in)
  await page.getByLabel("Write expressions").check();
  out.typed = {
    kce: await page.getByLabel("Key condition expression").inputValue(),
    fe: await page.getByLabel("Filter expression").inputValue(),
  };
  await page.getByLabel("Filter expression").fill("#n0 = :v0 AND nosuch(#n1)");
  await page.getByRole("button", { name: "Run" }).click();
  out.typedError = await main.getByRole("alert").textContent();
  lap("queried");

  // ---- PartiQL with a parameter
  await page.getByRole("link", { name: "PartiQL" }).click();
  await page.getByLabel("Statement", { exact: true }).fill(`SELECT * FROM "${PAGES}" WHERE pk = ? AND sk < 3`);
  await page.getByLabel(/^Parameters/).fill('[{"S": "p2"}]');
  await page.getByRole("button", { name: "Run" }).click();
  const ps = page.getByRole("status").filter({ hasText: "Page 1:" });
  await ps.waitFor();
  out.partiqlStats = await ps.textContent();
  out.partiqlRows = await main.getByRole("grid").locator(".grid-row").evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('[role="gridcell"]')].map((c) => c.textContent)));
  out.partiqlHistory = await main.locator(".history li").allTextContents();
  await page.getByLabel("Limit").fill("2");
  await page.getByRole("button", { name: "Run" }).click();
  await page.getByRole("status").filter({ hasText: "Page 1: 2 items" }).waitFor();
  await page.getByRole("button", { name: "Next page" }).click();
  const p2s = page.getByRole("status").filter({ hasText: "Page 2:" });
  await p2s.waitFor();
  out.partiqlPage2 = await p2s.textContent();
  out.partiqlPage2Rows = await main.getByRole("grid").locator(".grid-row").count();
  await page.getByLabel("Limit").fill("");
  await page.getByLabel("Statement", { exact: true }).fill(`SELEC * FROM "${PAGES}"`);
  await page.getByRole("button", { name: "Run" }).click();
  out.partiqlError = await main.getByRole("alert").textContent();
  lap("partiql");

  // ---- the stream: a record appears after a write from boto3
  await page.goto(`${BASE}/console/#/stream/${encodeURIComponent(TABLE)}`);
  await page.getByRole("status").filter({ hasText: "Watching" }).waitFor();
  console.log(JSON.stringify({ event: "write" }));
  await nextLine();
  const insert = main.locator("article.record.INSERT").filter({ hasText: '"boto"' });
  await insert.waitFor({ timeout: 10000 });
  out.insertDiff = await insert.locator("table.diff tbody tr").evaluateAll((rows) =>
    rows.map((r) => [r.className, ...[...r.children].map((c) => c.textContent)]));
  const modify = main.locator("article.record.MODIFY").filter({ hasText: '"boto"' });
  await modify.waitFor({ timeout: 10000 });
  out.modifyDiff = await modify.locator("table.diff tbody tr").evaluateAll((rows) =>
    rows.map((r) => [r.className, ...[...r.children].map((c) => c.textContent)]));
  out.mappings = await main.getByRole("table").last().locator("tbody tr").evaluateAll((rows) =>
    rows.map((r) => [...r.children].map((c) => c.textContent)));
  await shot("console-stream.png");
  lap("stream");

  // ---- 10,000 items in one grid: scrolled a screen per frame, rows in the DOM stay few
  await page.goto(`${BASE}/console/#/table/${encodeURIComponent(process.env.BIG)}`);
  await page.getByRole("heading", { name: process.env.BIG, exact: true }).waitFor();
  await page.getByLabel("Page size").fill("10000");
  await page.getByRole("button", { name: "Run" }).click();
  await page.getByRole("status").filter({ hasText: "Count 10000" }).waitFor();
  const big = main.getByRole("grid");
  out.big = await big.evaluate(async (g) => {
    const frames = [];
    let last = performance.now();
    for (let i = 0; i < 120; i++) {
      g.scrollTop += 600;
      await new Promise((ok) => requestAnimationFrame(ok));
      const now = performance.now();
      frames.push(now - last);
      last = now;
    }
    frames.sort((a, b) => a - b);
    return { median: frames[60], p95: frames[114], rows: g.querySelectorAll(".grid-row").length };
  });
  await big.focus();
  await page.keyboard.press("End");
  out.bigLast = await big.locator(".grid-row.active [role=gridcell]").first().textContent();
  out.bigRowsAtEnd = await big.locator(".grid-row").count();
  out.bigActiveVisible = await big.locator(".grid-row.active").isVisible();
  lap("big");

  // ---- the server page (dark theme for its screenshot)
  await page.emulateMedia({ colorScheme: "dark" });
  await page.getByRole("link", { name: "Server" }).click();
  await main.getByRole("table", { name: "Operations" }).waitFor();
  out.server = await main.locator("dl").evaluate((dl) => Object.fromEntries([...dl.querySelectorAll("dt")].map((dt) => [dt.textContent, dt.nextElementSibling.textContent])));
  out.serverOps = await main.getByRole("table", { name: "Operations" }).locator("tbody th").allTextContents();
  await page.waitForTimeout(2200); // a second refresh: rates
  await shot("console-server-dark.png");
  await page.emulateMedia({ colorScheme: "light" });
  lap("server");

  // ---- --auth enforce: unsigned fails with the server's error; signed with the user's key works
  const p2 = await ctx.newPage();
  p2.on("pageerror", (e) => out.pageErrors.push(String(e)));
  p2.on("request", (r) => { if (!origins.has(new URL(r.url()).origin)) out.foreign.push(r.url()); });
  await p2.goto(`${AUTH_BASE}/console/`);
  out.authUnsigned = await p2.locator("main").getByRole("alert").textContent();
  const creds = async (akid, secret) => {
    await p2.locator("main").getByRole("button", { name: "Enter credentials" }).click(); // offered after the error
    await p2.getByLabel("Access key ID").fill(akid);
    await p2.getByLabel("Secret access key").fill(secret);
    await p2.getByRole("button", { name: "Save" }).click();
  };
  await creds(AKID, "not-the-secret");
  out.authBad = await p2.locator("main").getByRole("alert").textContent();
  await creds(AKID, SECRET);
  await p2.locator("main").getByRole("status").filter({ hasText: "table" }).waitFor();
  out.authSigned = await p2.locator("main").getByRole("status").first().textContent();
  out.authButton = await p2.getByRole("button", { name: /Signed as/ }).textContent();
  out.sessionStorage = await p2.evaluate(() => Object.keys(sessionStorage));
  out.localStorageHasCreds = await p2.evaluate(() => JSON.stringify(localStorage).includes("Secret") || JSON.stringify(localStorage).includes("secretAccessKey"));
  lap("auth");
} finally {
  await browser.close();
  lines.close();
}
console.log(JSON.stringify(out));
