package nemesis

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScenariosOfTheIssueExist(t *testing.T) {
	want := []string{"leader_failure", "rolling_failures", "split_brain", "network_partition", "flaky_network",
		"clock_chaos", "disk_faults", "membership_churn", "kitchen_sink", DefaultScenario}
	var got []string
	for _, s := range Scenarios() {
		got = append(got, s.Name)
		assert.NotEmpty(t, s.Description, s.Name)
		assert.NotEmpty(t, s.Config.Faults, s.Name)
		assert.NotEmpty(t, s.String(), s.Name)
		require.NoError(t, s.Config.Validate(), s.Name)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, DefaultScenario, got[len(got)-1])
}

func TestScenarioLookup(t *testing.T) {
	c, err := Scenario("split-brain")
	require.NoError(t, err)
	assert.Contains(t, c.Faults, "partition-leader-minority")
	c.Faults[0] = "changed"
	again, err := Scenario("SPLIT_BRAIN")
	require.NoError(t, err)
	assert.NotEqual(t, "changed", again.Faults[0], "Scenario returns a copy")

	_, err = Scenario("armageddon")
	require.ErrorContains(t, err, `"armageddon"`)
	require.ErrorContains(t, err, "kitchen_sink", "the error lists the known names")
}

// Every scenario runs to its end on 3-, 5- and 7-node clusters, stays within
// its budget, and heals to a clean cluster; the same seed repeats it exactly.
func TestEveryScenarioRunsAndHeals(t *testing.T) {
	for _, s := range Scenarios() {
		for _, nodes := range []int{3, 5, 7} {
			t.Run(fmt.Sprintf("%s/n=%d", s.Name, nodes), func(t *testing.T) {
				nm := newNemesis(t, newFake(t, nodes), s.Config, 1)
				limit := nm.Budget()
				check := func(fc *fakeCluster, nm *Nemesis) {
					active := fc.activeFaults()
					if !slices.Contains(active, "crash-all") {
						require.LessOrEqual(t, fc.down(), limit, "t=%d active=%v", fc.now, active)
					}
				}
				var runs [2][]recorded
				for i := range runs {
					fc, nm := runAll(t, nodes, s.Config, 7, 120*Second, check)
					require.NotEmpty(t, fc.events)
					fc.requireHealthy(t)
					requirePaired(t, fc.events)
					require.Empty(t, nm.Active())
					require.Empty(t, nm.Anomalies())
					runs[i] = fc.events
				}
				require.Equal(t, runs[0], runs[1], "same seed, different schedule")
			})
		}
	}
}
