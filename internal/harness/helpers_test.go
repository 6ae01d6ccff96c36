package harness

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/internal/options"
)

// quick returns a short run for tests: the standard cluster and workload with
// less simulated time, and no store (so no messages kept for a timeline).
func quick(seed uint64) options.Options {
	o := options.Default()
	o.Seed = seed
	o.MaxTime = 20 * time.Second
	o.KeepMessages = false
	return o
}

// execute prepares, simulates and checks o, failing the test on an error.
func execute(t testing.TB, o options.Options) (*Execution, *Outcome) {
	t.Helper()
	x, out, err := Execute(context.Background(), o)
	require.NoError(t, err, "seed %d", o.Seed)
	return x, out
}
