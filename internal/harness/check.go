package harness

import (
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Check runs every checker over the finished simulation.
func (x *Execution) Check() (*Outcome, error) {
	checkStart := time.Now()
	h := x.History()
	checks := checker.Checks{Roles: x.obs.inv.Roles(), Invariants: x.obs.inv.Violations()}

	// The linearizability check (itself parallel across keys) runs while
	// this goroutine does the cheaper checks: they only read h.
	var (
		lin     *checker.LinResult
		linErr  error
		linDone = make(chan struct{})
	)
	go func() {
		defer close(linDone)
		lin, linErr = checker.CheckLinearizable(h, checker.LinOptions{Model: x.opts.Workload, Timeout: x.opts.CheckTimeout, MemoryLimit: x.opts.CheckMemory})
	}()
	if x.opts.Workload == "append" {
		checks.Problems = append(checks.Problems, checker.CheckAppend(h)...)
	}
	checks.Problems = append(checks.Problems, checker.CheckDigests(x.digests())...)
	for _, a := range x.obs.anomalies {
		checks.Problems = append(checks.Problems, checker.Problem{Check: FindAnomaly, Detail: a})
	}
	for _, e := range x.faults.errs {
		checks.Problems = append(checks.Problems, checker.Problem{Check: FindAnomaly, Detail: e})
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
	// A truncated history has no ops after the clients stopped: liveness
	// would fail for want of them.
	if x.opts.RecoveryTime > 0 && x.truncated == "" {
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
	stats, err := checker.HistoryStats(h)
	<-linDone
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
	cr := checker.Combine(checks)
	if x.truncated != "" {
		cr.Reasons = append(cr.Reasons, x.truncated)
		if cr.Verdict == checker.Valid {
			cr.Verdict = checker.Unknown
		}
	}
	out := &Outcome{
		Checked:           cr,
		MessagesDelivered: net.Delivered,
		UnknownPeer:       x.obs.unknownPeer,
		FaultEvents:       len(x.faults.windows),
		SimTime:           time.Duration(x.endTime),
		CheckTime:         time.Since(checkStart),
		Swarm:             x.profile,
		Nemesis:           x.nem.Config(),
		Schedule:          x.nem.Schedule(),
	}
	out.Nodes, out.Leader = x.nodeTable()
	return out, nil
}
