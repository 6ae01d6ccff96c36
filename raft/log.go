package raft

// raftLog is a node's in-memory log: a snapshot boundary followed by the
// entries after it, plus the commit/apply/persist cursors.
//
// The entry slice is append-only between truncations, and a truncation caps
// the slice's capacity so the next append reallocates. Slices handed out in
// Messages and Ready therefore never see a later write: the node shares log
// memory with its caller instead of copying it.
type raftLog struct {
	ents      []Entry // ents[i].Index == snapIndex+1+i
	snapIndex uint64
	snapTerm  uint64

	committed uint64 // highest index known committed
	applied   uint64 // highest index the application has applied (as of the last Advance)
	stabled   uint64 // highest index the host has persisted (as of the last Advance)
}

func (l *raftLog) firstIndex() uint64 { return l.snapIndex + 1 }

func (l *raftLog) lastIndex() uint64 { return l.snapIndex + uint64(len(l.ents)) }

func (l *raftLog) lastTerm() uint64 {
	if len(l.ents) == 0 {
		return l.snapTerm
	}
	return l.ents[len(l.ents)-1].Term
}

// term returns the term of the entry at i; ok is false when i is compacted
// away or beyond the log. Index 0 has term 0 (the empty prefix).
func (l *raftLog) term(i uint64) (t uint64, ok bool) {
	if i == l.snapIndex {
		return l.snapTerm, true
	}
	if i < l.snapIndex || i > l.lastIndex() {
		return 0, false
	}
	return l.ents[i-l.snapIndex-1].Term, true
}

func (l *raftLog) matchTerm(i, t uint64) bool {
	lt, ok := l.term(i)
	return ok && lt == t
}

// entry returns the entry at i, which must lie in (snapIndex, lastIndex].
func (l *raftLog) entry(i uint64) *Entry { return &l.ents[i-l.snapIndex-1] }

// slice returns entries [lo, hi) with capacity capped at the length, so a
// holder cannot append into the log's memory. lo must be > snapIndex.
func (l *raftLog) slice(lo, hi uint64) []Entry {
	a, b := lo-l.snapIndex-1, hi-l.snapIndex-1
	return l.ents[a:b:b]
}

// sliceLimited returns entries [lo, hi) cut so their data stays within
// maxBytes, always keeping at least one entry.
func (l *raftLog) sliceLimited(lo, hi, maxBytes uint64) []Entry {
	ents := l.slice(lo, hi)
	var size uint64
	for i := range ents {
		size += uint64(len(ents[i].Data))
		if size > maxBytes && i > 0 {
			return ents[:i:i]
		}
	}
	return ents
}

// isUpToDate is the §5.4.1 election restriction: a log ending in (index, term)
// is at least as up-to-date as ours.
func (l *raftLog) isUpToDate(index, term uint64) bool {
	lt := l.lastTerm()
	return term > lt || (term == lt && index >= l.lastIndex())
}

// append adds entries right after the last index. Callers guarantee
// contiguity; the entry structs are copied, their Data is shared.
func (l *raftLog) append(ents ...Entry) { l.ents = append(l.ents, ents...) }

// truncateFrom drops every entry at index ≥ i. The capacity cap makes the next
// append copy, so memory already handed out stays untouched.
func (l *raftLog) truncateFrom(i uint64) {
	if i > l.lastIndex() {
		return
	}
	k := i - l.snapIndex - 1
	l.ents = l.ents[:k:k]
	if l.stabled >= i {
		l.stabled = i - 1
	}
}

// findConflict returns the index of the first entry in ents that is not in
// the log (beyond it, or with a different term), 0 if all are present.
func (l *raftLog) findConflict(ents []Entry) uint64 {
	for i := range ents {
		if !l.matchTerm(ents[i].Index, ents[i].Term) {
			return ents[i].Index
		}
	}
	return 0
}

// firstIndexOfTerm scans back from i (which holds term t) to the first index
// of that term, stopping at floor: entries at or below floor are known to
// match the leader, so the hint need not go further.
func (l *raftLog) firstIndexOfTerm(i, t, floor uint64) uint64 {
	for i > floor+1 && i-1 > l.snapIndex {
		pt, _ := l.term(i - 1)
		if pt != t {
			break
		}
		i--
	}
	return i
}

// lastIndexOfTermBelow returns the highest index < below whose term is t, if
// the log holds one. Terms are non-decreasing along the log, so the scan stops
// at the first term ≤ t.
func (l *raftLog) lastIndexOfTermBelow(t, below uint64) (uint64, bool) {
	i := below - 1
	if i > l.lastIndex() {
		i = l.lastIndex()
	}
	for {
		lt, ok := l.term(i)
		if !ok || lt < t {
			return 0, false
		}
		if lt == t {
			return i, true
		}
		if i == 0 {
			return 0, false
		}
		i--
	}
}

// compactTo discards entries up to and including index (term t), copying the
// rest so the discarded prefix can be collected.
func (l *raftLog) compactTo(index, t uint64) {
	rest := l.ents[index-l.snapIndex:]
	ents := make([]Entry, len(rest), len(rest)+16)
	copy(ents, rest)
	l.ents = ents
	l.snapIndex, l.snapTerm = index, t
	if l.stabled < index {
		l.stabled = index
	}
}

// restore replaces the whole log by a snapshot boundary.
func (l *raftLog) restore(index, t uint64) {
	l.ents = nil
	l.snapIndex, l.snapTerm = index, t
	l.committed = index
	l.stabled = index
}
