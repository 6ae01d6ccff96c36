package checker

import (
	"fmt"
	"html"
	"strings"

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
	return &modelSpec{
		name:    ModelAppend,
		parse:   parseAppendOp,
		closure: appendClosure,
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

func appendStep(state, input, _ any) (bool, any) {
	l := state.(*listNode)
	o := input.(*linOp)
	switch o.kind {
	case opRead:
		return o.unknown || l.equals(o.outList), l
	case opAppend:
		return true, l.push(o.num)
	}
	return false, l
}

func parseAppendOp(inv, done *histories.Op, o *linOp) error {
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
		o.outList = make([]int64, len(vs))
		for i, v := range vs {
			n, ok := asInt(v)
			if !ok {
				return fmt.Errorf("op %d: read returned element %d = %T %v, want an integer", done.Index, i, v, v)
			}
			o.outList[i] = n
		}
	default:
		return fmt.Errorf("op %d: model %s has no operation %q (want append or read)", inv.Index, ModelAppend, inv.F)
	}
	return nil
}

func describeAppendOp(input, _ any) string {
	o := input.(*linOp)
	var s string
	switch o.kind {
	case opRead:
		s = fmt.Sprintf("read(%q)", o.key)
		if !o.unknown {
			return s + " → " + describeInts(o.outList)
		}
	case opAppend:
		s = fmt.Sprintf("append(%q, %d)", o.key, o.num)
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
