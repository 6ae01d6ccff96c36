// raftcheck timeline. Everything comes from the JSON in #run-data and goes
// on the page through textContent or numeric attributes only: run data is
// never parsed as markup. Times are microseconds after the run's start.
(function () {
  "use strict";

  const D = JSON.parse(document.getElementById("run-data").textContent);
  const SVGNS = "http://www.w3.org/2000/svg";

  // Node states, as numbered by the Go side (validate.go).
  const STATE = ["follower", "precandidate", "candidate", "leader", "crashed", "down"];
  const STATE_FILL = ["#b9cbe0", "#f6d48b", "#f1a340", "#2f9e44", "#ffffff", "#3a3f4b"];
  const OUTCOME = ["ok", "fail", "info", "pending"];
  const KIND_COLORS = ["#1f77b4", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#2ca02c", "#ff7f0e", "#393b79"];
  const DROP_COLOR = "#d62728";
  const MAX_ARROWS = 2500; // arrows drawn at once; the note says when a window has more

  // Layout, in CSS pixels. Node lanes shrink for big clusters so that a
  // 101-node run still fits about a screen.
  const LEFT = 74, RIGHT = 16, AXIS = 26, FAULT_ROW = 17, GAP = 14, LEADER_ROW = 18, CEX_ROW = 16;
  const NODE_LANE = Math.max(12, Math.min(28, Math.floor(720 / Math.max(1, D.nodes.length))));
  const SEG_PAD = NODE_LANE >= 20 ? 5 : 2; // role segments inset in their lane
  const faultRows = D.faults.reduce((m, f) => Math.max(m, f.row + 1), 0);
  const clientLane = Math.max(6, Math.min(16, Math.floor(420 / Math.max(1, D.lanes.length))));
  const yFaults = AXIS + 4;
  const yLeader = yFaults + faultRows * FAULT_ROW + (faultRows ? 6 : 0);
  const yNodes = yLeader + LEADER_ROW + 6;
  const yCex = yNodes + D.nodes.length * NODE_LANE + 4; // counterexample markers, when there is one
  // with an anomaly its decisive ops are labelled by role, on two rows
  const yClients = yCex + (D.cex ? CEX_ROW : 0) + (D.cex && D.cex.anomaly ? 11 : 0) + GAP + 8;
  const height = yClients + D.lanes.length * clientLane + 8;
  const duration = Math.max(1, D.duration);

  const chart = document.getElementById("chart");
  const tooltip = document.getElementById("tooltip");
  const view = { t0: 0, t1: duration };
  let drawn = {}; // what the last render drew, by kind (see render)

  // Leadership, derived from the role segments: every span in which some
  // node was leader, and the spans in which two or more nodes believed they
  // led at once (a deposed leader that has not heard of the new term yet:
  // where stale reads come from).
  const LEAD = (function () {
    const S = D.segs;
    const segs = [];
    for (let i = 0; i < S.state.length; i++) if (S.state[i] === 3) segs.push(i);
    segs.sort((a, b) => S.t0[a] - S.t0[b] || S.term[a] - S.term[b]);
    const ev = [];
    for (const i of segs) { ev.push([S.t0[i], 1, i]); ev.push([S.t1[i], -1, i]); }
    ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]); // at one instant, ends first
    const active = new Set();
    const overlaps = [];
    let cur = null;
    for (const [t, d, i] of ev) {
      if (d > 0) active.add(i); else active.delete(i);
      if (active.size >= 2) {
        if (!cur) cur = { t0: t, segs: new Set() };
        for (const a of active) cur.segs.add(a);
      } else if (cur) {
        if (t > cur.t0) overlaps.push({ t0: cur.t0, t1: t, segs: [...cur.segs] });
        cur = null;
      }
    }
    // A split brain is two leaders of one term (Election Safety broken); the
    // usual overlap is a deposed leader of a lower term that has not heard of
    // the higher one yet.
    for (const o of overlaps) {
      const terms = o.segs.map((i) => S.term[i]);
      o.split = new Set(terms).size < terms.length;
    }
    return { segs: segs, overlaps: overlaps };
  })();

  // The counterexample: page op index → its position in D.cex.ops.
  const CEX = D.cex;
  const cexPos = new Map();
  if (CEX) CEX.ops.forEach((o, j) => cexPos.set(o, j));
  // The anomaly's decisive operations: page op index → its role.
  const ANOM = CEX && CEX.anomaly && CEX.anomaly.decisive.length ? CEX.anomaly : null;
  const decisive = new Map();
  if (ANOM) ANOM.decisive.forEach((o, j) => decisive.set(o, ANOM.roles[j]));
  const ROLE_TEXT = { "read": "read", "missed-write": "missed write", "earlier-read": "earlier read", "later-read": "later read",
    "source": "source", "duplicated": "written once", "first": "acked first", "second": "shown first", "culprit": "culprit" };
  // Findings marked on the chart: the anomaly (when it has a time) and each
  // broken invariant.
  const MARKS = [];
  if (ANOM && ANOM.t >= 0) MARKS.push({ t: ANOM.t, label: ANOM.title, inv: false, nodes: [], what: ANOM.sentence });
  D.violations.forEach((v) => MARKS.push({ t: v.t, label: v.invariant, inv: true, nodes: v.nodes, what: v.evidence, v: v }));

  // ---------- small helpers ----------

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmtT(us) { return (us / 1e6).toFixed(6) + " s"; }
  function fmtDur(us) {
    const a = Math.abs(us);
    if (a < 1000) return us + " µs";
    if (a < 1e6) return (us / 1000).toFixed(a < 1e4 ? 2 : 1) + " ms";
    return (us / 1e6).toFixed(3) + " s";
  }
  // fitLabel shortens text to about px pixels of 11px type ("" if nothing fits).
  function fitLabel(text, px) {
    const chars = Math.floor(px / 6.2);
    if (chars >= text.length) return text;
    if (chars < 4) return "";
    return text.slice(0, chars - 1) + "…";
  }
  function num(n) { return Number(n).toLocaleString("en-US"); }
  // nodeName is a node's name on the page: "n<id>", or the run's own name
  // for it (live runs: node 1 is Maelstrom's n0).
  function nodeName(n) { return (D.names && D.names[n]) || "n" + n; }
  function nodeLabel(n) { return (D.names && D.names[n]) || "node " + n; }
  function nodeId(n) { return (D.names && D.names[n]) || String(n); }
  function nodeList(ids) { return ids.length ? ids.map(nodeName).join(", ") : "—"; }
  // count is "1 node", "5 nodes": n grouped, and word with an s unless n is 1.
  function count(n, word) { return num(n) + " " + word + (n === 1 ? "" : "s"); }
  function kindColor(k) { return KIND_COLORS[k % KIND_COLORS.length]; }
  // lowerBound returns the first index i with arr[i] >= v (arr sorted).
  function lowerBound(arr, v) {
    let lo = 0, hi = arr.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (arr[mid] < v) lo = mid + 1; else hi = mid; }
    return lo;
  }
  // stateFill is a state's colour, its lightness alternating by term for the
  // roles, so a new term shows as a new shade even when the role stays the same.
  function stateFill(state, term) {
    const base = STATE_FILL[state];
    if (state > 3 || term % 2 === 0) return base;
    const c = parseInt(base.slice(1), 16);
    const f = 0.86;
    const r = Math.round(((c >> 16) & 255) * f), g = Math.round(((c >> 8) & 255) * f), b = Math.round((c & 255) * f);
    return "rgb(" + r + "," + g + "," + b + ")";
  }

  // ---------- header, tables, legend ----------

  function fillHeader() {
    const title = D.title || "raftcheck run";
    document.title = title + " — raftcheck timeline";
    document.getElementById("title").textContent = title;
    const v = document.getElementById("verdict");
    v.textContent = D.verdict || "unknown";
    v.className = "verdict " + (["valid", "invalid", "unknown"].includes(D.verdict) ? D.verdict : "");
    const reasons = document.getElementById("reasons");
    const told = new Set();
    if (CEX) {
      told.add("linearizability: " + CEX.summary);
      for (const e of CEX.explain) told.add("linearizability: " + e);
      if (CEX.anomaly) told.add("linearizability: " + CEX.anomaly.sentence);
    }
    const inPanel = (r) => D.violations.some((v) => r.startsWith(v.invariant + " at ") && r.endsWith(v.evidence));
    for (const r of D.reasons) if (!told.has(r) && !inPanel(r)) reasons.appendChild(el("li", null, r));
    fillCex();
    fillViolations();
    document.getElementById("seed").textContent = D.seed || "—";
    document.getElementById("replay").textContent = D.replay || "—";
    const counts = [0, 0, 0, 0];
    for (const o of D.ops.out) counts[o]++;
    // "ops invoked", as the run's other outputs count them.
    const parts = [fmtDur(D.duration) + " shown", count(D.nodes.length, "node"), count(D.ops.out.length, "op") + " invoked (" +
      OUTCOME.map((n, i) => num(counts[i]) + " " + n).join(", ") + ")", count(D.faults.length, "fault window")];
    let m = count(D.msgs.total, "message");
    if (D.msgs.total > D.msgs.sent.length) m += " (" + num(D.msgs.sent.length) + " embedded, evenly sampled)";
    parts.push(m);
    document.getElementById("overview").textContent = parts.join(" · ");
    kvTable(document.getElementById("config"), D.config);
    if (D.config.length === 0) document.getElementById("config-box").hidden = true;
    else if (D.config.length <= 12) document.getElementById("config-box").open = true;
  }

  // opText describes page op i in one line, as the explanation does.
  function opText(i) {
    const O = D.ops;
    let s = "op " + O.index[i] + " (process " + O.proc[i] + "): " + D.fs[O.f[i]] + "(" + JSON.stringify(D.keys[O.key[i]]);
    if (O.inv[i] !== "nil") s += ", " + O.inv[i];
    s += ")";
    if (O.out[i] === 0 && O.ret[i] !== "" && D.fs[O.f[i]] !== "put" && D.fs[O.f[i]] !== "append") s += " → " + O.ret[i];
    s += " " + OUTCOME[O.out[i]];
    if (O.node[i]) s += ", served by node " + O.node[i];
    return s;
  }

  function fillCex() {
    if (!CEX) return;
    document.getElementById("cex-box").hidden = false;
    document.getElementById("cex-summary").textContent = CEX.summary || "These operations cannot be linearized together.";
    const list = document.getElementById("cex-list");
    CEX.ops.forEach((i, j) => {
      const cls = (i === CEX.culprit ? "culprit" : "") + (decisive.has(i) ? " decisive" : "");
      const li = el("li", cls ? { class: cls.trim() } : null);
      const b = el("button", { type: "button", title: "zoom the timeline to this operation" }, "show");
      b.addEventListener("click", () => showOp(i));
      li.appendChild(b);
      li.appendChild(document.createTextNode(CEX.explain[j] || opText(i)));
      list.appendChild(li);
    });
    const n = CEX.ops.length;
    document.getElementById("cex-details-title").textContent = "The " + n + " operation" + (n === 1 ? "" : "s") + " that cannot be linearized together" + (CEX.key ? " (key " + JSON.stringify(CEX.key) + ")" : "");
    const a = CEX.anomaly;
    if (a) {
      const title = a.title || a.kind;
      document.getElementById("cex-title").textContent = title.charAt(0).toUpperCase() + title.slice(1);
      const sent = document.getElementById("anomaly-sentence");
      sent.textContent = a.sentence;
      sent.hidden = false;
      if (a.rule) {
        const rule = document.getElementById("anomaly-rule");
        rule.textContent = a.rule;
        rule.hidden = false;
      }
      if (ANOM) {
        document.getElementById("cex-details").open = false;
        document.getElementById("cex-zoom").textContent = "zoom to the decisive operations";
        document.getElementById("cex-zoom-note").textContent = ANOM.decisive.map((o, j) => (ROLE_TEXT[ANOM.roles[j]] || ANOM.roles[j]) + " #" + D.ops.index[o]).join(", ") + "; the supporting operations are listed below";
      }
    }
    document.getElementById("cex-zoom").addEventListener("click", zoomToCex);
  }

  // fillViolations gives each broken invariant a panel: the rule in the
  // paper's words, the evidence, who and when, and a button to the moment.
  function fillViolations() {
    const box = document.getElementById("violations");
    D.violations.forEach((v, j) => {
      const sec = el("section", { class: "finding inv", "aria-label": "invariant " + v.invariant });
      sec.appendChild(el("h2", null, "Invariant broken: " + v.invariant));
      if (v.rule) sec.appendChild(el("p", { class: "rule" }, v.rule));
      const ev = el("p", { class: "evidence" });
      ev.appendChild(el("strong", null, "Evidence: "));
      ev.appendChild(document.createTextNode(v.evidence));
      sec.appendChild(ev);
      const facts = ["at " + fmtT(v.t)];
      if (v.nodes.length) facts.push("nodes " + v.nodes.map(nodeId).join(", "));
      if (v.terms.length) facts.push("term" + (v.terms.length > 1 ? "s " : " ") + v.terms.join(", "));
      if (v.index) facts.push("log index " + v.index);
      if (v.count > 1) facts.push("breached " + num(v.count) + " times; the first is shown");
      const line = el("p", { class: "facts-line" }, facts.join(" · ") + " ");
      const b = el("button", { type: "button", class: "show-violation" }, "show on the timeline");
      b.addEventListener("click", () => showMoment(v.t));
      line.appendChild(b);
      sec.appendChild(line);
      box.appendChild(sec);
    });
  }

  // showMoment zooms onto instant t (µs), with room for what led to it.
  function showMoment(t) {
    const w = Math.max(2e5, Math.min(2e6, duration / 50));
    setView(t - w * 0.7, t + w * 0.3);
    document.getElementById("controls").scrollIntoView({ block: "start" });
  }

  // cexSpan is the time span of the counterexample's operations.
  function cexSpan() { return spanOf(CEX.ops); }
  function spanOf(ops) {
    let t0 = Infinity, t1 = -Infinity;
    for (const i of ops) { t0 = Math.min(t0, D.ops.t0[i]); t1 = Math.max(t1, D.ops.t1[i]); }
    return [t0, t1];
  }
  function zoomToCex() {
    // The decisive operations frame the view: the read and what it missed
    // (a later read that shows the write was kept is evidence, not the
    // anomaly, and may come much later).
    const [t0, t1] = ANOM ? spanOf(ANOM.decisive.filter((_, j) => ANOM.roles[j] !== "later-read")) : cexSpan();
    const pad = Math.max(2e4, (t1 - t0) * 0.08);
    setView(t0 - pad, t1 + pad);
    document.getElementById("controls").scrollIntoView({ block: "start" });
  }
  // showOp zooms onto op i with the messages around it.
  function showOp(i) {
    const t0 = D.ops.t0[i], t1 = D.ops.t1[i], w = Math.max(t1 - t0, 1000);
    setView(t0 - 4 * w, t1 + 4 * w);
    document.getElementById("controls").scrollIntoView({ block: "start" });
  }

  function kvTable(table, rows) {
    for (const [k, v] of rows) {
      const tr = el("tr");
      tr.appendChild(el("td", null, k));
      tr.appendChild(el("td", null, v));
      table.appendChild(tr);
    }
  }

  function fillFinal() {
    const t = document.getElementById("nodes");
    const head = el("tr");
    for (const h of ["Node ID", "State", "Term", "Alive", "Log Size (since snapshot)", "Commit Index"]) head.appendChild(el("th", null, h));
    t.appendChild(head);
    for (const n of D.final) {
      const tr = el("tr", n.alive ? null : { class: "dead" });
      tr.appendChild(el("td", null, String(n.id)));
      tr.appendChild(el("td", { class: "text" }, n.state));
      tr.appendChild(el("td", null, String(n.term)));
      tr.appendChild(el("td", { class: "text" }, n.alive ? "yes" : "no"));
      tr.appendChild(el("td", null, String(n.log_size)));
      tr.appendChild(el("td", null, String(n.commit)));
      t.appendChild(tr);
    }
    if (D.final.length === 0) t.hidden = true;
    kvTable(document.getElementById("summary"), D.summary);
    kvTable(document.getElementById("stats"), D.stats);
  }

  function fillLegend() {
    const box = document.getElementById("legend");
    function group(name, items) {
      if (!items.length) return;
      const g = el("span", { class: "group" });
      g.appendChild(el("span", { class: "group-name" }, name));
      for (const [label, style] of items) {
        const it = el("span", { class: "item" });
        const sw = el("span", { class: "sw" });
        for (const k in style) sw.style[k] = style[k];
        it.appendChild(sw);
        it.appendChild(el("span", null, label));
        g.appendChild(it);
      }
      box.appendChild(g);
    }
    const hatch = "repeating-linear-gradient(45deg, #555 0 2px, transparent 2px 5px)";
    group("nodes", STATE.map((s, i) => [s, { background: STATE_FILL[i] }]).concat([["paused", { background: hatch }]]));
    const hatchRed = "repeating-linear-gradient(45deg, #d62728 0 2px, transparent 2px 5px)";
    const hatchAmber = "repeating-linear-gradient(45deg, #e08a00 0 2px, transparent 2px 5px)";
    const lead = [];
    if (LEAD.overlaps.some((o) => o.split)) lead.push(["split brain: two leaders of one term", { background: hatchRed }]);
    if (LEAD.overlaps.some((o) => !o.split)) lead.push(["deposed leader of a lower term still leading", { background: hatchAmber }]);
    group("leader row", lead);
    if (CEX) group("counterexample", [["its operations", { background: "transparent", border: "2px solid #d62728" }]].concat(ANOM ? [["decisive", { background: "transparent", border: "3px solid #d62728" }]] : []));
    if (MARKS.length) group("findings", [["anomaly", { background: "#d62728" }], ["invariant broken", { background: "#8e24aa" }]].filter((_, k) => MARKS.some((m) => m.inv === (k === 1))));
    group("ops", OUTCOME.map((s, i) => [s, { background: D.outcomeColors[i] }]));
    const seen = new Set();
    const faults = [];
    for (const f of D.faults) {
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      faults.push([f.name, { background: D.faultPalette[f.color] }]);
    }
    group("faults", faults);
    const kinds = D.msgKinds.map((k, i) => [k || "message", { background: kindColor(i) }]);
    if (D.msgDrops.length) kinds.push(["dropped", { background: DROP_COLOR }]);
    if (D.msgAnswers.includes("rejected")) kinds.push(["reply rejected (open end)", { background: "#fff", border: "2px solid #555", borderRadius: "50%", width: "8px", height: "8px" }]);
    group("messages", kinds);
  }

  // ---------- controls ----------

  const inFrom = document.getElementById("view-from");
  const inTo = document.getElementById("view-to");
  const msgOn = document.getElementById("msg-on");
  const msgNote = document.getElementById("msg-note");

  function setView(t0, t1) {
    let w = Math.max(10, Math.min(duration, t1 - t0)); // 10 µs is the deepest zoom
    t0 = Math.max(0, Math.min(duration - w, t0));
    view.t0 = t0;
    view.t1 = t0 + w;
    inFrom.value = (view.t0 / 1e6).toFixed(3);
    inTo.value = (view.t1 / 1e6).toFixed(3);
    scheduleRender();
  }
  function zoom(factor, atT) {
    const c = atT === undefined ? (view.t0 + view.t1) / 2 : atT;
    setView(c - (c - view.t0) * factor, c + (view.t1 - c) * factor);
  }

  function initControls() {
    if (D.msgs.sent.length === 0) {
      msgOn.checked = false;
      msgOn.disabled = true;
    }

    inFrom.addEventListener("change", () => setView(parseFloat(inFrom.value) * 1e6, view.t1));
    inTo.addEventListener("change", () => setView(view.t0, parseFloat(inTo.value) * 1e6));
    document.getElementById("zoom-in").addEventListener("click", () => zoom(0.5));
    document.getElementById("zoom-out").addEventListener("click", () => zoom(2));
    document.getElementById("pan-left").addEventListener("click", () => { const w = view.t1 - view.t0; setView(view.t0 - w / 3, view.t1 - w / 3); });
    document.getElementById("pan-right").addEventListener("click", () => { const w = view.t1 - view.t0; setView(view.t0 + w / 3, view.t1 + w / 3); });
    document.getElementById("view-all").addEventListener("click", () => setView(0, duration));
    msgOn.addEventListener("change", scheduleRender);
    document.getElementById("replay").addEventListener("click", (e) => {
      const sel = window.getSelection();
      sel.selectAllChildren(e.currentTarget);
    });

    // Ctrl+wheel (and pinch) zooms, Shift+wheel pans; a plain wheel
    // keeps scrolling the page.
    chart.addEventListener("wheel", (e) => {
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        zoom(e.deltaY > 0 ? 1.25 : 0.8, tAt(e.clientX));
      } else if (e.shiftKey) {
        e.preventDefault();
        const w = view.t1 - view.t0, d = (e.deltaY || e.deltaX) > 0 ? w / 8 : -w / 8;
        setView(view.t0 + d, view.t1 + d);
      }
    }, { passive: false });
    let drag = null;
    chart.addEventListener("mousedown", (e) => {
      drag = { x: e.clientX, t0: view.t0, t1: view.t1 };
      chart.classList.add("dragging");
    });
    window.addEventListener("mouseup", () => { drag = null; chart.classList.remove("dragging"); });
    window.addEventListener("mousemove", (e) => {
      if (!drag) return;
      const dt = (e.clientX - drag.x) / plotWidth() * (drag.t1 - drag.t0);
      setView(drag.t0 - dt, drag.t1 - dt);
    });
    chart.addEventListener("mousemove", hover);
    chart.addEventListener("mouseleave", () => { tooltip.hidden = true; });
    window.addEventListener("resize", scheduleRender);
  }

  // ---------- drawing ----------

  let width = 1000;
  function plotWidth() { return Math.max(100, width - LEFT - RIGHT); }
  function x(t) { return LEFT + (t - view.t0) / (view.t1 - view.t0) * plotWidth(); }
  function tAt(clientX) {
    const r = chart.getBoundingClientRect();
    return view.t0 + (clientX - r.left - LEFT) / plotWidth() * (view.t1 - view.t0);
  }
  // clipX keeps shapes of long spans inside the drawing area.
  function clipX(px) { return Math.max(LEFT - 2, Math.min(width + 2, px)); }
  function laneY(lane) { return yNodes + lane * NODE_LANE; }
  function laneMid(lane) { return laneY(lane) + NODE_LANE / 2 - 1; }

  let pending = false;
  function scheduleRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; render(); });
  }

  function niceStep(span, target) {
    const raw = span / target;
    const p = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
    return 10 * p;
  }

  let renderMs = 0;
  function render() {
    const started = performance.now();
    width = Math.max(600, document.getElementById("chart-wrap").clientWidth);
    chart.setAttribute("viewBox", "0 0 " + width + " " + height);
    chart.setAttribute("height", String(height));
    const frag = document.createDocumentFragment();
    drawn = { segs: 0, pauses: 0, ops: 0, bars: 0, faults: 0, arrows: 0, leaders: 0, twoLeaders: 0, splitBrain: 0, cex: 0, decisive: 0, groups: 0, marks: 0, rejected: 0 };
    frag.appendChild(defs());
    drawBackground(frag);
    drawAxis(frag);
    drawFaults(frag);
    drawLeaders(frag);
    drawSegments(frag);
    drawOps(frag);
    drawFaultOverlay(frag);
    drawCex(frag);
    drawHeal(frag);
    drawMessages(frag);
    drawMarks(frag);
    drawLabels(frag);
    chart.replaceChildren(frag);
    renderMs = performance.now() - started;
  }

  function defs() {
    const d = sv("defs");
    const pat = sv("pattern", { id: "hatch", width: "6", height: "6", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    pat.appendChild(sv("rect", { width: "2.2", height: "6", fill: "#333", opacity: "0.55" }));
    d.appendChild(pat);
    const red = sv("pattern", { id: "hatch-red", width: "6", height: "6", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    red.appendChild(sv("rect", { width: "3", height: "6", fill: "#d62728", opacity: "0.85" }));
    d.appendChild(red);
    const amber = sv("pattern", { id: "hatch-amber", width: "6", height: "6", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
    amber.appendChild(sv("rect", { width: "2", height: "6", fill: "#e08a00", opacity: "0.8" }));
    d.appendChild(amber);
    const clip = sv("clipPath", { id: "plotclip" });
    clip.appendChild(sv("rect", { x: String(LEFT), y: "0", width: String(plotWidth()), height: String(height) }));
    d.appendChild(clip);
    const colors = D.msgKinds.map((_, i) => kindColor(i)).concat([DROP_COLOR]);
    colors.forEach((c, i) => {
      const m = sv("marker", { id: "arrow" + i, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" });
      m.appendChild(sv("path", { d: "M0,0 L10,5 L0,10 z", fill: c }));
      d.appendChild(m);
    });
    return d;
  }

  function drawBackground(g) {
    for (let i = 0; i < D.nodes.length; i++) {
      g.appendChild(sv("rect", { class: "lane-bg", x: String(LEFT), y: String(laneY(i) + 2), width: String(plotWidth()), height: String(NODE_LANE - 4) }));
    }
  }

  function drawAxis(g) {
    const span = view.t1 - view.t0;
    const step = niceStep(span, Math.max(4, plotWidth() / 110));
    const first = Math.ceil(view.t0 / step) * step;
    for (let t = first; t <= view.t1 + 1e-9; t += step) {
      const px = x(t);
      g.appendChild(sv("line", { class: "tick", x1: String(px), x2: String(px), y1: String(AXIS - 4), y2: String(height) }));
      // as many decimals as the step needs: 0.5 s steps read 2.5 s, not 3 s
      const label = step >= 1e3
        ? (t / 1e6).toFixed(Math.max(0, Math.ceil(-Math.log10(step / 1e6) - 1e-9))) + " s"
        : (t / 1e3).toFixed(Math.max(0, Math.ceil(-Math.log10(step / 1e3) - 1e-9))) + " ms";
      g.appendChild(sv("text", { x: String(px), y: String(AXIS - 8), "text-anchor": px - LEFT < 20 ? "start" : "middle" }, label));
    }
  }

  function drawFaults(g) {
    const clip = sv("g", { "clip-path": "url(#plotclip)" });
    D.faults.forEach((f, i) => {
      if (f.t1 < view.t0 || f.t0 > view.t1) return;
      const x0 = clipX(x(f.t0)), x1 = Math.max(clipX(x(f.t1)), x0 + 2);
      const color = D.faultPalette[f.color];
      // a labelled bar in the fault rows
      const y = yFaults + f.row * FAULT_ROW;
      clip.appendChild(sv("rect", { x: String(x0), y: String(y), width: String(x1 - x0), height: String(FAULT_ROW - 3), fill: color, rx: "2", "data-k": "f" + i }));
      const label = fitLabel(f.name + (f.groups.length ? " " + groupText(f.groups) : ""), x1 - Math.max(x0, LEFT) - 8);
      if (label) clip.appendChild(sv("text", { x: String(Math.max(x0, LEFT) + 4), y: String(y + FAULT_ROW - 6) }, label));
      // a band over the lanes of the nodes it acts on (all lanes if none are named)
      for (const lane of faultLanes(f)) {
        clip.appendChild(sv("rect", { x: String(x0), y: String(laneY(lane)), width: String(x1 - x0), height: String(NODE_LANE), fill: color, opacity: "0.45", "data-k": "f" + i }));
      }
      // under the client ops: which ops ran during the fault (Jepsen style)
      clip.appendChild(sv("rect", { x: String(x0), y: String(yClients), width: String(x1 - x0), height: String(D.lanes.length * clientLane), fill: color, opacity: "0.28", "pointer-events": "none" }));
      drawn.faults++;
    });
    g.appendChild(clip);
  }

  // groupText writes a partition's sides: "{1,2} | {3,4,5}".
  function groupText(groups) { return groups.map((g) => "{" + g.map(nodeId).join(",") + "}").join(" | "); }
  const GROUP_NAMES = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  // faultLanes are the lanes a fault's band covers: its targets and, for a
  // partition, every node on either side.
  function faultLanes(f) {
    const ids = new Set(f.targets);
    for (const g of f.groups) for (const n of g) ids.add(n);
    if (ids.size === 0) return D.nodes.map((_, j) => j);
    return [...ids].map((n) => D.nodes.indexOf(n)).filter((l) => l >= 0);
  }

  // drawFaultOverlay puts a strip of each fault's colour along the top of
  // every lane the fault acts on, where the role segments cannot cover it,
  // and letters each node's side of a partition.
  function drawFaultOverlay(g) {
    const clip = sv("g", { "clip-path": "url(#plotclip)", "pointer-events": "none" });
    for (const f of D.faults) {
      if (f.t1 < view.t0 || f.t0 > view.t1) continue;
      const x0 = clipX(x(f.t0)), x1 = Math.max(clipX(x(f.t1)), x0 + 2);
      for (const lane of faultLanes(f)) {
        clip.appendChild(sv("rect", { x: String(x0), y: String(laneY(lane) + 1), width: String(x1 - x0), height: "3", fill: D.faultPalette[f.color] }));
      }
      // a partition names each node's side at the start of the band
      if (f.groups.length >= 2 && x1 - x0 > 16 && NODE_LANE >= 16) {
        f.groups.forEach((grp, k) => {
          for (const n of grp) {
            const lane = D.nodes.indexOf(n);
            if (lane < 0) continue;
            clip.appendChild(sv("text", { class: "group", x: String(Math.max(x0, LEFT) + 2), y: String(laneY(lane) + NODE_LANE - 4) }, GROUP_NAMES[k % GROUP_NAMES.length]));
            drawn.groups++;
          }
        });
      }
    }
    g.appendChild(clip);
  }

  // drawLeaders draws the leader row: who led when, and where two nodes
  // believed they led at once.
  function drawLeaders(g) {
    const S = D.segs;
    const clip = sv("g", { "clip-path": "url(#plotclip)" });
    const y = yLeader, h = LEADER_ROW - 2;
    for (const i of LEAD.segs) {
      if (S.t1[i] < view.t0 || S.t0[i] > view.t1) continue;
      const x0 = clipX(x(S.t0[i])), x1 = clipX(x(S.t1[i]));
      clip.appendChild(sv("rect", { x: String(x0), y: String(y), width: String(Math.max(1, x1 - x0)), height: String(h), fill: stateFill(3, S.term[i]), "data-k": "s" + i }));
      const label = fitLabel(nodeName(D.nodes[S.lane[i]]) + " t" + S.term[i], x1 - Math.max(x0, LEFT) - 4);
      if (label) clip.appendChild(sv("text", { class: "on-dark", x: String(Math.max(x0, LEFT) + 3), y: String(y + h - 4) }, label));
      drawn.leaders++;
    }
    LEAD.overlaps.forEach((o, j) => {
      if (o.t1 < view.t0 || o.t0 > view.t1) return;
      const x0 = clipX(x(o.t0)), x1 = Math.max(clipX(x(o.t1)), x0 + 3);
      // a hatched strip along the top, leaving the leaders' labels readable:
      // red for a split brain, amber for a deposed leader's overlap
      clip.appendChild(sv("rect", { class: "two-leaders" + (o.split ? " split" : ""), x: String(x0), y: String(y - 3), width: String(x1 - x0), height: "7", "data-k": "L" + j }));
      drawn.twoLeaders++;
      if (o.split) drawn.splitBrain++;
    });
    g.appendChild(clip);
  }

  // drawCex outlines the counterexample's operations and joins each to the
  // node that served it, at its completion.
  function drawCex(g) {
    if (!CEX) return;
    const O = D.ops;
    const clip = sv("g", { "clip-path": "url(#plotclip)" });
    const h = Math.max(3, clientLane - 3);
    const lastLabel = [-Infinity, -Infinity]; // right end of the last label on each row
    const order = CEX.ops.slice();
    for (const i of decisive.keys()) if (!cexPos.has(i)) order.push(i); // decisive ops found outside the counterexample
    order.sort((a, b) => O.t1[a] - O.t1[b]);
    for (const i of order) {
      if (O.t1[i] < view.t0 || O.t0[i] > view.t1) continue;
      const role = decisive.get(i);
      const cls = "cex-op" + (i === CEX.culprit ? " culprit" : "") + (role ? " decisive" : "");
      const x0 = clipX(x(O.t0[i])), x1 = clipX(x(O.t1[i]));
      const yOp = yClients + O.lane[i] * clientLane + 1;
      clip.appendChild(sv("rect", { class: cls, x: String(x0 - 2), y: String(yOp - 2), width: String(Math.max(4, x1 - x0 + 4)), height: String(h + 4) }));
      const xe = x(O.t1[i]);
      const lane = D.nodes.indexOf(O.node[i]);
      const yTop = lane >= 0 ? laneMid(lane) : yCex;
      clip.appendChild(sv("line", { class: "cex-link", x1: String(xe), x2: String(xe), y1: String(yTop), y2: String(yOp) }));
      if (lane >= 0) clip.appendChild(sv("circle", { class: "cex-node", cx: String(xe), cy: String(yTop), r: "4" }));
      clip.appendChild(sv("path", { class: "cex-node", d: "M" + (xe - 5) + "," + (yCex + 2) + "L" + (xe + 5) + "," + (yCex + 2) + "L" + xe + "," + (yCex + 10) + "z" }));
      // Labels name the decisive ops by their role (or, without an anomaly,
      // every op by its history position), never on top of each other.
      const label = role ? (ROLE_TEXT[role] || role) + " #" + O.index[i] : ANOM ? "" : "#" + O.index[i];
      const rows = ANOM ? 2 : 1;
      for (let r = 0; label && r < rows; r++) {
        if (xe + 6 <= lastLabel[r] + 4) continue;
        clip.appendChild(sv("text", { class: role ? "cex-role" : "cex-label", x: String(xe + 6), y: String(yCex + 10 + 11 * r) }, label));
        lastLabel[r] = xe + 6 + label.length * 6;
        break;
      }
      drawn.cex++;
      if (role) drawn.decisive++;
    }
    g.appendChild(clip);
  }

  // drawMarks draws each finding at its moment: a dashed line through the
  // chart, a flag on the time axis (hover for what it is) and, for a broken
  // invariant, a dot on the lanes of the nodes involved.
  function drawMarks(g) {
    // Flags go in time order, each right of the one before when they would
    // overlap (findings often come together), joined to their moment.
    const order = MARKS.map((_, j) => j).sort((a, b) => MARKS[a].t - MARKS[b].t);
    let flagEnd = -Infinity;
    for (const j of order) {
      const m = MARKS[j];
      if (m.t < view.t0 || m.t > view.t1) continue;
      const px = x(m.t);
      const cls = m.inv ? " inv" : "";
      g.appendChild(sv("line", { class: "mark" + cls, x1: String(px), x2: String(px), y1: String(AXIS - 2), y2: String(height) }));
      const text = fitLabel(m.label, 140);
      const w = text.length * 6 + 8;
      let fx = Math.max(px, flagEnd + 3);
      if (fx + w > width - RIGHT) fx = Math.max(LEFT, px - w);
      flagEnd = fx + w;
      if (Math.abs(fx - px) > 1 && !(fx < px && fx + w >= px)) g.appendChild(sv("line", { class: "mark" + cls, x1: String(px), x2: String(fx), y1: String(AXIS - 5), y2: String(AXIS - 5) }));
      g.appendChild(sv("rect", { class: "mark-flag" + cls, x: String(fx), y: String(AXIS - 18), width: String(w), height: "13", rx: "2" }));
      g.appendChild(sv("text", { class: "mark-label", x: String(fx + 4), y: String(AXIS - 8) }, text));
      g.appendChild(sv("rect", { class: "mark-hit", x: String(fx), y: String(AXIS - 18), width: String(w), height: "13", "data-k": "F" + j }));
      for (const n of m.nodes) {
        const lane = D.nodes.indexOf(n);
        if (lane >= 0) g.appendChild(sv("circle", { class: "mark-node", cx: String(px), cy: String(laneMid(lane)), r: "4.5" }));
      }
      drawn.marks++;
    }
  }

  function drawSegments(g) {
    const S = D.segs;
    const clip = sv("g", { "clip-path": "url(#plotclip)" });
    for (let i = 0; i < S.lane.length; i++) {
      if (S.t1[i] < view.t0 || S.t0[i] > view.t1) continue;
      const x0 = clipX(x(S.t0[i])), x1 = clipX(x(S.t1[i]));
      const y = laneY(S.lane[i]) + SEG_PAD, h = NODE_LANE - 2 * SEG_PAD;
      const st = S.state[i];
      const attrs = { x: String(x0), y: String(y), width: String(Math.max(1, x1 - x0)), height: String(h), fill: stateFill(st, S.term[i]), "data-k": "s" + i };
      if (st === 4) { attrs.stroke = "#c0392b"; attrs["stroke-dasharray"] = "3 2"; }
      clip.appendChild(sv("rect", attrs));
      const w = x1 - x0;
      if (w > 22 && NODE_LANE >= 16) {
        let label = st === 4 ? "crashed" : st === 5 ? "down" : "t" + S.term[i];
        if (st === 3 && w > 70) label = "leader t" + S.term[i];
        if (st === 4 && w < 50) label = "✕";
        const tx = sv("text", { x: String(Math.max(x0, LEFT) + 3), y: String(y + h - 5) }, label);
        if (st === 3 || st === 5) tx.setAttribute("class", "on-dark");
        clip.appendChild(tx);
      }
      drawn.segs++;
    }
    const P = D.pauses;
    for (let i = 0; i < P.lane.length; i++) {
      if (P.t1[i] < view.t0 || P.t0[i] > view.t1) continue;
      const x0 = clipX(x(P.t0[i])), x1 = clipX(x(P.t1[i]));
      clip.appendChild(sv("rect", { x: String(x0), y: String(laneY(P.lane[i]) + SEG_PAD - 2), width: String(Math.max(1, x1 - x0)), height: String(NODE_LANE - 2 * SEG_PAD + 4), fill: "url(#hatch)", stroke: "#333", "stroke-width": "0.6", "data-k": "p" + i }));
      drawn.pauses++;
    }
    g.appendChild(clip);
  }

  // drawOps draws the client operations. Zoomed out, thousands of ops
  // share a pixel: a lane's consecutive ops of one outcome that touch
  // (within a pixel) become one bar, which keeps a long run's page fast;
  // the bar's tooltip is its first op's, and zooming in separates them.
  function drawOps(g) {
    const O = D.ops;
    const clip = sv("g", { "clip-path": "url(#plotclip)" });
    const h = Math.max(3, clientLane - 3);
    const runs = new Array(D.lanes.length).fill(null); // per lane, the bar being extended
    let merged = 0;
    const flush = (r) => {
      const attrs = { x: String(r.x0), y: String(yClients + r.lane * clientLane + 1), width: String(Math.max(1.5, r.x1 - r.x0)), height: String(h), fill: D.outcomeColors[r.out], "data-k": "o" + r.i };
      if (r.out === 3) { attrs["fill-opacity"] = "0.35"; attrs.stroke = "#666"; attrs["stroke-dasharray"] = "2 2"; }
      clip.appendChild(sv("rect", attrs));
    };
    for (let i = 0; i < O.lane.length; i++) {
      if (O.t1[i] < view.t0 || O.t0[i] > view.t1) continue;
      const x0 = clipX(x(O.t0[i])), x1 = clipX(x(O.t1[i]));
      const lane = O.lane[i], r = runs[lane];
      drawn.ops++;
      if (r && r.out === O.out[i] && x0 <= r.x1 + 1 && x0 >= r.x0) {
        r.x1 = Math.max(r.x1, x1);
        merged++;
        continue;
      }
      if (r) flush(r);
      runs[lane] = { i: i, lane: lane, out: O.out[i], x0: x0, x1: x1 };
    }
    for (const r of runs) if (r) flush(r);
    drawn.bars = drawn.ops - merged;
    g.appendChild(clip);
  }

  function drawHeal(g) {
    if (D.heal < 0 || D.heal < view.t0 || D.heal > view.t1) return;
    const px = x(D.heal);
    g.appendChild(sv("line", { class: "heal", x1: String(px), x2: String(px), y1: String(AXIS - 2), y2: String(height) }));
    const right = px + 64 > width - RIGHT; // near the right edge: label on the left
    g.appendChild(sv("text", { x: String(right ? px - 3 : px + 3), y: String(yClients - 4), "text-anchor": right ? "end" : "start" }, "final heal"));
  }

  function msgVisible() { return msgOn.checked && D.msgs.sent.length > 0; }

  // messagesSentIn estimates from the histogram of every message how many
  // the run sent between t0 and t1 (µs), embedded or not.
  function messagesSentIn(t0, t1) {
    const M = D.msgs;
    if (!M.counts.length) return 0;
    let n = 0;
    const b0 = Math.max(0, Math.floor(t0 / M.bucket)), b1 = Math.min(M.counts.length - 1, Math.floor(t1 / M.bucket));
    for (let b = b0; b <= b1; b++) {
      const lo = b * M.bucket, hi = lo + M.bucket;
      const part = (Math.min(hi, t1) - Math.max(lo, t0)) / M.bucket;
      n += M.counts[b] * Math.max(0, Math.min(1, part));
    }
    return Math.round(n);
  }

  // drawMessages draws the arrows of the messages sent in the current view
  // (they follow every zoom and pan) when there are few enough to read.
  function drawMessages(g) {
    const M = D.msgs;
    if (!msgVisible()) { msgNote.textContent = M.sent.length ? "hidden" : "no messages recorded"; return; }
    // messages sent a little before the view may still arrive in it
    const from = view.t0 - (view.t1 - view.t0) * 0.05;
    const lo = lowerBound(M.sent, from), hi = lowerBound(M.sent, view.t1);
    const inView = hi - lo;
    let sampled = "";
    if (M.total > M.sent.length) {
      const whole = M.kept.some(([a, b]) => a <= view.t0 && view.t1 <= b);
      sampled = whole ? " · every message of this span is kept (it is near a finding)"
        : " · sampled: the page holds " + num(M.sent.length) + " of the run's " + num(M.total) + " messages, so this view shows " + num(inView) + " of about " + num(messagesSentIn(from, view.t1)) + " sent";
    }
    if (inView > MAX_ARROWS || plotWidth() / Math.max(1, inView) < 0.5) {
      // Arrows squeezed into a few pixels are noise: say where they are.
      msgNote.textContent = num(inView) + " messages in view; zoom in to see them as arrows (at most " + num(MAX_ARROWS) + " at once)" + sampled;
      return;
    }
    const clip = sv("g", { "clip-path": "url(#plotclip)" });
    let shown = 0;
    const rejected = D.msgAnswers.indexOf("rejected");
    for (let i = lo; i < hi && shown < MAX_ARROWS; i++) {
      const sent = M.sent[i];
      const dropped = M.drop[i] >= 0;
      const end = M.deliv[i] >= 0 ? M.deliv[i] : sent + (view.t1 - view.t0) / plotWidth() * 14;
      if (end < view.t0 || sent > view.t1) continue;
      const y0 = laneMid(M.from[i]);
      let y1 = laneMid(M.to[i]);
      if (dropped && M.deliv[i] < 0) y1 = y0 + (y1 - y0) * 0.35; // drop time unknown: a stub toward the target
      const color = dropped ? DROP_COLOR : kindColor(M.kind[i]);
      const marker = dropped ? D.msgKinds.length : M.kind[i];
      const refused = rejected >= 0 && M.ans[i] === rejected;
      const line = sv("line", { x1: String(x(sent)), y1: String(y0), x2: String(x(end)), y2: String(y1), stroke: color, "stroke-width": "1.1", "data-k": "m" + i });
      if (dropped) line.setAttribute("stroke-dasharray", "3 2");
      else if (!refused) line.setAttribute("marker-end", "url(#arrow" + marker + ")");
      clip.appendChild(line);
      // a wider invisible twin on top makes the thin arrow easy to hover
      clip.appendChild(sv("line", { class: "hit", x1: line.getAttribute("x1"), y1: line.getAttribute("y1"), x2: line.getAttribute("x2"), y2: line.getAttribute("y2"), "data-k": "m" + i }));
      if (dropped) {
        const cx = x(end), cy = y1, r = 3.5;
        clip.appendChild(sv("path", { d: "M" + (cx - r) + "," + (cy - r) + "L" + (cx + r) + "," + (cy + r) + "M" + (cx - r) + "," + (cy + r) + "L" + (cx + r) + "," + (cy - r), stroke: DROP_COLOR, "stroke-width": "1.6", "data-k": "m" + i }));
      } else if (refused) {
        // a rejected reply ends in an open circle instead of an arrowhead
        clip.appendChild(sv("circle", { cx: String(x(end)), cy: String(y1), r: "3.2", fill: "#fff", stroke: color, "stroke-width": "1.6", "data-k": "m" + i }));
        drawn.rejected++;
      }
      shown++;
    }
    g.appendChild(clip);
    drawn.arrows = shown;
    let note = num(inView) + " messages in view";
    if (inView > shown) note += ", " + num(shown) + " drawn (zoom in to see the rest)";
    msgNote.textContent = note + sampled;
  }

  function drawLabels(g) {
    g.appendChild(sv("rect", { x: "0", y: String(AXIS - 4), width: String(LEFT - 4), height: String(height), fill: "#fff" }));
    if (faultRows) g.appendChild(sv("text", { class: "section", x: "6", y: String(yFaults + 11) }, "faults"));
    g.appendChild(sv("text", { class: "section", x: "6", y: String(yLeader + LEADER_ROW - 6) }, "leader"));
    const labelEvery = Math.ceil(12 / NODE_LANE);
    D.nodes.forEach((n, i) => {
      if (i % labelEvery === 0) g.appendChild(sv("text", { class: "lane-label", x: "8", y: String(laneMid(i) + 4), style: NODE_LANE < 20 ? "font-size:" + Math.min(12, NODE_LANE) + "px" : "" }, nodeLabel(n)));
    });
    if (CEX) g.appendChild(sv("text", { class: "section", x: "6", y: String(yCex + 11), fill: "#b01c1c" }, "counterex."));
    g.appendChild(sv("text", { class: "section", x: "6", y: String(yClients - 4) }, "clients"));
    const every = Math.ceil(11 / clientLane);
    D.lanes.forEach((name, i) => {
      if (i % every === 0) g.appendChild(sv("text", { x: "14", y: String(yClients + i * clientLane + clientLane - 2), style: "font-size:" + Math.min(11, clientLane + 1) + "px" }, name));
    });
  }

  // ---------- hover details ----------

  function hover(e) {
    const k = e.target.getAttribute && e.target.getAttribute("data-k");
    if (!k) { tooltip.hidden = true; return; }
    const i = parseInt(k.slice(1), 10);
    let title, rows;
    switch (k[0]) {
      case "o": [title, rows] = opDetails(i); break;
      case "s": [title, rows] = segDetails(i); break;
      case "p": [title, rows] = pauseDetails(i); break;
      case "f": [title, rows] = faultDetails(i); break;
      case "m": [title, rows] = msgDetails(i); break;
      case "L": [title, rows] = overlapDetails(i); break;
      case "F": [title, rows] = markDetails(i); break;
      default: tooltip.hidden = true; return;
    }
    tooltip.replaceChildren(el("div", { class: "tt-title" }, title));
    for (const [key, value] of rows) {
      if (value === undefined || value === null || value === "") continue;
      const row = el("div", { class: "tt-row" });
      row.appendChild(el("span", { class: "tt-key" }, key + ": "));
      row.appendChild(document.createTextNode(String(value)));
      tooltip.appendChild(row);
    }
    tooltip.hidden = false;
    const pad = 14;
    let left = e.clientX + pad, top = e.clientY + pad;
    const r = tooltip.getBoundingClientRect();
    if (left + r.width > window.innerWidth) left = Math.max(0, e.clientX - r.width - pad);
    if (top + r.height > window.innerHeight) top = Math.max(0, e.clientY - r.height - pad);
    tooltip.style.left = left + "px";
    tooltip.style.top = top + "px";
  }

  // roleAt finds node lane's role and term at time t, for op tooltips.
  function roleAt(lane, t) {
    const S = D.segs;
    for (let i = 0; i < S.lane.length; i++) {
      if (S.lane[i] === lane && S.t0[i] <= t && t < S.t1[i]) return STATE[S.state[i]] + (S.state[i] < 4 ? " of term " + S.term[i] : "");
    }
    return "";
  }

  function opDetails(i) {
    const O = D.ops;
    const out = OUTCOME[O.out[i]];
    const f = D.fs[O.f[i]];
    const node = O.node[i];
    const lane = D.nodes.indexOf(node);
    const rows = [
      ["key", D.keys[O.key[i]]],
      ["invoke value", O.inv[i]],
      ["result", O.out[i] === 3 ? "" : O.ret[i]],
      ["error", D.errs[O.err[i]]],
      ["process", O.proc[i] + " (" + D.lanes[O.lane[i]] + ")"],
      ["node", node && lane >= 0 ? nodeName(node) + ", " + roleAt(lane, O.t1[i]) + " at completion" : node ? nodeName(node) : ""],
      ["invoked", fmtT(O.t0[i])],
      [O.out[i] === 3 ? "pending until" : "completed", fmtT(O.t1[i])],
      ["latency", O.out[i] === 3 ? "" : fmtDur(O.t1[i] - O.t0[i])],
      ["history index", "#" + O.index[i]],
    ];
    if (cexPos.has(i)) rows.unshift(["counterexample", i === CEX.culprit ? "yes: no order of the others leaves room for it" : "yes"]);
    if (decisive.has(i)) rows.unshift(["decisive", ROLE_TEXT[decisive.get(i)] || decisive.get(i)]);
    return [f + " " + out, rows];
  }

  function segDetails(i) {
    const S = D.segs;
    const st = STATE[S.state[i]];
    return [nodeLabel(D.nodes[S.lane[i]]) + ": " + st + (S.state[i] < 4 ? ", term " + S.term[i] : ""), [
      ["from", fmtT(S.t0[i])], ["to", fmtT(S.t1[i])], ["for", fmtDur(S.t1[i] - S.t0[i])],
      ["last term", S.state[i] >= 4 ? String(S.term[i]) : ""],
    ]];
  }

  function pauseDetails(i) {
    const P = D.pauses;
    return [nodeLabel(D.nodes[P.lane[i]]) + " paused", [["from", fmtT(P.t0[i])], ["to", fmtT(P.t1[i])], ["for", fmtDur(P.t1[i] - P.t0[i])]]];
  }

  function faultDetails(i) {
    const f = D.faults[i];
    return [f.name, [
      ["window", fmtT(f.t0) + " – " + fmtT(f.t1) + " (" + fmtDur(f.t1 - f.t0) + ")"],
      ["targets", nodeList(f.targets)],
      ["detail", f.detail],
      ["blocked links", f.links.map(([a, b]) => nodeId(a) + "→" + nodeId(b)).join(", ")],
      ["sides", f.groups.length ? groupText(f.groups) + " (each side talks only among itself)" : ""],
    ]];
  }

  function overlapDetails(j) {
    const o = LEAD.overlaps[j], S = D.segs;
    const who = o.segs.slice().sort((a, b) => S.term[b] - S.term[a]).map((i) => nodeLabel(D.nodes[S.lane[i]]) + " (term " + S.term[i] + ")");
    return [o.split ? "split brain: two leaders of one term" : o.segs.length + " nodes believed they led, in different terms", [
      ["window", fmtT(o.t0) + " – " + fmtT(o.t1) + " (" + fmtDur(o.t1 - o.t0) + ")"],
      ["leaders", who.join(", ")],
      ["meaning", o.split
        ? "two nodes won an election in the same term: Election Safety (§5.2) is broken, and both may acknowledge writes the other never sees"
        : "the normal overlap after an election: the leader of the lower term is deposed but has not heard of the higher term yet; reads it serves from its own state may be stale, its writes cannot commit"],
    ]];
  }

  function markDetails(j) {
    const m = MARKS[j];
    if (!m.inv) return [ANOM.title, [["at", fmtT(m.t)], ["what", m.what]]];
    const v = m.v;
    return ["invariant broken: " + v.invariant, [
      ["at", fmtT(v.t) + (v.count > 1 ? " (the first of " + num(v.count) + " breaches)" : "")],
      ["evidence", v.evidence],
      ["nodes", nodeList(v.nodes)],
      ["terms", v.terms.join(", ")],
      ["rule", v.rule],
    ]];
  }

  function msgDetails(i) {
    const M = D.msgs;
    const dropped = M.drop[i] >= 0;
    const ans = M.ans[i] >= 0 ? D.msgAnswers[M.ans[i]] : "";
    return [(D.msgKinds[M.kind[i]] || "message") + (ans ? " (" + ans + ")" : "") + " " + nodeName(D.nodes[M.from[i]]) + " → " + nodeName(D.nodes[M.to[i]]), [
      ["answer", ans],
      ["sent", fmtT(M.sent[i])],
      [dropped ? "dropped" : "delivered", M.deliv[i] >= 0 ? fmtT(M.deliv[i]) + " (+" + fmtDur(M.deliv[i] - M.sent[i]) + ")" : "time unknown"],
      ["reason", dropped ? D.msgDrops[M.drop[i]] : ""],
    ]];
  }

  // ---------- start ----------

  fillHeader();
  fillFinal();
  fillLegend();
  initControls();
  setView(0, duration);
  render();

  // A small handle for tests and for poking at the page from the console.
  window.raftcheckTimeline = {
    ready: true,
    setView: (a, b) => { setView(a, b); render(); },
    // the arrows follow the view: a message window is a view
    setMessageWindow: (a, w) => { setView(a, a + w); render(); },
    marks: () => MARKS.map((m) => ({ t: m.t, label: m.label, inv: m.inv })),
    leaderOverlaps: () => LEAD.overlaps.map((o) => ({ t0: o.t0, t1: o.t1, split: o.split })),
    showMoment: (t) => { showMoment(t); render(); },
    drawn: () => Object.assign({}, drawn),
    renderMs: () => renderMs, // the last render's script time (layout and paint come after)
    zoomToCounterexample: () => { if (CEX) { zoomToCex(); render(); } },
  };
})();
