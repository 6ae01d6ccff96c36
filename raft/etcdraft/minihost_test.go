package etcdraft

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
)

// A minimal host for unit tests, without the simulator: nodes exchange
// messages through a FIFO queue, "persist" each Ready into a raft.Persisted
// the way a disk would hold it, and record what they apply.

type miniHost struct {
	id      uint64
	n       raft.Consensus
	disk    raft.Persisted
	applied []raft.Entry
}

type miniNet struct {
	t     testing.TB
	hosts map[uint64]*miniHost
	queue []raft.Message
	down  map[uint64]bool
}

func testConfig(id uint64, voters []uint64, seed uint64) raft.Config {
	return raft.Config{ID: id, Voters: voters, ElectionTicks: 10, HeartbeatTicks: 1, PreVote: true, CheckQuorum: true,
		MaxInflightMsgs: 16, MaxSizePerMsg: 1 << 16, Rand: rand.New(rand.NewPCG(seed, id))}
}

func newMiniNet(t testing.TB, voters []uint64) *miniNet {
	mn := &miniNet{t: t, hosts: map[uint64]*miniHost{}, down: map[uint64]bool{}}
	for _, id := range voters {
		mn.start(id, testConfig(id, voters, 7), raft.Persisted{})
	}
	return mn
}

// start builds node id from p (its disk).
func (mn *miniNet) start(id uint64, cfg raft.Config, p raft.Persisted) *miniHost {
	n, err := New(cfg, p)
	require.NoError(mn.t, err)
	h := &miniHost{id: id, n: n, disk: p}
	mn.hosts[id] = h
	delete(mn.down, id)
	return h
}

// ids returns the hosts' ids in order (a map's order would make runs differ).
func (mn *miniNet) ids() []uint64 {
	var ids []uint64
	for id := range mn.hosts {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// handle takes and handles every Ready of h.
func (mn *miniNet) handle(h *miniHost) {
	for i := 0; h.n.HasReady(); i++ {
		require.Less(mn.t, i, 1000, "node %d: Readies without end", h.id)
		rd := h.n.Ready()
		h.persist(&rd)
		mn.queue = append(mn.queue, rd.Messages...)
		if rd.Snapshot != nil {
			h.applied = append(h.applied[:0], raft.Entry{Index: rd.Snapshot.Meta.Index, Term: rd.Snapshot.Meta.Term})
		}
		h.applied = append(h.applied, rd.CommittedEntries...)
		h.n.Advance()
	}
}

// persist folds a Ready into the disk image as kvstore's log would.
func (h *miniHost) persist(rd *raft.Ready) {
	if !rd.HardState.IsEmpty() {
		h.disk.HardState = rd.HardState
	}
	if rd.Snapshot != nil {
		h.disk.Snapshot = rd.Snapshot
		h.disk.Entries = nil
	}
	if len(rd.Entries) > 0 {
		first := rd.Entries[0].Index
		base := uint64(0)
		if h.disk.Snapshot != nil {
			base = h.disk.Snapshot.Meta.Index
		}
		h.disk.Entries = append(slices.Clone(h.disk.Entries[:first-base-1]), rd.Entries...)
	}
}

// compact has h snapshot its applied state and drops the covered log.
func (h *miniHost) compact(t testing.TB) {
	idx := h.applied[len(h.applied)-1].Index
	require.NoError(t, h.n.Compact(idx, []byte("state")))
	s := h.n.Snapshot()
	require.NotNil(t, s)
	require.Equal(t, idx, s.Meta.Index)
	base := uint64(0)
	if h.disk.Snapshot != nil {
		base = h.disk.Snapshot.Meta.Index
	}
	h.disk.Entries = slices.Clone(h.disk.Entries[idx-base:])
	h.disk.Snapshot = s
}

// step delivers the queued messages and handles Readies until quiet.
func (mn *miniNet) settle() {
	for _, id := range mn.ids() {
		if !mn.down[id] {
			mn.handle(mn.hosts[id])
		}
	}
	for i := 0; len(mn.queue) > 0; i++ {
		require.Less(mn.t, i, 100000, "messages without end")
		m := mn.queue[0]
		mn.queue = mn.queue[1:]
		h := mn.hosts[m.To]
		if h == nil || mn.down[m.To] {
			continue
		}
		_ = h.n.Step(m) // an unknown peer is expected around removals
		mn.handle(h)
	}
}

// tick ticks every running node once and settles.
func (mn *miniNet) tick() {
	for _, id := range mn.ids() {
		if !mn.down[id] {
			mn.hosts[id].n.Tick()
		}
	}
	mn.settle()
}

// leader ticks until some node leads; it returns it.
func (mn *miniNet) leader() *miniHost {
	for i := 0; i < 200; i++ {
		for _, id := range mn.ids() {
			if h := mn.hosts[id]; !mn.down[id] && h.n.Status().Role == raft.Leader {
				return h
			}
		}
		mn.tick()
	}
	mn.t.Fatal("no leader after 200 ticks")
	return nil
}

// propose proposes data on the leader and settles; it returns the placement.
func (mn *miniNet) propose(data string) (index, term uint64) {
	l := mn.leader()
	index, term, err := l.n.Propose([]byte(data))
	require.NoError(mn.t, err)
	mn.settle()
	return index, term
}
