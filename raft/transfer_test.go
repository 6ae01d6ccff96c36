package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// §3.10 (dissertation): the leader brings the target up to date, sends
// TimeoutNow, and the target wins at once, PreVote and leases
// notwithstanding.
func TestTransferLeadership(t *testing.T) {
	for _, lagging := range []bool{false, true} {
		c := newCluster(t, 3)
		l := c.elect(1)
		if lagging {
			c.isolate(3)
			for range 3 {
				c.propose(1, "v")
			}
			c.heal()
		}
		require.NoError(t, l.TransferLeadership(3))
		_, _, err := l.Propose([]byte("x"))
		assert.ErrorIs(t, err, ErrProposalDropped, "no proposals during a transfer")
		c.stabilize()
		if lagging {
			c.tick(1) // catch-up goes through a heartbeat-driven probe
		}
		assert.Equal(t, Leader, c.nodes[3].role, "lagging=%v", lagging)
		assert.Equal(t, Follower, l.role)
		assert.Equal(t, uint64(3), l.lead)
		idx := c.propose(3, "after")
		assert.Equal(t, idx, l.log.committed)
	}
}

func TestTransferLeadershipErrors(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	assert.ErrorIs(t, c.nodes[2].TransferLeadership(3), ErrNotLeader)
	assert.ErrorIs(t, l.TransferLeadership(9), ErrInvalidConfChange, "not a voter")
	assert.NoError(t, l.TransferLeadership(1), "to itself: nothing to do")
	assert.Equal(t, None, l.transferee)
}

// A transfer whose target does not take over within an election timeout is
// abandoned and proposals resume.
func TestTransferTimesOut(t *testing.T) {
	c := newCluster(t, 3)
	l := c.elect(1)
	c.isolate(3)
	require.NoError(t, l.TransferLeadership(3))
	c.tick(l.cfg.ElectionTicks)
	assert.Equal(t, Leader, l.role)
	assert.Equal(t, None, l.transferee)
	_, _, err := l.Propose([]byte("x"))
	assert.NoError(t, err)
}
