package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// invokes returns the history positions of r's first n client invokes
// whose ops complete (a completion follows, so the op is not the last).
func invokes(r *Run, n int) []int {
	var out []int
	for i, op := range r.History {
		if len(out) == n {
			break
		}
		if op.Process != histories.NemesisProcess && op.Type == histories.Invoke {
			out = append(out, i)
		}
	}
	return out
}

// TestTimelineCounterexample: the counterexample's history positions reach
// the page as the indexes of its ops, with the culprit and the explanation.
func TestTimelineCounterexample(t *testing.T) {
	r := testRun()
	pos := invokes(r, 3)
	r.Counterexample = &Counterexample{Ops: pos, Culprit: pos[2], Key: "k1", Summary: "3 operations on key k1 cannot be linearized together",
		Explain: []string{"op a", "op b", "op c, served by node 3, leader of term 2, while node 1 was leader of term 3"}}
	data := pageJSON(t, writeTimeline(t, r))
	cex, ok := data["cex"].(map[string]any)
	require.True(t, ok, "the page holds the counterexample")
	ops := data["ops"].(map[string]any)
	index := ops["index"].([]any)
	var got []int
	for _, o := range cex["ops"].([]any) {
		got = append(got, int(index[int(o.(float64))].(float64)))
	}
	assert.Equal(t, pos, got, "each page op is the history op named")
	assert.Equal(t, float64(pos[2]), index[int(cex["culprit"].(float64))])
	assert.Equal(t, r.Counterexample.Summary, cex["summary"])
	assert.Len(t, cex["explain"], 3)

	r.Counterexample = nil
	_, ok = pageJSON(t, writeTimeline(t, r))["cex"]
	assert.False(t, ok, "no counterexample, no cex field")
}

func TestPartitionGroups(t *testing.T) {
	both := func(pairs ...[2]int) [][2]int {
		var out [][2]int
		for _, p := range pairs {
			out = append(out, p, [2]int{p[1], p[0]})
		}
		return out
	}
	nodes := []int{1, 2, 3, 4, 5}
	tests := []struct {
		name  string
		nodes []int
		links [][2]int
		want  [][]int
	}{
		{"no links", nodes, nil, nil},
		{"isolate node 3", nodes, both([2]int{3, 1}, [2]int{3, 2}, [2]int{3, 4}, [2]int{3, 5}), [][]int{{1, 2, 4, 5}, {3}}},
		{"halves", nodes, both([2]int{1, 3}, [2]int{1, 4}, [2]int{1, 5}, [2]int{2, 3}, [2]int{2, 4}, [2]int{2, 5}), [][]int{{1, 2}, {3, 4, 5}}},
		{"one way counts as cut", []int{1, 2}, [][2]int{{1, 2}}, [][]int{{1}, {2}}},
		{"bridge: node 3 talks to both sides", nodes, both([2]int{1, 4}, [2]int{1, 5}, [2]int{2, 4}, [2]int{2, 5}), nil},
		{"majorities ring", nodes, both([2]int{1, 3}, [2]int{2, 4}, [2]int{3, 5}, [2]int{4, 1}, [2]int{5, 2}), nil},
		{"unsorted ids", []int{30, 10, 20}, both([2]int{10, 30}, [2]int{20, 30}), [][]int{{10, 20}, {30}}},
		{"links to unknown nodes ignored", []int{1, 2}, both([2]int{1, 9}), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, partitionGroups(tc.nodes, tc.links))
		})
	}
}

// TestTimelineDerivesGroups: a partition given only by its links shows its
// sides on the page.
func TestTimelineDerivesGroups(t *testing.T) {
	r := testRun()
	r.Faults[0].Groups = nil // links only: 1 cut off from the rest, both ways
	faults := pageJSON(t, writeTimeline(t, r))["faults"].([]any)
	first := faults[0].(map[string]any)
	assert.Equal(t, []any{[]any{1.0}, []any{2.0, 3.0, 4.0, 5.0}}, first["groups"])
}
