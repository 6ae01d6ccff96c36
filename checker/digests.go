package checker

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// ReplicaDigest is one live replica's state-machine digest at the end of a
// run, with the index it had applied up to.
type ReplicaDigest struct {
	Node    int
	Applied uint64
	Digest  uint64
}

// CheckDigests compares the digests of replicas that applied up to the same
// index: they must be equal. Each group that disagrees is one problem
// naming which nodes hold which digest. Replicas at different indices are
// not comparable; pass digests taken once the replicas have converged.
func CheckDigests(ds []ReplicaDigest) []Problem {
	groups := make(map[uint64][]ReplicaDigest)
	for _, d := range ds {
		groups[d.Applied] = append(groups[d.Applied], d)
	}
	var out []Problem
	for _, idx := range slices.Sorted(maps.Keys(groups)) {
		g := groups[idx]
		byDigest := make(map[uint64][]int)
		for _, d := range g {
			byDigest[d.Digest] = append(byDigest[d.Digest], d.Node)
		}
		if len(byDigest) < 2 {
			continue
		}
		digests := make([]uint64, 0, len(byDigest))
		for d := range byDigest {
			sort.Ints(byDigest[d])
			digests = append(digests, d)
		}
		// Largest group first: the majority is the likelier truth.
		sort.Slice(digests, func(a, b int) bool {
			x, y := byDigest[digests[a]], byDigest[digests[b]]
			if len(x) != len(y) {
				return len(x) > len(y)
			}
			return x[0] < y[0]
		})
		var parts []string
		var nodes []int
		for _, d := range digests {
			parts = append(parts, fmt.Sprintf("%s %#x", nodeList(byDigest[d]), d))
			nodes = append(nodes, byDigest[d]...)
		}
		sort.Ints(nodes)
		out = append(out, Problem{Check: CheckDigest, Nodes: nodes,
			Detail: fmt.Sprintf("replicas that applied up to index %d differ: %s", idx, strings.Join(parts, "; "))})
	}
	return out
}

func nodeList(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = fmt.Sprint(n)
	}
	if len(ns) == 1 {
		return "node " + s[0] + " has"
	}
	return "nodes " + strings.Join(s, ", ") + " have"
}
