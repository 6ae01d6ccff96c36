package harness

import (
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
)

// Annotation colours on the linearizability page (faults take their own,
// report.FaultColor).
const (
	noteLeader = "#cfe2ff"
	noteCrash  = "#f4c7c3"
	notePause  = "#e3d7f4"
	noteDown   = "#bbbbbb"
)

// annotations puts the run's faults and node events under porcupine's
// clients, as windows: fault windows in "nemesis" rows (overlapping faults
// take further rows), and in one row per node its leaderships ("leader
// t3"), crashes (until the restart), pauses and fail-stop. Windows show in
// porcupine's warped time which operations ran during them. faults are the
// run's fault windows, sorted by start.
func (x *Execution) annotations(faults []report.FaultWindow) []checker.Annotation {
	return Annotations(faults, x.obs.nodeEvents, len(x.c.nodes), int64(x.endTime))
}

// Annotations puts fault windows (sorted by start) and node events (in time
// order, nodes 1..nodes) under porcupine's clients, as annotation windows;
// windows still open at end close there. Live runs use it too.
func Annotations(faults []report.FaultWindow, events []report.NodeEvent, nodes int, end int64) []checker.Annotation {
	var out []checker.Annotation
	var rowEnd []int64 // per nemesis row, the end of its last window
	for _, fw := range faults {
		row := 0
		for row < len(rowEnd) && rowEnd[row] > fw.Start {
			row++
		}
		if row == len(rowEnd) {
			rowEnd = append(rowEnd, 0)
		}
		rowEnd[row] = max(fw.End, fw.Start+1)
		tag := "nemesis"
		if row > 0 {
			tag = fmt.Sprintf("nemesis %d", row+1)
		}
		details := fw.Fault
		if fw.Detail != "" {
			details += ": " + fw.Detail
		}
		details += fmt.Sprintf(" (%v – %v)", time.Duration(fw.Start), time.Duration(fw.End))
		color, _ := report.FaultColor(fw.Fault) // as on the timeline and the plots
		out = append(out, checker.Annotation{Start: fw.Start, End: fw.End, Tag: tag, Label: fw.Fault, Details: details, Color: color})
	}
	return append(out, nodeNotes(events, nodes, end)...)
}

// nodeNotes turns node events (in time order) into per-node windows; a
// window still open at end closes there.
func nodeNotes(events []report.NodeEvent, nodes int, end int64) []checker.Annotation {
	type open struct {
		leaderSince, crashSince, pauseSince, downSince int64
		term                                           uint64
		leader, crashed, paused, down                  bool
	}
	st := make([]open, nodes+1)
	var out []checker.Annotation
	// Tags sort as text in porcupine: pad ids so node 10 comes after node 9.
	width := len(fmt.Sprint(nodes))
	tag := func(n int) string { return fmt.Sprintf("node %0*d", width, n) }
	span := func(from, to int64) string { return fmt.Sprintf("%v – %v", time.Duration(from), time.Duration(to)) }
	closeLeader := func(n int, t int64) {
		if s := &st[n]; s.leader {
			s.leader = false
			out = append(out, checker.Annotation{Start: s.leaderSince, End: t, Tag: tag(n), Label: fmt.Sprintf("leader t%d", s.term),
				Details: fmt.Sprintf("node %d believed it led term %d, %s", n, s.term, span(s.leaderSince, t)), Color: noteLeader})
		}
	}
	closePause := func(n int, t int64) {
		if s := &st[n]; s.paused {
			s.paused = false
			out = append(out, checker.Annotation{Start: s.pauseSince, End: t, Tag: tag(n), Label: "paused",
				Details: fmt.Sprintf("node %d paused (its process stopped, its state kept), %s", n, span(s.pauseSince, t)), Color: notePause})
		}
	}
	closeCrash := func(n int, t int64, what string) {
		if s := &st[n]; s.crashed {
			s.crashed = false
			out = append(out, checker.Annotation{Start: s.crashSince, End: t, Tag: tag(n), Label: "crashed",
				Details: fmt.Sprintf("node %d down, %s%s", n, span(s.crashSince, t), what), Color: noteCrash})
		}
	}
	closeDown := func(n int, t int64, what string) {
		if s := &st[n]; s.down {
			s.down = false
			out = append(out, checker.Annotation{Start: s.downSince, End: t, Tag: tag(n), Label: "fail-stop",
				Details: fmt.Sprintf("node %d refused to start (e.g. a corrupt disk), %s%s", n, span(s.downSince, t), what), Color: noteDown})
		}
	}
	for _, ev := range events {
		n := ev.Node
		if n < 1 || n > nodes {
			continue
		}
		s := &st[n]
		switch ev.Kind {
		case report.EventRole:
			if ev.Role == checker.RoleLeader && s.leader && s.term == ev.Term {
				continue
			}
			closeLeader(n, ev.Time)
			if ev.Role == checker.RoleLeader {
				s.leader, s.leaderSince, s.term = true, ev.Time, ev.Term
			}
		case report.EventCrash:
			closeLeader(n, ev.Time)
			closePause(n, ev.Time)
			if !s.crashed {
				s.crashed, s.crashSince = true, ev.Time
			}
		case report.EventRestart:
			closeCrash(n, ev.Time, ", then restarted from its disk")
			closeDown(n, ev.Time, ", until its disk was replaced")
		case report.EventPause:
			if !s.paused {
				s.paused, s.pauseSince = true, ev.Time
			}
		case report.EventResume:
			closePause(n, ev.Time)
		case report.EventDown:
			closeLeader(n, ev.Time)
			closePause(n, ev.Time)
			closeCrash(n, ev.Time, "")
			if !s.down {
				s.down, s.downSince = true, ev.Time
			}
		}
	}
	for n := 1; n <= nodes; n++ {
		closeLeader(n, end)
		closePause(n, end)
		closeCrash(n, end, ", still down at the end")
		closeDown(n, end, ", still down at the end")
	}
	return out
}
