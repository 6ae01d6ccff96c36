package kvstore

import "github.com/raftcheck/raftcheck/raft"

// ReadMode selects how a server serves OpGet.
type ReadMode uint8

// Read modes.
const (
	// ReadIndex (default): the leader confirms leadership with a heartbeat round
	// (raft ReadIndex) and answers once it has applied the read index.
	ReadIndex ReadMode = iota
	// ReadLog: reads go through the log like writes.
	ReadLog
	// ReadLease: the leader answers under its lease (needs CheckQuorum; safe only
	// while clock drift stays within the bound documented in raft).
	ReadLease
	// ReadLocal is deliberately UNSAFE, a teaching mode: any node answers from its
	// local state. The linearizability checker must catch it.
	ReadLocal
)

// String returns the CLI name of the mode.
func (m ReadMode) String() string {
	switch m {
	case ReadIndex:
		return "readindex"
	case ReadLog:
		return "log"
	case ReadLease:
		return "lease"
	case ReadLocal:
		return "local"
	}
	return "unknown"
}

// Bugs are planted, deliberately unsafe server defects (all off by default).
// They live in the host, not in the protocol, so they act on any Raft the
// server drives.
type Bugs struct {
	StaleLocalRead bool // the leader answers reads from local state, no ReadIndex/lease
	NoDedup        bool // the state machine ignores sessions: retries apply twice
	AckBeforeFsync bool // messages and replies go out before the Ready is synced
	// NoPersistVote: the hard state written to disk never carries the vote.
	// A node that crashes after voting forgets its vote and may vote again
	// in the same term: two leaders in one term.
	NoPersistVote bool
	// NoPersistTerm: the hard state written to disk never carries a term
	// above the one the node booted with. After a crash the node is back in
	// an old term, with a vote that does not belong to it.
	NoPersistTerm bool
	// LeaseWallClock: the leader turns its read lease into a deadline on its
	// local wall clock and, once deposed, keeps answering reads until that
	// clock passes it; a clock stepped back stretches a lease that has ended.
	LeaseWallClock bool
}

// ServerConfig configures one replica. A node's network address equals its raft id.
type ServerConfig struct {
	ID     uint64
	Voters []uint64 // initial voters for a fresh cluster
	Join   bool     // joining an existing cluster with an empty disk

	// Raft is the protocol configuration template; the server fills in ID,
	// Voters and Join, and ReadOnly from ReadMode (ReadOnlyLeaseBased for
	// ReadLease, ReadOnlySafe otherwise). Raft.Rand must be set (the node's
	// private stream).
	Raft raft.Config
	// Consensus builds the node from Raft and what the server recovered from
	// disk: the Raft implementation under test. nil is the built-in
	// (raft.New).
	Consensus raft.Factory

	TickInterval int64 // local-clock nanoseconds between raft ticks
	// TickPhase delays the first tick (0: one TickInterval). Hosts that tick in
	// lockstep split votes forever in large clusters; a random phase per node
	// breaks the symmetry, as real clocks do.
	TickPhase     int64
	ReadMode      ReadMode
	SnapshotEvery uint64 // applied entries between snapshots; 0 disables snapshots
	MaxSessions   int    // session table bound; the least recently used session expires first (0: DefaultMaxSessions)
	MaxPending    int    // bound on proposals/reads waiting for an answer; excess → ErrDropped (0: DefaultMaxPending)

	Bugs     Bugs
	Observer Observer // nil: nothing observed
}

// Observer receives a server's observable protocol changes, in order, for the
// trace, the online invariant checker and the timeline. Slices passed in are
// only valid during the call.
type Observer interface {
	// RoleChanged: the node's role, term or known leader changed.
	RoleChanged(node uint64, role raft.Role, term, lead uint64)
	// LogAppended: entries were written to the node's log; any suffix from
	// entries[0].Index on was replaced.
	LogAppended(node uint64, entries []raft.Entry)
	// SnapshotInstalled: the node installed a snapshot received from a leader;
	// its log now starts after meta.Index.
	SnapshotInstalled(node uint64, meta raft.SnapshotMeta)
	// LogCompacted: the node took its own snapshot at meta.Index and dropped
	// the log prefix it covers. The log's contents did not change meaning.
	LogCompacted(node uint64, meta raft.SnapshotMeta)
	// Synced: hs (and every log write before it) is durable.
	Synced(node uint64, hs raft.HardState)
	// CommitAdvanced: the node's commit index changed to commit. It only
	// ever rises in a correct node; every change raft hands over is
	// reported, a fall included, so a checker can see one.
	CommitAdvanced(node uint64, commit uint64)
	// VoteGranted: the node sent candidate a granted vote (MsgVoteResp, not
	// a pre-vote) for term.
	VoteGranted(node uint64, term, candidate uint64)
	// Applied: the node's state machine applied e.
	Applied(node uint64, e raft.Entry)
	// Recovered: the node (re)started from its disk with this durable state
	// (all zero for an empty disk): the hard state, the snapshot's index, and
	// the log's last index and the term there (the snapshot's when the log
	// holds nothing after it). Called on every successful start, the first
	// boot included.
	Recovered(node uint64, hs raft.HardState, snapIndex, lastIndex, lastTerm uint64)
	// UnknownPeer: the node refused a message from a node outside its
	// configuration (a removed node, or one not yet added: expected around
	// membership changes, and counted so it is never silent).
	UnknownPeer(node uint64, from uint64, term uint64)
	// Anomaly: an impossible state or a protocol error, with context. In
	// simulation this is a found bug.
	Anomaly(node uint64, term uint64, err error)
}

// AnswerObserver is an optional extension of Observer, found by a type
// assertion so that Observers written before it keep compiling: an Observer
// that implements it also learns which applied entry each client answer
// came from, which is what an acknowledged-write check needs (a client told
// ok from an entry holds the cluster to that entry).
type AnswerObserver interface {
	// Answered: the node answered the client that proposed e from e's
	// application (whatever the result: a failed compare-and-set was
	// committed too). Called after Applied(node, e), once per answered
	// proposal.
	Answered(node uint64, e raft.Entry)
}
