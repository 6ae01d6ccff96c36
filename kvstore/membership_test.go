package kvstore

import (
	"errors"
	"slices"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMembershipChangesThroughServers(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 19, snapshotEvery: 8})
	follower := leader%3 + 1
	err := c.hosts[follower].srv.ProposeConfChange(raft.ConfChange{Type: raft.AddNode, NodeID: 4})
	require.ErrorIs(t, err, raft.ErrNotLeader)

	// Node 4 joins with an empty disk and learns everything from the leader.
	c.addServer(4)
	require.NoError(t, c.hosts[leader].srv.ProposeConfChange(raft.ConfChange{Type: raft.AddNode, NodeID: 4}))
	cl := c.addClient(2, kvOps(2, 20, 2))
	c.runClients(30_000*ms, cl)
	c.waitConverged()
	assert.Equal(t, c.hosts[leader].srv.Digest(), c.hosts[4].srv.Digest())
	assert.Contains(t, c.hosts[leader].srv.Status().Voters, uint64(4))
	checkAppendsOnce(t, c, []*testClient{cl})

	// Remove it again; it keeps running but no longer counts.
	leader = c.leader()
	require.NoError(t, c.hosts[leader].srv.ProposeConfChange(raft.ConfChange{Type: raft.RemoveNode, NodeID: 4}))
	c.runUntil(10_000*ms, "node 4 removed", func() bool {
		return slices.Equal(c.hosts[c.leader()].srv.Status().Voters, []uint64{1, 2, 3})
	})
	c.runFor(3000 * ms)
	var unknown uint64
	for i := 1; i <= 3; i++ {
		unknown += c.hosts[i].srv.Stats().UnknownPeer
	}
	assert.Positive(t, unknown, "the removed node's messages should be counted as from an unknown peer")
	c.crash(4, loseUnsynced)
	cl2 := c.addClient(3, kvOps(3, 12, 2))
	c.runClients(30_000*ms, cl2)
	c.waitConverged()
}

func TestLeadershipTransferThroughServer(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 20})
	target := leader%3 + 1
	require.NoError(t, c.hosts[leader].srv.TransferLeadership(uint64(target)))
	c.runUntil(5_000*ms, "the transfer", func() bool { return c.leader() == target })
	err := c.hosts[leader].srv.TransferLeadership(uint64(leader))
	assert.True(t, errors.Is(err, raft.ErrNotLeader), "got %v", err)
	cl := c.addClient(2, kvOps(2, 12, 2))
	cl.target = leader // the old leader redirects
	c.runClients(30_000*ms, cl)
	for _, r := range cl.results {
		assert.Equal(t, ErrNone, r.Err)
		assert.Equal(t, target, r.Node)
	}
}
