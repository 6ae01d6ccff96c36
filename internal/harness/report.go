package harness

import (
	"fmt"
	"io"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
)

// ReportMeta is what the reports say about a run that the execution does
// not know: how the user wrote its configuration and how to replay it.
type ReportMeta struct {
	Config []report.KV // the run's flags, as `raftcheck run` takes them
	Replay string      // one command that reruns the run
	// Wall is the run's wall time as its result reports it (simulation and
	// checking), so every output shows the same figure.
	Wall time.Duration
}

// Reports is what a stored run's report files are drawn from.
type Reports struct {
	Run *report.Run // timeline.html, the plots and summary.txt
	// LinPage writes linearizability.html: the verdict, the anomaly and the
	// counterexample in time under the faults, leaderships, crashes and
	// pauses; FullPage writes porcupine's visualization of the whole
	// history (checker.PorcupineFile), which it links to.
	LinPage, FullPage func(w io.Writer) error
}

// Reports gathers the run's report data; out is its Check outcome. Fault
// windows still open are closed at the final heal, or at the end of a run
// stopped before it.
func (x *Execution) Reports(out *Outcome, meta ReportMeta) Reports {
	closeAt := x.healTime
	if closeAt == 0 {
		closeAt = x.endTime
	}
	faults := x.faults.closeWindows(int64(closeAt))
	notes := x.annotations(faults)
	roles := x.obs.inv.Roles()
	title := x.title()
	return Reports{
		Run: x.reportRun(out, meta, faults),
		LinPage: func(w io.Writer) error {
			return x.lin.WriteHTMLPage(w, checker.HTMLOptions{Title: title, Notes: notes, Roles: roles, Anomaly: out.Checked.Anomaly, FullPage: checker.PorcupineFile})
		},
		FullPage: func(w io.Writer) error {
			return x.lin.WritePorcupinePage(w, checker.HTMLOptions{Title: title, Notes: notes, Roles: roles})
		},
	}
}

// title names the run on its report pages.
func (x *Execution) title() string {
	return fmt.Sprintf("raftcheck %s seed %d", x.opts.Name, x.opts.Seed)
}

// counterexample hands the linearizability checker's smallest failing set
// of operations, with its explanation, to the timeline, which highlights
// them.
func (x *Execution) counterexample(a *checker.Anomaly) *report.Counterexample {
	return Counterexample(x.lin, a, x.obs.inv.Roles())
}

// Counterexample is the timeline's view of an illegal result's
// counterexample and its anomaly (nil when there is none). Live runs use it
// too.
func Counterexample(l *checker.LinResult, a *checker.Anomaly, roles *checker.RoleTimeline) *report.Counterexample {
	if l == nil || l.Result != checker.LinIllegal || len(l.Counterexample) == 0 {
		return nil
	}
	c := &report.Counterexample{Ops: l.Counterexample, Culprit: l.Culprit, Key: l.Key, Anomaly: reportAnomaly(a)}
	lines := l.Explain(roles)
	if len(lines) > 0 {
		c.Summary = lines[0]
	}
	if len(lines) == len(l.Counterexample)+1 {
		c.Explain = lines[1:]
	}
	return c
}

// reportRun fills the report package's view of the run; faults are its
// fault windows, closed at the final heal.
func (x *Execution) reportRun(out *Outcome, meta ReportMeta, faults []report.FaultWindow) *report.Run {
	res := &out.Checked
	st := &res.Stats
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	return &report.Run{
		Title:          x.title(),
		Seed:           utoa(x.opts.Seed),
		Config:         append([]report.KV{}, meta.Config...),
		Replay:         meta.Replay,
		Verdict:        string(res.Verdict),
		Reasons:        nonNil(res.Reasons),
		Counterexample: x.counterexample(res.Anomaly),
		Violations:     ReportViolations(res.Invariants),
		Nodes:          append([]int(nil), x.c.nodes...),
		Threads:        x.opts.Clients,
		Start:          0,
		End:            int64(x.endTime),
		HealTime:       int64(x.healTime),
		History:        x.History(),
		NodeEvents:     x.obs.nodeEvents,
		Faults:         faults,
		Messages:       x.obs.messages,
		FinalNodes:     out.Nodes,
		Leader:         out.Leader,
		Events:         st.Events,
		SimTime:        int64(x.endTime),
		WallTime:       meta.Wall,
		TraceHash:      st.TraceHash,
		Stats: []report.KV{
			{Key: "ops", Value: fmt.Sprintf("%d invoked, %d ok, %d fail, %d info, %d pending", st.Invoked, st.OK, st.Fail, st.Info, st.Pending)},
			{Key: "availability", Value: fmt.Sprintf("%.1f%%", 100*st.Availability)},
			{Key: "latency ok ops", Value: fmt.Sprintf("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", ms(st.LatencyP50), ms(st.LatencyP95), ms(st.LatencyP99), ms(st.LatencyMax))},
			{Key: "messages", Value: fmt.Sprintf("%d sent, %d delivered, %d dropped, %d duplicated", st.MessagesSent, out.MessagesDelivered, st.MessagesDropped, st.MessagesDuplicated)},
			{Key: "linearizability", Value: res.Linearizability},
			{Key: "liveness", Value: res.Liveness},
			{Key: "election churn", Value: churnLine(out.Churn)},
		},
	}
}

// churnLine is the churn check in a few words: its status and the most new
// terms and leaders any window of the fault-free stretches held, against
// the limits (the evidence of a failure is among the reasons).
func churnLine(r *checker.ChurnResult) string {
	switch {
	case r == nil:
		return "not checked"
	case r.Status == checker.LivenessSkipped:
		if len(r.Reasons) > 0 {
			return "skipped: " + r.Reasons[0]
		}
		return "skipped"
	}
	return fmt.Sprintf("%s: at most %d new terms and %d leaders per %v in %v without faults (limits %d and %d)",
		r.Status, r.MaxTerms, r.MaxLeaders, time.Duration(r.Window), time.Duration(r.Quiet).Round(time.Millisecond), r.TermLimit, r.LeaderLimit)
}

// nonNil is s, or an empty slice for nil (JSON writes [] rather than null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// reportAnomaly is the report's view of an anomaly (nil for none).
func reportAnomaly(a *checker.Anomaly) *report.Anomaly {
	if a == nil || len(a.Ops) == 0 {
		return nil
	}
	ra := &report.Anomaly{Kind: a.Kind, Title: checker.AnomalyTitle(a.Kind), Sentence: a.Summary, Rule: checker.AnomalyRule(a.Kind)}
	if !a.Untimed {
		ra.Time = a.Time
	}
	for _, o := range a.Ops {
		ra.Decisive = append(ra.Decisive, report.DecisiveOp{Role: o.Role, Op: o.Index})
	}
	return ra
}

// ReportViolations is the report's view of the invariants broken, each
// with its rule. Live runs use it too.
func ReportViolations(vs []checker.Violation) []report.Violation {
	out := make([]report.Violation, 0, len(vs))
	for _, v := range vs {
		out = append(out, report.Violation{Invariant: v.Invariant, Rule: checker.InvariantRule(v.Invariant), Time: v.Time,
			Nodes: v.Nodes, Terms: v.Terms, Index: v.Index, Evidence: v.Evidence, Count: v.Count})
	}
	return out
}
