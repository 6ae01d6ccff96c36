package checker

import (
	"sort"
	"time"

	"github.com/raftcheck/raftcheck/histories"
)

// OpCount counts the outcomes of one operation name.
type OpCount struct {
	F       string `json:"f"`
	Invoked int    `json:"invoked"`
	OK      int    `json:"ok"`
	Fail    int    `json:"fail"`
	Info    int    `json:"info"`
	Pending int    `json:"pending"` // never completed
}

// Stats summarizes a run. [HistoryStats] fills the history part; the caller
// fills the rest from the run.
type Stats struct {
	Ops          []OpCount `json:"ops"` // by operation name, sorted
	Invoked      int       `json:"invoked"`
	OK           int       `json:"ok"`
	Fail         int       `json:"fail"`
	Info         int       `json:"info"`
	Pending      int       `json:"pending"`
	Availability float64   `json:"availability"` // ok / (ok + fail + info); 0 when nothing completed

	// Latency of ok operations (completion time − invoke time), virtual ns;
	// nearest-rank percentiles.
	LatencyP50 int64 `json:"latency_p50_ns"`
	LatencyP95 int64 `json:"latency_p95_ns"`
	LatencyP99 int64 `json:"latency_p99_ns"`
	LatencyMax int64 `json:"latency_max_ns"`

	// Filled by the caller from the run.
	MessagesSent       uint64        `json:"messages_sent"`
	MessagesDropped    uint64        `json:"messages_dropped"`
	MessagesDuplicated uint64        `json:"messages_duplicated"`
	Events             uint64        `json:"events"`
	SimulatedTime      int64         `json:"simulated_ns"`
	WallTime           time.Duration `json:"wall_ns"`
	TraceHash          string        `json:"trace_hash"` // hex
}

// HistoryStats counts a history's client operations by name and outcome and
// measures the latency of the ok ones.
func HistoryStats(h histories.History) (Stats, error) {
	pairs, err := pairOps(h)
	if err != nil {
		return Stats{}, err
	}
	var s Stats
	byF := make(map[string]*OpCount)
	lat := make([]int64, 0, len(pairs))
	for _, p := range pairs {
		f := h[p.inv].F
		c := byF[f]
		if c == nil {
			c = &OpCount{F: f}
			byF[f] = c
		}
		c.Invoked++
		s.Invoked++
		if p.done < 0 {
			c.Pending++
			s.Pending++
			continue
		}
		switch h[p.done].Type {
		case histories.OK:
			c.OK++
			s.OK++
			lat = append(lat, h[p.done].Time-h[p.inv].Time)
		case histories.Fail:
			c.Fail++
			s.Fail++
		default:
			c.Info++
			s.Info++
		}
	}
	for _, c := range byF {
		s.Ops = append(s.Ops, *c)
	}
	sort.Slice(s.Ops, func(i, j int) bool { return s.Ops[i].F < s.Ops[j].F })
	if done := s.OK + s.Fail + s.Info; done > 0 {
		s.Availability = float64(s.OK) / float64(done)
	}
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		s.LatencyP50 = percentile(lat, 50)
		s.LatencyP95 = percentile(lat, 95)
		s.LatencyP99 = percentile(lat, 99)
		s.LatencyMax = lat[len(lat)-1]
	}
	return s, nil
}

// percentile is the nearest-rank p-th percentile of sorted, non-empty xs.
func percentile(xs []int64, p int) int64 {
	rank := (p*len(xs) + 99) / 100 // ceil(p/100 · n)
	return xs[max(rank, 1)-1]
}
