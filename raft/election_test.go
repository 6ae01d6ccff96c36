package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §5.2: "A candidate wins an election if it receives votes from a majority of
// the servers in the full cluster for the same term."
func TestLeaderElection(t *testing.T) {
	for _, tc := range []struct {
		name     string
		n        int
		down     []uint64
		preVote  bool
		wantRole Role
	}{
		{"3 nodes all up", 3, nil, false, Leader},
		{"3 nodes one down", 3, []uint64{3}, false, Leader},
		{"3 nodes two down", 3, []uint64{2, 3}, false, Candidate},
		{"5 nodes two down", 5, []uint64{4, 5}, false, Leader},
		{"5 nodes three down", 5, []uint64{3, 4, 5}, false, Candidate},
		{"prevote 3 nodes one down", 3, []uint64{3}, true, Leader},
		{"prevote 5 nodes three down", 5, []uint64{3, 4, 5}, true, PreCandidate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, tc.n, withPreVote(tc.preVote))
			for _, id := range tc.down {
				c.crash(id)
			}
			c.campaign(1)
			nd := c.nodes[1]
			assert.Equal(t, tc.wantRole, nd.role)
			if tc.wantRole == Leader {
				assert.Equal(t, uint64(2), nd.term, "bootstrap term 1, first election term 2")
			}
		})
	}
}

// §5.2: "each server will vote for at most one candidate in a given term, on
// a first-come-first-served basis".
func TestVoteOncePerTerm(t *testing.T) {
	nd := newNode(t, 1, ids(3), withPreVote(false), withCheckQuorum(false))
	vote := func(from uint64) Message {
		require.NoError(t, nd.Step(Message{Type: MsgVote, From: from, To: 1, Term: 5, Index: 3, LogTerm: 1}))
		msgs := takeMsgs(t, nd)
		require.Len(t, msgs, 1)
		return msgs[0]
	}
	assert.False(t, vote(2).Reject, "first candidate of term 5 gets the vote")
	assert.True(t, vote(3).Reject, "second candidate of term 5 is refused")
	assert.False(t, vote(2).Reject, "a repeated request from the same candidate gets the same answer")
	assert.Equal(t, uint64(2), nd.vote)
}

// §5.4.1: "the voter denies its vote if its own log is more up-to-date than
// that of the candidate".
func TestVoteRequiresUpToDateLog(t *testing.T) {
	// Voter log: bootstrap (3 entries, term 1), then terms 2, 3 → last (5, 3).
	for _, tc := range []struct {
		lastIndex, lastTerm uint64
		grant               bool
	}{
		{5, 3, true},  // same
		{6, 3, true},  // longer, same term
		{4, 3, false}, // shorter, same term
		{3, 4, true},  // higher last term wins even if shorter
		{9, 2, false}, // lower last term loses even if longer
	} {
		nd := restoreNode(t, 1, ids(3), []uint64{2, 3}, HardState{Term: 3}, withPreVote(false), withCheckQuorum(false))
		require.NoError(t, nd.Step(Message{Type: MsgVote, From: 2, To: 1, Term: 6, Index: tc.lastIndex, LogTerm: tc.lastTerm}))
		msgs := takeMsgs(t, nd)
		require.Len(t, msgs, 1)
		assert.Equal(t, !tc.grant, msgs[0].Reject, "candidate last (%d, %d)", tc.lastIndex, tc.lastTerm)
		assert.Equal(t, uint64(6), nd.term, "term adopted either way")
	}
}

// §5.1: "If a candidate or leader discovers that its term is out of date, it
// immediately reverts to follower state"; "If a server receives a request
// with a stale term number, it rejects the request."
func TestTermHandling(t *testing.T) {
	t.Run("leader steps down on a higher term", func(t *testing.T) {
		c := newCluster(t, 3)
		l := c.elect(1)
		require.NoError(t, l.Step(Message{Type: MsgHeartbeat, From: 2, To: 1, Term: l.term + 3}))
		assert.Equal(t, Follower, l.role)
		assert.Equal(t, uint64(2+3), l.term)
		assert.Equal(t, uint64(2), l.lead)
	})
	t.Run("candidate steps down on same-term append", func(t *testing.T) {
		nd := newNode(t, 1, ids(3), withPreVote(false))
		nd.campaign(campaignElection)
		require.Equal(t, Candidate, nd.role)
		require.NoError(t, nd.Step(Message{Type: MsgApp, From: 2, To: 1, Term: nd.term, Index: 3, LogTerm: 1}))
		assert.Equal(t, Follower, nd.role)
		assert.Equal(t, uint64(2), nd.lead)
	})
	t.Run("stale append is refused and tells the sender the term", func(t *testing.T) {
		nd := restoreNode(t, 1, ids(3), nil, HardState{Term: 7})
		require.NoError(t, nd.Step(Message{Type: MsgApp, From: 2, To: 1, Term: 4, Index: 3, LogTerm: 1, Entries: []Entry{{Term: 4, Index: 4}}}))
		assert.Equal(t, uint64(3), nd.log.lastIndex(), "stale entries not appended")
		msgs := takeMsgs(t, nd)
		require.Len(t, msgs, 1)
		assert.Equal(t, MsgAppResp, msgs[0].Type)
		assert.Equal(t, uint64(7), msgs[0].Term)
	})
	t.Run("stale vote is ignored", func(t *testing.T) {
		nd := restoreNode(t, 1, ids(3), nil, HardState{Term: 7})
		require.NoError(t, nd.Step(Message{Type: MsgVote, From: 2, To: 1, Term: 6, Index: 10, LogTerm: 6}))
		assert.Equal(t, None, nd.vote)
		assert.Empty(t, takeMsgs(t, nd))
	})
}

// §5.2: election timeouts are "chosen randomly from a fixed interval".
func TestRandomizedElectionTimeout(t *testing.T) {
	nd := newNode(t, 1, ids(3))
	seen := map[int]bool{}
	for range 200 {
		nd.resetElectionTimer()
		to := nd.randomizedTimeout
		require.GreaterOrEqual(t, to, nd.cfg.ElectionTicks)
		require.Less(t, to, 2*nd.cfg.ElectionTicks)
		seen[to] = true
	}
	assert.Greater(t, len(seen), 5, "timeouts spread over the interval")
}

// §5.2: "If a follower receives no communication over a period of time
// called the election timeout, then it ... begins an election".
func TestFollowerTimesOutIntoElection(t *testing.T) {
	for _, preVote := range []bool{false, true} {
		nd := newNode(t, 1, ids(3), withPreVote(preVote))
		to := nd.randomizedTimeout
		for range to - 1 {
			nd.Tick()
		}
		require.Equal(t, Follower, nd.role)
		nd.Tick()
		want := Candidate
		if preVote {
			want = PreCandidate
		}
		assert.Equal(t, want, nd.role)
		msgs := takeMsgs(t, nd)
		assert.Len(t, msgs, 2, "a vote request to each other voter")
	}
}

// A leader keeps followers quiet with heartbeats; an idle cluster of n sends
// at most 2·(n−1) messages per heartbeat interval.
func TestIdleClusterMessageBound(t *testing.T) {
	for _, n := range []int{3, 5, 7} {
		c := newCluster(t, n)
		l := c.elect(1)
		c.propose(1, "x")
		c.tick(3) // settle
		const intervals = 20
		count := 0
		for range intervals * l.cfg.HeartbeatTicks {
			for _, id := range c.sortedIDs() {
				c.nodes[id].Tick()
			}
			for {
				c.flushReady()
				if len(c.queue) == 0 {
					break
				}
				count += len(c.queue)
				for c.deliverOne() {
				}
			}
		}
		assert.LessOrEqual(t, count, intervals*2*(n-1), "n=%d", n)
		assert.GreaterOrEqual(t, count, intervals*2*(n-1), "n=%d: heartbeats keep flowing", n)
		assert.Equal(t, Leader, l.role)
	}
}

// §5.2: a split vote ends with a new election after another timeout.
func TestSplitVoteRecovers(t *testing.T) {
	c := newCluster(t, 4, withPreVote(false))
	// 1 and 2 campaign at once; each gets one other vote at most.
	c.partition([]uint64{1, 3}, []uint64{2, 4})
	c.nodes[1].campaign(campaignElection)
	c.nodes[2].campaign(campaignElection)
	c.stabilize()
	c.heal()
	assert.Equal(t, None, c.leaderID())
	c.tick(50)
	assert.NotEqual(t, None, c.leaderID(), "timeouts retry until someone wins")
}
