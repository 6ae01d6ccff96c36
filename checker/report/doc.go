// Package report renders the files people look at after a run: an
// interactive, self-contained timeline.html (node roles and terms, fault
// bands, client operations, message arrows), Jepsen-style latency and rate
// plots (SVG, drawn by hand in svgchart.go: no plotting library) and a plain-text summary.txt.
//
// The package knows nothing about the simulator or Raft: the caller fills a
// [Run] with plain values and calls [WriteAll] (or one writer per file).
// Everything that comes from a history or a fault description is treated as
// untrusted text: it is embedded as escaped JSON and put on the page with
// textContent only, so a key such as "<script>" renders as text.
package report
