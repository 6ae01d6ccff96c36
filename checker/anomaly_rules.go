package checker

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// The rules that name an anomaly. Each is a proof on its own that the
// history is not linearizable, so a kind is never claimed on a guess:
//
//   - value never written: a read returned a value that no sequence of the
//     key's operations (failed ones left out) can produce;
//   - duplicate apply: a read's value decomposes in exactly one way into the
//     key's writes, and in it some write's effect shows more often than
//     operations wrote it;
//   - lost write / stale read: a write w was acknowledged before a read r
//     began, and r's value cannot reflect w — neither w's effect nor that of
//     any write that may follow w (reflects, below, errs towards "it might");
//     every linearization puts w before r, so r returned an older state. If
//     w's own effect shows in no read that began after w completed, and a
//     read that began after r completed cannot reflect w either, w is
//     lost; else r is stale;
//   - stale read (earlier read): a read r0 certainly returned w's effect and
//     completed before r began, and r cannot reflect w;
//   - real-time order: a read's value decomposes in exactly one way, and in
//     it write b's effect comes before write a's although a completed before
//     b began.
//
// The reads tried are the counterexample's, the culprit first. When no rule
// applies to any of them the anomaly is AnomalyNotLinearizable.

// classifyBudget bounds the work of one classification, in bytes and
// operations looked at: past it the rules that need more say nothing.
const classifyBudget = 64 << 20

// maxMissedTried bounds the missed writes checked for being lost.
const maxMissedTried = 16

type classifier struct {
	r      *LinResult
	ops    []*linOp // the key's checked ops, by invoke
	writes []*linOp // the key's writes (every op that changes state), by invoke
	reads  []*linOp // the key's completed reads, by invoke
	inCex  map[*linOp]bool
	steps  int // work left (see classifyBudget)
	// valueOps counts, per written value, the writes that write it (kv and
	// append: the appended string or element; register: the value).
	valueOps map[string][]*linOp
	parsed   map[*linOp]*kvParseResult // parseKV's answers
	roles    *RoleTimeline             // who led when, if the run knows (nil for a history alone)
}

func newClassifier(r *LinResult) *classifier {
	c := &classifier{r: r, inCex: make(map[*linOp]bool, len(r.cex)), steps: classifyBudget, valueOps: make(map[string][]*linOp)}
	for _, o := range r.cex {
		c.inCex[o] = true
	}
	for _, op := range r.conv.ops {
		o := op.Input.(*linOp)
		if o.key != r.Key {
			continue
		}
		c.ops = append(c.ops, o)
	}
	// The counterexample's ops are copies when the minimizer cut them off
	// (unknown output): use the checked ops, matched by history position.
	byInv := make(map[int]*linOp, len(c.ops))
	for _, o := range c.ops {
		byInv[o.inv] = o
	}
	for _, o := range r.cex {
		if full, ok := byInv[o.inv]; ok {
			c.inCex[full] = true
		}
	}
	slices.SortFunc(c.ops, func(a, b *linOp) int { return cmp.Compare(a.call, b.call) })
	for _, o := range c.ops {
		switch {
		case isRead(o):
			if !o.unknown {
				c.reads = append(c.reads, o)
			}
		case o.kind == opCASFail:
		default:
			c.writes = append(c.writes, o)
			if v, ok := c.writtenValue(o); ok {
				c.valueOps[v] = append(c.valueOps[v], o)
			}
		}
	}
	return c
}

// writtenValue is the value a write puts in the state, as a map key.
func (c *classifier) writtenValue(o *linOp) (string, bool) {
	switch o.kind {
	case opWrite:
		return fmt.Sprint(o.num), true
	case opCAS:
		return fmt.Sprint(o.num2), true
	case opPut:
		return "p" + o.str, true
	case opAppend:
		if c.r.spec.name == ModelAppend {
			return fmt.Sprint(o.num), true
		}
		return "a" + o.str, true
	}
	return "", false
}

// spend takes n steps from the budget and reports whether any were left.
func (c *classifier) spend(n int) bool {
	if c.steps < n {
		c.steps = 0
		return false
	}
	c.steps -= n
	return true
}

// classify applies the rules to the counterexample's reads, the culprit's
// first.
func (c *classifier) classify() finding {
	var tries []*linOp
	var culprit *linOp
	for _, o := range c.ops {
		if o.inv == c.r.Culprit {
			culprit = o
		}
	}
	if culprit != nil && isRead(culprit) && !culprit.unknown {
		tries = append(tries, culprit)
	}
	var others []*linOp
	for _, o := range c.reads {
		if c.inCex[o] && o != culprit {
			others = append(others, o)
		}
	}
	sortByDone(others)
	tries = append(tries, others...)
	for _, rd := range tries {
		if f, ok := c.neverWritten(rd); ok {
			return f
		}
		if f, ok := c.duplicate(rd); ok {
			return f
		}
		if f, ok := c.missed(rd); ok {
			return f
		}
		if f, ok := c.inversion(rd); ok {
			return f
		}
		if f, ok := c.earlierRead(rd); ok {
			return f
		}
	}
	if culprit == nil {
		// The culprit is always one of the counterexample's ops; a cut-off
		// copy is matched above by position. Fall back to the last op.
		culprit = c.r.cex[len(c.r.cex)-1]
	}
	return finding{kind: AnomalyNotLinearizable, ops: []roleOp{{RoleCulprit, culprit}}}
}

// mayFollow reports whether a may take effect after b: it does not
// complete before b is invoked. The initial state (nil) follows nothing.
func mayFollow(a, b *linOp) bool {
	return a != nil && a.done >= b.call
}

// reflects reports whether read rd's value might include the effect of w,
// or of a write that may come after w. It errs towards true: false is a
// proof that rd observed a state from before w.
func (c *classifier) reflects(rd, w *linOp) bool {
	switch c.r.spec.name {
	case ModelRegister:
		if rd.outNil {
			return false // no op unsets a register
		}
		for _, s := range c.valueOps[fmt.Sprint(rd.outNum)] {
			if s.call <= rd.done && (s == w || mayFollow(s, w)) {
				return true // a possible source of the read, at or after w
			}
		}
		return false
	case ModelAppend:
		if !c.spend(len(rd.outList)) {
			return true
		}
		return slices.Contains(rd.outList, w.num)
	}
	// kv: the value is the last put's (or "") followed by appends.
	s := rd.outStr
	if !c.spend(len(s) + len(c.writes)) {
		return true
	}
	switch w.kind {
	case opAppend:
		if strings.Contains(s, w.str) {
			return true
		}
	case opPut:
		if strings.HasPrefix(s, w.str) {
			return true
		}
	case opDelete:
		return true // a delete is a base of every value
	default:
		return true
	}
	// A put or delete that may follow w and may be the base of s.
	for _, b := range c.writes {
		if b == w || !mayFollow(b, w) || b.call > rd.done {
			continue
		}
		if b.kind == opDelete || (b.kind == opPut && strings.HasPrefix(s, b.str)) {
			return true
		}
	}
	return false
}

// missed finds an acknowledged write the read cannot reflect although it
// completed before the read began: a lost write if no later read reflects
// it either, else a stale read.
func (c *classifier) missed(rd *linOp) (finding, bool) {
	var cands []*linOp
	for _, w := range c.writes {
		if w.call > rd.call {
			break
		}
		if w.unknown || w.done >= rd.call {
			continue
		}
		if !c.reflects(rd, w) {
			cands = append(cands, w)
		}
		if c.steps == 0 {
			break
		}
	}
	if len(cands) == 0 {
		return finding{}, false
	}
	// The counterexample's first, then the earliest acknowledged.
	slices.SortStableFunc(cands, func(a, b *linOp) int {
		if c.inCex[a] != c.inCex[b] {
			if c.inCex[a] {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.done, b.done)
	})
	after := 0 // reads that began after rd completed
	for _, o := range c.reads {
		if o.call > rd.done {
			after++
		}
	}
	if after > 0 {
		for i, w := range cands {
			if i == maxMissedTried || c.steps == 0 {
				break
			}
			if later, lost := c.lost(w, rd); lost {
				return finding{kind: AnomalyLostWrite, ops: []roleOp{{RoleRead, rd}, {RoleMissedWrite, w}}, later: later}, true
			}
		}
	}
	w := cands[0]
	f := finding{kind: AnomalyStaleRead, ops: []roleOp{{RoleRead, rd}, {RoleMissedWrite, w}}}
	if later := c.laterReflecting(w, rd); later != nil {
		f.ops = append(f.ops, roleOp{RoleLaterRead, later})
	}
	return f, true
}

// lost reports whether w vanished: no read that began after w completed
// shows w's own effect, and a read that began after rd completed cannot
// reflect w either — one served by another node than rd, or by the leader
// of the highest term then (when the run knows roles), or the key's last
// read. A later read from rd's own node alone proves nothing: that node may
// still be cut off and serving stale reads, while the rest of the cluster
// holds w until a later write overwrites it (and then every read may
// reflect w). Histories that do not say which node served a read count
// every node as another. later counts the reads after rd, none of which
// shows w.
func (c *classifier) lost(w, rd *linOp) (later int, lost bool) {
	confirmed := false
	var last *linOp
	for _, o := range c.reads {
		if o.call <= w.done || o == rd {
			continue
		}
		if c.steps == 0 || c.showsOwn(o, w) {
			return 0, false
		}
		if o.call > rd.done {
			later++
			if last == nil || o.call > last.call {
				last = o
			}
			other := o.node == 0 || o.node != rd.node || c.fromLeader(o)
			if !confirmed && other && !c.reflects(o, w) {
				confirmed = true
			}
		}
	}
	if !confirmed && last != nil && !c.reflects(last, w) {
		confirmed = true
	}
	return later, confirmed
}

// showsOwn reports whether read rd's value might hold w's own effect (its
// value, or for a kv put its value as the prefix); errs towards true.
func (c *classifier) showsOwn(rd, w *linOp) bool {
	switch c.r.spec.name {
	case ModelRegister:
		v, ok := c.writtenValue(w)
		return ok && !rd.outNil && v == fmt.Sprint(rd.outNum)
	case ModelAppend:
		if !c.spend(len(rd.outList)) {
			return true
		}
		return slices.Contains(rd.outList, w.num)
	}
	if !c.spend(len(rd.outStr)) {
		return true
	}
	switch w.kind {
	case opAppend:
		return strings.Contains(rd.outStr, w.str)
	case opPut:
		return strings.HasPrefix(rd.outStr, w.str)
	}
	return true
}

// laterReflecting is the first read after rd that certainly saw w, to show
// that w was kept (nil: none found).
func (c *classifier) laterReflecting(w, rd *linOp) *linOp {
	for _, o := range c.reads {
		if o.call <= rd.done {
			continue
		}
		if c.steps == 0 {
			return nil
		}
		if c.certainlySaw(o, w) {
			return o
		}
	}
	return nil
}

// earlierRead finds a read that completed before rd began and certainly
// returned a write's effect that rd cannot reflect.
func (c *classifier) earlierRead(rd *linOp) (finding, bool) {
	var cands []*linOp
	for _, o := range c.reads {
		if o.done < rd.call && o != rd {
			cands = append(cands, o)
		}
	}
	// Nearest first, the counterexample's before the rest.
	slices.SortStableFunc(cands, func(a, b *linOp) int {
		if c.inCex[a] != c.inCex[b] {
			if c.inCex[a] {
				return -1
			}
			return 1
		}
		return cmp.Compare(b.done, a.done)
	})
	for _, e := range cands {
		if c.steps == 0 {
			break
		}
		for _, w := range c.writes {
			if w.call > e.done {
				break
			}
			if c.certainlySaw(e, w) && !c.reflects(rd, w) {
				return finding{kind: AnomalyStaleRead, ops: []roleOp{{RoleRead, rd}, {RoleMissedWrite, w}, {RoleEarlierRead, e}}}, true
			}
		}
	}
	return finding{}, false
}

// certainlySaw reports whether read rd's value can only be explained with
// w's effect in it: w is the one write invoked before rd completed of a
// value the read shows.
func (c *classifier) certainlySaw(rd, w *linOp) bool {
	v, ok := c.writtenValue(w)
	if !ok || w.call > rd.done {
		return false
	}
	for _, o := range c.valueOps[v] {
		if o != w && o.call <= rd.done {
			return false // another possible source of the same value
		}
	}
	switch c.r.spec.name {
	case ModelRegister:
		return !rd.outNil && w.kind == opWrite && w.num == rd.outNum ||
			!rd.outNil && w.kind == opCAS && w.num2 == rd.outNum
	case ModelAppend:
		if !c.spend(len(rd.outList)) {
			return false
		}
		return slices.Contains(rd.outList, w.num)
	}
	p, ok := c.parseKV(rd)
	if !ok {
		return false
	}
	switch w.kind {
	case opPut:
		return p.base == w.str && p.fromPut
	case opAppend:
		return slices.Contains(p.seq, w.str)
	}
	return false
}

// neverWritten: the read's value cannot be produced by the key's writes.
func (c *classifier) neverWritten(rd *linOp) (finding, bool) {
	f := finding{kind: AnomalyNeverWritten, ops: []roleOp{{RoleRead, rd}}}
	switch c.r.spec.name {
	case ModelRegister:
		if rd.outNil || len(c.valueOps[fmt.Sprint(rd.outNum)]) > 0 {
			return finding{}, false
		}
		return f, true
	case ModelAppend:
		if !c.spend(len(rd.outList)) {
			return finding{}, false
		}
		for _, v := range rd.outList {
			if len(c.valueOps[fmt.Sprint(v)]) == 0 {
				f.value = fmt.Sprint(v)
				return f, true
			}
		}
		return finding{}, false
	}
	if n, _, ok := c.countParses(rd); !ok || n > 0 {
		return finding{}, false
	}
	return f, true
}

// duplicate: the read shows a write's effect more often than ops wrote it.
func (c *classifier) duplicate(rd *linOp) (finding, bool) {
	var (
		counts map[string]int
		order  []string
		show   func(string) string
		key    func(string) string
	)
	switch c.r.spec.name {
	case ModelAppend:
		if !c.spend(len(rd.outList)) {
			return finding{}, false
		}
		counts = make(map[string]int)
		for _, v := range rd.outList {
			s := fmt.Sprint(v)
			if counts[s] == 0 {
				order = append(order, s)
			}
			counts[s]++
		}
		show = func(s string) string { return s }
		key = func(s string) string { return s }
	case ModelKV:
		p, ok := c.parseKV(rd)
		if !ok {
			return finding{}, false
		}
		counts = make(map[string]int)
		for _, v := range p.seq {
			if counts[v] == 0 {
				order = append(order, v)
			}
			counts[v]++
		}
		show = func(s string) string { return clip(fmt.Sprintf("%q", s)) }
		key = func(s string) string { return "a" + s }
	default:
		return finding{}, false
	}
	for _, v := range order {
		writers := c.valueOps[key(v)]
		n := 0
		for _, w := range writers {
			if w.call <= rd.done {
				n++
			}
		}
		if counts[v] > n && counts[v] > 1 {
			f := finding{kind: AnomalyDuplicateApply, ops: []roleOp{{RoleRead, rd}}, value: show(v), count: counts[v]}
			for _, w := range writers {
				if w.call <= rd.done {
					f.ops = append(f.ops, roleOp{RoleDuplicated, w})
				}
			}
			return f, true
		}
	}
	return finding{}, false
}

// inversion: the read shows b's effect before a's, though a completed
// before b began (each shown value written by exactly one op).
func (c *classifier) inversion(rd *linOp) (finding, bool) {
	var seq []*linOp
	switch c.r.spec.name {
	case ModelAppend:
		if !c.spend(len(rd.outList)) {
			return finding{}, false
		}
		for _, v := range rd.outList {
			ws := c.valueOps[fmt.Sprint(v)]
			if len(ws) != 1 {
				return finding{}, false
			}
			seq = append(seq, ws[0])
		}
	case ModelKV:
		p, ok := c.parseKV(rd)
		if !ok {
			return finding{}, false
		}
		for _, v := range p.seq {
			ws := c.valueOps["a"+v]
			if len(ws) != 1 {
				return finding{}, false
			}
			seq = append(seq, ws[0])
		}
	default:
		return finding{}, false
	}
	// For each position, the op before it in the list invoked latest: if
	// the op here completed before that one began, the two are inverted.
	var latest *linOp
	for _, o := range seq {
		if latest != nil && o.done < latest.call {
			return finding{kind: AnomalyRealTimeOrder, ops: []roleOp{{RoleRead, rd}, {RoleFirst, o}, {RoleSecond, latest}}}, true
		}
		if latest == nil || o.call > latest.call {
			latest = o
		}
	}
	return finding{}, false
}

// fromLeader reports whether o was answered by the leader of the highest
// term at its completion, as far as the run's roles tell.
func (c *classifier) fromLeader(o *linOp) bool {
	if c.roles == nil || o.node == 0 || o.ret < 0 || c.r.conv.useIndex {
		return false
	}
	n, _, ok := c.roles.LeaderAt(c.r.hist[o.ret].Time)
	return ok && n == o.node
}
