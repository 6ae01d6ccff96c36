package raft_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// Reads under faults: every answered read index must cover every commit any
// node knew when the read was issued (otherwise a read could miss a
// completed write). ReadIndex mode faces crashes, pauses, partitions and
// lossy links; lease mode the same minus pauses, with clock drift inside the
// documented bound (a paused leader or faster drift may break leases, by
// design).
func TestScenarioReadsUnderFaults(t *testing.T) {
	for _, lease := range []bool{false, true} {
		for _, seed := range seedList(20) {
			readsUnderFaults(t, seed, lease)
		}
	}
}

func readsUnderFaults(t *testing.T, seed uint64, lease bool) {
	opt := withRaft(func(c *raft.Config) {
		if lease {
			c.ReadOnly = raft.ReadOnlyLeaseBased
		}
	})
	s := newScenarioNet(t, seed, 5, sim.NetConfig{Loss: 0.02, Reorder: 0.1}, opt, withSnapEvery(50))
	rng, err := s.w.Stream("test")
	require.NoError(t, err)
	if lease {
		for _, id := range s.ids {
			// ±5% each: at most ~10.5% relative, inside 9/8 for ElectionTicks 10.
			require.NoError(t, s.w.Host(int(id)).Clock().SetDrift(float64(rng.IntN(100_001)-50_000)))
		}
	}
	type pending struct {
		node, min uint64
	}
	reads := map[uint64]pending{}
	var ctx uint64
	answered := 0
	maxCommit := func() uint64 {
		var m uint64
		for _, id := range s.ids {
			if p := s.procs[id]; p != nil && s.w.Host(int(id)).Alive() {
				m = max(m, p.node.Status().Commit)
			}
		}
		return m
	}
	s.onRead = func(node uint64, rs raft.ReadState) {
		r, ok := reads[rs.Context]
		if !ok || r.node != node {
			s.anomaly("read %d answered at node %d, issued at %d", rs.Context, node, r.node)
			return
		}
		answered++
		if rs.Index < r.min {
			s.anomaly("stale read %d at node %d: index %d < commit %d known at issue", rs.Context, node, rs.Index, r.min)
		}
	}
	require.NotZero(t, s.waitLeader(3*sim.Second))
	for range 150 {
		for range 2 {
			s.propose()
		}
		for range 3 {
			id := uint64(rng.IntN(5) + 1)
			if p := s.up(id); p != nil {
				ctx++
				min := maxCommit()
				if p.node.ReadIndex(ctx) == nil {
					reads[ctx] = pending{node: id, min: min}
					p.pump()
				}
			}
		}
		s.run(sim.Time(rng.IntN(60)) * sim.Millisecond)
		switch rng.IntN(12) {
		case 0:
			s.crash(uint64(rng.IntN(5) + 1))
		case 1:
			s.heal()
			s.isolate(uint64(rng.IntN(5) + 1))
		case 2:
			if l := s.leader(); l != 0 {
				s.heal()
				s.isolate(l)
			}
		case 3:
			if !lease {
				h := s.w.Host(rng.IntN(5) + 1)
				h.Pause()
				s.w.After(sim.Time(rng.IntN(400))*sim.Millisecond, h.Resume)
			}
		case 4, 5:
			s.heal()
		}
		for _, id := range s.ids {
			if !s.w.Host(int(id)).Alive() && rng.IntN(3) == 0 {
				s.restart(id)
			}
		}
	}
	s.heal()
	for _, id := range s.ids {
		if h := s.w.Host(int(id)); !h.Alive() {
			s.restart(id)
		} else if h.Paused() {
			h.Resume()
		}
	}
	_, ok := s.commit(5 * sim.Second)
	require.True(t, ok, "seed %d lease %v: recovers", seed, lease)
	require.Empty(t, s.anomalies)
	assert.Greater(t, answered, 30, "seed %d lease %v: reads were answered", seed, lease)
}
