package checker

import (
	"fmt"
	"strings"
)

// Verdict is the outcome of a whole run.
type Verdict string

// Verdicts, as Jepsen reports them.
const (
	Valid   Verdict = "valid"   // every check passed
	Invalid Verdict = "invalid" // some check found a violation
	Unknown Verdict = "unknown" // no violation, but some check could not decide
)

// ExitCode is the process exit status for v, as Jepsen uses them: 0 valid,
// 1 invalid, 2 unknown.
func (v Verdict) ExitCode() int {
	switch v {
	case Valid:
		return 0
	case Invalid:
		return 1
	}
	return 2
}

// Checks gathers the outcomes of a run's checks for [Combine].
type Checks struct {
	Lin        *LinResult      // nil: linearizability was not checked
	Roles      *RoleTimeline   // explains a linearizability violation; may be nil
	Problems   []Problem       // from CheckAppend and CheckDigests
	Invariants []Violation     // from Invariants.Violations
	Liveness   *LivenessResult // nil: liveness was not checked
	Churn      *ChurnResult    // nil: election churn was not checked
	// Faults are the run's fault windows, for the anomaly's account of what
	// was running when it showed (nil: none, or not known).
	Faults []ActiveFault
	Stats  Stats
}

// Result is a run's verdict with its reasons.
type Result struct {
	Verdict         Verdict  `json:"verdict"`
	Reasons         []string `json:"reasons,omitempty"`
	Linearizability string   `json:"linearizability"` // "ok", "illegal", "unknown" or "skipped"
	Counterexample  []int    `json:"counterexample,omitempty"`
	// Anomaly classifies the counterexample of an illegal history: its
	// kind, one sentence, the decisive operations, nodes, terms and faults.
	Anomaly    *Anomaly    `json:"anomaly,omitempty"`
	Problems   []Problem   `json:"problems,omitempty"`
	Invariants []Violation `json:"invariants,omitempty"`
	Liveness   string      `json:"liveness"`        // "ok", "failed" or "skipped"
	Churn      string      `json:"churn,omitempty"` // "ok", "failed" or "skipped"; "" when not checked
	Stats      Stats       `json:"stats"`
}

// Combine turns the checks' outcomes into a verdict: any violation (an
// illegal history, a cheap-check problem, a broken invariant, failed
// liveness, election churn) makes it invalid; otherwise a linearizability check that ran
// out of time or memory makes it unknown; otherwise it is valid. Every violation and every
// undecided check adds a reason.
func Combine(c Checks) Result {
	r := Result{
		Verdict:         Valid,
		Linearizability: "skipped",
		Problems:        c.Problems,
		Invariants:      c.Invariants,
		Liveness:        LivenessSkipped,
		Stats:           c.Stats,
	}
	undecided := false
	if c.Lin != nil {
		r.Linearizability = string(c.Lin.Result)
		switch c.Lin.Result {
		case LinIllegal:
			r.Verdict = Invalid
			r.Counterexample = c.Lin.Counterexample
			r.Anomaly = c.Lin.Anomaly(AnomalyContext{Roles: c.Roles, Faults: c.Faults})
			// Without decisive operations (no counterexample was found) the
			// sentence only restates the explanation below it.
			if r.Anomaly != nil && len(r.Anomaly.Ops) > 0 {
				r.Reasons = append(r.Reasons, "linearizability: "+r.Anomaly.Summary)
			}
			// "checked": fewer than the operations invoked, since failed
			// ones and reads or unobserved writes of unknown outcome
			// constrain nothing and are left out (see convert).
			r.Reasons = append(r.Reasons, fmt.Sprintf("linearizability: the history is not linearizable (model %s, %d %s checked)", c.Lin.Model, c.Lin.Ops, pluralS(c.Lin.Ops, "operation")))
			for _, s := range c.Lin.Explain(c.Roles) {
				r.Reasons = append(r.Reasons, "linearizability: "+s)
			}
		case LinUnknown:
			undecided = true
			why := fmt.Sprintf("the search gave up after %v", c.Lin.Duration)
			if c.Lin.Reason != "" {
				why = c.Lin.Reason
			}
			r.Reasons = append(r.Reasons, "linearizability: unknown, "+why)
		case LinOK:
		default:
			undecided = true
			r.Reasons = append(r.Reasons, fmt.Sprintf("linearizability: unexpected result %q", c.Lin.Result))
		}
	}
	// The checks' own findings first, then the invariants, then what the
	// nodes reported of themselves: a node's assertion often fires many
	// times for the one breach an invariant names.
	for _, p := range c.Problems {
		if p.Check != CheckSelfReport {
			r.Verdict = Invalid
			r.Reasons = append(r.Reasons, p.String())
		}
	}
	for _, v := range c.Invariants {
		r.Verdict = Invalid
		r.Reasons = append(r.Reasons, v.String())
	}
	for _, p := range c.Problems {
		if p.Check == CheckSelfReport {
			r.Verdict = Invalid
			r.Reasons = append(r.Reasons, p.String())
		}
	}
	if c.Liveness != nil {
		r.Liveness = c.Liveness.Status
		switch c.Liveness.Status {
		case LivenessFailed:
			r.Verdict = Invalid
			for _, s := range c.Liveness.Reasons {
				r.Reasons = append(r.Reasons, "liveness: "+s)
			}
		case LivenessOK, LivenessSkipped:
		default:
			undecided = true
			r.Reasons = append(r.Reasons, fmt.Sprintf("liveness: unexpected status %q", c.Liveness.Status))
		}
	}
	if c.Churn != nil {
		r.Churn = c.Churn.Status
		switch c.Churn.Status {
		case LivenessFailed:
			r.Verdict = Invalid
			for _, s := range c.Churn.Reasons {
				r.Reasons = append(r.Reasons, ElectionChurn+": "+s)
			}
		case LivenessOK, LivenessSkipped:
		default:
			undecided = true
			r.Reasons = append(r.Reasons, fmt.Sprintf("%s: unexpected status %q", ElectionChurn, c.Churn.Status))
		}
	}
	if undecided && r.Verdict == Valid {
		r.Verdict = Unknown
	}
	return r
}

// Summary is a one-line account of r, e.g. "invalid: 2 reasons (first:
// election-safety at 3.2s: ...)".
func (r Result) Summary() string {
	if len(r.Reasons) == 0 {
		return string(r.Verdict)
	}
	return fmt.Sprintf("%s: %s", r.Verdict, strings.Join(r.Reasons, "; "))
}

// pluralS is word, with an s unless n is 1 ("1 operation", "2 operations").
func pluralS[N ~int | ~int64](n N, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
