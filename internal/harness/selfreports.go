package harness

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
)

// selfReport is one safety assertion a node reported of itself
// (kvstore.Observer.Anomaly), as the observer kept it.
type selfReport struct {
	node int
	term uint64
	at   int64
	text string // the error, without a repeat of the node and term
}

// The parts of a report that differ between reports of the same breach:
// numbers (nodes, terms, indexes) and the message type that carried it.
var (
	reportNumbers  = regexp.MustCompile(`[0-9]+`)
	reportMsgTypes = regexp.MustCompile(`\bMsg[A-Za-z]+`)
)

// reportShape is what reports of one breach share.
func reportShape(text string) string {
	return reportNumbers.ReplaceAllString(reportMsgTypes.ReplaceAllString(text, "Msg…"), "#")
}

// groupSelfReports turns the reports kept (in time order; total counts all
// made, kept or not) into one problem per shape: the first report in full,
// then how many more there were and from which nodes. A cluster that breaks
// election safety has every node assert it on every message from the other
// leader: dozens of lines that say one thing.
func groupSelfReports(reports []selfReport, total int) []checker.Problem {
	type group struct {
		first  selfReport
		count  int
		nodes  []int
		detail string
	}
	var groups []*group
	byShape := make(map[string]*group)
	for _, r := range reports {
		shape := reportShape(r.text)
		g, ok := byShape[shape]
		if !ok {
			g = &group{first: r}
			byShape[shape] = g
			groups = append(groups, g)
		}
		g.count++
		if !slices.Contains(g.nodes, r.node) {
			g.nodes = append(g.nodes, r.node)
		}
	}
	unkept := total - len(reports)
	out := make([]checker.Problem, 0, len(groups))
	for i, g := range groups {
		slices.Sort(g.nodes)
		d := fmt.Sprintf("node %d (term %d) at %v: %s", g.first.node, g.first.term, time.Duration(g.first.at), g.first.text)
		if g.count > 1 {
			d += fmt.Sprintf(" [reported %d times by %s]", g.count, nodesText(g.nodes))
		}
		if i == len(groups)-1 && unkept > 0 {
			d += fmt.Sprintf(" [and %d more %s not kept]", unkept, plural(unkept, "report"))
		}
		out = append(out, checker.Problem{Check: checker.CheckSelfReport, Nodes: g.nodes, Detail: d})
	}
	return out
}

// trimNodeTerm drops a leading "node N term T: " that repeats what the
// report is filed under (kvstore wraps its errors so).
func trimNodeTerm(text string, node int, term uint64) string {
	return strings.TrimPrefix(text, "node "+strconv.Itoa(node)+" term "+strconv.FormatUint(term, 10)+": ")
}

func nodesText(ns []int) string {
	if len(ns) == 1 {
		return "node " + strconv.Itoa(ns[0])
	}
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return "nodes " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
