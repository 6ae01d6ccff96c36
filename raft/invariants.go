package raft

// checkInvariants verifies the node's internal bookkeeping. Tests call it
// after every input; a violation is a bug in this package, not in the input.
func (n *Node) checkInvariants() error {
	l := &n.log
	bad := func(what string) error { return n.fail(ErrSafety, None, "internal invariant: "+what) }
	switch {
	case l.committed > l.lastIndex():
		return bad("commit beyond the last index")
	case l.applied > l.committed:
		return bad("applied beyond commit")
	case l.snapIndex > l.committed:
		return bad("snapshot beyond commit")
	case l.stabled > l.lastIndex():
		return bad("stable index beyond the last index")
	case n.role == Leader && n.lead != n.id:
		return bad("leader does not lead")
	case n.role == Leader && len(n.prs) != len(n.conf.voters()):
		return bad("progress not aligned with voters")
	case n.role == Candidate && n.vote != n.id:
		return bad("candidate did not vote for itself")
	}
	for i := 1; i < len(l.ents); i++ {
		if l.ents[i].Index != l.ents[i-1].Index+1 || l.ents[i].Term < l.ents[i-1].Term {
			return bad("log not contiguous or terms decrease")
		}
	}
	if len(l.ents) > 0 && (l.ents[0].Index != l.snapIndex+1 || l.ents[0].Term < l.snapTerm) {
		return bad("log does not continue the snapshot")
	}
	if n.role == Leader {
		for i := range n.prs {
			pr := &n.prs[i]
			if pr.id != n.conf.voters()[i] || pr.match > l.lastIndex() || pr.next > l.lastIndex()+1 || pr.next == 0 {
				return bad("progress out of range")
			}
		}
	}
	if pos, ok := searchID(n.conf.voters(), n.id); (ok && pos != n.self) || (!ok && n.self != -1) {
		return bad("self position stale")
	}
	return nil
}
