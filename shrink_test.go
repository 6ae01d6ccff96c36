package raftcheck

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
)

// failingRun returns the first seed of cfg from 1 whose run is invalid,
// failing the test if none of the first max is.
func failingRun(t *testing.T, cfg Config, max uint64) (Config, *Result) {
	t.Helper()
	cfg.Store = ""
	for seed := uint64(1); seed <= max; seed++ {
		cfg.Seed = seed
		res, err := Run(cfg)
		require.NoError(t, err)
		if res.Verdict == Invalid {
			return cfg, res
		}
	}
	t.Fatalf("no failing seed in 1..%d", max)
	return cfg, nil
}

// noDedupRun is a short failing run of the no-dedup planted bug on its
// recipe: a lossy network under the append workload.
func noDedupRun(t *testing.T) (Config, *Result) {
	cfg, err := BugConfig("no-dedup")
	require.NoError(t, err)
	cfg.MaxTime = Duration(20 * time.Second)
	return failingRun(t, cfg, 10)
}

// TestShrinkKeepsTheFailureAndReplays: the shrunk run is smaller, keeps the
// original's primary finding, replays bit for bit (as a config, and stored
// then replayed), and the record says what was removed.
func TestShrinkKeepsTheFailureAndReplays(t *testing.T) {
	cfg, orig := noDedupRun(t)
	res, err := Shrink(context.Background(), cfg, ShrinkOptions{MaxRuns: 60})
	require.NoError(t, err)
	assert.Equal(t, PrimaryFinding(orig), res.Target)
	assert.Equal(t, orig.TraceHash, res.Before.TraceHash, "the explicit run with its recorded schedule is the original run")
	assert.Contains(t, Findings(res.After), res.Target)
	assert.Equal(t, Invalid, res.After.Verdict)
	assert.LessOrEqual(t, res.Runs, 60)
	require.NotEmpty(t, res.Steps, "nothing shrank")
	assert.Less(t, res.AfterSummary.Ops, res.BeforeSummary.Ops)
	assert.LessOrEqual(t, res.AfterSummary.Windows, res.BeforeSummary.Windows)
	assert.LessOrEqual(t, res.Shrunk.MaxTime, res.Original.MaxTime)
	assert.NotEmpty(t, res.Shrunk.NemesisSchedule, "the shrunk run's schedule is explicit")

	again, err := Run(res.Shrunk)
	require.NoError(t, err)
	assert.Equal(t, res.After.TraceHash, again.TraceHash, "the shrunk config replays bit for bit")

	store := t.TempDir()
	stored, err := StoreShrink(res, store)
	require.NoError(t, err)
	assert.Equal(t, res.After.TraceHash, stored.TraceHash)
	assert.Contains(t, stored.Store, ShrunkName(cfg.Name))
	for _, f := range []string{"shrink.json", "shrink.txt", "results.json"} {
		assert.FileExists(t, filepath.Join(stored.Store, f))
	}
	raw, err := os.ReadFile(filepath.Join(stored.Store, "shrink.json"))
	require.NoError(t, err)
	var rec struct {
		Target string        `json:"target"`
		Before ShrinkSummary `json:"before"`
		After  ShrinkSummary `json:"after"`
		Replay string        `json:"replay"`
	}
	require.NoError(t, json.Unmarshal(raw, &rec))
	assert.Equal(t, res.Target, rec.Target)
	assert.Equal(t, res.AfterSummary, rec.After)
	assert.Contains(t, rec.Replay, "raftcheck replay ")

	prev, rcfg, err := LoadRun(stored.Store)
	require.NoError(t, err)
	rcfg.Store = ""
	replayed, err := Run(rcfg)
	require.NoError(t, err)
	assert.Equal(t, prev.TraceHash, replayed.TraceHash, "the stored shrunk run replays bit for bit")
}

// TestShrinkIsDeterministicAndBounded: bounded by runs, the search gives the
// same run whatever the workers, and spends no more runs than allowed.
func TestShrinkIsDeterministicAndBounded(t *testing.T) {
	cfg, _ := noDedupRun(t)
	one, err := Shrink(context.Background(), cfg, ShrinkOptions{MaxRuns: 25, Workers: 1})
	require.NoError(t, err)
	three, err := Shrink(context.Background(), cfg, ShrinkOptions{MaxRuns: 25, Workers: 3})
	require.NoError(t, err)
	assert.Equal(t, one.Shrunk, three.Shrunk)
	assert.Equal(t, one.After.TraceHash, three.After.TraceHash)
	assert.Equal(t, one.Steps, three.Steps)

	tiny, err := Shrink(context.Background(), cfg, ShrinkOptions{MaxRuns: 5})
	require.NoError(t, err)
	assert.LessOrEqual(t, tiny.Runs, 5)
	assert.Equal(t, "runs", tiny.Stopped)
	assert.Contains(t, Findings(tiny.After), tiny.Target, "even a search cut short keeps a failing run")
}

// TestShrinkRefusesARunThatDoesNotFail: a valid run, or one that does not
// show the asked-for finding, is ErrNotFailing.
func TestShrinkRefusesARunThatDoesNotFail(t *testing.T) {
	ok := quick(1)
	ok.MaxTime = Duration(5 * time.Second)
	_, err := Shrink(context.Background(), ok, ShrinkOptions{MaxRuns: 5})
	require.ErrorIs(t, err, ErrNotFailing)

	cfg, _ := noDedupRun(t)
	_, err = Shrink(context.Background(), cfg, ShrinkOptions{MaxRuns: 5, Target: "election-safety"})
	require.ErrorIs(t, err, ErrNotFailing)
}

// TestShrinkASwarmRun: a swarm run is made explicit first (its draw written
// out), and the shrunk run is no swarm run.
func TestShrinkASwarmRun(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Swarm, cfg.Bugs, cfg.MaxTime = true, []BugName{"no-persist-term"}, Duration(20*time.Second)
	cfg, orig := failingRun(t, cfg, 10)
	res, err := Shrink(context.Background(), cfg, ShrinkOptions{MaxRuns: 30})
	require.NoError(t, err)
	assert.Equal(t, orig.TraceHash, res.Before.TraceHash, "the explicit form is the swarm run")
	assert.False(t, res.Original.Swarm)
	assert.False(t, res.Shrunk.Swarm)
	assert.Contains(t, Findings(res.After), res.Target)
}

// TestShrinkRemovesWindowsOfAnExplicitSchedule: the window pass removes
// windows of the recorded schedule one by one, each removal leaving the
// others' steps at their times.
func TestShrinkRemovesWindowsOfAnExplicitSchedule(t *testing.T) {
	sched := []nemesis.Step{
		{At: 1, Fault: "flaky", Start: true}, {At: 2, Fault: "crash-leader", Start: true},
		{At: 3}, {At: 4, Fault: "flaky"}, {At: 5, Fault: "crash-leader"},
	}
	ws := nemesis.Windows(sched)
	require.Len(t, ws, 2)
	got := dropWindows(sched, ws[:1])
	assert.Equal(t, []nemesis.Step{{At: 2, Fault: "crash-leader", Start: true}, {At: 3}, {At: 5, Fault: "crash-leader"}}, got)
	assert.Equal(t, []int{1, 2, 3}, smaller(4, 1))
	assert.Equal(t, []int{1, 3, 6, 12, 25, 49}, smaller(50, 1))
	assert.True(t, slices.IsSorted(smaller(7, 1)))
	assert.Empty(t, smaller(1, 1))
}
