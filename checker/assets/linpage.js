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
  // A small handle for tests and for poking at the page from the console.
  window.raftcheckLin = {
    ready: true,
    view: true,
    boxes: boxes.length,
    marked: document.querySelectorAll(".rc-view-svg g.rc-op.rc-in-cex").length,
    decisive: document.querySelectorAll(".rc-view-svg g.rc-op.rc-decisive").length,
  };
})();
