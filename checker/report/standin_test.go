package report

import (
	"fmt"
	"io"
	"time"

	"github.com/anishathalye/porcupine"
)

// writeLinearizabilityStandIn writes a real porcupine visualization of the
// run's kv history, standing in for the checker package's
// linearizability.html so the browser test loads both pages. Fail and info
// ops are left out (the synthetic run never applies them).
//
// TODO(lead): use the checker's writer here once it lands.
func writeLinearizabilityStandIn(w io.Writer, r *Run) error {
	type input struct{ f, key, value string }
	type output struct {
		value  string
		exists bool
	}
	spans, err := pairOps(r.History, r.End)
	if err != nil {
		return err
	}
	var ops []porcupine.Operation
	for _, sp := range spans {
		if sp.outcome != outcomeOK {
			continue
		}
		inv, comp := r.History[sp.inv], r.History[sp.done]
		in := input{f: inv.F, key: inv.Key}
		if s, ok := inv.Value.(string); ok {
			in.value = s
		}
		var out output
		if s, ok := comp.Value.(string); ok && inv.F == "get" {
			out = output{value: s, exists: true}
		}
		ops = append(ops, porcupine.Operation{
			ClientId: inv.Process % max(1, r.Threads), Input: in, Call: inv.Time, Output: out, Return: comp.Time,
		})
	}
	model := porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			byKey := make(map[string]int)
			var parts [][]porcupine.Operation
			for _, op := range h {
				k := op.Input.(input).key
				i, ok := byKey[k]
				if !ok {
					i = len(parts)
					byKey[k] = i
					parts = append(parts, nil)
				}
				parts[i] = append(parts[i], op)
			}
			return parts
		},
		Init: func() any { return output{} },
		Step: func(state, in, out any) (bool, any) {
			st, i, o := state.(output), in.(input), out.(output)
			switch i.f {
			case "get":
				return o == st, st
			case "put":
				return true, output{value: i.value, exists: true}
			default: // append
				return true, output{value: st.value + i.value, exists: true}
			}
		},
		DescribeOperation: func(in, out any) string {
			i, o := in.(input), out.(output)
			if i.f == "get" {
				if !o.exists {
					return fmt.Sprintf("get(%q) -> nil", i.key)
				}
				return fmt.Sprintf("get(%q) -> %q", i.key, o.value)
			}
			return fmt.Sprintf("%s(%q, %q)", i.f, i.key, i.value)
		},
		DescribeState: func(state any) string {
			st := state.(output)
			if !st.exists {
				return "nil"
			}
			return fmt.Sprintf("%q", st.value)
		},
	}
	res, info := porcupine.CheckOperationsVerbose(model, ops, 20*time.Second)
	if res != porcupine.Ok {
		return fmt.Errorf("stand-in check of the synthetic history: %v (the generator must produce a linearizable history)", res)
	}
	return porcupine.Visualize(model, info, w)
}
