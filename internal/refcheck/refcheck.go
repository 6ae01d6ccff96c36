// Package refcheck is the baseline raftcheck's checker is timed against:
// porcupine's own search (porcupine.CheckOperations) with plain models of
// the kind porcupine's tests use, on the histories porcupine's test data
// holds (the Jepsen etcd register logs and the Knossos kv family). Nothing
// of raftcheck's checker is in it — no segmenting, no bounds, no
// reductions — so `raftcheck bench` can print the two side by side on the
// same parsed files.
//
// The histories are turned into porcupine operations as porcupine's own
// test parsers do: positions stand in for times, an info completion leaves
// its operation open, and every operation still open at the end returns
// after everything else with an unknown output.
package refcheck

import (
	"fmt"
	"hash/maphash"
	"math"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// Check runs porcupine.CheckOperations on ops with model: the baseline
// verdict.
func Check(model porcupine.Model, ops []porcupine.Operation) bool {
	return porcupine.CheckOperations(model, ops)
}

// pair walks h and calls done for every client invoke with its completion
// (nil: still open at the end, or closed by an info) and its return time.
// A fail whose outcome is unknown (a read that timed out) is a completion.
func pair(h histories.History, done func(inv histories.Op, call int64, ret *histories.Op, at int64)) {
	open := make(map[int]int) // process → position of its open invoke
	closed := make([]bool, len(h))
	for i, op := range h {
		if op.Process == histories.NemesisProcess {
			continue
		}
		switch op.Type {
		case histories.Invoke:
			open[op.Process] = i
		case histories.OK, histories.Fail:
			at, ok := open[op.Process]
			if !ok {
				continue
			}
			delete(open, op.Process)
			closed[at] = true
			done(h[at], int64(at), &h[i], int64(i))
		}
	}
	end := int64(len(h))
	for i, op := range h {
		if op.Type == histories.Invoke && op.Process != histories.NemesisProcess && !closed[i] {
			done(op, int64(i), nil, end)
		}
	}
}

// regInput is a register operation: read, write a, or cas a → b.
type regInput struct {
	f    byte // 'r', 'w', 'c'
	a, b int64
}

// regOutput is what the operation returned.
type regOutput struct {
	unknown bool // timed out: anything goes
	ok      bool // cas: the compare held
	isNil   bool // read: the register was unset
	v       int64
}

// unset is the register's state before the first write (the logs' values
// are small integers).
const unset = math.MinInt64

// RegisterModel is the etcd logs' register, its state an integer as in
// porcupine's own tests: reads see the value, writes set it, a cas sets b
// when the value is a and fails when it is not, and an unknown outcome
// accepts anything (a cas then takes effect when it can).
func RegisterModel() porcupine.Model {
	return porcupine.Model{
		Init: func() any { return int64(unset) },
		Step: func(state, input, output any) (bool, any) {
			s, in, out := state.(int64), input.(regInput), output.(regOutput)
			switch in.f {
			case 'r':
				return out.unknown || (out.isNil && s == unset) || (!out.isNil && s == out.v), state
			case 'w':
				return true, in.a
			}
			match := s == in.a
			switch {
			case out.unknown:
				if match {
					return true, in.b
				}
				return true, state
			case out.ok:
				return match, in.b
			}
			return !match, state
		},
		DescribeOperation: func(input, output any) string { return fmt.Sprintf("%v → %v", input, output) },
	}
}

// EtcdOps turns an etcd register log into porcupine operations.
func EtcdOps(h histories.History) ([]porcupine.Operation, error) {
	var ops []porcupine.Operation
	var bad error
	pair(h, func(inv histories.Op, call int64, ret *histories.Op, at int64) {
		in, out := regInput{}, regOutput{unknown: ret == nil || ret.Error != "" && ret.Error != histories.ErrCASMismatch}
		switch inv.F {
		case "read":
			in.f = 'r'
			if !out.unknown {
				v, ok := ret.Value.(int64)
				out.isNil, out.v = !ok, v
			}
		case "write":
			in.f = 'w'
			in.a, _ = inv.Value.(int64)
		case "cas":
			in.f = 'c'
			ab, _ := inv.Value.([]any)
			if len(ab) != 2 {
				bad = fmt.Errorf("op %d: cas without [old new]", inv.Index)
				return
			}
			in.a, _ = ab[0].(int64)
			in.b, _ = ab[1].(int64)
			out.ok = ret != nil && ret.Type == histories.OK
		default:
			bad = fmt.Errorf("op %d: %q is not a register operation", inv.Index, inv.F)
			return
		}
		ops = append(ops, porcupine.Operation{ClientId: inv.Process, Input: in, Call: call, Output: out, Return: at})
	})
	return ops, bad
}

// kvInput is a kv operation on one key.
type kvInput struct {
	f        byte // 'g', 'p', 'a'
	key, val string
}

// kvSeed hashes the kv model's states.
var kvSeed = maphash.MakeSeed()

// KVModel is the Knossos kv family's map, partitioned by key: a get
// returns the value ("" when unset), a put sets it, an append extends it.
func KVModel() porcupine.Model {
	return porcupine.Model{
		Partition: func(ops []porcupine.Operation) [][]porcupine.Operation {
			at := make(map[string]int)
			var parts [][]porcupine.Operation
			for _, op := range ops {
				k := op.Input.(kvInput).key
				i, ok := at[k]
				if !ok {
					i = len(parts)
					at[k] = i
					parts = append(parts, nil)
				}
				parts[i] = append(parts[i], op)
			}
			return parts
		},
		Init: func() any { return "" },
		Step: func(state, input, output any) (bool, any) {
			s, in := state.(string), input.(kvInput)
			switch in.f {
			case 'g':
				out, known := output.(string)
				return !known || out == s, s
			case 'p':
				return true, in.val
			}
			return true, s + in.val
		},
		Hash:              func(state any) uint64 { return maphash.String(kvSeed, state.(string)) },
		Equal:             func(a, b any) bool { return a.(string) == b.(string) },
		DescribeOperation: func(input, output any) string { return fmt.Sprintf("%v → %v", input, output) },
	}
}

// KVOps turns a Knossos kv history into porcupine operations.
func KVOps(h histories.History) ([]porcupine.Operation, error) {
	var ops []porcupine.Operation
	var bad error
	pair(h, func(inv histories.Op, call int64, ret *histories.Op, at int64) {
		if ret != nil && ret.Type == histories.Fail {
			return // it did not happen
		}
		in := kvInput{key: inv.Key}
		switch inv.F {
		case "get":
			in.f = 'g'
		case "put":
			in.f = 'p'
		case "append":
			in.f = 'a'
		default:
			bad = fmt.Errorf("op %d: %q is not a kv operation", inv.Index, inv.F)
			return
		}
		in.val, _ = inv.Value.(string)
		var out any // nil: unknown
		if ret != nil && ret.Type == histories.OK && in.f == 'g' {
			s, _ := ret.Value.(string)
			out = s
		}
		ops = append(ops, porcupine.Operation{ClientId: inv.Process, Input: in, Call: call, Output: out, Return: at})
	})
	return ops, bad
}
