package harness

import (
	"errors"
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/sim"
)

// implPanic is the panic of the Raft implementation under test that stopped
// a run: one of its own assertions failed (raft.AssertionFailure). It is a
// finding, not a failure of raftcheck: the run stops where it happened and
// what was recorded until then is checked.
type implPanic struct {
	node int
	term uint64
	at   sim.Time
	msg  string
}

// assertionFailure reports whether r, a recovered panic value, is an
// implementation's failed assertion: a raft.AssertionFailure, or an error
// wrapping one.
func assertionFailure(r any) (raft.AssertionFailure, bool) {
	if af, ok := r.(raft.AssertionFailure); ok {
		return af, true
	}
	if err, ok := r.(error); ok {
		var af raft.AssertionFailure
		if errors.As(err, &af) {
			return af, true
		}
	}
	return nil, false
}

// recordPanic keeps af as the run's panic finding: the node goes down on the
// timeline and the trace records it, so the trace hash covers how the run
// ended.
func (x *Execution) recordPanic(af raft.AssertionFailure) {
	node, term := af.FailedNode()
	x.panic = &implPanic{node: int(node), term: term, at: x.w.Now(), msg: af.Error()}
	x.w.Trace().Emit(sim.KindAnomaly, int(node), 1, int64(term), 0)
	x.obs.nodeEvents = append(x.obs.nodeEvents, report.NodeEvent{Time: int64(x.w.Now()), Node: int(node), Kind: report.EventDown})
}

// detail is the finding's text: where, when, what, and the seed.
func (p *implPanic) detail(seed uint64) string {
	return fmt.Sprintf("node %d (term %d) panicked at %v (seed %d): %s; the run stopped there: the history up to then is checked, liveness and the node's digest are not",
		p.node, p.term, time.Duration(p.at), seed, p.msg)
}
