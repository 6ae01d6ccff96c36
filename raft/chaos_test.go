package raft

import (
	"errors"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChaos drives small clusters through random message reordering, loss
// and duplication, partitions, crashes, restarts, compactions, membership
// changes, transfers and reads, checking at every Ready the invariants the
// harness watches (election safety, state machine safety, no aliasing),
// that every read index covers every commit known when it was issued, log
// matching at the end, and that the healed cluster makes progress.
func TestChaos(t *testing.T) {
	seeds := 100
	if testing.Short() {
		seeds = 8
	}
	// A longer soak: RAFT_CHAOS_SEEDS=5000 go test -run TestChaos ./raft/
	if v, err := strconv.Atoi(os.Getenv("RAFT_CHAOS_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	var total chaosStats
	for seed := range uint64(seeds) {
		for _, lease := range []bool{false, true} {
			s := runChaos(t, seed, lease)
			total.terms += s.terms
			total.committed += s.committed
			total.snapshots += s.snapshots
			total.voters += s.voters
			total.confs += s.confs
			total.reads += s.reads
		}
	}
	t.Logf("chaos totals: %+v", total)
	// The run must have exercised what it claims to.
	assert.Greater(t, total.terms, 2*seeds, "leaders elected")
	assert.Greater(t, total.snapshots, seeds, "snapshots taken or installed")
	assert.Greater(t, total.committed, uint64(30*seeds), "entries committed")
	assert.Greater(t, total.reads, 5*seeds, "reads answered")
	assert.Greater(t, total.confs, seeds/2, "membership changes proposed")
}

func runChaos(t *testing.T, seed uint64, lease bool) chaosStats {
	rng := rand.New(rand.NewPCG(seed, 7))
	opts := []option{withInflight(4), withMaxSize(64)}
	if lease {
		opts = append(opts, withLease())
	}
	if seed%3 == 1 {
		opts = append(opts, withPreVote(false))
	}
	c := newCluster(t, 3, opts...)
	c.strictOK = false
	for _, id := range []uint64{4, 5} {
		cfg := joinConfig(id)
		for _, o := range opts {
			o(&cfg)
		}
		c.add(cfg)
	}
	type pendingRead struct {
		node, minIndex uint64
	}
	reads := map[uint64]pendingRead{}
	var readCtx uint64
	answered, confChanges := 0, 0
	maxCommit := func() uint64 {
		var m uint64
		for _, nd := range c.nodes {
			if nd != nil && nd.log.committed > m {
				m = nd.log.committed
			}
		}
		return m
	}
	checkReads := func() {
		for _, id := range c.sortedIDs() {
			for _, rs := range c.reads[id] {
				pr, ok := reads[rs.Context]
				require.True(t, ok, "seed %d: unknown read %d", seed, rs.Context)
				assert.Equal(t, pr.node, id)
				assert.GreaterOrEqual(t, rs.Index, pr.minIndex, "seed %d: read %d at index %d misses a commit known at issue", seed, rs.Context, rs.Index)
				// Kept: a duplicated forward may be answered twice.
				answered++
			}
			c.reads[id] = nil
		}
	}
	pick := func() uint64 { return uint64(rng.IntN(5) + 1) }
	for step := 0; step < 5000; step++ {
		r := rng.IntN(100)
		switch {
		case r < 45 && len(c.queue) > 0:
			i := rng.IntN(len(c.queue))
			sm := c.queue[i]
			c.queue = append(c.queue[:i], c.queue[i+1:]...)
			switch p := rng.IntN(100); {
			case p < 5: // lost
			case p < 8:
				c.deliver(sm)
				c.queue = append(c.queue, sm) // duplicated
			default:
				c.deliver(sm)
			}
		case r < 70:
			if nd := c.nodes[pick()]; nd != nil {
				nd.Tick()
				c.checkInvariants(nd)
			}
		case r < 80:
			for _, nd := range c.nodes {
				if nd != nil && nd.role == Leader {
					_, _, _ = nd.Propose([]byte{byte(step), byte(step >> 8)})
				}
			}
		case r < 82:
			id := pick()
			if c.nodes[id] != nil {
				c.crash(id)
			} else {
				c.restart(id)
			}
		case r < 85:
			c.heal()
			if rng.IntN(2) == 0 {
				a := pick()
				c.isolate(a)
			}
		case r < 87:
			if nd := c.nodes[pick()]; nd != nil && nd.log.applied > nd.log.snapIndex+5 {
				id := nd.id
				require.NoError(t, nd.Compact(nd.log.applied-2, []byte{byte(step)}))
				d := c.disks[id]
				d.snap = nd.Snapshot()
				base := uint64(0)
				if len(d.ents) > 0 {
					base = d.ents[0].Index - 1
				}
				d.ents = append([]Entry(nil), d.ents[d.snap.Meta.Index-base:]...)
			}
		case r < 89:
			if nd := c.nodes[pick()]; nd != nil && nd.role == Leader {
				target := pick()
				typ := AddNode
				if nd.position(target) >= 0 {
					typ = RemoveNode
				}
				if typ == AddNode || len(nd.conf.voters()) > 3 {
					if _, _, err := nd.ProposeConfChange(ConfChange{Type: typ, NodeID: target}); err == nil {
						confChanges++
					}
				}
			}
		case r < 90:
			if nd := c.nodes[pick()]; nd != nil && nd.role == Leader {
				_ = nd.TransferLeadership(pick())
			}
		case r < 95:
			if nd := c.nodes[pick()]; nd != nil {
				readCtx++
				min := maxCommit()
				if nd.ReadIndex(readCtx) == nil {
					reads[readCtx] = pendingRead{node: nd.id, minIndex: min}
				}
			}
		}
		c.flushReady()
		checkReads()
	}
	for _, err := range c.errs {
		require.True(t, errors.Is(err, ErrUnknownPeer), "seed %d: only unknown peers may be refused: %v", seed, err)
	}

	// Heal everything: the cluster must elect a leader and commit.
	c.heal()
	for _, id := range c.sortedIDs() {
		if c.nodes[id] == nil {
			c.restart(id)
		}
	}
	c.strictOK = true
	var leader uint64
	for range 200 {
		c.tick(1)
		if leader = c.leaderID(); leader != None {
			if _, _, err := c.nodes[leader].Propose([]byte("final")); err == nil {
				break
			}
		}
	}
	if leader == None {
		for _, id := range c.sortedIDs() {
			nd := c.nodes[id]
			t.Logf("node %d: %v term %d vote %d lead %d voters %v last %d/%d commit %d snap %d elapsed %d/%d", id, nd.role, nd.term, nd.vote, nd.lead, nd.conf.voters(), nd.log.lastIndex(), nd.log.lastTerm(), nd.log.committed, nd.log.snapIndex, nd.electionElapsed, nd.randomizedTimeout)
		}
	}
	require.NotEqual(t, None, leader, "seed %d: no leader after healing", seed)
	c.tick(30)
	// The leader may have handed over meanwhile (it removed itself, or a
	// transfer completed): check whoever leads now.
	if leader = c.leaderID(); leader == None {
		leader = 1
	}
	l := c.nodes[leader]
	if l.role != Leader {
		for _, id := range c.sortedIDs() {
			nd := c.nodes[id]
			t.Logf("node %d: %v term %d vote %d lead %d voters %v last %d/%d commit %d snap %d elapsed %d/%d", id, nd.role, nd.term, nd.vote, nd.lead, nd.conf.voters(), nd.log.lastIndex(), nd.log.lastTerm(), nd.log.committed, nd.log.snapIndex, nd.electionElapsed, nd.randomizedTimeout)
		}
	}
	require.Equal(t, Leader, l.role, "seed %d", seed)
	for _, id := range l.conf.voters() {
		assert.Equal(t, l.log.committed, c.nodes[id].log.committed, "seed %d: voter %d caught up", seed, id)
		assert.Equal(t, l.log.lastIndex(), l.log.committed, "seed %d: everything committed", seed)
	}
	checkLogMatching(t, c, seed)
	checkReads()
	return chaosStats{
		terms:     len(c.leader),
		committed: l.log.committed,
		snapshots: countSnapshots(c),
		reads:     answered,
		voters:    len(l.conf.voters()),
		confs:     confChanges,
	}
}

type chaosStats struct {
	terms, snapshots, reads, voters, confs int
	committed                              uint64
}

func countSnapshots(c *cluster) int {
	k := 0
	for _, d := range c.disks {
		if d.snap != nil {
			k++
		}
	}
	return k
}

// checkLogMatching: if two logs hold an entry with the same index and term,
// they are identical up to it (§5.3).
func checkLogMatching(t *testing.T, c *cluster, seed uint64) {
	ns := c.sortedIDs()
	for i, a := range ns {
		for _, b := range ns[i+1:] {
			la, lb := &c.nodes[a].log, &c.nodes[b].log
			hi := min(la.lastIndex(), lb.lastIndex())
			lo := max(la.snapIndex, lb.snapIndex) + 1
			matched := false
			for k := hi; k >= lo; k-- {
				ta, _ := la.term(k)
				tb, _ := lb.term(k)
				if ta == tb {
					matched = true
				} else if matched {
					t.Fatalf("seed %d: logs of %d and %d match at a later index but differ at %d", seed, a, b, k)
				}
				if matched && string(la.entry(k).Data) != string(lb.entry(k).Data) {
					t.Fatalf("seed %d: same index %d and term, different data on %d and %d", seed, k, a, b)
				}
			}
		}
	}
}
