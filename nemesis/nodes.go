package nemesis

import (
	"fmt"
	"slices"
)

// pos returns node's position in n.nodes.
func (n *Nemesis) pos(node int) int {
	i, ok := slices.BinarySearch(n.nodes, node)
	if !ok {
		// Nodes come only from n.nodes or from Faults.Leader/Members; an id
		// outside the cluster there is a broken Faults implementation.
		panic(fmt.Sprintf("nemesis: node %d is not in the cluster %v", node, n.nodes))
	}
	return i
}

// members returns the current voters (into a reused buffer). A node it does
// not list has no removal in flight any more: the removal took effect.
func (n *Nemesis) members() []int {
	n.membersBuf = append(n.membersBuf[:0], n.f.Members()...)
	for i, node := range n.nodes {
		if n.removing[i] && !slices.Contains(n.membersBuf, node) {
			n.removing[i] = false
		}
	}
	return n.membersBuf
}

// proposedRemoval notes that a removal of node was proposed: until Members
// stops listing it, the node's membership is uncertain.
func (n *Nemesis) proposedRemoval(node int) { n.removing[n.pos(node)] = true }

// isDown reports whether node counts against the budget: held by a fault,
// crashed, paused, out of the membership, with a removal in flight that may
// still take it out, or under a membership repair (its membership is in
// flux until the repair ends).
func (n *Nemesis) isDown(i int, members []int) bool {
	node := n.nodes[i]
	return n.holder[i] != nil || n.removing[i] || !n.f.Alive(node) || n.f.Paused(node) ||
		!slices.Contains(members, node) || n.hasTask(node)
}

// down counts the nodes that are down: crashed, paused, held by a fault or
// out of the membership.
func (n *Nemesis) down() int {
	members := n.members()
	c := 0
	for i := range n.nodes {
		if n.isDown(i, members) {
			c++
		}
	}
	return c
}

// room returns how many more nodes may go down within the budget.
func (n *Nemesis) room() int { return max(n.budget-n.down(), 0) }

// healthy returns the nodes a fault may take down: up, unpaused, members,
// held by nothing. The slice is reused by the next call.
func (n *Nemesis) healthy() []int {
	members := n.members()
	n.scratch = n.scratch[:0]
	for i, node := range n.nodes {
		if !n.isDown(i, members) {
			n.scratch = append(n.scratch, node)
		}
	}
	return n.scratch
}

// pick returns k distinct random elements of from, sorted. from is reordered.
func (n *Nemesis) pick(from []int, k int) []int {
	k = min(k, len(from))
	for i := 0; i < k; i++ {
		j := i + n.rng.IntN(len(from)-i)
		from[i], from[j] = from[j], from[i]
	}
	return sortedCopy(from[:k])
}

// shuffled returns a random permutation of the cluster's nodes.
func (n *Nemesis) shuffled() []int {
	out := slices.Clone(n.nodes)
	n.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// leaderOr returns the current leader if it is healthy, else a random healthy
// node; fallback tells which. ok is false when no node is healthy.
func (n *Nemesis) leaderOr() (node int, fallback, ok bool) {
	h := n.healthy()
	if l := n.f.Leader(); l != 0 && slices.Contains(h, l) {
		return l, false, true
	}
	if len(h) == 0 {
		return 0, false, false
	}
	return h[n.rng.IntN(len(h))], true, true
}

// hold marks node as held down by fl.
func (n *Nemesis) hold(fl *fault, node int) { n.holder[n.pos(node)] = fl }

// sortedCopy returns a sorted copy of s.
func sortedCopy(s []int) []int {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// nodeSet formats nodes as {1,2,3}.
func nodeSet(nodes []int) string {
	b := []byte{'{'}
	for i, v := range nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, "%d", v)
	}
	return string(append(b, '}'))
}

// complement returns the cluster's nodes not in s, sorted.
func (n *Nemesis) complement(s []int) []int {
	var out []int
	for _, v := range n.nodes {
		if !slices.Contains(s, v) {
			out = append(out, v)
		}
	}
	return out
}
