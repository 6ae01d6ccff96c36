package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §7: the application snapshots its state at an applied index and the log
// up to it is discarded.
func TestCompact(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	for range 5 {
		c.propose(1, "v")
	}
	applied := l.Status().Applied
	assert.ErrorIs(t, l.Compact(applied+1, nil), ErrUnavailable, "not applied yet")
	require.NoError(t, l.Compact(applied-2, []byte("s1")))
	assert.ErrorIs(t, l.Compact(applied-2, nil), ErrCompacted)
	assert.ErrorIs(t, l.Compact(1, nil), ErrCompacted)
	s := l.Snapshot()
	require.NotNil(t, s)
	assert.Equal(t, applied-2, s.Meta.Index)
	assert.Equal(t, l.term, s.Meta.Term)
	assert.Equal(t, ids(3), s.Meta.ConfState.Voters)
	assert.Equal(t, applied-1, l.log.firstIndex())
	_, ok := l.log.term(applied - 3)
	assert.False(t, ok, "entries behind the snapshot are gone")
	// The cluster keeps working on top of the compacted log.
	idx := c.propose(1, "w")
	assert.Equal(t, idx, c.nodes[2].log.committed)
}

// §7: "the leader must occasionally send snapshots to followers that lag
// behind" — InstallSnapshot, then normal replication continues after it.
func TestSnapshotCatchesUpLaggingFollower(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.isolate(3)
	for range 10 {
		c.propose(1, "v")
	}
	require.NoError(t, l.Compact(l.Status().Applied, []byte("state")))
	snapIdx := l.Snapshot().Meta.Index
	c.heal()
	c.tick(5)
	f := c.nodes[3]
	assert.Equal(t, snapIdx, f.log.snapIndex)
	assert.Equal(t, "state", string(c.disks[3].snap.Data), "Ready.Snapshot persisted by the host")
	assert.Equal(t, l.log.committed, f.log.committed)
	idx := c.propose(1, "after")
	assert.Equal(t, idx, c.disks[3].applied, "applies entries after the snapshot")
}

// A lost snapshot is re-sent after a few heartbeat rounds.
func TestLostSnapshotResent(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.isolate(3)
	for range 5 {
		c.propose(1, "v")
	}
	require.NoError(t, l.Compact(l.Status().Applied, []byte("state")))
	c.heal()
	c.drop[MsgSnap] = true
	c.tick(3)
	require.Equal(t, uint64(0), c.nodes[3].log.snapIndex)
	c.drop[MsgSnap] = false
	c.tick(2 * l.snapRetryRounds * l.cfg.HeartbeatTicks)
	assert.Equal(t, l.Snapshot().Meta.Index, c.nodes[3].log.snapIndex)
	assert.Equal(t, l.log.committed, c.nodes[3].log.committed)
}

// §7: "If the follower receives a snapshot that describes a prefix of its
// log ... entries covered by the snapshot are deleted but entries following
// the snapshot are still valid and must be retained."
func TestSnapshotOfExistingPrefixKeepsLog(t *testing.T) {
	nd := restoreNode(t, 2, ids(3), []uint64{2, 2, 2, 2}, HardState{Term: 2, Commit: 3})
	s := &Snapshot{Meta: SnapshotMeta{Index: 5, Term: 2, ConfState: ConfState{Voters: ids(3)}}, Data: []byte("s")}
	require.NoError(t, nd.Step(Message{Type: MsgSnap, From: 1, To: 2, Term: 2, Snapshot: s}))
	assert.Equal(t, uint64(7), nd.log.lastIndex(), "entries after the snapshot kept")
	assert.Equal(t, uint64(5), nd.log.committed)
	rd := nd.Ready()
	assert.Nil(t, rd.Snapshot, "nothing to install")
	nd.Advance()
}
