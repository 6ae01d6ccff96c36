package raftcheck

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/clients"
	"github.com/raftcheck/raftcheck/nemesis"
)

// TestNamesMatchCatalogs pins every typed name to the catalog it names, in
// both directions: each constant is a real name, and each name in a
// catalog has its constant.
func TestNamesMatchCatalogs(t *testing.T) {
	faults := []Fault{
		FaultPartitionHalves,
		FaultPartitionRandomHalves,
		FaultPartitionIsolateOne,
		FaultPartitionIsolateLeader,
		FaultPartitionLeaderMinority,
		FaultPartitionMajoritiesRing,
		FaultPartitionBridge,
		FaultPartitionOneWay,
		FaultCrashRandom,
		FaultCrashLeader,
		FaultCrashMajority,
		FaultCrashAll,
		FaultRollingRestart,
		FaultPauseRandom,
		FaultPauseLeader,
		FaultFlaky,
		FaultDuplicate,
		FaultDelay,
		FaultReorder,
		FaultSlowLink,
		FaultClockSkew,
		FaultClockDrift,
		FaultClockBump,
		FaultClockStrobe,
		FaultLoseUnsynced,
		FaultTornWrite,
		FaultSlowFsync,
		FaultCorrupt,
		FaultMemberChurn,
	}
	var catalog []Fault
	for _, f := range nemesis.Catalog() {
		catalog = append(catalog, Fault(f.Name))
	}
	assert.Equal(t, catalog, faults, "one Fault constant per catalog entry, in catalog order")
	assert.Equal(t, []Fault{nemesis.CategoryPartition, nemesis.CategoryProcess, nemesis.CategoryNetwork, nemesis.CategoryClock, nemesis.CategoryDisk, nemesis.CategoryMembership, nemesis.All},
		[]Fault{FaultsPartition, FaultsProcess, FaultsNetwork, FaultsClock, FaultsDisk, FaultsMembership, FaultAll})

	scenarios := []Scenario{
		ScenarioLeaderFailure,
		ScenarioRollingFailures,
		ScenarioSplitBrain,
		ScenarioNetworkPartition,
		ScenarioFlakyNetwork,
		ScenarioClockChaos,
		ScenarioDiskFaults,
		ScenarioMembershipChurn,
		ScenarioKitchenSink,
		ScenarioDefault,
	}
	var named []Scenario
	for _, s := range nemesis.Scenarios() {
		named = append(named, Scenario(s.Name))
	}
	assert.Equal(t, named, scenarios, "one Scenario constant per scenario")
	assert.Equal(t, ScenarioDefault, DefaultChaosScenario)

	bugs := []BugName{
		BugAckBeforeFsync,
		BugCommitBeyondMatch,
		BugCommitOldTerm,
		BugConfKeepTruncated,
		BugElectionTimerNotReset,
		BugEntriesNoSync,
		BugLeaseWallClock,
		BugLeaseWithoutCheckQuorum,
		BugMembershipNoBarrier,
		BugNoDedup,
		BugNoPersistTerm,
		BugNoPersistVote,
		BugReadBeforeTermCommit,
		BugStaleLocalRead,
		BugStaleVoteReply,
		BugTruncateOnStaleAppend,
		BugVoteResetSameTerm,
	}
	var planted []BugName
	for _, b := range Bugs() {
		planted = append(planted, b.Name)
	}
	assert.Equal(t, planted, bugs, "one BugName constant per planted bug, sorted")

	for _, w := range Workloads() {
		assert.NotNil(t, clients.WorkloadOps(string(w)), "workload %s", w)
	}
	var modes []ReadMode
	for m := range readModes {
		modes = append(modes, m)
	}
	slices.Sort(modes)
	want := ReadModes()
	slices.Sort(want)
	assert.Equal(t, modes, want)
}

// TestEveryNameValidates: a config naming any of them runs (given what the
// name needs), and one that misspells it does not.
func TestEveryNameValidates(t *testing.T) {
	for _, w := range Workloads() {
		cfg := DefaultConfig()
		cfg.Workload = w
		assert.NoError(t, cfg.Validate(), "workload %s", w)
	}
	for _, m := range ReadModes() {
		cfg := DefaultConfig()
		cfg.ReadMode = m
		assert.NoError(t, cfg.Validate(), "read mode %s", m)
	}
	for _, f := range []Fault{FaultsPartition, FaultsProcess, FaultsNetwork, FaultsClock, FaultsDisk, FaultsMembership, FaultAll, FaultCrashLeader} {
		cfg := DefaultConfig()
		cfg.Nemesis = []Fault{f}
		assert.NoError(t, cfg.Validate(), "fault %s", f)
	}
	cfg := DefaultConfig()
	cfg.ChaosScenario = ScenarioSplitBrain
	assert.NoError(t, cfg.Validate())
	cfg.Nemesis = []Fault{"crash-leeder"}
	cfg.ChaosScenario = ""
	assert.ErrorContains(t, cfg.Validate(), "Config.Nemesis (--nemesis)")
}
