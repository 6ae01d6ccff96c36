package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/raftcheck/raftcheck/histories"
)

// Op outcomes on the page and in the plots.
const (
	outcomeOK = iota
	outcomeFail
	outcomeInfo
	outcomePending // invoked, never completed before the history ended
)

var outcomeNames = [...]string{"ok", "fail", "info", "pending"}

// maxValueLen bounds a value's text on the page: an append-workload read
// can return thousands of elements, and 6,000 of those would make the page
// hundreds of megabytes.
const maxValueLen = 160

// clientOps are the history's client operations, one per invoke, columnar.
// Times are microseconds after Run.Start; strings that repeat (f, key,
// error) are indexes into the page's string tables.
type clientOps struct {
	Lane  []int    `json:"lane"`
	Proc  []int    `json:"proc"`
	T0    []int64  `json:"t0"`
	T1    []int64  `json:"t1"`
	F     []int    `json:"f"`
	Out   []int    `json:"out"` // outcome*
	Key   []int    `json:"key"`
	Inv   []string `json:"inv"` // invoke value
	Ret   []string `json:"ret"` // completion value
	Node  []int    `json:"node"`
	Err   []int    `json:"err"`
	Index []int    `json:"index"` // the invoke's Op.Index
}

// interner numbers distinct strings in first-seen order.
type interner struct {
	List []string
	ids  map[string]int
}

func (in *interner) id(s string) int {
	if id, ok := in.ids[s]; ok {
		return id
	}
	if in.ids == nil {
		in.ids = make(map[string]int)
	}
	in.ids[s] = len(in.List)
	in.List = append(in.List, s)
	return len(in.List) - 1
}

// opSpan is one client operation: an invoke and its completion.
type opSpan struct {
	f        string
	outcome  int
	invoke   int64 // ns
	complete int64 // ns; Run.End for pending ops
	inv      int   // history position of the invoke
	done     int   // history position of the completion, -1 if pending
}

// pairOps matches every invoke with its process's next completion (nemesis
// ops are skipped) and returns the spans in invoke order. A completion
// without an invoke, or a second invoke while one is in flight, makes an
// invalid history: an error naming the op.
func pairOps(h histories.History, end int64) ([]opSpan, error) {
	spans := make([]opSpan, 0, len(h)/2+1)
	inflight := make(map[int]int) // process -> span
	for i := range h {
		op := &h[i]
		if op.Process == histories.NemesisProcess {
			continue
		}
		if op.Process < 0 {
			return nil, fmt.Errorf("report: Run.History[%d].Process: negative process %d", i, op.Process)
		}
		s, busy := inflight[op.Process]
		if op.Type == histories.Invoke {
			if busy {
				return nil, fmt.Errorf("report: Run.History[%d]: process %d invokes while its op at Run.History[%d] is in flight", i, op.Process, spans[s].inv)
			}
			inflight[op.Process] = len(spans)
			spans = append(spans, opSpan{f: op.F, outcome: outcomePending, invoke: op.Time, complete: end, inv: i, done: -1})
			continue
		}
		if !busy {
			return nil, fmt.Errorf("report: Run.History[%d]: process %d completes (%s) without an invoke", i, op.Process, op.Type)
		}
		delete(inflight, op.Process)
		switch op.Type {
		case histories.OK:
			spans[s].outcome = outcomeOK
		case histories.Fail:
			spans[s].outcome = outcomeFail
		case histories.Info:
			spans[s].outcome = outcomeInfo
		default:
			return nil, fmt.Errorf("report: Run.History[%d].Type: unknown type %d", i, op.Type)
		}
		spans[s].complete, spans[s].done = op.Time, i
	}
	return spans, nil
}

// buildOps lays the client operations out on lanes: one per thread when
// Run.Threads is set (process p runs on thread p % Threads, as Jepsen
// numbers them), else one per process.
func buildOps(r *Run, spans []opSpan, fs, keys, errs *interner) (clientOps, []string) {
	var lanes []string
	laneOf := func(p int) int { return p % r.Threads }
	if r.Threads > 0 {
		for t := 0; t < r.Threads; t++ {
			lanes = append(lanes, "t"+strconv.Itoa(t))
		}
	} else {
		procs := make([]int, 0, len(spans))
		for _, sp := range spans {
			procs = append(procs, r.History[sp.inv].Process)
		}
		slices.Sort(procs)
		procs = slices.Compact(procs)
		for _, p := range procs {
			lanes = append(lanes, "p"+strconv.Itoa(p))
		}
		laneOf = func(p int) int { i, _ := slices.BinarySearch(procs, p); return i }
	}
	n := len(spans)
	ops := clientOps{
		Lane: make([]int, n), Proc: make([]int, n), T0: make([]int64, n), T1: make([]int64, n),
		F: make([]int, n), Out: make([]int, n), Key: make([]int, n), Inv: make([]string, n),
		Ret: make([]string, n), Node: make([]int, n), Err: make([]int, n), Index: make([]int, n),
	}
	for s, sp := range spans {
		inv := &r.History[sp.inv]
		ops.Lane[s] = laneOf(inv.Process)
		ops.Proc[s] = inv.Process
		ops.T0[s] = (sp.invoke - r.Start) / 1000
		ops.T1[s] = (sp.complete - r.Start) / 1000
		ops.F[s] = fs.id(inv.F)
		ops.Out[s] = sp.outcome
		ops.Key[s] = keys.id(inv.Key)
		ops.Inv[s] = formatValue(inv.Value)
		ops.Index[s] = inv.Index
		ops.Err[s] = errs.id("")
		if sp.done >= 0 {
			comp := &r.History[sp.done]
			ops.Ret[s] = formatValue(comp.Value)
			ops.Node[s] = comp.Node
			ops.Err[s] = errs.id(comp.Error)
		}
	}
	return ops, lanes
}

// formatValue renders an Op.Value (nil, int64, string or []any of those)
// for a tooltip: strings quoted, lists in brackets, bounded to maxValueLen.
func formatValue(v any) string {
	var b strings.Builder
	appendValue(&b, v, 0)
	s := b.String()
	if len(s) <= maxValueLen {
		return s
	}
	cut := maxValueLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "… (" + strconv.Itoa(len(s)-cut) + " more bytes)"
}

// appendValue writes v, stopping early once the text is longer than any
// tooltip shows.
func appendValue(b *strings.Builder, v any, depth int) {
	if b.Len() > maxValueLen+1 {
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("nil")
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case int:
		b.WriteString(strconv.Itoa(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		if depth > 8 {
			b.WriteString("[…]")
			return
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(' ')
			}
			if b.Len() > maxValueLen+1 {
				break
			}
			appendValue(b, e, depth+1)
		}
		b.WriteByte(']')
	default:
		fmt.Fprintf(b, "%v", x)
	}
}
