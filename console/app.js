// The console's entry: a hash router (#/tables, #/table/NAME, #/create, #/partiql, #/streams,
// #/stream/NAME, #/server) and the credentials dialog. A view is a function that mounts itself into
// #main and may return a cleanup function (timers, pollers), called when the route changes.
import { h, field, openDialog, toast } from "./ui.js";
import { getCreds, setCreds } from "./api.js";
import { tablesView, createTableView } from "./tables.js";
import { tableView } from "./items.js";
import { partiqlView } from "./partiql.js";
import { streamsView, streamView } from "./streams.js";
import { serverView } from "./server.js";

const ROUTES = [
  [/^#?\/?$/, () => tablesView()],
  [/^#\/tables$/, () => tablesView()],
  [/^#\/create$/, () => createTableView()],
  [/^#\/table\/(.+)$/, (m) => tableView(decodeURIComponent(m[1]))],
  [/^#\/partiql$/, () => partiqlView()],
  [/^#\/streams$/, () => streamsView()],
  [/^#\/stream\/(.+)$/, (m) => streamView(decodeURIComponent(m[1]))],
  [/^#\/server$/, () => serverView()],
];

let cleanup = null;
let generation = 0; // a view that finishes loading after the route changed again is cleaned up at once

async function route() {
  const gen = ++generation;
  if (cleanup) { try { cleanup(); } catch { /* a view's cleanup must not stop the next view */ } cleanup = null; }
  const hash = location.hash || "#/tables";
  const section = (hash.match(/^#\/(\w+)/) || [])[1] || "tables";
  const navOf = { table: "tables", create: "tables", stream: "streams" };
  for (const a of document.querySelectorAll("[data-nav]")) {
    if (a.dataset.nav === (navOf[section] || section)) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  for (const [re, view] of ROUTES) {
    const m = hash.match(re);
    if (m) {
      const c = await view(m);
      if (typeof c !== "function") return;
      if (gen === generation) cleanup = c;
      else c();
      return;
    }
  }
  location.hash = "#/tables";
}

function credentialsDialog() {
  const c = getCreds() || {};
  const akid = h("input", { value: c.accessKeyId || "", autocomplete: "off", spellcheck: "false" });
  const secret = h("input", { type: "password", value: c.secretAccessKey || "", autocomplete: "off" });
  const token = h("input", { type: "password", value: c.sessionToken || "", autocomplete: "off" });
  const region = h("input", { value: c.region || "us-east-1", spellcheck: "false" });
  openDialog("Credentials", (close) => h("form", {
    onsubmit: (e) => {
      e.preventDefault();
      setCreds(akid.value.trim() ? { accessKeyId: akid.value.trim(), secretAccessKey: secret.value,
        sessionToken: token.value.trim() || undefined, region: region.value.trim() || "us-east-1" } : null);
      close();
      updateCredsButton();
      toast(akid.value.trim() ? "Requests are now signed (SigV4)" : "Requests are sent unsigned");
      route();
    },
  },
  h("p", { class: "muted" }, "Needed when the server runs with --auth enforce. Kept in this tab's session storage only; requests are signed with AWS Signature Version 4 in the browser."),
  field("Access key ID", akid), field("Secret access key", secret), field("Session token (optional)", token),
  field("Region", region),
  h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Save"),
    h("button", { type: "button", onclick: () => { akid.value = ""; secret.value = ""; token.value = ""; } }, "Clear"),
    h("button", { type: "button", onclick: () => close() }, "Cancel"))));
}

function updateCredsButton() {
  const c = getCreds();
  const b = document.getElementById("creds-button");
  b.textContent = c ? `Signed as ${c.accessKeyId}` : "Credentials";
}

window.addEventListener("hashchange", route);
document.getElementById("creds-button").addEventListener("click", credentialsDialog);
document.addEventListener("dynarock:credentials", credentialsDialog);
updateCredsButton();
route();
