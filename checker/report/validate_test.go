package report

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(r *Run)
		want   string
	}{
		{"end before start", func(r *Run) { r.End = r.Start - 1 }, "Run.End"},
		{"no nodes", func(r *Run) { r.Nodes = nil }, "Run.Nodes is empty"},
		{"zero node id", func(r *Run) { r.Nodes[2] = 0 }, "Run.Nodes[2]: node id 0 is not positive"},
		{"duplicate node", func(r *Run) { r.Nodes[4] = 1 }, "Run.Nodes[4]: node id 1 appears twice"},
		{"negative threads", func(r *Run) { r.Threads = -1 }, "Run.Threads"},
		{"negative message cap", func(r *Run) { r.MessageCap = -1 }, "Run.MessageCap"},
		{"unknown leader", func(r *Run) { r.Leader = 9 }, "Run.Leader: 9"},
		{"event on unknown node", func(r *Run) { r.NodeEvents[3].Node = 9 }, "Run.NodeEvents[3].Node: 9 is not in Run.Nodes"},
		{"unknown event kind", func(r *Run) { r.NodeEvents[0].Kind = 0 }, "Run.NodeEvents[0].Kind"},
		{"unknown role", func(r *Run) { r.NodeEvents[0].Role = "king" }, `Run.NodeEvents[0].Role: unknown role "king"`},
		{"event after the end", func(r *Run) { r.NodeEvents[1].Time = r.End + 1 }, "Run.NodeEvents[1].Time"},
		{"op after the end", func(r *Run) { r.History[10].Time = r.End + 1 }, "Run.History[10].Time"},
		{"fault ends before it starts", func(r *Run) { r.Faults[2].End = r.Faults[2].Start - 1 }, "Run.Faults[2].End"},
		{"fault on unknown node", func(r *Run) { r.Faults[1].Targets = []int{7} }, "Run.Faults[1].Targets[0]: 7"},
		{"link to unknown node", func(r *Run) { r.Faults[0].Links[3] = [2]int{1, 8} }, "Run.Faults[0].Links[3]: 8"},
		{"group with unknown node", func(r *Run) { r.Faults[0].Groups[1] = []int{2, 6} }, "Run.Faults[0].Groups[1]: 6"},
		{"message from unknown node", func(r *Run) { r.Messages[5].From = 0 }, "Run.Messages[5].From: 0"},
		{"message to unknown node", func(r *Run) { r.Messages[6].To = 6 }, "Run.Messages[6].To: 6"},
		{"delivered before sent", func(r *Run) { r.Messages[7].Delivered = r.Messages[7].Sent - 1 }, "Run.Messages[7].Delivered"},
		{"counterexample op out of range", func(r *Run) { r.Counterexample = &Counterexample{Ops: []int{len(r.History)}, Culprit: -1} }, "Run.Counterexample.Ops[0]"},
		{"counterexample op not an invoke", func(r *Run) {
			done := 0
			for done < len(r.History) && (r.History[done].Type == histories.Invoke || r.History[done].Process == histories.NemesisProcess) {
				done++
			}
			r.Counterexample = &Counterexample{Ops: []int{done}, Culprit: -1}
		}, "is not a client invoke"},
		{"counterexample culprit not among its ops", func(r *Run) {
			r.Counterexample = &Counterexample{Ops: invokes(r, 2)[:1], Culprit: invokes(r, 2)[1]}
		}, "Run.Counterexample.Culprit"},
		{"counterexample explanation of the wrong length", func(r *Run) {
			r.Counterexample = &Counterexample{Ops: invokes(r, 2), Culprit: -1, Explain: []string{"one"}}
		}, "Run.Counterexample.Explain has 1 sentences for 2 ops"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := testRun()
			require.NoError(t, r.Validate(), "the test run itself is valid")
			tc.mutate(r)
			err := r.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			// every writer refuses it the same way, without panicking
			for _, write := range []func(io.Writer, *Run) error{WriteTimeline, WriteSummary, WriteLatencyPlot, WriteRatePlot} {
				err := write(&bytes.Buffer{}, r)
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.want)
			}
		})
	}
	var nilRun *Run
	assert.Error(t, nilRun.Validate())
	assert.Error(t, WriteTimeline(io.Discard, nil))
}

func TestValidateAcceptsDroppedWithUnknownTime(t *testing.T) {
	r := testRun()
	r.Messages = []Message{{From: 1, To: 2, Sent: 5 * s, Dropped: true, Reason: "crashed"}}
	require.NoError(t, r.Validate())
	msgs := pageJSON(t, writeTimeline(t, r))["msgs"].(map[string]any)
	assert.Equal(t, []any{-1.0}, msgs["deliv"], "unknown drop time is -1 on the page")
}

func TestWritersRejectInvalidHistory(t *testing.T) {
	r := testRun()
	r.History = append(r.History, histories.Op{Index: len(r.History), Process: 99, Type: histories.OK, Time: r.End})
	for _, write := range []func(io.Writer, *Run) error{WriteTimeline, WriteLatencyPlot, WriteRatePlot} {
		err := write(io.Discard, r)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "process 99 completes (ok) without an invoke")
	}
}
