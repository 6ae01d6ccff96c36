package checker

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// confEnt is a configuration entry at index, term: add (or remove) node.
func confEnt(index, term uint64, node int, remove bool) Entry {
	return Entry{Index: index, Term: term, Digest: digest(index, term) + uint64(node)*7, Conf: &ConfChange{Node: node, Remove: remove}}
}

// boot is the bootstrap log of a fresh cluster of voters 1..n: one AddNode
// per voter at term 1.
func boot(n int) []Entry {
	out := make([]Entry, n)
	for i := range out {
		out[i] = confEnt(uint64(i+1), 1, i+1, false)
	}
	return out
}

// bootCluster boots 3 nodes, each appending, committing and applying the
// bootstrap entries and reporting voters 1..3; node 1 then leads term 2.
func bootCluster(t *testing.T, sem ConfSemantics) *Invariants {
	t.Helper()
	c := NewInvariants()
	c.SetConfSemantics(sem)
	for n := 1; n <= 3; n++ {
		c.Append(1, n, boot(3))
		if sem == ConfOnAppend {
			c.ActiveConfig(1, n, []int{1, 2, 3})
		}
		c.Commit(1, n, 3)
		for _, e := range boot(3) {
			c.Apply(1, n, e.Index, e.Term, e.Digest)
		}
		if sem == ConfOnApply {
			c.ActiveConfig(1, n, []int{3, 2, 1}) // any order
		}
	}
	c.Role(2, 1, RoleLeader, 2)
	c.Role(2, 2, RoleFollower, 2)
	c.Role(2, 3, RoleFollower, 2)
	require.Empty(t, c.Violations())
	return c
}

// TestConfOnAppendTruncation: under on-append semantics a node uses the
// latest configuration entry in its log; when a new leader's entries replace
// an uncommitted AddNode(4), the node must fall back. The planted bug
// (ConfKeepTruncated) keeps voter 4: the invariant names the dropped entry.
func TestConfOnAppendTruncation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		active []int // what node 2 reports after the truncation
		want   []string
	}{
		{"reverted", []int{1, 2, 3}, nil},
		{"change kept", []int{1, 2, 3, 4}, []string{ConfDivergence}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bootCluster(t, ConfOnAppend)
			c.Append(3, 2, []Entry{{Index: 4, Term: 2, Digest: 42}, confEnt(5, 2, 4, false)})
			c.ActiveConfig(3, 2, []int{1, 2, 3, 4})
			require.Empty(t, c.Violations(), "takes effect on append")
			// Node 3 wins term 3 without index 5 and replaces it.
			c.Role(4, 2, RoleFollower, 3)
			c.Append(4, 2, ents(5, 3))
			c.ActiveConfig(4, 2, tc.active)
			require.Equal(t, tc.want, invariantsOf(c))
			if tc.want != nil {
				assert.Equal(t, "node 2 uses voters [1 2 3 4] (semantics on-append), but the latest configuration entry in its log (index 3) gives [1 2 3]; [1 2 3 4] is the configuration of the entry at index 5, which its log no longer holds (truncated), so the change was not undone",
					c.Violations()[0].Evidence)
			}
		})
	}
}

// TestConfOnAppendNotYet: a node reporting a configuration its log does not
// hold yet (or any other) is caught too.
func TestConfOnAppendNotYet(t *testing.T) {
	c := bootCluster(t, ConfOnAppend)
	c.Append(3, 2, ents(4, 2))
	c.ActiveConfig(3, 2, []int{1, 2})
	assert.Equal(t, []string{ConfDivergence}, invariantsOf(c))
}

// TestConfOnApply: under on-apply semantics a node uses the configuration of
// a committed entry, no older than what it had applied at its latest commit
// advance; using an appended but uncommitted one is the breach.
func TestConfOnApply(t *testing.T) {
	for _, tc := range []struct {
		name   string
		commit uint64 // node 2's commit index when it reports
		apply  bool   // it applied the change
		active []int
		want   []string
	}{
		{"old configuration before applying", 3, false, []int{1, 2, 3}, nil},
		{"new one once applied", 5, true, []int{1, 2, 3, 4}, nil},
		// An adapter may adopt committed configurations when it hands
		// them out, before the host applies them.
		{"new one once committed", 5, false, []int{1, 2, 3, 4}, nil},
		{"new one while uncommitted", 4, false, []int{1, 2, 3, 4}, []string{ConfDivergence}},
		{"one nobody proposed", 5, true, []int{1, 2}, []string{ConfDivergence}},
		{"old one after applying the new", 5, true, []int{1, 2, 3}, []string{ConfDivergence}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := bootCluster(t, ConfOnApply)
			c.Append(3, 2, []Entry{{Index: 4, Term: 2, Digest: 42}, confEnt(5, 2, 4, false)})
			if tc.commit > 3 {
				c.Commit(4, 2, tc.commit)
			}
			if tc.apply {
				c.Apply(5, 2, 4, 2, 42)
				c.Apply(5, 2, 5, 2, confEnt(5, 2, 4, false).Digest)
				c.Commit(6, 2, tc.commit) // a later Ready: the floor moves up
			}
			c.ActiveConfig(7, 2, tc.active)
			assert.Equal(t, tc.want, invariantsOf(c))
		})
	}
}

// TestConfAppliedDivergence: two nodes apply the same configuration entry
// from different bases and reach different configurations. Node 2's
// snapshot recorded voters [1 2] at a point the cluster had not applied
// yet, so only the next configuration entry exposes it.
func TestConfAppliedDivergence(t *testing.T) {
	c := bootCluster(t, ConfOnAppend)
	c.Append(3, 1, []Entry{confEnt(4, 2, 4, false), {Index: 5, Term: 2, Digest: 55}, confEnt(6, 2, 5, false)})
	c.Commit(3, 1, 6)
	// Node 2 installs a snapshot at 5 that claims voters [1 2 3]: wrong,
	// index 4 added voter 4, but nobody has applied 4 yet.
	c.Snapshot(4, 2, 5, 2)
	c.ConfBase(4, 2, 5, []int{1, 2, 3})
	require.Empty(t, c.Violations())
	c.Append(5, 2, []Entry{confEnt(6, 2, 5, false)})
	c.Commit(5, 2, 6)
	c.Apply(5, 2, 6, 2, confEnt(6, 2, 5, false).Digest)
	for _, e := range []Entry{confEnt(4, 2, 4, false), {Index: 5, Term: 2, Digest: 55}, confEnt(6, 2, 5, false)} {
		c.Apply(6, 1, e.Index, e.Term, e.Digest)
	}
	require.Equal(t, []string{ConfDivergence}, invariantsOf(c))
	assert.Equal(t, "nodes 2 and 1 applied the configuration entry at index 6 (term 2) and reached different configurations: voters [1 2 3 5] (at 5ns) and [1 2 3 4 5]",
		c.Violations()[0].Evidence)
}

// TestConfSnapshots: a snapshot records the configuration at its index; one
// that disagrees with its node's log, or with what the cluster committed
// and applied, is caught. A restart from a snapshot the checker saw knows
// the node's configuration again.
func TestConfSnapshots(t *testing.T) {
	setup := func(t *testing.T) *Invariants {
		c := bootCluster(t, ConfOnAppend)
		for n := 1; n <= 2; n++ {
			c.Append(3, n, []Entry{confEnt(4, 2, 4, false), {Index: 5, Term: 2, Digest: 55}, confEnt(6, 2, 5, false)})
			c.Commit(3, n, 5)
			c.Apply(3, n, 4, 2, confEnt(4, 2, 4, false).Digest)
			c.Apply(3, n, 5, 2, 55)
		}
		return c
	}
	t.Run("taken with the latest configuration instead of the one at its index", func(t *testing.T) {
		c := setup(t)
		c.ConfBase(4, 1, 5, []int{1, 2, 3, 4, 5})
		require.Equal(t, []string{ConfDivergence}, invariantsOf(c))
		assert.Equal(t, "node 1's snapshot at index 5 records voters [1 2 3 4 5], but its log's configuration at index 5 is [1 2 3 4]", c.Violations()[0].Evidence)
	})
	t.Run("installed with a configuration the cluster never had there", func(t *testing.T) {
		c := setup(t)
		c.Snapshot(4, 3, 5, 2)
		c.ConfBase(4, 3, 5, []int{1, 2, 3})
		require.Equal(t, []string{ConfDivergence}, invariantsOf(c))
		assert.Equal(t, "node 3's snapshot at index 5 records voters [1 2 3], but the configuration the cluster committed at index 4 (and applied) is [1 2 3 4]", c.Violations()[0].Evidence)
	})
	t.Run("restart from a snapshot", func(t *testing.T) {
		c := setup(t)
		c.ConfBase(4, 2, 5, []int{1, 2, 3, 4}) // node 2 compacts at 5
		c.Durable(4, 2, 2, 1)
		c.Crash(5, 2)
		c.Restart(6, 2, Recovered{Term: 2, Vote: 1, Commit: 5, SnapIndex: 5, LastIndex: 6, LastTerm: 2})
		c.Append(7, 2, ents(7, 2))
		c.ActiveConfig(7, 2, []int{1, 2, 3, 4, 5})
		require.Empty(t, c.Violations())
		c.ActiveConfig(8, 2, []int{1, 2, 3, 4})
		assert.Equal(t, []string{ConfDivergence}, invariantsOf(c))
	})
	t.Run("restart from an unknown snapshot checks nothing until the next", func(t *testing.T) {
		c := setup(t)
		c.Durable(4, 2, 2, 1)
		c.Crash(5, 2)
		c.Restart(6, 2, Recovered{Term: 2, Vote: 1, Commit: 5, SnapIndex: 5, LastIndex: 6, LastTerm: 2})
		c.ActiveConfig(7, 2, []int{9})
		require.Empty(t, c.Violations())
		// Its next snapshot tells: from there on it is checked again.
		c.Commit(8, 1, 6)
		c.Apply(8, 1, 6, 2, confEnt(6, 2, 5, false).Digest)
		c.ConfBase(8, 2, 6, []int{1, 2, 3, 4, 5})
		c.Append(9, 2, ents(7, 2))
		c.ActiveConfig(9, 2, []int{1, 2, 3, 4, 5})
		require.Empty(t, c.Violations())
		c.ActiveConfig(10, 2, []int{9})
		assert.Equal(t, []string{ConfDivergence}, invariantsOf(c))
	})
}

// TestConfWipe: a wiped node rejoins with no configuration, learns one from
// a snapshot, and is held to it.
func TestConfWipe(t *testing.T) {
	c := bootCluster(t, ConfOnAppend)
	c.Crash(3, 3)
	c.Wipe(3, 3)
	c.Restart(4, 3, Recovered{})
	c.Snapshot(5, 3, 3, 1)
	c.ConfBase(5, 3, 3, []int{1, 2, 3})
	c.Append(6, 3, ents(4, 2))
	c.ActiveConfig(6, 3, []int{1, 2, 3})
	require.Empty(t, c.Violations())
	c.ActiveConfig(7, 3, nil)
	assert.Equal(t, []string{ConfDivergence}, invariantsOf(c))
}
