package nemesis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemberChurnRemovesAndAddsBack(t *testing.T) {
	wipes := map[bool]bool{}
	for seed := uint64(1); seed <= 12; seed++ {
		fc, nm, ev := startOnce(t, "member-churn", 5, 1, seed)
		x := ev.Targets[0]
		require.False(t, fc.member[x], "seed %d: %d still a member", seed, x)
		fc.run(2 * Second)
		require.Len(t, fc.events, 1, "the stop is recorded once the node is back")
		fc.run(2*Second + 900*Millisecond)
		require.Len(t, fc.events, 2)
		require.False(t, fc.events[1].Start)
		require.Equal(t, []int{x}, fc.events[1].Targets)
		require.Empty(t, nm.Active())
		fc.requireHealthy(t)
		wipes[fc.wiped[x] > 0] = true
	}
	assert.Len(t, wipes, 2, "some nodes come back with an empty disk, some with their own")
}

func TestMemberChurnCanRemoveTheLeader(t *testing.T) {
	fc := newFake(t, 5)
	fc.leader = 3
	cfg := single("member-churn")
	cfg.Intensity.ChurnLeader = 1
	nm := newNemesis(t, fc, cfg, 1)
	require.NoError(t, nm.Start(100*Second))
	fc.run(Second)
	require.Len(t, fc.events, 1)
	assert.Equal(t, []int{3}, fc.events[0].Targets)
	assert.Contains(t, fc.events[0].Detail, "leader")

	fc = newFake(t, 5)
	fc.leader = 3
	cfg.Intensity.ChurnLeader = Off
	nm = newNemesis(t, fc, cfg, 1)
	require.NoError(t, nm.Start(100*Second))
	for i := 1; i <= 20; i++ {
		fc.run(int64(2*i-1) * Second)
		assert.NotEqual(t, []int{3}, fc.events[len(fc.events)-1].Targets, "removed the leader with ChurnLeader Off")
		fc.run(int64(2*i) * Second)
	}
}

func TestMembershipRepairWaitsForALeader(t *testing.T) {
	fc, nm, ev := startOnce(t, "member-churn", 5, 1, 1)
	x := ev.Targets[0]
	fc.membershipStuck = true
	fc.run(3 * Second)
	require.Len(t, fc.events, 1, "stop recorded while the node cannot be re-added")
	require.Equal(t, []string{"member-churn"}, nm.Active())
	require.False(t, fc.member[x])
	fc.membershipStuck = false
	fc.run(3*Second + 900*Millisecond) // the next start is at 4 s
	require.Len(t, fc.events, 2)
	require.True(t, fc.member[x])
	require.Empty(t, nm.Active())
}

func TestMidRunRepairGivesUpAndHealRetries(t *testing.T) {
	fc, nm, ev := startOnce(t, "member-churn", 5, 1, 1)
	x := ev.Targets[0]
	fc.membershipStuck = true
	fc.run(2*Second + DefaultRepairTimeout + Second)
	require.Len(t, fc.events, 2)
	assert.Contains(t, fc.events[1].Detail, "gave up")
	assert.Empty(t, nm.Anomalies(), "a mid-run give-up is not final")
	fc.membershipStuck = false
	nm.Heal()
	fc.run(fc.now + 2*Second)
	assert.True(t, fc.member[x], "Heal re-added the node")
	fc.requireHealthy(t)
	assert.Empty(t, nm.Anomalies())
}

func TestRepairFailureAfterHealIsAnAnomaly(t *testing.T) {
	fc, nm, ev := startOnce(t, "member-churn", 5, 1, 1)
	x := ev.Targets[0]
	fc.membershipStuck = true
	nm.Heal()
	fc.run(fc.now + DefaultRepairTimeout + Second)
	require.Len(t, fc.events, 2)
	assert.Contains(t, fc.events[1].Detail, "gave up")
	require.Len(t, nm.Anomalies(), 1)
	assert.Equal(t, AnomalyRepairFailed, nm.Anomalies()[0].Kind)
	assert.Equal(t, x, nm.Anomalies()[0].Node)
	assert.Empty(t, nm.Active())
}

// TestInFlightRemovalHoldsTheBudget: a member-churn stop that comes before its
// removal is visible must not give the node's budget slot back: the removal
// may still commit. The stop finishes (other membership faults may overlap the
// uncertain change) but the node counts as down until the removal has been
// seen through — re-proposed if it was lost — and the node is back.
func TestInFlightRemovalHoldsTheBudget(t *testing.T) {
	tests := []struct {
		name string
		lag  int64 // the removal commits this long after it is proposed
		lose int   // accepted removals lost before one commits
	}{
		{name: "the removal commits long after the stop", lag: 3 * Second},
		{name: "the removal commits just after the stop", lag: 10 * Millisecond},
		{name: "the removal is lost and re-proposed", lose: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fc := newFake(t, 3)
			fc.removalLag, fc.loseRemovals = tt.lag, tt.lose
			nm := newNemesis(t, fc, Config{Faults: []string{"crash-leader", "member-churn"}, Interval: Second, Jitter: Off}, 1)
			require.Equal(t, 1, nm.Budget())
			churn, crash := faultNamed(t, nm, "member-churn"), faultNamed(t, nm, "crash-leader")

			require.True(t, nm.startFault(churn, nil))
			x := churn.node
			require.True(t, fc.member[x], "the removal is in flight")
			require.Zero(t, nm.room(), "an in-flight removal counts against the budget")
			fc.run(fc.now + Millisecond)
			nm.stopFault(churn, nil)
			require.Len(t, fc.events, 2)
			assert.Contains(t, fc.events[1].Detail, "has not taken effect yet")
			require.Empty(t, nm.Active())
			require.Zero(t, nm.room(), "stopped before the removal took effect: the node still counts")
			require.NotContains(t, nm.healthy(), x)
			require.False(t, nm.startFault(crash, nil), "a crash now could leave the cluster without a quorum")
			require.False(t, nm.startFault(churn, nil), "no room for another removal either")

			removed := false
			fc.hook = func() {
				removed = removed || !fc.member[x]
				require.LessOrEqual(t, fc.outOfService(), nm.Budget(), "budget exceeded at %d", fc.now)
			}
			fc.run(fc.now + DefaultRepairTimeout)
			assert.True(t, removed, "the removal was seen through")
			assert.True(t, fc.member[x], "the node is back")
			assert.True(t, fc.alive[x])
			assert.Empty(t, nm.tasks)
			assert.Equal(t, 1, nm.room(), "settled: the node counts no more")
		})
	}
}

// TestUncertainRemovalCountsAfterGiveUp: when the repair gives up while the
// removal it proposed may still be in flight (no proposal was ever seen to
// take effect), the node keeps counting against the budget.
func TestUncertainRemovalCountsAfterGiveUp(t *testing.T) {
	fc := newFake(t, 3)
	fc.loseRemovals = -1
	nm := newNemesis(t, fc, Config{Faults: []string{"member-churn"}, Interval: Second, Jitter: Off}, 1)
	churn := faultNamed(t, nm, "member-churn")
	require.True(t, nm.startFault(churn, nil))
	x := churn.node
	nm.stopFault(churn, nil)
	fc.run(fc.now + DefaultRepairTimeout + Second)
	require.Empty(t, nm.tasks, "the repair gave up")
	assert.True(t, fc.member[x])
	assert.Zero(t, nm.room(), "a removal that may still commit keeps counting")
	assert.NotContains(t, nm.healthy(), x)

	fc.member[x] = false // the removal commits at last
	assert.Zero(t, nm.room(), "now out of the membership: down")
	fc.member[x] = true // re-added (by Heal, say)
	assert.Equal(t, 1, nm.room(), "settled: the node counts no more")
}

// TestChurnAndCorruptKeepAQuorum is the scheduler-level shape of the bug: on
// three nodes with corrupt and member-churn at a 1 ms interval, a removal that
// commits a few milliseconds late must never join a fail-stopped node in
// taking two of three voters out of service.
func TestChurnAndCorruptKeepAQuorum(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		fc := newFake(t, 3)
		fc.removalLag = 5 * Millisecond
		nm := newNemesis(t, fc, Config{Faults: []string{"corrupt", "member-churn"}, Interval: Millisecond}, seed)
		fc.hook = func() {
			require.LessOrEqual(t, fc.outOfService(), nm.Budget(), "seed %d: budget exceeded at %d", seed, fc.now)
		}
		require.NoError(t, nm.Start(3*Second))
		fc.run(3 * Second)
		fc.hook = nil
		nm.Heal()
		fc.run(fc.now + DefaultRepairTimeout + Second)
		fc.requireHealthy(t)
		requirePaired(t, fc.events)
		require.Empty(t, nm.Anomalies(), "seed %d", seed)
	}
}

// faultNamed returns nm's enabled fault called name.
func faultNamed(t *testing.T, nm *Nemesis, name string) *fault {
	t.Helper()
	for _, fl := range nm.faults {
		if fl.Name == name {
			return fl
		}
	}
	require.FailNow(t, "fault not enabled", name)
	return nil
}
