package etcdraft

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
)

// TestPersistedRoundTrip: what a host persisted from the Readies is enough to
// rebuild a node. Restarted from its disk (bootstrap configuration entries,
// a removal, normal entries; one node with a snapshot), a node replays the
// committed entries it had applied, identically, ends up in the same
// configuration, and keeps working: it commits new entries with the others.
func TestPersistedRoundTrip(t *testing.T) {
	mn := newMiniNet(t, []uint64{1, 2, 3, 4})
	for i := range 5 {
		mn.propose(fmt.Sprint("a", i))
	}
	l := mn.leader()
	victim := uint64(4)
	if l.id == victim {
		victim = 3
	}
	_, _, err := l.n.ProposeConfChange(raft.ConfChange{Type: raft.RemoveNode, NodeID: victim})
	require.NoError(t, err)
	mn.settle()
	for i := range 5 {
		mn.propose(fmt.Sprint("b", i))
	}
	mn.down[victim] = true
	remaining := slices.DeleteFunc([]uint64{1, 2, 3, 4}, func(id uint64) bool { return id == victim })

	for _, id := range remaining {
		h := mn.hosts[id]
		if id == remaining[0] {
			h.compact(t)
			mn.propose("c")
		}
		before := slices.Clone(h.applied)
		disk := h.disk
		mn.start(id, testConfig(id, []uint64{1, 2, 3, 4}, 99), disk) // the initial voters are ignored on a non-empty disk
		r := mn.hosts[id]
		mn.handle(r)
		base := uint64(0)
		if disk.Snapshot != nil {
			base = disk.Snapshot.Meta.Index
			assert.Equal(t, disk.Snapshot, r.n.Snapshot(), "node %d: the snapshot comes back", id)
		}
		var replayed []raft.Entry
		for _, e := range before {
			if e.Index > base && e.Index <= disk.HardState.Commit {
				replayed = append(replayed, e)
			}
		}
		require.NotEmpty(t, replayed)
		assert.Equal(t, replayed, r.applied, "node %d replays what it applied, byte for byte", id)
		assert.Equal(t, remaining, r.n.Status().Voters, "node %d's configuration after the replay", id)
	}
	for i := range 3 {
		mn.propose(fmt.Sprint("d", i))
	}
	l = mn.leader()
	last := l.applied[len(l.applied)-1]
	for _, id := range remaining {
		h := mn.hosts[id]
		assert.Equal(t, last, h.applied[len(h.applied)-1], "node %d applied the new entries", id)
	}
}

// TestBootstrapEntriesLikeBuiltin: a fresh cluster's log starts with one
// committed configuration entry per voter at term 1, in raft's encoding, as
// the built-in's does.
func TestBootstrapEntriesLikeBuiltin(t *testing.T) {
	voters := []uint64{3, 1, 2}
	e, err := New(testConfig(1, voters, 1), raft.Persisted{})
	require.NoError(t, err)
	b, err := raft.New(testConfig(1, voters, 1), raft.Persisted{})
	require.NoError(t, err)
	re, rb := e.Ready(), b.Ready()
	assert.Equal(t, rb.CommittedEntries, re.CommittedEntries)
	assert.Equal(t, rb.Entries, re.Entries)
	assert.Equal(t, rb.HardState, re.HardState)
	assert.True(t, re.MustSync)
	require.Len(t, re.Entries, 3)
	cc, err := raft.UnmarshalConfChange(re.Entries[0].Data)
	require.NoError(t, err)
	assert.Equal(t, raft.ConfChange{Type: raft.AddNode, NodeID: 1}, cc)
}

// TestBadPersisted: a disk etcd could not have written is refused with an
// error naming the field, not a panic inside etcd.
func TestBadPersisted(t *testing.T) {
	cc := raft.ConfChange{Type: raft.AddNode, NodeID: 1}.Marshal()
	e := func(i, term uint64) raft.Entry { return raft.Entry{Index: i, Term: term, Data: []byte("x")} }
	for _, tc := range []struct {
		name  string
		p     raft.Persisted
		field string
	}{
		{"commit beyond the log", raft.Persisted{HardState: raft.HardState{Term: 2, Commit: 3}, Entries: []raft.Entry{e(1, 1), e(2, 2)}}, "Persisted.HardState.Commit"},
		{"gap", raft.Persisted{HardState: raft.HardState{Term: 2}, Entries: []raft.Entry{e(1, 1), e(3, 2)}}, "Persisted.Entries"},
		{"falling term", raft.Persisted{HardState: raft.HardState{Term: 2}, Entries: []raft.Entry{e(1, 2), e(2, 1)}}, "Persisted.Entries"},
		{"bad configuration entry", raft.Persisted{HardState: raft.HardState{Term: 1}, Entries: []raft.Entry{{Index: 1, Term: 1, Type: raft.EntryConfChange, Data: cc[:3]}}}, "Persisted.Entries"},
		{"snapshot without voters", raft.Persisted{HardState: raft.HardState{Term: 2, Commit: 5}, Snapshot: &raft.Snapshot{Meta: raft.SnapshotMeta{Index: 5, Term: 2}}}, "Persisted.Snapshot.Meta.ConfState"},
		{"entries not after the snapshot", raft.Persisted{HardState: raft.HardState{Term: 2, Commit: 5},
			Snapshot: &raft.Snapshot{Meta: raft.SnapshotMeta{Index: 5, Term: 2, ConfState: raft.ConfState{Voters: []uint64{1}}}},
			Entries:  []raft.Entry{e(5, 2)}}, "Persisted.Entries"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(testConfig(1, []uint64{1}, 1), tc.p)
			var ce *raft.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.field, ce.Field, "%v", err)
		})
	}
}

// TestConfigRefused: settings etcd cannot honour, and the built-in's planted
// protocol bugs, are refused naming the field.
func TestConfigRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*raft.Config)
		field string
	}{
		{"planted bug", func(c *raft.Config) { c.Bugs.CommitOldTerm = true }, "Bugs.CommitOldTerm"},
		{"another planted bug", func(c *raft.Config) { c.Bugs.ReadBeforeTermCommit = true }, "Bugs.ReadBeforeTermCommit"},
		{"entry count bound", func(c *raft.Config) { c.MaxUncommittedEntries = 10 }, "MaxUncommittedEntries"},
		{"no stream", func(c *raft.Config) { c.Rand = nil }, "Rand"},
		{"lease without check quorum", func(c *raft.Config) { c.ReadOnly, c.CheckQuorum = raft.ReadOnlyLeaseBased, false }, "ReadOnly"},
		{"election not above heartbeat", func(c *raft.Config) { c.ElectionTicks = 1 }, "ElectionTicks"},
		{"zero id", func(c *raft.Config) { c.ID = 0 }, "ID"},
		{"self not a voter", func(c *raft.Config) { c.Voters = []uint64{2, 3} }, "Voters"},
		{"duplicate voter", func(c *raft.Config) { c.Voters = []uint64{1, 2, 2} }, "Voters"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(1, []uint64{1, 2, 3}, 1)
			tc.edit(&cfg)
			_, err := New(cfg, raft.Persisted{})
			var ce *raft.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.field, ce.Field, "%v", err)
		})
	}
	cfg := testConfig(4, nil, 1)
	cfg.Join = true
	_, err := New(cfg, raft.Persisted{})
	assert.NoError(t, err, "a joining node needs no voters")
}
