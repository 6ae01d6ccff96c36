package checker

import (
	"fmt"
	"html"
	"strings"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// kvState is one key's value. A missing key and the empty string are the same
// state: the kv workload never writes "", and Knossos-style kv histories start
// every key as "". h is the FNV-1a hash of s, carried along so that appending
// extends the hash instead of rehashing the whole value.
type kvState struct {
	s string
	h uint64
}

var emptyKV = &kvState{h: fnvOffset}

// newKVState is the state a put of s leaves.
func newKVState(s string) *kvState { return &kvState{s: s, h: fnvString(fnvOffset, s)} }

func kvSpec() *modelSpec {
	return &modelSpec{
		name:    ModelKV,
		parse:   parseKVOp,
		closure: kvClosure,
		seed:    kvSeed,
		settled: kvSettled,
		model: porcupine.Model{
			Partition: partitionByKey,
			Init:      func() any { return emptyKV },
			Step:      kvStep,
			Equal: func(a, b any) bool {
				x, y := a.(*kvState), b.(*kvState)
				return x == y || (x.h == y.h && x.s == y.s)
			},
			Hash:                      func(s any) uint64 { return s.(*kvState).h },
			DescribeOperation:         describeKVOp,
			DescribeState:             func(s any) string { return html.EscapeString(clip(fmt.Sprintf("%q", s.(*kvState).s))) },
			DescribeOperationMetadata: describeOpMetadata,
		},
	}
}

func kvStep(state, input, _ any) (bool, any) {
	s := state.(*kvState)
	o := input.(*linOp)
	switch o.kind {
	case opGet:
		if o.unknown {
			return true, s
		}
		return o.outStr == s.s, s
	case opPut:
		return true, o.put
	case opAppend:
		return true, &kvState{s: s.s + o.str, h: fnvString(s.h, o.str)}
	case opDelete:
		return true, emptyKV
	}
	return false, s
}

func parseKVOp(inv, done *histories.Op, o *linOp) error {
	switch inv.F {
	case "get":
		o.kind = opGet
		if done == nil || o.unknown || done.Value == nil {
			o.outNil = done != nil && !o.unknown
			return nil
		}
		s, ok := done.Value.(string)
		if !ok {
			return fmt.Errorf("op %d: get returned %s, want a string or nil", done.Index, histories.DescribeValue(done.Value))
		}
		o.outStr = s
	case "put", "append":
		o.kind = opPut
		if inv.F == "append" {
			o.kind = opAppend
		}
		s, ok := inv.Value.(string)
		if !ok {
			return fmt.Errorf("op %d: %s of %s, want a string", inv.Index, inv.F, histories.DescribeValue(inv.Value))
		}
		o.str = s
		if o.kind == opPut {
			o.put = newKVState(s)
		}
	case "delete":
		o.kind = opDelete
	default:
		return fmt.Errorf("op %d: model %s has no operation %q (want get, put, append or delete)", inv.Index, ModelKV, inv.F)
	}
	return nil
}

func describeKVOp(input, _ any) string {
	o := input.(*linOp)
	var s string
	switch o.kind {
	case opGet:
		s = fmt.Sprintf("get(%s)", quoteKey(o.key))
		if !o.unknown {
			if o.outNil {
				return s + " → nil"
			}
			return s + " → " + clip(fmt.Sprintf("%q", o.outStr))
		}
	case opPut:
		s = fmt.Sprintf("put(%s, %s)", quoteKey(o.key), clip(fmt.Sprintf("%q", o.str)))
	case opAppend:
		s = fmt.Sprintf("append(%s, %s)", quoteKey(o.key), clip(fmt.Sprintf("%q", o.str)))
	case opDelete:
		s = fmt.Sprintf("delete(%s)", quoteKey(o.key))
	}
	if o.unknown {
		s += " → ?"
	}
	return s
}

// kvClosure: a put or append whose value occurs in what a get returned,
// and that may precede that get, could have contributed to it; so could a
// delete that may precede it (a delete shapes every later value).
func kvClosure(all []*linOp) func(in []bool) bool {
	sources := make([][]int, len(all))
	for i, g := range all {
		if g.kind != opGet || g.unknown {
			continue
		}
		for j, w := range all {
			if w.call > g.done {
				continue
			}
			switch w.kind {
			case opDelete:
				sources[i] = append(sources[i], j)
			case opPut, opAppend:
				if strings.Contains(g.outStr, w.str) {
					sources[i] = append(sources[i], j)
				}
			}
		}
	}
	return sourcesKept(sources)
}

// sourcesKept is the closure test for models whose sources do not depend on
// which ops are kept: every kept op's sources are kept.
func sourcesKept(sources [][]int) func(in []bool) bool {
	return func(in []bool) bool {
		for i, src := range sources {
			if !in[i] {
				continue
			}
			for _, j := range src {
				if !in[j] {
					return false
				}
			}
		}
		return true
	}
}
