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
	want.ReadMode, want.PreVote, want.CheckQuorum = "log", false, false
	want.TickInterval, want.HeartbeatTicks, want.ElectionTicks = ms(10), 3, 30
	want.SnapshotEvery, want.MaxSessions = 50, 64
	want.Latency, want.LatencyStddev, want.LatencyDist = ms(3), ms(1), "uniform"
	want.MessageDropRate, want.MessageDupRate, want.ReorderRate = 0.01, 0.02, 0.03
	want.SyncLatency, want.DiskCrashMode = ms(2), "tear-last"
	want.Nemesis, want.NemesisInterval, want.MaxCrashed = []string{"flaky", "crash-random"}, ms(2500), 2
	want.ChaosScenario, want.Swarm = "split_brain", true
	want.CheckTimeout, want.Bugs = ms(9000), []string{"no-dedup", "ack-before-fsync"}
	want.CheckMemory = 1536 << 20
	want.Mix = "append=3,read=1"
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

// TestParseDuration: Go durations and bare seconds parse; negative, huge and
// NaN seconds and other words are errors that quote the input.
func TestParseDuration(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Duration
	}{
		{"60", time.Minute}, {"1.5", 1500 * time.Millisecond}, {"0", 0}, {"90s", 90 * time.Second}, {"1.5m", 90 * time.Second}, {"150ms", 150 * time.Millisecond},
	} {
		got, err := parseDuration(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, in := range []string{"-1", "-1s", "-2m30s", "1e10", "NaN", "nan", "+Inf", "soon", ""} {
		_, err := parseDuration(in)
		require.Error(t, err, in)
		assert.Contains(t, err.Error(), in, "the error quotes the input")
	}
}
