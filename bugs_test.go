package raftcheck

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/pool"
)

// seedRange returns the seeds lo..hi.
func seedRange(lo, hi uint64) []uint64 {
	out := make([]uint64, 0, hi-lo+1)
	for s := lo; s <= hi; s++ {
		out = append(out, s)
	}
	return out
}

// runSeeds runs cfg on every seed, on the shared worker pool, and returns
// the results in seed order.
func runSeeds(t *testing.T, cfg Config, seeds []uint64) []*Result {
	t.Helper()
	cfg.Store = ""
	out := make([]*Result, len(seeds))
	errs := make([]error, len(seeds))
	pool.Run(context.Background(), len(seeds), max(2, runtime.GOMAXPROCS(0)),
		func(i int) error {
			c := cfg
			c.Seed = seeds[i]
			var err error
			out[i], err = Run(c)
			return err
		}, nil, func(i int, err error) { errs[i] = err })
	for i, err := range errs {
		require.NoError(t, err, "seed %d", seeds[i])
	}
	return out
}

// TestBugsCaught is the planted-bug catalog's proof (issue 8): sweeping seeds
// 1..Budget of each bug's exposure (BugConfig) catches it, with one of the
// findings its entry expects; and the same seeds without the bug — the same
// faults and knobs on a correct system — all pass, so the bug, not the
// recipe, fails the run.
func TestBugsCaught(t *testing.T) {
	for _, b := range Bugs() {
		t.Run(string(b.Name), func(t *testing.T) {
			require.LessOrEqual(t, b.Budget, 200, "issue 8 bounds every budget by 200 seeds")
			require.NotEmpty(t, b.Catches)
			cfg, err := BugConfig(b.Name)
			require.NoError(t, err)
			require.Equal(t, []BugName{b.Name}, cfg.Bugs)
			start := time.Now()
			c, err := SweepUntilCaught(context.Background(), cfg, b, seedRange(1, uint64(b.Budget)), 0)
			require.NoError(t, err)
			require.NotZero(t, c.Seed, "%s: not caught by %v in seeds 1..%d", b.Name, b.Catches, b.Budget)
			assert.Equal(t, Invalid, c.Result.Verdict)
			assert.Subset(t, b.Catches, c.Found)
			t.Logf("%s: caught at seed %d (%d seeds, %.1fs wall) by %v at %v of simulated time",
				b.Name, c.Seed, c.Seeds, time.Since(start).Seconds(), c.Found, c.At.Round(time.Millisecond))

			control := b.controlConfig(cfg)
			require.Empty(t, control.Bugs)
			for i, res := range runSeeds(t, control, seedRange(1, c.Seed)) {
				assert.Equal(t, Valid, res.Verdict, "%s exposure without the bug, seed %d: %v", b.Name, i+1, res.Reasons)
			}
		})
	}
}

// TestSweepUntilCaughtOrder: the catch is the lowest catching seed whatever
// the number of workers, and a sweep that catches nothing says so.
func TestSweepUntilCaughtOrder(t *testing.T) {
	b, ok := LookupBug("commit-old-term")
	require.True(t, ok)
	cfg, err := BugConfig(b.Name)
	require.NoError(t, err)
	seeds := seedRange(1, 30)
	one, err := SweepUntilCaught(context.Background(), cfg, b, seeds, 1)
	require.NoError(t, err)
	three, err := SweepUntilCaught(context.Background(), cfg, b, seeds, 3)
	require.NoError(t, err)
	require.NotZero(t, one.Seed)
	assert.Equal(t, one.Seed, three.Seed)
	assert.Equal(t, one.Seeds, three.Seeds)
	assert.Equal(t, one.Found, three.Found)
	assert.Equal(t, one.At, three.At)
	assert.Positive(t, one.At)

	none, err := SweepUntilCaught(context.Background(), b.controlConfig(cfg), b, seedRange(1, 3), 2)
	require.NoError(t, err)
	assert.Zero(t, none.Seed, "the correct system is never caught")
	assert.Equal(t, 3, none.Seeds)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = SweepUntilCaught(ctx, cfg, b, seeds, 2)
	assert.ErrorIs(t, err, context.Canceled)
}

// TestBugConfig: the recipe plants the bug and names the runs after it; an
// unknown bug is an error naming the known ones.
func TestBugConfig(t *testing.T) {
	cfg, err := BugConfig("no-dedup")
	require.NoError(t, err)
	assert.Equal(t, "bug-no-dedup", cfg.Name)
	assert.Equal(t, []BugName{BugNoDedup}, cfg.Bugs)
	assert.Equal(t, WorkloadAppend, cfg.Workload)
	require.NoError(t, cfg.Validate())

	_, err = BugConfig("no-such-bug")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown bug "no-such-bug"`)
	assert.Contains(t, err.Error(), "commit-old-term")

	b, _ := LookupBug("stale-local-read")
	cfg = DefaultConfig()
	cfg.Bugs = []BugName{"no-dedup"}
	b.Apply(&cfg)
	assert.Equal(t, []BugName{BugNoDedup, BugStaleLocalRead}, cfg.Bugs, "other planted bugs stay")
}

// TestFindings names each checker's finding once, sorted.
func TestFindings(t *testing.T) {
	r := &Result{
		Linearizability: "illegal",
		Liveness:        "failed",
		Invariants:      []checker.Violation{{Invariant: checker.SingleVote}, {Invariant: checker.ElectionSafety}},
		Problems:        []checker.Problem{{Check: FindAnomaly}, {Check: FindAnomaly}, {Check: checker.CheckDigest}},
	}
	assert.Equal(t, []string{FindAnomaly, checker.CheckDigest, checker.ElectionSafety, FindLinearizability, FindLiveness, checker.SingleVote}, Findings(r))
	assert.Empty(t, Findings(&Result{Linearizability: "ok", Liveness: "ok"}))
	b, _ := LookupBug("vote-reset-same-term")
	assert.Equal(t, []string{checker.ElectionSafety, checker.SingleVote}, b.Caught(r))
}

// TestCleanSweep: the standard run (DefaultConfig) on seeds 1..100 passes
// every check; `make soak` runs 1,000.
func TestCleanSweep(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Store = ""
	for i, res := range runSeeds(t, cfg, seedRange(1, 100)) {
		assert.Equal(t, Valid, res.Verdict, "seed %d: %v\n  replay: %s", i+1, res.Reasons, res.Replay)
	}
}
