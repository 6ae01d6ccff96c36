package raftcheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/histories"
)

// storedResult is results.json: the run's result plus everything needed to replay it.
type storedResult struct {
	*Result
	Config  Config `json:"config"`
	Version int    `json:"raftcheck_results"`
}

// resultsVersion is the schema version of results.json.
const resultsVersion = 1

// store writes the run's directory: results.json, both history formats, the
// HTML reports, plots and summary; then points <store>/latest at it.
func (x *execution) store(res *Result, start time.Time) error {
	dir, err := makeRunDir(x.cfg.Store, x.cfg.Name, x.cfg.Seed, start)
	if err != nil {
		return err
	}
	res.Store = dir
	h := x.history()
	faults := x.faults.closeWindows(int64(x.healTime))
	if err := writeFileAtomic(filepath.Join(dir, "history.jsonl"), func(w *bufio.Writer) error {
		return histories.Write(w, h, histories.JSONL)
	}); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "history.edn"), func(w *bufio.Writer) error {
		return histories.Write(w, h, histories.EDN)
	}); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, "linearizability.html"), func(w *bufio.Writer) error {
		return x.lin.WriteHTMLPage(w, checker.HTMLOptions{Title: x.title(), Notes: x.annotations(faults), Roles: x.obs.inv.Roles()})
	}); err != nil {
		return err
	}
	if err := report.WriteAll(dir, x.reportRun(res, start, faults)); err != nil {
		return fmt.Errorf("store: reports: %w", err)
	}
	// results.json last: its presence marks a complete run directory.
	if err := writeFileAtomic(filepath.Join(dir, "results.json"), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(storedResult{Result: res, Config: x.cfg, Version: resultsVersion})
	}); err != nil {
		return err
	}
	return linkLatest(x.cfg.Store, dir)
}

// title names the run on its report pages.
func (x *execution) title() string {
	return fmt.Sprintf("raftcheck %s seed %d", x.cfg.Name, x.cfg.Seed)
}

// counterexample hands the linearizability checker's smallest failing set
// of operations, with its explanation, to the timeline, which highlights
// them.
func (x *execution) counterexample() *report.Counterexample {
	l := x.lin
	if l == nil || l.Result != checker.LinIllegal || len(l.Counterexample) == 0 {
		return nil
	}
	c := &report.Counterexample{Ops: l.Counterexample, Culprit: l.Culprit, Key: l.Key}
	lines := l.Explain(x.obs.inv.Roles())
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
func (x *execution) reportRun(res *Result, start time.Time, faults []report.FaultWindow) *report.Run {
	cfgKV := []report.KV{}
	for _, f := range x.cfg.Flags() {
		cfgKV = append(cfgKV, report.KV{Key: f.Name, Value: f.Value})
	}
	r := &report.Run{
		Title:          x.title(),
		Seed:           utoa(x.cfg.Seed),
		Config:         cfgKV,
		Replay:         res.Replay,
		Verdict:        res.Verdict,
		Reasons:        res.Reasons,
		Counterexample: x.counterexample(),
		Nodes:          append([]int(nil), x.c.nodes...),
		Threads:        x.cfg.Clients,
		Start:          0,
		End:            int64(x.endTime),
		HealTime:       int64(x.healTime),
		History:        x.history(),
		NodeEvents:     x.obs.nodeEvents,
		Faults:         faults,
		Messages:       x.obs.messages,
		FinalNodes:     res.Nodes,
		Leader:         res.Leader,
		Events:         res.Stats.Events,
		SimTime:        int64(x.endTime),
		WallTime:       time.Since(start),
		TraceHash:      res.TraceHash,
		Stats: []report.KV{
			{Key: "ops", Value: fmt.Sprintf("%d invoked, %d ok, %d fail, %d info, %d pending", res.Stats.Ops.Invoked, res.Stats.Ops.OK, res.Stats.Ops.Fail, res.Stats.Ops.Info, res.Stats.Ops.Pending)},
			{Key: "availability", Value: fmt.Sprintf("%.1f%%", 100*res.Stats.Availability)},
			{Key: "latency ok ops", Value: fmt.Sprintf("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", res.Stats.LatencyP50, res.Stats.LatencyP95, res.Stats.LatencyP99, res.Stats.LatencyMax)},
			{Key: "messages", Value: fmt.Sprintf("%d sent, %d delivered, %d dropped, %d duplicated", res.Stats.MessagesSent, res.Stats.MessagesDelivered, res.Stats.MessagesDropped, res.Stats.MessagesDuplicated)},
			{Key: "linearizability", Value: res.Linearizability},
			{Key: "liveness", Value: res.Liveness},
		},
	}
	return r
}
