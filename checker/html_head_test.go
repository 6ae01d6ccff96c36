package checker

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// staleRead: two keys; on k a put, an append, and a read that misses the
// append (served by node 3, which led term 1 while node 1 led term 2).
func staleRead() *RoleTimeline {
	tl := NewRoleTimeline()
	for _, c := range []RoleChange{{0, 3, RoleLeader, 1}, {0, 1, RoleFollower, 1}, {25, 1, RoleLeader, 2}} {
		if err := tl.Add(c.Time, c.Node, c.Role, c.Term); err != nil {
			panic(err)
		}
	}
	return tl
}

// TestPorcupineHeader: porcupine's page leads with the verdict and, for an
// illegal history, one line per counterexample op that names its node, role
// and term, with a button pointing at where porcupine draws that op, and a
// small diagram of the counterexample alone.
func TestPorcupineHeader(t *testing.T) {
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
	require.Len(t, r.Counterexample, 3)
	var buf bytes.Buffer
	require.NoError(t, r.WritePorcupinePage(&buf, HTMLOptions{Title: "run <7>", Roles: staleRead(),
		Notes: []Annotation{{Start: 25, End: 90, Tag: "nemesis", Label: "partition"}, {Start: 500, End: 600, Tag: "nemesis", Label: "later"}}}))
	page := buf.String()

	head := page[strings.Index(page, `<header id="rc-head"`):strings.Index(page, "</header>")]
	assert.Contains(t, head, `class="rc-illegal"`)
	assert.Contains(t, head, `<span class="rc-badge">not linearizable</span>`)
	assert.Contains(t, head, `<h1>run &lt;7&gt;</h1>`, "the title is escaped text")
	assert.Contains(t, head, "model kv · 5 operations checked · 2 keys")
	assert.Contains(t, head, html.EscapeString(`3 operations on key "k" cannot be linearized together`))
	assert.Contains(t, head, "served by node 3, leader of term 1, while node 1 was leader of term 2")

	// Each button points at the op porcupine draws there: the page's data
	// numbers a partition's ops in order, and their metadata names the op.
	d := embeddedData(t, page)
	buttons := regexp.MustCompile(`<li( class="rc-culprit")?><button type="button" class="rc-show" data-p="(\d+)" data-i="(\d+)" data-op="(\d+)"`).FindAllStringSubmatch(head, -1)
	require.Len(t, buttons, 3)
	culprits := 0
	for k, b := range buttons {
		var p, i, op int
		fmt.Sscan(b[2], &p)
		fmt.Sscan(b[3], &i)
		fmt.Sscan(b[4], &op)
		assert.Equal(t, r.Counterexample[k], op, "in history order")
		require.Less(t, p, len(d.Partitions))
		require.Less(t, i, len(d.Partitions[p].History))
		assert.True(t, strings.HasPrefix(d.Partitions[p].History[i].Metadata, fmt.Sprintf("history #%d–#", op)), "button %d points at op %d, found %q", k, op, d.Partitions[p].History[i].Metadata)
		if b[1] != "" {
			culprits++
			assert.Equal(t, r.Culprit, op)
		}
	}
	assert.Equal(t, 1, culprits, "the culprit is marked")

	// The small diagram holds the counterexample's ops and the notes that
	// overlap them, clipped; not the other key's ops, not later notes.
	m := regexp.MustCompile(`srcdoc="([^"]*)"`).FindStringSubmatch(head)
	require.NotNil(t, m, "the counterexample has a diagram of its own")
	mini := embeddedData(t, html.UnescapeString(m[1]))
	require.Len(t, mini.Partitions, 1)
	assert.Len(t, mini.Partitions[0].History, 3)
	require.Len(t, mini.Annotations, 1)
	assert.Equal(t, "partition", mini.Annotations[0].Description)
}

func TestHTMLHeaderVerdicts(t *testing.T) {
	okH := fromCalls(call{p: 0, f: "write", in: int64(1), start: 0, end: 1}, call{p: 1, f: "read", out: int64(1), start: 2, end: 3})
	cases := []struct {
		h     []call
		opts  LinOptions
		badge string
		says  string
	}{
		{nil, LinOptions{Model: ModelRegister}, "linearizable", "found a linearization of the whole history"},
		{nil, LinOptions{Model: ModelRegister, StepLimit: 10_000}, "unknown", "the verdict is unknown, not ok"},
	}
	for i, c := range cases {
		h := okH
		if i == 1 {
			h = hardHistory(14)
		}
		r, err := CheckLinearizable(h, c.opts)
		require.NoError(t, err)
		var buf bytes.Buffer
		require.NoError(t, r.WriteHTMLPage(&buf, HTMLOptions{}))
		page := buf.String()
		assert.True(t, strings.Contains(page, `<span class="rc-badge">`+c.badge+`</span>`), "badge %q", c.badge)
		assert.True(t, strings.Contains(page, c.says), "says %q", c.says)
		assert.False(t, strings.Contains(page, "<iframe"), "no counterexample, no small diagram")
		assert.True(t, strings.Contains(page, "<h1>Linearizability</h1>"), "default title")
	}
}
