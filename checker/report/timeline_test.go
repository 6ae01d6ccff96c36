package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// pageJSON extracts and decodes the data embedded in a timeline page.
func pageJSON(t *testing.T, page string) map[string]any {
	t.Helper()
	const open = `<script type="application/json" id="run-data">`
	i := strings.Index(page, open)
	require.GreaterOrEqual(t, i, 0, "data script present")
	rest := page[i+len(open):]
	j := strings.Index(rest, "</script>")
	require.GreaterOrEqual(t, j, 0, "data script closed")
	var data map[string]any
	require.NoError(t, json.Unmarshal([]byte(rest[:j]), &data))
	return data
}

func writeTimeline(t *testing.T, r *Run) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WriteTimeline(&b, r))
	return b.String()
}

// TestTimelineEscapesUserData is the escaping acceptance: a history
// whose keys and values contain <script> renders inert.
func TestTimelineEscapesUserData(t *testing.T) {
	const (
		key     = `<script>alert("k")</script>`
		value   = `</script><script>alert(1)</script>`
		img     = `"><img src=x onerror=alert(2)>`
		amp     = `&lt;script&gt; & \u2028`
		line    = "line\u2028separator"
		planted = "<script>alert"
	)
	r := testRun()
	r.Title = key
	r.Seed = img
	r.Replay = "raftcheck run --seed '" + value + "'"
	r.Config = append(r.Config, KV{key, value})
	r.Reasons = []string{value}
	r.Stats = append(r.Stats, KV{img, key})
	r.Faults[0].Fault = key
	r.Faults[0].Detail = value
	r.Messages[0].Kind = key
	r.Messages[1].Dropped, r.Messages[1].Reason = true, img
	r.FinalNodes[0].State = value
	r.History = append(r.History,
		histories.Op{Process: 500, Type: histories.Invoke, F: key, Key: key, Value: []any{value, int64(3), img}, Time: 69 * s},
		histories.Op{Process: 500, Type: histories.Fail, F: key, Key: key, Value: amp + line, Time: 69*s + ms, Error: value},
	)
	for i := range r.History {
		r.History[i].Index = i
	}
	page := writeTimeline(t, r)

	// (assert.NotContains would print the whole page on failure)
	assert.False(t, strings.Contains(page, planted), "a planted script appears unescaped")
	assert.False(t, strings.Contains(page, "<img src=x"), "a planted element appears unescaped")
	assert.False(t, strings.Contains(page, "\u2028"), "line separators must be escaped (they end a JavaScript line)")
	assert.Equal(t, 2, strings.Count(page, "<script"), "only the page's own two script elements")
	assert.Equal(t, 2, strings.Count(page, "</script>"), "and their two closing tags")

	// The data survives the escaping intact: the page shows the text as text.
	data := pageJSON(t, page)
	assert.Equal(t, key, data["title"])
	assert.Equal(t, img, data["seed"])
	assert.Contains(t, data["keys"], key)
	assert.Contains(t, data["fs"], key)
	assert.Contains(t, data["errs"], value)
	assert.Contains(t, data["msgKinds"], key)
	assert.Contains(t, data["msgDrops"], img)
	ops := data["ops"].(map[string]any)
	assert.Contains(t, ops["inv"], `["</script><script>alert(1)</script>" 3 "\"><img src=x onerror=alert(2)>"]`)
	assert.Contains(t, ops["ret"], `"&lt;script&gt; & \\u2028line\u2028separator"`)
}

// TestTimelineIsSelfContained: no network, and the inlined assets cannot
// close their own elements early.
func TestTimelineIsSelfContained(t *testing.T) {
	page := writeTimeline(t, testRun())
	for _, bad := range []string{`src="http`, `href="http`, `src='http`, `href='http`, "@import", "url(http", "//cdn", "fonts.googleapis"} {
		assert.False(t, strings.Contains(page, bad), "the page must not load %s", bad)
	}
	for _, asset := range []string{timelineCSS, timelineJS, timelineBody} {
		assert.NotContains(t, strings.ToLower(asset), "</script")
		assert.NotContains(t, strings.ToLower(asset), "</style")
		assert.NotContains(t, asset, "innerHTML", "data goes on the page through textContent only")
		assert.NotContains(t, asset, "insertAdjacentHTML")
		assert.NotContains(t, asset, "document.write")
		assert.NotContains(t, asset, "eval(")
	}
	assert.True(t, strings.HasPrefix(page, "<!DOCTYPE html>"))
	assert.True(t, strings.HasSuffix(page, "</html>\n"))
}

func TestTimelineData(t *testing.T) {
	r := testRun()
	data := pageJSON(t, writeTimeline(t, r))
	assert.EqualValues(t, 70e6, data["duration"], "µs after Start")
	assert.EqualValues(t, 60e6, data["heal"])
	assert.Len(t, data["lanes"], r.Threads, "one lane per client thread")
	ops := data["ops"].(map[string]any)
	spans, err := pairOps(r.History, r.End)
	require.NoError(t, err)
	assert.Len(t, ops["t0"], len(spans), "one bar per client op")
	faults := data["faults"].([]any)
	assert.Len(t, faults, len(r.Faults))
	for _, f := range faults {
		assert.EqualValues(t, 0, f.(map[string]any)["row"], "the test run's faults do not overlap")
	}
	final := data["final"].([]any)
	assert.Equal(t, map[string]any{"id": 1.0, "state": "follower", "term": 3.0, "alive": true, "log_size": 4012.0, "commit": 4012.0}, final[0])
}

// TestTimelineNodeNames: a run may name its nodes (live mode: node 1 is
// Maelstrom's n0); the page carries the names, and a run without them has
// none (the script then writes "n<id>").
func TestTimelineNodeNames(t *testing.T) {
	r := testRun()
	assert.NotContains(t, pageJSON(t, writeTimeline(t, r)), "names")
	r.NodeNames = map[int]string{1: "n0", 2: "n1"}
	data := pageJSON(t, writeTimeline(t, r))
	assert.Equal(t, map[string]any{"1": "n0", "2": "n1"}, data["names"])
}

func TestMessageCap(t *testing.T) {
	r := testRun()
	// 120k messages: more than the default cap, as a long busy run has.
	for len(r.Messages) < 120_000 {
		m := r.Messages[len(r.Messages)%50_000]
		m.Sent += ms / 3
		if m.Delivered != 0 {
			m.Delivered += ms / 3
		}
		r.Messages = append(r.Messages, m)
	}
	page := writeTimeline(t, r)
	msgs := pageJSON(t, page)["msgs"].(map[string]any)
	sent := msgs["sent"].([]any)
	assert.Len(t, sent, DefaultMessageCap, "at most the cap is embedded")
	assert.EqualValues(t, 120_000, msgs["total"], "the page knows how many there were")
	for i := 1; i < len(sent); i++ {
		if sent[i].(float64) < sent[i-1].(float64) {
			t.Fatalf("embedded messages not in send order at %d", i)
		}
	}
	// evenly sampled: both ends of the run keep their traffic
	assert.Less(t, sent[0].(float64), 1e6)
	assert.Greater(t, sent[len(sent)-1].(float64), 69e6)
	// A 70 s run with ~6,000 ops and 120k messages stays a few MB.
	assert.Less(t, len(page), 4<<20, "timeline.html is %d bytes", len(page))

	r.MessageCap = 1000
	msgs = pageJSON(t, writeTimeline(t, r))["msgs"].(map[string]any)
	assert.Len(t, msgs["sent"], 1000, "Run.MessageCap overrides the default")
}

func TestSampleMessages(t *testing.T) {
	msgs := make([]Message, 10)
	for i := range msgs {
		msgs[i] = Message{From: 1, To: 2, Sent: int64(9 - i)} // reverse send order
	}
	assert.Equal(t, []int{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, sampleMessages(msgs, 100, nil), "under the cap: all, in send order")
	assert.Equal(t, []int{9, 7, 5, 3, 1}, sampleMessages(msgs, 5, nil), "over the cap: every other one")
	assert.Empty(t, sampleMessages(nil, 5, nil))
	// Around a finding every message is kept (up to half the cap), the
	// rest sampled evenly.
	assert.Equal(t, []int{9, 7, 4, 3, 2}, sampleMessages(msgs, 5, [][2]int64{{5, 6}}), "sent at 5 and 6 kept, 3 of the other 8")
}

// TestTimelineMinimalRun: with nothing but a node the page data still has
// every list, as [] (the script never checks for null).
func TestTimelineMinimalRun(t *testing.T) {
	page := writeTimeline(t, &Run{Nodes: []int{1}, End: 500 * ms, Faults: []FaultWindow{{Fault: "x", Groups: [][]int{nil}}}})
	const open = `<script type="application/json" id="run-data">`
	data := page[strings.Index(page, open)+len(open):]
	data = data[:strings.Index(data, "</script>")]
	assert.NotContains(t, data, "null")
	assert.Equal(t, -1.0, pageJSON(t, page)["heal"], "no heal")
}
