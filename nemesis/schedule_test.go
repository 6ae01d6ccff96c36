package nemesis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runAll runs cfg on a fresh n-node fake for limit, heals, runs the recovery
// window and returns the fake and nemesis. check runs after every callback
// before the heal.
func runAll(t testing.TB, nodes int, cfg Config, seed uint64, limit int64, check func(fc *fakeCluster, nm *Nemesis)) (*fakeCluster, *Nemesis) {
	t.Helper()
	fc := newFake(t, nodes)
	nm := newNemesis(t, fc, cfg, seed)
	if check != nil {
		fc.hook = func() { check(fc, nm) }
	}
	require.NoError(t, nm.Start(limit))
	fc.run(limit)
	fc.hook = nil
	nm.Heal()
	fc.run(limit + 10*Second)
	return fc, nm
}

func TestBudgetHoldsOverALongScheduleOfAll(t *testing.T) {
	for _, nodes := range []int{3, 5, 7} {
		for _, budget := range []int{BudgetMinority, BudgetMajority} {
			for seed := uint64(1); seed <= 3; seed++ {
				t.Run(fmt.Sprintf("n=%d/budget=%d/seed=%d", nodes, budget, seed), func(t *testing.T) {
					cfg := Config{Faults: []string{All}, Interval: 700 * Millisecond, MaxActive: 3, MaxCrashed: budget}
					limit := nodes / 2
					if budget == BudgetMajority {
						limit = nodes/2 + 1
					}
					starts := map[string]int{}
					fc, nm := runAll(t, nodes, cfg, seed, 400*Second, func(fc *fakeCluster, nm *Nemesis) {
						active := fc.activeFaults()
						require.LessOrEqual(t, len(active), 3, "more than MaxActive: %v", active)
						if !slices.Contains(active, "crash-all") {
							require.LessOrEqual(t, fc.down(), limit, "t=%d active=%v", fc.now, active)
						}
					})
					for _, r := range fc.events {
						if r.Start {
							starts[r.Fault]++
						}
					}
					// Over 400 s every fault gets its turn.
					for _, fl := range nm.faults {
						assert.Positive(t, starts[fl.Name], "%s never started", fl.Name)
					}
					fc.requireHealthy(t)
					requirePaired(t, fc.events)
					assert.Empty(t, nm.Active())
					assert.Empty(t, nm.Anomalies())
				})
			}
		}
	}
}

func TestHealLeavesNothingActive(t *testing.T) {
	// Heal in the middle of everything: after 30 s of every fault at once.
	for seed := uint64(1); seed <= 10; seed++ {
		cfg := Config{Faults: []string{All}, Interval: 300 * Millisecond, MaxActive: 6}
		fc, nm := runAll(t, 5, cfg, seed, 30*Second, nil)
		require.NotEmpty(t, fc.events)
		fc.requireHealthy(t)
		requirePaired(t, fc.events)
		assert.Empty(t, nm.Active(), "seed %d", seed)
		assert.Empty(t, nm.Anomalies(), "seed %d", seed)
		// Nothing happens after the heal but repairs finishing.
		n := len(fc.events)
		fc.run(fc.now + 60*Second)
		assert.Len(t, fc.events, n, "events after the heal settled")
	}
}

func TestHealRecordsAStopForEveryActiveFault(t *testing.T) {
	fc := newFake(t, 5)
	nm := newNemesis(t, fc, Config{Faults: []string{"partition-halves", "pause-random", "flaky", "clock-bump", "slow-fsync"}, MaxActive: 5}, 1)
	for _, fl := range nm.faults {
		require.True(t, nm.startFault(fl, nil), fl.Name)
	}
	require.Len(t, nm.Active(), 5)
	nm.Heal()
	require.Len(t, fc.events, 10)
	for i, r := range fc.events[5:] {
		assert.False(t, r.Start)
		assert.Equal(t, fc.events[i].Fault, r.Fault, "stops in catalog order")
		assert.Equal(t, fc.events[i].Targets, r.Targets, "a stop names the start's targets")
	}
	fc.requireHealthy(t)
	nm.Heal() // idempotent
	require.Len(t, fc.events, 10)
}

func TestHealRestartsNodesNobodyHolds(t *testing.T) {
	fc := newFake(t, 5)
	nm := newNemesis(t, fc, Config{}, 1)
	fc.alive[4] = false
	fc.paused[2] = true
	fc.member[5] = false
	fc.Block(1, 2)
	fc.SetClockOffset(3, 77)
	nm.Heal()
	fc.run(5 * Second)
	fc.requireHealthy(t)
	assert.Empty(t, fc.events, "nothing was started, so nothing is recorded")
}

func TestScheduleIsDeterministic(t *testing.T) {
	cfg := Config{Faults: []string{All}, Interval: Second, MaxActive: 3}
	a, _ := runAll(t, 5, cfg, 42, 120*Second, nil)
	b, _ := runAll(t, 5, cfg, 42, 120*Second, nil)
	c, _ := runAll(t, 5, cfg, 43, 120*Second, nil)
	require.Greater(t, len(a.events), 50)
	assert.Equal(t, a.events, b.events, "same seed, different schedule")
	assert.NotEqual(t, a.events, c.events, "different seeds, same schedule")
}

func TestJitterSpreadsGapsAroundTheInterval(t *testing.T) {
	fc := newFake(t, 3)
	nm := newNemesis(t, fc, Config{Faults: []string{"flaky"}, Interval: Second, Jitter: 0.5}, 1)
	require.NoError(t, nm.Start(1000*Second))
	fc.run(1000 * Second)
	var prev int64
	lo, hi := int64(1<<62), int64(0)
	for _, r := range fc.events {
		gap := r.At - prev
		prev = r.At
		lo, hi = min(lo, gap), max(hi, gap)
	}
	assert.InDelta(t, 1000, len(fc.events), 60, "mean gap ≈ Interval")
	assert.GreaterOrEqual(t, lo, Second/2)
	assert.LessOrEqual(t, hi, 3*Second/2)
	assert.Less(t, lo, 6*Second/10, "jitter reaches its low end")
	assert.Greater(t, hi, 14*Second/10, "jitter reaches its high end")
}

func TestNoActionAtOrAfterTheLimit(t *testing.T) {
	fc := newFake(t, 3)
	nm := newNemesis(t, fc, single("flaky"), 1)
	require.NoError(t, nm.Start(5*Second))
	fc.run(20 * Second)
	require.Len(t, fc.events, 4, "actions at 1,2,3,4 s only")
	assert.Less(t, fc.events[3].At, 5*Second)
}

func TestStartErrors(t *testing.T) {
	fc := newFake(t, 3)
	nm := newNemesis(t, fc, single("flaky"), 1)
	require.ErrorContains(t, nm.Start(0), "not after now")
	require.NoError(t, nm.Start(Second))
	require.ErrorContains(t, nm.Start(2*Second), "twice")

	nm = newNemesis(t, fc, single("flaky"), 1)
	nm.Heal()
	require.ErrorContains(t, nm.Start(2*Second), "after Heal")
}

func TestNewErrors(t *testing.T) {
	fc := newFake(t, 3)
	tests := []struct {
		name string
		cfg  Config
		f    Faults
		rng  bool
		want string
	}{
		{"nil faults", Config{}, nil, true, "no Faults"},
		{"nil rng", Config{}, fc, false, "random"},
		{"bad config", Config{Jitter: 2}, fc, true, "jitter"},
		{"budget too big", Config{MaxCrashed: 4}, fc, true, "max_crashed"},
		{"empty cluster", Config{}, newFake(t, 0), true, "no nodes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var rng = testRNG(1)
			if !tc.rng {
				rng = nil
			}
			_, err := New(tc.cfg, tc.f, rng)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestFaultsTooBigForTheClusterAreSkipped(t *testing.T) {
	fc := newFake(t, 3)
	nm := newNemesis(t, fc, Config{Faults: []string{"partition-majorities-ring", "flaky"}}, 1)
	assert.Equal(t, []string{"partition-majorities-ring"}, nm.Skipped())
	assert.Equal(t, []string{"flaky"}, nm.Config().Faults[1:])
	require.Len(t, nm.faults, 1)

	one := newFake(t, 1)
	nm = newNemesis(t, one, Config{Faults: []string{All}}, 1)
	for _, fl := range nm.faults {
		assert.LessOrEqual(t, fl.MinNodes, 1, fl.Name)
	}
	require.NoError(t, nm.Start(60*Second))
	one.run(60 * Second)
	nm.Heal()
	one.run(70 * Second)
	one.requireHealthy(t)
	requirePaired(t, one.events)
}

func TestBudgetResolution(t *testing.T) {
	tests := []struct{ nodes, cfg, want int }{
		{3, BudgetMinority, 1}, {4, BudgetMinority, 1}, {5, BudgetMinority, 2}, {7, BudgetMinority, 3},
		{3, BudgetMajority, 2}, {5, BudgetMajority, 3}, {5, 4, 4}, {5, 5, 5},
	}
	for _, tc := range tests {
		nm := newNemesis(t, newFake(t, tc.nodes), Config{MaxCrashed: tc.cfg}, 1)
		assert.Equal(t, tc.want, nm.Budget(), "%+v", tc)
	}
}
