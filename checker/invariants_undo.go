package checker

import "slices"

// maxUnsynced bounds the log writes remembered between two syncs (normally
// one: a host writes a Ready and waits for its sync). Past it the oldest are
// forgotten, and a restart that matches none of the states left is not held
// to the synced one (which is no longer known).
const maxUnsynced = 256

// undoRec undoes one log write (Append or Snapshot) not yet known durable:
// it holds what the log looked like before the write.
type undoRec struct {
	first, firstTerm, base uint64
	keep                   int      // entries before the write's first index, untouched by it
	tail                   []logRec // the entries the write replaced (nil: it only appended)
	last                   uint64   // the log's last index before the write
}

// undoLog is the log writes a node made since its last sync. A crash may lose
// them (all of them when unsynced writes are lost; the newest ones when only
// a prefix survives or the last is torn), and a lost write that truncated the
// log brings back the suffix it replaced: the node then restarts with a log
// longer than the one it last wrote, and with other entries in it.
type undoLog struct {
	recs []undoRec
	lost bool // records were forgotten (past maxUnsynced): the synced state is unknown
}

func (u *undoLog) clear() { u.recs, u.lost = u.recs[:0], false }

// note records n's log before a write that replaces it from index from on
// (n.first < from ≤ n.last()+1).
func (u *undoLog) note(n *nodeState, from uint64) {
	keep := int(from - n.first - 1)
	r := undoRec{first: n.first, firstTerm: n.firstTerm, base: n.base, keep: keep, last: n.last()}
	if keep < len(n.log) {
		r.tail = append([]logRec(nil), n.log[keep:]...)
	}
	u.push(r)
}

// noteAll records n's whole log before a write that replaces all of it (a
// snapshot install).
func (u *undoLog) noteAll(n *nodeState) {
	u.push(undoRec{first: n.first, firstTerm: n.firstTerm, base: n.base,
		tail: append([]logRec(nil), n.log...), last: n.last()})
}

// push appends r, forgetting the oldest record once maxUnsynced are held.
func (u *undoLog) push(r undoRec) {
	if len(u.recs) == maxUnsynced {
		u.recs = append(u.recs[:0], u.recs[1:]...)
		u.lost = true
	}
	u.recs = append(u.recs, r)
}

// rollOutcome is what rollBack made of the log a restart recovered.
type rollOutcome int

const (
	// rollMatched: n's log is now the state the disk held.
	rollMatched rollOutcome = iota
	// rollUnknown: several states with different histories end at the
	// recovered last entry; n's log is now an unknown prefix ending there.
	rollUnknown
	// rollNone: no state since the last sync ends at the recovered last
	// entry; n's log is now the state at the last sync.
	rollNone
)

// logEnd is where a log state ends: its last index, the term there and the
// chain hash up to there.
type logEnd struct{ last, term, chain uint64 }

func (n *nodeState) end() logEnd {
	last := n.last()
	term := n.firstTerm
	if len(n.log) > 0 {
		term = n.log[len(n.log)-1].term
	}
	return logEnd{last: last, term: term, chain: n.chainAt(last)}
}

// undo restores the log state from before the write r records.
func (n *nodeState) undo(r *undoRec) {
	n.first, n.firstTerm, n.base = r.first, r.firstTerm, r.base
	n.log = append(n.log[:r.keep], r.tail...)
}

// forget makes n's log an unknown prefix ending at (last, term): later
// entries are still checked against each other, the prefix no longer is.
func (n *nodeState) forget(last, term uint64) {
	n.first, n.firstTerm, n.base, n.log = last, term, 0, n.log[:0]
}

// rollBack makes n's log the state a restart found on disk: the one at the
// last sync or after one of the writes since, whichever ends at (lastIndex,
// lastTerm); lastTerm 0 with lastIndex > 0 matches any term. When several
// states end there they must hold the same history (then the oldest is
// taken); when they may not, which one survived is unknown and so is the
// log's prefix (rollUnknown). It also returns the states' extent: the last
// index at the last sync and the highest last index of any of them.
func (u *undoLog) rollBack(n *nodeState, lastIndex, lastTerm uint64) (out rollOutcome, syncedLast, maxLast uint64) {
	m := len(u.recs)
	// ends[j] is where the state before write j ends; ends[m] the current.
	ends := make([]logEnd, m+1)
	ends[m] = n.end()
	if m > 0 {
		s := nodeState{first: n.first, firstTerm: n.firstTerm, base: n.base, log: slices.Clone(n.log)}
		for k := m - 1; k >= 0; k-- {
			s.undo(&u.recs[k])
			ends[k] = s.end()
		}
	}
	termKnown := lastTerm != 0 || lastIndex == 0
	match, ambiguous := -1, false
	for j, e := range ends {
		maxLast = max(maxLast, e.last)
		if e.last != lastIndex || (termKnown && e.term != lastTerm) {
			continue
		}
		if match < 0 {
			match = j
		} else if e.term != ends[match].term || e.chain == 0 || e.chain != ends[match].chain {
			ambiguous = true
		}
	}
	out, target := rollMatched, match
	if match < 0 {
		out, target = rollNone, 0
	}
	for k := m - 1; k >= target; k-- {
		n.undo(&u.recs[k])
	}
	if ambiguous {
		out = rollUnknown
		n.forget(lastIndex, lastTerm)
	}
	return out, ends[0].last, maxLast
}
