package live

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/internal/harness"
	"github.com/raftcheck/raftcheck/internal/live/maelstrom"
)

// LogPath is node index i's stderr log in the run directory dir.
func LogPath(dir string, i int) string { return filepath.Join(dir, maelstrom.NodeID(i)+".stderr.log") }

// NodeMap says which Maelstrom node each report node id is: reports number
// nodes from 1, the nodes are named from n0.
func NodeMap(nodes int) string {
	parts := make([]string, nodes)
	for i := range nodes {
		parts[i] = fmt.Sprintf("%d=%s", i+1, maelstrom.NodeID(i))
	}
	return strings.Join(parts, " ")
}

// Reports gathers the run's report data, as a simulated run's: the
// timeline (node lanes from what was observed: traffic, crashes, pauses,
// and roles only if the nodes reported them), the plots, the summary and
// the linearizability page. meta.Config should name the binary.
func (res *Result) Reports(title string, meta harness.ReportMeta) harness.Reports {
	d := &res.rep
	cr := &res.Checked
	st := &cr.Stats
	ms := func(ns int64) float64 { return float64(ns) / 1e6 }
	var roles *checker.RoleTimeline
	if res.RolesReported {
		roles = d.roles
	}
	nodes := make([]int, d.nodes)
	for i := range nodes {
		nodes[i] = i + 1
	}
	cex := harness.Counterexample(res.Lin, cr.Anomaly, roles)
	codes := make([]string, 0, len(res.Stats.ErrorCodes))
	for code, n := range res.Stats.ErrorCodes {
		codes = append(codes, code+" "+strconv.Itoa(n))
	}
	faults := make([]string, len(res.Faults))
	for i, f := range res.Faults {
		faults[i] = f.String()
	}
	stats := []report.KV{
		{Key: "mode", Value: "live: " + res.Note},
		{Key: "nodes", Value: NodeMap(d.nodes)},
		{Key: "ops", Value: fmt.Sprintf("%d invoked, %d ok, %d fail, %d info, %d pending", st.Invoked, st.OK, st.Fail, st.Info, st.Pending)},
		{Key: "availability", Value: fmt.Sprintf("%.1f%%", 100*st.Availability)},
		{Key: "latency ok ops", Value: fmt.Sprintf("p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms", ms(st.LatencyP50), ms(st.LatencyP95), ms(st.LatencyP99), ms(st.LatencyMax))},
		{Key: "messages", Value: fmt.Sprintf("%d sent, %d delivered, %d dropped, %d duplicated", st.MessagesSent, res.Net.Delivered, st.MessagesDropped, st.MessagesDuplicated)},
		{Key: "requests", Value: fmt.Sprintf("%d sent to nodes, %d replies, error codes: %s", res.Stats.Requests, res.Stats.Replies, orNone(sortedJoin(codes)))},
		{Key: "node faults", Value: orNone(strings.Join(faults, "; "))},
		{Key: "linearizability", Value: cr.Linearizability},
		{Key: "liveness", Value: cr.Liveness},
	}
	for _, n := range res.Notes {
		stats = append(stats, report.KV{Key: "note", Value: n})
	}
	names := make(map[int]string, d.nodes)
	for i := range d.nodes {
		names[i+1] = maelstrom.NodeID(i)
	}
	run := &report.Run{
		NodeNames:      names,
		Title:          title,
		Seed:           strconv.FormatUint(res.Seed, 10),
		Config:         append([]report.KV{}, meta.Config...),
		Replay:         meta.Replay,
		Verdict:        string(cr.Verdict),
		Reasons:        append([]string{}, cr.Reasons...),
		Counterexample: cex,
		Violations:     harness.ReportViolations(cr.Invariants),
		Nodes:          nodes,
		Threads:        d.threads,
		End:            d.endTime,
		HealTime:       d.healTime,
		History:        res.History,
		NodeEvents:     d.nodeEvents,
		Faults:         d.faults,
		Messages:       d.messages,
		FinalNodes:     res.Nodes,
		Leader:         res.Leader,
		Events:         d.events,
		SimTime:        d.endTime,
		WallTime:       meta.Wall,
		TraceHash:      "none (live)",
		Stats:          stats,
	}
	notes := harness.Annotations(d.faults, d.nodeEvents, d.nodes, d.endTime)
	return harness.Reports{
		Run: run,
		LinPage: func(w io.Writer) error {
			if res.Lin == nil {
				_, err := io.WriteString(w, "<!doctype html><p>linearizability was not checked</p>\n")
				return err
			}
			return res.Lin.WriteHTMLPage(w, checker.HTMLOptions{Title: title, Notes: notes, Roles: roles, Anomaly: cr.Anomaly, FullPage: checker.PorcupineFile})
		},
		FullPage: func(w io.Writer) error {
			if res.Lin == nil {
				_, err := io.WriteString(w, "<!doctype html><p>linearizability was not checked</p>\n")
				return err
			}
			return res.Lin.WritePorcupinePage(w, checker.HTMLOptions{Title: title, Notes: notes, Roles: roles})
		},
	}
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func sortedJoin(s []string) string {
	slices.Sort(s)
	return strings.Join(s, ", ")
}
