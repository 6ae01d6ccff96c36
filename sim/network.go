package sim

import (
	"fmt"
	"math/rand/v2"
)

// netStream is the name of the stream the network draws from.
const netStream = "net"

// NetStats counts what happened to messages. Every copy sent (Sent +
// Duplicated) is, at any moment, in exactly one of: Delivered, one of the
// Dropped counters, InFlight, or Held.
type NetStats struct {
	Sent                  uint64 // Send calls
	Delivered             uint64 // copies handed to a process
	Duplicated            uint64 // extra copies created
	DroppedPartition      uint64 // link blocked at delivery time
	DroppedLoss           uint64 // random loss
	DroppedDead           uint64 // recipient crashed (in flight, or held while paused)
	DroppedPausedOverflow uint64 // paused recipient's queue full
	InFlight              uint64 // copies scheduled for delivery now
	Held                  uint64 // copies waiting at paused hosts now
}

// Dropped returns the total of every drop reason.
func (s NetStats) Dropped() uint64 {
	return s.DroppedPartition + s.DroppedLoss + s.DroppedDead + s.DroppedPausedOverflow
}

// link is the state of one directed link.
type link struct {
	lat     sampler // override, when hasLat
	hasLat  bool
	blocked bool
	loss    float64 // loss on this link, on top of the network's
	extra   float64 // mean extra delay on this link (exponential), ns
	// lastAt is when the latest copy sent on this link is due, kept for
	// stream links only: a later copy is never due before it (FIFO).
	lastAt Time
}

// Network carries messages between hosts. Links are directed: (a, b) and
// (b, a) are blocked, slowed and made lossy independently.
type Network struct {
	w            *World
	rng          *rand.Rand
	lat          sampler
	loss         float64
	dup          float64
	reorder      float64
	reorderDelay float64
	extra        float64 // mean, ns
	links        []link  // n×n, by dense host index
	n            int
	stats        NetStats
}

func (n *Network) init(w *World, rng *rand.Rand) {
	n.w = w
	n.rng = rng
	n.applyConfig(w.cfg.Net)
}

func (n *Network) applyConfig(c NetConfig) {
	n.lat = newSampler(c.Latency)
	n.loss = c.Loss
	n.dup = c.Duplicate
	n.reorder = c.Reorder
	n.reorderDelay = float64(c.ReorderDelay)
	n.extra = float64(c.ExtraDelay)
}

// grow makes room for one more host, keeping every link's state.
func (n *Network) grow() {
	m := n.n + 1
	links := make([]link, m*m)
	for i := range n.n {
		copy(links[i*m:i*m+n.n], n.links[i*n.n:(i+1)*n.n])
	}
	n.links, n.n = links, m
}

// Stats returns the message counters.
func (n *Network) Stats() NetStats { return n.stats }

// Send sends msg from address from to address to. Delivery is subject to
// every configured fault. An unknown address fails the run: it is a bug in
// the caller, not a network condition.
func (n *Network) Send(from, to int, msg any) {
	fi, ti := n.w.hostIndex(from), n.w.hostIndex(to)
	if fi < 0 || ti < 0 {
		n.w.fail(fmt.Errorf("%w: send %d→%d", ErrUnknownAddress, from, to))
		return
	}
	n.send(fi, ti, from, to, msg)
}

func (n *Network) send(fi, ti, from, to int, msg any) {
	mk := traceKindOf(msg)
	n.stats.Sent++
	l := &n.links[fi*n.n+ti]
	if (n.loss > 0 && n.rng.Float64() < n.loss) || (l.loss > 0 && n.rng.Float64() < l.loss) {
		n.stats.DroppedLoss++
		n.w.trace.add(KindSend, from, to, int64(mk), -1)
		n.w.trace.add(KindDrop, from, to, int64(DropLoss), int64(mk))
		return
	}
	// A stream link (either end is a HostConfig.Stream host) behaves like a
	// TCP connection: no duplicate, no forced reorder, FIFO. Its skipped
	// decisions draw nothing, so with duplication and reordering off a
	// stream link draws exactly what any other link would.
	stream := n.w.hosts[fi].cfg.Stream || n.w.hosts[ti].cfg.Stream
	d := n.latency(l, !stream)
	if stream {
		d = max(d, l.lastAt-n.w.now)
		l.lastAt = n.w.now + d
	}
	n.w.trace.add(KindSend, from, to, int64(mk), int64(d))
	n.schedule(fi, ti, d, msg, mk)
	if !stream && n.dup > 0 && n.rng.Float64() < n.dup {
		n.stats.Duplicated++
		d := n.latency(l, true)
		n.w.trace.add(KindDuplicate, from, to, int64(mk), int64(d))
		n.schedule(fi, ti, d, msg, mk)
	}
}

// latency draws one copy's delay on link l: base or override latency, plus
// the extra delays of the delay fault, plus the reorder delay if drawn (only
// when reorder is set: stream links never take it).
func (n *Network) latency(l *link, reorder bool) Time {
	var d Time
	if l.hasLat {
		d = l.lat.sample(n.rng)
	} else {
		d = n.lat.sample(n.rng)
	}
	if n.extra > 0 {
		d += Time(n.extra * n.rng.ExpFloat64())
	}
	if l.extra > 0 {
		d += Time(l.extra * n.rng.ExpFloat64())
	}
	if reorder && n.reorder > 0 && n.rng.Float64() < n.reorder {
		d += 1 + Time(n.reorderDelay*n.rng.Float64())
	}
	return d
}

func (n *Network) schedule(fi, ti int, d Time, msg any, mk uint8) {
	s, ok := n.w.schedule(d, evDeliver)
	if !ok {
		return
	}
	e := &n.w.q.slab[s]
	e.from, e.to, e.msg, e.mkind = int32(fi), int32(ti), msg, mk
	n.stats.InFlight++
}

// deliver runs when a copy reaches its recipient: the partition check happens
// here, so a partition also kills messages already in flight.
func (n *Network) deliver(fi, ti int, msg any, mk uint8) {
	n.stats.InFlight--
	w := n.w
	from, h := w.hosts[fi].addr, w.hosts[ti]
	switch {
	case n.links[fi*n.n+ti].blocked:
		n.stats.DroppedPartition++
		w.trace.add(KindDrop, from, h.addr, int64(DropPartition), int64(mk))
	case !h.alive:
		n.stats.DroppedDead++
		w.trace.add(KindDrop, from, h.addr, int64(DropDead), int64(mk))
	case h.paused || h.heldLen() > 0:
		h.holdMessage(fi, msg, mk)
	default:
		n.stats.Delivered++
		w.trace.add(KindDeliver, from, h.addr, int64(mk), 0)
		h.proc.Receive(from, msg)
	}
}
