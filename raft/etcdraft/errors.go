package etcdraft

import (
	"errors"
	"fmt"
	"runtime/debug"

	etcd "go.etcd.io/raft/v3"

	"github.com/raftcheck/raftcheck/raft"
)

// PanicError is what the adapter panics with when etcd's Raft panics (one of
// its internal assertions failed) or the adapter finds etcd breaking the
// boundary's contract (a proposal placed elsewhere than reported, an entry
// that cannot be translated exactly). In simulation either is a found bug:
// the harness reports it with the seed.
type PanicError struct {
	Node  uint64 // the node that panicked
	Term  uint64 // its term when it panicked (as of the latest Ready if etcd could not say)
	Value any    // what was panicked with
	Stack []byte // the stack where it panicked
}

// Error describes the panic with its node; the stack is in Stack.
func (e *PanicError) Error() string {
	return fmt.Sprintf("etcdraft: node %d (term %d): %v", e.Node, e.Term, e.Value)
}

// FailedNode returns the node that panicked and its term: a *PanicError is
// a raft.AssertionFailure, which the harness reports as a found bug.
func (e *PanicError) FailedNode() (node, term uint64) { return e.Node, e.Term }

var _ raft.AssertionFailure = (*PanicError)(nil)

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// wrapPanic turns a recovered value into a *PanicError carrying n's identity,
// once: a value that already is one passes through.
func (n *Node) wrapPanic(r any) any {
	if pe, ok := r.(*PanicError); ok {
		return pe
	}
	return &PanicError{Node: n.id, Term: n.termNow(), Value: r, Stack: debug.Stack()}
}

// termNow is etcd's current term, which a panic inside Step may have raised
// past the latest Ready's; the latest Ready's if etcd cannot say (its state
// may be what broke).
func (n *Node) termNow() (term uint64) {
	term = n.term
	if n.rn == nil {
		return term
	}
	defer func() {
		if recover() != nil {
			term = n.term
		}
	}()
	return n.rn.BasicStatus().HardState.GetTerm()
}

// bug panics with a found adapter or library bug.
func (n *Node) bug(format string, args ...any) {
	panic(&PanicError{Node: n.id, Term: n.termNow(), Value: fmt.Sprintf(format, args...), Stack: debug.Stack()})
}

// fail builds the error of a refused call, as the built-in does: a
// *raft.ProtocolError with the sentinel cause.
func (n *Node) fail(cause error, from uint64, detail string) error {
	return &raft.ProtocolError{Node: n.id, Term: n.term, From: from, Detail: detail, Err: cause}
}

// stepError maps an error etcd's Step returned to raft's sentinels.
func (n *Node) stepError(err error, from uint64) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, etcd.ErrStepPeerNotFound):
		return n.fail(raft.ErrUnknownPeer, from, "")
	case errors.Is(err, etcd.ErrProposalDropped):
		return n.fail(raft.ErrProposalDropped, from, "")
	case errors.Is(err, etcd.ErrStepLocalMsg):
		return n.fail(raft.ErrBadMessage, from, "a local etcd message arrived over the network")
	}
	return n.fail(raft.ErrBadMessage, from, "etcd: "+err.Error())
}

// logger is etcd's Logger for one node. Debug, info and warning lines are
// dropped (etcd logs every election at info level; formatting them would
// cost more than the protocol). An error line is something etcd considers
// wrong but survivable: the first one is kept and returned by the next Step,
// so the host reports it as an anomaly. Fatal and panic lines panic: an
// impossible state inside etcd is a found bug.
type logger struct{ n *Node }

var _ etcd.Logger = logger{}

func (logger) Debug(...any)            {}
func (logger) Debugf(string, ...any)   {}
func (logger) Info(...any)             {}
func (logger) Infof(string, ...any)    {}
func (logger) Warning(...any)          {}
func (logger) Warningf(string, ...any) {}

func (l logger) Error(v ...any)                 { l.n.noteLogError(fmt.Sprint(v...)) }
func (l logger) Errorf(format string, v ...any) { l.n.noteLogError(fmt.Sprintf(format, v...)) }
func (l logger) Fatal(v ...any)                 { l.n.bug("etcd fatal: %s", fmt.Sprint(v...)) }
func (l logger) Fatalf(format string, v ...any) { l.n.bug("etcd fatal: %s", fmt.Sprintf(format, v...)) }
func (l logger) Panic(v ...any)                 { l.n.bug("etcd panic: %s", fmt.Sprint(v...)) }
func (l logger) Panicf(format string, v ...any) { l.n.bug("etcd panic: %s", fmt.Sprintf(format, v...)) }

// noteLogError keeps the first error line etcd logged since the last Step.
func (n *Node) noteLogError(msg string) {
	if n.logErr == "" {
		n.logErr = msg
	}
}

// takeLogError returns the error line etcd logged, if any, as an error of the
// current call, and forgets it.
func (n *Node) takeLogError(from uint64) error {
	if n.logErr == "" {
		return nil
	}
	msg := n.logErr
	n.logErr = ""
	return n.fail(raft.ErrBadMessage, from, "etcd logged an error: "+msg)
}
