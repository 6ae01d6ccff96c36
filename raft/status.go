package raft

import "slices"

// Status returns a copy of the node's state for observers and reports.
func (n *Node) Status() Status {
	s := Status{
		ID:        n.id,
		Role:      n.role,
		Term:      n.term,
		Vote:      n.vote,
		Lead:      n.lead,
		Commit:    n.log.committed,
		Applied:   n.log.applied,
		LastIndex: n.log.lastIndex(),
		Voters:    slices.Clone(n.conf.voters()),
	}
	if n.role == Leader {
		s.Peers = make([]PeerStatus, len(n.prs))
		for i := range n.prs {
			s.Peers[i] = PeerStatus{ID: n.prs[i].id, Match: n.prs[i].match, Next: n.prs[i].next}
		}
	}
	return s
}

// ID returns the node's id.
func (n *Node) ID() uint64 { return n.id }
