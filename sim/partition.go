package sim

import "fmt"

// linkIndex returns the link from→to, failing the run on unknown addresses.
func (n *Network) linkIndex(op string, from, to int) (int, error) {
	fi, ti := n.w.hostIndex(from), n.w.hostIndex(to)
	if fi < 0 || ti < 0 {
		err := fmt.Errorf("%w: %s %d→%d", ErrUnknownAddress, op, from, to)
		n.w.fail(err)
		return 0, err
	}
	return fi*n.n + ti, nil
}

// Block drops every message from → to at delivery time, including those
// already in flight, until Unblock or Heal. The reverse link is unaffected.
func (n *Network) Block(from, to int) error { return n.setBlocked(from, to, true) }

// Unblock undoes Block(from, to).
func (n *Network) Unblock(from, to int) error { return n.setBlocked(from, to, false) }

func (n *Network) setBlocked(from, to int, b bool) error {
	i, err := n.linkIndex("block", from, to)
	if err != nil {
		return err
	}
	if n.links[i].blocked != b {
		n.links[i].blocked = b
		x := int64(0)
		if b {
			x = 1
		}
		n.w.trace.add(KindLink, from, to, x, 0)
	}
	return nil
}

// Blocked reports whether messages from → to are being dropped.
func (n *Network) Blocked(from, to int) bool {
	fi, ti := n.w.hostIndex(from), n.w.hostIndex(to)
	return fi >= 0 && ti >= 0 && n.links[fi*n.n+ti].blocked
}

// Partition blocks every link between hosts of different groups, both ways.
// It adds to any existing blocks (Heal first for a fresh partition); hosts in
// no group keep their links. An address in two groups is an error.
func (n *Network) Partition(groups ...[]int) error {
	seen := make(map[int]int)
	for g, group := range groups {
		for _, a := range group {
			if n.w.hostIndex(a) < 0 {
				err := fmt.Errorf("%w: partition group %d has address %d", ErrUnknownAddress, g, a)
				n.w.fail(err)
				return err
			}
			if prev, dup := seen[a]; dup {
				err := fmt.Errorf("%w: partition: address %d is in groups %d and %d", ErrBadArgument, a, prev, g)
				n.w.fail(err)
				return err
			}
			seen[a] = g
		}
	}
	for g, group := range groups {
		for _, a := range group {
			for g2, other := range groups {
				if g2 == g {
					continue
				}
				for _, b := range other {
					if err := n.setBlocked(a, b, true); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// Heal unblocks every link. Latency, loss and the other knobs are unchanged
// (see Reset).
func (n *Network) Heal() {
	for i := range n.links {
		n.links[i].blocked = false
	}
	n.w.trace.add(KindNet, 0, 0, int64(KnobHeal), 0)
}
