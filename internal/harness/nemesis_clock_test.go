package harness

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/sim"
)

// localOffset is how far node's local clock is from global time now.
func (h *nemHarness) localOffset(node int) time.Duration {
	return time.Duration(h.host(node).Now() - h.x.w.Now())
}

// requireClocksTrue asserts every node's clock reads global time.
func (h *nemHarness) requireClocksTrue(when string) {
	for _, id := range h.x.c.nodes {
		require.Zero(h.t, h.localOffset(id), "%s: node %d's clock is off", when, id)
		require.Zero(h.t, h.host(id).Clock().Drift(), "%s: node %d's clock drifts", when, id)
	}
}

// TestNemesisClockBumpMovesLocalClock: clock-bump jumps one node's clock:
// Host(x).Now() − World.Now() equals the bump throughout the window (other
// nodes read true time) and is 0 after the stop.
func TestNemesisClockBumpMovesLocalClock(t *testing.T) {
	signs := map[bool]bool{}
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := newNemHarness(t, oneWindow(seed), singleFault("clock-bump"))
			maxBump := time.Duration(h.x.nem.Config().Intensity.ClockBump)
			var x int
			var bump time.Duration
			check := func(when string) {
				for _, id := range h.x.c.nodes {
					want := time.Duration(0)
					if id == x {
						want = bump
					}
					require.Equal(t, want, h.localOffset(id), "%s: node %d", when, id)
				}
			}
			checks := 0
			h.onStart = func(ev nemesis.Event) {
				require.Len(t, ev.Targets, 1)
				x = ev.Targets[0]
				bump = time.Duration(h.p.offsets[x])
				require.NotZero(t, bump)
				require.LessOrEqual(t, bump.Abs(), maxBump)
				require.GreaterOrEqual(t, bump.Abs(), maxBump/2)
				signs[bump > 0] = true
				check("at the bump")
				for _, d := range []time.Duration{time.Second, 3 * time.Second} {
					h.after(d, func() { check(fmt.Sprintf("%v into the window", d)); checks++ })
				}
			}
			h.onStop = func(nemesis.Event) {
				h.requireClocksTrue("after the stop")
				h.after(time.Second, func() { h.requireClocksTrue("a second after the stop"); checks++ })
			}
			res := h.run()
			require.Equal(t, 3, checks, "the in-window and after-stop checks ran")
			h.requireHealthyEnd(res, "clock-bump")
		})
	}
	assert.Len(t, signs, 2, "the seeds should bump clocks both forward and back")
}

// TestNemesisClockSkewOffsetsEveryNode: clock-skew gives each node its own
// fixed offset within ±ClockSkew, read as Host.Now() − World.Now() for the
// whole window, and the stop resets every clock.
func TestNemesisClockSkewOffsetsEveryNode(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := newNemHarness(t, oneWindow(seed), singleFault("clock-skew"))
			skew := time.Duration(h.x.nem.Config().Intensity.ClockSkew)
			offsets := map[int]time.Duration{}
			check := func(when string) {
				for _, id := range h.x.c.nodes {
					require.Equal(t, offsets[id], h.localOffset(id), "%s: node %d", when, id)
				}
			}
			h.onStart = func(ev nemesis.Event) {
				require.Equal(t, h.x.c.nodes, ev.Targets)
				distinct := map[time.Duration]bool{}
				for _, id := range h.x.c.nodes {
					offsets[id] = time.Duration(h.p.offsets[id])
					require.LessOrEqual(t, offsets[id].Abs(), skew, "node %d", id)
					distinct[offsets[id]] = true
				}
				require.Greater(t, len(distinct), 1, "every node got the same offset: that is no skew")
				check("at the start")
				h.after(2*time.Second, func() { check("mid-window") })
			}
			h.onStop = func(nemesis.Event) { h.requireClocksTrue("after the stop") }
			res := h.run()
			require.Len(t, offsets, h.x.opts.Nodes)
			h.requireHealthyEnd(res, "clock-skew")
		})
	}
}

// TestNemesisClockDriftChangesRate: clock-drift makes the chosen clocks run
// fast or slow: over a span of global time a drifting clock advances by the
// span × (1 + ppm/10⁶), the others by the span; the raft tick, a local-clock
// timer, fires that much more or less often; the stop resets every clock.
func TestNemesisClockDriftChangesRate(t *testing.T) {
	const span = 2 * time.Second
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			h := newNemHarness(t, oneWindow(seed), singleFault("clock-drift"))
			maxPPM := h.x.nem.Config().Intensity.ClockDrift
			drifts := map[int]float64{}
			measured := false
			ticks := map[int]int{} // timer firings per node during the span
			counting := false
			h.onTrace = func(r sim.Record) {
				if counting && r.Kind == sim.KindTimer && r.A >= 1 && r.A <= h.x.opts.Nodes {
					ticks[r.A]++
				}
			}
			h.onStart = func(ev nemesis.Event) {
				require.NotEmpty(t, ev.Targets)
				for _, id := range ev.Targets {
					drifts[id] = h.p.drifts[id]
					require.NotZero(t, drifts[id], "node %d is a target but does not drift", id)
					require.LessOrEqual(t, math.Abs(drifts[id]), maxPPM)
					require.InDelta(t, drifts[id], h.host(id).Clock().Drift(), 0.001, "the clock keeps drift in parts per billion")
				}
				before := map[int]sim.Time{}
				for _, id := range h.x.c.nodes {
					before[id] = h.host(id).Now()
				}
				counting = true
				h.after(span, func() {
					counting = false
					tick := time.Duration(h.x.opts.TickInterval)
					for _, id := range h.x.c.nodes {
						got := time.Duration(h.host(id).Now() - before[id])
						want := span + time.Duration(float64(span)*drifts[id]/1e6)
						assert.InDelta(t, float64(want), float64(got), float64(time.Microsecond), "node %d drifting %+.0f ppm", id, drifts[id])
						// The raft tick is a local-clock timer: it fires once per tick of local time.
						assert.InDelta(t, float64(want/tick), float64(ticks[id]), 1, "node %d's ticks in %v of global time", id, span)
					}
					measured = true
				})
			}
			h.onStop = func(nemesis.Event) { h.requireClocksTrue("after the stop") }
			res := h.run()
			require.True(t, measured)
			h.requireHealthyEnd(res, "clock-drift")
		})
	}
}

// TestNemesisClockStrobeFlips: clock-strobe flips one node's offset between
// 0 and StrobeDelta every StrobePeriod during the window, and the stop puts
// the clock back.
func TestNemesisClockStrobeFlips(t *testing.T) {
	h := newNemHarness(t, oneWindow(1), singleFault("clock-strobe"))
	in := h.x.nem.Config().Intensity
	var x int
	seen := map[time.Duration]int{}
	on := false
	h.onStart = func(ev nemesis.Event) {
		x = ev.Targets[0]
		on = true
		// Sample off the flip instants, a few hundred times.
		h.after(time.Duration(in.StrobePeriod)/2, func() {
			h.every(time.Duration(in.StrobePeriod)*3/2, func() bool {
				if on {
					seen[h.localOffset(x)]++
				}
				return on
			})
		})
	}
	h.onStop = func(nemesis.Event) {
		on = false
		h.requireClocksTrue("after the stop")
	}
	res := h.run()
	require.Len(t, seen, 2, "offsets seen: %v", seen)
	assert.Positive(t, seen[0])
	assert.Positive(t, seen[time.Duration(in.StrobeDelta)])
	h.requireHealthyEnd(res, "clock-strobe")
}
