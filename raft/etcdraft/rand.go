package etcdraft

import (
	crand "crypto/rand"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// etcd's Raft draws each randomized election timeout with
// crypto/rand.Int(crypto/rand.Reader, n) under a package-global lock. The
// library offers no hook, so this file replaces crypto/rand.Reader, once, at
// package initialization (before main or any test starts a goroutine, so the
// write races with no reader), by a dispatcher:
//
//   - every adapter call into a RawNode is bracketed by enter/exit, which store
//     the node in its goroutine's slot (a plain field write: a slot is only
//     ever touched by its own goroutine);
//   - a read from the dispatcher identifies the calling goroutine (its id,
//     parsed from runtime.Stack's first line: about a microsecond, paid only
//     per draw, and draws are rare: one per election-timer reset), looks up
//     its slot and, when a node is inside a call there, serves the bytes from
//     that node's seeded stream (Config.Rand);
//   - any other read (no etcd node alive, or a goroutine not inside an
//     adapter call) goes to the original reader: real randomness, untouched.
//
// A node's slot is its creating goroutine's, so a node must be driven from the
// goroutine that built it (the simulator runs a whole run on one goroutine).
// A node driven from elsewhere would have its draws served by the original
// reader; Ready catches that (see checkDraws) and panics rather than let a
// run silently lose its reproducibility.

// draws is the process-wide dispatcher installed as crypto/rand.Reader.
var draws = installDispatcher()

// dispatcher is the io.Reader installed as crypto/rand.Reader.
type dispatcher struct {
	orig io.Reader // the reader it replaced
	// bound counts live slots: with none, every read goes straight to orig.
	bound atomic.Int64
	mu    sync.Mutex
	slots map[uint64]*slot // by goroutine id; guarded by mu
}

// slot is one goroutine's binding. cur is read and written only by that
// goroutine (enter/exit and the draws it makes), so it needs no lock; refs
// is guarded by the dispatcher's mutex.
type slot struct {
	gid  uint64
	cur  *Node // the node inside a RawNode call on this goroutine, nil if none
	refs int   // live nodes bound to this slot
}

func installDispatcher() *dispatcher {
	d := &dispatcher{orig: crand.Reader, slots: make(map[uint64]*slot)}
	crand.Reader = d
	return d
}

// installed reports whether crypto/rand.Reader is still the dispatcher (some
// other code may have replaced it since).
func (d *dispatcher) installed() bool {
	r, ok := crand.Reader.(*dispatcher)
	return ok && r == d
}

// Read serves a draw: from the seeded stream of the node inside a call on the
// calling goroutine, else from the original reader.
func (d *dispatcher) Read(p []byte) (int, error) {
	if d.bound.Load() == 0 {
		return d.orig.Read(p)
	}
	gid := goroutineID()
	d.mu.Lock()
	s := d.slots[gid]
	d.mu.Unlock()
	if s == nil || s.cur == nil {
		return d.orig.Read(p)
	}
	s.cur.fillRandom(p)
	return len(p), nil
}

// bind returns the calling goroutine's slot, creating it, and counts one more
// node on it. release undoes it when the node is garbage.
func (d *dispatcher) bind() *slot {
	gid := goroutineID()
	d.mu.Lock()
	defer d.mu.Unlock()
	s := d.slots[gid]
	if s == nil {
		s = &slot{gid: gid}
		d.slots[gid] = s
		d.bound.Add(1)
	}
	s.refs++
	return s
}

// release drops one node's reference to s (a runtime cleanup of the node).
func (d *dispatcher) release(s *slot) {
	d.mu.Lock()
	defer d.mu.Unlock()
	s.refs--
	if s.refs == 0 {
		delete(d.slots, s.gid)
		d.bound.Add(-1)
	}
}

// goroutineID parses the calling goroutine's id from the first line of its
// stack trace, "goroutine 123 [running]:". Go has no cheaper public way; it
// is only called per draw and per node creation.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	const prefix = "goroutine "
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		panic("etcdraft: unexpected runtime.Stack format: " + string(b))
	}
	var id uint64
	for _, c := range b[len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	if id == 0 {
		panic("etcdraft: no goroutine id in runtime.Stack: " + string(b))
	}
	return id
}

// fillRandom fills p from the node's stream, one stream value per byte:
// draws are a byte or two, so simplicity beats economy here.
func (n *Node) fillRandom(p []byte) {
	for i := range p {
		p[i] = byte(n.rand.Uint64())
	}
	n.draws++
}

// enter marks n as the node inside a call on this goroutine and returns the
// previous occupant for exit (nil but for a re-entrant call).
func (n *Node) enter() *Node {
	prev := n.slot.cur
	n.slot.cur = n
	return prev
}

// exit restores the slot and, if etcd (or the adapter) panicked, panics again
// with the node's identity and the original stack, so a found bug names its
// node. It must be deferred directly (recover works only there).
func (n *Node) exit(prev *Node) {
	n.slot.cur = prev
	if r := recover(); r != nil {
		panic(n.wrapPanic(r))
	}
}
