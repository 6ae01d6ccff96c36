package nemesis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCrashModeFaultsCrashWithTheirMode(t *testing.T) {
	tests := []struct {
		name  string
		modes []string
	}{
		{"lose-unsynced", []string{ModeLoseUnsynced, ModeKeepPrefix}},
		{"torn-write", []string{ModeTearLast}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			seen := map[string]bool{}
			for seed := uint64(1); seed <= 10; seed++ {
				fc, _, ev := startOnce(t, tc.name, 5, 1, seed)
				x := ev.Targets[0]
				require.False(t, fc.alive[x])
				require.Contains(t, tc.modes, fc.modeAtCrash[x], "mode in force at the crash")
				seen[fc.modeAtCrash[x]] = true
				stopOnce(t, fc)
				fc.run(2*Second + Millisecond)
				fc.requireHealthy(t)
			}
			assert.Len(t, seen, len(tc.modes))
		})
	}
}

func TestSlowFsyncSetsAndRestoresSyncLatency(t *testing.T) {
	fc, _, ev := startOnce(t, "slow-fsync", 5, 1, 1)
	lat := Intensity{}.WithDefaults().SyncLatency
	for _, id := range fc.nodes {
		want := int64(0)
		if contains(ev.Targets, id) {
			want = lat
		}
		assert.Equal(t, want, fc.syncLatency[id], "node %d", id)
	}
	stopOnce(t, fc)
	fc.requireHealthy(t)
}

func TestCorruptNodeFailStopsAndIsReplaced(t *testing.T) {
	fc, nm, ev := startOnce(t, "corrupt", 5, 1, 1)
	x := ev.Targets[0]
	fc.run(1500 * Millisecond)
	require.False(t, fc.alive[x], "node started on a corrupted disk")
	require.True(t, fc.corrupt[x])
	require.Equal(t, 1, fc.restarts[x], "the nemesis did try to restart it")
	require.Empty(t, nm.Anomalies())

	fc.run(2 * Second) // stop: the repair begins
	require.Len(t, fc.events, 1, "the stop waits for the repair")
	require.Equal(t, []string{"corrupt"}, nm.Active())
	fc.run(2*Second + 900*Millisecond)
	require.Len(t, fc.events, 2)
	assert.Contains(t, fc.events[1].Detail, "empty disk")
	assert.Equal(t, 1, fc.wiped[x])
	fc.requireHealthy(t)
	assert.Empty(t, nm.Anomalies())
}

func TestCorruptionThatGoesUnnoticedIsAnAnomaly(t *testing.T) {
	fc := newFake(t, 5)
	fc.startCorrupt = true
	nm := newNemesis(t, fc, single("corrupt"), 1)
	require.NoError(t, nm.Start(10*Second))
	fc.run(2 * Second)
	require.Len(t, nm.Anomalies(), 1)
	a := nm.Anomalies()[0]
	assert.Equal(t, AnomalyCorruptUndetected, a.Kind)
	assert.Equal(t, fc.events[0].Targets[0], a.Node)
	require.Len(t, fc.events, 2, "nothing to repair: the stop is immediate")
}

func TestCorruptWithNothingToCorruptRestartsTheNode(t *testing.T) {
	fc := newFake(t, 5)
	fc.corruptOK = false
	nm := newNemesis(t, fc, single("corrupt"), 1)
	require.NoError(t, nm.Start(10*Second))
	fc.run(Second + Millisecond)
	require.Len(t, fc.events, 1)
	assert.Contains(t, fc.events[0].Detail, "nothing")
	fc.requireHealthy(t)
	fc.run(2 * Second)
	require.Len(t, fc.events, 2)
	assert.Empty(t, nm.Anomalies())
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
