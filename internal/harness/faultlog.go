package harness

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/nemesis"
)

// FaultLog keeps a run's fault windows for the reports: each nemesis start
// opens one (with the links blocked just before it: a partition's), its stop
// closes it. Simulated and live runs share it.
type FaultLog struct {
	windows  []report.FaultWindow
	blocked  [][2]int // links blocked since the last Record: the next started fault's partition
	open     []int    // indices into windows not yet stopped
	maxLinks int
}

// NewFaultLog returns an empty log for a cluster of nodes nodes.
func NewFaultLog(nodes int) *FaultLog { return &FaultLog{maxLinks: nodes * nodes} }

// Blocked notes that the link from → to was blocked. The nemesis blocks a
// partition's links just before recording its start, so the links blocked
// since the last Record are the next started fault's.
func (l *FaultLog) Blocked(from, to int) {
	if len(l.blocked) < l.maxLinks { // bounded: a fault blocks at most every link
		l.blocked = append(l.blocked, [2]int{from, to})
	}
}

// Record notes a fault start or stop at now and returns the nemesis op the
// history records for it: its name ("start-<fault>", "stop-<fault>") and
// value (the detail, or the targets).
func (l *FaultLog) Record(now int64, ev nemesis.Event) (name, value string) {
	value = ev.Detail
	if value == "" {
		targets := make([]string, len(ev.Targets))
		for i, t := range ev.Targets {
			targets[i] = strconv.Itoa(t)
		}
		value = "nodes " + strings.Join(targets, ",")
	}
	if ev.Start {
		name = "start-" + ev.Fault
		l.open = append(l.open, len(l.windows))
		l.windows = append(l.windows, report.FaultWindow{Fault: ev.Fault, Start: now, End: -1, Targets: append([]int(nil), ev.Targets...), Detail: ev.Detail,
			Links: append([][2]int(nil), l.blocked...)})
	} else {
		name = "stop-" + ev.Fault
		for i, wi := range l.open {
			if l.windows[wi].Fault == ev.Fault {
				l.windows[wi].End = now
				l.open = slices.Delete(l.open, i, i+1)
				break
			}
		}
	}
	l.blocked = l.blocked[:0]
	return name, value
}

// Len returns the number of fault windows opened.
func (l *FaultLog) Len() int { return len(l.windows) }

// Close ends every window still open at t (the final heal) and returns the
// windows sorted by start.
func (l *FaultLog) Close(t int64) []report.FaultWindow {
	for _, wi := range l.open {
		l.windows[wi].End = t
	}
	l.open = l.open[:0]
	out := append([]report.FaultWindow(nil), l.windows...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return out
}
