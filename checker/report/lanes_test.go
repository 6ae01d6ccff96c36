package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// seg is one expected segment, in nanoseconds for readability.
type seg struct {
	lane   int
	t0, t1 int64 // ms
	state  int
	term   uint64
}

func segsOf(s segments) []seg {
	var out []seg
	for i := range s.Lane {
		out = append(out, seg{s.Lane[i], s.T0[i] / 1000, s.T1[i] / 1000, s.State[i], s.Term[i]})
	}
	return out
}

func TestBuildSegments(t *testing.T) {
	r := &Run{Nodes: []int{3, 1}, Start: 1000 * ms, End: 2000 * ms}
	at := func(msec int64) int64 { return r.Start + msec*ms }
	r.NodeEvents = []NodeEvent{
		// out of order on purpose: the builder sorts stably by time
		{Time: at(300), Node: 3, Kind: EventRole, Role: RoleLeader, Term: 2},
		{Time: at(100), Node: 3, Kind: EventRole, Role: RolePreCandidate, Term: 1},
		{Time: at(200), Node: 3, Kind: EventRole, Role: RoleCandidate, Term: 2},
		{Time: at(400), Node: 3, Kind: EventRole, Role: RoleLeader, Term: 2}, // repeat: no split
		{Time: at(500), Node: 3, Kind: EventPause},
		{Time: at(600), Node: 3, Kind: EventCrash}, // ends the pause too
		{Time: at(650), Node: 3, Kind: EventCrash}, // crash of a crashed node: no change
		{Time: at(700), Node: 3, Kind: EventRestart},
		{Time: at(800), Node: 3, Kind: EventRole, Role: RoleFollower, Term: 4},
		{Time: at(100), Node: 1, Kind: EventPause},
		{Time: at(150), Node: 1, Kind: EventResume},
		{Time: at(900), Node: 1, Kind: EventDown},
		{Time: at(950), Node: 1, Kind: EventCrash}, // crashing a fail-stopped node is harmless
	}
	require.NoError(t, r.Validate())
	ix, err := newNodeIndex(r.Nodes)
	require.NoError(t, err)
	segs, ps, err := buildSegments(r, ix)
	require.NoError(t, err)
	assert.Equal(t, []seg{
		{0, 0, 100, stateFollower, 0},
		{0, 100, 200, statePreCandidate, 1},
		{0, 200, 300, stateCandidate, 2},
		{0, 300, 600, stateLeader, 2},
		{0, 600, 700, stateCrashed, 2},
		{0, 700, 800, stateFollower, 2}, // restart keeps the persisted term
		{1, 0, 900, stateFollower, 0},
		{0, 800, 1000, stateFollower, 4},
		{1, 900, 1000, stateDown, 0},
	}, segsOf(segs))
	assert.Equal(t, pauses{Lane: []int{1, 0}, T0: []int64{100e3, 500e3}, T1: []int64{150e3, 600e3}}, ps)
}

// TestBuildSegmentsReplacedNode: a fail-stopped node whose disk is
// replaced restarts as a follower and takes part again.
func TestBuildSegmentsReplacedNode(t *testing.T) {
	r := &Run{Nodes: []int{1}, End: 100_000, NodeEvents: []NodeEvent{
		{Time: 10_000, Node: 1, Kind: EventDown},
		{Time: 40_000, Node: 1, Kind: EventRestart},
		{Time: 60_000, Node: 1, Kind: EventRole, Role: RoleLeader, Term: 4},
	}}
	ix, err := newNodeIndex(r.Nodes)
	require.NoError(t, err)
	segs, _, err := buildSegments(r, ix)
	require.NoError(t, err)
	assert.Equal(t, []int{stateFollower, stateDown, stateFollower, stateLeader}, segs.State)
	assert.Equal(t, []int64{0, 10, 40, 60}, segs.T0)
	assert.Equal(t, []int64{10, 40, 60, 100}, segs.T1)
}

func TestBuildSegmentsRejectsImpossibleStates(t *testing.T) {
	tests := []struct {
		name   string
		events []NodeEvent
		want   string
	}{
		{"role change while crashed", []NodeEvent{
			{Time: 1, Node: 1, Kind: EventCrash},
			{Time: 2, Node: 1, Kind: EventRole, Role: RoleLeader, Term: 5},
		}, "Run.NodeEvents[1]: node 1 becomes leader of term 5 at 2 while crashed"},
		{"role change after fail-stop", []NodeEvent{
			{Time: 1, Node: 2, Kind: EventDown},
			{Time: 2, Node: 2, Kind: EventRole, Role: RoleFollower, Term: 3},
		}, "Run.NodeEvents[1]: node 2 has a role event at 2 after it went down"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &Run{Nodes: []int{1, 2}, End: 10, NodeEvents: tc.events}
			ix, err := newNodeIndex(r.Nodes)
			require.NoError(t, err)
			_, _, err = buildSegments(r, ix)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestPairOps(t *testing.T) {
	h := histories.History{
		{Process: 0, Type: histories.Invoke, F: "put", Time: 10},
		{Process: histories.NemesisProcess, Type: histories.Info, F: "start-partition", Time: 11},
		{Process: 1, Type: histories.Invoke, F: "get", Time: 12},
		{Process: 0, Type: histories.OK, F: "put", Time: 20},
		{Process: 1, Type: histories.Info, F: "get", Time: 30},
		{Process: 11, Type: histories.Invoke, F: "get", Time: 31},
		{Process: 0, Type: histories.Invoke, F: "cas", Time: 40},
		{Process: 0, Type: histories.Fail, F: "cas", Time: 41},
		{Process: 0, Type: histories.Invoke, F: "put", Time: 50},
	}
	spans, err := pairOps(h, 100)
	require.NoError(t, err)
	assert.Equal(t, []opSpan{
		{f: "put", outcome: outcomeOK, invoke: 10, complete: 20, inv: 0, done: 3},
		{f: "get", outcome: outcomeInfo, invoke: 12, complete: 30, inv: 2, done: 4},
		{f: "get", outcome: outcomePending, invoke: 31, complete: 100, inv: 5, done: -1},
		{f: "cas", outcome: outcomeFail, invoke: 40, complete: 41, inv: 6, done: 7},
		{f: "put", outcome: outcomePending, invoke: 50, complete: 100, inv: 8, done: -1},
	}, spans)

	r := &Run{Nodes: []int{1}, Threads: 10, End: 100, History: h}
	var fs, keys, errs interner
	ops, lanes := buildOps(r, spans, &fs, &keys, &errs)
	assert.Len(t, lanes, 10)
	assert.Equal(t, []int{0, 1, 1, 0, 0}, ops.Lane, "process 11 runs on thread 1")
	r.Threads = 0
	ops, lanes = buildOps(r, spans, &fs, &keys, &errs)
	assert.Equal(t, []string{"p0", "p1", "p11"}, lanes, "one lane per process without Threads")
	assert.Equal(t, []int{0, 1, 2, 0, 0}, ops.Lane)
}

func TestPairOpsRejectsInvalidHistories(t *testing.T) {
	tests := []struct {
		name string
		h    histories.History
		want string
	}{
		{"completion without invoke", histories.History{
			{Process: 0, Type: histories.Invoke}, {Process: 0, Type: histories.OK}, {Process: 0, Type: histories.OK},
		}, "Run.History[2]: process 0 completes (ok) without an invoke"},
		{"two invokes in flight", histories.History{
			{Process: 3, Type: histories.Invoke}, {Process: 3, Type: histories.Invoke},
		}, "Run.History[1]: process 3 invokes while its op at Run.History[0] is in flight"},
		{"negative process", histories.History{{Process: -7, Type: histories.Invoke}}, "Run.History[0].Process: negative process -7"},
		{"unknown type", histories.History{{Process: 0, Type: histories.Invoke}, {Process: 0, Type: 9}}, "Run.History[1].Type: unknown type 9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pairOps(tc.h, 0)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestFormatValue(t *testing.T) {
	long := make([]any, 500)
	for i := range long {
		long[i] = int64(i)
	}
	tests := []struct {
		in   any
		want string
	}{
		{nil, "nil"},
		{int64(-3), "-3"},
		{7, "7"},
		{"x 1 2 y", `"x 1 2 y"`},
		{[]any{int64(1), "a", nil, []any{int64(2)}}, `[1 "a" nil [2]]`},
		{3.5, "3.5"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, formatValue(tc.in))
	}
	got := formatValue(long)
	assert.LessOrEqual(t, len(got), maxValueLen+40, "long values are cut")
	assert.Contains(t, got, "more bytes)")
	assert.Contains(t, formatValue("ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé"), "…", "cut on a rune boundary")
}

func TestFaultRows(t *testing.T) {
	r := &Run{Nodes: []int{1}, End: 100, Faults: []FaultWindow{
		{Fault: "c", Start: 50, End: 60},
		{Fault: "a", Start: 0, End: 40},
		{Fault: "b", Start: 10, End: 20},
		{Fault: "d", Start: 15, End: 55},
		{Fault: "e", Start: 40, End: 45}, // touches a's end: same row
	}}
	var rows = map[string]int{}
	faults, _ := buildFaults(r)
	for _, f := range faults {
		rows[f.Name] = f.Row
	}
	assert.Equal(t, map[string]int{"a": 0, "b": 1, "d": 2, "e": 0, "c": 0}, rows)
}

// TestFaultColors: a fault's colour is its own, the same in every run
// (catalog faults by a fixed table, others by a hash of the name); the
// palette holds each colour once, in order of first start, and the page and
// the plots index it.
func TestFaultColors(t *testing.T) {
	r := &Run{Nodes: []int{1}, End: 100, Faults: []FaultWindow{
		{Fault: "crash-leader", Start: 50, End: 60},
		{Fault: "partition-halves", Start: 0, End: 40},
		{Fault: "crash-leader", Start: 10, End: 20},
		{Fault: "someone-elses-fault", Start: 70, End: 80},
	}}
	faults, palette := buildFaults(r)
	colors := map[string][]int{}
	for _, f := range faults {
		colors[f.Name] = append(colors[f.Name], f.Color)
	}
	assert.Equal(t, map[string][]int{"partition-halves": {0}, "crash-leader": {1, 1}, "someone-elses-fault": {2}}, colors)
	require.Len(t, palette, 3)
	for name, i := range map[string]int{"partition-halves": 0, "crash-leader": 1, "someone-elses-fault": 2} {
		want, _ := FaultColor(name)
		assert.Equal(t, want, hexColor(palette[i]), name)
	}
	// Another run with other faults first: the same colours.
	_, again := buildFaults(&Run{Nodes: []int{1}, End: 100, Faults: []FaultWindow{{Fault: "someone-elses-fault", End: 5}, {Fault: "crash-leader", Start: 6, End: 9}}})
	assert.Equal(t, palette[2], again[0])
	assert.Equal(t, palette[1], again[1])
	_, fixed := FaultColor("someone-elses-fault")
	assert.False(t, fixed)
}
