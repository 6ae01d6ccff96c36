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
	// Timeout bounds the porcupine search; 0 means none. A search that runs
	// out of time yields LinUnknown.
	Timeout time.Duration
	// MemoryLimit bounds, in bytes, the process's heap while porcupine
	// searches (the verdict, and the verbose and counterexample passes the
	// reports run later): past it the search is stopped and the result is
	// LinUnknown. 0 means DefaultMemoryLimit; negative, no bound. The heap is
	// the whole process's, so checks running at once share the bound (see
	// guard.go).
	MemoryLimit int64
	// ExplainChecks bounds how many porcupine checks the search for a minimal
	// counterexample may run; 0 means DefaultExplainChecks, negative
	// disables the search.
	ExplainChecks int
	// ExplainTimeout bounds the wall time of that search; 0 means
	// DefaultExplainTimeout.
	ExplainTimeout time.Duration
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
	// explainNote says why no counterexample was found for an illegal
	// history when the memory bound stopped that search.
	explainNote string
	timeout     time.Duration
	memLimit    int64 // resolved MemoryLimit: bytes, ≤ 0 for none
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
		spec: spec, hist: h, conv: conv, timeout: opts.Timeout, memLimit: resolveMemoryLimit(opts.MemoryLimit)}
	// The verdict comes from porcupine's plain search over segments of
	// each key (segment.go), checked on every core (parallel.go). Its
	// verbose mode also records the longest partial linearization through
	// every op, which costs O(depth) per backtrack — up to half the check
	// on a busy history — and only the reports need it: they get it per
	// whole key, from linInfo.
	start := time.Now()
	var parts [][]porcupine.Operation
	if spec.seed != nil {
		parts = (&segmenter{seed: spec.seed, settled: spec.settled}).partition(conv.ops)
	} else {
		parts = spec.model.Partition(conv.ops)
	}
	g := newGuard(r.memLimit)
	end := g.watch()
	res := checkParts(g, spec.model, parts, opts.Timeout)
	end()
	r.Duration = time.Since(start)
	switch res {
	case porcupine.Ok:
		r.Result = LinOK
	case porcupine.Illegal:
		r.Result = LinIllegal
		r.linInfo()
		if opts.ExplainChecks >= 0 {
			r.explain(opts)
		}
	default:
		r.Result = LinUnknown
		r.Reason = fmt.Sprintf("the search timed out after %v", opts.Timeout)
		if g.hit() {
			r.Reason = fmt.Sprintf("%s after %v", g.reason(), r.Duration.Round(time.Millisecond))
		}
	}
	return r, nil
}

// linInfo returns porcupine's linearization info for the checked history,
// running the verbose search over whole keys the first time (bounded by the
// check's timeout, by DefaultExplainTimeout at most when the check already
// timed out, and by the check's memory bound). It decides the verdict the
// segmented search did (see segment.go), unless a bounded search is
// stopped; then the info holds the partial linearizations found until then
// (genuine ones: see guard.go) and infoNote says why it is incomplete.
func (r *LinResult) linInfo() porcupine.LinearizationInfo {
	if !r.haveInfo {
		bound := r.timeout
		if r.Result == LinUnknown && (bound == 0 || bound > DefaultExplainTimeout) {
			// The check already spent its whole bound: a page of the
			// partial linearizations found in a shorter search will do.
			bound = DefaultExplainTimeout
		}
		g := newGuard(r.memLimit)
		end := g.watch()
		res, info := porcupine.CheckOperationsVerbose(g.model(r.spec.model), r.conv.ops, bound)
		end()
		switch {
		case g.hit():
			r.infoNote = g.reason()
		case res == porcupine.Unknown:
			r.infoNote = fmt.Sprintf("the search timed out after %v", bound)
		}
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
