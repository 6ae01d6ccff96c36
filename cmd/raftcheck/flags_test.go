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
// every knob changed at once — so no knob is missing from the CLI. The fault
// schedule comes three ways that exclude one another (named faults, a
// scenario, swarm), one config each: the flags a scenario or swarm run
// ignores are neither rendered nor accepted beside them.
func TestConfigArgsRoundTrip(t *testing.T) {
	ms := func(n int) raftcheck.Duration { return raftcheck.Duration(time.Duration(n) * time.Millisecond) }
	base := raftcheck.DefaultConfig()
	base.Seed, base.Name, base.Nodes = 77, "rt", 7
	base.MaxTime, base.RecoveryTime = ms(12500), ms(7000)
	base.Workload, base.Clients, base.Rate, base.Keys, base.KeyDist, base.OpTimeout = "append", 4, 3.5, 3, "zipf", ms(1500)
	base.ReadMode, base.PreVote, base.CheckQuorum = "log", false, false
	base.TickInterval, base.HeartbeatTicks, base.ElectionTicks = ms(10), 3, 30
	base.SnapshotEvery, base.MaxSessions = 50, 64
	base.Latency, base.LatencyStddev, base.LatencyDist = ms(3), ms(1), "uniform"
	base.MessageDropRate, base.MessageDupRate, base.ReorderRate = 0.01, 0.02, 0.03
	base.SyncLatency, base.DiskCrashMode = ms(2), "tear-last"
	base.CheckTimeout, base.Bugs = ms(9000), []raftcheck.BugName{"no-dedup", "ack-before-fsync"}
	base.CheckMemory, base.CheckSteps = 1536<<20, 123456
	base.Mix = "append=3,read=1"
	for _, c := range []struct {
		name string
		edit func(c *raftcheck.Config)
	}{
		{"named faults", func(c *raftcheck.Config) {
			c.Nemesis, c.NemesisInterval, c.MaxCrashed = []raftcheck.Fault{"flaky", "crash-random"}, ms(2500), 2
		}},
		{"scenario", func(c *raftcheck.Config) { c.ChaosScenario = "split_brain" }},
		{"swarm", func(c *raftcheck.Config) { c.Swarm, c.SwarmFixed = true, raftcheck.SwarmKnobs() }},
		{"swarm drawing", func(c *raftcheck.Config) {
			// The knobs not fixed are drawn: only the fixed one is written.
			*c = raftcheck.DefaultConfig()
			c.Seed, c.Swarm, c.SwarmFixed, c.Nodes = 77, true, []string{"nodes"}, 7
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := base
			c.edit(&want)
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
		})
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
