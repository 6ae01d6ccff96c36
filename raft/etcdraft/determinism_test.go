package etcdraft_test

import (
	crand "crypto/rand"
	"fmt"
	fnv64 "hash/fnv"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/sim"
)

// fingerprint is what must repeat bit for bit for one seed: the trace hash
// (every message, timer, write, role change, commit and applied entry) and
// the history.
type fingerprint struct {
	trace   uint64
	events  uint64
	history uint64 // FNV-1a of the printed history
	terms   int
}

// faultyRun runs 5 nodes with crashes, a partition, duplicates and
// snapshots for 3 s of clients; elections (and so election-timeout draws)
// happen throughout.
func faultyRun(t testing.TB, seed uint64) fingerprint {
	c := newCluster(t, opts{seed: seed, nodes: 5, crash: sim.TearLast, snapEvery: 20, readMode: kvstore.ReadIndex,
		net: sim.NetConfig{Loss: 0.02, Duplicate: 0.05, Reorder: 0.05}, workload: clients.Register})
	c.waitLeader()
	c.startClients()
	c.faults()
	c.run(3 * sim.Second)
	c.stopClients()
	c.checkSafe()
	return fingerprint{trace: c.w.Trace().Hash(), events: c.w.Events(), history: fnv(fmt.Sprint(c.rec.History())), terms: len(c.obs.leaderTerms)}
}

func fnv(s string) uint64 {
	h := fnv64.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// TestSameSeedSameTrace: one seed, one trace — run after run, with runs
// executing concurrently in one process (the election-timeout draws of
// simultaneous runs must not mix), and with GOMAXPROCS=1. Another seed gives
// another trace.
func TestSameSeedSameTrace(t *testing.T) {
	const seed = 31
	want := faultyRun(t, seed)
	require.Greater(t, want.terms, 3, "the run must hold elections to test anything")
	assert.Equal(t, want, faultyRun(t, seed), "sequential rerun")

	concurrent := func(t *testing.T) {
		got := make([]fingerprint, 4)
		t.Run("group", func(t *testing.T) {
			for i := range got {
				t.Run(fmt.Sprint(i), func(t *testing.T) {
					t.Parallel()
					got[i] = faultyRun(t, seed)
				})
			}
		})
		for i, g := range got {
			assert.Equal(t, want, g, "concurrent run %d", i)
		}
	}
	t.Run("concurrent", concurrent)
	t.Run("GOMAXPROCS=1", func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		concurrent(t)
	})

	other := faultyRun(t, seed+1)
	assert.NotEqual(t, want.trace, other.trace)
}

// TestForeignDrawsStayRandom: with etcd nodes alive on this goroutine,
// crypto/rand outside an adapter call still reads real randomness (the
// dispatcher forwards it), not a node's seeded stream.
func TestForeignDrawsStayRandom(t *testing.T) {
	c := newCluster(t, opts{seed: 1})
	c.waitLeader()
	a, b := make([]byte, 32), make([]byte, 32)
	_, err := crand.Read(a)
	require.NoError(t, err)
	_, err = crand.Read(b)
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	// Two identical clusters would draw identical bytes from their streams;
	// foreign reads in the same state do not repeat.
	d := newCluster(t, opts{seed: 1})
	d.waitLeader()
	e := make([]byte, 32)
	_, err = crand.Read(e)
	require.NoError(t, err)
	assert.NotEqual(t, a, e)
	assert.Equal(t, c.w.Trace().Hash(), d.w.Trace().Hash())
}
