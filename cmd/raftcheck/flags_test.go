package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
)

// TestConfigArgsRoundTrip: the flags a Config renders (used by replay commands,
// `raftcheck bugs` and the report header) parse back to the same Config, for
// every knob changed at once — so no knob is missing from the CLI.
func TestConfigArgsRoundTrip(t *testing.T) {
	ms := func(n int) raftcheck.Duration { return raftcheck.Duration(time.Duration(n) * time.Millisecond) }
	want := raftcheck.DefaultConfig()
	want.Seed, want.Name, want.Nodes = 77, "rt", 7
	want.MaxTime, want.RecoveryTime = ms(12500), ms(7000)
	want.Workload, want.Clients, want.Rate, want.Keys, want.KeyDist, want.OpTimeout = "append", 4, 3.5, 3, "zipf", ms(1500)
	want.ReadMode, want.PreVote, want.CheckQuorum = "lease", false, false
	want.TickInterval, want.HeartbeatTicks, want.ElectionTicks = ms(10), 3, 30
	want.SnapshotEvery, want.MaxSessions = 50, 64
	want.Latency, want.LatencyStddev, want.LatencyDist = ms(3), ms(1), "uniform"
	want.MessageDropRate, want.MessageDupRate, want.ReorderRate = 0.01, 0.02, 0.03
	want.SyncLatency, want.DiskCrashMode = ms(2), "tear-last"
	want.Nemesis, want.NemesisInterval, want.MaxCrashed = []string{"flaky", "crash-random"}, ms(2500), 2
	want.ChaosScenario, want.Swarm = "split_brain", true
	want.CheckTimeout, want.Bugs = ms(9000), []string{"no-dedup", "ack-before-fsync"}
	require.NoError(t, want.Validate())

	fs := newFlagSet("run")
	var rf runFlags
	addRunFlags(fs, &rf)
	require.NoError(t, fs.Parse(want.Args()), "args: %v", want.Args())
	require.NoError(t, rf.finish(fs))
	got := rf.cfg
	got.Store, got.TracePath, got.KeepMessages = want.Store, want.TracePath, want.KeepMessages
	assert.Equal(t, want, got)

	// Every flag Config.Flags can name is a registered run flag.
	for _, f := range want.Flags() {
		assert.NotNil(t, fs.Lookup(f.Name), "--%s is not a run flag", f.Name)
	}
}
