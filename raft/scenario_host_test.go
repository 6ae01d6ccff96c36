package raft_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// This file is a small host for raft.Node on the simulator: it persists each
// Ready to the host's sim.Disk, syncs before sending, applies committed
// entries to a toy state machine (a running hash), snapshots every so often,
// and rebuilds the node from disk on restart. The scenario checks election
// safety and state machine safety as the run goes.

const (
	tagTick uint64 = 1
	tagSync uint64 = 2

	tickInterval = 10 * sim.Millisecond
)

// scenario is one simulated cluster plus the invariant checks.
type scenario struct {
	t     *testing.T
	w     *sim.World
	ids   []uint64
	procs map[uint64]*proc // the current incarnation of each node
	rands map[uint64]*rand.Rand
	phase map[uint64]sim.Time // each host's tick phase: processes do not start in lockstep
	base  raft.Config
	join  map[uint64]bool // nodes started with an empty disk as joiners

	snapEvery uint64 // applied entries between snapshots, 0: never

	// Invariant state.
	hashAt      map[uint64]uint64 // index -> state hash after applying it
	leaders     map[uint64]uint64 // term -> leader
	anomalies   []string
	unknownPeer int
	rejects     int // MsgAppResp rejections delivered (fast-backup check)
	snapsSent   int

	onRead func(node uint64, rs raft.ReadState) // nil: reads ignored

	proposed  map[string]proposal
	committed map[string]uint64 // value -> index it was applied at
	nextValue int
}

type proposal struct{ index, term uint64 }

type scenarioOpt func(*scenario)

func withSnapEvery(k uint64) scenarioOpt { return func(s *scenario) { s.snapEvery = k } }
func withRaft(f func(*raft.Config)) scenarioOpt {
	return func(s *scenario) { f(&s.base) }
}

// newScenario starts n nodes 1..n on a fresh world.
func newScenario(t *testing.T, seed uint64, n int, opts ...scenarioOpt) *scenario {
	return newScenarioNet(t, seed, n, sim.NetConfig{}, opts...)
}

func newScenarioNet(t *testing.T, seed uint64, n int, net sim.NetConfig, opts ...scenarioOpt) *scenario {
	t.Helper()
	w, err := sim.NewWorld(sim.Config{Seed: seed, Net: net})
	require.NoError(t, err)
	s := &scenario{
		t:     t,
		w:     w,
		procs: map[uint64]*proc{},
		rands: map[uint64]*rand.Rand{},
		phase: map[uint64]sim.Time{},
		join:  map[uint64]bool{},
		base: raft.Config{
			ElectionTicks:   10,
			HeartbeatTicks:  1,
			PreVote:         true,
			CheckQuorum:     true,
			MaxInflightMsgs: 64,
			MaxSizePerMsg:   64 << 10,
		},
		hashAt:    map[uint64]uint64{},
		leaders:   map[uint64]uint64{},
		proposed:  map[string]proposal{},
		committed: map[string]uint64{},
	}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	for i := 1; i <= n; i++ {
		s.ids = append(s.ids, uint64(i))
	}
	for _, id := range s.ids {
		s.addHost(id, false)
	}
	return s
}

// addHost adds a server host; join starts it as a joiner with an empty disk.
func (s *scenario) addHost(id uint64, join bool) {
	s.t.Helper()
	r, err := s.w.Stream("node/" + strconv.FormatUint(id, 10))
	require.NoError(s.t, err)
	s.rands[id] = r
	s.phase[id] = sim.Time(r.Int64N(int64(tickInterval)))
	s.join[id] = join
	if join && !slices.Contains(s.ids, id) {
		s.ids = append(s.ids, id)
	}
	_, err = s.w.AddHost(int(id), sim.HostConfig{Disk: true}, s.start)
	require.NoError(s.t, err)
}

func (s *scenario) config(id uint64) raft.Config {
	c := s.base
	c.ID = id
	c.Rand = s.rands[id]
	if s.join[id] {
		c.Join = true
	} else {
		for _, v := range s.ids {
			if !s.join[v] {
				c.Voters = append(c.Voters, v)
			}
		}
	}
	return c
}

func (s *scenario) anomaly(format string, args ...any) {
	s.anomalies = append(s.anomalies, fmt.Sprintf("%v: ", s.w.Now())+fmt.Sprintf(format, args...))
}

// proc is one incarnation of a server.
type proc struct {
	s       *scenario
	h       *sim.Host
	id      uint64
	node    *raft.Node
	ents    []raft.Entry // the persisted log after snap (mirror of the "log" file)
	snap    *raft.Snapshot
	syncing bool
	rd      raft.Ready
	applied uint64
	hash    uint64
}

func (s *scenario) start(h *sim.Host) (sim.Process, error) {
	id := uint64(h.Addr())
	p := &proc{s: s, h: h, id: id}
	persisted, err := p.recover()
	if err != nil {
		return nil, err
	}
	nd, err := raft.NewNode(s.config(id), persisted)
	if err != nil {
		return nil, err
	}
	p.node = nd
	s.procs[id] = p
	h.After(tickInterval+s.phase[id], tagTick)
	return p, nil
}

func (p *proc) Receive(from int, msg any) {
	m := msg.(*raft.Message)
	if m.Type == raft.MsgAppResp && m.Reject {
		p.s.rejects++
	}
	if err := p.node.Step(*m); err != nil {
		if errors.Is(err, raft.ErrUnknownPeer) {
			p.s.unknownPeer++
		} else {
			p.s.anomaly("node %d: %v", p.id, err)
		}
	}
	p.pump()
}

func (p *proc) Fire(tag uint64) {
	switch tag {
	case tagTick:
		p.node.Tick()
		p.h.After(tickInterval, tagTick)
	case tagSync:
		p.syncing = false
		p.finish(p.rd)
	}
	p.pump()
}

// pump persists the next Ready and, once synced, finishes it.
func (p *proc) pump() {
	for !p.syncing && p.node.HasReady() {
		rd := p.node.Ready()
		if p.persist(rd) {
			p.syncing = true
			p.rd = rd
			p.h.Disk().Sync(tagSync)
			return
		}
		p.finish(rd)
	}
}

// persist writes what rd asks to; it reports whether anything was written.
func (p *proc) persist(rd raft.Ready) bool {
	d := p.h.Disk()
	wrote := false
	if rd.Snapshot != nil {
		p.snap = rd.Snapshot
		p.ents = nil
		d.WriteFile("snap", encodeSnapshot(rd.Snapshot))
		d.WriteFile("log", nil)
		wrote = true
	}
	if len(rd.Entries) > 0 {
		first := rd.Entries[0].Index
		base := p.snapIndex() + 1
		if first < base {
			p.s.anomaly("node %d: Ready.Entries start at %d, before the snapshot", p.id, first)
			return wrote
		}
		k := int(first - base)
		if k > len(p.ents) {
			p.s.anomaly("node %d: Ready.Entries leave a gap at %d", p.id, first)
			return wrote
		}
		if k < len(p.ents) {
			p.ents = append(p.ents[:k:k], rd.Entries...)
			d.WriteFile("log", encodeEntries(p.ents))
		} else {
			p.ents = append(p.ents, rd.Entries...)
			d.Append("log", encodeEntries(rd.Entries))
		}
		wrote = true
	}
	if !rd.HardState.IsEmpty() {
		d.WriteFile("hs", encodeHardState(rd.HardState))
		wrote = true
	}
	return wrote
}

func (p *proc) snapIndex() uint64 {
	if p.snap == nil {
		return 0
	}
	return p.snap.Meta.Index
}

// finish sends, applies and advances a persisted Ready.
func (p *proc) finish(rd raft.Ready) {
	s := p.s
	for _, ss := range rd.RoleChanges {
		if ss.Role == raft.Leader {
			if other, ok := s.leaders[ss.Term]; ok && other != p.id {
				s.anomaly("election safety: %d and %d lead term %d", other, p.id, ss.Term)
			}
			s.leaders[ss.Term] = p.id
		}
	}
	for i := range rd.Messages {
		m := rd.Messages[i]
		if m.Type == raft.MsgSnap {
			s.snapsSent++
		}
		p.h.Send(int(m.To), &m)
	}
	if rd.Snapshot != nil {
		idx, hash := decodeSnapData(rd.Snapshot.Data)
		if idx != rd.Snapshot.Meta.Index {
			s.anomaly("node %d: snapshot data for %d labelled %d", p.id, idx, rd.Snapshot.Meta.Index)
		}
		p.checkHash(idx, hash)
		p.applied, p.hash = idx, hash
	}
	for _, e := range rd.CommittedEntries {
		if e.Index != p.applied+1 {
			s.anomaly("node %d: applies %d after %d", p.id, e.Index, p.applied)
		}
		p.applied = e.Index
		p.hash = mix(p.hash, e)
		p.checkHash(e.Index, p.hash)
		if e.Type == raft.EntryNormal && len(e.Data) > 0 {
			v := string(e.Data)
			if prev, ok := s.committed[v]; ok && prev != e.Index {
				s.anomaly("value %q applied at %d and %d", v, prev, e.Index)
			}
			s.committed[v] = e.Index
		}
	}
	if s.onRead != nil {
		for _, rs := range rd.ReadStates {
			s.onRead(p.id, rs)
		}
	}
	p.node.Advance()
	if s.snapEvery > 0 && p.applied >= p.snapIndex()+s.snapEvery {
		if err := p.node.Compact(p.applied, encodeSnapData(p.applied, p.hash)); err != nil {
			if !errors.Is(err, raft.ErrCompacted) { // a newer snapshot from the leader is on its way
				s.anomaly("node %d: compact: %v", p.id, err)
			}
			return
		}
		snap := p.node.Snapshot()
		keep := p.ents[snap.Meta.Index-p.snapIndex():]
		p.snap = snap
		p.ents = slices.Clone(keep)
		d := p.h.Disk()
		d.WriteFile("snap", encodeSnapshot(snap))
		d.WriteFile("log", encodeEntries(p.ents))
	}
}

func (p *proc) checkHash(index, hash uint64) {
	if h, ok := p.s.hashAt[index]; ok {
		if h != hash {
			p.s.anomaly("state machine safety: node %d state at %d differs", p.id, index)
		}
		return
	}
	p.s.hashAt[index] = hash
}

func mix(h uint64, e raft.Entry) uint64 {
	h ^= e.Term*0x9e3779b97f4a7c15 + e.Index
	for _, b := range e.Data {
		h = (h ^ uint64(b)) * 0x100000001b3
	}
	return h*0xff51afd7ed558ccd + uint64(e.Type)
}

// recover rebuilds Persisted from the disk files.
func (p *proc) recover() (raft.Persisted, error) {
	d := p.h.Disk()
	var ps raft.Persisted
	if b, ok := d.ReadFile("snap"); ok {
		snap, err := decodeSnapshot(b)
		if err != nil {
			return ps, err
		}
		p.snap = snap
		ps.Snapshot = snap
		p.applied, p.hash = decodeSnapData(snap.Data)
	}
	if b, ok := d.ReadFile("hs"); ok {
		ps.HardState = decodeHardState(b)
	}
	if b, ok := d.ReadFile("log"); ok {
		ents, err := decodeEntries(b)
		if err != nil {
			return ps, err
		}
		base := p.snapIndex() + 1
		for _, e := range ents {
			if e.Index < base {
				continue
			}
			k := int(e.Index - base)
			if k > len(p.ents) {
				return ps, fmt.Errorf("log gap at %d", e.Index)
			}
			p.ents = append(p.ents[:k], e)
		}
	}
	ps.Entries = slices.Clone(p.ents)
	return ps, nil
}

// Encodings: fixed-width little-endian, enough for a test host.

func encodeHardState(hs raft.HardState) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, hs.Term), hs.Vote), hs.Commit)
}

func decodeHardState(b []byte) raft.HardState {
	return raft.HardState{Term: binary.LittleEndian.Uint64(b), Vote: binary.LittleEndian.Uint64(b[8:]), Commit: binary.LittleEndian.Uint64(b[16:])}
}

func encodeEntries(ents []raft.Entry) []byte {
	var b []byte
	for _, e := range ents {
		b = binary.LittleEndian.AppendUint64(b, e.Term)
		b = binary.LittleEndian.AppendUint64(b, e.Index)
		b = append(b, byte(e.Type))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(e.Data)))
		b = append(b, e.Data...)
	}
	return b
}

func decodeEntries(b []byte) ([]raft.Entry, error) {
	var out []raft.Entry
	for len(b) > 0 {
		if len(b) < 21 {
			return nil, errors.New("torn log record")
		}
		e := raft.Entry{Term: binary.LittleEndian.Uint64(b), Index: binary.LittleEndian.Uint64(b[8:]), Type: raft.EntryType(b[16])}
		n := int(binary.LittleEndian.Uint32(b[17:]))
		if len(b) < 21+n {
			return nil, errors.New("torn log record")
		}
		e.Data = slices.Clone(b[21 : 21+n])
		out = append(out, e)
		b = b[21+n:]
	}
	return out, nil
}

func encodeSnapshot(s *raft.Snapshot) []byte {
	b := binary.LittleEndian.AppendUint64(nil, s.Meta.Index)
	b = binary.LittleEndian.AppendUint64(b, s.Meta.Term)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(s.Meta.ConfState.Voters)))
	for _, v := range s.Meta.ConfState.Voters {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return append(b, s.Data...)
}

func decodeSnapshot(b []byte) (*raft.Snapshot, error) {
	if len(b) < 20 {
		return nil, errors.New("short snapshot")
	}
	s := &raft.Snapshot{}
	s.Meta.Index = binary.LittleEndian.Uint64(b)
	s.Meta.Term = binary.LittleEndian.Uint64(b[8:])
	n := int(binary.LittleEndian.Uint32(b[16:]))
	b = b[20:]
	for range n {
		s.Meta.ConfState.Voters = append(s.Meta.ConfState.Voters, binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	s.Data = slices.Clone(b)
	return s, nil
}

func encodeSnapData(index, hash uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, index), hash)
}

func decodeSnapData(b []byte) (index, hash uint64) {
	return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
}

// --- driving and observing ---

// up returns the live, unpaused incarnation of id, or nil.
func (s *scenario) up(id uint64) *proc {
	h := s.w.Host(int(id))
	if h == nil || !h.Alive() || h.Paused() {
		return nil
	}
	return s.procs[id]
}

// leader returns the live node that leads in the highest term, 0 if none.
func (s *scenario) leader() uint64 {
	var best, bestTerm uint64
	for _, id := range s.ids {
		if p := s.up(id); p != nil {
			st := p.node.Status()
			if st.Role == raft.Leader && st.Term >= bestTerm {
				best, bestTerm = id, st.Term
			}
		}
	}
	return best
}

// run advances simulated time by d and fails on a simulator error or any
// anomaly.
func (s *scenario) run(d sim.Time) {
	s.t.Helper()
	require.NoError(s.t, s.w.Run(s.w.Now()+d))
	require.Empty(s.t, s.anomalies)
}

// waitLeader runs until a leader exists (and, with want != 0, it is want's
// peer group) or the bound passes.
func (s *scenario) waitLeader(bound sim.Time) uint64 {
	s.t.Helper()
	deadline := s.w.Now() + bound
	for s.w.Now() < deadline {
		if l := s.leader(); l != 0 {
			return l
		}
		s.run(tickInterval)
	}
	return 0
}

// waitNewLeader runs until a leader other than old exists, within bound.
func (s *scenario) waitNewLeader(old uint64, bound sim.Time) uint64 {
	s.t.Helper()
	deadline := s.w.Now() + bound
	for s.w.Now() < deadline {
		if l := s.leader(); l != 0 && l != old {
			return l
		}
		s.run(tickInterval)
	}
	return 0
}

// propose submits a fresh value at the current leader; "" if none.
func (s *scenario) propose() string {
	l := s.leader()
	if l == 0 {
		return ""
	}
	s.nextValue++
	v := "v" + strconv.Itoa(s.nextValue)
	idx, term, err := s.procs[l].node.Propose([]byte(v))
	if err != nil {
		return ""
	}
	s.proposed[v] = proposal{idx, term}
	s.procs[l].pump()
	return v
}

// commit proposes a value and runs until it is applied somewhere, within bound.
func (s *scenario) commit(bound sim.Time) (string, bool) {
	s.t.Helper()
	deadline := s.w.Now() + bound
	for s.w.Now() < deadline {
		v := s.propose()
		for v != "" && s.w.Now() < deadline {
			if _, ok := s.committed[v]; ok {
				return v, true
			}
			s.run(tickInterval)
			if l := s.leader(); l == 0 || s.procs[l].node.Status().Term != s.proposed[v].term {
				break // leadership changed: propose again
			}
		}
		if v == "" {
			s.run(tickInterval)
		}
	}
	return "", false
}

// appliedBy reports whether live node id has applied value v.
func (s *scenario) appliedBy(id uint64, v string) bool {
	p := s.up(id)
	idx, ok := s.committed[v]
	return p != nil && ok && p.applied >= idx
}

// converge runs until every live voter applied everything the leader
// committed, within bound.
func (s *scenario) converge(bound sim.Time) bool {
	s.t.Helper()
	deadline := s.w.Now() + bound
	for s.w.Now() < deadline {
		s.run(tickInterval)
		l := s.leader()
		if l == 0 {
			continue
		}
		st := s.procs[l].node.Status()
		done := st.Commit == st.LastIndex
		for _, v := range st.Voters {
			p := s.up(v)
			if p == nil || p.applied < st.Commit {
				done = false
			}
		}
		if done {
			return true
		}
	}
	return false
}

func (s *scenario) crash(id uint64)   { s.w.Host(int(id)).Crash() }
func (s *scenario) restart(id uint64) { s.w.Host(int(id)).Restart(0) }

func (s *scenario) isolate(id uint64) {
	for _, o := range s.ids {
		if o != id {
			require.NoError(s.t, s.w.Net().Block(int(id), int(o)))
			require.NoError(s.t, s.w.Net().Block(int(o), int(id)))
		}
	}
}

func (s *scenario) partition(groups ...[]uint64) {
	var gs [][]int
	for _, g := range groups {
		var out []int
		for _, id := range g {
			out = append(out, int(id))
		}
		gs = append(gs, out)
	}
	s.w.Net().Heal()
	require.NoError(s.t, s.w.Net().Partition(gs...))
}

func (s *scenario) heal() { s.w.Net().Heal() }
