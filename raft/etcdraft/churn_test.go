package etcdraft_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/etcdraft"
	"github.com/raftcheck/raftcheck/sim"
)

// placed is one (index, term) a node's Propose returned, with the data.
type placed struct {
	index, term uint64
	data        []byte
}

// spy checks the Propose contract from outside the adapter: the entry a
// Ready hands out at a reported (index, term) holds the proposed data. The
// adapter checks it too (and panics); this is the independent witness.
type spy struct {
	raft.Consensus
	t       testing.TB
	pending []placed // reported since the last Ready, in index order
	stats   *spyStats
}

type spyStats struct {
	reported, found, lost int
	spies                 []*spy
}

// unchecked counts placements no Ready has shown yet: proposed while the
// node waited for a sync, and then lost with the node's crash, or still
// waiting at the end.
func (st *spyStats) unchecked() int {
	n := 0
	for _, s := range st.spies {
		n += len(s.pending)
	}
	return n
}

func spyFactory(t testing.TB, st *spyStats) raft.Factory {
	return func(cfg raft.Config, p raft.Persisted) (raft.Consensus, error) {
		n, err := etcdraft.New(cfg, p)
		if err != nil {
			return nil, err
		}
		s := &spy{Consensus: n, t: t, stats: st}
		st.spies = append(st.spies, s)
		return s, nil
	}
}

func (s *spy) Propose(data []byte) (uint64, uint64, error) {
	index, term, err := s.Consensus.Propose(data)
	if err == nil {
		s.stats.reported++
		s.pending = append(s.pending, placed{index, term, bytes.Clone(data)})
	}
	return index, term, err
}

func (s *spy) Ready() raft.Ready {
	rd := s.Consensus.Ready()
	for _, p := range s.pending {
		found := false
		for _, e := range rd.Entries {
			if e.Index == p.index && e.Term == p.term {
				require.Equal(s.t, p.data, e.Data, "entry (%d, %d)", p.index, p.term)
				found = true
			}
		}
		if found {
			s.stats.found++
		} else {
			// Only a node that moved to a later term may lose one.
			require.NotNil(s.t, rd.SoftState, "proposal (%d, %d) vanished without a term change", p.index, p.term)
			require.Greater(s.t, rd.SoftState.Term, p.term, "proposal (%d, %d) vanished in its own term", p.index, p.term)
			s.stats.lost++
		}
	}
	s.pending = s.pending[:0]
	return rd
}

// TestProposalPlacementUnderChurn: the leader is crashed, isolated or told to
// transfer every 150 ms while clients propose as fast as they can; every
// (index, term) Propose reports holds the proposed entry, and the
// history stays linearizable.
func TestProposalPlacementUnderChurn(t *testing.T) {
	for _, seed := range []uint64{21, 22, 23} {
		st := &spyStats{}
		c := newCluster(t, opts{seed: seed, nodes: 5, factory: spyFactory(t, st), snapEvery: 25,
			threads: 10, net: sim.NetConfig{Duplicate: 0.05, Reorder: 0.05}})
		c.waitLeader()
		c.startClients()
		for k := range 20 {
			c.w.After(sim.Time(150*(k+1))*sim.Millisecond, func() {
				lead := c.leader()
				if lead == 0 {
					return
				}
				switch k % 3 {
				case 0:
					c.w.Host(lead).Restart(100 * sim.Millisecond)
				case 1:
					c.w.Net().Heal()
					require.NoError(t, c.w.Net().Partition([]int{lead}, c.others(lead)))
				case 2:
					c.w.Net().Heal()
					_ = c.server(lead).TransferLeadership(uint64(c.others(lead)[k%4]))
				}
			})
		}
		c.run(3300 * sim.Millisecond)
		c.w.Net().Heal()
		c.run(sim.Second)
		c.stopClients()
		c.checkSafe()
		assert.Greater(t, st.found, 500, "seed %d", seed)
		assert.Equal(t, st.reported, st.found+st.lost+st.unchecked(), "seed %d", seed)
		assert.GreaterOrEqual(t, len(c.obs.leaderTerms), 10, "seed %d: churn", seed)
		t.Logf("seed %d: %d placements reported, %d found in the next Ready, %d lost to a later term, %d unchecked; %d leader terms",
			seed, st.reported, st.found, st.lost, st.unchecked(), len(c.obs.leaderTerms))
	}
}
