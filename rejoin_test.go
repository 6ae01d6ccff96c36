package raftcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWipedIDReusedOnlyOnceNoDiskCountsItsOldDisk: swarm seed 2786. Node 2,
// re-added with an empty disk, was sent a snapshot at index 555 whose
// configuration was {1,2,3}, and was removed again before it caught up;
// node 1 had meanwhile been removed (index 581), wiped and re-added under
// its id (603). Node 2 then won term 33 with its stale configuration and
// the empty node 1's vote, and overwrote committed entries (index 556 on):
// no Raft survives a voter's disk being lost while a configuration that
// counts it can still be used. The harness now reuses a wiped node's id
// only once every disk with a log has a durable snapshot at or after the
// removal (harness simFaults.mayReuse). This is the run's explicit command.
func TestWipedIDReusedOnlyOnceNoDiskCountsItsOldDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("a full 60 s simulated run")
	}
	ms := func(us int) Duration { return Duration(time.Duration(us) * time.Microsecond) }
	cfg := DefaultConfig()
	cfg.Seed, cfg.Store = 2786, t.TempDir()
	cfg.Workload, cfg.Clients, cfg.Rate, cfg.Keys, cfg.OpTimeout = "append", 4, 25, 56, ms(1_747_000)
	cfg.CheckQuorum, cfg.TickInterval, cfg.HeartbeatTicks, cfg.ElectionTicks = false, ms(38_000), 2, 10
	cfg.SnapshotEvery, cfg.Latency, cfg.LatencyStddev = 31, ms(152), ms(68)
	cfg.MessageDropRate, cfg.SyncLatency, cfg.DiskCrashMode = 0.0309, ms(34_708), "keep-prefix"
	cfg.Nemesis = []Fault{"partition-isolate-leader", "partition-leader-minority", "member-churn"}
	cfg.NemesisInterval, cfg.MaxCrashed = ms(178_000), 2
	cfg.NemesisTuning = "jitter=0.171,max-active=3,churn-wipe=0.991,churn-leader=0.381"
	res, err := Run(cfg)
	require.NoError(t, err)
	t.Logf("trace hash %s", res.TraceHash)
	assert.Equal(t, Valid, res.Verdict, "%v\n  replay: %s", res.Reasons, res.Replay)
	// The run must still exercise what it is about: nodes coming back with
	// empty disks, not a churn that never wipes.
	history, err := os.ReadFile(filepath.Join(res.Store, "history.jsonl"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, strings.Count(string(history), "is back as a member with an empty disk"), 10)
}
