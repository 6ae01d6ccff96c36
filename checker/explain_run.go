package checker

import (
	"cmp"
	"fmt"
	"slices"
	"sort"

	"github.com/anishathalye/porcupine"
)

// Explaining an illegal verdict, within a budget of its own.
//
// The verdict stops at the first partition (a segment of a key) porcupine
// proves illegal, and cancels the others, as porcupine does. Which one
// that is depends on the scheduling of the workers, so the explanation
// does not start from it: it looks again, among the partitions the verdict
// did not prove linearizable, in their order (keys, then segments), with a
// step bound that grows fourfold each round, and takes the first it proves
// illegal. That choice depends on the history and the bounds only, and it
// costs a few times the steps the quickest illegal partition needs.
//
// Porcupine's verbose search of that partition then gives the fallback:
// its longest partial linearization and the operation that cannot follow
// it (LinResult.Partial). Last, the minimizer (minimize.go) shrinks the
// partition's whole key to a small counterexample, checking each candidate
// cut into segments as the verdict does.
//
// Every search runs under the explanation's budget: ExplainTimeout from
// the verdict on, ExplainMemory of heap growth (and MemoryLimit), the
// steps of ExplainSteps in all and StepLimit each, and ExplainChecks
// checks for the minimizer. A search it stops proves nothing; whatever was
// proved before stands.

// firstRound is the step bound of each partition's search in the first
// round of the explanation's look for an illegal partition.
const firstRound = 1 << 14

// explain looks for an illegal partition, its partial linearization and a
// small counterexample within the explanation's budget (see above). When
// it finds no counterexample, explainNote says why.
func (r *LinResult) explain(opts LinOptions) {
	b := r.newBudget(opts)
	end := b.guard.watch()
	defer end()
	model := r.spec.model
	model.Partition = nil // every search below is of one partition
	part := r.findIllegal(b, model)
	r.explainSteps[0] = b.used
	if part < 0 {
		r.explainNote = r.budgetNote(b, opts, "found no illegal part")
		return
	}
	r.partialOf(b, model, r.parts[part])
	r.explainSteps[1] = b.used - r.explainSteps[0]
	ops := r.keyOps(r.parts[part])
	m := &minimizer{model: model, closure: r.spec.closure, ops: ops, infinity: r.conv.infinity, b: b}
	set, culprit, minimal, ok := m.run(r.partialNext)
	r.explainSteps[2] = b.used - r.explainSteps[0] - r.explainSteps[1]
	if !ok {
		r.explainNote = r.budgetNote(b, opts, "could not prove the key illegal")
		return
	}
	if !minimal {
		r.explainNote = r.budgetNote(b, opts, "could not decide every drop")
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
}

// newBudget sets up the explanation's bounds (see LinOptions): the
// caller watches its guard.
func (r *LinResult) newBudget(opts LinOptions) *budget {
	p := r.probes
	limit := r.memLimit
	if grow := cmp.Or(opts.ExplainMemory, DefaultExplainMemory); grow > 0 {
		// The heap's growth is bounded, not its size: the process may hold
		// much else (a simulation, other checks).
		if own := p.heap().live + grow; limit <= 0 || own < limit {
			limit = own
		}
	}
	b := &budget{
		checks:    cmp.Or(opts.ExplainChecks, DefaultExplainChecks),
		deadline:  p.now().Add(cmp.Or(opts.ExplainTimeout, DefaultExplainTimeout)),
		guard:     newGuard(limit, r.stepLimit, p),
		steps:     opts.ExplainSteps,
		unbounded: opts.ExplainSteps <= 0,
	}
	for _, op := range r.conv.ops {
		b.lane = max(b.lane, op.ClientId+1)
	}
	if r.spec.seed != nil {
		b.cutter = &segmenter{seed: r.spec.seed, settled: r.spec.settled}
	}
	return b
}

// budgetNote completes "the search for a small counterexample …" once the
// budget stopped the explanation; otherwise it says what (cannot happen
// for a verdict that was illegal).
func (r *LinResult) budgetNote(b *budget, opts LinOptions, otherwise string) string {
	switch {
	case b.guard.hit():
		return fmt.Sprintf("stopped at its memory bound (%s of heap growth; live heap %s)",
			FormatBytes(cmp.Or(opts.ExplainMemory, DefaultExplainMemory)), roughBytes(b.guard.heap.Load()))
	case !b.deadline.IsZero() && !r.probes.now().Before(b.deadline):
		return fmt.Sprintf("stopped at its time bound (%v)", cmp.Or(opts.ExplainTimeout, DefaultExplainTimeout))
	case !b.unbounded && b.steps <= 0:
		return fmt.Sprintf("stopped at its step bound (%d steps in all)", opts.ExplainSteps)
	case b.stepped:
		return fmt.Sprintf("stopped at the step bound of each search (%d steps)", r.stepLimit)
	case b.checks <= 0:
		return fmt.Sprintf("ran out of its budget (%d porcupine checks)", cmp.Or(opts.ExplainChecks, DefaultExplainChecks))
	}
	return otherwise
}

// findIllegal returns the index of the first partition, among those the
// verdict did not prove linearizable (all of them under ExplainSteps), that
// porcupine proves illegal in the round of the smallest step bound (see
// the top of the file); -1 when the budget ran out first.
func (r *LinResult) findIllegal(b *budget, model porcupine.Model) int {
	// Which partitions the verdict proved linearizable before it was
	// cancelled depends on the scheduling of its workers. Skipping them
	// never changes the partition chosen (a linearizable one is never
	// proved illegal), only the steps spent: under a step bound, which
	// must stop the explanation at the same point on every run, none is
	// skipped.
	var cands []int
	for i := range r.parts {
		if !r.proved[i] || !b.unbounded {
			cands = append(cands, i)
		}
	}
	for bound := int64(firstRound); len(cands) > 0; bound *= 4 {
		perSearch := r.stepLimit > 0 && bound >= r.stepLimit
		left := cands[:0]
		for _, i := range cands {
			if b.outOfBounds() {
				return -1
			}
			ok, _, c := b.run(model, r.parts[i], bound, false)
			switch {
			case c == stopNone && !ok:
				return i
			case c == stopNone:
				// Proved linearizable: the verdict cancelled it first.
			case c == stopSteps && !perSearch:
				left = append(left, i) // the round's bound: try it again
			default:
				b.stepped = b.stepped || c == stopSteps
			}
		}
		cands = left
		if perSearch {
			break // StepLimit stopped every one left
		}
	}
	return -1
}

// keyOps returns the ops of part's key, in the history's order.
func (r *LinResult) keyOps(part []porcupine.Operation) []porcupine.Operation {
	key := part[len(part)-1].Input.(*linOp).key
	var ops []porcupine.Operation
	for _, op := range r.conv.ops {
		if op.Input.(*linOp).key == key {
			ops = append(ops, op)
		}
	}
	return ops
}

// partialOf runs porcupine's verbose search of part, an illegal partition
// of the verdict, and records its longest partial linearization as
// r.Partial. A search the budget stops leaves r.Partial nil: the partial
// linearizations it found are genuine (see guard.go), but it cannot tell
// which operation cannot follow them.
func (r *LinResult) partialOf(b *budget, model porcupine.Model, part []porcupine.Operation) {
	ok, info, c := b.run(model, part, 0, true)
	if ok || c != stopNone {
		return
	}
	partials := info.PartialLinearizations()
	if len(partials) == 0 || len(partials[0]) == 0 {
		return
	}
	sortPartials(partials)
	longest := partials[0][0]
	in := make([]bool, len(part))
	p := &PartialLinearization{From: -1, Next: -1, Prefix: []int{}}
	state := model.Init()
	for _, id := range longest {
		in[id] = true
		o := part[id].Input.(*linOp)
		r.partialOps = append(r.partialOps, o)
		_, state = model.Step(state, o, o)
		if o.inv < 0 {
			p.From = o.from // a segment's seed
			continue
		}
		p.Prefix = append(p.Prefix, o.inv)
	}
	// The search got stuck at the first return of an op it had not
	// linearized (porcupine walks the history's events in time order).
	var next *porcupine.Operation
	for i := range part {
		if in[i] || part[i].Return >= r.conv.infinity {
			continue
		}
		if next == nil || part[i].Return < next.Return {
			next = &part[i]
		}
	}
	if next != nil {
		r.partialNext = next.Input.(*linOp)
		p.Next = r.partialNext.inv
	}
	p.Key = part[len(part)-1].Input.(*linOp).key
	if model.DescribeState != nil {
		p.State = model.DescribeState(state)
	}
	r.Partial = p
}

// partialPrefix returns the partial linearization's ops without a seed.
func (r *LinResult) partialPrefix() []*linOp {
	return slices.DeleteFunc(slices.Clone(r.partialOps), func(o *linOp) bool { return o.inv < 0 })
}
