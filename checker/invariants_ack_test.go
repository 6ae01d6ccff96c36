package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ackCluster is three nodes in term 2 under leader node 1, every node
// holding indices 1..5 (1, 2 of term 1; 3..5 of term 2), synced, the leader
// having committed and applied them all; the followers know only index 2
// committed.
func ackCluster(t *testing.T) *Invariants {
	t.Helper()
	c := NewInvariants()
	c.Role(1, 1, RoleLeader, 2)
	c.Append(1, 1, ents(1, 1, 1, 2, 2, 2))
	c.Durable(1, 1, 2, 1)
	for _, n := range []int{2, 3} {
		c.Role(2, n, RoleFollower, 2)
		c.Append(2, n, ents(1, 1, 1, 2, 2, 2))
		c.Durable(2, n, 2, 1)
		c.Commit(2, n, 2)
	}
	c.Commit(3, 1, 5)
	for i := uint64(1); i <= 5; i++ {
		tm := uint64(2)
		if i <= 2 {
			tm = 1
		}
		c.Apply(3, 1, i, tm, digest(i, tm))
	}
	require.Empty(t, c.Violations())
	return c
}

// TestAckLostWrites: once a leader's commit index passed an entry, a node in
// that leader's term or later must keep it; a node behind that term may
// still lose it to a stale leader. Each case fails without the invariant.
func TestAckLostWrites(t *testing.T) {
	for _, tc := range []struct {
		name     string
		run      func(c *Invariants)
		want     []string
		evidence string
	}{
		{
			// TruncateOnStaleAppend: a reordered MsgApp of the same term
			// rewrites index 3 and drops 4 and 5, which the follower had
			// acknowledged and the leader committed. The follower's own
			// commit index (2) does not cover them: commit-safety is silent.
			name: "stale append cuts the log", want: []string{AckLost},
			run: func(c *Invariants) { c.Append(4, 2, ents(3, 2)) },
			evidence: "node 2 (term 2, commit index 2) wrote its log from index 3 and cut off index 4, though the entry there (term 2, digest 0xfa2) was acknowledged: " +
				"committed by node 1 at 3ns, by leader node 1 of term 2 at 3ns",
		},
		{
			// A node of a later term takes an entry of that term over an
			// acknowledged one (only a leader without it could send that).
			name: "a later term replaces it", want: []string{AckLost},
			run: func(c *Invariants) {
				c.Role(4, 3, RoleFollower, 3)
				c.Append(4, 3, ents(4, 3))
			},
			evidence: "node 3 (term 3, commit index 2) wrote its log from index 4 and replaced index 4 with term 3",
		},
		{
			// Node 3 never learned of the commit, and is at a term before
			// the lead term: a stale leader of that term may legally
			// replace the entry in its log.
			name: "a node behind the lead term may lose it", want: nil,
			run: func(c *Invariants) {
				*c = *NewInvariants()
				// Node 3 holds index 3 of term 1 from the leader of term 1.
				c.Role(1, 3, RoleFollower, 1)
				c.Append(1, 3, ents(1, 1, 1, 1))
				// Node 4 wins term 2 without index 3 (it never had it).
				c.Role(1, 4, RoleLeader, 2)
				c.Append(1, 4, ents(1, 1, 1, 2))
				// Node 1 wins term 3 and commits index 3 (term 1) with its
				// own entry of term 3 at 4, replicated to node 2.
				c.Role(2, 1, RoleLeader, 3)
				c.Append(2, 1, ents(1, 1, 1, 1, 3))
				c.Role(2, 2, RoleFollower, 3)
				c.Append(2, 2, ents(1, 1, 1, 1, 3))
				c.Commit(3, 1, 4)
				// Node 3, still in term 1, hears from deposed node 4 and
				// takes its entry at 3: term 2 is before the lead term 3.
				c.Role(5, 3, RoleFollower, 2)
				c.Append(5, 3, ents(3, 2))
			},
		},
		{
			// The node's own commit index covered the entry: commit-safety
			// reports the write, and only it.
			name: "a committed entry replaced is commit-safety's", want: []string{CommitSafety},
			run: func(c *Invariants) {
				c.Commit(4, 2, 5)
				c.Append(5, 2, ents(4, 3))
			},
		},
		{
			// The node learned of the commit (commit index 5) and then cuts
			// the log beyond the batch it writes: commit-safety checks only
			// the entries written, this is the rest.
			name: "a committed entry cut off", want: []string{AckLost},
			run: func(c *Invariants) {
				c.Commit(4, 2, 5)
				c.Append(5, 2, ents(3, 2))
			},
		},
		{
			name: "rewriting the same entries loses nothing", want: nil,
			run: func(c *Invariants) { c.Append(4, 2, ents(3, 2, 2, 2)) },
		},
		{
			// Node 4 holds another entry at index 2 (so log matching breaks
			// after it) but the acknowledged ones after it: a snapshot at 2
			// whose last entry its log does not hold discards 3..5.
			name: "a snapshot discards it", want: []string{LogMatching, AckLost},
			run: func(c *Invariants) {
				c.Role(4, 4, RoleFollower, 2)
				c.Append(4, 4, ents(1, 1, 2, 2, 2, 2))
				c.Snapshot(5, 4, 2, 1)
			},
			evidence: "node 4 (term 2, commit index 0) installed a snapshot at index 2 (term 1), discarding its log from index 3 and cut off index 3",
		},
		{
			name: "a snapshot that covers it", want: nil,
			run: func(c *Invariants) { c.Snapshot(4, 3, 5, 2) },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ackCluster(t)
			tc.run(c)
			assert.Equal(t, tc.want, invariantsOf(c))
			if tc.evidence != "" {
				vs := c.Violations()
				require.NotEmpty(t, vs)
				assert.Contains(t, vs[len(vs)-1].Evidence, tc.evidence)
			}
		})
	}
}

// TestAckLostRestart: a node restarts without entries it had applied. When
// they were synced that is durable-state's finding; when they were applied
// before the sync (ack-before-fsync), it is this one's; a damaged or wiped
// disk excuses it.
func TestAckLostRestart(t *testing.T) {
	for _, tc := range []struct {
		name string
		sync bool // the leader synced its log before applying
		hurt func(c *Invariants)
		want []string
	}{
		{"applied before durable", false, nil, []string{AckLost}},
		{"synced and lost", true, nil, []string{DurableState}},
		{"damaged disk", false, func(c *Invariants) { c.Corrupt(5, 1) }, nil},
		{"wiped disk", false, func(c *Invariants) { c.Wipe(6, 1) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewInvariants()
			c.Role(1, 1, RoleLeader, 2)
			c.Durable(1, 1, 2, 1)
			c.Append(2, 1, ents(1, 2, 2, 2))
			if tc.sync {
				c.Durable(2, 1, 2, 1)
			}
			c.Role(2, 2, RoleFollower, 2)
			c.Append(2, 2, ents(1, 2, 2, 2))
			c.Durable(2, 2, 2, 1)
			c.Commit(3, 1, 3)
			for i := uint64(1); i <= 3; i++ {
				c.Apply(3, 1, i, 2, digest(i, 2))
			}
			c.Crash(4, 1)
			if tc.hurt != nil {
				tc.hurt(c)
			}
			c.Restart(7, 1, Recovered{Term: 2, Vote: 1})
			assert.Equal(t, tc.want, invariantsOf(c))
			if len(tc.want) > 0 && tc.want[0] == AckLost {
				assert.Contains(t, c.Violations()[0].Evidence,
					"node 1 applied up to index 3 but restarted with its log ending at index 0 (snapshot at 0) from a disk the run did not damage: the entry at 1 (term 2, digest 0x3ea), which it had applied and which was acknowledged (committed by node 1 at 3ns, by leader node 1 of term 2 at 3ns)")
			}
		})
	}
}

// TestAckLostClientAck: a client told ok from an entry other than the one
// committed there is a lost acknowledgement; an ack joins the evidence of a
// later loss; acknowledging before applying is impossible.
func TestAckLostClientAck(t *testing.T) {
	c := ackCluster(t)
	c.Acknowledged(4, 1, 4, 2, digest(4, 2))
	require.Empty(t, c.Violations())
	c.Append(5, 2, ents(3, 2))
	require.Equal(t, []string{AckLost}, invariantsOf(c))
	assert.Contains(t, c.Violations()[0].Evidence, "told to a client by node 1 at 4ns")

	c = ackCluster(t)
	c.Acknowledged(4, 1, 4, 3, 77)
	require.Equal(t, []string{AckLost}, invariantsOf(c))
	assert.Contains(t, c.Violations()[0].Evidence, "node 1 told a client ok from index 4 (term 3, digest 0x4d), but node 1 committed term 2 (digest 0xfa2) there")

	c = ackCluster(t)
	c.Acknowledged(4, 2, 5, 2, digest(5, 2))
	assert.Equal(t, []string{Observation}, invariantsOf(c))
}

// TestAckLostFigure8: the leader of term 4 commits index 3, an entry of
// term 2, by counting replicas (CommitOldTerm); node 5, holding term 3 at
// index 3, wins term 5 and overwrites it on node 2. Leader completeness
// reports the election, this invariant the overwrite.
func TestAckLostFigure8(t *testing.T) {
	c := NewInvariants()
	for _, n := range []int{1, 2, 3} {
		c.Role(1, n, RoleFollower, 4)
		c.Append(1, n, ents(1, 1, 1, 2))
	}
	c.Role(1, 5, RoleFollower, 3)
	c.Append(1, 5, ents(1, 1, 1, 3))
	c.Role(2, 1, RoleLeader, 4)
	c.Commit(3, 1, 3)
	c.Role(4, 5, RoleLeader, 5)
	c.Role(4, 2, RoleFollower, 5)
	c.Append(5, 2, ents(3, 3))
	assert.Equal(t, []string{LeaderCompleteness, AckLost}, invariantsOf(c))
	assert.Contains(t, c.Violations()[1].Evidence, "by leader node 1 of term 4")
}
