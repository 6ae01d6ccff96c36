package raft

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Figure 2 ("Persistent state on all servers ... Updated on stable storage
// before responding to RPCs"): a vote goes out in the same Ready as the hard
// state that records it, which the host syncs before sending.
func TestVotePersistedBeforeReply(t *testing.T) {
	nd := newNode(t, 1, ids(3), withPreVote(false), withCheckQuorum(false))
	require.NoError(t, nd.Step(Message{Type: MsgVote, From: 2, To: 1, Term: 5, Index: 3, LogTerm: 1}))
	rd := nd.Ready()
	require.Len(t, rd.Messages, 1)
	assert.False(t, rd.Messages[0].Reject)
	assert.Equal(t, HardState{Term: 5, Vote: 2, Commit: 3}, rd.HardState)
	assert.True(t, rd.MustSync)
	nd.Advance()

	// After a crash the node rebuilt from that hard state keeps its vote.
	re, err := NewNode(nd.cfg, Persisted{HardState: rd.HardState, Entries: bootstrapEntries(ids(3))})
	require.NoError(t, err)
	require.NoError(t, re.Step(Message{Type: MsgVote, From: 3, To: 1, Term: 5, Index: 3, LogTerm: 1}))
	msgs := takeMsgs(t, re)
	require.Len(t, msgs, 1)
	assert.True(t, msgs[0].Reject, "no second vote in term 5 after a restart")
}

// §5 / Figure 2: a node restarted from its persisted hard state, log and
// snapshot recovers term, vote, log and commit, and rejoins the cluster.
func TestRestartRecoversState(t *testing.T) {
	for _, crash := range []struct {
		name  string
		nodes []uint64
	}{
		{"leader", []uint64{1}},
		{"follower", []uint64{3}},
		{"majority", []uint64{1, 2, 3}},
		{"all", []uint64{1, 2, 3, 4, 5}},
	} {
		t.Run(crash.name, func(t *testing.T) {
			c := newCluster(t, 5)
			c.elect(1)
			for range 5 {
				c.propose(1, "v")
			}
			require.NoError(t, c.nodes[2].Compact(c.nodes[2].log.applied, []byte("state")))
			c.disks[2].snap = c.nodes[2].Snapshot()
			c.disks[2].ents = c.disks[2].ents[c.disks[2].snap.Meta.Index:]
			before := map[uint64]Status{}
			for _, id := range crash.nodes {
				before[id] = c.nodes[id].Status()
				c.crash(id)
			}
			for _, id := range crash.nodes {
				nd := c.restart(id)
				st := nd.Status()
				b := before[id]
				assert.Equal(t, b.Term, st.Term, "term")
				assert.Equal(t, b.Vote, st.Vote, "vote")
				assert.Equal(t, b.LastIndex, st.LastIndex, "log")
				assert.Equal(t, b.Commit, st.Commit, "commit")
				assert.Equal(t, Follower, st.Role)
			}
			c.tick(40)
			l := c.leaderID()
			require.NotEqual(t, None, l)
			idx := c.propose(l, "after")
			for _, id := range c.sortedIDs() {
				assert.Equal(t, idx, c.nodes[id].log.committed, "node %d", id)
			}
		})
	}
}

// What a restarted node recovers must be a log Raft could have written.
func TestRestoreValidation(t *testing.T) {
	boot := bootstrapEntries(ids(3))
	for _, tc := range []struct {
		name  string
		p     Persisted
		field string
	}{
		{"gap", Persisted{HardState: HardState{Term: 1}, Entries: append(boot[:2:2], Entry{Term: 1, Index: 4})}, "Persisted.Entries"},
		{"term decreases", Persisted{HardState: HardState{Term: 3}, Entries: append(boot[:3:3], Entry{Term: 3, Index: 4}, Entry{Term: 2, Index: 5})}, "Persisted.Entries"},
		{"commit beyond log", Persisted{HardState: HardState{Term: 1, Commit: 9}, Entries: boot}, "Persisted.HardState.Commit"},
		{"snapshot without voters", Persisted{HardState: HardState{Term: 1}, Snapshot: &Snapshot{Meta: SnapshotMeta{Index: 3, Term: 1}}}, "Persisted.Snapshot.Meta.ConfState"},
		{"snapshot voter twice", Persisted{HardState: HardState{Term: 1}, Snapshot: &Snapshot{Meta: SnapshotMeta{Index: 3, Term: 1, ConfState: ConfState{Voters: []uint64{1, 1, 2}}}}}, "Persisted.Snapshot.Meta.ConfState"},
		{"entries not after snapshot", Persisted{HardState: HardState{Term: 1}, Snapshot: &Snapshot{Meta: SnapshotMeta{Index: 3, Term: 1, ConfState: ConfState{Voters: ids(3)}}}, Entries: boot}, "Persisted.Entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewNode(testConfig(1, ids(3)), tc.p)
			var ce *ConfigError
			require.True(t, errors.As(err, &ce), "got %v", err)
			assert.Equal(t, tc.field, ce.Field)
		})
	}
}

// Ready: hard state only when changed, MustSync only for durable changes,
// commit-only changes need no sync.
func TestReadyContract(t *testing.T) {
	nd, err := NewNode(testConfig(1, ids(3)), Persisted{})
	require.NoError(t, err)
	require.True(t, nd.HasReady())
	rd := nd.Ready()
	assert.Equal(t, HardState{Term: 1, Commit: 3}, rd.HardState)
	assert.Len(t, rd.Entries, 3, "bootstrap entries to persist")
	assert.Len(t, rd.CommittedEntries, 3, "and to apply")
	assert.True(t, rd.MustSync)
	assert.False(t, nd.HasReady(), "nothing new while a Ready is outstanding")
	nd.Advance()
	assert.False(t, nd.HasReady())

	require.NoError(t, nd.Step(Message{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 3, LogTerm: 1, Entries: []Entry{{Term: 2, Index: 4}}, Commit: 3}))
	rd = nd.Ready()
	assert.Equal(t, uint64(2), rd.HardState.Term)
	require.NotNil(t, rd.SoftState)
	assert.Equal(t, SoftState{Lead: 2, Role: Follower, Term: 2}, *rd.SoftState)
	nd.Advance()

	require.NoError(t, nd.Step(Message{Type: MsgHeartbeat, From: 2, To: 1, Term: 2, Commit: 4}))
	rd = nd.Ready()
	assert.Equal(t, uint64(4), rd.HardState.Commit)
	assert.False(t, rd.MustSync, "a commit-only change need not be synced")
	assert.Len(t, rd.CommittedEntries, 1)
	nd.Advance()
	assert.Equal(t, uint64(4), nd.Status().Applied)
}

// Every role change is visible, even one that began and ended between two
// Readies.
func TestRoleChangesObservable(t *testing.T) {
	nd := newNode(t, 1, ids(3), withPreVote(false))
	nd.campaign(campaignElection)
	require.NoError(t, nd.Step(Message{Type: MsgVoteResp, From: 2, To: 1, Term: 2}))
	require.Equal(t, Leader, nd.role)
	require.NoError(t, nd.Step(Message{Type: MsgHeartbeat, From: 3, To: 1, Term: 3}))
	rd := nd.Ready()
	assert.Equal(t, []SoftState{
		{Role: Candidate, Term: 2},
		{Role: Leader, Term: 2, Lead: 1},
		{Role: Follower, Term: 3, Lead: 3},
	}, rd.RoleChanges)
	assert.Equal(t, rd.RoleChanges[2], *rd.SoftState)
	nd.Advance()
}
