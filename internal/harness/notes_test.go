package harness

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/options"
)

// TestFaultWindowsRecordPartitions: a partition's window carries the links
// its fault blocked, so the reports can show its sides.
func TestFaultWindowsRecordPartitions(t *testing.T) {
	cfg := options.Default()
	cfg.KeepMessages = false
	cfg.MaxTime = 30 * time.Second
	cfg.Nemesis.Faults = []string{"partition-isolate-leader"}
	x, err := Prepare(cfg)
	require.NoError(t, err)
	require.NoError(t, x.Simulate(context.Background()))
	windows := x.faults.closeWindows(int64(x.healTime))
	require.NotEmpty(t, windows)
	for _, w := range windows {
		require.Len(t, w.Targets, 1, "isolate-leader acts on one node")
		isolated := w.Targets[0]
		assert.Len(t, w.Links, 2*(cfg.Nodes-1), "every link to and from the isolated node, and no other")
		for _, l := range w.Links {
			assert.True(t, l[0] == isolated || l[1] == isolated, "link %v touches node %d", l, isolated)
		}
	}
}

func TestNodeNotes(t *testing.T) {
	ev := []report.NodeEvent{
		{Time: 10, Node: 1, Kind: report.EventRole, Role: checker.RoleLeader, Term: 2},
		{Time: 15, Node: 1, Kind: report.EventRole, Role: checker.RoleLeader, Term: 2}, // repeated: same window
		{Time: 20, Node: 1, Kind: report.EventPause},
		{Time: 30, Node: 1, Kind: report.EventResume},
		{Time: 40, Node: 1, Kind: report.EventCrash},
		{Time: 50, Node: 1, Kind: report.EventRestart},
		{Time: 60, Node: 2, Kind: report.EventDown},
		{Time: 70, Node: 2, Kind: report.EventRestart},
		{Time: 80, Node: 10, Kind: report.EventRole, Role: checker.RoleLeader, Term: 3},
	}
	got := nodeNotes(ev, 10, 100)
	type w struct {
		tag, label string
		start, end int64
	}
	var ws []w
	for _, a := range got {
		ws = append(ws, w{a.Tag, a.Label, a.Start, a.End})
	}
	assert.Equal(t, []w{
		{"node 01", "paused", 20, 30},
		{"node 01", "leader t2", 10, 40},
		{"node 01", "crashed", 40, 50},
		{"node 02", "fail-stop", 60, 70},
		{"node 10", "leader t3", 80, 100},
	}, ws)
}
