package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// svgTexts parses an SVG document completely (failing the test if it is
// not well-formed XML with an <svg> root) and returns its text content,
// one string per <text> element.
func svgTexts(t *testing.T, doc []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	var root string
	inText := false
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the SVG must be well-formed XML")
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Local
			}
			if el.Name.Local == "text" {
				inText = true
				cur.Reset()
			}
		case xml.CharData:
			if inText {
				cur.Write(el)
			}
		case xml.EndElement:
			if el.Name.Local == "text" {
				inText = false
				texts = append(texts, cur.String())
			}
		}
	}
	require.Equal(t, "svg", root, "root element")
	return texts
}

// expectedSeries counts the run's completed ops by f and outcome, as the
// plots' legends should name them.
func expectedSeries(t *testing.T, r *Run) []string {
	t.Helper()
	spans, err := pairOps(r.History, r.End)
	require.NoError(t, err)
	counts := map[string]int{}
	for _, s := range spans {
		if s.outcome != outcomePending {
			counts[s.f+" "+outcomeNames[s.outcome]]++
		}
	}
	var names []string
	for k, n := range counts {
		names = append(names, k+" ("+strconv.Itoa(n)+")")
	}
	return names
}

func TestPlots(t *testing.T) {
	r := testRun()
	for _, tc := range []struct {
		name  string
		write func(io.Writer, *Run) error
		title string
	}{
		{"latency", WriteLatencyPlot, "Latency"},
		{"rate", WriteRatePlot, "Throughput"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, tc.write(&b, r))
			texts := svgTexts(t, b.Bytes())
			assert.Contains(t, texts, tc.title)
			assert.Contains(t, texts, "time (s)")
			series := expectedSeries(t, r)
			require.GreaterOrEqual(t, len(series), 7, "the test run has ok, fail and info ops of three functions")
			for _, s := range series {
				assert.Contains(t, texts, s, "a legend entry per function and outcome")
			}
			for _, f := range r.Faults {
				assert.Contains(t, texts, f.Fault, "a legend entry per fault")
			}
			assert.Contains(t, texts, "final heal")
			// one shaded band per fault window, in its palette colour
			assert.GreaterOrEqual(t, strings.Count(b.String(), "fill-opacity:0.3137"), len(r.Faults))
		})
	}
}

func TestLatencyPlotPoints(t *testing.T) {
	r := testRun()
	r.Faults, r.HealTime = nil, 0
	r.History = histories.History{
		{Process: 0, Type: histories.Invoke, F: "put", Time: 1 * s},
		{Process: 0, Type: histories.OK, F: "put", Time: 1*s + 2*ms},
		{Process: 1, Type: histories.Invoke, F: "get", Time: 2 * s},
		{Process: 1, Type: histories.OK, F: "get", Time: 2 * s}, // zero latency: still on the log axis
		{Process: 2, Type: histories.Invoke, F: "put", Time: 3 * s},
		{Process: 2, Type: histories.Info, F: "put", Time: 4 * s},
		{Process: 3, Type: histories.Invoke, F: "get", Time: 5 * s}, // pending: no point
	}
	var b bytes.Buffer
	require.NoError(t, WriteLatencyPlot(&b, r))
	texts := svgTexts(t, b.Bytes())
	assert.Contains(t, texts, "put ok (1)")
	assert.Contains(t, texts, "get ok (1)")
	assert.Contains(t, texts, "put info (1)")
	for _, s := range texts {
		assert.NotContains(t, s, "pending")
	}
	assert.NotContains(t, texts, "final heal", "no heal line when there was none")
}

func TestPlotsOfEmptyRun(t *testing.T) {
	r := &Run{Nodes: []int{1, 2, 3}, End: 10 * s}
	for _, write := range []func(io.Writer, *Run) error{WriteLatencyPlot, WriteRatePlot} {
		var b bytes.Buffer
		require.NoError(t, write(&b, r), "no ops is a valid (empty) plot, not a panic")
		svgTexts(t, b.Bytes())
	}
	r.End = 0 // zero-length run
	require.NoError(t, WriteRatePlot(io.Discard, r))
	require.NoError(t, WriteLatencyPlot(io.Discard, r))
}

func TestPlotsEscapeNames(t *testing.T) {
	const evil = `<script>alert("f")</script>`
	r := testRun()
	r.Faults[0].Fault = evil
	for i := range r.History {
		if r.History[i].F == "get" {
			r.History[i].F = evil
		}
	}
	for _, write := range []func(io.Writer, *Run) error{WriteLatencyPlot, WriteRatePlot} {
		var b bytes.Buffer
		require.NoError(t, write(&b, r))
		assert.False(t, strings.Contains(b.String(), "<script"), "names are escaped in the SVG")
		texts := svgTexts(t, b.Bytes())
		found := false
		for _, s := range texts {
			found = found || strings.HasPrefix(s, evil)
		}
		assert.True(t, found, "and read back as the original text")
	}
}

func TestDecadeTicks(t *testing.T) {
	var labels []string
	for _, tk := range (decadeTicks{}).Ticks(0.1, 1000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	assert.Equal(t, []string{"0.1", "1", "10", "100", "1000"}, labels)
	assert.Len(t, (decadeTicks{}).Ticks(1, 100), 9+9+1, "1, 2..9, 10, 20..90, 100")
	assert.Empty(t, (decadeTicks{}).Ticks(0, 10), "no ticks for a non-positive range")
}

func TestLinearTicks(t *testing.T) {
	labels := func(lo, hi float64) []string {
		var out []string
		for _, tk := range (linearTicks{}).Ticks(lo, hi) {
			if tk.Label != "" {
				out = append(out, tk.Label)
			}
		}
		return out
	}
	for _, tc := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 70, []string{"0", "20", "40", "60"}},
		{0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{0, 0.001, []string{"0", "0.0002", "0.0004", "0.0006", "0.0008", "0.001"}},
		{0, 52.5, []string{"0", "20", "40"}},
		{-3, 3, []string{"-2", "0", "2"}},
	} {
		assert.Equal(t, tc.want, labels(tc.lo, tc.hi), "[%g, %g]", tc.lo, tc.hi)
	}
	assert.Empty(t, (linearTicks{}).Ticks(1, 1), "no ticks for an empty range")
	assert.LessOrEqual(t, len((linearTicks{}).Ticks(0, 1e300)), maxLinearTicks)
}

func TestRateBucket(t *testing.T) {
	for _, tc := range []struct{ duration, want float64 }{
		{0, 0.01}, {1, 0.01}, {1.5, 0.02}, {10, 0.1}, {70, 1}, {100, 1}, {101, 2}, {600, 10}, {6000, 60}, {60000, 600},
	} {
		assert.Equal(t, tc.want, rateBucket(tc.duration), "duration %v", tc.duration)
	}
}

// TestLatencyPlotAggregates: a long run's latency plot draws one glyph per
// pixel, not per operation: 60,000 operations over 10 minutes, latencies in
// a narrow band, give a plot of a few hundred kilobytes, and every series
// still has its points and its count in the legend.
func TestLatencyPlotAggregates(t *testing.T) {
	r := testRun()
	r.Faults, r.HealTime = nil, 0
	r.End = 600 * s
	r.History = nil
	const n = 60_000
	for i := range n {
		at := int64(i) * (600 * s / n)
		lat := int64(1+i%7) * ms / 2 // 0.5 to 3.5 ms
		f := "get"
		if i%3 == 0 {
			f = "put"
		}
		r.History = append(r.History,
			histories.Op{Process: i % 10, Type: histories.Invoke, F: f, Time: at},
			histories.Op{Process: i % 10, Type: histories.OK, F: f, Time: at + lat})
	}
	var b bytes.Buffer
	require.NoError(t, WriteLatencyPlot(&b, r))
	assert.Less(t, b.Len(), 400<<10, "aggregated by pixel: %d bytes for %d operations", b.Len(), n)
	texts := svgTexts(t, b.Bytes())
	assert.Contains(t, texts, "get ok (40000)", "the legend counts every operation")
	assert.Contains(t, texts, "put ok (20000)")
	assert.Greater(t, b.Len(), 40<<10, "the points are drawn, one per pixel they cover")
}
