package checker

import "fmt"

// maxIndexJump bounds how far past the cluster's highest index a report may
// reach before it is taken for garbage rather than grown into.
const maxIndexJump = 1 << 24

// indexBlock is how many index records one block holds: the table grows a
// block at a time and never moves what it holds.
const indexBlock = 1 << 12

// rec returns the cluster record of index i, growing the table to hold it,
// or nil when i jumps absurdly far ahead.
func (c *Invariants) rec(i uint64) *indexRec {
	b := i / indexBlock
	if b >= uint64(len(c.idx)) {
		if (b-uint64(len(c.idx)))*indexBlock > maxIndexJump {
			return nil
		}
		for uint64(len(c.idx)) <= b {
			c.idx = append(c.idx, make([]indexRec, indexBlock))
		}
	}
	return &c.idx[b][i%indexBlock]
}

// peek returns the record of index i if the table holds it, else nil.
func (c *Invariants) peek(i uint64) *indexRec {
	if b := i / indexBlock; b < uint64(len(c.idx)) {
		return &c.idx[b][i%indexBlock]
	}
	return nil
}

// Append records that node wrote entries to its log, replacing any suffix
// from entries[0].Index on. Entries must be consecutive.
func (c *Invariants) Append(t int64, node int, entries []Entry) {
	n := c.live(t, node, "wrote its log")
	if n == nil || len(entries) == 0 {
		return
	}
	from := entries[0].Index
	for k := range entries {
		if entries[k].Index != from+uint64(k) {
			c.violate(Observation, t, []int{node}, []uint64{n.term}, entries[k].Index,
				"node %d appended a batch whose entry %d has index %d after index %d", node, k, entries[k].Index, entries[k-1].Index)
			return
		}
	}
	if c.rec(entries[len(entries)-1].Index) == nil || from == 0 {
		c.violate(Observation, t, []int{node}, []uint64{n.term}, from,
			"node %d appended entries at indices %d..%d, far out of range", node, from, entries[len(entries)-1].Index)
		return
	}
	if from <= n.first {
		c.violate(Observation, t, []int{node}, []uint64{n.term}, from,
			"node %d appended at index %d, inside its snapshot (log starts after %d)", node, from, n.first)
		return
	}
	if from > n.last()+1 {
		c.violate(Observation, t, []int{node}, []uint64{n.term}, from,
			"node %d appended at index %d, leaving a gap after its last index %d", node, from, n.last())
		// Carry on with what is known: a log starting after an unknown prefix.
		n.first, n.firstTerm, n.base, n.log = from-1, 0, 0, n.log[:0]
		n.conf.known, n.conf.pts = false, nil
	}
	if from <= n.last() {
		if !c.checkOverwrite(t, n, entries) {
			c.checkAckWrite(t, n, from, entries, "wrote its log")
		}
	}
	n.unsynced.note(n, from)
	n.log = n.log[:from-n.first-1]
	prevTerm := n.firstTerm
	if len(n.log) > 0 {
		prevTerm = n.log[len(n.log)-1].term
	}
	for _, e := range entries {
		if e.Term < prevTerm {
			c.violate(Observation, t, []int{node}, []uint64{prevTerm, e.Term}, e.Index,
				"node %d appended index %d with term %d after an entry of term %d: terms in a log never decrease", node, e.Index, e.Term, prevTerm)
		}
		prevTerm = e.Term
		chain := extendChain(n.chainAt(e.Index-1), e.Term, e.Digest)
		n.log = append(n.log, logRec{term: e.Term, digest: e.Digest, chain: chain})
		c.checkMatching(t, node, e, chain)
	}
	c.confAppend(n, from, entries)
}

// checkOverwrite is called when entries replace part of n's log: a leader
// must not do that in its term, and nobody may replace a committed entry.
// It reports whether the write replaced an entry n had committed.
func (c *Invariants) checkOverwrite(t int64, n *nodeState, entries []Entry) bool {
	from := entries[0].Index
	if n.lead != 0 {
		// Only a reported role change ends a leadership: a node that still
		// leads may not replace its log, whatever the new entries' term.
		old := n.at(from)
		c.violate(LeaderAppendOnly, t, []int{n.id}, []uint64{n.lead}, from,
			"node %d, leader of term %d, overwrote its log from index %d (held up to %d; index %d had term %d, now term %d)",
			n.id, n.lead, from, n.last(), from, old.term, entries[0].Term)
	}
	for _, e := range entries {
		if e.Index > n.commit || e.Index > n.last() {
			break
		}
		if old := n.at(e.Index); old.term != e.Term || old.digest != e.Digest {
			c.violate(CommitSafety, t, []int{n.id}, []uint64{old.term, e.Term}, e.Index,
				"node %d replaced its committed entry at index %d (term %d, digest %#x) with term %d, digest %#x (commit index %d)",
				n.id, e.Index, old.term, old.digest, e.Term, e.Digest, n.commit)
			return true
		}
	}
	return false
}

// checkMatching compares a written entry with what other nodes wrote at the
// same index and term.
func (c *Invariants) checkMatching(t int64, node int, e Entry, chain uint64) {
	r := &c.rec(e.Index).seen
	if !r.set {
		*r = seenRec{term: e.Term, digest: e.Digest, chain: chain, node: node, set: true}
		return
	}
	if r.term != e.Term {
		var found *seenRec
		others := c.more[e.Index]
		for k := range others {
			if others[k].term == e.Term {
				found = &others[k]
				break
			}
		}
		if found == nil {
			c.more[e.Index] = append(others, seenRec{term: e.Term, digest: e.Digest, chain: chain, node: node, set: true})
			return
		}
		r = found
	}
	switch {
	case r.digest != e.Digest:
		c.violate(LogMatching, t, []int{r.node, node}, []uint64{e.Term}, e.Index,
			"nodes %d and %d hold different entries at index %d, term %d (digests %#x and %#x)",
			r.node, node, e.Index, e.Term, r.digest, e.Digest)
	case r.chain != 0 && chain != 0 && r.chain != chain:
		c.violate(LogMatching, t, []int{r.node, node}, []uint64{e.Term}, e.Index,
			"nodes %d and %d hold the same entry at index %d, term %d, but their logs differ before it",
			r.node, node, e.Index, e.Term)
	case r.chain == 0:
		r.chain = chain
	}
}

// lookupChain is the chain hash any node recorded for (index, term), or 0.
func (c *Invariants) lookupChain(index, term uint64) uint64 {
	if index == 0 {
		return genesisChain
	}
	rec := c.peek(index)
	if rec == nil {
		return 0
	}
	if r := rec.seen; r.set && r.term == term {
		return r.chain
	}
	for _, r := range c.more[index] {
		if r.term == term {
			return r.chain
		}
	}
	return 0
}

// Snapshot records that node installed a snapshot: its log now starts after
// (index, term) and its state machine is at index.
func (c *Invariants) Snapshot(t int64, node int, index, term uint64) {
	n := c.live(t, node, "installed a snapshot")
	if n == nil {
		return
	}
	if n.lead != 0 {
		c.violate(LeaderAppendOnly, t, []int{node}, []uint64{n.lead}, index,
			"node %d, leader of term %d, installed a snapshot at index %d, replacing its log (held up to %d)", node, n.lead, index, n.last())
	}
	if index <= n.first {
		c.violate(Observation, t, []int{node}, []uint64{term}, index,
			"node %d installed a snapshot at index %d, not after its log start %d", node, index, n.first)
		return
	}
	cr := c.peek(index)
	badSnap := cr != nil && cr.committed.set && cr.committed.term != term
	if badSnap {
		// A snapshot holds only committed state: its last entry must be the
		// one committed at its index.
		c.violate(CommitSafety, t, []int{cr.committed.node, node}, []uint64{cr.committed.term, term}, index,
			"node %d installed a snapshot ending at index %d with term %d, but index %d was committed as term %d by node %d at %v",
			node, index, term, index, cr.committed.term, cr.committed.node, durationOf(cr.committed.t))
	}
	n.unsynced.noteAll(n)
	kept := false
	if r := n.at(index); r != nil && r.term == term {
		// The log already holds the snapshot's last entry: keep what follows.
		base := r.chain
		n.log = append([]logRec(nil), n.log[index-n.first:]...)
		n.first, n.firstTerm, n.base = index, term, base
		kept = true
	} else {
		if !badSnap && index < n.last() {
			c.checkAckWrite(t, n, index+1, nil, fmt.Sprintf("installed a snapshot at index %d (term %d), discarding its log", index, term))
		}
		n.log = nil
		n.first, n.firstTerm, n.base = index, term, c.lookupChain(index, term)
		if n.base == 0 && cr != nil && cr.committed.set && cr.committed.term == term {
			n.base = cr.committed.chain
		}
	}
	n.commit = max(n.commit, index)
	n.applied = max(n.applied, index)
	c.confSnapshot(n, index, kept)
}

// Commit records that node's commit index rose to index. Every entry it holds
// up to there is now committed; they must agree with what any node
// committed before.
func (c *Invariants) Commit(t int64, node int, index uint64) {
	n := c.live(t, node, "advanced its commit index")
	if n == nil {
		return
	}
	if index < n.commit {
		c.violate(MonotonicCommit, t, []int{node}, []uint64{n.term}, index,
			"node %d's commit index went from %d down to %d in term %d without a restart", node, n.commit, index, n.term)
		return
	}
	if index > n.last() {
		c.violate(Observation, t, []int{node}, []uint64{n.term}, index,
			"node %d committed index %d beyond its last log index %d", node, index, n.last())
	}
	n.conf.floor = n.applied
	for i := max(n.commit, n.first) + 1; i <= min(index, n.last()); i++ {
		e := n.at(i)
		cr := &c.rec(i).committed
		switch {
		case !cr.set:
			*cr = commitRec{term: e.term, digest: e.digest, chain: e.chain, in: max(n.term, e.term), node: node, t: t, set: true}
			c.maxComm = max(c.maxComm, i)
		case cr.term != e.term || cr.digest != e.digest:
			c.violate(CommitSafety, t, []int{cr.node, node}, []uint64{cr.term, e.term}, i,
				"index %d was committed as term %d (digest %#x) by node %d at %v, but node %d committed term %d (digest %#x)",
				i, cr.term, cr.digest, cr.node, durationOf(cr.t), node, e.term, e.digest)
			continue
		case cr.chain == 0:
			cr.chain = e.chain
		}
		if n.lead != 0 {
			noteLeaderCommit(cr, node, n.lead, t)
		}
	}
	n.commit = index
}

// Apply records that node's state machine applied the entry at index.
func (c *Invariants) Apply(t int64, node int, index, term, digest uint64) {
	n := c.live(t, node, "applied an entry")
	if n == nil {
		return
	}
	r := c.rec(index)
	if r == nil || index == 0 {
		c.violate(Observation, t, []int{node}, []uint64{term}, index, "node %d applied index %d, out of range", node, index)
		return
	}
	switch {
	case index <= n.applied:
		c.violate(StateMachineSafety, t, []int{node}, []uint64{term}, index,
			"node %d applied index %d again (it had applied up to %d)", node, index, n.applied)
	case index > n.commit:
		c.violate(StateMachineSafety, t, []int{node}, []uint64{term}, index,
			"node %d applied index %d (term %d) beyond its commit index %d", node, index, term, n.commit)
	}
	if e := n.at(index); e != nil && (e.term != term || e.digest != digest) {
		c.violate(Observation, t, []int{node}, []uint64{e.term, term}, index,
			"node %d applied index %d as term %d (digest %#x) but its log holds term %d (digest %#x)", node, index, term, digest, e.term, e.digest)
	}
	a := &r.applied
	switch {
	case !a.set:
		*a = applyRec{term: term, digest: digest, node: node, t: t, set: true}
	case a.term != term || a.digest != digest:
		c.violate(StateMachineSafety, t, []int{a.node, node}, []uint64{a.term, term}, index,
			"nodes %d and %d applied different entries at index %d: term %d (digest %#x) at %v and term %d (digest %#x)",
			a.node, node, index, a.term, a.digest, durationOf(a.t), term, digest)
	}
	n.applied = max(n.applied, index)
	n.applyMax = max(n.applyMax, index)
	c.confApply(t, n, index, term, digest)
}
