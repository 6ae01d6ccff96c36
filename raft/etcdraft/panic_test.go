package etcdraft

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	pb "go.etcd.io/raft/v3/raftpb"

	"github.com/raftcheck/raftcheck/raft"
)

// panicOf runs fn and returns what it panicked with as a *PanicError.
func panicOf(t *testing.T, fn func()) (pe *PanicError) {
	t.Helper()
	defer func() {
		r := recover()
		require.NotNil(t, r, "no panic")
		var ok bool
		pe, ok = r.(*PanicError)
		require.True(t, ok, "panicked with %T: %v", r, r)
	}()
	fn()
	return nil
}

// singleLeader returns a one-node cluster's node once it leads.
func singleLeader(t *testing.T) (*miniNet, *Node) {
	mn := newMiniNet(t, []uint64{1})
	l := mn.leader()
	return mn, l.n.(*Node)
}

// TestMisplacedProposalIsCaught: were the adapter's count of the log's end
// wrong, the placement Propose reports would not match the next Ready, and
// the adapter would panic with the evidence rather than let the host match
// a client's answer to someone else's entry.
func TestMisplacedProposalIsCaught(t *testing.T) {
	mn, n := singleLeader(t)
	mn.propose("fine")
	n.last++ // an off-by-one in the count
	index, term, err := n.Propose([]byte("misplaced"))
	require.NoError(t, err)
	pe := panicOf(t, func() { mn.settle() })
	assert.Equal(t, uint64(1), pe.Node)
	assert.Contains(t, pe.Error(), "not among the Ready's entries")
	assert.Contains(t, pe.Error(), fmt.Sprintf("(%d, %d)", index, term))
}

// TestForeignGoroutineIsCaught: a node driven from another goroutine than the
// one that built it draws its election timeout from real randomness; the
// next Ready notices that the draw did not come from Config.Rand.
func TestForeignGoroutineIsCaught(t *testing.T) {
	n, err := New(testConfig(1, []uint64{1}, 1), raft.Persisted{})
	require.NoError(t, err)
	got := make(chan any, 1)
	go func() {
		defer func() { got <- recover() }()
		for range 100 {
			n.Tick()
			for n.HasReady() {
				n.Ready()
				n.Advance()
			}
		}
	}()
	r := <-got
	pe, ok := r.(*PanicError)
	require.True(t, ok, "panicked with %T: %v", r, r)
	assert.Contains(t, pe.Error(), "not drawn from Config.Rand")
}

// TestEtcdPanicNamesTheNode: an assertion failing inside etcd (here a crafted
// heartbeat committing beyond the log) surfaces as a *PanicError naming the
// node and its term, with etcd's message and stack: a raft.AssertionFailure.
func TestEtcdPanicNamesTheNode(t *testing.T) {
	n, err := New(testConfig(2, []uint64{1, 2, 3}, 1), raft.Persisted{})
	require.NoError(t, err)
	m := &pb.Message{Type: pb.MsgHeartbeat.Enum(), From: new(uint64(1)), To: new(uint64(2)), Term: new(uint64(5)), Commit: new(uint64(100))}
	pe := panicOf(t, func() { _ = n.Step(raft.Message{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 5, Payload: m}) })
	assert.Equal(t, uint64(2), pe.Node)
	assert.Contains(t, pe.Error(), "out of range")
	assert.Contains(t, string(pe.Stack), "go.etcd.io/raft/v3")
	// The harness knows it for the implementation's own failed assertion.
	var af raft.AssertionFailure = pe
	node, term := af.FailedNode()
	assert.Equal(t, [2]uint64{2, 5}, [2]uint64{node, term})
}

// TestStepRefusals: a message without an etcd payload, or for another node,
// is refused; a response from outside the configuration is ErrUnknownPeer.
func TestStepRefusals(t *testing.T) {
	n, err := New(testConfig(2, []uint64{1, 2, 3}, 1), raft.Persisted{})
	require.NoError(t, err)
	require.ErrorIs(t, n.Step(raft.Message{Type: raft.MsgApp, From: 1, To: 2}), raft.ErrBadMessage)
	other := &pb.Message{Type: pb.MsgHeartbeat.Enum(), From: new(uint64(1)), To: new(uint64(3)), Term: new(uint64(1))}
	require.ErrorIs(t, n.Step(raft.Message{Type: raft.MsgHeartbeat, From: 1, To: 3, Payload: other}), raft.ErrBadMessage)
	stranger := &pb.Message{Type: pb.MsgHeartbeatResp.Enum(), From: new(uint64(9)), To: new(uint64(2)), Term: new(uint64(1))}
	require.ErrorIs(t, n.Step(raft.Message{Type: raft.MsgHeartbeatResp, From: 9, To: 2, Payload: stranger}), raft.ErrUnknownPeer)
	_, _, err = n.Propose([]byte("x"))
	require.ErrorIs(t, err, raft.ErrNotLeader)
	require.ErrorIs(t, n.ReadIndex(1), raft.ErrNotLeader)
	require.ErrorIs(t, n.TransferLeadership(1), raft.ErrNotLeader)
}
