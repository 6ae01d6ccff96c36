package raftcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// fakeTB records what Check and CheckHistory report instead of failing the
// real test. The embedded nil testing.TB makes any method they call that is
// not overridden here panic, so the test notices a new dependency.
type fakeTB struct {
	testing.TB
	errors, fatals []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

// Fatalf stops the calling goroutine, as testing.T's does.
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (f *fakeTB) failed() bool { return len(f.errors)+len(f.fatals) > 0 }

// inTest runs fn on its own goroutine, as go test runs a test, so a Fatalf
// (runtime.Goexit) ends fn and not the caller.
func inTest(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
}

// TestCheckValidRun: a valid run passes the test and returns its result.
func TestCheckValidRun(t *testing.T) {
	var tb fakeTB
	var res *Result
	inTest(func() { res = Check(&tb, quick(2)) })
	assert.False(t, tb.failed(), "errors %v fatals %v", tb.errors, tb.fatals)
	require.NotNil(t, res)
	assert.Equal(t, Valid, res.Verdict)
}

// TestCheckFailingRun: an unsafe config (local reads) fails the test with the
// seed, every reason, the report path and a one-line replay command.
func TestCheckFailingRun(t *testing.T) {
	store := t.TempDir()
	for seed := uint64(1); seed <= 30; seed++ {
		cfg := DefaultConfig()
		cfg.Seed, cfg.Store, cfg.ReadMode = seed, store, "local"
		var tb fakeTB
		var res *Result
		inTest(func() { res = Check(&tb, cfg) })
		require.Empty(t, tb.fatals)
		require.NotNil(t, res)
		if res.Verdict == Valid {
			assert.Empty(t, tb.errors, "seed %d: a valid run does not fail the test", seed)
			continue
		}
		require.Len(t, tb.errors, 1, "seed %d: one failure message", seed)
		msg := tb.errors[0]
		assert.True(t, strings.HasPrefix(msg, fmt.Sprintf("raftcheck: seed %d: verdict %s\n", seed, res.Verdict)), msg)
		require.NotEmpty(t, res.Reasons)
		for _, r := range res.Reasons {
			assert.Contains(t, msg, "  - "+r+"\n")
		}
		assert.Contains(t, msg, "  reports: "+res.Store+"\n")
		assert.FileExists(t, filepath.Join(res.Store, "linearizability.html"))
		replay := fmt.Sprintf("raftcheck run --seed %d --read-mode local", seed)
		assert.True(t, strings.HasSuffix(msg, "\n  replay: "+replay), "the message ends with the one-line replay command:\n%s", msg)
		assert.Equal(t, replay, res.Replay)
		return
	}
	t.Fatal("no seed in 1..30 showed the stale local reads")
}

// TestCheckBadConfig: a config that cannot run stops the test with the seed
// and the field at fault.
func TestCheckBadConfig(t *testing.T) {
	cfg := quick(9)
	cfg.Nodes = 0
	var tb fakeTB
	var res *Result
	inTest(func() { res = Check(&tb, cfg) })
	assert.Nil(t, res)
	require.Len(t, tb.fatals, 1)
	assert.Contains(t, tb.fatals[0], "seed 9")
	assert.Contains(t, tb.fatals[0], "Config.Nodes (--nodes): 0 is outside")
}

// TestCheckHistory: a recorded history file checked from a test, in each
// verdict: linearizable passes, not linearizable fails with the explanation,
// a search that gives up fails as unknown, a missing file stops the test.
func TestCheckHistory(t *testing.T) {
	jepsen := filepath.Join("histories", "testdata", "porcupine", "jepsen")
	t.Run("linearizable", func(t *testing.T) {
		var tb fakeTB
		inTest(func() {
			lin := CheckHistory(&tb, filepath.Join(jepsen, "etcd_002.log"), "", 0)
			assert.Equal(t, "register", lin.Model)
		})
		assert.False(t, tb.failed(), "errors %v fatals %v", tb.errors, tb.fatals)
	})
	t.Run("not linearizable", func(t *testing.T) {
		var tb fakeTB
		inTest(func() { CheckHistory(&tb, filepath.Join(jepsen, "etcd_000.log"), "register", time.Minute) })
		require.Len(t, tb.errors, 1)
		assert.Contains(t, tb.errors[0], "etcd_000.log is not linearizable (model register)")
		assert.Greater(t, strings.Count(tb.errors[0], "\n"), 0, "with the explanation:\n%s", tb.errors[0])
	})
	t.Run("unknown", func(t *testing.T) {
		// A history big enough that a 1ns search bound is surely exceeded.
		cfg := quick(4)
		x, _, _, err := execute(context.Background(), cfg, time.Now())
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "history.jsonl")
		require.NoError(t, histories.WriteFile(path, x.History(), histories.JSONL))
		var tb fakeTB
		inTest(func() { CheckHistory(&tb, path, "kv", time.Nanosecond) })
		require.Len(t, tb.errors, 1)
		assert.Contains(t, tb.errors[0], "linearizability unknown")
		// The same history with no bound is linearizable: unknown was the timeout.
		var ok fakeTB
		inTest(func() { CheckHistory(&ok, path, "kv", 0) })
		assert.False(t, ok.failed(), "%v", ok.errors)
	})
	t.Run("append run", func(t *testing.T) {
		// A clean append history passes both the linearizability and the append checks.
		cfg := quick(5)
		cfg.Workload = "append"
		x, _, _, err := execute(context.Background(), cfg, time.Now())
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "history.edn")
		require.NoError(t, histories.WriteFile(path, x.History(), histories.EDN))
		var tb fakeTB
		inTest(func() {
			lin := CheckHistory(&tb, path, "", 0)
			assert.Equal(t, "append", lin.Model)
		})
		assert.False(t, tb.failed(), "errors %v fatals %v", tb.errors, tb.fatals)
	})
	t.Run("missing file", func(t *testing.T) {
		var tb fakeTB
		inTest(func() { CheckHistory(&tb, "no-such-history.jsonl", "", 0) })
		require.Len(t, tb.fatals, 1)
		assert.Contains(t, tb.fatals[0], "no-such-history.jsonl")
	})
	t.Run("malformed line", func(t *testing.T) {
		raw, err := os.ReadFile(filepath.Join(jepsen, "etcd_002.log"))
		require.NoError(t, err)
		lines := strings.Split(string(raw), "\n")
		lines[4] = "INFO  jepsen.util - 1\t:nonsense\t:read\tnil"
		path := filepath.Join(t.TempDir(), "bad.log")
		require.NoError(t, os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644))
		var tb fakeTB
		inTest(func() { CheckHistory(&tb, path, "", 0) })
		require.Len(t, tb.fatals, 1)
		assert.Contains(t, tb.fatals[0], "bad.log:5:")
	})
}
