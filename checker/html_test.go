package checker

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const xss = `</script><script>alert(1)</script><img src=x onerror=alert(2)>`

// pageData is the part of porcupine's embedded JSON this test looks at.
type pageData struct {
	Partitions []struct {
		History []struct {
			Description string
			Metadata    string
		}
		PartialLinearizations [][]struct {
			StateDescription string
		}
	}
	Annotations []struct {
		Tag, Description, Details, BackgroundColor string
	}
}

// embeddedData extracts and decodes the JSON blob porcupine's page renders.
func embeddedData(t *testing.T, page string) pageData {
	t.Helper()
	// The last match is the page's own data: an illegal history's header
	// embeds the counterexample's small page (escaped) before it.
	all := regexp.MustCompile(`(?s)const data = (.*?)\n\s*render\(data\)`).FindAllStringSubmatch(page, -1)
	require.NotEmpty(t, all, "page embeds its data")
	m := all[len(all)-1]
	var d pageData
	require.NoError(t, json.Unmarshal([]byte(strings.TrimSpace(m[1])), &d))
	return d
}

func xssHistory() histories.History {
	return fromCalls(
		call{p: 0, f: "put", key: xss, in: xss, start: 0, end: 10, node: 1},
		call{p: 1, f: "append", key: xss, in: "<b>", start: 20, end: 30, node: 2},
		call{p: 2, f: "get", key: xss, out: xss, start: 40, end: 50, node: 3},
	)
}

// TestHTMLEscapesUserData: keys, values and annotations holding markup render
// inert. Porcupine puts its data into a JSON literal inside the page's one
// script; the JSON must not be able to close that script, and the strings
// the page inserts as HTML (state descriptions and metadata, shown in
// tooltips through innerHTML) must be escaped. Descriptions, tags and
// details go through textContent, so they keep the raw text.
func TestHTMLEscapesUserData(t *testing.T) {
	r, err := CheckLinearizable(xssHistory(), LinOptions{Model: ModelKV})
	require.NoError(t, err)
	require.Equal(t, LinIllegal, r.Result) // the get missed the append: states get shown
	var buf bytes.Buffer
	notes := []Annotation{{Start: 5, End: 25, Tag: xss, Label: xss, Details: xss, Color: "#ffcc00"}}
	require.NoError(t, r.WritePorcupinePage(&buf, HTMLOptions{Notes: notes}))
	page := buf.String()

	assert.Equal(t, 2, strings.Count(strings.ToLower(page), "<script"), "only porcupine's script and the header's")
	assert.Equal(t, 2, strings.Count(strings.ToLower(page), "</script"))
	assert.NotContains(t, page, "<img")
	assert.NotContains(t, page, "alert(1)</script>")
	assert.NotContains(t, page, "<b>")

	d := embeddedData(t, page)
	require.Len(t, d.Partitions, 1)
	var descs []string
	for _, e := range d.Partitions[0].History {
		descs = append(descs, e.Description)
		assert.NotContains(t, e.Metadata, "<", "metadata is shown through innerHTML")
	}
	assert.Contains(t, strings.Join(descs, "\n"), "</script><script>alert(1)</script>", "descriptions go through textContent and keep the text")
	states := 0
	for _, lin := range d.Partitions[0].PartialLinearizations {
		for _, step := range lin {
			states++
			assert.NotContains(t, step.StateDescription, "<", "states are shown through innerHTML")
		}
	}
	assert.Positive(t, states)
	require.Len(t, d.Annotations, 1)
	assert.Equal(t, xss, d.Annotations[0].Details)
	assert.Equal(t, xss, d.Annotations[0].Tag)
}

// TestHTMLSelfContained: porcupine's page loads nothing from anywhere.
func TestHTMLSelfContained(t *testing.T) {
	h := fromCalls(
		call{p: 0, f: "put", key: "x", in: "a", start: 0, end: 10, node: 1},
		call{p: 2, f: "get", key: "x", out: "b", start: 40, end: 50, node: 3},
	)
	r, err := CheckLinearizable(h, LinOptions{Model: ModelKV})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, r.WritePorcupinePage(&buf, HTMLOptions{}))
	page := strings.ToLower(buf.String())
	// The one iframe is the counterexample's own diagram, inline (srcdoc).
	assert.NotRegexp(t, `<iframe[^>]*\ssrc=`, page)
	for _, bad := range []string{"src=", "href=", "<link", "@import", "url(", "fetch(", "xmlhttprequest", "websocket", "eventsource", "sendbeacon", "import(", "//cdn", "https:"} {
		assert.False(t, strings.Contains(page, bad), "page contains %q", bad)
	}
	// The only URL is the SVG namespace, an identifier that is never fetched.
	urls := regexp.MustCompile(`https?://[^'"\s)&]*`).FindAllString(page, -1)
	for _, u := range urls {
		assert.Equal(t, "http://www.w3.org/2000/svg", u)
	}
}

// TestHTMLAlwaysWritten: ok, illegal and unknown results all produce both
// pages, and writing twice gives the same bytes (annotations do not pile
// up).
func TestHTMLAlwaysWritten(t *testing.T) {
	okH := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}, call{p: 1, f: "read", out: int64(1), start: 2, end: 3})
	badH := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}, call{p: 1, f: "read", out: int64(2), start: 2, end: 3})
	cases := []struct {
		h    histories.History
		opts LinOptions
		want LinVerdict
	}{
		{okH, LinOptions{Model: ModelRegister}, LinOK},
		{badH, LinOptions{Model: ModelRegister}, LinIllegal},
		{hardHistory(14), LinOptions{Model: ModelRegister, StepLimit: 10_000}, LinUnknown},
		{nil, LinOptions{Model: ModelRegister}, LinOK},
	}
	notes := []Annotation{
		{Start: 0, End: 2, Tag: "nemesis", Label: "partition {1 2} {3 4 5}", Color: "rgba(255, 0, 0, 0.3)"},
		{Start: 1, Label: "node 3 crashed"},
	}
	for _, c := range cases {
		r, err := CheckLinearizable(c.h, c.opts)
		require.NoError(t, err)
		require.Equal(t, c.want, r.Result)
		var a, b bytes.Buffer
		require.NoError(t, r.WritePorcupinePage(&a, HTMLOptions{Notes: notes}))
		require.NoError(t, r.WritePorcupinePage(&b, HTMLOptions{Notes: notes}))
		assert.Equal(t, a.String(), b.String())
		d := embeddedData(t, a.String())
		assert.Len(t, d.Annotations, 2)
		assert.Equal(t, "events", d.Annotations[1].Tag)
		a.Reset()
		b.Reset()
		require.NoError(t, r.WriteHTMLPage(&a, HTMLOptions{Notes: notes}))
		require.NoError(t, r.WriteHTMLPage(&b, HTMLOptions{Notes: notes}))
		assert.Equal(t, a.String(), b.String())
		assert.Contains(t, a.String(), `<header id="rc-head" class="rc-`+string(c.want)+`">`)
	}
}

func TestHTMLRejectsColourInjection(t *testing.T) {
	r, err := CheckLinearizable(xssHistory(), LinOptions{Model: ModelKV})
	require.NoError(t, err)
	for _, bad := range []string{"red; background: url(http://evil/x)", "expression(alert(1))", "#fff\"><script>"} {
		err := r.WriteHTML(&bytes.Buffer{}, []Annotation{{Label: "n", Color: bad}})
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "annotation 0")
		assert.Contains(t, err.Error(), "Color")
		err = r.WritePorcupinePage(&bytes.Buffer{}, HTMLOptions{Notes: []Annotation{{Label: "n", Color: bad}}})
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "Color")
	}
	for _, good := range []string{"#abc", "#a0b1c2", "steelblue", "rgb(1, 2, 3)", "hsla(120, 50%, 50%, 0.5)"} {
		assert.NoError(t, r.WriteHTML(&bytes.Buffer{}, []Annotation{{Label: "n", Color: good}}), good)
	}
}
