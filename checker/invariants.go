package checker

import (
	"fmt"
	"time"
)

// Invariant names, as in [Violation].Invariant.
const (
	// ElectionSafety: at most one leader per term (Raft §5.2).
	ElectionSafety = "election-safety"
	// LogMatching: two logs with an entry of the same index and term hold the
	// same entry there and identical entries before it (§5.3).
	LogMatching = "log-matching"
	// LeaderAppendOnly: a leader never overwrites or deletes entries in its
	// log during its term; it only appends (§5.3).
	LeaderAppendOnly = "leader-append-only"
	// LeaderCompleteness: a leader of term T holds every entry committed in
	// a term before T (§5.4).
	LeaderCompleteness = "leader-completeness"
	// AckLost (acknowledged-entry-lost, declared with its rule in
	// invariants_ack.go): an entry the cluster acknowledged as committed
	// disappears from, or changes in, a node's log.
	// StateMachineSafety: no two nodes apply different entries at one index,
	// and a node applies only committed entries, each once (§5.4.3).
	StateMachineSafety = "state-machine-safety"
	// CommitSafety: no two nodes commit different entries at one index, and
	// no node replaces an entry it had committed.
	CommitSafety = "commit-safety"
	// MonotonicTerm: a node's term never decreases while it runs, nor does
	// its durable term ever.
	MonotonicTerm = "monotonic-term"
	// MonotonicCommit: a node's commit index never decreases while it runs.
	MonotonicCommit = "monotonic-commit"
	// DurableState: a node restarts with at least the term, and in that term
	// the vote, it had durably recorded, and with the log it had synced
	// (§5.1: persist before responding). A disk the run damaged or wiped on
	// purpose is not held to it.
	DurableState = "durable-state"
	// SingleVote: a node votes for at most one candidate per term (§5.2):
	// neither its durable votes nor the vote replies it sends (remembered or
	// not) name two candidates in one term.
	SingleVote = "single-vote"
	// Observation: the reported changes are impossible for any Raft node (a
	// gap in a log, a commit beyond the log's end, a role change while
	// crashed). Either the node or the wiring that reports it is broken.
	Observation = "observation"
)

// Violation is the first breach of one invariant, with its evidence.
type Violation struct {
	Invariant string   `json:"invariant"`
	Time      int64    `json:"time"`  // virtual nanoseconds
	Nodes     []int    `json:"nodes"` // the nodes involved
	Terms     []uint64 `json:"terms"` // the terms involved, in the order of Nodes where it applies
	Index     uint64   `json:"index,omitempty"`
	Evidence  string   `json:"evidence"` // a sentence with the numbers
	Count     int      `json:"count"`    // how many times the invariant was breached in all
}

// String is the violation as a verdict reason: "<invariant> at <time>:
// <evidence>".
func (v Violation) String() string {
	return fmt.Sprintf("%s at %v: %s", v.Invariant, time.Duration(v.Time), v.Evidence)
}

// Entry is one log entry as the invariant checker sees it. Digest identifies
// the entry's content (type and data); it must be computed the same way for
// every node and for [Invariants.Apply].
type Entry struct {
	Index, Term, Digest uint64
	// Conf is what the entry does to the configuration, nil for an entry
	// that is not a configuration entry (see ConfDivergence).
	Conf *ConfChange
}

// Recovered is what a node rebuilt from its disk on restart.
type Recovered struct {
	Term, Vote, Commit uint64 // durable hard state
	SnapIndex          uint64 // the log starts after this index
	LastIndex          uint64 // last index in the recovered log
	// LastTerm is the term of the entry at LastIndex (the snapshot's term
	// when the log is empty after it). With LastIndex it tells apart two
	// equally long logs a crash may have left; 0 with LastIndex > 0 means
	// unknown (then only the index is matched).
	LastTerm uint64
}

// Invariants checks Raft's safety properties online, from each node's
// observable changes, as a run goes. Call its methods in time order, and for
// one node in the order the node's state changes: role change, then log
// writes (Append, Snapshot), then Durable, Vote, Commit, Apply — the order
// of a Ready. Memory grows with the longest log and the number of terms; each
// call costs O(entries it carries) amortized.
//
// The zero value is not ready; use [NewInvariants].
type Invariants struct {
	nodes   []*nodeState
	idx     [][]indexRec // by log index in blocks of indexBlock (index 0 unused)
	more    map[uint64][]seenRec
	leaders map[uint64]leaderRec // term → its leader
	maxComm uint64               // highest committed index recorded
	roles   RoleTimeline
	now     int64

	// Configurations (invariants_conf.go): the semantics declared, every
	// configuration entry written (by index, with its indices sorted), and
	// the configuration the first node to apply each one reached.
	confSem      ConfSemantics
	confs        map[uint64][]confEntry
	confIdx      []uint64
	appliedConfs map[uint64]appliedConf

	found []Violation
	slot  map[string]int // invariant → position in found
}

// NewInvariants returns a checker with no nodes seen yet.
func NewInvariants() *Invariants {
	return &Invariants{
		more:    make(map[uint64][]seenRec),
		leaders: make(map[uint64]leaderRec),
		slot:    make(map[string]int),
	}
}

// Violations returns the first violation of each breached invariant, in the
// order they were found.
func (c *Invariants) Violations() []Violation {
	return append([]Violation(nil), c.found...)
}

// Roles returns the role timeline built from the Role, Crash and Restart
// calls, for explanations and liveness.
func (c *Invariants) Roles() *RoleTimeline { return &c.roles }

// violate records a breach; only the first of each invariant keeps its
// evidence, later ones are counted.
func (c *Invariants) violate(inv string, t int64, nodes []int, terms []uint64, index uint64, format string, args ...any) {
	if i, ok := c.slot[inv]; ok {
		c.found[i].Count++
		return
	}
	c.slot[inv] = len(c.found)
	c.found = append(c.found, Violation{
		Invariant: inv,
		Time:      t,
		Nodes:     nodes,
		Terms:     terms,
		Index:     index,
		Evidence:  fmt.Sprintf(format, args...),
		Count:     1,
	})
}

// Violated reports whether inv has been breached.
func (c *Invariants) Violated(inv string) bool {
	_, ok := c.slot[inv]
	return ok
}

// node returns the state of node id at time t, or nil (after recording an
// observation) when the id is out of range or time went backwards.
func (c *Invariants) node(t int64, id int) *nodeState {
	if id < 0 || id >= MaxNode {
		c.violate(Observation, t, []int{id}, nil, 0, "node id %d is out of range [0, %d)", id, MaxNode)
		return nil
	}
	if t < c.now {
		c.violate(Observation, t, []int{id}, nil, 0, "node %d reported a change at %v, before the previous report at %v", id, time.Duration(t), time.Duration(c.now))
	}
	c.now = max(c.now, t)
	for len(c.nodes) <= id {
		c.nodes = append(c.nodes, nil)
	}
	if c.nodes[id] == nil {
		n := &nodeState{id: id, base: genesisChain, role: RoleFollower}
		n.confWipe() // a node first seen starts from an empty log
		c.nodes[id] = n
	}
	return c.nodes[id]
}

// live returns node id's state for a change only a running node can make,
// or nil (after recording an observation) when the node is down or the id
// is bad.
func (c *Invariants) live(t int64, id int, what string) *nodeState {
	n := c.node(t, id)
	if n != nil && n.down {
		c.violate(Observation, t, []int{id}, []uint64{n.term}, 0, "node %d %s while crashed (no restart was reported)", id, what)
		return nil
	}
	return n
}

// voteRec is a vote a node granted.
type voteRec struct {
	candidate uint64
	t         int64
}

type leaderRec struct {
	node int
	t    int64
}

// nodeState is what the checker knows of one node.
type nodeState struct {
	id   int
	role string
	down bool
	term uint64 // highest term seen in this incarnation
	lead uint64 // the term it leads, 0 when not leader

	durKnown        bool
	durTerm, durVot uint64
	durAt           int64

	// votes is every vote the node was seen to grant (a vote reply sent),
	// term → candidate. It outlives restarts: a vote, once sent, counts
	// whether or not the node remembers it.
	votes map[uint64]voteRec
	// corrupt: the run damaged the node's disk on purpose since its last
	// start, so its next restart is not held to the log it had synced.
	corrupt bool

	commit  uint64
	applied uint64
	// applyMax is the highest index this incarnation applied by Apply (not
	// by a snapshot install, which is reported before it is durable).
	applyMax uint64

	// The log holds indices first+1 .. first+len(log). base is the chain
	// hash of the entry at first (0: unknown, prefix checks are skipped).
	first     uint64
	firstTerm uint64
	base      uint64
	log       []logRec
	unsynced  undoLog // writes since the last sync, which a crash may lose

	conf nodeConf
}

type logRec struct {
	term, digest uint64
	chain        uint64 // hash of the log up to and including this entry
}

func (n *nodeState) last() uint64 { return n.first + uint64(len(n.log)) }

func (n *nodeState) at(i uint64) *logRec {
	if i <= n.first || i > n.last() {
		return nil
	}
	return &n.log[i-n.first-1]
}

// termAt is the term of the entry at index i, the log's base included (0 when
// the log does not hold it).
func (n *nodeState) termAt(i uint64) uint64 {
	if i == n.first {
		return n.firstTerm
	}
	if r := n.at(i); r != nil {
		return r.term
	}
	return 0
}

// chainAt is the chain hash of the log up to index i (0 when unknown).
func (n *nodeState) chainAt(i uint64) uint64 {
	if i == n.first {
		return n.base
	}
	if r := n.at(i); r != nil {
		return r.chain
	}
	return 0
}

// genesisChain is the chain hash of the empty log.
const genesisChain = 1

// extendChain hashes one more entry onto a log's chain hash; an unknown
// prefix (0) stays unknown.
func extendChain(prev, term, digest uint64) uint64 {
	if prev == 0 {
		return 0
	}
	h := mix64(prev ^ mix64(term^0x9e3779b97f4a7c15) ^ mix64(digest+0x632be59bd9b4e019))
	if h == 0 {
		h = 1
	}
	return h
}

// indexRec is what the cluster as a whole has done at one log index.
type indexRec struct {
	seen      seenRec // the first entry any node wrote here
	committed commitRec
	applied   applyRec
}

type seenRec struct {
	term, digest, chain uint64
	node                int
	set                 bool
}

type commitRec struct {
	term, digest, chain uint64
	// in is the term in which the entry was first seen committed: the
	// committing node's term then (at least the entry's own term).
	in   uint64
	node int
	t    int64
	set  bool
	// The lowest term whose leader reported the commit (see AckLost), and
	// the first client acknowledgement (Acknowledged).
	leadSet  bool
	leadTerm uint64
	leadNode int
	leadT    int64
	acked    bool
	ackNode  int
	ackT     int64
}

type applyRec struct {
	term, digest uint64
	node         int
	t            int64
	set          bool
}
