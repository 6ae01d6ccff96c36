package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/options"
	"github.com/raftcheck/raftcheck/sim"
)

// TestChurnFaults: the stretches churn is not judged in are the fault
// windows (one still open at the check lasting to the heal, or to the end
// when it opened after it), every applied membership change, and every
// stretch in which the committed configuration lacked a node.
func TestChurnFaults(t *testing.T) {
	o := options.Default()
	o.Nodes = 3
	x := &Execution{opts: o, healTime: 100,
		faults: &simFaults{log: &FaultLog{windows: []report.FaultWindow{
			{Fault: "crash-leader", Start: 10, End: 20},
			{Fault: "partition-random-halves", Start: 30, End: -1},
			{Fault: "member-churn", Start: 120, End: -1},
		}}},
		obs: &observer{confChanges: []confChange{
			{t: 40, voters: 2}, // a node removed
			{t: 50, voters: 3}, // and added back
			{t: 60, voters: 3},
			{t: 130, voters: 2}, // removed, never re-added
		}},
	}
	assert.Equal(t, []checker.FaultSpan{
		{Start: 10, End: 20}, {Start: 30, End: 100}, {Start: 120, End: -1},
		{Start: 40, End: 40}, {Start: 50, End: 50}, {Start: 40, End: 50}, {Start: 60, End: 60},
		{Start: 130, End: 130}, {Start: 130, End: -1},
	}, x.churnFaults())
}

// TestChurnChecked: every run is judged for churn; the standard run's
// quiet stretches are the recovery window's, and its broadcast time (1 ms
// fsync plus a 1 ms round trip each way) meets the timing requirement.
func TestChurnChecked(t *testing.T) {
	_, out := execute(t, quick(3))
	require.NotNil(t, out.Churn)
	assert.Equal(t, checker.LivenessOK, out.Churn.Status, "%v", out.Churn.Reasons)
	assert.Equal(t, checker.LivenessOK, out.Checked.Churn)
	assert.Positive(t, out.Churn.Quiet)
	assert.Equal(t, 10*int64(quick(3).TickInterval)*int64(quick(3).ElectionTicks), out.Churn.Window)
}

// TestMeanOf: the broadcast time takes a latency distribution's mean.
func TestMeanOf(t *testing.T) {
	assert.Equal(t, sim.DefaultLatency.Mean, meanOf(sim.Dist{}))
	assert.Equal(t, 3*sim.Millisecond, meanOf(sim.Dist{Kind: sim.Uniform, Min: 2 * sim.Millisecond, Max: 4 * sim.Millisecond}))
	assert.Equal(t, 5*sim.Millisecond, meanOf(sim.Dist{Kind: sim.Exponential, Mean: 5 * sim.Millisecond}))
}
