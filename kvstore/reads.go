package kvstore

// pendingRead is a client read waiting for the leader to confirm it may answer.
type pendingRead struct {
	from     int
	clientID uint64
	seq      uint64
	attempt  uint32 // echoed in the answer
	key      string
	index    uint64 // the read index, once confirmed
}

// readQueue tracks reads served through raft.ReadIndex (ReadIndex and ReadLease
// modes). At most one ReadIndex request is outstanding; reads that arrive
// meanwhile wait and share the next one. A read may only use a read index
// requested after it arrived, and waiting for the outstanding request's answer
// before issuing the next keeps that true while batching reads under load.
type readQueue struct {
	waiting   []pendingRead // arrived, not yet covered by a request
	inflight  []pendingRead // covered by the outstanding request
	confirmed []pendingRead // read index known; answered once applied reaches it
	ctx       uint64        // outstanding request context, 0 if none
	issuedAt  uint64        // tick count when ctx was requested
	lastCtx   uint64        // last context ever requested
}

func (q *readQueue) len() int { return len(q.waiting) + len(q.inflight) + len(q.confirmed) }
