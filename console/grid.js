// A virtual-scrolling grid of items: only the rows in view (plus a margin) are in the DOM, so 10,000
// rows scroll as smoothly as 10. Keyboard: the grid is one tab stop; arrows, Page Up/Down, Home/End
// move the active row (aria-activedescendant), Enter opens it. Columns: keys first, then the union of
// attributes in the order first seen (columnsFor).
import { h, nextId } from "./ui.js";
import { cellText } from "./ddbjson.js";

const ROW_H = 28;
const MARGIN = 8;

export function columnsFor(items, keyCols = []) {
  const seen = new Set(keyCols);
  const cols = [...keyCols];
  for (const it of items) for (const k of Object.keys(it)) if (!seen.has(k)) { seen.add(k); cols.push(k); }
  return cols;
}

export class Grid {
  // onOpen(item, index) when a row is opened (Enter, double click); label names the grid.
  constructor({ label, onOpen, height = 420 }) {
    this.onOpen = onOpen;
    this.items = [];
    this.cols = [];
    this.keyCols = [];
    this.active = -1;
    this.gid = nextId("grid");
    this.head = h("div", { class: "grid-head", role: "row" });
    this.rows = h("div", { class: "grid-rows", role: "rowgroup" });
    this.spacer = h("div", { class: "grid-spacer" }, this.rows);
    this.el = h("div", {
      class: "grid", role: "grid", tabindex: "0", "aria-label": label, "aria-rowcount": "1",
      onkeydown: (e) => this.key(e), onscroll: () => this.render(),
    }, h("div", { role: "rowgroup", class: "grid-headgroup" }, this.head), this.spacer);
    this.el.style.height = `${height}px`;
    this.rendered = [-1, -1];
  }

  set(items, keyCols = []) {
    this.items = items;
    this.keyCols = keyCols;
    this.cols = columnsFor(items, keyCols);
    this.active = items.length ? 0 : -1;
    this.el.setAttribute("aria-rowcount", String(items.length + 1));
    this.el.setAttribute("aria-colcount", String(this.cols.length));
    this.head.replaceChildren(h("span", { class: "cell num", role: "columnheader" }, "#"),
      ...this.cols.map((c) => h("span", { class: `cell${keyCols.includes(c) ? " key" : ""}`, role: "columnheader", title: c }, c)));
    const width = 56 + this.cols.length * 170;
    this.head.style.width = this.spacer.style.width = `${width}px`;
    this.spacer.style.height = `${items.length * ROW_H}px`;
    this.el.scrollTop = 0;
    this.rendered = [-1, -1];
    this.render();
    if (!items.length) this.el.removeAttribute("aria-activedescendant");
  }

  render() {
    const top = this.el.scrollTop;
    const first = Math.max(0, Math.floor(top / ROW_H) - MARGIN);
    const last = Math.min(this.items.length, Math.ceil((top + this.el.clientHeight) / ROW_H) + MARGIN);
    if (first === this.rendered[0] && last === this.rendered[1]) return;
    this.rendered = [first, last];
    const out = [];
    for (let i = first; i < last; i++) {
      const it = this.items[i];
      const row = h("div", {
        class: `grid-row${i === this.active ? " active" : ""}`, role: "row", id: `${this.gid}-r${i}`,
        "aria-rowindex": String(i + 2), "data-index": String(i),
        onclick: () => this.setActive(i), ondblclick: () => this.open(i),
      }, h("span", { class: "cell num", role: "gridcell" }, String(i + 1)),
      this.cols.map((c) => h("span", { class: `cell${this.keyCols.includes(c) ? " key" : ""}`, role: "gridcell" }, cellText(it[c]))));
      out.push(row);
    }
    this.rows.style.transform = `translateY(${first * ROW_H}px)`;
    this.rows.replaceChildren(...out);
    if (this.active >= 0) this.el.setAttribute("aria-activedescendant", `${this.gid}-r${this.active}`);
  }

  setActive(i, scroll = false) {
    if (!this.items.length) return;
    this.active = Math.max(0, Math.min(this.items.length - 1, i));
    if (scroll) {
      const y = this.active * ROW_H, view = this.el.clientHeight - ROW_H * 2; // the header row is sticky
      if (y < this.el.scrollTop) this.el.scrollTop = y;
      else if (y > this.el.scrollTop + view) this.el.scrollTop = y - view;
      this.render();
    }
    // the rows stay the same elements (a double click needs both clicks on one element)
    for (const r of this.rows.children) r.classList.toggle("active", Number(r.dataset.index) === this.active);
    this.el.setAttribute("aria-activedescendant", `${this.gid}-r${this.active}`);
  }

  open(i) {
    this.setActive(i);
    if (this.onOpen && this.items[i]) this.onOpen(this.items[i], i);
  }

  key(e) {
    const page = Math.max(1, Math.floor(this.el.clientHeight / ROW_H) - 2);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    if (e.key in moves) this.setActive(this.active + moves[e.key], true);
    else if (e.key === "Home") this.setActive(0, true);
    else if (e.key === "End") this.setActive(this.items.length - 1, true);
    else if (e.key === "Enter" && this.active >= 0) this.open(this.active);
    else return;
    e.preventDefault();
  }
}
