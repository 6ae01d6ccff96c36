package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §6.4: the leader records its commit index as the read index, confirms
// leadership with a heartbeat round, then answers.
func TestReadIndexSafe(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.propose(1, "a")
	require.NoError(t, l.ReadIndex(7))
	c.handle(1)
	assert.Empty(t, c.reads[1], "no answer before the heartbeat round")
	assert.Len(t, c.queued(MsgHeartbeat, None), 2, "one round to both followers")
	c.stabilize()
	require.Len(t, c.reads[1], 1)
	assert.Equal(t, ReadState{Index: l.log.committed, Context: 7}, c.reads[1][0])
}

// Reads registered before the same Ready share one heartbeat round.
func TestReadIndexBatching(t *testing.T) {
	c := newCluster(t, 5)
	l := c.elect(1)
	for ctx := uint64(1); ctx <= 10; ctx++ {
		require.NoError(t, l.ReadIndex(ctx))
	}
	c.handle(1)
	assert.Len(t, c.queued(MsgHeartbeat, None), 4)
	c.stabilize()
	require.Len(t, c.reads[1], 10)
	for i, rs := range c.reads[1] {
		assert.Equal(t, uint64(i+1), rs.Context, "answered in order")
	}
}

// §6.4 step 1: a new leader answers reads only after it has committed an
// entry of its own term, so the read index covers every earlier commit.
func TestReadIndexWaitsForCurrentTermCommit(t *testing.T) {
	c := newCluster(t, 3)
	c.drop[MsgApp] = true
	l := c.elect(1)
	require.NoError(t, l.ReadIndex(1))
	c.tick(1)
	assert.Empty(t, c.reads[1])
	c.drop[MsgApp] = false
	c.tick(3)
	require.Len(t, c.reads[1], 1)
	noop := l.log.lastIndex()
	assert.GreaterOrEqual(t, c.reads[1][0].Index, noop)
}

// A deposed leader must not answer reads: its round cannot reach a majority,
// and its pending reads are dropped when it learns of the new term. The new
// leader's read index covers the writes made under it.
func TestReadIndexAfterLeaderChange(t *testing.T) {
	c := newCluster(t, 5, withCheckQuorum(false))
	old := c.elect(1)
	c.isolate(1)
	require.NoError(t, old.ReadIndex(1))
	c.tick(1)
	c.campaign(2)
	nl := c.nodes[2]
	require.Equal(t, Leader, nl.role)
	w := c.propose(2, "written under the new leader")
	require.NoError(t, nl.ReadIndex(2))
	c.tick(1)
	require.Len(t, c.reads[2], 1)
	assert.GreaterOrEqual(t, c.reads[2][0].Index, w)
	c.heal()
	c.tick(5)
	assert.Equal(t, Follower, old.role)
	assert.Empty(t, c.reads[1], "the old leader never answered")
	assert.Empty(t, old.reads.queue[old.reads.head:], "and forgot the read")
}

// A follower forwards ReadIndex to the leader and gets the leader's index.
func TestReadIndexForwarded(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.propose(1, "a")
	f := c.nodes[3]
	require.NoError(t, f.ReadIndex(42))
	c.stabilize()
	require.Len(t, c.reads[3], 1)
	assert.Equal(t, ReadState{Index: l.log.committed, Context: 42}, c.reads[3][0])

	lone := newNode(t, 1, ids(3))
	assert.ErrorIs(t, lone.ReadIndex(1), ErrNotLeader, "no leader known")
}

// Lease reads (ReadOnlyLeaseBased) skip the round while the lease from the
// last majority-confirmed round is running; afterwards a round is needed.
func TestLeaseRead(t *testing.T) {
	c := newCluster(t, 3, withLease())
	l := c.elect(1)
	c.tick(1) // one confirmed heartbeat round starts the lease
	require.NoError(t, l.ReadIndex(1))
	c.handle(1)
	assert.Len(t, c.reads[1], 1, "answered at once under the lease")
	assert.Empty(t, c.queued(MsgHeartbeat, None), "without a heartbeat round")
	c.stabilize()

	c.isolate(1)
	for range l.cfg.ElectionTicks - 2 {
		l.Tick()
		c.stabilize()
	}
	require.Equal(t, Leader, l.role)
	require.NoError(t, l.ReadIndex(2))
	c.stabilize()
	assert.Len(t, c.reads[1], 1, "the lease expired: the read waits for a round that cannot complete")

	// A leadership transfer drops the lease for the rest of the term.
	c2 := newCluster(t, 3, withLease())
	l2 := c2.elect(1)
	c2.tick(1)
	require.True(t, l2.leaseHeld())
	c2.isolate(2)
	require.NoError(t, l2.TransferLeadership(2))
	assert.False(t, l2.leaseHeld(), "no lease once a TimeoutNow went out")
	c2.stabilize() // the TimeoutNow is lost
	c2.heal()
	c2.tick(l2.cfg.ElectionTicks + 1)
	require.Equal(t, Leader, l2.role, "transfer abandoned")
	assert.Equal(t, None, l2.transferee)
	assert.False(t, l2.leaseHeld(), "the lost TimeoutNow may still arrive: no lease for the rest of the term")
}

func TestTooManyReads(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.isolate(1)
	for i := range maxPendingReads {
		require.NoError(t, l.ReadIndex(uint64(i)))
	}
	assert.ErrorIs(t, l.ReadIndex(1), ErrProposalDropped)
}

// Under a steady stream of reads the queue never drains: each heartbeat round
// is confirmed while a newer read waits for the next one. The answered prefix
// must still be reclaimed, or the queue grows with every read of the term.
func TestReadQueueStaysBoundedUnderSteadyReads(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	answered := 0
	for i := range uint64(2000) {
		require.NoError(t, l.ReadIndex(2*i))
		var round uint64
		for _, m := range takeMsgs(t, l) { // the round the read waits for
			if m.Type == MsgHeartbeat && m.To == 2 {
				round = m.Context
			}
		}
		require.NotZero(t, round)
		// Registered before the acknowledgement: waits for the next round.
		require.NoError(t, l.ReadIndex(2*i+1))
		require.NoError(t, l.Step(Message{Type: MsgHeartbeatResp, From: 2, To: 1, Term: l.term, Context: round}))
		answered += len(l.readStates)
		l.readStates = l.readStates[:0]
		require.Positive(t, l.reads.pending(), "the stream keeps a read waiting")
		require.LessOrEqual(t, len(l.reads.queue), 2*l.reads.pending()+2,
			"read %d: the queue holds %d entries for %d pending reads", i, len(l.reads.queue), l.reads.pending())
	}
	assert.Greater(t, answered, 3000, "the reads were answered as the rounds were confirmed")
}

// LeaseTicksLeft counts down with the leader's ticks and reaches 0 exactly
// when leaseHeld turns false; followers and transferring leaders have none.
func TestLeaseTicksLeft(t *testing.T) {
	c := newCluster(t, 3, withLease())
	l := c.elect(1)
	c.tick(1)
	require.True(t, l.leaseHeld())
	assert.Zero(t, c.nodes[2].LeaseTicksLeft(), "a follower holds no lease")

	c.isolate(1)
	left := l.LeaseTicksLeft()
	require.Positive(t, left)
	for left > 0 {
		require.True(t, l.leaseHeld(), "lease held with %d ticks left", left)
		l.Tick()
		c.stabilize()
		require.Equal(t, left-1, l.LeaseTicksLeft(), "one tick uses one tick of lease")
		left--
	}
	assert.False(t, l.leaseHeld(), "0 ticks left: the lease has lapsed")
	require.Equal(t, Leader, l.role, "still leader, still no lease")

	c2 := newCluster(t, 3, withLease())
	l2 := c2.elect(1)
	c2.tick(1)
	require.Positive(t, l2.LeaseTicksLeft())
	require.NoError(t, l2.TransferLeadership(2))
	assert.Zero(t, l2.LeaseTicksLeft(), "a transfer ends the lease")
}
