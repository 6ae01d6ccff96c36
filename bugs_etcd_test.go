package raftcheck

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHostBugsCaughtOnEtcd: every host bug etcd's Raft can host is caught on
// it within the budget it has on the built-in (seeds 1..Budget of its
// exposure), by one of the findings its entry expects, and the same seeds
// without the bug pass on etcd; every other bug is refused naming why.
func TestHostBugsCaughtOnEtcd(t *testing.T) {
	hosted := 0
	for _, b := range Bugs() {
		t.Run(string(b.Name), func(t *testing.T) {
			cfg, err := BugConfig(b.Name)
			require.NoError(t, err)
			cfg.Raft = "etcd"
			if err := cfg.Validate(); err != nil {
				assert.True(t, b.Layer == LayerProtocol || b.needsLease, "%s: refused: %v", b.Name, err)
				assert.ErrorContains(t, err, "--raft etcd")
				return
			}
			require.Equal(t, LayerHost, b.Layer)
			hosted++
			c, err := SweepUntilCaught(context.Background(), cfg, b, seedRange(1, uint64(b.Budget)), 0)
			require.NoError(t, err)
			require.NotZero(t, c.Seed, "%s on etcd: not caught by %v in seeds 1..%d", b.Name, b.Catches, b.Budget)
			assert.Subset(t, b.Catches, c.Found)
			t.Logf("%s on etcd: caught at seed %d by %v at %v of simulated time", b.Name, c.Seed, c.Found, c.At)
			for i, res := range runSeeds(t, b.controlConfig(cfg), seedRange(1, c.Seed)) {
				assert.Equal(t, Valid, res.Verdict, "%s exposure on etcd without the bug, seed %d: %v", b.Name, i+1, res.Reasons)
			}
		})
	}
	assert.Equal(t, 5, hosted, "stale-local-read, no-dedup, ack-before-fsync, no-persist-vote, no-persist-term")
}
