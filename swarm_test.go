package raftcheck

import (
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

// swarmCfg is a swarm run of seed for tests: short, not stored.
func swarmCfg(seed uint64) Config {
	cfg := quick(seed)
	cfg.Swarm = true
	cfg.MaxTime = Duration(10 * time.Second)
	cfg.RecoveryTime = Duration(5 * time.Second)
	return cfg
}

// drawn resolves c, failing the test on error.
func drawn(t *testing.T, c Config) Config {
	t.Helper()
	d, err := c.Resolve()
	require.NoError(t, err, "seed %d", c.Seed)
	return d
}

// TestSwarmDrawIsDeterministicAndVaried: the seed alone decides the draw;
// every draw is a valid run, with Swarm off and no knob left to draw; the
// knobs vary over seeds, corners included.
func TestSwarmDrawIsDeterministicAndVaried(t *testing.T) {
	seen := map[string]map[string]bool{}
	corners := map[string]int{}
	for seed := uint64(1); seed <= 300; seed++ {
		c := swarmCfg(seed)
		d := drawn(t, c)
		corners[c.SwarmCorner()]++
		require.Equal(t, d, drawn(t, c), "seed %d: two draws differ", seed)
		require.NoError(t, d.Validate(), "seed %d", seed)
		assert.False(t, d.Swarm)
		assert.Empty(t, d.SwarmFixed)
		for _, k := range SwarmKnobs() {
			if seen[k] == nil {
				seen[k] = map[string]bool{}
			}
			seen[k][knobFlag(&d, k).Value] = true
		}
	}
	for _, k := range SwarmKnobs() {
		assert.Greater(t, len(seen[k]), 1, "knob %s never varies", k)
	}
	for k, corner := range map[string]string{"nodes": "3", "read-mode": "lease", "heartbeat-ticks": "1", "keys": "1", "key-dist": "zipf", "snapshot-every": "0", "workload": "append", "prevote": "false"} {
		assert.True(t, seen[k][corner], "%s=%s never drawn", k, corner)
	}
	assert.False(t, seen["read-mode"]["local"], "the unsafe read mode is never drawn")
	for _, k := range swarmCorners {
		assert.Greater(t, corners[k], 20, "corner %s is drawn", k)
	}
}

// TestSwarmDrawsArePhysicallyPossible: drawn latency and fsync stay well
// under the election timeout, heartbeats come several times per timeout,
// the recorder has room, and no profile takes a majority down for good.
func TestSwarmDrawsArePhysicallyPossible(t *testing.T) {
	for seed := uint64(1); seed <= 500; seed++ {
		d := drawn(t, swarmCfg(seed))
		et := time.Duration(d.ElectionTicks) * time.Duration(d.TickInterval)
		assert.LessOrEqual(t, time.Duration(d.Latency), max(et/5, 100*time.Microsecond), "seed %d", seed)
		assert.LessOrEqual(t, time.Duration(d.SyncLatency), max(et/4, 100*time.Microsecond), "seed %d", seed)
		if !d.PreVote {
			assert.LessOrEqual(t, time.Duration(d.SyncLatency), max(et/16, 100*time.Microsecond), "seed %d: slow disk without PreVote", seed)
		}
		assert.LessOrEqual(t, 10*et, time.Duration(d.RecoveryTime), "seed %d: the recovery window spans ten elections", seed)
		assert.LessOrEqual(t, 3*time.Duration(d.OpTimeout), time.Duration(d.RecoveryTime), "seed %d", seed)
		assert.GreaterOrEqual(t, d.ElectionTicks, 4*d.HeartbeatTicks, "seed %d", seed)
		assert.GreaterOrEqual(t, d.ElectionTicks, 10, "seed %d", seed)
		assert.GreaterOrEqual(t, time.Duration(d.OpTimeout), 3*et, "seed %d", seed)
		var p nemesis.Config
		require.NoError(t, nemesis.ParseTuning(d.NemesisTuning, &p))
		if p.Intensity.SyncLatency > 0 {
			assert.LessOrEqual(t, p.Intensity.SyncLatency, int64(max(et/5, time.Millisecond)), "seed %d: slow-fsync", seed)
			if !d.PreVote {
				assert.LessOrEqual(t, p.Intensity.SyncLatency, int64(max(et/16, time.Millisecond)), "seed %d: slow-fsync without PreVote", seed)
			}
		}
		if slices.Contains(d.Nemesis, "member-churn") {
			assert.True(t, d.PreVote, "seed %d: members that come back behind would disrupt every election without PreVote", seed)
		}
		hot := d.Keys
		switch {
		case d.Workload == "register":
			hot = 1
		case d.KeyDist == "zipf":
			hot = max(1, d.Keys/3)
		}
		opTime := (4*time.Duration(d.Latency) + 2*time.Duration(d.SyncLatency)).Seconds()
		if d.Clients > 1 {
			// The rate is drawn before it is rounded to 0.1 op/s.
			assert.LessOrEqual(t, float64(d.Clients)*min(1, max(d.Rate-0.05, 0)*opTime)/float64(hot), swarmHotInFlight+1e-9,
				"seed %d: operations in flight on the hottest key", seed)
		}
		if c := swarmCfg(seed); c.SwarmCorner() != CornerFree {
			assert.GreaterOrEqual(t, p.MaxActive, 2, "seed %d (%s corner): the corner's faults act together", seed, c.SwarmCorner())
			if c.SwarmCorner() != CornerSlowNetwork {
				assert.NotEqual(t, Workload("register"), d.Workload, "seed %d (%s corner): the single register under leader churn", seed, c.SwarmCorner())
			}
		}
		permanent := slices.Contains(d.Nemesis, "corrupt") || slices.Contains(d.Nemesis, "member-churn")
		if permanent {
			assert.LessOrEqual(t, d.MaxCrashed, (d.Nodes-1)/2, "seed %d: a majority down for good", seed)
		}
	}
}

// TestSwarmKeepsFixedKnobs: a knob SwarmFixed names keeps its value, and
// fixing it leaves the draws of knobs that do not depend on it alone.
func TestSwarmKeepsFixedKnobs(t *testing.T) {
	set := func(c *Config) {
		c.Nodes, c.Workload, c.Keys, c.ReadMode, c.PreVote = 7, "register", 42, "log", true
		c.Nemesis, c.NemesisInterval, c.SyncLatency = []Fault{"flaky", "crash-leader"}, Duration(3*time.Second), Duration(7*time.Millisecond)
	}
	fixed := []string{"nodes", "workload", "keys", "read-mode", "prevote", "nemesis", "nemesis-interval", "sync-latency"}
	for seed := uint64(1); seed <= 50; seed++ {
		free := drawn(t, swarmCfg(seed))
		c := swarmCfg(seed)
		set(&c)
		c.SwarmFixed = fixed
		d := drawn(t, c)
		want := free
		set(&want)
		for _, k := range fixed {
			assert.Equal(t, knobFlag(&want, k), knobFlag(&d, k), "seed %d: fixed %s was drawn", seed, k)
		}
		for _, k := range []string{"key-dist", "disk-crash-mode", "latency-dist", "tick-interval", "message-drop-rate", "snapshot-every"} {
			assert.Equal(t, knobFlag(&free, k), knobFlag(&d, k), "seed %d: fixing others changed %s", seed, k)
		}
	}

	bad := swarmCfg(1)
	bad.SwarmFixed = []string{"max-time"}
	assert.ErrorContains(t, bad.Validate(), `Config.SwarmFixed (--swarm-fixed): "max-time" is not a knob the swarm draws`)
	off := quick(1)
	off.SwarmFixed = []string{"nodes"}
	assert.ErrorContains(t, off.Validate(), "Config.SwarmFixed (--swarm-fixed): names knobs to keep under --swarm, but --swarm is off")
	chaos := swarmCfg(1)
	chaos.ChaosScenario = "default"
	assert.ErrorContains(t, chaos.Validate(), "Config.ChaosScenario (--chaos-scenario): --swarm draws the faults")
}

// TestSwarmLeaseExclusion: lease reads are never drawn with pauses or clock
// faults (on a correct Raft those fail: the lease hazard); asking for lease
// reads (the flag, or a bug that acts only under leases) lets them be drawn
// together; a fixed fault list with a pause keeps lease reads out.
func TestSwarmLeaseExclusion(t *testing.T) {
	hazard := func(d Config) bool {
		return slices.ContainsFunc(d.Nemesis, func(f Fault) bool { return slices.Contains(leaseHazardFaults, string(f)) })
	}
	leases, asked, forced := 0, 0, 0
	for seed := uint64(1); seed <= 300; seed++ {
		d := drawn(t, swarmCfg(seed))
		if d.ReadMode == "lease" {
			leases++
			assert.False(t, hazard(d), "seed %d: lease reads drawn with %v", seed, d.Nemesis)
			assert.True(t, d.CheckQuorum, "seed %d: lease reads need CheckQuorum", seed)
		}
		c := swarmCfg(seed)
		c.ReadMode, c.SwarmFixed = "lease", []string{"read-mode"}
		if hazard(drawn(t, c)) {
			asked++
		}
		c = swarmCfg(seed)
		c.Bugs = []BugName{"lease-wall-clock"}
		if d := drawn(t, c); hazard(d) {
			forced++
			assert.Equal(t, ReadModeLease, d.ReadMode)
		}
		c = swarmCfg(seed)
		c.Nemesis, c.SwarmFixed = []Fault{"pause-leader"}, []string{"nemesis"}
		assert.NotEqual(t, "lease", drawn(t, c).ReadMode, "seed %d", seed)
	}
	assert.Greater(t, leases, 30, "lease reads are a corner the swarm visits")
	assert.Greater(t, asked, 30, "with --read-mode lease the hazardous faults are drawn too")
	assert.Greater(t, forced, 30, "a lease-only bug asks for lease reads")
}

// TestSwarmDrawsBugModes: a planted bug that acts only in some read modes
// is drawn with those modes, and one that needs CheckQuorum off gets it.
func TestSwarmDrawsBugModes(t *testing.T) {
	for _, b := range Bugs() {
		if b.ReadModes == nil {
			continue
		}
		modes := map[ReadMode]bool{}
		for seed := uint64(1); seed <= 60; seed++ {
			c := swarmCfg(seed)
			c.Bugs = []BugName{b.Name}
			d := drawn(t, c)
			require.NoError(t, d.Validate(), "%s seed %d", b.Name, seed)
			assert.Contains(t, b.ReadModes, d.ReadMode, "%s seed %d", b.Name, seed)
			modes[d.ReadMode] = true
			if b.Name == "lease-without-checkquorum" {
				assert.False(t, d.CheckQuorum, "seed %d: the bug acts only with CheckQuorum off", seed)
			}
		}
		assert.Len(t, modes, len(b.ReadModes), "%s: every mode it acts in is drawn", b.Name)
	}
}

// TestSwarmRunIsItsExplicitRun: a swarm run, its replay and the explicit
// configuration (Resolve, the "explicit" command) are the same run, trace
// hash included; results.json stores the draw and the config replays it.
func TestSwarmRunIsItsExplicitRun(t *testing.T) {
	profiles := map[string]uint64{}
	for seed := uint64(1); seed <= 4; seed++ {
		cfg := swarmCfg(seed)
		cfg.Store = t.TempDir()
		res, err := Run(cfg)
		require.NoError(t, err)
		require.NotNil(t, res.Swarm, "seed %d: no profile in the result", seed)
		require.Equal(t, res.Swarm.Config().WithDefaults().Faults, res.Nemesis.Faults, "the run used the profile's faults")
		require.Len(t, res.SwarmDraw, len(SwarmKnobs()))
		assert.Contains(t, res.Replay, "--swarm")
		assert.NotContains(t, res.Explicit, "--swarm")
		if prev, dup := profiles[res.Swarm.String()]; dup {
			t.Fatalf("seeds %d and %d drew the same profile %s", prev, seed, res.Swarm)
		}
		profiles[res.Swarm.String()] = seed

		raw, err := os.ReadFile(filepath.Join(res.Store, "results.json"))
		require.NoError(t, err)
		var stored struct {
			Swarm     *nemesis.Profile `json:"swarm"`
			SwarmDraw []Flag           `json:"swarm_draw"`
			Explicit  string           `json:"explicit"`
			Config    map[string]any   `json:"config"`
		}
		require.NoError(t, json.Unmarshal(raw, &stored))
		require.NotNil(t, stored.Swarm, "results.json has no swarm profile")
		assert.Equal(t, *res.Swarm, *stored.Swarm)
		assert.Equal(t, res.SwarmDraw, stored.SwarmDraw)
		assert.Equal(t, res.Explicit, stored.Explicit)
		assert.Equal(t, true, stored.Config["swarm"])

		_, rcfg, err := LoadRun(res.Store)
		require.NoError(t, err)
		rcfg.Store = ""
		again, err := Run(rcfg)
		require.NoError(t, err)
		assert.Equal(t, *res.Swarm, *again.Swarm, "seed %d: the replay drew another profile", seed)
		assert.Equal(t, res.TraceHash, again.TraceHash, "seed %d: the replay is another run", seed)

		explicit := drawn(t, cfg)
		explicit.Store = ""
		ex, err := Run(explicit)
		require.NoError(t, err)
		assert.Equal(t, res.TraceHash, ex.TraceHash, "seed %d: the explicit run is another run", seed)
		assert.Equal(t, res.Stats.Events, ex.Stats.Events)
		assert.Equal(t, ReplayCommand(explicit), res.Explicit)
	}
}

// TestSwarmFlagsWriteOnlyFixedKnobs: a swarm config's replay command names
// the knobs it keeps (even at their defaults) and no drawn one.
func TestSwarmFlagsWriteOnlyFixedKnobs(t *testing.T) {
	c := swarmCfg(3)
	c.Nodes = 3 // not fixed: drawn, so not written
	c.Clients, c.SwarmFixed = DefaultConfig().Clients, []string{"clients"}
	args := c.Args()
	assert.Contains(t, args, "--clients")
	assert.NotContains(t, args, "--nodes")
	assert.Contains(t, args, "--max-time", "a knob the swarm does not draw is written as usual")
}

// TestLeaseHazardIsNamed: with lease reads asked for and a pause fault on,
// a stale read is reported as the documented lease hazard.
func TestLeaseHazardIsNamed(t *testing.T) {
	res := &Result{Linearizability: "illegal"}
	ran := Config{ReadMode: "lease"}
	sched := []nemesis.Step{{At: 1, Fault: "crash-leader", Start: true}, {At: 2, Fault: "pause-leader", Start: true}}
	note := leaseHazard(ran, res, sched)
	assert.Contains(t, note, "lease hazard: lease reads ran under pause-leader")
	assert.Empty(t, leaseHazard(ran, res, sched[:1]), "no pause or clock fault started")
	assert.Empty(t, leaseHazard(Config{ReadMode: "readindex"}, res, sched))
	assert.Empty(t, leaseHazard(ran, &Result{Linearizability: "ok"}, sched))
}

// TestSnapshotDuringReadyIsNotAnAnomaly: the swarm found it (seed 141 of
// its first version): with snapshots every 11 entries and slow fsync, a
// leader's snapshot reaches raft while the host waits on a Ready's sync,
// and the host then tried to compact behind it and reported an anomaly.
// Raft's contract says to skip that compaction.
func TestSnapshotDuringReadyIsNotAnAnomaly(t *testing.T) {
	cfg := quick(141)
	cfg.Nodes, cfg.Clients, cfg.Rate, cfg.Keys, cfg.OpTimeout = 4, 9, 16.7, 2, Duration(435*time.Millisecond)
	cfg.ReadMode, cfg.CheckQuorum = "log", false
	cfg.TickInterval, cfg.HeartbeatTicks, cfg.ElectionTicks, cfg.SnapshotEvery = Duration(10*time.Millisecond), 1, 167, 11
	cfg.Latency, cfg.LatencyStddev, cfg.LatencyDist = Duration(137*time.Microsecond), 0, "exponential"
	cfg.MessageDropRate, cfg.SyncLatency = 0.00113, Duration(15357*time.Microsecond)
	cfg.Nemesis, cfg.NemesisInterval, cfg.MaxCrashed = []Fault{"crash-random", "crash-leader", "pause-random", "clock-skew", "clock-bump"}, Duration(403*time.Millisecond), 1
	cfg.NemesisTuning = "jitter=0.377,max-active=3,crash-count=1,clock-skew=135ms,clock-bump=13ms"
	cfg.MaxTime = Duration(10 * time.Second)
	res, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, Valid, res.Verdict, "%v", res.Reasons)
}

// TestCleanSwarmSweep: the correct build passes every check on swarm seeds
// 1..30 of the standard run (every corner is drawn among them); `make soak`
// runs 5,000.
func TestCleanSwarmSweep(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Store, cfg.Swarm = "", true
	for i, res := range runSeeds(t, cfg, seedRange(1, 30)) {
		assert.Equal(t, Valid, res.Verdict, "seed %d (%s corner): %v\n  replay: %s\n  explicit: %s", i+1, res.SwarmCorner, res.Reasons, res.Replay, res.Explicit)
	}
}

// TestSwarmBugConfigs: every planted bug has a swarm run (what `sweep
// --swarm --bug NAME` sweeps) that validates and draws, with the bug planted
// and its linearizability search bounded in steps; an unknown name is an
// error naming it.
func TestSwarmBugConfigs(t *testing.T) {
	for _, b := range Bugs() {
		cfg, err := SwarmBugConfig(b.Name)
		require.NoError(t, err, "%s", b.Name)
		assert.True(t, cfg.Swarm, "%s", b.Name)
		assert.Equal(t, []BugName{b.Name}, cfg.Bugs, "%s", b.Name)
		assert.Positive(t, cfg.CheckSteps, "%s: a step bound, not the wall clock", b.Name)
		for seed := uint64(1); seed <= 20; seed++ {
			cfg.Seed = seed
			d, err := cfg.Resolve()
			require.NoError(t, err, "%s seed %d", b.Name, seed)
			if b.ReadModes != nil {
				assert.Contains(t, b.ReadModes, d.ReadMode, "%s seed %d: drawn where the bug acts", b.Name, seed)
			}
		}
	}
	_, err := SwarmBugConfig("no-such-bug")
	assert.ErrorContains(t, err, "no-such-bug")
}
