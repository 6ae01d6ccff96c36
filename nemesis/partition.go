package nemesis

import (
	"fmt"
	"slices"
)

// Partitions block directed links. Every partition leaves some node able to
// exchange messages with a majority (itself included), so a leader can still
// be elected; partition-one-way and the leader's side of leader-minority are
// deliberately lopsided, never majority-free.

// startPartition blocks the links of fl's partition.
func (n *Nemesis) startPartition(fl *fault) (Event, bool) {
	size := len(n.nodes)
	minority := (size - 1) / 2 // the largest side that is not a majority
	switch fl.kind {
	case kindHalves:
		a, b := n.nodes[:minority], n.nodes[minority:]
		n.cut(fl, a, b)
		return Event{Targets: a, Detail: fmt.Sprintf("cut %s from %s", nodeSet(a), nodeSet(b))}, true

	case kindRandomHalves:
		p := n.shuffled()
		a, b := sortedCopy(p[:minority]), sortedCopy(p[minority:])
		n.cut(fl, a, b)
		return Event{Targets: a, Detail: fmt.Sprintf("cut %s from %s", nodeSet(a), nodeSet(b))}, true

	case kindIsolateOne:
		x := n.nodes[n.rng.IntN(size)]
		rest := n.complement([]int{x})
		n.cut(fl, []int{x}, rest)
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("isolated %d from %s", x, nodeSet(rest))}, true

	case kindIsolateLeader:
		x, note := n.partitionLeader()
		rest := n.complement([]int{x})
		n.cut(fl, []int{x}, rest)
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("isolated %s %d from %s", note, x, nodeSet(rest))}, true

	case kindLeaderMinority:
		l, note := n.partitionLeader()
		others := n.complement([]int{l})
		n.rng.Shuffle(len(others), func(i, j int) { others[i], others[j] = others[j], others[i] })
		a := sortedCopy(append([]int{l}, others[:minority-1]...))
		b := n.complement(a)
		n.cut(fl, a, b)
		return Event{Targets: a, Detail: fmt.Sprintf("cut %s %d with %s from %s", note, l, nodeSet(without(a, l)), nodeSet(b))}, true

	case kindMajoritiesRing:
		ring := n.shuffled()
		d := n.ringReach()
		for i := range ring {
			for j := range ring {
				if i != j && ringDistance(i, j, size) > d {
					n.block(fl, ring[i], ring[j])
				}
			}
		}
		return Event{Targets: slices.Clone(n.nodes), Detail: fmt.Sprintf("ring %v: each node sees the %d nearest on each side", ring, d)}, true

	case kindBridge:
		p := n.shuffled()
		bridge, rest := p[0], p[1:]
		a, b := sortedCopy(rest[:len(rest)/2]), sortedCopy(rest[len(rest)/2:])
		n.cut(fl, a, b)
		return Event{Targets: []int{bridge}, Detail: fmt.Sprintf("bridge %d joins %s and %s, which cannot see each other", bridge, nodeSet(a), nodeSet(b))}, true

	case kindOneWay:
		x := n.nodes[n.rng.IntN(size)]
		rest := n.complement([]int{x})
		if n.rng.IntN(2) == 0 {
			for _, y := range rest {
				n.block(fl, y, x)
			}
			return Event{Targets: []int{x}, Detail: fmt.Sprintf("%d can send to %s but not receive from them", x, nodeSet(rest))}, true
		}
		for _, y := range rest {
			n.block(fl, x, y)
		}
		return Event{Targets: []int{x}, Detail: fmt.Sprintf("%d can receive from %s but not send to them", x, nodeSet(rest))}, true
	}
	return Event{}, false
}

// stopPartition unblocks exactly the links fl blocked.
func (n *Nemesis) stopPartition(fl *fault) Event {
	for _, l := range fl.links {
		n.f.Unblock(l.from, l.to)
	}
	return Event{Detail: fmt.Sprintf("healed: unblocked %d links", len(fl.links))}
}

// partitionLeader returns the leader to cut off, or any node when there is no
// leader (partitions may cut off crashed or paused nodes too). note says which.
func (n *Nemesis) partitionLeader() (node int, note string) {
	if l := n.f.Leader(); l != 0 && slices.Contains(n.nodes, l) {
		return l, "leader"
	}
	return n.nodes[n.rng.IntN(len(n.nodes))], "(no leader) node"
}

// ringReach is how many neighbours on each side a node of the majorities ring
// keeps. Links are symmetric, so a node sees 2d+1 nodes: the smallest such
// count that is a majority, d = ⌈(m−1)/2⌉ for majority m. It is smaller than
// the cluster for four nodes and up, so every node misses someone and no two
// see the same set.
func (n *Nemesis) ringReach() int {
	m := len(n.nodes)/2 + 1
	return m / 2
}

// ringDistance is the distance between positions i and j on a ring of size.
func ringDistance(i, j, size int) int {
	d := i - j
	if d < 0 {
		d = -d
	}
	return min(d, size-d)
}

// cut blocks every link between a and b, both directions.
func (n *Nemesis) cut(fl *fault, a, b []int) {
	for _, x := range a {
		for _, y := range b {
			n.block(fl, x, y)
			n.block(fl, y, x)
		}
	}
}

// block blocks one directed link and remembers it for the stop.
func (n *Nemesis) block(fl *fault, from, to int) {
	n.f.Block(from, to)
	fl.links = append(fl.links, link{from, to})
}

// without returns s minus x, in order.
func without(s []int, x int) []int {
	var out []int
	for _, v := range s {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}
