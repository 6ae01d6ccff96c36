package raft

import (
	"slices"
	"strconv"
)

// Compact records the application's snapshot of its state at an applied
// index and discards the log up to it. The node keeps the snapshot to send
// to followers that fall behind the log (InstallSnapshot); the host persists
// it (see Snapshot) and may then drop its own copy of those entries. data is
// kept, not copied, and must not be modified afterwards. index must be at
// most the applied index (including entries of a Ready not yet advanced),
// else ErrUnavailable, and above the node's current snapshot, else
// ErrCompacted — which also happens when a newer snapshot from the leader
// arrived meanwhile; the host then just skips this compaction.
func (n *Node) Compact(index uint64, data []byte) error {
	if index <= n.log.snapIndex {
		return n.fail(ErrCompacted, None, "index "+strconv.FormatUint(index, 10)+" is at or behind snapshot "+strconv.FormatUint(n.log.snapIndex, 10))
	}
	applied := n.log.applied
	if n.outstanding {
		applied = max(applied, n.rdApplied)
	}
	if index > applied {
		return n.fail(ErrUnavailable, None, "index "+strconv.FormatUint(index, 10)+" is beyond the applied index "+strconv.FormatUint(applied, 10))
	}
	t, _ := n.log.term(index)
	s := &Snapshot{
		Meta: SnapshotMeta{Index: index, Term: t, ConfState: ConfState{Voters: slices.Clone(n.conf.at(index))}},
		Data: data,
	}
	n.log.compactTo(index, t)
	n.conf.compactTo(index)
	n.snapshot = s
	return nil
}

// Snapshot returns the latest snapshot the node holds (made by Compact or
// received from a leader), nil if none. After Compact the host persists it;
// on restart it comes back as Persisted.Snapshot. It must not be modified.
func (n *Node) Snapshot() *Snapshot { return n.snapshot }
