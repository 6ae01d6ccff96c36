package harness

import (
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/raft"
)

// committedConf follows the voter set the cluster has committed, from the
// configuration entries the replicas apply (only committed entries are
// applied, and every replica applies the same entries in the same order).
type committedConf struct {
	index  uint64 // of the latest configuration entry applied anywhere
	voters []int  // sorted
	// removedAt[node] is the index of the configuration entry that last
	// removed node (0: never removed), for as long as it stays removed.
	removedAt map[int]uint64
}

// applied folds in an entry some replica applied. A configuration entry
// that does not decode breaks the boundary's contract (EntryConfChange
// carries a raft.ConfChange's encoding, whatever the implementation): the
// error says so, and the voter set stays as it was.
func (c *committedConf) applied(e *raft.Entry) error {
	if e.Type != raft.EntryConfChange || e.Index <= c.index {
		return nil
	}
	cc, err := raft.UnmarshalConfChange(e.Data)
	if err != nil {
		return fmt.Errorf("applied configuration entry %d (term %d) does not decode: %w", e.Index, e.Term, err)
	}
	c.index = e.Index
	i, found := slices.BinarySearch(c.voters, int(cc.NodeID))
	switch {
	case cc.Type == raft.AddNode && !found:
		c.voters = slices.Insert(c.voters, i, int(cc.NodeID))
	case cc.Type == raft.RemoveNode && found:
		c.voters = slices.Delete(c.voters, i, i+1)
		if c.removedAt == nil {
			c.removedAt = map[int]uint64{}
		}
		c.removedAt[int(cc.NodeID)] = e.Index
	}
	if cc.Type == raft.AddNode {
		delete(c.removedAt, int(cc.NodeID))
	}
	return nil
}

// contains reports whether node is a voter of the committed configuration.
func (c *committedConf) contains(node int) bool {
	_, found := slices.BinarySearch(c.voters, node)
	return found
}
