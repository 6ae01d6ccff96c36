package harness

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
)

// TestNemesisFinalHealLeavesClusterLive: with every fault in the catalog on,
// the final heal stops every fault (Active is empty once the membership
// repairs finish), the nemesis saw no anomaly, nothing stays blocked, paused,
// crashed, skewed, slowed or out of the membership, and the cluster is live.
func TestNemesisFinalHealLeavesClusterLive(t *testing.T) {
	seeds := 20
	if testing.Short() {
		seeds = 2
	}
	for seed := uint64(1); seed <= uint64(seeds); seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			cfg := quick(seed)
			cfg.MaxTime = 30 * time.Second
			nc := nemesis.Config{Faults: []string{nemesis.All}, Interval: int64(2 * time.Second), MaxActive: 3}
			h := newNemHarness(t, cfg, nc)
			res := h.run()
			require.Greater(t, h.starts, 5, "the nemesis hardly acted")
			require.Equal(t, h.starts, h.stops, "every started fault was stopped")
			h.requireHealthyEnd(res, fmt.Sprintf("all faults, seed %d", seed))
		})
	}
}
