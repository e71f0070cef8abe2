// The server page, from GET /metrics (Prometheus text): version, settings, uptime, in-flight requests,
// connections, and per operation the request rate (between two refreshes), errors, mean and p50/p99
// latency (from the histogram's buckets); items and bytes per table. Refreshed every 2 seconds.
import { metricsText } from "./api.js";
import { h, mount, errorBox, fmtDuration, fmtNum, fmtBytes } from "./ui.js";

// Prometheus text -> [{name, labels, value}]
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/);
    if (!m) continue;
    const labels = {};
    if (m[3]) for (const l of m[3].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
    out.push({ name: m[1], labels, value: Number(m[4]) });
  }
  return out;
}

// The q quantile (0..1) of a cumulative histogram [{le, count}], as Prometheus estimates it.
export function quantile(q, buckets) {
  const b = [...buckets].sort((x, y) => x.le - y.le);
  const total = b.length ? b[b.length - 1].count : 0;
  if (!total) return NaN;
  const rank = q * total;
  let prevLe = 0, prevC = 0;
  for (const { le, count } of b) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + (le - prevLe) * ((rank - prevC) / Math.max(1, count - prevC));
    }
    prevLe = le; prevC = count;
  }
  return prevLe;
}

const ms = (s) => (Number.isFinite(s) ? `${(s * 1000).toFixed(s < 0.01 ? 2 : 1)} ms` : "—");

export function serverView() {
  const box = h("div", {}, h("p", { class: "muted" }, "Reading /metrics…"));
  mount(h("div", { class: "bar" }, h("h1", {}, "Server"), h("span", { class: "muted" }, "from /metrics, every 2 s")), box);
  let prev = null, timer, stopped = false;
  async function tick() {
    let ms_;
    try {
      ms_ = parseMetrics(await metricsText());
    } catch (e) {
      box.replaceChildren(errorBox(e));
      return;
    }
    if (stopped) return;
    const now = Date.now() / 1000;
    const one = (n) => ms_.find((x) => x.name === n);
    const build = one("dynarock_build_info"), cfg = one("dynarock_config_info"), start = one("process_start_time_seconds");
    const ops = {};
    const op = (n) => (ops[n] ||= { total: 0, errors: 0, byOutcome: {}, buckets: [], sum: 0, count: 0 });
    for (const x of ms_) {
      const o = x.labels.operation;
      if (!o) continue;
      if (x.name === "dynarock_requests_total") {
        op(o).total += x.value;
        if (x.labels.outcome !== "OK") { op(o).errors += x.value; op(o).byOutcome[x.labels.outcome] = x.value; }
      } else if (x.name === "dynarock_request_duration_seconds_bucket") op(o).buckets.push({ le: x.labels.le === "+Inf" ? Infinity : Number(x.labels.le), count: x.value });
      else if (x.name === "dynarock_request_duration_seconds_sum") op(o).sum = x.value;
      else if (x.name === "dynarock_request_duration_seconds_count") op(o).count = x.value;
    }
    const dt = prev ? now - prev.t : 0;
    const rows = Object.entries(ops).sort((a, b) => b[1].total - a[1].total).map(([name, o]) => {
      const rate = prev && prev.ops[name] != null && dt > 0 ? (o.total - prev.ops[name]) / dt : null;
      return h("tr", {}, h("th", { scope: "row" }, name === "none" ? "(not an API call)" : name), h("td", { class: "num" }, fmtNum(o.total)),
        h("td", { class: "num" }, rate == null ? "—" : rate.toFixed(1)),
        h("td", { class: "num", title: Object.entries(o.byOutcome).map(([k, v]) => `${k}: ${v}`).join("\n") }, fmtNum(o.errors)),
        h("td", { class: "num" }, ms(o.count ? o.sum / o.count : NaN)),
        h("td", { class: "num" }, ms(quantile(0.5, o.buckets))), h("td", { class: "num" }, ms(quantile(0.99, o.buckets))));
    });
    const tables = ms_.filter((x) => x.name === "dynarock_table_items").map((x) => {
      const bytes = ms_.find((y) => y.name === "dynarock_table_bytes" && y.labels.table === x.labels.table);
      return h("tr", {}, h("th", { scope: "row" }, x.labels.table), h("td", { class: "num" }, fmtNum(x.value)), h("td", { class: "num" }, fmtBytes(bytes ? bytes.value : 0)));
    });
    const facts = [
      ["Version", build ? build.labels.version : "—"],
      ["Uptime", start ? fmtDuration(now - start.value) : "—"],
      ["Requests in flight", String((one("dynarock_requests_in_flight") || {}).value ?? "—")],
      ["Open connections", String((one("dynarock_open_connections") || {}).value ?? "—")],
      ...(cfg ? Object.entries(cfg.labels).map(([k, v]) => [k.replace(/_/g, " "), v || "—"]) : []),
    ];
    box.replaceChildren(
      h("dl", { class: "details" }, facts.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
      h("table", { class: "list" }, h("caption", {}, "Operations"),
        h("thead", {}, h("tr", {}, ["Operation", "Requests", "Per second", "Errors", "Mean", "p50", "p99"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, rows)),
      h("table", { class: "list" }, h("caption", {}, "Tables"),
        h("thead", {}, h("tr", {}, ["Table", "Items", "Size"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, tables)));
    prev = { t: now, ops: Object.fromEntries(Object.entries(ops).map(([k, o]) => [k, o.total])) };
  }
  tick();
  timer = setInterval(tick, 2000);
  return () => { stopped = true; clearInterval(timer); };
}
