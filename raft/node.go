package raft

import (
	"math/rand/v2"
	"slices"
	"strconv"
)

// Node is one Raft peer as a pure state machine: no I/O, no clock, no
// goroutines. The host ticks it, steps messages into it, and acts on its
// Ready (see Ready for the order). A Node is not safe for concurrent use.
type Node struct {
	id   uint64
	cfg  Config
	rand *rand.Rand

	term uint64
	vote uint64
	lead uint64
	role Role

	log  raftLog
	conf membership
	self int // position of id in conf.voters(), -1 when not a voter

	// Election timers, in ticks.
	electionElapsed   int
	heartbeatElapsed  int
	randomizedTimeout int
	ticks             uint64 // total ticks since start: the leader's lease clock
	snapRetryRounds   int    // heartbeat rounds before a snapshot is presumed lost
	votes             []int8 // candidate tally, aligned with voters: +1 granted, -1 rejected
	prs               []progress
	transferee        uint64 // leadership transfer target, None when idle
	leaseOff          bool   // a TimeoutNow went out this term: no lease reads
	bcastPending      bool   // proposals or a commit advance await a broadcast
	snapshot          *Snapshot
	pendingSnapshot   *Snapshot // received, not yet handed out in a Ready
	reads             readState
	bootQuiet         bool // CheckQuorum: booted and not yet waited a full election timeout
	amnesiac          bool // booted with no log: peers may remember an earlier incarnation of this id (see handleHeartbeat)

	// Ready bookkeeping.
	msgs, msgsSpare             []Message
	readStates, readStatesSpare []ReadState
	roleChanges                 []SoftState
	prevHS                      HardState
	prevSS                      SoftState
	outstanding                 bool // a Ready was handed out and not yet advanced
	rdLastIndex, rdLastTerm     uint64
	rdApplied                   uint64
	rdMsgs                      []Message
	rdReadStates                []ReadState
	rdRoleChanges               []SoftState

	scratch []uint64
}

// maxRoleChanges bounds Ready.RoleChanges; past it the latest change replaces
// the last slot, so the final state is always right.
const maxRoleChanges = 64

// NewNode validates cfg and builds a node from what its host recovered from
// disk. A zero Persisted is an empty disk: the node bootstraps a fresh
// cluster from cfg.Voters, or with cfg.Join waits to learn the configuration
// from a leader. With a non-empty Persisted, cfg.Voters and cfg.Join are
// ignored: the configuration comes from the snapshot and the log.
//
// A fresh cluster's log starts with one committed EntryConfChange (AddNode)
// per initial voter, at term 1, identical on every node; the application
// applies them like any configuration entry (it may ignore them).
func NewNode(cfg Config, p Persisted) (*Node, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := &Node{
		id:        cfg.ID,
		cfg:       cfg,
		rand:      cfg.Rand,
		self:      -1,
		bootQuiet: true,
	}
	n.snapRetryRounds = max(2, cfg.ElectionTicks/cfg.HeartbeatTicks)
	n.conf.reset(0, nil)
	empty := p.HardState.IsEmpty() && p.Snapshot == nil && len(p.Entries) == 0
	switch {
	case !empty:
		if err := n.restore(p); err != nil {
			return nil, err
		}
	case !cfg.Join:
		n.bootstrap(cfg.Voters)
	}
	// No log at boot: an empty disk under Join, or a joiner that crashed after
	// persisting a term but before it learned any entry. Either way peers may
	// remember an earlier incarnation of this id (see handleHeartbeat).
	n.amnesiac = n.log.lastIndex() == 0
	n.onConfChange()
	n.resetElectionTimer()
	n.prevSS = n.softState()
	return n, nil
}

// validate names the first bad field.
func (c *Config) validate() error {
	bad := func(field, why string) error {
		return &ConfigError{Field: field, Reason: why}
	}
	switch {
	case c.ID == None:
		return bad("ID", "must be non-zero")
	case c.HeartbeatTicks <= 0:
		return bad("HeartbeatTicks", "must be positive")
	case c.ElectionTicks <= c.HeartbeatTicks:
		return bad("ElectionTicks", "must be greater than HeartbeatTicks ("+strconv.Itoa(c.HeartbeatTicks)+")")
	case c.MaxInflightMsgs <= 0:
		return bad("MaxInflightMsgs", "must be positive")
	case c.MaxSizePerMsg == 0:
		return bad("MaxSizePerMsg", "must be positive")
	case c.MaxUncommittedEntries < 0:
		return bad("MaxUncommittedEntries", "must not be negative")
	case c.Rand == nil:
		return bad("Rand", "is required (the node's private random stream)")
	case c.ReadOnly != ReadOnlySafe && c.ReadOnly != ReadOnlyLeaseBased:
		return bad("ReadOnly", "unknown option "+strconv.Itoa(int(c.ReadOnly)))
	case c.ReadOnly == ReadOnlyLeaseBased && !c.CheckQuorum && !c.Bugs.LeaseWithoutCheckQuorum:
		return bad("ReadOnly", "lease-based reads require CheckQuorum")
	case c.ReadOnly == ReadOnlyLeaseBased && c.ElectionTicks < minLeaseElectionTicks:
		return bad("ElectionTicks", "lease-based reads need at least "+strconv.Itoa(minLeaseElectionTicks))
	}
	seen := make([]uint64, 0, len(c.Voters))
	for _, v := range c.Voters {
		if v == None {
			return bad("Voters", "contains the zero id")
		}
		if slices.Contains(seen, v) {
			return bad("Voters", "contains "+strconv.FormatUint(v, 10)+" twice")
		}
		seen = append(seen, v)
	}
	if !c.Join {
		if len(c.Voters) == 0 {
			return bad("Voters", "is empty and Join is not set")
		}
		if !slices.Contains(c.Voters, c.ID) {
			return bad("Voters", "does not contain ID "+strconv.FormatUint(c.ID, 10)+" (set Join to add a node)")
		}
	}
	return nil
}

// ConfigError is returned by NewNode for an invalid Config or Persisted.
type ConfigError struct {
	Field  string // e.g. "ElectionTicks", "Persisted.Entries"
	Reason string
}

// Error names the field.
func (e *ConfigError) Error() string { return "raft: invalid " + e.Field + ": " + e.Reason }

// bootstrap writes the initial configuration as committed entries at term 1.
func (n *Node) bootstrap(voters []uint64) {
	vs := slices.Clone(voters)
	slices.Sort(vs)
	n.term = 1
	for i, v := range vs {
		e := Entry{Term: 1, Index: uint64(i + 1), Type: EntryConfChange, Data: ConfChange{Type: AddNode, NodeID: v}.Marshal()}
		n.log.append(e)
		n.noteConfEntry(&e)
	}
	n.log.committed = n.log.lastIndex()
}

// restore rebuilds the node from its disk, checking that what the host read
// is a log Raft could have written.
func (n *Node) restore(p Persisted) error {
	bad := func(field, why string) error { return &ConfigError{Field: "Persisted." + field, Reason: why} }
	if s := p.Snapshot; s != nil {
		vs := s.Meta.ConfState.Voters
		if !wellFormedVoters(vs) {
			return bad("Snapshot.Meta.ConfState", "voters must be non-empty, non-zero and strictly ascending")
		}
		if s.Meta.Index == 0 || s.Meta.Term == 0 {
			return bad("Snapshot.Meta", "index and term must be non-zero")
		}
		n.log.restore(s.Meta.Index, s.Meta.Term)
		n.conf.reset(s.Meta.Index, slices.Clone(vs))
		n.snapshot = s
	}
	prevTerm := n.log.snapTerm
	for i := range p.Entries {
		e := &p.Entries[i]
		if want := n.log.snapIndex + 1 + uint64(i); e.Index != want {
			return bad("Entries", "entry "+strconv.Itoa(i)+" has index "+strconv.FormatUint(e.Index, 10)+", want "+strconv.FormatUint(want, 10))
		}
		if e.Term < prevTerm || e.Term == 0 {
			return bad("Entries", "entry at index "+strconv.FormatUint(e.Index, 10)+" has term "+strconv.FormatUint(e.Term, 10)+" after term "+strconv.FormatUint(prevTerm, 10))
		}
		prevTerm = e.Term
	}
	n.log.ents = slices.Clone(p.Entries)
	for i := range n.log.ents {
		if n.log.ents[i].Type == EntryConfChange {
			if err := n.noteConfEntry(&n.log.ents[i]); err != nil {
				return bad("Entries", "index "+strconv.FormatUint(n.log.ents[i].Index, 10)+": "+err.Error())
			}
		}
	}
	hs := p.HardState
	if hs.Commit > n.log.lastIndex() {
		return bad("HardState.Commit", strconv.FormatUint(hs.Commit, 10)+" is beyond the last index "+strconv.FormatUint(n.log.lastIndex(), 10))
	}
	n.term, n.vote = hs.Term, hs.Vote
	n.log.committed = max(hs.Commit, n.log.snapIndex)
	n.log.applied = n.log.snapIndex
	n.log.stabled = n.log.lastIndex()
	n.prevHS = hs
	return nil
}

// wellFormedVoters reports whether vs can be a snapshot's voter set:
// non-empty, without the zero id, and strictly ascending, the order every
// position lookup (searchID) relies on.
func wellFormedVoters(vs []uint64) bool {
	if len(vs) == 0 || vs[0] == None {
		return false
	}
	for i := 1; i < len(vs); i++ {
		if vs[i] <= vs[i-1] {
			return false
		}
	}
	return true
}

// noteConfEntry makes the configuration change in e take effect (on append).
func (n *Node) noteConfEntry(e *Entry) error {
	cc, err := UnmarshalConfChange(e.Data)
	if err != nil {
		return err
	}
	vs, ok := applyConfChange(n.conf.voters(), cc)
	if !ok {
		return ErrInvalidConfChange
	}
	n.conf.push(e.Index, vs)
	return nil
}

// onConfChange refreshes everything derived from the voter set.
func (n *Node) onConfChange() {
	voters := n.conf.voters()
	pos, ok := searchID(voters, n.id)
	if !ok {
		pos = -1
	}
	n.self = pos
	if cap(n.votes) < len(voters) {
		n.votes = make([]int8, len(voters))
		n.scratch = make([]uint64, len(voters))
	}
	n.votes = n.votes[:len(voters)]
	n.scratch = n.scratch[:len(voters)]
	if n.role == Leader {
		n.rebuildProgress(true)
	}
}

// quorum is the majority size of the current configuration.
func (n *Node) quorum() int { return len(n.conf.voters())/2 + 1 }

// position returns id's index in the voter set, -1 if it is not a voter.
func (n *Node) position(id uint64) int {
	pos, ok := searchID(n.conf.voters(), id)
	if !ok {
		return -1
	}
	return pos
}

func (n *Node) resetElectionTimer() {
	n.electionElapsed = 0
	n.randomizedTimeout = n.cfg.ElectionTicks + n.rand.IntN(n.cfg.ElectionTicks)
}

func (n *Node) softState() SoftState { return SoftState{Lead: n.lead, Role: n.role, Term: n.term} }

// noteSoftState records a role, term or leader change for Ready.RoleChanges.
func (n *Node) noteSoftState() {
	ss := n.softState()
	last := n.prevSS
	if k := len(n.roleChanges); k > 0 {
		last = n.roleChanges[k-1]
	}
	if ss == last {
		return
	}
	if len(n.roleChanges) == maxRoleChanges {
		n.roleChanges[maxRoleChanges-1] = ss
		return
	}
	n.roleChanges = append(n.roleChanges, ss)
}

// send queues m for the next Ready.
func (n *Node) send(m Message) {
	m.From = n.id
	n.msgs = append(n.msgs, m)
}
