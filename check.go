package raftcheck

import (
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/nemesis"
)

// check runs every checker over the finished simulation and builds the Result.
func (x *execution) check(start time.Time) (*Result, error) {
	checkStart := time.Now()
	h := x.history()
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
		lin, linErr = checker.CheckLinearizable(h, checker.LinOptions{Model: x.cfg.Workload, Timeout: x.cfg.CheckTimeout.D(), MemoryLimit: x.cfg.CheckMemory.limit(),
			StepLimit: x.cfg.CheckSteps})
	}()
	if x.cfg.Workload == "append" {
		checks.Problems = append(checks.Problems, checker.CheckAppend(h)...)
	}
	checks.Problems = append(checks.Problems, checker.CheckDigests(x.digests())...)
	for _, a := range x.obs.anomalies {
		checks.Problems = append(checks.Problems, checker.Problem{Check: "anomaly", Detail: a})
	}
	for _, e := range x.faults.errs {
		checks.Problems = append(checks.Problems, checker.Problem{Check: "anomaly", Detail: e})
	}
	nemAnomalies := x.nem.Anomalies()
	for _, a := range nemAnomalies {
		switch a.Kind {
		case nemesis.AnomalyRepairFailed:
			// A repair that did not finish is a liveness failure, reported below.
		default:
			checks.Problems = append(checks.Problems, checker.Problem{Check: "anomaly", Nodes: []int{a.Node},
				Detail: fmt.Sprintf("nemesis %s at %v: %s", a.Kind, time.Duration(a.Time), a.Detail)})
		}
	}
	// A truncated history has no ops after the clients stopped: liveness
	// would fail for want of them.
	if x.cfg.RecoveryTime > 0 && x.truncated == "" {
		election := x.cfg.TickInterval.D() * time.Duration(x.cfg.ElectionTicks)
		live, err := checker.CheckLiveness(h, x.obs.inv.Roles(), checker.LivenessOptions{
			HealTime:       int64(x.healTime),
			LeaderBound:    int64(min(x.cfg.RecoveryTime.D(), 6*election)),
			RecoveryWindow: int64(x.cfg.RecoveryTime),
			Threads:        x.cfg.Clients,
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
	stats.TraceHash = x.traceHash()
	checks.Stats = stats
	cr := checker.Combine(checks)
	if x.truncated != "" {
		cr.Reasons = append(cr.Reasons, x.truncated)
		if cr.Verdict == checker.Valid {
			cr.Verdict = checker.Unknown
		}
	}

	wall := time.Since(start)
	res := &Result{
		Seed:            x.cfg.Seed,
		Verdict:         string(cr.Verdict),
		Reasons:         nonNil(cr.Reasons),
		Linearizability: cr.Linearizability,
		Invariants:      cr.Invariants,
		Liveness:        cr.Liveness,
		TraceHash:       stats.TraceHash,
		Problems:        cr.Problems,
		Counterexample:  cr.Counterexample,
		Swarm:           x.profile,
		Nemesis:         x.nem.Config(),
		Stats: Stats{
			Events:              stats.Events,
			SimSeconds:          time.Duration(x.endTime).Seconds(),
			WallSeconds:         wall.Seconds(),
			CheckSeconds:        time.Since(checkStart).Seconds(),
			Ops:                 OpStats{Invoked: stats.Invoked, OK: stats.OK, Fail: stats.Fail, Info: stats.Info, Pending: stats.Pending},
			Availability:        stats.Availability,
			LatencyP50:          ms(stats.LatencyP50),
			LatencyP95:          ms(stats.LatencyP95),
			LatencyP99:          ms(stats.LatencyP99),
			LatencyMax:          ms(stats.LatencyMax),
			MessagesSent:        net.Sent,
			MessagesDelivered:   net.Delivered,
			MessagesDropped:     net.Dropped(),
			MessagesDuplicated:  net.Duplicated,
			MessagesUnknownPeer: x.obs.unknownPeer,
			FaultEvents:         len(x.faults.windows),
		},
		Replay: ReplayCommand(x.cfg),
	}
	if res.Invariants == nil {
		res.Invariants = []checker.Violation{}
	}
	res.Nodes, res.Leader = x.nodeTable()
	return res, nil
}

func (x *execution) traceHash() string { return fmt.Sprintf("%016x", x.w.Trace().Hash()) }

func ms(ns int64) float64 { return float64(ns) / 1e6 }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nodeTable is the final per-node state: the table the original brief asked for.
func (x *execution) nodeTable() ([]report.NodeRow, int) {
	rows := make([]report.NodeRow, 0, len(x.c.nodes))
	leader := x.c.leader()
	for _, id := range x.c.nodes {
		row := report.NodeRow{ID: id, State: "crashed"}
		h := x.c.hosts[id]
		if s := x.c.server(id); s != nil {
			st := s.Status()
			row.Alive = true
			row.State = st.Role.String()
			if h.Paused() {
				row.State += " (paused)"
			}
			row.Term, row.Commit, row.LogSize = st.Term, st.Commit, uint64(s.LogSize())
		} else if h.DownReason() != nil {
			row.State = "failed"
		}
		rows = append(rows, row)
	}
	return rows, leader
}
