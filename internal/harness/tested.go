package harness

import (
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/histories"
)

// A run that tested nothing is never valid. The rule: a run is unknown when
// no client operation completed ok, or when no ok operation was invoked after
// another had completed ok. Fail, info and pending operations observe no
// value and so constrain no order: a history of them alone is linearizable
// whatever the cluster did. Ok operations that all overlap in time can be
// put in any order, so no read can be found stale, which is what most Raft
// bugs produce: linearizability is tested only once two operations follow
// one another in real time. The invariants, digests
// and node assertions still count (a violation found is invalid whatever
// the workload did), but a liveness failure does not: when not one
// operation ever succeeded, the configuration (an --op-timeout below what
// an operation needs, a cluster that cannot elect a leader) explains it as
// well as a bug does, and a bug found must not hang on a guess.

// untested says why the run tested nothing, or "" when it did; h is its
// history and st the history's statistics.
func (x *Execution) untested(h histories.History, st checker.Stats) string {
	if st.OK > 0 {
		if realTimeOrdered(h) {
			return ""
		}
		return fmt.Sprintf("too little was tested: the %d ok operations all overlap in time (none was invoked after another had completed), so any order of them is legal and no read can be found stale; run longer (--max-time %v + --recovery-time %v) or at a higher --rate",
			st.OK, x.opts.MaxTime, x.opts.RecoveryTime)
	}
	ops := fmt.Sprintf("%d invoked: %d fail, %d info, %d pending", st.Invoked, st.Fail, st.Info, st.Pending)
	if !x.obs.leaderSeen {
		e := x.opts.TickInterval * time.Duration(x.opts.ElectionTicks)
		return fmt.Sprintf("the cluster could not elect a leader under this config: no node ever led (election timeout %v–%v from --election-ticks %d × --tick-interval %v; messages take %v on average (--latency), a disk sync %v (--sync-latency)), so no operation completed (%s) and nothing was tested",
			e, 2*e, x.opts.ElectionTicks, x.opts.TickInterval, time.Duration(x.opts.Net.Latency.Mean), time.Duration(x.opts.Disk.SyncLatency), ops)
	}
	if st.Invoked == 0 {
		return fmt.Sprintf("nothing was tested: no client invoked an operation in the %v the clients ran (--max-time %v + --recovery-time %v); raise --rate, --clients or --max-time",
			x.opts.MaxTime+x.opts.RecoveryTime, x.opts.MaxTime, x.opts.RecoveryTime)
	}
	return fmt.Sprintf("nothing was tested: no operation completed ok (%s), so the history constrains nothing; if every operation timed out, check --op-timeout (%v) against what one needs (--latency %v each way, --sync-latency %v)",
		ops, x.opts.OpTimeout, time.Duration(x.opts.Net.Latency.Mean), time.Duration(x.opts.Disk.SyncLatency))
}

// realTimeOrdered reports whether some ok operation of h was invoked after
// another ok operation had completed. The history is in time order and a
// process has one operation in flight at a time.
func realTimeOrdered(h histories.History) bool {
	invoked := map[int]int64{}
	firstDone := int64(-1)
	for i := range h {
		op := &h[i]
		if op.Process < 0 {
			continue
		}
		switch op.Type {
		case histories.Invoke:
			invoked[op.Process] = op.Time
		case histories.OK:
			inv, ok := invoked[op.Process]
			if !ok {
				continue
			}
			if firstDone >= 0 && inv > firstDone {
				return true
			}
			if firstDone < 0 {
				firstDone = op.Time
			}
		}
	}
	return false
}

// judgeUntested applies the rule to checks before they are combined: when
// the run tested nothing, a failed liveness check is set aside (it returns
// the reasons it gave, to be reported as not counted).
func judgeUntested(why string, checks *checker.Checks) (setAside []string) {
	if why == "" || checks.Liveness == nil || checks.Liveness.Status != checker.LivenessFailed {
		return nil
	}
	setAside = checks.Liveness.Reasons
	checks.Liveness = &checker.LivenessResult{Status: checker.LivenessSkipped, Reasons: []string{why}}
	return setAside
}

// markUntested makes a combined result that tested nothing unknown at best,
// with why as its first reason and the liveness failures set aside after.
func markUntested(why string, setAside []string, cr *checker.Result) {
	if why == "" {
		return
	}
	reasons := []string{why}
	reasons = append(reasons, cr.Reasons...)
	for _, s := range setAside {
		reasons = append(reasons, "liveness (not counted: nothing was tested): "+s)
	}
	cr.Reasons = reasons
	if cr.Verdict == checker.Valid {
		cr.Verdict = checker.Unknown
	}
}
