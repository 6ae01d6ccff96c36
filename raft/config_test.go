package raft

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewNodeRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Config)
		field string
	}{
		{"zero id", func(c *Config) { c.ID = 0 }, "ID"},
		{"election not above heartbeat", func(c *Config) { c.ElectionTicks = c.HeartbeatTicks }, "ElectionTicks"},
		{"zero heartbeat", func(c *Config) { c.HeartbeatTicks = 0 }, "HeartbeatTicks"},
		{"zero inflight", func(c *Config) { c.MaxInflightMsgs = 0 }, "MaxInflightMsgs"},
		{"zero msg size", func(c *Config) { c.MaxSizePerMsg = 0 }, "MaxSizePerMsg"},
		{"negative uncommitted", func(c *Config) { c.MaxUncommittedEntries = -1 }, "MaxUncommittedEntries"},
		{"nil rand", func(c *Config) { c.Rand = nil }, "Rand"},
		{"unknown read option", func(c *Config) { c.ReadOnly = 7 }, "ReadOnly"},
		{"lease without check quorum", func(c *Config) { c.ReadOnly = ReadOnlyLeaseBased; c.CheckQuorum = false }, "ReadOnly"},
		{"lease with tiny election timeout", func(c *Config) { c.ReadOnly = ReadOnlyLeaseBased; c.ElectionTicks = 3 }, "ElectionTicks"},
		{"zero voter id", func(c *Config) { c.Voters = []uint64{1, 0, 2} }, "Voters"},
		{"duplicate voter", func(c *Config) { c.Voters = []uint64{1, 2, 2} }, "Voters"},
		{"no voters without join", func(c *Config) { c.Voters = nil }, "Voters"},
		{"self not a voter", func(c *Config) { c.Voters = []uint64{2, 3, 4} }, "Voters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(1, ids(3))
			tc.edit(&cfg)
			_, err := NewNode(cfg, Persisted{})
			var ce *ConfigError
			require.True(t, errors.As(err, &ce), "got %v", err)
			assert.Equal(t, tc.field, ce.Field)
			assert.Contains(t, err.Error(), tc.field)
		})
	}
	t.Run("lease without check quorum allowed as a planted bug", func(t *testing.T) {
		cfg := testConfig(1, ids(3), withLease(), withCheckQuorum(false), withBugs(Bugs{LeaseWithoutCheckQuorum: true}))
		_, err := NewNode(cfg, Persisted{})
		assert.NoError(t, err)
	})
	t.Run("join with no voters", func(t *testing.T) {
		cfg := testConfig(4, nil)
		cfg.Join = true
		nd, err := NewNode(cfg, Persisted{})
		require.NoError(t, err)
		assert.Empty(t, nd.Status().Voters)
	})
}

// A reply or read request from outside the configuration is refused with
// ErrUnknownPeer (callers count them). Requests from leaders and candidates
// are processed from anyone (dissertation §4.1), since they may be newer
// than this node's configuration.
func TestUnknownPeer(t *testing.T) {
	nd := newNode(t, 1, ids(3), withPreVote(false), withCheckQuorum(false))
	for _, typ := range []MessageType{MsgAppResp, MsgHeartbeatResp, MsgVoteResp, MsgPreVoteResp, MsgReadIndex} {
		err := nd.Step(Message{Type: typ, From: 9, To: 1, Term: 2})
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrUnknownPeer, "type %d", typ)
		var pe *ProtocolError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, uint64(1), pe.Node)
		assert.Equal(t, uint64(9), pe.From)
	}
	assert.Equal(t, uint64(1), nd.term, "ignored messages change nothing")
	require.NoError(t, nd.Step(Message{Type: MsgVote, From: 9, To: 1, Term: 2, Index: 3, LogTerm: 1}))
	assert.Equal(t, uint64(9), nd.vote, "a vote for a candidate this node does not know yet")
	require.NoError(t, nd.Step(Message{Type: MsgHeartbeat, From: 9, To: 1, Term: 3}))
	assert.Equal(t, uint64(9), nd.lead)
}

func TestBadMessages(t *testing.T) {
	nd := newNode(t, 1, ids(3))
	for _, tc := range []struct {
		name string
		m    Message
	}{
		{"misaddressed", Message{Type: MsgHeartbeat, From: 2, To: 3, Term: 2}},
		{"from self", Message{Type: MsgHeartbeat, From: 1, To: 1, Term: 2}},
		{"from none", Message{Type: MsgHeartbeat, From: 0, To: 1, Term: 2}},
		{"term zero", Message{Type: MsgHeartbeat, From: 2, To: 1}},
		{"unknown type", Message{Type: 99, From: 2, To: 1, Term: 2}},
		{"reserved type", Message{Type: MsgSnapStatus, From: 2, To: 1, Term: 2}},
		{"gap in entries", Message{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 3, LogTerm: 1, Entries: []Entry{{Term: 2, Index: 5}}}},
		{"entry term above message term", Message{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 3, LogTerm: 1, Entries: []Entry{{Term: 3, Index: 4}}}},
		{"snapshot missing", Message{Type: MsgSnap, From: 2, To: 1, Term: 2}},
		{"snapshot voters unsorted", Message{Type: MsgSnap, From: 2, To: 1, Term: 2, Snapshot: &Snapshot{Meta: SnapshotMeta{Index: 10, Term: 2, ConfState: ConfState{Voters: []uint64{3, 1, 2}}}}}},
		{"snapshot voters repeat", Message{Type: MsgSnap, From: 2, To: 1, Term: 2, Snapshot: &Snapshot{Meta: SnapshotMeta{Index: 10, Term: 2, ConfState: ConfState{Voters: []uint64{1, 2, 2}}}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := nd.Step(tc.m)
			assert.ErrorIs(t, err, ErrBadMessage)
			assert.Equal(t, uint64(3), nd.log.lastIndex())
		})
	}
}

// Two leaders in one term is reported, not ignored.
func TestTwoLeadersReported(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	err := l.Step(Message{Type: MsgApp, From: 2, To: 1, Term: l.term, Index: 3, LogTerm: 1})
	assert.ErrorIs(t, err, ErrSafety)
	assert.Contains(t, err.Error(), "two leaders")
	// A follower hearing from a second leader in its term reports it too.
	f := c.nodes[2]
	err = f.Step(Message{Type: MsgHeartbeat, From: 3, To: 2, Term: f.term})
	assert.ErrorIs(t, err, ErrSafety)
	assert.Equal(t, uint64(1), f.lead)
}
