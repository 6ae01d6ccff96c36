package nemesis

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClockBumpMovesOneHostsClock(t *testing.T) {
	bump := Intensity{}.WithDefaults().ClockBump
	signs := map[bool]bool{}
	for seed := uint64(1); seed <= 10; seed++ {
		fc, _, ev := startOnce(t, "clock-bump", 5, 1, seed)
		require.Len(t, ev.Targets, 1)
		x := ev.Targets[0]
		off := fc.offset[x]
		assert.GreaterOrEqual(t, abs(off), bump/2, "seed %d: bump %d too small", seed, off)
		assert.LessOrEqual(t, abs(off), bump)
		signs[off > 0] = true
		for _, id := range fc.nodes {
			if id != x {
				assert.Zero(t, fc.offset[id], "node %d moved too", id)
			}
		}
		stopOnce(t, fc)
		fc.requireHealthy(t)
	}
	assert.Len(t, signs, 2, "bumps go both forward and back")
}

func TestClockSkewGivesNodesDifferentOffsets(t *testing.T) {
	fc, _, ev := startOnce(t, "clock-skew", 5, 1, 1)
	skew := Intensity{}.WithDefaults().ClockSkew
	assert.Equal(t, fc.nodes, ev.Targets)
	distinct := map[int64]bool{}
	for _, id := range fc.nodes {
		assert.LessOrEqual(t, abs(fc.offset[id]), skew)
		distinct[fc.offset[id]] = true
	}
	assert.Greater(t, len(distinct), 1)
	stopOnce(t, fc)
	fc.requireHealthy(t)
}

func TestClockDriftSetsDriftWithinBound(t *testing.T) {
	fc, _, ev := startOnce(t, "clock-drift", 5, 1, 1)
	limit := Intensity{}.WithDefaults().ClockDrift
	require.NotEmpty(t, ev.Targets)
	for _, id := range ev.Targets {
		d := fc.drift[id]
		assert.GreaterOrEqual(t, max(d, -d), limit/2, "node %d drift %v", id, d)
		assert.LessOrEqual(t, max(d, -d), limit)
	}
	stopOnce(t, fc)
	fc.requireHealthy(t)
}

func TestClockStrobeFlipsBackAndForth(t *testing.T) {
	fc, _, ev := startOnce(t, "clock-strobe", 3, 1, 1)
	x := ev.Targets[0]
	in := Intensity{}.WithDefaults()
	seen := map[int64]int{}
	for at := Second + in.StrobePeriod/2; at < 2*Second; at += in.StrobePeriod {
		fc.run(at)
		seen[fc.offset[x]]++
	}
	assert.Len(t, seen, 2, "offsets seen: %v", seen)
	assert.Greater(t, seen[0], 40)
	assert.Greater(t, seen[in.StrobeDelta], 40)
	stopOnce(t, fc)
	fc.requireHealthy(t)
	sets := fc.offsetSets[x]
	fc.run(2*Second + 500*Millisecond)
	assert.Equal(t, sets, fc.offsetSets[x], "strobing went on after the stop")
}

func TestClockOffsetsCompose(t *testing.T) {
	fc := newFake(t, 3)
	nm := newNemesis(t, fc, Config{Faults: []string{"clock-skew", "clock-bump"}}, 5)
	skew, bump := nm.faults[0], nm.faults[1]
	require.True(t, nm.startFault(skew, nil))
	require.True(t, nm.startFault(bump, nil))
	x := bump.targets[0]
	i := nm.pos(x)
	assert.Equal(t, skew.offsets[i]+bump.offsets[i], fc.offset[x])
	nm.stopFault(bump, nil)
	assert.Equal(t, skew.offsets[i], fc.offset[x], "the skew survives the bump's stop")
	nm.stopFault(skew, nil)
	fc.requireHealthy(t)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
