package checker

import (
	"fmt"
	"html"
	"math"
	"sort"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// regState is the value of a single register; an unset register reads nil.
type regState struct {
	set bool
	v   int64
}

func registerSpec() *modelSpec {
	return &modelSpec{
		name:      ModelRegister,
		parse:     parseRegisterOp,
		closure:   registerClosure,
		seed:      registerSeed,
		failedCAS: true,
		model: porcupine.Model{
			Partition: partitionByKey,
			Init:      func() any { return regState{} },
			Step:      registerStep,
			Hash: func(s any) uint64 {
				r := s.(regState)
				if !r.set {
					return 0x9e3779b97f4a7c15
				}
				return mix64(uint64(r.v))
			},
			DescribeOperation:         describeRegisterOp,
			DescribeState:             describeRegisterState,
			DescribeOperationMetadata: describeOpMetadata,
		},
	}
}

// registerStep returns the state it was given, or the one the op boxed
// (see linOp.reg), so that a step allocates nothing.
func registerStep(state, input, _ any) (bool, any) {
	s := state.(regState)
	o := input.(*linOp)
	switch o.kind {
	case opRead:
		if o.unknown {
			return true, state
		}
		if o.outNil {
			return !s.set, state
		}
		return s.set && s.v == o.outNum, state
	case opWrite:
		return true, o.regAfter(o.num)
	case opCAS:
		if s.set && s.v == o.num {
			return true, o.regAfter(o.num2)
		}
		// An acknowledged CAS must have matched; one whose outcome is
		// unknown may have found another value and changed nothing.
		return o.unknown, state
	case opCASFail:
		return !s.set || s.v != o.num, state
	}
	return false, state
}

// regAfter is the register state o leaves, holding v.
func (o *linOp) regAfter(v int64) any {
	if o.reg != nil {
		return o.reg
	}
	return regState{set: true, v: v}
}

func parseRegisterOp(inv, done *histories.Op, o *linOp) error {
	switch inv.F {
	case "read":
		o.kind = opRead
		if done == nil || o.unknown {
			return nil
		}
		if done.Value == nil {
			o.outNil = true
			return nil
		}
		n, ok := asInt(done.Value)
		if !ok {
			return fmt.Errorf("op %d: read returned %s, want an integer or nil", done.Index, histories.DescribeValue(done.Value))
		}
		o.outNum = n
	case "write":
		o.kind = opWrite
		n, ok := asInt(inv.Value)
		if !ok {
			return fmt.Errorf("op %d: write of %s, want an integer", inv.Index, histories.DescribeValue(inv.Value))
		}
		o.num = n
		o.reg = regState{set: true, v: n}
	case "cas":
		o.kind = opCAS
		pair, ok := inv.Value.([]any)
		if !ok || len(pair) != 2 {
			return fmt.Errorf("op %d: cas of %s, want a list [old new]", inv.Index, histories.DescribeValue(inv.Value))
		}
		old, ok1 := asInt(pair[0])
		nw, ok2 := asInt(pair[1])
		if !ok1 || !ok2 {
			return fmt.Errorf("op %d: cas of %s, want a list of two integers [old new]", inv.Index, histories.DescribeValue(inv.Value))
		}
		o.num, o.num2 = old, nw
		o.reg = regState{set: true, v: nw}
		if done != nil && done.Type == histories.Fail {
			o.kind = opCASFail // convert keeps only failed compares
		}
	default:
		return fmt.Errorf("op %d: model %s has no operation %q (want read, write or cas)", inv.Index, ModelRegister, inv.F)
	}
	return nil
}

func describeRegisterOp(input, _ any) string {
	o := input.(*linOp)
	var s string
	switch o.kind {
	case opRead:
		s = "read()"
		if !o.unknown {
			if o.outNil {
				return s + " → nil"
			}
			return fmt.Sprintf("%s → %d", s, o.outNum)
		}
	case opWrite:
		s = fmt.Sprintf("write(%d)", o.num)
	case opCAS:
		s = fmt.Sprintf("cas(%d, %d)", o.num, o.num2)
	case opCASFail:
		return withKey(o.key, fmt.Sprintf("cas(%d, %d) → failed: value ≠ %d", o.num, o.num2, o.num))
	}
	if o.unknown {
		s += " → ?"
	}
	return withKey(o.key, s)
}

// describeRegisterState is shown through innerHTML by porcupine's page, so it
// is escaped like every state description.
func describeRegisterState(state any) string {
	s := state.(regState)
	if !s.set {
		return "nil"
	}
	return html.EscapeString(fmt.Sprint(s.v))
}

// asInt accepts the integer types a decoder may produce for an int64 value.
func asInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	}
	return 0, false
}

// registerClosure: every kept observer's possible sources are kept. A kept
// op observes a value v when it is a read returning v, an acknowledged CAS
// expecting v, or a CAS whose new value is itself observed (it may have
// consumed v); a failed CAS observes any value but the one it expected, so
// every op producing another value is a possible source of it. A left-out write or CAS w producing v could be the source of
// such an observer o unless w was invoked after o returned, or a kept
// acknowledged write or CAS lies wholly between w's return and o's invoke.
// Values repeat in register workloads, so that time condition is what lets
// old writes of a value go.
func registerClosure(all []*linOp) func(in []bool) bool {
	return func(in []bool) bool { return registerClosed(all, in) }
}

func registerClosed(all []*linOp, in []bool) bool {
	observed := make(map[int64]bool)
	for i, o := range all {
		switch {
		case !in[i]:
		case o.kind == opRead && !o.unknown && !o.outNil:
			observed[o.outNum] = true
		case o.kind == opCAS && !o.unknown:
			observed[o.num] = true
		}
	}
	// Each round adds at least one value, so len(all) rounds suffice.
	for round := 0; round <= len(all); round++ {
		grew := false
		for i, o := range all {
			if in[i] && o.kind == opCAS && observed[o.num2] && !observed[o.num] {
				observed[o.num] = true
				grew = true
			}
		}
		if !grew {
			break
		}
	}
	// A kept failed CAS observed some value other than its expected one:
	// every left-out op producing another value may be its source.
	failedKept := false
	for i, o := range all {
		failedKept = failedKept || (in[i] && o.kind == opCASFail)
	}
	type window struct{ call, done int64 }
	type source struct {
		window
		v int64
	}
	var shields []window                // kept acknowledged writes and CASes, by return
	sources := make(map[int64][]window) // left-out ops producing observed values
	var leftOut []source                // every left-out op producing a value, when failedKept
	for i, o := range all {
		mutates := o.kind == opWrite || o.kind == opCAS
		switch {
		case !mutates:
		case in[i] && !o.unknown:
			shields = append(shields, window{o.call, o.done})
		case !in[i]:
			v := o.num
			if o.kind == opCAS {
				v = o.num2
			}
			if observed[v] {
				sources[v] = append(sources[v], window{o.call, o.done})
			}
			if failedKept {
				leftOut = append(leftOut, source{window{o.call, o.done}, v})
			}
		}
	}
	if len(sources) == 0 && len(leftOut) == 0 {
		return true
	}
	sort.Slice(shields, func(i, j int) bool { return shields[i].done < shields[j].done })
	// latest[i]: the latest invoke among shields[:i+1].
	latest := make([]int64, len(shields))
	for i, w := range shields {
		latest[i] = w.call
		if i > 0 {
			latest[i] = max(latest[i], latest[i-1])
		}
	}
	// barrier: a shield must return before o is invoked; the one invoked
	// last rules out the most sources, those returning before its invoke.
	barrier := func(o *linOp) int64 {
		n := sort.Search(len(shields), func(j int) bool { return shields[j].done >= o.call })
		if n == 0 {
			return math.MinInt64
		}
		return latest[n-1]
	}
	for i, o := range all {
		var v int64
		switch {
		case !in[i]:
			continue
		case o.kind == opRead && !o.unknown && !o.outNil:
			v = o.outNum
		case o.kind == opCAS && (!o.unknown || observed[o.num2]):
			v = o.num
		case o.kind == opCASFail:
			b := barrier(o)
			for _, w := range leftOut {
				if w.v != o.num && w.call <= o.done && w.done >= b {
					return false // o may have found w's value
				}
			}
			continue
		default:
			continue
		}
		b := barrier(o)
		for _, w := range sources[v] {
			if w.call <= o.done && w.done >= b {
				return false // o may have read v from w
			}
		}
	}
	return true
}
