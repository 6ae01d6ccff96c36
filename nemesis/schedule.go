package nemesis

import (
	"errors"
	"fmt"
)

// Start schedules fault actions from now until the time limit until: after
// each jittered gap one fault starts or stops. It returns an error if called
// twice, after Heal, or with a limit not in the future.
func (n *Nemesis) Start(until int64) error {
	switch {
	case n.started:
		return errors.New("nemesis: Start called twice")
	case n.healed:
		return errors.New("nemesis: Start called after Heal")
	case until <= n.f.Now():
		return fmt.Errorf("nemesis: Start: time limit %d is not after now (%d)", until, n.f.Now())
	}
	n.started = true
	n.until = until
	n.startAt = n.f.Now()
	if n.cfg.Script != nil {
		n.scheduleStep(0)
		return nil
	}
	n.scheduleNext()
	return nil
}

// gap draws the time to the next action.
func (n *Nemesis) gap() int64 {
	g := n.cfg.Interval
	if j := n.cfg.Jitter; j > 0 {
		g = int64(float64(g) * (1 - j + 2*j*n.rng.Float64()))
	}
	return max(g, minGap)
}

// scheduleNext arranges the next scheduler action if it falls before the limit.
func (n *Nemesis) scheduleNext() {
	if len(n.faults) == 0 || n.actions >= maxActions {
		return
	}
	g := n.gap()
	if n.f.Now()+g >= n.until {
		return
	}
	gen := n.gen
	n.f.After(g, func() {
		if gen != n.gen {
			return
		}
		n.act()
		n.scheduleNext()
	})
}

// act takes one scheduler action: start an idle fault or stop an active one.
// With nothing active it starts; at MaxActive it stops; in between it flips a
// coin. When the chosen kind of action is impossible it takes the other.
func (n *Nemesis) act() {
	n.beginAction()
	defer n.endAction()
	busy, stoppable := 0, 0
	for _, fl := range n.faults {
		if fl.state != idle {
			busy++
		}
		if fl.state == active {
			stoppable++
		}
	}
	wantStart := stoppable == 0 || (busy < n.cfg.MaxActive && n.rng.IntN(2) == 0)
	if wantStart && busy < n.cfg.MaxActive && n.startOne() {
		return
	}
	if stoppable > 0 {
		n.stopOne(stoppable)
	}
}

// startOne tries the idle faults in random order and starts the first that
// can start now. It reports whether one did.
func (n *Nemesis) startOne() bool {
	order := n.rng.Perm(len(n.faults))
	for _, i := range order {
		fl := n.faults[i]
		if fl.state == idle && !n.groupBusy(fl.group) && n.startFault(fl, nil) {
			return true
		}
	}
	return false
}

// stopOne stops a random one of the stoppable active faults.
func (n *Nemesis) stopOne(stoppable int) {
	k := n.rng.IntN(stoppable)
	for _, fl := range n.faults {
		if fl.state != active {
			continue
		}
		if k == 0 {
			n.stopFault(fl, nil)
			return
		}
		k--
	}
}

// groupBusy reports whether a fault of exclusion group g is started.
func (n *Nemesis) groupBusy(g int) bool {
	if g == groupNone {
		return false
	}
	for _, fl := range n.faults {
		if fl.group == g && fl.state != idle {
			return true
		}
	}
	return false
}

// startFault starts fl and records the start; it reports false (recording
// nothing, changing nothing) if the fault cannot start now. Its random
// choices replay play first (a script step's draws).
func (n *Nemesis) startFault(fl *fault, play []uint64) bool {
	fl.state = active // so "every active fault" loops in the start include it
	fl.gen++
	n.tape.begin(play)
	ev, ok := n.dispatchStart(fl)
	draws := n.tape.end()
	if !ok {
		n.clear(fl)
		return false
	}
	if n.acting {
		n.record(fl.Name, true, draws)
		n.acted = true
	}
	ev.Fault, ev.Start = fl.Name, true
	ev.Targets = sortedCopy(ev.Targets)
	fl.targets = ev.Targets
	n.f.Record(ev)
	return true
}

// stopFault undoes fl. A stop that needs a membership repair leaves fl
// stopping; the repair finishes it. Its random choices replay play first.
func (n *Nemesis) stopFault(fl *fault, play []uint64) {
	fl.state = stopping
	fl.gen++
	n.tape.begin(play)
	ev, done := n.dispatchStop(fl)
	draws := n.tape.end()
	if n.acting {
		n.record(fl.Name, false, draws)
		n.acted = true
	}
	if done {
		n.finish(fl, ev)
	}
}

// finish records fl's stop and returns it to idle, releasing its nodes.
func (n *Nemesis) finish(fl *fault, ev Event) {
	ev.Fault, ev.Start = fl.Name, false
	if ev.Targets == nil {
		ev.Targets = fl.targets
	}
	ev.Targets = sortedCopy(ev.Targets)
	n.clear(fl)
	n.f.Record(ev)
}

// clear returns fl to idle and releases every node it holds.
func (n *Nemesis) clear(fl *fault) {
	n.releaseAll(fl)
	fl.state = idle
	fl.gen++
	fl.targets, fl.links, fl.offsets, fl.drifts = nil, nil, nil, nil
	fl.node, fl.cursor, fl.flips, fl.wipe, fl.ok = 0, 0, 0, false, false
}

func (n *Nemesis) dispatchStart(fl *fault) (Event, bool) {
	switch fl.Category {
	case CategoryPartition:
		return n.startPartition(fl)
	case CategoryProcess:
		return n.startProcess(fl)
	case CategoryNetwork:
		return n.startNetwork(fl)
	case CategoryClock:
		return n.startClock(fl)
	case CategoryDisk:
		return n.startDisk(fl)
	case CategoryMembership:
		return n.startChurn(fl)
	}
	return Event{}, false
}

func (n *Nemesis) dispatchStop(fl *fault) (Event, bool) {
	switch fl.Category {
	case CategoryPartition:
		return n.stopPartition(fl), true
	case CategoryProcess:
		return n.stopProcess(fl), true
	case CategoryNetwork:
		return n.stopNetwork(fl), true
	case CategoryClock:
		return n.stopClock(fl), true
	case CategoryDisk:
		return n.stopDisk(fl)
	case CategoryMembership:
		return n.stopChurn(fl)
	}
	return Event{}, true
}
