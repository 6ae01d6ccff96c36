package kvstore

import "unsafe"

// kvPair is one key and its value.
type kvPair struct {
	key   string
	value string
	// grow, when set, is the buffer that value views after appends. Appends
	// only ever write past len(value), never over bytes a string already
	// shows, so every value handed out stays immutable while a key that is
	// appended to n times costs O(n) copying instead of O(n²).
	grow []byte
}

// machine is the replicated state machine: string keys and values plus the
// client session table. Every replica applies the same commands in the same
// order and must reach the same state; nothing here may depend on time, map
// order or anything outside the applied log.
type machine struct {
	// index maps a key to its position in pairs. Pairs live in a slice so that
	// updating an existing key needs no map write (and no string allocation for
	// the key), and deletion is a swap with the last pair.
	index    map[string]int32
	pairs    []kvPair
	sessions sessionTable
	noDedup  bool // Bugs.NoDedup: ignore sessions, so retries apply again

	expired uint64 // sessions expired so far (statistics)
}

func newMachine(maxSessions int, noDedup bool) *machine {
	return &machine{
		index:    make(map[string]int32),
		sessions: newSessionTable(maxSessions),
		noDedup:  noDedup,
	}
}

// get reads key. The lookup with a converted []byte does not allocate.
func (m *machine) get(key []byte) (string, bool) {
	i, ok := m.index[string(key)]
	if !ok {
		return "", false
	}
	return m.pairs[i].value, true
}

// getString reads key given as a string.
func (m *machine) getString(key string) (string, bool) {
	i, ok := m.index[key]
	if !ok {
		return "", false
	}
	return m.pairs[i].value, true
}

// set stores value under key; the key is copied into a string only when new.
func (m *machine) set(key []byte, value string) {
	if i, ok := m.index[string(key)]; ok {
		m.pairs[i].value, m.pairs[i].grow = value, nil
		return
	}
	k := string(key)
	m.index[k] = int32(len(m.pairs))
	m.pairs = append(m.pairs, kvPair{key: k, value: value})
}

// appendTo appends suffix to key's value (a missing key is empty) and returns
// the new value.
func (m *machine) appendTo(key, suffix []byte) string {
	i, ok := m.index[string(key)]
	if !ok {
		v := string(suffix)
		m.set(key, v)
		return v
	}
	p := &m.pairs[i]
	if p.grow == nil {
		p.grow = make([]byte, len(p.value), 2*(len(p.value)+len(suffix)))
		copy(p.grow, p.value)
	}
	p.grow = append(p.grow, suffix...)
	p.value = unsafe.String(unsafe.SliceData(p.grow), len(p.grow))
	return p.value
}

// del removes key and reports whether it existed.
func (m *machine) del(key []byte) bool {
	i, ok := m.index[string(key)]
	if !ok {
		return false
	}
	last := int32(len(m.pairs) - 1)
	delete(m.index, m.pairs[i].key)
	if i != last {
		m.pairs[i] = m.pairs[last]
		m.index[m.pairs[i].key] = i
	}
	m.pairs[last] = kvPair{}
	m.pairs = m.pairs[:last]
	return true
}

// apply applies c, the command of the entry at index, and returns its result.
//
// Sessions give exactly-once semantics: a command whose Seq equals the session's
// last Seq is a retry and gets the cached result without touching the data; a
// Seq below it can no longer be answered (ErrSessionExpired) and is not applied,
// because a later operation of the same client has been applied since.
func (m *machine) apply(index uint64, c *command) result {
	if m.noDedup {
		return m.exec(c)
	}
	s := m.sessions.lookup(c.clientID)
	if s != nil {
		if c.ackSeq >= s.lastSeq {
			// The client holds the reply: the cached value will never be asked for.
			s.cached, s.result = false, result{}
		}
		switch {
		case c.seq < s.lastSeq:
			return result{err: ErrSessionExpired}
		case c.seq == s.lastSeq:
			m.sessions.touch(s, index)
			if !s.cached {
				return result{err: ErrSessionExpired}
			}
			return s.result
		}
		m.sessions.touch(s, index)
	} else {
		var expired bool
		if s, expired = m.sessions.create(c.clientID, index); expired {
			m.expired++
		}
	}
	r := m.exec(c)
	s.lastSeq = c.seq
	s.cached, s.result = true, r
	return r
}

// exec performs the operation itself.
func (m *machine) exec(c *command) result {
	switch c.op {
	case OpGet:
		v, ok := m.get(c.key)
		return result{value: v, found: ok}
	case OpPut:
		v := string(c.value)
		m.set(c.key, v)
		return result{value: v, found: true}
	case OpAppend:
		return result{value: m.appendTo(c.key, c.value), found: true}
	case OpCAS:
		cur, ok := m.get(c.key)
		if !ok || cur != string(c.expected) {
			return result{err: ErrCASMismatch, value: cur, found: ok}
		}
		v := string(c.value)
		m.set(c.key, v)
		return result{value: v, found: true}
	case OpDelete:
		return result{found: m.del(c.key)}
	}
	// decode rejects unknown operations; reaching here is a programming error.
	panic("kvstore: exec of an unknown operation")
}
