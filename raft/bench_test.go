package raft

import (
	"math/rand/v2"
	"testing"
)

// benchCluster is a lean in-memory cluster for throughput: no checks, no
// maps; every hop delivers all messages produced by the previous one.
type benchCluster struct {
	nodes   []*Node
	inbox   [][]Message
	spare   [][]Message
	disk    [][]Entry // what each node "persisted"
	applied []uint64
}

func newBenchCluster(b testing.TB, n int) *benchCluster {
	c := &benchCluster{
		nodes:   make([]*Node, n),
		inbox:   make([][]Message, n),
		spare:   make([][]Message, n),
		disk:    make([][]Entry, n),
		applied: make([]uint64, n),
	}
	for i := range n {
		cfg := Config{
			ID: uint64(i + 1), Voters: ids(n), ElectionTicks: 10, HeartbeatTicks: 1,
			PreVote: true, CheckQuorum: true, MaxInflightMsgs: 256, MaxSizePerMsg: 1 << 20,
			Rand: rand.New(rand.NewPCG(uint64(i), 1)),
		}
		nd, err := NewNode(cfg, Persisted{})
		if err != nil {
			b.Fatal(err)
		}
		nd.bootQuiet = false
		c.nodes[i] = nd
	}
	return c
}

// hop handles every node's Ready, then delivers the messages it produced.
func (c *benchCluster) hop(b testing.TB) {
	for i, nd := range c.nodes {
		if !nd.HasReady() {
			continue
		}
		rd := nd.Ready()
		if len(rd.Entries) > 0 {
			first := rd.Entries[0].Index
			d := c.disk[i]
			if k := int(first - 1); k < len(d) {
				d = d[:k]
			}
			c.disk[i] = append(d, rd.Entries...)
		}
		if k := len(rd.CommittedEntries); k > 0 {
			c.applied[i] = rd.CommittedEntries[k-1].Index
		}
		for _, m := range rd.Messages {
			c.inbox[m.To-1] = append(c.inbox[m.To-1], m)
		}
		nd.Advance()
	}
	for i, nd := range c.nodes {
		msgs := c.inbox[i]
		c.inbox[i] = c.spare[i][:0]
		for _, m := range msgs {
			if err := nd.Step(m); err != nil {
				b.Fatal(err)
			}
		}
		c.spare[i] = msgs[:0]
	}
}

// BenchmarkCommit measures committed proposals per wall second through 3-
// and 5-node clusters, proposing in batches of 64 while earlier batches are
// still in flight (pipelining).
func BenchmarkCommit(b *testing.B) {
	for _, n := range []int{3, 5} {
		b.Run(map[int]string{3: "nodes=3", 5: "nodes=5"}[n], func(b *testing.B) {
			c := newBenchCluster(b, n)
			l := c.nodes[0]
			l.campaign(campaignElection)
			for l.role != Leader || l.log.committed < l.log.lastIndex() {
				c.hop(b)
			}
			for range 5 {
				c.hop(b)
			}
			data := make([]byte, 64)
			const batch = 64
			start := l.log.committed
			b.ReportAllocs()
			b.ResetTimer()
			proposed := 0
			for proposed < b.N {
				k := min(batch, b.N-proposed)
				for range k {
					if _, _, err := l.Propose(data); err != nil {
						b.Fatal(err)
					}
				}
				proposed += k
				c.hop(b)
				// Compact now and then, as a host would, so memory stays flat.
				if a := c.applied[0]; a > l.log.snapIndex+1<<16 {
					for _, nd := range c.nodes {
						if nd.log.applied > nd.log.snapIndex {
							_ = nd.Compact(nd.log.applied, nil)
						}
					}
					for i := range c.disk {
						c.disk[i] = nil
					}
				}
			}
			want := start + uint64(b.N)
			for c.applied[0] < want {
				c.hop(b)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "proposals/s")
		})
	}
}

// The idle path (ticks, heartbeats, their replies, Ready/Advance) allocates
// nothing once buffers are warm; a busy path allocates only for log growth.
func TestHotPathAllocations(t *testing.T) {
	c := newBenchCluster(t, 5)
	l := c.nodes[0]
	l.campaign(campaignElection)
	for l.role != Leader || l.log.committed < l.log.lastIndex() {
		c.hop(t)
	}
	idle := func() {
		for _, nd := range c.nodes {
			nd.Tick()
		}
		c.hop(t)
		c.hop(t)
		c.hop(t)
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
		c.hop(t)
		c.hop(t)
		c.hop(t)
	}
	for range 100 {
		busy()
	}
	if a := testing.AllocsPerRun(500, busy); a > 1 {
		t.Errorf("a batch of 8 proposals allocates %.1f times (log growth only expected)", a)
	}
}
