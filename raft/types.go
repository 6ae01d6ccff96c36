package raft

// This file is the contract between raft and its callers (kvstore, the invariant
// checker via kvstore's observer, tests). Extend it freely; do not change the
// meaning of existing fields without updating every caller.

// None is the zero node id: "no leader", "no vote".
const None uint64 = 0

// Role is a node's role in the protocol.
type Role uint8

// Roles, in the order a node moves through them during an election.
const (
	Follower Role = iota
	PreCandidate
	Candidate
	Leader
)

// String returns the lower-case role name used in traces and reports.
func (r Role) String() string {
	switch r {
	case Follower:
		return "follower"
	case PreCandidate:
		return "precandidate"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	}
	return "unknown"
}

// EntryType says how the application must treat an entry's Data.
type EntryType uint8

// Entry types.
const (
	// EntryNormal carries application data; an empty Data is the no-op a new leader appends.
	EntryNormal EntryType = iota
	// EntryConfChange carries an encoded ConfChange.
	EntryConfChange
)

// Entry is one log entry.
type Entry struct {
	Term  uint64
	Index uint64
	Type  EntryType
	Data  []byte
}

// ConfChangeType is the kind of a single-server membership change.
type ConfChangeType uint8

// Membership change kinds.
const (
	AddNode ConfChangeType = iota
	RemoveNode
)

// ConfChange is a single-server membership change proposed through the log.
type ConfChange struct {
	Type   ConfChangeType
	NodeID uint64
}

// ConfState is the set of voters in effect at some log position.
type ConfState struct {
	Voters []uint64 // sorted ascending
}

// SnapshotMeta identifies what a snapshot covers.
type SnapshotMeta struct {
	Index     uint64
	Term      uint64
	ConfState ConfState
}

// Snapshot is an application state image covering the log up to Meta.Index.
type Snapshot struct {
	Meta SnapshotMeta
	Data []byte
}

// HardState is the state a node must persist before it sends the messages of a Ready.
type HardState struct {
	Term   uint64
	Vote   uint64
	Commit uint64
}

// IsEmpty reports whether hs is the zero HardState.
func (hs HardState) IsEmpty() bool { return hs == HardState{} }

// MessageType identifies a protocol message.
type MessageType uint8

// Message types. Local-only requests (propose, tick) are methods on Node, not messages.
const (
	MsgApp MessageType = iota // AppendEntries
	MsgAppResp
	MsgVote
	MsgVoteResp
	MsgPreVote
	MsgPreVoteResp
	MsgHeartbeat
	MsgHeartbeatResp
	MsgSnap       // InstallSnapshot
	MsgSnapStatus // reserved; unused on the wire today
	MsgTimeoutNow // leadership transfer: start an election now, ignoring PreVote and leases
	MsgReadIndex  // follower forwards a ReadIndex request to the leader
	MsgReadIndexResp
	// Types other implementations put on the wire (the built-in never does).
	MsgProp           // a follower forwards a proposal to the leader
	MsgTransferLeader // a follower forwards a leadership transfer request to the leader
	MsgOther          // any other type of another implementation
)

// Message is one protocol message. Fields not used by a type are zero.
type Message struct {
	Type MessageType
	From uint64
	To   uint64
	Term uint64

	// MsgApp: LogTerm/Index identify the entry preceding Entries.
	// MsgVote/MsgPreVote: LogTerm/Index are the candidate's last entry.
	// MsgAppResp: Index is the follower's match index on success, or the rejected index.
	LogTerm uint64
	Index   uint64
	Entries []Entry
	Commit  uint64

	// MsgAppResp / MsgVoteResp / MsgPreVoteResp.
	Reject bool
	// MsgAppResp on reject: fast-backup hint. HintTerm is the term of the follower's
	// entry at the conflicting index (0 if its log is shorter), and RejectHint the first
	// index the follower holds with that term (or its last index + 1 if shorter).
	RejectHint uint64
	HintTerm   uint64

	// MsgSnap.
	Snapshot *Snapshot

	// MsgHeartbeat / MsgHeartbeatResp / MsgReadIndex / MsgReadIndexResp: the read
	// request context being confirmed. (This implementation puts the leader's
	// heartbeat round number in MsgHeartbeat/MsgHeartbeatResp, and the caller's
	// ReadIndex ctx in MsgReadIndex/MsgReadIndexResp.)
	// MsgVote: 1 marks a campaign ordered by MsgTimeoutNow (voters skip the
	// leader-lease check).
	Context uint64

	// Payload is another implementation's own wire message (for example an
	// etcd *raftpb.Message), delivered to the peer's Step untouched. When it
	// is set, the fields above only summarize it for observers and the
	// trace (Type, From, To, Term and Reject are always filled); the
	// built-in never sets it.
	Payload any
}

// ReadState says a read with the given request context may be served once the
// application has applied Index.
type ReadState struct {
	Index   uint64
	Context uint64
}

// SoftState is volatile state that the caller may want to observe.
type SoftState struct {
	Lead uint64
	Role Role
	Term uint64 // the node's current term
}

// Ready is everything the caller must act on, in this order:
//  1. persist HardState (if not empty), Snapshot (if not nil) and Entries
//     (Entries[0].Index may be ≤ the last persisted index: the suffix from there is replaced),
//     and sync the disk if MustSync;
//  2. send Messages;
//  3. apply Snapshot (if not nil) then CommittedEntries, and serve ReadStates whose
//     Index has been applied;
//  4. call Advance.
type Ready struct {
	SoftState *SoftState // nil when unchanged since the last Ready
	// RoleChanges lists every role, term or leader change since the last
	// Ready, oldest first (bounded; the last one always equals *SoftState), so
	// a leadership that began and ended between two Readies is still observed.
	RoleChanges      []SoftState
	HardState        HardState // empty when unchanged
	Entries          []Entry
	Snapshot         *Snapshot
	CommittedEntries []Entry
	Messages         []Message
	ReadStates       []ReadState
	MustSync         bool
}

// ReadOnlyOption selects how the leader serves ReadIndex requests.
type ReadOnlyOption uint8

// Read options.
const (
	// ReadOnlySafe confirms leadership with a heartbeat round per ReadIndex batch.
	ReadOnlySafe ReadOnlyOption = iota
	// ReadOnlyLeaseBased trusts the leader lease (requires CheckQuorum) and skips the
	// heartbeat round. Safe only while clock drift stays within the documented bound.
	ReadOnlyLeaseBased
)

// PeerStatus is the leader's view of one follower's replication progress.
type PeerStatus struct {
	ID    uint64
	Match uint64
	Next  uint64
}

// Status is a snapshot of a node's state for observers and reports.
type Status struct {
	ID        uint64
	Role      Role
	Term      uint64
	Vote      uint64
	Lead      uint64
	Commit    uint64
	Applied   uint64
	LastIndex uint64
	Voters    []uint64
	Peers     []PeerStatus // leader only, sorted by ID
}

// Persisted is what a node is rebuilt from after a restart: exactly what its host
// recovered from disk. The zero value is an empty disk.
type Persisted struct {
	HardState HardState
	Snapshot  *Snapshot // nil if none
	Entries   []Entry   // contiguous, starting after Snapshot.Meta.Index (or at 1)
}
