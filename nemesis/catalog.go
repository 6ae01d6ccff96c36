package nemesis

import (
	"errors"
	"fmt"
	"strings"
)

// Fault categories, as listed by Catalog.
const (
	CategoryPartition  = "partition"
	CategoryProcess    = "process"
	CategoryNetwork    = "network"
	CategoryClock      = "clock"
	CategoryDisk       = "disk"
	CategoryMembership = "membership"
)

// All is the fault-list keyword that names every fault in the catalog.
const All = "all"

// ErrUnknownFault is wrapped by ParseFaults and Config.Validate when a fault
// name is not in the catalog.
var ErrUnknownFault = errors.New("unknown fault")

// FaultInfo describes one catalog entry.
type FaultInfo struct {
	Name        string `json:"name"`     // CLI name, as used in --nemesis a,b,c
	Category    string `json:"category"` // one of the Category constants
	Description string `json:"description"`
	MinNodes    int    `json:"min_nodes"` // smaller clusters skip the fault
}

// kind selects a fault's behaviour; it indexes nothing, it only keeps the
// dispatch switches free of string comparisons.
type kind uint8

const (
	kindHalves kind = iota + 1
	kindRandomHalves
	kindIsolateOne
	kindIsolateLeader
	kindLeaderMinority
	kindMajoritiesRing
	kindBridge
	kindOneWay
	kindCrashRandom
	kindCrashLeader
	kindCrashMajority
	kindCrashAll
	kindRollingRestart
	kindPauseRandom
	kindPauseLeader
	kindFlaky
	kindDuplicate
	kindDelay
	kindReorder
	kindSlowLink
	kindClockSkew
	kindClockDrift
	kindClockBump
	kindClockStrobe
	kindLoseUnsynced
	kindTornWrite
	kindSlowFsync
	kindCorrupt
	kindMemberChurn
)

// Exclusion groups: two faults of one group are never active together.
// Partitions would otherwise stack into a cluster with no majority anywhere;
// membership changes go one at a time in Raft, so a second would only fail.
const (
	groupNone = iota
	groupPartition
	groupMembership
)

// spec is a catalog entry plus the facts the scheduler needs.
type spec struct {
	FaultInfo
	kind  kind
	group int
}

// catalog lists every fault in the order Catalog, `all` and Heal use. It is
// never written after initialization.
var catalog = [...]spec{
	{FaultInfo{"partition-halves", CategoryPartition, "cut the cluster into its lowest-id minority and the remaining majority", 3}, kindHalves, groupPartition},
	{FaultInfo{"partition-random-halves", CategoryPartition, "cut the cluster into a random minority and majority", 3}, kindRandomHalves, groupPartition},
	{FaultInfo{"partition-isolate-one", CategoryPartition, "isolate one random node from every other node", 2}, kindIsolateOne, groupPartition},
	{FaultInfo{"partition-isolate-leader", CategoryPartition, "isolate the current leader from every other node", 2}, kindIsolateLeader, groupPartition},
	{FaultInfo{"partition-leader-minority", CategoryPartition, "cut the leader plus a minority away from the majority: the split-brain attempt", 3}, kindLeaderMinority, groupPartition},
	{FaultInfo{"partition-majorities-ring", CategoryPartition, "nodes on a random ring see only their nearest neighbours: every node sees a different majority", 4}, kindMajoritiesRing, groupPartition},
	{FaultInfo{"partition-bridge", CategoryPartition, "two halves that cannot see each other, joined by one bridge node that sees both", 3}, kindBridge, groupPartition},
	{FaultInfo{"partition-one-way", CategoryPartition, "asymmetric: one node can send but not receive, or receive but not send", 2}, kindOneWay, groupPartition},

	{FaultInfo{"crash-random", CategoryProcess, "crash random nodes (Intensity.CrashCount, within the budget); restart them at stop", 1}, kindCrashRandom, groupNone},
	{FaultInfo{"crash-leader", CategoryProcess, "crash the current leader; restart it at stop", 1}, kindCrashLeader, groupNone},
	{FaultInfo{"crash-majority", CategoryProcess, "crash a majority at once when the budget allows it (MaxCrashed = BudgetMajority), else as many as it allows", 1}, kindCrashMajority, groupNone},
	{FaultInfo{"crash-all", CategoryProcess, "simultaneous power loss: crash every node at once, restart them all at stop", 1}, kindCrashAll, groupNone},
	{FaultInfo{"rolling-restart", CategoryProcess, "crash and restart the nodes one at a time, in turn, each down for Intensity.Downtime", 1}, kindRollingRestart, groupNone},
	{FaultInfo{"pause-random", CategoryProcess, "pause a random node (SIGSTOP, a GC pause); resume it at stop", 1}, kindPauseRandom, groupNone},
	{FaultInfo{"pause-leader", CategoryProcess, "pause the current leader, which wakes up still believing it leads", 1}, kindPauseLeader, groupNone},

	{FaultInfo{"flaky", CategoryNetwork, "drop a fraction (Intensity.Loss) of all messages", 2}, kindFlaky, groupNone},
	{FaultInfo{"duplicate", CategoryNetwork, "deliver a fraction (Intensity.Duplicate) of all messages twice", 2}, kindDuplicate, groupNone},
	{FaultInfo{"delay", CategoryNetwork, "slow network: extra exponential latency (mean Intensity.Delay) on every message", 2}, kindDelay, groupNone},
	{FaultInfo{"reorder", CategoryNetwork, "let later messages overtake a fraction (Intensity.Reorder) of earlier ones", 2}, kindReorder, groupNone},
	{FaultInfo{"slow-link", CategoryNetwork, "extra latency (mean Intensity.LinkDelay) on one random link, both ways", 2}, kindSlowLink, groupNone},

	{FaultInfo{"clock-skew", CategoryClock, "give every node its own fixed clock offset, up to ±Intensity.ClockSkew", 1}, kindClockSkew, groupNone},
	{FaultInfo{"clock-drift", CategoryClock, "make some nodes' clocks run fast or slow, up to ±Intensity.ClockDrift ppm", 1}, kindClockDrift, groupNone},
	{FaultInfo{"clock-bump", CategoryClock, "jump one node's clock forward or back by up to Intensity.ClockBump", 1}, kindClockBump, groupNone},
	{FaultInfo{"clock-strobe", CategoryClock, "flip one node's clock back and forth by Intensity.StrobeDelta every Intensity.StrobePeriod", 1}, kindClockStrobe, groupNone},

	{FaultInfo{"lose-unsynced", CategoryDisk, "crash a node so it loses its unsynced writes (all, or all but a random prefix); restart it at stop", 1}, kindLoseUnsynced, groupNone},
	{FaultInfo{"torn-write", CategoryDisk, "crash a node leaving its last unsynced write torn, which recovery must detect; restart it at stop", 1}, kindTornWrite, groupNone},
	{FaultInfo{"slow-fsync", CategoryDisk, "make fsync slow (Intensity.SyncLatency) on one node or on all of them", 1}, kindSlowFsync, groupNone},
	{FaultInfo{"corrupt", CategoryDisk, "flip a bit in a node's synced data: it must refuse to start; at stop it is wiped and re-added", 2}, kindCorrupt, groupMembership},

	{FaultInfo{"member-churn", CategoryMembership, "remove a random node (sometimes the leader) from the cluster; add it back at stop, sometimes with an empty disk", 2}, kindMemberChurn, groupMembership},
}

// Catalog returns every fault with its CLI name, category and a one-line
// description, in catalog order.
func Catalog() []FaultInfo {
	out := make([]FaultInfo, len(catalog))
	for i := range catalog {
		out[i] = catalog[i].FaultInfo
	}
	return out
}

// isCategory reports whether word names a fault category.
func isCategory(word string) bool {
	switch word {
	case CategoryPartition, CategoryProcess, CategoryNetwork, CategoryClock, CategoryDisk, CategoryMembership:
		return true
	}
	return false
}

// ParseFaults parses a comma-separated fault list such as "crash-leader,flaky".
// Besides fault names it accepts All ("all"), a category name (e.g. "clock")
// for every fault of that category, and "none" or "" for no faults. Case and
// surrounding space are ignored and underscores read as dashes. The result is
// deduplicated, in catalog order. An unknown name is an error that wraps
// ErrUnknownFault and names the item.
func ParseFaults(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "none") {
		return nil, nil
	}
	want := make([]bool, len(catalog))
	for i, item := range strings.Split(s, ",") {
		name := normalize(item)
		switch {
		case name == "":
			return nil, fmt.Errorf("fault list %q: item %d is empty", s, i+1)
		case name == All:
			for j := range want {
				want[j] = true
			}
		case isCategory(name):
			for j := range catalog {
				if catalog[j].Category == name {
					want[j] = true
				}
			}
		default:
			j := indexOf(name)
			if j < 0 {
				return nil, fmt.Errorf("fault list %q: %w %q", s, ErrUnknownFault, strings.TrimSpace(item))
			}
			want[j] = true
		}
	}
	var out []string
	for j, w := range want {
		if w {
			out = append(out, catalog[j].Name)
		}
	}
	return out, nil
}

// normalize lower-cases a fault name, trims it and reads underscores as dashes.
func normalize(name string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), "_", "-")
}

// indexOf returns the catalog position of name, or -1.
func indexOf(name string) int {
	for i := range catalog {
		if catalog[i].Name == name {
			return i
		}
	}
	return -1
}
