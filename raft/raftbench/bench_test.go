package raftbench

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// BenchmarkCommit measures committed proposals per wall second through 3-
// and 5-node clusters, proposing in batches of 64 while earlier batches are
// still in flight (pipelining).
func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{3, 5} {
		b.Run("nodes="+strconv.Itoa(n), func(b *testing.B) {
			c, err := New(n)
			if err != nil {
				b.Fatal(err)
			}
			l, li, err := c.Elect()
			if err != nil {
				b.Fatal(err)
			}
			data := make([]byte, 64)
			b.ReportAllocs()
			b.ResetTimer()
			if err := c.Commit(l, li, b.N, 64, data); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
		})
	}
}

// The idle path (ticks, heartbeats, their replies, Ready/Advance) allocates
// nothing once buffers are warm; a busy path allocates only for log growth.
func TestHotPathAllocations(t *testing.T) {
	c, err := New(5)
	require.NoError(t, err)
	l, _, err := c.Elect()
	require.NoError(t, err)
	idle := func() {
		require.NoError(t, c.Tick())
	}
	for range 20 {
		idle()
	}
	assert.Zero(t, testing.AllocsPerRun(200, idle), "an idle heartbeat round allocates")
	data := make([]byte, 16)
	busy := func() {
		for range 8 {
			_, _, err := l.Propose(data)
			require.NoError(t, err)
		}
		for range 3 {
			require.NoError(t, c.Hop())
		}
	}
	for range 100 {
		busy()
	}
	assert.LessOrEqual(t, testing.AllocsPerRun(500, busy), 1.0, "a batch of 8 proposals allocates more than log growth")
}

// Commit really commits: every proposal is applied on every node.
func TestCommitAppliesEverywhere(t *testing.T) {
	c, err := New(3)
	require.NoError(t, err)
	l, li, err := c.Elect()
	require.NoError(t, err)
	start := c.Applied[li]
	require.NoError(t, c.Commit(l, li, 1000, 64, []byte("x")))
	for range 5 {
		require.NoError(t, c.Tick())
	}
	for i, a := range c.Applied {
		assert.GreaterOrEqual(t, a, start+1000, "node %d applied", i+1)
	}
}
