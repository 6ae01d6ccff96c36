package raft

import "strconv"

// The consensus boundary: what a host (kvstore.Server, and through it the
// whole harness) may ask of a Raft implementation. The built-in *Node
// satisfies it; adapters for other libraries (raft/etcdraft for
// go.etcd.io/raft/v3) satisfy it by translating to and from their own types.
// Everything the harness knows about a node — roles, terms, votes, log
// entries, commits, snapshots — it learns from these calls and from the
// Ready they hand out, never from an implementation's internals.
//
// The contract, in the order a host acts:
//
//   - A host builds a node from exactly what it recovered from its disk
//     (Persisted) with a Factory, ticks it, steps the messages other nodes'
//     Readies sent, and proposes client commands and membership changes.
//   - Whenever HasReady is true the host takes one Ready and handles it in
//     the order Ready's comment gives: persist (and sync if MustSync), then
//     send, then apply, then Advance. Until Advance the host may keep
//     calling Tick, Step, Propose and the rest; it must not take another
//     Ready.
//   - The slices of a Ready stay valid until Advance; messages are sent
//     after the host copies them, and may be delivered to a peer's Step
//     any number of times (the network duplicates), in any order.
//   - An implementation never starts a goroutine, never reads a clock and
//     draws every random choice from Config.Rand: runs must be
//     reproducible from the seed.

// Consensus is one Raft peer as the host drives it. It is not safe for
// concurrent use: the host calls it from one thread.
type Consensus interface {
	// Tick advances the node's logical clock by one tick.
	Tick()
	// Step hands the node a message a peer's Ready sent. A message from a
	// node outside the configuration returns an error wrapping
	// ErrUnknownPeer (expected around membership changes); any other error
	// is a protocol anomaly.
	Step(m Message) error
	// Propose appends data to the log if this node leads, returning the
	// index and term the entry was placed at. A node that does not lead
	// returns ErrNotLeader; a leader that refuses for now returns
	// ErrProposalDropped. The entry may still be lost to a later leader;
	// the host learns its fate when the entry at that index is applied.
	Propose(data []byte) (index, term uint64, err error)
	// ProposeConfChange proposes a single-server membership change, like
	// Propose. It may refuse (ErrConfChangePending, ErrInvalidConfChange,
	// ErrNoCurrentTermCommit, ErrNotLeader).
	ProposeConfChange(cc ConfChange) (index, term uint64, err error)
	// ReadIndex asks for a linearizable read point; the answer comes in a
	// later Ready as ReadState{Context: ctx}. ctx is never reused by the
	// host. Errors as for Propose.
	ReadIndex(ctx uint64) error
	// TransferLeadership asks the leader to hand leadership to the voter
	// to. It returns ErrNotLeader on a node that does not lead.
	TransferLeadership(to uint64) error
	// HasReady reports whether a Ready is waiting.
	HasReady() bool
	// Ready returns the work the host must do; see Ready.
	Ready() Ready
	// Advance tells the node the last Ready was handled.
	Advance()
	// Compact records a snapshot of the application's state (data) at the
	// applied index and discards the log up to it. Called between Readies.
	// An index at or behind the node's snapshot is ErrCompacted: a newer
	// snapshot from the leader arrived meanwhile, and the host skips this
	// compaction (the next Ready brings that snapshot).
	Compact(index uint64, data []byte) error
	// Snapshot returns the latest snapshot (nil if none), carrying the
	// configuration in effect at its index. It may be one a leader sent that
	// the node took in Step but has not yet handed out in a Ready (the
	// built-in restores its log at once): a host compacting at its applied
	// index checks it first, and leaves compaction to after the Ready that
	// installs it.
	Snapshot() *Snapshot
	// Status returns the node's state for observers and reports.
	Status() Status
}

// Factory builds a node from what its host recovered from disk (see NewNode
// for the meaning of cfg and p). Each implementation provides one; the
// built-in's is New.
type Factory func(cfg Config, p Persisted) (Consensus, error)

// New is the built-in implementation's Factory.
func New(cfg Config, p Persisted) (Consensus, error) {
	n, err := NewNode(cfg, p)
	if err != nil {
		return nil, err // a nil *Node in a non-nil interface would hide the error
	}
	return n, nil
}

// LeaseReporter is implemented by a node that can say how long its read
// lease lasts. Only kvstore's LeaseWallClock planted bug needs it, so an
// implementation without it cannot host that bug.
type LeaseReporter interface {
	// LeaseTicksLeft returns how many more ticks the leader's read lease
	// lasts: 0 when it holds none.
	LeaseTicksLeft() uint64
}

var (
	_ Consensus     = (*Node)(nil)
	_ LeaseReporter = (*Node)(nil)
)

// AssertionFailure is implemented by what an implementation panics with when
// one of its own assertions fails: it found itself in a state it holds
// impossible (etcd's "tocommit(214) is out of range [lastIndex(213)]. Was the
// raft log corrupted, truncated, or lost?", the built-in's log compacted
// without a snapshot). In simulation that is a found bug, of the
// implementation or of the host whose damage it detected, and the harness
// reports it as such: an invalid verdict naming the node, its term and the
// message, with the seed. A panic with any other value is taken for a failure
// of raftcheck itself.
type AssertionFailure interface {
	error
	// FailedNode returns the node whose assertion failed and its term.
	FailedNode() (node, term uint64)
}

// AssertionError is what the built-in panics with when one of its
// assertions fails.
type AssertionError struct {
	Node, Term uint64
	Detail     string // what was impossible
}

// Error describes the failed assertion.
func (e *AssertionError) Error() string {
	return "raft: node " + strconv.FormatUint(e.Node, 10) + " (term " + strconv.FormatUint(e.Term, 10) + "): assertion failed: " + e.Detail
}

// FailedNode returns the node and its term.
func (e *AssertionError) FailedNode() (node, term uint64) { return e.Node, e.Term }

// assertionFailed panics with an *AssertionError for n when an impossible state is
// found.
func (n *Node) assertionFailed(detail string) {
	panic(&AssertionError{Node: n.id, Term: n.term, Detail: detail})
}

var _ AssertionFailure = (*AssertionError)(nil)
