package sim

// NextAt returns the time of the earliest queued event and true, or false
// when nothing is queued. The earliest may be a cancelled timer or an event
// of a crashed incarnation, which Run discards without acting: NextAt is a
// lower bound on when the world next acts. Live mode, which paces the world
// to the wall clock, sleeps until then.
func (w *World) NextAt() (Time, bool) {
	if w.q.len() == 0 {
		return 0, false
	}
	return w.q.heap[0].at, true
}
