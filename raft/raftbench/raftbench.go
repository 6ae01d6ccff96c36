// Package raftbench is a lean in-memory Raft cluster for measuring the
// protocol alone: no network model, no disk, no checks. Every Hop handles
// each node's Ready (entries "persisted" by copying, committed entries
// counted as applied) and delivers the messages it produced to their
// recipients at once. BenchmarkCommit and `raftcheck bench` both drive it.
package raftbench

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/raft"
)

// Cluster is n raft nodes wired to each other in memory.
type Cluster struct {
	Nodes   []*raft.Node
	Applied []uint64 // per node: index of the last committed entry handed over

	inbox [][]raft.Message
	spare [][]raft.Message
	disk  [][]raft.Entry // what each node "persisted"
}

// New returns an n-node cluster (ids 1..n) with PreVote and CheckQuorum on,
// ElectionTicks 10, HeartbeatTicks 1, and generous pipelining bounds.
func New(n int) (*Cluster, error) {
	c := &Cluster{Nodes: make([]*raft.Node, n), Applied: make([]uint64, n),
		inbox: make([][]raft.Message, n), spare: make([][]raft.Message, n), disk: make([][]raft.Entry, n)}
	voters := make([]uint64, n)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	for i := range n {
		nd, err := raft.NewNode(raft.Config{ID: uint64(i + 1), Voters: voters, ElectionTicks: 10, HeartbeatTicks: 1,
			PreVote: true, CheckQuorum: true, MaxInflightMsgs: 256, MaxSizePerMsg: 1 << 20,
			Rand: rand.New(rand.NewPCG(uint64(i), 1))}, raft.Persisted{})
		if err != nil {
			return nil, fmt.Errorf("raftbench: node %d: %w", i+1, err)
		}
		c.Nodes[i] = nd
	}
	return c, nil
}

// Hop handles every node's Ready, then delivers the messages it produced.
func (c *Cluster) Hop() error {
	for i, nd := range c.Nodes {
		if !nd.HasReady() {
			continue
		}
		rd := nd.Ready()
		if len(rd.Entries) > 0 {
			d := c.disk[i]
			if k := int(rd.Entries[0].Index - 1); k < len(d) {
				d = d[:k]
			}
			c.disk[i] = append(d, rd.Entries...)
		}
		if k := len(rd.CommittedEntries); k > 0 {
			c.Applied[i] = rd.CommittedEntries[k-1].Index
		}
		for _, m := range rd.Messages {
			c.inbox[m.To-1] = append(c.inbox[m.To-1], m)
		}
		nd.Advance()
	}
	for i, nd := range c.Nodes {
		msgs := c.inbox[i]
		c.inbox[i] = c.spare[i][:0]
		for _, m := range msgs {
			if err := nd.Step(m); err != nil {
				return fmt.Errorf("raftbench: node %d: %w", i+1, err)
			}
		}
		c.spare[i] = msgs[:0]
	}
	return nil
}

// Tick ticks every node once, then hops until the messages it caused have
// been delivered (a few hops).
func (c *Cluster) Tick() error {
	for _, nd := range c.Nodes {
		nd.Tick()
	}
	for range 4 {
		if err := c.Hop(); err != nil {
			return err
		}
	}
	return nil
}

// Elect ticks the cluster until one node leads with its no-op committed and
// applied, and returns it and its position in Nodes.
func (c *Cluster) Elect() (*raft.Node, int, error) {
	for range 10_000 {
		if err := c.Tick(); err != nil {
			return nil, 0, err
		}
		for i, nd := range c.Nodes {
			if st := nd.Status(); st.Role == raft.Leader && st.Commit == st.LastIndex && c.Applied[i] == st.Commit {
				return nd, i, nil
			}
		}
	}
	return nil, 0, errors.New("raftbench: no leader after 10,000 ticks")
}

// Commit proposes n entries of data through leader l (position li) in
// batches of batch, one Hop after each batch so earlier batches are still in
// flight (pipelining), compacting every node's log now and then as a host
// would so memory stays flat; it returns once all n are applied on l.
func (c *Cluster) Commit(l *raft.Node, li, n, batch int, data []byte) error {
	want := c.Applied[li] + uint64(n)
	compacted := append([]uint64(nil), c.Applied...) // each node's last compaction
	for proposed := 0; proposed < n; {
		k := min(batch, n-proposed)
		for range k {
			if _, _, err := l.Propose(data); err != nil {
				return fmt.Errorf("raftbench: propose: %w", err)
			}
		}
		proposed += k
		if err := c.Hop(); err != nil {
			return err
		}
		if c.Applied[li] > compacted[li]+1<<16 {
			for i, nd := range c.Nodes {
				if c.Applied[i] > compacted[i] {
					if err := nd.Compact(c.Applied[i], nil); err != nil {
						return fmt.Errorf("raftbench: compact: %w", err)
					}
					compacted[i] = c.Applied[i]
				}
				c.disk[i] = nil
			}
		}
	}
	for hops := 0; c.Applied[li] < want; hops++ {
		if hops > 1000 {
			return fmt.Errorf("raftbench: %d of %d proposals applied", c.Applied[li]-(want-uint64(n)), n)
		}
		if err := c.Hop(); err != nil {
			return err
		}
	}
	return nil
}
