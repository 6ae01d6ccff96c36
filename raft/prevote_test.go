package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §9.6: with PreVote, a node that was partitioned away and comes back does
// not disrupt a stable leader: it never raised its term while it could not
// win. Without PreVote (and CheckQuorum) it does.
func TestPreVoteDoesNotDisruptStableLeader(t *testing.T) {
	for _, tc := range []struct {
		name      string
		preVote   bool
		disrupted bool
	}{
		{"prevote", true, false},
		{"no prevote", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, 3, withPreVote(tc.preVote), withCheckQuorum(false))
			l := c.elect(1)
			term := l.term
			c.isolate(3)
			c.tick(60) // node 3 times out repeatedly
			if tc.preVote {
				assert.Equal(t, term, c.nodes[3].term, "pre-votes do not raise the term")
			} else {
				assert.Greater(t, c.nodes[3].term, term)
			}
			c.heal()
			c.tick(1)
			// Node 3's next message to the leader (a vote request or a
			// higher-term reply) either bumps the leader or not.
			c.tick(30)
			assert.Equal(t, tc.disrupted, c.nodes[1].term != term, "leader term moved")
			if !tc.disrupted {
				assert.Equal(t, Leader, c.nodes[1].role)
				assert.Equal(t, uint64(1), c.nodes[3].lead, "node 3 rejoined as follower")
			}
		})
	}
}

// With CheckQuorum, a follower that heard from its leader within the election
// timeout ignores vote requests for a higher term (§4.2.3): a removed or
// isolated server cannot depose a working leader.
func TestLeaseIgnoresVoteRequests(t *testing.T) {
	c := newCluster(t, 3, withPreVote(false))
	l := c.elect(1)
	term := l.term
	f := c.nodes[2]
	require.NoError(t, f.Step(Message{Type: MsgVote, From: 3, To: 2, Term: term + 1, Index: 100, LogTerm: term}))
	assert.Equal(t, term, f.term, "term not adopted")
	assert.Equal(t, uint64(1), f.vote, "still its vote for the leader")
	assert.Empty(t, takeMsgs(t, f), "not even a rejection")
	// After an election timeout of silence the lease is over.
	for range f.cfg.ElectionTicks {
		f.Tick()
	}
	f.electionElapsed = f.cfg.ElectionTicks // in case it campaigned meanwhile
	f.lead = 1
	require.NoError(t, f.Step(Message{Type: MsgVote, From: 3, To: 2, Term: term + 5, Index: 100, LogTerm: term}))
	assert.Equal(t, term+5, f.term)
	assert.Equal(t, uint64(3), f.vote)
}

// A freshly restarted node also waits out an election timeout before it helps
// elect anyone (a lease may still be running elsewhere).
func TestBootLease(t *testing.T) {
	nd, err := NewNode(testConfig(2, ids(3), withPreVote(false)), Persisted{})
	require.NoError(t, err)
	takeMsgs(t, nd)
	require.NoError(t, nd.Step(Message{Type: MsgVote, From: 3, To: 2, Term: 2, Index: 3, LogTerm: 1}))
	assert.Equal(t, uint64(1), nd.term, "ignored during the boot lease")
	for range nd.cfg.ElectionTicks {
		nd.Tick()
	}
	if nd.role == Follower {
		require.NoError(t, nd.Step(Message{Type: MsgVote, From: 3, To: 2, Term: 9, Index: 3, LogTerm: 1}))
		assert.Equal(t, uint64(9), nd.term)
	}
}

// §6.2: "a leader steps down if an election timeout elapses without a
// successful round of heartbeats to a majority of its cluster" (CheckQuorum).
func TestCheckQuorumStepDown(t *testing.T) {
	for _, cq := range []bool{true, false} {
		c := newCluster(t, 5, withCheckQuorum(cq))
		l := c.elect(1)
		c.isolate(1)
		for range 2 * l.cfg.ElectionTicks {
			l.Tick()
			c.stabilize()
		}
		if cq {
			assert.Equal(t, Follower, l.role, "isolated leader steps down")
			assert.Equal(t, None, l.lead)
		} else {
			assert.Equal(t, Leader, l.role, "without CheckQuorum it never notices")
		}
	}
	// A leader with a quorum stays.
	c := newCluster(t, 5)
	l := c.elect(1)
	c.crash(4)
	c.crash(5)
	c.tick(5 * l.cfg.ElectionTicks)
	assert.Equal(t, Leader, l.role)
}

// A leader cut off with a higher-term node elsewhere learns the term from the
// rejection of its stale heartbeats (CheckQuorum/PreVote case).
func TestStaleLeaderLearnsTerm(t *testing.T) {
	c := newCluster(t, 3, withCheckQuorum(false))
	old := c.elect(1)
	c.isolate(1)
	c.tick(40)
	nl := c.leaderID()
	require.NotEqual(t, uint64(1), nl)
	require.NotEqual(t, None, nl)
	require.Equal(t, Leader, old.role, "without CheckQuorum the old leader still believes")
	c.heal()
	c.tick(2)
	assert.Equal(t, Follower, old.role)
	assert.Equal(t, c.nodes[nl].term, old.term)
	assert.Equal(t, nl, old.lead)
}
