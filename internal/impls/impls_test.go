package impls

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/raft"
)

// TestLookup: every registered implementation is available with a factory;
// an unknown name is refused, listing the known ones.
func TestLookup(t *testing.T) {
	for _, name := range []string{Builtin, "etcd"} {
		im, err := Lookup(name)
		require.NoError(t, err, name)
		assert.Equal(t, name, im.Name)
		assert.NotNil(t, im.Factory, name)
	}
	b, err := Lookup(Builtin)
	require.NoError(t, err)
	assert.True(t, b.ProtocolBugs)
	assert.Empty(t, b.LeaseHazard, "the built-in's lease expires before a new leader can be elected")
	e, err := Lookup("etcd")
	require.NoError(t, err)
	assert.Contains(t, e.LeaseHazard, "etcd-io/raft#166")

	_, err = Lookup("hashicorp")
	assert.ErrorContains(t, err, `"hashicorp" is not one of builtin, etcd`)
}

// TestCapabilities: what the registry says an implementation can host is
// true of the nodes its factory builds: only the built-in hosts protocol
// bugs, and a node reports its lease exactly when LeaseReporter says so.
func TestCapabilities(t *testing.T) {
	for _, im := range registry() {
		assert.Equal(t, im.Name == Builtin, im.ProtocolBugs, "%s: only the built-in hosts protocol bugs", im.Name)
		require.NotNil(t, im.Factory, im.Name)
		n, err := im.Factory(raft.Config{ID: 1, Voters: []uint64{1, 2, 3}, ElectionTicks: 10, HeartbeatTicks: 1,
			MaxInflightMsgs: 16, MaxSizePerMsg: 1 << 20, Rand: rand.New(rand.NewPCG(1, 2))}, raft.Persisted{})
		require.NoError(t, err, im.Name)
		_, ok := n.(raft.LeaseReporter)
		assert.Equal(t, im.LeaseReporter, ok, "%s: LeaseReporter", im.Name)
	}
}

// TestConfSemantics: the semantics the registry declares is what a node
// built by its factory does: a lone voter that proposes adding node 2 uses
// {1, 2} as soon as the Ready that appends the entry is taken when it adopts
// changes on append, and {1} (the change not yet committed, let alone
// applied) when it adopts them on apply.
func TestConfSemantics(t *testing.T) {
	for _, im := range registry() {
		if im.Factory == nil {
			continue
		}
		t.Run(im.Name, func(t *testing.T) {
			n, err := im.Factory(raft.Config{ID: 1, Voters: []uint64{1}, ElectionTicks: 10, HeartbeatTicks: 1,
				MaxInflightMsgs: 16, MaxSizePerMsg: 1 << 20, Rand: rand.New(rand.NewPCG(1, 2))}, raft.Persisted{})
			require.NoError(t, err)
			drain := func() {
				for i := 0; i < 100 && n.HasReady(); i++ {
					n.Ready()
					n.Advance()
				}
			}
			for i := 0; i < 100 && n.Status().Role != raft.Leader; i++ {
				n.Tick()
				drain()
			}
			require.Equal(t, raft.Leader, n.Status().Role, "a lone voter elects itself")
			drain()
			index, _, err := n.ProposeConfChange(raft.ConfChange{Type: raft.AddNode, NodeID: 2})
			require.NoError(t, err)
			require.True(t, n.HasReady())
			rd := n.Ready()
			appended := false
			for _, e := range rd.Entries {
				appended = appended || (e.Index == index && e.Type == raft.EntryConfChange)
			}
			require.True(t, appended, "the Ready appends the change")
			for _, e := range rd.CommittedEntries {
				require.Less(t, e.Index, index, "the change is not committed before its append is persisted")
			}
			want := []uint64{1}
			if im.Conf == checker.ConfOnAppend {
				want = []uint64{1, 2}
			}
			assert.Equal(t, want, n.Status().Voters, "voters with the change appended (declared %s)", im.Conf)
			n.Advance()
		})
	}
}
