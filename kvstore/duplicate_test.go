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

// TestStatsCountEveryRefusal: each definite refusal a server sends, whatever
// path produced it (a write or a read to a follower, the pending bound, a
// malformed request), is counted once in its stats, and a silently dropped
// duplicate is not.
func TestStatsCountEveryRefusal(t *testing.T) {
	c, leader := activeCluster(t, clusterOpts{n: 3, seed: 12, maxPending: 1})
	follower := leader%3 + 1
	before := map[int]ServerStats{leader: c.hosts[leader].srv.Stats(), follower: c.hosts[follower].srv.Stats()}
	c.hosts[leader].holdSyncs = true // keep the first proposal pending: the bound is full
	p := c.addProbe(3001)
	held := Request{ClientID: 95, Seq: 1, Op: OpPut, Key: "k", Value: "v"}
	p.send(follower, Request{ClientID: 93, Seq: 1, Op: OpPut, Key: "k", Value: "v"})
	p.send(follower, Request{ClientID: 94, Seq: 1, Op: OpGet, Key: "k"})
	p.send(leader, held)
	c.runFor(ms)
	p.send(leader, held) // a duplicate of the pending proposal: no answer
	p.send(leader, Request{ClientID: 96, Seq: 1, Op: OpPut, Key: "k", Value: "w"})
	p.send(leader, Request{ClientID: 97, Seq: 1, Op: OpGet, Key: "k"})
	p.send(leader, Request{ClientID: 98, Seq: 1, Op: 0})
	c.runFor(20 * ms)

	sent := map[int]map[ErrKind]uint64{leader: {}, follower: {}}
	for _, r := range p.got {
		sent[r.Node][r.Err]++
	}
	assert.Equal(t, map[ErrKind]uint64{ErrNotLeader: 2}, sent[follower])
	assert.Equal(t, map[ErrKind]uint64{ErrDropped: 3}, sent[leader])
	for _, n := range []int{leader, follower} {
		st := c.hosts[n].srv.Stats()
		assert.Equal(t, sent[n][ErrNotLeader], st.NotLeader-before[n].NotLeader, "node %d NotLeader", n)
		assert.Equal(t, sent[n][ErrDropped], st.Dropped-before[n].Dropped, "node %d Dropped", n)
	}
	c.releaseSyncs(leader)
	c.runFor(200 * ms)
}
