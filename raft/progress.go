package raft

// progressState is how the leader currently replicates to one follower.
type progressState uint8

const (
	// stateProbe: the follower's match is unknown; one MsgApp at a time, the
	// next one after a reply or a heartbeat response.
	stateProbe progressState = iota
	// stateReplicate: the follower is known to match; MsgApp are pipelined up to
	// MaxInflightMsgs.
	stateReplicate
	// stateSnapshot: a snapshot is on its way; nothing else is sent until it is
	// acknowledged or presumed lost.
	stateSnapshot
)

// progress is the leader's view of one voter. The leader keeps one per voter,
// in the order of the sorted voter set, so lookups are positional.
type progress struct {
	id    uint64
	match uint64 // highest index known replicated
	next  uint64 // next index to send
	state progressState

	probeSent    bool   // stateProbe: a MsgApp is outstanding
	pendingSnap  uint64 // stateSnapshot: index of the snapshot sent
	idleRounds   int    // heartbeat replies since the last MsgAppResp (stall/snapshot loss detection)
	recentActive bool   // heard from since the last CheckQuorum round
	ackRound     uint64 // latest heartbeat round the follower confirmed
	sentCommit   uint64 // highest commit index told to the follower
	infl         inflights
}

func (pr *progress) becomeProbe() {
	if pr.state == stateSnapshot {
		// Assume the snapshot arrived; a rejection will back next up if not.
		pr.next = max(pr.match+1, pr.pendingSnap+1)
	} else {
		pr.next = pr.match + 1
	}
	pr.state = stateProbe
	pr.probeSent = false
	pr.pendingSnap = 0
	pr.idleRounds = 0
	pr.infl.reset()
}

func (pr *progress) becomeReplicate() {
	pr.state = stateReplicate
	pr.next = pr.match + 1
	pr.probeSent = false
	pr.pendingSnap = 0
	pr.idleRounds = 0
	pr.infl.reset()
}

func (pr *progress) becomeSnapshot(index uint64) {
	pr.state = stateSnapshot
	pr.pendingSnap = index
	pr.next = index + 1
	pr.probeSent = false
	pr.idleRounds = 0
	pr.infl.reset()
}

// paused reports whether the leader must not send the follower more entries now.
func (pr *progress) paused() bool {
	switch pr.state {
	case stateProbe:
		return pr.probeSent
	case stateReplicate:
		return pr.infl.full()
	}
	return true
}

// maybeUpdate records an acknowledged index; it reports whether match rose.
func (pr *progress) maybeUpdate(index uint64) bool {
	updated := false
	if pr.match < index {
		pr.match = index
		updated = true
		pr.probeSent = false
	}
	if pr.next < index+1 {
		pr.next = index + 1
	}
	return updated
}

// maybeDecrTo handles a rejection of the MsgApp whose previous index was
// rejected; next is where the follower's hint says to resume. It reports
// false for a stale rejection (of a message sent before the current state).
func (pr *progress) maybeDecrTo(rejected, next uint64) bool {
	switch pr.state {
	case stateReplicate:
		if rejected <= pr.match {
			return false
		}
		// The pipeline went wrong (loss or reordering): resume probing from the
		// last known match, narrowed by the hint.
		pr.becomeProbe()
		pr.next = max(pr.match+1, min(next, rejected))
		return true
	case stateProbe:
		// A rejection at or below match is stale (a duplicate, or one that
		// crossed an acknowledgement) — or comes from a follower that lost
		// entries it acknowledged, which probing at match+1 cannot repair:
		// answering it would leave one more endless probe/reject chain per
		// heartbeat reply and flood the link (the follower reports its loss).
		if rejected != pr.next-1 || rejected <= pr.match {
			return false
		}
		pr.next = max(pr.match+1, min(next, rejected))
		pr.probeSent = false
		return true
	}
	return false
}

// inflights is a ring of the last indexes of un-acknowledged MsgApp, bounded by
// MaxInflightMsgs: the pipelining window.
type inflights struct {
	buf   []uint64
	start int
	count int
}

func (in *inflights) init(size int) {
	if cap(in.buf) >= size {
		in.buf = in.buf[:size]
	} else {
		in.buf = make([]uint64, size)
	}
	in.reset()
}

func (in *inflights) reset()     { in.start, in.count = 0, 0 }
func (in *inflights) full() bool { return in.count == len(in.buf) }

func (in *inflights) add(last uint64) {
	i := in.start + in.count
	if i >= len(in.buf) {
		i -= len(in.buf)
	}
	in.buf[i] = last
	in.count++
}

// freeLE releases every message whose last index is ≤ index.
func (in *inflights) freeLE(index uint64) {
	for in.count > 0 && in.buf[in.start] <= index {
		in.start++
		if in.start == len(in.buf) {
			in.start = 0
		}
		in.count--
	}
}
