package harness

import (
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/sim"
)

// checkChurn looks for election churn (checker.CheckChurn) in the stretches
// of the run where nothing disturbed the cluster. Besides the fault windows
// (a window still open at the check lasts to the heal, or, if it opened
// after the heal, to the end), a membership change disturbs it: each applied
// configuration change is an instant fault, and so is every stretch in which
// the committed configuration lacked one of the run's nodes (a voter set
// that is smaller, or has a node that was just replaced, elects again).
func (x *Execution) checkChurn() (checker.ChurnResult, error) {
	election := int64(x.opts.TickInterval) * int64(x.opts.ElectionTicks)
	latency := meanOf(x.opts.Net.Latency)
	syncLatency := x.opts.Disk.SyncLatency
	if syncLatency == 0 {
		syncLatency = sim.DefaultSyncLatency
	}
	return checker.CheckChurn(x.obs.inv.Roles(), checker.ChurnOptions{
		ElectionTimeout: election,
		Start:           int64(x.setupTime),
		End:             int64(x.endTime),
		Faults:          x.churnFaults(),
		// One election round: the candidate's vote sync, a round trip, the
		// voter's sync being part of it.
		BroadcastTime: int64(syncLatency) + 2*int64(latency),
	})
}

// churnFaults is every disturbance of the run as a span: fault windows and
// membership changes (see checkChurn).
func (x *Execution) churnFaults() []checker.FaultSpan {
	heal := int64(x.healTime)
	spans := make([]checker.FaultSpan, 0, len(x.faults.log.windows)+2*len(x.obs.confChanges))
	for _, w := range x.faults.log.windows {
		end := w.End
		if end < 0 && w.Start <= heal {
			end = heal
		}
		if end >= 0 && end < w.Start {
			end = w.Start
		}
		spans = append(spans, checker.FaultSpan{Start: w.Start, End: end})
	}
	degraded := int64(-1) // since when the configuration lacks a node
	for _, cc := range x.obs.confChanges {
		spans = append(spans, checker.FaultSpan{Start: cc.t, End: cc.t})
		full := cc.voters >= x.opts.Nodes
		switch {
		case !full && degraded < 0:
			degraded = cc.t
		case full && degraded >= 0:
			spans = append(spans, checker.FaultSpan{Start: degraded, End: cc.t})
			degraded = -1
		}
	}
	if degraded >= 0 {
		spans = append(spans, checker.FaultSpan{Start: degraded, End: -1})
	}
	return spans
}

// meanOf is d's mean (a uniform one's is the middle of its range; the zero
// Dist is sim.DefaultLatency).
func meanOf(d sim.Dist) sim.Time {
	switch {
	case d.Kind == 0:
		return sim.DefaultLatency.Mean
	case d.Kind == sim.Uniform:
		return (d.Min + d.Max) / 2
	}
	return d.Mean
}
