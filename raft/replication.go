package raft

import (
	"slices"
	"strconv"
)

// rebuildProgress aligns the leader's per-voter progress with the current
// voter set. With keep (a membership change under the same leader) it keeps
// what it knew about voters that stay; otherwise it starts afresh (§5.3: next
// just past the leader's log, match unknown).
func (n *Node) rebuildProgress(keep bool) {
	voters := n.conf.voters()
	old := n.prs
	prs := make([]progress, len(voters))
	last := n.log.lastIndex()
	for i, id := range voters {
		pr := &prs[i]
		if keep {
			if j, ok := findProgress(old, id); ok {
				*pr = old[j]
				continue
			}
		}
		pr.id = id
		pr.next = last + 1
		pr.infl.init(n.cfg.MaxInflightMsgs)
		if id == n.id {
			pr.match = min(last, n.log.stabled) // its durable copy (see appendEntry)
			pr.state = stateReplicate
		}
	}
	n.prs = prs
}

func findProgress(prs []progress, id uint64) (int, bool) {
	for i := range prs {
		if prs[i].id == id {
			return i, true
		}
	}
	return 0, false
}

// appendEntry appends one entry of the current term to the leader's log.
func (n *Node) appendEntry(t EntryType, data []byte) (index uint64) {
	index = n.log.lastIndex() + 1
	e := Entry{Term: n.term, Index: index, Type: t, Data: data}
	n.log.append(e)
	if t == EntryConfChange {
		// Validated by the proposer; a failure here is a planted bug's doing.
		_ = n.noteConfEntry(&e)
		n.onConfChange()
	}
	if n.self >= 0 {
		// The leader counts itself once its copy is durable (Advance after
		// the Ready that persists it): an entry is committed when a
		// majority holds it on disk, and a one-voter cluster that counted
		// an unsynced entry would commit one a crash then loses.
		n.prs[n.self].next = index + 1
	}
	n.bcastPending = true
	return index
}

// Propose appends data to the log as a normal entry. The node keeps data
// (it must not be modified afterwards); empty data is refused, being the
// leader's no-op. It returns the entry's index and term; the entry is
// committed only if an entry with that index and term later appears in
// Ready.CommittedEntries.
func (n *Node) Propose(data []byte) (index, term uint64, err error) {
	if err := n.checkProposal(); err != nil {
		return 0, 0, err
	}
	if len(data) == 0 {
		return 0, 0, n.fail(ErrProposalDropped, None, "empty data is reserved for the leader's no-op")
	}
	return n.appendEntry(EntryNormal, data), n.term, nil
}

// ProposeConfChange appends a single-server membership change. It takes
// effect on every node as soon as the entry is in its log (Ongaro's
// dissertation §4.1): no separate apply step is needed. One change at a time,
// and only after the leader has committed an entry of its current term (the
// 2015 fix to single-server changes).
func (n *Node) ProposeConfChange(cc ConfChange) (index, term uint64, err error) {
	if err := n.checkProposal(); err != nil {
		return 0, 0, err
	}
	if !n.cfg.Bugs.MembershipNoBarrier {
		if ct, _ := n.log.term(n.log.committed); ct != n.term {
			return 0, 0, n.fail(ErrNoCurrentTermCommit, None, "")
		}
		if n.conf.lastIndex() > n.log.committed {
			return 0, 0, n.fail(ErrConfChangePending, None, "")
		}
	}
	if cc.NodeID == None || (cc.Type != AddNode && cc.Type != RemoveNode) {
		return 0, 0, n.fail(ErrInvalidConfChange, None, "bad type or node id")
	}
	if _, ok := applyConfChange(n.conf.voters(), cc); !ok {
		return 0, 0, n.fail(ErrInvalidConfChange, None, "adds a voter, removes a non-voter or the last voter")
	}
	return n.appendEntry(EntryConfChange, cc.Marshal()), n.term, nil
}

func (n *Node) checkProposal() error {
	switch {
	case n.role != Leader:
		return n.fail(ErrNotLeader, None, "")
	case n.transferee != None:
		return n.fail(ErrProposalDropped, None, "leadership transfer in progress")
	case n.cfg.MaxUncommittedEntries > 0 && n.log.lastIndex()-n.log.committed >= uint64(n.cfg.MaxUncommittedEntries):
		return n.fail(ErrProposalDropped, None, "too many uncommitted entries")
	}
	return nil
}

// flush sends what batched proposals, commit advances and reads are waiting
// for: one broadcast per Ready instead of one per call.
func (n *Node) flush() {
	if n.role != Leader {
		n.bcastPending = false
		n.reads.roundPending = false
		return
	}
	if n.bcastPending {
		n.bcastPending = false
		for i := range n.prs {
			if i != n.self {
				n.sendAppends(i)
			}
		}
	}
	if n.reads.roundPending {
		n.bcastHeartbeat()
	}
}

// sendAppends fills the follower's window: in replicate state as many MsgApp
// as it allows, otherwise at most one; and an empty MsgApp when only the
// commit index is news.
func (n *Node) sendAppends(i int) {
	pr := &n.prs[i]
	last := n.log.lastIndex()
	sent := false
	for bound := n.cfg.MaxInflightMsgs; bound > 0 && pr.next <= last && !pr.paused(); bound-- {
		n.sendAppend(i, false)
		sent = true
		if pr.state != stateReplicate {
			break
		}
	}
	if !sent && pr.sentCommit < n.log.committed && !pr.paused() {
		n.sendAppend(i, true)
	}
}

// sendAppend sends one MsgApp from pr.next (or a snapshot if the entries
// needed are compacted). allowEmpty sends even with nothing new to carry the
// commit index or to probe.
func (n *Node) sendAppend(i int, allowEmpty bool) {
	pr := &n.prs[i]
	if pr.paused() {
		return
	}
	prevIndex := pr.next - 1
	prevTerm, ok := n.log.term(prevIndex)
	if !ok {
		n.sendSnapshot(i)
		return
	}
	var ents []Entry
	last := n.log.lastIndex()
	if pr.next <= last {
		ents = n.log.sliceLimited(pr.next, last+1, n.cfg.MaxSizePerMsg)
	}
	if len(ents) == 0 && !allowEmpty {
		return
	}
	commit := n.log.committed
	n.send(Message{Type: MsgApp, To: pr.id, Term: n.term, Index: prevIndex, LogTerm: prevTerm, Entries: ents, Commit: commit})
	pr.sentCommit = commit
	switch pr.state {
	case stateReplicate:
		if k := len(ents); k > 0 {
			lastSent := ents[k-1].Index
			pr.next = lastSent + 1
			pr.infl.add(lastSent)
		}
	case stateProbe:
		pr.probeSent = true
	}
}

func (n *Node) sendSnapshot(i int) {
	pr := &n.prs[i]
	if n.snapshot == nil {
		// Entries are compacted only behind a snapshot this node holds.
		n.assertionFailed("log compacted without a snapshot")
	}
	n.send(Message{Type: MsgSnap, To: pr.id, Term: n.term, Snapshot: n.snapshot})
	pr.becomeSnapshot(n.snapshot.Meta.Index)
}

// handleAppResp processes a follower's answer to MsgApp or MsgSnap.
func (n *Node) handleAppResp(i int, m *Message) error {
	if m.Index > n.log.lastIndex() {
		return n.fail(ErrSafety, m.From, "acknowledges index "+strconv.FormatUint(m.Index, 10)+" beyond the leader's log")
	}
	pr := &n.prs[i]
	pr.recentActive = true
	pr.idleRounds = 0
	if m.Reject {
		if pr.maybeDecrTo(m.Index, n.backupHint(m)) {
			n.sendAppend(i, true)
		}
		return nil
	}
	wasPaused := pr.paused()
	if !pr.maybeUpdate(m.Index) {
		if pr.state == stateReplicate {
			pr.infl.freeLE(m.Index)
		}
		return nil
	}
	switch pr.state {
	case stateProbe:
		pr.becomeReplicate()
	case stateSnapshot:
		if pr.match >= pr.pendingSnap {
			pr.becomeReplicate()
		}
	case stateReplicate:
		pr.infl.freeLE(m.Index)
	}
	if n.maybeCommit() {
		n.bcastPending = true
		if n.role != Leader {
			return nil // the commit removed this leader
		}
	} else if wasPaused || pr.next <= n.log.lastIndex() {
		n.sendAppends(i)
	}
	if pr.id == n.transferee && pr.match == n.log.lastIndex() {
		n.sendTimeoutNow(pr.id)
	}
	return nil
}

// backupHint turns a rejection's hint into the next index to try (the fast
// backup of §5.3): skip the follower's whole conflicting term at once, or
// jump to its log end when its log is shorter.
func (n *Node) backupHint(m *Message) uint64 {
	next := m.RejectHint
	if m.HintTerm == 0 {
		return next
	}
	// If our log holds entries of the follower's conflicting term, the
	// follower's entries of that term up to our last one match ours.
	if lt, ok := n.log.term(m.Index); ok && m.HintTerm < lt {
		if idx, ok := n.log.lastIndexOfTermBelow(m.HintTerm, m.Index); ok {
			next = idx + 1
		}
	}
	return next
}

func (n *Node) handleHeartbeatResp(i int, m *Message) {
	pr := &n.prs[i]
	pr.recentActive = true
	pr.probeSent = false
	if m.Context > pr.ackRound {
		pr.ackRound = m.Context
		n.onRoundAck()
	}
	if pr.match >= n.log.lastIndex() {
		return // the idle case: a heartbeat and its reply, nothing more
	}
	switch pr.state {
	case stateReplicate:
		// No MsgAppResp for two heartbeat rounds while entries are
		// outstanding: the window is stuck on lost messages. Probe again.
		pr.idleRounds++
		if pr.idleRounds < 2 {
			return
		}
		pr.becomeProbe()
	case stateSnapshot:
		pr.idleRounds++
		if pr.idleRounds < n.snapRetryRounds {
			return
		}
		// Presume the snapshot lost; the probe re-sends it if still needed.
		pr.becomeProbe()
		pr.next = pr.match + 1
	}
	n.sendAppend(i, true)
}

// maybeCommit advances the commit index to the highest index replicated on
// a majority, provided that entry is of the current term (§5.4.2, Figure 8).
// It reports whether the commit index moved.
func (n *Node) maybeCommit() bool {
	voters := n.conf.voters()
	if len(voters) == 0 {
		return false
	}
	// Most calls (an ack that leaves fewer than a quorum past the commit
	// index) change nothing: count before sorting, so a 101-node leader
	// spends O(n), not O(n log n), on each of the n−1 acks per entry.
	past := 0
	for i := range n.prs {
		if n.prs[i].match > n.log.committed {
			past++
		}
	}
	if past < n.quorum() {
		return false
	}
	ms := n.scratch[:len(voters)]
	for i := range n.prs {
		ms[i] = n.prs[i].match
	}
	slices.Sort(ms)
	idx := ms[len(ms)-n.quorum()]
	if idx <= n.log.committed {
		return false
	}
	if t, _ := n.log.term(idx); t != n.term && !n.cfg.Bugs.CommitOldTerm {
		return false
	}
	n.log.committed = idx
	n.onCommit()
	return true
}

// countSelfDurable counts the leader's own durable log (as of the last
// Advance) toward the commit index.
func (n *Node) countSelfDurable() {
	if n.role != Leader || n.self < 0 {
		return
	}
	pr := &n.prs[n.self]
	if d := min(n.log.stabled, n.log.lastIndex()); d > pr.match {
		pr.match = d
		if n.maybeCommit() {
			n.bcastPending = true // followers learn the new commit index
		}
	}
}

// onCommit runs leader duties that wait on the commit index: reads held for
// the first current-term commit, and stepping down once the entry that
// removed this leader is committed.
func (n *Node) onCommit() {
	if t, _ := n.log.term(n.log.committed); t == n.term {
		n.releaseWaitingReads()
	}
	if n.self < 0 && n.conf.lastIndex() <= n.log.committed {
		// Removed by a committed change (§4.2.2): hand over to the most
		// up-to-date voter at once instead of making the cluster wait for an
		// election timeout.
		best := -1
		for i := range n.prs {
			if best < 0 || n.prs[i].match > n.prs[best].match {
				best = i
			}
		}
		if best >= 0 && n.prs[best].match == n.log.lastIndex() {
			n.sendTimeoutNow(n.prs[best].id)
		}
		n.becomeFollower(n.term, None)
	}
}

func (n *Node) sendTimeoutNow(to uint64) {
	n.leaseOff = true
	n.send(Message{Type: MsgTimeoutNow, To: to, Term: n.term})
}

// bcastHeartbeat starts a heartbeat round. Its number rides in Context so
// replies confirm reads and leases started before it.
func (n *Node) bcastHeartbeat() {
	round := n.reads.startRound(n.ticks)
	if n.self >= 0 {
		n.prs[n.self].ackRound = round
	}
	for i := range n.prs {
		if i == n.self {
			continue
		}
		pr := &n.prs[i]
		n.send(Message{Type: MsgHeartbeat, To: pr.id, Term: n.term, Commit: min(pr.match, n.log.committed), Context: round})
	}
	n.onRoundAck() // a one-voter cluster confirms alone
}
