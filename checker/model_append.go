package checker

import (
	"fmt"
	"html"
	"slices"
	"strings"
	"sync"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// listNode is a persistent list: appending allocates one node and shares the
// prefix, so a step costs O(1) however long the key's list is. The empty list
// is a nil *listNode.
type listNode struct {
	prev *listNode
	v    int64
	n    int    // length of the list ending here
	h    uint64 // hash of the whole list
}

func (l *listNode) len() int {
	if l == nil {
		return 0
	}
	return l.n
}

func (l *listNode) hash() uint64 {
	if l == nil {
		return 0
	}
	return l.h
}

func (l *listNode) push(v int64) *listNode {
	return &listNode{prev: l, v: v, n: l.len() + 1, h: mix64(l.hash()^uint64(v)) + 1}
}

// equals reports whether l holds exactly vs, walking from the tail.
func (l *listNode) equals(vs []int64) bool {
	if l.len() != len(vs) {
		return false
	}
	for i := len(vs) - 1; i >= 0; i-- {
		if l.v != vs[i] {
			return false
		}
		l = l.prev
	}
	return true
}

func listEqual(a, b *listNode) bool {
	if a.len() != b.len() || a.hash() != b.hash() {
		return false
	}
	for a != b {
		if a.v != b.v {
			return false
		}
		a, b = a.prev, b.prev
	}
	return true
}

func appendSpec() *modelSpec {
	lists := newListInterner()
	return &modelSpec{
		name:    ModelAppend,
		parse:   lists.parseAppendOp,
		closure: appendClosure,
		seed:    appendSeed,
		settled: appendSettled,
		model: porcupine.Model{
			Partition:                 partitionByKey,
			Init:                      func() any { return (*listNode)(nil) },
			Step:                      appendStep,
			Equal:                     func(a, b any) bool { return listEqual(a.(*listNode), b.(*listNode)) },
			Hash:                      func(s any) uint64 { return s.(*listNode).hash() },
			DescribeOperation:         describeAppendOp,
			DescribeState:             func(s any) string { return html.EscapeString(describeList(s.(*listNode))) },
			DescribeOperationMetadata: describeOpMetadata,
		},
	}
}

// appendStep: a read must see exactly the list; comparing with its interned
// list costs O(1) unless the lengths and hashes agree, and then a walk back
// to the first node the two lists share (a segment's seed, at the latest).
func appendStep(state, input, _ any) (bool, any) {
	l := state.(*listNode)
	o := input.(*linOp)
	switch o.kind {
	case opRead:
		if o.unknown {
			return true, l
		}
		if o.list == nil && len(o.outList) > 0 {
			return l.equals(o.outList), l // not interned (built by hand)
		}
		return listEqual(l, o.list), l
	case opAppend:
		return true, l.push(o.num)
	case opSet:
		return true, o.list
	}
	return false, l
}

// listInterner shares the lists that one check's append reads returned.
// Closed-loop reads of a key return ever longer lists that extend one
// another: held separately they cost O(reads × length) memory — gigabytes
// for a minute of closed loop — and comparing each with the model's state
// costs a walk over the whole list. Interned, a read's outList is a window
// on an array shared with the other reads of its key, and its list is a
// node of a persistent list whose prefix nodes the other reads share, so
// that a read and a state that agree share nodes from the segment's seed
// on (see appendStep). Only the representation is shared: every read keeps
// exactly the elements it returned.
type listInterner struct {
	mu   sync.Mutex // convert parses serially; the lock only guards misuse
	keys map[string]*keyLists
}

func newListInterner() *listInterner { return &listInterner{keys: make(map[string]*keyLists)} }

// ints is intList, interned: v's elements as integers, in an array shared
// with the other lists of key (ok false: v is not a list of integers).
func (in *listInterner) ints(key string, v any) ([]int64, bool) {
	if v == nil {
		return nil, true
	}
	vs, ok := v.([]any)
	if !ok {
		return nil, false
	}
	for _, x := range vs {
		if _, ok := asInt(x); !ok {
			return nil, false
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	vals, _ := in.intern(key, vs)
	return vals, true
}

// keyLists holds the most recently used branches of one key's reads.
type keyLists struct {
	tips []*listTip // most recently used first, at most maxTips
}

// listTip is one branch: nodes[i] is the list vals[:i+1]. vals's backing
// array is shared with reads' outList up to len(vals) and is only ever
// appended to past it (the reads' slices have no capacity left, so no one
// else writes there); a read that diverges from every tip starts a new one
// on a fresh array.
type listTip struct {
	vals  []int64
	nodes []*listNode
}

// maxTips bounds the branches kept per key: reads of a correct store all lie
// on one, and a few more keep a buggy one that flips between two lists from
// copying at every flip.
const maxTips = 4

// parseAppendOp parses an append-workload op, interning a read's list.
func (in *listInterner) parseAppendOp(inv, done *histories.Op, o *linOp) error {
	switch inv.F {
	case "append":
		o.kind = opAppend
		n, ok := asInt(inv.Value)
		if !ok {
			return fmt.Errorf("op %d: append of %T %v, want an integer", inv.Index, inv.Value, inv.Value)
		}
		o.num = n
	case "read":
		o.kind = opRead
		if done == nil || o.unknown || done.Value == nil {
			return nil
		}
		vs, ok := done.Value.([]any)
		if !ok {
			return fmt.Errorf("op %d: read returned %T %v, want a list of integers", done.Index, done.Value, done.Value)
		}
		for i, v := range vs {
			if _, ok := asInt(v); !ok {
				return fmt.Errorf("op %d: read returned element %d = %T %v, want an integer", done.Index, i, v, v)
			}
		}
		in.mu.Lock()
		o.outList, o.list = in.intern(inv.Key, vs)
		in.mu.Unlock()
	default:
		return fmt.Errorf("op %d: model %s has no operation %q (want append or read)", inv.Index, ModelAppend, inv.F)
	}
	return nil
}

// intern returns vs (every element an integer) as a slice with no spare
// capacity and as a persistent list, both shared with earlier reads of key
// where they agree.
func (in *listInterner) intern(key string, vs []any) ([]int64, *listNode) {
	k := in.keys[key]
	if k == nil {
		k = &keyLists{}
		in.keys[key] = k
	}
	// The tip sharing the longest prefix with vs.
	best, lcp := -1, -1
	for i, t := range k.tips {
		n := commonPrefix(t.vals, vs)
		if n > lcp {
			best, lcp = i, n
		}
		if n == len(vs) {
			break
		}
	}
	var t *listTip
	switch {
	case best >= 0 && (lcp == len(vs) || lcp == len(k.tips[best].vals)):
		// vs lies on this branch, or extends it: reuse it in place.
		t = k.tips[best]
		k.tips = slices.Delete(k.tips, best, best+1)
	default:
		// A new branch on a fresh array, sharing the prefix's nodes.
		t = &listTip{}
		if best >= 0 {
			b := k.tips[best]
			t.vals = slices.Clone(b.vals[:lcp])
			t.nodes = slices.Clone(b.nodes[:lcp])
		}
		if len(k.tips) == maxTips {
			k.tips = k.tips[:maxTips-1]
		}
	}
	k.tips = slices.Insert(k.tips, 0, t)
	for i := len(t.vals); i < len(vs); i++ {
		n, _ := asInt(vs[i])
		var prev *listNode
		if i > 0 {
			prev = t.nodes[i-1]
		}
		t.vals = append(t.vals, n)
		t.nodes = append(t.nodes, prev.push(n))
	}
	if len(vs) == 0 {
		return []int64{}, nil
	}
	return t.vals[:len(vs):len(vs)], t.nodes[len(vs)-1]
}

// commonPrefix is how many leading elements vals and vs share.
func commonPrefix(vals []int64, vs []any) int {
	n := min(len(vals), len(vs))
	for i := range n {
		if x, _ := asInt(vs[i]); x != vals[i] {
			return i
		}
	}
	return n
}

// appendSeed sets the list read observed, at time call.
func appendSeed(read *linOp, call int64) *linOp {
	l := read.list
	if l == nil {
		for _, v := range read.outList { // not interned (built by hand)
			l = l.push(v)
		}
	}
	return &linOp{kind: opSet, key: read.key, list: l, inv: -1, ret: -1, from: read.inv, call: call, done: call}
}

func describeAppendOp(input, _ any) string {
	o := input.(*linOp)
	var s string
	switch o.kind {
	case opRead:
		s = fmt.Sprintf("read(%s)", quoteKey(o.key))
		if !o.unknown {
			return s + " → " + describeInts(o.outList)
		}
	case opAppend:
		s = fmt.Sprintf("append(%s, %d)", quoteKey(o.key), o.num)
	case opSet:
		return fmt.Sprintf("seed(%s) = %s", quoteKey(o.key), describeList(o.list))
	}
	if o.unknown {
		s += " → ?"
	}
	return s
}

// maxListShown bounds how many elements a description spells out.
const maxListShown = 12

func describeList(l *listNode) string {
	n := l.len()
	k := min(n, maxListShown)
	tail := make([]int64, k)
	for i := k - 1; i >= 0; i-- {
		tail[i] = l.v
		l = l.prev
	}
	return describeTail(tail, n)
}

func describeInts(vs []int64) string {
	if len(vs) > maxListShown {
		return describeTail(vs[len(vs)-maxListShown:], len(vs))
	}
	return describeTail(vs, len(vs))
}

// describeTail renders the last elements of an n-element list.
func describeTail(tail []int64, n int) string {
	var b strings.Builder
	b.WriteByte('[')
	if n > len(tail) {
		fmt.Fprintf(&b, "…%d more… ", n-len(tail))
	}
	for i, v := range tail {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, v)
	}
	b.WriteByte(']')
	return b.String()
}

// appendClosure: the append of an element a read returned, when it may
// precede that read, is the read's source.
func appendClosure(all []*linOp) func(in []bool) bool {
	appendOf := make(map[int64][]int)
	for j, w := range all {
		if w.kind == opAppend {
			appendOf[w.num] = append(appendOf[w.num], j)
		}
	}
	sources := make([][]int, len(all))
	for i, r := range all {
		if r.kind != opRead || r.unknown {
			continue
		}
		for _, v := range r.outList {
			for _, j := range appendOf[v] {
				if all[j].call <= r.done {
					sources[i] = append(sources[i], j)
				}
			}
		}
	}
	return sourcesKept(sources)
}
