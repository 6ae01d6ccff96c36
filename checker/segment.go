package checker

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/anishathalye/porcupine"
)

// Segmenting a key's history for the verdict.
//
// porcupine keeps a bitset over the partition's ops and copies and hashes it
// at every step of its search, so checking one partition of n ops costs
// O(n²/64) on top of the search itself: a closed-loop run puts ~9,000 ops on
// each key, and that term dominates. Cutting each key's history into
// segments of a few hundred ops removes it.
//
// A cut is sound at a quiescent point whose state is forced. Let P be the
// ops of the current segment and S those after it, where every op of P
// returns strictly before any op of S is called (porcupine treats equal
// times as overlapping). Every linearization then orders all of P before all
// of S. Suppose further that P holds a successful read G called after every
// write of P has returned. In every linearization of P, G comes after all its
// writes and only reads follow G, so P ends in exactly the state G observed,
// whatever the linearization. Hence P·S is linearizable iff P is, and S is
// from that state: the segments are independent partitions once S starts
// with a synthetic op that sets the state G observed (it returns before any
// op of S is called, so it is linearized first).
//
// An op whose outcome is unknown returns at infinity, so it overlaps every
// later op and would forbid all later cuts. For kv there is a way past it:
// let u be an unknown put or append in P (its value a non-empty string) such
// that no read that may come after G (one that returns at or after G's call)
// returns a value containing u's string. Then u may stay in P alone. If a
// linearization of the whole history puts u before G, G's value includes u's
// effect and the argument above holds. If it puts u after G, every read after
// u until the next put or delete would contain u's string (an append only
// extends a value); there are none, so u can move to the very end of the
// history, where it changes nothing anyone read: the check of P allows that,
// u returning at infinity there. Conversely a linearization of P that puts u
// after G has no read after u (it would contain u's string and return after
// G's call), so u moves to the end of the whole history just the same.
// Unknown deletes, puts of "", and every unknown write of the register model
// still forbid later cuts.
//
// The append model (append of integers, read of the whole list) takes the
// same rule — an append only extends the list, and nothing removes an
// element, so "until the next put or delete" is forever — and one more, for
// the unknown appends a read did observe (the others are dropped before the
// check: see dropUnobservedWrites). Let u be an unknown append of v in P
// that is the key's only append of v, and let G's list hold v. Then every
// linearization of the whole history puts u before G (only u can have put v
// in G's list), hence before all of S, and every linearization of P puts u
// before G too: u is as settled as a known write of P. The induction over
// successive cuts needs one more step: a later segment starts with the seed
// of G's list, and if that list held the value of an unknown append u' of
// the later segment, the seed would be a second source of it. It cannot,
// when the earlier segment is linearizable: G's list then holds only
// values appended in it (or carried in by its own seed), and u' is the only
// append of its value. So the verdict, legal when every segment is and
// illegal when one is not, is the whole history's. An unknown append whose
// value another op appends too forbids later cuts unless the first rule
// lets it pass.
//
// Only the verdict uses segments. The explanation and the visualization work
// on whole keys, as porcupine reports them.

// minSegment is the fewest ops a segment holds before a cut is sought: small
// enough that porcupine's bitsets stay a few words long, large enough that
// the fixed cost of each partition (porcupine sorts and links its events)
// stays small.
const minSegment = 256

// segmenter cuts one model's partitions; seed returns the synthetic op that
// sets the state read observed, or nil when the model cannot express it
// (then that read cannot close a segment).
type segmenter struct {
	seed func(read *linOp, call int64) *linOp
	// settled, if set, prepares for one key's ops a passRule. Nil: every
	// unknown write forbids later cuts.
	settled func(ops []porcupine.Operation) passRule
	// min overrides minSegment (tests).
	min int
}

// passRule reports whether a segment that the successful read closes may
// end with the unknown write u in it (see the comment at the top): false
// forbids the cut. It is called only with u and read of one key, read
// called after every known write of the segment has returned, on one
// goroutine.
type passRule func(u, read *linOp) bool

// isRead reports whether o changes no state.
func isRead(o *linOp) bool { return o.kind == opRead || o.kind == opGet }

// partition splits ops by key (as partitionByKey does), then each key's ops at
// quiescent points of forced state into segments of at least minSegment ops.
// Keys are cut on GOMAXPROCS goroutines; the result is in key order.
func (sg *segmenter) partition(ops []porcupine.Operation) [][]porcupine.Operation {
	lane := 0
	for _, op := range ops {
		lane = max(lane, op.ClientId+1)
	}
	keys := partitionByKey(ops)
	segs := make([][][]porcupine.Operation, len(keys))
	forEachParallel(len(keys), nil, func(i int) { segs[i] = sg.cut(nil, keys[i], lane) })
	var out [][]porcupine.Operation
	for _, s := range segs {
		out = append(out, s...)
	}
	return out
}

// cut appends the segments of one key's ops to out; lane is a client id no
// real op uses, for the synthetic ops.
func (sg *segmenter) cut(out [][]porcupine.Operation, ops []porcupine.Operation, lane int) [][]porcupine.Operation {
	minSeg := minSegment
	if sg.min > 0 {
		minSeg = sg.min
	}
	if len(ops) < 2*minSeg {
		return append(out, ops)
	}
	if !slices.IsSortedFunc(ops, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) }) {
		ops = slices.Clone(ops)
		slices.SortStableFunc(ops, func(a, b porcupine.Operation) int { return cmp.Compare(a.Call, b.Call) })
	}
	// First find the cuts, then lay the segments out in one array, every
	// segment after the first led by its seed.
	var cuts []int
	var seeds []*linOp
	var pass passRule
	if sg.settled != nil {
		pass = sg.settled(ops)
	}
	sum := segSummary{pass: pass}
	for i, op := range ops {
		if sum.real >= minSeg && len(ops)-i >= minSeg && sum.closes(op.Call) {
			if s := sg.seed(sum.read, op.Call-1); s != nil {
				cuts, seeds = append(cuts, i), append(seeds, s)
				sum = segSummary{pass: pass}
			}
		}
		sum.add(op)
	}
	if len(cuts) == 0 {
		return append(out, ops)
	}
	all := make([]porcupine.Operation, 0, len(ops)+len(cuts)) // never regrows: segments alias it
	from, segStart := 0, 0
	for k, to := range cuts {
		all = append(all, ops[from:to]...)
		out = append(out, all[segStart:len(all):len(all)])
		segStart = len(all)
		s := seeds[k]
		all = append(all, porcupine.Operation{ClientId: lane, Input: s, Call: s.call, Output: s, Return: s.done, Metadata: s})
		from = to
	}
	all = append(all, ops[from:]...)
	return append(out, all[segStart:])
}

// segSummary is what deciding a cut needs to know of the segment so far
// (its seed, being a write that returns before every real op is called,
// never decides anything and is left out).
type segSummary struct {
	pass     passRule // nil: no unknown write may be passed
	real     int      // ops in the segment
	maxRet   int64    // latest return of a known op
	hasKnown bool
	maxWrite int64 // latest return of a known write
	hasWrite bool
	read     *linOp   // the successful read called last
	unknown  []*linOp // unknown writes; the one that last forbade a cut first
}

func (s *segSummary) add(op porcupine.Operation) {
	o := op.Input.(*linOp)
	s.real++
	if o.unknown && !isRead(o) {
		s.unknown = append(s.unknown, o)
		return
	}
	if !s.hasKnown || op.Return > s.maxRet {
		s.maxRet, s.hasKnown = op.Return, true
	}
	switch {
	case !isRead(o):
		if !s.hasWrite || op.Return > s.maxWrite {
			s.maxWrite = op.Return
		}
		s.hasWrite = true
	case !o.unknown && (s.read == nil || op.Call >= s.read.call):
		s.read = o
	}
}

// closes reports whether the segment can end before an op called at next:
// every known op in it has returned by then, its final state is forced by a
// read that follows all of its known writes, and the pass rule lets every
// unknown write of it stay.
func (s *segSummary) closes(next int64) bool {
	if !s.hasKnown || s.maxRet >= next || s.read == nil || (s.hasWrite && s.maxWrite >= s.read.call) {
		return false
	}
	for i, u := range s.unknown {
		if s.pass == nil || !s.pass(u, s.read) {
			// Ask about it first next time: it likely forbids that cut too.
			s.unknown[0], s.unknown[i] = s.unknown[i], s.unknown[0]
			return false
		}
	}
	return true
}

// maxUnknownScan bounds the unknown writes of one key kvSettled and
// appendSettled look into (each costs a pass over the key's reads); past it
// they forbid cuts (kv) or pass by the append model's second rule only.
const maxUnknownScan = 64

// maxAppendScanWork bounds the list elements appendSettled's only-append
// rule scans for one key: each unknown append is looked up in the list of
// every read that closes a segment it meets, which is otherwise reads ×
// unknowns × list length on a long closed-loop key. Past it the rule lets
// no more unknown appends through: fewer cuts, never a wrong one.
const maxAppendScanWork = 1 << 26

// kvSettled: an unknown put or append of a non-empty string may stay in a
// segment closed by read when every successful get whose value contains
// that string returned before read was called.
func kvSettled(ops []porcupine.Operation) passRule {
	var reads, unknown []*linOp
	for _, op := range ops {
		switch o := op.Input.(*linOp); {
		case o.kind == opGet && !o.unknown:
			reads = append(reads, o)
		case o.unknown && !isRead(o):
			unknown = append(unknown, o)
		}
	}
	last := make(map[*linOp]int64, len(unknown))
	if len(unknown) <= maxUnknownScan {
		for _, u := range unknown {
			if (u.kind != opPut && u.kind != opAppend) || u.str == "" {
				continue
			}
			t := int64(math.MinInt64)
			for _, r := range reads {
				if r.done > t && strings.Contains(r.outStr, u.str) {
					t = r.done
				}
			}
			last[u] = t
		}
	}
	return func(u, read *linOp) bool {
		t, ok := last[u]
		return ok && t < read.call
	}
}

// appendSettled: an unknown append of v may stay in a segment closed by
// read when it is the key's only append of v and read's list holds v, or
// when every successful read whose list holds v returned before read was
// called (the kv rule).
func appendSettled(ops []porcupine.Operation) passRule {
	appends := make(map[int64]int) // appends of each element, known or not
	var reads []*linOp             // successful reads, latest return first
	for _, op := range ops {
		switch o := op.Input.(*linOp); {
		case o.kind == opAppend:
			appends[o.num]++
		case o.kind == opRead && !o.unknown:
			reads = append(reads, o)
		}
	}
	slices.SortStableFunc(reads, func(a, b *linOp) int { return cmp.Compare(b.done, a.done) })
	type seen struct {
		read *linOp
		in   bool
	}
	last := make(map[*linOp]int64) // latest return of a read holding u's element
	observed := make(map[*linOp]seen)
	work := 0 // list elements the only-append rule has scanned, up to maxAppendScanWork
	return func(u, read *linOp) bool {
		if u.kind != opAppend {
			return false
		}
		if appends[u.num] == 1 {
			s, ok := observed[u]
			if !ok || s.read != read {
				if work += len(read.outList); work > maxAppendScanWork {
					return false // out of budget: no cut here (sound, only slower)
				}
				s = seen{read, holds(read.outList, u.num)}
				observed[u] = s
			}
			if s.in {
				return true
			}
		}
		t, ok := last[u]
		if !ok {
			if len(last) >= maxUnknownScan {
				return false
			}
			t = math.MinInt64
			for _, r := range reads {
				if holds(r.outList, u.num) {
					t = r.done
					break
				}
			}
			last[u] = t
		}
		return t < read.call
	}
}

// holds reports whether vs contains v, looking from the end: an unknown
// append a cut meets is recent, so its element is near the end of the lists
// that hold it.
func holds(vs []int64, v int64) bool {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i] == v {
			return true
		}
	}
	return false
}

// kvSeed is a put of the value read observed, at time call.
func kvSeed(read *linOp, call int64) *linOp {
	s := read.outStr
	return &linOp{kind: opPut, key: read.key, str: s, put: newKVState(s), inv: -1, ret: -1, from: read.inv, call: call, done: call}
}

// registerSeed is a write of the value read observed; an unset register has
// no write that recreates it.
func registerSeed(read *linOp, call int64) *linOp {
	if read.outNil {
		return nil
	}
	return &linOp{kind: opWrite, key: read.key, num: read.outNum, reg: regState{set: true, v: read.outNum}, inv: -1, ret: -1, from: read.inv, call: call, done: call}
}
