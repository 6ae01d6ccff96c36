package checker

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/histories"
)

// Explain describes the counterexample of an illegal result in sentences:
// first a summary, then one sentence per operation in history order naming
// the node that served it and, from roles (nil: not known), that node's role
// and term when it answered and the leader of the highest term at that time,
// e.g. "history #41 (process 2): read() → 3, completed at 1.5s, served by
// node 3, leader of term 4, while node 1 was leader of term 5". Histories
// without times say where in the history instead ("invoked at history #40").
//
// An illegal result without a counterexample, or with one the budget
// left too large to list (more than maxListed operations, not minimal),
// says which bound stopped the search for it, and falls back on
// porcupine's longest partial linearization when the explanation got that
// far: e.g. "not linearizable; the search for a small counterexample
// stopped at its time bound (2s); porcupine linearized 57 operations on
// key "x" (after the operations before history #812, from the value it read),
// leaving it at "x 1 2 y", and the next to return cannot follow them:",
// then the sentences of the last operations linearized and of the one
// that cannot follow them. It returns nil when the result is not illegal,
// or when no explanation was asked for (LinOptions.ExplainChecks < 0).
func (r *LinResult) Explain(roles *RoleTimeline) []string {
	if r == nil || r.Result != LinIllegal {
		return nil
	}
	if len(r.cex) == 0 || (!r.Minimal && len(r.cex) > maxListed && r.Partial != nil) {
		if r.explainNote == "" {
			return nil
		}
		return r.explainPartial(roles)
	}
	where := r.where(r.Key)
	how := "no operation can be dropped"
	if !r.Minimal {
		how = "the search budget ran out, so it may not be minimal"
	}
	head := fmt.Sprintf("%d operations on %s cannot be linearized together (%s), and none of the operations left out can have been the source of a value they observe:", len(r.cex), where, how)
	if len(r.cex) == 1 {
		head = fmt.Sprintf("1 operation on %s cannot be linearized even alone (%s), and none of the others can have been the source of the value it observes:", where, how)
	}
	out := []string{head}
	ops := slices.SortedFunc(slices.Values(r.cex), func(a, b *linOp) int { return cmp.Compare(a.inv, b.inv) })
	for _, o := range ops {
		s := r.describeOp(o, roles)
		if o.inv == r.Culprit {
			s += "; no order of the others leaves room for it"
		}
		out = append(out, s)
	}
	return out
}

// maxListed is the most operations Explain lists for a counterexample the
// budget left not minimal; a larger one is summed up by the partial
// linearization instead.
const maxListed = 12

// shownBeforeNext is how many of the last operations of a partial
// linearization Explain describes before the one that cannot follow them.
const shownBeforeNext = 3

// explainPartial is Explain's fallback on the partial linearization (see
// Explain).
func (r *LinResult) explainPartial(roles *RoleTimeline) []string {
	head := "not linearizable; the search for a small counterexample " + r.explainNote
	if n := len(r.cex); n > 0 {
		head = fmt.Sprintf("not linearizable: %d operations on %s cannot be linearized together, but the search for a small counterexample %s before it could shrink them", n, r.where(r.Key), r.explainNote)
	}
	p := r.Partial
	if p == nil || r.partialNext == nil {
		return []string{head + "; porcupine's partial linearizations are on the visualization"}
	}
	from := ""
	if p.From >= 0 {
		from = fmt.Sprintf(" (after the operations before %s, from the value it read)", HistoryRef(p.From))
	}
	state := html.UnescapeString(p.State)
	if state != "" {
		state = ", leaving it at " + state + ","
	}
	prefix := r.partialPrefix()
	out := []string{fmt.Sprintf("%s; porcupine linearized %d %s on %s%s%s and the next to return cannot follow them:",
		head, len(prefix), pluralS(len(prefix), "operation"), r.where(p.Key), from, state)}
	for _, o := range prefix[max(0, len(prefix)-shownBeforeNext):] {
		out = append(out, "linearized: "+r.describeOp(o, roles))
	}
	return append(out, r.describeOp(r.partialNext, roles)+"; after them, neither it nor any other operation called before it returned can take effect")
}

// where names a key in a sentence: "the register" for the single register.
func (r *LinResult) where(key string) string {
	if key == "" && r.spec.name == ModelRegister {
		return "the register"
	}
	return "key " + quoteKey(key)
}

func (r *LinResult) describeOp(o *linOp, roles *RoleTimeline) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (process %d): %s, invoked %s", HistoryRef(o.inv), o.process, r.spec.model.DescribeOperation(o, o), r.when(o.inv))
	switch {
	case o.ret < 0:
		b.WriteString(", never completed")
		return b.String()
	case o.unknown && r.hist[o.ret].Type == histories.Info:
		fmt.Fprintf(&b, ", outcome unknown (info %s)", r.when(o.ret))
	case o.unknown:
		fmt.Fprintf(&b, ", still running when the history became illegal (completed %s)", r.when(o.ret))
	default:
		fmt.Fprintf(&b, ", completed %s", r.when(o.ret))
	}
	if o.node == 0 {
		b.WriteString(", served by an unknown node")
		return b.String()
	}
	fmt.Fprintf(&b, ", served by node %d", o.node)
	if roles == nil {
		return b.String()
	}
	t := r.timeOf(o.ret)
	role, term, ok := roles.RoleAt(o.node, t)
	if ok {
		fmt.Fprintf(&b, ", %s of term %d", role, term)
	}
	switch ln, lt, found := roles.LeaderAt(t); {
	case !found:
		b.WriteString(", while no node was leader")
	case ln == o.node && ok && role == RoleLeader && lt == term:
		b.WriteString(", the leader of the highest term")
	default:
		fmt.Fprintf(&b, ", while node %d was leader of term %d", ln, lt)
	}
	return b.String()
}

func (r *LinResult) timeOf(i int) int64 {
	if r.conv.useIndex {
		return int64(i)
	}
	return r.hist[i].Time
}

func (r *LinResult) when(i int) string {
	if r.conv.useIndex {
		return "at " + HistoryRef(i)
	}
	return "at " + time.Duration(r.hist[i].Time).String()
}

// HistoryOps is the number of client operations in the checked history
// (every invoke): the count the reports give, of which Ops were checked.
func (r *LinResult) HistoryOps() int {
	if r == nil {
		return 0
	}
	if r.hist == nil {
		return r.Ops
	}
	n := 0
	for i := range r.hist {
		if r.hist[i].Process != histories.NemesisProcess && r.hist[i].Type == histories.Invoke {
			n++
		}
	}
	return n
}

// countText says how many operations were checked, of how many: "model kv,
// 6345 operations in the history, 6305 checked" (just "model kv, 7
// operations" when all were).
func (r *LinResult) countText() string {
	all := r.HistoryOps()
	if all == r.Ops {
		return fmt.Sprintf("model %s, %d %s", r.Model, r.Ops, pluralS(r.Ops, "operation"))
	}
	return fmt.Sprintf("model %s, %d %s in the history, %d checked", r.Model, all, pluralS(all, "operation"), r.Ops)
}
