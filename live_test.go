package raftcheck

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	fakeNodeOnce sync.Once
	fakeNodePath string
	fakeNodeErr  error
)

// fakeNode builds internal/live's fake Maelstrom node once (its first
// argument is its mode: "ok" serves lin-kv from memory, linearizable on
// one node).
func fakeNode(t *testing.T) string {
	t.Helper()
	fakeNodeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "raftcheck-live-root-")
		if err != nil {
			fakeNodeErr = err
			return
		}
		fakeNodePath = filepath.Join(dir, "fakenode")
		if out, err := exec.Command("go", "build", "-o", fakeNodePath, "./internal/live/testdata/fakenode").CombinedOutput(); err != nil {
			fakeNodeErr = err
			t.Logf("%s", out)
		}
	})
	require.NoError(t, fakeNodeErr)
	return fakeNodePath
}

// shortLive is a short live run of one fake node: valid whatever the
// machine's speed (one in-memory node is linearizable; no recovery window,
// so no wall-clock liveness verdict).
func shortLive(t *testing.T) LiveConfig {
	cfg := DefaultLiveConfig()
	cfg.Bin, cfg.BinArgs = fakeNode(t), []string{"ok"}
	cfg.Nodes = 1
	cfg.MaxTime, cfg.RecoveryTime = Duration(time.Second), 0
	cfg.Nemesis = nil
	cfg.Store = t.TempDir()
	return cfg
}

func TestLiveConfigValidation(t *testing.T) {
	cfg := DefaultLiveConfig()
	require.ErrorContains(t, cfg.Validate(), "bin: no node binary given")
	cfg.Bin = "/bin/true"
	require.NoError(t, cfg.Validate(), "the default live run is valid once it has a binary")
	for _, tc := range []struct {
		name string
		edit func(*LiveConfig)
		want string
	}{
		{"clock fault", func(c *LiveConfig) { c.Nemesis = []Fault{"crash-random", "clock-bump"} }, "nemesis: clock-bump is a clock fault"},
		{"disk fault", func(c *LiveConfig) { c.Nemesis = []Fault{"lose-unsynced"} }, "nemesis: lose-unsynced is a disk fault"},
		{"membership", func(c *LiveConfig) { c.Nemesis = []Fault{"member-churn"} }, "nemesis: member-churn is a membership fault"},
		{"scenario", func(c *LiveConfig) { c.ChaosScenario = "clock_chaos" }, "chaos-scenario: clock-skew is a clock fault"},
		{"append", func(c *LiveConfig) { c.Workload = "append" }, "workload: append has no lin-kv request"},
		{"nodes", func(c *LiveConfig) { c.Nodes = 0 }, "nodes: 0 is outside 1..101"},
		{"max-time", func(c *LiveConfig) { c.MaxTime = 0 }, "max-time: must be positive"},
		{"role-regex", func(c *LiveConfig) { c.RoleRegex = "leader (" }, "role-regex: "},
		{"role-regex groups", func(c *LiveConfig) { c.RoleRegex = "leader" }, "role-regex: \"leader\" needs the named groups"},
		{"latency", func(c *LiveConfig) { c.LatencyDist = "zipf" }, "latency-dist: "},
		{"rate", func(c *LiveConfig) { c.Rate = 1e6 }, "rate: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cfg
			tc.edit(&c)
			assert.ErrorContains(t, c.Validate(), tc.want)
		})
	}
}

func TestLiveScenariosNamedInErrors(t *testing.T) {
	cfg := DefaultLiveConfig()
	cfg.Bin = "/bin/true"
	cfg.ChaosScenario = DefaultChaosScenario
	assert.NoError(t, cfg.Validate(), "the default scenario is partitions, crashes and pauses: all live")
}

// TestLiveRunIsStoredAndRefusesReplay: a live run's directory holds what a
// simulated run's does, plus the nodes' logs; results.json says "live",
// names the binary and says why it is not reproducible; replay refuses it
// and says how to run it again.
func TestLiveRunIsStoredAndRefusesReplay(t *testing.T) {
	cfg := shortLive(t)
	res := CheckLive(t, cfg)
	require.NotNil(t, res)
	assert.Equal(t, ModeLive, res.Mode)
	require.NotNil(t, res.Live)
	assert.Equal(t, []string{"ok"}, res.Live.Args)
	assert.Equal(t, LiveNote, res.Live.Note)
	assert.Equal(t, "1=n0", res.Live.NodeIDs)
	assert.NotZero(t, res.Stats.Ops.OK)
	assert.Equal(t, "skipped", res.Liveness, "no recovery window")
	assert.Contains(t, res.Replay, "raftcheck live --bin "+cfg.Bin+" --bin-arg ok --seed 1")
	for _, f := range []string{"results.json", "history.jsonl", "history.edn", "timeline.html", "linearizability.html", "summary.txt", "latency.svg", "rate.svg", "n0.stderr.log"} {
		assert.FileExists(t, filepath.Join(res.Store, f))
	}
	assert.Equal(t, []string{filepath.Join(res.Store, "n0.stderr.log")}, res.Live.Logs)
	raw, err := os.ReadFile(filepath.Join(res.Store, "results.json"))
	require.NoError(t, err)
	var stored map[string]any
	require.NoError(t, json.Unmarshal(raw, &stored))
	assert.Equal(t, "live", stored["mode"])
	assert.Equal(t, cfg.Bin, stored["live"].(map[string]any)["bin"])
	assert.Equal(t, cfg.Bin, stored["live_config"].(map[string]any)["bin"])

	_, _, err = LoadRun(res.Store)
	require.ErrorIs(t, err, ErrLiveRun)
	assert.ErrorContains(t, err, "not reproducible bit for bit")
	assert.ErrorContains(t, err, "raftcheck live --bin "+cfg.Bin)
}

func TestLiveRunWithoutStoreLeavesNothing(t *testing.T) {
	cfg := shortLive(t)
	cfg.Store = ""
	res, err := Live(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, Valid, res.Verdict, "%v", res.Reasons)
	assert.Empty(t, res.Store)
	assert.NoDirExists(t, filepath.Dir(res.Live.Logs[0]), "the temporary run directory is removed")
}

func TestLiveErrors(t *testing.T) {
	cfg := shortLive(t)
	cfg.BinArgs = []string{"exit"}
	_, err := Live(context.Background(), cfg)
	require.Error(t, err)
	assert.ErrorContains(t, err, "exited before it was ready")
	assert.ErrorContains(t, err, "the nodes' logs are in "+cfg.Store)
	assert.NotErrorIs(t, err, ErrInternal, "a node that cannot start is bad input, not raftcheck's failure")
}
