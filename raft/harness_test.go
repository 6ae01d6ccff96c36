package raft

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// The harness is a deterministic in-memory cluster stepped by hand: messages
// wait in a FIFO queue until the test delivers them, nodes tick only when
// told, and every Ready is persisted to an in-memory disk exactly as the
// contract on Ready says. It checks election safety, state machine safety
// and the no-aliasing rule for messages as it goes.

type memDisk struct {
	hs      HardState
	snap    *Snapshot
	ents    []Entry
	applied uint64
}

func (d *memDisk) persisted() Persisted {
	return Persisted{HardState: d.hs, Snapshot: d.snap, Entries: slices.Clone(d.ents)}
}

func (d *memDisk) lastIndex() uint64 {
	base := uint64(0)
	if d.snap != nil {
		base = d.snap.Meta.Index
	}
	return base + uint64(len(d.ents))
}

type sentMsg struct {
	m    Message
	copy Message // deep copy at send time: the aliasing check
}

type cluster struct {
	t      testing.TB
	cfgs   map[uint64]Config
	nodes  map[uint64]*Node // nil while crashed
	disks  map[uint64]*memDisk
	queue  []sentMsg
	cut    map[[2]uint64]bool
	drop   [16]bool // drop every message of a type
	errs   []error
	reads  map[uint64][]ReadState
	leader map[uint64]uint64 // term -> leader seen (election safety)
	// applied records the entry each node applied at each index (state
	// machine safety), per index: the first node's entry.
	applied  map[uint64]Entry
	noCheck  bool // benchmarks skip the deep-copy aliasing check
	strictOK bool // fail the test on a Step error (other than ErrUnknownPeer)
	// With expectViolations, safety violations are recorded instead of
	// failing the test: the planted-bug tests assert they happen.
	expectViolations bool
	violations       []string
	livelocked       bool
}

func (c *cluster) violation(format string, args ...any) {
	if c.expectViolations {
		c.violations = append(c.violations, fmt.Sprintf(format, args...))
		return
	}
	c.t.Errorf(format, args...)
}

type option func(*Config)

func withPreVote(on bool) option     { return func(c *Config) { c.PreVote = on } }
func withCheckQuorum(on bool) option { return func(c *Config) { c.CheckQuorum = on } }
func withBugs(b Bugs) option         { return func(c *Config) { c.Bugs = b } }
func withLease() option              { return func(c *Config) { c.ReadOnly = ReadOnlyLeaseBased } }
func withInflight(k int) option      { return func(c *Config) { c.MaxInflightMsgs = k } }
func withMaxSize(s uint64) option    { return func(c *Config) { c.MaxSizePerMsg = s } }

func testConfig(id uint64, voters []uint64, opts ...option) Config {
	c := Config{
		ID:              id,
		Voters:          voters,
		ElectionTicks:   10,
		HeartbeatTicks:  1,
		PreVote:         true,
		CheckQuorum:     true,
		MaxInflightMsgs: 256,
		MaxSizePerMsg:   1 << 20,
		Rand:            rand.New(rand.NewPCG(id, 42)),
	}
	for _, o := range opts {
		o(&c)
	}
	return c
}

func ids(n int) []uint64 {
	out := make([]uint64, n)
	for i := range out {
		out[i] = uint64(i + 1)
	}
	return out
}

// newCluster starts n fresh nodes 1..n.
func newCluster(t testing.TB, n int, opts ...option) *cluster {
	c := &cluster{
		t:        t,
		cfgs:     map[uint64]Config{},
		nodes:    map[uint64]*Node{},
		disks:    map[uint64]*memDisk{},
		cut:      map[[2]uint64]bool{},
		reads:    map[uint64][]ReadState{},
		leader:   map[uint64]uint64{},
		applied:  map[uint64]Entry{},
		strictOK: true,
	}
	for _, id := range ids(n) {
		c.add(testConfig(id, ids(n), opts...))
	}
	return c
}

// add starts a node with an empty disk.
func (c *cluster) add(cfg Config) *Node {
	c.t.Helper()
	nd, err := NewNode(cfg, Persisted{})
	require.NoError(c.t, err)
	nd.bootQuiet = false // as if an election timeout had passed since boot
	c.cfgs[cfg.ID] = cfg
	c.nodes[cfg.ID] = nd
	c.disks[cfg.ID] = &memDisk{}
	return nd
}

func (c *cluster) sortedIDs() []uint64 {
	out := make([]uint64, 0, len(c.cfgs))
	for id := range c.cfgs {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// handle persists, sends and applies one node's Ready, then advances.
func (c *cluster) handle(id uint64) bool {
	nd := c.nodes[id]
	if nd == nil || !nd.HasReady() {
		return false
	}
	rd := nd.Ready()
	d := c.disks[id]
	for _, ss := range rd.RoleChanges {
		if ss.Role == Leader {
			if other, ok := c.leader[ss.Term]; ok && other != id {
				c.violation("election safety: nodes %d and %d both lead term %d", other, id, ss.Term)
			}
			c.leader[ss.Term] = id
		}
	}
	if rd.SoftState != nil && len(rd.RoleChanges) > 0 {
		require.Equal(c.t, rd.RoleChanges[len(rd.RoleChanges)-1], *rd.SoftState)
	}
	if !rd.HardState.IsEmpty() {
		d.hs = rd.HardState
	}
	if rd.Snapshot != nil {
		d.snap = rd.Snapshot
		d.ents = nil
	}
	if len(rd.Entries) > 0 {
		first := rd.Entries[0].Index
		base := uint64(1)
		if d.snap != nil {
			base = d.snap.Meta.Index + 1
		}
		require.LessOrEqual(c.t, first, d.lastIndex()+1, "node %d: Ready.Entries leave a gap", id)
		require.GreaterOrEqual(c.t, first, base, "node %d: Ready.Entries rewrite the snapshot", id)
		d.ents = append(d.ents[:first-base], rd.Entries...)
	}
	for _, m := range rd.Messages {
		sm := sentMsg{m: m}
		if !c.noCheck {
			sm.copy = deepCopy(m)
		}
		c.queue = append(c.queue, sm)
	}
	if rd.Snapshot != nil {
		d.applied = rd.Snapshot.Meta.Index
	}
	for _, e := range rd.CommittedEntries {
		require.Equal(c.t, d.applied+1, e.Index, "node %d applies out of order", id)
		d.applied = e.Index
		if prev, ok := c.applied[e.Index]; ok {
			if prev.Term != e.Term || string(prev.Data) != string(e.Data) {
				c.violation("state machine safety: index %d applied as term %d %q and term %d %q", e.Index, prev.Term, prev.Data, e.Term, e.Data)
			}
		} else {
			c.applied[e.Index] = e
		}
	}
	c.reads[id] = append(c.reads[id], rd.ReadStates...)
	nd.Advance()
	c.checkInvariants(nd)
	return true
}

func deepCopy(m Message) Message {
	out := m
	if m.Entries != nil {
		out.Entries = make([]Entry, len(m.Entries))
		for i, e := range m.Entries {
			e.Data = slices.Clone(e.Data)
			out.Entries[i] = e
		}
	}
	return out
}

// flushReady handles every node's Ready (queueing their messages).
func (c *cluster) flushReady() bool {
	any := false
	for _, id := range c.sortedIDs() {
		for c.handle(id) {
			any = true
		}
	}
	return any
}

// deliverOne delivers the oldest queued message; false when none.
func (c *cluster) deliverOne() bool {
	if len(c.queue) == 0 {
		return false
	}
	sm := c.queue[0]
	c.queue = c.queue[1:]
	c.deliver(sm)
	return true
}

func (c *cluster) deliver(sm sentMsg) {
	m := sm.m
	if !c.noCheck && !reflect.DeepEqual(m, sm.copy) {
		c.t.Fatalf("aliasing: message %v from %d to %d changed after it was sent", m.Type, m.From, m.To)
	}
	nd := c.nodes[m.To]
	if nd == nil || c.cut[[2]uint64{m.From, m.To}] || c.drop[m.Type] {
		return
	}
	if err := nd.Step(m); err != nil {
		c.errs = append(c.errs, err)
		if c.strictOK && !errors.Is(err, ErrUnknownPeer) {
			c.t.Fatalf("node %d Step(%v from %d): %v", m.To, m.Type, m.From, err)
		}
	}
	c.checkInvariants(nd)
}

func (c *cluster) checkInvariants(nd *Node) {
	if err := nd.checkInvariants(); err != nil && !c.expectViolations {
		c.t.Fatal(err)
	}
}

// stabilize runs Ready handling and delivery until nothing moves. A correct
// cluster always settles; under a planted bug (expectViolations) a livelock
// is possible and ends the loop quietly.
func (c *cluster) stabilize() {
	c.t.Helper()
	for budget := 200000; budget > 0; budget-- {
		c.flushReady()
		if !c.deliverOne() {
			c.flushReady()
			if len(c.queue) == 0 {
				return
			}
		}
	}
	if c.expectViolations {
		c.livelocked = true
		c.queue = nil
		return
	}
	for i, sm := range c.queue {
		if i > 20 {
			break
		}
		c.t.Logf("queued %+v", sm.m)
	}
	c.t.Fatal("cluster did not stabilize")
}

// tick ticks every live node once and stabilizes.
func (c *cluster) tick(k int) {
	for range k {
		for _, id := range c.sortedIDs() {
			if nd := c.nodes[id]; nd != nil {
				nd.Tick()
				c.checkInvariants(nd)
			}
		}
		c.stabilize()
	}
}

// campaign makes id start an election now (like a timeout) and stabilizes.
func (c *cluster) campaign(id uint64) {
	nd := c.nodes[id]
	if nd.cfg.PreVote {
		nd.campaign(campaignPreElection)
	} else {
		nd.campaign(campaignElection)
	}
	c.stabilize()
}

// elect campaigns id and requires it to win.
func (c *cluster) elect(id uint64) *Node {
	c.t.Helper()
	c.campaign(id)
	require.Equal(c.t, Leader, c.nodes[id].role, "node %d did not win", id)
	return c.nodes[id]
}

func (c *cluster) propose(id uint64, data string) uint64 {
	c.t.Helper()
	idx, _, err := c.nodes[id].Propose([]byte(data))
	require.NoError(c.t, err)
	c.stabilize()
	return idx
}

// isolate cuts id off from every other node in both directions.
func (c *cluster) isolate(id uint64) {
	for _, o := range c.sortedIDs() {
		if o != id {
			c.cut[[2]uint64{id, o}] = true
			c.cut[[2]uint64{o, id}] = true
		}
	}
}

// partition splits the nodes into groups that cannot talk to each other.
func (c *cluster) partition(groups ...[]uint64) {
	for i, g := range groups {
		for j, h := range groups {
			if i == j {
				continue
			}
			for _, a := range g {
				for _, b := range h {
					c.cut[[2]uint64{a, b}] = true
				}
			}
		}
	}
}

func (c *cluster) heal() { c.cut = map[[2]uint64]bool{} }

// crash loses the node's volatile state (its disk holds every handled Ready).
func (c *cluster) crash(id uint64) { c.nodes[id] = nil }

func (c *cluster) restart(id uint64) *Node {
	c.t.Helper()
	d := c.disks[id]
	nd, err := NewNode(c.cfgs[id], d.persisted())
	require.NoError(c.t, err)
	// The state machine is rebuilt from the snapshot; the log replays.
	d.applied = 0
	if d.snap != nil {
		d.applied = d.snap.Meta.Index
	}
	c.nodes[id] = nd
	return nd
}

// leaderID returns the live leader with the highest term, 0 if none.
func (c *cluster) leaderID() uint64 {
	var best, bestTerm uint64
	for _, id := range c.sortedIDs() {
		if nd := c.nodes[id]; nd != nil && nd.role == Leader && nd.term >= bestTerm {
			best, bestTerm = id, nd.term
		}
	}
	return best
}

// queued returns the queued messages of a type (optionally to one node).
func (c *cluster) queued(t MessageType, to uint64) []Message {
	var out []Message
	for _, sm := range c.queue {
		if sm.m.Type == t && (to == None || sm.m.To == to) {
			out = append(out, sm.m)
		}
	}
	return out
}

// edit rewrites queued messages matching pred (a network that delivers only
// part of what was sent, for example).
func (c *cluster) edit(pred func(*Message) bool, f func(*Message)) {
	for i := range c.queue {
		if pred(&c.queue[i].m) {
			f(&c.queue[i].m)
			c.queue[i].copy = deepCopy(c.queue[i].m)
		}
	}
}

// takeMsgs handles nd's Ready and returns its messages without queueing them.
func takeMsgs(t testing.TB, nd *Node) []Message {
	t.Helper()
	if !nd.HasReady() {
		return nil
	}
	rd := nd.Ready()
	out := slices.Clone(rd.Messages)
	nd.Advance()
	return out
}

// newNode builds a lone node for unit tests of single rules.
func newNode(t testing.TB, id uint64, voters []uint64, opts ...option) *Node {
	t.Helper()
	nd, err := NewNode(testConfig(id, voters, opts...), Persisted{})
	require.NoError(t, err)
	nd.bootQuiet = false
	takeMsgs(t, nd) // the bootstrap Ready
	return nd
}

// restoreNode builds a node from a given log and hard state.
func restoreNode(t testing.TB, id uint64, voters []uint64, terms []uint64, hs HardState, opts ...option) *Node {
	t.Helper()
	ents := bootstrapEntries(voters)
	for _, tm := range terms {
		ents = append(ents, Entry{Term: tm, Index: uint64(len(ents) + 1)})
	}
	if hs.Commit == 0 {
		hs.Commit = uint64(len(voters))
	}
	nd, err := NewNode(testConfig(id, voters, opts...), Persisted{HardState: hs, Entries: ents})
	require.NoError(t, err)
	nd.bootQuiet = false
	return nd
}

// bootstrapEntries is the log prefix every fresh cluster starts with.
func bootstrapEntries(voters []uint64) []Entry {
	var ents []Entry
	for i, v := range voters {
		ents = append(ents, Entry{Term: 1, Index: uint64(i + 1), Type: EntryConfChange, Data: ConfChange{Type: AddNode, NodeID: v}.Marshal()})
	}
	return ents
}

func logTerms(nd *Node) []uint64 {
	var out []uint64
	for i := nd.log.firstIndex(); i <= nd.log.lastIndex(); i++ {
		tm, _ := nd.log.term(i)
		out = append(out, tm)
	}
	return out
}

func errStrings(errs []error) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}
