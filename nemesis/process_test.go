package nemesis

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// downNodes lists the nodes that are crashed or paused.
func (fc *fakeCluster) downNodes() []int {
	var out []int
	for _, id := range fc.nodes {
		if !fc.alive[id] || fc.paused[id] {
			out = append(out, id)
		}
	}
	return out
}

func TestCrashAllThenRestart(t *testing.T) {
	fc, _, ev := startOnce(t, "crash-all", 5, 1, 1)
	assert.Equal(t, fc.nodes, ev.Targets)
	for _, id := range fc.nodes {
		assert.False(t, fc.alive[id], "node %d survived the power loss", id)
	}
	stopOnce(t, fc)
	fc.run(2*Second + Millisecond)
	for _, id := range fc.nodes {
		assert.True(t, fc.alive[id], "node %d not restarted", id)
		assert.Equal(t, 1, fc.crashes[id])
		assert.Equal(t, 1, fc.restarts[id])
	}
}

func TestCrashAllWaitsForAFullyHealthyCluster(t *testing.T) {
	fc := newFake(t, 5)
	nm := newNemesis(t, fc, single("crash-all"), 1)
	fc.alive[2] = false // down for reasons of its own
	require.NoError(t, nm.Start(10*Second))
	fc.run(5 * Second)
	assert.Empty(t, fc.events, "crash-all started with a node already down")
}

func TestCrashLeaderAndPauseLeaderHitTheLeader(t *testing.T) {
	for _, name := range []string{"crash-leader", "pause-leader"} {
		for _, leader := range []int{2, 5} {
			t.Run(fmt.Sprintf("%s/leader=%d", name, leader), func(t *testing.T) {
				fc, _, ev := startOnce(t, name, 5, leader, 1)
				assert.Equal(t, []int{leader}, ev.Targets)
				assert.Equal(t, []int{leader}, fc.downNodes())
				if name == "pause-leader" {
					assert.True(t, fc.paused[leader])
					assert.True(t, fc.alive[leader])
				}
				stopOnce(t, fc)
				fc.run(2*Second + Millisecond)
				assert.Empty(t, fc.downNodes())
			})
		}
	}
}

func TestCrashRandomTakesCrashCountWithinBudget(t *testing.T) {
	tests := []struct {
		count, budget, want int
	}{
		{1, 0, 1},
		{2, 0, 2},
		{5, 0, 2}, // the minority budget of 5 nodes caps it
		{3, 3, 3},
	}
	for _, tc := range tests {
		fc := newFake(t, 5)
		cfg := single("crash-random")
		cfg.Intensity.CrashCount = tc.count
		cfg.MaxCrashed = tc.budget
		nm := newNemesis(t, fc, cfg, 2)
		require.NoError(t, nm.Start(10*Second))
		fc.run(Second)
		require.Len(t, fc.events, 1)
		assert.Len(t, fc.events[0].Targets, tc.want, "%+v", tc)
		assert.Len(t, fc.downNodes(), tc.want)
	}
}

func TestCrashMajorityExceedsTheMinorityOnlyWhenTheBudgetAllows(t *testing.T) {
	fc, _, ev := startOnce(t, "crash-majority", 5, 1, 1)
	assert.Len(t, ev.Targets, 2, "the default budget stops it at a minority")
	assert.Contains(t, ev.Detail, "budget")

	fc = newFake(t, 5)
	cfg := single("crash-majority")
	cfg.MaxCrashed = BudgetMajority
	nm := newNemesis(t, fc, cfg, 1)
	require.NoError(t, nm.Start(10*Second))
	fc.run(Second)
	require.Len(t, fc.events, 1)
	assert.Len(t, fc.events[0].Targets, 3)
	assert.Len(t, fc.downNodes(), 3)
	fc.run(2*Second + Millisecond)
	assert.Empty(t, fc.downNodes())
}

func TestPauseRandomPausesAndResumes(t *testing.T) {
	fc, _, ev := startOnce(t, "pause-random", 3, 1, 7)
	require.Len(t, ev.Targets, 1)
	x := ev.Targets[0]
	assert.True(t, fc.paused[x])
	stopOnce(t, fc)
	assert.False(t, fc.paused[x])
}

func TestRollingRestartVisitsEveryNodeOneAtATime(t *testing.T) {
	fc := newFake(t, 5)
	cfg := Config{Faults: []string{"rolling-restart"}, Interval: 30 * Second, Jitter: Off, Intensity: Intensity{Downtime: Second}}
	nm := newNemesis(t, fc, cfg, 3)
	fc.hook = func() {
		require.LessOrEqual(t, len(fc.downNodes()), 1, "rolling restart took two nodes down")
	}
	require.NoError(t, nm.Start(100*Second))
	fc.run(30 * Second) // start
	require.Len(t, fc.events, 1)
	fc.run(59 * Second)
	for _, id := range fc.nodes {
		// 29 s at 2 s per node: every node at least twice around the ring.
		assert.GreaterOrEqual(t, fc.crashes[id], 2, "node %d", id)
	}
	fc.run(60*Second + Millisecond) // stop
	require.Len(t, fc.events, 2)
	assert.Empty(t, fc.downNodes())
	crashes := 0
	for _, id := range fc.nodes {
		crashes += fc.crashes[id]
	}
	fc.run(89 * Second) // the next start is at 90 s
	after := 0
	for _, id := range fc.nodes {
		after += fc.crashes[id]
	}
	assert.Equal(t, crashes, after, "crashes continued after the stop")
	assert.Empty(t, nm.Anomalies())
}

func TestRestartFailureIsAnAnomaly(t *testing.T) {
	fc, nm, ev := startOnce(t, "lose-unsynced", 3, 1, 1)
	x := ev.Targets[0]
	fc.cannotRestart[x] = true
	stopOnce(t, fc)
	fc.run(3 * Second)
	require.Len(t, nm.Anomalies(), 1)
	a := nm.Anomalies()[0]
	assert.Equal(t, AnomalyRestartFailed, a.Kind)
	assert.Equal(t, x, a.Node)
	assert.Equal(t, "lose-unsynced", a.Fault)
}
