package kvstore

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDuplicateOfPendingProposalIsNotRefused: a copy of a request this server
// already proposed (the network duplicated it) must not get a definite
// refusal — the client would record a fail for an operation that then
// commits. Here the refusal would be ErrDropped (the pending bound is full
// with that very proposal); stepping down between the two copies gives
// ErrNotLeader the same way. Only the proposal's own answer goes out.
func TestDuplicateOfPendingProposalIsNotRefused(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 12, maxPending: 1})
	c.hosts[leader].holdSyncs = true // keep the proposal pending
	p := c.addProbe(3001)
	req := Request{ClientID: 91, Seq: 1, Op: OpAppend, Key: "dup", Value: "<x>"}
	p.send(leader, req)
	c.runFor(ms)
	p.send(leader, req) // the duplicate
	c.runFor(20 * ms)
	assert.Empty(t, p.got, "the duplicate of a pending proposal was refused")

	other := Request{ClientID: 92, Seq: 1, Op: OpPut, Key: "k", Value: "v"}
	p.send(leader, other)
	c.runFor(20 * ms)
	require.Len(t, p.got, 1, "other requests are still refused when the bound is full")
	assert.Equal(t, ErrDropped, p.got[0].Err)
	assert.Equal(t, uint64(92), p.got[0].ClientID)

	c.releaseSyncs(leader)
	c.runFor(200 * ms)
	require.Len(t, p.got, 2)
	assert.Equal(t, ErrNone, p.got[1].Err, "the proposal's own answer")
	assert.Equal(t, uint64(91), p.got[1].ClientID)
	c.waitConverged()
	v, _ := c.serverValue(leader, "dup")
	assert.Equal(t, "<x>", v)
}
