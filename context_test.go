package raftcheck

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// countdownCtx is a context that ends after its Err has been asked n
// times: it stops a run at the same point whatever the machine's speed.
type countdownCtx struct {
	context.Context
	n int
}

func (c *countdownCtx) Err() error {
	if c.n <= 0 {
		return context.Canceled
	}
	c.n--
	return nil
}

// TestRunContextSameResult: a run given a context that does not end is
// the run Run makes, trace hash included.
func TestRunContextSameResult(t *testing.T) {
	cfg := quick(3)
	plain, err := Run(cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	withCtx, err := RunContext(ctx, cfg)
	require.NoError(t, err)
	assert.Equal(t, plain.TraceHash, withCtx.TraceHash)
	assert.Equal(t, plain.Stats.Events, withCtx.Stats.Events)
	assert.Equal(t, plain.Verdict, withCtx.Verdict)
}

// TestRunContextStops: a context that ends stops the run with an error
// that wraps the context's, names the seed and says how far the
// simulation got; where it stops depends only on when the context ended.
func TestRunContextStops(t *testing.T) {
	cfg := quick(4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := RunContext(ctx, cfg)
	require.Error(t, err)
	assert.Nil(t, res)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "seed 4: stopped at 0s of simulated time (setup)")

	var msgs []string
	for range 2 {
		_, err := RunContext(&countdownCtx{Context: context.Background(), n: 200}, cfg)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.False(t, errors.Is(err, ErrInternal), "a stopped run is not an internal error")
		msgs = append(msgs, err.Error())
	}
	assert.Equal(t, msgs[0], msgs[1], "the same context stops the run at the same point")
	assert.Regexp(t, `^seed 4: stopped at [0-9.]+s of simulated time \(faults\) of [0-9.]+s: context canceled$`, msgs[0])
}

// TestRunContextCause: a deadline's cause is in the error, beside
// context.DeadlineExceeded.
func TestRunContextCause(t *testing.T) {
	why := errors.New("the test's deadline is near")
	ctx, cancel := context.WithDeadlineCause(context.Background(), time.Now().Add(-time.Second), why)
	defer cancel()
	_, err := RunContext(ctx, quick(1))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, why)
}

// TestStoreFailuresOnly: with StoreFailuresOnly a passing run writes
// nothing and a failing one writes its directory.
func TestStoreFailuresOnly(t *testing.T) {
	dir := t.TempDir()
	cfg := quick(1)
	cfg.Store, cfg.StoreFailuresOnly = dir, true
	res, err := Run(cfg)
	require.NoError(t, err)
	require.Equal(t, Valid, res.Verdict)
	assert.Empty(t, res.Store)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "a passing run leaves nothing")

	bad, err := BugConfig("ack-before-fsync")
	require.NoError(t, err)
	bad.Store, bad.StoreFailuresOnly = dir, true
	b, _ := LookupBug("ack-before-fsync")
	c, err := SweepUntilCaught(context.Background(), bad, b, seedsFrom(1, b.Budget), 0)
	require.NoError(t, err)
	require.NotZero(t, c.Seed, "the planted bug is caught")
	bad.Seed = c.Seed
	res, err = Run(bad)
	require.NoError(t, err)
	require.True(t, res.Failed())
	require.NotEmpty(t, res.Store)
	assert.FileExists(t, filepath.Join(res.Store, "results.json"))
}
