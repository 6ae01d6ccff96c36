package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each planted bug must actually produce its defect; the system-level tests
// that the checkers catch them live with the checkers.

// voteFor steps a MsgVote for term from candidate into nd and reports
// whether it was granted.
func voteFor(t *testing.T, nd *Node, disk *memDisk, candidate, term uint64) bool {
	t.Helper()
	require.NoError(t, nd.Step(Message{Type: MsgVote, From: candidate, To: nd.id, Term: term, Index: 10, LogTerm: term - 1}))
	for _, m := range persistReady(t, nd, disk) {
		if m.Type == MsgVoteResp && m.To == candidate {
			return !m.Reject
		}
	}
	t.Fatalf("no vote response")
	return false
}

// crashRestart persists nothing but what the node's Readies said, then
// rebuilds it from that.
func crashRestart(t *testing.T, nd *Node, disk *memDisk) *Node {
	t.Helper()
	re, err := NewNode(nd.cfg, disk.persisted())
	require.NoError(t, err)
	re.bootQuiet = false
	return re
}

// persistReady applies nd's Readies to disk (hard state and entries only)
// and returns their messages.
func persistReady(t *testing.T, nd *Node, disk *memDisk) []Message {
	var msgs []Message
	for nd.HasReady() {
		rd := nd.Ready()
		if !rd.HardState.IsEmpty() {
			disk.hs = rd.HardState
		}
		if len(rd.Entries) > 0 {
			disk.ents = append(disk.ents[:rd.Entries[0].Index-1], rd.Entries...)
		}
		msgs = append(msgs, rd.Messages...)
		nd.Advance()
	}
	return msgs
}

func TestBugDoubleVote(t *testing.T) {
	for _, tc := range []struct {
		name       string
		bugs       Bugs
		crash      bool
		doubleVote bool
	}{
		{"correct, crash between votes", Bugs{}, true, false},
		{"correct, no crash", Bugs{}, false, false},
		{"VoteResetSameTerm", Bugs{VoteResetSameTerm: true}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nd, err := NewNode(testConfig(1, ids(3), withPreVote(false), withCheckQuorum(false), withBugs(tc.bugs)), Persisted{})
			require.NoError(t, err)
			disk := &memDisk{}
			persistReady(t, nd, disk)
			require.True(t, voteFor(t, nd, disk, 2, 5))
			if tc.crash {
				nd = crashRestart(t, nd, disk)
			}
			assert.Equal(t, tc.doubleVote, voteFor(t, nd, disk, 3, 5), "second vote in term 5")
		})
	}
}

// StaleVoteReply: a grant from term 2 wins term 3 for node 1 while node 2
// votes for node 3 in term 3: two leaders in one term.
func TestBugStaleVoteReply(t *testing.T) {
	for _, bug := range []bool{false, true} {
		c := newCluster(t, 3, withPreVote(false), withCheckQuorum(false), withBugs(Bugs{StaleVoteReply: bug}))
		c.expectViolations = true
		c.strictOK = false
		n1 := c.nodes[1]
		n1.campaign(campaignElection) // term 2
		c.flushReady()
		// Node 2 grants term 2, but the reply is delayed.
		c.deliverOne() // vote request to 2
		c.flushReady()
		var stale []sentMsg
		for _, sm := range c.queue {
			if sm.m.Type == MsgVoteResp {
				stale = append(stale, sm)
			}
		}
		require.Len(t, stale, 1)
		c.queue = nil
		n1.campaign(campaignElection) // term 3: its requests get lost
		c.flushReady()
		c.queue = nil
		c.queue = append(c.queue, stale...) // the old grant arrives now
		c.deliverOne()
		assert.Equal(t, bug, n1.role == Leader, "node 1 leads term 3 on a term-2 vote")
		c.isolate(1)
		c.stabilize()
		c.heal()
		// Node 2, which never voted in term 3, elects node 3 in term 3.
		c.nodes[3].term = 2
		c.nodes[3].campaign(campaignElection)
		c.stabilize()
		assert.Equal(t, Leader, c.nodes[3].role)
		assert.Equal(t, bug, len(c.violations) > 0, "two leaders in term 3: %v", c.violations)
		for _, err := range c.errs {
			assert.ErrorIs(t, err, ErrSafety, "node 1 notices the other leader")
		}
	}
}

// TruncateOnStaleAppend: a reordered old MsgApp chops off acknowledged
// entries that matched the leader.
func TestBugTruncateOnStaleAppend(t *testing.T) {
	for _, bug := range []bool{false, true} {
		nd := restoreNode(t, 2, ids(3), []uint64{2, 2, 2}, HardState{Term: 2, Commit: 3}, withBugs(Bugs{TruncateOnStaleAppend: bug}))
		require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 3, LogTerm: 1, Entries: []Entry{{Term: 2, Index: 4}}}))
		if bug {
			assert.Equal(t, uint64(4), nd.log.lastIndex(), "entries 5 and 6 lost")
		} else {
			assert.Equal(t, uint64(6), nd.log.lastIndex(), "matching entries kept")
		}
	}
}

// CommitBeyondMatch: a follower commits (and applies) stale entries of an
// old leader that the current leader's message never vouched for.
func TestBugCommitBeyondMatch(t *testing.T) {
	for _, bug := range []bool{false, true} {
		// Follower: index 4 (term 2, matches the leader), 5..6 stale term 2
		// entries; the term-3 leader committed 6 with different entries.
		nd := restoreNode(t, 2, ids(3), []uint64{2, 2, 2}, HardState{Term: 3, Commit: 3}, withBugs(Bugs{CommitBeyondMatch: bug}))
		require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2, Commit: 6}))
		if bug {
			assert.Equal(t, uint64(6), nd.log.committed, "commits unverified entries")
			rd := nd.Ready()
			assert.Equal(t, uint64(6), rd.CommittedEntries[len(rd.CommittedEntries)-1].Index, "and hands them to the application")
			nd.Advance()
		} else {
			assert.Equal(t, uint64(4), nd.log.committed)
		}
	}
}

// MembershipNoBarrier: changes before the term's first commit, and two at once.
func TestBugMembershipNoBarrier(t *testing.T) {
	c := newCluster(t, 3, withBugs(Bugs{MembershipNoBarrier: true}))
	c.drop[MsgAppResp] = true
	l := c.elect(1)
	_, _, err := l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 4})
	assert.NoError(t, err, "no current-term commit, accepted anyway")
	_, _, err = l.ProposeConfChange(ConfChange{Type: AddNode, NodeID: 5})
	assert.NoError(t, err, "second pending change, accepted anyway")
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, l.Status().Voters)
}

// LeaseWithoutCheckQuorum: followers do not honour the lease, so a new
// leader commits a write while the old one still serves lease reads at an
// older index.
func TestBugLeaseWithoutCheckQuorum(t *testing.T) {
	for _, bug := range []bool{false, true} {
		opts := []option{withLease(), withPreVote(false)}
		if bug {
			opts = append(opts, withCheckQuorum(false), withBugs(Bugs{LeaseWithoutCheckQuorum: true}))
		}
		c := newCluster(t, 3, opts...)
		old := c.elect(1)
		c.tick(1) // lease established
		c.isolate(1)
		c.nodes[2].campaign(campaignElection)
		c.stabilize()
		if !bug {
			assert.NotEqual(t, Leader, c.nodes[2].role, "node 3 honours the lease and ignores the vote request")
			continue
		}
		require.Equal(t, Leader, c.nodes[2].role)
		w := c.propose(2, "w")
		require.NoError(t, old.ReadIndex(1))
		c.handle(1)
		require.Len(t, c.reads[1], 1, "served under the (broken) lease")
		assert.Less(t, c.reads[1][0].Index, w, "stale read: misses the committed write")
	}
}

// ReadBeforeTermCommit (etcd-io/etcd#7331): leader 1 commits w and is cut off
// before telling anyone; node 2 wins, but its no-op cannot commit yet. The
// correct leader holds the read until its term's first commit; the buggy
// one answers at its lagging commit index, below w: a stale read.
func TestBugReadBeforeTermCommit(t *testing.T) {
	for _, bug := range []bool{false, true} {
		c := newCluster(t, 3, withPreVote(false), withCheckQuorum(false), withBugs(Bugs{ReadBeforeTermCommit: bug}))
		c.elect(1)
		w, _, err := c.nodes[1].Propose([]byte("w"))
		require.NoError(t, err)
		for c.nodes[1].log.committed < w && (c.flushReady() || c.deliverOne()) {
		}
		require.Equal(t, w, c.nodes[1].log.committed, "leader 1 committed w")
		c.isolate(1)
		c.queue = nil // the commit notifications are lost with it
		require.Less(t, c.nodes[2].log.committed, w)
		c.drop[MsgApp] = true // node 2's no-op does not commit
		n2 := c.elect(2)
		require.NoError(t, n2.ReadIndex(7))
		c.tick(n2.cfg.HeartbeatTicks) // a heartbeat round reaches node 3
		if !bug {
			assert.Empty(t, c.reads[2], "held until node 2 commits an entry of its term")
			continue
		}
		require.Len(t, c.reads[2], 1, "answered at once")
		assert.Less(t, c.reads[2][0].Index, w, "stale read: misses w, which leader 1 acknowledged")
	}
}

// TestBugConfKeepTruncated: a follower appends an uncommitted AddNode(4)
// from the leader of term 2; the leader of term 3 never had it and replaces
// the entry. The correct node falls back to voters 1..3; the planted bug
// keeps 4.
func TestBugConfKeepTruncated(t *testing.T) {
	for _, tc := range []struct {
		name string
		bugs Bugs
		want []uint64
	}{
		{"correct", Bugs{}, []uint64{1, 2, 3}},
		{"ConfKeepTruncated", Bugs{ConfKeepTruncated: true}, []uint64{1, 2, 3, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nd := restoreNode(t, 2, ids(3), []uint64{2}, HardState{Term: 2, Commit: 4}, withBugs(tc.bugs))
			cc := Entry{Term: 2, Index: 5, Type: EntryConfChange, Data: ConfChange{Type: AddNode, NodeID: 4}.Marshal()}
			require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 4, LogTerm: 2, Entries: []Entry{cc}, Commit: 4}))
			require.Equal(t, []uint64{1, 2, 3, 4}, nd.Status().Voters, "the change takes effect on append")
			require.NoError(t, nd.Step(Message{Type: MsgApp, From: 3, To: 2, Term: 3, Index: 4, LogTerm: 2, Entries: []Entry{{Term: 3, Index: 5}}, Commit: 4}))
			require.Equal(t, []uint64{2, 3}, logTerms(nd)[3:], "the entry at 5 was replaced")
			assert.Equal(t, tc.want, nd.Status().Voters)
		})
	}
}

// TestBugElectionTimerNotReset: a follower that hears the leader every tick
// never campaigns; with the planted bug it campaigns once its randomized
// timeout runs out, heartbeats or not.
func TestBugElectionTimerNotReset(t *testing.T) {
	for _, tc := range []struct {
		name     string
		bugs     Bugs
		campaign bool
	}{
		{"correct", Bugs{}, false},
		{"ElectionTimerNotReset", Bugs{ElectionTimerNotReset: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nd := restoreNode(t, 2, ids(3), []uint64{2}, HardState{Term: 2, Commit: 4}, withBugs(tc.bugs))
			campaigned := false
			// Three full maximum timeouts, a heartbeat from the leader every tick.
			for tick := 0; tick < 3*2*nd.cfg.ElectionTicks; tick++ {
				require.NoError(t, nd.Step(Message{Type: MsgHeartbeat, From: 1, To: 2, Term: 2, Commit: 4}))
				nd.Tick()
				if nd.role != Follower {
					campaigned = true
					break
				}
			}
			assert.Equal(t, tc.campaign, campaigned)
		})
	}
}

// TestBugEntriesNoSync: a follower's Ready carrying new entries (and no
// term or vote change) must ask for a sync; with the planted bug it does not.
func TestBugEntriesNoSync(t *testing.T) {
	for _, tc := range []struct {
		name string
		bugs Bugs
		sync bool
	}{
		{"correct", Bugs{}, true},
		{"EntriesNoSync", Bugs{EntriesNoSync: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nd := restoreNode(t, 2, ids(3), []uint64{2}, HardState{Term: 2, Commit: 4}, withBugs(tc.bugs))
			require.NoError(t, nd.Step(Message{Type: MsgHeartbeat, From: 1, To: 2, Term: 2, Commit: 4}))
			for nd.HasReady() {
				nd.Ready()
				nd.Advance()
			}
			require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 4, LogTerm: 2, Entries: []Entry{{Term: 2, Index: 5, Data: []byte("x")}}, Commit: 4}))
			require.True(t, nd.HasReady())
			rd := nd.Ready()
			require.Len(t, rd.Entries, 1)
			assert.Equal(t, tc.sync, rd.MustSync)
			acked := false
			for _, m := range rd.Messages {
				acked = acked || (m.Type == MsgAppResp && !m.Reject && m.Index == 5)
			}
			assert.True(t, acked, "the acknowledgement rides on the same Ready: only a sync makes it safe")
		})
	}
}
