// Export (a page, or every page of the current Scan/Query) to a JSON file of DynamoDB-JSON items, and
// import items from a file through BatchWriteItem, 25 at a time, unprocessed items sent again with a
// growing pause, with a progress bar. Files read: a JSON array of items, {"Items": [...]}, or JSON lines
// (DynamoDB's export format: one {"Item": {...}} per line); items in DynamoDB JSON or plain JSON.
import { ddb } from "./api.js";
import { h, field, select, openDialog, errorBox, toast, download } from "./ui.js";
import { itemFromPlain, looksLikeDdb } from "./ddbjson.js";

export function exportItems(name, items) {
  download(name, JSON.stringify(items, null, 1));
  toast(`Exported ${items.length} items`);
}

// Every page of request(start) -> {op, req} into one file; btn shows the progress.
export async function exportAll(table, request, btn) {
  const label = btn.textContent;
  btn.disabled = true;
  const items = [];
  try {
    let start;
    do {
      const { op, req } = request(start);
      delete req.Limit;
      const r = await ddb(op, req);
      items.push(...(r.Items || []));
      start = r.LastEvaluatedKey;
      btn.textContent = `Exporting… ${items.length}`;
    } while (start);
    exportItems(`${table}.json`, items);
  } catch (e) {
    toast(String(e), "error");
  } finally {
    btn.disabled = false;
    btn.textContent = label;
  }
}

export function parseItems(text, format) {
  const s = text.trim();
  let raw;
  if (s.startsWith("[")) raw = JSON.parse(s);
  else {
    try {
      const j = JSON.parse(s);
      raw = Array.isArray(j.Items) ? j.Items : [j];
    } catch {
      raw = s.split(/\r?\n/).filter((l) => l.trim()).map((l, i) => {
        try { return JSON.parse(l); } catch (e) { throw new Error(`line ${i + 1}: ${e.message}`); }
      });
    }
  }
  return raw.map((x) => (x && x.Item && Object.keys(x).length === 1 ? x.Item : x)).map((x, i) => {
    if (!x || typeof x !== "object" || Array.isArray(x)) throw new Error(`item ${i + 1} is not a JSON object`);
    const ddbJson = format === "ddb" || (format === "auto" && looksLikeDdb(x));
    return ddbJson ? x : itemFromPlain(x);
  });
}

export function importDialog(table, onDone) {
  const file = h("input", { type: "file", accept: ".json,.jsonl,application/json", name: "import-file" });
  const format = select([["auto", "Detect"], ["ddb", "DynamoDB JSON"], ["plain", "Plain JSON"]], "auto", { name: "import-format" });
  const progress = h("progress", { max: "1", value: "0", "aria-label": "Import progress" });
  const status = h("p", { role: "status", "aria-live": "polite" });
  const out = h("div", {});
  let running = false;
  openDialog(`Import items into ${table}`, (close) => h("form", {
    onsubmit: async (e) => {
      e.preventDefault();
      if (running || !file.files[0]) return;
      running = true;
      out.replaceChildren();
      let items;
      try {
        items = parseItems(await file.files[0].text(), format.value);
      } catch (err) {
        out.replaceChildren(errorBox({ type: "Cannot read the file", message: err.message }));
        running = false;
        return;
      }
      progress.max = items.length || 1;
      let done = 0;
      try {
        for (let i = 0; i < items.length; i += 25) {
          let pending = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
          for (let attempt = 0; pending && pending[table] && pending[table].length; attempt++) {
            if (attempt > 8) throw new Error("the server kept items unprocessed; try again later");
            if (attempt) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
            const r = await ddb("BatchWriteItem", { RequestItems: pending });
            pending = r.UnprocessedItems;
          }
          done = Math.min(items.length, i + 25);
          progress.value = done;
          status.textContent = `${done} of ${items.length} items written`;
        }
        toast(`Imported ${items.length} items into ${table}`);
        onDone();
      } catch (err) {
        out.replaceChildren(errorBox(err), h("p", {}, `${done} items were written before the error.`));
      } finally {
        running = false;
      }
    },
  },
  field("File (JSON array, {\"Items\": [...]}, or JSON lines)", file), field("Item format", format),
  progress, status, out,
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Import"),
    h("button", { type: "button", onclick: () => close() }, "Close"))));
}
