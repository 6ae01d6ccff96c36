package harness

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Check runs every checker over the finished simulation. When ctx ends
// before the linearizability search does, Check returns an error wrapping
// ctx.Err() at once; the search itself runs on in the background until it
// finishes or reaches its own bound (CheckTimeout, CheckMemory, CheckSteps).
func (x *Execution) Check(ctx context.Context) (*Outcome, error) {
	if err := ctx.Err(); err != nil {
		return nil, x.checkStopped(ctx)
	}
	checkStart := time.Now()
	h := x.History()
	checks := checker.Checks{Roles: x.obs.inv.Roles(), Invariants: x.obs.inv.Violations(),
		Faults: ActiveFaults(x.faults.closeWindows(int64(x.healTime)), x.c.nodes)}

	// The linearizability check (itself parallel across keys) runs while
	// this goroutine does the cheaper checks: they only read h.
	var (
		lin     *checker.LinResult
		linErr  error
		linDone = make(chan struct{})
	)
	go func() {
		defer close(linDone)
		lin, linErr = checker.CheckLinearizable(h, checker.LinOptions{Model: x.opts.Workload, Timeout: x.opts.CheckTimeout, MemoryLimit: x.opts.CheckMemory,
			StepLimit: x.opts.CheckSteps})
	}()
	if x.opts.Workload == "append" {
		checks.Problems = append(checks.Problems, checker.CheckAppend(h)...)
	}
	checks.Problems = append(checks.Problems, checker.CheckDigests(x.digests())...)
	checks.Problems = append(checks.Problems, groupSelfReports(x.obs.reports, x.obs.reported)...)
	for _, e := range x.clientErrs {
		checks.Problems = append(checks.Problems, checker.Problem{Check: FindAnomaly, Detail: e})
	}
	for _, e := range x.faults.errs {
		checks.Problems = append(checks.Problems, checker.Problem{Check: FindAnomaly, Detail: e})
	}
	if p := x.panic; p != nil {
		checks.Problems = append(checks.Problems, checker.Problem{Check: FindPanic, Nodes: []int{p.node}, Detail: p.detail(x.opts.Seed)})
	}
	nemAnomalies := x.nem.Anomalies()
	for _, a := range nemAnomalies {
		switch a.Kind {
		case nemesis.AnomalyRepairFailed:
			// A repair that did not finish is a liveness failure, reported below.
		default:
			checks.Problems = append(checks.Problems, checker.Problem{Check: FindAnomaly, Nodes: []int{a.Node},
				Detail: fmt.Sprintf("nemesis %s at %v: %s", a.Kind, time.Duration(a.Time), a.Detail)})
		}
	}
	// A truncated history has no ops after the clients stopped, and a run
	// stopped by a panic has no heal: liveness would fail for want of them.
	if x.opts.RecoveryTime > 0 && x.truncated == "" && x.panic == nil {
		election := x.opts.TickInterval * time.Duration(x.opts.ElectionTicks)
		live, err := checker.CheckLiveness(h, x.obs.inv.Roles(), checker.LivenessOptions{
			HealTime:       int64(x.healTime),
			LeaderBound:    int64(min(x.opts.RecoveryTime, 6*election)),
			RecoveryWindow: int64(x.opts.RecoveryTime),
			Threads:        x.opts.Clients,
		})
		if err != nil {
			return nil, fmt.Errorf("%w: liveness: %v", ErrInternal, err)
		}
		for _, a := range nemAnomalies {
			if a.Kind == nemesis.AnomalyRepairFailed {
				live.Status = checker.LivenessFailed
				live.Reasons = append(live.Reasons, fmt.Sprintf("node %d: %s", a.Node, a.Detail))
			}
		}
		checks.Liveness = &live
	}
	// Churn reads the role timeline only, which a truncated history leaves
	// whole (the recorder stops the clients, not the cluster).
	churn, err := x.checkChurn()
	if err != nil {
		return nil, fmt.Errorf("%w: election churn: %v", ErrInternal, err)
	}
	checks.Churn = &churn
	x.churn = &churn
	stats, err := checker.HistoryStats(h)
	select {
	case <-linDone:
	case <-ctx.Done():
		return nil, x.checkStopped(ctx)
	}
	if linErr != nil {
		return nil, fmt.Errorf("%w: checking the recorded history: %v", ErrInternal, linErr)
	}
	checks.Lin = lin
	x.lin = lin
	if err != nil {
		return nil, fmt.Errorf("%w: stats: %v", ErrInternal, err)
	}
	net := x.w.Net().Stats()
	stats.MessagesSent, stats.MessagesDropped, stats.MessagesDuplicated = net.Sent, net.Dropped(), net.Duplicated
	stats.Events, stats.SimulatedTime = x.w.Events(), int64(x.endTime)
	stats.TraceHash = fmt.Sprintf("%016x", x.w.Trace().Hash())
	checks.Stats = stats
	why := x.untested(h, stats)
	setAside := judgeUntested(why, &checks)
	cr := checker.Combine(checks)
	if h := x.opts.Raft.LeaseHazard; h != "" && x.opts.ReadMode == kvstore.ReadLease && cr.Linearizability == string(checker.LinIllegal) {
		cr.Reasons = append(cr.Reasons, "lease hazard: "+h+"; this stale read may be that known behaviour of --raft "+x.opts.Raft.Name+", not a new bug (--read-mode readindex is linearizable)")
	}
	if h := x.opts.Raft.RejoinHazard; h != "" && (x.panic != nil || cr.Liveness == checker.LivenessFailed) && x.rejoins() {
		cr.Reasons = append(cr.Reasons, "rejoin hazard: "+h+"; this finding may be that, not a bug in --raft "+x.opts.Raft.Name+" (leave out member-churn and corrupt)")
	}
	markUntested(why, setAside, &cr)
	if x.truncated != "" {
		cr.Reasons = append(cr.Reasons, x.truncated)
		if cr.Verdict == checker.Valid {
			cr.Verdict = checker.Unknown
		}
	}
	out := &Outcome{
		Checked:           cr,
		Churn:             x.churn,
		MessagesDelivered: net.Delivered,
		UnknownPeer:       x.obs.unknownPeer,
		FaultEvents:       x.faults.log.Len(),
		SimTime:           time.Duration(x.endTime),
		CheckTime:         time.Since(checkStart),
		Swarm:             x.profile,
		Nemesis:           x.nem.Config(),
		Schedule:          x.nem.Schedule(),
	}
	out.Nodes, out.Leader = x.nodeTable()
	return out, nil
}

// checkStopped is Check's error when ctx ends first.
func (x *Execution) checkStopped(ctx context.Context) error {
	return fmt.Errorf("seed %d: stopped while checking, after the whole %v of simulated time: %w",
		x.opts.Seed, time.Duration(x.endTime), ctxErr(ctx))
}

// rejoins reports whether the run's faults bring a removed node back under
// its old ID: member-churn, or corrupt (a bad disk is replaced).
func (x *Execution) rejoins() bool {
	f := x.opts.Nemesis.Faults
	return slices.Contains(f, "corrupt") || slices.Contains(f, "member-churn")
}
