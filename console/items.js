// One table: its details, and the item browser. Scan or Query (table or index) with a visual key
// condition and filter builder, or expressions typed by hand; pages follow LastEvaluatedKey; Count,
// ScannedCount and consumed capacity shown; the item editor (editor.js); export and import (io.js).
import { ddb } from "./api.js";
import { h, field, select, mount, errorBox, toast, nextId } from "./ui.js";
import { Grid } from "./grid.js";
import { tableDetails, deleteTable } from "./tables.js";
import { openEditor } from "./editor.js";
import { exportItems, exportAll, importDialog } from "./io.js";

const SK_OPS = [["", "(any)"], ["=", "="], ["<", "<"], ["<=", "<="], [">", ">"], [">=", ">="], ["between", "between"], ["begins_with", "begins with"]];
const F_OPS = [["=", "="], ["<>", "≠"], ["<", "<"], ["<=", "<="], [">", ">"], [">=", ">="], ["begins_with", "begins with"],
  ["contains", "contains"], ["exists", "exists"], ["not_exists", "does not exist"]];

export async function tableView(name) {
  mount(h("p", { class: "muted" }, `Loading ${name}…`));
  let t, ttl, tags;
  try {
    t = (await ddb("DescribeTable", { TableName: name })).Table;
  } catch (e) {
    mount(h("h1", {}, name), errorBox(e), h("p", {}, h("a", { href: "#/tables" }, "Back to tables")));
    return;
  }
  [ttl, tags] = await Promise.all([
    ddb("DescribeTimeToLive", { TableName: name }).then((r) => r.TimeToLiveDescription, () => null),
    ddb("ListTagsOfResource", { ResourceArn: t.TableArn }).then((r) => r.Tags, () => null),
  ]);
  const b = new Browser(t);
  // opened again: the counts and statuses of now
  async function refreshDetails(e) {
    const panel = e.currentTarget;
    if (!panel.open) return;
    try {
      const fresh = (await ddb("DescribeTable", { TableName: name })).Table;
      panel.querySelector(".details").replaceWith(tableDetails(fresh, ttl, tags));
    } catch (err) {
      panel.querySelector(".details").replaceWith(h("div", { class: "details" }, errorBox(err)));
    }
  }
  mount(
    h("div", { class: "bar" }, h("h1", {}, t.TableName),
      t.StreamSpecification && t.StreamSpecification.StreamEnabled ? h("a", { class: "button", href: `#/stream/${encodeURIComponent(name)}` }, "Stream") : null,
      h("button", { type: "button", class: "danger", onclick: async () => { if (await deleteTable(name)) location.hash = "#/tables"; } }, "Delete table")),
    h("details", { class: "panel", ontoggle: refreshDetails }, h("summary", {}, "Table details"), tableDetails(t, ttl, tags)),
    b.el);
  b.run(0);
}

class Browser {
  constructor(t) {
    this.t = t;
    this.types = Object.fromEntries(t.AttributeDefinitions.map((d) => [d.AttributeName, d.AttributeType]));
    this.pages = [undefined];
    this.page = 0;
    this.items = [];
    this.filters = [];
    const indexes = [...(t.GlobalSecondaryIndexes || []), ...(t.LocalSecondaryIndexes || [])];
    this.source = select([["", `Table ${t.TableName}`], ...indexes.map((i) => [i.IndexName, `Index ${i.IndexName}`])], "", { name: "source" });
    this.mode = select([["scan", "Scan"], ["query", "Query"]], "scan", { name: "mode" });
    this.pkVal = h("input", { name: "pk-value", spellcheck: "false" });
    this.skOp = select(SK_OPS, "", { name: "sk-op" });
    this.skVal = h("input", { name: "sk-value", spellcheck: "false" });
    this.skVal2 = h("input", { name: "sk-value2", spellcheck: "false", "aria-label": "and" });
    this.limit = h("input", { type: "number", min: "1", max: "10000", value: "100", name: "limit" });
    this.consistent = h("input", { type: "checkbox", name: "consistent" });
    this.descending = h("input", { type: "checkbox", name: "descending" });
    this.advanced = h("input", { type: "checkbox", name: "advanced" });
    this.kce = h("textarea", { name: "key-condition", rows: "2", spellcheck: "false" });
    this.fe = h("textarea", { name: "filter-expression", rows: "2", spellcheck: "false" });
    this.pe = h("input", { name: "projection", spellcheck: "false" });
    this.ean = h("textarea", { name: "names", rows: "2", spellcheck: "false", placeholder: '{"#n": "name"}' });
    this.eav = h("textarea", { name: "values", rows: "2", spellcheck: "false", placeholder: '{":v": {"S": "value"}}' });
    this.filterBox = h("div", { class: "filters" });
    this.stats = h("p", { class: "stats", role: "status", "aria-live": "polite" });
    this.err = h("div", {});
    this.prev = h("button", { type: "button", onclick: () => this.run(this.page - 1), disabled: true }, "Previous page");
    this.next = h("button", { type: "button", onclick: () => this.run(this.page + 1), disabled: true }, "Next page");
    this.grid = new Grid({ label: `Items of ${t.TableName}`, onOpen: (it) => this.edit(it) });

    this.pkLabel = h("label", { for: (this.pkVal.id = nextId("f")) });
    this.skLabel = h("label", { for: (this.skOp.id = nextId("f")) });
    this.queryBox = h("div", { class: "row query-only" },
      h("div", { class: "field" }, this.pkLabel, this.pkVal),
      h("div", { class: "field" }, this.skLabel, this.skOp),
      field("Value", this.skVal), field("and", this.skVal2));
    this.builder = h("div", {}, this.queryBox, h("h3", { class: "small-title" }, "Filter"), this.filterBox,
      h("button", { type: "button", class: "small", onclick: () => this.addFilter() }, "Add filter condition"));
    this.exprs = h("div", { hidden: true },
      h("div", { class: "query-only" }, field("Key condition expression", this.kce)),
      field("Filter expression", this.fe), field("Projection expression", this.pe),
      h("div", { class: "row" }, field("Expression attribute names (JSON)", this.ean), field("Expression attribute values (DynamoDB JSON)", this.eav)));
    const form = h("form", { class: "form query", onsubmit: (e) => { e.preventDefault(); this.reset(); this.run(0); } },
      h("div", { class: "row" }, field("Read from", this.source), field("Operation", this.mode),
        field("Page size", this.limit),
        h("label", { class: "check" }, this.consistent, "Consistent read"),
        h("label", { class: "check query-only" }, this.descending, "Descending"),
        h("label", { class: "check" }, this.advanced, "Write expressions")),
      this.builder, this.exprs,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Run"),
        h("button", { type: "button", onclick: () => { this.filterBox.replaceChildren(); this.filters = []; this.pkVal.value = ""; this.skOp.value = ""; this.mode.value = "scan"; this.sync(); this.reset(); this.run(0); } }, "Reset")));
    for (const c of [this.source, this.mode, this.skOp, this.advanced]) c.addEventListener("change", () => this.sync());
    this.advanced.addEventListener("change", () => { if (this.advanced.checked) this.fillExpressions(); });

    this.el = h("section", { "aria-label": "Items" },
      h("h2", {}, "Items"), form, this.err,
      h("div", { class: "bar" }, this.stats, h("span", { class: "spacer" }),
        h("button", { type: "button", class: "primary", onclick: () => this.edit(null) }, "New item"),
        this.prev, this.next,
        h("button", { type: "button", onclick: () => exportItems(`${this.t.TableName}-page${this.page + 1}.json`, this.items) }, "Export page"),
        h("button", { type: "button", onclick: (e) => exportAll(this.t.TableName, (start) => this.request(start), e.target) }, "Export all"),
        h("button", { type: "button", onclick: () => importDialog(this.t.TableName, () => this.run(this.page)) }, "Import")),
      this.grid.el);
    this.sync();
  }

  keysOf(indexName) {
    if (!indexName) return this.t.KeySchema;
    const i = [...(this.t.GlobalSecondaryIndexes || []), ...(this.t.LocalSecondaryIndexes || [])].find((x) => x.IndexName === indexName);
    return i ? i.KeySchema : this.t.KeySchema;
  }

  sync() {
    const ks = this.keysOf(this.source.value);
    this.pk = ks.find((k) => k.KeyType === "HASH").AttributeName;
    const sk = ks.find((k) => k.KeyType === "RANGE");
    this.sk = sk && sk.AttributeName;
    const q = this.mode.value === "query";
    for (const el of this.el ? this.el.querySelectorAll(".query-only") : []) el.hidden = !q;
    this.queryBox.hidden = !q;
    this.pkLabel.textContent = `Partition key ${this.pk} (${this.types[this.pk]}) =`;
    this.skLabel.textContent = this.sk ? `Sort key ${this.sk} (${this.types[this.sk]})` : "No sort key";
    this.skOp.disabled = !this.sk;
    this.skVal.parentElement && (this.skVal.parentElement.hidden = !this.sk || !this.skOp.value);
    this.skVal2.parentElement && (this.skVal2.parentElement.hidden = this.skOp.value !== "between");
    this.builder.hidden = this.advanced.checked;
    this.exprs.hidden = !this.advanced.checked;
  }

  addFilter() {
    const attr = h("input", { spellcheck: "false", "aria-label": "Filter attribute" });
    const op = select(F_OPS, "=", { "aria-label": "Filter comparison" });
    const type = select([["S", "String"], ["N", "Number"], ["BOOL", "Boolean"]], "S", { "aria-label": "Filter value type" });
    const value = h("input", { spellcheck: "false", "aria-label": "Filter value" });
    const f = { attr, op, type, value };
    const row = h("div", { class: "row filter" }, attr, op, type, value,
      h("button", { type: "button", class: "small", "aria-label": "Remove condition", onclick: () => { row.remove(); this.filters.splice(this.filters.indexOf(f), 1); } }, "×"));
    op.addEventListener("change", () => { value.hidden = type.hidden = op.value === "exists" || op.value === "not_exists"; });
    this.filters.push(f);
    this.filterBox.append(row);
    attr.focus();
  }

  // The builder's state as expressions: { kce, fe, names, values }.
  built() {
    const names = {}, values = {};
    let n = 0;
    const nm = (a) => { const k = `#n${n++}`; names[k] = a; return k; };
    const val = (type, v) => {
      const k = `:v${Object.keys(values).length}`;
      values[k] = type === "BOOL" ? { BOOL: v.trim().toLowerCase() === "true" } : { [type]: v };
      return k;
    };
    let kce;
    if (this.mode.value === "query") {
      kce = `${nm(this.pk)} = ${val(this.types[this.pk], this.pkVal.value)}`;
      const op = this.sk && this.skOp.value;
      if (op) {
        const a = nm(this.sk), ty = this.types[this.sk];
        if (op === "between") kce += ` AND ${a} BETWEEN ${val(ty, this.skVal.value)} AND ${val(ty, this.skVal2.value)}`;
        else if (op === "begins_with") kce += ` AND begins_with(${a}, ${val(ty, this.skVal.value)})`;
        else kce += ` AND ${a} ${op} ${val(ty, this.skVal.value)}`;
      }
    }
    const conds = this.filters.filter((f) => f.attr.value.trim()).map((f) => {
      const a = nm(f.attr.value.trim()), op = f.op.value;
      if (op === "exists") return `attribute_exists(${a})`;
      if (op === "not_exists") return `attribute_not_exists(${a})`;
      const v = val(f.type.value, f.value.value);
      return op === "begins_with" || op === "contains" ? `${op}(${a}, ${v})` : `${a} ${op} ${v}`;
    });
    return { kce, fe: conds.join(" AND ") || undefined, names, values };
  }

  fillExpressions() {
    const b = this.built();
    this.kce.value = b.kce || "";
    this.fe.value = b.fe || "";
    this.ean.value = Object.keys(b.names).length ? JSON.stringify(b.names) : "";
    this.eav.value = Object.keys(b.values).length ? JSON.stringify(b.values) : "";
  }

  // The Scan or Query request for a page starting at `start`.
  request(start) {
    const q = this.mode.value === "query";
    const req = { TableName: this.t.TableName, ReturnConsumedCapacity: "TOTAL" };
    const limit = Number(this.limit.value);
    if (limit > 0) req.Limit = limit;
    if (this.source.value) req.IndexName = this.source.value;
    if (this.consistent.checked) req.ConsistentRead = true;
    if (q && this.descending.checked) req.ScanIndexForward = false;
    if (start) req.ExclusiveStartKey = start;
    let kce, fe, names, values, pe;
    if (this.advanced.checked) {
      const parse = (el, what) => {
        if (!el.value.trim()) return undefined;
        try { return JSON.parse(el.value); } catch (e) { throw Object.assign(new Error(`${what}: ${e.message}`), { type: "Invalid JSON" }); }
      };
      kce = this.kce.value.trim() || undefined;
      fe = this.fe.value.trim() || undefined;
      pe = this.pe.value.trim() || undefined;
      names = parse(this.ean, "Expression attribute names");
      values = parse(this.eav, "Expression attribute values");
    } else {
      ({ kce, fe, names, values } = this.built());
    }
    if (q && kce) req.KeyConditionExpression = kce;
    if (fe) req.FilterExpression = fe;
    if (pe) req.ProjectionExpression = pe;
    if (names && Object.keys(names).length) req.ExpressionAttributeNames = names;
    if (values && Object.keys(values).length) req.ExpressionAttributeValues = values;
    return { op: q ? "Query" : "Scan", req };
  }

  reset() {
    this.pages = [undefined];
    this.page = 0;
  }

  async run(page) {
    this.err.replaceChildren();
    let r, op;
    try {
      const built = this.request(this.pages[page]);
      op = built.op;
      r = await ddb(op, built.req);
    } catch (e) {
      this.err.replaceChildren(errorBox(e));
      return;
    }
    this.page = page;
    this.pages.length = page + 1;
    if (r.LastEvaluatedKey) this.pages.push(r.LastEvaluatedKey);
    this.items = r.Items || [];
    const keyCols = [...new Set([...this.t.KeySchema, ...this.keysOf(this.source.value)].map((k) => k.AttributeName))];
    this.grid.set(this.items, keyCols);
    const cc = r.ConsumedCapacity ? ` · consumed ${r.ConsumedCapacity.CapacityUnits} RCU` : "";
    this.stats.textContent = `${op} page ${page + 1}: Count ${r.Count} · ScannedCount ${r.ScannedCount}${cc}${r.LastEvaluatedKey ? " · more pages" : ""}`;
    this.prev.disabled = page === 0;
    this.next.disabled = !r.LastEvaluatedKey;
  }

  edit(item) {
    openEditor(this.t, item, () => this.run(this.page));
  }
}
