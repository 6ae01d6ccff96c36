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
