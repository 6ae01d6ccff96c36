package raft_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// Scenario tests run raft.Node on the deterministic simulator (latency,
// loss, partitions, crashes with unsynced writes lost). Each has fixed seeds
// and a simulated-time bound; the host in scenario_host_test.go checks
// election safety and state machine safety throughout.

// seedList returns the fixed seeds 1..n.
func seedList(n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = uint64(i + 1)
	}
	return s
}

// scenarioSeeds is how many fixed seeds each scenario runs.
const scenarioSeeds = 50

func TestScenarioInitialElection(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5)
		l := s.waitLeader(2 * sim.Second)
		require.NotZero(t, l, "seed %d: a leader within 2s", seed)
		term := s.procs[l].node.Status().Term
		s.run(5 * sim.Second)
		assert.Equal(t, l, s.leader(), "seed %d: no re-election without failures", seed)
		assert.Equal(t, term, s.procs[l].node.Status().Term)
		for _, id := range s.ids {
			assert.Equal(t, l, s.procs[id].node.Status().Lead, "seed %d: node %d follows", seed, id)
		}
	}
}

func TestScenarioReElection(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 3)
		old := s.waitLeader(2 * sim.Second)
		require.NotZero(t, old)
		s.isolate(old)
		nl := s.waitNewLeader(old, 3*sim.Second)
		require.NotZero(t, nl, "seed %d: the majority elects a new leader", seed)
		s.heal()
		s.run(sim.Second)
		st := s.procs[old].node.Status()
		assert.Equal(t, raft.Follower, st.Role, "seed %d: old leader rejoins as follower", seed)
		assert.Equal(t, s.leader(), st.Lead)
		_, ok := s.commit(2 * sim.Second)
		assert.True(t, ok)
	}
}

func TestScenarioNoLeaderWithoutMajority(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5)
		l := s.waitLeader(2 * sim.Second)
		require.NotZero(t, l)
		// Cut the leader and two others apart: nobody has a majority.
		var others []uint64
		for _, id := range s.ids {
			if id != l && len(others) < 2 {
				others = append(others, id)
			}
		}
		for _, id := range append(others, l) {
			s.isolate(id)
		}
		s.run(3 * sim.Second)
		assert.Zero(t, s.leader(), "seed %d: no leader without a majority (CheckQuorum deposes the old one)", seed)
		s.heal()
		assert.NotZero(t, s.waitLeader(3*sim.Second), "seed %d: a leader once healed", seed)
	}
}

// A 7-node cluster through many rounds of random disconnects; whenever a
// majority is connected it elects a leader and commits.
func TestScenarioSevenNodesRandomDisconnects(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 7)
		require.NotZero(t, s.waitLeader(2*sim.Second))
		rng, err := s.w.Stream("test")
		require.NoError(t, err)
		for round := range 20 {
			s.heal()
			k := rng.IntN(4) // up to 3 of 7 disconnected: a majority stays
			perm := rng.Perm(7)
			for _, i := range perm[:k] {
				s.isolate(uint64(i + 1))
			}
			_, ok := s.commit(3 * sim.Second)
			require.True(t, ok, "seed %d round %d: %d disconnected, majority must commit", seed, round, k)
			s.run(sim.Time(rng.IntN(500)) * sim.Millisecond)
		}
		s.heal()
		assert.True(t, s.converge(5*sim.Second), "seed %d: all converge", seed)
	}
}

func TestScenarioFailedFollowerAndNoMajority(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5)
		l := s.waitLeader(2 * sim.Second)
		require.NotZero(t, l)
		var followers []uint64
		for _, id := range s.ids {
			if id != l {
				followers = append(followers, id)
			}
		}
		s.crash(followers[0])
		v, ok := s.commit(2 * sim.Second)
		require.True(t, ok, "seed %d: agreement despite a failed follower", seed)
		s.run(300 * sim.Millisecond)
		for _, id := range followers[1:] {
			assert.True(t, s.appliedBy(id, v), "seed %d: follower %d applied", seed, id)
		}
		s.crash(followers[1])
		s.crash(followers[2])
		v2 := s.propose()
		require.NotEmpty(t, v2)
		s.run(2 * sim.Second)
		_, applied := s.committed[v2]
		assert.False(t, applied, "seed %d: no commit with 2 of 5", seed)
		s.restart(followers[1])
		s.restart(followers[2])
		s.run(2 * sim.Second)
		_, applied = s.committed[v2]
		assert.True(t, applied, "seed %d: commits once a majority is back", seed)
	}
}

// A partitioned leader's uncommitted entries are overwritten after it rejoins.
func TestScenarioPartitionedLeaderEntriesOverwritten(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5)
		old := s.waitLeader(2 * sim.Second)
		require.NotZero(t, old)
		s.isolate(old)
		for range 10 {
			_, _, err := s.procs[old].node.Propose([]byte("lost"))
			require.NoError(t, err)
		}
		s.procs[old].pump()
		require.NotZero(t, s.waitNewLeader(old, 3*sim.Second), "seed %d", seed)
		for range 5 {
			_, ok := s.commit(2 * sim.Second)
			require.True(t, ok)
		}
		s.heal()
		require.True(t, s.converge(5*sim.Second), "seed %d", seed)
		_, applied := s.committed["lost"]
		assert.False(t, applied, "seed %d: the old leader's entries never apply", seed)
		assert.Equal(t, s.procs[s.leader()].node.Status().LastIndex, s.procs[old].node.Status().LastIndex)
	}
}

// 6.824's "backup" scenario: three rounds of partitions leave 60 divergent
// entries on several nodes; the fast-backup hint repairs each follower in a
// couple of rejections instead of one per entry.
func TestScenarioFastBackup(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5, withRaft(func(c *raft.Config) { c.MaxSizePerMsg = 1 << 20 }))
		l1 := s.waitLeader(2 * sim.Second)
		require.NotZero(t, l1)
		others := func(ex ...uint64) []uint64 {
			var out []uint64
			for _, id := range s.ids {
				if !has(ex, id) {
					out = append(out, id)
				}
			}
			return out
		}
		f1 := others(l1)[0]
		// 1. l1 and f1 in a minority: 60 entries that never commit.
		s.partition([]uint64{l1, f1}, others(l1, f1))
		for range 60 {
			_, _, err := s.procs[l1].node.Propose([]byte("minority"))
			require.NoError(t, err)
		}
		s.procs[l1].pump()
		// 2. The majority elects l2 and commits 60 values.
		l2 := s.waitNewLeader(l1, 3*sim.Second)
		require.NotZero(t, l2)
		require.NotEqual(t, f1, l2)
		for range 60 {
			require.NotEmpty(t, s.propose())
		}
		s.run(time500ms)
		// 3. l2 and x apart: 60 more uncommitted entries on l2's side.
		rest := others(l1, f1, l2)
		x, y := rest[0], rest[1]
		s.partition([]uint64{l2, x}, []uint64{l1, f1, y})
		for range 60 {
			_, _, err := s.procs[l2].node.Propose([]byte("minority2"))
			require.NoError(t, err)
		}
		s.procs[l2].pump()
		// 4. y (which holds l2's committed values) leads l1 and f1, whose
		// logs diverge from its own by 60 entries.
		s.rejects = 0
		l3 := s.waitNewLeader(l2, 3*sim.Second)
		require.Equal(t, y, l3, "seed %d: only y has the committed values", seed)
		_, ok := s.commit(3 * sim.Second)
		require.True(t, ok, "seed %d", seed)
		// 5. Everyone back.
		s.heal()
		require.True(t, s.converge(5*sim.Second), "seed %d", seed)
		assert.LessOrEqual(t, s.rejects, 16, "seed %d: a few rejections per follower, not one per entry", seed)
		assert.Positive(t, s.rejects, "seed %d: the scenario does diverge", seed)
		if seed == 1 {
			t.Logf("rejections while repairing 4 followers over 60 divergent entries each: %d", s.rejects)
		}
		for _, v := range []string{"minority", "minority2"} {
			_, applied := s.committed[v]
			assert.False(t, applied, "seed %d: %s never applies", seed, v)
		}
	}
}

const time500ms = 500 * sim.Millisecond

// Persistence: crash the leader, a follower, a majority, everybody; the
// committed state survives and the cluster keeps going.
func TestScenarioPersistence(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5)
		require.NotZero(t, s.waitLeader(2*sim.Second))
		var values []string
		step := func(crash func() []uint64) {
			v, ok := s.commit(3 * sim.Second)
			require.True(t, ok, "seed %d", seed)
			values = append(values, v)
			for _, id := range crash() {
				s.crash(id)
			}
			s.run(200 * sim.Millisecond)
			for _, id := range s.ids {
				if !s.w.Host(int(id)).Alive() {
					s.restart(id)
				}
			}
			require.NotZero(t, s.waitLeader(3*sim.Second), "seed %d: a leader after the restart", seed)
		}
		step(func() []uint64 { return []uint64{s.leader()} })
		step(func() []uint64 { return []uint64{s.leader()%5 + 1} })
		step(func() []uint64 { l := s.leader(); return []uint64{l, l%5 + 1, (l+1)%5 + 1} })
		step(func() []uint64 { return s.ids })
		v, ok := s.commit(3 * sim.Second)
		require.True(t, ok)
		values = append(values, v)
		require.True(t, s.converge(5*sim.Second))
		for _, v := range values {
			for _, id := range s.ids {
				assert.True(t, s.appliedBy(id, v), "seed %d: node %d lost %s", seed, id, v)
			}
		}
	}
}

// Figure 8 under crashes (6.824's Figure8 test): leaders crash at random
// moments, with unsynced writes lost; no committed value is ever lost or
// applied differently.
func TestScenarioFigure8Crashes(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		figure8(t, seed, sim.NetConfig{}, false)
	}
}

// Figure 8 on an unreliable, reordering network with long delays.
func TestScenarioFigure8Unreliable(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		figure8(t, seed, sim.NetConfig{Loss: 0.1, Reorder: 0.3, ReorderDelay: 30 * sim.Millisecond, Duplicate: 0.05}, true)
	}
}

func figure8(t *testing.T, seed uint64, net sim.NetConfig, partitions bool) {
	s := newScenarioNet(t, seed, 5, net, withSnapEvery(40))
	rng, err := s.w.Stream("test")
	require.NoError(t, err)
	require.NotZero(t, s.waitLeader(3*sim.Second))
	for range 60 {
		for range 3 {
			s.propose()
		}
		s.run(sim.Time(rng.IntN(200)) * sim.Millisecond)
		if l := s.leader(); l != 0 && rng.IntN(2) == 0 {
			s.crash(l)
		}
		if partitions && rng.IntN(5) == 0 {
			s.heal()
			s.isolate(uint64(rng.IntN(5) + 1))
		}
		up := 0
		for _, id := range s.ids {
			if s.w.Host(int(id)).Alive() {
				up++
			}
		}
		if up < 3 || rng.IntN(3) == 0 {
			for _, id := range s.ids {
				if !s.w.Host(int(id)).Alive() {
					s.restart(id)
					break
				}
			}
		}
	}
	s.heal()
	s.w.Net().Reset()
	for _, id := range s.ids {
		if !s.w.Host(int(id)).Alive() {
			s.restart(id)
		}
	}
	v, ok := s.commit(10 * sim.Second)
	require.True(t, ok, "seed %d: the cluster recovers", seed)
	require.True(t, s.converge(10*sim.Second), "seed %d", seed)
	for _, id := range s.ids {
		assert.True(t, s.appliedBy(id, v))
	}
	assert.Greater(t, len(s.committed), 10, "seed %d: the run committed values", seed)
}

// A follower that misses more than the leader keeps in its log is caught up
// by InstallSnapshot.
func TestScenarioSnapshotCatchUp(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 3, withSnapEvery(20))
		l := s.waitLeader(2 * sim.Second)
		require.NotZero(t, l)
		lag := l%3 + 1
		s.crash(lag)
		for range 100 {
			require.NotEmpty(t, s.propose())
			s.run(5 * sim.Millisecond)
		}
		s.restart(lag)
		require.True(t, s.converge(5*sim.Second), "seed %d", seed)
		assert.Positive(t, s.snapsSent, "seed %d: caught up by snapshot", seed)
		assert.NotNil(t, s.procs[lag].snap)
	}
}

// Add and remove servers while the network loses messages and nodes crash.
func TestScenarioMembershipUnderFaults(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenarioNet(t, seed, 3, sim.NetConfig{Loss: 0.05}, withSnapEvery(30))
		require.NotZero(t, s.waitLeader(2*sim.Second))
		change := func(cc raft.ConfChange) {
			t.Helper()
			deadline := s.w.Now() + 10*sim.Second
			for s.w.Now() < deadline {
				if l := s.leader(); l != 0 {
					st := s.procs[l].node.Status()
					if has(st.Voters, cc.NodeID) == (cc.Type == raft.AddNode) && st.Commit == st.LastIndex {
						return // in effect and committed
					}
					if _, _, err := s.procs[l].node.ProposeConfChange(cc); err == nil {
						s.procs[l].pump()
					}
				}
				s.propose()
				s.run(50 * sim.Millisecond)
			}
			t.Fatalf("seed %d: change %+v did not complete", seed, cc)
		}
		s.addHost(4, true)
		s.addHost(5, true)
		change(raft.ConfChange{Type: raft.AddNode, NodeID: 4})
		s.crash(s.ids[0])
		change(raft.ConfChange{Type: raft.AddNode, NodeID: 5})
		s.restart(s.ids[0])
		change(raft.ConfChange{Type: raft.RemoveNode, NodeID: s.leader()}) // the leader removes itself
		l := s.waitLeader(3 * sim.Second)
		require.NotZero(t, l)
		for _, v := range s.procs[l].node.Status().Voters {
			if v != l {
				change(raft.ConfChange{Type: raft.RemoveNode, NodeID: v}) // and a follower
				break
			}
		}
		_, ok := s.commit(5 * sim.Second)
		require.True(t, ok)
		require.True(t, s.converge(5*sim.Second))
		l = s.leader()
		assert.Len(t, s.procs[l].node.Status().Voters, 3, "seed %d", seed)
	}
}

func has(ids []uint64, id uint64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func TestScenarioLeadershipTransfer(t *testing.T) {
	for _, seed := range seedList(scenarioSeeds) {
		s := newScenario(t, seed, 5)
		l := s.waitLeader(2 * sim.Second)
		require.NotZero(t, l)
		_, ok := s.commit(sim.Second)
		require.True(t, ok)
		target := l%5 + 1
		start := s.w.Now()
		require.NoError(t, s.procs[l].node.TransferLeadership(target))
		s.procs[l].pump()
		for s.leader() != target && s.w.Now() < start+sim.Second {
			s.run(sim.Millisecond)
		}
		require.Equal(t, target, s.leader(), "seed %d", seed)
		assert.Less(t, s.w.Now()-start, 100*sim.Millisecond, "seed %d: faster than an election timeout", seed)
		_, ok = s.commit(sim.Second)
		assert.True(t, ok)
	}
}

func TestScenario101Nodes(t *testing.T) {
	if testing.Short() {
		t.Skip("101 nodes")
	}
	s := newScenario(t, 1, 101)
	l := s.waitLeader(5 * sim.Second)
	if l == 0 {
		counts := map[raft.Role]int{}
		var maxTerm uint64
		for _, id := range s.ids {
			st := s.procs[id].node.Status()
			counts[st.Role]++
			maxTerm = max(maxTerm, st.Term)
		}
		t.Logf("roles %v max term %d unknown %d", counts, maxTerm, s.unknownPeer)
	}
	require.NotZero(t, l)
	for range 5 {
		_, ok := s.commit(3 * sim.Second)
		require.True(t, ok)
	}
	require.True(t, s.converge(5*sim.Second))
}

// One seed reproduces a run bit for bit.
func TestScenarioDeterminism(t *testing.T) {
	hash := func() (uint64, int) {
		s := newScenarioNet(t, 7, 5, sim.NetConfig{Loss: 0.05, Reorder: 0.2}, withSnapEvery(25))
		s.waitLeader(2 * sim.Second)
		for range 50 {
			s.propose()
			s.run(20 * sim.Millisecond)
		}
		s.crash(s.leader())
		s.run(sim.Second)
		return s.w.Trace().Hash(), len(s.committed)
	}
	h1, c1 := hash()
	h2, c2 := hash()
	assert.Equal(t, h1, h2)
	assert.Equal(t, c1, c2)
	assert.Positive(t, c1)
}
