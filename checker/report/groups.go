package report

import "slices"

// partitionGroups derives, from a partition's blocked directed links, the
// groups of nodes that still talk among themselves: the connected
// components of the nodes over links open in both directions. It returns
// nil unless that describes the partition exactly, i.e. every pair inside a
// group is open both ways (a majorities ring or a bridge has no such
// groups) and there are at least two groups. Nodes are numbered by id;
// groups come sorted by their smallest id, ids ascending within a group.
func partitionGroups(nodes []int, links [][2]int) [][]int {
	if len(links) == 0 || len(nodes) < 2 {
		return nil
	}
	ids := slices.Clone(nodes)
	slices.Sort(ids)
	pos := func(id int) int { i, _ := slices.BinarySearch(ids, id); return i }
	n := len(ids)
	blocked := make([]bool, n*n) // [from*n+to]
	for _, l := range links {
		a, b := pos(l[0]), pos(l[1])
		if a < n && b < n && ids[a] == l[0] && ids[b] == l[1] {
			blocked[a*n+b] = true
		}
	}
	open := func(a, b int) bool { return !blocked[a*n+b] && !blocked[b*n+a] }
	comp := make([]int, n)
	for i := range comp {
		comp[i] = -1
	}
	var groups [][]int
	for s := 0; s < n; s++ {
		if comp[s] >= 0 {
			continue
		}
		g := len(groups)
		comp[s] = g
		members := []int{s}
		for q := 0; q < len(members); q++ { // bounded: each node joins once
			for o := 0; o < n; o++ {
				if comp[o] < 0 && open(members[q], o) {
					comp[o] = g
					members = append(members, o)
				}
			}
		}
		slices.Sort(members)
		group := make([]int, len(members))
		for i, m := range members {
			group[i] = ids[m]
		}
		groups = append(groups, group)
		for i, a := range members {
			for _, b := range members[i+1:] {
				if !open(a, b) {
					return nil // not transitive: no clean groups
				}
			}
		}
	}
	if len(groups) < 2 {
		return nil
	}
	return groups
}

// FaultSides is a partition's sides: the window's own groups, or the groups
// of nodes its blocked links leave talking among themselves (nil when it cut
// no link).
func FaultSides(nodes []int, f *FaultWindow) [][]int {
	if len(f.Groups) > 0 {
		return f.Groups
	}
	return partitionGroups(nodes, f.Links)
}
