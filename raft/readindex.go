package raft

import "slices"

// Linearizable reads without writing to the log (§6.4 of the dissertation).
//
// ReadOnlySafe: a read registered at commit index c is answered once a
// heartbeat round sent after it is acknowledged by a majority, which proves
// no newer leader had been elected when it was registered; it waits first
// for the leader's first commit of its term, so c covers every entry
// committed by earlier leaders. Reads registered before the same Ready share
// one round.
//
// ReadOnlyLeaseBased: the leader also keeps a lease. When a majority
// acknowledges a heartbeat round sent at leader tick T, each of them ignores
// vote requests for ElectionTicks ticks of its own clock after receiving it
// (CheckQuorum's lease check; a restarted node does the same after boot), so
// no other leader can be elected before T + ElectionTicks−1 follower ticks.
// The leader serves reads without a round while its tick count is below
// T + ElectionTicks − 2: one tick of margin for the quantization of ticks and
// one for clock drift. The lease is therefore safe only while no follower's
// clock runs faster than the leader's by more than a factor of
// (ElectionTicks−1)/(ElectionTicks−2) (12.5% at ElectionTicks = 10) and the
// leader's ticks are not delayed (a paused leader process whose tick timer
// fires late holds a lease it no longer has): drift or pauses beyond that
// break linearizability. The lease is also dropped for the rest of the term
// once the leader sends MsgTimeoutNow (the target may win an election that
// ignores leases). Without a valid lease a read falls back to a round.

// minLeaseElectionTicks is the smallest ElectionTicks that leaves a lease.
const minLeaseElectionTicks = 4

// maxPendingReads bounds reads waiting at the leader; beyond it ReadIndex
// returns ErrProposalDropped and forwarded requests are dropped.
const maxPendingReads = 4096

// roundRing is how many recent heartbeat rounds remember their send tick.
const roundRing = 64

type readReq struct {
	ctx   uint64
	from  uint64 // the requesting node (this one for a local read)
	index uint64 // commit index when registered
	round uint64 // the heartbeat round that must reach a majority
}

// readState is the leader's read machinery; it is reset on every role change.
type readState struct {
	queue        []readReq // registered reads, rounds non-decreasing
	head         int
	waiting      []readReq // arrived before the first commit of the term
	round        uint64    // last heartbeat round started
	roundPending bool      // a registered read waits for round+1
	roundTick    [roundRing]uint64
	leaseTick    uint64 // send tick of the newest round a majority confirmed
	leaseValid   bool
}

func (r *readState) reset() {
	r.queue = r.queue[:0]
	r.head = 0
	r.waiting = r.waiting[:0]
	r.roundPending = false
	r.leaseValid = false
}

func (r *readState) pending() int { return len(r.queue) - r.head + len(r.waiting) }

func (r *readState) startRound(tick uint64) uint64 {
	r.round++
	r.roundTick[r.round%roundRing] = tick
	r.roundPending = false
	return r.round
}

// ReadIndex requests a linearizable read point. The answer arrives later as
// a Ready.ReadStates entry {Index, Context: ctx}: the read may be served once
// the application has applied Index. On the leader it returns
// ErrProposalDropped when too many reads are pending. A follower forwards the
// request to the leader it knows (MsgReadIndex) and returns ErrNotLeader when
// it knows none; a forwarded request or its answer may be lost, so callers
// time reads out. Pending reads are dropped when the leader loses leadership
// (observe Ready.SoftState).
func (n *Node) ReadIndex(ctx uint64) error {
	if n.role != Leader {
		if n.lead == None || n.role != Follower {
			return n.fail(ErrNotLeader, None, "")
		}
		n.send(Message{Type: MsgReadIndex, To: n.lead, Term: n.term, Context: ctx})
		return nil
	}
	if n.reads.pending() >= maxPendingReads {
		return n.fail(ErrProposalDropped, None, "too many pending reads")
	}
	n.handleReadIndex(n.id, ctx)
	return nil
}

func (n *Node) handleReadIndex(from, ctx uint64) {
	if n.reads.pending() >= maxPendingReads {
		return
	}
	req := readReq{ctx: ctx, from: from}
	// PLANTED BUG (ReadBeforeTermCommit, etcd #7331): the read is fixed at a
	// new leader's commit index, which may lag what the last leader committed.
	if t, _ := n.log.term(n.log.committed); t != n.term && !n.cfg.Bugs.ReadBeforeTermCommit {
		n.reads.waiting = append(n.reads.waiting, req)
		return
	}
	n.registerRead(req)
}

// registerRead fixes the read's index at the current commit and answers it
// now under a lease, or after the next heartbeat round.
func (n *Node) registerRead(req readReq) {
	req.index = n.log.committed
	if n.leaseHeld() {
		n.answerRead(&req)
		return
	}
	req.round = n.reads.round + 1
	n.reads.queue = append(n.reads.queue, req)
	n.reads.roundPending = true
}

// releaseWaitingReads registers reads that waited for the term's first commit.
func (n *Node) releaseWaitingReads() {
	if len(n.reads.waiting) == 0 {
		return
	}
	for _, req := range n.reads.waiting {
		n.registerRead(req)
	}
	n.reads.waiting = n.reads.waiting[:0]
}

func (n *Node) answerRead(req *readReq) {
	if req.from == n.id {
		n.readStates = append(n.readStates, ReadState{Index: req.index, Context: req.ctx})
		return
	}
	n.send(Message{Type: MsgReadIndexResp, To: req.from, Term: n.term, Index: req.index, Context: req.ctx})
}

// onRoundAck answers reads whose round a majority has now confirmed, and
// extends the lease.
func (n *Node) onRoundAck() {
	r := &n.reads
	for r.head < len(r.queue) {
		round := r.queue[r.head].round
		if !n.roundConfirmed(round) {
			break
		}
		for r.head < len(r.queue) && r.queue[r.head].round <= round {
			n.answerRead(&r.queue[r.head])
			r.head++
		}
	}
	if r.head > len(r.queue)/2 {
		// Reclaim the answered prefix: under a steady stream of reads a
		// newer one always waits for the next round, so the queue never
		// drains, and without this it would grow with every read of the
		// term. Copying only past the halfway point keeps it amortized O(1).
		k := copy(r.queue, r.queue[r.head:])
		r.queue, r.head = r.queue[:k], 0
	}
	if n.cfg.ReadOnly == ReadOnlyLeaseBased {
		n.updateLease()
	}
}

// roundConfirmed reports whether a majority acknowledged round or a later one.
func (n *Node) roundConfirmed(round uint64) bool {
	acks := 0
	for i := range n.prs {
		if n.prs[i].ackRound >= round {
			acks++
		}
	}
	return acks >= n.quorum()
}

func (n *Node) updateLease() {
	ms := n.scratch[:len(n.prs)]
	for i := range n.prs {
		ms[i] = n.prs[i].ackRound
	}
	// The majority-confirmed round is the quorum-th highest acknowledgment
	// (as the commit index is the quorum-th highest match in maybeCommit).
	slices.Sort(ms)
	round := ms[len(ms)-n.quorum()]
	if round == 0 || round+roundRing <= n.reads.round {
		return
	}
	tick := n.reads.roundTick[round%roundRing]
	if !n.reads.leaseValid || tick > n.reads.leaseTick {
		n.reads.leaseTick = tick
		n.reads.leaseValid = true
	}
}

// leaseHeld reports whether a lease read is safe now (see the package
// comment on leases above).
func (n *Node) leaseHeld() bool {
	if n.cfg.Bugs.LeaseWithoutCheckQuorum && !n.cfg.CheckQuorum {
		// PLANTED BUG: the lease is taken to last as long as the leadership,
		// which is what CheckQuorum guarantees (a leader without a quorum
		// steps down within an election timeout; etcd's lease reads rely on
		// exactly that) — but CheckQuorum is off, so a partitioned leader
		// never steps down and serves stale reads for as long as it is cut off.
		return n.cfg.ReadOnly == ReadOnlyLeaseBased && n.reads.leaseValid && !n.leaseOff && n.transferee == None
	}
	return n.cfg.ReadOnly == ReadOnlyLeaseBased &&
		n.reads.leaseValid &&
		!n.leaseOff &&
		n.transferee == None &&
		n.ticks-n.reads.leaseTick < uint64(n.cfg.ElectionTicks-2)
}

// LeaseTicksLeft returns how many more ticks this node's read lease lasts: 0
// unless it leads with ReadOnlyLeaseBased, holds a lease and has committed an
// entry of its term (until then its commit index may lag the last leader's).
// The lease lapses at the tick that brings the count to 0, so a caller that
// serves reads from it without calling ReadIndex must ask again on every tick
// and every read: turning the count into a wall-clock deadline trusts a clock
// that an operator or NTP may step backwards (kvstore's LeaseWallClock
// planted bug does exactly that).
func (n *Node) LeaseTicksLeft() uint64 {
	if n.role != Leader || !n.leaseHeld() {
		return 0
	}
	if t, _ := n.log.term(n.log.committed); t != n.term {
		return 0
	}
	used := n.ticks - n.reads.leaseTick
	if limit := uint64(n.cfg.ElectionTicks - 2); used < limit {
		return limit - used
	}
	return 0 // reached only under LeaseWithoutCheckQuorum: its endless lease counts no ticks
}
