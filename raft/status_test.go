package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Status reports the leader's view of every peer (match, next) once
// replication settles, and no peer view on a follower.
func TestStatusPeers(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.stabilize()
	_, _, err := l.Propose([]byte("x"))
	require.NoError(t, err)
	c.stabilize()

	st := l.Status()
	assert.Equal(t, uint64(1), st.ID)
	assert.Equal(t, Leader, st.Role)
	assert.Equal(t, uint64(1), st.Lead)
	assert.Equal(t, st.LastIndex, st.Commit, "everything committed once stable")
	require.Len(t, st.Peers, 3)
	for i, p := range st.Peers {
		assert.Equal(t, uint64(i+1), p.ID)
		assert.Equal(t, st.LastIndex, p.Match, "peer %d caught up", p.ID)
		assert.Equal(t, st.LastIndex+1, p.Next, "peer %d's next is after its match", p.ID)
	}

	// A follower cut off falls behind: the leader's view of it stops.
	c.isolate(3)
	_, _, err = l.Propose([]byte("y"))
	require.NoError(t, err)
	c.stabilize()
	st = l.Status()
	assert.Equal(t, st.LastIndex, st.Peers[1].Match)
	assert.Less(t, st.Peers[2].Match, st.LastIndex, "isolated peer 3 did not get the new entry")

	f := c.nodes[2].Status()
	assert.Equal(t, Follower, f.Role)
	assert.Empty(t, f.Peers, "only a leader tracks peers")
}
