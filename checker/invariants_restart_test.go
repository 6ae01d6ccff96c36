package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// invariantsOf lists the invariants c found violated, in order.
func invariantsOf(c *Invariants) []string {
	var out []string
	for _, v := range c.Violations() {
		out = append(out, v.Invariant)
	}
	return out
}

// TestInvariantsRollbackMatchesTerm: a follower replaced its synced tail with
// an equally long one (index 3 term 1 → index 3 term 2) and crashed before
// syncing. Whether the crash kept the write (keep-prefix, tear-last, a
// lose-unsynced fault keeping a prefix) or lost it, the recovered log ends at
// index 3; only its last term tells which. The checker must follow the log
// the node really holds: committing index 3 as the term-2 leader did is legal
// when the write was kept, and a breach when it was lost.
func TestInvariantsRollbackMatchesTerm(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lastTerm uint64 // the term at index 3 the node recovers
		want     []string
	}{
		{"unsynced write kept", 2, nil},
		{"unsynced write lost", 1, []string{CommitSafety}},
		// The synced entry at index 3 is gone: reported, and the log's
		// prefix is unknown from then on.
		{"no state ends there", 3, []string{DurableState}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewInvariants()
			c.Role(1, 1, RoleFollower, 1)
			c.Append(2, 1, ents(1, 1, 1, 1))
			c.Durable(3, 1, 1, 0)
			// Node 2 leads term 2 and commits its own entry at index 3.
			c.Role(4, 2, RoleLeader, 2)
			c.Append(4, 2, ents(1, 1, 1, 2))
			c.Commit(5, 2, 3)
			// Node 1 takes it, unsynced, and crashes.
			c.Role(6, 1, RoleFollower, 2)
			c.Append(6, 1, ents(3, 2))
			c.Crash(7, 1)
			c.Restart(8, 1, Recovered{Term: 2, LastIndex: 3, LastTerm: tc.lastTerm})
			c.Commit(9, 1, 3)
			assert.Equal(t, tc.want, invariantsOf(c))
		})
	}
}

// TestInvariantsRollbackAmbiguous: two states since the last sync end at the
// recovered (index, term) with different histories before it (only a broken
// node writes those). Which one the disk held is unknown, so the checker
// forgets the prefix rather than guess: nothing is reported for entries it
// cannot place, and what follows is still checked.
func TestInvariantsRollbackAmbiguous(t *testing.T) {
	c := NewInvariants()
	c.Role(1, 1, RoleFollower, 2)
	c.Append(2, 1, ents(1, 1, 1, 2)) // 1:t1 2:t1 3:t2
	c.Durable(3, 1, 2, 0)
	c.Append(4, 1, ents(2, 2, 2)) // 2:t2 3:t2: ends at (3, 2) too
	require.Equal(t, []string{LogMatching}, invariantsOf(c), "the broken write itself")
	c.Crash(5, 1)
	c.Restart(6, 1, Recovered{Term: 2, LastIndex: 3, LastTerm: 2})
	n := c.nodes[1]
	assert.Equal(t, uint64(3), n.first, "the prefix up to index 3 is unknown")
	assert.Equal(t, uint64(2), n.firstTerm)
	assert.Zero(t, n.base)

	// Node 2 commits index 1..3 as 1:t1 2:t2 3:t2; node 1 commits up to 3
	// too: its prefix is unknown, so that is no breach.
	c.Role(7, 2, RoleFollower, 2)
	c.Append(7, 2, ents(1, 1, 2, 2))
	c.Commit(8, 2, 3)
	c.Commit(8, 1, 3)
	require.Equal(t, []string{LogMatching}, invariantsOf(c))
	// Entries after the unknown prefix are still compared.
	c.Append(9, 2, ents(4, 2))
	c.Commit(10, 2, 4)
	before := c.Violations()[0].Count
	c.Append(11, 1, []Entry{{Index: 4, Term: 2, Digest: 77}})
	c.Commit(12, 1, 4)
	assert.Equal(t, []string{LogMatching, CommitSafety}, invariantsOf(c))
	assert.Equal(t, before+1, c.Violations()[0].Count, "the differing entry at index 4")
}

// TestInvariantsLostSyncedLog: a node that restarts with less log than it had
// synced lost acknowledged entries (durable-state) — unless the run damaged
// its disk on purpose (a corrupt fault, or a wipe for a re-add), or what it
// lost was only unsynced.
func TestInvariantsLostSyncedLog(t *testing.T) {
	for _, tc := range []struct {
		name      string
		synced    bool   // entries 1..5 were synced before the crash
		corrupt   bool   // the run flipped a bit on the node's disk
		wipe      bool   // the disk was wiped while the node was down
		lastIndex uint64 // what the node recovers
		lastTerm  uint64
		want      []string
	}{
		{"synced entries lost", true, false, false, 2, 1, []string{DurableState}},
		{"synced last entry replaced", true, false, false, 5, 2, []string{DurableState}},
		{"synced log recovered", true, false, false, 5, 1, nil},
		{"unsynced entries lost", false, false, false, 2, 1, nil},
		{"corrupt disk", true, true, false, 2, 1, nil},
		{"wiped disk", true, false, true, 0, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewInvariants()
			c.Role(1, 1, RoleFollower, 1)
			c.Append(2, 1, ents(1, 1, 1))
			c.Durable(3, 1, 1, 0)
			c.Append(4, 1, ents(3, 1, 1, 1))
			if tc.synced {
				c.Durable(5, 1, 1, 0)
			}
			if tc.corrupt {
				c.Corrupt(6, 1)
			}
			c.Crash(7, 1)
			if tc.wipe {
				c.Wipe(8, 1)
			}
			term := uint64(1)
			if tc.wipe {
				term = 0
			}
			c.Restart(9, 1, Recovered{Term: term, LastIndex: tc.lastIndex, LastTerm: tc.lastTerm})
			assert.Equal(t, tc.want, invariantsOf(c))
		})
	}
}

// TestInvariantsVoteGrants: single-vote sees every vote a node sends, durable
// or not: a node forgetting an unpersisted vote in a crash and granting
// another candidate in the same term is caught, while repeating a grant to
// the same candidate, voting in another term, or voting again after its disk
// was wiped (an operator's replacement, forgotten by design) is not.
func TestInvariantsVoteGrants(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(c *Invariants)
		want []string
	}{
		{"two candidates in one term", func(c *Invariants) {
			c.Vote(1, 1, 5, 2)
			c.Vote(2, 1, 5, 3)
		}, []string{SingleVote}},
		{"forgotten in a crash, never persisted", func(c *Invariants) {
			c.Durable(1, 1, 5, 0) // the vote did not reach the disk
			c.Vote(2, 1, 5, 2)
			c.Crash(3, 1)
			c.Restart(4, 1, Recovered{Term: 5})
			c.Vote(5, 1, 5, 3)
		}, []string{SingleVote}},
		{"against the durable vote", func(c *Invariants) {
			c.Durable(1, 1, 5, 2)
			c.Vote(2, 1, 5, 3)
		}, []string{SingleVote}},
		{"same candidate again", func(c *Invariants) {
			c.Durable(1, 1, 5, 2)
			c.Vote(2, 1, 5, 2)
			c.Vote(3, 1, 5, 2)
		}, nil},
		{"a vote per term", func(c *Invariants) {
			c.Vote(1, 1, 5, 2)
			c.Vote(2, 1, 6, 3)
		}, nil},
		{"after a wipe", func(c *Invariants) {
			c.Vote(1, 1, 5, 2)
			c.Crash(2, 1)
			c.Wipe(3, 1)
			c.Restart(4, 1, Recovered{})
			c.Vote(5, 1, 5, 3)
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewInvariants()
			tc.run(c)
			assert.Equal(t, tc.want, invariantsOf(c))
		})
	}
}

// TestInvariantsSnapshotAgainstCommit: a snapshot holds only committed state,
// so its last entry must be the one committed at its index. One that claims
// another term there is a commit-safety breach; a matching one takes the
// committed history as its prefix, so entries after it are checked again.
func TestInvariantsSnapshotAgainstCommit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		snapTerm  uint64
		nextEntry Entry // node 3 appends after its snapshot
		want      []string
	}{
		{"matches the commit", 1, Entry{Index: 4, Term: 2, Digest: digest(4, 2)}, nil},
		{"contradicts the commit", 7, Entry{Index: 4, Term: 7, Digest: digest(4, 7)}, []string{CommitSafety}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewInvariants()
			c.Role(1, 1, RoleLeader, 2)
			c.Append(2, 1, ents(1, 1, 1, 1, 2))
			c.Commit(3, 1, 3)
			c.Role(4, 3, RoleFollower, tc.snapTerm)
			c.Snapshot(5, 3, 3, tc.snapTerm)
			c.Append(6, 3, []Entry{tc.nextEntry})
			assert.Equal(t, tc.want, invariantsOf(c))
			if tc.want == nil {
				assert.NotZero(t, c.nodes[3].base, "the snapshot's prefix is the committed one: known")
			}
		})
	}
}
