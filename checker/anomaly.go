package checker

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/histories"
)

// Anomaly kinds, as in [Anomaly].Kind: what a counterexample shows, named
// the way Jepsen's reports name them.
const (
	// AnomalyStaleRead: a read returned a state older than one already
	// visible before it began: it missed a write acknowledged before it
	// began (a write later reads still show), or a write an earlier read
	// had already returned.
	AnomalyStaleRead = "stale-read"
	// AnomalyLostWrite: an acknowledged write is missing from every read
	// that began after it completed (and reads after the first such read
	// exist): the cluster forgot it.
	AnomalyLostWrite = "lost-write"
	// AnomalyDuplicateApply: a read shows one write's effect twice (an
	// element appended once appears twice): a retried request applied again.
	AnomalyDuplicateApply = "duplicate-apply"
	// AnomalyNeverWritten: a read returned a value no operation could have
	// produced.
	AnomalyNeverWritten = "value-never-written"
	// AnomalyRealTimeOrder: a read shows two writes in the opposite order
	// to real time: the one acknowledged before the other began comes after it.
	AnomalyRealTimeOrder = "real-time-order"
	// AnomalyNotLinearizable: none of the rules above applies (or the
	// history does not say enough to apply one); the operations still
	// cannot be linearized together.
	AnomalyNotLinearizable = "not-linearizable"
)

// anomalyTitles are the kinds as a sentence begins with them.
var anomalyTitles = map[string]string{
	AnomalyStaleRead:       "stale read",
	AnomalyLostWrite:       "lost write",
	AnomalyDuplicateApply:  "duplicate apply",
	AnomalyNeverWritten:    "value never written",
	AnomalyRealTimeOrder:   "real-time order violation",
	AnomalyNotLinearizable: "not linearizable",
}

// AnomalyTitle is kind in words ("stale read"), or kind itself when unknown.
func AnomalyTitle(kind string) string {
	if t, ok := anomalyTitles[kind]; ok {
		return t
	}
	return kind
}

// Anomaly is what a linearizability counterexample shows, classified: its
// kind, one sentence saying it (Summary), and the operations that prove it
// with the nodes that served them, their roles and terms, and the faults
// running then. Nodes, roles and faults are given only where the history and
// the run say them: a foreign history's anomaly names no role or fault.
type Anomaly struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary"` // one sentence, starting with the kind in words
	Key     string `json:"key,omitempty"`
	// Time is when the anomaly became visible: the completion of the
	// operation that shows it (virtual nanoseconds; a history position
	// when the history has no times, see Untimed).
	Time    int64 `json:"time_ns"`
	Untimed bool  `json:"untimed,omitempty"`
	// Ops are the decisive operations, the one that shows the anomaly
	// first (see the AnomalyOp roles).
	Ops []AnomalyOp `json:"ops"`
	// Leader is the leader of the highest term at Time, when known.
	Leader *NodeTerm `json:"leader,omitempty"`
	// Faults are the fault windows that overlap the first operation.
	Faults []ActiveFault `json:"faults,omitempty"`
	// Also lists the rest of the counterexample (history positions of
	// invokes): operations it needs but that do not state the anomaly.
	Also []int `json:"also,omitempty"`
}

// Roles of the operations of an [Anomaly].
const (
	RoleRead        = "read"         // the read that shows the anomaly
	RoleMissedWrite = "missed-write" // the acknowledged write it did not see
	RoleEarlierRead = "earlier-read" // a read that completed before it began and saw more
	RoleLaterRead   = "later-read"   // a read after it, which shows the missed write was kept
	RoleSource      = "source"       // a write whose value it returned
	RoleDuplicated  = "duplicated"   // the write that shows twice
	RoleFirst       = "first"        // of two writes seen out of order: the earlier in real time
	RoleSecond      = "second"       // the later in real time, seen first
	RoleCulprit     = "culprit"      // the op no order of the others leaves room for
)

// AnomalyOp is one decisive operation of an [Anomaly].
type AnomalyOp struct {
	Role string `json:"role"`
	// Index is the history position of the invoke (the "index" field of
	// history.jsonl); Completion that of its completion (-1: none).
	Index      int    `json:"index"`
	Completion int    `json:"completion"`
	Process    int    `json:"process"`
	Op         string `json:"op"`      // e.g. get("x") → "1"
	Outcome    string `json:"outcome"` // ok, info or pending
	Invoked    int64  `json:"invoked_ns"`
	Completed  int64  `json:"completed_ns,omitempty"` // 0 when it never completed
	Node       int    `json:"node,omitempty"`         // the node that answered, 0 unknown
	NodeRole   string `json:"node_role,omitempty"`    // its role when it answered, when known
	Term       uint64 `json:"term,omitempty"`
}

// NodeTerm is a node and a term.
type NodeTerm struct {
	Node int    `json:"node"`
	Term uint64 `json:"term"`
}

// ActiveFault is a fault window as the explanation of an anomaly uses it:
// the fault, when it ran, the nodes it acted on and, for a partition, its sides.
type ActiveFault struct {
	Fault string  `json:"fault"`
	Start int64   `json:"start_ns"`
	End   int64   `json:"end_ns"`
	Nodes []int   `json:"nodes,omitempty"` // the nodes acted on
	Sides [][]int `json:"sides,omitempty"` // a partition's sides, when known
}

// AnomalyContext is what a run knows beyond the history: roles and faults.
// Either may be empty.
type AnomalyContext struct {
	Roles  *RoleTimeline
	Faults []ActiveFault
}

// Anomaly classifies the counterexample of an illegal result (nil when the
// result is not illegal). The kind comes from rules on the counterexample,
// the whole key's history and the model (see the Anomaly* kinds); when none
// applies, or the search found no counterexample, the kind is
// AnomalyNotLinearizable and the sentence names the culprit. Its work is
// bounded by a step budget, not by time: past it, it says less.
func (r *LinResult) Anomaly(ctx AnomalyContext) *Anomaly {
	if r == nil || r.Result != LinIllegal || r.spec == nil {
		return nil
	}
	if len(r.cex) == 0 {
		a := &Anomaly{Kind: AnomalyNotLinearizable, Untimed: r.conv.useIndex, Ops: []AnomalyOp{}}
		a.Summary = "not linearizable: porcupine found no linearization"
		if r.explainNote != "" {
			a.Summary += "; the search for a small counterexample " + r.explainNote
		}
		return a
	}
	c := newClassifier(r)
	c.roles = ctx.Roles
	f := c.classify()
	return r.describe(f, ctx)
}

// finding is a classification before it is put in words.
type finding struct {
	kind string
	ops  []roleOp // the decisive ops, the observing one first
	// For duplicate apply and value never written, the value in question.
	value string
	count int // how often the value shows (duplicate apply)
	// later: reads after the read that also missed the write (lost write).
	later int
}

type roleOp struct {
	role string
	op   *linOp
}

// describe puts a finding in words and data.
func (r *LinResult) describe(f finding, ctx AnomalyContext) *Anomaly {
	a := &Anomaly{Kind: f.kind, Key: r.Key, Untimed: r.conv.useIndex}
	in := make(map[int]bool)
	for _, ro := range f.ops {
		a.Ops = append(a.Ops, r.anomalyOp(ro, ctx.Roles))
		in[ro.op.inv] = true
	}
	for _, pos := range r.Counterexample {
		if !in[pos] {
			a.Also = append(a.Also, pos)
		}
	}
	first := f.ops[0].op
	a.Time = r.timeOf(first.inv)
	if first.ret >= 0 {
		a.Time = r.timeOf(first.ret)
	}
	if ctx.Roles != nil && !r.conv.useIndex {
		if n, t, ok := ctx.Roles.LeaderAt(a.Time); ok {
			a.Leader = &NodeTerm{Node: n, Term: t}
		}
	}
	if !r.conv.useIndex {
		a.Faults = overlapping(ctx.Faults, r.timeOf(first.inv), a.Time)
	}
	a.Summary = r.sentence(f, a, ctx)
	return a
}

// anomalyOp is o as data, with its node's role and term from roles.
func (r *LinResult) anomalyOp(ro roleOp, roles *RoleTimeline) AnomalyOp {
	o := ro.op
	out := AnomalyOp{Role: ro.role, Index: o.inv, Completion: o.ret, Process: o.process, Node: o.node,
		Op: r.spec.model.DescribeOperation(o, o), Outcome: "ok", Invoked: r.hist[o.inv].Time}
	switch {
	case o.ret < 0:
		out.Outcome = "pending"
	case r.hist[o.ret].Type == histories.Info:
		out.Outcome = "info"
	}
	if o.ret >= 0 {
		out.Completed = r.hist[o.ret].Time
	}
	if roles != nil && o.node != 0 && o.ret >= 0 && !r.conv.useIndex {
		if role, term, ok := roles.RoleAt(o.node, r.hist[o.ret].Time); ok {
			out.NodeRole, out.Term = role, term
		}
	}
	return out
}

// overlapping returns the fault windows that overlap [t0, t1].
func overlapping(faults []ActiveFault, t0, t1 int64) []ActiveFault {
	var out []ActiveFault
	for _, f := range faults {
		if f.Start <= t1 && f.End >= t0 {
			out = append(out, f)
		}
	}
	return out
}

// HistoryRef names a history position as the reports do: "history #678",
// the "index" of that line of history.jsonl.
func HistoryRef(i int) string { return fmt.Sprintf("history #%d", i) }

// sentence says the finding in one sentence.
func (r *LinResult) sentence(f finding, a *Anomaly, ctx AnomalyContext) string {
	var b strings.Builder
	b.WriteString(AnomalyTitle(f.kind))
	b.WriteString(": ")
	read := f.ops[0].op
	subject := fmt.Sprintf("the %s at %s", r.callText(read), HistoryRef(read.inv))
	served := r.servedBy(read, ctx.Roles)
	if served != "" {
		subject += ", served by " + served + ","
	}
	switch f.kind {
	case AnomalyStaleRead, AnomalyLostWrite:
		w := f.ops[1].op
		if f.kind == AnomalyLostWrite {
			fmt.Fprintf(&b, "%s (%s)", r.callText(w), HistoryRef(w.inv))
			if by := r.servedBy(w, ctx.Roles); by != "" {
				fmt.Fprintf(&b, ", acknowledged by %s", by)
			} else {
				b.WriteString(", acknowledged")
			}
			if !r.conv.useIndex {
				fmt.Fprintf(&b, " at %s", fmtTime(r.hist[w.ret].Time))
			}
			fmt.Fprintf(&b, ", is missing from every read of %s that began after it: first the %s at %s", keyText(r), r.callText(read), HistoryRef(read.inv))
			if !r.conv.useIndex {
				fmt.Fprintf(&b, ", which began %s later", fmtGap(time.Duration(r.hist[read.inv].Time-r.hist[w.ret].Time)))
			}
			if served != "" {
				b.WriteString(", served by " + served + ",")
			}
			fmt.Fprintf(&b, " returned %s", r.resultText(read))
			if f.later > 0 {
				fmt.Fprintf(&b, ", and none of the %d %s after it shows it", f.later, pluralS(f.later, "read"))
			}
			break
		}
		fmt.Fprintf(&b, "%s did not see %s (%s)", subject, r.callText(w), HistoryRef(w.inv))
		if len(f.ops) > 2 && f.ops[2].role == RoleEarlierRead {
			e := f.ops[2].op
			fmt.Fprintf(&b, ", which the %s at %s", opName(e), HistoryRef(e.inv))
			if by := r.servedBy(e, ctx.Roles); by != "" {
				fmt.Fprintf(&b, " (served by %s)", by)
			}
			fmt.Fprintf(&b, " had already returned %s", r.gap(e, read))
			if w.unknown {
				b.WriteString(" (the write's own outcome is unknown)")
			}
			break
		}
		b.WriteString(", which ")
		if by := r.servedBy(w, ctx.Roles); by != "" {
			b.WriteString(by + " ")
		} else {
			b.WriteString("was ")
		}
		fmt.Fprintf(&b, "acknowledged %s", r.gap(w, read))
	case AnomalyDuplicateApply:
		fmt.Fprintf(&b, "%s returned %s, which holds %s %d times", subject, r.resultText(read), f.value, f.count)
		dups := 0
		for _, ro := range f.ops[1:] {
			if ro.role == RoleDuplicated {
				dups++
			}
		}
		switch dups {
		case 0:
			b.WriteString(", though no operation wrote it")
		case 1:
			w := f.ops[1].op
			fmt.Fprintf(&b, ", but only one operation wrote it: %s (%s, %s)", r.callText(w), HistoryRef(w.inv), outcomeText(r, w))
		default:
			fmt.Fprintf(&b, ", but only %d operations wrote it", dups)
		}
	case AnomalyNeverWritten:
		fmt.Fprintf(&b, "%s returned %s", subject, r.resultText(read))
		if f.value != "" {
			fmt.Fprintf(&b, ", holding %s, which no operation that did not fail wrote", f.value)
		} else {
			b.WriteString(", which no sequence of the key's operations that did not fail can produce")
		}
	case AnomalyRealTimeOrder:
		first, second := f.ops[1].op, f.ops[2].op
		fmt.Fprintf(&b, "%s returned %s, which shows %s (%s) before %s (%s), but the latter was acknowledged before the former began",
			subject, r.resultText(read), r.callText(second), HistoryRef(second.inv), r.callText(first), HistoryRef(first.inv))
	default:
		b.WriteString(subject)
		if isRead(read) && !read.unknown {
			fmt.Fprintf(&b, " returned %s, which", r.resultText(read))
		}
		others := len(r.cex) - 1
		where := "the register"
		if r.Key != "" {
			where = "key " + keyText(r)
		}
		if others == 0 {
			fmt.Fprintf(&b, " fits no state %s can be in", where)
		} else {
			fmt.Fprintf(&b, " fits no order of the other %d %s on %s", others, pluralS(others, "operation"), where)
		}
	}
	if s := faultPhrase(a.Faults, read.node); s != "" {
		b.WriteString("; " + s)
	}
	return b.String()
}

// opName is an op's function as a noun: "get", "read", "append".
func opName(o *linOp) string {
	switch o.kind {
	case opGet:
		return "get"
	case opRead:
		return "read"
	case opPut:
		return "put"
	case opAppend:
		return "append"
	case opDelete:
		return "delete"
	case opWrite:
		return "write"
	case opCAS, opCASFail:
		return "cas"
	}
	return "operation"
}

// callText is an op's call without its result: get("x"), append("x", 3).
func (r *LinResult) callText(o *linOp) string {
	var s string
	switch o.kind {
	case opGet:
		s = "get()"
	case opRead:
		s = "read()"
	case opPut:
		s = fmt.Sprintf("put(%s)", clip(fmt.Sprintf("%q", o.str)))
	case opAppend:
		if r.spec.name == ModelAppend {
			s = fmt.Sprintf("append(%d)", o.num)
		} else {
			s = fmt.Sprintf("append(%s)", clip(fmt.Sprintf("%q", o.str)))
		}
	case opDelete:
		s = "delete()"
	case opWrite:
		s = fmt.Sprintf("write(%d)", o.num)
	case opCAS, opCASFail:
		s = fmt.Sprintf("cas(%d, %d)", o.num, o.num2)
	default:
		s = "op()"
	}
	if o.key == "" {
		return s
	}
	open := strings.IndexByte(s, '(')
	arg := s[open+1 : len(s)-1]
	if arg == "" {
		return fmt.Sprintf("%s(%q)", s[:open], o.key)
	}
	return fmt.Sprintf("%s(%q, %s)", s[:open], o.key, arg)
}

// resultText is what a read returned, clipped.
func (r *LinResult) resultText(o *linOp) string {
	switch {
	case o.unknown:
		return "?"
	case o.kind == opRead && r.spec.name == ModelAppend:
		return describeInts(o.outList)
	case o.outNil:
		return "nil"
	case o.kind == opRead:
		return fmt.Sprint(o.outNum)
	}
	return clip(fmt.Sprintf("%q", o.outStr))
}

func keyText(r *LinResult) string {
	if r.Key == "" {
		return "the register"
	}
	return fmt.Sprintf("%q", r.Key)
}

func outcomeText(r *LinResult, o *linOp) string {
	switch {
	case o.ret < 0:
		return "never completed"
	case r.hist[o.ret].Type == histories.Info:
		return "outcome unknown"
	}
	return "acknowledged"
}

// gap says how long before read began op completed: "97 ms before the get
// began", or by history position when the history has no times.
func (r *LinResult) gap(op, read *linOp) string {
	if r.conv.useIndex || op.ret < 0 {
		return fmt.Sprintf("before the %s began (its completion is %s)", opName(read), HistoryRef(op.ret))
	}
	d := time.Duration(r.hist[read.inv].Time - r.hist[op.ret].Time)
	return fmt.Sprintf("%s before the %s began", fmtGap(d), opName(read))
}

// servedBy names the node that answered o with, from roles, its role and
// term then: "node 3 (a deposed leader of term 2; node 1 led term 3)". ""
// when the history does not say.
func (r *LinResult) servedBy(o *linOp, roles *RoleTimeline) string {
	if o.node == 0 {
		return ""
	}
	s := fmt.Sprintf("node %d", o.node)
	if roles == nil || o.ret < 0 || r.conv.useIndex {
		return s
	}
	t := r.hist[o.ret].Time
	role, term, ok := roles.RoleAt(o.node, t)
	if !ok {
		return s
	}
	ln, lt, led := roles.LeaderAt(t)
	switch {
	case role == RoleLeader && led && (ln != o.node || lt != term) && lt > term:
		return fmt.Sprintf("%s (a deposed leader of term %d; node %d led term %d)", s, term, ln, lt)
	case role == RoleLeader:
		return fmt.Sprintf("%s (leader of term %d)", s, term)
	case role == RoleCrashed:
		return fmt.Sprintf("%s (down by then)", s)
	case led:
		return fmt.Sprintf("%s (a %s in term %d; node %d led term %d)", s, role, term, ln, lt)
	}
	return fmt.Sprintf("%s (a %s in term %d; no leader then)", s, role, term)
}

// faultPhrase says which faults were running, and what they did to node.
func faultPhrase(faults []ActiveFault, node int) string {
	if len(faults) == 0 {
		return ""
	}
	var parts []string
	for _, f := range faults {
		parts = append(parts, faultOnNode(f, node))
	}
	return strings.Join(parts, "; ")
}

func faultOnNode(f ActiveFault, node int) string {
	if node != 0 && len(f.Sides) >= 2 {
		total, mine := 0, -1
		for i, s := range f.Sides {
			total += len(s)
			if slices.Contains(s, node) {
				mine = i
			}
		}
		if mine >= 0 && 2*len(f.Sides[mine]) <= total {
			return fmt.Sprintf("%s had cut node %d off from the majority (%s)", f.Fault, node, sidesText(f.Sides))
		}
		if mine >= 0 {
			return fmt.Sprintf("node %d was on the majority side of %s (%s)", node, f.Fault, sidesText(f.Sides))
		}
	}
	if node != 0 && slices.Contains(f.Nodes, node) {
		return fmt.Sprintf("%s was acting on node %d", f.Fault, node)
	}
	return "during " + f.Fault
}

func sidesText(sides [][]int) string {
	parts := make([]string, len(sides))
	for i, s := range sides {
		ns := make([]string, len(s))
		for j, n := range s {
			ns[j] = fmt.Sprint(n)
		}
		parts[i] = "{" + strings.Join(ns, ",") + "}"
	}
	return strings.Join(parts, " | ")
}

// fmtTime is a virtual time as the sentences print it: "5.688 s".
func fmtTime(ns int64) string {
	return fmt.Sprintf("%.3f s", float64(ns)/1e9)
}

// fmtGap is a duration rounded for reading: "97 ms", "1.2 s", "340 µs".
func fmtGap(d time.Duration) string {
	switch a := max(d, -d); {
	case a >= 10*time.Second:
		return fmt.Sprintf("%.0f s", d.Seconds())
	case a >= time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case a >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case a >= time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	case a >= time.Microsecond:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	}
	return fmt.Sprintf("%d ns", int64(d))
}

// sortByDone orders ops by completion (then invoke).
func sortByDone(ops []*linOp) {
	slices.SortFunc(ops, func(a, b *linOp) int {
		return cmp.Or(cmp.Compare(a.done, b.done), cmp.Compare(a.inv, b.inv))
	})
}
