package checker

import "slices"

// maxUnsynced bounds the log writes remembered between two syncs (normally
// one: a host writes a Ready and waits for its sync). Past it the oldest are
// forgotten, and a restart that lost them all is reported as an observation.
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
}

func (u *undoLog) clear() { u.recs = u.recs[:0] }

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
	}
	u.recs = append(u.recs, r)
}

// rollBack makes n's log the state a restart found on disk: the one at the
// last sync or after one of the writes since, whichever ends at lastIndex —
// the oldest such (every unsynced write lost is the usual crash). It leaves
// the log as last written when no earlier state matches.
func (u *undoLog) rollBack(n *nodeState, lastIndex uint64) {
	j := slices.IndexFunc(u.recs, func(r undoRec) bool { return r.last == lastIndex })
	if j < 0 {
		return
	}
	for k := len(u.recs) - 1; k >= j; k-- {
		r := &u.recs[k]
		n.first, n.firstTerm, n.base = r.first, r.firstTerm, r.base
		n.log = append(n.log[:r.keep], r.tail...)
	}
}
