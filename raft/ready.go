package raft

// maxCommittedPerReady bounds Ready.CommittedEntries (e.g. the replay after a
// restart); the rest follows in later Readies.
const maxCommittedPerReady = 4096

// HasReady reports whether the node has something for the host to act on.
// It is false while a Ready is outstanding (handed out, not yet advanced):
// the host calls Ready again only after Advance.
func (n *Node) HasReady() bool {
	if n.outstanding {
		return false
	}
	n.flush()
	return len(n.msgs) > 0 ||
		len(n.readStates) > 0 ||
		len(n.roleChanges) > 0 ||
		n.pendingSnapshot != nil ||
		n.log.lastIndex() > n.log.stabled ||
		n.applyFrom() <= n.log.committed ||
		n.hardState() != n.prevHS
}

// Ready returns what the host must do next, in the order documented on the
// Ready type; its slices stay valid until Advance. Call it only when
// HasReady is true (otherwise the Ready is empty), and call Advance when done.
//
// Persisting a Snapshot discards the host's whole log (it is replaced by the
// snapshot); Entries then continue after the snapshot's index. Entries and
// CommittedEntries may overlap: the host persists first, then applies.
func (n *Node) Ready() Ready {
	if n.outstanding {
		return Ready{}
	}
	n.flush()
	var rd Ready
	if len(n.roleChanges) > 0 {
		ss := n.roleChanges[len(n.roleChanges)-1]
		rd.SoftState = &ss
		rd.RoleChanges = n.roleChanges
		n.rdRoleChanges = n.roleChanges
		n.roleChanges = nil
		n.prevSS = ss
	}
	if hs := n.hardState(); hs != n.prevHS {
		rd.HardState = hs
		rd.MustSync = hs.Term != n.prevHS.Term || hs.Vote != n.prevHS.Vote
		n.prevHS = hs
	}
	if n.pendingSnapshot != nil {
		rd.Snapshot = n.pendingSnapshot
		rd.MustSync = true
	}
	if last := n.log.lastIndex(); last > n.log.stabled {
		rd.Entries = n.log.slice(n.log.stabled+1, last+1)
		// PLANTED BUG (EntriesNoSync): only a term or vote change asks
		// for a sync; new entries are written but not made durable.
		if !n.cfg.Bugs.EntriesNoSync {
			rd.MustSync = true
		}
	}
	n.rdLastIndex, n.rdLastTerm = n.log.lastIndex(), n.log.lastTerm()
	n.rdApplied = n.log.applied
	if lo := n.applyFrom(); lo <= n.log.committed {
		hi := min(n.log.committed, lo+maxCommittedPerReady-1)
		rd.CommittedEntries = n.log.slice(lo, hi+1)
		n.rdApplied = hi
	}
	if n.pendingSnapshot != nil {
		n.rdApplied = max(n.rdApplied, n.pendingSnapshot.Meta.Index)
	}
	n.pendingSnapshot = nil
	if len(n.msgs) > 0 {
		rd.Messages = n.msgs
		n.rdMsgs = n.msgs
		n.msgs = n.msgsSpare[:0]
		n.msgsSpare = nil
	}
	if len(n.readStates) > 0 {
		rd.ReadStates = n.readStates
		n.rdReadStates = n.readStates
		n.readStates = n.readStatesSpare[:0]
		n.readStatesSpare = nil
	}
	n.outstanding = true
	return rd
}

// Advance tells the node the host has finished the last Ready: persisted,
// sent, applied. Slices of that Ready may be reused afterwards.
func (n *Node) Advance() {
	if !n.outstanding {
		return
	}
	n.outstanding = false
	// The entries handed out are durable unless a conflicting append
	// replaced them meanwhile (then their term no longer matches).
	if n.rdLastIndex > n.log.stabled && n.log.matchTerm(n.rdLastIndex, n.rdLastTerm) {
		n.log.stabled = n.rdLastIndex
		n.countSelfDurable()
	}
	if n.rdApplied > n.log.applied {
		n.log.applied = n.rdApplied
	}
	// Recycle the buffers handed out: the host is done with them.
	if n.rdMsgs != nil {
		clear(n.rdMsgs) // drop references to entries and snapshots
		n.msgsSpare, n.rdMsgs = n.rdMsgs[:0], nil
	}
	if n.rdReadStates != nil {
		n.readStatesSpare, n.rdReadStates = n.rdReadStates[:0], nil
	}
	if n.rdRoleChanges != nil && n.roleChanges == nil {
		n.roleChanges = n.rdRoleChanges[:0]
	}
	n.rdRoleChanges = nil
}

// applyFrom is the first index the application has not been handed yet.
// Entries covered by the snapshot are never handed out.
func (n *Node) applyFrom() uint64 {
	lo := n.log.applied + 1
	if lo <= n.log.snapIndex {
		lo = n.log.snapIndex + 1
	}
	return lo
}

// hardState is the state Ready asks the host to persist. (Not persisting it
// faithfully is the host's planted bug, kvstore.Bugs.NoPersistVote and
// NoPersistTerm, so it acts on any Raft.)
func (n *Node) hardState() HardState {
	return HardState{Term: n.term, Vote: n.vote, Commit: n.log.committed}
}
