package raft

// campaignKind says how an election starts.
type campaignKind uint8

const (
	campaignPreElection campaignKind = iota // PreVote round first (§9.6 of the dissertation)
	campaignElection                        // real election, term+1
	campaignTransfer                        // real election ordered by MsgTimeoutNow
)

// Tick advances the node's logical clock by one tick.
func (n *Node) Tick() {
	n.ticks++
	if n.role == Leader {
		n.tickLeader()
		return
	}
	n.electionElapsed++
	if n.electionElapsed >= n.cfg.ElectionTicks {
		n.bootQuiet = false
	}
	if n.electionElapsed >= n.randomizedTimeout {
		n.resetElectionTimer()
		if !n.promotable() {
			return // not a voter (removed, or joining and not yet added)
		}
		if n.cfg.PreVote {
			n.campaign(campaignPreElection)
		} else {
			n.campaign(campaignElection)
		}
	}
}

func (n *Node) tickLeader() {
	n.heartbeatElapsed++
	n.electionElapsed++
	if n.electionElapsed >= n.cfg.ElectionTicks {
		n.electionElapsed = 0
		if n.cfg.CheckQuorum && !n.quorumActive() {
			// §6.2: a leader that cannot reach a majority for an election
			// timeout steps down, so clients go find the real leader.
			n.becomeFollower(n.term, None)
			return
		}
		n.transferee = None // a running transfer timed out: the target did not take over
	}
	if n.heartbeatElapsed >= n.cfg.HeartbeatTicks {
		n.heartbeatElapsed = 0
		n.bcastHeartbeat()
	}
}

// quorumActive reports whether a majority (counting this leader when it is a
// voter) was heard from since the last check, and starts a new check window.
func (n *Node) quorumActive() bool {
	active := 0
	for i := range n.prs {
		pr := &n.prs[i]
		if i == n.self || pr.recentActive {
			active++
		}
		pr.recentActive = false
	}
	return active >= n.quorum()
}

// promotable reports whether this node may start an election: it is a voter,
// or its own removal is not committed yet (dissertation §4.2.2: until then
// the cluster may still need it; it then campaigns without counting its own
// vote).
func (n *Node) promotable() bool {
	if n.self >= 0 {
		return true
	}
	_, wasVoter := searchID(n.conf.at(n.log.committed), n.id)
	return wasVoter
}

func (n *Node) becomeFollower(term, lead uint64) {
	if term != n.term {
		n.term = term
		n.vote = None
	}
	n.lead = lead
	n.role = Follower
	n.resetElectionTimer()
	n.heartbeatElapsed = 0
	n.transferee = None
	n.reads.reset()
	n.noteSoftState()
}

func (n *Node) becomePreCandidate() {
	// Term and vote stay: a pre-vote round changes nothing durable.
	n.role = PreCandidate
	n.lead = None
	n.clearVotes()
	n.noteSoftState()
}

func (n *Node) becomeCandidate() {
	n.term++
	n.vote = n.id
	n.lead = None
	n.role = Candidate
	n.clearVotes()
	n.resetElectionTimer()
	n.noteSoftState()
}

func (n *Node) becomeLeader() {
	n.role = Leader
	n.lead = n.id
	n.transferee = None
	n.leaseOff = false
	n.heartbeatElapsed = 0
	n.electionElapsed = 0
	n.reads.reset()
	n.reads.round = 0
	n.rebuildProgress(false)
	n.noteSoftState()
	// §5.4.2 / §8: the no-op lets the leader commit (and so learn the commit
	// index) without waiting for a client write.
	// PLANTED BUG (CommitOldTerm): a leader that commits earlier terms' entries
	// by counting replicas has no use for the no-op, and without it the
	// Figure 8 window opens at every election that inherits an uncommitted tail.
	if !n.cfg.Bugs.CommitOldTerm {
		n.appendEntry(EntryNormal, nil)
	}
	n.bcastPending = true
}

func (n *Node) clearVotes() {
	for i := range n.votes {
		n.votes[i] = 0
	}
}

func (n *Node) campaign(kind campaignKind) {
	n.bootQuiet = false
	msgType, term := MsgVote, n.term+1
	if kind == campaignPreElection {
		n.becomePreCandidate()
		msgType = MsgPreVote
	} else {
		n.becomeCandidate()
		term = n.term
	}
	if n.record(n.self, true) == voteWon {
		n.winElection(kind)
		return
	}
	var ctx uint64
	if kind == campaignTransfer {
		ctx = contextTransfer
	}
	lastIndex, lastTerm := n.log.lastIndex(), n.log.lastTerm()
	for i, id := range n.conf.voters() {
		if i == n.self {
			continue
		}
		n.send(Message{Type: msgType, To: id, Term: term, Index: lastIndex, LogTerm: lastTerm, Context: ctx})
	}
}

func (n *Node) winElection(kind campaignKind) {
	if kind == campaignPreElection {
		n.campaign(campaignElection)
		return
	}
	n.becomeLeader()
}

type voteResult uint8

const (
	votePending voteResult = iota
	voteWon
	voteLost
)

// record tallies one voter's answer (a voter answers once per round) and
// reports the outcome so far.
func (n *Node) record(i int, granted bool) voteResult {
	if i < 0 {
		return votePending
	}
	if n.votes[i] == 0 {
		if granted {
			n.votes[i] = 1
		} else {
			n.votes[i] = -1
		}
	}
	yes, no := 0, 0
	for _, v := range n.votes {
		switch v {
		case 1:
			yes++
		case -1:
			no++
		}
	}
	q := n.quorum()
	switch {
	case yes >= q:
		return voteWon
	case no > len(n.votes)-q:
		return voteLost
	}
	return votePending
}

// handleVote answers MsgVote / MsgPreVote (§5.2, §5.4.1).
func (n *Node) handleVote(m Message) {
	respType := MsgVoteResp
	if m.Type == MsgPreVote {
		respType = MsgPreVoteResp
	}
	// One vote per term: a repeat request from the same candidate gets the
	// same answer; a node that knows this term's leader votes for nobody else.
	canVote := n.vote == m.From ||
		(n.vote == None && n.lead == None) ||
		(m.Type == MsgPreVote && m.Term > n.term)
	if n.cfg.Bugs.VoteResetSameTerm && m.Type == MsgVote && n.role != Leader {
		canVote = true
	}
	if canVote && n.log.isUpToDate(m.Index, m.LogTerm) {
		// A pre-vote grant carries the term the candidate asked for; a real
		// grant is for our (just adopted) term.
		n.send(Message{Type: respType, To: m.From, Term: m.Term})
		if m.Type == MsgVote {
			n.electionElapsed = 0
			n.vote = m.From
		}
		return
	}
	n.send(Message{Type: respType, To: m.From, Term: n.term, Reject: true})
}

// handleVoteResp counts a vote for the running (pre-)election.
func (n *Node) handleVoteResp(m *Message) {
	switch {
	case n.role == PreCandidate && m.Type == MsgPreVoteResp:
	case n.role == Candidate && m.Type == MsgVoteResp:
	default:
		return // a reply to an election this node is no longer running
	}
	if m.Type == MsgPreVoteResp && !m.Reject && m.Term != n.term+1 {
		return // a grant for a pre-vote round of another term
	}
	switch n.record(n.position(m.From), !m.Reject) {
	case voteWon:
		if n.role == PreCandidate {
			n.winElection(campaignPreElection)
		} else {
			n.winElection(campaignElection)
		}
	case voteLost:
		n.becomeFollower(n.term, None)
	}
}
