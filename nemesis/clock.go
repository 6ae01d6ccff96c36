package nemesis

import (
	"fmt"
	"strings"
)

// maxStrobeFlips bounds one clock-strobe window's flips.
const maxStrobeFlips = 100000

// Clock faults add offsets (and drift) per node. A node's offset is the sum
// of the active clock faults' contributions, so skew and a bump on one node
// compose, and stopping one fault leaves the others' offsets in place.

// startClock picks fl's nodes and offsets and applies them.
func (n *Nemesis) startClock(fl *fault) (Event, bool) {
	in := n.cfg.Intensity
	size := len(n.nodes)
	fl.offsets = make([]int64, size)
	var targets []int
	var b strings.Builder
	switch fl.kind {
	case kindClockSkew:
		for i, node := range n.nodes {
			fl.offsets[i] = n.rng.Int64N(2*in.ClockSkew+1) - in.ClockSkew
			fmt.Fprintf(&b, " %d:%+dms", node, fl.offsets[i]/Millisecond)
		}
		targets = n.nodes
		n.applyClocks()
		return Event{Targets: targets, Detail: "clock offsets" + b.String()}, true

	case kindClockDrift:
		fl.offsets = nil
		fl.drifts = make([]float64, size)
		chosen := n.pick(n.shuffled(), 1+n.rng.IntN(size))
		for _, node := range chosen {
			i := n.pos(node)
			fl.drifts[i] = in.ClockDrift * (0.5 + 0.5*n.rng.Float64())
			if n.rng.IntN(2) == 0 {
				fl.drifts[i] = -fl.drifts[i]
			}
			fmt.Fprintf(&b, " %d:%+.0fppm", node, fl.drifts[i])
		}
		n.applyClocks()
		return Event{Targets: chosen, Detail: "clock drift" + b.String()}, true

	case kindClockBump:
		i := n.rng.IntN(size)
		jump := in.ClockBump/2 + n.rng.Int64N(in.ClockBump/2+1)
		if n.rng.IntN(2) == 0 {
			jump = -jump
		}
		fl.offsets[i] = jump
		n.applyClocks()
		return Event{Targets: []int{n.nodes[i]}, Detail: fmt.Sprintf("bumped %d's clock by %+dms", n.nodes[i], jump/Millisecond)}, true

	case kindClockStrobe:
		i := n.rng.IntN(size)
		fl.node = n.nodes[i]
		n.strobe(fl, i, fl.gen)
		return Event{Targets: []int{fl.node}, Detail: fmt.Sprintf("strobing %d's clock by %s every %s", fl.node, dur(in.StrobeDelta), dur(in.StrobePeriod))}, true
	}
	return Event{}, false
}

// stopClock resets every clock and re-applies the clock faults still active.
func (n *Nemesis) stopClock(fl *fault) Event {
	n.f.ResetClocks()
	fl.offsets, fl.drifts = nil, nil
	n.applyClocks()
	return Event{Detail: "clocks reset"}
}

// strobe flips node i's offset between 0 and StrobeDelta every StrobePeriod
// while fl's window lasts (gen), at most maxStrobeFlips times.
func (n *Nemesis) strobe(fl *fault, i int, gen uint64) {
	if fl.gen != gen || fl.state != active || fl.flips >= maxStrobeFlips {
		return
	}
	fl.flips++
	fl.offsets[i] = n.cfg.Intensity.StrobeDelta - fl.offsets[i]
	n.applyClock(i)
	n.f.After(n.cfg.Intensity.StrobePeriod, func() { n.strobe(fl, i, gen) })
}

// applyClocks sets every node whose clock some active fault changes.
func (n *Nemesis) applyClocks() {
	for i := range n.nodes {
		n.applyClock(i)
	}
}

// applyClock sets node i's offset and drift to the sum of the active clock
// faults' contributions; untouched nodes are left alone so their clocks stay
// as the run configured them.
func (n *Nemesis) applyClock(i int) {
	var off int64
	var drift float64
	touched, drifted := false, false
	for _, fl := range n.faults {
		if fl.state != active || fl.Category != CategoryClock {
			continue
		}
		if fl.offsets != nil && (fl.offsets[i] != 0 || fl.node == n.nodes[i]) {
			off += fl.offsets[i]
			touched = true // a strobed node is set even when its flip is back at 0
		}
		if fl.drifts != nil && fl.drifts[i] != 0 {
			drift += fl.drifts[i]
			drifted = true
		}
	}
	if touched {
		n.f.SetClockOffset(n.nodes[i], off)
	}
	if drifted {
		n.f.SetClockDrift(n.nodes[i], drift)
	}
}
