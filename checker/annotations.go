package checker

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/histories"
)

// Annotation colours: faults in red, crashes in grey, elections in blue.
const (
	colorFault  = "#f4cccc"
	colorCrash  = "#cccccc"
	colorLeader = "#c9daf8"
)

// NemesisAnnotations turns the nemesis ops of h into annotations for
// [LinResult.WriteHTML]: each start-<fault> … stop-<fault> pair becomes a
// window (a start never stopped runs to the end of the history), any other
// nemesis op an instant. Times are those the checks order ops by (see
// orderTimes), so the windows line up with the operations.
func NemesisAnnotations(h histories.History) []Annotation {
	at := orderTimes(h)
	end := int64(0)
	if len(h) > 0 {
		end = at(len(h) - 1)
	}
	var out []Annotation
	open := make(map[string]int) // fault → index in out of its open window
	for i := range h {
		op := &h[i]
		if op.Process != histories.NemesisProcess {
			continue
		}
		switch {
		case strings.HasPrefix(op.F, "start-"):
			fault := strings.TrimPrefix(op.F, "start-")
			open[fault] = len(out)
			out = append(out, Annotation{Start: at(i), End: end, Tag: "nemesis", Label: fault,
				Details: nemesisDetails(fault, op.Value, fmt.Sprintf("history #%d, still active at the end", i)), Color: colorFault})
		case strings.HasPrefix(op.F, "stop-"):
			fault := strings.TrimPrefix(op.F, "stop-")
			k, ok := open[fault]
			if !ok {
				out = append(out, Annotation{Start: at(i), End: at(i), Tag: "nemesis", Label: op.F, Details: nemesisDetails(op.F, op.Value, HistoryRef(i))})
				continue
			}
			delete(open, fault)
			a := &out[k]
			a.End = at(i)
			a.Details = strings.Replace(a.Details, "still active at the end", fmt.Sprintf("until history #%d", i), 1)
		default:
			out = append(out, Annotation{Start: at(i), End: at(i), Tag: "nemesis", Label: op.F, Details: nemesisDetails(op.F, op.Value, HistoryRef(i))})
		}
	}
	return out
}

// nemesisDetails is an annotation's tooltip: "<what> <value> (<where>)",
// without the value when the op has none.
func nemesisDetails(what string, value any, where string) string {
	if value == nil {
		return fmt.Sprintf("%s (%s)", what, where)
	}
	return fmt.Sprintf("%s %v (%s)", what, value, where)
}

// RoleAnnotations marks, in one row per node, every time the node became
// leader and every window during which it was crashed (until its next role
// change, or until end).
func RoleAnnotations(tl *RoleTimeline, end int64) []Annotation {
	if tl == nil {
		return nil
	}
	var out []Annotation
	for _, n := range tl.Nodes() {
		tag := fmt.Sprintf("node %d", n)
		cs := tl.Changes(n)
		for i, c := range cs {
			switch c.Role {
			case RoleLeader:
				out = append(out, Annotation{Start: c.Time, End: c.Time, Tag: tag, Label: fmt.Sprintf("leader t%d", c.Term),
					Details: fmt.Sprintf("node %d became leader of term %d", n, c.Term), Color: colorLeader})
			case RoleCrashed:
				stop := end
				if i+1 < len(cs) {
					stop = cs[i+1].Time
				}
				out = append(out, Annotation{Start: c.Time, End: max(stop, c.Time), Tag: tag, Label: "crashed",
					Details: fmt.Sprintf("node %d down from %v to %v", n, durationOf(c.Time), durationOf(stop)), Color: colorCrash})
			}
		}
	}
	return out
}
