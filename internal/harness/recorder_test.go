package harness

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
)

// TestRunRecorderLimit: a closed-loop run that fills the recorder is not an
// internal error: recording stops at the limit, the recorded prefix is
// checked, and the verdict is unknown with a reason naming the limit and the
// flags that stay under it. Liveness, which the stopped clients would fail,
// is skipped.
func TestRunRecorderLimit(t *testing.T) {
	cfg := quick(1)
	cfg.Rate = 0
	cfg.MaxTime = 5 * time.Second
	x, err := Prepare(cfg)
	require.NoError(t, err)
	x.rec.SetLimit(3000) // the real limit, 2M ops, would take a while
	require.NoError(t, x.Simulate(context.Background()))
	out, err := x.Check(context.Background())
	require.NoError(t, err)
	res := &out.Checked
	assert.Equal(t, checker.Unknown, res.Verdict, "%v", res.Reasons)
	assert.Equal(t, "skipped", res.Liveness)
	assert.NotEqual(t, "skipped", res.Linearizability, "the recorded prefix is checked")
	require.NotEmpty(t, res.Reasons)
	last := res.Reasons[len(res.Reasons)-1]
	for _, want := range []string{"limit of 3000 recorded ops", "--clients", "--rate", "--max-time"} {
		assert.Contains(t, last, want)
	}
	assert.GreaterOrEqual(t, res.Stats.Invoked, 1000)
}
