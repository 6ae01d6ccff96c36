package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §5.4.2: "Raft never commits log entries from previous terms by counting
// replicas. Only log entries from the leader's current term are committed by
// counting replicas". Unit form: a majority holding an old-term entry does
// not commit it; a majority holding the current term's no-op after it does.
func TestLeaderCommitsOnlyCurrentTermByCounting(t *testing.T) {
	for _, bug := range []bool{false, true} {
		// Leader 1 at term 4: bootstrap(3) + index 4 of term 2 + its no-op at 5.
		l := restoreNode(t, 1, ids(3), []uint64{2}, HardState{Term: 3, Commit: 3}, withPreVote(false), withBugs(Bugs{CommitOldTerm: bug}))
		l.campaign(campaignElection)
		require.NoError(t, l.Step(Message{Type: MsgVoteResp, From: 2, To: 1, Term: l.term}))
		require.Equal(t, Leader, l.role)
		if bug {
			// A CommitOldTerm leader appends no no-op; a client's entry
			// plays its part at index 5.
			require.Equal(t, uint64(4), l.log.lastIndex(), "no no-op")
			_, _, err := l.Propose([]byte("w"))
			require.NoError(t, err)
		}
		require.Equal(t, uint64(5), l.log.lastIndex())
		takeMsgs(t, l)

		// Follower 2 acknowledges index 4 only (the no-op's message is late).
		require.NoError(t, l.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: l.term, Index: 4}))
		if bug {
			assert.Equal(t, uint64(4), l.log.committed, "CommitOldTerm counts the term-2 entry")
		} else {
			assert.Equal(t, uint64(3), l.log.committed, "majority holds index 4 but it is of term 2")
		}
		require.NoError(t, l.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: l.term, Index: 5}))
		assert.Equal(t, uint64(5), l.log.committed, "the current-term no-op commits, and index 4 with it")
	}
}

// Figure 8 end to end: S1 (term 2) replicates x to S2; S5 wins term 3 with
// another entry at the same index; S1 wins term 4 and gets x onto a
// majority; S1 crashes and S5 wins again, overwriting x. Correct Raft never
// commits x in (c), so nothing applied is lost; with CommitOldTerm the
// cluster applies two different entries at one index.
func TestFigure8(t *testing.T) {
	for _, bug := range []bool{false, true} {
		c := newCluster(t, 5, withPreVote(false), withCheckQuorum(false), withBugs(Bugs{CommitOldTerm: bug}))
		c.expectViolations = bug
		c.strictOK = !bug
		// (a) S1 leads term 2; x reaches S2 only.
		c.elect(1)
		c.partition([]uint64{1, 2}, []uint64{3, 4, 5})
		x := c.propose(1, "x")
		require.Equal(t, uint64(2), c.nodes[1].term)
		// (b) S1 crashes; S5 wins term 3 and appends its no-op at x's index,
		// which reaches nobody.
		c.crash(1)
		c.heal()
		c.drop[MsgApp] = true
		c.elect(5)
		if bug {
			// A CommitOldTerm leader appends no no-op: a client's entry
			// takes x's index instead.
			c.propose(5, "y")
		}
		c.drop[MsgApp] = false
		require.Equal(t, uint64(3), c.nodes[5].term)
		require.Equal(t, x, c.nodes[5].log.lastIndex())
		c.crash(5)
		// (c) S1 restarts and wins term 4; x (term 2) reaches S3, but the
		// message with S1's term-4 no-op does not.
		c.restart(1)
		for attempt := 0; c.nodes[1].role != Leader && attempt < 3; attempt++ {
			c.nodes[1].campaign(campaignElection)
			for c.nodes[1].role != Leader && (c.flushReady() || c.deliverOne()) {
			}
		}
		require.Equal(t, Leader, c.nodes[1].role)
		require.Equal(t, uint64(4), c.nodes[1].term)
		c.isolate(4)
		for range 50 {
			c.flushReady()
			c.edit(func(m *Message) bool { return m.Type == MsgApp && m.From == 1 && len(m.Entries) > 0 },
				func(m *Message) {
					// Keep entries up to x only.
					k := 0
					for k < len(m.Entries) && m.Entries[k].Index <= x {
						k++
					}
					m.Entries = m.Entries[:k]
				})
			if !c.deliverOne() {
				break
			}
		}
		require.Equal(t, "x", string(c.nodes[3].log.entry(x).Data), "x is on a majority: S1, S2, S3")
		if bug {
			assert.Equal(t, x, c.nodes[1].log.committed, "CommitOldTerm commits x")
		} else {
			assert.Less(t, c.nodes[1].log.committed, x, "x must not commit by counting")
		}
		// (d) S1 crashes; S5 restarts and wins (its last term 3 beats term 2),
		// overwriting x everywhere.
		c.crash(1)
		c.heal()
		c.isolate(1)
		c.restart(5)
		for range 3 {
			if c.nodes[5].role != Leader {
				c.campaign(5)
			}
		}
		require.Equal(t, Leader, c.nodes[5].role)
		c.tick(2)
		if !bug {
			assert.NotEqual(t, "x", string(c.nodes[3].log.entry(x).Data), "S5 overwrote x, which was never committed")
			assert.Empty(t, c.errs)
		} else {
			assert.NotEmpty(t, append(c.violations, errStrings(c.errs)...), "overwriting a committed entry is caught")
			for _, err := range c.errs {
				assert.ErrorIs(t, err, ErrSafety)
			}
		}
	}
}
