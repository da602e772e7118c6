// streamsql console: the application's graph with live counts, the latest
// rows of each in-application stream, error_stream, inputs and outputs.
// Plain JavaScript: snapshots arrive as server-sent events on /events.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
let graph = null;      // /api/graph
let layout = null;     // nodes and edges drawn
let picked = "";       // the stream whose rows are shown
let last = null;       // the latest snapshot

const fmt = (n) => (n === undefined || n === null) ? "" : Number(n).toLocaleString("en-US");
const el = (tag, attrs, text) => {
  const e = document.createElementNS(SVG, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  return e;
};

// opsOf indexes the operators by name; a split application's parts each
// list the fan-in of a stream they all write, and the graph shows the sum.
function opsOf(snap) {
  const m = {};
  for (const o of (snap && snap.operators) || []) {
    const p = m[o.name];
    m[o.name] = p ? Object.assign({}, p, { in: p.in + o.in, out: p.out + o.out }) : o;
  }
  return m;
}

// Lay the graph out in columns by depth: inputs, then each stream after
// the pumps that write it, each pump after the streams it reads, outputs
// after their stream.
function build(snap) {
  const nodes = {}, edges = [];
  const add = (id, kind, label, extra) => (nodes[id] = Object.assign({ id, kind, label, level: 0 }, extra || {}));
  (snap.inputs || []).forEach((inp, i) => add("in:" + i, "input", "INPUT " + inp.name));
  const isStream = {};
  for (const s of graph.streams) { add("s:" + s.name, "stream", s.name); isStream[s.name] = true; }
  for (const t of graph.tables || []) add("t:" + t, "table", "TABLE " + t);
  for (const p of graph.pumps) add("p:" + p.name, "pump", "PUMP " + p.name, { pump: p });
  for (const s of graph.streams) {
    if (s.source) edges.push({ from: "in:" + s.input, to: "s:" + s.name, count: () => (opsOf(last)[s.name + "/stream"] || {}).in });
  }
  for (const p of graph.pumps) {
    for (const r of p.reads || []) {
      if (isStream[r]) edges.push({ from: "s:" + r, to: "p:" + p.name, count: () => (opsOf(last)[r + "/stream"] || {}).out });
    }
    // Reference tables a pump joins show in its plan as Table NAME.
    for (const t of graph.tables || []) {
      if ((p.plan || "").split("\n").some((l) => l.trim() === "Table " + t || l.trim() === `Table "${t}"`)) {
        edges.push({ from: "t:" + t, to: "p:" + p.name, count: () => "lookup" });
      }
    }
    edges.push({ from: "p:" + p.name, to: "s:" + p.target, count: () => (opsOf(last)[p.name + "/insert"] || {}).out });
  }
  (snap.outputs || []).forEach((o, i) => {
    add("o:" + i, "output", "OUTPUT " + o.destination);
    edges.push({ from: "s:" + o.stream, to: "o:" + i, count: () => ((last.outputs || [])[i] || {}).delivered });
  });
  // Depths: a fixed point (the planner rejects cycles).
  for (const s of graph.streams) if (s.source) nodes["s:" + s.name].level = 1;
  for (let round = 0; round < 50; round++) {
    let moved = false;
    for (const e of edges) {
      const a = nodes[e.from], b = nodes[e.to];
      if (!a || !b) continue;
      if (b.level < a.level + 1) { b.level = a.level + 1; moved = true; }
    }
    if (!moved) break;
  }
  for (const t of graph.tables || []) {
    const readers = edges.filter((e) => e.from === "t:" + t).map((e) => nodes[e.to].level);
    nodes["t:" + t].level = readers.length ? Math.max(0, Math.min(...readers) - 1) : 0;
  }
  // Positions.
  const colW = 250, boxW = 200, gap = 26;
  const heights = (n) => n.kind === "pump" ? 30 + 15 * opNames(n.pump.name).length : 34;
  const colY = {};
  for (const n of Object.values(nodes)) {
    const y = colY[n.level] || 20;
    n.x = 20 + n.level * colW; n.y = y; n.w = boxW; n.h = heights(n);
    colY[n.level] = y + n.h + gap;
  }
  const width = 40 + (Math.max(...Object.values(nodes).map((n) => n.level)) + 1) * colW;
  const height = Math.max(...Object.values(colY), 100);
  layout = { nodes, edges, width, height };
  draw();
}

function opNames(pump) {
  return Object.keys(opsOf(last)).filter((n) => n.startsWith(pump + "/"));
}

function draw() {
  const svg = document.getElementById("graph-svg");
  svg.innerHTML = "";
  // Scaled to the panel's width: a long chain of pumps stays in view.
  svg.setAttribute("viewBox", `0 0 ${layout.width} ${layout.height}`);
  svg.setAttribute("width", layout.width);
  svg.setAttribute("height", layout.height);
  svg.style.width = "100%";
  svg.style.maxWidth = layout.width + "px";
  svg.style.height = "auto";
  for (const e of layout.edges) {
    const a = layout.nodes[e.from], b = layout.nodes[e.to];
    if (!a || !b) continue;
    const x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2, mx = (x1 + x2) / 2;
    const g = el("g", { class: "edge" });
    g.appendChild(el("path", { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, "marker-end": "url(#arrow)" }));
    const t = el("text", { x: mx, y: (y1 + y2) / 2 - 4, "text-anchor": "middle", class: "count" });
    e.label = t;
    g.appendChild(t);
    svg.appendChild(g);
  }
  const defs = el("defs", {});
  const marker = el("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" });
  marker.appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", fill: "#90a4ae" }));
  defs.appendChild(marker);
  svg.appendChild(defs);
  for (const n of Object.values(layout.nodes)) {
    const g = el("g", { class: n.kind, "data-id": n.id });
    g.appendChild(el("rect", { x: n.x, y: n.y, width: n.w, height: n.h, rx: n.kind === "stream" ? 16 : 4, class: "box" }));
    g.appendChild(el("text", { x: n.x + 8, y: n.y + 20 }, clip(n.label, 30)));
    if (n.kind === "pump") {
      n.opText = {};
      opNames(n.pump.name).forEach((name, i) => {
        const t = el("text", { x: n.x + 12, y: n.y + 38 + 15 * i, class: "op" });
        n.opText[name] = t;
        g.appendChild(t);
      });
    }
    if (n.kind === "stream") g.addEventListener("click", () => pick(n.label));
    svg.appendChild(g);
  }
  counts();
}

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + "…" : s; }

function counts() {
  if (!layout || !last) return;
  for (const e of layout.edges) if (e.label) e.label.textContent = typeof e.count() === "string" ? e.count() : fmt(e.count());
  const ops = opsOf(last);
  for (const n of Object.values(layout.nodes)) {
    for (const name in n.opText || {}) {
      const o = ops[name] || {};
      n.opText[name].textContent = `${name.split("/")[1]}: ${fmt(o.in)} → ${fmt(o.out)}`;
    }
  }
}

function table(id, head, rows) {
  const t = document.getElementById(id);
  if (head) t.tHead.innerHTML = "<tr>" + head.map((h) => `<th>${esc(h)}</th>`).join("") + "</tr>";
  t.tBodies[0].innerHTML = rows.map((r) => "<tr>" + r.map((c) => {
    const cls = typeof c === "number" ? "num" : (c && c.bad ? "bad" : "");
    const v = typeof c === "number" ? fmt(c) : (c && c.bad ? c.text : c);
    return `<td class="${cls}">${esc(v === undefined ? "" : String(v))}</td>`;
  }).join("") + "</tr>").join("");
}

function esc(s) { return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c])); }

// rowsTable shows JSON rows (objects) with their keys as the header.
function rowsTable(id, rows) {
  const objs = (rows || []).map((r) => { try { return JSON.parse(r); } catch (e) { return { row: r }; } }).reverse();
  const keys = objs.length ? Object.keys(objs[0]) : [];
  table(id, keys, objs.map((o) => keys.map((k) => o[k] === null ? "NULL" : (typeof o[k] === "object" ? JSON.stringify(o[k]) : o[k]))));
}

function pick(name) {
  picked = name;
  document.getElementById("stream-pick").value = name;
  if (last) rowsTable("rows", (last.streams || {})[picked]);
}

function update(snap) {
  last = snap;
  const st = document.getElementById("status");
  st.textContent = snap.final ? "finished" : "running";
  st.className = "badge " + (snap.final ? "finished" : "running");
  document.getElementById("summary").textContent =
    `${fmt(snap.recordsIn)} records in · ${snap.elapsedSeconds.toFixed(1)} s · time ${snap.watermark || "-"} · ${fmt(snap.lateRows)} late`;
  if (graph && (!layout || Object.keys(opsOf(snap)).length !== layout.opCount)) { build(snap); layout.opCount = Object.keys(opsOf(snap)).length; }
  counts();
  table("inputs", null, (snap.inputs || []).map((i) => [i.name, i.records, i.bytes, i.failed]));
  document.getElementById("shards").style.display = (snap.shards || []).length ? "" : "none";
  table("shards", null, (snap.shards || []).map((s) => s.replay
    ? [s.input + " " + s.id, s.records, s.bytes, "-", "-", "-", "replayed"]
    : [s.input + " " + s.id, s.records, s.bytes, s.behindMillis + " ms", s.iteratorAgeMillis + " ms", s.throttles, s.lastReadAgo || "never"]));
  table("outputs", null, (snap.outputs || []).map((o) => [o.stream, o.destination, o.delivered, o.pending, o.calls, o.failed, o.retried,
    o.error ? { bad: true, text: o.error } : (o.pending ? "delivering" : "delivered")]));
  const sel = document.getElementById("stream-pick");
  const names = Object.keys(snap.streams || {}).sort();
  if (sel.options.length !== names.length) {
    sel.innerHTML = names.map((n) => `<option>${esc(n)}</option>`).join("");
    if (!picked) picked = names.includes("DESTINATION_SQL_STREAM") ? "DESTINATION_SQL_STREAM" : names[0] || "";
    sel.value = picked;
  }
  if (picked) rowsTable("rows", (snap.streams || {})[picked]);
  rowsTable("errors", snap.errors);
  document.getElementById("error-counts").textContent =
    Object.entries(snap.errorCounts || {}).map(([k, v]) => `${k}: ${fmt(v)}`).join(" · ") || "no errors";
  document.body.dataset.records = snap.recordsIn;
  document.body.dataset.final = snap.final;
}

async function start() {
  document.getElementById("stream-pick").addEventListener("change", (e) => pick(e.target.value));
  graph = await (await fetch("api/graph")).json();
  const first = await (await fetch("api/snapshot")).json();
  if (graph) update(first);
  const es = new EventSource("events");
  es.addEventListener("snapshot", (e) => update(JSON.parse(e.data)));
  es.onerror = () => {
    const st = document.getElementById("status");
    if (!last || !last.final) { st.textContent = "disconnected"; st.className = "badge down"; }
  };
}

start();
