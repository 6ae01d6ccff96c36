package etcdraft_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// A toy adapter, the smallest complete raft.Consensus that is not the
// built-in itself: it wraps the built-in *raft.Node but speaks its own wire
// type, as an adapter for another library would (docs/adapters.md). Every
// method but Step and Ready passes straight through.

// toyWire is the toy's own wire message. A real adapter would carry its
// library's message here (etcd's *raftpb.Message).
type toyWire struct{ m raft.Message }

type toy struct {
	*raft.Node
	out []raft.Message // the translated messages of the Ready handed out
}

var _ raft.Consensus = (*toy)(nil)

// newToy is the toy's raft.Factory.
func newToy(cfg raft.Config, p raft.Persisted) (raft.Consensus, error) {
	n, err := raft.NewNode(cfg, p)
	if err != nil {
		return nil, err
	}
	return &toy{Node: n}, nil
}

// Step unwraps the toy's wire message; anything else is not from a toy peer.
func (t *toy) Step(m raft.Message) error {
	w, ok := m.Payload.(*toyWire)
	if !ok {
		return raft.ErrBadMessage
	}
	return t.Node.Step(w.m)
}

// Ready wraps each message in the toy's wire type, keeping the summary fields
// the harness observes (type, ends, term, rejection).
func (t *toy) Ready() raft.Ready {
	rd := t.Node.Ready()
	t.out = t.out[:0]
	for _, m := range rd.Messages {
		t.out = append(t.out, raft.Message{Type: m.Type, From: m.From, To: m.To, Term: m.Term, Reject: m.Reject,
			Payload: &toyWire{m: m}})
	}
	rd.Messages = t.out
	return rd
}

// TestToyAdapterPlugsIn: the toy runs the KV store through crashes, a
// partition and snapshots with a linearizable history; and since it only
// re-wraps the built-in's messages, the run is the built-in's, trace for
// trace.
func TestToyAdapterPlugsIn(t *testing.T) {
	run := func(f raft.Factory) uint64 {
		c := newCluster(t, opts{seed: 41, nodes: 3, factory: f, snapEvery: 20, crash: sim.TearLast})
		c.waitLeader()
		c.startClients()
		c.faults()
		c.run(3 * sim.Second)
		c.stopClients()
		c.checkSafe()
		require.Greater(t, c.okOps()["append"], 100)
		return c.w.Trace().Hash()
	}
	assert.Equal(t, run(raft.New), run(newToy))
}
