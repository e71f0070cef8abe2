// Tables: the list (status, keys, items, size, indexes, stream, billing), the create form (keys,
// GSIs, LSIs, billing mode, stream, TTL) and the details panel of one table (DescribeTable,
// DescribeTimeToLive, ListTagsOfResource).
import { ddb, listTableNames } from "./api.js";
import { h, field, select, mount, errorBox, confirmDialog, toast, fmtBytes, fmtNum } from "./ui.js";

export const keyText = (ks) => (ks || []).map((k) => `${k.AttributeName} (${k.KeyType === "HASH" ? "partition" : "sort"})`).join(", ");

export async function deleteTable(name) {
  if (!(await confirmDialog(`Delete table ${name}?`, `Table ${name} and all its items, indexes and stream will be deleted. This cannot be undone.`))) return false;
  try {
    await ddb("DeleteTable", { TableName: name });
    toast(`Table ${name} deleted`);
    return true;
  } catch (e) {
    toast(String(e), "error");
    return false;
  }
}

export async function tablesView() {
  const body = h("tbody");
  const status = h("p", { class: "muted", role: "status" }, "Loading tables…");
  mount(
    h("div", { class: "bar" }, h("h1", {}, "Tables"),
      h("a", { class: "button primary", href: "#/create" }, "Create table"),
      h("button", { type: "button", onclick: () => tablesView() }, "Refresh")),
    status,
    h("table", { class: "list" }, h("caption", { class: "sr-only" }, "Tables"),
      h("thead", {}, h("tr", {}, ["Name", "Status", "Keys", "Items", "Size", "Indexes", "Stream", "Billing", ""].map((c) => h("th", { scope: "col" }, c)))),
      body));
  let names;
  try {
    names = await listTableNames();
  } catch (e) {
    status.replaceWith(errorBox(e));
    return;
  }
  status.textContent = names.length ? `${names.length} table${names.length === 1 ? "" : "s"}` : "No tables yet: create one.";
  const descs = await Promise.all(names.map((n) => ddb("DescribeTable", { TableName: n }).then((r) => r.Table, (e) => ({ TableName: n, error: e }))));
  body.replaceChildren(...descs.map((t) => {
    if (t.error) return h("tr", {}, h("td", {}, t.TableName), h("td", { colspan: "8" }, errorBox(t.error)));
    const idx = (t.GlobalSecondaryIndexes || []).length + (t.LocalSecondaryIndexes || []).length;
    const ss = t.StreamSpecification;
    return h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/table/${encodeURIComponent(t.TableName)}` }, t.TableName)),
      h("td", {}, h("span", { class: `badge ${t.TableStatus}` }, t.TableStatus)),
      h("td", {}, keyText(t.KeySchema)),
      h("td", { class: "num" }, fmtNum(t.ItemCount)),
      h("td", { class: "num" }, fmtBytes(t.TableSizeBytes)),
      h("td", { class: "num" }, String(idx)),
      h("td", {}, ss && ss.StreamEnabled ? h("a", { href: `#/stream/${encodeURIComponent(t.TableName)}` }, ss.StreamViewType) : "off"),
      h("td", {}, (t.BillingModeSummary && t.BillingModeSummary.BillingMode) || "PROVISIONED"),
      h("td", {}, h("button", { type: "button", class: "danger small", "aria-label": `Delete ${t.TableName}`,
        onclick: async () => { if (await deleteTable(t.TableName)) tablesView(); } }, "Delete")));
  }));
}

// The details panel of a described table.
export function tableDetails(t, ttl, tags) {
  const rows = [
    ["Status", t.TableStatus], ["Key schema", keyText(t.KeySchema)],
    ["Items", fmtNum(t.ItemCount)], ["Size", fmtBytes(t.TableSizeBytes)],
    ["Billing mode", (t.BillingModeSummary && t.BillingModeSummary.BillingMode) || "PROVISIONED"],
    ["Provisioned", t.ProvisionedThroughput ? `${t.ProvisionedThroughput.ReadCapacityUnits} RCU / ${t.ProvisionedThroughput.WriteCapacityUnits} WCU` : ""],
    ["Stream", t.StreamSpecification && t.StreamSpecification.StreamEnabled ? `${t.StreamSpecification.StreamViewType} (${t.LatestStreamArn})` : "off"],
    ["TTL", ttl ? `${ttl.TimeToLiveStatus}${ttl.AttributeName ? ` on ${ttl.AttributeName}` : ""}` : "—"],
    ["Tags", tags && tags.length ? tags.map((x) => `${x.Key}=${x.Value}`).join(", ") : "none"],
    ["Created", t.CreationDateTime ? new Date(t.CreationDateTime * 1000).toISOString() : ""],
    ["ARN", t.TableArn],
  ];
  const idx = [...(t.GlobalSecondaryIndexes || []).map((i) => ["GSI", i]), ...(t.LocalSecondaryIndexes || []).map((i) => ["LSI", i])];
  return h("div", { class: "details" },
    h("dl", {}, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "—")])),
    idx.length ? h("table", { class: "list" }, h("caption", {}, "Indexes"),
      h("thead", {}, h("tr", {}, ["Name", "Kind", "Keys", "Projection", "Status", "Items", "Size"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, idx.map(([kind, i]) => h("tr", {}, h("th", { scope: "row" }, i.IndexName), h("td", {}, kind),
        h("td", {}, keyText(i.KeySchema)),
        h("td", {}, i.Projection.ProjectionType + (i.Projection.NonKeyAttributes ? ` (${i.Projection.NonKeyAttributes.join(", ")})` : "")),
        h("td", {}, i.IndexStatus || "ACTIVE"), h("td", { class: "num" }, fmtNum(i.ItemCount)), h("td", { class: "num" }, fmtBytes(i.IndexSizeBytes)))))) : null);
}

const TYPES = [["S", "String"], ["N", "Number"], ["B", "Binary"]];

function keyInputs(prefix, optional) {
  const name = h("input", { name: `${prefix}-name`, spellcheck: "false", required: !optional, placeholder: optional ? "(none)" : "" });
  const type = select(TYPES, "S", { name: `${prefix}-type` });
  return { name, type };
}

function indexRow(kind, list) {
  const name = h("input", { spellcheck: "false", required: true });
  const pk = kind === "GSI" ? keyInputs("ipk", false) : null;
  const sk = keyInputs("isk", kind === "GSI");
  const proj = select(["ALL", "KEYS_ONLY"], "ALL");
  const row = h("fieldset", { class: "index-row" }, h("legend", {}, kind === "GSI" ? "Global secondary index" : "Local secondary index"),
    field("Index name", name),
    pk ? [field("Partition key", pk.name), field("Type", pk.type)] : null,
    field(kind === "GSI" ? "Sort key (optional)" : "Sort key", sk.name), field("Type", sk.type),
    field("Projection", proj),
    h("button", { type: "button", class: "small", onclick: () => { row.remove(); list.splice(list.indexOf(entry), 1); } }, "Remove"));
  const entry = { kind, name, pk, sk, proj, row };
  list.push(entry);
  return row;
}

export function createTableView() {
  const name = h("input", { name: "table-name", spellcheck: "false", required: true });
  const pk = keyInputs("pk", false), sk = keyInputs("sk", true);
  const billing = select([["PAY_PER_REQUEST", "On demand (PAY_PER_REQUEST)"], ["PROVISIONED", "Provisioned"]], "PAY_PER_REQUEST", { name: "billing" });
  const rcu = h("input", { type: "number", min: "1", value: "5", name: "rcu" }), wcu = h("input", { type: "number", min: "1", value: "5", name: "wcu" });
  const stream = select([["", "Off"], "NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"], "", { name: "stream" });
  const ttl = h("input", { name: "ttl", spellcheck: "false", placeholder: "(none)" });
  const indexes = [];
  const idxBox = h("div", {});
  const out = h("div", { "aria-live": "polite" });
  const prov = h("div", { class: "row", hidden: true }, field("Read capacity units", rcu), field("Write capacity units", wcu));
  billing.addEventListener("change", () => { prov.hidden = billing.value !== "PROVISIONED"; });

  const submit = async (e) => {
    e.preventDefault();
    out.replaceChildren();
    const defs = new Map();
    const def = (n, t) => { if (!defs.has(n)) defs.set(n, t); };
    const ks = (p, s) => [{ AttributeName: p.name.value.trim(), KeyType: "HASH" },
      ...(s && s.name.value.trim() ? [{ AttributeName: s.name.value.trim(), KeyType: "RANGE" }] : [])];
    def(pk.name.value.trim(), pk.type.value);
    if (sk.name.value.trim()) def(sk.name.value.trim(), sk.type.value);
    const req = { TableName: name.value.trim(), KeySchema: ks(pk, sk), BillingMode: billing.value };
    const tp = { ReadCapacityUnits: Number(rcu.value), WriteCapacityUnits: Number(wcu.value) };
    if (billing.value === "PROVISIONED") req.ProvisionedThroughput = tp;
    const gsis = [], lsis = [];
    for (const i of indexes) {
      const spec = { IndexName: i.name.value.trim(), Projection: { ProjectionType: i.proj.value } };
      if (i.kind === "GSI") {
        def(i.pk.name.value.trim(), i.pk.type.value);
        if (i.sk.name.value.trim()) def(i.sk.name.value.trim(), i.sk.type.value);
        spec.KeySchema = ks(i.pk, i.sk);
        if (billing.value === "PROVISIONED") spec.ProvisionedThroughput = tp;
        gsis.push(spec);
      } else {
        def(i.sk.name.value.trim(), i.sk.type.value);
        spec.KeySchema = [{ AttributeName: pk.name.value.trim(), KeyType: "HASH" }, { AttributeName: i.sk.name.value.trim(), KeyType: "RANGE" }];
        lsis.push(spec);
      }
    }
    req.AttributeDefinitions = [...defs].map(([n, t]) => ({ AttributeName: n, AttributeType: t }));
    if (gsis.length) req.GlobalSecondaryIndexes = gsis;
    if (lsis.length) req.LocalSecondaryIndexes = lsis;
    if (stream.value) req.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.value };
    try {
      await ddb("CreateTable", req);
      if (ttl.value.trim())
        await ddb("UpdateTimeToLive", { TableName: req.TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: ttl.value.trim() } });
      toast(`Table ${req.TableName} created`);
      location.hash = `#/table/${encodeURIComponent(req.TableName)}`;
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };

  mount(h("h1", {}, "Create table"),
    h("form", { class: "form", onsubmit: submit },
      field("Table name", name),
      h("div", { class: "row" }, field("Partition key", pk.name), field("Type", pk.type)),
      h("div", { class: "row" }, field("Sort key (optional)", sk.name), field("Type", sk.type)),
      h("div", { class: "row" }, field("Billing mode", billing)), prov,
      h("div", { class: "row" }, field("Stream", stream), field("TTL attribute (optional)", ttl)),
      idxBox,
      h("div", { class: "actions" },
        h("button", { type: "button", onclick: () => idxBox.append(indexRow("GSI", indexes)) }, "Add global index"),
        h("button", { type: "button", onclick: () => idxBox.append(indexRow("LSI", indexes)) }, "Add local index")),
      out,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create table"),
        h("a", { class: "button", href: "#/tables" }, "Cancel"))));
  name.focus();
}
