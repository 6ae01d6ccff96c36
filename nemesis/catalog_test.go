package nemesis

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// issueFaults is the fault list of issue 5, by category.
var issueFaults = map[string][]string{
	CategoryPartition: {"partition-halves", "partition-random-halves", "partition-isolate-one", "partition-isolate-leader",
		"partition-leader-minority", "partition-majorities-ring", "partition-bridge", "partition-one-way"},
	CategoryProcess:    {"crash-random", "crash-leader", "crash-majority", "crash-all", "rolling-restart", "pause-random", "pause-leader"},
	CategoryNetwork:    {"flaky", "duplicate", "delay", "reorder", "slow-link"},
	CategoryClock:      {"clock-skew", "clock-drift", "clock-bump", "clock-strobe"},
	CategoryDisk:       {"lose-unsynced", "torn-write", "slow-fsync", "corrupt"},
	CategoryMembership: {"member-churn"},
}

func TestCatalogHasEveryFaultOfTheIssue(t *testing.T) {
	cat := Catalog()
	byName := map[string]FaultInfo{}
	for _, f := range cat {
		_, dup := byName[f.Name]
		require.False(t, dup, "duplicate %s", f.Name)
		byName[f.Name] = f
		assert.NotEmpty(t, f.Description, f.Name)
		assert.NotContains(t, f.Description, "\n", f.Name)
		assert.True(t, isCategory(f.Category), "%s: category %q", f.Name, f.Category)
		assert.GreaterOrEqual(t, f.MinNodes, 1)
	}
	total := 0
	for category, names := range issueFaults {
		for _, name := range names {
			f, ok := byName[name]
			require.True(t, ok, "missing %s", name)
			assert.Equal(t, category, f.Category, name)
			total++
		}
	}
	assert.Len(t, cat, total, "faults beyond the issue's list")
	cat[0].Name = "changed"
	assert.NotEqual(t, "changed", Catalog()[0].Name, "Catalog returns a copy")
}

func TestParseFaults(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"none", nil},
		{"crash-leader", []string{"crash-leader"}},
		{" Flaky , crash_leader ", []string{"crash-leader", "flaky"}}, // catalog order, normalized
		{"flaky,flaky", []string{"flaky"}},
		{"clock", issueFaults[CategoryClock]},
		{"disk,member-churn", append(append([]string{}, issueFaults[CategoryDisk]...), "member-churn")},
	}
	for _, tc := range tests {
		got, err := ParseFaults(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	all, err := ParseFaults("all")
	require.NoError(t, err)
	assert.Len(t, all, len(Catalog()))
	both, err := ParseFaults("all,flaky")
	require.NoError(t, err)
	assert.Equal(t, all, both)
}

func TestParseFaultsErrors(t *testing.T) {
	_, err := ParseFaults("flaky,partition-everything")
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrUnknownFault))
	assert.Contains(t, err.Error(), `"partition-everything"`)

	_, err = ParseFaults("flaky,,delay")
	require.ErrorContains(t, err, "item 2 is empty")
}
