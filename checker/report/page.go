package report

import (
	"cmp"
	"fmt"
	"image/color"
	"slices"
	"strconv"
)

// pageData is the JSON document embedded in timeline.html; the page's
// script draws everything from it. Times are microseconds after Run.Start.
type pageData struct {
	Title   string   `json:"title"`
	Seed    string   `json:"seed"`
	Verdict string   `json:"verdict"`
	Reasons []string `json:"reasons"`
	Cex     *pageCex `json:"cex,omitempty"` // absent: no counterexample
	// Violations are the invariants broken, each with its rule, evidence
	// and time (µs); the page gives each a panel and a mark on the chart.
	Violations []pageViolation `json:"violations"`
	Config     [][2]string     `json:"config"`
	Replay     string          `json:"replay"`
	Stats      [][2]string     `json:"stats"`
	Summary    [][2]string     `json:"summary"` // leader, events, times, trace hash
	Final      []NodeRow       `json:"final"`
	Duration   int64           `json:"duration"`
	Heal       int64           `json:"heal"` // -1: no final heal
	Nodes      []int           `json:"nodes"`
	Names      map[int]string  `json:"names,omitempty"` // node id → name on the page; absent: "n<id>"
	Segs       segments        `json:"segs"`
	Pauses     pauses          `json:"pauses"`
	Faults     []pageFault     `json:"faults"`
	Lanes      []string        `json:"lanes"`
	Ops        clientOps       `json:"ops"`
	Fs         []string        `json:"fs"`
	Keys       []string        `json:"keys"`
	Errs       []string        `json:"errs"`
	Msgs       pageMessages    `json:"msgs"`
	MsgKinds   []string        `json:"msgKinds"`
	MsgDrops   []string        `json:"msgDrops"`
	// MsgAnswers names what replies said ("granted", "rejected", ...);
	// Msgs.Ans indexes it.
	MsgAnswers []string `json:"msgAnswers"`
	// Colours shared with the plots: fault palette and outcome colours.
	FaultPalette  []string `json:"faultPalette"`
	OutcomeColors []string `json:"outcomeColors"`
}

// pageCex is the counterexample on the page: Ops and Culprit index the
// page's ops (not the history); Culprit is -1 when there is none.
type pageCex struct {
	Ops     []int        `json:"ops"`
	Culprit int          `json:"culprit"`
	Key     string       `json:"key"`
	Summary string       `json:"summary"`
	Explain []string     `json:"explain"`
	Anomaly *pageAnomaly `json:"anomaly,omitempty"`
}

// pageAnomaly is the counterexample classified: Decisive indexes the page's
// ops (Roles in parallel); T is when it showed, µs (-1: unknown).
type pageAnomaly struct {
	Kind     string   `json:"kind"`
	Title    string   `json:"title"`
	Sentence string   `json:"sentence"`
	Rule     string   `json:"rule"`
	Decisive []int    `json:"decisive"`
	Roles    []string `json:"roles"`
	T        int64    `json:"t"`
}

// pageViolation is a broken invariant; T is µs after Run.Start.
type pageViolation struct {
	Invariant string   `json:"invariant"`
	Rule      string   `json:"rule"`
	T         int64    `json:"t"`
	Nodes     []int    `json:"nodes"`
	Terms     []uint64 `json:"terms"`
	Index     uint64   `json:"index"`
	Evidence  string   `json:"evidence"`
	Count     int      `json:"count"`
}

// buildViolations puts the run's violations on the page, times clamped
// into the run.
func buildViolations(r *Run) []pageViolation {
	out := make([]pageViolation, 0, len(r.Violations))
	for _, v := range r.Violations {
		t := min(max(v.Time, r.Start), r.End)
		out = append(out, pageViolation{Invariant: v.Invariant, Rule: v.Rule, T: (t - r.Start) / 1000, Nodes: nonNil(v.Nodes),
			Terms: nonNil(v.Terms), Index: v.Index, Evidence: v.Evidence, Count: v.Count})
	}
	return out
}

// buildCex maps the counterexample's history positions to page ops.
func buildCex(r *Run, spans []opSpan) *pageCex {
	c := r.Counterexample
	if c == nil || len(c.Ops) == 0 {
		return nil
	}
	byInvoke := make(map[int]int, len(spans)) // history position → op
	for i, sp := range spans {
		byInvoke[sp.inv] = i
	}
	pc := &pageCex{Ops: make([]int, len(c.Ops)), Culprit: -1, Key: c.Key, Summary: c.Summary, Explain: nonNil(c.Explain)}
	for j, pos := range c.Ops {
		pc.Ops[j] = byInvoke[pos] // Validate made sure it is an invoke
		if pos == c.Culprit {
			pc.Culprit = pc.Ops[j]
		}
	}
	if a := c.Anomaly; a != nil {
		pa := &pageAnomaly{Kind: a.Kind, Title: a.Title, Sentence: a.Sentence, Rule: a.Rule, Decisive: []int{}, Roles: []string{}, T: -1}
		if a.Time >= r.Start && a.Time <= r.End && a.Time != 0 {
			pa.T = (a.Time - r.Start) / 1000
		}
		for _, d := range a.Decisive {
			pa.Decisive = append(pa.Decisive, byInvoke[d.Op]) // Validate: an invoke
			pa.Roles = append(pa.Roles, d.Role)
		}
		pc.Anomaly = pa
	}
	return pc
}

// pageFault is one fault window; Row stacks overlapping windows.
type pageFault struct {
	Name    string   `json:"name"`
	T0      int64    `json:"t0"`
	T1      int64    `json:"t1"`
	Row     int      `json:"row"`
	Color   int      `json:"color"` // index into the fault palette
	Targets []int    `json:"targets"`
	Detail  string   `json:"detail"`
	Links   [][2]int `json:"links"`
	Groups  [][]int  `json:"groups"`
}

// buildPage turns a prepared run into the page's data.
func buildPage(pr *prepared) (*pageData, error) {
	r := pr.r
	segs, ps, err := buildSegments(r, pr.ix)
	if err != nil {
		return nil, err
	}
	var fs, keys, errs, kinds, reasons interner
	ops, lanes := buildOps(r, pr.spans, &fs, &keys, &errs)
	var answers interner
	msgs := buildMessages(r, pr.ix, &kinds, &reasons, &answers)
	heal := int64(-1)
	if r.HealTime != 0 {
		heal = (r.HealTime - r.Start) / 1000
	}
	p := &pageData{
		Title:      r.Title,
		Seed:       r.Seed,
		Verdict:    r.Verdict,
		Reasons:    nonNil(r.Reasons),
		Cex:        buildCex(r, pr.spans),
		Violations: buildViolations(r),
		Config:     pairs(r.Config),
		Replay:     r.Replay,
		Stats:      pairs(r.Stats),
		Summary:    pairs(summaryLines(r)),
		Final:      nonNil(r.FinalNodes),
		Duration:   (r.End - r.Start) / 1000,
		Heal:       heal,
		Nodes:      r.Nodes,
		Names:      r.NodeNames,
		Segs:       segs,
		Pauses:     ps,
		Faults:     pr.faults,
		Lanes:      nonNil(lanes),
		Ops:        ops,
		Fs:         nonNil(fs.List),
		Keys:       nonNil(keys.List),
		Errs:       nonNil(errs.List),
		Msgs:       msgs,
		MsgKinds:   nonNil(kinds.List),
		MsgDrops:   nonNil(reasons.List),
		MsgAnswers: nonNil(answers.List),
	}
	p.FaultPalette = []string{}
	for _, c := range pr.palette {
		p.FaultPalette = append(p.FaultPalette, hexColor(c))
	}
	for _, c := range outcomeColors {
		p.OutcomeColors = append(p.OutcomeColors, hexColor(c))
	}
	return p, nil
}

// buildFaults orders the fault windows by start and gives each the lowest
// row on which it overlaps no earlier window, and its fault's colour (fixed
// per fault, see faultColor), as an index into the palette it returns (the
// page and the plots share them).
func buildFaults(r *Run) ([]pageFault, []color.RGBA) {
	order := make([]int, len(r.Faults))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(r.Faults[a].Start, r.Faults[b].Start) })
	var rowEnd []int64             // per row, the end of its last window
	colors := make(map[string]int) // fault name → index into palette
	var palette []color.RGBA
	out := make([]pageFault, 0, len(order))
	for _, i := range order {
		f := &r.Faults[i]
		row := 0
		for row < len(rowEnd) && rowEnd[row] > f.Start {
			row++
		}
		if row == len(rowEnd) {
			rowEnd = append(rowEnd, 0)
		}
		rowEnd[row] = f.End
		ci, ok := colors[f.Fault]
		if !ok {
			c, _ := faultColor(f.Fault)
			ci = len(palette)
			palette = append(palette, c)
			colors[f.Fault] = ci
		}
		src := f.Groups
		if len(src) == 0 {
			src = partitionGroups(r.Nodes, f.Links)
		}
		groups := make([][]int, len(src))
		for j, g := range src {
			groups[j] = nonNil(g)
		}
		out = append(out, pageFault{
			Name:    f.Fault,
			T0:      (f.Start - r.Start) / 1000,
			T1:      (f.End - r.Start) / 1000,
			Row:     row,
			Color:   ci,
			Targets: nonNil(f.Targets),
			Detail:  f.Detail,
			Links:   nonNil(f.Links),
			Groups:  groups,
		})
	}
	return out, palette
}

// summaryLines are the run-level facts shown under the node table, in the
// summary's order.
func summaryLines(r *Run) []KV {
	leader := "none"
	if r.Leader != 0 {
		leader = "node " + strconv.Itoa(r.Leader)
	}
	alive := 0
	for _, n := range r.FinalNodes {
		if n.Alive {
			alive++
		}
	}
	lines := []KV{
		{"Leader", leader},
		{"Events processed", formatEvents(r.Events, r.WallTime)},
		{"Simulated time", formatSeconds(r.SimTime)},
		{"Wall time", formatSeconds(int64(r.WallTime))},
		{"Node states", formatStates(r.FinalNodes)},
		{"Alive", strconv.Itoa(alive) + "/" + strconv.Itoa(len(r.FinalNodes))},
	}
	if r.TraceHash != "" {
		lines = append(lines, KV{"Trace hash", r.TraceHash})
	}
	return lines
}

func pairs(kvs []KV) [][2]string {
	out := make([][2]string, len(kvs))
	for i, kv := range kvs {
		out[i] = [2]string{kv.Key, kv.Value}
	}
	return out
}

// nonNil makes empty lists encode as [] rather than null, so the page's
// script never has to check.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func hexColor(c color.RGBA) string {
	return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B)
}
