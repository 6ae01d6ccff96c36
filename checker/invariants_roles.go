package checker

import "time"

func durationOf(t int64) time.Duration { return time.Duration(t) }

// Role records that node took role (RoleFollower, RolePreCandidate,
// RoleCandidate or RoleLeader) in term.
func (c *Invariants) Role(t int64, node int, role string, term uint64) {
	n := c.node(t, node)
	if n == nil {
		return
	}
	if role == RoleCrashed {
		c.Crash(t, node)
		return
	}
	if err := c.roles.Add(t, node, role, term); err != nil {
		c.violate(Observation, t, []int{node}, []uint64{term}, 0, "%v", err)
		return
	}
	if n.down {
		c.violate(Observation, t, []int{node}, []uint64{term}, 0,
			"node %d became %s of term %d while crashed (no restart was reported)", node, role, term)
		n.down = false
	}
	if term < n.term {
		c.violate(MonotonicTerm, t, []int{node}, []uint64{n.term, term}, 0,
			"node %d went from term %d back to term %d without a restart", node, n.term, term)
	}
	n.term = max(n.term, term)
	n.role = role
	n.lead = 0
	if role != RoleLeader {
		return
	}
	if prev, ok := c.leaders[term]; ok && prev.node != node {
		c.violate(ElectionSafety, t, []int{prev.node, node}, []uint64{term}, 0,
			"nodes %d and %d were both leader of term %d (since %v and %v)", prev.node, node, term, durationOf(prev.t), durationOf(t))
	} else if !ok {
		c.leaders[term] = leaderRec{node: node, t: t}
	}
	n.lead = term
	c.checkCompleteness(t, n, term)
}

// checkCompleteness: a new leader of term must hold every entry committed in
// an earlier term — committed *in* it, whatever the entry's own term: an
// entry of term 30 that the leader of term 32 committed need not be held by
// the leader of term 31, which may have been elected before (and be seen
// only later, when a pause ends). Entries are committed in index order, so
// those entries form a prefix of the committed log ending at k; the leader
// holding the entry at k with the same chain hash holds the whole prefix.
func (c *Invariants) checkCompleteness(t int64, n *nodeState, term uint64) {
	k := c.lastCommittedBefore(term)
	if k == 0 || k < n.first || (k == n.first && c.peek(k).committed.term == n.firstTerm) {
		return // nothing committed yet, or the node's snapshot covers it
	}
	cr := c.peek(k).committed
	e := n.at(k)
	switch {
	case e == nil:
		c.violate(LeaderCompleteness, t, []int{n.id, cr.node}, []uint64{term, cr.term}, k,
			"node %d became leader of term %d with its log ending at index %d, without index %d (term %d) that node %d committed at %v",
			n.id, term, n.last(), k, cr.term, cr.node, durationOf(cr.t))
	case e.term != cr.term || e.digest != cr.digest:
		c.violate(LeaderCompleteness, t, []int{n.id, cr.node}, []uint64{term, cr.term}, k,
			"node %d became leader of term %d holding term %d at index %d, where node %d had committed term %d at %v",
			n.id, term, e.term, k, cr.node, cr.term, durationOf(cr.t))
	case cr.chain != 0 && e.chain != 0 && cr.chain != e.chain:
		if c.Violated(LeaderCompleteness) {
			// Only counted: spare the scan for evidence nobody keeps.
			c.violate(LeaderCompleteness, t, nil, nil, 0, "")
			return
		}
		// Same entry at k, different history before it: find where.
		j := k - 1
		for ; j > n.first; j-- {
			ej, cj := n.at(j), c.peek(j).committed
			if cj.set && (ej.term != cj.term || ej.digest != cj.digest) {
				break
			}
		}
		cj := c.peek(j).committed
		c.violate(LeaderCompleteness, t, []int{n.id, cj.node}, []uint64{term, cj.term}, j,
			"node %d became leader of term %d without the entry at index %d (term %d) that node %d committed at %v",
			n.id, term, j, cj.term, cj.node, durationOf(cj.t))
	}
}

// lastCommittedBefore is the highest index committed in a term below term,
// or 0. The term an entry was committed in is the lowest term of a leader
// that reported it committed (the entry's own term when no leader did): a
// leader elected in an earlier term — a stale one, whose votes came in
// before the commit but whose election completed after it, a pause in
// between — need not hold it (§5.4 binds the leaders of later terms only).
// The scan passes only entries committed in terms ≥ term, which a leader of
// term cannot yet have produced unless it is stale.
func (c *Invariants) lastCommittedBefore(term uint64) uint64 {
	for k := c.maxComm; k > 0; k-- {
		cr := c.peek(k).committed
		// The later of the two readings of the term it was committed in:
		// the first committing node's term, and the lowest term of a
		// leader that reported the commit.
		in := cr.in
		if cr.leadSet {
			in = max(in, cr.leadTerm)
		}
		if cr.set && in < term {
			return k
		}
	}
	return 0
}

// Durable records that node's hard state (term, vote) reached stable storage.
func (c *Invariants) Durable(t int64, node int, term, vote uint64) {
	n := c.live(t, node, "synced its hard state")
	if n == nil {
		return
	}
	if n.durKnown {
		switch {
		case term < n.durTerm:
			c.violate(MonotonicTerm, t, []int{node}, []uint64{n.durTerm, term}, 0,
				"node %d's durable term went from %d (at %v) down to %d", node, n.durTerm, durationOf(n.durAt), term)
		case term == n.durTerm && n.durVot != 0 && vote != n.durVot && vote != 0:
			c.violate(SingleVote, t, []int{node, int(n.durVot), int(vote)}, []uint64{term}, 0,
				"node %d voted for node %d and then for node %d in term %d", node, n.durVot, vote, term)
		case term == n.durTerm && n.durVot != 0 && vote == 0:
			c.violate(DurableState, t, []int{node}, []uint64{term}, 0,
				"node %d's durable vote for node %d in term %d was replaced by no vote", node, n.durVot, term)
		}
	}
	n.durKnown, n.durTerm, n.durVot, n.durAt = true, term, vote, t
	n.term = max(n.term, term)
	n.unsynced.clear() // every log write before the sync is durable too
}

// Vote records that node granted its vote in term to candidate: a vote
// reply went out (a pre-vote is no vote). A node grants at most one candidate
// per term, whether or not it remembered the first grant (a vote never made
// durable is forgotten in a crash, yet the candidate counted it).
func (c *Invariants) Vote(t int64, node int, term, candidate uint64) {
	n := c.live(t, node, "granted a vote")
	if n == nil {
		return
	}
	if prev, ok := n.votes[term]; ok && prev.candidate != candidate {
		c.violate(SingleVote, t, []int{node, int(prev.candidate), int(candidate)}, []uint64{term}, 0,
			"node %d granted its vote in term %d to node %d (at %v) and then to node %d", node, term, prev.candidate, durationOf(prev.t), candidate)
		return
	}
	if n.durKnown && n.durTerm == term && n.durVot != 0 && n.durVot != candidate {
		c.violate(SingleVote, t, []int{node, int(n.durVot), int(candidate)}, []uint64{term}, 0,
			"node %d granted its vote in term %d to node %d, having durably voted for node %d", node, term, candidate, n.durVot)
	}
	if n.votes == nil {
		n.votes = make(map[uint64]voteRec)
	}
	if _, ok := n.votes[term]; !ok {
		n.votes[term] = voteRec{candidate: candidate, t: t}
	}
}

// Corrupt records that the run damaged node's durable data on purpose (a
// disk fault): until it restarts, a log shorter than what it had synced is
// the fault's doing, not the node's, and is not reported.
func (c *Invariants) Corrupt(t int64, node int) {
	if n := c.node(t, node); n != nil {
		n.corrupt = true
	}
}

// Crash records that node went down, losing its volatile state.
func (c *Invariants) Crash(t int64, node int) {
	n := c.node(t, node)
	if n == nil {
		return
	}
	n.down, n.lead, n.role = true, 0, RoleCrashed
	if err := c.roles.Add(t, node, RoleCrashed, n.term); err != nil {
		c.violate(Observation, t, []int{node}, []uint64{n.term}, 0, "%v", err)
	}
}

// Wipe records that node's disk was erased while it was down (an operator
// replacing a failed disk: the node rejoins empty). What it had durably
// recorded is gone by design, so its next Restart is not held to it.
func (c *Invariants) Wipe(t int64, node int) {
	n := c.node(t, node)
	if n == nil {
		return
	}
	if !n.down {
		c.violate(Observation, t, []int{node}, []uint64{n.term}, 0, "node %d's disk was wiped while it was running", node)
		return
	}
	n.durKnown, n.durTerm, n.durVot = false, 0, 0
	n.votes, n.corrupt = nil, false // its votes are forgotten by design
	// The node rejoins with an empty log, whose chain hash is known: its
	// new entries are checked against the other logs' prefixes again.
	n.log, n.first, n.firstTerm, n.base = nil, 0, 0, genesisChain
	n.unsynced.clear()
	n.commit, n.applied, n.applyMax = 0, 0, 0
	n.confWipe()
}

// Restart records that node came back with the state rec rebuilt from its
// disk: a new incarnation, starting as a follower. Its term must not be
// below what it had durably recorded (a lost term or vote write is how a
// node votes twice in a term), and its log must be the one it had synced or
// one its writes since left — told apart by rec's last index and term —
// unless the run damaged its disk (Corrupt) or wiped it (Wipe).
func (c *Invariants) Restart(t int64, node int, rec Recovered) {
	n := c.node(t, node)
	if n == nil {
		return
	}
	if n.durKnown {
		switch {
		case rec.Term < n.durTerm:
			c.violate(DurableState, t, []int{node}, []uint64{n.durTerm, rec.Term}, 0,
				"node %d restarted with term %d but had durably recorded term %d at %v", node, rec.Term, n.durTerm, durationOf(n.durAt))
		case rec.Term == n.durTerm && n.durVot != 0 && rec.Vote != n.durVot:
			c.violate(DurableState, t, []int{node}, []uint64{rec.Term}, 0,
				"node %d restarted with vote %d in term %d but had durably voted for node %d at %v", node, rec.Vote, rec.Term, n.durVot, durationOf(n.durAt))
		}
	}
	// What the node had applied beyond the recovered log, before the
	// rollback forgets it (see AckLost).
	var lostTerm, lostDigest uint64
	if e := n.at(max(rec.SnapIndex, rec.LastIndex) + 1); e != nil {
		lostTerm, lostDigest = e.term, e.digest
	}
	durableBefore := c.breaches(DurableState)
	// The crash may have lost the writes since the last sync, truncations
	// included: start from the state that ends where the recovered log does.
	out, syncedLast, maxLast := n.unsynced.rollBack(n, rec.LastIndex, rec.LastTerm)
	forgotten, corrupt := n.unsynced.lost, n.corrupt
	n.unsynced.clear()
	n.corrupt = false
	switch {
	case out != rollNone, forgotten:
		// A state since the last sync, or the writes since are too many to
		// tell which states there were.
	case rec.LastIndex > maxLast:
		c.violate(Observation, t, []int{node}, []uint64{rec.Term}, rec.LastIndex,
			"node %d recovered a log up to index %d but had only written up to %d", node, rec.LastIndex, maxLast)
	case corrupt:
		// The run damaged the disk on purpose: what survived is its doing.
	case rec.LastIndex <= syncedLast:
		// Not a state any crash can leave: the disk lost or replaced entries
		// the node had synced (and so may have acknowledged).
		c.violate(DurableState, t, []int{node}, []uint64{rec.Term, rec.LastTerm}, rec.LastIndex,
			"node %d restarted with its log ending at index %d (term %d), but had synced its log up to index %d (term %d there)",
			node, rec.LastIndex, rec.LastTerm, syncedLast, n.termAt(rec.LastIndex))
	case rec.LastIndex > syncedLast && rec.LastTerm != 0:
		c.violate(Observation, t, []int{node}, []uint64{rec.Term, rec.LastTerm}, rec.LastIndex,
			"node %d recovered a log ending at index %d (term %d), which none of its writes since its last sync left", node, rec.LastIndex, rec.LastTerm)
	}
	if !corrupt && c.breaches(DurableState) == durableBefore {
		c.checkAckRestart(t, n, rec.SnapIndex, rec.LastIndex, lostTerm, lostDigest)
	}
	n.applyMax = 0
	switch {
	case rec.LastIndex > n.last():
		n.forget(rec.LastIndex, rec.LastTerm)
	case rec.LastIndex >= n.first:
		n.log = n.log[:rec.LastIndex-n.first]
		if rec.LastTerm != 0 && n.termAt(rec.LastIndex) != rec.LastTerm {
			n.forget(rec.LastIndex, rec.LastTerm)
		}
	default:
		c.violate(Observation, t, []int{node}, []uint64{rec.Term}, rec.LastIndex,
			"node %d recovered a log ending at index %d, before its snapshot at %d", node, rec.LastIndex, n.first)
	}
	if rec.SnapIndex > n.first && rec.SnapIndex <= n.last() {
		e := n.at(rec.SnapIndex)
		base, term := e.chain, e.term
		n.log = append([]logRec(nil), n.log[rec.SnapIndex-n.first:]...)
		n.first, n.firstTerm, n.base = rec.SnapIndex, term, base
	} else if rec.SnapIndex > n.last() {
		c.violate(Observation, t, []int{node}, []uint64{rec.Term}, rec.SnapIndex,
			"node %d recovered a snapshot at index %d beyond its log's end %d", node, rec.SnapIndex, n.last())
	}
	if rec.Commit > rec.LastIndex {
		c.violate(Observation, t, []int{node}, []uint64{rec.Term}, rec.Commit,
			"node %d recovered commit index %d beyond its last index %d", node, rec.Commit, rec.LastIndex)
	}
	n.down, n.lead, n.role = false, 0, RoleFollower
	n.term = rec.Term
	n.commit = rec.Commit
	n.applied = rec.SnapIndex
	n.durKnown, n.durTerm, n.durVot, n.durAt = true, rec.Term, rec.Vote, t
	c.confRestart(n)
	if err := c.roles.Add(t, node, RoleFollower, rec.Term); err != nil {
		c.violate(Observation, t, []int{node}, []uint64{rec.Term}, 0, "%v", err)
	}
}
