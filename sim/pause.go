package sim

// A paused host (SIGSTOP, a long GC pause) runs nothing: messages, due timers
// and sync completions queue up in arrival order and are handed over one
// event at a time after Resume, before anything that arrives later.

// heldItem is a message, timer or sync completion a paused host holds back.
type heldItem struct {
	msg   any
	tag   uint64
	from  int32 // sender's host index (messages)
	kind  HeldKind
	mkind uint8
}

// Pause stops the process like SIGSTOP: no timer fires and no message or sync
// completion is handed to it until Resume. Pausing a down or paused host does
// nothing.
func (h *Host) Pause() {
	if !h.alive || h.paused {
		return
	}
	h.paused = true
	h.w.trace.add(KindPause, h.addr, 0, 0, 0)
}

// Resume continues a paused process: what it held back is handed over in
// arrival order, one event each, before anything that arrives later.
func (h *Host) Resume() {
	if !h.alive || !h.paused {
		return
	}
	h.paused = false
	h.w.trace.add(KindResume, h.addr, 0, int64(h.heldLen()), 0)
	h.scheduleDrain()
}

func (h *Host) scheduleDrain() {
	if h.draining || h.heldLen() == 0 {
		return
	}
	s, ok := h.w.schedule(0, evDrain)
	if !ok {
		return
	}
	e := &h.w.q.slab[s]
	e.to, e.inc = int32(h.idx), h.inc
	h.draining = true
}

func (h *Host) heldLen() int { return len(h.held) - h.heldHead }

func (h *Host) clearHeld() {
	clear(h.held) // drop references
	h.held = h.held[:0]
	h.heldHead = 0
	h.heldMsgs = 0
}

// holdMessage queues a message at a paused (or still draining) host.
func (h *Host) holdMessage(fi int, msg any, mk uint8) {
	n := &h.w.net
	from := h.w.hosts[fi].addr
	if h.heldMsgs >= h.w.cfg.Net.PausedQueue {
		n.stats.DroppedPausedOverflow++
		h.w.trace.add(KindDrop, from, h.addr, int64(DropPausedOverflow), int64(mk))
		return
	}
	h.heldMsgs++
	n.stats.Held++
	h.held = append(h.held, heldItem{msg: msg, from: int32(fi), kind: HeldMessage, mkind: mk})
	h.w.trace.add(KindHold, h.addr, from, int64(HeldMessage), int64(mk))
}

// holdFire queues a timer or sync completion. These need no bound of their
// own: a paused process cannot schedule more, so they are bounded by what it
// had pending when it stopped.
func (h *Host) holdFire(kind HeldKind, tag uint64) {
	h.held = append(h.held, heldItem{tag: tag, kind: kind})
	h.w.trace.add(KindHold, h.addr, 0, int64(kind), int64(tag))
}

// drainOne hands the oldest held item to the resumed process and schedules
// the next.
func (h *Host) drainOne() {
	h.draining = false
	if h.paused || h.heldLen() == 0 {
		return
	}
	it := h.held[h.heldHead]
	h.held[h.heldHead] = heldItem{}
	h.heldHead++
	if it.kind == HeldMessage {
		h.heldMsgs--
	}
	if h.heldHead == len(h.held) {
		h.clearHeld()
	}
	w := h.w
	switch it.kind {
	case HeldMessage:
		w.net.stats.Held--
		w.net.stats.Delivered++
		from := w.hosts[it.from].addr
		w.trace.add(KindDeliver, from, h.addr, int64(it.mkind), 1)
		h.proc.Receive(from, it.msg)
	case HeldTimer:
		w.trace.add(KindTimer, h.addr, 0, int64(it.tag), 1)
		h.proc.Fire(it.tag)
	case HeldSync:
		w.trace.add(KindSync, h.addr, 0, int64(it.tag), -1)
		h.proc.Fire(it.tag)
	}
	if h.alive && !h.paused {
		h.scheduleDrain()
	}
}
