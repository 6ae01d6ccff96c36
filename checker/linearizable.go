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

// Linearizability outcomes. Unknown means the check timed out before finding
// either a linearization or a violation; it is never reported as OK.
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
	info porcupine.LinearizationInfo
	hist histories.History
	conv *converted
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
	r := &LinResult{Model: name, Ops: len(conv.ops), Culprit: -1, spec: spec, hist: h, conv: conv}
	start := time.Now()
	res, info := porcupine.CheckOperationsVerbose(spec.model, conv.ops, opts.Timeout)
	r.Duration = time.Since(start)
	r.info = info
	r.Partitions = len(info.PartialLinearizations())
	sortPartials(info.PartialLinearizations())
	switch res {
	case porcupine.Ok:
		r.Result = LinOK
	case porcupine.Illegal:
		r.Result = LinIllegal
		if opts.ExplainChecks >= 0 {
			r.explain(opts)
		}
	default:
		r.Result = LinUnknown
	}
	return r, nil
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
