package checker

import (
	"sort"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// converted is a history in porcupine's terms.
type converted struct {
	ops []porcupine.Operation
	// infinity is the return time of ops whose outcome is unknown: after
	// every event of the history, so they may take effect at any point after
	// their invoke, or never.
	infinity int64
	// useIndex: the history carries no times (all zero), so op positions
	// stand in for them.
	useIndex bool
}

// convert pairs each client invoke with its completion (Jepsen's process
// model: one op in flight per process) and turns the pairs into porcupine
// operations, timed by orderTimes so that real-time order is history order:
//   - ok: returns at its completion with its output;
//   - info, or no completion at all: returns at infinity with an unknown
//     output, so the model accepts any result while still applying the
//     effect;
//   - fail: left out, it did not happen; except, for the register model, a
//     cas whose compare failed (histories.ErrCASMismatch): it changed
//     nothing but observed a value other than the expected one, so it stays,
//     returning at its completion, as a step that is legal iff the register
//     does not hold that value (opCASFail);
//   - nemesis ops: ignored (they become annotations in reports).
//
// Reads whose outcome is unknown constrain nothing and change nothing, so they
// are dropped too, and so are unknown writes no read observed (see
// dropUnobservedWrites). An invalid history is an error naming the op index.
func convert(h histories.History, spec *modelSpec, dropUnobserved bool) (*converted, error) {
	all, err := pairOps(h)
	if err != nil {
		return nil, err
	}
	c := &converted{useIndex: !hasTimes(h)}
	at := orderTimes(h)
	c.infinity = int64(len(h))
	if len(h) > 0 {
		c.infinity = max(c.infinity, at(len(h)-1)+1)
	}
	pairs := all[:0:0]
	for _, p := range all {
		if p.done < 0 || h[p.done].Type != histories.Fail || (spec.failedCAS && casMismatch(&h[p.done])) {
			pairs = append(pairs, p)
		}
	}
	c.ops = make([]porcupine.Operation, 0, len(pairs))
	lanes := clientLanes(h, pairs)
	store := make([]linOp, len(pairs)) // one allocation for all ops
	kept := make([]*linOp, 0, len(pairs))
	for k, p := range pairs {
		inv := &h[p.inv]
		var done *histories.Op
		o := &store[k]
		*o = linOp{key: inv.Key, inv: p.inv, ret: p.done, process: inv.Process}
		if p.done >= 0 {
			done = &h[p.done]
			o.node, o.errKind = done.Node, done.Error
			o.unknown = done.Type == histories.Info
		} else {
			o.unknown = true
		}
		if err := spec.parse(inv, done, o); err != nil {
			return nil, err
		}
		if o.unknown && (o.kind == opRead || o.kind == opGet) {
			continue
		}
		// Times in history order (orderTimes): an op whose completion
		// precedes another's invoke in the history returns strictly before
		// it is called, even at the same virtual instant.
		ret := c.infinity
		if !o.unknown {
			ret = at(p.done)
		}
		o.call, o.done = at(p.inv), ret
		kept = append(kept, o)
	}
	if dropUnobserved {
		kept = dropUnobservedWrites(kept, spec.name)
	}
	for _, o := range kept {
		c.ops = append(c.ops, porcupine.Operation{
			ClientId: lanes[o.process],
			Input:    o,
			Call:     o.call,
			Output:   o,
			Return:   o.done,
			Metadata: o,
		})
	}
	return c, nil
}

// clientLanes numbers processes densely in id order: porcupine draws one lane
// per client id from 0 up, and Jepsen process ids grow without bound.
func clientLanes(h histories.History, pairs []opPair) map[int]int {
	seen := make(map[int]bool)
	var procs []int
	for _, p := range pairs {
		pr := h[p.inv].Process
		if !seen[pr] {
			seen[pr] = true
			procs = append(procs, pr)
		}
	}
	sort.Ints(procs)
	lanes := make(map[int]int, len(procs))
	for i, pr := range procs {
		lanes[pr] = i
	}
	return lanes
}

// casMismatch reports whether a completion is a cas whose compare failed.
func casMismatch(done *histories.Op) bool {
	return done.Type == histories.Fail && done.F == "cas" && done.Error == histories.ErrCASMismatch
}
