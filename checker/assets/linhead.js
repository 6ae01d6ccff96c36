// raftcheck's header over porcupine's diagram: outlines the
// counterexample's operations in the diagram and selects one when its
// "show" button is pressed. Reads only numbers from data attributes.
(function () {
  "use strict";
  const SVGNS = "http://www.w3.org/2000/svg";
  const svg = document.querySelector("#canvas svg");
  function target(p, i) {
    return document.querySelector('#canvas rect.target-rect[data-partition="' + Number(p) + '"][data-index="' + Number(i) + '"]');
  }
  let marked = 0;
  const buttons = document.querySelectorAll("#rc-head button.rc-show");
  for (const b of buttons) {
    const t = target(b.dataset.p, b.dataset.i);
    if (!t || !svg) { b.disabled = true; continue; }
    const m = document.createElementNS(SVGNS, "rect");
    for (const a of ["x", "y", "width", "height"]) m.setAttribute(a, t.getAttribute(a));
    m.setAttribute("rx", "4");
    m.setAttribute("class", "rc-mark" + (b.parentElement.classList.contains("rc-culprit") ? " rc-culprit" : ""));
    svg.appendChild(m);
    marked++;
    b.addEventListener("click", () => {
      t.scrollIntoView({ block: "center", inline: "center" });
      const r = t.getBoundingClientRect();
      t.dispatchEvent(new MouseEvent("click", { bubbles: true, clientX: r.left + 4, clientY: r.bottom }));
    });
  }
  // linearizability.html links here with #op=<history position>: select it.
  const m = /^#op=(\d+)$/.exec(window.location.hash);
  if (m) {
    const b = document.querySelector('#rc-head button.rc-show[data-op="' + Number(m[1]) + '"]');
    if (b && !b.disabled) b.click();
  }
  // A small handle for tests and for poking at the page from the console.
  window.raftcheckLin = { ready: true, marked: marked, full: true };
})();
