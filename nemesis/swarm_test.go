package nemesis

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSwarmIsDeterministicPerSeed(t *testing.T) {
	for seed := uint64(1); seed <= 50; seed++ {
		a := Swarm(testRNG(seed), 5)
		b := Swarm(testRNG(seed), 5)
		require.Equal(t, a, b, "seed %d", seed)
		require.Equal(t, a.String(), b.String())
	}
	assert.NotEqual(t, Swarm(testRNG(1), 5), Swarm(testRNG(2), 5))
}

func TestSwarmProfilesAreValidAndVaried(t *testing.T) {
	seen := map[string]int{}
	budgets := map[int]bool{}
	distinct := map[string]bool{}
	for _, nodes := range []int{1, 2, 3, 5, 7} {
		for seed := uint64(1); seed <= 200; seed++ {
			p := Swarm(testRNG(seed), nodes)
			c := p.Config()
			require.NoError(t, c.Validate(), "n=%d seed=%d: %s", nodes, seed, p)
			require.NotEmpty(t, c.Faults)
			for _, name := range c.Faults {
				info := Catalog()[indexOf(name)]
				require.LessOrEqual(t, info.MinNodes, nodes, "%s chosen for %d nodes", name, nodes)
				if nodes == 5 {
					seen[name]++
				}
			}
			nm, err := New(c, newFake(t, nodes), testRNG(seed))
			require.NoError(t, err, "n=%d seed=%d: %s", nodes, seed, p)
			require.Empty(t, nm.Skipped())
			if nodes == 5 {
				budgets[nm.Budget()] = true
				distinct[p.String()] = true
			}
		}
	}
	for _, info := range Catalog() {
		assert.Positive(t, seen[info.Name], "%s never chosen over 200 seeds", info.Name)
		assert.Less(t, seen[info.Name], 200, "%s always chosen", info.Name)
	}
	assert.Len(t, budgets, 3, "budgets 1, 2 (minority) and 3 (majority) all occur")
	assert.Len(t, distinct, 200)
}

func TestProfileRoundTripsThroughJSON(t *testing.T) {
	p := Swarm(testRNG(9), 5)
	b, err := json.Marshal(p)
	require.NoError(t, err)
	var back Profile
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, p, back)
	cb, err := json.Marshal(p.Config())
	require.NoError(t, err)
	assert.JSONEq(t, string(b), string(cb), "a profile stores exactly like its config")
}

func TestProfileStringShowsOnlyRelevantIntensities(t *testing.T) {
	p := Profile{Faults: []string{"flaky"}, Interval: 2 * Second, Jitter: 0.5, MaxActive: 1, MaxCrashed: BudgetMajority,
		Intensity: Intensity{Loss: 0.125, ClockSkew: Second}}
	s := p.String()
	assert.Equal(t, "faults=flaky interval=2s jitter=0.50 max-active=1 max-crashed=majority loss=0.125", s)
}

func TestSwarmProfileRunsAndHeals(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		p := Swarm(testRNG(seed), 5)
		fc, nm := runAll(t, 5, p.Config(), seed, 60*Second, nil)
		fc.requireHealthy(t)
		requirePaired(t, fc.events)
		assert.Empty(t, nm.Active(), "seed %d: %s", seed, p)
		assert.Empty(t, nm.Anomalies(), "seed %d", seed)
	}
}
