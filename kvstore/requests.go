package kvstore

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// readRetryFactor: a ReadIndex request unanswered for this many election
// timeouts is issued again (its heartbeat round was lost); the client's own
// timeout usually fires first.
const readRetryFactor = 2

// handleRequest answers or proposes a client request.
//
// A server that does not lead answers ErrNotLeader with the leader it knows as
// LeaderHint instead of forwarding: the client learns the leader in one round
// trip, and the outcome stays definite (nothing was proposed), which a
// forwarded request that times out could not promise.
func (s *Server) handleRequest(from int, req *Request) {
	if !req.Op.valid() ||
		len(req.Key) > maxCommandField || len(req.Value) > maxCommandField || len(req.Expected) > maxCommandField {
		// Malformed: reject it here rather than propose what no replica could
		// decode. Such a request is never proposed, so no copy of it can be
		// pending (see refuse).
		s.reject(from, req, ErrDropped)
		return
	}
	if req.Op == OpGet && (s.cfg.ReadMode != ReadLog || s.cfg.Bugs.StaleLocalRead) {
		s.handleRead(from, req)
		return
	}
	switch {
	case s.role != raft.Leader:
		s.refuse(from, req, ErrNotLeader)
		return
	case s.pending() >= s.cfg.MaxPending:
		s.refuse(from, req, ErrDropped)
		return
	}
	s.cmdBuf = AppendRequest(s.cmdBuf[:0], req)
	index, term, err := s.node.Propose(s.arena.clone(s.cmdBuf))
	switch {
	case err == nil:
		s.stats.Proposed++
		s.proposals.push(proposal{index: index, term: term, clientID: req.ClientID, seq: req.Seq, attempt: req.Attempt, from: from})
	case errors.Is(err, raft.ErrNotLeader):
		s.refuse(from, req, ErrNotLeader)
	default:
		// E.g. raft.ErrProposalDropped during a leadership transfer: nothing
		// was proposed, so the failure is definite.
		s.refuse(from, req, ErrDropped)
	}
}

// refuse rejects req with a definite failure (ErrNotLeader or ErrDropped)
// unless an earlier copy of it (the network duplicated it, or the client
// resent it here) was proposed by this server and is still unanswered. The
// rejection would then be false: that proposal may yet commit, and its own
// answer (the result, or ErrLeaderChanged) is the one the client must act on.
// That answer echoes the proposed request's Attempt, not req's: it is an
// outcome of the operation, which a client takes whichever attempt it names.
func (s *Server) refuse(from int, req *Request, kind ErrKind) {
	if s.proposals.has(req.ClientID, req.Seq) {
		return
	}
	s.reject(from, req, kind)
}

// reject answers req with the error kind alone.
func (s *Server) reject(from int, req *Request, kind ErrKind) {
	s.reply(from, req.ClientID, req.Seq, req.Attempt, result{err: kind})
}

// pending counts requests waiting for an answer: what MaxPending bounds.
func (s *Server) pending() int { return s.proposals.len() + s.reads.len() }

// handleRead serves a get outside the log, as the read mode says. Such a get
// is never proposed, so its rejections need no refuse.
func (s *Server) handleRead(from int, req *Request) {
	switch {
	case s.cfg.ReadMode == ReadLocal:
		// Deliberately unsafe: any node, leader or not, answers from its own
		// possibly stale state.
		s.replyLocalRead(from, req)
		return
	case s.wallLease() && s.applied >= s.commit:
		// Planted bug (LeaseWallClock): served on the strength of a deadline
		// on the local clock, even by a node that no longer leads.
		s.replyLocalRead(from, req)
		return
	case s.role != raft.Leader:
		s.reject(from, req, ErrNotLeader)
		return
	case s.cfg.Bugs.StaleLocalRead:
		// Planted bug: a leader that may already be deposed answers without
		// confirming its leadership.
		s.replyLocalRead(from, req)
		return
	case s.pending() >= s.cfg.MaxPending:
		s.reject(from, req, ErrDropped)
		return
	}
	s.reads.waiting = append(s.reads.waiting, pendingRead{from: from, clientID: req.ClientID, seq: req.Seq, attempt: req.Attempt, key: req.Key})
	s.issueReads()
}

// wallLease reports whether Bugs.LeaseWallClock's lease holds now: the
// deadline alone decides, whether this node still leads or not.
func (s *Server) wallLease() bool {
	if !s.cfg.Bugs.LeaseWallClock || s.cfg.ReadMode != ReadLease {
		return false
	}
	return s.env.Now() < s.leaseUntil
}

// setWallLease extends Bugs.LeaseWallClock's deadline on every tick of a
// leader. Raft's lease lapses at the tick LeaseTicksLeft ticks from now, so
// each new deadline is exact on this host's clock, drift included, and
// without clock steps the latest never outlasts raft's lease. But a deadline
// is only ever pushed later: once the clock is stepped back by d, the
// deadline set before the step holds d longer than raft's lease, and a
// leader deposed meanwhile still answers reads.
func (s *Server) setWallLease() {
	if !s.cfg.Bugs.LeaseWallClock || s.cfg.ReadMode != ReadLease || s.role != raft.Leader {
		return
	}
	if left := s.lease.LeaseTicksLeft(); left > 0 {
		s.leaseUntil = max(s.leaseUntil, s.env.Now()+int64(left)*s.cfg.TickInterval)
	}
}

func (s *Server) replyLocalRead(from int, req *Request) {
	v, ok := s.sm.getString(req.Key)
	s.stats.ReadsServed++
	s.reply(from, req.ClientID, req.Seq, req.Attempt, result{value: v, found: ok})
}

// reply sends a Response to a client and counts the failures it reports.
// attempt is the answered request's Attempt, echoed.
func (s *Server) reply(to int, clientID, seq uint64, attempt uint32, r result) {
	resp := s.respSlab.next()
	*resp = Response{
		ClientID: clientID,
		Seq:      seq,
		Err:      r.err,
		Value:    r.value,
		Found:    r.found,
		Node:     int(s.id),
		Term:     s.term,
		Attempt:  attempt,
	}
	switch r.err {
	case ErrNotLeader:
		s.stats.NotLeader++
		if s.lead != raft.None && s.lead != s.id {
			resp.LeaderHint = int(s.lead)
		}
	case ErrDropped:
		s.stats.Dropped++
	case ErrLeaderChanged:
		s.stats.LeaderChanged++
	}
	s.env.Send(to, resp)
}

// issueReads asks raft to confirm a read index for the waiting reads, unless a
// request is already outstanding (its answer triggers the next one).
func (s *Server) issueReads() {
	q := &s.reads
	if q.ctx != 0 || len(q.waiting) == 0 {
		return
	}
	if s.role != raft.Leader {
		s.failReads(&q.waiting, ErrNotLeader)
		return
	}
	ctx := q.lastCtx + 1
	if err := s.node.ReadIndex(ctx); err != nil {
		kind := ErrDropped
		if errors.Is(err, raft.ErrNotLeader) {
			kind = ErrNotLeader
		}
		s.failReads(&q.waiting, kind)
		return
	}
	q.lastCtx, q.ctx, q.issuedAt = ctx, ctx, s.ticks
	q.inflight, q.waiting = append(q.inflight, q.waiting...), q.waiting[:0]
}

// confirmReads records the read indices raft confirmed.
func (s *Server) confirmReads(states []raft.ReadState) {
	q := &s.reads
	for _, rs := range states {
		switch {
		case rs.Context > q.lastCtx || rs.Context == 0:
			s.anomaly(fmt.Errorf("read state for context %d, which was never requested (last %d)", rs.Context, q.lastCtx))
		case rs.Context != q.ctx:
			// An answer to a request that was re-issued: its reads moved on.
		case rs.Index > s.commit && rs.Index > s.applied:
			s.anomaly(fmt.Errorf("read index %d is beyond the commit index %d", rs.Index, s.commit))
		default:
			for i := range q.inflight {
				q.inflight[i].index = rs.Index
			}
			q.confirmed = append(q.confirmed, q.inflight...)
			clear(q.inflight)
			q.inflight, q.ctx = q.inflight[:0], 0
		}
	}
}

// serveReads answers confirmed reads whose index has been applied. A confirmed
// read stays valid after a leadership change: its index was confirmed while
// this node led, and applying it only moves the state forward.
func (s *Server) serveReads() {
	q := &s.reads
	kept := q.confirmed[:0]
	for _, r := range q.confirmed {
		if r.index > s.applied {
			kept = append(kept, r)
			continue
		}
		v, ok := s.sm.getString(r.key)
		s.stats.ReadsServed++
		s.reply(r.from, r.clientID, r.seq, r.attempt, result{value: v, found: ok})
	}
	clear(q.confirmed[len(kept):])
	q.confirmed = kept
}

// retryReads re-issues a ReadIndex request that went unanswered too long (its
// heartbeats or their replies were lost). Called every tick.
func (s *Server) retryReads() {
	q := &s.reads
	limit := uint64(readRetryFactor * max(s.cfg.Raft.ElectionTicks, 1))
	if q.ctx == 0 || s.ticks-q.issuedAt < limit {
		return
	}
	s.stats.ReadRetries++
	q.waiting = append(q.inflight, q.waiting...)
	q.inflight, q.ctx = nil, 0
	s.issueReads()
}

// failUnconfirmedReads answers reads that no longer can be confirmed because
// this node stopped leading. They changed nothing, so ErrNotLeader is exact.
func (s *Server) failUnconfirmedReads() {
	q := &s.reads
	s.failReads(&q.waiting, ErrNotLeader)
	s.failReads(&q.inflight, ErrNotLeader)
	q.ctx = 0
}

// failReads answers every read in reads with kind and empties it.
func (s *Server) failReads(reads *[]pendingRead, kind ErrKind) {
	for _, r := range *reads {
		s.reply(r.from, r.clientID, r.seq, r.attempt, result{err: kind})
	}
	clear(*reads)
	*reads = (*reads)[:0]
}
