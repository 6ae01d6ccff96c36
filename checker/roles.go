package checker

import (
	"fmt"
	"sort"
)

// Role names in a [RoleTimeline]: raft's roles as their String() spells them,
// plus RoleCrashed for a node that is down.
const (
	RoleFollower     = "follower"
	RolePreCandidate = "precandidate"
	RoleCandidate    = "candidate"
	RoleLeader       = "leader"
	RoleCrashed      = "crashed"
)

// MaxNode bounds node ids, which index slices here.
const MaxNode = 1 << 12

// RoleChange is one entry of a node's role history.
type RoleChange struct {
	Time int64  `json:"time"`
	Node int    `json:"node"`
	Role string `json:"role"`
	Term uint64 `json:"term"`
}

// RoleTimeline is every node's role and term over time, for explaining
// violations and checking liveness. The zero value is empty and ready.
type RoleTimeline struct {
	byNode [][]RoleChange // node id → changes in time order
}

// NewRoleTimeline returns an empty timeline.
func NewRoleTimeline() *RoleTimeline { return &RoleTimeline{} }

func validRole(role string) bool {
	switch role {
	case RoleFollower, RolePreCandidate, RoleCandidate, RoleLeader, RoleCrashed:
		return true
	}
	return false
}

// Add records that node took role in term at time t. Changes of one node
// must come in time order; a change at the same time as the previous one
// supersedes it for lookups.
func (tl *RoleTimeline) Add(t int64, node int, role string, term uint64) error {
	if node < 0 || node >= MaxNode {
		return fmt.Errorf("role change at %d: node %d out of range [0, %d)", t, node, MaxNode)
	}
	if !validRole(role) {
		return fmt.Errorf("role change at %d: node %d: unknown role %q", t, node, role)
	}
	for len(tl.byNode) <= node {
		tl.byNode = append(tl.byNode, nil)
	}
	cs := tl.byNode[node]
	if n := len(cs); n > 0 && t < cs[n-1].Time {
		return fmt.Errorf("role change at %d: node %d: before its previous change at %d", t, node, cs[n-1].Time)
	}
	tl.byNode[node] = append(cs, RoleChange{Time: t, Node: node, Role: role, Term: term})
	return nil
}

// Nodes returns the ids of nodes with at least one change, ascending.
func (tl *RoleTimeline) Nodes() []int {
	var ns []int
	for n, cs := range tl.byNode {
		if len(cs) > 0 {
			ns = append(ns, n)
		}
	}
	return ns
}

// Changes returns node's changes in time order. The slice must not be
// modified.
func (tl *RoleTimeline) Changes(node int) []RoleChange {
	if node < 0 || node >= len(tl.byNode) {
		return nil
	}
	return tl.byNode[node]
}

// RoleAt returns node's role and term at time t (the last change at or
// before t); ok is false when the node has no change by then.
func (tl *RoleTimeline) RoleAt(node int, t int64) (role string, term uint64, ok bool) {
	cs := tl.Changes(node)
	i := sort.Search(len(cs), func(i int) bool { return cs[i].Time > t })
	if i == 0 {
		return "", 0, false
	}
	c := cs[i-1]
	return c.Role, c.Term, true
}

// LeaderAt returns, among the nodes that were leader at time t, the one of
// the highest term (the lowest id on a tie); ok is false when none was.
func (tl *RoleTimeline) LeaderAt(t int64) (node int, term uint64, ok bool) {
	for n := range tl.byNode {
		role, tm, found := tl.RoleAt(n, t)
		if found && role == RoleLeader && (!ok || tm > term) {
			node, term, ok = n, tm, true
		}
	}
	return node, term, ok
}

// FirstLeaderFrom returns the first time at or after t at which some node
// was leader, with that node and its term.
func (tl *RoleTimeline) FirstLeaderFrom(t int64) (at int64, node int, term uint64, ok bool) {
	if n, tm, found := tl.LeaderAt(t); found {
		return t, n, tm, true
	}
	for n, cs := range tl.byNode {
		i := sort.Search(len(cs), func(i int) bool { return cs[i].Time > t })
		for ; i < len(cs); i++ {
			c := cs[i]
			if c.Role != RoleLeader {
				continue
			}
			// A later change at the same instant supersedes this one.
			if i+1 < len(cs) && cs[i+1].Time == c.Time {
				continue
			}
			if !ok || c.Time < at || (c.Time == at && c.Term > term) {
				at, node, term, ok = c.Time, n, c.Term, true
			}
			break
		}
	}
	return at, node, term, ok
}
