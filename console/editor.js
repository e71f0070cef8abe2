// The item editor: DynamoDB JSON and plain JSON views of one item; saving is a PutItem whose
// validation errors come back from the server and are shown inline with its message. Optional
// conditions: a new item must not exist yet (attribute_not_exists on the partition key); an edited
// item is written only if the attributes it was loaded with still hold the same values, so a
// concurrent change is not overwritten. Duplicate opens a copy as a new item; Delete deletes by key.
import { ddb } from "./api.js";
import { h, openDialog, errorBox, toast, confirmDialog } from "./ui.js";
import { itemToPlain, itemFromPlain, plainExact } from "./ddbjson.js";

export function openEditor(t, item, onSaved, { copy = false } = {}) {
  const isNew = !item || copy;
  const keyNames = t.KeySchema.map((k) => k.AttributeName);
  const original = item ? JSON.parse(JSON.stringify(item)) : null;
  let view = "ddb";
  const start = item || Object.fromEntries(t.KeySchema.map((k) => {
    const ty = t.AttributeDefinitions.find((d) => d.AttributeName === k.AttributeName).AttributeType;
    return [k.AttributeName, { [ty]: ty === "N" ? "0" : "" }];
  }));
  const text = h("textarea", { class: "code", rows: "18", spellcheck: "false", "aria-label": "Item" });
  text.value = JSON.stringify(start, null, 2);
  const out = h("div", { "aria-live": "polite" });
  const cond = h("input", { type: "checkbox", checked: true, name: "conditional" });
  const tabDdb = h("button", { type: "button", role: "tab", "aria-selected": "true", onclick: () => switchTo("ddb") }, "DynamoDB JSON");
  const tabPlain = h("button", { type: "button", role: "tab", "aria-selected": "false", onclick: () => switchTo("plain") }, "JSON");

  const current = () => {
    let v;
    try { v = JSON.parse(text.value); } catch (e) { throw Object.assign(new Error(e.message), { type: "Invalid JSON" }); }
    if (view === "ddb") return v;
    return itemFromPlain(v);
  };
  function switchTo(to) {
    if (to === view) return;
    out.replaceChildren();
    let it;
    try { it = current(); } catch (e) { out.replaceChildren(errorBox(e)); return; }
    if (to === "plain" && !Object.values(it).every(plainExact)) {
      out.replaceChildren(errorBox({ type: "Not shown as plain JSON", message: "this item holds sets, binary values or numbers a JavaScript number cannot hold exactly; edit it as DynamoDB JSON" }));
      return;
    }
    text.value = JSON.stringify(to === "plain" ? itemToPlain(it) : it, null, 2);
    view = to;
    tabDdb.setAttribute("aria-selected", String(to === "ddb"));
    tabPlain.setAttribute("aria-selected", String(to === "plain"));
  }

  const save = async (close) => {
    out.replaceChildren();
    let it;
    try { it = current(); } catch (e) { out.replaceChildren(errorBox(e)); return; }
    const req = { TableName: t.TableName, Item: it };
    if (cond.checked) {
      if (isNew) {
        req.ConditionExpression = "attribute_not_exists(#k)";
        req.ExpressionAttributeNames = { "#k": keyNames[0] };
      } else {
        const names = {}, values = {}, parts = [];
        Object.entries(original).forEach(([k, v], i) => { names[`#a${i}`] = k; values[`:a${i}`] = v; parts.push(`#a${i} = :a${i}`); });
        req.ConditionExpression = parts.join(" AND ");
        req.ExpressionAttributeNames = names;
        req.ExpressionAttributeValues = values;
      }
    }
    try {
      await ddb("PutItem", req);
    } catch (e) {
      if (e.type === "ConditionalCheckFailedException")
        e.message += isNew ? " (an item with this key exists already)" : " (the item changed since it was loaded: reload it, or save without the condition)";
      out.replaceChildren(errorBox(e));
      return;
    }
    toast("Item saved");
    close();
    onSaved();
  };

  const del = async (close) => {
    const key = Object.fromEntries(keyNames.map((k) => [k, original[k]]));
    if (!(await confirmDialog("Delete item?", `Delete the item ${JSON.stringify(itemToPlain(key))}?`))) return;
    try {
      await ddb("DeleteItem", { TableName: t.TableName, Key: key });
    } catch (e) {
      out.replaceChildren(errorBox(e));
      return;
    }
    toast("Item deleted");
    close();
    onSaved();
  };

  openDialog(isNew ? (copy ? "Duplicate item" : "New item") : "Edit item", (close) => h("form", {
    class: "editor", onsubmit: (e) => { e.preventDefault(); save(close); },
  },
  h("div", { role: "tablist", class: "tabs", "aria-label": "Item format" }, tabDdb, tabPlain),
  text, out,
  h("label", { class: "check" }, cond, isNew ? "Only create: fail if an item with this key exists" : "Only save if unchanged since loaded"),
  h("div", { class: "actions" },
    h("button", { type: "submit", class: "primary" }, "Save"),
    !isNew ? h("button", { type: "button", onclick: () => {
      let it;
      try { it = current(); } catch (e) { out.replaceChildren(errorBox(e)); return; }
      close();
      openEditor(t, it, onSaved, { copy: true });
    } }, "Duplicate") : null,
    !isNew ? h("button", { type: "button", class: "danger", onclick: () => del(close) }, "Delete") : null,
    h("button", { type: "button", onclick: () => close() }, "Cancel"))), { wide: true });
  text.focus();
}
