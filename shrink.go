package raftcheck

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/internal/pool"
	"github.com/raftcheck/raftcheck/internal/store"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Shrinking: from a failing run, search for a smaller run that fails the
// same way — fewer fault windows, fewer nodes, clients and keys, less time —
// by running edited copies of it. The run is first made explicit (Resolve:
// a swarm's draw or a scenario written out as knobs) and given the fault
// schedule it recorded (Config.NemesisSchedule), which replays it exactly;
// windows can then be removed one by one, each leaving the others where they
// were.
//
// The search is greedy and deterministic: passes over the dimensions, each
// proposing candidates in a fixed order and keeping the first that still
// fails the same way, until a whole round keeps nothing or a bound is hit.
// Candidates run shrinkBatch at a time whatever the workers, and a batch
// keeps its lowest-numbered failing candidate, so a search bounded by runs
// gives the same result on any machine (as long as no candidate's
// linearizability check hits CheckTimeout, the one wall-clock bound in a run).

// DefaultShrinkRuns bounds a shrink's runs unless ShrinkOptions.MaxRuns says
// otherwise.
const DefaultShrinkRuns = 500

// shrinkBatch is how many candidates run side by side; fixed, so that the
// search (which candidates run, which one is kept) does not depend on the
// number of workers.
const shrinkBatch = 4

// ShrinkOptions bounds and observes a shrink.
type ShrinkOptions struct {
	// MaxRuns bounds the runs (the replays that confirm the original
	// included); 0 means DefaultShrinkRuns.
	MaxRuns int
	// MaxTime bounds the wall time; 0 means none. The search stops between
	// batches, so a bound by time makes the result depend on the machine.
	MaxTime time.Duration
	// Workers runs candidates side by side (0: GOMAXPROCS); it changes how
	// fast, never what, the search finds.
	Workers int
	// Target is the finding the shrunk run must keep (see Findings); ""
	// means the failing run's primary finding (PrimaryFinding).
	Target string
	// Progress, when set, is called after each accepted step.
	Progress func(ShrinkStep)
}

// ShrinkStep is one accepted edit.
type ShrinkStep struct {
	Pass   string `json:"pass"`   // ticks | windows | faults | time | nodes | clients | keys | rate | network
	Change string `json:"change"` // what the edit did, in words
	Runs   int    `json:"runs"`   // runs so far, this one's batch included
}

// ShrinkSummary describes one run of a shrink, before or after.
type ShrinkSummary struct {
	Windows   int      `json:"fault_windows"`
	Faults    []string `json:"faults"`
	Nodes     int      `json:"nodes"`
	Clients   int      `json:"clients"`
	Keys      int      `json:"keys"`
	Rate      float64  `json:"rate"`
	MaxTime   string   `json:"max_time"`
	Ops       int      `json:"ops"`
	Events    uint64   `json:"events"`
	Findings  []string `json:"findings"`
	TraceHash string   `json:"trace_hash"`
}

// ShrinkResult is the outcome of Shrink.
type ShrinkResult struct {
	Target string `json:"target"` // the finding kept
	// Original is the failing run made explicit, with the schedule it
	// followed; Shrunk the smallest run found that fails the same way.
	Original Config  `json:"original"`
	Shrunk   Config  `json:"shrunk"`
	Before   *Result `json:"-"`
	After    *Result `json:"-"`
	// BeforeSummary and AfterSummary compare the two.
	BeforeSummary ShrinkSummary `json:"before"`
	AfterSummary  ShrinkSummary `json:"after"`
	Steps         []ShrinkStep  `json:"steps"`
	Runs          int           `json:"runs"`
	// Stopped says why the search ended: "done" (no edit left keeps the
	// failure), "runs" or "time" (a bound), "cancelled".
	Stopped     string  `json:"stopped"`
	WallSeconds float64 `json:"wall_seconds"`
	// Replay reruns the shrunk run exactly (its schedule inline).
	Replay string `json:"replay"`
}

// ErrNotFailing is returned by Shrink for a run that is not invalid, or
// whose replay no longer fails the same way.
var ErrNotFailing = errors.New("the run does not fail")

// PrimaryFinding names the finding a shrink keeps by default: the first
// invariant the run broke, else linearizability, else the first problem of
// the cheap checks (an append check, a node's anomaly), else liveness; ""
// for a run that found nothing.
func PrimaryFinding(r *Result) string {
	switch {
	case len(r.Invariants) > 0:
		return r.Invariants[0].Invariant
	case r.Linearizability == string(checker.LinIllegal):
		return FindLinearizability
	case len(r.Problems) > 0:
		return r.Problems[0].Check
	case r.Liveness == checker.LivenessFailed:
		return FindLiveness
	}
	return ""
}

// Shrink searches for a smaller run than cfg (a run whose verdict is
// invalid) that keeps its failure, and returns it with the search's record.
// cfg.Store and cfg.TracePath are ignored: the caller stores the shrunk run
// (Run with ShrinkResult.Shrunk) if it wants it kept. ErrNotFailing: cfg's
// run does not fail.
func Shrink(ctx context.Context, cfg Config, opts ShrinkOptions) (*ShrinkResult, error) {
	start := time.Now()
	if opts.MaxRuns <= 0 {
		opts.MaxRuns = DefaultShrinkRuns
	}
	cfg.Store, cfg.TracePath, cfg.KeepMessages = "", "", false
	base, err := cfg.Resolve()
	if err != nil {
		return nil, err
	}
	s := &shrinker{ctx: ctx, opts: opts, start: start}

	// The run as it stands, then with the schedule it recorded: the same
	// run, whose windows can now be edited.
	first, err := s.run(base)
	if err != nil {
		return nil, err
	}
	s.target = opts.Target
	if s.target == "" {
		s.target = PrimaryFinding(first)
	}
	if first.Verdict != Invalid || !slices.Contains(Findings(first), s.target) {
		return nil, fmt.Errorf("%w %s: seed %d is %s (found: %s)", ErrNotFailing, shrinkTargetWords(s.target), cfg.Seed, first.Verdict, strings.Join(Findings(first), ", "))
	}
	if base.NemesisSchedule == "" {
		base.NemesisSchedule = orNone(first.Schedule)
		again, err := s.run(base)
		if err != nil {
			return nil, err
		}
		if again.TraceHash != first.TraceHash {
			return nil, fmt.Errorf("%w: the run replayed with its recorded schedule is another run (trace hash %s, not %s)", ErrInternal, again.TraceHash, first.TraceHash)
		}
		first = again
	}
	s.cur, s.res = base, first
	s.liveness = slices.Contains(Findings(first), FindLiveness)
	s.sched, err = parseSchedule(base.NemesisSchedule)
	if err != nil {
		return nil, fmt.Errorf("%w: the recorded schedule: %v", ErrInternal, err)
	}

	s.search()

	out := &ShrinkResult{
		Target: s.target, Original: base, Shrunk: s.cur, Before: first, After: s.res,
		BeforeSummary: summarize(base, first), AfterSummary: summarize(s.cur, s.res),
		Steps: s.steps, Runs: s.runs, Stopped: s.stopped,
		WallSeconds: time.Since(start).Seconds(), Replay: ReplayCommand(s.cur),
	}
	if out.Steps == nil {
		out.Steps = []ShrinkStep{}
	}
	return out, nil
}

// shrinkTargetWords names the failure kept, for errors.
func shrinkTargetWords(target string) string {
	if target == "" {
		return "(it found nothing)"
	}
	return "with " + target
}

// orNone is a schedule's text, "none" for an empty one.
func orNone(sched string) string {
	if sched == "" {
		return "none"
	}
	return sched
}

// parseSchedule reads a Config.NemesisSchedule.
func parseSchedule(text string) ([]nemesis.Step, error) {
	return nemesis.ParseSchedule(orNone(text))
}

// shrinker is one shrink in progress: the smallest failing run so far
// (cur, its schedule sched and result res) and the budget spent.
type shrinker struct {
	ctx      context.Context
	opts     ShrinkOptions
	start    time.Time
	target   string
	liveness bool // the original run failed liveness too

	cur   Config
	sched []nemesis.Step
	res   *Result

	runs    int
	steps   []ShrinkStep
	stopped string
}

// run runs c once, counted against the budget.
func (s *shrinker) run(c Config) (*Result, error) {
	s.runs++
	return Run(c)
}

// budgetLeft reports whether another batch may run, noting why not.
func (s *shrinker) budgetLeft() bool {
	switch {
	case s.ctx.Err() != nil:
		s.stopped = "cancelled"
	case s.runs >= s.opts.MaxRuns:
		s.stopped = "runs"
	case s.opts.MaxTime > 0 && time.Since(s.start) >= s.opts.MaxTime:
		s.stopped = "time"
	default:
		return true
	}
	return false
}

// candidate is an edit of the current run.
type candidate struct {
	cfg    Config
	sched  []nemesis.Step
	change string
}

// withSchedule is c with sched as its explicit schedule.
func withSchedule(c Config, sched []nemesis.Step) Config {
	c.NemesisSchedule = orNone(nemesis.FormatSchedule(sched))
	return c
}

// fails reports whether r fails the way the shrink keeps: with the target
// finding, and without a liveness failure the original did not have (a
// recovery window cut too short would add one, which is noise).
func (s *shrinker) fails(r *Result) bool {
	if r == nil || r.Verdict != Invalid {
		return false
	}
	f := Findings(r)
	return slices.Contains(f, s.target) && (s.liveness || !slices.Contains(f, FindLiveness))
}

// try runs the candidates in order, shrinkBatch at a time, and keeps the
// first (lowest-numbered in the first batch that has one) that fails the
// same way. It reports whether one was kept.
func (s *shrinker) try(pass string, cands []candidate) bool {
	for lo := 0; lo < len(cands); lo += shrinkBatch {
		if s.tryBatch(pass, cands[lo:min(lo+shrinkBatch, len(cands))]) >= 0 {
			return true
		}
		if s.stopped != "" {
			return false
		}
	}
	return false
}

// tryBatch runs cands (at most shrinkBatch, fewer if the budget says so)
// side by side and keeps the lowest-numbered one that fails the same way,
// returning its position (also in s.lastKept), or -1.
func (s *shrinker) tryBatch(pass string, cands []candidate) int {
	if !s.budgetLeft() {
		return -1
	}
	cands = cands[:min(len(cands), s.opts.MaxRuns-s.runs)]
	results := make([]*Result, len(cands))
	pool.Run(s.ctx, len(cands), s.opts.Workers,
		func(i int) *Result {
			if cands[i].cfg.Validate() != nil {
				return nil // an edit the config cannot take keeps nothing
			}
			r, err := Run(cands[i].cfg)
			if err != nil {
				return nil
			}
			return r
		}, nil,
		func(i int, r *Result) { results[i] = r })
	s.runs += len(cands)
	for i, r := range results {
		if !s.fails(r) {
			continue
		}
		c := cands[i]
		s.cur, s.sched, s.res = c.cfg, c.sched, r
		st := ShrinkStep{Pass: pass, Change: c.change, Runs: s.runs}
		s.steps = append(s.steps, st)
		if s.opts.Progress != nil {
			s.opts.Progress(st)
		}
		return i
	}
	return -1
}

// search runs the passes until a whole round keeps nothing.
func (s *shrinker) search() {
	// Time first: cutting it drops every window after the failure at once.
	passes := []func() bool{s.shrinkTicks, s.shrinkTime, s.shrinkWindows, s.shrinkFaults,
		s.shrinkNodes, s.shrinkClients, s.shrinkKeys, s.shrinkRate, s.shrinkNetwork}
	for {
		progress := false
		for _, p := range passes {
			for p() {
				progress = true
			}
			if s.stopped != "" {
				return
			}
		}
		if !progress {
			s.stopped = "done"
			return
		}
	}
}

// shrinkTicks drops the steps at which the scheduler did nothing (kept in a
// recorded schedule so it replays event for event).
func (s *shrinker) shrinkTicks() bool {
	var kept []nemesis.Step
	for _, st := range s.sched {
		if st.Fault != "" {
			kept = append(kept, st)
		}
	}
	if len(kept) == len(s.sched) {
		return false
	}
	return s.try("ticks", []candidate{{withSchedule(s.cur, kept), kept, fmt.Sprintf("dropped %d idle scheduler ticks", len(s.sched)-len(kept))}})
}

// dropWindows is the schedule without the windows ws (their starts and stops).
func dropWindows(sched []nemesis.Step, ws []nemesis.Window) []nemesis.Step {
	drop := make(map[int]bool, 2*len(ws))
	for _, w := range ws {
		drop[w.Start] = true
		if w.Stop >= 0 {
			drop[w.Stop] = true
		}
	}
	var out []nemesis.Step
	for i, st := range sched {
		if !drop[i] {
			out = append(out, st)
		}
	}
	return out
}

// shrinkWindows removes fault windows, delta-debugging style: the windows
// split into n chunks, and removing a chunk that keeps the failure is kept
// (the split then coarsens again); when no chunk can go, the split gets
// finer. At single windows it sweeps them in order, keeping each removal
// that keeps the failure.
func (s *shrinker) shrinkWindows() bool {
	kept := false
	n := 2
	for {
		ws := nemesis.Windows(s.sched)
		if len(ws) == 0 {
			return kept
		}
		n = min(n, len(ws))
		if n == len(ws) {
			return s.sweepWindows() || kept
		}
		var cands []candidate
		for k := 0; k < n; k++ {
			lo, hi := k*len(ws)/n, (k+1)*len(ws)/n
			chunk := ws[lo:hi]
			sched := dropWindows(s.sched, chunk)
			cands = append(cands, candidate{withSchedule(s.cur, sched), sched, describeWindows(chunk, len(ws))})
		}
		if s.try("windows", cands) {
			kept = true
			n = max(n-1, 2)
			continue
		}
		if s.stopped != "" {
			return kept
		}
		n = min(2*n, len(ws))
	}
}

// sweepWindows tries removing each window alone, in order, shrinkBatch at a
// time; after a removal it goes on from the window that followed.
func (s *shrinker) sweepWindows() bool {
	kept := false
	for i := 0; ; {
		ws := nemesis.Windows(s.sched)
		if i >= len(ws) || s.stopped != "" {
			return kept
		}
		var cands []candidate
		for j := i; j < min(i+shrinkBatch, len(ws)); j++ {
			sched := dropWindows(s.sched, ws[j:j+1])
			cands = append(cands, candidate{withSchedule(s.cur, sched), sched, describeWindows(ws[j:j+1], len(ws))})
		}
		if k := s.tryBatch("windows", cands); k >= 0 {
			kept = true
			// The windows before the one removed were tried and stay;
			// the one after it now has its index.
			i += k
			continue
		}
		i += len(cands)
	}
}

// describeWindows says which windows an edit removed.
func describeWindows(ws []nemesis.Window, of int) string {
	if len(ws) == 1 {
		return fmt.Sprintf("removed 1 of %d fault windows (%s)", of, ws[0].Fault)
	}
	return fmt.Sprintf("removed %d of %d fault windows", len(ws), of)
}

// shrinkFaults keeps only the faults the schedule still uses, and only
// their intensities.
func (s *shrinker) shrinkFaults() bool {
	var used []string
	for _, st := range s.sched {
		if st.Fault != "" && !slices.Contains(used, st.Fault) {
			used = append(used, st.Fault)
		}
	}
	used, _ = nemesis.ParseFaults(strings.Join(used, ","))
	c := s.cur
	c.Nemesis = namesOf[Fault](used)
	var nc nemesis.Config
	if err := nemesis.ParseTuning(c.NemesisTuning, &nc); err == nil {
		nc.Faults = used
		c.NemesisTuning = nemesis.FormatTuning(nc.Trim())
	}
	if slices.Equal(c.Nemesis, s.cur.Nemesis) && c.NemesisTuning == s.cur.NemesisTuning {
		return false
	}
	return s.try("faults", []candidate{{c, s.sched, fmt.Sprintf("kept only the faults the schedule uses (%s)", orNone(strings.Join(used, ",")))}})
}

// shrinkTime shortens the time with faults on (the steps past the new end
// never run, so they go too) and, unless the failure is liveness, the
// recovery window.
func (s *shrinker) shrinkTime() bool {
	cur := time.Duration(s.cur.MaxTime)
	var cands []candidate
	for _, f := range []float64{0.25, 0.5, 0.75} {
		t := max(time.Duration(float64(cur)*f).Round(time.Millisecond), time.Second)
		if t >= cur || slices.ContainsFunc(cands, func(c candidate) bool { return time.Duration(c.cfg.MaxTime) == t }) {
			continue
		}
		var sched []nemesis.Step
		for _, st := range s.sched {
			if st.At < int64(t) {
				sched = append(sched, st)
			}
		}
		c := withSchedule(s.cur, sched)
		c.MaxTime = Duration(t)
		cands = append(cands, candidate{c, sched, fmt.Sprintf("max time %s → %s", cur, t)})
	}
	if rec := time.Duration(s.cur.RecoveryTime); s.target != FindLiveness && rec >= 2*time.Second {
		c := s.cur
		c.RecoveryTime = Duration((rec / 2).Round(time.Millisecond))
		cands = append(cands, candidate{c, s.sched, fmt.Sprintf("recovery time %s → %s", rec, time.Duration(c.RecoveryTime))})
	}
	return s.try("time", cands)
}

// smaller lists the values below cur to try, smallest first: from, then
// halvings of cur down to it.
func smaller(cur, from int) []int {
	var out []int
	if from < cur {
		out = append(out, from)
	}
	for v := cur / 2; v > from; v /= 2 {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if cur-1 > from && !slices.Contains(out, cur-1) {
		out = append(out, cur-1)
	}
	slices.Sort(out)
	return out
}

// shrinkNodes tries smaller clusters, smallest first.
func (s *shrinker) shrinkNodes() bool {
	var cands []candidate
	for _, n := range smaller(s.cur.Nodes, 1) {
		c := s.cur
		c.Nodes = n
		c.MaxCrashed = min(c.MaxCrashed, n)
		cands = append(cands, candidate{c, s.sched, fmt.Sprintf("nodes %d → %d", s.cur.Nodes, n)})
	}
	return s.try("nodes", cands)
}

// shrinkClients tries fewer clients, fewest first.
func (s *shrinker) shrinkClients() bool {
	var cands []candidate
	for _, n := range smaller(s.cur.Clients, 1) {
		c := s.cur
		c.Clients = n
		cands = append(cands, candidate{c, s.sched, fmt.Sprintf("clients %d → %d", s.cur.Clients, n)})
	}
	return s.try("clients", cands)
}

// shrinkKeys tries fewer keys, fewest first.
func (s *shrinker) shrinkKeys() bool {
	if s.cur.Workload == "register" {
		return false // one register whatever the keys
	}
	var cands []candidate
	for _, n := range smaller(s.cur.Keys, 1) {
		c := s.cur
		c.Keys = n
		cands = append(cands, candidate{c, s.sched, fmt.Sprintf("keys %d → %d", s.cur.Keys, n)})
	}
	return s.try("keys", cands)
}

// shrinkRate tries a lower client rate: a shorter history to read.
func (s *shrinker) shrinkRate() bool {
	if s.cur.Rate <= 1 {
		return false
	}
	var cands []candidate
	for _, f := range []float64{0.25, 0.5} {
		c := s.cur
		c.Rate = max(1, float64(int(s.cur.Rate*f*10))/10)
		cands = append(cands, candidate{c, s.sched, fmt.Sprintf("rate %g → %g ops/s per client", s.cur.Rate, c.Rate)})
	}
	return s.try("rate", cands)
}

// shrinkNetwork turns off the base network's loss, duplication and
// reordering (the faults' own stay).
func (s *shrinker) shrinkNetwork() bool {
	var cands []candidate
	c := s.cur
	if c.MessageDropRate > 0 || c.MessageDupRate > 0 || c.ReorderRate > 0 {
		c.MessageDropRate, c.MessageDupRate, c.ReorderRate = 0, 0, 0
		cands = append(cands, candidate{c, s.sched, "no message loss, duplication or reordering outside the faults"})
	}
	return s.try("network", cands)
}

// summarize describes run c with result r.
func summarize(c Config, r *Result) ShrinkSummary {
	sched, _ := parseSchedule(c.NemesisSchedule)
	sum := ShrinkSummary{
		Windows: len(nemesis.Windows(sched)), Faults: namesOf[string](c.Nemesis),
		Nodes: c.Nodes, Clients: c.Clients, Keys: c.Keys, Rate: c.Rate, MaxTime: time.Duration(c.MaxTime).String(),
		Ops: r.Stats.Ops.Invoked, Events: r.Stats.Events, Findings: Findings(r), TraceHash: r.TraceHash,
	}
	if sum.Faults == nil {
		sum.Faults = []string{}
	}
	return sum
}

// ShrunkName is the store name of a shrunk run: the original's name and
// "-shrunk".
func ShrunkName(name string) string { return name + "-shrunk" }

// StoreShrink runs the shrunk configuration once more with store as its
// result store, under ShrunkName, writes shrink.json (the ShrinkResult) and
// shrink.txt (WriteText) beside its reports, and returns the stored run's
// result (Result.Store is its directory). The run must be the shrunk one,
// trace hash included, or it is an internal error.
func StoreShrink(r *ShrinkResult, root string) (*Result, error) {
	c := r.Shrunk
	c.Store, c.Name, c.KeepMessages = root, ShrunkName(r.Original.Name), true
	res, err := Run(c)
	if err != nil {
		return res, err
	}
	if res.TraceHash != r.After.TraceHash {
		return res, fmt.Errorf("%w: the shrunk run replayed as another run (trace hash %s, not %s)", ErrInternal, res.TraceHash, r.After.TraceHash)
	}
	r.Replay = "raftcheck replay " + shellQuote(res.Store)
	if err := store.WriteFile(filepath.Join(res.Store, "shrink.json"), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}); err != nil {
		return res, err
	}
	err = store.WriteFile(filepath.Join(res.Store, "shrink.txt"), func(w *bufio.Writer) error { return r.WriteText(w) })
	return res, err
}

// WriteText writes the shrink's report: the failure kept, before and after,
// the accepted steps, the shrunk schedule and how to replay it.
func (r *ShrinkResult) WriteText(w io.Writer) error {
	b, a := r.BeforeSummary, r.AfterSummary
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "shrunk seed %d, keeping %s, in %s (%.1f s; stopped: %s)\n\n", r.Original.Seed, r.Target, plural(r.Runs, "run"), r.WallSeconds, stoppedWords(r.Stopped))
	row := func(name, before, after string) { fmt.Fprintf(bw, "  %-14s %-30s %s\n", name, before, after) }
	row("", "before", "after")
	row("fault windows", fmt.Sprint(b.Windows), fmt.Sprint(a.Windows))
	row("faults", orNone(strings.Join(b.Faults, ",")), orNone(strings.Join(a.Faults, ",")))
	row("nodes", fmt.Sprint(b.Nodes), fmt.Sprint(a.Nodes))
	row("clients", fmt.Sprint(b.Clients), fmt.Sprint(a.Clients))
	row("keys", fmt.Sprint(b.Keys), fmt.Sprint(a.Keys))
	row("rate", fmt.Sprint(b.Rate), fmt.Sprint(a.Rate))
	row("max time", b.MaxTime, a.MaxTime)
	row("operations", fmt.Sprint(b.Ops), fmt.Sprint(a.Ops))
	row("events", fmt.Sprint(b.Events), fmt.Sprint(a.Events))
	row("findings", strings.Join(b.Findings, ","), strings.Join(a.Findings, ","))
	row("trace hash", b.TraceHash, a.TraceHash)
	fmt.Fprintf(bw, "\nsteps:\n")
	if len(r.Steps) == 0 {
		fmt.Fprintf(bw, "  (none: no smaller run fails the same way)\n")
	}
	for _, st := range r.Steps {
		fmt.Fprintf(bw, "  [%s] %s (run %d)\n", st.Pass, st.Change, st.Runs)
	}
	if r.After != nil && len(r.After.Reasons) > 0 {
		fmt.Fprintf(bw, "\nthe shrunk run fails with:\n")
		for _, reason := range r.After.Reasons {
			fmt.Fprintf(bw, "  - %s\n", reason)
		}
	}
	fmt.Fprintf(bw, "\nschedule: %s\n", r.Shrunk.NemesisSchedule)
	fmt.Fprintf(bw, "replay:   %s\n", r.Replay)
	if cmd := ReplayCommand(r.Shrunk); cmd != r.Replay {
		fmt.Fprintf(bw, "command:  %s\n", cmd)
	}
	return bw.Flush()
}

// stoppedWords says why a shrink stopped.
func stoppedWords(s string) string {
	switch s {
	case "done":
		return "no edit left keeps the failure"
	case "runs":
		return "the bound on runs"
	case "time":
		return "the bound on time"
	}
	return s
}

// plural is "1 run", "2 runs".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
