package raftcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/nemesis"
)

// quick returns a short run for tests: the standard cluster and workload with
// less simulated time.
func quick(seed uint64) Config {
	cfg := DefaultConfig()
	cfg.Seed = seed
	cfg.Store = ""
	cfg.MaxTime = Duration(20 * time.Second)
	return cfg
}

// TestDeterminismStandardRun: the same seed gives the same trace hash, event
// count, op counts and history, op for op; 50 seeds of the standard run, each
// twice (the Makefile runs this test again under GOMAXPROCS=1). Comparing the
// histories, and not only the hash, catches a nondeterminism the hash might
// not see.
func TestDeterminismStandardRun(t *testing.T) {
	n := 50
	if testing.Short() {
		n = 5
	}
	hashes := map[string]uint64{}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		cfg := DefaultConfig()
		cfg.Seed, cfg.Store = seed, ""
		xa, _, a, err := execute(context.Background(), cfg, time.Now())
		require.NoError(t, err, "seed %d", seed)
		xb, _, b, err := execute(context.Background(), cfg, time.Now())
		require.NoError(t, err, "seed %d", seed)
		requireSameRun(t, xa, a, xb, b, "seed %d", seed)
		if prev, dup := hashes[a.TraceHash]; dup {
			t.Fatalf("seeds %d and %d share trace hash %s", prev, seed, a.TraceHash)
		}
		hashes[a.TraceHash] = seed
	}
}

// requireSameRun fails the test unless two executions of one config agree:
// the history op for op, then the trace hash, event count, verdict and op
// counts. The history comes first: its difference says what diverged.
func requireSameRun(t *testing.T, xa *harness.Execution, a *Result, xb *harness.Execution, b *Result, msgAndArgs ...any) {
	t.Helper()
	if d := histories.Diff(xa.History(), xb.History()); d != "" {
		require.Fail(t, "histories differ: "+d, msgAndArgs...)
	}
	require.Equal(t, a.TraceHash, b.TraceHash, msgAndArgs...)
	require.Equal(t, a.Stats.Events, b.Stats.Events, msgAndArgs...)
	require.Equal(t, a.Verdict, b.Verdict, msgAndArgs...)
	require.Equal(t, a.Stats.Ops, b.Stats.Ops, msgAndArgs...)
}

// TestTraceHashSeesHistory: two runs whose events are the same but whose
// operations differ (the same seed with 1 key or 10: every draw, message and
// timer is the same, only the key names in the ops and commands differ) have
// different trace hashes. Before client invokes, completions and the applied
// commands went into the trace, their hashes were equal.
func TestTraceHashSeesHistory(t *testing.T) {
	tests := []struct {
		workload Workload
		keys     [2]int
	}{
		{"kv", [2]int{1, 10}},
		{"kv", [2]int{2, 3}},
		{"append", [2]int{1, 10}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/keys=%d,%d", tt.workload, tt.keys[0], tt.keys[1]), func(t *testing.T) {
			var xs [2]*harness.Execution
			var rs [2]*Result
			for i, keys := range tt.keys {
				cfg := DefaultConfig()
				cfg.Seed, cfg.Store, cfg.MaxTime = 3, "", Duration(10*time.Second)
				cfg.Workload, cfg.Keys = tt.workload, keys
				var err error
				xs[i], _, rs[i], err = execute(context.Background(), cfg, time.Now())
				require.NoError(t, err)
			}
			require.Equal(t, rs[0].Stats.Events, rs[1].Stats.Events, "the key count should change only the ops' contents")
			require.NotEmpty(t, histories.Diff(xs[0].History(), xs[1].History()), "the key count must change the history")
			assert.NotEqual(t, rs[0].TraceHash, rs[1].TraceHash, "different histories, same trace hash")
		})
	}
}

// TestNoFaultsEveryOpOK is issue 4's end-to-end acceptance: 5 nodes, 10 clients,
// no faults — every op is ok, and the history round-trips through JSONL and EDN.
func TestNoFaultsEveryOpOK(t *testing.T) {
	for _, workload := range []Workload{WorkloadKV, WorkloadAppend, WorkloadRegister} {
		t.Run(string(workload), func(t *testing.T) {
			cfg := quick(3)
			cfg.Workload, cfg.Nemesis = workload, nil
			x, _, res, err := execute(context.Background(), cfg, time.Now())
			require.NoError(t, err)
			h := x.History()
			assert.Equal(t, Valid, res.Verdict, "%v", res.Reasons)
			require.Greater(t, res.Stats.Ops.Invoked, 1000)
			assert.Zero(t, res.Stats.Ops.Info, "no faults: no unknown outcomes")
			assert.Zero(t, res.Stats.Ops.Pending)
			for _, op := range h {
				if op.Type == histories.Fail {
					// The only definite failure without faults is a CAS whose compare failed.
					assert.Equal(t, "cas-mismatch", op.Error, "op %d: %s", op.Index, op)
				}
			}
			for _, f := range []histories.Format{histories.JSONL, histories.EDN} {
				var buf bytes.Buffer
				require.NoError(t, histories.Write(&buf, h, f))
				back, got, err := histories.Read(&buf, "history", f)
				require.NoError(t, err)
				assert.Equal(t, f, got)
				assert.True(t, histories.Equal(h, back), "%s round trip differs: %s", f, histories.Diff(h, back))
			}
		})
	}
}

// TestStoreLayoutAndReplay: a stored run holds every documented file, latest
// points at it, and replaying results.json reproduces the trace hash.
func TestStoreLayoutAndReplay(t *testing.T) {
	cfg := quick(11)
	cfg.Store = t.TempDir()
	cfg.Name = "layout"
	res, err := Run(cfg)
	require.NoError(t, err)
	require.NotEmpty(t, res.Store)
	for _, f := range []string{"results.json", "history.jsonl", "history.edn", "linearizability.html", "timeline.html", "latency.svg", "rate.svg", "summary.txt"} {
		fi, err := os.Stat(filepath.Join(res.Store, f))
		require.NoError(t, err, f)
		assert.Positive(t, fi.Size(), f)
	}
	latest, err := filepath.EvalSymlinks(filepath.Join(cfg.Store, "latest"))
	require.NoError(t, err)
	want, _ := filepath.EvalSymlinks(res.Store)
	assert.Equal(t, want, latest)
	leftovers, _ := filepath.Glob(filepath.Join(res.Store, ".*tmp*"))
	assert.Empty(t, leftovers, "temporary files left behind")

	stored, rcfg, err := LoadRun(res.Store)
	require.NoError(t, err)
	assert.Equal(t, res.TraceHash, stored.TraceHash)
	rcfg.Store = ""
	again, err := Run(rcfg)
	require.NoError(t, err)
	assert.Equal(t, res.TraceHash, again.TraceHash, "replay must reproduce the run")

	// A results.json whose trace hash was damaged is bad input, not a
	// replay that failed to reproduce.
	raw, err := os.ReadFile(filepath.Join(res.Store, "results.json"))
	require.NoError(t, err)
	for _, bad := range []string{"", "zz", strings.ToUpper(res.TraceHash)} {
		path := filepath.Join(t.TempDir(), "results.json")
		require.NoError(t, os.WriteFile(path, bytes.ReplaceAll(raw, []byte(`"`+res.TraceHash+`"`), []byte(`"`+bad+`"`)), 0o644))
		_, _, err := LoadRun(path)
		require.Error(t, err, "trace hash %q", bad)
		assert.Contains(t, err.Error(), "trace_hash")
	}

	// The implementation is recorded, so replay reruns the same Raft; a
	// results.json from before Config.Raft existed ran the built-in.
	assert.Contains(t, string(raw), `"raft": "builtin"`)
	assert.Equal(t, "builtin", rcfg.Raft)
	old := filepath.Join(t.TempDir(), "results.json")
	stripped := bytes.Replace(raw, []byte(`"raft": "builtin",`), nil, 1)
	require.NotContains(t, string(stripped), `"raft"`)
	require.NoError(t, os.WriteFile(old, stripped, 0o644))
	_, ocfg, err := LoadRun(old)
	require.NoError(t, err)
	assert.Equal(t, "builtin", ocfg.Raft)

	summary, err := os.ReadFile(filepath.Join(res.Store, "summary.txt"))
	require.NoError(t, err)
	for _, col := range []string{"Node ID", "State", "Term", "Alive", "Log Size", "Commit"} {
		assert.Contains(t, string(summary), col)
	}
}

// TestScenariosOnCorrectCluster is issue 5's acceptance: every named scenario
// on a correct cluster, 20 seeds each, gives a clean verdict and leaves the
// cluster live after the final heal (liveness is part of the verdict).
func TestScenariosOnCorrectCluster(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 2
	}
	for _, sc := range nemesis.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				cfg := quick(seed)
				cfg.MaxTime = Duration(30 * time.Second)
				cfg.ChaosScenario = Scenario(sc.Name)
				res, err := Run(cfg)
				require.NoError(t, err, "seed %d", seed)
				require.Equal(t, Valid, res.Verdict, "%s seed %d: %v\nreplay: %s", sc.Name, seed, res.Reasons, res.Replay)
				assert.Equal(t, "ok", res.Liveness)
				alive := 0
				for _, n := range res.Nodes {
					if n.Alive {
						alive++
					}
				}
				assert.Equal(t, cfg.Nodes, alive, "%s seed %d: every node is back after the heal", sc.Name, seed)
				assert.NotZero(t, res.Leader, "%s seed %d: a leader after the heal", sc.Name, seed)
			}
		})
	}
}

// TestTraceFile: --trace writes the run's JSON Lines trace without changing
// the run; a run that cannot start (an unknown fault) leaves neither a trace
// file nor an open descriptor behind.
func TestTraceFile(t *testing.T) {
	dir := t.TempDir()
	cfg := quick(6)
	cfg.MaxTime = Duration(5 * time.Second)
	plain, err := Run(cfg)
	require.NoError(t, err)
	cfg.TracePath = filepath.Join(dir, "trace.jsonl")
	traced, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, plain.TraceHash, traced.TraceHash, "tracing changed the run")
	raw, err := os.ReadFile(cfg.TracePath)
	require.NoError(t, err)
	lines := bytes.Split(bytes.TrimSuffix(raw, []byte("\n")), []byte("\n"))
	require.Greater(t, len(lines), 1000)
	for _, l := range [][]byte{lines[0], lines[len(lines)-1]} {
		assert.True(t, json.Valid(l), "not a JSON line: %s", l)
	}

	bad := cfg
	bad.TracePath = filepath.Join(dir, "bad.jsonl")
	bad.Nemesis = []Fault{"meteor"}
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd to count open descriptors")
		}
		return len(ents)
	}
	// No collection meanwhile: a collected *os.File closes its descriptor,
	// which would hide the leak.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	before := fds()
	for range 20 {
		_, err := Run(bad)
		require.ErrorContains(t, err, "meteor")
	}
	assert.NoFileExists(t, bad.TracePath)
	assert.Less(t, fds()-before, 20, "every failed run leaked its trace file's descriptor")
}

// TestValidatePredictsRecorderLimit: a paced run whose schedule alone would
// overflow the recorder is refused up front, naming the flags.
func TestValidatePredictsRecorderLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Clients, cfg.Rate, cfg.MaxTime = 1000, 1000, Duration(60*time.Second)
	err := cfg.Validate()
	require.Error(t, err)
	for _, want := range []string{"Config.Rate (--rate):", "--clients 1000", "--rate 1000", "--max-time", "limit of"} {
		assert.ErrorContains(t, err, want)
	}
	cfg = DefaultConfig()
	cfg.Rate = 0 // closed loop: cannot be predicted
	cfg.Clients = 1000
	assert.NoError(t, cfg.Validate())
	cfg = DefaultConfig()
	assert.NoError(t, cfg.Validate())
}
