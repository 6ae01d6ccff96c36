package proc

import "fmt"

// Kind says what an Event reports.
type Kind uint8

// Event kinds.
const (
	// Ready: the node answered init with init_ok.
	Ready Kind = iota + 1
	// Line: a line the node printed on stdout after init_ok.
	Line
	// Fault: output that could not be taken: a line before init_ok, a line
	// over MaxLine, a read error. Err says which; Line holds the line if
	// there is one.
	Fault
	// InitFailed: the node answered init with an error, or did not answer
	// within InitTimeout. The driver does not kill it: the owner decides.
	InitFailed
	// Exited: the process ended. Err is its exit status.
	Exited
)

func (k Kind) String() string {
	switch k {
	case Ready:
		return "ready"
	case Line:
		return "line"
	case Fault:
		return "fault"
	case InitFailed:
		return "init-failed"
	case Exited:
		return "exited"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Event is something a node did. Inc is the incarnation it comes from (1
// for the first start, +1 per Start after): events of an older incarnation
// can still be queued after a restart, and the owner should skip them.
type Event struct {
	Node int
	Inc  uint64
	Kind Kind
	Line []byte // Line, and Fault when a line is at fault; the owner's to keep
	Err  error
}
