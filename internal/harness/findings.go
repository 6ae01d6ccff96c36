package harness

import (
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

// Finding names besides the invariants' (checker.ElectionSafety, ...) and the
// cheap checks' (checker.CheckDigest, ...); the root package exports them.
const (
	FindLinearizability = "linearizability"     // the history is not linearizable
	FindLiveness        = "liveness"            // no leader or no progress after the final heal
	FindAnomaly         = "anomaly"             // a node's own safety assertion fired (an impossible message or state)
	FindChurn           = checker.ElectionChurn // terms kept rising or leaders kept changing with no fault active
	FindPanic           = "panic"               // the Raft under test panicked on a failed assertion; the run stopped there
)

// FindingTime is when finding f of out became visible, in simulated
// nanoseconds (-1: not found): an invariant's first breach, a node's first
// failed assertion, the completion of the last operation of a
// linearizability counterexample, the end of the recovery window for
// liveness.
func (x *Execution) FindingTime(out *Outcome, f string) int64 {
	res := &out.Checked
	switch f {
	case FindLinearizability:
		return lastCompletion(x.History(), res.Counterexample)
	case FindPanic:
		if x.panic != nil {
			return int64(x.panic.at)
		}
		return -1
	case FindLiveness:
		return int64(x.healTime) + int64(x.opts.RecoveryTime)
	case FindAnomaly:
		if len(x.obs.reports) > 0 {
			return x.obs.reports[0].at
		}
		return int64(x.endTime)
	case FindChurn:
		return churnTime(out.Churn)
	}
	best := int64(-1)
	for _, v := range res.Invariants {
		if v.Invariant == f && (best < 0 || v.Time < best) {
			best = v.Time
		}
	}
	if best >= 0 {
		return best
	}
	for _, p := range res.Problems {
		if p.Check != f {
			continue
		}
		if len(p.Ops) == 0 {
			return int64(x.endTime) // end-of-run checks (digests)
		}
		if t := lastCompletion(x.History(), p.Ops); best < 0 || t < best {
			best = t
		}
	}
	return best
}

// lastCompletion is when the last of the operations at history positions
// pos completed: the moment they all had, so their conflict was complete.
// An operation that never completed counts from its invocation.
func lastCompletion(h histories.History, pos []int) int64 {
	last := int64(-1)
	for _, p := range pos {
		if p < 0 || p >= len(h) {
			continue
		}
		t := h[p].Time
		if h[p].Type == histories.Invoke {
			for j := p + 1; j < len(h); j++ {
				if h[j].Process == h[p].Process && h[j].Type != histories.Invoke {
					if h[j].Type != histories.Info {
						t = h[j].Time
					}
					break
				}
			}
		}
		last = max(last, t)
	}
	return last
}

// churnTime is when a churn finding became visible: the change in the
// window shown at which it first broke a limit (-1: no finding).
func churnTime(r *checker.ChurnResult) int64 {
	if r == nil || r.Status != checker.LivenessFailed || len(r.Changes) == 0 {
		return -1
	}
	var top uint64
	terms, leaders := 0, 0
	for i, c := range r.Changes {
		// The first change opens the window: a rise unless it is a leader
		// elected in the term a candidate raised before the window.
		if c.Term > top && (i > 0 || c.Role != checker.RoleLeader) {
			terms++
		}
		top = max(top, c.Term)
		if c.Role == checker.RoleLeader {
			leaders++
		}
		if terms > r.TermLimit || leaders > r.LeaderLimit {
			return c.Time
		}
	}
	return r.Changes[len(r.Changes)-1].Time
}
