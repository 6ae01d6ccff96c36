package impls

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
)

// TestLookup: the built-in is available; an unknown name and a registered
// implementation missing from the build are refused, each saying why.
func TestLookup(t *testing.T) {
	b, err := Lookup(Builtin)
	require.NoError(t, err)
	assert.True(t, b.ProtocolBugs)
	assert.NotNil(t, b.Factory)

	_, err = Lookup("hashicorp")
	assert.ErrorContains(t, err, `"hashicorp" is not one of builtin, etcd`)

	for _, im := range registry() {
		if im.Factory == nil {
			got, err := Lookup(im.Name)
			assert.ErrorContains(t, err, im.Missing)
			assert.Equal(t, im.Name, got.Name, "the entry comes back with the error")
		}
	}
}

// TestCapabilities: what the registry says an implementation can host is
// true of the nodes its factory builds: only the built-in hosts protocol
// bugs, and a node reports its lease exactly when LeaseReporter says so.
func TestCapabilities(t *testing.T) {
	for _, im := range registry() {
		assert.Equal(t, im.Name == Builtin, im.ProtocolBugs, "%s: only the built-in hosts protocol bugs", im.Name)
		if im.Factory == nil {
			continue
		}
		n, err := im.Factory(raft.Config{ID: 1, Voters: []uint64{1, 2, 3}, ElectionTicks: 10, HeartbeatTicks: 1,
			MaxInflightMsgs: 16, MaxSizePerMsg: 1 << 20, Rand: rand.New(rand.NewPCG(1, 2))}, raft.Persisted{})
		require.NoError(t, err, im.Name)
		_, ok := n.(raft.LeaseReporter)
		assert.Equal(t, im.LeaseReporter, ok, "%s: LeaseReporter", im.Name)
	}
}
