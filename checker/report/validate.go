package report

import (
	"errors"
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/histories"
)

// maxNodes bounds the node lanes; far above any cluster we simulate, low
// enough that a garbage id cannot make us allocate a huge lookup table.
const maxNodes = 1024

// Validate reports the first field of r that the reports cannot render,
// naming it (e.g. "Run.NodeEvents[12].Node: 9 is not in Run.Nodes").
func (r *Run) Validate() error {
	_, err := r.validate()
	return err
}

// validate is Validate, returning the node index it builds on success.
func (r *Run) validate() (nodeIndex, error) {
	if r == nil {
		return nodeIndex{}, errors.New("report: nil Run")
	}
	if r.End < r.Start {
		return nodeIndex{}, fmt.Errorf("report: Run.End %d is before Run.Start %d", r.End, r.Start)
	}
	if len(r.Nodes) == 0 {
		return nodeIndex{}, errors.New("report: Run.Nodes is empty")
	}
	if len(r.Nodes) > maxNodes {
		return nodeIndex{}, fmt.Errorf("report: Run.Nodes has %d nodes, more than %d", len(r.Nodes), maxNodes)
	}
	if r.Threads < 0 {
		return nodeIndex{}, fmt.Errorf("report: Run.Threads is negative (%d)", r.Threads)
	}
	if r.MessageCap < 0 {
		return nodeIndex{}, fmt.Errorf("report: Run.MessageCap is negative (%d)", r.MessageCap)
	}
	ix, err := newNodeIndex(r.Nodes)
	if err != nil {
		return nodeIndex{}, err
	}
	if r.Leader != 0 && ix.lane(r.Leader) < 0 {
		return nodeIndex{}, fmt.Errorf("report: Run.Leader: %d is not in Run.Nodes", r.Leader)
	}
	for i, ev := range r.NodeEvents {
		if err := validateNodeEvent(ix, ev); err != nil {
			return nodeIndex{}, fmt.Errorf("report: Run.NodeEvents[%d]%w", i, err)
		}
		if ev.Time < r.Start || ev.Time > r.End {
			return nodeIndex{}, fmt.Errorf("report: Run.NodeEvents[%d].Time %d is outside [Run.Start, Run.End] = [%d, %d]", i, ev.Time, r.Start, r.End)
		}
	}
	for i := range r.History {
		if t := r.History[i].Time; t < r.Start || t > r.End {
			return nodeIndex{}, fmt.Errorf("report: Run.History[%d].Time %d is outside [Run.Start, Run.End] = [%d, %d]", i, t, r.Start, r.End)
		}
	}
	if err := validateCounterexample(r); err != nil {
		return nodeIndex{}, err
	}
	for i, f := range r.Faults {
		if err := validateFault(ix, f); err != nil {
			return nodeIndex{}, fmt.Errorf("report: Run.Faults[%d]%w", i, err)
		}
	}
	for i, m := range r.Messages {
		if err := validateMessage(ix, m); err != nil {
			return nodeIndex{}, fmt.Errorf("report: Run.Messages[%d]%w", i, err)
		}
	}
	return ix, nil
}

func validateNodeEvent(ix nodeIndex, ev NodeEvent) error {
	if ix.lane(ev.Node) < 0 {
		return fmt.Errorf(".Node: %d is not in Run.Nodes", ev.Node)
	}
	if ev.Kind < EventRole || ev.Kind > EventDown {
		return fmt.Errorf(".Kind: unknown kind %d", ev.Kind)
	}
	if ev.Kind == EventRole && roleCode(ev.Role) < 0 {
		return fmt.Errorf(".Role: unknown role %q (want follower, precandidate, candidate or leader)", ev.Role)
	}
	return nil
}

// validateCounterexample checks that every operation it names is a client
// invoke of the history and that the explanation has one sentence per
// operation (or none).
func validateCounterexample(r *Run) error {
	c := r.Counterexample
	if c == nil {
		return nil
	}
	for j, pos := range c.Ops {
		if pos < 0 || pos >= len(r.History) {
			return fmt.Errorf("report: Run.Counterexample.Ops[%d]: %d is not a position in Run.History (%d ops)", j, pos, len(r.History))
		}
		op := &r.History[pos]
		if op.Process == histories.NemesisProcess || op.Type != histories.Invoke {
			return fmt.Errorf("report: Run.Counterexample.Ops[%d]: Run.History[%d] is not a client invoke", j, pos)
		}
	}
	if c.Culprit >= 0 && !slices.Contains(c.Ops, c.Culprit) {
		return fmt.Errorf("report: Run.Counterexample.Culprit: %d is not one of its Ops", c.Culprit)
	}
	if len(c.Explain) != 0 && len(c.Explain) != len(c.Ops) {
		return fmt.Errorf("report: Run.Counterexample.Explain has %d sentences for %d ops", len(c.Explain), len(c.Ops))
	}
	if a := c.Anomaly; a != nil {
		for j, d := range a.Decisive {
			if d.Op < 0 || d.Op >= len(r.History) || r.History[d.Op].Process == histories.NemesisProcess || r.History[d.Op].Type != histories.Invoke {
				return fmt.Errorf("report: Run.Counterexample.Anomaly.Decisive[%d].Op: %d is not a client invoke of Run.History", j, d.Op)
			}
		}
	}
	return nil
}

func validateFault(ix nodeIndex, f FaultWindow) error {
	if f.End < f.Start {
		return fmt.Errorf(".End %d is before .Start %d", f.End, f.Start)
	}
	for j, n := range f.Targets {
		if ix.lane(n) < 0 {
			return fmt.Errorf(".Targets[%d]: %d is not in Run.Nodes", j, n)
		}
	}
	for j, l := range f.Links {
		for _, n := range l {
			if ix.lane(n) < 0 {
				return fmt.Errorf(".Links[%d]: %d is not in Run.Nodes", j, n)
			}
		}
	}
	for j, g := range f.Groups {
		for _, n := range g {
			if ix.lane(n) < 0 {
				return fmt.Errorf(".Groups[%d]: %d is not in Run.Nodes", j, n)
			}
		}
	}
	return nil
}

func validateMessage(ix nodeIndex, m Message) error {
	if ix.lane(m.From) < 0 {
		return fmt.Errorf(".From: %d is not in Run.Nodes", m.From)
	}
	if ix.lane(m.To) < 0 {
		return fmt.Errorf(".To: %d is not in Run.Nodes", m.To)
	}
	if m.Delivered < m.Sent && !(m.Dropped && m.Delivered == 0) {
		return fmt.Errorf(".Delivered %d is before .Sent %d", m.Delivered, m.Sent)
	}
	return nil
}

// nodeIndex maps a node id to its lane (position in Run.Nodes).
type nodeIndex struct {
	ids   []int // sorted
	lanes []int // lanes[i] is the lane of ids[i]
}

func newNodeIndex(nodes []int) (nodeIndex, error) {
	ix := nodeIndex{ids: make([]int, len(nodes)), lanes: make([]int, len(nodes))}
	for i, n := range nodes {
		if n <= 0 {
			return nodeIndex{}, fmt.Errorf("report: Run.Nodes[%d]: node id %d is not positive", i, n)
		}
	}
	order := make([]int, len(nodes))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return nodes[a] - nodes[b] })
	for i, o := range order {
		ix.ids[i] = nodes[o]
		ix.lanes[i] = o
		if i > 0 && ix.ids[i] == ix.ids[i-1] {
			return nodeIndex{}, fmt.Errorf("report: Run.Nodes[%d]: node id %d appears twice", o, nodes[o])
		}
	}
	return ix, nil
}

// lane returns the lane of node id, or -1 if it is not a node of the run.
func (ix nodeIndex) lane(id int) int {
	i, ok := slices.BinarySearch(ix.ids, id)
	if !ok {
		return -1
	}
	return ix.lanes[i]
}

// roleCode maps a role name to its code on the page, or -1.
func roleCode(role string) int {
	switch role {
	case RoleFollower:
		return stateFollower
	case RolePreCandidate:
		return statePreCandidate
	case RoleCandidate:
		return stateCandidate
	case RoleLeader:
		return stateLeader
	}
	return -1
}

// Node states as drawn on the timeline; the page's JavaScript uses the same
// numbers.
const (
	stateFollower = iota
	statePreCandidate
	stateCandidate
	stateLeader
	stateCrashed
	stateDown
)
