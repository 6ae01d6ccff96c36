package checker

import (
	"fmt"

	"github.com/raftcheck/raftcheck/histories"
)

// opPair is one client operation: the positions of its invoke and of its
// completion (-1 when it never completed).
type opPair struct{ inv, done int }

// pairOps pairs each client invoke with its completion, following Jepsen's
// process model: one op in flight per process, and a process whose op ended
// with info is never used again. Nemesis ops are skipped. Pairs come in
// invoke order. Errors name the offending op.
func pairOps(h histories.History) ([]opPair, error) {
	if err := checkTimes(h); err != nil {
		return nil, err
	}
	procs := newProcTable(h)
	pairs := make([]opPair, 0, len(h)/2+1)
	for i := range h {
		op := &h[i]
		if op.Process == histories.NemesisProcess {
			continue
		}
		st := procs.get(op.Process)
		switch op.Type {
		case histories.Invoke:
			switch {
			case st.inFlight:
				return nil, fmt.Errorf("op %d: process %d invokes %s while its op %d is still in flight", i, op.Process, op.F, pairs[st.slot].inv)
			case st.retired:
				return nil, fmt.Errorf("op %d: process %d invokes %s after its op %d ended with info; a process whose outcome is unknown must not be reused", i, op.Process, op.F, pairs[st.slot].done)
			}
			st.inFlight, st.slot = true, len(pairs)
			pairs = append(pairs, opPair{inv: i, done: -1})
		case histories.OK, histories.Fail, histories.Info:
			if !st.inFlight {
				return nil, fmt.Errorf("op %d: %s completion of process %d without an invoke in flight", i, op.Type, op.Process)
			}
			p := &pairs[st.slot]
			if h[p.inv].F != op.F {
				return nil, fmt.Errorf("op %d: completion %s does not match invoke %s (op %d) of process %d", i, op.F, h[p.inv].F, p.inv, op.Process)
			}
			p.done = i
			st.inFlight = false
			st.retired = op.Type == histories.Info
		default:
			return nil, fmt.Errorf("op %d: unknown op type %d", i, op.Type)
		}
	}
	return pairs, nil
}

// procState is one process's place in pairOps.
type procState struct {
	inFlight, retired bool
	slot              int // its latest pair
}

// procTable maps process ids to their state: a slice when the ids are small
// and dense, as Jepsen's are, a map otherwise.
type procTable struct {
	dense  []procState
	sparse map[int]*procState
}

func newProcTable(h histories.History) *procTable {
	minProc, maxProc := 0, 0
	for i := range h {
		if p := h[i].Process; p != histories.NemesisProcess {
			minProc, maxProc = min(minProc, p), max(maxProc, p)
		}
	}
	if minProc >= 0 && maxProc <= 4*len(h)+64 {
		return &procTable{dense: make([]procState, maxProc+1)}
	}
	return &procTable{sparse: make(map[int]*procState)}
}

func (t *procTable) get(p int) *procState {
	if t.dense != nil {
		return &t.dense[p]
	}
	st := t.sparse[p]
	if st == nil {
		st = &procState{}
		t.sparse[p] = st
	}
	return st
}

// hasTimes reports whether h carries event times; histories from sources
// without them (all zero) are ordered by position instead.
func hasTimes(h histories.History) bool {
	for i := range h {
		if h[i].Time != 0 {
			return true
		}
	}
	return false
}

// maxTime bounds op times (2^62 ns, about 146 years): orderTimes adds up to
// one per position and convert one more for "infinity", which must not wrap.
const maxTime = 1 << 62

// checkTimes names the first op whose time is before its predecessor's, or
// beyond maxTime.
func checkTimes(h histories.History) error {
	for i := range h {
		if h[i].Time > maxTime {
			return fmt.Errorf("op %d: time %d is beyond 2^62 ns (about 146 years); shift the history's times toward 0", i, h[i].Time)
		}
		if i > 0 && h[i].Time < h[i-1].Time {
			return fmt.Errorf("op %d: time %d is before op %d's time %d; a history is in time order", i, h[i].Time, i-1, h[i-1].Time)
		}
	}
	return nil
}

// orderTimes returns the time the checks order the op at a position by. Real-
// time order is history order, as in Jepsen and Knossos: an op completed
// before another is invoked exactly when its completion comes first in the
// history, whatever the time fields say. Histories are written in the
// simulator's event order, and a closed-loop client invokes its next op at
// the very instant its previous one completed; porcupine treats equal times as
// overlapping, so raw times would let a process's own ops run concurrently
// (a read could then miss the write its own process just finished).
//
// The times are strictly increasing in position, t'_0 = t_0 and t'_i =
// max(t_i, t'_{i-1}+1): they stay on the time field's scale (nanoseconds,
// for the visualization), and a history without times (all zero) is ordered
// by position. Every check that compares op times uses them.
func orderTimes(h histories.History) func(int) int64 {
	ts := make([]int64, len(h))
	for i := range h {
		ts[i] = h[i].Time
		if i > 0 {
			ts[i] = max(ts[i], ts[i-1]+1)
		}
	}
	return func(i int) int64 { return ts[i] }
}
