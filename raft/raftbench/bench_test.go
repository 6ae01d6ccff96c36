package raftbench

import (
	"strconv"
	"testing"
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
	if err != nil {
		t.Fatal(err)
	}
	l, _, err := c.Elect()
	if err != nil {
		t.Fatal(err)
	}
	idle := func() {
		if err := c.Tick(); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		idle()
	}
	if a := testing.AllocsPerRun(200, idle); a != 0 {
		t.Errorf("idle heartbeat round allocates %.1f times", a)
	}
	data := make([]byte, 16)
	busy := func() {
		for range 8 {
			if _, _, err := l.Propose(data); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			if err := c.Hop(); err != nil {
				t.Fatal(err)
			}
		}
	}
	for range 100 {
		busy()
	}
	if a := testing.AllocsPerRun(500, busy); a > 1 {
		t.Errorf("a batch of 8 proposals allocates %.1f times (log growth only expected)", a)
	}
}

// Commit really commits: every proposal is applied on every node.
func TestCommitAppliesEverywhere(t *testing.T) {
	c, err := New(3)
	if err != nil {
		t.Fatal(err)
	}
	l, li, err := c.Elect()
	if err != nil {
		t.Fatal(err)
	}
	start := c.Applied[li]
	if err := c.Commit(l, li, 1000, 64, []byte("x")); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if err := c.Tick(); err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range c.Applied {
		if a < start+1000 {
			t.Errorf("node %d applied up to %d, want ≥ %d", i+1, a, start+1000)
		}
	}
}
