package raft

import "strconv"

// TransferLeadership asks the leader to hand leadership to voter to (§3.10
// of the dissertation): it stops accepting proposals, brings to's log up to
// date, then sends MsgTimeoutNow so to starts an election at once, skipping
// PreVote and the lease check. If to has not taken over within an election
// timeout the transfer is abandoned and proposals resume. Transferring to
// the leader itself is a no-op.
func (n *Node) TransferLeadership(to uint64) error {
	if n.role != Leader {
		return n.fail(ErrNotLeader, None, "")
	}
	if to == n.id {
		return nil
	}
	i := n.position(to)
	if i < 0 {
		return n.fail(ErrInvalidConfChange, None, "transfer target "+strconv.FormatUint(to, 10)+" is not a voter")
	}
	if n.transferee == to {
		return nil
	}
	n.transferee = to
	n.electionElapsed = 0 // the transfer times out with the next CheckQuorum window
	if n.prs[i].match == n.log.lastIndex() {
		n.sendTimeoutNow(to)
		return nil
	}
	n.sendAppend(i, true)
	return nil
}
