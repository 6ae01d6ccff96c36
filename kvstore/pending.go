package kvstore

// proposal is a client request this server proposed and has not answered yet.
type proposal struct {
	index    uint64 // log position raft gave the entry
	term     uint64 // term raft gave the entry: (index, term) names it uniquely
	clientID uint64
	seq      uint64
	attempt  uint32 // the proposed request's Attempt, echoed in the answer
	from     int    // client address to answer
}

// proposalQueue holds proposals ordered by index. Indices almost always arrive
// in order; after a lost leadership a newer term may reuse an index, which push
// handles by insertion from the back.
type proposalQueue struct {
	items []proposal
	head  int
}

func (q *proposalQueue) len() int { return len(q.items) - q.head }

func (q *proposalQueue) front() *proposal { return &q.items[q.head] }

// has reports whether a proposal of (clientID, seq) is queued. Linear: it runs
// only before refusing a request, and the queue is bounded by MaxPending.
func (q *proposalQueue) has(clientID, seq uint64) bool {
	for i := q.head; i < len(q.items); i++ {
		if q.items[i].clientID == clientID && q.items[i].seq == seq {
			return true
		}
	}
	return false
}

func (q *proposalQueue) pop() proposal {
	p := q.items[q.head]
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	}
	return p
}

func (q *proposalQueue) push(p proposal) {
	if q.head > 0 && q.head >= len(q.items)/2 {
		n := copy(q.items, q.items[q.head:])
		q.items, q.head = q.items[:n], 0
	}
	q.items = append(q.items, p)
	for i := len(q.items) - 1; i > q.head && q.items[i-1].index > p.index; i-- {
		q.items[i], q.items[i-1] = q.items[i-1], q.items[i]
	}
}
