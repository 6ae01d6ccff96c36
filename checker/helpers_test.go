package checker

import (
	"github.com/raftcheck/raftcheck/histories"
)

// ev builds one history event; hist numbers a list of them.
func ev(t int64, p int, typ histories.Type, f, key string, v any) histories.Op {
	return histories.Op{Time: t, Process: p, Type: typ, F: f, Key: key, Value: v}
}

func hist(ops ...histories.Op) histories.History {
	h := make(histories.History, len(ops))
	for i, op := range ops {
		op.Index = i
		h[i] = op
	}
	return h
}

// call is a client op for histories built from intervals: invoke at start,
// complete (typ) at end; end < 0 leaves it pending.
type call struct {
	p          int
	f, key     string
	in, out    any
	start, end int64
	typ        histories.Type
	node       int
	err        string // the completion's Error
}

// fromCalls lays calls out as events in time order (invokes before
// completions at equal times).
func fromCalls(calls ...call) histories.History {
	type e struct {
		t   int64
		ret bool
		op  histories.Op
	}
	var es []e
	for _, c := range calls {
		typ := c.typ
		if typ == 0 {
			typ = histories.OK
		}
		es = append(es, e{c.start, false, histories.Op{Process: c.p, Type: histories.Invoke, F: c.f, Key: c.key, Value: c.in, Time: c.start}})
		if c.end >= 0 {
			out := c.out
			if out == nil && typ != histories.OK {
				out = c.in
			}
			if c.f == "write" || c.f == "put" || c.f == "append" || c.f == "cas" {
				out = c.in
			}
			es = append(es, e{c.end, true, histories.Op{Process: c.p, Type: typ, F: c.f, Key: c.key, Value: out, Time: c.end, Node: c.node, Error: c.err}})
		}
	}
	// Stable insertion sort: tests are small.
	for i := 1; i < len(es); i++ {
		for j := i; j > 0; j-- {
			a, b := es[j-1], es[j]
			if a.t < b.t || (a.t == b.t && (!a.ret || b.ret)) {
				break
			}
			es[j-1], es[j] = b, a
		}
	}
	ops := make([]histories.Op, len(es))
	for i, x := range es {
		ops[i] = x.op
	}
	return hist(ops...)
}
