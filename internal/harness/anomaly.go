package harness

import (
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/checker/report"
)

// ActiveFaults turns fault windows into what an anomaly's explanation says
// of them: the fault, its window, the nodes it acted on (its targets and,
// for a partition, every node on a side) and a partition's sides. Live runs
// use it too.
func ActiveFaults(faults []report.FaultWindow, nodes []int) []checker.ActiveFault {
	out := make([]checker.ActiveFault, 0, len(faults))
	for i := range faults {
		f := &faults[i]
		sides := report.FaultSides(nodes, f)
		acted := slices.Clone(f.Targets)
		for _, s := range sides {
			acted = append(acted, s...)
		}
		slices.Sort(acted)
		out = append(out, checker.ActiveFault{Fault: f.Fault, Start: f.Start, End: f.End, Nodes: slices.Compact(acted), Sides: sides})
	}
	return out
}
