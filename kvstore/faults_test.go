package kvstore

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRandomFaultsKeepExactlyOnceAndConverge runs many seeds of random crashes
// (every crash mode), restarts, partitions and duplicated messages while
// clients retry every op to completion. Afterwards every replica must agree,
// hold each append exactly once, every read must have seen its client's
// earlier writes, and no invariant the observer checks may break.
func TestRandomFaultsKeepExactlyOnceAndConverge(t *testing.T) {
	seeds := 24
	if testing.Short() {
		seeds = 6
	}
	torn := 0
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 0xFA))
			n := []int{3, 5}[seed%2]
			opts := clusterOpts{n: n, seed: uint64(seed), dupRate: 0.05, snapshotEvery: []uint64{0, 15}[seed/2%2]}
			c := newCluster(t, opts)
			var clients []*testClient
			for id := uint64(1); id <= 3; id++ {
				cl := c.addClient(id, kvOps(id, 400, 3))
				cl.retryAll = true
				clients = append(clients, cl)
			}
			for _, cl := range clients {
				cl.start()
			}
			down := map[int]bool{}
			restart := func(i int) {
				c.restart(i)
				delete(down, i)
				if c.hosts[i].srv.Stats().TornTail {
					torn++
				}
			}
			for step := 0; step < 30; step++ {
				c.runFor(50 * ms)
				i := 1 + rng.IntN(n)
				switch k := rng.IntN(4); {
				case k == 0 && !down[i] && len(down) < (n-1)/2:
					c.crash(i, crashMode(rng.IntN(3)))
					down[i] = true
				case k == 1 && down[i]:
					restart(i)
				case k == 2:
					c.isolate(i)
				default:
					c.heal()
				}
			}
			for _, cl := range clients {
				require.False(t, cl.done, "client %d finished before the faults ended: lengthen the workload", cl.id)
			}
			c.heal()
			for i := 1; i <= n; i++ {
				if down[i] {
					restart(i)
				}
			}
			c.runUntil(120_000*ms, "clients to finish", func() bool {
				for _, cl := range clients {
					if !cl.done {
						return false
					}
				}
				return true
			})
			c.waitConverged()
			for _, cl := range clients {
				require.Len(t, cl.results, len(cl.ops))
				for i, r := range cl.results {
					require.Equal(t, ErrNone, r.Err, "client %d op %d", cl.id, i)
				}
			}
			checkAppendsOnce(t, c, clients)
			checkReadYourWrites(t, clients)
			for term, leaders := range c.obs.leadersByTerm() {
				assert.Len(t, leaders, 1, "leaders of term %d", term)
			}
		})
	}
	t.Logf("restarts that cut a torn tail: %d", torn)
}
