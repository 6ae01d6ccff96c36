package checker

import "fmt"

// Acknowledged-entry loss. An entry is acknowledged once the cluster has told
// someone it is committed: a leader's commit index passed it (the leader
// answers clients from there on; followers learn the commit index only from
// a leader that reported it first), or a client was told ok from it
// (Acknowledged). Raft promises such an entry stays at its index forever. Not
// on every node, though: a node that never learned of the commit may still be
// at an older term, where a stale leader of that older term can legally
// replace the entry in its log. Leader completeness (§5.4) draws the line:
// every leader of a term at or after the one whose leader reported the commit
// (its lead term) holds the entry, and a node in such a term writes only what
// that term's leader sends. So the entry is lost when
//
//   - a node at a term ≥ the lead term (or whose own commit index passed it)
//     replaces it, cuts it off, or discards it under a snapshot that does not
//     cover it; or
//   - a node that applied it (and so may have answered a client from it)
//     restarts from a disk the run did not damage or wipe without it: a host
//     applies only what it made durable. A synced entry lost this way is
//     already durable-state's finding; this one reports the rest (an entry
//     applied before its write was synced).
//
// Where commit-safety already reports the same write (a node replacing an
// entry its own commit index covered) this invariant stays silent: one event,
// one finding.

// AckLost names the invariant.
const AckLost = "acknowledged-entry-lost"

// Acknowledged records that node told a client ok from the entry it applied
// at index: the entry must be the one the cluster committed there, and it
// joins the evidence should the entry later be lost. Optional: without it an
// entry is acknowledged once a leader's commit index passes it.
func (c *Invariants) Acknowledged(t int64, node int, index, term, digest uint64) {
	n := c.live(t, node, "acknowledged an entry")
	if n == nil {
		return
	}
	r := c.rec(index)
	if r == nil || index == 0 {
		c.violate(Observation, t, []int{node}, []uint64{term}, index, "node %d acknowledged index %d, out of range", node, index)
		return
	}
	if index > n.applied {
		c.violate(Observation, t, []int{node}, []uint64{term}, index,
			"node %d acknowledged index %d to a client before applying it (applied up to %d)", node, index, n.applied)
	}
	cr := &r.committed
	if cr.set && (cr.term != term || cr.digest != digest) {
		c.violate(AckLost, t, []int{node, cr.node}, []uint64{term, cr.term}, index,
			"node %d told a client ok from index %d (term %d, digest %#x), but node %d committed term %d (digest %#x) there at %v",
			node, index, term, digest, cr.node, cr.term, cr.digest, durationOf(cr.t))
		return
	}
	if cr.set && !cr.acked {
		cr.acked, cr.ackNode, cr.ackT = true, node, t
	}
}

// noteLeaderCommit records that node, leading term, reported the commit of
// the entry cr records: the lowest such term is the entry's lead term.
func noteLeaderCommit(cr *commitRec, node int, term uint64, t int64) {
	if term == 0 || (cr.leadSet && cr.leadTerm <= term) {
		return
	}
	cr.leadSet, cr.leadTerm, cr.leadNode, cr.leadT = true, term, node, t
}

// lostAt reports whether n's entry at index i is an acknowledged entry that a
// write by n cannot legally remove: it is the entry committed there, and n
// either knew it committed or is at a term at or after its lead term.
func (c *Invariants) lostAt(n *nodeState, i uint64) (*commitRec, bool) {
	old, r := n.at(i), c.peek(i)
	if old == nil || r == nil {
		return nil, false
	}
	cr := &r.committed
	if !cr.set || old.term != cr.term || old.digest != cr.digest {
		return nil, false
	}
	if i <= n.commit || (cr.leadSet && n.term >= cr.leadTerm) {
		return cr, true
	}
	return nil, false
}

// checkAckWrite is called before a write by n replaces its log from index
// from on with entries (nil: drops it, as a snapshot install does): the
// first acknowledged entry the write removes or changes is reported.
func (c *Invariants) checkAckWrite(t int64, n *nodeState, from uint64, entries []Entry, how string) {
	for i := max(from, n.first+1); i <= n.last(); i++ {
		if k := i - from; k < uint64(len(entries)) {
			old := n.at(i)
			if e := entries[k]; e.Term == old.term && e.Digest == old.digest {
				continue // rewritten unchanged
			}
		}
		cr, lost := c.lostAt(n, i)
		if !lost {
			continue
		}
		what := fmt.Sprintf("cut off index %d", i)
		if k := i - from; k < uint64(len(entries)) {
			what = fmt.Sprintf("replaced index %d with term %d", i, entries[k].Term)
		}
		c.violate(AckLost, t, []int{n.id, cr.node}, []uint64{n.term, cr.term}, i,
			"node %d (term %d, commit index %d) %s from index %d and %s, though the entry there (term %d, digest %#x) was acknowledged: %s",
			n.id, n.term, n.commit, how, from, what, cr.term, cr.digest, ackEvidence(cr))
		return
	}
}

// checkAckRestart is called when n restarts (not after a damaged or wiped
// disk, nor when durable-state already reported the restart) with a log
// ending at lastIndex and a snapshot at snapIndex: entries n applied beyond
// both were applied before they were durable.
func (c *Invariants) checkAckRestart(t int64, n *nodeState, snapIndex, lastIndex uint64, lostTerm, lostDigest uint64) {
	i := max(snapIndex, lastIndex) + 1
	if n.applyMax < i {
		return
	}
	r := c.peek(i)
	if r == nil || !r.committed.set {
		c.violate(AckLost, t, []int{n.id}, []uint64{n.term}, i,
			"node %d applied up to index %d but restarted with its log ending at index %d (snapshot at %d) from a disk the run did not damage: it applied entries before they were durable",
			n.id, n.applyMax, lastIndex, snapIndex)
		return
	}
	cr := &r.committed
	c.violate(AckLost, t, []int{n.id, cr.node}, []uint64{n.term, cr.term}, i,
		"node %d applied up to index %d but restarted with its log ending at index %d (snapshot at %d) from a disk the run did not damage: the entry at %d (term %d, digest %#x), which it had applied and which was acknowledged (%s), was not durable when it was applied",
		n.id, n.applyMax, lastIndex, snapIndex, i, lostTerm, lostDigest, ackEvidence(cr))
}

// ackEvidence says who acknowledged a committed entry, and when.
func ackEvidence(cr *commitRec) string {
	s := fmt.Sprintf("committed by node %d at %v", cr.node, durationOf(cr.t))
	if cr.leadSet {
		s += fmt.Sprintf(", by leader node %d of term %d at %v", cr.leadNode, cr.leadTerm, durationOf(cr.leadT))
	}
	if cr.acked {
		s += fmt.Sprintf(", told to a client by node %d at %v", cr.ackNode, durationOf(cr.ackT))
	}
	return s
}

// breaches is how many times inv was breached so far.
func (c *Invariants) breaches(inv string) int {
	if i, ok := c.slot[inv]; ok {
		return c.found[i].Count
	}
	return 0
}
