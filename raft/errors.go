package raft

import (
	"errors"
	"strconv"
)

// Sentinel errors. Callers compare with errors.Is: the node wraps them in a
// *ProtocolError that adds the node id and term.
var (
	// ErrUnknownPeer: a message came from a node outside this node's
	// configuration. The message is ignored; callers count these.
	ErrUnknownPeer = errors.New("raft: message from a node outside the configuration")
	// ErrNotLeader: the request needs the leader and this node is not it.
	ErrNotLeader = errors.New("raft: not the leader")
	// ErrProposalDropped: the leader refused the request for now (leadership
	// transfer in progress, too many uncommitted entries or pending reads).
	ErrProposalDropped = errors.New("raft: proposal dropped")
	// ErrConfChangePending: an earlier configuration change is not committed yet.
	ErrConfChangePending = errors.New("raft: a configuration change is still uncommitted")
	// ErrNoCurrentTermCommit: the leader has not yet committed an entry of its
	// own term, so it may not change the configuration (the 2015 single-server
	// membership fix).
	ErrNoCurrentTermCommit = errors.New("raft: no entry of the current term is committed yet")
	// ErrInvalidConfChange: the change adds an existing voter, removes a
	// non-voter, names node 0 or would leave no voter.
	ErrInvalidConfChange = errors.New("raft: invalid configuration change")
	// ErrCompacted: the index is at or behind the current snapshot.
	ErrCompacted = errors.New("raft: index already compacted")
	// ErrUnavailable: the index is not applied (or not in the log) yet.
	ErrUnavailable = errors.New("raft: index not applied yet")
	// ErrBadMessage: the message is malformed or impossible in the protocol.
	ErrBadMessage = errors.New("raft: bad message")
	// ErrSafety: the node observed a state the protocol forbids (two leaders in
	// one term, a committed entry about to be overwritten, commit beyond the
	// log). In simulation this is a found bug.
	ErrSafety = errors.New("raft: safety violation")
)

// ProtocolError is the error type of every failed call on a Node: the cause
// (one of the sentinels above) plus the context a bug report needs.
type ProtocolError struct {
	Node   uint64 // the node that reports
	Term   uint64 // its term at the time
	From   uint64 // the sender of the offending message, 0 if none
	Detail string // what exactly was wrong, empty for self-explaining causes
	Err    error  // the sentinel cause
}

// Error formats the error on demand so building one stays cheap.
func (e *ProtocolError) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, e.Err.Error()...)
	b = append(b, " (node "...)
	b = strconv.AppendUint(b, e.Node, 10)
	b = append(b, ", term "...)
	b = strconv.AppendUint(b, e.Term, 10)
	if e.From != None {
		b = append(b, ", from "...)
		b = strconv.AppendUint(b, e.From, 10)
	}
	b = append(b, ')')
	if e.Detail != "" {
		b = append(b, ": "...)
		b = append(b, e.Detail...)
	}
	return string(b)
}

// Unwrap returns the sentinel cause.
func (e *ProtocolError) Unwrap() error { return e.Err }

// fail builds a ProtocolError carrying this node's identity.
func (n *Node) fail(cause error, from uint64, detail string) error {
	return &ProtocolError{Node: n.id, Term: n.term, From: from, Detail: detail, Err: cause}
}
