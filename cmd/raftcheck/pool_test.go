package main

import (
	"bytes"
	"context"
	"os"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck"
)

// tinyJob is a job small enough to run in-process by the dozen.
func tinyJob(i int, seed uint64) job {
	cfg := raftcheck.DefaultConfig()
	cfg.Seed, cfg.Store = seed, ""
	cfg.MaxTime = raftcheck.Duration(time.Second)
	cfg.RecoveryTime = raftcheck.Duration(time.Second)
	cfg.Clients = 2
	return job{Index: i, Label: "tiny", Cfg: cfg}
}

// TestRunPool runs the worker pool in-process (so `go test -race` covers it):
// every job is reported exactly once; with --fail-fast and one worker the
// pool stops right after the first failure; a cancelled context starts
// nothing.
func TestRunPool(t *testing.T) {
	var jobs []job
	for i := 0; i < 9; i++ {
		jobs = append(jobs, tinyJob(i, uint64(i+1)))
	}
	var got []int
	runPool(context.Background(), jobs, 3, false, func(o outcome) {
		require.NoError(t, o.Err)
		got = append(got, o.Index)
	})
	sort.Ints(got)
	assert.Equal(t, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, got)

	// Job 1 cannot run (0 nodes): it is the first failure.
	bad := tinyJob(1, 2)
	bad.Cfg.Nodes = 0
	failing := []job{jobs[0], bad, jobs[2], jobs[3]}
	got = nil
	runPool(context.Background(), failing, 1, true, func(o outcome) { got = append(got, o.Index) })
	assert.Equal(t, []int{0, 1}, got, "fail-fast stops after the first failure")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	got = nil
	runPool(ctx, jobs, 2, false, func(o outcome) { got = append(got, o.Index) })
	assert.Empty(t, got, "nothing starts after the interrupt")
}

// TestInterruptContext: the first SIGINT cancels the context, says what
// happens next on stderr, and is reported by interrupted.
func TestInterruptContext(t *testing.T) {
	var stderr bytes.Buffer
	ctx, interrupted, stop := interruptContext(&stderr)
	defer stop()
	assert.False(t, interrupted())
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
	select {
	case <-ctx.Done():
	case <-time.After(time.Minute):
		t.Fatal("SIGINT did not cancel the context")
	}
	assert.True(t, interrupted())
	assert.Contains(t, stderr.String(), "finishing the runs in progress")
}
