package raftcheck

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/histories"
)

// A mix reaches the clients: only the named operations are issued, and
// delete (not in the kv default mix) can be turned on.
func TestMixReachesClients(t *testing.T) {
	cfg := quick(1)
	cfg.MaxTime = Duration(5e9)
	cfg.Mix = "get=1,delete=1"
	res, err := Run(cfg)
	require.NoError(t, err)
	assert.Equal(t, Valid, res.Verdict, "%v", res.Reasons)
	x, _, _, err := execute(context.Background(), cfg, time.Now())
	require.NoError(t, err)
	seen := map[string]int{}
	for _, op := range x.History() {
		if op.Process != histories.NemesisProcess && op.Type == histories.Invoke {
			seen[op.F]++
		}
	}
	assert.Positive(t, seen["get"])
	assert.Positive(t, seen["delete"])
	assert.Len(t, seen, 2, "only get and delete: %v", seen)
}
