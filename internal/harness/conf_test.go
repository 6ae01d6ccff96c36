package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// TestConfEntriesThroughTheBoundary: the committed voter set follows the
// configuration entries replicas apply, in raft.ConfChange's encoding; an
// applied configuration entry that does not decode (an adapter that broke
// the boundary's contract) is an anomaly with the node and index, not a
// silently stale voter set.
func TestConfEntriesThroughTheBoundary(t *testing.T) {
	w, err := sim.NewWorld(sim.Config{Seed: 1})
	require.NoError(t, err)
	o := newObserver(w, 3, false, checker.ConfOnAppend)
	add := func(i, id uint64) raft.Entry {
		return raft.Entry{Index: i, Term: 1, Type: raft.EntryConfChange, Data: raft.ConfChange{Type: raft.AddNode, NodeID: id}.Marshal()}
	}
	o.Applied(1, add(1, 1))
	o.Applied(1, add(2, 2))
	o.Applied(2, add(2, 2)) // another replica applying the same entry
	assert.Equal(t, []int{1, 2}, o.conf.voters)
	assert.Empty(t, o.reports)

	o.Applied(3, raft.Entry{Index: 3, Term: 2, Type: raft.EntryConfChange, Data: []byte{0xff, 0xff}})
	assert.Equal(t, []int{1, 2}, o.conf.voters)
	require.Len(t, o.reports, 1)
	assert.Equal(t, 3, o.reports[0].node)
	assert.Contains(t, o.reports[0].text, "applied configuration entry 3 (term 2) does not decode")
}
