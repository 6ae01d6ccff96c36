package raftcheck

import (
	"fmt"
	"time"

	"github.com/raftcheck/raftcheck/clients"
)

// Memory of a run, predicted from its config. --check-memory bounds the
// whole process (the CLI sets the runtime's soft memory limit to it), and
// the linearizability search stops once the live heap fills 3/4 of it. A
// run whose own state (the cluster and the history it records) would take
// that much leaves the search no room, and the process could not stay
// under the bound however hard the collector worked: such a config is
// refused before it runs.
//
// The figures are the live heap measured at the end of the simulation
// (runtime.GC, then HeapAlloc): per recorded history record about 150
// bytes plus 7 per node (the entry each node's log holds until a snapshot,
// the observers' records, the kept messages: 212 B at 5 nodes, 338 at 25,
// 859 at 101), and per node and per client the state set up before the run
// (0.3 MB and 0.09 MB), over a base of 8 MB. A 101-node, 1,000-client closed-loop run filling
// the recorder holds 1.8 GB; the standard run 9 MB.
const (
	memBase          = 8 << 20
	memPerRecord     = 150
	memPerRecordNode = 7
	memPerNode       = 300 << 10
	memPerClient     = 90 << 10
	// memSearchShare is the share of the bound the run's state may take:
	// the rest is the search's (checker stops it at 3/4 of the bound).
	memSearchNum, memSearchDen = 3, 4
)

// EstimateMemory predicts the live heap c's run holds once simulated, in
// bytes: the history it will record (a paced run's schedule; a closed loop
// at most one operation per client round trip; both capped at the
// recorder's limit) across its nodes, plus the cluster and clients. It is
// what the CLI uses to keep several runs of a sweep under --check-memory
// together. Call it on a valid config.
func (c Config) EstimateMemory() ByteSize {
	span := time.Duration(c.MaxTime + c.RecoveryTime).Seconds()
	var records float64
	switch {
	case c.Rate > 0:
		records = 2 * float64(c.Clients) * c.Rate * span
	case c.Latency > 0:
		// A closed loop: each client has one operation in flight, and none
		// completes faster than a round trip.
		records = 2 * float64(c.Clients) * span / (2 * time.Duration(c.Latency).Seconds())
	default:
		records = clients.DefaultMaxOps
	}
	records = min(records, clients.DefaultMaxOps)
	perRecord := float64(memPerRecord + memPerRecordNode*c.Nodes)
	return ByteSize(records*perRecord + float64(memBase+c.Nodes*memPerNode+c.Clients*memPerClient))
}

// memoryFits refuses a run whose predicted state leaves the search no room
// under --check-memory. Called only on an otherwise valid config.
func (c *Config) memoryFits(bad func(field, format string, args ...any)) {
	if c.CheckMemory <= 0 {
		return
	}
	est := c.EstimateMemory()
	if room := c.CheckMemory * memSearchNum / memSearchDen; est > room {
		bad("check-memory", "%s cannot hold this run: --nodes %d and --clients %d at --rate %g for %v (--max-time %v + --recovery-time %v) would keep about %s of history and cluster state, more than the %d/%d of the bound the run may take before the linearizability search has no room; raise --check-memory (0 = no bound), or use fewer --nodes or --clients, a --rate, or a shorter --max-time",
			c.CheckMemory, c.Nodes, c.Clients, c.Rate, time.Duration(c.MaxTime+c.RecoveryTime), c.MaxTime, c.RecoveryTime, approxBytes(int64(est)), memSearchNum, memSearchDen)
	}
}

// approxBytes renders n in the largest binary unit it reaches, with one
// decimal ("1.8GiB").
func approxBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	f, i := float64(n), 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	return fmt.Sprintf("%.1f%s", f, units[i])
}
