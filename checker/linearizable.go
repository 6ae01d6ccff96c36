package checker

import (
	"cmp"
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
//
// The check has two parts with bounds of their own. The verdict is
// porcupine's search, bounded by Timeout, MemoryLimit and StepLimit: a
// search a bound stops yields LinUnknown. For an illegal verdict, the
// explanation then looks for a small counterexample within its own budget
// (ExplainTimeout, ExplainMemory, ExplainSteps, ExplainChecks), which never
// changes the verdict and never delays it by more than that budget: when
// the budget runs out, Explain falls back on porcupine's longest partial
// linearization (LinResult.Partial) and says which bound stopped it.
type LinOptions struct {
	// Model is one of [Models]; "" guesses it with [ModelForHistory].
	Model string
	// Timeout bounds the wall time of the verdict's search; 0 means none.
	// A search that runs out of time yields LinUnknown. Where the timeout
	// stops a search depends on the machine's speed; where StepLimit does,
	// not.
	Timeout time.Duration
	// MemoryLimit bounds, in bytes, the process's heap while porcupine
	// searches: past it the search is stopped, and the verdict's search
	// then yields LinUnknown. While a search runs, the runtime's soft
	// memory limit is lowered to the bound too, so the collector keeps the
	// heap near it. 0 means DefaultMemoryLimit; negative, no bound. The
	// heap is the whole process's, so checks running at once share the
	// bound (see guard.go). The explanation stays under it too.
	MemoryLimit int64
	// StepLimit bounds the model steps of each porcupine search of the
	// check: the verdict's search of each segment of a key, and each
	// search of the explanation. A verdict's search past it yields
	// LinUnknown. Unlike Timeout and MemoryLimit, it stops a search at the
	// same point on every machine, so a history and a StepLimit give the
	// same verdict anywhere. 0 (or negative) means none.
	StepLimit int64
	// ExplainChecks bounds how many porcupine checks the search for a minimal
	// counterexample may run; 0 means DefaultExplainChecks, negative
	// disables the explanation (no counterexample, no partial
	// linearization).
	ExplainChecks int
	// ExplainTimeout bounds the wall time of the explanation, from the
	// verdict on; 0 means DefaultExplainTimeout.
	ExplainTimeout time.Duration
	// ExplainMemory bounds how much the heap may grow, in bytes, over what
	// it held when the explanation started (and never past MemoryLimit); 0
	// means DefaultExplainMemory, negative no bound but MemoryLimit.
	ExplainMemory int64
	// ExplainSteps bounds the model steps of the whole explanation, all of
	// its searches together; 0 (or negative) means none. Like StepLimit it
	// stops the explanation at the same point on every machine: tests
	// bound it so, never by time.
	ExplainSteps int64
	// probes read the clock and the heap for the bounds above; nil reads
	// the real ones (tests inject fakes: see probes.go).
	probes *probes
	// KeepUnobservedWrites turns off dropping unknown-outcome writes that no
	// read observed (kv and append models). The reduction is sound (see
	// dropUnobservedWrites) and keeps checking fast under faults; this switch
	// exists to compare against the plain search.
	KeepUnobservedWrites bool
}

// Defaults of the explanation's budget: small, so that an explanation
// that cannot finish costs little beside the verdict.
const (
	DefaultExplainChecks        = 2000
	DefaultExplainTimeout       = 2 * time.Second
	DefaultExplainMemory  int64 = 512 << 20
)

// LinResult is the outcome of [CheckLinearizable].
type LinResult struct {
	Result     LinVerdict    `json:"result"`
	Model      string        `json:"model"`
	Ops        int           `json:"ops"`         // operations given to porcupine
	Partitions int           `json:"partitions"`  // independent keys
	Duration   time.Duration `json:"duration_ns"` // wall time of the verdict's search, without the explanation
	// Reason says, for an unknown result, why: which bound stopped the
	// search, or that the history observed nothing.
	Reason string `json:"reason,omitempty"`
	// Note qualifies a result that tested nothing: an empty history is
	// linearizable, with a note saying it held nothing to check.
	Note string `json:"note,omitempty"`

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
	// Partial is, for an illegal history, porcupine's longest partial
	// linearization of the part of the history it proved illegal: what the
	// explanation falls back on when it finds no counterexample within its
	// budget. Nil when the explanation was not asked for, or its budget
	// ran out before porcupine's search of that part finished.
	Partial *PartialLinearization `json:"partial,omitempty"`

	spec *modelSpec
	cex  []*linOp // the counterexample as checked (cut-off ops unknown)
	// partialOps are Partial's operations as checked: the prefix in
	// linearization order (a segment's seed first), and the op that cannot
	// follow it (nil: none).
	partialOps  []*linOp
	partialNext *linOp
	// parts are the partitions the verdict checked (segments of keys) and
	// proved whether each proved linearizable: the explanation looks for
	// the illegal one among the others.
	parts  [][]porcupine.Operation
	proved []bool
	// info holds porcupine's partial linearizations over whole keys once
	// haveInfo is set, on the first linInfo call (only the visualization
	// needs them).
	info     porcupine.LinearizationInfo
	haveInfo bool
	// infoNote says why the partial linearizations are incomplete when the
	// page's verbose pass was stopped ("": it finished).
	infoNote string
	// explainNote completes "the search for a small counterexample …" for
	// an illegal history without one, or with one that may not be minimal:
	// which bound stopped that search ("": it was not asked for, or it
	// finished).
	explainNote string
	// explainSteps are the model steps the explanation spent finding the
	// illegal partition, on its partial linearization and minimizing
	// (tests).
	explainSteps [3]int64
	opts         LinOptions // as given, for the page's own search
	memLimit     int64      // resolved MemoryLimit: bytes, ≤ 0 for none
	stepLimit    int64      // StepLimit: ≤ 0 for none
	probes       *probes
	hist         histories.History
	conv         *converted
}

// PartialLinearization is porcupine's longest partial linearization of the
// part of a history it proved illegal: the operations it could linearize
// in order, and the one that cannot follow them. Positions are those of
// the operations' invokes in the history.
type PartialLinearization struct {
	// Key is the part's key ("" for a single register).
	Key string `json:"key,omitempty"`
	// From is, when the part is a segment of its key (see segment.go), the
	// position of the read whose value the segment starts from: the prefix
	// follows the operations before it. -1: the prefix starts from the
	// model's initial state.
	From int `json:"from"`
	// Prefix lists the linearized operations, in linearization order.
	Prefix []int `json:"prefix"`
	// Next is the operation that cannot follow Prefix: the first to return
	// among those left out. After Prefix, no operation called before Next
	// returned, Next included, can take effect (else porcupine would have
	// found a longer partial linearization). -1 when none is known.
	Next int `json:"next"`
	// State describes the model's state after Prefix (e.g. `"x 1 0 y"`).
	State string `json:"state,omitempty"`
}

// CheckLinearizable checks a history for linearizability with porcupine. An
// invalid history (a completion without an invoke, two invokes in flight on
// one process, values the model cannot read) is an error naming the op.
//
// A history without client operations is linearizable, with a Note: it held
// nothing to check. A history with client operations none of which has a
// known outcome (all pending, failed or of unknown outcome) is unknown:
// nothing it observed could be out of order, so "linearizable" would say
// nothing.
func CheckLinearizable(h histories.History, opts LinOptions) (*LinResult, error) {
	name := opts.Model
	clientOps := hasClientOps(h)
	if name == "" {
		if !clientOps {
			name = ModelRegister // nothing to tell it by; any model says the same
		} else {
			var err error
			if name, err = ModelForHistory(h); err != nil {
				return nil, fmt.Errorf("choosing a model: %w", err)
			}
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
		spec: spec, hist: h, conv: conv, opts: opts, memLimit: resolveMemoryLimit(opts.MemoryLimit),
		stepLimit: opts.StepLimit, probes: opts.probes.orReal()}
	switch {
	case !clientOps:
		r.Result, r.Note = LinOK, "the history has no client operations: nothing to check"
		return r, nil
	case !observes(conv.ops):
		r.Result = LinUnknown
		r.Reason = "no operation completed with a known outcome: the history observed nothing that could be out of order"
		return r, nil
	}
	// The verdict comes from porcupine's plain search over segments of
	// each key (segment.go), checked on every core (parallel.go); only an
	// illegal one pays for an explanation, under its own budget.
	start := r.probes.now()
	var deadline time.Time
	if opts.Timeout > 0 {
		deadline = start.Add(opts.Timeout)
	}
	r.parts = verdictParts(spec, conv.ops)
	g := newGuard(r.memLimit, r.stepLimit, r.probes)
	end := g.watch()
	pr := checkParts(g, spec.model, r.parts, deadline)
	end()
	r.proved = pr.proved
	r.Duration = r.probes.now().Sub(start)
	switch pr.res {
	case porcupine.Ok:
		r.Result = LinOK
	case porcupine.Illegal:
		r.Result = LinIllegal
		if opts.ExplainChecks >= 0 {
			r.explain(opts)
		}
	default:
		r.Result = LinUnknown
		switch pr.cause {
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

// hasClientOps reports whether h holds an operation of a client (not the
// nemesis).
func hasClientOps(h histories.History) bool {
	for i := range h {
		if h[i].Process != histories.NemesisProcess {
			return true
		}
	}
	return false
}

// observes reports whether any of ops has a known outcome.
func observes(ops []porcupine.Operation) bool {
	for _, op := range ops {
		if !op.Input.(*linOp).unknown {
			return true
		}
	}
	return false
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

// stoppedBecause says why a page's verbose pass stopped by cause is
// incomplete ("": it finished); timeout is the bound it ran within.
func stoppedBecause(cause stopCause, g *searchGuard, timeout time.Duration) string {
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

// linInfo returns porcupine's linearization info over whole keys, which
// only the page needs: the first call runs porcupine's verbose search. It
// decides the verdict the segmented search did (see segment.go), unless a
// bound stops it; then the info holds the partial linearizations found
// until then (genuine ones: see guard.go) and infoNote says why it is
// incomplete. For a linearizable history it runs within the check's
// Timeout and MemoryLimit, as the verdict did; otherwise within the
// explanation's time (ExplainTimeout) and the check's MemoryLimit: the
// page of a history that is not linearizable shows what such a search
// finds, and a whole key can take far longer than the verdict's segments.
func (r *LinResult) linInfo() porcupine.LinearizationInfo {
	if !r.haveInfo {
		bound := r.opts.Timeout
		if r.Result != LinOK {
			bound = cmp.Or(r.opts.ExplainTimeout, DefaultExplainTimeout)
		}
		g := newGuard(r.memLimit, r.stepLimit, r.probes)
		end := g.watch()
		var deadline time.Time
		if bound > 0 {
			deadline = r.probes.now().Add(bound)
		}
		s := g.sharedSearch(deadline) // porcupine steps the keys at once
		_, info := porcupine.CheckOperationsVerbose(s.model(r.spec.model), r.conv.ops, 0)
		end()
		r.infoNote = stoppedBecause(s.cause(), g, bound)
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
