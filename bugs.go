package raftcheck

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/kvstore"
	"github.com/raftcheck/raftcheck/raft"
)

// Bug is a planted, deliberately unsafe defect that proves raftcheck's checkers
// catch real mistakes. Bugs are off unless named with --bug.
//
// Every entry carries its exposure: a recipe (Apply, BugConfig) that edits the
// standard run into one that shows the bug — the faults, workload and knobs —
// and the findings that count as catching it. bugs_test.go sweeps seeds
// 1..Budget of every recipe and requires a catch by one of those findings,
// and requires the same seeds without the bug to pass.
type Bug struct {
	Name     BugName // CLI name
	Layer    string  // LayerHost or LayerProtocol: which Raft implementations can host it
	Breaks   string  // what the defect violates
	Exposure string  // the scenario that exposes it, in words (Apply is the recipe)
	Checker  string  // the checker expected to catch it, in words
	// Catches lists the findings (see Findings) that count as catching it:
	// raftcheck's own checkers, not the node's assertions, unless noted.
	Catches []string
	// Budget is the seeds of BugConfig(Name) within which a sweep from seed
	// 1 catches it (at most 200).
	Budget int
	// ReadModes, when set, are the only read modes the bug acts in: with any
	// other it would change nothing, so Config.Validate refuses the pair.
	ReadModes []ReadMode

	// needsLease: the bug reads the leader's lease through
	// raft.LeaseReporter, so only implementations whose nodes report it can
	// host it.
	needsLease bool

	// swarm sets, on a configuration --swarm drew, the knobs without which
	// the bug's switch never acts (knobs the user fixed stay as they are).
	// Not a recipe: only the conditions of the switch itself. Read modes
	// are ReadModes' job.
	swarm func(c *Config, fixed func(knob string) bool)

	expose  func(c *Config) // the recipe, applied to a standard run
	control func(c *Config) // turns the recipe into a valid run without the bug, when it relies on the bug being accepted
	set     func(rb *raft.Bugs, kb *kvstore.Bugs)
}

// Layers of planted bugs: where the defect lives decides which Raft
// implementations can host it.
const (
	// LayerHost bugs live in the host (kvstore.Server: how it persists,
	// answers and deduplicates), so they act on any Raft implementation.
	LayerHost = "host"
	// LayerProtocol bugs live inside the built-in Raft's protocol code;
	// another implementation cannot host them, and a run that asks for one
	// is refused.
	LayerProtocol = "protocol"
)

// Bugs lists the planted-bug catalog, sorted by name.
func Bugs() []Bug {
	out := append([]Bug(nil), bugCatalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// millis is d milliseconds, for the recipes.
func millis(d int) Duration { return Duration(time.Duration(d) * time.Millisecond) }

// raftSafety is every invariant that a lost committed entry or a second
// leader breaks, whichever the checker sees first.
var raftSafety = []string{checker.ElectionSafety, checker.LogMatching, checker.LeaderCompleteness, checker.CommitSafety, checker.StateMachineSafety}

var bugCatalog = []Bug{
	{Name: "commit-old-term", Layer: LayerProtocol,
		Breaks:   "Figure 8: a leader commits an entry of an earlier term by counting replicas (and appends no no-op); a later leader overwrites it",
		Exposure: "3 nodes on slow disks (100 ms fsync): the leader is crashed or cut off every ~200 ms, so terms pile up with unreplicated tails",
		Checker:  "invariant: leader-completeness, commit-safety, acknowledged-entry-lost",
		Catches:  []string{checker.LeaderCompleteness, checker.CommitSafety, checker.StateMachineSafety, checker.AckLost, FindLinearizability},
		Budget:   60,
		expose: func(c *Config) {
			c.Nodes, c.Keys = 3, 50
			c.SyncLatency, c.ElectionTicks = millis(100), 20
			c.Nemesis, c.NemesisInterval = []Fault{"partition-isolate-leader", "crash-leader"}, millis(200)
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.CommitOldTerm = true }},
	{Name: "no-persist-vote", Layer: LayerHost,
		Breaks:   "a restarted node forgets its vote and votes twice in one term: two leaders",
		Exposure: "kill -9 storm during slow elections: a random node crashes every ~20 ms and comes back at the next action; 30 ms exponential latency, 160-320 ms election timeout, no PreVote or CheckQuorum (whose boot quiet would mask it)",
		Checker:  "invariant: single-vote (the second grant in a term), election-safety",
		Catches:  []string{checker.SingleVote, checker.ElectionSafety},
		Budget:   100,
		expose: func(c *Config) {
			c.MaxTime = Duration(20 * time.Second)
			c.Latency, c.LatencyDist = millis(30), "exponential"
			c.ElectionTicks, c.HeartbeatTicks = 8, 1
			c.PreVote, c.CheckQuorum = false, false
			c.Nemesis, c.NemesisInterval = []Fault{"crash-random"}, millis(20)
		},
		set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.NoPersistVote = true }},
	{Name: "no-persist-term", Layer: LayerHost,
		Breaks:   "a node's durable term never rises: after a restart its term goes backwards and its vote lands in the wrong term",
		Exposure: "the standard run (crashes)",
		Checker:  "invariant: durable-state, single-vote",
		Catches:  []string{checker.DurableState, checker.SingleVote, checker.MonotonicTerm},
		Budget:   10,
		set:      func(_ *raft.Bugs, k *kvstore.Bugs) { k.NoPersistTerm = true }},
	{Name: "vote-reset-same-term", Layer: LayerProtocol,
		Breaks:   "a node grants two votes in one term: two leaders in one term",
		Exposure: "split votes: 20 ms exponential latency against a 200-400 ms election timeout",
		Checker:  "invariant: single-vote, election-safety",
		Catches:  []string{checker.SingleVote, checker.ElectionSafety},
		Budget:   20,
		expose: func(c *Config) {
			c.Latency, c.LatencyDist = millis(20), "exponential"
			c.ElectionTicks = 10
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.VoteResetSameTerm = true }},
	{Name: "stale-vote-reply", Layer: LayerProtocol,
		Breaks:   "a vote granted in an older term counts toward the node's latest election, even one it lost: two leaders in one term",
		Exposure: "vote replies slower than the election timeout: 20 ms exponential latency, 100-200 ms election timeout, no PreVote, partitions every ~1 s",
		Checker:  "invariant: election-safety",
		Catches:  []string{checker.ElectionSafety},
		Budget:   60,
		expose: func(c *Config) {
			c.Latency, c.LatencyDist = millis(20), "exponential"
			c.ElectionTicks, c.HeartbeatTicks = 5, 1
			c.PreVote = false
			c.Nemesis, c.NemesisInterval = []Fault{"partition-isolate-leader", "partition-random-halves"}, millis(1000)
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.StaleVoteReply = true }},
	{Name: "stale-local-read", Layer: LayerHost, ReadModes: []ReadMode{"readindex", "lease"},
		Breaks:   "a deposed leader answers reads from its local state: stale reads",
		Exposure: "the leader is cut off from the others",
		Checker:  "linearizability",
		Catches:  []string{FindLinearizability},
		Budget:   10,
		expose: func(c *Config) {
			c.Nemesis = []Fault{"partition-isolate-leader"}
		},
		set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.StaleLocalRead = true }},
	{Name: "lease-without-checkquorum", Layer: LayerProtocol,
		Breaks:    "lease reads without CheckQuorum: a partitioned leader never steps down and serves stale reads",
		Exposure:  "lease reads with CheckQuorum off; the leader is cut off from the others",
		Checker:   "linearizability",
		Catches:   []string{FindLinearizability},
		Budget:    10,
		ReadModes: []ReadMode{"lease"},
		expose: func(c *Config) {
			c.ReadMode, c.CheckQuorum = "lease", false
			c.Nemesis = []Fault{"partition-isolate-leader"}
		},
		// Without the bug raft refuses lease reads without CheckQuorum.
		control: func(c *Config) { c.CheckQuorum = true },
		// The switch acts only with CheckQuorum off.
		swarm: func(c *Config, fixed func(string) bool) {
			if !fixed("check-quorum") {
				c.CheckQuorum = false
			}
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.LeaseWithoutCheckQuorum = true }},
	{Name: "lease-wall-clock", Layer: LayerHost, needsLease: true,
		Breaks:    "the leader keeps its read lease as a deadline on its local clock and trusts it after it is deposed: a clock stepped back stretches the lease, and the old leader serves stale reads",
		Exposure:  "lease reads on 3 nodes; every ~1 s a node's clock is stepped forward or back by 1-2 s (clock-bump) or the leader is cut off from the others",
		Checker:   "linearizability",
		Catches:   []string{FindLinearizability},
		Budget:    20,
		ReadModes: []ReadMode{"lease"},
		expose: func(c *Config) {
			c.Nodes, c.ReadMode = 3, "lease"
			c.Nemesis, c.NemesisInterval = []Fault{"partition-isolate-leader", "clock-bump"}, millis(1000)
		},
		set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.LeaseWallClock = true }},
	{Name: "no-dedup", Layer: LayerHost,
		Breaks:   "retried requests apply twice: duplicated appends",
		Exposure: "the append workload on a lossy network: lost replies make clients retry",
		Checker:  "append-duplicate, linearizability",
		Catches:  []string{checker.CheckAppendDuplicate, FindLinearizability},
		Budget:   10,
		expose: func(c *Config) {
			c.Workload = "append"
			c.Nemesis = []Fault{"flaky"}
		},
		set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.NoDedup = true }},
	{Name: "ack-before-fsync", Layer: LayerHost,
		Breaks:   "votes and acknowledgements go out before the disk sync: a crash loses acknowledged writes",
		Exposure: "power loss: every node crashes at once and loses its unsynced writes, on 50 ms fsync",
		Checker:  "linearizability, leader-completeness, acknowledged-entry-lost; on etcd also etcd's own lost-log assertion (finding panic)",
		// On etcd a follower that lost acknowledged entries can trip etcd's
		// own assertion when a leader commits past its log: the Raft under
		// test detected the host's damage, which counts.
		Catches: append([]string{FindLinearizability, checker.DurableState, checker.CheckAppendLost, checker.AckLost, FindPanic}, raftSafety...),
		Budget:  10,
		expose: func(c *Config) {
			c.SyncLatency = millis(50)
			c.Nemesis = []Fault{"crash-all"}
		},
		set: func(_ *raft.Bugs, k *kvstore.Bugs) { k.AckBeforeFsync = true }},
	{Name: "truncate-on-stale-append", Layer: LayerProtocol,
		Breaks:   "a follower rewrites an old AppendEntries and drops the acknowledged entries after it: committed entries vanish",
		Exposure: "reordered, duplicated and delayed messages, and a leader cut off now and then",
		Checker:  "commit-safety, acknowledged-entry-lost, linearizability (the follower's own commit check fires first)",
		Catches:  append([]string{FindLinearizability, checker.AckLost}, raftSafety...),
		Budget:   10,
		expose: func(c *Config) {
			c.Nemesis = []Fault{"reorder", "duplicate", "delay", "partition-isolate-leader"}
			c.NemesisInterval = millis(2000)
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.TruncateOnStaleAppend = true }},
	{Name: "commit-beyond-match", Layer: LayerProtocol,
		Breaks:   "a follower takes the leader's commit index before checking its log matches: it applies entries a new leader overwrites",
		Exposure: "the standard run (a deposed leader's unreplicated tail meets the new leader's commit index)",
		Checker:  "invariant: state-machine-safety, commit-safety",
		Catches:  []string{checker.StateMachineSafety, checker.CommitSafety},
		Budget:   10,
		set:      func(r *raft.Bugs, _ *kvstore.Bugs) { r.CommitBeyondMatch = true }},
	{Name: "read-before-term-commit", Layer: LayerProtocol, ReadModes: []ReadMode{"readindex", "lease"},
		Breaks:   "a new leader answers ReadIndex before committing an entry of its term, at a commit index that may lag the old leader's: stale reads (etcd-io/etcd#7331)",
		Exposure: "the leader is crashed or cut off right after acknowledging writes; slow disks keep the new leader's no-op uncommitted for a while",
		Checker:  "linearizability",
		Catches:  []string{FindLinearizability},
		Budget:   60,
		expose: func(c *Config) {
			c.SyncLatency = millis(50)
			c.Nemesis = []Fault{"crash-leader", "partition-isolate-leader"}
			c.NemesisInterval = millis(1000)
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.ReadBeforeTermCommit = true }},
	{Name: "membership-no-barrier", Layer: LayerProtocol,
		Breaks:   "configuration changes before the leader commits in its term, several at once (the 2015 single-server bug): two majorities",
		Exposure: "7 nodes: membership changes and disk replacements while the leader is cut off with a minority, every ~300 ms",
		Checker:  "commit-safety, linearizability, configuration-divergence",
		Catches:  append([]string{FindLinearizability, checker.ConfDivergence}, raftSafety...),
		Budget:   200,
		expose: func(c *Config) {
			c.Nodes = 7
			c.Nemesis, c.NemesisInterval = []Fault{"member-churn", "corrupt", "partition-leader-minority"}, millis(300)
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.MembershipNoBarrier = true }},
	{Name: "election-timer-not-reset", Layer: LayerProtocol,
		Breaks:   "a follower does not restart its election timer when the leader's messages arrive (as if heartbeats were missing): it campaigns every timeout under a healthy leader, and the leadership keeps moving with no fault at all",
		Exposure: "the standard run (the fault-free stretches: after the settle time of each fault, and the recovery window)",
		Checker:  "election-churn (a stability finding: terms and leaders over time)",
		Catches:  []string{FindChurn},
		Budget:   10,
		set:      func(r *raft.Bugs, _ *kvstore.Bugs) { r.ElectionTimerNotReset = true }},
	{Name: "entries-no-sync", Layer: LayerProtocol,
		Breaks:   "raft asks for a disk sync on term and vote changes only, not for new entries: followers acknowledge, the leader commits, applies and answers clients before the entries are durable, and a crash loses them",
		Exposure: "the standard run (crashes lose unsynced writes)",
		Checker:  "invariant: acknowledged-entry-lost",
		Catches:  []string{checker.AckLost},
		Budget:   10,
		set:      func(r *raft.Bugs, _ *kvstore.Bugs) { r.EntriesNoSync = true }},
	{Name: "conf-keep-truncated", Layer: LayerProtocol,
		Breaks:   "when a new leader's entries replace a suffix of a node's log, the configuration changes in the dropped entries stay in effect: the node counts votes and acknowledgements against a voter set the cluster never committed",
		Exposure: "membership changes while the leader is cut off or crashed, every ~500 ms, so deposed leaders leave uncommitted changes behind",
		Checker:  "invariant: configuration-divergence",
		Catches:  []string{checker.ConfDivergence},
		Budget:   10,
		expose: func(c *Config) {
			c.Nemesis, c.NemesisInterval = []Fault{"member-churn", "partition-isolate-leader", "crash-leader"}, millis(500)
		},
		set: func(r *raft.Bugs, _ *kvstore.Bugs) { r.ConfKeepTruncated = true }},
}

// bugNames lists the names of the bugs of layer, sorted.
func bugNames(layer string) []string {
	var out []string
	for _, b := range Bugs() {
		if b.Layer == layer {
			out = append(out, string(b.Name))
		}
	}
	return out
}

// errUnknownBug says name is no planted bug, naming the known ones.
func errUnknownBug(name BugName) error {
	var all []string
	for _, b := range Bugs() {
		all = append(all, string(b.Name))
	}
	return fmt.Errorf("unknown bug %q (known: %s)", name, strings.Join(all, ", "))
}
