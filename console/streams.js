// Streams: the tables with a stream, and the live view of one: every open shard is read from LATEST
// (or TRIM_HORIZON) with GetRecords once a second, shards are described again every 10 s (a shard
// that closes hands over to its children); records newest first (at most 500 kept) with their keys,
// old and new images and a diff. Below, the stream's trigger mappings (Lambda's
// ListEventSourceMappings) with their state and last results.
import { ddb, streams, lambda, listTableNames } from "./api.js";
import { h, mount, errorBox, toast } from "./ui.js";
import { toPlain, cellText, deepEqual } from "./ddbjson.js";

export async function streamsView() {
  const body = h("tbody");
  mount(h("h1", {}, "Streams"), h("table", { class: "list" }, h("caption", { class: "sr-only" }, "Tables and their streams"),
    h("thead", {}, h("tr", {}, ["Table", "Stream", "View type"].map((c) => h("th", { scope: "col" }, c)))), body));
  try {
    const names = await listTableNames();
    const ts = await Promise.all(names.map((n) => ddb("DescribeTable", { TableName: n }).then((r) => r.Table, () => null)));
    body.replaceChildren(...ts.filter(Boolean).map((t) => {
      const on = t.StreamSpecification && t.StreamSpecification.StreamEnabled;
      return h("tr", {}, h("th", { scope: "row" }, h("a", { href: `#/stream/${encodeURIComponent(t.TableName)}` }, t.TableName)),
        h("td", {}, on ? "on" : "off"), h("td", {}, on ? t.StreamSpecification.StreamViewType : "—"));
    }));
  } catch (e) {
    body.replaceWith(errorBox(e));
  }
}

// The attribute-by-attribute diff of two images: [{name, old, new, change}] (change: added, removed, changed, same).
export function diffImages(oldImg = {}, newImg = {}) {
  const names = [...new Set([...Object.keys(oldImg), ...Object.keys(newImg)])];
  return names.map((n) => {
    const o = oldImg[n], w = newImg[n];
    const change = o === undefined ? "added" : w === undefined ? "removed" : deepEqual(o, w) ? "same" : "changed";
    return { name: n, old: o, new: w, change };
  });
}

function recordCard(rec) {
  const d = rec.dynamodb || {};
  const when = d.ApproximateCreationDateTime ? new Date(d.ApproximateCreationDateTime * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z") : "";
  const diff = diffImages(d.OldImage, d.NewImage);
  const service = rec.userIdentity && rec.userIdentity.Type === "Service" ? " (TTL)" : "";
  return h("article", { class: `record ${rec.eventName}`, "aria-label": `${rec.eventName} ${JSON.stringify(toPlain({ M: d.Keys || {} }))}` },
    h("header", {}, h("strong", { class: "event" }, rec.eventName + service), " ",
      h("code", { class: "keys" }, JSON.stringify(toPlain({ M: d.Keys || {} }))), " ",
      h("span", { class: "muted" }, `${when} · seq ${d.SequenceNumber} · ${d.StreamViewType || ""}`)),
    diff.length ? h("table", { class: "diff" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Attribute"), h("th", { scope: "col" }, "Old image"), h("th", { scope: "col" }, "New image"))),
      h("tbody", {}, diff.map((x) => h("tr", { class: x.change }, h("th", { scope: "row" }, x.name),
        h("td", {}, x.old === undefined ? "" : cellText(x.old, 400)), h("td", {}, x.new === undefined ? "" : cellText(x.new, 400)))))) : null);
}

export async function streamView(name) {
  let t;
  try {
    t = (await ddb("DescribeTable", { TableName: name })).Table;
  } catch (e) {
    mount(h("h1", {}, `Stream of ${name}`), errorBox(e));
    return;
  }
  const arn = t.LatestStreamArn;
  const on = t.StreamSpecification && t.StreamSpecification.StreamEnabled;
  if (!on) {
    mount(h("h1", {}, `Stream of ${name}`), h("p", {}, "This table has no stream."),
      h("button", { type: "button", class: "primary", onclick: async () => {
        try {
          await ddb("UpdateTable", { TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } });
          toast("Stream enabled");
          streamView(name);
        } catch (e) { toast(String(e), "error"); }
      } }, "Enable a stream (NEW_AND_OLD_IMAGES)"));
    return;
  }
  const list = h("div", { class: "records", "aria-live": "polite", "aria-relevant": "additions" });
  const status = h("p", { class: "stats", role: "status" }, "Starting…");
  const fromStart = h("input", { type: "checkbox", name: "from-start" });
  const pause = h("button", { type: "button", "aria-pressed": "false" }, "Pause");
  const mappings = h("div", {}, h("p", { class: "muted" }, "Loading trigger mappings…"));
  let stopped = false, paused = false, iters = new Map(), seen = 0, lastDescribe = 0, timer;
  const cards = [];

  async function describeShards() {
    const shards = [];
    let start;
    do {
      const r = await streams("DescribeStream", { StreamArn: arn, ExclusiveStartShardId: start });
      shards.push(...r.StreamDescription.Shards);
      start = r.StreamDescription.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  async function refreshShards(initial) {
    const shards = await describeShards();
    for (const s of shards) {
      if (iters.has(s.ShardId)) continue;
      const open = !s.SequenceNumberRange.EndingSequenceNumber;
      // new shards found later (children of a closed one) are read from their start
      if (initial && !open && !fromStart.checked) { iters.set(s.ShardId, null); continue; }
      const type = initial && !fromStart.checked ? "LATEST" : "TRIM_HORIZON";
      const r = await streams("GetShardIterator", { StreamArn: arn, ShardId: s.ShardId, ShardIteratorType: type });
      iters.set(s.ShardId, r.ShardIterator);
    }
    lastDescribe = Date.now();
  }

  async function poll() {
    if (stopped) return;
    try {
      if (!paused) {
        if (Date.now() - lastDescribe > 10000) await refreshShards(false);
        for (const [id, it] of iters) {
          if (!it || stopped) continue;
          const r = await streams("GetRecords", { ShardIterator: it, Limit: 1000 });
          iters.set(id, r.NextShardIterator || null);
          for (const rec of r.Records || []) {
            seen++;
            const card = recordCard(rec);
            cards.unshift(card);
            list.prepend(card);
            if (cards.length > 500) cards.pop().remove();
          }
          if (!r.NextShardIterator) lastDescribe = 0; // closed: find its children
        }
        status.textContent = `Watching ${[...iters.values()].filter(Boolean).length} shard(s) · ${seen} record(s) seen`;
      }
    } catch (e) {
      status.replaceChildren(errorBox(e));
    }
    if (!stopped) timer = setTimeout(poll, 1000);
  }

  async function restart() {
    clearTimeout(timer);
    iters = new Map();
    try { await refreshShards(true); } catch (e) { status.replaceChildren(errorBox(e)); return; }
    poll();
  }

  pause.addEventListener("click", () => {
    paused = !paused;
    pause.textContent = paused ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(paused));
  });
  fromStart.addEventListener("change", () => { list.replaceChildren(); cards.length = 0; seen = 0; restart(); });
  mount(h("div", { class: "bar" }, h("h1", {}, `Stream of ${name}`),
    h("a", { class: "button", href: `#/table/${encodeURIComponent(name)}` }, "Items")),
  h("p", { class: "muted" }, `${t.StreamSpecification.StreamViewType} · ${arn}`),
  h("div", { class: "bar" }, status, h("span", { class: "spacer" }),
    h("label", { class: "check" }, fromStart, "From the oldest record kept"), pause,
    h("button", { type: "button", onclick: () => { list.replaceChildren(); cards.length = 0; } }, "Clear")),
  list,
  h("h2", {}, "Trigger mappings"), mappings);

  lambda("GET", `/2015-03-31/event-source-mappings/?EventSourceArn=${encodeURIComponent(arn)}`).then((r) => {
    const ms = r.EventSourceMappings || [];
    mappings.replaceChildren(ms.length ? h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ["Function", "State", "Batch size", "Start", "Last result", "Last modified", "UUID"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ms.map((m) => h("tr", {}, h("td", {}, m.FunctionArn), h("td", {}, m.State), h("td", { class: "num" }, String(m.BatchSize ?? "")),
        h("td", {}, m.StartingPosition || ""), h("td", {}, m.LastProcessingResult || ""),
        h("td", {}, m.LastModified ? new Date(m.LastModified * 1000).toISOString() : ""), h("td", {}, h("code", {}, m.UUID))))))
      : h("p", { class: "muted" }, "No trigger mappings on this stream (--trigger, or Lambda's CreateEventSourceMapping)."));
  }, (e) => mappings.replaceChildren(errorBox(e)));

  restart();
  return () => { stopped = true; clearTimeout(timer); };
}
