package live

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
)

// FaultKind names a way a node broke the protocol or the harness lost its
// output. Faults are counted and reported; they do not decide the verdict
// (the history does): a node that prints garbage instead of a reply makes
// its client time out, which the checker sees.
type FaultKind string

// Fault kinds.
const (
	// FaultMalformed: a stdout line that is not a protocol message.
	FaultMalformed FaultKind = "malformed-message"
	// FaultWrongSrc: a message whose src is not the node's own id (routed
	// as from the node that printed it).
	FaultWrongSrc FaultKind = "wrong-src"
	// FaultUnknownDest: a message to an id that is neither a node nor a
	// client of the run (answered with error 1, node-not-found, if it has
	// a msg_id).
	FaultUnknownDest FaultKind = "unknown-destination"
	// FaultUnknownReply: a message to a client that answers no request the
	// harness sent (no in_reply_to, or a msg_id never sent).
	FaultUnknownReply FaultKind = "unknown-reply"
	// FaultBadReply: a reply of the wrong type for its request, to the
	// wrong client, or with an unreadable body; the client hears nothing.
	FaultBadReply FaultKind = "bad-reply"
	// FaultOutput: output the driver could not take: a line before
	// init_ok, a line over the length bound, a read error.
	FaultOutput FaultKind = "bad-output"
	// FaultExit: the process exited without the harness killing it.
	FaultExit FaultKind = "unexpected-exit"
	// FaultInit: a restarted node did not complete init (it is killed).
	FaultInit FaultKind = "init-failed"
	// FaultStdin: the node's input queue was full (it stopped reading):
	// messages to it were lost.
	FaultStdin FaultKind = "stdin-full"
)

// Fault is one kind of fault of one node: how often, and the first case.
type Fault struct {
	Node    string        `json:"node"`
	Kind    FaultKind     `json:"kind"`
	Count   int           `json:"count"`
	First   string        `json:"first"`    // what the first one was
	FirstAt time.Duration `json:"first_at"` // when, since the run began
}

// String renders the fault for a report line.
func (f Fault) String() string {
	return fmt.Sprintf("%s: %s ×%d (first at %v: %s)", f.Node, f.Kind, f.Count, f.FirstAt.Round(time.Millisecond), f.First)
}

// excerptLen bounds how much of an offending line a fault keeps.
const excerptLen = 200

// faultLog collects faults by (node, kind).
type faultLog struct {
	byKey map[faultKey]*Fault
}

type faultKey struct {
	node int
	kind FaultKind
}

func (l *faultLog) add(node int, kind FaultKind, at time.Duration, detail string, line []byte) {
	if l.byKey == nil {
		l.byKey = map[faultKey]*Fault{}
	}
	k := faultKey{node, kind}
	if f := l.byKey[k]; f != nil {
		f.Count++
		return
	}
	if len(line) > 0 {
		detail += ": " + excerpt(line)
	}
	l.byKey[k] = &Fault{Node: maelstrom.NodeID(node), Kind: kind, Count: 1, First: detail, FirstAt: at}
}

// list returns the faults sorted by node, then kind.
func (l *faultLog) list() []Fault {
	keys := make([]faultKey, 0, len(l.byKey))
	for k := range l.byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b faultKey) int {
		return cmp.Or(cmp.Compare(a.node, b.node), cmp.Compare(a.kind, b.kind))
	})
	out := make([]Fault, len(keys))
	for i, k := range keys {
		out[i] = *l.byKey[k]
	}
	return out
}

func excerpt(line []byte) string {
	if len(line) > excerptLen {
		return fmt.Sprintf("%q…(%d bytes)", line[:excerptLen], len(line))
	}
	return fmt.Sprintf("%q", line)
}
