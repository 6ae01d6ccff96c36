package raftcheck

import "strings"

// Typed names for the string-valued knobs of a Config, so that a test
// written against the API says raftcheck.WorkloadAppend, not "append", and
// a misspelt name fails to compile rather than to validate. The strings
// are the CLI's (results.json stores them), so a Config's JSON is the same
// whichever way it was written. names_test.go pins every list below
// to the catalog it names.

// Workload is the client workload of a run (Config.Workload, --workload).
type Workload string

// The workloads.
const (
	WorkloadRegister Workload = "register" // one register per key: read, write, cas
	WorkloadKV       Workload = "kv"       // a key-value map: get, put, append, delete
	WorkloadAppend   Workload = "append"   // Elle-style list append: append, read
)

// Workloads lists every workload.
func Workloads() []Workload { return []Workload{WorkloadRegister, WorkloadKV, WorkloadAppend} }

// ReadMode is how the store serves reads (Config.ReadMode, --read-mode).
type ReadMode string

// The read modes.
const (
	ReadModeReadIndex ReadMode = "readindex" // Raft's ReadIndex: confirm leadership with a quorum round
	ReadModeLog       ReadMode = "log"       // reads go through the log like writes
	ReadModeLease     ReadMode = "lease"     // the leader's lease (needs CheckQuorum)
	ReadModeLocal     ReadMode = "local"     // any node answers from its own state: deliberately unsafe
)

// ReadModes lists every read mode.
func ReadModes() []ReadMode {
	return []ReadMode{ReadModeReadIndex, ReadModeLog, ReadModeLease, ReadModeLocal}
}

// Scenario names a fault scenario, a curated schedule of faults
// (Config.ChaosScenario, --chaos-scenario; `raftcheck scenarios` describes
// them).
type Scenario string

// The scenarios.
const (
	ScenarioLeaderFailure    Scenario = "leader_failure"
	ScenarioRollingFailures  Scenario = "rolling_failures"
	ScenarioSplitBrain       Scenario = "split_brain"
	ScenarioNetworkPartition Scenario = "network_partition"
	ScenarioFlakyNetwork     Scenario = "flaky_network"
	ScenarioClockChaos       Scenario = "clock_chaos"
	ScenarioDiskFaults       Scenario = "disk_faults"
	ScenarioMembershipChurn  Scenario = "membership_churn"
	ScenarioKitchenSink      Scenario = "kitchen_sink"
	ScenarioDefault          Scenario = "default"
)

// Fault names a fault of the nemesis, a category of them or all of them
// (an element of Config.Nemesis, --nemesis; `raftcheck faults` describes
// them).
type Fault string

// The faults.
const (
	FaultPartitionHalves         Fault = "partition-halves"
	FaultPartitionRandomHalves   Fault = "partition-random-halves"
	FaultPartitionIsolateOne     Fault = "partition-isolate-one"
	FaultPartitionIsolateLeader  Fault = "partition-isolate-leader"
	FaultPartitionLeaderMinority Fault = "partition-leader-minority"
	FaultPartitionMajoritiesRing Fault = "partition-majorities-ring"
	FaultPartitionBridge         Fault = "partition-bridge"
	FaultPartitionOneWay         Fault = "partition-one-way"
	FaultCrashRandom             Fault = "crash-random"
	FaultCrashLeader             Fault = "crash-leader"
	FaultCrashMajority           Fault = "crash-majority"
	FaultCrashAll                Fault = "crash-all"
	FaultRollingRestart          Fault = "rolling-restart"
	FaultPauseRandom             Fault = "pause-random"
	FaultPauseLeader             Fault = "pause-leader"
	FaultFlaky                   Fault = "flaky"
	FaultDuplicate               Fault = "duplicate"
	FaultDelay                   Fault = "delay"
	FaultReorder                 Fault = "reorder"
	FaultSlowLink                Fault = "slow-link"
	FaultClockSkew               Fault = "clock-skew"
	FaultClockDrift              Fault = "clock-drift"
	FaultClockBump               Fault = "clock-bump"
	FaultClockStrobe             Fault = "clock-strobe"
	FaultLoseUnsynced            Fault = "lose-unsynced"
	FaultTornWrite               Fault = "torn-write"
	FaultSlowFsync               Fault = "slow-fsync"
	FaultCorrupt                 Fault = "corrupt"
	FaultMemberChurn             Fault = "member-churn"
)

// Fault categories and FaultAll: in Config.Nemesis, each stands for every
// fault it covers.
const (
	FaultsPartition  Fault = "partition"
	FaultsProcess    Fault = "process"
	FaultsNetwork    Fault = "network"
	FaultsClock      Fault = "clock"
	FaultsDisk       Fault = "disk"
	FaultsMembership Fault = "membership"
	FaultAll         Fault = "all"
)

// BugName names a planted bug (an element of Config.Bugs, --bug; Bugs and
// `raftcheck bugs` describe them).
type BugName string

// The planted bugs.
const (
	BugAckBeforeFsync          BugName = "ack-before-fsync"
	BugCommitBeyondMatch       BugName = "commit-beyond-match"
	BugCommitOldTerm           BugName = "commit-old-term"
	BugConfKeepTruncated       BugName = "conf-keep-truncated"
	BugElectionTimerNotReset   BugName = "election-timer-not-reset"
	BugEntriesNoSync           BugName = "entries-no-sync"
	BugLeaseWallClock          BugName = "lease-wall-clock"
	BugLeaseWithoutCheckQuorum BugName = "lease-without-checkquorum"
	BugMembershipNoBarrier     BugName = "membership-no-barrier"
	BugNoDedup                 BugName = "no-dedup"
	BugNoPersistTerm           BugName = "no-persist-term"
	BugNoPersistVote           BugName = "no-persist-vote"
	BugReadBeforeTermCommit    BugName = "read-before-term-commit"
	BugStaleLocalRead          BugName = "stale-local-read"
	BugStaleVoteReply          BugName = "stale-vote-reply"
	BugTruncateOnStaleAppend   BugName = "truncate-on-stale-append"
	BugVoteResetSameTerm       BugName = "vote-reset-same-term"
)

// joinNames joins typed names as strings.Join joins strings.
func joinNames[T ~string](names []T, sep string) string {
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, sep)
}

// namesOf converts a list of names of one string type to another (typed
// names to the plain strings the internal packages take, and back).
func namesOf[To, From ~string](names []From) []To {
	if names == nil {
		return nil
	}
	out := make([]To, len(names))
	for i, n := range names {
		out[i] = To(n)
	}
	return out
}
