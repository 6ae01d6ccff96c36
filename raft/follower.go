package raft

import (
	"slices"
	"strconv"
)

// handleAppend is the receiver side of AppendEntries (§5.3, Figure 2).
func (n *Node) handleAppend(m *Message) error {
	if err := n.checkEntries(m); err != nil {
		return err
	}
	if n.cfg.Bugs.CommitBeyondMatch {
		// PLANTED BUG: trust the leader's commit index before the consistency
		// check, clamped only by our own log's end (the classic
		// commitIndex = min(leaderCommit, lastIndex) at the top of the handler).
		n.commitTo(min(m.Commit, n.log.lastIndex()))
	}
	committed := n.log.committed
	if m.Index < committed {
		// Everything up to our commit index matches any leader's log.
		n.send(Message{Type: MsgAppResp, To: m.From, Term: n.term, Index: committed})
		return nil
	}
	if !n.log.matchTerm(m.Index, m.LogTerm) {
		n.rejectAppend(m)
		if m.Index == committed {
			return n.fail(ErrSafety, m.From, "leader's entry at committed index "+strconv.FormatUint(committed, 10)+" has another term")
		}
		return nil
	}
	lastNew := m.Index + uint64(len(m.Entries))
	var err error
	if conflict := n.log.findConflict(m.Entries); conflict != 0 {
		if conflict <= committed {
			return n.fail(ErrSafety, m.From, "leader's entry conflicts with committed index "+strconv.FormatUint(conflict, 10))
		}
		// Figure 7: delete the conflicting suffix, then append the leader's.
		err = n.appendFrom(m.Entries[conflict-m.Index-1:])
	} else if n.cfg.Bugs.TruncateOnStaleAppend && len(m.Entries) > 0 && n.log.lastIndex() > lastNew && lastNew > committed {
		// PLANTED BUG: the naive log = append(log[:prevIndex+1], entries...):
		// an old (reordered or duplicated) MsgApp rewrites its entries as if
		// new, and the write drops every entry after them, which matched the
		// leader and which this node may have acknowledged. Committed
		// entries are spared only because the log cannot drop them.
		err = n.appendFrom(m.Entries[max(m.Index, committed)-m.Index:])
	}
	// Commit only what this message proved matches the leader: entries past
	// lastNew may still be an older leader's.
	commit := min(m.Commit, lastNew)
	if n.cfg.Bugs.CommitBeyondMatch {
		commit = min(m.Commit, n.log.lastIndex()) // PLANTED BUG
	}
	n.commitTo(commit)
	n.send(Message{Type: MsgAppResp, To: m.From, Term: n.term, Index: lastNew})
	return err
}

// checkEntries rejects a MsgApp whose entries could not come from a leader.
func (n *Node) checkEntries(m *Message) error {
	prev := m.LogTerm
	for i := range m.Entries {
		e := &m.Entries[i]
		if e.Index != m.Index+1+uint64(i) {
			return n.fail(ErrBadMessage, m.From, "entries not contiguous after the previous index")
		}
		if e.Term < prev || e.Term > m.Term {
			return n.fail(ErrBadMessage, m.From, "entry term out of order")
		}
		prev = e.Term
	}
	return nil
}

// rejectAppend answers a failed consistency check with the fast-backup hint:
// the term of our entry at the rejected index and the first index of that
// term (or our log end when the log is shorter).
func (n *Node) rejectAppend(m *Message) {
	last := n.log.lastIndex()
	hint, hintTerm := last+1, uint64(0)
	if m.Index <= last {
		hintTerm, _ = n.log.term(m.Index)
		hint = n.log.firstIndexOfTerm(m.Index, hintTerm, n.log.committed)
	}
	n.send(Message{Type: MsgAppResp, To: m.From, Term: n.term, Index: m.Index, Reject: true, RejectHint: hint, HintTerm: hintTerm})
}

// appendFrom writes ents, replacing any suffix of the log from ents[0].Index.
func (n *Node) appendFrom(ents []Entry) error {
	n.truncateLog(ents[0].Index)
	n.log.append(ents...)
	var err error
	changed := false
	for i := range ents {
		if ents[i].Type != EntryConfChange {
			continue
		}
		if e := n.noteConfEntry(&ents[i]); e != nil && err == nil {
			err = n.fail(ErrSafety, n.lead, "configuration entry at index "+strconv.FormatUint(ents[i].Index, 10)+" does not apply: "+e.Error())
		}
		changed = true
	}
	if changed {
		n.onConfChange()
	}
	return err
}

// truncateLog drops entries from index i on, and the configurations they set.
func (n *Node) truncateLog(i uint64) {
	n.log.truncateFrom(i)
	if n.cfg.Bugs.ConfKeepTruncated {
		// PLANTED BUG (ConfKeepTruncated): the configurations the dropped
		// entries set stay in effect.
		return
	}
	if n.conf.truncateFrom(i) {
		n.onConfChange()
	}
}

func (n *Node) commitTo(c uint64) {
	if c > n.log.committed {
		n.log.committed = c
	}
}

func (n *Node) handleHeartbeat(m *Message) error {
	last := n.log.lastIndex()
	n.commitTo(min(m.Commit, last))
	n.send(Message{Type: MsgHeartbeatResp, To: m.From, Term: n.term, Context: m.Context})
	if m.Commit > last && !n.amnesiac {
		// The leader believes it replicated entries this node does not have:
		// an acknowledged write was lost. Not so for a node that joined with
		// an empty disk under an id the cluster used before (a replaced
		// disk): a leader that never learned of the replacement sizes its
		// heartbeats by what the old incarnation acknowledged.
		return n.fail(ErrSafety, m.From, "heartbeat commit "+strconv.FormatUint(m.Commit, 10)+" beyond last index "+strconv.FormatUint(last, 10))
	}
	return nil
}

// handleSnapshot is the receiver side of InstallSnapshot (§7).
func (n *Node) handleSnapshot(m *Message) error {
	s := m.Snapshot
	if s == nil || s.Meta.Index == 0 || s.Meta.Term == 0 || s.Meta.Term > m.Term || !wellFormedVoters(s.Meta.ConfState.Voters) {
		return n.fail(ErrBadMessage, m.From, "malformed snapshot")
	}
	idx := s.Meta.Index
	switch {
	case idx <= n.log.committed:
		// Old news (a duplicate or reordered snapshot).
	case n.log.matchTerm(idx, s.Meta.Term):
		// §7: our log already holds the snapshot's last entry; keep the
		// entries after it and just learn that they are committed.
		n.commitTo(idx)
	default:
		n.log.restore(idx, s.Meta.Term)
		n.conf.reset(idx, slices.Clone(s.Meta.ConfState.Voters))
		n.onConfChange()
		n.snapshot = s
		n.pendingSnapshot = s
	}
	n.send(Message{Type: MsgAppResp, To: m.From, Term: n.term, Index: n.log.committed})
	return nil
}
