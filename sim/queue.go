package sim

import (
	"math"
	"math/bits"
)

// The event queue is a binary min-heap of 16-byte keys; the payloads live in a
// slab that never moves them, so sifting copies only keys. A key packs the
// scheduling sequence number above the slab slot, which makes (time, key)
// order exactly (time, sequence) order: ties break by scheduling order.
//
// The heap slice always ends with a sentinel greater than every real key, so
// the pop loop can compare both children without a bounds branch, and picks
// the smaller one branch-free: on a busy queue the comparisons are coin flips
// that would otherwise mispredict at every level.

const (
	slotBits = 24
	// maxPendingEvents bounds the events waiting in the queue.
	maxPendingEvents = 1 << slotBits
	// maxSeq bounds the events scheduled over a run (2^40 ≈ 10^12).
	maxSeq = 1<<(64-slotBits) - 1
	// compactMin is the smallest number of cancelled events worth a sweep.
	compactMin = 1024
)

// evKind says what a queued event does when it fires.
type evKind uint8

const (
	evFree     evKind = iota // slot on the free list
	evCanceled               // cancelled handler timer, awaiting lazy removal
	evHandler                // World.Schedule: Handler.Fire(tag)
	evFunc                   // World.After: fn()
	evDeliver                // a message reaches host `to`
	evTimer                  // Host.After: Process.Fire(tag) if the incarnation lives
	evSync                   // a Disk.Sync completes
	evDrain                  // deliver the next item a paused host held
	evRestart                // a host restarts
)

// event is a queued event's payload. Fields are interpreted per kind.
type event struct {
	h     Handler
	msg   any
	fn    func()
	tag   uint64 // timer/sync tag
	aux   uint64 // sync watermark, restart token
	inc   uint64 // host incarnation the event belongs to
	gen   uint32 // bumped when the slot is freed: stale TimerIDs miss
	from  int32  // sender's host index
	to    int32  // target host index
	kind  evKind
	mkind uint8 // message trace kind
}

type qkey struct {
	at  Time
	key uint64 // seq<<slotBits | slot
}

// sentinel sorts after every real key.
var sentinel = qkey{at: math.MaxInt64, key: math.MaxUint64}

// lessBit is 1 if a sorts before b, else 0: (at, key) compared as one 128-bit
// unsigned number (times are never negative) through a borrow chain.
func lessBit(a, b qkey) int {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return int(borrow)
}

type queue struct {
	heap     []qkey // len() keys, then the sentinel
	slab     []event
	free     []uint32
	seq      uint64
	canceled int
}

func (q *queue) init() { q.heap = append(q.heap[:0], sentinel) }

// len returns the number of queued events.
func (q *queue) len() int { return len(q.heap) - 1 }

// alloc returns a free slot, or false at the pending-event bound.
func (q *queue) alloc() (uint32, bool) {
	if n := len(q.free); n > 0 {
		s := q.free[n-1]
		q.free = q.free[:n-1]
		return s, true
	}
	if len(q.slab) >= maxPendingEvents {
		return 0, false
	}
	q.slab = append(q.slab, event{})
	return uint32(len(q.slab) - 1), true
}

// release clears a slot (dropping references for the GC) and frees it.
func (q *queue) release(s uint32) {
	e := &q.slab[s]
	*e = event{gen: e.gen + 1}
	q.free = append(q.free, s)
}

// insert queues slot s at time at; false when the sequence space is spent.
func (q *queue) insert(at Time, s uint32) bool {
	if q.seq >= maxSeq {
		return false
	}
	k := qkey{at: at, key: q.seq<<slotBits | uint64(s)}
	q.seq++
	h := append(q.heap, sentinel)
	i := len(h) - 2 // the old sentinel's place
	for i > 0 {
		p := (i - 1) / 2
		if lessBit(k, h[p]) == 0 {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = k
	q.heap = h
	return true
}

// pop removes the earliest event; the queue must not be empty. It moves the
// hole at the root down to a leaf along the smaller children, then sifts the
// former last key up from there: it came from the bottom, so it rarely climbs
// far (Floyd's bottom-up variant: one comparison per level on the way down).
func (q *queue) pop() qkey {
	h := q.heap
	top := h[0]
	n := len(h) - 2 // keys left after the pop
	last := h[n]
	h[n] = sentinel
	h = h[:n+1]
	q.heap = h
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		c += lessBit(h[c+1], h[c]) // h[n] is the sentinel: never chosen
		h[i] = h[c]
		i = c
	}
	for i > 0 {
		p := (i - 1) / 2
		if lessBit(last, h[p]) == 0 {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = last
	return top
}

// siftDown places x at hole i or below (used to rebuild the heap).
func siftDown(h []qkey, n, i int, x qkey) {
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && lessBit(h[c+1], h[c]) == 1 {
			c++
		}
		if lessBit(h[c], x) == 0 {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = x
}

func slotOf(k qkey) uint32 { return uint32(k.key & (1<<slotBits - 1)) }

// compact drops cancelled events when they outnumber the live ones, so that
// cancel-heavy code (election timers reset on every heartbeat) cannot grow
// the heap without bound.
func (q *queue) compact() {
	if q.canceled < compactMin || q.canceled < q.len()/2 {
		return
	}
	keep := q.heap[:0]
	for _, k := range q.heap[:q.len()] {
		if s := slotOf(k); q.slab[s].kind == evCanceled {
			q.release(s)
		} else {
			keep = append(keep, k)
		}
	}
	n := len(keep)
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(keep, n, i, keep[i])
	}
	q.heap = append(keep, sentinel)
	q.canceled = 0
}
