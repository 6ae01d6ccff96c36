package nemesis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNetworkFaultsSetTheirKnobAndRestoreIt(t *testing.T) {
	in := Intensity{}.WithDefaults()
	tests := []struct {
		name  string
		check func(fc *fakeCluster) bool // the knob is set
	}{
		{"flaky", func(fc *fakeCluster) bool { return fc.loss == in.Loss }},
		{"duplicate", func(fc *fakeCluster) bool { return fc.dup == in.Duplicate }},
		{"reorder", func(fc *fakeCluster) bool { return fc.reorder == in.Reorder }},
		{"delay", func(fc *fakeCluster) bool { return fc.extraDelay == in.Delay }},
		{"slow-link", func(fc *fakeCluster) bool {
			set := 0
			for a := range fc.linkDelay {
				for b := range fc.linkDelay[a] {
					if fc.linkDelay[a][b] == in.LinkDelay {
						set++
					}
				}
			}
			return set == 2 // one link, both directions
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fc, _, _ := startOnce(t, tc.name, 5, 1, 1)
			require.True(t, tc.check(fc), "knob not set")
			stopOnce(t, fc)
			fc.requireHealthy(t)
		})
	}
}

func TestStoppingOneNetworkFaultKeepsTheOthers(t *testing.T) {
	fc := newFake(t, 5)
	nm := newNemesis(t, fc, Config{Faults: []string{"flaky", "duplicate"}}, 1)
	flaky, dup := nm.faults[0], nm.faults[1]
	require.True(t, nm.startFault(flaky, nil))
	require.True(t, nm.startFault(dup, nil))
	require.NotZero(t, fc.loss)
	require.NotZero(t, fc.dup)
	nm.stopFault(flaky, nil)
	assert.Zero(t, fc.loss, "flaky's loss survived its stop")
	assert.NotZero(t, fc.dup, "stopping flaky undid duplicate")
	nm.stopFault(dup, nil)
	fc.requireHealthy(t)
	requirePaired(t, fc.events)
}
