package sim

import (
	"fmt"
	"slices"
)

// Process is the code running at an address: a server or a client. The
// signatures use builtin types so kvstore.Process satisfies it structurally.
// Every call happens on the simulation's single thread.
type Process interface {
	// Receive handles a message from address from.
	Receive(from int, msg any)
	// Fire handles a timer (Host.After) or a sync completion (Disk.Sync).
	Fire(tag uint64)
}

// Handler receives world-level timer callbacks (World.Schedule) on the
// zero-allocation path: global time, not tied to any host.
type Handler interface {
	Fire(tag uint64)
}

// TimerID identifies a World.Schedule timer for Cancel. The zero TimerID
// refers to no timer.
type TimerID uint64

// World is one simulation run: virtual time, the event queue, random streams,
// the network, hosts with their disks and clocks, and the trace. It is not
// safe for concurrent use; nothing in it starts a goroutine.
type World struct {
	cfg     Config // defaults applied
	now     Time
	events  uint64
	instant uint64 // events processed at the current time
	q       queue
	net     Network
	hosts   []*Host // by dense index, in AddHost order
	byAddr  []*Host // sorted by address
	index   []int32 // address → dense index + 1; 0: no host
	streams map[string]struct{}
	trace   Trace
	err     error
	running bool // inside Run or Step: re-entry is a bug
}

// NewWorld validates cfg and creates a World at time 0.
func NewWorld(cfg Config) (*World, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &World{cfg: cfg.withDefaults(), streams: make(map[string]struct{})}
	w.q.init()
	w.trace.init(w, cfg.Trace)
	rng, err := w.Stream(netStream)
	if err != nil {
		return nil, err
	}
	w.net.init(w, rng)
	return w, nil
}

// Config returns the configuration with defaults applied.
func (w *World) Config() Config { return w.cfg }

// Now returns the global virtual time.
func (w *World) Now() Time { return w.now }

// Seed returns the run's seed.
func (w *World) Seed() uint64 { return w.cfg.Seed }

// Events returns the number of events processed so far.
func (w *World) Events() uint64 { return w.events }

// Pending returns the number of queued events, including cancelled timers and
// timers of crashed incarnations not yet swept.
func (w *World) Pending() int { return w.q.len() }

// Net returns the network.
func (w *World) Net() *Network { return &w.net }

// Trace returns the run's trace.
func (w *World) Trace() *Trace { return &w.trace }

// Err returns the error that stopped the run, if any.
func (w *World) Err() error { return w.err }

// Host returns the host at addr, or nil.
func (w *World) Host(addr int) *Host {
	if i := w.hostIndex(addr); i >= 0 {
		return w.hosts[i]
	}
	return nil
}

// Hosts returns every host sorted by address. The slice is the caller's.
func (w *World) Hosts() []*Host { return slices.Clone(w.byAddr) }

func (w *World) hostIndex(addr int) int {
	if uint(addr) < uint(len(w.index)) {
		return int(w.index[addr]) - 1
	}
	return -1
}

// fail records the first error of the run; Run and Step return it and the
// world processes no more events.
func (w *World) fail(err error) {
	if w.err == nil {
		w.err = fmt.Errorf("sim: seed %d at %v: %w", w.cfg.Seed, w.now, err)
	}
}

// After calls fn after d of global time. It is meant for rare world-level
// work (the nemesis, the run's phases) and allocates; use Schedule on hot
// paths. A negative d fails the run.
func (w *World) After(d Time, fn func()) {
	if fn == nil {
		w.fail(fmt.Errorf("%w: After with a nil function", ErrBadArgument))
		return
	}
	if s, ok := w.schedule(d, evFunc); ok {
		w.q.slab[s].fn = fn
	}
}

// Schedule arranges h.Fire(tag) after d of global time, without allocating.
// The returned TimerID cancels it. A negative d fails the run.
func (w *World) Schedule(d Time, h Handler, tag uint64) TimerID {
	if h == nil {
		w.fail(fmt.Errorf("%w: Schedule with a nil handler", ErrBadArgument))
		return 0
	}
	s, ok := w.schedule(d, evHandler)
	if !ok {
		return 0
	}
	e := &w.q.slab[s]
	e.h = h
	e.tag = tag
	return TimerID(uint64(e.gen)<<32 | uint64(s) + 1)
}

// Cancel stops a timer from Schedule. Cancelling a timer that already fired,
// was cancelled, or is zero does nothing.
func (w *World) Cancel(id TimerID) {
	if id == 0 {
		return
	}
	s := uint32(uint64(id-1) & 0xFFFFFFFF)
	gen := uint32(uint64(id-1) >> 32)
	if int(s) >= len(w.q.slab) {
		return
	}
	e := &w.q.slab[s]
	if e.gen != gen || e.kind != evHandler {
		return
	}
	e.kind = evCanceled
	e.h = nil
	w.q.canceled++
	w.q.compact()
}

// schedule allocates and queues an event of kind k after d; false (and a
// failed run) if d is negative or a queue bound is hit.
func (w *World) schedule(d Time, k evKind) (uint32, bool) {
	at, ok := addTime(w.now, d)
	if d < 0 || !ok {
		w.badDelay(d)
		return 0, false
	}
	return w.scheduleAt(at, k)
}

func (w *World) badDelay(d Time) {
	if d < 0 {
		w.fail(fmt.Errorf("%w: negative delay %v", ErrBadArgument, d))
	} else {
		w.fail(fmt.Errorf("%w: delay %v overflows virtual time", ErrBadArgument, d))
	}
}

func (w *World) scheduleAt(at Time, k evKind) (uint32, bool) {
	s, ok := w.q.alloc()
	if ok && w.q.insert(at, s) {
		w.q.slab[s].kind = k
		return s, true
	}
	if ok {
		w.q.release(s)
	}
	w.queueFull()
	return 0, false
}

func (w *World) queueFull() {
	w.fail(fmt.Errorf("%w: more than %d pending or %d scheduled events", ErrQueueFull, maxPendingEvents, uint64(maxSeq)))
}

// Run processes every event due at or before until, then sets the clock to
// until. It stops at the first error — a found bug, a broken bound, a trace
// write failure — and returns it; the world is then unusable.
func (w *World) Run(until Time) error {
	if w.err != nil {
		return w.err
	}
	if until < w.now {
		return fmt.Errorf("sim: Run(%v) is before now (%v): %w", until, w.now, ErrBadArgument)
	}
	if w.running {
		return fmt.Errorf("sim: Run called from inside an event: %w", ErrBadArgument)
	}
	w.running = true
	for w.q.len() > 0 && w.q.heap[0].at <= until && w.err == nil {
		w.step()
	}
	w.running = false
	if w.err == nil {
		w.now = until
	}
	if err := w.trace.Flush(); err != nil {
		w.fail(err)
	}
	return w.err
}

// Step processes the next event. It returns false when no event is left.
func (w *World) Step() (bool, error) {
	if w.running {
		return false, fmt.Errorf("sim: Step called from inside an event: %w", ErrBadArgument)
	}
	w.running = true
	for w.err == nil && w.q.len() > 0 {
		if w.step() {
			w.running = false
			return true, w.err
		}
	}
	w.running = false
	if err := w.trace.Flush(); err != nil {
		w.fail(err)
	}
	return false, w.err
}

// step pops one event and runs it; false if it was stale (cancelled, or
// belonging to a dead incarnation).
func (w *World) step() bool {
	k := w.q.pop()
	s := slotOf(k)
	e := &w.q.slab[s]
	switch e.kind {
	case evCanceled:
		w.q.canceled--
		w.q.release(s)
		return false
	case evHandler:
		if !w.advance(k.at) {
			return false
		}
		h, tag := e.h, e.tag
		w.q.release(s)
		w.trace.add(KindTimer, 0, 0, int64(tag), 0)
		h.Fire(tag)
	case evFunc:
		if !w.advance(k.at) {
			return false
		}
		fn := e.fn
		w.q.release(s)
		w.trace.add(KindCallback, 0, 0, 0, 0)
		fn()
	case evDeliver:
		if !w.advance(k.at) {
			return false
		}
		from, to, msg, mk := e.from, e.to, e.msg, e.mkind
		w.q.release(s)
		w.net.deliver(int(from), int(to), msg, mk)
	default:
		return w.hostEvent(k.at, s)
	}
	return true
}

// advance moves time to at and counts an event against the run's bounds.
func (w *World) advance(at Time) bool {
	if at != w.now {
		w.now = at
		w.instant = 0
	}
	w.events++
	w.instant++
	if w.events > w.cfg.MaxEvents || w.instant > w.cfg.MaxEventsPerInstant {
		return w.overLimit()
	}
	return true
}

func (w *World) overLimit() bool {
	if w.events > w.cfg.MaxEvents {
		w.fail(fmt.Errorf("%w: more than %d events (Config.MaxEvents)", ErrEventLimit, w.cfg.MaxEvents))
	} else {
		w.fail(fmt.Errorf("%w: more than %d events without time advancing (Config.MaxEventsPerInstant)", ErrEventLimit, w.cfg.MaxEventsPerInstant))
	}
	return false
}
