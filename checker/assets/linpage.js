// linearizability.html: "show" points at an operation in the diagram.
// Reads only numbers from data attributes.
(function () {
  "use strict";
  const boxes = document.querySelectorAll(".rc-view-svg g.rc-op");
  function box(op) { return document.querySelector('.rc-view-svg g.rc-op[data-op="' + Number(op) + '"]'); }
  for (const b of document.querySelectorAll("button.rc-show")) {
    const g = box(b.dataset.op);
    if (!g) { b.disabled = true; continue; }
    b.addEventListener("click", () => {
      for (const f of document.querySelectorAll(".rc-view-svg g.rc-flash")) f.classList.remove("rc-flash");
      g.classList.add("rc-flash");
      g.scrollIntoView({ block: "center", inline: "center" });
    });
  }
  // Open on the anomaly: scroll the diagram so its decisive operations are
  // in view (the supporting ones may reach far to the left).
  const wrap = document.querySelector(".rc-view-wrap");
  const dec = document.querySelectorAll(".rc-view-svg g.rc-op.rc-decisive rect");
  if (wrap && dec.length) {
    const base = wrap.getBoundingClientRect().left - wrap.scrollLeft;
    let lo = Infinity, hi = -Infinity;
    for (const r of dec) { const b = r.getBoundingClientRect(); lo = Math.min(lo, b.left - base); hi = Math.max(hi, b.right - base); }
    // the decisive span's right end in view, and its left end when it fits
    wrap.scrollLeft = Math.max(0, Math.min(lo - 140, hi + 200 - wrap.clientWidth));
  }
  // The labels of fault and node bars that begin left of the scrolled view
  // move right with it, so a bar in view says what it is.
  const svg = document.querySelector(".rc-view-svg");
  if (wrap && svg) {
    const x0 = svg.viewBox.baseVal.x;
    const bars = [];
    for (const g of svg.querySelectorAll("g.rc-fault, g.rc-node")) {
      const r = g.querySelector("rect"), t = g.querySelector("text");
      if (r && t) bars.push({ a: r.x.baseVal.value, b: r.x.baseVal.value + r.width.baseVal.value, t: t, w: t.getComputedTextLength() });
    }
    const stick = () => {
      const left = wrap.scrollLeft + x0;
      for (const b of bars) b.t.setAttribute("x", String(Math.max(b.a + 3, Math.min(left + 3, b.b - 3 - b.w))));
    };
    wrap.addEventListener("scroll", stick, { passive: true });
    stick();
  }
  // A small handle for tests and for poking at the page from the console.
  window.raftcheckLin = {
    ready: true,
    view: true,
    boxes: boxes.length,
    marked: document.querySelectorAll(".rc-view-svg g.rc-op.rc-in-cex").length,
    decisive: document.querySelectorAll(".rc-view-svg g.rc-op.rc-decisive").length,
    decisiveInView: () => [...document.querySelectorAll(".rc-view-svg g.rc-op.rc-decisive rect")].every((r) => {
      const b = r.getBoundingClientRect(), w = wrap.getBoundingClientRect();
      return b.left >= w.left - 1 && b.left <= w.right;
    }),
  };
})();
