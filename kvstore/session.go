package kvstore

// result is what applying a command produced: the part of a Response the state
// machine decides, and what a session caches for retries.
type result struct {
	err   ErrKind
	found bool
	value string
}

// session is one client's deduplication state: the last applied Seq and, until
// the client acknowledges it, that operation's result.
type session struct {
	clientID uint64
	lastSeq  uint64
	lastUsed uint64 // applied index of the last command that touched the session
	cached   bool   // result is still held (not yet acknowledged through AckSeq)
	slot     int32  // own index in sessionTable.slots, so touch needs no map lookup
	result   result
	// LRU links (slot indices, noSlot at the ends): prev is less recently used.
	prev, next int32
}

const noSlot int32 = -1

// sessionTable holds at most max sessions. Order of use is a doubly linked list
// over slots, least recently used first. Because every touch happens at a
// strictly larger applied index, list order equals lastUsed order: expiry depends
// only on the applied log, never on map iteration, so every replica expires the
// same session at the same index.
type sessionTable struct {
	max   int
	byID  map[uint64]int32
	slots []session
	free  []int32
	head  int32 // least recently used
	tail  int32 // most recently used
}

func newSessionTable(max int) sessionTable {
	return sessionTable{
		max:  max,
		byID: make(map[uint64]int32, max),
		head: noSlot,
		tail: noSlot,
	}
}

// len returns the number of live sessions.
func (t *sessionTable) len() int { return len(t.byID) }

// lookup returns the session of clientID, or nil.
func (t *sessionTable) lookup(clientID uint64) *session {
	slot, ok := t.byID[clientID]
	if !ok {
		return nil
	}
	return &t.slots[slot]
}

// touch records that s was used at index, making it the most recently used.
func (t *sessionTable) touch(s *session, index uint64) {
	s.lastUsed = index
	slot := s.slot
	if t.tail == slot {
		return
	}
	t.unlink(slot)
	t.pushBack(slot)
}

// create adds a session for clientID used at index, expiring the least recently
// used session first if the table is full. It returns the new session and
// whether one expired.
func (t *sessionTable) create(clientID, index uint64) (s *session, expired bool) {
	if len(t.byID) >= t.max && t.head != noSlot {
		t.remove(t.head)
		expired = true
	}
	var slot int32
	if n := len(t.free); n > 0 {
		slot = t.free[n-1]
		t.free = t.free[:n-1]
	} else {
		t.slots = append(t.slots, session{})
		slot = int32(len(t.slots) - 1)
	}
	t.slots[slot] = session{clientID: clientID, lastUsed: index, slot: slot}
	t.byID[clientID] = slot
	t.pushBack(slot)
	return &t.slots[slot], expired
}

func (t *sessionTable) remove(slot int32) {
	t.unlink(slot)
	delete(t.byID, t.slots[slot].clientID)
	t.slots[slot] = session{} // drop the cached value for the collector
	t.free = append(t.free, slot)
}

func (t *sessionTable) unlink(slot int32) {
	s := &t.slots[slot]
	if s.prev != noSlot {
		t.slots[s.prev].next = s.next
	} else {
		t.head = s.next
	}
	if s.next != noSlot {
		t.slots[s.next].prev = s.prev
	} else {
		t.tail = s.prev
	}
	s.prev, s.next = noSlot, noSlot
}

func (t *sessionTable) pushBack(slot int32) {
	s := &t.slots[slot]
	s.prev, s.next = t.tail, noSlot
	if t.tail != noSlot {
		t.slots[t.tail].next = slot
	} else {
		t.head = slot
	}
	t.tail = slot
}

// each calls fn for every session from least to most recently used.
func (t *sessionTable) each(fn func(s *session)) {
	for slot := t.head; slot != noSlot; slot = t.slots[slot].next {
		fn(&t.slots[slot])
	}
}
