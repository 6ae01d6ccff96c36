package checker

import (
	"cmp"
	"fmt"
	"html"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/raftcheck/raftcheck/histories"
)

// The counterexample view: linearizability.html's own diagram of the
// operations that prove a history is not linearizable, drawn as SVG in Go
// so the page is small and opens at once whatever the history's length. On
// a warped time axis (see warp): the faults and each node's leaderships,
// crashes and pauses at the top, then one row per client process with its
// operations as boxes, the decisive ones outlined, and for a missed write the
// gap between its acknowledgement and the read that missed it.

// Layout, in pixels.
const (
	viewLeft     = 96 // row labels
	viewRight    = 24
	viewAxis     = 34
	viewRow      = 24
	viewBox      = 18
	viewCharW    = 6.7 // monospace 11px
	viewMaxLabel = 56  // characters of an op's label in its box
)

// viewOp is an operation drawn in the view.
type viewOp struct {
	o     *linOp
	role  string // its role in the anomaly ("": none)
	inCex bool
	label string
	row   int
}

// counterexampleSVG draws the view for the counterexample (and the
// anomaly's decisive operations) with the notes that overlap it. It returns
// "" when there is nothing to draw.
func (r *LinResult) counterexampleSVG(a *Anomaly, notes []Annotation) string {
	ops := r.viewOps(a)
	if len(ops) == 0 {
		return ""
	}
	// The window: from the first call to the last return (or call, for an
	// op that never returned).
	lo, hi := ops[0].o.call, int64(0)
	for _, v := range ops {
		lo = min(lo, v.o.call)
		hi = max(hi, v.o.call)
		if v.o.done < r.conv.infinity {
			hi = max(hi, v.o.done)
		}
	}
	if !r.conv.useIndex {
		// A little room on either side, for faults and roles that begin
		// or end just outside.
		pad := max((hi-lo)/20, 1)
		lo, hi = lo-pad, hi+pad
	}
	var times []int64
	times = append(times, lo, hi)
	for _, v := range ops {
		times = append(times, v.o.call)
		if v.o.done < r.conv.infinity {
			times = append(times, v.o.done)
		}
	}
	// Notes, clipped to the window: faults first (stacked), then per node.
	type bar struct {
		n      Annotation
		t0, t1 int64
		row    int
	}
	var faults, nodes []bar
	nodeRows := map[string]int{}
	var nodeTags []string
	if !r.conv.useIndex {
		var rowEnd []int64
		for _, n := range notes {
			end := max(n.End, n.Start)
			if end < lo || n.Start > hi {
				continue
			}
			b := bar{n: n, t0: max(n.Start, lo), t1: min(end, hi)}
			times = append(times, b.t0, b.t1)
			if strings.HasPrefix(n.Tag, "nemesis") || n.Tag == "" {
				row := 0
				for row < len(rowEnd) && rowEnd[row] > b.t0 {
					row++
				}
				if row == len(rowEnd) {
					rowEnd = append(rowEnd, 0)
				}
				rowEnd[row] = max(b.t1, b.t0+1)
				b.row = row
				faults = append(faults, b)
				continue
			}
			if _, ok := nodeRows[n.Tag]; !ok {
				nodeRows[n.Tag] = 0
				nodeTags = append(nodeTags, n.Tag)
			}
			nodes = append(nodes, b)
		}
		slices.Sort(nodeTags)
		for i, t := range nodeTags {
			nodeRows[t] = i
		}
	}
	faultRows := 0
	for _, b := range faults {
		faultRows = max(faultRows, b.row+1)
	}
	// Client rows: one per process, the decisive operations' first (the
	// anomaly is read off the top rows), then in order of first call.
	procRow := map[int]int{}
	var procs []int
	addProc := func(p int) {
		if _, ok := procRow[p]; !ok {
			procRow[p] = len(procs)
			procs = append(procs, p)
		}
	}
	for _, v := range ops {
		if v.role != "" {
			addProc(v.o.process)
		}
	}
	for _, v := range ops {
		addProc(v.o.process)
		v.row = procRow[v.o.process]
	}
	w := newWarp(times, viewLeft+8)
	for _, v := range ops {
		if v.o.done < r.conv.infinity {
			w.fit(v.o.call, v.o.done, float64(utf8.RuneCountInString(v.label))*viewCharW+12)
		}
	}
	for _, b := range faults {
		w.fit(b.t0, b.t1, float64(min(utf8.RuneCountInString(b.n.Label), 28))*viewCharW+10)
	}
	width := w.end() + viewRight + 160 // room for the last box's label
	yFaults := float64(viewAxis)
	yNodes := yFaults + float64(faultRows)*viewRow
	if faultRows > 0 {
		yNodes += 6
	}
	yClients := yNodes + float64(len(nodeTags))*viewRow + 10
	height := yClients + float64(len(procs))*viewRow + 30

	// The row labels are an SVG of their own that stays put while the
	// diagram beside it scrolls (the page opens scrolled onto the decisive
	// operations).
	var b, lb strings.Builder
	fmt.Fprintf(&b, `<svg class="rc-view-svg" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="%d 0 %.0f %.0f" role="img" aria-label="the decisive operations in time">`,
		width-viewLeft, height, viewLeft, width-viewLeft, height)
	// Row labels and bands.
	label := func(y float64, text, cls string) {
		fmt.Fprintf(&lb, `<text class="%s" x="6" y="%.1f">%s</text>`, cls, y+viewRow/2+4, html.EscapeString(text))
	}
	if faultRows > 0 {
		label(yFaults, "faults", "rc-sec")
	}
	for i, t := range nodeTags {
		fmt.Fprintf(&b, `<rect class="rc-lane" x="%d" y="%.1f" width="%.0f" height="%d"/>`, viewLeft, yNodes+float64(i)*viewRow+2, width-viewLeft, viewRow-4)
		label(yNodes+float64(i)*viewRow, t, "rc-lane-label")
	}
	for i, p := range procs {
		fmt.Fprintf(&b, `<rect class="rc-lane" x="%d" y="%.1f" width="%.0f" height="%d"/>`, viewLeft, yClients+float64(i)*viewRow+2, width-viewLeft, viewRow-4)
		label(yClients+float64(i)*viewRow, fmt.Sprintf("process %d", p), "rc-lane-label")
	}
	r.viewAxis(&b, w, height)
	// Faults and node windows.
	drawBar := func(bb bar, y float64, cls string) {
		x0, x1 := w.x(bb.t0), max(w.x(bb.t1), w.x(bb.t0)+3)
		fill := ""
		if bb.n.Color != "" && cssColor.MatchString(bb.n.Color) {
			fill = fmt.Sprintf(` style="fill:%s"`, bb.n.Color)
		}
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title><rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="2"%s/>`,
			cls, html.EscapeString(bb.n.Details), x0, y+3, x1-x0, viewRow-6, fill)
		if text := clipChars(bb.n.Label, int((x1-x0-6)/viewCharW)); text != "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, x0+3, y+viewRow/2+4, html.EscapeString(text))
		}
		b.WriteString("</g>")
	}
	for _, f := range faults {
		drawBar(f, yFaults+float64(f.row)*viewRow, "rc-fault")
	}
	for _, n := range nodes {
		drawBar(n, yNodes+float64(nodeRows[n.n.Tag])*viewRow, "rc-node")
	}
	r.viewGap(&b, w, a, ops, yFaults, height-22)
	// The operations.
	for _, v := range ops {
		r.viewBoxOf(&b, w, v, yClients)
	}
	b.WriteString("</svg>")
	return fmt.Sprintf(`<div class="rc-view-grid"><svg class="rc-view-labels" xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" aria-hidden="true">%s</svg><div class="rc-view-wrap">%s</div></div>`,
		viewLeft, height, viewLeft, height, lb.String(), b.String())
}

// viewOps are the operations the view draws: the counterexample's and the
// anomaly's decisive ones, in order of call.
func (r *LinResult) viewOps(a *Anomaly) []*viewOp {
	byInv := make(map[int]*viewOp)
	var ops []*viewOp
	add := func(o *linOp) *viewOp {
		if v, ok := byInv[o.inv]; ok {
			return v
		}
		v := &viewOp{o: o, label: clipChars(r.spec.model.DescribeOperation(o, o), viewMaxLabel)}
		byInv[o.inv] = v
		ops = append(ops, v)
		return v
	}
	// The checked ops, not the counterexample's copies: the minimizer
	// cuts some off (unknown outcome) to prove the prefix illegal.
	want := make(map[int]string, len(r.cex))
	for _, o := range r.cex {
		want[o.inv] = ""
	}
	if a != nil {
		for _, ao := range a.Ops {
			want[ao.Index] = ao.Role
		}
	}
	found := make(map[int]bool, len(want))
	for _, op := range r.conv.ops {
		o := op.Input.(*linOp)
		if role, ok := want[o.inv]; ok {
			add(o).role = role
			found[o.inv] = true
		}
	}
	for _, o := range r.cex {
		if !found[o.inv] {
			add(o)
		}
		byInv[o.inv].inCex = true
	}
	slices.SortFunc(ops, func(x, y *viewOp) int { return cmp.Compare(x.o.call, y.o.call) })
	return ops
}

// viewAxis draws the instants' times along the top, as many as fit and
// each different from the one before, with a faint line down through the
// rows at each.
func (r *LinResult) viewAxis(b *strings.Builder, w *warp, height float64) {
	last, lastText := -1e9, ""
	unit := axisUnit(w)
	for i, t := range w.ts {
		x := w.xs[i]
		fmt.Fprintf(b, `<line class="rc-tick" x1="%.1f" x2="%.1f" y1="%d" y2="%.0f"/>`, x, x, viewAxis-4, height-22)
		text := r.instantText(t, unit)
		if x-last < 74 || text == lastText {
			continue
		}
		last, lastText = x, text
		fmt.Fprintf(b, `<text class="rc-axis" x="%.1f" y="%d">%s</text>`, x, viewAxis-10, html.EscapeString(text))
	}
}

// axisUnit is the precision of the axis's times: a hundred-thousandth of
// the window, to a power of ten; at least 1 µs on a window of more than
// 10 ms (the checker's times are the history's made strictly increasing
// by a few nanoseconds, noise at that scale).
func axisUnit(w *warp) time.Duration {
	if len(w.ts) < 2 {
		return 1
	}
	span := w.ts[len(w.ts)-1] - w.ts[0]
	unit := time.Duration(1)
	for unit < time.Second && int64(unit)*100_000 < span {
		unit *= 10
	}
	if span > int64(10*time.Millisecond) {
		unit = max(unit, time.Microsecond)
	}
	return unit
}

// instantText is an instant of the view's axis: a time after the run's
// start, rounded to unit, or a history position when the history has no
// times.
func (r *LinResult) instantText(t int64, unit time.Duration) string {
	if r.conv.useIndex {
		return fmt.Sprintf("#%d", t)
	}
	return time.Duration(t).Round(unit).String()
}

// viewGap marks, for a missed write, when it was acknowledged and when the
// read that missed it began, and the time between.
func (r *LinResult) viewGap(b *strings.Builder, w *warp, a *Anomaly, ops []*viewOp, top, bottom float64) {
	if a == nil || (a.Kind != AnomalyStaleRead && a.Kind != AnomalyLostWrite) {
		return
	}
	var read, missed *linOp
	for _, v := range ops {
		switch v.role {
		case RoleRead:
			read = v.o
		case RoleMissedWrite:
			missed = v.o
		}
	}
	if read == nil || missed == nil || missed.done >= r.conv.infinity {
		return
	}
	x0, x1 := w.x(missed.done), w.x(read.call)
	fmt.Fprintf(b, `<line class="rc-gap" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x0, x0, top, bottom)
	fmt.Fprintf(b, `<line class="rc-gap" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x1, x1, top, bottom)
	fmt.Fprintf(b, `<line class="rc-gap-span" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/>`, x0, x1, bottom-4, bottom-4)
	what := "acknowledged, then the read began"
	if !r.conv.useIndex {
		what = fmt.Sprintf("acknowledged %s before the read began", fmtGap(time.Duration(r.hist[read.inv].Time-r.hist[missed.ret].Time)))
	}
	fmt.Fprintf(b, `<text class="rc-gap-label" x="%.1f" y="%.1f">%s</text>`, x0+4, bottom+12, html.EscapeString(what))
}

// viewBoxOf draws one operation's box with its label and tooltip.
func (r *LinResult) viewBoxOf(b *strings.Builder, w *warp, v *viewOp, yClients float64) {
	o := v.o
	y := yClients + float64(v.row)*viewRow + (viewRow-viewBox)/2
	x0 := w.x(o.call)
	open := o.done >= r.conv.infinity
	x1 := w.end() + 40
	if !open {
		x1 = w.x(o.done)
	}
	x1 = max(x1, x0+4)
	cls := "rc-op"
	switch {
	case o.ret < 0:
		cls += " rc-pending"
	case r.hist[o.ret].Type == histories.Info:
		cls += " rc-info"
	}
	if v.inCex {
		cls += " rc-in-cex"
	}
	if v.role != "" {
		cls += " rc-decisive"
	}
	if o.inv == r.Culprit {
		cls += " rc-culprit"
	}
	tip := r.spec.model.DescribeOperation(o, o) + "\n" + html.UnescapeString(describeOpMetadata(o))
	if v.role != "" {
		tip = "decisive: " + roleWords(v.role) + "\n" + tip
	}
	fmt.Fprintf(b, `<g class="%s" data-op="%d"><title>%s</title>`, cls, o.inv, html.EscapeString(tip))
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" rx="3"/>`, x0, y, x1-x0, viewBox)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`, x0+5, y+viewBox-5, html.EscapeString(v.label))
	if v.role != "" {
		fmt.Fprintf(b, `<text class="rc-role" x="%.1f" y="%.1f">%s #%d</text>`, x0+2, y-1, html.EscapeString(roleWords(v.role)), o.inv)
	}
	b.WriteString("</g>")
}

// roleWords is an anomaly role as the pages say it.
func roleWords(role string) string {
	switch role {
	case RoleMissedWrite:
		return "missed write"
	case RoleEarlierRead:
		return "earlier read"
	case RoleLaterRead:
		return "later read"
	case RoleDuplicated:
		return "written once"
	case RoleFirst:
		return "acknowledged first"
	case RoleSecond:
		return "shown first"
	}
	return role
}

// clipChars shortens s to at most n characters, with an ellipsis.
func clipChars(s string, n int) string {
	if n <= 1 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}
