package nemesis

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHealGuardsLateRemovals: a member-churn removal still in flight at the
// final heal may commit after it. For RepairTimeout after the heal the
// nemesis re-adds any node that drops out of the membership; after that it
// leaves the cluster alone. Runs without membership faults have no guard.
func TestHealGuardsLateRemovals(t *testing.T) {
	fc, nm, _ := startOnce(t, "member-churn", 5, 1, 1)
	fc.run(2*Second + 500*Millisecond) // the first window is over: all members
	fc.requireHealthy(t)
	nm.Heal()
	fc.run(fc.now + Second)
	fc.member[4] = false // a removal proposed before the heal commits now
	fc.run(fc.now + Second)
	require.True(t, fc.member[4], "the late removal was not repaired")
	require.Empty(t, nm.Active())
	require.Empty(t, nm.Anomalies())

	fc.run(fc.now + DefaultRepairTimeout)
	fc.member[2] = false // past the guard: the nemesis is done
	fc.run(fc.now + 5*Second)
	require.False(t, fc.member[2], "the nemesis acted long after the heal")
	require.Empty(t, fc.timers, "the poller stopped")

	fc = newFake(t, 5)
	fc.leader = 1
	nm = newNemesis(t, fc, single("crash-random"), 1)
	require.NoError(t, nm.Start(100*Second))
	fc.run(1500 * Millisecond)
	nm.Heal()
	fc.run(fc.now + Second)
	fc.member[3] = false
	fc.run(fc.now + 2*Second)
	require.False(t, fc.member[3], "no membership faults: nothing to guard")
}
