package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func joinConfig(id uint64) Config {
	cfg := testConfig(id, nil)
	cfg.Join = true
	return cfg
}

// §4.1 (dissertation): a server with an empty disk joins through a
// single-server change; it learns the configuration from the leader's log.
func TestAddNodeWithEmptyDisk(t *testing.T) {
	for _, viaSnapshot := range []bool{false, true} {
		c := newCluster(t, 3)
		l := c.elect(1)
		c.propose(1, "a")
		if viaSnapshot {
			require.NoError(t, l.Compact(l.Status().Applied, []byte("state")))
		}
		n4 := c.add(joinConfig(4))
		c.tick(3)
		assert.Equal(t, Follower, n4.role, "not a voter yet: never campaigns")
		assert.Equal(t, uint64(0), n4.log.lastIndex())

		idx, _, err := l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 4})
		require.NoError(t, err)
		assert.Equal(t, []uint64{1, 2, 3, 4}, l.Status().Voters, "in effect on append")
		c.stabilize()
		c.tick(3)
		assert.Equal(t, idx, l.log.committed)
		for _, id := range []uint64{2, 3, 4} {
			assert.Equal(t, []uint64{1, 2, 3, 4}, c.nodes[id].Status().Voters, "node %d", id)
		}
		assert.Equal(t, l.log.committed, n4.log.committed)
		if viaSnapshot {
			assert.NotNil(t, c.disks[4].snap, "node 4 caught up by snapshot")
		}
		// Quorum is now 3 of 4: with 2 and 3 down nothing commits.
		c.crash(2)
		c.crash(3)
		_, _, err = l.Propose([]byte("b"))
		require.NoError(t, err)
		c.tick(1)
		assert.Less(t, l.log.committed, l.log.lastIndex())
		c.restart(3)
		c.tick(3)
		assert.Equal(t, l.log.lastIndex(), l.log.committed, "1, 3 and 4 make a quorum")
	}
}

func TestRemoveFollower(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.propose(1, "a")
	idx, _, err := l.ProposeConfChange(ConfChange{Type: RemoveNode, NodeID: 3})
	require.NoError(t, err)
	c.stabilize()
	assert.Equal(t, idx, l.log.committed)
	assert.Equal(t, []uint64{1, 2}, c.nodes[2].Status().Voters)
	err = l.Step(Message{Type: MsgHeartbeatResp, From: 3, To: 1, Term: l.term})
	assert.ErrorIs(t, err, ErrUnknownPeer)
	c.crash(3)
	w := c.propose(1, "b")
	assert.Equal(t, w, l.log.committed, "1 and 2 are the whole cluster")
}

// §4.2.2: the leader may remove itself; it manages the cluster without
// counting itself until the change commits, then steps down. Here it also
// hands over with TimeoutNow, so there is no election-timeout gap.
func TestRemoveLeader(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.propose(1, "a")
	_, _, err := l.ProposeConfChange(ConfChange{Type: RemoveNode, NodeID: 1})
	require.NoError(t, err)
	c.stabilize()
	assert.Equal(t, Follower, l.role, "stepped down once the removal committed")
	nl := c.leaderID()
	require.NotEqual(t, None, nl, "the TimeoutNow handover elected a successor at once")
	assert.Equal(t, []uint64{2, 3}, c.nodes[nl].Status().Voters)
	term := l.term
	c.tick(60)
	assert.Equal(t, Follower, l.role, "a removed node never campaigns")
	idx := c.propose(c.leaderID(), "b")
	assert.Equal(t, idx, c.nodes[2].log.committed)
	assert.LessOrEqual(t, term, c.nodes[nl].term)
}

// The 2015 fix: no change before the leader has committed an entry of its
// term, and one change at a time.
func TestConfChangeRules(t *testing.T) {
	c := newCluster(t, 3)
	c.drop[MsgAppResp] = true
	l := c.elect(1)
	_, _, err := l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 4})
	assert.ErrorIs(t, err, ErrNoCurrentTermCommit)
	c.drop[MsgAppResp] = false
	c.tick(2)

	_, _, err = l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 2})
	assert.ErrorIs(t, err, ErrInvalidConfChange, "already a voter")
	_, _, err = l.ProposeConfChange(ConfChange{Type: RemoveNode, NodeID: 9})
	assert.ErrorIs(t, err, ErrInvalidConfChange, "not a voter")
	_, _, err = l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 0})
	assert.ErrorIs(t, err, ErrInvalidConfChange)

	c.drop[MsgAppResp] = true
	_, _, err = l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 4})
	require.NoError(t, err)
	_, _, err = l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 5})
	assert.ErrorIs(t, err, ErrConfChangePending)
	c.drop[MsgAppResp] = false
	c.tick(2)
	_, _, err = l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 5})
	assert.NoError(t, err, "the first change committed")

	f := c.nodes[2]
	_, _, err = f.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 6})
	assert.ErrorIs(t, err, ErrNotLeader)
}

// With configurations in effect on append, a truncated change is rolled back.
func TestConfChangeRolledBackOnTruncation(t *testing.T) {
	nd := restoreNode(t, 2, ids(3), []uint64{2}, HardState{Term: 2, Commit: 4})
	cc := Entry{Term: 2, Index: 5, Type: EntryConfChange, Data: ConfChange{Type: AddNode, NodeID: 4}.Marshal()}
	require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 4, LogTerm: 2, Entries: []Entry{cc}, Commit: 4}))
	assert.Equal(t, []uint64{1, 2, 3, 4}, nd.Status().Voters)
	// A new leader of term 3 never had it.
	require.NoError(t, nd.Step(Message{Type: MsgApp, From: 3, To: 2, Term: 3, Index: 4, LogTerm: 2, Entries: []Entry{{Term: 3, Index: 5}}, Commit: 4}))
	assert.Equal(t, []uint64{1, 2, 3}, nd.Status().Voters)
	assert.Equal(t, uint64(3), nd.lead)
}

func TestConfChangeEncoding(t *testing.T) {
	for _, cc := range []ConfChange{{AddNode, 1}, {RemoveNode, 1 << 40}} {
		got, err := UnmarshalConfChange(cc.Marshal())
		require.NoError(t, err)
		assert.Equal(t, cc, got)
	}
	for _, bad := range [][]byte{nil, {0}, ConfChange{Type: 9, NodeID: 1}.Marshal(), ConfChange{Type: AddNode}.Marshal()} {
		_, err := UnmarshalConfChange(bad)
		assert.ErrorIs(t, err, ErrInvalidConfChange)
	}
}
