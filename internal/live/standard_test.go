package live

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStandardRunOnExampleNode is a short standard run: setup, the nemesis
// acting through liveFaults (leader isolation, leader crashes, pauses),
// the final heal and a recovery window, on the example node, whose role
// reports the harness reads. Its assertions hold whatever the machine's
// speed: safety (linearizability, the reported election safety), that the
// faults ran and were healed, that roles were seen. Whether the cluster
// recovered within the window is a wall-clock matter, so liveness is only
// required to have been checked, leader part included.
func TestStandardRunOnExampleNode(t *testing.T) {
	cfg := Config{
		Bin: exampleNode, Nodes: 3, Dir: t.TempDir(), Seed: 7, Clients: 4, Workload: "kv", Keys: 3,
		MaxTime: 3 * time.Second, RecoveryTime: 2 * time.Second, RoleRegex: regexp.MustCompile(DefaultRoleRegex), KeepMessages: true,
		Nemesis: nemesis.Config{Faults: []string{"partition-isolate-leader", "crash-leader", "pause-random"}, Interval: 300 * nemesis.Millisecond},
	}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, checker.LinOK, res.Lin.Result, "%v", res.Reasons)
	assert.Empty(t, res.Checked.Invariants)
	assert.Empty(t, res.Faults)
	assert.True(t, res.RolesReported, "the example node reports its roles on stderr")
	require.NotNil(t, res.Liveness)
	assert.Empty(t, res.Liveness.LeaderSkipped)
	assert.NotZero(t, res.FaultEvents)
	var starts, stops int
	for _, op := range res.History {
		if op.Process == histories.NemesisProcess {
			switch {
			case strings.HasPrefix(op.F, "start-"):
				starts++
			case strings.HasPrefix(op.F, "stop-"):
				stops++
			}
			assert.Contains(t, op.Value, "[n", "the nemesis op names the Maelstrom nodes: %v", op.Value)
		}
	}
	assert.Equal(t, res.FaultEvents, starts)
	assert.Equal(t, starts, stops, "the final heal stops every fault")
	for _, n := range res.Nodes {
		assert.True(t, n.Alive, "node %d is up after the heal", n.ID)
		assert.NotContains(t, n.State, "paused")
	}
	require.Len(t, res.rep.faults, res.FaultEvents)
	assert.NotEmpty(t, res.rep.messages, "the timeline's arrows")
	var kinds []string
	for _, m := range res.rep.messages {
		kinds = append(kinds, m.Kind)
	}
	assert.Contains(t, kinds, "raft", "arrows are named by the message's Maelstrom type")
	assert.Equal(t, []string{"setup", "faults", "recovery"}, phaseNames(res.Phases))
}

func phaseNames(ps []PhaseResult) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestStandardConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"clock", func(c *Config) { c.Nemesis.Faults = []string{"crash-random", "clock-skew"} }, "clock-skew is a clock fault"},
		{"disk", func(c *Config) { c.Nemesis.Faults = []string{"torn-write"} }, "torn-write is a disk fault"},
		{"membership", func(c *Config) { c.Nemesis.Faults = []string{"member-churn"} }, "member-churn is a membership fault"},
		{"category", func(c *Config) { c.Nemesis.Faults = []string{"clock"} }, "is a clock fault"},
		{"unknown", func(c *Config) { c.Nemesis.Faults = []string{"crash-everything"} }, "unknown fault"},
		{"both", func(c *Config) { c.Phases = []Phase{{Name: "p", Max: time.Second}} }, "not both"},
		{"recovery", func(c *Config) { c.RecoveryTime = -1 }, "RecoveryTime"},
		{"role regex", func(c *Config) { c.RoleRegex = regexp.MustCompile(`leader (\d+)`) }, "named groups"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Bin: fakeNode, Dir: t.TempDir(), MaxTime: time.Second}
			tc.edit(&cfg)
			_, err := Run(context.Background(), cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestSwarmProfilesAreLiveFaults: a live swarm draws from the seed, as a
// simulated one does, and keeps only faults live mode can inject.
func TestSwarmProfilesAreLiveFaults(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		w, err := sim.NewWorld(sim.Config{Seed: seed})
		require.NoError(t, err)
		p, err := swarmProfile(w, 5)
		require.NoError(t, err)
		require.NotEmpty(t, p.Faults)
		for _, f := range p.Faults {
			assert.Empty(t, Unsupported(f), "seed %d: %s", seed, f)
		}
		w2, err := sim.NewWorld(sim.Config{Seed: seed})
		require.NoError(t, err)
		again, err := swarmProfile(w2, 5)
		require.NoError(t, err)
		assert.Equal(t, p, again, "seed %d: the profile is the seed's", seed)
	}
	for _, fi := range nemesis.Catalog() {
		switch fi.Category {
		case nemesis.CategoryClock, nemesis.CategoryDisk, nemesis.CategoryMembership:
			assert.NotEmpty(t, Unsupported(fi.Name), fi.Name)
		default:
			assert.Empty(t, Unsupported(fi.Name), fi.Name)
		}
	}
}
