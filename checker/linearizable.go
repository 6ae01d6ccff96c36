package checker

import (
	"fmt"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/raftcheck/raftcheck/histories"
)

// LinVerdict is the outcome of a linearizability check.
type LinVerdict string

// Linearizability outcomes. Unknown means the check ran out of time or
// memory before finding either a linearization or a violation; it is never
// reported as OK.
const (
	LinOK      LinVerdict = "ok"
	LinIllegal LinVerdict = "illegal"
	LinUnknown LinVerdict = "unknown"
)

// LinOptions configures [CheckLinearizable].
type LinOptions struct {
	// Model is one of [Models]; "" guesses it with [ModelForHistory].
	Model string
	// Timeout bounds the wall time of the whole check; 0 means none. A
	// verdict's search that runs out of time yields LinUnknown. For an
	// illegal history the verbose pass and the counterexample search run
	// within what is left of it (and the latter within ExplainTimeout too):
	// the verdict stands, and Explain says which bound stopped them. A
	// verbose pass a page runs later, for a verdict that is not illegal, is
	// bounded by Timeout again (by DefaultExplainTimeout at most when the
	// verdict is unknown). Where the timeout stops a search depends on the
	// machine's speed; where StepLimit does, not.
	Timeout time.Duration
	// MemoryLimit bounds, in bytes, the process's heap while porcupine
	// searches (the verdict, and the verbose and counterexample passes):
	// past it the search is stopped, and the verdict's search then yields
	// LinUnknown. While a search runs, the runtime's soft memory limit is
	// lowered to the bound too, so the collector keeps the heap near it. 0
	// means DefaultMemoryLimit; negative, no bound. The heap is the whole
	// process's, so checks running at once share the bound (see guard.go).
	MemoryLimit int64
	// StepLimit bounds the model steps of each porcupine search of the
	// check: the verdict's search of each segment of a key, the verbose
	// pass (all keys together) and each check of the counterexample
	// search. A search past it is stopped as at the timeout: the verdict's
	// yields LinUnknown, and Explain says when it stopped the others.
	// Unlike Timeout and MemoryLimit, it stops a search at the same point
	// on every machine, so a history and a StepLimit give the same verdict
	// anywhere. 0 (or negative) means none.
	StepLimit int64
	// ExplainChecks bounds how many porcupine checks the search for a minimal
	// counterexample may run; 0 means DefaultExplainChecks, negative
	// disables the search.
	ExplainChecks int
	// ExplainTimeout bounds the wall time of that search; 0 means
	// DefaultExplainTimeout. Timeout bounds it too.
	ExplainTimeout time.Duration
	// probes read the clock and the heap for the bounds above; nil reads
	// the real ones (tests inject fakes: see probes.go).
	probes *probes
	// KeepUnobservedWrites turns off dropping unknown-outcome writes that no
	// read observed (kv and append models). The reduction is sound (see
	// dropUnobservedWrites) and keeps checking fast under faults; this switch
	// exists to compare against the plain search.
	KeepUnobservedWrites bool
}

// Defaults for the counterexample search.
const (
	DefaultExplainChecks  = 2000
	DefaultExplainTimeout = 10 * time.Second
)

// LinResult is the outcome of [CheckLinearizable].
type LinResult struct {
	Result     LinVerdict    `json:"result"`
	Model      string        `json:"model"`
	Ops        int           `json:"ops"`         // operations given to porcupine
	Partitions int           `json:"partitions"`  // independent keys
	Duration   time.Duration `json:"duration_ns"` // wall time of the porcupine check, without the counterexample search
	// Reason says, for an unknown result, which bound stopped the search.
	Reason string `json:"reason,omitempty"`

	// Counterexample lists, for an illegal history, the history positions
	// (of the invokes) of a small set of operations that cannot be
	// linearized together, in history order. Culprit is the one among them
	// that no linearization of the others can accommodate (-1: none); Key is
	// their key.
	Counterexample []int  `json:"counterexample,omitempty"`
	Culprit        int    `json:"culprit"`
	Key            string `json:"key,omitempty"`
	// Minimal reports that no single operation can be dropped from
	// Counterexample with the rest still illegal and still holding every
	// possible source of what it observes (the search finished within its
	// budget).
	Minimal bool `json:"minimal,omitempty"`

	spec *modelSpec
	cex  []*linOp // the counterexample as checked (cut-off ops unknown)
	// info holds porcupine's partial linearizations once haveInfo is set:
	// at once for an illegal history (the explanation needs them), on the
	// first linInfo call otherwise (only the visualization needs them).
	info     porcupine.LinearizationInfo
	haveInfo bool
	// infoNote says why the partial linearizations are incomplete when the
	// verbose pass was stopped ("": it finished).
	infoNote string
	// explainNote completes "the search for a small counterexample …" for
	// an illegal history without one: which bound stopped that search ("":
	// it was not asked for).
	explainNote string
	timeout     time.Duration
	memLimit    int64 // resolved MemoryLimit: bytes, ≤ 0 for none
	stepLimit   int64 // StepLimit: ≤ 0 for none
	probes      *probes
	hist        histories.History
	conv        *converted
}

// CheckLinearizable checks a history for linearizability with porcupine. An
// invalid history (a completion without an invoke, two invokes in flight on
// one process, values the model cannot read) is an error naming the op.
func CheckLinearizable(h histories.History, opts LinOptions) (*LinResult, error) {
	name := opts.Model
	if name == "" {
		var err error
		if name, err = ModelForHistory(h); err != nil {
			return nil, fmt.Errorf("choosing a model: %w", err)
		}
	}
	spec, err := lookupModel(name)
	if err != nil {
		return nil, err
	}
	conv, err := convert(h, spec, !opts.KeepUnobservedWrites)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	r := &LinResult{Model: name, Ops: len(conv.ops), Partitions: countKeys(conv.ops), Culprit: -1,
		spec: spec, hist: h, conv: conv, timeout: opts.Timeout, memLimit: resolveMemoryLimit(opts.MemoryLimit),
		stepLimit: opts.StepLimit, probes: opts.probes.orReal()}
	// The verdict comes from porcupine's plain search over segments of
	// each key (segment.go), checked on every core (parallel.go). Its
	// verbose mode also records the longest partial linearization through
	// every op, which costs O(depth) per backtrack — up to half the check
	// on a busy history — and only the reports need it: they get it per
	// whole key, from linInfo.
	start := r.probes.now()
	var deadline time.Time
	if opts.Timeout > 0 {
		deadline = start.Add(opts.Timeout)
	}
	parts := verdictParts(spec, conv.ops)
	// One guard and one deadline cover every search of the check: the
	// verdict's, and for an illegal history the verbose pass and the
	// counterexample search.
	g := newGuard(r.memLimit, r.stepLimit, r.probes)
	end := g.watch()
	defer end()
	res, cause := checkParts(g, spec.model, parts, deadline)
	r.Duration = r.probes.now().Sub(start)
	switch res {
	case porcupine.Ok:
		r.Result = LinOK
	case porcupine.Illegal:
		r.Result = LinIllegal
		r.verbosePass(g, deadline)
		switch {
		case opts.ExplainChecks < 0:
			r.explainNote = "" // not asked for
		case r.explainNote == "": // else the verbose pass spent a bound
			r.explain(opts, g, deadline)
		}
	default:
		r.Result = LinUnknown
		switch cause {
		case stopMemory:
			r.Reason = fmt.Sprintf("%s after %v", g.reason(), r.Duration.Round(time.Millisecond))
		case stopSteps:
			r.Reason = "the search was stopped at " + g.stepBound()
		default:
			r.Reason = fmt.Sprintf("the search timed out after %v", opts.Timeout)
		}
	}
	return r, nil
}

// verdictParts splits ops into the partitions the verdict's search checks
// independently: segments of each key when the model has a segmenter, else
// keys.
func verdictParts(spec *modelSpec, ops []porcupine.Operation) [][]porcupine.Operation {
	if spec.seed != nil {
		return (&segmenter{seed: spec.seed, settled: spec.settled}).partition(ops)
	}
	return spec.model.Partition(ops)
}

// verbosePass runs porcupine's verbose search over whole keys for an
// illegal verdict, within the check's deadline (zero: none) and under its
// guard, which the caller watches. When a bound stops it, the info holds the
// partial linearizations found until then (genuine ones: see guard.go),
// infoNote says why it is incomplete, and explainNote why no counterexample
// will be searched for: the counterexample search needs the same whole-key
// search, and its bounds are spent.
func (r *LinResult) verbosePass(g *searchGuard, deadline time.Time) {
	s := g.search(deadline)
	if s.expired() && s.cause() == stopTime {
		// Nothing left: a page will run its own bounded pass.
		r.explainNote = r.stoppedAtTime()
		return
	}
	_, info := porcupine.CheckOperationsVerbose(s.model(r.spec.model), r.conv.ops, 0)
	r.infoNote = r.stoppedBecause(s.cause(), g, r.timeout)
	switch s.cause() {
	case stopMemory:
		r.explainNote = r.stoppedAtMemory(g)
	case stopTime:
		r.explainNote = r.stoppedAtTime()
	case stopSteps:
		r.explainNote = r.stoppedAtSteps(g)
	}
	r.info = info
	sortPartials(r.info.PartialLinearizations())
	r.haveInfo = true
}

// stoppedBecause says why a verbose pass stopped by cause is incomplete
// ("": it finished); timeout is the bound it ran within.
func (r *LinResult) stoppedBecause(cause stopCause, g *searchGuard, timeout time.Duration) string {
	switch cause {
	case stopMemory:
		return g.reason()
	case stopTime:
		return fmt.Sprintf("the search timed out after %v", timeout)
	case stopSteps:
		return "the search was stopped at " + g.stepBound()
	}
	return ""
}

// stoppedAtMemory, stoppedAtTime and stoppedAtSteps complete "the search
// for a small counterexample …" when a bound of the check stopped it.
func (r *LinResult) stoppedAtMemory(g *searchGuard) string {
	return fmt.Sprintf("stopped at the memory bound (%s; live heap %s)", FormatBytes(g.limit), roughBytes(g.heap.Load()))
}

func (r *LinResult) stoppedAtTime() string {
	return fmt.Sprintf("stopped at the time bound (%v)", r.timeout)
}

func (r *LinResult) stoppedAtSteps(g *searchGuard) string {
	return fmt.Sprintf("stopped at the step bound (%d steps)", g.steps)
}

// linInfo returns porcupine's linearization info for the checked history.
// For an illegal history the check computed it already (verbosePass);
// otherwise the first call runs the verbose search over whole keys, which
// only the page needs: under a fresh guard with the check's memory bound,
// within the check's timeout, and within DefaultExplainTimeout at most when
// the check already timed out. It decides the verdict the segmented search
// did (see segment.go), unless a bounded search is stopped; then the info
// holds the partial linearizations found until then (genuine ones: see
// guard.go) and infoNote says why it is incomplete.
func (r *LinResult) linInfo() porcupine.LinearizationInfo {
	if !r.haveInfo {
		bound := r.timeout
		if r.Result != LinOK && (bound == 0 || bound > DefaultExplainTimeout) {
			// The check already spent its whole bound: a page of the
			// partial linearizations found in a shorter search will do.
			bound = DefaultExplainTimeout
		}
		g := newGuard(r.memLimit, r.stepLimit, r.probes)
		end := g.watch()
		var deadline time.Time
		if bound > 0 {
			deadline = r.probes.now().Add(bound)
		}
		s := g.search(deadline)
		_, info := porcupine.CheckOperationsVerbose(s.model(r.spec.model), r.conv.ops, 0)
		end()
		r.infoNote = r.stoppedBecause(s.cause(), g, bound)
		r.info = info
		sortPartials(r.info.PartialLinearizations())
		r.haveInfo = true
	}
	return r.info
}

// countKeys counts the distinct keys of ops: the partitions porcupine checks
// (every model partitions by key).
func countKeys(ops []porcupine.Operation) int {
	seen := make(map[string]struct{})
	for _, op := range ops {
		seen[op.Input.(*linOp).key] = struct{}{}
	}
	return len(seen)
}

// sortPartials orders each partition's partial linearizations longest first,
// then lexicographically: porcupine collects them from a map, and reports
// built from them should not change from one check to the next.
func sortPartials(parts [][][]int) {
	for _, ps := range parts {
		sort.Slice(ps, func(i, j int) bool {
			a, b := ps[i], ps[j]
			if len(a) != len(b) {
				return len(a) > len(b)
			}
			for k := range a {
				if a[k] != b[k] {
					return a[k] < b[k]
				}
			}
			return false
		})
	}
}
