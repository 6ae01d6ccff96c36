package raft

import "strconv"

// contextTransfer in a MsgVote's Context marks a campaign started by
// MsgTimeoutNow: the leader asked for it, so voters skip the lease check.
const contextTransfer uint64 = 1

// Step feeds one received message into the node. It returns a
// *ProtocolError wrapping ErrUnknownPeer when the sender is outside the
// configuration and the message is a reply or a read request (it is
// ignored; requests from leaders and candidates are processed whoever sends
// them, see fromStranger), ErrBadMessage for a malformed or misaddressed
// message, and ErrSafety when the message reveals a state the protocol
// forbids. The message and its entries are treated as immutable and may be
// retained.
func (n *Node) Step(m Message) error {
	if m.To != n.id {
		return n.fail(ErrBadMessage, m.From, "addressed to another node")
	}
	if m.From == None || m.From == n.id {
		return n.fail(ErrBadMessage, m.From, "bad sender")
	}
	if m.Type > MsgReadIndexResp || m.Type == MsgSnapStatus {
		return n.fail(ErrBadMessage, m.From, "unknown message type")
	}
	// A node with no configuration yet (joining with an empty disk) knows
	// nobody. Nothing below changes the configuration before pos is used.
	pos := n.position(m.From)
	if pos < 0 && !fromStranger(m.Type) {
		return n.fail(ErrUnknownPeer, m.From, "")
	}
	if m.Term == 0 {
		return n.fail(ErrBadMessage, m.From, "term 0")
	}

	switch {
	case m.Term > n.term:
		if (m.Type == MsgVote || m.Type == MsgPreVote) && m.Context != contextTransfer && n.inLease() {
			// §4.2.3 of the dissertation: a server that has heard from a live
			// leader within the minimum election timeout neither adopts the
			// term nor votes, so a removed or partitioned server cannot
			// disrupt a working cluster.
			return nil
		}
		switch {
		case m.Type == MsgPreVote:
			// A pre-vote for a term we do not have changes nothing here.
		case m.Type == MsgPreVoteResp && !m.Reject:
			// A grant of our own pre-vote for term+1.
		default:
			lead := None
			if fromLeader(m.Type) && m.Type != MsgReadIndexResp {
				lead = m.From
			}
			n.becomeFollower(m.Term, lead)
		}
	case m.Term < n.term:
		return n.stepStale(m)
	}

	switch m.Type {
	case MsgVote, MsgPreVote:
		n.handleVote(m)
		return nil
	case MsgApp, MsgHeartbeat, MsgSnap:
		if n.role == Leader || (n.role == Follower && n.lead != None && n.lead != m.From) {
			return n.fail(ErrSafety, m.From, "two leaders in one term (the other is "+strconv.FormatUint(n.lead, 10)+")")
		}
		if n.role != Follower || n.lead != m.From {
			n.becomeFollower(m.Term, m.From)
		}
		// PLANTED BUG (ElectionTimerNotReset): the leader's messages do not
		// restart the timer, so a follower campaigns every timeout.
		if !n.cfg.Bugs.ElectionTimerNotReset {
			n.electionElapsed = 0
		}
		n.bootQuiet = false
		switch m.Type {
		case MsgApp:
			return n.handleAppend(&m)
		case MsgHeartbeat:
			return n.handleHeartbeat(&m)
		}
		return n.handleSnapshot(&m)
	case MsgTimeoutNow:
		if n.role != Leader && n.promotable() {
			n.campaign(campaignTransfer)
		}
		return nil
	case MsgReadIndex:
		if n.role == Leader {
			n.handleReadIndex(m.From, m.Context)
		}
		return nil
	case MsgReadIndexResp:
		if n.role != Leader {
			n.readStates = append(n.readStates, ReadState{Index: m.Index, Context: m.Context})
		}
		return nil
	case MsgVoteResp, MsgPreVoteResp:
		n.handleVoteResp(&m)
		return nil
	case MsgAppResp, MsgHeartbeatResp:
		if n.role != Leader {
			return nil // replies to a leadership this node already lost
		}
		if m.Type == MsgAppResp {
			return n.handleAppResp(pos, &m)
		}
		n.handleHeartbeatResp(pos, &m)
		return nil
	}
	return nil
}

// stepStale handles a message from an older term.
func (n *Node) stepStale(m Message) error {
	switch m.Type {
	case MsgApp, MsgHeartbeat:
		if n.cfg.CheckQuorum || n.cfg.PreVote || !n.promotable() {
			// The sender may be a leader cut off from a cluster that moved on
			// while this node's vote requests were refused: with CheckQuorum
			// or PreVote nothing else would tell it the newer term. Nor would
			// anything when this node cannot campaign (a joiner that took a
			// candidate's term before it learned the configuration): without
			// this answer the leader would never reach it.
			n.send(Message{Type: MsgAppResp, To: m.From, Term: n.term})
		}
	case MsgPreVote:
		// Tell the pre-candidate the term it is behind, so it catches up.
		n.send(Message{Type: MsgPreVoteResp, To: m.From, Term: n.term, Reject: true})
	case MsgVote:
		if n.position(m.From) < 0 {
			// A candidate our configuration has dropped hears from us only
			// here (Figure 2: RequestVote replies with the current term).
			// Left alone it would campaign forever in terms we have left
			// behind — while we, short of a quorum without it when its
			// removal is not committed, may be unable to elect anyone.
			n.send(Message{Type: MsgVoteResp, To: m.From, Term: n.term, Reject: true})
		}
	case MsgVoteResp:
		if n.cfg.Bugs.StaleVoteReply && n.role != Leader && !m.Reject {
			// PLANTED BUG: the grant counts toward this node's latest
			// election whatever its term and even once that election is
			// over, as a reply handler that never re-checks its term and
			// state does; a majority makes it leader of its current term.
			if n.record(n.position(m.From), true) == voteWon {
				n.becomeLeader()
			}
		}
	}
	return nil
}

// fromLeader reports message types only a leader sends.
func fromLeader(t MessageType) bool {
	switch t {
	case MsgApp, MsgHeartbeat, MsgSnap, MsgTimeoutNow, MsgReadIndexResp:
		return true
	}
	return false
}

// fromStranger reports message types accepted from outside this node's
// configuration (dissertation §4.1: "servers process incoming RPC requests
// without consulting their current configurations"). A leader may be newer
// than our log (it added a server we have not heard of) or be removing
// itself; a candidate may need the vote of a node that has not yet learned
// the candidate was added, or the cluster could stall with a majority alive.
// Disruption by removed servers is contained by PreVote and the CheckQuorum
// lease (§4.2.3). Replies and read requests from strangers are refused.
func fromStranger(t MessageType) bool {
	return fromLeader(t) || t == MsgVote || t == MsgPreVote
}

// inLease reports whether this node believes a leader is alive: it heard
// from one within the election timeout, or it has just booted and has not
// waited a full timeout yet (a restarted follower must not help elect a new
// leader while the old one may still hold a read lease). Only CheckQuorum
// clusters keep leases.
func (n *Node) inLease() bool {
	if !n.cfg.CheckQuorum || n.electionElapsed >= n.cfg.ElectionTicks {
		return false
	}
	return n.lead != None || n.bootQuiet
}
