package live

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/clients"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeConfig runs one fake node (a single in-memory node is linearizable)
// in mode until the clients completed 20 ops. Its init timeout is a hang
// guard a loaded machine cannot reach: a node that answers init always
// does so well within it (a test of a node that never answers sets its own).
func fakeConfig(t *testing.T, mode string) Config {
	return Config{
		Bin: fakeNode, Args: []string{mode}, Nodes: 1, Dir: t.TempDir(), Clients: 2,
		InitTimeout: 2 * time.Minute,
		Phases: []Phase{{Name: "run", Max: timeout, Until: func(c *Control) bool {
			return len(okOps(c.History(), "")) >= 20
		}}},
	}
}

func TestNodesThatCannotStart(t *testing.T) {
	dir := t.TempDir()
	notExec := filepath.Join(dir, "node.sh")
	require.NoError(t, os.WriteFile(notExec, []byte("#!/bin/sh\nexit 0\n"), 0o644))
	for _, tc := range []struct {
		name, bin, mode string
		want            string
		started         bool
	}{
		{"missing", filepath.Join(dir, "nope"), "", "not found", false},
		{"not executable", notExec, "", "not executable", false},
		{"exits at start", fakeNode, "exit", "exited before it was ready", true},
		{"never answers init", fakeNode, "noinit", "no init_ok within 500ms", true},
		{"refuses init", fakeNode, "initerror", "answered init with error 14", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeConfig(t, tc.mode)
			cfg.Bin = tc.bin
			cfg.Nodes = 3
			if tc.mode == "noinit" {
				cfg.InitTimeout = 500 * time.Millisecond // it never answers, however fast the machine
			}
			res, err := Run(context.Background(), cfg)
			require.Error(t, err)
			assert.Nil(t, res)
			assert.Contains(t, err.Error(), tc.want)
			if tc.started {
				// The first failure stops the start: some nodes may not
				// have got as far as writing their pid.
				requireNoNodeLeft(t, cfg.Dir, 1)
			}
		})
	}
}

func TestMisbehavingNodesAreRecordedFaults(t *testing.T) {
	for _, tc := range []struct {
		mode string
		kind FaultKind
		want string
	}{
		{"garbage", FaultMalformed, "not a JSON object"},
		{"unknown", FaultUnknownDest, `to "n99"`},
		{"badreply", FaultUnknownReply, "in_reply_to 999999999"},
		{"early", FaultOutput, "before init_ok"},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			cfg := fakeConfig(t, tc.mode)
			res, err := Run(context.Background(), cfg)
			require.NoError(t, err)
			require.True(t, res.Phases[0].Until, "the clients completed their ops despite the faults")
			assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
			var found *Fault
			for i, f := range res.Faults {
				if f.Kind == tc.kind {
					found = &res.Faults[i]
				}
			}
			require.NotNil(t, found, "%v", res.Faults)
			assert.Equal(t, "n0", found.Node)
			assert.Contains(t, found.First, tc.want)
			if tc.mode != "early" {
				assert.Greater(t, found.Count, 1, "every occurrence is counted")
			}
			requireNoNodeLeft(t, cfg.Dir, 1)
		})
	}
}

func TestUnknownDestinationGetsNodeNotFound(t *testing.T) {
	cfg := fakeConfig(t, "unknown")
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	var kinds []FaultKind
	for _, f := range res.Faults {
		kinds = append(kinds, f.Kind)
	}
	assert.Equal(t, []FaultKind{FaultUnknownDest}, kinds, "the error-1 answers to lin-kv requests are not faults of the node")
	assert.Greater(t, res.Faults[0].Count, 20, "both n99 and lin-kv are unknown, every time")
}

func TestCancelledRunLeavesNoNode(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := fakeConfig(t, "ok")
	cfg.Nodes = 3
	cfg.Phases = []Phase{{Name: "cancel", Max: timeout, Start: func(*Control) error { cancel(); return nil }}}
	res, err := Run(ctx, cfg)
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, ErrInterrupted)
	assert.Contains(t, err.Error(), "interrupted")
	requireNoNodeLeft(t, cfg.Dir, 3)
	// What was recorded was checked; the verdict is at best unknown.
	require.NotNil(t, res)
	assert.True(t, res.Interrupted)
	assert.NotEqual(t, checker.Valid, res.Verdict)
	assert.Nil(t, res.Liveness)
	assert.Contains(t, res.Reasons[len(res.Reasons)-1], "the run was cut short")

	cfg.Dir = t.TempDir()
	_, err = Run(ctx, cfg) // cancelled before the nodes are ready
	require.ErrorIs(t, err, context.Canceled)
	files, _ := filepath.Glob(filepath.Join(cfg.Dir, "n*", "pid"))
	requireNoNodeLeft(t, cfg.Dir, len(files))
}

func TestConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"append", func(c *Config) { c.Workload = clients.Append }, "lin-kv has no append"},
		{"unknown workload", func(c *Config) { c.Workload = "bank" }, `unknown workload "bank"`},
		{"kv delete", func(c *Config) {
			c.Workload = clients.KV
			c.Mix = []clients.Weight{{F: "get", Weight: 1}, {F: "delete", Weight: 1}}
		}, `Mix[1].F: "delete" has no lin-kv request`},
		{"kv append", func(c *Config) {
			c.Workload = clients.KV
			c.Mix = []clients.Weight{{F: "append", Weight: 1}}
		}, `"append" has no lin-kv request`},
		{"register get", func(c *Config) { c.Mix = []clients.Weight{{F: "get", Weight: 1}} }, `Mix[0].F: "get" is not an operation of the register workload`},
		{"no dir", func(c *Config) { c.Dir = "" }, "Dir"},
		{"nodes", func(c *Config) { c.Nodes = 1000 }, "Nodes"},
		{"phase", func(c *Config) { c.Phases = []Phase{{Name: "p"}} }, "Phases[0] (p): Max"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fakeConfig(t, "ok")
			tc.edit(&cfg)
			_, err := Run(context.Background(), cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestKVWorkloadOnOneNode(t *testing.T) {
	cfg := fakeConfig(t, "ok")
	cfg.Workload = clients.KV
	cfg.Keys = 3
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
	assert.Equal(t, "kv", res.Lin.Model)
	assert.NotEmpty(t, okOps(res.History, "get"))
	assert.NotEmpty(t, okOps(res.History, "put"))
}

// TestNodeThatDiesMidRun: a node that exits on its own is a recorded fault
// (with its exit status), never a hang or a lost history; its clients time
// out, and the history up to then is checked.
func TestNodeThatDiesMidRun(t *testing.T) {
	cfg := fakeConfig(t, "die")
	cfg.Phases = []Phase{{Name: "run", Max: timeout, Until: func(c *Control) bool {
		return len(c.r.c.faults.byKey) > 0
	}}}
	res, err := Run(context.Background(), cfg)
	require.NoError(t, err)
	require.True(t, res.Phases[0].Until)
	require.Len(t, res.Faults, 1)
	f := res.Faults[0]
	assert.Equal(t, FaultExit, f.Kind)
	assert.Contains(t, f.First, "exit status 2")
	assert.Contains(t, f.First, "n0.stderr.log")
	assert.Equal(t, checker.Valid, res.Verdict, "%v", res.Reasons)
	assert.NotEmpty(t, okOps(res.History, ""), "the history up to the exit is kept")
	requireNoNodeLeft(t, cfg.Dir, 1)
}
