package raftcheck

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidateRefusesWhatCannotWork: issue 15 parts 3 and 4 at the API.
// Each field is valid on its own; together they predictably test nothing,
// cannot elect a leader or complete an operation, or blow the event
// budget, and Validate names the flags.
func TestValidateRefusesWhatCannotWork(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(c *Config)
		want []string
	}{
		{"tiny rate", func(c *Config) { c.Rate = 1e-300 }, []string{"(--rate):", "--clients 10", "--rate 1e-300", "fewer than one"}},
		{"no time", func(c *Config) { c.MaxTime, c.RecoveryTime = 1, 0 }, []string{"(--rate):", "--max-time 1ns", "fewer than one"}},
		{"op timeout", func(c *Config) { c.OpTimeout = Duration(time.Microsecond) }, []string{"(--op-timeout):", "one round trip", "--latency 1ms"}},
		{"slow network", func(c *Config) { c.Latency, c.OpTimeout = Duration(time.Second), Duration(5*time.Second) }, []string{"(--latency):", "--election-ticks 50 × --tick-interval 20ms = 1s", "could not elect a leader"}},
		{"slow disk", func(c *Config) { c.SyncLatency = Duration(2 * time.Second) }, []string{"(--sync-latency):", "could not elect a leader"}},
		{"tick storm", func(c *Config) { c.TickInterval, c.ElectionTicks = 1, 1_000_000_000 }, []string{"(--tick-interval):", "--tick-interval 1ns", "event"}},
		{"a year", func(c *Config) { c.MaxTime, c.Rate = Duration(365*24*time.Hour), 1e-4 }, []string{"(--tick-interval):", "--max-time 8760h"}},
		{"huge rate", func(c *Config) { c.Rate, c.MaxTime, c.RecoveryTime = 2e9, 1, 0 }, []string{"(--rate):", "over the limit"}},
		{"swarm and scenario", func(c *Config) { c.Swarm, c.ChaosScenario = true, "split_brain" }, []string{"(--chaos-scenario):", "give one or the other"}},
		{"long name", func(c *Config) { c.Name = strings.Repeat("x", 201) }, []string{"(--name):", "201 bytes"}},
		{"control name", func(c *Config) { c.Name = "a\tb" }, []string{"(--name):", "control character"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := DefaultConfig()
			c.edit(&cfg)
			err := cfg.Validate()
			require.Error(t, err)
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	// The one-node cluster elects itself: no vote crosses the network.
	cfg := DefaultConfig()
	cfg.Nodes, cfg.Latency, cfg.OpTimeout = 1, Duration(time.Second), Duration(5*time.Second)
	assert.NoError(t, cfg.Validate())
}

// TestFlagsLeaveOutWhatTheRunIgnores: a scenario or a swarm run brings its
// own schedule, so the replay line never shows the --nemesis,
// --nemesis-interval and --max-crashed it ignored (the CLI refuses them
// beside a scenario or --swarm).
func TestFlagsLeaveOutWhatTheRunIgnores(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nemesis, cfg.NemesisInterval, cfg.MaxCrashed = []Fault{"crash-leader"}, Duration(2*time.Second), 1
	plain := ReplayCommand(cfg)
	for _, f := range []string{"--nemesis crash-leader", "--nemesis-interval 2s", "--max-crashed 1"} {
		assert.Contains(t, plain, f)
	}
	for _, edit := range []func(c *Config){
		func(c *Config) { c.ChaosScenario = "split_brain" },
		func(c *Config) { c.Swarm = true },
	} {
		c := cfg
		edit(&c)
		line := ReplayCommand(c)
		for _, f := range []string{"--nemesis ", "--nemesis-interval", "--max-crashed"} {
			assert.NotContains(t, line, f)
		}
	}
}

// TestEstimateMemory: issue 15 part 5. The prediction behind refusing a run
// --check-memory cannot hold grows with what a run records and the nodes
// that hold it, is capped by the recorder's limit, and puts the measured
// cases where they were measured (the standard run ~9 MB, the 101-node,
// 1,000-client closed loop ~1.8 GB). Deterministic: no heap is read.
func TestEstimateMemory(t *testing.T) {
	std := DefaultConfig()
	assert.Less(t, std.EstimateMemory(), ByteSize(32<<20), "the standard run")
	big := DefaultConfig()
	big.Nodes, big.Clients, big.Rate = 101, 1000, 0
	assert.Greater(t, big.EstimateMemory(), ByteSize(1500<<20))
	assert.Less(t, big.EstimateMemory(), ByteSize(2500<<20))
	longer := big
	longer.MaxTime *= 10
	assert.Equal(t, big.EstimateMemory(), longer.EstimateMemory(), "capped at the recorder's limit")
	fewer := big
	fewer.Nodes = 5
	assert.Less(t, fewer.EstimateMemory(), big.EstimateMemory())
	paced := std
	paced.Rate *= 10
	assert.Greater(t, paced.EstimateMemory(), std.EstimateMemory())

	// Validate refuses what the bound cannot hold, naming the flags, and
	// takes it under the default bound or with none.
	big.CheckMemory = ByteSize(1 << 30)
	err := big.Validate()
	require.Error(t, err)
	for _, w := range []string{"(--check-memory): 1GiB cannot hold this run", "--nodes 101", "--clients 1000", "--rate 0"} {
		assert.Contains(t, err.Error(), w)
	}
	big.CheckMemory = DefaultConfig().CheckMemory
	assert.NoError(t, big.Validate())
	big.CheckMemory = 0
	assert.NoError(t, big.Validate())
}
