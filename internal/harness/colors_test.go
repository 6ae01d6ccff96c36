package harness

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/checker/report"
	"github.com/raftcheck/raftcheck/nemesis"
)

// TestEveryFaultHasItsColour: the reports colour each fault of the catalog
// the same in every run, and no two faults alike.
func TestEveryFaultHasItsColour(t *testing.T) {
	seen := map[string]string{}
	for _, f := range nemesis.Catalog() {
		c, fixed := report.FaultColor(f.Name)
		assert.True(t, fixed, "fault %s has no colour of its own in checker/report/faultcolors.go", f.Name)
		if other, dup := seen[c]; dup {
			t.Errorf("faults %s and %s share the colour %s", other, f.Name, c)
		}
		seen[c] = f.Name
	}
}
