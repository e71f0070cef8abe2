// Small DOM helpers shared by the views: element builder, toasts, dialogs, formatting. No innerHTML
// with data anywhere: text always goes in as text nodes.
let uid = 0;
export const nextId = (p = "id") => `${p}-${++uid}`;

// h("button", { class: "x", onclick: fn }, "text", child, ...); attrs starting with "on" are listeners.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked" || k === "disabled" || k === "selected" || k === "required" || k === "hidden") el[k] = !!v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

// A labelled control: <label for=id>text</label> + the control (given an id).
export function field(label, control, hint) {
  control.id ||= nextId("f");
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control,
    hint ? h("small", { class: "muted" }, hint) : null);
}

export function select(options, value, attrs = {}) {
  return h("select", attrs, options.map((o) => {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    return h("option", { value: v, selected: v === value }, t);
  }));
}

export function toast(msg, kind = "info") {
  const t = document.getElementById("toast");
  const el = h("div", { class: `toast ${kind}` }, msg);
  t.append(el);
  setTimeout(() => el.remove(), kind === "error" ? 8000 : 3500);
}

const AUTH_ERRORS = ["MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException",
  "MissingAuthenticationToken", "IncompleteSignatureException"];

// An inline error box (role=alert) holding "Type: message"; after an authentication error, a button
// that opens the credentials dialog (app.js listens for the event).
export function errorBox(e) {
  const box = h("div", { class: "error", role: "alert" }, e && e.type ? h("strong", {}, e.type) : null,
    e && e.type ? ": " : "", e && e.message != null ? e.message : String(e));
  if (!e || !AUTH_ERRORS.includes(e.type)) return box;
  return h("div", {}, box, h("button", { type: "button", class: "primary",
    onclick: () => document.dispatchEvent(new Event("dynarock:credentials")) }, "Enter credentials"));
}

// A modal dialog (native <dialog>: focus trapped, Escape closes). build(close) returns its content.
export function openDialog(title, build, { wide = false } = {}) {
  const titleId = nextId("dlg");
  const dlg = h("dialog", { class: wide ? "wide" : "", "aria-labelledby": titleId });
  const close = (v) => { dlg.close(); dlg.remove(); return v; };
  dlg.append(h("h2", { id: titleId }, title), build(close));
  dlg.addEventListener("close", () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  return dlg;
}

// Confirm with a named action; resolves true/false.
export function confirmDialog(title, text, action = "Delete") {
  return new Promise((resolve) => {
    let answered = false;
    const dlg = openDialog(title, (close) => h("div", {},
      h("p", {}, text),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", onclick: () => { answered = true; close(); resolve(true); } }, action),
        h("button", { type: "button", onclick: () => close() }, "Cancel"))));
    dlg.addEventListener("close", () => { if (!answered) resolve(false); });
  });
}

export function fmtBytes(n) {
  n = Number(n || 0);
  if (n < 1024) return `${n} B`;
  const u = ["KB", "MB", "GB", "TB"];
  let i = -1;
  do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
  return `${n.toFixed(n < 10 ? 1 : 0)} ${u[i]}`;
}
export const fmtNum = (n) => Number(n || 0).toLocaleString("en-US");
export function fmtDuration(s) {
  s = Math.max(0, Math.floor(s));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return (d ? `${d}d ` : "") + (d || hh ? `${hh}h ` : "") + `${m}m ${s % 60}s`;
}

export function download(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: "application/json" }));
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// The view's content: replace #main, focus it for screen readers and keyboards.
export function mount(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children.flat());
  return main;
}
