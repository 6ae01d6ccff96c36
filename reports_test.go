package raftcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		cfg.Bugs = []BugName{"stale-local-read"}
		cfg.Nemesis = []Fault{"partition-isolate-leader", "partition-random-halves"}
		var err error
		res, err = Run(cfg)
		require.NoError(t, err)
	}
	require.NotEmpty(t, res.Counterexample, "a stale-read run within 10 seeds: %v", res.Reasons)
	require.Equal(t, Invalid, res.Verdict)

	summary, err := os.ReadFile(filepath.Join(res.Store, report.SummaryFile))
	require.NoError(t, err)
	s := string(summary)
	for _, want := range []string{"Node ID  State", "Log Size (since snapshot)  Commit Index", "Leader:", "Events processed:", "Simulated time:",
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
