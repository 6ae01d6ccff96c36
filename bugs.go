package raftcheck

import (
	"fmt"
	"sort"
	"strings"

	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
)

// Bug is a planted, deliberately unsafe defect that proves raftcheck's checkers
// catch real mistakes. Bugs are off unless named with --bug.
type Bug struct {
	Name     string // CLI name
	Layer    string // raft | kvstore
	Breaks   string // what the defect violates
	Exposure string // the scenario or fault mix that exposes it
	Checker  string // the checker expected to catch it
	set      func(rb *raft.Bugs, kb *kvstore.Bugs)
}

// Bugs lists the planted-bug catalog, sorted by name.
func Bugs() []Bug {
	out := append([]Bug(nil), bugCatalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var bugCatalog = []Bug{
	{Name: "commit-old-term", Layer: "raft", Breaks: "Figure 8: a leader commits an entry of an earlier term by counting replicas; a later leader can overwrite it",
		Exposure: "crash-leader + partitions", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.CommitOldTerm = true }},
	{Name: "no-persist-vote", Layer: "raft", Breaks: "a restarted node forgets its vote and votes twice in one term: two leaders",
		Exposure: "crash-random + crash-leader", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.NoPersistVote = true }},
	{Name: "no-persist-term", Layer: "raft", Breaks: "a restarted node's term goes backwards",
		Exposure: "crash-random", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.NoPersistTerm = true }},
	{Name: "vote-reset-same-term", Layer: "raft", Breaks: "a node grants two votes in one term: two leaders in one term",
		Exposure: "partitions", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.VoteResetSameTerm = true }},
	{Name: "stale-vote-reply", Layer: "raft", Breaks: "a candidate counts vote replies from older terms: a leader without a quorum",
		Exposure: "delay + reorder + partitions", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.StaleVoteReply = true }},
	{Name: "stale-local-read", Layer: "kvstore", Breaks: "a deposed leader answers reads from its local state: stale reads",
		Exposure: "partition-isolate-leader", Checker: "linearizability", set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.StaleLocalRead = true }},
	{Name: "lease-without-checkquorum", Layer: "raft", Breaks: "lease reads without CheckQuorum: a partitioned leader serves stale reads",
		Exposure: "partition-isolate-leader, --read-mode lease --check-quorum=false", Checker: "linearizability",
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.LeaseWithoutCheckQuorum = true }},
	{Name: "no-dedup", Layer: "kvstore", Breaks: "retried requests apply twice: duplicated appends",
		Exposure: "flaky + duplicate, append workload", Checker: "linearizability", set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.NoDedup = true }},
	{Name: "ack-before-fsync", Layer: "kvstore", Breaks: "votes and acknowledgements go out before the disk sync: a crash loses acknowledged state",
		Exposure: "crash-all, lose-unsynced", Checker: "invariant", set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.AckBeforeFsync = true }},
	{Name: "truncate-on-stale-append", Layer: "raft", Breaks: "a follower truncates matching entries on an old AppendEntries: committed entries vanish",
		Exposure: "reorder + duplicate + delay", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.TruncateOnStaleAppend = true }},
	{Name: "commit-beyond-match", Layer: "raft", Breaks: "a follower commits past the last entry it verified: it applies entries a new leader overwrites",
		Exposure: "partitions + crash-leader", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.CommitBeyondMatch = true }},
	{Name: "membership-no-barrier", Layer: "raft", Breaks: "configuration changes before the leader commits in its term (the 2015 single-server bug): two majorities",
		Exposure: "member-churn + partitions", Checker: "invariant", set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.MembershipNoBarrier = true }},
}

// resolveBugs turns bug names into the raft and kvstore switches.
func resolveBugs(names []string) (raft.Bugs, kvstore.Bugs, error) {
	var rb raft.Bugs
	var kb kvstore.Bugs
	for _, n := range names {
		found := false
		for _, b := range bugCatalog {
			if b.Name == n {
				b.set(&rb, &kb)
				found = true
				break
			}
		}
		if !found {
			var all []string
			for _, b := range Bugs() {
				all = append(all, b.Name)
			}
			return rb, kb, fmt.Errorf("bug: unknown bug %q (known: %s)", n, strings.Join(all, ", "))
		}
	}
	return rb, kb, nil
}
