// PartiQL: ExecuteStatement with parameters (a JSON array of attribute values), results in the item
// grid, NextToken paging, and a history of the last 50 statements (this browser's localStorage).
import { ddb } from "./api.js";
import { h, field, mount, errorBox } from "./ui.js";
import { Grid } from "./grid.js";
import { openEditor } from "./editor.js";

const HIST = "dynarock.console.partiql";
const history = () => { try { return JSON.parse(localStorage.getItem(HIST) || "[]"); } catch { return []; } };

export function partiqlView() {
  const stmt = h("textarea", { class: "code", rows: "4", spellcheck: "false", name: "statement", placeholder: 'SELECT * FROM "table" WHERE pk = ?' });
  const params = h("textarea", { class: "code", rows: "2", spellcheck: "false", name: "parameters", placeholder: '[{"S": "value"}]' });
  const limit = h("input", { type: "number", min: "1", name: "limit", placeholder: "(none)" });
  const consistent = h("input", { type: "checkbox", name: "consistent" });
  const err = h("div", {});
  const stats = h("p", { class: "stats", role: "status", "aria-live": "polite" });
  const grid = new Grid({ label: "Statement results" });
  const more = h("button", { type: "button", disabled: true, onclick: () => run(token) }, "Next page");
  const histList = h("ol", { class: "history" });
  let token, page = 0, lastTable;

  const renderHistory = () => histList.replaceChildren(...history().map((x) => h("li", {},
    h("button", { type: "button", class: "link", onclick: () => { stmt.value = x.s; params.value = x.p || ""; stmt.focus(); } }, x.s))));

  async function run(next) {
    err.replaceChildren();
    const req = { Statement: stmt.value };
    try {
      if (params.value.trim()) req.Parameters = JSON.parse(params.value);
    } catch (e) {
      err.replaceChildren(errorBox({ type: "Invalid JSON", message: `Parameters: ${e.message}` }));
      return;
    }
    if (Number(limit.value) > 0) req.Limit = Number(limit.value);
    if (consistent.checked) req.ConsistentRead = true;
    if (next) req.NextToken = next;
    req.ReturnConsumedCapacity = "TOTAL";
    let r;
    try {
      r = await ddb("ExecuteStatement", req);
    } catch (e) {
      err.replaceChildren(errorBox(e));
      return;
    }
    page = next ? page + 1 : 1;
    if (!next) {
      const hist = history().filter((x) => x.s !== req.Statement);
      hist.unshift({ s: req.Statement, p: params.value.trim() || undefined });
      localStorage.setItem(HIST, JSON.stringify(hist.slice(0, 50)));
      renderHistory();
      const m = req.Statement.match(/\bfrom\s+"([^"]+)"/i) || req.Statement.match(/\bfrom\s+([A-Za-z0-9_.-]+)/i);
      lastTable = null;
      if (m) {
        try { lastTable = (await ddb("DescribeTable", { TableName: m[1].split(".")[0] })).Table; } catch { lastTable = null; }
      }
    }
    const items = r.Items || [];
    grid.set(items, lastTable ? lastTable.KeySchema.map((k) => k.AttributeName) : []);
    token = r.NextToken;
    more.disabled = !token;
    const cc = r.ConsumedCapacity ? ` · consumed ${r.ConsumedCapacity.CapacityUnits} units` : "";
    stats.textContent = `Page ${page}: ${items.length} item${items.length === 1 ? "" : "s"}${cc}${token ? " · more pages" : ""}`;
  }

  // the editor needs the table's key schema: the table the FROM clause names
  grid.onOpen = (it) => { if (lastTable) openEditor(lastTable, it, () => run()); };
  mount(h("h1", {}, "PartiQL"),
    h("form", { class: "form", onsubmit: (e) => { e.preventDefault(); run(); } },
      field("Statement", stmt, "Ctrl+Enter runs it"),
      field("Parameters (JSON array of DynamoDB JSON values, for each ?)", params),
      h("div", { class: "row" }, field("Limit", limit), h("label", { class: "check" }, consistent, "Consistent read")),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Run"), more)),
    err, stats, grid.el,
    h("details", { class: "panel", open: true }, h("summary", {}, "History"), histList));
  stmt.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); run(); } });
  renderHistory();
  stmt.focus();
}
