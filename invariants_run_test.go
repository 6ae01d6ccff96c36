package raftcheck

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
)

// keptWriteConfig is a run where crashes keep part of the unsynced writes: a
// follower that replaced its log's tail with an equally long one often
// restarts with the new tail, or the old one.
func keptWriteConfig(crashMode string, nemesis ...Fault) Config {
	cfg := DefaultConfig()
	cfg.Store = ""
	cfg.Nodes, cfg.Keys, cfg.ElectionTicks = 3, 50, 20
	cfg.MaxTime, cfg.RecoveryTime = Duration(60*time.Second), Duration(5*time.Second)
	cfg.SyncLatency = Duration(100 * time.Millisecond)
	cfg.Nemesis, cfg.NemesisInterval = nemesis, Duration(150*time.Millisecond)
	// A step bound, not a timeout: the verdict must not depend on the
	// machine's speed (the run's own 60s timeout is only a safety net).
	cfg.CheckSteps = 2_000_000
	if crashMode != "" {
		cfg.DiskCrashMode = crashMode
	}
	return cfg
}

// TestInvariantsKeptUnsyncedWrites: correct runs whose crashes kept an
// unsynced write that replaced a log's tail — seeds the invariant checker
// once failed with log-matching and "applied ... but its log holds" reports,
// because it took the restarted log for the older one of the same length —
// are valid.
func TestInvariantsKeptUnsyncedWrites(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cfg   Config
		seeds []uint64
	}{
		{"lose-unsynced and torn-write faults", keptWriteConfig("", "lose-unsynced", "torn-write", "partition-isolate-leader"), []uint64{6, 8, 16, 64}},
		{"keep-prefix disks", keptWriteConfig("keep-prefix", "crash-random", "crash-leader", "partition-random-halves"), []uint64{20}},
		{"keep-prefix disks, crash-all", keptWriteConfig("keep-prefix", "crash-random", "crash-leader", "crash-all", "partition-random-halves"), []uint64{16, 28, 34, 39, 71, 88}},
		{"tear-last disks, crash-all", keptWriteConfig("tear-last", "crash-random", "crash-leader", "crash-all", "partition-random-halves"), []uint64{56}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i, res := range runSeeds(t, tc.cfg, tc.seeds) {
				assert.Equal(t, Valid, res.Verdict, "seed %d: %v\n  replay: %s", tc.seeds[i], res.Reasons, res.Replay)
			}
		})
	}
}

// TestNoPersistVoteCaughtBySingleVote: a vote granted but never persisted is
// forgotten in a crash; the node's second grant in the term is a single-vote
// breach, seen from the vote replies it sends, whether or not two leaders
// follow.
func TestNoPersistVoteCaughtBySingleVote(t *testing.T) {
	cfg, err := BugConfig("no-persist-vote")
	require.NoError(t, err)
	found := false
	for _, res := range runSeeds(t, cfg, seedRange(1, 10)) {
		found = found || slices.ContainsFunc(res.Invariants, func(v checker.Violation) bool { return v.Invariant == checker.SingleVote })
	}
	assert.True(t, found, "single-vote caught no-persist-vote in seeds 1..10")
}
