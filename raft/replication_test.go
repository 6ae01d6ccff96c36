package raft

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §5.3: "Once a leader has been elected, it begins servicing client requests
// ... it issues AppendEntries RPCs in parallel to each of the other servers
// to replicate the entry. When the entry has been safely replicated ... the
// leader applies the entry to its state machine".
func TestLogReplication(t *testing.T) {
	c := newCluster(t, 5)
	c.elect(1)
	var last uint64
	for i := range 10 {
		last = c.propose(1, fmt.Sprintf("v%d", i))
	}
	for _, id := range c.sortedIDs() {
		nd := c.nodes[id]
		assert.Equal(t, last, nd.log.committed, "node %d commit", id)
		assert.Equal(t, last, c.disks[id].applied, "node %d applied", id)
		assert.Equal(t, logTerms(c.nodes[1]), logTerms(nd), "node %d log", id)
	}
}

// figure7 is the leader's log and followers (a)–(f) of Figure 7, as terms
// after the 7-entry bootstrap prefix.
var figure7 = map[string][]uint64{
	"leader": {1, 1, 1, 4, 4, 5, 5, 6, 6, 6},
	"a":      {1, 1, 1, 4, 4, 5, 5, 6, 6},
	"b":      {1, 1, 1, 4},
	"c":      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6},
	"d":      {1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7},
	"e":      {1, 1, 1, 4, 4, 4, 4},
	"f":      {1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3},
}

// Figure 7 / §5.3: "the leader handles inconsistencies by forcing the
// followers' logs to duplicate its own"; with the conflict-term hint each
// follower needs at most one rejection per conflicting term.
func TestFigure7LogReconciliation(t *testing.T) {
	names := []string{"leader", "a", "b", "c", "d", "e", "f"}
	c := newCluster(t, 0, withPreVote(false))
	for i, name := range names {
		id := uint64(i + 1)
		terms := figure7[name]
		nd := restoreNode(t, id, ids(7), terms, HardState{Term: terms[len(terms)-1]}, withPreVote(false))
		c.cfgs[id] = nd.cfg
		c.nodes[id] = nd
		c.disks[id] = &memDisk{ents: append(bootstrapEntries(ids(7)), nd.log.slice(8, nd.log.lastIndex()+1)...)}
		c.disks[id].hs = HardState{Term: nd.term, Commit: 7}
	}
	c.strictOK = true
	c.nodes[1].term = 7 // the leader of term 8 campaigns from term 7
	c.campaign(1)
	l := c.nodes[1]
	require.Equal(t, Leader, l.role)
	require.Equal(t, uint64(8), l.term)
	c.propose(1, "x")
	c.tick(2)

	want := logTerms(l)
	require.Equal(t, append(append(make([]uint64, 0), 1, 1, 1, 1, 1, 1, 1), append(figure7["leader"], 8, 8)...), want)
	for id := uint64(2); id <= 7; id++ {
		assert.Equal(t, want, logTerms(c.nodes[id]), "follower %s", names[id-1])
		assert.Equal(t, l.log.lastIndex(), c.nodes[id].log.committed, "follower %s commit", names[id-1])
	}
}

// The fast-backup hint (types.go): HintTerm is the follower's term at the
// rejected index (0 if its log is shorter) and RejectHint the first index of
// that term (or last index + 1).
func TestRejectHint(t *testing.T) {
	for _, tc := range []struct {
		name             string
		follower         []uint64
		prevIdx, prevT   uint64
		hint, hintTerm   uint64
		leaderNext       uint64 // where the leader resumes given its Figure 7 log
		leaderNextReason string
	}{
		// Follower (e) of Figure 7: shorter than the probe.
		{"shorter log", figure7["e"], 7 + 10, 6, 7 + 8, 0, 7 + 8, "the follower's log end"},
		// (e) probed at its index 7 (term 4 vs leader term 5): term 4 starts at 4;
		// the leader's last term-4 entry is 5, so it resumes at 6.
		{"conflicting term the leader has", figure7["e"], 7 + 7, 5, 7 + 4, 4, 7 + 6, "after the leader's last term-4 entry"},
		// (f) probed at 10 (term 3): term 3 starts at 7; the leader has no term 3.
		{"conflicting term the leader lacks", figure7["f"], 7 + 10, 6, 7 + 7, 3, 7 + 7, "the follower's first term-3 index"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nd := restoreNode(t, 2, ids(7), tc.follower, HardState{Term: 8, Commit: 7})
			require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 8, Index: tc.prevIdx, LogTerm: tc.prevT}))
			msgs := takeMsgs(t, nd)
			require.Len(t, msgs, 1)
			r := msgs[0]
			assert.True(t, r.Reject)
			assert.Equal(t, tc.prevIdx, r.Index)
			assert.Equal(t, tc.hint, r.RejectHint)
			assert.Equal(t, tc.hintTerm, r.HintTerm)

			l := restoreNode(t, 1, ids(7), figure7["leader"], HardState{Term: 8, Commit: 7})
			assert.Equal(t, tc.leaderNext, l.backupHint(&r), tc.leaderNextReason)
		})
	}
}

// §5.3: "If an existing entry conflicts with a new one (same index but
// different terms), delete the existing entry and all that follow it".
func TestFollowerTruncatesConflicts(t *testing.T) {
	nd := restoreNode(t, 2, ids(3), []uint64{2, 2, 2}, HardState{Term: 3, Commit: 3})
	require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2,
		Entries: []Entry{{Term: 3, Index: 5, Data: []byte("a")}}}))
	assert.Equal(t, []uint64{1, 1, 1, 2, 3}, logTerms(nd))
	rd := nd.Ready()
	require.Len(t, rd.Entries, 1)
	assert.Equal(t, uint64(5), rd.Entries[0].Index, "Ready rewrites the suffix from the conflict")
	nd.Advance()
}

// §5.3: followers commit only up to the last entry the leader's message
// proved matches ("min(leaderCommit, index of last new entry)").
func TestFollowerCommitsOnlyVerifiedPrefix(t *testing.T) {
	// Follower holds stale term-2 entries 4..6; the leader (term 3) has
	// committed up to 6 with different entries.
	nd := restoreNode(t, 2, ids(3), []uint64{2, 2, 2}, HardState{Term: 3, Commit: 3})
	require.NoError(t, nd.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 3, Index: 4, LogTerm: 2, Commit: 6}))
	assert.Equal(t, uint64(4), nd.log.committed, "only index 4 was verified")
}

// Proposals made between two Readies travel in one MsgApp per follower.
func TestProposalBatching(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	for i := range 10 {
		_, _, err := l.Propose([]byte{byte(i)})
		require.NoError(t, err)
	}
	c.handle(1)
	apps := c.queued(MsgApp, 2)
	require.Len(t, apps, 1)
	assert.Len(t, apps[0].Entries, 10)
	c.stabilize()
	assert.Equal(t, l.log.lastIndex(), l.log.committed)
}

// Pipelining is bounded by MaxInflightMsgs, entries per message by
// MaxSizePerMsg (but at least one entry goes out).
func TestFlowControl(t *testing.T) {
	t.Run("inflight", func(t *testing.T) {
		c := newCluster(t, 3, withInflight(2))
		l := c.elect(1)
		for i := range 5 {
			_, _, err := l.Propose([]byte{byte(i)})
			require.NoError(t, err)
			c.handle(1)
		}
		assert.Len(t, c.queued(MsgApp, 2), 2, "window of 2 unacknowledged MsgApp")
		c.stabilize()
		assert.Equal(t, l.log.lastIndex(), c.nodes[2].log.lastIndex(), "acks reopen the window")
	})
	t.Run("size", func(t *testing.T) {
		c := newCluster(t, 3, withMaxSize(10))
		l := c.elect(1)
		for range 6 {
			_, _, err := l.Propose([]byte("abcd"))
			require.NoError(t, err)
		}
		_, _, err := l.Propose(make([]byte, 100))
		require.NoError(t, err)
		c.handle(1)
		apps := c.queued(MsgApp, 2)
		require.NotEmpty(t, apps)
		for _, m := range apps {
			if len(m.Entries) > 1 {
				assert.LessOrEqual(t, entriesSize(m.Entries), uint64(10))
			}
		}
		assert.Equal(t, 100, len(apps[len(apps)-1].Entries[0].Data), "an oversized entry still goes alone")
		c.stabilize()
		assert.Equal(t, l.log.lastIndex(), c.nodes[2].log.lastIndex())
	})
}

// Lost MsgApp are recovered by the heartbeat-driven probe, without any new
// proposal.
func TestLostAppendsRecovered(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.drop[MsgApp] = true
	for i := range 3 {
		_, _, err := l.Propose([]byte{byte(i)})
		require.NoError(t, err)
		c.stabilize()
	}
	c.drop[MsgApp] = false
	assert.Less(t, c.nodes[2].log.lastIndex(), l.log.lastIndex())
	c.tick(3)
	assert.Equal(t, l.log.lastIndex(), c.nodes[2].log.lastIndex())
	assert.Equal(t, l.log.lastIndex(), l.log.committed)
}

// Agreement despite a failed follower, and no commit without a majority.
func TestCommitNeedsMajority(t *testing.T) {
	c := newCluster(t, 5)
	l := c.elect(1)
	c.crash(5)
	idx := c.propose(1, "a")
	assert.Equal(t, idx, l.log.committed, "4 of 5 commit")
	c.crash(4)
	c.crash(3)
	idx2 := c.propose(1, "b")
	c.tick(2)
	assert.Equal(t, idx, l.log.committed, "2 of 5 cannot commit %d", idx2)
	c.restart(3)
	c.tick(3)
	assert.Equal(t, idx2, l.log.committed, "a restarted follower completes the majority")
}

// MaxUncommittedEntries bounds what an isolated leader accumulates.
func TestMaxUncommittedEntries(t *testing.T) {
	c := newCluster(t, 3, func(cfg *Config) { cfg.MaxUncommittedEntries = 5 })
	l := c.elect(1)
	c.isolate(1)
	for range 5 {
		_, _, err := l.Propose([]byte("v"))
		require.NoError(t, err)
	}
	_, _, err := l.Propose([]byte("v"))
	assert.ErrorIs(t, err, ErrProposalDropped)
	_, _, err = l.Propose(nil)
	assert.ErrorIs(t, err, ErrProposalDropped, "empty data is the no-op's")
	c.heal()
	c.tick(3)
	_, _, err = l.Propose([]byte("v"))
	assert.NoError(t, err, "room again once committed")
}

// entriesSize is the data size that MaxSizePerMsg bounds.
func entriesSize(ents []Entry) uint64 {
	var s uint64
	for i := range ents {
		s += uint64(len(ents[i].Data))
	}
	return s
}
