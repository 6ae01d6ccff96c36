package raftcheck

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wipeChurnConfig is swarm seed 34 on etcd written out (membership corner):
// member-churn on seven nodes while leaders are cut off from a majority.
func wipeChurnConfig(raft, tuning string) Config {
	c := DefaultConfig()
	c.Seed, c.Raft, c.Store = 34, raft, ""
	c.Nodes, c.Clients, c.Rate, c.Keys = 7, 2, 11.4, 32
	c.OpTimeout, c.ReadMode, c.PreVote, c.CheckQuorum = Duration(3156*time.Millisecond), ReadModeLog, false, false
	c.HeartbeatTicks, c.ElectionTicks, c.SnapshotEvery = 1, 10, 0
	c.Latency, c.LatencyStddev, c.LatencyDist = Duration(1546*time.Microsecond), 0, "constant"
	c.SyncLatency = Duration(457 * time.Microsecond)
	c.Nemesis, c.NemesisInterval, c.MaxCrashed = []Fault{"partition-leader-minority", "member-churn"}, millis(65), 3
	c.NemesisTuning = tuning
	return c
}

// TestEtcdRejoinHazard: etcd never takes a removed member back under its
// ID, so the swarm draws neither member-churn nor corrupt on etcd, and
// member-churn asked for brings nodes back with their disks unless churn-wipe
// is set too; set, etcd fails and the verdict names the hazard. The built-in
// takes the same run.
func TestEtcdRejoinHazard(t *testing.T) {
	if testing.Short() {
		t.Skip("three 50 s simulated runs")
	}
	const drawn = "jitter=0.811,max-active=3,churn-leader=0.412"
	res, err := Run(wipeChurnConfig("etcd", drawn))
	require.NoError(t, err)
	assert.Equal(t, Valid, res.Verdict, "churn-wipe not asked for: members come back with their disks: %v", res.Reasons)

	// With churn-wipe, etcd fails this run and the verdict names the hazard.
	// It once panicked on its own assertion (a deposed leader sent the wiped
	// node the commit index of its old disk); the harness now brings a wiped
	// node back under its id only once every disk with a log is compacted
	// past its removal, and what remains is a re-add that does not finish.
	res, err = Run(wipeChurnConfig("etcd", drawn+",churn-wipe=0.89"))
	require.NoError(t, err)
	assert.Equal(t, Invalid, res.Verdict)
	assert.True(t, slices.ContainsFunc(res.Reasons, func(r string) bool { return strings.HasPrefix(r, "rejoin hazard: ") }),
		"the verdict names the hazard: %v", res.Reasons)

	res, err = Run(wipeChurnConfig("builtin", drawn+",churn-wipe=0.89"))
	require.NoError(t, err)
	assert.Equal(t, Valid, res.Verdict, "%v", res.Reasons)

	sw := DefaultConfig()
	sw.Seed, sw.Raft, sw.Store, sw.Swarm = 34, "etcd", "", true
	d, err := sw.Resolve()
	require.NoError(t, err)
	assert.NotContains(t, d.Nemesis, Fault("member-churn"), "the swarm draws no rejoins on etcd")
	assert.NotContains(t, d.Nemesis, Fault("corrupt"), "the swarm draws no rejoins on etcd")
	sw.Raft = "builtin"
	d, err = sw.Resolve()
	require.NoError(t, err)
	assert.Contains(t, d.Nemesis, Fault("member-churn"), "the built-in takes members back: seed 34 is a membership storm")
}

// TestEtcdSwarmDrawsNoLease: etcd's lease is unsafe under a plain partition
// (impls.Impl.LeaseHazard), so the swarm never draws lease reads on it
// unasked (seed 290 did, and its stale lease read was that hazard), while
// the built-in's draws still include them.
func TestEtcdSwarmDrawsNoLease(t *testing.T) {
	leases := 0
	for seed := uint64(1); seed <= 300; seed++ {
		c := DefaultConfig()
		c.Seed, c.Store, c.Swarm = seed, "", true
		c.Raft = "etcd"
		d, err := c.Resolve()
		require.NoError(t, err)
		assert.NotEqual(t, ReadModeLease, d.ReadMode, "seed %d on etcd", seed)
		c.Raft = "builtin"
		d, err = c.Resolve()
		require.NoError(t, err)
		if d.ReadMode == ReadModeLease {
			leases++
		}
	}
	assert.Positive(t, leases, "the built-in's swarm draws lease reads")
}
