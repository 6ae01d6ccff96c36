package raftcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
)

// TestReportsOfFailingRun: a run with a planted stale-read bug under
// partitions writes reports that explain it: summary.txt holds the node
// table, the run's facts, the verdict and the explanation lines; the
// timeline holds the counterexample and the partitions' sides; the
// linearizability page leads with the verdict and the explanation.
func TestReportsOfFailingRun(t *testing.T) {
	var res *Result
	for seed := uint64(1); seed <= 10 && (res == nil || len(res.Counterexample) == 0); seed++ {
		cfg := DefaultConfig()
		cfg.Seed = seed
		cfg.Store = t.TempDir()
		cfg.MaxTime = Duration(30 * time.Second)
		cfg.RecoveryTime = Duration(5 * time.Second)
		cfg.Bugs = []string{"stale-local-read"}
		cfg.Nemesis = []string{"partition-isolate-leader", "partition-random-halves"}
		var err error
		res, err = Run(cfg)
		require.NoError(t, err)
	}
	require.NotEmpty(t, res.Counterexample, "a stale-read run within 10 seeds: %v", res.Reasons)
	require.Equal(t, Invalid, res.Verdict)

	summary, err := os.ReadFile(filepath.Join(res.Store, report.SummaryFile))
	require.NoError(t, err)
	s := string(summary)
	for _, want := range []string{"Node ID  State", "Log Size  Commit", "Leader:", "Events processed:", "Simulated time:",
		"Node states:", "Alive:", "Verdict:           invalid", "cannot be linearized together"} {
		assert.Contains(t, s, want)
	}
	assert.Regexp(t, `served by node \d+, leader of term \d+, while node \d+ was leader of term \d+`, s, "the explanation names the stale leader")

	page, err := os.ReadFile(filepath.Join(res.Store, report.TimelineFile))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(page), `"cex":{"ops":[`), "the timeline holds the counterexample")
	assert.True(t, strings.Contains(string(page), `"groups":[[`), "the timeline holds a partition's sides")

	lin, err := os.ReadFile(filepath.Join(res.Store, "linearizability.html"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(lin), `<span class="rc-badge">not linearizable</span>`))
	assert.True(t, strings.Contains(string(lin), "no order of the others leaves room for it"))
}

// TestFaultWindowsRecordPartitions: a partition's window carries the links
// its fault blocked, so the reports can show its sides.
func TestFaultWindowsRecordPartitions(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Store = ""
	cfg.MaxTime = Duration(30 * time.Second)
	cfg.Nemesis = []string{"partition-isolate-leader"}
	x, err := prepare(cfg)
	require.NoError(t, err)
	require.NoError(t, x.simulate())
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
