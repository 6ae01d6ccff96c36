package raft

import "math/rand/v2"

// Config configures one node. NewNode validates it and names the bad field.
type Config struct {
	// ID is this node's id (non-zero).
	ID uint64
	// Voters is the initial voter set, used only when Persisted is empty (a fresh
	// cluster). A node joining an existing cluster with an empty disk sets Join
	// instead and learns the configuration from the leader.
	Voters []uint64
	Join   bool

	// ElectionTicks is the base election timeout; each node draws its timeout from
	// [ElectionTicks, 2*ElectionTicks) using Rand. Must be > HeartbeatTicks.
	ElectionTicks  int
	HeartbeatTicks int

	PreVote     bool // default on (the caller's config layer sets defaults)
	CheckQuorum bool // default on
	ReadOnly    ReadOnlyOption

	// MaxInflightMsgs bounds un-acknowledged MsgApp per follower; MaxSizePerMsg bounds
	// the bytes of entry data in one MsgApp (at least one entry is always sent).
	MaxInflightMsgs int
	MaxSizePerMsg   uint64
	// MaxUncommittedEntries bounds the leader's uncommitted log suffix; Propose
	// returns ErrProposalDropped beyond it. 0 means no bound (the host bounds
	// its pending proposals instead).
	MaxUncommittedEntries int

	// Rand is this node's private random stream (election timeouts). Required.
	Rand *rand.Rand

	// Bugs plants deliberate protocol bugs (all off by default). See bugs.go.
	Bugs Bugs
}

// Bugs are planted, deliberately unsafe protocol defects used to prove that
// raftcheck's checkers catch real mistakes. Never enable them outside testing.
type Bugs struct {
	CommitOldTerm           bool // leader counts replicas for entries of earlier terms (Figure 8)
	VoteResetSameTerm       bool // a node may vote twice in one term
	StaleVoteReply          bool // a candidate counts vote replies from older terms
	TruncateOnStaleAppend   bool // follower truncates matching entries on an old MsgApp
	CommitBeyondMatch       bool // follower sets commit past the last entry it verified
	MembershipNoBarrier     bool // conf change proposed before committing an entry of the current term
	LeaseWithoutCheckQuorum bool // lease reads allowed with CheckQuorum off
	ReadBeforeTermCommit    bool // ReadIndex answered before the leader commits an entry of its term (etcd #7331)
	ElectionTimerNotReset   bool // a follower's election timer keeps running when the leader's messages arrive
	ConfKeepTruncated       bool // a truncated configuration entry's change stays in effect
	EntriesNoSync           bool // new log entries alone do not make Ready.MustSync true
}
