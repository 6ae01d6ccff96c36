package checker

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staleReadPage writes linearizability.html for the stale read of
// staleRead: put k=a on node 3, append k b on node 1, then node 3 (deposed)
// serves a get of k that misses the append.
func staleReadPage(t *testing.T, opts HTMLOptions) (*LinResult, string) {
	t.Helper()
	h := fromCalls(
		call{p: 0, f: "put", key: "j", in: "z", start: 0, end: 5, node: 1},
		call{p: 0, f: "put", key: "k", in: "a", start: 10, end: 20, node: 3},
		call{p: 1, f: "append", key: "k", in: "b", start: 30, end: 40, node: 1},
		call{p: 2, f: "get", key: "k", out: "a", start: 50, end: 60, node: 3},
		call{p: 1, f: "get", key: "j", out: "z", start: 70, end: 80, node: 1},
	)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelKV})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	var buf bytes.Buffer
	require.NoError(t, r.WriteHTMLPage(&buf, opts))
	return r, buf.String()
}

// TestHTMLPage: linearizability.html leads with the verdict and the
// anomaly (kind, sentence, rule), draws the counterexample on a time axis
// under the faults and node rows that overlap it, outlines the decisive
// operations, lists every counterexample op with a link into porcupine's
// page, and keeps porcupine's diagram of the counterexample alone.
func TestHTMLPage(t *testing.T) {
	notes := []Annotation{
		{Start: 25, End: 90, Tag: "nemesis", Label: "partition-isolate-leader", Details: "isolates node 1", Color: "#bc80bd"},
		{Start: 500, End: 600, Tag: "nemesis", Label: "later fault"},
		{Start: 0, End: 45, Tag: "node 3", Label: "leader t1"},
	}
	r, page := staleReadPage(t, HTMLOptions{Title: "run <7>", Roles: staleRead(), Notes: notes, FullPage: "porcupine.html"})
	a := r.Anomaly(AnomalyContext{Roles: staleRead()})
	require.NotNil(t, a)
	require.Equal(t, AnomalyStaleRead, a.Kind)

	head := page[strings.Index(page, `<header id="rc-head"`):strings.Index(page, "</header>")]
	assert.Contains(t, head, `class="rc-illegal"`)
	assert.Contains(t, head, `<span class="rc-badge">not linearizable</span>`)
	assert.Contains(t, head, `<h1>run &lt;7&gt;</h1>`, "the title is escaped text")
	assert.Contains(t, head, "<h2>Stale read</h2>")
	assert.Contains(t, head, `<p class="rc-sentence">`+htmlText(a.Summary)+`</p>`, "the anomaly's sentence, as results.json has it")
	assert.Contains(t, head, htmlText(AnomalyRule(AnomalyStaleRead)), "the rule it breaks")
	assert.Less(t, strings.Index(page, "rc-anomaly"), strings.Index(page, "rc-view-svg"), "the anomaly comes before the diagram")

	labels := page[strings.Index(page, `<svg class="rc-view-labels"`):]
	labels = labels[:strings.Index(labels, "</svg>")]
	svg := page[strings.Index(page, `<svg class="rc-view-svg"`):]
	svg = svg[:strings.Index(svg, "</svg>")]
	// Every counterexample op is drawn and outlined; the decisive ones are
	// labelled by their part; the other key's ops are not drawn.
	drawn := regexp.MustCompile(`<g class="rc-op([^"]*)" data-op="(\d+)">`).FindAllStringSubmatch(svg, -1)
	var inCex, decisive []int
	for _, g := range drawn {
		op, _ := strconv.Atoi(g[2])
		if strings.Contains(g[1], "rc-in-cex") {
			inCex = append(inCex, op)
		}
		if strings.Contains(g[1], "rc-decisive") {
			decisive = append(decisive, op)
		}
	}
	assert.Equal(t, r.Counterexample, inCex, "the counterexample, in call order")
	var want []int
	for _, o := range a.Ops {
		want = append(want, o.Index)
	}
	slices.Sort(want)
	assert.Equal(t, want, decisive, "the anomaly's decisive ops")
	assert.Contains(t, svg, `<text class="rc-role"`, "decisive ops are labelled")
	assert.Contains(t, svg, "missed write #4")
	// The fault overlapping the ops, in its colour; not the later one.
	assert.Contains(t, svg, "partition-isolate-leader")
	assert.Contains(t, svg, "fill:#bc80bd")
	assert.NotContains(t, svg, "later fault")
	assert.Contains(t, labels, ">node 3</text>", "the node row, labelled beside the diagram")
	assert.Contains(t, labels, ">process 2</text>")
	assert.Less(t, strings.Index(labels, ">process 1</text>"), strings.Index(labels, ">process 0</text>"), "the decisive ops' processes (2, 1) on the top rows")
	assert.Less(t, strings.Index(labels, ">process 2</text>"), strings.Index(labels, ">process 0</text>"))
	assert.Contains(t, svg, "acknowledged 10 ns before the read began", "the gap between the missed write and the read")
	// A time axis, increasing left to right.
	axis := regexp.MustCompile(`<text class="rc-axis" x="([\d.]+)" y="\d+">([^<]+)</text>`).FindAllStringSubmatch(svg, -1)
	require.GreaterOrEqual(t, len(axis), 2, "the axis labels its instants")
	for i := 1; i < len(axis); i++ {
		x0, _ := strconv.ParseFloat(axis[i-1][1], 64)
		x1, _ := strconv.ParseFloat(axis[i][1], 64)
		assert.Less(t, x0, x1)
		assert.NotEqual(t, axis[i-1][2], axis[i][2], "each label differs from the one before")
	}

	// The list: one line per op, each linking into porcupine's page.
	links := regexp.MustCompile(`href="porcupine\.html#op=(\d+)"`).FindAllStringSubmatch(page, -1)
	require.Len(t, links, len(r.Counterexample))
	for i, l := range links {
		assert.Equal(t, strconv.Itoa(r.Counterexample[i]), l[1])
	}
	assert.Contains(t, page, `<p class="rc-full"><a href="porcupine.html">`)
	assert.Contains(t, page, `<iframe class="rc-mini"`, "porcupine's diagram of the counterexample alone")
}

// htmlText is s as html/template writes it in text.
func htmlText(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", `'`, "&#39;").Replace(s)
}

// TestHTMLPageEscapes: keys, values, titles and notes holding markup are
// text on linearizability.html, and the page loads nothing but the link to
// porcupine's page it was given.
func TestHTMLPageEscapes(t *testing.T) {
	r, err := CheckLinearizable(xssHistory(), LinOptions{Model: ModelKV})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result)
	var buf bytes.Buffer
	notes := []Annotation{{Start: 5, End: 25, Tag: xss, Label: xss, Details: xss, Color: "#ffcc00"}}
	require.NoError(t, r.WriteHTMLPage(&buf, HTMLOptions{Title: xss, Notes: notes, FullPage: "full.html"}))
	page := buf.String()
	lower := strings.ToLower(page)
	assert.Equal(t, 1, strings.Count(lower, "<script"), "only the page's own script")
	assert.Equal(t, 1, strings.Count(lower, "</script"))
	assert.NotContains(t, page, "<img")
	assert.NotContains(t, page, "<b>")
	assert.Contains(t, page, "&lt;img src=x onerror=alert(2)&gt;", "the markup shows as text")

	assert.False(t, regexp.MustCompile(`<iframe[^>]*\ssrc="`).MatchString(lower), "the one iframe is inline (srcdoc)")
	hrefs := regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(page, -1)
	for _, h := range hrefs {
		assert.True(t, h[1] == "data:," || strings.HasPrefix(h[1], "full.html"), "links only to porcupine's page: %q", h[1])
	}
	for _, bad := range []string{"@import", "url(", "fetch(", "xmlhttprequest", "websocket", "//cdn", "https:"} {
		assert.False(t, strings.Contains(lower, bad), "page contains %q", bad)
	}
}

// TestHTMLPageBounded: the page holds the counterexample, not the history:
// a history a hundred times longer with the same counterexample gives a
// page of about the same size.
func TestHTMLPageBounded(t *testing.T) {
	size := func(filler int) int {
		calls := []call{
			{p: 0, f: "put", key: "k", in: "a", start: 10, end: 20, node: 3},
			{p: 1, f: "append", key: "k", in: "b", start: 30, end: 40, node: 1},
			{p: 2, f: "get", key: "k", out: "a", start: 50, end: 60, node: 3},
		}
		for i := range filler {
			calls = append(calls, call{p: 3, f: "put", key: "f" + strconv.Itoa(i), in: "v", start: int64(100 + 10*i), end: int64(105 + 10*i), node: 1})
		}
		r, err := CheckLinearizable(fromCalls(calls...), LinOptions{Model: ModelKV})
		require.NoError(t, err)
		require.Equal(t, LinIllegal, r.Result)
		var buf bytes.Buffer
		require.NoError(t, r.WriteHTMLPage(&buf, HTMLOptions{FullPage: PorcupineFile}))
		return buf.Len()
	}
	small, big := size(10), size(1000)
	assert.Less(t, big, small+small/10, "1,000 more operations elsewhere: %d bytes against %d", big, small)
}

// TestWarp: the warped axis keeps the order of instants, gives a longer gap
// at least the width of a shorter one, and fit makes room for a label
// without reordering anything.
func TestWarp(t *testing.T) {
	w := newWarp([]int64{50, 0, 10, 10, 1_000_000_000, 60}, 100)
	require.Equal(t, []int64{0, 10, 50, 60, 1_000_000_000}, w.ts, "sorted, distinct")
	assert.Equal(t, 100.0, w.x(0))
	for i := 1; i < len(w.xs); i++ {
		assert.Less(t, w.xs[i-1], w.xs[i])
	}
	assert.GreaterOrEqual(t, w.x(1_000_000_000)-w.x(60), w.x(50)-w.x(10), "a second is no narrower than 40 ns")
	assert.InDelta(t, (w.x(10)+w.x(50))/2, w.x(30), 1e-9, "linear between two instants")
	before := w.x(60) - w.x(50)
	w.fit(10, 50, 300)
	assert.InDelta(t, 300, w.x(50)-w.x(10), 1e-9, "widened to fit")
	assert.InDelta(t, before, w.x(60)-w.x(50), 1e-9, "later gaps keep their width")
	for i := 1; i < len(w.xs); i++ {
		assert.Less(t, w.xs[i-1], w.xs[i])
	}
}
