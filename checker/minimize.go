package checker

import (
	"cmp"
	"fmt"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// budget bounds the porcupine checks spent looking for a small
// counterexample: their number, their time, and (through guard, under which
// each check runs, and which the caller watches) the heap and the steps of
// each check.
type budget struct {
	checks   int
	deadline time.Time
	guard    *searchGuard
	// undecided is set when a check was skipped or a bound stopped it, so
	// its "not illegal" may be wrong; stepped when the step bound did.
	undecided, stepped bool
}

func (b *budget) spent() bool {
	return b.checks <= 0 || !b.guard.p.now().Before(b.deadline) || b.guard.hit()
}

// illegal reports whether porcupine proves ops (one partition of model)
// illegal within the budget. Running out of budget, time, steps or memory
// counts as "not proven".
func (b *budget) illegal(model porcupine.Model, ops []porcupine.Operation) bool {
	if b.spent() {
		b.undecided = true
		return false
	}
	b.checks--
	s := b.guard.search(b.deadline)
	if s.expired() {
		b.undecided = true
		return false
	}
	res := porcupine.CheckOperationsTimeout(s.model(model), ops, 0)
	switch c := s.cause(); {
	case c != stopNone:
		b.undecided = true // steps may have been refused: proves nothing
		b.stepped = b.stepped || c == stopSteps
	case res == porcupine.Illegal:
		return true
	}
	return false
}

// explain finds a small set of operations that cannot be linearized together
// in the first illegal partition and records it in r. Its checks run under
// g, which the caller watches, and end by deadline (zero: none) or after
// opts.ExplainTimeout, whichever comes first. When it finds none, explainNote
// says why.
func (r *LinResult) explain(opts LinOptions, g *searchGuard, deadline time.Time) {
	checks := cmp.Or(opts.ExplainChecks, DefaultExplainChecks)
	own := cmp.Or(opts.ExplainTimeout, DefaultExplainTimeout)
	b := &budget{checks: checks, deadline: g.p.now().Add(own), guard: g}
	byCheck := deadline.IsZero() || b.deadline.Before(deadline)
	if !byCheck {
		b.deadline = deadline
	}
	info := r.linInfo()
	model := r.spec.model
	model.Partition = nil // each check below is on one partition
	partials := info.PartialLinearizations()
	for p, ops := range r.spec.model.Partition(r.conv.ops) {
		var longest []int
		if p < len(partials) && len(partials[p]) > 0 {
			longest = partials[p][0]
		}
		if len(longest) == len(ops) {
			continue // porcupine linearized this partition
		}
		m := &minimizer{model: model, closure: r.spec.closure, ops: ops, infinity: r.conv.infinity, b: b}
		set, culprit, minimal, ok := m.run(longest)
		if !ok {
			continue
		}
		r.Key = culprit.key
		r.Culprit = culprit.inv
		r.Minimal = minimal
		r.Counterexample = make([]int, len(set))
		for i, o := range set {
			r.Counterexample[i] = o.inv
		}
		sort.Ints(r.Counterexample)
		r.cex = set
		return
	}
	switch {
	case g.hit():
		r.explainNote = r.stoppedAtMemory(g)
	case !byCheck && !g.p.now().Before(b.deadline):
		r.explainNote = r.stoppedAtTime()
	case b.stepped:
		r.explainNote = r.stoppedAtSteps(g)
	case b.undecided:
		r.explainNote = fmt.Sprintf("ran out of its budget (%d porcupine checks, %v)", checks, own)
	default:
		// Every partition's check finished without proving it illegal:
		// cannot happen for a history the verdict's search proved illegal.
		r.explainNote = "found no illegal key"
	}
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
func (m *minimizer) run(longest []int) (set []*linOp, culprit *linOp, minimal, ok bool) {
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
	if k := m.hint(longest); k > 0 && k < hi {
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

// hint turns porcupine's longest partial linearization into a prefix length:
// the first op by return time that it could not include is where the search
// got stuck.
func (m *minimizer) hint(longest []int) int {
	in := make(map[int]bool, len(longest))
	for _, id := range longest {
		in[id] = true
	}
	for k, i := range m.order {
		if !in[i] {
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
