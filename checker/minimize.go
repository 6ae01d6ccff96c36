package checker

import (
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// budget bounds the porcupine searches of an explanation: the number of
// checks the minimizer runs, the explanation's deadline, its steps in all,
// and (through guard, under which each search runs, and which the caller
// watches) the heap and the steps of each search.
type budget struct {
	checks   int
	deadline time.Time // zero: none
	guard    *searchGuard
	// steps is what is left of the explanation's steps; unbounded when
	// the explanation has no step bound.
	steps     int64
	unbounded bool
	// used counts the steps of every search, bounded or not.
	used int64
	// lane is a client id no op of the history uses, for the seeds of the
	// segments the checks cut (segment.go).
	lane int
	// cutter cuts one key's ops into segments (nil: the model has none).
	cutter *segmenter
	// undecided is set when a check was skipped or a bound stopped it, so
	// its "not illegal" may be wrong; stepped when the step bound of a
	// search did (not the explanation's own, which spends the budget).
	undecided, stepped bool
}

// spent reports whether a bound of the whole explanation has run out: its
// steps, its time, its memory or (for the minimizer) its checks.
func (b *budget) spent() bool {
	return b.checks <= 0 || b.outOfBounds()
}

// outOfBounds is spent without the count of checks.
func (b *budget) outOfBounds() bool {
	return (!b.unbounded && b.steps <= 0) || b.guard.hit() || (!b.deadline.IsZero() && !b.guard.p.now().Before(b.deadline))
}

// run runs one porcupine search of ops (one partition of model, which has
// no Partition) under the budget, at most limit steps (≤ 0: no bound of its
// own), and returns its answer and what stopped it. Cancelled searches and
// those a bound stopped prove nothing.
func (b *budget) run(model porcupine.Model, ops []porcupine.Operation, limit int64, verbose bool) (bool, porcupine.LinearizationInfo, stopCause) {
	s := b.guard.search(b.deadline)
	if limit > 0 && (s.limit <= 0 || limit < s.limit) {
		s.limit = limit
	}
	if !b.unbounded && (s.limit <= 0 || b.steps < s.limit) {
		s.limit = max(b.steps, 1)
	}
	if s.expired() {
		return false, porcupine.LinearizationInfo{}, s.cause()
	}
	var res porcupine.CheckResult
	var info porcupine.LinearizationInfo
	if verbose {
		res, info = porcupine.CheckOperationsVerbose(s.model(model), ops, 0)
	} else {
		res = porcupine.CheckOperationsTimeout(s.model(model), ops, 0)
	}
	n := s.count()
	if s.limit > 0 {
		n = min(n, s.limit)
	}
	b.used += n
	if !b.unbounded {
		b.steps -= n
	}
	return res == porcupine.Ok, info, s.cause()
}

// illegal reports whether porcupine proves ops (one key of model, which
// has no Partition) illegal within the budget, checking the segments the
// verdict would cut it into one after another (segment.go: the history is
// illegal iff one of them is). Running out of checks, time, steps or
// memory counts as "not proven".
func (b *budget) illegal(model porcupine.Model, ops []porcupine.Operation) bool {
	if b.spent() {
		b.undecided = true
		return false
	}
	b.checks--
	parts := [][]porcupine.Operation{ops}
	if b.cutter != nil {
		parts = b.cutter.cut(nil, ops, b.lane)
	}
	for _, part := range parts {
		ok, _, c := b.run(model, part, 0, false)
		switch {
		case c != stopNone:
			// Steps may have been refused: proves nothing.
			b.undecided = true
			b.stepped = b.stepped || (c == stopSteps && (b.unbounded || b.steps > 0))
			if b.outOfBounds() {
				return false
			}
		case !ok:
			return true
		}
	}
	return false
}

// minimizer shrinks one illegal partition.
type minimizer struct {
	model    porcupine.Model
	closure  func(all []*linOp) func(in []bool) bool
	ops      []porcupine.Operation
	infinity int64
	b        *budget
	order    []int // completed ops by return time (then position)
}

// run returns the operations of a small illegal sub-history, the op that
// could not be linearized, whether the set is 1-minimal, and false when
// even the whole partition could not be shown illegal within the budget.
//
// It first finds the shortest illegal prefix of the partition: cut the
// history just after the k-th return, treat ops still running at the cut as
// of unknown outcome, and binary-search k (linearizability is prefix-closed,
// so illegality is monotone in k). The op returning at the cut is the one no
// linearization of the prefix accommodates. Then it greedily drops ops, in
// halving chunks and finally one by one, keeping each drop that leaves the
// rest illegal and closed under sources (see modelSpec.closure): an illegal
// subset proves nothing if dropping an op took away the write a read had
// observed.
func (m *minimizer) run(hint *linOp) (set []*linOp, culprit *linOp, minimal, ok bool) {
	for i, op := range m.ops {
		if op.Return < m.infinity {
			m.order = append(m.order, i)
		}
	}
	sort.SliceStable(m.order, func(a, b int) bool {
		return m.ops[m.order[a]].Return < m.ops[m.order[b]].Return
	})
	R := len(m.order)
	if R == 0 || !m.b.illegal(m.model, m.prefix(R)) {
		return nil, nil, false, false
	}
	lo, hi := 1, R // prefix(hi) is known illegal
	if k := m.hint(hint); k > 0 && k < hi {
		if m.b.illegal(m.model, m.prefix(k)) {
			hi = k
		} else {
			lo = k + 1
		}
	}
	for lo < hi && !m.b.spent() {
		mid := lo + (hi-lo)/2
		if m.b.illegal(m.model, m.prefix(mid)) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	pre := m.prefix(hi)
	cut := m.ops[m.order[hi-1]].Input.(*linOp)
	ci := -1
	for i, op := range pre {
		if op.Input.(*linOp).inv == cut.inv {
			ci = i
		}
	}
	kept, minimal := m.shrink(pre, ci)
	for _, op := range kept {
		o := op.Input.(*linOp)
		set = append(set, o)
		if o.inv == cut.inv {
			culprit = o
		}
	}
	return set, culprit, minimal, true
}

// hint turns the op porcupine's longest partial linearization could not
// be followed by (nil: none) into a prefix length: the prefix that ends
// with its return, where the search got stuck.
func (m *minimizer) hint(next *linOp) int {
	if next == nil {
		return 0
	}
	for k, i := range m.order {
		if m.ops[i].Input.(*linOp).inv == next.inv {
			return k + 1
		}
	}
	return 0
}

// prefix is the partition cut just after the k-th return (k ≥ 1): the ops
// invoked by then, with those that had not returned yet made unknown.
func (m *minimizer) prefix(k int) []porcupine.Operation {
	done := make(map[int]bool, k)
	for _, i := range m.order[:k] {
		done[i] = true
	}
	cutAt := m.ops[m.order[k-1]].Return
	out := make([]porcupine.Operation, 0, len(m.ops))
	for i, op := range m.ops {
		if op.Call > cutAt {
			continue
		}
		if !done[i] && op.Return < m.infinity {
			o := op.Input.(*linOp).withUnknownOutput(m.infinity)
			if o.kind == opRead || o.kind == opGet || o.kind == opCASFail {
				continue // an unknown read constrains nothing
			}
			op.Input, op.Output, op.Metadata, op.Return = o, o, o, m.infinity
		}
		out = append(out, op)
	}
	return out
}

// shrink drops ops from the illegal history ops, never the one at keep,
// while the rest stays illegal and closed. It reports whether it reached a
// set from which no single op can be dropped (every check decided).
func (m *minimizer) shrink(ops []porcupine.Operation, keep int) ([]porcupine.Operation, bool) {
	m.b.undecided = false
	all := make([]*linOp, len(ops))
	for i, op := range ops {
		all[i] = op.Input.(*linOp)
	}
	closed := m.closure(all)
	alive := make([]bool, len(ops))
	for i := range alive {
		alive[i] = true
	}
	in := make([]bool, len(ops))
	subset := func() []porcupine.Operation {
		out := make([]porcupine.Operation, 0, len(ops))
		for i, op := range ops {
			if in[i] {
				out = append(out, op)
			}
		}
		return out
	}
	for chunk := len(ops) / 2; chunk >= 1; {
		dropped := false
		// Reads first, then ops of unknown outcome: a dropped read may
		// free the writes it observed, and each unknown op left multiplies
		// the search porcupine must exhaust to prove a subset illegal.
		var cands []int
		for pass := 0; pass < 3; pass++ {
			for i := range ops {
				if alive[i] && i != keep && dropPass(all[i]) == pass {
					cands = append(cands, i)
				}
			}
		}
		for start := 0; start < len(cands); start += chunk {
			if m.b.spent() {
				copy(in, alive)
				return subset(), false
			}
			copy(in, alive)
			for _, i := range cands[start:min(start+chunk, len(cands))] {
				in[i] = false
			}
			if closed(in) && m.b.illegal(m.model, subset()) {
				copy(alive, in)
				dropped = true
			}
		}
		if chunk > 1 {
			chunk /= 2
		} else if !dropped {
			break
		}
	}
	copy(in, alive)
	return subset(), !m.b.undecided
}

func dropPass(o *linOp) int {
	switch {
	case o.kind == opRead || o.kind == opGet || o.kind == opCASFail:
		return 0
	case o.unknown:
		return 1
	}
	return 2
}
